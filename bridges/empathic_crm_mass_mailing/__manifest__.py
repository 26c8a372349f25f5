# Copyright 2026 Empathic CRM contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
# Series-less version, as empathic_crm's: Odoo 18.0 reads it as 18.0.1.0.0, 19.0 as 19.0.1.0.0.
{
    "name": "Empathic CRM - Email Marketing",
    "summary": "Mailings by motive and communication style: the right words for each"
    " kind of customer, phone people called by their advisor, responses as evidence",
    "version": "1.0.0",
    "category": "Marketing/Email Marketing",
    "website": "https://github.com/empathic-crm/empathic_crm",
    "author": "Empathic CRM contributors",
    "maintainers": ["empathic-crm"],
    "license": "LGPL-3",
    "depends": ["empathic_crm", "mass_mailing"],
    "auto_install": True,
    "data": [
        "security/empathic_crm_mass_mailing_security.xml",
        "security/ir.model.access.csv",
        "data/mailing_filter_data.xml",
        "views/mailing_mailing_views.xml",
        "views/mailing_trace_views.xml",
        "views/empathy_motive_evidence_views.xml",
        "views/empathy_mailing_kind_report_views.xml",
        "views/empathic_crm_mass_mailing_menus.xml",
    ],
    "demo": [
        "demo/mailing_demo.xml",
        "demo/mailing_demo_de.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "empathic_crm_mass_mailing/static/tests/tours/**/*",
        ],
    },
}
