# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import api, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        self.env["utm.campaign"]._empathy_apply_responses(
            leads, "campaign_lead", check_existing=False
        )
        return leads

    def write(self, vals):
        res = super().write(vals)
        if "campaign_id" in vals or "partner_id" in vals:
            self.env["utm.campaign"]._empathy_apply_responses(self, "campaign_lead")
        return res
