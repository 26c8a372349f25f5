# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The advisors' rating scales of the fair rapport score: lookup and bulk refresh.

The formula is in ``tools/fair.py``; here the advisors' and team means each pair's
fair score is computed with (stored on the rows, refreshed set-based when they move).
"""

from odoo import api, models
from odoo.tools import SQL

from ..tools import params
from ..tools.fair import SCALE_THRESHOLD, fair_score_sql, scale_means

#: partners refreshed per statement after a bulk refresh of the fair scores
PARTNER_CHUNK = 5000


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_shrinkage(self):
        """Return k: how many pseudo-impressions of "no difference" the fair score adds."""
        return params.get(self.env, params.SHRINKAGE)

    @api.model
    def _empathy_scales(self, values, fetched):
        """Return {(advisor, company): (advisor mean, team mean)} for the pairs ``values``.

        ``values`` maps (partner, advisor, company) to the pair's new values; the means
        are those of the last bulk refresh, read from ``fetched`` (rows fetched with
        ``_empathy_scale_rows_query``, no query here). An advisor or a company without
        any refreshed pair yet gets the mean of the pairs at hand, as the next refresh
        would compute it from them alone.
        """
        stored_advisor, stored_team = {}, {}
        for row in fetched:
            # rows with impressions carry the scales (set by every apply and refresh)
            if row.impression_count > 0:
                stored_advisor.setdefault((row.user_id.id, row.company_id.id), row)
                stored_team.setdefault(row.company_id.id, row)
        advisor_means, team_means = scale_means(
            (key[1], key[2], vals["score"]) for key, vals in values.items()
        )
        scales = {}
        for _partner, user, company in values:
            adv_row = stored_advisor.get((user, company))
            team_row = stored_team.get(company)
            scales[user, company] = (
                adv_row.advisor_mean if adv_row else advisor_means[user, company],
                team_row.team_mean if team_row else team_means[company],
            )
        return scales

    # ------------------------------------------------------------------
    # the advisors' rating scales: bulk, set-based
    # ------------------------------------------------------------------
    @api.model
    def action_refresh_fair_scores(self):
        """Refresh the advisors' rating scales and every fair score now (on demand)."""
        self._empathy_check_manager()
        self._empathy_refresh_scales(threshold=-1.0)
        return True

    @api.model
    def _cron_empathy_refresh_scales(self):
        """Scheduled: rewrite the fair scores of advisors whose rating scale moved."""
        self._empathy_refresh_scales()

    @api.model
    def _empathy_refresh_scales(self, threshold=None, refresh_partners=True):
        """Recompute every advisor's and team mean in one statement (set-based).

        The fair scores of an advisor's pairs are rewritten when the advisor's mean or
        the team mean moved by more than ``threshold`` stars since they were written
        (default SCALE_THRESHOLD; negative: rewrite all); then the best advisor of the
        customers concerned. Return the number of rapport rows rewritten.
        """
        threshold = SCALE_THRESHOLD if threshold is None else threshold
        row_ids, partner_ids = self._empathy_sql_update_scales(threshold)
        if refresh_partners:
            Partner = self.env["res.partner"].sudo()
            for start in range(0, len(partner_ids), PARTNER_CHUNK):
                Partner.browse(
                    partner_ids[start : start + PARTNER_CHUNK]
                )._empathy_refresh_rapport()
        return len(row_ids)

    # ------------------------------------------------------------------
    # Raw SQL (fair rapport's scales): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_scale_rows_query(self, keys):
        """Return SQL selecting a row per advisor and company, and per company, of ``keys``
        ((partner, advisor, company) tuples) that carries the last refresh's scales.

        Index lookups with LIMIT 1: constant cost whatever the number of pairs. A
        subquery of the ORM's ``search_fetch`` in ``_empathy_apply_now`` (``id =
        ANY(ARRAY(...))``): flush, record rules (sudo there) and cache are the ORM's.
        Speed: 6 queries and 8.1 ms per impression whatever the history; with ``IN
        (subquery)`` PostgreSQL scanned all 1.3M rapport rows (502 ms,
        benchmarks/README.md, *Rapport maintenance O(1) at 10M*).
        """
        pairs = sorted({(key[1], key[2]) for key in keys})
        companies = sorted({key[2] for key in keys})
        return SQL(
            """(
            SELECT a.id
              FROM unnest(%s::int[], %s::int[]) AS k(user_id, company_id)
              JOIN LATERAL (
                    SELECT r.id FROM empathy_rapport r
                     WHERE r.user_id = k.user_id AND r.company_id = k.company_id
                       AND r.advisor_mean IS NOT NULL
                     LIMIT 1) a ON TRUE
             UNION ALL
            SELECT t.id
              FROM unnest(%s::int[]) AS kc(company_id)
              JOIN LATERAL (
                    SELECT r.id FROM empathy_rapport r
                     WHERE r.company_id = kc.company_id AND r.team_mean IS NOT NULL
                     LIMIT 1) t ON TRUE
            )""",
            [pair[0] for pair in pairs],
            [pair[1] for pair in pairs],
            companies,
        )

    @api.model
    def _empathy_sql_update_scales(self, threshold):
        """Rewrite the scales and fair scores of the advisors whose scale moved by
        more than ``threshold`` (one statement); return (row ids, partner ids).

        The means of ``scale_means`` (a pair counts once), the formula of
        ``fair_score``. What it takes over from the ORM:

        * flush: every rapport field (all are read);
        * cache and ``modified()``: ``advisor_mean``, ``team_mean``, ``fair_score`` of
          the rows written are invalidated and marked modified (the rows' fair
          explanation depends on them; the partners' aggregates are refreshed by
          the caller, ``_empathy_refresh_rapport``);
        * write_date/write_uid: not set: a technical aggregate of all advisors'
          ratings (like core's ``automated_probability`` of Predictive Lead Scoring,
          also written by SQL without them), no user changed the pair;
        * record rules and companies: none, on purpose: the scales are the whole
          company's (a cron, or a manager's button checked by the caller); every
          mean is per company (``GROUP BY company_id``), no company is mixed;
        * speed: one statement instead of reading and writing every row through the
          ORM: the scheduled refresh (nothing moved) takes 126 ms at 259,826 rows,
          697 ms at 1,297,705; rewriting every row 4.2 s / 32.3 s
          (benchmarks/README.md, *Fair rapport*; not measured through the ORM).
        """
        self.env["empathy.rapport"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH advisor AS (
                    SELECT user_id, company_id, avg(score) AS mean
                      FROM empathy_rapport
                  GROUP BY user_id, company_id
                ), team AS (
                    SELECT company_id, avg(score) AS mean
                      FROM empathy_rapport
                  GROUP BY company_id
                ), moved AS (
                    SELECT a.user_id, a.company_id, a.mean AS advisor_mean, t.mean AS team_mean
                      FROM advisor a
                      JOIN team t ON t.company_id = a.company_id
                     WHERE EXISTS (
                            SELECT 1 FROM empathy_rapport r
                             WHERE r.user_id = a.user_id AND r.company_id = a.company_id
                               AND (r.advisor_mean IS NULL OR r.team_mean IS NULL
                                    OR abs(r.advisor_mean - a.mean) > %(threshold)s
                                    OR abs(r.team_mean - t.mean) > %(threshold)s))
                )
                UPDATE empathy_rapport r
                   SET advisor_mean = m.advisor_mean,
                       team_mean = m.team_mean,
                       fair_score = %(fair_score)s
                  FROM moved m
                 WHERE r.user_id = m.user_id AND r.company_id = m.company_id
             RETURNING r.id, r.partner_id
                """,
                threshold=threshold,
                fair_score=SQL(
                    fair_score_sql(
                        "r.score", "r.impression_count", "m.advisor_mean", "m.team_mean", "%s"
                    ),
                    float(self._empathy_shrinkage()),
                ),
            )
        )
        rows = self.env.cr.fetchall()
        row_ids = [row[0] for row in rows]
        fnames = ["advisor_mean", "team_mean", "fair_score"]
        written = self.browse(row_ids)
        written.invalidate_recordset(fnames)
        written.modified(fnames)
        return row_ids, sorted({row[1] for row in rows})
