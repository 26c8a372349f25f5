# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rebuilding the rapport from all impressions (data repair, tests, benchmarks)."""

from odoo import api, models

from .empathy_fair import fair_score, scale_means


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_compute_from_scratch(self, impressions):
        """Return {(partner, user, company): values} recomputed from ``impressions``.

        The advisors' and team means (hence the fair scores) are those of the pairs of
        ``impressions``: pass all impressions for the figures of the whole database.
        """
        half_life = self._empathy_half_life()
        states = {}
        for imp in impressions.sorted("date"):
            key = (imp.partner_id.id, imp.user_id.id, imp.company_id.id)
            snap = {"date": imp.date, "rapport": imp.rapport}
            states[key] = self._empathy_add(
                states.get(key, self._empathy_empty_state()), snap, 1, half_life
            )
        values = {key: self._empathy_values(state) for key, state in states.items()}
        advisor_means, team_means = scale_means(
            (key[1], key[2], vals["score"]) for key, vals in values.items()
        )
        shrinkage = self._empathy_shrinkage()
        for key, vals in values.items():
            advisor_mean, team_mean = advisor_means[key[1], key[2]], team_means[key[2]]
            vals.update(
                advisor_mean=advisor_mean,
                team_mean=team_mean,
                fair_score=fair_score(
                    vals["score"], vals["impression_count"], advisor_mean, team_mean, shrinkage
                ),
            )
        return values

    @api.model
    def action_recompute_all(self):
        """Rebuild every rapport row and partner aggregate from the impressions."""
        self._empathy_check_manager()
        # queued changes are part of the impressions read below: drop them first
        self.env["empathy.rapport.queue"]._empathy_sql_clear()
        impressions = self.env["empathy.impression"].sudo().search([])  # pylint: disable=no-search-all
        values = self._empathy_compute_from_scratch(impressions)
        self.sudo().search([]).unlink()  # pylint: disable=no-search-all
        self.sudo().create(
            [
                dict(vals, partner_id=key[0], user_id=key[1], company_id=key[2])
                for key, vals in values.items()
            ]
        )
        # partners with rapport figures in any company, and those with impressions
        stats = self.env["empathy.partner.stat"].sudo().search([("best_advisor_id", "!=", False)])
        ids = set(stats.partner_id.ids) | set(impressions.partner_id.ids)
        self.env["res.partner"].sudo().browse(ids)._empathy_refresh_rapport()
        return True
