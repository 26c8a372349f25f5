# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Activities a mailing created for a contact who prefers the phone or a visit.

``empathy_mailing_id`` marks them: one per mailing (pair) and contact, enforced by a
unique index, so that a re-send or two workers of the mailing queue never create a
second one. Done, they are archived (as Odoo 19.0 does with every done activity) rather
than deleted, so that the index still knows them when the mailing is sent again.
Their completion passes through the main addon's impression gate like every call.
"""

from odoo import fields, models
from odoo.tools import SQL

#: the unique index: one activity per mailing and document
UNIQUE_INDEX = "mail_activity_empathy_mailing_uniq"


class MailActivity(models.Model):
    _inherit = "mail.activity"

    empathy_mailing_id = fields.Many2one(
        "mailing.mailing",
        string="Created by mailing",
        readonly=True,
        ondelete="set null",
        help="The mailing that asked the salesperson for this call or visit.",
    )

    def init(self):
        res = super().init()
        self.env.cr.execute(
            SQL(
                """CREATE UNIQUE INDEX IF NOT EXISTS %s
                ON mail_activity (empathy_mailing_id, res_model, res_id)
                WHERE empathy_mailing_id IS NOT NULL""",
                SQL.identifier(UNIQUE_INDEX),
            )
        )
        return res

    def _action_done(self, feedback=False, attachment_ids=None):
        return super(
            MailActivity, self.with_context(empathy_keep_mailing_activities=True)
        )._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def unlink(self):
        if self.env.context.get("empathy_keep_mailing_activities"):
            kept = self.filtered("empathy_mailing_id")
            if kept:
                kept.action_archive()
                return super(MailActivity, self - kept).unlink()
        return super().unlink()
