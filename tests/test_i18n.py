# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import os

from babel.messages.pofile import read_po

from odoo.tests import BaseCase, tagged

I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


@tagged("post_install", "-at_install", "empathic_crm")
class TestTranslations(BaseCase):
    """The first customers speak German: de.po must be complete and current."""

    def _read(self, name):
        with open(os.path.join(I18N, name), "rb") as po_file:
            return read_po(po_file)

    def test_de_po_is_complete(self):
        template = self._read("empathic_crm.pot")
        german = self._read("de.po")
        self.assertGreater(len(template), 100)
        missing = [m.id for m in template if m.id and m.id not in german]
        self.assertEqual(missing, [], "msgids of the .pot missing in de.po: run scripts/i18n")
        untranslated = [m.id for m in german if m.id and (not m.string or m.fuzzy)]
        self.assertEqual(untranslated, [], "untranslated or fuzzy entries in de.po")
        self.assertEqual(german.locale.language, "de")
