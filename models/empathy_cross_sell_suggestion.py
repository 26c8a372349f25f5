# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A quotation's optional product suggested by a cross-sell rule, and why.

The optional products are ``sale.order.option`` records on Odoo 18.0 and order lines
in an optional section on 19.0 (``compat.optional_products()``); the model of the
series inherits this mixin (``sale_order_option.py``, ``sale_order_line_cross_sell.py``)
and implements the hooks below, which ``sale.order`` (the refresh), the rules (their
statistics) and the acceptance analysis call without knowing the series.
"""

from odoo import api, fields, models

from ..tools.groups import EMPATHY_USER_GROUP


class EmpathyCrossSellSuggestion(models.AbstractModel):
    _name = "empathy.cross.sell.suggestion"
    _description = "Empathy: optional product suggested by a cross-sell rule"

    empathy_rule_id = fields.Many2one(
        "empathy.cross.sell.rule",
        string="Cross-sell rule",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        copy=False,
        groups=EMPATHY_USER_GROUP,
        help="The empathic cross-sell rule that suggested this product.",
    )
    empathy_reason = fields.Text(
        string="Why suggested",
        readonly=True,
        copy=False,
        groups=EMPATHY_USER_GROUP,
        help="Why this customer may want the product, copied from the rule in the"
        " salesperson's language when suggested.",
    )
    empathy_reason_shown = fields.Text(
        compute="_compute_empathy_reason_shown",
        string="Why",
        groups=EMPATHY_USER_GROUP,
        help="Why this customer may want the product, in your language: the rule's reason"
        " (the reason copied when suggested, if the rule is gone).",
    )

    @api.depends_context("lang")
    @api.depends("empathy_reason", "empathy_rule_id.reason")
    def _compute_empathy_reason_shown(self):
        # every suggestion shows its reason, in the reader's language (one read of the
        # rules for all records); the rule is read as the system: salespeople see
        # why a product is suggested without managing the rules
        rules = self.sudo().empathy_rule_id.with_context(lang=self.env.lang)
        reasons = {rule.id: rule.reason for rule in rules}
        for suggestion in self:
            rule_id = suggestion.sudo().empathy_rule_id.id
            suggestion.empathy_reason_shown = reasons.get(rule_id) or suggestion.empathy_reason

    # ------------------------------------------------------------------
    # hooks of the series' model
    # ------------------------------------------------------------------
    def _empathy_is_accepted(self):
        """Return whether this suggestion was accepted (it is ordered): never removed."""
        raise NotImplementedError

    def _empathy_remove(self):
        """Remove these suggestions (stale, not accepted)."""
        self.unlink()

    @api.model
    def _empathy_ordered_lines(self, order):
        """Return the lines of ``order`` whose products count as ordered (the triggers)."""
        raise NotImplementedError

    @api.model
    def _empathy_create_suggestions(self, to_create, reasons):
        """Create the suggestions ``(order, rule, product)`` of ``to_create`` in one batch.

        :param reasons: ``{(rule id, lang): reason}`` (``sale.order._empathy_rule_reasons``)
        """
        raise NotImplementedError

    @api.model
    def _empathy_rule_statistics(self, rules):
        """Return ``{rule id: (suggested, accepted, [(currency, accepted amount)])}``."""
        raise NotImplementedError

    @api.model
    def _empathy_report_rows(self):
        """Return the ``SQL`` of the analysis' rows: one per suggestion, with the columns
        ``id, rule_id, order_id, product_id, accepted, accepted_subtotal``."""
        raise NotImplementedError
