# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Activities: the gate at their completion points (gated ones need an impression)."""

from contextvars import ContextVar

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.mail.tools.discuss import Store

from ..tools import compat
from ..tools import gate as empathy_gate
from ..tools.gate import GATE_OPEN, ImpressionRequired, gate_open
from ..tools.groups import EMPATHY_USER_GROUP

#: set while a public completion entry point runs, so that only the outermost one
#: turns the gate into the impression dialog
_ENTRY = ContextVar("empathic_crm_gate_entry", default=False)
#: keys accepted in ``impression_values`` of ``action_feedback_with_impression``
IMPRESSION_KEYS = {"rapport", "mood", "channel", "communication_style", "motive_ids", "note"}


class MailActivity(models.Model):
    _inherit = "mail.activity"

    # marker of the reorder follow-ups scheduled when consumables are sold
    empathy_reorder_product_id = fields.Many2one(
        "product.product",
        string="Reorder product",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="Set on the follow-up scheduled to ask for a reorder of this product.",
    )

    # ------------------------------------------------------------------
    # the gate, at the single completion point
    # ------------------------------------------------------------------
    def _action_done(self, feedback=False, attachment_ids=None):
        self._empathy_check_gate()
        # past the gate: archiving the done activities (``keep_done``) is part of it
        with gate_open():
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)

    def write(self, vals):
        if "active" in vals and not vals["active"]:
            # an archived activity counts as done in Odoo 18: same gate as Mark Done
            self.filtered("active")._empathy_check_gate()
        return super().write(vals)

    def _empathy_check_gate(self):
        """Raise ImpressionRequired when a human or API client completes gated activities."""
        if not GATE_OPEN.get() and empathy_gate.serving_request():
            gated = self._empathy_gated()
            if gated:
                raise ImpressionRequired(gated, self)

    # what the web client gets with each activity (chatter, popovers, activity view):
    # ``empathy_impression_required`` (it opens the impression dialog directly for
    # gated activities) and, for empathy users, ``empathy_briefing``
    # (mail_activity_briefing.py); compat.store_defaults_api() says where
    if compat.store_defaults_api():

        def _to_store_defaults(self, target):
            gated = self.filtered("active")._empathy_gated()
            fields = [
                *super()._to_store_defaults(target),
                Store.Attr("empathy_impression_required", lambda activity: activity in gated),
            ]
            if self.env.user.has_group(EMPATHY_USER_GROUP):
                # 19.0 sends the listed fields only (18.0 every readable one)
                fields.append("empathy_briefing")
            return fields

    else:

        def _to_store(self, store):
            res = super()._to_store(store)
            gated = self.filtered("active")._empathy_gated()
            for activity in self:
                store.add(activity, {"empathy_impression_required": activity in gated})
            return res

    def _empathy_partners(self):
        """Return {activity: partner} for the activities whose record has a contact."""
        result = {}
        by_model = {}
        for activity in self.sudo():
            by_model.setdefault(activity.res_model, []).append(activity)
        for model, activities in by_model.items():
            if model not in self.env:
                continue
            Model = self.env[model].sudo().with_context(active_test=False)
            is_contact = model == "res.partner"
            partner_field = Model._fields.get("partner_id")
            if not is_contact and not (
                partner_field
                and partner_field.type == "many2one"
                and partner_field.comodel_name == "res.partner"
            ):
                continue
            # one query for existence and the record's columns, which the gate reads
            # next and posting the done message reads anyway (as a normal prefetch)
            prefetch = [
                name
                for name, field in Model._fields.items()
                if field.prefetch is True and field.store and field.column_type
            ]
            records = Model.search_fetch([("id", "in", [a.res_id for a in activities])], prefetch)
            if is_contact:
                partner_of = {rec.id: rec for rec in records}
            else:
                partner_of = {rec.id: rec.partner_id for rec in records if rec.partner_id}
            for activity in activities:
                if activity.res_id in partner_of:
                    result[activity] = partner_of[activity.res_id]
        return result

    def _empathy_gated(self):
        """Return the activities that need an impression before they are done."""
        candidates = self.filtered(lambda a: a.activity_type_id.empathy_impression_required)
        if not candidates or not self.env.user.has_group(EMPATHY_USER_GROUP):
            # users outside sales (no empathy access) complete activities as in core
            return self.browse()
        partners = candidates._empathy_partners()
        return candidates.filtered(lambda a: a in partners)

    def _empathy_follow_gate(self, completion, feedback=False, schedule_next=False):
        """Run a public completion entry point; open the impression dialog if gated.

        The web client gets the dialog's action; the external API gets the error.
        """
        if _ENTRY.get():
            return completion()
        token = _ENTRY.set(True)
        try:
            return completion()
        except ImpressionRequired as gate:
            if empathy_gate.from_external_api():
                raise
            activities = self.browse(gate.activity_ids)
            return activities._empathy_action_open_wizard(
                feedback=feedback, schedule_next=schedule_next
            )
        finally:
            _ENTRY.reset(token)

    def _empathy_action_open_wizard(self, feedback=False, schedule_next=False):
        """Return the action opening the impression dialog for these activities."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("How did it go?"),
            "res_model": "empathy.impression.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_activity_ids": self.ids,
                "default_feedback": feedback or False,
                "default_schedule_next": schedule_next,
                "dialog_size": "medium",
            },
        }

    # ------------------------------------------------------------------
    # public entry points (web client, external API)
    # ------------------------------------------------------------------
    def action_feedback(self, feedback=False, attachment_ids=None):
        return self._empathy_follow_gate(
            lambda: super(MailActivity, self).action_feedback(
                feedback=feedback, attachment_ids=attachment_ids
            ),
            feedback=feedback,
        )

    def action_feedback_schedule_next(self, feedback=False, attachment_ids=None):
        return self._empathy_follow_gate(
            lambda: super(MailActivity, self).action_feedback_schedule_next(
                feedback=feedback, attachment_ids=attachment_ids
            ),
            feedback=feedback,
            schedule_next=True,
        )

    def action_done_redirect_to_other(self):
        return self._empathy_follow_gate(super().action_done_redirect_to_other)

    def action_archive(self):
        return self._empathy_follow_gate(super().action_archive)

    def action_feedback_with_impression(self, impression_values, feedback=False):
        """Complete the activities and record the advisor's impression, in one call.

        :param dict impression_values: ``rapport`` (1-5) and ``mood`` (-2..2) are
            required; optional ``channel``, ``communication_style``, ``motive_ids``
            (ids) and ``note``.
        :param feedback: text posted in the chatter, as with ``action_feedback``
        :returns: ids of the impressions created (one per contact)
        """
        if not isinstance(impression_values, dict):
            raise UserError(
                self.env._(
                    "impression_values must be a dictionary, e.g. {'rapport': 4, 'mood': 1}."
                )
            )
        unknown = set(impression_values) - IMPRESSION_KEYS
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown impression values: %(unknown)s. Allowed: %(allowed)s.",
                    unknown=", ".join(sorted(map(str, unknown))),
                    allowed=", ".join(sorted(IMPRESSION_KEYS)),
                )
            )
        missing = {"rapport", "mood"} - set(impression_values)
        if missing:
            raise UserError(
                self.env._("Missing impression values: %s.", ", ".join(sorted(missing)))
            )
        activities = self.filtered("active")
        if not activities:
            raise UserError(self.env._("These activities are already done or do not exist."))
        impressions = activities._empathy_record_impressions(impression_values)
        with gate_open():
            activities.action_feedback(feedback=feedback)
        return impressions.ids

    # ------------------------------------------------------------------
    # business helpers
    # ------------------------------------------------------------------
    def _empathy_record_impressions(self, values, gated_only=False):
        """Create one impression per contact of these activities (objectors skipped).

        With ``gated_only``, only of the activities whose type requires an impression
        (the dialog completes a mixed selection with one impression per gated contact).
        """
        activities = self
        if gated_only:
            activities = self.filtered(lambda a: a.activity_type_id.empathy_impression_required)
        partners = activities._empathy_partners()
        vals_list, seen = [], set()
        for activity in activities:
            partner = partners.get(activity)
            if not partner or partner.id in seen or partner.sudo().empathy_objection:
                continue
            seen.add(partner.id)
            vals_list.append(activity._empathy_prepare_impression_values(partner, values))
        return self.env["empathy.impression"].create(vals_list)

    def _empathy_prepare_impression_values(self, partner, values):
        """Return the values of the impression recorded when completing this activity."""
        self.ensure_one()
        vals = dict(values)
        if "motive_ids" in vals and vals["motive_ids"] and isinstance(vals["motive_ids"][0], int):
            vals["motive_ids"] = [(6, 0, vals["motive_ids"])]
        vals.setdefault("channel", self.activity_type_id._empathy_default_channel())
        vals.update(
            partner_id=partner.id,
            user_id=self.env.uid,
            activity_type_id=self.activity_type_id.id,
            res_model=self.res_model,
            res_id=self.res_id,
            summary=self.summary or self.activity_type_id.name,
        )
        return vals
