# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Interaction intake: which contact a row is about (key normalisation, matching, creation).

A row names its contact by id, or by email, VAT, phone or name: compared by their
normalised keys (``tools/contact_keys.py``: email normalized, phone and VAT by their
digits and letters only, name without case), the most reliable first, each read
through its index (``res_partner_contact_keys.py``). Nobody matches: the contact is created, once per batch. New
contacts are created under a transaction-level advisory lock per normalised key
(email, VAT, phone, name), so concurrent callers create one contact.
"""

from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL

from ..tools import compat
from ..tools.contact_keys import name_key, phone_key, vat_key

#: advisory lock namespace (first key of ``pg_advisory_xact_lock(int, int)``) of the
#: creators of contacts, by normalised key
PARTNER_LOCK_NAMESPACE = 0x454D5031  # "EMP1"


class EmpathyInteractionIntake(models.AbstractModel):
    _inherit = "empathy.interaction.intake"

    @api.model
    def _empathy_resolve_partners(self, rows):
        """Set ``partner``: found by id, email, VAT, phone or name; else created once."""
        Partner = self.env["res.partner"]
        by_id, by_key = {}, {}
        ids = {row["partner_id"] for row in rows if row["partner_id"]}
        if ids:
            by_id = {partner.id: partner for partner in Partner.search([("id", "in", list(ids))])}
        searching = [row for row in rows if not row["partner_id"]]
        keys = {
            "email": {row["email_key"] for row in searching if row["email_key"]},
            "vat": {row["vat_key"] for row in searching if row["vat_key"]},
            "phone": {row["phone_key"] for row in searching if row["phone_key"]},
            # a name only when nothing else identifies the contact
            "name": {
                name_key(row["name"])
                for row in searching
                if not (row["email_key"] or row["vat_key"] or row["phone_key"])
            },
        }
        by_name = defaultdict(list)
        candidates = Partner._empathy_sql_ids_by_keys(keys)
        # the user's access rules: a contact they cannot see is not matched
        for partner in Partner.search([("id", "in", candidates)], order="id") if candidates else ():
            if partner.email_normalized:
                by_key.setdefault(("email", partner.email_normalized), partner)
            if partner.vat:
                by_key.setdefault(("vat", vat_key(partner.vat)), partner)
            for fname in compat.partner_phone_fields():
                if partner[fname]:
                    by_key.setdefault(("phone", phone_key(partner[fname])), partner)
            if name_key(partner.name) in keys["name"]:
                by_name[name_key(partner.name)].append(partner)

        to_create = []  # [{"vals": ..., "rows": [...]}], one per new contact
        for row in rows:
            if row["partner_id"]:
                row["partner"] = by_id.get(row["partner_id"])
                if not row["partner"]:
                    row["error"] = self.env._(
                        "The contact #%s does not exist or you may not see it.", row["partner_id"]
                    )
                continue
            keys = _partner_keys(row) or [("name", name_key(row["name"]))]
            partner = next((by_key[key] for key in keys if key in by_key), None)
            if isinstance(partner, dict):  # created for an earlier row of this batch
                partner["rows"].append(row)
                partner["keys"].update(keys)
                for key, value in self._empathy_partner_values(row).items():
                    partner["vals"].setdefault(key, value)  # complete, never overwrite
                for key in keys:
                    by_key.setdefault(key, partner)
                continue
            if not partner and keys[0][0] == "name":
                matches = by_name.get(keys[0][1], [])
                if len(matches) > 1:
                    row["error"] = self.env._(
                        "%(count)s contacts are called %(name)s: identify the contact by"
                        " email, phone, VAT or partner_id.",
                        count=len(matches),
                        name=row["name"],
                    )
                    continue
                partner = matches[0] if matches else None
            if partner:
                row["partner"] = partner
                continue
            entry = {"vals": self._empathy_partner_values(row), "rows": [row], "keys": set(keys)}
            to_create.append(entry)
            for key in keys:
                by_key.setdefault(key, entry)
        if to_create:
            self._empathy_lock_partner_keys(to_create)
            self._empathy_create_partners(to_create)

    @api.model
    def _empathy_lock_partner_keys(self, entries):
        """Serialise the creators of the same new contact; retry if one got there first.

        Takes a transaction-level advisory lock per normalised key (email, VAT, phone,
        name), in a fixed order, then looks in a fresh snapshot for a contact with one
        of these keys that this transaction cannot see: a concurrent creator committed
        it after our snapshot was taken. The request is then retried (and finds it).
        While the locks are held, nobody else creates a contact with these keys.
        """
        self._empathy_sql_lock_keys(
            sorted({f"{kind}:{key}" for entry in entries for kind, key in entry["keys"]})
        )
        self.env["res.partner"].flush_model(
            ["email_normalized", "vat", *compat.partner_phone_fields(), "name"]
        )
        visible = self._empathy_partner_ids_by_keys(self.env.cr, entries)
        with self.env.registry.cursor() as fresh:
            committed = self._empathy_partner_ids_by_keys(fresh, entries)
        if committed - visible:
            self._empathy_retry_request(
                "contact created concurrently (%s): retrying the request"
                % sorted(committed - visible)
            )

    @api.model
    def _empathy_partner_values(self, row):
        """Return the values of the contact created for a row nobody matches."""
        vals = {"name": row["name"] or row["email"] or row["phone"] or row["vat"]}
        for key in ("email", "phone", "vat"):
            if row[key]:
                vals[key] = row[key]
        return vals

    @api.model
    def _empathy_create_partners(self, entries):
        """Create the new contacts in one go; row by row only when that fails."""
        Partner = self.env["res.partner"].with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        if not Partner.has_access("create"):
            message = self.env._("You may not create contacts: ask an administrator for the right.")
            for entry in entries:
                for row in entry["rows"]:
                    row["error"] = message
            return
        try:
            with self.env.cr.savepoint():
                partners = Partner.create([entry["vals"] for entry in entries])
        except Exception as error:  # find the failing ones
            self._empathy_raise_if_retryable(error)
            partners = None
        for index, entry in enumerate(entries):
            partner = partners[index] if partners is not None else None
            if partner is None:
                try:
                    with self.env.cr.savepoint():
                        partner = Partner.create(entry["vals"])
                except Exception as error:
                    self._empathy_raise_if_retryable(error)
                    message = self._empathy_error_message(error)
                    for row in entry["rows"]:
                        row["error"] = message
                    continue
            for row in entry["rows"]:
                row.update(partner=partner.with_env(self.env), partner_created=True)

    # ------------------------------------------------------------------
    # Raw SQL (creating contacts): listed in readme/DEVELOPMENT.md. The contacts
    # by key: ``res.partner._empathy_sql_ids_by_keys``.
    # ------------------------------------------------------------------
    @api.model
    def _empathy_sql_lock_keys(self, keys):
        """Take a transaction-level advisory lock per key (in hash order).

        The ORM has no advisory locks. Nothing to flush or invalidate; no rule
        (a lock on a key, not on a record). Measured: 12 clients creating the same
        10 contacts at once make 0 duplicates (benchmarks/README.md, *Concurrent
        intake*, ``new_contacts``).
        """
        self.env.cr.execute(
            SQL(
                """
                SELECT pg_advisory_xact_lock(%s, h)
                  FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(%s::text[]) AS k) AS keys
              ORDER BY h
                """,
                PARTNER_LOCK_NAMESPACE,
                keys,
            )
        )

    @api.model
    def _empathy_partner_ids_by_keys(self, cr, entries):
        """Return the ids of the active contacts with one of the entries' keys (no ACL).

        Runs on this transaction's cursor and on a fresh one (``cr``): only raw SQL
        can ask a second snapshot. No record rules and all companies on purpose: a
        contact created concurrently is a duplicate whoever may see it. Flush: the
        caller's (``email_normalized``, ``vat``, the phone columns, ``name``).
        """
        by_kind = defaultdict(set)
        for entry in entries:
            for kind, key in entry["keys"]:
                by_kind[kind].add(key)
        return set(self.env["res.partner"]._empathy_sql_ids_by_keys(by_kind, cr=cr))


def _partner_keys(row):
    """Return the keys identifying the row's contact, the most reliable first."""
    keys = []
    for kind, key in (("email", "email_key"), ("vat", "vat_key"), ("phone", "phone_key")):
        if row[key]:
            keys.append((kind, row[key]))
    return keys
