# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Reading the module's settings (system parameters)."""


def get_int_param(env, key, default, minimum=1):
    """Return the integer system parameter ``key`` (``default`` when unset or invalid)."""
    value = env["ir.config_parameter"].sudo().get_param(key, default)
    try:
        return max(minimum, int(value))
    except (TypeError, ValueError):
        return default
