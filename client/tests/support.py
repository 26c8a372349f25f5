# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Helpers of the client tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
#: the client under test: this checkout's, whatever another checkout installed (-e) into
#: the shared virtualenv
SRC = HERE.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

from empathic_crm_client import EmpathyClient  # noqa: E402

ADMIN = ("admin", "admin")


def groups_field(client: EmpathyClient) -> str:
    """Return the name of a user's groups field on the server: ``groups_id`` (Odoo
    18.0), ``group_ids`` (19.0)."""
    return "groups_id" if "groups_id" in client.fields("res.users") else "group_ids"


@dataclass(frozen=True)
class OdooServer:
    url: str
    db: str
    port: int
    log: Path
    #: odoo-bin and its config: to start more servers on the same database
    command: tuple[str, ...] = ()

    def env(self, login: str = ADMIN[0], password: str = ADMIN[1], **extra: str) -> dict:
        """Return the environment for the CLI, logged in as ``login``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("EMPATHY_")}
        env.update(
            EMPATHY_URL=self.url, EMPATHY_DB=self.db, EMPATHY_LOGIN=login, EMPATHY_PASSWORD=password
        )
        env.update(extra)
        return env

    def client(self, login: str = ADMIN[0], password: str = ADMIN[1]) -> EmpathyClient:
        return EmpathyClient.connect(self.url, self.db, login, password)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def client_env(env: dict | None = None) -> dict:
    """Return ``env`` (default: ours) with this checkout's client first on PYTHONPATH."""
    env = dict(os.environ if env is None else env)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


def empathy_command() -> list[str]:
    """The installed console script (falls back to ``python -m``)."""
    script = Path(sys.executable).with_name("empathy")
    return [str(script)] if script.exists() else [sys.executable, "-m", "empathic_crm_client"]


def this_client(env: dict) -> dict:
    """``env`` running this checkout's client, whichever one the virtualenv has installed."""
    paths = [str(HERE.parent / "src"), env.get("PYTHONPATH", "")]
    return {**env, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


def run_cli(*args: str | Path, env: dict | None = None, cwd: Path | None = None):
    """Run ``empathy`` like a user would; return the CompletedProcess (text)."""
    return subprocess.run(
        [*empathy_command(), *map(str, args)],
        env=client_env(env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def count(client: EmpathyClient, model: str, domain: list | None = None) -> int:
    return client.call(model, "search_count", domain or [])


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


BIG_HEADER = ["ref", "name", "email", "phone", "advisor", "channel", "rapport", "mood", "motives"]
BIG_HEADER.append("note")
BIG_MOTIVES = ["Marathon", "Hawaii trip", "Gift", "", "Safety, Status"]


def big_csv_phone(visitor: int, prefix: str = "big-") -> str:
    """The phone of a visitor of ``write_big_csv``: a number range per prefix.

    The intake finds a contact by phone when its email is unknown: files of different
    prefixes imported into the same database must not share numbers (or their visitors
    would be the same contacts).
    """
    block = zlib.crc32(prefix.encode()) % 1000
    return f"+49 1{block:03d} {visitor:07d}"


def write_big_csv(path: Path, rows: int, prefix: str = "big-") -> Path:
    """A fair-scanner export: every visitor scanned twice, by anna or ben."""
    visitors = max(1, rows // 2)
    data = []
    for index in range(rows):
        visitor = index % visitors
        data.append(
            [
                f"{prefix}{index:06d}",
                f"Visitor {visitor}",
                f"visitor{visitor}@{prefix.strip('-')}.example.com",
                big_csv_phone(visitor, prefix) if visitor % 2 else "",
                "anna" if index % 2 else "ben",
                "fair" if index % 3 else "phone",
                1 + index % 5,
                -2 + index % 5,
                BIG_MOTIVES[index % len(BIG_MOTIVES)],
                f"Scanned at booth {index % 7}",
            ]
        )
    return write_csv(path, BIG_HEADER, data)
