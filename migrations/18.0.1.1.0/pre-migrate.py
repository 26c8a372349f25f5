# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Partner aggregates become per company (company-dependent jsonb columns).

PostgreSQL has no cast from int4/float/timestamp/bool to jsonb: empty the columns
here; post-migrate recomputes them from the impressions, per company.
"""

from odoo.tools import SQL

COLUMNS = (
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_silent",
    "empathy_silent_since",
    "empathy_recent_revenue",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS res_partner_empathy_low_rapport_idx")
    # a many2one column carries a foreign key, which a jsonb column cannot
    cr.execute(
        "ALTER TABLE res_partner DROP CONSTRAINT IF EXISTS res_partner_empathy_best_advisor_id_fkey"
    )
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_name = 'res_partner' AND column_name = ANY(%s)
              AND data_type <> 'jsonb'""",
        [list(COLUMNS)],
    )
    for (column,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"res_partner__{column}_index")))
        # a many2one's foreign key cannot stay on a jsonb column
        cr.execute(
            SQL(
                "ALTER TABLE res_partner DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(f"res_partner_{column}_fkey"),
            )
        )
        cr.execute(
            SQL(
                "ALTER TABLE res_partner ALTER COLUMN %s TYPE jsonb USING NULL::jsonb",
                SQL.identifier(column),
            )
        )
