# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Customer values: what matters to customers (an entry of the empathy taxonomy)."""

from odoo import fields, models

from ..tools import compat


@compat.sql_constraints(
    ("name_uniq", "unique (name)", "A customer value with this name already exists."),
)
class EmpathyValue(models.Model):
    _name = "empathy.value"
    _inherit = ["empathy.tag.mixin"]
    _description = "Customer Value"

    # the campaigns targeting this value (shown as ``utm.campaign.empathy_value_ids``):
    # stored on the taxonomy, whose access rights give it to Empathy users only
    campaign_ids = fields.Many2many(
        "utm.campaign",
        "utm_campaign_empathy_value_rel",
        "value_id",
        "campaign_id",
        string="Campaigns",
        help="Customers who respond to these campaigns gain this value.",
    )
