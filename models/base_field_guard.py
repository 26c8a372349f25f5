# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The field guard: every field protected by an empathy group, on every model.

Odoo checks the ``groups=`` of a field when it is read, and when a plain column
is searched, grouped or ordered. Three derived paths escape that check:

- domains through relational paths (``user_ids.partner_id.empathy_motive_ids``):
  the last field is evaluated on a joined table (``auto_join``, ``_inherits``), or
  a one2many is tested against ids without the comodel's record rules;
- grouping by a many2many (``_read_group_groupby`` joins the relation table);
- grouping, aggregating or ordering by a related field whose value lives on
  another model (``res.users`` shows the fields of its ``res.partner``).

The guard walks each domain leaf field by field before Odoo compiles it: a
protected field the user may not read raises ``AccessError``; one the user may
read is evaluated by a search on the model that holds it, so that this model's
record rules (companies) apply. Python only: no query per leaf. The ORM methods that
call it are overridden in ``orm_overrides.py`` only.
"""

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.osv import expression
from odoo.tools import SQL

#: groups= of these modules protect empathy data
GUARDED_GROUP_PREFIX = "empathic_crm."
X2MANY = ("one2many", "many2many")


def is_guarded(field):
    """Return whether ``field`` is protected by an empathy group."""
    return bool(field.groups) and GUARDED_GROUP_PREFIX in field.groups


def _is_ids(value):
    """Return whether a domain value is an id, a list of ids or False."""
    if value is False or value is None:
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return isinstance(value, (list, tuple)) and all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    )


class Base(models.AbstractModel):
    _inherit = "base"

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _empathy_access_error(self, field):
        return AccessError(
            self.env._(
                "You are not allowed to use the field %(field)s (%(model)s): it holds"
                " empathy data, which only Empathy users of the record's company see.",
                field=field.string,
                model=field.model_name,
            )
        )

    def _empathy_check_sql_field(self, fname, query, alias):
        """Refuse grouping, aggregating or ordering by protected data out of reach.

        Out of reach: a field the user may not read, a related field showing the
        protected value of another model (joined without that model's rules), and
        records of other companies (left out of the query).
        """
        field = self._fields.get(fname)
        if field is None or self.env.su or not is_guarded(field):
            return
        if not field.is_accessible(self.env):
            raise self._empathy_access_error(field)
        if field.related and not field.store and is_guarded(field.related_field):
            raise self._empathy_access_error(field)
        if self._empathy_company_field():
            # SQL fragment (a WHERE of the ORM's own query, which flushes and applies
            # the record rules): the company filter of Odoo's standard multi-company
            # rules, ``company_id in company_ids`` with shared records (NULL), for
            # the user's active companies (``env.companies``, what ``company_ids``
            # evaluates to), also where a model has no such rule of its own
            company = self._field_to_sql(alias, "company_id", query)
            query.add_where(
                SQL(
                    "(%s IS NULL OR %s IN %s)",
                    company,
                    company,
                    tuple(self.env.companies.ids) or (None,),
                )
            )

    def _empathy_company_field(self):
        """Return whether records of this model belong to a company (``company_id``)."""
        field = self._fields.get("company_id")
        return bool(
            field is not None
            and field.type == "many2one"
            and field.comodel_name == "res.company"
            and field.store
        )

    def _empathy_check_read(self, field_names):
        """Protected values are read only by users of the record's company.

        Records without a company are shared. A related protected field (computed
        as superuser) is reading the record that holds it: ``res.users`` shows the
        fields of its partner.
        """
        direct = False
        for name in field_names:
            field = self._fields.get(name)
            if field is None or not is_guarded(field):
                continue
            if field.related and not field.store and is_guarded(field.related_field):
                path, target = field.related.rsplit(".", 1)
                holders = self.sudo().mapped(path).with_env(self.env)
                holders.check_access("read")
                holders._empathy_check_read([target])
            else:
                direct = True
        if direct and self._empathy_company_field():
            companies = self.env.companies
            foreign = self.sudo().filtered(
                lambda record: record.company_id and record.company_id not in companies
            )
            if foreign:
                raise AccessError(
                    self.env._(
                        "The empathy data of %(records)s belongs to %(company)s: only its"
                        " Empathy users see it.",
                        records=", ".join(foreign.mapped("display_name")[:3]),
                        company=", ".join(foreign.company_id.mapped("name")),
                    )
                )

    @api.model
    def _empathy_guard_domain(self, domain):
        """Return (domain, touched): ``domain`` with protected leaves made safe.

        Raise AccessError when a leaf uses a protected field the user may not read.
        ``touched`` tells whether any leaf uses a protected field.
        """
        result = []
        touched = False
        for leaf in domain:
            if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
                new, hit = self._empathy_guard_leaf(tuple(leaf))
                touched = touched or hit
                if hit:
                    result.extend(new)
                    continue
            result.append(leaf)
        return (result if touched else domain), touched

    @api.model
    def _empathy_guard_leaf(self, leaf):
        """Return (leaves, touched) replacing ``leaf`` (see ``_empathy_guard_domain``)."""
        left, operator, right = leaf
        parts = left.split(".")
        model = self
        for index, fname in enumerate(parts):
            field = model._fields.get(fname)
            if field is None:
                return [leaf], False  # Odoo reports the bad path
            if is_guarded(field):
                if not field.is_accessible(model.env):
                    raise model._empathy_access_error(field)
                # the rest is evaluated by the model holding the field, whose record
                # rules then apply (joins of auto_join and _inherits skip them)
                return self._empathy_guarded_leaves(parts, index, model, field, operator, right)
            if not field.relational or index == len(parts) - 1:
                break
            model = model.env[field.comodel_name]
        if operator in ("any", "not any") and field.relational and isinstance(right, (list, tuple)):
            comodel = model.env[field.comodel_name]
            sub, touched = comodel._empathy_guard_domain(right)
            if touched:
                return self._empathy_any_leaves(left, field, operator, comodel, sub), True
        return [leaf], False

    @api.model
    def _empathy_guarded_leaves(self, parts, index, model, field, operator, right):
        """Return the leaves replacing a leaf whose path reaches protected ``field``."""
        rest = ".".join(parts[index:])
        if index:
            holder = model.with_context(active_test=False)
            sub = holder._search([(rest, operator, right)])
            return [(".".join(parts[:index]), "in", sub)], True
        if field.related and not field.store:
            # e.g. res.users' fields of its partner: search them where they live
            related = ".".join([*field.related.split("."), *parts[1:]])
            return self._empathy_guard_domain([(related, operator, right)])[0], True
        leaves = [(rest, operator, right)]
        if field.type in X2MANY and len(parts) == 1 and operator != "any":
            leaves = self._empathy_x2many_leaves(parts[0], operator, right) or leaves
        if operator in ("any", "not any") and len(parts) == 1:
            comodel = model.env[field.comodel_name]
            sub = comodel._empathy_guard_domain(right)[0]
            leaves = self._empathy_any_leaves(parts[0], field, operator, comodel, sub)
        if self._empathy_company_field():
            # records of other companies never match: the answer tells nothing about them
            leaves = [
                "&",
                *leaves,
                "|",
                ("company_id", "=", False),
                ("company_id", "in", self.env.companies.ids),
            ]
        return leaves, True

    @api.model
    def _empathy_x2many_leaves(self, fname, operator, right):
        """Return ``fname`` tested against ids as ``any`` (record rules apply), or None.

        Odoo tests ``(o2m, '!=', False)`` and ``(o2m, 'in', ids)`` on the comodel's
        table directly, which tells about records of other companies.
        """
        if operator not in ("=", "!=", "in", "not in") or not _is_ids(right):
            return None
        negative = operator in ("!=", "not in")
        if right is False or right is None:
            # (x, '=', False): has none; (x, '!=', False): has some
            return [(fname, "any" if negative else "not any", [])]
        ids = [right] if isinstance(right, int) else list(right)
        return [(fname, "not any" if negative else "any", [("id", "in", ids)])]

    @api.model
    def _empathy_any_leaves(self, left, field, operator, comodel, sub):
        """Return ``(left, any/not any, sub)`` evaluated by a search on the comodel."""
        query = comodel.with_context(active_test=False)._search(sub)
        if operator == "any":
            return [(left, "in", query)]
        if field.type == "many2one":
            return expression.OR([[(left, "not in", query)], [(left, "=", False)]])
        return [(left, "not in", query)]
