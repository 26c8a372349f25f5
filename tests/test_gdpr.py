# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import csv
import io
import json
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged, users

from odoo.addons.empathic_crm.models.empathy_impression import EmpathyImpression

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestGdpr(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.imp1 = cls._impression(
            cls.runner, user=cls.user_sales, rapport=5, note="Hawaii in December"
        )
        cls.imp2 = cls._impression(cls.runner, user=cls.user_sales2, rapport=2, days_ago=30)

    @users("emp_manager")
    def test_export_json_and_csv(self):
        partner = self.runner.with_user(self.env.user)
        content, mimetype, filename = partner._empathy_export_file("json")
        self.assertEqual(
            (mimetype, filename), ("application/json", "empathy-data-%s.json" % partner.id)
        )
        data = json.loads(content)
        self.assertEqual(data["profile"]["motives"], ["Hawaii trip", "Marathon"])
        self.assertEqual(data["profile"]["personal_notes"], "Favourite book: Born to Run.")
        self.assertEqual(len(data["impressions"]), 2)
        self.assertEqual(data["impressions"][1]["note"], "Hawaii in December")
        self.assertEqual({r["advisor"] for r in data["rapport"]}, {"Sally Sales", "Sam Second"})
        content, mimetype, _filename = partner._empathy_export_file("csv")
        rows = list(csv.reader(io.StringIO(content.decode())))
        self.assertEqual(rows[0], ["section", "field", "value"])
        self.assertIn(["profile", "motives", "Hawaii trip, Marathon"], rows)
        self.assertIn(["impression 2", "note", "Hawaii in December"], rows)
        with self.assertRaisesRegex(UserError, "Unknown export format"):
            partner._empathy_export_file("xml")

    @users("emp_sales")
    def test_export_and_erase_need_manager(self):
        partner = self.runner.with_user(self.env.user)
        with self.assertRaises(AccessError):
            partner._empathy_export_data()
        with self.assertRaises(AccessError):
            partner.action_empathy_erase()
        self.assertEqual(len(self.runner.sudo().empathy_impression_ids), 2)

    @users("emp_manager")
    def test_export_erase_export(self):
        partner = self.runner.with_user(self.env.user)
        self.assertEqual(len(partner._empathy_export_data()["impressions"]), 2)
        partner.action_empathy_erase()
        data = partner._empathy_export_data()
        self.assertEqual(data["impressions"], [])
        self.assertEqual(data["rapport"], [])
        self.assertEqual(data["profile"]["motives"], [])
        self.assertEqual(data["profile"]["why"], "")
        self.assertEqual(data["profile"]["personal_notes"], "")
        self.assertFalse(partner.empathy_best_advisor_id)
        self.assertFalse(self.env["empathy.rapport"].search([("partner_id", "=", partner.id)]))
        log = partner.message_ids[0]
        self.assertIn("Empathy data erased on request", str(log.body))
        self.assertNotIn("Hawaii", str(log.body))
        self.assertNotIn("Born to Run", str(log.body))

    def test_objection_blocks_new_impressions(self):
        self.runner.empathy_objection = True
        with self.assertRaisesRegex(Exception, "objects to profiling"):
            self._impression(self.runner)

    def test_retention_cron_large_batch(self):
        self.env["ir.config_parameter"].set_param("empathic_crm.retention_months", 24)
        old = datetime.now() - timedelta(days=800)
        self.env["empathy.impression"].create(
            [
                {
                    "partner_id": self.buyer.id,
                    "user_id": self.user_sales.id,
                    "rapport": 1 + i % 5,
                    "mood": 0,
                    "date": old - timedelta(hours=i),
                }
                for i in range(2500)
            ]
        )
        recent = self._impression(self.buyer, user=self.user_sales, rapport=5, date=datetime.now())
        done = self.env["empathy.impression"]._cron_empathy_retention(batch_size=1000)
        self.assertEqual(done, 2500)
        self.assertEqual(self.buyer.empathy_impression_ids, recent)
        row = self.env["empathy.rapport"].search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(row.impression_count, 1)
        self.assertAlmostEqual(row.score, 5.0, places=9)
        # the runner's impressions (2026-06) are within 24 months: kept
        self.assertEqual(len(self.runner.empathy_impression_ids), 2)

    def test_retention_cron_interrupted_resumes(self):
        old = datetime.now() - timedelta(days=900)
        self.env["empathy.impression"].create(
            [
                {
                    "partner_id": self.buyer.id,
                    "user_id": self.user_sales.id,
                    "rapport": 3,
                    "mood": 0,
                    "date": old,
                }
                for _i in range(30)
            ]
        )
        original_unlink = EmpathyImpression.unlink
        calls = []

        def crashing_unlink(records):
            calls.append(len(records))
            if len(calls) == 2:
                raise RuntimeError("server killed")
            return original_unlink(records)

        # the first batch is done (committed in production), the server dies in the second
        with patch.object(EmpathyImpression, "unlink", crashing_unlink):
            try:  # not assertRaises: it would roll back the first batch too
                self.env["empathy.impression"]._cron_empathy_retention(batch_size=10)
            except RuntimeError as crash:
                self.assertEqual(str(crash), "server killed")
            else:
                self.fail("the crash did not happen")
        self.assertEqual(calls, [10, 10])
        self.assertEqual(len(self.buyer.empathy_impression_ids), 20)
        row = self.env["empathy.rapport"].search([("partner_id", "=", self.buyer.id)])
        self.assertEqual(row.impression_count, 20)
        # the next run resumes
        self.assertEqual(self.env["empathy.impression"]._cron_empathy_retention(batch_size=10), 20)
        self.assertFalse(self.buyer.empathy_impression_ids)
        self.assertFalse(self.env["empathy.rapport"].search([("partner_id", "=", self.buyer.id)]))

    def test_edits_after_24_hours_are_tracked(self):
        fresh = self.imp1
        fresh.rapport = 4
        self.assertFalse(fresh.message_ids.tracking_value_ids)
        old = self.imp2
        self.env.cr.execute(
            "UPDATE empathy_impression SET create_date = now() - interval '2 days' WHERE id = %s",
            [old.id],
        )
        old.invalidate_recordset(["create_date"])
        self.env.cr.precommit.run()  # the edit happens in a later transaction than the creation
        old.with_context(tracking_disable=False).write({"rapport": 3, "note": "corrected"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking values are written before commit
        tracked = old.message_ids.tracking_value_ids
        self.assertTrue(tracked)
        self.assertIn("rapport", tracked.field_id.mapped("name"))
