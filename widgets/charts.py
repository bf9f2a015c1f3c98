"""Static figures for the lessons' one-off plots, drawn like the views (through new_figure)."""

from __future__ import annotations

from rnnlab.widgets._base import new_figure
from rnnlab.widgets.theme import colour as colour_of


def bar_chart(values: dict[str, float], *, title: str, axis_title: str,
              number_format: str = ".3f", colour: str = "baseline",
              colours: dict[str, str] | None = None, height: int = 320):
    """Horizontal bars, one per entry of ``values`` (label -> value), value printed on each.

    Bars take ``colour`` (a palette role such as "lstm", or a colour); ``colours`` (label
    -> role or colour) sets single bars, e.g. {"vanilla RNN": "rnn", "LSTM": "lstm"}.
    """
    colours = colours or {}
    labels = list(values)
    figure = new_figure(title=title, height=height, xaxis=dict(title=axis_title),
                        yaxis=dict(autorange="reversed"), margin=dict(l=190, r=40, t=50, b=50))
    figure.add_bar(
        y=labels, x=[values[k] for k in labels], orientation="h",
        marker_color=[colour_of(colours.get(label, colour)) for label in labels],
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
    differ by dash. ``colours`` (name -> palette role such as "lstm", or a colour) gives a
    line its model's colour; other lines take the template's colours for series that are
    no model, and reference lines the baseline grey."""
    colours = colours or {}
    figure = new_figure(title=title, height=height,
                        xaxis=dict(title=xaxis_title, type="log" if log_x else "linear"),
                        yaxis=dict(title=yaxis_title, type="log" if log_y else "linear",
                                   exponentformat="power"),
                        legend=dict(orientation="h", y=-0.25))
    for name, (x, y) in series.items():
        chosen = colours.get(name)  # None: the template's next colour
        figure.add_scatter(x=list(x), y=list(y), mode="lines+markers" if markers else "lines",
                           name=name, line=dict(color=chosen and colour_of(chosen), width=2.5))
    xs = [v for x, _ in series.values() for v in x]
    used: dict[str, int] = {}
    for name, y in (hlines or {}).items():
        colour = colour_of(colours.get(name, "baseline"))
        dash = REFERENCE_DASHES[used.get(colour, 0) % len(REFERENCE_DASHES)]
        used[colour] = used.get(colour, 0) + 1
        figure.add_scatter(x=[min(xs), max(xs)], y=[y, y], mode="lines", name=f"{name} ({y:.3f})",
                           line=dict(color=colour, width=2, dash=dash),
                           hovertemplate=f"{name}: {y:.3f}<extra></extra>")
    return figure
