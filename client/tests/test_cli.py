# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The ``empathy`` command as a user runs it, against a real Odoo (see conftest.py)."""

from __future__ import annotations

import json
import os
import re
import shlex
import tempfile
from pathlib import Path

from support import (
    EXAMPLES,
    count,
    free_port,
    groups_field,
    read_csv,
    run_cli,
    write_csv,
)

FAIR = EXAMPLES / "fair.csv"
REPO = EXAMPLES.parent.parent
#: the demo's users (demo/empathic_crm_demo.xml): the README's examples log in as them
DEMO_GROUPS = {
    "anna": ("base.group_user", "sales_team.group_sale_salesman"),
    "ben": ("base.group_user", "sales_team.group_sale_salesman"),
    "clara": ("base.group_user", "sales_team.group_sale_manager"),
}
HEADER = ["ref", "name", "email", "advisor", "channel", "rapport", "mood", "motives", "note"]


def assert_clean_error(result, code: int, *fragments: str) -> None:
    """A user error: the exit code, a clear message, no traceback."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# ----------------------------------------------------------------------
# help and user errors
# ----------------------------------------------------------------------
def test_help_shows_examples():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert "empathy import-csv client/examples/fair.csv --dry-run" in result.stdout
    assert "EMPATHY_PASSWORD" in result.stdout
    for command in ("partner", "log", "profile", "briefing", "suggest", "import-csv"):
        assert command in result.stdout
    result = run_cli("import-csv", "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout and "--map" in result.stdout
    assert "--dry-run" in result.stdout


def test_usage_errors(tmp_path):
    assert_clean_error(run_cli("frobnicate"), 2, "invalid choice")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMPATHY_")}
    assert_clean_error(run_cli("briefing", "1", env=env), 2, "Missing connection settings")
    assert_clean_error(run_cli("import-csv", tmp_path / "nope.csv"), 2, "No such file")


def test_login_failure(odoo_server):
    result = run_cli("briefing", "1", env=odoo_server.env(password="wrong"))
    assert_clean_error(result, 3, "Login failed for 'admin'", "wrong login, password or API key")


def test_unknown_database(odoo_server):
    env = odoo_server.env(EMPATHY_DB="emp_cli_no_such_db")
    assert_clean_error(
        run_cli("briefing", "1", env=env), 3, "Unknown database 'emp_cli_no_such_db'"
    )


def test_server_unreachable(odoo_server):
    env = odoo_server.env(EMPATHY_URL=f"http://127.0.0.1:{free_port()}")
    assert_clean_error(run_cli("briefing", "1", env=env), 3, "Cannot reach Odoo")


def test_bad_csv_files(odoo_server, tmp_path):
    env = odoo_server.env()
    no_rapport = write_csv(tmp_path / "no_rapport.csv", ["email", "mood"], [["a@example.com", 1]])
    assert_clean_error(run_cli("import-csv", no_rapport, env=env), 2, "No column for rapport")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("email,rapport,mood\nj\xfcrgen@example.com,4,1\n".encode("latin-1"))
    assert_clean_error(run_cli("import-csv", latin, env=env), 2, "not UTF-8 encoded")
    assert_clean_error(
        run_cli("import-csv", FAIR, "--map", "nocolumn=email", env=env), 2, "no column 'nocolumn'"
    )
    assert_clean_error(
        run_cli("import-csv", FAIR, "--map", "note=colour", env=env), 2, "unknown field 'colour'"
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_clean_error(run_cli("import-csv", empty, env=env), 2, "is empty")
    # the latin-1 file imports with --encoding
    result = run_cli("import-csv", latin, "--encoding", "latin-1", "--no-progress", env=env)
    assert result.returncode == 0, result.stderr
    assert "created        1" in result.stdout
    assert "No ref column" in result.stdout


# ----------------------------------------------------------------------
# the fair example: dry run, import, re-import
# ----------------------------------------------------------------------
def test_fair_example_dry_run_import_and_reimport(odoo_server, admin, people, tmp_path):
    env = odoo_server.env()
    errors = tmp_path / "fair.errors.csv"
    before = count(admin, "empathy.impression"), count(admin, "res.partner")

    dry = run_cli("import-csv", FAIR, "--dry-run", "--errors", errors, env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "nothing was written" in dry.stdout
    assert "created       20" in dry.stdout
    assert (count(admin, "empathy.impression"), count(admin, "res.partner")) == before
    assert not errors.exists()

    first = run_cli("import-csv", FAIR, "--errors", errors, "--json", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    summary = json.loads(first.stdout)
    assert (summary["created"], summary["skipped"], summary["errors"]) == (20, 0, 0)
    assert summary["batches"] == 1
    after = count(admin, "empathy.impression"), count(admin, "res.partner")
    assert after[0] == before[0] + 20
    assert count(admin, "res.partner", [("email", "=", "jonas.keller@example.com")]) == 1

    second = run_cli("import-csv", FAIR, "--errors", errors, "--json", env=env)
    assert second.returncode == 0, second.stderr
    summary = json.loads(second.stdout)
    assert (summary["created"], summary["updated"], summary["skipped"]) == (0, 0, 20)
    assert summary["contacts_created"] == 0
    assert (count(admin, "empathy.impression"), count(admin, "res.partner")) == after

    briefing = run_cli("briefing", "jonas.keller@example.com", env=env)
    assert briefing.returncode == 0, briefing.stderr
    assert "Hawaii trip" in briefing.stdout and "Marathon" in briefing.stdout
    data = json.loads(run_cli("briefing", "jonas.keller@example.com", "--json", env=env).stdout)
    motives = next(line for line in data["lines"] if line["kind"] == "motives")
    assert {item["text"] for item in motives["items"]} >= {"Hawaii trip", "Marathon"}
    assert "html" not in data


def test_row_errors_do_not_stop_the_others(odoo_server, admin, people, tmp_path):
    path = tmp_path / "scanner.csv"
    rows = [
        ["err-1", "Good One", "good.one@example.com", "anna", "fair", 4, 1, "Marathon", ""],
        ["err-2", "Bad Rapport", "bad.rapport@example.com", "anna", "fair", 7, 1, "", ""],
        ["err-3", "Bad Mail", "not-an-email", "anna", "fair", 3, 0, "", ""],
        ["err-4", "Bad Motive", "bad.motive@example.com", "anna", "fair", 3, 0, "Kiting", ""],
        ["err-5", "Bad Advisor", "bad.advisor@example.com", "nobody", "fair", 3, 0, "", ""],
        ["err-6", "Good Two", "good.two@example.com", "ben", "fair", 5, 2, "", "note"],
    ]
    write_csv(path, HEADER, rows)
    with path.open("a") as stream:
        stream.write("err-7,Short Line,short@example.com\n")
    result = run_cli("import-csv", path, "--no-progress", env=odoo_server.env())
    assert result.returncode == 1, result.stdout + result.stderr
    assert "created        2" in result.stdout
    assert "errors         5" in result.stdout
    # without --errors the failed rows go to a temporary file, whose path is printed
    error_file = Path(re.search(r"errors +5 +\(see (.+)\)", result.stdout).group(1))
    assert error_file.parent == Path(tempfile.gettempdir()), error_file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scanner.csv"]  # nothing beside it
    errors = read_csv(error_file)
    error_file.unlink()
    reasons = {row["ref"]: row["error"] for row in errors}
    assert set(reasons) == {"err-2", "err-3", "err-4", "err-5", "err-7"}
    assert "between 1 and 5" in reasons["err-2"]
    assert "Invalid email" in reasons["err-3"]
    assert "Unknown purchase motives: Kiting" in reasons["err-4"]
    assert "no active user with the login nobody" in reasons["err-5"]
    assert "fields, the header has" in reasons["err-7"]
    assert [row["line"] for row in errors] == ["3", "4", "5", "6", "8"]
    refs = admin.call(
        "empathy.impression", "search_read", [("external_ref", "like", "err-")], ["external_ref"]
    )
    assert sorted(r["external_ref"] for r in refs) == ["err-1", "err-6"]

    # fix the file, import again: the good rows are skipped, the fixed ones created
    rows[1][5] = 5
    rows[2][2] = "bad.mail@example.com"
    rows[3][7] = "Gift"
    rows[4][3] = "anna"
    write_csv(path, HEADER, rows)
    result = run_cli("import-csv", path, "--no-progress", env=odoo_server.env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "created        4" in result.stdout and "skipped        2" in result.stdout
    assert "(see " not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scanner.csv"]


def test_dry_run_writes_nothing(odoo_server, admin, people, tmp_path):
    path = write_csv(
        tmp_path / "dry.csv",
        HEADER,
        [
            [f"dry-{i}", f"Dry {i}", f"dry{i}@example.com", "ben", "fair", 4, 1, "Gift", ""]
            for i in range(30)
        ],
    )
    before = [count(admin, m) for m in ("empathy.impression", "res.partner", "empathy.motive")]
    result = run_cli(
        "import-csv",
        path,
        "--dry-run",
        "--create-motives",
        "--batch-size",
        "7",
        env=odoo_server.env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Dry run" in result.stdout and "nothing was written" in result.stdout
    assert "created       30" in result.stdout and "5 batch(es)" in result.stdout
    assert [
        count(admin, m) for m in ("empathy.impression", "res.partner", "empathy.motive")
    ] == before
    assert not admin.call("empathy.impression", "search", [("external_ref", "like", "dry-")])


# ----------------------------------------------------------------------
# the other commands
# ----------------------------------------------------------------------
def test_partner_and_log_commands(odoo_server, people):
    anna = odoo_server.env("anna", "anna")
    created = run_cli("partner", "--email", " Eva.Sand@Example.com", "--name", "Eva Sand", env=anna)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created: #")
    found = run_cli("partner", "--email", "eva.sand@example.com", "--json", env=anna)
    assert json.loads(found.stdout)["created"] is False
    missing = run_cli("partner", "--email", "nobody.here@example.com", "--find-only", env=anna)
    assert missing.returncode == 1

    log = ["log", "--email", "eva.sand@example.com", "--rapport", "4", "--mood", "1"]
    result = run_cli(
        *log, "--channel", "phone", "--motive", "Gift,Safety", "--ref", "cli-eva", env=anna
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created: impression #")
    again = run_cli(
        *log, "--channel", "phone", "--motive", "Gift,Safety", "--ref", "cli-eva", env=anna
    )
    assert again.stdout.startswith("skipped:"), again.stdout
    assert_clean_error(run_cli(*log, "--advisor", "ben", env=anna), 1, "Only empathy managers")
    assert_clean_error(
        run_cli(
            "log", "--rapport", "9", "--mood", "0", "--email", "eva.sand@example.com", env=anna
        ),
        1,
        "between 1 and 5",
    )


# ----------------------------------------------------------------------
# the README's example, verbatim, as the user the README names
# ----------------------------------------------------------------------
def test_readme_fair_example_works_for_the_documented_user(odoo_server, admin, people, tmp_path):
    readme = (REPO / "readme" / "CHANNELS.md").read_text()
    command = "empathy import-csv client/examples/fair.csv --dry-run"
    assert command in (REPO / "README.md").read_text()
    before = readme[: readme.index(command)]
    login = re.findall(r"EMPATHY_LOGIN=(\w+)", before)[-1]
    password = re.findall(r"EMPATHY_PASSWORD=(\w+)", before)[-1]
    if not admin.call("res.users", "search", [("login", "=", login)]):
        groups = [
            admin.call("ir.model.data", "check_object_reference", *xmlid.split("."))[1]
            for xmlid in DEMO_GROUPS[login]
        ]
        admin.call(
            "res.users",
            "create",
            {
                "name": login.title(),
                "login": login,
                "password": password,
                groups_field(admin): [(6, 0, groups)],
            },
        )
    # the example file, with references no other test has imported, at the same path
    examples = tmp_path / "client" / "examples"
    examples.mkdir(parents=True)
    (examples / "fair.csv").write_text(FAIR.read_text().replace("\nfair2026-", "\nreadme-"))
    result = run_cli(*shlex.split(command)[1:], env=odoo_server.env(login, password), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"as {login}: nothing was written" in result.stdout
    assert "created       20" in result.stdout and "errors         0" in result.stdout
    assert [p.name for p in examples.iterdir()] == ["fair.csv"]  # nothing beside the input

    # a salesperson may not log the rows of another advisor: refused, error file in /tmp
    result = run_cli(*shlex.split(command)[1:], env=odoo_server.env("anna", "anna"), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    error_file = Path(re.search(r"errors +10 +\(see (.+)\)", result.stdout).group(1))
    assert error_file.parent == Path(tempfile.gettempdir())
    assert {row["advisor"] for row in read_csv(error_file)} == {"ben"}
    error_file.unlink()
    assert [p.name for p in examples.iterdir()] == ["fair.csv"]
