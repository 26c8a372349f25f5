# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Sales teams: Odoo's lead assignment, preferring the member expected to click best."""

import logging
import threading
from ast import literal_eval

from odoo import fields, models

from .empathy_matching import plan_assignment

_logger = logging.getLogger(__name__)


class CrmTeamMatching(models.Model):
    _inherit = "crm.team"

    empathy_assign_by_fit = fields.Boolean(
        string="Assign by expected rapport",
        help="Automatic lead assignment gives each lead to the member expected to click"
        " best with the customer (fair rapport with customers of the same kind, or their"
        " own rapport), among the members whose assignment domain matches the lead and who"
        " still have capacity. Ties, and customers nobody knows anything about, follow"
        " Odoo's round robin. Off: Odoo's assignment unchanged.",
    )

    def _assign_and_convert_leads(self, force_quota=False):
        """Teams with *Assign by expected rapport* use ``_empathy_assign_by_fit``; the
        others go through Odoo's own code path, untouched."""
        by_fit = self.filtered("empathy_assign_by_fit")
        if not by_fit:
            return super()._assign_and_convert_leads(force_quota=force_quota)
        result = {}
        if self - by_fit:
            result = super(CrmTeamMatching, self - by_fit)._assign_and_convert_leads(
                force_quota=force_quota
            )
        result.update(by_fit._empathy_assign_by_fit(force_quota=force_quota))
        return result

    def _empathy_assign_by_fit(self, force_quota=False):
        """Odoo's ``crm.team._assign_and_convert_leads``, with the member chosen by fit.

        A copy of core 18.0 (``addons/crm/models/crm_team.py``, sha256 2d464229…, checked
        by ``tests/test_core_copies.py``: re-sync when core changes). Same quotas, member
        order, member domains, lead order, conversion and commits as Odoo 18. The leads of a team are first planned (``_empathy_plan_assignment``),
        then converted in Odoo's order. The fits of all the team's leads x members are
        computed at once (a constant number of queries per team).
        """
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        result_data = {}
        commit_bundle_size = int(
            self.env["ir.config_parameter"].sudo().get_param("crm.assignment.commit.bundle", 100)
        )
        teams_with_members = self.filtered(lambda team: team.crm_team_member_ids)
        quota_per_member = {
            member: member._get_assignment_quota(force_quota=force_quota)
            for member in self.crm_team_member_ids
        }
        counter = 0
        leads_per_team = dict(
            self.env["crm.lead"]._read_group(
                teams_with_members._get_lead_to_assign_domain(), ["team_id"], ["id:array_agg"]
            )
        )
        for team, leads_to_assign_ids in leads_per_team.items():
            members_to_assign = list(
                team.crm_team_member_ids.filtered(
                    lambda member: (
                        not member.assignment_optout and quota_per_member.get(member, 0) > 0
                    )
                ).sorted(key=lambda member: quota_per_member.get(member, 0), reverse=True)
            )
            if not members_to_assign:
                continue
            result_data.update(
                {
                    member: {"assigned": self.env["crm.lead"], "quota": quota_per_member[member]}
                    for member in members_to_assign
                }
            )
            leads_to_assign = self.env["crm.lead"].browse(leads_to_assign_ids).exists()
            # core's key (the built-in id: ties keep the search order)
            ordered = leads_to_assign.sorted(lambda lead: (-lead.probability, id))
            plan = team._empathy_plan_assignment(ordered, members_to_assign, quota_per_member)
            for lead in ordered:
                counter += 1
                member_found = plan.get(lead.id)
                if not member_found:
                    continue
                lead.with_context(mail_auto_subscribe_no_notify=True).convert_opportunity(
                    lead.partner_id, user_ids=member_found.user_id.ids
                )
                result_data[member_found]["assigned"] += lead
                # core commits in bundles outside tests, so does its twin
                if auto_commit and counter % commit_bundle_size == 0:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        _logger.info(
            "Assigned %s leads by expected rapport to %s salesmen",
            sum(len(r["assigned"]) for r in result_data.values()),
            len(result_data),
        )
        return result_data

    def _empathy_plan_assignment(self, leads, members, quota_per_member):
        """Return {lead id: member} for ``leads`` (in Odoo's order); updates the quotas.

        See ``empathy_matching.plan_assignment``: Odoo's round robin, each lead to the
        allowed member with the best expected fit, leads left waiting placed by moving
        another lead to a member with a narrower domain.
        """
        allowed = {
            member: set(leads.filtered_domain(literal_eval(member.assignment_domain or "[]")).ids)
            for member in members
        }
        fits = self._empathy_member_fits(leads, members)
        return plan_assignment(
            leads.ids,
            list(members),
            allowed,
            lambda member, lead_id: fits.get(lead_id, {}).get(member.user_id.id, 0.0),
            quota_per_member,
        )

    def _empathy_member_fits(self, leads, members):
        """Return {lead id: {user id: fit}} for the leads x the members' users."""
        user_ids = sorted({member.user_id.id for member in members})
        table = leads._empathy_lead_fits(user_ids=user_ids)
        return {lead_id: {fit.user_id: fit.fit for fit in fits} for lead_id, fits in table.items()}
