# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
# recipients by empathy and what a marketer may see (security)
from . import empathy_profile
from . import res_partner
from . import mailing_mailing_recipients

# one campaign, the right words for each person; each customer on their own channel
from . import mailing_mailing_versions
from . import mail_activity

# responses sharpen profiles; what works for whom; silent customers
from . import mailing_trace
from . import link_tracker
from . import empathy_motive_evidence
from . import empathy_mailing_kind_report
from . import mailing_mailing_reactivation
