# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The profile row as the bridge needs it.

What a marketer may see: marketers (``group_empathy_marketing``) read profile rows
(access rights and the rule of ``security/empathic_crm_mass_mailing_security.xml``:
not of people who object, only of their companies) to select recipients by kinds of
customers; the free texts about the person stay with empathy users.
"""

from odoo import api, fields, models  # noqa: F401  (sections of other owners)

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
