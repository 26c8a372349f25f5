# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Listening: how each motive and value of a contact is known (the summary table on
the contact; additions by hand are recorded by ``empathy.profile``).
"""

from odoo import api, fields, models
from odoo.tools import format_date

from ..tools.briefing import render
from ..tools.delegated_fields import (
    visible_one2many,
    visible_one2many_methods,
)
from ..tools.groups import EMPATHY_USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    # listening: how motives are known, silent customers
    empathy_motive_evidence_ids = visible_one2many(
        "empathy.motive.evidence",
        "partner_id",
        "empathy_motive_evidence_ids",
        string="Motive evidence",
        groups=EMPATHY_USER_GROUP,
        help="How each motive and value is known: from which impression, campaign or"
        " advisor, and when.",
    )
    # rendered by the QWeb template ``evidence_summary`` (which escapes every value)
    empathy_evidence_summary = fields.Html(
        compute="_compute_empathy_evidence_summary",
        string="How we know their motives",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="One line per motive or value: the latest evidence (source and date) and how"
        " often it was heard.",
    )

    # the evidence the user may read, searched through its access rights and rules
    _compute_empathy_motive_evidence_ids, _search_empathy_motive_evidence_ids = (
        visible_one2many_methods(
            "empathy_motive_evidence_ids", "empathy.motive.evidence", "partner_id"
        )
    )

    @api.depends("empathy_motive_evidence_ids")
    @api.depends_context("allowed_company_ids")
    def _compute_empathy_evidence_summary(self):
        rows_of = self._empathy_evidence_groups()
        sources = dict(
            self.env["empathy.motive.evidence"]._fields["source"]._description_selection(self.env)
        )
        head = (
            self.env._("Motive or value"),
            self.env._("Latest evidence"),
            self.env._("Date"),
            self.env._("Times"),
        )
        for partner in self:
            rows = rows_of.get(partner.id)
            if not rows:
                partner.empathy_evidence_summary = False
                continue
            lines = [
                (
                    latest._empathy_summary_label(),
                    latest._empathy_summary_origin(sources),
                    format_date(self.env, latest.date),
                    count,
                )
                for latest, count in rows
            ]
            partner.empathy_evidence_summary = render(
                self.env, "evidence_summary", head=head, rows=lines
            )

    def _empathy_evidence_groups(self):
        """Return {partner id: [(latest evidence, count)]}, one row per motive or value."""
        if not self.ids:
            return {}
        evidence = (
            self.env["empathy.motive.evidence"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "in", self.env.companies.ids),
                ],
                order="date desc, id desc",
            )
        )
        groups = {}
        for row in evidence:  # newest first: the first row of a key is its latest
            key = (row.partner_id.id, *row._empathy_summary_key())
            if key in groups:
                groups[key][1] += 1
            else:
                groups[key] = [row, 1]
        result = {}
        for (partner_id, *_item), (latest, count) in sorted(
            groups.items(),
            key=lambda item: (item[0][1], item[1][0]._empathy_summary_label() or ""),
        ):
            result.setdefault(partner_id, []).append((latest, count))
        return result
