# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Server-side completion of activities (``activity_feedback``): past the gate."""

from odoo import models

from ..tools.gate import gate_open


class MailActivityMixin(models.AbstractModel):
    _inherit = "mail.activity.mixin"

    def activity_feedback(self, act_type_xmlids, user_id=None, feedback=None, attachment_ids=None):
        # server-side automation of other modules is not a human contact: no gate
        with gate_open():
            return super().activity_feedback(
                act_type_xmlids, user_id=user_id, feedback=feedback, attachment_ids=attachment_ids
            )
