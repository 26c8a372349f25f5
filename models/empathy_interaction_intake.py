# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Interaction intake of other channels (fair app, call center, web shop).

Parses the rows of ``empathy.impression.empathy_log_interactions``, resolves advisors,
motives and contacts, and saves the impressions. Concurrency: conflicts between
concurrent writers (serialization failures, deadlocks, locks not available, and the
unique-key races of concurrent creators) are never row errors: they propagate, so that
Odoo retries the whole request (``odoo/service/model.py`` ``retrying``) in a fresh
transaction. New contacts are created under a transaction-level advisory lock per
normalised key (email, VAT, phone, name), so concurrent callers create one contact.
"""

import logging
import re
from collections import defaultdict
from datetime import datetime, timezone

import psycopg2
from dateutil.relativedelta import relativedelta
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, email_normalize
from odoo.tools.sql import escape_psql

from .empathy_groups import EMPATHY_MANAGER_GROUP

_logger = logging.getLogger(__name__)

#: keys accepted in a row of ``empathy_log_interactions``
INTERACTION_KEYS = {
    "ref",
    "external_ref",
    "partner_id",
    "name",
    "email",
    "phone",
    "vat",
    "advisor_login",
    "channel",
    "rapport",
    "mood",
    "communication_style",
    "note",
    "motives",
    "create_motives",
    "date",
}
#: rows accepted by one call of ``empathy_log_interactions`` (clients send batches)
INTERACTION_MAX_ROWS = 5000
PHONE_MIN_DIGITS = 6
VAT_MIN_CHARS = 4
#: candidates for the contacts of a batch by VAT and phone, compared by their keys
#: (see ``_vat_key`` and ``_phone_key``); access rules are applied by a search after
PARTNER_KEY_QUERY = r"""
    SELECT id FROM res_partner
     WHERE active AND (
           upper(regexp_replace(vat, '[^0-9A-Za-z]', '', 'g')) = ANY(%s)
        OR regexp_replace(regexp_replace(phone, '\D', '', 'g'), '^00', '') = ANY(%s)
        OR regexp_replace(regexp_replace(mobile, '\D', '', 'g'), '^00', '') = ANY(%s))
"""
#: advisory lock namespace (first key of ``pg_advisory_xact_lock(int, int)``) of the
#: creators of contacts, by normalised key
PARTNER_LOCK_NAMESPACE = 0x454D5031  # "EMP1"
#: unique constraints that only a concurrent creator of the same key can violate (the
#: row was searched first): the request is retried, the row then finds the winner's
UNIQUE_RACES = (
    "empathy_impression_external_ref_company_uniq",
    "empathy_motive_name_uniq",
    "empathy_rapport_partner_user_company_uniq",
)
#: what a retryable conflict is (odoo/service/model.py retries these, up to 5 times)
RETRYABLE_PGCODES = (
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.DEADLOCK_DETECTED,
    errorcodes.LOCK_NOT_AVAILABLE,
)


#: the active contacts with one of these keys, compared like ``_partner_keys``
PARTNER_KEYS_ALL_QUERY = r"""
    SELECT id FROM res_partner
     WHERE active AND (
           email_normalized = ANY(%(emails)s)
        OR upper(regexp_replace(vat, '[^0-9A-Za-z]', '', 'g')) = ANY(%(vats)s)
        OR regexp_replace(regexp_replace(phone, '\D', '', 'g'), '^00', '') = ANY(%(phones)s)
        OR regexp_replace(regexp_replace(mobile, '\D', '', 'g'), '^00', '') = ANY(%(phones)s)
        OR lower(name) = ANY(%(names)s))
"""
#: a retryable error raised by the database itself (pgcode 40001, like a real conflict)
RAISE_SERIALIZATION_FAILURE = """
    DO $$ BEGIN
        RAISE EXCEPTION USING ERRCODE = 'serialization_failure',
            MESSAGE = 'empathic_crm: a concurrent transaction created the same key';
    END $$
"""


class EmpathyInteractionIntake(models.AbstractModel):
    _name = "empathy.interaction.intake"
    _description = "Interaction Intake (external API of other channels)"

    @api.model
    def _empathy_log(self, rows, dry_run=False):
        """Log interactions with the advisor's impression, many in one call.

        Each row is a dictionary (see ``INTERACTION_KEYS``):

        - the contact: ``partner_id``, or ``email`` / ``phone`` / ``vat`` / ``name`` to
          find it (email compared normalized, phone and VAT by their digits and letters
          only) or to create it when nobody matches;
        - ``rapport`` (1-5) and ``mood`` (-2..2), required;
        - optional ``channel`` (default ``other``), ``advisor_login`` (default: you; only
          empathy managers may log for another advisor), ``note``,
          ``communication_style``, ``motives`` (names, a list or a comma separated
          text), ``create_motives`` (create unknown motives, if you may), ``date``
          (UTC, ``YYYY-MM-DD[ HH:MM:SS]``, default now);
        - ``external_ref`` (or ``ref``): the row's reference in the source system.
          Logging a known reference again changes nothing (``skipped``) or updates
          the impression (``updated``).

        A failing row does not stop the others; conflicts with concurrent writers are
        not row errors: the whole call is retried (by Odoo, and by the client when
        Odoo's retries run out). Activities are not completed here:
        use ``mail.activity.action_feedback_with_impression`` for that.

        :param list rows: at most ``INTERACTION_MAX_ROWS`` dictionaries
        :param bool dry_run: validate and report everything, but write nothing
        :returns: one dictionary per row, in order: ``ref``, ``status`` (``created``,
            ``updated``, ``skipped`` or ``error``), ``impression_id``, ``partner_id``,
            ``partner_created``, ``error`` (the reason of an error) and ``message``
            (the reason of a skip or an error)
        """
        self.env["empathy.impression"].check_access("create")
        if not isinstance(rows, (list, tuple)):
            raise UserError(
                self.env._(
                    "rows must be a list of dictionaries, one per interaction (got %s).",
                    type(rows).__name__,
                )
            )
        if len(rows) > INTERACTION_MAX_ROWS:
            raise UserError(
                self.env._(
                    "Too many rows in one call (%(count)s): send at most %(max)s, in batches.",
                    count=len(rows),
                    max=INTERACTION_MAX_ROWS,
                )
            )
        if not dry_run:
            return self._empathy_log_interactions(rows)
        savepoint = self.env.cr.savepoint()
        try:
            results = self._empathy_log_interactions(rows)
        finally:
            savepoint.close(rollback=True)  # also clears the cache and precommit hooks
        for result in results:
            # what would have been created does not exist
            if result["status"] == "created":
                result["impression_id"] = False
            if result["partner_created"]:
                result["partner_id"] = False
        return results

    @api.model
    def _empathy_log_interactions(self, rows):
        """Process the rows in batches of distinct references; return the results."""
        results = [None] * len(rows)
        pending = []
        for index, raw in enumerate(rows):
            row = self._empathy_parse_interaction(raw)
            row["index"] = index
            if row["error"]:
                results[index] = self._empathy_interaction_result(row)
            else:
                pending.append(row)
        while pending:
            # a reference repeated in the same call is handled after its first row
            batch, later, refs = [], [], set()
            for row in pending:
                if row["ref"] and row["ref"] in refs:
                    later.append(row)
                    continue
                refs.add(row["ref"])
                batch.append(row)
            self._empathy_log_batch(batch)
            for row in batch:
                results[row["index"]] = self._empathy_interaction_result(row)
            pending = later
        return results

    @api.model
    def _empathy_log_batch(self, rows):
        """Log rows with distinct references: a constant number of queries per step."""
        self._empathy_resolve_advisors(rows)
        self._empathy_resolve_motives(_pending(rows))
        self._empathy_resolve_partners(_pending(rows))
        self._empathy_skip_objections(_pending(rows))
        self._empathy_save_interactions(_pending(rows))

    # --- parsing (no queries) ---------------------------------------------
    @api.model
    def _empathy_parse_interaction(self, raw):
        """Return the row's normalized values; ``error`` is set when they are invalid."""
        row = {
            "ref": False,
            "error": False,
            "message": False,
            "status": False,
            "partner": None,
            "partner_created": False,
            "impression": None,
        }
        if not isinstance(raw, dict):
            row["error"] = self.env._("Each row must be a dictionary (got %s).", type(raw).__name__)
            return row
        ref = _text(raw.get("external_ref", raw.get("ref")))
        if ref:
            row["ref"] = ref
        try:
            row.update(self._empathy_parse_interaction_values(raw))
        except UserError as error:
            row["error"] = error.args[0]
        return row

    @api.model
    def _empathy_parse_interaction_values(self, raw):
        unknown = set(raw) - INTERACTION_KEYS
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown keys: %(unknown)s. Allowed: %(allowed)s.",
                    unknown=", ".join(sorted(map(str, unknown))),
                    allowed=", ".join(sorted(INTERACTION_KEYS)),
                )
            )
        vals = {
            "partner_id": self._empathy_parse_partner_id(raw.get("partner_id")),
            "name": _text(raw.get("name")),
            "email": _text(raw.get("email")),
            "phone": _text(raw.get("phone")),
            "vat": _text(raw.get("vat")),
            "advisor_login": _text(raw.get("advisor_login")),
        }
        vals["email_key"] = vals["email"] and email_normalize(vals["email"], strict=False)
        if vals["email"] and not vals["email_key"]:
            raise UserError(self.env._("Invalid email address: %s.", vals["email"]))
        vals["phone_key"] = _phone_key(vals["phone"])
        if vals["phone"] and len(vals["phone_key"]) < PHONE_MIN_DIGITS:
            raise UserError(
                self.env._(
                    "The phone number %(phone)s is too short: at least %(digits)s digits.",
                    phone=vals["phone"],
                    digits=PHONE_MIN_DIGITS,
                )
            )
        vals["vat_key"] = _vat_key(vals["vat"])
        if vals["vat"] and len(vals["vat_key"]) < VAT_MIN_CHARS:
            raise UserError(self.env._("The tax ID %s is too short.", vals["vat"]))
        if not any(vals[key] for key in ("partner_id", "email", "phone", "vat", "name")):
            raise UserError(
                self.env._("Who was it? Give the contact's partner_id, email, phone, VAT or name.")
            )
        if _empty(raw.get("rapport")):
            raise UserError(
                self.env._(
                    "The rapport is required: 1 (we did not click) to 5 (we clicked perfectly)."
                )
            )
        if _empty(raw.get("mood")):
            raise UserError(self.env._("The mood is required: -2 (angry) to +2 (delighted)."))
        rapport, mood = _integer(raw["rapport"]), _integer(raw["mood"])
        Impression = self.env["empathy.impression"]
        Impression._empathy_check_range_values(rapport=rapport)
        Impression._empathy_check_range_values(mood=mood)
        vals.update(rapport=rapport, mood=mood)
        vals["channel"] = self._empathy_parse_selection(
            raw, "channel", Impression._fields["channel"], self.env._("channel")
        )
        vals["communication_style"] = self._empathy_parse_selection(
            raw,
            "communication_style",
            Impression._fields["communication_style"],
            self.env._("style"),
        )
        vals["note"] = (_text(raw.get("note")) or False) if "note" in raw else None
        vals["motives"] = _names(raw["motives"]) if "motives" in raw else None
        if vals["motives"] is False:
            raise UserError(
                self.env._("motives must be a list of names or a comma separated text.")
            )
        vals["create_motives"] = _flag(raw.get("create_motives"))
        if vals["create_motives"] is None:
            raise UserError(self.env._("create_motives must be true or false."))
        vals["date"] = self._empathy_parse_date(raw.get("date"))
        return vals

    @api.model
    def _empathy_parse_partner_id(self, value):
        if _empty(value):
            return False
        partner_id = _integer(value)
        if not isinstance(partner_id, int) or isinstance(partner_id, bool) or partner_id <= 0:
            raise UserError(self.env._("partner_id must be a contact's id (got %s).", value))
        return partner_id

    @api.model
    def _empathy_parse_selection(self, raw, key, field, label):
        """Return the selection key (None when absent); accepts keys and labels."""
        if key not in raw:
            return None
        value = _text(raw[key])
        if not value:
            return False
        options = field._description_selection(self.env)
        for option_key, option_label in options:
            if value.lower() in (option_key, str(option_label).lower()):
                return option_key
        raise UserError(
            self.env._(
                "Unknown %(what)s %(value)s. Use one of: %(allowed)s.",
                what=label,
                value=value,
                allowed=", ".join(option_key for option_key, _label in options),
            )
        )

    @api.model
    def _empathy_parse_date(self, value):
        """Return a naive UTC datetime (None when absent); reject the far future."""
        if _empty(value):
            return None
        if isinstance(value, datetime):
            date = value
        else:
            try:
                date = datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise UserError(
                    self.env._(
                        "Invalid date %s: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC).",
                        value,
                    )
                ) from None
        if date.tzinfo:
            date = date.astimezone(timezone.utc).replace(tzinfo=None)
        date = date.replace(microsecond=0)
        if date > fields.Datetime.now() + relativedelta(days=1):
            raise UserError(self.env._("The date %s is in the future.", value))
        return date

    # --- resolving (one or two queries per batch each) ------------------------
    @api.model
    def _empathy_resolve_advisors(self, rows):
        """Set ``user_id``: the advisor by login, yourself by default."""
        me = self.env.user
        logins = {row["advisor_login"] for row in rows if row["advisor_login"]}
        users = {}
        if logins - {me.login}:
            Users = self.env["res.users"].sudo()
            users = {user.login: user for user in Users.search([("login", "in", list(logins))])}
        users[me.login] = me
        is_manager = me.has_group(EMPATHY_MANAGER_GROUP)
        company = self.env.company
        for row in rows:
            login = row["advisor_login"] or me.login
            advisor = users.get(login)
            if not advisor:
                row["error"] = self.env._("There is no active user with the login %s.", login)
            elif advisor.id != me.id and not is_manager:
                row["error"] = self.env._(
                    "Only empathy managers may log impressions for another advisor (%s):"
                    " leave the advisor empty to log your own impression.",
                    login,
                )
            elif advisor.share:
                row["error"] = self.env._(
                    "%s is not an internal user and cannot be the advisor.", advisor.name
                )
            elif company not in advisor.sudo().company_ids:
                row["error"] = self.env._(
                    "The advisor %(advisor)s has no access to the company %(company)s.",
                    advisor=advisor.name,
                    company=company.name,
                )
            else:
                row["user_id"] = advisor.id

    @api.model
    def _empathy_resolve_motives(self, rows):
        """Set ``motive_ids`` from the motive names (case-insensitive, any language)."""
        names = {}
        for row in rows:
            for name in row["motives"] or ():
                names.setdefault(name.lower(), name)
        found = {}
        Motive = self.env["empathy.motive"].with_context(active_test=False)
        for lang in (self.env.lang, "en_US"):
            missing = [name for key, name in names.items() if key not in found]
            if not missing:
                break
            domain = expression.OR([[("name", "=ilike", escape_psql(name))] for name in missing])
            for motive in Motive.with_context(lang=lang).search(domain, order="active desc, id"):
                found.setdefault(motive.name.lower(), motive.id)
        may_create = Motive.has_access("create")
        to_create = {}
        for row in rows:
            unknown = [name for name in row["motives"] or () if name.lower() not in found]
            if not unknown:
                continue
            if not row["create_motives"]:
                row["error"] = self.env._(
                    "Unknown purchase motives: %s. Check the spelling, or allow creating"
                    " them (create_motives).",
                    ", ".join(unknown),
                )
            elif not may_create:
                row["error"] = self.env._(
                    "You may not create purchase motives (%s): only empathy managers can."
                    " Ask one to add them, or leave them out.",
                    ", ".join(unknown),
                )
            else:
                for name in unknown:
                    to_create.setdefault(name.lower(), name)
        if to_create:
            try:
                with self.env.cr.savepoint():
                    created = Motive.create([{"name": name} for name in to_create.values()])
            except Exception as error:  # reported on the rows, the others go on
                self._empathy_raise_if_retryable(error)
                message = self._empathy_error_message(error)
                for row in rows:
                    if not row["error"] and any(
                        name.lower() in to_create for name in row["motives"] or ()
                    ):
                        row["error"] = message
            else:
                found.update(zip(to_create, created.ids, strict=True))
        for row in rows:
            if not row["error"] and row["motives"] is not None:
                row["motive_ids"] = [found[name.lower()] for name in row["motives"]]

    @api.model
    def _empathy_resolve_partners(self, rows):
        """Set ``partner``: found by id, email, VAT, phone or name; else created once."""
        Partner = self.env["res.partner"]
        by_id, by_key = {}, {}
        ids = {row["partner_id"] for row in rows if row["partner_id"]}
        if ids:
            by_id = {partner.id: partner for partner in Partner.search([("id", "in", list(ids))])}
        searching = [row for row in rows if not row["partner_id"]]
        emails = {row["email_key"] for row in searching if row["email_key"]}
        if emails:
            for partner in Partner.search([("email_normalized", "in", list(emails))], order="id"):
                by_key.setdefault(("email", partner.email_normalized), partner)
        vats = {row["vat_key"] for row in searching if row["vat_key"]}
        phones = {row["phone_key"] for row in searching if row["phone_key"]}
        if vats or phones:
            Partner.flush_model(["vat", "phone", "mobile", "active"])
            self.env.cr.execute(PARTNER_KEY_QUERY, [list(vats), list(phones), list(phones)])
            candidates = [partner_id for (partner_id,) in self.env.cr.fetchall()]
            for partner in Partner.search([("id", "in", candidates)], order="id"):
                by_key.setdefault(("vat", _vat_key(partner.vat)), partner)
                for number in (partner.phone, partner.mobile):
                    if number:
                        by_key.setdefault(("phone", _phone_key(number)), partner)
        names = {
            row["name"].lower(): row["name"]
            for row in searching
            if not (row["email_key"] or row["vat_key"] or row["phone_key"])
        }
        by_name = defaultdict(list)
        if names:
            domain = expression.OR([[("name", "=ilike", escape_psql(n))] for n in names.values()])
            for partner in Partner.search(domain, order="id"):
                by_name[partner.name.lower()].append(partner)

        to_create = []  # [{"vals": ..., "rows": [...]}], one per new contact
        for row in rows:
            if row["partner_id"]:
                row["partner"] = by_id.get(row["partner_id"])
                if not row["partner"]:
                    row["error"] = self.env._(
                        "The contact #%s does not exist or you may not see it.", row["partner_id"]
                    )
                continue
            keys = _partner_keys(row) or [("name", row["name"].lower())]
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
        keys = sorted({f"{kind}:{key}" for entry in entries for kind, key in entry["keys"]})
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
        self.env["res.partner"].flush_model(["email_normalized", "vat", "phone", "mobile", "name"])
        visible = self._empathy_partner_ids_by_keys(self.env.cr, entries)
        with self.env.registry.cursor() as fresh:
            committed = self._empathy_partner_ids_by_keys(fresh, entries)
        if committed - visible:
            self._empathy_retry_request(
                "contact created concurrently (%s): retrying the request"
                % sorted(committed - visible)
            )

    @api.model
    def _empathy_partner_ids_by_keys(self, cr, entries):
        """Return the ids of the active contacts with one of the entries' keys (no ACL)."""
        by_kind = defaultdict(set)
        for entry in entries:
            for kind, key in entry["keys"]:
                by_kind[kind].add(key)
        cr.execute(
            SQL(
                PARTNER_KEYS_ALL_QUERY,
                emails=sorted(by_kind["email"]),
                vats=sorted(by_kind["vat"]),
                phones=sorted(by_kind["phone"]),
                names=sorted(by_kind["name"]),
            )
        )
        return {partner_id for (partner_id,) in cr.fetchall()}

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

    @api.model
    def _empathy_skip_objections(self, rows):
        """Skip the contacts who object to profiling (GDPR Art. 21)."""
        partners = self.env["res.partner"].browse({row["partner"].id for row in rows})
        objecting = set(partners.sudo().filtered("empathy_objection").ids)
        for row in rows:
            if row["partner"].id in objecting:
                row["status"] = "skipped"
                row["message"] = self.env._(
                    "%s objects to profiling (GDPR Art. 21): no impression is recorded.",
                    row["partner"].display_name,
                )

    # --- writing ------------------------------------------------------------
    @api.model
    def _empathy_save_interactions(self, rows):
        """Create the new impressions in one go; update or skip the known references."""
        Impression = self.env["empathy.impression"]
        known = self._empathy_known_impressions([row["ref"] for row in rows if row["ref"]])
        existing = {impression.external_ref: impression for impression in known}
        new = []
        for row in rows:
            vals = self._empathy_interaction_values(row)
            impression = existing.get(row["ref"])
            if impression:
                self._empathy_update_interaction(row, impression.with_env(self.env), vals)
            else:
                vals.setdefault("channel", "other")
                new.append((row, vals))
        if not new:
            return
        try:
            with self.env.cr.savepoint():
                impressions = Impression.create([vals for _row, vals in new])
        except Exception as error:  # find the failing ones
            self._empathy_raise_if_retryable(error)
            impressions = None
        for index, (row, vals) in enumerate(new):
            impression = impressions[index] if impressions is not None else None
            if impression is None:
                try:
                    with self.env.cr.savepoint():
                        impression = Impression.create(vals)
                except Exception as error:
                    self._empathy_raise_if_retryable(error)
                    row["error"] = self._empathy_error_message(error)
                    continue
            row.update(impression=impression, status="created")

    @api.model
    def _empathy_known_impressions(self, refs):
        """Return the impressions of the company already recorded with these references."""
        if not refs:
            return self.env["empathy.impression"]
        return (
            self.env["empathy.impression"]
            .sudo()
            .search([("company_id", "=", self.env.company.id), ("external_ref", "in", refs)])
        )

    @api.model
    def _empathy_interaction_values(self, row):
        """Return the impression values given by a row (absent optional keys left out)."""
        vals = {
            "partner_id": row["partner"].id,
            "user_id": row["user_id"],
            "rapport": row["rapport"],
            "mood": row["mood"],
        }
        if row["ref"]:
            vals["external_ref"] = row["ref"]
        for key in ("channel", "communication_style", "note", "date"):
            if row[key] is not None:
                vals[key] = row[key]
        if row["motives"] is not None:
            vals["motive_ids"] = [fields.Command.set(row["motive_ids"])]
        return vals

    @api.model
    def _empathy_update_interaction(self, row, impression, vals):
        """Skip a known reference when nothing changed, else update it if you may."""
        changes = {}
        for key, value in vals.items():
            if key == "motive_ids":
                if set(impression.motive_ids.ids) != set(row["motive_ids"]):
                    changes[key] = value
            elif key in ("partner_id", "user_id"):
                if impression[key].id != value:
                    changes[key] = value
            elif (impression[key] or False) != (value or False):
                changes[key] = value
        row["impression"] = impression
        if not changes:
            row["status"] = "skipped"
            row["message"] = self.env._("Already recorded (%s), nothing changed.", row["ref"])
            return
        if not impression.has_access("write"):
            row["error"] = self.env._(
                "The impression %(ref)s was recorded by %(advisor)s: only they or an"
                " empathy manager may change it.",
                ref=row["ref"],
                advisor=impression.sudo().user_id.name,
            )
            return
        try:
            with self.env.cr.savepoint():
                impression.write(changes)
                if {"motive_ids", "communication_style", "partner_id"} & set(changes):
                    impression._empathy_apply_to_partners()
        except Exception as error:
            self._empathy_raise_if_retryable(error)
            row["error"] = self._empathy_error_message(error)
            return
        row["status"] = "updated"

    # --- results ------------------------------------------------------------
    @api.model
    def _empathy_interaction_result(self, row):
        """Return the result of a row, as returned by ``empathy_log_interactions``."""
        status = "error" if row["error"] else row["status"]
        partner = row["partner"]
        return {
            "ref": row["ref"] or False,
            "status": status,
            "impression_id": row["impression"].id if row["impression"] else False,
            "partner_id": partner.id if partner else False,
            "partner_created": bool(partner and row["partner_created"]),
            "error": row["error"] or False,
            "message": row["error"] or row["message"] or False,
        }

    @api.model
    def _empathy_raise_if_retryable(self, error):
        """Re-raise conflicts with concurrent writers: never a row error.

        Serialization failures, deadlocks and locks not available propagate as they are
        (Odoo retries the request); a unique violation of ``UNIQUE_RACES`` means that a
        concurrent transaction created the same key after our snapshot (we searched
        first), so it becomes a serialization failure and is retried the same way.
        """
        if not isinstance(error, psycopg2.Error):
            return
        if error.pgcode in RETRYABLE_PGCODES:
            raise error
        constraint = getattr(getattr(error, "diag", None), "constraint_name", None)
        if error.pgcode == errorcodes.UNIQUE_VIOLATION and constraint in UNIQUE_RACES:
            self._empathy_retry_request(
                "%s violated by a concurrent creator: retrying the request" % constraint
            )

    @api.model
    def _empathy_retry_request(self, reason):
        """Abort with a real serialization failure, so that Odoo retries the request."""
        _logger.info("empathy intake: %s", reason)
        self.env.cr.execute(RAISE_SERIALIZATION_FAILURE, log_exceptions=False)

    @api.model
    def _empathy_error_message(self, error):
        """Return the message of an exception raised while saving a row."""
        if isinstance(error, UserError):
            return error.args[0]
        if isinstance(error, psycopg2.Error):
            detail = getattr(getattr(error, "diag", None), "message_primary", None)
            return self.env._("The database refused the row: %s", detail or str(error).strip())
        _logger.exception("empathy_log_interactions: unexpected error")
        return self.env._("Unexpected error: %s", error)


# ----------------------------------------------------------------------
# helpers of empathy_log_interactions
# ----------------------------------------------------------------------
def _pending(rows):
    """Return the rows neither failed nor done yet."""
    return [row for row in rows if not row["error"] and not row["status"]]


def _empty(value):
    """Return whether a value is absent (None, False or blank; 0 is a value)."""
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def _text(value):
    """Return a stripped text, or False."""
    if _empty(value):
        return False
    return str(value).strip()


def _integer(value):
    """Return ``value`` as an int when it is a whole number, else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return value


def _flag(value):
    """Return a boolean from a JSON/CSV value, None when it is not one."""
    if _empty(value) or value == 0:
        return False
    if value is True or value == 1:
        return True
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on", "x"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    return None


def _names(value):
    """Return the distinct names of a list or a comma separated text; False if invalid."""
    if _empty(value):
        return []
    if isinstance(value, str):
        value = re.split(r"[,;|\n]", value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return False
    names = {}
    for name in value:
        name = " ".join(name.split())
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())


def _phone_key(number):
    """Digits only, without the international ``00`` prefix: "+49 170-1" == "0049 1701"."""
    if not number:
        return ""
    return re.sub(r"^00", "", re.sub(r"\D", "", number))


def _vat_key(vat):
    """Letters and digits only, upper case: "de 123 456" == "DE123456"."""
    return re.sub(r"[^0-9A-Za-z]", "", vat or "").upper()


def _partner_keys(row):
    """Return the keys identifying the row's contact, the most reliable first."""
    keys = []
    for kind, key in (("email", "email_key"), ("vat", "vat_key"), ("phone", "phone_key")):
        if row[key]:
            keys.append((kind, row[key]))
    return keys
