# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Predictive lead scoring: the empathy factors of a lead (issue #20).

Rapport with the salesperson, mood trend, communication style and whether a motive is
known, as lead fields that Predictive Lead Scoring learns from (frozen when the lead
is won or lost), refreshed set-based; and the explanation of what moves the
probability.
"""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.briefing import render
from ..tools.fair import LOW_RAPPORT
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.mood_sql import mood_trend_sql, mood_window_sql
from ..tools.vocabulary import COMMUNICATION_STYLES, MOOD_TRENDS, STYLE_PHRASES, phrase

#: rapport bands on the 1-5 scale: low below LOW_RAPPORT, high from RAPPORT_HIGH
RAPPORT_HIGH = 3.75
RAPPORT_BANDS = [("none", "None"), ("low", "Low"), ("medium", "Medium"), ("high", "High")]
MOOD_BANDS = [("none", "None"), *reversed(MOOD_TRENDS)]
STYLE_BANDS = [("none", "None"), *COMMUNICATION_STYLES]
#: PLS ignores empty values, and a Boolean would only ever count its True side
#: (a factor of 1): "motive known" needs two non-empty values
MOTIVE_BANDS = [("no", "No"), ("yes", "Yes")]
#: the lead fields fed to Predictive Lead Scoring, with their neutral value
SCORING_FIELDS = {
    "empathy_rapport_band": "none",
    "empathy_mood_band": "none",
    "empathy_style_band": "none",
    "empathy_motive_known": "no",
}
#: the explanation names a factor only with this many comparable closed leads
SCORING_MIN_COUNT = 5
#: open leads refreshed per statement by the nightly rescoring
SCORING_BATCH = 1000
#: a factor's win rate within this of the team's reads as even (half a percent point)
RATE_TOLERANCE = 0.005


class CrmLead(models.Model):
    _inherit = "crm.lead"

    empathy_rapport_band = fields.Selection(
        RAPPORT_BANDS,
        string="Empathy: rapport with the salesperson",
        default="none",
        readonly=True,
        copy=False,
        index=True,
        groups=EMPATHY_USER_GROUP,
        help="How well the salesperson clicks with the contact (fair rapport where known)."
        " Follows the impressions while the lead is open, frozen when it is won or lost.",
    )
    empathy_mood_band = fields.Selection(
        MOOD_BANDS,
        string="Empathy: mood trend",
        default="none",
        readonly=True,
        copy=False,
        index=True,
        groups=EMPATHY_USER_GROUP,
        help="The contact's mood in the last impressions against the ones before."
        " Frozen when the lead is won or lost.",
    )
    empathy_style_band = fields.Selection(
        STYLE_BANDS,
        string="Empathy: communication style",
        default="none",
        readonly=True,
        copy=False,
        index=True,
        groups=EMPATHY_USER_GROUP,
        help="The contact's communication style. Frozen when the lead is won or lost.",
    )
    empathy_motive_known = fields.Selection(
        MOTIVE_BANDS,
        string="Empathy: motive known",
        default="no",
        readonly=True,
        copy=False,
        index=True,
        groups=EMPATHY_USER_GROUP,
        help="The contact has at least one purchase motive. Frozen when the lead is won or lost.",
    )
    # rendered by the QWeb template ``scoring_explanation`` (which escapes every value)
    empathy_scoring_explanation = fields.Html(
        string="What moves the probability",
        compute="_compute_empathy_scoring_explanation",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="Win rates of comparable closed leads for the empathy factors of this lead,"
        " from the Predictive Lead Scoring frequency tables.",
    )

    def _empathy_is_closed(self):
        """Return whether the lead is won or lost (its empathy factors are frozen)."""
        self.ensure_one()
        return not self.active or self.stage_id.is_won

    @api.model
    def _empathy_scoring_flush(self):
        """Flush what the refresh statement reads."""
        self.env["crm.lead"].flush_model(
            ["partner_id", "user_id", "company_id", "active", "stage_id", *SCORING_FIELDS]
        )
        self.env["res.partner"].flush_model(["empathy_objection", "commercial_partner_id"])
        self.env["empathy.profile"].flush_model(
            ["partner_id", "communication_style", "temperament", "personal_notes", "motive_ids"]
        )
        self.env["empathy.partner.stat"].flush_model(
            ["partner_id", "company_id", "last_impression_date"]
        )
        self.env["empathy.rapport"].flush_model()
        self.env["empathy.impression"].flush_model(["partner_id", "company_id", "date", "mood"])

    @api.model
    def _empathy_profiled_sql(self, partner, company):
        """Return the SQL condition "something is known of the contact ``partner`` in
        ``company``": the twin of ``res.partner._empathy_is_profiled``
        (``tools/profile_fields.PROFILED_FIELDS``: the objection, a last impression
        in the company, a communication style, a temperament, personal notes or a
        motive), so that the scoring bands describe the contact the badge and the
        briefing describe (``crm.lead._empathy_briefed_partner``). A fragment of
        ``_empathy_scoring_update`` (its flush covers what it reads).
        """
        return SQL(
            """(
                COALESCE((SELECT pp.empathy_objection FROM res_partner pp
                           WHERE pp.id = %(p)s), FALSE)
                OR EXISTS (SELECT 1 FROM empathy_partner_stat st
                            WHERE st.partner_id = %(p)s AND st.company_id = %(c)s
                              AND st.last_impression_date IS NOT NULL)
                OR EXISTS (SELECT 1 FROM empathy_profile pf
                            WHERE pf.partner_id = %(p)s
                              AND (pf.communication_style IS NOT NULL
                                   OR pf.temperament IS NOT NULL
                                   OR COALESCE(pf.personal_notes, '') != ''
                                   OR EXISTS (SELECT 1 FROM empathy_profile_motive_rel m
                                               WHERE m.profile_id = pf.id)))
            )""",
            p=partner,
            c=company,
        )

    def _empathy_scoring_refresh(self):
        """Refresh the empathy factors of the open leads in ``self`` (one statement)."""
        ids = [lead_id for lead_id in self.ids if lead_id]
        if ids:
            self._empathy_scoring_update(SQL("l.id = ANY(%s)", ids))

    @api.model
    def _empathy_scoring_refresh_partners(self, partner_ids):
        """Refresh the open leads of these contacts and of their company's contacts."""
        partner_ids = [pid for pid in partner_ids if pid]
        if partner_ids:
            self._empathy_scoring_update(
                SQL(
                    "(l.partner_id = ANY(%(ids)s) OR p.commercial_partner_id = ANY(%(ids)s))",
                    ids=partner_ids,
                )
            )

    @api.model
    def _cron_empathy_scoring_refresh(self):
        """Nightly: bring the empathy factors of all open leads up to date, in batches."""
        ids = self._empathy_sql_open_lead_ids()
        for start in range(0, len(ids), SCORING_BATCH):
            self.browse(ids[start : start + SCORING_BATCH])._empathy_scoring_refresh_batch()
        return True

    def _empathy_scoring_refresh_batch(self):
        """Refresh one batch of open leads and write what follows (probabilities)."""
        self._empathy_scoring_refresh()
        self.env.flush_all()
        self.env.invalidate_all()

    # -- explanation ------------------------------------------------------------
    @api.model
    def _empathy_scoring_labels(self):
        """Return {(field, value): label} of the factors the explanation names."""
        return {
            ("empathy_rapport_band", "high"): self.env._("High rapport with the salesperson"),
            ("empathy_rapport_band", "medium"): self.env._("Medium rapport with the salesperson"),
            ("empathy_rapport_band", "low"): self.env._("Low rapport with the salesperson"),
            ("empathy_mood_band", "improving"): self.env._("Customer's mood improving"),
            ("empathy_mood_band", "stable"): self.env._("Customer's mood stable"),
            ("empathy_mood_band", "declining"): self.env._("Customer's mood declining"),
            **{
                ("empathy_style_band", style): phrase(self.env, STYLE_PHRASES, style, "factor")
                for style in STYLE_PHRASES
            },
            ("empathy_motive_known", "yes"): self.env._("Purchase motive known"),
            ("empathy_motive_known", "no"): self.env._("No purchase motive known yet"),
        }

    def _empathy_scoring_frequencies(self, used):
        """Return {team_id or -1: {field: {value: (won, lost)}}} for the ``used`` fields.

        Like Predictive Lead Scoring itself, a team without history of its own
        falls back to all teams together (key -1).
        """
        rows = (
            self.env["crm.lead.scoring.frequency"]
            .sudo()
            .search_read(
                [("variable", "in", used)],
                ["variable", "value", "won_count", "lost_count", "team_id"],
            )
        )
        tables = {-1: {}}
        for row in rows:
            team = row["team_id"][0] if row["team_id"] else None
            # PLS adds 0.1 to each count of a new row against zero frequencies
            won_count = max(row["won_count"] - 0.1, 0.0)
            lost_count = max(row["lost_count"] - 0.1, 0.0)
            for key in [-1] if team is None else [team, -1]:
                values = tables.setdefault(key, {}).setdefault(row["variable"], {})
                won, lost = values.get(row["value"], (0.0, 0.0))
                values[row["value"]] = (won + won_count, lost + lost_count)
        return tables

    def _empathy_scoring_factors(self):
        """Return {lead id: [(label, win rate, count, team rate)]}, strongest first.

        Only the empathy fields ticked in the Predictive Lead Scoring settings are
        explained, with the win rate of the closed leads of the same team that had
        the same value; contacts who object to profiling get no factors.
        """
        used = [name for name in self._pls_get_safe_fields() if name in SCORING_FIELDS]
        result = {lead.id: [] for lead in self}
        if not used or not self:
            return result
        tables = self._empathy_scoring_frequencies(used)
        labels = self._empathy_scoring_labels()
        for lead in self.sudo():
            partner = lead.partner_id
            if not partner or partner._empathy_is_objecting():
                continue
            team_table = tables.get(lead.team_id.id) or tables[-1]
            factors = []
            for name in used:
                value = lead[name]
                label = labels.get((name, value))
                counts = team_table.get(name, {})
                won, lost = counts.get(value, (0.0, 0.0))
                # every closed lead counts once per field: the totals are the team's
                won_total = sum(w for w, _l in counts.values())
                lost_total = sum(lo for _w, lo in counts.values())
                count = round(won + lost)
                if not label or count < SCORING_MIN_COUNT:
                    continue
                rate = won / (won + lost)
                team_rate = won_total / (won_total + lost_total)
                factors.append((label, rate, count, team_rate))
            factors.sort(key=lambda f: -abs(f[1] - f[3]))
            result[lead.id] = factors
        return result

    @api.depends_context("lang")
    @api.depends("team_id", "partner_id", *SCORING_FIELDS)
    def _compute_empathy_scoring_explanation(self):
        factors = self._empathy_scoring_factors()
        for lead in self:
            items = []
            for label, rate, count, team_rate in factors.get(lead.id, []):
                direction = (
                    "up"
                    if rate > team_rate + RATE_TOLERANCE
                    else "down"
                    if rate < team_rate - RATE_TOLERANCE
                    else "even"
                )
                text = self.env._(
                    "%(factor)s: won %(rate)s %% of %(count)s comparable leads"
                    " (team average %(team)s %%)",
                    factor=label,
                    rate=round(100 * rate),
                    count=count,
                    team=round(100 * team_rate),
                )
                items.append({"direction": direction, "text": text})
            lead.empathy_scoring_explanation = (
                render(self.env, "scoring_explanation", factors=items) if items else False
            )

    # ------------------------------------------------------------------
    # Raw SQL (lead scoring factors): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    @api.model
    def _empathy_scoring_update(self, where):
        """Set the empathy factors of the open leads matching ``where`` (SQL on ``l``).

        Set-based: the same queries for one lead or thousands. Won and lost leads are
        never touched (their values are frozen); contacts objecting to profiling get
        the neutral values. Only leads whose values change are marked as modified.

        Raw SQL, what it takes over from the ORM:

        * flush: ``_empathy_scoring_flush`` (leads, stages, contacts, profiles,
          rapport rows, impressions: what the statement reads);
        * cache and ``modified()``: the four fields of the changed leads
          (``RETURNING``), so the explanation and Predictive Lead Scoring see them;
        * write_date/write_uid: not set: derived factors of the contact (like core's
          ``automated_probability``, which Predictive Lead Scoring itself writes by
          SQL without them); the lead was not edited, and the nightly rescoring
          would otherwise mark every open lead as modified by the cron;
        * record rules and companies: none, on purpose: the factors must be the same
          whoever triggers the refresh (they feed the team's frequency tables); each
          lead reads its own company's rapport row and impressions (the lead's
          company, else its salesperson's);
        * speed: one statement for any number of leads; no millisecond figure is
          benchmarked (``tests/test_lead_scoring.py`` guards its query count); the
          ORM would read each lead's contact, rapport row and newest impressions.
        """
        self._empathy_scoring_flush()
        self.env.cr.execute(
            SQL(
                """
                WITH open_leads AS (
                    SELECT l.id, l.user_id, COALESCE(l.company_id, u.company_id) AS company_id,
                           p.id AS contact_id, cp.id AS company_contact_id,
                           (COALESCE(p.empathy_objection, FALSE)
                            OR COALESCE(cp.empathy_objection, FALSE)) AS objecting
                      FROM crm_lead l
                 LEFT JOIN crm_stage s ON s.id = l.stage_id
                 LEFT JOIN res_users u ON u.id = l.user_id
                 LEFT JOIN res_partner p ON p.id = l.partner_id
                 LEFT JOIN res_partner cp ON cp.id = p.commercial_partner_id
                     WHERE %(where)s
                       AND l.active AND NOT COALESCE(s.is_won, FALSE)
                ), leads AS (
                    -- the briefed contact, as crm.lead._empathy_briefed_partner: the
                    -- contact, its company when nothing is known about the contact
                    SELECT o.id, o.user_id, o.company_id, o.objecting, b.partner_id,
                           pr.id AS profile_id, pr.communication_style AS style
                      FROM open_leads o
                CROSS JOIN LATERAL (
                            SELECT CASE WHEN o.company_contact_id IS NOT NULL
                                         AND o.company_contact_id != o.contact_id
                                         AND NOT %(profiled)s
                                        THEN o.company_contact_id
                                        ELSE o.contact_id END AS partner_id
                           ) b
                 LEFT JOIN empathy_profile pr ON pr.partner_id = b.partner_id
                ), bands AS (
                    SELECT l.id,
                           CASE WHEN l.objecting OR %(rapport)s IS NULL THEN 'none'
                                WHEN %(rapport)s < %(low)s THEN 'low'
                                WHEN %(rapport)s < %(high)s THEN 'medium'
                                ELSE 'high' END AS rapport_band,
                           CASE WHEN l.objecting OR m.recent IS NULL THEN 'none'
                                ELSE %(trend)s END AS mood_band,
                           CASE WHEN l.objecting OR l.style IS NULL THEN 'none'
                                ELSE l.style END AS style_band,
                           CASE WHEN NOT l.objecting AND EXISTS (
                                    SELECT 1 FROM empathy_profile_motive_rel rel
                                     WHERE rel.profile_id = l.profile_id
                                ) THEN 'yes' ELSE 'no' END AS motive_known
                      FROM leads l
                 LEFT JOIN empathy_rapport r
                        ON r.partner_id = l.partner_id AND r.user_id = l.user_id
                       AND r.company_id = l.company_id
                 LEFT JOIN LATERAL (%(window)s) m ON TRUE
                )
                UPDATE crm_lead l
                   SET empathy_rapport_band = b.rapport_band,
                       empathy_mood_band = b.mood_band,
                       empathy_style_band = b.style_band,
                       empathy_motive_known = b.motive_known
                  FROM bands b
                 WHERE l.id = b.id
                   AND (l.empathy_rapport_band IS DISTINCT FROM b.rapport_band
                        OR l.empathy_mood_band IS DISTINCT FROM b.mood_band
                        OR l.empathy_style_band IS DISTINCT FROM b.style_band
                        OR l.empathy_motive_known IS DISTINCT FROM b.motive_known)
             RETURNING l.id
                """,
                where=where,
                profiled=self._empathy_profiled_sql(SQL("o.contact_id"), SQL("o.company_id")),
                rapport=SQL("r.fair_score"),
                low=LOW_RAPPORT,
                high=RAPPORT_HIGH,
                window=mood_window_sql(SQL("l.partner_id"), SQL("l.company_id")),
                trend=mood_trend_sql(SQL("m.recent"), SQL("m.earlier")),
            )
        )
        changed = self.env["crm.lead"].browse(row[0] for row in self.env.cr.fetchall())
        if changed:
            changed.invalidate_recordset(list(SCORING_FIELDS))
            changed.modified(list(SCORING_FIELDS))
        return changed

    @api.model
    def _empathy_sql_open_lead_ids(self):
        """Return the ids of all open leads (active, not in a won stage), one query.

        Raw SQL: ids only, whatever the caller's record rules and active companies
        (the nightly rescoring covers every company's open leads) and with the
        same notion of "open" as ``_empathy_scoring_update`` (a lead without stage
        is open). Flush: ``active``, ``stage_id`` of leads and ``is_won`` of stages;
        read-only: no cache, ``modified()`` or write date to take over. Speed is
        not the reason (a sudo ``search`` is one query too); no figure.
        """
        self.env["crm.lead"].flush_model(["active", "stage_id"])
        self.env["crm.stage"].flush_model(["is_won"])
        self.env.cr.execute(
            SQL(
                "SELECT l.id FROM crm_lead l LEFT JOIN crm_stage s ON s.id = l.stage_id"
                " WHERE l.active AND NOT COALESCE(s.is_won, FALSE) ORDER BY l.id"
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
