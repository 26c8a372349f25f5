# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The gate: gated activities are only completed together with an impression.

``_action_done`` of ``mail.activity`` is the single completion point. It refuses to
complete an activity whose type requires an impression when a human or an API client
asked for it (an HTTP request is being served), unless :data:`GATE_OPEN` is set.
Only the impression wizard's confirm, ``action_feedback_with_impression`` and
server-side automation (``activity_feedback`` of the mixin) set it.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from odoo.exceptions import UserError
from odoo.http import request

from . import compat

GATE_OPEN = ContextVar("empathic_crm_gate_open", default=False)
#: set by the XML-RPC/JSON-RPC controllers while they serve an external API call
#: (Odoo unbinds ``request`` during those calls, so it cannot be asked); 19.0's
#: ``/json/2/<model>/<method>`` keeps the request bound: its path tells
#: (``compat.external_api_paths()``)
EXTERNAL_API = ContextVar("empathic_crm_external_api", default=False)


@contextmanager
def gate_open():
    """Let ``_action_done`` complete gated activities inside this block."""
    token = GATE_OPEN.set(True)
    try:
        yield
    finally:
        GATE_OPEN.reset(token)


@contextmanager
def external_api():
    """Mark the block as serving an external API call."""
    token = EXTERNAL_API.set(True)
    try:
        yield
    finally:
        EXTERNAL_API.reset(token)


def serving_request():
    """Return the path of the web request or "/jsonrpc" for an external API call.

    None when no human or API client asked (cron, shell, server-side tests).
    """
    if EXTERNAL_API.get():
        return "/jsonrpc"
    try:
        return request.httprequest.path if request else None
    except RuntimeError:  # no request bound to this thread
        return None


def from_external_api():
    """Return whether an API client asked (XML-RPC, JSON-RPC; on 19.0 also
    ``/json/2``), so that it gets the gate's error rather than the impression dialog."""
    return is_external_api_path(serving_request())


def is_external_api_path(path):
    """Return whether ``path`` (a request's path, or None) is one of an external API."""
    return bool(path) and path.startswith(compat.external_api_paths())


class ImpressionRequired(UserError):
    """Raised by ``_action_done`` (and archiving) when gated activities are among those
    to complete.

    ``activity_ids`` are all the activities of the call (the dialog records impressions
    for the gated ones and completes them all); ``gated_ids`` the gated ones.
    """

    def __init__(self, activities, all_activities=None):
        self.gated_ids = activities.ids
        self.activity_ids = (all_activities or activities).ids
        super().__init__(
            activities.env._(
                "These activities require an impression of the contact before they can be"
                " marked as done: %(names)s. Over the external API, call"
                " action_feedback_with_impression(impression_values, feedback=False) on"
                " mail.activity instead, e.g. impression_values={'rapport': 4, 'mood': 1}.",
                names=", ".join(activities.mapped("display_name")),
            )
        )
