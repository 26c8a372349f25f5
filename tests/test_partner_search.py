# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The partner filters on the company-dependent aggregates and on the rapport rows.

``res.partner`` emits its own, index-friendly SQL for them (jsonb containment,
per-company expression indexes, the rapport subquery run first): the results must be
exactly those of Odoo's own SQL, for every company.
"""

import json
from contextlib import ExitStack
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.empathic_crm.models.res_partner_rapport_search import ResPartner

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestPartnerSearch(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = str(cls.company.id), str(cls.company_b.id)
        sales, sales2 = cls.user_sales.id, cls.user_sales2.id
        rows = [  # best advisor, best rapport, mood trend, silent (per company)
            ({a: sales}, {a: 2.0}, {a: "declining"}, {a: True}),
            ({a: sales2, b: sales}, {a: 4.0, b: 1.0}, {a: "stable", b: "declining"}, {b: True}),
            (None, None, None, None),
            ({a: None}, {a: None}, {a: None}, {a: None}),
            ({a: sales}, {a: 0}, {a: "improving"}, {a: False}),
            ({a: sales}, {a: 2.5}, {a: "declining"}, {a: False}),
            ({b: sales2}, {b: 3.0}, {b: "stable"}, None),
            (None, {a: 1.5}, None, None),  # a rapport without an advisor (inconsistent)
        ]
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Search Customer {i}"} for i in range(len(rows))]
        )
        Rapport = cls.env["empathy.rapport"].sudo()
        cls.rapports = Rapport.create(
            [
                {"partner_id": partner.id, "user_id": user.id, "company_id": company.id}
                for partner, user, company in (
                    (cls.partners[0], cls.user_sales, cls.company),
                    (cls.partners[1], cls.user_sales, cls.company),
                    (cls.partners[1], cls.user_sales, cls.company_b),
                    (cls.partners[4], cls.user_sales2, cls.company),
                    (cls.partners[5], cls.user_sales, cls.company),
                )
            ]
        )
        for rapport, fair in zip(cls.rapports, (4.5, 3.9, 4.0, 4.8, 4.0), strict=True):
            cls.env.cr.execute(
                "UPDATE empathy_rapport SET fair_score = %s WHERE id = %s", [fair, rapport.id]
            )
        cls.env.invalidate_all()
        # the click sets from the rapport rows, as every rapport change keeps them
        cls.partners._empathy_refresh_rapport()
        # the other aggregates by hand: edge cases the rapport rows would not produce
        for partner, values in zip(cls.partners, rows, strict=True):
            cls.env.cr.execute(
                """UPDATE res_partner
                      SET empathy_best_advisor_id = %s::jsonb, empathy_best_rapport = %s::jsonb,
                          empathy_mood_trend = %s::jsonb, empathy_silent = %s::jsonb
                    WHERE id = %s""",
                [*(json.dumps(v) if v is not None else None for v in values), partner.id],
            )
        cls.env.invalidate_all()

    def _search_both(self, domain, user, company):
        """Return (ours, Odoo's) search results among the test partners."""
        Partner = self.env["res.partner"].with_user(user).with_company(company)
        full = [("id", "in", self.partners.ids), *domain]
        ours = Partner.search(full)
        # unordered (what search_count and subqueries run) takes the other form
        unordered = Partner.browse(list(Partner._search(full)))
        self.assertEqual(unordered, ours)
        with ExitStack() as stack:
            stack.enter_context(
                patch.object(ResPartner, "_empathy_condition_to_sql", return_value=None)
            )
            for rewrite in ("_empathy_click_domain", "_empathy_rapport_domain"):
                stack.enter_context(patch.object(ResPartner, rewrite, side_effect=lambda d: d))
            self.env.invalidate_all()
            plain = Partner.search(full)
        return ours, plain

    def test_same_results_as_odoo(self):
        s, s2 = self.user_sales.id, self.user_sales2.id
        domains = [
            [("empathy_best_advisor_id", "=", s)],
            [("empathy_best_advisor_id", "=", s2)],
            [("empathy_best_advisor_id", "!=", False)],
            [("empathy_best_rapport", "<", 2.5), ("empathy_best_advisor_id", "!=", False)],
            [("empathy_best_rapport", "<", 2.5), ("empathy_best_rapport", ">", 0)],
            [("empathy_best_rapport", "<", 2.5)],
            [("empathy_best_rapport", "<=", 2.5)],
            [("empathy_best_rapport", ">", 2.5)],
            [("empathy_best_rapport", ">=", 0)],
            [("empathy_best_rapport", ">", 0)],
            [("empathy_best_rapport", "<", 0)],
            [("empathy_best_rapport", "<=", 0)],
            [("empathy_best_rapport", ">", -1)],
            [("empathy_best_rapport", ">=", 3)],
            [("empathy_mood_trend", "=", "declining")],
            [("empathy_mood_trend", "=", "stable")],
            [("empathy_silent", "=", True)],
            ["|", ("empathy_silent", "=", True), ("empathy_mood_trend", "=", "improving")],
            ["!", ("empathy_best_advisor_id", "=", s)],
            [("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)])],
            [("empathy_rapport_ids", "any", [("user_id", "=", s2), ("fair_score", ">=", 4)])],
            ["!", ("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)])],
            [("empathy_rapport_ids", "not any", [("fair_score", ">=", 4), ("user_id", "=", s)])],
            [
                "|",
                ("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)]),
                ("empathy_best_advisor_id", "=", s2),
            ],
        ]
        checked = 0
        for user, company in (
            (self.user_sales, self.company),
            (self.user_manager, self.company),
            (self.user_sales_b, self.company_b),
        ):
            for domain in domains:
                with self.subTest(user=user.login, domain=domain):
                    ours, plain = self._search_both(domain, user, company)
                    self.assertEqual(ours, plain)
                    checked += bool(ours)
        self.assertGreater(checked, 20, "most domains match some partners")

    def test_expected_partners(self):
        """Spot checks, so that equal but wrong results on both sides cannot pass."""
        p = self.partners
        Partner = self.env["res.partner"].with_user(self.user_sales)
        mine = [("id", "in", p.ids)]
        self.assertEqual(
            Partner.search([*mine, ("empathy_best_advisor_id", "=", self.user_sales.id)]),
            p[0] | p[4] | p[5],
        )
        self.assertEqual(
            Partner.search(
                [
                    *mine,
                    ("empathy_best_rapport", "<", 2.5),
                    ("empathy_best_advisor_id", "!=", False),
                ]
            ),
            p[0] | p[4],
        )
        self.assertEqual(
            Partner.search(
                [
                    *mine,
                    (
                        "empathy_rapport_ids",
                        "any",
                        [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 4)],
                    ),
                ]
            ),
            p[0] | p[5],
            "company B's rapport of partner 1 does not count in company A",
        )
        as_b = Partner.with_user(self.user_sales_b).with_company(self.company_b)
        self.assertEqual(as_b.search([*mine, ("empathy_mood_trend", "=", "declining")]), p[1])
        self.assertEqual(as_b.search([*mine, ("empathy_silent", "=", True)]), p[1])

    def test_click_filter_all_allowed_companies(self):
        """*I click with them* counts the pairs of every company the user works in."""
        self.user_sales.company_ids = self.company | self.company_b
        click = [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 4)]
        both = (
            self.env["res.partner"]
            .with_user(self.user_sales)
            .with_context(allowed_company_ids=[self.company.id, self.company_b.id])
        )
        domain = [("id", "in", self.partners.ids), ("empathy_rapport_ids", "any", click)]
        p = self.partners
        self.assertEqual(both.search(domain), p[0] | p[1] | p[5])
        self.assertEqual(both.search_count(domain), 3)
        negated = [("id", "in", p.ids), "!", ("empathy_rapport_ids", "any", click)]
        self.assertEqual(both.search(negated), p - p[0] - p[1] - p[5])
        only_a = both.with_context(allowed_company_ids=[self.company.id])
        self.assertEqual(only_a.search(domain), p[0] | p[5])

    def test_click_sets_follow_the_rapport(self):
        """The click sets change with the fair scores; other thresholds use the rows."""
        p = self.partners
        a, b = str(self.company.id), str(self.company_b.id)
        sales, sales2 = self.user_sales.id, self.user_sales2.id
        self.assertEqual(
            [partner.sudo().empathy_click_user_ids or None for partner in p[:6]],
            [{a: [sales]}, {b: [sales]}, None, None, {a: [sales2]}, {a: [sales]}],
        )
        # partner 1 in company A climbs over 4, partner 5 drops below it
        self.env.cr.execute(
            "UPDATE empathy_rapport SET fair_score = %s WHERE id = %s",
            [4.2, self.rapports[1].id],
        )
        self.env.cr.execute(
            "UPDATE empathy_rapport SET fair_score = %s WHERE id = %s",
            [3.99, self.rapports[4].id],
        )
        self.env.invalidate_all()
        (p[1] | p[5])._empathy_refresh_rapport()
        self.assertEqual(p[1].sudo().empathy_click_user_ids, {a: [sales], b: [sales]})
        self.assertFalse(p[5].sudo().empathy_click_user_ids)
        Partner = self.env["res.partner"].with_user(self.user_sales)
        mine = [("id", "in", p.ids)]
        click = [("user_id", "=", sales), ("fair_score", ">=", 4)]
        self.assertEqual(
            Partner.search([*mine, ("empathy_rapport_ids", "any", click)]), p[0] | p[1]
        )
        # another threshold: answered by the rapport rows themselves
        lower = [("user_id", "=", sales), ("fair_score", ">=", 3.9)]
        self.assertEqual(
            Partner.search([*mine, ("empathy_rapport_ids", "any", lower)]), p[0] | p[1] | p[5]
        )
        Partner = self.env["res.partner"]
        self.assertEqual(Partner._empathy_fill_click_sets(), 0, "already exact")
        # the migration's set-based fill gives what the refresh keeps
        expected = {partner.id: partner.sudo().empathy_click_user_ids for partner in p}
        self.env.cr.execute(
            "UPDATE res_partner SET empathy_click_user_ids = NULL WHERE id = ANY(%s)", [p.ids]
        )
        self.env.cr.execute(
            "UPDATE res_partner SET empathy_click_user_ids = '{\"99\": [1]}' WHERE id = %s",
            [p[2].id],
        )
        self.env.invalidate_all()
        self.assertEqual(Partner._empathy_fill_click_sets(), 4, "3 partners with clicks, 1 stale")
        self.assertEqual(
            {partner.id: partner.sudo().empathy_click_user_ids for partner in p}, expected
        )

    def test_click_sets_are_not_searchable_by_salespeople(self):
        """The technical column tells other advisors' pairs: never in a user's domain."""
        Partner = self.env["res.partner"].with_user(self.user_sales)
        with self.assertRaises(AccessError):
            Partner.search([("empathy_click_user_ids", "!=", False)])
        with self.assertRaises(AccessError):
            Partner.browse(self.partners[4].id).read(["empathy_click_user_ids"])
        # another advisor's clicks: the rapport rules decide (own pairs only)
        other = [("user_id", "=", self.user_sales2.id), ("fair_score", ">=", 4)]
        self.assertFalse(
            Partner.search([("id", "in", self.partners.ids), ("empathy_rapport_ids", "any", other)])
        )

    def test_sql_uses_indexes(self):
        """The filters emit the indexed forms (containment, the per-company expression)."""
        Partner = self.env["res.partner"]
        sql = Partner._search([("empathy_best_advisor_id", "=", self.user_sales.id)]).select()
        self.assertIn("::int4) =", sql.code)
        sql = Partner._search([("empathy_mood_trend", "=", "declining")]).select()
        self.assertIn("@>", sql.code)
        sql = Partner._search([("empathy_best_rapport", "<", 2.5)]).select()
        self.assertIn("COALESCE", sql.code)
        click = [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 4)]
        as_sales = Partner.with_user(self.user_sales)
        for order in (None, "complete_name"):
            sql = as_sales._search([("empathy_rapport_ids", "any", click)], order=order).select()
            self.assertIn('"empathy_click_user_ids" @>', sql.code)
            self.assertNotIn("empathy_rapport", sql.code)
        sql = as_sales._search(["!", ("empathy_rapport_ids", "any", click)]).select()
        self.assertIn("NOT COALESCE", sql.code)
        self.assertNotIn("empathy_rapport", sql.code)
        key = str(self.company_b.id)
        for fname in ("empathy_best_rapport", "empathy_best_advisor_id"):
            self.env.cr.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s",
                [f"res_partner_{fname}_c{key}_cov_idx"],
            )
            (indexdef,) = self.env.cr.fetchone()
            self.assertIn(f"'{key}'", indexdef, "a company created later gets its indexes")
            self.assertNotIn("WHERE", indexdef, "full indexes: PostgreSQL keeps statistics")
            self.assertIn("INCLUDE (active, company_id, partner_share", indexdef)
