# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact filters on the figures per company and on the rapport rows.

The figures are rows of ``empathy.partner.stat``; the contact's fields of the same
names show the current company's row and are searched on the rows (Odoo's own
``any`` subquery, with the rows' record rules). A search must find exactly the
contacts whose fields, as the user reads them, satisfy the domain.
"""

import re

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestPartnerSearch(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        a, b = cls.company, cls.company_b
        sales, sales2 = cls.user_sales, cls.user_sales2
        # per partner, per company: best advisor, best rapport, mood trend, silent
        rows = [
            {a: (sales, 2.0, "declining", True)},
            {a: (sales2, 4.0, "stable", False), b: (sales, 1.0, "declining", True)},
            {},
            {a: (False, False, False, False)},  # a row without figures
            {a: (sales, 0, "improving", False)},
            {a: (sales, 2.5, "declining", False)},
            {b: (sales2, 3.0, "stable", False)},
            {a: (False, 1.5, False, False)},  # a rapport without an advisor (inconsistent)
        ]
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Search Customer {i}"} for i in range(len(rows))]
        )
        cls.env["empathy.partner.stat"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "best_advisor_id": advisor.id if advisor else False,
                    "best_rapport": rapport,
                    "mood_trend": trend,
                    "silent": silent,
                    "last_impression_date": "2026-05-01 10:00:00" if advisor else False,
                }
                for partner, per_company in zip(cls.partners, rows, strict=True)
                for company, (advisor, rapport, trend, silent) in per_company.items()
            ]
        )
        Rapport = cls.env["empathy.rapport"].sudo()
        cls.rapports = Rapport.create(
            [
                {"partner_id": partner.id, "user_id": user.id, "company_id": company.id}
                for partner, user, company in (
                    (cls.partners[0], sales, a),
                    (cls.partners[1], sales, a),
                    (cls.partners[1], sales, b),
                    (cls.partners[4], sales2, a),
                    (cls.partners[5], sales, a),
                )
            ]
        )
        for rapport, fair in zip(cls.rapports, (4.5, 3.9, 4.0, 4.8, 4.0), strict=True):
            rapport.fair_score = fair
        cls.env.flush_all()

    def _check(self, domain, user, company):
        """Assert that searching finds exactly the partners whose fields match (as the
        user reads them; *I click with them*: the user's rapport rows)."""
        Partner = self.env["res.partner"].with_user(user).with_company(company)
        found = Partner.search([("id", "in", self.partners.ids), *domain])
        self.assertEqual(
            Partner.search_count([("id", "in", self.partners.ids), *domain]), len(found)
        )
        clicks = (
            self.env["empathy.rapport"]
            .with_env(Partner.env)
            .search([("user_id", "=", user.id), ("fair_score", ">=", 4)])
            .partner_id
        )
        read = self.partners.with_env(Partner.env).filtered_domain(
            [
                ("id", "in" if leaf[1] == "any" else "not in", clicks.ids)
                if isinstance(leaf, tuple) and leaf[0] == "empathy_rapport_ids"
                else leaf
                for leaf in domain
            ]
        )
        self.assertEqual(found, read)
        return found

    def test_search_matches_what_users_read(self):
        s, s2 = self.user_sales.id, self.user_sales2.id
        domains = [
            [("empathy_best_advisor_id", "=", s)],
            [("empathy_best_advisor_id", "=", s2)],
            [("empathy_best_advisor_id", "!=", False)],
            [("empathy_best_advisor_id", "=", False)],
            [("empathy_best_advisor_id", "in", [s, s2])],
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
            [("empathy_best_rapport", "=", 0)],
            [("empathy_mood_trend", "=", "declining")],
            [("empathy_mood_trend", "=", "stable")],
            [("empathy_mood_trend", "!=", "declining")],
            [("empathy_mood_trend", "=", False)],
            [("empathy_best_advisor_id", "!=", s)],
            [("empathy_best_advisor_id", "not in", [s, False])],
            [("empathy_best_advisor_id", "ilike", "Sally")],
            [("empathy_best_advisor_id", "not ilike", "Sally")],
            [("empathy_mood_trend", "in", ["declining", False])],
            [("empathy_mood_trend", "not in", ["declining"])],
            [("empathy_low_rapport", "=", True)],
            [("empathy_low_rapport", "!=", True)],
            [("empathy_silent", "=", True)],
            [("empathy_silent", "=", False)],
            [("empathy_silent", "!=", True)],
            [("empathy_last_impression_date", "<", "2026-06-01")],
            [("empathy_last_impression_date", ">", "2026-06-01")],
            [("empathy_last_impression_date", "=", False)],
            [("empathy_last_impression_date", "!=", "2026-05-01 10:00:00")],
            ["|", ("empathy_silent", "=", True), ("empathy_mood_trend", "=", "improving")],
            ["!", ("empathy_best_advisor_id", "=", s)],
            ["!", ("empathy_silent", "=", True)],
            [("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)])],
            ["!", ("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)])],
            [
                "|",
                ("empathy_rapport_ids", "any", [("user_id", "=", s), ("fair_score", ">=", 4)]),
                ("empathy_best_advisor_id", "=", s2),
            ],
        ]
        checked = 0
        for user, company in (
            (self.user_sales, self.company),
            (self.user_sales2, self.company),
            (self.user_manager, self.company),
            (self.user_sales_b, self.company_b),
        ):
            for domain in domains:
                # *I click with them* is the user's own rapport
                domain = [
                    (leaf[0], leaf[1], [("user_id", "=", user.id), leaf[2][1]])
                    if isinstance(leaf, tuple) and leaf[0] == "empathy_rapport_ids"
                    else leaf
                    for leaf in domain
                ]
                with self.subTest(user=user.login, domain=domain):
                    checked += bool(self._check(domain, user, company))
        self.assertGreater(checked, 50, "most domains match some partners")

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
        # the filter *Low rapport*: a rapport, below 2.5 (whatever the advisor)
        low = p[0] | p[7]
        self.assertEqual(Partner.search([*mine, ("empathy_low_rapport", "=", True)]), low)
        self.assertEqual(
            Partner.search(
                [*mine, ("empathy_best_rapport", "<", 2.5), ("empathy_best_rapport", ">", 0)]
            ),
            low,
        )
        self.assertEqual(Partner.search([*mine, ("empathy_low_rapport", "=", False)]), p - low)
        # no row, a row of company B only or an empty row: as no rapport at all
        self.assertEqual(
            Partner.search([*mine, ("empathy_best_rapport", "<", 2.5)]),
            p - p[1] - p[5],
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
        self.assertEqual(Partner.search([*mine, ("empathy_silent", "=", True)]), p[0])

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

    def test_click_filter_reads_the_rapport_rows(self):
        """The filter follows the fair scores at once; other advisors' pairs stay hidden."""
        p = self.partners
        # partner 1 in company A climbs over 4, partner 5 drops below it
        self.rapports[1].fair_score = 4.2
        self.rapports[4].fair_score = 3.99
        Partner = self.env["res.partner"].with_user(self.user_sales)
        mine = [("id", "in", p.ids)]
        click = [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 4)]
        self.assertEqual(
            Partner.search([*mine, ("empathy_rapport_ids", "any", click)]), p[0] | p[1]
        )
        lower = [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 3.9)]
        self.assertEqual(
            Partner.search([*mine, ("empathy_rapport_ids", "any", lower)]), p[0] | p[1] | p[5]
        )
        # another advisor's clicks: the rapport rules decide (own pairs only)
        other = [("user_id", "=", self.user_sales2.id), ("fair_score", ">=", 4)]
        self.assertFalse(Partner.search([*mine, ("empathy_rapport_ids", "any", other)]))
        # the click sets of earlier versions are gone
        self.assertNotIn("empathy_click_user_ids", Partner._fields)

    def test_filters_are_subqueries_on_the_rows(self):
        """Plain Odoo SQL on indexed columns: no jsonb, no per-company index."""
        Partner = self.env["res.partner"].with_user(self.user_sales)
        for domain in (
            [("empathy_best_advisor_id", "=", self.user_sales.id)],
            [("empathy_mood_trend", "=", "declining")],
            [("empathy_best_rapport", "<", 2.5), ("empathy_best_rapport", ">", 0)],
            [("empathy_silent", "=", True)],
        ):
            with self.subTest(domain=domain):
                sql = Partner._search(domain).select().code
                self.assertIn('FROM "empathy_partner_stat"', sql)
                self.assertNotIn("->", sql)
        # a condition an empty row satisfies: the contacts without a row that fails it,
        # one negated subquery (no OR of two subqueries, which PostgreSQL runs row by
        # row once too big); Odoo 18.0 writes it NOT IN, 19.0 NOT EXISTS
        failing = {
            "empathy_best_rapport": [("best_rapport", ">=", 2.5)],
            "empathy_last_impression_date": [("last_impression_date", "!=", False)],
            "empathy_best_advisor_id": [("best_advisor_id", "=", self.user_sales.id)],
        }
        for domain in (
            [("empathy_best_rapport", "<", 2.5)],
            [("empathy_last_impression_date", "=", False)],
            [("empathy_best_advisor_id", "!=", self.user_sales.id)],
        ):
            with self.subTest(domain=domain):
                sql = Partner._search(domain).select().code
                # one negated subquery of the rows the user may read (inside it, Odoo
                # selects those rows by their rules), no positive subquery OR-ed to it
                # (19.0 writes NOT IN ((SELECT ...)))
                self.assertEqual(len(re.findall(r"NOT (IN|EXISTS)\s*\(\s*\(?\s*SELECT", sql)), 1)
                self.assertNotRegex(sql, r'"res_partner"\."id" IN \(\s*\(?\s*SELECT')
                # what it finds: every contact but those whose visible row fails it
                fails = (
                    self.env["empathy.partner.stat"]
                    .with_user(self.user_sales)
                    .search([("company_id", "=", Partner.env.company.id), *failing[domain[0][0]]])
                )
                everyone = Partner.search([])
                self.assertEqual(Partner.search(domain), everyone - fails.partner_id)
        click = [("user_id", "=", self.user_sales.id), ("fair_score", ">=", 4)]
        sql = Partner._search([("empathy_rapport_ids", "any", click)]).select().code
        self.assertIn('FROM "empathy_rapport"', sql)
        self.env.cr.execute(
            """SELECT indexname, indexdef FROM pg_indexes
                WHERE tablename IN ('res_partner', 'empathy_partner_stat', 'empathy_rapport')"""
        )
        indexes = dict(self.env.cr.fetchall())
        self.assertFalse(
            # (the contact keys of the intake are expression indexes of core columns)
            [
                name
                for name in indexes
                if name.startswith("res_partner_empathy_") and not name.endswith("_key_idx")
            ],
            "no jsonb or per-company index of the figures on the contacts",
        )
        for name, columns in (
            ("empathy_partner_stat_best_advisor_idx", "(best_advisor_id, company_id, partner_id)"),
            ("empathy_partner_stat_best_rapport_idx", "(company_id, best_rapport, partner_id)"),
            ("empathy_partner_stat_mood_trend_idx", "(company_id, mood_trend, partner_id)"),
            ("empathy_partner_stat_partner_company_uniq", "(partner_id, company_id)"),
            ("empathy_rapport_user_fair_score_idx", "(user_id, fair_score, partner_id)"),
        ):
            self.assertIn(columns, indexes.get(name, ""), name)
        self.assertIn("WHERE silent", indexes["empathy_partner_stat_silent_idx"])

    def test_outsiders_cannot_search(self):
        for user in (self.user_portal, self.user_public, self.user_internal):
            for fname, value in (
                ("empathy_best_advisor_id", self.user_sales.id),
                ("empathy_silent", True),
                ("empathy_best_rapport", 2),
            ):
                with self.subTest(user=user.login, field=fname), self.assertRaises(AccessError):
                    self.env["res.partner"].with_user(user).search([(fname, "=", value)])
