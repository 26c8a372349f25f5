# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestImpression(EmpathyCommon):
    def test_out_of_range_raises_validation_error(self):
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        base = {"partner_id": self.runner.id, "rapport": 3, "mood": 0}
        for vals, message in (
            ({"rapport": 0}, "rapport must be between 1 and 5"),
            ({"rapport": 6}, "rapport must be between 1 and 5"),
            ({"mood": -3}, r"mood must be between -2 and \+2"),
            ({"mood": 3}, r"mood must be between -2 and \+2"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                Impression.create(dict(base, **vals))
        self.assertFalse(Impression.search([("partner_id", "=", self.runner.id)]))

    def test_db_check_constraint(self):
        impression = self._impression(self.runner)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env.cr.execute(
                "UPDATE empathy_impression SET rapport = 9 WHERE id = %s", [impression.id]
            )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE empathy_impression SET mood = -5 WHERE id = %s", [impression.id]
            )

    def test_defaults_and_scale_labels(self):
        impression = (
            self.env["empathy.impression"]
            .with_user(self.user_sales)
            .create({"partner_id": self.plain.id, "rapport": 4, "mood": -1})
        )
        self.assertEqual(impression.user_id, self.user_sales)
        self.assertEqual(impression.company_id, self.company)
        labels = impression.empathy_scale_labels()
        self.assertEqual(dict(labels["rapport"])[impression.rapport], "Good")
        self.assertEqual(dict(labels["mood"])[impression.mood], "Unhappy")
        self.assertEqual(self.plain.empathy_impression_count, 1)

    def test_motives_and_style_applied_to_partner(self):
        self._impression(
            self.plain, motive_ids=[(6, 0, self.motive_gift.ids)], communication_style="factual"
        )
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift)
        self.assertEqual(self.plain.empathy_communication_style, "factual")
        # known motives are kept, not duplicated
        self._impression(
            self.plain, motive_ids=[(6, 0, (self.motive_gift | self.motive_marathon).ids)]
        )
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift | self.motive_marathon)

    def test_objecting_partner_gets_no_impression(self):
        self.plain.empathy_objection = True
        with self.assertRaisesRegex(ValidationError, "objects to profiling"):
            self._impression(self.plain)

    @users("emp_sales2")
    def test_cannot_edit_other_users_impression(self):
        impression = self._impression(self.runner, user=self.user_sales)
        mine = impression.with_user(self.env.user)
        self.assertEqual(mine.rapport, 4)  # reading is allowed in the company
        with self.assertRaises(AccessError):
            mine.write({"rapport": 1})
        with self.assertRaises(AccessError):
            mine.unlink()
        with self.assertRaises(AccessError):
            self.env["empathy.impression"].create(
                {
                    "partner_id": self.runner.id,
                    "user_id": self.user_sales.id,
                    "rapport": 3,
                    "mood": 0,
                }
            )
        self.assertEqual(impression.rapport, 4)

    @users("emp_sales")
    def test_can_edit_own_impression(self):
        impression = self._impression(self.runner, user=self.user_sales).with_user(self.env.user)
        impression.write({"rapport": 2, "note": "changed my mind"})
        self.assertEqual(impression.rapport, 2)
        impression.unlink()
        self.assertFalse(impression.exists())

    @users("emp_manager")
    def test_manager_edits_any_impression(self):
        impression = self._impression(self.runner, user=self.user_sales).with_user(self.env.user)
        impression.write({"rapport": 1})
        self.assertEqual(impression.rapport, 1)
