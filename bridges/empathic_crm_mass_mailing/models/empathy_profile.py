# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""TODO (skeleton): docstring by the owners of the sections.

The style learnt from campaign responses: a profile's communication style is the
advisor's (set by hand, observed in an impression, imported: any write) or learnt from
mailing responses (``communication_style_source``). Mailing responses set it only
while it is empty or was itself learnt from them, from the net of the responses to
the fact and the story version (``STYLE_MIN_POINTS``, ``STYLE_MIN_LEAD``); they never
overwrite an advisor's.
"""

from odoo import api, fields, models
from odoo.tools import SQL

#: the style is learnt from mailing responses once one version has at least this many
#: points (each mailing counts with its strongest response: open 1, click 2, reply 3)
#: and leads the other version by at least ``STYLE_MIN_LEAD`` points; two responses at
#: least (a reply and an open, two clicks), never a single one. Both versions at
#: ``STYLE_MIN_POINTS`` or more without such a lead: the style is mixed.
STYLE_MIN_POINTS = 4
STYLE_MIN_LEAD = 2


class EmpathyProfile(models.Model):
    _inherit = "empathy.profile"

    # ------------------------------------------------------------------
    # what a marketer may see (owner: recipients)
    # ------------------------------------------------------------------

    # ------------------------------------------------------------------
    # the style learnt from campaign responses (owner: responses)
    # ------------------------------------------------------------------
    communication_style_source = fields.Selection(
        [("advisor", "An advisor"), ("campaign", "Mailing responses")],
        string="Style known from",
        readonly=True,
        help="Who set the communication style: an advisor (by hand or from an impression;"
        " mailing responses never change it) or the responses to the fact and the story"
        " versions of mailings (changed as further responses come in).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._empathy_style_source_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        return super().write(self._empathy_style_source_values(dict(vals)))

    def _empathy_style_source_values(self, vals):
        """Mark a style written by anyone but the mailing responses as the advisor's
        (in place; an emptied style has no source: responses may learn it again)."""
        if "communication_style" in vals and not self.env.context.get("empathy_style_learnt"):
            vals["communication_style_source"] = vals["communication_style"] and "advisor"
        return vals

    @api.model
    def _empathy_learn_styles(self, partner_ids):
        """Set the style of these contacts from their mailing responses, where it is
        empty or was learnt from responses; never for a person who objects (nor whose
        company objects). Set-based: one query for the points of every contact, one
        read of their profiles and one write per style set.
        """
        if not partner_ids:
            return
        self.env["empathy.motive.evidence"].flush_model()
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
        Profile = self.sudo().with_context(empathy_style_learnt=True)
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
