# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""Which fields of a contact make its empathy profile, and which make its kind.

Two lists, each field with its meaning; every other list of partner fields in the
addon is derived from them:

* ``PROFILE_FIELDS``: what salespeople learn about a person. Hidden from salespeople
  (and used nowhere) while the person objects to profiling (GDPR Art. 21). The ones
  marked ``profiled`` say that something is known of the person: a lead then briefs
  the contact itself, not its company (``PROFILED_FIELDS``, with the objection and
  the last impression).
* ``TRAIT_FIELDS``: the traits that make a *kind of customer* (rapport by kind,
  advisor matching), with the trait's key in ``empathy.kind.rapport``
  (``empathy_matching.TRAITS``).

Pure Python (no Odoo import): the models import these names.
"""

from typing import NamedTuple


class ProfileField(NamedTuple):
    """One field of the empathy profile."""

    #: what it says about the person
    meaning: str
    #: a value makes the contact "profiled" (its own briefing on a lead)
    profiled: bool = False


PROFILE_FIELDS = {
    "empathy_communication_style": ProfileField(
        "how they take in information: facts, stories or both", profiled=True
    ),
    "empathy_temperament": ProfileField(
        "how they react: easy-going, neutral or demanding", profiled=True
    ),
    "empathy_personal_notes": ProfileField(
        "things worth remembering, e.g. a favourite book or the children's names",
        profiled=True,
    ),
    "empathy_motive_ids": ProfileField(
        "purchase motives: goals, life events, occasions", profiled=True
    ),
    "empathy_value_ids": ProfileField("values: what they care about"),
    "empathy_why": ProfileField("why they buy, in the salesperson's words"),
    "empathy_preferred_channel": ProfileField("how they like to be contacted"),
    "empathy_impression_ids": ProfileField("the advisors' impressions of each contact"),
    "empathy_motive_evidence_ids": ProfileField("how each motive and value is known"),
    "empathy_profile_ids": ProfileField("the profile row itself (empathy.profile)"),
}

#: {partner field: trait key}: the traits of a kind of customer, in the order the fit
#: explanation prefers them
TRAIT_FIELDS = {
    "empathy_communication_style": "style",
    "empathy_temperament": "temperament",
    "empathy_motive_ids": "motive",
    "empathy_value_ids": "value",
    "empathy_preferred_channel": "channel",
}

#: something is known of the person: the objection, an impression, or a profile
#: field marked ``profiled`` (columns first: the many2many costs a query)
PROFILED_FIELDS = (
    "empathy_objection",
    "empathy_last_impression_date",
    *sorted(
        (name for name, field in PROFILE_FIELDS.items() if field.profiled),
        key=lambda name: name.endswith("_ids"),
    ),
)

#: writes that can change a contact's kind of customer (or whether it counts at all):
#: the traits, the objection and the company it belongs to
KIND_FIELDS = frozenset({*TRAIT_FIELDS, "empathy_objection", "parent_id", "is_company"})
