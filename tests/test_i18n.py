# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import os
import re

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

    def test_one_german_term_for_rapport(self):
        # one concept, one word: "Draht" (not "Rapport", not "Chemie")
        german = self._read("de.po")
        checked = 0
        for message in german:
            if not message.id or not message.string:
                continue
            source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            text = " ".join(message.string) if isinstance(message.string, tuple) else message.string
            self.assertNotRegex(text, r"\bRapport|Chemie", source)
            # the concept, not the API's key 'rapport' nor "Click" on a button
            concept = source.replace("'rapport'", "")
            if re.search(r"\brapport\b", concept, re.IGNORECASE) or re.search(
                r"\b(we|I|who|advisors?|they)\s+click|\bclick(s|ed)\b", concept, re.IGNORECASE
            ):
                checked += 1
                self.assertIn("Draht", text, source)
        self.assertGreater(checked, 20)

    def test_numbers_are_formatted_by_the_code(self):
        # "%.1f" in a message prints 3.8 in every language: the code formats numbers
        # with the user's locale (3,8 in German) and the message takes them as %s
        template = self._read("empathic_crm.pot")
        fixed = [
            m.id for m in template if m.id and re.search(r"%(\([a-z_]+\))?[.0-9]*f", str(m.id))
        ]
        self.assertEqual(fixed, [])
