# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fill the contacts' click sets (*I click with them*) from the rapport rows."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["res.partner"]._empathy_fill_click_sets()
