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


def check_empathy_manager(env, message):
    """Raise ``AccessError(message)`` unless the current user is an empathy manager."""
    if not env.su and not env.user.has_group(EMPATHY_MANAGER_GROUP):
        raise AccessError(message)
