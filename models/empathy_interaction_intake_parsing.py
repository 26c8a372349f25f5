# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Interaction intake: validating and normalising one row (no queries).

Turns a row of ``empathy_log_interactions`` into the values the intake works with, or
into the error message that explains what is wrong with it.
"""

import re
from datetime import datetime, timezone

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize

from ..tools.contact_keys import PHONE_MIN_DIGITS, VAT_MIN_CHARS, phone_key, vat_key

#: keys accepted in a row of ``empathy_log_interactions``
INTERACTION_KEYS = {
    "ref",
    "external_ref",
    "partner_id",
    "name",
    "email",
    "phone",
    "vat",
    "advisor_login",
    "channel",
    "rapport",
    "mood",
    "communication_style",
    "note",
    "motives",
    "create_motives",
    "date",
}


class EmpathyInteractionIntake(models.AbstractModel):
    _inherit = "empathy.interaction.intake"

    # --- parsing (no queries) ---------------------------------------------
    @api.model
    def _empathy_parse_interaction(self, raw):
        """Return the row's normalized values; ``error`` is set when they are invalid."""
        row = {
            "ref": False,
            "error": False,
            "message": False,
            "status": False,
            "partner": None,
            "partner_created": False,
            "impression": None,
        }
        if not isinstance(raw, dict):
            row["error"] = self.env._("Each row must be a dictionary (got %s).", type(raw).__name__)
            return row
        ref = _text(raw.get("external_ref", raw.get("ref")))
        if ref:
            row["ref"] = ref
        try:
            row.update(self._empathy_parse_interaction_values(raw))
        except UserError as error:
            row["error"] = error.args[0]
        return row

    @api.model
    def _empathy_parse_interaction_values(self, raw):
        unknown = set(raw) - INTERACTION_KEYS
        if unknown:
            raise UserError(
                self.env._(
                    "Unknown keys: %(unknown)s. Allowed: %(allowed)s.",
                    unknown=", ".join(sorted(map(str, unknown))),
                    allowed=", ".join(sorted(INTERACTION_KEYS)),
                )
            )
        vals = {
            "partner_id": self._empathy_parse_partner_id(raw.get("partner_id")),
            "name": _text(raw.get("name")),
            "email": _text(raw.get("email")),
            "phone": _text(raw.get("phone")),
            "vat": _text(raw.get("vat")),
            "advisor_login": _text(raw.get("advisor_login")),
        }
        vals["email_key"] = vals["email"] and email_normalize(vals["email"], strict=False)
        if vals["email"] and not vals["email_key"]:
            raise UserError(self.env._("Invalid email address: %s.", vals["email"]))
        vals["phone_key"] = phone_key(vals["phone"])
        if vals["phone"] and len(vals["phone_key"]) < PHONE_MIN_DIGITS:
            raise UserError(
                self.env._(
                    "The phone number %(phone)s is too short: at least %(digits)s digits.",
                    phone=vals["phone"],
                    digits=PHONE_MIN_DIGITS,
                )
            )
        vals["vat_key"] = vat_key(vals["vat"])
        if vals["vat"] and len(vals["vat_key"]) < VAT_MIN_CHARS:
            raise UserError(self.env._("The tax ID %s is too short.", vals["vat"]))
        if not any(vals[key] for key in ("partner_id", "email", "phone", "vat", "name")):
            raise UserError(
                self.env._("Who was it? Give the contact's partner_id, email, phone, VAT or name.")
            )
        if _empty(raw.get("rapport")):
            raise UserError(
                self.env._(
                    "The rapport is required: 1 (we did not click) to 5 (we clicked perfectly)."
                )
            )
        if _empty(raw.get("mood")):
            raise UserError(self.env._("The mood is required: -2 (angry) to +2 (delighted)."))
        rapport, mood = _integer(raw["rapport"]), _integer(raw["mood"])
        Impression = self.env["empathy.impression"]
        Impression._empathy_check_range_values(rapport=rapport)
        Impression._empathy_check_range_values(mood=mood)
        vals.update(rapport=rapport, mood=mood)
        vals["channel"] = self._empathy_parse_selection(
            raw, "channel", Impression._fields["channel"], self.env._("channel")
        )
        vals["communication_style"] = self._empathy_parse_selection(
            raw,
            "communication_style",
            Impression._fields["communication_style"],
            self.env._("style"),
        )
        vals["note"] = (_text(raw.get("note")) or False) if "note" in raw else None
        vals["motives"] = _names(raw["motives"]) if "motives" in raw else None
        if vals["motives"] is False:
            raise UserError(
                self.env._("motives must be a list of names or a comma separated text.")
            )
        vals["create_motives"] = _flag(raw.get("create_motives"))
        if vals["create_motives"] is None:
            raise UserError(self.env._("create_motives must be true or false."))
        vals["date"] = self._empathy_parse_date(raw.get("date"))
        return vals

    @api.model
    def _empathy_parse_partner_id(self, value):
        if _empty(value):
            return False
        partner_id = _integer(value)
        if not isinstance(partner_id, int) or isinstance(partner_id, bool) or partner_id <= 0:
            raise UserError(self.env._("partner_id must be a contact's id (got %s).", value))
        return partner_id

    @api.model
    def _empathy_parse_selection(self, raw, key, field, label):
        """Return the selection key (None when absent); accepts keys and labels."""
        if key not in raw:
            return None
        value = _text(raw[key])
        if not value:
            return False
        options = field._description_selection(self.env)
        for option_key, option_label in options:
            if value.lower() in (option_key, str(option_label).lower()):
                return option_key
        raise UserError(
            self.env._(
                "Unknown %(what)s %(value)s. Use one of: %(allowed)s.",
                what=label,
                value=value,
                allowed=", ".join(option_key for option_key, _label in options),
            )
        )

    @api.model
    def _empathy_parse_date(self, value):
        """Return a naive UTC datetime (None when absent); reject the far future."""
        if _empty(value):
            return None
        if isinstance(value, datetime):
            date = value
        else:
            try:
                date = datetime.fromisoformat(str(value).strip())
            except ValueError:
                raise UserError(
                    self.env._(
                        "Invalid date %s: use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC).",
                        value,
                    )
                ) from None
        if date.tzinfo:
            date = date.astimezone(timezone.utc).replace(tzinfo=None)
        date = date.replace(microsecond=0)
        if date > fields.Datetime.now() + relativedelta(days=1):
            raise UserError(self.env._("The date %s is in the future.", value))
        return date


# ----------------------------------------------------------------------
# helpers of the parsing
# ----------------------------------------------------------------------
def _empty(value):
    """Return whether a value is absent (None, False or blank; 0 is a value)."""
    return value is None or value is False or (isinstance(value, str) and not value.strip())


def _text(value):
    """Return a stripped text, or False."""
    if _empty(value):
        return False
    return str(value).strip()


def _integer(value):
    """Return ``value`` as an int when it is a whole number, else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return value


def _flag(value):
    """Return a boolean from a JSON/CSV value, None when it is not one."""
    if _empty(value) or value == 0:
        return False
    if value is True or value == 1:
        return True
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on", "x"):
        return True
    if text in ("0", "false", "no", "n", "off"):
        return False
    return None


def _names(value):
    """Return the distinct names of a list or a comma separated text; False if invalid."""
    if _empty(value):
        return []
    if isinstance(value, str):
        value = re.split(r"[,;|\n]", value)
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        return False
    names = {}
    for name in value:
        name = " ".join(name.split())
        if name:
            names.setdefault(name.lower(), name)
    return list(names.values())
