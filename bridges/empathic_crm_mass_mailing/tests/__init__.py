# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from . import test_packaging
from . import test_i18n
from . import test_versions
from . import test_channel
from . import test_responses
from . import test_report
from . import test_reactivation
from . import test_marketing_security
from . import test_recipients
from . import test_tours
