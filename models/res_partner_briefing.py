# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The contact's briefing: how to talk to this person, what matters to them, who
clicks with them; the number and date formats shared by both briefings.
"""

from babel.dates import format_skeleton
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_date, formatLang
from odoo.tools.misc import babel_locale_parse

from .empathy_fair import LOW_RAPPORT, UNCERTAIN_BELOW
from .empathy_groups import EMPATHY_USER_GROUP


class ResPartner(models.Model):
    _inherit = "res.partner"

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
        for partner in self:
            partner.empathy_briefing = partner._empathy_briefing_html()

    def _empathy_style_advice(self):
        """Return how to talk to this contact, one sentence per style/temperament."""
        self.ensure_one()
        advice = {
            "factual": self.env._(
                "Fact-oriented: bring numbers, data sheets and comparisons; keep it short."
            ),
            "emotional": self.env._(
                "Emotion- and design-oriented: tell stories, show the product in use,"
                " talk about how it feels and looks."
            ),
            "mixed": self.env._(
                "Mixed: start with the story, back it with two or three hard facts."
            ),
        }
        temperament = {
            "easy": self.env._("Easy-going: a relaxed, personal tone works well."),
            "neutral": self.env._("Neutral temperament: be friendly and to the point."),
            "demanding": self.env._(
                "Demanding: prepare well, answer precisely, confirm commitments in writing."
            ),
        }
        lines = []
        if self.empathy_communication_style:
            lines.append(advice[self.empathy_communication_style])
        if self.empathy_temperament:
            lines.append(temperament[self.empathy_temperament])
        return lines

    def _empathy_briefing_html(self):
        """Render the briefing: how to talk to this person, and what matters to them."""
        self.ensure_one()
        if self.empathy_objection:
            return Markup("<p class='text-warning'>%s</p>") % self.env._(
                "This person objects to profiling (GDPR Art. 21). Do not record impressions."
            )
        items = []

        def add(label, value):
            if value:
                items.append(Markup("<li><strong>%s</strong> %s</li>") % (label, value))

        for line in self._empathy_style_advice():
            items.append(Markup("<li>%s</li>") % line)
        add(self.env._("Motives:"), self._empathy_briefing_motives())
        add(self.env._("Values:"), ", ".join(self.empathy_value_ids.mapped("name")))
        add(self.env._("Why they buy:"), self.empathy_why)
        channels = dict(self._fields["empathy_preferred_channel"]._description_selection(self.env))
        add(self.env._("Preferred channel:"), channels.get(self.empathy_preferred_channel))
        add(self.env._("Remember:"), self.empathy_personal_notes)
        if self.empathy_best_advisor_id:
            best = self.env._(
                "%(advisor)s (rapport %(score)s / 5)",
                advisor=self._empathy_advisor_name(self.empathy_best_advisor_id),
                score=self._empathy_format_score(self.empathy_best_rapport),
            )
            why = self._empathy_rapport_basis(self._empathy_best_rapport_row())
            if why:
                best = Markup("%s<br/><small class='text-muted'>%s</small>") % (best, why)
            add(self.env._("Best advisor:"), best)
        trends = dict(self._fields["empathy_mood_trend"]._description_selection(self.env))
        if self.empathy_mood_trend:
            add(self.env._("Mood trend:"), trends[self.empathy_mood_trend])
        warning = self._empathy_rapport_warning()
        if not items and not warning:
            return Markup("<p class='text-muted'>%s</p>") % self.env._(
                "Nothing known yet. Record an impression after your next contact."
            )
        html = Markup("<ul class='o_empathy_briefing'>%s</ul>") % Markup("").join(items)
        if warning:
            html = Markup("<p class='alert alert-warning' role='alert'>%s</p>") % warning + html
        return html

    def _empathy_rapport_warning(self):
        """Warn the current user when they do not click with this customer."""
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
            why = self._empathy_rapport_basis(self._empathy_best_rapport_row())
            return "%s %s" % (warning, why) if why else warning
        return self.env._(
            "Your rapport with this customer is low (%s / 5).",
            self._empathy_format_score(max(mine.mapped("fair_score"))),
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

    def _empathy_briefing_motives(self):
        """Return the motives for the briefing; those not heard for months are flagged."""
        self.ensure_one()
        motives = self.empathy_motive_ids
        if not motives:
            return ""
        Evidence = self.env["empathy.motive.evidence"]
        partner = self._origin
        last_heard = Evidence._empathy_last_heard(partner) if partner else {}
        stale_after = Evidence._empathy_stale_months()
        now = fields.Datetime.now()
        names = []
        for motive in motives:
            date = last_heard.get((partner.id, motive.id))
            months = Evidence._empathy_months_ago(date, now) if date else 0
            if date and months >= stale_after:
                names.append(
                    self.env._(
                        "%(motive)s (last heard %(months)s months ago — check if still true)",
                        motive=motive.name,
                        months=months,
                    )
                )
            else:
                names.append(motive.name)
        return ", ".join(names)

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
