#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Fill a database that has empathic_crm installed with realistic data, fast.

    $VENV/bin/python benchmarks/generate.py -c odoo.conf -d DB [--small] [--seed 42]
        [--partners 200000] [--impressions 2000000] [--rules 500] ...

* advisors (sales users), motives, values, product categories, products and
  cross-sell rules go through the ORM (few rows, batched ``create``);
* partners, their profiles, impressions and impression motives are written with
  PostgreSQL ``COPY`` (indexes rebuilt once afterwards);
* the ``empathy.rapport`` rows come from the addon's own set-based rebuild
  (``empathy_rapport_recompute.py``, as its scheduled rebuild runs it); the contacts'
  figures per company (best advisor, best rapport, last impression date and mood
  trend: ``empathy.partner.stat``) are computed set-based in SQL with exactly the
  math of ``res_partner_rapport.py``;
* a random sample of partners (plus the heaviest ones) is then checked against the
  ORM's own from-scratch recompute (``_empathy_compute_from_scratch``) and
  ``_empathy_refresh_rapport``; the exit status is 1 when they disagree.

The data is deterministic for a given ``--seed``, sizes and ``--end-date``
(default: today; impressions span ``--years`` before it).
"""

import contextlib
import io
import json
import math
import random
import sys
from array import array
from bisect import bisect
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate

from bench_common import (
    ADVISOR_LOGIN,
    KEY_ACCOUNT_IMPRESSIONS,
    PARAM_GENERATED,
    SIZES,
    Timer,
    addon_compat,
    base_parser,
    log,
    odoo_env_factory,
    rapport_pairs,
)

#: the contacts' figures of one company (rows of empathy.partner.stat)
PARTNER_AGGREGATES_QUERY = """
    SELECT p.id, s.best_advisor_id, s.best_rapport, s.last_impression_date, s.mood_trend
      FROM unnest(%(ids)s::int[]) AS p(id)
 LEFT JOIN empathy_partner_stat s ON s.partner_id = p.id AND s.company_id = %(company)s
  ORDER BY p.id
"""
FIRST_NAMES = (
    "Anna Ben Clara David Emma Felix Greta Hannah Jonas Karl Lea Lukas Marie Max Mia Noah"
    " Olivia Paul Sophie Tim Ute Vera Wolfgang Yasmin Zoe Jan Lisa Tom Nina Erik Laura"
    " Moritz Frieda Oskar Ida Emil Lina Anton Marta Henri Julia Kai Petra Sven Tanja"
).split()
LAST_NAMES = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Bauer"
    " Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann"
    " Lange Werner Krause Lehmann Köhler Maier Keller Huber Berger Graf Frank Roth Vogel"
).split()
COMPANY_WORDS = (
    "Alpen Nord Süd Blau Grün Sonnen Berg See Stadt Wald Fluss Stern Licht Kraft Zeit"
).split()
COMPANY_KINDS = ("Sport", "Reisen", "Handel", "Technik", "Design", "Logistik", "Bau", "Bio")
COMPANY_FORMS = ("GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.")
COUNTRIES = (  # code, weight, phone prefix, cities
    ("de", 60, "+49", ("Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig")),
    ("at", 15, "+43", ("Wien", "Graz", "Linz", "Salzburg")),
    ("ch", 15, "+41", ("Zürich", "Bern", "Basel", "Luzern")),
    ("us", 10, "+1", ("Honolulu", "Boston", "Denver", "Portland")),
)
MOTIVE_NAMES = (
    "Marathon Triathlon Hiking Climbing Cycling Swimming Yoga Skiing Diving Sailing Camping"
    " Hawaii-trip Wedding Baby Moving Retirement Birthday Anniversary Graduation New-job"
    " Gift Safety Status Comfort Health Weight-loss Hobby-cooking Gardening Photography"
    " Gaming Home-office Renovation Pets Fashion Music Reading Travel Collecting Charity"
).split()
VALUE_NAMES = (
    "Sustainability Innovation Community Regional Quality Price Tradition Design Fairness"
    " Safety Convenience Exclusivity Craftsmanship Family Health"
).split()
CATEGORY_ROOTS = (
    "Running Swimming Travel Outdoor Cycling Fitness Books Electronics Fashion Home Garden Food"
).split()
CATEGORY_CHILDREN = ("Basics", "Premium", "Accessories", "Kids", "Sale", "Gifts")
PRODUCT_WORDS = (
    "shirt shorts shoes watch bag guide bottle towel cap jacket socks gloves lamp mat"
    " book set kit box band belt"
).split()
ADJECTIVES = "Light Pro Classic Eco Ultra Smart Basic Travel Comfort Sport".split()
CHANNELS = (  # channel, weight, activity type xmlid (or None)
    ("phone", 40, "mail.mail_activity_data_call"),
    ("email", 20, "mail.mail_activity_data_email"),
    ("meeting", 15, "mail.mail_activity_data_meeting"),
    ("video", 7, None),
    ("chat", 6, None),
    ("fair", 4, None),
    ("shop", 5, None),
    ("letter", 1, None),
    ("social", 1, None),
    ("other", 1, None),
)
STYLES = ("factual", "emotional", "mixed")
TEMPERAMENTS = ("easy", "neutral", "demanding")
PREFERRED = ("phone", "email", "meeting", "video", "chat", "letter")
NOTES = (
    "Talked about the next race, very motivated.",
    "Asked for a written offer, compares prices.",
    "In a hurry, keep it short next time.",
    "Loves the new colours, wants to see samples.",
    "Complained about the delivery time.",
    "Planning a trip with the family.",
    "Mentioned a birthday in the family next month.",
    "Prefers to be called in the morning.",
)
WHYS = (
    "Buys for the next competition, performance matters most.",
    "Wants durable things that last, hates waste.",
    "Buys gifts for the family, needs advice.",
    "Trend-conscious, likes to be first.",
    "Price-sensitive, waits for offers.",
)
PERSONAL = (
    "Favourite book: Born to Run.",
    "Two children, Lena and Max.",
    "Supports the local football club.",
    "Allergic to wool.",
    "Drinks his coffee black.",
)
DAY = 86400


def copy_value(value):
    """Format one value for COPY ... FROM STDIN (text format)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    value = str(value)
    if any(ch in value for ch in "\\\t\n\r"):
        value = (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


class Generator:
    def __init__(self, env, sizes, seed, end_date, years):
        self.env = env
        self.cr = env.cr
        self.sizes = sizes
        self.seed = seed
        self.rng = random.Random(seed)
        self.end_date = end_date
        self.window_end = datetime.combine(end_date, time(0, 0))
        self.window = int(years * 365 * DAY)
        self.window_start = self.window_end - timedelta(seconds=self.window)
        self.company = env.ref("base.main_company")
        self.stats = []

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def report(self, label, rows, seconds):
        rate = rows / seconds if seconds > 0 else float("inf")
        self.stats.append({"phase": label, "rows": rows, "seconds": round(seconds, 2)})
        log(f"  {label:<34} {rows:>10,} rows {seconds:8.1f} s {rate:>12,.0f} rows/s")

    def copy(self, table, columns, lines, chunk=200_000):
        """COPY text ``lines`` (already formatted, newline-terminated) into ``table``."""
        statement = "COPY {} ({}) FROM STDIN".format(
            table, ", ".join('"%s"' % column for column in columns)
        )
        buffer, count = io.StringIO(), 0
        for line in lines:
            buffer.write(line)
            count += 1
            if count % chunk == 0:
                buffer.seek(0)
                self.cr._obj.copy_expert(statement, buffer)
                buffer = io.StringIO()
        if buffer.tell():
            buffer.seek(0)
            self.cr._obj.copy_expert(statement, buffer)
        return count

    @contextlib.contextmanager
    def bulk_load(self, *tables):
        """Drop the secondary indexes of ``tables`` (rebuilt on exit) and skip FK triggers.

        The generator builds consistent data by construction; foreign keys are checked
        once, set-based, afterwards (``check_integrity``).
        """
        from odoo.tools import SQL  # noqa: PLC0415

        cr = self.cr
        cr.execute(
            """
            SELECT i.indexname, i.indexdef
              FROM pg_indexes i
             WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                WHERE c.conindid = (quote_ident(i.indexname))::regclass)
            """,
            [list(tables)],
        )
        indexes = cr.fetchall()
        for name, _definition in indexes:
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(name)))
        cr.execute("SET LOCAL session_replication_role = replica")
        cr.execute("SET LOCAL maintenance_work_mem = '1GB'")
        yield  # on error the transaction is rolled back: indexes and triggers come back
        cr.execute("SET LOCAL session_replication_role = DEFAULT")
        with Timer() as timer:
            for _name, definition in indexes:
                cr.execute(definition)  # pylint: disable=sql-injection
        log(f"  rebuilt {len(indexes)} indexes of {', '.join(tables)} in {timer.seconds:.1f} s")

    def next_ids(self, table, count):
        """Reserve ``count`` consecutive ids of ``table``; return the first one."""
        cr = self.cr
        cr.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        first = cr.fetchone()[0]
        cr.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
        )
        return first

    def template_row(self, model, vals):
        """Return the row the ORM writes for ``vals`` (created in a rolled-back savepoint).

        The COPY'd rows take every column they do not set themselves from it: defaults
        and stored computes of fields other modules may add keep their ORM values.
        """
        from odoo.tools import SQL  # noqa: PLC0415

        cr, env = self.cr, self.env
        savepoint = cr.savepoint()
        try:
            if model == "empathy.impression":
                partner = env["res.partner"].create({"name": "Benchmark template"})
                vals = dict(vals, partner_id=partner.id)
            record = env[model].create(vals)
            env.flush_all()
            cr.execute(
                SQL("SELECT * FROM %s WHERE id = %s", SQL.identifier(record._table), record.id)
            )
            return dict(zip((d.name for d in cr.description), cr.fetchone(), strict=True))
        finally:
            savepoint.close(rollback=True)
            env.invalidate_all(flush=False)

    @staticmethod
    def template_columns(template, columns):
        """Columns of ``template`` with a value that ``columns`` do not set, and the
        COPY text of those values (to append to each row)."""
        skip = set(columns) | {"id", "display_name"}
        extra = [c for c, v in template.items() if c not in skip and v is not None]
        return extra, "".join("\t" + copy_value(template[c]) for c in extra)

    def weighted(self, cumulative, total):
        return bisect(cumulative, self.rng.random() * total)

    # ------------------------------------------------------------------
    # phases
    # ------------------------------------------------------------------
    def run(self):
        cr = self.cr
        cr.execute("SET LOCAL work_mem = '256MB'")
        with Timer() as total:
            self.master_data()
            cr.commit()
            self.partners()
            cr.commit()
            self.impressions()
            cr.commit()
            self.rules()
            cr.commit()
            self.aggregates()
            cr.commit()
        log(f"generated in {total.seconds:.1f} s")
        self.stats.append({"phase": "total", "seconds": round(total.seconds, 2)})

    def master_data(self):
        env, rng, sizes = self.env, self.rng, self.sizes
        log("master data (ORM)")
        Motive = env["empathy.motive"].with_context(active_test=False)
        Value = env["empathy.value"].with_context(active_test=False)
        with Timer() as timer:
            existing = Motive.search([], order="id")
            taken = set(existing.mapped("name"))
            names = [n.replace("-", " ") for n in MOTIVE_NAMES]
            names = [name for name in names if name not in taken]
            missing = max(0, sizes["motives"] - len(existing))
            names += ["Motive %d" % i for i in range(len(names), missing)]
            new = Motive.create([{"name": name} for name in names[:missing]])
            self.motives = (existing | new).ids[: max(sizes["motives"], 1)]
        self.report("motives", len(new), timer.seconds)
        with Timer() as timer:
            existing = Value.search([], order="id")
            names = [n for n in VALUE_NAMES if n not in existing.mapped("name")]
            missing = max(0, sizes["values"] - len(existing))
            names += ["Value %d" % i for i in range(len(names), missing)]
            new = Value.create([{"name": name} for name in names[:missing]])
            self.values = (existing | new).ids[: max(sizes["values"], 1)]
        self.report("values", len(new), timer.seconds)

        with Timer() as timer:
            salesman = env.ref("sales_team.group_sale_salesman")
            users = (
                env["res.users"]
                .with_context(no_reset_password=True, mail_create_nosubscribe=True)
                .create(
                    [
                        {
                            "name": "%s %s (advisor %02d)"
                            % (
                                FIRST_NAMES[i % len(FIRST_NAMES)],
                                LAST_NAMES[(i * 7) % len(LAST_NAMES)],
                                i + 1,
                            ),
                            "login": ADVISOR_LOGIN % (i + 1),
                            "email": "advisor%02d@bench.example.com" % (i + 1),
                            addon_compat().user_groups_field(): [(6, 0, salesman.ids)],
                            "company_id": self.company.id,
                            "company_ids": [(6, 0, self.company.ids)],
                            "tz": "Europe/Berlin",
                        }
                        for i in range(sizes["advisors"])
                    ]
                )
            )
            self.advisors = users.ids
        self.report("advisors (res.users)", len(users), timer.seconds)

        with Timer() as timer:
            Category = env["product.category"]
            # 19.0 has no "All" category (product_category_goods & co.): one of our own
            all_categ = env.ref("product.product_category_all", raise_if_not_found=False)
            all_categ = all_categ or Category.create({"name": "All"})
            n_roots = max(2, sizes["categories"] // 5)
            roots = Category.create(
                [
                    {
                        "name": CATEGORY_ROOTS[i % len(CATEGORY_ROOTS)]
                        + ("" if i < 12 else " %d" % i)
                    }
                    | {"parent_id": all_categ.id}
                    for i in range(n_roots)
                ]
            )
            per_root = max(1, min(len(CATEGORY_CHILDREN), sizes["categories"] // n_roots - 1))
            children = Category.create(
                [
                    {"name": CATEGORY_CHILDREN[j], "parent_id": root.id}
                    for root in roots
                    for j in range(per_root)
                ]
            )
            self.categ_roots = roots.ids
            self.categ_leaves = children.ids
        self.report("product categories", len(roots) + len(children), timer.seconds)

        with Timer() as timer:
            vals = []
            for i in range(sizes["products"]):
                leaf = rng.choice(self.categ_leaves)
                vals.append(
                    {
                        "name": "%s %s %d"
                        % (rng.choice(ADJECTIVES), rng.choice(PRODUCT_WORDS), i + 1),
                        "default_code": "BENCH-%05d" % (i + 1),
                        "categ_id": leaf,
                        "list_price": round(rng.uniform(5, 400), 2),
                        "type": "consu",
                        "sale_ok": True,
                    }
                )
            products = env["product.product"].create(vals)
            self.products = products.ids
        self.report("products (product.product)", len(products), timer.seconds)

    def partners(self):
        """Plan partners and their impression volume; COPY partners and profiles."""
        env, rng, sizes = self.env, self.rng, self.sizes
        log("partners (COPY)")
        n = sizes["partners"]
        n_companies = max(1, int(n * 0.08))
        advisor_weights = list(accumulate(1.0 / (a + 1) ** 0.6 for a in range(len(self.advisors))))
        motive_weights = list(accumulate(1.0 / (m + 1) ** 0.8 for m in range(len(self.motives))))
        value_weights = list(accumulate(1.0 / (v + 1) ** 0.7 for v in range(len(self.values))))
        country_weights = list(accumulate(c[1] for c in COUNTRIES))
        countries = [env.ref("base.%s" % c[0]).id for c in COUNTRIES]
        first_id = self.next_ids("res_partner", n)
        self.partner_ids = range(first_id, first_id + n)

        # template row: every column the ORM fills for a new contact (defaults, computes)
        template_row = self.template_row("res.partner", {"name": "Benchmark template"})

        # the plan: what later phases need to know about each partner
        self.p_salesperson = array("l", [-1]) * n
        self.p_motives = [()] * n
        self.p_style = array("b", [-1]) * n
        self.p_objection = bytearray(n)
        self.key_account = n_companies if n > n_companies else None

        names = []
        for i in range(n):
            if i < n_companies:
                name = "%s%s %s %s" % (
                    rng.choice(COMPANY_WORDS),
                    rng.choice(COMPANY_KINDS).lower(),
                    rng.choice(COMPANY_FORMS),
                    i + 1,
                )
                names.append((name, None, None))
            elif i == self.key_account:
                names.append(("Jonas Keller", "Jonas", "Keller"))
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                names.append(("%s %s" % (first, last), first, last))

        columns = [
            "id",
            "name",
            "complete_name",
            "is_company",
            "parent_id",
            "commercial_partner_id",
            "commercial_company_name",
            "type",
            "user_id",
            "email",
            "email_normalized",
            "phone",
            "phone_sanitized",
            "street",
            "zip",
            "city",
            "country_id",
            "ref",
            "lang",
            "tz",
            "active",
            "customer_rank",
            "partner_share",
            "create_uid",
            "write_uid",
            "create_date",
            "write_date",
            "empathy_objection",
        ]
        # the empathy aggregates are computed afterwards, from the impressions
        template_row = {k: v for k, v in template_row.items() if not k.startswith("empathy_")}
        extra, extra_values = self.template_columns(template_row, columns)
        rel_motive, rel_value = [], []
        self.rel_motive, self.rel_value = rel_motive, rel_value
        # the profiles (empathy.profile): the row of partner i has the id first_profile + i
        first_profile = self.next_ids("empathy_profile", n)
        profiles = []
        company = template_row.get("company_id")  # the partners' (stored, related)

        def rows():
            for i in range(n):
                pid = first_id + i
                name, first, last = names[i]
                is_company = i < n_companies
                parent = None
                if not is_company and i != self.key_account and rng.random() < 0.3:
                    parent = rng.randrange(n_companies)
                salesperson = -1
                if parent is not None:
                    salesperson = self.p_salesperson[parent]
                elif rng.random() < 0.7:
                    salesperson = self.weighted(advisor_weights, advisor_weights[-1])
                if i == self.key_account:
                    salesperson = 0
                self.p_salesperson[i] = salesperson
                commercial = first_id + parent if parent is not None else pid
                parent_name = names[parent][0] if parent is not None else None
                country = self.weighted(country_weights, country_weights[-1])
                code, _weight, prefix, cities = COUNTRIES[country]
                number = "%d%07d" % (rng.randrange(20, 99), rng.randrange(10**7))
                if first:
                    email = "%s.%s.%d@example.com" % (first, last, i)
                else:
                    email = "info.%d@example.com" % i
                email = email.lower().replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
                created = self.window_start - timedelta(days=rng.randrange(1, 900))
                objection = i != self.key_account and rng.random() < 0.003
                self.p_objection[i] = objection
                style = -1
                if i == self.key_account:
                    style = 1
                elif rng.random() < 0.5:
                    style = rng.randrange(3)
                self.p_style[i] = style
                motives = ()
                if i == self.key_account:
                    motives = tuple(self.motives[:2])
                elif rng.random() < 0.6:
                    picks = {
                        self.motives[self.weighted(motive_weights, motive_weights[-1])]
                        for _ in range(rng.randrange(1, 4))
                    }
                    motives = tuple(sorted(picks))
                self.p_motives[i] = motives
                rel_motive.extend((pid, motive) for motive in motives)
                picks_values = ()
                if rng.random() < 0.4:
                    picks = {
                        self.values[self.weighted(value_weights, value_weights[-1])]
                        for _ in range(rng.randrange(1, 3))
                    }
                    picks_values = sorted(picks)
                    rel_value.extend((pid, value) for value in picks_values)
                values = [
                    pid,
                    name,
                    "%s, %s" % (parent_name, name) if parent_name else name,
                    is_company,
                    first_id + parent if parent is not None else None,
                    commercial,
                    parent_name if parent_name else (name if is_company else None),
                    "contact",
                    self.advisors[salesperson] if salesperson >= 0 else None,
                    email,
                    email,
                    "%s %s" % (prefix, number),
                    prefix + number,
                    "%s %d" % (rng.choice(("Hauptstraße", "Seeweg", "Bergstraße")), i % 200 + 1),
                    "%05d" % rng.randrange(1000, 99999),
                    rng.choice(cities),
                    countries[country],
                    "C%07d" % (i + 1),
                    "en_US",
                    "Europe/Berlin" if code != "us" else "Pacific/Honolulu",
                    True,
                    rng.randrange(0, 6),
                    True,
                    1,
                    1,
                    created,
                    created,
                    objection,
                ]
                # drawn after the partner's columns, in the order of the former columns
                profile = (
                    STYLES[style] if style >= 0 else None,
                    rng.choice(TEMPERAMENTS) if rng.random() < 0.4 else None,
                    rng.choice(PREFERRED) if rng.random() < 0.4 else None,
                    rng.choice(WHYS) if rng.random() < 0.2 else None,
                    rng.choice(PERSONAL) if rng.random() < 0.1 else None,
                )
                if motives or picks_values or any(value is not None for value in profile):
                    row = (first_profile + i, pid, company, *profile, 1, 1, created, created)
                    profiles.append("\t".join(map(copy_value, row)) + "\n")
                yield "\t".join(map(copy_value, values)) + extra_values + "\n"

        with Timer() as timer, self.bulk_load("res_partner"):
            count = self.copy("res_partner", columns + extra, rows())
        self.report("res_partner", count, timer.seconds)

        Profile = env["empathy.profile"]
        with Timer() as timer, self.bulk_load("empathy_profile"):
            count = self.copy(
                Profile._table,
                [
                    "id",
                    "partner_id",
                    "company_id",
                    "communication_style",
                    "temperament",
                    "preferred_channel",
                    "why",
                    "personal_notes",
                    "create_uid",
                    "write_uid",
                    "create_date",
                    "write_date",
                ],
                profiles,
            )
        self.report("empathy_profile", count, timer.seconds)
        with Timer() as timer:
            for fname, pairs in (("motive_ids", rel_motive), ("value_ids", rel_value)):
                field = Profile._fields[fname]
                self.copy(
                    field.relation,
                    [field.column1, field.column2],
                    ("%d\t%d\n" % (first_profile + pid - first_id, tag) for pid, tag in pairs),
                )
        self.report("profile motives and values", len(rel_motive) + len(rel_value), timer.seconds)

    def impressions(self):
        """Plan the impressions (skewed per partner and advisor), COPY them in date order."""
        env, rng, sizes = self.env, self.rng, self.sizes
        log("impressions (COPY)")
        n_partners = sizes["partners"]
        total = sizes["impressions"]
        window = self.window
        advisor_weights = list(accumulate(1.0 / (a + 1) ** 0.6 for a in range(len(self.advisors))))
        channel_weights = list(accumulate(c[1] for c in CHANNELS))
        activity_types = [env.ref(c[2]) if c[2] else None for c in CHANNELS]
        types = [(t.id, t.name) if t else (None, None) for t in activity_types]

        with Timer() as timer:
            # volume per partner: heavy-tailed (Pareto), capped; 15 % never contacted
            counts = array("l", [0]) * n_partners
            key = self.key_account
            planted = KEY_ACCOUNT_IMPRESSIONS if key is not None and total >= 4 * 500 else 0
            weights = []
            for i in range(n_partners):
                if i == key or self.p_objection[i] or rng.random() < 0.15:
                    weights.append(0.0)
                else:
                    weights.append(min(150.0, rng.paretovariate(1.4)) * (0.3 + 0.7 * rng.random()))
            scale = (total - planted) / (sum(weights) or 1.0)
            done = 0
            running = 0.0
            for i, weight in enumerate(weights):
                running += weight * scale
                counts[i] = round(running) - done
                done += counts[i]
            if planted:
                counts[key] = planted
            last = max(i for i, weight in enumerate(weights) if weight > 0)
            counts[last] += total - sum(counts)  # rounding remainder

            secs = array("q")
            pids = array("l")
            advs = array("h")
            rapports = array("b")
            moods = array("b")
            channels = array("b")
            styles = array("b")
            notes = array("b")
            motive_of = {}  # impression index -> motive id
            gauss = rng.gauss
            rand = rng.random
            for i in range(n_partners):
                count = counts[i]
                if count <= 0:
                    continue
                # the partner's active period: most are current customers, some lapsed
                if i == key:
                    start, end = 0, window - DAY
                else:
                    start = int(rand() * window * 0.9)
                    if rand() < 0.55:
                        end = window - int(rand() * 30 * DAY)
                    else:
                        end = start + int(rand() * (window - start))
                    end = max(end, start + DAY)
                # advisors: primary (the salesperson if any) and a few others
                primary = self.p_salesperson[i]
                if primary < 0:
                    primary = self.weighted(advisor_weights, advisor_weights[-1])
                pair_advisors = [primary]
                if i != key:
                    extras = self.weighted((0.5, 0.8, 0.95, 1.0), 1.0) + (count > 50)
                    for _ in range(extras):
                        other = self.weighted(advisor_weights, advisor_weights[-1])
                        if other not in pair_advisors:
                            pair_advisors.append(other)
                pair_weights = list(
                    accumulate([1.0] + [0.1 + 0.4 * rand() for _ in pair_advisors[1:]])
                )
                pair_base = [gauss(3.6, 0.9) for _ in pair_advisors]
                pair_drift = [gauss(0.0, 0.8) for _ in pair_advisors]
                if i == key:
                    pair_base, pair_drift = [4.2], [-1.2]
                mood_base, mood_drift = gauss(0.3, 0.6), gauss(0.0, 0.9)
                motives = self.p_motives[i]
                style = self.p_style[i]
                span = end - start
                for _ in range(count):
                    offset = int(rand() * span)
                    frac = offset / span - 0.5
                    a = bisect(pair_weights, rand() * pair_weights[-1])
                    rapport = round(pair_base[a] + pair_drift[a] * frac + gauss(0.0, 0.7))
                    mood = round(mood_base + mood_drift * frac + gauss(0.0, 0.8))
                    index = len(secs)
                    secs.append(start + offset)
                    pids.append(i)
                    advs.append(pair_advisors[a])
                    rapports.append(5 if rapport > 5 else 1 if rapport < 1 else rapport)
                    moods.append(2 if mood > 2 else -2 if mood < -2 else mood)
                    channels.append(bisect(channel_weights, rand() * channel_weights[-1]))
                    styles.append(
                        (style if style >= 0 and rand() < 0.8 else int(rand() * 3))
                        if rand() < 0.1
                        else -1
                    )
                    notes.append(int(rand() * len(NOTES)) if rand() < 0.15 else -1)
                    if motives and rand() < 0.08:
                        motive_of[index] = motives[int(rand() * len(motives))]
            order = sorted(range(len(secs)), key=secs.__getitem__)
        self.report("impressions planned (Python)", len(secs), timer.seconds)

        Impression = env["empathy.impression"]
        columns = [
            "id",
            "partner_id",
            "user_id",
            "company_id",
            "date",
            "channel",
            "rapport",
            "mood",
            "communication_style",
            "note",
            "activity_type_id",
            "res_model",
            "res_id",
            "summary",
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        ]
        template = self.template_row(
            "empathy.impression", {"user_id": self.advisors[0], "rapport": 3, "mood": 0}
        )
        extra, extra_values = self.template_columns(template, columns)
        columns += extra
        first_id = self.next_ids("empathy_impression", len(order))
        first_partner = self.partner_ids[0]
        company = self.company.id
        start = self.window_start
        advisors = self.advisors
        null = r"\N"
        rel = []

        def rows():
            for number, index in enumerate(order):
                when = str(start + timedelta(seconds=secs[index]))
                partner = first_partner + pids[index]
                user = advisors[advs[index]]
                channel = channels[index]
                type_id, type_name = types[channel]
                style = styles[index]
                note = notes[index]
                if index in motive_of:
                    rel.append((first_id + number, motive_of[index]))
                yield (
                    f"{first_id + number}\t{partner}\t{user}\t{company}\t{when}\t"
                    f"{CHANNELS[channel][0]}\t{rapports[index]}\t{moods[index]}\t"
                    f"{STYLES[style] if style >= 0 else null}\t"
                    f"{NOTES[note] if note >= 0 else null}\t"
                    + (
                        f"{type_id}\tres.partner\t{partner}\t{type_name}\t"
                        if type_id
                        else f"{null}\t{null}\t{null}\t{null}\t"
                    )
                    + f"{user}\t{when}\t{user}\t{when}{extra_values}\n"
                )

        with Timer() as timer, self.bulk_load("empathy_impression"):
            count = self.copy(Impression._table, columns, rows())
        self.report("empathy_impression", count, timer.seconds)
        with Timer() as timer:
            field = Impression._fields["motive_ids"]
            self.copy(field.relation, [field.column1, field.column2], ("%d\t%d\n" % r for r in rel))
        self.report("impression motives", len(rel), timer.seconds)
        self.evidence(rel)
        self.check_integrity()

    def evidence(self, impression_motives):
        """Where the profile's motives and values come from (``empathy.motive.evidence``).

        What the ORM records: one "impression" row per motive heard in an impression,
        one "manual" row per motive or value an advisor added to the profile.
        """
        env, rng = self.env, self.rng
        if "empathy.motive.evidence" not in env:
            return
        Evidence = env["empathy.motive.evidence"]
        try:
            from odoo.addons.empathic_crm.models.empathy_motive_evidence import (  # noqa: PLC0415
                STRENGTHS,
            )
        except ImportError:
            STRENGTHS = {}
        wanted = [
            "partner_id",
            "motive_id",
            "value_id",
            "source",
            "strength",
            "impression_id",
            "user_id",
            "date",
            "company_id",
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        ]
        columns = [c for c in wanted if c in Evidence._fields and Evidence._fields[c].store]
        company = self.company.id
        cr = self.cr
        with Timer() as timer:
            # the impressions that heard a motive: their partner, advisor and date
            cr.execute(
                "SELECT id, partner_id, user_id, date FROM empathy_impression WHERE id = ANY(%s)",
                [[impression for impression, _motive in impression_motives]],
            )
            heard = {row[0]: row[1:] for row in cr.fetchall()}
            rows = []
            for impression, motive in impression_motives:
                partner, user, when = heard[impression]
                rows.append(
                    {
                        "partner_id": partner,
                        "motive_id": motive,
                        "source": "impression",
                        "strength": STRENGTHS.get("impression", 2),
                        "impression_id": impression,
                        "user_id": user,
                        "date": when,
                    }
                )
            first_partner = self.partner_ids[0]
            for kind, pairs in (("motive_id", self.rel_motive), ("value_id", self.rel_value)):
                for partner, record in pairs:
                    salesperson = self.p_salesperson[partner - first_partner]
                    when = self.window_start + timedelta(seconds=int(rng.random() * self.window))
                    rows.append(
                        {
                            "partner_id": partner,
                            kind: record,
                            "source": "manual",
                            "strength": STRENGTHS.get("manual", 2),
                            "user_id": self.advisors[max(salesperson, 0)],
                            "date": when,
                        }
                    )

            def lines():
                for row in rows:
                    row.update(
                        company_id=company,
                        create_uid=row["user_id"],
                        write_uid=row["user_id"],
                        create_date=row["date"],
                        write_date=row["date"],
                    )
                    yield "\t".join(copy_value(row.get(c)) for c in columns) + "\n"

            count = self.copy(Evidence._table, columns, lines())
        self.report("motive evidence", count, timer.seconds)

    def check_integrity(self):
        """The foreign keys skipped while loading, checked set-based."""
        cr = self.cr
        checks = {
            "impression partner": """SELECT count(*) FROM empathy_impression i
                LEFT JOIN res_partner p ON p.id = i.partner_id WHERE p.id IS NULL""",
            "impression advisor": """SELECT count(*) FROM empathy_impression i
                LEFT JOIN res_users u ON u.id = i.user_id WHERE u.id IS NULL""",
            "partner parent": """SELECT count(*) FROM res_partner c
                LEFT JOIN res_partner p ON p.id = c.parent_id
                WHERE c.parent_id IS NOT NULL AND p.id IS NULL""",
            "partner salesperson": """SELECT count(*) FROM res_partner c
                LEFT JOIN res_users u ON u.id = c.user_id
                WHERE c.user_id IS NOT NULL AND u.id IS NULL""",
            "profile partner": """SELECT count(*) FROM empathy_profile pr
                LEFT JOIN res_partner p ON p.id = pr.partner_id WHERE p.id IS NULL""",
        }
        for label, query in checks.items():
            cr.execute(query)  # pylint: disable=sql-injection
            broken = cr.fetchone()[0]
            if broken:
                raise RuntimeError(f"integrity check failed: {broken} rows with a broken {label}")

    def rules(self):
        env, rng, sizes = self.env, self.rng, self.sizes
        log("cross-sell rules (ORM)")
        motive_names = dict(
            env["empathy.motive"].browse(self.motives).mapped(lambda m: (m.id, m.name))
        )
        product_names = dict(
            env["product.product"].browse(self.products).mapped(lambda p: (p.id, p.name))
        )
        with Timer() as timer:
            vals = []
            for _rule in range(sizes["rules"]):
                # rules are written per motive (about as many for each), mostly for a
                # product or category on the order: "runs a marathon and buys shoes"
                motives = sorted(
                    set(rng.sample(self.motives, self.weighted((0.7, 0.95, 1.0), 1.0) + 1))
                )
                suggested = rng.sample(self.products, rng.randrange(1, 4))
                triggers = {}
                kind = rng.random()
                if kind < 0.5:
                    triggers["trigger_product_ids"] = [
                        (6, 0, rng.sample(self.products, rng.randrange(1, 4)))
                    ]
                elif kind < 0.9:
                    pool = self.categ_roots if rng.random() < 0.2 else self.categ_leaves
                    triggers["trigger_categ_ids"] = [(6, 0, [rng.choice(pool)])]
                vals.append(
                    {
                        "name": "%s → %s"
                        % (
                            " + ".join(motive_names[m] for m in motives),
                            product_names[suggested[0]],
                        ),
                        "sequence": rng.randrange(1, 100),
                        "company_id": self.company.id if rng.random() < 0.85 else False,
                        "motive_ids": [(6, 0, motives)],
                        "motive_match": "all" if len(motives) > 1 and rng.random() < 0.3 else "any",
                        "value_ids": [(6, 0, [rng.choice(self.values)])]
                        if rng.random() < 0.25
                        else [],
                        "suggested_product_ids": [(6, 0, suggested)],
                        "reason": "Customers who care about %s often need %s."
                        % (
                            " and ".join(motive_names[m] for m in motives),
                            ", ".join(product_names[p] for p in suggested),
                        ),
                        **triggers,
                    }
                )
            rules = env["empathy.cross.sell.rule"].create(vals)
        self.report("empathy.cross.sell.rule", len(rules), timer.seconds)

    # ------------------------------------------------------------------
    # stored aggregates, set-based (the addon's rebuild; the math of res_partner.py)
    # ------------------------------------------------------------------
    def aggregates(self):
        from odoo.addons.empathic_crm.tools import mood_sql as empathy_mood  # noqa: PLC0415

        env, cr = self.env, self.cr
        log("stored aggregates (SQL)")
        Rapport = env["empathy.rapport"]
        cr.execute("DELETE FROM empathy_rapport")
        # the addon's own set-based rebuild (empathy_rapport_recompute.py), in batches of
        # customers as the scheduled rebuild runs it; pairs whose reference date moves
        # are replayed with the model
        with Timer() as timer:
            Rapport._empathy_rebuild_now(batch=5000, everything=True, refresh_partners=False)
            env.flush_all()
            cr.execute("SELECT count(*) FROM empathy_rapport")
            count = cr.fetchone()[0]
        self.report("empathy_rapport (rebuild, INSERT ... SELECT per batch)", count, timer.seconds)

        # the fair scores: the addon's own set-based bulk refresh of the advisors' scales
        with Timer() as timer:
            count = Rapport._empathy_refresh_scales(threshold=-1.0, refresh_partners=False)
        self.report("fair scores: advisors' scales (bulk refresh, UPDATE)", count, timer.seconds)

        with Timer() as timer:
            cr.execute(
                """
                WITH best AS (
                    SELECT DISTINCT ON (partner_id) partner_id, user_id, fair_score AS score
                      FROM empathy_rapport
                  ORDER BY partner_id, fair_score DESC, impression_count DESC,
                           last_date DESC NULLS LAST, id
                ), moods AS (
                    SELECT partner_id, max(date) FILTER (WHERE rn = 1) AS last_date,
                           avg(mood) FILTER (WHERE rn <= %(w)s) AS recent,
                           avg(mood) FILTER (WHERE rn > %(w)s) AS earlier
                      FROM (SELECT partner_id, date, mood,
                                   row_number() OVER (PARTITION BY partner_id
                                                      ORDER BY date DESC, id DESC) AS rn
                              FROM empathy_impression) ranked
                     WHERE rn <= 2 * %(w)s
                  GROUP BY partner_id
                )
                INSERT INTO empathy_partner_stat
                       (partner_id, company_id, best_advisor_id, best_rapport,
                        last_impression_date, mood_trend, silent,
                        create_uid, create_date, write_uid, write_date)
                SELECT best.partner_id, %(company)s, best.user_id,
                       round(best.score::numeric, 2), moods.last_date,
                       CASE
                           WHEN moods.earlier IS NULL OR moods.recent IS NULL THEN 'stable'
                           WHEN moods.recent - moods.earlier >= %(threshold)s THEN 'improving'
                           WHEN moods.earlier - moods.recent >= %(threshold)s THEN 'declining'
                           ELSE 'stable' END,
                       FALSE, 1, now() AT TIME ZONE 'UTC', 1, now() AT TIME ZONE 'UTC'
                  FROM best JOIN moods USING (partner_id)
                    ON CONFLICT (partner_id, company_id) DO UPDATE
                   SET best_advisor_id = EXCLUDED.best_advisor_id,
                       best_rapport = EXCLUDED.best_rapport,
                       last_impression_date = EXCLUDED.last_impression_date,
                       mood_trend = EXCLUDED.mood_trend
                """,
                {
                    "w": empathy_mood.MOOD_WINDOW,
                    "threshold": empathy_mood.MOOD_THRESHOLD,
                    # one company: the generated impressions are all of it
                    "company": self.company.id,
                },
            )
            count = cr.rowcount
        self.report("contact figures per company (INSERT)", count, timer.seconds)
        # the rapport by kind of customer (advisor matching): the addon's own rebuild
        with Timer() as timer:
            count = env["empathy.kind.rapport"]._empathy_rebuild()
        self.report("rapport by kind of customer (INSERT ... SELECT)", count, timer.seconds)
        env.invalidate_all()

    # ------------------------------------------------------------------
    # verification against the ORM
    # ------------------------------------------------------------------
    def verify(self, sample_size):
        """Compare a random sample with the ORM's from-scratch recompute; return ok."""
        from odoo.addons.empathic_crm.tools import fair as empathy_fair  # noqa: PLC0415

        env, cr = self.env, self.cr
        rng = random.Random(self.seed + 1)
        Rapport = env["empathy.rapport"]
        log(f"verification against the ORM (sample of {sample_size} partners + heaviest)")
        cr.execute("SELECT DISTINCT partner_id FROM empathy_rapport ORDER BY partner_id")
        with_rapport = [row[0] for row in cr.fetchall()]
        cr.execute(
            "SELECT partner_id FROM empathy_rapport ORDER BY impression_count DESC, id LIMIT 5"
        )
        heaviest = [row[0] for row in cr.fetchall()]
        sample = sorted(
            set(rng.sample(with_rapport, min(sample_size, len(with_rapport)))) | set(heaviest)
        )
        dev = {"score": 0.0, "fair_score": 0.0, "sums_rel": 0.0, "best_rapport": 0.0}
        boundary = 0
        with Timer() as timer:
            impressions, expected, actual, problems = rapport_pairs(env, sample)
            # the fair scores: exact per pair for the stored advisor's scale, and the
            # stored scales equal the means of all pairs (the whole table, not the sample)
            cr.execute("SELECT user_id, company_id, score FROM empathy_rapport")
            advisor_means, team_means = empathy_fair.scale_means(cr.fetchall())
            shrinkage = Rapport._empathy_shrinkage()
            for key, want in expected.items():
                row = actual.get(key)
                if not row:
                    continue
                want["fair_score"] = empathy_fair.fair_score(
                    want["score"],
                    want["impression_count"],
                    advisor_means[key[1], key[2]],
                    team_means[key[2]],
                    shrinkage,
                )
                dev["fair_score"] = max(dev["fair_score"], abs(row.fair_score - want["fair_score"]))
                dev["score"] = max(dev["score"], abs(row.score - want["score"]))
                for name in ("sum_w", "sum_wr", "sum_w_short", "sum_wr_short"):
                    rel = abs(row[name] - want[name]) / max(abs(want[name]), 1e-300)
                    dev["sums_rel"] = max(dev["sums_rel"], rel)
                for name in ("impression_count", "last_date", "weight_ref"):
                    if row[name] != want[name]:
                        problems.append(f"{key}: {name} {row[name]} != {want[name]}")
                if row.trend != want["trend"]:
                    short = want["sum_wr_short"] / want["sum_w_short"]
                    if abs(abs(short - want["score"]) - 0.25) < 1e-9:
                        boundary += 1  # float tie on the threshold: either side is right
                    else:
                        problems.append(f"{key}: trend {row.trend} != {want['trend']}")
            # best advisor: the ORM order (fair score, count, last date) on from-scratch values
            best_expected = {}
            for (partner, user, _company), want in expected.items():
                rank = (want["fair_score"], want["impression_count"], want["last_date"])
                best_expected.setdefault(partner, []).append((rank, user))
            cr.execute(
                PARTNER_AGGREGATES_QUERY,
                {"company": self.company.id, "ids": sample},
            )
            generated = {row[0]: row[1:] for row in cr.fetchall()}
            for partner, ranks in best_expected.items():
                top = max(rank for rank, _user in ranks)
                winners = {
                    user
                    for rank, user in ranks
                    if abs(rank[0] - top[0]) < 1e-12 and rank[1:] == top[1:]
                }
                if generated[partner][0] not in winners:
                    problems.append(f"partner {partner}: best advisor {generated[partner][0]}")
            # the figures: the ORM's own refresh, in a savepoint that is rolled back
            savepoint = cr.savepoint()
            try:
                env["res.partner"].browse(sample)._empathy_refresh_rapport()
                env.flush_all()
                cr.execute(
                    PARTNER_AGGREGATES_QUERY,
                    {"company": self.company.id, "ids": sample},
                )
                refreshed = {row[0]: row[1:] for row in cr.fetchall()}
            finally:
                savepoint.close(rollback=True)
                env.invalidate_all(flush=False)
            for partner in sample:
                mine, orm = generated[partner], refreshed[partner]
                dev["best_rapport"] = max(dev["best_rapport"], abs(float(mine[1]) - float(orm[1])))
                if (mine[0], *mine[2:]) != (orm[0], *orm[2:]) or not math.isclose(
                    float(mine[1]), float(orm[1]), abs_tol=1e-9
                ):
                    problems.append(f"partner {partner}: {mine} != ORM {orm}")
        log(
            f"  {len(sample)} partners, {len(expected)} pairs, {len(impressions)} impressions"
            f" checked in {timer.seconds:.1f} s"
        )
        log(
            "  max deviation vs ORM: score %.3g, fair score %.3g, sums (relative) %.3g,"
            " best rapport %.3g"
            % (dev["score"], dev["fair_score"], dev["sums_rel"], dev["best_rapport"])
        )
        if boundary:
            log(f"  {boundary} trend(s) exactly on the threshold (float ties, accepted)")
        for problem in problems[:20]:
            log("  MISMATCH " + problem)
        self.verification = {
            "partners": len(sample),
            "pairs": len(expected),
            "impressions": len(impressions),
            "max_deviation": dev,
            "mismatches": len(problems),
        }
        if dev["score"] > 1e-9 or dev["fair_score"] > 1e-9 or dev["sums_rel"] > 1e-9:
            problems.append("deviation above 1e-9")
        log("  verification " + ("FAILED" if problems else "passed"))
        return not problems


def main():
    parser = base_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, default=None)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--verify-sample", type=int, default=None)
    for name in SIZES["full"]:
        parser.add_argument("--" + name, type=int, default=None)
    args = parser.parse_args()
    sizes = dict(SIZES["small" if args.small else "full"])
    for name in sizes:
        if getattr(args, name) is not None:
            sizes[name] = getattr(args, name)
    end_date = args.end_date or datetime.now(timezone.utc).date()
    sample = args.verify_sample or (100 if args.small else 300)

    registry, make_env = odoo_env_factory(args.config, args.database)
    with registry.cursor() as cr:
        env = make_env(
            cr,
            context={
                "tracking_disable": True,
                "mail_create_nolog": True,
                "mail_create_nosubscribe": True,
                "mail_notrack": True,
                "no_reset_password": True,
            },
        )
        if "empathy.impression" not in env:
            log(f"empathic_crm is not installed in {args.database}")
            return 2
        params = env["ir.config_parameter"].sudo()
        if params.get_param(PARAM_GENERATED):
            log(
                f"{args.database} already holds benchmark data: {params.get_param(PARAM_GENERATED)}"
            )
            return 2
        log(
            f"generating into {args.database}: seed {args.seed}, end date {end_date}, "
            + ", ".join(f"{k} {v:,}" for k, v in sizes.items())
        )
        generator = Generator(env, sizes, args.seed, end_date, args.years)
        generator.run()
        ok = generator.verify(sample)
        if not ok:
            # no marker: run.py refuses the data, scripts/bench --full regenerates it
            cr.commit()
            return 1
        params.set_param(
            PARAM_GENERATED,
            json.dumps(
                {
                    "seed": args.seed,
                    "end_date": str(end_date),
                    "years": args.years,
                    "sizes": sizes,
                    "phases": generator.stats,
                    "verification": generator.verification,
                }
            ),
        )
        cr.commit()
    with Timer() as timer:
        from odoo.sql_db import db_connect  # noqa: PLC0415

        with contextlib.closing(db_connect(args.database).cursor()) as cr:
            cr._cnx.autocommit = True
            for table in (
                "res_partner",
                "empathy_impression",
                "empathy_rapport",
                "empathy_partner_stat",
                "empathy_profile",
                "empathy_profile_motive_rel",
                "empathy_profile_value_rel",
            ):
                cr.execute(f"VACUUM ANALYZE {table}")  # pylint: disable=sql-injection
    log(f"VACUUM ANALYZE in {timer.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
