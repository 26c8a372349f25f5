# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import gc

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import EmpathyCommon

EXTERNAL = "/jsonrpc"


@tagged("post_install", "-at_install", "empathic_crm")
class TestGate(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Hawaii shoes",
                "partner_id": cls.runner.id,
                "type": "opportunity",
                "user_id": cls.user_sales.id,
            }
        )

    def _assert_wizard_action(self, action, activities):
        self.assertIsInstance(action, dict)
        self.assertEqual(action["res_model"], "empathy.impression.wizard")
        self.assertEqual(action["target"], "new")
        self.assertEqual(action["context"]["default_activity_ids"], activities.ids)

    def _confirm(self, action, rapport="4", mood="1", schedule_next=False, **values):
        wizard_form = Form(
            self.env["empathy.impression.wizard"]
            .with_user(self.user_sales)
            .with_context(**action["context"])
        )
        wizard_form.rapport = rapport
        wizard_form.mood = mood
        for name, value in values.items():
            setattr(wizard_form, name, value)
        wizard = wizard_form.save()
        with self.web_request():
            if schedule_next:
                return wizard.action_confirm_schedule_next()
            return wizard.action_confirm()

    # -- paths of the web client --------------------------------------------
    def test_mark_done_opens_wizard_then_completes(self):
        activity = self._activity(self.runner)
        with self.web_request():
            action = activity.action_feedback(feedback="Talked about the heat in Kona")
        self._assert_wizard_action(action, activity)
        self.assertTrue(
            activity.exists(), "the activity stays open until the impression is confirmed"
        )
        self.assertEqual(action["context"]["default_feedback"], "Talked about the heat in Kona")

        result = self._confirm(
            action, motive_ids=self.motive_gift, note="He wants a gift for his coach"
        )
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        self.assertFalse(activity.exists())
        impression = self.runner.empathy_impression_ids
        self.assertEqual(len(impression), 1)
        self.assertEqual(
            (impression.rapport, impression.mood, impression.channel, impression.user_id),
            (4, 1, "phone", self.user_sales),
        )
        self.assertEqual(impression.summary, "Call about the Hawaii trip")
        self.assertEqual((impression.res_model, impression.res_id), ("res.partner", self.runner.id))
        self.assertIn(self.motive_gift, self.runner.empathy_motive_ids)
        done_message = self.runner.message_ids[0]
        self.assertIn("Talked about the heat in Kona", str(done_message.body))
        self.assertEqual(done_message.subtype_id, self.env.ref("mail.mt_activities"))

    def test_action_done_and_redirect_paths(self):
        for method in ("action_done", "action_done_redirect_to_other"):
            with self.subTest(method=method):
                activity = self._activity(self.lead)
                with self.web_request("/web/dataset/call_button"):
                    action = getattr(activity, method)()
                self._assert_wizard_action(action, activity)
                self.assertTrue(activity.exists())
                activity.unlink()

    def test_done_schedule_next(self):
        activity = self._activity(self.lead)
        with self.web_request():
            action = activity.action_feedback_schedule_next(feedback="ok")
        self._assert_wizard_action(action, activity)
        self.assertTrue(action["context"]["default_schedule_next"])
        result = self._confirm(action, schedule_next=True)
        self.assertEqual(result["res_model"], "mail.activity")
        self.assertEqual(result["context"]["default_res_model"], "crm.lead")
        self.assertEqual(result["context"]["default_res_id"], self.lead.id)
        self.assertFalse(activity.exists())
        self.assertEqual(len(self.runner.empathy_impression_ids), 1)

    def test_schedule_dialog_done_buttons(self):
        for method in (
            "action_schedule_activities_done",
            "action_schedule_activities_done_and_schedule",
        ):
            with self.subTest(method=method):
                schedule = (
                    self.env["mail.activity.schedule"]
                    .with_user(self.user_sales)
                    .with_context(active_model="crm.lead", active_ids=self.lead.ids)
                    .create({"activity_type_id": self.meeting_type.id, "summary": "Fitting"})
                )
                with self.web_request("/web/dataset/call_button"):
                    action = getattr(schedule, method)()
                self.assertEqual(action["res_model"], "empathy.impression.wizard")
                activity = self.env["mail.activity"].browse(
                    action["context"]["default_activity_ids"]
                )
                self.assertEqual(activity.summary, "Fitting")
                self.assertEqual(
                    action["context"]["default_schedule_next"], method.endswith("schedule")
                )
                result = self._confirm(action)
                self.assertFalse(activity.exists())
                if method.endswith("schedule"):
                    self.assertEqual(result["res_model"], "mail.activity")
                else:
                    self.assertEqual(result, {"type": "ir.actions.act_window_close"})

    def test_cancel_keeps_activity(self):
        activity = self._activity(self.runner)
        with self.web_request():
            action = activity.action_feedback()
        wizard = Form(
            self.env["empathy.impression.wizard"]
            .with_user(self.user_sales)
            .with_context(**action["context"])
        )
        wizard.rapport = "5"
        # the dialog is closed without confirming: nothing happens
        self.assertTrue(activity.exists())
        self.assertFalse(self.runner.empathy_impression_ids)

    def test_confirm_requires_rapport_and_mood(self):
        activity = self._activity(self.runner)
        wizard = self._open_dialog(activity)
        with self.assertRaisesRegex(UserError, "rate the rapport"):
            wizard.action_confirm()
        wizard.rapport = "3"
        with self.assertRaisesRegex(UserError, "mood"):
            wizard.action_confirm()
        self.assertTrue(activity.exists())

    def test_defaults_from_previous_impression(self):
        self._impression(
            self.runner, user=self.user_sales, rapport=2, mood=-1, communication_style="mixed"
        )
        activity = self._activity(self.runner, activity_type=self.meeting_type)
        with self.web_request():
            action = activity.action_feedback()
        wizard = Form(
            self.env["empathy.impression.wizard"]
            .with_user(self.user_sales)
            .with_context(**action["context"])
        )
        # no silent pre-fill of rapport and mood: an explicit "Same as last time"
        self.assertEqual((wizard.rapport, wizard.mood), ("0", False))
        self.assertEqual(wizard.last_impression_label, "(1 Jun: ★★, Unhappy)")
        self.assertEqual(wizard.communication_style, "mixed")
        self.assertEqual(wizard.channel, "meeting")
        record = wizard.save()
        action = record.action_same_as_last_time()
        self.assertEqual((action["res_model"], action["res_id"]), (record._name, record.id))
        self.assertEqual((record.rapport, record.mood), ("2", "-1"))
        with self.web_request():
            record.action_confirm()
        self.assertEqual(self.runner.empathy_impression_ids.mapped("rapport"), [2, 2])
        self.assertFalse(activity.exists())

    def test_several_activities_one_impression_per_partner(self):
        lead2 = self.env["crm.lead"].create(
            {"name": "Second", "partner_id": self.runner.id, "user_id": self.user_sales.id}
        )
        lead3 = self.env["crm.lead"].create(
            {"name": "Third", "partner_id": self.buyer.id, "user_id": self.user_sales.id}
        )
        todo = self._activity(self.plain, activity_type=self.todo_type)
        activities = (
            self._activity(self.lead) | self._activity(lead2) | self._activity(lead3) | todo
        )
        with self.web_request():
            action = activities.action_feedback()
        self.assertEqual(
            set(action["context"]["default_activity_ids"]), set((activities - todo).ids)
        )
        self._confirm(action)
        self.assertEqual(len(self.runner.empathy_impression_ids), 1)
        self.assertEqual(len(self.buyer.empathy_impression_ids), 1)
        self.assertFalse((activities - todo).exists())

    def test_several_activities_done_and_schedule_next(self):
        lead2 = self.env["crm.lead"].create(
            {"name": "Second", "partner_id": self.buyer.id, "user_id": self.user_sales.id}
        )
        leads = self.lead | lead2
        schedule = (
            self.env["mail.activity.schedule"]
            .with_user(self.user_sales)
            .with_context(active_model="crm.lead", active_ids=leads.ids)
            .create({"activity_type_id": self.call_type.id, "summary": "Batch call"})
        )
        with self.web_request("/web/dataset/call_button"):
            action = schedule.action_schedule_activities_done_and_schedule()
        activities = self.env["mail.activity"].browse(action["context"]["default_activity_ids"])
        self.assertEqual(len(activities), 2)
        result = self._confirm(action, schedule_next=True)
        self.assertFalse(activities.exists())
        self.assertEqual(len(self.runner.empathy_impression_ids), 1)
        self.assertEqual(len(self.buyer.empathy_impression_ids), 1)
        self.assertEqual(result["res_model"], "mail.activity.schedule")
        self.assertEqual(result["context"]["default_res_model"], "crm.lead")
        self.assertEqual(result["context"]["default_res_ids"], str(sorted((self.lead | lead2).ids)))
        schedule = (
            self.env["mail.activity.schedule"]
            .with_user(self.user_sales)
            .with_context(**result["context"])
            .create({})
        )
        self.assertEqual(schedule._get_applied_on_records(), self.lead | lead2)

    def test_ungated_activities_complete_as_in_core(self):
        todo = self._activity(self.runner, activity_type=self.todo_type)
        no_partner = self._activity(
            self.env["crm.lead"].create({"name": "Anonymous lead", "user_id": self.user_sales.id})
        )
        with self.web_request():
            self.assertIsInstance(todo.action_feedback(feedback="done"), int)
            self.assertIsInstance(no_partner.action_feedback(), int)
        self.assertFalse((todo | no_partner).exists())
        self.assertFalse(self.runner.empathy_impression_ids)

    def test_users_without_empathy_access_are_not_gated(self):
        user = self.user_internal
        user.groups_id += self.env.ref("base.group_partner_manager")
        activity = self._activity(self.plain, user=user)
        with self.web_request():
            self.assertIsInstance(activity.action_feedback(), int)
        self.assertFalse(activity.exists())

    def test_objecting_partner_completes_without_impression(self):
        self.runner.empathy_objection = True
        activity = self._activity(self.runner)
        wizard = self._open_dialog(activity)
        self.assertTrue(wizard.objection_only)
        self.assertEqual(wizard.objecting_partner_ids, self.runner)
        with self.web_request():
            wizard.action_confirm()
        self.assertFalse(activity.exists())
        self.assertFalse(self.runner.sudo().empathy_impression_ids)

    # -- external API and automation ------------------------------------------
    def test_external_api_gets_clear_error(self):
        activity = self._activity(self.runner)
        for method in ("action_done", "action_feedback", "action_feedback_schedule_next"):
            with self.subTest(method=method), self.web_request(EXTERNAL):
                with self.assertRaisesRegex(
                    UserError,
                    r"action_feedback_with_impression\(impression_values, feedback=False\)",
                ):
                    getattr(activity, method)()
        self.assertTrue(activity.exists())

    def test_action_feedback_with_impression(self):
        activity = self._activity(self.lead)
        with self.web_request(EXTERNAL):
            ids = activity.action_feedback_with_impression(
                {"rapport": 5, "mood": 2, "note": "Fair talk", "motive_ids": self.motive_gift.ids},
                feedback="Met at the fair",
            )
        impression = self.env["empathy.impression"].browse(ids)
        self.assertEqual(
            (impression.partner_id, impression.rapport, impression.mood), (self.runner, 5, 2)
        )
        self.assertEqual(impression.res_model, "crm.lead")
        self.assertFalse(activity.exists())
        self.assertIn("Met at the fair", str(self.lead.message_ids[0].body))

    def test_action_feedback_with_impression_bad_input(self):
        activity = self._activity(self.runner)
        with self.web_request(EXTERNAL):
            for values, message in (
                ({"rapport": 4}, "Missing impression values: mood"),
                ({"rapport": 4, "mood": 0, "user_id": 1}, "Unknown impression values: user_id"),
                ([4, 1], "must be a dictionary"),
            ):
                with self.subTest(values=values), self.assertRaisesRegex(UserError, message):
                    activity.action_feedback_with_impression(values)
            with self.assertRaisesRegex(UserError, "rapport must be between 1 and 5"):
                activity.action_feedback_with_impression({"rapport": 9, "mood": 0})
        self.assertTrue(activity.exists())
        self.assertFalse(self.runner.empathy_impression_ids)

    def test_automation_passes(self):
        activity = self._activity(self.lead)
        with self.web_request("/web/dataset/call_button"):
            self.assertTrue(
                self.lead.activity_feedback(["mail.mail_activity_data_call"], feedback="auto")
            )
        self.assertFalse(activity.exists())
        self.assertFalse(self.runner.empathy_impression_ids)

    def test_no_request_passes(self):
        """Cron jobs and server code (no HTTP request) complete as in core."""
        activity = self._activity(self.runner)
        self.assertIsInstance(activity.action_feedback(), int)
        self.assertFalse(activity.exists())

    def test_confirm_query_count(self):
        # warm-up: the same path once, so that registry caches do not count
        warmup = self._open_dialog(self._activity(self.buyer), rapport="3", mood="0")
        with self.web_request():
            warmup.action_confirm()
        self._impression(self.runner, user=self.user_sales)
        activity = self._activity(self.runner)
        wizard = self._open_dialog(activity, rapport="4", mood="1")
        self.env.flush_all()
        self.env.invalidate_all()
        gc.collect()  # environments of earlier tests must not be cleaned up inside
        # 32: one of them reads the advisor's rating scale for the fair rapport
        with self.web_request(), self.assertQueryCount(32):
            wizard.action_confirm()
        self.assertFalse(activity.exists())
