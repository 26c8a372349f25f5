#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Measure empathic_crm against the Odoo core operation each feature extends.

    $VENV/bin/python benchmarks/run.py -c odoo.conf -d DB [--small] [--repeat 15]
        [--name NAME | --output FILE] [--only SCENARIO] [--trace]

Needs a database filled by ``benchmarks/generate.py``. Every operation runs as a
salesperson (record rules apply), with an empty ORM cache (like a fresh RPC call) and
warm registry caches, inside a savepoint that is rolled back, so the database stays
reusable; the whole run is rolled back at the end. For each operation: SQL queries
(``cr.sql_log_count``) and the median wall time of ``--repeat`` runs (after warm-up),
next to the same numbers for the core operation, measured interleaved (addon, core,
addon, core, ...) so that load on the machine affects both alike. The ratio is
addon p50 / core p50.

Prints a table and writes ``benchmarks/results/<name>.json``. Speed targets are
reported, never asserted: the exit status is non-zero only when the harness breaks.
"""

import contextlib
import gc
import json
import logging
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

from bench_common import (
    ADVISOR_LOGIN,
    KEY_ACCOUNT_IMPRESSIONS,
    PARAM_GENERATED,
    addon_compat,
    base_parser,
    log,
    machine_info,
    no_batch_commits,
    odoo_env_factory,
)

RESULTS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
#: what the web client's list view asks: 80 rows, and a count capped at 10,000 + 1
LIST_LIMIT = 80
COUNT_LIMIT = 10_001
WEB_CONTEXT = {"lang": "en_US", "tz": "Europe/Berlin"}


class QueryTrace(logging.Handler):
    """Print the SQL queries run inside the block (``--trace``)."""

    def __init__(self, label):
        super().__init__(logging.DEBUG)
        self.label = label
        self.lines = []

    def emit(self, record):
        message = record.getMessage()
        if "query:" in message:
            self.lines.append(" ".join(message.split("query:", 1)[1].split())[:160])

    def __enter__(self):
        self.logger = logging.getLogger("odoo.sql_db")
        self.level = self.logger.level
        self.propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level)
        self.logger.propagate = self.propagate
        log(f"    queries of {self.label}:")
        for number, line in enumerate(self.lines, 1):
            log(f"      {number:3d} {line}")


class Bench:
    def __init__(self, env, repeat, warmup, trace=False):
        self.env = env
        self.cr = env.cr
        self.repeat = repeat
        self.warmup = warmup
        self.trace = trace
        self.rows = []
        self.plans = {}

    # ------------------------------------------------------------------
    # measuring
    # ------------------------------------------------------------------
    def run_once(self, operation, label, trace=False):
        """Run ``operation`` once in a rolled-back savepoint; return (queries, seconds)."""
        cr, env = self.cr, self.env
        savepoint = cr.savepoint()  # flushes; its rollback clears the ORM cache
        try:
            env.invalidate_all()
            # environments of earlier runs (weakly referenced) must not survive by
            # chance: it would make the query count depend on the garbage collector
            gc.collect()
            with QueryTrace(label) if trace else contextlib.nullcontext():
                count = cr.sql_log_count
                start = time.perf_counter()
                operation()
                env.flush_all()
                elapsed = time.perf_counter() - start
                count = cr.sql_log_count - count
        finally:
            savepoint.close(rollback=True)
        return count, elapsed

    def measure_many(self, operations):
        """Measure ``[(label, operation, context)]`` interleaved.

        ``context`` (or None) is a context manager factory wrapped around each run of
        that operation (e.g. archiving rules), undone before the next operation runs.
        Return one ``{"queries", "p50_ms", "p90_ms", "query_counts"}`` per operation.
        """
        counts = [[] for _ in operations]
        times = [[] for _ in operations]
        total = self.warmup + self.repeat
        for run in range(total):
            for index, (label, operation, context) in enumerate(operations):
                trace = self.trace and run == total - 1
                if context:
                    savepoint = self.cr.savepoint()
                    try:
                        with context():
                            count, elapsed = self.run_once(operation, label, trace)
                    finally:
                        savepoint.close(rollback=True)
                else:
                    count, elapsed = self.run_once(operation, label, trace)
                if run >= self.warmup:
                    counts[index].append(count)
                    times[index].append(elapsed * 1000)
        results = []
        for (label, _operation, _context), count, elapsed in zip(
            operations, counts, times, strict=True
        ):
            if len(set(count)) > 1:
                log(f"    note: the query count of {label!r} varies: {sorted(set(count))}")
            ordered = sorted(elapsed)
            results.append(
                {
                    "queries": max(count),
                    "query_counts": sorted(set(count)),
                    "p50_ms": round(statistics.median(elapsed), 2),
                    "p90_ms": round(ordered[max(0, int(len(ordered) * 0.9 + 0.5) - 1)], 2),
                }
            )
        return results

    def add_row(self, name, result, core_name, core, target, check, info=None):
        row = {
            "operation": name,
            "queries": result["queries"],
            "p50_ms": result["p50_ms"],
            "p90_ms": result["p90_ms"],
            "core_operation": core_name,
            "core_queries": core["queries"] if core else None,
            "core_p50_ms": core["p50_ms"] if core else None,
            "core_p90_ms": core["p90_ms"] if core else None,
            "ratio": round(result["p50_ms"] / core["p50_ms"], 2) if core else None,
            "query_ratio": round(result["queries"] / core["queries"], 2) if core else None,
            "target": target,
            "info": info or {},
        }
        row["met"] = bool(check(row))
        self.rows.append(row)
        log(
            f"- {name}: {row['queries']} queries, p50 {row['p50_ms']:.1f} ms"
            + (
                f" | core ({core_name}): {row['core_queries']} queries,"
                f" p50 {row['core_p50_ms']:.1f} ms"
                if core
                else ""
            )
            + f" | target {target}: {'met' if row['met'] else 'MISSED'}"
        )
        return row

    def compare(self, name, operation, core_name, core, target, check, info=None, **contexts):
        """Measure ``operation`` and ``core`` interleaved; record a table row."""
        result, core_result = self.measure_many(
            [
                (name, operation, contexts.get("context")),
                (core_name, core, contexts.get("core_context")),
            ]
        )
        return self.add_row(name, result, core_name, core_result, target, check, info)

    def explain(self, label, sql):
        """EXPLAIN (ANALYZE) ``sql``; keep and print the plan's node types and indexes.

        ``TIMING OFF``: per-node timing costs more than the query on some virtual
        machines; the execution time and the actual row counts stay exact.
        """
        from odoo.tools import SQL  # noqa: PLC0415

        cr = self.cr
        cr.execute(SQL("EXPLAIN (ANALYZE, TIMING OFF, BUFFERS, FORMAT JSON) %s", sql))
        plan = cr.fetchone()[0][0]
        nodes = []

        def walk(node, depth):
            text = node["Node Type"]
            if node.get("Index Name"):
                text += f" using {node['Index Name']}"
            elif node.get("Relation Name"):
                text += f" on {node['Relation Name']}"
            text += f" (rows {node.get('Actual Rows')})"
            nodes.append("  " * depth + text)
            for child in node.get("Plans", ()):
                walk(child, depth + 1)

        walk(plan["Plan"], 0)
        cr.execute(SQL("EXPLAIN (ANALYZE, TIMING OFF, FORMAT TEXT) %s", sql))
        text = "\n".join(row[0] for row in cr.fetchall())
        self.plans[label] = {
            "execution_ms": plan.get("Execution Time"),
            "nodes": nodes,
            "text": text,
        }
        log(f"    plan of {label} ({plan.get('Execution Time', 0):.1f} ms):")
        for node in nodes:
            log("      " + node)
        return nodes


# ----------------------------------------------------------------------
# the scenarios
# ----------------------------------------------------------------------
def as_user(records, user):
    """``records`` as the salesperson ``user`` in a web-client-like context."""
    return records.with_user(user).with_context(
        WEB_CONTEXT, allowed_company_ids=user.company_ids.ids
    )


def pick_context(env):
    """Choose the advisor, partners and pairs the scenarios use (deterministic)."""
    cr = env.cr
    Users = env["res.users"].with_context(active_test=False)
    advisor = Users.search([("login", "=", ADVISOR_LOGIN % 1)])
    if not advisor:
        raise RuntimeError("no benchmark advisors: run benchmarks/generate.py first")
    # the pair whose history is closest to 500 impressions (the planted key account)
    cr.execute(
        """SELECT partner_id, user_id, impression_count FROM empathy_rapport
         ORDER BY abs(impression_count - %s), id LIMIT 1""",
        [KEY_ACCOUNT_IMPRESSIONS],
    )
    heavy_partner, heavy_user, heavy_count = cr.fetchone()
    # same advisor, a pair with a single impression (partner with motives, like the key
    # account: the motive bookkeeping then costs the same)
    cr.execute(
        """SELECT r.partner_id FROM empathy_rapport r
             JOIN res_partner p ON p.id = r.partner_id
            WHERE r.user_id = %s AND r.partner_id != %s AND p.active AND NOT p.is_company
              AND NOT coalesce(p.empathy_objection, false)
         ORDER BY r.impression_count,
                  NOT EXISTS (SELECT 1 FROM empathy_profile_motive_rel m
                                JOIN empathy_profile pr ON pr.id = m.profile_id
                               WHERE pr.partner_id = p.id), r.id
            LIMIT 1""",
        [heavy_user, heavy_partner],
    )
    light_partner = (cr.fetchone() or [heavy_partner])[0]
    # a typical customer of the advisor: a handful of impressions
    cr.execute(
        """SELECT p.id FROM res_partner p
            WHERE p.user_id = %s AND NOT coalesce(p.empathy_objection, false)
              AND EXISTS (SELECT 1 FROM empathy_partner_stat s
                           WHERE s.partner_id = p.id AND s.best_advisor_id IS NOT NULL)
              AND NOT p.is_company AND p.active
              AND (SELECT count(*) FROM empathy_impression i WHERE i.partner_id = p.id)
                  BETWEEN 8 AND 20
         ORDER BY p.id LIMIT 1""",
        [advisor.id],
    )
    typical = cr.fetchone()
    if not typical:  # custom sizes: any contacted customer
        cr.execute(
            """SELECT id FROM res_partner p
                WHERE EXISTS (SELECT 1 FROM empathy_partner_stat s
                               WHERE s.partner_id = p.id AND s.best_advisor_id IS NOT NULL)
                  AND NOT coalesce(empathy_objection, false) AND active ORDER BY id LIMIT 1"""
        )
        typical = cr.fetchone()
    typical = typical[0]
    # a first contact: a customer without any impression (with motives if possible)
    cr.execute(
        """SELECT id FROM res_partner p
            WHERE NOT EXISTS (SELECT 1 FROM empathy_partner_stat s
                               WHERE s.partner_id = p.id AND s.best_advisor_id IS NOT NULL)
              AND NOT p.is_company AND p.active
              AND NOT coalesce(p.empathy_objection, false) AND p.partner_share
              AND NOT EXISTS (SELECT 1 FROM empathy_impression i WHERE i.partner_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
         ORDER BY NOT EXISTS (SELECT 1 FROM empathy_profile_motive_rel m
                                JOIN empathy_profile pr ON pr.id = m.profile_id
                               WHERE pr.partner_id = p.id), id
            LIMIT 1"""
    )
    fresh = cr.fetchone()
    Partner = env["res.partner"]
    # custom sizes where everybody was contacted: a new customer (rolled back at the end)
    fresh = fresh[0] if fresh else Partner.create({"name": "Benchmark first contact"}).id
    return {
        "advisor": advisor,
        "heavy_partner": Partner.browse(heavy_partner),
        "heavy_user": env["res.users"].browse(heavy_user),
        "heavy_count": heavy_count,
        "light_partner": Partner.browse(light_partner),
        "typical": Partner.browse(typical),
        "fresh": Partner.browse(fresh),
    }


def scenario_activity(bench, ctx):
    env = bench.env
    advisor = ctx["advisor"]
    partner = as_user(ctx["typical"], advisor)
    call = partner.activity_schedule(
        "mail.mail_activity_data_call", user_id=advisor.id, summary="Call about the Hawaii trip"
    )
    todo = partner.activity_schedule(
        "mail.mail_activity_data_todo", user_id=advisor.id, summary="Send the catalogue"
    )
    env.flush_all()
    call, todo = as_user(call, advisor), as_user(todo, advisor)
    bench.compare(
        "Mark an activity done with an impression (action_feedback_with_impression)",
        lambda: call.action_feedback_with_impression({"rapport": 4, "mood": 1}, feedback="Good"),
        "action_feedback, To-Do",
        lambda: todo.action_feedback(feedback="Good"),
        "queries ≤ 1.3× core",
        lambda row: row["queries"] <= 1.3 * row["core_queries"],
        {
            "partner_impressions": env["empathy.impression"].search_count(
                [("partner_id", "=", partner.id)]
            )
        },
    )


def scenario_impression(bench, ctx):
    env = bench.env
    user = ctx["heavy_user"]
    Impression = as_user(env["empathy.impression"], user)
    base = {"user_id": user.id, "rapport": 4, "mood": 1, "channel": "phone"}
    heavy = dict(base, partner_id=ctx["heavy_partner"].id)
    light = dict(base, partner_id=ctx["light_partner"].id)
    fresh = dict(base, partner_id=ctx["fresh"].id)
    prior = ctx["heavy_count"]
    light_prior = env["empathy.impression"].search_count(
        [("partner_id", "=", ctx["light_partner"].id), ("user_id", "=", user.id)]
    )
    # one measurement, three operations: the history must not change the query count
    heavy_result, light_result, fresh_result = bench.measure_many(
        [
            (f"create, {prior} prior", lambda: Impression.create(heavy), None),
            (f"create, {light_prior} prior", lambda: Impression.create(light), None),
            ("create, first contact", lambda: Impression.create(fresh), None),
        ]
    )
    bench.add_row(
        f"Record an impression, pair with {prior} prior",
        heavy_result,
        f"same, pair with {light_prior} prior",
        light_result,
        "queries equal",
        lambda row: row["queries"] == row["core_queries"],
        {"prior_impressions": prior, "core_prior_impressions": light_prior},
    )
    bench.add_row(
        f"Record an impression, pair with {prior} prior",
        heavy_result,
        "same, first contact (0 prior)",
        fresh_result,
        "queries equal",
        lambda row: row["queries"] == row["core_queries"],
        {
            "prior_impressions": prior,
            "core_prior_impressions": 0,
            "note": "0 prior creates the rapport row (INSERT), later ones update it",
        },
    )


def scenario_searches(bench, ctx):
    from odoo.tools import SQL  # noqa: PLC0415

    advisor = ctx["advisor"]
    Partner = as_user(bench.env["res.partner"], advisor)
    uid = advisor.id
    cutoff = (date.today() - timedelta(days=90)).strftime("%Y-%m-%d")
    # the search view's filters (views/res_partner_views.xml)
    filters = [
        ("best advisor = me", [("empathy_best_advisor_id", "=", uid)]),
        ("low rapport (< 2.5)", [("empathy_low_rapport", "=", True)]),
        ("mood declining", [("empathy_mood_trend", "=", "declining")]),
        ("no impression for 90 days", [("empathy_last_impression_date", "<", cutoff)]),
        (
            "my customers where I click",
            [("empathy_rapport_ids", "any", [("user_id", "=", uid), ("fair_score", ">=", 4)])],
        ),
    ]
    core = ("salesperson = me", [("user_id", "=", uid)])

    def list_view(domain):
        def run():
            Partner.search(domain, limit=LIST_LIMIT)
            Partner.search_count(domain, limit=COUNT_LIMIT)

        return run

    results = bench.measure_many(
        [(label, list_view(domain), None) for label, domain in [core, *filters]]
    )
    core_result = results[0]
    core_matches = Partner.search_count(core[1])
    bench.add_row(
        "Partner list: core filter salesperson = me",
        core_result,
        None,
        None,
        "(reference)",
        lambda row: True,
        {"matches": core_matches, "domain": repr(core[1])},
    )
    for (label, domain), result in zip(filters, results[1:], strict=True):
        bench.add_row(
            f"Partner list: {label}",
            result,
            "salesperson = me",
            core_result,
            "p50 < 50 ms",
            lambda row: row["p50_ms"] < 50,
            {"matches": Partner.search_count(domain), "domain": repr(domain)},
        )
    for label, domain in [core, *filters]:
        bench.explain(
            f"{label}: search",
            Partner._search(domain, limit=LIST_LIMIT, order=Partner._order).select(),
        )
        query = Partner._search(domain, limit=COUNT_LIMIT)
        bench.explain(f"{label}: count", SQL("SELECT COUNT(*) FROM (%s) t", query.select("")))


def scenario_fair(bench, _ctx):
    """The bulk refresh of the advisors' rating scales (fair rapport), set-based."""
    env = bench.env
    Rapport = env["empathy.rapport"]
    Partner = env["res.partner"]

    def core():
        Partner._read_group([], ["user_id"], ["__count"])

    bench.compare(
        "Fair rapport: scheduled refresh, no advisor's scale moved",
        lambda: Rapport._empathy_refresh_scales(),
        "read_group of all partners by salesperson",
        core,
        "(report)",
        lambda row: True,
    )
    # the forced refreshes rewrite every row: measured once, not interleaved
    repeat, warmup = bench.repeat, bench.warmup
    bench.repeat, bench.warmup = 1, 0
    try:
        rows = Rapport.search_count([])
        for label, partners in (
            ("all fair scores (UPDATE of every rapport row)", False),
            ("all fair scores and every customer's best advisor", True),
        ):
            (result,) = bench.measure_many(
                [
                    (
                        label,
                        lambda p=partners: Rapport._empathy_refresh_scales(
                            threshold=-1.0, refresh_partners=p
                        ),
                        None,
                    )
                ]
            )
            bench.add_row(
                f"Fair rapport: forced refresh, {label}",
                result,
                None,
                None,
                "(report)",
                lambda row: True,
                {"rapport_rows": rows, "runs": 1},
            )
    finally:
        bench.repeat, bench.warmup = repeat, warmup


def scenario_jobs(bench, _ctx):
    """The scheduled jobs at this size: one retention batch, the silent-customer job."""

    env = bench.env
    Impression = env["empathy.impression"]
    Partner = env["res.partner"]
    limit = Impression._empathy_retention_limit()
    expired = Impression.search_count([("date", "<", limit)])
    batch = 1000

    def retention():
        # one batch as the cron runs it; the cron commits each batch outside tests,
        # here it must not (the run is rolled back)
        with no_batch_commits():
            Impression._cron_empathy_retention(batch_size=batch, max_batches=1)

    def core_write():
        Partner.search([], limit=batch, order="id").write({"comment": "benchmark"})

    repeat, warmup = bench.repeat, bench.warmup
    bench.repeat, bench.warmup = 3, 1
    try:
        row = bench.compare(
            f"Retention cron: one batch ({batch:,} impressions deleted, rapport kept exact)",
            retention,
            f"write on {batch:,} partners",
            core_write,
            "(report)",
            lambda row: True,
            {"expired": expired, "batch": batch},
        )
        seconds = row["p50_ms"] / 1000 * expired / batch
        row["info"]["all_expired_minutes"] = round(seconds / 60, 1)
        log(f"    {expired:,} expired impressions: about {seconds / 60:.1f} min in batches")
        buyers = add_buyers(env)
        log(f"    {buyers:,} customers with a confirmed order in the last 11 months (rolled back)")
        for run, state in (("first", "all flags written"), ("next", "flags unchanged")):
            bench.compare(
                f"Silent-customer job, {run} run ({buyers:,} recent buyers, {state})",
                Partner._cron_empathy_silent_customers,
                "read_group of all partners by salesperson",
                lambda: Partner._read_group([], ["user_id"], ["__count"]),
                "(report)",
                lambda row: True,
                {"buyers": buyers},
            )
            # the daily run: flags already there, only changes are written
            Partner._cron_empathy_silent_customers()
    finally:
        bench.repeat, bench.warmup = repeat, warmup


#: rows of one intake batch in the contact matching scenario (the client's default)
INTAKE_BATCH = 200
#: from this many contacts on, the contacts-by-key query must read its indexes
INTAKE_INDEXED_FROM = 100_000


def intake_rows(env, rng):
    """Return the rows of an intake batch: known contacts by email, phone, mobile or VAT
    (written as they come: other case, other separators), and 10 % new contacts, half
    of them by name only.

    The generated contacts have an email and a phone; a quarter of the batch gets a
    VAT and a mobile here (in the run's transaction, rolled back at the end). 19.0 has
    one phone field (``compat.partner_phone_fields()``): the mobile number is the phone.
    """
    from odoo.tools import SQL  # noqa: PLC0415

    mobile = addon_compat().partner_phone_fields()[-1]
    cr = env.cr
    cr.execute(
        """SELECT id, email, phone FROM res_partner p
            WHERE active AND NOT is_company AND email IS NOT NULL AND phone IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)
         ORDER BY id"""
    )
    contacts = rng.sample(cr.fetchall(), INTAKE_BATCH)
    with_vat = {contact[0] for contact in contacts[: INTAKE_BATCH // 4]}
    cr.execute(
        SQL(
            """UPDATE res_partner SET vat = 'DE' || lpad(id::text, 9, '0'),
                      %s = '+49 151 ' || lpad(id::text, 8, '0')
                WHERE id = ANY(%s)""",
            SQL.identifier(mobile),
            sorted(with_vat),
        )
    )
    env["res.partner"].invalidate_model(["vat", mobile])
    rows = []
    for index, (pid, email, phone) in enumerate(contacts):
        if index >= INTAKE_BATCH * 19 // 20:  # met for the first time, a name only
            row = {"name": f"Bench Newcomer {index}"}
        elif index >= INTAKE_BATCH * 9 // 10:  # met for the first time
            row = {"email": f"new.{index}@intake.bench.example.com", "name": f"New {index}"}
        elif pid in with_vat:
            row = {"vat": "de %09d" % pid} if index % 2 else {"phone": "0049-151-%08d" % pid}
        elif index % 2:
            row = {"phone": phone.replace(" ", "-")}
        else:
            row = {"email": email.upper()}
        rows.append({**row, "rapport": 4, "mood": 1})
    return rows


@contextlib.contextmanager
def sequential_scans(env):
    """Plan without indexes (what the contacts-by-key query did before its indexes)."""
    settings = ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan")
    for setting in settings:
        env.cr.execute(f"SET LOCAL {setting} = off")  # pylint: disable=sql-injection
    try:
        yield
    finally:
        for setting in settings:
            env.cr.execute(f"SET LOCAL {setting} = on")  # pylint: disable=sql-injection


def scenario_intake(bench, ctx, seed):
    """Intake contact matching: which contacts a batch of interactions is about."""
    env = bench.env
    Intake = as_user(env["empathy.interaction.intake"], ctx["advisor"])
    Partner = as_user(env["res.partner"], ctx["advisor"])
    raw = intake_rows(env, random.Random(seed))
    parsed = [Intake._empathy_parse_interaction(dict(row)) for row in raw]
    keys = {
        "email": {row["email_key"] for row in parsed if row["email_key"]},
        "vat": {row["vat_key"] for row in parsed if row["vat_key"]},
        "phone": {row["phone_key"] for row in parsed if row["phone_key"]},
        "name": {
            row["name"].lower()
            for row in parsed
            if not (row["email_key"] or row["vat_key"] or row["phone_key"])
        },
    }
    contacts = env["res.partner"].search_count([])
    nodes = bench.explain(
        f"contacts by key ({contacts:,} contacts)", Partner._empathy_ids_by_keys_query(keys)
    )
    # a small table is best read whole: from this size on, the indexes must be read
    seq_scan = any(node.strip().startswith("Seq Scan") for node in nodes)
    indexed = not seq_scan or contacts < INTAKE_INDEXED_FROM
    info = {"contacts": contacts, "batch": INTAKE_BATCH, "seq_scan": seq_scan}
    # the same contacts by email, as core finds or creates them (mail's find-or-create)
    cr = env.cr
    cr.execute(
        "SELECT email FROM res_partner WHERE id = ANY(%s)",
        [Partner._empathy_sql_ids_by_keys(keys)],
    )
    emails = [email for (email,) in cr.fetchall()]
    emails += [
        row.get("email") or f"{row['name']}@intake.bench.example.com"
        for row in raw[INTAKE_BATCH * 9 // 10 :]
    ]

    def resolve():
        rows = [Intake._empathy_parse_interaction(dict(row)) for row in raw]
        Intake._empathy_resolve_partners(rows)
        missed = [row["error"] for row in rows if row["error"] or not row["partner"]]
        if missed:
            raise RuntimeError(f"intake rows without a contact: {missed[:3]}")

    bench.compare(
        f"Intake contact matching: {INTAKE_BATCH} rows by email, phone, VAT or name"
        " (10 % new contacts, created)",
        resolve,
        f"find or create {len(emails)} contacts by email (mail)",
        lambda: Partner._find_or_create_from_emails(emails),
        "p50 ≤ core, indexes read",
        lambda row: row["p50_ms"] <= row["core_p50_ms"] and indexed,
        info,
    )
    bench.compare(
        "Contacts by key: the intake's one query for the batch",
        lambda: Partner._empathy_sql_ids_by_keys(keys),
        "same query, sequential scan (no key index: before)",
        lambda: Partner._empathy_sql_ids_by_keys(keys),
        "(report)",
        lambda row: True,
        info,
        core_context=lambda: sequential_scans(env),
    )


def add_buyers(env):
    """Give every tenth customer a confirmed order of the last 11 months; return how many.

    The generated data holds no sale orders, and the silent-customer job starts from
    the recent buyers: without them it would measure nothing. Rolled back with the run.
    """
    cr = env.cr
    company = env.company
    cr.execute(
        """
        INSERT INTO sale_order (
            name, partner_id, partner_invoice_id, partner_shipping_id, company_id,
            currency_id, currency_rate, state, date_order, amount_untaxed, amount_tax,
            amount_total, create_uid, create_date, write_uid, write_date)
        SELECT 'BENCH/' || p.id, p.id, p.id, p.id, %(company)s, %(currency)s, 1.0, 'sale',
               (now() AT TIME ZONE 'UTC') - (p.id %% 330) * interval '1 day',
               20 + p.id %% 500, 0, 20 + p.id %% 500,
               1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
          FROM res_partner p
         WHERE p.id %% 10 = 0 AND p.active AND NOT p.is_company
        """,
        {"company": company.id, "currency": company.currency_id.id},
    )
    count = cr.rowcount
    cr.execute("ANALYZE sale_order")
    return count


def order_products(env, partner, count, rng):
    """Products for a quotation: ~10 % trigger rules of the partner's motives."""
    cr = env.cr
    cr.execute(
        """SELECT DISTINCT t.product_id
             FROM empathy_cross_sell_rule_trigger_product_rel t
             JOIN empathy_cross_sell_rule_motive_rel m ON m.rule_id = t.rule_id
            WHERE m.motive_id IN (SELECT pm.motive_id FROM empathy_profile_motive_rel pm
                                    JOIN empathy_profile pr ON pr.id = pm.profile_id
                                   WHERE pr.partner_id = %s)
         ORDER BY 1""",
        [partner.id],
    )
    triggers = [row[0] for row in cr.fetchall()]
    products = env["product.product"].search([("default_code", "=like", "BENCH-%")], order="id")
    pool = [p for p in products.ids if p not in triggers]
    chosen = rng.sample(triggers, min(len(triggers), max(1, count // 10)))
    return chosen + rng.sample(pool, count - len(chosen))


def scenario_cross_sell(bench, ctx, seed):
    from odoo import Command  # noqa: PLC0415

    env = bench.env
    rng = random.Random(seed)
    advisor = ctx["advisor"]
    partner = ctx["heavy_partner"]  # the key account: his motives match many rules
    Rule = env["empathy.cross.sell.rule"]
    rules = Rule.search_count([])
    SaleOrder = as_user(env["sale.order"], advisor)

    def new_order(size):
        return SaleOrder.create(
            {
                "partner_id": partner.id,
                "user_id": advisor.id,
                "order_line": [
                    Command.create({"product_id": p})
                    for p in order_products(env, partner, size, rng)
                ],
            }
        )

    order50, order5 = new_order(50), new_order(5)
    # the same lines again, already suggested: a refresh that creates nothing
    done50, done5 = order50.copy(), order5.copy()
    (done50 | done5).action_empathy_suggest()
    env.flush_all()
    extra_product = env["product.product"].search(
        [("default_code", "=like", "BENCH-%"), ("id", "not in", order50.order_line.product_id.ids)],
        limit=1,
        order="id",
    )
    compat = addon_compat()
    line_spec = {
        "sequence": {},
        "display_type": {},
        "product_id": {"fields": {"display_name": {}}},
        "name": {},
        "product_uom_qty": {},
        compat.sale_line_uom_field(): {"fields": {"display_name": {}}},
        "price_unit": {},
        compat.sale_line_tax_field(): {"fields": {"display_name": {}}},
        "discount": {},
        "price_subtotal": {},
        "price_total": {},
    }
    order_spec = {
        "partner_id": {"fields": {"display_name": {}}},
        "order_line": {"fields": line_spec, "limit": 40},
        "amount_untaxed": {},
        "amount_tax": {},
        "amount_total": {},
        "tax_totals": {},
    }

    def add_line():
        # what the web client sends when the salesperson adds a product line to the
        # 50-line quotation: the order's onchange (line values, taxes, totals)
        order50.onchange(
            {
                "order_line": [
                    Command.create({"product_id": extra_product.id, "product_uom_qty": 1})
                ]
            },
            ["order_line"],
            order_spec,
        )

    options = {}

    def suggest():
        order50.action_empathy_suggest()
        options["created"] = len(order50.empathy_suggestion_ids)

    bench.compare(
        f"Cross-sell suggestions, 50-line quotation, {rules} rules",
        suggest,
        "onchange: add a line to it",
        add_line,
        "< 100 ms",
        lambda row: row["p50_ms"] < 100,
        {"rules": rules},
    )
    bench.rows[-1]["info"]["options_created"] = options.get("created")
    bench.compare(
        "Cross-sell refresh (nothing new), 50 lines",
        done50.action_empathy_suggest,
        "same, 5 lines",
        done5.action_empathy_suggest,
        "queries equal",
        lambda row: row["queries"] == row["core_queries"],
        {"rules": rules, "options": len(done50.empathy_suggestion_ids)},
    )
    # fewer rules: archive those that suggested nothing on the order, but keep one rule
    # of each kind (values, trigger products, trigger categories: one query each)
    keep = done50.sudo().empathy_suggestion_ids.empathy_rule_id
    unused = Rule.search([("id", "not in", keep.ids)], order="id")
    for kind in ("value_ids", "trigger_product_ids", "trigger_categ_ids"):
        if not keep.filtered(kind):
            keep |= unused.filtered(kind)[:1]
    keep |= (unused - keep)[: max(0, rules // 10 - len(keep))]
    to_archive = Rule.search([]) - keep

    @contextlib.contextmanager
    def fewer_rules():
        to_archive.write({"active": False})
        env.flush_all()
        yield

    bench.compare(
        f"Cross-sell refresh (nothing new), {rules} rules",
        done50.action_empathy_suggest,
        f"same, {rules - len(to_archive)} rules",
        done50.action_empathy_suggest,
        "queries equal",
        lambda row: row["queries"] == row["core_queries"],
        {"rules": rules, "core_rules": rules - len(to_archive)},
        core_context=fewer_rules,
    )


def form_spec(env, model, user):
    """The field specification the web client sends to open ``model``'s form view."""
    from lxml import etree  # noqa: PLC0415

    views = env[model].with_user(user).get_views([(False, "form")])
    arch = etree.fromstring(views["views"]["form"]["arch"])

    def spec_for(model_name, root):
        Sub = env[model_name]
        spec = {}
        for node in root.iter("field"):
            parent = node.getparent()
            while parent is not None and parent is not root and parent.tag != "field":
                parent = parent.getparent()
            if parent is not None and parent is not root:
                continue  # belongs to a sub-view of another field
            name = node.get("name")
            field = Sub._fields.get(name)
            if field is None:
                continue
            sub = {}
            if field.type == "many2one":
                sub = {"fields": {"display_name": {}}}
            elif field.type in ("one2many", "many2many"):
                view = next((c for c in node if c.tag in ("list", "tree", "kanban")), None)
                if view is not None:
                    sub = {"fields": spec_for(field.comodel_name, view)}
                    sub["limit"] = int(view.get("limit") or 40)
                    if view.get("default_order"):
                        sub["order"] = view.get("default_order")
                else:
                    sub = {"fields": {"display_name": {}}}
            spec[name] = sub
        return spec

    return spec_for(model, arch)


def scenario_form(bench, ctx):
    env = bench.env
    advisor = ctx["heavy_user"]
    partner = as_user(ctx["heavy_partner"], advisor).with_context(bin_size=True)
    spec = form_spec(env, "res.partner", advisor)
    without_briefing = {k: v for k, v in spec.items() if k != "empathy_briefing"}
    core_spec = {k: v for k, v in spec.items() if not k.startswith("empathy_")}
    with_briefing, no_briefing, core = bench.measure_many(
        [
            ("form with briefing", lambda: partner.web_read(spec), None),
            ("form without briefing", lambda: partner.web_read(without_briefing), None),
            ("core form", lambda: partner.web_read(core_spec), None),
        ]
    )
    info = {"partner_impressions": ctx["heavy_count"], "fields": len(spec)}
    bench.add_row(
        "Open the partner form (web_read) with the briefing",
        with_briefing,
        "same without empathy_briefing",
        no_briefing,
        "(report)",
        lambda row: True,
        info,
    )
    bench.add_row(
        "Open the partner form (web_read), all empathy fields",
        with_briefing,
        "core fields only",
        core,
        "(report)",
        lambda row: True,
        dict(info, core_fields=len(core_spec)),
    )


#: the pipeline kanban card's fields (crm.crm_case_kanban_view_leads), and the badge's
PIPELINE_CARDS = 80
PIPELINE_SPEC = {
    "name": {},
    "partner_id": {"fields": {"display_name": {}}},
    "expected_revenue": {},
    "priority": {},
    "stage_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "tag_ids": {"fields": {"display_name": {}, "color": {}}},
    "activity_ids": {"fields": {}},
}
PIPELINE_BADGE = {"empathy_mood_trend": {}, "empathy_my_rapport": {}}


def scenario_pipeline(bench, ctx):
    """Open the pipeline kanban (80 cards) with and without the empathy badge."""
    env = bench.env
    advisor = ctx["advisor"]
    env.cr.execute(
        """SELECT DISTINCT ON (r.partner_id) r.partner_id FROM empathy_rapport r
             JOIN res_partner p ON p.id = r.partner_id
            WHERE r.user_id = %s AND p.active ORDER BY r.partner_id LIMIT %s""",
        [advisor.id, PIPELINE_CARDS],
    )
    partner_ids = [row[0] for row in env.cr.fetchall()]
    # the leads exist only in this run's transaction (rolled back at the end)
    leads = (
        env["crm.lead"]
        .with_context(tracking_disable=True, mail_create_nolog=True, empathy_no_handover=True)
        .create(
            [
                {
                    "name": "Benchmark deal %s" % index,
                    "type": "opportunity",
                    "partner_id": partner_id,
                    "user_id": advisor.id,
                }
                for index, partner_id in enumerate(partner_ids)
            ]
        )
    )
    env.flush_all()
    Lead = as_user(env["crm.lead"], advisor)
    domain = [("id", "in", leads.ids)]
    with_badge, core = bench.measure_many(
        [
            (
                "pipeline with badge",
                lambda: Lead.web_search_read(
                    domain, dict(PIPELINE_SPEC, **PIPELINE_BADGE), limit=PIPELINE_CARDS
                ),
                None,
            ),
            (
                "pipeline core",
                lambda: Lead.web_search_read(domain, PIPELINE_SPEC, limit=PIPELINE_CARDS),
                None,
            ),
        ]
    )
    bench.add_row(
        "Open the pipeline kanban (%s cards) with the empathy badge" % len(leads),
        with_badge,
        "same without the badge's fields",
        core,
        "≤ 6 more queries, whatever the cards",
        lambda row: row["queries"] - row["core_queries"] <= 6,
        {"cards": len(leads)},
    )


# ----------------------------------------------------------------------
# output
# ----------------------------------------------------------------------
def fmt(value, pattern="{:.1f}"):
    if value is None:
        return "–"
    return pattern.format(value) if isinstance(value, float) else str(value)


def markdown_table(rows):
    lines = [
        "| Operation | Queries | p50 ms | Core operation | Core queries | Core p50 ms"
        " | Ratio | Target | Met? |",
        "|---|--:|--:|---|--:|--:|--:|---|:-:|",
    ]
    for row in rows:
        reference = row["target"].startswith("(")
        lines.append(
            "| {operation} | {queries} | {p50} | {core_operation} | {core_queries}"
            " | {core_p50} | {ratio} | {target} | {met} |".format(
                operation=row["operation"],
                queries=row["queries"],
                p50=fmt(row["p50_ms"]),
                core_operation=row["core_operation"] or "–",
                core_queries=fmt(row["core_queries"]),
                core_p50=fmt(row["core_p50_ms"]),
                ratio=fmt(row["ratio"], "{:.2f}×"),
                target=row["target"],
                met="–" if reference else "✅" if row["met"] else "❌",
            )
        )
    return "\n".join(lines)


def machine_line(machine, data):
    return (
        "{cpu}, {cores} cores, {ram_gb} GB RAM, PostgreSQL {postgresql}, Odoo {odoo},"
        " Python {python}; load average {load} at the start; {date}; data: {partners:,}"
        " partners, {impressions:,} impressions, {rapport_rows:,} rapport rows,"
        " {rules} cross-sell rules".format(
            load=" / ".join("%.1f" % x for x in machine.get("load_average") or ()),
            **machine,
            **data,
        )
    )


def main():
    parser = base_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=None, help="measured runs (default 15)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--name", default=None, help="results/<name>.json (default: small/full)")
    parser.add_argument("--output", default=None, help="write the JSON here instead")
    parser.add_argument("--trace", action="store_true", help="print the queries of each operation")
    parser.add_argument("--only", default=None, help="only the scenarios containing this")
    parser.add_argument(
        "--pg-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="PostgreSQL setting for this run, e.g. random_page_cost=1.1 (repeatable)",
    )
    args = parser.parse_args()
    repeat = args.repeat or (5 if args.small else 15)
    name = args.name or ("small" if args.small else "full")
    output = args.output or os.path.join(RESULTS_DIR, f"{name}.json")

    registry, make_env = odoo_env_factory(args.config, args.database)
    cr = registry.cursor()
    try:
        env = make_env(cr, context={"tracking_disable": True})
        generated = env["ir.config_parameter"].sudo().get_param(PARAM_GENERATED)
        if not generated:
            log(f"{args.database} holds no benchmark data: run benchmarks/generate.py first")
            return 2
        data = {}
        for key, table in (
            ("partners", "res_partner"),
            ("impressions", "empathy_impression"),
            ("rapport_rows", "empathy_rapport"),
            ("rules", "empathy_cross_sell_rule"),
        ):
            cr.execute(f"SELECT count(*) FROM {table}")  # pylint: disable=sql-injection
            data[key] = cr.fetchone()[0]
        data["generated"] = json.loads(generated)
        settings = {}
        for item in args.pg_set:
            setting, _sep, value = item.partition("=")
            cr.execute("SELECT set_config(%s, %s, true)", [setting.strip(), value.strip()])
            settings[setting.strip()] = value.strip()
        data["pg_settings"] = settings
        machine = machine_info(cr)
        log(f"{args.database}, {repeat} runs per operation (p50):")
        log(machine_line(machine, data))
        if settings:
            log(f"PostgreSQL settings for this run: {settings}")
        bench = Bench(env, repeat, args.warmup, trace=args.trace)
        ctx = pick_context(env)
        scenarios = {
            "activity": lambda: scenario_activity(bench, ctx),
            "impression": lambda: scenario_impression(bench, ctx),
            "search": lambda: scenario_searches(bench, ctx),
            "cross_sell": lambda: scenario_cross_sell(bench, ctx, args.seed),
            "form": lambda: scenario_form(bench, ctx),
            "fair": lambda: scenario_fair(bench, ctx),
            "jobs": lambda: scenario_jobs(bench, ctx),
            "pipeline": lambda: scenario_pipeline(bench, ctx),
            "intake": lambda: scenario_intake(bench, ctx, args.seed),
        }
        for scenario_name, scenario in scenarios.items():
            if not args.only or args.only in scenario_name:
                scenario()
        machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        cr.rollback()
        cr.close()

    table = markdown_table(bench.rows)
    log("")
    log(table)
    log("")
    log("Machine: " + machine_line(machine, data))
    missed = [row["operation"] for row in bench.rows if not row["met"]]
    log("targets missed: " + (", ".join(missed) if missed else "none"))
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as out:
        json.dump(
            {
                "name": name,
                "database": args.database,
                "machine": machine,
                "machine_line": machine_line(machine, data),
                "data": data,
                "repeat": repeat,
                "warmup": args.warmup,
                "results": bench.rows,
                "plans": bench.plans,
                "markdown": table,
            },
            out,
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
