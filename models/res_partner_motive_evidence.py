# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Listening: how each motive and value of a contact is known (manual additions are
recorded as evidence; the summary table on the contact).
"""

from odoo import api, fields, models
from odoo.tools import format_date

from ..tools.briefing import render
from .empathy_groups import EMPATHY_USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    # listening: how motives are known, silent customers
    empathy_motive_evidence_ids = fields.One2many(
        "empathy.motive.evidence",
        "partner_id",
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

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if self._empathy_track_manual_evidence() and any(
            "empathy_motive_ids" in vals or "empathy_value_ids" in vals for vals in vals_list
        ):
            self.env["empathy.motive.evidence"]._empathy_record_manual(
                {
                    partner: (partner.empathy_motive_ids, partner.empathy_value_ids)
                    for partner in partners.sudo()
                    if partner.empathy_motive_ids or partner.empathy_value_ids
                }
            )
        return partners

    def _empathy_track_manual_evidence(self):
        """Return whether motives/values written now are a user's manual additions.

        System writes (impressions, campaigns, data files, sudo) record their own
        evidence or none.
        """
        return not self.env.su and not self.env.context.get("empathy_no_evidence")

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
                    (latest.motive_id or latest.value_id).name,
                    " – ".join(filter(None, [sources.get(latest.source), latest.campaign_id.name])),
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
            key = (row.partner_id.id, row.motive_id.id, row.value_id.id)
            if key in groups:
                groups[key][1] += 1
            else:
                groups[key] = [row, 1]
        result = {}
        for (partner_id, _motive, _value), (latest, count) in sorted(
            groups.items(),
            key=lambda item: (
                bool(item[1][0].value_id),
                (item[1][0].motive_id or item[1][0].value_id).name or "",
            ),
        ):
            result.setdefault(partner_id, []).append((latest, count))
        return result

    def write(self, vals):
        track = (
            "empathy_motive_ids" in vals or "empathy_value_ids" in vals
        ) and self._empathy_track_manual_evidence()
        if track:
            before = {
                partner.id: (partner.empathy_motive_ids, partner.empathy_value_ids)
                for partner in self.sudo()
            }
        res = super().write(vals)
        if track:
            added = {}
            for partner in self.sudo():
                motives = partner.empathy_motive_ids - before[partner.id][0]
                values = partner.empathy_value_ids - before[partner.id][1]
                if motives or values:
                    added[partner] = (motives, values)
            self.env["empathy.motive.evidence"]._empathy_record_manual(added)
        return res
