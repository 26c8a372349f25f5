# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Campaigns: the motives and values that responding customers gain (listening)."""

from odoo import api, fields, models
from odoo.tools.query import Query

from ..tools import compat
from ..tools.delegated_fields import split_no_entry
from ..tools.groups import EMPATHY_USER_GROUP

#: the evidence field that points to a responding record, per model
RESPONSE_FIELDS = {"crm.lead": "lead_id", "sale.order": "order_id"}
#: the campaign's targets and the taxonomy that stores them (``campaign_ids``)
TARGET_FIELDS = {"empathy_motive_ids": "empathy.motive", "empathy_value_ids": "empathy.value"}


class UtmCampaign(models.Model):
    _inherit = "utm.campaign"

    # stored on the taxonomy (``campaign_ids`` of empathy.motive and empathy.value),
    # whose access rights give it to Empathy users only: Odoo 18 checks neither the
    # groups of a stored many2many in a domain nor in a group-by
    empathy_motive_ids = fields.Many2many(
        "empathy.motive",
        string="Purchase motives",
        compute="_compute_empathy_targets",
        inverse="_inverse_empathy_motive_ids",
        search="_search_empathy_motive_ids",
        groups=EMPATHY_USER_GROUP,
        help="Customers who respond to this campaign (a lead or a quotation, or"
        " stronger: a confirmed order) gain these motives, with the campaign as source.",
    )
    empathy_value_ids = fields.Many2many(
        "empathy.value",
        string="Customer values",
        compute="_compute_empathy_targets",
        inverse="_inverse_empathy_value_ids",
        search="_search_empathy_value_ids",
        groups=EMPATHY_USER_GROUP,
        help="Customers who respond to this campaign gain these values.",
    )

    # ------------------------------------------------------------------
    # the targets, stored on the taxonomy
    # ------------------------------------------------------------------
    def _compute_empathy_targets(self):
        campaign_ids = [cid for cid in self._origin.ids if cid]
        targets = {}
        for fname, model in TARGET_FIELDS.items():
            rows = self.env[model].search_fetch(
                [("campaign_ids", "in", campaign_ids)], ["campaign_ids"]
            )
            targets[fname] = rows
        for campaign in self:
            for fname, rows in targets.items():
                campaign[fname] = rows.filtered(
                    lambda row, campaign=campaign: campaign._origin.id in row.campaign_ids.ids
                )

    def _inverse_empathy_motive_ids(self):
        self._empathy_write_targets("empathy_motive_ids")

    def _inverse_empathy_value_ids(self):
        self._empathy_write_targets("empathy_value_ids")

    def _empathy_write_targets(self, fname):
        """Link the taxonomy entries of ``fname`` to these campaigns (and unlink the
        others). As superuser: Odoo checked that the user may write ``fname``."""
        Target = self.env[TARGET_FIELDS[fname]].sudo().with_context(active_test=False)
        linked = Target.search([("campaign_ids", "in", self.ids)])
        for campaign in self:
            wanted = campaign[fname].sudo()
            current = linked.filtered(lambda row, campaign=campaign: campaign in row.campaign_ids)
            (current.filtered("active") - wanted).write(
                {"campaign_ids": [fields.Command.unlink(campaign.id)]}
            )
            (wanted - current).write({"campaign_ids": [fields.Command.link(campaign.id)]})

    def _search_empathy_motive_ids(self, operator, value):
        return self._empathy_target_domain("empathy_motive_ids", operator, value)

    def _search_empathy_value_ids(self, operator, value):
        return self._empathy_target_domain("empathy_value_ids", operator, value)

    @api.model
    def _empathy_target_domain(self, fname, operator, value):
        """Return the campaigns' domain for ``(fname, operator, value)``: a search of
        the taxonomy entries as the user (their access rights apply).

        Odoo 19.0 passes its conditions normalised: ``= False`` as ``in [False]``, a
        name as ``any`` of a domain on the entries' names, ``in`` a subquery as ``any``.
        """
        Target = self.env[TARGET_FIELDS[fname]]
        negative = operator in compat.negative_term_operators() or operator == "not any"
        if operator in ("any", "not any"):
            targets = Target.search([("id", "in", value)] if isinstance(value, Query) else value)
        elif value is False or value is None:
            targets = Target.search([("campaign_ids", "!=", False)])
            negative = not negative
        elif isinstance(value, str) and operator not in ("in", "not in"):
            positive = compat.term_operator_negation(operator) if negative else operator
            targets = Target.search([("display_name", positive, value)])
        else:
            ids, no_entry_asked = split_no_entry(value)
            if no_entry_asked:
                no_entry = "!=" if negative else "="
                parts = [self._empathy_target_domain(fname, no_entry, False)]
                if ids:
                    parts.append(self._empathy_target_domain(fname, operator, ids))
                return (compat.domain_and if negative else compat.domain_or)(parts)
            targets = Target.search([("id", "in", ids)])
        return [("id", "not in" if negative else "in", targets.campaign_ids.ids)]

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @api.model
    def _empathy_apply_responses(self, records, source, check_existing=True):
        """Add the motives and values of the records' campaigns to their contacts.

        :param records: leads or sale orders (anything with ``campaign_id``,
            ``partner_id`` and ``company_id``)
        :param source: ``campaign_lead`` or ``campaign_order`` (the evidence's source)
        :param check_existing: skip evidence already recorded for the same record
            (False for records created just now)

        Set-based: one partner write per campaign and one evidence insert, whatever
        the number of records. Contacts objecting to profiling (or whose company
        objects) gain nothing.
        """
        records = records.sudo()
        responses = records.filtered(lambda r: r.campaign_id and r.partner_id)
        if not responses:
            return
        campaigns = responses.campaign_id
        campaigns.mapped("empathy_motive_ids")  # prefetch both relations at once
        responses = responses.filtered(
            lambda r: r.campaign_id.empathy_motive_ids or r.campaign_id.empathy_value_ids
        )
        if not responses:
            return
        partners = responses.partner_id
        partners.commercial_partner_id.mapped("empathy_objection")
        responses = responses.filtered(lambda r: not r.partner_id._empathy_is_objecting())
        if not responses:
            return
        link_field = RESPONSE_FIELDS[records._name]
        known = (
            self._empathy_known_evidence(responses, link_field, source) if check_existing else set()
        )
        # who: the user at work, else (website, automation) the record's salesperson
        user = self.env.user
        if not user._is_internal() or user._is_superuser():
            user = False
        now = fields.Datetime.now()
        vals_list = []
        for campaign, campaign_responses in responses.grouped("campaign_id").items():
            campaign_responses.partner_id.with_context(empathy_no_evidence=True).write(
                campaign._empathy_prepare_partner_values()
            )
            for record in campaign_responses:
                common = {
                    "partner_id": record.partner_id.id,
                    "source": source,
                    "campaign_id": campaign.id,
                    link_field: record.id,
                    "user_id": (user or record.user_id).id,
                    "date": now,
                    "company_id": (record.company_id or self.env.company).id,
                }
                for field, items in (
                    ("motive_id", campaign.empathy_motive_ids),
                    ("value_id", campaign.empathy_value_ids),
                ):
                    for item in items:
                        if (record.id, record.partner_id.id, field, item.id) not in known:
                            vals_list.append(dict(common, **{field: item.id}))
        self.env["empathy.motive.evidence"]._empathy_record(vals_list)

    def _empathy_prepare_partner_values(self):
        """Return the partner values that add this campaign's motives and values."""
        self.ensure_one()
        vals = {}
        if self.empathy_motive_ids:
            vals["empathy_motive_ids"] = [
                fields.Command.link(motive.id) for motive in self.empathy_motive_ids
            ]
        if self.empathy_value_ids:
            vals["empathy_value_ids"] = [
                fields.Command.link(value.id) for value in self.empathy_value_ids
            ]
        return vals

    @api.model
    def _empathy_known_evidence(self, records, link_field, source):
        """Return the evidence already recorded for ``records``, as comparable keys."""
        rows = (
            self.env["empathy.motive.evidence"]
            .sudo()
            .search_fetch(
                [(link_field, "in", records.ids), ("source", "=", source)],
                [link_field, "partner_id", "motive_id", "value_id"],
            )
        )
        return {
            (
                row[link_field].id,
                row.partner_id.id,
                "motive_id" if row.motive_id else "value_id",
                (row.motive_id or row.value_id).id,
            )
            for row in rows
        }
