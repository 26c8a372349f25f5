# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Recipients by empathy: a marketer selects contacts by kinds of customers.

People who object to profiling are never selected by an empathy criterion, positive
or negative, whether the marketer computes the recipients or the sending queue does
(as the system); a marketer of company A never selects by company B's profiles.
"""

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from .common import MAILING_USER, MARKETING, MailingEmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestRecipients(MailingEmpathyCommon):
    def _selected(self, domain, sudo=False):
        mailing = self._create_mailing(domain)
        return self._recipients(mailing.sudo() if sudo else mailing)

    def test_positive_criteria(self):
        p = self
        for domain, expected in [
            (
                [("empathy_communication_style", "=", "factual")],
                p.partner_factual | p.partner_phone,
            ),
            (
                [("empathy_communication_style", "=", "emotional")],
                p.partner_emotional | p.partner_meeting,
            ),
            ([("empathy_temperament", "=", "demanding")], p.partner_factual),
            ([("empathy_temperament", "=", "easy")], p.partner_emotional),
            ([("empathy_preferred_channel", "=", "phone")], p.partner_phone),
            ([("empathy_preferred_channel", "=", "meeting")], p.partner_meeting),
            ([("empathy_motive_ids", "in", p.motive_hawaii.ids)], p.partner_emotional),
            (
                [("empathy_motive_ids", "in", p.motive_marathon.ids)],
                p.partner_factual | p.partner_emotional,
            ),
            ([("empathy_motive_ids.name", "ilike", "Hawaii")], p.partner_emotional),
        ]:
            for sudo in (False, True):
                with self.subTest(domain=domain, sudo=sudo):
                    self.assertEqual(self._selected(domain, sudo), expected)

    def test_negative_criteria_do_not_select_objecting_people(self):
        p = self
        not_factual = p.partner_emotional | p.partner_mixed | p.partner_unknown | p.partner_meeting
        not_easy = p.partners - p.partner_emotional - p.partner_objecting - p.partner_b
        for domain, expected in [
            ([("empathy_communication_style", "!=", "factual")], not_factual),
            (["!", ("empathy_communication_style", "=", "factual")], not_factual),
            ([("empathy_communication_style", "not in", ["factual"])], not_factual),
            ([("empathy_temperament", "!=", "easy")], not_easy),
            (
                [("empathy_motive_ids", "not in", p.motive_hawaii.ids)],
                p.partners - p.partner_emotional - p.partner_objecting - p.partner_b,
            ),
            ([("empathy_communication_style", "=", False)], p.partner_unknown),
            (
                ["!", "&", ("empathy_temperament", "=", "easy"), ("email", "!=", False)],
                not_easy,
            ),
        ]:
            for sudo in (False, True):
                with self.subTest(domain=domain, sudo=sudo):
                    found = self._selected(domain, sudo)
                    self.assertNotIn(self.partner_objecting, found)
                    self.assertNotIn(self.partner_b, found, "company B's profile was used")
                    self.assertEqual(found, expected)

    def test_other_criteria_still_select_objecting_people(self):
        domain = [
            "|",
            ("empathy_communication_style", "=", "factual"),
            ("name", "=", "Olga Objecting"),
        ]
        for sudo in (False, True):
            self.assertEqual(
                self._selected(domain, sudo),
                self.partner_factual | self.partner_phone | self.partner_objecting,
            )
        # no empathy criterion: the domain is Odoo's, untouched
        mailing = self._create_mailing([("email", "ilike", "olga")])
        self.assertEqual(
            str(list(mailing._get_recipients_domain())), "[('email', 'ilike', 'olga')]"
        )
        self.assertEqual(self._recipients(mailing), self.partner_objecting)

    def test_company_b_profiles_never_select(self):
        # the queue sends as the system: the responsible's companies decide
        domain = [("empathy_communication_style", "=", "factual"), ("name", "ilike", "Bea")]
        self.assertFalse(self._selected(domain, sudo=True))
        # a marketer of company B selects by B's profiles
        marketer_b = new_test_user(
            self.env,
            login="mme_marketer_b",
            email="mb@example.com",
            groups=f"base.group_user,{MAILING_USER},{MARKETING}",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        mailing = self._create_mailing(domain, user=marketer_b)
        self.assertEqual(self._recipients(mailing), self.partner_b)
        self.assertEqual(self._recipients(mailing.sudo()), self.partner_b)

    def test_total_counts_guarded_recipients(self):
        mailing = self._create_mailing(
            [
                ("empathy_communication_style", "!=", "factual"),
                ("id", "in", self.partners.ids),
            ]
        )
        self.assertEqual(mailing.total, 4)

    def test_objection_excluded_count(self):
        for domain, count in [
            ([("empathy_communication_style", "=", "factual")], 1),
            ([("empathy_communication_style", "!=", "factual")], 1),
            ([("empathy_motive_ids", "in", self.motive_hawaii.ids)], 1),
            (
                [("empathy_communication_style", "=", "factual"), ("name", "!=", "Olga Objecting")],
                0,
            ),
            # selected by another criterion: not left out
            (["|", ("empathy_temperament", "=", "easy"), ("name", "=", "Olga Objecting")], 0),
            ([("email", "!=", False)], 0),
        ]:
            with self.subTest(domain=domain):
                mailing = self._create_mailing(domain)
                self.assertEqual(mailing.empathy_objection_excluded_count, count)
        # the form says it in words
        arch = self.env.ref(
            "empathic_crm_mass_mailing.mailing_mailing_view_form_empathy_recipients"
        ).arch
        self.assertIn("contacts object to profiling and are not selected by empathy criteria", arch)

    def test_motives_field_of_the_mailing(self):
        mailing = self._create_mailing([("email", "!=", False)])
        self.assertFalse(mailing.empathy_motive_ids)
        mailing.empathy_motive_ids = self.motive_hawaii
        self.assertIn(
            "('empathy_motive_ids', 'in', [%d])" % self.motive_hawaii.id, mailing.mailing_domain
        )
        self.assertIn("('email', '!=', False)", mailing.mailing_domain)
        self.assertEqual(self._recipients(mailing), self.partner_emotional)
        mailing.invalidate_recordset()
        self.assertEqual(mailing.empathy_motive_ids, self.motive_hawaii)
        mailing.empathy_motive_ids = self.motive_hawaii | self.motive_marathon
        self.assertEqual(self._recipients(mailing), self.partner_factual | self.partner_emotional)
        mailing.empathy_motive_ids = False
        self.assertNotIn("empathy_motive_ids", mailing.mailing_domain)
        self.assertIn("email", mailing.mailing_domain)
        # in the form, the domain follows at once
        with Form(mailing.with_user(self.user_marketer)) as form:
            form.empathy_motive_ids.add(self.motive_marathon)
            self.assertIn("empathy_motive_ids", form.mailing_domain)
        self.assertEqual(mailing.empathy_motive_ids, self.motive_marathon)

    def test_ready_filters(self):
        Filter = self.env["mailing.filter"]
        filters = {
            "mailing_filter_empathy_factual": self.partner_factual | self.partner_phone,
            "mailing_filter_empathy_emotional": self.partner_emotional | self.partner_meeting,
            "mailing_filter_empathy_easy": self.partner_emotional,
            "mailing_filter_empathy_demanding": self.partner_factual,
            "mailing_filter_empathy_phone": self.partner_phone,
            "mailing_filter_empathy_meeting": self.partner_meeting,
        }
        for xmlid, expected in filters.items():
            with self.subTest(filter=xmlid):
                record = self.env.ref(f"empathic_crm_mass_mailing.{xmlid}")
                mailing = self._create_mailing(None, mailing_filter_id=record.id)
                self.assertEqual(mailing.mailing_domain, record.mailing_domain)
                self.assertEqual(self._recipients(mailing), expected)
        ids = [self.env.ref(f"empathic_crm_mass_mailing.{x}").id for x in filters]
        seen = Filter.with_user(self.user_marketer).search([("id", "in", ids)])
        self.assertEqual(len(seen), len(ids))
        self.assertFalse(Filter.with_user(self.user_mailer).search([("id", "in", ids)]))

    def test_silent_customers_of_the_company(self):
        Stat = self.env["empathy.partner.stat"].sudo()
        Stat.create(
            [
                {
                    "partner_id": self.partner_factual.id,
                    "company_id": self.company.id,
                    "silent": True,
                },
                {
                    "partner_id": self.partner_unknown.id,
                    "company_id": self.company_b.id,
                    "silent": True,
                },
            ]
        )
        record = self.env.ref("empathic_crm_mass_mailing.mailing_filter_empathy_silent")
        mailing = self._create_mailing(None, mailing_filter_id=record.id)
        self.assertEqual(self._recipients(mailing), self.partner_factual)
        partner = self.partner_factual.with_user(self.user_marketer)
        self.assertTrue(partner.empathy_silent)
        self.assertFalse(self.partner_unknown.with_user(self.user_marketer).empathy_silent)
        not_silent = self._recipients(self._create_mailing([("empathy_silent", "=", False)]))
        self.assertEqual(
            not_silent,
            self.partners - self.partner_factual - self.partner_objecting - self.partner_b,
        )

    def test_domain_editor_offers_the_kinds_to_marketers(self):
        kinds = [
            "empathy_motive_ids",
            "empathy_value_ids",
            "empathy_communication_style",
            "empathy_temperament",
            "empathy_preferred_channel",
            "empathy_silent",
        ]
        described = (
            self.env["res.partner"]
            .with_user(self.user_marketer)
            .fields_get(attributes=["searchable"])
        )
        for name in kinds:
            self.assertTrue(described[name]["searchable"], name)
        for user in (self.user_mailer, self.user_internal):
            described = self.env["res.partner"].with_user(user).fields_get()
            self.assertFalse(set(kinds) & set(described))
