# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The briefing where activities are worked: popovers, chatter, handover To-Dos.

Kept apart from ``mail_activity.py`` (the gate): these fields only display.
"""

from odoo import api, fields, models

from ..tools.briefing import line, render_briefing
from ..tools.groups import EMPATHY_USER_GROUP, is_empathy_manager

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
    # rendered by the QWeb template ``briefing_compact`` from ``_empathy_briefing_data``
    # (the template escapes every value, nothing to sanitise)
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
        data = self._empathy_briefing_data()
        for activity in self:
            briefing = data.get(activity)
            activity.empathy_briefing = render_briefing(self.env, briefing) if briefing else False

    def _empathy_briefing_data(self):
        """Return {activity: briefing (dict, see tools/briefing.py)} of the activities
        that show one: the contact's compact briefing, and on handover To-Dos the last
        impressions (and for managers the previous salesperson's rapport)."""
        relevant = self.filtered(
            lambda a: a.empathy_handover or a.activity_type_id.empathy_impression_required
        )
        partner_of = {
            activity.id: partner.id
            for activity, partner in (relevant._empathy_partners() if relevant else {}).items()
        }
        partners = self.env["res.partner"].browse(sorted(set(partner_of.values())))
        compact = partners._empathy_briefing_data(compact=True) if partners else {}
        handovers = relevant.filtered("empathy_handover")
        extra = handovers._empathy_handover_lines(partner_of) if handovers else {}
        result = {}
        for activity in self:
            partner = partners.browse(partner_of.get(activity.id))
            if partner:
                briefing = compact[partner]
                lines = briefing["lines"] + extra.get(activity.id, [])
                result[activity] = {**briefing, "lines": lines}
        return result

    def _empathy_handover_lines(self, partner_of):
        """Return {activity id: [lines]}: the last impressions, and for managers the
        previous salesperson's rapport, of these handover To-Dos (constant number of
        queries)."""
        partners = self.env["res.partner"].browse(sorted(set(partner_of.values())))
        last = partners._empathy_last_impressions(limit=HANDOVER_IMPRESSIONS)
        previous = {}
        if is_empathy_manager(self.env):
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
            lines = []
            impressions = last.get(partner.id)
            if impressions:
                items = [partner._empathy_impression_item(imp) for imp in impressions]
                lines.append(
                    line(
                        "last_impressions",
                        "; ".join(part["text"] for part in items),
                        self.env._("Last impressions:"),
                        items=items,
                    )
                )
            old = activity.empathy_previous_user_id
            key = (partner.id, old.id)
            if old and key in previous:
                lines.append(
                    line(
                        "previous_advisor",
                        self.env._(
                            "Previous salesperson: %(user)s (rapport %(score)s / 5)",
                            user=old.name,
                            score=partner._empathy_format_score(previous[key]),
                        ),
                        level="muted",
                        user_id=old.id,
                        score=round(previous[key], 2),
                    )
                )
            result[activity.id] = lines
        return result
