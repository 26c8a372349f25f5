# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The compact briefing where salespeople act: pipeline, calendar, composer,
activity popovers, the impression dialog and the handover To-Do."""

import json
import re

from markupsafe import escape as html_escape

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.empathic_crm.tools import compat

from .common import EmpathyCommon

#: queries the kanban badge (mood trend + my rapport) adds to the pipeline's
#: web_search_read, whatever the number of cards
KANBAN_BADGE_QUERIES = 3


@tagged("post_install", "-at_install", "empathic_crm")
class TestCompactBriefing(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner.with_context(empathy_no_handover=True).user_id = cls.user_sales
        cls._impression(cls.runner, user=cls.user_sales2, days_ago=30, rapport=5, mood=2)
        cls._impression(
            cls.runner,
            user=cls.user_sales,
            days_ago=1,
            rapport=4,
            mood=1,
            note="Asked about the heat in Kona.",
            motive_ids=[Command.set(cls.motive_hawaii.ids)],
        )
        cls.company_partner = cls.env["res.partner"].create(
            {
                "name": "Running Club Berlin",
                "is_company": True,
                "empathy_communication_style": "factual",
                "empathy_temperament": "demanding",
            }
        )
        cls.club_contact = cls.env["res.partner"].create(
            {"name": "Club Member", "parent_id": cls.company_partner.id}
        )

    def _my_fair(self, partner, user):
        row = self.env["empathy.rapport"].search(
            [("partner_id", "=", partner.id), ("user_id", "=", user.id)]
        )
        return row.fair_score

    def _compact(self, partner, user=None, **context):
        partner = partner.with_user(user or self.user_sales).with_context(**context)
        partner.invalidate_recordset(["empathy_briefing_compact"])
        return str(partner.empathy_briefing_compact)

    # ------------------------------------------------------------------
    # the component
    # ------------------------------------------------------------------
    def test_compact_lines(self):
        html = self._compact(self.runner)
        self.assertIn("Emotion-oriented: tell a story", html)
        self.assertIn("easy-going: a relaxed, personal tone", html)
        self.assertIn("prefers Phone", html)
        self.assertRegex(
            html, r"Hawaii trip \(heard May 31(, 2026)?\)", "motives say when they were heard"
        )
        self.assertIn("Marathon", html)
        self.assertIn("Born to Run", html)
        best = self.runner.empathy_best_advisor_id
        self.assertIn(best, self.user_sales | self.user_sales2)
        rows = self.env["empathy.rapport"].search([("partner_id", "=", self.runner.id)])
        shown = {row.user_id: "%.1f" % row.fair_score for row in rows}
        for reader in self.user_sales | self.user_sales2:
            colleague = (self.user_sales | self.user_sales2) - reader
            html_of = self._compact(self.runner, reader)
            # one figure per pair, the fair one; "you" where the reader is meant; figures
            # that read the same are a tie, said as such
            if shown[reader] == shown[colleague]:
                expected = "yours %s / 5, as good as %s: the best in the team" % (
                    shown[reader],
                    colleague.name,
                )
            elif best == reader:
                expected = "yours %s / 5, the best in the team" % shown[reader]
            else:
                expected = "yours %s / 5 · %s clicks best (%s / 5)" % (
                    shown[reader],
                    best.name,
                    shown[best],
                )
            self.assertIn(expected, html_of)
            self.assertEqual(html_of.count(" / 5"), 2 if expected.count(" / 5") == 2 else 1)
            self.assertNotIn(reader.name + " clicks best", html_of)
        self.assertIn("Mood trend:", html)
        self.assertRegex(
            html, r"May 31(, 2026)?, you: ★★★★☆ Pleased\. Asked about the heat in Kona\."
        )
        self.assertNotIn("🙂", html, "no emoji: not every machine has a font for them")
        self.assertLessEqual(html.count("o_empathy_compact_line"), 6)
        self.assertGreaterEqual(html.count("o_empathy_compact_line"), 3)

    def test_compact_user_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["empathic_crm"], ["de_DE"], overwrite=True)
        self._impression(self.runner, user=self.user_sales, days_ago=0, rapport=5, mood=1)
        html = self._compact(self.runner, lang="de_DE")
        # the short day with its period, as every date of the briefing ("1. Juni")
        self.assertRegex(html, r"1\. Juni( 2026)?, Sie:", "dates in the language's format")
        self.assertRegex(html, r"\d,\d / 5", "decimal comma in German")
        self.assertNotIn("Emotion-oriented", html)

    def test_full_briefing_and_explanations_in_german(self):
        """What a German salesperson and manager read: German words, the German number
        and date format, one term for rapport (Draht), no emoji, no English left."""
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"]._load_module_terms(["empathic_crm"], ["de_DE"], overwrite=True)
        self._impression(self.runner, user=self.user_sales, days_ago=0, rapport=5, mood=1)
        self.env["empathy.rapport"]._empathy_refresh_scales()
        newcomer = self.env["res.partner"].create(
            {"name": "Neue Kundin", "empathy_communication_style": "emotional"}
        )
        texts = {}
        for role, user in (("sales", self.user_sales), ("manager", self.user_manager)):
            runner = self.runner.with_user(user).with_context(lang="de_DE")
            runner.invalidate_recordset()
            texts[f"{role} briefing"] = str(runner.empathy_briefing)
            texts[f"{role} compact"] = self._compact(self.runner, user=user, lang="de_DE")
            texts[f"{role} new contact"] = str(
                newcomer.with_user(user).with_context(lang="de_DE").empathy_briefing
            )
        rows = (
            self.env["empathy.rapport"]
            .with_user(self.user_manager)
            .with_context(lang="de_DE")
            .search([("partner_id", "=", self.runner.id)])
        )
        for row in rows:
            texts[f"explanation {row.user_id.name}"] = row.fair_explanation
        for fit in (
            newcomer.with_user(self.user_manager).with_context(lang="de_DE").empathy_advisor_fit()
        ):
            texts[f"fit {fit['user_id']}"] = fit["explanation"]
        self.assertIn("Draht", texts["sales briefing"])
        self.assertIn("Draht", texts["sales compact"])
        english = re.compile(
            r"\b(the|you|yours|rapport|impressions?|rates|stars?|team average|Mood|Last"
            r"|heard|clicks?|customers?|from|with|best)\b"
        )
        for name, text in texts.items():
            visible = re.sub(r"<[^>]+>", " ", text)
            # the personal notes are the salesperson's own words (here English)
            for own_words in ("Favourite book: Born to Run.", "Runs the Honolulu Marathon"):
                visible = visible.replace(own_words, "")
            dateless = re.sub(r"\d{2}\.\d{2}\.\d{4}", "", visible)
            with self.subTest(name):
                self.assertNotRegex(dateless, r"\d\.\d", "decimal point in German")
                self.assertNotRegex(visible, r"\d{2}/\d{2}/\d{4}", "English date")
                self.assertNotRegex(visible, r"\bRapport\b|Chemie")
                self.assertIsNone(english.search(visible), visible)
                self.assertNotRegex(visible, r"[\U0001F300-\U0001FAFF\u2639\u263A]", "emoji")
        self.assertRegex(texts["sales briefing"], r"\d,\d / 5")
        self.assertIn("bei Ihnen", texts["sales compact"])
        # one German word per kind of customer, in the compact and in the full briefing
        self.assertIn("Emotions- und designorientiert:", texts["sales compact"])
        self.assertIn("umgänglich:", texts["sales compact"])
        self.assertIn("Umgänglich:", texts["sales briefing"])

    def test_ties_read_as_ties(self):
        """Two advisors whose fair rapport reads the same: a tie, never a ranking."""
        Users = self.env["res.users"].with_context(no_reset_password=True)
        salesman = self.env.ref("sales_team.group_sale_salesman")
        ada, bo = (
            Users.create(
                {
                    "name": name,
                    "login": f"emp_tie_{name}",
                    compat.user_groups_field(): [Command.set(salesman.ids)],
                }
            )
            for name in ("Ada Alpha", "Bo Beta")
        )
        tied = self.env["res.partner"].create({"name": "Tina Tie"})
        other = self.env["res.partner"].create({"name": "Otto Other"})
        # the same ratings on the same days: the same fair rapport, to the last decimal
        for user in (ada, bo):
            self._impression(tied, user=user, days_ago=5, rapport=4)
            self._impression(other, user=user, days_ago=6, rapport=2)
        self.env["empathy.rapport"]._empathy_refresh_scales()
        tied.invalidate_recordset()
        self.assertIn(tied.empathy_best_advisor_id, ada | bo)
        score = self._my_fair(tied, ada)
        self.assertEqual(score, self._my_fair(tied, bo))
        shown = "%.1f" % score
        for reader, colleague in ((ada, bo), (bo, ada)):
            with self.subTest(reader=reader.name):
                html = self._compact(tied, reader)
                self.assertIn(
                    f"yours {shown} / 5, as good as {colleague.name}: the best in the team", html
                )
                self.assertNotIn("clicks best", html)
        html = self._compact(tied, self.user_manager)
        self.assertIn(f"Ada Alpha and Bo Beta click best ({shown} / 5)", html)
        self.assertNotIn("clicks best", html)

    def test_briefing_as_data(self):
        """The lines of both briefings as data: what the web client renders, the API
        returns and the client reads (no markup in them)."""
        runner = self.runner.with_user(self.user_sales)
        (full,) = runner.empathy_briefing_data()
        (compact,) = runner.empathy_briefing_data(compact=True)
        self.assertEqual(json.loads(json.dumps([full, compact])), [full, compact])
        self.assertEqual((full["partner_id"], full["name"]), (self.runner.id, "Jonas Keller"))
        kinds = [line["kind"] for line in full["lines"]]
        for kind in ("style", "temperament", "motives", "values", "why", "channel", "notes"):
            self.assertIn(kind, kinds)
        lines = {line["kind"]: line for line in full["lines"]}
        self.assertEqual(lines["style"]["code"], "emotional")
        self.assertEqual(lines["values"]["label"], "Values:")
        self.assertEqual(
            {item["id"] for item in lines["motives"]["items"]},
            set(self.runner.empathy_motive_ids.ids),
        )
        self.assertEqual(lines["best_advisor"]["user_id"], self.runner.empathy_best_advisor_id.id)
        compact_lines = {line["kind"]: line for line in compact["lines"]}
        self.assertEqual(
            [line["kind"] for line in compact["lines"]],
            ["tone", "motives", "notes", "rapport", "mood_trend", "last_impression"],
        )
        last = compact_lines["last_impression"]["impression"]
        self.assertEqual((last["rapport"], last["mood"]), (4, 1))
        self.assertEqual(compact_lines["last_impression"]["value"], last["text"])
        for line in full["lines"] + compact["lines"]:
            self.assertNotIn("<", line["value"], "text, not markup")
            self.assertIn(line["level"], ("info", "success", "warning", "danger", "muted"))
        # the web client's HTML is the rendering of the same lines
        html = str(runner.empathy_briefing)
        for line in full["lines"]:
            self.assertIn(html_escape(line["value"]), html)
        # as the fields: objecting contacts say so only, other users get nothing
        self.runner.empathy_objection = True
        (objecting,) = runner.empathy_briefing_data(compact=True)
        self.assertEqual([line["kind"] for line in objecting["lines"]], ["objection"])
        for user in (self.user_internal, self.user_portal):
            with self.assertRaises(AccessError):
                self.runner.with_user(user).empathy_briefing_data()

    def test_compact_objection_and_empty(self):
        self.runner.empathy_objection = True
        html = self._compact(self.runner)
        self.assertIn("Objects to profiling", html)
        for secret in ("Born to Run", "Hawaii", "Kona", "Sam Second", "Emotion"):
            self.assertNotIn(secret, html)
        # a company objecting covers its contacts
        self.company_partner.empathy_objection = True
        self.assertIn("Objects to profiling", self._compact(self.club_contact))
        self.assertIn("Nothing known yet", self._compact(self.plain))

    def test_compact_guarded(self):
        for user in (self.user_internal, self.user_portal):
            with self.assertRaises(AccessError):
                self.runner.with_user(user).read(["empathy_briefing_compact"])

    def test_compact_set_based(self):
        partners = self.env["res.partner"].create(
            [{"name": "Runner %s" % i, "empathy_communication_style": "factual"} for i in range(30)]
        )
        for partner in partners[:10]:
            self._impression(partner, rapport=3, mood=0, note="Fine")
        # warm-up, from cold records: the user's access rules are computed once
        self.env.invalidate_all()
        partners.with_user(self.user_sales)._empathy_briefing_data(compact=True)  # warm-up
        counts = []
        for batch in (partners[:5], partners):
            batch = batch.with_user(self.user_sales)
            self.env.invalidate_all()
            before = self.cr.sql_log_count
            batch._empathy_briefing_data(compact=True)
            counts.append(self.cr.sql_log_count - before)
        # the same queries for 5 and 30 partners (± the current user's company/partner,
        # which the cache may hold or not); a query per partner would add 25; the
        # profiles are rows of their own (one query more than columns of the contact)
        self.assertLessEqual(abs(counts[1] - counts[0]), 1, counts)
        self.assertLessEqual(counts[1], 13)

    def test_contact_list_and_kanban_columns(self):
        Partner = self.env["res.partner"].with_user(self.user_sales)
        views = Partner.get_views([(False, "list"), (False, "kanban")])["views"]
        list_arch = views["list"]["arch"]
        for name in (
            "empathy_best_advisor_id",
            "empathy_best_rapport",
            "empathy_mood_trend",
            "empathy_last_impression_date",
        ):
            self.assertRegex(list_arch, r'name="%s"[^>]*optional="hide"' % name)
            self.assertIn('name="%s"' % name, views["kanban"]["arch"])
        # blank, not 0.00, for contacts without impressions
        self.assertRegex(
            list_arch, r'name="empathy_best_rapport"[^>]*invisible="not empathy_best_advisor_id"'
        )
        # users without empathy access get none of it
        internal = self.env["res.partner"].with_user(self.user_internal)
        views = internal.get_views([(False, "list"), (False, "kanban")])["views"]
        self.assertNotIn("empathy_", views["list"]["arch"] + views["kanban"]["arch"])

    # ------------------------------------------------------------------
    # pipeline: form, kanban badge, filters
    # ------------------------------------------------------------------
    def test_lead_briefing_contact_then_company(self):
        Lead = self.env["crm.lead"].with_user(self.user_sales)
        lead = Lead.create(
            {"name": "Hawaii kit", "partner_id": self.runner.id, "type": "opportunity"}
        )
        self.assertEqual(lead.empathy_partner_id, self.runner)
        self.assertIn("Born to Run", str(lead.empathy_briefing))
        # the badge shows the fair rapport, the one figure of the briefing
        fair = self._my_fair(self.runner, self.user_sales)
        self.assertTrue(fair)
        self.assertEqual(lead.empathy_my_rapport, round(fair, 1))
        # nothing known about the contact: the company's briefing
        club = Lead.create({"name": "Club shirts", "partner_id": self.club_contact.id})
        self.assertEqual(club.empathy_partner_id, self.company_partner)
        self.assertIn(
            "Fact-oriented: lead with figures; demanding: confirm in writing",
            str(club.empathy_briefing),
        )
        self.assertFalse(Lead.create({"name": "Nobody"}).empathy_briefing)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_internal).read(["empathy_briefing"])

    def test_pipeline_filters(self):
        Lead = self.env["crm.lead"].with_user(self.user_sales)
        mine = Lead.create({"name": "Runner deal", "partner_id": self.runner.id})
        club = Lead.create({"name": "Club deal", "partner_id": self.club_contact.id})
        other = Lead.create({"name": "Plain deal", "partner_id": self.plain.id})
        leads = mine | club | other
        domain = [("id", "in", leads.ids)]
        fair = self._my_fair(self.runner, self.user_sales)
        self.assertEqual(Lead.search([*domain, ("empathy_my_rapport", ">=", fair)]), mine)
        self.assertFalse(Lead.search([*domain, ("empathy_my_rapport", ">", fair)]))
        self.assertFalse(
            Lead.with_user(self.user_sales2).search([*domain, ("empathy_my_rapport", ">=", 5.5)])
        )
        # the club's mood declines: its contact's lead (nothing known of him) follows
        for days, mood in ((60, 2), (50, 2), (40, 2), (3, -2), (2, -2), (1, -2)):
            self._impression(self.company_partner, days_ago=days, mood=mood)
        self.assertEqual(self.company_partner.empathy_mood_trend, "declining")
        self.assertEqual(club.empathy_mood_trend, "declining")
        self.assertEqual(Lead.search([*domain, ("empathy_mood_trend", "=", "declining")]), club)
        # objecting: no badge, not in the filters
        self.company_partner.empathy_objection = True
        self.assertFalse(Lead.search([*domain, ("empathy_mood_trend", "=", "declining")]))

    def _kanban_spec(self, with_empathy):
        spec = {
            "name": {},
            "partner_id": {"fields": {"display_name": {}}},
            "expected_revenue": {},
            "priority": {},
            "stage_id": {"fields": {"display_name": {}}},
            "user_id": {"fields": {"display_name": {}}},
            "tag_ids": {"fields": {"display_name": {}, "color": {}}},
            "activity_ids": {"fields": {}},
        }
        if with_empathy:
            spec.update({"empathy_mood_trend": {}, "empathy_my_rapport": {}})
        return spec

    def _pipeline_queries(self, with_empathy, domain):
        Lead = self.env["crm.lead"].with_user(self.user_sales)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        result = Lead.web_search_read(domain, self._kanban_spec(with_empathy), limit=80)
        return self.cr.sql_log_count - before, result

    def test_pipeline_kanban_query_count(self):
        customers = self.env["res.partner"].create(
            [{"name": "Customer %s" % i, "empathy_temperament": "easy"} for i in range(80)]
        )
        for customer in customers[::4]:
            self._impression(customer, rapport=4, mood=1)
        leads = self.env["crm.lead"].create(
            [
                {"name": "Deal %s" % i, "partner_id": customer.id, "user_id": self.user_sales.id}
                for i, customer in enumerate(customers)
            ]
        )
        extra = {}
        for size in (10, 80):
            domain = [("id", "in", leads[:size].ids)]
            self._pipeline_queries(True, domain)  # warm-up (ormcache, prefetch of views)
            without, _result = self._pipeline_queries(False, domain)
            with_badge, result = self._pipeline_queries(True, domain)
            self.assertEqual(len(result["records"]), size)
            extra[size] = with_badge - without
        self.assertEqual(extra[10], extra[80], "the badge must not cost queries per card")
        self.assertEqual(extra[80], KANBAN_BADGE_QUERIES)
        domain = [("id", "in", leads.ids)]
        without, _result = self._pipeline_queries(False, domain)
        self.env.invalidate_all()
        with self.assertQueryCount(without + KANBAN_BADGE_QUERIES):
            self.env["crm.lead"].with_user(self.user_sales).web_search_read(
                domain, self._kanban_spec(True), limit=80
            )
        rapports = [rec["empathy_my_rapport"] for rec in result["records"]]
        self.assertEqual(len([rapport for rapport in rapports if rapport]), 20)
        by_partner = {
            rec["partner_id"]["id"]: rec["empathy_my_rapport"] for rec in result["records"]
        }
        fair = self._my_fair(customers[0], self.user_sales)
        self.assertEqual(by_partner[customers[0].id], round(fair, 1), "the fair rapport")

    # ------------------------------------------------------------------
    # calendar, composer, activities, dialog
    # ------------------------------------------------------------------
    def test_calendar_event_briefing(self):
        event = (
            self.env["calendar.event"]
            .with_user(self.user_sales)
            .create(
                {
                    "name": "Fitting",
                    "start": "2026-06-02 10:00:00",
                    "stop": "2026-06-02 11:00:00",
                    "partner_ids": [
                        Command.set((self.runner | self.plain | self.user_sales2.partner_id).ids)
                    ],
                }
            )
        )
        html = str(event.empathy_briefing)
        self.assertIn("Jonas Keller", html)
        self.assertIn("Born to Run", html)
        self.assertNotIn("Plain Customer", html, "nothing known: not briefed")
        self.assertNotIn("Sam Second</strong>", html, "colleagues are not briefed")
        with self.assertRaises(AccessError):
            event.with_user(self.user_internal).read(["empathy_briefing"])

    def test_composer_style_hint_not_in_mail(self):
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(self.user_sales)
            .with_context(
                default_model="res.partner",
                default_res_ids=self.runner.ids,
                default_composition_mode="comment",
                default_partner_ids=(self.runner | self.buyer).ids,
            )
        )
        hint = str(composer.empathy_style_hint)
        self.assertIn("Jonas Keller:</strong> Emotion-oriented: tell a story", hint)
        self.assertIn("Petra Schmidt:</strong> Fact-oriented: lead with figures", hint)
        composer.body = "<p>Hello Jonas</p>"
        composer.save().action_send_mail()
        message = self.runner.message_ids[0]
        self.assertIn("Hello Jonas", str(message.body))
        self.assertNotIn("Emotion-oriented", str(message.body))
        self.assertNotIn("lead with figures", str(message.body))

    def test_activity_briefing_gated_only_and_guarded(self):
        call = self._activity(self.runner)
        todo = self._activity(self.runner, activity_type=self.todo_type, summary="Send catalogue")
        self.assertIn("Born to Run", str(call.empathy_briefing))
        self.assertFalse(todo.empathy_briefing)
        # what the chatter and the popovers get (compat.store_defaults_api())
        data = call.activity_format()["mail.activity"][0]
        self.assertIn("Born to Run", data["empathy_briefing"])
        self.assertTrue(data["empathy_impression_required"])
        data = todo.activity_format()["mail.activity"][0]
        self.assertFalse(data["empathy_briefing"])
        self.assertFalse(data["empathy_impression_required"])
        # users without empathy access: not in the popover data, not readable
        theirs = self.runner.activity_schedule(
            activity_type_id=self.call_type.id, user_id=self.user_internal.id
        ).with_user(self.user_internal)
        self.assertNotIn("empathy_briefing", theirs.read()[0])
        self.assertNotIn("empathy_briefing", theirs.activity_format()["mail.activity"][0])
        with self.assertRaises(AccessError):
            theirs.read(["empathy_briefing"])

    def test_dialog_shows_briefing(self):
        call = self._activity(self.runner)
        wizard = self._open_dialog(call)
        self.assertIn("Born to Run", str(wizard.empathy_briefing))
        self.assertIn("Last impression:", str(wizard.empathy_briefing))


@tagged("post_install", "-at_install", "empathic_crm")
class TestHandover(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.runner.with_context(empathy_no_handover=True).user_id = cls.user_sales
        for days, note in ((40, "First talk"), (30, "Second talk"), (20, "Third"), (10, "Fourth")):
            cls._impression(cls.runner, user=cls.user_sales, days_ago=days, rapport=2, note=note)
        cls._impression(cls.runner, user=cls.user_sales2, days_ago=5, rapport=5, note="Clicked")
        # Sally clicks with her other customers: with the runner, Sam clicks better
        # (fair rapport compares each advisor's ratings with their own average)
        others = cls.env["res.partner"].create([{"name": "Other %s" % i} for i in range(3)])
        for other in others:
            cls._impression(other, user=cls.user_sales, days_ago=50, rapport=5)
            cls._impression(other, user=cls.user_sales2, days_ago=50, rapport=3)
        # the advisors' scales as the scheduled action refreshes them
        cls.env["empathy.rapport"]._empathy_refresh_scales()

    def _handovers(self, partner=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", (partner or self.runner).id),
                ("empathy_handover", "=", True),
            ]
        )

    def test_manual_change_creates_neutral_todo(self):
        self.runner.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        todo = self._handovers()
        self.assertEqual(len(todo), 1)
        self.assertEqual(todo.user_id, self.user_sales2)
        self.assertEqual(todo.activity_type_id, self.todo_type)
        self.assertEqual(todo.empathy_previous_user_id, self.user_sales)
        # the note and summary are readable by anyone who reads the contact: neutral
        for text in (str(todo.note), todo.summary):
            for secret in ("Born to Run", "Hawaii", "Clicked", "Fourth", "rapport"):
                self.assertNotIn(secret, text)
        # the new salesperson reads the briefing and the last three impressions
        html = str(todo.with_user(self.user_sales2).empathy_briefing)
        self.assertIn("Born to Run", html)
        for note in ("Clicked", "Fourth", "Third"):
            self.assertIn(note, html)
        self.assertNotIn("Second talk", html, "only the last three impressions")
        self.assertNotIn("Previous salesperson", html, "the rapport of the previous one: managers")
        manager = str(todo.with_user(self.user_manager).empathy_briefing)
        self.assertIn("Previous salesperson: Sally Sales (rapport 2.0 / 5)", manager)
        with self.assertRaises(AccessError):
            todo.with_user(self.user_internal).read(["empathy_briefing"])
        # changing again to the same person: no second To-Do
        self.runner.with_user(self.user_manager).write({"user_id": self.user_sales.id})
        self.runner.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        self.assertEqual(
            len(self._handovers().filtered(lambda a: a.user_id == self.user_sales2)), 1
        )

    def test_no_todo_without_profile_objection_or_self(self):
        self.plain.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        self.assertFalse(self._handovers(self.plain))
        self.runner.with_user(self.user_sales2).write({"user_id": self.user_sales2.id})
        self.assertFalse(self._handovers(), "taking a customer yourself needs no To-Do")
        self.buyer.empathy_objection = True
        self.buyer.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        self.assertFalse(self._handovers(self.buyer))

    def test_assign_to_best_advisor(self):
        form = Form(
            self.env["empathy.assign.advisor.wizard"]
            .with_user(self.user_manager)
            .with_context(active_model="res.partner", active_ids=self.runner.ids)
        )
        form.min_impressions = 1  # Sam's rapport rests on few impressions here
        form.save().action_confirm()
        self.assertEqual(self.runner.user_id, self.user_sales2)
        todo = self._handovers()
        self.assertEqual(todo.user_id, self.user_sales2)
        # the previous salesperson's rapport stays (managers' report)
        rapport = (
            self.env["empathy.rapport"]
            .with_user(self.user_manager)
            .search([("partner_id", "=", self.runner.id), ("user_id", "=", self.user_sales.id)])
        )
        self.assertEqual(len(rapport), 1)

    def test_lead_assignment(self):
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_sales)
            .create({"name": "Hawaii kit", "partner_id": self.runner.id})
        )
        self.assertFalse(self._handovers(), "my own lead for my own customer")
        lead.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        todo = self._handovers()
        self.assertEqual(todo.user_id, self.user_sales2)
        self.assertEqual(todo.empathy_previous_user_id, self.user_sales)
        lead.with_user(self.user_manager).write({"user_id": self.user_sales2.id})
        self.assertEqual(len(self._handovers()), 1)
