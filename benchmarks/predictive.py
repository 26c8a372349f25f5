#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Do the empathy factors sharpen Odoo's own Predictive Lead Scoring?

    $VENV/bin/python benchmarks/predictive.py -c odoo.conf -d DB [--leads 5000] [--seed 7]
        [--small]

Use a throwaway database with ``empathic_crm`` installed: Odoo's probability update
commits its batches, so the generated history stays in the database. The script:

* a seeded synthetic history: sales teams, salespeople, one contact per lead with a
  communication style and motives, impressions of the lead's salesperson (rapport
  around a per-pair level, mood drifting down, flat or up), ~5,000 closed leads with
  a UTM source and a country. Everything goes through the ORM: the impressions feed
  the rapport rows, the contact's profile and the leads' empathy factors by the
  addon's own code;
* the true win probability of a lead is a logistic model of team, source, country
  and - in the *informative* history - rapport band and mood trend with known
  effects (``EFFECTS``); in the *noise* history the same leads' outcomes ignore
  the empathy data entirely;
* the older 80 % (by close date) are closed (won / lost) and Odoo trains its naive
  Bayes on them with the real ``_cron_update_automated_probabilities`` (frequency
  table rebuild + probability update); the newer 20 % stay open and are scored;
* log-loss and AUC of the stored ``automated_probability`` against the outcomes, once
  with the core fields only (``source_id,country_id``) and once with the empathy
  fields added, for both histories, in the same run.
"""

import math
import random
import sys
from datetime import datetime, timedelta

from bench_common import Timer, addon_compat, base_parser, log, machine_info, odoo_env_factory

#: true effects on the log-odds of winning
TEAM_LOGIT = {"Direct sales": -0.5, "Partners": -0.9, "Key accounts": 0.1}
SOURCE_LOGIT = {"Website": -0.2, "Fair": 0.35, "Referral": 0.6, "Cold call": -0.7}
COUNTRY_LOGIT = {"de": 0.0, "at": 0.15, "ch": 0.25, "us": -0.3}
EFFECTS = {
    # the rapport level of the salesperson with the contact (1-5 scale)
    "rapport": {"none": -0.3, "low": -0.9, "medium": 0.0, "high": 0.8},
    # the contact's mood over the last impressions
    "mood": {"declining": -0.7, "stable": 0.0, "improving": 0.4},
}
RAPPORT_LEVEL = {"low": 1.8, "medium": 3.2, "high": 4.5}
CORE_FIELDS = "source_id,country_id"
EMPATHY_FIELDS = "empathy_rapport_band,empathy_mood_band,empathy_style_band,empathy_motive_known"
PLS_START = "2020-01-01"


def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


def auc(scores, outcomes):
    """Area under the ROC curve (Mann-Whitney, ties count half)."""
    pairs = sorted(zip(scores, outcomes, strict=True))
    positives = sum(outcomes)
    negatives = len(outcomes) - positives
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2.0  # ranks i+1 .. j
        rank_sum += mean_rank * sum(outcome for _s, outcome in pairs[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def log_loss(probabilities, outcomes):
    eps = 1e-4
    return -sum(
        math.log(min(max(p if y else 1 - p, eps), 1 - eps))
        for p, y in zip(probabilities, outcomes, strict=True)
    ) / len(outcomes)


def build_history(env, rng, n_leads):
    """Create teams, salespeople, contacts, impressions and (open) leads; return facts."""
    run = datetime.now().strftime("%Y%m%d%H%M%S")
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)
    sales_group = env.ref("sales_team.group_sale_salesman")
    teams, members = {}, {}
    for t, team_name in enumerate(TEAM_LOGIT):
        users = Users.create(
            [
                {
                    "name": "Predictive %s %s" % (team_name, i),
                    "login": "predictive_%s_%s_%s" % (run, t, i),
                    addon_compat().user_groups_field(): [(6, 0, sales_group.ids)],
                }
                for i in range(4)
            ]
        )
        teams[team_name] = env["crm.team"].create(
            {"name": "Predictive %s" % team_name, "member_ids": [(6, 0, users.ids)]}
        )
        members[team_name] = users
    sources = {
        name: env["utm.source"].create({"name": "Predictive %s" % name}) for name in SOURCE_LOGIT
    }
    countries = {code: env.ref("base.%s" % code) for code in COUNTRY_LOGIT}
    motives = env["empathy.motive"].search([], limit=5)
    styles = [False, "factual", "emotional", "mixed"]
    end = datetime(2026, 6, 30)
    span_days = 730

    facts, partner_vals = [], []
    for i in range(n_leads):
        team_name = rng.choice(list(TEAM_LOGIT))
        created = end - timedelta(days=span_days) + timedelta(days=rng.uniform(0, span_days - 120))
        fact = {
            "team": team_name,
            "user": rng.choice(members[team_name]),
            "source": rng.choice(list(SOURCE_LOGIT)),
            "country": rng.choices(list(COUNTRY_LOGIT), weights=(55, 15, 15, 15))[0],
            # 15 % were never met: no impressions, the neutral value
            "rapport": rng.choices(["none", "low", "medium", "high"], weights=(15, 25, 35, 25))[0],
            "mood": rng.choice(["declining", "stable", "improving"]),
            "created": created,
            "closed": created + timedelta(days=rng.uniform(7, 110)),
            "objecting": rng.random() < 0.01,
        }
        facts.append(fact)
        partner_vals.append(
            {
                "name": "Predictive customer %05d" % i,
                "country_id": countries[fact["country"]].id,
                "empathy_communication_style": rng.choice(styles),
                "empathy_motive_ids": [(6, 0, rng.sample(motives.ids, rng.randint(0, 2)))],
                "empathy_objection": fact["objecting"],
            }
        )
    with Timer() as t:
        partners = env["res.partner"].create(partner_vals)
    log("  %d contacts in %.1f s" % (len(partners), t.seconds))

    impression_vals = []
    for fact, partner in zip(facts, partners, strict=True):
        fact["partner"] = partner
        if fact["rapport"] == "none" or fact["objecting"]:
            continue
        level = RAPPORT_LEVEL[fact["rapport"]]
        drift = {"declining": -1.0, "stable": 0.0, "improving": 1.0}[fact["mood"]]
        count = rng.randint(4, 6)
        for k in range(count):
            when = fact["created"] - timedelta(days=10 * (count - k)) + timedelta(hours=k)
            mood = (drift if k >= count - 3 else -drift) + rng.gauss(0, 0.6)
            impression_vals.append(
                {
                    "partner_id": partner.id,
                    "user_id": fact["user"].id,
                    "date": when,
                    "rapport": min(5, max(1, round(level + rng.gauss(0, 0.7)))),
                    "mood": min(2, max(-2, round(mood))),
                }
            )
    with Timer() as t:
        env["empathy.impression"].create(impression_vals)
    log("  %d impressions (rapport rows, profiles) in %.1f s" % (len(impression_vals), t.seconds))
    Rapport = env["empathy.rapport"]
    if hasattr(Rapport, "_empathy_refresh_scales"):
        # the hourly job: the advisors' rating scales behind the fair scores
        Rapport._empathy_refresh_scales(threshold=-1.0)

    lead_vals = [
        {
            "name": "Predictive opportunity %05d" % i,
            "type": "opportunity",
            "partner_id": fact["partner"].id,
            "user_id": fact["user"].id,
            "team_id": teams[fact["team"]].id,
            "source_id": sources[fact["source"]].id,
            "country_id": countries[fact["country"]].id,
        }
        for i, fact in enumerate(facts)
    ]
    with Timer() as t:
        leads = env["crm.lead"].with_context(tracking_disable=True, mail_create_nolog=True)
        leads = leads.create(lead_vals)
    log("  %d leads (empathy factors by the addon) in %.1f s" % (len(leads), t.seconds))
    env.flush_all()
    for fact, lead in zip(facts, leads, strict=True):
        fact["lead_id"] = lead.id
    env.cr.execute(
        "UPDATE crm_lead l SET create_date = v.created"
        "  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, created) WHERE l.id = v.id",
        [[f["lead_id"] for f in facts], [f["created"] for f in facts]],
    )
    env.invalidate_all()
    bands = {
        lead.id: lead.empathy_rapport_band
        for lead in leads.with_context(prefetch_fields=False).sudo()
    }
    realised = sum(bands[f["lead_id"]] == f["rapport"] for f in facts) / len(facts)
    log("  stored rapport band = generated level for %.0f %% of the leads" % (100 * realised))
    return facts


def true_probability(fact, informative):
    logit = TEAM_LOGIT[fact["team"]] + SOURCE_LOGIT[fact["source"]]
    logit += COUNTRY_LOGIT[fact["country"]]
    if informative and not fact["objecting"]:
        logit += EFFECTS["rapport"][fact["rapport"]]
        logit += EFFECTS["mood"][fact["mood"]] if fact["rapport"] != "none" else 0.0
    return logistic(logit)


def close_history(env, facts, train, outcomes):
    """Won / lost for the training leads (by SQL, like a history import); the rest open."""
    won_stage = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    first_stage = env["crm.stage"].search([("is_won", "=", False)], order="sequence, id", limit=1)
    env.flush_all()
    won = [f["lead_id"] for f in train if outcomes[f["lead_id"]]]
    lost = [f["lead_id"] for f in train if not outcomes[f["lead_id"]]]
    test = [f["lead_id"] for f in facts if f not in train]
    env.cr.execute(
        "UPDATE crm_lead SET stage_id = %s, probability = 100, active = TRUE WHERE id = ANY(%s)",
        [won_stage.id, won],
    )
    env.cr.execute(
        "UPDATE crm_lead SET stage_id = %s, probability = 0, active = FALSE WHERE id = ANY(%s)",
        [first_stage.id, lost],
    )
    env.cr.execute(
        "UPDATE crm_lead SET stage_id = %s, probability = 50, active = TRUE,"
        " automated_probability = 50 WHERE id = ANY(%s)",
        [first_stage.id, test],
    )
    env.cr.execute(
        "UPDATE crm_lead l SET date_closed = v.closed"
        "  FROM unnest(%s::int[], %s::timestamp[]) AS v(id, closed) WHERE l.id = v.id",
        [[f["lead_id"] for f in train], [f["closed"] for f in train]],
    )
    env.invalidate_all()


def score(env, facts, test, outcomes, pls_fields):
    """Train Odoo's scoring on the closed leads with ``pls_fields``; score the open ones."""
    env["ir.config_parameter"].set_param("crm.pls_fields", pls_fields)
    env["ir.config_parameter"].set_param("crm.pls_start_date", PLS_START)
    with Timer() as t:
        env["crm.lead"]._cron_update_automated_probabilities()
    env.invalidate_all()
    ids = [f["lead_id"] for f in test]
    env.cr.execute("SELECT id, automated_probability FROM crm_lead WHERE id = ANY(%s)", [ids])
    probabilities = dict(env.cr.fetchall())
    scores = [probabilities[i] / 100.0 for i in ids]
    ys = [outcomes[i] for i in ids]
    return {"auc": auc(scores, ys), "log_loss": log_loss(scores, ys), "seconds": t.seconds}


def main():
    parser = base_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--leads", type=int, default=5000, help="closed leads (default 5000)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n_leads = 800 if args.small and args.leads == 5000 else args.leads
    registry, make_env = odoo_env_factory(args.config, args.database)
    rng = random.Random(args.seed)
    rows = []
    with registry.cursor() as cr:
        env = make_env(cr, context={"tracking_disable": True})
        info = machine_info(cr)
        log("history: %d leads, seed %d" % (n_leads, args.seed))
        facts = build_history(env, rng, n_leads)
        facts.sort(key=lambda f: f["closed"])
        cut = int(len(facts) * 0.8)
        train, test = facts[:cut], facts[cut:]
        for history, informative in (("informative", True), ("noise", False)):
            outcome_rng = random.Random(args.seed * 1000 + informative)
            truth = {f["lead_id"]: true_probability(f, informative) for f in facts}
            outcomes = {i: outcome_rng.random() < p for i, p in truth.items()}
            close_history(env, facts, train, outcomes)
            test_ids = [f["lead_id"] for f in test]
            ys = [outcomes[i] for i in test_ids]
            oracle = [truth[i] for i in test_ids]
            results = {
                "core": score(env, facts, test, outcomes, CORE_FIELDS),
                "empathy": score(env, facts, test, outcomes, CORE_FIELDS + "," + EMPATHY_FIELDS),
            }
            rows.append(
                {
                    "history": history,
                    "train": len(train),
                    "test": len(test),
                    "win_rate": sum(outcomes.values()) / len(outcomes),
                    "oracle_auc": auc(oracle, ys),
                    "oracle_log_loss": log_loss(oracle, ys),
                    **{"%s_%s" % (k, m): v for k, r in results.items() for m, v in r.items()},
                }
            )
        cr.commit()

    log("")
    log(
        "| History | Train / test leads | Win rate | AUC core | AUC core + empathy | ΔAUC"
        " | Log-loss core | Log-loss core + empathy | True model AUC / log-loss |"
    )
    log("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for row in rows:
        log(
            "| %(history)s | %(train)d / %(test)d | %(win)s %% | %(core_auc).3f"
            " | %(empathy_auc).3f | %(delta)+.3f | %(core_log_loss).3f"
            " | %(empathy_log_loss).3f | %(oracle_auc).3f / %(oracle_log_loss).3f |"
            % dict(
                row, win=round(100 * row["win_rate"]), delta=row["empathy_auc"] - row["core_auc"]
            )
        )
    log("")
    log(
        "machine: %(cpu)s, %(cores)s cores, PostgreSQL %(postgresql)s, load %(load_average)s" % info
    )
    informative = next(r for r in rows if r["history"] == "informative")
    noise = next(r for r in rows if r["history"] == "noise")
    lift = informative["empathy_auc"] - informative["core_auc"]
    drift = noise["empathy_auc"] - noise["core_auc"]
    log(
        "target: AUC +0.03 on informative history: %s (%+.3f); no lift on noise: %s (%+.3f)"
        % ("met" if lift >= 0.03 else "MISSED", lift, "met" if drift < 0.01 else "MISSED", drift)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
