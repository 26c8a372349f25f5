# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The compact briefing: three to six lines where the salesperson acts (pipeline,
impression dialog, composer, calendar, activity popovers, handover).
"""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.i18n import format_list

from ..tools.briefing import item, line, render_briefing
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.profile_fields import PROFILED_FIELDS
from ..tools.vocabulary import STYLE_PHRASES, TEMPERAMENT_PHRASES, mood_label, phrase, stars

#: an impression's note in one line of a briefing: at most this many characters
NOTE_CHARS = 90


class ResPartner(models.Model):
    _inherit = "res.partner"

    # rendered by the QWeb template ``briefing_compact`` from ``_empathy_briefing_data``
    # (the template escapes every value, nothing to sanitise)
    empathy_briefing_compact = fields.Html(
        string="Compact briefing",
        compute="_compute_empathy_briefing_compact",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="Three to six lines for the places where a contact starts or ends: tone,"
        " motives, what to remember, rapport, mood trend and the last impression.",
    )

    @api.depends_context("lang", "uid", "allowed_company_ids")
    @api.depends(
        "empathy_communication_style",
        "empathy_temperament",
        "empathy_preferred_channel",
        "empathy_motive_ids",
        "empathy_personal_notes",
        "empathy_best_advisor_id",
        "empathy_best_rapport",
        "empathy_mood_trend",
        "empathy_last_impression_date",
        "empathy_objection",
        "commercial_partner_id.empathy_objection",
    )
    def _compute_empathy_briefing_compact(self):
        data = self._empathy_briefing_data(compact=True)
        for partner in self:
            partner.empathy_briefing_compact = render_briefing(self.env, data[partner])

    def _empathy_is_profiled(self):
        """Return whether anything empathy-related is known (an objection counts)."""
        self.ensure_one()
        # columns first: the motives cost a query (for all partners at once)
        return any(self[name] for name in PROFILED_FIELDS)

    def _empathy_tone_hint(self):
        """Return the one-line style hint, e.g. for the email composer ('' if unknown)."""
        self.ensure_one()
        parts = [
            part
            for part in (
                phrase(self.env, STYLE_PHRASES, self.empathy_communication_style, "hint"),
                phrase(self.env, TEMPERAMENT_PHRASES, self.empathy_temperament, "hint"),
            )
            if part
        ]
        hint = "; ".join(parts)
        return hint[:1].upper() + hint[1:]

    def _empathy_impression_line(self, impression):
        """Return 'date, advisor: ★★★★☆ Pleased. note' for one impression.

        The mood in the dialog's words (no emoji: not every machine has a font for them).
        """
        note = (impression.note or "").strip()
        if len(note) > NOTE_CHARS:
            note = note[: NOTE_CHARS - 1] + "…"
        return self.env._(
            "%(date)s, %(advisor)s: %(stars)s %(mood)s. %(note)s",
            # the short day of every date of the briefing ("31 May" / "31. Mai")
            date=self._empathy_format_day(impression.date),
            advisor=self._empathy_advisor_name(impression.user_id),
            stars=stars(impression.rapport),
            mood=mood_label(self.env, impression.mood),
            note=note,
        ).strip()

    def _empathy_impression_item(self, impression):
        """Return an impression as an item of a briefing line (text and figures)."""
        return item(
            self._empathy_impression_line(impression),
            impression.id,
            date=fields.Datetime.to_string(impression.date),
            user_id=impression.user_id.id,
            rapport=impression.rapport,
            mood=impression.mood,
            note=impression.note or "",
        )

    def _empathy_briefing_compact_lines(self):
        """Return {partner: [lines of the compact briefing]} as seen by the current user.

        Set-based: a constant number of queries whatever the number of partners
        (motives, when they were heard, my rapport, the last impressions).
        """
        ids = [pid for pid in self._origin.ids if pid]
        Evidence = self.env["empathy.motive.evidence"]
        last_heard = Evidence._empathy_last_heard(self.browse(ids)) if ids else {}
        stale_after = Evidence._empathy_stale_months()
        mine, scores = {}, {}
        if ids:
            # every advisor's fair rapport (one query): mine, and who ties with the best
            rows = (
                self.env["empathy.rapport"]
                .sudo()
                .search_fetch(
                    [
                        ("partner_id", "in", ids),
                        ("company_id", "=", self.env.company.id),
                        ("impression_count", ">", 0),
                    ],
                    ["partner_id", "user_id", "fair_score"],
                )
            )
            for row in rows:
                scores.setdefault(row.partner_id.id, {})[row.user_id.id] = row.fair_score
                if row.user_id.id == self.env.uid:
                    mine[row.partner_id.id] = row.fair_score
        last = self._empathy_last_impressions(limit=1)
        # prefetch what the loop reads, one query per relation
        self.mapped("empathy_motive_ids.name")
        self.mapped("empathy_best_advisor_id.name")
        channels = dict(self._fields["empathy_preferred_channel"]._description_selection(self.env))
        now = fields.Datetime.now()
        env = self.env

        result = {}
        for partner in self:
            pid = partner._origin.id
            if partner._empathy_is_objecting():
                result[partner] = [
                    line("objection", env._("Objects to profiling"), level="warning")
                ]
                continue
            lines = []
            tone = partner._empathy_tone_hint()
            channel = channels.get(partner.empathy_preferred_channel)
            if channel:
                prefers = env._("prefers %s", channel)
                tone = "%s; %s" % (tone, prefers) if tone else prefers[:1].upper() + prefers[1:]
            if tone:
                lines.append(
                    line(
                        "tone",
                        tone,
                        style=partner.empathy_communication_style or False,
                        temperament=partner.empathy_temperament or False,
                        channel=partner.empathy_preferred_channel or False,
                    )
                )
            motives = []
            for motive in partner.empathy_motive_ids:
                date = last_heard.get((pid, motive.id))
                if not date:
                    motives.append(item(motive.name, motive.id, name=motive.name))
                    continue
                heard = self._empathy_format_day(date)
                stale = Evidence._empathy_months_ago(date, now) >= stale_after
                if stale:
                    text = env._(
                        "%(motive)s (heard %(date)s: check if still true)",
                        motive=motive.name,
                        date=heard,
                    )
                else:
                    text = env._("%(motive)s (heard %(date)s)", motive=motive.name, date=heard)
                motives.append(
                    item(
                        text,
                        motive.id,
                        "warning" if stale else "info",
                        name=motive.name,
                        last_heard=fields.Datetime.to_string(date),
                        stale=stale,
                    )
                )
            if motives:
                lines.append(
                    line(
                        "motives",
                        ", ".join(motive["text"] for motive in motives),
                        env._("Motives:"),
                        items=motives,
                    )
                )
            if partner.empathy_personal_notes:
                lines.append(line("notes", partner.empathy_personal_notes, env._("Remember:")))
            rapport = partner._empathy_compact_rapport(mine.get(pid), scores.get(pid, {}))
            if rapport:
                best = partner.empathy_best_advisor_id
                lines.append(
                    line(
                        "rapport",
                        rapport,
                        env._("Rapport:"),
                        score=round(mine[pid], 2) if pid in mine else False,
                        user_id=best.id,
                        best_score=round(partner.empathy_best_rapport, 2) if best else False,
                    )
                )
            if partner.empathy_mood_trend:
                lines.append(partner._empathy_mood_trend_line())
            if last.get(pid):
                impression = partner._empathy_impression_item(last[pid][0])
                lines.append(
                    line(
                        "last_impression",
                        impression["text"],
                        env._("Last impression:"),
                        impression=impression,
                    )
                )
            if not lines:
                lines.append(line("empty", env._("Nothing known yet."), level="muted"))
            result[partner] = lines
        return result

    def _empathy_compact_rapport(self, mine, scores=None):
        """Return the compact rapport line: one fair figure per pair, "you" for the reader.

        ``mine``: the reader's own fair rapport with this contact (None: never met);
        ``scores``: {advisor id: fair rapport} of the contact's advisors. Figures read
        with one decimal: two advisors whose figures read the same are a tie, said as
        such ("as good as"), never a ranking.
        """
        self.ensure_one()
        best = self.empathy_best_advisor_id
        fmt = self._empathy_format_score
        if not best:
            return self.env._("yours %s / 5", fmt(mine)) if mine is not None else ""
        top = fmt(self.empathy_best_rapport)
        leaders = {user_id for user_id, score in (scores or {}).items() if fmt(score) == top}
        leaders.add(best.id)
        users = self.env["res.users"].sudo().browse(sorted(leaders - {self.env.uid}))
        names = format_list(self.env, [best.name, *(users - best).mapped("name")])
        if mine is not None and (best == self.env.user or fmt(mine) == top):
            if not users:
                return self.env._("yours %(score)s / 5, the best in the team", score=fmt(mine))
            others = format_list(self.env, users.mapped("name"))
            return self.env._(
                "yours %(score)s / 5, as good as %(advisors)s: the best in the team",
                score=fmt(mine),
                advisors=others,
            )
        if len(users) > 1:
            theirs = self.env._(
                "%(advisors)s click best (%(score)s / 5)", advisors=names, score=top
            )
        else:
            theirs = self.env._(
                "%(advisor)s clicks best (%(score)s / 5)", advisor=best.name, score=top
            )
        if mine is None:
            return theirs
        return self.env._("yours %(score)s / 5 · %(best)s", score=fmt(mine), best=theirs)

    # ------------------------------------------------------------------
    # Raw SQL (compact briefing): listed in readme/DEVELOPMENT.md
    # ------------------------------------------------------------------
    def _empathy_last_impressions(self, limit=1):
        """Return {partner id: the newest ``limit`` impressions of the user's companies}.

        One query for all partners (index on partner and date), plus one to read them.

        Raw SQL (the ORM has no "newest N per partner": a ``search`` per partner, or
        all impressions of all partners):

        * flush: the impressions' ``partner_id``, ``company_id``, ``date``;
        * cache, ``modified()``, write_date: nothing to take over, read-only;
        * record rules and companies: read as the superuser, with the two rules a
          salesperson's read of impressions has, coded by hand: the multi-company
          rule ``company_id in company_ids`` is ``i.company_id = ANY(env.companies)``
          (the same ids the rule's ``company_ids`` evaluates to; ``company_id`` is
          required, so no ``IS NULL`` arm), and the objection rule is the callers'
          (``_empathy_briefing_compact_lines`` and the handover details skip objecting
          partners before reading the result);
        * speed: the briefing costs 3 queries / 2 ms on the partner form at 200,000
          partners and 2,000,000 impressions (benchmarks/README.md, *Partner form*).
        """
        ids = [pid for pid in self._origin.ids if pid]
        Impression = self.env["empathy.impression"].sudo()
        if not ids:
            return {}
        Impression.flush_model(["partner_id", "company_id", "date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT r.id
                  FROM unnest(%(ids)s::int[]) AS p(id)
                  JOIN LATERAL (
                        SELECT i.id, i.date
                          FROM empathy_impression i
                         WHERE i.partner_id = p.id
                           AND i.company_id = ANY(%(companies)s)
                      ORDER BY i.date DESC, i.id DESC
                         LIMIT %(limit)s
                       ) r ON TRUE
              ORDER BY r.date DESC, r.id DESC
                """,
                ids=ids,
                companies=self.env.companies.ids,
                limit=limit,
            )
        )
        impressions = Impression.browse([row[0] for row in self.env.cr.fetchall()])
        impressions.fetch(["partner_id", "user_id", "date", "rapport", "mood", "note"])
        impressions.user_id.mapped("name")
        result = {}
        for impression in impressions:
            result.setdefault(impression.partner_id.id, Impression.browse())
            result[impression.partner_id.id] |= impression
        return result
