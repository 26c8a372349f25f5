# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Test of a mailing with a fact and a story version: one test mail per version.

The marketer previews both at once, each test mail marked with its version's name
(``mailing.mailing._prepend_preview``), whichever version they clicked *Test* on.
"""

from odoo import models


class MailingMailingTest(models.TransientModel):
    _inherit = "mailing.mailing.test"

    def send_mail_test(self):
        self.ensure_one()
        mailing = self.mass_mailing_id
        if not mailing._empathy_is_versioned():
            return super().send_mail_test()
        versions = (mailing | mailing.empathy_version_mailing_id).sorted(
            lambda m: m.empathy_version != "factual"
        )
        for version in versions:
            wizard = self if version == mailing else self.copy({"mass_mailing_id": version.id})
            super(
                MailingMailingTest, wizard.with_context(empathy_version_test=True)
            ).send_mail_test()
        return True
