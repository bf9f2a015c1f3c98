"""The kit's house style for figures, as a plotly template named "rnnlab".

Every figure is made by ``new_figure``, which applies it; a lesson's own plotly
figure can use it too (``template="rnnlab"``). The template sets what all figures
share: white paper, the kit's ink, fonts and legend, and the colours of series that are
not a model. A series that *is* a model says so (``colours={"my run": "lstm"}``) and
takes that model's colour from the palette: a colour is never guessed from a label.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

from rnnlab.palette import ON_WHITE, PALETTE

TEMPLATE = "rnnlab"

# Series that are not a model, in order: colours none of the trained models uses (orange is
# the RNN, blue the LSTM, vermillion the parameter-matched RNN). The first is also the toy
# RNN's, which lesson 3 never draws beside a chart.
OTHER_COLOURS = [ON_WHITE[name] for name in ("bluish_green", "reddish_purple", "sky_blue",
                                             "black")]

# Series never differ by colour alone (WCAG 2.1, 1.4.1): each model has its own dash, the
# same in every chart, and other series take the dashes no model in the chart uses.
MODEL_DASHES = {"lstm": "solid", "rnn": "dash", "rnn-matched": "dot", "toy": "dashdot"}
# ... and its own marker, where a chart draws markers (one point per record or per lag)
MODEL_SYMBOLS = {"lstm": "square", "rnn": "circle", "rnn-matched": "diamond",
                 "toy": "triangle-up"}
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def series_dashes(roles: list[str | None]) -> list[str]:
    """A dash for each series of a chart, in order: a model's own (``roles`` holds its
    palette role) the first time it is drawn, the others the dashes no model here uses.
    Beyond six series the dashes repeat, and the caller adds markers."""
    taken = {MODEL_DASHES[role] for role in roles if role in MODEL_DASHES}
    free = iter([dash for dash in DASHES if dash not in taken] * (len(roles) + 1))
    used: set[str] = set()
    dashes = []
    for role in roles:
        own = MODEL_DASHES.get(role)
        dash = own if own is not None and own not in used else next(free)
        used.add(dash)
        dashes.append(dash)
    return dashes


def colour(role_or_colour: str) -> str:
    """A palette role ("rnn", "lstm", "rnn-matched", "baseline", ...) as its colour, or a
    colour given as "#rrggbb" or "rgb(...)" as it is."""
    if role_or_colour in PALETTE:
        return PALETTE[role_or_colour]
    if isinstance(role_or_colour, str) and role_or_colour.startswith(("#", "rgb")):
        return role_or_colour
    raise ValueError(f"colour: expected a palette role ({', '.join(PALETTE)}) or a colour "
                     f"such as '#0072B2', got {role_or_colour!r}")


def _template() -> go.layout.Template:
    template = go.layout.Template(pio.templates["plotly_white"])
    template.layout.update(
        colorway=OTHER_COLOURS,
        font=dict(size=13, color=PALETTE["text"]),
        title=dict(font=dict(size=15)),
        margin=dict(l=60, r=20, t=50, b=50),
        height=380,
        legend=dict(bgcolor="rgba(255,255,255,0.8)"),
        hoverlabel=dict(font=dict(size=12)),
    )
    return template


pio.templates[TEMPLATE] = _template()
