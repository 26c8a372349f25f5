# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
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
