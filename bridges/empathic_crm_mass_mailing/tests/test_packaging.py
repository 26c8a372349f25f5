# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import ast
import os

from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged

MODULE = "empathic_crm_mass_mailing"
TESTS = os.path.dirname(__file__)
ROOT = os.path.dirname(TESTS)


@tagged("post_install", "-at_install", MODULE)
class TestPackaging(TransactionCase):
    """The bridge installs itself beside Email Marketing, and both test runners see
    its tests."""

    def test_installed_with_email_marketing(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", [MODULE, "empathic_crm", "mass_mailing"])]
        )
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        bridge = modules.filtered(lambda module: module.name == MODULE)
        self.assertTrue(bridge.auto_install)
        self.assertEqual(
            set(bridge.dependencies_id.mapped("name")), {"empathic_crm", "mass_mailing"}
        )

    def test_manifest(self):
        manifest = get_manifest(MODULE)
        self.assertTrue(manifest["auto_install"])
        self.assertEqual(manifest["depends"], ["empathic_crm", "mass_mailing"])
        for key in ("summary", "website", "maintainers", "author", "license"):
            self.assertTrue(manifest.get(key), f"manifest key {key!r} is missing")
        for name in ("icon.png", "index.html"):
            self.assertTrue(os.path.isfile(os.path.join(ROOT, "static", "description", name)))
        # series-less, as empathic_crm's: each series prefixes its own (the file itself;
        # get_manifest answers with the series prefixed)
        with open(os.path.join(ROOT, "__manifest__.py"), encoding="utf-8") as handle:
            self.assertRegex(ast.literal_eval(handle.read())["version"], r"^\d+\.\d+\.\d+$")

    def test_every_test_module_is_imported(self):
        # odoo-bin --test-tags only runs what tests/__init__.py imports
        with open(os.path.join(TESTS, "__init__.py"), encoding="utf-8") as init_file:
            tree = ast.parse(init_file.read())
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 1 and not node.module
            for alias in node.names
        }
        on_disk = {
            name[:-3]
            for name in os.listdir(TESTS)
            if name.startswith("test_") and name.endswith(".py")
        }
        self.assertEqual(
            sorted(on_disk - imported), [], "test modules missing in tests/__init__.py"
        )
        self.assertEqual(sorted(imported - on_disk), [], "tests/__init__.py imports a ghost")
