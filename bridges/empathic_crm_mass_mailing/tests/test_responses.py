# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Responses sharpen profiles: the kind kept on the trace, evidence of the style from
opens, clicks and replies, the style learnt only where no advisor set it, the motive of
a link, and nothing at all for a person who objects."""

from odoo.tests import new_test_user, tagged

from ._responses_common import ResponsesCase


@tagged("post_install", "-at_install", "empathic_crm_mass_mailing")
class TestResponses(ResponsesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fact, cls.story = cls._create_pair()

    # the kind on the trace -------------------------------------------------------
    def test_trace_keeps_the_kind_when_sent(self):
        traces = {
            partner: self._trace(self.fact, partner)
            for partner in (
                self.partner_factual,
                self.partner_emotional,
                self.partner_unknown,
                self.partner_objecting,
            )
        }
        kinds = {
            partner: (trace.empathy_style, trace.empathy_temperament)
            for partner, trace in traces.items()
        }
        self.assertEqual(kinds[self.partner_factual], ("factual", "demanding"))
        self.assertEqual(kinds[self.partner_emotional], ("emotional", "easy"))
        self.assertEqual(kinds[self.partner_unknown], (False, False))
        # a person who objects: nothing kept, although the profile has a style
        self.assertEqual(kinds[self.partner_objecting], (False, False))
        # a snapshot: a later change of the profile does not change the trace
        self.partner_factual.empathy_communication_style = "mixed"
        self.assertEqual(traces[self.partner_factual].empathy_style, "factual")

    def test_erasure_erases_the_kind_on_the_traces(self):
        trace = self._trace(self.fact, self.partner_factual)
        trace.set_replied()
        self.partner_factual.with_user(self.user_manager).action_empathy_erase()
        self.assertEqual((trace.empathy_style, trace.empathy_temperament), (False, False))
        self.assertFalse(self._evidence(self.partner_factual))

    def test_trace_kinds_one_query_for_a_batch(self):
        many = self.env["res.partner"].create(
            [
                {"name": f"Runner {i}", "email": f"r{i}@example.com", "empathy_temperament": "easy"}
                for i in range(8)
            ]
        )
        Trace = self.env["mailing.trace"]
        for partners in (many[:1], many):
            values = [
                {"model": "res.partner", "res_id": partner.id, "mass_mailing_id": self.fact.id}
                for partner in partners
            ]
            self.assertEqual(
                self._count_queries(
                    lambda values=values: Trace._empathy_kinds(
                        set(Trace._empathy_partners_of_values(values).values())
                    )
                ),
                1,
                "one query for the kinds of all new traces",
            )
        traces = Trace.create(
            [
                {"model": "res.partner", "res_id": partner.id, "mass_mailing_id": self.fact.id}
                for partner in many
            ]
        )
        self.assertEqual(set(traces.mapped("empathy_temperament")), {"easy"})

    def test_trace_kind_fields_for_empathy_users_only(self):
        trace = self._trace(self.fact, self.partner_factual)
        self.assertEqual(
            self.env["mailing.trace"]._fields["empathy_style"].groups,
            "empathic_crm.group_empathy_user",
        )
        mailer = new_test_user(
            self.env,
            login="mmresp_mailer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        fields_seen = trace.with_user(mailer).fields_get()
        self.assertNotIn("empathy_style", fields_seen)
        self.assertNotIn("empathy_temperament", fields_seen)

    # evidence of the style -------------------------------------------------------
    def test_open_click_reply_are_evidence_of_the_version_style(self):
        trace = self._trace(self.story, self.partner_unknown)
        trace.set_opened()
        opened = self._evidence(self.partner_unknown)
        self.assertRecordValues(
            opened,
            [
                {
                    "communication_style": "emotional",
                    "motive_id": False,
                    "value_id": False,
                    "mailing_response": "open",
                    "strength": 1,
                    "mailing_id": self.story.id,
                    "mailing_trace_id": trace.id,
                    "campaign_id": self.campaign.id,
                }
            ],
        )
        # a click (Odoo marks it opened too) and a reply (also opened)
        trace.set_opened()
        trace.set_clicked()
        self.env["mailing.trace"].set_opened(domain=[("message_id", "in", [trace.message_id])])
        self.env["mailing.trace"].set_replied(domain=[("message_id", "in", [trace.message_id])])
        rows = self._evidence(self.partner_unknown)
        self.assertEqual(
            sorted(rows.mapped(lambda r: (r.mailing_response, r.strength))),
            [("click", 2), ("open", 1), ("reply", 3)],
            "each response once, open < click < reply",
        )
        # shown in "How we know their motives" on the contact, with the mailing
        summary = self.partner_unknown.with_user(self.user_sales).empathy_evidence_summary
        self.assertIn("Communication style: Emotion- and design-oriented", summary)
        self.assertIn("Mailing response", summary)
        self.assertIn("Spring run", summary)

    def test_response_to_a_mailing_without_campaign(self):
        """A versioned mailing outside any campaign: its responses are evidence too (the
        evidence has no campaign, the open does not fail)."""
        self.fact.campaign_id = False
        self.assertFalse(self.story.campaign_id, "the versions share the campaign")
        trace = self._trace(self.fact, self.partner_unknown)
        trace.set_opened()
        self.assertRecordValues(
            self._evidence(self.partner_unknown),
            [{"communication_style": "factual", "campaign_id": False, "mailing_id": self.fact.id}],
        )

    def test_responses_counted_once_under_repeat(self):
        trace = self._trace(self.fact, self.partner_unknown)
        for _i in range(3):
            trace.set_opened()
            trace.set_clicked()
            trace.set_replied()
        self.assertEqual(len(self._evidence(self.partner_unknown)), 3)
        # a second worker inserting the same response: the database skips it
        Evidence = self.env["empathy.motive.evidence"]
        row = {
            "partner_id": self.partner_unknown.id,
            "mailing_id": self.fact.id,
            "mailing_trace_id": trace.id,
            "mailing_response": "reply",
            "company_id": self.env.company.id,
            "communication_style": "factual",
        }
        self.assertEqual(Evidence._empathy_insert_mailing_evidence([row, dict(row)]), set())
        self.assertEqual(len(self._evidence(self.partner_unknown)), 3)

    def test_unversioned_mailing_is_no_style_evidence(self):
        plain = self.env["mailing.mailing"].create(
            {
                "subject": "Newsletter",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        trace = self._trace(plain, self.partner_unknown)
        trace.set_opened()
        trace.set_replied()
        self.assertFalse(self._evidence(self.partner_unknown))

    def test_objecting_contact_nothing_recorded_nothing_set(self):
        trace = self._trace(self.story, self.partner_objecting)
        other = self._trace(self._create_pair("Autumn")[1], self.partner_objecting)
        for response in trace | other:
            response.set_opened()
            response.set_clicked()
            response.set_replied()
        self.assertFalse(self._evidence(self.partner_objecting))
        profile = (
            self.env["empathy.profile"]
            .sudo()
            .search([("partner_id", "=", self.partner_objecting.id)])
        )
        self.assertEqual(profile.communication_style, "factual")
        # a contact of a company that objects: nothing either
        company = self.env["res.partner"].create(
            {"name": "Objecting Ltd", "is_company": True, "empathy_objection": True}
        )
        employee = self.env["res.partner"].create(
            {"name": "Erik Employee", "email": "erik@example.com", "parent_id": company.id}
        )
        self._trace(self.story, employee).set_replied()
        self.assertFalse(self._evidence(employee))

    # the style learnt ------------------------------------------------------------
    def test_style_learnt_from_responses_where_empty(self):
        partner = self.partner_unknown
        first = self._trace(self.story, partner)
        first.set_opened()
        first.set_replied()
        # one response (3 points) is not enough
        self.assertFalse(partner.with_user(self.user_sales).empathy_communication_style)
        _fact2, story2 = self._create_pair("Summer run")
        self._trace(story2, partner).set_opened()
        # 4 points for the story, none for the facts: learnt, from the campaign
        profile = self.env["empathy.profile"].sudo().search([("partner_id", "=", partner.id)])
        self.assertEqual(profile.communication_style, "emotional")
        self.assertEqual(profile.communication_style_source, "campaign")
        self.assertEqual(
            partner.with_user(self.user_sales).empathy_communication_style, "emotional"
        )
        # a learnt style follows further responses: facts now lead by 2 (6 to 4)
        for subject in ("Autumn run", "Winter run"):
            fact, _story = self._create_pair(subject)
            self._trace(fact, partner).set_replied()
        self.assertEqual(profile.communication_style, "factual")
        self.assertEqual(profile.communication_style_source, "campaign")

    def test_advisor_style_never_overwritten(self):
        partner = self.partner_factual  # fact-oriented, set by an advisor
        profile = self.env["empathy.profile"].sudo().search([("partner_id", "=", partner.id)])
        self.assertEqual(profile.communication_style_source, "advisor")
        for subject in ("A", "B", "C"):
            _fact, story = self._create_pair(subject)
            trace = self._trace(story, partner)
            trace.set_clicked()
            trace.set_replied()
        # the evidence is kept (and shown), the advisor's style stays
        self.assertEqual(len(self._evidence(partner, mailing_response="reply")), 3)
        self.assertEqual(profile.communication_style, "factual")
        self.assertEqual(profile.communication_style_source, "advisor")

    def test_advisor_takes_over_a_learnt_style(self):
        partner = self.partner_unknown
        for subject in ("A", "B"):
            _fact, story = self._create_pair(subject)
            self._trace(story, partner).set_replied()
        profile = self.env["empathy.profile"].sudo().search([("partner_id", "=", partner.id)])
        self.assertEqual(
            (profile.communication_style, profile.communication_style_source),
            ("emotional", "campaign"),
        )
        # the advisor observes facts: theirs from now on, whatever the responses
        partner.with_user(self.user_sales).empathy_communication_style = "factual"
        self.assertEqual(profile.communication_style_source, "advisor")
        _fact, story = self._create_pair("C")
        self._trace(story, partner).set_replied()
        self.assertEqual(profile.communication_style, "factual")

    # the motive of a link ------------------------------------------------------
    def test_click_on_a_motive_link_adds_the_motive(self):
        link = self.env["link.tracker"].create(
            {
                "url": "https://example.com/hawaii",
                "mass_mailing_id": self.fact.id,
                "campaign_id": self.campaign.id,
                "empathy_motive_id": self.motive_hawaii.id,
            }
        )
        Click = self.env["link.tracker.click"].sudo()
        trace = self._trace(self.fact, self.partner_factual)
        for _i in range(2):
            Click.add_click(link.code, mailing_trace_id=trace.id, ip="127.0.0.1")
        self.assertIn(self.motive_hawaii, self.partner_factual.empathy_motive_ids)
        motive_rows = self._evidence(self.partner_factual, motive_id=self.motive_hawaii.id)
        self.assertRecordValues(
            motive_rows,
            [
                {
                    "mailing_response": "click",
                    "campaign_id": self.campaign.id,
                    "mailing_id": self.fact.id,
                    "strength": 2,
                }
            ],
        )
        # a person who objects: the click is counted by Odoo, nothing else
        marathon_link = self.env["link.tracker"].create(
            {
                "url": "https://example.com/marathon",
                "mass_mailing_id": self.fact.id,
                "empathy_motive_id": self.motive_marathon.id,
            }
        )
        objecting_trace = self._trace(self.fact, self.partner_objecting)
        Click.add_click(marathon_link.code, mailing_trace_id=objecting_trace.id, ip="127.0.0.1")
        self.assertTrue(objecting_trace.links_click_datetime)
        self.assertFalse(self._evidence(self.partner_objecting))
        profile = (
            self.env["empathy.profile"]
            .sudo()
            .search([("partner_id", "=", self.partner_objecting.id)])
        )
        self.assertEqual(profile.motive_ids, self.motive_hawaii)
