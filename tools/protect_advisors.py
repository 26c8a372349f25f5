# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""*Protect advisors*: no per-advisor totals or averages in grouped reports.

The guard sits where every grouping of both series ends, the grouping methods that
Odoo's public ones call (``compat.grouping_methods()``): ``_read_group`` (18.0's
``read_group`` and ``web_read_group``; 19.0's ``read_group``, ``web_read_group`` and
``formatted_read_group``) and, on 19.0, ``_read_grouping_sets`` (the pivot view's
``formatted_read_grouping_sets``). A public method of either series cannot pass by
it. The models call ``guarded_read_group`` and ``guarded_read_grouping_sets`` from
their overrides (``empathy.impression``, ``empathy.rapport``, ``empathy.kind.rapport``).

The settings themselves (keys, types, defaults) are listed in ``tools/params.py``;
the names below are kept for the modules that import them from here.
"""

from odoo.exceptions import AccessError

from . import params

#: imported from here by res_partner_silent.py
get_int_param = params.get_int_param

PROTECT_ADVISORS_PARAM = params.PROTECT_ADVISORS.key
MIN_IMPRESSIONS_PARAM = params.ASSIGN_MIN_IMPRESSIONS.key
DEFAULT_MIN_IMPRESSIONS = params.ASSIGN_MIN_IMPRESSIONS.default
#: figures that become a per-advisor total or average when grouped by advisor only
MEASURE_TYPES = ("integer", "float", "monetary")
#: the value of a blanked figure (what ``read_group`` showed for it since 1.0)
BLANK = False


def _spec_path(spec):
    """``"user_id.login:max"`` → ``["user_id", "login"]`` (groupby, aggregate or order
    term without its direction)."""
    return spec.strip().split()[0].split(":")[0].split(".") if spec.strip() else []


def _is_measure(model, spec):
    """Whether ``spec`` (``"score:avg"``, ``"score"``) aggregates a figure."""
    path = _spec_path(spec)
    if not path or path == ["id"] or path[0].startswith("__"):
        return False  # __count, id:count_distinct: counts stay
    for name in path[:-1]:
        field = model._fields.get(name)
        if field is None or not field.relational:
            return False
        model = model.env[field.comodel_name]
    field = model._fields.get(path[-1])
    return field is not None and field.type in MEASURE_TYPES


def advisor_grouping(model, groupby, exempt=()):
    """Return whether grouping ``model`` by ``groupby`` makes per-advisor figures that
    *Protect advisors* blanks: grouped by the advisor (``user_id``, or a field of it),
    not by the customer (``partner_id``) nor by a groupby of ``exempt`` (the kinds of
    the rapport by kind of customer), setting on, not a superuser environment."""
    paths = [_spec_path(spec) for spec in groupby]
    if (
        model.env.su
        or not any(path and path[0] == "user_id" for path in paths)
        or ["partner_id"] in paths
        or any(path and path[0] in exempt for path in paths)
    ):
        return False
    return params.get(model.env, params.PROTECT_ADVISORS)


def blank_rows(model, rows, aggregates, offset):
    """Return ``rows`` (tuples: ``offset`` groupby values, then one value per spec of
    ``aggregates``) with the figures among ``aggregates`` blanked."""
    blanked = [offset + index for index, spec in enumerate(aggregates) if _is_measure(model, spec)]
    if not blanked:
        return rows
    result = []
    for row in rows:
        row = list(row)
        for index in blanked:
            row[index] = BLANK
        result.append(tuple(row))
    return result


def guarded_order(model, order, groupby):
    """Return ``order`` without the terms that sort by a figure (a ranking of the
    advisors by it is the figure); None when no term is left (Odoo then sorts by the
    groupby)."""
    if not order:
        return order
    kept = [
        term
        for term in order.split(",")
        if term.strip() and (term.strip().split()[0] in groupby or not _is_measure(model, term))
    ]
    return ",".join(kept) or None


def check_having(model, having):
    """Refuse a condition on the figures of a per-advisor grouping (``having``: a list
    domain or a 19.0 ``Domain``); it would tell them by which advisors are left."""
    if not having:
        return
    if isinstance(having, (list, tuple)):
        specs = [leaf[0] for leaf in having if isinstance(leaf, (list, tuple)) and leaf]
    else:  # 19.0 Domain
        specs = [condition.field_expr for condition in having.iter_conditions()]
    if any(_is_measure(model, spec) for spec in specs if isinstance(spec, str)):
        raise AccessError(
            model.env._(
                "With the setting Protect advisors, groups by advisor cannot be filtered"
                " by their totals or averages."
            )
        )


def guarded_read_group(
    model, read_group, domain, groupby, aggregates, having, offset, limit, order, exempt=()
):
    """Return ``read_group(...)`` (the model's ``super()._read_group``) with the
    per-advisor figures blanked (``advisor_grouping``)."""
    groupby, aggregates = tuple(groupby), tuple(aggregates)
    if not aggregates or not advisor_grouping(model, groupby, exempt):
        return read_group(
            domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )
    check_having(model, having)
    rows = read_group(
        domain,
        groupby,
        aggregates,
        having=having,
        offset=offset,
        limit=limit,
        order=guarded_order(model, order, groupby),
    )
    return blank_rows(model, rows, aggregates, len(groupby))


def guarded_read_grouping_sets(
    model, read_grouping_sets, domain, grouping_sets, aggregates, order, exempt=()
):
    """Return ``read_grouping_sets(...)`` (19.0's ``super()._read_grouping_sets``, one
    list of rows per grouping set) with the figures of the per-advisor sets blanked."""
    grouping_sets = [tuple(groupby) for groupby in grouping_sets]
    aggregates = tuple(aggregates)
    protected = [
        bool(aggregates) and advisor_grouping(model, groupby, exempt) for groupby in grouping_sets
    ]
    if any(protected):
        every_groupby = {spec for groupby in grouping_sets for spec in groupby}
        order = guarded_order(model, order, every_groupby)
    results = read_grouping_sets(domain, grouping_sets, aggregates=aggregates, order=order)
    return [
        blank_rows(model, rows, aggregates, len(groupby)) if guard else rows
        for groupby, guard, rows in zip(grouping_sets, protected, results, strict=True)
    ]
