# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Purchase motives: why customers buy (an entry of the empathy taxonomy)."""

from odoo import models


class EmpathyMotive(models.Model):
    _name = "empathy.motive"
    _inherit = ["empathy.tag.mixin"]
    _description = "Purchase Motive"

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A purchase motive with this name already exists."),
    ]
