# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The upgrade to 18.0.1.5.0 keeps every profile: columns of res_partner become rows.

The test builds the state of 18.0.1.4.x inside its transaction (the old columns of
``res_partner`` and the old relation tables, filled), runs the migration and compares
counts and values; the transaction is rolled back afterwards.
"""

import importlib.util

from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.sql import column_exists, table_exists

MIGRATION = "empathic_crm/migrations/18.0.1.5.0/post-20-profile.py"


def load_migration():
    spec = importlib.util.spec_from_file_location("post_20_profile", file_path(MIGRATION))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install", "empathic_crm")
class TestProfileMigration(TransactionCase):
    def _old_state(self):
        """The schema of 18.0.1.4.x: profile columns and relation tables of res_partner."""
        cr = self.env.cr
        cr.execute(
            """
            ALTER TABLE res_partner ADD COLUMN empathy_why text,
                                    ADD COLUMN empathy_communication_style varchar,
                                    ADD COLUMN empathy_temperament varchar,
                                    ADD COLUMN empathy_preferred_channel varchar,
                                    ADD COLUMN empathy_personal_notes text;
            CREATE TABLE res_partner_empathy_motive_rel (
                partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
                motive_id integer NOT NULL REFERENCES empathy_motive(id) ON DELETE CASCADE,
                PRIMARY KEY (partner_id, motive_id));
            CREATE TABLE res_partner_empathy_value_rel (
                partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
                value_id integer NOT NULL REFERENCES empathy_value(id) ON DELETE CASCADE,
                PRIMARY KEY (partner_id, value_id));
            """
        )

    def test_profiles_become_rows(self):
        env, cr = self.env, self.env.cr
        Partner, Profile = env["res.partner"], env["empathy.profile"]
        marathon = env.ref("empathic_crm.motive_marathon")
        hawaii = env.ref("empathic_crm.motive_hawaii_trip")
        archived = env["empathy.motive"].create({"name": "Migrated hobby", "active": False})
        sustainability = env.ref("empathic_crm.value_sustainability")
        company_b = env["res.company"].create({"name": "Migration Company B"})
        full, motives_only, style_only, blank, written, of_b = Partner.create(
            [
                {"name": "Full Profile"},
                {"name": "Motives Only"},
                {"name": "Style Only"},
                {"name": "Blank"},
                {"name": "Written During Update", "empathy_why": "Kept"},
                {"name": "Of Company B", "company_id": company_b.id},
            ]
        )
        env.flush_all()
        rows_before = Profile.search_count([])
        self._old_state()
        old = {
            full: ("Runs in Hawaii", "emotional", "easy", "phone", "Born to Run"),
            style_only: (None, "factual", None, None, None),
            written: ("Overwritten?", "mixed", None, None, None),
            of_b: (None, None, "demanding", None, None),
        }
        for partner, values in old.items():
            cr.execute(
                """UPDATE res_partner SET empathy_why = %s, empathy_communication_style = %s,
                          empathy_temperament = %s, empathy_preferred_channel = %s,
                          empathy_personal_notes = %s WHERE id = %s""",
                [*values, partner.id],
            )
        motive_pairs = [
            (full, marathon),
            (full, hawaii),
            (full, archived),
            (motives_only, marathon),
            (written, hawaii),
        ]
        for partner, motive in motive_pairs:
            cr.execute(
                "INSERT INTO res_partner_empathy_motive_rel VALUES (%s, %s)",
                [partner.id, motive.id],
            )
        cr.execute(
            "INSERT INTO res_partner_empathy_value_rel VALUES (%s, %s)",
            [full.id, sustainability.id],
        )

        load_migration().migrate_profiles(cr)
        env.invalidate_all()

        # one row more per contact with any value (the written one completed, not doubled)
        self.assertEqual(Profile.search_count([]), rows_before + 4)
        row_of = {
            row.partner_id: row
            for row in Profile.with_context(active_test=False).search(
                [
                    (
                        "partner_id",
                        "in",
                        (full | motives_only | style_only | blank | written | of_b).ids,
                    )
                ]
            )
        }
        self.assertNotIn(blank, row_of)
        for partner, values in old.items():
            row = row_of[partner]
            with self.subTest(partner=partner.name):
                got = (
                    row.why,
                    row.communication_style,
                    row.temperament,
                    row.preferred_channel,
                    row.personal_notes,
                )
                expected = tuple(value or False for value in values)
                if partner == written:  # the value written during the update wins
                    expected = ("Kept", *expected[1:])
                self.assertEqual(got, expected)
        self.assertEqual(row_of[of_b].company_id, company_b)
        self.assertEqual(row_of[full].company_id, full.company_id)
        cr.execute(
            """SELECT pr.partner_id, m.motive_id FROM empathy_profile_motive_rel m
                 JOIN empathy_profile pr ON pr.id = m.profile_id
                WHERE pr.partner_id = ANY(%s)""",
            [[partner.id for partner in row_of]],
        )
        self.assertEqual(
            set(cr.fetchall()), {(partner.id, motive.id) for partner, motive in motive_pairs}
        )
        self.assertEqual(row_of[full].value_ids, sustainability)
        self.assertEqual(row_of[motives_only].motive_ids, marathon)
        # the contact's fields show the rows
        self.assertEqual(full.empathy_why, "Runs in Hawaii")
        self.assertEqual(full.empathy_motive_ids, marathon | hawaii)
        # the old schema is gone
        for column in ("empathy_why", "empathy_communication_style", "empathy_personal_notes"):
            self.assertFalse(column_exists(cr, "res_partner", column))
        self.assertFalse(table_exists(cr, "res_partner_empathy_motive_rel"))
        self.assertFalse(table_exists(cr, "res_partner_empathy_value_rel"))
        # run again (an interrupted upgrade resumed): nothing to do, nothing lost
        load_migration().migrate_profiles(cr)
        self.assertEqual(Profile.search_count([]), rows_before + 4)
