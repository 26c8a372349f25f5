# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The xml ids of the module's security groups, for Python code (not a model).

The groups are defined in ``security/empathic_crm_security.xml``.
"""

#: reads the empathy data of the company, records own impressions
EMPATHY_USER_GROUP = "empathic_crm.group_empathy_user"
#: all empathy data of the company: rules, rapport, export and erasure
EMPATHY_MANAGER_GROUP = "empathic_crm.group_empathy_manager"
