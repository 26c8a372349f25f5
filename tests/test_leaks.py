# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Self-discovering leak test: no empathy value reaches an outsider, by any path.

The test finds every field guarded by an empathy group (``groups=`` of this module)
on every model of the registry, and every model whose access rights are for empathy
groups only (``empathy.profile``, impressions, ...), so that a field or model added
later is covered without editing it. For each outsider role it tries the read paths
of the ORM and compares the answers for two partners that differ only in their
empathy data: the answer must never depend on that data, nor contain it.

The same for a salesperson and a person who objects to profiling: the profile (the
rows the record rules of ``empathy_objection`` protect, and the contact's fields
showing them) reads, searches, groups and exports exactly as that of a contact
without any profile.
"""

import json
import random
import zlib

from odoo import Command
from odoo.exceptions import AccessError
from odoo.models import MAGIC_COLUMNS
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.empathic_crm.models.res_partner import PROFILE_FIELDS
from odoo.addons.empathic_crm.tools import compat
from odoo.addons.empathic_crm.tools.guarded_fields import is_guarded

from .common import EmpathyWorld
from .test_cross_sell import add_option

#: every guarded text of the secret partner contains it
SECRET = "Zebrafish"
#: a quotation's optional products: sale.order.option (18.0), sale.order.line (19.0)
OPTIONS = compat.optional_products()[0]
#: models the domains start from (issue #13, "Quality bar")
START_MODELS = (
    "res.partner",
    "res.users",
    "sale.order",
    OPTIONS,
    "crm.lead",
    "mail.activity",
    "mail.message",
)
MAX_DEPTH = 3
#: relational paths tried per start model beyond depth 1 (a fixed random sample)
PATHS_PER_MODEL = 20
#: paths of the issue, always tried
KNOWN_PATHS = {
    "res.partner": ["user_ids.partner_id"],
    "sale.order": ["partner_id.user_ids.partner_id"],
    "res.users": ["partner_id"],
    OPTIONS: ["order_id.partner_id"],
}
#: company-less data that Empathy users of every company read (taxonomy, campaigns)
SHARED_MODELS = ("utm.campaign", "empathy.motive", "empathy.value")
#: the groups whose members may hold empathy data
EMPATHY_GROUPS = ("empathic_crm.group_empathy_user", "empathic_crm.group_empathy_manager")


def grouping_attempts(Model, domain, groupby, aggregates):
    """Return {method: attempt} grouping ``Model`` on every path of the series' web
    client and API (``compat.web_grouping_calls``; ``web_read_group`` needs a groupby)."""
    return {
        method: (
            lambda method=method, args=args, kwargs=kwargs: getattr(Model, method)(*args, **kwargs)
        )
        for method, args, kwargs, _groups_of in compat.web_grouping_calls(
            domain, groupby, aggregates
        )
        if groupby or method != "web_read_group"
    }


def guarded_fields(env):
    """Return {model: [field, ...]} of every field guarded by an empathy group."""
    result = {}
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or not model._auto:
            continue
        names = sorted(name for name, field in model._fields.items() if is_guarded(field))
        if names:
            result[model_name] = [model._fields[name] for name in names]
    return result


def empathy_groups(env):
    """Return the groups whose members may hold empathy data: the addon's, and those of
    its bridges when installed (``group_empathy_*`` of a module ``empathic_crm*``, e.g.
    the marketers of the Email Marketing bridge, who read the kinds of customers)."""
    rows = env["ir.model.data"].search(
        [
            ("model", "=", "res.groups"),
            ("module", "=like", "empathic_crm%"),
            ("name", "=like", "group\\_empathy\\_%"),
        ]
    )
    return (
        env["res.groups"].browse(rows.mapped("res_id"))
        | env.ref(EMPATHY_GROUPS[0])
        | env.ref(EMPATHY_GROUPS[1])
    )


def protected_models(env):
    """Return the models whose access rights are for empathy groups only (sorted)."""
    groups = empathy_groups(env)
    access = env["ir.model.access"].search([("active", "=", True)])
    result = []
    for model_name in sorted(env.registry):
        model = env[model_name]
        if model._abstract or model._transient or not model._auto:
            continue
        rows = access.filtered(lambda row, model_name=model_name: row.model_id.model == model_name)
        if rows and all(row.group_id in groups for row in rows):
            result.append(model_name)
    return result


def objection_models(env):
    """Return the models with a record rule on the objection (``empathy_objection``)."""
    rules = env["ir.rule"].search([("domain_force", "like", "empathy_objection")])
    return sorted(set(rules.model_id.mapped("model")))


def searchable(field):
    """Return whether a domain can use ``field`` (non-stored computes without search cannot)."""
    while field.related and not field.store:
        field = field.related_field
    return field.store or bool(field.search)


@tagged("post_install", "-at_install", "empathic_crm")
class TestLeaks(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env(tracking_disable=False)
        env = cls.env
        cls._setup_companies("Leak Company B")
        cls._create_users(
            "leak",
            manager="Leak Manager",
            sales="Leak Sales",
            portal=None,
            internal=None,
            sales_b="Leak Sales B",
        )
        cls.roles = {
            "portal": cls.portal,
            "public": env.ref("base.public_user"),
            "internal": cls.internal,
            "sales_b": cls.sales_b,
        }
        cls.motive = env["empathy.motive"].create({"name": f"{SECRET} motive"})
        cls.value = env["empathy.value"].create({"name": f"{SECRET} value"})
        cls.product_shirt = env["product.product"].create({"name": "Leak shirt", "list_price": 9})
        cls.product_guide = env["product.product"].create({"name": "Leak guide", "list_price": 5})
        cls.rule = env["empathy.cross.sell.rule"].create(
            {
                "name": "Leak rule",
                "company_id": cls.company.id,
                "motive_ids": [Command.set(cls.motive.ids)],
                "suggested_product_ids": [Command.set(cls.product_guide.ids)],
                "reason": f"{SECRET} reason",
            }
        )
        cls.campaign = env["utm.campaign"].create(
            {"name": "Leak campaign", "empathy_motive_ids": [Command.set(cls.motive.ids)]}
        )
        cls.campaign_twin = env["utm.campaign"].create({"name": "Leak campaign twin"})
        # internal users of company A whose partners differ only in empathy data: the
        # secret and its twin (a profile without secrets), a person who objects to
        # profiling (the secret's profile) and a blank contact (no profile at all)
        cls.user_secret, cls.user_twin, cls.user_objector, cls.user_blank = (
            new_test_user(env, login=login, groups="base.group_user", company_id=cls.company.id)
            for login in ("leak_secret", "leak_twin", "leak_objector", "leak_blank")
        )
        cls.secret, cls.twin = cls.user_secret.partner_id, cls.user_twin.partner_id
        cls.objector, cls.blank = cls.user_objector.partner_id, cls.user_blank.partner_id
        (cls.secret | cls.twin | cls.objector | cls.blank).write(
            {"company_id": cls.company.id, "email": "x@example.com"}
        )
        profile = {
            "empathy_motive_ids": [Command.set(cls.motive.ids)],
            "empathy_value_ids": [Command.set(cls.value.ids)],
            "empathy_why": f"{SECRET} why",
            "empathy_personal_notes": f"{SECRET} notes",
            "empathy_communication_style": "emotional",
            "empathy_temperament": "demanding",
            "empathy_preferred_channel": "video",
        }
        (cls.secret | cls.objector).write(profile)
        cls.twin.write({"empathy_temperament": "easy"})
        twin_motive = env["empathy.motive"].create({"name": "Twin motive"})
        for partner, note, motive in (
            (cls.secret, f"{SECRET} impression", cls.motive),
            (cls.objector, f"{SECRET} impression", cls.motive),
            (cls.twin, "Twin impression", twin_motive),
        ):
            env["empathy.impression"].with_user(cls.sales).create(
                {
                    "partner_id": partner.id,
                    "rapport": 5 if partner != cls.twin else 2,
                    "mood": 2,
                    "note": note,
                    "motive_ids": [Command.set(motive.ids)],
                }
            )
        cls.objector.empathy_objection = True
        cls.records = {}
        for partner, user in (
            (cls.secret, cls.user_secret),
            (cls.twin, cls.user_twin),
            (cls.objector, cls.user_objector),
            (cls.blank, cls.user_blank),
        ):
            order = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "order_line": [Command.create({"product_id": cls.product_shirt.id})],
                }
            )
            option_vals = {"name": "Leak option", "price_unit": 5}
            if partner == cls.secret:
                option_vals.update(empathy_rule_id=cls.rule.id, empathy_reason=f"{SECRET} reason")
            option = add_option(order, cls.product_guide)
            option.write(option_vals)
            lead = env["crm.lead"].create(
                {"name": "Leak lead", "partner_id": partner.id, "company_id": cls.company.id}
            )
            activity = partner.activity_schedule(
                "mail.mail_activity_data_todo", user_id=user.id, summary="Leak to-do"
            )
            message = partner.message_post(
                body="Leak hello", author_id=partner.id, message_type="comment"
            )
            cls.records[partner] = {
                "res.partner": partner,
                "res.users": user,
                "sale.order": order,
                OPTIONS: option,
                "crm.lead": lead,
                "mail.activity": activity,
                "mail.message": message,
                "utm.campaign": cls.campaign if partner == cls.secret else cls.campaign_twin,
                "product.product": cls.product_guide
                if partner == cls.secret
                else cls.product_shirt,
                "product.template": (
                    cls.product_guide if partner == cls.secret else cls.product_shirt
                ).product_tmpl_id,
            }
        cls.fields = guarded_fields(env)
        # the models of data about a contact that only empathy groups may access:
        # every field of theirs (the record's rows as its records, where it has some)
        for model_name in protected_models(env):
            Model = env[model_name]
            field = Model._fields.get("partner_id")
            if field is None or field.comodel_name != "res.partner":
                continue
            cls.fields[model_name] = [
                field
                for name, field in sorted(Model._fields.items())
                if name != "id" and name not in MAGIC_COLUMNS
            ]
            for partner, records in cls.records.items():
                row = Model.with_context(active_test=False).search(
                    [("partner_id", "=", partner.id)], limit=1
                )
                if row:
                    records[model_name] = row
        env.flush_all()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _answer(self, func):
        """Return what an attempt answers: its result, or the kind of error."""
        try:
            with self.env.cr.savepoint():
                result = func()
        except AccessError:
            return "AccessError"
        except Exception as error:  # any refusal is an answer
            return type(error).__name__
        finally:
            self.env.invalidate_all()
        return result

    def _assert_no_secret(self, answer, what):
        text = json.dumps(answer, default=str)
        self.assertNotIn(SECRET, text, f"{what} leaks: {text[:300]}")

    def _value(self, field):
        """Return a domain (operator, value) matching the secret partner's field."""
        if field.type in ("many2many", "many2one", "one2many"):
            if field.comodel_name == "empathy.motive":
                return "in", self.motive.ids
            if field.comodel_name == "empathy.value":
                return "in", self.value.ids
            if field.comodel_name == "empathy.cross.sell.rule":
                return "in", self.rule.ids
            return "!=", False
        if field.type in ("char", "text", "html"):
            return "ilike", SECRET
        if field.type == "selection":
            return "!=", False
        if field.type == "boolean":
            return "=", True
        if field.type in ("integer", "float", "monetary"):
            return ">", 0
        return "!=", False

    @classmethod
    def _reach(cls):
        """Return {model: hops to a model with guarded fields} (at most MAX_DEPTH - 1)."""
        if getattr(cls, "_reach_cache", None) is None:
            env = cls.env
            reach = dict.fromkeys(cls.fields, 0)
            for depth in range(1, MAX_DEPTH):
                for model_name in env.registry:
                    if model_name not in reach and any(
                        field.relational
                        and (field.store or field.search)
                        and reach.get(field.comodel_name) == depth - 1
                        for field in env[model_name]._fields.values()
                    ):
                        reach[model_name] = depth
            cls._reach_cache = reach
        return cls._reach_cache

    def _paths(self, start):
        """Return relational paths (lists of fields) from ``start`` to a guarded model.

        Every path of one hop, the known paths of the issue, and a fixed random sample
        of longer ones (up to MAX_DEPTH hops).
        """
        env, reach = self.env, self._reach()
        rng = random.Random(f"{start}-13")

        def hops(model, left):
            return [
                field
                for field in model._fields.values()
                if field.relational
                and (field.store or field.search)
                and reach.get(field.comodel_name, MAX_DEPTH) <= left - 1
            ]

        paths = [[f] for f in hops(env[start], 1)]
        for known in KNOWN_PATHS.get(start, ()):
            model, path = env[start], []
            for name in known.split("."):
                path.append(model._fields[name])
                model = env[path[-1].comodel_name]
            paths.append(path)
        seen = {tuple(f.name for f in path) for path in paths}
        sampled = 0
        for _attempt in range(PATHS_PER_MODEL * 5):
            if sampled >= PATHS_PER_MODEL:
                break
            depth = rng.choice(range(2, MAX_DEPTH + 1))
            model, path = env[start], []
            for left in range(depth, 0, -1):
                choices = hops(model, left) if left > 1 else hops(model, 1)
                if not choices:
                    break
                field = rng.choice(sorted(choices, key=lambda f: f.name))
                path.append(field)
                model = env[field.comodel_name]
            key = tuple(f.name for f in path)
            if path and model._name in self.fields and key not in seen:
                seen.add(key)
                paths.append(path)
                sampled += 1
        return paths

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_discovers_guarded_fields(self):
        """The enumeration finds the fields it is meant to cover (else it proves nothing)."""
        for model, name in (
            ("res.partner", "empathy_motive_ids"),
            ("res.partner", "empathy_why"),
            ("res.partner", "empathy_best_advisor_id"),
            ("res.users", "empathy_motive_ids"),
            ("sale.order", "empathy_briefing"),
            (OPTIONS, "empathy_reason"),
            ("crm.lead", "empathy_suggested_user_id"),
            ("crm.lead", "empathy_suggested_reason"),
            ("product.template", "empathy_cross_sell_rule_ids"),
            ("utm.campaign", "empathy_motive_ids"),
            ("res.partner", "empathy_profile_ids"),
            ("empathy.profile", "why"),
            ("empathy.profile", "motive_ids"),
            ("empathy.impression", "note"),
            ("empathy.motive.evidence", "motive_id"),
        ):
            self.assertIn(name, [field.name for field in self.fields.get(model, [])], model)

    def test_direct_reads(self):
        """fields_get, read, search_read, web_read, export_data, read_group, order."""
        for role, user in self.roles.items():
            for model_name, fields in self.fields.items():
                if role == "sales_b" and model_name in SHARED_MODELS:
                    continue
                pair = [self.records[p].get(model_name) for p in (self.secret, self.twin)]
                if pair[0] is None:
                    pair = [self.env[model_name].search([], limit=1)] * 2
                elif pair[1] is None:  # rows of the secret only: no secret in the answers
                    pair = [pair[0]] * 2
                for field in fields:
                    with self.subTest(role=role, model=model_name, field=field.name):
                        self._check_direct(role, user, field, pair)

    def _check_direct(self, role, user, field, pair):
        name = field.name
        Model = self.env[field.model_name].with_user(user)
        outsider = role != "sales_b"
        guarded = is_guarded(field)  # else protected by its model's access rights
        if outsider and guarded:
            described = self._answer(lambda: Model.fields_get([name]))
            self.assertFalse(isinstance(described, dict) and name in described)
        answers = []
        for record in pair:
            rec = record.with_user(user)
            attempts = {
                "read": lambda rec=rec: rec.read([name]),
                "search_read": lambda rec=rec: Model.search_read([("id", "=", rec.id)], [name]),
                "web_read": lambda rec=rec: rec.web_read({name: {}}),
                "export_data": lambda rec=rec: rec.export_data([name]),
            }
            if field.store or field.type == "many2many":
                # grouped by it, on every grouping path of the series' web client
                attempts.update(
                    grouping_attempts(Model, [("id", "=", rec.id)], [name], ["__count"])
                )
            if field.store and field.column_type:
                aggregate = "sum" if field.type in ("integer", "float", "monetary") else "max"
                if field.type in ("many2one", "selection", "char", "text", "html", "boolean"):
                    aggregate = "count_distinct"
                # aggregated (one group)
                attempts.update(
                    {
                        f"aggregate {label}": attempt
                        for label, attempt in grouping_attempts(
                            Model, [("id", "=", rec.id)], [], [f"{name}:{aggregate}"]
                        ).items()
                    }
                )
                attempts["order"] = lambda: (
                    Model.search([("id", "in", [p.id for p in pair])], order=f"{name} desc").ids
                )
            for label, attempt in attempts.items():
                answer = self._answer(attempt)
                self._assert_no_secret(answer, label)
                if outsider and guarded and not isinstance(answer, str):
                    # allowed only when the value is absent from the answer
                    self.assertNotIn(f"'{name}'", repr(answer), f"{label} returns {name}")
                answers.append((label, answer if isinstance(answer, str) else None))
        if outsider:
            half = len(answers) // 2
            self.assertEqual(answers[:half], answers[half:], "answers depend on empathy data")

    def test_domains(self):
        """Domains on guarded fields, directly and through relational paths, any/not any."""
        for role, user in self.roles.items():
            for start in START_MODELS:
                for path in self._paths(start):
                    fields = [f for f in self.fields[path[-1].comodel_name] if searchable(f)]
                    # every field on the known paths, one per other path (rotating)
                    known = ".".join(f.name for f in path) in KNOWN_PATHS.get(start, ())
                    if not known and fields:
                        key = ".".join(f.name for f in path).encode()
                        fields = [fields[zlib.crc32(key) % len(fields)]]
                    for field in fields:
                        self._check_domain(role, user, start, path, field)
            for model_name, fields in self.fields.items():
                if model_name not in self.records[self.secret]:
                    continue
                if model_name not in self.records[self.twin]:
                    continue
                if role == "sales_b" and model_name in SHARED_MODELS:
                    continue
                for field in fields:
                    if searchable(field):
                        self._check_domain(role, user, model_name, [], field)

    def _check_domain(self, role, user, start, path, field, pair=None):
        pair = pair or (self.secret, self.twin)
        prefix = ".".join(f.name for f in path)
        operator, value = self._value(field)
        full = f"{prefix}.{field.name}" if prefix else field.name
        leaves = [(full, operator, value)]
        if prefix:
            leaves += [
                (prefix, "any", [(field.name, operator, value)]),
                (prefix, "not any", [(field.name, operator, value)]),
            ]
        Model = self.env[start].with_user(user)
        for leaf in leaves:
            answers = [
                self._answer(
                    lambda p=p, leaf=leaf: Model.search_count(
                        [("id", "=", self.records[p][start].id), leaf]
                    )
                )
                for p in pair
            ]
            with self.subTest(role=role, model=start, leaf=str(leaf)):
                self.assertEqual(answers[0], answers[1], "the answer depends on empathy data")

    # ------------------------------------------------------------------
    # a person who objects to profiling, for a salesperson of the company
    # ------------------------------------------------------------------
    def _objection_fields(self):
        """Return {model: [field]}: the profile as a salesperson could reach it."""
        env = self.env
        result = {
            model_name: [env[model_name]._fields[name] for name in PROFILE_FIELDS]
            for model_name in ("res.partner", "res.users")
        }
        for model_name in objection_models(env):
            result[model_name] = self.fields[model_name]
        return result

    @staticmethod
    def _without_ids(answer):
        """Return ``answer`` without the records' own ids (they differ by nature)."""
        if isinstance(answer, dict):
            return {k: TestLeaks._without_ids(v) for k, v in answer.items() if k != "id"}
        if isinstance(answer, (list, tuple)):
            return [TestLeaks._without_ids(item) for item in answer]
        return answer

    def _objection_attempts(self, model_name, name, partner):
        """Return {label: attempt} reading ``name`` of what is about ``partner``."""
        Model = self.env[model_name].with_user(self.sales)
        if model_name not in ("res.partner", "res.users"):
            # the rows about the contact (profile, impressions, evidence)
            domain = [("partner_id", "=", partner.id)]
            return {
                "search_read": lambda: Model.search_read(domain, [name]),
                "export_data": lambda: Model.search(domain).export_data([name]),
                **grouping_attempts(Model, domain, [name], ["__count"]),
                "order": lambda: Model.search(domain, order=f"{name} desc").ids,
            }
        rec = self.records[partner][model_name].with_user(self.sales)  # the contact, its user
        return {
            "read": lambda: rec.read([name]),
            "search_read": lambda: Model.search_read([("id", "=", rec.id)], [name]),
            "web_read": lambda: rec.web_read({name: {}}),
            "export_data": lambda: rec.export_data([name]),
            **grouping_attempts(Model, [("id", "=", rec.id)], [name], ["__count"]),
            "order": lambda: bool(Model.search([("id", "=", rec.id)], order=f"{name} desc")),
        }

    def test_objection_direct_reads(self):
        """read, search_read, web_read, export, group by, order: as a blank contact."""
        for model_name, fields in self._objection_fields().items():
            for field in fields:
                answers = []
                for partner in (self.objector, self.blank):
                    attempts = self._objection_attempts(model_name, field.name, partner)
                    for label, attempt in attempts.items():
                        answer = self._answer(attempt)
                        with self.subTest(model=model_name, field=field.name, attempt=label):
                            self._assert_no_secret(answer, label)
                        answers.append((label, self._without_ids(answer)))
                with self.subTest(model=model_name, field=field.name):
                    half = len(answers) // 2
                    self.assertEqual(
                        answers[:half], answers[half:], "answers depend on the profile"
                    )
        # the rows themselves, by id: refused
        for model_name in objection_models(self.env):
            rows = self.env[model_name].search([("partner_id", "=", self.objector.id)])
            self.assertTrue(rows, model_name)
            with self.subTest(model=model_name), self.assertRaises(AccessError):
                rows.with_user(self.sales).read(["partner_id"])

    def test_objection_domains(self):
        """Domains, directly and through paths, any/not any: as a blank contact."""
        fields_of = self._objection_fields()
        pair = (self.objector, self.blank)
        for start in START_MODELS:
            for path in self._paths(start):
                if any(is_guarded(f) for f in path) or any(
                    f.model_name in self.fields for f in path[1:]
                ):
                    continue  # through other empathy data (rapport rows, best advisor...)
                fields = [f for f in fields_of.get(path[-1].comodel_name, ()) if searchable(f)]
                # every field on the known paths, one per other path (rotating)
                if fields and ".".join(f.name for f in path) not in KNOWN_PATHS.get(start, ()):
                    key = ".".join(f.name for f in path).encode()
                    fields = [fields[zlib.crc32(key) % len(fields)]]
                for field in fields:
                    self._check_domain("sales", self.sales, start, path, field, pair)
        for model_name in ("res.partner", "res.users"):
            for field in fields_of[model_name]:
                self._check_domain("sales", self.sales, model_name, [], field, pair)
        # searching the rows about the contact
        for model_name in objection_models(self.env):
            Model = self.env[model_name].with_user(self.sales)
            for field in fields_of[model_name]:
                if not searchable(field):
                    continue
                leaf = (field.name, *self._value(field))
                counts = [
                    self._answer(
                        lambda p=p, leaf=leaf, Model=Model: Model.search_count(
                            [("partner_id", "=", p.id), leaf]
                        )
                    )
                    for p in pair
                ]
                with self.subTest(model=model_name, field=field.name):
                    self.assertEqual(counts[0], counts[1], "the answer depends on the profile")

    def test_chatter_and_tracking(self):
        """Readable messages and tracking values hold no empathy value."""
        secret = self.secret.with_user(self.manager)
        # a call scheduled for a silent customer, completed by automation
        secret.action_empathy_schedule_call()
        self.secret.activity_ids.filtered(lambda a: a.summary != "Leak to-do").action_feedback(
            feedback="done"
        )
        # objection set and lifted: logged (a user's partner: written as superuser)
        self.secret.empathy_objection = True
        self.secret.empathy_objection = False
        # an impression edited a day later: tracked in its own chatter
        impression = self.secret.sudo().empathy_impression_ids
        self.env.cr.execute(
            "UPDATE empathy_impression SET create_date = now() - interval '2 days' WHERE id = %s",
            [impression.id],
        )
        impression.invalidate_recordset(["create_date"])
        impression.write({"note": f"{SECRET} impression edited"})
        self.env.flush_all()
        for role, user in self.roles.items():
            with self.subTest(role=role):
                Message = self.env["mail.message"].with_user(user)
                messages = self._answer(
                    lambda Message=Message: Message.search_read(
                        [("model", "in", ["res.partner", "empathy.impression"])],
                        ["body", "subject", "preview", "tracking_value_ids"],
                    )
                )
                self._assert_no_secret(messages, "mail.message.search_read")
                found = self._answer(lambda Message=Message: Message.search([]))
                if not isinstance(found, str):
                    self._assert_no_secret(
                        self._answer(lambda found=found: compat.thread_messages_store(found)),
                        "messages as the web client gets them",
                    )
                tracking = self._answer(
                    lambda user=user: (
                        self.env["mail.tracking.value"].with_user(user).search_read([], [])
                    )
                )
                self._assert_no_secret(tracking, "mail.tracking.value")
                activities = self._answer(
                    lambda user=user: (
                        self.env["mail.activity"]
                        .with_user(user)
                        .search_read([("res_model", "=", "res.partner")], ["note", "summary"])
                    )
                )
                self._assert_no_secret(activities, "mail.activity")
