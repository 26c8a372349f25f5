# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Quotations: the customer briefing and the empathic cross-sell suggestions.

Which cross-sell rules match an order's customer and products, and which optional
products they add or drop (set-based); the order's create, write and confirm hooks.
Their prices: ``sale_order_cross_sell_pricing.py``; what orders tell about the
customer: ``sale_order_listening.py``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import compat, params
from ..tools.groups import EMPATHY_USER_GROUP

#: the model and the order's field of the optional products (and so of the suggestions):
#: ``sale.order.option`` on 18.0, the order lines in an optional section on 19.0
SUGGESTION_MODEL, SUGGESTION_FIELD = compat.optional_products()


class SaleOrder(models.Model):
    _inherit = "sale.order"

    empathy_briefing = fields.Html(
        related="partner_id.empathy_briefing",
        string="Customer briefing",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_suggestion_ids = fields.One2many(
        SUGGESTION_MODEL,
        compute="_compute_empathy_suggestion_ids",
        string="Empathic suggestions",
        groups=EMPATHY_USER_GROUP,
        help="Optional products suggested by the empathic cross-sell rules, with the reason why.",
    )

    @api.depends(f"{SUGGESTION_FIELD}.empathy_rule_id")
    def _compute_empathy_suggestion_ids(self):
        for order in self:
            order.empathy_suggestion_ids = order[SUGGESTION_FIELD].filtered("empathy_rule_id")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        try:
            orders = super().create(vals_list)
        except AccessError as error:
            # core's record rules, said so that a salesperson knows what to do
            raise self._empathy_salesperson_access_error(vals_list) or error from error
        orders._empathy_apply_campaign(check_existing=False)
        return orders

    @api.model
    def _empathy_salesperson_access_error(self, vals_list):
        """Return a clear AccessError when a quotation cannot be saved because its
        salesperson is a colleague, or None when that is not the reason.

        A new quotation takes the customer's salesperson (Odoo's default); a salesperson
        who sees only their own documents may then not create it nor its lines (core's
        rules "Personal Orders" and "Personal Order Lines", not the suggestions): the
        message names the salesperson and what to do instead.
        """
        user = self.env.user
        if (
            self.env.su
            or not user.has_group("sales_team.group_sale_salesman")
            or user.has_group("sales_team.group_sale_salesman_all_leads")
        ):
            return None
        Partner, Users = self.env["res.partner"].sudo(), self.env["res.users"].sudo()
        for vals in vals_list:
            salesperson = Users.browse(vals.get("user_id") or ())
            if "user_id" not in vals and vals.get("partner_id"):
                partner = Partner.browse(vals["partner_id"])
                salesperson = partner.user_id or partner.commercial_partner_id.user_id
            if salesperson and salesperson != user:
                return AccessError(
                    self.env._(
                        "This quotation's salesperson is %(salesperson)s (the customer's"
                        " salesperson), and you may save only your own quotations. Choose"
                        " yourself as salesperson (Other Info tab) to make it yours, or ask"
                        " %(salesperson)s or a sales manager.",
                        salesperson=salesperson.name,
                    )
                )
        return None

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
        before = self.sudo().empathy_suggestion_ids
        self._empathy_suggest()
        added = self.sudo().empathy_suggestion_ids - before
        return self._empathy_suggest_notification(added.sorted(lambda s: (s.sequence, s.id)))

    def _empathy_suggest_notification(self, added):
        """Return the notification action after suggesting: how many and why."""
        if added:
            lines = []
            for rule, suggestions in added.grouped("empathy_rule_id").items():
                lines.append(
                    self.env._(
                        "%(products)s: %(reason)s",
                        products=", ".join(suggestions.mapped("product_id.display_name")),
                        reason=suggestions[:1].empathy_reason or rule.name,
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
        return params.get(self.env, params.AUTO_SUGGEST)

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
        Suggestion = self.env[SUGGESTION_MODEL].sudo()
        orders.order_line.product_id.categ_id.mapped("parent_path")
        orders[SUGGESTION_FIELD].mapped("empathy_rule_id")

        matches = {order: self._empathy_order_matches(order, rules) for order in orders}
        # read the product rows of the matching rules only, in one query
        rules.browse().union(*matches.values()).suggested_product_ids.mapped("sale_ok")
        # stale: the rule no longer matches (or no longer suggests the product) and
        # nobody accepted the suggestion; removed first, so that another rule may
        # suggest the product again
        to_remove = Suggestion.browse()
        for order in orders:
            matched = matches[order]
            for suggestion in order.empathy_suggestion_ids:
                rule = suggestion.empathy_rule_id
                if suggestion._empathy_is_accepted():
                    continue
                if rule not in matched or suggestion.product_id not in rule.suggested_product_ids:
                    to_remove |= suggestion
        if to_remove:
            to_remove.with_context(empathy_no_auto_suggest=True)._empathy_remove()
        to_create = []
        for order in orders:
            # the products on the order or offered already (manual optional products too)
            skip = set(order.order_line.product_id.ids) | set(
                order[SUGGESTION_FIELD].product_id.ids
            )
            for rule in matches[order]:
                for product in rule.suggested_product_ids:
                    if product.id in skip:
                        continue
                    if not product.sale_ok or (
                        product.company_id and product.company_id != order.company_id
                    ):
                        continue
                    skip.add(product.id)
                    to_create.append((order, rule, product))
        if to_create:
            Suggestion._empathy_create_suggestions(to_create, self._empathy_rule_reasons(to_create))

    def _empathy_order_matches(self, order, rules):
        """Return the rules matching one order (reads prefetched data only)."""
        partner = order.partner_id
        commercial = partner.commercial_partner_id
        if partner._empathy_is_objecting():
            return rules.browse()
        products = self.env[SUGGESTION_MODEL]._empathy_ordered_lines(order).product_id
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

    def _empathy_suggestion_section_name(self):
        """Return the name of the optional section of the suggestions (19.0), in the
        customer's language: the customer reads it in the portal."""
        self.ensure_one()
        return self.with_context(lang=self.partner_id.lang or self.env.lang).env._(
            "Suggested for this customer"
        )

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
