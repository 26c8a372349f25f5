# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tour: empathic suggestions on the Hawaii runner's quotation.

Each series' own screen: 18.0 lists the suggestions (optional products) under the
order lines with an *Add* button; 19.0 shows them as order lines of quantity 0 in an
optional section, with their reason, accepted by giving a quantity.
"""

from odoo import Command
from odoo.tests import tagged

from ..tools import compat
from .common import EmpathyHttpCommon
from .test_cross_sell import offered


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
        if compat.has_sale_order_option():
            tour = "empathic_crm_cross_sell_tour"  # 18.0: optional products, "Add"
        else:
            tour = "empathic_crm_cross_sell_lines_tour"  # 19.0: optional lines, a quantity
        self.start_tour(f"/odoo/sales/{self.order.id}", tour, login="admin")
        shorts = offered(self.order).filtered(lambda o: o.product_id == self.shorts)
        self.assertEqual(shorts.empathy_rule_id, self.rule)
        ordered = shorts.line_id if compat.has_sale_order_option() else shorts
        self.assertEqual(ordered.product_uom_qty, 1, "the swim shorts were ordered")
        self.assertEqual(ordered.product_id, self.shorts)
        self.rule.invalidate_recordset()
        self.assertEqual(self.rule.suggested_count, 2)
        self.assertEqual(self.rule.accepted_count, 1)
        self.assertAlmostEqual(self.rule.accepted_revenue, 29.0)
