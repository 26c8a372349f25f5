# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Recipients by empathy: a mailing's recipients chosen by kinds of customers.

The contact's kind fields (motives, values, style, temperament, preferred channel,
silent) are fields of the recipients' domain like any other (marketers may search
them: ``res_partner.py``); ready filters are ``mailing.filter`` records
(``data/mailing_filter_data.xml``). The purchase motives also have a field of their
own on the mailing, ``empathy_motive_ids``, kept in the domain as the condition
``("empathy_motive_ids", "in", [ids])``.

People who object to profiling are never selected *by* an empathy criterion:
``_get_recipients_domain`` (recipients, count, A/B split) guards every empathy
condition (``tools/recipients_domain.py``), also when the mailing is sent by the
system (the queue runs as the superuser: no record rule applies, so the guard also
keeps the profiles of other companies than the responsible's out). The mailing says
how many contacts were left out for that reason (``empathy_objection_excluded_count``),
counted without their profiles: the objecting contacts that the other conditions of
the domain select.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.empathic_crm.tools import compat

from ..tools import recipients_domain
from ..tools.groups import MARKETING_GROUP

MOTIVE_FIELD = "empathy_motive_ids"


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    empathy_motive_ids = fields.Many2many(
        "empathy.motive",
        string="Purchase motives",
        compute="_compute_empathy_motive_ids",
        inverse="_inverse_empathy_motive_ids",
        groups=MARKETING_GROUP,
        help="Send to the contacts with one of these purchase motives (a condition of"
        " the recipients' filter). Contacts who object to profiling are not selected"
        " by it.",
    )
    empathy_objection_excluded_count = fields.Integer(
        string="Left out (objection)",
        compute="_compute_empathy_objection_excluded_count",
        groups=MARKETING_GROUP,
        help="Contacts that the other conditions of the recipients' filter select, but"
        " that its empathy criteria leave out because they object to profiling"
        " (GDPR Art. 21).",
    )

    # ------------------------------------------------------------------
    # the purchase motives: one condition of the domain
    # ------------------------------------------------------------------
    def _empathy_motive_terms(self):
        """Return (motive condition ids, other top-level terms) of the domain."""
        node = recipients_domain.parse(self._parse_mailing_domain())
        ids, others = [], []
        for term in recipients_domain.conjuncts(node):
            kind, content = term
            if (
                kind == "leaf"
                and isinstance(content, (list, tuple))
                and len(content) == 3
                and content[0] == MOTIVE_FIELD
                and content[1] == "in"
                and isinstance(content[2], (list, tuple))
            ):
                ids.extend(content[2])
            elif not (kind == "leaf" and tuple(content) == recipients_domain.TRUE_LEAF):
                others.append(term)
        return ids, others

    @api.depends("mailing_domain", "mailing_model_real")
    def _compute_empathy_motive_ids(self):
        Motive = self.env["empathy.motive"]
        for mailing in self:
            ids = []
            if mailing.mailing_model_real == "res.partner" and mailing.mailing_domain:
                ids = [i for i in mailing._empathy_motive_terms()[0] if isinstance(i, int)]
            mailing.empathy_motive_ids = Motive.browse(ids).exists()

    def _inverse_empathy_motive_ids(self):
        for mailing in self:
            if mailing.mailing_model_real != "res.partner":
                continue
            domain = mailing._empathy_domain_with_motives(mailing.empathy_motive_ids)
            if domain != mailing.mailing_domain:
                mailing.mailing_domain = domain

    @api.onchange("empathy_motive_ids")
    def _onchange_empathy_motive_ids(self):
        for mailing in self:
            if mailing.mailing_model_real == "res.partner":
                mailing.mailing_domain = mailing._empathy_domain_with_motives(
                    mailing.empathy_motive_ids
                )

    def _empathy_domain_with_motives(self, motives):
        """Return the domain (as stored) with ``motives`` as its motive condition."""
        self.ensure_one()
        ids, others = self._empathy_motive_terms()
        if sorted(ids) == sorted(motives.ids):
            return self.mailing_domain
        terms = list(others)
        if motives:
            terms.append(("leaf", (MOTIVE_FIELD, "in", motives.ids)))
        if not terms:
            return "[]"
        node = terms[0] if len(terms) == 1 else ("&", terms)
        return repr(recipients_domain.to_list(node))

    # ------------------------------------------------------------------
    # the guard: no empathy criterion selects a person who objects
    # ------------------------------------------------------------------
    def _get_recipients_domain(self):
        domain = super()._get_recipients_domain()
        return self._empathy_guarded_domain(domain)

    def _empathy_guarded_domain(self, domain, relax=False):
        """Return ``domain`` with each empathy condition guarded (``relax``: replaced
        by a true condition, as if the contact had no profile to go by)."""
        self.ensure_one()
        Model = self.env[self.mailing_model_real]
        if not recipients_domain.has_empathy_condition(Model, domain):
            return domain
        if relax:
            return recipients_domain.guarded(
                Model, domain, lambda prefix, condition: "true", compat.term_operator_negation
            )
        objecting = self._empathy_objecting_ids()
        companies = [False, *self._empathy_profile_company_ids()]

        def guard(prefix, condition):
            return [
                ("leaf", (".".join([*prefix, "id"]), "not in", objecting)),
                ("leaf", (".".join([*prefix, "company_id"]), "in", companies)),
            ]

        return recipients_domain.guarded(Model, domain, guard, compat.term_operator_negation)

    def _empathy_objecting_ids(self):
        """Return the ids of the contacts who object to profiling (or whose company
        does), read as the system (the flag is for empathy users)."""
        return list(
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            ._search(
                [
                    "|",
                    ("empathy_objection", "=", True),
                    ("commercial_partner_id.empathy_objection", "=", True),
                ]
            )
            .get_result_ids()
        )

    def _empathy_profile_company_ids(self):
        """Return the companies whose profiles the criteria may use: the user's
        (as the record rules say); for the system (the sending queue), those of the
        mailing's responsible."""
        if self.env.su:
            return (self.user_id.company_ids or self.env.companies).ids
        return self.env.companies.ids

    @api.depends("mailing_domain", "mailing_model_real")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_empathy_objection_excluded_count(self):
        for mailing in self:
            mailing.empathy_objection_excluded_count = mailing._empathy_objection_excluded()

    def _empathy_objection_excluded(self):
        """Return how many contacts the empathy criteria leave out because they object:
        the objecting contacts (the user may see) that the domain selects with its
        empathy criteria taken as true, less those it selects with them guarded.
        Their profiles are not read: only the other conditions decide."""
        self.ensure_one()
        if self.mailing_model_real != "res.partner" or not self.mailing_domain:
            return 0
        # the mailing's own conditions (Odoo's _get_recipients_domain, unguarded)
        domain = self._parse_mailing_domain()
        Partner = self.env["res.partner"]
        if not recipients_domain.has_empathy_condition(Partner, domain):
            return 0
        objecting = [("id", "in", self._empathy_objecting_ids())]
        try:
            candidates = Partner.search_count(
                compat.domain_and([self._empathy_guarded_domain(domain, relax=True), objecting])
            )
            selected = Partner.search_count(
                compat.domain_and([self._empathy_guarded_domain(domain), objecting])
            )
        except (AccessError, ValueError):
            return 0
        return candidates - selected
