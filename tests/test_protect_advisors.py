# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""*Protect advisors* and the manager-only rapport report on every grouping path.

The web client of each series groups through its own public methods (18.0:
``web_read_group`` and ``read_group``; 19.0: ``web_read_group``,
``formatted_read_group``, ``formatted_read_grouping_sets``, and the deprecated
``read_group`` of API clients): ``compat.web_grouping_calls`` names them, and each is
tried here. The guards sit in the methods all of them end in
(``compat.grouping_methods``).
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.empathic_crm.tools import compat
from odoo.addons.empathic_crm.tools.protect_advisors import PROTECT_ADVISORS_PARAM

from .common import EmpathyCommon

GUARDED_MODELS = ("empathy.impression", "empathy.rapport", "empathy.kind.rapport")


@tagged("post_install", "-at_install", "empathic_crm")
class TestProtectAdvisors(EmpathyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._impression(cls.runner, user=cls.user_sales, rapport=5)
        cls._impression(cls.buyer, user=cls.user_sales2, rapport=1)
        cls._impression(cls.buyer, user=cls.user_sales, rapport=3, days_ago=2)

    def _protect(self):
        self.env["ir.config_parameter"].set_param(PROTECT_ADVISORS_PARAM, "True")

    def _groups(self, model, groupby, aggregates, order=None, user=None):
        """Return {method: groups} of every web grouping call, as ``user`` (manager)."""
        Model = self.env[model].with_user(user or self.user_manager)
        result = {}
        for method, args, kwargs, groups_of in compat.web_grouping_calls(
            [], groupby, aggregates, order
        ):
            result[method] = groups_of(getattr(Model, method)(*args, **kwargs))
        return result

    def test_guards_on_every_grouping_method(self):
        """Every public grouping method of the series ends in the overridden ones."""
        for model in GUARDED_MODELS:
            for method in compat.grouping_methods():
                with self.subTest(model=model, method=method):
                    owner = next(cls for cls in type(self.env[model]).mro() if method in vars(cls))
                    self.assertTrue(owner.__module__.startswith("odoo.addons.empathic_crm."))

    def test_figures_per_advisor_blanked_on_every_path(self):
        cases = (
            ("empathy.rapport", "score:avg"),
            ("empathy.impression", "rapport:avg"),
            ("empathy.impression", "mood:sum"),
        )
        for model, spec in cases:
            for method, groups in self._groups(model, ["user_id"], [spec]).items():
                with self.subTest(model=model, method=method, protected=False):
                    self.assertTrue(groups)
                    self.assertTrue(any(group[spec] for group in groups))
        self._protect()
        for model, spec in cases:
            for method, groups in self._groups(model, ["user_id"], [spec, "__count"]).items():
                with self.subTest(model=model, method=method, protected=True):
                    self.assertEqual(len(groups), 2)
                    self.assertFalse(any(group[spec] for group in groups))
                    self.assertEqual(
                        sorted(group["__count"] for group in groups), [1, 2], "counts stay"
                    )
            pairs = self._groups(model, ["user_id", "partner_id"], [spec])
            for method, groups in pairs.items():
                with self.subTest(model=model, method=method, pairs=True):
                    self.assertTrue(any(group[spec] for group in groups), "pairs stay")
            totals = self._groups(model, ["partner_id"], [spec])
            for method, groups in totals.items():
                with self.subTest(model=model, method=method, customers=True):
                    self.assertTrue(any(group[spec] for group in groups), "customers stay")

    def test_no_ranking_by_a_blanked_figure(self):
        self._protect()
        plain = self._groups("empathy.rapport", ["user_id"], ["score:avg"])
        for order in ("score:avg desc", "score:avg asc"):
            ranked = self._groups("empathy.rapport", ["user_id"], ["score:avg"], order=order)
            for method, groups in ranked.items():
                with self.subTest(method=method, order=order):
                    self.assertEqual(
                        [group["user_id"] for group in groups],
                        [group["user_id"] for group in plain[method]],
                    )

    def test_no_condition_on_a_blanked_figure(self):
        self._protect()
        Rapport = self.env["empathy.rapport"].with_user(self.user_manager)
        with self.assertRaisesRegex(AccessError, "Protect advisors"):
            Rapport._read_group([], ["user_id"], ["score:avg"], having=[("score:avg", ">", 3)])
        # a count per advisor is not a figure
        self.assertTrue(
            Rapport._read_group([], ["user_id"], ["__count"], having=[("__count", ">", 1)])
        )

    def test_superuser_and_kinds_keep_figures(self):
        self._protect()
        rows = self.env["empathy.rapport"]._read_group([], ["user_id"], ["score:avg"])
        self.assertTrue(all(score for _user, score in rows), "server code (sudo) unchanged")
        Kind = self.env["empathy.kind.rapport"]
        self.assertTrue(Kind.search_count([]), "rows learnt from the impressions")
        per_advisor = self._groups("empathy.kind.rapport", ["user_id"], ["pair_count:sum"])
        per_kind = self._groups(
            "empathy.kind.rapport", ["user_id", "communication_style"], ["pair_count:sum"]
        )
        for method, groups in per_advisor.items():
            with self.subTest(method=method):
                self.assertFalse(any(group["pair_count:sum"] for group in groups))
                self.assertTrue(any(group["pair_count:sum"] for group in per_kind[method]))

    def test_rapport_report_for_managers_on_every_path(self):
        for call in compat.web_grouping_calls([], ["partner_id"], ["score:avg"]):
            method, args, kwargs = call[:3]
            with self.subTest(method=method):
                Rapport = self.env["empathy.rapport"]
                with self.assertRaisesRegex(AccessError, "pairs of advisor and customer"):
                    getattr(Rapport.with_user(self.user_sales), method)(*args, **kwargs)
                self.assertTrue(
                    getattr(Rapport.with_user(self.user_manager), method)(*args, **kwargs)
                )
