# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Contacts by their normalised keys (VAT, phone and mobile, name): the indexes that
serve them and the one query that reads them (``tools/contact_keys.py``). The phone
columns are the series' (``compat.partner_phone_fields()``: no ``mobile`` on 19.0)."""

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, drop_index

from ..tools import compat
from ..tools.contact_keys import ALL_PHONE_COLUMNS, key_columns, key_indexes


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        res = super().init()
        # the intake matches contacts by these keys: an index each, not a scan of
        # every contact with three regular expressions per row
        indexes = key_indexes(compat.partner_phone_fields())
        for name, (column, twin) in indexes.items():
            create_index(
                self.env.cr, name, self._table, [twin.format(column)], where=f"{column} IS NOT NULL"
            )
        # a column this series no longer has (mobile, in a database upgraded to 19.0)
        for name in key_indexes(ALL_PHONE_COLUMNS).keys() - indexes.keys():
            drop_index(self.env.cr, name, self._table)
        return res

    # ------------------------------------------------------------------
    # Raw SQL (contacts by key): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_sql_ids_by_keys(self, keys, cr=None, active_only=True):
        """Return the ids of the contacts with one of ``keys`` ({kind: keys}, kinds of
        ``key_columns``: ``email``, ``vat``, ``phone``, ``name``).

        Raw SQL: the ORM cannot compare a column's normalised key. One ``SELECT``
        with an arm per column whose keys are given, ``<key of column> =
        ANY(keys)``: each arm reads its partial expression index (``key_indexes``;
        a key of NULL is NULL, so PostgreSQL knows the column is set). Flush: ``vat``, the
        phone columns, ``name``, ``email_normalized``, ``active`` (on this cursor).
        Cache, ``modified()``, write date: nothing to take over, read-only. Record
        rules and companies: none here; callers apply them with a ``search`` on the
        ids (or mean all contacts: a concurrent duplicate, whoever may see it).
        ``cr``: another cursor (a fresh snapshot). Speed: benchmarks/README.md,
        *Intake contact matching*.
        """
        query = self._empathy_ids_by_keys_query(keys, active_only)
        if query is None:
            return []
        if cr is None:
            self.flush_model(
                ["vat", *compat.partner_phone_fields(), "name", "email_normalized", "active"]
            )
            cr = self.env.cr
        cr.execute(query)
        return [partner_id for (partner_id,) in cr.fetchall()]

    @api.model
    def _empathy_ids_by_keys_query(self, keys, active_only=True):
        """Return the query of ``_empathy_sql_ids_by_keys`` (None: no key given)."""
        arms = []
        for kind, columns in key_columns(compat.partner_phone_fields()).items():
            values = sorted(keys.get(kind) or ())
            if not values:
                continue
            for column, twin in columns:
                # the column and its twin are constants of tools/contact_keys.py
                arms.append(SQL("%s = ANY(%s)", SQL(twin.format(column)), values))
        if not arms:
            return None
        return SQL(
            "SELECT id FROM res_partner WHERE %s(%s)",
            SQL("active AND ") if active_only else SQL(),
            SQL(" OR ").join(arms),
        )
