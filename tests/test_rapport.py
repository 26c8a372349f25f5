# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import random
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users
from odoo.tools import SQL

from odoo.addons.empathic_crm.models import empathy_rapport_recompute
from odoo.addons.empathic_crm.tools.fair import fair_score, fair_score_sql

from ..tools import compat
from .common import EmpathyCommon

#: queries of ``empathy.impression.create``: the contact (its existence and objection)
#: and the company read, the impression, the pairs' read, their write (with the rapport
#: by kind of customer: parts of the same statement), the contact's aggregates; as the
#: system and as a salesperson (was 10 when the kinds took statements of their own)
CREATE_QUERIES = 6
SALES_CREATE_QUERIES = 6


@tagged("post_install", "-at_install", "empathic_crm")
class TestRapport(EmpathyCommon):
    def _rows(self, partner):
        return self.env["empathy.rapport"].search([("partner_id", "=", partner.id)])

    def _assert_matches_scratch(self, partners):
        Rapport = self.env["empathy.rapport"]
        impressions = self.env["empathy.impression"].search([("partner_id", "in", partners.ids)])
        expected = Rapport._empathy_compute_from_scratch(impressions)
        rows = Rapport.search([("partner_id", "in", partners.ids)])
        got = {(r.partner_id.id, r.user_id.id, r.company_id.id): r for r in rows}
        self.assertEqual(set(got), set(expected))
        for key, vals in expected.items():
            row = got[key]
            self.assertAlmostEqual(row.score, vals["score"], places=9, msg=key)
            self.assertEqual(row.impression_count, vals["impression_count"], key)
            self.assertEqual(row.last_date, vals["last_date"], key)
            self.assertEqual(row.trend, vals["trend"], key)
        self._assert_fair_consistent(rows)

    def _assert_fair_consistent(self, rows):
        """Each pair's fair score is exact for its advisor's scale, one scale per advisor."""
        shrinkage = self.env["empathy.rapport"]._empathy_shrinkage()
        scales = {}
        for row in rows:
            want = fair_score(
                row.score, row.impression_count, row.advisor_mean, row.team_mean, shrinkage
            )
            self.assertAlmostEqual(row.fair_score, want, places=9, msg=row)
            scale = scales.setdefault(
                (row.user_id, row.company_id), (row.advisor_mean, row.team_mean)
            )
            self.assertAlmostEqual(row.advisor_mean, scale[0], places=9)

    def _assert_refreshed_matches_scratch(self):
        """After a bulk refresh, every fair score equals the from-scratch one."""
        Rapport = self.env["empathy.rapport"]
        Rapport._empathy_refresh_scales(threshold=-1.0)
        expected = Rapport._empathy_compute_from_scratch(self.env["empathy.impression"].search([]))
        rows = Rapport.search([])
        self.assertEqual(len(rows), len(expected))
        for row in rows:
            want = expected[row.partner_id.id, row.user_id.id, row.company_id.id]
            for name in ("fair_score", "advisor_mean", "team_mean"):
                self.assertAlmostEqual(row[name], want[name], places=9, msg=(row, name))
        return rows

    def test_weighted_score_halves_every_half_life(self):
        # 180 days apart: the older impression weighs half of the newer one
        self._impression(self.runner, rapport=1, days_ago=180)
        self._impression(self.runner, rapport=4, days_ago=0)
        row = self._rows(self.runner)
        self.assertEqual(len(row), 1)
        self.assertAlmostEqual(row.score, (0.5 * 1 + 1 * 4) / 1.5, places=9)
        self.assertEqual(row.impression_count, 2)
        self.assertEqual(row.last_date, datetime(2026, 6, 1, 12, 0))
        self.assertEqual(row.trend, "improving")
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales)
        self.assertAlmostEqual(self.runner.empathy_best_rapport, row.fair_score, places=2)
        self.assertEqual(self.runner.empathy_last_impression_date, datetime(2026, 6, 1, 12, 0))

    def _run_scheduled_rebuild(self):
        """Run the scheduled rebuild as the cron worker does: calls until done."""
        cron = self.env.ref("empathic_crm.ir_cron_empathy_rapport_rebuild")
        Rapport = self.env["empathy.rapport"].with_context(ir_cron_progress_id=None)
        for _call in range(20):
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Rapport.with_context(ir_cron_progress_id=progress.id)._cron_empathy_rebuild()
            if not progress.remaining:
                return
        self.fail("the rebuild does not end")

    def test_half_life_setting_schedules_the_rebuild(self):
        """Changing the half-life in Settings rebuilds nothing in the save: it triggers
        the scheduled rebuild, which rebuilds every pair set-based, batch by batch."""
        rng = random.Random(3)
        partners = self.runner | self.buyer | self.plain
        for _step in range(40):
            self._impression(
                rng.choice(partners),
                user=rng.choice(self.user_sales | self.user_sales2),
                days_ago=rng.randint(0, 700),
                rapport=rng.randint(1, 5),
            )
        Rapport = self.env["empathy.rapport"]
        rows = Rapport.search([])
        scores = rows.mapped("score")
        cron = self.env.ref("empathic_crm.ir_cron_empathy_rapport_rebuild")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        settings = self.env["res.config.settings"].create({"empathy_rapport_half_life_days": 30})
        settings.execute()
        self.assertEqual(Rapport._empathy_half_life(), 30)
        rows.invalidate_recordset()
        self.assertEqual(rows.mapped("score"), scores, "nothing rebuilt in the request")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        with patch.object(empathy_rapport_recompute, "REBUILD_BATCH", 2):
            self._run_scheduled_rebuild()
        self._assert_matches_scratch(partners)
        self._assert_refreshed_matches_scratch()

    def test_rebuild_is_the_orm_recompute(self):
        """The set-based rebuild gives the numbers of the ORM's from-scratch recompute,
        pairs whose reference date moves (replayed with the model) included; queued
        changes of the customers rebuilt are part of their impressions (dropped)."""
        self.env["ir.config_parameter"].set_param("empathic_crm.rapport_half_life_days", 1)
        self._impression(self.runner, rapport=2, days_ago=120)  # 120 half-lives: rebased
        self._impression(self.runner, rapport=5, days_ago=0)
        self._impression(self.runner, user=self.user_sales2, rapport=3, days_ago=2)
        self._impression(self.buyer, rapport=4, days_ago=1)
        self._impression(self.buyer, rapport=1, days_ago=0)
        Rapport = self.env["empathy.rapport"]
        Rapport.search([("partner_id", "=", self.buyer.id)]).write({"score": 9.0})  # drift
        self.env["empathy.rapport.queue"]._empathy_enqueue(
            [
                (
                    1,
                    {
                        "partner_id": self.buyer.id,
                        "user_id": self.user_sales.id,
                        "company_id": self.company.id,
                        "date": datetime(2026, 6, 1),
                        "rapport": 5,
                        "mood": 0,
                    },
                )
            ]
        )
        self.assertEqual(Rapport._empathy_rebuild_now(everything=True), 2)
        self._assert_matches_scratch(self.runner | self.buyer)
        self._assert_refreshed_matches_scratch()
        self.env.cr.execute("SELECT count(*) FROM empathy_rapport_queue")
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_half_life_setting(self):
        self.env["ir.config_parameter"].set_param("empathic_crm.rapport_half_life_days", 90)
        self._impression(self.runner, rapport=1, days_ago=180)
        self._impression(self.runner, rapport=4, days_ago=0)
        self.assertAlmostEqual(self._rows(self.runner).score, (0.25 * 1 + 4) / 1.25, places=9)

    def test_edit_delete_backdate_match_scratch(self):
        a = self._impression(self.runner, rapport=5, days_ago=10)
        b = self._impression(self.runner, rapport=2, days_ago=400)
        c = self._impression(self.runner, user=self.user_sales2, rapport=3, days_ago=5)
        self._assert_matches_scratch(self.runner)
        a.rapport = 1
        self._assert_matches_scratch(self.runner)
        b.date = datetime(2026, 6, 2)  # back-dated impression moved to the newest
        self._assert_matches_scratch(self.runner)
        c.user_id = self.user_sales  # moved to another advisor: the row disappears
        self._assert_matches_scratch(self.runner)
        self.assertEqual(len(self._rows(self.runner)), 1)
        b.unlink()  # the newest one: last date is re-read
        self._assert_matches_scratch(self.runner)
        self.assertEqual(self._rows(self.runner).last_date, c.date)
        (a | c).unlink()
        self.assertFalse(self._rows(self.runner))
        self.assertFalse(self.runner.empathy_best_advisor_id)
        self.assertFalse(self.runner.empathy_last_impression_date)

    def test_randomized_incremental_equals_scratch(self):
        rng = random.Random(42)
        partners = self.runner | self.buyer | self.plain
        users_ = self.user_sales | self.user_sales2 | self.user_manager
        impressions = self.env["empathy.impression"]
        created = 0
        for step in range(720):
            op = rng.random()
            if op < 0.75 or not impressions:
                created += 1
                impressions |= self._impression(
                    rng.choice(partners),
                    user=rng.choice(users_),
                    days_ago=rng.randint(0, 3 * 365),
                    rapport=rng.randint(1, 5),
                    mood=rng.randint(-2, 2),
                )
            elif op < 0.9:
                rng.choice(impressions).write(
                    {
                        "rapport": rng.randint(1, 5),
                        "date": datetime(2026, 6, 1) - timedelta(days=rng.randint(0, 1000)),
                    }
                )
            else:
                victim = rng.choice(impressions)
                impressions -= victim
                victim.unlink()
            if step % 150 == 0:
                self._assert_matches_scratch(partners)
        self.assertGreaterEqual(created, 500)
        self.assertGreaterEqual(len(impressions), 400)
        self._assert_matches_scratch(partners)
        # the bulk refresh of the advisors' scales gives the from-scratch fair scores,
        # and the best advisor follows them
        rows = self._assert_refreshed_matches_scratch()
        for partner in partners:
            mine = rows.filtered(lambda r, p=partner: r.partner_id == p)
            self.assertEqual(partner.empathy_best_advisor_id, mine[:1].user_id)
            self.assertAlmostEqual(
                partner.empathy_best_rapport, round(mine[:1].fair_score, 2), places=6
            )
        # incremental again on top of the refreshed scales
        for _step in range(30):
            impressions |= self._impression(
                rng.choice(partners),
                user=rng.choice(users_),
                days_ago=rng.randint(0, 3 * 365),
                rapport=rng.randint(1, 5),
            )
        self._assert_matches_scratch(partners)
        # the repair action rebuilds the same numbers
        self._assert_refreshed_matches_scratch()
        fields_ = ("score", "fair_score", "advisor_mean", "team_mean")
        before = {
            (r.partner_id, r.user_id): r.read(fields_)[0]
            for r in self.env["empathy.rapport"].search([])
        }
        action = self.env["empathy.rapport"].with_user(self.user_manager).action_recompute_all()
        self.assertEqual(action["tag"], "display_notification", "scheduled, not run")
        self._run_scheduled_rebuild()
        after = {
            (r.partner_id, r.user_id): r.read(fields_)[0]
            for r in self.env["empathy.rapport"].search([])
        }
        self.assertEqual(before.keys(), after.keys())
        for key, values in before.items():
            for name in fields_:
                self.assertAlmostEqual(values[name], after[key][name], places=9)

    def test_best_advisor_ties(self):
        # same fair score: more impressions wins
        self._impression(self.runner, user=self.user_sales, rapport=4, days_ago=3)
        self._impression(self.runner, user=self.user_sales2, rapport=4, days_ago=2)
        self._impression(self.runner, user=self.user_sales2, rapport=4, days_ago=1)
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales2)
        # same fair score and count: most recent wins
        self._impression(self.buyer, user=self.user_sales, rapport=3, days_ago=1)
        self._impression(self.buyer, user=self.user_sales2, rapport=3, days_ago=9)
        self.assertEqual(self.buyer.empathy_best_advisor_id, self.user_sales)
        self.env["empathy.rapport"]._empathy_refresh_scales()
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales2)
        self.assertEqual(self.buyer.empathy_best_advisor_id, self.user_sales)

    def _rate(self, *ratings, days_ago=0):
        """Create (partner, user, rapport, count) impressions in one batch."""
        vals_list = []
        for partner, user, rapport, count in ratings:
            vals_list += [
                {
                    "partner_id": partner.id,
                    "user_id": user.id,
                    "rapport": rapport,
                    "mood": 0,
                    "date": datetime(2026, 6, 1) - timedelta(days=days_ago + i),
                }
                for i in range(count)
            ]
        self.env["empathy.impression"].create(vals_list)

    def test_fair_score_corrects_a_lenient_rater(self):
        """Sam gives everybody five stars; Sally's four for Jonas is her best rating."""
        sam, sally = self.user_sales2, self.user_sales
        self._rate(
            (self.runner, sally, 4, 3),
            (self.buyer, sally, 3, 1),
            (self.plain, sally, 3, 1),
            (self.runner, sam, 5, 3),
            (self.buyer, sam, 5, 1),
            (self.plain, sam, 5, 1),
        )
        rows = self._rows(self.runner)
        by_user = {row.user_id: row for row in rows}
        team = (4 + 3 + 3 + 5 + 5 + 5) / 6
        self.assertAlmostEqual(by_user[sally].advisor_mean, 10 / 3, places=9)
        self.assertAlmostEqual(by_user[sam].advisor_mean, 5.0, places=9)
        self.assertAlmostEqual(by_user[sam].team_mean, team, places=9)
        self.assertAlmostEqual(by_user[sally].fair_score, team + 3 / 5 * (4 - 10 / 3), places=9)
        self.assertAlmostEqual(by_user[sam].fair_score, team, places=9)
        # the raw mean would pick Sam; the fair score picks Sally
        self.assertGreater(by_user[sam].score, by_user[sally].score)
        self.assertEqual(self.runner.empathy_best_advisor_id, sally)
        self.assertAlmostEqual(self.runner.empathy_best_rapport, 4.57, places=2)
        self.assertEqual(rows[0].user_id, sally, "ordered by fair score")
        self.assertEqual(
            by_user[sally].fair_explanation,
            "Own ratings of Jonas Keller: 4.0 / 5, from 3 impressions. Sally Sales rates 0.8"
            " stars below the team on average, which raises it. Fair rapport: 4.6 / 5.",
        )
        self.assertIn("Few impressions: uncertain", self._rows(self.buyer)[0].fair_explanation)
        self.assertIn(
            "Sam Second rates 0.8 stars above the team on average, which lowers it.",
            by_user[sam].fair_explanation,
        )
        # a stricter shrinkage (setting) pulls toward the team average, set-based
        settings = self.env["res.config.settings"].create({"empathy_rapport_shrinkage": 7})
        settings.execute()
        self.assertEqual(self.env["empathy.rapport"]._empathy_shrinkage(), 7)
        self._run_scheduled_rebuild()  # scheduled by the save, run in the background
        self.assertAlmostEqual(by_user[sally].fair_score, team + 3 / 10 * (4 - 10 / 3), places=9)
        self.assertAlmostEqual(self.runner.empathy_best_rapport, 4.37, places=2)

    def test_scores_are_averaged_never_summed(self):
        """Every score of the addon (1-5 or a deviation in stars) that a pivot or graph
        can show aggregates as an average: a sum of scores means nothing."""
        scores = {
            "empathy.rapport": ("score", "fair_score", "advisor_mean", "team_mean"),
            "empathy.impression": ("rapport", "mood"),
            "empathy.kind.rapport": ("fair_effect",),
        }
        for model, names in scores.items():
            for name in names:
                with self.subTest(model=model, field=name):
                    self.assertEqual(self.env[model]._fields[name].aggregator, "avg")
        # the graph views show each figure, never a stack of them (and its Sum line)
        for xmlid in ("empathy_rapport_view_graph", "empathy_kind_rapport_view_graph"):
            arch = self.env.ref(f"empathic_crm.{xmlid}").arch
            self.assertIn('stacked="0"', arch, xmlid)

    def test_settings_defaults_have_one_home(self):
        """The settings form, the parameters a new database gets and the fallback of the
        code (parameter unset) say the same: each default is one constant."""
        Param = self.env["ir.config_parameter"].sudo()
        settings = self.env["res.config.settings"]
        defaults = settings.default_get(list(settings._fields))
        checked = 0
        for name, field in settings._fields.items():
            key = getattr(field, "config_parameter", None)
            if not key or not key.startswith("empathic_crm.") or field.type != "integer":
                continue
            with self.subTest(key=key):
                self.assertEqual(defaults[name], field.default(settings))
                stored = Param.get_param(key)
                if stored:  # a declared initial value (data file)
                    self.assertEqual(int(stored), field.default(settings), "data file")
                checked += 1
        self.assertGreaterEqual(checked, 7)
        # the code's fallback when a parameter is deleted is the settings' default
        for key, field, read in (
            ("empathic_crm.retention_months", "empathy_retention_months", None),
            ("empathic_crm.rapport_shrinkage", "empathy_rapport_shrinkage", "shrinkage"),
        ):
            Param.search([("key", "=", key)]).unlink()
            default = settings._fields[field].default(settings)
            if read == "shrinkage":
                self.assertEqual(self.env["empathy.rapport"]._empathy_shrinkage(), default)
            else:
                limit = self.env["empathy.impression"]._empathy_retention_limit()
                months = round((fields.Datetime.now() - limit).days / 30.44)
                self.assertEqual(months, default)

    def test_sql_fair_score_is_the_python_one(self):
        """The bulk refresh's SQL formula (``fair_score_sql``) gives ``fair_score``'s values."""
        cases = [
            # pair mean, impressions, advisor mean, team mean, shrinkage
            (4.0, 3, 10 / 3, 23 / 6, 2),
            (3.3, 7, 3.3, 3.0, 5),
            (2.5, 2, 3.1, 3.4, 10),
            (4.2, 12, 4.6, 3.9, 0),
            (5.0, 40, 1.5, 4.8, 1),  # above 5: clamped
            (1.0, 40, 4.8, 1.5, 1),  # below 1: clamped
        ]
        self.env.cr.execute(
            SQL(
                "SELECT %s FROM (VALUES %s) AS v(i, pair_mean, n, advisor_mean, team_mean, k)"
                " ORDER BY v.i",
                SQL(fair_score_sql("v.pair_mean", "v.n", "v.advisor_mean", "v.team_mean", "v.k")),
                SQL(", ").join(
                    SQL("(%s, %s::float8, %s::int, %s::float8, %s::float8, %s::int)", i, *case)
                    for i, case in enumerate(cases)
                ),
            )
        )
        got = [score for (score,) in self.env.cr.fetchall()]
        self.assertEqual(len(got), len(cases))
        for case, score in zip(cases, got, strict=True):
            self.assertAlmostEqual(score, fair_score(*case), places=12, msg=case)
        self.assertEqual(got[-2:], [5.0, 1.0])

    def test_refresh_only_when_the_scale_moved(self):
        Rapport = self.env["empathy.rapport"]
        self._rate((self.runner, self.user_sales, 4, 2), (self.buyer, self.user_sales, 2, 2))
        self.assertEqual(Rapport._empathy_refresh_scales(), 0, "nothing moved")
        # the advisor's mean moves with every impression; the pairs keep the scale of
        # the last refresh until it moved by more than the threshold
        self._impression(self.plain, user=self.user_sales, rapport=3)
        row = self._rows(self.runner)
        self.assertAlmostEqual(row.advisor_mean, 3.0, places=9)
        self.assertEqual(Rapport._empathy_refresh_scales(), 0, "3.0 is still the mean")
        self._impression(self.plain, user=self.user_sales, rapport=5, days_ago=1)
        self.assertEqual(Rapport._empathy_refresh_scales(), 3, "the mean moved: all 3 pairs")
        self.assertAlmostEqual(row.advisor_mean, (4 + 2 + 4) / 3, places=2)
        self.assertEqual(Rapport._empathy_refresh_scales(threshold=-1), 3, "forced")
        compat.run_cron_now(self, self.env.ref("empathic_crm.ir_cron_empathy_refresh_fair_rapport"))

    def test_mood_trend(self):
        for days, mood in ((60, 2), (50, 2), (40, 1), (30, 0), (20, -1), (10, -2)):
            self._impression(self.runner, mood=mood, days_ago=days)
        self.assertEqual(self.runner.empathy_mood_trend, "declining")
        for days, mood in ((60, -2), (50, -1), (40, -1), (30, 1), (20, 2), (10, 2)):
            self._impression(self.buyer, mood=mood, days_ago=days)
        self.assertEqual(self.buyer.empathy_mood_trend, "improving")
        self._impression(self.plain, mood=1)
        self.assertEqual(self.plain.empathy_mood_trend, "stable")

    def test_multi_company_isolation(self):
        self._impression(self.runner, user=self.user_sales, rapport=5)
        self._impression(
            self.runner, user=self.user_sales_b, rapport=1, company_id=self.company_b.id
        )
        rows = self._rows(self.runner)
        self.assertEqual(len(rows), 2)
        self.assertEqual(set(rows.mapped("company_id")), {self.company, self.company_b})
        seen_a = (
            self.env["empathy.rapport"]
            .with_user(self.user_sales)
            .search([("partner_id", "=", self.runner.id)])
        )
        self.assertEqual(seen_a.company_id, self.company)
        seen_b = (
            self.env["empathy.rapport"]
            .with_user(self.user_sales_b)
            .search([("partner_id", "=", self.runner.id)])
        )
        self.assertEqual(seen_b.company_id, self.company_b)
        self.assertEqual(seen_b.score, 1.0)

    def test_partner_filters(self):
        sally, sam = self.user_sales, self.user_sales2
        self._rate((self.runner, sally, 5, 4), days_ago=100)
        self._rate((self.buyer, sally, 1, 4), (self.buyer, sam, 2, 4), (self.plain, sam, 4, 4))
        # both rate 3 on average, like the team
        self.env["empathy.rapport"]._empathy_refresh_scales()
        Partner = self.env["res.partner"].with_user(sally)
        click = Partner.search(
            [
                (
                    "empathy_rapport_ids",
                    "any",
                    [("user_id", "=", sally.id), ("fair_score", ">=", 4)],
                )
            ]
        )
        self.assertEqual(click & (self.runner | self.buyer), self.runner)
        low = Partner.search(
            [("empathy_best_rapport", "<", 2.5), ("empathy_best_advisor_id", "!=", False)]
        )
        self.assertEqual(low & (self.runner | self.buyer | self.plain), self.buyer)
        self.assertAlmostEqual(self.buyer.empathy_best_rapport, 2.33, places=2)
        stale = Partner.search(
            [("empathy_last_impression_date", "<", datetime(2026, 6, 1) - timedelta(days=90))]
        )
        self.assertIn(self.runner, stale)
        self.assertNotIn(self.buyer, stale)
        by_advisor = Partner.search([("empathy_best_advisor_id", "=", sam.id)])
        self.assertIn(self.buyer, by_advisor)

    def test_briefing_shows_best_advisor_and_low_rapport_warning(self):
        sally, sam = self.user_sales, self.user_sales2
        others = self.env["res.partner"].create([{"name": "Other 1"}, {"name": "Other 2"}])
        self._rate(
            (self.runner, sally, 1, 6),
            (self.buyer, sally, 4, 1),
            (self.plain, sally, 4, 1),
            (others[0], sally, 4, 1),
            (others[1], sally, 4, 1),
            (self.runner, sam, 5, 1),
            (self.buyer, sam, 5, 1),
            (self.plain, sam, 5, 1),
        )
        briefing = str(self.runner.with_user(sally).empathy_briefing)
        self.assertIn("Sam Second (rapport 4.0 / 5)", briefing)
        self.assertIn(
            "Your rapport with this customer is low (2.2 / 5). Sam Second clicks better"
            " (4.0 / 5): consider asking them to take over. From one impression, corrected"
            " for how each advisor rates. Few impressions, so it stays close to the team&#39;s 4.0 / 5.",
            briefing,
        )
        # a colleague's rating habit is for the manager's report, not a salesperson's screen
        self.assertNotIn("stars above", briefing)
        self.assertNotIn("own ratings", briefing)
        self.assertIn("you (rapport 4.0 / 5)", str(self.runner.with_user(sam).empathy_briefing))
        self.assertNotIn("is low", str(self.runner.with_user(sam).empathy_briefing))

    def test_briefing_numbers_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self._impression(self.runner, user=self.user_sales, rapport=4)
        self._impression(self.runner, user=self.user_sales, rapport=5, days_ago=1)
        score = self.runner.empathy_best_rapport
        self.assertNotEqual(score, round(score), "the score has decimals")
        german = self.runner.with_user(self.user_sales).with_context(lang="de_DE")
        briefing = str(german.empathy_briefing)
        self.assertIn(f"{score:.1f}".replace(".", ",") + " / 5", briefing)
        self.assertNotIn(f"{score:.1f} / 5", briefing)

    def test_constant_queries_whatever_the_history(self):
        """Adding an impression costs the same with 1 or 200 prior impressions."""
        Impression = self.env["empathy.impression"]
        Impression.create(
            [{"partner_id": self.plain.id, "user_id": self.user_sales.id, "rapport": 3, "mood": 0}]
        )
        Impression.create(
            [
                {
                    "partner_id": self.buyer.id,
                    "user_id": self.user_sales.id,
                    "rapport": (i % 5) + 1,
                    "mood": 0,
                    "date": datetime(2024, 1, 1) + timedelta(days=i),
                }
                for i in range(200)
            ]
        )
        self.assertEqual(self.buyer.empathy_impression_count, 200)
        counts = {}
        for partner in (self.plain, self.buyer):
            vals = {
                "partner_id": partner.id,
                "user_id": self.user_sales.id,
                "rapport": 4,
                "mood": 1,
            }
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            Impression.create([vals])
            self.env.flush_all()
            counts[partner.name] = self.cr.sql_log_count - start
        self.assertEqual(counts[self.plain.name], counts[self.buyer.name], counts)
        # the pairs' read, their write with the kind statistics, the contact's refresh
        self.assertEqual(counts[self.plain.name], CREATE_QUERIES, counts)
        self.env.invalidate_all()
        with self.assertQueryCount(counts[self.plain.name]):
            Impression.create(
                [
                    {
                        "partner_id": self.buyer.id,
                        "user_id": self.user_sales.id,
                        "rapport": 2,
                        "mood": 0,
                    }
                ]
            )

    @users("emp_sales")
    def test_create_query_count_as_salesperson(self):
        """Recording an impression as a salesperson (record rules apply): a constant
        number of queries, the rapport by kind of customer included (the customer has
        a style and motives: kinds to update)."""
        Impression = self.env["empathy.impression"]
        Impression.create({"partner_id": self.runner.id, "rapport": 3, "mood": 0})
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(emp_sales=SALES_CREATE_QUERIES):
            Impression.create({"partner_id": self.runner.id, "rapport": 4, "mood": 1})
            self.env.flush_all()

    @users("emp_sales")
    def test_salesman_cannot_write_rapport_or_recompute(self):
        self._impression(self.runner, user=self.user_sales)
        row = self.env["empathy.rapport"].search([("partner_id", "=", self.runner.id)])
        self.assertEqual(len(row), 1)
        with self.assertRaises(AccessError):
            row.write({"score": 5})
        with self.assertRaises(AccessError):
            self.env["empathy.rapport"].action_recompute_all()


@tagged("post_install", "-at_install", "empathic_crm")
class TestAssignBestAdvisor(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner.user_id = cls.user_sales
        cls._impression(cls.runner, user=cls.user_sales, rapport=1)
        cls._impression(cls.runner, user=cls.user_sales2, rapport=5)
        cls._impression(cls.buyer, user=cls.user_sales, rapport=4)
        cls.buyer.user_id = cls.user_sales
        # the advisors' scales as the scheduled action refreshes them: Sally 2.5, Sam 5
        cls.env["empathy.rapport"]._empathy_refresh_scales()

    def _wizard(self, user, partners):
        return Form(
            self.env["empathy.assign.advisor.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )

    def _lines(self, wizard):
        return {line.partner_id: line for line in wizard.line_ids}

    def test_preview_and_assign(self):
        partners = self.runner | self.buyer | self.plain
        form = self._wizard(self.user_manager, partners)
        self.assertEqual(form.min_impressions, 3, "the evidence setting's default")
        # Sam's rapport with Jonas rests on one impression: not moved by default
        self.assertEqual(form.change_count, 0)
        form.min_impressions = 1
        self.assertEqual(form.change_count, 1)
        wizard = form.save()
        lines = self._lines(wizard)
        self.assertEqual(lines[self.runner].new_user_id, self.user_sales2)
        self.assertEqual(lines[self.runner].status, "move")
        self.assertAlmostEqual(lines[self.runner].fair_rapport, 3.3, places=1)
        # the rows left as they are say why
        self.assertEqual(lines[self.buyer].note, "Already with the best advisor")
        self.assertEqual(lines[self.plain].note, "No rapport known yet")
        self.assertFalse(lines[self.plain].selected)
        result = wizard.action_confirm()
        self.assertEqual(result["tag"], "display_notification", "the manager reads what moved")
        self.assertIn(
            "1 customer(s) moved to their best advisor: Jonas Keller.", result["params"]["message"]
        )
        self.assertIn("2 left unchanged.", result["params"]["message"])
        self.assertEqual(self.runner.user_id, self.user_sales2)
        self.assertEqual(self.buyer.user_id, self.user_sales)
        log = self.runner.message_ids[0]
        self.assertIn(
            "Salesperson changed from Sally Sales to Sam Second by Mia Manager", str(log.body)
        )
        self.assertIn("best fair rapport with this customer (3.3 / 5)", str(log.body))

    def test_thin_evidence_and_per_row_choice(self):
        other = self.env["res.partner"].create(
            {"name": "Other Runner", "user_id": self.user_sales.id}
        )
        self._impression(other, user=self.user_sales2, rapport=5)
        form = self._wizard(self.user_manager, self.runner | other)
        lines = form.line_ids
        self.assertEqual(form.change_count, 0)
        for index in range(len(lines)):
            with lines.edit(index) as line:
                self.assertEqual(line.status, "thin")
                self.assertIn("Only 1 of 3 impressions: uncertain.", line.note)
                # the manager decides row by row: only Jonas
                line.selected = line.partner_id == self.runner
        self.assertEqual(form.change_count, 1)
        form.save().action_confirm()
        self.assertEqual(self.runner.user_id, self.user_sales2)
        self.assertEqual(other.user_id, self.user_sales, "a row switched off stays as it is")

    def test_only_managers(self):
        with self.assertRaises(AccessError):
            self._wizard(self.user_sales, self.runner)
        wizard = (
            self.env["empathy.assign.advisor.wizard"]
            .with_user(self.user_manager)
            .create({"partner_ids": [(6, 0, self.runner.ids)]})
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.user_sales).action_confirm()
        self.assertEqual(self.runner.user_id, self.user_sales)

    def test_nothing_to_change(self):
        wizard = (
            self.env["empathy.assign.advisor.wizard"]
            .with_user(self.user_manager)
            .create({"partner_ids": [(6, 0, (self.buyer | self.plain).ids)]})
        )
        self.assertEqual(wizard.change_count, 0)
        self.assertFalse(wizard.line_ids.filtered("selected"))
        with self.assertRaisesRegex(UserError, "Nothing to change"):
            wizard.action_confirm()
