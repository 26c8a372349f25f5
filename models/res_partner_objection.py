# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Objection to profiling (GDPR Art. 21): the flag, who may lift it, its log, and how
the profile of an objecting person is masked for salespeople (called by orm_overrides.py).
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.models import READ_GROUP_AGGREGATE, parse_read_group_spec
from odoo.osv import expression
from odoo.tools import SQL

from .empathy_groups import EMPATHY_MANAGER_GROUP, EMPATHY_USER_GROUP
from .res_partner import PROFILE_FIELDS


def _is_profile_leaf(leaf):
    """Return whether ``leaf`` is a condition on a profile field (or a path through it)."""
    return (
        isinstance(leaf, (list, tuple))
        and len(leaf) == 3
        and isinstance(leaf[0], str)
        and leaf[0].split(".", 1)[0] in PROFILE_FIELDS
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    empathy_objection = fields.Boolean(
        string="Objects to profiling",
        groups=EMPATHY_USER_GROUP,
        help="The person objects to profiling (GDPR Art. 21): no impressions are recorded,"
        " cross-sell rules ignore them and salespeople do not see the profile. Anyone can"
        " set it; only empathy managers can lift it. Every change is logged.",
    )
    empathy_profile_hidden = fields.Boolean(
        compute="_compute_empathy_profile_hidden",
        string="Profile hidden",
        groups=EMPATHY_USER_GROUP,
        help="The person objects to profiling and you are not an empathy manager.",
    )

    @api.model
    def _empathy_objection_domain(self, domain):
        """Return ``domain`` where people who object match as if their profile were empty.

        For users who do not see objecting profiles, each leaf on a profile field
        (paths through it included) is evaluated on the real value for the others
        only; for objecting partners it is the constant an empty value gives. The
        domain is normalised and its negations distributed first, so that each
        constant is the one of the operator Odoo finally applies. Python only.
        Paths from other models (``partner_id.empathy_motive_ids``) come here through
        the guard of models/base_field_guard.py, which searches them on ``res.partner``.
        """
        if not any(_is_profile_leaf(leaf) for leaf in domain):
            return domain
        if self._empathy_sees_objecting_profiles():
            return domain
        result = []
        for leaf in expression.distribute_not(expression.normalize_domain(domain)):
            if not _is_profile_leaf(leaf):
                result.append(leaf)
                continue
            # '!' is left before paths and operators without a negation (=like, =?)
            negated = bool(result) and result[-1] == expression.NOT_OPERATOR
            condition = [result.pop(), leaf] if negated else [leaf]
            if self._empathy_empty_satisfies(tuple(leaf), negated):
                # not objecting and the condition, or objecting
                result.extend(["|", "&", ("empathy_objection", "!=", True), *condition])
                result.append(("empathy_objection", "=", True))
            else:
                result.extend(["&", ("empathy_objection", "!=", True), *condition])
        return result

    @api.model
    def _empathy_empty_satisfies(self, leaf, negated=False):
        """Return whether an empty profile field satisfies ``leaf`` (``'!'`` and
        ``leaf`` when ``negated``), as Odoo evaluates it.

        Empty: NULL for a selection or a text, no lines for a one2many or many2many.
        """
        left, operator, right = leaf
        field = self._fields[left.split(".", 1)[0]]
        if negated:
            if field.type in ("one2many", "many2many"):
                return not self._empathy_empty_satisfies(leaf)  # NOT EXISTS
            if operator == "=?":  # Odoo negates it as '!=', or as false
                return bool(right) and self._empathy_empty_satisfies((left, "!=", right))
            # SQL NOT of a comparison with NULL is unknown, of "OR ... IS NULL" false
            return False
        if "." in left or operator in ("any", "child_of", "parent_of"):
            return False  # a path is a test of ``any`` line
        if operator == "not any":
            return True
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        if field.type in ("one2many", "many2many"):
            if right is False or right is None:
                # (x, '=', False): has no lines; (x, '!=', False): has some
                return not negative
            return negative  # EXISTS / NOT EXISTS a line matching the value
        if operator == "=?":
            return (
                right is False or right is None or self._empathy_empty_satisfies((left, "=", right))
            )
        if operator in ("in", "not in"):
            if isinstance(right, bool):
                return (operator == "in") != right
            if not isinstance(right, (list, tuple)):
                return False  # a subquery: NULL is in none
            text = field.type in ("char", "text", "html")
            has_empty = any(
                value is False or value is None or (text and value == "") for value in right
            )
            return has_empty if operator == "in" else not has_empty
        if operator[:1] in ("<", ">"):
            return False  # NULL compares with nothing
        if operator in expression.WILDCARD_OPERATORS and not right:
            return not negative  # '%%' matches everything
        # Odoo adds "OR column IS NULL" exactly then
        return bool(right) == negative

    def _empathy_objecting_sql(self, alias):
        """Return the SQL condition "the partner of ``alias`` objects to profiling"."""
        field = self._fields["empathy_objection"]
        return SQL("COALESCE(%s, FALSE)", SQL.identifier(alias, field.name, to_flush=field))

    def _empathy_masked_sql(self, alias, sql):
        """Return the value ``sql`` of a profile field, NULL for objecting partners."""
        return SQL("(CASE WHEN %s THEN NULL ELSE %s END)", self._empathy_objecting_sql(alias), sql)

    @api.model
    def _empathy_sees_objecting_profiles(self):
        """Return whether the current user sees the profile of people who object."""
        return self.env.su or self.env.user.has_group(EMPATHY_MANAGER_GROUP)

    @api.depends_context("uid")
    @api.depends("empathy_objection")
    def _compute_empathy_profile_hidden(self):
        hide = not self._empathy_sees_objecting_profiles()
        for partner in self:
            partner.empathy_profile_hidden = hide and partner.empathy_objection

    def _empathy_check_objection_change(self, vals):
        """Only empathy managers lift an objection; return the partners whose flag changes."""
        if "empathy_objection" not in vals:
            return self.browse()
        new = bool(vals["empathy_objection"])
        changed = self.sudo().filtered(lambda p: p.empathy_objection != new).with_env(self.env)
        if changed and not new and not self._empathy_sees_objecting_profiles():
            raise AccessError(
                self.env._(
                    "Only empathy managers can lift an objection to profiling (GDPR Art. 21)."
                )
            )
        return changed

    def _empathy_log_objection(self, new):
        """Log the change of the objection in the chatter (tracking: empathy users only)."""
        Tracking = self.env["mail.tracking.value"].sudo()
        info = self.sudo().fields_get(["empathy_objection"], attributes=("string", "type"))
        for partner in self.sudo():
            tracking = Tracking._create_tracking_values(
                not new, new, "empathy_objection", info["empathy_objection"], partner
            )
            partner._message_log(tracking_value_ids=[fields.Command.create(tracking)])

    def _empathy_is_objecting(self):
        """Return whether one of these persons (or their company) objects to profiling.

        The one test of the objection for records (SQL: ``_empathy_objecting_sql``).
        """
        return any(
            partner.empathy_objection or partner.commercial_partner_id.empathy_objection
            for partner in self
        )

    def write(self, vals):
        objection_changed = self._empathy_check_objection_change(vals)
        res = super().write(vals)
        if "empathy_objection" in vals:  # neutral lead scoring factors at once (#20)
            self.env["crm.lead"]._empathy_scoring_refresh_partners(self.ids)
        if objection_changed:
            objection_changed._empathy_log_objection(bool(vals["empathy_objection"]))
        return res

    # ------------------------------------------------------------------
    # masking, called by orm_overrides.py: the profile of an objecting person reads,
    # groups and sorts as if it were empty for users who do not see it
    # ------------------------------------------------------------------
    def _empathy_mask_read(self, result, fnames):
        """Blank the profile fields of objecting partners in ``result`` (``_read_format``)."""
        hidden = [name for name in fnames if name in PROFILE_FIELDS]
        if hidden and not self._empathy_sees_objecting_profiles():
            objecting = set(self.sudo().filtered("empathy_objection").ids)
            for vals in result:
                if vals["id"] in objecting:
                    for name in hidden:
                        vals[name] = (
                            [] if self._fields[name].type in ("one2many", "many2many") else False
                        )
        return result

    def _empathy_mask_groupby(self, groupby_spec, query, sql):
        """Return the group-by ``sql`` with objecting partners in the empty group."""
        fname = parse_read_group_spec(groupby_spec)[0]
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        if self._fields[fname].type == "many2many":
            # Odoo left-joins the relation table (one row per line): objecting partners
            # join no line, so that they count once in the empty group
            self._empathy_restrict_join(
                query,
                query.make_alias(self._table, fname),
                SQL("NOT %s", self._empathy_objecting_sql(self._table)),
            )
            return sql
        return self._empathy_masked_sql(self._table, sql)

    @api.model
    def _empathy_restrict_join(self, query, alias, condition):
        """AND ``condition`` to the ON clause of the join ``alias`` already in ``query``.

        Relies on Odoo 18.0's ``odoo.tools.query.Query`` internals: ``_joins`` maps
        an alias to ``(kind, table, condition)``. The public API has no supported way:
        ``add_join`` only adds a new alias and asserts that an existing alias is
        added again with the *same* condition, ``make_alias`` only names it, and a
        WHERE condition would drop the objecting partners from the read_group
        instead of counting them once in the empty group. Check this on every Odoo
        upgrade (``tests/test_objection_search.py``, ``test_read_group_many2many``).
        """
        kind, table, join_condition = query._joins[alias]
        query._joins[alias] = (kind, table, SQL("%s AND %s", join_condition, condition))

    def _empathy_mask_aggregate(self, aggregate_spec, query, sql):
        """Return the aggregate ``sql`` computed without objecting partners' values."""
        if aggregate_spec == "__count":
            return sql
        fname, __, func = parse_read_group_spec(aggregate_spec)
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        value = self._field_to_sql(self._table, fname, query)
        return READ_GROUP_AGGREGATE[func](self._table, self._empathy_masked_sql(self._table, value))

    def _empathy_mask_order(self, alias, field_name, direction, nulls, query, sql):
        """Return the order ``sql`` sorting objecting partners as if their value were empty."""
        fname = field_name.split(".", 1)[0]
        if fname not in PROFILE_FIELDS or self._empathy_sees_objecting_profiles():
            return sql
        value = self._empathy_masked_sql(alias, self._field_to_sql(alias, fname, query))
        if query.groupby:  # ordering groups (as Odoo does with the plain value)
            query.groupby = SQL("%s, %s", query.groupby, value)
        return SQL("%s %s %s", value, direction, nulls)
