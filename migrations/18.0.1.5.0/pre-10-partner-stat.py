# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Drop the former company-dependent figure columns of ``res_partner`` before the
models load: they are refilled as rows of ``empathy.partner.stat`` from their sources
(``post-10-partner-stat.py``), and loaded as columns they would make Odoo patch the new
non-stored fields of the same names ("Patching res.partner.… with
company_dependent=True"). The drop itself has one home, the post script.
"""

import importlib.util
from pathlib import Path


def migrate(cr, version):
    if not version:
        return
    path = Path(__file__).with_name("post-10-partner-stat.py")
    spec = importlib.util.spec_from_file_location("empathic_crm_partner_stat_post", path)
    post = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(post)
    post.drop_old_columns(cr)
