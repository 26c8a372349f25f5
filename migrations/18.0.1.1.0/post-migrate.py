# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Recompute the per-company partner aggregates emptied by pre-migrate."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("SELECT DISTINCT partner_id FROM empathy_rapport ORDER BY partner_id")
    ids = [row[0] for row in cr.fetchall()]
    Partner = env["res.partner"].with_context(active_test=False)
    for start in range(0, len(ids), 5000):
        Partner.browse(ids[start : start + 5000])._empathy_refresh_rapport()
    Partner._empathy_compute_silent()
    # issue 13: salespeople do not read impressions of people who object (noupdate rule)
    rule = env.ref("empathic_crm.empathy_impression_rule_user_read", raise_if_not_found=False)
    if rule:
        rule.domain_force = "[('partner_id.empathy_objection', '=', False)]"
