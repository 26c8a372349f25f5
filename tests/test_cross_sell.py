# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Motive-based cross-sell rules: matching, suggestions, acceptance, rights, queries.

Language of the copied reason (a decision, tested below): the reason is guidance for
the salesperson and never shown to the customer, so it is copied in the language of
the order's salesperson (then the current user), not in the customer's language.
"""

import importlib
import logging
import unittest
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import TransactionCase, tagged, users

from odoo.addons.mail.tests.common import mail_new_test_user

from ..tools import compat
from .common import EmpathyWorld

_logger = logging.getLogger(__name__)

#: the tests of sale.order.option's values (18.0; 19.0's order lines price themselves)
only_options = unittest.skipUnless(
    compat.has_sale_order_option(), "18.0: the suggestions are sale.order.option records"
)
only_lines = unittest.skipIf(
    compat.has_sale_order_option(), "19.0: the suggestions are order lines"
)


def offered(order):
    """Return the optional products of ``order``: its ``sale.order.option`` records
    (18.0), its lines in an optional section (19.0), suggested or not, accepted or not."""
    if compat.has_sale_order_option():
        return order.sale_order_option_ids
    return order.order_line.filtered(
        lambda line: not line.display_type and line._is_line_optional()
    )


def accept(suggestion, quantity=1.0):
    """Accept a suggestion as the salesperson does; return the ordered line.

    18.0: the option's quantity, then *Add to order* (``button_add_to_order``);
    19.0: the optional line's quantity (the customer's toggle in the portal does the same).
    """
    if compat.has_sale_order_option():
        suggestion.quantity = quantity
        suggestion.button_add_to_order()
        return suggestion.line_id
    suggestion.product_uom_qty = quantity
    return suggestion


def add_option(order, product):
    """Offer ``product`` on ``order`` by hand (no rule): an optional product."""
    if compat.has_sale_order_option():
        return order.env["sale.order.option"].create(
            {"order_id": order.id, "product_id": product.id}
        )
    Line = order.env["sale.order.line"]
    section = order.order_line.filtered(
        lambda line: line.display_type == "line_section" and line.is_optional
    )[:1]
    if not section:
        section = Line.create(
            {
                "order_id": order.id,
                "display_type": "line_section",
                "is_optional": True,
                "name": "Optional Products",
                "sequence": max(order.order_line.mapped("sequence"), default=0) + 1,
            }
        )
    return Line.create(
        {
            "order_id": order.id,
            "product_id": product.id,
            "product_uom_qty": 0.0,
            "sequence": max(order.order_line.mapped("sequence")) + 1,
        }
    )


@tagged("post_install", "-at_install", "empathic_crm")
class TestCrossSell(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._setup_companies("XS Company B")
        cls._create_users("xs", "user_{}", sales="Xena Sales", manager="Xaver Manager")
        cls.env["ir.config_parameter"].set_param("empathic_crm.auto_suggest", False)

        cls.marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        cls.gift = cls.env.ref("empathic_crm.motive_gift")
        cls.sustainability = cls.env.ref("empathic_crm.value_sustainability")
        cls.innovation = cls.env.ref("empathic_crm.value_innovation")

        Category = cls.env["product.category"]
        cls.categ_running = Category.create({"name": "XS Running"})
        cls.categ_apparel = Category.create(
            {"name": "XS Running apparel", "parent_id": cls.categ_running.id}
        )
        cls.categ_other = Category.create({"name": "XS Books"})

        cls.shirt = cls._create_product("XS Running Shirt", 40.0, cls.categ_apparel)
        cls.watch = cls._create_product("XS Sports Watch", 250.0, cls.categ_running)
        cls.shorts = cls._create_product("XS Swim Shorts", 30.0, cls.categ_other)
        cls.guide = cls._create_product("XS Hawaii Travel Guide", 20.0, cls.categ_other)
        cls.gels = cls._create_product("XS Energy Gels", 2.5, cls.categ_running)
        cls.novel = cls._create_product("XS Novel", 12.0, cls.categ_other)

        Partner = cls.env["res.partner"]
        cls.hawaii_runner = cls._create_hawaii_runner(
            name="XS Jonas", empathy_value_ids=[Command.set(cls.sustainability.ids)]
        )
        cls.runner = Partner.create(
            {"name": "XS Sophie", "empathy_motive_ids": [Command.set(cls.marathon.ids)]}
        )

        Rule = cls.env["empathy.cross.sell.rule"]
        cls.rule_hawaii = cls._create_hawaii_rule(
            "XS Marathon in Hawaii", cls.categ_running, cls.shorts | cls.guide, sequence=1
        )
        cls.rule_marathon = Rule.create(
            {
                "name": "XS Marathon runner",
                "sequence": 2,
                "motive_ids": [Command.set(cls.marathon.ids)],
                "trigger_categ_ids": [Command.set(cls.categ_running.ids)],
                "suggested_product_ids": [Command.set(cls.gels.ids)],
                "reason": "Energy gels for the long runs.",
            }
        )
        cls.story_rules = cls.rule_hawaii | cls.rule_marathon

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _order(self, partner, products=(), **values):
        return self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": 1}) for p in products
                ],
                **values,
            }
        )

    def _suggested(self, order):
        options = offered(order).filtered("empathy_rule_id")
        return {o.product_id: o.empathy_rule_id for o in options}

    def _rule(self, **values):
        return self.env["empathy.cross.sell.rule"].create(
            {
                "name": "XS rule",
                "motive_ids": [Command.set(self.gift.ids)],
                "suggested_product_ids": [Command.set(self.novel.ids)],
                **values,
            }
        )

    def _partner(self, motives, values=None, **extra):
        return self.env["res.partner"].create(
            {
                "name": "XS Customer",
                "empathy_motive_ids": [Command.set(motives.ids)],
                "empathy_value_ids": [Command.set(values.ids if values else [])],
                **extra,
            }
        )

    # ------------------------------------------------------------------
    # the story
    # ------------------------------------------------------------------
    def test_hawaii_case(self):
        """The Hawaii runner gets swim shorts and a guide, the other runner energy gels."""
        order = self._order(self.hawaii_runner, [self.shirt])
        notification = order.action_empathy_suggest()
        # says how many were added and why, once per rule; closing it reloads the form
        params = notification["params"]
        self.assertEqual(params["title"], "3 suggestions added")
        self.assertEqual(params["message"].count("marathon is in Hawaii"), 1)
        self.assertIn(self.gels.display_name, params["message"])
        self.assertEqual(params["next"], {"type": "ir.actions.act_window_close"})
        self.assertEqual(order.action_empathy_suggest()["params"]["title"], "No new suggestions")
        self.assertEqual(
            self._suggested(order),
            {
                self.shorts: self.rule_hawaii,
                self.guide: self.rule_hawaii,
                self.gels: self.rule_marathon,
            },
        )
        shorts = offered(order).filtered(lambda o: o.product_id == self.shorts)
        self.assertIn("Hawaii", shorts.empathy_reason)
        self.assertEqual(shorts.price_unit, 30.0)
        # shown under the order lines, every suggestion with its reason
        self.assertEqual(order.empathy_suggestion_ids, offered(order))
        hawaii = order.empathy_suggestion_ids.filtered(
            lambda o: o.empathy_rule_id == self.rule_hawaii
        )
        self.assertEqual(len(hawaii.filtered("empathy_reason_shown")), 2)
        self.assertEqual(len(hawaii), 2)

        other = self._order(self.runner, [self.shirt])
        other.action_empathy_suggest()
        self.assertEqual(self._suggested(other), {self.gels: self.rule_marathon})
        self.assertNotIn(self.watch, offered(other).product_id)

    def test_no_trigger_no_suggestion(self):
        """Rules with triggers need a trigger on the order."""
        order = self._order(self.hawaii_runner, [self.novel])
        order.action_empathy_suggest()
        self.assertFalse(offered(order))

    # ------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------
    def test_motive_any_all(self):
        rule_any = self._rule(motive_ids=[Command.set([self.gift.id, self.hawaii.id])])
        rule_all = self._rule(
            motive_ids=[Command.set([self.gift.id, self.hawaii.id])], motive_match="all"
        )
        match = self.env["sale.order"]._empathy_match_rules
        rules = rule_any | rule_all
        no_products = self.env["product.product"]
        no_categs = self.env["product.category"]
        no_values = self.env["empathy.value"]
        self.assertEqual(match(rules, self.hawaii, no_values, no_products, no_categs), rule_any)
        self.assertEqual(
            match(rules, self.gift | self.hawaii, no_values, no_products, no_categs), rules
        )
        self.assertEqual(
            match(
                rules, self.gift | self.hawaii | self.marathon, no_values, no_products, no_categs
            ),
            rules,
        )
        self.assertFalse(match(rules, self.marathon, no_values, no_products, no_categs))

        # the same through orders: the story's "all" rule needs Hawaii too
        partner = self._partner(self.hawaii)
        order = self._order(partner)
        order.action_empathy_suggest()
        self.assertEqual(self._suggested(order), {self.novel: rule_any})
        partner.empathy_motive_ids = [Command.link(self.gift.id)]
        order.action_empathy_suggest()
        self.assertEqual(offered(order).product_id, self.novel, "no duplicate")

    def test_values(self):
        rule = self._rule(value_ids=[Command.set([self.sustainability.id, self.innovation.id])])
        without = self._order(self._partner(self.gift))
        other_value = self._order(
            self._partner(self.gift, self.env.ref("empathic_crm.value_regional"))
        )
        with_value = self._order(self._partner(self.gift, self.innovation))
        (without | other_value | with_value).action_empathy_suggest()
        self.assertFalse(offered(without))
        self.assertFalse(offered(other_value))
        self.assertEqual(self._suggested(with_value), {self.novel: rule})

    def test_product_trigger(self):
        rule = self._rule(trigger_product_ids=[Command.set(self.watch.ids)])
        partner = self._partner(self.gift)
        shirt_order = self._order(partner, [self.shirt])
        watch_order = self._order(partner, [self.shirt, self.watch])
        (shirt_order | watch_order).action_empathy_suggest()
        self.assertFalse(offered(shirt_order))
        self.assertEqual(self._suggested(watch_order), {self.novel: rule})

    def test_category_trigger_child_categories(self):
        """A rule on a parent category matches products of child categories, not vice versa."""
        rule_parent = self._rule(trigger_categ_ids=[Command.set(self.categ_running.ids)])
        rule_child = self._rule(
            trigger_categ_ids=[Command.set(self.categ_apparel.ids)],
            suggested_product_ids=[Command.set(self.guide.ids)],
        )
        partner = self._partner(self.gift)
        shirt_order = self._order(partner, [self.shirt])  # in the child category
        watch_order = self._order(partner, [self.watch])  # in the parent category
        novel_order = self._order(partner, [self.guide])  # elsewhere
        (shirt_order | watch_order | novel_order).action_empathy_suggest()
        self.assertEqual(
            self._suggested(shirt_order), {self.novel: rule_parent, self.guide: rule_child}
        )
        self.assertEqual(self._suggested(watch_order), {self.novel: rule_parent})
        self.assertFalse(offered(novel_order))

    def test_product_or_category_trigger(self):
        """Product and category triggers: one of them is enough."""
        rule = self._rule(
            trigger_product_ids=[Command.set(self.guide.ids)],
            trigger_categ_ids=[Command.set(self.categ_apparel.ids)],
        )
        partner = self._partner(self.gift)
        by_product = self._order(partner, [self.guide])
        by_categ = self._order(partner, [self.shirt])
        neither = self._order(partner, [self.watch])
        (by_product | by_categ | neither).action_empathy_suggest()
        self.assertEqual(self._suggested(by_product), {self.novel: rule})
        self.assertEqual(self._suggested(by_categ), {self.novel: rule})
        self.assertFalse(offered(neither))

    def test_commercial_partner_motives(self):
        """Motives of the contact and of its company both count."""
        company = self._partner(self.hawaii, is_company=True, name="XS Runners Club")
        contact = self._partner(self.marathon, parent_id=company.id, name="XS Club Member")
        order = self._order(contact, [self.shirt])
        order.action_empathy_suggest()
        self.assertEqual(
            set(self._suggested(order)), {self.shorts, self.guide, self.gels}, "all motives met"
        )

    def test_required_relations(self):
        with self.assertRaises(ValidationError):
            self._rule(motive_ids=[Command.clear()])
        with self.assertRaises(ValidationError):
            self._rule(suggested_product_ids=[Command.clear()])

    # ------------------------------------------------------------------
    # suggestions on the order
    # ------------------------------------------------------------------
    def test_skip_existing(self):
        """Products already on the order or already offered are not suggested again."""
        order = self._order(self.hawaii_runner, [self.shirt, self.shorts])
        add_option(order, self.guide)
        order.action_empathy_suggest()
        self.assertEqual(self._suggested(order), {self.gels: self.rule_marathon})
        self.assertEqual(len(offered(order)), 2)
        order.action_empathy_suggest()
        self.assertEqual(len(offered(order)), 2, "idempotent")

    def test_same_product_two_rules(self):
        """A product suggested by two rules is offered once, for the first rule."""
        self.rule_marathon.suggested_product_ids = [Command.link(self.shorts.id)]
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_empathy_suggest()
        self.assertEqual(len(offered(order)), 3)
        self.assertEqual(self._suggested(order)[self.shorts], self.rule_hawaii)

    def test_stale_untouched_suggestions_removed(self):
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_empathy_suggest()
        guide = offered(order).filtered(lambda o: o.product_id == self.guide)
        accept(guide)
        manual = add_option(order, self.novel)
        # the trip is cancelled: the Hawaii rule no longer matches
        self.hawaii_runner.empathy_motive_ids = [Command.unlink(self.hawaii.id)]
        order.action_empathy_suggest()
        self.assertEqual(
            offered(order).product_id,
            self.guide | self.gels | self.novel,
            "untouched swim shorts removed; accepted guide and manual option kept",
        )
        self.assertTrue(manual.exists())
        # the running shirt goes: nothing triggers any more
        order.order_line.filtered(lambda line: line.product_id == self.shirt).unlink()
        order.action_empathy_suggest()
        self.assertEqual(offered(order).product_id, self.guide | self.novel)

    def test_confirmed_orders_untouched(self):
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_confirm()
        order.action_empathy_suggest()
        self.assertFalse(offered(order))

    def test_objection(self):
        """People who object to profiling get no suggestions, existing ones go."""
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_empathy_suggest()
        self.assertEqual(len(offered(order)), 3)
        self.hawaii_runner.empathy_objection = True
        order.action_empathy_suggest()
        self.assertFalse(offered(order))

        company = self._partner(self.marathon, is_company=True, empathy_objection=True)
        contact = self._partner(self.marathon, parent_id=company.id)
        contact_order = self._order(contact, [self.shirt])
        contact_order.action_empathy_suggest()
        self.assertFalse(offered(contact_order), "the company objects")

    def test_auto_suggest(self):
        order = self._order(self.hawaii_runner, [self.novel])
        order.order_line = [Command.create({"product_id": self.shirt.id})]
        self.assertFalse(offered(order), "setting off: nothing automatic")

        self.env["ir.config_parameter"].set_param("empathic_crm.auto_suggest", True)
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.empathy_auto_suggest)
        order.order_line = [Command.create({"product_id": self.watch.id})]
        self.assertEqual(set(self._suggested(order)), {self.shorts, self.guide, self.gels})
        # lines removed: the stale suggestions go automatically
        order.order_line.filtered(lambda line: line.product_id != self.novel).unlink()
        self.assertFalse(offered(order))
        # a new order created with lines gets its suggestions at once
        other = self._order(self.runner, [self.shirt])
        self.assertEqual(self._suggested(other), {self.gels: self.rule_marathon})
        # product changed on a line
        other.order_line.filtered(
            lambda line: line.product_id == self.shirt
        ).product_id = self.novel
        self.assertFalse(offered(other))

    # ------------------------------------------------------------------
    # acceptance
    # ------------------------------------------------------------------
    def test_acceptance_statistics(self):
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_empathy_suggest()
        self._order(self.runner, [self.shirt]).action_empathy_suggest()
        self.story_rules.invalidate_recordset()
        self.assertEqual(self.rule_hawaii.suggested_count, 2)
        self.assertEqual(self.rule_hawaii.accepted_count, 0)
        self.assertEqual(self.rule_hawaii.acceptance_rate, 0.0)
        self.assertEqual(self.rule_marathon.suggested_count, 2)

        shorts = offered(order).filtered(lambda o: o.product_id == self.shorts)
        line = accept(shorts, 2)
        self.assertEqual(line.product_uom_qty, 2)
        self.story_rules.invalidate_recordset()
        self.assertEqual(self.rule_hawaii.suggested_count, 2)
        self.assertEqual(self.rule_hawaii.accepted_count, 1)
        self.assertAlmostEqual(self.rule_hawaii.acceptance_rate, 0.5)
        self.assertAlmostEqual(self.rule_hawaii.accepted_revenue, 60.0)
        self.assertEqual(self.rule_hawaii.accepted_revenue, line.price_subtotal)
        self.assertEqual(self.rule_marathon.accepted_count, 0)
        self.assertEqual(self.rule_marathon.accepted_revenue, 0.0)

        report = self.env["empathy.cross.sell.report"]._read_group(
            [("rule_id", "=", self.rule_hawaii.id)],
            [],
            [
                "suggested_count:sum",
                "accepted_count:sum",
                "acceptance_rate:avg",
                "accepted_revenue:sum",
            ],
        )
        self.assertEqual(report, [(2, 1, 50.0, 60.0)])

        # the product form shows which rules suggest it
        self.assertEqual(self.shorts.product_tmpl_id.empathy_cross_sell_rule_ids, self.rule_hawaii)
        self.assertEqual(self.shorts.product_tmpl_id.empathy_cross_sell_rule_count, 1)
        action = self.shorts.product_tmpl_id.action_view_empathy_cross_sell_rules()
        self.assertEqual(
            self.env["empathy.cross.sell.rule"].search(action["domain"]), self.rule_hawaii
        )

        # accepted lines stay accepted when the order is refreshed
        order.action_empathy_suggest()
        self.assertIn(shorts, offered(order))

    # ------------------------------------------------------------------
    # security
    # ------------------------------------------------------------------
    def test_multi_company(self):
        rule_b = self._rule(name="XS B rule", company_id=self.company_b.id)
        rule_shared = self._rule(
            name="XS shared rule",
            company_id=False,
            suggested_product_ids=[Command.set(self.guide.ids)],
        )
        partner = self._partner(self.gift)
        order_a = self._order(partner)
        order_b = self._order(partner, company_id=self.company_b.id)
        (order_a | order_b).action_empathy_suggest()
        self.assertEqual(self._suggested(order_a), {self.guide: rule_shared})
        self.assertEqual(self._suggested(order_b), {self.novel: rule_b, self.guide: rule_shared})
        # record rule: company A users do not see company B rules
        visible = (
            self.env["empathy.cross.sell.rule"]
            .with_user(self.user_sales)
            .search([("name", "like", "XS ")])
        )
        self.assertIn(rule_shared, visible)
        self.assertNotIn(rule_b, visible)

    def test_colleagues_customer_says_why_it_cannot_be_saved(self):
        """A salesperson's new quotation for a colleague's customer takes the colleague as
        salesperson (Odoo's default), which core's rules forbid saving: the message says
        so and what to do, whether or not suggestions were asked for."""
        colleague = self.user_manager
        customer = self._partner(self.marathon, user_id=colleague.id)
        Order = self.env["sale.order"].with_user(self.user_sales)
        values = {
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": self.shirt.id, "product_uom_qty": 1})],
        }
        with self.assertRaisesRegex(
            AccessError,
            f"This quotation's salesperson is {colleague.name} \\(the customer's salesperson\\)",
        ):
            Order.create(dict(values))
        # the same with the salesperson in the values, as the web client sends it
        with self.assertRaisesRegex(AccessError, "Choose yourself as salesperson"):
            Order.create(dict(values, user_id=colleague.id))
        # with herself as salesperson she saves it and gets the suggestions
        order = Order.create(dict(values, user_id=self.user_sales.id))
        order.action_empathy_suggest()
        self.assertIn(self.gels, self._suggested(order))

    @users("xs_sales")
    def test_access_salesman(self):
        rule = self.rule_hawaii.with_env(self.env)
        self.assertEqual(rule.name, "XS Marathon in Hawaii")
        self.assertEqual(rule.suggested_count, 0)
        with self.assertRaises(AccessError):
            rule.name = "Changed"
        with self.assertRaises(AccessError):
            self.env["empathy.cross.sell.rule"].create(
                {
                    "name": "Mine",
                    "motive_ids": [Command.set(self.gift.ids)],
                    "suggested_product_ids": [Command.set(self.novel.ids)],
                }
            )
        with self.assertRaises(AccessError):
            self.env["empathy.cross.sell.report"].search([])
        # but the salesperson uses the suggestions on their quotation
        order = self._order(self.hawaii_runner, [self.shirt])
        order.action_empathy_suggest()
        self.assertEqual(len(offered(order)), 3)
        self.assertTrue(order.empathy_briefing)

    @users("xs_manager")
    def test_access_manager(self):
        rule = self.rule_hawaii.with_env(self.env)
        rule.reason = "Changed by the manager"
        self.assertEqual(rule.reason, "Changed by the manager")
        self._rule(name="XS manager rule").unlink()
        self.env["empathy.cross.sell.report"].search([])

    # ------------------------------------------------------------------
    # translation
    # ------------------------------------------------------------------
    def test_reason_in_salesperson_language(self):
        """The reason is copied in the salesperson's language, not the customer's."""
        self.env["res.lang"]._activate_lang("de_DE")
        german_reason = "Sein Marathon ist auf Hawaii: Badeshorts für den Strand nach dem Rennen."
        self.rule_hawaii.with_context(lang="de_DE").reason = german_reason
        self.assertIn("Hawaii", self.rule_hawaii.with_context(lang="en_US").reason)
        self.hawaii_runner.lang = "de_DE"
        german_seller = mail_new_test_user(
            self.env, login="xs_de_sales", groups="sales_team.group_sale_salesman", lang="de_DE"
        )
        english_seller = mail_new_test_user(
            self.env, login="xs_en_sales", groups="sales_team.group_sale_salesman", lang="en_US"
        )

        german = self._order(self.hawaii_runner, [self.shirt], user_id=german_seller.id)
        german.with_user(german_seller).action_empathy_suggest()
        shorts = offered(german).filtered(lambda o: o.product_id == self.shorts)
        self.assertEqual(shorts.empathy_reason, german_reason)

        english = self._order(self.hawaii_runner, [self.shirt], user_id=english_seller.id)
        english.action_empathy_suggest()
        shorts = offered(english).filtered(lambda o: o.product_id == self.shorts)
        self.assertEqual(
            shorts.empathy_reason,
            "His marathon is in Hawaii: swim shorts for the beach after the race.",
            "German customer, English salesperson: the salesperson reads English",
        )
        # whoever reads the order reads the reason in their own language
        shorts.invalidate_recordset(["empathy_reason_shown"])
        self.assertEqual(
            shorts.with_user(german_seller).with_context(lang="de_DE").empathy_reason_shown,
            german_reason,
        )
        self.assertEqual(
            shorts.with_user(english_seller).with_context(lang="en_US").empathy_reason_shown,
            "His marathon is in Hawaii: swim shorts for the beach after the race.",
        )

    # ------------------------------------------------------------------
    # performance
    # ------------------------------------------------------------------
    def _count_suggest_queries(self, order):
        """Return the queries of one refresh, from cold record caches, flush included."""
        return self._count_queries(order.action_empathy_suggest)

    def test_query_count_lines(self):
        """The same number of queries for 1 and for 50 order lines."""
        products = self.env["product.product"].create(
            [
                {"name": f"XS Shirt {i}", "categ_id": self.categ_apparel.id, "type": "consu"}
                for i in range(50)
            ]
        )
        # warm the caches (ormcache, rule/user metadata) once
        self._order(self.hawaii_runner, products[:3]).action_empathy_suggest()
        one = self._order(self.hawaii_runner, products[:1])
        fifty = self._order(self.hawaii_runner, products)
        queries_one = self._count_suggest_queries(one)
        self.assertEqual(len(offered(one)), 3)

        with self.assertQueryCount(queries_one):
            queries_fifty = self._count_suggest_queries(fifty)
        self.assertEqual(queries_fifty, queries_one)
        _logger.info("suggest: %d queries for 1 line, %d for 50 lines", queries_one, queries_fifty)
        self.assertEqual(len(offered(fifty)), 3)

    def test_query_count_rules(self):
        """The same number of queries for 5 and for 200 rules."""
        suggested = [self.shorts, self.guide, self.gels]
        values = self.sustainability | self.innovation

        def make_rules(count):
            return self.env["empathy.cross.sell.rule"].create(
                [
                    {
                        "name": f"XS load rule {i}",
                        "sequence": 100 + i,
                        "motive_ids": [Command.set([self.marathon.id, self.hawaii.id])],
                        "motive_match": ("any", "all")[i % 2],
                        "value_ids": [Command.set(values.ids if i % 3 else [])],
                        "trigger_categ_ids": [Command.set(self.categ_running.ids)],
                        "trigger_product_ids": [Command.set(self.watch.ids if i % 4 else [])],
                        "suggested_product_ids": [Command.set(suggested[i % 3].ids)],
                        "reason": f"Reason {i}",
                    }
                    for i in range(count)
                ]
            )

        self.story_rules.active = False
        few = make_rules(5)
        self._order(self.hawaii_runner, [self.shirt]).action_empathy_suggest()  # warm up
        order = self._order(self.hawaii_runner, [self.shirt])
        queries_few = self._count_suggest_queries(order)
        self.assertEqual(set(self._suggested(order)), set().union(*suggested))

        few.active = False
        make_rules(200)
        self._order(self.hawaii_runner, [self.shirt]).action_empathy_suggest()  # warm up
        order = self._order(self.hawaii_runner, [self.shirt])
        with self.assertQueryCount(queries_few):
            queries_many = self._count_suggest_queries(order)
        self.assertEqual(queries_many, queries_few)
        _logger.info("suggest: %d queries for 5 rules, %d for 200 rules", queries_few, queries_many)
        self.assertEqual(set(self._suggested(order)), set().union(*suggested))

    def test_query_count_profile_beyond_rules(self):
        """A customer's value that no rule uses costs no extra query."""
        self._rule(
            motive_ids=[Command.set(self.marathon.ids)],
            value_ids=[Command.set(self.sustainability.ids)],
        )
        covered = self._partner(self.marathon, self.sustainability)
        beyond = self._partner(
            self.marathon, self.sustainability | self.env.ref("empathic_crm.value_regional")
        )
        self._order(covered, [self.shirt]).action_empathy_suggest()  # warm up
        order = self._order(covered, [self.shirt])
        queries_covered = self._count_suggest_queries(order)
        order_beyond = self._order(beyond, [self.shirt])
        with self.assertQueryCount(queries_covered):
            queries_beyond = self._count_suggest_queries(order_beyond)
        self.assertEqual(queries_beyond, queries_covered)
        self.assertEqual(self._suggested(order_beyond), self._suggested(order))

    def _rule_suggesting(self, count, name):
        """A rule of the Hawaii runner's motive suggesting ``count`` new products."""
        products = self.env["product.product"].create(
            [
                {"name": f"{name} {i}", "categ_id": self.categ_other.id, "list_price": 10.0 + i}
                for i in range(count)
            ]
        )
        self._rule(
            name=name,
            motive_ids=[Command.set(self.marathon.ids)],
            suggested_product_ids=[Command.set(products.ids)],
        )
        return products

    def test_query_count_options_created(self):
        """The same number of queries whether 1 or 30 options are created."""
        self.story_rules.active = False
        partner = self._partner(self.marathon)
        self._rule_suggesting(2, "XS warm")
        self._order(partner, [self.shirt]).action_empathy_suggest()  # warm up
        self.env["empathy.cross.sell.rule"].search([("name", "=", "XS warm")]).active = False

        self._rule_suggesting(1, "XS single")
        self._order(partner, [self.shirt]).action_empathy_suggest()  # warm up
        order = self._order(partner, [self.shirt])
        queries_one = self._count_suggest_queries(order)
        self.assertEqual(len(offered(order)), 1)

        self._rule_suggesting(29, "XS many")
        self._order(partner, [self.shirt]).action_empathy_suggest()  # warm up
        order = self._order(partner, [self.shirt])
        with self.assertQueryCount(queries_one):
            queries_thirty = self._count_suggest_queries(order)
        self.assertEqual(len(offered(order)), 30)
        self.assertEqual(queries_thirty, queries_one)
        _logger.info(
            "suggest: %d queries for 1 option, %d for 30 options", queries_one, queries_thirty
        )

    @only_options
    def test_option_values_as_core_computes(self):
        """The precomputed option values equal those sale.order.option computes itself."""
        self.env["res.lang"]._activate_lang("de_DE")
        # pricelist discounts are shown when the superuser has the group (core rule)
        self.env.ref("base.user_root")[compat.user_groups_field()] |= self.env.ref(
            "sale.group_discount_per_so_line"
        )
        tax = self.env["account.tax"].create(
            {"name": "XS 19 % incl.", "amount": 19.0, "price_include_override": "tax_included"}
        )
        self.shorts.write({"taxes_id": [Command.set(tax.ids)], "description_sale": "Quick dry"})
        self.shorts.with_context(lang="de_DE").name = "XS Badeshorts"
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "XS Pricelist",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.shorts.id,
                            "compute_price": "percentage",
                            "percent_price": 10.0,
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.guide.id,
                            "compute_price": "fixed",
                            "fixed_price": 15.0,
                        }
                    ),
                ],
            }
        )
        self.hawaii_runner.lang = "de_DE"
        order = self._order(self.hawaii_runner, [self.shirt], pricelist_id=pricelist.id)
        order.action_empathy_suggest()
        suggested = offered(order)
        self.assertEqual(suggested.product_id, self.shorts | self.guide | self.gels)
        fields = ["name", "uom_id", "quantity", "price_unit", "discount"]
        core = self.env["sale.order.option"].create(
            [{"order_id": order.id, "product_id": option.product_id.id} for option in suggested]
        )
        for option, reference in zip(suggested, core, strict=True):
            for fname in fields:
                self.assertEqual(
                    option[fname], reference[fname], f"{option.product_id.name}: {fname}"
                )
        shorts = suggested.filtered(lambda o: o.product_id == self.shorts)
        self.assertIn("XS Badeshorts", shorts.name)
        self.assertEqual(shorts.discount, 10.0)
        self.assertEqual(suggested.filtered(lambda o: o.product_id == self.guide).price_unit, 15.0)

    @only_options
    def test_option_values_through_lines_with_a_pricing_module(self):
        """A module overriding the line's pricing: option prices through order lines."""
        Order = type(self.env["sale.order"])
        with (
            patch.object(Order, "_empathy_core_line_pricing", return_value=False),
            patch.object(Order, "_empathy_option_price", side_effect=AssertionError("fast path")),
        ):
            self.test_option_values_as_core_computes()

    @only_options
    def test_pricing_modules_detected(self):
        """Core's line pricing is recognised; an override by another module is not."""
        Order = self.env["sale.order"]
        pricing = importlib.import_module(
            "odoo.addons.empathic_crm.models.sale_order_cross_sell_pricing"
        )
        self.assertTrue(Order._empathy_core_line_pricing(), "only core and empathic_crm here")
        # sale's own methods, seen as another module's: the safe path
        with patch.object(pricing, "LINE_PRICE_MODULES", set()):
            self.assertFalse(Order._empathy_core_line_pricing())

    @only_options
    def test_option_values_as_core_computes_currency_fiscal_position(self):
        """The same as core with a foreign-currency pricelist, a fiscal position mapping
        a tax-included tax and a surcharge (a negative percentage: no discount shown)."""
        self.env.ref("base.user_root")[compat.user_groups_field()] |= self.env.ref(
            "sale.group_discount_per_so_line"
        )
        currency = self.env["res.currency"].create(
            {"name": "XSC", "symbol": "X", "rounding": 0.01, "active": True}
        )
        self.env["res.currency.rate"].create(
            {"currency_id": currency.id, "rate": 1.37, "name": "2000-01-01"}
        )
        included = self.env["account.tax"].create(
            {"name": "XS 19 % incl.", "amount": 19.0, "price_include_override": "tax_included"}
        )
        excluded = self.env["account.tax"].create({"name": "XS 7 %", "amount": 7.0})
        self.shorts.taxes_id = [Command.set(included.ids)]
        self.guide.taxes_id = [Command.set(included.ids)]
        fiscal_position = self.env["account.fiscal.position"].create(
            {
                "name": "XS export",
                "tax_ids": [
                    Command.create({"tax_src_id": included.id, "tax_dest_id": excluded.id})
                ],
            }
        )
        pricelist = self.env["product.pricelist"].create(
            {
                "name": "XS foreign pricelist",
                "currency_id": currency.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.gels.id,
                            "compute_price": "percentage",
                            "percent_price": -10.0,  # a surcharge
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.guide.id,
                            "compute_price": "formula",
                            "price_discount": 20.0,
                            "price_surcharge": 1.5,
                        }
                    ),
                ],
            }
        )
        order = self._order(
            self.hawaii_runner,
            [self.shirt],
            pricelist_id=pricelist.id,
            fiscal_position_id=fiscal_position.id,
        )
        self.assertEqual(order.currency_id, currency)
        order.action_empathy_suggest()
        suggested = offered(order)
        self.assertEqual(suggested.product_id, self.shorts | self.guide | self.gels)
        core = self.env["sale.order.option"].create(
            [{"order_id": order.id, "product_id": option.product_id.id} for option in suggested]
        )
        for option, reference in zip(suggested, core, strict=True):
            for fname in ["name", "uom_id", "quantity", "price_unit", "discount"]:
                self.assertEqual(
                    option[fname], reference[fname], f"{option.product_id.name}: {fname}"
                )
        by_product = {option.product_id: option for option in suggested}
        # 30.0 incl. 19 %, without it (fiscal position), in the pricelist's currency
        self.assertAlmostEqual(by_product[self.shorts].price_unit, round(30.0 / 1.19 * 1.37, 2))
        self.assertEqual(by_product[self.gels].discount, 0.0)
        self.assertAlmostEqual(by_product[self.gels].price_unit, round(2.5 * 1.37 * 1.1, 2))
