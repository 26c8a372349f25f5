# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""How contacts are compared: their normalised keys, once, in Python and in SQL.

* email: Odoo's ``email_normalized`` (the address only, lower case: core computes
  and stores it with ``odoo.tools.email_normalize``, the intake normalises a row's
  address with the same function);
* phone (``phone``, and ``mobile`` where the contact has one: Odoo 18.0): the digits
  0-9 only, without the international
  ``00`` prefix, so that ``+49 170 555-0101`` == ``0049 (170) 5550101``;
* VAT: the letters A-Z and digits 0-9 only, upper case: ``de 123 456 789`` ==
  ``DE123456789``;
* name (rows that give nothing else): lower case.

``phone_key`` / ``vat_key`` / ``name_key`` and their SQL twins ``PHONE_KEY_SQL`` /
``VAT_KEY_SQL`` / ``NAME_KEY_SQL`` give the same keys (``test_interaction_intake``
compares them on awkward samples). ``key_indexes`` are the expression indexes that
serve the SQL twins on ``res_partner`` (created by ``res_partner_contact_keys.py``;
core has no index on ``email_normalized`` either): a query compares ``<twin of
column> = ANY(keys)`` and PostgreSQL reads the index. The phone columns differ by
Odoo series (``compat.partner_phone_fields()``): the caller names them.

Pure Python (no Odoo import): the client (``client/``) has a test that loads this
file and checks that its own normalisation (``empathic_crm_client.normalize``) agrees.
"""

import re

#: shorter phone numbers identify nobody
PHONE_MIN_DIGITS = 6
#: shorter tax ids identify nobody
VAT_MIN_CHARS = 4

_NOT_DIGIT = re.compile(r"[^0-9]+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


def phone_key(number):
    """Digits only, without the international ``00`` prefix: "+49 170-1" == "0049 1701"."""
    digits = _NOT_DIGIT.sub("", number or "")
    return digits[2:] if digits.startswith("00") else digits


def vat_key(vat):
    """Letters and digits only, upper case: "de 123 456" == "DE123456"."""
    return _NOT_ALNUM.sub("", vat or "").upper()


def name_key(name):
    """A name compared without case: "Jonas Keller" == "jonas keller"."""
    return (name or "").lower()


#: the keys in SQL, of the column named by ``format`` (no ``%``: usable in ``SQL``)
PHONE_KEY_SQL = "regexp_replace(regexp_replace({}, '[^0-9]+', '', 'g'), '^00', '')"
VAT_KEY_SQL = "upper(regexp_replace({}, '[^0-9A-Za-z]+', '', 'g'))"
NAME_KEY_SQL = "lower({})"

#: the phone columns ``res_partner`` has had in any supported Odoo series (19.0 removed
#: ``mobile``; a database upgraded from 18.0 keeps the column, unused)
ALL_PHONE_COLUMNS = ("phone", "mobile")


def key_columns(phone_columns):
    """Return {kind of key: [(res_partner column, SQL twin)]}, the most reliable kind
    first, for a contact whose phone numbers are in ``phone_columns`` (``phone`` and
    ``mobile`` on Odoo 18.0, ``phone`` on 19.0: ``compat.partner_phone_fields()``)."""
    return {
        "email": [("email_normalized", "{}")],
        "vat": [("vat", VAT_KEY_SQL)],
        "phone": [(column, PHONE_KEY_SQL) for column in phone_columns],
        "name": [("name", NAME_KEY_SQL)],
    }


def key_indexes(phone_columns):
    """Return {index name: (column, SQL twin)}: the expression indexes on
    ``res_partner`` of ``key_columns(phone_columns)``, partial (``column IS NOT
    NULL``: a key of NULL matches nothing) to stay small."""
    return {
        f"res_partner_empathy_{column}_key_idx": (column, twin)
        for columns in key_columns(phone_columns).values()
        for column, twin in columns
    }
