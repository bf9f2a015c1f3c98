"""GradientFlow: how far back in time does the error signal reach?"""

from __future__ import annotations

import ipywidgets as W
import numpy as np

from rnnlab import corpus as corpus_lib
from rnnlab import pretrained, probes
from rnnlab.widgets._base import COLOURS, LABELS, View, in_box, new_figure

CHOICES = [("toy RNN (random weights)", "toy"), ("trained vanilla RNN", "rnn"),
           ("trained LSTM", "lstm"), ("trained RNN and LSTM", "both")]


def choices_for(models: dict | None) -> list[tuple[str, str]]:
    """The model choices a view can draw: the toy, and the trained kinds it has (both
    shipped ones when it loads them itself, ``models=None``)."""
    kinds = {"rnn", "lstm"} if models is None else set(models) & {"rnn", "lstm"}
    return [(label, choice) for label, choice in CHOICES
            if choice == "toy" or choice in kinds or (choice == "both" and len(kinds) == 2)]


def curve_label(name: str, norms: np.ndarray) -> str:
    """The legend entry: the ratio of step 1 to step T, or where the norm reached 0."""
    zero = np.flatnonzero(norms == 0)
    if zero.size:
        return f"{name} (0 in float64 up to step {zero[-1] + 1}: not drawn)"
    return f"{name} (step 1 / step {len(norms)}: {norms[0] / norms[-1]:.1e})"


def log_range(curves: list[np.ndarray]) -> list[float] | None:
    """The y range (log10 units) for ``curves``: plotly's own (None) unless they span
    under one decade; then two decades around them. A flat curve, such as the linear
    toy RNN at radius 1, would otherwise be stretched over float64 rounding noise, with
    ticks like 0.99999999999999989."""
    values = np.concatenate([c[c > 0] for c in curves]) if curves else np.array([])
    if values.size == 0:
        return None
    low, high = np.log10(values.min()), np.log10(values.max())
    if high - low >= 1:
        return None
    middle = (low + high) / 2
    return [middle - 1, middle + 1]


class GradientFlow(View):
    """Log-scale ||dL/dH_t|| over timesteps for a toy RNN or the trained models.

    ``models``: {"rnn": CharModel, "lstm": CharModel}, the shipped ones by default
    (loaded on first use). ``text``: what the trained models read, held-out text by
    default.
    """

    def __init__(self, models: dict | None = None, text: str | None = None,
                 choice: str = "toy", num_steps: int = 100):
        super().__init__()
        choices = choices_for(models)
        offered = [value for _, value in choices]
        if choice not in offered:
            raise ValueError(f"choice: expected one of {offered} for these models, "
                             f"got {choice!r}")
        self._models = models
        self._text = text
        self._num_steps = W.IntSlider(value=num_steps, min=5, max=400, step=5,
                                      description="steps T", continuous_update=False)
        self._radius = W.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.05,
                                     description="spectral radius", continuous_update=False,
                                     style={"description_width": "initial"})
        self._num_hiddens = W.IntSlider(value=64, min=8, max=256, step=8,
                                        description="hidden size", continuous_update=False)
        self._choice = W.Dropdown(options=choices, value=choice, description="model")
        self._activation = W.Dropdown(options=list(probes.ACTIVATIONS), value="tanh",
                                      description="activation")
        self.figure = new_figure(
            title="How much each step still matters to the loss at the last step",
            xaxis_title="timestep t",
            yaxis=dict(title="gradient norm ||dL/dH_t|| (log scale)", type="log",
                       exponentformat="power"),
            legend=dict(orientation="h", y=-0.2),
        )
        for kind in ("toy", "rnn", "lstm"):
            self.figure.add_scatter(
                x=[], y=[], mode="lines", meta=kind, visible=False,
                line=dict(color=COLOURS[kind], width=2.5),
                hovertemplate="t=%{x}<br>norm=%{y:.3e}<extra>%{meta}</extra>",
            )
        for control in (self._num_steps, self._radius, self._num_hiddens, self._choice,
                        self._activation):
            control.observe(self._on_change, names="value")
        self._box = W.VBox([
            W.HBox([self._choice, self._num_steps]),
            W.HBox([self._activation, self._radius, self._num_hiddens]),
            *in_box(self.figure), self._status,
        ])
        self.curves: dict[str, np.ndarray] = {}
        self.update()

    def _trained(self):
        if self._models is None:
            self._models = {kind: pretrained.load(kind) for kind in ("rnn", "lstm")}
        if self._text is None:
            self._text = corpus_lib.load().heldout_text(length=2000)
        return self._models, self._text

    def compute(self) -> dict[str, np.ndarray]:
        """The curves for the current control values (no drawing)."""
        choice = self._choice.value
        models, text = (None, None) if choice == "toy" else self._trained()
        return probes.gradient_flow(
            choice, self._num_steps.value, spectral_radius=self._radius.value,
            activation=self._activation.value, num_hiddens=self._num_hiddens.value,
            models=models, text=text,
        )

    def _on_change(self, change):
        self.update()

    def update(self):
        toy = self._choice.value == "toy"
        for control in (self._radius, self._activation, self._num_hiddens):
            control.disabled = not toy  # they only shape the toy RNN
        with self._errors_in_place(busy=f"computing the gradient over {self._num_steps.value} "
                                        "steps"):
            curves = self.compute()
            self.curves = curves
            with self.figure.batch_update():
                # timesteps are whole numbers: on a short axis plotly would tick 1.5, 2.5
                self.figure.layout.xaxis.dtick = 1 if self._num_steps.value <= 20 else None
                for trace in self.figure.data:
                    norms = curves.get(trace.meta)
                    trace.visible = norms is not None
                    if norms is None:
                        continue
                    trace.x = np.arange(1, len(norms) + 1)
                    # a log axis cannot show 0: such steps are left out and said, not drawn
                    # as a cliff (the probes work in float64, so this takes thousands of
                    # steps; the toy RNN can reach it with a small radius)
                    trace.y = np.where(norms > 0, norms, np.nan)
                    trace.name = curve_label(LABELS.get(trace.meta, "toy RNN"), norms)
                y_range = log_range(list(curves.values()))
                # on two decades plotly would label 2, 3, ... 9 too: decades are enough
                self.figure.layout.yaxis.update(range=y_range, autorange=y_range is None,
                                                dtick=None if y_range is None else 1)
