"""What every view shares: the figure factory, the palette, errors shown in place."""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Sequence
from contextlib import contextmanager

import ipywidgets as W
import plotly.graph_objects as go
import plotly.io as pio

from rnnlab import pretrained
from rnnlab.palette import MODEL_TEXT, PALETTE, ink_on
from rnnlab.widgets.theme import TEMPLATE

# Okabe & Ito (2008) hues, darkened to 3:1 on white where needed (rnnlab.palette).
COLOURS = {role: PALETTE[role]
           for role in (*pretrained.SHIPPED, "toy", "baseline", "chance")}
DIVERGING = "RdBu_r"  # gates around 0.5, states around 0: blue low, red high
LABELS = pretrained.LABELS  # the shipped models' names: "RNN-256", "LSTM-256", "RNN-522"


def character_spans(text: str, colours: Sequence[str], titles: Sequence[str],
                    prefix: str = "", extra_style: str = "") -> str:
    """HTML of ``text``, each character on its own background colour with a hover title,
    in black or white, whichever reads on that colour (4.58:1 at least, see ``ink_on``)."""
    spans = [prefix]
    for ch, colour, title in zip(text, colours, titles):
        shown = "⏎<br>" if ch == "\n" else html.escape(ch)
        spans.append(f'<span style="background:{colour};color:{ink_on(colour)}" '
                     f'title="{title}">{shown}</span>')
    return (
        '<div style="font-family:monospace;font-size:14px;line-height:1.6;'
        f'white-space:pre-wrap;color:{PALETTE["text"]};{extra_style}">'
        + "".join(spans) + "</div>"
    )


def one_vocabulary(models: dict):
    """The vocabulary every model in ``models`` reads; a VocabularyMismatchError naming the
    first model that reads another (a view draws all of them on one set of characters,
    so another model's ids would be labelled with the wrong characters). Checked at each
    redraw too: a learner may swap a model in the dict the view was given."""
    from rnnlab.errors import VocabularyMismatchError

    (first, model), *others = models.items()
    for name, other in others:
        if other.vocab != model.vocab:
            raise VocabularyMismatchError(
                f"models[{name!r}]: reads a vocabulary of {len(other.vocab)} characters other "
                f"than models[{first!r}]'s ({len(model.vocab)}); expected models trained on "
                "the same corpus")
    return model.vocab


def model_heading(kind: str) -> str:
    """A model's name as a pane's heading, in its colour darkened for text (4.5:1)."""
    return (f"<b style='color:{MODEL_TEXT.get(kind, PALETTE['text'])}'>"
            f"{html.escape(LABELS.get(kind, kind))}</b>")


# Set by use_static(): figures built from then on are plain plotly figures (StaticFigure)
# instead of plotly's own widget (WidgetFigure).
_static = False


def use_static(on: bool = True) -> None:
    """Build the views and charts that come next from core ipywidgets only (the fallback).

    A plotly ``FigureWidget`` needs a widget manager that can load plotly's JavaScript;
    Colab's custom manager does, but where a view's figure stays empty, call
    ``rnnlab.widgets.use_static()`` and run the view's cell again. Its controls stay the
    same, built from core ipywidgets only; each figure becomes a plain plotly figure shown
    below them and redrawn in place after every change (slower, and replaced rather than
    animated; outside JupyterLab it loads plotly.js from plotly's CDN, which Colab
    reaches). ``use_static(False)`` goes back to widget figures.
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
    data = bundle() if bundle is not None else None
    if data is None:  # ipywidgets 7: the widget publishes display_data itself
        display(widget)
        return
    data, metadata = data if isinstance(data, tuple) else (data, {})
    display(data, raw=True, metadata=metadata)


def plot_html(figure_json: str) -> str:
    """HTML that draws a figure (plotly JSON) with the plotly.js of this plotly release.

    It loads plotly.js itself and draws once it has arrived: a page that inserts the HTML
    may run a ``<script src>`` after the scripts that follow it, and plotly's own HTML
    then fails with "Plotly is not defined" (reported in Colab: googlecolab/colabtools
    issue 5889). Where RequireJS is loaded (the classic Notebook) plotly.js registers as
    a module instead of ``window.Plotly``, so it is asked for as one.
    """
    from plotly.offline import get_plotlyjs_version

    div = f"rnnlab-plot-{uuid.uuid4().hex}"
    title = html.escape(json.loads(figure_json).get("layout", {}).get("title", {}).get(
        "text") or "untitled figure", quote=True)
    source = f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min"
    return f"""<div id="{div}" role="figure" aria-label="Figure: {title}"></div>
<script>
(function () {{
  var figure = {figure_json};
  function draw(Plotly) {{
    Plotly.newPlot("{div}", figure.data, figure.layout, {{responsive: true}});
  }}
  if (window.Plotly) {{ draw(window.Plotly); return; }}
  if (typeof window.requirejs === "function") {{
    window.requirejs.config({{paths: {{"rnnlab-plotly": "{source}"}}}});
    window.requirejs(["rnnlab-plotly"], draw);
    return;
  }}
  var script = document.createElement("script");
  script.src = "{source}.js";
  script.onload = function () {{ draw(window.Plotly); }};
  script.onerror = function () {{  // offline: say so where the figure would be
    document.getElementById("{div}").textContent =
      "This figure needs plotly.js from {source}.js, which did not load.";
  }};
  document.head.appendChild(script);
}})();
</script>"""


class WidgetFigure(go.FigureWidget):
    """plotly's ``FigureWidget``, shown as ``display_data`` (see ``publish``), under a
    caption that names it for a screen reader (``figure_caption``)."""

    def _ipython_display_(self, **kwargs):
        publish(W.VBox([figure_caption(self), self]))


class StaticFigure(go.Figure):
    """A plain plotly figure, shown as an ordinary output and redrawn in place (through
    its display id) when a ``batch_update`` ends: what ``use_static()`` builds. It needs
    no widget manager at all, and no ``Output`` widget either (classic Notebook 6.5.7
    with widgetsnbextension 3.6.10, Colab's versions, cannot draw one)."""

    def __init__(self, base=None):
        super().__init__(base)
        self._shown = []  # an IPython DisplayHandle for each time it was displayed
        self._batch_depth = 0

    @contextmanager
    def batch_update(self):
        # plotly nests batch_update (``layout.xaxis.update(...)`` opens one inside ours):
        # the figure is sent once, when the outermost one ends
        self._batch_depth += 1
        try:
            with super().batch_update():
                yield
        finally:
            self._batch_depth -= 1
        if self._batch_depth == 0:
            for handle in self._shown:
                handle.update(self.bundle(), raw=True)

    def bundle(self) -> dict:
        """The figure as a display bundle: plotly's JSON, which JupyterLab draws itself,
        and HTML that draws it with plotly.js from plotly's CDN (Colab, classic Notebook)."""
        figure = pio.to_json(self, validate=False)
        return {
            "application/vnd.plotly.v1+json": json.loads(figure),
            "text/html": plot_html(figure),
            "text/plain": f"<figure: {self.layout.title.text or 'untitled'}>",
        }

    def _ipython_display_(self, **kwargs):
        from IPython.display import display

        self._shown.append(display(self.bundle(), raw=True, display_id=True))


def new_figure(base=None, **layout):
    """The one place that chooses how figures render.

    By default a plotly ``FigureWidget`` (``WidgetFigure``): JupyterLab, Notebook 7 and the
    classic Notebook draw it with plotly.js from plotly's own extension, so nothing is
    fetched; Colab draws it through its custom widget manager, which the lessons' setup
    cell turns on. After ``use_static()``: a ``StaticFigure``. A view's box holds
    ``*in_box(figure)``.
    """
    # base: a figure to start from (subplots), or None
    figure = (StaticFigure if _static else WidgetFigure)(base)
    figure.update_layout(template=TEMPLATE, **layout)
    return figure


# A caption a screen reader reads and the eye does not see: the figure's own title is SVG
# text, which gives the figure as a whole no name (the usual visually-hidden pattern).
HIDDEN = ("position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;"
          "clip:rect(0,0,0,0);white-space:nowrap;border:0")


def figure_caption(figure) -> W.HTML:
    """A heading that names ``figure`` for a screen reader (class ``rnnlab-figure-title``),
    kept equal to its title as the view retitles it."""
    caption = W.HTML().add_class("rnnlab-figure-title")

    def name(*_):
        title = figure.layout.title.text or "untitled figure"
        caption.value = (f'<div role="heading" aria-level="4" style="{HIDDEN}">'
                         f"Figure: {html.escape(title)}</div>")

    name()
    figure.layout.on_change(name, "title")  # "title" sees every way a title is set
    return caption


def in_box(figure) -> list:
    """What a view's box holds for ``figure``: its caption for screen readers and the
    figure, for a widget figure; nothing for a static one, which the view displays after
    its box (its HTML names itself, see ``plot_html``)."""
    return [figure_caption(figure), figure] if isinstance(figure, W.Widget) else []


class SeriesToggles:
    """One checkbox per series in a figure's legend: the keyboard's way to hide and show a
    series, which a legend offers to the mouse only. ``widget`` is the row to show;
    ``refresh()`` after the view adds, removes or renames traces. A series is known by its
    ``meta`` (or its name), so a renamed one keeps its box and its state."""

    def __init__(self, figure, label: str = "show"):
        self.figure = figure
        self.widget = W.HBox(layout=W.Layout(flex_flow="row wrap"))
        self.widget.add_class("rnnlab-series-toggles")
        self._label = W.HTML(f"<b>{html.escape(label)}:</b>")
        self._hidden: set[str] = set()  # the series the learner unticked
        self._boxes: dict[str, W.Checkbox] = {}
        self.refresh()

    @staticmethod
    def _key(trace) -> str:
        return trace.meta if isinstance(trace.meta, str) else trace.name

    def refresh(self) -> None:
        series = [t for t in self.figure.data
                  if t.name and t.showlegend is not False and t.visible is not False]
        keys = [self._key(t) for t in series]
        if keys != list(self._boxes):
            self._boxes = {}
            for key in keys:
                box = W.Checkbox(value=key not in self._hidden, indent=False,
                                 layout=W.Layout(width="auto"))
                box.observe(lambda change, key=key: self._toggle(key, change["new"]),
                            names="value")
                self._boxes[key] = box
            self.widget.children = [self._label, *self._boxes.values()]
        for trace, key in zip(series, keys):
            self._boxes[key].description = trace.name
            if key in self._hidden:
                trace.visible = "legendonly"

    def _toggle(self, key: str, shown: bool) -> None:
        (self._hidden.discard if shown else self._hidden.add)(key)
        for trace in self.figure.data:
            if self._key(trace) == key:
                trace.visible = True if shown else "legendonly"


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
        for value in vars(self).values():  # after use_static(): its figures, in order
            if isinstance(value, StaticFigure):
                value._ipython_display_()

    def _show_error(self, exc: BaseException) -> None:
        self.error = f"{type(exc).__name__}: {exc}"
        self._status.value = (
            f'<div role="alert" style="color:{PALETTE["error"]};font-weight:600">'
            f"{html.escape(self.error)}</div>"
        )

    def _clear_error(self) -> None:
        self.error = None
        self._status.value = ""

    @contextmanager
    def _errors_in_place(self, busy: str | None = None):
        """Run an update; a bad input is shown in the view, never as a dead callback.

        ``busy``: what the update computes, shown in the status line at once (the update
        runs a model or a probe, and the learner should not wonder whether the click took).
        """
        if busy:
            self._status.value = (f'<span style="color:{PALETTE["muted"]}">'
                                  f"{html.escape(busy)} ...</span>")
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - a view shows any failure in place
            self._show_error(exc)
        else:
            self._clear_error()
