# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The briefing where activities are worked: popovers, chatter, handover To-Dos.

Kept apart from ``mail_activity.py`` (the gate): these fields only display.
"""

from markupsafe import Markup

from odoo import api, fields, models

from .empathy_groups import EMPATHY_MANAGER_GROUP, EMPATHY_USER_GROUP

HANDOVER_IMPRESSIONS = 3


class MailActivity(models.Model):
    _inherit = "mail.activity"

    empathy_handover = fields.Boolean(
        string="Handover",
        readonly=True,
        index="btree_not_null",
        help="A To-Do for a contact's new salesperson: the briefing is shown with it.",
    )
    empathy_previous_user_id = fields.Many2one(
        "res.users",
        string="Previous salesperson",
        readonly=True,
        ondelete="set null",
    )
    empathy_briefing = fields.Html(
        string="Customer briefing",
        compute="_compute_empathy_briefing",
        sanitize=False,
        groups=EMPATHY_USER_GROUP,
        help="The contact's compact briefing, on activities that require an impression"
        " and on handover To-Dos (with the last impressions).",
    )

    @api.depends_context("lang", "uid", "allowed_company_ids")
    @api.depends("res_model", "res_id", "activity_type_id", "empathy_handover")
    def _compute_empathy_briefing(self):
        relevant = self.filtered(
            lambda a: a.empathy_handover or a.activity_type_id.empathy_impression_required
        )
        partner_of = {
            activity.id: partner.id
            for activity, partner in (relevant._empathy_partners() if relevant else {}).items()
        }
        partners = self.env["res.partner"].browse(sorted(set(partner_of.values())))
        compact = partners._empathy_briefing_compact_map() if partners else {}
        handovers = relevant.filtered("empathy_handover")
        extra = handovers._empathy_handover_details(partner_of) if handovers else {}
        for activity in self:
            partner = partners.browse(partner_of.get(activity.id))
            if not partner:
                activity.empathy_briefing = False
                continue
            activity.empathy_briefing = compact[partner] + extra.get(activity.id, Markup(""))

    def _empathy_handover_details(self, partner_of):
        """Return {activity id: the last impressions, and for managers the previous
        salesperson's rapport} of these handover To-Dos (constant number of queries)."""
        partners = self.env["res.partner"].browse(sorted(set(partner_of.values())))
        last = partners._empathy_last_impressions(limit=HANDOVER_IMPRESSIONS)
        previous = {}
        if self.env.user.has_group(EMPATHY_MANAGER_GROUP):
            rows = (
                self.env["empathy.rapport"]
                .sudo()
                .search_fetch(
                    [
                        ("partner_id", "in", partners.ids),
                        ("user_id", "in", self.empathy_previous_user_id.ids),
                        ("company_id", "=", self.env.company.id),
                    ],
                    ["partner_id", "user_id", "score"],
                )
            )
            previous = {(row.partner_id.id, row.user_id.id): row.score for row in rows}
        result = {}
        for activity in self:
            partner = partners.browse(partner_of.get(activity.id))
            if not partner or partner._empathy_is_objecting():
                continue
            html = Markup("")
            impressions = last.get(partner.id)
            if impressions:
                html += Markup(
                    "<div class='o_empathy_compact_line o_empathy_last_impressions'>"
                    "<strong>%s</strong><ul class='mb-0'>%s</ul></div>"
                ) % (
                    self.env._("Last impressions:"),
                    Markup("").join(
                        Markup("<li>%s</li>") % partner._empathy_impression_line(imp)
                        for imp in impressions
                    ),
                )
            old = activity.empathy_previous_user_id
            key = (partner.id, old.id)
            if old and key in previous:
                html += Markup(
                    "<div class='o_empathy_compact_line o_empathy_previous text-muted'>%s</div>"
                ) % self.env._(
                    "Previous salesperson: %(user)s (rapport %(score)s / 5)",
                    user=old.name,
                    score=partner._empathy_format_score(previous[key]),
                )
            result[activity.id] = html
        return result
