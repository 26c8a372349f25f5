# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's empathy fields as the bridge needs them.

What a marketer may see: the fields of the *kinds* of customers (motives, values,
communication style, temperament, preferred channel, silent) are readable and
searchable by marketers (``group_empathy_marketing``), so that Odoo's domain editor
offers them on a mailing's recipients; every other empathy field keeps the main
addon's ``groups`` (empathy users). Marketers read the profile rows as themselves
(rules: not of people who object, only of their companies), never why they buy
nor personal notes; the silent flag comes from the current company's figures,
read for them as the system (they have no access to the figures themselves).
"""

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools.query import Query

from odoo.addons.empathic_crm.models.empathy_partner_stat import PARTNER_FIELDS as STAT_FIELDS
from odoo.addons.empathic_crm.models.empathy_profile import PARTNER_FIELDS
from odoo.addons.empathic_crm.tools import compat
from odoo.addons.empathic_crm.tools.delegated_fields import empty_row_matches

from ..tools.groups import KIND_GROUPS, is_empathy_user, is_marketer

#: the contact's fields a marketer selects recipients by (the kinds of customers)
MARKETING_KIND_FIELDS = (
    "empathy_motive_ids",
    "empathy_value_ids",
    "empathy_communication_style",
    "empathy_temperament",
    "empathy_preferred_channel",
    "empathy_silent",
)
#: the profile row's fields a marketer reads (``empathy.profile``)
MARKETING_ROW_FIELDS = tuple(
    row for row, partner in PARTNER_FIELDS.items() if partner in MARKETING_KIND_FIELDS
)


def _kind_conditions_only(domain):
    """Return whether ``domain`` (a list, or a 19.0 ``Domain``) is made of conditions
    on the rows' kind fields only."""
    if isinstance(domain, (str, bytes)) or not hasattr(domain, "__iter__"):
        return False
    for term in domain:
        if isinstance(term, str):
            if term not in ("&", "|", "!"):
                return False
            continue
        name = term[0] if isinstance(term, (list, tuple)) else getattr(term, "field_expr", None)
        if not isinstance(name, str) or name.split(".")[0] not in MARKETING_ROW_FIELDS:
            return False
    return True


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # what a marketer may see (owner: recipients)
    # ------------------------------------------------------------------
    empathy_motive_ids = fields.Many2many(groups=KIND_GROUPS)
    empathy_value_ids = fields.Many2many(groups=KIND_GROUPS)
    empathy_communication_style = fields.Selection(groups=KIND_GROUPS)
    empathy_temperament = fields.Selection(groups=KIND_GROUPS)
    empathy_preferred_channel = fields.Selection(groups=KIND_GROUPS)
    empathy_silent = fields.Boolean(groups=KIND_GROUPS)

    def _empathy_marketer_only(self):
        """Return whether the user is a marketer who is not an empathy user."""
        return not is_empathy_user(self.env) and is_marketer(self.env)

    def _compute_empathy_profile(self):
        if not self._empathy_marketer_only():
            return super()._compute_empathy_profile()
        # a marketer: the kinds of the rows they may read (rules: not of people who
        # object, their companies); the other fields of the row are not theirs
        partner_ids = [pid for pid in self._origin.ids if pid]
        rows = self.env["empathy.profile"].search_fetch(
            [("partner_id", "in", partner_ids)], ["partner_id", *MARKETING_ROW_FIELDS]
        )
        row_of = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = row_of.get(partner._origin.id)
            for row_field, partner_field in PARTNER_FIELDS.items():
                readable = row and row_field in MARKETING_ROW_FIELDS
                partner[partner_field] = row[row_field] if readable else False
        return None

    def _compute_empathy_stat_figures(self):
        if not self._empathy_marketer_only():
            return super()._compute_empathy_stat_figures()
        # the current company's figures, read as the system with the main addon's
        # scope: the values the user's record rules would give (the cache of these
        # fields is shared between users: it depends on the company only); of them a
        # marketer may read empathy_silent alone (groups)
        ids = [pid for pid in self._origin.ids if pid]
        Stat = self.env["empathy.partner.stat"].sudo()
        stats = Stat.search_fetch(
            [("partner_id", "in", ids), *self._empathy_stat_scope()],
            ["partner_id", *STAT_FIELDS.values()],
        )
        by_partner = {stat.partner_id.id: stat for stat in stats}
        for partner in self:
            stat = by_partner.get(partner._origin.id, Stat.browse())
            for pfname, fname in STAT_FIELDS.items():
                partner[pfname] = stat[fname]
        return None

    def _search_empathy_silent(self, operator, value):
        if not self._empathy_marketer_only():
            return super()._search_empathy_silent(operator, value)
        # the current company's row, as the main addon's search (a contact without
        # one answers as an empty row), on the rows read as the system
        Stat = self.env["empathy.partner.stat"].sudo()
        scope = self._empathy_stat_scope()
        condition = [("silent", operator, value)]
        if empty_row_matches(Stat, condition):
            negation = compat.term_operator_negation(operator)
            if not negation:
                raise UserError(self.env._("Search Silent customer with = or !=."))
            rows, found = Stat._search([*scope, ("silent", negation, value)]), "not in"
        else:
            rows, found = Stat._search([*scope, *condition]), "in"
        return [("id", found, rows.subselect(Stat._field_to_sql(rows.table, "partner_id", rows)))]

    def _search_empathy_profile_ids(self, operator, value):
        # a marketer reaches the rows only through the kind fields (their conditions,
        # as the delegated search passes them); not whether a contact has a row
        # (a subquery, as Odoo 18.0 passes "any", was searched as the user: the
        # fields' groups of the rows applied)
        if self._empathy_marketer_only() and not (
            isinstance(value, Query)
            or (operator in ("any", "not any") and _kind_conditions_only(value))
        ):
            compat.check_field_access(self, "read", ["empathy_profile_ids"])
        return super()._search_empathy_profile_ids(operator, value)

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
