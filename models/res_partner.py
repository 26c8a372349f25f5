# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The empathy profile of a contact: motives, values, why they buy, how to talk to them."""

from odoo import fields, models

from .empathy_groups import EMPATHY_USER_GROUP
from .empathy_impression import CHANNELS, COMMUNICATION_STYLES

#: the profile: hidden from salespeople while the person objects to profiling
PROFILE_FIELDS = (
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_why",
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_personal_notes",
    "empathy_impression_ids",
    "empathy_motive_evidence_ids",
)
TEMPERAMENTS = [("easy", "Easy-going"), ("neutral", "Neutral"), ("demanding", "Demanding")]
PREFERRED_CHANNELS = [
    c for c in CHANNELS if c[0] in ("phone", "email", "meeting", "video", "chat", "letter")
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    empathy_motive_ids = fields.Many2many(
        "empathy.motive",
        "res_partner_empathy_motive_rel",
        "partner_id",
        "motive_id",
        string="Purchase motives",
        groups=EMPATHY_USER_GROUP,
        help="Why this customer buys: goals, life events, occasions.",
    )
    empathy_value_ids = fields.Many2many(
        "empathy.value",
        "res_partner_empathy_value_rel",
        "partner_id",
        "value_id",
        string="Values",
        groups=EMPATHY_USER_GROUP,
        help="What this customer cares about.",
    )
    empathy_why = fields.Text(string="Why does this customer buy?", groups=EMPATHY_USER_GROUP)
    empathy_communication_style = fields.Selection(
        COMMUNICATION_STYLES,
        string="Communication style",
        groups=EMPATHY_USER_GROUP,
        index="btree_not_null",
    )
    empathy_temperament = fields.Selection(
        TEMPERAMENTS,
        string="Temperament",
        groups=EMPATHY_USER_GROUP,
        index="btree_not_null",
    )
    empathy_preferred_channel = fields.Selection(
        PREFERRED_CHANNELS, string="Preferred channel", groups=EMPATHY_USER_GROUP
    )
    empathy_personal_notes = fields.Text(
        string="Personal notes",
        groups=EMPATHY_USER_GROUP,
        help="Things worth remembering, e.g. a favourite book or the children's names.",
    )
    empathy_impression_ids = fields.One2many(
        "empathy.impression", "partner_id", string="Impressions", groups=EMPATHY_USER_GROUP
    )
    empathy_impression_count = fields.Integer(
        compute="_compute_empathy_impression_count",
        string="Impression count",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_rapport_ids = fields.One2many(
        "empathy.rapport", "partner_id", string="Rapport", groups=EMPATHY_USER_GROUP
    )

    def _compute_empathy_impression_count(self):
        counts = dict(
            self.env["empathy.impression"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.empathy_impression_count = counts.get(partner, 0)

    def action_view_empathy_impressions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm.empathy_impression_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
