# Copyright 2026 Empathic CRM contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
{
    "name": "Empathic CRM",
    "summary": "Know why customers buy and how they want to be spoken to: "
    "empathy profiles, mandatory impressions after every contact, rapport",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "website": "https://github.com/empathic-crm/empathic_crm",
    "author": "Empathic CRM contributors",
    "license": "LGPL-3",
    "depends": ["mail", "contacts", "crm", "sale_management"],
    "data": [
        "security/empathic_crm_security.xml",
        "security/empathy_cross_sell_security.xml",
        "security/empathy_listening_security.xml",
        "security/ir.model.access.csv",
        "data/empathy_motive_data.xml",
        "data/empathy_value_data.xml",
        "data/mail_activity_type_data.xml",
        "data/ir_config_parameter_data.xml",
        "data/ir_cron_data.xml",
        "data/crm_lead_scoring_data.xml",
        "views/empathy_motive_views.xml",
        "views/empathy_value_views.xml",
        "views/empathy_impression_views.xml",
        "views/empathy_rapport_views.xml",
        "views/mail_activity_type_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/empathy_impression_wizard_views.xml",
        "wizards/empathy_assign_advisor_wizard_views.xml",
        "views/empathy_cross_sell_rule_views.xml",
        "views/sale_order_views.xml",
        "views/product_views.xml",
        "views/utm_campaign_views.xml",
        "views/crm_lead_scoring_views.xml",
        "views/empathy_motive_campaign_report_views.xml",
        "views/empathic_crm_menus.xml",
    ],
    "demo": [
        "demo/empathic_crm_demo.xml",
        "demo/empathy_cross_sell_demo.xml",
        "demo/empathic_crm_listening_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "empathic_crm/static/src/**/*",
        ],
        "web.assets_tests": [
            "empathic_crm/static/tests/tours/**/*",
        ],
    },
}
