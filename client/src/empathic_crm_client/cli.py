# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""``empathy``: push interactions and impressions from other channels into Odoo."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .client import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_TIMEOUT,
    DEFAULT_URL,
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    EmpathyClient,
    EmpathyError,
    Interaction,
    Settings,
)
from .csv_import import (
    FIELDS,
    CsvError,
    ImportOptions,
    ImportSummary,
    import_csv,
    parse_map_options,
    read_csv,
    resolve_mapping,
)

EXIT_OK = 0
EXIT_FAILED = 1  # rows failed, or the server refused the request
EXIT_USAGE = 2  # wrong options, unusable CSV file
EXIT_CONNECTION = 3  # server unreachable, unknown database, login failed

PROG = "empathy"
DESCRIPTION = """\
Push interactions and impressions from other channels (fair app, call center,
web shop) into an Odoo with the empathic_crm module.

Connection: --url, --db, --login, --password, or the environment variables
EMPATHY_URL, EMPATHY_DB, EMPATHY_LOGIN, EMPATHY_PASSWORD (the password may be an
API key: Odoo > Preferences > Account Security > New API Key).
"""
EXAMPLES = """\
Examples:
  export EMPATHY_URL=http://localhost:8069 EMPATHY_DB=empathic_demo
  export EMPATHY_LOGIN=anna EMPATHY_PASSWORD=anna

  # the runner met at the fair: found by email (or created), impression recorded
  empathy log --email jonas.keller@example.com --name "Jonas Keller" \\
      --rapport 5 --mood 2 --channel fair --motive Marathon --motive "Hawaii trip" \\
      --note "Runs the Honolulu marathon in December" --ref fair2026-0001

  # the booth team's fair-scanner export (advisor column: anna, ben) is imported by
  # an empathy manager: check first, then import (re-running it is safe)
  export EMPATHY_LOGIN=clara EMPATHY_PASSWORD=clara
  empathy import-csv client/examples/fair.csv --dry-run
  empathy import-csv client/examples/fair.csv --ref-prefix fair2026-

  # before the next call
  empathy briefing jonas.keller@example.com
  empathy suggest S00042

Exit codes: 0 done, 1 rows failed or the server refused, 2 wrong options or
unusable CSV file, 3 server unreachable, unknown database or login failed.
"""
IMPORT_EXAMPLES = """\
Columns are matched by name (ref, name, email, phone, vat, advisor, channel,
rapport, mood, motives, note, date, ...); map others with --map COLUMN=FIELD.
Fields:
{fields}

Examples:
  empathy import-csv fair.csv --dry-run
  empathy import-csv callcenter.csv --map "Customer Mail=email" --map Rating=rapport \\
      --map Mood=mood --map "Call ID=ref" --map Agent=advisor_login --channel phone
  empathy import-csv fair.csv --ref-prefix fair2026- --errors /tmp/fair-errors.csv

Rows that fail are written with the reason to the file given with --errors, else
to a temporary file whose path is printed (fix them and import that file again). Re-importing rows with a known ref creates nothing: unchanged rows
are skipped, changed ones update their impression.
""".format(fields="\n".join(f"  {name:<20} {text}" for name, text in FIELDS.items()))


MCP_EXAMPLES = """\
Example (an assistant's MCP configuration, e.g. Claude Desktop's mcpServers):
  "empathic-crm": {
    "command": "empathy", "args": ["mcp"],
    "env": {"EMPATHY_URL": "https://odoo.example.com", "EMPATHY_DB": "prod",
            "EMPATHY_LOGIN": "anna", "EMPATHY_PASSWORD": "<API key>"}
  }
"""


class UsageError(EmpathyError):
    """Wrong or missing options."""


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit with EXIT_USAGE and a hint, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\nSee '{self.prog} --help'.\n")


def build_parser() -> ArgumentParser:
    connection = argparse.ArgumentParser(add_help=False)
    group = connection.add_argument_group("connection")
    group.add_argument("--url", help=f"Odoo URL (EMPATHY_URL, default {DEFAULT_URL})")
    group.add_argument("--db", help="database (EMPATHY_DB)")
    group.add_argument("--login", help="login (EMPATHY_LOGIN)")
    group.add_argument("--password", help="password or API key (EMPATHY_PASSWORD)")
    group.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per call (%(default)s)"
    )
    group.add_argument("--json", action="store_true", help="print the result as JSON")

    contact = argparse.ArgumentParser(add_help=False)
    who = contact.add_argument_group("contact (found by email, VAT, phone or name; else created)")
    who.add_argument("--partner-id", type=int, help="id of the contact in Odoo")
    who.add_argument("--email")
    who.add_argument("--phone")
    who.add_argument("--vat")
    who.add_argument("--name")

    formatter = argparse.RawDescriptionHelpFormatter
    parser = ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EXAMPLES, formatter_class=formatter
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    commands.required = True

    sub = commands.add_parser(
        "partner",
        parents=[connection, contact],
        help="find a contact, or create it (no duplicates)",
        description="Find the contact by email, VAT, phone or name; create it if nobody matches.",
        epilog="Example:\n  empathy partner --email jonas.keller@example.com --name 'Jonas Keller'",
        formatter_class=formatter,
    )
    sub.add_argument("--find-only", action="store_true", help="do not create a missing contact")

    sub = commands.add_parser(
        "log",
        parents=[connection, contact],
        help="log one interaction with the advisor's impression",
        description="Log one interaction with the advisor's impression.",
        epilog="Example:\n  empathy log --email jonas.keller@example.com --rapport 5 --mood 2"
        " --channel fair --motive Marathon --ref fair2026-0001",
        formatter_class=formatter,
    )
    sub.add_argument("--rapport", required=True, help="1 (we did not click) to 5 (perfectly)")
    sub.add_argument("--mood", required=True, help="-2 (angry) to +2 (delighted)")
    sub.add_argument("--channel", help="phone, email, meeting, video, chat, fair, shop, ...")
    sub.add_argument("--advisor", help="advisor's login (default: you; others: managers only)")
    sub.add_argument("--note")
    sub.add_argument("--style", help="observed communication style: factual, emotional, mixed")
    sub.add_argument(
        "--motive", action="append", default=[], help="motive heard (repeatable or a,b)"
    )
    sub.add_argument("--create-motives", action="store_true", help="create unknown motives")
    sub.add_argument("--ref", help="external reference (logging it again changes nothing)")
    sub.add_argument("--date", help="YYYY-MM-DD[ HH:MM:SS] in UTC (default: now)")
    sub.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    sub = commands.add_parser(
        "profile",
        parents=[connection],
        help="add purchase motives and values to a contact",
        description="Add purchase motives and values (by name) to a contact's profile.",
        epilog="Example:\n  empathy profile jonas.keller@example.com --motive 'Hawaii trip'"
        " --value Sustainability",
        formatter_class=formatter,
    )
    sub.add_argument("partner", help="contact: id, email or exact name")
    sub.add_argument("--motive", action="append", default=[], help="repeatable or a,b")
    sub.add_argument("--value", action="append", default=[], help="repeatable or a,b")
    sub.add_argument(
        "--create-missing", action="store_true", help="create unknown names (managers only)"
    )

    sub = commands.add_parser(
        "briefing",
        parents=[connection],
        help="read the briefing of a contact",
        description="How to talk to this person: style, motives, values, best advisor, mood.",
        epilog="Example:\n  empathy briefing jonas.keller@example.com",
        formatter_class=formatter,
    )
    sub.add_argument("partner", help="contact: id, email or exact name")
    sub.add_argument("--html", action="store_true", help="print the HTML")

    sub = commands.add_parser(
        "suggest",
        parents=[connection],
        help="cross-sell suggestions for a quotation, with reasons",
        description="Refresh the motive-based suggestions of a quotation and list them.",
        epilog="Example:\n  empathy suggest S00042",
        formatter_class=formatter,
    )
    sub.add_argument("order", help="quotation: id or number (e.g. S00042)")

    sub = commands.add_parser(
        "import-csv",
        parents=[connection],
        help="import a fair-scanner or call-center export",
        description="Import interactions and impressions from a CSV file, in batches.",
        epilog=IMPORT_EXAMPLES,
        formatter_class=formatter,
    )
    sub.add_argument("file", type=Path, help="CSV file with a header line")
    sub.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="map a column to a field (repeatable; COLUMN=- ignores it)",
    )
    sub.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    sub.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="rows per call (%(default)s)"
    )
    sub.add_argument(
        "--errors",
        type=Path,
        metavar="FILE",
        help="write the failed rows here (default: a temporary file, its path is printed)",
    )
    sub.add_argument("--delimiter", help="field delimiter (default: detected)")
    sub.add_argument("--encoding", default="utf-8-sig", help="file encoding (UTF-8)")
    sub.add_argument("--channel", help="channel of rows without one, e.g. fair")
    sub.add_argument("--advisor", help="advisor login of rows without one")
    sub.add_argument("--create-motives", action="store_true", help="create unknown motives")
    sub.add_argument("--ref-prefix", default="", help="prefix of the refs, e.g. fair2026-")
    progress = sub.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress", dest="progress", action="store_true", default=None, help="progress bar"
    )
    progress.add_argument("--no-progress", dest="progress", action="store_false")

    commands.add_parser(
        "mcp",
        parents=[connection],
        help="serve the tools to an AI assistant (Model Context Protocol, stdio)",
        description="Serve the tools briefing, log_impression, open_activities,\n"
        "complete_activity_with_impression, suggest and silent_customers to an AI\n"
        "assistant over the Model Context Protocol (stdin/stdout). Every tool acts as\n"
        "the logged-in user, with their Odoo access rights.\n"
        "Needs: pip install 'empathic-crm-client[mcp]'",
        epilog=MCP_EXAMPLES,
        formatter_class=formatter,
    )
    return parser


# ----------------------------------------------------------------------
# commands
# ----------------------------------------------------------------------
def connect(args: argparse.Namespace) -> EmpathyClient:
    password = args.password
    if not password and not os.environ.get("EMPATHY_PASSWORD") and sys.stdin.isatty():
        password = getpass.getpass("Odoo password or API key: ")
    return EmpathyClient.connect(args.url, args.db, args.login, password, args.timeout)


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def cmd_partner(client: EmpathyClient, args: argparse.Namespace) -> int:
    identity = {"email": args.email, "phone": args.phone, "vat": args.vat, "name": args.name}
    if args.partner_id:
        partner = client.resolve_partner(args.partner_id)
    elif args.find_only:
        partner = client.find_partner(**identity)
        if not partner:
            _print(args, {"found": False}, "No matching contact.")
            return EXIT_FAILED
    else:
        partner = client.find_or_create_partner(**identity)
    state = "created" if partner.created else "found"
    _print(args, asdict(partner), f"{state}: #{partner.id} {partner.name}")
    return EXIT_OK


def cmd_log(client: EmpathyClient, args: argparse.Namespace) -> int:
    interaction = Interaction(
        rapport=args.rapport,
        mood=args.mood,
        partner_id=args.partner_id,
        email=args.email,
        phone=args.phone,
        vat=args.vat,
        name=args.name,
        channel=args.channel,
        advisor_login=args.advisor,
        note=args.note,
        communication_style=args.style,
        motives=_names(args.motive),
        create_motives=args.create_motives,
        ref=args.ref,
        date=args.date,
    )
    if not any((args.partner_id, args.email, args.phone, args.vat, args.name)):
        raise UsageError("Who was it? Give --partner-id, --email, --phone, --vat or --name.")
    result = client.log_interactions([interaction], dry_run=args.dry_run)[0]
    prefix = "dry run, would be " if args.dry_run else ""
    if result.status == "error":
        text = f"error: {result.error}"
    else:
        text = f"{prefix}{result.status}: impression #{result.impression_id or '-'}"
        text += f", contact #{result.partner_id or '-'}"
        text += " (new)" if result.partner_created else ""
        text += f" ({result.message})" if result.message else ""
    _print(args, asdict(result), text, error=not result.ok)
    return EXIT_OK if result.ok else EXIT_FAILED


def cmd_profile(client: EmpathyClient, args: argparse.Namespace) -> int:
    motives, values = _names(args.motive), _names(args.value)
    if not motives and not values:
        raise UsageError("Give at least one --motive or --value.")
    update = client.add_profile(args.partner, motives, values, create_missing=args.create_missing)
    text = f"contact #{update.partner_id}: {len(update.motive_ids)} motive(s), "
    text += f"{len(update.value_ids)} value(s) added"
    if update.created:
        text += f"; created: {', '.join(update.created)}"
    _print(args, asdict(update), text)
    return EXIT_OK


def cmd_briefing(client: EmpathyClient, args: argparse.Namespace) -> int:
    briefing = client.briefing(args.partner, html=args.html)
    data = {
        "partner_id": briefing.partner_id,
        "name": briefing.name,
        "lines": [line.data for line in briefing.lines],
        "text": briefing.text,
    }
    if args.html:
        data["html"] = briefing.html
    _print(args, data, f"{briefing.name}\n{briefing.html if args.html else briefing.text}")
    return EXIT_OK


def cmd_suggest(client: EmpathyClient, args: argparse.Namespace) -> int:
    suggestions = client.suggest_cross_sell(args.order)
    lines = [
        f"- {s.product}{' (on the order)' if s.added else ''}: {s.reason} [{s.rule}]"
        for s in suggestions
    ]
    text = "\n".join(lines) if lines else "No suggestion: no rule matches this customer's motives."
    _print(args, [asdict(s) for s in suggestions], text)
    return EXIT_OK


def cmd_import_csv(client: EmpathyClient, args: argparse.Namespace) -> int:
    options = _import_options(args)
    summary = import_csv(client, options)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(format_summary(summary, client))
    if summary.interrupted:
        _error(f"import interrupted: {summary.interrupted}")
        return EXIT_CONNECTION if isinstance(summary.interrupted, ConnectionFailed) else EXIT_FAILED
    return EXIT_OK if summary.ok else EXIT_FAILED


def cmd_mcp(args: argparse.Namespace) -> int:
    try:
        from .mcp_server import serve  # noqa: PLC0415 - optional, heavy: only for mcp
    except ImportError as error:
        raise UsageError(str(error)) from None
    Settings.resolve(args.url, args.db, args.login, args.password, args.timeout)  # complete?
    return serve(lambda: connect(args))


def _import_options(args: argparse.Namespace) -> ImportOptions:
    if args.errors is None:
        # never next to the input (e.g. into a checkout): a temporary file, printed
        args.errors = _temporary_errors_path(args.file)
    return ImportOptions(
        path=args.file,
        mapping=parse_map_options(args.map),
        dry_run=args.dry_run,
        batch_size=args.batch_size,
        errors_path=args.errors,
        delimiter=_delimiter(args.delimiter),
        encoding=args.encoding,
        channel=args.channel,
        advisor=args.advisor,
        create_motives=args.create_motives,
        ref_prefix=args.ref_prefix,
        progress=args.progress,
    )


def _temporary_errors_path(source: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f"{source.stem}.errors-", suffix=".csv")
    os.close(handle)
    os.unlink(name)  # created only when rows fail
    return Path(name)


def _delimiter(value: str | None) -> str | None:
    return {"tab": "\t", "\\t": "\t", "semicolon": ";", "comma": ","}.get(value or "", value)


def format_summary(summary: ImportSummary, client: EmpathyClient | None = None) -> str:
    target = f" into {client.settings.db} as {client.settings.login}" if client else ""
    if summary.dry_run:
        head = f"Dry run of {summary.path}{target}: nothing was written. It would have:"
    else:
        head = f"Imported {summary.path}{target}:"
    lines = [head]
    lines += [f"  warning: {warning}" for warning in summary.warnings]
    errors = f"  (see {summary.errors_path})" if summary.errors_path else ""
    lines += [
        f"  created  {summary.created:>7}",
        f"  updated  {summary.updated:>7}",
        f"  skipped  {summary.skipped:>7}",
        f"  errors   {summary.errors:>7}{errors}",
        f"  new contacts {summary.contacts_created}",
    ]
    for note in summary.notes[:10]:
        lines.append(f"  skipped {note}")
    if len(summary.notes) > 10:
        lines.append(f"  ... and {len(summary.notes) - 10} more skipped with a reason")
    lines.append(
        f"  {summary.total} rows in {summary.seconds:.1f} s"
        f" ({summary.rows_per_second:.0f} rows/s, {summary.batches} batch(es))"
    )
    return "\n".join(lines)


COMMANDS = {
    "partner": cmd_partner,
    "log": cmd_log,
    "profile": cmd_profile,
    "briefing": cmd_briefing,
    "suggest": cmd_suggest,
    "import-csv": cmd_import_csv,
}


# ----------------------------------------------------------------------
# entry point
# ----------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "import-csv":
            # check the file and the mapping before connecting
            options = _import_options(args)
            csv_file = read_csv(options.path, options.encoding, options.delimiter)
            resolve_mapping(csv_file.header, options.mapping)
        if args.command == "mcp":
            return cmd_mcp(args)
        client = connect(args)
        return COMMANDS[args.command](client, args)
    except (ConfigurationError, UsageError) as error:
        _error(str(error))
        return EXIT_USAGE
    except (ConnectionFailed, AuthenticationFailed) as error:
        _error(str(error))
        return EXIT_CONNECTION
    except EmpathyError as error:
        _error(str(error))
        return EXIT_USAGE if isinstance(error, CsvError) else EXIT_FAILED
    except KeyboardInterrupt:
        _error("interrupted (rows already sent are saved; re-run to continue).")
        return 130


def _print(args: argparse.Namespace, data: Any, text: str, error: bool = False) -> None:
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2, default=str))
    elif error:
        _error(text)
    else:
        print(text)


def _error(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
