# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The rapport of an advisor with a customer, per company: fields and incremental upkeep.

``score`` is the recency-weighted mean of the advisor's rapport ratings of the
customer. An impression's weight is 2 ** ((date - reference) / half_life); sums are
kept relative to a per-row reference date, which makes the recency-weighted mean exact
and updatable in O(1) as impressions are added, changed or removed
(``_empathy_apply``): the common factor 2 ** (-(now - reference) / half_life) cancels
out of sum(w * r) / sum(w).

Writers of pairs call ``_empathy_pairs_changed`` with the pairs' states before and
after: the one extension point of the upkeep (the rapport by kind of customer listens
in ``empathy_kind_rapport_upkeep.py``).

The other concerns of ``empathy.rapport``: ``empathy_rapport_deferred.py`` (applying
the queued changes after a request's commit, the cron), ``empathy_rapport_queue.py``
(the queue, taken per customer under its lock), ``empathy_rapport_fair.py`` (the
advisors' rating scales of the fair score), ``empathy_rapport_explanation.py``,
``empathy_rapport_recompute.py`` (the scheduled, set-based rebuild) and
``empathy_rapport_access.py``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..tools import compat, params
from ..tools.fair import fair_score
from ..tools.vocabulary import MOOD_TRENDS

REBASE_LIMIT = 48.0  # rebase before 2 ** (exponent * TREND_FACTOR) leaves float range
#: the trend compares a short-memory mean (half-life / TREND_FACTOR) with the score
TREND_FACTOR = 4.0
TREND_THRESHOLD = 0.25
STATE_FIELDS = ("weight_ref", "sum_w", "sum_wr", "sum_w_short", "sum_wr_short")
#: the other values of a pair written by ``_empathy_write_pairs``
PAIR_FIELDS = (
    "impression_count",
    "score",
    "trend",
    "last_date",
    "advisor_mean",
    "team_mean",
    "fair_score",
)


@compat.sql_constraints(
    (
        "partner_user_company_uniq",
        "unique (partner_id, user_id, company_id)",
        "There is one rapport per customer, advisor and company.",
    ),
)
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
        MOOD_TRENDS,
        help="Recent impressions compared with the long-term score.",
    )
    # technical aggregates (see module docstring)
    half_life = fields.Float(
        string="Weights' half-life (days)",
        readonly=True,
        help="The half-life the row's weights were computed with: a row with another one"
        " (-1: a rebuild was asked for) waits for the scheduled rebuild.",
    )
    weight_ref = fields.Datetime(string="Weight reference", readonly=True)
    sum_w = fields.Float(readonly=True)
    sum_wr = fields.Float(readonly=True)
    sum_w_short = fields.Float(readonly=True)
    sum_wr_short = fields.Float(readonly=True)
    # the advisor's rating scale, refreshed in bulk (_empathy_refresh_scales)
    advisor_mean = fields.Float(
        string="Advisor's average",
        readonly=True,
        aggregator="avg",
        help="The advisor's mean rapport over all their customers in this company.",
    )
    team_mean = fields.Float(
        string="Team average",
        readonly=True,
        aggregator="avg",
        help="The mean rapport of all advisors and customers of this company.",
    )

    def init(self):
        # "my customers where I click": index-only lookups by advisor and fair score
        # (the raw score's index of earlier versions: dropped by migrations/18.0.1.4.0)
        create_index(
            self.env.cr,
            "empathy_rapport_user_fair_score_idx",
            self._table,
            ["user_id", "fair_score", "partner_id"],
        )
        # the customers waiting for the scheduled rebuild (empathy_rapport_recompute.py)
        create_index(
            self.env.cr,
            "empathy_rapport_rebuild_pending_idx",
            self._table,
            ["partner_id"],
            where="half_life < 0",
        )
        # rows from before the fair score (module update): fill them once, set-based
        # (a read-only probe of the table during ``init``, as the system: nothing
        # to flush, no rule; an ORM ``search(limit=1)`` would run the same query)
        self.env.cr.execute("SELECT 1 FROM empathy_rapport WHERE advisor_mean IS NULL LIMIT 1")
        if self.env.cr.fetchone():
            self._empathy_refresh_scales()
        # rows from before the half-life was kept per row: computed with the setting
        # (one statement as the system during ``init``: nothing cached or to flush yet)
        self.env.cr.execute(
            SQL(
                "UPDATE empathy_rapport SET half_life = %s WHERE half_life IS NULL",
                self._empathy_half_life(),
            )
        )

    # ------------------------------------------------------------------
    # math
    # ------------------------------------------------------------------
    @api.model
    def _empathy_half_life(self):
        """Return the half-life of an impression's weight, in days."""
        return float(params.get(self.env, params.HALF_LIFE))

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
        """Return the SQL order that ranks the advisors of a customer, best first.

        An ``ORDER BY`` fragment of ``res.partner._empathy_refresh_rapport``'s
        statement (whose docstring lists what it takes over).
        """
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
        sent) a short transaction of its own applies the queued changes of the
        request's customers, waiting for other appliers of the same customers
        instead of failing. Elsewhere (cron, shell,
        tests) the changes are applied at once, in the same transaction. A cron
        applies what a crash left queued.
        """
        rows = [(1, snap) for snap in added] + [(-1, snap) for snap in removed]
        if not rows:
            return
        if self._empathy_defer():
            self.env["empathy.rapport.queue"]._empathy_enqueue(rows)
            self._empathy_apply_after_commit({snap["partner_id"] for _sign, snap in rows})
        else:
            self._empathy_apply_now(rows)

    @api.model
    def _empathy_apply_now(self, changes):
        """Apply [(sign, snapshot)] to the rapport rows and refresh the partners.

        Where appliers run concurrently (the queue), the caller holds the customers'
        locks (``empathy.rapport.queue._empathy_take``): a customer's changes are
        applied in their order, and the states read here are the latest. Costs a
        constant number of queries (three, and one for a newest impression removed)
        whatever the history: read the pairs, write them with what listens to them
        (``_empathy_pairs_changed``), refresh the customers.
        """
        deltas = defaultdict(list)
        for sign, snap in changes:
            key = (snap["partner_id"], snap["user_id"], snap["company_id"])
            deltas[key].append((sign, snap))
        if not deltas:
            return
        half_life = self._empathy_half_life()
        self.env.flush_all()
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
                compat.any_array_condition("id", self._empathy_scale_rows_query(deltas)),
            ],
            [
                "partner_id",
                "user_id",
                "company_id",
                "impression_count",
                "last_date",
                "score",
                "advisor_mean",
                "team_mean",
                *STATE_FIELDS,
            ],
        )
        by_key = {
            key: row
            for row in fetched
            if (key := (row.partner_id.id, row.user_id.id, row.company_id.id)) in deltas
        }
        before = {
            key: (row.score, row.impression_count)
            for key, row in by_key.items()
            if row.impression_count > 0
        }
        new_values, gone = {}, self.sudo().browse()
        for key in sorted(deltas):
            row = by_key.get(key)
            state = row._empathy_state() if row else self._empathy_empty_state()
            for sign, snap in deltas[key]:
                state = self._empathy_add(state, snap, sign, half_life)
            if state["impression_count"] > 0:
                new_values[key] = self._empathy_values(state)
            elif row:
                gone |= row
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
        self._empathy_fill_last_dates(new_values)
        after = {key: (vals["score"], vals["impression_count"]) for key, vals in new_values.items()}
        self._empathy_write_pairs(new_values, gone, self._empathy_pairs_changed(before, after))
        self.env["res.partner"].browse({key[0] for key in deltas})._empathy_refresh_rapport()

    @api.model
    def _empathy_pairs_changed(self, before, after):
        """Extension point: the pairs of ``before`` and ``after`` are about to change.

        ``before``/``after``: {(partner, advisor, company): (score, impressions)} of
        the pairs changed, before and after (a pair without impressions is absent).
        Called by every writer of pairs (``_empathy_apply_now``, the rebuild), once
        per change, under the locks of the customers concerned where appliers run
        concurrently. Return a list of ``(name, SQL)``: data-modifying statements
        that keep something in step with the pairs, run as common table expressions
        of the statement that writes the pairs (one round trip; they see the
        database as it was before that statement). Nothing by default; the rapport
        by kind of customer listens (``empathy_kind_rapport_upkeep.py``).
        """
        return []

    @api.model
    def _empathy_fill_last_dates(self, new_values):
        """Re-read ``last_date`` of the pairs whose newest impression was removed (1 query,
        none when no newest impression was removed)."""
        missing = [key for key, vals in new_values.items() if not vals["last_date"]]
        if not missing:
            return
        groups = (
            self.env["empathy.impression"]
            .sudo()
            ._read_group(
                [
                    ("partner_id", "in", list({key[0] for key in missing})),
                    ("user_id", "in", list({key[1] for key in missing})),
                    ("company_id", "in", list({key[2] for key in missing})),
                ],
                ["partner_id", "user_id", "company_id"],
                ["date:max"],
            )
        )
        last = {(p.id, u.id, c.id): date for p, u, c, date in groups}
        for key in missing:
            new_values[key]["last_date"] = last.get(key) or False

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

    # ------------------------------------------------------------------
    # Raw SQL (rapport maintenance under concurrency): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_lock_partners(self, partner_ids, skip_locked=False):
        """Lock these customers' rows, in id order (raw SQL: ``FOR NO KEY UPDATE``);
        return the ids locked (all of them, unless ``skip_locked``).

        The one lock that serialises everyone who moves a customer's rapport: the
        queue's appliers (``empathy.rapport.queue._empathy_take``) and a change of the
        customer's kind (``res.partner.write``), so that neither reads the other's
        state half-done, and a customer's changes are applied in their order. The ORM
        has no row lock; nothing is written (no flush, cache or rule involved: the
        system's lock, taken for the ids given).
        """
        if not partner_ids:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE%s",
                sorted(set(partner_ids)),
                SQL(" SKIP LOCKED") if skip_locked else SQL(),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _empathy_write_pairs(self, values, gone, parts=(), rebuilt=False):
        """Write the pairs' new ``values`` ({(partner, advisor, company): values}) and
        delete the ``gone`` rows, in one statement with the ``parts`` of the listeners
        of ``_empathy_pairs_changed`` (common table expressions: one round trip).
        New rows are computed with the current half-life; a row updated keeps the one
        it was computed with (waiting for the scheduled rebuild if it differs) unless
        ``rebuilt`` (the values were computed from all its impressions).

        Raw SQL instead of ``write``, ``create`` and ``unlink``: they would take a
        statement each, and the listeners one more each. It takes over:

        * flush: done by ``_empathy_apply_now`` before it read the rows (the values
          come from that read); no ORM write of rapport rows is pending;
        * create/write columns: ``create_uid``/``create_date`` of new rows,
          ``write_uid``/``write_date`` of all, as ``create``/``write`` set them (the
          applier's uid, the transaction's UTC time);
        * cache and ``modified()``: the rows written or deleted are invalidated
          (their only dependent, the non-stored fair explanation, with them), and the
          customers' ``empathy_rapport_ids``; no stored field depends on them (the
          customers' aggregates are refreshed next, ``_empathy_refresh_rapport``);
        * ``unlink``'s clean-up: rapport rows have no xml id, attachment, default or
          property, and no table references them;
        * record rules and companies: none, as the system (the keys are the
          impressions' own: partner, advisor, company);
        * uniqueness: ``ON CONFLICT`` on the pair's unique constraint. Concurrent
          appliers of a customer are serialised by its lock (read committed: the row
          read is the latest); elsewhere (repeatable read) a row created since the
          snapshot raises a serialization failure, retried;
        * speed: recording an impression takes 6 queries and completing an activity
          with one 20 (core: 16), the rapport by kind of customer included; with a
          statement per write and per listener they took 10 and 24
          (benchmarks/README.md).
        """
        keys = sorted(values)
        column = {
            name: [values[key][name] for key in keys] for name in (*STATE_FIELDS, *PAIR_FIELDS)
        }
        statement = cte_statement(
            [
                (
                    "pairs_gone",
                    SQL("DELETE FROM empathy_rapport WHERE id = ANY(%s) RETURNING id", gone.ids),
                ),
                (
                    "pairs_written",
                    SQL(
                        """
                INSERT INTO empathy_rapport AS r
                       (partner_id, user_id, company_id, weight_ref, sum_w, sum_wr,
                        sum_w_short, sum_wr_short, impression_count, score, trend, last_date,
                        advisor_mean, team_mean, fair_score, half_life,
                        create_uid, create_date, write_uid, write_date)
                SELECT v.*, %(half_life)s,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM unnest(%(p)s::int[], %(u)s::int[], %(c)s::int[], %(ref)s::timestamp[],
                              %(w)s::float8[], %(wr)s::float8[], %(ws)s::float8[],
                              %(wrs)s::float8[], %(n)s::int[], %(score)s::float8[],
                              %(trend)s::varchar[], %(last)s::timestamp[], %(am)s::float8[],
                              %(tm)s::float8[], %(fair)s::float8[]) AS v
              ORDER BY 1, 2, 3
                    ON CONFLICT (partner_id, user_id, company_id) DO UPDATE
                   SET weight_ref = EXCLUDED.weight_ref, sum_w = EXCLUDED.sum_w,
                       sum_wr = EXCLUDED.sum_wr, sum_w_short = EXCLUDED.sum_w_short,
                       sum_wr_short = EXCLUDED.sum_wr_short,
                       impression_count = EXCLUDED.impression_count, score = EXCLUDED.score,
                       trend = EXCLUDED.trend, last_date = EXCLUDED.last_date,
                       advisor_mean = EXCLUDED.advisor_mean, team_mean = EXCLUDED.team_mean,
                       fair_score = EXCLUDED.fair_score, %(half_life_kept)s
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
             RETURNING r.id
                        """,
                        uid=self.env.uid,
                        half_life=self._empathy_half_life(),
                        half_life_kept=SQL("half_life = EXCLUDED.half_life,") if rebuilt else SQL(),
                        p=[key[0] for key in keys],
                        u=[key[1] for key in keys],
                        c=[key[2] for key in keys],
                        ref=column["weight_ref"],
                        w=column["sum_w"],
                        wr=column["sum_wr"],
                        ws=column["sum_w_short"],
                        wrs=column["sum_wr_short"],
                        n=column["impression_count"],
                        score=column["score"],
                        trend=[trend or None for trend in column["trend"]],
                        last=[date or None for date in column["last_date"]],
                        am=column["advisor_mean"],
                        tm=column["team_mean"],
                        fair=column["fair_score"],
                    ),
                ),
                *parts,
            ],
            SQL("SELECT id FROM pairs_written"),
        )
        partners = {key[0] for key in keys} | set(gone.partner_id.ids)
        self.env.cr.execute(statement)
        written = self.browse(row[0] for row in self.env.cr.fetchall())
        (written | gone).invalidate_recordset()
        self.env["res.partner"].browse(partners).invalidate_recordset(["empathy_rapport_ids"])
        return written


def cte_statement(parts, main):
    """Return ``WITH name AS (part), ... main``: data-modifying statements run as one
    (``parts``: [(name, SQL)]; each sees the database as it was before the statement,
    and the ``RETURNING`` rows of the parts named before it)."""
    return SQL(
        "WITH %s %s",
        SQL(", ").join(SQL("%s AS (%s)", SQL.identifier(name), part) for name, part in parts),
        main,
    )
