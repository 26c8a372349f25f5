# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Order lines as cross-sell suggestions (Odoo 19.0): optional lines, and why.

19.0 has no ``sale.order.option``: an optional product is an order line of quantity 0
under a section marked ``is_optional`` (``_is_line_optional``), which the customer
toggles in the portal. The refresh puts its suggestions into one such section per
order (``Suggested for this customer``, at the end of the order, created when first
needed); a suggestion is accepted once its quantity is above 0 (chosen by the
salesperson or the customer) and is then never removed. Loaded only where
``sale.order.option`` does not exist (``compat.has_sale_order_option()``).
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "empathy.cross.sell.suggestion"]

    def _empathy_is_accepted(self):
        self.ensure_one()
        return self.product_uom_qty > 0

    def _empathy_is_offered_only(self):
        """Return whether this line is an optional product not chosen (quantity 0)."""
        self.ensure_one()
        return not self.product_uom_qty and self._is_line_optional()

    def _empathy_remove(self):
        # and the suggestions' section when nothing is left in it
        sections = self.filtered("empathy_rule_id").mapped(
            lambda line: line.get_parent_section_line()
        )
        sections = sections.filtered(lambda section: section.is_optional)
        self.unlink()
        sections.filtered(lambda section: not section._get_section_lines()).unlink()

    @api.model
    def _empathy_ordered_lines(self, order):
        # optional lines count once chosen, as 18.0's options once added to the order
        return order.order_line.filtered(
            lambda line: not line.display_type and not line._empathy_is_offered_only()
        )

    def _empathy_suggestion_section(self):
        """Return the optional section of the order's suggestions (lines of one order)."""
        for line in self.filtered("empathy_rule_id").sorted("sequence"):
            section = line.get_parent_section_line()
            if section.display_type == "line_section" and section.is_optional:
                return section
        return self.browse()

    @api.model
    def _empathy_create_suggestions(self, to_create, reasons):
        Line = self.sudo().with_context(empathy_no_auto_suggest=True)
        by_order = defaultdict(list)
        for order, rule, product in to_create:
            by_order[order].append((rule, product))
        # the orders without a suggestion section get one at their end, in one batch
        sections = {}
        new_sections = []
        for order in by_order:
            section = order.order_line._empathy_suggestion_section()
            if section:
                sections[order] = section
            else:
                new_sections.append(order)
        if new_sections:
            created = Line.create(
                [
                    {
                        "order_id": order.id,
                        "display_type": "line_section",
                        "is_optional": True,
                        "name": order._empathy_suggestion_section_name(),
                        "product_uom_qty": 0.0,
                        "sequence": max(order.order_line.mapped("sequence"), default=0) + 1,
                    }
                    for order in new_sections
                ]
            )
            sections.update(zip(new_sections, created, strict=True))
        vals_list = []
        for order, suggestions in by_order.items():
            section = sections[order]
            sequence = Line._empathy_make_room(section, len(suggestions))
            reason_lang = order._empathy_reason_lang()
            for index, (rule, product) in enumerate(suggestions):
                vals_list.append(
                    {
                        "order_id": order.id,
                        "product_id": product.id,
                        "product_uom_qty": 0.0,
                        "sequence": sequence + index,
                        "empathy_rule_id": rule.id,
                        "empathy_reason": reasons[rule.id, reason_lang],
                    }
                )
        return Line.create(vals_list)

    @api.model
    def _empathy_make_room(self, section, count):
        """Return the first sequence of ``count`` new lines at the end of ``section``.

        The lines after the section (another section the salesperson added below) move
        down when the numbers in between do not suffice; nothing else changes.
        """
        lines = section.order_id.order_line.sorted(lambda line: (line.sequence, line.id))
        position = list(lines).index(section)
        last = section.sequence
        following = self.browse()
        for index, line in enumerate(lines[position + 1 :], position + 1):
            if line.display_type == "line_section":
                following = lines[index:]
                break
            last = max(last, line.sequence)
        first = last + 1
        if following and following[0].sequence < first + count:
            shift = first + count - following[0].sequence
            for line in following:
                line.sequence += shift
        return first

    @api.model
    def _empathy_rule_statistics(self, rules):
        Line = self.sudo()
        domain = [("empathy_rule_id", "in", rules.ids)]
        stats = {
            rule.id: (total, 0, [])
            for rule, total in Line._read_group(domain, ["empathy_rule_id"], ["__count"])
        }
        for rule, currency, count, amount in Line._read_group(
            [*domain, ("product_uom_qty", ">", 0)],
            ["empathy_rule_id", "currency_id"],
            ["__count", "price_subtotal:sum"],
        ):
            total, accepted, amounts = stats[rule.id]
            stats[rule.id] = (total, accepted + count, [*amounts, (currency, amount)])
        return stats

    @api.model
    def _empathy_report_rows(self):
        return SQL(
            """
            SELECT sol.id AS id,
                   sol.empathy_rule_id AS rule_id,
                   sol.order_id AS order_id,
                   sol.product_id AS product_id,
                   sol.product_uom_qty > 0 AS accepted,
                   CASE WHEN sol.product_uom_qty > 0 THEN sol.price_subtotal END
                       AS accepted_subtotal
              FROM sale_order_line sol
             WHERE sol.empathy_rule_id IS NOT NULL
            """
        )
