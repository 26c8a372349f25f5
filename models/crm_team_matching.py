# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Sales teams: Odoo's lead assignment, preferring the member expected to click best."""

import logging
from ast import literal_eval

from markupsafe import Markup

from odoo import fields, models

from ..tools import compat
from ..tools.matching import plan_assignment

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
        auto_commit = not compat.running_tests()
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
            fits = team._empathy_member_fits(ordered, members_to_assign)
            turns = {}
            plan = team._empathy_plan_assignment(
                ordered, members_to_assign, quota_per_member, turns=turns, fits=fits
            )
            notes = []
            for lead in ordered:
                counter += 1
                member_found = plan.get(lead.id)
                if not member_found:
                    continue
                lead.with_context(mail_auto_subscribe_no_notify=True).convert_opportunity(
                    lead.partner_id, user_ids=member_found.user_id.ids
                )
                # the lead says who got it and whether the expected fit decided
                note = team._empathy_assignment_note(
                    member_found, turns.get(lead.id), fits.get(lead.id, {})
                )
                lead._message_log(body=note)
                notes.append((lead, note))
                result_data[member_found]["assigned"] += lead
                # core commits in bundles outside tests, so does its twin
                if auto_commit and counter % commit_bundle_size == 0:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            if notes:
                team._message_log(
                    body=Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        self.env._("Leads assigned by expected rapport:"),
                        Markup("").join(
                            Markup("<li>%s: %s</li>") % (lead.name, note) for lead, note in notes
                        ),
                    )
                )
            if auto_commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            self.env.invalidate_all()
        _logger.info(
            "Assigned %s leads by expected rapport to %s salesmen",
            sum(len(r["assigned"]) for r in result_data.values()),
            len(result_data),
        )
        return result_data

    def _empathy_plan_assignment(self, leads, members, quota_per_member, turns=None, fits=None):
        """Return {lead id: member} for ``leads`` (in Odoo's order); updates the quotas.

        See ``empathy_matching.plan_assignment``: Odoo's round robin, each lead to the
        allowed member with the best expected fit, leads left waiting placed by moving
        another lead to a member with a narrower domain. ``turns`` receives {lead id:
        the member whose turn it was}; ``fits``: ``_empathy_member_fits`` when known.
        """
        allowed = {
            member: set(leads.filtered_domain(literal_eval(member.assignment_domain or "[]")).ids)
            for member in members
        }
        if fits is None:
            fits = self._empathy_member_fits(leads, members)

        def fit_of(member, lead_id):
            fit = fits.get(lead_id, {}).get(member.user_id.id)
            return fit.fit if fit else 0.0

        return plan_assignment(
            leads.ids, list(members), allowed, fit_of, quota_per_member, turns=turns
        )

    def _empathy_member_fits(self, leads, members):
        """Return {lead id: {user id: Fit}} for the leads x the members' users."""
        user_ids = sorted({member.user_id.id for member in members})
        table = leads._empathy_lead_fits(user_ids=user_ids)
        return {lead_id: {fit.user_id: fit for fit in fits} for lead_id, fits in table.items()}

    def _empathy_assignment_note(self, member, turn, fits):
        """Return why ``member`` got a lead, for the lead's chatter (no figures).

        ``turn``: the member whose turn it was in Odoo's round robin (None: the lead was
        placed by a move that kept every lead assigned); ``fits``: {user id: Fit}.
        """
        env = self.env
        advisor = member.user_id.name
        fit = fits.get(member.user_id.id)
        known = bool(fit) and fit.basis != "team"
        if turn is None:
            return env._(
                "Assigned to %(advisor)s so that every lead of the team finds a member with"
                " capacity (assignment by expected rapport).",
                advisor=advisor,
            )
        if turn != member:
            # the expected fit took the lead from the member whose turn it was
            return env._(
                "Assigned to %(advisor)s by expected rapport: of the team's members with"
                " capacity, %(advisor)s is expected to click best with this customer"
                " (the round robin's turn was %(turn)s's).",
                advisor=advisor,
                turn=turn.user_id.name,
            )
        if known:
            return env._(
                "Assigned to %(advisor)s: the round robin's turn, and of the team's members"
                " with capacity %(advisor)s is also expected to click best with this customer.",
                advisor=advisor,
            )
        return env._(
            "Assigned to %(advisor)s by Odoo's round robin: no member of the team is"
            " expected to click better with this customer.",
            advisor=advisor,
        )
