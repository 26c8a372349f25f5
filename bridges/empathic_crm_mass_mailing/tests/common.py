# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The bridge's shared test world: users per role and contacts of every kind.

Builders (classmethods, as the main addon's ``EmpathyWorld``) and a base class,
``MailingEmpathyCommon``, that builds them all:

- users: ``user_marketer`` (Email Marketing user + Empathy: Marketing),
  ``user_mailer`` (Email Marketing user only), ``user_sales`` (salesperson: an
  empathy user), ``user_manager`` (sales manager: empathy manager), ``user_sales_b``
  (salesperson of company B only), ``user_internal``, ``user_portal``;
- contacts (all with an email): ``partner_factual`` (fact-oriented, demanding,
  Marathon), ``partner_emotional`` (emotion-oriented, easy-going, Marathon + Hawaii),
  ``partner_mixed`` (mixed), ``partner_unknown`` (no style), ``partner_objecting``
  (fact-oriented, Marathon + Hawaii, objects to profiling), ``partner_phone`` and
  ``partner_meeting`` (prefer a call / a visit, salesperson ``user_sales``),
  ``partner_b`` (company B, fact-oriented, Marathon + Hawaii);
- ``motive_marathon``, ``motive_hawaii``; ``partners``: all of them; ``SECRET``
  in every free text of the profiles (why, personal notes).
"""

from odoo import Command, fields
from odoo.tests import TransactionCase
from odoo.tests.common import new_test_user

from odoo.addons.empathic_crm.tests.common import EmpathyWorld

MAILING_USER = "mass_mailing.group_mass_mailing_user"
MARKETING = "empathic_crm_mass_mailing.group_empathy_marketing"
#: every free text of the test profiles contains it
SECRET = "Zebrafish"


def sent_trace(env, mailing, partner, **values):
    """Return a sent trace of ``mailing`` to the contact ``partner``, as Odoo's sending
    creates it (the bridge notes the recipient's kind on it)."""
    return env["mailing.trace"].create(
        {
            "trace_type": "mail",
            "model": "res.partner",
            "res_id": partner.id,
            "email": partner.email,
            "mass_mailing_id": mailing.id,
            "trace_status": "sent",
            "sent_datetime": fields.Datetime.now(),
            "message_id": f"<{mailing.id}.{partner.id}@example.com>",
            **values,
        }
    )


class MailingEmpathyWorld(EmpathyWorld):
    """Builders of the bridge's test world."""

    @classmethod
    def _create_mailing_users(cls, prefix):
        """``user_marketer`` and ``user_mailer`` (Email Marketing, with and without
        the marketing group), with the main addon's roles ``sales``, ``manager``,
        ``sales_b``, ``internal``, ``portal`` as ``user_<role>``."""
        cls._create_users(
            prefix,
            "user_{}",
            sales="Sally Sales",
            manager="Mia Manager",
            sales_b="Bob B",
            internal=None,
            portal=None,
        )
        cls.user_marketer = new_test_user(
            cls.env,
            login=f"{prefix}_marketer",
            name="Mara Marketer",
            email="mara@example.com",
            groups=f"base.group_user,{MAILING_USER},{MARKETING}",
        )
        cls.user_mailer = new_test_user(
            cls.env,
            login=f"{prefix}_mailer",
            name="Max Mailer",
            email="max@example.com",
            groups=f"base.group_user,{MAILING_USER}",
        )

    @classmethod
    def _create_kind_partner(cls, name, **values):
        """A contact with an email and a profile of ``values`` (partner fields); its
        free texts hold ``SECRET``."""
        login = name.split()[0].lower()
        return cls.env["res.partner"].create(
            {
                "name": name,
                "email": f"{login}@example.com",
                "empathy_why": f"{SECRET}: why {name} buys",
                "empathy_personal_notes": f"{SECRET}: notes on {name}",
                **values,
            }
        )

    @classmethod
    def _create_kind_partners(cls):
        """The contacts of every kind (see the module docstring)."""
        cls.motive_marathon = cls.env.ref("empathic_crm.motive_marathon")
        cls.motive_hawaii = cls.env.ref("empathic_crm.motive_hawaii_trip")
        both = (cls.motive_marathon | cls.motive_hawaii).ids
        cls.partner_factual = cls._create_kind_partner(
            "Fiona Facts",
            empathy_communication_style="factual",
            empathy_temperament="demanding",
            empathy_preferred_channel="email",
            empathy_motive_ids=[Command.set(cls.motive_marathon.ids)],
        )
        cls.partner_emotional = cls._create_kind_partner(
            "Emil Story",
            empathy_communication_style="emotional",
            empathy_temperament="easy",
            empathy_preferred_channel="email",
            empathy_motive_ids=[Command.set(both)],
        )
        cls.partner_mixed = cls._create_kind_partner(
            "Mona Mixed", empathy_communication_style="mixed", empathy_temperament="neutral"
        )
        cls.partner_unknown = cls.env["res.partner"].create(
            {"name": "Udo Unknown", "email": "udo@example.com"}
        )
        cls.partner_objecting = cls._create_kind_partner(
            "Olga Objecting",
            empathy_communication_style="factual",
            empathy_temperament="demanding",
            empathy_preferred_channel="phone",
            empathy_motive_ids=[Command.set(both)],
        )
        cls.partner_objecting.empathy_objection = True
        cls.partner_phone = cls._create_kind_partner(
            "Paul Phone",
            empathy_communication_style="factual",
            empathy_preferred_channel="phone",
            user_id=cls.user_sales.id,
        )
        cls.partner_meeting = cls._create_kind_partner(
            "Mia Meeting",
            empathy_communication_style="emotional",
            empathy_preferred_channel="meeting",
            user_id=cls.user_sales.id,
        )
        cls.partner_b = cls._create_kind_partner(
            "Bea Company-B",
            company_id=cls.company_b.id,
            empathy_communication_style="factual",
            empathy_temperament="demanding",
            empathy_preferred_channel="phone",
            empathy_motive_ids=[Command.set(both)],
        )
        cls.partners = (
            cls.partner_factual
            | cls.partner_emotional
            | cls.partner_mixed
            | cls.partner_unknown
            | cls.partner_objecting
            | cls.partner_phone
            | cls.partner_meeting
            | cls.partner_b
        )

    @classmethod
    def _create_mailing(cls, domain, user=None, **values):
        """A mailing on contacts with the recipients' ``domain`` (a list; None: the
        domain of ``values``' ``mailing_filter_id``), created by ``user`` (default:
        the marketer)."""
        user = user or cls.user_marketer
        if domain is not None:
            values = {"mailing_domain": repr(domain), **values}
        return (
            cls.env["mailing.mailing"]
            .with_user(user)
            .create(
                {
                    "subject": "Spring run",
                    "body_html": "<p>Hello</p>",
                    "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                    **values,
                }
            )
        )


class MailingEmpathyCommon(MailingEmpathyWorld, TransactionCase):
    """The bridge's world built once per test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_env()
        cls._setup_companies("Mailing Company B")
        cls._create_mailing_users("mme")
        cls._create_kind_partners()

    def _recipients(self, mailing):
        """The contacts of ``partners`` the mailing selects (as its ``_get_recipients``)."""
        ids = set(mailing._get_recipients())
        return self.partners.filtered(lambda p: p.id in ids)
