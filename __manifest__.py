# Copyright 2026 Empathic CRM contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
# The version is series-less (x.y.z): Odoo 18.0 reads it as 18.0.x.y.z, Odoo 19.0 as
# 19.0.x.y.z; scripts/package stamps the series into the packaged manifest. pylint-odoo
# compares it with migrations/18.0.* as if both were full versions:
# tests/test_packaging.py checks the folders on the module part instead.
# pylint: disable=manifest-behind-migrations
{
    "name": "Empathic CRM",
    "summary": "Know why customers buy and how they want to be spoken to: "
    "empathy profiles, mandatory impressions after every contact, rapport",
    "version": "1.5.0",
    "category": "Sales/CRM",
    "website": "https://github.com/empathic-crm/empathic_crm",
    "author": "Empathic CRM contributors",
    "maintainers": ["empathic-crm"],
    "license": "LGPL-3",
    "images": [
        "static/description/impression_dialog.png",
        "static/description/partner_empathy_tab.png",
        "static/description/quotation_suggestions.png",
    ],
    "depends": ["mail", "contacts", "crm", "sale_management"],
    "data": [
        "data/empathic_crm_series_data.xml",
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
        "views/empathy_rapport_queue_views.xml",
        "views/mail_activity_type_views.xml",
        "views/empathy_profile_views.xml",
        "views/empathy_briefing_templates.xml",
        "views/res_partner_views.xml",
        "views/empathy_partner_stat_views.xml",
        "views/crm_lead_views.xml",
        "views/calendar_event_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/empathy_impression_wizard_views.xml",
        "wizards/empathy_assign_advisor_wizard_views.xml",
        "wizards/mail_compose_message_views.xml",
        "views/empathy_cross_sell_rule_views.xml",
        "views/sale_order_views.xml",
        "views/product_views.xml",
        "views/utm_campaign_views.xml",
        "views/crm_lead_scoring_views.xml",
        "views/empathy_motive_campaign_report_views.xml",
        "views/empathy_kind_rapport_views.xml",
        "views/crm_team_views.xml",
        "views/crm_lead_matching_views.xml",
        "views/empathic_crm_menus.xml",
        "data/empathic_crm_series_actions_data.xml",
    ],
    "demo": [
        "demo/empathic_crm_demo.xml",
        "demo/empathy_cross_sell_demo.xml",
        "demo/empathic_crm_listening_demo.xml",
        "demo/empathic_crm_briefing_demo.xml",
        "demo/empathic_crm_demo_de.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "empathic_crm/static/src/**/*",
            ("remove", "empathic_crm/static/src/views/empathy_report/**"),
            # one series' folder comes back through data/odoo<major>/empathic_crm_assets.xml
            ("remove", "empathic_crm/static/src/compat/**/*"),
        ],
        # the reports' pivot and graph extend views Odoo loads on demand
        "web.assets_backend_lazy": [
            "empathic_crm/static/src/views/empathy_report/**",
        ],
        "web.assets_tests": [
            "empathic_crm/static/tests/tours/**/*",
        ],
    },
}
