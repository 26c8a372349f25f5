# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""How contacts are compared: the same rules as the server's (``tools/contact_keys.py``
of the addon; ``tests/test_normalize.py`` checks that both give the same keys).

- email: the address only (no display name), stripped, lower case (a non-ASCII local
  part keeps its case; the server compares Odoo's ``email_normalized``);
- phone: the digits 0-9 only, without the international ``00`` prefix, so that
  ``+49 170 555-0101`` == ``0049 (170) 5550101``;
- VAT: the letters A-Z and digits 0-9 only, upper case: ``de 123 456 789`` ==
  ``DE123456789``.
"""

from __future__ import annotations

import re
from email.utils import parseaddr

PHONE_MIN_DIGITS = 6


def email_key(email: str | None) -> str | None:
    """Return the normalized address, or None when ``email`` holds none.

    As Odoo's ``email_normalize``: the domain in lower case, the local part too when it
    is ASCII (a non-ASCII local part is kept as it is: SMTPUTF8 mailboxes).
    """
    if not email or not email.strip():
        return None
    address = parseaddr(email.strip())[1].strip()
    if "@" not in address or address.startswith("@") or address.endswith("@"):
        return None
    local, _at, domain = address.rpartition("@")
    if local.isascii():
        local = local.lower()
    return f"{local}@{domain.lower()}"


def phone_key(phone: str | None) -> str:
    """Return the digits of a phone number, without the ``00`` prefix."""
    return re.sub(r"^00", "", re.sub(r"[^0-9]", "", phone or ""))


def vat_key(vat: str | None) -> str:
    """Return the letters and digits of a tax ID, upper case."""
    return re.sub(r"[^0-9A-Za-z]", "", vat or "").upper()


def like_escape(text: str) -> str:
    """Escape the wildcards of a (=i)like pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def spread_pattern(key: str) -> str:
    """Return an ``=ilike`` pattern matching ``key`` whatever separators surround it.

    ``4917055`` -> ``%4%9%1%7%0%5%5%``: finds "+49 170 55" and "0049-170-55"; the
    candidates are then compared by their key.
    """
    return "%" + "%".join(like_escape(char) for char in key) + "%"
