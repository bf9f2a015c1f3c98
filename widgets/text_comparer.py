"""TextComparer: both models generate from the same seed, under one temperature slider."""

from __future__ import annotations

import html

import ipywidgets as W
import numpy as np
from plotly.colors import sample_colorscale

from rnnlab import pretrained, sampling
from rnnlab.palette import ink_on
from rnnlab.widgets._base import (
    COLOURS, LABELS, View, character_spans, in_box, model_heading, new_figure, one_vocabulary,
)
from rnnlab.widgets.gate_viewer import shown_char

TOP_CHARS = 15  # bars in the next-character chart, at most
# a character drawn with less than this under every model gets no bar: at a low
# temperature nearly all the probability sits on one character, and the chart would fill
# with bars of height 0
SHOWN_PROBABILITY = 1e-3
SEED_SHOWN = 120  # the most of the seed a pane repeats before the generated text
# Sequential shading of each generated character by the probability it was drawn with:
# pale = a surprising choice, strong = a confident one.
PROBABILITY_SCALE = "Blues"
# each model's bars carry a pattern too, so that they differ by more than colour
BAR_PATTERNS = {"lstm": "", "rnn": "/", "rnn-matched": "x"}


def shading_colour(probability: float) -> str:
    """The background of a generated character drawn with ``probability``."""
    return sample_colorscale(PROBABILITY_SCALE, [0.1 + 0.6 * float(probability)])[0]


def shading_key() -> str:
    """HTML: what the shading means, with swatches at p = 0, 0.5 and 1."""
    swatches = "".join(
        f'<span style="background:{shading_colour(p)};color:{ink_on(shading_colour(p))};'
        f'padding:0 0.4em;font-family:monospace">p = {p:g}</span> '
        for p in (0.0, 0.5, 1.0))
    return (f"<small>The seed in bold, then the generated text. Each generated character is "
            f"shaded by the probability the model gave it when it was drawn: "
            f"{swatches}(hover a character for its number).</small>")


def shaded_text(seed: str, generated: str, chosen_probs: np.ndarray) -> str:
    """HTML: the seed in bold, then each generated character shaded by its probability."""
    colours = [shading_colour(p) for p in chosen_probs]
    # a long seed would push the generated text out of the pane: its end is enough
    shown = seed if len(seed) <= SEED_SHOWN else "…" + seed[-SEED_SHOWN:]
    return character_spans(
        generated, colours, [f"p = {p:.3f}" for p in chosen_probs],
        prefix=f"<b>{html.escape(shown)}</b>",
    )


def top_characters(distributions: dict[str, np.ndarray], chars: str, k: int = TOP_CHARS):
    """Indices of the ``k`` characters most likely under any model, most likely first,
    leaving out those below SHOWN_PROBABILITY under every model."""
    best = np.max(np.stack(list(distributions.values())), axis=0)  # (vocab_size,)
    order = np.argsort(-best, kind="stable")[:k]
    return order[best[order] >= SHOWN_PROBABILITY]


class TextComparer(View):
    """RNN and LSTM text side by side, and their next-character distributions."""

    def __init__(self, models: dict | None = None, seed_text: str = "ROMEO.\n",
                 length: int = 300, temperature: float = 0.8, rng_seed: int = 0):
        super().__init__()
        self._models = models or pretrained.pair()
        self._vocab = one_vocabulary(self._models)
        self._temperature = W.FloatSlider(value=temperature, min=0.0, max=2.0, step=0.05,
                                          description="temperature", continuous_update=False,
                                          readout_format=".2f",
                                          style={"description_width": "initial"})
        self._seed = W.Textarea(value=seed_text, description="seed text",
                                layout=W.Layout(width="32em", height="4em"))
        self._length = W.IntSlider(value=length, min=10, max=1000, step=10,
                                   description="length", continuous_update=False)
        self._rng_seed = W.IntText(value=rng_seed, description="rng seed",
                                   layout=W.Layout(width="12em"))
        self._generate = W.Button(description="Generate", button_style="primary",
                                  icon="play")
        self._panes = {kind: W.HTML().add_class("rnnlab-sample") for kind in self._models}
        self.figure = new_figure(
            title=("Next character after the seed, at this temperature "
                   f"(p >= {SHOWN_PROBABILITY:g})"),
            barmode="group", height=340,
            xaxis=dict(title="character (⏎ newline, ␣ space)", type="category"),
            yaxis=dict(title="probability", rangemode="tozero"),
        )
        for kind in self._models:
            self.figure.add_bar(x=[], y=[], name=LABELS[kind], meta=kind,
                                marker=dict(color=COLOURS[kind],
                                            pattern=dict(shape=BAR_PATTERNS.get(kind, ""))),
                                hovertemplate="'%{x}': %{y:.3f}<extra>%{meta}</extra>")
        self._pending = W.HTML().add_class("rnnlab-pending")
        self._seed.observe(self._on_seed, names="value")
        self._rng_seed.observe(self._on_seed, names="value")
        self._temperature.observe(self._on_change, names="value")
        self._length.observe(self._on_change, names="value")
        self._generate.on_click(lambda button: self.update())
        columns = [
            W.VBox([W.HTML(model_heading(kind)), pane],
                   layout=W.Layout(width="50%", padding="0 8px"))
            for kind, pane in self._panes.items()
        ]
        self._box = W.VBox([
            W.HBox([self._seed, W.VBox([self._temperature, self._length])]),
            W.HBox([self._rng_seed, self._generate, self._pending]), self._status,
            W.HTML(shading_key()), W.HBox(columns), *in_box(self.figure),
        ])
        self.samples: dict[str, sampling.Sample] = {}
        self._drawn_with = None  # (seed text, rng seed) of the text shown
        self.distributions: dict[str, np.ndarray] = {}
        self.update()

    def compute(self):
        """(samples, next-character distributions) for the current controls."""
        seed, temperature = self._seed.value, self._temperature.value
        self._vocab = one_vocabulary(self._models)  # a model swapped in since must fit too
        samples = {
            kind: sampling.sample(model, seed, self._length.value, temperature,
                                  rng=int(self._rng_seed.value))
            for kind, model in self._models.items()
        }
        # the first character is drawn from next_char_probs(model, seed, temperature)
        distributions = {kind: s.probs[0] for kind, s in samples.items()}
        return samples, distributions

    def _on_change(self, change):
        self.update()

    def _on_seed(self, change):
        """Typing does not regenerate (a sample per key press would be slow); say that
        the new seed text or rng seed waits, or at once why it cannot be used."""
        with self._errors_in_place():
            try:
                self._vocab.encode(self._seed.value)  # raises, naming the unknown characters
            except ValueError:
                self._clear_samples()  # text from another seed would read as this one's
                raise
        waiting = (self._seed.value, self._rng_seed.value) != self._drawn_with
        self._pending.value = ("<i>new seed: <b>Generate</b> (or any slider) uses it</i>"
                               if waiting and self.error is None else "")

    def _clear_samples(self):
        self.samples, self.distributions, self._drawn_with = {}, {}, None
        for pane in self._panes.values():
            pane.value = "<i>no sample: the seed text cannot be used (see the message above)</i>"
        with self.figure.batch_update():
            for bar in self.figure.data:
                bar.x, bar.y = [], []

    def update(self):
        with self._errors_in_place(busy=f"generating {self._length.value} characters "
                                        "with each model"):
            try:
                samples, distributions = self.compute()
            except ValueError:
                self._clear_samples()
                raise
            self.samples, self.distributions = samples, distributions
            self._drawn_with = (self._seed.value, self._rng_seed.value)
            for kind, s in samples.items():
                self._panes[kind].value = shaded_text(s.seed, s.generated, s.chosen_probs)
            chars = self._vocab.chars
            top = top_characters(distributions, chars)
            with self.figure.batch_update():
                for bar in self.figure.data:
                    bar.x = [shown_char(chars[i]) for i in top]
                    bar.y = distributions[bar.meta][top]
            self._pending.value = ""
