# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.empathic_crm.models import empathy_rapport_deferred
from odoo.addons.mail.tests.common import mail_new_test_user

from ..tools import compat
from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestRapportPerCompany(EmpathyCommon):
    """A contact shared between companies: each company sees what its own impressions say."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second advisor of company B and a salesperson of both companies
        cls._create_users("emp", "user_{}", sales_b2="Berta B")
        cls.shared = cls.env["res.partner"].create({"name": "Shared Customer"})  # no company

    def _as(self, user, company=None):
        return self.shared.with_user(user).with_company(company or user.company_id)

    def test_other_company_sees_nothing_of_company_a(self):
        self._impression(self.shared, self.user_sales, rapport=5, mood=2)
        self._impression(self.shared, self.user_sales2, rapport=2, mood=-1, days_ago=1)
        as_a = self._as(self.user_sales)
        self.assertEqual(as_a.empathy_best_advisor_id, self.user_sales)
        self.assertEqual(as_a.empathy_best_rapport, 5.0)
        self.assertTrue(as_a.empathy_last_impression_date)
        self.assertEqual(as_a.empathy_mood_trend, "stable")
        as_b = self._as(self.user_sales_b)
        self.assertFalse(as_b.empathy_best_advisor_id)
        self.assertEqual(as_b.empathy_best_rapport, 0.0)
        self.assertFalse(as_b.empathy_last_impression_date)
        self.assertFalse(as_b.empathy_mood_trend)
        self.assertNotIn("Sally", as_b.empathy_briefing)
        # nor by searching, grouping or reading over the wire
        Partner = self.env["res.partner"].with_user(self.user_sales_b)
        self.assertFalse(
            Partner.search_count(
                [("id", "=", self.shared.id), ("empathy_best_advisor_id", "!=", False)]
            )
        )
        self.assertFalse(
            Partner.search_count([("id", "=", self.shared.id), ("empathy_best_rapport", ">", 1)])
        )
        # the rows of figures, grouped or read: company B's rows only (record rule)
        Stat = self.env["empathy.partner.stat"].with_user(self.user_sales_b)
        groups = Stat._read_group(
            [("partner_id", "=", self.shared.id)], ["best_advisor_id"], ["__count"]
        )
        self.assertFalse(groups)
        self.assertFalse(as_b.empathy_stat_ids)
        self.env.invalidate_all()  # one cache for every user of the transaction
        self.assertEqual(self._as(self.user_sales).empathy_stat_ids.company_id, self.company)
        self.assertEqual(
            as_b.read(["empathy_best_advisor_id", "empathy_best_rapport"])[0][
                "empathy_best_advisor_id"
            ],
            False,
        )

    def test_each_company_its_own_best_advisor(self):
        self._impression(self.shared, self.user_sales, rapport=5, mood=2)
        # one customer each: the fair rapport cannot tell them apart (both at the team
        # mean), the more recent impression decides
        self._impression(
            self.shared,
            self.user_sales_b,
            rapport=3,
            mood=-2,
            days_ago=5,
            company_id=self.company_b.id,
        )
        self._impression(
            self.shared, self.user_sales_b2, rapport=4, mood=-2, company_id=self.company_b.id
        )
        self.assertEqual(self._as(self.user_sales).empathy_best_advisor_id, self.user_sales)
        as_b = self._as(self.user_sales_b)
        self.assertEqual(as_b.empathy_best_advisor_id, self.user_sales_b2)
        best_row = self.env["empathy.rapport"].search(
            [
                ("partner_id", "=", self.shared.id),
                ("user_id", "=", self.user_sales_b2.id),
                ("company_id", "=", self.company_b.id),
            ]
        )
        self.assertAlmostEqual(as_b.empathy_best_rapport, best_row.fair_score, places=2)
        # the GDPR export of company B names nobody of company A
        manager_b = mail_new_test_user(
            self.env,
            login="emp_manager_b",
            groups="sales_team.group_sale_manager",
            company_id=self.company_b.id,
            company_ids=[(6, 0, self.company_b.ids)],
        )
        export = self.shared.with_user(manager_b).with_company(self.company_b)
        data = export._empathy_export_data()
        self.assertEqual(data["profile"]["best_advisor"], "Berta B")
        self.assertEqual({row["company"] for row in data["impressions"]}, {"Empathy Company B"})
        # deleting company B's impressions empties company B's values only
        self.env["empathy.impression"].search(
            [("partner_id", "=", self.shared.id), ("company_id", "=", self.company_b.id)]
        ).unlink()
        self.assertFalse(self._as(self.user_sales_b).empathy_best_advisor_id)
        self.assertEqual(self._as(self.user_sales).empathy_best_advisor_id, self.user_sales)

    def test_silent_customer_per_company(self):
        product = self.env["product.product"].create({"name": "Shirt", "list_price": 40})
        order = self.env["sale.order"].create(
            {
                "partner_id": self.shared.id,
                "company_id": self.company_b.id,
                "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        self.env["res.partner"]._empathy_compute_silent()
        self.assertTrue(self._as(self.user_sales_b).empathy_silent)
        self.assertGreater(self._as(self.user_sales_b).empathy_recent_revenue, 0)
        # company A sold nothing: not silent, no revenue
        self.assertFalse(self._as(self.user_sales).empathy_silent)
        self.assertEqual(self._as(self.user_sales).empathy_recent_revenue, 0.0)
        # an impression of company A does not end company B's silence
        self._impression(self.shared, self.user_sales, days_ago=0)
        self.env["res.partner"]._empathy_compute_silent()
        self.assertTrue(self._as(self.user_sales_b).empathy_silent)


@tagged("post_install", "-at_install", "empathic_crm")
class TestRapportQueue(EmpathyCommon):
    """Writers only queue; the queue is applied exactly once, in order."""

    def _queue_count(self):
        self.env.cr.execute("SELECT count(*) FROM empathy_rapport_queue")
        return self.env.cr.fetchone()[0]

    def test_deferred_during_requests_applied_once(self):
        Rapport = self.env["empathy.rapport"]
        with (
            patch.object(empathy_rapport_deferred, "serving_request", lambda: "/jsonrpc"),
            patch.object(compat, "in_test_mode", lambda env: False),
            patch.object(type(Rapport), "_empathy_apply_after_commit") as after_commit,
        ):
            first = self._impression(self.runner, self.user_sales, rapport=5, mood=2)
            self._impression(self.runner, self.user_sales2, rapport=2, mood=-1, days_ago=3)
            first.write({"rapport": 4})
        self.assertEqual(after_commit.call_count, 3)
        # nothing applied yet: the request only inserted into the queue
        self.assertFalse(Rapport.search([("partner_id", "=", self.runner.id)]))
        self.assertFalse(self.runner.empathy_best_advisor_id)
        self.assertEqual(self._queue_count(), 4)  # create, create, write = remove + add
        # as the deferred applier does it: the customers locked, their changes in order
        Rapport._empathy_process_queue(partner_ids=[self.runner.id])
        self.assertEqual(self._queue_count(), 0)
        rows = Rapport.search([("partner_id", "=", self.runner.id)])
        self.assertEqual(len(rows), 2)
        mine = rows.filtered(lambda r: r.user_id == self.user_sales)
        self.assertEqual((mine.impression_count, mine.score), (1, 4.0))
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales)
        # applying again changes nothing (the queue rows are gone)
        Rapport._empathy_process_queue()
        self.assertEqual(mine.impression_count, 1)
        expected = Rapport._empathy_compute_from_scratch(
            self.env["empathy.impression"].search([("partner_id", "=", self.runner.id)])
        )
        for row in rows:
            key = (row.partner_id.id, row.user_id.id, row.company_id.id)
            self.assertAlmostEqual(row.score, expected[key]["score"], places=9)

    def test_outside_requests_applied_at_once(self):
        self._impression(self.runner, self.user_sales, rapport=5, mood=2)
        self.assertEqual(self._queue_count(), 0)
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales)
