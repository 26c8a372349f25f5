# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Searching, grouping and ordering do not reveal the profile of people who object.

While a person objects to profiling (GDPR Art. 21), salespeople read an empty
profile; they must find, group and sort the person exactly as they read them: as a
contact without a profile. Two contacts with the same profile, one objecting, and a
contact without any: for a salesperson the objecting one behaves like the blank one
in every domain; for an empathy manager like the open one. The profile is a row of
``empathy.profile``: its record rules decide, in every path (``any``, paths from
leads and orders, the fields ``res.users`` shows of its partner). The contact's
profile fields are not stored: Odoo refuses to group or order contacts by them;
the rows are grouped and ordered instead, where the rules hide the objecting
person's row from salespeople.
"""

from odoo.tests import tagged

from ..tools import compat
from .common import EmpathyCommon


@tagged("post_install", "-at_install", "empathic_crm")
class TestObjectionSearch(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        motives = cls.motive_marathon | cls.motive_hawaii | cls.motive_gift
        profile = {
            "empathy_motive_ids": [(6, 0, motives.ids)],
            "empathy_value_ids": [(6, 0, cls.value_sustainability.ids)],
            "empathy_communication_style": "factual",
            "empathy_temperament": "demanding",
            "empathy_preferred_channel": "email",
            "empathy_why": "Saving for the Hawaii trip of a lifetime.",
            "empathy_personal_notes": "Runs a marathon every spring.",
        }
        # created first: ordered by id, the objecting contact comes before the others
        cls.hidden = cls.env["res.partner"].create({"name": "Objecting Olga", **profile})
        cls.open = cls.env["res.partner"].create({"name": "Open Otto", **profile})
        cls.blank = cls.env["res.partner"].create({"name": "Blank Berta"})
        # a profile row without any value reads, finds and counts as no row at all
        cls.empty = cls.env["res.partner"].create({"name": "Empty Emil"})
        cls.env["empathy.profile"].create({"partner_id": cls.empty.id})
        for partner in cls.hidden | cls.open:
            cls._impression(partner, motive_ids=[(6, 0, cls.motive_hawaii.ids)])
        cls.hidden.empathy_objection = True
        cls.trio = cls.hidden | cls.open | cls.blank | cls.empty
        cls.domains = [
            [("empathy_motive_ids", "in", [cls.motive_hawaii.id])],
            [("empathy_motive_ids", "in", motives.ids)],
            [("empathy_motive_ids", "=", cls.motive_hawaii.id)],
            [("empathy_motive_ids", "!=", cls.motive_hawaii.id)],
            [("empathy_motive_ids", "not in", [cls.motive_hawaii.id])],
            [("empathy_motive_ids", "=", False)],
            [("empathy_motive_ids", "!=", False)],
            [("empathy_motive_ids", "ilike", "Hawaii")],
            [("empathy_motive_ids", "not ilike", "Hawaii")],
            [("empathy_motive_ids.name", "ilike", "Hawaii")],
            [("empathy_motive_ids.name", "not ilike", "Hawaii")],
            [("empathy_motive_ids", "any", [("name", "ilike", "Hawaii")])],
            [("empathy_motive_ids", "not any", [("name", "ilike", "Hawaii")])],
            [("empathy_value_ids", "in", cls.value_sustainability.ids)],
            [("empathy_value_ids", "=", False)],
            [("empathy_communication_style", "=", "factual")],
            [("empathy_communication_style", "!=", "factual")],
            [("empathy_communication_style", "=", False)],
            [("empathy_communication_style", "!=", False)],
            [("empathy_communication_style", "in", ["factual", "mixed"])],
            [("empathy_communication_style", "in", ["factual", False])],
            [("empathy_communication_style", "not in", ["factual"])],
            [("empathy_communication_style", "not in", ["emotional", False])],
            [("empathy_communication_style", "=?", "factual")],
            [("empathy_temperament", "=", "demanding")],
            [("empathy_temperament", "in", [False])],
            [("empathy_preferred_channel", "=", "email")],
            [("empathy_why", "ilike", "hawaii")],
            [("empathy_why", "not ilike", "hawaii")],
            [("empathy_why", "=", False)],
            [("empathy_why", "!=", False)],
            [("empathy_why", "=ilike", "saving%")],
            [("empathy_personal_notes", "ilike", "marathon")],
            [("empathy_personal_notes", "not ilike", "marathon")],
            [("empathy_impression_ids", "!=", False)],
            [("empathy_impression_ids", "=", False)],
            [("empathy_impression_ids.motive_ids", "in", cls.motive_hawaii.ids)],
            [("empathy_motive_evidence_ids", "!=", False)],
            # combined, and a profile leaf under an OR with another field
            ["|", ("empathy_why", "ilike", "hawaii"), ("is_company", "=", True)],
            ["&", ("empathy_why", "=ilike", "saving%"), ("is_company", "=", False)],
            [
                ("empathy_communication_style", "=", "factual"),
                ("empathy_motive_ids", "in", [cls.motive_hawaii.id]),
            ],
        ]

    # helpers ----------------------------------------------------------------
    def _found(self, user, domain, model="res.partner", records=None):
        records = self.trio if records is None else records
        Model = self.env[model].with_user(user)
        return Model.search(compat.domain_and([[("id", "in", records.ids)], domain]))

    def _variants(self, domain):
        """Return ``domain``, its negation and its negation of the negation."""
        # one term in prefix notation (a Domain of 19.0 iterates as one)
        normalized = list(compat.domain_and([domain]))
        return [domain, ["!", *normalized], ["!", "!", *normalized]]

    # domains ----------------------------------------------------------------
    def test_salesperson_finds_objecting_contact_as_blank(self):
        for base in self.domains:
            for domain in self._variants(base):
                with self.subTest(domain=domain):
                    found = self._found(self.user_sales, domain)
                    self.assertEqual(
                        self.hidden in found,
                        self.blank in found,
                        "the objecting contact is found by its hidden profile",
                    )
                    # a contact without a row answers as one with an empty row
                    self.assertEqual(self.empty in found, self.blank in found)
                    # the open contact keeps its profile: the answer is the manager's
                    self.assertEqual(
                        self.open in found, self.open in self._found(self.user_manager, domain)
                    )

    def test_salesperson_does_not_find_hidden_values(self):
        hawaii = self.motive_hawaii.id
        for domain, expected in [
            ([("empathy_motive_ids", "in", [hawaii])], self.open),
            ([("empathy_motive_ids.name", "ilike", "Hawaii")], self.open),
            ([("empathy_communication_style", "=", "factual")], self.open),
            ([("empathy_personal_notes", "ilike", "marathon")], self.open),
            ([("empathy_why", "ilike", "lifetime")], self.open),
            # a contact without a (visible) profile does not satisfy the condition
            (["!", ("empathy_why", "=ilike", "saving%")], self.hidden | self.blank | self.empty),
            (
                [("empathy_communication_style", "=", False)],
                self.hidden | self.blank | self.empty,
            ),
            (["!", ("empathy_motive_ids", "in", [hawaii])], self.hidden | self.blank | self.empty),
            (
                ["!", ("empathy_motive_ids.name", "ilike", "Hawaii")],
                self.hidden | self.blank | self.empty,
            ),
            (["!", ("empathy_communication_style", "=", False)], self.open),
            (["!", ("empathy_why", "not ilike", "trip")], self.open),
        ]:
            with self.subTest(domain=domain):
                self.assertEqual(self._found(self.user_sales, domain), expected)

    def test_manager_finds_real_values(self):
        for base in self.domains:
            for domain in self._variants(base):
                with self.subTest(domain=domain):
                    found = self._found(self.user_manager, domain)
                    self.assertEqual(self.hidden in found, self.open in found)
        domain = [("empathy_motive_ids", "in", [self.motive_hawaii.id])]
        self.assertEqual(self._found(self.user_manager, domain), self.hidden | self.open)
        self.assertEqual(
            self._found(self.env.user, [("empathy_why", "ilike", "hawaii")]),
            self.hidden | self.open,
        )

    def test_paths_from_other_models(self):
        lead_model = self.env["crm.lead"]
        leads = lead_model.create(
            [
                {"name": f"Lead {p.name}", "partner_id": p.id, "user_id": self.user_sales.id}
                for p in self.trio
            ]
        )
        orders = self.env["sale.order"].create(
            [{"partner_id": p.id, "user_id": self.user_sales.id} for p in self.trio]
        )
        by_partner = {
            "crm.lead": dict(zip(self.trio, leads, strict=True)),
            "sale.order": dict(zip(self.trio, orders, strict=True)),
        }
        hawaii = self.motive_hawaii.id
        for model, records in (("crm.lead", leads), ("sale.order", orders)):
            mapping = by_partner[model]
            for base in (
                [("partner_id.empathy_motive_ids", "in", [hawaii])],
                [("partner_id.empathy_motive_ids.name", "ilike", "Hawaii")],
                [("partner_id.empathy_communication_style", "=", "factual")],
                [("partner_id.empathy_communication_style", "=", False)],
                [("partner_id.empathy_personal_notes", "ilike", "marathon")],
                [("partner_id", "any", [("empathy_why", "ilike", "hawaii")])],
            ):
                for domain in self._variants(base):
                    with self.subTest(model=model, domain=domain):
                        found = self._found(self.user_sales, domain, model, records)
                        self.assertEqual(
                            mapping[self.hidden] in found, mapping[self.blank] in found
                        )
                        managed = self._found(self.user_manager, domain, model, records)
                        self.assertEqual(
                            mapping[self.hidden] in managed, mapping[self.open] in managed
                        )
            domain = [("partner_id.empathy_motive_ids", "in", [hawaii])]
            self.assertEqual(
                self._found(self.user_sales, domain, model, records), mapping[self.open]
            )

    def test_users_of_the_contact(self):
        """``res.users`` shows the fields of its partner: searched on the partner."""
        users = self.env["res.users"]
        for partner in self.trio:
            users |= users.create({"login": f"objsearch_{partner.id}", "partner_id": partner.id})
        hidden_user = users.filtered(lambda u: u.partner_id == self.hidden)
        open_user = users.filtered(lambda u: u.partner_id == self.open)
        domain = [("empathy_communication_style", "=", "factual")]
        self.assertEqual(self._found(self.user_sales, domain, "res.users", users), open_user)
        self.assertEqual(
            self._found(self.user_manager, domain, "res.users", users), hidden_user | open_user
        )

    # grouping ---------------------------------------------------------------
    def test_contacts_not_grouped_or_ordered_by_profile(self):
        """Non-stored: Odoo refuses, for everyone (no answer to compare)."""
        for user in (self.user_sales, self.user_manager):
            Partner = self.env["res.partner"].with_user(user)
            for fname in (
                "empathy_communication_style",
                "empathy_temperament",
                "empathy_motive_ids",
                "empathy_why",
            ):
                with self.subTest(user=user.login, fname=fname):
                    with self.assertRaises(ValueError):
                        Partner.read_group([("id", "in", self.trio.ids)], [fname], [fname])
                    with self.assertRaises(ValueError):
                        Partner.search([("id", "in", self.trio.ids)], order=f"{fname}, id")
            with self.assertRaises(ValueError):
                Partner._read_group([], [], ["empathy_temperament:count"])

    def _groups(self, user, fname):
        Profile = self.env["empathy.profile"].with_user(user)
        rows = Profile._read_group(
            [("partner_id", "in", self.trio.ids)], [fname], ["partner_id:recordset"]
        )
        return {(value.id if hasattr(value, "ids") else value): p for value, p in rows}

    def test_read_group_selection(self):
        for fname, value in (
            ("communication_style", "factual"),
            ("temperament", "demanding"),
            ("preferred_channel", "email"),
        ):
            with self.subTest(fname=fname):
                self.assertEqual(
                    self._groups(self.user_sales, fname), {value: self.open, False: self.empty}
                )
                self.assertEqual(
                    self._groups(self.user_manager, fname),
                    {value: self.hidden | self.open, False: self.empty},
                )

    def test_read_group_many2many(self):
        motives = self.motive_marathon | self.motive_hawaii | self.motive_gift
        self.assertEqual(
            self._groups(self.user_sales, "motive_ids"),
            {**{motive.id: self.open for motive in motives}, False: self.empty},
        )
        self.assertEqual(
            self._groups(self.user_manager, "motive_ids"),
            {**{motive.id: self.hidden | self.open for motive in motives}, False: self.empty},
        )
        self.assertEqual(
            self._groups(self.user_sales, "value_ids"),
            {self.value_sustainability.id: self.open, False: self.empty},
        )

    def test_read_group_counts_match_opened_groups(self):
        """What the list shows per group is what opening the group finds."""
        Profile = self.env["empathy.profile"].with_user(self.user_sales)
        domain = [("partner_id", "in", self.trio.ids)]
        for fname in ("communication_style", "temperament", "motive_ids"):
            with self.subTest(fname=fname):
                groups = Profile.read_group(domain, [fname], [fname])
                if fname != "motive_ids":  # the open and the empty row, once each
                    self.assertEqual(sum(group[f"{fname}_count"] for group in groups), 2)
                for group in groups:
                    self.assertEqual(
                        Profile.search_count(group["__domain"]), group[f"{fname}_count"]
                    )
                web = Profile.web_read_group(domain, [fname], [fname])
                self.assertEqual(
                    [g[f"{fname}_count"] for g in web["groups"]],
                    [g[f"{fname}_count"] for g in groups],
                )

    def test_aggregate_of_profile_field(self):
        Profile = self.env["empathy.profile"].with_user(self.user_sales)
        [(values,)] = Profile._read_group(
            [("partner_id", "in", (self.hidden | self.open).ids)],
            [],
            ["communication_style:array_agg"],
        )
        self.assertEqual(values, ["factual"])
        [(count,)] = Profile._read_group(
            [("partner_id", "=", self.hidden.id)], [], ["temperament:count"]
        )
        self.assertEqual(count, 0)

    # ordering ---------------------------------------------------------------
    def test_order_by_profile_field(self):
        domain = [("partner_id", "in", self.trio.ids)]
        Profile = self.env["empathy.profile"]
        for order in ("communication_style, id", "why desc, id", "temperament desc, id"):
            with self.subTest(order=order):
                self.assertEqual(
                    Profile.with_user(self.user_sales).search(domain, order=order).partner_id,
                    self.open | self.empty,
                )
        self.assertEqual(
            Profile.with_user(self.user_manager)
            .search(domain, order="communication_style, id")
            .mapped("partner_id")
            .ids,
            [self.hidden.id, self.open.id, self.empty.id],
        )
