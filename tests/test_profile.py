# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged, users
from odoo.tools import mute_logger

from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestProfile(EmpathyCommon):
    def test_profile_fields(self):
        runner = self.runner.with_user(self.user_sales)
        self.assertEqual(runner.empathy_motive_ids.mapped("name"), ["Hawaii trip", "Marathon"])
        self.assertEqual(runner.empathy_communication_style, "emotional")
        self.assertEqual(runner.empathy_temperament, "easy")
        self.assertEqual(runner.empathy_preferred_channel, "phone")
        self.assertFalse(runner.empathy_objection)

    def test_activity_type_flags(self):
        self.assertTrue(self.call_type.empathy_impression_required)
        self.assertTrue(self.meeting_type.empathy_impression_required)
        self.assertTrue(self.email_type.empathy_impression_required)
        self.assertFalse(self.todo_type.empathy_impression_required)
        upload = self.env.ref("mail.mail_activity_data_upload_document")
        self.assertFalse(upload.empathy_impression_required)

    def test_motive_name_unique(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["empathy.motive"].create({"name": "Marathon"})

    def test_briefing_emotional(self):
        briefing = str(self.runner.with_user(self.user_sales).empathy_briefing)
        self.assertIn("Emotion- and design-oriented: tell stories", briefing)
        self.assertIn("Easy-going", briefing)
        self.assertIn("Hawaii trip", briefing)
        self.assertIn("Sustainability", briefing)
        self.assertIn("Honolulu Marathon", briefing)
        self.assertIn("Born to Run", briefing)
        self.assertIn("Phone", briefing)

    def test_briefing_factual_and_mixed(self):
        buyer = self.buyer.with_user(self.user_sales)
        self.assertIn("Fact-oriented: bring numbers, data sheets", str(buyer.empathy_briefing))
        buyer.sudo().empathy_communication_style = "mixed"
        self.assertIn("Mixed: start with the story", str(buyer.empathy_briefing))
        buyer.sudo().empathy_temperament = "demanding"
        self.assertIn("Demanding: prepare well", str(buyer.empathy_briefing))

    def test_briefing_empty_and_escaped(self):
        self.assertIn("Nothing known yet", str(self.plain.empathy_briefing))
        self.plain.empathy_personal_notes = "<script>alert(1)</script>"
        self.assertNotIn("<script>", str(self.plain.empathy_briefing))
        self.assertIn("&lt;script&gt;", str(self.plain.empathy_briefing))

    def test_briefing_objection(self):
        self.runner.empathy_objection = True
        briefing = str(self.runner.empathy_briefing)
        self.assertIn("objects to profiling", briefing)
        self.assertNotIn("Honolulu", briefing)

    def test_briefing_german(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["empathic_crm"], ["de_DE"], overwrite=True)
        briefing = str(self.buyer.with_context(lang="de_DE").empathy_briefing)
        self.assertIn("Faktenorientiert", briefing)
        self.assertNotIn("Fact-oriented", briefing)
        motive = self.motive_hawaii.with_context(lang="de_DE")
        self.assertEqual(motive.name, "Hawaii-Reise")

    def test_partner_form_edit(self):
        form = Form(self.plain.with_user(self.user_sales))
        form.empathy_communication_style = "factual"
        form.empathy_motive_ids.add(self.motive_gift)
        form.save()
        self.assertEqual(self.plain.empathy_communication_style, "factual")
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift)

    @users("emp_portal", "emp_internal")
    def test_no_empathy_access(self):
        partner = self.runner.with_user(self.env.user)
        for field in (
            "empathy_motive_ids",
            "empathy_why",
            "empathy_briefing",
            "empathy_personal_notes",
        ):
            with self.assertRaises(AccessError):
                partner.read([field])
        with self.assertRaises(AccessError):
            self.env["empathy.motive"].search([])

    @users("emp_sales")
    def test_salesman_reads_motives_manager_writes(self):
        self.assertTrue(self.env["empathy.motive"].search([("name", "=", "Marathon")]))
        with self.assertRaises(AccessError):
            self.env["empathy.motive"].create({"name": "Hiking"})
        motive = self.env["empathy.motive"].with_user(self.user_manager).create({"name": "Hiking"})
        self.assertEqual(motive.name, "Hiking")

    @users("emp_sales")
    def test_search_filters(self):
        Partner = self.env["res.partner"]
        self.assertIn(
            self.runner, Partner.search([("empathy_motive_ids", "in", self.motive_hawaii.ids)])
        )
        factual = Partner.search([("empathy_communication_style", "=", "factual")])
        self.assertIn(self.buyer, factual)
        self.assertNotIn(self.runner, factual)
        # the contact's profile fields are not stored: Odoo refuses to group by them,
        # the profile rows are grouped instead (the search view's group-bys)
        with self.assertRaises(ValueError):
            Partner._read_group([], ["empathy_communication_style"], ["__count"])
        groups = self.env["empathy.profile"]._read_group(
            [("partner_id", "in", (self.runner | self.buyer).ids)],
            ["communication_style"],
            ["__count"],
        )
        self.assertEqual(dict(groups), {"emotional": 1, "factual": 1})
