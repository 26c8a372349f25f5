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
        request.env["res.partner"]._empathy_check_manager()
        partner = request.env["res.partner"].browse(partner_id).sudo().exists()
        if not partner:
            return request.not_found(
                request.env._("The contact %s does not exist (any more).", partner_id)
            )
        partner = partner.with_env(request.env)
        content, mimetype, filename = partner._empathy_export_file(fmt)
        return request.make_response(
            content,
            headers=[
                ("Content-Type", mimetype),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
