# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Searching the contact's rapport aggregates fast: per-company expression indexes,
index-friendly SQL for their conditions, *I click with them* answered by the click sets
(called by orm_overrides.py).

Raw SQL throughout (listed in readme/DEVELOPMENT.md): leaves of the ORM's own search
(flushed through ``to_flush``, record rules and companies the ORM's) and the indexes
they need (DDL in ``init``).
"""

import json
from dataclasses import dataclass

from odoo import api, models
from odoo.osv import expression
from odoo.tools import SQL, Query
from odoo.tools.sql import create_index

from .empathy_fair import CLICK_SCORE

#: company-dependent aggregates searched by equality: jsonb containment, GIN index
EMPATHY_CONTAINMENT_FIELDS = ("empathy_mood_trend", "empathy_silent")
#: company-dependent records searched by id (one value among many advisors):
#: per-company expression index, whose statistics PostgreSQL estimates from
EMPATHY_KEY_FIELDS = ("empathy_best_advisor_id",)
#: company-dependent numbers searched by range: per-company expression index
EMPATHY_RANGE_FIELDS = ("empathy_best_rapport",)


@dataclass(frozen=True)
class ClickedBy:
    """Value of the leaf ``("empathy_click_user_ids", "=", ClickedBy(...))``.

    Only ``res.partner._empathy_click_domain`` makes it, from the filter *I click
    with them* of the user's own rapport: a domain sent over RPC cannot carry it, so
    the technical field cannot be used to learn other advisors' pairs.
    """

    user_id: int
    company_ids: tuple


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        res = super().init()
        # indexes of earlier versions are dropped by migrations/18.0.1.4.0
        for fname in (*EMPATHY_CONTAINMENT_FIELDS, "empathy_click_user_ids"):
            create_index(
                self.env.cr,
                f"res_partner_{fname}_gin_idx",
                self._table,
                [f'"{fname}" jsonb_path_ops'],
                method="gin",
            )
        # raw SQL: every company, whatever the installing user's companies and
        # rules (the indexes are per company); read-only, during init
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

        Raw SQL (DDL and catalog reads): nothing to flush or invalidate, no rule.
        Speed: *best advisor = me* 7.6 / 8.1 ms and *low rapport* 11.4 / 12.6 ms at
        200,000 / 1,000,000 contacts against 64.5 / 62.0 ms for core's *salesperson
        = me* (benchmarks/README.md, *What was changed for speed*).
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
            # not odoo.tools.sql.create_index: it cannot, it has no INCLUDE (Odoo
            # 18.0: expressions, method and WHERE only); with the columns of the
            # standard contact rules (archived, company, shared) a filter's count
            # reads the index only, not thousands of table pages (best advisor = me:
            # 1.8 ms instead of 22 ms at 1M contacts, benchmarks/README.md); the
            # existence check is one query for all names (create_index: one each)
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

        SQL fragments (a leaf of the ORM's search, listed in readme/DEVELOPMENT.md):
        the column is flushed through ``to_flush``; record rules, active test and
        companies stay the ORM's (the leaf reads the current company's key, like
        Odoo's own condition on a company-dependent field); the field's read access
        is checked here. Speed: see ``_empathy_create_company_indexes``; *mood
        declining* 32.9 ms at 200,000 contacts against 64.5 ms for core's
        *salesperson = me*.
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
        A fragment of the ORM's search (flush through ``to_flush``, rules the ORM's;
        the companies are the user's allowed ones, as the rapport rules show).
        Speed: 17.9 / 26.7 ms at 200,000 / 1,000,000 contacts, from 390 ms at 1M
        through the rapport rows (benchmarks/README.md).
        """
        column = SQL.identifier(
            alias, "empathy_click_user_ids", to_flush=self._fields["empathy_click_user_ids"]
        )
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
            # as the guard of models/base_field_guard.py does for protected leaves
            "|",
            ("company_id", "=", False),
            ("company_id", "in", list(companies)),
        ]

    @api.model
    def _empathy_click_domain(self, domain):
        """Return ``domain`` with *I click with them* answered by the click sets.

        *I click with them* (the user's own fair rapport at least 4) becomes a test of
        the contact's click set (``_empathy_click_leaves``), ordered or not. Runs
        before the field guard (which would turn the leaf into a rapport subquery).
        """
        if not any(
            isinstance(leaf, (list, tuple)) and len(leaf) == 3 and leaf[0] == "empathy_rapport_ids"
            for leaf in domain
        ):
            return domain
        rewritten = []
        for leaf in domain:
            click = isinstance(leaf, (list, tuple)) and self._empathy_click_leaves(leaf)
            if click:
                rewritten.extend(click)
            else:
                rewritten.append(leaf)
        return rewritten

    @api.model
    def _empathy_rapport_domain(self, domain):
        """Return ``domain`` of an unordered search with the rapport leaves as id lists.

        For unordered searches (``search_count``, subqueries): the ORM's ``id IN
        (subquery)`` lets PostgreSQL choose between a scan of all partners and the
        rapport index by its cost settings (the index only with a low
        ``random_page_cost``). ``id IN (SELECT unnest(ARRAY(subquery)))`` runs the
        rapport subquery (same domain, same access rules) first, on its index, and
        fetches the partners by primary key: the same records, one plan. Ordered
        searches (a list page) keep the ORM's form: PostgreSQL walks the index of the
        list order and probes the hashed subquery until the page is full. Runs after
        the field guard (orm_overrides.py), on what the guard left as ``any``.
        """
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
