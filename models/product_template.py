# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Products: the cross-sell rules that suggest them, and their reorder interval."""

from collections import defaultdict

from odoo import fields, models

from ..tools.groups import EMPATHY_USER_GROUP


class ProductTemplate(models.Model):
    _inherit = "product.template"

    empathy_cross_sell_rule_ids = fields.Many2many(
        "empathy.cross.sell.rule",
        string="Suggested by cross-sell rules",
        compute="_compute_empathy_cross_sell_rules",
        groups=EMPATHY_USER_GROUP,
        help="The empathic cross-sell rules that suggest a variant of this product.",
    )
    empathy_cross_sell_rule_count = fields.Integer(
        string="Cross-sell rules",
        compute="_compute_empathy_cross_sell_rules",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_reorder_days = fields.Integer(
        string="Reorder after (days)",
        help="For consumables: confirming an order of this product schedules a reorder"
        " follow-up on the customer this many days after the order date. 0: none.",
    )

    def _compute_empathy_cross_sell_rules(self):
        rules_by_template = defaultdict(set)
        if self.ids:
            for product, rules in self.env["empathy.cross.sell.rule"]._read_group(
                [("suggested_product_ids.product_tmpl_id", "in", self.ids)],
                ["suggested_product_ids"],
                ["id:recordset"],
            ):
                rules_by_template[product.product_tmpl_id.id].update(rules.ids)
        for template in self:
            rule_ids = sorted(rules_by_template[template.id])
            template.empathy_cross_sell_rule_ids = [fields.Command.set(rule_ids)]
            template.empathy_cross_sell_rule_count = len(rule_ids)

    def action_view_empathy_cross_sell_rules(self):
        """Open the cross-sell rules that suggest this product."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm.empathy_cross_sell_rule_action"
        )
        action["domain"] = [("suggested_product_ids.product_tmpl_id", "=", self.id)]
        return action
