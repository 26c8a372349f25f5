# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""One customer in *Assign to best advisor*: the proposed move, or why it stays."""

from odoo import api, fields, models


class EmpathyAssignAdvisorWizardLine(models.TransientModel):
    _name = "empathy.assign.advisor.wizard.line"
    _description = "Customer to Assign to Their Best Advisor"

    wizard_id = fields.Many2one(
        "empathy.assign.advisor.wizard", required=True, ondelete="cascade", index=True
    )
    selected = fields.Boolean(string="Move", help="Make the best advisor the salesperson.")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    current_user_id = fields.Many2one("res.users", string="Salesperson now", readonly=True)
    new_user_id = fields.Many2one("res.users", string="Best advisor", readonly=True)
    fair_rapport = fields.Float(string="Rapport", digits=(3, 1), readonly=True)
    impression_count = fields.Integer(string="Impressions", readonly=True)
    status = fields.Selection(
        [
            ("move", "Moves to the best advisor"),
            ("thin", "Few impressions: select to move anyway"),
            ("already", "Already with the best advisor"),
            ("unknown", "No rapport known yet"),
            ("objecting", "Objects to profiling"),
        ],
        readonly=True,
    )
    note = fields.Char(string="Why", compute="_compute_note")

    @api.depends("status", "impression_count", "wizard_id.min_impressions")
    def _compute_note(self):
        labels = dict(self._fields["status"]._description_selection(self.env))
        for line in self:
            if line.status == "thin":
                line.note = self.env._(
                    "Only %(count)s of %(needed)s impressions: uncertain.",
                    count=line.impression_count,
                    needed=line.wizard_id.min_impressions,
                )
            else:
                line.note = labels.get(line.status, "")
