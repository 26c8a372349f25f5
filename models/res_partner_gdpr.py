# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""GDPR for the empathy data of a contact: export (Art. 15) as JSON or CSV, erasure
(Art. 17); managers only.
"""

import csv
import io
import json

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.groups import check_empathy_manager

EXPORT_FORMATS = ("json", "csv")
#: spreadsheet applications run cells starting with these as formulas
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value):
    """Return ``value`` so that spreadsheets show it as text, never run it as a formula.

    Like Odoo's own export: a leading ``'`` before ``= + - @``, tab and carriage return.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _empathy_check_manager(self):
        check_empathy_manager(
            self.env,
            self.env._("Only empathy managers can export or erase the empathy data of a person."),
        )

    def _empathy_export_data(self):
        """Return all empathy data of this person as a JSON-serialisable dict."""
        self.ensure_one()
        self._empathy_check_manager()
        self.check_access("read")
        partner = self.sudo()
        impressions = partner.empathy_impression_ids.filtered(
            lambda i: i.company_id in self.env.companies
        )
        rapports = partner.empathy_rapport_ids.filtered(
            lambda r: r.company_id in self.env.companies
        )
        return {
            "partner": {"id": partner.id, "name": partner.name, "email": partner.email or ""},
            "profile": {
                "motives": partner.empathy_motive_ids.mapped("name"),
                "values": partner.empathy_value_ids.mapped("name"),
                "why": partner.empathy_why or "",
                "communication_style": partner.empathy_communication_style or "",
                "temperament": partner.empathy_temperament or "",
                "preferred_channel": partner.empathy_preferred_channel or "",
                "personal_notes": partner.empathy_personal_notes or "",
                "objects_to_profiling": partner.empathy_objection,
                "best_advisor": partner.empathy_best_advisor_id.name or "",
                "best_rapport": partner.empathy_best_rapport,
                "mood_trend": partner.empathy_mood_trend or "",
                "last_impression_date": fields.Datetime.to_string(
                    partner.empathy_last_impression_date
                )
                or "",
            },
            "impressions": [
                {
                    "date": fields.Datetime.to_string(imp.date),
                    "advisor": imp.user_id.name,
                    "company": imp.company_id.name,
                    "channel": imp.channel,
                    "rapport": imp.rapport,
                    "mood": imp.mood,
                    "communication_style": imp.communication_style or "",
                    "motives": imp.motive_ids.mapped("name"),
                    "note": imp.note or "",
                    "summary": imp.summary or "",
                }
                for imp in impressions.sorted("date")
            ],
            "rapport": [
                {
                    "advisor": row.user_id.name,
                    "company": row.company_id.name,
                    "score": row.score,
                    "impressions": row.impression_count,
                    "last_date": fields.Datetime.to_string(row.last_date) or "",
                    "trend": row.trend or "",
                }
                for row in rapports
            ],
            "motive_evidence": partner._empathy_export_evidence(),
        }

    def _empathy_check_export_format(self, fmt):
        if fmt not in EXPORT_FORMATS:
            raise UserError(self.env._("Unknown export format %s: use json or csv.", fmt))

    def _empathy_export_file(self, fmt):
        """Return (content, mimetype, filename) of the export in ``json`` or ``csv``."""
        data = self._empathy_export_data()
        stem = "empathy-data-%s" % self.id
        if fmt == "json":
            content = json.dumps(data, indent=2, ensure_ascii=False)
            return content.encode(), "application/json", stem + ".json"
        self._empathy_check_export_format(fmt)
        sections = [("partner", data["partner"]), ("profile", data["profile"])]
        for label, key in (
            ("impression", "impressions"),
            ("rapport", "rapport"),
            ("motive evidence", "motive_evidence"),
        ):
            sections += [("%s %s" % (label, i), row) for i, row in enumerate(data.get(key, ()), 1)]
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["section", "field", "value"])
        for section, row in sections:
            for key, value in row.items():
                value = ", ".join(value) if isinstance(value, list) else value
                writer.writerow([section, key, _csv_safe(value)])
        return buffer.getvalue().encode(), "text/csv", stem + ".csv"

    def action_empathy_export(self, fmt="json"):
        """Download the person's empathy data as ``json`` or ``csv`` (GDPR Art. 15)."""
        self.ensure_one()
        self._empathy_check_manager()
        self._empathy_check_export_format(fmt)
        return {
            "type": "ir.actions.act_url",
            "url": "/empathic_crm/export/%s/%s" % (self.id, fmt),
            "target": "download",
        }

    def action_empathy_export_csv(self):
        """Download the person's empathy data as CSV."""
        return self.action_empathy_export("csv")

    def action_empathy_erase(self):
        """Erase impressions, profile and motive evidence of these persons (GDPR Art. 17)."""
        self._empathy_check_manager()
        self.check_access("write")
        for partner in self.sudo():
            # searched (every company's rows), not read through the contact's one2many
            for model in ("empathy.impression", "empathy.profile", "empathy.motive.evidence"):
                self.env[model].sudo().search([("partner_id", "=", partner.id)]).unlink()
            # the chatter is read by users without empathy access: no counts, no values
            partner.message_post(
                body=self.env._(
                    "Empathy data erased on request (GDPR Art. 17) by %(user)s.",
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _empathy_export_evidence(self):
        """Return the motive evidence of this person for the GDPR export."""
        self.ensure_one()
        sources = dict(
            self.env["empathy.motive.evidence"]._fields["source"]._description_selection(self.env)
        )
        evidence = self.sudo().empathy_motive_evidence_ids.filtered(
            lambda e: e.company_id in self.env.companies
        )
        return [
            {
                "date": fields.Datetime.to_string(row.date),
                "motive": row.motive_id.name or "",
                "value": row.value_id.name or "",
                "source": sources.get(row.source, row.source),
                "strength": row.strength,
                "campaign": row.campaign_id.name or "",
                "recorded_by": row.user_id.name or "",
                "company": row.company_id.name,
            }
            for row in evidence.sorted("date")
        ]
