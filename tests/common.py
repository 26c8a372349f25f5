# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The shared world of the tests: users per role, a second company, the Hawaii story.

Test files hold only what they test: they take their users, companies and story from
the builders of ``EmpathyWorld`` (or from a base class built with them) and add the
records their own tests are about.
"""

import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user

from odoo.addons.empathic_crm.tools import gate as empathy_gate
from odoo.addons.mail.tests.common import mail_new_test_user

SALESMAN = "sales_team.group_sale_salesman"
SALES_MANAGER = "sales_team.group_sale_manager"
#: role: (groups, works in company B only); the login of a role is ``<prefix>_<role>``
ROLES = {
    "sales": (SALESMAN, False),
    "sales2": (SALESMAN, False),
    "manager": (SALES_MANAGER, False),
    "editor": (f"{SALESMAN},base.group_partner_manager", False),
    "sales_b": (SALESMAN, True),
    "sales_b2": (SALESMAN, True),
    "internal": ("base.group_user", False),
    "portal": ("base.group_portal", False),
}
#: the reason of the Hawaii rule: swim shorts and a guide for the marathon runner
HAWAII_REASON = "His marathon is in Hawaii: swim shorts for the beach after the race."


class ActivityAsserts:
    """Completion asserted by the activity's state, not by its deletion.

    Core deletes a done activity unless its type keeps done activities (archived, state
    ``done``); OCA ``mail_activity_done`` makes every type keep them.
    """

    def assertActivityDone(self, activities, msg=None):
        kept = activities.exists().with_context(active_test=False)
        self.assertEqual(set(kept.mapped("state")) - {"done"}, set(), msg)
        self.assertFalse(kept.filtered("active"), msg)

    def assertActivityOpen(self, activities, msg=None):
        self.assertEqual(len(activities.exists()), len(activities), msg)
        self.assertTrue(all(activities.mapped("active")), msg)
        self.assertNotIn("done", activities.mapped("state"), msg)


class EmpathyWorld:
    """Classmethod builders of the shared world, for TransactionCase and HttpCase alike."""

    @classmethod
    def _setup_env(cls, tracking_disable=True):
        """Users without password reset mails; tracking off unless the test is about it."""
        context = dict(cls.env.context, no_reset_password=True)
        if tracking_disable:
            context["tracking_disable"] = True
        cls.env = cls.env(context=context)

    @classmethod
    def _setup_companies(cls, company_b_name):
        """``cls.company`` (the current one) and ``cls.company_b``, named per class."""
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": company_b_name})

    @classmethod
    def _create_users(cls, prefix, attr="{}", groups="", **names):
        """Create a user per role of ``names`` ({role: name}), in their order.

        Each is set as the class attribute ``attr.format(role)`` (and returned in a
        dict): login ``<prefix>_<role>`` (unique per class), groups and company by
        ``ROLES``, ``groups`` added to those of the sales roles. A role with a name
        is a mail user (``mail_new_test_user``), one without (``None``) a plain
        ``new_test_user``. Roles of company B need ``cls.company_b``.
        """
        users = {}
        for role, name in names.items():
            role_groups, of_company_b = ROLES[role]
            if groups and role_groups.startswith("sales_team."):
                role_groups = f"{role_groups},{groups}"
            values = {}
            if of_company_b:
                values = {
                    "company_id": cls.company_b.id,
                    "company_ids": [Command.set(cls.company_b.ids)],
                }
            login = f"{prefix}_{role}"
            if name is None:
                user = new_test_user(cls.env, login=login, groups=role_groups, **values)
            else:
                user = mail_new_test_user(
                    cls.env, login=login, name=name, groups=role_groups, **values
                )
            users[role] = user
            setattr(cls, attr.format(role), user)
        return users

    # the Hawaii story ---------------------------------------------------------
    @classmethod
    def _create_hawaii_runner(cls, **values):
        """Jonas Keller, who runs a marathon in Hawaii (``values`` add or override)."""
        motives = cls.env.ref("empathic_crm.motive_marathon") | cls.env.ref(
            "empathic_crm.motive_hawaii_trip"
        )
        return cls.env["res.partner"].create(
            {"name": "Jonas Keller", "empathy_motive_ids": [Command.set(motives.ids)], **values}
        )

    @classmethod
    def _create_product(cls, name, price, categ=None, **values):
        """A goods product at ``price``, in ``categ`` if given."""
        values = {"name": name, "list_price": price, "type": "consu", **values}
        if categ:
            values["categ_id"] = categ.id
        return cls.env["product.product"].create(values)

    @classmethod
    def _create_hawaii_rule(cls, name, trigger_categs, products, **values):
        """The rule of the story: marathon and Hawaii (both), running gear in the order,
        ``products`` suggested for the beach after the race."""
        motives = cls.env.ref("empathic_crm.motive_marathon") | cls.env.ref(
            "empathic_crm.motive_hawaii_trip"
        )
        return cls.env["empathy.cross.sell.rule"].create(
            {
                "name": name,
                **values,
                "motive_ids": [Command.set(motives.ids)],
                "motive_match": "all",
                "trigger_categ_ids": [Command.set(trigger_categs.ids)],
                "suggested_product_ids": [Command.set(products.ids)],
                "reason": HAWAII_REASON,
            }
        )

    # shared helpers -----------------------------------------------------------
    def _count_queries(self, func):
        """Return the queries of ``func()`` from cold caches, flush included."""
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        func()
        self.env.flush_all()
        self.env.cr.flush()
        return self.cr.sql_log_count - before


class EmpathyCommon(EmpathyWorld, ActivityAsserts, TransactionCase):
    """Users per role and the marathon/Hawaii story, shared by the test classes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._setup_companies("Empathy Company B")
        cls._create_users(
            "emp",
            "user_{}",
            sales="Sally Sales",
            sales2="Sam Second",
            manager="Mia Manager",
            sales_b="Bob B",
            internal=None,
            portal=None,
        )
        cls.user_public = cls.env.ref("base.public_user")

        cls.motive_marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.motive_hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        cls.motive_gift = cls.env.ref("empathic_crm.motive_gift")
        cls.value_sustainability = cls.env.ref("empathic_crm.value_sustainability")
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")
        cls.meeting_type = cls.env.ref("mail.mail_activity_data_meeting")
        cls.email_type = cls.env.ref("mail.mail_activity_data_email")
        cls.todo_type = cls.env.ref("mail.mail_activity_data_todo")

        cls.runner = cls._create_hawaii_runner(
            email="jonas@example.com",
            empathy_value_ids=[Command.set(cls.value_sustainability.ids)],
            empathy_communication_style="emotional",
            empathy_temperament="easy",
            empathy_preferred_channel="phone",
            empathy_why="Runs the Honolulu Marathon in December.",
            empathy_personal_notes="Favourite book: Born to Run.",
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Petra Schmidt", "empathy_communication_style": "factual"}
        )
        cls.plain = cls.env["res.partner"].create({"name": "Plain Customer"})

    # helpers ----------------------------------------------------------------
    @classmethod
    def _impression(cls, partner, user=None, days_ago=0, rapport=4, mood=1, **kw):
        vals = {
            "partner_id": partner.id,
            "user_id": (user or cls.user_sales).id,
            "date": datetime(2026, 6, 1, 12, 0) - timedelta(days=days_ago),
            "rapport": rapport,
            "mood": mood,
        }
        vals.update(kw)
        return cls.env["empathy.impression"].create(vals)

    def _activity(self, record, activity_type=None, user=None, **kw):
        return (
            record.with_user(user or self.user_sales)
            .activity_schedule(
                activity_type_id=(activity_type or self.call_type).id,
                user_id=(user or self.user_sales).id,
                summary=kw.pop("summary", "Call about the Hawaii trip"),
                **kw,
            )
            .with_user(user or self.user_sales)
        )

    def _open_dialog(self, activities, user=None, **values):
        """Mark ``activities`` done in the web client; return the impression dialog record."""
        with self.web_request():
            action = activities.action_feedback()
        return (
            self.env["empathy.impression.wizard"]
            .with_user(user or self.user_sales)
            .with_context(**action["context"])
            .create(values)
        )

    def _dialog_form(self, action, user=None):
        """The impression dialog that ``action`` (of Mark Done) opens, as a form."""
        return Form(
            self.env["empathy.impression.wizard"]
            .with_user(user or self.user_sales)
            .with_context(**action["context"])
        )

    @contextmanager
    def web_request(self, path="/web/dataset/call_kw/mail.activity/action_feedback"):
        """Serve the block as if inside an HTTP request to ``path``.

        The gate decides between web client, external API and automation by the
        request being served; tests outside HttpCase have none.
        """
        with patch.object(empathy_gate, "serving_request", lambda: path):
            yield


class EmpathyHttpCommon(EmpathyWorld, ActivityAsserts, HttpCase):
    """Real HTTP: JSON-RPC calls as the web client and API clients make them."""

    def _json_rpc(self, path, params):
        """POST a JSON-RPC ``call`` of ``params`` to ``path``; return the JSON answer."""
        response = self.url_open(
            path,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        return response.json()


class EmpathyTourCommon(EmpathyHttpCommon):
    """Browser tours as the admin; ``cls.partner`` is the contact the tours open."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.call_type = cls.env.ref("mail.mail_activity_data_call")

    def _schedule_call(self, record=None):
        return (record or self.partner).activity_schedule(
            "mail.mail_activity_data_call",
            summary="Discuss the Hawaii trip",
            user_id=self.admin.id,
        )

    def _contact_tour(self, tour):
        self.start_tour(f"/odoo/contacts/{self.partner.id}", tour, login="admin")


class EmpathyStoryTourCommon(EmpathyTourCommon):
    """Jonas, his opportunity "Hawaii kit" and two advisors: Ben clicks best with him
    (fair rapport), the admin is his salesperson and the mood declines over the admin's
    last contacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ben = new_test_user(
            cls.env, login="emp_ben_best", name="Ben Best", groups="sales_team.group_sale_salesman"
        )
        cls.partner = cls._create_hawaii_runner(
            email="jonas.keller@example.com",
            user_id=cls.admin.id,
            empathy_communication_style="emotional",
            empathy_temperament="easy",
            empathy_personal_notes="Favourite book: Born to Run.",
        )
        now = datetime.now().replace(microsecond=0)
        # Ben clicks best; the mood declines over the last contacts (Admin's)
        rows = [(cls.ben, 5, 2, 60), (cls.ben, 5, 2, 50), (cls.ben, 5, 2, 40)]
        rows += [(cls.admin, 4, -1, 3), (cls.admin, 4, -1, 2), (cls.admin, 4, -1, 1)]
        cls.env["empathy.impression"].create(
            [
                {
                    "partner_id": cls.partner.id,
                    "user_id": user.id,
                    "rapport": rapport,
                    "mood": mood,
                    "date": now - timedelta(days=days),
                    "note": "Talked about Kona",
                }
                for user, rapport, mood, days in rows
            ]
        )
        # fair rapport compares each advisor with their own average: the admin clicks
        # with other customers, Ben less, so that Ben clicks best with Jonas
        others = cls.env["res.partner"].create([{"name": "Other %s" % i} for i in range(3)])
        cls.env["empathy.impression"].create(
            [
                {
                    "partner_id": other.id,
                    "user_id": user.id,
                    "rapport": rapport,
                    "mood": 0,
                    "date": now - timedelta(days=70),
                }
                for other in others
                for user, rapport in ((cls.admin, 5), (cls.ben, 3))
            ]
        )
        cls.env["empathy.rapport"]._empathy_refresh_scales()
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Hawaii kit",
                "type": "opportunity",
                "partner_id": cls.partner.id,
                "user_id": cls.admin.id,
            }
        )
