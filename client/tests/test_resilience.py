# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Transient failures are retried, concurrent creators make one contact, an import
survives a killed server and terminated database connections, long notes pass."""

from __future__ import annotations

import configparser
import http.client
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import odoorpc.error
import psycopg2
import pytest
from empathic_crm_client import (
    ConnectionFailed,
    EmpathyClient,
    FeatureMissing,
    ServerError,
    Settings,
)
from empathic_crm_client.csv_import import MAX_BATCH_CHARS, _batches, read_csv
from empathic_crm_client.normalize import email_key, phone_key
from support import (
    client_env,
    count,
    empathy_command,
    free_port,
    run_cli,
    write_big_csv,
    write_csv,
)
from support import read_csv as read_rows

SERIALIZATION = {
    "name": "psycopg2.errors.SerializationFailure",
    "message": "could not serialize access due to concurrent update",
}


# ----------------------------------------------------------------------
# retries, without a server
# ----------------------------------------------------------------------
class FakeOdoo:
    """Answers execute_kw from a script of exceptions and results."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = []
        self.env = type("Env", (), {"context": {}, "uid": 2})()

    def execute_kw(self, model, method, args, kwargs):
        self.calls.append((model, method))
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        return step


def rpc_error(data: dict) -> odoorpc.error.RPCError:
    return odoorpc.error.RPCError(data["message"], {"data": data})


def fake_client(*script, retry_seconds: float = 60.0):
    odoo = FakeOdoo(*script)
    settings = Settings("http://odoo.test", "db", "anna", "anna", retry_seconds=retry_seconds)
    client = EmpathyClient(odoo, settings)  # type: ignore[arg-type]
    clock = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    client._sleep = sleep
    client._clock = lambda: clock[0]
    return client, odoo, waits


def refused() -> urllib.error.URLError:
    return urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))


def test_conflicts_and_a_restarting_server_are_retried_with_backoff():
    client, odoo, waits = fake_client(
        rpc_error(SERIALIZATION),
        refused(),
        urllib.error.HTTPError("http://odoo.test", 503, "Service Unavailable", {}, None),
        rpc_error({"name": "psycopg2.errors.DeadlockDetected", "message": "deadlock detected"}),
        [42],
    )
    assert client.call("res.partner", "create", {"name": "X"}) == [42]
    assert len(odoo.calls) == 5 and client.retries == 4
    # full jitter below an exponential bound
    assert all(0 <= wait <= 0.5 * 2 ** (n + 1) for n, wait in enumerate(waits))


def test_a_lost_answer_is_resent_only_when_that_is_safe():
    lost = http.client.RemoteDisconnected("Remote end closed connection without response")
    rows = [{"ref": "r1", "email": "a@example.com", "rapport": 4, "mood": 1}]
    answer = [{"status": "skipped", "ref": "r1", "impression_id": 7}]
    client, _odoo, _waits = fake_client(lost, answer)
    assert client.log_rows(rows)[0].status == "skipped"  # refs: idempotent, resent
    client, _odoo, _waits = fake_client(lost, [1])
    assert client.call("res.partner", "search", []) == [1]  # reads: resent
    client, _odoo, _waits = fake_client(lost)
    with pytest.raises(ConnectionFailed, match="not sent again"):
        client.log_rows([{"email": "a@example.com", "rapport": 4, "mood": 1}])  # no ref
    client, _odoo, _waits = fake_client(
        rpc_error({"name": "psycopg2.InterfaceError", "message": "connection already closed"}),
        answer,
    )
    assert client.log_rows(rows)[0].status == "skipped"
    assert client.retries == 1


def test_gives_up_after_the_retry_time_with_a_clear_message():
    client, odoo, waits = fake_client(*[refused()] * 200, retry_seconds=30)
    with pytest.raises(ConnectionFailed) as info:
        client.call("res.partner", "search", [])
    message = str(info.value)
    assert "Gave up after" in message and "EMPATHY_RETRY_SECONDS=30" in message
    assert "run the same command again" in message
    assert sum(waits) <= 30
    assert 3 < len(odoo.calls) < 200


def test_real_errors_are_not_retried():
    client, _odoo, _waits = fake_client(
        rpc_error({"name": "odoo.exceptions.UserError", "message": "Too many rows"})
    )
    with pytest.raises(ServerError, match="Too many rows"):
        client.call("empathy.impression", "empathy_log_interactions", [])
    client, odoo, _waits = fake_client(
        urllib.error.HTTPError("http://odoo.test", 404, "Not Found", {}, None)
    )
    with pytest.raises(ConnectionFailed, match="HTTP 404"):
        client.call("res.partner", "search", [])
    assert len(odoo.calls) == 1 and client.retries == 0


def test_errors_are_classified_by_the_type_the_server_names():
    """Not by PostgreSQL's or Odoo's words: they change with lc_messages and versions."""
    german = {
        "name": "psycopg2.errors.SerializationFailure",
        "message": "konnte Zugriff nicht serialisieren wegen gleichzeitiger Aktualisierung",
    }
    client, _odoo, _waits = fake_client(rpc_error(german), [7])
    assert client.call("res.partner", "create", {"name": "X"}) == [7]
    assert client.retries == 1
    # a user's message quoting the words is no conflict
    quoting = {"name": "odoo.exceptions.UserError", "message": "could not serialize access"}
    client, _odoo, _waits = fake_client(rpc_error(quoting))
    with pytest.raises(ServerError, match="could not serialize"):
        client.call("res.partner", "create", {"name": "X"})
    assert client.retries == 0
    terminated = {"name": "psycopg2.errors.AdminShutdown", "message": "Verbindung beendet"}
    client, _odoo, _waits = fake_client(rpc_error(terminated), [1])
    assert client.call("res.partner", "search", []) == [1]
    missing = {
        "name": "builtins.AttributeError",
        "message": "The method 'empathy_briefing_data' does not exist on the model 'res.partner'",
    }
    client, _odoo, _waits = fake_client(rpc_error(missing))
    with pytest.raises(FeatureMissing, match="update the empathic_crm module"):
        client.call("res.partner", "empathy_briefing_data", [1])
    other = {"name": "builtins.AttributeError", "message": "'NoneType' has no attribute 'id'"}
    client, _odoo, _waits = fake_client(rpc_error(other))
    with pytest.raises(ServerError) as info:
        client.call("res.partner", "empathy_briefing_data", [1])
    assert not isinstance(info.value, FeatureMissing)


def test_long_notes_are_read_and_batches_stay_small(tmp_path):
    note = "Marathon in Hawaii. " * 52_429  # about 1 MB
    path = write_csv(tmp_path / "long.csv", ["ref", "email", "rapport", "mood", "note"], [])
    with path.open("a", encoding="utf-8", newline="") as stream:
        stream.write(f'long-1,long@example.com,5,2,"{note}"\n')
    assert read_csv(path).rows[0][1][4] == note
    rows = [(n, {}, {"note": "x" * (MAX_BATCH_CHARS // 3)}) for n in range(7)]
    assert [len(chunk) for _start, chunk in _batches(rows, 200)] == [3, 3, 1]
    assert [len(chunk) for _start, chunk in _batches(rows[:5], 2)] == [2, 2, 1]


# ----------------------------------------------------------------------
# against real servers
# ----------------------------------------------------------------------
def test_long_note_is_imported(odoo_server, tmp_path):
    note = "Runs the Honolulu marathon every December. " * 24_000  # about 1 MB
    path = write_csv(
        tmp_path / "long.csv",
        ["ref", "email", "rapport", "mood", "note"],
        [["long-note-1", "long.note@example.com", 5, 2, note]],
    )
    result = run_cli("import-csv", path, "--no-progress", "--json", env=odoo_server.env())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 1
    admin = odoo_server.client()
    stored = admin.call(
        "empathy.impression", "search_read", [("external_ref", "=", "long-note-1")], ["note"]
    )
    assert stored[0]["note"] == note.strip()


def test_concurrent_creators_make_one_contact(odoo_server, people):
    """8 clients send the same 5 new emails at the same moment: 5 contacts."""
    emails = [f"same.visitor.{n}@concurrent.example.com" for n in range(5)]
    clients = [odoo_server.client(login, login) for login in ("anna", "ben") * 4]
    barrier = threading.Barrier(len(clients))
    results: list = []

    def send(number: int, client: EmpathyClient) -> None:
        rows = [
            {"ref": f"concurrent-{number}-{n}", "email": email, "rapport": 4, "mood": 1}
            for n, email in enumerate(emails)
        ]
        barrier.wait()
        results.extend(client.log_rows(rows))

    threads = [threading.Thread(target=send, args=item) for item in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sorted(r.status for r in results) == ["created"] * 40, [r.error for r in results]
    admin = odoo_server.client()
    for email in emails:
        assert count(admin, "res.partner", [("email", "=", email)]) == 1, email
    assert len({r.partner_id for r in results}) == 5


def _pg_connect(db: str):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.environ["ODOO_CONF"])
    options = parser["options"]
    params = {"dbname": db}
    for key, option in (("host", "db_host"), ("port", "db_port"), ("user", "db_user")):
        value = options.get(option)
        if value and value != "False":
            params[key] = value
    if options.get("db_password") not in (None, "", "False"):
        params["password"] = options["db_password"]
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    return connection


class SecondServer:
    """Another Odoo on the same database, to be killed (kill -9) and restarted."""

    def __init__(self, odoo_server, port: int, log: Path):
        self.odoo_server, self.port, self.log = odoo_server, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        db = self.odoo_server.db
        with self.log.open("a") as stream:
            self.process = subprocess.Popen(
                [
                    *self.odoo_server.command,
                    "--http-interface=127.0.0.1",
                    "--max-cron-threads=0",
                    "--workers=0",
                    "--log-level=warn",
                    "-d",
                    db,
                    "--http-port",
                    str(self.port),
                    "--db-filter",
                    f"^{db}$",
                ],
                stdout=stream,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise AssertionError(f"the second server did not start:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()  # SIGKILL: no graceful shutdown, requests in flight are lost
        self.process.wait(timeout=30)

    def terminate_backends(self) -> int:
        """pg_terminate_backend of every database connection of this server."""
        assert self.process is not None
        with _pg_connect("postgres") as connection, connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                    WHERE datname = %s AND application_name = %s""",
                [self.odoo_server.db, f"odoo-{self.process.pid}"],
            )
            return cursor.fetchone()[0]


def test_import_survives_kill_and_terminated_backends(odoo_server, people, tmp_path):
    """kill -9 of the server and pg_terminate_backend mid-import: all rows, once."""
    rows = 2000
    path = write_big_csv(tmp_path / "fault.csv", rows, prefix="fault-")
    server = SecondServer(odoo_server, free_port(), tmp_path / "second.log")
    server.start()
    admin = odoo_server.client()  # watches through the other server

    def imported() -> int:
        return count(admin, "empathy.impression", [("external_ref", "=like", "fault-%")])

    def wait_for(target: int, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while imported() < target:
            assert cli.poll() is None, cli.communicate()
            assert time.monotonic() < deadline, f"stuck at {imported()} rows"
            time.sleep(0.1)

    env = odoo_server.env(EMPATHY_URL=server.url, EMPATHY_RETRY_SECONDS="240")
    cli = subprocess.Popen(
        [
            *empathy_command(),
            "import-csv",
            str(path),
            "--batch-size",
            "20",
            "--no-progress",
            "--json",
        ],
        env=client_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(300)
        server.kill()
        time.sleep(1.0)  # the CLI meets a dead server: connection refused, retried
        server.start()
        wait_for(imported() + 300)
        terminated = 0
        for _round in range(3):  # hit transactions in flight
            terminated += server.terminate_backends()
            time.sleep(0.3)
        assert terminated, "no backend of the second server was terminated"
        stdout, stderr = cli.communicate(timeout=600)
    finally:
        if cli.poll() is None:
            cli.kill()
        if server.process and server.process.poll() is None:
            server.process.terminate()
            server.process.wait(timeout=30)
    assert cli.returncode == 0, (stdout, stderr)
    summary = json.loads(stdout)
    assert summary["errors"] == 0 and summary["interrupted"] is None
    assert summary["created"] + summary["skipped"] == rows  # resent batches: skipped
    assert imported() == rows  # nothing lost, nothing doubled
    # every visitor is one contact of their own: nobody merged, nobody lost
    impressions = admin.call(
        "empathy.impression",
        "search_read",
        [("external_ref", "=like", "fault-%")],
        ["external_ref", "partner_id"],
    )
    partner_ids = sorted({impression["partner_id"][0] for impression in impressions})
    emails = {
        partner["id"]: partner["email"]
        for partner in admin.call("res.partner", "read", partner_ids, ["email"])
    }
    expected = {row["ref"]: row["email"] for row in read_rows(path)}
    wrong = {
        impression["external_ref"]: emails[impression["partner_id"][0]]
        for impression in impressions
        if emails[impression["partner_id"][0]] != expected[impression["external_ref"]]
    }
    assert not wrong, f"{len(wrong)} rows on another visitor's contact: {sorted(wrong.items())[:5]}"
    assert len(partner_ids) == rows // 2
    visitors = count(admin, "res.partner", [("email", "=like", "%@fault.example.com")])
    assert visitors == rows // 2


def test_big_csv_files_share_no_contact(tmp_path):
    """Big files of different prefixes in one database: other visitors, no shared keys.

    The intake finds a contact by phone when the email is unknown: a shared number would
    make the fault import's visitors the big import's contacts (test_api runs first).
    """
    keys = []
    for prefix in ("big-", "fault-"):
        rows = read_rows(write_big_csv(tmp_path / f"{prefix}.csv", 10_000, prefix=prefix))
        keys.append(
            {email_key(row["email"]) for row in rows}
            | {phone_key(row["phone"]) for row in rows if row["phone"]}
        )
    assert len(keys[1]) == 5000 + 2500
    assert not keys[0] & keys[1]
