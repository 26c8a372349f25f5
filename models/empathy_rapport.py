# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .empathy_params import protect_advisor_groups

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


class EmpathyRapport(models.Model):
    _name = "empathy.rapport"
    _description = "Advisor-Customer Rapport"
    _order = "score desc, impression_count desc, last_date desc, id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one(
        "res.users", string="Advisor", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    score = fields.Float(aggregator="avg", help="Recency-weighted mean rapport, 1 to 5.")
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
        if not self.env.su and not self.env.user.has_group("empathic_crm.group_empathy_manager"):
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
        specs = [groupby] if isinstance(groupby, str) else list(groupby or ())
        specs = specs[:1] if lazy else specs
        orderby = protect_advisor_groups(self, None, specs, orderby)
        groups = super().read_group(
            domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
        )
        protect_advisor_groups(self, groups, specs, orderby)
        return groups

    def init(self):
        # "my customers where I click": index-only lookups by advisor and score
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS empathy_rapport_user_score_idx"
            " ON empathy_rapport (user_id, score, partner_id)"
        )

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

    # ------------------------------------------------------------------
    # incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    def _empathy_apply(self, added=(), removed=()):
        """Add/remove impression snapshots to the rapport rows and refresh the partners.

        Costs a constant number of queries per (partner, advisor, company) pair
        touched, whatever the number of impressions already recorded.
        """
        deltas = defaultdict(list)
        for sign, snapshots in ((1, added), (-1, removed)):
            for snap in snapshots:
                key = (snap["partner_id"], snap["user_id"], snap["company_id"])
                deltas[key].append((sign, snap))
        if not deltas:
            return
        half_life = self._empathy_half_life()
        self.env.flush_all()
        rows = self.sudo().search_fetch(
            [
                ("partner_id", "in", list({key[0] for key in deltas})),
                ("user_id", "in", list({key[1] for key in deltas})),
                ("company_id", "in", list({key[2] for key in deltas})),
            ],
            ["partner_id", "user_id", "company_id", "impression_count", "last_date", *STATE_FIELDS],
        )
        by_key = {(r.partner_id.id, r.user_id.id, r.company_id.id): r for r in rows}
        to_create, to_unlink = [], self.sudo().browse()
        for key, changes in deltas.items():
            row = by_key.get(key)
            state = row._empathy_state() if row else self._empathy_empty_state()
            for sign, snap in changes:
                state = self._empathy_add(state, snap, sign, half_life)
            if state["impression_count"] <= 0:
                if row:
                    to_unlink |= row
                continue
            vals = self._empathy_values(state)
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
    # full recompute (data repair, tests, benchmarks)
    # ------------------------------------------------------------------
    @api.model
    def _empathy_compute_from_scratch(self, impressions):
        """Return {(partner, user, company): values} recomputed from ``impressions``."""
        half_life = self._empathy_half_life()
        states = {}
        for imp in impressions.sorted("date"):
            key = (imp.partner_id.id, imp.user_id.id, imp.company_id.id)
            snap = {"date": imp.date, "rapport": imp.rapport}
            states[key] = self._empathy_add(
                states.get(key, self._empathy_empty_state()), snap, 1, half_life
            )
        return {key: self._empathy_values(state) for key, state in states.items()}

    @api.model
    def action_recompute_all(self):
        """Rebuild every rapport row and partner aggregate from the impressions."""
        if not self.env.user.has_group("empathic_crm.group_empathy_manager"):
            raise AccessError(self.env._("Only empathy managers can recompute the rapport."))
        impressions = self.env["empathy.impression"].sudo().search([])  # pylint: disable=no-search-all
        values = self._empathy_compute_from_scratch(impressions)
        self.sudo().search([]).unlink()  # pylint: disable=no-search-all
        self.sudo().create(
            [
                dict(vals, partner_id=key[0], user_id=key[1], company_id=key[2])
                for key, vals in values.items()
            ]
        )
        partners = (
            self.env["res.partner"]
            .sudo()
            .search(
                [
                    "|",
                    ("empathy_best_advisor_id", "!=", False),
                    ("id", "in", impressions.partner_id.ids),
                ]
            )
        )
        partners._empathy_refresh_rapport()
        return True
