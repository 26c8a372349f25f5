# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""How a motive (or value) of a customer is known: by whom, from what, and when.

Every motive added to a profile leaves evidence: an impression that heard it, a
campaign the customer responded to (a lead or quotation, or stronger: a confirmed
order), or an advisor who added it by hand. The briefing flags motives without
recent evidence as stale instead of silently keeping them.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..tools import compat, params

SOURCES = [
    ("impression", "Impression"),
    ("campaign_lead", "Campaign response (lead or quotation)"),
    ("campaign_order", "Campaign order (confirmed)"),
    ("manual", "Added by hand"),
]
#: how strong each kind of evidence is: a confirmed order beats a lead
STRENGTHS = {"campaign_lead": 1, "impression": 2, "manual": 2, "campaign_order": 3}


@compat.sql_constraints(
    (
        "motive_or_value",
        "CHECK ((motive_id IS NULL) <> (value_id IS NULL))",
        "Evidence is about exactly one motive or one value.",
    ),
)
class EmpathyMotiveEvidence(models.Model):
    _name = "empathy.motive.evidence"
    _description = "Motive Evidence"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, index=True, ondelete="cascade"
    )
    motive_id = fields.Many2one("empathy.motive", index="btree_not_null", ondelete="cascade")
    value_id = fields.Many2one("empathy.value", index="btree_not_null", ondelete="cascade")
    source = fields.Selection(SOURCES, required=True, default="manual")
    strength = fields.Integer(
        aggregator="max",
        help="How strong the evidence is: 1 a campaign lead or quotation,"
        " 2 an impression or an advisor's entry, 3 a confirmed order from a campaign.",
    )
    impression_id = fields.Many2one(
        "empathy.impression", index="btree_not_null", ondelete="set null"
    )
    campaign_id = fields.Many2one("utm.campaign", index="btree_not_null", ondelete="set null")
    lead_id = fields.Many2one("crm.lead", index="btree_not_null", ondelete="set null")
    order_id = fields.Many2one("sale.order", index="btree_not_null", ondelete="set null")
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        ondelete="set null",
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    def init(self):
        # "when was this motive of this partner last heard": index-only lookups
        create_index(
            self.env.cr,
            "empathy_motive_evidence_partner_motive_date_idx",
            self._table,
            ["partner_id", "motive_id", "date"],
        )

    @api.depends("partner_id", "motive_id", "value_id", "source")
    def _compute_display_name(self):
        sources = dict(self._fields["source"]._description_selection(self.env))
        for evidence in self:
            evidence.display_name = "%s: %s (%s)" % (
                evidence.partner_id.display_name or "",
                (evidence.motive_id or evidence.value_id).display_name or "",
                sources.get(evidence.source, ""),
            )

    # ------------------------------------------------------------------
    # the contact's summary (res_partner_motive_evidence.py); hooks for the bridges
    # (the Email Marketing bridge adds evidence of a communication style)
    # ------------------------------------------------------------------
    def _empathy_summary_key(self):
        """Return what this evidence is about: its line in the summary, as a key
        ``(rank, item)`` (rank: motives 0 first, then values 1; bridges add theirs)."""
        self.ensure_one()
        if self.value_id:
            return (1, self.value_id.id)
        return (0, self.motive_id.id)

    def _empathy_summary_label(self):
        """Return the name of what this evidence is about (the summary's first column)."""
        self.ensure_one()
        return (self.motive_id or self.value_id).name

    def _empathy_summary_origin(self, sources):
        """Return where this evidence comes from (``sources``: the labels of ``source``)."""
        self.ensure_one()
        return " – ".join(filter(None, [sources.get(self.source), self.campaign_id.name]))

    # ------------------------------------------------------------------
    # recording (always as superuser: evidence is written by the system)
    # ------------------------------------------------------------------
    @api.model
    def _empathy_record(self, vals_list):
        """Create evidence from ``vals_list`` in one batch; the strength follows the source."""
        if not vals_list:
            return self.browse()
        for vals in vals_list:
            vals.setdefault("strength", STRENGTHS.get(vals.get("source"), 1))
        return self.sudo().create(vals_list)

    @api.model
    def _empathy_sync_impressions(self, impressions, created=False):
        """Keep the evidence of ``impressions`` in step with them: one row per motive
        heard per impression, with the impression's contact, advisor, company and date.

        Motives added to an impression get a row, motives removed from it lose theirs,
        the others are kept (a re-import or an edit never counts a motive twice).
        ``created``: the impressions are new, nothing to compare with (no query
        without motives; the motives are those the impression hook has loaded).
        """
        impressions = impressions.sudo()
        existing = self.browse()
        if not created:
            existing = self.sudo().search(
                [("impression_id", "in", impressions.ids), ("source", "=", "impression")]
            )
        by_key = {(row.impression_id.id, row.motive_id.id): row for row in existing}
        vals_list, keep = [], self.browse()
        for impression in impressions:
            common = {
                "partner_id": impression.partner_id.id,
                "user_id": impression.user_id.id,
                "date": impression.date,
                "company_id": impression.company_id.id,
            }
            for motive in impression.motive_ids:
                row = by_key.get((impression.id, motive.id))
                if not row:
                    vals_list.append(
                        dict(
                            common,
                            motive_id=motive.id,
                            source="impression",
                            impression_id=impression.id,
                        )
                    )
                    continue
                keep |= row
                changed = {
                    name: value
                    for name, value in common.items()
                    if (row[name].id if name.endswith("_id") else row[name]) != value
                }
                if changed:
                    row.write(changed)
        (existing - keep).unlink()
        return self._empathy_record(vals_list)

    @api.model
    def _empathy_record_manual(self, added):
        """Record motives/values added by hand: ``added`` is {partner: (motives, values)}."""
        vals_list = []
        for partner, (motives, values) in added.items():
            common = {
                "partner_id": partner.id,
                "source": "manual",
                "user_id": self.env.uid,
                "company_id": self.env.company.id,
            }
            vals_list += [dict(common, motive_id=motive.id) for motive in motives]
            vals_list += [dict(common, value_id=value.id) for value in values]
        return self._empathy_record(vals_list)

    # ------------------------------------------------------------------
    # staleness
    # ------------------------------------------------------------------
    @api.model
    def _empathy_stale_months(self):
        """Return after how many months without evidence a motive counts as stale."""
        return params.get(self.env, params.STALE_MONTHS)

    @api.model
    def _empathy_last_heard(self, partners):
        """Return {(partner id, motive id): date of the newest evidence} in the current
        user's companies (as the evidence summary), one query."""
        if not partners:
            return {}
        groups = self.sudo()._read_group(
            [
                ("partner_id", "in", partners.ids),
                ("motive_id", "!=", False),
                # the companies the user works in, as the evidence summary reads them
                ("company_id", "in", self.env.companies.ids),
            ],
            ["partner_id", "motive_id"],
            ["date:max"],
        )
        return {(partner.id, motive.id): date for partner, motive, date in groups}

    @api.model
    def _empathy_months_ago(self, date, now=None):
        """Return how many whole months lie between ``date`` and now."""
        delta = relativedelta(now or fields.Datetime.now(), date)
        return delta.years * 12 + delta.months
