# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The compact briefing: three to six lines where the salesperson acts (pipeline,
impression dialog, composer, calendar, activity popovers, handover).
"""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.i18n import format_list

from .empathy_groups import EMPATHY_USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

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
        compact = self._empathy_briefing_compact_map()
        for partner in self:
            partner.empathy_briefing_compact = compact[partner]

    def _empathy_is_profiled(self):
        """Return whether anything empathy-related is known (an objection counts)."""
        self.ensure_one()
        # columns first: the motives cost a query (for all partners at once)
        return bool(
            self.empathy_objection
            or self.empathy_last_impression_date
            or self.empathy_communication_style
            or self.empathy_temperament
            or self.empathy_personal_notes
            or self.empathy_motive_ids
        )

    def _empathy_tone_hint(self):
        """Return the one-line style hint, e.g. for the email composer ('' if unknown)."""
        self.ensure_one()
        style = {
            "factual": self.env._("Fact-oriented: lead with figures"),
            "emotional": self.env._("Emotion-oriented: tell a story, show the product in use"),
            "mixed": self.env._("Mixed: a story first, then two or three facts"),
        }
        temperament = {
            "easy": self.env._("easy-going: a relaxed, personal tone"),
            "neutral": self.env._("neutral: friendly and to the point"),
            "demanding": self.env._("demanding: confirm in writing"),
        }
        parts = [
            part
            for part in (
                style.get(self.empathy_communication_style),
                temperament.get(self.empathy_temperament),
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
        if len(note) > 90:
            note = note[:89] + "…"
        return self.env._(
            "%(date)s, %(advisor)s: %(stars)s %(mood)s. %(note)s",
            # the short day of every date of the briefing ("31 May" / "31. Mai")
            date=self._empathy_format_day(impression.date),
            advisor=self._empathy_advisor_name(impression.user_id),
            stars="★" * impression.rapport + "☆" * (5 - impression.rapport),
            mood=self._empathy_mood_label(impression.mood),
            note=note,
        ).strip()

    def _empathy_mood_label(self, mood):
        """Return the customer's mood in the words of the impression dialog."""
        labels = dict(
            self.env["empathy.impression.wizard"]._fields["mood"]._description_selection(self.env)
        )
        return labels.get(str(mood), "")

    def _empathy_briefing_compact_map(self):
        """Return {partner: compact briefing (Markup)} as seen by the current user.

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
        trends = dict(self._fields["empathy_mood_trend"]._description_selection(self.env))
        trend_icons = {
            "improving": "fa-arrow-up text-success",
            "stable": "fa-arrow-right text-muted",
            "declining": "fa-arrow-down text-danger",
        }
        now = fields.Datetime.now()

        def line(icon, label, value):
            return Markup(
                "<div class='o_empathy_compact_line'><i class='fa fa-fw %s' aria-hidden='true'></i>"
                " <strong>%s</strong> %s</div>"
            ) % (icon, label, value)

        result = {}
        for partner in self:
            pid = partner._origin.id
            if partner._empathy_is_objecting():
                result[partner] = Markup(
                    "<div class='o_empathy_briefing_compact o_empathy_objecting text-warning'>"
                    "<i class='fa fa-fw fa-ban' aria-hidden='true'></i> %s</div>"
                ) % self.env._("Objects to profiling")
                continue
            lines = []
            tone = partner._empathy_tone_hint()
            channel = channels.get(partner.empathy_preferred_channel)
            if channel:
                prefers = self.env._("prefers %s", channel)
                tone = "%s; %s" % (tone, prefers) if tone else prefers[:1].upper() + prefers[1:]
            if tone:
                lines.append(
                    Markup(
                        "<div class='o_empathy_compact_line o_empathy_tone'>"
                        "<i class='fa fa-fw fa-comments-o' aria-hidden='true'></i> %s</div>"
                    )
                    % tone
                )
            motives = []
            for motive in partner.empathy_motive_ids:
                date = last_heard.get((pid, motive.id))
                if not date:
                    motives.append(motive.name)
                    continue
                heard = self._empathy_format_day(date)
                if Evidence._empathy_months_ago(date, now) >= stale_after:
                    motives.append(
                        Markup("<span class='text-warning'>%s</span>")
                        % self.env._(
                            "%(motive)s (heard %(date)s: check if still true)",
                            motive=motive.name,
                            date=heard,
                        )
                    )
                else:
                    motives.append(
                        self.env._("%(motive)s (heard %(date)s)", motive=motive.name, date=heard)
                    )
            if motives:
                lines.append(
                    line("fa-bullseye", self.env._("Motives:"), Markup(", ").join(motives))
                )
            if partner.empathy_personal_notes:
                lines.append(
                    line(
                        "fa-sticky-note-o", self.env._("Remember:"), partner.empathy_personal_notes
                    )
                )
            rapport = partner._empathy_compact_rapport(mine.get(pid), scores.get(pid, {}))
            if rapport:
                lines.append(line("fa-handshake-o", self.env._("Rapport:"), rapport))
            if partner.empathy_mood_trend:
                lines.append(
                    line(
                        trend_icons[partner.empathy_mood_trend],
                        self.env._("Mood trend:"),
                        trends[partner.empathy_mood_trend],
                    )
                )
            if last.get(pid):
                lines.append(
                    line(
                        "fa-clock-o",
                        self.env._("Last impression:"),
                        self._empathy_impression_line(last[pid][0]),
                    )
                )
            if not lines:
                lines.append(
                    Markup("<div class='o_empathy_compact_line text-muted'>%s</div>")
                    % self.env._("Nothing known yet.")
                )
            result[partner] = Markup("<div class='o_empathy_briefing_compact'>%s</div>") % Markup(
                ""
            ).join(lines)
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
          (``_empathy_briefing_compact_map`` and the handover details skip objecting
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
