# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A typed client for the empathic_crm external API, built on odoorpc.

>>> from empathic_crm_client import EmpathyClient, Interaction
>>> client = EmpathyClient.connect("http://localhost:8069", "empathic_demo", "anna", "anna")
>>> result = client.log_interaction(
...     Interaction(email="jonas.keller@example.com", rapport=5, mood=2, channel="fair",
...                 motives=["Marathon", "Hawaii trip"], note="Runs the Honolulu marathon",
...                 ref="fair2026-0001")
... )
>>> result.status
'created'
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import time
import urllib.error
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import odoorpc
import odoorpc.error

from .normalize import (
    PHONE_MIN_DIGITS,
    email_key,
    like_escape,
    phone_key,
    spread_pattern,
    vat_key,
)

DEFAULT_URL = "http://localhost:8069"
DEFAULT_TIMEOUT = 300.0
#: rows per call of empathy_log_interactions (the server accepts at most 5000)
DEFAULT_BATCH_SIZE = 200
MAX_BATCH_SIZE = 5000
ENV_VARS = {
    "url": "EMPATHY_URL",
    "db": "EMPATHY_DB",
    "login": "EMPATHY_LOGIN",
    "password": "EMPATHY_PASSWORD",
}
#: how long transient failures are retried before giving up (EMPATHY_RETRY_SECONDS)
DEFAULT_RETRY_SECONDS = 300.0
RETRY_ENV_VAR = "EMPATHY_RETRY_SECONDS"
#: exponential backoff with full jitter: the n-th wait is random(0, min(cap, base * 2**n))
RETRY_BASE_SECONDS = 0.5
RETRY_CAP_SECONDS = 20.0
#: read-only methods: always safe to send again
IDEMPOTENT_METHODS = frozenset(
    {"search", "search_read", "search_count", "read", "fields_get", "check_object_reference"}
)
#: HTTP statuses of a server restarting or overloaded (or a proxy in front of it)
TRANSIENT_HTTP = {502: False, 503: True, 504: False}  # status -> surely not processed
#: server errors of a conflict with concurrent writers: the transaction was rolled back
#: (the type the server names: ``error.data.name``)
SERVER_CONFLICT_NAMES = (
    "psycopg2.errors.SerializationFailure",
    "psycopg2.errors.DeadlockDetected",
    "psycopg2.errors.LockNotAvailable",
    "psycopg2.extensions.TransactionRollbackError",
)
#: the same in PostgreSQL's English words, only for an answer that names no type
SERVER_CONFLICT_MESSAGES = (
    "could not serialize access",
    "deadlock detected",
    "could not obtain lock",
    "lock not available",
)
#: server errors of a database connection lost (restart, terminated backend)
SERVER_LOST_DB_NAMES = (
    "psycopg2.OperationalError",
    "psycopg2.InterfaceError",
    "psycopg2.errors.AdminShutdown",
    "psycopg2.errors.CrashShutdown",
    "psycopg2.errors.CannotConnectNow",
    "psycopg2.errors.IdleSessionTimeout",
)
#: the same in PostgreSQL's English words, only for an answer that names no type
SERVER_LOST_DB_MESSAGES = (
    "connection already closed",
    "server closed the connection",
    "terminating connection",
    "connection to server",
    "the database system is starting up",
    "the database system is shutting down",
    "ssl connection has been closed",
)
#: the server's error of a method it does not have (Odoo's ``call_kw``)
MISSING_METHOD_NAME = "builtins.AttributeError"
STATUSES = ("created", "updated", "skipped", "error")
IMPRESSION_MODEL = "empathy.impression"
LOG_METHOD = "empathy_log_interactions"
#: errors of the network or of a server that is not (or no longer) an Odoo
NETWORK_ERRORS = (
    urllib.error.URLError,
    http.client.HTTPException,
    socket.timeout,
    ConnectionError,
    TimeoutError,
    json.JSONDecodeError,
)


# ----------------------------------------------------------------------
# errors: a message for the user, no traceback
# ----------------------------------------------------------------------
class EmpathyError(Exception):
    """An error the user can act on; its message says what went wrong and how to fix it."""


class ConfigurationError(EmpathyError):
    """Connection settings are missing or invalid."""


class ConnectionFailed(EmpathyError):
    """The server cannot be reached (or is not an Odoo)."""


class AuthenticationFailed(EmpathyError):
    """Unknown database, wrong login, password or API key."""


class ServerError(EmpathyError):
    """The server refused the request (access rights, validation, missing module)."""

    def __init__(self, message: str, name: str = ""):
        super().__init__(message)
        self.name = name


class FeatureMissing(ServerError):
    """The server lacks a method of the empathic_crm API (module too old)."""


class TransientFailure(Exception):
    """A failure worth retrying; ``certain`` when the server surely did not apply the call."""

    def __init__(self, message: str, certain: bool):
        super().__init__(message)
        self.certain = certain


# ----------------------------------------------------------------------
# data
# ----------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Where and as whom to connect. ``password`` may be an API key."""

    url: str
    db: str
    login: str
    password: str = field(repr=False)
    timeout: float = DEFAULT_TIMEOUT
    retry_seconds: float = DEFAULT_RETRY_SECONDS

    @classmethod
    def resolve(
        cls,
        url: str | None = None,
        db: str | None = None,
        login: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
        environ: dict[str, str] | None = None,
        retry_seconds: float | None = None,
    ) -> Settings:
        """Return the settings from the arguments, else the EMPATHY_* environment variables."""
        environ = os.environ if environ is None else environ
        given = {"url": url, "db": db, "login": login, "password": password}
        values = {key: value or environ.get(ENV_VARS[key]) or None for key, value in given.items()}
        values["url"] = values["url"] or DEFAULT_URL
        missing = [key for key, value in values.items() if not value]
        if missing:
            raise ConfigurationError(
                "Missing connection settings: "
                + ", ".join(f"--{key} (or {ENV_VARS[key]})" for key in missing)
                + "."
            )
        if retry_seconds is None:
            text = environ.get(RETRY_ENV_VAR) or ""
            try:
                retry_seconds = float(text) if text.strip() else DEFAULT_RETRY_SECONDS
            except ValueError:
                raise ConfigurationError(
                    f"{RETRY_ENV_VAR}={text!r}: give the seconds to retry transient failures"
                    " (0: never retry)."
                ) from None
        return cls(
            timeout=timeout or DEFAULT_TIMEOUT,
            retry_seconds=max(0.0, retry_seconds),
            **values,  # type: ignore[arg-type]
        )

    def endpoint(self) -> tuple[str, int, str]:
        """Return (host, port, odoorpc protocol) of the URL."""
        url = self.url if "://" in self.url else f"http://{self.url}"
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigurationError(
                f"Invalid URL {self.url!r}: use e.g. http://localhost:8069 or https://crm.example.com"
            )
        if parsed.path not in ("", "/"):
            raise ConfigurationError(
                f"Invalid URL {self.url!r}: give the server's root URL, without a path"
                f" ({parsed.path!r})."
            )
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
        except ValueError:
            raise ConfigurationError(f"Invalid port in the URL {self.url!r}.") from None
        protocol = "jsonrpc+ssl" if parsed.scheme == "https" else "jsonrpc"
        return parsed.hostname, port, protocol


@dataclass(frozen=True)
class Partner:
    """A contact (res.partner)."""

    id: int
    name: str
    email: str | None = None
    phone: str | None = None
    vat: str | None = None
    created: bool = False


@dataclass
class Interaction:
    """One contact with a customer and the advisor's impression of it.

    Identify the contact by ``partner_id`` or by ``email`` / ``phone`` / ``vat`` /
    ``name`` (found, or created when nobody matches). ``rapport``: 1 (we did not
    click) to 5 (perfectly); ``mood``: -2 (angry) to +2 (delighted). ``ref`` makes
    logging idempotent: the same reference is never recorded twice.
    """

    rapport: int | str | None
    mood: int | str | None
    partner_id: int | None = None
    email: str | None = None
    phone: str | None = None
    vat: str | None = None
    name: str | None = None
    channel: str | None = None
    advisor_login: str | None = None
    note: str | None = None
    motives: Sequence[str] = ()
    create_motives: bool = False
    communication_style: str | None = None
    ref: str | None = None
    date: datetime | str | None = None

    def to_row(self) -> dict[str, Any]:
        """Return the row sent to ``empathy_log_interactions``."""
        row: dict[str, Any] = {"rapport": self.rapport, "mood": self.mood}
        for key in (
            "partner_id",
            "email",
            "phone",
            "vat",
            "name",
            "channel",
            "advisor_login",
            "note",
            "communication_style",
            "ref",
        ):
            value = getattr(self, key)
            if value not in (None, ""):
                row[key] = value
        if self.motives:
            row["motives"] = list(self.motives)
        if self.create_motives:
            row["create_motives"] = True
        if isinstance(self.date, datetime):
            row["date"] = self.date.isoformat(sep=" ", timespec="seconds")
        elif self.date:
            row["date"] = self.date
        return row


@dataclass(frozen=True)
class InteractionResult:
    """What the server did with one row."""

    status: str  # created | updated | skipped | error
    ref: str | None = None
    impression_id: int | None = None
    partner_id: int | None = None
    partner_created: bool = False
    error: str | None = None
    message: str | None = None

    @classmethod
    def from_server(cls, data: dict[str, Any]) -> InteractionResult:
        return cls(
            status=data["status"],
            ref=data.get("ref") or None,
            impression_id=data.get("impression_id") or None,
            partner_id=data.get("partner_id") or None,
            partner_created=bool(data.get("partner_created")),
            error=data.get("error") or None,
            message=data.get("message") or data.get("error") or None,
        )

    @property
    def ok(self) -> bool:
        return self.status != "error"


@dataclass(frozen=True)
class ProfileUpdate:
    """Motives and values added to a contact."""

    partner_id: int
    motive_ids: list[int]
    value_ids: list[int]
    created: list[str]


@dataclass(frozen=True)
class BriefingLine:
    """One line of a briefing, as the server gives it (``res.partner.empathy_briefing_data``).

    ``kind`` says what the line is about (``style``, ``motives``, ``best_advisor``,
    ``empty``, ...), ``label`` and ``value`` are in the user's language, ``level`` is
    ``info``, ``success``, ``warning``, ``danger`` or ``muted``; ``data`` is the whole
    line (ids, figures, the parts of a list).
    """

    kind: str
    label: str
    value: str
    level: str = "info"
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_server(cls, data: dict[str, Any]) -> BriefingLine:
        return cls(
            kind=data["kind"],
            label=data.get("label") or "",
            value=data.get("value") or "",
            level=data.get("level") or "info",
            detail=data.get("detail") or "",
            data=data,
        )

    @property
    def text(self) -> str:
        """The line as one sentence: label, value and detail."""
        return " ".join(part for part in (self.label, self.value, self.detail) if part)


#: lines that are said, not listed (the person objects, a warning, nothing known)
BRIEFING_NOTICES = ("objection", "rapport_warning", "empty")


@dataclass(frozen=True)
class Briefing:
    """How to talk to a contact, as shown on the partner form: its lines as data.

    ``html`` is the web client's rendering, read only when asked for.
    """

    partner_id: int
    name: str
    lines: tuple[BriefingLine, ...] = ()
    html: str = ""

    @property
    def text(self) -> str:
        """Readable plain text: notices as they are, the other lines as a list."""
        return "\n".join(
            line.text if line.kind in BRIEFING_NOTICES else f"- {line.text}" for line in self.lines
        )


@dataclass(frozen=True)
class Suggestion:
    """An optional product suggested on a quotation by an empathic cross-sell rule."""

    option_id: int
    order_id: int
    product_id: int
    product: str
    rule_id: int
    rule: str
    reason: str
    added: bool


# ----------------------------------------------------------------------
# the client
# ----------------------------------------------------------------------
class EmpathyClient:
    """A logged-in connection to an Odoo with empathic_crm (use :meth:`connect`)."""

    def __init__(self, odoo: odoorpc.ODOO, settings: Settings):
        self.odoo = odoo
        self.settings = settings
        self._fields: dict[str, set[str]] = {}
        #: transient failures retried so far (what the load benchmark reports)
        self.retries = 0
        #: called before each wait: (attempt, seconds to wait, reason)
        self.on_retry: Callable[[int, float, str], None] | None = None
        self._sleep = time.sleep
        self._clock = time.monotonic

    # --- connection ---------------------------------------------------------
    @classmethod
    def connect(
        cls,
        url: str | None = None,
        db: str | None = None,
        login: str | None = None,
        password: str | None = None,
        timeout: float | None = None,
        retry_seconds: float | None = None,
    ) -> EmpathyClient:
        """Log in; arguments left out come from EMPATHY_URL, _DB, _LOGIN, _PASSWORD.

        ``retry_seconds`` (default ``EMPATHY_RETRY_SECONDS``, else 300): how long calls
        retry transient failures (server restarting, connection lost, conflicts with
        concurrent writers) before giving up.

        :raises ConfigurationError: settings missing or invalid
        :raises ConnectionFailed: the server cannot be reached
        :raises AuthenticationFailed: unknown database, wrong login or password
        """
        settings = Settings.resolve(url, db, login, password, timeout, retry_seconds=retry_seconds)
        host, port, protocol = settings.endpoint()
        try:
            odoo = odoorpc.ODOO(host, protocol=protocol, port=port, timeout=settings.timeout)
        except NETWORK_ERRORS as error:
            raise ConnectionFailed(_unreachable(settings.url, error)) from None
        except (odoorpc.error.Error, ValueError, KeyError, TypeError, OSError) as error:
            raise ConnectionFailed(_unreachable(settings.url, error)) from None
        cls._check_database(odoo, settings)
        try:
            odoo.login(settings.db, settings.login, settings.password)
        except odoorpc.error.RPCError as error:
            message, name = _rpc_message(error), _rpc_name(error)
            if _is_database_error(name, message):
                raise AuthenticationFailed(
                    f"Unknown database {settings.db!r} on {settings.url}: {message}"
                ) from None
            raise AuthenticationFailed(
                f"Login failed for {settings.login!r} on database {settings.db!r} at"
                f" {settings.url}: wrong login, password or API key."
            ) from None
        except NETWORK_ERRORS as error:
            raise ConnectionFailed(_unreachable(settings.url, error)) from None
        return cls(odoo, settings)

    @staticmethod
    def _check_database(odoo: odoorpc.ODOO, settings: Settings) -> None:
        """Fail clearly on an unknown database (when the server lists them)."""
        try:
            databases = odoo.db.list()
        except odoorpc.error.RPCError:
            return  # listing disabled (list_db = False): the login will tell
        except NETWORK_ERRORS as error:
            raise ConnectionFailed(_unreachable(settings.url, error)) from None
        if settings.db not in databases:
            known = ", ".join(databases) or "none"
            raise AuthenticationFailed(
                f"Unknown database {settings.db!r} on {settings.url} (available: {known})."
            )

    @property
    def uid(self) -> int:
        return self.odoo.env.uid

    def call(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a public model method (``execute_kw``) in the user's language.

        Transient failures are retried with exponential backoff and jitter for up to
        ``settings.retry_seconds``: always when the server surely did not apply the call
        (connection refused, HTTP 503, conflict with concurrent writers), and for
        read-only methods also when the answer was lost (connection reset, timeout,
        HTTP 502/504). Use :meth:`call_idempotent` for writes that are safe to resend.

        :raises ServerError: the server refused (its message, without traceback)
        :raises ConnectionFailed: the server went away (and did not come back in time)
        """
        return self._call(model, method, args, kwargs, idempotent=method in IDEMPOTENT_METHODS)

    def call_idempotent(self, model: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """Like :meth:`call`, for a write that changes nothing when sent twice."""
        return self._call(model, method, args, kwargs, idempotent=True)

    def _call(
        self, model: str, method: str, args: Sequence[Any], kwargs: dict, idempotent: bool
    ) -> Any:
        started = self._clock()
        attempt = 0
        while True:
            try:
                return self._call_once(model, method, args, dict(kwargs))
            except TransientFailure as failure:
                attempt += 1
                elapsed = self._clock() - started
                if not (failure.certain or idempotent):
                    raise ConnectionFailed(
                        f"{failure} The server may or may not have applied the call"
                        f" {model}.{method}(); it is not sent again because that is not"
                        " safe (rows without a ref could be logged twice)."
                    ) from None
                wait = random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**attempt))
                if elapsed + wait > self.settings.retry_seconds:
                    raise ConnectionFailed(
                        f"Gave up after {elapsed:.0f} s and {attempt} attempts"
                        f" ({RETRY_ENV_VAR}={self.settings.retry_seconds:g}): {failure}"
                        " Rows already acknowledged are saved; run the same command again to"
                        " resume (rows with a ref are never logged twice)."
                    ) from None
                self.retries += 1
                if self.on_retry:
                    self.on_retry(attempt, wait, str(failure))
                self._sleep(wait)

    def _call_once(self, model: str, method: str, args: Sequence[Any], kwargs: dict) -> Any:
        kwargs.setdefault("context", dict(self.odoo.env.context))
        try:
            return self.odoo.execute_kw(model, method, list(args), kwargs)
        except odoorpc.error.RPCError as error:
            transient = _transient_server_error(error)
            if transient:
                raise transient from None
            message, name = _rpc_message(error), _rpc_name(error)
            if name == MISSING_METHOD_NAME and method in message:
                raise FeatureMissing(
                    f"This server has no {model}.{method}(): update the empathic_crm module"
                    f" on it. ({message})",
                    name,
                ) from None
            raise ServerError(message, name) from None
        except NETWORK_ERRORS as error:
            transient = _transient_network_error(self.settings.url, error)
            if transient:
                raise transient from None
            raise ConnectionFailed(_unreachable(self.settings.url, error)) from None
        except OSError as error:  # reset, refused, broken pipe outside urllib's wrapping
            raise TransientFailure(_unreachable(self.settings.url, error), certain=False) from None

    def fields(self, model: str) -> set[str]:
        """Return the field names of a model (cached)."""
        if model not in self._fields:
            self._fields[model] = set(self.call(model, "fields_get", attributes=["type"]))
        return self._fields[model]

    # --- contacts -----------------------------------------------------------
    def find_partner(
        self,
        email: str | None = None,
        phone: str | None = None,
        vat: str | None = None,
        name: str | None = None,
    ) -> Partner | None:
        """Return the contact with this email, else VAT, else phone, else (unique) name."""
        checks = (
            ("email", email_key(email)),
            ("vat", vat_key(vat) if vat else ""),
            ("phone", phone_key(phone) if phone else ""),
        )
        if email and not checks[0][1]:
            raise EmpathyError(f"Invalid email address: {email!r}.")
        for kind, key in checks:
            if key:
                found = self._find_partner_by(kind, key)
                if found:
                    return found
        if name and not any(key for _kind, key in checks):
            records = self._read_partners([("name", "=ilike", like_escape(name.strip()))])
            if len(records) > 1:
                raise EmpathyError(
                    f"{len(records)} contacts are called {name!r}: give an email, phone or VAT."
                )
            return records[0] if records else None
        return None

    def _find_partner_by(self, kind: str, key: str) -> Partner | None:
        if kind == "email":
            records = self._read_partners([("email_normalized", "=", key)])
            return records[0] if records else None
        if kind == "vat":
            candidates = self._read_partners([("vat", "=ilike", spread_pattern(key))])
            return next((p for p in candidates if vat_key(p.vat) == key), None)
        # Odoo 18.0 has phone and mobile, 19.0 phone only
        columns = [name for name in ("phone", "mobile") if name in self.fields("res.partner")]
        domain: list[Any] = [
            *["|"] * (len(columns) - 1),
            *[(column, "=ilike", spread_pattern(key)) for column in columns],
        ]
        if "phone_sanitized" in self.fields("res.partner"):  # sms installed: E.164 index
            domain = ["|", ("phone_sanitized", "=", f"+{key}"), *domain]
        fields = ["name", "email", *columns, "vat"]
        for record in self.call("res.partner", "search_read", domain, fields, order="id"):
            if key in (phone_key(record[column] or "") for column in columns):
                return _partner(record)
        return None

    def _read_partners(self, domain: list[Any]) -> list[Partner]:
        records = self.call(
            "res.partner", "search_read", domain, ["name", "email", "phone", "vat"], order="id"
        )
        return [_partner(record) for record in records]

    def find_or_create_partner(
        self,
        email: str | None = None,
        phone: str | None = None,
        vat: str | None = None,
        name: str | None = None,
    ) -> Partner:
        """Return the matching contact; create it when nobody matches (no duplicates)."""
        if not any((email, phone, vat, name)):
            raise EmpathyError("Give an email, phone, VAT or name to find the contact.")
        if phone and len(phone_key(phone)) < PHONE_MIN_DIGITS:
            raise EmpathyError(f"The phone number {phone!r} is too short to identify a contact.")
        found = self.find_partner(email=email, phone=phone, vat=vat, name=name)
        if found:
            return found
        vals = {"name": (name or email or phone or vat or "").strip()}
        for key, value in (("email", email), ("phone", phone), ("vat", vat)):
            if value and value.strip():
                vals[key] = value.strip()
        partner_id = self.call("res.partner", "create", vals)
        if isinstance(partner_id, list):
            partner_id = partner_id[0]
        return Partner(
            id=partner_id,
            name=vals["name"],
            email=vals.get("email"),
            phone=vals.get("phone"),
            vat=vals.get("vat"),
            created=True,
        )

    def resolve_partner(self, reference: int | str) -> Partner:
        """Return the contact given by id, email or unique name (never creates one)."""
        text = str(reference).strip()
        if text.isdigit():
            records = self._read_partners([("id", "=", int(text))])
            if not records:
                raise EmpathyError(f"There is no contact #{text} (or you may not see it).")
            return records[0]
        found = self.find_partner(email=text) if "@" in text else self.find_partner(name=text)
        if not found:
            raise EmpathyError(f"No contact matches {text!r}.")
        return found

    # --- interactions and impressions -----------------------------------------
    def log_interaction(self, interaction: Interaction | dict[str, Any]) -> InteractionResult:
        """Log one interaction; the result tells ``created``/``updated``/``skipped``/``error``."""
        return self.log_interactions([interaction])[0]

    def log_interactions(
        self,
        interactions: Iterable[Interaction | dict[str, Any]],
        dry_run: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> list[InteractionResult]:
        """Log interactions in batches (one call per ``batch_size`` rows), in order."""
        results: list[InteractionResult] = []
        for batch in self.iter_log_batches(interactions, dry_run=dry_run, batch_size=batch_size):
            results.extend(batch)
        return results

    def iter_log_batches(
        self,
        interactions: Iterable[Interaction | dict[str, Any]],
        dry_run: bool = False,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Iterator[list[InteractionResult]]:
        """Yield the results batch by batch (for progress bars)."""
        if not 1 <= batch_size <= MAX_BATCH_SIZE:
            raise EmpathyError(f"The batch size must be between 1 and {MAX_BATCH_SIZE}.")
        rows = [item.to_row() if isinstance(item, Interaction) else item for item in interactions]
        for start in range(0, len(rows), batch_size):
            yield self.log_rows(rows[start : start + batch_size], dry_run=dry_run)

    def log_rows(
        self, rows: list[dict[str, Any]], dry_run: bool = False
    ) -> list[InteractionResult]:
        """One call of ``empathy.impression.empathy_log_interactions``."""
        kwargs = {"dry_run": True} if dry_run else {}
        # safe to send again when every row has a reference (known ones are skipped)
        idempotent = dry_run or all(row.get("ref") or row.get("external_ref") for row in rows)
        data = self._call(IMPRESSION_MODEL, LOG_METHOD, [rows], kwargs, idempotent=idempotent)
        return [InteractionResult.from_server(item) for item in data]

    # --- profile: motives and values ------------------------------------------
    def add_profile(
        self,
        partner: int | str,
        motives: Sequence[str] = (),
        values: Sequence[str] = (),
        create_missing: bool = False,
    ) -> ProfileUpdate:
        """Add purchase motives and values (by name) to a contact's empathy profile.

        Unknown names are an error unless ``create_missing`` (empathy managers only).
        """
        contact = self.resolve_partner(partner)
        record = self.call("res.partner", "read", [contact.id], ["empathy_objection"])[0]
        if record["empathy_objection"]:
            raise EmpathyError(
                f"{contact.name} objects to profiling (GDPR Art. 21): no motives or values"
                " are recorded."
            )
        created: list[str] = []
        motive_ids = self._ids_by_name("empathy.motive", motives, create_missing, created)
        value_ids = self._ids_by_name("empathy.value", values, create_missing, created)
        vals: dict[str, Any] = {}
        if motive_ids:
            vals["empathy_motive_ids"] = [(4, motive_id) for motive_id in motive_ids]
        if value_ids:
            vals["empathy_value_ids"] = [(4, value_id) for value_id in value_ids]
        if vals:
            self.call("res.partner", "write", [contact.id], vals)
        return ProfileUpdate(contact.id, motive_ids, value_ids, created)

    def _ids_by_name(
        self, model: str, names: Sequence[str], create_missing: bool, created: list[str]
    ) -> list[int]:
        wanted: dict[str, str] = {}
        for name in names:
            clean = " ".join(name.split())
            if clean:
                wanted.setdefault(clean.lower(), clean)
        if not wanted:
            return []
        domain: list[Any] = ["|"] * (len(wanted) - 1)
        domain += [("name", "=ilike", like_escape(name)) for name in wanted.values()]
        found = {
            record["name"].lower(): record["id"]
            for record in self.call(model, "search_read", domain, ["name"], order="id desc")
        }
        missing = [name for key, name in wanted.items() if key not in found]
        if missing and not create_missing:
            kind = "motives" if model == "empathy.motive" else "values"
            raise EmpathyError(
                f"Unknown {kind}: {', '.join(missing)}. Check the spelling, or create them"
                " with --create-missing (empathy managers only)."
            )
        for name in missing:
            found[name.lower()] = self.call(model, "create", {"name": name})
            created.append(name)
        return [found[key] for key in wanted]

    # --- briefing -------------------------------------------------------------
    def briefing(self, partner: int | str, html: bool = False) -> Briefing:
        """Return the briefing: how to talk to this person, motives, values, best advisor.

        Its lines come as data (``res.partner.empathy_briefing_data``); ``html``: also
        read the web client's rendering.
        """
        contact = self.resolve_partner(partner)
        (data,) = self.call("res.partner", "empathy_briefing_data", [contact.id])
        rendering = ""
        if html:
            record = self.call("res.partner", "read", [contact.id], ["empathy_briefing"])[0]
            rendering = record["empathy_briefing"] or ""
        return Briefing(
            partner_id=contact.id,
            name=data["name"],
            lines=tuple(BriefingLine.from_server(line) for line in data["lines"]),
            html=rendering,
        )

    # --- cross-sell -----------------------------------------------------------
    def suggest_cross_sell(self, order: int | str) -> list[Suggestion]:
        """Refresh the motive-based suggestions of a quotation; return them with reasons."""
        order_id = self._order_id(order)
        self.call("sale.order", "action_empathy_suggest", [order_id])
        return self.suggestions(order_id)

    def suggestions(self, order: int | str) -> list[Suggestion]:
        """Return the current empathic suggestions (optional products) of a quotation."""
        order_id = self._order_id(order)
        records = self.call(
            "sale.order.option",
            "search_read",
            [("order_id", "=", order_id), ("empathy_rule_id", "!=", False)],
            ["product_id", "empathy_rule_id", "empathy_reason", "line_id"],
            order="sequence, id",
        )
        return [
            Suggestion(
                option_id=record["id"],
                order_id=order_id,
                product_id=record["product_id"][0],
                product=record["product_id"][1],
                rule_id=record["empathy_rule_id"][0],
                rule=record["empathy_rule_id"][1],
                reason=record["empathy_reason"] or "",
                added=bool(record["line_id"]),
            )
            for record in records
        ]

    def _order_id(self, order: int | str) -> int:
        text = str(order).strip()
        domain = [("id", "=", int(text))] if text.isdigit() else [("name", "=", text)]
        ids = self.call("sale.order", "search", domain, limit=1)
        if not ids:
            raise EmpathyError(f"There is no quotation {text!r} (or you may not see it).")
        return ids[0]


# ----------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------
def _partner(record: dict[str, Any]) -> Partner:
    return Partner(
        id=record["id"],
        name=record["name"] or "",
        email=record.get("email") or None,
        phone=record.get("phone") or None,
        vat=record.get("vat") or None,
    )


def _rpc_message(error: odoorpc.error.RPCError) -> str:
    info = error.info if isinstance(error.info, dict) else {}
    data = info.get("data") or {}
    message = data.get("message") or (error.args[0] if error.args else "") or str(error)
    return str(message).strip()


def _rpc_name(error: odoorpc.error.RPCError) -> str:
    info = error.info if isinstance(error.info, dict) else {}
    return str((info.get("data") or {}).get("name") or "")


def _transient_server_error(error: odoorpc.error.RPCError) -> TransientFailure | None:
    """Return the failure to retry for a server error of a conflict or a lost database.

    By the type the server names (``error.data.name``); PostgreSQL's English words
    only for an answer that names none (they depend on the server's lc_messages).
    """
    name, message = _rpc_name(error), _rpc_message(error)
    lower = message.lower()
    if name:
        conflict, lost = name in SERVER_CONFLICT_NAMES, name in SERVER_LOST_DB_NAMES
    else:
        conflict = any(text in lower for text in SERVER_CONFLICT_MESSAGES)
        lost = any(text in lower for text in SERVER_LOST_DB_MESSAGES)
    if conflict:
        # the server rolled the transaction back (after its own retries)
        return TransientFailure(f"Conflict with concurrent writers: {message}.", certain=True)
    if lost:
        return TransientFailure(f"The server lost its database connection: {message}.", False)
    return None


def _is_database_error(name: str, message: str) -> bool:
    """Return whether a failed login is about the database (unknown, unreachable).

    By type: the database's errors are PostgreSQL's (``psycopg2...``); a wrong
    password is Odoo's ``AccessDenied``. Words only when the answer names no type.
    """
    if name:
        return name.startswith("psycopg2")
    return "does not exist" in message or "database" in message.lower()


def _transient_network_error(url: str, error: BaseException) -> TransientFailure | None:
    """Return the failure to retry for a network error of a server restarting or busy."""
    if isinstance(error, urllib.error.HTTPError):
        if error.code in TRANSIENT_HTTP:
            return TransientFailure(_unreachable(url, error), certain=TRANSIENT_HTTP[error.code])
        return None
    if isinstance(error, json.JSONDecodeError):
        return None  # not an Odoo
    reason = getattr(error, "reason", error)
    if isinstance(reason, ConnectionRefusedError):
        return TransientFailure(_unreachable(url, error), certain=True)
    if isinstance(error, urllib.error.URLError) and not isinstance(reason, OSError):
        return None  # e.g. an unknown URL scheme
    if isinstance(reason, socket.gaierror):
        return None  # unknown host: a configuration error
    return TransientFailure(_unreachable(url, error), certain=False)


def _unreachable(url: str, error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    if isinstance(error, json.JSONDecodeError):
        reason = "the answer is not JSON-RPC: is this an Odoo server?"
    elif isinstance(error, urllib.error.HTTPError):
        reason = f"HTTP {error.code} {error.reason}: is this the Odoo server's root URL?"
    return f"Cannot reach Odoo at {url}: {reason}. Is the server running and the URL right?"
