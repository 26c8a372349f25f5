# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fields of a contact whose values live on rows of another model.

The profile (``empathy.profile``) and the per-company figures
(``empathy.partner.stat``) are rows of their own models, protected by their access
rights and record rules. The contact shows them through non-stored fields of the same
names as before; searching such a field is a search on the rows through the contact's
one2many, so that Odoo applies the rows' record rules inside the ``any`` subquery: a
row the user may not see counts as no row at all.
"""

from odoo.osv import expression


def empty_row_matches(comodel, condition):
    """Return whether a row without any value satisfies ``condition`` (a domain).

    Evaluated by Odoo itself (``filtered_domain`` on a new, empty record of the
    comodel): no value of any real row is read.
    """
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
        return [(one2many, "any", expression.AND([scope, condition]) if scope else condition)]
    negation = expression.TERM_OPERATORS_NEGATION.get(operator)
    if negation:
        fails = [(fname, negation, value)]
        return [(one2many, "not any", expression.AND([scope, fails]) if scope else fails)]
    matches = [(one2many, "any", expression.AND([scope, condition]) if scope else condition)]
    return expression.OR([matches, [(one2many, "not any", scope)]])
