# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from odoo.addons.empathic_crm.models import empathy_gate
from odoo.addons.mail.tests.common import mail_new_test_user


class ActivityAsserts:
    """Completion asserted by the activity's state, not by its deletion.

    Core deletes a done activity unless its type keeps done activities (archived, state
    ``done``); OCA ``mail_activity_done`` makes every type keep them.
    """

    def assertActivityDone(self, activities, msg=None):
        kept = activities.exists().with_context(active_test=False)
        self.assertEqual(set(kept.mapped("state")) - {"done"}, set(), msg)
        self.assertFalse(kept.filtered("active"), msg)

    def assertActivityOpen(self, activities, msg=None):
        self.assertEqual(len(activities.exists()), len(activities), msg)
        self.assertTrue(all(activities.mapped("active")), msg)
        self.assertNotIn("done", activities.mapped("state"), msg)


class EmpathyCommon(ActivityAsserts, TransactionCase):
    """Users per role and the marathon/Hawaii story, shared by the test classes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, no_reset_password=True)
        )
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Empathy Company B"})
        cls.user_sales = mail_new_test_user(
            cls.env, login="emp_sales", name="Sally Sales", groups="sales_team.group_sale_salesman"
        )
        cls.user_sales2 = mail_new_test_user(
            cls.env, login="emp_sales2", name="Sam Second", groups="sales_team.group_sale_salesman"
        )
        cls.user_manager = mail_new_test_user(
            cls.env, login="emp_manager", name="Mia Manager", groups="sales_team.group_sale_manager"
        )
        cls.user_sales_b = mail_new_test_user(
            cls.env,
            login="emp_sales_b",
            name="Bob B",
            groups="sales_team.group_sale_salesman",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.user_internal = new_test_user(cls.env, login="emp_internal", groups="base.group_user")
        cls.user_portal = new_test_user(cls.env, login="emp_portal", groups="base.group_portal")
        cls.user_public = cls.env.ref("base.public_user")

        cls.motive_marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.motive_hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        cls.motive_gift = cls.env.ref("empathic_crm.motive_gift")
        cls.value_sustainability = cls.env.ref("empathic_crm.value_sustainability")
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        cls.meeting_type = cls.env.ref("mail.mail_activity_data_meeting")
        cls.email_type = cls.env.ref("mail.mail_activity_data_email")
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")

        cls.runner = cls.env["res.partner"].create(
            {
                "name": "Jonas Keller",
                "email": "jonas@example.com",
                "empathy_motive_ids": [(6, 0, (cls.motive_marathon | cls.motive_hawaii).ids)],
                "empathy_value_ids": [(6, 0, cls.value_sustainability.ids)],
                "empathy_communication_style": "emotional",
                "empathy_temperament": "easy",
                "empathy_preferred_channel": "phone",
                "empathy_why": "Runs the Honolulu Marathon in December.",
                "empathy_personal_notes": "Favourite book: Born to Run.",
            }
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Petra Schmidt", "empathy_communication_style": "factual"}
        )
        cls.plain = cls.env["res.partner"].create({"name": "Plain Customer"})

    # helpers ----------------------------------------------------------------
    @classmethod
    def _impression(cls, partner, user=None, days_ago=0, rapport=4, mood=1, **kw):
        vals = {
            "partner_id": partner.id,
            "user_id": (user or cls.user_sales).id,
            "date": datetime(2026, 6, 1, 12, 0) - timedelta(days=days_ago),
            "rapport": rapport,
            "mood": mood,
        }
        vals.update(kw)
        return cls.env["empathy.impression"].create(vals)

    def _activity(self, record, activity_type=None, user=None, **kw):
        return (
            record.with_user(user or self.user_sales)
            .activity_schedule(
                activity_type_id=(activity_type or self.call_type).id,
                user_id=(user or self.user_sales).id,
                summary=kw.pop("summary", "Call about the Hawaii trip"),
                **kw,
            )
            .with_user(user or self.user_sales)
        )

    def _open_dialog(self, activities, user=None, **values):
        """Mark ``activities`` done in the web client; return the impression dialog record."""
        with self.web_request():
            action = activities.action_feedback()
        return (
            self.env["empathy.impression.wizard"]
            .with_user(user or self.user_sales)
            .with_context(**action["context"])
            .create(values)
        )

    @contextmanager
    def web_request(self, path="/web/dataset/call_kw/mail.activity/action_feedback"):
        """Serve the block as if inside an HTTP request to ``path``.

        The gate decides between web client, external API and automation by the
        request being served; tests outside HttpCase have none.
        """
        with patch.object(empathy_gate, "serving_request", lambda: path):
            yield
