#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Email Marketing bridge: a mailing's recipients by empathy and the sending of a fact
and a story version, each next to the same mailing without empathy, in the same run.

    $VENV/bin/python benchmarks/mailing.py -c odoo.conf -d DB [--small] [--contacts N]
        [--renders N] [--repeat N] [--render-repeat N] [--only recipients|render]
        [--trace] [--output FILE]

Needs a database filled by ``benchmarks/generate.py`` with Email Marketing and the
bridge ``empathic_crm_mass_mailing`` installed (``scripts/bench`` installs them into
its database). Everything runs in one transaction that is rolled back at the end.

* Contacts: the generated ones; when there are fewer than ``--contacts`` (small
  5,000, full 200,000), persons are cloned by SQL with their profiles (style, motives,
  values, objection), which is much faster than the generator and keeps its mix.
* Recipients (issue 35): ``mailing.mailing._get_recipients()`` as a marketer (Email
  Marketing user + *Empathy: Marketing*, record rules apply) of a mailing on contacts
  filtered by empathy (the two most frequent purchase motives and the factual style),
  next to the same mailing filtered by core fields that select as many contacts (a tag
  put on that many contacts of one country, and the country); then the fact version of
  a versioned pair (each recipient gets the version of their style) next to the same
  mailing not versioned, once on that core filter and once on all contacts.
* Sending (rendering): ``action_send_mail()`` as the mailing queue runs it (the system,
  the responsible's language) of a versioned pair on ``--renders`` contacts (small
  200, full 10,000; *half and half* for mixed and unknown styles, so that every
  recipient gets one of the two), next to the same mailing not versioned: the
  composer renders each body in Odoo's mailing layout (style sheet included), converts
  the tracked links, creates the ``mail.mail`` and ``mailing.trace`` records. No mail
  leaves: above 100 recipients Odoo queues them (``mail.mail`` stays outgoing), and
  the mail server's ``send_email`` is replaced by a counter.

The ratio is empathy p50 / core p50 (goal: at most 1.3, issue 35). Reported, never
asserted: the exit status is non-zero only when the harness breaks or the versions do
not split the recipients exactly.
"""

import contextlib
import json
import os
import sys
from unittest import mock

from bench_common import addon_compat, base_parser, log, machine_info, no_batch_commits
from bench_common import odoo_env_factory as env_factory
from run import RESULTS_DIR, Bench, markdown_table

TARGET = 1.3
#: render_warmup: a send of 10,000 mails takes minutes and warms itself up
SIZES = {
    "full": {
        "contacts": 200_000,
        "renders": 10_000,
        "repeat": 15,
        "render_repeat": 2,
        "render_warmup": 0,
    },
    "small": {
        "contacts": 5_000,
        "renders": 200,
        "repeat": 5,
        "render_repeat": 2,
        "render_warmup": 1,
    },
}
MARKETER_LOGIN = "bench_marketer"
MARKETER_GROUPS = (
    "base.group_user",
    "mass_mailing.group_mass_mailing_user",
    "empathic_crm_mass_mailing.group_empathy_marketing",
)
BRIDGE = "empathic_crm_mass_mailing"
#: res_partner columns a clone does not copy from its source
CLONE_OWN = {
    "id",
    "name",
    "complete_name",
    "email",
    "email_normalized",
    "parent_id",
    "commercial_partner_id",
    "commercial_company_name",
    "ref",
    "phone",
    "phone_sanitized",
}
BODY = """<div class="o_layout o_basic_theme">
<h1>{title}</h1>
<p>Dear <t t-out="object.name"/>,</p>
{paragraphs}
<p><a href="https://www.example.com/spring-run?utm=bench">{link}</a></p>
<p>Your running team</p>
</div>"""
FACTS = (
    "The new shoe weighs 212 g, 8 % less than last year's.",
    "Its sole returns 87 % of the energy (lab test, 10,000 strides).",
    "Free returns within 60 days; 2-year warranty.",
    "In stock in sizes 36 to 48, delivered in 2 working days.",
)
STORY = (
    "Remember the last kilometre of your first marathon, when every step felt light?",
    "Anna ran Kona in it last autumn and crossed the line smiling.",
    "It was made for the mornings when the road is yours alone.",
    "Try it on: your next story starts with the first step.",
)


def body(title, lines, link):
    return BODY.format(
        title=title, paragraphs="\n".join(f"<p>{line}</p>" for line in lines), link=link
    )


# ----------------------------------------------------------------------
# the data
# ----------------------------------------------------------------------
def columns(cr, table):
    cr.execute(
        """SELECT column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position""",
        [table],
    )
    return [row[0] for row in cr.fetchall()]


def top_up(env, target):
    """Clone persons (with their profiles) by SQL until there are ``target`` contacts.

    The clones are persons without a company of their own (their own commercial
    partner), with a unique email; everything else (salesperson, country, city,
    objection, profile: style, temperament, channel, motives, values) is their
    source's. Return the number of clones.
    """
    cr = env.cr
    env.flush_all()
    cr.execute("SELECT count(*), max(id) FROM res_partner")
    count, max_id = cr.fetchone()
    missing = target - count
    if missing <= 0:
        return 0
    cr.execute(
        """CREATE TEMP TABLE bench_clone_source ON COMMIT DROP AS
           SELECT row_number() OVER (ORDER BY id) AS rn, id FROM res_partner p
            WHERE NOT is_company AND active AND email IS NOT NULL AND partner_share
              AND NOT EXISTS (SELECT 1 FROM res_users u WHERE u.partner_id = p.id)"""
    )
    cr.execute("SELECT count(*) FROM bench_clone_source")
    sources = cr.fetchone()[0]
    if not sources:
        raise RuntimeError("no generated person to clone: run benchmarks/generate.py first")
    cr.execute(
        """CREATE TEMP TABLE bench_clone ON COMMIT DROP AS
           SELECT %s + g.n AS id, s.id AS source
             FROM generate_series(1, %s) AS g(n)
             JOIN bench_clone_source s ON s.rn = 1 + (g.n - 1) %% %s""",
        [max_id, missing, sources],
    )
    copied = [c for c in columns(cr, "res_partner") if c not in CLONE_OWN]
    copied_sql = ", ".join(f'"{c}"' for c in copied)
    source_sql = ", ".join(f'p."{c}"' for c in copied)
    # pylint: disable=sql-injection  (column names from the catalog)
    cr.execute(
        f"""INSERT INTO res_partner (id, name, complete_name, email, email_normalized,
                                     commercial_partner_id, ref, {copied_sql})
            SELECT c.id, p.name, p.name, 'clone.' || c.id || '@example.com',
                   'clone.' || c.id || '@example.com', c.id, 'K' || c.id, {source_sql}
              FROM bench_clone c JOIN res_partner p ON p.id = c.source"""
    )
    cr.execute("SELECT setval('res_partner_id_seq', %s)", [max_id + missing])
    profile = [c for c in columns(cr, "empathy_profile") if c not in ("id", "partner_id")]
    profile_sql = ", ".join(f'"{c}"' for c in profile)
    source_profile = ", ".join(f'p."{c}"' for c in profile)
    cr.execute(
        f"""INSERT INTO empathy_profile (partner_id, {profile_sql})
            SELECT c.id, {source_profile}
              FROM bench_clone c JOIN empathy_profile p ON p.partner_id = c.source"""
    )
    for relation, column in (
        ("empathy_profile_motive_rel", "motive_id"),
        ("empathy_profile_value_rel", "value_id"),
    ):
        cr.execute(
            f"""INSERT INTO {relation} (profile_id, {column})
                SELECT new.id, rel.{column}
                  FROM bench_clone c
                  JOIN empathy_profile old ON old.partner_id = c.source
                  JOIN empathy_profile new ON new.partner_id = c.id
                  JOIN {relation} rel ON rel.profile_id = old.id"""
        )
    for table in (
        "res_partner",
        "empathy_profile",
        "empathy_profile_motive_rel",
        "empathy_profile_value_rel",
    ):
        cr.execute(f"ANALYZE {table}")
    env.invalidate_all()
    return missing


def marketer(env):
    """The marketer: Email Marketing user with *Empathy: Marketing*, no salesperson."""
    Users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    user = Users.search([("login", "=", MARKETER_LOGIN)])
    if not user:
        groups = [env.ref(xmlid).id for xmlid in MARKETER_GROUPS]
        user = Users.create(
            {
                "name": "Mara Marketer (benchmark)",
                "login": MARKETER_LOGIN,
                "email": "bench.marketer@example.com",
                addon_compat().user_groups_field(): [(6, 0, groups)],
            }
        )
    return user


def tag_contacts(env, name, domain_sql, count):
    """Put a new contact tag on ``count`` contacts matching ``domain_sql`` (SQL on
    ``res_partner p``), in a fixed pseudo-random order; return the tag."""
    tag = env["res.partner.category"].create({"name": name})
    env.flush_all()
    # pylint: disable=sql-injection  (fixed SQL of this script)
    env.cr.execute(
        f"""INSERT INTO res_partner_res_partner_category_rel (category_id, partner_id)
            SELECT %s, p.id FROM res_partner p WHERE {domain_sql}
             ORDER BY md5(p.id::text) LIMIT %s""",
        [tag.id, count],
    )
    env.cr.execute("ANALYZE res_partner_res_partner_category_rel")
    env.invalidate_all()
    return tag


def top_motives(env, count=2):
    env.cr.execute(
        """SELECT motive_id FROM empathy_profile_motive_rel
            GROUP BY motive_id ORDER BY count(*) DESC, motive_id LIMIT %s""",
        [count],
    )
    return [row[0] for row in env.cr.fetchall()]


def new_mailing(env, user, subject, domain, html, **values):
    return (
        env["mailing.mailing"]
        .with_user(user)
        .create(
            {
                "subject": subject,
                "body_arch": html,
                "body_html": html,
                "mailing_model_id": env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr(domain),
                **values,
            }
        )
    )


def versioned(mailing, story_html):
    """Make ``mailing`` the fact version of a pair; return the story version."""
    mailing.action_empathy_story_version()
    story = mailing.empathy_version_mailing_id
    story.write({"body_arch": story_html, "body_html": story_html})
    return story


# ----------------------------------------------------------------------
# the scenarios
# ----------------------------------------------------------------------
def with_ratio_target(bench, name, operation, core_name, core, info=None):
    return bench.compare(
        name,
        operation,
        core_name,
        core,
        f"p50 ≤ {TARGET}× core",
        lambda row: row["ratio"] <= TARGET,
        info,
    )


def scenario_recipients(bench, ctx, only=None):
    env, user = bench.env, ctx["marketer"]
    Partner = env["res.partner"]
    not_blacklisted = ("is_blacklisted", "=", False)
    motives = top_motives(env)
    empathy_domain = [
        not_blacklisted,
        ("empathy_motive_ids", "in", motives),
        ("empathy_communication_style", "=", "factual"),
    ]
    empathy = new_mailing(env, user, "Spring run (facts)", empathy_domain, ctx["fact_html"])
    selected = len(empathy._get_recipients())
    # the core filter: a tag on as many contacts of the most frequent country
    env.cr.execute(
        """SELECT country_id FROM res_partner WHERE country_id IS NOT NULL
            GROUP BY country_id ORDER BY count(*) DESC LIMIT 1"""
    )
    country = env.cr.fetchone()[0]
    tag = tag_contacts(
        env,
        "Benchmark segment",
        f"p.country_id = {int(country)} AND p.active AND NOT p.is_company AND p.email IS NOT NULL",
        selected,
    )
    core_domain = [not_blacklisted, ("category_id", "in", tag.ids), ("country_id", "=", country)]
    core = new_mailing(env, user, "Spring run", core_domain, ctx["fact_html"])
    core_selected = len(core._get_recipients())
    total = Partner.search_count([])
    if only != "versions":
        measure_empathy_filter(bench, user, empathy, core, selected, core_selected, total)
    # the versioned split: the fact version of a pair vs the same mailing not versioned
    for label, domain in (
        ("tag and country", core_domain),
        ("all contacts", [not_blacklisted]),
    ):
        measure_versions(bench, ctx, label, domain)


def measure_empathy_filter(bench, user, empathy, core, selected, core_selected, total):
    with_ratio_target(
        bench,
        f"Recipients by empathy: 2 motives and style factual ({selected:,} of {total:,})",
        lambda: empathy._get_recipients(),
        f"same mailing, tag and country ({core_selected:,})",
        lambda: core._get_recipients(),
        {"recipients": selected, "core_recipients": core_selected, "contacts": total},
    )
    # the plans of both searches (as the marketer: record rules included)
    for label, mailing in (("recipients by empathy", empathy), ("recipients by tag", core)):
        query = bench.env["res.partner"].with_user(user)._search(mailing._get_recipients_domain())
        bench.explain(label, query.select())


def measure_versions(bench, ctx, label, domain):
    env, user = bench.env, ctx["marketer"]
    plain = new_mailing(env, user, "Spring run", domain, ctx["fact_html"])
    fact = new_mailing(
        env, user, "Spring run", domain, ctx["fact_html"], empathy_mixed_mode="split"
    )
    story = versioned(fact, ctx["story_html"])
    every = plain._get_recipients()
    facts, stories = fact._get_recipients(), story._get_recipients()
    if sorted(facts + stories) != sorted(every):
        raise RuntimeError(
            f"the versions do not split the recipients ({label}): {len(facts)} + "
            f"{len(stories)} != {len(every)}"
        )
    with_ratio_target(
        bench,
        f"Recipients of the fact version, {label} ({len(facts):,} of {len(every):,})",
        lambda: fact._get_recipients(),
        f"same mailing, not versioned ({len(every):,})",
        lambda: plain._get_recipients(),
        {"recipients": len(facts), "story_recipients": len(stories), "all": len(every)},
    )


def scenario_render(bench, ctx):
    env, user = bench.env, ctx["marketer"]
    renders = ctx["renders"]
    tag = tag_contacts(
        env,
        "Benchmark render",
        "p.active AND NOT p.is_company AND p.email IS NOT NULL",
        renders,
    )
    domain = [("is_blacklisted", "=", False), ("category_id", "in", tag.ids)]
    plain = new_mailing(env, user, "Spring run", domain, ctx["fact_html"])
    fact = new_mailing(
        env, user, "Spring run", domain, ctx["fact_html"], empathy_mixed_mode="split"
    )
    story = versioned(fact, ctx["story_html"])
    env.flush_all()
    # as the mailing queue sends: the system, in the responsible's language
    system = env(user=ctx["superuser"], context={**env.context, **user.context_get()})
    plain, fact, story = plain.with_env(system), fact.with_env(system), story.with_env(system)
    total = len(plain._get_recipients())
    split = (len(fact._get_recipients()), len(story._get_recipients()))
    Mail = env["mail.mail"].sudo()

    def sent(mailings):
        def run():
            mailings.action_send_mail()
            env.flush_all()
            count = Mail.search_count([("mailing_id", "in", (mailings | story).ids)])
            if count != total:
                raise RuntimeError(f"{count} mails rendered instead of {total}")

        return run

    with no_batch_commits():
        bench_render = Bench(env, ctx["render_repeat"], ctx["render_warmup"])
        bench_render.rows = bench.rows
        with_ratio_target(
            bench_render,
            f"Send a fact and a story version, {total:,} mails ({split[0]:,} + {split[1]:,})",
            sent(fact),
            f"same mailing not versioned, {total:,} mails",
            sent(plain),
            {"mails": total, "fact_mails": split[0], "story_mails": split[1]},
        )


# ----------------------------------------------------------------------
# main
# ----------------------------------------------------------------------
def main():
    parser = base_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--renders", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=None, help="recipients: measured runs")
    parser.add_argument("--render-repeat", type=int, default=None)
    parser.add_argument("--render-warmup", type=int, default=None)
    parser.add_argument("--only", choices=("recipients", "versions", "render"), default=None)
    parser.add_argument("--trace", action="store_true", help="print the queries (recipients)")
    parser.add_argument("--output", default=None, help="write the JSON here")
    args = parser.parse_args()
    mode = "small" if args.small else "full"
    sizes = dict(SIZES[mode])
    for key in sizes:
        if getattr(args, key, None) is not None:
            sizes[key] = getattr(args, key)
    output = args.output or os.path.join(RESULTS_DIR, f"mailing_{mode}.json")

    registry, make_env = env_factory(args.config, args.database)
    cr = registry.cursor()
    sends = []
    try:
        env = make_env(cr, context={"tracking_disable": True, "mail_create_nolog": True})
        module = env["ir.module.module"].search([("name", "=", BRIDGE)])
        if module.state != "installed":
            log(f"{args.database}: {BRIDGE} is not installed (scripts/bench installs it)")
            return 2
        from odoo import SUPERUSER_ID  # noqa: PLC0415

        MailServer = type(env["ir.mail_server"])

        def no_smtp(_self, message, *_args, **_kwargs):
            sends.append(message)
            return "<bench@example.com>"

        patches = contextlib.ExitStack()
        patches.enter_context(mock.patch.object(MailServer, "send_email", no_smtp))
        with patches:
            cloned = top_up(env, sizes["contacts"])
            machine = machine_info(cr)
            env.cr.execute("SELECT count(*) FROM res_partner")
            data = {**sizes, "contacts": env.cr.fetchone()[0], "cloned": cloned}
            log(
                f"{args.database}: {data['contacts']:,} contacts ({cloned:,} cloned by SQL),"
                f" {sizes['renders']:,} mails per send; Odoo {machine['odoo']},"
                f" load average {' / '.join('%.1f' % x for x in machine['load_average'])}"
            )
            ctx = {
                "marketer": marketer(env),
                "superuser": SUPERUSER_ID,
                "renders": sizes["renders"],
                "render_repeat": sizes["render_repeat"],
                "render_warmup": sizes["render_warmup"],
                "fact_html": body("The new Pace 3: the figures", FACTS, "All the figures"),
                "story_html": body("Your next story starts here", STORY, "Find your Pace"),
            }
            bench = Bench(env, sizes["repeat"], 2, trace=args.trace)
            if args.only in (None, "recipients", "versions"):
                scenario_recipients(bench, ctx, args.only)
            if args.only in (None, "render"):
                scenario_render(bench, ctx)
            machine["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        cr.rollback()
        cr.close()
    if sends:
        log(f"error: {len(sends)} mails went to the mail server")
        return 1
    table = markdown_table(bench.rows)
    log("")
    log(table)
    log("")
    missed = [row["operation"] for row in bench.rows if not row["met"]]
    log("targets missed: " + (", ".join(missed) if missed else "none"))
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as out:
        json.dump(
            {
                "name": f"mailing_{mode}",
                "database": args.database,
                "machine": machine,
                "data": data,
                "results": bench.rows,
                "plans": bench.plans,
                "markdown": table,
            },
            out,
            indent=2,
            ensure_ascii=False,
            default=str,
        )
    log(f"results written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
