# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Each customer on their own channel: calls and visits for the salesperson."""

from unittest.mock import patch

import psycopg2

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.empathic_crm.tools import gate as empathy_gate
from odoo.addons.mail.tests.common import mail_new_test_user

from .test_versions import FACTS, STORY, VersionsCase


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestChannel(VersionsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = mail_new_test_user(
            cls.env,
            login="v_channel_sales",
            name="Sally Seller",
            groups="sales_team.group_sale_salesman",
        )
        Partner = cls.env["res.partner"]
        cls.caller = Partner.create(
            {
                "name": "Paul Phone",
                "email": "paul@example.com",
                "user_id": cls.salesperson.id,
                "empathy_communication_style": "emotional",
                "empathy_preferred_channel": "phone",
            }
        )
        cls.visitor = Partner.create(
            {
                "name": "Vera Visit",
                "email": "vera@example.com",
                "empathy_communication_style": "factual",
                "empathy_preferred_channel": "meeting",
            }
        )
        cls.reader = Partner.create(
            {
                "name": "Rita Reader",
                "email": "rita@example.com",
                "empathy_communication_style": "factual",
                "empathy_preferred_channel": "email",
            }
        )
        cls.objecting_caller = Partner.create(
            {
                "name": "Olaf Objecting",
                "email": "olaf@example.com",
                "user_id": cls.salesperson.id,
                "empathy_preferred_channel": "phone",
            }
        )
        cls.objecting_caller.empathy_objection = True
        cls.partners = cls.caller | cls.visitor | cls.reader | cls.objecting_caller
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        cls.meeting_type = cls.env.ref("mail.mail_activity_data_meeting")

    def _activities(self, mailing=None):
        domain = [("res_model", "=", "res.partner"), ("res_id", "in", self.partners.ids)]
        if mailing:
            domain.append(("empathy_mailing_id", "=", mailing.id))
        else:
            domain.append(("empathy_mailing_id", "!=", False))
        return self.env["mail.activity"].with_context(active_test=False).search(domain)

    def test_activity_mode_calls_instead_of_mails(self):
        fact, story = self._versions(empathy_channel_mode="activity")
        sent = self._send(story)
        self.assertEqual(
            set(sent), set(self.reader | self.objecting_caller), "no mail to phone people"
        )
        self.assertIn(FACTS, sent[self.reader][0])
        activities = self._activities()
        self.assertEqual(len(activities), 2, "one activity per phone / visit person")
        self.assertEqual(activities.empathy_mailing_id, fact, "one per pair: held by the facts")
        call = activities.filtered(lambda a: a.res_id == self.caller.id)
        visit = activities.filtered(lambda a: a.res_id == self.visitor.id)
        self.assertEqual(
            (call.activity_type_id, call.user_id, call.summary),
            (self.call_type, self.salesperson, "Spring run"),
        )
        self.assertEqual(
            (visit.activity_type_id, visit.user_id),
            (self.meeting_type, self.user_marketing),
            "no salesperson: the mailing's responsible",
        )
        note = str(call.note)
        self.assertIn("Spring run", note)
        self.assertIn("by phone", note)
        for word in ("emotional", "factual", "Emotion", "style", "motive"):
            self.assertNotIn(word, note, "no empathy data in the note")
        self.assertEqual(
            fact.empathy_version_summary,
            "2 recipients get the fact version, 0 the story version,"
            " 2 get a call or a visit instead",
        )

    def test_resend_and_second_worker_create_nothing_more(self):
        mailing = self._mailing(empathy_channel_mode="activity")
        self._send(mailing)
        self.assertEqual(len(self._activities(mailing)), 2)
        # the queue runs again (a retry, a second worker): nothing more
        mailing.state = "in_queue"
        with self.mock_mail_gateway(mail_unlink_sent=False):
            self._run_queue()
        self.assertEqual(len(self._activities(mailing)), 2)
        self.assertFalse(self._mails, "the readers had their mail already")
        # done: kept (archived), and still not created again
        call = self._activities(mailing).filtered(lambda a: a.res_id == self.caller.id)
        call._action_done()
        self.assertFalse(call.active)
        mailing._empathy_schedule_activities()
        self.assertEqual(len(self._activities(mailing)), 2)
        # the database refuses a second one, whoever creates it
        with self.assertRaises(psycopg2.errors.UniqueViolation), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.env["mail.activity"].create(
                    mailing._empathy_activity_values(self.caller.id, "phone", self.salesperson.id)
                )

    def test_concurrent_creation_skips_the_other_workers_rows(self):
        mailing = self._mailing(empathy_channel_mode="activity")
        targets = mailing._empathy_activity_targets()
        # another worker created the caller's activity after this one looked
        self.env["mail.activity"].create(
            mailing._empathy_activity_values(self.caller.id, *targets[self.caller.id])
        )
        Activity = type(self.env["mail.activity"])
        search = Activity.search

        def search_before_the_other_worker(records, domain, *args, **kwargs):
            if any(leaf[0] == "empathy_mailing_id" for leaf in domain if len(leaf) == 3):
                return records.browse()
            return search(records, domain, *args, **kwargs)

        with (
            patch.object(Activity, "search", search_before_the_other_worker),
            mute_logger("odoo.sql_db"),
        ):
            mailing._empathy_create_activities(targets)
        self.assertEqual(len(self._activities(mailing)), 2)

    def test_both_mode_mails_and_calls(self):
        mailing = self._mailing(empathy_channel_mode="both")
        sent = self._send(mailing)
        self.assertEqual(set(sent), set(self.partners))
        self.assertEqual(len(self._activities(mailing)), 2)

    def test_mail_mode_no_activity(self):
        fact, _story = self._versions()
        sent = self._send(fact)
        self.assertEqual(set(sent), set(self.partners))
        self.assertIn(STORY, sent[self.caller][0])
        self.assertFalse(self._activities())

    def test_phone_people_only(self):
        mailing = self._mailing(partners=self.caller, empathy_channel_mode="activity")
        sent = self._send(mailing)
        self.assertFalse(sent, "no mail to the customer")
        self.assertEqual(mailing.state, "done")
        # the salesperson hears of it as of any activity assigned to them
        self.assertEqual(
            [mail["email_to"] for mail in self._mails], [[self.salesperson.email_formatted]]
        )
        self.assertEqual(len(self._activities(mailing)), 1)

    def test_completion_asks_for_the_impression(self):
        mailing = self._mailing(empathy_channel_mode="activity")
        self._send(mailing)
        call = self._activities(mailing).filtered(lambda a: a.res_id == self.caller.id)
        call = call.with_user(self.salesperson)
        with patch.object(
            empathy_gate,
            "serving_request",
            lambda: "/web/dataset/call_kw/mail.activity/action_feedback",
        ):
            action = call.action_feedback(feedback="Called him about the spring run")
            self.assertEqual(action["res_model"], "empathy.impression.wizard")
            self.assertEqual(action["context"]["default_activity_ids"], call.ids)
            self.assertTrue(call.active, "open until the impression is confirmed")
            wizard = Form(
                self.env["empathy.impression.wizard"]
                .with_user(self.salesperson)
                .with_context(**action["context"])
            )
            wizard.rapport = "4"
            wizard.mood = "1"
            wizard.save().action_confirm()
        self.assertFalse(call.active)
        impression = self.caller.empathy_impression_ids
        self.assertEqual(len(impression), 1)
        self.assertEqual((impression.user_id, impression.channel), (self.salesperson, "phone"))
