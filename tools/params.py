# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Every system parameter (``ir.config_parameter``) of the addon, with its type and
default, and how to read it: one place.

The settings screen (``res_config_settings.py``) declares its fields from these
entries, the data file ``data/ir_config_parameter_data.xml`` writes the defaults of
some of them (a test checks that its values are these defaults), and the code reads
them with ``get(env, PARAM)``. A key of the addon written anywhere else is a bug
(``tests/test_vocabulary.py`` looks for one).
"""

from typing import NamedTuple

from .fair import DEFAULT_SHRINKAGE


class Param(NamedTuple):
    """One system parameter of the addon."""

    key: str
    #: ``int``, ``float``, ``bool`` or ``str``
    type: type
    default: object
    #: numbers below this read as the minimum (``None``: no minimum)
    minimum: float | None = None
    #: what it decides
    meaning: str = ""
    #: state kept by the code, not a setting of the settings screen
    internal: bool = False


HALF_LIFE = Param(
    "empathic_crm.rapport_half_life_days",
    float,
    180,
    minimum=1,
    meaning="days after which an impression weighs half in the rapport score",
)
SHRINKAGE = Param(
    "empathic_crm.rapport_shrinkage",
    int,
    DEFAULT_SHRINKAGE,
    minimum=0,
    meaning="pseudo-impressions of no difference that the fair rapport starts from",
)
RETENTION_MONTHS = Param(
    "empathic_crm.retention_months",
    int,
    24,
    minimum=1,
    meaning="months impressions are kept before the daily job deletes them",
)
AUTO_SUGGEST = Param(
    "empathic_crm.auto_suggest",
    bool,
    False,
    meaning="refresh a quotation's empathic suggestions whenever its lines change",
)
PROTECT_ADVISORS = Param(
    "empathic_crm.protect_advisors",
    bool,
    False,
    meaning="reports show no totals or averages per advisor",
)
ASSIGN_MIN_IMPRESSIONS = Param(
    "empathic_crm.assign_min_impressions",
    int,
    3,
    minimum=1,
    meaning="impressions the best advisor needs before *Assign to best advisor* moves a customer",
)
STALE_MONTHS = Param(
    "empathic_crm.motive_stale_months",
    int,
    12,
    minimum=1,
    meaning="months after which the briefing flags a motive nobody has heard of",
)
SILENT_MONTHS = Param(
    "empathic_crm.silent_purchase_months",
    int,
    12,
    minimum=1,
    meaning="silent customers: a confirmed order within this many months",
)
SILENT_DAYS = Param(
    "empathic_crm.silent_days",
    int,
    90,
    minimum=1,
    meaning="silent customers: no contact for this many days",
)
REBUILD_ALL_PENDING = Param(
    "empathic_crm.rapport_rebuild_all_pending",
    bool,
    False,
    meaning="a manager asked to rebuild every rapport row (the scheduled rebuild marks them)",
    internal=True,
)
RESCALE_PENDING = Param(
    "empathic_crm.rapport_rescale_pending",
    bool,
    False,
    meaning="the fair scores must all be rewritten (the shrinkage setting changed)",
    internal=True,
)

#: {key: Param}: every parameter of the addon
PARAMS = {
    param.key: param
    for param in (
        HALF_LIFE,
        SHRINKAGE,
        RETENTION_MONTHS,
        AUTO_SUGGEST,
        PROTECT_ADVISORS,
        ASSIGN_MIN_IMPRESSIONS,
        STALE_MONTHS,
        SILENT_MONTHS,
        SILENT_DAYS,
        REBUILD_ALL_PENDING,
        RESCALE_PENDING,
    )
}


def parse(param, value):
    """Return ``value`` (a stored string, or None) as ``param``'s type; the default
    when unset or invalid, the minimum when below it."""
    if value is None or value is False or value == "":
        return param.default
    if param.type is bool:
        return str(value).strip().lower() not in ("0", "false", "no", "off", "")
    if param.type is str:
        return str(value)
    try:
        number = param.type(value)
    except (TypeError, ValueError):
        try:  # "180.0" for an int
            number = param.type(float(value))
        except (TypeError, ValueError):
            return param.default
    if param.minimum is not None and number < param.minimum:
        return param.type(param.minimum)
    return number


def get(env, param):
    """Return the value of ``param`` (a ``Param``) in ``env``'s database (sudo)."""
    return parse(param, env["ir.config_parameter"].sudo().get_param(param.key))


def get_int_param(env, key, default, minimum=1):
    """Return the integer system parameter ``key`` (``default`` when unset or invalid).

    Kept for the callers that name a key and default themselves; prefer ``get``.
    """
    return parse(
        Param(key, int, default, minimum=minimum), env["ir.config_parameter"].sudo().get_param(key)
    )
