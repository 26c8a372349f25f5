# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport by kind of customer: the statistics kept up to date, per impression
(incremental, one UPSERT) and from scratch (the nightly rebuild, one statement)."""

from collections import defaultdict
from contextlib import contextmanager

from odoo import api, models
from odoo.tools import SQL

from .empathy_matching import ALL


def _insert_rows_sql(alias, uid):
    """Return ``INSERT INTO empathy_kind_rapport ... SELECT`` of the rows of ``alias``.

    ``alias`` has the columns ``u, c, t, v`` (advisor, company, trait, value) and ``n, i,
    s, q`` (customers, impressions, sum and sum of squares of the pair means); the typed
    column of the trait value (for grouping with labels) is filled from ``t`` and ``v``.
    The one INSERT head of the incremental UPSERT and of the rebuild: they differ in
    their source and in what ON CONFLICT does.
    """
    source = SQL.identifier(alias)
    return SQL(
        """INSERT INTO empathy_kind_rapport AS k
               (user_id, company_id, trait, value, communication_style, temperament,
                motive_id, value_id, channel, pair_count, impression_count,
                sum_score, sum_score_sq, fair_effect,
                create_uid, create_date, write_uid, write_date)
        SELECT %(a)s.u, %(a)s.c, %(a)s.t, %(a)s.v,
               CASE WHEN %(a)s.t = 'style' THEN %(a)s.v END,
               CASE WHEN %(a)s.t = 'temperament' THEN %(a)s.v END,
               CASE WHEN %(a)s.t = 'motive' THEN %(a)s.v::int END,
               CASE WHEN %(a)s.t = 'value' THEN %(a)s.v::int END,
               CASE WHEN %(a)s.t = 'channel' THEN %(a)s.v END,
               %(a)s.n, %(a)s.i, %(a)s.s, %(a)s.q, 0.0,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'""",
        a=source,
        uid=uid,
    )


class EmpathyKindRapport(models.Model):
    _inherit = "empathy.kind.rapport"

    # ------------------------------------------------------------------
    # incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    @contextmanager
    def _empathy_kinds_changing(self, partner_ids):
        """Move the pairs of these customers between kinds if their kinds change
        inside the ``with`` block (a profile row or an objection written).

        The one place where a change of a customer's kind reaches the statistics. An
        applier of the rapport queue locks the customer first: wait for it, and keep
        it waiting, so that neither reads the other's kinds or pairs half-done (a
        heard motive written beside a concurrent impression was lost otherwise).
        Costs two queries (lock, kinds) when the customers have no rapport.
        """
        Kind = self.sudo()
        partner_ids = sorted({pid for pid in partner_ids if pid})
        before = {}
        if partner_ids:
            self.env["empathy.rapport"]._empathy_lock_partners(partner_ids)
            before = Kind._empathy_partner_kinds(partner_ids, with_rapport=True)
        yield
        if before:
            after = Kind._empathy_partner_kinds(list(before))
            moved = sorted(pid for pid, keys in before.items() if keys != after.get(pid, []))
            if moved:
                pairs = Kind._empathy_partner_pairs(moved)
                Kind._empathy_apply_pairs(pairs, pairs, before, after)

    @api.model
    def _empathy_apply_pairs(self, before, after, kinds_before, kinds_after=None):
        """Move the statistics from the pairs' states ``before`` to ``after``.

        ``before``/``after``: {(partner, advisor, company): (pair mean, impressions)}
        (a pair without impressions is absent); ``kinds_before``/``kinds_after``:
        {partner: [(trait, value)]} (``kinds_after`` defaults to ``kinds_before``).
        Costs two queries whatever the history.
        """
        kinds_after = kinds_before if kinds_after is None else kinds_after
        deltas = defaultdict(lambda: [0, 0, 0.0, 0.0])
        touched = set()
        for key in set(before) | set(after):
            partner, user, company = key
            for sign, states, kinds in ((-1, before, kinds_before), (1, after, kinds_after)):
                state = states.get(key)
                keys = kinds.get(partner) or ()
                if keys:
                    # the advisor's totals row is touched by every change: it is the
                    # advisor's lock (taken first, in a fixed order, by every writer)
                    touched.add((user, company))
                    deltas.setdefault((user, company, ALL, ""), [0, 0, 0.0, 0.0])
                if state is None:
                    continue
                score, count = state
                for trait, value in keys:
                    delta = deltas[user, company, trait, value]
                    delta[0] += sign
                    delta[1] += sign * count
                    delta[2] += sign * score
                    delta[3] += sign * score * score
        changed = {
            key: delta
            for key, delta in deltas.items()
            if key[2] == ALL or any(abs(part) > 1e-12 for part in delta)
        }
        self._empathy_add_deltas(changed)
        self._empathy_refresh_effects(sorted(touched))

    @api.model
    def _empathy_add_deltas(self, deltas):
        """Add {(advisor, company, trait, value): [customers, impressions, sum, sum sq]}.

        Raw SQL instead of the ORM's search-then-create/write: an UPSERT whose
        uniqueness is guaranteed by the UNIQUE constraint, safe when two transactions
        add to the same row (relative updates; the second waits for the first), in one
        statement whatever the number of rows. Rows are taken in key order, each
        advisor's totals row first, so concurrent writers cannot deadlock.
        """
        if not deltas:
            return
        keys = sorted(deltas)
        columns = list(zip(*keys, strict=True))
        values = list(zip(*(deltas[key] for key in keys), strict=True))
        self.env.cr.execute(
            SQL(
                """
                %(insert)s
                  FROM unnest(%(u)s::int[], %(c)s::int[], %(t)s::varchar[], %(v)s::varchar[],
                              %(n)s::int[], %(i)s::int[], %(s)s::float8[], %(q)s::float8[])
                       AS d(u, c, t, v, n, i, s, q)
              ORDER BY d.u, d.c, d.t <> 'all', d.t, d.v
                    ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                   SET pair_count = k.pair_count + EXCLUDED.pair_count,
                       impression_count = k.impression_count + EXCLUDED.impression_count,
                       sum_score = k.sum_score + EXCLUDED.sum_score,
                       sum_score_sq = k.sum_score_sq + EXCLUDED.sum_score_sq,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                """,
                insert=_insert_rows_sql("d", self.env.uid),
                u=list(columns[0]),
                c=list(columns[1]),
                t=list(columns[2]),
                v=list(columns[3]),
                n=list(values[0]),
                i=list(values[1]),
                s=list(values[2]),
                q=list(values[3]),
            )
        )

    @api.model
    def _empathy_refresh_effects(self, advisors=None):
        """Rewrite the fair effects of ``advisors`` ([(advisor, company)], None: all).

        Raw SQL instead of a stored compute: the effect depends on the advisor's
        totals row (another row of the same table), which the ORM cannot express as
        a dependency; one UPDATE per call. Rows left without customers are deleted
        in the same statement (disjoint from the updated ones).
        """
        if advisors is not None and not advisors:
            return
        if advisors is None:
            touched = SQL("SELECT DISTINCT user_id, company_id FROM empathy_kind_rapport")
        else:
            touched = SQL(
                "SELECT * FROM unnest(%s::int[], %s::int[])",
                [key[0] for key in advisors],
                [key[1] for key in advisors],
            )
        shrinkage = float(self.env["empathy.rapport"]._empathy_shrinkage())
        self.env.cr.execute(
            SQL(
                """
                WITH touched (user_id, company_id) AS (%(touched)s),
                gone AS (
                    DELETE FROM empathy_kind_rapport k
                     USING touched t
                     WHERE k.user_id = t.user_id AND k.company_id = t.company_id
                       AND k.pair_count <= 0
                ), totals AS (
                    SELECT k.user_id, k.company_id, k.pair_count, k.sum_score
                      FROM empathy_kind_rapport k
                      JOIN touched t ON t.user_id = k.user_id AND t.company_id = k.company_id
                     WHERE k.trait = 'all' AND k.pair_count > 0
                )
                UPDATE empathy_kind_rapport k
                   SET fair_effect = CASE
                           WHEN k.trait = 'all' OR a.pair_count IS NULL THEN 0.0
                           ELSE k.pair_count::float8 / (k.pair_count + %(k)s::float8)
                                * (k.sum_score / k.pair_count - a.sum_score / a.pair_count)
                       END
                  FROM touched t
             LEFT JOIN totals a ON a.user_id = t.user_id AND a.company_id = t.company_id
                 WHERE k.user_id = t.user_id AND k.company_id = t.company_id
                   AND k.pair_count > 0
                """,
                touched=touched,
                k=shrinkage,
            )
        )
        self.invalidate_model()

    # ------------------------------------------------------------------
    # full rebuild
    # ------------------------------------------------------------------
    @api.model
    def action_empathy_rebuild(self):
        """Rebuild every row from the rapport rows and the customers' traits (managers)."""
        self._empathy_check_manager()
        self._empathy_rebuild()
        return True

    @api.model
    def _empathy_rebuild(self):
        """Recompute all rows in one statement (then the effects in one more); return
        the number of rows.

        Raw SQL instead of the ORM: a GROUP BY over every rapport row and the traits
        of its customer (the kinds of ``_empathy_partner_kinds``, expressed as a
        LATERAL union), written with the same UPSERT as the incremental path (rows
        keep their ids) while the rows no pair supports any more are deleted in the
        same statement (a data-modifying CTE on disjoint rows).
        """
        self.env["empathy.rapport"].flush_model()
        self._empathy_flush_traits()
        self.env.cr.execute(
            SQL(
                """
                WITH fresh AS (
                    SELECT r.user_id AS u, r.company_id AS c, kd.t, kd.v,
                           count(*) AS n, sum(r.impression_count) AS i,
                           sum(COALESCE(r.score, 0.0)) AS s,
                           sum(COALESCE(r.score, 0.0) ^ 2) AS q
                      FROM empathy_rapport r
                      JOIN res_partner p ON p.id = r.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                 LEFT JOIN empathy_profile pr ON pr.partner_id = p.id
                CROSS JOIN LATERAL (
                               SELECT 'all'::varchar AS t, ''::varchar AS v
                     UNION ALL SELECT 'style', pr.communication_style
                                WHERE pr.communication_style IS NOT NULL
                     UNION ALL SELECT 'temperament', pr.temperament
                                WHERE pr.temperament IS NOT NULL
                     UNION ALL SELECT 'channel', pr.preferred_channel
                                WHERE pr.preferred_channel IS NOT NULL
                     UNION ALL SELECT 'motive', m.motive_id::varchar
                                 FROM empathy_profile_motive_rel m
                                WHERE m.profile_id = pr.id
                     UNION ALL SELECT 'value', v.value_id::varchar
                                 FROM empathy_profile_value_rel v
                                WHERE v.profile_id = pr.id
                           ) kd
                     WHERE r.impression_count > 0
                       AND NOT COALESCE(p.empathy_objection, FALSE)
                       AND NOT COALESCE(cp.empathy_objection, FALSE)
                  GROUP BY r.user_id, r.company_id, kd.t, kd.v
                ), gone AS (
                    DELETE FROM empathy_kind_rapport k
                     WHERE NOT EXISTS (
                            SELECT 1 FROM fresh f
                             WHERE f.u = k.user_id AND f.c = k.company_id
                               AND f.t = k.trait AND f.v = k.value)
                )
                %(insert)s
                  FROM fresh f
              ORDER BY f.u, f.c, f.t <> 'all', f.t, f.v
                    ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                   SET pair_count = EXCLUDED.pair_count,
                       impression_count = EXCLUDED.impression_count,
                       sum_score = EXCLUDED.sum_score,
                       sum_score_sq = EXCLUDED.sum_score_sq,
                       write_uid = EXCLUDED.write_uid,
                       write_date = EXCLUDED.write_date
                 WHERE (k.pair_count, k.impression_count, k.sum_score, k.sum_score_sq)
                       IS DISTINCT FROM (EXCLUDED.pair_count, EXCLUDED.impression_count,
                                         EXCLUDED.sum_score, EXCLUDED.sum_score_sq)
                """,
                insert=_insert_rows_sql("f", self.env.uid),
            )
        )
        self._empathy_refresh_effects()
        self.env.cr.execute("SELECT count(*) FROM empathy_kind_rapport")
        return self.env.cr.fetchone()[0]
