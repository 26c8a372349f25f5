# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport: keep the rapport by kind of customer in step with the pairs."""

from datetime import timedelta

from odoo import api, fields, models

from ..tools.params import KIND_REBUILT_AT

#: the scheduled refresh of the fair rapport also rebuilds the kinds this often
REBUILD_PARAM = KIND_REBUILT_AT.key
REBUILD_EVERY = timedelta(hours=23)


class EmpathyRapportMatching(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_apply_now(self, changes):
        """Apply the changes, then move the kind statistics of the touched pairs.

        Reads the pairs' states before (under the same row locks as the rapport when
        the queue is applied) and after, with their customers' kinds (one query each),
        then updates the statistics set-based (two statements): four queries whatever
        the history.
        """
        keys = sorted({(s["partner_id"], s["user_id"], s["company_id"]) for _sign, s in changes})
        if not keys:
            return super()._empathy_apply_now(changes)
        Kind = self.env["empathy.kind.rapport"]
        self.flush_model()
        if self.env.context.get("empathy_rapport_locking"):
            # the old state is read under the locks that serialise the appliers
            self._empathy_lock_rows(keys)
        before = Kind._empathy_pair_states(keys)
        result = super()._empathy_apply_now(changes)
        self.flush_model()
        after, kinds = Kind._empathy_pair_states_and_kinds(keys)
        Kind._empathy_apply_pairs(before, after, kinds)
        return result

    @api.model
    def action_recompute_all(self):
        result = super().action_recompute_all()
        self.env["empathy.kind.rapport"]._empathy_rebuild()
        return result

    @api.model
    def _empathy_refresh_scales(self, threshold=None, refresh_partners=True):
        count = super()._empathy_refresh_scales(
            threshold=threshold, refresh_partners=refresh_partners
        )
        if threshold is not None and threshold < 0:
            # a full rewrite (e.g. the shrinkage setting changed): the effects too
            self.env["empathy.kind.rapport"]._empathy_refresh_effects()
        return count

    @api.model
    def _cron_empathy_refresh_scales(self):
        """Scheduled: also rebuild the rapport by kind of customer once a day.

        The incremental statistics are exact; the rebuild repairs what changes outside
        the ORM leave behind (e.g. a contact merge rewriting rapport rows in SQL).
        """
        result = super()._cron_empathy_refresh_scales()
        params = self.env["ir.config_parameter"].sudo()
        last = fields.Datetime.to_datetime(params.get_param(REBUILD_PARAM) or False)
        now = fields.Datetime.now()
        if not last or now - last >= REBUILD_EVERY:
            self.env["empathy.kind.rapport"].sudo()._empathy_rebuild()
            params.set_param(REBUILD_PARAM, fields.Datetime.to_string(now))
        return result
