# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tours: the Empathy tab and the impression dialog of the web client."""

from odoo.tests import tagged

from .common import EmpathyTourCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestEmpathyTours(EmpathyTourCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls._create_hawaii_runner(email="jonas.keller@example.com")

    def _impressions(self):
        return self.env["empathy.impression"].search([("partner_id", "=", self.partner.id)])

    def _done_messages(self):
        return self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.partner.id),
                ("mail_activity_type_id", "=", self.call_type.id),
                ("subtype_id", "=", self.env.ref("mail.mt_activities").id),
            ]
        )

    def _assert_completed_with_impression(self, activity):
        self.assertActivityDone(activity, "the confirmed activity must be done")
        impression = self._impressions()
        self.assertEqual(len(impression), 1)
        self.assertEqual(impression.rapport, 4)
        self.assertEqual(impression.mood, 1)
        self.assertEqual(impression.user_id, self.admin)
        self.assertEqual(impression.channel, "phone")
        self.assertEqual(impression.activity_type_id, self.call_type)
        messages = self._done_messages()
        self.assertEqual(len(messages), 1, "the done message must be posted")
        self.assertIn("Discuss the Hawaii trip", str(messages.body))
        return impression, messages

    def test_partner_tab_tour(self):
        self._contact_tour("empathic_crm_partner_tab_tour")

    def test_mark_done_tour(self):
        """4 clicks from the chatter: Mark Done, star, mood, Done."""
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_mark_done_tour")
        self._assert_completed_with_impression(activity)

    def test_inline_validation_tour(self):
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_inline_validation_tour")
        _impression, message = self._assert_completed_with_impression(activity)
        self.assertIn("Talked about the race", str(message.body), "feedback from the dialog")

    def _schedule_todo(self):
        return self.partner.activity_schedule(
            "mail.mail_activity_data_todo", summary="Send the race photos", user_id=self.admin.id
        )

    def test_archive_tour(self):
        activity = self._schedule_call()
        self.start_tour(
            "/odoo/action-mail.mail_activity_action", "empathic_crm_archive_tour", login="admin"
        )
        self._assert_completed_with_impression(activity)

    def test_mixed_selection_tour(self):
        activity = self._schedule_call()
        todo = self._schedule_todo()
        self.start_tour(
            "/odoo/action-mail.mail_activity_action",
            "empathic_crm_mixed_selection_tour",
            login="admin",
        )
        self._assert_completed_with_impression(activity)
        self.assertActivityDone(todo, "the To-Do of the selection is completed too")

    def test_done_schedule_next_tour(self):
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_done_schedule_next_tour")
        self._assert_completed_with_impression(activity)
        # the next activity was discarded in the Schedule Activity dialog
        self.assertFalse(self.partner.activity_ids)

    def test_cancel_impression_tour(self):
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_cancel_impression_tour")
        self.assertActivityOpen(activity, "cancelling the dialog must keep the activity")
        self.assertFalse(self._impressions())
        self.assertFalse(self._done_messages())

    def test_activity_view_tour(self):
        activity = self._schedule_call()
        self.start_tour(
            "/odoo/contacts?view_type=activity", "empathic_crm_activity_view_tour", login="admin"
        )
        self._assert_completed_with_impression(activity)
