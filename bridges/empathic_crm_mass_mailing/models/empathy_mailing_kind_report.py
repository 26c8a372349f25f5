# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""What works for whom: mailing responses per kind of customer and version (SQL view).

One row per mailing, version and kind of customer: the communication style and the
temperament of the recipients when the mail was sent (the trace's snapshot), and the
purchase motives of their profiles. Counts (sent, opened, clicked, replied) and rates
(opened, clicked, replied per sent), as Odoo's own mailing statistics count them
(``mailing.mailing._compute_statistics``): sent = a send date, opened = opened or
replied, clicked = a click date, replied = replied.

A report on kinds of customers, never on people or salespeople: no contact, no user,
no company of a recipient in the view. Recipients who object to profiling (or whose
company does) count as *Unknown* in the style and temperament rows and in no motive
row, also for mails sent before they objected. Motives: those of the profile now
(contacts only: a trace of a lead or a list contact has no motive row).

The rates are weighted in every grouping (a pivot's totals, a campaign over its
mailings): ``_read_group_select`` computes them as the sum of the counts over the sum
of the sent, as Odoo's ``vendor.delay.report`` does for its on-time rate.
"""

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.empathic_crm.tools.vocabulary import COMMUNICATION_STYLES, TEMPERAMENTS

DIMENSIONS = [
    ("style", "Communication style"),
    ("temperament", "Temperament"),
    ("motive", "Purchase motive"),
]
KINDS = [*COMMUNICATION_STYLES, *TEMPERAMENTS, ("unknown", "Unknown")]
#: rate field: (count field, base field)
RATES = {
    "open_rate": ("opened", "sent"),
    "click_rate": ("clicked", "sent"),
    "reply_rate": ("replied", "sent"),
}


class EmpathyMailingKindReport(models.Model):
    _name = "empathy.mailing.kind.report"
    _description = "Mailing Responses per Kind of Customer"
    _auto = False
    _order = "mailing_id desc, dimension, kind, motive_id"
    _rec_name = "mailing_id"

    mailing_id = fields.Many2one("mailing.mailing", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    version = fields.Selection(
        [("factual", "Fact version"), ("emotional", "Story version")],
        readonly=True,
        help="The version of the mailing (empty: a mailing without versions).",
    )
    dimension = fields.Selection(DIMENSIONS, string="Kind of", readonly=True)
    kind = fields.Selection(
        KINDS,
        readonly=True,
        help="The communication style or temperament of the recipients (empty for motives).",
    )
    motive_id = fields.Many2one("empathy.motive", string="Purchase motive", readonly=True)
    sent = fields.Integer(readonly=True, aggregator="sum")
    opened = fields.Integer(readonly=True, aggregator="sum")
    clicked = fields.Integer(readonly=True, aggregator="sum")
    replied = fields.Integer(readonly=True, aggregator="sum")
    open_rate = fields.Float(string="Opened (%)", readonly=True, aggregator="avg")
    click_rate = fields.Float(string="Clicked (%)", readonly=True, aggregator="avg")
    reply_rate = fields.Float(string="Replied (%)", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        return self._query()

    def _query(self):
        """Return the SQL of the view.

        A read-only ``_table_query`` read through the ORM (access rights apply);
        raw SQL because a report joins several models into one row.
        """
        Mailing, Trace = self.env["mailing.mailing"], self.env["mailing.trace"]
        # the versions belong to the mailings (empathy_version, mailing_mailing_versions.py)
        version = (
            SQL("mailing.empathy_version")
            if "empathy_version" in Mailing._fields
            else SQL("NULL::varchar")
        )
        # 19.0 keeps traces of test mails: not responses of customers
        real = (
            SQL("NOT COALESCE(trace.is_test_trace, FALSE)")
            if ("is_test_trace" in Trace._fields)
            else SQL("TRUE")
        )
        rates = SQL(", ").join(
            SQL(
                "(SUM(%s) * 100.0 / NULLIF(SUM(resp.sent), 0))::float AS %s",
                SQL.identifier("resp", count),
                SQL.identifier(rate),
            )
            for rate, (count, _base) in RATES.items()
        )
        return SQL(
            """
            WITH resp AS (
                SELECT trace.id AS trace_id,
                       trace.mass_mailing_id AS mailing_id,
                       mailing.campaign_id AS campaign_id,
                       %(version)s AS version,
                       CASE WHEN COALESCE(partner.empathy_objection, FALSE)
                                 OR COALESCE(company.empathy_objection, FALSE)
                            THEN NULL ELSE partner.id END AS partner_id,
                       CASE WHEN COALESCE(partner.empathy_objection, FALSE)
                                 OR COALESCE(company.empathy_objection, FALSE)
                            THEN NULL ELSE trace.empathy_style END AS style,
                       CASE WHEN COALESCE(partner.empathy_objection, FALSE)
                                 OR COALESCE(company.empathy_objection, FALSE)
                            THEN NULL ELSE trace.empathy_temperament END AS temperament,
                       (trace.sent_datetime IS NOT NULL)::int AS sent,
                       (trace.trace_status IN ('open', 'reply'))::int AS opened,
                       (trace.links_click_datetime IS NOT NULL)::int AS clicked,
                       (trace.trace_status = 'reply')::int AS replied
                  FROM mailing_trace trace
                  JOIN mailing_mailing mailing ON mailing.id = trace.mass_mailing_id
             LEFT JOIN res_partner partner
                       ON trace.model = 'res.partner' AND partner.id = trace.res_id
             LEFT JOIN res_partner company ON company.id = partner.commercial_partner_id
                 WHERE trace.trace_type = 'mail' AND %(real)s
            ), kinds AS (
                SELECT resp.*, 'style' AS dimension,
                       COALESCE(resp.style, 'unknown') AS kind, NULL::integer AS motive_id
                  FROM resp
             UNION ALL
                SELECT resp.*, 'temperament', COALESCE(resp.temperament, 'unknown'), NULL
                  FROM resp
             UNION ALL
                SELECT resp.*, 'motive', NULL, rel.motive_id
                  FROM resp
                  JOIN empathy_profile profile ON profile.partner_id = resp.partner_id
                  JOIN empathy_profile_motive_rel rel ON rel.profile_id = profile.id
            )
            SELECT row_number() OVER (
                       ORDER BY resp.mailing_id, resp.dimension, resp.kind, resp.motive_id
                   ) AS id,
                   resp.mailing_id, MAX(resp.campaign_id) AS campaign_id,
                   MAX(resp.version) AS version, resp.dimension, resp.kind, resp.motive_id,
                   SUM(resp.sent)::integer AS sent, SUM(resp.opened)::integer AS opened,
                   SUM(resp.clicked)::integer AS clicked,
                   SUM(resp.replied)::integer AS replied,
                   %(rates)s
              FROM kinds resp
          GROUP BY resp.mailing_id, resp.dimension, resp.kind, resp.motive_id
            """,
            version=version,
            real=real,
            rates=rates,
        )

    def _read_group_select(self, aggregate_spec, query):
        # a rate of a group is its counts' sum over its sent, never a mean of rates
        fname = aggregate_spec.split(":")[0]
        if fname in RATES:
            count, base = RATES[fname]
            return SQL(
                "(SUM(%s) * 100.0 / NULLIF(SUM(%s), 0))::float",
                self._field_to_sql(self._table, count, query),
                self._field_to_sql(self._table, base, query),
            )
        return super()._read_group_select(aggregate_spec, query)


class MailingMailing(models.Model):
    _inherit = "mailing.mailing"

    def _empathy_with_versions(self):
        """Return these mailings and their other versions (the report shows both)."""
        if "empathy_version_mailing_id" not in self._fields:
            return self
        return self | self.empathy_version_mailing_id

    def action_empathy_kind_report(self):
        """Open the report of these mailings (and their other versions), by kind."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm_mass_mailing.empathy_mailing_kind_report_action"
        )
        action["domain"] = [("mailing_id", "in", self._empathy_with_versions().ids)]
        return action

    def action_empathy_response_evidence(self):
        """Open the evidence the responses to these mailings gave (empathy users: the
        evidence's access rights and rules apply, objecting people have none)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "empathic_crm_mass_mailing.empathy_motive_evidence_action_mailing"
        )
        action["domain"] = [
            ("source", "=", "campaign_mailing"),
            ("mailing_id", "in", self._empathy_with_versions().ids),
        ]
        return action
