# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import os

from babel.messages.pofile import read_po

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

MODULE = "empathic_crm_mass_mailing"
I18N = os.path.join(os.path.dirname(os.path.dirname(__file__)), "i18n")


@tagged("post_install", "-at_install", MODULE)
class TestTranslations(TransactionCase):
    """The bridge speaks German as the main addon does: its template holds every term
    of its code and data, and de.po translates all of them (scripts/i18n exports both
    series' terms into bridges/empathic_crm_mass_mailing/i18n/)."""

    def _read(self, name):
        path = os.path.join(I18N, name)
        self.assertTrue(os.path.isfile(path), f"{name} is missing: run scripts/i18n")
        with open(path, "rb") as po_file:
            return read_po(po_file)

    def test_template_is_current(self):
        # the terms Odoo exports for the bridge in this database (this series, no demo
        # data) are all in the template; the template may hold more (the other series')
        template = {message.id for message in self._read(f"{MODULE}.pot") if message.id}
        exported = {
            source
            for module, _type, _name, _res_id, source, _value, _comments in (
                TranslationModuleReader(self.env.cr, modules=[MODULE])
            )
            if module == MODULE and source
        }
        self.assertTrue(exported, "Odoo exports no term of the bridge")
        self.assertEqual(
            sorted(exported - template), [], f"terms missing in {MODULE}.pot: run scripts/i18n"
        )

    def test_de_po_is_complete(self):
        template = self._read(f"{MODULE}.pot")
        german = self._read("de.po")
        self.assertGreater(len(template), 0)
        missing = [m.id for m in template if m.id and m.id not in german]
        self.assertEqual(missing, [], "msgids of the .pot missing in de.po: run scripts/i18n")
        untranslated = [m.id for m in german if m.id and (not m.string or m.fuzzy)]
        self.assertEqual(untranslated, [], "untranslated or fuzzy entries in de.po")
        self.assertEqual(german.locale.language, "de")
