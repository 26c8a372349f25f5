# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The nine findings of issue #13, each reproduced the way it was found.

RPC paths go through real HTTP JSON-RPC (``/web/dataset/call_kw`` with a session,
``/jsonrpc`` for API clients).
"""

import csv
import io
import json

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from odoo.addons.empathic_crm.tools import compat

from .common import EmpathyCommon, EmpathyHttpCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestLeakFindingsRpc(EmpathyHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env(tracking_disable=False)
        env = cls.env
        cls._setup_companies("Findings Company B")
        cls._create_users(
            "fnd",
            internal=None,
            portal=None,
            sales="Fay Sales",
            sales2="Finn Second",
            manager="Fred Manager",
            sales_b="Fiona B",
        )
        cls.hawaii = env.ref("empathic_crm.motive_hawaii_trip")
        # a customer with a portal account: reachable through user_ids.partner_id
        cls.customer = cls.portal.partner_id
        cls.customer.write(
            {
                "empathy_motive_ids": [Command.set(cls.hawaii.ids)],
                "empathy_why": "Runs in Hawaii",
            }
        )
        cls.impression = env["empathy.impression"].create(
            {"partner_id": cls.customer.id, "user_id": cls.sales.id, "rapport": 4, "mood": 1}
        )
        product = env["product.product"].create({"name": "Findings guide", "list_price": 3})
        rule = env["empathy.cross.sell.rule"].create(
            {
                "name": "Findings rule",
                "company_id": env.company.id,
                "motive_ids": [Command.set(cls.hawaii.ids)],
                "suggested_product_ids": [Command.set(product.ids)],
                "reason": "Secret reason of company A",
            }
        )
        cls.order = env["sale.order"].create(
            {"partner_id": cls.customer.id, "company_id": env.company.id}
        )
        env["sale.order.option"].create(
            {
                "order_id": cls.order.id,
                "product_id": product.id,
                "name": "Guide",
                "price_unit": 3,
                "empathy_rule_id": rule.id,
                "empathy_reason": "Secret reason of company A",
            }
        )

    def _call(self, login, model, method, *args, **kwargs):
        """Call ``model.method`` like the web client, as ``login``; return the JSON answer."""
        self.authenticate(login, login)
        return self._json_rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def _refused(self, answer, error="odoo.exceptions.AccessError"):
        self.assertIn("error", answer, f"not refused: {answer}")
        self.assertEqual(answer["error"]["data"]["name"], error, answer)
        self.assertNotIn("Hawaii", json.dumps(answer))

    # 1 ---------------------------------------------------------------------
    def test_01_group_by_many2many(self):
        """The contact's motives and values are the profile row's, not stored on the
        contact: Odoo refuses to group contacts by them (for everyone)."""
        for login in ("fnd_internal", "fnd_portal"):
            for fname in ("empathy_motive_ids", "empathy_value_ids"):
                with self.subTest(login=login, field=fname):
                    self._refused(
                        self._call(login, "res.partner", "read_group", [], ["__count"], [fname]),
                        "builtins.ValueError",
                    )
                    self._refused(
                        self._call(
                            login,
                            "res.partner",
                            "web_read_group",
                            [("id", "=", self.customer.id)],
                            ["__count"],
                            [fname],
                        ),
                        "builtins.ValueError",
                    )
                    # the rows themselves: no access right
                    self._refused(
                        self._call(
                            login,
                            "empathy.profile",
                            "read_group",
                            [],
                            ["__count"],
                            [fname.replace("empathy_", "")],
                        )
                    )

    # 2 ---------------------------------------------------------------------
    def test_02_domains_through_relations(self):
        motive = self.hawaii.ids
        cases = [
            ("res.partner", [("user_ids.partner_id.empathy_motive_ids", "in", motive)]),
            (
                "res.partner",
                [("user_ids", "any", [("partner_id.empathy_motive_ids", "in", motive)])],
            ),
            ("res.partner", [("empathy_impression_ids", "!=", False)]),
            ("res.users", [("partner_id.empathy_motive_ids", "in", motive)]),
            ("res.users", [("empathy_why", "ilike", "Hawaii")]),
            ("sale.order", [("partner_id.user_ids.partner_id.empathy_motive_ids", "in", motive)]),
        ]
        for login in ("fnd_internal", "fnd_portal"):
            for model, domain in cases:
                with self.subTest(login=login, model=model, domain=domain):
                    self._refused(self._call(login, model, "search_count", domain))
        # a salesperson of another company: no error, but no answer about company A
        answer = self._call(
            "fnd_sales_b",
            "res.users",
            "search_count",
            [("id", "=", self.portal.id), ("partner_id.empathy_motive_ids", "in", motive)],
        )
        self.assertEqual(answer.get("result"), 0, answer)

    # 3 ---------------------------------------------------------------------
    def test_03_chatter_has_no_briefing(self):
        self.customer.with_user(self.manager).action_empathy_schedule_call()
        call = self.customer.activity_ids
        self.assertTrue(call)
        self.assertNotIn("Hawaii", str(call.note))
        call.action_feedback(feedback="Called")  # automation: no request
        answer = self._call(
            "fnd_internal",
            "mail.message",
            "search_read",
            [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)],
            ["body"],
        )
        self.assertIn("result", answer)
        self.assertNotIn("Hawaii", json.dumps(answer))

    # 5 ---------------------------------------------------------------------
    def test_05_options_of_other_companies(self):
        answer = self._call(
            "fnd_sales_b",
            "sale.order.option",
            "search_read",
            [("empathy_rule_id", "!=", False)],
            ["empathy_reason"],
        )
        self.assertEqual(answer.get("result"), [], answer)
        own = self._call(
            "fnd_sales",
            "sale.order.option",
            "search_read",
            [("order_id", "=", self.order.id)],
            ["empathy_reason"],
        )
        self.assertIn("Secret reason", json.dumps(own))

    # 6 ---------------------------------------------------------------------
    def test_06_forgery(self):
        for vals in (
            {"user_id": self.sales2.id},
            {"company_id": self.company_b.id},
            {"partner_id": self.sales.partner_id.id},
            {"date": "2020-01-01 10:00:00"},
        ):
            with self.subTest(vals=vals):
                self._refused(
                    self._call(
                        "fnd_sales", "empathy.impression", "write", [self.impression.id], vals
                    )
                )
        self.impression.invalidate_recordset()
        self.assertEqual(self.impression.user_id, self.sales)
        answer = self._call(
            "fnd_manager",
            "empathy.impression",
            "write",
            [self.impression.id],
            {"user_id": self.sales2.id},
        )
        self.assertTrue(answer.get("result"), answer)

    # 7 ---------------------------------------------------------------------
    def test_07_objection(self):
        self.assertTrue(
            self._call(
                "fnd_sales", "res.partner", "write", [self.customer.id], {"empathy_objection": True}
            ).get("result")
        )
        read = self._call(
            "fnd_sales",
            "res.partner",
            "read",
            [self.customer.id],
            ["empathy_why", "empathy_motive_ids", "empathy_briefing"],
        )
        values = read["result"][0]
        self.assertFalse(values["empathy_why"])
        self.assertEqual(values["empathy_motive_ids"], [])
        self.assertIn("objects to profiling", values["empathy_briefing"])
        self.assertNotIn("Hawaii", values["empathy_briefing"])
        self._refused(
            self._call(
                "fnd_sales",
                "res.partner",
                "write",
                [self.customer.id],
                {"empathy_objection": False},
            )
        )
        self.assertTrue(
            self._call(
                "fnd_manager",
                "res.partner",
                "write",
                [self.customer.id],
                {"empathy_objection": False},
            ).get("result")
        )
        logs = (
            self.env["mail.message"]
            .search([("model", "=", "res.partner"), ("res_id", "=", self.customer.id)])
            .filtered(lambda m: m.sudo().tracking_value_ids.field_id.name == "empathy_objection")
        )
        self.assertEqual(len(logs), 2)
        self.assertEqual(
            set(logs.author_id.ids), {self.sales.partner_id.id, self.manager.partner_id.id}
        )

    # 8 ---------------------------------------------------------------------
    def test_08_export_missing_partner_404(self):
        self.authenticate("fnd_manager", "fnd_manager")
        response = self.url_open("/empathic_crm/export/0/json")
        self.assertEqual(response.status_code, 404)
        response = self.url_open(f"/empathic_crm/export/{self.customer.id}/json")
        self.assertEqual(response.status_code, 200)

    def test_08_bad_motive_ids_and_dates(self):
        activity = self.customer.with_user(self.sales).activity_schedule(
            "mail.mail_activity_data_call", user_id=self.sales.id
        )
        answer = self._call(
            "fnd_sales",
            "mail.activity",
            "action_feedback_with_impression",
            [activity.id],
            {"rapport": 4, "mood": 1, "motive_ids": [-5]},
        )
        self.assertIn("Unknown purchase motive id(s): -5", answer["error"]["data"]["message"])
        answer = self._call(
            "fnd_sales",
            "empathy.impression",
            "create",
            {
                "partner_id": self.customer.id,
                "rapport": 3,
                "mood": 0,
                "date": "0001-01-01 00:00:00",
            },
        )
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.ValidationError")
        self.assertIn("not plausible", answer["error"]["data"]["message"])

    # 9 ---------------------------------------------------------------------
    def test_09_rapport_report_for_managers(self):
        """On every path the web client of the series reads the report with (list,
        pivot, graph: ``compat.web_grouping_calls``) and ``read_group`` of API clients."""
        calls = [("web_search_read", [[], {"score": {}}], {})] + [
            (method, args, kwargs)
            for method, args, kwargs, _groups_of in compat.web_grouping_calls(
                [], ["user_id"], ["score:avg"]
            )
        ]
        for method, args, kwargs in calls:
            with self.subTest(method=method):
                self._refused(self._call("fnd_sales", "empathy.rapport", method, *args, **kwargs))
                self.assertIn(
                    "result", self._call("fnd_manager", "empathy.rapport", method, *args, **kwargs)
                )
        action = self.env.ref("empathic_crm.empathy_rapport_action")
        self.assertIn(
            self.env.ref("empathic_crm.group_empathy_manager"),
            action[compat.user_groups_field()],
        )
        self.assertIn("pairs, not performance", action.name)


@tagged("post_install", "-at_install", "empathic_crm")
class TestLeakFindings(EmpathyCommon):
    def test_03_tracking_of_guarded_fields_hidden(self):
        """The objection log is a tracking value: only Empathy users see it."""
        self.runner.with_user(self.user_sales).empathy_objection = True
        message = self.runner.message_ids[:1]
        self.assertEqual(message.sudo().tracking_value_ids.field_id.name, "empathy_objection")
        self.assertFalse(
            message.sudo().tracking_value_ids._filter_has_field_access(
                self.env(user=self.user_internal)
            )
        )
        self.assertTrue(
            message.sudo().tracking_value_ids._filter_has_field_access(
                self.env(user=self.user_sales)
            )
        )

    def test_06_colleague_impression_read_only(self):
        impression = self._impression(self.runner, user=self.user_sales)
        self.assertFalse(impression.with_user(self.user_sales2).empathy_can_edit)
        self.assertTrue(impression.with_user(self.user_sales).empathy_can_edit)
        self.assertFalse(impression.with_user(self.user_sales).empathy_can_move)
        self.assertTrue(impression.with_user(self.user_manager).empathy_can_move)
        with self.assertRaises(AccessError):
            impression.with_user(self.user_sales2).write({"note": "not mine"})
        # unchanged values pass (forms may send them)
        impression.with_user(self.user_sales).write({"user_id": self.user_sales.id, "note": "mine"})

    def test_07_objection_hides_profile_and_evidence(self):
        self._impression(self.runner, user=self.user_sales, motive_ids=self.motive_gift.ids)
        self.runner.empathy_objection = True
        as_sales = self.runner.with_user(self.user_sales)
        self.assertTrue(as_sales.empathy_profile_hidden)
        self.assertFalse(as_sales.read(["empathy_personal_notes"])[0]["empathy_personal_notes"])
        self.assertFalse(
            self.env["empathy.impression"]
            .with_user(self.user_sales)
            .search([("partner_id", "=", self.runner.id)])
        )
        self.assertFalse(
            self.env["empathy.motive.evidence"]
            .with_user(self.user_sales)
            .search([("partner_id", "=", self.runner.id)])
        )
        as_manager = self.runner.with_user(self.user_manager)
        self.assertFalse(as_manager.empathy_profile_hidden)
        self.assertTrue(as_manager.read(["empathy_personal_notes"])[0]["empathy_personal_notes"])

    def test_08_csv_formula_prefixes(self):
        self.runner.write(
            {
                "empathy_why": '=HYPERLINK("http://evil.example","x")',
                "empathy_personal_notes": "+cmd|' /C calc'!A0",
            }
        )
        content = self.runner.with_user(self.user_manager)._empathy_export_file("csv")[0]
        rows = {row[1]: row[2] for row in csv.reader(io.StringIO(content.decode()))}
        self.assertEqual(rows["why"], '\'=HYPERLINK("http://evil.example","x")')
        self.assertEqual(rows["personal_notes"], "'+cmd|' /C calc'!A0")
        for prefix in ("-", "@", "\t", "\r"):
            self.runner.empathy_why = prefix + "1+1"
            content = self.runner.with_user(self.user_manager)._empathy_export_file("csv")[0]
            self.assertIn("'" + prefix + "1+1", content.decode())

    def test_08_bad_values_in_orm(self):
        base = {"partner_id": self.runner.id, "rapport": 3, "mood": 0}
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        with self.assertRaisesRegex(ValidationError, "Unknown purchase motive id"):
            Impression.create(dict(base, motive_ids=[Command.set([-5])]))
        with self.assertRaisesRegex(ValidationError, "not plausible"):
            Impression.create(dict(base, date="0001-01-01 00:00:00"))

    def test_09_protect_advisors(self):
        """As found: ``read_group`` (both series' API; every web path of both series in
        test_protect_advisors.py)."""
        self._impression(self.runner, user=self.user_sales, rapport=5)
        self._impression(self.buyer, user=self.user_sales2, rapport=1)
        Rapport = self.env["empathy.rapport"].with_user(self.user_manager)
        per_advisor = Rapport.read_group([], ["score:avg"], ["user_id"])
        self.assertTrue(all(group["score"] for group in per_advisor))
        self.env["ir.config_parameter"].set_param("empathic_crm.protect_advisors", "True")
        per_advisor = Rapport.read_group([], ["score:avg"], ["user_id"], orderby="score desc")
        self.assertTrue(per_advisor)
        self.assertFalse(any(group["score"] for group in per_advisor))
        self.assertTrue(all(group["user_id_count"] for group in per_advisor))
        pairs = Rapport.read_group([], ["score:avg"], ["user_id", "partner_id"], lazy=False)
        self.assertTrue(all(group["score"] for group in pairs))
        Impression = self.env["empathy.impression"].with_user(self.user_manager)
        self.assertFalse(
            any(g["rapport"] for g in Impression.read_group([], ["rapport:avg"], ["user_id"]))
        )

    def _queries(self, func):
        func()  # warm-up: caches of rules and groups
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        func()
        return self.env.cr.sql_log_count - before

    def test_protected_leaves_cost_no_query(self):
        """Leaves on the profile (rows searched in a subquery) cost the same queries as
        plain ones."""
        Partner = self.env["res.partner"].with_user(self.user_sales)
        tags = self.env["res.partner.category"].create({"name": "Runner"}).ids
        for guarded, plain in (
            (
                [("empathy_motive_ids", "in", self.motive_hawaii.ids)],
                [("category_id", "in", tags)],
            ),
            (
                [("user_ids.partner_id.empathy_motive_ids", "in", self.motive_hawaii.ids)],
                [("user_ids.partner_id.category_id", "in", tags)],
            ),
            (
                [("empathy_why", "ilike", "Honolulu"), ("empathy_temperament", "=", "easy")],
                [("comment", "ilike", "Honolulu"), ("type", "=", "contact")],
            ),
        ):
            with self.subTest(domain=guarded):
                self.assertEqual(
                    self._queries(lambda d=guarded: Partner.search_count(d)),
                    self._queries(lambda d=plain: Partner.search_count(d)),
                )
