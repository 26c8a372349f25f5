# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport changes of a request: queued, then applied right after its commit.

While a web or API request is served, impression changes are only queued
(``empathy.rapport.queue``); a short transaction of its own applies the queue after
the commit, and a cron applies what a crash left queued.
"""

import logging
import random
import time

from psycopg2 import errors

from odoo import SUPERUSER_ID, api, models

from ..tools import compat
from ..tools.gate import serving_request

_logger = logging.getLogger(__name__)

#: queued changes applied per transaction by the deferred refresh
QUEUE_BATCH = 2000
#: attempts of the deferred refresh on a concurrency conflict before the cron takes over
QUEUE_TRIES = 8
#: conflicts between concurrent refreshes: retried in a new, short transaction
RETRYABLE_ERRORS = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
    errors.UniqueViolation,
)


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_defer(self):
        """Return whether the queue is applied after the commit (requests only)."""
        return (
            not self.env.context.get("empathy_rapport_sync")
            and not compat.in_test_mode(self.env)
            and bool(serving_request())
        )

    @api.model
    def _empathy_apply_after_commit(self, partner_ids):
        """Apply the queued changes of these customers once the current transaction
        commits (one applier per transaction, for all the customers it queued)."""
        cr = self.env.cr
        customers = cr.postcommit.data.get("empathy_rapport_queue")
        if customers is not None:
            customers.update(partner_ids)
            return
        customers = cr.postcommit.data["empathy_rapport_queue"] = set(partner_ids)
        dbname = cr.dbname
        registry = self.env.registry

        @cr.postcommit.add
        def apply_queue():
            error = None
            for attempt in range(QUEUE_TRIES):
                try:
                    with registry.cursor() as new_cr:
                        # a short transaction that waits for the locks of other
                        # appliers instead of failing on their updates: READ COMMITTED
                        # (each statement sees the latest commits), the customers
                        # locked before their changes are read (raw SQL: the ORM has
                        # no isolation level per cursor; a session setting, writes
                        # nothing)
                        new_cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        env = api.Environment(new_cr, SUPERUSER_ID, {})
                        env["empathy.rapport"]._empathy_process_queue(partner_ids=customers)
                    return
                except RETRYABLE_ERRORS as conflict:  # deadlock with another writer: rare
                    error = conflict
                    time.sleep(random.uniform(0, 0.05 * 2**attempt))
                except Exception as failure:  # kept, shown, retried
                    _logger.exception("empathic_crm: applying the rapport queue failed")
                    error = failure
                    break
            _logger.warning(
                "empathic_crm: rapport queue of %s not applied (%s), the cron retries it",
                dbname,
                error,
            )
            with registry.cursor() as new_cr:
                env = api.Environment(new_cr, SUPERUSER_ID, {})
                env["empathy.rapport.queue"]._empathy_record_failure(
                    customers, _failure_text(error)
                )

    @api.model
    def _empathy_process_queue(self, limit=QUEUE_BATCH, partner_ids=None):
        """Apply queued changes to the rapport rows and refresh the partners.

        ``partner_ids``: the changes of these customers (a request's applier);
        otherwise those of every customer, ``limit`` customers per round. A customer's
        changes are taken under its lock and applied in their order
        (``empathy.rapport.queue._empathy_take``), each exactly once. Costs a constant
        number of queries per round, whatever the number of changes.
        """
        Queue = self.env["empathy.rapport.queue"]
        while True:
            taken, customers = Queue._empathy_take(limit, partner_ids=partner_ids)
            if not customers:
                return
            self._empathy_apply_now(taken)
            if partner_ids is not None:
                return

    @api.model
    def _cron_empathy_process_queue(self):
        """Apply what a crash or a failure left queued.

        A round that fails is applied again customer by customer (a savepoint each):
        the changes of a customer that keep failing stay queued with their error and
        one more attempt (*Empathy ▸ Rapport Queue*), the others are applied.
        """
        Rapport = self.sudo()
        Queue = self.env["empathy.rapport.queue"].sudo()
        failed = set()
        while True:
            try:
                with self.env.cr.savepoint():
                    taken, customers = Queue._empathy_take(QUEUE_BATCH, exclude=failed)
                    Rapport._empathy_apply_now(taken)
            except RETRYABLE_ERRORS:
                raise  # a conflict: the next run retries, nothing is wrong
            except Exception:  # one customer at a time, below
                customers = Rapport._empathy_process_one_by_one(failed)
            if not customers:
                return

    @api.model
    def _empathy_process_one_by_one(self, failed):
        """Apply the next round's customers one at a time; add those that fail to
        ``failed`` (their changes kept with the error); return the customers tried."""
        Queue = self.env["empathy.rapport.queue"].sudo()
        self.env.cr.execute(
            "SELECT DISTINCT partner_id FROM empathy_rapport_queue"
            " WHERE NOT partner_id = ANY(%s) ORDER BY partner_id LIMIT %s",
            [sorted(failed), QUEUE_BATCH],
        )
        tried = [row[0] for row in self.env.cr.fetchall()]
        for partner_id in tried:
            try:
                with self.env.cr.savepoint():
                    taken, _customers = Queue._empathy_take(1, partner_ids=[partner_id])
                    self._empathy_apply_now(taken)
            except RETRYABLE_ERRORS:
                raise
            except Exception as error:  # kept with its error
                _logger.exception("empathic_crm: rapport changes of contact %s fail", partner_id)
                failed.add(partner_id)
                Queue._empathy_record_failure([partner_id], _failure_text(error))
        return tried


def _failure_text(error):
    """Return the text kept with queued changes that failed (type and message)."""
    return f"{type(error).__name__}: {error}".strip()
