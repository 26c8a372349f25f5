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
    def action_empathy_erase(self):
        """Erase also the kind kept on the traces of mailings to these persons
        (GDPR Art. 17): the traces stay for Odoo's mailing statistics."""
        result = super().action_empathy_erase()
        self.env["mailing.trace"].sudo().search(
            [("model", "=", "res.partner"), ("res_id", "in", self.ids)]
        ).write({"empathy_style": False, "empathy_temperament": False})
        return result



