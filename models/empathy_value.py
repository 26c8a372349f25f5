# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Customer values: what matters to customers (an entry of the empathy taxonomy)."""

from odoo import models


class EmpathyValue(models.Model):
    _name = "empathy.value"
    _inherit = ["empathy.tag.mixin"]
    _description = "Customer Value"

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A customer value with this name already exists."),
    ]
