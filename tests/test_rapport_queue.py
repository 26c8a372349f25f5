# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The rapport queue: a customer's changes in their order, failures kept and shown.

``TestQueueOrder`` drives two appliers with two real database connections (committed
data, removed afterwards), deterministically: applier A holds a customer while a later
change of the same customer is committed; applier B must wait for A (it would apply
the later change first otherwise: a removal before its addition leaves a ghost row,
an edit its old values).
"""

from contextlib import closing, contextmanager
from unittest.mock import patch

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from odoo.addons.empathic_crm.models import empathy_rapport_deferred

from .common import EmpathyCommon

#: how long a test's applier waits for a lock before it is said to wait (ms)
WAITS_MS = 300


@tagged("post_install", "-at_install", "empathic_crm")
class TestQueueOrder(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = cls.env.cr.dbname
        cls.admin = cls.env.ref("base.user_admin")

    @contextmanager
    def _env(self, lock_timeout_ms=10000):
        """An environment on a connection of its own, read committed as the appliers,
        committed when the block ends."""
        with closing(sql_db.db_connect(self.dbname).cursor()) as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cr.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            # a real concurrent transaction: other connections see only committed data
            cr.commit()  # pylint: disable=invalid-commit

    @contextmanager
    def _request(self):
        """Impression changes as in a request: only queued (the applier runs later)."""
        Rapport = type(self.env["empathy.rapport"])
        with (
            patch.object(Rapport, "_empathy_defer", lambda rapport: True),
            patch.object(Rapport, "_empathy_apply_after_commit", lambda rapport, ids: None),
            self._env() as env,
        ):
            yield env

    def _customer(self):
        with self._env() as env:
            partner_id = env["res.partner"].create({"name": "Queue Order Customer"}).id
        self.addCleanup(self._remove, partner_id)
        return partner_id

    def _remove(self, partner_id):
        with self._env() as env:
            env["empathy.impression"].search([("partner_id", "=", partner_id)]).unlink()
            env["empathy.rapport"]._empathy_process_queue(partner_ids=[partner_id])
            env["res.partner"].browse(partner_id).unlink()
            # the advisor's statistics left without customers: deleted, as the rebuild does
            env["empathy.kind.rapport"]._empathy_refresh_effects(
                [(self.admin.id, self.admin.company_id.id)]
            )

    def _state(self, partner_id):
        """Return the customer's rapport rows ((advisor, impressions, score)) and the
        number of its queued changes, as committed."""
        with self._env() as env:
            env.cr.execute(
                "SELECT user_id, impression_count, round(score::numeric, 6)"
                " FROM empathy_rapport WHERE partner_id = %s",
                [partner_id],
            )
            rows = env.cr.fetchall()
            env.cr.execute(
                "SELECT count(*) FROM empathy_rapport_queue WHERE partner_id = %s", [partner_id]
            )
            return rows, env.cr.fetchone()[0]

    def _race(self, partner_id, later_change):
        """Applier A takes the customer's queued changes and holds them; ``later_change``
        (a request) is committed meanwhile; applier B waits for A; then B applies."""
        with self._env() as env_a:
            Queue = env_a["empathy.rapport.queue"]
            taken, customers = Queue._empathy_take(10, partner_ids=[partner_id])
            self.assertEqual(customers, [partner_id])
            env_a["empathy.rapport"]._empathy_apply_now(taken)
            with self._request() as env:
                later_change(env)
            with (
                self.assertRaises(errors.LockNotAvailable, msg="B waits for the customer"),
                self._env(lock_timeout_ms=WAITS_MS) as env_b,
            ):
                env_b["empathy.rapport"]._empathy_process_queue(partner_ids=[partner_id])
        # A committed: B applies the later change now
        with self._env() as env_b:
            env_b["empathy.rapport"]._empathy_process_queue(partner_ids=[partner_id])

    def test_remove_then_add_leaves_no_ghost_row(self):
        partner_id = self._customer()
        with self._request() as env:
            impression_id = (
                env["empathy.impression"]
                .create(
                    {"partner_id": partner_id, "user_id": self.admin.id, "rapport": 4, "mood": 1}
                )
                .id
            )
        self.assertEqual(self._state(partner_id), ([], 1), "queued, not applied yet")
        self._race(partner_id, lambda env: env["empathy.impression"].browse(impression_id).unlink())
        self.assertEqual(self._state(partner_id), ([], 0), "no ghost rapport row")

    def test_edit_leaves_the_new_values(self):
        partner_id = self._customer()
        with self._request() as env:
            impression_id = (
                env["empathy.impression"]
                .create(
                    {"partner_id": partner_id, "user_id": self.admin.id, "rapport": 2, "mood": 0}
                )
                .id
            )
        self._race(
            partner_id,
            lambda env: env["empathy.impression"].browse(impression_id).write({"rapport": 5}),
        )
        self.assertEqual(self._state(partner_id), ([(self.admin.id, 1, 5)], 0))


@tagged("post_install", "-at_install", "empathic_crm")
class TestQueueFailures(EmpathyCommon):
    """Changes that fail stay queued with their error and attempts, are retried, and
    are listed for empathy managers."""

    def _queue(self, *partners):
        Queue = self.env["empathy.rapport.queue"]
        Queue._empathy_enqueue(
            [
                (
                    1,
                    {
                        "partner_id": partner.id,
                        "user_id": self.user_sales.id,
                        "company_id": self.company.id,
                        "date": "2026-06-01 12:00:00",
                        "rapport": 4,
                        "mood": 1,
                    },
                )
                for partner in partners
            ]
        )
        return Queue

    def test_failing_customer_kept_with_error_and_retried(self):
        Queue = self._queue(self.runner, self.buyer)
        Rapport = type(self.env["empathy.rapport"])
        apply_now = Rapport._empathy_apply_now
        runner = self.runner.id

        def fail_for_the_runner(rapport, changes):
            if any(snap["partner_id"] == runner for _sign, snap in changes):
                raise ValueError("the runner's rapport is broken")
            return apply_now(rapport, changes)

        with patch.object(Rapport, "_empathy_apply_now", fail_for_the_runner):
            self.env["empathy.rapport"]._cron_empathy_process_queue()
        failed = Queue.search([])
        self.assertEqual(failed.partner_id, self.runner, "the other customer is applied")
        self.assertEqual(self.buyer.empathy_best_advisor_id, self.user_sales)
        self.assertEqual(failed.attempts, 1)
        self.assertEqual(failed.error, "ValueError: the runner's rapport is broken")
        self.assertTrue(failed.failed_date)
        # the next run retries it: one more attempt while it fails, applied when it works
        with patch.object(Rapport, "_empathy_apply_now", fail_for_the_runner):
            self.env["empathy.rapport"]._cron_empathy_process_queue()
        self.assertEqual(failed.attempts, 2)
        self.env["empathy.rapport"]._cron_empathy_process_queue()
        self.assertFalse(failed.exists())
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales)

    def test_conflicts_are_not_failures(self):
        """A lock conflict propagates (the cron run is retried), nothing is marked."""
        Queue = self._queue(self.runner)
        Rapport = type(self.env["empathy.rapport"])
        conflict = errors.LockNotAvailable("busy")
        with (
            patch.object(Rapport, "_empathy_apply_now", side_effect=conflict),
            self.assertRaises(errors.LockNotAvailable),
        ):
            self.env["empathy.rapport"]._cron_empathy_process_queue()
        self.assertFalse(Queue.search([]).attempts)
        self.assertIn(errors.LockNotAvailable, empathy_rapport_deferred.RETRYABLE_ERRORS)

    def test_managers_see_the_failed_changes(self):
        Queue = self._queue(self.runner)
        Queue._empathy_record_failure(self.runner.ids, "ValueError: broken")
        action = self.env.ref("empathic_crm.empathy_rapport_queue_action")
        self.assertEqual(action.context, "{'search_default_failed': 1}")
        menu = self.env.ref("empathic_crm.menu_empathy_rapport_queue")
        self.assertEqual(menu.parent_id, self.env.ref("empathic_crm.menu_empathy_config"))
        as_manager = Queue.with_user(self.user_manager)
        self.assertEqual(as_manager.search([("attempts", ">", 0)]).error, "ValueError: broken")
        views = as_manager.get_views([(False, "list"), (False, "search")])["views"]
        self.assertIn('name="failed"', views["search"]["arch"])
        self.assertIn("error", views["list"]["arch"])
        with self.assertRaises(AccessError):
            Queue.with_user(self.user_sales).search([])


@tagged("post_install", "-at_install", "empathic_crm")
class TestPairsChanged(EmpathyCommon):
    """``empathy.rapport._empathy_pairs_changed``: the one extension point of the
    rapport's writers, given the states they already have (review F2)."""

    def test_listeners_get_the_states_once_per_change(self):
        Rapport = type(self.env["empathy.rapport"])
        calls = []
        original = Rapport._empathy_pairs_changed

        def listen(rapport, before, after):
            calls.append((dict(before), dict(after)))
            return original(rapport, before, after)

        key = (self.runner.id, self.user_sales.id, self.company.id)
        with patch.object(Rapport, "_empathy_pairs_changed", listen):
            first = self._impression(self.runner, rapport=4)
            second = self._impression(self.runner, rapport=2, days_ago=1)
            second.unlink()
            first.unlink()
        self.assertEqual(len(calls), 4, "one call per change")
        self.assertEqual(calls[0], ({}, {key: (4.0, 1)}))
        self.assertEqual(calls[1][0], {key: (4.0, 1)})
        self.assertEqual(calls[1][1][key][1], 2)
        self.assertEqual(calls[3], ({key: (4.0, 1)}, {}), "the pair is gone")

    def test_the_queue_locks_a_customer_once(self):
        """The appliers lock the customers when they take their changes, and only then
        (no second lock in _empathy_apply_now or in a listener)."""
        Rapport = type(self.env["empathy.rapport"])
        self.env["empathy.rapport.queue"]._empathy_enqueue(
            [
                (
                    1,
                    {
                        "partner_id": self.runner.id,
                        "user_id": self.user_sales.id,
                        "company_id": self.company.id,
                        "date": "2026-06-01 12:00:00",
                        "rapport": 4,
                        "mood": 1,
                    },
                )
            ]
        )
        with patch.object(
            Rapport,
            "_empathy_lock_partners",
            autospec=True,
            side_effect=Rapport._empathy_lock_partners,
        ) as lock:
            self.env["empathy.rapport"]._empathy_process_queue(partner_ids=[self.runner.id])
        self.assertEqual(lock.call_count, 1)
        self.assertEqual(self.runner.empathy_best_advisor_id, self.user_sales)
