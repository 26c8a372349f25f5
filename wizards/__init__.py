"""The addon's wizards (dialogs, transient models)."""

from . import empathy_impression_wizard
from . import mail_activity_schedule
from . import empathy_assign_advisor_wizard
from . import empathy_assign_advisor_wizard_line
from . import mail_compose_message
