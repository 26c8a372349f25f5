# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import http
from odoo.http import request


class EmpathyExportController(http.Controller):
    @http.route(
        "/empathic_crm/export/<int:partner_id>/<string:fmt>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def export_empathy_data(self, partner_id, fmt="json"):
        """Download all empathy data of one person (GDPR Art. 15), for managers."""
        partner = request.env["res.partner"].browse(partner_id)
        content, mimetype, filename = partner._empathy_export_file(fmt)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
