# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Copies of core code notice when core changes (review F8).

Two places of the addon replace a core function instead of calling it, because core
offers no smaller hook: ``crm.team._empathy_assign_by_fit`` is core's
``_assign_and_convert_leads`` with the member chosen by fit, and the JavaScript patch
of ``Activity.markAsDone`` follows the action the server returns. Each test hashes the
core original as installed and compares it with the hash recorded when the copy was
made: an Odoo update that changes the original fails here, with the place to re-sync.
"""

import hashlib
import inspect
import re

from odoo.tests import BaseCase, tagged
from odoo.tools.misc import file_path

from ..tools import compat

#: sha256 of the core originals the copies were made from (Odoo 18.0)
ASSIGN_AND_CONVERT_SHA = "2d464229a82db565f32756cea285c260cc85f92d32b082e3d0f8de40053abec8"
MARK_AS_DONE_SHA = "e65aa45b04d15b40db7c3a35ce4e4874ece88501d89b87486c559e1782319f74"
MARK_AS_DONE_FILE = "mail/static/src/core/web/activity_model.js"


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def js_method(source, name):
    """Return the text of the class method ``name`` in ``source`` (one JS class file)."""
    match = re.search(r"\n( *)(?:async )?%s\(.*?\n\1\}\n" % re.escape(name), source, re.S)
    return match.group(0) if match else ""


@tagged("post_install", "-at_install", "empathic_crm")
class TestCoreCopies(BaseCase):
    def assertSynced(self, original, recorded, copy):
        if sha256(original) != recorded:
            self.fail(
                f"core changed: re-sync the copy ({copy}) with the new original, then"
                f" record its sha256 {sha256(original)} here.\nThe original now reads:\n"
                f"{original}"
            )

    def test_assign_and_convert_leads(self):
        self.assertSynced(
            inspect.getsource(compat.crm_team_class()._assign_and_convert_leads),
            ASSIGN_AND_CONVERT_SHA,
            "models/crm_team_matching.py, _empathy_assign_by_fit",
        )

    def test_mark_as_done(self):
        with open(file_path(MARK_AS_DONE_FILE), encoding="utf-8") as source:
            original = js_method(source.read(), "markAsDone")
        self.assertTrue(original, f"markAsDone not found in {MARK_AS_DONE_FILE}")
        self.assertSynced(
            original,
            MARK_AS_DONE_SHA,
            "static/src/js/activity_model_patch.js, markAsDone",
        )
