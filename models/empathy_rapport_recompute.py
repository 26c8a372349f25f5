# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rebuilding the rapport from the impressions: set-based, in the background.

A changed half-life (every weight changes) or a manager's *Recompute* schedules the
rebuild (``ir.cron._trigger``), never runs it in the request. The scheduled action
rebuilds the customers whose rows were computed with another half-life, a batch of
customers per transaction, with progress (``ir.cron._notify_progress``), in SQL
(``_empathy_rebuild_customers``: the home of the set-based rebuild, which the
benchmarks' generator uses too). ``_empathy_compute_from_scratch`` is the reference
the tests and the benchmarks check the numbers against (the ORM, in Python).
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import compat
from ..tools.fair import fair_score, fair_score_sql, scale_means
from ..tools.params import REBUILD_ALL_PENDING, RESCALE_PENDING
from .empathy_rapport import REBASE_LIMIT, TREND_FACTOR, TREND_THRESHOLD, cte_statement

#: customers rebuilt per transaction by the scheduled rebuild
REBUILD_BATCH = 2000
#: ``half_life`` of the rows waiting for the rebuild (a partial index finds them)
REBUILD_PENDING = -1.0
REBUILD_ALL_PARAM = REBUILD_ALL_PENDING.key
RESCALE_PARAM = RESCALE_PENDING.key


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_compute_from_scratch(self, impressions):
        """Return {(partner, user, company): values} recomputed from ``impressions``.

        The advisors' and team means (hence the fair scores) are those of the pairs of
        ``impressions``: pass all impressions for the figures of the whole database.
        """
        half_life = self._empathy_half_life()
        states = {}
        for imp in impressions.sorted("date"):
            key = (imp.partner_id.id, imp.user_id.id, imp.company_id.id)
            snap = {"date": imp.date, "rapport": imp.rapport}
            states[key] = self._empathy_add(
                states.get(key, self._empathy_empty_state()), snap, 1, half_life
            )
        values = {key: self._empathy_values(state) for key, state in states.items()}
        advisor_means, team_means = scale_means(
            (key[1], key[2], vals["score"]) for key, vals in values.items()
        )
        shrinkage = self._empathy_shrinkage()
        for key, vals in values.items():
            advisor_mean, team_mean = advisor_means[key[1], key[2]], team_means[key[2]]
            vals.update(
                advisor_mean=advisor_mean,
                team_mean=team_mean,
                fair_score=fair_score(
                    vals["score"], vals["impression_count"], advisor_mean, team_mean, shrinkage
                ),
            )
        return values

    # ------------------------------------------------------------------
    # scheduling
    # ------------------------------------------------------------------
    @api.model
    def action_recompute_all(self):
        """Rebuild every rapport row and partner aggregate from the impressions (managers):
        scheduled, the scheduled action runs it in the background."""
        self._empathy_check_manager()
        self._empathy_schedule_rebuild(everything=True)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._(
                    "The rapport is being rebuilt from the impressions in the background"
                    " (scheduled action “Empathy: rebuild the rapport”)."
                ),
            },
        }

    @api.model
    def _empathy_schedule_rebuild(self, everything=False, rescale=False):
        """Have the scheduled rebuild run soon: it rebuilds the rows computed with
        another half-life (``everything``: all rows), then rewrites the fair scores
        of the advisors whose scale moved (``rescale``: all, e.g. the shrinkage
        setting changed). Writes a parameter only for ``everything`` or ``rescale``
        (a manager's action, a changed setting: rare)."""
        params = self.env["ir.config_parameter"].sudo()
        if everything:
            params.set_param(REBUILD_ALL_PARAM, "1")
        if rescale:
            params.set_param(RESCALE_PARAM, "1")
        self.env.ref("empathic_crm.ir_cron_empathy_rapport_rebuild").sudo()._trigger()

    @api.model
    def _cron_empathy_rebuild(self):
        """Scheduled (triggered; hourly as a safety net): bring the rapport in line with
        the settings, one batch of customers per call (``ir.cron._run_job`` commits
        between the calls and calls again while the progress says work remains).

        Rebuilds the customers with rows waiting (marked when none is left: rows
        computed with another half-life, every row when a manager asked); once none
        waits, refreshes the advisors' scales (every fair score when asked).
        """
        Rapport = self.sudo()
        Cron = self.env["ir.cron"]
        # first statement of the transaction: its snapshot starts with the locks held
        customers = Rapport._empathy_sql_lock_pending(REBUILD_BATCH)
        if not customers:
            marked = Rapport._empathy_mark_pending()
            if marked:  # committed, then rebuilt in the next calls
                Cron._notify_progress(done=marked, remaining=Rapport._empathy_sql_pending_count())
                return
        else:
            Rapport._empathy_rebuild_customers(customers)
        remaining = Rapport._empathy_sql_pending_count()
        Cron._notify_progress(done=len(customers), remaining=remaining)
        if remaining and not customers:
            # all held by appliers right now: again in a minute
            self.env.ref("empathic_crm.ir_cron_empathy_rapport_rebuild").sudo()._trigger(
                fields.Datetime.add(fields.Datetime.now(), minutes=1)
            )
        if not remaining:
            Rapport._empathy_finish_rebuild(rebuilt=bool(customers))

    @api.model
    def _empathy_rebuild_now(self, batch=REBUILD_BATCH, everything=False, refresh_partners=True):
        """Run the rebuild to its end in this transaction (tests, the benchmarks'
        generator, a shell): mark (``everything``: all rows), rebuild, rescale;
        return the number of customers rebuilt. Without ``refresh_partners`` the
        customers' aggregates and the advisors' scales are left to the caller (the
        generator fills them set-based for all at once)."""
        if everything:
            self.env["ir.config_parameter"].sudo().set_param(REBUILD_ALL_PARAM, "1")
        self._empathy_mark_pending()
        done = 0
        while customers := self._empathy_sql_lock_pending(batch):
            self._empathy_rebuild_customers(customers, refresh_partners=refresh_partners)
            done += len(customers)
        if refresh_partners:
            self._empathy_finish_rebuild(rebuilt=bool(done))
        return done

    @api.model
    def _empathy_mark_pending(self):
        """Mark the rows to rebuild (every row if a manager asked, else those computed
        with another half-life); return how many."""
        params = self.env["ir.config_parameter"].sudo()
        everything = bool(params.get_param(REBUILD_ALL_PARAM))
        count = self._empathy_sql_mark_pending(everything)
        if everything:
            params.set_param(REBUILD_ALL_PARAM, False)
        return count

    @api.model
    def _empathy_finish_rebuild(self, rebuilt):
        """Once no row waits: refresh the advisors' scales (all fair scores if the
        shrinkage changed, else those of the advisors whose scale moved)."""
        params = self.env["ir.config_parameter"].sudo()
        rescale = bool(params.get_param(RESCALE_PARAM))
        if rescale or rebuilt:
            self._empathy_refresh_scales(threshold=-1.0 if rescale else None)
        if rescale:
            params.set_param(RESCALE_PARAM, False)

    # ------------------------------------------------------------------
    # the set-based rebuild of a batch of customers
    # ------------------------------------------------------------------
    @api.model
    def _empathy_rebuild_customers(self, partner_ids, refresh_partners=True):
        """Rebuild the rapport rows of these customers from their impressions, then
        what follows the pairs (``_empathy_pairs_changed``) and their aggregates.

        The caller holds the customers' locks and reads one snapshot (repeatable read,
        the cron's and a shell's isolation): the customers' queued changes are
        dropped in the same snapshot the impressions are read in (they are part of
        them). Pairs spanning more than REBASE_LIMIT half-lives (their reference date
        moves forward, so the SQL weights do not apply; they exist only with very
        short half-lives) are replayed with the model's own math.
        """
        Kind = self.env["empathy.kind.rapport"]
        self.env.flush_all()
        before = Kind._empathy_partner_pairs(partner_ids)
        written, rebased = self._empathy_sql_rebuild(partner_ids)
        after = dict(written)
        if rebased:
            values = self._empathy_replay(rebased)
            self._empathy_write_pairs(values, self.browse(), rebuilt=True)
            after.update(
                (key, (vals["score"], vals["impression_count"])) for key, vals in values.items()
            )
        parts = self._empathy_pairs_changed(before, after)
        if parts:
            self.env.cr.execute(cte_statement(parts, SQL("SELECT 1")))
        self.invalidate_model()
        Partner = self.env["res.partner"].browse(partner_ids)
        Partner.invalidate_recordset(["empathy_rapport_ids"])
        if refresh_partners:
            Partner._empathy_refresh_rapport()

    @api.model
    def _empathy_replay(self, keys):
        """Return {key: values} of the pairs ``keys``, replayed impression by impression
        (``_empathy_add``; the fair score with the advisor's scale of the last refresh)."""
        impressions = (
            self.env["empathy.impression"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", list({key[0] for key in keys})),
                    ("user_id", "in", list({key[1] for key in keys})),
                    ("company_id", "in", list({key[2] for key in keys})),
                ]
            )
            .filtered(lambda imp: (imp.partner_id.id, imp.user_id.id, imp.company_id.id) in keys)
        )
        values = self._empathy_compute_from_scratch(impressions)
        shrinkage = self._empathy_shrinkage()
        scales = self._empathy_scales(
            values,
            self.search_fetch(
                [compat.any_array_condition("id", self._empathy_scale_rows_query(values))],
                ["user_id", "company_id", "impression_count", "advisor_mean", "team_mean"],
            ),
        )
        for key, vals in values.items():
            advisor_mean, team_mean = scales[key[1], key[2]]
            vals.update(
                advisor_mean=advisor_mean,
                team_mean=team_mean,
                fair_score=fair_score(
                    vals["score"], vals["impression_count"], advisor_mean, team_mean, shrinkage
                ),
            )
        return values

    # ------------------------------------------------------------------
    # Raw SQL (rebuild): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_sql_mark_pending(self, everything=False):
        """Mark for the rebuild the rows computed with another half-life (``everything``:
        all rows, and an empty row for a pair with impressions but none, lost in a
        repair); return the number of rows marked.

        Set-based (one statement, two with ``everything``) as the system (a scheduled
        action): ``half_life`` is technical (nothing depends on it; the model is
        invalidated), write dates are not set (no user changed the pairs). Instead of
        reading and writing every row through the ORM; no figure benchmarked.
        """
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE empathy_rapport SET half_life = %(pending)s
                 WHERE half_life IS DISTINCT FROM %(pending)s
                   AND (%(everything)s OR half_life IS DISTINCT FROM %(half_life)s)
                """,
                pending=REBUILD_PENDING,
                everything=everything,
                half_life=self._empathy_half_life(),
            )
        )
        count = self.env.cr.rowcount
        if everything:
            self.env["empathy.impression"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO empathy_rapport (partner_id, user_id, company_id,
                                                 impression_count, score, fair_score,
                                                 half_life, create_uid, create_date,
                                                 write_uid, write_date)
                    SELECT DISTINCT i.partner_id, i.user_id, i.company_id, 0, 0.0, 0.0,
                           %(pending)s, %(uid)s, now() AT TIME ZONE 'UTC',
                           %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM empathy_impression i
                     WHERE NOT EXISTS (SELECT 1 FROM empathy_rapport r
                                        WHERE r.partner_id = i.partner_id
                                          AND r.user_id = i.user_id
                                          AND r.company_id = i.company_id)
                        ON CONFLICT (partner_id, user_id, company_id) DO NOTHING
                    """,
                    pending=REBUILD_PENDING,
                    uid=self.env.uid,
                )
            )
            count += self.env.cr.rowcount
        self.invalidate_model(["half_life"])
        return count

    @api.model
    def _empathy_sql_lock_pending(self, limit):
        """Lock up to ``limit`` customers with rows waiting for the rebuild, in id
        order, skipping those an applier holds (it releases them soon); return their
        ids. One statement, the first of the batch's transaction (its repeatable-read
        snapshot starts with the locks held), through the partial index of the
        waiting rows. Raw SQL: the ORM has no row lock; reads only."""
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM res_partner
                 WHERE id IN (SELECT DISTINCT partner_id FROM empathy_rapport
                               WHERE half_life < 0
                            ORDER BY partner_id LIMIT %s)
              ORDER BY id
                   FOR NO KEY UPDATE SKIP LOCKED
                """,
                limit,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _empathy_sql_pending_count(self):
        """Return how many customers wait for the rebuild (one read, the progress)."""
        self.env.cr.execute(
            "SELECT count(DISTINCT partner_id) FROM empathy_rapport WHERE half_life < 0"
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _empathy_sql_rebuild(self, partner_ids):
        """Rebuild the rows of these customers from their impressions in one statement;
        return ({key: (score, impressions)} written, [keys] to replay (rebased)).

        The weights of ``_empathy_add`` (2 ** ((date - first date) / half-life), the
        short memory with TREND_FACTOR, the score clamped to 1-5, the trend), the fair
        score of ``fair_score_sql`` with the advisor's and the team's scale of the last
        refresh (the batch's own pairs where there is none yet; the scales are
        materialized: one lookup per advisor and company, not per pair). It takes over:

        * flush: the caller's (``flush_all``);
        * create/write columns set as ``create``/``write`` would (the system, UTC now);
        * cache and ``modified()``: the caller invalidates the model and the
          customers' ``empathy_rapport_ids`` and refreshes their aggregates; the
          queued changes dropped are technical (never cached);
        * record rules and companies: none, as the system (a scheduled action);
        * speed: set-based instead of reading every impression into the ORM (which
          the request of a changed setting did): the benchmarks' generator writes
          259,826 rows from 2,000,000 impressions with it (benchmarks/README.md).
        """
        half_life = self._empathy_half_life()
        ids = sorted(set(partner_ids))
        self.env.cr.execute(
            SQL(
                """
                WITH taken AS (
                    DELETE FROM empathy_rapport_queue WHERE partner_id = ANY(%(ids)s)
                ), pair AS (
                    SELECT partner_id, user_id, company_id,
                           min(date) AS ref, max(date) AS last_date, count(*) AS n,
                           extract(epoch FROM max(date) - min(date))::float8
                               / 86400.0 / %(half_life)s > %(limit)s AS rebase
                      FROM empathy_impression
                     WHERE partner_id = ANY(%(ids)s)
                  GROUP BY partner_id, user_id, company_id
                ), sums AS (
                    SELECT p.partner_id, p.user_id, p.company_id, p.ref, p.last_date, p.n,
                           sum(w.w) AS sum_w, sum(w.w * i.rapport) AS sum_wr,
                           sum(w.ws) AS sum_w_short, sum(w.ws * i.rapport) AS sum_wr_short
                      FROM pair p
                      JOIN empathy_impression i ON i.partner_id = p.partner_id
                                               AND i.user_id = p.user_id
                                               AND i.company_id = p.company_id
                CROSS JOIN LATERAL (
                        SELECT power(2.0::float8, x.e) AS w,
                               power(2.0::float8, x.e * %(factor)s) AS ws
                          FROM (SELECT extract(epoch FROM i.date - p.ref)::float8
                                       / 86400.0 / %(half_life)s AS e) x
                        ) w
                     WHERE NOT p.rebase
                  GROUP BY p.partner_id, p.user_id, p.company_id, p.ref, p.last_date, p.n
                ), fresh AS MATERIALIZED (
                    SELECT s.*,
                           greatest(1.0::float8, least(5.0::float8, s.sum_wr / s.sum_w))
                               AS score,
                           s.sum_wr_short / s.sum_w_short AS short
                      FROM sums s
                ), scale AS MATERIALIZED (
                    SELECT f.user_id, f.company_id,
                           COALESCE((SELECT r.advisor_mean FROM empathy_rapport r
                                      WHERE r.user_id = f.user_id
                                        AND r.company_id = f.company_id
                                        AND r.advisor_mean IS NOT NULL
                                        AND r.impression_count > 0 LIMIT 1),
                                    avg(f.score)) AS advisor_mean
                      FROM fresh f
                  GROUP BY f.user_id, f.company_id
                ), team AS MATERIALIZED (
                    SELECT f.company_id,
                           COALESCE((SELECT r.team_mean FROM empathy_rapport r
                                      WHERE r.company_id = f.company_id
                                        AND r.team_mean IS NOT NULL
                                        AND r.impression_count > 0 LIMIT 1),
                                    avg(f.score)) AS team_mean
                      FROM fresh f
                  GROUP BY f.company_id
                ), gone AS (
                    DELETE FROM empathy_rapport r
                     WHERE r.partner_id = ANY(%(ids)s)
                       AND NOT EXISTS (SELECT 1 FROM pair p
                                        WHERE p.partner_id = r.partner_id
                                          AND p.user_id = r.user_id
                                          AND p.company_id = r.company_id)
                )
                INSERT INTO empathy_rapport AS r
                       (partner_id, user_id, company_id, weight_ref, sum_w, sum_wr,
                        sum_w_short, sum_wr_short, impression_count, last_date, score, trend,
                        advisor_mean, team_mean, fair_score, half_life,
                        create_uid, create_date, write_uid, write_date)
                SELECT f.partner_id, f.user_id, f.company_id, f.ref, f.sum_w, f.sum_wr,
                       f.sum_w_short, f.sum_wr_short, f.n, f.last_date, f.score,
                       CASE WHEN f.short - f.score > %(threshold)s THEN 'improving'
                            WHEN f.score - f.short > %(threshold)s THEN 'declining'
                            ELSE 'stable' END,
                       a.advisor_mean, t.team_mean, %(fair)s, %(half_life)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM fresh f
                  JOIN scale a ON a.user_id = f.user_id AND a.company_id = f.company_id
                  JOIN team t ON t.company_id = f.company_id
              ORDER BY f.partner_id, f.user_id, f.company_id
                    ON CONFLICT (partner_id, user_id, company_id) DO UPDATE
                   SET weight_ref = EXCLUDED.weight_ref, sum_w = EXCLUDED.sum_w,
                       sum_wr = EXCLUDED.sum_wr, sum_w_short = EXCLUDED.sum_w_short,
                       sum_wr_short = EXCLUDED.sum_wr_short,
                       impression_count = EXCLUDED.impression_count,
                       last_date = EXCLUDED.last_date, score = EXCLUDED.score,
                       trend = EXCLUDED.trend, advisor_mean = EXCLUDED.advisor_mean,
                       team_mean = EXCLUDED.team_mean, fair_score = EXCLUDED.fair_score,
                       half_life = EXCLUDED.half_life,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
             RETURNING r.partner_id, r.user_id, r.company_id, r.score, r.impression_count
                """,
                ids=ids,
                half_life=half_life,
                limit=REBASE_LIMIT,
                factor=TREND_FACTOR,
                threshold=TREND_THRESHOLD,
                fair=SQL(
                    fair_score_sql("f.score", "f.n", "a.advisor_mean", "t.team_mean", "%s"),
                    float(self._empathy_shrinkage()),
                ),
                uid=self.env.uid,
            )
        )
        written = {(p, u, c): (score, count) for p, u, c, score, count in self.env.cr.fetchall()}
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, user_id, company_id FROM empathy_impression
                 WHERE partner_id = ANY(%s)
              GROUP BY partner_id, user_id, company_id
                HAVING extract(epoch FROM max(date) - min(date))::float8 / 86400.0 / %s > %s
                """,
                ids,
                half_life,
                REBASE_LIMIT,
            )
        )
        return written, [tuple(row) for row in self.env.cr.fetchall()]
