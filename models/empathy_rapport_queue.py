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
    def _empathy_take(self, limit):
        """Delete and return up to ``limit`` queued changes as [(sign, snapshot)].

        Rows locked by a concurrent applier are skipped: it applies them. The ORM
        has no ``FOR UPDATE SKIP LOCKED`` (``search`` + ``unlink`` would wait for,
        or conflict with, the concurrent applier); one statement takes and deletes.
        """
        self.env.cr.execute(
            SQL(
                """
                DELETE FROM empathy_rapport_queue
                 WHERE id IN (SELECT id FROM empathy_rapport_queue
                               ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
             RETURNING id, partner_id, user_id, company_id, date, rapport, mood, sign
                """,
                limit,
            )
        )
        return [
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
                self.env.cr.fetchall()
            )
        ]

    @api.model
    def _empathy_sql_clear(self):
        """Delete every queued change (``action_recompute_all`` rebuilds from the
        impressions, which the queued changes are part of). Raw SQL: one statement
        instead of ``search([]).unlink()`` (no ``ondelete`` or rule to honour)."""
        self.env.cr.execute("DELETE FROM empathy_rapport_queue")
