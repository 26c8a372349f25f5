# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from psycopg2 import IntegrityError

from odoo import Command
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


@tagged("post_install", "-at_install", "empathic_crm")
class TestProfileRows(EmpathyCommon):
    """The profile is a row of empathy.profile; the contact's fields read and write it."""

    def _row(self, partner):
        return self.env["empathy.profile"].search([("partner_id", "=", partner.id)])

    def test_one_row_per_contact(self):
        self.assertFalse(self._row(self.plain))
        plain = self.plain.with_user(self.user_sales)
        plain.empathy_why = "Wants to run a first half marathon."
        row = self._row(self.plain)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.company_id, self.plain.company_id)
        plain.write(
            {"empathy_temperament": "easy", "empathy_motive_ids": [(4, self.motive_gift.id)]}
        )
        self.assertEqual(self._row(self.plain), row)
        self.assertEqual(
            (row.why, row.temperament), ("Wants to run a first half marathon.", "easy")
        )
        self.assertEqual(row.motive_ids, self.motive_gift)
        # nothing to write, no row: empty values create none
        self.buyer.copy({"name": "Copy of Petra", "empathy_communication_style": False})
        self.assertFalse(
            self._row(self.env["res.partner"].search([("name", "=", "Copy of Petra")]))
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["empathy.profile"].create({"partner_id": self.plain.id})

    def test_copy_keeps_the_profile(self):
        copy = self.runner.copy()
        self.assertEqual(copy.empathy_motive_ids, self.runner.empathy_motive_ids)
        self.assertEqual(copy.empathy_why, self.runner.empathy_why)
        self.assertNotEqual(self._row(copy), self._row(self.runner))

    def test_create_and_write_of_many_contacts_are_batched(self):
        """Creating or writing contacts with a profile costs the same queries for 5 and
        25 contacts beyond what Odoo's own partner create costs (one batch of rows)."""
        Partner = self.env["res.partner"].with_user(self.user_sales)
        profile = {
            "empathy_communication_style": "factual",
            "empathy_why": "Compares data sheets.",
            "empathy_motive_ids": [Command.set(self.motive_marathon.ids)],
        }

        def queries(func, *args):
            # the same before, twice: caches of rules and groups (the first one may
            # be cleared by another model's first write in the transaction)
            func(*args, warm=True)
            self._count_queries(lambda: func(*args, warm="Again"))
            return self._count_queries(lambda: func(*args))

        def create(count, values, warm=False):
            tag = (warm if isinstance(warm, str) else "Warm") if warm else "Made"
            Partner.create([{"name": f"{tag} {count} {index}", **values} for index in range(count)])

        extra = [queries(create, count, profile) - queries(create, count, {}) for count in (5, 25)]
        # one batch of rows: 20 more contacts cost no more queries for their profiles
        # (a query per contact would add 20; one query of core's may split in two on
        # a fresh database, hence the one query of slack)
        self.assertLessEqual(extra[1], extra[0] + 1, extra)
        found = self.env["res.partner"].search([("name", "=like", "Made 25 %")])
        self.assertEqual(len(found), 50)
        self.assertEqual(len(found.empathy_profile_ids), 25)
        self.assertEqual(
            set(found.empathy_profile_ids.partner_id.mapped("empathy_communication_style")),
            {"factual"},
        )

        # writing contacts, with and without a row: one write of the rows, one create
        plain = self.env["res.partner"].search([("name", "=like", "Warm % %")])
        plain = plain.filtered(lambda partner: not partner.empathy_profile_ids)
        rows = self.env["res.partner"].search([("name", "=like", "Made % %")])
        rows = rows.filtered("empathy_profile_ids")
        self.assertEqual((len(plain), len(rows)), (30, 30))
        batches = {
            "few": plain[:3] | rows[:2],
            "few warm": plain[3:6] | rows[2:4],
            "many": plain[6:18] | rows[4:17],
            "many warm": plain[18:] | rows[17:],
        }
        style = {"empathy_communication_style": "mixed"}

        def write(size, warm=False):
            batches[f"{size} warm" if warm else size].with_user(self.user_sales).write(
                {**profile, **style}
            )

        self.assertEqual(queries(write, "few"), queries(write, "many"))
        self.assertEqual(len((plain | rows).empathy_profile_ids), 60)

    def test_archived_motive_stays_linked(self):
        motive = self.env["empathy.motive"].create({"name": "Old hobby"})
        self.plain.empathy_motive_ids = [Command.set((motive | self.motive_gift).ids)]
        motive.active = False
        self.plain.invalidate_recordset()
        self.assertEqual(self.plain.empathy_motive_ids, self.motive_gift)
        self.plain.with_user(self.user_sales).empathy_motive_ids = [
            Command.link(self.motive_marathon.id)
        ]
        row = self._row(self.plain).with_context(active_test=False)
        row.invalidate_recordset()  # Odoo caches the written relation without it
        self.assertEqual(row.motive_ids, motive | self.motive_gift | self.motive_marathon)

    def test_objecting_profile_written_by_managers_only(self):
        self.runner.empathy_objection = True
        runner = self.runner.with_user(self.user_sales)
        self.assertFalse(runner.empathy_why)
        for vals in (
            {"empathy_why": "Overwritten"},
            {"empathy_motive_ids": [Command.link(self.motive_gift.id)]},
            {"empathy_communication_style": False},
        ):
            with self.subTest(vals=vals):
                with self.assertRaisesRegex(AccessError, "objects to profiling"):
                    runner.write(vals)
        # a person who objects and has no profile yet: none is created
        self.plain.empathy_objection = True
        with self.assertRaisesRegex(AccessError, "objects to profiling"):
            self.plain.with_user(self.user_sales).empathy_why = "Profiled anyway"
        # the rule itself refuses the row to the salesperson (whatever the message)
        with self.assertRaises(AccessError):
            self._row(self.runner).with_user(self.user_sales).write({"why": "x"})
        self.runner.with_user(self.user_manager).empathy_why = "Managers may"
        self.assertEqual(self._row(self.runner).why, "Managers may")
        self.assertEqual(self.runner.with_user(self.user_manager).empathy_why, "Managers may")
        self.assertFalse(self.runner.with_user(self.user_sales).empathy_why)

    def test_users_show_their_partners_profile(self):
        user = self.env["res.users"].create(
            {"name": "Rita Runner", "login": "rita_runner", "empathy_why": "Runs to work."}
        )
        self.assertEqual(self._row(user.partner_id).why, "Runs to work.")
        as_sales = user.with_user(self.user_sales)
        self.assertEqual(as_sales.empathy_why, "Runs to work.")
        user.write({"empathy_communication_style": "mixed"})
        self.assertEqual(
            user.partner_id.with_user(self.user_sales).empathy_communication_style, "mixed"
        )
        found = (
            self.env["res.users"]
            .with_user(self.user_sales)
            .search([("empathy_why", "ilike", "work")])
        )
        self.assertEqual(found, user)
        with self.assertRaises(AccessError):
            user.with_user(self.user_internal).read(["empathy_why"])

    def test_impression_adds_heard_motive_and_style_to_the_row(self):
        self._impression(
            self.plain, motive_ids=[Command.set(self.motive_gift.ids)], communication_style="mixed"
        )
        row = self._row(self.plain)
        self.assertEqual((row.motive_ids, row.communication_style), (self.motive_gift, "mixed"))

    def test_profile_list_for_empathy_users(self):
        Profile = self.env["empathy.profile"]
        self.assertEqual(
            Profile.with_user(self.user_sales).search([("partner_id", "=", self.runner.id)]).why,
            self.runner.empathy_why,
        )
        for user in (self.user_internal, self.user_portal, self.user_public):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Profile.with_user(user).search([])
        # other companies' contacts: their profile is not for company B
        self.runner.company_id = self.company
        self.assertFalse(
            Profile.with_user(self.user_sales_b).search([("partner_id", "=", self.runner.id)])
        )
        action = self.env.ref("empathic_crm.empathy_profile_action")
        self.assertEqual(action.res_model, "empathy.profile")
