# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's figures per company become rows of ``empathy.partner.stat``.

Until 18.0.1.4.x they were company-dependent (jsonb keyed by company) columns of
``res_partner``, with GIN and per-company expression indexes. The rows are filled
from their sources, as the addon keeps them: the rapport refresh for every contact
with rapport (in batches) and the silent-customer job. Then the old columns and
their indexes are dropped (the click sets of *I click with them* too: the filter
searches the rapport rows).
"""

from odoo import SUPERUSER_ID, api
from odoo.tools import SQL

#: the former company-dependent columns of res_partner
OLD_COLUMNS = (
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_silent",
    "empathy_silent_since",
    "empathy_recent_revenue",
    "empathy_click_user_ids",
)
#: contacts refreshed per statement
BATCH = 5000


def fill_partner_stats(env):
    """Fill the rows from the rapport rows and the orders; return the contacts refreshed."""
    env.cr.execute("SELECT DISTINCT partner_id FROM empathy_rapport ORDER BY partner_id")
    ids = [row[0] for row in env.cr.fetchall()]
    Partner = env["res.partner"].with_context(active_test=False)
    for start in range(0, len(ids), BATCH):
        Partner.browse(ids[start : start + BATCH])._empathy_refresh_rapport()
        env.invalidate_all()
    Partner._empathy_compute_silent()
    return len(ids)


def drop_old_columns(cr):
    """Drop the former jsonb columns of res_partner and their indexes."""
    cr.execute(
        r"""
        SELECT indexname FROM pg_indexes
         WHERE tablename = 'res_partner'
           AND (indexname ~ '^res_partner_empathy_[a-z_]+_gin_idx$'
                OR indexname ~ '^res_partner_empathy_[a-z_]+_c\d+_cov_idx$')
        """
    )
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
    for column in OLD_COLUMNS:
        # any other index on the column goes with it
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN IF EXISTS %s", SQL.identifier(column)))


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    fill_partner_stats(env)
    drop_old_columns(cr)
