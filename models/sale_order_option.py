# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models

EMPATHY_GROUP = "empathic_crm.group_empathy_user"


class SaleOrderOption(models.Model):
    _inherit = "sale.order.option"

    empathy_rule_id = fields.Many2one(
        "empathy.cross.sell.rule",
        string="Cross-sell rule",
        ondelete="set null",
        index="btree_not_null",
        readonly=True,
        groups=EMPATHY_GROUP,
        help="The empathic cross-sell rule that suggested this product.",
    )
    empathy_reason = fields.Text(
        string="Why suggested",
        readonly=True,
        groups=EMPATHY_GROUP,
        help="Why this customer may want the product, copied from the rule in the"
        " salesperson's language when suggested.",
    )
    # not stored, only for the rule statistics (read_group joins the order line)
    empathy_line_subtotal = fields.Monetary(
        related="line_id.price_subtotal",
        string="Accepted amount",
        currency_field="empathy_line_currency_id",
        groups=EMPATHY_GROUP,
    )
    empathy_line_currency_id = fields.Many2one(
        related="line_id.currency_id", string="Accepted line currency", groups=EMPATHY_GROUP
    )
