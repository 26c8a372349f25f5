# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Shared helpers of the benchmark scripts (not part of the addon's Python package).

The scripts run inside Odoo (its source on ``sys.path``), outside any HTTP request:
``$VENV/bin/python benchmarks/<script>.py -c <odoo.conf> -d <db> [options]``.
"""

import argparse
import contextlib
import functools
import importlib.util
import os
import platform
import sys
import threading
import time
from datetime import datetime, timezone

#: default sizes (``--full``) and the seconds-fast smoke-test sizes (``--small``)
SIZES = {
    "full": {
        "partners": 200_000,
        "impressions": 2_000_000,
        "advisors": 50,
        "rules": 500,
        "products": 2_000,
        "categories": 60,
        "motives": 40,
        "values": 15,
    },
    "small": {
        "partners": 2_000,
        "impressions": 20_000,
        "advisors": 10,
        "rules": 20,
        "products": 150,
        "categories": 12,
        "motives": 20,
        "values": 8,
    },
}
#: the planted "key account" pair of the generator: exactly this many impressions
KEY_ACCOUNT_IMPRESSIONS = 500
ADVISOR_LOGIN = "bench_advisor_%02d"
PARAM_GENERATED = "empathic_crm.benchmark_data"


@contextlib.contextmanager
def no_batch_commits():
    """Run the block as tests run: code that commits in batches (Odoo's lead assignment,
    the addon's retention job) leaves its work to the caller's transaction, which a
    benchmark rolls back.

    Both flags Odoo reads are set (18.0: the thread's ``testing``; 19.0:
    ``odoo.modules.module.current_test``, which 18.0 also has), as the test runners
    set them; the addon reads them through ``compat.running_tests()``.
    """
    from odoo.modules import module  # noqa: PLC0415

    thread = threading.current_thread()
    testing, current = getattr(thread, "testing", False), module.current_test
    thread.testing, module.current_test = True, "benchmark"
    try:
        yield
    finally:
        thread.testing, module.current_test = testing, current


@functools.cache
def addon_compat():
    """Return the addon's ``tools/compat.py``: what differs between the Odoo series.

    The benchmarks name what a series renamed (a user's groups field, the contact's
    phone fields, …) through its functions, as the addon does, so that one harness runs
    on every supported series. Loaded from this checkout by its path: the same module
    in a process with a registry and in a client process (``load.py``) without one; it
    imports only ``odoo.release``.
    """
    path = os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools", "compat.py"
    )
    spec = importlib.util.spec_from_file_location("empathic_crm_bench_compat", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def base_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("-c", "--config", required=True, help="odoo configuration file")
    parser.add_argument("-d", "--database", required=True, help="database name")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--small", action="store_true", help="smoke-test sizes (seconds)")
    size.add_argument("--full", action="store_true", help="default sizes (the default)")
    return parser


def odoo_env_factory(config_file, database):
    """Bootstrap Odoo; return ``(registry, make_env)`` for ``database``."""
    import odoo  # noqa: PLC0415  (import after argument parsing: --help stays fast)
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_file, "-d", database, "--log-level=warn", "--no-http"])
    registry = Registry(database)

    def make_env(cr, uid=odoo.SUPERUSER_ID, context=None):
        return odoo.api.Environment(cr, uid, context or {})

    return registry, make_env


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def log(message):
    print(message, flush=True)


def machine_info(cr=None):
    """Return CPU, cores, RAM, PostgreSQL and Python versions and the date."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/meminfo", encoding="utf-8") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    postgres = None
    if cr is not None:
        cr.execute("SHOW server_version")
        postgres = cr.fetchone()[0]
    odoo_version = None
    with contextlib.suppress(Exception):
        import odoo.release  # noqa: PLC0415

        odoo_version = odoo.release.version
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "postgresql": postgres,
        "python": platform.python_version(),
        "odoo": odoo_version,
        "platform": platform.platform(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "argv": sys.argv[1:],
    }


def rapport_pairs(env, partner_ids):
    """Return ``(impressions, expected, actual, problems)`` for the partners' rapport.

    ``expected``: the ORM's recompute from the impressions
    (``empathy.rapport._empathy_compute_from_scratch``); ``actual``: the stored rows;
    both keyed by ``(partner, advisor, company)``; ``problems`` tells missing and
    unexpected pairs (the callers compare the values).
    """
    Rapport = env["empathy.rapport"].sudo()
    impressions = env["empathy.impression"].sudo().search([("partner_id", "in", partner_ids)])
    expected = Rapport._empathy_compute_from_scratch(impressions)
    rows = Rapport.search([("partner_id", "in", partner_ids)])
    actual = {(r.partner_id.id, r.user_id.id, r.company_id.id): r for r in rows}
    problems = []
    if set(actual) != set(expected):
        problems.append(
            f"pairs differ: {len(set(expected) - set(actual))} missing,"
            f" {len(set(actual) - set(expected))} unexpected"
        )
    return impressions, expected, actual, problems
