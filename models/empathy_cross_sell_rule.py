# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Cross-sell rules: which products to suggest for which motives, values and products."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import compat


class EmpathyCrossSellRule(models.Model):
    _name = "empathy.cross.sell.rule"
    _description = "Empathic Cross-sell Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to use the rule in all companies.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")

    # --- who: the customer's motives and values
    motive_ids = fields.Many2many(
        "empathy.motive",
        "empathy_cross_sell_rule_motive_rel",
        "rule_id",
        "motive_id",
        required=True,
        help="Purchase motives of the customer (the order's partner or its company)"
        " that make this suggestion relevant.",
    )
    motive_match = fields.Selection(
        [("any", "Any of the motives"), ("all", "All of the motives")],
        string="Motive match",
        required=True,
        default="any",
    )
    value_ids = fields.Many2many(
        "empathy.value",
        "empathy_cross_sell_rule_value_rel",
        "rule_id",
        "value_id",
        help="If set, the customer must share at least one of these values.",
    )

    # --- when: what is on the order
    trigger_product_ids = fields.Many2many(
        "product.product",
        "empathy_cross_sell_rule_trigger_product_rel",
        "rule_id",
        "product_id",
        string="Trigger products",
        check_company=True,
        help="The rule applies when one of these products is on the order."
        " Without trigger products and categories it applies to every order of a"
        " matching customer.",
    )
    trigger_categ_ids = fields.Many2many(
        "product.category",
        "empathy_cross_sell_rule_trigger_categ_rel",
        "rule_id",
        "categ_id",
        string="Trigger categories",
        help="The rule applies when a product of one of these categories (or of a"
        " child category) is on the order.",
    )

    # --- what and why
    suggested_product_ids = fields.Many2many(
        "product.product",
        "empathy_cross_sell_rule_suggested_product_rel",
        "rule_id",
        "product_id",
        string="Suggested products",
        required=True,
        check_company=True,
        domain=[("sale_ok", "=", True)],
    )
    reason = fields.Text(
        translate=True,
        help="Shown to the salesperson next to the suggestion: why this customer may want it.",
    )

    # --- statistics (not stored: always live, no write contention on the rule)
    suggested_count = fields.Integer(
        string="Suggested", compute="_compute_statistics", help="Optional products suggested."
    )
    accepted_count = fields.Integer(
        string="Accepted",
        compute="_compute_statistics",
        help="Suggestions that were added to the order.",
    )
    accepted_revenue = fields.Monetary(
        string="Accepted revenue",
        compute="_compute_statistics",
        currency_field="currency_id",
        help="Untaxed amount of the order lines created from accepted suggestions,"
        " in the company currency (converted at today's rate).",
    )
    acceptance_rate = fields.Float(
        string="Acceptance rate",
        compute="_compute_statistics",
        digits=(16, 4),
        help="Accepted / suggested.",
    )

    # ------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------
    @api.constrains("motive_ids", "suggested_product_ids")
    def _check_required_relations(self):
        for rule in self:
            if not rule.motive_ids:
                raise ValidationError(
                    self.env._("The cross-sell rule %s needs at least one motive.", rule.name)
                )
            if not rule.suggested_product_ids:
                raise ValidationError(
                    self.env._(
                        "The cross-sell rule %s needs at least one suggested product.", rule.name
                    )
                )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends("company_id")
    @api.depends_context("company")
    def _compute_currency_id(self):
        for rule in self:
            rule.currency_id = rule.company_id.currency_id or self.env.company.currency_id

    def _compute_statistics(self):
        """Count suggestions and acceptances with two grouped queries for all rules."""
        rules = self.filtered("id")
        # sale.order.option (18.0) or sale.order.line (19.0): the same figures
        Suggestion = self.env[compat.optional_products()[0]]
        stats = Suggestion._empathy_rule_statistics(rules)
        counts = {rule_id: (total, accepted) for rule_id, (total, accepted, _a) in stats.items()}
        revenue = defaultdict(float)
        today = fields.Date.context_today(self)
        for rule_id, (_total, _accepted, amounts) in stats.items():
            rule = self.browse(rule_id)
            for currency, amount in amounts:
                if currency and currency != rule.currency_id:
                    amount = currency._convert(
                        amount, rule.currency_id, rule.company_id or self.env.company, today
                    )
                revenue[rule.id] += amount
        for rule in self:
            total, accepted = counts.get(rule.id, (0, 0))
            rule.suggested_count = total
            rule.accepted_count = accepted
            rule.accepted_revenue = revenue[rule.id]
            rule.acceptance_rate = accepted / total if total else 0.0

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._invalidate_product_rules()
        return rules

    def write(self, vals):
        res = super().write(vals)
        if {"suggested_product_ids", "active", "company_id"}.intersection(vals):
            self._invalidate_product_rules()
        return res

    def unlink(self):
        res = super().unlink()
        self._invalidate_product_rules()
        return res

    def _invalidate_product_rules(self):
        """Forget the cached (not stored) "suggested by" rules of the products."""
        self.env["product.template"].invalidate_model(
            ["empathy_cross_sell_rule_ids", "empathy_cross_sell_rule_count"]
        )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_acceptance(self):
        """Open the acceptance analysis of these rules."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm.empathy_cross_sell_report_action"
        )
        action["domain"] = [("rule_id", "in", self.ids)]
        return action
