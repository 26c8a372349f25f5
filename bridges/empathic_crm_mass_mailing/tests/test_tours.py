# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tour: the marketer's path, from a new mailing to the report by kind."""

import email

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import MockSmtplibCase

from .common import MailingEmpathyWorld, sent_trace

TOUR = "empathic_crm_mass_mailing_marketer_tour"
SUBJECT = "Hawaii marathon season"
STORY_SUBJECT = "Hawaii marathon season: your finish line in Kona"
FACTS = "Kona marathon kit: 240 g shoes, 2 shirts, 15% off until March 31."
STORY = "Imagine the finish line in Kona, the ocean breeze after 42 km: we got you ready."


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestMarketerTour(MailingEmpathyWorld, MockSmtplibCase, HttpCase):
    """Mara, an Email Marketing user with *Empathy: Marketing*, writes one campaign in
    two versions; an earlier campaign was sent, so the report has rows."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._setup_companies("Tour Company B")
        cls._create_mailing_users("mmtour")
        cls._create_kind_partners()
        cls._send_earlier_campaign()

    @classmethod
    def _send_earlier_campaign(cls):
        """A sent pair "Spring run": Fiona clicked the facts, Emil replied to the story
        (traces as Odoo's sending creates them; the bridge notes their kinds)."""
        campaign = cls.env["utm.campaign"].create({"name": "Spring run"})
        fact = cls._create_mailing(
            [("id", "in", cls.partners.ids)], subject="Spring run", campaign_id=campaign.id
        )
        fact.action_empathy_story_version()
        story = fact.empathy_version_mailing_id
        (fact | story).sudo().write({"state": "done", "sent_date": fields.Datetime.now()})
        for mailing, partner, response in (
            (fact, cls.partner_factual, "set_clicked"),
            (story, cls.partner_emotional, "set_replied"),
        ):
            trace = sent_trace(cls.env, mailing, partner)
            getattr(trace, response)()

    def _tour_mailings(self):
        """Return (fact version, story version) of the tour's mailing."""
        fact = self.env["mailing.mailing"].search([("subject", "=", SUBJECT)])
        self.assertEqual(len(fact), 1)
        self.assertEqual(fact.empathy_version, "factual")
        return fact, fact.empathy_version_mailing_id

    def test_marketer_tour(self):
        """Create a mailing, pick the recipients by motive, write the fact and the story
        version in Odoo's editor, see who gets which, test both, see the report."""
        marketer = self.user_marketer
        # a long path (two editors, a test mail, a report): more than the default minute
        with self.mock_smtplib_connection():
            self.start_tour(
                "/odoo/action-mass_mailing.mailing_mailing_action_mail",
                TOUR,
                login=marketer.login,
                timeout=300,
            )
        fact, story = self._tour_mailings()
        self.assertEqual(story.empathy_version, "emotional")
        self.assertEqual(story.subject, STORY_SUBJECT, "each version has its own subject")
        self.assertEqual(fact.empathy_version_mailing_id, story)
        self.assertEqual(story.empathy_version_mailing_id, fact)
        self.assertEqual((fact | story).create_uid, marketer)
        self.assertEqual(set((fact | story).mapped("state")), {"draft"}, "only tested")
        # the recipients: by the motive, the same for both versions
        self.assertEqual(fact.mailing_model_real, "res.partner")
        self.assertEqual(fact.with_user(marketer).empathy_motive_ids, self.motive_marathon)
        self.assertEqual(story.mailing_domain, fact.mailing_domain)
        # each version's text, written in the editor, is the one sent
        for field in ("body_arch", "body_html"):
            self.assertIn(FACTS, fact[field])
            self.assertNotIn(STORY, fact[field])
            self.assertIn(STORY, story[field], field)
            self.assertNotIn(FACTS, story[field])
        # each recipient gets exactly one: facts for Fiona, the story for Emil, no one
        # who objects (Olga) or of the other company (Bea)
        self.assertEqual(fact._get_recipients(), self.partner_factual.ids)
        self.assertEqual(story._get_recipients(), self.partner_emotional.ids)
        # Test sent the marketer one mail of each version, each saying which it is
        tests = sorted(
            (message["Subject"], self._text(message))
            for message in map(email.message_from_string, [e["message"] for e in self.emails])
            if message["To"] and "mara@example.com" in message["To"]
        )
        self.assertEqual(
            [subject for subject, _text in tests],
            [f"[TEST] {SUBJECT}", f"[TEST] {STORY_SUBJECT}"],
        )
        texts = [text for _subject, text in tests]
        self.assertEqual(
            sorted(("Test of the Fact version" in text, FACTS in text) for text in texts),
            [(False, False), (True, True)],
        )
        self.assertTrue(any("Test of the Story version" in t and STORY in t for t in texts))
        for mailing in fact | story:
            logged = mailing.message_ids.filtered(
                lambda m: "Test mailing successfully sent to mara@example.com" in str(m.body)
            )
            self.assertEqual(len(logged), 1, mailing.empathy_version)

    @staticmethod
    def _text(message):
        """Return the decoded HTML of a sent mail."""
        return "".join(
            part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            for part in message.walk()
            if part.get_content_type() == "text/html"
        )
