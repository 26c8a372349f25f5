# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Browser tours: what salespeople and managers read (the impressions on a phone,
the manager's rapport report, the dialog's labels)."""

from datetime import datetime

from odoo.tests import new_test_user, tagged

from odoo.addons.empathic_crm.tools.protect_advisors import PROTECT_ADVISORS_PARAM

from .common import EmpathyStoryTourCommon

LONG_NOTE = (
    "Jonas told the whole story of his first marathon, the training plan for Kona, "
    "the shoes he tried and returned, his sister's wedding in June and why he will "
    "never run in cotton again. " * 4
)


@tagged("post_install", "-at_install", "empathic_crm")
class TestScreenTours(EmpathyStoryTourCommon):
    def test_impression_cards_phone_tour(self):
        """On a phone the contact's impressions are cards: date, advisor, five stars,
        the mood in words and a note kept to three lines, without sideways scrolling."""
        self.env["empathy.impression"].create(
            {
                "partner_id": self.partner.id,
                "user_id": self.ben.id,
                "rapport": 5,
                "mood": 2,
                "date": datetime.now().replace(microsecond=0),
                "note": LONG_NOTE,
            }
        )
        self.browser_size = "390x844"
        self.touch_enabled = True
        self._contact_tour("empathic_crm_impression_cards_phone_tour")

    def test_pipeline_phone_tour(self):
        """The card badge says what it is in words on a phone (no hover there)."""
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour("/odoo/crm", "empathic_crm_pipeline_phone_tour", login="admin")

    def test_suggestion_phone_tour(self):
        """On a salesperson's own lead, the colleague likely to click is named in words,
        on the pipeline card and on the lead, readable on a phone, without figures."""
        sara = new_test_user(
            self.env, login="emp_sara", name="Sara Sales", groups="sales_team.group_sale_salesman"
        )
        # nobody has met Lea; Ben clicks with easy-going emotional customers like Jonas
        lea = self.env["res.partner"].create(
            {
                "name": "Lea Newcomer",
                "empathy_communication_style": "emotional",
                "empathy_temperament": "easy",
            }
        )
        self.env["crm.lead"].create(
            {
                "name": "Lea's first shoes",
                "type": "opportunity",
                "partner_id": lea.id,
                "user_id": sara.id,
                "team_id": False,
            }
        )
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour("/odoo/crm", "empathic_crm_suggestion_phone_tour", login=sara.login)

    def test_assign_wizard_tour(self):
        """Assign to best advisor: a thin-evidence row switched on stays on, the counter
        speaks of the customers to move, no header or name is cut."""
        thin = self.env["res.partner"].create(
            {"name": "Theo Thinevidence", "user_id": self.admin.id}
        )
        self.env["empathy.impression"].create(
            {"partner_id": thin.id, "user_id": self.ben.id, "rapport": 5, "mood": 1}
        )
        self.env["empathy.rapport"]._empathy_refresh_scales()
        self.browser_size = "1400x900"
        self.start_tour(
            "/odoo/contacts?view_type=list", "empathic_crm_assign_wizard_tour", login="admin"
        )
        self.assertEqual(thin.user_id, self.ben, "the thin row switched on was moved")

    def test_rapport_report_tour(self):
        """The manager's report opens on customers: no total or bar per advisor, no
        internal sums among the measures."""
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(PROTECT_ADVISORS_PARAM))
        self.start_tour(
            "/odoo/action-empathic_crm.empathy_rapport_action",
            "empathic_crm_rapport_report_tour",
            login="admin",
        )

    def test_kind_report_tour(self):
        """Rapport by kind of customer opens on kinds: no total or bar per advisor, the
        fair deviation explained on the screen with one decimal, counts named by what
        they count, no technical grouping offered."""
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(PROTECT_ADVISORS_PARAM))
        self.start_tour(
            "/odoo/action-empathic_crm.empathy_kind_rapport_action",
            "empathic_crm_kind_report_tour",
            login="admin",
        )

    def test_dialog_labels_tour(self):
        """Every input of the impression dialog has a label, no label is doubled."""
        activity = self._schedule_call()
        self._contact_tour("empathic_crm_dialog_labels_tour")
        self.assertActivityDone(activity)
