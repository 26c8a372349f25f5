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

from .empathy_gate import serving_request

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
            and not self.env.registry.in_test_mode()
            and bool(serving_request())
        )

    @api.model
    def _empathy_apply_after_commit(self):
        """Apply the queue once after the current transaction commits."""
        cr = self.env.cr
        if cr.postcommit.data.get("empathy_rapport_queue"):
            return
        cr.postcommit.data["empathy_rapport_queue"] = True
        dbname = cr.dbname
        registry = self.env.registry

        @cr.postcommit.add
        def apply_queue():
            for attempt in range(QUEUE_TRIES):
                try:
                    with registry.cursor() as new_cr:
                        # a short transaction that waits for the row locks of other
                        # appliers instead of failing on their updates: READ COMMITTED
                        # (each statement sees the latest commits), every row locked
                        # in a fixed order before it is read (raw SQL: the ORM has no
                        # isolation level per cursor; a session setting, writes nothing)
                        new_cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                        env = api.Environment(
                            new_cr, SUPERUSER_ID, {"empathy_rapport_locking": True}
                        )
                        env["empathy.rapport"]._empathy_process_queue()
                    return
                except RETRYABLE_ERRORS:  # deadlock with another writer: rare
                    time.sleep(random.uniform(0, 0.05 * 2**attempt))
            _logger.warning(
                "empathic_crm: rapport queue of %s still busy, the cron applies it", dbname
            )

    @api.model
    def _empathy_process_queue(self, limit=QUEUE_BATCH):
        """Apply queued snapshots to the rapport rows and refresh the partners.

        Takes the queue rows with ``FOR UPDATE SKIP LOCKED`` (concurrent appliers take
        disjoint rows) and deletes them in the same transaction: each change is
        applied exactly once. Costs a constant number of queries per (partner,
        advisor, company) pair touched, whatever the number of impressions recorded.
        """
        Queue = self.env["empathy.rapport.queue"]
        while True:
            taken = Queue._empathy_take(limit)
            if not taken:
                return
            self._empathy_apply_now(taken)
            if len(taken) < limit:
                return

    @api.model
    def _cron_empathy_process_queue(self):
        """Apply what a crash between a commit and its deferred refresh left queued."""
        self.sudo()._empathy_process_queue()
