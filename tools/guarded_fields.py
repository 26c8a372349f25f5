# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Which fields hold empathy data: those whose ``groups=`` name an empathy group.

Odoo itself enforces the groups (reading, writing, searching, grouping and ordering a
stored column); the self-discovering leak test (``tests/test_leaks.py``) finds the
fields to attack with this test.
"""

#: groups= of this module protect empathy data
GUARDED_GROUP_PREFIX = "empathic_crm."


def is_guarded(field):
    """Return whether ``field`` is protected by an empathy group."""
    return bool(field.groups) and GUARDED_GROUP_PREFIX in field.groups
