"""GradientFlow: how far back in time does the error signal reach?"""

from __future__ import annotations

import math

import ipywidgets as W
import numpy as np

from rnnlab import corpus as corpus_lib
from rnnlab import checks, gradient_probes, pretrained
from rnnlab.models import KINDS
from rnnlab.palette import PALETTE
from rnnlab.errors import VocabularyMismatchError
from rnnlab.widgets._base import COLOURS, LABELS, View, in_box, new_figure
from rnnlab.widgets.theme import MODEL_DASHES

# the shipped models are trained or at initialisation, as the weights list says
CHOICES = [("toy RNN (random weights)", "toy"), ("vanilla RNN", "rnn"),
           ("LSTM", "lstm"), ("RNN and LSTM", "both")]
QUANTITY_CHOICES = [("hidden state H", "H"), ("cell state C (LSTM)", "C"),
                    ("input character x", "x")]
WEIGHTS = [("trained", "trained"), ("at initialisation", "initial")]
MAX_STEPS = 400  # the slider's end: windows are this long, and every T is a slice of them


def choices_for(models: dict | None) -> list[tuple[str, str]]:
    """The model choices a view can draw: the toy, and the trained kinds it has (both
    shipped ones when it loads them itself, ``models=None``)."""
    kinds = set(KINDS) if models is None else set(models) & set(KINDS)
    return [(label, choice) for label, choice in CHOICES
            if choice == "toy" or choice in kinds or (choice == "both" and len(kinds) == 2)]


def curve_label(name: str, curve: np.ndarray) -> str:
    """The legend entry: how much is left ``len(curve) - 1`` steps back (``curve`` runs
    from the last step, 1.0, backwards), or where the norm reached 0."""
    zero = np.flatnonzero(curve == 0)
    if zero.size:
        return f"{name} (0 in float64 from {zero[0]} steps back: not drawn)"
    return f"{name} ({len(curve) - 1} steps back: {curve[-1]:.1e})"


def log_span(curves: list[np.ndarray]) -> tuple[float, float] | None:
    """The lowest and highest positive value of ``curves`` in log10 units; None if none."""
    values = np.concatenate([c[c > 0] for c in curves]) if curves else np.array([])
    return (np.log10(values.min()), np.log10(values.max())) if values.size else None


def log_range(curves: list[np.ndarray]) -> list[float] | None:
    """The y range (log10 units) for ``curves``: plotly's own (None) unless they span
    under one decade; then two decades around them. A flat curve, such as the linear
    toy RNN at radius 1, would otherwise be stretched over float64 rounding noise, with
    ticks like 0.99999999999999989."""
    span = log_span(curves)
    if span is None or span[1] - span[0] >= 1:
        return None
    middle = (span[0] + span[1]) / 2
    return [middle - 1, middle + 1]


class GradientFlow(View):
    """How much of the error signal at the last step is left k steps back, log scale.

    The toy RNN draws one curve. A trained model draws the median over ``windows``
    held-out windows and a band from the 10th to the 90th percentile, each window's
    gradient taken relative to its own last step; ``quantity`` picks the gradient with
    respect to the hidden state H, the LSTM's cell state C or the input character x, and
    ``weights`` the trained model or the same architecture at initialisation.

    ``models``: {"rnn": CharModel, "lstm": CharModel}, the shipped ones by default
    (loaded on first use). ``corpus``: where the held-out windows come from (the course's
    corpus by default).
    """

    def __init__(self, models: dict | None = None, choice: str = "toy",
                 num_steps: int = 100, windows: int = 32, corpus=None, seed: int = 0):
        super().__init__()
        choices = choices_for(models)
        offered = [value for _, value in choices]
        if choice not in offered:
            raise ValueError(f"choice: expected one of {offered} for these models, "
                             f"got {choice!r}")
        windows = checks.whole("windows", windows, minimum=2)  # a band needs several
        self._models, self._corpus = models, corpus
        self.windows, self.seed = windows, seed
        self._num_steps = W.IntSlider(value=num_steps, min=5, max=MAX_STEPS, step=5,
                                      description="steps T", continuous_update=False)
        self._radius = W.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05,
                                     description="spectral radius", continuous_update=False,
                                     style={"description_width": "initial"})
        self._num_hiddens = W.IntSlider(value=64, min=8, max=256, step=8,
                                        description="hidden size", continuous_update=False)
        self._choice = W.Dropdown(options=choices, value=choice, description="model")
        self._activation = W.Dropdown(options=list(gradient_probes.ACTIVATIONS), value="tanh",
                                      description="activation")
        self._quantity = W.Dropdown(options=QUANTITY_CHOICES, value="H",
                                    description="gradient of")
        # a list, not toggle buttons: in JupyterLab a focused button's keys (space, Enter)
        # go to the notebook, and a learner on the keyboard could not press it
        self._weights = W.Dropdown(options=WEIGHTS, value="trained", description="weights")
        self.figure = new_figure(
            title="How much of the error signal is left, k steps back",
            xaxis_title="steps back k (0: the last step, whose prediction is scored)",
            yaxis=dict(title="gradient norm / at k = 0 (log)", type="log",
                       exponentformat="power"),
            legend=dict(orientation="h", y=-0.3), height=440,
        )
        for kind in ("toy", "rnn", "lstm"):
            # the band: its upper edge, then its lower edge filled up to it
            for edge in ("high", "low"):
                self.figure.add_scatter(
                    x=[], y=[], mode="lines", meta=f"{kind}/{edge}", visible=False,
                    line=dict(width=0, color=COLOURS[kind]), hoverinfo="skip",
                    # the band is named with its median (one legend entry per model)
                    fill="tonexty" if edge == "low" else None, showlegend=False,
                    legendgroup=kind,
                    fillcolor=_translucent(COLOURS[kind]),
                    name=f"{LABELS.get(kind, kind)}: 10-90% of windows",
                )
            self.figure.add_scatter(
                x=[], y=[], mode="lines", meta=kind, visible=False, legendgroup=kind,
                line=dict(color=COLOURS[kind], width=2.5, dash=MODEL_DASHES[kind]),
                hovertemplate="%{x} back: %{y:.2e}<extra>%{meta}</extra>",
            )
        for control in (self._num_steps, self._radius, self._num_hiddens, self._choice,
                        self._activation, self._quantity, self._weights):
            control.observe(self._on_change, names="value")
        # the controls of the trained models and of the toy: only one row is shown, so
        # that no control that does nothing stays on screen (a disabled control still looks
        # selected)
        self._trained_row = W.HBox([self._quantity, self._weights])
        self._toy_row = W.HBox([self._activation, self._radius, self._num_hiddens])
        self._box = W.VBox([
            W.HBox([self._choice, self._num_steps]), self._trained_row, self._toy_row,
            *in_box(self.figure), self._status,
        ])
        self._offer_quantities()
        # (kind, weights) -> (the model measured, its window gradients by quantity)
        self._norms: dict[tuple[str, str], tuple[object, dict[str, np.ndarray]]] = {}
        self.curves: dict[str, np.ndarray] = {}  # kind -> median, from k = 0 backwards
        self.bands: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # kind -> (low, high)
        self.update()

    def _trained_models(self) -> dict:
        if self._models is None:
            self._models = pretrained.pair()
        return self._models

    def _window_norms(self, kind: str, weights: str) -> dict[str, np.ndarray]:
        """{quantity: (windows, MAX_STEPS)} for one model and weight set, computed once per
        model: a model swapped into the dict since is measured afresh."""
        model = self._trained_models()[kind]
        cached = self._norms.get((kind, weights))
        if cached is None or cached[0] is not model:
            corpus = self._corpus or corpus_lib.load()
            self._corpus = corpus
            if model.vocab != corpus.vocab:
                raise VocabularyMismatchError(
                    f"models[{kind!r}]: reads a vocabulary of {len(model.vocab)} characters, "
                    f"not the {len(corpus.vocab)} of the corpus whose held-out windows it "
                    "would be fed; expected corpus= the corpus it was trained on")
            probed = gradient_probes.at_initialisation(model) if weights == "initial" else model
            ids = corpus.heldout_windows(self.windows, MAX_STEPS, seed=self.seed)
            self._norms[kind, weights] = model, gradient_probes.window_gradients(probed, ids)
        return self._norms[kind, weights][1]

    def compute(self) -> tuple[dict, dict]:
        """(medians, bands) for the current controls: {kind: (T,)}, {kind: (low, high)},
        each from k = 0 (1.0) to k = T - 1 steps back."""
        choice, T = self._choice.value, self._num_steps.value
        if choice == "toy":
            toy = gradient_probes.toy_gradient_norms(T, self._radius.value, self._activation.value,
                                            self._num_hiddens.value)
            return {"toy": toy[::-1]}, {}
        medians, bands = {}, {}
        for kind in self._chosen_kinds():
            norms = self._window_norms(kind, self._weights.value).get(self._quantity.value)
            if norms is None:
                continue  # the vanilla RNN has no cell state: drawn for the LSTM only
            # the last T steps of each window: the loss at its end, T steps back
            band = gradient_probes.gradient_band(norms[:, -T:])
            medians[kind] = band["median"][::-1]
            bands[kind] = (band["low"][::-1], band["high"][::-1])
        return medians, bands

    def _chosen_kinds(self) -> tuple[str, ...]:
        choice = self._choice.value
        return () if choice == "toy" else pretrained.KINDS if choice == "both" else (choice,)

    def _on_change(self, change):
        if change["owner"] is self._choice:
            self._offer_quantities()
        self.update()

    def _offer_quantities(self):
        """The cell state only when an LSTM is drawn: the vanilla RNN has none."""
        lstm = self._choice.value in ("lstm", "both")
        options = [(label, q) for label, q in QUANTITY_CHOICES if q != "C" or lstm]
        if [q for _, q in options] != [q for _, q in self._quantity.options]:
            keep = self._quantity.value if any(q == self._quantity.value
                                               for _, q in options) else "H"
            with self._quantity.hold_trait_notifications():
                self._quantity.unobserve(self._on_change, names="value")
                self._quantity.options = options
                self._quantity.value = keep
                self._quantity.observe(self._on_change, names="value")

    def update(self):
        toy = self._choice.value == "toy"
        for control in (self._radius, self._activation, self._num_hiddens):
            control.disabled = not toy  # they only shape the toy RNN
        for control in (self._quantity, self._weights):
            control.disabled = toy  # they only apply to the trained models
        self._toy_row.layout.display = None if toy else "none"
        self._trained_row.layout.display = "none" if toy else None
        computing = (f"computing the gradient over {self._num_steps.value} steps" if toy
                     else f"computing gradients over {self.windows} held-out windows")
        with self._errors_in_place(busy=computing):
            medians, bands = self.compute()
            self.curves, self.bands = medians, bands
            with self.figure.batch_update():
                self._draw(medians, bands)
            self._name_traces(medians, bands)

    def _draw(self, medians: dict, bands: dict) -> None:
        T = self._num_steps.value
        # steps back are whole numbers: on a short axis plotly would tick 1.5, 2.5
        self.figure.layout.xaxis.dtick = 1 if T <= 20 else None
        quantity = "H" if self._choice.value == "toy" else self._quantity.value
        self.figure.layout.title.text = (
            f"How much of the error signal is left, k steps back: ||dL_T/d{quantity}_(T-k)||")
        k = np.arange(T)
        for trace in self.figure.data:
            kind, _, edge = trace.meta.partition("/")
            curve = medians.get(kind)
            shown = curve is not None and (not edge or kind in bands)
            trace.visible = shown  # inside batch_update, reading it back gives the old value
            if not shown:
                continue
            values = curve if not edge else bands[kind][0 if edge == "low" else 1]
            trace.x = k
            # a log axis cannot show 0: such steps are left out and said, not drawn as a
            # cliff (the probes work in float64; the toy RNN can reach 0 at a small radius)
            trace.y = np.where(values > 0, values, np.nan)
        # a model the choice names but the quantity leaves out is said on the figure
        left_out = [LABELS[kind] for kind in self._chosen_kinds() if kind not in medians]
        self.figure.layout.annotations = [dict(
            text=f"{' and '.join(left_out)}: not drawn, it has no cell state C",
            xref="paper", yref="paper", x=0.99, y=0.99, xanchor="right", yanchor="top",
            showarrow=False, font=dict(color=PALETTE["text"]), bgcolor=PALETTE["panel"])
        ] if left_out else []
        drawn = list(medians.values()) + [edge for pair in bands.values() for edge in pair]
        y_range = log_range(drawn)
        # on two decades plotly would label 2, 3, ... 9 too: decades are enough; on a long
        # fall plotly labels every decade, and 20 labels run together: every second or
        # third decade then, at most 12 labels
        span = log_span(drawn)
        decades = 0 if span is None else span[1] - span[0]
        self.figure.layout.yaxis.update(range=y_range, autorange=y_range is None,
                                        dtick=max(1, math.ceil(decades / 12)))


    def _name_traces(self, medians: dict, bands: dict) -> None:
        """Each drawn trace's legend name, set one trace at a time, outside batch_update:
        inside it plotly sends the names as one list over every trace updated, with a
        hole for each trace not renamed, and the browser shows such a trace as "trace 4"."""
        for trace in self.figure.data:
            kind, _, edge = trace.meta.partition("/")
            if kind not in medians or (edge and kind not in bands):
                continue
            if edge:
                when = " at initialisation" if self._weights.value == "initial" else ""
                trace.name = f"{LABELS.get(kind, kind)}{when}: 10-90% of windows"
                continue
            name = LABELS.get(kind, "toy RNN")
            if kind in bands:
                if self._weights.value == "initial":
                    name += " at initialisation"
                name += f", median and 10-90% band of {self.windows} windows"
            trace.name = curve_label(name, medians[kind])


def _translucent(colour: str, alpha: float = 0.2) -> str:
    """``#RRGGBB`` as an rgba() string with ``alpha``: the band under a median line."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
