# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Optional products (Odoo 18.0): the cross-sell rule that suggested one, and why.

Loaded only where ``sale.order.option`` exists (``compat.has_sale_order_option()``);
on 19.0 the suggestions are order lines (``sale_order_line_cross_sell.py``). A
suggestion is accepted when the salesperson added it to the order (``line_id``).
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.groups import EMPATHY_USER_GROUP


class SaleOrderOption(models.Model):
    _name = "sale.order.option"
    _inherit = ["sale.order.option", "empathy.cross.sell.suggestion"]

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

    def _empathy_is_accepted(self):
        self.ensure_one()
        return bool(self.line_id)

    @api.model
    def _empathy_ordered_lines(self, order):
        # every order line: the optional products are not lines
        return order.order_line

    @api.model
    def _empathy_create_suggestions(self, to_create, reasons):
        orders = self.env["sale.order"]
        computed = orders._empathy_option_computed_values(to_create)
        # one batch, every computed field given: no per-option compute queries
        return self.sudo().create(
            [
                {
                    **computed[index],
                    **order._empathy_prepare_option_values(
                        rule, product, reasons[rule.id, order._empathy_reason_lang()]
                    ),
                }
                for index, (order, rule, product) in enumerate(to_create)
            ]
        )

    @api.model
    def _empathy_rule_statistics(self, rules):
        Option = self.sudo()
        stats = {
            rule.id: (total, accepted, [])
            for rule, total, accepted in Option._read_group(
                [("empathy_rule_id", "in", rules.ids)],
                ["empathy_rule_id"],
                ["__count", "line_id:count"],
            )
        }
        for rule, currency, amount in Option._read_group(
            [("empathy_rule_id", "in", rules.ids), ("line_id", "!=", False)],
            ["empathy_rule_id", "empathy_line_currency_id"],
            ["empathy_line_subtotal:sum"],
        ):
            stats[rule.id][2].append((currency, amount))
        return stats

    @api.model
    def _empathy_report_rows(self):
        return SQL(
            """
            SELECT opt.id AS id,
                   opt.empathy_rule_id AS rule_id,
                   opt.order_id AS order_id,
                   opt.product_id AS product_id,
                   opt.line_id IS NOT NULL AS accepted,
                   sol.price_subtotal AS accepted_subtotal
              FROM sale_order_option opt
         LEFT JOIN sale_order_line sol ON sol.id = opt.line_id
             WHERE opt.empathy_rule_id IS NOT NULL
            """
        )
