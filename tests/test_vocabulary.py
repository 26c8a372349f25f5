# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""One home per rule: the words (tools/vocabulary.py), the settings (tools/params.py),
the profile and trait fields (tools/profile_fields.py) and the manager check."""

import pathlib
import re

from lxml import etree

from odoo.tests import TransactionCase, tagged

from ..tools import params, vocabulary
from ..tools.matching import TRAITS
from ..tools.profile_fields import PROFILE_FIELDS, PROFILED_FIELDS, TRAIT_FIELDS

ADDON = pathlib.Path(__file__).resolve().parent.parent
#: the Python sources of the addon (the tests aside)
SOURCES = [
    path
    for folder in ("models", "wizards", "controllers", "tools")
    for path in sorted((ADDON / folder).glob("*.py"))
]


@tagged("post_install", "-at_install", "empathic_crm")
class TestVocabulary(TransactionCase):
    def test_fields_use_the_vocabulary(self):
        """Every selection of a style, temperament, channel, mood or rapport is the
        vocabulary's (a label changes in one place)."""
        expected = {
            ("res.partner", "empathy_communication_style"): vocabulary.COMMUNICATION_STYLES,
            ("res.partner", "empathy_temperament"): vocabulary.TEMPERAMENTS,
            ("res.partner", "empathy_preferred_channel"): vocabulary.PREFERRED_CHANNELS,
            ("res.partner", "empathy_mood_trend"): vocabulary.MOOD_TRENDS,
            ("crm.lead", "empathy_mood_trend"): vocabulary.MOOD_TRENDS,
            ("empathy.rapport", "trend"): vocabulary.MOOD_TRENDS,
            ("empathy.impression", "channel"): vocabulary.CHANNELS,
            ("empathy.impression", "communication_style"): vocabulary.COMMUNICATION_STYLES,
            ("empathy.impression.wizard", "mood"): vocabulary.MOODS,
            ("empathy.impression.wizard", "rapport"): vocabulary.RAPPORT_LEVELS,
            ("empathy.impression.wizard", "channel"): vocabulary.CHANNELS,
            ("empathy.kind.rapport", "temperament"): vocabulary.TEMPERAMENTS,
            ("mail.activity.type", "empathy_channel"): vocabulary.CHANNELS,
        }
        for (model, name), selection in expected.items():
            with self.subTest(f"{model}.{name}"):
                self.assertEqual(list(self.env[model]._fields[name].selection), selection)
        for value, _label in vocabulary.COMMUNICATION_STYLES:
            self.assertTrue(all(vocabulary.STYLE_PHRASES[value]), value)
        for value, _label in vocabulary.TEMPERAMENTS:
            phrases = vocabulary.TEMPERAMENT_PHRASES[value]
            self.assertTrue(phrases.advice and phrases.hint and phrases.kind, value)
        self.assertEqual(vocabulary.stars(4), "★★★★☆")
        self.assertEqual(vocabulary.mood_label(self.env, 1), "Pleased")
        self.assertEqual(vocabulary.mood_label(self.env, 7), "")

    def test_no_emoji_and_no_word_tables_elsewhere(self):
        """The words live in the vocabulary: no other mood or advice table."""
        for path in SOURCES:
            if path.name == "vocabulary.py":
                continue
            text = path.read_text()
            with self.subTest(path.name):
                self.assertIsNone(re.search(r"[\U0001F300-\U0001FAFF]", text), "emoji")
                for phrase in ('"Angry")', '"We clicked perfectly")', "lead with figures"):
                    self.assertFalse(phrase in text, phrase)

    def test_briefing_templates_hold_no_words(self):
        """The data brings the words, in the reader's language: nothing to translate in
        the templates (views/empathy_briefing_templates.xml)."""
        arch = etree.parse(str(ADDON / "views" / "empathy_briefing_templates.xml"))
        names = [node.get("id") for node in arch.iterfind("//template")]
        self.assertGreaterEqual(len(names), 6)
        for name in names:
            view = self.env.ref(f"empathic_crm.{name}")
            with self.subTest(name):
                self.assertEqual(view._fields["arch_db"].get_trans_terms(view.arch_db), [])

    def test_profile_and_trait_fields(self):
        partner = self.env["res.partner"]
        for name in (*PROFILE_FIELDS, *PROFILED_FIELDS, *TRAIT_FIELDS):
            self.assertIn(name, partner._fields)
        self.assertEqual(set(TRAIT_FIELDS.values()), set(TRAITS))
        self.assertTrue(all(field.meaning for field in PROFILE_FIELDS.values()))
        self.assertLessEqual(set(TRAIT_FIELDS), set(PROFILE_FIELDS), "a trait is profile")

    def test_one_manager_check(self):
        """Who is an empathy manager is asked in one place (tools/groups.py)."""
        # res_partner_objection.py: owned by the change of its protection (issue #32)
        pending = {"groups.py", "res_partner_objection.py"}
        for path in SOURCES:
            if path.name not in pending:
                with self.subTest(path.name):
                    self.assertNotRegex(path.read_text(), r"has_group\([^)]*MANAGER")


@tagged("post_install", "-at_install", "empathic_crm")
class TestParams(TransactionCase):
    def test_every_key_is_listed(self):
        """A system parameter of the addon is declared in tools/params.py, nowhere else."""
        xmlids = set(
            self.env["ir.model.data"]
            .search([("module", "=", "empathic_crm")])
            .mapped(lambda data: "empathic_crm." + data.name)
        )
        # res_partner_silent.py: owned by another change of issue #32, to import
        # SILENT_MONTHS and SILENT_DAYS from tools/params.py
        pending = {"res_partner_silent.py"}
        for path in SOURCES:
            if path.name in pending:
                continue
            for key in re.findall(r"""["'](empathic_crm\.[a-z_]+)["']""", path.read_text()):
                if key in xmlids or key.startswith("empathic_crm.group_"):
                    continue
                with self.subTest(f"{path.name}: {key}"):
                    self.assertIn(key, params.PARAMS)
                    self.assertEqual(path.name, "params.py", "declared in tools/params.py")

    def test_settings_and_data_file_use_the_defaults(self):
        settings = self.env["res.config.settings"]._fields
        declared = {
            field.config_parameter: field
            for field in settings.values()
            if getattr(field, "config_parameter", None)
            and field.config_parameter.startswith("empathic_crm.")
        }
        for key, param in params.PARAMS.items():
            with self.subTest(key):
                self.assertEqual(key in declared, not param.internal)
        for key, field in declared.items():
            with self.subTest(key):
                default = field.default(self.env["res.config.settings"]) if field.default else None
                self.assertEqual(default or False, params.PARAMS[key].default or False)
        data = etree.parse(str(ADDON / "data" / "ir_config_parameter_data.xml"))
        for record in data.iterfind(".//record[@model='ir.config_parameter']"):
            key = record.findtext("field[@name='key']")
            value = record.findtext("field[@name='value']")
            with self.subTest(key):
                self.assertEqual(
                    params.parse(params.PARAMS[key], value), params.PARAMS[key].default
                )

    def test_reading(self):
        Params = self.env["ir.config_parameter"].sudo()
        for value, expected in ((None, 180.0), ("90", 90.0), ("0", 1.0), ("x", 180)):
            Params.set_param(params.HALF_LIFE.key, value)
            self.assertEqual(params.get(self.env, params.HALF_LIFE), expected, value)
        for value, expected in (("True", True), ("1", True), ("False", False), (None, False)):
            Params.set_param(params.AUTO_SUGGEST.key, value)
            self.assertEqual(params.get(self.env, params.AUTO_SUGGEST), expected, value)
        Params.set_param(params.SHRINKAGE.key, "0")
        self.assertEqual(params.get(self.env, params.SHRINKAGE), 0, "zero pseudo-impressions")
