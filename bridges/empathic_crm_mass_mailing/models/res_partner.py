# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""TODO (skeleton): docstring by the owners of the sections."""

from odoo import api, fields, models  # noqa: F401  (skeleton)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # what a marketer may see (owner: recipients)
    # ------------------------------------------------------------------



    # ------------------------------------------------------------------
    # the style learnt from campaign responses (owner: responses)
    # ------------------------------------------------------------------



