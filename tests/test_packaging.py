# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import ast
import os
import re
import subprocess
import sys
import tempfile

from odoo.modules.module import get_manifest
from odoo.tests import BaseCase, tagged

TESTS = os.path.dirname(__file__)
ROOT = os.path.dirname(TESTS)


def imported_test_modules(init_source):
    """Return the names of the modules that ``from . import x`` lines import."""
    names = set()
    for node in ast.walk(ast.parse(init_source)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module:
            names.update(alias.name for alias in node.names)
    return names


def manifest_version():
    """Return the version written in __manifest__.py."""
    with open(os.path.join(ROOT, "__manifest__.py"), encoding="utf-8") as handle:
        return ast.literal_eval(handle.read())["version"]


@tagged("post_install", "-at_install", "empathic_crm")
class TestPackaging(BaseCase):
    """Both test runners see every test module; the Apps store finds what it shows."""

    def test_every_test_module_is_imported(self):
        # odoo-bin --test-tags only runs what tests/__init__.py imports
        with open(os.path.join(TESTS, "__init__.py"), encoding="utf-8") as init_file:
            imported = imported_test_modules(init_file.read())
        on_disk = {
            name[:-3]
            for name in os.listdir(TESTS)
            if name.startswith("test_") and name.endswith(".py")
        }
        self.assertIn("test_i18n", on_disk)
        self.assertEqual(
            sorted(on_disk - imported), [], "test modules missing in tests/__init__.py"
        )
        self.assertEqual(sorted(imported - on_disk), [], "tests/__init__.py imports a ghost")

    def test_the_check_sees_a_missing_import(self):
        self.assertEqual(
            imported_test_modules("from . import test_a\nfrom . import test_b, test_c\n"),
            {"test_a", "test_b", "test_c"},
        )
        self.assertEqual(imported_test_modules("import os\nfrom .common import X\n"), set())

    def test_apps_store_files(self):
        manifest = get_manifest("empathic_crm")
        for key in ("summary", "website", "maintainers", "images", "author", "license"):
            self.assertTrue(manifest.get(key), f"manifest key {key!r} is missing")
        for image in manifest["images"]:
            self.assertTrue(os.path.isfile(os.path.join(ROOT, image)), image)
        for name in ("icon.png", "index.html"):
            self.assertTrue(os.path.isfile(os.path.join(ROOT, "static", "description", name)))

    def test_manifest_version_is_series_less(self):
        # one main for Odoo 18.0 and 19.0: each prefixes its own series to "x.y.z";
        # "18.0.x.y.z" would make the module uninstallable on 19.0 (and Odoo exits 0);
        # the file itself (Odoo's get_manifest answers with its series prefixed)
        version = manifest_version()
        self.assertRegex(version, r"^\d+\.\d+\.\d+$")

    def test_migration_folders(self):
        """Folders are "x.y.z" (compared on the module part by every series: run once,
        also across an upgrade of the database from 18.0 to 19.0); "18.0.x.y.z" only for
        the folders written before the one main (up to 1.5.0), which 19.0 runs only for a
        database coming from 18.0 below that version; "19.0.x.y.z" for a step of the upgrade
        from 18.0 to 19.0 (never run on 18.0). None is ahead of the manifest."""
        version = get_manifest("empathic_crm")["version"]
        module_part = tuple(int(part) for part in version.split("."))
        folder = os.path.join(ROOT, "migrations")
        for name in sorted(os.listdir(folder)):
            if not os.path.isdir(os.path.join(folder, name)):
                continue
            parts = name.split(".")
            with self.subTest(folder=name):
                self.assertTrue(all(part.isdigit() for part in parts), name)
                if len(parts) == 5 and parts[:2] == ["19", "0"]:
                    # a step of the move from 18.0 to 19.0 only: 19.0 runs it for a
                    # database coming from 18.0, 18.0 never (19.0.1.5.0: cross-sell lines)
                    parts = parts[2:]
                elif len(parts) == 5:
                    self.assertEqual(parts[:2], ["18", "0"], "a series-prefixed folder")
                    parts = parts[2:]
                    self.assertLessEqual(tuple(map(int, parts)), (1, 5, 0), "use x.y.z")
                self.assertEqual(len(parts), 3, name)
                self.assertLessEqual(tuple(map(int, parts)), module_part, "ahead of the manifest")

    def test_no_mass_mailing_in_the_main_addon(self):
        # Email Marketing is the bridge's (bridges/empathic_crm_mass_mailing): the main
        # addon installs and runs without it, nothing of it names mass_mailing's models
        self.assertNotIn("mass_mailing", get_manifest("empathic_crm")["depends"])
        found = []
        for folder, subfolders, files in os.walk(ROOT):
            if folder == ROOT:
                subfolders[:] = [
                    name
                    for name in subfolders
                    if name not in ("bridges", "client", "benchmarks", "scripts", "docs", "readme")
                    and not name.startswith(".")
                ]
            for name in files:
                if name.endswith((".py", ".xml", ".csv", ".js")) and name != "test_packaging.py":
                    path = os.path.join(folder, name)
                    with open(path, encoding="utf-8") as handle:
                        if re.search(
                            r"mass_mailing|mailing\.(mailing|trace|contact)", handle.read()
                        ):
                            found.append(os.path.relpath(path, ROOT))
        self.assertEqual(found, [], "the main addon names Email Marketing: the bridge's job")

    def test_lint_catches_a_method_defined_twice(self):
        # the second definition silently wins: pylint's function-redefined is on
        source = (
            "class Partner:\n"
            "    def _empathy_format_score(self, score):\n"
            "        return score or 0.0\n\n"
            "    def _empathy_format_score(self, score):\n"
            "        return score\n"
        )
        with tempfile.TemporaryDirectory() as folder:
            fixture = os.path.join(folder, "fixture.py")
            with open(fixture, "w", encoding="utf-8") as handle:
                handle.write(source)
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pylint",
                    "--rcfile",
                    os.path.join(ROOT, ".pylintrc"),
                    fixture,
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
        self.assertIn("function-redefined", result.stdout + result.stderr)
