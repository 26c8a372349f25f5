# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Contacts by their normalised keys (VAT, phone, mobile, name): the indexes that
serve them and the one query that reads them (``tools/contact_keys.py``)."""

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index

from ..tools.contact_keys import KEY_COLUMNS, KEY_INDEXES


class ResPartner(models.Model):
    _inherit = "res.partner"

    def init(self):
        res = super().init()
        # the intake matches contacts by these keys: an index each, not a scan of
        # every contact with three regular expressions per row
        for name, (column, twin) in KEY_INDEXES.items():
            create_index(
                self.env.cr, name, self._table, [twin.format(column)], where=f"{column} IS NOT NULL"
            )
        return res

    # ------------------------------------------------------------------
    # Raw SQL (contacts by key): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_sql_ids_by_keys(self, keys, cr=None, active_only=True):
        """Return the ids of the contacts with one of ``keys`` ({kind: keys}, kinds of
        ``KEY_COLUMNS``: ``email``, ``vat``, ``phone``, ``name``).

        Raw SQL: the ORM cannot compare a column's normalised key. One ``SELECT``
        with an arm per column whose keys are given, ``<key of column> =
        ANY(keys)``: each arm reads its partial expression index (``KEY_INDEXES``;
        a key of NULL is NULL, so PostgreSQL knows the column is set). Flush: ``vat``, ``phone``,
        ``mobile``, ``name``, ``email_normalized``, ``active`` (on this cursor).
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
            self.flush_model(["vat", "phone", "mobile", "name", "email_normalized", "active"])
            cr = self.env.cr
        cr.execute(query)
        return [partner_id for (partner_id,) in cr.fetchall()]

    @api.model
    def _empathy_ids_by_keys_query(self, keys, active_only=True):
        """Return the query of ``_empathy_sql_ids_by_keys`` (None: no key given)."""
        arms = []
        for kind, columns in KEY_COLUMNS.items():
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
