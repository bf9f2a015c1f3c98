"""ConnectivityView: which earlier characters a prediction still depends on, per model."""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from plotly.colors import sample_colorscale

from rnnlab import corpus as corpus_lib
from rnnlab import gradient_probes, pretrained
from rnnlab.palette import PALETTE, ink_on
from rnnlab.widgets._base import COLOURS, LABELS, View, in_box, model_heading, new_figure
from rnnlab.widgets.theme import MODEL_DASHES

DECADES = 8  # the shading spans 1e-8 .. 1 of the largest gradient in the window
SHADES = "Purples"  # not a model's colour: it means "how much", for both panes
MAX_CHARS = 400  # the longest text: one gradient per model and target stays quick


def relative_levels(norms: np.ndarray) -> np.ndarray:
    """Each norm against the largest, on a log scale: 1.0 for the largest, 0.0 for
    ``DECADES`` orders of magnitude below it or less, shape as ``norms``."""
    relative = norms / norms.max()
    with np.errstate(divide="ignore"):
        return np.clip(1.0 + np.log10(relative) / DECADES, 0.0, 1.0)


def shaded_history(text: str, target: int, norms: np.ndarray) -> str:
    """HTML: ``text[:target]`` shaded by ``norms`` (one per character), then the character
    being predicted, boxed, then the rest of the text in grey."""
    levels = relative_levels(norms)
    colours = sample_colorscale(SHADES, list(0.05 + 0.9 * levels))
    spans = []
    for t, (ch, colour, norm) in enumerate(zip(text[:target], colours, norms)):
        shown = "⏎<br>" if ch == "\n" else html.escape(ch)
        ink = ink_on(colour)  # black or white, whichever reads on this shade
        back = target - t
        spans.append(f'<span style="background:{colour};color:{ink}" title="{back} back: '
                     f'{norm / norms.max():.1e} of the largest">{shown}</span>')
    predicted = html.escape(text[target]) if text[target] != "\n" else "⏎"
    spans.append(f'<span style="outline:2px solid {PALETTE["edge"]};font-weight:700" '
                 f'title="the character predicted">{predicted}</span>')
    rest = html.escape(text[target + 1:]).replace("\n", "⏎<br>")
    spans.append(f'<span style="color:{PALETTE["muted"]}">{rest}</span>')
    return ('<div style="font-family:monospace;font-size:14px;line-height:1.6;'
            'white-space:pre-wrap">' + "".join(spans) + "</div>")


class ConnectivityView(View):
    """Held-out text with each character before the predicted one shaded by
    ||dL_T/dx_t||, how much it moves that prediction, relative to the largest, on a log
    scale ("connectivity", Madsen 2019, "Visualizing memorization in RNNs", Distill).
    One pane per model, the vanilla RNN above the LSTM; a slider picks the character
    predicted, and a chart draws the same numbers against steps back.
    """

    def __init__(self, models: dict | None = None, text: str | None = None,
                 target: int | None = None):
        super().__init__()
        self._models = models or pretrained.pair()
        if text is None:
            text = corpus_lib.load().heldout_text(length=240)
        if not 2 <= len(text) <= MAX_CHARS:
            raise ValueError(f"text: expected 2 to {MAX_CHARS} characters, got {len(text)}")
        for model in self._models.values():
            model.vocab.encode(text)  # raises, naming any character the models never saw
        self.text = text
        last = len(text) - 1
        self._target = W.IntSlider(value=last if target is None else target, min=1, max=last,
                                   description="predict char", continuous_update=False,
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="40em"))
        self._panes = {kind: W.HTML().add_class("rnnlab-connectivity") for kind in self._models}
        self.figure = new_figure(
            title="How much each earlier character moves the prediction",
            xaxis_title="characters back from the one predicted",
            yaxis=dict(title="||dL/dx_t|| / largest (log scale)", type="log",
                       exponentformat="power", range=[-DECADES, 0.2]),
            legend=dict(orientation="h", y=-0.25), height=340,
        )
        for kind in self._models:
            self.figure.add_scatter(x=[], y=[], mode="lines", name=LABELS[kind], meta=kind,
                                    line=dict(color=COLOURS[kind], width=2.5,
                                              dash=MODEL_DASHES[kind]),
                                    hovertemplate="%{x} back: %{y:.1e}<extra>%{meta}</extra>")
        self._target.observe(lambda change: self.update(), names="value")
        rows = [W.VBox([W.HTML(model_heading(kind)), pane])
                for kind, pane in self._panes.items()]
        self._box = W.VBox([
            self._target,
            W.HTML("<small>Darker: that character moves the prediction more (a log scale "
                   f"over {DECADES} orders of magnitude). Hover a character for its "
                   "number.</small>"),
            self._status, *rows, *in_box(self.figure),
        ])
        self._cache: dict[tuple[str, int], np.ndarray] = {}
        self.norms: dict[str, np.ndarray] = {}  # kind -> (target,) norms, oldest first
        self.update()

    def compute(self, target: int) -> dict[str, np.ndarray]:
        """||dL_T/dx_t|| for t = 1..target, predicting ``text[target]``, per model."""
        found = {}
        for kind, model in self._models.items():
            if (kind, target) not in self._cache:
                ids = model.vocab.encode(self.text[:target + 1])
                self._cache[kind, target] = gradient_probes.window_gradients(model, ids)["x"][0]
            found[kind] = self._cache[kind, target]
        return found

    def update(self):
        target = self._target.value
        with self._errors_in_place(busy="computing both models' gradients"):
            norms = self.compute(target)
            self.norms = norms
            for kind, pane in self._panes.items():
                pane.value = shaded_history(self.text, target, norms[kind])
            with self.figure.batch_update():
                for trace in self.figure.data:
                    values = norms[trace.meta]
                    trace.x = np.arange(len(values), 0, -1)  # 1: the character just before
                    trace.y = values / values.max()
