# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Handover: a contact's new salesperson gets a To-Do that shows the briefing."""

from markupsafe import Markup

from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _empathy_handover_before(self, vals):
        """Return the salespeople before a write of ``vals`` that changes them (or None).

        Called by ``res.partner.write`` (``res_partner.py``), which passes the result to
        ``_empathy_handover_after`` once the contacts are written.
        """
        if "user_id" not in vals or self.env.context.get("empathy_no_handover"):
            return None
        return {partner.id: partner.user_id for partner in self.sudo()}

    def _empathy_handover_after(self, previous):
        """Hand each contact whose salesperson changed over to the new one."""
        if previous is None:
            return
        self._empathy_handover(
            {
                partner: (partner.user_id, previous[partner.id])
                for partner in self.sudo()
                if partner.user_id != previous[partner.id]
            }
        )

    def _empathy_handover(self, changes):
        """Give each new salesperson a To-Do on the contact, once.

        ``changes`` maps a partner to (new user, previous user). The To-Do's summary
        and note stay neutral (anyone who reads the contact reads them); the briefing
        and the last impressions are shown through ``mail.activity.empathy_briefing``,
        guarded by the empathy group. Nothing for contacts without a profile, for
        those objecting to profiling, nor when users hand over to themselves; none
        at all with ``empathy_no_handover`` in the context (imports, migrations).
        """
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not todo or self.env.context.get("empathy_no_handover"):
            return self.env["mail.activity"]
        changes = {
            partner: (new, old)
            for partner, (new, old) in changes.items()
            if new
            and not new.share
            and new != self.env.user
            and partner._empathy_is_profiled()
            and not partner._empathy_is_objecting()
        }
        if not changes:
            return self.env["mail.activity"]
        Activity = self.env["mail.activity"].sudo()
        partners = self.browse([partner.id for partner in changes])
        open_todos = Activity.search_fetch(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("empathy_handover", "=", True),
            ],
            ["res_id", "user_id"],
        )
        existing = {(act.res_id, act.user_id.id) for act in open_todos}
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner, (new, old) in changes.items():
            if (partner.id, new.id) in existing:
                continue
            existing.add((partner.id, new.id))
            partner_lang = partner.with_context(lang=new.lang or self.env.lang)
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": partner.id,
                    "activity_type_id": todo.id,
                    "user_id": new.id,
                    "date_deadline": fields.Date.context_today(self),
                    "summary": partner_lang.env._("Handover: get to know %s", partner.display_name),
                    "note": Markup("<p>%s</p>")
                    % partner_lang.env._(
                        "You are now the salesperson for this contact. Read the briefing"
                        " shown with this To-Do before your first contact."
                    ),
                    "empathy_handover": True,
                    "empathy_previous_user_id": old.id,
                }
            )
        return Activity.create(vals_list)
