# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The typed client against a real Odoo (see conftest.py): no mocks of Odoo."""

from __future__ import annotations

import math
import time

import pytest
from empathic_crm_client import (
    EmpathyClient,
    EmpathyError,
    FeatureMissing,
    ImportOptions,
    Interaction,
    ServerError,
    import_csv,
)
from support import count, write_big_csv

BIG_ROWS = 10_000
BATCH = 200


# ----------------------------------------------------------------------
# contacts
# ----------------------------------------------------------------------
def test_unknown_partner_is_created_once_then_found(admin: EmpathyClient):
    nora = admin.find_or_create_partner(email="  Nora.Nieuw@Example.COM ", name="Nora Nieuw")
    assert nora.created
    again = admin.find_or_create_partner(email="nora.nieuw@example.com")
    assert (again.id, again.created) == (nora.id, False)
    assert count(admin, "res.partner", [("email_normalized", "=", "nora.nieuw@example.com")]) == 1

    phone = admin.find_or_create_partner(phone="+49 151 2345 6789", name="Phone Person")
    assert phone.created
    assert admin.find_or_create_partner(phone="0049 (151) 23456789").id == phone.id
    vat = admin.find_or_create_partner(vat="DE 811 907 980", name="Vat Company")
    assert admin.find_or_create_partner(vat="de811907980").id == vat.id

    # logging finds the same contacts (server-side search)
    results = admin.log_interactions(
        [
            Interaction(email="NORA.NIEUW@example.com ", rapport=4, mood=1, ref="api-nora"),
            Interaction(phone="+49-151-23456789", rapport=3, mood=0, ref="api-phone"),
            Interaction(email="unknown.once@example.com", name="Once", rapport=3, mood=0),
            Interaction(email="Unknown.Once@example.com", rapport=4, mood=1),
        ]
    )
    assert [r.status for r in results] == ["created"] * 4
    assert [r.partner_id for r in results[:2]] == [nora.id, phone.id]
    assert not results[0].partner_created
    assert results[2].partner_created and results[2].partner_id == results[3].partner_id
    second = admin.log_interaction(Interaction(email="unknown.once@EXAMPLE.com", rapport=5, mood=2))
    assert (second.partner_id, second.partner_created) == (results[2].partner_id, False)
    assert count(admin, "res.partner", [("email_normalized", "=", "unknown.once@example.com")]) == 1


def test_bad_rapport_is_an_error_row_and_the_others_pass(admin: EmpathyClient):
    rows = [
        Interaction(email="rapport.ok1@example.com", name="Ok One", rapport=4, mood=1),
        Interaction(email="rapport.bad@example.com", name="Bad", rapport=7, mood=1),
        Interaction(email="rapport.ok2@example.com", name="Ok Two", rapport="5", mood="-2"),
    ]
    results = admin.log_interactions(rows)
    assert [r.status for r in results] == ["created", "error", "created"]
    assert "between 1 and 5" in results[1].error
    assert not results[1].impression_id and not results[1].partner_id
    assert count(admin, "res.partner", [("email", "=", "rapport.bad@example.com")]) == 0


def test_dry_run_writes_nothing(admin: EmpathyClient):
    before = count(admin, "empathy.impression"), count(admin, "res.partner")
    results = admin.log_interactions(
        [Interaction(email="dry.run@example.com", name="Dry", rapport=4, mood=1, ref="api-dry")],
        dry_run=True,
    )
    assert results[0].status == "created" and results[0].partner_created
    assert (count(admin, "empathy.impression"), count(admin, "res.partner")) == before


def test_only_managers_log_for_another_advisor(odoo_server, admin, people):
    anna = odoo_server.client("anna", "anna")
    row = {"email": "advisor.test@example.com", "name": "Advisor Test", "rapport": 4, "mood": 1}
    results = anna.log_interactions(
        [dict(row, ref="adv-1", advisor_login="ben"), dict(row, ref="adv-2")]
    )
    assert [r.status for r in results] == ["error", "created"]
    assert "Only empathy managers" in results[0].error
    by_admin = admin.log_interaction(dict(row, ref="adv-3", advisor_login="ben"))
    assert by_admin.status == "created"
    advisor = admin.call("empathy.impression", "read", [by_admin.impression_id], ["user_id"])
    assert advisor[0]["user_id"][0] == people["ben"]


# ----------------------------------------------------------------------
# profile, briefing, cross-sell
# ----------------------------------------------------------------------
def test_profile_and_briefing(odoo_server, admin: EmpathyClient, people):
    jonas = admin.find_or_create_partner(email="jonas.keller@example.com", name="Jonas Keller")
    update = admin.add_profile(jonas.id, motives=["marathon", "Hawaii trip"], values=["Innovation"])
    assert len(update.motive_ids) == 2 and len(update.value_ids) == 1
    admin.log_interaction(
        Interaction(partner_id=jonas.id, rapport=5, mood=2, channel="fair", ref="api-jonas")
    )
    briefing = admin.briefing("jonas.keller@example.com")
    assert briefing.partner_id == jonas.id
    for expected in ("Marathon", "Hawaii trip", "Innovation", "Best advisor"):
        assert expected in briefing.text
    # the lines as data: what they are about, their words, the ids behind them
    lines = {line.kind: line for line in briefing.lines}
    assert {"motives", "values", "best_advisor"} <= set(lines)
    motives = {item["text"]: item["id"] for item in lines["motives"].data["items"]}
    assert set(motives) == {"Marathon", "Hawaii trip"} and set(motives.values()) == set(
        update.motive_ids
    )
    assert lines["best_advisor"].data["user_id"] == admin.uid
    assert not briefing.html, "the web client's rendering only when asked for"
    assert "<li>" in admin.briefing(jonas.id, html=True).html
    with pytest.raises(EmpathyError, match="Unknown motives: Kitesurfing"):
        admin.add_profile(jonas.id, motives=["Kitesurfing"])
    anna = odoo_server.client("anna", "anna")
    with pytest.raises(ServerError):  # plain users may not create motives
        anna.add_profile(jonas.id, motives=["Kitesurfing"], create_missing=True)
    created = admin.add_profile(jonas.id, motives=["Kitesurfing"], create_missing=True)
    assert created.created == ["Kitesurfing"]


def test_cross_sell_suggestions_with_reasons(admin: EmpathyClient):
    hawaii = admin.call("empathy.motive", "search", [("name", "=", "Hawaii trip")])
    shirt, shorts, guide = (
        admin.call("product.product", "create", {"name": name, "sale_ok": True, "list_price": 30})
        for name in ("Running shirt", "Swim shorts", "Hawaii travel guide")
    )
    admin.call(
        "empathy.cross.sell.rule",
        "create",
        {
            "name": "Marathon in Hawaii",
            "motive_ids": [(6, 0, hawaii)],
            "trigger_product_ids": [(6, 0, [shirt])],
            "suggested_product_ids": [(6, 0, [shorts, guide])],
            "reason": "Runs the marathon in Hawaii: swim after the race, plan the trip.",
        },
    )
    runner = admin.find_or_create_partner(email="hawaii.runner@example.com", name="Hawaii Runner")
    admin.add_profile(runner.id, motives=["Hawaii trip"])
    order = admin.call(
        "sale.order",
        "create",
        {"partner_id": runner.id, "order_line": [(0, 0, {"product_id": shirt})]},
    )
    try:
        suggestions = admin.suggest_cross_sell(order)
    except FeatureMissing as error:
        pytest.skip(f"sale.order.action_empathy_suggest() does not exist yet: {error}")
    assert {s.product_id for s in suggestions} == {shorts, guide}
    assert all("marathon in Hawaii" in s.reason for s in suggestions)
    assert all(s.rule == "Marathon in Hawaii" and not s.added for s in suggestions)
    # asking again adds nothing twice
    assert len(admin.suggest_cross_sell(order)) == 2


def test_missing_server_method_is_a_clear_error(admin: EmpathyClient):
    with pytest.raises(FeatureMissing, match="update the empathic_crm module"):
        admin.call("sale.order", "action_no_such_method", [1])


# ----------------------------------------------------------------------
# 10,000 rows: batched, measured, idempotent
# ----------------------------------------------------------------------
class CallCounter:
    """Counts the server calls of a real client (the calls still go to Odoo)."""

    def __init__(self, client: EmpathyClient):
        self.client, self.calls, self.rows = client, 0, []
        self._log_rows = client.log_rows
        client.log_rows = self  # type: ignore[method-assign]

    def __call__(self, rows, dry_run=False):
        self.calls += 1
        self.rows.append(len(rows))
        return self._log_rows(rows, dry_run=dry_run)

    def restore(self):
        self.client.log_rows = self._log_rows  # type: ignore[method-assign]


@pytest.fixture(scope="module")
def big_import(odoo_server, people, tmp_path_factory):
    client = odoo_server.client()
    path = write_big_csv(tmp_path_factory.mktemp("big") / "fair-big.csv", BIG_ROWS)
    before = count(client, "empathy.impression"), count(client, "res.partner")
    counter = CallCounter(client)
    started = time.monotonic()
    summary = import_csv(client, ImportOptions(path=path, batch_size=BATCH, progress=False))
    seconds = time.monotonic() - started
    counter.restore()
    return {
        "client": client,
        "path": path,
        "summary": summary,
        "seconds": seconds,
        "calls": counter,
        "before": before,
        "after": (count(client, "empathy.impression"), count(client, "res.partner")),
    }


def test_import_10000_rows_in_batches(big_import, capsys):
    summary = big_import["summary"]
    assert (summary.created, summary.updated, summary.skipped, summary.errors) == (
        BIG_ROWS,
        0,
        0,
        0,
    ), summary.to_dict()
    assert summary.contacts_created == BIG_ROWS // 2
    calls = big_import["calls"]
    assert calls.calls == math.ceil(BIG_ROWS / BATCH) == summary.batches
    assert max(calls.rows) == BATCH
    before, after = big_import["before"], big_import["after"]
    assert after[0] - before[0] == BIG_ROWS
    assert after[1] - before[1] == BIG_ROWS // 2
    rate = BIG_ROWS / big_import["seconds"]
    with capsys.disabled():
        print(
            f"\n[empathy client] import of {BIG_ROWS} CSV rows ({BIG_ROWS // 2} new contacts):"
            f" {big_import['seconds']:.1f} s, {rate:.0f} rows/s, {calls.calls} calls"
        )


def test_reimport_is_idempotent(big_import, capsys):
    client = big_import["client"]
    started = time.monotonic()
    summary = import_csv(
        client, ImportOptions(path=big_import["path"], batch_size=BATCH, progress=False)
    )
    seconds = time.monotonic() - started
    assert (summary.created, summary.updated, summary.skipped, summary.errors) == (
        0,
        0,
        BIG_ROWS,
        0,
    ), summary.to_dict()
    assert summary.contacts_created == 0
    now = count(client, "empathy.impression"), count(client, "res.partner")
    assert now == big_import["after"]
    with capsys.disabled():
        print(
            f"\n[empathy client] re-import of the same {BIG_ROWS} rows (all skipped):"
            f" {seconds:.1f} s, {BIG_ROWS / seconds:.0f} rows/s"
        )
