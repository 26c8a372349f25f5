# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The module's settings (rapport, retention, suggestions, listening) and their checks."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.params import (
    ASSIGN_MIN_IMPRESSIONS,
    AUTO_SUGGEST,
    HALF_LIFE,
    PROTECT_ADVISORS,
    RETENTION_MONTHS,
    SHRINKAGE,
    SILENT_DAYS,
    SILENT_MONTHS,
    STALE_MONTHS,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    empathy_rapport_half_life_days = fields.Integer(
        string="Rapport half-life (days)",
        config_parameter=HALF_LIFE.key,
        default=HALF_LIFE.default,
        help="An impression's weight in the rapport score halves every this many days.",
    )
    empathy_rapport_shrinkage = fields.Integer(
        string="Pseudo-impressions",
        config_parameter=SHRINKAGE.key,
        default=SHRINKAGE.default,
        help="The fair rapport of a pair starts at the team average as if it had this many"
        " impressions of no difference; more real impressions weigh more.",
    )
    empathy_retention_months = fields.Integer(
        string="Keep impressions (months)",
        config_parameter=RETENTION_MONTHS.key,
        default=RETENTION_MONTHS.default,
        help="Impressions older than this are deleted by a daily scheduled action.",
    )
    empathy_auto_suggest = fields.Boolean(
        string="Automatic empathic suggestions",
        config_parameter=AUTO_SUGGEST.key,
        help="Refresh the motive-based optional products of a quotation whenever its lines change.",
    )
    empathy_protect_advisors = fields.Boolean(
        string="Protect advisors",
        config_parameter=PROTECT_ADVISORS.key,
        help="Rapport describes pairs, not performance: reports show no totals or"
        " averages per advisor (e.g. for a works-council agreement).",
    )
    empathy_assign_min_impressions = fields.Integer(
        string="Assign to best advisor: evidence",
        config_parameter=ASSIGN_MIN_IMPRESSIONS.key,
        default=ASSIGN_MIN_IMPRESSIONS.default,
        help="*Assign to best advisor* moves a customer only when the best advisor's"
        " rapport rests on at least this many impressions (fewer: the manager decides).",
    )
    empathy_motive_stale_months = fields.Integer(
        string="Motives stale after (months)",
        config_parameter=STALE_MONTHS.key,
        default=STALE_MONTHS.default,
        help="The briefing flags a motive nobody has heard of for this many months.",
    )
    empathy_silent_purchase_months = fields.Integer(
        string="Silent customers: bought within (months)",
        config_parameter=SILENT_MONTHS.key,
        default=SILENT_MONTHS.default,
        help="Only customers with a confirmed order in this period can be silent.",
    )
    empathy_silent_days = fields.Integer(
        string="Silent customers: no contact for (days)",
        config_parameter=SILENT_DAYS.key,
        default=SILENT_DAYS.default,
        help="A recent buyer is silent after this many days without an impression,"
        " a message from them or an activity.",
    )

    @api.constrains(
        "empathy_rapport_half_life_days", "empathy_retention_months", "empathy_rapport_shrinkage"
    )
    def _check_empathy_settings(self):
        for settings in self:
            if settings.empathy_rapport_shrinkage < 1:
                # 0 would not even be stored: Odoo deletes a parameter set to 0
                raise ValidationError(
                    self.env._("The fair rapport needs at least one pseudo-impression.")
                )
            if settings.empathy_rapport_half_life_days < 1:
                raise ValidationError(self.env._("The rapport half-life must be at least one day."))
            if settings.empathy_retention_months < 1:
                raise ValidationError(
                    self.env._("Impressions must be kept for at least one month.")
                )

    @api.constrains(
        "empathy_motive_stale_months", "empathy_silent_purchase_months", "empathy_silent_days"
    )
    def _check_empathy_listening_settings(self):
        for settings in self:
            periods = (
                settings.empathy_motive_stale_months,
                settings.empathy_silent_purchase_months,
                settings.empathy_silent_days,
            )
            if min(periods) < 1:
                raise ValidationError(
                    self.env._("The listening periods (months, days) must be at least 1.")
                )

    def set_values(self):
        Rapport = self.env["empathy.rapport"]
        old_half_life, old_shrinkage = Rapport._empathy_half_life(), Rapport._empathy_shrinkage()
        result = super().set_values()
        half_life_changed = Rapport._empathy_half_life() != old_half_life
        shrinkage_changed = Rapport._empathy_shrinkage() != old_shrinkage
        if half_life_changed or shrinkage_changed:
            # weights depend on the half-life, fair scores on the shrinkage: the
            # scheduled rebuild brings every row in line, in the background
            Rapport._empathy_schedule_rebuild(rescale=shrinkage_changed)
        return result
