# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's figures per company (``empathy.partner.stat``): one row per contact
and company, kept by the system, read through Odoo's access rights and rules."""

import importlib.util
from pathlib import Path

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import EmpathyCommon

#: queries of recording an impression (create + flush), warm caches: 10 before the
#: figures became rows (18.0.1.4), 10 after
IMPRESSION_QUERIES = 10
#: queries of reading the four rapport figures of a contact as a salesperson: 5 / 5
READ_QUERIES = 5
FIGURES = (
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_silent",
    "empathy_silent_since",
    "empathy_recent_revenue",
)


def _load_migration():
    path = Path(__file__).parents[1] / "migrations" / "18.0.1.5.0" / "post-10-partner-stat.py"
    spec = importlib.util.spec_from_file_location("empathic_crm_partner_stat_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install", "empathic_crm")
class TestPartnerStat(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Stat = cls.env["empathy.partner.stat"]
        cls.shared = cls.env["res.partner"].create({"name": "Shared Customer"})  # no company
        cls.product = cls.env["product.product"].create({"name": "Stat shirt", "list_price": 40})

    def _rows(self, partner):
        return self.Stat.search([("partner_id", "=", partner.id)])

    def _sell(self, partner, company):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        return order

    # ------------------------------------------------------------------
    # maintenance
    # ------------------------------------------------------------------
    def test_one_row_per_company(self):
        self._impression(self.shared, self.user_sales, rapport=5, mood=2)
        self._impression(self.shared, self.user_sales2, rapport=2, days_ago=1)
        self._impression(
            self.shared, self.user_sales_b, rapport=3, mood=-1, company_id=self.company_b.id
        )
        rows = self._rows(self.shared)
        self.assertEqual(rows.company_id, self.company | self.company_b)
        row_a = rows.filtered(lambda row: row.company_id == self.company)
        self.assertEqual(row_a.best_advisor_id, self.user_sales)
        self.assertEqual(row_a.mood_trend, "stable")
        self.assertFalse(row_a.silent)
        # refreshing again changes nothing, creates nothing
        self.shared._empathy_refresh_rapport()
        self.shared._empathy_refresh_rapport()
        self.assertEqual(self._rows(self.shared), rows)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.Stat.create({"partner_id": self.shared.id, "company_id": self.company.id})

    def test_rapport_gone_clears_or_deletes_the_row(self):
        self._impression(self.shared, self.user_sales, rapport=5)
        self._impression(self.shared, self.user_sales_b, company_id=self.company_b.id)
        self._sell(self.shared, self.company_b)
        self.env["res.partner"]._empathy_compute_silent()
        row_b = self._rows(self.shared).filtered(lambda row: row.company_id == self.company_b)
        self.assertTrue(row_b.recent_revenue)
        # erasure: every impression goes, so does the rapport
        self.shared.with_user(self.user_manager).action_empathy_erase()
        rows = self._rows(self.shared)
        self.assertEqual(rows, row_b, "company A's row had nothing else: deleted")
        self.assertFalse(row_b.best_advisor_id or row_b.best_rapport or row_b.last_impression_date)
        self.assertTrue(row_b.recent_revenue, "company B's silent-customer figures stay")
        # no longer a buyer: the row goes too
        self.env["sale.order"].search(
            [("partner_id", "=", self.shared.id)]
        ).date_order = "2020-01-01"
        self.env["res.partner"]._empathy_compute_silent()
        self.assertFalse(self._rows(self.shared))

    def test_refresh_gives_the_contact_a_new_version(self):
        """A change of rapport still writes the contact's row (its version, not its
        values): a REPEATABLE READ transaction that read the customer before and locks
        it afterwards fails then and is retried (a change of its kind of customer)."""
        self._impression(self.shared, self.user_sales, rapport=4)
        self.env.flush_all()
        write_date = self.shared.write_date
        self.env.cr.execute("SELECT ctid FROM res_partner WHERE id = %s", [self.shared.id])
        version = self.env.cr.fetchone()[0]
        self.shared._empathy_refresh_rapport()
        self.env.cr.execute(
            "SELECT ctid, write_date FROM res_partner WHERE id = %s", [self.shared.id]
        )
        new_version, new_write_date = self.env.cr.fetchone()
        self.assertNotEqual(new_version, version, "a new row version")
        self.assertEqual(new_write_date, write_date, "not an edit of the contact")

    def test_silent_job_keeps_the_rapport(self):
        self._impression(self.shared, self.user_sales, rapport=4, days_ago=200)
        self._sell(self.shared, self.company)
        Partner = self.env["res.partner"]
        changed = Partner._empathy_sql_update_silent(*Partner._empathy_silent_periods())
        row = self._rows(self.shared)
        self.assertEqual(len(row), 1)
        self.assertTrue(row.silent)
        self.assertEqual(row.best_advisor_id, self.user_sales, "the rapport columns stay")
        self.assertIn(self.shared, changed)
        self.assertTrue(self.shared.empathy_silent, "the contact's figure follows (cache)")
        self.assertFalse(
            Partner._empathy_sql_update_silent(*Partner._empathy_silent_periods()),
            "nothing changes twice",
        )

    # ------------------------------------------------------------------
    # who reads what
    # ------------------------------------------------------------------
    def test_company_a_never_sees_company_b(self):
        """A salesperson of company A: company B's figures of a shared contact are not
        readable, not searchable, not groupable."""
        self._impression(
            self.shared, self.user_sales_b, rapport=5, mood=2, company_id=self.company_b.id
        )
        self._sell(self.shared, self.company_b)
        self.env["res.partner"]._empathy_compute_silent()
        partner = self.shared.with_user(self.user_sales)
        self.assertFalse(partner.empathy_best_advisor_id)
        self.assertFalse(partner.empathy_silent)
        self.assertEqual(partner.empathy_recent_revenue, 0.0)
        values = partner.read(list(FIGURES))[0]
        self.assertFalse(any(values[name] for name in FIGURES), values)
        Partner = self.env["res.partner"].with_user(self.user_sales)
        mine = [("id", "=", self.shared.id)]
        for domain in (
            [("empathy_best_advisor_id", "=", self.user_sales_b.id)],
            [("empathy_best_rapport", ">", 1)],
            [("empathy_silent", "=", True)],
            [("empathy_recent_revenue", ">", 0)],
            [("empathy_stat_ids.best_advisor_id", "=", self.user_sales_b.id)],
            [("empathy_stat_ids", "any", [("silent", "=", True)])],
        ):
            with self.subTest(domain=domain):
                self.assertFalse(Partner.search([*mine, *domain]))
        Stat = self.Stat.with_user(self.user_sales)
        self.assertFalse(Stat.search([("partner_id", "=", self.shared.id)]))
        self.assertFalse(Stat._read_group([], ["best_advisor_id"], ["__count"]))
        row_b = self._rows(self.shared)
        with self.assertRaises(AccessError):
            row_b.with_user(self.user_sales).read(["best_advisor_id"])
        # company B reads its own, of course
        as_b = self.shared.with_user(self.user_sales_b).with_company(self.company_b)
        self.assertEqual(as_b.empathy_best_advisor_id, self.user_sales_b)
        self.assertTrue(as_b.empathy_silent)

    def test_the_rule_is_what_protects(self):
        """Without the multi-company rule, company A's salesperson would read company
        B's rows: the rule, not the addon's code, keeps them apart."""
        self._impression(self.shared, self.user_sales_b, company_id=self.company_b.id)
        Stat = self.Stat.with_user(self.user_sales)
        mine = [("partner_id", "=", self.shared.id)]
        self.assertFalse(Stat.search(mine))
        self.env.ref("empathic_crm.empathy_partner_stat_rule_company").active = False
        self.assertEqual(Stat.search(mine).company_id, self.company_b)

    def test_both_companies_read_the_current_one(self):
        """A user of both companies sees the current company's figures on the contact."""
        self.user_sales.company_ids = self.company | self.company_b
        self._impression(self.shared, self.user_sales, rapport=5)
        self._impression(self.shared, self.user_sales_b, company_id=self.company_b.id)
        both = [self.company.id, self.company_b.id]
        in_a = self.shared.with_user(self.user_sales).with_context(allowed_company_ids=both)
        self.assertEqual(in_a.empathy_best_advisor_id, self.user_sales)
        in_b = in_a.with_context(allowed_company_ids=both[::-1])
        self.assertEqual(in_b.empathy_best_advisor_id, self.user_sales_b)
        self.assertEqual(len(in_a.empathy_stat_ids), 2, "the rows of both companies")

    def test_outsiders_get_access_errors(self):
        self._impression(self.shared, self.user_sales, rapport=5)
        row = self._rows(self.shared)
        for user in (self.user_portal, self.user_public, self.user_internal):
            with self.subTest(user=user.login):
                Stat = self.Stat.with_user(user)
                for attempt in (
                    lambda Stat=Stat: Stat.search([]),
                    lambda Stat=Stat: Stat.search_count([]),
                    lambda Stat=Stat: row.with_env(Stat.env).read(["best_rapport"]),
                    lambda Stat=Stat: Stat.read_group([], ["__count"], ["best_advisor_id"]),
                    lambda user=user: self.shared.with_user(user).read(["empathy_best_rapport"]),
                    lambda user=user: self.shared.with_user(user).read(["empathy_stat_ids"]),
                    lambda user=user: (
                        self.env["res.partner"]
                        .with_user(user)
                        .search([("empathy_mood_trend", "=", "stable")])
                    ),
                    # whether a contact has figures at all (a recent buyer, an impression)
                    lambda user=user: (
                        self.env["res.partner"]
                        .with_user(user)
                        .search([("id", "=", self.shared.id), ("empathy_stat_ids", "!=", False)])
                    ),
                    lambda user=user: (
                        self.env["res.partner"]
                        .with_user(user)
                        .search([("id", "=", self.shared.id), ("empathy_stat_ids", "=", False)])
                    ),
                ):
                    with self.assertRaises(AccessError):
                        attempt()
        # nobody but the system writes them
        for user in (self.user_sales, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                row.with_user(user).write({"best_rapport": 5})
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Stat.with_user(user).create(
                    {"partner_id": self.plain.id, "company_id": self.company.id}
                )

    # ------------------------------------------------------------------
    # cost
    # ------------------------------------------------------------------
    def test_impression_path_queries(self):
        """Recording an impression and reading the figures cost no more than when the
        figures were columns of the contact."""
        self._impression(self.buyer, self.user_sales, rapport=3)
        self._impression(self.buyer, self.user_sales2, rapport=4, days_ago=2)
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        vals = {"partner_id": self.buyer.id, "user_id": self.user_sales.id, "rapport": 4, "mood": 1}
        buyer = self.buyer.with_user(self.user_sales)
        # warm-up (access rules, caches of the registry)
        Impression.create([vals])
        buyer.read(list(FIGURES))
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(IMPRESSION_QUERIES):
            Impression.create([vals])
        self.env.invalidate_all()
        with self.assertQueryCount(READ_QUERIES):
            buyer.read(list(FIGURES[:4]))
        self.assertTrue(buyer.empathy_best_advisor_id)

    # ------------------------------------------------------------------
    # upgrade from 18.0.1.4
    # ------------------------------------------------------------------
    def test_migration_from_company_dependent_columns(self):
        """The migration fills every row again from the rapport rows and the orders,
        and drops the jsonb columns of earlier versions with their indexes."""
        self._impression(self.shared, self.user_sales, rapport=5, mood=2)
        self._impression(self.shared, self.user_sales2, rapport=2, mood=-1, days_ago=3)
        self._impression(
            self.shared, self.user_sales_b, rapport=3, mood=-2, company_id=self.company_b.id
        )
        self._impression(self.runner, self.user_sales, rapport=4, days_ago=200)
        self._impression(self.buyer, self.user_sales2, rapport=1, mood=-2)
        self._sell(self.runner, self.company)
        self._sell(self.shared, self.company_b)
        self.env["res.partner"]._empathy_compute_silent()
        columns = [
            "partner_id",
            "company_id",
            "best_advisor_id",
            "best_rapport",
            "last_impression_date",
            "mood_trend",
            "silent",
            "silent_since",
            "recent_revenue",
        ]
        self.env.flush_all()
        select = f"SELECT {', '.join(columns)} FROM empathy_partner_stat ORDER BY 1, 2"
        self.env.cr.execute(select)
        before = self.env.cr.fetchall()
        self.assertEqual(len(before), 4)
        # the state of 18.0.1.4: jsonb columns on the contacts, their indexes, no rows
        migration = _load_migration()
        cr = self.env.cr
        for column in migration.OLD_COLUMNS:
            cr.execute(SQL("ALTER TABLE res_partner ADD COLUMN %s jsonb", SQL.identifier(column)))
            cr.execute(
                SQL(
                    "UPDATE res_partner SET %s = %s WHERE id = %s",
                    SQL.identifier(column),
                    '{"1": 1}',
                    self.shared.id,
                )
            )
        cr.execute(
            "CREATE INDEX res_partner_empathy_silent_gin_idx ON res_partner"
            " USING gin (empathy_silent jsonb_path_ops)"
        )
        cr.execute(
            f"CREATE INDEX res_partner_empathy_best_rapport_c{self.company.id}_cov_idx"
            " ON res_partner ((empathy_best_rapport -> '1'))"
        )
        cr.execute("DELETE FROM empathy_partner_stat")
        self.env.invalidate_all()
        migration.migrate(cr, "18.0.1.4.0")
        self.env.flush_all()
        cr.execute(select)
        self.assertEqual(cr.fetchall(), before, "every figure is back")
        cr.execute(
            """SELECT column_name FROM information_schema.columns
                WHERE table_name = 'res_partner' AND column_name = ANY(%s)""",
            [list(migration.OLD_COLUMNS)],
        )
        self.assertFalse(cr.fetchall(), "the old columns are gone")
        cr.execute(
            """SELECT indexname FROM pg_indexes
                WHERE tablename = 'res_partner' AND indexname LIKE 'res_partner_empathy_%%'
                  AND right(indexname, 8) != '_key_idx'"""
        )
        self.assertFalse(cr.fetchall(), "their indexes too")
        # and the contacts show them through the ORM, as before
        as_b = self.shared.with_user(self.user_sales_b).with_company(self.company_b)
        self.assertEqual(as_b.empathy_best_advisor_id, self.user_sales_b)
        self.assertTrue(as_b.empathy_recent_revenue)
