# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""empathy.impression.empathy_log_interactions: the external API of other channels."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from .common import EmpathyWorld

#: prefixed to the references of the rows: unique even in a database with other data
REF = "test-interaction-api-"


@tagged("post_install", "-at_install", "empathic_crm")
class TestInteractionApi(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        # salespersons and the manager create contacts
        cls._create_users(
            "emp_api",
            groups="base.group_partner_manager",
            sales="Sally Fair",
            sales2="Sam Call",
            manager="Mia Manager",
            internal=None,
            portal=None,
        )
        cls.marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        cls.runner = cls.env["res.partner"].create(
            {
                "name": "Jonas Keller",
                "email": "Jonas.Keller@API.example.org",
                "phone": "+49 (170) 987-65432",
                "vat": "DE 998 877 665",
            }
        )

    def log(self, rows, user=None, **kwargs):
        """Log the rows as ``user`` (default: a salesperson), references prefixed."""
        if isinstance(rows, list):
            rows = [
                dict(row, ref=REF + row["ref"]) if isinstance(row, dict) and "ref" in row else row
                for row in rows
            ]
        Impression = self.env["empathy.impression"].with_user(user or self.sales)
        return Impression.empathy_log_interactions(rows, **kwargs)

    def impressions(self, **domain):
        if "external_ref" in domain:
            domain["external_ref"] = REF + domain["external_ref"]
        return self.env["empathy.impression"].search([(k, "=", v) for k, v in domain.items()])

    # ------------------------------------------------------------------
    # contacts: find or create, no duplicates
    # ------------------------------------------------------------------
    def test_finds_contact_by_normalized_email_phone_and_vat(self):
        results = self.log(
            [
                {"ref": "f1", "email": "  JONAS.keller@Api.Example.ORG ", "rapport": 5, "mood": 2},
                {"ref": "f2", "phone": "0049 170 98765432", "rapport": 4, "mood": 1},
                {"ref": "f3", "vat": "de998877665", "rapport": 4, "mood": 0},
                {"ref": "f4", "partner_id": self.runner.id, "rapport": 3, "mood": -1},
            ]
        )
        self.assertEqual([r["status"] for r in results], ["created"] * 4, results)
        self.assertEqual({r["partner_id"] for r in results}, {self.runner.id})
        self.assertFalse(any(r["partner_created"] for r in results))
        self.assertEqual(self.runner.empathy_impression_count, 4)
        impression = self.env["empathy.impression"].browse(results[0]["impression_id"])
        self.assertEqual(impression.user_id, self.sales)
        self.assertEqual(impression.external_ref, REF + "f1")
        self.assertEqual(impression.channel, "other")

    def test_unknown_contact_is_created_once(self):
        rows = [
            {"ref": "n1", "name": "Lea Wave", "email": "lea@api.example.org", "rapport": 4, "mood": 1},
            # same person, other spelling of the email, in the same call
            {"ref": "n2", "email": "LEA@api.example.org ", "phone": "+49 171 9993334", "rapport": 5,
             "mood": 2},
        ]  # fmt: skip
        results = self.log(rows)
        self.assertEqual([r["status"] for r in results], ["created", "created"], results)
        partner = self.env["res.partner"].browse(results[0]["partner_id"])
        self.assertEqual(results[1]["partner_id"], partner.id)
        self.assertTrue(results[0]["partner_created"])
        self.assertEqual((partner.name, partner.email), ("Lea Wave", "lea@api.example.org"))
        # a later call finds her, also by the phone number in another format
        again = self.log(
            [
                {"ref": "n3", "email": "lea@api.example.org", "rapport": 3, "mood": 0},
                {"ref": "n4", "name": "Lea", "phone": "0049171-999 3334", "rapport": 3, "mood": 0},
            ]
        )
        self.assertEqual([r["status"] for r in again], ["created", "created"], again)
        self.assertEqual({r["partner_id"] for r in again}, {partner.id})
        self.assertEqual(partner.phone, "+49 171 9993334")
        self.assertFalse(any(r["partner_created"] for r in again))
        self.assertEqual(
            self.env["res.partner"].search_count(
                [("email_normalized", "=", "lea@api.example.org")]
            ),
            1,
        )

    def test_contact_by_name_only(self):
        results = self.log(
            [
                {"ref": "m1", "name": "Unique Api Visitor", "rapport": 3, "mood": 0},
                {"ref": "m2", "name": "unique api visitor", "rapport": 4, "mood": 1},
            ]
        )
        self.assertEqual([r["status"] for r in results], ["created", "created"], results)
        self.assertEqual(results[0]["partner_id"], results[1]["partner_id"])
        self.env["res.partner"].create({"name": "Unique Api Visitor"})
        ambiguous = self.log([{"ref": "m3", "name": "Unique Api Visitor", "rapport": 3, "mood": 0}])
        self.assertEqual(ambiguous[0]["status"], "error")
        self.assertIn("2 contacts are called Unique Api Visitor", ambiguous[0]["error"])

    # ------------------------------------------------------------------
    # validation: like the impression dialog; a bad row does not stop the others
    # ------------------------------------------------------------------
    def test_invalid_rows_are_reported_and_the_others_pass(self):
        good = {"email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1}
        cases = [
            ({"rapport": 0}, "rapport must be between 1 and 5"),
            ({"rapport": 6}, "rapport must be between 1 and 5"),
            ({"rapport": "abc"}, "rapport must be between 1 and 5"),
            ({"rapport": 4.5}, "rapport must be between 1 and 5"),
            ({"mood": 3}, "mood must be between -2 and +2"),
            ({"rapport": None}, "rapport is required"),
            ({"mood": ""}, "mood is required"),
            ({"channel": "pigeon"}, "Unknown channel pigeon"),
            ({"communication_style": "loud"}, "Unknown style loud"),
            ({"email": "not-an-email"}, "Invalid email address"),
            ({"phone": "123", "email": False}, "too short"),
            ({"date": "31.12.2025"}, "Invalid date"),
            ({"date": "2999-01-01"}, "is in the future"),
            ({"colour": "blue"}, "Unknown keys: colour"),
            ({"email": False}, "Who was it?"),
            ({"partner_id": "x"}, "partner_id must be"),
            ({"partner_id": 999999999}, "does not exist"),
            ({"motives": [1, 2]}, "motives must be a list"),
            ({"create_motives": "maybe"}, "create_motives must be"),
        ]
        rows = [dict(good, ref="ok-first")]
        rows += [dict(good, ref=f"bad{i}", **change) for i, (change, _msg) in enumerate(cases)]
        rows += ["not a dict", dict(good, ref="ok-last", rapport="5", mood="-2", channel="Fair")]
        results = self.log(rows)
        self.assertEqual(results[0]["status"], "created")
        self.assertEqual(results[-1]["status"], "created")
        last = self.env["empathy.impression"].browse(results[-1]["impression_id"])
        self.assertEqual((last.rapport, last.mood, last.channel), (5, -2, "fair"))
        for (change, message), result in zip(cases, results[1:-2], strict=True):
            with self.subTest(change=change):
                self.assertEqual(result["status"], "error")
                self.assertIn(message, result["error"])
                self.assertFalse(result["impression_id"])
        self.assertEqual(results[-2]["status"], "error")
        self.assertEqual(len(self.impressions(partner_id=self.runner.id)), 2)

    def test_dates_and_optional_values(self):
        results = self.log(
            [
                {
                    "ref": "d1",
                    "email": "jonas.keller@api.example.org",
                    "rapport": 5,
                    "mood": 0,
                    "date": "2026-03-01T10:30:00+02:00",
                    "channel": "fair",
                    "communication_style": "emotional",
                    "note": "  Runs the Honolulu marathon  ",
                    "motives": "marathon; HAWAII TRIP",
                }
            ]
        )
        impression = self.env["empathy.impression"].browse(results[0]["impression_id"])
        self.assertEqual(str(impression.date), "2026-03-01 08:30:00")
        self.assertEqual(impression.note, "Runs the Honolulu marathon")
        self.assertEqual(impression.motive_ids, self.marathon | self.hawaii)
        # motives heard and the style observed are added to the contact, as in the dialog
        self.assertEqual(self.runner.empathy_motive_ids, self.marathon | self.hawaii)
        self.assertEqual(self.runner.empathy_communication_style, "emotional")

    def test_call_level_errors(self):
        with self.assertRaisesRegex(UserError, "rows must be a list"):
            self.log({"rapport": 4})
        with self.assertRaisesRegex(UserError, "Too many rows"):
            self.log([{}] * 5001)
        with self.assertRaises(AccessError):
            self.log([{"email": "x@api.example.org", "rapport": 4, "mood": 1}], user=self.internal)
        self.assertEqual(self.log([]), [])

    # ------------------------------------------------------------------
    # idempotency: the external reference
    # ------------------------------------------------------------------
    def test_same_reference_is_skipped_or_updated(self):
        rows = [
            {"ref": "fair-1", "email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1,
             "note": "Hawaii", "motives": ["Marathon"], "channel": "fair"},
            {"ref": "fair-2", "email": "new.visitor@api.example.org", "name": "New Visitor",
             "rapport": 3, "mood": 0},
        ]  # fmt: skip
        first = self.log(rows)
        self.assertEqual([r["status"] for r in first], ["created", "created"])
        count = self.env["empathy.impression"].search_count([])
        partners = self.env["res.partner"].search_count([])
        second = self.log(rows)
        self.assertEqual([r["status"] for r in second], ["skipped", "skipped"])
        self.assertIn("nothing changed", second[0]["message"])
        self.assertEqual([r["impression_id"] for r in second], [r["impression_id"] for r in first])
        self.assertEqual(self.env["empathy.impression"].search_count([]), count)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        # a changed row updates its impression
        rows[0].update(rapport=5, motives=["Marathon", "Hawaii trip"])
        third = self.log(rows)
        self.assertEqual([r["status"] for r in third], ["updated", "skipped"])
        impression = self.env["empathy.impression"].browse(first[0]["impression_id"])
        self.assertEqual(impression.rapport, 5)
        self.assertEqual(impression.motive_ids, self.marathon | self.hawaii)
        self.assertEqual(self.runner.empathy_motive_ids, self.marathon | self.hawaii)
        self.assertEqual(self.env["empathy.impression"].search_count([]), count)

    def test_repeated_reference_in_one_call(self):
        row = {"ref": "twice", "email": "jonas.keller@api.example.org", "rapport": 3, "mood": 0}
        results = self.log([row, dict(row, rapport=4), dict(row, rapport=4)])
        self.assertEqual([r["status"] for r in results], ["created", "updated", "skipped"])
        self.assertEqual(len({r["impression_id"] for r in results}), 1)
        self.assertEqual(self.impressions(external_ref="twice").rapport, 4)

    def test_references_are_per_company(self):
        company_b = self.env["res.company"].create({"name": "Empathy API Company B"})
        self.manager.company_ids |= company_b
        row = {"ref": REF + "same", "partner_id": self.runner.id, "rapport": 3, "mood": 0}
        Impression = self.env["empathy.impression"].with_user(self.manager)
        here = Impression.empathy_log_interactions([row])
        there = Impression.with_company(company_b).empathy_log_interactions([row])
        self.assertEqual([here[0]["status"], there[0]["status"]], ["created", "created"])
        self.assertNotEqual(here[0]["impression_id"], there[0]["impression_id"])

    def test_dry_run_writes_nothing(self):
        counts = (
            self.env["empathy.impression"].search_count([]),
            self.env["res.partner"].search_count([]),
            self.env["empathy.motive"].search_count([]),
        )
        results = self.log(
            [
                {"ref": "dry1", "email": "dry@api.example.org", "rapport": 4, "mood": 1,
                 "motives": ["Brand new motive"], "create_motives": True},
                {"ref": "dry2", "email": "jonas.keller@api.example.org", "rapport": 9, "mood": 1},
            ],
            user=self.manager,
            dry_run=True,
        )  # fmt: skip
        self.assertEqual([r["status"] for r in results], ["created", "error"])
        self.assertFalse(results[0]["impression_id"])
        self.assertFalse(results[0]["partner_id"])
        self.assertTrue(results[0]["partner_created"])
        self.assertEqual(
            counts,
            (
                self.env["empathy.impression"].search_count([]),
                self.env["res.partner"].search_count([]),
                self.env["empathy.motive"].search_count([]),
            ),
        )

    # ------------------------------------------------------------------
    # privacy and permissions
    # ------------------------------------------------------------------
    def test_objecting_contact_gets_no_impression(self):
        self.runner.empathy_objection = True
        results = self.log(
            [
                {"ref": "o1", "email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1},
                {"ref": "o2", "name": "Someone Else Api", "rapport": 4, "mood": 1},
            ]
        )
        self.assertEqual([r["status"] for r in results], ["skipped", "created"])
        self.assertIn("objects to profiling", results[0]["message"])
        self.assertFalse(results[0]["error"])
        self.assertFalse(results[0]["impression_id"])
        self.assertEqual(results[0]["partner_id"], self.runner.id)
        self.assertFalse(self.impressions(partner_id=self.runner.id))

    def test_only_managers_log_for_another_advisor(self):
        row = {"email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1}
        results = self.log(
            [
                dict(row, ref="a1", advisor_login="emp_api_sales2"),
                dict(row, ref="a2", advisor_login="emp_api_sales"),
                dict(row, ref="a3"),
            ]
        )
        self.assertEqual([r["status"] for r in results], ["error", "created", "created"])
        self.assertIn("Only empathy managers", results[0]["error"])
        self.assertEqual(self.impressions(partner_id=self.runner.id).user_id, self.sales)

        results = self.log(
            [
                dict(row, ref="b1", advisor_login="emp_api_sales2"),
                dict(row, ref="b2", advisor_login="no_such_login"),
                dict(row, ref="b3", advisor_login="emp_api_portal"),
            ],
            user=self.manager,
        )
        self.assertEqual([r["status"] for r in results], ["created", "error", "error"])
        self.assertEqual(self.impressions(external_ref="b1").user_id, self.sales2)
        self.assertIn("no active user with the login no_such_login", results[1]["error"])
        self.assertIn("not an internal user", results[2]["error"])
        # the rapport of the advisor logged for is maintained
        rapport = self.runner.sudo().empathy_rapport_ids.filtered(
            lambda r: r.user_id == self.sales2
        )
        self.assertEqual(rapport.impression_count, 1)

    def test_plain_user_cannot_change_another_advisors_impression(self):
        row = {"ref": "c1", "email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1}
        self.log([dict(row, advisor_login="emp_api_sales2")], user=self.manager)
        results = self.log([dict(row, advisor_login="emp_api_sales2", rapport=1)], user=self.sales)
        self.assertEqual(results[0]["status"], "error")
        # as the advisor herself, or unchanged: fine
        self.assertEqual(self.log([row], user=self.sales2)[0]["status"], "skipped")
        updated = self.log([dict(row, rapport=2)], user=self.sales2)
        self.assertEqual(updated[0]["status"], "updated")
        results = self.log([dict(row, rapport=1)], user=self.sales)
        self.assertEqual(results[0]["status"], "error")
        self.assertIn("recorded by Sam Call", results[0]["error"])
        self.assertEqual(self.impressions(external_ref="c1").rapport, 2)

    def test_motives_by_name_and_creating_unknown_ones(self):
        row = {"email": "jonas.keller@api.example.org", "rapport": 4, "mood": 1}
        results = self.log(
            [
                dict(row, ref="mo1", motives=["MARATHON", " hawaii  trip "]),
                dict(row, ref="mo2", motives=["Surfing"]),
                dict(row, ref="mo3", motives=["Surfing"], create_motives=True),
            ]
        )
        self.assertEqual([r["status"] for r in results], ["created", "error", "error"])
        self.assertEqual(
            self.impressions(external_ref="mo1").motive_ids, self.marathon | self.hawaii
        )
        self.assertIn("Unknown purchase motives: Surfing", results[1]["error"])
        self.assertIn("only empathy managers", results[2]["error"])
        self.assertFalse(self.env["empathy.motive"].search([("name", "=", "Surfing")]))

        results = self.log(
            [
                dict(row, ref="mo4", motives=["Surfing", "Marathon"], create_motives=True),
                dict(row, ref="mo5", motives=["surfing"], create_motives=True),
            ],
            user=self.manager,
        )
        self.assertEqual([r["status"] for r in results], ["created", "created"])
        surfing = self.env["empathy.motive"].search([("name", "=", "Surfing")])
        self.assertEqual(len(surfing), 1)
        self.assertEqual(self.impressions(external_ref="mo5").motive_ids, surfing)
        self.assertIn(surfing, self.runner.empathy_motive_ids)

    def test_activities_are_not_completed(self):
        activity = self.runner.with_user(self.sales).activity_schedule(
            activity_type_id=self.env.ref("mail.mail_activity_data_call").id,
            user_id=self.sales.id,
            summary="Call about the Hawaii trip",
        )
        results = self.log([{"partner_id": self.runner.id, "rapport": 5, "mood": 2}])
        self.assertEqual(results[0]["status"], "created")
        self.assertTrue(activity.exists())
        self.assertTrue(activity.active)
