# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Every override of an ORM internal, in one place: how empathy data is protected and
searched when Odoo reads, searches, groups, aggregates, orders and exports.

The overrides are thin: each calls one named method of the concern that owns the rule.
A search of ``res.partner`` by a user runs, in this order:

1. ``_empathy_objection_domain`` (``res_partner_objection.py``): conditions on the
   profile of people who object to profiling match as if the profile were empty,
   for users who do not see such profiles (Python only);
2. ``_empathy_guard_domain`` (``base_field_guard.py``, every model): a protected
   field the user may not read raises ``AccessError``; one they may read, reached
   through a relation or a one2many, is searched on the model holding it, so that
   its record rules (companies) apply. Skipped for the superuser.

Reading: the guard refuses protected values of other companies
(``_empathy_check_read``), then the objection masks profile values
(``_empathy_mask_read``). Grouping, aggregating and ordering: the guard refuses or
scopes to the user's companies (``_empathy_check_sql_field``), then the objection
masks (``_empathy_mask_groupby`` / ``_aggregate`` / ``_order``).

Odoo 19.0 moves these hooks (``Field.condition_to_sql``, ``_search`` with
``active_test``/``bypass_access``, ``formatted_read_group``): porting is this file.
"""

from odoo import api, models
from odoo.models import parse_read_group_spec


class Base(models.AbstractModel):
    _inherit = "base"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            domain = self._empathy_search_domain(domain, order)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _empathy_search_domain(self, domain, order):
        """Return ``domain`` made safe for the current user (steps 1-2 above)."""
        if self.env.su:
            return domain
        return self._empathy_guard_domain(domain)[0]

    def _read_format(self, fnames, load="_classic_read"):
        # read, search_read and web_read format their values here (values in cache)
        if fnames and self._ids and not self.env.su:
            self._empathy_check_read(fnames)
        return super()._read_format(fnames, load=load)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        if self._ids and not self.env.su:
            self._empathy_check_read([path[0] for path in fields if path])
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def _read_group_groupby(self, groupby_spec, query):
        self._empathy_check_sql_field(parse_read_group_spec(groupby_spec)[0], query, self._table)
        return super()._read_group_groupby(groupby_spec, query)

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec != "__count":
            fname = parse_read_group_spec(aggregate_spec)[0]
            self._empathy_check_sql_field(fname, query, self._table)
        return super()._read_group_select(aggregate_spec, query)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        self._empathy_check_sql_field(field_name.split(".", 1)[0], query, alias)
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _empathy_search_domain(self, domain, order):
        domain = self._empathy_objection_domain(domain)
        return super()._empathy_search_domain(domain, order)

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        return self._empathy_mask_read(result, fnames)

    def _read_group_groupby(self, groupby_spec, query):
        sql = super()._read_group_groupby(groupby_spec, query)
        return self._empathy_mask_groupby(groupby_spec, query, sql)

    def _read_group_select(self, aggregate_spec, query):
        sql = super()._read_group_select(aggregate_spec, query)
        return self._empathy_mask_aggregate(aggregate_spec, query, sql)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        sql = super()._order_field_to_sql(alias, field_name, direction, nulls, query)
        return self._empathy_mask_order(alias, field_name, direction, nulls, query, sql)
