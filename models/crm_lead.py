# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Leads and opportunities: the briefing of the lead's contact, badges and pipeline filters.

The briefed contact (its company when nothing is known about the contact), the mood
trend and your rapport on the pipeline cards and as filters, the handover briefing of
a new salesperson; the lead's create and write hooks. The empathy factors of
Predictive Lead Scoring: ``crm_lead_scoring.py``.
"""

from odoo import api, fields, models

from ..tools.briefing import render_briefing
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.profile_fields import PROFILED_FIELDS
from ..tools.vocabulary import MOOD_TRENDS


class CrmLead(models.Model):
    _inherit = "crm.lead"

    empathy_partner_id = fields.Many2one(
        "res.partner",
        string="Briefed contact",
        compute="_compute_empathy_partner_id",
        groups=EMPATHY_USER_GROUP,
        help="The lead's contact; its company when nothing is known about the contact.",
    )
    # the briefed contact's compact briefing (template ``briefing_compact``, which
    # escapes every value: nothing to sanitise)
    empathy_briefing = fields.Html(
        string="Customer briefing",
        compute="_compute_empathy_briefing",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
    )
    empathy_mood_trend = fields.Selection(
        MOOD_TRENDS,
        string="Mood trend",
        compute="_compute_empathy_badge",
        search="_search_empathy_mood_trend",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_my_rapport = fields.Float(
        string="My rapport",
        compute="_compute_empathy_badge",
        search="_search_empathy_my_rapport",
        digits=(3, 1),
        groups=EMPATHY_USER_GROUP,
        help="How well you click with this customer (1–5): the fair rapport the briefing"
        " shows, your impressions corrected for how you rate everyone.",
    )

    # ------------------------------------------------------------------
    # computes
    # ------------------------------------------------------------------
    @api.depends(
        "partner_id",
        "partner_id.commercial_partner_id",
        *("partner_id.%s" % name for name in PROFILED_FIELDS),
    )
    def _compute_empathy_partner_id(self):
        for lead in self:
            lead.empathy_partner_id = lead._empathy_briefed_partner()

    def _empathy_briefed_partner(self):
        """Return the contact, or its company when nothing is known about the contact."""
        self.ensure_one()
        partner = self.partner_id
        company = partner.commercial_partner_id
        if partner and company != partner and not partner._empathy_is_profiled():
            return company
        return partner

    @api.depends_context("lang", "uid", "allowed_company_ids")
    @api.depends(
        "empathy_partner_id",
        "partner_id.empathy_briefing_compact",
        "partner_id.commercial_partner_id.empathy_briefing_compact",
    )
    def _compute_empathy_briefing(self):
        partners = self.empathy_partner_id
        compact = partners._empathy_briefing_data(compact=True) if partners else {}
        for lead in self:
            briefing = compact.get(lead.empathy_partner_id)
            lead.empathy_briefing = render_briefing(self.env, briefing) if briefing else False

    @api.depends_context("uid", "allowed_company_ids")
    @api.depends(
        "empathy_partner_id",
        "partner_id.empathy_mood_trend",
        "partner_id.commercial_partner_id.empathy_mood_trend",
        "partner_id.commercial_partner_id.empathy_objection",
    )
    def _compute_empathy_badge(self):
        partners = self.empathy_partner_id
        mine = {}
        if partners:
            rows = (
                self.env["empathy.rapport"]
                .sudo()
                .search_fetch(
                    [
                        ("partner_id", "in", partners.ids),
                        ("user_id", "=", self.env.uid),
                        ("company_id", "=", self.env.company.id),
                    ],
                    ["partner_id", "fair_score"],
                )
            )
            mine = {row.partner_id.id: row.fair_score for row in rows}
        for lead in self:
            partner = lead.empathy_partner_id
            objecting = partner and partner._empathy_is_objecting()
            lead.empathy_mood_trend = not objecting and partner.empathy_mood_trend
            lead.empathy_my_rapport = 0.0 if objecting else mine.get(partner.id, 0.0)

    # ------------------------------------------------------------------
    # search: the pipeline filters
    # ------------------------------------------------------------------
    @api.model
    def _empathy_briefed_domain(self, partner_domain):
        """Return the lead domain 'the briefed contact matches ``partner_domain``'."""
        unprofiled = [(name, "=", False) for name in PROFILED_FIELDS]
        return [
            "|",
            ("partner_id", "any", [*partner_domain, ("empathy_objection", "=", False)]),
            (
                "partner_id",
                "any",
                [
                    *unprofiled,
                    ("commercial_partner_id.empathy_objection", "=", False),
                    ("commercial_partner_id", "any", partner_domain),
                ],
            ),
        ]

    @api.model
    def _search_empathy_mood_trend(self, operator, value):
        return self._empathy_briefed_domain([("empathy_mood_trend", operator, value)])

    @api.model
    def _search_empathy_my_rapport(self, operator, value):
        rows = (
            self.env["empathy.rapport"]
            .sudo()
            .search_fetch(
                [
                    ("user_id", "=", self.env.uid),
                    ("company_id", "=", self.env.company.id),
                    ("fair_score", operator, value),
                ],
                ["partner_id"],
            )
        )
        partner_ids = list(set(rows.mapped("partner_id").ids))
        return self._empathy_briefed_domain([("id", "in", partner_ids)])

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        self.env["utm.campaign"]._empathy_apply_responses(
            leads, "campaign_lead", check_existing=False
        )
        leads._empathy_handover_leads()
        leads.filtered("partner_id")._empathy_scoring_refresh()
        return leads

    def write(self, vals):
        handover = vals.get("user_id") or vals.get("partner_id")
        if handover:
            before = {lead.id: (lead.user_id, lead.partner_id) for lead in self.sudo()}
        reopening = self.browse()
        if "active" in vals or "stage_id" in vals:
            reopening = self.filtered(lambda lead: lead.partner_id and lead._empathy_is_closed())
            # the frequency tables learn the values a lead has when it closes (Odoo 18.0
            # before, 19.0 after this write): bring the open ones up to date first;
            # once closed, the refresh skips them
            (self - reopening).filtered("partner_id")._empathy_scoring_refresh()
        res = super().write(vals)
        if "campaign_id" in vals or "partner_id" in vals:
            self.env["utm.campaign"]._empathy_apply_responses(self, "campaign_lead")
        if handover:
            self.filtered(
                lambda lead: (lead.user_id, lead.partner_id) != before[lead.id]
            )._empathy_handover_leads()
        if "partner_id" in vals:
            self._empathy_scoring_refresh()
        elif "user_id" in vals or "company_id" in vals:
            self.filtered("partner_id")._empathy_scoring_refresh()
        elif reopening:
            reopening._empathy_scoring_refresh()
        return res

    # ------------------------------------------------------------------
    # handover
    # ------------------------------------------------------------------
    def _empathy_handover_leads(self):
        """A lead assigned to someone who is not the customer's salesperson: brief them."""
        changes = {}
        for lead in self.sudo():
            partner = lead.partner_id
            if lead.user_id and partner and lead.user_id != partner.user_id:
                changes.setdefault(lead._empathy_briefed_partner(), (lead.user_id, partner.user_id))
        if changes:
            self.env["res.partner"]._empathy_handover(changes)
