# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import EmpathyCommon

PARTNER_FIELDS = [
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_why",
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_personal_notes",
    "empathy_briefing",
    "empathy_impression_ids",
    "empathy_impression_count",
    "empathy_rapport_ids",
    "empathy_best_advisor_id",
    "empathy_best_rapport",
    "empathy_last_impression_date",
    "empathy_mood_trend",
    "empathy_objection",
]


@tagged("post_install", "-at_install", "empathic_crm")
class TestSecurityMatrix(EmpathyCommon):
    """Role x operation matrix for the empathy models and the partner's empathy fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.impression_a = cls._impression(cls.runner, user=cls.user_sales)
        cls.impression_b = cls._impression(
            cls.runner, user=cls.user_sales_b, company_id=cls.company_b.id
        )

    def _can(self, func):
        try:
            with self.env.cr.savepoint():
                func()
        except AccessError:
            return False
        finally:
            self.env.invalidate_all()
        return True

    def test_matrix(self):
        roles = {
            "portal": self.user_portal,
            "public": self.user_public,
            "internal": self.user_internal,
            "user_a": self.user_sales,
            "user_a2": self.user_sales2,
            "user_b": self.user_sales_b,
            "manager": self.user_manager,
        }
        # (read A, write A, unlink A, create own, read B, read partner fields, search partner fields)
        expected = {
            "portal": (False, False, False, False, False, False, False),
            "public": (False, False, False, False, False, False, False),
            "internal": (False, False, False, False, False, False, False),
            "user_a": (True, True, True, True, False, True, True),
            "user_a2": (True, False, False, True, False, True, True),
            "user_b": (False, False, False, True, True, True, True),
            "manager": (True, True, True, True, False, True, True),
        }
        for role, user in roles.items():
            Impression = self.env["empathy.impression"].with_user(user)
            imp_a = self.impression_a.with_user(user)
            imp_b = self.impression_b.with_user(user)
            company = user.company_id
            got = (
                self._can(lambda imp_a=imp_a: imp_a.read(["rapport"])),
                self._can(lambda imp_a=imp_a: imp_a.write({"note": "x"})),
                self._can(
                    lambda user=user: (
                        self._impression(self.runner, user=self.user_sales).with_user(user).unlink()
                    )
                ),
                self._can(
                    lambda Impression=Impression, company=company: Impression.with_company(
                        company
                    ).create(
                        {
                            "partner_id": self.buyer.id,
                            "rapport": 3,
                            "mood": 0,
                            "company_id": company.id,
                        }
                    )
                ),
                self._can(lambda imp_b=imp_b: imp_b.read(["rapport"])),
                self._can(lambda user=user: self.runner.with_user(user).read(PARTNER_FIELDS)),
                self._can(
                    lambda user=user: (
                        self.env["res.partner"]
                        .with_user(user)
                        .search([("empathy_motive_ids", "in", self.motive_hawaii.ids)])
                    )
                ),
            )
            with self.subTest(role=role):
                self.assertEqual(got, expected[role])

    def test_partner_read_without_empathy_fields_still_works_for_portal(self):
        """Portal users read their own partner as usual, without any empathy field."""
        partner = self.user_portal.partner_id
        partner.sudo().empathy_why = "secret"
        data = partner.with_user(self.user_portal).read(["name"])
        self.assertEqual(data[0]["name"], partner.name)
        fields_seen = partner.with_user(self.user_portal).fields_get()
        self.assertFalse([f for f in fields_seen if f.startswith("empathy_")])
