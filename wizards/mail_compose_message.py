# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The composer: a style hint per profiled recipient, shown to the writer only."""

from markupsafe import Markup

from odoo import api, fields, models

from ..models.empathy_groups import EMPATHY_USER_GROUP

#: recipients with a style hint shown above the body, at most
MAX_HINTS = 3


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

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
            lines = []
            if composer.composition_mode == "comment":
                for partner in composer.partner_ids._origin:
                    if partner._empathy_is_objecting():
                        hint = self.env._("Objects to profiling")
                    else:
                        hint = partner._empathy_tone_hint()
                    if hint:
                        lines.append(
                            Markup(
                                "<div class='o_empathy_style_hint_line text-truncate'>"
                                "<i class='fa fa-fw fa-comments-o' aria-hidden='true'></i>"
                                " <strong>%s:</strong> %s</div>"
                            )
                            % (partner.name or partner.display_name, hint)
                        )
            composer.empathy_style_hint = Markup("").join(lines[:MAX_HINTS]) if lines else False
