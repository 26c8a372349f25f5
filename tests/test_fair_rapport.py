# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
import logging
import math
import random
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..tools import compat
from .common import EmpathyCommon

_logger = logging.getLogger(__name__)

#: the ground truth of issue #15 (see benchmarks/fair_rapport_simulation.py)
ADVISORS, CUSTOMERS = 12, 200
BASE, LENIENCY_SD, AFFINITY_SD, NOISE_SD = 3.4, 0.6, 0.5, 0.7
LENIENT_SHARE = 0.2
#: with 200 customers the shares below have a sampling sd of about 3 points; the
#: pure-Python simulation passes both bars with about 80 % of seeds (mean gain in
#: accuracy 10 points). The seed is fixed: the test is deterministic.
SEED = 15


@tagged("post_install", "-at_install", "empathic_crm")
class TestFairRapportSimulation(EmpathyCommon):
    """Lenient and strict raters with a known ground truth, through the real models."""

    def _simulate(self, rng):
        group = self.env.ref("sales_team.group_sale_salesman")
        advisors = (
            self.env["res.users"]
            .with_context(no_reset_password=True, mail_create_nolog=True)
            .create(
                [
                    {
                        "name": "Simulated advisor %02d" % i,
                        "login": "sim_advisor_%02d" % i,
                        compat.user_groups_field(): [(6, 0, group.ids)],
                    }
                    for i in range(ADVISORS)
                ]
            )
        )
        customers = self.env["res.partner"].create(
            [{"name": "Simulated customer %03d" % i} for i in range(CUSTOMERS)]
        )
        leniency = {advisor: rng.gauss(0.0, LENIENCY_SD) for advisor in advisors.ids}
        affinity, vals_list = {}, []
        end = datetime(2026, 6, 1, 12, 0)
        for customer in customers.ids:
            for advisor in rng.sample(advisors.ids, rng.randint(2, 4)):
                affinity[customer, advisor] = rng.gauss(0.0, AFFINITY_SD)
                for _ in range(rng.randint(1, 6)):
                    raw = BASE + leniency[advisor] + affinity[customer, advisor]
                    raw += rng.gauss(0.0, NOISE_SD)
                    vals_list.append(
                        {
                            "partner_id": customer,
                            "user_id": advisor,
                            "rapport": min(5, max(1, math.floor(raw + 0.5))),
                            "mood": 0,
                            "date": end - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
                        }
                    )
        self.env["empathy.impression"].create(vals_list)
        return customers, leniency, affinity, len(vals_list)

    def test_fair_rapport_finds_who_really_clicks(self):
        rng = random.Random(SEED)
        customers, leniency, affinity, count = self._simulate(rng)
        # the scheduled refresh of the advisors' rating scales
        self.env["empathy.rapport"]._empathy_refresh_scales()
        rows = self.env["empathy.rapport"].search([("partner_id", "in", customers.ids)])
        self.assertEqual(len(rows), len(affinity))
        lenient_count = round(LENIENT_SHARE * ADVISORS)
        lenient = set(sorted(leniency, key=leniency.get, reverse=True)[:lenient_count])

        by_customer = {}
        for row in rows:
            by_customer.setdefault(row.partner_id.id, []).append(row)
        truth, raw, fair = {}, {}, {}
        for customer in customers:
            mine = by_customer[customer.id]
            truth[customer.id] = max(mine, key=lambda r: affinity[customer.id, r.user_id.id])
            raw[customer.id] = max(mine, key=lambda r: (r.score, r.impression_count, r.last_date))
            fair[customer.id] = customer.empathy_best_advisor_id
            self.assertEqual(
                fair[customer.id],
                max(mine, key=lambda r: (r.fair_score, r.impression_count, r.last_date)).user_id,
            )

        def accuracy(best):
            hits = sum(best[c].user_id == truth[c].user_id for c in best)
            return hits / CUSTOMERS

        def lenient_share(best):
            return sum(best[c].user_id.id in lenient for c in best) / CUSTOMERS

        fair_rows = {
            c: next(r for r in by_customer[c] if r.user_id == user) for c, user in fair.items()
        }
        figures = {
            name: (accuracy(best), lenient_share(best))
            for name, best in (("truth", truth), ("raw mean", raw), ("fair score", fair_rows))
        }
        _logger.info(
            "fair rapport simulation (%d customers, %d advisors, %d impressions): %s",
            CUSTOMERS,
            ADVISORS,
            count,
            ", ".join(
                "%s: best %.1f%%, to the most lenient %.1f%%" % (name, 100 * acc, 100 * share)
                for name, (acc, share) in figures.items()
            ),
        )
        self.assertAlmostEqual(
            figures["fair score"][1],
            figures["truth"][1],
            delta=0.04,
            msg="the fair score sends the lenient raters their fair share of customers",
        )
        self.assertGreater(
            figures["raw mean"][1],
            figures["truth"][1] + 0.04,
            "the data has lenient raters that the raw mean favours",
        )
        self.assertGreaterEqual(
            figures["fair score"][0],
            figures["raw mean"][0] + 0.05,
            "the fair score finds the truly best advisor more often than the raw mean",
        )
