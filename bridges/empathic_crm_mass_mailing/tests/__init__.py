# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
from . import test_i18n
from . import test_packaging
