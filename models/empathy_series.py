# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Data files that differ per Odoo series, loaded from ``<folder>/odoo<major>/``.

One mechanism for XML that cannot be written for every series at once (a field that
18.0 and 19.0 name differently, e.g. a group's ``users``/``user_ids``, an action's
``groups_id``/``group_ids``) and for the JavaScript of a series (an ``ir.asset`` record
in such a file adds ``static/src/compat/odoo<major>/`` to its bundle). A data file of
the manifest calls ``_load_series_files`` with ``<function>`` at the place the files
belong; the same file names exist for every series (``tests/test_compat.py``).
See readme/DEVELOPMENT.md, *Odoo series*.
"""

from odoo import api, models
from odoo.tools.convert import convert_file

from ..tools import compat


class EmpathySeries(models.AbstractModel):
    _name = "empathy.series"
    _description = "Empathy: files per Odoo series"

    @api.model
    def _load_series_files(self, folder, *names):
        """Load ``<folder>/odoo<major>/<name>`` of the running series, for each name.

        As the module's own data files: at install in ``init`` mode, at an update in
        ``update`` mode (``noupdate`` records are then left alone); their XML ids belong
        to the module, so an update that no longer loads a record (the database moved
        to another series) deletes it, and so does an uninstall.
        """
        module = self.env["ir.module.module"].sudo().search([("name", "=", "empathic_crm")])
        mode = "init" if module.state == "to install" else "update"
        for name in names:
            path = f"{folder}/{compat.series_folder()}/{name}"
            convert_file(self.env, "empathic_crm", path, {}, mode, False)
        return True
