# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl.html).
"""The briefing as data: its lines, and their rendering by the QWeb templates.

A briefing is a dictionary (JSON-serialisable, what ``res.partner``'s
``empathy_briefing_data()`` returns to the external API)::

    {"partner_id": 7, "name": "Jonas Keller", "compact": False, "lines": [line, ...]}

and a line::

    {"kind": "motives", "label": "Motives:", "value": "Marathon, Hawaii trip",
     "level": "info", ...}

* ``kind``: what the line is about, a stable key (``LINE_KINDS``);
* ``label``: its caption in the reader's language ('' when the value says it all);
* ``value``: the line as text in the reader's language (what a screen reader, the
  command line or an assistant reads);
* ``level``: ``info``, ``success``, ``warning``, ``danger`` or ``muted``;
* optional: ``detail`` (a second sentence), ``code`` (the selection key behind the
  value: style, temperament, channel, trend), ``items`` (the parts of a list value,
  each ``{"id", "text", "level"}``, e.g. a stale motive), ids and figures
  (``user_id``, ``score``, ``impression``).

The web client shows the rendering of the templates in
``views/empathy_briefing_templates.xml`` (which escape every value); nothing in the
data is markup.
"""

#: the kinds of lines, in the order a full briefing lists them
LINE_KINDS = (
    "objection",  # the person objects to profiling: the only line
    "rapport_warning",  # the reader's rapport is low (full briefing)
    "style",  # how to talk to them: their communication style (full)
    "temperament",  # ... and their temperament (full)
    "tone",  # style, temperament and channel in one line (compact)
    "motives",
    "values",
    "why",
    "channel",
    "notes",  # "Remember:"
    "best_advisor",  # who clicks best, with the figure (full)
    "rapport",  # the reader's rapport and the best advisor's (compact)
    "mood_trend",
    "last_impression",  # (compact)
    "likely_advisor",  # nobody has met them: who is likely to click (full)
    "empty",  # nothing known yet
    "last_impressions",  # handover To-Do: the last impressions
    "previous_advisor",  # handover To-Do: the previous salesperson's rapport (managers)
)
#: lines of the full briefing shown as paragraphs, before its list
BLOCK_KINDS = ("objection", "rapport_warning", "empty")
#: lines of a compact briefing shown after its box (the handover's additions)
TAIL_KINDS = ("last_impressions", "previous_advisor")
LEVELS = ("info", "success", "warning", "danger", "muted")


def line(kind, value, label="", level="info", **extra):
    """Return one line of a briefing (see the module docstring)."""
    assert kind in LINE_KINDS and level in LEVELS, (kind, level)
    return {"kind": kind, "label": label or "", "value": value or "", "level": level, **extra}


def item(text, record_id=False, level="info", **extra):
    """Return one part of a list value (a motive, a value, an impression)."""
    return {"id": record_id, "text": text, "level": level, **extra}


def briefing(partner, lines, compact):
    """Return the briefing of ``partner`` (a res.partner record) made of ``lines``."""
    return {
        "partner_id": partner._origin.id or False,
        "name": partner.display_name or "",
        "compact": compact,
        "lines": lines,
    }


def render(env, template, **values):
    """Return the rendering (Markup) of a template of the addon with ``values``."""
    return env["ir.qweb"]._render("empathic_crm.%s" % template, values, minimal_qcontext=True)


def render_briefing(env, data):
    """Return the HTML (Markup) of a briefing (full or compact) for the web client."""
    lines = data["lines"]
    if data["compact"]:
        return render(
            env,
            "briefing_compact",
            lines=[ln for ln in lines if ln["kind"] not in TAIL_KINDS],
            tail=[ln for ln in lines if ln["kind"] in TAIL_KINDS],
        )
    return render(
        env,
        "briefing_full",
        blocks=[ln for ln in lines if ln["kind"] in BLOCK_KINDS],
        items=[ln for ln in lines if ln["kind"] not in BLOCK_KINDS],
    )
