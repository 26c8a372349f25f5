#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What the addon costs operations it does not extend: plain contact searches and reads.

    $VENV/bin/python benchmarks/protection.py -c odoo.conf -d DB --prepare-core CORE_DB
    $VENV/bin/python benchmarks/protection.py -c odoo.conf -d DB --core-db CORE_DB
        [--repeat 41] [--output FILE]

``--prepare-core`` makes ``CORE_DB`` a copy of ``DB`` (filled by ``generate.py``) and
uninstalls empathic_crm there: the same contacts, users and rights, without the addon.
The measuring run opens both databases in one process and runs each operation as the
same salesperson in both, interleaved (addon, core, addon, core, ...), with an empty
ORM cache each time; the ratio is addon p50 / core p50 (goal: at most 1.05, issue #31).
Reported, never asserted: the exit status is non-zero only when the harness breaks.
"""

import gc
import json
import statistics
import sys
import time

from bench_common import ADVISOR_LOGIN, base_parser, log, machine_info

#: the contact list's columns (base.view_partner_tree) and its page size
LIST_FIELDS = [
    "complete_name",
    "display_name",
    "phone",
    "email",
    "user_id",
    "city",
    "state_id",
    "country_id",
    "company_id",
    "active",
]
LIST_LIMIT = 80
TARGET = 1.05


def prepare_core(config, database, core_db):
    """Create ``core_db`` as a copy of ``database`` without empathic_crm."""
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_config.parse_config(["-c", config, "--log-level=warn", "--no-http"])
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(f'DROP DATABASE IF EXISTS "{core_db}"')
        cr.execute(f'CREATE DATABASE "{core_db}" TEMPLATE "{database}"')
    registry = Registry(core_db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        module = env["ir.module.module"].search([("name", "=", "empathic_crm")])
        module.button_immediate_uninstall()
    log(f"protection: {core_db} is {database} without empathic_crm")


def operations(env):
    """Return {name: callable} of the measured operations for ``env`` (a salesperson)."""
    Partner = env["res.partner"]
    sample = Partner.search([("customer_rank", ">", 0)], limit=LIST_LIMIT, order="id")

    def plain_search():
        return Partner.search([("name", "ilike", "an")], limit=LIST_LIMIT)

    def count():
        return Partner.search_count([("is_company", "=", False)], limit=10_001)

    def read_page():
        return sample.read(LIST_FIELDS)

    def menus():
        return env["ir.ui.menu"].search([("parent_id", "=", False)])

    return {
        "Contact search (name contains, one page)": plain_search,
        "Contact count (the list's counter)": count,
        f"Reading {LIST_LIMIT} contacts (list columns)": read_page,
        "Menu search (ir.ui.menu)": menus,
    }


def measure(config, database, core_db, repeat):
    import odoo  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_config.parse_config(["-c", config, "--log-level=warn", "--no-http"])
    sides = {}
    for side, name in (("addon", database), ("core", core_db)):
        registry = Registry(name)
        cr = registry.cursor()
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        user = env["res.users"].search([("login", "=", ADVISOR_LOGIN % 1)])
        if not user:
            raise RuntimeError(f"{name}: no benchmark advisor, run generate.py first")
        user_env = env(user=user.id, context={"lang": "en_US", "tz": "Europe/Berlin"})
        sides[side] = (cr, user_env, operations(user_env))
    times = {side: {op: [] for op in ops} for side, (_cr, _env, ops) in sides.items()}
    queries = {side: {} for side in sides}
    names = list(sides["addon"][2])
    for round_ in range(repeat + 3):  # 3 warm-up rounds
        for op in names:
            for side in ("addon", "core") if round_ % 2 else ("core", "addon"):
                cr, env, ops = sides[side]
                env.invalidate_all()
                # as run.py: no garbage of earlier runs collected inside the timing
                gc.collect()
                before = cr.sql_log_count
                start = time.perf_counter()
                ops[op]()
                elapsed = time.perf_counter() - start
                queries[side][op] = cr.sql_log_count - before
                if round_ >= 3:
                    times[side][op].append(elapsed * 1000)
    rows = []
    for op in names:
        addon = statistics.median(times["addon"][op])
        core = statistics.median(times["core"][op])
        ratio = addon / core if core else None
        rows.append(
            {
                "operation": op,
                "addon_ms": round(addon, 3),
                "core_ms": round(core, 3),
                "addon_queries": queries["addon"][op],
                "core_queries": queries["core"][op],
                "ratio": round(ratio, 3) if ratio else None,
                "target": f"<= {TARGET}x",
                "met": ratio is not None and ratio <= TARGET,
            }
        )
    for cr, _env, _ops in sides.values():
        cr.rollback()
        cr.close()
    return rows


def main():
    parser = base_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--core-db", help="the same data without the addon")
    parser.add_argument("--prepare-core", metavar="CORE_DB", help="create CORE_DB, then stop")
    parser.add_argument("--repeat", type=int, default=41)
    parser.add_argument("--output", help="write the rows as JSON here")
    args = parser.parse_args()
    if args.prepare_core:
        prepare_core(args.config, args.database, args.prepare_core)
        return 0
    if not args.core_db:
        parser.error("--core-db or --prepare-core is required")
    rows = measure(args.config, args.database, args.core_db, args.repeat)
    log("")
    log("| Operation (as a salesperson) | with the addon p50 | without p50 | queries | ratio |")
    log("|---|---|---|---|---|")
    for row in rows:
        mark = "✅" if row["met"] else "❌"
        log(
            f"| {row['operation']} | {row['addon_ms']:.2f} ms | {row['core_ms']:.2f} ms"
            f" | {row['addon_queries']} / {row['core_queries']}"
            f" | {row['ratio']:.3f}× {mark} (≤ {TARGET}×) |"
        )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as output:
            json.dump({"machine": machine_info(), "rows": rows}, output, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
