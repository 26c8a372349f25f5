# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""``empathy mcp``: the Model Context Protocol server for AI assistants.

A salesperson's assistant fetches "how to talk to Jonas" before a call and records the
impression after it. Every tool goes through :class:`EmpathyClient`, logged in with the
user's own credentials (``EMPATHY_*`` variables or the CLI's connection options): Odoo
checks every access right and record rule, the server never runs as a superuser.

Tool errors are one clear sentence (wrong input, unknown contact, Odoo's refusal),
never a traceback.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from .client import (
    AuthenticationFailed,
    ConnectionFailed,
    EmpathyClient,
    EmpathyError,
    Interaction,
    ServerError,
)

try:
    from mcp.server.fastmcp import FastMCP
    from mcp.server.fastmcp.exceptions import ToolError
    from pydantic import Field
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "The MCP server needs the 'mcp' package: pip install 'empathic-crm-client[mcp]'"
    ) from error

_logger = logging.getLogger(__name__)

INSTRUCTIONS = """\
Empathic CRM (Odoo): how customers want to be spoken to, and the advisor's impression
after every contact. Before a call or meeting, call `briefing` with the contact (id,
email or name) and follow it. After the contact, record the impression: rapport 1
(we did not click) to 5 (perfectly), mood -2 (angry) to +2 (delighted); use
`complete_activity_with_impression` when the contact was a planned activity (see
`open_activities`), else `log_impression`. `suggest` proposes cross-sell products for a
quotation with the reason to mention; `silent_customers` lists buyers nobody has talked
to for a while. You act as the logged-in Odoo user, with their access rights.
"""

#: rights problems reported by Odoo (shown as Odoo's refusal, not as a bug)
REFUSALS = ("odoo.exceptions.AccessError", "odoo.exceptions.AccessDenied")
#: a silent customer's figures: rows of empathy.partner.stat (one per contact and company)
SILENT_FIELDS = ["partner_id", "silent_since", "recent_revenue", "best_advisor_id", "user_id"]
ACTIVITY_FIELDS = [
    "summary",
    "note",
    "date_deadline",
    "activity_type_id",
    "res_model",
    "res_id",
    "res_name",
    "user_id",
]

Rapport = Annotated[int, Field(ge=1, le=5, description="1 = we did not click ... 5 = perfectly")]
Mood = Annotated[int, Field(ge=-2, le=2, description="-2 = angry ... +2 = delighted")]
Contact = Annotated[
    str, Field(min_length=1, description="the contact: id, email or exact (unique) name")
]
Style = Annotated[
    str | None, Field(description="observed communication style: factual, emotional or mixed")
]
Motives = Annotated[
    list[str] | None, Field(description="purchase motives heard, e.g. ['Marathon']")
]

F = TypeVar("F", bound=Callable[..., Any])


def tool_errors(function: F) -> F:
    """Turn the client's errors into one-line tool errors (no traceback)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ToolError:
            raise
        except ServerError as error:
            if error.name in REFUSALS:
                raise ToolError(f"Odoo refused: {error}") from None
            raise ToolError(str(error)) from None
        except (ConnectionFailed, AuthenticationFailed, EmpathyError) as error:
            raise ToolError(str(error)) from None
        except Exception as error:
            _logger.exception("unexpected error in %s", function.__name__)
            raise ToolError(f"Unexpected error ({type(error).__name__}): {error}") from None

    return wrapper  # type: ignore[return-value]


def _many2one(value: Any) -> str | None:
    return value[1] if isinstance(value, list | tuple) and len(value) > 1 else None


class EmpathyTools:
    """The tools' logic, on one lazily connected client."""

    def __init__(self, connect: Callable[[], EmpathyClient]):
        self._connect = connect
        self._client: EmpathyClient | None = None

    @property
    def client(self) -> EmpathyClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def briefing(self, contact: str) -> dict[str, Any]:
        briefing = self.client.briefing(contact)
        return {
            "partner_id": briefing.partner_id,
            "name": briefing.name,
            "briefing": briefing.text or "Nothing known yet about this contact.",
            "lines": [
                {"kind": line.kind, "label": line.label, "value": line.value, "level": line.level}
                for line in briefing.lines
            ],
        }

    def log_impression(
        self,
        contact: str,
        rapport: int,
        mood: int,
        note: str | None = None,
        channel: str | None = None,
        motives: list[str] | None = None,
        communication_style: str | None = None,
        ref: str | None = None,
    ) -> dict[str, Any]:
        partner = self.client.resolve_partner(contact)  # never creates a contact
        result = self.client.log_interaction(
            Interaction(
                rapport=rapport,
                mood=mood,
                partner_id=partner.id,
                channel=channel,
                note=note,
                motives=motives or (),
                communication_style=communication_style,
                ref=ref,
            )
        )
        if not result.ok:
            raise ToolError(result.error or "Odoo did not record the impression.")
        return {
            "status": result.status,
            "impression_id": result.impression_id,
            "partner_id": partner.id,
            "contact": partner.name,
            "message": result.message,
        }

    def open_activities(self, contact: str | None = None, limit: int = 20) -> list[dict]:
        domain: list[Any] = [("user_id", "=", self.client.uid)]
        if contact:
            partner = self.client.resolve_partner(contact)
            domain += [("res_model", "=", "res.partner"), ("res_id", "=", partner.id)]
        records = self.client.call(
            "mail.activity",
            "search_read",
            domain,
            ACTIVITY_FIELDS,
            order="date_deadline, id",
            limit=limit,
        )
        return [
            {
                "activity_id": record["id"],
                "type": _many2one(record["activity_type_id"]),
                "summary": record["summary"] or "",
                "deadline": record["date_deadline"],
                "record": record["res_name"],
                "model": record["res_model"],
                "record_id": record["res_id"],
            }
            for record in records
        ]

    def complete_activity_with_impression(
        self,
        activity_id: int,
        rapport: int,
        mood: int,
        note: str | None = None,
        channel: str | None = None,
        motives: list[str] | None = None,
        communication_style: str | None = None,
        feedback: str | None = None,
    ) -> dict[str, Any]:
        found = self.client.call(
            "mail.activity", "search_read", [("id", "=", activity_id)], ["res_name", "summary"]
        )
        if not found:
            raise ToolError(
                f"There is no open activity #{activity_id} (done already, or you may not see it)."
            )
        values: dict[str, Any] = {"rapport": rapport, "mood": mood}
        if note:
            values["note"] = note
        if channel:
            values["channel"] = channel
        if communication_style:
            values["communication_style"] = communication_style
        if motives:
            values["motive_ids"] = [
                (6, 0, self.client._ids_by_name("empathy.motive", motives, False, []))
            ]
        impression_ids = self.client.call(
            "mail.activity",
            "action_feedback_with_impression",
            [activity_id],
            values,
            feedback=feedback or False,
        )
        return {
            "activity_id": activity_id,
            "done": True,
            "record": found[0]["res_name"],
            "impression_ids": impression_ids,
        }

    def suggest(self, order: str) -> list[dict[str, Any]]:
        return [
            {
                "product": suggestion.product,
                "reason": suggestion.reason,
                "rule": suggestion.rule,
                "on_the_order": suggestion.added,
                "option_id": suggestion.option_id,
            }
            for suggestion in self.client.suggest_cross_sell(order)
        ]

    def silent_customers(self, limit: int = 20) -> list[dict[str, Any]]:
        # the figures of the user's current company, as the contact shows them
        user = self.client.call("res.users", "read", [self.client.uid], ["company_id"])[0]
        rows = self.client.call(
            "empathy.partner.stat",
            "search_read",
            [("silent", "=", True), ("company_id", "=", user["company_id"][0])],
            SILENT_FIELDS,
            order="recent_revenue desc, id",
            limit=limit,
        )
        # the contacts the user may read (their record rules)
        partners = {
            partner["id"]: partner
            for partner in self.client.call(
                "res.partner",
                "search_read",
                [("id", "in", [row["partner_id"][0] for row in rows])],
                ["name", "email", "phone"],
            )
        }
        return [
            {
                "partner_id": partner["id"],
                "name": partner["name"],
                "email": partner["email"] or None,
                "phone": partner["phone"] or None,
                "last_contact": row["silent_since"] or None,
                "recent_revenue": row["recent_revenue"],
                "best_advisor": _many2one(row["best_advisor_id"]),
                "salesperson": _many2one(row["user_id"]),
            }
            for row in rows
            if (partner := partners.get(row["partner_id"][0]))
        ]


def build_server(connect: Callable[[], EmpathyClient]) -> FastMCP:
    """Return the MCP server; ``connect`` logs in on the first tool call."""
    tools = EmpathyTools(connect)
    server = FastMCP("empathic-crm", instructions=INSTRUCTIONS)

    @server.tool()
    @tool_errors
    def briefing(contact: Contact) -> dict[str, Any]:
        """How to talk to this contact: style, motives, values, notes, best advisor, mood."""
        return tools.briefing(contact)

    @server.tool()
    @tool_errors
    def log_impression(
        contact: Contact,
        rapport: Rapport,
        mood: Mood,
        note: str | None = None,
        channel: Annotated[
            str | None, Field(description="phone, email, meeting, video, chat, fair, shop, ...")
        ] = None,
        motives: Motives = None,
        communication_style: Style = None,
        ref: Annotated[
            str | None, Field(description="external reference: logging it twice changes nothing")
        ] = None,
    ) -> dict[str, Any]:
        """Record your impression of a contact you just talked to (not a planned activity)."""
        return tools.log_impression(
            contact, rapport, mood, note, channel, motives, communication_style, ref
        )

    @server.tool()
    @tool_errors
    def open_activities(
        contact: Annotated[str | None, Field(description="only this contact's")] = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 20,
    ) -> list[dict[str, Any]]:
        """Your open activities (calls, meetings, ...), with the ids to complete them."""
        return tools.open_activities(contact, limit)

    @server.tool()
    @tool_errors
    def complete_activity_with_impression(
        activity_id: Annotated[int, Field(ge=1)],
        rapport: Rapport,
        mood: Mood,
        note: str | None = None,
        channel: str | None = None,
        motives: Motives = None,
        communication_style: Style = None,
        feedback: Annotated[str | None, Field(description="text posted in the chatter")] = None,
    ) -> dict[str, Any]:
        """Mark a planned call/meeting/email done and record the impression in one step."""
        return tools.complete_activity_with_impression(
            activity_id, rapport, mood, note, channel, motives, communication_style, feedback
        )

    @server.tool()
    @tool_errors
    def suggest(
        order: Annotated[str, Field(min_length=1, description="quotation number or id")],
    ) -> list[dict[str, Any]]:
        """Cross-sell products for a quotation from the customer's motives, with reasons."""
        return tools.suggest(order)

    @server.tool()
    @tool_errors
    def silent_customers(
        limit: Annotated[int, Field(ge=1, le=200)] = 20,
    ) -> list[dict[str, Any]]:
        """Customers who bought recently but nobody has talked to for a while."""
        return tools.silent_customers(limit)

    return server


def serve(connect: Callable[[], EmpathyClient]) -> int:
    """Run the server on stdin/stdout until the client closes it."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    build_server(connect).run("stdio")
    return 0
