# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from .empathy_groups import EMPATHY_USER_GROUP

AUTO_SUGGEST_PARAM = "empathic_crm.auto_suggest"
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

    empathy_briefing = fields.Html(
        related="partner_id.empathy_briefing",
        string="Customer briefing",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_suggestion_ids = fields.One2many(
        "sale.order.option",
        compute="_compute_empathy_suggestion_ids",
        string="Empathic suggestions",
        groups=EMPATHY_USER_GROUP,
        help="Optional products suggested by the empathic cross-sell rules, shown under"
        " the order lines.",
    )

    @api.depends("sale_order_option_ids.empathy_rule_id")
    def _compute_empathy_suggestion_ids(self):
        for order in self:
            order.empathy_suggestion_ids = order.sale_order_option_ids.filtered("empathy_rule_id")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._empathy_apply_campaign(check_existing=False)
        return orders

    def write(self, vals):
        res = super().write(vals)
        if "partner_id" in vals:
            # another customer, other motives: refresh like a line change does
            self.order_line._empathy_auto_suggest(self)
        if "campaign_id" in vals or "partner_id" in vals:
            self._empathy_apply_campaign()
        return res

    def _action_confirm(self):
        res = super()._action_confirm()
        self._empathy_apply_campaign()
        self._empathy_schedule_reorders()
        return res

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_empathy_suggest(self):
        """Refresh the motive-based suggestions (optional products) of the quotations.

        :returns: a notification saying how many were added and why; closing it
            reloads the quotation, where the suggestions show under the order lines
        """
        self.check_access("write")
        Option = self.env["sale.order.option"]
        before = Option.sudo().search([("order_id", "in", self.ids)])
        self._empathy_suggest()
        added = Option.sudo().search(
            [("order_id", "in", self.ids), ("id", "not in", before.ids)], order="sequence, id"
        )
        return self._empathy_suggest_notification(added)

    def _empathy_suggest_notification(self, added):
        """Return the notification action after suggesting: how many and why."""
        if added:
            lines = []
            for rule, options in added.grouped("empathy_rule_id").items():
                lines.append(
                    self.env._(
                        "%(products)s: %(reason)s",
                        products=", ".join(options.mapped("product_id.display_name")),
                        reason=options[:1].empathy_reason or rule.name,
                    )
                )
            title = self.env._("%s suggestions added", len(added))
            if len(added) == 1:
                title = self.env._("1 suggestion added")
            message, kind = " ".join(lines), "success"
        else:
            title = self.env._("No new suggestions")
            message = self.env._(
                "No cross-sell rule matches this customer's motives and products, or its"
                " products are already on the quotation."
            )
            kind = "info"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": False,
                # reloads the quotation: the suggestions appear under the order lines
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @api.model
    def _empathy_auto_suggest_enabled(self):
        """Return whether suggestions are refreshed automatically when lines change."""
        return bool(self.env["ir.config_parameter"].sudo().get_param(AUTO_SUGGEST_PARAM, False))

    def _empathy_suggest(self):
        """Add the suggestions of matching rules and drop stale untouched ones.

        Set-based: a constant number of queries whatever the number of orders, lines
        and rules (plus what creating/removing the options themselves costs). Runs as
        superuser for the reads, so that automatic refreshes triggered by any user
        (portal, shop, automation) see the rules and the profiles.
        """
        orders = self.sudo().filtered(lambda o: o.state in ("draft", "sent"))
        if not orders:
            return
        Rule = self.env["empathy.cross.sell.rule"].sudo()
        # only the columns the matching reads (the rows of the matching rules later)
        rules = Rule.search_fetch(
            [("company_id", "in", [False, *orders.company_id.ids])], ["company_id", "motive_match"]
        )
        # prefetch what the pure matching reads, one query per relation; x2many fields
        # hide archived records, so the related records' active flag is read, only it
        # (not the rows of hundreds of products) and for the rules and the customers
        # together (the same queries whichever motives and values the rules cover)
        unfiltered = rules.with_context(active_test=False)
        partners = orders.partner_id | orders.partner_id.commercial_partner_id
        partners = partners.with_context(active_test=False)
        (unfiltered.motive_ids | partners.empathy_motive_ids).fetch(["active"])
        (unfiltered.value_ids | partners.empathy_value_ids).fetch(["active"])
        (unfiltered.trigger_product_ids | unfiltered.suggested_product_ids).fetch(["active"])
        unfiltered.mapped("trigger_categ_ids")
        lines = orders.order_line
        lines.product_id.categ_id.mapped("parent_path")
        options = orders.sale_order_option_ids
        options.mapped("empathy_rule_id")

        to_remove = self.env["sale.order.option"].sudo()
        to_create = []
        matches = {order: self._empathy_order_matches(order, rules) for order in orders}
        # read the product rows of the matching rules only, in one query
        rules.browse().union(*matches.values()).suggested_product_ids.mapped("sale_ok")
        for order in orders:
            matched = matches[order]
            order_options = order.sale_order_option_ids
            # stale: the rule no longer matches (or no longer suggests the product)
            # and the salesperson did not add the option to the order
            for option in order_options:
                rule = option.empathy_rule_id
                if not rule or option.line_id:
                    continue
                if rule not in matched or option.product_id not in rule.suggested_product_ids:
                    to_remove |= option
            kept = order_options - to_remove
            skip = set(order.order_line.product_id.ids) | set(kept.product_id.ids)
            for rule in matched:
                for product in rule.suggested_product_ids:
                    if product.id in skip:
                        continue
                    if not product.sale_ok or (
                        product.company_id and product.company_id != order.company_id
                    ):
                        continue
                    skip.add(product.id)
                    to_create.append((order, rule, product))
        if to_remove:
            to_remove.unlink()
        if to_create:
            reasons = self._empathy_rule_reasons(to_create)
            computed = self._empathy_option_computed_values(to_create)
            # one batch, every computed field given: no per-option compute queries
            self.env["sale.order.option"].sudo().create(
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

    def _empathy_order_matches(self, order, rules):
        """Return the rules matching one order (reads prefetched data only)."""
        partner = order.partner_id
        commercial = partner.commercial_partner_id
        if partner.empathy_objection or commercial.empathy_objection:
            return rules.browse()
        products = order.order_line.product_id
        categ_ids = {
            int(categ_id)
            for path in products.categ_id.mapped("parent_path")
            for categ_id in (path or "").split("/")
            if categ_id
        }
        company_rules = rules.filtered(
            lambda r: not r.company_id or r.company_id == order.company_id
        )
        return self._empathy_match_rules(
            company_rules,
            partner.empathy_motive_ids | commercial.empathy_motive_ids,
            partner.empathy_value_ids | commercial.empathy_value_ids,
            products,
            self.env["product.category"].browse(categ_ids),
        )

    @api.model
    def _empathy_match_rules(self, rules, partner_motives, partner_values, products, categories):
        """Return the rules whose motives, values and triggers match (pure, no queries).

        :param categories: the categories of the products on the order and all their
            parent categories (so that a rule on a parent category matches).
        """
        matched = []
        for rule in rules:
            # each relation read once per rule: 500 rules are matched per refresh
            motives = rule.motive_ids
            common = motives & partner_motives
            if rule.motive_match == "all":
                if not motives or common != motives:
                    continue
            elif not common:
                continue
            values = rule.value_ids
            if values and not values & partner_values:
                continue
            trigger_products = rule.trigger_product_ids
            trigger_categs = rule.trigger_categ_ids
            if (trigger_products or trigger_categs) and not (
                trigger_products & products or trigger_categs & categories
            ):
                continue
            matched.append(rule.id)
        return rules.browse(matched)

    def _empathy_reason_lang(self):
        """Return the language the reason is copied in: the salesperson's.

        The reason is guidance for the salesperson (never shown to the customer), so
        it follows the order's salesperson, then the current user.
        """
        self.ensure_one()
        return self.user_id.lang or self.env.user.lang or "en_US"

    def _empathy_rule_reasons(self, to_create):
        """Return {(rule id, lang): reason}, one read per language."""
        by_lang = defaultdict(lambda: self.env["empathy.cross.sell.rule"].sudo())
        for order, rule, _product in to_create:
            by_lang[order._empathy_reason_lang()] |= rule
        reasons = {}
        for lang, rules in by_lang.items():
            for rule in rules.with_context(lang=lang):
                reasons[rule.id, lang] = rule.reason or False
        return reasons

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

    # ------------------------------------------------------------------
    # listening: campaign responses and reorder follow-ups
    # ------------------------------------------------------------------
    def _empathy_apply_campaign(self, check_existing=True):
        """Add the campaigns' motives/values to the customers (orders beat quotations)."""
        Campaign = self.env["utm.campaign"]
        confirmed = self.filtered(lambda order: order.state == "sale")
        Campaign._empathy_apply_responses(self - confirmed, "campaign_lead", check_existing)
        Campaign._empathy_apply_responses(confirmed, "campaign_order", check_existing)

    def _empathy_schedule_reorders(self):
        """Schedule a reorder follow-up per customer and consumable of these orders.

        Due at the order date plus the product's reorder interval, assigned to the
        customer's best advisor (else the salesperson). Skipped when a newer confirmed
        order of the customer contains the product; an older open follow-up of the
        same customer and product is replaced, a later one kept (no duplicates).
        Set-based: a constant number of queries whatever the number of orders.
        """
        orders = self.sudo().filtered(lambda order: order.state == "sale")
        lines = orders.order_line.filtered(
            lambda line: (
                not line.display_type and line.product_id.product_tmpl_id.empathy_reorder_days > 0
            )
        )
        if not lines:
            return
        latest = {}  # (partner id, product id): the line of the newest order
        for line in lines:
            key = (line.order_id.partner_id.id, line.product_id.id)
            if key not in latest or line.order_id.date_order > latest[key].order_id.date_order:
                latest[key] = line
        newest = self._empathy_newest_order_dates(latest)
        due = {}
        for key, line in latest.items():
            if newest.get(key, line.order_id.date_order) > line.order_id.date_order:
                continue  # a newer confirmed order covers it
            days = line.product_id.product_tmpl_id.empathy_reorder_days
            due[key] = (line, line.order_id.date_order.date() + timedelta(days=days))
        if not due:
            return
        Activity = self.env["mail.activity"].sudo()
        existing = Activity.search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", list({key[0] for key in due})),
                ("empathy_reorder_product_id", "in", list({key[1] for key in due})),
            ]
        )
        superseded = Activity.browse()
        for activity in existing:
            key = (activity.res_id, activity.empathy_reorder_product_id.id)
            if key not in due:
                continue
            if activity.date_deadline >= due[key][1]:
                del due[key]  # an open follow-up already covers this date
            else:
                superseded |= activity
        superseded.unlink()
        activity_type = self._empathy_reorder_activity_type()
        model_id = self.env["ir.model"]._get_id("res.partner")
        Activity.with_context(mail_activity_quick_update=True).create(
            [
                line.order_id._empathy_prepare_reorder_values(line, date, activity_type, model_id)
                for line, date in due.values()
            ]
        )

    def _empathy_newest_order_dates(self, keys):
        """Return {(partner id, product id): newest confirmed order date}, one query."""
        self.env["sale.order"].flush_model(["partner_id", "state", "date_order"])
        self.env["sale.order.line"].flush_model(["order_id", "product_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT so.partner_id, sol.product_id, max(so.date_order)
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                 WHERE so.state = 'sale'
                   AND so.partner_id = ANY(%s)
                   AND sol.product_id = ANY(%s)
              GROUP BY so.partner_id, sol.product_id
                """,
                list({key[0] for key in keys}),
                list({key[1] for key in keys}),
            )
        )
        return {(partner, product): date for partner, product, date in self.env.cr.fetchall()}

    @api.model
    def _empathy_reorder_activity_type(self):
        """Return the activity type of reorder follow-ups (To-Do: no impression needed)."""
        return self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False) or (
            self.env["mail.activity"]._default_activity_type_for_model("res.partner")
        )

    def _empathy_prepare_reorder_values(self, line, date, activity_type, model_id):
        """Return the values of the reorder follow-up for one order line."""
        self.ensure_one()
        partner = self.partner_id
        user = partner.empathy_best_advisor_id or self.user_id or self.env.user
        return {
            "res_model_id": model_id,
            "res_id": partner.id,
            "activity_type_id": activity_type.id,
            "user_id": user.id,
            "date_deadline": date,
            "empathy_reorder_product_id": line.product_id.id,
            "summary": self.env._("Reorder %s", line.product_id.display_name),
            "note": Markup("<p>%s</p>")
            % self.env._(
                "%(customer)s ordered %(qty)s × %(product)s on %(date)s (%(order)s):"
                " probably running low now. Ask whether to send a refill.",
                customer=partner.display_name,
                qty="%g" % line.product_uom_qty,
                product=line.product_id.display_name,
                date=fields.Date.to_string(self.date_order.date()),
                order=self.name,
            ),
        }
