# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Objection to profiling (GDPR Art. 21): the flag, who may lift it and its log.

What an objection hides from salespeople (the profile, impressions, motive evidence)
is hidden by the record rules of those models (``security/``), which test the flag.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools.groups import EMPATHY_MANAGER_GROUP, EMPATHY_USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

    empathy_objection = fields.Boolean(
        string="Objects to profiling",
        groups=EMPATHY_USER_GROUP,
        help="The person objects to profiling (GDPR Art. 21): no impressions are recorded,"
        " cross-sell rules ignore them and salespeople do not see the profile. Anyone can"
        " set it; only empathy managers can lift it. Every change is logged.",
    )
    empathy_profile_hidden = fields.Boolean(
        compute="_compute_empathy_profile_hidden",
        string="Profile hidden",
        groups=EMPATHY_USER_GROUP,
        help="The person objects to profiling and you are not an empathy manager.",
    )

    @api.model
    def _empathy_sees_objecting_profiles(self):
        """Return whether the current user sees the profile of people who object."""
        return self.env.su or self.env.user.has_group(EMPATHY_MANAGER_GROUP)

    @api.depends_context("uid")
    @api.depends("empathy_objection")
    def _compute_empathy_profile_hidden(self):
        hide = not self._empathy_sees_objecting_profiles()
        for partner in self:
            partner.empathy_profile_hidden = hide and partner.empathy_objection

    def _empathy_check_objection_change(self, vals):
        """Only empathy managers lift an objection; return the partners whose flag changes."""
        if "empathy_objection" not in vals:
            return self.browse()
        new = bool(vals["empathy_objection"])
        changed = self.sudo().filtered(lambda p: p.empathy_objection != new).with_env(self.env)
        if changed and not new and not self._empathy_sees_objecting_profiles():
            raise AccessError(
                self.env._(
                    "Only empathy managers can lift an objection to profiling (GDPR Art. 21)."
                )
            )
        return changed

    def _empathy_log_objection(self, new):
        """Log the change of the objection in the chatter (tracking: empathy users only)."""
        Tracking = self.env["mail.tracking.value"].sudo()
        info = self.sudo().fields_get(["empathy_objection"], attributes=("string", "type"))
        for partner in self.sudo():
            tracking = Tracking._create_tracking_values(
                not new, new, "empathy_objection", info["empathy_objection"], partner
            )
            partner._message_log(tracking_value_ids=[fields.Command.create(tracking)])

    def _empathy_is_objecting(self):
        """Return whether one of these persons (or their company) objects to profiling.

        The one test of the objection for records (the record rules test the
        person's own flag: ``partner_id.empathy_objection``).
        """
        return any(
            partner.empathy_objection or partner.commercial_partner_id.empathy_objection
            for partner in self
        )

    def _empathy_objection_after(self, vals, changed):
        """After a write of ``vals``: the lead scoring factors follow the objection at
        once (#20), and each change of the flag is logged (``changed``: from
        ``_empathy_check_objection_change``, called before the write)."""
        if "empathy_objection" in vals:
            self.env["crm.lead"]._empathy_scoring_refresh_partners(self.ids)
        if changed:
            changed._empathy_log_objection(bool(vals["empathy_objection"]))
