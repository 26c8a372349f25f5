# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Push interactions and impressions from other channels into Odoo (empathic_crm)."""

__version__ = "18.0.1.0.0"

from .client import (
    AuthenticationFailed,
    Briefing,
    BriefingLine,
    ConfigurationError,
    ConnectionFailed,
    EmpathyClient,
    EmpathyError,
    FeatureMissing,
    Interaction,
    InteractionResult,
    Partner,
    ProfileUpdate,
    ServerError,
    Settings,
    Suggestion,
)
from .csv_import import CsvError, ImportOptions, ImportSummary, import_csv

__all__ = [
    "AuthenticationFailed",
    "Briefing",
    "BriefingLine",
    "ConfigurationError",
    "ConnectionFailed",
    "CsvError",
    "EmpathyClient",
    "EmpathyError",
    "FeatureMissing",
    "ImportOptions",
    "ImportSummary",
    "Interaction",
    "InteractionResult",
    "Partner",
    "ProfileUpdate",
    "ServerError",
    "Settings",
    "Suggestion",
    "import_csv",
]
