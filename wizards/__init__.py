from . import empathy_impression_wizard
