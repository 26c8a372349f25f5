# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Local helpers of the responses and report tests: contacts of known kinds, a
versioned mailing pair, traces as Odoo's sending creates them."""

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.empathic_crm.tests.common import EmpathyWorld

from .common import sent_trace


class ResponsesCase(EmpathyWorld, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._setup_companies("Responses Company B")
        cls._create_users("mmresp", "user_{}", sales="Sally Sales", manager="Mia Manager")
        cls.motive_marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.motive_hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        Partner = cls.env["res.partner"]
        cls.partner_factual = Partner.create(
            {
                "name": "Fiona Facts",
                "email": "fiona@example.com",
                "empathy_communication_style": "factual",
                "empathy_temperament": "demanding",
                "empathy_motive_ids": [Command.set(cls.motive_marathon.ids)],
            }
        )
        cls.partner_emotional = Partner.create(
            {
                "name": "Emil Story",
                "email": "emil@example.com",
                "empathy_communication_style": "emotional",
                "empathy_temperament": "easy",
                "empathy_motive_ids": [Command.set((cls.motive_marathon | cls.motive_hawaii).ids)],
            }
        )
        cls.partner_unknown = Partner.create({"name": "Udo Unknown", "email": "udo@example.com"})
        cls.partner_objecting = Partner.create(
            {
                "name": "Olga Objecting",
                "email": "olga@example.com",
                "empathy_communication_style": "factual",
                "empathy_temperament": "demanding",
                "empathy_motive_ids": [Command.set(cls.motive_hawaii.ids)],
            }
        )
        cls.partner_objecting.empathy_objection = True
        cls.campaign = cls.env["utm.campaign"].create({"name": "Spring run"})

    @classmethod
    def _create_pair(cls, subject="Spring run"):
        """A fact mailing and its story version (the marketer's button), in the campaign."""
        fact = cls.env["mailing.mailing"].create(
            {
                "subject": subject,
                "body_html": "<p>Facts</p>",
                "campaign_id": cls.campaign.id,
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": "[]",
            }
        )
        fact.action_empathy_story_version()
        return fact, fact.empathy_version_mailing_id

    @classmethod
    def _trace(cls, mailing, partner, **values):
        """A sent trace of ``mailing`` to ``partner`` (as the sending creates it)."""
        return sent_trace(cls.env, mailing, partner, **values)

    def _evidence(self, partner, **domain):
        return (
            self.env["empathy.motive.evidence"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("source", "=", "campaign_mailing"),
                    *[(name, "=", value) for name, value in domain.items()],
                ]
            )
        )
