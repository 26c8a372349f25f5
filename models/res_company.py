# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Companies: a new company gets the indexes of its partner aggregates."""

from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # the partner aggregates of the new companies are searched through their indexes
        self.env["res.partner"]._empathy_create_company_indexes(companies.ids)
        return companies
