# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Drop the indexes of earlier versions that the models no longer create.

- ``res_partner_empathy_best_advisor_id_gin_idx``: 18.0.1.2.0 searched the best
  advisor by containment (PostgreSQL estimated it badly); an expression index now;
- ``res_partner_<field>_c<company>_idx`` / ``..._expr_idx``: the partial per-company
  indexes of 18.0.1.2.0 (no statistics); covering expression indexes now;
- ``empathy_rapport_user_score_idx``: the raw score's index, the fair score's now.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        r"""
        SELECT indexname FROM pg_indexes
         WHERE (tablename = 'res_partner'
                AND (indexname = 'res_partner_empathy_best_advisor_id_gin_idx'
                     OR indexname ~ '^res_partner_empathy_best_(advisor_id|rapport)_c\d+(_expr)?_idx$'))
            OR (tablename = 'empathy_rapport' AND indexname = 'empathy_rapport_user_score_idx')
        """
    )
    for (name,) in cr.fetchall():
        cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier(name)))
