# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Odoo 18.0 → 19.0: the suggestions of ``sale_order_option`` become suggestion lines.

On 19.0 the test builds 18.0's option table inside its transaction (what a database
upgraded from 18.0 still has when its upgrade keeps the table), with the lines Odoo's
own upgrade makes of the options, runs the migration and checks the lines, the rule
statistics and that a second run changes nothing; the transaction is rolled back.
"""

import importlib.util
import unittest

from odoo import Command
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path

from ..tools import compat
from .common import EmpathyWorld

MIGRATION = "empathic_crm/migrations/19.0.1.5.0/post-10-cross-sell-lines.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("post_10_cross_sell", file_path(MIGRATION))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install", "empathic_crm")
@unittest.skipIf(compat.has_sale_order_option(), "18.0 keeps sale.order.option")
class TestCrossSellMigration(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls.env["ir.config_parameter"].set_param("empathic_crm.auto_suggest", False)
        running = cls.env["product.category"].create({"name": "XM Running"})
        cls.shirt = cls._create_product("XM Running Shirt", 40.0, running)
        cls.shorts = cls._create_product("XM Swim Shorts", 30.0)
        cls.guide = cls._create_product("XM Hawaii Travel Guide", 20.0)
        cls.gels = cls._create_product("XM Energy Gels", 2.5)
        cls.novel = cls._create_product("XM Novel", 12.0)
        cls.rule = cls._create_hawaii_rule("XM Marathon in Hawaii", running, cls.shorts | cls.guide)
        cls.rule_gels = cls.env["empathy.cross.sell.rule"].create(
            {
                "name": "XM Marathon runner",
                "motive_ids": [Command.set(cls.env.ref("empathic_crm.motive_marathon").ids)],
                "suggested_product_ids": [Command.set(cls.gels.ids)],
                "reason": "Energy gels for the long runs.",
            }
        )
        cls.customer = cls._create_hawaii_runner(name="XM Jonas")

    def _old_table(self):
        """18.0's sale_order_option, the columns the migration reads."""
        self.env.cr.execute(
            """
            CREATE TABLE sale_order_option (
                id serial PRIMARY KEY,
                order_id integer REFERENCES sale_order(id) ON DELETE CASCADE,
                line_id integer REFERENCES sale_order_line(id) ON DELETE SET NULL,
                product_id integer NOT NULL REFERENCES product_product(id),
                name text,
                price_unit numeric,
                discount numeric,
                quantity numeric,
                sequence integer,
                empathy_rule_id integer REFERENCES empathy_cross_sell_rule(id)
                    ON DELETE SET NULL,
                empathy_reason text)
            """
        )

    def _option(self, order, product, rule=None, line=None, price=None):
        self.env.cr.execute(
            """
            INSERT INTO sale_order_option (order_id, line_id, product_id, name, price_unit,
                                           discount, quantity, sequence, empathy_rule_id,
                                           empathy_reason)
            VALUES (%s, %s, %s, %s, %s, 0, 1, 10, %s, %s)
            """,
            [
                order.id,
                line.id if line else None,
                product.id,
                f"{product.name} (as offered)",
                product.list_price if price is None else price,
                rule.id if rule else None,
                f"Old reason: {rule.name}" if rule else None,
            ],
        )

    def test_options_become_suggestion_lines(self):
        Order = self.env["sale.order"]
        quotation = Order.create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.shirt.id, "product_uom_qty": 1}),
                    # what Odoo's upgrade makes: the accepted option's line, a section
                    # "Optional Products" and a line of quantity 0 per other option
                    Command.create(
                        {"product_id": self.shorts.id, "product_uom_qty": 2, "sequence": 20}
                    ),
                    Command.create(
                        {
                            "display_type": "line_section",
                            "name": "Optional Products",
                            "is_optional": True,
                            "product_uom_qty": 0,
                            "sequence": 30,
                        }
                    ),
                    Command.create(
                        {"product_id": self.guide.id, "product_uom_qty": 0, "sequence": 31}
                    ),
                    Command.create(
                        {"product_id": self.novel.id, "product_uom_qty": 0, "sequence": 32}
                    ),
                ],
            }
        )
        shirt_line, shorts_line, _section, guide_line, novel_line = quotation.order_line.sorted(
            "sequence"
        )
        confirmed = Order.create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.shirt.id})],
            }
        )
        confirmed.action_confirm()
        self.env.flush_all()
        self._old_table()
        self._option(quotation, self.shorts, self.rule, line=shorts_line)  # accepted
        self._option(quotation, self.guide, self.rule)  # the upgrade made its line
        self._option(quotation, self.gels, self.rule_gels, price=2.0)  # no line made
        self._option(quotation, self.novel)  # by hand: no rule, left alone
        self._option(confirmed, self.gels, self.rule_gels)  # the upgrade skips sold orders

        migration = load_migration()
        self.assertEqual(migration.migrate_suggestions(self.env.cr), (1, 1, 2))
        self.env.invalidate_all()

        self.assertEqual(shorts_line.empathy_rule_id, self.rule)
        self.assertEqual(shorts_line.empathy_reason, "Old reason: XM Marathon in Hawaii")
        self.assertEqual(guide_line.empathy_rule_id, self.rule)
        self.assertFalse(novel_line.empathy_rule_id)
        self.assertFalse(shirt_line.empathy_rule_id)
        gels = quotation.order_line.filtered(lambda line: line.product_id == self.gels)
        self.assertEqual(gels.empathy_rule_id, self.rule_gels)
        self.assertEqual(gels.empathy_reason, "Old reason: XM Marathon runner")
        self.assertEqual((gels.product_uom_qty, gels.price_unit), (0.0, 2.0), "as offered")
        self.assertEqual(gels.name, "XM Energy Gels (as offered)")
        self.assertTrue(gels._is_line_optional(), "in the suggestions' optional section")
        self.assertEqual(
            gels.get_parent_section_line().name, quotation._empathy_suggestion_section_name()
        )
        sold_gels = confirmed.order_line.filtered(lambda line: line.product_id == self.gels)
        self.assertEqual(sold_gels.empathy_rule_id, self.rule_gels)
        self.assertEqual(sold_gels.product_uom_qty, 0.0)

        # the statistics count them as on 18.0
        (self.rule | self.rule_gels).invalidate_recordset()
        self.assertEqual((self.rule.suggested_count, self.rule.accepted_count), (2, 1))
        self.assertAlmostEqual(self.rule.accepted_revenue, 60.0)
        self.assertEqual((self.rule_gels.suggested_count, self.rule_gels.accepted_count), (2, 0))

        # a second run changes nothing
        lines_before = self.env["sale.order.line"].search_count([])
        self.assertEqual(migration.migrate_suggestions(self.env.cr), (0, 0, 0))
        self.assertEqual(self.env["sale.order.line"].search_count([]), lines_before)

    def test_nothing_without_the_table(self):
        self.assertEqual(load_migration().migrate_suggestions(self.env.cr), (0, 0, 0))
