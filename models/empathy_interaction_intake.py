# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Interaction intake of other channels (fair app, call center, web shop): the batch flow.

Takes the rows of ``empathy.impression.empathy_log_interactions`` through the steps of
a batch (parse, resolve advisors, motives and contacts, skip objecting contacts, save
the impressions) and reports a result per row. The steps of their own concern:
``empathy_interaction_intake_parsing.py`` (validating a row) and
``empathy_interaction_intake_contact.py`` (which contact a row is about).

Concurrency: conflicts between concurrent writers (serialization failures, deadlocks,
locks not available, and the unique-key races of concurrent creators) are never row
errors: they propagate, so that Odoo retries the whole request
(``odoo/service/model.py`` ``retrying``) in a fresh transaction.
"""

import logging

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import escape_psql

from ..tools import compat
from ..tools.groups import is_empathy_manager

_logger = logging.getLogger(__name__)

#: rows accepted by one call of ``empathy_log_interactions`` (clients send batches)
INTERACTION_MAX_ROWS = 5000
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

        Each row is a dictionary (see ``INTERACTION_KEYS`` in
        ``empathy_interaction_intake_parsing.py``):

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
        is_manager = is_empathy_manager(self.env)
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
            domain = compat.domain_or([[("name", "=ilike", escape_psql(name))] for name in missing])
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
                # its effects (profile, evidence, rapport) follow in ``write``
                impression.write(changes)
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
        """Abort with a real serialization failure, so that Odoo retries the request.

        Raw SQL (``RAISE_SERIALIZATION_FAILURE``): only the database can raise an
        error with pgcode 40001 that Odoo's ``retrying`` treats like a real
        conflict. Writes nothing: no flush, cache, ``modified()``, write date or
        record rule involved. Measured: 0 rows rejected with 16 concurrent clients
        (benchmarks/README.md, *Concurrent intake*).
        """
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
