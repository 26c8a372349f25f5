# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The empathy profile of a contact: one row per person, protected by Odoo's own rules.

Motives, values, why they buy, how to talk to them. The rows are protected like any
record: the access rights give them to Empathy users (portal, public and other
internal users have none), the global rule to the companies of the contact (shared
contacts: every company), and the rule of Empathy users hides the profile of a person
who objects to profiling (GDPR Art. 21) in every read path (read, search, ``any``,
group by, order by, export, related paths); managers see it.

The contact shows the row through fields of the same names as before
(``res.partner.empathy_why``, ...; ``res_partner.py``). A change of a row moves the
customer's rapport statistics between kinds (``empathy.kind.rapport``) and records the
motives and values added by hand as evidence.
"""

from odoo import api, fields, models

from ..tools import compat
from ..tools.profile_fields import TRAIT_FIELDS
from .empathy_impression import CHANNELS, COMMUNICATION_STYLES

TEMPERAMENTS = [("easy", "Easy-going"), ("neutral", "Neutral"), ("demanding", "Demanding")]
PREFERRED_CHANNELS = [
    c for c in CHANNELS if c[0] in ("phone", "email", "meeting", "video", "chat", "letter")
]
#: the contact's field (res.partner) of each field of the profile row
PARTNER_FIELDS = {
    "motive_ids": "empathy_motive_ids",
    "value_ids": "empathy_value_ids",
    "why": "empathy_why",
    "communication_style": "empathy_communication_style",
    "temperament": "empathy_temperament",
    "preferred_channel": "empathy_preferred_channel",
    "personal_notes": "empathy_personal_notes",
}
#: the fields a kind of customer is made of (``empathy.kind.rapport``)
KIND_FIELDS = frozenset(row for row, partner in PARTNER_FIELDS.items() if partner in TRAIT_FIELDS)
#: the many2many fields of the row
TAG_FIELDS = ("motive_ids", "value_ids")


@compat.sql_constraints(
    ("partner_uniq", "unique (partner_id)", "A contact has one empathy profile."),
)
class EmpathyProfile(models.Model):
    _name = "empathy.profile"
    _description = "Empathy Profile"
    _order = "partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Contact", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True, string="Company"
    )
    motive_ids = fields.Many2many(
        "empathy.motive",
        "empathy_profile_motive_rel",
        "profile_id",
        "motive_id",
        string="Purchase motives",
        help="Why this customer buys: goals, life events, occasions.",
    )
    value_ids = fields.Many2many(
        "empathy.value",
        "empathy_profile_value_rel",
        "profile_id",
        "value_id",
        string="Values",
        help="What this customer cares about.",
    )
    why = fields.Text(string="Why does this customer buy?")
    communication_style = fields.Selection(
        COMMUNICATION_STYLES, string="Communication style", index="btree_not_null"
    )
    temperament = fields.Selection(TEMPERAMENTS, index="btree_not_null")
    preferred_channel = fields.Selection(PREFERRED_CHANNELS, string="Preferred channel")
    personal_notes = fields.Text(
        help="Things worth remembering, e.g. a favourite book or the children's names.",
    )

    # ------------------------------------------------------------------
    # CRUD: the kinds of customers and the evidence follow the rows
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partner_ids = [vals["partner_id"] for vals in vals_list if vals.get("partner_id")]
        with self.env["empathy.kind.rapport"]._empathy_kinds_changing(partner_ids):
            profiles = super().create(vals_list)
        if self._empathy_track_manual_evidence():
            nothing = (self.env["empathy.motive"], self.env["empathy.value"])
            profiles._empathy_record_manual_evidence(dict.fromkeys(profiles, nothing))
        return profiles

    def write(self, vals):
        track = self._empathy_track_manual_evidence() and bool(set(TAG_FIELDS) & set(vals))
        if track:
            before = {row: (row.motive_ids, row.value_ids) for row in self.sudo()}
        if KIND_FIELDS & set(vals) or "partner_id" in vals:
            partner_ids = self.sudo().partner_id.ids
            if vals.get("partner_id"):
                partner_ids.append(vals["partner_id"])
            with self.env["empathy.kind.rapport"]._empathy_kinds_changing(partner_ids):
                result = super().write(vals)
        else:
            result = super().write(vals)
        if track:
            self._empathy_record_manual_evidence(before)
        return result

    def unlink(self):
        partner_ids = self.sudo().partner_id.ids
        with self.env["empathy.kind.rapport"]._empathy_kinds_changing(partner_ids):
            return super().unlink()

    # ------------------------------------------------------------------
    # evidence of motives and values added by hand
    # ------------------------------------------------------------------
    def _empathy_track_manual_evidence(self):
        """Return whether motives/values written now are a user's manual additions.

        System writes (impressions, campaigns, data files, sudo) record their own
        evidence or none.
        """
        return not self.env.su and not self.env.context.get("empathy_no_evidence")

    def _empathy_record_manual_evidence(self, before):
        """Record the motives and values added since ``before`` ({row: (motives, values)})."""
        added = {}
        for row, (motives, values) in before.items():
            row = row.sudo()
            new_motives, new_values = row.motive_ids - motives, row.value_ids - values
            if new_motives or new_values:
                added[row.partner_id] = (new_motives, new_values)
        if added:
            self.env["empathy.motive.evidence"]._empathy_record_manual(added)

    # ------------------------------------------------------------------
    # the contact's fields (res.partner): values to rows
    # ------------------------------------------------------------------
    @api.model
    def _empathy_has_values(self, values):
        """Return whether ``values`` (as for ``create``) put anything in a new row."""
        new = self.new({})
        return any(
            self._fields[name].convert_to_cache(value, new) for name, value in values.items()
        )
