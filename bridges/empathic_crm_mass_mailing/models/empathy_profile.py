# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The profile row as the bridge needs it.

What a marketer may see: marketers (``group_empathy_marketing``) read profile rows
(access rights and the rule of ``security/empathic_crm_mass_mailing_security.xml``:
not of people who object, only of their companies) to select recipients by kinds of
customers; the free texts about the person stay with empathy users.
"""

from odoo import api, fields, models

from odoo.addons.empathic_crm.tools.groups import EMPATHY_USER_GROUP


class EmpathyProfile(models.Model):
    _inherit = "empathy.profile"

    # ------------------------------------------------------------------
    # what a marketer may see (owner: recipients)
    # ------------------------------------------------------------------
    # the kinds (motives, values, style, temperament, channel) are readable by
    # marketers; why they buy and personal notes are about the person, not a kind
    why = fields.Text(groups=EMPATHY_USER_GROUP)
    personal_notes = fields.Text(groups=EMPATHY_USER_GROUP)

    # ------------------------------------------------------------------
    # the style learnt from campaign responses (owner: responses)
    # ------------------------------------------------------------------
    communication_style_source = fields.Selection(
        [("advisor", "An advisor"), ("campaign", "Mailing responses")],
        string="Style known from",
        readonly=True,
        groups="empathic_crm.group_empathy_user",
        help="Who set the communication style: an advisor (by hand or from an impression;"
        " mailing responses never change it) or the responses to the fact and the story"
        " versions of mailings (changed as further responses come in).",
    )

    # (the rule that learns it: empathy.motive.evidence._empathy_learn_styles)
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._empathy_style_source_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        return super().write(self._empathy_style_source_values(dict(vals)))

    def _empathy_style_source_values(self, vals):
        """Mark a style written by anyone but the mailing responses as the advisor's
        (in place; an emptied style has no source: responses may learn it again)."""
        if "communication_style" in vals and not self.env.context.get("empathy_style_learnt"):
            vals["communication_style_source"] = vals["communication_style"] and "advisor"
        return vals
