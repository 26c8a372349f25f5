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

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.profile_fields import TRAIT_FIELDS
from ..tools.vocabulary import COMMUNICATION_STYLES, PREFERRED_CHANNELS, TEMPERAMENTS
from .empathy_groups import check_empathy_manager
from .empathy_matching import ALL
from .empathy_params import protected_read_group

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
#: what the kinds of the customers are read from: their traits, whether they or
#: their company object
PARTNER_TRAIT_FIELDS = (*TRAIT_FIELDS, "empathy_objection", "commercial_partner_id")


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
        check_empathy_manager(
            self.env,
            self.env._("Only empathy managers can rebuild the rapport by kind of customer."),
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
