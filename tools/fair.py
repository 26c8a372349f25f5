# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The fair rapport score, as pure functions.

Advisors rate on personal scales: some give four stars to everyone, some rarely more
than three. The fair score removes the advisor's own scale (leniency) from their
ratings of one customer and shrinks what is left toward "no difference" when there
are few impressions:

    fair = team mean + n / (n + k) * (pair mean - advisor mean)

- *pair mean*: the recency-weighted mean of the advisor's ratings of this customer
  (``empathy.rapport.score``, exact and incremental);
- *advisor mean*: the mean of the advisor's pair means over all their customers in
  the company (every customer counts once): how this advisor rates on average;
- *team mean*: the mean of all pair means of the company: the familiar 1-5 level;
- *n*: the pair's impressions, *k*: pseudo-impressions of "no difference" (setting).

The model (``empathy_rapport.py``), its SQL bulk refresh (``empathy_rapport_fair.py``,
with ``fair_score_sql``: the same formula as an SQL expression), the tests and the
simulation in ``benchmarks/fair_rapport_simulation.py`` share these functions; the
module imports nothing from Odoo on purpose.
"""

from collections import defaultdict

DEFAULT_SHRINKAGE = 2
#: the bulk refresh rewrites an advisor's pairs when their mean or the team mean
#: moved by more than this (stars)
SCALE_THRESHOLD = 0.05
#: fewer impressions than this read as uncertain in the explanation
UNCERTAIN_BELOW = 3


def fair_score(pair_mean, count, advisor_mean, team_mean, shrinkage=DEFAULT_SHRINKAGE):
    """Return the fair score of a pair (see the module docstring), within 1..5."""
    if count <= 0:
        return 0.0
    weight = count / (count + shrinkage)
    return min(5.0, max(1.0, team_mean + weight * (pair_mean - advisor_mean)))


def fair_score_sql(pair_mean, count, advisor_mean, team_mean, shrinkage):
    """Return ``fair_score`` as an SQL expression of SQL operands (set-based updates).

    The operands are trusted SQL code (columns, placeholders), never values; a test
    checks that both give the same scores. Unlike ``fair_score`` it has no case for
    ``count <= 0``: it is used on rows with impressions (a pair without any is deleted).
    """
    return (
        f"greatest(1.0, least(5.0, {team_mean} + {count}::float8"
        f" / ({count} + {shrinkage}::float8) * ({pair_mean} - {advisor_mean})))"
    )


def scale_means(pairs):
    """Return ({(advisor, company): advisor mean}, {company: team mean}).

    ``pairs`` yields ``(advisor, company, pair mean)``, one item per customer.
    """
    by_advisor = defaultdict(list)
    by_company = defaultdict(list)
    for advisor, company, mean in pairs:
        by_advisor[advisor, company].append(mean)
        by_company[company].append(mean)
    return (
        {key: sum(values) / len(values) for key, values in by_advisor.items()},
        {key: sum(values) / len(values) for key, values in by_company.items()},
    )


#: a fair rapport below this is low: the briefing warns, lead scoring bands it "low"
LOW_RAPPORT = 2.5
