# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Reading the module's settings (system parameters)."""


def get_int_param(env, key, default, minimum=1):
    """Return the integer system parameter ``key`` (``default`` when unset or invalid)."""
    value = env["ir.config_parameter"].sudo().get_param(key, default)
    try:
        return max(minimum, int(value))
    except (TypeError, ValueError):
        return default


PROTECT_ADVISORS_PARAM = "empathic_crm.protect_advisors"
#: *Assign to best advisor* (wizard): the best advisor's impressions of a customer
#: needed before the customer is moved
MIN_IMPRESSIONS_PARAM = "empathic_crm.assign_min_impressions"
DEFAULT_MIN_IMPRESSIONS = 3
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
        or not model.env["ir.config_parameter"].sudo().get_param(PROTECT_ADVISORS_PARAM)
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
