# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""A real Odoo for the client tests: fresh database, empathic_crm installed, own port.

Needs ODOO_CONF (an odoo.conf whose addons_path has empathic_crm) and ODOO_SRC, as
exported by scripts/_common.sh; scripts/test-client runs these tests. With
EMPATHIC_ODOO_PYTHON the server runs with that interpreter (the wheel's virtualenv).
"""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

# the client under test is this checkout's, whatever another checkout installed with
# pip install -e into the shared virtualenv
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import psycopg2
import pytest
from empathic_crm_client import EmpathyClient
from support import OdooServer, free_port, groups_field

INSTALL_TIMEOUT = 1200
START_TIMEOUT = 180
INSTALL_ARGS = ["-i", "empathic_crm", "--without-demo=all", "--stop-after-init", "--log-level=warn"]
SERVE_ARGS = [
    "--http-interface=127.0.0.1",
    "--max-cron-threads=0",
    "--workers=0",
    "--log-level=warn",
]
#: salespeople of the tests (plain empathy users, may create contacts)
SALES_GROUPS = ("sales_team.group_sale_salesman", "base.group_partner_manager")
PEOPLE = {"anna": "Anna Becker", "ben": "Ben Okafor"}


def _drop_database(options: configparser.SectionProxy, db: str) -> None:
    params = {"dbname": "postgres"}
    for key, option in (("host", "db_host"), ("port", "db_port"), ("user", "db_user")):
        value = options.get(option)
        if value and value != "False":
            params[key] = value
    if options.get("db_password") not in (None, "", "False"):
        params["password"] = options["db_password"]
    connection = psycopg2.connect(**params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    finally:
        connection.close()


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@pytest.fixture(scope="session")
def odoo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OdooServer]:
    conf_src = os.environ.get("ODOO_CONF")
    odoo_src = Path(os.environ.get("ODOO_SRC", "/opt/odoo/18.0"))
    if not conf_src or not Path(conf_src).is_file() or not (odoo_src / "odoo-bin").is_file():
        pytest.fail(
            "These tests start a real Odoo: set ODOO_CONF and ODOO_SRC (scripts/test-client does)."
        )
    workdir = tmp_path_factory.mktemp("odoo")
    db = f"emp_cli_test_{os.getpid()}"
    port = free_port()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(conf_src)
    options = parser["options"]
    for key in ("db_name", "dbfilter", "logfile", "pidfile"):
        options.pop(key, None)
    options["http_port"] = str(port)
    options["data_dir"] = str(workdir / "data")  # own filestore and sessions
    conf = workdir / "odoo.conf"
    with conf.open("w") as stream:
        parser.write(stream)
    # scripts/test runs this server from the wheel's virtualenv (scripts/test-wheel)
    python = os.environ.get("EMPATHIC_ODOO_PYTHON") or sys.executable
    odoo_bin = [python, str(odoo_src / "odoo-bin"), "-c", str(conf)]

    _drop_database(options, db)
    install_log = workdir / "install.log"
    with install_log.open("w") as stream:
        install = subprocess.run(
            [*odoo_bin, *INSTALL_ARGS, "-d", db],
            stdout=stream,
            stderr=subprocess.STDOUT,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    if install.returncode:
        _drop_database(options, db)
        pytest.fail(f"installing empathic_crm failed:\n{_tail(install_log)}")

    log = workdir / "server.log"
    with log.open("w") as stream:
        process = subprocess.Popen(
            [*odoo_bin, *SERVE_ARGS, "-d", db, "--http-port", str(port), "--db-filter", f"^{db}$"],
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"Odoo stopped while starting:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{url}/web/login", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"Odoo did not answer on {url} within {START_TIMEOUT} s:\n{_tail(log)}")
            time.sleep(0.5)
        yield OdooServer(url=url, db=db, port=port, log=log, command=tuple(odoo_bin))
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        _drop_database(options, db)
        shutil.rmtree(workdir / "data", ignore_errors=True)


@pytest.fixture(scope="session")
def admin(odoo_server: OdooServer) -> EmpathyClient:
    """The administrator: an empathy manager."""
    return odoo_server.client()


@pytest.fixture(scope="session")
def people(admin: EmpathyClient) -> dict[str, int]:
    """The salespeople anna and ben (password = login): plain empathy users."""
    group_ids = [
        admin.call("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
        for xmlid in SALES_GROUPS
    ]
    return {
        login: admin.call(
            "res.users",
            "create",
            {
                "name": name,
                "login": login,
                "password": login,
                groups_field(admin): [(6, 0, group_ids)],
            },
        )
        for login, name in PEOPLE.items()
    }
