"""Static figures for the lessons' one-off plots, drawn like the views (through new_figure)."""

from __future__ import annotations

import numbers

from rnnlab.palette import PALETTE, ink_on
from rnnlab.widgets._base import new_figure
from rnnlab.widgets.theme import MODEL_SYMBOLS, OTHER_COLOURS, series_dashes
from rnnlab.widgets.theme import colour as colour_of

# markers for the series of a chart with more series than dashes
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down")


def _numbers(name: str, values: dict) -> None:
    """A clear error when a value that is drawn and printed with a number format is not
    a real number (plotly would draw it, and the format would fail with a bare message)."""
    for label, value in values.items():
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}: {label!r} is {value!r}; expected a number")


def bar_chart(values: dict[str, float], *, title: str, axis_title: str,
              number_format: str = ".3f", colour: str = "baseline",
              colours: dict[str, str] | None = None, height: int = 320):
    """Horizontal bars, one per entry of ``values`` (label -> value), value printed on each.

    Bars take ``colour`` (a palette role such as "lstm", or a colour); ``colours`` (label
    -> role or colour) sets single bars, e.g. {"vanilla RNN": "rnn", "LSTM": "lstm"}.
    """
    colours = colours or {}
    _numbers("values", values)
    labels = list(values)
    figure = new_figure(title=title, height=height, xaxis=dict(title=axis_title),
                        yaxis=dict(autorange="reversed"), margin=dict(l=190, r=40, t=50, b=50))
    bar_colours = [colour_of(colours.get(label, colour)) for label in labels]
    figure.add_bar(
        y=labels, x=[values[k] for k in labels], orientation="h", marker_color=bar_colours,
        text=[format(values[k], number_format) for k in labels], textposition="auto",
        # a value printed inside its bar in black or white, whichever reads on the bar
        insidetextfont=dict(color=[ink_on(c) for c in bar_colours]),
        outsidetextfont=dict(color=PALETTE["text"]),
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    return figure


def line_chart(series: dict[str, tuple], *, title: str, xaxis_title: str, yaxis_title: str,
               log_y: bool = False, log_x: bool = False, height: int = 360,
               markers: bool = False, hlines: dict[str, float] | None = None,
               colours: dict[str, str] | None = None,
               y_range: tuple[float, float] | None = None):
    """One line per entry of ``series`` (name -> (x, y)); a log y axis for norms, a log
    x axis for positions that span decades. ``hlines`` (name -> y) adds horizontal
    reference lines across the x range, each named in the legend; lines of one colour
    differ by dash. ``colours`` (name -> palette role such as "lstm", or a colour) gives a
    line its model's colour and dash; other lines take the template's colours for series
    that are no model and the dashes no model here uses, and reference lines the baseline
    grey. No two lines differ by colour alone: each has its own dash (and its own marker
    beyond four lines). ``y_range`` (low, high) fixes the y axis, to spread out lines that
    end close together."""
    colours = colours or {}
    figure = new_figure(title=title, height=height,
                        xaxis=dict(title=xaxis_title, type="log" if log_x else "linear"),
                        yaxis=dict(title=yaxis_title, type="log" if log_y else "linear",
                                   exponentformat="power",
                                   **({"range": list(y_range)} if y_range else {})),
                        legend=dict(orientation="h", y=-0.25))
    roles = [colours.get(name) for name in series]
    reference_roles = [colours.get(name, "baseline") for name in hlines or {}]
    # one dash per line, reference lines included: a model's own wherever it is drawn
    every_dash = series_dashes(roles + reference_roles)
    dashes, reference_dashes = every_dash[:len(roles)], every_dash[len(roles):]
    # colours given, never left to plotly, so that a test can read what is drawn
    others = iter(OTHER_COLOURS * len(series))
    drawn = [colour_of(role) if role else next(others) for role in roles]
    many = len(series) > 4  # dashes alone get hard to tell apart: markers too
    for index, ((name, (x, y)), role, dash, colour) in enumerate(
            zip(series.items(), roles, dashes, drawn)):
        symbol = MODEL_SYMBOLS.get(role, SYMBOLS[index % len(SYMBOLS)])
        figure.add_scatter(x=list(x), y=list(y),
                           mode="lines+markers" if markers or many else "lines", name=name,
                           line=dict(color=colour, width=2.5, dash=dash),
                           marker=dict(symbol=symbol, size=7, maxdisplayed=0 if markers else 12))
    xs = [v for x, _ in series.values() for v in x]
    _numbers("hlines", hlines or {})
    if hlines and not xs:
        raise ValueError("hlines: a reference line spans the x range of the series; expected "
                         "at least one series with points, got none")
    # reference lines: thinner, across the whole x range
    for (name, y), role, dash in zip((hlines or {}).items(), reference_roles, reference_dashes):
        colour = colour_of(role)
        figure.add_scatter(x=[min(xs), max(xs)], y=[y, y], mode="lines", name=f"{name} ({y:.3f})",
                           line=dict(color=colour, width=1.8, dash=dash),
                           hovertemplate=f"{name}: {y:.3f}<extra></extra>")
    return figure
