# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The words of empathy, once: mood, rapport, communication style, temperament, channel.

Each concept has one table here. A Selection list (value, English label) is what the
fields declare (their labels are translated as the field's selection); the phrases
said about a value (advice in the briefing, the compact hint, a kind of customer, a
lead factor) are lazy translations, turned into the reader's language with
``env._(phrase)``.

The web client reads the same labels: the selection fields' own selection, and for
the integer ``mood`` / ``rapport`` of impressions ``empathy.impression``'s
``empathy_scale_labels()``. Not a model: imported by the models and wizards.
"""

from typing import NamedTuple

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


def _english(words):
    """Return the Selection list [(key, English label)] of {key: lazy label}."""
    return [(str(key), word._translate("en_US")) for key, word in words.items()]


# ----------------------------------------------------------------------
# the impression's scales
# ----------------------------------------------------------------------
#: the customer's mood, -2 (angry) to +2 (delighted)
MOOD_WORDS = {
    -2: _lt("Angry"),
    -1: _lt("Unhappy"),
    0: _lt("Neutral"),
    1: _lt("Pleased"),
    2: _lt("Delighted"),
}
#: how well we clicked, 1 to 5 stars
RAPPORT_WORDS = {
    1: _lt("We did not click"),
    2: _lt("Distant"),
    3: _lt("Fine"),
    4: _lt("Good"),
    5: _lt("We clicked perfectly"),
}
#: the dialog's Selection fields: the numbers as strings
MOODS = _english(MOOD_WORDS)
RAPPORT_LEVELS = _english(RAPPORT_WORDS)
MOOD_MIN, MOOD_MAX = min(MOOD_WORDS), max(MOOD_WORDS)
RAPPORT_MIN, RAPPORT_MAX = min(RAPPORT_WORDS), max(RAPPORT_WORDS)


def mood_label(env, mood):
    """Return the mood in the reader's words ("Pleased"; '' when out of the scale)."""
    word = MOOD_WORDS.get(mood)
    return env._(word) if word is not None else ""


def rapport_label(env, rapport):
    """Return the rapport level in the reader's words ('' when out of the scale)."""
    word = RAPPORT_WORDS.get(rapport)
    return env._(word) if word is not None else ""


def stars(rapport):
    """Return a rapport as five stars, "★★★★☆" for 4 (no emoji: fonts lack them)."""
    filled = max(0, min(RAPPORT_MAX, rapport or 0))
    return "★" * filled + "☆" * (RAPPORT_MAX - filled)


# ----------------------------------------------------------------------
# the person: communication style, temperament, channels, mood trend
# ----------------------------------------------------------------------
class Phrases(NamedTuple):
    """What is said about one style or temperament, everywhere it is said."""

    #: the full briefing: how to talk to them, one sentence
    advice: object
    #: the compact briefing and the composer: one clause
    hint: object
    #: a kind of customer in the advisor fit explanation (plural)
    kind: object
    #: a factor of Predictive Lead Scoring ('' when the trait is no factor)
    factor: object = ""


COMMUNICATION_STYLES = [
    ("factual", "Fact-oriented"),
    ("emotional", "Emotion- and design-oriented"),
    ("mixed", "Mixed"),
]
STYLE_PHRASES = {
    "factual": Phrases(
        advice=_lt("Fact-oriented: bring numbers, data sheets and comparisons; keep it short."),
        hint=_lt("Fact-oriented: lead with figures"),
        kind=_lt("fact-oriented customers"),
        factor=_lt("Fact-oriented customer"),
    ),
    "emotional": Phrases(
        advice=_lt(
            "Emotion- and design-oriented: tell stories, show the product in use,"
            " talk about how it feels and looks."
        ),
        hint=_lt("Emotion-oriented: tell a story, show the product in use"),
        kind=_lt("emotion- and design-oriented customers"),
        factor=_lt("Emotion- and design-oriented customer"),
    ),
    "mixed": Phrases(
        advice=_lt("Mixed: start with the story, back it with two or three hard facts."),
        hint=_lt("Mixed: a story first, then two or three facts"),
        kind=_lt("customers with a mixed style"),
        factor=_lt("Customer with a mixed communication style"),
    ),
}
TEMPERAMENTS = [("easy", "Easy-going"), ("neutral", "Neutral"), ("demanding", "Demanding")]
TEMPERAMENT_PHRASES = {
    "easy": Phrases(
        advice=_lt("Easy-going: a relaxed, personal tone works well."),
        hint=_lt("easy-going: a relaxed, personal tone"),
        kind=_lt("easy-going customers"),
    ),
    "neutral": Phrases(
        advice=_lt("Neutral temperament: be friendly and to the point."),
        hint=_lt("neutral: friendly and to the point"),
        kind=_lt("customers of neutral temperament"),
    ),
    "demanding": Phrases(
        advice=_lt("Demanding: prepare well, answer precisely, confirm commitments in writing."),
        hint=_lt("demanding: confirm in writing"),
        kind=_lt("demanding customers"),
    ),
}
CHANNELS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("meeting", "Meeting"),
    ("video", "Video call"),
    ("chat", "Chat"),
    ("fair", "Fair"),
    ("shop", "Shop"),
    ("letter", "Letter"),
    ("social", "Social media"),
    ("other", "Other"),
]
#: the channels a contact can prefer (fairs, shops and social media come to us)
PREFERRED_CHANNELS = [
    c for c in CHANNELS if c[0] in ("phone", "email", "meeting", "video", "chat", "letter")
]
#: the customer's mood in the last impressions against the ones before
MOOD_TRENDS = [("improving", "Improving"), ("stable", "Stable"), ("declining", "Declining")]


def phrase(env, phrases, value, which):
    """Return ``phrases[value].<which>`` in the reader's language ('' if none)."""
    words = phrases.get(value)
    text = words and getattr(words, which)
    return env._(text) if text else ""
