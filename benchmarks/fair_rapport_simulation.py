#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Simulate lenient and strict raters with a known ground truth; compare estimators.

Pure Python (no Odoo, no database): the estimators are the functions of
``tools/fair.py`` that the addon itself uses, on recency-weighted pair means
computed as ``empathy.rapport.score`` computes them.

Ground truth (issue #15): advisor leniency sd 0.6 stars, true pair affinity sd 0.5,
noise sd 0.7, ratings rounded to 1-5 stars, 2-4 advisors per customer, 1-6
impressions per pair within a year. The truly best advisor of a customer is the
one with the highest affinity; leniency is the rater's scale, not rapport.

Usage: python3 benchmarks/fair_rapport_simulation.py [--advisors 20] [--customers 3000]
       [--runs 10] [--seed 1] [--markdown]
"""

import argparse
import importlib.util
import math
import pathlib
import random
import statistics

_spec = importlib.util.spec_from_file_location(
    "empathy_fair", pathlib.Path(__file__).resolve().parent.parent / "tools" / "fair.py"
)
fair = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fair)

HALF_LIFE = 180.0
SPAN_DAYS = 365
BASE = 3.4
LENIENCY_SD = 0.6
AFFINITY_SD = 0.5
NOISE_SD = 0.7
LENIENT_SHARE = 0.2


def simulate(advisors, customers, rng):
    """Return (leniency per advisor, pairs): pairs = {(customer, advisor): (affinity, ratings)}.

    ``ratings`` is a list of (age in days, stars).
    """
    leniency = [rng.gauss(0.0, LENIENCY_SD) for _ in range(advisors)]
    pairs = {}
    for customer in range(customers):
        for advisor in rng.sample(range(advisors), rng.randint(2, 4)):
            affinity = rng.gauss(0.0, AFFINITY_SD)
            ratings = []
            for _ in range(rng.randint(1, 6)):
                raw = BASE + leniency[advisor] + affinity + rng.gauss(0.0, NOISE_SD)
                ratings.append((rng.uniform(0, SPAN_DAYS), min(5, max(1, math.floor(raw + 0.5)))))
            pairs[customer, advisor] = (affinity, ratings)
    return leniency, pairs


def pair_mean(ratings):
    """Recency-weighted mean: an impression's weight halves every HALF_LIFE days."""
    weights = [2.0 ** (-age / HALF_LIFE) for age, _stars in ratings]
    return sum(w * stars for w, (_age, stars) in zip(weights, ratings, strict=True)) / sum(weights)


def estimators(pairs):
    """Return {name: {(customer, advisor): score}} for the raw and the fair estimators."""
    means = {key: pair_mean(ratings) for key, (_aff, ratings) in pairs.items()}
    advisor_means, team_means = fair.scale_means(
        (advisor, 0, mean) for (_customer, advisor), mean in means.items()
    )
    team = team_means[0]
    result = {"raw mean (before: `score`)": means}
    for label, k in (
        ("pair mean − the advisor's own mean", 0),
        (f"same, shrunk toward 0 with k = {fair.DEFAULT_SHRINKAGE} (`fair_score`)", None),
    ):
        shrinkage = fair.DEFAULT_SHRINKAGE if k is None else k
        result[label] = {
            key: fair.fair_score(
                mean, len(pairs[key][1]), advisor_means[key[1], 0], team, shrinkage
            )
            for key, mean in means.items()
        }
    return result


def evaluate(leniency, pairs, scores):
    """Return (share picking the truly best advisor, share going to the most lenient)."""
    lenient_count = max(1, round(LENIENT_SHARE * len(leniency)))
    lenient = set(sorted(range(len(leniency)), key=lambda a: -leniency[a])[:lenient_count])
    by_customer = {}
    for customer, advisor in pairs:
        by_customer.setdefault(customer, []).append(advisor)
    right = to_lenient = 0
    for customer, advisors in by_customer.items():
        truth = max(advisors, key=lambda a: pairs[customer, a][0])
        if scores is None:
            best = truth
        else:
            # ties as in the addon: more impressions first
            best = max(advisors, key=lambda a: (scores[customer, a], len(pairs[customer, a][1])))
        right += best == truth
        to_lenient += best in lenient
    return right / len(by_customer), to_lenient / len(by_customer)


def spread(values):
    """Return " ± sd" in percentage points, or nothing for a single run."""
    return f" ± {100 * statistics.stdev(values):.1f}" if len(values) > 1 else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--advisors", type=int, default=20)
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    args = parser.parse_args()
    rows = {}
    impressions = []
    for run in range(args.runs):
        rng = random.Random(args.seed + run)
        leniency, pairs = simulate(args.advisors, args.customers, rng)
        impressions.append(sum(len(ratings) for _aff, ratings in pairs.values()))
        rows.setdefault("truth", []).append(evaluate(leniency, pairs, None))
        for name, scores in estimators(pairs).items():
            rows.setdefault(name, []).append(evaluate(leniency, pairs, scores))
    print(
        f"{args.advisors} advisors × {args.customers:,} customers, "
        f"{statistics.mean(impressions):,.0f} impressions per run, {args.runs} runs "
        f"(seeds {args.seed}–{args.seed + args.runs - 1}): mean ± sd over the runs"
    )
    print()
    print(
        "| estimator | picks the truly best advisor | customers going to the 20% most lenient raters |"
    )
    print("|---|--:|--:|")
    for name, results in rows.items():
        right = [r for r, _l in results]
        lenient = [share for _r, share in results]
        print(
            f"| {name} | {100 * statistics.mean(right):.1f}%{spread(right)}"
            f" | {100 * statistics.mean(lenient):.1f}%{spread(lenient)} |"
        )


if __name__ == "__main__":
    main()
