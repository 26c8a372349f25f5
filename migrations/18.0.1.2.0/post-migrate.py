# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Set the empathy factors of the open leads (new columns start neutral).

Won and lost leads keep the neutral values: what the contact looks like today is not
what it looked like when they closed, and the lead scoring must not learn from that.
"""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["crm.lead"]._cron_empathy_scoring_refresh()
