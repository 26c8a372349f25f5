# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Silent customers: the ready re-activation mailing, a fact and a story version.

Needs the versions of ``mailing_mailing_versions.py`` (``empathy_version``,
``empathy_version_mailing_id``, ``action_empathy_story_version``)."""

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged

from odoo.addons.empathic_crm.tests.common import EmpathyWorld


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestReactivation(EmpathyWorld, TransactionCase):
    def test_reactivation_mailing_fact_and_story(self):
        Mailing = self.env["mailing.mailing"]
        action = Mailing.action_empathy_reactivation()
        fact = Mailing.browse(action["res_id"])
        story = fact.empathy_version_mailing_id
        self.assertEqual(fact.empathy_version, "factual")
        self.assertEqual(story.empathy_version, "emotional")
        self.assertEqual(story.empathy_version_mailing_id, fact)
        for mailing in fact | story:
            self.assertEqual(mailing.state, "draft")
            self.assertEqual(mailing.mailing_model_real, "res.partner")
            self.assertIn("empathy_silent", mailing.mailing_domain)
            self.assertEqual(mailing.campaign_id, fact.campaign_id)
        self.assertTrue(fact.campaign_id)
        self.assertIn("What is new since your last order", fact.body_html)
        self.assertIn("We have missed you", story.body_html)
        self.assertNotEqual(fact.subject, story.subject)

    def test_reactivation_reaches_the_silent_customers(self):
        Partner = self.env["res.partner"]
        silent = Partner.create({"name": "Quiet Quentin", "email": "quentin@example.com"})
        loud = Partner.create({"name": "Loud Lisa", "email": "lisa@example.com"})
        product = self._create_product("Running shirt", 30.0)
        for partner in silent | loud:
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": product.id, "price_unit": 30})],
                }
            )
            order.action_confirm()
            order.date_order = fields.Datetime.now() - relativedelta(months=3)
        loud.message_post(body="Any news?", author_id=loud.id, message_type="comment")
        Partner._empathy_compute_silent()
        self.assertTrue(silent.empathy_silent)
        self.assertFalse(loud.empathy_silent)
        Mailing = self.env["mailing.mailing"]
        fact = Mailing.browse(Mailing.action_empathy_reactivation()["res_id"])
        recipients = set(fact._get_recipients()) | set(
            fact.empathy_version_mailing_id._get_recipients()
        )
        self.assertIn(silent.id, recipients)
        self.assertNotIn(loud.id, recipients)

    def test_reactivation_texts_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        Mailing = self.env["mailing.mailing"].with_context(lang="de_DE")
        fact = Mailing.browse(Mailing.action_empathy_reactivation()["res_id"])
        self.assertTrue(fact.subject)
