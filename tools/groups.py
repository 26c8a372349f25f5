# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The module's security groups for Python code: their xml ids and the manager check,
written once (not a model). The groups are defined in
``security/empathic_crm_security.xml``.
"""

from odoo.exceptions import AccessError

#: reads the empathy data of the company, records own impressions
EMPATHY_USER_GROUP = "empathic_crm.group_empathy_user"
#: all empathy data of the company: rules, rapport, export and erasure
EMPATHY_MANAGER_GROUP = "empathic_crm.group_empathy_manager"


def is_empathy_manager(env):
    """Return whether ``env`` acts as an empathy manager (the superuser does).

    The one manager check of the addon: everything empathy managers alone may do or
    see asks this function (or ``check_empathy_manager``).
    """
    return env.su or env.user.has_group(EMPATHY_MANAGER_GROUP)


def check_empathy_manager(env, message):
    """Raise ``AccessError(message)`` unless the current user is an empathy manager."""
    if not is_empathy_manager(env):
        raise AccessError(message)
