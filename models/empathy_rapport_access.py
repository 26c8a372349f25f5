# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Who may use the rapport: the report and the manager actions are for empathy managers."""

from odoo import api, models

from ..tools.groups import check_empathy_manager
from ..tools.protect_advisors import guarded_read_group, guarded_read_grouping_sets


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_check_report_access(self):
        """The rapport report (list, pivot, graph) is for empathy managers only.

        Rapport describes pairs, not performance: salespeople use their own rows in
        filters (record rule), they do not browse the advisor x customer report.
        """
        check_empathy_manager(
            self.env,
            self.env._(
                "The rapport report is for empathy managers: rapport describes pairs of"
                " advisor and customer, not an advisor's performance."
            ),
        )

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        self._empathy_check_report_access()
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    # the report's grouping paths of both series (compat.grouping_methods()): the web
    # client's list, pivot and graph, and read_group over the API
    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """Reports: managers only; no per-advisor figures with *Protect advisors*."""
        self._empathy_check_report_access()
        return guarded_read_group(
            self, super()._read_group, domain, groupby, aggregates, having, offset, limit, order
        )

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        """19.0's pivot: as ``_read_group``."""
        self._empathy_check_report_access()
        return guarded_read_grouping_sets(
            self, super()._read_grouping_sets, domain, grouping_sets, aggregates, order
        )

    def _empathy_check_manager(self):
        check_empathy_manager(
            self.env, self.env._("Only empathy managers can recompute the rapport.")
        )
