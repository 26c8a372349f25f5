from . import (
    empathy_gate,
    empathy_impression,
    empathy_motive,
    empathy_rapport,
    empathy_value,
    mail_activity,
    mail_activity_mixin,
    mail_activity_schedule,
    mail_activity_type,
    res_config_settings,
    res_partner,
)
