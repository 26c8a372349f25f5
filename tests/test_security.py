# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import EmpathyCommon, EmpathyHttpCommon

PARTNER_FIELDS = [
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_why",
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_personal_notes",
    "empathy_briefing",
    "empathy_impression_ids",
    "empathy_impression_count",
    "empathy_rapport_ids",
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_objection",
]


@tagged("post_install", "-at_install", "empathic_crm")
class TestSecurityMatrix(EmpathyCommon):
    """Role x operation matrix for the empathy models and the partner's empathy fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.impression_a = cls._impression(cls.runner, user=cls.user_sales)
        cls.impression_b = cls._impression(
            cls.runner, user=cls.user_sales_b, company_id=cls.company_b.id
        )

    def _can(self, func):
        try:
            with self.env.cr.savepoint():
                func()
        except AccessError:
            return False
        finally:
            self.env.invalidate_all()
        return True

    def test_matrix(self):
        roles = {
            "portal": self.user_portal,
            "public": self.user_public,
            "internal": self.user_internal,
            "user_a": self.user_sales,
            "user_a2": self.user_sales2,
            "user_b": self.user_sales_b,
            "manager": self.user_manager,
        }
        # (read A, write A, unlink A, create own, read B, read partner fields, search partner fields)
        expected = {
            "portal": (False, False, False, False, False, False, False),
            "public": (False, False, False, False, False, False, False),
            "internal": (False, False, False, False, False, False, False),
            "user_a": (True, True, True, True, False, True, True),
            "user_a2": (True, False, False, True, False, True, True),
            "user_b": (False, False, False, True, True, True, True),
            "manager": (True, True, True, True, False, True, True),
        }
        for role, user in roles.items():
            Impression = self.env["empathy.impression"].with_user(user)
            imp_a = self.impression_a.with_user(user)
            imp_b = self.impression_b.with_user(user)
            company = user.company_id
            got = (
                self._can(lambda imp_a=imp_a: imp_a.read(["rapport"])),
                self._can(lambda imp_a=imp_a: imp_a.write({"note": "x"})),
                self._can(
                    lambda user=user: (
                        self._impression(self.runner, user=self.user_sales).with_user(user).unlink()
                    )
                ),
                self._can(
                    lambda Impression=Impression, company=company: Impression.with_company(
                        company
                    ).create(
                        {
                            "partner_id": self.buyer.id,
                            "rapport": 3,
                            "mood": 0,
                            "company_id": company.id,
                        }
                    )
                ),
                self._can(lambda imp_b=imp_b: imp_b.read(["rapport"])),
                self._can(lambda user=user: self.runner.with_user(user).read(PARTNER_FIELDS)),
                self._can(
                    lambda user=user: (
                        self.env["res.partner"]
                        .with_user(user)
                        .search([("empathy_motive_ids", "in", self.motive_hawaii.ids)])
                    )
                ),
            )
            with self.subTest(role=role):
                self.assertEqual(got, expected[role])

    def test_partner_read_without_empathy_fields_still_works_for_portal(self):
        """Portal users read their own partner as usual, without any empathy field."""
        partner = self.user_portal.partner_id
        partner.sudo().empathy_why = "secret"
        data = partner.with_user(self.user_portal).read(["name"])
        self.assertEqual(data[0]["name"], partner.name)
        fields_seen = partner.with_user(self.user_portal).fields_get()
        self.assertFalse([f for f in fields_seen if f.startswith("empathy_")])


@tagged("post_install", "-at_install", "empathic_crm")
class TestSecurityRpc(EmpathyHttpCommon):
    """Real HTTP JSON-RPC calls: what portal users and API clients get."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_users("emp_rpc", portal=None, sales=None)
        cls.partner = cls.portal.partner_id
        cls.partner.write(
            {
                "empathy_why": "secret why",
                "empathy_personal_notes": "secret notes",
                "empathy_motive_ids": [(6, 0, cls.env.ref("empathic_crm.motive_hawaii_trip").ids)],
            }
        )

    def _jsonrpc(self, service, method, *args):
        return self._json_rpc("/jsonrpc", {"service": service, "method": method, "args": args})

    def _execute(self, login, model, method, *args, **kwargs):
        uid = self._jsonrpc("common", "login", self.env.cr.dbname, login, login)["result"]
        self.assertTrue(uid, "login failed")
        return self._jsonrpc(
            "object",
            "execute_kw",
            self.env.cr.dbname,
            uid,
            login,
            model,
            method,
            list(args),
            kwargs,
        )

    def test_portal_jsonrpc_read_returns_no_empathy_fields(self):
        result = self._execute(
            "emp_rpc_portal", "res.partner", "read", [self.partner.id], fields=["name", "email"]
        )
        self.assertEqual(result["result"][0]["name"], self.partner.name)
        described = self._execute("emp_rpc_portal", "res.partner", "fields_get")["result"]
        self.assertIn("name", described)
        self.assertEqual([name for name in described if name.startswith("empathy_")], [])
        self.assertNotIn("secret", json.dumps(result))
        explicit = self._execute(
            "emp_rpc_portal", "res.partner", "read", [self.partner.id], fields=["empathy_why"]
        )
        self.assertIn("error", explicit)
        self.assertNotIn("secret", json.dumps(explicit))
        searched = self._execute(
            "emp_rpc_portal",
            "res.partner",
            "search_read",
            [("empathy_why", "ilike", "secret")],
            fields=["name"],
        )
        self.assertIn("error", searched)
        self.assertIn("AccessError", searched["error"]["data"]["name"])

    def test_portal_web_session_read(self):
        self.authenticate("emp_rpc_portal", "emp_rpc_portal")
        with self.assertRaises(Exception) as caught:
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/res.partner/read",
                {
                    "model": "res.partner",
                    "method": "read",
                    "args": [[self.partner.id], ["empathy_personal_notes"]],
                    "kwargs": {},
                },
            )
        self.assertNotIn("secret", str(caught.exception))

    def test_external_api_cannot_complete_gated_activity(self):
        activity = self.partner.with_user(self.sales).activity_schedule(
            "mail.mail_activity_data_call", user_id=self.sales.id, summary="RPC call"
        )
        result = self._execute("emp_rpc_sales", "mail.activity", "action_feedback", [activity.id])
        self.assertIn(
            "action_feedback_with_impression(impression_values, feedback=False)",
            result["error"]["data"]["message"],
        )
        self.assertActivityOpen(activity)
        result = self._execute(
            "emp_rpc_sales",
            "mail.activity",
            "action_feedback_with_impression",
            [activity.id],
            {"rapport": 4, "mood": 1, "note": "via RPC"},
        )
        impression = self.env["empathy.impression"].browse(result["result"])
        self.assertEqual(
            (impression.rapport, impression.note, impression.user_id), (4, "via RPC", self.sales)
        )
        self.assertActivityDone(activity)


@tagged("post_install", "-at_install", "empathic_crm")
class TestBadInput(EmpathyCommon):
    """Bad input gets a clear, translated error and changes nothing."""

    def _state(self):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT (SELECT count(*) FROM empathy_impression), (SELECT count(*) FROM empathy_rapport),"
            " (SELECT count(*) FROM empathy_profile_motive_rel)"
        )
        return self.env.cr.fetchone()

    def test_bad_impression_values(self):
        before = self._state()
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        base = {"partner_id": self.runner.id, "rapport": 3, "mood": 0}
        cases = [
            ({"rapport": "abc"}, ValidationError, "rapport must be between 1 and 5"),
            ({"rapport": 2.5}, ValidationError, "rapport must be between 1 and 5"),
            ({"mood": None}, ValidationError, "mood must be between"),
            ({"partner_id": 99999999}, ValidationError, "does not exist"),
            ({"company_id": self.company_b.id}, AccessError, ""),
            ({"user_id": self.user_sales2.id}, AccessError, ""),
        ]
        for vals, error, message in cases:
            # like a request: the transaction (here a savepoint) is rolled back on error
            with (
                self.subTest(vals=vals),
                self.assertRaisesRegex(error, message),
                self.env.cr.savepoint(),
            ):
                Impression.create(dict(base, **vals))
        self.assertEqual(self._state(), before)

    def test_partner_of_other_company_user_cannot_read(self):
        hidden = self.env["res.partner"].create(
            {"name": "Hidden B", "company_id": self.company_b.id}
        )
        before = self._state()
        with self.assertRaises(AccessError):
            self.env["empathy.impression"].with_user(self.user_sales).create(
                {"partner_id": hidden.id, "rapport": 3, "mood": 0}
            )
        self.assertEqual(self._state(), before)

    def test_bad_wizard_input(self):
        activity = self._activity(self.runner)
        before = self._state()
        wizard = self._open_dialog(activity, rapport="4")
        with self.assertRaisesRegex(UserError, "mood"):
            wizard.action_confirm()
        with self.assertRaises(ValueError):
            wizard.write({"mood": "7"})
        self.assertEqual(self._state(), before)
        self.assertActivityOpen(activity)


@tagged("post_install", "-at_install", "empathic_crm")
class TestSharedPartner(EmpathyCommon):
    """A partner without company is shared: each company sees only its own impressions.

    The profile (motives, why, notes) describes the person and is shared; aggregates
    learnt from impressions (best advisor, rapport, mood, last impression, silent
    flag) are per company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shared = cls.env["res.partner"].create(
            {"name": "Shared Customer", "company_id": False, "empathy_why": "Shared why"}
        )
        cls._impression(cls.shared, user=cls.user_sales, rapport=5, mood=2, days_ago=1)
        cls._impression(
            cls.shared,
            user=cls.user_sales_b,
            rapport=2,
            mood=-1,
            days_ago=30,
            company_id=cls.company_b.id,
        )

    def test_matrix_shared_partner(self):
        # (reads profile, sees company A's advisor as best, impressions seen)
        expected = {
            "user_a": (True, True, 1),
            "user_b": (True, False, 1),
            "manager": (True, True, 1),
        }
        roles = {
            "user_a": self.user_sales,
            "user_b": self.user_sales_b,
            "manager": self.user_manager,
        }
        for role, user in roles.items():
            partner = self.shared.with_user(user).with_company(user.company_id)
            got = (
                partner.empathy_why == "Shared why",
                partner.empathy_best_advisor_id == self.user_sales,
                partner.empathy_impression_count,
            )
            with self.subTest(role=role):
                self.assertEqual(got, expected[role])

    def test_company_b_sees_its_own_aggregates(self):
        """Finding 4 (coordinator: per-company aggregates)."""
        partner = self.shared.with_user(self.user_sales_b).with_company(self.company_b)
        self.assertEqual(partner.empathy_best_advisor_id, self.user_sales_b)
        self.assertEqual(partner.empathy_best_rapport, 2.0)
        self.assertEqual(partner.empathy_mood_trend, "stable")
        self.assertEqual(
            partner.empathy_last_impression_date.date(),
            (datetime(2026, 6, 1) - timedelta(days=30)).date(),
        )
        self.assertNotIn(self.user_sales.name, partner.empathy_briefing)
        data = self.shared.with_user(self.user_manager)._empathy_export_data()
        self.assertEqual(data["profile"]["best_advisor"], self.user_sales.name)

    def test_domains_about_other_companies(self):
        """Searching a shared partner by company A's impressions tells company B nothing."""
        Partner = self.env["res.partner"].with_user(self.user_sales_b)
        of_a = self.shared.sudo().empathy_impression_ids.filtered(
            lambda i: i.company_id == self.company
        )
        for leaf in (
            ("empathy_impression_ids", "in", of_a.ids),
            ("empathy_impression_ids", "=", of_a.id),
            ("empathy_impression_ids.user_id", "=", self.user_sales.id),
            ("empathy_impression_ids", "any", [("rapport", "=", 5)]),
            ("empathy_rapport_ids", "any", [("user_id", "=", self.user_sales.id)]),
            ("empathy_motive_evidence_ids.user_id", "=", self.user_sales.id),
        ):
            with self.subTest(leaf=leaf):
                self.assertFalse(Partner.search([("id", "=", self.shared.id), leaf]))
        # company B's own impression is found: the guard does not hide B's data from B
        self.assertEqual(
            Partner.search([("id", "=", self.shared.id), ("empathy_impression_ids", "!=", False)]),
            self.shared,
        )
