# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Predictive lead scoring: empathy factors on crm.lead, frozen at close, fed to
Odoo's own frequency tables and explained on the opportunity."""

from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.empathic_crm.models import crm_lead_scoring

from ..tools import compat
from .common import EmpathyCommon

SCORING = list(crm_lead_scoring.SCORING_FIELDS)


@tagged("post_install", "-at_install")
class TestLeadScoring(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["crm.team"].create({"name": "Hawaii desk"})
        cls.Lead = cls.env["crm.lead"]

    def _lead(self, partner, user=None, **vals):
        return self.Lead.create(
            dict(
                {
                    "name": "Opportunity %s" % partner.name,
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "user_id": (user or self.user_sales).id,
                    "team_id": self.team.id,
                },
                **vals,
            )
        )

    def _bands(self, lead):
        lead.invalidate_recordset(SCORING)
        return tuple(lead[name] for name in SCORING)

    def _rapport(self, partner, rapport, moods=(1, 1, 1), user=None):
        for days, mood in enumerate(moods):
            self._impression(partner, user=user, days_ago=30 - days, rapport=rapport, mood=mood)

    def _scales(self):
        """Run the hourly job behind the fair scores (the advisors' rating scales)."""
        self.env["empathy.rapport"]._empathy_refresh_scales(threshold=-1.0)

    def _expected_band(self, partner, user=None):
        row = self.env["empathy.rapport"].search(
            [
                ("partner_id", "=", partner.id),
                ("user_id", "=", (user or self.user_sales).id),
                ("company_id", "=", self.env.company.id),
            ]
        )
        score = row.fair_score
        self.assertTrue(score)
        return "low" if score < 2.5 else "medium" if score < 3.75 else "high"

    # ------------------------------------------------------------------
    def test_values_follow_the_contact_while_open(self):
        lead = self._lead(self.buyer)
        self.assertEqual(self._bands(lead), ("none", "none", "factual", "no"))
        # the moods of the last three impressions against the three before
        self._rapport(self.buyer, 5, moods=(-2, -2, -1, 1, 2, 2))
        # the same salesperson rates another customer low: a fair score needs a scale
        self._rapport(self.plain, 1, moods=(0,) * 6)
        self._scales()
        self.buyer.empathy_motive_ids = [Command.set(self.motive_gift.ids)]
        # impressions and profile changes reach open leads nightly (not on the hot path)
        self.assertEqual(self._bands(lead), ("none", "none", "factual", "no"))
        self.Lead._cron_empathy_scoring_refresh()
        self.assertEqual(self._bands(lead), ("high", "improving", "factual", "yes"))
        # the band is the rapport of the lead's own salesperson with the contact:
        # changing the salesperson refreshes the lead at once
        lead.user_id = self.user_sales2
        self.assertEqual(self._bands(lead)[0], "none")
        self._rapport(self.runner, 5, moods=(0,) * 6, user=self.user_sales2)
        self._rapport(self.buyer, 1, moods=(0,) * 6, user=self.user_sales2)
        self._scales()
        lead.user_id = self.user_sales
        lead.user_id = self.user_sales2
        self.assertEqual(self._bands(lead)[0], "low")
        lead.partner_id = self.env["res.partner"].create({"name": "Nobody met yet"})
        self.assertEqual(self._bands(lead), ("none", "none", "none", "no"))

    def test_values_frozen_when_won_or_lost(self):
        self._rapport(self.buyer, 5)
        self._rapport(self.plain, 1)
        self._scales()
        won = self._lead(self.buyer)
        lost = self._lead(self.buyer)
        open_lead = self._lead(self.buyer)
        for lead in won | lost | open_lead:
            self.assertEqual(self._bands(lead), ("high", "stable", "factual", "no"))
        won.action_set_won()
        lost.action_set_lost()
        # later impressions and profile changes do not rewrite history
        for _i in range(3):
            self._impression(self.buyer, rapport=1, mood=-2)
        self._scales()
        now = self._expected_band(self.buyer)
        self.assertNotEqual(now, "high")
        self.buyer.write(
            {
                "empathy_communication_style": "emotional",
                "empathy_motive_ids": [Command.set(self.motive_gift.ids)],
            }
        )
        self.Lead._cron_empathy_scoring_refresh()
        self.assertEqual(self._bands(won), ("high", "stable", "factual", "no"))
        self.assertEqual(self._bands(lost), ("high", "stable", "factual", "no"))
        self.assertEqual(self._bands(open_lead), (now, "declining", "emotional", "yes"))
        # the frequency tables learned the values the lead had when it closed
        self.env["ir.config_parameter"].set_param("crm.pls_fields", ",".join(SCORING))
        self.Lead._cron_update_automated_probabilities()
        frequencies = self.env["crm.lead.scoring.frequency"].search(
            [("team_id", "=", self.team.id), ("variable", "=", "empathy_rapport_band")]
        )
        self.assertEqual(frequencies.mapped("value"), ["high"])
        # a lead taken up again follows the contact again
        lost.action_unarchive()
        self.assertEqual(self._bands(lost), (now, "declining", "emotional", "yes"))

    def test_objection_gives_the_neutral_value(self):
        company = self.env["res.partner"].create(
            {"name": "Aloha Runners", "is_company": True, "empathy_communication_style": "mixed"}
        )
        self.runner.parent_id = company
        self._rapport(self.runner, 5)
        self._rapport(self.plain, 1)
        self._scales()
        lead = self._lead(self.runner)
        company_lead = self._lead(company)
        self.assertEqual(self._bands(lead), ("high", "stable", "emotional", "yes"))
        self.runner.empathy_objection = True
        self.assertEqual(self._bands(lead), ("none", "none", "none", "no"))
        self.runner.empathy_objection = False
        self.assertEqual(self._bands(lead), ("high", "stable", "emotional", "yes"))
        # the company objects: its contacts' leads are neutral too
        company.empathy_objection = True
        self.assertEqual(self._bands(lead), ("none", "none", "none", "no"))
        self.assertEqual(self._bands(company_lead), ("none", "none", "none", "no"))

    def test_fields_offered_in_predictive_lead_scoring_settings(self):
        offered = self.env["crm.lead.scoring.frequency.field"].search([])
        self.assertLessEqual(set(SCORING), set(offered.field_id.mapped("name")))
        for name in SCORING:
            field = self.Lead._fields[name]
            self.assertTrue(field.store and field.index, name)
        # an administrator ticks them like core fields
        wizard_form = Form(self.env["crm.lead.pls.update"])
        for record in offered.filtered(lambda f: f.field_id.name in SCORING):
            wizard_form.pls_fields.add(record)
        wizard_form.save().action_update_crm_lead_probabilities()
        pls_fields = self.Lead._pls_get_safe_fields()
        self.assertLessEqual(set(SCORING), set(pls_fields))
        settings = self.env["res.config.settings"].create({})
        self.assertLessEqual(
            set(SCORING), set(settings.predictive_lead_scoring_fields.field_id.mapped("name"))
        )

    def _history(self):
        """8 closed leads with high rapport (6 won), 8 with low rapport (2 won)."""
        high = self.env["res.partner"].create({"name": "Clicks"})
        low = self.env["res.partner"].create({"name": "Does not click"})
        self._rapport(high, 5)
        self._rapport(low, 1)
        self._scales()
        for partner, won_count in ((high, 6), (low, 2)):
            leads = self.Lead.browse()
            for _i in range(8):
                leads |= self._lead(partner)
            leads[:won_count].action_set_won()
            leads[won_count:].action_set_lost()
        self.env["ir.config_parameter"].set_param(
            "crm.pls_fields", "phone_state,email_state," + ",".join(SCORING)
        )
        self.Lead._cron_update_automated_probabilities()
        return high, low

    def test_explanation_from_the_frequency_tables(self):
        high, low = self._history()
        lead_high = self._lead(high)
        lead_low = self._lead(low)
        self.Lead._cron_update_automated_probabilities()
        # Odoo's own scoring uses the factor
        self.assertGreater(lead_high.automated_probability, lead_low.automated_probability)
        explanation = lead_high.with_user(self.user_sales).empathy_scoring_explanation
        self.assertIn(
            "High rapport with the salesperson: won 75 % of 8 comparable leads (team average 50 %)",
            explanation,
        )
        self.assertIn("fa-arrow-up", explanation)
        self.assertIn(
            "Low rapport with the salesperson: won 25 % of 8 comparable leads",
            lead_low.with_user(self.user_sales).empathy_scoring_explanation,
        )
        # factors that are not ticked are not explained
        self.env["ir.config_parameter"].set_param("crm.pls_fields", "phone_state")
        lead_high.invalidate_recordset(["empathy_scoring_explanation"])
        self.assertFalse(lead_high.empathy_scoring_explanation)

    def test_explanation_says_nothing_about_objecting_contacts(self):
        high, _low = self._history()
        lead = self._lead(high)
        self.assertTrue(lead.empathy_scoring_explanation)
        high.empathy_objection = True
        lead.invalidate_recordset(["empathy_scoring_explanation"])
        self.assertFalse(lead.empathy_scoring_explanation)

    def test_explanation_only_with_empathy_access(self):
        high, _low = self._history()
        lead = self._lead(high)
        self.assertTrue(lead.with_user(self.user_sales).empathy_scoring_explanation)
        for user in (self.user_internal, self.user_portal):
            Lead = self.Lead.with_user(user)
            for name in [*SCORING, "empathy_scoring_explanation"]:
                with self.assertRaises(AccessError):
                    compat.check_field_access(Lead, "read", [name])
        view = self.env.ref("crm.crm_lead_view_form")
        arch = self.Lead.with_user(self.user_sales).get_view(view.id)["arch"]
        self.assertIn("empathy_scoring_explanation", arch)
        # users without empathy access (here: without sales access) do not get the block
        arch = self.Lead.with_user(self.user_internal).sudo().get_view(view.id)["arch"]
        self.assertNotIn("empathy_scoring_explanation", arch)
        self.assertNotIn("What moves the probability", arch)

    def test_nightly_rescoring_constant_queries_per_batch(self):
        partners = self.env["res.partner"].create(
            [{"name": "Customer %s" % i, "empathy_communication_style": "mixed"} for i in range(12)]
        )
        self.env["empathy.impression"].create(
            [
                {
                    "partner_id": partner.id,
                    "user_id": self.user_sales.id,
                    "rapport": 5,
                    "mood": 1,
                    "motive_ids": [Command.set(self.motive_marathon.ids)],
                }
                for partner in partners
            ]
        )
        leads = self.Lead.browse()
        for partner in partners:
            leads |= self._lead(partner)
        self.assertEqual(set(leads.mapped("empathy_rapport_band")), {"high"})
        # the profiles change behind the ORM's back: every lead needs a new value
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE empathy_profile SET communication_style = 'factual' WHERE partner_id = ANY(%s)",
            [partners.ids],
        )
        self.env.invalidate_all()
        small, large = leads[:3], leads[3:]
        # one statement; where the fields were ticked when the registry loaded, Odoo
        # also recomputes the changed leads' probabilities (its queries depend on the
        # number of sales teams with history, not on the number of leads)
        per_batch = self._count_queries(small._empathy_scoring_refresh_batch)
        with self.assertQueryCount(per_batch):
            self.assertEqual(self._count_queries(large._empathy_scoring_refresh_batch), per_batch)
        self.assertEqual(set(leads.mapped("empathy_style_band")), {"factual"})
        # the cron: one query to list the open leads, then the same per batch of 4
        self.env.cr.execute(
            "UPDATE empathy_profile SET communication_style = 'emotional'"
            " WHERE partner_id = ANY(%s)",
            [partners.ids],
        )
        self.env.cr.execute(  # only these 12 are open
            "UPDATE crm_lead SET active = FALSE WHERE active AND id != ALL(%s)", [leads.ids]
        )
        with patch.object(crm_lead_scoring, "SCORING_BATCH", 4):
            self.assertEqual(
                self._count_queries(self.Lead._cron_empathy_scoring_refresh), 1 + 3 * per_batch
            )
        self.assertEqual(set(leads.mapped("empathy_style_band")), {"emotional"})

    def test_bands_describe_the_briefed_contact(self):
        """A lead whose contact nobody knows anything about is scored on the contact's
        company, as its badge and briefing describe it (one definition of the lead's
        customer: crm.lead._empathy_briefed_partner)."""
        company = self.env["res.partner"].create(
            {
                "name": "Aloha Running Club",
                "is_company": True,
                "empathy_communication_style": "emotional",
            }
        )
        member = self.env["res.partner"].create({"name": "New Member", "parent_id": company.id})
        self._rapport(company, 5, moods=(1, 1, 1))
        self._rapport(self.buyer, 2)
        self._scales()
        lead = self._lead(member)
        self.assertEqual(lead.with_user(self.user_sales).empathy_partner_id, company)
        rapport, _mood, style, _motive = self._bands(lead)
        self.assertEqual(rapport, self._expected_band(company))
        self.assertEqual(style, "emotional")
        # once something is known of the member, the lead describes the member
        member.empathy_communication_style = "factual"
        lead._empathy_scoring_refresh()
        self.assertEqual(lead.with_user(self.user_sales).empathy_partner_id, member)
        self.assertEqual(self._bands(lead)[:3], ("none", "none", "factual"))
