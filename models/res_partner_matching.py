# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Contacts: who is likely to click with a customer, by kind of person (issue #24)."""

from odoo import api, models
from odoo.exceptions import AccessError

from ..tools import compat
from ..tools.briefing import line
from ..tools.groups import EMPATHY_USER_GROUP as EMPATHY_GROUP
from ..tools.groups import is_empathy_manager
from ..tools.matching import ALL

#: writes of a contact that can change its kind of customer (or whether it counts at
#: all): whether it, or the company it belongs to, objects; its profile is a row of
#: ``empathy.profile``, whose writes move the kinds themselves
HIERARCHY_FIELDS = frozenset({"empathy_objection", "parent_id", "is_company"})


def kind_profile(keys):
    """Return {trait: [values]} from ``_empathy_partner_kinds`` keys (``ALL`` left out)."""
    profile = {}
    for trait, value in keys:
        if trait != ALL:
            profile.setdefault(trait, []).append(value)
    return profile


class ResPartnerMatching(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # public API
    # ------------------------------------------------------------------
    def empathy_advisor_fit(self, user_ids=None):
        """Return the expected fit of advisors with this contact, best first.

        One dict per candidate advisor (internal users with empathy access in the
        contact's company, or ``user_ids``): ``user_id``, ``fit`` (1-5), ``basis``
        (``pair``: their fair rapport with the contact, the briefing's figure;
        ``kind``: learnt from customers of the same kind; ``team``: no evidence, the
        team mean) and ``explanation`` (translated). Salespeople get their own row
        only, managers everyone's. A contact who objects to profiling (or whose
        company objects) gets ``[]``: nothing empathy-based runs for that person.
        """
        self.ensure_one()
        self._empathy_check_fit_access()
        self.check_access("read")
        fits = self._empathy_fits(user_ids)
        Kind = self.env["empathy.kind.rapport"]
        names = {
            user.id: user.name
            for user in self.env["res.users"].sudo().browse([fit.user_id for fit in fits])
        }
        return [
            {
                "user_id": fit.user_id,
                "fit": fit.fit,
                "basis": fit.basis,
                "explanation": Kind._empathy_fit_explanation(fit, names[fit.user_id]),
            }
            for fit in fits
        ]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _empathy_check_fit_access(self):
        """Fits are for users with empathy access (portal, public, others: AccessError)."""
        if not self.env.su and (self.env.user.share or not self.env.user.has_group(EMPATHY_GROUP)):
            raise AccessError(
                self.env._("Only users with empathy access can see who is likely to click.")
            )

    def _empathy_fits(self, user_ids=None, all_advisors=False):
        """Return [Fit] of this contact, best first (see ``empathy_advisor_fit``).

        ``all_advisors``: every candidate whatever the current user may see (for a
        name-only suggestion); otherwise salespeople get their own fit only.
        """
        self.ensure_one()
        Kind = self.env["empathy.kind.rapport"].sudo()
        keys = Kind._empathy_partner_kinds([self.id]).get(self.id)
        if not keys:  # objecting (or gone)
            return []
        company = self.company_id or self.env.company
        if user_ids is None:
            users = self._empathy_candidate_advisors(company)
        else:
            users = self.env["res.users"].sudo().browse(user_ids).exists()
            users = users.filtered(lambda user: not user.share)
        if not all_advisors and not self._empathy_sees_all_fits():
            users &= self.env.user
        if not users:
            return []
        profiles = {self.id: (self.id, kind_profile(keys))}
        return Kind._empathy_fit_table(profiles, users.ids, company.id)[self.id]

    @api.model
    def _empathy_sees_all_fits(self):
        """Return whether the current user sees every advisor's fit (managers)."""
        return is_empathy_manager(self.env)

    @api.model
    def _empathy_candidate_advisors(self, company):
        """Return the internal users with empathy access in ``company`` (sudo)."""
        return (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    (compat.user_all_groups_field(), "in", self.env.ref(EMPATHY_GROUP).ids),
                    ("company_ids", "in", company.ids),
                ]
            )
        )

    # ------------------------------------------------------------------
    # briefing: who is likely to click when nobody has met the person yet
    # ------------------------------------------------------------------
    def _empathy_briefing_lines(self):
        lines = super()._empathy_briefing_lines()
        likely = self._empathy_likely_advisor_line()
        return [*lines, likely] if likely else lines

    def _empathy_likely_advisor_line(self):
        """Return the briefing line naming who is likely to click (or False).

        Only when nobody of the current company has met the person: then the best
        advisor says more. A name only where the evidence stands out, said plainly
        otherwise. Salespeople read the name; the figures and the reasons are for
        managers and for the advisor concerned (fits are manager/own-only).
        """
        self.ensure_one()
        if not self.id or self.empathy_best_advisor_id or self.empathy_objection:
            return False
        fits = self._empathy_fits(all_advisors=True)
        if not fits or not self._empathy_has_kind():
            return False
        Kind = self.env["empathy.kind.rapport"]
        best = Kind._empathy_clear_fit(fits)
        label = self.env._("Likely to click (nobody has met them yet):")
        if best is None:
            text = self.env._(
                "no clear fit yet: nobody's evidence about customers like this stands out."
            )
            return line("likely_advisor", text, label, user_id=False, fit=False)
        user = self.env["res.users"].sudo().browse(best.user_id)
        sees = self._empathy_sees_all_fits() or user == self.env.user
        text = Kind._empathy_fit_explanation(best, user.name) if sees else user.name
        return line(
            "likely_advisor",
            text,
            label,
            user_id=user.id,
            fit=round(best.fit, 2) if sees else False,
        )

    def _empathy_has_kind(self):
        """Return whether anything is known of what kind of customer this is."""
        self.ensure_one()
        return bool(
            self.empathy_communication_style
            or self.empathy_temperament
            or self.empathy_preferred_channel
            or self.empathy_motive_ids
            or self.empathy_value_ids
        )

    # ------------------------------------------------------------------
    # the kind of customer changes: move the contact's pairs between kinds
    # ------------------------------------------------------------------
    def unlink(self):
        Kind = self.env["empathy.kind.rapport"].sudo()
        before = Kind._empathy_partner_kinds(self.ids, with_rapport=True)
        if before:
            # the rapport rows go with the contact (ON DELETE CASCADE, no ORM unlink)
            pairs = Kind._empathy_partner_pairs(list(before))
            Kind._empathy_apply_pairs(pairs, {}, before)
        return super().unlink()

    def _empathy_kind_affected(self, vals):
        """Return the ids whose kind may change with a write of ``vals`` (an objection
        or the hierarchy): these contacts and their company's contacts (1 query), or
        none when ``vals`` changes neither."""
        if not self.ids or not HIERARCHY_FIELDS & set(vals):
            return []
        related = (
            self.sudo()
            .with_context(active_test=False)
            .search(["|", ("id", "child_of", self.ids), ("commercial_partner_id", "in", self.ids)])
        )
        return sorted(set(self.ids) | set(related.ids))
