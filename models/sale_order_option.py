# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Optional products: the cross-sell rule that suggested one, and why."""

from odoo import api, fields, models

from .empathy_groups import EMPATHY_USER_GROUP


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
    empathy_reason_once = fields.Text(
        compute="_compute_empathy_reason_once",
        string="Why",
        groups=EMPATHY_USER_GROUP,
        help="The reason, shown on the first suggestion of each rule only.",
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

    @api.depends("empathy_reason", "empathy_rule_id", "order_id.sale_order_option_ids")
    def _compute_empathy_reason_once(self):
        for option in self:
            siblings = option.order_id.sale_order_option_ids.filtered(
                lambda o, rule=option.empathy_rule_id: o.empathy_rule_id == rule
            ).sorted(lambda o: (o.sequence, o._origin.id or 0))
            first = siblings[:1]
            option.empathy_reason_once = (
                option.empathy_reason if option.empathy_rule_id and first == option else False
            )
