# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The rapport of an advisor with a customer, per company: fields and incremental upkeep.

``score`` is the recency-weighted mean of the advisor's rapport ratings of the
customer. An impression's weight is 2 ** ((date - reference) / half_life); sums are
kept relative to a per-row reference date, which makes the recency-weighted mean exact
and updatable in O(1) as impressions are added, changed or removed
(``_empathy_apply``): the common factor 2 ** (-(now - reference) / half_life) cancels
out of sum(w * r) / sum(w).

The other concerns of ``empathy.rapport``: ``empathy_rapport_deferred.py`` (applying
the changes after a request's commit), ``empathy_rapport_fair.py`` (the advisors'
rating scales of the fair score), ``empathy_rapport_explanation.py``,
``empathy_rapport_recompute.py`` and ``empathy_rapport_access.py``.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..tools import params
from ..tools.vocabulary import MOOD_TRENDS
from .empathy_fair import fair_score

REBASE_LIMIT = 48.0  # rebase before 2 ** (exponent * TREND_FACTOR) leaves float range
#: the trend compares a short-memory mean (half-life / TREND_FACTOR) with the score
TREND_FACTOR = 4.0
TREND_THRESHOLD = 0.25
STATE_FIELDS = ("weight_ref", "sum_w", "sum_wr", "sum_w_short", "sum_wr_short")


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

    def init(self):
        # "my customers where I click": index-only lookups by advisor and fair score
        # (the raw score's index of earlier versions: dropped by migrations/18.0.1.4.0)
        create_index(
            self.env.cr,
            "empathy_rapport_user_fair_score_idx",
            self._table,
            ["user_id", "fair_score", "partner_id"],
        )
        # rows from before the fair score (module update): fill them once, set-based
        # (a read-only probe of the table during ``init``, as the system: nothing
        # to flush, no rule; an ORM ``search(limit=1)`` would run the same query)
        self.env.cr.execute("SELECT 1 FROM empathy_rapport WHERE advisor_mean IS NULL LIMIT 1")
        if self.env.cr.fetchone():
            self._empathy_refresh_scales()

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
    # Raw SQL (rapport maintenance under concurrency): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    @api.model
    def _empathy_lock_partners(self, partner_ids):
        """Lock these customers' rows, in id order (raw SQL: ``FOR NO KEY UPDATE``).

        The one lock that serialises everyone who moves a customer's rapport: the
        queue's appliers (``_empathy_lock_rows``) and a change of the customer's kind
        (``res.partner.write``), so that neither reads the other's state half-done.
        """
        if partner_ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE",
                    sorted(set(partner_ids)),
                )
            )

    def _empathy_lock_rows(self, keys):
        """Lock the partners of ``keys`` (in id order), then create missing rows.

        Appliers of the same customer run one after the other: the next one's
        statements start after the previous commit (READ COMMITTED), so they read
        its rapport rows and compute the partner's aggregates from them, never from
        a stale snapshot. A row created by both is created once (ON CONFLICT).

        Raw SQL, three statements: the ORM has no ``FOR NO KEY UPDATE`` / ``FOR
        UPDATE`` and no ``INSERT ... ON CONFLICT DO NOTHING`` (``create`` would fail
        on the unique pair when a concurrent applier created it first). Takes over:

        * flush: none needed, ``_empathy_apply_now`` flushed everything before;
        * create/write columns: set like ``create`` does (the transaction's UTC
          time, the applier's uid); the values are written through the ORM next
          (``row.write``), which sets write_date/write_uid again;
        * cache and ``modified()``: nothing cached yet (the rows are fetched by
          ``search_fetch`` right after); no stored compute depends on an empty
          row's values (impression count 0: the fair explanation is empty);
        * record rules and companies: none, the system's applier (superuser) of
          the queue, the keys are the impressions' own (partner, advisor, company);
        * speed: it is what keeps a sales team's intake conflict-free: 16 clients
          on 20 shared customers, 0 rows rejected, 114-146 impressions/s
          (benchmarks/README.md, *Concurrent intake*).
        """
        partners, users, companies = (list(column) for column in zip(*keys, strict=True))
        self._empathy_lock_partners(partners)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO empathy_rapport (partner_id, user_id, company_id,
                                             impression_count, score,
                                             create_uid, create_date, write_uid, write_date)
                SELECT p, u, c, 0, 0,
                       %s, now() AT TIME ZONE 'UTC', %s, now() AT TIME ZONE 'UTC'
                  FROM unnest(%s::int[], %s::int[], %s::int[]) AS k(p, u, c)
                 ORDER BY p, u, c
                    ON CONFLICT (partner_id, user_id, company_id) DO NOTHING
                """,
                self.env.uid,
                self.env.uid,
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
