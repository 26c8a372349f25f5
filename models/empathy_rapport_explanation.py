# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Why a pair has its fair rapport score, in words (``fair_explanation``)."""

from odoo import api, models

from .empathy_fair import UNCERTAIN_BELOW


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.depends_context("lang")
    @api.depends(
        "fair_score",
        "score",
        "advisor_mean",
        "team_mean",
        "impression_count",
        "user_id",
        "partner_id",
    )
    def _compute_fair_explanation(self):
        for row in self:
            row.fair_explanation = row._empathy_fair_explanation()

    def _empathy_fair_explanation(self):
        """Say how the fair score came about, in one or two sentences."""
        self.ensure_one()
        if not self.impression_count:
            return False
        leniency = self.advisor_mean - self.team_mean
        advisor = self.user_id.name
        if leniency >= 0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff).1f stars above the team on average",
                advisor=advisor,
                diff=leniency,
            )
        elif leniency <= -0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff).1f stars below the team on average",
                advisor=advisor,
                diff=-leniency,
            )
        else:
            scale = self.env._("%(advisor)s rates like the team on average", advisor=advisor)
        if self.impression_count == 1:
            text = self.env._(
                "%(scale)s; adjusted for that, the rapport with %(customer)s is %(fair).1f"
                " (own ratings %(raw).1f, from one impression).",
                scale=scale,
                customer=self.partner_id.name,
                fair=self.fair_score,
                raw=self.score,
            )
        else:
            text = self.env._(
                "%(scale)s; adjusted for that, the rapport with %(customer)s is %(fair).1f"
                " (own ratings %(raw).1f, from %(count)s impressions).",
                scale=scale,
                customer=self.partner_id.name,
                fair=self.fair_score,
                raw=self.score,
                count=self.impression_count,
            )
        if self.impression_count < UNCERTAIN_BELOW:
            text += " " + self.env._(
                "Few impressions: uncertain, so it stays close to the team average."
            )
        return text
