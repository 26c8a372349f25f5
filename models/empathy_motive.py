# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Purchase motives: why customers buy (an entry of the empathy taxonomy)."""

from odoo import fields, models

from ..tools import compat


@compat.sql_constraints(
    ("name_uniq", "unique (name)", "A purchase motive with this name already exists."),
)
class EmpathyMotive(models.Model):
    _name = "empathy.motive"
    _inherit = ["empathy.tag.mixin"]
    _description = "Purchase Motive"

    # the campaigns targeting this motive (shown as ``utm.campaign.empathy_motive_ids``):
    # stored on the taxonomy, whose access rights give it to Empathy users only
    campaign_ids = fields.Many2many(
        "utm.campaign",
        "utm_campaign_empathy_motive_rel",
        "motive_id",
        "campaign_id",
        string="Campaigns",
        help="Customers who respond to these campaigns gain this motive.",
    )
