# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Activity types: whether completing one requires an impression, and its channel."""

from odoo import fields, models

from ..tools.vocabulary import CHANNELS


class MailActivityType(models.Model):
    _inherit = "mail.activity.type"

    empathy_impression_required = fields.Boolean(
        string="Requires an impression",
        help="Marking an activity of this type done on a record with a contact opens the"
        " impression dialog: the advisor rates rapport and mood before it is completed.",
    )
    empathy_channel = fields.Selection(
        CHANNELS,
        string="Impression channel",
        help="Channel prefilled in the impression dialog for activities of this type.",
    )

    def _empathy_default_channel(self):
        """Return the impression channel for activities of this type."""
        self.ensure_one()
        if self.empathy_channel:
            return self.empathy_channel
        if self.category == "phonecall":
            return "phone"
        if self.category == "meeting":
            return "meeting"
        return "other"
