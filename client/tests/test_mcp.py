# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""``empathy mcp`` as an AI assistant uses it: the MCP client API of the same SDK
against a real Odoo (see conftest.py), over stdio and in memory."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from empathic_crm_client import EmpathyClient
from empathic_crm_client.mcp_server import build_server
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.memory import create_connected_server_and_client_session
from mcp.types import CallToolResult
from support import empathy_command, groups_field, this_client

TOOLS = {
    "briefing",
    "log_impression",
    "open_activities",
    "complete_activity_with_impression",
    "suggest",
    "silent_customers",
}


def payload(result: CallToolResult) -> Any:
    """The tool's answer as data (structured content, else the JSON text)."""
    assert not result.isError, result.content
    data = result.structuredContent
    if data is None:
        data = json.loads(result.content[0].text)
    return data["result"] if set(data) == {"result"} else data


def error_text(result: CallToolResult) -> str:
    assert result.isError, result
    text = " ".join(getattr(item, "text", "") for item in result.content)
    assert "Traceback" not in text and 'File "' not in text, text
    return text


def run_tools(server_login: tuple[str, str], odoo_server, calls) -> list[CallToolResult]:
    """Run ``calls`` [(tool, arguments)] in one in-memory MCP session as that user."""

    async def main() -> list[CallToolResult]:
        server = build_server(lambda: odoo_server.client(*server_login))
        async with create_connected_server_and_client_session(server) as session:
            return [await session.call_tool(name, arguments) for name, arguments in calls]

    return anyio.run(main)


@pytest.fixture(scope="module")
def jonas(admin: EmpathyClient, people) -> int:
    """A contact with a profile: the marathon runner whose race is in Hawaii."""
    partner = admin.find_or_create_partner(email="mcp.jonas@example.com", name="Jonas MCP")
    admin.add_profile(partner.id, motives=["Marathon", "Hawaii trip"], values=["Innovation"])
    admin.call("res.partner", "write", [partner.id], {"empathy_communication_style": "factual"})
    return partner.id


def test_stdio_briefing_then_log_impression(odoo_server, admin, people, jonas):
    """The assistant's path: before the call the briefing, after it the impression."""
    params = StdioServerParameters(
        command=empathy_command()[0],
        args=[*empathy_command()[1:], "mcp"],
        env=this_client(odoo_server.env("anna", "anna")),
    )

    async def main():
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            tools = await session.list_tools()
            before = await session.call_tool("briefing", {"contact": "mcp.jonas@example.com"})
            logged = await session.call_tool(
                "log_impression",
                {
                    "contact": "mcp.jonas@example.com",
                    "rapport": 5,
                    "mood": 2,
                    "note": "Asked about swim shorts for Hawaii",
                    "channel": "phone",
                    "motives": ["Marathon"],
                    "ref": "mcp-call-1",
                },
            )
            again = await session.call_tool(
                "log_impression",
                {"contact": str(jonas), "rapport": 5, "mood": 2, "ref": "mcp-call-1"},
            )
            return init, tools, before, logged, again

    init, tools, before, logged, again = anyio.run(main)
    assert init.serverInfo.name == "empathic-crm"
    assert "briefing" in (init.instructions or "")
    assert {tool.name for tool in tools.tools} == TOOLS
    briefing = payload(before)
    assert briefing["partner_id"] == jonas and briefing["name"] == "Jonas MCP"
    for expected in ("Marathon", "Hawaii trip", "Innovation"):
        assert expected in briefing["briefing"]
    assert {"style", "motives", "values"} <= {line["kind"] for line in briefing["lines"]}
    result = payload(logged)
    assert result["status"] == "created" and result["partner_id"] == jonas
    impression = admin.call(
        "empathy.impression",
        "read",
        [result["impression_id"]],
        ["partner_id", "user_id", "rapport", "mood", "note", "channel", "external_ref"],
    )[0]
    assert impression["partner_id"][0] == jonas
    assert impression["user_id"][0] == people["anna"]  # as the user, not as a superuser
    assert (impression["rapport"], impression["mood"], impression["channel"]) == (5, 2, "phone")
    assert impression["note"] == "Asked about swim shorts for Hawaii"
    assert payload(again)["status"] == "skipped"  # the same ref is never recorded twice


def test_complete_activity_with_impression(odoo_server, admin, people, jonas):
    call_type = admin.call(
        "ir.model.data", "check_object_reference", "mail", "mail_activity_data_call"
    )[1]
    partner_model = admin.call("ir.model", "search", [("model", "=", "res.partner")])[0]
    activity = admin.call(
        "mail.activity",
        "create",
        {
            "res_model_id": partner_model,
            "res_id": jonas,
            "activity_type_id": call_type,
            "summary": "Call about the Hawaii trip",
            "user_id": people["anna"],
        },
    )
    listed, done, twice = run_tools(
        ("anna", "anna"),
        odoo_server,
        [
            ("open_activities", {"contact": "mcp.jonas@example.com"}),
            (
                "complete_activity_with_impression",
                {"activity_id": activity, "rapport": 4, "mood": 1, "note": "Books in March"},
            ),
            (
                "complete_activity_with_impression",
                {"activity_id": activity, "rapport": 4, "mood": 1},
            ),
        ],
    )
    assert [a["activity_id"] for a in payload(listed)] == [activity]
    assert payload(listed)[0]["summary"] == "Call about the Hawaii trip"
    result = payload(done)
    assert result["done"] and len(result["impression_ids"]) == 1
    assert admin.call("mail.activity", "search", [("id", "=", activity)]) == []
    impression = admin.call(
        "empathy.impression", "read", result["impression_ids"], ["user_id", "note", "summary"]
    )[0]
    assert impression["user_id"][0] == people["anna"] and impression["note"] == "Books in March"
    assert "There is no open activity" in error_text(twice)


def test_suggest_and_silent_customers(odoo_server, admin, people, jonas):
    shirt, shorts = (
        admin.call("product.product", "create", {"name": name, "sale_ok": True, "list_price": 40})
        for name in ("MCP running shirt", "MCP swim shorts")
    )
    hawaii = admin.call("empathy.motive", "search", [("name", "=", "Hawaii trip")])
    admin.call(
        "empathy.cross.sell.rule",
        "create",
        {
            "name": "MCP Hawaii",
            "motive_ids": [(6, 0, hawaii)],
            "trigger_product_ids": [(6, 0, [shirt])],
            "suggested_product_ids": [(6, 0, [shorts])],
            "reason": "Swims after the race in Hawaii.",
        },
    )
    buyer = admin.find_or_create_partner(email="mcp.silent@example.com", name="Silent Buyer")
    for partner in (jonas, buyer.id):
        order = admin.call(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "user_id": people["anna"],  # salespeople see their own quotations
                "order_line": [(0, 0, {"product_id": shirt})],
            },
        )
        if partner == jonas:
            quotation = admin.call("sale.order", "read", [order], ["name"])[0]["name"]
        else:
            admin.call("sale.order", "action_confirm", [order])
    cron = admin.call(
        "ir.model.data",
        "check_object_reference",
        "empathic_crm",
        "ir_cron_empathy_silent_customers",
    )[1]
    admin.call("ir.cron", "method_direct_trigger", [cron])

    suggested, silent, wrong_order = run_tools(
        ("anna", "anna"),
        odoo_server,
        [
            ("suggest", {"order": quotation}),
            ("silent_customers", {}),
            ("suggest", {"order": "S99999"}),
        ],
    )
    assert [(s["product"], s["reason"]) for s in payload(suggested)] == [
        ("MCP swim shorts", "Swims after the race in Hawaii.")
    ]
    silent_ids = [customer["partner_id"] for customer in payload(silent)]
    assert buyer.id in silent_ids and jonas not in silent_ids  # Jonas has impressions
    assert "There is no quotation 'S99999'" in error_text(wrong_order)


def test_bad_input_is_a_clear_tool_error(odoo_server, people, jonas):
    results = run_tools(
        ("anna", "anna"),
        odoo_server,
        [
            ("log_impression", {"contact": "mcp.jonas@example.com", "rapport": 7, "mood": 0}),
            ("log_impression", {"contact": "mcp.jonas@example.com", "rapport": 3}),
            ("log_impression", {"contact": "nobody@example.com", "rapport": 3, "mood": 0}),
            (
                "log_impression",
                {"contact": str(jonas), "rapport": 3, "mood": 0, "motives": ["Kiting"]},
            ),
            ("briefing", {"contact": ""}),
            ("complete_activity_with_impression", {"activity_id": 999999, "rapport": 3, "mood": 0}),
        ],
    )
    too_high, no_mood, unknown, motive, empty, activity = map(error_text, results)
    assert "rapport" in too_high and "less than or equal to 5" in too_high
    assert "mood" in no_mood and "required" in no_mood.lower()
    assert "No contact matches 'nobody@example.com'" in unknown
    assert "Kiting" in motive
    assert "contact" in empty
    assert "There is no open activity #999999" in activity


def test_login_failure_is_a_tool_error(odoo_server):
    (result,) = run_tools(("anna", "wrong"), odoo_server, [("briefing", {"contact": "1"})])
    assert "Login failed for 'anna'" in error_text(result)


def test_user_without_empathy_access_gets_odoos_refusal(odoo_server, admin, jonas):
    """An internal user outside Sales: Odoo refuses, and the tool says so."""
    employee = admin.call("ir.model.data", "check_object_reference", "base", "group_user")[1]
    admin.call(
        "res.users",
        "create",
        {
            "name": "Otto Outsider",
            "login": "otto",
            "password": "otto",
            groups_field(admin): [(6, 0, [employee])],
        },
    )
    before = admin.call("empathy.impression", "search_count", [("partner_id", "=", jonas)])
    briefing, log, silent = run_tools(
        ("otto", "otto"),
        odoo_server,
        [
            ("briefing", {"contact": "mcp.jonas@example.com"}),
            ("log_impression", {"contact": str(jonas), "rapport": 4, "mood": 1}),
            ("silent_customers", {}),
        ],
    )
    for result in (briefing, log, silent):
        assert "Odoo refused: " in error_text(result), result.content
    after = admin.call("empathy.impression", "search_count", [("partner_id", "=", jonas)])
    assert after == before
