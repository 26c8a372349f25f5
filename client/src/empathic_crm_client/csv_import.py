# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Import fair-scanner and call-center exports (CSV): batched, idempotent, explained.

Each CSV row becomes one row of ``empathy.impression.empathy_log_interactions``;
rows are sent in batches (one call per batch). A ``ref`` column makes re-running the
same file safe: known references are skipped (or updated when the row changed).
Rows that fail are written, with the reason, to an error file that can be fixed
and imported again.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .client import (
    DEFAULT_BATCH_SIZE,
    MAX_BATCH_SIZE,
    ConnectionFailed,
    EmpathyClient,
    EmpathyError,
    InteractionResult,
)

#: the fields of a row (``empathy_log_interactions``) a column can be mapped to
FIELDS: dict[str, str] = {
    "ref": "unique reference of the row in the source (makes re-imports idempotent)",
    "partner_id": "id of the contact in Odoo",
    "name": "contact name (to create the contact, or to find it when nothing else is known)",
    "email": "contact email (compared normalized)",
    "phone": "contact phone (compared by its digits)",
    "vat": "contact tax ID",
    "advisor_login": "login of the advisor who had the contact (default: you)",
    "channel": "phone, email, meeting, video, chat, fair, shop, letter, social, other",
    "rapport": "1 (we did not click) to 5 (we clicked perfectly)",
    "mood": "-2 (angry) to +2 (delighted)",
    "communication_style": "factual, emotional or mixed",
    "note": "free text",
    "motives": "purchase motives heard, comma separated",
    "create_motives": "1/yes: create unknown motives (empathy managers only)",
    "date": "YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, UTC (default: now)",
}
#: other common column names (after lower-casing, spaces and dashes as "_")
ALIASES: dict[str, str] = {
    "external_ref": "ref",
    "reference": "ref",
    "advisor": "advisor_login",
    "login": "advisor_login",
    "salesperson": "advisor_login",
    "mobile": "phone",
    "telephone": "phone",
    "e_mail": "email",
    "mail": "email",
    "tax_id": "vat",
    "motive": "motives",
    "style": "communication_style",
    "notes": "note",
    "comment": "note",
    "datetime": "date",
}
#: the largest field (e.g. a note) read from a CSV file; the server takes notes of any
#: length, a call is limited by Odoo's request size (128 MiB), see MAX_BATCH_CHARS
MAX_FIELD_CHARS = 64 * 1024 * 1024
#: a batch is sent before its rows exceed this many characters (large notes)
MAX_BATCH_CHARS = 16 * 1024 * 1024
IGNORE = "-"
REQUIRED = ("rapport", "mood")
IDENTIFIERS = ("partner_id", "email", "phone", "vat", "name")
DELIMITERS = ",;\t|"


class CsvError(EmpathyError):
    """The file or the column mapping cannot be used."""


@dataclass
class ImportOptions:
    """What to import and how (the options of ``empathy import-csv``)."""

    path: Path
    mapping: dict[str, str] = field(default_factory=dict)  # column -> field, "-" ignores
    dry_run: bool = False
    batch_size: int = DEFAULT_BATCH_SIZE
    errors_path: Path | None = None  # default: <file>.errors.csv next to the file
    delimiter: str | None = None  # default: detected
    encoding: str = "utf-8-sig"
    channel: str | None = None  # default channel of rows without one
    advisor: str | None = None  # default advisor login of rows without one
    create_motives: bool = False
    ref_prefix: str = ""
    progress: bool | None = None  # None: when stderr is a terminal


@dataclass
class CsvFile:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, values)
    delimiter: str


@dataclass
class ImportSummary:
    """What the import did (or would do, in a dry run)."""

    path: Path
    dry_run: bool
    total: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: int = 0
    contacts_created: int = 0
    batches: int = 0
    seconds: float = 0.0
    errors_path: Path | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped rows with a reason
    interrupted: EmpathyError | None = None

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "dry_run": self.dry_run,
            "rows": self.total,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "contacts_created": self.contacts_created,
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows_per_second, 1),
            "error_file": str(self.errors_path) if self.errors_path else None,
            "warnings": self.warnings,
            "interrupted": str(self.interrupted) if self.interrupted else None,
        }


# ----------------------------------------------------------------------
# reading and mapping
# ----------------------------------------------------------------------
def read_csv(path: Path, encoding: str = "utf-8-sig", delimiter: str | None = None) -> CsvFile:
    """Read the whole file; raise :class:`CsvError` with a helpful message."""
    try:
        text = path.read_text(encoding=encoding)
    except FileNotFoundError:
        raise CsvError(f"No such file: {path}") from None
    except IsADirectoryError:
        raise CsvError(f"{path} is a directory, not a CSV file.") from None
    except UnicodeDecodeError as error:
        raise CsvError(
            f"{path} is not {_encoding_name(encoding)} encoded (byte"
            f" {error.object[error.start]:#04x} at"
            f" position {error.start}): save it as UTF-8, or pass --encoding latin-1."
        ) from None
    except LookupError:
        raise CsvError(f"Unknown encoding {encoding!r}.") from None
    except OSError as error:
        raise CsvError(f"Cannot read {path}: {error.strerror or error}.") from None
    if "\x00" in text:
        raise CsvError(f"{path} contains NUL bytes: is it really a CSV file?")
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    elif len(delimiter) != 1:
        raise CsvError(f"The delimiter must be one character (got {delimiter!r}).")
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)  # default 128 KiB: too small for long notes
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue  # blank line
            if header is None:
                header = [value.strip() for value in values]
                continue
            rows.append((reader.line_num, values))
    except csv.Error as error:
        raise CsvError(f"{path}, line {reader.line_num}: invalid CSV ({error}).") from None
    if header is None:
        raise CsvError(f"{path} is empty: expected a header line and rows.")
    blank = [str(index + 1) for index, name in enumerate(header) if not name]
    if blank:
        raise CsvError(
            f"{path}: the header has columns without a name (column {', '.join(blank)})."
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise CsvError(f"{path}: duplicate columns in the header: {', '.join(duplicates)}.")
    return CsvFile(header, rows, delimiter)


def _encoding_name(encoding: str) -> str:
    return (
        "UTF-8"
        if encoding.lower().replace("_", "-") in ("utf-8-sig", "utf-8", "utf8")
        else encoding
    )


def _sniff_delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=lambda delimiter: counts[delimiter])
        return best if counts[best] else ","


def parse_map_options(items: list[str]) -> dict[str, str]:
    """Parse ``--map COLUMN=FIELD`` options (``COLUMN=-`` ignores a column)."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise CsvError(
                f"--map {item!r}: use --map COLUMN=FIELD, e.g. --map Mail=email"
                f" (or --map COLUMN=- to ignore a column)."
            )
        mapping[column.strip()] = target.strip()
    return mapping


def _normalize(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def resolve_mapping(
    header: list[str], overrides: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Return {column: field} and warnings; raise :class:`CsvError` if unusable."""
    by_name = {column: column for column in header}
    by_name.update({column.lower(): column for column in header if column.lower() not in by_name})
    mapping: dict[str, str] = {}
    for column, target in overrides.items():
        actual = by_name.get(column) or by_name.get(column.lower())
        if not actual:
            raise CsvError(
                f"--map {column}={target}: the file has no column {column!r}"
                f" (columns: {', '.join(header)})."
            )
        if target != IGNORE:
            target = ALIASES.get(_normalize(target), _normalize(target))
            if target not in FIELDS:
                raise CsvError(
                    f"--map {column}={target}: unknown field {target!r}."
                    f" Fields: {', '.join(FIELDS)} (or - to ignore the column)."
                )
        mapping[actual] = target
    ignored = []
    for column in header:
        if column in mapping:
            continue
        target = ALIASES.get(_normalize(column), _normalize(column))
        if target in FIELDS:
            mapping[column] = target
        else:
            ignored.append(column)
    mapping = {column: target for column, target in mapping.items() if target != IGNORE}
    seen: dict[str, str] = {}
    for column, target in mapping.items():
        if target in seen:
            raise CsvError(
                f"The columns {seen[target]!r} and {column!r} both map to {target}:"
                f" ignore one with --map {column}=-"
            )
        seen[target] = column
    missing = [name for name in REQUIRED if name not in seen]
    if missing:
        raise CsvError(
            f"No column for {', '.join(missing)} (the file's columns: {', '.join(header)})."
            f" Map them, e.g. --map {'Rating' if 'rapport' in missing else 'Mood'}"
            f"={missing[0]}."
        )
    if not any(name in seen for name in IDENTIFIERS):
        raise CsvError(
            "No column identifies the contact: map one of "
            f"{', '.join(IDENTIFIERS)} (the file's columns: {', '.join(header)})."
        )
    warnings = []
    if ignored:
        warnings.append(
            f"Ignored columns: {', '.join(ignored)} (map them with --map COLUMN=FIELD)."
        )
    if "ref" not in seen:
        warnings.append(
            "No ref column: importing this file again will log its rows again."
            " Map a unique column with --map COLUMN=ref to make re-imports safe."
        )
    return mapping, warnings


def make_row(record: dict[str, str], mapping: dict[str, str], options: ImportOptions) -> dict:
    """Return the server row of one CSV record (empty cells left out)."""
    row: dict[str, Any] = {}
    for column, target in mapping.items():
        value = (record.get(column) or "").strip()
        if value:
            row[target] = value
    if "ref" in row and options.ref_prefix:
        row["ref"] = options.ref_prefix + row["ref"]
    if options.channel and "channel" not in row:
        row["channel"] = options.channel
    if options.advisor and "advisor_login" not in row:
        row["advisor_login"] = options.advisor
    if options.create_motives and "create_motives" not in row:
        row["create_motives"] = True
    return row


# ----------------------------------------------------------------------
# importing
# ----------------------------------------------------------------------
def import_csv(
    client: EmpathyClient,
    options: ImportOptions,
    progress: Callable[..., Any] = tqdm,
) -> ImportSummary:
    """Import the file; return the summary (the error file is written if rows failed).

    :raises CsvError: the file or the mapping cannot be used (nothing was sent)
    """
    if not 1 <= options.batch_size <= MAX_BATCH_SIZE:
        raise CsvError(f"--batch-size must be between 1 and {MAX_BATCH_SIZE}.")
    csv_file = read_csv(options.path, options.encoding, options.delimiter)
    mapping, warnings = resolve_mapping(csv_file.header, options.mapping)
    summary = ImportSummary(path=options.path, dry_run=options.dry_run, warnings=warnings)
    summary.total = len(csv_file.rows)
    failed: list[tuple[int, dict[str, str], str]] = []  # (line, record, reason)
    to_send: list[tuple[int, dict[str, str], dict]] = []
    width = len(csv_file.header)
    for line, values in csv_file.rows:
        record = dict(zip(csv_file.header, values, strict=False))
        if len(values) != width:
            failed.append(
                (line, record, f"The line has {len(values)} fields, the header has {width}.")
            )
            continue
        to_send.append((line, record, make_row(record, mapping, options)))

    contacts: set[Any] = set()
    bar = progress(
        total=summary.total,
        unit="row",
        desc="dry run" if options.dry_run else "import",
        disable=(None if options.progress is None else not options.progress),
        file=sys.stderr,
        dynamic_ncols=True,
    )
    started = time.monotonic()
    try:
        bar.update(len(failed))
        for start, chunk in _batches(to_send, options.batch_size):
            try:
                results = client.log_rows([row for _l, _r, row in chunk], dry_run=options.dry_run)
            except EmpathyError as error:
                summary.interrupted = error
                reason = f"Not imported: {error}"
                failed.extend((line, record, reason) for line, record, _row in to_send[start:])
                break
            summary.batches += 1
            for (line, record, _row), result in zip(chunk, results, strict=True):
                _count(summary, result, line, contacts)
                if result.status == "error":
                    failed.append((line, record, result.error or result.message or "error"))
            bar.update(len(chunk))
    finally:
        bar.close()
    summary.seconds = time.monotonic() - started
    summary.errors = len(failed)
    summary.contacts_created = len(contacts)
    summary.errors_path = _write_errors(options, csv_file, sorted(failed, key=lambda f: f[0]))
    return summary


def _batches(to_send: list, batch_size: int):
    """Yield (start, rows): at most ``batch_size`` rows and about MAX_BATCH_CHARS each."""
    start = 0
    while start < len(to_send):
        end, size = start, 0
        while end < len(to_send) and end - start < batch_size:
            row = to_send[end][2]
            size += sum(len(str(value)) for value in row.values())
            if size > MAX_BATCH_CHARS and end > start:
                break
            end += 1
        yield start, to_send[start:end]
        start = end


def _count(summary: ImportSummary, result: InteractionResult, line: int, contacts: set) -> None:
    if result.status == "created":
        summary.created += 1
    elif result.status == "updated":
        summary.updated += 1
    elif result.status == "skipped":
        summary.skipped += 1
        if not result.impression_id and result.message:  # not "already recorded"
            summary.notes.append(f"line {line}: {result.message}")
    if result.partner_created:
        contacts.add(result.partner_id or ("line", line))


def default_errors_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.errors.csv")


def _write_errors(
    options: ImportOptions, csv_file: CsvFile, failed: list[tuple[int, dict[str, str], str]]
) -> Path | None:
    """Write the failing rows and their reasons; return the file (None if no errors)."""
    path = options.errors_path or default_errors_path(options.path)
    if not failed:
        if options.errors_path is None and path.exists():
            path.unlink()  # our own file of an earlier run: stale now
        return None
    try:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, delimiter=csv_file.delimiter)
            writer.writerow(["line", *csv_file.header, "error"])
            for line, record, reason in failed:
                values = [record.get(column) or "" for column in csv_file.header]
                writer.writerow([line, *values, reason])
    except OSError as error:
        raise CsvError(f"Cannot write the error file {path}: {error.strerror or error}.") from None
    return path


def is_connection_problem(error: EmpathyError | None) -> bool:
    return isinstance(error, ConnectionFailed)
