# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The values of the suggested options (Odoo 18.0): prices and descriptions as core
computes them, at once.

``sale.order.option`` computes them one option at a time through a new order line;
here all new options of a refresh are computed with a constant number of queries.
Loaded with ``sale_order_option.py`` only (``compat.has_sale_order_option()``): on
19.0 the suggestions are order lines, which price themselves.
"""

from collections import defaultdict

from odoo import api, models

#: the order line's price methods that ``_empathy_option_price`` follows
LINE_PRICE_METHODS = (
    "_compute_price_unit",
    "_reset_price_unit",
    "_get_display_price",
    "_get_pricelist_price",
    "_get_pricelist_price_before_discount",
    "_compute_discount",
    "_get_pricelist_price_context",
    "_get_product_price_context",
)
#: modules whose overrides of those methods concern other lines only: lines added
#: from an option (sale_management), event tickets, booths, rewards
LINE_PRICE_MODULES = {"sale", "sale_management", "event_sale", "event_booth_sale", "sale_loyalty"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _empathy_prepare_option_values(self, rule, product, reason):
        """Return the values of the optional product suggested by ``rule``."""
        self.ensure_one()
        return {
            "order_id": self.id,
            "product_id": product.id,
            "empathy_rule_id": rule.id,
            "empathy_reason": reason,
            "sequence": 1000 + rule.sequence,
        }

    def _empathy_option_computed_values(self, to_create):
        """Return the computed fields of new options, one dict per ``(order, rule, product)``.

        ``sale.order.option`` computes its description, unit, price and discount one
        option at a time, each price through a new order line attached to the order
        (searching the pricelist rules, and marking the order's lines and totals as
        modified when attached and detached again): queries and time per option.
        Here the products are read once, the pricelist rules of all products of a
        pricelist and date are found in one search, and the prices are computed with
        core's own pricelist, product and tax methods as the order line does
        (``_empathy_option_price``): the number of queries does not depend on the
        number of options, and the order and its lines are left alone.
        """
        Product = self.env["product.product"].sudo()  # as the options are created
        products = Product.union(*(product for _order, _rule, product in to_create))
        # prefetch what the computes read, one query per relation
        products.mapped("uom_id")
        products.mapped("taxes_id")
        products.mapped("categ_id.parent_path")
        products.mapped("currency_id")  # computed per product otherwise (a query each)
        products.mapped("price_extra")
        by_pricelist = defaultdict(lambda: Product)
        for order, _rule, product in to_create:
            if order.pricelist_id:
                by_pricelist[order.pricelist_id, order.date_order] |= product
        items = {}
        for (pricelist, date), pricelist_products in by_pricelist.items():
            found = pricelist._compute_price_rule(
                pricelist_products, 1.0, date=date, compute_price=False
            )
            for product_id, (_price, item_id) in found.items():
                items[pricelist.id, date, product_id] = item_id
        # sale.order.option._compute_name: in the customer's language, all products
        # of a language at once
        by_lang = defaultdict(set)
        for order, _rule, product in to_create:
            by_lang[order.partner_id.lang].add(product.id)
        names = {}
        for lang, product_ids in by_lang.items():
            for product in Product.browse(product_ids).with_context(lang=lang):
                names[lang, product.id] = product.get_product_multiline_description_sale()
        Item = self.env["product.pricelist.item"]
        discount_enabled = Item._is_discount_feature_enabled()
        core_pricing = self._empathy_core_line_pricing()
        values = []
        for order, _rule, product in to_create:
            item = Item.browse(items.get((order.pricelist_id.id, order.date_order, product.id), ()))
            if core_pricing:
                price_unit, discount = order._empathy_option_price(product, item, discount_enabled)
            else:
                price_unit, discount = order._empathy_option_line_price(product, item)
            values.append(
                {
                    "name": names[order.partner_id.lang, product.id],
                    "uom_id": product.uom_id.id,  # sale.order.option._compute_uom_id
                    "quantity": 1.0,
                    "price_unit": price_unit,
                    "discount": discount,
                }
            )
        return values

    @api.model
    def _empathy_core_line_pricing(self):
        """Return whether the order line prices as core does (no pricing module).

        ``_empathy_option_price`` follows core's line; a module that overrides one of
        its price methods (discount or pricing extensions) is honoured by computing
        the options' prices on order lines instead (``_empathy_option_line_price``).
        """
        for cls in type(self.env["sale.order.line"]).__mro__:
            module = getattr(cls, "_module", None)
            if (
                module
                and module not in LINE_PRICE_MODULES
                and any(name in vars(cls) for name in LINE_PRICE_METHODS)
            ):
                return False
        return True

    def _empathy_option_line_price(self, product, item):
        """Return ``(price_unit, discount)`` of a new option through a new order line.

        Exactly what ``sale.order.option._compute_price_unit`` / ``_compute_discount``
        do (every module's overrides of the line apply), with the pricelist rule
        already found; slower than ``_empathy_option_price`` (the line is attached to
        the order and detached again).
        """
        self.ensure_one()
        line = self.env["sale.order.line"].new(
            {
                "order_id": self.id,
                "product_id": product.id,
                "product_uom_qty": 1.0,
                "product_uom": product.uom_id.id,
                "price_unit": 0.0,
                "technical_price_unit": 0.0,
                "discount": 0.0,
            }
        )
        line.pricelist_item_id = item
        line._compute_price_unit()
        line._compute_discount()
        price = (line.price_unit, line.discount)
        line.order_id = False  # do not leave the new line on the order (as the core)
        return price

    def _empathy_option_price(self, product, item, discount_enabled):
        """Return ``(price_unit, discount)`` of a new option of ``product`` (quantity 1).

        What ``sale.order.option._compute_price_unit`` / ``_compute_discount`` get from
        the new order line they build (quantity 1 in the product's unit, no attribute
        values, no combo item, nothing invoiced): ``sale.order.line._compute_price_unit``
        (``_reset_price_unit``, ``_get_display_price``) and ``_compute_discount``, with
        the same pricelist, product and tax methods.

        :param item: the pricelist rule the line would get (``_compute_pricelist_item_id``)
        :param discount_enabled: ``product.pricelist.item._is_discount_feature_enabled()``
        """
        self.ensure_one()
        company = self.company_id
        item = item.with_company(company)
        product = product.with_company(company)
        product = product.with_context(
            **product._get_product_price_context(self.env["product.template.attribute.value"])
        )
        price_args = {
            "product": product,
            "quantity": 1.0,
            "uom": product.uom_id,
            "date": self.date_order,
            "currency": self.currency_id,
        }
        show_discount = item._show_discount()
        pricelist_price = item._compute_price(**price_args)
        base_price = item._compute_price_before_discount(**price_args) if show_discount else 0.0
        # _get_display_price: a combo product's own price is 0; negative discounts
        # (surcharges) are included in the displayed price
        if product.type == "combo":
            price = 0.0
        elif show_discount:
            price = max(base_price, pricelist_price)
        else:
            price = pricelist_price
        price_unit = product._get_tax_included_unit_price_from_price(
            price,
            product_taxes=product.taxes_id._filter_taxes_by_company(company),
            fiscal_position=self.fiscal_position_id,
        )
        discount = 0.0
        if self.pricelist_id and discount_enabled and show_discount and base_price:
            computed = (base_price - pricelist_price) / base_price * 100
            # only negative discounts on negative prices (else a surcharge, not shown)
            if (computed > 0 and base_price > 0) or (computed < 0 and base_price < 0):
                discount = computed
        return price_unit, discount
