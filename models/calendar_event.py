# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Calendar events: the briefing of the attendees who are customers."""

from markupsafe import Markup

from odoo import api, fields, models

from .empathy_groups import EMPATHY_USER_GROUP


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    empathy_briefing = fields.Html(
        string="Attendee briefing",
        compute="_compute_empathy_briefing",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="The compact briefing of each profiled attendee (colleagues are left out).",
    )

    @api.depends_context("lang", "uid", "allowed_company_ids")
    @api.depends("partner_ids", "partner_ids.empathy_briefing_compact")
    def _compute_empathy_briefing(self):
        attendees = self.partner_ids
        # colleagues (internal users) are attendees too: they are not briefed
        customers = attendees.filtered(
            lambda p: (
                not p.sudo().user_ids.filtered(lambda u: not u.share) and p._empathy_is_profiled()
            )
        )
        compact = customers._empathy_briefing_compact_map() if customers else {}
        for event in self:
            blocks = [
                Markup("<div class='o_empathy_attendee mb-2'><strong>%s</strong>%s</div>")
                % (partner.display_name, compact[partner])
                for partner in event.partner_ids
                if partner in compact
            ]
            event.empathy_briefing = Markup("").join(blocks) if blocks else False
