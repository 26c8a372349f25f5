# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Listening: silent customers (they buy but have gone quiet), the daily job that flags
them in one statement, and scheduling a call with them.
"""

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.params import SILENT_DAYS, SILENT_MONTHS, get


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the current company's row (empathy.partner.stat), as the rapport figures
    # (res_partner_rapport.py: compute and search)
    empathy_silent = fields.Boolean(
        string="Silent customer",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_silent",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="Bought recently from this company, but no impression, no message from them"
        " and no activity for a while (updated daily).",
    )
    empathy_silent_since = fields.Datetime(
        string="Last contact",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_silent_since",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="The last impression, message from this customer or done activity"
        " (empty: none on record). Updated daily for recent buyers.",
    )
    # shown with the company's currency (the contact has none of its own)
    empathy_recent_revenue = fields.Float(
        string="Recent revenue",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_recent_revenue",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="Untaxed amount of the confirmed orders of this company in the"
        " silent-customer period (company currency). Updated daily.",
    )

    def _search_empathy_silent(self, operator, value):
        return self._empathy_stat_domain("silent", operator, value)

    def _search_empathy_silent_since(self, operator, value):
        return self._empathy_stat_domain("silent_since", operator, value)

    def _search_empathy_recent_revenue(self, operator, value):
        return self._empathy_stat_domain("recent_revenue", operator, value)

    @api.model
    def _cron_empathy_silent_customers(self):
        """Daily: flag the customers who buy but have gone silent."""
        self._empathy_compute_silent()

    @api.model
    def _empathy_silent_periods(self):
        """Return (bought since, no contact since) of the silent-customer rule."""
        months = get(self.env, SILENT_MONTHS)
        days = get(self.env, SILENT_DAYS)
        now = fields.Datetime.now()
        return now - relativedelta(months=months), now - relativedelta(days=days)

    @api.model
    def _empathy_compute_silent(self):
        """Flag silent customers and store their recent revenue, in one SQL statement.

        Silent: a confirmed order in the last N months, but no impression, no message
        written by them (email or comment) and no activity on them (open, or done in
        the last M days); contacts objecting to profiling are never flagged.
        Set-based: the same queries for one partner or a million.
        """
        bought_since, contact_since = self._empathy_silent_periods()
        self._empathy_sql_update_silent(bought_since, contact_since)
        return True

    def action_empathy_schedule_call(self):
        """Schedule a call with each of these customers (the note points to the briefing).

        Assigned to the customer's best advisor, else their salesperson, else the
        current user. No call for contacts objecting to profiling, and none where a
        call is already open.
        """
        if not self.env.user.has_group(EMPATHY_USER_GROUP):
            raise AccessError(self.env._("Only sales users can schedule these calls."))
        self.check_access("read")
        call_type = self.env.ref("mail.mail_activity_data_call")
        partners = self.sudo()
        objecting = partners.filtered(lambda p: p._empathy_is_objecting())
        candidates = partners - objecting
        open_calls = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", candidates.ids),
                    ("activity_type_id", "=", call_type.id),
                ]
            )
        )
        busy = candidates.browse(list(set(open_calls.mapped("res_id"))))
        to_call = candidates - busy
        model_id = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].sudo().create(
            [partner._empathy_prepare_call_values(call_type, model_id) for partner in to_call]
        )
        messages = [self.env._("%s call(s) scheduled.", len(to_call))]
        if busy:
            messages.append(self.env._("%s already had an open call.", len(busy)))
        if objecting:
            messages.append(self.env._("%s object to profiling: no call.", len(objecting)))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if to_call else "warning",
                "message": " ".join(messages),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _empathy_call_user(self):
        """Return who calls this customer: best advisor, else salesperson, else me."""
        self.ensure_one()
        return self.empathy_best_advisor_id or self.user_id or self.env.user

    def _empathy_prepare_call_values(self, call_type, model_id):
        """Return the values of the call activity scheduled with this silent customer."""
        self.ensure_one()
        user = self._empathy_call_user()
        # the note ends up in the chatter, which users without empathy access read:
        # no empathy data in it; the briefing is on the contact's Empathy tab
        intro = self.env._(
            "Check in with %(customer)s. Read the briefing on the contact's Empathy tab"
            " before you call.",
            customer=self.display_name,
        )
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": call_type.id,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
            "summary": self.env._("Check in with %s", self.display_name),
            "note": Markup("<p>%s</p>") % intro,
        }

    # ------------------------------------------------------------------
    # Raw SQL (silent customers): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_sql_update_silent(self, bought_since, contact_since):
        """Write every customer's silent flag, silent-since date and recent revenue
        per company (one statement); return the partners whose values changed.

        What it takes over from the ORM:

        * flush: the orders', impressions', messages', activities', partners' and
          the rows' fields it reads (below);
        * uniqueness and locking: ``INSERT ... ON CONFLICT`` on the unique
          (partner, company) index, no check-then-insert; the rows of a contact are
          written only under the contact's lock (FOR NO KEY UPDATE in id order, as
          ``_empathy_refresh_rapport`` takes it), and only the contacts whose
          figures change are locked; the rapport columns are not touched;
        * create/write columns of the rows: set as ``create``/``write`` set them;
        * cache and ``modified()``: the rows written or deleted and the figures of
          their contacts (``RETURNING``);
        * the contact's write_date/write_uid: not set: a nightly technical aggregate
          of orders, messages and impressions (each with its own write date), no
          user edited the contact;
        * record rules and companies: none, a cron over the whole database; each
          company's row comes from that company's orders and impressions only,
          messages and activities belong to no company;
        * speed: first run 2.1 s at 200,000 partners (18,405 buyers), 15.4 s at 1M;
          the daily re-run 0.65 s / 5.3 s (benchmarks/README.md, *Silent-customer
          job*); the ORM would read every buyer's orders, messages, activities and
          impressions and write row by row.
        """
        for model, names in (
            (
                "sale.order",
                [
                    "partner_id",
                    "company_id",
                    "state",
                    "date_order",
                    "amount_untaxed",
                    "currency_rate",
                ],
            ),
            ("empathy.impression", ["partner_id", "company_id", "date"]),
            (
                "mail.message",
                ["author_id", "message_type", "model", "res_id", "date", "mail_activity_type_id"],
            ),
            ("mail.activity", ["res_model", "res_id", "active", "date_done"]),
            ("res.partner", ["active", "empathy_objection", "commercial_partner_id"]),
            ("empathy.partner.stat", None),
        ):
            self.env[model].flush_model(names)
        self.env.cr.execute(
            SQL(
                """
                WITH buyers AS (
                    SELECT so.partner_id, so.company_id,
                           SUM(so.amount_untaxed
                               / COALESCE(NULLIF(so.currency_rate, 0), 1.0)) AS revenue
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.date_order >= %(bought_since)s
                  GROUP BY so.partner_id, so.company_id
                ),
                shared AS (
                    -- contact signals that belong to no company: messages, activities
                    SELECT partner_id, max(date) AS date
                      FROM (
                            SELECT msg.author_id AS partner_id, msg.date
                              FROM mail_message msg
                             WHERE msg.author_id IN (SELECT partner_id FROM buyers)
                               AND msg.message_type IN ('email', 'comment')
                         UNION ALL
                            SELECT msg.res_id, msg.date
                              FROM mail_message msg
                             WHERE msg.model = 'res.partner'
                               AND msg.res_id IN (SELECT partner_id FROM buyers)
                               AND msg.mail_activity_type_id IS NOT NULL
                         UNION ALL
                            SELECT act.res_id, act.date_done::timestamp
                              FROM mail_activity act
                             WHERE act.res_model = 'res.partner'
                               AND act.res_id IN (SELECT partner_id FROM buyers)
                               AND NOT act.active AND act.date_done IS NOT NULL
                           ) signs
                  GROUP BY partner_id
                ),
                own AS (
                    -- impressions count for the company that recorded them; the newest
                    -- one per buyer through (partner_id, date DESC): no history read
                    SELECT b.partner_id, b.company_id, last.date
                      FROM buyers b
                CROSS JOIN LATERAL (
                            SELECT imp.date
                              FROM empathy_impression imp
                             WHERE imp.partner_id = b.partner_id
                               AND imp.company_id = b.company_id
                          ORDER BY imp.date DESC
                             LIMIT 1
                           ) last
                ),
                planned AS (
                    SELECT DISTINCT act.res_id AS partner_id
                      FROM mail_activity act
                     WHERE act.res_model = 'res.partner' AND act.active
                       AND act.res_id IN (SELECT partner_id FROM buyers)
                ),
                result AS (
                    SELECT b.partner_id, b.company_id, b.revenue,
                           NULLIF(GREATEST(COALESCE(o.date, '-infinity'),
                                           COALESCE(s.date, '-infinity')),
                                  '-infinity') AS last_contact
                      FROM buyers b
                 LEFT JOIN own o ON o.partner_id = b.partner_id
                                AND o.company_id = b.company_id
                 LEFT JOIN shared s ON s.partner_id = b.partner_id
                ),
                flagged AS (
                    SELECT r.partner_id, r.company_id,
                           (p.active
                            AND NOT COALESCE(p.empathy_objection, FALSE)
                            AND NOT COALESCE(cp.empathy_objection, FALSE)
                            AND pl.partner_id IS NULL
                            AND (r.last_contact IS NULL
                                 OR r.last_contact < %(contact_since)s)) AS silent,
                           date_trunc('second', r.last_contact) AS since,
                           round(r.revenue::numeric, 2) AS revenue
                      FROM result r
                      JOIN res_partner p ON p.id = r.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 LEFT JOIN planned pl ON pl.partner_id = r.partner_id
                ),
                changes AS (
                    -- the buyers whose figures differ from their row (or have none)
                    SELECT f.partner_id, f.company_id, f.silent, f.since, f.revenue,
                           TRUE AS keep
                      FROM flagged f
                 LEFT JOIN empathy_partner_stat s ON s.partner_id = f.partner_id
                                                 AND s.company_id = f.company_id
                     WHERE s.id IS NULL
                        OR (s.silent, s.silent_since, s.recent_revenue)
                           IS DISTINCT FROM (f.silent, f.since, f.revenue)
                 UNION ALL
                    -- former buyers: reset; a row left without any figure goes
                    SELECT s.partner_id, s.company_id, FALSE, NULL, NULL,
                           (s.best_advisor_id IS NOT NULL OR s.best_rapport IS NOT NULL
                            OR s.last_impression_date IS NOT NULL
                            OR s.mood_trend IS NOT NULL) AS keep
                      FROM empathy_partner_stat s
                     WHERE (s.silent OR s.silent_since IS NOT NULL
                            OR s.recent_revenue IS NOT NULL)
                       -- hashed: an anti-join against the CTE would loop (rows x buyers)
                       AND (s.partner_id, s.company_id)
                           NOT IN (SELECT f.partner_id, f.company_id FROM flagged f)
                ),
                locked AS (
                    SELECT id FROM res_partner
                     WHERE id IN (SELECT partner_id FROM changes)
                  ORDER BY id
                       FOR NO KEY UPDATE
                ),
                gone AS (
                    DELETE FROM empathy_partner_stat s
                     USING changes c, locked l
                     WHERE s.partner_id = c.partner_id AND s.company_id = c.company_id
                       AND l.id = c.partner_id AND NOT c.keep
                       -- checked on the row itself: a rapport written meanwhile stays
                       AND s.best_advisor_id IS NULL AND s.best_rapport IS NULL
                       AND s.last_impression_date IS NULL AND s.mood_trend IS NULL
                 RETURNING s.id, s.partner_id
                ),
                upserted AS (
                    INSERT INTO empathy_partner_stat AS s
                           (partner_id, company_id, silent, silent_since, recent_revenue,
                            create_uid, create_date, write_uid, write_date)
                    SELECT c.partner_id, c.company_id, c.silent, c.since, c.revenue,
                           %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM changes c
                      JOIN locked l ON l.id = c.partner_id
                     WHERE c.keep
                  ORDER BY c.partner_id, c.company_id
                        ON CONFLICT (partner_id, company_id) DO UPDATE
                       SET silent = EXCLUDED.silent,
                           silent_since = EXCLUDED.silent_since,
                           recent_revenue = EXCLUDED.recent_revenue,
                           write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date
                     WHERE (s.silent, s.silent_since, s.recent_revenue)
                           IS DISTINCT FROM (EXCLUDED.silent, EXCLUDED.silent_since,
                                             EXCLUDED.recent_revenue)
                 RETURNING s.id, s.partner_id
                )
                SELECT id, partner_id FROM upserted
                 UNION ALL
                SELECT id, partner_id FROM gone
                """,
                bought_since=bought_since,
                contact_since=contact_since,
                uid=self.env.uid,
            )
        )
        rows = self.env.cr.fetchall()
        self._empathy_stats_written(rows)
        return self.browse({row[1] for row in rows})
