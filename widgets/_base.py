"""What every view shares: the figure factory, the palette, errors shown in place."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from contextlib import contextmanager

import ipywidgets as W

from rnnlab.palette import PALETTE

# Okabe & Ito (2008) colours: distinguishable with the common colour-vision deficiencies.
COLOURS = {role: PALETTE[role] for role in ("rnn", "lstm", "toy", "baseline", "chance")}
DIVERGING = "RdBu_r"  # gates around 0.5, states around 0: blue low, red high
LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM"}


def character_spans(text: str, colours: Sequence[str], titles: Sequence[str],
                    prefix: str = "", extra_style: str = "") -> str:
    """HTML of ``text``, each character on its own background colour with a hover title."""
    spans = [prefix]
    for ch, colour, title in zip(text, colours, titles):
        shown = "⏎<br>" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:{colour}" title="{title}">{shown}</span>')
    return (
        '<div style="font-family:monospace;font-size:14px;line-height:1.6;'
        f'white-space:pre-wrap;color:#111;{extra_style}">' + "".join(spans) + "</div>"
    )


def new_figure(base=None, **layout):
    """The one place that chooses how figures render.

    JupyterLab and Notebook 7: a plotly ``FigureWidget`` (plotly.js is bundled with the
    extension, so nothing is fetched from a CDN). Colab: the same class; plotly >= 6
    builds it on anywidget, which enables Colab's custom widget manager itself. Plotly
    widgets inside Colab are still reported broken in places (colabtools issues 5889
    and 1458), which this kit cannot test from here; see the README.
    """
    import plotly.graph_objects as go

    figure = go.FigureWidget(base)  # base: a figure to start from (subplots), or None
    defaults = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380,
                    font=dict(size=13))
    figure.update_layout(**{**defaults, **layout})
    return figure


class View:
    """Base of the views: a ``widget`` (the box to display) and an error line in place.

    Subclasses build their controls and figures in ``__init__`` without displaying them;
    a cell that ends with the view shows it (``_repr_mimebundle_``), or
    ``display(view.widget)``.
    """

    def __init__(self):
        self._status = W.HTML(value="", layout=W.Layout(min_height="1.5em"))
        self._status.add_class("rnnlab-status")
        self.error = None  # the message of the last error shown, or None
        self._box: W.Box | None = None  # set by the subclass: everything the view shows

    @property
    def widget(self) -> W.Widget:
        """The box to display, with a CSS class naming the view (``rnnlab-gate-viewer``),
        by which a page, a theme or a browser test can find it."""
        name = "rnnlab-" + re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__).lower()
        if name not in self._box._dom_classes:
            self._box.add_class(name)
        return self._box

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def _show_error(self, exc: BaseException) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self._status.value = (
            '<div role="alert" style="color:#B00020;font-weight:600">'
            f"{html.escape(self.error)}</div>"
        )

    def _clear_error(self) -> None:
        self.error = None
        self._status.value = ""

    @contextmanager
    def _errors_in_place(self):
        """Run an update; a bad input is shown in the view, never as a dead callback."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - a view shows any failure in place
            self._show_error(exc)
        else:
            self._clear_error()
