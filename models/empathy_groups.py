# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The addon's security groups: their XML ids and the manager check, written once."""

from odoo.exceptions import AccessError

EMPATHY_USER_GROUP = "empathic_crm.group_empathy_user"
EMPATHY_MANAGER_GROUP = "empathic_crm.group_empathy_manager"


def check_empathy_manager(env, message):
    """Raise ``AccessError(message)`` unless the current user is an empathy manager."""
    if not env.su and not env.user.has_group(EMPATHY_MANAGER_GROUP):
        raise AccessError(message)
