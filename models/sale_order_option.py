# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Optional products: the cross-sell rule that suggested one, and why."""

from odoo import api, fields, models

from ..tools.groups import EMPATHY_USER_GROUP


class SaleOrderOption(models.Model):
    _inherit = "sale.order.option"

    empathy_rule_id = fields.Many2one(
        "empathy.cross.sell.rule",
        string="Cross-sell rule",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        groups=EMPATHY_USER_GROUP,
        help="The empathic cross-sell rule that suggested this product.",
    )
    empathy_reason = fields.Text(
        string="Why suggested",
        readonly=True,
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
    # not stored, only for the rule statistics (read_group joins the order line)
    empathy_line_subtotal = fields.Monetary(
        related="line_id.price_subtotal",
        string="Accepted amount",
        currency_field="empathy_line_currency_id",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_line_currency_id = fields.Many2one(
        related="line_id.currency_id", string="Accepted line currency", groups=EMPATHY_USER_GROUP
    )

    @api.depends_context("lang")
    @api.depends("empathy_reason", "empathy_rule_id.reason")
    def _compute_empathy_reason_shown(self):
        # every suggestion shows its reason, in the reader's language (one read of the
        # rules for all options); the rule is read as the system: salespeople see
        # why a product is suggested without managing the rules
        rules = self.sudo().empathy_rule_id.with_context(lang=self.env.lang)
        reasons = {rule.id: rule.reason for rule in rules}
        for option in self:
            rule_id = option.sudo().empathy_rule_id.id
            option.empathy_reason_shown = reasons.get(rule_id) or option.empathy_reason
