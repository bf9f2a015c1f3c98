"""Static figures for the lessons' one-off plots, drawn like the views (through new_figure)."""

from __future__ import annotations

from rnnlab.palette import OKABE_ITO, PALETTE
from rnnlab.widgets._base import new_figure

# Series that are not a model get colours no model uses (blue is the LSTM, orange the RNN).
OTHER_COLOURS = [OKABE_ITO[c] for c in ("bluish_green", "vermillion", "reddish_purple",
                                        "sky_blue")]


def _colour(name: str, index: int, default: str | None = None,
            chosen: str | None = None) -> str:
    """``chosen`` (a palette role or a colour) when given; else a model's colour when the
    name says which model ("... RNN ...", "LSTM ..."), else ``default``, else the next of
    OTHER_COLOURS."""
    if chosen is not None:
        return PALETTE.get(chosen, chosen)
    words = name.lower()
    for kind in ("lstm", "rnn"):
        if kind in words:
            return PALETTE[kind]
    if default is not None:
        return PALETTE.get(default, default)
    return OTHER_COLOURS[index % len(OTHER_COLOURS)]


def bar_chart(values: dict[str, float], *, title: str, axis_title: str,
              number_format: str = ".3f", colour: str = "baseline", height: int = 320):
    """Horizontal bars, one per entry of ``values`` (label -> value), value printed on each.

    A bar whose label names a model takes that model's colour; the others take ``colour``.
    """
    labels = list(values)
    figure = new_figure(title=title, height=height, xaxis=dict(title=axis_title),
                        yaxis=dict(autorange="reversed"), margin=dict(l=190, r=40, t=50, b=50))
    figure.add_bar(
        y=labels, x=[values[k] for k in labels], orientation="h",
        marker_color=[_colour(k, i, colour) for i, k in enumerate(labels)],
        text=[format(values[k], number_format) for k in labels], textposition="auto",
        hovertemplate="%{y}: %{x}<extra></extra>",
    )
    return figure


REFERENCE_DASHES = ("dash", "dot", "dashdot", "longdash")


def line_chart(series: dict[str, tuple], *, title: str, xaxis_title: str, yaxis_title: str,
               log_y: bool = False, log_x: bool = False, height: int = 360,
               markers: bool = False, hlines: dict[str, float] | None = None,
               colours: dict[str, str] | None = None):
    """One line per entry of ``series`` (name -> (x, y)); a log y axis for norms, a log
    x axis for positions that span decades. ``hlines`` (name -> y) adds horizontal
    reference lines across the x range, each named in the legend; lines of one colour
    differ by dash. ``colours`` (name -> palette role such as "rnn-matched", or a colour)
    says which colour a line takes; other lines are coloured by their names."""
    colours = colours or {}
    figure = new_figure(title=title, height=height,
                        xaxis=dict(title=xaxis_title, type="log" if log_x else "linear"),
                        yaxis=dict(title=yaxis_title, type="log" if log_y else "linear",
                                   exponentformat="power"),
                        legend=dict(orientation="h", y=-0.25))
    for index, (name, (x, y)) in enumerate(series.items()):
        colour = _colour(name, index, chosen=colours.get(name))
        figure.add_scatter(x=list(x), y=list(y), mode="lines+markers" if markers else "lines",
                           name=name, line=dict(color=colour, width=2.5))
    xs = [v for x, _ in series.values() for v in x]
    used: dict[str, int] = {}
    for index, (name, y) in enumerate((hlines or {}).items(), start=len(series)):
        colour = _colour(name, index, chosen=colours.get(name))
        dash = REFERENCE_DASHES[used.get(colour, 0) % len(REFERENCE_DASHES)]
        used[colour] = used.get(colour, 0) + 1
        figure.add_scatter(x=[min(xs), max(xs)], y=[y, y], mode="lines", name=f"{name} ({y:.3f})",
                           line=dict(color=colour, width=2, dash=dash),
                           hovertemplate=f"{name}: {y:.3f}<extra></extra>")
    return figure
