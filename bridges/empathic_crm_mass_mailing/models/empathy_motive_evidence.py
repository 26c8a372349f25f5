# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Evidence from mailing responses: the communication style (and the motive of a link).

A response to one version of a versioned mailing (``mailing.mailing.empathy_version``:
the fact or the story version) is evidence that the recipient likes that kind of
text: an open (weak, images may be blocked or preloaded) 1, a click 2, a reply 3.
A click on a link tied to a motive (``link.tracker.empathy_motive_id``) is evidence of
that motive (strength 2, as a click).

The style is learnt from the evidence (``_empathy_learn_styles``) and marked so
(``empathy.profile.communication_style_source`` ``campaign``). *Weighted below an
advisor's observation*: the strengths are comparable with the main
addon's (an impression and an advisor's entry are 2), but they never compete with an
advisor: campaign evidence sets the profile's style only while the style is empty or
was itself learnt from campaigns (``empathy.profile.communication_style_source``);
once an advisor set the style or observed it in an impression, the evidence is kept
(and shown) but the style stays the advisor's.

Each response of a trace counts once per item: a DB unique index on (trace, response,
motive or style) and an ``INSERT … ON CONFLICT DO NOTHING`` keep a repeated open, a
second click or two workers handling the same reply from writing it twice.
"""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import create_unique_index

from odoo.addons.empathic_crm.tools import compat
from odoo.addons.empathic_crm.tools.vocabulary import COMMUNICATION_STYLES

#: the responses to a mailing and their strength: open < click < reply
MAILING_RESPONSES = [("open", "Opened"), ("click", "Clicked"), ("reply", "Replied")]
RESPONSE_STRENGTHS = {"open": 1, "click": 2, "reply": 3}
#: the style is learnt from mailing responses once one version has at least this many
#: points (each mail counts with its strongest response: open 1, click 2, reply 3; a
#: click and a reply imply an open) and leads the other version by at least
#: ``STYLE_MIN_LEAD`` points: two responses at least (a reply and an open, two clicks),
#: never a single one. Both versions at ``STYLE_MIN_POINTS`` or more without such a
#: lead: the style is mixed. Otherwise the profile keeps what it has.
STYLE_MIN_POINTS = 4
STYLE_MIN_LEAD = 2


@compat.sql_constraints(
    (
        # redefines the main addon's constraint of the same name: a row is about
        # exactly one motive, one value or one communication style
        "motive_or_value",
        "CHECK (num_nonnulls(motive_id, value_id, communication_style) = 1)",
        "Evidence is about exactly one motive, one value or one communication style.",
    ),
)
class EmpathyMotiveEvidence(models.Model):
    _inherit = "empathy.motive.evidence"

    source = fields.Selection(
        selection_add=[("campaign_mailing", "Mailing response")],
        ondelete={"campaign_mailing": "cascade"},
    )
    communication_style = fields.Selection(
        COMMUNICATION_STYLES,
        index="btree_not_null",
        help="The communication style this evidence speaks for: a response to the fact"
        " or the story version of a mailing.",
    )
    mailing_id = fields.Many2one("mailing.mailing", index="btree_not_null", ondelete="set null")
    mailing_trace_id = fields.Many2one(
        "mailing.trace", string="Mailing trace", index="btree_not_null", ondelete="set null"
    )
    mailing_response = fields.Selection(MAILING_RESPONSES, string="Response")

    def init(self):
        res = super().init()
        # one row per trace, response and item, whoever (which worker) records it
        create_unique_index(
            self.env.cr,
            "empathy_motive_evidence_mailing_response_uniq",
            self._table,
            [
                "mailing_trace_id",
                "mailing_response",
                "COALESCE(motive_id, 0)",
                "COALESCE(communication_style, '')",
            ],
        )
        return res

    @api.depends("communication_style", "mailing_response")
    def _compute_display_name(self):
        res = super()._compute_display_name()
        sources = dict(self._fields["source"]._description_selection(self.env))
        styles = dict(self._fields["communication_style"]._description_selection(self.env))
        for evidence in self.filtered("communication_style"):
            evidence.display_name = "%s: %s (%s)" % (
                evidence.partner_id.display_name or "",
                styles.get(evidence.communication_style, ""),
                sources.get(evidence.source, ""),
            )
        return res

    # ------------------------------------------------------------------
    # the contact's summary "How we know their motives"
    # ------------------------------------------------------------------
    def _empathy_summary_key(self):
        if self.communication_style:
            return (2, self.communication_style)  # after motives and values
        return super()._empathy_summary_key()

    def _empathy_summary_label(self):
        if self.communication_style:
            styles = dict(self._fields["communication_style"]._description_selection(self.env))
            return self.env._(
                "Communication style: %(style)s", style=styles.get(self.communication_style)
            )
        return super()._empathy_summary_label()

    def _empathy_summary_origin(self, sources):
        if self.source != "campaign_mailing":
            return super()._empathy_summary_origin(sources)
        responses = dict(self._fields["mailing_response"]._description_selection(self.env))
        return " – ".join(
            filter(
                None,
                [
                    sources.get(self.source),
                    responses.get(self.mailing_response),
                    self.mailing_id.subject or self.campaign_id.name,
                ],
            )
        )

    # ------------------------------------------------------------------
    # recording (as superuser: evidence is written by the system)
    # ------------------------------------------------------------------
    @api.model
    def _empathy_insert_mailing_evidence(self, rows):
        """Insert mailing evidence ``rows`` (dicts: partner_id, mailing_id,
        mailing_trace_id, mailing_response, campaign_id, company_id, user_id and one of
        motive_id / communication_style) in one statement; rows already recorded
        (same trace, response and item) are skipped by the database.

        Return the rows inserted, as ``{(partner id, motive id or None)}``.
        """
        if not rows:
            return set()
        now = fields.Datetime.now()
        uid = self.env.uid
        values = [
            SQL(
                "(%s, %s, %s, %s, %s, %s, %s, %s, 'campaign_mailing', %s, %s, %s, %s, %s, %s, %s)",
                row["partner_id"],
                row.get("motive_id"),
                row.get("communication_style"),
                row["mailing_id"],
                row["mailing_trace_id"],
                row["mailing_response"],
                row.get("campaign_id"),
                RESPONSE_STRENGTHS[row["mailing_response"]],
                row.get("user_id"),
                now,
                row["company_id"],
                uid,
                now,
                uid,
                now,
            )
            for row in rows
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO empathy_motive_evidence
                       (partner_id, motive_id, communication_style, mailing_id,
                        mailing_trace_id, mailing_response, campaign_id, strength, source,
                        user_id, date, company_id, create_uid, create_date, write_uid,
                        write_date)
                VALUES %s
                ON CONFLICT DO NOTHING
                RETURNING partner_id, motive_id
                """,
                SQL(", ").join(values),
            )
        )
        added = set(self.env.cr.fetchall())
        if added:
            # written behind the ORM's back: the contacts' evidence is read again
            self.env.invalidate_all()
        return added

    @api.model
    def _empathy_learn_styles(self, partner_ids):
        """Set the style of these contacts from their mailing responses, where it is
        empty or was learnt from responses; never for a person who objects (nor whose
        company objects). Set-based: one query for the points of every contact, one
        read of their profiles and one write per style set.
        """
        if not partner_ids:
            return
        self.flush_model()
        # each mailing counts with its strongest response (a click implies an open)
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, communication_style, SUM(strength)
                  FROM (SELECT partner_id, communication_style, mailing_trace_id,
                               MAX(strength) AS strength
                          FROM empathy_motive_evidence
                         WHERE partner_id = ANY(%s)
                           AND source = 'campaign_mailing'
                           AND communication_style IS NOT NULL
                      GROUP BY partner_id, communication_style, mailing_trace_id) per_trace
              GROUP BY partner_id, communication_style
                """,
                list(partner_ids),
            )
        )
        points = {}
        for partner_id, style, total in self.env.cr.fetchall():
            points.setdefault(partner_id, {})[style] = total
        objecting = (
            self.env["res.partner"]
            .sudo()
            .browse(list(points))
            .filtered(lambda p: p._empathy_is_objecting())
        )
        learnt = {}  # {partner id: style}
        for partner_id, partner_points in points.items():
            style = self._empathy_style_from_points(partner_points)
            if style and partner_id not in objecting.ids:
                learnt[partner_id] = style
        if not learnt:
            return
        Profile = self.env["empathy.profile"].sudo().with_context(empathy_style_learnt=True)
        rows = Profile.search([("partner_id", "in", list(learnt))])
        by_style = {}
        for row in rows:
            style = learnt[row.partner_id.id]
            # the advisor's style stays (an empty one, and a learnt one, follow the responses)
            if row.communication_style and row.communication_style_source != "campaign":
                continue
            if row.communication_style != style or row.communication_style_source != "campaign":
                by_style.setdefault(style, Profile.browse())
                by_style[style] |= row
        for style, style_rows in by_style.items():
            style_rows.write(
                {"communication_style": style, "communication_style_source": "campaign"}
            )
        missing = set(learnt) - set(rows.partner_id.ids)
        if missing:
            Profile.create(
                [
                    {
                        "partner_id": partner_id,
                        "communication_style": learnt[partner_id],
                        "communication_style_source": "campaign",
                    }
                    for partner_id in sorted(missing)
                ]
            )

    @api.model
    def _empathy_style_from_points(self, points):
        """Return the style the points ({style: points}) speak for, or False."""
        factual, emotional = points.get("factual", 0), points.get("emotional", 0)
        lead = factual - emotional
        if max(factual, emotional) >= STYLE_MIN_POINTS and abs(lead) >= STYLE_MIN_LEAD:
            return "factual" if lead > 0 else "emotional"
        if min(factual, emotional) >= STYLE_MIN_POINTS:
            return "mixed"
        return False
