# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport by kind of customer: per advisor, company and trait value, learnt incrementally.

One row per (advisor, company, trait, value): how many customers of that kind the
advisor has rapport with, their impressions, and the sum (and sum of squares) of the
pair means (``empathy.rapport.score``). The trait ``all`` holds the advisor's totals
over every customer: its mean is the advisor's own mean, which the kind effect
subtracts (leniency removed as ``fair_score`` removes it; see ``empathy_matching``).

The rows are statistics maintained in raw SQL, never through the ORM:

- a change of pairs (``empathy.rapport._empathy_pairs_changed``, listened to in
  ``empathy_kind_rapport_upkeep.py``) or of a customer's kind (``res.partner.write``)
  adds its deltas with ``INSERT ... ON CONFLICT DO UPDATE`` (the UNIQUE constraint
  makes it safe under concurrency: no check-then-insert) and rewrites the fair effects
  of the advisors concerned, in the statement that writes the pairs;
- ``_empathy_rebuild`` recomputes every row from ``empathy_rapport`` joined with the
  customers' traits in one ``INSERT ... SELECT``.

Customers who object to profiling (or whose company objects) count nowhere: nothing
empathy-based is learnt from them.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import compat
from ..tools.groups import check_empathy_manager
from ..tools.matching import ALL
from ..tools.protect_advisors import guarded_read_group, guarded_read_grouping_sets
from ..tools.vocabulary import COMMUNICATION_STYLES, PREFERRED_CHANNELS, TEMPERAMENTS
from .empathy_profile import KIND_FIELDS

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
#: the row's technical key: not offered for grouping in the web client
TECHNICAL_FIELDS = ("trait", "value")
#: grouping by one of these describes fit (advisor x kind), not an advisor's level
KIND_GROUPBYS = ("trait", "value", *TYPED_COLUMNS.values())
#: the partner columns a kind of customer is made of (with motives and values)
PARTNER_TRAIT_FIELDS = ("empathy_objection", "commercial_partner_id")
#: the profile columns a kind of customer is made of (``empathy.profile``)
PROFILE_TRAIT_FIELDS = ("partner_id", *sorted(KIND_FIELDS))


def flush_traits(env):
    """Flush what the kinds of customers are read from (contacts and their profiles)."""
    env["res.partner"].flush_model(PARTNER_TRAIT_FIELDS)
    env["empathy.profile"].flush_model(PROFILE_TRAIT_FIELDS)


def partner_traits_sql(partner):
    """Return the SQL of the kinds of the customer aliased ``partner`` (a row of
    ``res_partner``): one row ``(t, v)`` per kind, ``('all', '')`` included, for a
    ``LATERAL`` join.

    The one definition of a customer's kind in SQL: read by ``_empathy_partner_kinds``,
    the incremental upkeep and the rebuild (``empathy_kind_rapport_upkeep.py``). The
    caller flushes them (``flush_traits``): the profile's columns (``empathy.profile``) and its
    motives and values.
    """
    return SQL(
        """(
                   SELECT 'all'::varchar AS t, ''::varchar AS v
         UNION ALL SELECT t, v
                     FROM empathy_profile pr
               CROSS JOIN LATERAL (
                             SELECT 'style'::varchar, pr.communication_style::varchar
                              WHERE pr.communication_style IS NOT NULL
                   UNION ALL SELECT 'temperament', pr.temperament
                              WHERE pr.temperament IS NOT NULL
                   UNION ALL SELECT 'channel', pr.preferred_channel
                              WHERE pr.preferred_channel IS NOT NULL
                   UNION ALL SELECT 'motive', m.motive_id::varchar
                               FROM empathy_profile_motive_rel m WHERE m.profile_id = pr.id
                   UNION ALL SELECT 'value', vl.value_id::varchar
                               FROM empathy_profile_value_rel vl WHERE vl.profile_id = pr.id
                          ) kinds(t, v)
                    WHERE pr.partner_id = %(p)s.id
        )""",
        p=SQL.identifier(partner),
    )


def partner_objecting_sql(partner, commercial):
    """Return the SQL condition "the customer ``partner`` (its commercial partner
    ``commercial``, left-joined) objects to profiling": such customers have no kind."""
    return SQL(
        "(COALESCE(%(p)s.empathy_objection, FALSE) OR COALESCE(%(cp)s.empathy_objection, FALSE))",
        p=SQL.identifier(partner),
        cp=SQL.identifier(commercial),
    )


@compat.sql_constraints(
    (
        "user_company_trait_value_uniq",
        "unique (user_id, company_id, trait, value)",
        "There is one row per advisor, company and kind of customer.",
    ),
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
    # summed over advisors, a customer known to two advisors counts twice: the label
    # says what a total counts (advisor and customer pairs), not "customers"
    pair_count = fields.Integer(
        string="Relationships",
        readonly=True,
        help="Customers of this kind with whom the advisor has rapport (impressions); a"
        " total adds the advisors' relationships up: a customer known to two advisors"
        " counts twice.",
    )
    impression_count = fields.Integer(string="Impressions", readonly=True)
    sum_score = fields.Float(string="Sum of pair means", readonly=True, aggregator=None)
    sum_score_sq = fields.Float(string="Sum of squared pair means", readonly=True, aggregator=None)
    fair_effect = fields.Float(
        string="Fair deviation",
        readonly=True,
        aggregator="avg",
        digits=(3, 1),
        help="How much better (in stars) the advisor clicks with customers of this kind than"
        " with their other customers: their own rating scale removed, pulled toward 0 when"
        " there are few such customers. It describes fit, not performance.",
    )

    kind_label = fields.Char(string="Kind of customer", compute="_compute_kind_label")

    @api.depends_context("lang")
    @api.depends("trait", "value")
    def _compute_kind_label(self):
        for row in self:
            if row.trait == ALL:
                row.kind_label = self.env._("All customers")
            else:
                # the explanations' words ("demanding customers"): the kind and its
                # dimension in one, no technical trait or key beside it
                label = self._empathy_kind_label(row.trait, row.value)
                row.kind_label = label[:1].upper() + label[1:]

    @api.model
    def fields_get(self, allfields=None, attributes=None):
        """The technical trait and key are not offered in *Add Custom Group*: the kind
        columns (communication style, temperament, motive, ...) name it in words."""
        result = super().fields_get(allfields, attributes)
        for name in TECHNICAL_FIELDS:
            if "groupable" in result.get(name, {}):
                result[name]["groupable"] = False
        return result

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
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        return guarded_read_group(
            self,
            super()._read_group,
            domain,
            groupby,
            aggregates,
            having,
            offset,
            limit,
            order,
            exempt=KIND_GROUPBYS,
        )

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        return guarded_read_grouping_sets(
            self,
            super()._read_grouping_sets,
            domain,
            grouping_sets,
            aggregates,
            order,
            exempt=KIND_GROUPBYS,
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
        """Return {partner id: [(trait, value), ...]} (1 query), ``ALL`` first.

        Objecting customers (or of an objecting company) get no kind at all (``[]``):
        they count nowhere. ``with_rapport``: only partners with rapport rows.
        """
        if not partner_ids:
            return {}
        flush_traits(self.env)
        # raw SQL: the profiles are protected by record rules (objection), the caller may be anyone
        # whose action touches a pair (the statistics are the system's); the kinds
        # are those of partner_traits_sql, the one definition the statements share
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, kd.t, kd.v
                  FROM res_partner p
             LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
             LEFT JOIN LATERAL %(traits)s kd ON NOT %(objecting)s
                 WHERE p.id = ANY(%(ids)s) %(with_rapport)s
              ORDER BY p.id, kd.t <> 'all', kd.t, kd.v
                """,
                traits=partner_traits_sql("p"),
                objecting=partner_objecting_sql("p", "cp"),
                ids=sorted(set(partner_ids)),
                with_rapport=SQL(
                    "AND EXISTS (SELECT 1 FROM empathy_rapport r WHERE r.partner_id = p.id"
                    " AND r.impression_count > 0)"
                )
                if with_rapport
                else SQL(),
            )
        )
        kinds = {}
        for pid, trait, value in self.env.cr.fetchall():
            keys = kinds.setdefault(pid, [])
            if trait:
                keys.append((trait, value))
        return kinds

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
