# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The Schedule Activity dialog's *Mark as Done* buttons: through the gate."""

from odoo import models


class MailActivitySchedule(models.TransientModel):
    _inherit = "mail.activity.schedule"

    def action_schedule_activities_done(self):
        return self.env["mail.activity"]._empathy_follow_gate(
            super().action_schedule_activities_done
        )

    def action_schedule_activities_done_and_schedule(self):
        return self.env["mail.activity"]._empathy_follow_gate(
            super().action_schedule_activities_done_and_schedule, schedule_next=True
        )
