# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tours: the briefing where the salesperson acts (pipeline, dialog,
composer, calendar, handover, activity popover, phone)."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import EmpathyTourCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestBriefingTours(EmpathyTourCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ben = new_test_user(
            cls.env, login="emp_ben_best", name="Ben Best", groups="sales_team.group_sale_salesman"
        )
        cls.partner = cls._create_hawaii_runner(
            email="jonas.keller@example.com",
            user_id=cls.admin.id,
            empathy_communication_style="emotional",
            empathy_temperament="easy",
            empathy_personal_notes="Favourite book: Born to Run.",
        )
        now = datetime.now().replace(microsecond=0)
        # Ben clicks best; the mood declines over the last contacts (Admin's)
        rows = [(cls.ben, 5, 2, 60), (cls.ben, 5, 2, 50), (cls.ben, 5, 2, 40)]
        rows += [(cls.admin, 4, -1, 3), (cls.admin, 4, -1, 2), (cls.admin, 4, -1, 1)]
        cls.env["empathy.impression"].create(
            [
                {
                    "partner_id": cls.partner.id,
                    "user_id": user.id,
                    "rapport": rapport,
                    "mood": mood,
                    "date": now - timedelta(days=days),
                    "note": "Talked about Kona",
                }
                for user, rapport, mood, days in rows
            ]
        )
        # fair rapport compares each advisor with their own average: the admin clicks
        # with other customers, Ben less, so that Ben clicks best with Jonas
        others = cls.env["res.partner"].create([{"name": "Other %s" % i} for i in range(3)])
        cls.env["empathy.impression"].create(
            [
                {
                    "partner_id": other.id,
                    "user_id": user.id,
                    "rapport": rapport,
                    "mood": 0,
                    "date": now - timedelta(days=70),
                }
                for other in others
                for user, rapport in ((cls.admin, 5), (cls.ben, 3))
            ]
        )
        cls.env["empathy.rapport"]._empathy_refresh_scales()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Hawaii kit",
                "type": "opportunity",
                "partner_id": cls.partner.id,
                "user_id": cls.admin.id,
            }
        )

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
