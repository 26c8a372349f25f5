# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The empathy profile of a contact: motives, values, why they buy, how to talk to them.

The profile is a row of ``empathy.profile`` (one per contact), protected by its access
rights and record rules. The contact shows it through fields of the same names as
before, computed as the current user: a row the user may not see (a person who objects
to profiling, a contact of another company) reads as an empty profile, is searched as
one (``tools/delegated_fields.py``), and cannot be grouped or sorted by (non-stored
fields: Odoo refuses; ``empathy.profile`` is grouped instead). Written, the fields
write the row, created when missing.
"""

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

from ..tools import compat
from ..tools.delegated_fields import (
    delegated_domain,
    visible_one2many,
    visible_one2many_methods,
)
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.profile_fields import PROFILE_FIELDS
from .empathy_impression import COMMUNICATION_STYLES
from .empathy_profile import PARTNER_FIELDS, PREFERRED_CHANNELS, TAG_FIELDS, TEMPERAMENTS

__all__ = ["PREFERRED_CHANNELS", "PROFILE_FIELDS", "TEMPERAMENTS"]

#: the field of the profile row (``empathy.profile``) each contact's field shows
ROW_FIELDS = {partner_field: row_field for row_field, partner_field in PARTNER_FIELDS.items()}


def _profile_field(field_type, *args, name, **kwargs):
    """Return the contact's field ``name`` showing a field of its profile row.

    Computed as the current user (``compute_sudo=False``), so that the row's record
    rules decide what the user reads; written to the row; searched on the rows.
    """
    return field_type(
        *args,
        compute="_compute_empathy_profile",
        inverse="_inverse_empathy_profile",
        search=f"_search_{name}",
        compute_sudo=False,
        copy=True,
        groups=EMPATHY_USER_GROUP,
        **kwargs,
    )


def _profile_search(partner_field):
    """Return the ``search=`` method of the contact's field ``partner_field``: a
    condition on the contact's visible profile row (an empty one when it has none)."""

    def search(self, operator, value):
        return delegated_domain(
            "empathy_profile_ids",
            self.env["empathy.profile"],
            ROW_FIELDS[partner_field],
            operator,
            value,
        )

    search.__name__ = search.__qualname__ = f"_search_{partner_field}"
    return search


class ResPartner(models.Model):
    _inherit = "res.partner"

    empathy_profile_ids = visible_one2many(
        "empathy.profile",
        "partner_id",
        "empathy_profile_ids",
        string="Empathy profile",
        groups=EMPATHY_USER_GROUP,
        help="The contact's profile row (at most one), shown by the fields of the Empathy tab.",
    )
    empathy_motive_ids = _profile_field(
        fields.Many2many,
        "empathy.motive",
        name="empathy_motive_ids",
        string="Purchase motives",
        help="Why this customer buys: goals, life events, occasions.",
    )
    empathy_value_ids = _profile_field(
        fields.Many2many,
        "empathy.value",
        name="empathy_value_ids",
        string="Values",
        help="What this customer cares about.",
    )
    empathy_why = _profile_field(
        fields.Text, name="empathy_why", string="Why does this customer buy?"
    )
    empathy_communication_style = _profile_field(
        fields.Selection,
        COMMUNICATION_STYLES,
        name="empathy_communication_style",
        string="Communication style",
    )
    empathy_temperament = _profile_field(
        fields.Selection, TEMPERAMENTS, name="empathy_temperament", string="Temperament"
    )
    empathy_preferred_channel = _profile_field(
        fields.Selection,
        PREFERRED_CHANNELS,
        name="empathy_preferred_channel",
        string="Preferred channel",
    )
    empathy_personal_notes = _profile_field(
        fields.Text,
        name="empathy_personal_notes",
        string="Personal notes",
        help="Things worth remembering, e.g. a favourite book or the children's names.",
    )
    empathy_impression_ids = visible_one2many(
        "empathy.impression",
        "partner_id",
        "empathy_impression_ids",
        string="Impressions",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_impression_count = fields.Integer(
        compute="_compute_empathy_impression_count",
        string="Impression count",
        groups=EMPATHY_USER_GROUP,
    )
    empathy_rapport_ids = visible_one2many(
        "empathy.rapport",
        "partner_id",
        "empathy_rapport_ids",
        string="Rapport",
        groups=EMPATHY_USER_GROUP,
    )

    # the rows the user may read, searched through their access rights and rules
    _compute_empathy_profile_ids, _search_empathy_profile_ids = visible_one2many_methods(
        "empathy_profile_ids", "empathy.profile", "partner_id"
    )
    _compute_empathy_impression_ids, _search_empathy_impression_ids = visible_one2many_methods(
        "empathy_impression_ids", "empathy.impression", "partner_id"
    )
    _compute_empathy_rapport_ids, _search_empathy_rapport_ids = visible_one2many_methods(
        "empathy_rapport_ids", "empathy.rapport", "partner_id"
    )

    _search_empathy_motive_ids = _profile_search("empathy_motive_ids")
    _search_empathy_value_ids = _profile_search("empathy_value_ids")
    _search_empathy_why = _profile_search("empathy_why")
    _search_empathy_communication_style = _profile_search("empathy_communication_style")
    _search_empathy_temperament = _profile_search("empathy_temperament")
    _search_empathy_preferred_channel = _profile_search("empathy_preferred_channel")
    _search_empathy_personal_notes = _profile_search("empathy_personal_notes")

    # ------------------------------------------------------------------
    # the profile row: read as the user, written to the row
    # ------------------------------------------------------------------
    @api.depends_context("uid", "allowed_company_ids")
    @api.depends(
        "empathy_objection",
        "empathy_profile_ids.company_id",
        *(f"empathy_profile_ids.{name}" for name in PARTNER_FIELDS),
    )
    def _compute_empathy_profile(self):
        # searched, not read through empathy_profile_ids: its value in cache may come
        # from a superuser read; the search applies the user's record rules
        partner_ids = [pid for pid in self._origin.ids if pid]
        rows = self.env["empathy.profile"].search_fetch(
            [("partner_id", "in", partner_ids)], ["partner_id", *PARTNER_FIELDS]
        )
        row_of = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = row_of.get(partner._origin.id)
            for row_field, partner_field in PARTNER_FIELDS.items():
                partner[partner_field] = row[row_field] if row else False

    def _inverse_empathy_profile(self):
        # create() and write() route the values to the rows themselves (batched, only
        # the fields written); this serves any other caller of the inverse
        for partner in self:
            partner._empathy_write_profiles(
                {
                    row_field: [Command.set(partner[partner_field].ids)]
                    if row_field in TAG_FIELDS
                    else partner[partner_field]
                    for row_field, partner_field in PARTNER_FIELDS.items()
                }
            )

    @api.model_create_multi
    def create(self, vals_list):
        # the profile values go to the rows, created in one batch (Odoo would inverse
        # the non-stored fields one contact at a time)
        vals_list = [dict(vals) for vals in vals_list]
        profiles = [self._empathy_pop_profile_values(vals) for vals in vals_list]
        partners = super().create(vals_list)
        Profile = self.env["empathy.profile"]
        new_rows = {
            partner: values
            for partner, values in zip(partners, profiles, strict=True)
            if Profile._empathy_has_values(values)
        }
        if new_rows:
            partners.browse().concat(*new_rows)._empathy_check_profile_writable()
            Profile.create(
                [{"partner_id": partner.id, **values} for partner, values in new_rows.items()]
            )
        return partners

    def write(self, vals):
        """Write the contacts; the addon's effects, in this order (the one ``write``
        of the addon on contacts):

        1. the objection: only empathy managers lift it, refused before anything is
           written (``res_partner_objection.py``);
        2. the salespeople before the write, for the handover (``res_partner_handover.py``);
        3. the kinds of customers: a write of the objection or the hierarchy may move
           the customers' pairs between kinds; ``_empathy_kinds_changing`` takes the
           customers' lock first and moves them after (``res_partner_matching.py``);
        4. the write itself; the profile values go to the profile rows, only the
           fields written, as written (many2many commands applied to the row's own
           links), whose own write moves the kinds if their traits change;
        5. the handover To-Do for a new salesperson, then the objection's lead scoring
           factors and its log.
        """
        vals = dict(vals)
        objection_changed = self._empathy_check_objection_change(vals)
        previous_users = self._empathy_handover_before(vals)
        Kind = self.env["empathy.kind.rapport"]
        with Kind._empathy_kinds_changing(self._empathy_kind_affected(vals)):
            profile = self._empathy_pop_profile_values(vals)
            result = super().write(vals)
            if profile:
                self._empathy_write_profiles(profile)
        self._empathy_handover_after(previous_users)
        self._empathy_objection_after(vals, objection_changed)
        return result

    def _empathy_pop_profile_values(self, vals):
        """Remove the profile fields from ``vals``; return them as the row's values."""
        names = [name for name in vals if name in ROW_FIELDS]
        if names and not self.env.su:
            compat.check_field_access(self, "write", names)
        return {ROW_FIELDS[name]: vals.pop(name) for name in names}

    def _empathy_write_profiles(self, values):
        """Write ``values`` (values of ``empathy.profile``, as for its ``write``) to the
        profile rows of these contacts, creating the missing rows (none when there is
        nothing to write). One write for the existing rows, one create for the others.
        """
        partners = self.filtered("id")
        if not partners:
            return
        Profile = self.env["empathy.profile"]
        # the rapport queue's lock of the customers: two requests writing the profile
        # of the same contact one after the other (one creates its row, the other
        # then finds it), and the kinds of customers moved in the same order
        self.env["empathy.rapport"]._empathy_lock_partners(partners.ids)
        partners._empathy_check_profile_writable()
        rows = Profile.sudo().search([("partner_id", "in", partners.ids)])
        missing = partners - rows.partner_id.with_env(self.env)
        if rows:
            rows.with_env(Profile.env).write(dict(values))
        if missing and Profile._empathy_has_values(values):
            Profile.create([{"partner_id": partner.id, **values} for partner in missing])
        # computed per user (record rules): read them again from the rows, for everyone
        partners.invalidate_recordset(list(ROW_FIELDS))

    def _empathy_check_profile_writable(self):
        """Raise a clear AccessError when the user may not write these profiles.

        The record rules of ``empathy.profile`` decide; this only words the refusal
        of the common case: a salesperson writing the profile of a person who objects.
        """
        if self.env.su or self._empathy_sees_objecting_profiles():
            return
        objecting = self.sudo().filtered("empathy_objection")
        if objecting:
            raise AccessError(
                self.env._(
                    "%(names)s objects to profiling (GDPR Art. 21): only empathy managers"
                    " can change the profile.",
                    names=", ".join(objecting.mapped("display_name")),
                )
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
