# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The queue of impression changes waiting to be applied to the rapport (append-only)."""

from odoo import api, fields, models
from odoo.tools import SQL


class EmpathyRapportQueue(models.Model):
    """Impression changes waiting to be applied to the rapport aggregates.

    Append-only for the writers (no conflicts between concurrent transactions);
    ``empathy.rapport._empathy_process_queue`` applies and deletes the rows.
    """

    _name = "empathy.rapport.queue"
    _description = "Rapport Changes Queue"
    _order = "id"
    _log_access = False

    partner_id = fields.Many2one("res.partner", required=True, ondelete="cascade")
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade")
    date = fields.Datetime(required=True)
    rapport = fields.Integer(required=True)
    mood = fields.Integer()
    sign = fields.Integer(required=True, help="1: impression added, -1: removed.")
    # a change that could not be applied: kept, retried by the scheduled action
    attempts = fields.Integer(
        string="Failed attempts",
        readonly=True,
        help="How often applying this change failed; the scheduled action retries it.",
    )
    failed_date = fields.Datetime(string="Last failure", readonly=True)
    error = fields.Text(readonly=True, help="Why applying this change failed last time.")

    # ------------------------------------------------------------------
    # Raw SQL (the rapport queue): listed in readme/DEVELOPMENT.md. The queue is
    # technical (``_log_access = False``, no computed field, no rule: only the
    # system reads it), so no write date, ``modified()`` or record rule to take
    # over; the ORM cache never holds its rows (nothing reads them through it).
    # ------------------------------------------------------------------
    @api.model
    def _empathy_enqueue(self, changes):
        """Queue [(sign, snapshot)] in one INSERT (no ORM: this is the hot path).

        Instead of ``create`` (defaults, cache and ``modified`` per row, ids
        returned, none of which the queue needs): one statement. Append-only, so concurrent
        recorders never conflict: 16 clients on 20 shared customers record 114-146
        impressions/s with 0 rows rejected (benchmarks/README.md, *Concurrent
        intake*). Nothing to flush (no field of other models is read).
        """
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO empathy_rapport_queue
                       (partner_id, user_id, company_id, date, rapport, mood, sign)
                SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::timestamp[],
                                     %s::int[], %s::int[], %s::int[])
                """,
                [snap["partner_id"] for _sign, snap in changes],
                [snap["user_id"] for _sign, snap in changes],
                [snap["company_id"] for _sign, snap in changes],
                [snap["date"] for _sign, snap in changes],
                [snap["rapport"] for _sign, snap in changes],
                [snap["mood"] for _sign, snap in changes],
                [sign for sign, _snap in changes],
            )
        )

    @api.model
    def _empathy_take(self, limit, partner_ids=None, exclude=()):
        """Lock customers with queued changes, then delete and return all their queued
        changes, oldest first: ``([(sign, snapshot)], customer ids)``.

        ``partner_ids``: these customers, waiting for their locks (a request's own
        applier: read-your-writes). Otherwise up to ``limit`` customers with queued
        changes but those of ``exclude``, skipping those another applier holds (they
        are applied by it).

        A customer's changes are taken under its lock (``empathy.rapport.
        _empathy_lock_partners``), all at once: two appliers never apply one
        customer's changes out of their order (a removal before its addition would
        leave a ghost row, an edit its old values), and the states they read are
        the latest (read committed). The ORM has no row lock and no ``DELETE ...
        RETURNING`` (``search`` + ``unlink`` would read, then delete, in two
        statements); a change is applied exactly once: deleted in the transaction
        that applies it.
        """
        cr = self.env.cr
        Rapport = self.env["empathy.rapport"]
        if partner_ids is None:
            cr.execute(
                SQL(
                    """
                    SELECT DISTINCT partner_id FROM empathy_rapport_queue
                     WHERE NOT partner_id = ANY(%s)
                  ORDER BY partner_id LIMIT %s
                    """,
                    sorted(exclude),
                    limit,
                )
            )
            customers = Rapport._empathy_lock_partners(
                [row[0] for row in cr.fetchall()], skip_locked=True
            )
        else:
            customers = Rapport._empathy_lock_partners(partner_ids)
        if not customers:
            return [], []
        cr.execute(
            SQL(
                """
                DELETE FROM empathy_rapport_queue WHERE partner_id = ANY(%s)
             RETURNING id, partner_id, user_id, company_id, date, rapport, mood, sign
                """,
                customers,
            )
        )
        taken = [
            (
                sign,
                {
                    "partner_id": partner_id,
                    "user_id": user_id,
                    "company_id": company_id,
                    "date": date,
                    "rapport": rapport,
                    "mood": mood,
                },
            )
            for _id, partner_id, user_id, company_id, date, rapport, mood, sign in sorted(
                cr.fetchall()
            )
        ]
        return taken, customers

    @api.model
    def _empathy_record_failure(self, partner_ids, message):
        """Keep the queued changes of these customers with the failure: ``message``, the
        time and one more attempt (visible in *Empathy ▸ Rapport Queue*, retried by
        the scheduled action). One statement; technical rows (see above)."""
        if not partner_ids:
            return
        self.env.cr.execute(
            SQL(
                """
                UPDATE empathy_rapport_queue
                   SET attempts = COALESCE(attempts, 0) + 1,
                       failed_date = now() AT TIME ZONE 'UTC',
                       error = %s
                 WHERE partner_id = ANY(%s)
                """,
                message,
                sorted(set(partner_ids)),
            )
        )
        self.invalidate_model(["attempts", "failed_date", "error"])

    @api.model
    def _empathy_sql_clear(self):
        """Delete every queued change (``action_recompute_all`` rebuilds from the
        impressions, which the queued changes are part of). Raw SQL: one statement
        instead of ``search([]).unlink()`` (no ``ondelete`` or rule to honour)."""
        self.env.cr.execute("DELETE FROM empathy_rapport_queue")
