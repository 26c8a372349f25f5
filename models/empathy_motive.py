# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from odoo import fields, models


class EmpathyMotive(models.Model):
    _name = "empathy.motive"
    _description = "Purchase Motive"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A purchase motive with this name already exists."),
    ]
