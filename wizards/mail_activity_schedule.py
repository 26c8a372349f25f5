# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The Schedule Activity dialog's *Mark as Done* buttons: through the gate.

*Mark Done* (``action_schedule_activities_done``) on both series; *Done & Schedule
Next* on 18.0 only (``compat.schedule_dialog_done_and_schedule()``): 19.0 offers it in
the activity's *Mark Done* popover, ``mail.activity.action_feedback_schedule_next``,
gated in ``models/mail_activity.py``.
"""

from odoo import models

from ..tools import compat


class MailActivitySchedule(models.TransientModel):
    _inherit = "mail.activity.schedule"

    def action_schedule_activities_done(self):
        return self.env["mail.activity"]._empathy_follow_gate(
            super().action_schedule_activities_done
        )

    if compat.schedule_dialog_done_and_schedule():

        def action_schedule_activities_done_and_schedule(self):
            return self.env["mail.activity"]._empathy_follow_gate(
                super().action_schedule_activities_done_and_schedule, schedule_next=True
            )
