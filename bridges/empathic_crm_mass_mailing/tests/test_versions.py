# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""One campaign, the right words for each person: the fact and the story version."""

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from odoo.addons.empathic_crm.tools import compat
from odoo.addons.mass_mailing.tests.common import MassMailCommon

from ..tools.groups import MARKETING_GROUP

FACTS = "FACTS: 42.195 km, three layers, 180 g"
STORY = "STORY: the sunrise over Kona at mile 20"


class VersionsCase(MassMailCommon):
    """Five contacts, one of each kind, and a mailing to them (no versions yet)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, no_reset_password=True))
        # the marketer of mass_mailing's tests, allowed to speak each kind
        cls.user_marketing.write(
            {compat.user_groups_field(): [Command.link(cls.env.ref(MARKETING_GROUP).id)]}
        )
        Partner = cls.env["res.partner"]
        cls.fact = Partner.create(
            {
                "name": "Fiona Fact",
                "email": "fiona@example.com",
                "empathy_communication_style": "factual",
            }
        )
        cls.story = Partner.create(
            {
                "name": "Eli Emotion",
                "email": "eli@example.com",
                "empathy_communication_style": "emotional",
            }
        )
        cls.mixed = Partner.create(
            {
                "name": "Max Mixed",
                "email": "max@example.com",
                "empathy_communication_style": "mixed",
            }
        )
        cls.unknown = Partner.create({"name": "Uma Unknown", "email": "uma@example.com"})
        cls.objecting = Partner.create(
            {
                "name": "Otto Objecting",
                "email": "otto@example.com",
                "empathy_communication_style": "emotional",
            }
        )
        cls.objecting.empathy_objection = True
        cls.partners = cls.fact | cls.story | cls.mixed | cls.unknown | cls.objecting
        cls.campaign = cls.env["utm.campaign"].create({"name": "Spring run"})

    def _mailing(self, partners=None, **values):
        return (
            self.env["mailing.mailing"]
            .with_user(self.user_marketing)
            .create(
                {
                    "name": "Spring run",
                    "subject": "Spring run",
                    "body_html": f"<p>{FACTS}</p>",
                    "campaign_id": self.campaign.id,
                    "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "mailing_domain": repr([("id", "in", (partners or self.partners).ids)]),
                    **values,
                }
            )
        )

    def _versions(self, partners=None, **values):
        fact = self._mailing(partners, **values)
        action = fact.action_empathy_story_version()
        story = fact.empathy_version_mailing_id
        self.assertEqual(action["res_id"], story.id)
        story.body_html = f"<p>{STORY}</p>"
        return fact, story

    def _send(self, mailing):
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        return self._sent_bodies()

    def _run_queue(self):
        """Run the mailing queue as its scheduled action does."""
        compat.run_cron_now(self, self.env.ref("mass_mailing.ir_cron_mass_mailing_queue").sudo())

    def _sent_bodies(self):
        """Return {partner: [bodies of the mails sent to them]}."""
        sent = {}
        for mail in self._mails:
            for partner in self.partners:
                if any(partner.email in address for address in mail["email_to"]):
                    sent.setdefault(partner, []).append(mail["body"])
        return sent


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestVersions(VersionsCase):
    def test_story_version_is_a_linked_copy(self):
        fact = self._mailing(empathy_mixed_mode="emotional")
        action = fact.action_empathy_story_version()
        story = fact.empathy_version_mailing_id
        self.assertEqual(
            (action["res_model"], action["res_id"], action["view_mode"]),
            ("mailing.mailing", story.id, "form"),
            "the story version opens in Odoo's own mailing editor",
        )
        self.assertEqual((fact.empathy_version, story.empathy_version), ("factual", "emotional"))
        self.assertEqual(story.empathy_version_mailing_id, fact)
        self.assertEqual(story.campaign_id, self.campaign)
        self.assertEqual(story.mailing_domain, fact.mailing_domain)
        self.assertEqual(story.empathy_mixed_mode, "emotional")
        # asked again (on either): opens the same one
        self.assertEqual(fact.action_empathy_story_version()["res_id"], story.id)
        self.assertEqual(story.action_empathy_open_other_version()["res_id"], fact.id)
        self.assertEqual(len(self.campaign.mailing_mail_ids), 2)
        # a duplicate of a version is a mailing of its own
        self.assertFalse(fact.copy().empathy_version_mailing_id)

    def test_recipients_and_settings_edited_once(self):
        fact, story = self._versions()
        fact.mailing_domain = repr([("id", "in", (self.fact | self.story).ids)])
        self.assertEqual(story.mailing_domain, fact.mailing_domain)
        story.write({"empathy_mixed_mode": "split", "empathy_channel_mode": "both"})
        self.assertEqual((fact.empathy_mixed_mode, fact.empathy_channel_mode), ("split", "both"))
        other_campaign = self.env["utm.campaign"].create({"name": "Summer"})
        fact.campaign_id = other_campaign
        self.assertEqual(story.campaign_id, other_campaign)

    def test_each_contact_gets_the_version_of_their_style(self):
        fact, story = self._versions()  # mixed, unknown, objecting: the facts (default)
        self.assertEqual(
            set(fact._get_recipients()),
            set((self.fact | self.mixed | self.unknown | self.objecting).ids),
        )
        self.assertEqual(story._get_recipients(), self.story.ids)
        sent = self._send(fact)
        self.assertEqual(set(sent), set(self.partners), "sending one version sends both")
        for partner, bodies in sent.items():
            self.assertEqual(len(bodies), 1, f"{partner.name} gets exactly one mail")
        self.assertIn(FACTS, sent[self.fact][0])
        self.assertNotIn(STORY, sent[self.fact][0])
        self.assertIn(STORY, sent[self.story][0])
        self.assertNotIn(FACTS, sent[self.story][0])
        for partner in self.mixed | self.unknown | self.objecting:
            self.assertIn(FACTS, sent[partner][0])
        self.assertEqual((fact.state, story.state), ("done", "done"))
        # the traces say which version each got (the report reads them)
        traces = self.env["mailing.trace"].search([("mass_mailing_id", "in", (fact | story).ids)])
        self.assertEqual(
            {(t.res_id, t.mass_mailing_id) for t in traces},
            {(p.id, story if p == self.story else fact) for p in self.partners},
        )
        # sent again: nobody gets a second mail
        self.assertFalse(fact._get_remaining_recipients())
        self.assertFalse(story._get_remaining_recipients())

    def test_mixed_mode_story(self):
        _fact, story = self._versions(empathy_mixed_mode="emotional")
        sent = self._send(story)
        self.assertIn(FACTS, sent[self.fact][0])
        for partner in self.story | self.mixed | self.unknown | self.objecting:
            self.assertEqual(len(sent[partner]), 1)
            self.assertIn(STORY, sent[partner][0])

    def test_split_is_half_and_half_and_deterministic(self):
        unknowns = self.env["res.partner"].create(
            [{"name": f"Unknown {i}", "email": f"unknown{i}@example.com"} for i in range(10)]
        )
        fact, story = self._versions(partners=unknowns, empathy_mixed_mode="split")
        fact_ids, story_ids = fact._get_recipients(), story._get_recipients()
        self.assertEqual(sorted(fact_ids + story_ids), sorted(unknowns.ids), "each exactly one")
        self.assertEqual((len(fact_ids), len(story_ids)), (5, 5))
        self.assertTrue(all(res_id % 2 == 0 for res_id in fact_ids))
        for _attempt in range(3):
            self.assertEqual(fact._get_recipients(), fact_ids)
            self.assertEqual(story._get_recipients(), story_ids)

    def test_objecting_company_makes_its_people_unknown(self):
        company = self.env["res.partner"].create({"name": "Objecting Ltd", "is_company": True})
        company.empathy_objection = True
        employee = self.env["res.partner"].create(
            {
                "name": "Erin Employee",
                "email": "erin@example.com",
                "parent_id": company.id,
                "empathy_communication_style": "emotional",
            }
        )
        fact, story = self._versions(partners=employee)
        self.assertEqual(fact._get_recipients(), employee.ids)
        self.assertEqual(story._get_recipients(), [])

    def test_version_with_no_recipients_of_its_own(self):
        fact, story = self._versions(partners=self.fact)
        self._send(story)
        self.assertEqual(len(self._mails), 1)
        self.assertEqual((fact.state, story.state), ("done", "done"))

    def test_send_puts_both_in_queue_and_cancel_both(self):
        fact, story = self._versions()
        fact.action_launch()
        self.assertEqual((fact.state, story.state), ("in_queue", "in_queue"))
        story.action_cancel()
        self.assertEqual((fact.state, story.state), ("draft", "draft"))
        with self.mock_mail_gateway(mail_unlink_sent=False):
            story.action_launch()
            self._run_queue()
        self.assertEqual((fact.state, story.state), ("done", "done"))
        self.assertEqual(len(self._mails), len(self.partners))

    def test_counts_for_the_marketer(self):
        fact, story = self._versions()
        fact.invalidate_recordset()
        story.invalidate_recordset()
        self.assertEqual((fact.empathy_recipient_count, fact.empathy_other_recipient_count), (4, 1))
        self.assertEqual(
            (story.empathy_recipient_count, story.empathy_other_recipient_count), (1, 4)
        )
        self.assertEqual(
            fact.empathy_version_summary,
            "4 recipients get the fact version, 1 the story version",
        )
        for partner in self.partners:
            self.assertNotIn(partner.name, fact.empathy_version_summary)

    def test_test_mail_previews_both_versions(self):
        _fact, story = self._versions()
        wizard = Form(
            self.env["mailing.mailing.test"]
            .with_user(self.user_marketing)
            .with_context(default_mass_mailing_id=story.id)
        )
        wizard.email_to = "marketer@example.com"
        with self.mock_mail_gateway(mail_unlink_sent=False):
            wizard.save().send_mail_test()
        self.assertEqual(len(self._mails), 2)
        fact_mail, story_mail = self._mails
        self.assertIn("Test of the Fact version", fact_mail["body"])
        self.assertIn(FACTS, fact_mail["body"])
        self.assertIn("Test of the Story version", story_mail["body"])
        self.assertIn(STORY, story_mail["body"])

    def test_no_ab_test_on_versions(self):
        fact, _story = self._versions()
        with self.assertRaises(ValidationError):
            fact.ab_testing_enabled = True

    def test_unversioned_mailing_unchanged(self):
        mailing = self._mailing()
        self.assertEqual(set(mailing._get_recipients()), set(self.partners.ids))
        sent = self._send(mailing)
        self.assertEqual(set(sent), set(self.partners))
        self.assertTrue(all(FACTS in bodies[0] for bodies in sent.values()))

    def test_marketer_sees_the_page_in_the_mailing_form(self):
        fact, story = self._versions(empathy_mixed_mode="split")
        form = Form(story.with_user(self.user_marketing))
        self.assertEqual(form.empathy_version, "emotional")
        self.assertEqual(form.empathy_version_mailing_id, fact)
        self.assertEqual(form.empathy_mixed_mode, "split")
        self.assertEqual(
            form.empathy_recipient_count + form.empathy_other_recipient_count, len(self.partners)
        )
        form.empathy_channel_mode = "both"
        form.save()
        self.assertEqual(fact.empathy_channel_mode, "both")
