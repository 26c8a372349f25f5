# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""empathy.interaction.intake: conflicts with concurrent writers are never row errors.

Real concurrency (many clients, several workers, two servers) is exercised by
``benchmarks/load.py``; its small version runs in ``scripts/test``.
"""

import re
from unittest.mock import patch

from psycopg2 import errors

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..models.empathy_interaction_intake_contact import PARTNER_LOCK_NAMESPACE
from ..tools import compat
from ..tools.contact_keys import (
    ALL_PHONE_COLUMNS,
    NAME_KEY_SQL,
    PHONE_KEY_SQL,
    VAT_KEY_SQL,
    key_indexes,
    name_key,
    phone_key,
    vat_key,
)
from .common import EmpathyWorld

REF = "test-interaction-intake-"


@tagged("post_install", "-at_install", "empathic_crm")
class TestInteractionIntake(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._create_users("emp_intake", groups="base.group_partner_manager", sales="Ida Intake")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Lena Lauf", "email": "lena.lauf@intake.example.org"}
        )
        cls.Impression = cls.env["empathy.impression"].with_user(cls.sales)
        cls.Intake = cls.env["empathy.interaction.intake"]

    def row(self, ref, **values):
        return dict(
            {"ref": REF + ref, "partner_id": self.customer.id, "rapport": 4, "mood": 1}, **values
        )

    def raise_in_create(self, errcode):
        """Patch impression create to fail the way PostgreSQL fails on a conflict."""

        def create(records, vals_list):
            records.env.cr.execute(
                f"DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '{errcode}'; END $$",
                log_exceptions=False,
            )

        return patch.object(type(self.env["empathy.impression"]), "create", create)

    def test_conflicts_propagate_for_the_request_retry(self):
        """Serialization failures, deadlocks and busy locks reach Odoo's retry, not a row."""
        for errcode, error in (
            ("serialization_failure", errors.SerializationFailure),
            ("deadlock_detected", errors.DeadlockDetected),
            ("lock_not_available", errors.LockNotAvailable),
        ):
            with self.subTest(errcode=errcode), self.raise_in_create(errcode):
                with self.assertRaises(error), self.env.cr.savepoint():
                    self.Impression.empathy_log_interactions([self.row(errcode)])
        # the transaction is still usable (savepoints rolled back), nothing was stored
        self.assertFalse(
            self.env["empathy.impression"].search([("external_ref", "=like", REF + "%")])
        )
        # a genuinely bad row is still a row error, the good one is saved
        results = self.Impression.empathy_log_interactions(
            [self.row("bad", rapport=9), self.row("good")]
        )
        self.assertEqual([r["status"] for r in results], ["error", "created"])
        self.assertIn("between 1 and 5", results[0]["error"])

    def test_unique_race_on_reference_is_retried(self):
        """Another transaction recorded the same reference after our snapshot: retry."""
        first = self.Impression.empathy_log_interactions([self.row("race")])[0]
        self.assertEqual(first["status"], "created")
        Intake = type(self.Intake)
        # as if the search could not see the winner's row (committed after our snapshot)
        with patch.object(
            Intake, "_empathy_known_impressions", lambda self, refs: self.env["empathy.impression"]
        ):
            with self.assertRaises(errors.SerializationFailure), self.env.cr.savepoint():
                self.Impression.empathy_log_interactions([self.row("race", rapport=2)])
        # retried in a fresh snapshot, the reference is found: an update, not a duplicate
        again = self.Impression.empathy_log_interactions([self.row("race", rapport=2)])[0]
        self.assertEqual(again["status"], "updated")
        self.assertEqual(again["impression_id"], first["impression_id"])

    def test_new_contacts_are_created_under_advisory_locks(self):
        """One lock per normalised key, held until the transaction ends."""
        rows = [
            self.row(
                "lock1",
                partner_id=False,
                email="Neu.Kunde@Intake.example.org",
                phone="+49 151 2345678",
            ),
            self.row("lock2", partner_id=False, email="neu.kunde@intake.example.org"),
            self.row("lock3", partner_id=False, name="Only A Name"),
        ]
        results = self.Impression.empathy_log_interactions(rows)
        self.assertEqual([r["status"] for r in results], ["created"] * 3)
        self.assertEqual(results[0]["partner_id"], results[1]["partner_id"])
        self.env.cr.execute(
            """SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = %s""",
            [PARTNER_LOCK_NAMESPACE],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 3)  # email, phone, name

    def test_contact_committed_by_a_concurrent_creator_retries(self):
        """A contact with the key exists in a fresh snapshot but not in ours: retry."""
        Intake = type(self.Intake)
        original = Intake._empathy_partner_ids_by_keys
        calls = []
        winner = self.env["res.partner"].create({"name": "Committed Elsewhere"})

        def ids_by_keys(intake, cr, entries):
            """Our snapshot first, then the fresh one: it sees the winner's contact."""
            calls.append(cr)
            found = original(intake, cr, entries)
            return found | {winner.id} if len(calls) == 2 else found

        with patch.object(Intake, "_empathy_partner_ids_by_keys", ids_by_keys):
            with self.assertRaises(errors.SerializationFailure), self.env.cr.savepoint():
                self.Impression.empathy_log_interactions(
                    [self.row("fresh", partner_id=False, email="late@intake.example.org")]
                )
        self.assertEqual(len(calls), 2)
        self.assertIsNot(calls[1], self.env.cr)  # a fresh snapshot
        self.assertFalse(
            self.env["res.partner"].search([("email", "=", "late@intake.example.org")])
        )

    def test_sql_keys_are_the_python_keys(self):
        """The searches compare in SQL what the rows give in Python: the same keys."""
        samples = [
            "+49 170 555-0101",
            "0049 (170) 5550101",
            "00",
            "0031-6-1234 5678 ext. 9",
            "de 123 456 789",
            "DE-123.456/78 ab",
            " ü 12 ß ",
            "",
            "0000 12",
            "\u0661\u0662\u0663 45",  # Arabic-Indic digits are no digits of a key
            "\uff24\uff25 \uff11\uff12",  # full-width letters and digits neither
            "Jonas KELLER",
            "Ärger Österreich",
            "x\ty\nz_%",
        ]
        self.env.cr.execute(
            SQL(
                "SELECT k, %s, %s, %s FROM unnest(%s::text[]) AS k",
                SQL(PHONE_KEY_SQL.format("k")),
                SQL(VAT_KEY_SQL.format("k")),
                SQL(NAME_KEY_SQL.format("k")),
                samples,
            )
        )
        rows = self.env.cr.fetchall()
        self.assertEqual(len(rows), len(samples))
        for sample, phone, vat, name in rows:
            self.assertEqual(phone, phone_key(sample), sample)
            self.assertEqual(vat, vat_key(sample), sample)
            self.assertEqual(name, name_key(sample), sample)

    def test_contacts_by_key_read_the_indexes(self):
        """The contacts-by-key query compares each column's key with the expression of
        its index, so that PostgreSQL reads the indexes, not every contact."""
        Partner = self.env["res.partner"]
        keys = {"email": {"a@b.example"}, "vat": {"DE123456"}, "phone": {"491705550101"}}
        keys["name"] = {"jonas keller"}
        self.assertEqual(Partner._empathy_sql_ids_by_keys(keys), [])
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        self.addCleanup(self.env.cr.execute, "SET LOCAL enable_seqscan = on")
        self.env.cr.execute(SQL("EXPLAIN %s", Partner._empathy_ids_by_keys_query(keys)))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        indexes = key_indexes(compat.partner_phone_fields())
        self.env.cr.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [list(key_indexes(ALL_PHONE_COLUMNS))],
        )
        definitions = dict(self.env.cr.fetchall())
        # the series' phone columns only (no index on 19.0's leftover mobile column)
        self.assertEqual(set(definitions), set(indexes))

        def bare(text):  # casts, parentheses and spaces aside
            return re.sub(r"::text(\[\])?|[()\s]", "", text)

        for name, definition in definitions.items():
            expression = definition.split(" USING btree ", 1)[1].rsplit(" WHERE ", 1)[0]
            self.assertIn(bare(expression) + "=ANY", bare(plan), name)
        self.assertNotIn("Seq Scan", plan)
