# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport by kind of customer: the expected fit of advisors with customers, explained."""

from dataclasses import dataclass, field

from odoo import api, models
from odoo.tools import SQL, formatLang

from ..tools.matching import (
    ALL,
    NOTABLE_EFFECT,
    THIN_EVIDENCE,
    TRAITS,
    clear_best,
    kind_effect,
    predict,
    rank_key,
    supported,
)
from ..tools.vocabulary import STYLE_PHRASES, TEMPERAMENT_PHRASES, phrase

#: the team mean of a company without any rapport yet: the middle of the scale
NEUTRAL_MEAN = 3.0
#: the explanation names at most this many kinds
EXPLAINED_KINDS = 2


@dataclass
class Fit:
    """The expected fit of one advisor with one customer, and how it came about."""

    user_id: int
    fit: float
    basis: str  # "pair", "kind" or "team"
    #: [(trait, value, effect, customers of the kind)], strongest first
    kinds: list = field(default_factory=list)
    impression_count: int = 0
    #: the company's team mean: the fit of a candidate without evidence
    team_mean: float = 3.0

    @property
    def notable_kinds(self):
        """The kinds worth naming: an effect of at least NOTABLE_EFFECT stars."""
        return [kind for kind in self.kinds if abs(kind[2]) >= NOTABLE_EFFECT]


class EmpathyKindRapportFit(models.Model):
    _inherit = "empathy.kind.rapport"

    @api.model
    def _empathy_fit_table(self, profiles, user_ids, company_id):
        """Return {key: [Fit, ...] best first} for ``profiles`` x ``user_ids`` in a company.

        ``profiles`` maps a key (a contact, a lead) to ``(partner id or False,
        {trait: [values]})``. An advisor who has met the partner gets the pair's fair
        rapport (basis ``pair``): the very figure the briefing and the report show for
        the pair, so that one relationship has one number and the suggestion agrees
        with the best advisor among those who have met the customer. A constant number of queries (two) whatever the number of keys and
        advisors. No access check: callers decide who sees what.
        """
        user_ids = sorted(set(user_ids))
        if not profiles or not user_ids:
            return {key: [] for key in profiles}
        wanted = sorted(
            {
                (trait, value)
                for _partner, traits in profiles.values()
                for trait, values in traits.items()
                for value in values
            }
        )
        self.flush_model()
        self.env["empathy.rapport"].flush_model()
        partner_ids = sorted({partner for partner, _traits in profiles.values() if partner})
        self.env.cr.execute(
            SQL(
                """
                SELECT user_id, trait, value, pair_count, sum_score, sum_score_sq, 0
                  FROM empathy_kind_rapport
                 WHERE company_id = %(company)s AND user_id = ANY(%(users)s)
                   AND (trait = 'all' OR (trait, value) IN (
                            SELECT * FROM unnest(%(traits)s::varchar[], %(values)s::varchar[])))
             UNION ALL
                SELECT NULL, 'team', '', sum(pair_count), sum(sum_score), 0, 0
                  FROM empathy_kind_rapport
                 WHERE company_id = %(company)s AND trait = 'all'
             UNION ALL
                SELECT user_id, 'pair', partner_id::varchar, impression_count, fair_score, 0, 1
                  FROM empathy_rapport
                 WHERE company_id = %(company)s AND user_id = ANY(%(users)s)
                   AND partner_id = ANY(%(partners)s) AND impression_count > 0
                """,
                company=company_id,
                users=user_ids,
                traits=[trait for trait, _value in wanted],
                values=[value for _trait, value in wanted],
                partners=partner_ids,
            )
        )
        rows, pairs, team_mean = {}, {}, NEUTRAL_MEAN
        for user, trait, value, count, total, squares, is_pair in self.env.cr.fetchall():
            if is_pair:
                pairs[int(value), user] = (total or 0.0, count)
            elif user is None:
                if count:
                    team_mean = total / count
            else:
                rows[user, trait, value] = (count, total, squares)
        shrinkage = float(self.env["empathy.rapport"]._empathy_shrinkage())
        table = {}
        for key, (partner, traits) in profiles.items():
            fits = [
                self._empathy_fit_of(user, partner, traits, rows, pairs, team_mean, shrinkage)
                for user in user_ids
            ]
            # evidence first: a candidate nobody knows anything about is not "better"
            fits.sort(key=lambda fit: rank_key(fit.basis, fit.fit, fit.user_id))
            table[key] = fits
        return table

    @api.model
    def _empathy_fit_of(self, user, partner, traits, rows, pairs, team_mean, shrinkage):
        """Return the Fit of advisor ``user`` with a customer of ``traits`` (no query)."""
        pair = pairs.get((partner, user)) if partner else None
        if pair:
            # the pair's fair rapport, as everywhere else: the kind does not shape it
            return Fit(user, pair[0], "pair", [], pair[1], team_mean)
        totals = rows.get((user, ALL, ""))
        effects, kinds = {}, []
        if totals and totals[0] > 0:
            advisor_count, advisor_sum = totals[0], totals[1]
            for trait in TRAITS:
                for value in traits.get(trait, ()):
                    row = rows.get((user, trait, value))
                    if not row or not supported(
                        trait, row[1], row[2], row[0], advisor_sum, advisor_count
                    ):
                        continue
                    effect = kind_effect(row[1], row[0], advisor_sum, advisor_count, shrinkage)
                    effects.setdefault(trait, []).append(effect)
                    kinds.append((trait, value, effect, row[0]))
        kinds.sort(key=lambda kind: -abs(kind[2]))
        return Fit(
            user, predict(team_mean, effects), "kind" if kinds else "team", kinds, 0, team_mean
        )

    @api.model
    def _empathy_clear_fit(self, fits):
        """Return the first of ``fits`` (ranked, see ``_empathy_fit_table``) when its
        evidence stands out from the other candidates, else None ("no clear fit yet").

        A kind-based fit must name a kind in favour of the advisor (an effect of at
        least NOTABLE_EFFECT stars): "small differences, none that stands out" is no
        reason to name anyone.
        """
        if not fits:
            return None
        best = fits[0]
        notable = any(kind[2] >= NOTABLE_EFFECT for kind in best.kinds)
        index = clear_best([(fit.basis, fit.fit) for fit in fits], best.team_mean, notable)
        return None if index is None else fits[index]

    # ------------------------------------------------------------------
    # explanation
    # ------------------------------------------------------------------
    @api.model
    def _empathy_kind_label(self, trait, value):
        """Return a kind of customer in words, e.g. "demanding customers" (translated)."""
        env = self.env
        if trait == "style":
            return phrase(env, STYLE_PHRASES, value, "kind") or value
        if trait == "temperament":
            return phrase(env, TEMPERAMENT_PHRASES, value, "kind") or value
        if trait == "motive":
            name = env["empathy.motive"].sudo().browse(int(value)).name or value
            return env._("customers with the motive %(motive)s", motive=name)
        if trait == "value":
            name = env["empathy.value"].sudo().browse(int(value)).name or value
            return env._("customers who value %(value)s", value=name)
        if trait == "channel":
            labels = dict(self._fields["channel"]._description_selection(env))
            return env._("customers who prefer %(channel)s", channel=labels.get(value, value))
        return value

    @api.model
    def _empathy_format(self, number, sign=False):
        text = formatLang(self.env, abs(number) if sign else number, digits=1)
        if sign:
            text = ("+" if number >= 0 else "−") + text
        return text

    @api.model
    def _empathy_fit_explanation(self, fit, name):
        """Say why ``fit`` (a Fit) is what it is, in one sentence; ``name``: the advisor.

        Names the strongest kinds with their fair deviation and how many such customers
        it rests on; never the advisor's overall level or rating scale.
        """
        env = self.env
        notable = fit.notable_kinds
        parts = []
        for trait, value, effect, count in notable[:EXPLAINED_KINDS]:
            label = self._empathy_kind_label(trait, value)
            if count == 1:
                parts.append(
                    env._(
                        "clicks with %(kind)s (fair %(effect)s over one such customer)",
                        kind=label,
                        effect=self._empathy_format(effect, sign=True),
                    )
                    if effect >= 0
                    else env._(
                        "clicks less with %(kind)s (fair %(effect)s over one such customer)",
                        kind=label,
                        effect=self._empathy_format(effect, sign=True),
                    )
                )
            elif effect >= 0:
                parts.append(
                    env._(
                        "clicks with %(kind)s (fair %(effect)s over %(count)s such customers)",
                        kind=label,
                        effect=self._empathy_format(effect, sign=True),
                        count=count,
                    )
                )
            else:
                parts.append(
                    env._(
                        "clicks less with %(kind)s (fair %(effect)s over %(count)s such customers)",
                        kind=label,
                        effect=self._empathy_format(effect, sign=True),
                        count=count,
                    )
                )
        kinds_text = env._(" and ").join(parts)
        score = self._empathy_format(fit.fit)
        if fit.basis == "pair":
            if fit.impression_count == 1:
                own = env._("from their own rapport with this customer (one impression)")
            else:
                own = env._(
                    "from their own rapport with this customer (%(count)s impressions)",
                    count=fit.impression_count,
                )
            return env._("%(advisor)s: %(fit)s, %(own)s", advisor=name, fit=score, own=own) + "."
        if fit.basis == "team":
            return env._(
                "%(advisor)s: %(fit)s, no evidence yet about customers like this: the team"
                " average.",
                advisor=name,
                fit=score,
            )
        if not kinds_text:
            # small differences add up to the figure, none worth naming: say so, do not
            # call a figure that differs from the team's "the team average"
            return env._(
                "%(advisor)s: %(fit)s, small differences with customers like this, none"
                " that stands out yet.",
                advisor=name,
                fit=score,
            )
        text = env._("%(advisor)s: %(fit)s, %(kinds)s.", advisor=name, fit=score, kinds=kinds_text)
        if max(kind[3] for kind in fit.kinds) < THIN_EVIDENCE:
            text += " " + env._("Little evidence yet: close to the team average.")
        return text
