# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Order lines: their changes refresh the cross-sell suggestions (when set to)."""

from odoo import api, models

#: line fields whose change can make other cross-sell rules match
EMPATHY_TRIGGER_FIELDS = {"product_id", "order_id", "display_type"}


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._empathy_auto_suggest(lines.order_id)
        return lines

    def write(self, vals):
        orders = self.order_id if EMPATHY_TRIGGER_FIELDS.intersection(vals) else None
        res = super().write(vals)
        if orders is not None:
            self._empathy_auto_suggest(orders | self.order_id)
        return res

    def unlink(self):
        orders = self.order_id
        res = super().unlink()
        self._empathy_auto_suggest(orders.exists())
        return res

    def _empathy_auto_suggest(self, orders):
        """Refresh the suggestions of ``orders`` when the setting asks for it."""
        if (
            not orders
            or self.env.context.get("empathy_no_auto_suggest")
            or not orders._empathy_auto_suggest_enabled()
        ):
            return
        orders.with_context(empathy_no_auto_suggest=True)._empathy_suggest()
