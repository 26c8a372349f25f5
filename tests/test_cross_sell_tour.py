# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tour: empathic suggestions on the Hawaii runner's quotation."""

from odoo import Command
from odoo.tests import tagged

from .common import EmpathyHttpCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestCrossSellTour(EmpathyHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("empathic_crm.auto_suggest", False)
        running = cls.env["product.category"].create({"name": "Tour Running"})
        cls.shirt = cls._create_product("Tour Running Shirt", 39.0, running)
        cls.shorts = cls._create_product("Tour Swim Shorts", 29.0)
        cls.guide = cls._create_product("Tour Hawaii Travel Guide", 19.9)
        cls.rule = cls._create_hawaii_rule(
            "Tour Marathon in Hawaii", running, cls.shorts | cls.guide
        )
        partner = cls._create_hawaii_runner()
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": cls.shirt.id})],
            }
        )

    def test_cross_sell_tour(self):
        self.start_tour(
            f"/odoo/sales/{self.order.id}", "empathic_crm_cross_sell_tour", login="admin"
        )
        shorts = self.order.sale_order_option_ids.filtered(lambda o: o.product_id == self.shorts)
        self.assertEqual(shorts.empathy_rule_id, self.rule)
        self.assertTrue(shorts.line_id, "the swim shorts were added to the order")
        self.assertEqual(shorts.line_id.product_id, self.shorts)
        self.rule.invalidate_recordset()
        self.assertEqual(self.rule.suggested_count, 2)
        self.assertEqual(self.rule.accepted_count, 1)
        self.assertAlmostEqual(self.rule.accepted_revenue, 29.0)
