# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Calendar events: the briefing of the attendees who are customers."""

from odoo import api, fields, models

from ..tools.briefing import render, render_briefing
from ..tools.groups import EMPATHY_USER_GROUP


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    # the attendees' compact briefings (templates ``briefing_compact_named`` and
    # ``briefing_compact``, which escape every value: nothing to sanitise)
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
        compact = customers._empathy_briefing_data(compact=True) if customers else {}
        html = {partner: render_briefing(self.env, data) for partner, data in compact.items()}
        for event in self:
            briefings = [
                {"name": partner.display_name, "html": html[partner]}
                for partner in event.partner_ids
                if partner in compact
            ]
            event.empathy_briefing = (
                render(
                    self.env, "briefing_compact_named", briefings=briefings, boxed=True, named=True
                )
                if briefings
                else False
            )
