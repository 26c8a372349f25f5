# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tour: empathic suggestions on the Hawaii runner's quotation."""

from odoo import Command
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install", "empathic_crm")
class TestCrossSellTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("empathic_crm.auto_suggest", False)
        marathon = cls.env.ref("empathic_crm.motive_marathon")
        hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        running = cls.env["product.category"].create({"name": "Tour Running"})

        def product(name, categ=None, price=10.0):
            values = {"name": name, "list_price": price, "type": "consu"}
            if categ:
                values["categ_id"] = categ.id
            return cls.env["product.product"].create(values)

        cls.shirt = product("Tour Running Shirt", running, 39.0)
        cls.shorts = product("Tour Swim Shorts", price=29.0)
        cls.guide = product("Tour Hawaii Travel Guide", price=19.9)
        cls.rule = cls.env["empathy.cross.sell.rule"].create(
            {
                "name": "Tour Marathon in Hawaii",
                "motive_ids": [Command.set([marathon.id, hawaii.id])],
                "motive_match": "all",
                "trigger_categ_ids": [Command.set(running.ids)],
                "suggested_product_ids": [Command.set([cls.shorts.id, cls.guide.id])],
                "reason": "His marathon is in Hawaii: swim shorts for the beach after the race.",
            }
        )
        partner = cls.env["res.partner"].create(
            {
                "name": "Jonas Keller",
                "empathy_motive_ids": [Command.set([marathon.id, hawaii.id])],
            }
        )
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
