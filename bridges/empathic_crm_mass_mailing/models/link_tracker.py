# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Links tied to a motive: a click in a mailing is evidence of the motive.

A link of a mailing can stand for a purchase motive (``empathy_motive_id``: the
"Hawaii marathon" offer). A recipient who clicks it gains the motive, with motive
evidence of source *Mailing response* and the mailing's campaign, as a campaign
response does for leads (``empathic_crm``'s ``utm_campaign.py``). Nothing for a
person who objects to profiling; a second click on the same mail counts once.
"""

from odoo import api, fields, models

from odoo.addons.empathic_crm.tools.groups import EMPATHY_USER_GROUP


class LinkTracker(models.Model):
    _inherit = "link.tracker"

    empathy_motive_id = fields.Many2one(
        "empathy.motive",
        string="Purchase motive",
        ondelete="set null",
        groups=EMPATHY_USER_GROUP,
        help="Recipients of a mailing who click this link gain this motive"
        " (with the mailing as evidence).",
    )


class LinkTrackerClick(models.Model):
    _inherit = "link.tracker.click"

    @api.model
    def add_click(self, code, **route_values):
        click = super().add_click(code, **route_values)
        if click and click.mailing_trace_id:
            motive = click.sudo().link_id.empathy_motive_id
            if motive:
                trace = click.sudo().mailing_trace_id
                trace._empathy_record_responses("click", motives={trace: motive})
        return click
