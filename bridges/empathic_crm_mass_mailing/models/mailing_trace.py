# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Responses sharpen profiles: the recipient's kind on each trace, evidence from the
responses.

- When a trace is created (a mail of a mailing goes out), it keeps the recipient's
  communication style and temperament as they are then (``empathy_style``,
  ``empathy_temperament``): the marketing report counts the responses per kind of
  customer as it was when the mail was sent. A person who objects to profiling (or
  whose company objects) gets nothing. Read as superuser from ``empathy.profile`` in
  one query for all new traces; the fields are for empathy users only.
- Opens, clicks and replies (``set_opened`` / ``set_clicked`` / ``set_replied``, which
  Odoo calls from the tracking pixel, the link redirection and the mail gateway) of a
  versioned mailing (the fact or the story version) become evidence of the
  communication style of the recipient, and the style is learnt from them where no
  advisor set it (``empathy_motive_evidence.py``). Set-based:
  the same queries for one trace or a batch.

The recipient is the trace's record when it is a contact, else the record's
``partner_id`` (a lead, ...); mailing-list contacts have no profile.
"""

from odoo import api, fields, models

from odoo.addons.empathic_crm.tools.groups import EMPATHY_USER_GROUP
from odoo.addons.empathic_crm.tools.vocabulary import COMMUNICATION_STYLES, TEMPERAMENTS


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    empathy_style = fields.Selection(
        COMMUNICATION_STYLES,
        string="Communication style",
        readonly=True,
        groups=EMPATHY_USER_GROUP,
        help="The recipient's communication style when the mail was sent.",
    )
    empathy_temperament = fields.Selection(
        TEMPERAMENTS,
        string="Temperament",
        readonly=True,
        groups=EMPATHY_USER_GROUP,
        help="The recipient's temperament when the mail was sent.",
    )

    # ------------------------------------------------------------------
    # the recipient's kind, kept when the mail is sent
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partner_of = self._empathy_partners_of_values(vals_list)
        kinds = self._empathy_kinds(set(partner_of.values()))
        for index, vals in enumerate(vals_list):
            kind = kinds.get(partner_of.get(index))
            if kind:
                vals.setdefault("empathy_style", kind[0])
                vals.setdefault("empathy_temperament", kind[1])
        return super().create(vals_list)

    @api.model
    def _empathy_partners_of_values(self, vals_list):
        """Return {index in ``vals_list``: partner id} of the traces to create."""
        partner_of, by_model = {}, {}
        for index, vals in enumerate(vals_list):
            if vals.get("model") and vals.get("res_id"):
                by_model.setdefault(vals["model"], {})[index] = vals["res_id"]
        for model, indexes in by_model.items():
            ids = self._empathy_partner_ids(model, set(indexes.values()))
            partner_of.update(
                {index: ids[res_id] for index, res_id in indexes.items() if ids.get(res_id)}
            )
        return partner_of

    @api.model
    def _empathy_partner_ids(self, model, res_ids):
        """Return {record id: partner id} of the records ``res_ids`` of ``model``."""
        if model == "res.partner":
            return {res_id: res_id for res_id in res_ids}
        Model = self.env.get(model)
        field = Model is not None and Model._fields.get("partner_id")
        if not field or field.type != "many2one" or field.comodel_name != "res.partner":
            return {}
        records = Model.sudo().browse(res_ids).exists()
        return {record.id: record.partner_id.id for record in records if record.partner_id}

    @api.model
    def _empathy_kinds(self, partner_ids):
        """Return {partner id: (style, temperament)} of the contacts who do not object
        (nor does their company): one query, as superuser."""
        partner_ids = [pid for pid in partner_ids if pid]
        if not partner_ids:
            return {}
        rows = (
            self.env["empathy.profile"]
            .sudo()
            .search_fetch(
                [
                    ("partner_id", "in", partner_ids),
                    ("partner_id.empathy_objection", "=", False),
                    ("partner_id.commercial_partner_id.empathy_objection", "=", False),
                    "|",
                    ("communication_style", "!=", False),
                    ("temperament", "!=", False),
                ],
                ["partner_id", "communication_style", "temperament"],
            )
        )
        return {row.partner_id.id: (row.communication_style, row.temperament) for row in rows}

    # ------------------------------------------------------------------
    # responses: evidence of the style (and of a link's motive)
    # ------------------------------------------------------------------
    def set_opened(self, domain=None):
        traces = super().set_opened(domain=domain)
        traces._empathy_record_responses("open")
        return traces

    def set_clicked(self, domain=None):
        traces = super().set_clicked(domain=domain)
        traces._empathy_record_responses("click")
        return traces

    def set_replied(self, domain=None):
        traces = super().set_replied(domain=domain)
        traces._empathy_record_responses("reply")
        return traces

    def _empathy_record_responses(self, response, motives=None):
        """Record the ``response`` (open / click / reply) of these traces as evidence.

        :param motives: {trace: motives} of the links clicked (a click only): motive
            evidence, and the motives added to the profiles. Without: style evidence of
            the traces of a versioned mailing (the version's style).

        Nothing for the traces of people who object to profiling (or whose company
        does), of test mails, of records without a contact. A response already
        recorded for a trace (same response, same item) is not recorded again.
        """
        traces = self.sudo().filtered("mass_mailing_id")
        if "is_test_trace" in self._fields:  # 19.0: the test mails have traces
            traces = traces.filtered(lambda trace: not trace.is_test_trace)
        Mailing = self.env["mailing.mailing"]
        if motives is None:
            if "empathy_version" not in Mailing._fields:
                return
            traces = traces.filtered(lambda trace: trace.mass_mailing_id.empathy_version)
        else:
            traces = traces.filtered(lambda trace: motives.get(trace))
        if not traces:
            return
        partner_of = {}
        for model, model_traces in traces.grouped("model").items():
            ids = self._empathy_partner_ids(model, set(model_traces.mapped("res_id")))
            partner_of.update({trace: ids.get(trace.res_id) for trace in model_traces})
        Partner = self.env["res.partner"].sudo()
        partners = Partner.browse({pid for pid in partner_of.values() if pid})
        partners.commercial_partner_id.mapped("empathy_objection")
        objecting = set(partners.filtered(lambda p: p._empathy_is_objecting()).ids)
        rows = []
        for trace in traces:
            partner = Partner.browse(partner_of.get(trace))
            if not partner or partner.id in objecting:
                continue
            mailing = trace.mass_mailing_id
            common = {
                "partner_id": partner.id,
                "mailing_id": mailing.id,
                "mailing_trace_id": trace.id,
                "mailing_response": response,
                "campaign_id": mailing.campaign_id.id or None,
                "user_id": mailing.user_id.id or None,
                "company_id": (
                    partner.company_id or mailing.user_id.company_id or self.env.company
                ).id,
            }
            if motives is None:
                rows.append(dict(common, communication_style=mailing.empathy_version))
            else:
                rows += [dict(common, motive_id=motive.id) for motive in motives[trace]]
        Evidence = self.env["empathy.motive.evidence"]
        added = Evidence._empathy_insert_mailing_evidence(rows)
        if motives is None:
            Evidence._empathy_learn_styles({pid for pid, _item in added})
            return
        # the motives newly heard join the profiles, as a campaign response's do
        by_motive = {}
        for partner_id, motive_id in added:
            by_motive.setdefault(motive_id, set()).add(partner_id)
        for motive_id, partner_ids in by_motive.items():
            Partner.browse(sorted(partner_ids)).with_context(empathy_no_evidence=True).write(
                {"empathy_motive_ids": [fields.Command.link(motive_id)]}
            )
