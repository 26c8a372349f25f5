# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Advisor matching by kind of customer (issue #24)."""

import contextlib
import random
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.empathic_crm.models.crm_team_matching import CrmTeamMatching

from ..tools import compat
from .common import EmpathyCommon

#: the explanation of the advisor who clicks with emotional customers (see setUpClass)
SALLY_EMOTIONAL = "clicks with emotion- and design-oriented customers (fair +0.8 over 6 such"


@tagged("post_install", "-at_install", "empathic_crm")
class TestMatching(EmpathyCommon):
    """A lenient advisor (Lena), a strict one who clicks with emotional customers
    (Sally) and one who has met nobody (Sam); six factual and six emotional customers.

    Sally rates factual customers 2 and emotional ones 4 (her mean 3); Lena rates
    factual customers 5 and emotional ones 4 (her mean 4.5). Both rate emotional
    customers 4: the raw means tie, but Sally clicks with them one star above her own
    scale, Lena half a star below hers. Team mean 3.75; with k = 2 pseudo-customers
    Sally's effect for emotional customers is 6/8 * 1 = 0.75 (fit 4.5), Lena's
    -0.375 (fit 3.375), Sam has no evidence (3.75).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_lena = cls.env["res.users"].create(
            {
                "name": "Lena Lenient",
                "login": "emp_lena",
                compat.user_groups_field(): [
                    Command.set(cls.env.ref("sales_team.group_sale_salesman").ids)
                ],
            }
        )
        cls.advisors = cls.user_sales | cls.user_lena | cls.user_sales2
        Partner = cls.env["res.partner"]
        cls.factual = Partner.create(
            [{"name": f"Factual {i}", "empathy_communication_style": "factual"} for i in range(6)]
        )
        cls.emotional = Partner.create(
            [
                {"name": f"Emotional {i}", "empathy_communication_style": "emotional"}
                for i in range(6)
            ]
        )
        vals = []
        for partners, sally, lena in ((cls.factual, 2, 5), (cls.emotional, 4, 4)):
            for partner in partners:
                for user, stars in ((cls.user_sales, sally), (cls.user_lena, lena)):
                    vals += cls._vals(partner, user, [stars, stars])
        cls.env["empathy.impression"].create(vals)
        cls.newcomer = Partner.create(
            {"name": "Nina New", "empathy_communication_style": "emotional"}
        )
        cls.Kind = cls.env["empathy.kind.rapport"]

    @classmethod
    def _vals(cls, partner, user, stars, start=0):
        return [
            {
                "partner_id": partner.id,
                "user_id": user.id,
                "rapport": rating,
                "mood": 0,
                "date": datetime(2026, 5, 1) + timedelta(hours=start + i),
            }
            for i, rating in enumerate(stars)
        ]

    def _fits(self, partner=None, user=None, **kw):
        partner = (partner or self.newcomer).with_user(user or self.user_manager)
        return {row["user_id"]: row for row in partner.empathy_advisor_fit(**kw)}

    def _snapshot(self):
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT user_id, company_id, trait, value, communication_style, temperament,
                      motive_id, value_id, channel, pair_count, impression_count,
                      sum_score, sum_score_sq, fair_effect
                 FROM empathy_kind_rapport
                -- a row left without customers counts as absent (deleted by the rebuild)
                WHERE pair_count <> 0
             ORDER BY 1, 2, 3, 4"""
        )
        return self.env.cr.fetchall()

    def _assert_equals_rebuild(self):
        incremental = self._snapshot()
        self.Kind._empathy_rebuild()
        rebuilt = self._snapshot()
        self.assertEqual([row[:11] for row in incremental], [row[:11] for row in rebuilt])
        for inc, reb in zip(incremental, rebuilt, strict=True):
            for a, b in zip(inc[11:], reb[11:], strict=True):
                self.assertAlmostEqual(a, b, places=9, msg=inc[:4])
        return rebuilt

    # ------------------------------------------------------------------
    # the fit
    # ------------------------------------------------------------------
    def test_kind_removes_leniency(self):
        fits = self._fits(user_ids=self.advisors.ids)
        sally, lena, sam = (fits[u.id] for u in self.advisors)
        # evidence first: Sam, of whom nothing is known, ranks after Lena's evidence
        self.assertEqual(list(fits), [self.user_sales.id, self.user_lena.id, self.user_sales2.id])
        self.assertAlmostEqual(sally["fit"], 4.5)
        self.assertAlmostEqual(lena["fit"], 3.375)
        self.assertAlmostEqual(sam["fit"], 3.75)
        self.assertEqual((sally["basis"], lena["basis"], sam["basis"]), ("kind", "kind", "team"))
        self.assertEqual(sally["explanation"], f"Sally Sales: 4.5, {SALLY_EMOTIONAL} customers).")
        self.assertIn("clicks less with emotion- and design-oriented", lena["explanation"])
        self.assertIn("team average", sam["explanation"])
        for row in fits.values():
            # never the advisor's overall level or rating scale
            self.assertNotIn("rates", row["explanation"])
            self.assertNotIn("4.5 stars", row["explanation"])

    def test_default_candidates_are_the_companys_advisors(self):
        fits = self._fits()
        self.assertTrue(set(self.advisors.ids) <= set(fits))
        self.assertNotIn(self.user_portal.id, fits)
        self.assertNotIn(self.user_internal.id, fits)
        self.assertNotIn(self.user_sales_b.id, fits, "another company's advisor")
        values = [row["fit"] for row in fits.values()]
        known = [row["fit"] for row in fits.values() if row["basis"] != "team"]
        self.assertEqual(known, sorted(known, reverse=True), "best first")
        bases = [row["basis"] for row in fits.values()]
        self.assertEqual(
            bases, sorted(bases, key=lambda basis: basis == "team"), "no evidence ranks last"
        )
        self.assertTrue(all(1.0 <= value <= 5.0 for value in values))

    def test_pair_is_its_fair_rapport(self):
        """An advisor who has met the customer: the pair's fair rapport, the briefing's
        figure (one relationship, one number), whatever the kind would suggest."""
        customer = self.emotional[0]
        fits = self._fits(customer, user_ids=self.advisors.ids)
        self.assertEqual(fits[self.user_lena.id]["basis"], "pair")
        self.assertEqual(
            fits[self.user_lena.id]["explanation"].split(", ", 1)[1],
            "from their own rapport with this customer (2 impressions).",
            "the figure is the pair's: no kind named beside it",
        )
        self.assertEqual(fits[self.user_sales2.id]["basis"], "team")
        # Sam rates three factual customers 2 and clicks with this one, ten times
        Impression = self.env["empathy.impression"]
        for partner in self.factual[:3]:
            Impression.create(self._vals(partner, self.user_sales2, [2]))
        Impression.create(self._vals(customer, self.user_sales2, [5] * 10, 10))
        self.env["empathy.rapport"]._empathy_refresh_scales()
        fits = self._fits(customer, user_ids=self.advisors.ids)
        rapport = self.env["empathy.rapport"].search([("partner_id", "=", customer.id)])
        for user in self.advisors:
            row = rapport.filtered(lambda r, user=user: r.user_id == user)
            self.assertEqual(fits[user.id]["basis"], "pair")
            self.assertAlmostEqual(fits[user.id]["fit"], row.fair_score, places=9)
        self.assertEqual(next(iter(fits)), self.user_sales2.id, "his own rapport counts")
        customer.invalidate_recordset()
        self.assertEqual(customer.empathy_best_advisor_id, self.user_sales2)
        self.assertEqual(fits[self.user_sales2.id]["fit"], customer.empathy_best_rapport)
        score = self.Kind._empathy_format(customer.empathy_best_rapport)
        self.assertIn(f"{score} / 5", customer.with_user(self.user_manager).empathy_briefing)
        self.assertTrue(
            fits[self.user_sales2.id]["explanation"].startswith(
                f"{self.user_sales2.name}: {score},"
            )
        )

    def test_lead_suggestion_agrees_with_best_advisor(self):
        """Among advisors who all met the customer, the lead suggests the best advisor."""
        customer = self.emotional[1]
        self.env["empathy.rapport"]._empathy_refresh_scales()
        lead = self.env["crm.lead"].create(
            {"name": "Emotional lead", "partner_id": customer.id, "user_id": False}
        )
        lead_fits = lead._empathy_lead_fits(user_ids=(self.user_sales | self.user_lena).ids)
        self.assertEqual(lead_fits[lead.id][0].user_id, customer.empathy_best_advisor_id.id)
        self.assertEqual(lead_fits[lead.id][0].fit, customer.empathy_best_rapport)

    def test_secondary_traits_need_evidence(self):
        """One motive customer says nothing; six clear ones do."""
        motive = self.motive_marathon
        runners = self.env["res.partner"].create(
            [
                {"name": f"Runner {i}", "empathy_motive_ids": [Command.set(motive.ids)]}
                for i in range(6)
            ]
        )
        Impression = self.env["empathy.impression"]
        Impression.create(self._vals(runners[0], self.user_sales2, [5, 5]))
        Impression.create(self._vals(self.factual[0], self.user_sales2, [2, 2]))
        newcomer = self.env["res.partner"].create(
            {"name": "New runner", "empathy_motive_ids": [Command.set(motive.ids)]}
        )
        self.assertEqual(
            self._fits(newcomer, user_ids=self.user_sales2.ids)[self.user_sales2.id]["basis"],
            "team",
        )
        for runner in runners[1:]:
            Impression.create(self._vals(runner, self.user_sales2, [5, 5]))
        for customer in self.factual[1:]:
            Impression.create(self._vals(customer, self.user_sales2, [2, 2]))
        row = self._fits(newcomer, user_ids=self.user_sales2.ids)[self.user_sales2.id]
        self.assertEqual(row["basis"], "kind")
        self.assertIn("customers with the motive Marathon", row["explanation"])

    def test_thin_evidence_says_so(self):
        mixed = self.env["res.partner"].create(
            {"name": "Mixed", "empathy_communication_style": "mixed"}
        )
        self.env["empathy.impression"].create(self._vals(mixed, self.user_sales, [5]))
        newcomer = self.env["res.partner"].create(
            {"name": "New mixed", "empathy_communication_style": "mixed"}
        )
        row = self._fits(newcomer, user_ids=self.user_sales.ids)[self.user_sales.id]
        self.assertEqual(row["basis"], "kind")
        self.assertIn("(fair +0.6 over one such customer)", row["explanation"])
        self.assertIn("Little evidence yet: close to the team average.", row["explanation"])
        # shrunk by 1 / (1 + 2): (5 - 41 / 13) / 3 over the team mean 95 / 25
        self.assertAlmostEqual(row["fit"], 95 / 25 + (5 - 41 / 13) / 3)

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    def test_salespeople_get_their_own_fit_only(self):
        own = self._fits(user=self.user_sales)
        self.assertEqual(list(own), [self.user_sales.id])
        self.assertEqual(self._fits(user=self.user_sales, user_ids=self.user_lena.ids), {})
        self.assertEqual(list(self._fits(user=self.user_sales2)), [self.user_sales2.id])
        self.assertGreater(len(self._fits(user=self.user_manager)), 2)
        for user in (self.user_portal, self.user_public, self.user_internal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.newcomer.with_user(user).empathy_advisor_fit()

    def test_kind_report_is_for_managers_only(self):
        row = self.Kind.search([], limit=1)
        attempts = {
            "search": lambda Kind: Kind.search([("user_id", "=", self.user_lena.id)]),
            "search_count": lambda Kind: Kind.search_count([("fair_effect", ">", 0)]),
            "search_read": lambda Kind: Kind.search_read([], ["fair_effect"]),
            "read": lambda Kind: row.with_env(Kind.env).read(["fair_effect"]),
            "read_group": lambda Kind: Kind.read_group([], ["fair_effect:avg"], ["user_id"]),
            "web_read_group": lambda Kind: Kind.web_read_group(
                [], ["fair_effect:avg"], ["user_id"]
            ),
            "web_search_read": lambda Kind: Kind.web_search_read([], {"fair_effect": {}}),
            "_read_group": lambda Kind: Kind._read_group([], ["user_id"], ["fair_effect:avg"]),
            "rebuild": lambda Kind: Kind.action_empathy_rebuild(),
        }
        for user in (self.user_sales, self.user_portal, self.user_internal):
            for label, attempt in attempts.items():
                with self.subTest(user=user.login, path=label), self.assertRaises(AccessError):
                    attempt(self.Kind.with_user(user))
        manager = self.Kind.with_user(self.user_manager)
        self.assertTrue(manager.search_count([("user_id", "=", self.user_lena.id)]))
        groups = manager.read_group(
            [("trait", "=", "style")],
            ["fair_effect:avg"],
            ["user_id", "communication_style"],
            lazy=False,
        )
        self.assertTrue(any(group["fair_effect"] for group in groups))
        self.assertTrue(manager.action_empathy_rebuild())

    def test_protect_advisors_blanks_advisor_totals_not_kinds(self):
        self.env["ir.config_parameter"].set_param("empathic_crm.protect_advisors", "1")
        Kind = self.Kind.with_user(self.user_manager)
        totals = Kind.read_group([], ["fair_effect:avg", "pair_count:sum"], ["user_id"])
        self.assertTrue(totals)
        self.assertTrue(all(group["fair_effect"] is False for group in totals))
        cells = Kind.read_group(
            [("trait", "=", "style")],
            ["fair_effect:avg"],
            ["user_id", "communication_style"],
            lazy=False,
        )
        self.assertTrue(any(group["fair_effect"] for group in cells))

    def test_multi_company(self):
        shared = self.env["res.partner"].create(
            {"name": "Shared emotional", "empathy_communication_style": "emotional"}
        )
        self.env["empathy.impression"].create(
            [
                dict(vals, company_id=self.company_b.id)
                for vals in self._vals(shared, self.user_sales_b, [5, 5])
            ]
        )
        rows_b = self.Kind.search([("company_id", "=", self.company_b.id)])
        self.assertTrue(rows_b)
        self.assertFalse(
            self.Kind.with_user(self.user_manager).search([("company_id", "=", self.company_b.id)]),
            "record rule: another company's rows",
        )
        in_a = self._fits(user_ids=(self.user_sales | self.user_sales_b).ids)
        self.assertEqual(
            in_a[self.user_sales_b.id]["basis"], "team", "company A knows nothing of B"
        )
        newcomer_b = self.newcomer.copy({"company_id": self.company_b.id})
        in_b = newcomer_b.empathy_advisor_fit(user_ids=(self.user_sales | self.user_sales_b).ids)
        bases = {row["user_id"]: row["basis"] for row in in_b}
        self.assertEqual(bases[self.user_sales.id], "team", "company B knows nothing of A")

    # ------------------------------------------------------------------
    # objection
    # ------------------------------------------------------------------
    def test_objection_honoured(self):
        before = self.Kind.search([("user_id", "=", self.user_sales.id), ("trait", "=", "all")])
        self.assertEqual(before.pair_count, 12)
        self.emotional[0].empathy_objection = True
        self.assertEqual(self._fits(self.emotional[0]), {})
        self.assertEqual(before.pair_count, 11, "nothing is learnt from an objecting customer")
        self._assert_equals_rebuild()
        objecting_new = self.env["res.partner"].create(
            {
                "name": "Objecting",
                "empathy_communication_style": "emotional",
                "empathy_objection": True,
            }
        )
        self.assertEqual(self._fits(objecting_new), {})
        self.assertNotIn("Likely to click", str(objecting_new.empathy_briefing))
        lead = self.env["crm.lead"].create(
            {"name": "Objecting lead", "partner_id": objecting_new.id, "team_id": False}
        )
        self.assertFalse(lead.empathy_suggested_user_id)
        # a company's objection covers its contacts
        company = self.env["res.partner"].create({"name": "Objecting Ltd", "is_company": True})
        contact = self.emotional[1]
        contact.parent_id = company
        company.empathy_objection = True
        self.assertEqual(self._fits(contact), {})
        self.assertEqual(before.pair_count, 10)
        self._assert_equals_rebuild()
        self.emotional[0].sudo().empathy_objection = False
        company.empathy_objection = False
        self.assertEqual(before.pair_count, 12)
        self._assert_equals_rebuild()

    # ------------------------------------------------------------------
    # learning: incremental == rebuild, constant queries
    # ------------------------------------------------------------------
    def test_incremental_equals_rebuild(self):
        rng = random.Random(24)
        Partner, Impression = self.env["res.partner"], self.env["empathy.impression"]
        motives = self.motive_marathon | self.motive_hawaii | self.motive_gift
        styles = [False, "factual", "emotional", "mixed"]
        customers = Partner.create(
            [
                {
                    "name": f"Random {i}",
                    "empathy_communication_style": rng.choice(styles),
                    "empathy_temperament": rng.choice([False, "easy", "demanding"]),
                    "empathy_preferred_channel": rng.choice([False, "phone", "video"]),
                    "empathy_motive_ids": [Command.set(rng.sample(motives.ids, rng.randint(0, 2)))],
                    "empathy_value_ids": [
                        Command.set(rng.sample(self.value_sustainability.ids, rng.randint(0, 1)))
                    ],
                }
                for i in range(25)
            ]
        )
        users = self.advisors.ids
        for step in range(60):
            customer = rng.choice(customers)
            action = rng.random()
            if customer.empathy_objection and action < 0.72:
                action = 0.9  # no new impressions of an objecting person: lift it
            if action < 0.55:
                Impression.create(
                    self._vals(
                        customer,
                        self.env["res.users"].browse(rng.choice(users)),
                        [rng.randint(1, 5)],
                        step,
                    )
                )
            elif action < 0.65:
                impressions = customer.empathy_impression_ids
                if impressions:
                    rng.choice(impressions).rapport = rng.randint(1, 5)
            elif action < 0.72:
                impressions = customer.empathy_impression_ids
                if impressions:
                    rng.choice(impressions).unlink()
            elif action < 0.8:
                customer.empathy_communication_style = rng.choice(styles)
            elif action < 0.86:
                customer.empathy_motive_ids = [
                    Command.set(rng.sample(motives.ids, rng.randint(0, 3)))
                ]
            elif action < 0.9:
                customer.empathy_temperament = rng.choice([False, "neutral", "demanding"])
            elif action < 0.94 or customer.empathy_objection:
                customer.empathy_objection = not customer.empathy_objection
            else:
                impressions = customer.empathy_impression_ids
                if impressions:
                    impressions[:1].user_id = rng.choice(users)
        # the profile rows themselves (the Empathy Profiles list): created, written,
        # deleted; the kinds move with them
        Profile = self.env["empathy.profile"].with_user(self.user_manager)
        for customer in customers[3:7]:
            values = {"temperament": "easy", "motive_ids": [Command.set(motives[:1].ids)]}
            if customer.empathy_profile_ids:
                customer.empathy_profile_ids.with_user(self.user_manager).write(values)
            else:
                Profile.create({"partner_id": customer.id, **values})
        customers[7].empathy_profile_ids.with_user(self.user_manager).unlink()
        customers[:2].unlink()
        customers[2].with_user(self.user_manager).action_empathy_erase()
        self.motive_gift.unlink()
        rows = self._assert_equals_rebuild()
        self.assertGreater(len(rows), 20)

    def test_constant_queries_per_impression(self):
        """Recording an impression costs the same with a short or a long history."""
        Impression, Partner = self.env["empathy.impression"], self.env["res.partner"]
        profile = {
            "empathy_communication_style": "mixed",
            "empathy_temperament": "demanding",
            "empathy_preferred_channel": "video",
            "empathy_motive_ids": [Command.set((self.motive_marathon | self.motive_hawaii).ids)],
            "empathy_value_ids": [Command.set(self.value_sustainability.ids)],
        }
        fresh = self.env["res.users"].create(
            {
                "name": "Fresh",
                "login": "emp_fresh",
                compat.user_groups_field(): [
                    Command.set(self.env.ref("sales_team.group_sale_salesman").ids)
                ],
            }
        )
        history = Partner.create([dict(profile, name=f"History {i}") for i in range(40)])
        Impression.create(
            [vals for partner in history for vals in self._vals(partner, self.user_sales2, [3] * 5)]
        )
        counts = {}
        for user, label in ((fresh, "short"), (self.user_sales2, "long")):
            partner = Partner.create(dict(profile, name=f"Counted {label}"))
            Impression.create(self._vals(partner, user, [4]))
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            Impression.create(self._vals(partner, user, [5], 1))
            self.env.flush_all()
            counts[label] = self.cr.sql_log_count - start
        self.assertEqual(counts["short"], counts["long"], counts)
        partner = Partner.create(dict(profile, name="Counted again"))
        Impression.create(self._vals(partner, self.user_sales2, [4]))
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(counts["long"]):
            Impression.create(self._vals(partner, self.user_sales2, [2], 1))
            self.env.flush_all()

    def test_constant_queries_per_fit_batch(self):
        Lead = self.env["crm.lead"]
        leads = Lead.create(
            [
                {"name": f"Lead {i}", "partner_id": p.id}
                for i, p in enumerate(self.emotional | self.factual)
            ]
        )
        leads[:1]._empathy_lead_fits(user_ids=self.advisors.ids)  # settings cached
        counts = []
        for batch in (leads[:2], leads):
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            batch._empathy_lead_fits(user_ids=self.advisors.ids)
            counts.append(self.cr.sql_log_count - start)
        self.assertEqual(counts[0], counts[1])

    def test_shrinkage_setting_and_daily_rebuild(self):
        row = self.Kind.search(
            [("user_id", "=", self.user_sales.id), ("communication_style", "=", "emotional")]
        )
        self.assertAlmostEqual(row.fair_effect, 0.75)
        self.env["ir.config_parameter"].set_param("empathic_crm.rapport_shrinkage", "6")
        self.env["empathy.rapport"]._empathy_refresh_scales(threshold=-1.0)
        self.assertAlmostEqual(row.fair_effect, 0.5)
        # the daily rebuild (a scheduled action of its own) repairs drift
        self.env.cr.execute(
            "UPDATE empathy_kind_rapport SET pair_count = 99 WHERE id = %s", [row.id]
        )
        cron = self.env.ref("empathic_crm.ir_cron_empathy_kind_rapport_rebuild")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        compat.run_cron_now(self, cron)
        row.invalidate_recordset()
        self.assertEqual(row.pair_count, 6)

    # ------------------------------------------------------------------
    # briefing, lead, views, languages
    # ------------------------------------------------------------------
    def test_briefing_names_who_is_likely_to_click(self):
        briefing = str(self.newcomer.with_user(self.user_manager).empathy_briefing)
        self.assertIn("Likely to click (nobody has met them yet):", briefing)
        self.assertIn(SALLY_EMOTIONAL, briefing)
        # another salesperson reads the name, not the figures
        briefing = str(self.newcomer.with_user(self.user_sales2).empathy_briefing)
        self.assertIn("Sally Sales", briefing)
        self.assertNotIn("4.5", briefing)
        self.assertNotIn("fair +", briefing)
        # the advisor concerned reads her reasons
        self.assertIn(
            SALLY_EMOTIONAL, str(self.newcomer.with_user(self.user_sales).empathy_briefing)
        )
        # someone has met the customer: the best advisor says more
        self.assertNotIn("Likely to click", str(self.emotional[0].empathy_briefing))

    def test_lead_suggested_user(self):
        lead = self.env["crm.lead"].create(
            {"name": "New lead", "partner_id": self.newcomer.id, "team_id": False}
        )
        as_manager = lead.with_user(self.user_manager)
        self.assertEqual(as_manager.empathy_suggested_user_id, self.user_sales)
        self.assertIn(SALLY_EMOTIONAL, as_manager.empathy_suggested_reason)
        as_other = lead.with_user(self.user_sales2)
        self.assertEqual(as_other.empathy_suggested_user_id, self.user_sales)
        # a colleague reads what the mark means, not the figures (manager/own-only)
        self.assertEqual(
            as_other.empathy_suggested_reason,
            "Sally Sales is expected to click best with this customer (learnt from"
            " impressions); the reasons are for managers and Sally Sales.",
        )
        team = self.env["crm.team"].create(
            {
                "name": "Lena and Sam",
                "member_ids": [Command.set((self.user_lena | self.user_sales2).ids)],
            }
        )
        lead.team_id = team
        self.assertFalse(lead.empathy_suggested_user_id, "nobody in the team is known to click")
        # said plainly, and that the lead looks within its team only
        self.assertEqual(
            lead.empathy_suggested_reason,
            "No clear fit yet: nobody's evidence about customers like this stands out."
            " Only the members of the sales team Lena and Sam are considered.",
        )
        team.member_ids = [Command.link(self.user_sales.id)]
        lead.invalidate_recordset()
        self.assertEqual(lead.empathy_suggested_user_id, self.user_sales)
        self.assertIn("Only the members of the sales team", lead.empathy_suggested_reason)
        plain = self.env["crm.lead"].create(
            {"name": "Unknown", "partner_id": self.plain.id, "team_id": False}
        )
        self.assertFalse(plain.empathy_suggested_user_id)
        self.assertFalse(plain.empathy_suggested_reason, "nothing to go by: nothing said")

    def test_likely_only_where_the_evidence_stands_out(self):
        """A small difference names nobody: "no clear fit yet", on the contact and its
        lead; a candidate without evidence never ranks above one with evidence."""
        # Sam meets one mixed customer a little better than his other one
        mixed = self.env["res.partner"].create(
            [{"name": f"Mixed {i}", "empathy_communication_style": "mixed"} for i in range(2)]
        )
        Impression = self.env["empathy.impression"]
        Impression.create(self._vals(mixed[0], self.user_sales2, [4]))
        Impression.create(self._vals(self.factual[0], self.user_sales2, [4]))
        newcomer = self.env["res.partner"].create(
            {"name": "New mixed", "empathy_communication_style": "mixed"}
        )
        rows = self._fits(newcomer, user_ids=self.advisors.ids)
        self.assertEqual(rows[self.user_sales2.id]["basis"], "kind")
        self.assertEqual(next(iter(rows)), self.user_sales2.id, "evidence ranks first")
        briefing = str(newcomer.with_user(self.user_manager).empathy_briefing)
        self.assertIn("Likely to click (nobody has met them yet):", briefing)
        self.assertIn("no clear fit yet", briefing)
        self.assertNotIn("Sam", briefing)
        lead = self.env["crm.lead"].create(
            {"name": "Mixed lead", "partner_id": newcomer.id, "team_id": False}
        )
        self.assertFalse(lead.empathy_suggested_user_id)
        self.assertTrue(lead.empathy_suggested_reason.startswith("No clear fit yet"))
        # a contact without any kind: nothing to say
        self.assertNotIn("Likely to click", str(self.plain.empathy_briefing))

    def test_lead_form_shows_the_suggestion_while_editing(self):
        form = Form(self.env["crm.lead"].with_user(self.user_manager))
        form.name = "Typed in"
        form.partner_id = self.newcomer
        form.team_id = self.env["crm.team"]  # not the manager's team: every advisor
        self.assertEqual(form.empathy_suggested_user_id, self.user_sales)
        form.partner_id = self.plain
        self.assertFalse(form.empathy_suggested_user_id)

    def test_lead_without_contact_uses_the_campaign(self):
        motive = self.motive_hawaii
        Impression = self.env["empathy.impression"]
        for i in range(6):
            traveller = self.env["res.partner"].create(
                {"name": f"Traveller {i}", "empathy_motive_ids": [Command.set(motive.ids)]}
            )
            Impression.create(self._vals(traveller, self.user_sales2, [5, 5]))
            Impression.create(self._vals(self.factual[i], self.user_sales2, [2, 2]))
        campaign = self.env["utm.campaign"].create(
            {"name": "Hawaii", "empathy_motive_ids": [Command.set(motive.ids)]}
        )
        lead = self.env["crm.lead"].create(
            {"name": "From the campaign", "campaign_id": campaign.id, "team_id": False}
        )
        self.assertEqual(lead.empathy_suggested_user_id, self.user_sales2)
        self.assertIn("motive Hawaii", lead.with_user(self.user_sales2).empathy_suggested_reason)

    def test_views_show_the_suggestion(self):
        Lead = self.env["crm.lead"].with_user(self.user_sales)
        views = Lead.get_views([(False, "form"), (False, "kanban")])
        for view in ("form", "kanban"):
            self.assertIn("empathy_suggested_user_id", views["views"][view]["arch"], view)
        lead = self.env["crm.lead"].create(
            {
                "name": "Kanban lead",
                "partner_id": self.newcomer.id,
                "team_id": False,
                "user_id": self.user_sales.id,
            }
        )
        data = Lead.web_search_read(
            [("id", "=", lead.id)], {"empathy_suggested_user_id": {"fields": {"display_name": {}}}}
        )
        self.assertEqual(data["records"][0]["empathy_suggested_user_id"]["id"], self.user_sales.id)
        # not a way to search or group others' fits: neither stored nor searchable
        field = Lead._fields["empathy_suggested_user_id"]
        self.assertFalse(field.store or field.search)
        with self.assertRaises(ValueError):
            Lead.read_group([], ["__count"], ["empathy_suggested_user_id"])
        team_views = self.env["crm.team"].with_user(self.user_manager).get_views([(False, "form")])
        self.assertIn("empathy_assign_by_fit", team_views["views"]["form"]["arch"])
        # while Odoo's rule-based assignment is off, the team form says who switches it on
        self.assertIn("empathy_assign_by_fit_how", team_views["views"]["form"]["arch"])
        self.assertIn("Rule-Based Assignment", team_views["views"]["form"]["arch"])
        # a sales manager switches the option on where Odoo lets them: on the team
        team = self.env["crm.team"].create({"name": "Managed team"})
        team.with_user(self.user_manager).empathy_assign_by_fit = True
        self.assertTrue(team.empathy_assign_by_fit)

    def test_explanations_in_german_and_english(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["empathic_crm"], ["de_DE"], overwrite=True)
        german = self.newcomer.with_user(self.user_manager).with_context(lang="de_DE")
        rows = {
            row["user_id"]: row for row in german.empathy_advisor_fit(user_ids=self.advisors.ids)
        }
        text = rows[self.user_sales.id]["explanation"]
        self.assertIn("Sally Sales: 4,5", text)
        self.assertIn("guten Draht zu emotions- und designorientierten Kunden", text)
        self.assertIn("+0,8 bei 6 solchen Kunden", text)
        self.assertIn("Teamdurchschnitt", rows[self.user_sales2.id]["explanation"])
        english = self._fits(user_ids=self.advisors.ids)[self.user_sales.id]["explanation"]
        self.assertIn(SALLY_EMOTIONAL, english)
        briefing = str(german.empathy_briefing)
        self.assertIn("Guter Draht zu erwarten", briefing)

    # ------------------------------------------------------------------
    # Odoo's lead assignment
    # ------------------------------------------------------------------
    def _team(self, quotas, domains=None):
        team = self.env["crm.team"].create({"name": "Assignment team", "use_leads": True})
        for user, quota in quotas.items():
            self.env["crm.team.member"].create(
                {
                    "crm_team_id": team.id,
                    "user_id": user.id,
                    "assignment_max": quota * 30,
                    "assignment_domain": (domains or {}).get(user, False),
                }
            )
        return team

    def _leads(self, team, partners, **vals):
        return self.env["crm.lead"].create(
            [
                dict(
                    {
                        "name": f"Assign {i}",
                        "type": "lead",
                        "partner_id": partner.id,
                        "team_id": team.id,
                        "user_id": False,
                        "probability": 90 - i,
                    },
                    **vals,
                )
                for i, partner in enumerate(partners)
            ]
        )

    def _assign(self, team, leads):
        team._action_assign_leads(force_quota=True, creation_delta_days=0)
        leads.invalidate_recordset()
        return {lead.id: lead.user_id for lead in leads}

    def _new_emotional(self, count):
        return self.env["res.partner"].create(
            [
                {"name": f"New emotional {i}", "empathy_communication_style": "emotional"}
                for i in range(count)
            ]
        )

    def test_assignment_option_off_is_odoos(self):
        team = self._team({self.user_sales: 2, self.user_lena: 2, self.user_sales2: 1})
        leads = self._leads(team, self._new_emotional(4) | self.plain | self.buyer)
        with contextlib.closing(self.env.cr.savepoint()):
            compat.crm_team_class()._assign_and_convert_leads(team, force_quota=True)
            leads.invalidate_recordset()
            core = {lead.id: lead.user_id for lead in leads}
        self.env.invalidate_all()
        with patch.object(
            CrmTeamMatching, "_empathy_assign_by_fit", side_effect=AssertionError("not off")
        ):
            self.assertEqual(self._assign(team, leads), core)
        self.assertEqual(sum(1 for user in core.values() if user), 5, "capacity 5 for 6 leads")

    def test_assignment_by_fit(self):
        team = self._team({self.user_sales: 2, self.user_lena: 2, self.user_sales2: 2})
        team.empathy_assign_by_fit = True
        leads = self._leads(team, self._new_emotional(7))
        assigned = self._assign(team, leads)
        by_user = {}
        for lead in leads:
            by_user.setdefault(assigned[lead.id], self.env["crm.lead"])
            by_user[assigned[lead.id]] |= lead
        # best first: Sally (4.5) gets the two most probable, then Sam (3.75), Lena (3.375)
        self.assertEqual(by_user[self.user_sales], leads[:2])
        self.assertEqual(by_user[self.user_sales2], leads[2:4])
        self.assertEqual(by_user[self.user_lena], leads[4:6])
        self.assertFalse(assigned[leads[6].id], "capacity overflow: the lead waits")
        self.assertTrue(all(lead.type == "opportunity" for lead in leads[:6]), "converted")
        # the lead says who got it because of the expected fit, without figures
        note = leads[1].message_ids.filtered(
            lambda message: "by expected rapport" in str(message.body)
        )
        self.assertEqual(len(note), 1)
        self.assertIn(
            "Assigned to Sally Sales by expected rapport: of the team's members with capacity,"
            " Sally Sales is expected to click best with this customer (the round robin's turn"
            " was Lena Lenient's).",
            str(note.body),
        )
        self.assertNotRegex(str(note.body), r"\d\.\d", "no figures in the chatter")
        self.assertIn("the round robin's turn, and", str(leads[0].message_ids[:1].body))
        # the team's chatter lists who got which lead
        summary = team.message_ids.filtered(
            lambda message: "Leads assigned by expected rapport" in str(message.body)
        )
        self.assertEqual(len(summary), 1)
        for lead in leads[:6]:
            self.assertIn(lead.name, str(summary.body))

    def test_assignment_by_fit_respects_domains_and_ties(self):
        de = self.env.ref("base.de")
        team = self._team(
            {self.user_sales: 5, self.user_lena: 5, self.user_sales2: 5},
            domains={self.user_sales: f"[('country_id', '=', {de.id})]"},
        )
        team.empathy_assign_by_fit = True
        german = self._leads(team, self._new_emotional(2), country_id=de.id)
        swiss = self._leads(team, self._new_emotional(2), country_id=self.env.ref("base.ch").id)
        unknown = self._leads(team, self.plain | self.plain.copy() | self.plain.copy())
        assigned = self._assign(team, german | swiss | unknown)
        self.assertEqual({assigned[lead.id] for lead in german}, {self.user_sales})
        self.assertEqual({assigned[lead.id] for lead in swiss}, {self.user_sales2})
        # nothing known: every member ties, Odoo's round robin decides (among the
        # members whose domain matches: not Sally)
        self.assertEqual(
            {assigned[lead.id] for lead in unknown}, {self.user_lena, self.user_sales2}
        )

    def test_assignment_by_fit_assigns_as_many_as_the_capacity_allows(self):
        """The best fit must not waste a flexible member on a lead a narrower one takes."""
        de = self.env.ref("base.de")
        team = self._team(
            {self.user_sales: 1, self.user_lena: 1},
            domains={self.user_lena: f"[('country_id', '=', {de.id})]"},
        )
        team.empathy_assign_by_fit = True
        german = self._leads(team, self._new_emotional(1), country_id=de.id)
        swiss = self._leads(team, self._new_emotional(1), country_id=self.env.ref("base.ch").id)
        swiss.probability = 10
        assigned = self._assign(team, german | swiss)
        # Sally fits the German lead best, but only she may take the Swiss one
        self.assertEqual(assigned[swiss.id], self.user_sales)
        self.assertEqual(assigned[german.id], self.user_lena)
