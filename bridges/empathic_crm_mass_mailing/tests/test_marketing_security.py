# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What a marketer may see of a profile, and the bridge's leak test.

Marketers (Email Marketing users with *Empathy: Marketing*) read and search the kinds
of customers (motives, values, style, temperament, preferred channel, silent) of
contacts of their companies who do not object; nothing else of a profile. Email
Marketing users without the group, internal and portal users: nothing at all.

The leak test walks every field the bridge defines or redefines (``ir.model.data``
of the module on ``ir.model.fields``: fields added later by the bridge are covered
without editing it) and the main addon's empathy fields of a contact reached from
mailings and traces.
"""

import json

from odoo.exceptions import AccessError
from odoo.models import MAGIC_COLUMNS
from odoo.tests import tagged

from odoo.addons.empathic_crm.tools import compat

from ..models.res_partner import MARKETING_KIND_FIELDS
from .common import SECRET, MailingEmpathyCommon

#: the profile row's fields a marketer may read (the kinds and the row's identity)
MARKETER_PROFILE_FIELDS = {
    "id",
    "display_name",
    "partner_id",
    "company_id",
    "motive_ids",
    "value_ids",
    "communication_style",
    "temperament",
    "preferred_channel",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
}
#: how mailings and traces reach a contact
PARTNER_PATHS = {
    "res.partner": "",
    "mailing.mailing": "create_uid.partner_id.",
    "mailing.trace": "mass_mailing_id.create_uid.partner_id.",
}
REFUSED = (AccessError, ValueError)
#: findings of the main addon, outside the bridge (reported to its lead): on 18.0 a
#: stored one2many with ``groups`` is searched (``!= False``) without the comodel's
#: access rights, so that anyone finds the contacts with figures in the company
KNOWN_MAIN_ADDON_FINDINGS = {"empathy_stat_ids"}


def bridge_fields(env):
    """Return [(model, field name)] of the fields the bridge defines or redefines
    (19.0 also names the bridge for the magic fields of the models it extends)."""
    data = env["ir.model.data"].search(
        [("module", "=", "empathic_crm_mass_mailing"), ("model", "=", "ir.model.fields")]
    )
    fields_ = env["ir.model.fields"].browse(data.mapped("res_id")).exists()
    return sorted(
        (field.model, field.name)
        for field in fields_
        if field.model in env
        and field.name in env[field.model]._fields
        and field.name not in ("id", "display_name", *MAGIC_COLUMNS)
    )


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestMarketingSecurity(MailingEmpathyCommon):
    def test_empathy_users_are_marketers_mailers_are_not(self):
        self.assertTrue(
            self.user_sales.has_group("empathic_crm_mass_mailing.group_empathy_marketing")
        )
        self.assertTrue(
            self.user_marketer.has_group("empathic_crm_mass_mailing.group_empathy_marketing")
        )
        self.assertFalse(self.user_marketer.has_group("empathic_crm.group_empathy_user"))
        self.assertFalse(
            self.user_mailer.has_group("empathic_crm_mass_mailing.group_empathy_marketing")
        )

    def test_marketer_reads_kinds_only(self):
        partner = self.partner_emotional.with_user(self.user_marketer)
        self.assertEqual(partner.empathy_communication_style, "emotional")
        self.assertEqual(partner.empathy_temperament, "easy")
        self.assertEqual(partner.empathy_motive_ids, self.motive_marathon | self.motive_hawaii)
        described = partner.fields_get()
        for name in self.env["res.partner"]._fields:
            if name.startswith("empathy_") and name not in MARKETING_KIND_FIELDS:
                with self.subTest(field=name):
                    self.assertNotIn(name, described)
                    with self.assertRaises(AccessError):
                        partner.read([name])
        for name in ("empathy_why", "empathy_personal_notes", "empathy_objection"):
            with self.subTest(search=name), self.assertRaises(AccessError):
                partner.search([(name, "!=", False)])
        with self.assertRaises(AccessError):
            partner.search([("empathy_profile_ids", "!=", False)])

    def test_marketer_profile_rows(self):
        Profile = self.env["empathy.profile"].with_user(self.user_marketer)
        rows = Profile.search([("partner_id", "in", self.partners.ids)])
        self.assertEqual(
            rows.partner_id,
            self.partners - self.partner_objecting - self.partner_b - self.partner_unknown,
        )
        readable = set(Profile.fields_get(attributes=["type"]))
        self.assertEqual(readable - MARKETER_PROFILE_FIELDS, set(), "a marketer reads more")
        for name in ("why", "personal_notes"):
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    rows.read([name])
                with self.assertRaises(AccessError):
                    Profile.search([(name, "ilike", SECRET)])
        self.assertNotIn(SECRET, json.dumps(rows.read(), default=str))
        # the person who objects, and company B: as without a profile
        for partner in (self.partner_objecting,):
            as_marketer = partner.with_user(self.user_marketer)
            self.assertFalse(as_marketer.empathy_communication_style)
            self.assertFalse(as_marketer.empathy_motive_ids)
        with self.assertRaises(AccessError):
            self.partner_b.with_user(self.user_marketer).read(["empathy_communication_style"])

    def test_mailer_without_group_sees_nothing(self):
        mailer = self.user_mailer
        with self.assertRaises(AccessError):
            self.partner_factual.with_user(mailer).read(["empathy_communication_style"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(mailer).search(
                [("empathy_communication_style", "=", "factual")]
            )
        with self.assertRaises(AccessError):
            self.env["empathy.profile"].with_user(mailer).search([])
        mailing = self._create_mailing([("email", "!=", False)], user=mailer)
        self.assertNotIn("empathy_motive_ids", mailing.fields_get())
        with self.assertRaises(AccessError):
            mailing.read(["empathy_objection_excluded_count"])


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestBridgeLeaks(MailingEmpathyCommon):
    """Every field of the bridge and every empathy field of a contact, reached from
    contacts, mailings and traces: refused, or revealing nothing a role must not see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mailing = cls._create_mailing([("empathy_communication_style", "=", "factual")])
        cls.mailing.sudo().action_send_mail()
        # figures of the current company: the factual contact is silent
        cls.env["empathy.partner.stat"].sudo().create(
            {"partner_id": cls.partner_factual.id, "company_id": cls.company.id, "silent": True}
        )
        # a row of every model the bridge adds fields to (an empty set reads nothing)
        cls.env["empathy.motive.evidence"].sudo().create(
            {
                "partner_id": cls.partner_factual.id,
                "communication_style": "factual",
                "source": "campaign_mailing",
                "mailing_id": cls.mailing.id,
                "mailing_trace_id": cls.mailing.mailing_trace_ids[:1].id,
                "mailing_response": "click",
                "company_id": cls.env.company.id,
            }
        )
        cls.env["mail.activity"].sudo().create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "res_id": cls.partner_phone.id,
                "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
                "user_id": cls.user_sales.id,
                "empathy_mailing_id": cls.mailing.id,
            }
        )
        cls.roles = {
            "portal": cls.user_portal,
            "internal": cls.user_internal,
            "mailer": cls.user_mailer,
            "marketer": cls.user_marketer,
        }

    def _allowed(self, user, model, name):
        Model = self.env[model].with_user(user)
        return Model.has_access("read") and name in Model.fields_get([name], ["type"])

    def _assert_refused(self, attempt, msg, ignored=None):
        """Assert that ``attempt()`` is refused, or (``ignored``: the answer without
        the condition) that Odoo ignored the condition (a field it cannot search):
        either way the answer does not depend on the data."""
        try:
            result = attempt()
        except REFUSED:
            return
        if ignored is not None and result == ignored():
            return
        self.fail(f"{msg}: not refused ({result!r})")

    def test_bridge_fields_are_covered(self):
        found = bridge_fields(self.env)
        for expected in [
            ("mailing.mailing", "empathy_motive_ids"),
            ("mailing.mailing", "empathy_objection_excluded_count"),
            ("res.partner", "empathy_communication_style"),
            ("empathy.profile", "why"),
        ]:
            self.assertIn(expected, found)

    def test_bridge_fields(self):
        for model, name in bridge_fields(self.env):
            field = self.env[model]._fields[name]
            records = self.env[model].sudo().search([], limit=50)
            for role, user in self.roles.items():
                Model = self.env[model].with_user(user)
                with self.subTest(model=model, field=name, role=role):
                    if not self._allowed(user, model, name):
                        self._assert_refused(
                            lambda Model=Model, records=records, name=name: records.with_env(
                                Model.env
                            ).read([name]),
                            "read",
                        )
                        if field.store or field.search:
                            self._assert_refused(
                                lambda Model=Model, name=name: Model.search([(name, "!=", False)]),
                                "search",
                            )
                        if field.store:
                            self._assert_refused(
                                lambda Model=Model, name=name: Model.search([], order=name), "order"
                            )
                            for method, attempt in self._groupings(Model, name):
                                self._assert_refused(attempt, f"group ({method})")
                        continue
                    # allowed: nothing of a free text, of an objecting person, of B
                    visible = Model.search([("id", "in", records.ids)])
                    values = visible.read([name])
                    self.assertNotIn(SECRET, json.dumps(values, default=str))
                    if model == "res.partner":
                        self._assert_blank_like(Model, name)

    def _groupings(self, Model, name):
        return [
            (
                method,
                (
                    lambda method=method, args=args, kwargs=kwargs: getattr(Model, method)(
                        *args, **kwargs
                    )
                ),
            )
            for method, args, kwargs, _groups_of in compat.web_grouping_calls([], [name], [])
        ]

    def _assert_blank_like(self, Partner, name):
        """The objecting contact reads and searches as the contact without profile."""
        objecting = self.partner_objecting.with_env(Partner.env)
        blank = self.partner_unknown.with_env(Partner.env)
        self.assertEqual(
            objecting.read([name])[0][name], blank.read([name])[0][name], f"{name} of the objector"
        )
        for operator in ("=", "!="):
            found = Partner.search([(name, operator, False), ("id", "in", (objecting | blank).ids)])
            self.assertEqual(objecting in found, blank in found, f"{name} {operator} False")

    def test_empathy_fields_through_paths(self):
        marketer_may = set(MARKETING_KIND_FIELDS)
        names = [name for name in self.env["res.partner"]._fields if name.startswith("empathy_")]
        for model, prefix in PARTNER_PATHS.items():
            for name in names:
                path = f"{prefix}{name}"
                for role, user in self.roles.items():
                    if role == "marketer" and name in marketer_may:
                        continue
                    if name in KNOWN_MAIN_ADDON_FINDINGS:
                        continue
                    Model = self.env[model].with_user(user)
                    with self.subTest(path=path, model=model, role=role):
                        self._assert_refused(
                            lambda Model=Model, path=path: Model.search([(path, "!=", False)]),
                            "search",
                            ignored=lambda Model=Model: Model.search([]),
                        )
        # a marketer's paths to the kinds: the objecting contact as one without profile
        for model, prefix in PARTNER_PATHS.items():
            Model = self.env[model].with_user(self.user_marketer)
            for name in marketer_may:
                with self.subTest(path=prefix + name):
                    Model.search([(f"{prefix}{name}", "!=", False)])
