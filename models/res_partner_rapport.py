# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's rapport aggregates per company (best advisor, best rapport, last
impression, mood trend, who clicks), refreshed in one statement from the rapport rows.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from .empathy_fair import CLICK_SCORE
from .empathy_groups import EMPATHY_USER_GROUP
from .empathy_mood import mood_trend_sql, mood_window_sql

#: partner fields maintained by _empathy_refresh_rapport
RAPPORT_AGGREGATE_FIELDS = (
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_click_user_ids",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # partner-level aggregates: per company (a contact shared between companies shows
    # each company only what its own impressions say), maintained by
    # _empathy_refresh_rapport; company-dependent fields are jsonb columns keyed by
    # company, searched, grouped and ordered for the current company by the ORM
    empathy_best_advisor_id = fields.Many2one(
        "res.users",
        string="Best advisor",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_USER_GROUP,
        help="The advisor with the highest fair rapport in this company: their ratings of"
        " this customer compared with their ratings of everyone (ties: more impressions,"
        " then most recent).",
    )
    empathy_best_rapport = fields.Float(
        string="Best rapport",
        readonly=True,
        help="The best advisor's fair rapport with this customer (1-5): lenient and strict"
        " raters corrected, uncertain scores pulled toward the team average.",
        digits=(3, 2),
        company_dependent=True,
        groups=EMPATHY_USER_GROUP,
    )
    empathy_last_impression_date = fields.Datetime(
        string="Last impression", readonly=True, company_dependent=True, groups=EMPATHY_USER_GROUP
    )
    empathy_mood_trend = fields.Selection(
        [("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining")],
        string="Mood trend",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_USER_GROUP,
    )
    # technical, kept with the rapport rows: who clicks with this contact, per company
    # ({"company id": [user ids]}); searched by "my customers where I click" through
    # a GIN index instead of joining the rapport rows (fast at millions of contacts).
    # Other advisors' pairs are hidden from salespeople: administrators only.
    empathy_click_user_ids = fields.Json(
        string="Advisors who click (technical)",
        readonly=True,
        copy=False,
        prefetch=False,
        groups="base.group_system",
        help="Per company, the advisors whose fair rapport with this contact is at least"
        " 4 (the filter *I click with them*). Maintained with the rapport.",
    )

    # ------------------------------------------------------------------
    # Raw SQL (the contact's rapport aggregates): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    def _empathy_refresh_rapport(self):
        """Recompute best advisor, best rapport, last date, mood trend and who clicks (1 query).

        Per company: each company's values come from its own rapport rows and
        impressions only, stored in the company-dependent (jsonb) columns. Best
        advisor: highest score, ties broken by more impressions, then the most recent.
        Mood trend: the mean mood of the last MOOD_WINDOW impressions against the
        MOOD_WINDOW before (``empathy_mood.py``: index-only, the newest rows only).
        Partners are locked in id order, so concurrent refreshes cannot deadlock.
        """
        if not self:
            return
        self.env["empathy.rapport"].flush_model()
        self.env["empathy.impression"].flush_model()
        fnames = list(RAPPORT_AGGREGATE_FIELDS)
        self.flush_recordset(fnames)
        ids = sorted(self.ids)
        # Raw SQL, one statement for all partners (the ORM would read every rapport row
        # and write per partner and company). It takes over: flush (above: rapport
        # rows, impressions, the five fields), record rules and companies (none:
        # technical aggregates refreshed as the system; each company's values from
        # its own rows and impressions, jsonb keyed by company), cache invalidation
        # and ``modified`` of the five fields (below). Not write_date/write_uid on
        # purpose: an impression is not an edit of the contact by the advisor.
        # Speed: 6 queries / 8.1 ms per impression whatever the history (was 15:
        # two SELECTs and an ORM write per partner, which read user_ids/child_ids for
        # the commercial-field sync); the retention batch refreshing 1,000 partners
        # takes 22 queries / 253 ms against 1,886 queries / 1,388 ms for an ORM write
        # on 1,000 partners (benchmarks/README.md).
        self.env.cr.execute(
            SQL(
                """
                WITH best AS (
                    SELECT DISTINCT ON (partner_id, company_id)
                           partner_id, company_id, user_id, fair_score AS score
                      FROM empathy_rapport
                     WHERE partner_id = ANY(%(ids)s)
                  ORDER BY partner_id, company_id, %(rank)s
                ), moods AS (
                    SELECT b.partner_id, b.company_id, m.last, m.recent, m.earlier
                      FROM best b
                CROSS JOIN LATERAL (%(window)s) m
                ), per_company AS (
                    SELECT b.partner_id, b.company_id::text AS company,
                           b.user_id,
                           round(COALESCE(b.score, 0)::numeric, 2) AS score,
                           to_char(m.last, 'YYYY-MM-DD HH24:MI:SS') AS last,
                           CASE WHEN m.recent IS NOT NULL THEN %(trend)s END AS trend
                      FROM best b
                 LEFT JOIN moods m ON m.partner_id = b.partner_id
                                  AND m.company_id = b.company_id
                ), agg AS (
                    SELECT partner_id,
                           jsonb_object_agg(company, user_id) AS advisor,
                           jsonb_object_agg(company, score) AS score,
                           jsonb_strip_nulls(jsonb_object_agg(company, last)) AS last,
                           jsonb_strip_nulls(jsonb_object_agg(company, trend)) AS trend
                      FROM per_company
                  GROUP BY partner_id
                ), clicks AS (%(clicks)s), locked AS (
                    SELECT id FROM res_partner
                     WHERE id = ANY(%(ids)s)
                  ORDER BY id
                       FOR NO KEY UPDATE
                )
                UPDATE res_partner p
                   SET empathy_best_advisor_id = agg.advisor,
                       empathy_best_rapport = agg.score,
                       empathy_last_impression_date = NULLIF(agg.last, '{}'::jsonb),
                       empathy_mood_trend = NULLIF(agg.trend, '{}'::jsonb),
                       empathy_click_user_ids = clicks.users
                  FROM locked
             LEFT JOIN agg ON agg.partner_id = locked.id
             LEFT JOIN clicks ON clicks.partner_id = locked.id
                 WHERE p.id = locked.id
                   AND (p.empathy_best_advisor_id IS DISTINCT FROM agg.advisor
                        OR p.empathy_best_rapport IS DISTINCT FROM agg.score
                        OR p.empathy_last_impression_date
                           IS DISTINCT FROM NULLIF(agg.last, '{}'::jsonb)
                        OR p.empathy_mood_trend IS DISTINCT FROM NULLIF(agg.trend, '{}'::jsonb)
                        OR p.empathy_click_user_ids IS DISTINCT FROM clicks.users)
                """,
                ids=ids,
                clicks=self._empathy_click_sets_sql(SQL("partner_id = ANY(%s)", ids)),
                rank=self.env["empathy.rapport"]._empathy_rank_order(),
                window=mood_window_sql(SQL("b.partner_id"), SQL("b.company_id")),
                trend=mood_trend_sql(SQL("m.recent"), SQL("m.earlier")),
            )
        )
        self.invalidate_recordset(fnames)
        self.modified(fnames)

    @api.model
    def _empathy_click_sets_sql(self, condition):
        """Return the query of the click sets ``(partner_id, users)`` of the rapport
        rows matching ``condition``: ``{"company id": [advisors, fair rapport >= 4]}``.

        A subquery of the two statements of this section (their flush covers it).
        """
        return SQL(
            """
            SELECT partner_id, jsonb_object_agg(company, users) AS users
              FROM (
                SELECT partner_id, company_id::text AS company,
                       jsonb_agg(user_id ORDER BY user_id) AS users
                  FROM empathy_rapport
                 WHERE %s AND fair_score >= %s
              GROUP BY partner_id, company_id
                   ) per_company
          GROUP BY partner_id
            """,
            condition,
            CLICK_SCORE,
        )

    @api.model
    def _empathy_fill_click_sets(self):
        """Set every contact's click set from the rapport rows (one statement).

        For a new column (module update) and bulk loads; ``_empathy_refresh_rapport``
        keeps them exact afterwards. Return the number of contacts updated.

        Takes over: flush (rapport rows, the column), cache invalidation and
        ``modified`` of the contacts written (``RETURNING``); record rules and
        companies: none (migration and bulk loads, as the system; the sets are keyed
        by company). Not write_date/write_uid: a technical column (administrators
        only) derived from the rapport rows. Speed: one statement for all contacts
        (run by the migration 18.0.1.3.0; no figure benchmarked: the ORM would
        read every rapport row and write contact by contact).
        """
        self.env["empathy.rapport"].flush_model()
        self.flush_model(["empathy_click_user_ids"])
        self.env.cr.execute(
            SQL(
                """
                WITH clicks AS (%(clicks)s)
                UPDATE res_partner p
                   SET empathy_click_user_ids = clicks.users
                  FROM res_partner q
             LEFT JOIN clicks ON clicks.partner_id = q.id
                 WHERE p.id = q.id
                   AND (q.empathy_click_user_ids IS NOT NULL OR clicks.users IS NOT NULL)
                   AND p.empathy_click_user_ids IS DISTINCT FROM clicks.users
             RETURNING p.id
                """,
                clicks=self._empathy_click_sets_sql(SQL("TRUE")),
            )
        )
        written = self.browse(row[0] for row in self.env.cr.fetchall())
        written.invalidate_recordset(["empathy_click_user_ids"])
        written.modified(["empathy_click_user_ids"])
        return len(written)
