"""What every view shares: the figure factory, the palette, errors shown in place."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from contextlib import contextmanager

import ipywidgets as W
import plotly.graph_objects as go
import plotly.io as pio

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


# Set by use_static(): figures built from then on are plain plotly figures in core
# ``Output`` areas instead of plotly's own widget.
_static = False


def use_static(on: bool = True) -> None:
    """Build the views and charts that come next from core ipywidgets only (the fallback).

    A plotly ``FigureWidget`` needs a widget manager that can load plotly's JavaScript;
    Colab's custom manager does, but where a view's figure stays empty, call
    ``rnnlab.widgets.use_static()`` and run the view's cell again. Its controls stay the
    same; each figure becomes a plain plotly figure drawn into an ``ipywidgets.Output``
    area and redrawn after every change (slower, and the figure is replaced rather than
    animated). ``use_static(False)`` goes back to widget figures.
    """
    global _static
    _static = bool(on)


def publish(widget) -> None:
    """Show ``widget`` as a ``display_data`` message, whatever its ipywidgets version.

    Colab adds its custom widget manager through a hook on IPython's display publisher,
    which sees ``display_data`` only (colabtools, ``google/colab/output/_widgets.py``);
    a cell's last value goes out as ``execute_result`` and would miss it.
    """
    from IPython.display import display

    bundle = getattr(widget, "_repr_mimebundle_", None)
    if bundle is None:  # ipywidgets 7: the widget publishes display_data itself
        display(widget)
        return
    data = bundle()
    data, metadata = data if isinstance(data, tuple) else (data, {})
    display(data, raw=True, metadata=metadata)


class Figure(go.FigureWidget):
    """plotly's ``FigureWidget``, shown as ``display_data`` (see ``publish``)."""

    def _ipython_display_(self, **kwargs):
        publish(self)


class StaticFigure(go.Figure):
    """A plain plotly figure drawn into a core ``Output`` area (``.area``) and redrawn
    when a ``batch_update`` ends: what ``use_static()`` builds."""

    def __init__(self, base=None):
        super().__init__(base)
        self._area = W.Output()

    @property
    def area(self) -> W.Output:
        return self._area

    @contextmanager
    def batch_update(self):
        with super().batch_update():
            yield
        self.redraw()

    def bundle(self) -> dict:
        """The figure as a display bundle: plotly's JSON (JupyterLab draws it) and HTML
        that loads plotly.js from its CDN (what Colab and the classic Notebook draw)."""
        return {
            "application/vnd.plotly.v1+json": json.loads(pio.to_json(self, validate=False)),
            "text/html": pio.to_html(self, include_plotlyjs="cdn", full_html=False,
                                     validate=False),
            "text/plain": f"<figure: {self.layout.title.text or 'untitled'}>",
        }

    def redraw(self) -> None:
        self._area.outputs = (
            {"output_type": "display_data", "data": self.bundle(), "metadata": {}},)

    def _ipython_display_(self, **kwargs):
        from IPython.display import display

        display(self.bundle(), raw=True)


def new_figure(base=None, **layout):
    """The one place that chooses how figures render.

    By default a plotly ``FigureWidget`` (``Figure``): JupyterLab, Notebook 7 and the
    classic Notebook draw it with plotly.js from plotly's own extension, so nothing is
    fetched; Colab draws it through its custom widget manager, which the lessons' setup
    cell turns on. After ``use_static()``: a ``StaticFigure``. Put ``as_widget(figure)``
    in a view's box.
    """
    # base: a figure to start from (subplots), or None
    figure = (StaticFigure if _static else Figure)(base)
    defaults = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=50), height=380,
                    font=dict(size=13))
    figure.update_layout(**{**defaults, **layout})
    return figure


def as_widget(figure) -> W.Widget:
    """What a view's box holds for ``figure``: the figure itself when it is a widget, else
    its ``Output`` area, drawn now."""
    if isinstance(figure, W.Widget):
        return figure
    figure.redraw()
    return figure.area


class View:
    """Base of the views: a ``widget`` (the box to display) and an error line in place.

    Subclasses build their controls and figures in ``__init__`` without displaying them;
    a cell that ends with the view shows it, as does ``display(view)``; either way it is
    published as ``display_data`` (see ``publish``).
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

    def _ipython_display_(self, **kwargs):
        publish(self.widget)

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
