# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Searching records by their followers: the followers' conditions as the user."""

from odoo import models
from odoo.tools.query import Query


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _search_message_partner_ids(self, operator, operand):
        """Evaluate a condition on the followers (``any``, ``not any`` of a domain on
        ``res.partner``) as the user, then let mail search the followers.

        mail searches ``mail.followers`` as superuser, the condition on the partner
        included: a domain on the partners' fields would be evaluated without the
        user's access rights and record rules, and the search methods of non-stored
        fields (``empathy_personal_notes``, computed from ``empathy.profile`` rows the
        user may read) would run as superuser, so "followed by someone whose notes
        say X" would answer from rows the user may not read. Odoo 19.0 passes every
        path through the followers (``message_partner_ids.<field>``) this way; 18.0
        only an explicit ``any`` (it searches a path's partners as the user). The
        partners are searched here with the user's rights; mail then only compares
        the followers' partner ids with them.
        """
        if operator in ("any", "not any") and not isinstance(operand, Query) and not self.env.su:
            operand = [("id", "in", self.env["res.partner"]._search(operand))]
        return super()._search_message_partner_ids(operator, operand)
