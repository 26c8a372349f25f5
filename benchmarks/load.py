#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A sales team at once: concurrent intake through the public API of a real server.

    $VENV/bin/python benchmarks/load.py -c odoo.conf -d DB [--create] [--small]
        [--clients 16] [--customers 20] [--rows 250] [--batch 5] [--workers 4]
        [--servers 1] [--port 8141] [--scenario NAME ...] [--output FILE]

Starts ``--servers`` Odoo servers (``--workers`` processes each, all on the same
database, as behind a load balancer), creates 12 salespeople and 4 managers (the
managers log for the salespeople via ``advisor_login``) and shared customers, then
runs scenarios of concurrent ``empathic_crm_client`` clients, each its own thread
with its own connection, through ``empathy.impression.empathy_log_interactions``:

- ``single``: one client on the shared customers (the reference rate);
- ``shared``: ``--clients`` clients on ``--customers`` shared customers;
- ``wide``: ``--clients`` clients on ``--wide-customers`` customers;
- ``new_contacts``: 12 clients send the same 10 new emails at the same moment.

It reports throughput (impressions stored per second of wall time), p50/p95 call
latency, rows rejected by cause (concurrency or other), calls that failed after the
client's retries, the client's retries and the server's own request retries,
duplicate contacts, acknowledged = stored, and a rapport check: every rapport row of
the customers against ``empathy.rapport._empathy_compute_from_scratch``, the
contacts' figures per company against ``res.partner._empathy_refresh_rapport``
(rolled back), and the rapport by kind of customer (``empathy.kind.rapport``, one
UPSERT per impression from every worker at once) against its rebuild (rolled back).

Exit status: 1 when the harness breaks or a correctness check fails (a row rejected
for concurrency, a duplicate contact, a lost or doubled impression, a rapport
mismatch); speed targets are only reported.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "client" / "src"))

from bench_common import addon_compat, log, machine_info  # noqa: E402
from empathic_crm_client import EmpathyClient, EmpathyError  # noqa: E402

ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo/18.0"))
SALES = [f"load_sales_{n:02d}" for n in range(1, 13)]
MANAGERS = [f"load_manager_{n:02d}" for n in range(1, 5)]
SALES_GROUPS = ("sales_team.group_sale_salesman", "base.group_partner_manager")
MANAGER_GROUPS = ("sales_team.group_sale_manager", "base.group_partner_manager")
CUSTOMER_EMAIL = "load.customer.{:05d}@example.com"
#: communication styles given to the load customers in turn
STYLES = ("factual", "emotional", "mixed")
START_TIMEOUT = 180
#: what a row error caused by concurrent writers looks like (never acceptable)
CONCURRENCY_PATTERN = re.compile(
    r"serializ|deadlock|duplicate key|could not obtain lock|lock not available|concurrent",
    re.IGNORECASE,
)
CHANNELS = ["phone", "email", "meeting", "fair", "shop", "video"]
MOTIVES = [[], [], ["Marathon"], ["Gift"], ["Hawaii trip", "Marathon"]]
NOTES = ["", "Asked for the catalogue", "Runs the Honolulu marathon", "Happy with the delivery"]


# ----------------------------------------------------------------------
# servers
# ----------------------------------------------------------------------
class Server:
    """One ``odoo-bin`` in prefork mode (``--workers``) on its own ports."""

    def __init__(self, config, database, port, workers, workdir):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(workdir) / f"server-{port}.log"
        command = [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            config,
            "-d",
            database,
            f"--db-filter=^{re.escape(database)}$",
            f"--http-port={port}",
            f"--gevent-port={port + 1}",
            "--http-interface=127.0.0.1",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--limit-time-real=600",
            "--limit-time-cpu=300",
            "--log-level=warn",
            # the server's own request retries (odoo/service/model.py ``retrying``)
            "--log-handler=odoo.service.model:INFO",
        ]
        self.stream = self.log_path.open("w")
        self.process = subprocess.Popen(command, stdout=self.stream, stderr=subprocess.STDOUT)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the server did not answer on {self.url}:\n{self.tail()}")

    def server_retries(self):
        """Requests the server retried itself (serialization failure, deadlock, ...)."""
        text = self.log_path.read_text(errors="replace")
        return len(re.findall(r"tries left, try again", text))

    def tail(self, lines=40):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: the workers finish
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.stream.close()


def create_database(config, database):
    log(f"installing empathic_crm into {database} (a minute)")
    subprocess.run(
        [
            sys.executable,
            str(ODOO_SRC / "odoo-bin"),
            "-c",
            config,
            "-d",
            database,
            "-i",
            "empathic_crm",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


# ----------------------------------------------------------------------
# data: users and customers (through the API, as an administrator)
# ----------------------------------------------------------------------
def prepare(admin, customers, clients):
    """Create the team ``clients`` need and the shared customers (kept between runs)."""
    groups = {}
    for xmlid in {*SALES_GROUPS, *MANAGER_GROUPS}:
        groups[xmlid] = admin.call("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
    known = {
        user["login"]
        for user in admin.call(
            "res.users", "search_read", [("login", "in", SALES + MANAGERS)], ["login"]
        )
    }
    team = (
        (SALES[: min(clients, 12)], SALES_GROUPS),
        (MANAGERS[: max(0, clients - 12)], MANAGER_GROUPS),
    )
    for logins, xmlids in team:
        for login in logins:
            if login not in known:
                admin.call(
                    "res.users",
                    "create",
                    {
                        "name": login.replace("_", " ").title(),
                        "login": login,
                        "password": login,
                        addon_compat().user_groups_field(): [
                            (6, 0, [groups[xmlid] for xmlid in xmlids])
                        ],
                    },
                )
    emails = [CUSTOMER_EMAIL.format(n) for n in range(customers)]
    existing = {
        p["email"]: p["id"]
        for p in admin.call("res.partner", "search_read", [("email", "in", emails)], ["email"])
    }
    missing = [email for email in emails if email not in existing]
    for start in range(0, len(missing), 1000):
        chunk = missing[start : start + 1000]
        ids = admin.call(
            "res.partner",
            "create",
            [
                {
                    "name": f"Customer {email.split('.')[2]}",
                    "email": email,
                    # kinds of customer: concurrent writers meet on the same kind rows
                    "empathy_communication_style": STYLES[index % len(STYLES)],
                }
                for index, email in enumerate(chunk, start)
            ],
        )
        existing.update(zip(chunk, ids, strict=True))
    return [existing[email] for email in emails]


# ----------------------------------------------------------------------
# clients
# ----------------------------------------------------------------------
class ClientRun(threading.Thread):
    """One API client: its own connection, ``calls`` calls of ``batch`` rows."""

    def __init__(self, number, url, db, login, rows_fn, calls, barrier, retry_seconds):
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.url, self.db, self.login = number, url, db, login
        self.rows_fn, self.calls, self.barrier = rows_fn, calls, barrier
        self.retry_seconds = retry_seconds
        self.latencies, self.statuses, self.errors = [], Counter(), Counter()
        self.failed_calls, self.failed_rows, self.retries = Counter(), 0, 0
        self.created_refs, self.results = [], []

    def run(self):
        try:
            client = EmpathyClient.connect(
                self.url, self.db, self.login, self.login, retry_seconds=self.retry_seconds
            )
        except EmpathyError as error:
            self.failed_calls[f"login: {error}"] += self.calls
            self.barrier.abort()
            return
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return
        for call in range(self.calls):
            rows = self.rows_fn(self, call)
            start = time.perf_counter()
            try:
                results = client.log_rows(rows)
            except EmpathyError as error:
                self.failed_calls[str(error)[:120]] += 1
                self.failed_rows += len(rows)
                continue
            finally:
                self.latencies.append(time.perf_counter() - start)
            for row, result in zip(rows, results, strict=True):
                self.statuses[result.status] += 1
                self.results.append(result)
                if result.status == "error":
                    self.errors[result.error or result.message or "error"] += 1
                elif result.status == "created":
                    self.created_refs.append(row["ref"])
        self.retries = client.retries


def warm_up(urls, db, workers):
    """Let every worker answer the intake once (caches), before anything is measured."""
    row = {"email": CUSTOMER_EMAIL.format(0), "rapport": 3, "mood": 0, "motives": ["Gift"]}

    def call(url):
        client = EmpathyClient.connect(url, db, SALES[0], SALES[0])
        for _n in range(3):
            client.log_rows([row], dry_run=True)

    threads = [
        threading.Thread(target=call, args=(url,)) for url in urls for _n in range(2 * workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_clients(name, urls, db, clients, make_rows, calls, retry_seconds):
    """Run ``clients`` threads at once; return their merged figures."""
    barrier = threading.Barrier(clients + 1)
    threads = []
    for number in range(clients):
        login = SALES[number] if number < len(SALES) else MANAGERS[(number - 12) % len(MANAGERS)]
        threads.append(
            ClientRun(
                number,
                urls[number % len(urls)],
                db,
                login,
                make_rows,
                calls,
                barrier,
                retry_seconds,
            )
        )
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=600)  # everybody logged in: start together
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    latencies = [lat for thread in threads for lat in thread.latencies]
    statuses = sum((thread.statuses for thread in threads), Counter())
    errors = sum((thread.errors for thread in threads), Counter())
    failed_calls = sum((thread.failed_calls for thread in threads), Counter())
    rejected = Counter()
    for message, count in errors.items():
        cause = "concurrency" if CONCURRENCY_PATTERN.search(message) else "other"
        rejected[cause] += count
    figures = {
        "scenario": name,
        "clients": clients,
        "servers": len(urls),
        "calls": len(latencies),
        "rows": sum(statuses.values()) + sum(thread.failed_rows for thread in threads),
        "created": statuses["created"],
        "skipped": statuses["skipped"],
        "updated": statuses["updated"],
        "seconds": round(seconds, 2),
        "impressions_per_s": round(statuses["created"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(latencies, 0.5) * 1000),
        "p95_ms": round(percentile(latencies, 0.95) * 1000),
        "rejected_concurrency": rejected["concurrency"],
        "rejected_other": rejected["other"],
        "rejected_messages": dict(errors.most_common(5)),
        "failed_calls": sum(failed_calls.values()),
        "failed_call_messages": dict(failed_calls.most_common(3)),
        "client_retries": sum(thread.retries for thread in threads),
    }
    return figures, threads


# ----------------------------------------------------------------------
# scenarios
# ----------------------------------------------------------------------
def interaction_rows(run_id, customers, batch, seed):
    """Return ``make_rows(client, call)``: impressions on random shared customers."""

    def make_rows(client, call):
        rng = random.Random(f"{seed}-{client.number}-{call}")
        rows = []
        for index in range(batch):
            customer = rng.randrange(customers)
            row = {
                "ref": f"{run_id}-{client.number:02d}-{call:04d}-{index}",
                "email": CUSTOMER_EMAIL.format(customer),
                "rapport": rng.randint(1, 5),
                "mood": rng.randint(-2, 2),
                "channel": rng.choice(CHANNELS),
            }
            motives = rng.choice(MOTIVES)
            if motives:
                row["motives"] = motives
            note = rng.choice(NOTES)
            if note:
                row["note"] = note
            if client.login in MANAGERS:  # a manager logs for a salesperson
                row["advisor_login"] = rng.choice(SALES)  # 16 clients: all 12 exist
            rows.append(row)
        return rows

    return make_rows


def new_contact_rows(run_id, emails):
    """Every client sends the same new emails in one call (different refs)."""

    def make_rows(client, call):
        return [
            {
                "ref": f"{run_id}-new-{client.number:02d}-{index}",
                "email": email,
                "name": f"New Visitor {index}",
                "rapport": 1 + (client.number + index) % 5,
                "mood": -2 + (client.number + index) % 5,
                "channel": "fair",
            }
            for index, email in enumerate(emails)
        ]

    return make_rows


def count_contacts(admin, emails):
    partners = admin.call(
        "res.partner",
        "search_read",
        [("email", "in", emails)],
        ["email"],
        context={"active_test": False},
    )
    return len(partners), len({p["email"] for p in partners})


def stored_impressions(admin, prefix):
    return admin.call(
        "empathy.impression", "search_count", [("external_ref", "=like", prefix + "%")]
    )


# ----------------------------------------------------------------------
# the rapport check (in process, after the servers stopped)
# ----------------------------------------------------------------------
def rapport_check(config, database, partner_ids):
    """Compare the stored aggregates of these partners with a recompute; return problems."""
    sys.path.insert(0, str(ODOO_SRC))
    from bench_common import odoo_env_factory, rapport_pairs  # noqa: PLC0415

    registry, make_env = odoo_env_factory(config, database)
    queued = 0
    with registry.cursor() as cr:
        env = make_env(cr)
        if "empathy.rapport.queue" in env:
            # changes the servers queued and did not apply yet (their cron is off here)
            queued = env["empathy.rapport.queue"].sudo().search_count([])
            env["empathy.rapport"].sudo()._empathy_process_queue()
            cr.commit()
        _impressions, expected, actual, problems = rapport_pairs(env, partner_ids)
        for key, want in expected.items():
            row = actual.get(key)
            if not row:
                continue
            if row.impression_count != want["impression_count"]:
                problems.append(
                    f"{key}: count {row.impression_count} != {want['impression_count']}"
                )
            if abs(row.score - want["score"]) > 1e-6:
                problems.append(f"{key}: score {row.score} != {want['score']}")
            if row.last_date != want["last_date"]:
                problems.append(f"{key}: last date {row.last_date} != {want['last_date']}")
        # the contacts' figures per company: the ORM's own refresh, rolled back
        Stat = env["empathy.partner.stat"].sudo()
        names = ["best_advisor_id", "best_rapport", "last_impression_date", "mood_trend"]

        def figures():
            rows = Stat.search_fetch(
                [("partner_id", "in", partner_ids)], ["partner_id", "company_id", *names]
            )
            return {
                (row.partner_id.id, row.company_id.id): tuple(row[name] for name in names)
                for row in rows
                if row.best_advisor_id or row.last_impression_date
            }

        stored = figures()
        savepoint = cr.savepoint()
        try:
            env["res.partner"].sudo().browse(partner_ids)._empathy_refresh_rapport()
            env.flush_all()
            env.invalidate_all()
            fresh = figures()
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all()
        for key in sorted(set(stored) | set(fresh)):
            if stored.get(key) != fresh.get(key):
                problems.append(
                    f"partner, company {key}: {stored.get(key)} != recomputed {fresh.get(key)}"
                )
        problems.extend(kind_check(env))
        cr.rollback()
    return problems, queued


#: the columns of the rapport by kind of customer that its rebuild recomputes
KIND_COLUMNS = (
    "user_id, company_id, trait, value, pair_count, impression_count, sum_score, sum_score_sq"
)


def kind_check(env):
    """Compare the incremental rapport by kind of customer with its rebuild (rolled back)."""
    if "empathy.kind.rapport" not in env:
        return []
    Kind = env["empathy.kind.rapport"].sudo()
    cr = env.cr

    def snapshot():
        env.flush_all()
        # a row left without customers counts as absent (the rebuild deletes it)
        cr.execute(
            f"SELECT {KIND_COLUMNS} FROM empathy_kind_rapport"
            " WHERE pair_count <> 0 ORDER BY 1, 2, 3, 4"
        )
        return {row[:4]: row[4:] for row in cr.fetchall()}

    incremental = snapshot()
    savepoint = cr.savepoint()
    try:
        Kind._empathy_rebuild()
        rebuilt = snapshot()
    finally:
        savepoint.close(rollback=True)
    problems = []
    for key in sorted(set(incremental) | set(rebuilt), key=str):
        have, want = incremental.get(key), rebuilt.get(key)
        if have is None or want is None:
            problems.append(f"kind {key}: {'missing' if have is None else 'left over'}")
        elif have[:2] != want[:2] or any(
            abs(a - b) > 1e-6 for a, b in zip(have[2:], want[2:], strict=True)
        ):
            problems.append(f"kind {key}: {have} != rebuilt {want}")
    if not incremental:
        problems.append("kind check: no rows (nothing was learnt)")
    return problems


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------
SMALL = {
    "clients": 4,
    "customers": 5,
    "rows": 20,
    "batch": 4,
    "wide_customers": 50,
    "workers": 2,
    "new_clients": 4,
    "new_emails": 3,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database (empathic_crm installed)")
    parser.add_argument("--create", action="store_true", help="drop and create the database")
    parser.add_argument("--small", action="store_true", help="a few clients, seconds")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument("--customers", type=int, default=20, help="shared customers (20)")
    parser.add_argument("--wide-customers", type=int, default=3000, help="'wide' scenario (3000)")
    parser.add_argument("--rows", type=int, default=250, help="rows per client (250)")
    parser.add_argument("--batch", type=int, default=5, help="rows per call (5)")
    parser.add_argument("--workers", type=int, default=4, help="worker processes per server (4)")
    parser.add_argument("--servers", type=int, default=1, help="servers on the same database (1)")
    parser.add_argument("--port", type=int, default=8141, help="first HTTP port (2 per server)")
    parser.add_argument(
        "--scenario",
        action="append",
        choices=["single", "shared", "wide", "new_contacts"],
        help="scenarios to run (default: all)",
    )
    parser.add_argument("--new-clients", type=int, default=12)
    parser.add_argument("--new-emails", type=int, default=10)
    parser.add_argument("--retry-seconds", type=float, default=300.0)
    parser.add_argument("--seed", default="load")
    parser.add_argument("--output", help="write the results as JSON here")
    args = parser.parse_args(argv)
    if args.small:
        for key, value in SMALL.items():
            if parser.get_default(key) == getattr(args, key):
                setattr(args, key, value)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.create:
        import psycopg2  # noqa: PLC0415

        connection = psycopg2.connect(dbname="postgres", host=os.environ.get("PGHOST", "127.0.0.1"))
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        connection.close()
        create_database(args.config, args.database)
    workdir = tempfile.mkdtemp(prefix="empathy-load-")
    servers = [
        Server(args.config, args.database, args.port + 2 * n, args.workers, workdir)
        for n in range(args.servers)
    ]
    scenarios = args.scenario or ["single", "shared", "wide", "new_contacts"]
    run_id = f"load{int(time.time())}"
    results, problems, touched = [], [], set()
    try:
        for server in servers:
            server.wait_ready()
        urls = [server.url for server in servers]
        admin = EmpathyClient.connect(urls[0], args.database, "admin", "admin")
        customers = max(args.customers, args.wide_customers if "wide" in scenarios else 0)
        team = max(args.clients, args.new_clients if "new_contacts" in scenarios else 1)
        log(f"preparing the team of {team} clients and {customers} customers")
        customer_ids = prepare(admin, customers, team)
        warm_up(urls, args.database, args.workers)
        calls = max(1, args.rows // args.batch)
        plan = {
            "single": (1, args.customers),
            "shared": (args.clients, args.customers),
            "wide": (args.clients, args.wide_customers),
        }
        for name in scenarios:
            prefix = f"{run_id}-{name}"
            if name == "new_contacts":
                emails = [f"{prefix}.{n}@new.example.com" for n in range(args.new_emails)]
                log(f"{name}: {args.new_clients} clients send the same {len(emails)} new emails")
                figures, threads = run_clients(
                    name,
                    urls,
                    args.database,
                    args.new_clients,
                    new_contact_rows(prefix, emails),
                    1,
                    args.retry_seconds,
                )
                total, distinct = count_contacts(admin, emails)
                figures["contacts"] = total
                figures["duplicate_contacts"] = total - distinct
                touched.update(r.partner_id for t in threads for r in t.results if r.partner_id)
            else:
                clients, shared = plan[name]
                log(
                    f"{name}: {clients} clients x {calls} calls x {args.batch} rows on {shared} customers"
                )
                figures, threads = run_clients(
                    name,
                    urls,
                    args.database,
                    clients,
                    interaction_rows(prefix, shared, args.batch, args.seed),
                    calls,
                    args.retry_seconds,
                )
                figures["customers"] = shared
                touched.update(customer_ids[:shared])
            stored = stored_impressions(admin, prefix)
            acknowledged = figures["created"]
            figures["stored"] = stored
            if stored != acknowledged:
                problems.append(f"{name}: {acknowledged} acknowledged but {stored} stored")
            if figures["rejected_concurrency"]:
                problems.append(
                    f"{name}: {figures['rejected_concurrency']} rows rejected for concurrency"
                )
            if figures.get("duplicate_contacts"):
                problems.append(f"{name}: {figures['duplicate_contacts']} duplicate contacts")
            if figures["failed_calls"]:
                problems.append(f"{name}: {figures['failed_calls']} calls failed after retries")
            results.append(figures)
            log(
                f"  {figures['impressions_per_s']:7.1f} impressions/s, p50 {figures['p50_ms']} ms,"
                f" p95 {figures['p95_ms']} ms, rejected {figures['rejected_concurrency']}"
                f" (concurrency) / {figures['rejected_other']} (other), failed calls"
                f" {figures['failed_calls']}, client retries {figures['client_retries']}"
            )
        server_retries = sum(server.server_retries() for server in servers)
    except Exception:
        for server in servers:
            log(f"--- {server.url} log tail ---\n{server.tail()}")
        raise
    finally:
        for server in servers:
            server.stop()
    log(f"checking the rapport of {len(touched)} customers against a recompute")
    mismatches, queued = rapport_check(args.config, args.database, sorted(touched))
    problems.extend(mismatches[:20])
    shutil.rmtree(workdir, ignore_errors=True)
    report = {
        "machine": machine_info(),
        "settings": {
            key: getattr(args, key)
            for key in (
                "clients",
                "customers",
                "wide_customers",
                "rows",
                "batch",
                "workers",
                "servers",
            )
        },
        "scenarios": results,
        "server_retries": server_retries,
        "rapport_mismatches": len(mismatches),
        "rapport_queue_left": queued,
        "problems": problems,
    }
    print_table(report)
    if args.output:
        Path(args.output).write_text(json.dumps(report, indent=2, default=str))
    return 1 if problems else 0


def print_table(report):
    settings = report["settings"]
    log(
        f"\nload: {settings['servers']} server(s) x {settings['workers']} workers,"
        f" {settings['batch']} rows per call, {report['machine']['cores']} cores"
    )
    header = (
        "| Scenario | Clients | Customers | Rows | Impressions/s | p50 ms | p95 ms"
        " | Rejected (concurrency / other) | Failed calls | Client retries | Duplicates |"
    )
    log(header)
    log("|" + "---|" * (header.count("|") - 1))
    for fig in report["scenarios"]:
        log(
            f"| {fig['scenario']} | {fig['clients']} | {fig.get('customers', '-')}"
            f" | {fig['rows']} | {fig['impressions_per_s']} | {fig['p50_ms']} | {fig['p95_ms']}"
            f" | {fig['rejected_concurrency']} / {fig['rejected_other']} | {fig['failed_calls']}"
            f" | {fig['client_retries']} | {fig.get('duplicate_contacts', '-')} |"
        )
    single = next((f for f in report["scenarios"] if f["scenario"] == "single"), None)
    if single and single["impressions_per_s"]:
        for fig in report["scenarios"]:
            if fig["scenario"] in ("shared", "wide"):
                ratio = fig["impressions_per_s"] / single["impressions_per_s"]
                log(f"{fig['scenario']}: {ratio:.2f} x the single-client rate")
    log(f"server request retries: {report['server_retries']}")
    log(
        f"rapport mismatches: {report['rapport_mismatches']} (queued changes left by the"
        f" servers, applied before the check: {report['rapport_queue_left']})"
    )
    if report["problems"]:
        log("PROBLEMS:\n  " + "\n  ".join(report["problems"]))
    else:
        log("no row rejected for concurrency, no duplicate, nothing lost or doubled")


if __name__ == "__main__":
    sys.exit(main())
