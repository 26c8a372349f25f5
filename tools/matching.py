# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Advisor matching by kind of customer, as pure functions.

Who will click with a customer nobody has met yet? The fair rapport (``empathy_fair``)
says how much better an advisor clicks with one customer than with everyone. Summed
up per kind of customer (a communication style, a temperament, a motive, a value, a
preferred channel), it says how much better the advisor clicks with *such* customers:

    kind effect = n / (n + k) * (mean pair mean over the advisor's customers of the
                  kind - mean pair mean over all the advisor's customers)

- *pair mean*: ``empathy.rapport.score`` (every customer counts once, as in the
  advisor mean of the fair rapport): the advisor's own scale, their leniency, cancels
  out of the difference;
- *n*: the advisor's customers of that kind; *k*: the fair rapport's pseudo-count
  (setting *Rapport certainty*), here pseudo-customers of "no difference".

The expected fit of an advisor with a customer whose kind is known is

    fit = team mean + sum over the dimensions of the mean kind effect within the
          dimension (motives and values can be several)

within 1..5; an advisor who has already met the customer is judged by the pair's own
fair rapport instead (one relationship, one figure: the one the briefing shows). A secondary
dimension (motives, values, channel) counts only where the advisor's evidence stands
out from its noise (``supported``): many such values have no effect at all, and a sum
of small noises would drown the styles' signal.

The models (``empathy_kind_rapport.py``), the tests and the simulation in
``benchmarks/matching_simulation.py`` share these functions; the module imports
nothing from Odoo on purpose.
"""

import math

#: the dimensions of a kind of customer, in the order the explanation prefers them
TRAITS = ("style", "temperament", "motive", "value", "channel")
#: dimensions learnt only where the evidence stands out from the noise
SECONDARY_TRAITS = ("motive", "value", "channel")
#: the technical trait of every customer: the advisor's totals (their own mean)
ALL = "all"
#: a secondary dimension's effect counts from this many standard errors on
SUPPORT_Z = 2.0
#: and from this many customers of the kind
SUPPORT_MIN_PAIRS = 5
#: the explanation names an effect from this size on (stars)
NOTABLE_EFFECT = 0.1
#: fewer such customers than this read as thin evidence in the explanation
THIN_EVIDENCE = 5
#: an advisor is named as likely to click from this many stars above the next candidate
#: on (two figures one decimal apart, 3.6 and 3.5, do not make a choice)
CLEAR_MARGIN = 0.2
#: the order of the bases: evidence first, "no evidence" (the team mean) last
BASIS_ORDER = {"pair": 0, "kind": 0, "team": 1}


def kind_effect(sum_score, pair_count, advisor_sum, advisor_count, shrinkage):
    """Return the shrunk effect of a kind for an advisor (stars, 0.0 without evidence)."""
    if pair_count <= 0 or advisor_count <= 0:
        return 0.0
    raw = sum_score / pair_count - advisor_sum / advisor_count
    return pair_count / (pair_count + shrinkage) * raw


def supported(trait, sum_score, sum_sq, pair_count, advisor_sum, advisor_count):
    """Return whether the evidence of a kind counts for the prediction.

    Styles and temperaments always count (shrinkage handles thin evidence). A
    secondary dimension counts when the advisor has at least SUPPORT_MIN_PAIRS such
    customers and the mean of their pair means differs from the advisor's mean by at
    least SUPPORT_Z standard errors (``sum_sq``: the sum of the squared pair means).
    """
    if trait not in SECONDARY_TRAITS:
        return pair_count > 0
    if pair_count < SUPPORT_MIN_PAIRS or advisor_count <= 0:
        return False
    mean = sum_score / pair_count
    variance = max(0.0, (sum_sq - pair_count * mean * mean) / (pair_count - 1))
    # never below a quarter star of spread: identical ratings are not certainty
    error = math.sqrt(max(variance, 0.0625) / pair_count)
    return abs(mean - advisor_sum / advisor_count) >= SUPPORT_Z * error


def predict(team_mean, effects):
    """Return the expected fit: ``effects`` maps a dimension to the effects of its values."""
    total = team_mean
    for values in effects.values():
        if values:
            total += sum(values) / len(values)
    return clip(total)


def clip(value):
    return min(5.0, max(1.0, value))


def rank_key(basis, fit, user_id):
    """Return the sort key of a candidate: evidence first, then the best fit, then the id.

    A candidate without any evidence (basis ``team``: the team mean) never ranks above
    one with evidence as if it were known: "nothing known" is not a figure to beat.
    """
    return (BASIS_ORDER.get(basis, 1), -fit, user_id)


def clear_best(candidates, team_mean, notable):
    """Return the index of the candidate whose expected fit stands out, or None.

    ``candidates``: [(basis, fit)] ranked by ``rank_key``; ``notable``: whether the
    first candidate's evidence names a kind (a pair always does). The first candidate
    stands out when it rests on evidence and its fit exceeds every other candidate's
    (the team mean when there is none) by at least CLEAR_MARGIN.
    """
    if not candidates:
        return None
    basis, fit = candidates[0]
    if basis == "team" or (basis == "kind" and not notable):
        return None
    others = [other for _basis, other in candidates[1:]] or [team_mean]
    return 0 if fit - max(others) >= CLEAR_MARGIN else None


def plan_assignment(leads, members, allowed, fit, quota, turns=None):
    """Return {lead: member}: Odoo's lead round robin, choosing members by fit.

    ``leads`` in Odoo's order; ``members`` in the round robin's order; ``allowed``:
    {member: set of the leads its domain matches}; ``fit(member, lead)``; ``quota``:
    {member: leads it may still receive}, updated in place; ``turns``: a dict that
    receives {lead: the member Odoo's round robin would have taken} for the leads placed
    in step 1 (not for those a move of step 2 placed), to say why a lead went where.

    1. Where Odoo takes the first member of the round robin whose domain matches the
       lead, take, among those members, the one with the best fit (the first in the
       round robin on a tie: leads nobody knows anything about go as in Odoo).
    2. Preferring the best fit can use up the capacity of members who take any lead
       for leads that members with a narrower domain could have taken. A lead left
       without a member therefore takes the place of a lead whose member can hand it
       to a member with quota left (the move that costs the least fit), so that the
       option leaves no more leads waiting than the capacities make necessary this way.
    """
    plan, holders, waiting = {}, {member: [] for member in members}, []
    queue = [member for member in members if quota[member] > 0]
    for lead in leads:
        eligible = [member for member in queue if lead in allowed[member]]
        if not eligible:
            waiting.append(lead)
            continue
        # max() keeps the first of equal fits: Odoo's round robin on a tie
        member = max(eligible, key=lambda member, lead=lead: fit(member, lead))
        if turns is not None:
            turns[lead] = eligible[0]
        plan[lead] = member
        holders[member].append(lead)
        queue.remove(member)
        quota[member] -= 1
        if quota[member] > 0:
            queue.append(member)
    for lead in waiting:
        open_members = [member for member in members if quota[member] > 0]
        best = None
        for member in members:
            if lead not in allowed[member]:
                continue
            for other in holders[member]:
                for target in open_members:
                    if target != member and other in allowed[target]:
                        cost = fit(member, other) - fit(target, other) - fit(member, lead)
                        if best is None or cost < best[0]:
                            best = (cost, member, other, target)
        if best:
            _cost, member, other, target = best
            holders[member].remove(other)
            holders[member].append(lead)
            holders[target].append(other)
            plan[lead], plan[other] = member, target
            quota[target] -= 1
            if turns is not None:
                turns.pop(other, None)
    return plan
