# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from datetime import datetime

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestImpression(EmpathyCommon):
    def test_out_of_range_raises_validation_error(self):
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        base = {"partner_id": self.runner.id, "rapport": 3, "mood": 0}
        for vals, message in (
            ({"rapport": 0}, "rapport must be between 1 and 5"),
            ({"rapport": 6}, "rapport must be between 1 and 5"),
            ({"mood": -3}, r"mood must be between -2 and \+2"),
            ({"mood": 3}, r"mood must be between -2 and \+2"),
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(ValidationError, message):
                Impression.create(dict(base, **vals))
        self.assertFalse(Impression.search([("partner_id", "=", self.runner.id)]))

    def test_db_check_constraint(self):
        impression = self._impression(self.runner)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env.cr.execute(
                "UPDATE empathy_impression SET rapport = 9 WHERE id = %s", [impression.id]
            )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute(
                "UPDATE empathy_impression SET mood = -5 WHERE id = %s", [impression.id]
            )

    def test_defaults_and_scale_labels(self):
        impression = (
            self.env["empathy.impression"]
            .with_user(self.user_sales)
            .create({"partner_id": self.plain.id, "rapport": 4, "mood": -1})
        )
        self.assertEqual(impression.user_id, self.user_sales)
        self.assertEqual(impression.company_id, self.company)
        labels = impression.empathy_scale_labels()
        self.assertEqual(dict(labels["rapport"])[impression.rapport], "Good")
        self.assertEqual(dict(labels["mood"])[impression.mood], "Unhappy")
        self.assertEqual(self.plain.empathy_impression_count, 1)

    def test_motives_and_style_applied_to_partner(self):
        self._impression(
            self.plain, motive_ids=[(6, 0, self.motive_gift.ids)], communication_style="factual"
        )
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift)
        self.assertEqual(self.plain.empathy_communication_style, "factual")
        # known motives are kept, not duplicated
        self._impression(
            self.plain, motive_ids=[(6, 0, (self.motive_gift | self.motive_marathon).ids)]
        )
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift | self.motive_marathon)

    def test_objecting_partner_gets_no_impression(self):
        self.plain.empathy_objection = True
        with self.assertRaisesRegex(ValidationError, "objects to profiling"):
            self._impression(self.plain)

    @users("emp_sales2")
    def test_cannot_edit_other_users_impression(self):
        impression = self._impression(self.runner, user=self.user_sales)
        mine = impression.with_user(self.env.user)
        self.assertEqual(mine.rapport, 4)  # reading is allowed in the company
        with self.assertRaises(AccessError):
            mine.write({"rapport": 1})
        with self.assertRaises(AccessError):
            mine.unlink()
        with self.assertRaises(AccessError):
            self.env["empathy.impression"].create(
                {
                    "partner_id": self.runner.id,
                    "user_id": self.user_sales.id,
                    "rapport": 3,
                    "mood": 0,
                }
            )
        self.assertEqual(impression.rapport, 4)

    @users("emp_sales")
    def test_can_edit_own_impression(self):
        impression = self._impression(self.runner, user=self.user_sales).with_user(self.env.user)
        impression.write({"rapport": 2, "note": "changed my mind"})
        self.assertEqual(impression.rapport, 2)
        impression.unlink()
        self.assertFalse(impression.exists())

    @users("emp_manager")
    def test_manager_edits_any_impression(self):
        impression = self._impression(self.runner, user=self.user_sales).with_user(self.env.user)
        impression.write({"rapport": 1})
        self.assertEqual(impression.rapport, 1)


@tagged("post_install", "-at_install", "empathic_crm")
class TestImpressionEntryPoints(EmpathyCommon):
    """An impression has the same effects whatever its entry point (review F5).

    Each entry point records the same impression of a new contact (rapport 4, mood
    +1, emotion-oriented, heard: gift and safety) from the same state (a savepoint
    rolled back after each); the resulting state must equal that of a plain
    ``create``: the contact's motives and style, the evidence (one row per motive),
    the rapport row and fair score, the contact's best advisor, the rapport by kind
    of customer. The CLI and the MCP server call the API (``client/``).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.motive_safety = cls.env.ref("empathic_crm.motive_safety")
        cls.contact = cls.env["res.partner"].create({"name": "Clara Contact"})
        # the advisor's other customers: a scale for the fair score, kinds to move
        cls._impression(cls.buyer, rapport=2)
        cls._impression(cls.runner, rapport=5)
        cls.heard = cls.motive_gift | cls.motive_safety

    def _state(self):
        self.env.flush_all()
        self.env.invalidate_all()
        contact = self.contact.sudo()
        evidence = (
            self.env["empathy.motive.evidence"].sudo().search([("partner_id", "=", contact.id)])
        )
        rapport = self.env["empathy.rapport"].sudo().search([("partner_id", "=", contact.id)])
        self.env.cr.execute(
            """SELECT trait, value, pair_count, impression_count, round(sum_score::numeric, 6),
                      round(fair_effect::numeric, 6)
                 FROM empathy_kind_rapport WHERE user_id = %s AND pair_count > 0
             ORDER BY trait, value""",
            [self.user_sales.id],
        )
        kinds = self.env.cr.fetchall()
        return {
            "motives": contact.empathy_motive_ids.ids,
            "style": contact.empathy_communication_style,
            "evidence": sorted(
                (row.motive_id.id, row.source, row.user_id.id, bool(row.impression_id))
                for row in evidence
            ),
            "rapport": [
                (
                    row.user_id.id,
                    row.impression_count,
                    round(row.score, 9),
                    round(row.fair_score, 9),
                )
                for row in rapport
            ],
            "best": (contact.empathy_best_advisor_id.id, contact.empathy_best_rapport),
            "kinds": kinds,
        }

    def _effects_of(self, record):
        """Return the state after ``record()``, rolled back afterwards."""
        savepoint = self.env.cr.savepoint()
        try:
            record()
            return self._state()
        finally:
            savepoint.close(rollback=True)
            self.env.invalidate_all()

    def _reference(self):
        return self._effects_of(
            lambda: (
                self.env["empathy.impression"]
                .with_user(self.user_sales)
                .create(
                    {
                        "partner_id": self.contact.id,
                        "rapport": 4,
                        "mood": 1,
                        "communication_style": "emotional",
                        "motive_ids": [Command.set(self.heard.ids)],
                    }
                )
            )
        )

    def assertSameEffects(self, record):
        reference = self._reference()
        self.assertEqual(reference["motives"], self.heard.ids)
        self.assertEqual(reference["style"], "emotional")
        self.assertEqual(len(reference["evidence"]), 2)
        self.assertEqual(reference["rapport"][0][:2], (self.user_sales.id, 1))
        self.assertIn(("motive", str(self.motive_gift.id)), [k[:2] for k in reference["kinds"]])
        self.assertEqual(self._effects_of(record), reference)

    def test_dialog(self):
        def record():
            activity = self._activity(self.contact)
            with self.web_request():
                action = activity.action_feedback()
            dialog = self._dialog_form(action)
            dialog.rapport = "4"
            dialog.mood = "1"
            dialog.communication_style = "emotional"
            for motive in self.heard:
                dialog.motive_ids.add(motive)
            with self.web_request():
                dialog.save().action_confirm()
            self.assertActivityDone(activity)

        self.assertSameEffects(record)

    def test_form_edit(self):
        """Heard motives and the style added afterwards, in the impression's form."""

        def record():
            impression = self._impression(self.contact, rapport=4, mood=1)
            with Form(impression.with_user(self.user_sales)) as form:
                form.communication_style = "emotional"
                for motive in self.heard:
                    form.motive_ids.add(motive)
            # editing again (the note) records nothing twice
            with Form(impression.with_user(self.user_sales)) as form:
                form.note = "Wants it wrapped"

        self.assertSameEffects(record)

    def test_api(self):
        def record():
            activity = self._activity(self.contact)
            with self.web_request("/jsonrpc"):
                activity.action_feedback_with_impression(
                    {
                        "rapport": 4,
                        "mood": 1,
                        "communication_style": "emotional",
                        "motive_ids": self.heard.ids,
                    }
                )
            self.assertActivityDone(activity)

        self.assertSameEffects(record)

    def test_intake_create_and_update(self):
        """A re-import that changes the impression updates it; the evidence of a motive
        heard in both imports is not recorded again."""
        Impression = self.env["empathy.impression"].with_user(self.user_sales)
        row = {"partner_id": self.contact.id, "rapport": 4, "mood": 1, "external_ref": "fair-7"}

        def log(**values):
            with self.web_request("/jsonrpc"):
                return Impression.empathy_log_interactions([dict(row, **values)])[0]["status"]

        def record():
            self.assertEqual(log(motives=["Gift"], communication_style="factual"), "created")
            self.assertEqual(
                log(motives=["Gift", "Safety"], communication_style="emotional"), "updated"
            )
            self.assertEqual(
                log(motives=["Gift", "Safety"], communication_style="emotional"), "skipped"
            )
            self.assertEqual(
                log(motives=["Gift", "Safety"], communication_style="emotional", note="Kona"),
                "updated",
            )

        self.assertSameEffects(record)

    def test_intake_create(self):
        def record():
            with self.web_request("/jsonrpc"):
                results = (
                    self.env["empathy.impression"]
                    .with_user(self.user_sales)
                    .empathy_log_interactions(
                        [
                            {
                                "partner_id": self.contact.id,
                                "rapport": 4,
                                "mood": 1,
                                "communication_style": "emotional",
                                "motives": "Gift, Safety",
                            }
                        ]
                    )
                )
            self.assertEqual(results[0]["status"], "created")

        self.assertSameEffects(record)

    def test_edit_moves_the_evidence(self):
        """A motive removed from an impression loses its evidence; the profile keeps it."""
        impression = self._impression(
            self.contact, motive_ids=[Command.set(self.heard.ids)], communication_style="mixed"
        )
        impression.with_user(self.user_sales).motive_ids = [Command.unlink(self.motive_gift.id)]
        evidence = self.env["empathy.motive.evidence"].search(
            [("partner_id", "=", self.contact.id)]
        )
        self.assertEqual(evidence.motive_id, self.motive_safety)
        self.assertEqual(self.contact.empathy_motive_ids, self.heard)
        impression.date = datetime(2026, 5, 1, 9, 0)
        self.assertEqual(evidence.date, datetime(2026, 5, 1, 9, 0))
