# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fields of a contact whose values live on rows of another model.

The profile (``empathy.profile``), the impressions, the motive evidence and the
rapport rows (and the per-company figures, ``empathy.partner.stat``) are rows of
their own models, protected by their access rights and record rules. The contact
reaches them through non-stored fields, computed as the current user; searching such
a field is a search on the rows the user may read, so that a row the user may not see
(another company, a person who objects) counts as no row at all:

- ``visible_rows_domain``: the ``search=`` of a one2many to such rows. Odoo 18
  compiles ``(one2many, '=', False)`` and ``(one2many, 'in', ids)`` of a *stored*
  one2many without the comodel's access rights and record rules (only ``any`` and
  string conditions search the comodel): "has an impression" would tell a
  salesperson that a person who objects was profiled, or a portal user that a
  contact has empathy data. A computed one2many searched through this function
  answers every operator from ``comodel._search`` (access rights and rules);
- ``delegated_domain``: the ``search=`` of a field showing a value of the row
  (``empathy_why``): ``(empathy_profile_ids, 'any', [condition])``, or the contacts
  without a visible row when an empty row satisfies the condition.
"""

from collections import defaultdict
from collections.abc import Set

from odoo import api, fields
from odoo.tools.query import Query

from . import compat


def visible_rows(owners, comodel, inverse_name):
    """Return {owner id: rows}: the rows of ``comodel`` whose ``inverse_name`` is one of
    ``owners`` and that the user of ``comodel``'s environment may read (one query).

    Searched rather than read through a stored one2many: the one2many's value in cache
    may come from another user's read (a superuser's); the search applies the user's
    access rights and record rules.
    """
    owner_ids = [owner_id for owner_id in owners._origin.ids if owner_id]
    rows = comodel.search_fetch([(inverse_name, "in", owner_ids)], [inverse_name])
    result = defaultdict(comodel.browse)
    for row in rows:
        result[row[inverse_name].id] |= row
    return result


def split_no_entry(value):
    """Return ``(ids, no_entry)`` of an ``in``-style operand: its ids, and whether
    "no entry" (``False``/``None``) is among its values (Odoo 19.0 passes ``= False``
    as ``in [False]``). A subquery (``Query``) is returned as is."""
    if isinstance(value, Query):
        return value, False
    values = list(value) if isinstance(value, (list, tuple, Set)) else [value]
    ids = [item for item in values if item is not False and item is not None]
    return ids, len(ids) < len(values)


def visible_rows_domain(comodel, inverse_name, operator, value):
    """Return the owner's domain for ``(one2many, operator, value)`` evaluated on the
    rows the user may read (``comodel`` with the user's environment).

    Odoo's meaning of each operator on a one2many, on the visible rows only: ``=
    False`` no row, ``!= False`` some row, ``in`` ids (or a subquery, as Odoo 18.0
    passes ``any``) some of these rows, ``not in`` none of them, a string the rows'
    names, ``any`` a domain of the rows (or a subquery), ``not any`` none of them.
    Odoo 19.0 passes its conditions normalised: ``= False`` as ``in [False]``, a
    name as ``any`` of a domain on the rows' names, ``in`` a subquery as ``any``.
    """
    negative = operator in compat.negative_term_operators() or operator == "not any"
    positive = compat.term_operator_negation(operator) if negative else operator
    if operator in ("any", "not any"):
        rows = comodel._search([("id", "in", value)] if isinstance(value, Query) else value)
    elif value is False or value is None:
        rows = comodel._search([])
        negative = not negative
    elif isinstance(value, str) and positive != "in":
        rows = comodel._search([("display_name", positive, value)])
    else:
        ids, no_row_asked = split_no_entry(value)
        if no_row_asked:
            no_row = "!=" if negative else "="
            parts = [visible_rows_domain(comodel, inverse_name, no_row, False)]
            if ids:
                parts.append(visible_rows_domain(comodel, inverse_name, operator, ids))
            return (compat.domain_and if negative else compat.domain_or)(parts)
        rows = comodel._search([("id", "in", ids)])
    owners = rows.subselect(comodel._field_to_sql(rows.table, inverse_name, rows))
    return [("id", "not in" if negative else "in", owners)]


def empty_row_matches(comodel, condition):
    """Return whether a row without any value satisfies ``condition`` (a domain).

    Evaluated by Odoo itself (``filtered_domain`` on a new, empty record of the
    comodel): no value of any real row is read. A subquery (which Odoo passes for
    ``any`` and paths) contains no value of an empty row: a relation is never in it,
    so the empty row satisfies exactly the negative operators.
    """
    [(fname, operator, value)] = condition
    if isinstance(value, Query):
        field = comodel._fields[fname]
        return field.type in ("one2many", "many2many") and operator in (
            compat.negative_term_operators()
        )
    try:
        return bool(comodel.new({}).filtered_domain(condition))
    except (ValueError, TypeError, KeyError):
        return False


def delegated_domain(one2many, comodel, fname, operator, value, scope=()):
    """Return the domain of the owner for ``(fname, operator, value)`` on its rows.

    :param one2many: name of the owner's one2many to the rows (``empathy_profile_ids``)
    :param comodel: the rows' model (an empty recordset, with the user's environment)
    :param scope: a domain choosing the row that counts (e.g. the current company);
        it must choose at most one row per owner

    An owner matches when the row that counts (visible to the user) satisfies the
    condition, or, when it has no such row, when an empty row would: a hidden row
    (another company, a person who objects) answers exactly as no row.

    When an empty row satisfies the condition, the owner matches unless its row
    fails it: one ``not any`` on the negated condition (Odoo's negation of a term is
    its exact complement, NULL included), not the ``any`` or ``not any`` of the scope
    (an ``OR`` of two subqueries, which PostgreSQL cannot turn into joins: a big
    ``NOT IN`` then no longer fits in memory and is scanned once per owner).
    """
    condition = [(fname, operator, value)]
    scope = list(scope)
    if not empty_row_matches(comodel, condition):
        return [(one2many, "any", compat.domain_and([scope, condition]) if scope else condition)]
    negation = compat.term_operator_negation(operator)
    if negation:
        fails = [(fname, negation, value)]
        return [(one2many, "not any", compat.domain_and([scope, fails]) if scope else fails)]
    matches = [(one2many, "any", compat.domain_and([scope, condition]) if scope else condition)]
    return compat.domain_or([matches, [(one2many, "not any", scope)]])


def visible_one2many(comodel_name, inverse_name, name, **kwargs):
    """Return a one2many ``name`` of the rows of ``comodel_name`` the user may read.

    Non-stored, computed and searched as the current user (``visible_rows``,
    ``visible_rows_domain``); the model defines ``_compute_<name>`` and
    ``_search_<name>`` with ``visible_one2many_methods``. Read-only: the rows are
    written on their own model.
    """
    return fields.One2many(
        comodel_name,
        inverse_name,
        compute=f"_compute_{name}",
        search=f"_search_{name}",
        **kwargs,
    )


def visible_one2many_methods(name, comodel_name, inverse_name):
    """Return the (compute, search) methods of ``visible_one2many(..., name)``."""

    @api.depends_context("uid", "allowed_company_ids")
    def compute(self):
        rows = visible_rows(self, self.env[comodel_name], inverse_name)
        empty = self.env[comodel_name]
        for owner in self:
            owner[name] = rows.get(owner._origin.id, empty)

    def search(self, operator, value):
        return visible_rows_domain(self.env[comodel_name], inverse_name, operator, value)

    compute.__name__ = f"_compute_{name}"
    search.__name__ = f"_search_{name}"
    return compute, search
