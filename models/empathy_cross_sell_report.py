# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Cross-sell acceptance analysis: one row per suggested optional product (SQL view)."""

from odoo import fields, models
from odoo.tools import SQL

from ..tools import compat

#: the suggestions: ``sale.order.option`` (18.0) or ``sale.order.line`` (19.0)
SUGGESTION_MODEL = compat.optional_products()[0]


class EmpathyCrossSellReport(models.Model):
    _name = "empathy.cross.sell.report"
    _description = "Cross-sell Acceptance Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "rule_id"
    _depends = {
        # what the suggestion model's _empathy_report_rows reads (the accepted line:
        # line_id on 18.0, the quantity on 19.0)
        SUGGESTION_MODEL: ["empathy_rule_id", "order_id", "product_id"],
        "sale.order": [
            "partner_id",
            "user_id",
            "team_id",
            "company_id",
            "date_order",
            "currency_rate",
        ],
        "sale.order.line": ["price_subtotal", "product_uom_qty"],
        "res.company": ["currency_id"],
    }

    rule_id = fields.Many2one("empathy.cross.sell.rule", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    product_id = fields.Many2one("product.product", string="Suggested product", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Datetime(string="Order date", readonly=True)
    accepted = fields.Boolean(readonly=True)
    suggested_count = fields.Integer(string="Suggested", readonly=True, aggregator="sum")
    accepted_count = fields.Integer(string="Accepted count", readonly=True, aggregator="sum")
    acceptance_rate = fields.Float(
        string="Acceptance rate (%)",
        readonly=True,
        aggregator="avg",
        help="The average over suggestions of 100 (accepted) or 0 (not accepted).",
    )
    accepted_revenue = fields.Monetary(
        string="Accepted revenue",
        readonly=True,
        aggregator="sum",
        help="Untaxed amount of the accepted lines in the company currency (order rate).",
    )

    def _query(self):
        """Return the SQL of the view: one row per suggested optional product.

        The suggestions' own rows (and what accepted means) come from their model:
        ``_empathy_report_rows`` of ``sale.order.option`` (18.0) or of
        ``sale.order.line`` (19.0).

        A read-only ``_table_query``, read through the ORM: access rights and record
        rules (the report's multi-company rule, security/) apply to its rows;
        nothing to invalidate or date; no flush of the documents (the ORM does not
        know what the query reads: a report is opened in a request of its own).
        Raw SQL because a report joins several models into one row.
        """
        return SQL(
            """
            SELECT suggestion.id AS id,
                   suggestion.rule_id AS rule_id,
                   suggestion.order_id AS order_id,
                   suggestion.product_id AS product_id,
                   so.partner_id AS partner_id,
                   so.user_id AS user_id,
                   so.team_id AS team_id,
                   so.company_id AS company_id,
                   company.currency_id AS currency_id,
                   so.date_order AS date,
                   suggestion.accepted AS accepted,
                   1 AS suggested_count,
                   CASE WHEN suggestion.accepted THEN 1 ELSE 0 END AS accepted_count,
                   CASE WHEN suggestion.accepted THEN 100.0 ELSE 0.0 END AS acceptance_rate,
                   COALESCE(suggestion.accepted_subtotal
                            / CASE COALESCE(so.currency_rate, 0) WHEN 0 THEN 1.0
                              ELSE so.currency_rate END, 0.0) AS accepted_revenue
              FROM (%s) suggestion
              JOIN sale_order so ON so.id = suggestion.order_id
              JOIN res_company company ON company.id = so.company_id
            """,
            self.env[SUGGESTION_MODEL]._empathy_report_rows(),
        )

    @property
    def _table_query(self):
        return self._query()
