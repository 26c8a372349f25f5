# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Campaign responses per motive: the leads and orders of campaigns (SQL view)."""

from odoo import fields, models
from odoo.tools import SQL


class EmpathyMotiveCampaignReport(models.Model):
    _name = "empathy.motive.campaign.report"
    _description = "Campaign Responses per Motive"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "motive_id"
    _depends = {
        "utm.campaign": ["empathy_motive_ids"],
        "crm.lead": ["campaign_id", "partner_id", "user_id", "company_id", "create_date"],
        "sale.order": [
            "campaign_id",
            "partner_id",
            "user_id",
            "company_id",
            "date_order",
            "state",
            "amount_untaxed",
            "currency_rate",
        ],
        "res.company": ["currency_id"],
    }

    motive_id = fields.Many2one("empathy.motive", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    response_type = fields.Selection(
        [("lead", "Lead"), ("order", "Quotation / order")], string="Response", readonly=True
    )
    lead_id = fields.Many2one("crm.lead", readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Datetime(readonly=True)
    won = fields.Boolean(readonly=True, help="A confirmed order.")
    response_count = fields.Integer(string="Responses", readonly=True, aggregator="sum")
    lead_count = fields.Integer(string="Leads", readonly=True, aggregator="sum")
    order_count = fields.Integer(string="Quotations / orders", readonly=True, aggregator="sum")
    won_count = fields.Integer(string="Confirmed orders", readonly=True, aggregator="sum")
    won_revenue = fields.Monetary(
        string="Won revenue",
        readonly=True,
        aggregator="sum",
        help="Untaxed amount of the confirmed orders, in the company currency (order rate).",
    )

    def _query(self):
        """Return the SQL of the view: one row per response and motive of its campaign.

        A response is a lead or a quotation/order (cancelled ones excluded) whose
        campaign carries the motive; a quotation made from a lead counts as a second
        response.

        A read-only ``_table_query``, read through the ORM: access rights and record
        rules (the report's multi-company rule, security/) apply to its rows;
        nothing to invalidate or date; no flush of the documents (the ORM does not
        know what the query reads: a report is opened in a request of its own).
        Raw SQL because a report joins several models into one row.
        """
        return SQL(
            """
            SELECT row_number() OVER (ORDER BY resp.response_type, resp.res_id, rel.motive_id) AS id,
                   rel.motive_id AS motive_id,
                   resp.campaign_id AS campaign_id,
                   resp.response_type AS response_type,
                   resp.lead_id AS lead_id,
                   resp.order_id AS order_id,
                   resp.partner_id AS partner_id,
                   resp.user_id AS user_id,
                   resp.company_id AS company_id,
                   company.currency_id AS currency_id,
                   resp.date AS date,
                   resp.won AS won,
                   1 AS response_count,
                   CASE WHEN resp.response_type = 'lead' THEN 1 ELSE 0 END AS lead_count,
                   CASE WHEN resp.response_type = 'order' THEN 1 ELSE 0 END AS order_count,
                   CASE WHEN resp.won THEN 1 ELSE 0 END AS won_count,
                   resp.won_revenue AS won_revenue
              FROM (
                    SELECT 'lead' AS response_type, lead.id AS res_id,
                           lead.id AS lead_id, NULL::integer AS order_id,
                           lead.campaign_id, lead.partner_id, lead.user_id,
                           lead.company_id, lead.create_date AS date,
                           FALSE AS won, 0.0 AS won_revenue
                      FROM crm_lead lead
                     WHERE lead.campaign_id IS NOT NULL
                 UNION ALL
                    SELECT 'order', so.id, NULL, so.id,
                           so.campaign_id, so.partner_id, so.user_id,
                           so.company_id, so.date_order,
                           so.state = 'sale',
                           CASE WHEN so.state = 'sale'
                                THEN so.amount_untaxed
                                     / COALESCE(NULLIF(so.currency_rate, 0), 1.0)
                                ELSE 0.0 END
                      FROM sale_order so
                     WHERE so.campaign_id IS NOT NULL AND so.state <> 'cancel'
                   ) resp
              JOIN utm_campaign_empathy_motive_rel rel ON rel.campaign_id = resp.campaign_id
         LEFT JOIN res_company company ON company.id = resp.company_id
            """
        )

    @property
    def _table_query(self):
        return self._query()
