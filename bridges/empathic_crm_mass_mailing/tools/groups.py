# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The bridge's security group for Python code (defined in
``security/empathic_crm_mass_mailing_security.xml``; readme/SECURITY.md)."""

from odoo.addons.empathic_crm.tools.groups import EMPATHY_USER_GROUP

#: selects mailing recipients by kinds of customers; implied by Empathy users
MARKETING_GROUP = "empathic_crm_mass_mailing.group_empathy_marketing"
#: ``groups=`` of what marketers may use: the kinds of customers (the main addon's
#: group first, so that its leak test still finds the field guarded)
KIND_GROUPS = f"{EMPATHY_USER_GROUP},{MARKETING_GROUP}"


def is_marketer(env):
    """Return whether ``env`` may select recipients by kinds (the superuser may)."""
    return env.su or env.user.has_group(MARKETING_GROUP)


def is_empathy_user(env):
    """Return whether ``env`` reads the whole profile (the superuser does)."""
    return env.su or env.user.has_group(EMPATHY_USER_GROUP)
