# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Move the empathy profiles from the contacts' columns to ``empathy.profile`` rows.

Up to 18.0.1.4.x the profile was columns of ``res_partner`` (``empathy_why``,
``empathy_communication_style``, ...) and the relation tables
``res_partner_empathy_motive_rel`` / ``res_partner_empathy_value_rel``. Every contact
with any profile value gets one row (with its motives and values), then the old
columns and tables are dropped. Set-based (four statements whatever the number of
contacts); a row already written during the update (demo data) is completed, not
duplicated.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

#: old column of res_partner -> column of empathy_profile
COLUMNS = {
    "empathy_why": "why",
    "empathy_communication_style": "communication_style",
    "empathy_temperament": "temperament",
    "empathy_preferred_channel": "preferred_channel",
    "empathy_personal_notes": "personal_notes",
}
#: old relation table -> (new relation table, column of the motive or value)
RELATIONS = {
    "res_partner_empathy_motive_rel": ("empathy_profile_motive_rel", "motive_id"),
    "res_partner_empathy_value_rel": ("empathy_profile_value_rel", "value_id"),
}


def migrate(cr, version):
    if not version:
        return
    migrate_profiles(cr)


def migrate_profiles(cr):
    """Create the profile rows from the old columns and tables, then drop those."""
    columns = {old: new for old, new in COLUMNS.items() if column_exists(cr, "res_partner", old)}
    relations = {old: new for old, new in RELATIONS.items() if table_exists(cr, old)}
    if not columns and not relations:
        return
    has_value = [SQL("p.%s IS NOT NULL", SQL.identifier(old)) for old in columns]
    has_value += [
        SQL("EXISTS (SELECT 1 FROM %s r WHERE r.partner_id = p.id)", SQL.identifier(old))
        for old in relations
    ]
    cr.execute(
        SQL(
            """
            INSERT INTO empathy_profile (partner_id, company_id, %(new)s
                                         create_uid, create_date, write_uid, write_date)
            SELECT p.id, p.company_id, %(old)s
                   1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
              FROM res_partner p
             WHERE %(has_value)s
             ORDER BY p.id
                ON CONFLICT (partner_id) DO UPDATE SET %(fill)s
            """,
            new=SQL("").join(SQL("%s, ", SQL.identifier(new)) for new in columns.values()),
            old=SQL("").join(SQL("p.%s, ", SQL.identifier(old)) for old in columns),
            has_value=SQL(" OR ").join(has_value),
            # a row written during the update keeps its values, gains the old ones
            fill=SQL(", ").join(
                [
                    SQL(
                        "%s = COALESCE(empathy_profile.%s, EXCLUDED.%s)",
                        SQL.identifier(new),
                        SQL.identifier(new),
                        SQL.identifier(new),
                    )
                    for new in columns.values()
                ]
                or [SQL("partner_id = EXCLUDED.partner_id")]
            ),
        )
    )
    for old, (new, column) in relations.items():
        cr.execute(
            SQL(
                """
                INSERT INTO %(new)s (profile_id, %(column)s)
                SELECT pr.id, r.%(column)s
                  FROM %(old)s r
                  JOIN empathy_profile pr ON pr.partner_id = r.partner_id
                    ON CONFLICT DO NOTHING
                """,
                new=SQL.identifier(new),
                old=SQL.identifier(old),
                column=SQL.identifier(column),
            )
        )
    for old in relations:
        cr.execute(SQL("DROP TABLE %s", SQL.identifier(old)))
        cr.execute("DELETE FROM ir_model_relation WHERE name = %s", [old])
    for old in columns:
        cr.execute(SQL("ALTER TABLE res_partner DROP COLUMN %s", SQL.identifier(old)))
