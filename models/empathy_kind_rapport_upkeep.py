# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Rapport by kind of customer: the statistics kept up to date, with every change of
pairs (a listener of ``empathy.rapport._empathy_pairs_changed``: parts of the statement
that writes the pairs) and of a customer's kind (``_empathy_kinds_changing``: a profile or an objection written), and from
scratch (the daily rebuild, one statement)."""

from collections import defaultdict
from contextlib import contextmanager

from odoo import api, models
from odoo.tools import SQL

from .empathy_kind_rapport import (
    flush_traits,
    partner_objecting_sql,
    partner_traits_sql,
)
from .empathy_rapport import cte_statement

#: the kind statistics' columns added up by a delta: (customers, impressions, sum of the
#: pair means, sum of their squares)
DELTA_COLUMNS = ("pair_count", "impression_count", "sum_score", "sum_score_sq")


def _insert_rows_sql(alias, uid, effect=None):
    """Return ``INSERT INTO empathy_kind_rapport ... SELECT`` of the rows of ``alias``.

    ``alias`` has the columns ``u, c, t, v`` (advisor, company, trait, value) and ``n, i,
    s, q`` (customers, impressions, sum and sum of squares of the pair means); the typed
    column of the trait value (for grouping with labels) is filled from ``t`` and ``v``;
    ``effect``: the SQL of the fair effect (default 0.0, rewritten after). The one
    INSERT head of the incremental UPSERT and of the rebuild: they differ in their
    source and in what ON CONFLICT does.
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
               %(a)s.n, %(a)s.i, %(a)s.s, %(a)s.q, %(effect)s,
               %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'""",
        a=source,
        uid=uid,
        effect=effect if effect is not None else SQL("0.0"),
    )


def _effect_sql(count, total, advisor_count, advisor_total, shrinkage):
    """Return the SQL of a kind's fair effect (``empathy_matching.kind_effect``) from
    its customers and sum of pair means, and the advisor's (totals row)."""
    return SQL(
        """CASE WHEN %(n)s > 0 AND %(an)s > 0
                THEN %(n)s::float8 / (%(n)s + %(k)s::float8)
                     * (%(s)s / %(n)s - %(as)s / %(an)s)
                ELSE 0.0 END""",
        n=count,
        s=total,
        an=advisor_count,
        k=shrinkage,
        **{"as": advisor_total},
    )


class EmpathyRapport(models.Model):
    _inherit = "empathy.rapport"

    @api.model
    def _empathy_pairs_changed(self, before, after):
        """The rapport by kind of customer follows the pairs (see the hook)."""
        Kind = self.env["empathy.kind.rapport"]
        return super()._empathy_pairs_changed(before, after) + Kind._empathy_pair_parts(
            before, after
        )

    @api.model
    def _empathy_refresh_scales(self, threshold=None, refresh_partners=True):
        count = super()._empathy_refresh_scales(
            threshold=threshold, refresh_partners=refresh_partners
        )
        if threshold is not None and threshold < 0:
            # a full rewrite (the shrinkage setting changed): the kinds' effects too
            self.env["empathy.kind.rapport"]._empathy_refresh_effects()
        return count


class EmpathyKindRapport(models.Model):
    _inherit = "empathy.kind.rapport"

    # ------------------------------------------------------------------
    # incremental maintenance
    # ------------------------------------------------------------------
    @api.model
    def _empathy_pair_parts(self, before, after):
        """Return the statement parts that move the statistics with pairs that change
        from ``before`` to ``after`` ({(partner, advisor, company): (pair mean,
        impressions)}, a pair without impressions absent): the customers' kinds are
        read in the statement itself (``partner_traits_sql``), as they are then (the
        customer's lock serialises a change of kind and the pair's appliers).
        """
        keys = sorted(set(before) | set(after))
        if not keys:
            return []
        flush_traits(self.env)
        # each pair: customers, impressions, pair mean and its square, after - before
        rows = []
        for key in keys:
            old, new = before.get(key), after.get(key)
            old_score, old_count = old or (0.0, 0)
            new_score, new_count = new or (0.0, 0)
            rows.append(
                (
                    *key,
                    bool(new) - bool(old),
                    new_count - old_count,
                    new_score - old_score,
                    new_score * new_score - old_score * old_score,
                )
            )
        columns = list(zip(*rows, strict=True))
        source = SQL(
            """
            SELECT x.u, x.c, kd.t, kd.v,
                   sum(x.n)::int AS n, sum(x.i)::int AS i, sum(x.s) AS s, sum(x.q) AS q
              FROM unnest(%(p)s::int[], %(u)s::int[], %(c)s::int[], %(n)s::int[],
                          %(i)s::int[], %(s)s::float8[], %(q)s::float8[])
                   AS x(p, u, c, n, i, s, q)
              JOIN res_partner p ON p.id = x.p
         LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
        CROSS JOIN LATERAL %(traits)s kd
             WHERE NOT %(objecting)s
          GROUP BY x.u, x.c, kd.t, kd.v
            """,
            p=list(columns[0]),
            u=list(columns[1]),
            c=list(columns[2]),
            n=list(columns[3]),
            i=list(columns[4]),
            s=list(columns[5]),
            q=list(columns[6]),
            traits=partner_traits_sql("p"),
            objecting=partner_objecting_sql("p", "cp"),
        )
        return self._empathy_delta_parts(source)

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
        """Move the statistics from the pairs' states ``before`` to ``after`` (one
        statement), when the customers' kinds change (``_empathy_kinds_changing``).

        ``before``/``after``: {(partner, advisor, company): (pair mean, impressions)}
        (a pair without impressions is absent); ``kinds_before``/``kinds_after``:
        {partner: [(trait, value)]} (``kinds_after`` defaults to ``kinds_before``).
        """
        kinds_after = kinds_before if kinds_after is None else kinds_after
        deltas = defaultdict(lambda: [0, 0, 0.0, 0.0])
        for key in set(before) | set(after):
            partner, user, company = key
            for sign, states, kinds in ((-1, before, kinds_before), (1, after, kinds_after)):
                state = states.get(key)
                keys = kinds.get(partner) or ()
                if state is None:
                    continue
                score, count = state
                for trait, value in keys:
                    delta = deltas[user, company, trait, value]
                    delta[0] += sign
                    delta[1] += sign * count
                    delta[2] += sign * score
                    delta[3] += sign * score * score
        if not deltas:
            return
        keys = sorted(deltas)
        columns = list(zip(*keys, strict=True))
        values = list(zip(*(deltas[key] for key in keys), strict=True))
        source = SQL(
            """
            SELECT * FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[],
                                 %s::int[], %s::int[], %s::float8[], %s::float8[])
                   AS d(u, c, t, v, n, i, s, q)
            """,
            *(list(column) for column in columns),
            *(list(value) for value in values),
        )
        self.env.cr.execute(cte_statement(self._empathy_delta_parts(source), SQL("SELECT 1")))

    @api.model
    def _empathy_delta_parts(self, source):
        """Return the statement parts ([(name, SQL)]) that add the deltas of
        ``source`` (rows ``u, c, t, v, n, i, s, q``: advisor, company, trait, value and
        the changes of ``DELTA_COLUMNS``, an ``ALL`` row for every advisor concerned)
        and rewrite the fair effects of the advisors concerned.

        Raw SQL instead of the ORM's search-then-create/write and a stored compute:

        * the UPSERTs are safe when two transactions add to the same row (relative
          updates; the UNIQUE constraint, no check-then-insert), whatever the number
          of rows; each advisor's totals row (``kind_totals``) is taken first by every
          writer (its lock orders them: no deadlock);
        * the fair effect depends on the advisor's totals row (another row of the same
          table), which the ORM cannot express as a dependency: the totals as they
          are after the UPSERT (``RETURNING``) give the effect of the rows added to
          (``kind_rows``) and of the advisor's other rows (``kind_effects``), in the
          same statement. Exact but for a kind row created by a concurrent writer of
          the same advisor after this statement began: its effect is then rewritten
          by the advisor's next change (and the daily rebuild);
        * a row left without customers stays (it counts as absent: no customer, no
          effect) until the advisor's next rebuild of the effects
          (``_empathy_refresh_effects``: daily, or a changed setting);
        * flush: the caller's (the pairs' writer flushed, the customers' traits are
          flushed where read); cache: the model is invalidated here (the parts run
          next, nothing reads the rows in between); write date set, create date on
          insert; record rules: none, the statistics are the system's (managers read
          them through the report).
        """
        shrinkage = SQL("%s", float(self.env["empathy.rapport"]._empathy_shrinkage()))
        uid = self.env.uid
        add = SQL(", ".join(f"{name} = k.{name} + EXCLUDED.{name}" for name in DELTA_COLUMNS))
        self.invalidate_model()
        return [
            ("kind_deltas", source),
            (
                "kind_totals",
                SQL(
                    """
                    %(insert)s
                      FROM kind_deltas d
                     WHERE d.t = 'all'
                  ORDER BY d.u, d.c
                        ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                       SET %(add)s, write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date
                 RETURNING k.user_id, k.company_id, k.pair_count, k.sum_score
                    """,
                    insert=_insert_rows_sql("d", uid),
                    add=add,
                ),
            ),
            (
                "kind_rows",
                SQL(
                    """
                    %(insert)s
                      FROM kind_deltas d
                      JOIN kind_totals a ON a.user_id = d.u AND a.company_id = d.c
                     WHERE d.t <> 'all'
                       AND (d.n <> 0 OR d.i <> 0 OR abs(d.s) > 1e-12 OR abs(d.q) > 1e-12)
                  ORDER BY d.u, d.c, d.t, d.v
                        ON CONFLICT (user_id, company_id, trait, value) DO UPDATE
                       SET %(add)s, write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date,
                           fair_effect = (SELECT %(conflict_effect)s FROM kind_totals a
                                           WHERE a.user_id = k.user_id
                                             AND a.company_id = k.company_id)
                 RETURNING k.id
                    """,
                    insert=_insert_rows_sql(
                        "d",
                        uid,
                        _effect_sql(
                            SQL("d.n"),
                            SQL("d.s"),
                            SQL("a.pair_count"),
                            SQL("a.sum_score"),
                            shrinkage,
                        ),
                    ),
                    add=add,
                    conflict_effect=_effect_sql(
                        SQL("(k.pair_count + EXCLUDED.pair_count)"),
                        SQL("(k.sum_score + EXCLUDED.sum_score)"),
                        SQL("a.pair_count"),
                        SQL("a.sum_score"),
                        shrinkage,
                    ),
                ),
            ),
            (
                "kind_effects",
                SQL(
                    """
                    UPDATE empathy_kind_rapport k
                       SET fair_effect = %(effect)s
                      FROM kind_totals a
                     WHERE k.user_id = a.user_id AND k.company_id = a.company_id
                       AND k.trait <> 'all'
                       AND k.id NOT IN (SELECT id FROM kind_rows)
                       AND k.fair_effect IS DISTINCT FROM (%(effect)s)::numeric
                 RETURNING k.id
                    """,
                    effect=_effect_sql(
                        SQL("k.pair_count"),
                        SQL("k.sum_score"),
                        SQL("a.pair_count"),
                        SQL("a.sum_score"),
                        shrinkage,
                    ),
                ),
            ),
        ]

    @api.model
    def _empathy_refresh_effects(self, advisors=None):
        """Rewrite the fair effects of ``advisors`` ([(advisor, company)], None: all)
        and delete their rows left without customers (one statement; the daily
        rebuild, a changed shrinkage setting).

        Raw SQL instead of a stored compute: the effect depends on the advisor's
        totals row (another row of the same table), which the ORM cannot express as
        a dependency. The deleted rows are disjoint from the updated ones.
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
        shrinkage = SQL("%s", float(self.env["empathy.rapport"]._empathy_shrinkage()))
        effect = _effect_sql(
            SQL("k.pair_count"),
            SQL("k.sum_score"),
            SQL("a.pair_count"),
            SQL("a.sum_score"),
            shrinkage,
        )
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
                   SET fair_effect = CASE WHEN k.trait = 'all' OR a.pair_count IS NULL THEN 0.0
                                          ELSE %(effect)s END
                  FROM touched t
             LEFT JOIN totals a ON a.user_id = t.user_id AND a.company_id = t.company_id
                 WHERE k.user_id = t.user_id AND k.company_id = t.company_id
                   AND k.pair_count > 0
                """,
                touched=touched,
                effect=effect,
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
    def _cron_empathy_rebuild(self):
        """Scheduled daily (its own action): rebuild every row.

        The incremental statistics are exact; the rebuild repairs what changes outside
        the ORM leave behind (e.g. a contact merge rewriting rapport rows in SQL) and
        deletes the rows left without customers.
        """
        self.sudo()._empathy_rebuild()

    @api.model
    def _empathy_rebuild(self):
        """Recompute all rows in one statement (then the effects in one more); return
        the number of rows.

        Raw SQL instead of the ORM: a GROUP BY over every rapport row and the traits
        of its customer (``partner_traits_sql``, as a LATERAL join), written with the same UPSERT as the incremental path (rows
        keep their ids) while the rows no pair supports any more are deleted in the
        same statement (a data-modifying CTE on disjoint rows).
        """
        self.env["empathy.rapport"].flush_model()
        flush_traits(self.env)
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
                CROSS JOIN LATERAL %(traits)s kd
                     WHERE r.impression_count > 0 AND NOT %(objecting)s
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
                traits=partner_traits_sql("p"),
                objecting=partner_objecting_sql("p", "cp"),
            )
        )
        self._empathy_refresh_effects()
        self.env.cr.execute("SELECT count(*) FROM empathy_kind_rapport")
        return self.env.cr.fetchone()[0]
