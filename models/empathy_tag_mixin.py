# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The fields shared by the entries of the empathy taxonomies (motives, values)."""

from odoo import fields, models


class EmpathyTagMixin(models.AbstractModel):
    _name = "empathy.tag.mixin"
    _description = "Empathy Taxonomy Entry (motives, values)"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    description = fields.Text(translate=True)
    color = fields.Integer()
    active = fields.Boolean(default=True)
