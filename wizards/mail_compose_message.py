# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The composer: a style hint per profiled recipient, shown to the writer only."""

from odoo import api, fields, models

from ..tools.briefing import line, render
from ..tools.groups import EMPATHY_USER_GROUP

#: recipients with a style hint shown above the body, at most
MAX_HINTS = 3


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    # rendered by the QWeb template ``style_hints`` (which escapes every value)
    empathy_style_hint = fields.Html(
        string="How to write to them",
        compute="_compute_empathy_style_hint",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="A one-line style hint per profiled recipient. Shown to you only: it is"
        " never part of the message.",
    )

    @api.depends_context("lang", "uid")
    @api.depends("partner_ids", "composition_mode")
    def _compute_empathy_style_hint(self):
        for composer in self:
            hints = composer._empathy_style_hints()[:MAX_HINTS]
            composer.empathy_style_hint = (
                render(self.env, "style_hints", hints=hints) if hints else False
            )

    def _empathy_style_hints(self):
        """Return one line per profiled recipient: how to write to them (or that they
        object to profiling), labelled with their name."""
        self.ensure_one()
        hints = []
        if self.composition_mode != "comment":
            return hints
        for partner in self.partner_ids._origin:
            name = "%s:" % (partner.name or partner.display_name)
            if partner._empathy_is_objecting():
                hints.append(line("objection", self.env._("Objects to profiling"), name, "warning"))
            else:
                hint = partner._empathy_tone_hint()
                if hint:
                    hints.append(line("tone", hint, name, partner_id=partner.id))
        return hints
