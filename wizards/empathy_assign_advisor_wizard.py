# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Make customers' best advisor their salesperson (managers, with a preview)."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.empathy_groups import check_empathy_manager


class EmpathyAssignAdvisorWizard(models.TransientModel):
    _name = "empathy.assign.advisor.wizard"
    _description = "Assign Customers to Their Best Advisor"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    change_count = fields.Integer(compute="_compute_preview")
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        self._empathy_check_manager()
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            values["partner_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    def _empathy_check_manager(self):
        check_empathy_manager(
            self.env,
            self.env._("Only empathy managers can reassign customers to their best advisor."),
        )

    def _empathy_changes(self):
        """Return [(partner, best advisor)] for the customers whose salesperson changes."""
        self.ensure_one()
        return [
            (partner, partner.empathy_best_advisor_id)
            for partner in self.partner_ids
            if partner.empathy_best_advisor_id
            and partner.user_id != partner.empathy_best_advisor_id
        ]

    @api.depends("partner_ids")
    def _compute_preview(self):
        for wizard in self:
            changes = wizard._empathy_changes()
            wizard.change_count = len(changes)
            if not changes:
                wizard.preview = Markup("<p class='text-muted'>%s</p>") % self.env._(
                    "Nothing to change: these customers already have their best advisor"
                    " as salesperson, or no rapport is known yet."
                )
                continue
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td>%.1f</td><td>%s</td>"
                    "<td class='text-muted'>%s</td></tr>"
                )
                % (
                    partner.display_name,
                    partner.user_id.name or "—",
                    advisor.name,
                    partner.empathy_best_rapport,
                    "%.1f" % row.score if row else "—",
                    row.fair_explanation or "",
                )
                for partner, advisor in changes
                for row in [partner._empathy_best_rapport_row()]
            )
            wizard.preview = Markup(
                "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Customer"),
                self.env._("Salesperson now"),
                self.env._("New salesperson"),
                self.env._("Fair rapport"),
                self.env._("Own ratings"),
                self.env._("Why"),
                rows,
            )

    def action_confirm(self):
        """Set the best advisor as salesperson and log who changed it and why."""
        self.ensure_one()
        self._empathy_check_manager()
        changes = self._empathy_changes()
        if not changes:
            raise UserError(self.env._("Nothing to change."))
        for partner, advisor in changes:
            previous = partner.user_id
            partner.write({"user_id": advisor.id})
            partner.message_post(
                body=self.env._(
                    "Salesperson changed from %(old)s to %(new)s by %(manager)s: best fair"
                    " rapport with this customer (%(score).1f / 5).",
                    old=previous.name or self.env._("nobody"),
                    new=advisor.name,
                    manager=self.env.user.name,
                    score=partner.empathy_best_rapport,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return {"type": "ir.actions.act_window_close"}
