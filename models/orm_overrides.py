# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The overrides of ORM internals that remain on contacts: how the company-dependent
rapport aggregates are searched.

A search of ``res.partner`` by a user runs, in this order:

1. ``_empathy_click_domain`` (``res_partner_rapport_search.py``): *I click with
   them* becomes a test of the contact's click set;
2. ``_empathy_rapport_domain`` (``res_partner_rapport_search.py``, unordered
   searches only): rapport subqueries as id lists (one plan, on the index);
3. ``_condition_to_sql`` → ``_empathy_condition_to_sql``: index-friendly SQL for
   the company-dependent aggregates (same results as Odoo's).

The empathy profile needs none: it is a model of its own (``empathy.profile``),
protected by its access rights and record rules.
"""

from odoo import api, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        if domain:
            domain = self._empathy_click_domain(domain)
            if not order:
                domain = self._empathy_rapport_domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _condition_to_sql(self, alias, fname, operator, value, query):
        sql = self._empathy_condition_to_sql(alias, fname, operator, value)
        if sql is None:
            return super()._condition_to_sql(alias, fname, operator, value, query)
        return sql
