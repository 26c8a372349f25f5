# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Leads: the advisor expected to click best with the customer (issue #24)."""

from collections import defaultdict

from odoo import api, fields, models

from ..tools.groups import EMPATHY_USER_GROUP as EMPATHY_GROUP
from ..tools.matching import ALL
from .res_partner_matching import kind_profile


class CrmLeadMatching(models.Model):
    _inherit = "crm.lead"

    empathy_suggested_user_id = fields.Many2one(
        "res.users",
        string="Likely to click",
        compute="_compute_empathy_suggested_user",
        groups=EMPATHY_GROUP,
        help="The advisor expected to click best with this customer, learnt from the fair"
        " rapport with customers of the same kind (communication style, temperament,"
        " motives, values, channel) and the advisor's own rapport with the customer."
        " Among the sales team's members when it has any.",
    )
    empathy_suggested_reason = fields.Char(
        string="Why this advisor",
        compute="_compute_empathy_suggested_user",
        groups=EMPATHY_GROUP,
        help="Shown to empathy managers and to the suggested advisor.",
    )

    @api.depends_context("uid", "allowed_company_ids", "lang")
    @api.depends(
        "partner_id",
        "partner_id.commercial_partner_id",
        "campaign_id",
        "team_id",
        "team_id.member_ids",
        "company_id",
    )
    def _compute_empathy_suggested_user(self):
        profiles = self._empathy_lead_profiles()
        fits = self._empathy_lead_fits(profiles=profiles)
        Kind = self.env["empathy.kind.rapport"]
        clear = {key: Kind._empathy_clear_fit(table) for key, table in fits.items()}
        users = self.env["res.users"].sudo().browse({fit.user_id for fit in clear.values() if fit})
        names = {user.id: user.name for user in users}
        for lead in self:
            best = clear.get(lead.id)
            lead.empathy_suggested_user_id = best.user_id if best else False
            # said when there is something to go by: a kind of customer, or evidence
            known = profiles.get(lead.id, (False, {}))[1] or any(
                fit.basis != "team" for fit in fits.get(lead.id, ())
            )
            lead.empathy_suggested_reason = (
                lead._empathy_suggestion_text(best, names) if known else False
            )

    def _empathy_suggestion_text(self, best, names):
        """Return what the lead says about who is likely to click, in words.

        ``best``: the Fit that stands out (None: "no clear fit yet"). Managers and the
        advisor concerned read the figures and the reasons (fits are manager/own-only),
        a colleague what the mark means; the lead says when it looks within its team.
        """
        self.ensure_one()
        env = self.env
        Kind = env["empathy.kind.rapport"]
        if best is None:
            text = env._(
                "No clear fit yet: nobody's evidence about customers like this stands out."
            )
        elif env["res.partner"]._empathy_sees_all_fits() or best.user_id == env.uid:
            text = Kind._empathy_fit_explanation(best, names[best.user_id])
        else:
            text = env._(
                "%(advisor)s is expected to click best with this customer (learnt from"
                " impressions); the reasons are for managers and %(advisor)s.",
                advisor=names[best.user_id],
            )
        team = self.sudo().team_id
        if team.member_ids:
            text += " " + env._(
                "Only the members of the sales team %(team)s are considered.",
                team=team.display_name,
            )
        return text

    # ------------------------------------------------------------------
    # batch helpers (also used by the lead assignment)
    # ------------------------------------------------------------------
    def _empathy_lead_profiles(self):
        """Return {lead id: (partner id or False, {trait: [values]})} (constant queries).

        The contact's kind; its company's when nothing is known about the contact;
        without a contact, the motives and values of the lead's campaign. Leads whose
        contact (or its company) objects to profiling are left out.
        """
        Kind = self.env["empathy.kind.rapport"].sudo()
        leads = self.sudo()
        # the stored contacts (a lead being edited in a form has a new id itself)
        partners = (leads.partner_id | leads.partner_id.commercial_partner_id)._origin
        kinds = Kind._empathy_partner_kinds(partners.ids)
        profiles = {}
        campaign_leads = leads.filtered(lambda lead: not lead.partner_id and lead.campaign_id)
        for lead in leads - campaign_leads:
            partner = lead.partner_id._origin
            if not partner:
                continue
            keys = kinds.get(partner.id)
            company = partner.commercial_partner_id._origin
            if keys == [(ALL, "")] and company != partner and kinds.get(company.id):
                partner, keys = company, kinds[company.id]
            if keys:
                profiles[lead.id] = (partner.id, kind_profile(keys))
        for lead in campaign_leads:
            campaign = lead.campaign_id._origin
            traits = {
                "motive": [str(i) for i in campaign.empathy_motive_ids.ids],
                "value": [str(i) for i in campaign.empathy_value_ids.ids],
            }
            traits = {trait: values for trait, values in traits.items() if values}
            if traits:
                profiles[lead.id] = (False, traits)
        return profiles

    def _empathy_lead_fits(self, user_ids=None, profiles=None):
        """Return {lead id: [Fit] best first} among ``user_ids`` (default: the team's
        members, or the company's advisors when the lead has no team with members).

        ``profiles``: ``_empathy_lead_profiles()`` when the caller has them already."""
        if profiles is None:
            profiles = self._empathy_lead_profiles()
        if not profiles:
            return {}
        Partner = self.env["res.partner"]
        by_company = defaultdict(list)
        candidates = {}
        company_users = {}
        for lead in self.sudo():
            if lead.id not in profiles:
                continue
            company = lead.company_id or self.env.company
            by_company[company].append(lead.id)
            if user_ids is not None:
                candidates[lead.id] = set(user_ids)
            elif lead.team_id.member_ids:
                candidates[lead.id] = set(lead.team_id.member_ids.ids)
            else:
                if company not in company_users:
                    company_users[company] = set(Partner._empathy_candidate_advisors(company).ids)
                candidates[lead.id] = company_users[company]
        Kind = self.env["empathy.kind.rapport"].sudo()
        result = {}
        for company, lead_ids in by_company.items():
            users = set().union(*(candidates[lead_id] for lead_id in lead_ids))
            table = Kind._empathy_fit_table(
                {lead_id: profiles[lead_id] for lead_id in lead_ids}, users, company.id
            )
            for lead_id in lead_ids:
                result[lead_id] = [
                    fit for fit in table[lead_id] if fit.user_id in candidates[lead_id]
                ]
        return result
