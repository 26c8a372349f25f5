# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A contact's figures per company: one row per (contact, company).

Best advisor, best rapport, last impression and mood trend come from the company's
own rapport rows and impressions (``res.partner._empathy_refresh_rapport``); the
silent-customer flag, its date and the recent revenue from the company's orders
(``res.partner._empathy_sql_update_silent``, daily). Both write the rows in raw SQL,
as the system: users read them only (access rights), and only those of their
companies (the multi-company record rule), in every read path Odoo has.

The contact shows the current company's row through non-stored fields of the names
it always had (``PARTNER_FIELDS``, ``res_partner_rapport.py``).
"""

from odoo import fields, models
from odoo.tools.sql import create_index

from ..tools import compat

#: the contact's fields (``res.partner``) that show a field of the current company's row
PARTNER_FIELDS = {
    "empathy_best_advisor_id": "best_advisor_id",
    "empathy_best_rapport": "best_rapport",
    "empathy_last_impression_date": "last_impression_date",
    "empathy_mood_trend": "mood_trend",
    "empathy_silent": "silent",
    "empathy_silent_since": "silent_since",
    "empathy_recent_revenue": "recent_revenue",
}
MOOD_TRENDS = [("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining")]


@compat.sql_constraints(
    (
        "partner_company_uniq",
        "unique (partner_id, company_id)",
        "A contact has one row of figures per company.",
    ),
)
class EmpathyPartnerStat(models.Model):
    _name = "empathy.partner.stat"
    _description = "Contact figures per company"
    _order = "partner_id, company_id"
    _rec_name = "partner_id"

    # the unique (partner_id, company_id) index serves every lookup by contact (and
    # the cascade when a contact is deleted): no index of its own on partner_id
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    email = fields.Char(related="partner_id.email")
    phone = fields.Char(related="partner_id.phone")
    # rapport: _empathy_refresh_rapport
    best_advisor_id = fields.Many2one(
        "res.users",
        string="Best advisor",
        readonly=True,
        ondelete="set null",
        help="The advisor with the highest fair rapport in this company: their ratings of"
        " this customer compared with their ratings of everyone (ties: more impressions,"
        " then most recent).",
    )
    # no total or average per group: grouped by advisor it would grade advisors, and
    # rapport describes pairs (the setting *Protect advisors*)
    best_rapport = fields.Float(
        string="Best rapport",
        readonly=True,
        digits=(3, 2),
        aggregator=None,
        help="The best advisor's fair rapport with this customer (1-5): lenient and strict"
        " raters corrected, uncertain scores pulled toward the team average.",
    )
    last_impression_date = fields.Datetime(
        string="Last impression",
        readonly=True,
        help="The newest impression of this customer recorded in this company.",
    )
    mood_trend = fields.Selection(
        MOOD_TRENDS,
        string="Mood trend",
        readonly=True,
        help="The mean mood of the latest impressions against the ones before.",
    )
    # silent customers: _empathy_sql_update_silent (daily)
    silent = fields.Boolean(
        string="Silent customer",
        readonly=True,
        help="Bought recently from this company, but no impression, no message from them"
        " and no activity for a while (updated daily).",
    )
    silent_since = fields.Datetime(
        string="Last contact",
        readonly=True,
        help="The last impression, message from this customer or done activity"
        " (empty: none on record). Updated daily for recent buyers.",
    )
    recent_revenue = fields.Monetary(
        string="Recent revenue",
        readonly=True,
        currency_field="currency_id",
        help="Untaxed amount of the confirmed orders of this company in the"
        " silent-customer period (company currency). Updated daily.",
    )

    def init(self):
        # the contacts' filters search the current company's rows (plus the record
        # rule on company_id); partner_id last: the subquery reads the index only
        for name, columns, where in (
            ("best_advisor", ["best_advisor_id", "company_id", "partner_id"], ""),
            ("best_rapport", ["company_id", "best_rapport", "partner_id"], ""),
            ("mood_trend", ["company_id", "mood_trend", "partner_id"], ""),
            ("last_impression", ["company_id", "last_impression_date", "partner_id"], ""),
            # the silent customers' list (largest revenue first) and filter
            ("silent", ["company_id", "recent_revenue DESC", "partner_id"], "silent"),
        ):
            create_index(
                self.env.cr, f"{self._table}_{name}_idx", self._table, columns, where=where
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_empathy_schedule_call(self):
        """Schedule a call with the customers of these rows, each for the row's company.

        ``res.partner.action_empathy_schedule_call`` does it (rights, objections, open
        calls); the call goes to the row's best advisor, else the salesperson.
        """
        self.check_access("read")
        actions = [
            stats.partner_id.with_company(company).action_empathy_schedule_call()
            for company, stats in (self.grouped("company_id") or {self.env.company: self}).items()
        ]
        if len(actions) == 1:
            return actions[0]
        # rows of several companies: one notification
        params = dict(
            actions[0]["params"],
            type="success" if any(a["params"]["type"] == "success" for a in actions) else "warning",
            message=" ".join(action["params"]["message"] for action in actions),
        )
        return dict(actions[0], params=params)
