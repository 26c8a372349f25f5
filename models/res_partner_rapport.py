# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's rapport figures (best advisor, best rapport, last impression, mood
trend): rows per company (``empathy.partner.stat``), refreshed in one statement from
the rapport rows, and shown on the contact for the current company.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.delegated_fields import delegated_domain, visible_one2many, visible_one2many_methods
from ..tools.fair import LOW_RAPPORT
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.mood_sql import mood_trend_sql, mood_window_sql
from .empathy_partner_stat import MOOD_TRENDS, PARTNER_FIELDS


class ResPartner(models.Model):
    _inherit = "res.partner"

    # the rows the user may read, computed and searched through their access rights and
    # rules (a stored one2many would answer "has figures" in a domain to anyone)
    empathy_stat_ids = visible_one2many(
        "empathy.partner.stat",
        "partner_id",
        "empathy_stat_ids",
        string="Figures per company",
        groups=EMPATHY_USER_GROUP,
    )
    _compute_empathy_stat_ids, _search_empathy_stat_ids = visible_one2many_methods(
        "empathy_stat_ids", "empathy.partner.stat", "partner_id"
    )
    # the current company's row (a contact shared between companies shows each
    # company only what its own impressions and orders say); searched on the rows,
    # whose record rules Odoo applies (tools/delegated_fields.py)
    empathy_best_advisor_id = fields.Many2one(
        "res.users",
        string="Best advisor",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_best_advisor_id",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="The advisor with the highest fair rapport in this company: their ratings of"
        " this customer compared with their ratings of everyone (ties: more impressions,"
        " then most recent).",
    )
    empathy_best_rapport = fields.Float(
        string="Best rapport",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_best_rapport",
        compute_sudo=False,
        digits=(3, 2),
        groups=EMPATHY_USER_GROUP,
        help="The best advisor's fair rapport with this customer (1-5): lenient and strict"
        " raters corrected, uncertain scores pulled toward the team average.",
    )
    empathy_last_impression_date = fields.Datetime(
        string="Last impression",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_last_impression_date",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="The newest impression of this customer recorded in this company.",
    )
    empathy_mood_trend = fields.Selection(
        MOOD_TRENDS,
        string="Mood trend",
        compute="_compute_empathy_stat_figures",
        search="_search_empathy_mood_trend",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="The mean mood of the latest impressions against the ones before.",
    )

    empathy_low_rapport = fields.Boolean(
        string="Low rapport",
        compute="_compute_empathy_low_rapport",
        search="_search_empathy_low_rapport",
        compute_sudo=False,
        groups=EMPATHY_USER_GROUP,
        help="Rated in this company, but even the best advisor's fair rapport is below"
        " 2.5: nobody clicks with this customer yet.",
    )

    # ------------------------------------------------------------------
    # the current company's figures (rapport here, silent customers in
    # res_partner_silent.py): one compute, one query for all of them
    # ------------------------------------------------------------------
    @api.depends_context("company")
    @api.depends(*(f"empathy_stat_ids.{name}" for name in PARTNER_FIELDS.values()))
    def _compute_empathy_stat_figures(self):
        ids = [pid for pid in self._origin.ids if pid]
        stats = self.env["empathy.partner.stat"].browse()
        if ids:
            # as the user: the rows' access rights and record rules apply
            stats = self.env["empathy.partner.stat"].search_fetch(
                [("partner_id", "in", ids), *self._empathy_stat_scope()],
                ["partner_id", *PARTNER_FIELDS.values()],
            )
        by_partner = {stat.partner_id.id: stat for stat in stats}
        for partner in self:
            stat = by_partner.get(partner._origin.id, stats.browse())
            for pfname, fname in PARTNER_FIELDS.items():
                partner[pfname] = stat[fname]

    @api.depends_context("company")
    @api.depends("empathy_best_rapport")
    def _compute_empathy_low_rapport(self):
        for partner in self:
            partner.empathy_low_rapport = 0 < partner.empathy_best_rapport < LOW_RAPPORT

    def _empathy_stat_scope(self):
        """Return the domain of the rows shown on the contact: the current company's."""
        return [("company_id", "=", self.env.company.id)]

    def _empathy_stat_domain(self, fname, operator, value):
        """Return the contact domain for ``(fname, operator, value)`` on the current
        company's row (a contact without a visible row: as an empty row)."""
        return delegated_domain(
            "empathy_stat_ids",
            self.env["empathy.partner.stat"],
            fname,
            operator,
            value,
            scope=self._empathy_stat_scope(),
        )

    def _search_empathy_low_rapport(self, operator, value):
        # one range on the rows (the filter *Low rapport*): the contacts with such a
        # row, an index range and a join for PostgreSQL
        if operator in ("in", "not in") and len(value) == 1:
            # Odoo 19.0 passes "= True" as "in [True]", "= False" as "not in [True]"
            operator, [value] = ("=" if operator == "in" else "!="), list(value)
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search Low rapport with = or != and True or False."))
        low = [("best_rapport", ">", 0), ("best_rapport", "<", LOW_RAPPORT)]
        found = "any" if (operator == "=") == value else "not any"
        return [("empathy_stat_ids", found, [*self._empathy_stat_scope(), *low])]

    def _search_empathy_best_advisor_id(self, operator, value):
        return self._empathy_stat_domain("best_advisor_id", operator, value)

    def _search_empathy_best_rapport(self, operator, value):
        return self._empathy_stat_domain("best_rapport", operator, value)

    def _search_empathy_last_impression_date(self, operator, value):
        return self._empathy_stat_domain("last_impression_date", operator, value)

    def _search_empathy_mood_trend(self, operator, value):
        return self._empathy_stat_domain("mood_trend", operator, value)

    # ------------------------------------------------------------------
    # Raw SQL (the contact's rapport figures): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    def _empathy_refresh_rapport(self):
        """Recompute best advisor, best rapport, last date and mood trend (1 query).

        Per company: each company's row (``empathy.partner.stat``) comes from its own
        rapport rows and impressions only. Best advisor: highest score, ties broken by
        more impressions, then the most recent. Mood trend: the mean mood of the last
        MOOD_WINDOW impressions against the MOOD_WINDOW before (``tools/mood_sql.py``:
        the newest rows only). A company whose rapport is gone (the impressions were
        deleted, e.g. erased) loses its figures; a row left without any figure is
        deleted. Partners are locked in id order, so concurrent refreshes cannot
        deadlock.
        """
        if not self:
            return
        self.env["empathy.rapport"].flush_model()
        self.env["empathy.impression"].flush_model()
        Stat = self.env["empathy.partner.stat"]
        Stat.flush_model()
        ids = sorted(self.ids)
        # Raw SQL, one statement for all partners (the ORM would read every rapport row
        # and write row by row, with a search to find each row: check-then-insert). It
        # takes over: flush (above: rapport rows, impressions, the rows); uniqueness
        # (INSERT ... ON CONFLICT on the unique (partner, company) index); locking
        # (the rows of a contact are written only under the contact's lock, FOR NO KEY
        # UPDATE in id order, as the queue's appliers and the silent-customer job take
        # it: no deadlock, no lost update); create/write columns (as ``create`` and
        # ``write`` set them); record rules and companies (none: technical figures
        # refreshed as the system, each company's row from its own rows and
        # impressions); cache invalidation and ``modified`` of the contacts' rows and
        # figures (below). Not the contact's write_date/write_uid on purpose: an
        # impression is not an edit of the contact by the advisor (the contact's row
        # still gets a new version, see ``touched``: the row version is what tells
        # concurrent readers of the customer that its rapport moved). Speed: 6 queries /
        # 8.1 ms per impression whatever the history (was 15: two SELECTs and an ORM
        # write per partner); the retention batch refreshing 1,000 partners takes 22
        # queries / 253 ms against 1,886 queries / 1,388 ms for an ORM write on 1,000
        # partners (benchmarks/README.md).
        self.env.cr.execute(
            SQL(
                """
                WITH locked AS (
                    SELECT id FROM res_partner
                     WHERE id = ANY(%(ids)s)
                  ORDER BY id
                       FOR NO KEY UPDATE
                ), touched AS (
                    -- a new version of each contact (the same write date written back):
                    -- a transaction that read the contact's rapport before and locks it
                    -- now (REPEATABLE READ: a change of its kind, res_partner_matching.py)
                    -- fails and is retried instead of working from a stale snapshot
                    UPDATE res_partner p
                       SET write_date = p.write_date
                      FROM locked
                     WHERE p.id = locked.id
                ), best AS (
                    SELECT DISTINCT ON (partner_id, company_id)
                           partner_id, company_id, user_id, fair_score AS score
                      FROM empathy_rapport
                     WHERE partner_id IN (SELECT id FROM locked)
                  ORDER BY partner_id, company_id, %(rank)s
                ), fresh AS (
                    SELECT b.partner_id, b.company_id, b.user_id,
                           round(COALESCE(b.score, 0)::numeric, 2) AS score,
                           m.last,
                           CASE WHEN m.recent IS NOT NULL THEN %(trend)s END AS trend
                      FROM best b
                CROSS JOIN LATERAL (%(window)s) m
                ), stale AS (
                    -- rows of these partners whose rapport is gone
                    SELECT s.id, s.partner_id, s.company_id,
                           (s.silent OR s.silent_since IS NOT NULL
                            OR s.recent_revenue IS NOT NULL) AS keep
                      FROM empathy_partner_stat s
                     WHERE s.partner_id IN (SELECT id FROM locked)
                       AND NOT EXISTS (SELECT 1 FROM fresh f
                                        WHERE f.partner_id = s.partner_id
                                          AND f.company_id = s.company_id)
                ), gone AS (
                    -- nothing left in them (no silent-customer figures either)
                    DELETE FROM empathy_partner_stat s
                     USING stale
                     WHERE s.id = stale.id AND NOT stale.keep
                 RETURNING s.id, s.partner_id
                ), upserted AS (
                    INSERT INTO empathy_partner_stat AS s
                           (partner_id, company_id, best_advisor_id, best_rapport,
                            last_impression_date, mood_trend, silent,
                            create_uid, create_date, write_uid, write_date)
                    SELECT t.partner_id, t.company_id, t.user_id, t.score, t.last, t.trend,
                           FALSE, %(uid)s, now() AT TIME ZONE 'UTC',
                           %(uid)s, now() AT TIME ZONE 'UTC'
                      FROM (
                            SELECT partner_id, company_id, user_id, score, last, trend
                              FROM fresh
                         UNION ALL
                            SELECT partner_id, company_id, NULL, NULL, NULL, NULL
                              FROM stale WHERE keep
                           ) t
                  ORDER BY t.partner_id, t.company_id
                        ON CONFLICT (partner_id, company_id) DO UPDATE
                       SET best_advisor_id = EXCLUDED.best_advisor_id,
                           best_rapport = EXCLUDED.best_rapport,
                           last_impression_date = EXCLUDED.last_impression_date,
                           mood_trend = EXCLUDED.mood_trend,
                           write_uid = EXCLUDED.write_uid,
                           write_date = EXCLUDED.write_date
                     WHERE (s.best_advisor_id, s.best_rapport, s.last_impression_date,
                            s.mood_trend)
                           IS DISTINCT FROM
                           (EXCLUDED.best_advisor_id, EXCLUDED.best_rapport,
                            EXCLUDED.last_impression_date, EXCLUDED.mood_trend)
                 RETURNING s.id, s.partner_id
                )
                SELECT id, partner_id FROM upserted
                 UNION ALL
                SELECT id, partner_id FROM gone
                """,
                ids=ids,
                uid=self.env.uid,
                rank=self.env["empathy.rapport"]._empathy_rank_order(),
                window=mood_window_sql(SQL("b.partner_id"), SQL("b.company_id")),
                trend=mood_trend_sql(SQL("m.recent"), SQL("m.earlier")),
            )
        )
        self._empathy_stats_written(self.env.cr.fetchall())

    @api.model
    def _empathy_stats_written(self, rows):
        """Invalidate what raw SQL wrote or deleted, rows ``(stat id, partner id)``:
        the rows and the contacts' rows and figures (``modified``)."""
        if not rows:
            return
        self.env["empathy.partner.stat"].browse({row[0] for row in rows}).invalidate_recordset()
        partners = self.browse({row[1] for row in rows})
        partners.invalidate_recordset(["empathy_stat_ids"])
        # the contacts' figures depend on their rows (empathy_stat_ids.*)
        partners.modified(["empathy_stat_ids"])
