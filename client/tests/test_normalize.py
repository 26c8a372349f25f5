# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The client compares contacts as the server does: the same keys for the same input.

The server's rules live in the addon's ``tools/contact_keys.py`` (pure Python, loaded
here from the checkout); the email key is checked against the server itself (Odoo's
``email_normalized``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from empathic_crm_client import EmpathyClient, normalize

SERVER_KEYS = Path(__file__).resolve().parents[2] / "tools" / "contact_keys.py"
SAMPLES = [
    "+49 170 555-0101",
    "0049 (170) 5550101",
    "00",
    "0000 12",
    "0031-6-1234 5678 ext. 9",
    "de 123 456 789",
    "DE-123.456/78 ab",
    " ü 12 ß ",
    "",
    "\u0661\u0662\u0663 45",  # Arabic-Indic digits
    "\uff24\uff25 \uff11\uff12",  # full-width letters and digits
    "x\ty\nz_%",
]
EMAILS = [
    "  Nora.Nieuw@Example.COM ",
    "Jonas Keller <Jonas.Keller@Example.com>",
    '"Keller, Jonas" <jonas@example.com>',
    "ÄNNE@BEISPIEL.DE",
    "Jonas@Exämple.COM",
]


@pytest.fixture(scope="module")
def server_keys():
    if not SERVER_KEYS.is_file():
        pytest.skip(f"the addon's {SERVER_KEYS} is not beside this client (installed alone)")
    spec = importlib.util.spec_from_file_location("empathic_crm_contact_keys", SERVER_KEYS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("sample", SAMPLES)
def test_phone_and_vat_keys_are_the_servers(server_keys, sample):
    assert normalize.phone_key(sample) == server_keys.phone_key(sample)
    assert normalize.vat_key(sample) == server_keys.vat_key(sample)


def test_thresholds_are_the_servers(server_keys):
    assert normalize.PHONE_MIN_DIGITS == server_keys.PHONE_MIN_DIGITS


def test_email_key_is_the_servers(admin: EmpathyClient):
    for email in EMAILS:
        partner_id = admin.call("res.partner", "create", {"name": "Key test", "email": email})
        (record,) = admin.call("res.partner", "read", [partner_id], ["email_normalized"])
        assert normalize.email_key(email) == record["email_normalized"], email
        admin.call("res.partner", "unlink", [partner_id])
