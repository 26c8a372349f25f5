# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Odoo 18.0 → 19.0: the cross-sell suggestions move from the options to order lines.

On 18.0 a suggestion is a ``sale.order.option`` with ``empathy_rule_id`` and
``empathy_reason`` (accepted: its ``line_id``); 19.0 has no option model, a suggestion is
an order line of an optional section with the same two fields (accepted: quantity > 0).

Odoo's own upgrade of ``sale_management`` (its scripts for saas~18.5) turns the options
of the quotations (not of confirmed or cancelled orders) into lines of quantity 0 under
a new optional section "Optional Products", marks the lines of accepted options as
optional and moves them to the end of the order, then removes the ``sale.order.option``
model (and so its table) — before this addon's scripts run. Where the table is still
there (an upgrade that keeps it), this step carries the rule and the reason over:

- accepted option: to its ``line_id``;
- not accepted: to the line that the upgrade made of it (same order and product,
  quantity 0, in an optional section, no rule yet), else to a new suggestion line in
  the order's suggestion section (its price, discount and description as offered).

The folder is ``19.0.1.5.0``: Odoo runs it on 19.0 for a database coming from 18.0
(installed version below 19.0.1.5.0), never on 18.0 (odoo/modules/migration.py
compares a series-prefixed folder with the full installed version).
"""

import logging

from odoo import SUPERUSER_ID, api
from odoo.tools.sql import column_exists, table_exists

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    migrate_suggestions(cr)


def migrate_suggestions(cr):
    """Carry the suggestions of ``sale_order_option`` over to the order lines.

    :returns: ``(accepted lines, lines found, lines created)``; nothing when the table
        or its ``empathy_rule_id`` column is gone. Run twice, it changes nothing more.
    """
    if not table_exists(cr, "sale_order_option") or not column_exists(
        cr, "sale_order_option", "empathy_rule_id"
    ):
        return 0, 0, 0
    # accepted: the line made from the option, unless it already has a rule
    cr.execute(
        """
        UPDATE sale_order_line sol
           SET empathy_rule_id = opt.empathy_rule_id,
               empathy_reason = opt.empathy_reason
          FROM sale_order_option opt
          JOIN empathy_cross_sell_rule rule ON rule.id = opt.empathy_rule_id
         WHERE opt.line_id = sol.id
           AND sol.empathy_rule_id IS NULL
        """
    )
    accepted = cr.rowcount
    cr.execute(
        """
        SELECT opt.id, opt.order_id, opt.product_id, opt.empathy_rule_id, opt.empathy_reason,
               opt.name, opt.price_unit, opt.discount
          FROM sale_order_option opt
          JOIN empathy_cross_sell_rule rule ON rule.id = opt.empathy_rule_id
          JOIN sale_order so ON so.id = opt.order_id
         WHERE opt.line_id IS NULL
            OR NOT EXISTS (SELECT 1 FROM sale_order_line l WHERE l.id = opt.line_id)
      ORDER BY opt.order_id, opt.sequence, opt.id
        """
    )
    rows = cr.dictfetchall()
    env = api.Environment(cr, SUPERUSER_ID, {"empathy_no_auto_suggest": True})
    Line, Order = env["sale.order.line"], env["sale.order"]
    Rule, Product = env["empathy.cross.sell.rule"], env["product.product"]
    found = env["sale.order.line"]
    to_create, offered = [], []
    for order in Order.browse({row["order_id"] for row in rows}):
        order.order_line.fetch(["product_id", "product_uom_qty", "display_type", "sequence"])
    for row in rows:
        order = Order.browse(row["order_id"])
        product = Product.browse(row["product_id"])
        lines = order.order_line.filtered(lambda line, p=product: line.product_id == p)
        if lines.filtered(lambda line, r=row: line.empathy_rule_id.id == r["empathy_rule_id"]):
            continue  # carried over already
        candidates = (lines - found).filtered(
            lambda line: (
                not line.empathy_rule_id and not line.product_uom_qty and line._is_line_optional()
            )
        )
        if candidates:
            line = candidates[:1]
            line.write(
                {"empathy_rule_id": row["empathy_rule_id"], "empathy_reason": row["empathy_reason"]}
            )
            found |= line
            continue
        to_create.append((order, Rule.browse(row["empathy_rule_id"]), product))
        offered.append(row)
    created = Line.browse()
    if to_create:
        reasons = {
            (row["empathy_rule_id"], order._empathy_reason_lang()): row["empathy_reason"]
            for (order, _rule, _product), row in zip(to_create, offered, strict=True)
        }
        created = Line._empathy_create_suggestions(to_create, reasons)
        for line, row in zip(created, offered, strict=True):
            # the suggestion as it was offered to the customer
            line.write(
                {
                    "name": row["name"] or line.name,
                    "price_unit": row["price_unit"],
                    "discount": row["discount"] or 0.0,
                    "empathy_reason": row["empathy_reason"],
                }
            )
    _logger.info(
        "cross-sell suggestions moved to order lines: %d accepted, %d found, %d created",
        accepted,
        len(found),
        len(created),
    )
    return accepted, len(found), len(created)
