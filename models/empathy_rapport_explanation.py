# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Why a pair has its fair rapport score, in words (``fair_explanation``)."""

from odoo import api, models
from odoo.tools import formatLang

from ..tools.fair import UNCERTAIN_BELOW


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
        """Say how the fair score came about, step by step, for managers.

        From the advisor's own ratings, through their rating habit (which lowers or
        raises the figure), to the pull toward the team's level when there are few
        impressions, so that a strict rater's figure going down reads as what it is.
        Numbers in the reader's format. Salespeople read ``_empathy_rapport_basis``
        of the briefing instead (no colleague's rating habit).
        """
        self.ensure_one()
        if not self.impression_count:
            return False

        def number(value):
            return formatLang(self.env, value or 0.0, digits=1)

        advisor = self.user_id.name
        if self.impression_count == 1:
            own = self.env._(
                "Own ratings of %(customer)s: %(raw)s / 5, from one impression.",
                customer=self.partner_id.name,
                raw=number(self.score),
            )
        else:
            own = self.env._(
                "Own ratings of %(customer)s: %(raw)s / 5, from %(count)s impressions.",
                customer=self.partner_id.name,
                raw=number(self.score),
                count=self.impression_count,
            )
        leniency = self.advisor_mean - self.team_mean
        if leniency >= 0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff)s stars above the team on average, which lowers it.",
                advisor=advisor,
                diff=number(leniency),
            )
        elif leniency <= -0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff)s stars below the team on average, which raises it.",
                advisor=advisor,
                diff=number(-leniency),
            )
        else:
            scale = self.env._("%(advisor)s rates like the team on average.", advisor=advisor)
        parts = [own, scale]
        if self.impression_count < UNCERTAIN_BELOW:
            parts.append(
                self.env._(
                    "Few impressions: uncertain, so it stays close to the team's %(team)s.",
                    team=number(self.team_mean),
                )
            )
        parts.append(self.env._("Fair rapport: %(fair)s / 5.", fair=number(self.fair_score)))
        return " ".join(parts)
