# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport by kind of customer: per advisor, company and trait value, learnt incrementally.

One row per (advisor, company, trait, value): how many customers of that kind the
advisor has rapport with, their impressions, and the sum (and sum of squares) of the
pair means (``empathy.rapport.score``). The trait ``all`` holds the advisor's totals
over every customer: its mean is the advisor's own mean, which the kind effect
subtracts (leniency removed as ``fair_score`` removes it; see ``empathy_matching``).

The rows are statistics maintained in raw SQL, never through the ORM:

- ``_empathy_add_deltas`` adds the changes of the touched pairs in one
  ``INSERT ... ON CONFLICT DO UPDATE`` (the UNIQUE constraint makes it safe under
  concurrency: no check-then-insert), then rewrites the fair effects of the advisors
  concerned in one ``UPDATE``;
- ``_empathy_rebuild`` recomputes every row from ``empathy_rapport`` joined with the
  customers' traits in one ``INSERT ... SELECT``.

Customers who object to profiling (or whose company objects) count nowhere: nothing
empathy-based is learnt from them.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .empathy_impression import CHANNELS, COMMUNICATION_STYLES
from .empathy_matching import ALL
from .empathy_params import protected_read_group

MANAGER_GROUP = "empathic_crm.group_empathy_manager"
TEMPERAMENTS = [("easy", "Easy-going"), ("neutral", "Neutral"), ("demanding", "Demanding")]
PREFERRED_CHANNELS = [
    c for c in CHANNELS if c[0] in ("phone", "email", "meeting", "video", "chat", "letter")
]
TRAIT_SELECTION = [
    ("style", "Communication style"),
    ("temperament", "Temperament"),
    ("motive", "Purchase motive"),
    ("value", "Value"),
    ("channel", "Preferred channel"),
    (ALL, "All customers"),
]
#: the typed column that names a row's trait value (for grouping with readable labels)
TYPED_COLUMNS = {
    "style": "communication_style",
    "temperament": "temperament",
    "motive": "motive_id",
    "value": "value_id",
    "channel": "channel",
}
#: grouping by one of these describes fit (advisor x kind), not an advisor's level
KIND_GROUPBYS = ("trait", "value", *TYPED_COLUMNS.values())
#: the partner columns a kind of customer is made of (with motives and values)
PARTNER_TRAIT_FIELDS = (
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_objection",
    "commercial_partner_id",
)


class EmpathyKindRapport(models.Model):
    _name = "empathy.kind.rapport"
    _description = "Rapport by kind of customer"
    _order = "user_id, trait, value"
    _rec_name = "trait"

    user_id = fields.Many2one(
        "res.users", string="Advisor", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    trait = fields.Selection(
        TRAIT_SELECTION, string="Dimension", required=True, readonly=True, index=True
    )
    value = fields.Char(
        string="Key",
        required=True,
        readonly=True,
        help="Technical: the selection key or the record id of the trait value.",
    )
    communication_style = fields.Selection(
        COMMUNICATION_STYLES, string="Communication style", readonly=True
    )
    temperament = fields.Selection(TEMPERAMENTS, readonly=True)
    motive_id = fields.Many2one(
        "empathy.motive", string="Purchase motive", readonly=True, ondelete="cascade"
    )
    value_id = fields.Many2one("empathy.value", readonly=True, ondelete="cascade")
    channel = fields.Selection(PREFERRED_CHANNELS, string="Preferred channel", readonly=True)
    pair_count = fields.Integer(
        string="Customers",
        readonly=True,
        help="Customers of this kind with whom the advisor has rapport (impressions).",
    )
    impression_count = fields.Integer(string="Impressions", readonly=True)
    sum_score = fields.Float(string="Sum of pair means", readonly=True, aggregator=None)
    sum_score_sq = fields.Float(string="Sum of squared pair means", readonly=True, aggregator=None)
    fair_effect = fields.Float(
        string="Fair deviation",
        readonly=True,
        aggregator="avg",
        digits=(3, 2),
        help="How much better (in stars) the advisor clicks with customers of this kind than"
        " with their other customers: their own rating scale removed, pulled toward 0 when"
        " there are few such customers. It describes fit, not performance.",
    )

    kind_label = fields.Char(string="Kind of customer", compute="_compute_kind_label")

    _sql_constraints = [
        (
            "user_company_trait_value_uniq",
            "unique (user_id, company_id, trait, value)",
            "There is one row per advisor, company and kind of customer.",
        ),
    ]

    @api.depends_context("lang")
    @api.depends("trait", "value")
    def _compute_kind_label(self):
        for row in self:
            if row.trait == ALL:
                row.kind_label = self.env._("All customers")
            elif row.trait in ("motive", "value"):
                row.kind_label = row[TYPED_COLUMNS[row.trait]].display_name
            else:
                column = self._fields[TYPED_COLUMNS[row.trait]]
                labels = dict(column._description_selection(self.env))
                row.kind_label = labels.get(row.value, row.value)

    def init(self):
        # rows from before this model (module update): fill them once, set-based
        self.env.cr.execute("SELECT 1 FROM empathy_kind_rapport LIMIT 1")
        if not self.env.cr.fetchone():
            self.env.cr.execute("SELECT 1 FROM empathy_rapport WHERE impression_count > 0 LIMIT 1")
            if self.env.cr.fetchone():
                self._empathy_rebuild()

    # ------------------------------------------------------------------
    # access: the report is for empathy managers (ACL); per-advisor figures
    # blanked with *Protect advisors* unless grouped by a kind
    # ------------------------------------------------------------------
    @api.model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        specs = [groupby] if isinstance(groupby, str) else list(groupby or ())
        if any(spec.split(":")[0] in KIND_GROUPBYS for spec in specs):
            return super().read_group(
                domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
            )
        return protected_read_group(
            self, super().read_group, domain, fields, groupby, offset, limit, orderby, lazy
        )

    @api.model
    def _empathy_check_manager(self):
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only empathy managers can rebuild the rapport by kind of customer.")
            )

    # ------------------------------------------------------------------
    # kinds of customers
    # ------------------------------------------------------------------
    @api.model
    def _empathy_partner_kinds(self, partner_ids, with_rapport=False):
        """Return {partner id: [(trait, value), ...]} (1 query), ``ALL`` included.

        Objecting customers (or of an objecting company) get no kind at all: they
        count nowhere. ``with_rapport``: only partners with rapport rows.
        """
        if not partner_ids:
            return {}
        self.env.cr.execute(self._empathy_partner_kinds_sql(partner_ids, with_rapport))
        return self._empathy_parse_kinds(self.env.cr.fetchall())

    @api.model
    def _empathy_partner_kinds_sql(self, partner_ids, with_rapport=False):
        """Return the query of the partners' traits (see ``_empathy_parse_kinds``)."""
        self.env["res.partner"].flush_model(PARTNER_TRAIT_FIELDS)
        # raw SQL: the trait columns are guarded by groups=, the caller may be anyone
        # whose action touches a pair (the statistics are the system's)
        return SQL(
            """
            SELECT p.id, p.empathy_communication_style, p.empathy_temperament,
                   p.empathy_preferred_channel,
                   COALESCE(p.empathy_objection, FALSE) OR COALESCE(cp.empathy_objection, FALSE),
                   ARRAY(SELECT m.motive_id FROM res_partner_empathy_motive_rel m
                          WHERE m.partner_id = p.id ORDER BY m.motive_id),
                   ARRAY(SELECT v.value_id FROM res_partner_empathy_value_rel v
                          WHERE v.partner_id = p.id ORDER BY v.value_id)
              FROM res_partner p
         LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE p.id = ANY(%s) %s
            """,
            sorted(set(partner_ids)),
            SQL(
                "AND EXISTS (SELECT 1 FROM empathy_rapport r WHERE r.partner_id = p.id"
                " AND r.impression_count > 0)"
            )
            if with_rapport
            else SQL(),
        )

    @api.model
    def _empathy_parse_kinds(self, rows):
        """Return {partner id: [(trait, value)]} from the rows of the traits' query."""
        kinds = {}
        for pid, style, temperament, channel, objecting, motives, values in rows:
            if objecting:
                kinds[pid] = []
                continue
            keys = [(ALL, "")]
            keys += [("style", style)] if style else []
            keys += [("temperament", temperament)] if temperament else []
            keys += [("channel", channel)] if channel else []
            keys += [("motive", str(motive)) for motive in motives]
            keys += [("value", str(value)) for value in values]
            kinds[pid] = keys
        return kinds

    @api.model
    def _empathy_pair_states_sql(self, keys):
        keys = sorted(keys)
        return SQL(
            """
            SELECT r.partner_id, r.user_id, r.company_id, r.score, r.impression_count
              FROM empathy_rapport r
              JOIN unnest(%s::int[], %s::int[], %s::int[]) AS k(p, u, c)
                ON r.partner_id = k.p AND r.user_id = k.u AND r.company_id = k.c
             WHERE r.impression_count > 0
            """,
            [key[0] for key in keys],
            [key[1] for key in keys],
            [key[2] for key in keys],
        )

    @api.model
    def _empathy_pair_states(self, keys):
        """Return {(partner, advisor, company): (pair mean, impressions)} of ``keys`` (1 query)."""
        if not keys:
            return {}
        self.env.cr.execute(self._empathy_pair_states_sql(keys))
        return {
            (p, u, c): (score or 0.0, count) for p, u, c, score, count in self.env.cr.fetchall()
        }

    @api.model
    def _empathy_pair_states_and_kinds(self, keys):
        """Return (``_empathy_pair_states(keys)``, the kinds of their partners) in 1 query."""
        if not keys:
            return {}, {}
        self.env.cr.execute(
            SQL(
                """
                SELECT NULL::int, NULL::int, NULL::int, NULL::float8, NULL::int, k.*
                  FROM (%s) k
             UNION ALL
                SELECT s.*, NULL::int, NULL::varchar, NULL::varchar, NULL::varchar, NULL::bool,
                       NULL::int[], NULL::int[]
                  FROM (%s) s
                """,
                self._empathy_partner_kinds_sql([key[0] for key in keys]),
                self._empathy_pair_states_sql(keys),
            )
        )
        states, kind_rows = {}, []
        for row in self.env.cr.fetchall():
            if row[0] is None:
                kind_rows.append(row[5:])
            else:
                states[row[0], row[1], row[2]] = (row[3] or 0.0, row[4])
        return states, self._empathy_parse_kinds(kind_rows)

    @api.model
    def _empathy_partner_pairs(self, partner_ids):
        """Return {(partner, advisor, company): (pair mean, impressions)} of partners (1 query)."""
        if not partner_ids:
            return {}
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, user_id, company_id, score, impression_count
                  FROM empathy_rapport
                 WHERE partner_id = ANY(%s) AND impression_count > 0
                """,
                sorted(set(partner_ids)),
            )
        )
        return {
            (p, u, c): (score or 0.0, count) for p, u, c, score, count in self.env.cr.fetchall()
        }

    # ------------------------------------------------------------------
    # incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    def _empathy_apply_pairs(self, before, after, kinds_before, kinds_after=None):
        """Move the statistics from the pairs' states ``before`` to ``after``.

        ``before``/``after``: {(partner, advisor, company): (pair mean, impressions)}
        (a pair without impressions is absent); ``kinds_before``/``kinds_after``:
        {partner: [(trait, value)]} (``kinds_after`` defaults to ``kinds_before``).
        Costs two queries whatever the history.
        """
        kinds_after = kinds_before if kinds_after is None else kinds_after
        deltas = defaultdict(lambda: [0, 0, 0.0, 0.0])
        touched = set()
        for key in set(before) | set(after):
            partner, user, company = key
            for sign, states, kinds in ((-1, before, kinds_before), (1, after, kinds_after)):
                state = states.get(key)
                keys = kinds.get(partner) or ()
                if keys:
                    # the advisor's totals row is touched by every change: it is the
                    # advisor's lock (taken first, in a fixed order, by every writer)
                    touched.add((user, company))
                    deltas.setdefault((user, company, ALL, ""), [0, 0, 0.0, 0.0])
                if state is None:
                    continue
                score, count = state
                for trait, value in keys:
                    delta = deltas[user, company, trait, value]
                    delta[0] += sign
                    delta[1] += sign * count
                    delta[2] += sign * score
                    delta[3] += sign * score * score
        changed = {
            key: delta
            for key, delta in deltas.items()
            if key[2] == ALL or any(abs(part) > 1e-12 for part in delta)
        }
        self._empathy_add_deltas(changed)
        self._empathy_refresh_effects(sorted(touched))

    @api.model
    def _empathy_add_deltas(self, deltas):
        """Add {(advisor, company, trait, value): [customers, impressions, sum, sum sq]}.

        Raw SQL instead of the ORM's search-then-create/write: an UPSERT whose
        uniqueness is guaranteed by the UNIQUE constraint, safe when two transactions
        add to the same row (relative updates; the second waits for the first), in one
        statement whatever the number of rows. Rows are taken in key order, each
        advisor's totals row first, so concurrent writers cannot deadlock.
        """
        if not deltas:
            return
        keys = sorted(deltas)
        columns = list(zip(*keys, strict=True))
        values = list(zip(*(deltas[key] for key in keys), strict=True))
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO empathy_kind_rapport AS k
                       (user_id, company_id, trait, value, communication_style, temperament,
                        motive_id, value_id, channel, pair_count, impression_count,
                        sum_score, sum_score_sq, fair_effect,
                        create_uid, create_date, write_uid, write_date)
                SELECT d.u, d.c, d.t, d.v,
                       CASE WHEN d.t = 'style' THEN d.v END,
                       CASE WHEN d.t = 'temperament' THEN d.v END,
                       CASE WHEN d.t = 'motive' THEN d.v::int END,
                       CASE WHEN d.t = 'value' THEN d.v::int END,
                       CASE WHEN d.t = 'channel' THEN d.v END,
                       d.n, d.i, d.s, d.q, 0.0,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM unnest(%(u)s::int[], %(c)s::int[], %(t)s::varchar[], %(v)s::varchar[],
                              %(n)s::int[], %(i)s::int[], %(s)s::float8[], %(q)s::float8[])
                       AS d(u, c, t, v, n, i, s, q)
              ORDER BY d.u, d.c, d.t <> 'all', d.t, d.v
                    ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                   SET pair_count = k.pair_count + EXCLUDED.pair_count,
                       impression_count = k.impression_count + EXCLUDED.impression_count,
                       sum_score = k.sum_score + EXCLUDED.sum_score,
                       sum_score_sq = k.sum_score_sq + EXCLUDED.sum_score_sq,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                """,
                uid=self.env.uid,
                u=list(columns[0]),
                c=list(columns[1]),
                t=list(columns[2]),
                v=list(columns[3]),
                n=list(values[0]),
                i=list(values[1]),
                s=list(values[2]),
                q=list(values[3]),
            )
        )

    @api.model
    def _empathy_refresh_effects(self, advisors=None):
        """Rewrite the fair effects of ``advisors`` ([(advisor, company)], None: all).

        Raw SQL instead of a stored compute: the effect depends on the advisor's
        totals row (another row of the same table), which the ORM cannot express as
        a dependency; one UPDATE per call. Rows left without customers are deleted
        in the same statement (disjoint from the updated ones).
        """
        if advisors is not None and not advisors:
            return
        if advisors is None:
            touched = SQL("SELECT DISTINCT user_id, company_id FROM empathy_kind_rapport")
        else:
            touched = SQL(
                "SELECT * FROM unnest(%s::int[], %s::int[])",
                [key[0] for key in advisors],
                [key[1] for key in advisors],
            )
        shrinkage = float(self.env["empathy.rapport"]._empathy_shrinkage())
        self.env.cr.execute(
            SQL(
                """
                WITH touched (user_id, company_id) AS (%(touched)s),
                gone AS (
                    DELETE FROM empathy_kind_rapport k
                     USING touched t
                     WHERE k.user_id = t.user_id AND k.company_id = t.company_id
                       AND k.pair_count <= 0
                ), totals AS (
                    SELECT k.user_id, k.company_id, k.pair_count, k.sum_score
                      FROM empathy_kind_rapport k
                      JOIN touched t ON t.user_id = k.user_id AND t.company_id = k.company_id
                     WHERE k.trait = 'all' AND k.pair_count > 0
                )
                UPDATE empathy_kind_rapport k
                   SET fair_effect = CASE
                           WHEN k.trait = 'all' OR a.pair_count IS NULL THEN 0.0
                           ELSE k.pair_count::float8 / (k.pair_count + %(k)s::float8)
                                * (k.sum_score / k.pair_count - a.sum_score / a.pair_count)
                       END
                  FROM touched t
             LEFT JOIN totals a ON a.user_id = t.user_id AND a.company_id = t.company_id
                 WHERE k.user_id = t.user_id AND k.company_id = t.company_id
                   AND k.pair_count > 0
                """,
                touched=touched,
                k=shrinkage,
            )
        )
        self.invalidate_model()

    # ------------------------------------------------------------------
    # full rebuild
    # ------------------------------------------------------------------
    @api.model
    def action_empathy_rebuild(self):
        """Rebuild every row from the rapport rows and the customers' traits (managers)."""
        self._empathy_check_manager()
        self._empathy_rebuild()
        return True

    @api.model
    def _empathy_rebuild(self):
        """Recompute all rows in one statement (then the effects in one more); return
        the number of rows.

        Raw SQL instead of the ORM: a GROUP BY over every rapport row and the traits
        of its customer (the kinds of ``_empathy_partner_kinds``, expressed as a
        LATERAL union), written with the same UPSERT as the incremental path (rows
        keep their ids) while the rows no pair supports any more are deleted in the
        same statement (a data-modifying CTE on disjoint rows).
        """
        self.env["empathy.rapport"].flush_model()
        self.env["res.partner"].flush_model(PARTNER_TRAIT_FIELDS)
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (
                    SELECT r.user_id AS u, r.company_id AS c, kd.t, kd.v,
                           count(*) AS n, sum(r.impression_count) AS i,
                           sum(COALESCE(r.score, 0.0)) AS s,
                           sum(COALESCE(r.score, 0.0) ^ 2) AS q
                      FROM empathy_rapport r
                      JOIN res_partner p ON p.id = r.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                CROSS JOIN LATERAL (
                               SELECT 'all'::varchar AS t, ''::varchar AS v
                     UNION ALL SELECT 'style', p.empathy_communication_style
                                WHERE p.empathy_communication_style IS NOT NULL
                     UNION ALL SELECT 'temperament', p.empathy_temperament
                                WHERE p.empathy_temperament IS NOT NULL
                     UNION ALL SELECT 'channel', p.empathy_preferred_channel
                                WHERE p.empathy_preferred_channel IS NOT NULL
                     UNION ALL SELECT 'motive', m.motive_id::varchar
                                 FROM res_partner_empathy_motive_rel m
                                WHERE m.partner_id = p.id
                     UNION ALL SELECT 'value', v.value_id::varchar
                                 FROM res_partner_empathy_value_rel v
                                WHERE v.partner_id = p.id
                           ) kd
                     WHERE r.impression_count > 0
                       AND NOT COALESCE(p.empathy_objection, FALSE)
                       AND NOT COALESCE(cp.empathy_objection, FALSE)
                  GROUP BY r.user_id, r.company_id, kd.t, kd.v
                ), gone AS (
                    DELETE FROM empathy_kind_rapport k
                     WHERE NOT EXISTS (
                            SELECT 1 FROM fresh f
                             WHERE f.u = k.user_id AND f.c = k.company_id
                               AND f.t = k.trait AND f.v = k.value)
                )
                INSERT INTO empathy_kind_rapport AS k
                       (user_id, company_id, trait, value, communication_style, temperament,
                        motive_id, value_id, channel, pair_count, impression_count,
                        sum_score, sum_score_sq, fair_effect,
                        create_uid, create_date, write_uid, write_date)
                SELECT f.u, f.c, f.t, f.v,
                       CASE WHEN f.t = 'style' THEN f.v END,
                       CASE WHEN f.t = 'temperament' THEN f.v END,
                       CASE WHEN f.t = 'motive' THEN f.v::int END,
                       CASE WHEN f.t = 'value' THEN f.v::int END,
                       CASE WHEN f.t = 'channel' THEN f.v END,
                       f.n, f.i, f.s, f.q, 0.0,
                       %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
                  FROM fresh f
              ORDER BY f.u, f.c, f.t <> 'all', f.t, f.v
                    ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                   SET pair_count = EXCLUDED.pair_count,
                       impression_count = EXCLUDED.impression_count,
                       sum_score = EXCLUDED.sum_score,
                       sum_score_sq = EXCLUDED.sum_score_sq,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE (k.pair_count, k.impression_count, k.sum_score, k.sum_score_sq)
                       IS DISTINCT FROM (EXCLUDED.pair_count, EXCLUDED.impression_count,
                                         EXCLUDED.sum_score, EXCLUDED.sum_score_sq)
                """,
                uid=self.env.uid,
            )
        )
        self._empathy_refresh_effects()
        self.env.cr.execute("SELECT count(*) FROM empathy_kind_rapport")
        return self.env.cr.fetchone()[0]
