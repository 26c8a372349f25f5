# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What orders tell about the customer (listening): campaign responses, reorder follow-ups."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL, format_date, formatLang


class SaleOrder(models.Model):
    _inherit = "sale.order"

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
        order of the customer **in the same company** contains the product (an order
        of a sister company says nothing about what this company's customer still
        has of this company's delivery); an older open follow-up of the same customer
        and product is replaced, a later one kept (no duplicates). Set-based: a
        constant number of queries whatever the number of orders.
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
        newest = self._empathy_newest_order_dates(
            {(*key, line.order_id.company_id.id) for key, line in latest.items()}
        )
        due = {}
        for key, line in latest.items():
            order = line.order_id
            if newest.get((*key, order.company_id.id), order.date_order) > order.date_order:
                continue  # a newer confirmed order of the same company covers it
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
        # written for the one who follows up: in their language, dates as they read them
        env = self.with_context(lang=user.lang or self.env.lang).env
        product = line.product_id.with_env(env).display_name
        qty = line.product_uom_qty
        return {
            "res_model_id": model_id,
            "res_id": partner.id,
            "activity_type_id": activity_type.id,
            "user_id": user.id,
            "date_deadline": date,
            "empathy_reorder_product_id": line.product_id.id,
            "summary": env._("Reorder %s", product),
            "note": Markup("<p>%s</p>")
            % env._(
                "%(customer)s ordered %(qty)s × %(product)s on %(date)s (%(order)s):"
                " probably running low now. Ask whether to send a refill.",
                customer=partner.display_name,
                qty=formatLang(env, qty, digits=0 if qty == int(qty) else 2),
                product=product,
                date=format_date(env, self.date_order.date()),
                order=self.name,
            ),
        }

    # ------------------------------------------------------------------
    # Raw SQL (reorder follow-ups): one statement, listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    def _empathy_newest_order_dates(self, keys):
        """Return {(partner id, product id, company id): newest confirmed order date}.

        ``keys`` are (partner, product, company) tuples; only orders of these
        companies are read (the follow-up is the order's company's business).

        Raw SQL, one query for all keys: through the ORM, every matching line of the
        customers' whole history and its order would be fetched to take a maximum in
        Python (lines have no stored order date to aggregate on).

        * flush: the order's ``partner_id``, ``company_id``, ``state``,
          ``date_order`` and the line's ``order_id``, ``product_id`` (below);
        * cache, ``modified()``, write_date: nothing to take over, read-only;
        * record rules and companies: runs as the superuser behind the
          confirmation (like the rest of ``_empathy_schedule_reorders``); the
          company filter is the keys' companies, coded here: the orders being
          confirmed belong to them, whatever the confirming user's active company;
        * speed: part of the confirmation hooks whose query count is the same for
          1 and 20 orders (``test_query_count_order_confirmation``); no millisecond
          figure is benchmarked.
        """
        self.env["sale.order"].flush_model(["partner_id", "company_id", "state", "date_order"])
        self.env["sale.order.line"].flush_model(["order_id", "product_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT so.partner_id, sol.product_id, so.company_id, max(so.date_order)
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                 WHERE so.state = 'sale'
                   AND so.partner_id = ANY(%s)
                   AND sol.product_id = ANY(%s)
                   AND so.company_id = ANY(%s)
              GROUP BY so.partner_id, sol.product_id, so.company_id
                """,
                list({key[0] for key in keys}),
                list({key[1] for key in keys}),
                list({key[2] for key in keys}),
            )
        )
        return {
            (partner, product, company): date
            for partner, product, company, date in self.env.cr.fetchall()
        }
