# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The one home of version differences (tools/compat.py) and the files per series."""

import os
import re
import tempfile

from odoo import Command, http
from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import SQL

from ..tools import compat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# a version check: the release module, its version tuple, its major version
VERSION_CHECK = re.compile(
    r"\bodoo\.release\b|\bimport\s+release\b|\bversion_info\b|\bmajor_version\b"
)
# not the addon: tooling beside it (the client talks to any server over RPC)
NOT_THE_ADDON = ("client", "benchmarks", "scripts", ".git", "dist", "build")
SERIES_FOLDERS = {f"odoo{series.split('.')[0]}" for series in compat.SUPPORTED_SERIES}


def version_checks(root):
    """Return ``path:line`` of each line of the addon's Python that checks the version."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [
            name
            for name in subfolders
            if not (folder == root and name in NOT_THE_ADDON) and name != "__pycache__"
        ]
        for name in files:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root)
            if not name.endswith(".py") or relative in (
                os.path.join("tools", "compat.py"),
                os.path.join("tests", "test_compat.py"),
            ):
                continue
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, 1):
                    if VERSION_CHECK.search(line):
                        found.append(f"{relative}:{number}")
    return found


@tagged("post_install", "-at_install", "empathic_crm")
class TestCompat(TransactionCase):
    def test_no_version_check_outside_compat(self):
        self.assertEqual(
            version_checks(ROOT), [], "version checks belong in tools/compat.py (one function)"
        )

    def test_the_check_sees_a_version_check(self):
        sources = {
            "models/a.py": "from odoo import release\n",
            "models/b.py": "x = 1\nif odoo.release.version_info[0] >= 19:\n    pass\n",
            "models/c.py": "x = 1\n",
            "tools/compat.py": "from odoo import release\n",  # its home
            "client/d.py": "from odoo import release\n",  # not the addon
        }
        with tempfile.TemporaryDirectory() as root:
            for relative, source in sources.items():
                os.makedirs(os.path.join(root, os.path.dirname(relative)), exist_ok=True)
                with open(os.path.join(root, relative), "w", encoding="utf-8") as handle:
                    handle.write(source)
            found = sorted(version_checks(root))
        self.assertEqual(found, ["models/a.py:1", "models/b.py:2"])

    def test_series(self):
        self.assertIn(compat.SERIES, compat.SUPPORTED_SERIES)
        self.assertEqual(compat.SERIES, f"{compat.MAJOR}.0")
        self.assertEqual(compat.series_folder(), f"odoo{compat.MAJOR}")
        # Odoo prefixes its own series to the manifest's series-less version
        self.assertTrue(get_manifest("empathic_crm")["version"].startswith(compat.SERIES + "."))
        with open(os.path.join(ROOT, "scripts", "_common.sh"), encoding="utf-8") as handle:
            self.assertIn(f'SUPPORTED_SERIES="{" ".join(compat.SUPPORTED_SERIES)}"', handle.read())

    def test_sql_constraints(self):
        class Definition:  # what the decorator needs of a model definition class
            pool = None
            _module = "empathic_crm"
            _table_object_definitions = []

        compat.sql_constraints(
            ("a_uniq", "UNIQUE (a)", "One a."),
            ("b_positive", "CHECK (b > 0)", "b is positive."),
        )(Definition)
        self.assertEqual(compat.sql_constraint_names(Definition), ["a_uniq", "b_positive"])

    def test_domains(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        one, two = Partner.create([{"name": "Compat One"}, {"name": "Compat Two"}])
        names = [[("name", "=", "Compat One")], [("name", "=", "Compat Two")]]
        self.assertEqual(Partner.search(compat.domain_or(names)), one | two)
        self.assertEqual(Partner.search(compat.domain_and([names[0], [("id", "=", one.id)]])), one)
        subquery = SQL("SELECT id FROM res_partner WHERE name = %s", "Compat Two")
        domain = ["|", ("id", "=", one.id), compat.any_array_condition("id", subquery)]
        self.assertEqual(Partner.search(domain), one | two)

    def test_names_that_moved(self):
        self.assertIn(compat.user_groups_field(), self.env["res.users"]._fields)
        self.assertIn(compat.group_users_field(), self.env["res.groups"]._fields)
        # a salesperson has empathy access through the groups Sales implies
        salesperson = self.env["res.users"].create(
            {
                "name": "Compat Sales",
                "login": "compat_sales",
                compat.user_groups_field(): [
                    Command.set(self.env.ref("sales_team.group_sale_salesman").ids)
                ],
            }
        )
        empathy = self.env.ref("empathic_crm.group_empathy_user")
        found = self.env["res.users"].search([(compat.user_all_groups_field(), "in", empathy.ids)])
        self.assertIn(salesperson, found)
        for fname in compat.partner_phone_fields():
            self.assertIn(fname, self.env["res.partner"]._fields)
        self.assertIn(compat.sale_line_uom_field(), self.env["sale.order.line"]._fields)
        self.assertIn(compat.sale_line_tax_field(), self.env["sale.order.line"]._fields)
        self.assertEqual(compat.crm_team_class()._name, "crm.team")
        self.assertIn("sum", compat.read_group_aggregate())
        self.assertTrue(issubclass(compat.rpc_controller_class(), http.Controller))
        self.assertTrue(hasattr(compat.rpc_controller_class(), "_xmlrpc"))
        self.assertIsInstance(compat.in_test_mode(self.env), bool)


@tagged("post_install", "-at_install", "empathic_crm")
class TestSeriesFiles(TransactionCase):
    """data/odoo<major>/ and static/src/compat/odoo<major>/: one file set per series."""

    def test_every_series_has_the_same_files(self):
        for parent in ("data", "demo", os.path.join("static", "src", "compat")):
            folders = {
                name
                for name in os.listdir(os.path.join(ROOT, parent))
                if os.path.isdir(os.path.join(ROOT, parent, name))
            }
            self.assertLessEqual(SERIES_FOLDERS, folders, parent)
            files = {
                folder: sorted(os.listdir(os.path.join(ROOT, parent, folder)))
                for folder in SERIES_FOLDERS
            }
            expected = files[compat.series_folder()]
            for folder, names in files.items():
                self.assertEqual(names, expected, f"{parent}/{folder}")

    def test_compat_modules_share_one_name(self):
        # a module imports "@empathic_crm/compat/<name>", whichever series is running
        folder = os.path.join(ROOT, "static", "src", "compat")
        for series_folder in SERIES_FOLDERS:
            for name in os.listdir(os.path.join(folder, series_folder)):
                with open(os.path.join(folder, series_folder, name), encoding="utf-8") as handle:
                    first = handle.readline().strip()
                alias = f"@empathic_crm/compat/{name.removesuffix('.js')}"
                self.assertEqual(first, f"/** @odoo-module alias={alias} default=false */", name)

    def test_the_running_series_javascript_is_in_the_bundle(self):
        asset = self.env.ref("empathic_crm.asset_backend_compat")
        self.assertEqual(
            asset.path, f"empathic_crm/static/src/compat/{compat.series_folder()}/**/*"
        )
        paths = [
            path
            for path, *_rest in self.env["ir.asset"]._get_asset_paths("web.assets_backend", {})
            if path.startswith("/empathic_crm/")
        ]
        compat_files = sorted(path for path in paths if "/static/src/compat/" in path)
        self.assertEqual(
            compat_files,
            [f"/empathic_crm/static/src/compat/{compat.series_folder()}/activity_model.js"],
        )
        # the rest of static/src is there as before
        self.assertIn("/empathic_crm/static/src/js/activity_model_patch.js", paths)

    def test_loading_again_changes_nothing(self):
        Asset = self.env["ir.asset"].sudo()
        before = Asset.search_count([("path", "like", "empathic_crm/static/src/compat/%")])
        self.env["empathy.series"]._load_series_files("data", "empathic_crm_assets.xml")
        after = Asset.search_count([("path", "like", "empathic_crm/static/src/compat/%")])
        self.assertEqual((before, after), (1, 1))


@tagged("post_install", "-at_install", "empathic_crm")
class TestSeriesBundle(HttpCase):
    def test_backend_bundle_loads(self):
        # a JavaScript module of another series (or a path that moved) leaves a module
        # undefined: the page logs an error and the browser check fails
        self.browser_js(
            "/odoo/contacts", "console.log('test successful')", ready="odoo.isReady", login="admin"
        )


@tagged("post_install", "-at_install", "empathic_crm")
class TestCompatBehaviour(TransactionCase):
    """The functions of tools/compat.py that replace APIs 19.0 removed or deprecated."""

    def test_operators_and_their_negations(self):
        Partner = self.env["res.partner"].with_context(active_test=False)
        partners = Partner.create(
            [{"name": "Compat Alpha", "color": 1}, {"name": "Compat Beta", "color": 5}]
        )
        scope = [("id", "in", partners.ids)]
        for operator, value in (
            ("=", "Compat Alpha"),
            ("in", ["Compat Beta"]),
            ("ilike", "alpha"),
            ("<", 3),
            (">=", 3),
        ):
            negation = compat.term_operator_negation(operator)
            self.assertIn(negation, {*compat.negative_term_operators(), "<", ">=", ">", "<="})
            self.assertEqual(compat.term_operator_negation(negation), operator)
            fname = "color" if isinstance(value, int) else "name"
            found = Partner.search([*scope, (fname, operator, value)])
            complement = Partner.search([*scope, (fname, negation, value)])
            # exact complements: every partner in one of them, none in both
            self.assertEqual(found | complement, partners, operator)
            self.assertFalse(found & complement, operator)
        for operator in ("!=", "not in", "not ilike"):
            self.assertIn(operator, compat.negative_term_operators())
        for operator in ("=", "in", "ilike", "<"):
            self.assertNotIn(operator, compat.negative_term_operators())
        self.assertIsNone(compat.term_operator_negation("=?"))

    def test_cron_progress(self):
        cron = self.env.ref("empathic_crm.ir_cron_empathy_retention")
        commits = []
        # (19.0 commits the progress; a test's cursor may not)
        self.patch(self.env.cr, "commit", lambda: commits.append(True))
        # outside a scheduled action: nothing written, nothing committed
        compat.cron_progress(self.env, 3, 2)
        self.assertEqual(commits, [])
        progress = self.env["ir.cron.progress"].create(
            {"cron_id": cron.id, "done": 0, "remaining": 0}
        )
        env = self.env(context={"ir_cron_progress_id": progress.id, "cron_id": cron.id})
        compat.cron_progress(env, 3, 2)
        self.assertEqual((progress.done, progress.remaining), (3, 2))

    def test_check_field_access(self):
        from odoo.exceptions import AccessError  # noqa: PLC0415 (this file's additions are appended)

        internal = self.env["res.users"].create(
            {
                "name": "Compat Internal",
                "login": "compat_internal",
                compat.user_groups_field(): [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        Partner = self.env["res.partner"].with_user(internal)
        # empathy_briefing: empathy users only; unknown names are ignored
        with self.assertRaises(AccessError):
            compat.check_field_access(Partner, "read", ["name", "empathy_briefing"])
        compat.check_field_access(Partner, "read", ["name", "no_such_field"])
        compat.check_field_access(Partner.sudo(), "read", ["empathy_briefing"])
        compat.check_field_access(self.env["res.partner"], "write", ["empathy_briefing"])

    def test_running_tests(self):
        self.assertTrue(compat.running_tests())


@tagged("post_install", "-at_install", "empathic_crm")
class TestOptionalProducts(TransactionCase):
    """``compat.has_sale_order_option`` and ``compat.optional_products`` say the truth,
    and the cross-sell files of the series are the ones loaded."""

    def test_optional_product_model(self):
        model, field = compat.optional_products()
        self.assertEqual("sale.order.option" in self.env, compat.has_sale_order_option())
        self.assertEqual(self.env["sale.order"]._fields[field].comodel_name, model)
        # the suggestions live on that model (the mixin of the series' model)
        self.assertIn("empathy_rule_id", self.env[model]._fields)
        self.assertEqual(
            self.env["sale.order"]._fields["empathy_suggestion_ids"].comodel_name, model
        )
        if compat.has_sale_order_option():
            self.assertNotIn("empathy_rule_id", self.env["sale.order.line"]._fields)
        else:
            self.assertIn("is_optional", self.env["sale.order.line"]._fields)

    def test_cross_sell_series_files_loaded(self):
        rule = self.env.ref("empathic_crm.sale_order_option_rule_company", raise_if_not_found=False)
        self.assertEqual(bool(rule), compat.has_sale_order_option())
        view = self.env.ref("empathic_crm.sale_order_view_form_cross_sell")
        arch = view.arch_db
        self.assertEqual("sale_order_option_ids" in arch, compat.has_sale_order_option())
        self.assertIn("empathy_reason_shown", arch)
        # the order form with every extension is valid
        self.env["sale.order"].get_views([(False, "form")])


@tagged("post_install", "-at_install", "empathic_crm")
class TestCompatCron(TransactionCase):
    def test_run_cron_now_in_the_test_transaction(self):
        partner = self.env["res.partner"].create({"name": "Compat Cron"})
        cron = self.env["ir.cron"].create(
            {
                "name": "Compat: rename a contact",
                "model_id": self.env.ref("base.model_res_partner").id,
                "state": "code",
                "code": f"model.browse({partner.id}).write({{'name': 'Compat Cron ran'}})",
            }
        )
        compat.run_cron_now(self, cron)
        partner.invalidate_recordset()
        # the action saw the uncommitted contact, its write is in this transaction
        self.assertEqual(partner.name, "Compat Cron ran")


def _spy(name, original, seen):
    """Return a method calling ``original`` that appends ``name`` to ``seen``."""

    def spy(self, *call_args, **call_kwargs):
        seen.append(name)
        return original(self, *call_args, **call_kwargs)

    return spy


@tagged("post_install", "-at_install", "empathic_crm")
class TestCompatGuards(TransactionCase):
    """The entry points the addon's guards rely on, per series."""

    def test_every_web_grouping_call_ends_in_the_grouping_methods(self):
        from contextlib import ExitStack  # noqa: PLC0415
        from unittest.mock import patch  # noqa: PLC0415

        Partner = self.env["res.partner"]
        registry_class = type(Partner)
        partner = Partner.create({"name": "Compat grouping"})
        for method, args, kwargs, groups_of in compat.web_grouping_calls(
            [("id", "=", partner.id)], ["name"], ["__count"]
        ):
            seen = []
            with ExitStack() as stack:
                for name in compat.grouping_methods():
                    original = getattr(registry_class, name)
                    stack.enter_context(
                        patch.object(registry_class, name, _spy(name, original, seen))
                    )
                groups = groups_of(getattr(Partner, method)(*args, **kwargs))
            with self.subTest(method=method):
                self.assertTrue(seen, f"{method} passes by {compat.grouping_methods()}")
                self.assertEqual([(g["name"], g["__count"]) for g in groups], [(partner.name, 1)])

    def test_store_and_dialog_entry_points(self):
        self.assertEqual(
            hasattr(self.env["mail.activity"], "_to_store_defaults"), compat.store_defaults_api()
        )
        arch = self.env.ref("mail.mail_activity_schedule_view_form").arch
        self.assertEqual(
            "action_schedule_activities_done_and_schedule" in arch,
            compat.schedule_dialog_done_and_schedule(),
        )
        message = self.env["res.partner"].create({"name": "Compat"}).message_post(body="Compat")
        result = compat.thread_messages_store(message)
        self.assertIn(message.id, [row["id"] for row in result["mail.message"]])
        # the HTML of a body as the web client's store receives it
        body = next(row["body"] for row in result["mail.message"] if row["id"] == message.id)
        self.assertEqual(compat.store_html(body), "<p>Compat</p>")
        self.assertEqual(compat.store_html(False), "")

    def test_external_api_paths_are_routes(self):
        modules = sorted(self.env.registry._init_modules)
        rules = [url for url, _endpoint in http._generate_routing_rules(modules, nodb_only=False)]
        for path in compat.external_api_paths():
            with self.subTest(path=path):
                self.assertTrue(any(rule.startswith(path) for rule in rules), path)
