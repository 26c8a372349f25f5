# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What works for whom: the report's counts and rates against a hand-computed case."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ._responses_common import ResponsesCase


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestKindReport(ResponsesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fact, cls.story = cls._create_pair()
        P = cls.partner_factual, cls.partner_emotional, cls.partner_unknown
        factual, emotional, unknown = P
        objecting = cls.partner_objecting
        # the fact version: Fiona (factual) clicks, Udo (unknown) opens, Olga
        # (objecting, factual profile) replies; the story version: Emil (emotional)
        # replies, a second emotional contact receives it and does nothing
        cls.emotional2 = cls.env["res.partner"].create(
            {
                "name": "Eva Story",
                "email": "eva@example.com",
                "empathy_communication_style": "emotional",
                "empathy_temperament": "easy",
            }
        )
        clicked = cls._trace(cls.fact, factual)
        clicked.set_opened()  # a click opens, as link.tracker.click.add_click does
        clicked.set_clicked()
        cls._trace(cls.fact, factual).set_opened()
        cls._trace(cls.fact, unknown).set_opened()
        cls._trace(cls.fact, objecting).set_replied()
        cls._trace(cls.story, emotional).set_replied()
        cls._trace(cls.story, cls.emotional2)
        # not sent (an error): counts nowhere but in nothing sent
        cls._trace(cls.story, unknown, sent_datetime=False, trace_status="error")

    def _rows(self, domain, groupby):
        Report = self.env["empathy.mailing.kind.report"]
        groups = Report._read_group(
            [("mailing_id", "in", (self.fact | self.story).ids), *domain],
            groupby,
            [
                "sent:sum",
                "opened:sum",
                "clicked:sum",
                "replied:sum",
                "open_rate:avg",
                "click_rate:avg",
                "reply_rate:avg",
            ],
        )
        return {
            tuple(key.id if hasattr(key, "_name") else key for key in row[: len(groupby)]): tuple(
                round(value, 2) if isinstance(value, float) else value
                for value in row[len(groupby) :]
            )
            for row in groups
        }

    def test_counts_and_rates_per_style_and_version(self):
        rows = self._rows([("dimension", "=", "style")], ["version", "kind"])
        # (sent, opened, clicked, replied, open %, click %, reply %)
        self.assertEqual(
            rows,
            {
                # Fiona: 2 mails, both opened (a click opens), one clicked
                ("factual", "factual"): (2, 2, 1, 0, 100.0, 50.0, 0.0),
                # Udo opened; Olga objects: unknown, her reply counts there
                ("factual", "unknown"): (2, 2, 0, 1, 100.0, 0.0, 50.0),
                # Emil replied, Eva did nothing
                ("emotional", "emotional"): (2, 1, 0, 1, 50.0, 0.0, 50.0),
                # Udo's failed mail: not sent
                ("emotional", "unknown"): (0, 0, 0, 0, False, False, False),
            },
        )

    def test_rates_weighted_over_groups(self):
        # the whole fact version: 4 sent, 4 opened, 1 click, 1 reply (not a mean of rates)
        rows = self._rows([("dimension", "=", "style")], ["version"])
        self.assertEqual(rows[("factual",)], (4, 4, 1, 1, 100.0, 25.0, 25.0))
        self.assertEqual(rows[("emotional",)], (2, 1, 0, 1, 50.0, 0.0, 50.0))

    def test_temperament_and_motive_rows(self):
        rows = self._rows([("dimension", "=", "temperament")], ["kind"])
        self.assertEqual(rows[("demanding",)][:4], (2, 2, 1, 0))
        self.assertEqual(rows[("easy",)][:4], (2, 1, 0, 1))
        self.assertEqual(rows[("unknown",)][:4], (2, 2, 0, 1))
        motives = self._rows([("dimension", "=", "motive")], ["motive_id"])
        # marathon: Fiona (2 mails) and Emil; hawaii: Emil (Olga objects: not counted)
        self.assertEqual(motives[(self.motive_marathon.id,)][:4], (3, 3, 1, 1))
        self.assertEqual(motives[(self.motive_hawaii.id,)][:4], (1, 1, 0, 1))

    def test_never_per_person_nor_salesperson(self):
        Report = self.env["empathy.mailing.kind.report"]
        for name, field in Report._fields.items():
            if field.type == "many2one":
                self.assertNotIn(field.comodel_name, ("res.partner", "res.users"), name)

    def test_access_marketers_and_managers(self):
        Report = self.env["empathy.mailing.kind.report"]
        marketer = new_test_user(
            self.env,
            login="mmrep_marketer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "empathic_crm_mass_mailing.group_empathy_marketing",
        )
        mailer = new_test_user(
            self.env,
            login="mmrep_mailer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        self.assertTrue(Report.with_user(marketer).search_count([]))
        self.assertTrue(Report.with_user(self.user_manager).search_count([]))
        with self.assertRaises(AccessError):
            Report.with_user(mailer).search_count([])

    def test_button_from_the_mailing_shows_both_versions(self):
        action = self.fact.action_empathy_kind_report()
        self.assertEqual(action["res_model"], "empathy.mailing.kind.report")
        report = self.env["empathy.mailing.kind.report"].search(action["domain"])
        self.assertEqual(set(report.mailing_id.ids), {self.fact.id, self.story.id})
