"""The addon's models; the concerns of one model are files named model + concern."""

from ..tools import compat

from . import empathy_tag_mixin
from . import calendar_event
from . import crm_lead
from . import crm_lead_scoring
from . import empathy_cross_sell_report
from . import empathy_cross_sell_rule
from . import empathy_cross_sell_suggestion
from . import empathy_partner_stat
from . import empathy_impression
from . import empathy_interaction_intake
from . import empathy_interaction_intake_contact
from . import empathy_interaction_intake_parsing
from . import empathy_motive
from . import empathy_motive_campaign_report
from . import empathy_motive_evidence
from . import empathy_profile
from . import empathy_rapport
from . import empathy_rapport_access
from . import empathy_rapport_deferred
from . import empathy_rapport_explanation
from . import empathy_rapport_fair
from . import empathy_rapport_queue
from . import empathy_rapport_recompute
from . import empathy_series
from . import empathy_value
from . import mail_activity
from . import mail_activity_briefing
from . import mail_activity_mixin
from . import mail_activity_type
from . import product_template
from . import res_config_settings
from . import res_partner
from . import res_partner_briefing
from . import res_partner_briefing_compact
from . import res_partner_contact_keys
from . import res_partner_gdpr
from . import res_partner_handover
from . import res_partner_motive_evidence
from . import res_partner_objection
from . import res_partner_rapport
from . import res_partner_silent
from . import sale_order
from . import sale_order_line
from . import sale_order_listening

if compat.has_sale_order_option():  # 18.0: the suggestions are optional products
    from . import sale_order_cross_sell_pricing, sale_order_option
else:  # 19.0: the suggestions are order lines in an optional section
    from . import sale_order_line_cross_sell
from . import utm_campaign
from . import empathy_kind_rapport
from . import empathy_kind_rapport_fit
from . import empathy_kind_rapport_upkeep
from . import res_partner_matching
from . import crm_lead_matching
from . import crm_team_matching
