# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""*Protect advisors*: no per-advisor totals or averages in grouped reports.

The settings themselves (keys, types, defaults) are listed in ``tools/params.py``;
the names below are kept for the modules that import them from here.
"""

from . import params

#: imported from here by res_partner_silent.py
get_int_param = params.get_int_param

PROTECT_ADVISORS_PARAM = params.PROTECT_ADVISORS.key
MIN_IMPRESSIONS_PARAM = params.ASSIGN_MIN_IMPRESSIONS.key
DEFAULT_MIN_IMPRESSIONS = params.ASSIGN_MIN_IMPRESSIONS.default
#: figures that become a per-advisor total or average when grouped by advisor only
MEASURE_TYPES = ("integer", "float", "monetary")


def protect_advisor_groups(model, groups, groupby, orderby):
    """Blank per-advisor totals and averages of ``read_group`` results (in place).

    With the setting *Protect advisors*, groups by advisor (``user_id``) without the
    customer carry their count only: rapport describes pairs, not performance.
    Returns the ``orderby`` to use (no ordering by a blanked figure).
    """
    names = {spec.split(":")[0] for spec in ([groupby] if isinstance(groupby, str) else groupby)}
    if (
        "user_id" not in names
        or "partner_id" in names
        or model.env.su
        or not params.get(model.env, params.PROTECT_ADVISORS)
    ):
        return orderby
    for group in groups or ():
        for key in group:
            field = model._fields.get(key)
            if field is not None and field.type in MEASURE_TYPES:
                group[key] = False
    if orderby and any(
        getattr(model._fields.get(term.split()[0].split(":")[0]), "type", None) in MEASURE_TYPES
        for term in orderby.split(",")
        if term.strip()
    ):
        return False
    return orderby


def protected_read_group(model, read_group, domain, fields, groupby, offset, limit, orderby, lazy):
    """Return ``read_group(...)`` (the model's ``super().read_group``) with the
    per-advisor figures blanked by ``protect_advisor_groups``."""
    specs = [groupby] if isinstance(groupby, str) else list(groupby or ())
    specs = specs[:1] if lazy else specs
    orderby = protect_advisor_groups(model, None, specs, orderby)
    groups = read_group(
        domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy
    )
    protect_advisor_groups(model, groups, specs, orderby)
    return groups
