# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import csv
import io
import json
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.models import READ_GROUP_AGGREGATE, parse_read_group_spec
from odoo.osv import expression
from odoo.tools import SQL, Query, format_date, formatLang

from .empathy_impression import CHANNELS, COMMUNICATION_STYLES, MOOD_FACES
from .empathy_params import get_int_param

EMPATHY_GROUP = "empathic_crm.group_empathy_user"
MANAGER_GROUP = "empathic_crm.group_empathy_manager"
#: the profile: hidden from salespeople while the person objects to profiling
PROFILE_FIELDS = (
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_why",
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_personal_notes",
    "empathy_impression_ids",
    "empathy_motive_evidence_ids",
)
#: spreadsheet applications run cells starting with these as formulas
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PREFERRED_CHANNELS = [
    c for c in CHANNELS if c[0] in ("phone", "email", "meeting", "video", "chat", "letter")
]
#: how many recent impressions are compared with the ones before for the mood trend
MOOD_WINDOW = 3
MOOD_THRESHOLD = 0.5
LOW_RAPPORT = 2.5
#: "I click with them": the advisor's fair rapport with the contact is at least this
CLICK_SCORE = 4.0
EXPORT_FORMATS = ("json", "csv")
#: partner fields maintained by _empathy_refresh_rapport
RAPPORT_AGGREGATE_FIELDS = (
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_click_user_ids",
)
#: silent customers: bought within N months, no contact for M days (settings)
SILENT_MONTHS_PARAM = "empathic_crm.silent_purchase_months"
SILENT_DAYS_PARAM = "empathic_crm.silent_days"
DEFAULT_SILENT_MONTHS = 12
DEFAULT_SILENT_DAYS = 90
#: company-dependent aggregates searched by equality: jsonb containment, GIN index
EMPATHY_CONTAINMENT_FIELDS = ("empathy_mood_trend", "empathy_silent")
#: company-dependent records searched by id (one value among many advisors):
#: per-company expression index, whose statistics PostgreSQL estimates from
EMPATHY_KEY_FIELDS = ("empathy_best_advisor_id",)
#: company-dependent numbers searched by range: per-company expression index
EMPATHY_RANGE_FIELDS = ("empathy_best_rapport",)


def _is_profile_leaf(leaf):
    """Return whether ``leaf`` is a condition on a profile field (or a path through it)."""
    return (
        isinstance(leaf, (list, tuple))
        and len(leaf) == 3
        and isinstance(leaf[0], str)
        and leaf[0].split(".", 1)[0] in PROFILE_FIELDS
    )


@dataclass(frozen=True)
class ClickedBy:
    """Value of the leaf ``("empathy_click_user_ids", "=", ClickedBy(...))``.

    Only ``res.partner._empathy_rapport_domain`` makes it, from the filter *I click
    with them* of the user's own rapport: a domain sent over RPC cannot carry it, so
    the technical field cannot be used to learn other advisors' pairs.
    """

    user_id: int
    company_ids: tuple


class ResPartner(models.Model):
    _inherit = "res.partner"

    empathy_motive_ids = fields.Many2many(
        "empathy.motive",
        "res_partner_empathy_motive_rel",
        "partner_id",
        "motive_id",
        string="Purchase motives",
        groups=EMPATHY_GROUP,
        help="Why this customer buys: goals, life events, occasions.",
    )
    empathy_value_ids = fields.Many2many(
        "empathy.value",
        "res_partner_empathy_value_rel",
        "partner_id",
        "value_id",
        string="Values",
        groups=EMPATHY_GROUP,
        help="What this customer cares about.",
    )
    empathy_why = fields.Text(string="Why does this customer buy?", groups=EMPATHY_GROUP)
    empathy_communication_style = fields.Selection(
        COMMUNICATION_STYLES,
        string="Communication style",
        groups=EMPATHY_GROUP,
        index="btree_not_null",
    )
    empathy_temperament = fields.Selection(
        [("easy", "Easy-going"), ("neutral", "Neutral"), ("demanding", "Demanding")],
        string="Temperament",
        groups=EMPATHY_GROUP,
        index="btree_not_null",
    )
    empathy_preferred_channel = fields.Selection(
        PREFERRED_CHANNELS, string="Preferred channel", groups=EMPATHY_GROUP
    )
    empathy_personal_notes = fields.Text(
        string="Personal notes",
        groups=EMPATHY_GROUP,
        help="Things worth remembering, e.g. a favourite book or the children's names.",
    )
    empathy_briefing = fields.Html(
        string="Briefing",
        compute="_compute_empathy_briefing",
        sanitize=False,
        groups=EMPATHY_GROUP,
    )
    empathy_briefing_compact = fields.Html(
        string="Compact briefing",
        compute="_compute_empathy_briefing_compact",
        sanitize=False,
        groups=EMPATHY_GROUP,
        help="Three to six lines for the places where a contact starts or ends: tone,"
        " motives, what to remember, rapport, mood trend and the last impression.",
    )
    empathy_impression_ids = fields.One2many(
        "empathy.impression", "partner_id", string="Impressions", groups=EMPATHY_GROUP
    )
    empathy_impression_count = fields.Integer(
        compute="_compute_empathy_impression_count", string="Impression count", groups=EMPATHY_GROUP
    )
    empathy_rapport_ids = fields.One2many(
        "empathy.rapport", "partner_id", string="Rapport", groups=EMPATHY_GROUP
    )
    # partner-level aggregates: per company (a contact shared between companies shows
    # each company only what its own impressions say), maintained by
    # _empathy_refresh_rapport; company-dependent fields are jsonb columns keyed by
    # company, searched, grouped and ordered for the current company by the ORM
    empathy_best_advisor_id = fields.Many2one(
        "res.users",
        string="Best advisor",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_GROUP,
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
        groups=EMPATHY_GROUP,
    )
    empathy_last_impression_date = fields.Datetime(
        string="Last impression", readonly=True, company_dependent=True, groups=EMPATHY_GROUP
    )
    empathy_mood_trend = fields.Selection(
        [("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining")],
        string="Mood trend",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_GROUP,
    )
    empathy_objection = fields.Boolean(
        string="Objects to profiling",
        groups=EMPATHY_GROUP,
        help="The person objects to profiling (GDPR Art. 21): no impressions are recorded,"
        " cross-sell rules ignore them and salespeople do not see the profile. Anyone can"
        " set it; only empathy managers can lift it. Every change is logged.",
    )
    empathy_profile_hidden = fields.Boolean(
        compute="_compute_empathy_profile_hidden",
        string="Profile hidden",
        groups=EMPATHY_GROUP,
        help="The person objects to profiling and you are not an empathy manager.",
    )
    # listening: how motives are known, silent customers
    empathy_motive_evidence_ids = fields.One2many(
        "empathy.motive.evidence",
        "partner_id",
        string="Motive evidence",
        groups=EMPATHY_GROUP,
        help="How each motive and value is known: from which impression, campaign or"
        " advisor, and when.",
    )
    empathy_evidence_summary = fields.Html(
        compute="_compute_empathy_evidence_summary",
        string="How we know their motives",
        sanitize=False,
        groups=EMPATHY_GROUP,
        help="One line per motive or value: the latest evidence (source and date) and how"
        " often it was heard.",
    )
    empathy_silent = fields.Boolean(
        string="Silent customer",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_GROUP,
        help="Bought recently from this company, but no impression, no message from them"
        " and no activity for a while (updated daily).",
    )
    empathy_silent_since = fields.Datetime(
        string="Last contact",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_GROUP,
        help="The last impression, message from this customer or done activity"
        " (empty: none on record). Updated daily for recent buyers.",
    )
    # company-dependent fields cannot be Monetary: shown with the company's currency
    empathy_recent_revenue = fields.Float(
        string="Recent revenue",
        readonly=True,
        company_dependent=True,
        groups=EMPATHY_GROUP,
        help="Untaxed amount of the confirmed orders of this company in the"
        " silent-customer period (company currency). Updated daily.",
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
    # access: while a person objects, salespeople do not see the profile
    # ------------------------------------------------------------------
    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        hidden = [name for name in fnames if name in PROFILE_FIELDS]
        if hidden and not self._empathy_sees_objecting_profiles():
            objecting = set(self.sudo().filtered("empathy_objection").ids)
            for vals in result:
                if vals["id"] in objecting:
                    for name in hidden:
                        vals[name] = (
                            [] if self._fields[name].type in ("one2many", "many2many") else False
                        )
        return result

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            domain = self._empathy_objection_domain(domain)
            domain = self._empathy_rapport_domain(domain, ordered=bool(order))
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _empathy_objection_domain(self, domain):
        """Return ``domain`` where people who object match as if their profile were empty.

        For users who do not see objecting profiles, each leaf on a profile field
        (paths through it included) is evaluated on the real value for the others
        only; for objecting partners it is the constant an empty value gives. The
        domain is normalised and its negations distributed first, so that each
        constant is the one of the operator Odoo finally applies. Python only.
        Paths from other models (``partner_id.empathy_motive_ids``) come here through
        the guard of models/base.py, which searches them on ``res.partner``.
        """
        if not any(_is_profile_leaf(leaf) for leaf in domain):
            return domain
        if self._empathy_sees_objecting_profiles():
            return domain
        result = []
        for leaf in expression.distribute_not(expression.normalize_domain(domain)):
            if not _is_profile_leaf(leaf):
                result.append(leaf)
                continue
            # '!' is left before paths and operators without a negation (=like, =?)
            negated = bool(result) and result[-1] == expression.NOT_OPERATOR
            condition = [result.pop(), leaf] if negated else [leaf]
            if self._empathy_empty_satisfies(tuple(leaf), negated):
                # not objecting and the condition, or objecting
                result.extend(["|", "&", ("empathy_objection", "!=", True), *condition])
                result.append(("empathy_objection", "=", True))
            else:
                result.extend(["&", ("empathy_objection", "!=", True), *condition])
        return result

    @api.model
    def _empathy_empty_satisfies(self, leaf, negated=False):
        """Return whether an empty profile field satisfies ``leaf`` (``'!'`` and
        ``leaf`` when ``negated``), as Odoo evaluates it.

        Empty: NULL for a selection or a text, no lines for a one2many or many2many.
        """
        left, operator, right = leaf
        field = self._fields[left.split(".", 1)[0]]
        if negated:
            if field.type in ("one2many", "many2many"):
                return not self._empathy_empty_satisfies(leaf)  # NOT EXISTS
            if operator == "=?":  # Odoo negates it as '!=', or as false
                return bool(right) and self._empathy_empty_satisfies((left, "!=", right))
            # SQL NOT of a comparison with NULL is unknown, of "OR ... IS NULL" false
            return False
        if "." in left or operator in ("any", "child_of", "parent_of"):
            return False  # a path is a test of ``any`` line
        if operator == "not any":
            return True
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if field.type in ("one2many", "many2many"):
            if right is False or right is None:
                # (x, '=', False): has no lines; (x, '!=', False): has some
                return not negative
            return negative  # EXISTS / NOT EXISTS a line matching the value
        if operator == "=?":
            return (
                right is False or right is None or self._empathy_empty_satisfies((left, "=", right))
            )
        if operator in ("in", "not in"):
            if isinstance(right, bool):
                return (operator == "in") != right
            if not isinstance(right, (list, tuple)):
                return False  # a subquery: NULL is in none
            text = field.type in ("char", "text", "html")
            has_empty = any(
                value is False or value is None or (text and value == "") for value in right
            )
            return has_empty if operator == "in" else not has_empty
        if operator[:1] in ("<", ">"):
            return False  # NULL compares with nothing
        if operator in expression.WILDCARD_OPERATORS and not right:
            return not negative  # '%%' matches everything
        # Odoo adds "OR column IS NULL" exactly then
        return bool(right) == negative

    def _read_group_groupby(self, groupby_spec, query):
        sql = super()._read_group_groupby(groupby_spec, query)
        fname = parse_read_group_spec(groupby_spec)[0]
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        if self._fields[fname].type == "many2many":
            # Odoo left-joins the relation table (one row per line): objecting partners
            # join no line, so that they count once in the empty group
            alias = query.make_alias(self._table, fname)
            kind, table, condition = query._joins[alias]
            query._joins[alias] = (
                kind,
                table,
                SQL("%s AND NOT %s", condition, self._empathy_objecting_sql(self._table)),
            )
            return sql
        return self._empathy_masked_sql(self._table, sql)

    def _read_group_select(self, aggregate_spec, query):
        sql = super()._read_group_select(aggregate_spec, query)
        if aggregate_spec == "__count":
            return sql
        fname, __, func = parse_read_group_spec(aggregate_spec)
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        value = self._field_to_sql(self._table, fname, query)
        return READ_GROUP_AGGREGATE[func](self._table, self._empathy_masked_sql(self._table, value))

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        sql = super()._order_field_to_sql(alias, field_name, direction, nulls, query)
        fname = field_name.split(".", 1)[0]
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        value = self._empathy_masked_sql(alias, self._field_to_sql(alias, fname, query))
        if query.groupby:  # ordering groups (as Odoo does with the plain value)
            query.groupby = SQL("%s, %s", query.groupby, value)
        return SQL("%s %s %s", value, direction, nulls)

    def _empathy_objecting_sql(self, alias):
        """Return the SQL condition "the partner of ``alias`` objects to profiling"."""
        field = self._fields["empathy_objection"]
        return SQL("COALESCE(%s, FALSE)", SQL.identifier(alias, field.name, to_flush=field))

    def _empathy_masked_sql(self, alias, sql):
        """Return the value ``sql`` of a profile field, NULL for objecting partners."""
        return SQL("(CASE WHEN %s THEN NULL ELSE %s END)", self._empathy_objecting_sql(alias), sql)

    @api.model
    def _empathy_sees_objecting_profiles(self):
        """Return whether the current user sees the profile of people who object."""
        return self.env.su or self.env.user.has_group(MANAGER_GROUP)

    @api.depends_context("uid")
    @api.depends("empathy_objection")
    def _compute_empathy_profile_hidden(self):
        hide = not self._empathy_sees_objecting_profiles()
        for partner in self:
            partner.empathy_profile_hidden = hide and partner.empathy_objection

    def _empathy_check_objection_change(self, vals):
        """Only empathy managers lift an objection; return the partners whose flag changes."""
        if "empathy_objection" not in vals:
            return self.browse()
        new = bool(vals["empathy_objection"])
        changed = self.sudo().filtered(lambda p: p.empathy_objection != new).with_env(self.env)
        if changed and not new and not self._empathy_sees_objecting_profiles():
            raise AccessError(
                self.env._(
                    "Only empathy managers can lift an objection to profiling (GDPR Art. 21)."
                )
            )
        return changed

    def _empathy_log_objection(self, new):
        """Log the change of the objection in the chatter (tracking: empathy users only)."""
        Tracking = self.env["mail.tracking.value"].sudo()
        info = self.sudo().fields_get(["empathy_objection"], attributes=("string", "type"))
        for partner in self.sudo():
            tracking = Tracking._create_tracking_values(
                not new, new, "empathy_objection", info["empathy_objection"], partner
            )
            partner._message_log(tracking_value_ids=[fields.Command.create(tracking)])

    # ------------------------------------------------------------------
    # searching the aggregates fast, whatever PostgreSQL's cost settings
    # ------------------------------------------------------------------
    def init(self):
        res = super().init()
        # 18.0.1.2.0 searched the best advisor by containment (PostgreSQL estimated it
        # badly and walked Odoo's not-null index instead): now an expression index
        self.env.cr.execute("DROP INDEX IF EXISTS res_partner_empathy_best_advisor_id_gin_idx")
        for fname in (*EMPATHY_CONTAINMENT_FIELDS, "empathy_click_user_ids"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON res_partner USING gin (%s jsonb_path_ops)",
                    SQL.identifier(f"res_partner_{fname}_gin_idx"),
                    SQL.identifier(fname),
                )
            )
        self.env.cr.execute("SELECT id FROM res_company")
        self._empathy_create_company_indexes([row[0] for row in self.env.cr.fetchall()])
        return res

    @api.model
    def _empathy_create_company_indexes(self, company_ids):
        """Create the per-company expression indexes of the aggregates searched by
        id (best advisor) and by range (best rapport).

        They index exactly the expressions ``_condition_to_sql`` emits below for
        one company (the company id is part of the expression). Not partial: ANALYZE
        keeps statistics of the expressions of full indexes only, and with them
        PostgreSQL estimates *best advisor = me* or a range such as *low rapport*
        (``> 0 AND < 2.5``) right instead of guessing (and then scanning). They
        include the columns of the standard contact rules, so that counting the
        matches (the list's ``search_count``) is an index-only scan. The table is
        analysed once when an index was added, so that the statistics exist before
        the first search.
        """
        expressions = [
            *((fname, self._empathy_id_sql) for fname in EMPATHY_KEY_FIELDS),
            *((fname, self._empathy_number_sql) for fname in EMPATHY_RANGE_FIELDS),
        ]
        wanted = {
            f"res_partner_{fname}_c{int(company_id)}_cov_idx": (fname, make, str(int(company_id)))
            for company_id in company_ids
            for fname, make in expressions
        }
        if not wanted:
            return
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'res_partner' AND indexname IN %s",
            [tuple(wanted)],
        )
        missing = set(wanted) - {row[0] for row in self.env.cr.fetchall()}
        for name in sorted(missing):
            fname, make, key = wanted[name]
            # the partial index of 18.0.1.2.0 (no statistics), a development version
            for old in (f"res_partner_{fname}_c{key}_idx", f"res_partner_{fname}_c{key}_expr_idx"):
                self.env.cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(old)))
            # with the columns of the standard contact rules (archived, company, shared):
            # a filter's count reads the index only, not thousands of table pages
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX %s ON res_partner (%s) INCLUDE (%s)",
                    SQL.identifier(name),
                    make(SQL.identifier(fname), key),
                    SQL(", ").join(
                        SQL.identifier(column)
                        for column in ("active", "company_id", "partner_share", fname)
                    ),
                )
            )
        if missing:
            self.env.cr.execute("ANALYZE res_partner")

    @api.model
    def _empathy_id_sql(self, column, key):
        return SQL("(((%s -> %s) ->> 0)::int4)", column, key)

    @api.model
    def _empathy_number_sql(self, column, key):
        # NULL compares like 0, as Odoo's own condition for numbers does
        return SQL("(COALESCE(((%s -> %s) ->> 0)::numeric, 0))", column, key)

    @api.model
    def _empathy_set_sql(self, column, key):
        return SQL("(((%s -> %s) ->> 0) IS NOT NULL)", column, key)

    def _condition_to_sql(self, alias, fname, operator, value, query):
        sql = self._empathy_condition_to_sql(alias, fname, operator, value)
        if sql is None:
            return super()._condition_to_sql(alias, fname, operator, value, query)
        return sql

    def _empathy_condition_to_sql(self, alias, fname, operator, value):
        """Return index-friendly SQL for conditions on company-dependent aggregates.

        Odoo compares ``(column -> 'company' ->> 0)::type`` (a many2one through a
        subquery), which no index serves. Same results, other form:

        * ``=`` a record id: ``(column -> 'company' ->> 0)::int4 = id`` (per-company
          expression index) and the record exists, as Odoo's subquery checks;
        * ``=`` a selection value or True: jsonb containment
          ``column @> {"company": value}`` (GIN ``jsonb_path_ops`` index);
        * a many2one ``!= False``: the value for the company is set (deleted records
          are cleared by the ORM's unlink of the comodel);
        * ``<``, ``<=``, ``>``, ``>=`` on a number: ``COALESCE(value, 0) op number``,
          which is Odoo's ``value op number``, plus ``OR value IS NULL`` exactly when 0
          satisfies the comparison (per-company expression index).

        Return None for every other case (and with an ``ir.default`` fallback): the
        ORM's own SQL.
        """
        if fname == "empathy_click_user_ids" and isinstance(value, ClickedBy):
            return self._empathy_click_sql(alias, operator, value)
        field = self._fields[fname]
        if (
            fname not in EMPATHY_CONTAINMENT_FIELDS + EMPATHY_KEY_FIELDS + EMPATHY_RANGE_FIELDS
            or not field.company_dependent
            or isinstance(value, (SQL, Query))
            or field.get_company_dependent_fallback(self)
        ):
            return None
        key = str(self.env.company.id)
        column = SQL.identifier(alias, fname, to_flush=field)
        sql = None
        if fname in EMPATHY_KEY_FIELDS and operator == "=":
            if isinstance(value, int) and not isinstance(value, bool) and value:
                comodel = self.env[field.comodel_name]
                sql = SQL(
                    "(%s = %s AND EXISTS (SELECT 1 FROM %s WHERE id = %s))",
                    self._empathy_id_sql(column, key),
                    value,
                    SQL.identifier(comodel._table),
                    value,
                )
        elif fname in EMPATHY_KEY_FIELDS and operator == "!=":
            if value in (False, None):
                sql = self._empathy_set_sql(column, key)
        elif fname in EMPATHY_CONTAINMENT_FIELDS and operator == "=":
            if field.type == "selection" and isinstance(value, str) and value:
                sql = SQL("(%s @> %s)", column, json.dumps({key: value}))
            elif field.type == "boolean" and value is True:
                sql = SQL("(%s @> %s)", column, json.dumps({key: True}))
        elif (
            fname in EMPATHY_RANGE_FIELDS
            and operator in ("<", "<=", ">", ">=")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            sql = SQL("(%s %s %s)", self._empathy_number_sql(column, key), SQL(operator), value)
        if sql is not None:
            self.check_field_access_rights("read", [fname])
        return sql

    def _empathy_click_sql(self, alias, operator, value):
        """Return the SQL of the click leaf: the user is among the contact's clickers.

        One jsonb containment per company (GIN index), e.g. ``{"1": [7]}``; a negated
        leaf (``!=``, from ``!``) matches the contacts without such a click.
        """
        column = SQL.identifier(alias, "empathy_click_user_ids")
        clicks = SQL(" OR ").join(
            SQL("%s @> %s", column, json.dumps({str(company_id): [value.user_id]}))
            for company_id in value.company_ids
        )
        if not value.company_ids:
            clicks = SQL("FALSE")
        if operator == "=":
            return SQL("(%s)", clicks)
        if operator == "!=":
            return SQL("(NOT COALESCE(%s, FALSE))", clicks)
        raise ValueError(f"Invalid operator {operator!r} for the click leaf")

    @api.model
    def _empathy_click_leaves(self, leaf):
        """Return the leaves replacing *I click with them*, or None.

        ``("empathy_rapport_ids", "any", [("user_id", "=", uid), ("fair_score", ">=",
        4)])`` for the current user (whose own pairs the rapport rules always show, in
        the allowed companies) is answered by the contacts' click sets, kept exact by
        ``_empathy_refresh_rapport``: the same contacts, without joining the rapport
        rows (``not any``: the contacts without). Other users, other thresholds and
        superuser searches keep the rapport subquery (the access rules of the rapport
        decide there).
        """
        if (
            self.env.su
            or len(leaf) != 3
            or leaf[0] != "empathy_rapport_ids"
            or leaf[1] not in ("any", "not any")
            or not isinstance(leaf[2], (list, tuple))
            or len(leaf[2]) != 2
            or not self._fields["empathy_rapport_ids"].is_accessible(self.env)
        ):
            return None
        conditions = {}
        for term in leaf[2]:
            if not (isinstance(term, (list, tuple)) and len(term) == 3):
                return None
            conditions[term[0], term[1]] = term[2]
        user_id = conditions.get(("user_id", "="))
        score = conditions.get(("fair_score", ">="))
        if (
            user_id != self.env.uid
            or isinstance(score, bool)
            or not isinstance(score, (int, float))
            or float(score) != CLICK_SCORE
        ):
            return None
        companies = tuple(sorted(self.env.companies.ids))
        operator = "=" if leaf[1] == "any" else "!="
        return [
            "&",
            ("empathy_click_user_ids", operator, ClickedBy(user_id, companies)),
            # as the guard of models/base.py does for protected leaves
            "|",
            ("company_id", "=", False),
            ("company_id", "in", list(companies)),
        ]

    @api.model
    def _empathy_rapport_domain(self, domain, ordered=False):
        """Rewrite the leaves on the rapport rows into index-friendly forms.

        *I click with them* (the user's own fair rapport at least 4) becomes a test of
        the contact's click set (``_empathy_click_leaves``), ordered or not. Other
        ``("empathy_rapport_ids", "any", [...])`` leaves of unordered searches become
        an id list lookup:

        For unordered searches (``search_count``, subqueries): the ORM's ``id IN
        (subquery)`` lets PostgreSQL choose between a scan of all partners and the
        rapport index by its cost settings (the index only with a low
        ``random_page_cost``). ``id IN (SELECT unnest(ARRAY(subquery)))`` runs the
        rapport subquery (same domain, same access rules) first, on its index, and
        fetches the partners by primary key: the same records, one plan. Ordered
        searches (a list page) keep the ORM's form: PostgreSQL walks the index of the
        list order and probes the hashed subquery until the page is full.
        """
        if any(
            isinstance(leaf, (list, tuple)) and len(leaf) == 3 and leaf[0] == "empathy_rapport_ids"
            for leaf in domain
        ):
            rewritten = []
            for leaf in domain:
                click = isinstance(leaf, (list, tuple)) and self._empathy_click_leaves(leaf)
                if click:
                    rewritten.extend(click)
                else:
                    rewritten.append(leaf)
            domain = rewritten
        if ordered:
            return domain
        if not self.env.su:
            # the guard of models/base.py first (it must see the original leaves)
            domain = self._empathy_guard_domain(domain)[0]
        if not domain or not any(
            isinstance(leaf, (list, tuple))
            and len(leaf) == 3
            and leaf[0] == "empathy_rapport_ids"
            and leaf[1] == "any"
            for leaf in domain
        ):
            return domain
        field = self._fields["empathy_rapport_ids"]
        Rapport = self.env[field.comodel_name].with_context(**field.context)
        result = []
        for leaf in domain:
            if (
                isinstance(leaf, (list, tuple))
                and len(leaf) == 3
                and leaf[0] == "empathy_rapport_ids"
                and leaf[1] == "any"
                and isinstance(leaf[2], (list, tuple))
            ):
                subdomain = expression.AND([field.get_domain_list(self), list(leaf[2])])
                query = Rapport._search(subdomain)
                leaf = (
                    "id",
                    "in",
                    SQL(
                        "(SELECT unnest(ARRAY%s))",
                        query.subselect(
                            Rapport._field_to_sql(query.table, field.inverse_name, query)
                        ),
                    ),
                )
            result.append(leaf)
        return result

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    def _compute_empathy_impression_count(self):
        counts = dict(
            self.env["empathy.impression"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.empathy_impression_count = counts.get(partner, 0)

    @api.depends_context("lang", "uid")
    @api.depends(
        "empathy_communication_style",
        "empathy_temperament",
        "empathy_preferred_channel",
        "empathy_motive_ids",
        "empathy_value_ids",
        "empathy_why",
        "empathy_personal_notes",
        "empathy_best_advisor_id",
        "empathy_best_rapport",
        "empathy_mood_trend",
        "empathy_objection",
    )
    def _compute_empathy_briefing(self):
        for partner in self:
            partner.empathy_briefing = partner._empathy_briefing_html()

    def _empathy_style_advice(self):
        """Return how to talk to this contact, one sentence per style/temperament."""
        self.ensure_one()
        advice = {
            "factual": self.env._(
                "Fact-oriented: bring numbers, data sheets and comparisons; keep it short."
            ),
            "emotional": self.env._(
                "Emotion- and design-oriented: tell stories, show the product in use,"
                " talk about how it feels and looks."
            ),
            "mixed": self.env._(
                "Mixed: start with the story, back it with two or three hard facts."
            ),
        }
        temperament = {
            "easy": self.env._("Easy-going: a relaxed, personal tone works well."),
            "neutral": self.env._("Neutral temperament: be friendly and to the point."),
            "demanding": self.env._(
                "Demanding: prepare well, answer precisely, confirm commitments in writing."
            ),
        }
        lines = []
        if self.empathy_communication_style:
            lines.append(advice[self.empathy_communication_style])
        if self.empathy_temperament:
            lines.append(temperament[self.empathy_temperament])
        return lines

    def _empathy_briefing_html(self):
        """Render the briefing: how to talk to this person, and what matters to them."""
        self.ensure_one()
        if self.empathy_objection:
            return Markup("<p class='text-warning'>%s</p>") % self.env._(
                "This person objects to profiling (GDPR Art. 21). Do not record impressions."
            )
        items = []

        def add(label, value):
            if value:
                items.append(Markup("<li><strong>%s</strong> %s</li>") % (label, value))

        for line in self._empathy_style_advice():
            items.append(Markup("<li>%s</li>") % line)
        add(self.env._("Motives:"), self._empathy_briefing_motives())
        add(self.env._("Values:"), ", ".join(self.empathy_value_ids.mapped("name")))
        add(self.env._("Why they buy:"), self.empathy_why)
        channels = dict(self._fields["empathy_preferred_channel"]._description_selection(self.env))
        add(self.env._("Preferred channel:"), channels.get(self.empathy_preferred_channel))
        add(self.env._("Remember:"), self.empathy_personal_notes)
        if self.empathy_best_advisor_id:
            best = self.env._(
                "%(advisor)s (rapport %(score)s / 5)",
                advisor=self.empathy_best_advisor_id.name,
                score=self._empathy_format_score(self.empathy_best_rapport),
            )
            why = self._empathy_best_rapport_row().fair_explanation
            if why:
                best = Markup("%s<br/><small class='text-muted'>%s</small>") % (best, why)
            add(self.env._("Best advisor:"), best)
        trends = dict(self._fields["empathy_mood_trend"]._description_selection(self.env))
        if self.empathy_mood_trend:
            add(self.env._("Mood trend:"), trends[self.empathy_mood_trend])
        warning = self._empathy_rapport_warning()
        if not items and not warning:
            return Markup("<p class='text-muted'>%s</p>") % self.env._(
                "Nothing known yet. Record an impression after your next contact."
            )
        html = Markup("<ul class='o_empathy_briefing'>%s</ul>") % Markup("").join(items)
        if warning:
            html = Markup("<p class='alert alert-warning' role='alert'>%s</p>") % warning + html
        return html

    def _empathy_rapport_warning(self):
        """Warn the current user when they do not click with this customer."""
        self.ensure_one()
        if not self.id:
            return False
        mine = self.sudo().empathy_rapport_ids.filtered(
            lambda r: r.user_id == self.env.user and r.company_id in self.env.companies
        )
        if not mine or max(mine.mapped("fair_score")) >= LOW_RAPPORT:
            return False
        best = self.empathy_best_advisor_id
        if best and best != self.env.user:
            warning = self.env._(
                "Your rapport with this customer is low (%(mine)s / 5). %(best)s clicks"
                " better (%(score)s / 5): consider asking them to take over.",
                mine=self._empathy_format_score(max(mine.mapped("fair_score"))),
                best=best.name,
                score=self._empathy_format_score(self.empathy_best_rapport),
            )
            why = self._empathy_best_rapport_row().fair_explanation
            return "%s %s" % (warning, why) if why else warning
        return self.env._(
            "Your rapport with this customer is low (%s / 5).",
            self._empathy_format_score(max(mine.mapped("fair_score"))),
        )

    def _empathy_format_score(self, score):
        """Return a rapport score with one decimal in the user's language ("4,3" in German)."""
        return formatLang(self.env, score or 0.0, digits=1)

    def _empathy_best_rapport_row(self):
        """Return the best advisor's rapport row (sudo) in the current companies."""
        self.ensure_one()
        rows = self.sudo().empathy_rapport_ids.filtered(
            lambda r: (
                r.user_id == self.empathy_best_advisor_id and r.company_id in self.env.companies
            )
        )
        return rows.sorted("fair_score", reverse=True)[:1]

    # ------------------------------------------------------------------
    # rapport aggregates
    # ------------------------------------------------------------------
    def _empathy_refresh_rapport(self):
        """Recompute best advisor, best rapport, last date, mood trend and who clicks (1 query).

        Per company: each company's values come from its own rapport rows and
        impressions only, stored in the company-dependent (jsonb) columns. Best
        advisor: highest score, ties broken by more impressions, then the most recent.
        Mood trend: the mean mood of the last MOOD_WINDOW impressions against the
        MOOD_WINDOW before (index-only per partner and company: the newest rows only).
        Partners are locked in id order, so concurrent refreshes cannot deadlock.
        """
        if not self:
            return
        self.env["empathy.rapport"].flush_model()
        self.env["empathy.impression"].flush_model()
        fnames = list(RAPPORT_AGGREGATE_FIELDS)
        self.flush_recordset(fnames)
        ids = sorted(self.ids)
        # technical aggregates: one statement for all partners, no ORM write side effects
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
                    SELECT b.partner_id, b.company_id,
                           max(r.date) AS last,
                           avg(r.mood) FILTER (WHERE r.rn <= %(w)s) AS recent,
                           avg(r.mood) FILTER (WHERE r.rn > %(w)s) AS earlier
                      FROM best b
                      JOIN LATERAL (
                            SELECT i.date, i.mood,
                                   row_number() OVER (ORDER BY i.date DESC, i.id DESC) AS rn
                              FROM empathy_impression i
                             WHERE i.partner_id = b.partner_id
                               AND i.company_id = b.company_id
                          ORDER BY i.date DESC, i.id DESC
                             LIMIT 2 * %(w)s
                           ) r ON TRUE
                  GROUP BY b.partner_id, b.company_id
                ), per_company AS (
                    SELECT b.partner_id, b.company_id::text AS company,
                           b.user_id,
                           round(COALESCE(b.score, 0)::numeric, 2) AS score,
                           to_char(m.last, 'YYYY-MM-DD HH24:MI:SS') AS last,
                           CASE
                               WHEN m.partner_id IS NULL THEN NULL
                               WHEN m.earlier IS NULL THEN 'stable'
                               WHEN m.recent - m.earlier >= %(t)s THEN 'improving'
                               WHEN m.earlier - m.recent >= %(t)s THEN 'declining'
                               ELSE 'stable'
                           END AS trend
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
                w=MOOD_WINDOW,
                t=MOOD_THRESHOLD,
            )
        )
        self.invalidate_recordset(fnames)
        self.modified(fnames)

    @api.model
    def _empathy_click_sets_sql(self, condition):
        """Return the query of the click sets ``(partner_id, users)`` of the rapport
        rows matching ``condition``: ``{"company id": [advisors, fair rapport >= 4]}``."""
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
                """,
                clicks=self._empathy_click_sets_sql(SQL("TRUE")),
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model(["empathy_click_user_ids"])
        return count

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_empathy_impressions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm.empathy_impression_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # GDPR: export (Art. 15), erasure (Art. 17)
    # ------------------------------------------------------------------
    def _empathy_check_manager(self):
        if not self.env.user.has_group("empathic_crm.group_empathy_manager"):
            raise AccessError(
                self.env._(
                    "Only empathy managers can export or erase the empathy data of a person."
                )
            )

    def _empathy_export_data(self):
        """Return all empathy data of this person as a JSON-serialisable dict."""
        self.ensure_one()
        self._empathy_check_manager()
        self.check_access("read")
        partner = self.sudo()
        impressions = partner.empathy_impression_ids.filtered(
            lambda i: i.company_id in self.env.companies
        )
        rapports = partner.empathy_rapport_ids.filtered(
            lambda r: r.company_id in self.env.companies
        )
        return {
            "partner": {"id": partner.id, "name": partner.name, "email": partner.email or ""},
            "profile": {
                "motives": partner.empathy_motive_ids.mapped("name"),
                "values": partner.empathy_value_ids.mapped("name"),
                "why": partner.empathy_why or "",
                "communication_style": partner.empathy_communication_style or "",
                "temperament": partner.empathy_temperament or "",
                "preferred_channel": partner.empathy_preferred_channel or "",
                "personal_notes": partner.empathy_personal_notes or "",
                "objects_to_profiling": partner.empathy_objection,
                "best_advisor": partner.empathy_best_advisor_id.name or "",
                "best_rapport": partner.empathy_best_rapport,
                "mood_trend": partner.empathy_mood_trend or "",
                "last_impression_date": fields.Datetime.to_string(
                    partner.empathy_last_impression_date
                )
                or "",
            },
            "impressions": [
                {
                    "date": fields.Datetime.to_string(imp.date),
                    "advisor": imp.user_id.name,
                    "company": imp.company_id.name,
                    "channel": imp.channel,
                    "rapport": imp.rapport,
                    "mood": imp.mood,
                    "communication_style": imp.communication_style or "",
                    "motives": imp.motive_ids.mapped("name"),
                    "note": imp.note or "",
                    "summary": imp.summary or "",
                }
                for imp in impressions.sorted("date")
            ],
            "rapport": [
                {
                    "advisor": row.user_id.name,
                    "company": row.company_id.name,
                    "score": row.score,
                    "impressions": row.impression_count,
                    "last_date": fields.Datetime.to_string(row.last_date) or "",
                    "trend": row.trend or "",
                }
                for row in rapports
            ],
            "motive_evidence": partner._empathy_export_evidence(),
        }

    def _empathy_check_export_format(self, fmt):
        if fmt not in EXPORT_FORMATS:
            raise UserError(self.env._("Unknown export format %s: use json or csv.", fmt))

    def _empathy_export_file(self, fmt):
        """Return (content, mimetype, filename) of the export in ``json`` or ``csv``."""
        data = self._empathy_export_data()
        stem = "empathy-data-%s" % self.id
        if fmt == "json":
            content = json.dumps(data, indent=2, ensure_ascii=False)
            return content.encode(), "application/json", stem + ".json"
        self._empathy_check_export_format(fmt)
        sections = [("partner", data["partner"]), ("profile", data["profile"])]
        for label, key in (
            ("impression", "impressions"),
            ("rapport", "rapport"),
            ("motive evidence", "motive_evidence"),
        ):
            sections += [("%s %s" % (label, i), row) for i, row in enumerate(data.get(key, ()), 1)]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "field", "value"])
        for section, row in sections:
            for key, value in row.items():
                value = ", ".join(value) if isinstance(value, list) else value
                writer.writerow([section, key, _csv_safe(value)])
        return buffer.getvalue().encode(), "text/csv", stem + ".csv"

    def action_empathy_export(self, fmt="json"):
        """Download the person's empathy data as ``json`` or ``csv`` (GDPR Art. 15)."""
        self.ensure_one()
        self._empathy_check_manager()
        self._empathy_check_export_format(fmt)
        return {
            "type": "ir.actions.act_url",
            "url": "/empathic_crm/export/%s/%s" % (self.id, fmt),
            "target": "download",
        }

    def action_empathy_export_csv(self):
        """Download the person's empathy data as CSV."""
        return self.action_empathy_export("csv")

    def action_empathy_erase(self):
        """Erase impressions and profile of these persons (GDPR Art. 17)."""
        self._empathy_check_manager()
        self.check_access("write")
        for partner in self.sudo():
            partner.empathy_impression_ids.unlink()
            partner.write(self._empathy_erased_values())
            # the chatter is read by users without empathy access: no counts, no values
            partner.message_post(
                body=self.env._(
                    "Empathy data erased on request (GDPR Art. 17) by %(user)s.",
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @api.model
    def _empathy_erased_values(self):
        """Return the partner values that erase the empathy profile."""
        return {
            "empathy_motive_ids": [fields.Command.clear()],
            "empathy_motive_evidence_ids": [fields.Command.clear()],
            "empathy_value_ids": [fields.Command.clear()],
            "empathy_why": False,
            "empathy_communication_style": False,
            "empathy_temperament": False,
            "empathy_preferred_channel": False,
            "empathy_personal_notes": False,
        }

    # ------------------------------------------------------------------
    # listening: motive evidence (manual additions), stale motives
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if self._empathy_track_manual_evidence() and any(
            "empathy_motive_ids" in vals or "empathy_value_ids" in vals for vals in vals_list
        ):
            self.env["empathy.motive.evidence"]._empathy_record_manual(
                {
                    partner: (partner.empathy_motive_ids, partner.empathy_value_ids)
                    for partner in partners.sudo()
                    if partner.empathy_motive_ids or partner.empathy_value_ids
                }
            )
        return partners

    def write(self, vals):
        objection_changed = self._empathy_check_objection_change(vals)
        handover = "user_id" in vals and not self.env.context.get("empathy_no_handover")
        if handover:
            previous = {partner.id: partner.user_id for partner in self.sudo()}
        track = (
            "empathy_motive_ids" in vals or "empathy_value_ids" in vals
        ) and self._empathy_track_manual_evidence()
        if track:
            before = {
                partner.id: (partner.empathy_motive_ids, partner.empathy_value_ids)
                for partner in self.sudo()
            }
        res = super().write(vals)
        if "empathy_objection" in vals:  # neutral lead scoring factors at once (#20)
            self.env["crm.lead"]._empathy_scoring_refresh_partners(self.ids)
        if track:
            added = {}
            for partner in self.sudo():
                motives = partner.empathy_motive_ids - before[partner.id][0]
                values = partner.empathy_value_ids - before[partner.id][1]
                if motives or values:
                    added[partner] = (motives, values)
            self.env["empathy.motive.evidence"]._empathy_record_manual(added)
        if handover:
            self._empathy_handover(
                {
                    partner: (partner.user_id, previous[partner.id])
                    for partner in self.sudo()
                    if partner.user_id != previous[partner.id]
                }
            )
        if objection_changed:
            objection_changed._empathy_log_objection(bool(vals["empathy_objection"]))
        return res

    def _empathy_track_manual_evidence(self):
        """Return whether motives/values written now are a user's manual additions.

        System writes (impressions, campaigns, data files, sudo) record their own
        evidence or none.
        """
        return not self.env.su and not self.env.context.get("empathy_no_evidence")

    @api.depends("empathy_motive_evidence_ids")
    @api.depends_context("allowed_company_ids")
    def _compute_empathy_evidence_summary(self):
        rows_of = self._empathy_evidence_groups()
        sources = dict(
            self.env["empathy.motive.evidence"]._fields["source"]._description_selection(self.env)
        )
        head = Markup(
            "<table class='table table-sm o_empathy_evidence mb-0'><thead><tr>"
            "<th>%s</th><th>%s</th><th>%s</th><th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (
            self.env._("Motive or value"),
            self.env._("Latest evidence"),
            self.env._("Date"),
            self.env._("Times"),
        )
        for partner in self:
            rows = rows_of.get(partner.id)
            if not rows:
                partner.empathy_evidence_summary = False
                continue
            body = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    (latest.motive_id or latest.value_id).name,
                    " – ".join(filter(None, [sources.get(latest.source), latest.campaign_id.name])),
                    format_date(self.env, latest.date),
                    count,
                )
                for latest, count in rows
            )
            partner.empathy_evidence_summary = head + body + Markup("</tbody></table>")

    def _empathy_evidence_groups(self):
        """Return {partner id: [(latest evidence, count)]}, one row per motive or value."""
        if not self.ids:
            return {}
        evidence = (
            self.env["empathy.motive.evidence"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.ids),
                    ("company_id", "in", self.env.companies.ids),
                ],
                order="date desc, id desc",
            )
        )
        groups = {}
        for row in evidence:  # newest first: the first row of a key is its latest
            key = (row.partner_id.id, row.motive_id.id, row.value_id.id)
            if key in groups:
                groups[key][1] += 1
            else:
                groups[key] = [row, 1]
        result = {}
        for (partner_id, _motive, _value), (latest, count) in sorted(
            groups.items(),
            key=lambda item: (
                bool(item[1][0].value_id),
                (item[1][0].motive_id or item[1][0].value_id).name or "",
            ),
        ):
            result.setdefault(partner_id, []).append((latest, count))
        return result

    def _empathy_export_evidence(self):
        """Return the motive evidence of this person for the GDPR export."""
        self.ensure_one()
        sources = dict(
            self.env["empathy.motive.evidence"]._fields["source"]._description_selection(self.env)
        )
        evidence = self.sudo().empathy_motive_evidence_ids.filtered(
            lambda e: e.company_id in self.env.companies
        )
        return [
            {
                "date": fields.Datetime.to_string(row.date),
                "motive": row.motive_id.name or "",
                "value": row.value_id.name or "",
                "source": sources.get(row.source, row.source),
                "strength": row.strength,
                "campaign": row.campaign_id.name or "",
                "recorded_by": row.user_id.name or "",
                "company": row.company_id.name,
            }
            for row in evidence.sorted("date")
        ]

    def _empathy_briefing_motives(self):
        """Return the motives for the briefing; those not heard for months are flagged."""
        self.ensure_one()
        motives = self.empathy_motive_ids
        if not motives:
            return ""
        Evidence = self.env["empathy.motive.evidence"]
        partner = self._origin
        last_heard = Evidence._empathy_last_heard(partner) if partner else {}
        stale_after = Evidence._empathy_stale_months()
        now = fields.Datetime.now()
        names = []
        for motive in motives:
            date = last_heard.get((partner.id, motive.id))
            months = Evidence._empathy_months_ago(date, now) if date else 0
            if date and months >= stale_after:
                names.append(
                    self.env._(
                        "%(motive)s (last heard %(months)s months ago — check if still true)",
                        motive=motive.name,
                        months=months,
                    )
                )
            else:
                names.append(motive.name)
        return ", ".join(names)

    # ------------------------------------------------------------------
    # listening: silent customers
    # ------------------------------------------------------------------
    @api.model
    def _cron_empathy_silent_customers(self):
        """Daily: flag the customers who buy but have gone silent."""
        self._empathy_compute_silent()

    @api.model
    def _empathy_silent_periods(self):
        """Return (bought since, no contact since) of the silent-customer rule."""
        months = get_int_param(self.env, SILENT_MONTHS_PARAM, DEFAULT_SILENT_MONTHS)
        days = get_int_param(self.env, SILENT_DAYS_PARAM, DEFAULT_SILENT_DAYS)
        now = fields.Datetime.now()
        return now - relativedelta(months=months), now - relativedelta(days=days)

    @api.model
    def _empathy_compute_silent(self):
        """Flag silent customers and store their recent revenue, in one SQL statement.

        Silent: a confirmed order in the last N months, but no impression, no message
        written by them (email or comment) and no activity on them (open, or done in
        the last M days); contacts objecting to profiling are never flagged.
        Set-based: the same queries for one partner or a million.
        """
        bought_since, contact_since = self._empathy_silent_periods()
        for model, names in (
            (
                "sale.order",
                [
                    "partner_id",
                    "company_id",
                    "state",
                    "date_order",
                    "amount_untaxed",
                    "currency_rate",
                ],
            ),
            ("empathy.impression", ["partner_id", "company_id", "date"]),
            (
                "mail.message",
                ["author_id", "message_type", "model", "res_id", "date", "mail_activity_type_id"],
            ),
            ("mail.activity", ["res_model", "res_id", "active", "date_done"]),
            (
                "res.partner",
                [
                    "active",
                    "empathy_objection",
                    "commercial_partner_id",
                    "empathy_silent",
                    "empathy_silent_since",
                    "empathy_recent_revenue",
                ],
            ),
        ):
            self.env[model].flush_model(names)
        self.env.cr.execute(
            SQL(
                """
                WITH buyers AS (
                    SELECT so.partner_id, so.company_id,
                           SUM(so.amount_untaxed
                               / COALESCE(NULLIF(so.currency_rate, 0), 1.0)) AS revenue
                      FROM sale_order so
                     WHERE so.state = 'sale' AND so.date_order >= %(bought_since)s
                  GROUP BY so.partner_id, so.company_id
                ),
                shared AS (
                    -- contact signals that belong to no company: messages, activities
                    SELECT partner_id, max(date) AS date
                      FROM (
                            SELECT msg.author_id AS partner_id, msg.date
                              FROM mail_message msg
                             WHERE msg.author_id IN (SELECT partner_id FROM buyers)
                               AND msg.message_type IN ('email', 'comment')
                         UNION ALL
                            SELECT msg.res_id, msg.date
                              FROM mail_message msg
                             WHERE msg.model = 'res.partner'
                               AND msg.res_id IN (SELECT partner_id FROM buyers)
                               AND msg.mail_activity_type_id IS NOT NULL
                         UNION ALL
                            SELECT act.res_id, act.date_done::timestamp
                              FROM mail_activity act
                             WHERE act.res_model = 'res.partner'
                               AND act.res_id IN (SELECT partner_id FROM buyers)
                               AND NOT act.active AND act.date_done IS NOT NULL
                           ) signs
                  GROUP BY partner_id
                ),
                own AS (
                    -- impressions count for the company that recorded them; the newest
                    -- one per buyer through (partner_id, date DESC): no history read
                    SELECT b.partner_id, b.company_id, last.date
                      FROM buyers b
                CROSS JOIN LATERAL (
                            SELECT imp.date
                              FROM empathy_impression imp
                             WHERE imp.partner_id = b.partner_id
                               AND imp.company_id = b.company_id
                          ORDER BY imp.date DESC
                             LIMIT 1
                           ) last
                ),
                planned AS (
                    SELECT DISTINCT act.res_id AS partner_id
                      FROM mail_activity act
                     WHERE act.res_model = 'res.partner' AND act.active
                       AND act.res_id IN (SELECT partner_id FROM buyers)
                ),
                result AS (
                    SELECT b.partner_id, b.company_id, b.revenue,
                           NULLIF(GREATEST(COALESCE(o.date, '-infinity'),
                                           COALESCE(s.date, '-infinity')),
                                  '-infinity') AS last_contact
                      FROM buyers b
                 LEFT JOIN own o ON o.partner_id = b.partner_id
                                AND o.company_id = b.company_id
                 LEFT JOIN shared s ON s.partner_id = b.partner_id
                ),
                flagged AS (
                    SELECT r.partner_id,
                           jsonb_object_agg(
                               r.company_id::text,
                               (p.active
                                AND NOT COALESCE(p.empathy_objection, FALSE)
                                AND NOT COALESCE(cp.empathy_objection, FALSE)
                                AND pl.partner_id IS NULL
                                AND (r.last_contact IS NULL
                                     OR r.last_contact < %(contact_since)s))
                           ) AS silent,
                           jsonb_strip_nulls(jsonb_object_agg(
                               r.company_id::text,
                               to_char(r.last_contact, 'YYYY-MM-DD HH24:MI:SS')
                           )) AS since,
                           jsonb_object_agg(r.company_id::text, round(r.revenue::numeric, 2))
                               AS revenue
                      FROM result r
                      JOIN res_partner p ON p.id = r.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 LEFT JOIN planned pl ON pl.partner_id = r.partner_id
                  GROUP BY r.partner_id
                ),
                reset AS (
                    UPDATE res_partner p
                       SET empathy_silent = NULL,
                           empathy_silent_since = NULL,
                           empathy_recent_revenue = NULL
                     WHERE (p.empathy_silent IS NOT NULL
                            OR p.empathy_recent_revenue IS NOT NULL
                            OR p.empathy_silent_since IS NOT NULL)
                       -- hashed: an anti-join against the CTE would loop (buyers x flags)
                       AND p.id NOT IN (SELECT f.partner_id FROM flagged f)
                )
                UPDATE res_partner p
                   SET empathy_silent = f.silent,
                       empathy_silent_since = NULLIF(f.since, '{}'::jsonb),
                       empathy_recent_revenue = f.revenue
                  FROM flagged f
                 WHERE p.id = f.partner_id
                   AND (p.empathy_silent IS DISTINCT FROM f.silent
                        OR p.empathy_silent_since IS DISTINCT FROM NULLIF(f.since, '{}'::jsonb)
                        OR p.empathy_recent_revenue IS DISTINCT FROM f.revenue)
                """,
                bought_since=bought_since,
                contact_since=contact_since,
            )
        )
        self.env["res.partner"].invalidate_model(
            ["empathy_silent", "empathy_silent_since", "empathy_recent_revenue"]
        )
        return True

    def action_empathy_schedule_call(self):
        """Schedule a call with each of these customers (the note points to the briefing).

        Assigned to the customer's best advisor, else their salesperson, else the
        current user. No call for contacts objecting to profiling, and none where a
        call is already open.
        """
        if not self.env.user.has_group(EMPATHY_GROUP):
            raise AccessError(self.env._("Only sales users can schedule these calls."))
        self.check_access("read")
        call_type = self.env.ref("mail.mail_activity_data_call")
        partners = self.sudo()
        objecting = partners.filtered(
            lambda p: p.empathy_objection or p.commercial_partner_id.empathy_objection
        )
        candidates = partners - objecting
        open_calls = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", candidates.ids),
                    ("activity_type_id", "=", call_type.id),
                ]
            )
        )
        busy = candidates.browse(list(set(open_calls.mapped("res_id"))))
        to_call = candidates - busy
        model_id = self.env["ir.model"]._get_id("res.partner")
        self.env["mail.activity"].sudo().create(
            [partner._empathy_prepare_call_values(call_type, model_id) for partner in to_call]
        )
        messages = [self.env._("%s call(s) scheduled.", len(to_call))]
        if busy:
            messages.append(self.env._("%s already had an open call.", len(busy)))
        if objecting:
            messages.append(self.env._("%s object to profiling: no call.", len(objecting)))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if to_call else "warning",
                "message": " ".join(messages),
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _empathy_call_user(self):
        """Return who calls this customer: best advisor, else salesperson, else me."""
        self.ensure_one()
        return self.empathy_best_advisor_id or self.user_id or self.env.user

    def _empathy_prepare_call_values(self, call_type, model_id):
        """Return the values of the call activity scheduled with this silent customer."""
        self.ensure_one()
        user = self._empathy_call_user()
        # the note ends up in the chatter, which users without empathy access read:
        # no empathy data in it; the briefing is on the contact's Empathy tab
        intro = self.env._(
            "Check in with %(customer)s. Read the briefing on the contact's Empathy tab"
            " before you call.",
            customer=self.display_name,
        )
        return {
            "res_model_id": model_id,
            "res_id": self.id,
            "activity_type_id": call_type.id,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
            "summary": self.env._("Check in with %s", self.display_name),
            "note": Markup("<p>%s</p>") % intro,
        }

    # ------------------------------------------------------------------
    # compact briefing: where the salesperson acts (pipeline, dialog, composer,
    # calendar, activity popovers, handover)
    # ------------------------------------------------------------------
    @api.depends_context("lang", "uid", "allowed_company_ids")
    @api.depends(
        "empathy_communication_style",
        "empathy_temperament",
        "empathy_preferred_channel",
        "empathy_motive_ids",
        "empathy_personal_notes",
        "empathy_best_advisor_id",
        "empathy_best_rapport",
        "empathy_mood_trend",
        "empathy_last_impression_date",
        "empathy_objection",
        "commercial_partner_id.empathy_objection",
    )
    def _compute_empathy_briefing_compact(self):
        compact = self._empathy_briefing_compact_map()
        for partner in self:
            partner.empathy_briefing_compact = compact[partner]

    def _empathy_is_objecting(self):
        """Return whether this person (or their company) objects to profiling."""
        self.ensure_one()
        return bool(self.empathy_objection or self.commercial_partner_id.empathy_objection)

    def _empathy_is_profiled(self):
        """Return whether anything empathy-related is known (an objection counts)."""
        self.ensure_one()
        # columns first: the motives cost a query (for all partners at once)
        return bool(
            self.empathy_objection
            or self.empathy_last_impression_date
            or self.empathy_communication_style
            or self.empathy_temperament
            or self.empathy_personal_notes
            or self.empathy_motive_ids
        )

    def _empathy_tone_hint(self):
        """Return the one-line style hint, e.g. for the email composer ('' if unknown)."""
        self.ensure_one()
        style = {
            "factual": self.env._("Fact-oriented: lead with figures"),
            "emotional": self.env._("Emotion-oriented: tell a story, show the product in use"),
            "mixed": self.env._("Mixed: a story first, then two or three facts"),
        }
        temperament = {
            "easy": self.env._("easy-going: a relaxed, personal tone"),
            "neutral": self.env._("neutral: friendly and to the point"),
            "demanding": self.env._("demanding: confirm in writing"),
        }
        parts = [
            part
            for part in (
                style.get(self.empathy_communication_style),
                temperament.get(self.empathy_temperament),
            )
            if part
        ]
        hint = "; ".join(parts)
        return hint[:1].upper() + hint[1:]

    def _empathy_last_impressions(self, limit=1):
        """Return {partner id: the newest ``limit`` impressions of the user's companies}.

        One query for all partners (index on partner and date), plus one to read them.
        """
        ids = [pid for pid in self._origin.ids if pid]
        Impression = self.env["empathy.impression"].sudo()
        if not ids:
            return {}
        Impression.flush_model(["partner_id", "company_id", "date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id
                  FROM unnest(%(ids)s::int[]) AS p(id)
                  JOIN LATERAL (
                        SELECT i.id, i.date
                          FROM empathy_impression i
                         WHERE i.partner_id = p.id
                           AND (i.company_id IS NULL OR i.company_id = ANY(%(companies)s))
                      ORDER BY i.date DESC, i.id DESC
                         LIMIT %(limit)s
                       ) r ON TRUE
              ORDER BY r.date DESC, r.id DESC
                """,
                ids=ids,
                companies=self.env.companies.ids,
                limit=limit,
            )
        )
        impressions = Impression.browse([row[0] for row in self.env.cr.fetchall()])
        impressions.fetch(["partner_id", "user_id", "date", "rapport", "mood", "note"])
        impressions.user_id.mapped("name")
        result = {}
        for impression in impressions:
            result.setdefault(impression.partner_id.id, Impression.browse())
            result[impression.partner_id.id] |= impression
        return result

    def _empathy_format_date(self, value):
        """Return ``value`` (a UTC datetime) as a date in the user's timezone and format."""
        return format_date(self.env, fields.Datetime.context_timestamp(self, value))

    def _empathy_format_score(self, score):
        """Return a rapport score in the user's number format, e.g. 4.5 or 4,5."""
        return formatLang(self.env, score, digits=1)

    def _empathy_impression_line(self, impression):
        """Return 'date, advisor: ★★★★☆ 🙂 note' for one impression."""
        note = (impression.note or "").strip()
        if len(note) > 90:
            note = note[:89] + "…"
        return self.env._(
            "%(date)s, %(advisor)s: %(stars)s %(face)s %(note)s",
            date=self._empathy_format_date(impression.date),
            advisor=impression.user_id.name,
            stars="★" * impression.rapport + "☆" * (5 - impression.rapport),
            face=MOOD_FACES.get(impression.mood, ""),
            note=note,
        ).strip()

    def _empathy_briefing_compact_map(self):
        """Return {partner: compact briefing (Markup)} as seen by the current user.

        Set-based: a constant number of queries whatever the number of partners
        (motives, when they were heard, my rapport, the last impressions).
        """
        ids = [pid for pid in self._origin.ids if pid]
        Evidence = self.env["empathy.motive.evidence"]
        last_heard = Evidence._empathy_last_heard(self.browse(ids)) if ids else {}
        stale_after = Evidence._empathy_stale_months()
        mine = {}
        if ids:
            rows = (
                self.env["empathy.rapport"]
                .sudo()
                .search_fetch(
                    [
                        ("partner_id", "in", ids),
                        ("user_id", "=", self.env.uid),
                        ("company_id", "=", self.env.company.id),
                    ],
                    ["partner_id", "score"],
                )
            )
            mine = {row.partner_id.id: row.score for row in rows}
        last = self._empathy_last_impressions(limit=1)
        # prefetch what the loop reads, one query per relation
        self.mapped("empathy_motive_ids.name")
        self.mapped("empathy_best_advisor_id.name")
        channels = dict(self._fields["empathy_preferred_channel"]._description_selection(self.env))
        trends = dict(self._fields["empathy_mood_trend"]._description_selection(self.env))
        trend_icons = {
            "improving": "fa-arrow-up text-success",
            "stable": "fa-arrow-right text-muted",
            "declining": "fa-arrow-down text-danger",
        }
        now = fields.Datetime.now()

        def line(icon, label, value):
            return Markup(
                "<div class='o_empathy_compact_line'><i class='fa fa-fw %s' aria-hidden='true'></i>"
                " <strong>%s</strong> %s</div>"
            ) % (icon, label, value)

        result = {}
        for partner in self:
            pid = partner._origin.id
            if partner._empathy_is_objecting():
                result[partner] = Markup(
                    "<div class='o_empathy_briefing_compact o_empathy_objecting text-warning'>"
                    "<i class='fa fa-fw fa-ban' aria-hidden='true'></i> %s</div>"
                ) % self.env._("Objects to profiling")
                continue
            lines = []
            tone = partner._empathy_tone_hint()
            channel = channels.get(partner.empathy_preferred_channel)
            if channel:
                prefers = self.env._("prefers %s", channel)
                tone = "%s; %s" % (tone, prefers) if tone else prefers[:1].upper() + prefers[1:]
            if tone:
                lines.append(
                    Markup(
                        "<div class='o_empathy_compact_line o_empathy_tone'>"
                        "<i class='fa fa-fw fa-comments-o' aria-hidden='true'></i> %s</div>"
                    )
                    % tone
                )
            motives = []
            for motive in partner.empathy_motive_ids:
                date = last_heard.get((pid, motive.id))
                if not date:
                    motives.append(motive.name)
                    continue
                text = self.env._(
                    "%(motive)s (%(date)s)",
                    motive=motive.name,
                    date=self._empathy_format_date(date),
                )
                if Evidence._empathy_months_ago(date, now) >= stale_after:
                    motives.append(
                        Markup("<span class='text-warning' title='%s'>%s</span>")
                        % (self.env._("Not heard for a while: check if still true"), text)
                    )
                else:
                    motives.append(text)
            if motives:
                lines.append(
                    line("fa-bullseye", self.env._("Motives:"), Markup(", ").join(motives))
                )
            if partner.empathy_personal_notes:
                lines.append(
                    line(
                        "fa-sticky-note-o", self.env._("Remember:"), partner.empathy_personal_notes
                    )
                )
            rapport = []
            if pid in mine:
                rapport.append(self.env._("yours %s / 5", self._empathy_format_score(mine[pid])))
            best = partner.empathy_best_advisor_id
            if best:
                rapport.append(
                    self.env._(
                        "best advisor %(advisor)s (%(score)s / 5)",
                        advisor=self.env._("you") if best == self.env.user else best.name,
                        score=self._empathy_format_score(partner.empathy_best_rapport),
                    )
                )
            if rapport:
                lines.append(line("fa-handshake-o", self.env._("Rapport:"), " · ".join(rapport)))
            if partner.empathy_mood_trend:
                lines.append(
                    line(
                        trend_icons[partner.empathy_mood_trend],
                        self.env._("Mood trend:"),
                        trends[partner.empathy_mood_trend],
                    )
                )
            if last.get(pid):
                lines.append(
                    line(
                        "fa-clock-o",
                        self.env._("Last impression:"),
                        self._empathy_impression_line(last[pid][0]),
                    )
                )
            if not lines:
                lines.append(
                    Markup("<div class='o_empathy_compact_line text-muted'>%s</div>")
                    % self.env._("Nothing known yet.")
                )
            result[partner] = Markup("<div class='o_empathy_briefing_compact'>%s</div>") % Markup(
                ""
            ).join(lines)
        return result

    # ------------------------------------------------------------------
    # handover: a new salesperson gets a To-Do with the briefing
    # ------------------------------------------------------------------
    def _empathy_handover(self, changes):
        """Give each new salesperson a To-Do on the contact, once.

        ``changes`` maps a partner to (new user, previous user). The To-Do's summary
        and note stay neutral (anyone who reads the contact reads them); the briefing
        and the last impressions are shown through ``mail.activity.empathy_briefing``,
        guarded by the empathy group. Nothing for contacts without a profile, for
        those objecting to profiling, nor when users hand over to themselves; none
        at all with ``empathy_no_handover`` in the context (imports, migrations).
        """
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not todo or self.env.context.get("empathy_no_handover"):
            return self.env["mail.activity"]
        changes = {
            partner: (new, old)
            for partner, (new, old) in changes.items()
            if new
            and not new.share
            and new != self.env.user
            and partner._empathy_is_profiled()
            and not partner._empathy_is_objecting()
        }
        if not changes:
            return self.env["mail.activity"]
        Activity = self.env["mail.activity"].sudo()
        partners = self.browse([partner.id for partner in changes])
        open_todos = Activity.search_fetch(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("empathy_handover", "=", True),
            ],
            ["res_id", "user_id"],
        )
        existing = {(act.res_id, act.user_id.id) for act in open_todos}
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner, (new, old) in changes.items():
            if (partner.id, new.id) in existing:
                continue
            existing.add((partner.id, new.id))
            partner_lang = partner.with_context(lang=new.lang or self.env.lang)
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": todo.id,
                    "user_id": new.id,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": partner_lang.env._("Handover: get to know %s", partner.display_name),
                    "note": Markup("<p>%s</p>")
                    % partner_lang.env._(
                        "You are now the salesperson for this contact. Read the briefing"
                        " shown with this To-Do before your first contact."
                    ),
                    "empathy_handover": True,
                    "empathy_previous_user_id": old.id,
                }
            )
        return Activity.create(vals_list)


def _csv_safe(value):
    """Return ``value`` so that spreadsheets show it as text, never run it as a formula.

    Like Odoo's own export: a leading ``'`` before ``= + - @``, tab and carriage return.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
