# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tours: the briefing where the salesperson acts (pipeline, dialog,
composer, calendar, handover, activity popover, phone)."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import tagged

from .common import EmpathyStoryTourCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestBriefingTours(EmpathyStoryTourCommon):
    def test_pipeline_tour(self):
        self.assertEqual(self.partner.empathy_mood_trend, "declining")
        self.start_tour("/odoo/crm", "empathic_crm_pipeline_tour", login="admin")

    def test_activity_popover_tour(self):
        self._schedule_call(self.lead)
        self.start_tour("/odoo/crm", "empathic_crm_activity_popover_tour", login="admin")

    def test_dialog_briefing_tour(self):
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_dialog_briefing_tour")
        self.assertActivityDone(activity)

    def test_dialog_phone_tour(self):
        activity = self._schedule_call()
        self.browser_size = "390x844"
        self.touch_enabled = True
        self._contact_tour("empathic_crm_dialog_phone_tour")
        self.assertActivityDone(activity)

    def test_composer_hint_tour(self):
        self._contact_tour("empathic_crm_composer_hint_tour")
        message = self.partner.message_ids.filtered(lambda m: "Aloha Jonas" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertNotIn("Emotion-oriented", str(message.body))

    def test_calendar_tour(self):
        event = self.env["calendar.event"].create(
            {
                "name": "Fitting",
                "start": datetime.now() + timedelta(days=1),
                "stop": datetime.now() + timedelta(days=1, hours=1),
                "partner_ids": [Command.set((self.partner | self.admin.partner_id).ids)],
            }
        )
        self.start_tour(
            f"/odoo/action-calendar.action_calendar_event/{event.id}",
            "empathic_crm_calendar_tour",
            login="admin",
        )

    def test_handover_tour(self):
        self._contact_tour("empathic_crm_handover_tour")
        self.assertEqual(self.partner.user_id, self.ben)
        todo = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.partner.id)]
        )
        self.assertEqual(todo.user_id, self.ben)
        self.assertTrue(todo.empathy_handover)
