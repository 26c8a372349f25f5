# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's briefing: how to talk to this person, what matters to them, who
clicks with them; the briefing as data (``empathy_briefing_data``) for the web client
and the external API; the number and date formats shared by both briefings.
"""

from babel.dates import format_skeleton

from odoo import api, fields, models
from odoo.tools import format_date, formatLang
from odoo.tools.misc import babel_locale_parse

from ..tools import compat
from ..tools.briefing import briefing, item, line, render_briefing
from ..tools.fair import LOW_RAPPORT, UNCERTAIN_BELOW
from ..tools.groups import EMPATHY_USER_GROUP
from ..tools.vocabulary import STYLE_PHRASES, TEMPERAMENT_PHRASES, phrase


class ResPartner(models.Model):
    _inherit = "res.partner"

    # rendered by the QWeb template ``briefing_full`` from ``_empathy_briefing_data``:
    # the template escapes every value, nothing to sanitise
    empathy_briefing = fields.Html(
        string="Briefing",
        compute="_compute_empathy_briefing",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
    )

    @api.depends_context("lang", "uid")
    @api.depends(
        "empathy_communication_style",
        "empathy_temperament",
        "empathy_preferred_channel",
        "empathy_motive_ids",
        "empathy_value_ids",
        "empathy_why",
        "empathy_personal_notes",
        "empathy_best_advisor_id",
        "empathy_best_rapport",
        "empathy_mood_trend",
        "empathy_objection",
    )
    def _compute_empathy_briefing(self):
        data = self._empathy_briefing_data()
        for partner in self:
            partner.empathy_briefing = render_briefing(self.env, data[partner])

    # ------------------------------------------------------------------
    # public API
    # ------------------------------------------------------------------
    def empathy_briefing_data(self, compact=False):
        """Return the briefings of these contacts as data, one dictionary per contact.

        ``{"partner_id", "name", "compact", "lines": [{"kind", "label", "value",
        "level", ...}]}``: the lines the partner form (``compact=False``) or the
        places where a contact starts or ends (``compact=True``: pipeline, dialog,
        activities) show, in the user's language. The keys are described in
        ``tools/briefing.py``. For users with empathy access (as the fields
        ``empathy_briefing`` / ``empathy_briefing_compact``).
        """
        self.check_access("read")
        compat.check_field_access(
            self, "read", ["empathy_briefing_compact" if compact else "empathy_briefing"]
        )
        data = self._empathy_briefing_data(compact=compact)
        return [data[partner] for partner in self]

    def _empathy_briefing_data(self, compact=False):
        """Return {partner: briefing (dict)} as seen by the current user.

        The full briefing is the lines of ``_empathy_briefing_lines`` (extended by
        adding lines); the compact one is built set-based
        (``_empathy_briefing_compact_lines``).
        """
        if compact:
            lines = self._empathy_briefing_compact_lines()
        else:
            lines = {partner: partner._empathy_briefing_lines() for partner in self}
        return {partner: briefing(partner, lines[partner], compact) for partner in self}

    # ------------------------------------------------------------------
    # the full briefing
    # ------------------------------------------------------------------
    def _empathy_briefing_lines(self):
        """Return the lines of the full briefing: how to talk to this person, and what
        matters to them. Extensions add lines (``res_partner_matching.py``)."""
        self.ensure_one()
        env = self.env
        if self.empathy_objection:
            return [
                line(
                    "objection",
                    env._(
                        "This person objects to profiling (GDPR Art. 21). Do not record"
                        " impressions."
                    ),
                    level="warning",
                )
            ]
        lines = []
        warning = self._empathy_rapport_warning_line()
        if warning:
            lines.append(warning)
        style, temperament = self.empathy_communication_style, self.empathy_temperament
        if style:
            lines.append(line("style", phrase(env, STYLE_PHRASES, style, "advice"), code=style))
        if temperament:
            lines.append(
                line(
                    "temperament",
                    phrase(env, TEMPERAMENT_PHRASES, temperament, "advice"),
                    code=temperament,
                )
            )
        motives = self._empathy_briefing_motive_items()
        if motives:
            lines.append(
                line(
                    "motives",
                    ", ".join(motive["text"] for motive in motives),
                    env._("Motives:"),
                    items=motives,
                )
            )
        values = self.empathy_value_ids
        if values:
            lines.append(
                line(
                    "values",
                    ", ".join(values.mapped("name")),
                    env._("Values:"),
                    items=[item(value.name, value.id) for value in values],
                )
            )
        if self.empathy_why:
            lines.append(line("why", self.empathy_why, env._("Why they buy:")))
        channel = self.empathy_preferred_channel
        if channel:
            labels = dict(self._fields["empathy_preferred_channel"]._description_selection(env))
            lines.append(
                line("channel", labels.get(channel), env._("Preferred channel:"), code=channel)
            )
        if self.empathy_personal_notes:
            lines.append(line("notes", self.empathy_personal_notes, env._("Remember:")))
        best = self.empathy_best_advisor_id
        if best:
            why = self._empathy_rapport_basis(self._empathy_best_rapport_row())
            lines.append(
                line(
                    "best_advisor",
                    env._(
                        "%(advisor)s (rapport %(score)s / 5)",
                        advisor=self._empathy_advisor_name(best),
                        score=self._empathy_format_score(self.empathy_best_rapport),
                    ),
                    env._("Best advisor:"),
                    detail=why,
                    user_id=best.id,
                    score=round(self.empathy_best_rapport, 2),
                )
            )
        if self.empathy_mood_trend:
            lines.append(self._empathy_mood_trend_line())
        if not lines:
            lines.append(
                line(
                    "empty",
                    env._("Nothing known yet. Record an impression after your next contact."),
                    level="muted",
                )
            )
        return lines

    def _empathy_mood_trend_line(self):
        """Return the mood trend line (both briefings)."""
        self.ensure_one()
        trend = self.empathy_mood_trend
        labels = dict(self._fields["empathy_mood_trend"]._description_selection(self.env))
        level = {"improving": "success", "declining": "danger"}.get(trend, "muted")
        return line("mood_trend", labels[trend], self.env._("Mood trend:"), level, code=trend)

    def _empathy_rapport_warning_line(self):
        """Return the line warning the reader of their low rapport (or None)."""
        warning = self._empathy_rapport_warning()
        if not warning:
            return None
        text, why = warning
        return line("rapport_warning", text, level="warning", detail=why)

    def _empathy_rapport_warning(self):
        """Warn the current user when they do not click with this customer.

        Returns (warning, what the best advisor's figure rests on), or False.
        """
        self.ensure_one()
        if not self.id:
            return False
        mine = self.sudo().empathy_rapport_ids.filtered(
            lambda r: r.user_id == self.env.user and r.company_id in self.env.companies
        )
        if not mine or max(mine.mapped("fair_score")) >= LOW_RAPPORT:
            return False
        best = self.empathy_best_advisor_id
        if best and best != self.env.user:
            warning = self.env._(
                "Your rapport with this customer is low (%(mine)s / 5). %(best)s clicks"
                " better (%(score)s / 5): consider asking them to take over.",
                mine=self._empathy_format_score(max(mine.mapped("fair_score"))),
                best=best.name,
                score=self._empathy_format_score(self.empathy_best_rapport),
            )
            return warning, self._empathy_rapport_basis(self._empathy_best_rapport_row())
        return (
            self.env._(
                "Your rapport with this customer is low (%s / 5).",
                self._empathy_format_score(max(mine.mapped("fair_score"))),
            ),
            "",
        )

    def _empathy_advisor_name(self, user):
        """Return how the reader reads an advisor: "you" for themselves, else the name."""
        return self.env._("you") if user == self.env.user else user.name

    def _empathy_rapport_basis(self, row):
        """Return what a rapport figure rests on, for salespeople (no rating habits).

        The advisor's leniency stays in the manager's rapport report: a salesperson
        reads how many impressions the figure rests on and, when they are few, that
        it stays close to the team's level.
        """
        if not row or not row.impression_count:
            return ""
        if row.impression_count == 1:
            text = self.env._("From one impression, corrected for how each advisor rates.")
        else:
            text = self.env._(
                "From %(count)s impressions, corrected for how each advisor rates.",
                count=row.impression_count,
            )
        if row.impression_count < UNCERTAIN_BELOW:
            text += " " + self.env._(
                "Few impressions, so it stays close to the team's %(team)s / 5.",
                team=self._empathy_format_score(row.team_mean),
            )
        return text

    def _empathy_format_score(self, score):
        """Return a rapport score with one decimal in the user's language ("4,3" in German)."""
        return formatLang(self.env, score or 0.0, digits=1)

    def _empathy_best_rapport_row(self):
        """Return the best advisor's rapport row (sudo) in the current companies."""
        self.ensure_one()
        rows = self.sudo().empathy_rapport_ids.filtered(
            lambda r: (
                r.user_id == self.empathy_best_advisor_id and r.company_id in self.env.companies
            )
        )
        return rows.sorted("fair_score", reverse=True)[:1]

    def _empathy_briefing_motive_items(self):
        """Return the motives for the full briefing (items); those not heard for
        months are flagged (``stale``)."""
        self.ensure_one()
        motives = self.empathy_motive_ids
        if not motives:
            return []
        Evidence = self.env["empathy.motive.evidence"]
        partner = self._origin
        last_heard = Evidence._empathy_last_heard(partner) if partner else {}
        stale_after = Evidence._empathy_stale_months()
        now = fields.Datetime.now()
        items = []
        for motive in motives:
            date = last_heard.get((partner.id, motive.id))
            months = Evidence._empathy_months_ago(date, now) if date else 0
            stale = bool(date) and months >= stale_after
            text = motive.name
            if stale:
                text = self.env._(
                    "%(motive)s (last heard %(months)s months ago — check if still true)",
                    motive=motive.name,
                    months=months,
                )
            items.append(
                item(
                    text,
                    motive.id,
                    "warning" if stale else "info",
                    name=motive.name,
                    last_heard=fields.Datetime.to_string(date) if date else False,
                    stale=stale,
                )
            )
        return items

    def _empathy_format_day(self, value):
        """Return ``value`` (a UTC datetime) as a short day, "2 Dec" / "2. Dez." (this
        year) or "2 Dec 2025", in the user's timezone and language."""
        day = fields.Datetime.context_timestamp(self, value)
        today = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        skeleton = "MMMd" if day.year == today.year else "yMMMd"
        return format_skeleton(skeleton, day, locale=babel_locale_parse(self.env.lang or "en_US"))

    def _empathy_format_date(self, value):
        """Return ``value`` (a UTC datetime) as a date in the user's timezone and format."""
        return format_date(self.env, fields.Datetime.context_timestamp(self, value))
