# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The impression dialog: rate rapport and mood while completing activities."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.briefing import render, render_briefing
from ..tools.gate import gate_open
from ..tools.vocabulary import (
    CHANNELS,
    COMMUNICATION_STYLES,
    MOODS,
    RAPPORT_LEVELS,
    mood_label,
)


class EmpathyImpressionWizard(models.TransientModel):
    _name = "empathy.impression.wizard"
    _description = "Record an Impression"

    activity_ids = fields.Many2many("mail.activity", string="Activities", readonly=True)
    partner_ids = fields.Many2many("res.partner", compute="_compute_partner_ids", string="Contacts")
    objecting_partner_ids = fields.Many2many(
        "res.partner", compute="_compute_partner_ids", string="Contacts objecting to profiling"
    )
    objection_only = fields.Boolean(compute="_compute_partner_ids")
    # no default: the dialog marks rapport and mood as required until they are picked
    # the label says it all (and an error names the field as the label does): no help
    rapport = fields.Selection(RAPPORT_LEVELS, string="Did we click?")
    mood = fields.Selection(MOODS, string="Customer's mood")
    same_as_last_time = fields.Boolean(
        help="Rate rapport and mood as in your last impression of this contact."
    )
    channel = fields.Selection(CHANNELS)
    communication_style = fields.Selection(
        COMMUNICATION_STYLES, string="Communication style observed"
    )
    motive_ids = fields.Many2many("empathy.motive", string="Motives heard")
    note = fields.Text(help="Anything worth remembering before the next contact.")
    feedback = fields.Text(help="Posted in the chatter, as when marking an activity done.")
    schedule_next = fields.Boolean(string="Schedule next activity")
    # the contacts' compact briefings (templates ``briefing_compact_named`` and
    # ``briefing_compact``, which escape every value: nothing to sanitise)
    empathy_briefing = fields.Html(
        string="What you knew before",
        compute="_compute_empathy_briefing",
        sanitize=False,
        help="The compact briefing of the contact(s), with the last impression.",
    )
    # no silent pre-fill: the last impression is offered as an explicit one-click choice
    last_impression_id = fields.Many2one("empathy.impression", readonly=True)
    last_impression_label = fields.Char(compute="_compute_last_impression_label")

    @api.depends("activity_ids")
    def _compute_partner_ids(self):
        for wizard in self:
            partners = self.env["res.partner"]
            for partner in wizard.activity_ids._empathy_gated()._empathy_partners().values():
                partners |= partner
            objecting = partners.sudo().filtered("empathy_objection")
            wizard.partner_ids = partners - objecting
            wizard.objecting_partner_ids = objecting
            wizard.objection_only = bool(objecting) and not (partners - objecting)

    @api.depends("partner_ids")
    def _compute_empathy_briefing(self):
        partners = self.env["res.partner"].browse(self.partner_ids._origin.ids)
        compact = partners._empathy_briefing_data(compact=True) if partners else {}
        html = {partner: render_briefing(self.env, data) for partner, data in compact.items()}
        for wizard in self:
            shown = partners.browse(wizard.partner_ids._origin.ids)
            briefings = [{"name": p.display_name, "html": html[p]} for p in shown]
            wizard.empathy_briefing = (
                render(
                    self.env,
                    "briefing_compact_named",
                    briefings=briefings,
                    boxed=False,
                    named=len(shown) > 1,
                )
                if briefings
                else False
            )

    @api.depends("last_impression_id")
    @api.depends_context("lang", "tz")
    def _compute_last_impression_label(self):
        for wizard in self:
            previous = wizard.last_impression_id
            if not previous:
                wizard.last_impression_label = False
                continue
            # the briefing's short day, "26 Nov" / "26. Nov." (the language's pattern)
            day = self.env["res.partner"]._empathy_format_day(previous.date)
            wizard.last_impression_label = self.env._(
                "(%(day)s: %(stars)s, %(mood)s)",
                day=day,
                stars="★" * previous.rapport,
                mood=mood_label(self.env, previous.mood),
            )

    @api.onchange("same_as_last_time")
    def _onchange_same_as_last_time(self):
        """The dialog's *Same as last time*: fill rapport and mood without saving first
        (the dialog cannot be saved while the required rapport and mood are empty)."""
        for wizard in self:
            previous = wizard.last_impression_id
            if wizard.same_as_last_time and previous:
                wizard.rapport = str(previous.rapport)
                wizard.mood = str(previous.mood)
            wizard.same_as_last_time = False

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        activities = self.env["mail.activity"].browse(
            values.get("activity_ids") and self._ids_from_commands(values["activity_ids"])
        )
        if activities:
            values.update(self._empathy_defaults(activities))
        return values

    @staticmethod
    def _ids_from_commands(value):
        ids = []
        for item in value:
            if isinstance(item, int):
                ids.append(item)
            elif isinstance(item, (list, tuple)) and item[0] == 6:
                ids.extend(item[2])
            elif isinstance(item, (list, tuple)) and item[0] == 4:
                ids.append(item[1])
        return ids

    @api.model
    def _empathy_defaults(self, activities):
        """Return defaults: the channel from the activity type, the style from the last impression.

        Rapport and mood are never pre-filled: the last impression is only offered
        (*Same as last time*).
        """
        gated = activities._empathy_gated() or activities
        values = {"channel": gated[:1].activity_type_id._empathy_default_channel()}
        partners = set(gated._empathy_partners().values())
        if len(partners) == 1:
            previous = self.env["empathy.impression"].search(
                [("partner_id", "=", partners.pop().id), ("user_id", "=", self.env.uid)],
                order="date desc, id desc",
                limit=1,
            )
            if previous:
                values.update(
                    last_impression_id=previous.id,
                    communication_style=previous.communication_style,
                )
        return values

    def _empathy_impression_values(self):
        """Return the impression values entered in the dialog."""
        self.ensure_one()
        if not self.objection_only:
            if not self.rapport:
                raise UserError(
                    self.env._("Please rate the rapport: how well did you click (1 to 5 stars)?")
                )
            if not self.mood:
                raise UserError(self.env._("Please pick the customer's mood."))
        return {
            "rapport": int(self.rapport or 0),
            "mood": int(self.mood or 0),
            "channel": self.channel or "other",
            "communication_style": self.communication_style,
            "motive_ids": [fields.Command.set(self.motive_ids.ids)],
            "note": self.note,
        }

    def action_confirm(self):
        """Record the impressions, then complete the activities with the feedback."""
        self.ensure_one()
        activities = self.activity_ids.filtered("active")
        if not activities:
            raise UserError(self.env._("These activities have already been completed."))
        values = self._empathy_impression_values()
        if not self.objection_only:
            # impressions of the gated contacts; all selected activities are completed
            activities._empathy_record_impressions(values, gated_only=True)
        with gate_open():
            if self.schedule_next and len(activities) == 1:
                action = activities.action_feedback_schedule_next(feedback=self.feedback)
                if action:
                    return action
            else:
                next_action = self.schedule_next and self._empathy_schedule_batch_action()
                activities.action_feedback(feedback=self.feedback)
                if next_action:
                    return next_action
        return {"type": "ir.actions.act_window_close"}

    def _empathy_schedule_batch_action(self):
        """Return the batch "Schedule Activity" dialog for the records of several activities."""
        activities = self.activity_ids.filtered("active")
        models = set(activities.mapped("res_model"))
        if len(models) != 1:
            return False
        model = models.pop()
        res_ids = sorted(set(activities.mapped("res_id")))
        return {
            "name": self.env._("Schedule Activity On Selected Records"),
            "type": "ir.actions.act_window",
            "res_model": "mail.activity.schedule",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_previous_activity_type_id": activities[:1].activity_type_id.id,
                "active_model": model,
                "active_ids": res_ids,
                "default_res_model": model,
                "default_res_ids": str(res_ids),
            },
        }

    def action_confirm_schedule_next(self):
        """Record the impressions, complete the activities and schedule the next one."""
        self.schedule_next = True
        return self.action_confirm()
