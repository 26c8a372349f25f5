# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import logging
import random
import time
from collections import defaultdict

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .empathy_fair import (
    DEFAULT_SHRINKAGE,
    SCALE_THRESHOLD,
    UNCERTAIN_BELOW,
    fair_score,
    scale_means,
)
from .empathy_gate import serving_request
from .empathy_groups import EMPATHY_MANAGER_GROUP
from .empathy_params import get_int_param, protected_read_group

_logger = logging.getLogger(__name__)

#: an impression's weight is 2 ** ((date - reference) / half_life); sums are kept
#: relative to a per-row reference date, which makes the recency-weighted mean exact
#: and updatable in O(1): the common factor 2 ** (-(now - reference) / half_life)
#: cancels out of sum(w * r) / sum(w).
REBASE_LIMIT = 48.0  # rebase before 2 ** (exponent * TREND_FACTOR) leaves float range
#: the trend compares a short-memory mean (half-life / TREND_FACTOR) with the score
TREND_FACTOR = 4.0
TREND_THRESHOLD = 0.25
DEFAULT_HALF_LIFE = 180
STATE_FIELDS = ("weight_ref", "sum_w", "sum_wr", "sum_w_short", "sum_wr_short")
#: queued changes applied per transaction by the deferred refresh
QUEUE_BATCH = 2000
#: attempts of the deferred refresh on a concurrency conflict before the cron takes over
QUEUE_TRIES = 8
#: conflicts between concurrent refreshes: retried in a new, short transaction
RETRYABLE_ERRORS = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
    errors.UniqueViolation,
)
SHRINKAGE_PARAM = "empathic_crm.rapport_shrinkage"
#: partners refreshed per statement after a bulk refresh of the fair scores
PARTNER_CHUNK = 5000


class EmpathyRapport(models.Model):
    _name = "empathy.rapport"
    _description = "Advisor-Customer Rapport"
    _order = "fair_score desc, impression_count desc, last_date desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", string="Advisor", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    score = fields.Float(
        string="Own ratings",
        aggregator="avg",
        help="Recency-weighted mean of the advisor's own rapport ratings of this customer,"
        " 1 to 5 (not corrected for how generously the advisor rates).",
    )
    fair_score = fields.Float(
        string="Fair rapport",
        aggregator="avg",
        index=True,
        readonly=True,
        help="How much better this advisor's ratings of this customer are than the same"
        " advisor's ratings of everyone (lenient and strict raters corrected), pulled"
        " toward the team average when there are few impressions, on the 1-5 scale.",
    )
    fair_explanation = fields.Char(
        string="Why this score", compute="_compute_fair_explanation", compute_sudo=True
    )
    impression_count = fields.Integer(string="Impressions", aggregator="sum")
    last_date = fields.Datetime(string="Last impression")
    trend = fields.Selection(
        [("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining")],
        help="Recent impressions compared with the long-term score.",
    )
    # technical aggregates (see module docstring)
    weight_ref = fields.Datetime(string="Weight reference", readonly=True)
    sum_w = fields.Float(readonly=True)
    sum_wr = fields.Float(readonly=True)
    sum_w_short = fields.Float(readonly=True)
    sum_wr_short = fields.Float(readonly=True)
    # the advisor's rating scale, refreshed in bulk (_empathy_refresh_scales)
    advisor_mean = fields.Float(
        string="Advisor's average",
        readonly=True,
        help="The advisor's mean rapport over all their customers in this company.",
    )
    team_mean = fields.Float(
        string="Team average",
        readonly=True,
        help="The mean rapport of all advisors and customers of this company.",
    )

    _sql_constraints = [
        (
            "partner_user_company_uniq",
            "unique (partner_id, user_id, company_id)",
            "There is one rapport per customer, advisor and company.",
        ),
    ]

    @api.model
    def _empathy_check_report_access(self):
        """The rapport report (list, pivot, graph) is for empathy managers only.

        Rapport describes pairs, not performance: salespeople use their own rows in
        filters (record rule), they do not browse the advisor x customer report.
        """
        if not self.env.su and not self.env.user.has_group(EMPATHY_MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "The rapport report is for empathy managers: rapport describes pairs of"
                    " advisor and customer, not an advisor's performance."
                )
            )

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        self._empathy_check_report_access()
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        """Reports: managers only; no per-advisor figures with *Protect advisors*."""
        self._empathy_check_report_access()
        return protected_read_group(
            self, super().read_group, domain, fields, groupby, offset, limit, orderby, lazy
        )

    def init(self):
        # "my customers where I click": index-only lookups by advisor and fair score
        self.env.cr.execute("DROP INDEX IF EXISTS empathy_rapport_user_score_idx")
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS empathy_rapport_user_fair_score_idx"
            " ON empathy_rapport (user_id, fair_score, partner_id)"
        )
        # rows from before the fair score (module update): fill them once, set-based
        self.env.cr.execute("SELECT 1 FROM empathy_rapport WHERE advisor_mean IS NULL LIMIT 1")
        if self.env.cr.fetchone():
            self._empathy_refresh_scales()

    # ------------------------------------------------------------------
    # math
    # ------------------------------------------------------------------
    @api.model
    def _empathy_half_life(self):
        """Return the half-life of an impression's weight, in days."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("empathic_crm.rapport_half_life_days", DEFAULT_HALF_LIFE)
        )
        try:
            return max(1.0, float(value))
        except (TypeError, ValueError):
            return float(DEFAULT_HALF_LIFE)

    @staticmethod
    def _empathy_exponent(date, reference, half_life):
        return (date - reference).total_seconds() / 86400.0 / half_life

    @api.model
    def _empathy_trend(self, score, short_score):
        """Classify the difference between the recent and the long-term rapport."""
        if score is None or short_score is None:
            return False
        if short_score - score > TREND_THRESHOLD:
            return "improving"
        if score - short_score > TREND_THRESHOLD:
            return "declining"
        return "stable"

    @api.model
    def _empathy_rank_order(self):
        """Return the SQL order that ranks the advisors of a customer, best first."""
        return SQL("fair_score DESC, impression_count DESC, last_date DESC NULLS LAST, id")

    # ------------------------------------------------------------------
    # incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    def _empathy_apply(self, added=(), removed=()):
        """Apply impression snapshots to the rapport rows and the partner aggregates.

        While a web or API request is served, the request only INSERTs the changes
        into ``empathy_rapport_queue``, so a sales team recording impressions of the
        same customers at once never conflicts on the hot rows (rapport row,
        partner). Right after the request's commit (still before the response is
        sent) a short transaction of its own applies the queue, waiting for other
        appliers of the same customers instead of failing. Elsewhere (cron, shell,
        tests) the changes are applied at once, in the same transaction. A cron
        applies what a crash left queued.
        """
        rows = [(1, snap) for snap in added] + [(-1, snap) for snap in removed]
        if not rows:
            return
        if self._empathy_defer():
            self.env["empathy.rapport.queue"]._empathy_enqueue(rows)
            self._empathy_apply_after_commit()
        else:
            self._empathy_apply_now(rows)

    @api.model
    def _empathy_defer(self):
        """Return whether the queue is applied after the commit (requests only)."""
        return (
            not self.env.context.get("empathy_rapport_sync")
            and not self.env.registry.in_test_mode()
            and bool(serving_request())
        )

    @api.model
    def _empathy_apply_after_commit(self):
        """Apply the queue once after the current transaction commits."""
        cr = self.env.cr
        if cr.postcommit.data.get("empathy_rapport_queue"):
            return
        cr.postcommit.data["empathy_rapport_queue"] = True
        dbname = cr.dbname
        registry = self.env.registry

        @cr.postcommit.add
        def apply_queue():
            for attempt in range(QUEUE_TRIES):
                try:
                    with registry.cursor() as new_cr:
                        # a short transaction that waits for the row locks of other
                        # appliers instead of failing on their updates: READ COMMITTED
                        # (each statement sees the latest commits), every row locked
                        # in a fixed order before it is read
                        new_cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        env = api.Environment(
                            new_cr, SUPERUSER_ID, {"empathy_rapport_locking": True}
                        )
                        env["empathy.rapport"]._empathy_process_queue()
                    return
                except RETRYABLE_ERRORS:  # deadlock with another writer: rare
                    time.sleep(random.uniform(0, 0.05 * 2**attempt))
            _logger.warning(
                "empathic_crm: rapport queue of %s still busy, the cron applies it", dbname
            )

    @api.model
    def _empathy_process_queue(self, limit=QUEUE_BATCH):
        """Apply queued snapshots to the rapport rows and refresh the partners.

        Takes the queue rows with ``FOR UPDATE SKIP LOCKED`` (concurrent appliers take
        disjoint rows) and deletes them in the same transaction: each change is
        applied exactly once. Costs a constant number of queries per (partner,
        advisor, company) pair touched, whatever the number of impressions recorded.
        """
        Queue = self.env["empathy.rapport.queue"]
        while True:
            taken = Queue._empathy_take(limit)
            if not taken:
                return
            self._empathy_apply_now(taken)
            if len(taken) < limit:
                return

    @api.model
    def _empathy_apply_now(self, changes):
        """Apply [(sign, snapshot)] to the rapport rows and refresh the partners."""
        deltas = defaultdict(list)
        for sign, snap in changes:
            key = (snap["partner_id"], snap["user_id"], snap["company_id"])
            deltas[key].append((sign, snap))
        if not deltas:
            return
        half_life = self._empathy_half_life()
        self.env.flush_all()
        if self.env.context.get("empathy_rapport_locking"):
            self._empathy_lock_rows(sorted(deltas))
        # one query: the pairs' rows, plus one row per advisor and company that
        # carries the advisor's and the team's scale of the last bulk refresh
        fetched = self.sudo().search_fetch(
            [
                "|",
                "&",
                "&",
                ("partner_id", "in", list({key[0] for key in deltas})),
                ("user_id", "in", list({key[1] for key in deltas})),
                ("company_id", "in", list({key[2] for key in deltas})),
                # = ANY(ARRAY(...)), not IN (...): indexable inside the OR (BitmapOr);
                # "IN (subquery)" made PostgreSQL scan the whole table per impression
                ("id", "=", SQL("ANY(ARRAY%s)", self._empathy_scale_rows_query(deltas))),
            ],
            [
                "partner_id",
                "user_id",
                "company_id",
                "impression_count",
                "last_date",
                "advisor_mean",
                "team_mean",
                *STATE_FIELDS,
            ],
        )
        rows = fetched.filtered(
            lambda r: (r.partner_id.id, r.user_id.id, r.company_id.id) in deltas
        )
        by_key = {(r.partner_id.id, r.user_id.id, r.company_id.id): r for r in rows}
        to_create, to_unlink = [], self.sudo().browse()
        new_values = {}
        for key in sorted(deltas):
            changes_of_key = deltas[key]
            row = by_key.get(key)
            state = row._empathy_state() if row else self._empathy_empty_state()
            for sign, snap in changes_of_key:
                state = self._empathy_add(state, snap, sign, half_life)
            if state["impression_count"] <= 0:
                if row:
                    to_unlink |= row
                continue
            new_values[key] = self._empathy_values(state)
        # the fair score: exact per pair, with the advisor's scale of the last refresh
        scales = self._empathy_scales(new_values, fetched)
        shrinkage = self._empathy_shrinkage()
        for key, vals in new_values.items():
            advisor_mean, team_mean = scales[key[1], key[2]]
            vals.update(
                advisor_mean=advisor_mean,
                team_mean=team_mean,
                fair_score=fair_score(
                    vals["score"], vals["impression_count"], advisor_mean, team_mean, shrinkage
                ),
            )
            row = by_key.get(key)
            if row:
                row.write(vals)
            else:
                to_create.append(dict(vals, partner_id=key[0], user_id=key[1], company_id=key[2]))
        to_unlink.unlink()
        if to_create:
            self.sudo().create(to_create)
        (rows - to_unlink)._empathy_fix_last_dates()
        self.env["res.partner"].browse({key[0] for key in deltas})._empathy_refresh_rapport()

    @api.model
    def _empathy_lock_rows(self, keys):
        """Lock the partners of ``keys`` (in id order), then create missing rows.

        Appliers of the same customer run one after the other: the next one's
        statements start after the previous commit (READ COMMITTED), so they read
        its rapport rows and compute the partner's aggregates from them, never from
        a stale snapshot. A row created by both is created once (ON CONFLICT).
        """
        partners, users, companies = (list(column) for column in zip(*keys, strict=True))
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                sorted(set(partners)),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO empathy_rapport (partner_id, user_id, company_id,
                                             impression_count, score)
                SELECT p, u, c, 0, 0
                  FROM unnest(%s::int[], %s::int[], %s::int[]) AS k(p, u, c)
                 ORDER BY p, u, c
                    ON CONFLICT (partner_id, user_id, company_id) DO NOTHING
                """,
                partners,
                users,
                companies,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id FROM empathy_rapport r
                  JOIN unnest(%s::int[], %s::int[], %s::int[]) AS k(p, u, c)
                    ON r.partner_id = k.p AND r.user_id = k.u AND r.company_id = k.c
              ORDER BY r.partner_id, r.user_id, r.company_id
                   FOR UPDATE OF r
                """,
                partners,
                users,
                companies,
            )
        )

    @api.model
    def _cron_empathy_process_queue(self):
        """Apply what a crash between a commit and its deferred refresh left queued."""
        self.sudo()._empathy_process_queue()

    @api.model
    def _empathy_shrinkage(self):
        """Return k: how many pseudo-impressions of "no difference" the fair score adds."""
        return get_int_param(self.env, SHRINKAGE_PARAM, DEFAULT_SHRINKAGE, minimum=0)

    @api.model
    def _empathy_scale_rows_query(self, keys):
        """Return SQL selecting a row per advisor and company, and per company, of ``keys``
        ((partner, advisor, company) tuples) that carries the last refresh's scales.

        Index lookups with LIMIT 1: constant cost whatever the number of pairs.
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
            # rows with impressions carry the scales (set by every apply and refresh);
            # an empty row created by _empathy_lock_rows does not (NULL reads as 0.0)
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

    @api.model
    def _empathy_empty_state(self):
        return {
            "weight_ref": False,
            "sum_w": 0.0,
            "sum_wr": 0.0,
            "sum_w_short": 0.0,
            "sum_wr_short": 0.0,
            "impression_count": 0,
            "last_date": False,
        }

    def _empathy_state(self):
        self.ensure_one()
        return {
            "weight_ref": self.weight_ref,
            "sum_w": self.sum_w,
            "sum_wr": self.sum_wr,
            "sum_w_short": self.sum_w_short,
            "sum_wr_short": self.sum_wr_short,
            "impression_count": self.impression_count,
            "last_date": self.last_date,
        }

    @api.model
    def _empathy_add(self, state, snap, sign, half_life):
        """Return ``state`` with one impression added (sign=1) or removed (sign=-1)."""
        state = dict(state)
        date = snap["date"]
        if not state["weight_ref"] or state["impression_count"] <= 0:
            state.update(self._empathy_empty_state(), weight_ref=date)
        exponent = self._empathy_exponent(date, state["weight_ref"], half_life)
        if exponent > REBASE_LIMIT:
            # move the reference to this newer impression: shrink the sums in O(1)
            factor = 2.0 ** (-exponent)
            for key in ("sum_w", "sum_wr"):
                state[key] *= factor
            for key in ("sum_w_short", "sum_wr_short"):
                state[key] *= factor**TREND_FACTOR
            state["weight_ref"] = date
            exponent = 0.0
        weight = 2.0**exponent
        weight_short = 2.0 ** (exponent * TREND_FACTOR)
        state["sum_w"] += sign * weight
        state["sum_wr"] += sign * weight * snap["rapport"]
        state["sum_w_short"] += sign * weight_short
        state["sum_wr_short"] += sign * weight_short * snap["rapport"]
        state["impression_count"] += sign
        if sign > 0:
            if not state["last_date"] or date > state["last_date"]:
                state["last_date"] = date
        elif state["last_date"] and date >= state["last_date"]:
            state["last_date"] = None  # unknown: re-read from the impressions
        return state

    def _empathy_values(self, state):
        score = state["sum_wr"] / state["sum_w"] if state["sum_w"] > 0 else None
        short = state["sum_wr_short"] / state["sum_w_short"] if state["sum_w_short"] > 0 else None
        if score is not None:
            score = min(5.0, max(1.0, score))
        vals = {
            key: state[key]
            for key in ("weight_ref", "sum_w", "sum_wr", "sum_w_short", "sum_wr_short")
        }
        vals.update(
            impression_count=state["impression_count"],
            score=score or 0.0,
            trend=self._empathy_trend(score, short),
        )
        vals["last_date"] = state["last_date"] or False
        return vals

    def _empathy_fix_last_dates(self):
        """Re-read last_date where a deletion removed the newest impression."""
        missing = self.filtered(lambda r: not r.last_date)
        if not missing:
            return
        groups = (
            self.env["empathy.impression"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", missing.partner_id.ids),
                    ("user_id", "in", missing.user_id.ids),
                    ("company_id", "in", missing.company_id.ids),
                ],
                ["partner_id", "user_id", "company_id"],
                ["date:max"],
            )
        )
        last = {(p.id, u.id, c.id): d for p, u, c, d in groups}
        for row in missing:
            row.last_date = last.get((row.partner_id.id, row.user_id.id, row.company_id.id))

    # ------------------------------------------------------------------
    # full recompute (data repair, tests, benchmarks)
    # ------------------------------------------------------------------
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

    @api.model
    def action_recompute_all(self):
        """Rebuild every rapport row and partner aggregate from the impressions."""
        self._empathy_check_manager()
        # queued changes are part of the impressions read below: drop them first
        self.env.cr.execute("DELETE FROM empathy_rapport_queue")
        impressions = self.env["empathy.impression"].sudo().search([])  # pylint: disable=no-search-all
        values = self._empathy_compute_from_scratch(impressions)
        self.sudo().search([]).unlink()  # pylint: disable=no-search-all
        self.sudo().create(
            [
                dict(vals, partner_id=key[0], user_id=key[1], company_id=key[2])
                for key, vals in values.items()
            ]
        )
        # partners with aggregates in any company, and those with impressions
        self.env["res.partner"].flush_model(["empathy_best_advisor_id"])
        self.env.cr.execute("SELECT id FROM res_partner WHERE empathy_best_advisor_id IS NOT NULL")
        ids = {row[0] for row in self.env.cr.fetchall()} | set(impressions.partner_id.ids)
        self.env["res.partner"].sudo().browse(ids)._empathy_refresh_rapport()
        return True

    def _empathy_check_manager(self):
        if not self.env.user.has_group(EMPATHY_MANAGER_GROUP):
            raise AccessError(self.env._("Only empathy managers can recompute the rapport."))

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
                       fair_score = greatest(1.0, least(5.0,
                           m.team_mean + r.impression_count::float8
                               / (r.impression_count + %(k)s::float8)
                               * (r.score - m.advisor_mean)))
                  FROM moved m
                 WHERE r.user_id = m.user_id AND r.company_id = m.company_id
             RETURNING r.partner_id
                """,
                threshold=threshold,
                k=float(self._empathy_shrinkage()),
            )
        )
        count = self.env.cr.rowcount
        partner_ids = sorted({row[0] for row in self.env.cr.fetchall()})
        self.invalidate_model(["advisor_mean", "team_mean", "fair_score"])
        if refresh_partners:
            Partner = self.env["res.partner"].sudo()
            for start in range(0, len(partner_ids), PARTNER_CHUNK):
                Partner.browse(
                    partner_ids[start : start + PARTNER_CHUNK]
                )._empathy_refresh_rapport()
        return count

    # ------------------------------------------------------------------
    # explanation
    # ------------------------------------------------------------------
    @api.depends_context("lang")
    @api.depends(
        "fair_score",
        "score",
        "advisor_mean",
        "team_mean",
        "impression_count",
        "user_id",
        "partner_id",
    )
    def _compute_fair_explanation(self):
        for row in self:
            row.fair_explanation = row._empathy_fair_explanation()

    def _empathy_fair_explanation(self):
        """Say how the fair score came about, in one or two sentences."""
        self.ensure_one()
        if not self.impression_count:
            return False
        leniency = self.advisor_mean - self.team_mean
        advisor = self.user_id.name
        if leniency >= 0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff).1f stars above the team on average",
                advisor=advisor,
                diff=leniency,
            )
        elif leniency <= -0.05:
            scale = self.env._(
                "%(advisor)s rates %(diff).1f stars below the team on average",
                advisor=advisor,
                diff=-leniency,
            )
        else:
            scale = self.env._("%(advisor)s rates like the team on average", advisor=advisor)
        if self.impression_count == 1:
            text = self.env._(
                "%(scale)s; adjusted for that, the rapport with %(customer)s is %(fair).1f"
                " (own ratings %(raw).1f, from one impression).",
                scale=scale,
                customer=self.partner_id.name,
                fair=self.fair_score,
                raw=self.score,
            )
        else:
            text = self.env._(
                "%(scale)s; adjusted for that, the rapport with %(customer)s is %(fair).1f"
                " (own ratings %(raw).1f, from %(count)s impressions).",
                scale=scale,
                customer=self.partner_id.name,
                fair=self.fair_score,
                raw=self.score,
                count=self.impression_count,
            )
        if self.impression_count < UNCERTAIN_BELOW:
            text += " " + self.env._(
                "Few impressions: uncertain, so it stays close to the team average."
            )
        return text
