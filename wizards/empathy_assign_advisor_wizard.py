# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Make customers' best advisor their salesperson (managers, row by row, with reasons)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import params
from ..tools.groups import check_empathy_manager


class EmpathyAssignAdvisorWizard(models.TransientModel):
    _name = "empathy.assign.advisor.wizard"
    _description = "Assign Customers to Their Best Advisor"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    min_impressions = fields.Integer(
        string="Minimum impressions",
        default=lambda self: self._empathy_default_min_impressions(),
        help="Move a customer only when the best advisor's rapport rests on at least this"
        " many impressions (default: the setting *Assign to best advisor: evidence*).",
    )
    line_ids = fields.One2many(
        "empathy.assign.advisor.wizard.line",
        "wizard_id",
        string="Customers to review",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
    )
    change_count = fields.Integer(string="Customers to move", compute="_compute_change_count")

    @api.model
    def default_get(self, fields_list):
        self._empathy_check_manager()
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            values["partner_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    @api.model
    def _empathy_default_min_impressions(self):
        """Return the evidence setting: impressions needed before a customer is moved."""
        return params.get(self.env, params.ASSIGN_MIN_IMPRESSIONS)

    def _empathy_check_manager(self):
        check_empathy_manager(
            self.env,
            self.env._("Only empathy managers can reassign customers to their best advisor."),
        )

    @api.depends("partner_ids", "min_impressions")
    def _compute_line_ids(self):
        for wizard in self:
            wizard.line_ids = [fields.Command.clear()] + [
                fields.Command.create(values) for values in wizard._empathy_line_values()
            ]

    def _empathy_line_values(self):
        """Return one line per customer: the proposed move, or why it stays."""
        self.ensure_one()
        result = []
        for partner in self.partner_ids:
            best = partner.empathy_best_advisor_id
            row = partner._empathy_best_rapport_row() if best else partner.browse()
            count = row.impression_count if row else 0
            if partner._empathy_is_objecting():
                status = "objecting"
            elif not best:
                status = "unknown"
            elif partner.user_id == best:
                status = "already"
            elif count < max(1, self.min_impressions):
                status = "thin"
            else:
                status = "move"
            result.append(
                {
                    "partner_id": partner.id,
                    "current_user_id": partner.user_id.id,
                    "new_user_id": best.id if status in ("move", "thin") else False,
                    "fair_rapport": partner.empathy_best_rapport if best else 0.0,
                    "impression_count": count,
                    "status": status,
                    "selected": status == "move",
                }
            )
        return result

    @api.depends("line_ids.selected", "line_ids.status")
    def _compute_change_count(self):
        for wizard in self:
            wizard.change_count = len(wizard._empathy_selected_lines())

    def _empathy_selected_lines(self):
        return self.line_ids.filtered(lambda line: line.selected and line.new_user_id)

    def action_confirm(self):
        """Set the best advisor as salesperson of the selected customers, log it, say so."""
        self.ensure_one()
        self._empathy_check_manager()
        lines = self._empathy_selected_lines()
        if not lines:
            raise UserError(self.env._("Nothing to change: no customer is selected."))
        for line in lines:
            partner, advisor = line.partner_id, line.new_user_id
            previous = partner.user_id
            partner.write({"user_id": advisor.id})
            partner.message_post(
                body=self.env._(
                    "Salesperson changed from %(old)s to %(new)s by %(manager)s: best fair"
                    " rapport with this customer (%(score)s / 5).",
                    old=previous.name or self.env._("nobody"),
                    new=advisor.name,
                    manager=self.env.user.name,
                    score=partner._empathy_format_score(line.fair_rapport),
                ),
                subtype_xmlid="mail.mt_note",
            )
        kept = len(self.line_ids) - len(lines)
        message = self.env._(
            "%(moved)s customer(s) moved to their best advisor: %(names)s.",
            moved=len(lines),
            names=", ".join(lines.partner_id.mapped("display_name")[:5])
            + (", …" if len(lines) > 5 else ""),
        )
        if kept:
            message += " " + self.env._("%s left unchanged.", kept)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Assigned to best advisor"),
                "message": message,
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
