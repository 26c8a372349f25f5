# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The external APIs tell the impression gate that an API client is calling.

``/xmlrpc`` and ``/jsonrpc`` (both series; ``compat.rpc_controller_class()``) unbind
the request while the method runs: these controllers mark the call. 19.0's
``/json/2/<model>/<method>`` keeps the request bound, its path tells the gate
(``compat.external_api_paths()``, ``tools/gate.py``).
"""

from odoo.http import route

from ..tools import compat
from ..tools.gate import external_api


class RPC(compat.rpc_controller_class()):
    """Tell the impression gate that an external API client is calling."""

    def _xmlrpc(self, service):
        with external_api():
            return super()._xmlrpc(service)

    @route()
    def jsonrpc(self, service, method, args):
        with external_api():
            return super().jsonrpc(service, method, args)
