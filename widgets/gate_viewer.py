"""GateViewer: the LSTM's gates and states over real text, unit by unit."""

from __future__ import annotations

import ipywidgets as W
import numpy as np
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from rnnlab import corpus as corpus_lib
from rnnlab import cells, pretrained, units
from rnnlab.palette import PALETTE
from rnnlab.widgets._base import (
    COLOURS, DIVERGING, LABELS, View, character_spans, in_box, new_figure,
)

GATES = [("input gate I", "I"), ("forget gate F", "F"), ("output gate O", "O"),
         ("cell state C", "C"), ("hidden state H", "H")]
MAX_CHARS = 600  # longest text the viewer takes
WINDOW = 80  # characters the heatmap shows at once: each one stays readable
MAX_ROWS = 10
NO_SUGGESTION = -1
# colour and marker of each tanh output in the saturation figure, as in the diagrams
SATURATION_STYLES = {"H": (COLOURS["rnn"], "circle"),
                     "C_tilde": (PALETTE["candidate"], "diamond"),
                     "tanh(C)": (PALETTE["cell_state"], "square")}
TICK_SIZE = 14  # the heatmap's character labels: one readable character per column


def last_start(length: int) -> int:
    """The last first character the heatmap can start from and still show a full
    window (a start near the end would draw one lonely column)."""
    return max(0, length - WINDOW)


def shown_char(ch: str) -> str:
    return {"\n": "⏎", " ": "␣", "\t": "⇥"}.get(ch, ch)


def value_range(gate: str, values: np.ndarray) -> tuple[float, float]:
    """Colour range: gates are in [0, 1] around 0.5; H in [-1, 1]; C symmetric about 0,
    as wide as the largest of ``values`` (pass the units shown: a few cells of C reach
    +-50, and a range set by them washes every other unit out to white)."""
    if gate in ("I", "F", "O"):
        return 0.0, 1.0
    if gate == "H":
        return -1.0, 1.0
    limit = float(np.abs(values).max()) or 1.0
    return -limit, limit


def coloured_text(text: str, values: np.ndarray, low: float, high: float) -> str:
    """HTML of ``text`` with each character's background set by its value."""
    positions = np.clip((values - low) / (high - low), 0.0, 1.0)
    colours = sample_colorscale(DIVERGING, list(positions))
    return character_spans(text, colours, [f"{v:+.3f}" for v in values])


class GateViewer(View):
    """Heatmap of a gate over characters, the text coloured by one unit, and saturation.

    ``models``: {"rnn": ..., "lstm": ...}, the shipped ones by default. ``text``: a
    passage of held-out text by default. ``pick_on``: another passage to pick the
    suggested units on (default: the text shown); a unit picked and shown on the same
    text looks better than it is (lesson 5), so a figure that quotes a correlation picks
    on one passage and shows another.
    """

    def __init__(self, models: dict | None = None, text: str | None = None,
                 pick_on: str | None = None):
        super().__init__()
        self._pick_on = pick_on
        self._models = models or pretrained.pair()
        if "lstm" not in self._models or set(self._models) - set(pretrained.KINDS):
            raise ValueError(f"models: expected an 'lstm' (and optionally an 'rnn') model, "
                             f"got {sorted(self._models)}")
        lstm = self._models["lstm"]
        if text is None:
            text = corpus_lib.load().heldout_text(length=300)
        self._text = W.Textarea(value=text, description="text",
                                placeholder=f"paste or type up to {MAX_CHARS} characters",
                                layout=W.Layout(width="100%", height="7em"),
                                continuous_update=False)
        self._text_note = W.HTML(
            f"<small>Any text of 2 to {MAX_CHARS} characters the models know; "
            "it is read when you leave the box.</small>")
        # opens on the cell state, the LSTM's memory, which lesson 5 reads first
        self._gate = W.Dropdown(options=GATES, value="C", description="show")
        self._unit = W.IntSlider(value=0, min=0, max=lstm.config.num_hiddens - 1,
                                 description="unit", continuous_update=False)
        self._suggested = W.Dropdown(options=[("pick a unit find_cells suggests", NO_SUGGESTION)],
                                     value=NO_SUGGESTION, description="suggested",
                                     layout=W.Layout(width="28em"))
        self._start = W.IntSlider(value=0, min=0, max=last_start(len(text)), step=10,
                                  description="from char", continuous_update=False)
        self.heatmap = new_figure(height=330, xaxis=dict(title="character", tickangle=0),
                                  yaxis=dict(title="unit", type="category",
                                             autorange="reversed"))  # chosen unit on top
        self.heatmap.add_heatmap(z=[[0]], colorscale=DIVERGING, colorbar=dict(title="value"))
        self.saturation_figure = self._saturation_figure()
        self._coloured = W.HTML()
        self._text.observe(self._on_text, names="value")
        self._gate.observe(self._on_gate, names="value")
        self._unit.observe(self._on_unit, names="value")
        self._start.observe(self._on_view, names="value")
        self._suggested.observe(self._on_suggested, names="value")
        self._box = W.VBox([
            self._text, self._text_note,
            W.HBox([self._gate, self._unit, self._suggested]), self._status,
            self._start, *in_box(self.heatmap),
            W.HTML("<b>The text, coloured by the chosen unit</b> "
                   "(blue low, red high; hover for the value)"),
            self._coloured, *in_box(self.saturation_figure),
        ])
        self.traces = {}
        self.cells_found = {}
        self._on_text(None)
        if len(self._suggested.options) > 1:
            self._suggested.value = self._suggested.options[1][1]  # start on a telling unit

    def _saturation_figure(self):
        low, high = units.SATURATION_THRESHOLDS["tanh"]
        figure = new_figure(
            make_subplots(rows=1, cols=2, subplot_titles=(
                f"{LABELS['rnn']}: H", f"{LABELS['lstm']}: candidate C~ and tanh(C)")),
            # like with like: every value here left a tanh, as in lesson 5
            title=f"How often each tanh unit is saturated (beyond ±{high:g})",
            margin=dict(l=60, r=20, t=80, b=50), legend=dict(orientation="h", y=-0.3),
        )
        for name, meta, col in (("RNN H", "H", 1), ("LSTM C~", "C_tilde", 2),
                                ("LSTM tanh(C)", "tanh(C)", 2)):
            colour, symbol = SATURATION_STYLES[meta]
            figure.add_scatter(x=[], y=[], mode="markers", name=name, meta=meta,
                               # opaque (a paler marker falls under 3:1 on white), a
                               # white rim keeps overlapping units apart
                               marker=dict(color=colour, symbol=symbol, size=7,
                                           line=dict(color=PALETTE["background"], width=0.5)),
                               row=1, col=col)
        for col in (1, 2):
            figure.update_xaxes(title_text=f"fraction of time below {low:g}", range=[0, 1],
                                row=1, col=col)
            figure.update_yaxes(title_text=f"fraction of time above {high:g}", range=[0, 1],
                                row=1, col=col)
        return figure

    def rows(self) -> list[int]:
        """Units shown in the heatmap: the chosen one first, then the suggested ones."""
        rows = [self._unit.value]
        for found in self.cells_found.values():
            for unit, _ in found[:2]:
                if unit not in rows:
                    rows.append(unit)
        return rows[:MAX_ROWS]

    def _on_text(self, change):
        # Until a text works, the figures show nothing rather than the last good text, and
        # the other controls leave the error in place (they have no traces to draw).
        self.traces = {}
        with self._errors_in_place(busy="running both models over the text"):
            try:
                text = self._text.value
                if not 2 <= len(text) <= MAX_CHARS:
                    raise ValueError(f"text: expected 2 to {MAX_CHARS} characters, "
                                     f"got {len(text)}")
                self.traces = {kind: cells.unroll(model, text)
                               for kind, model in self._models.items()}
                self._suggest()
                self._start.max = last_start(len(text))
                self._draw_saturation()
                self._draw_unit()
            except Exception:
                self.traces = {}
                self._blank()
                raise

    def _suggest(self):
        """Offer the units of the quantity shown whose values follow a text feature."""
        gate = self._gate.value
        lstm = self._models["lstm"]
        picking = (self.traces["lstm"] if self._pick_on is None
                   else cells.unroll(lstm, self._pick_on))
        self.cells_found = units.find_cells(lstm, picking.text, top=3, state=gate,
                                             trace=picking)
        where = "on the text shown" if self._pick_on is None else "where picked"
        self._suggested.options = [("pick a unit find_cells suggests", NO_SUGGESTION)] + [
            (f"unit {u}: {feature} (r = {r:+.2f} in {gate}, {where})", u)
            for feature, found in self.cells_found.items() for u, r in found[:2]
        ]
        self._show_unit_in_suggestions()

    def _show_unit_in_suggestions(self):
        """The dropdown names the unit shown when it is one of the suggestions."""
        offered = {value for _, value in self._suggested.options}
        unit = self._unit.value
        self._suggested.value = unit if unit in offered else NO_SUGGESTION

    def _on_unit(self, change):
        self._show_unit_in_suggestions()
        self._on_view(change)

    def _on_gate(self, change):
        """Another quantity: its own suggestions, the chosen unit kept."""
        if self.traces:
            with self._errors_in_place():
                self._suggest()
                self._draw_unit()

    def _on_view(self, change):
        if self.traces:
            with self._errors_in_place():
                self._draw_unit()

    def _on_suggested(self, change):
        if change["new"] != NO_SUGGESTION:
            self._unit.value = change["new"]

    def values(self, gate: str | None = None) -> np.ndarray:
        """The LSTM's (T, units) values of ``gate`` (default: the one shown)."""
        return getattr(self.traces["lstm"], gate or self._gate.value)

    def _draw_unit(self):
        gate = self._gate.value
        values = self.values(gate)  # (T, units)
        text = self.traces["lstm"].text
        rows = self.rows()
        low, high = value_range(gate, values[:, rows])
        start = min(self._start.value, last_start(len(text)))
        shown = slice(start, start + WINDOW)
        z = values[shown, rows].T  # (rows, up to WINDOW)
        t = list(range(len(text)))[shown]
        chars = [shown_char(ch) for ch in text[shown]]
        with self.heatmap.batch_update():
            heat = self.heatmap.data[0]
            heat.showscale = True
            self.heatmap.layout.xaxis.visible = self.heatmap.layout.yaxis.visible = True
            self.heatmap.layout.annotations = []
            heat.z = z
            heat.x = t
            heat.y = [f"unit {u}" for u in rows]
            heat.zmin, heat.zmax = low, high
            heat.customdata = np.tile(np.array(chars, dtype=object), (len(rows), 1))
            heat.hovertemplate = ("'%{customdata}' at t=%{x}<br>%{y}: %{z:.3f}"
                                  "<extra>" + gate + "</extra>")
            self.heatmap.layout.xaxis.tickmode = "array"  # one readable character per column
            self.heatmap.layout.xaxis.tickvals = t
            self.heatmap.layout.xaxis.ticktext = chars
            self.heatmap.layout.xaxis.tickfont = dict(family="monospace", size=TICK_SIZE)
            self.heatmap.layout.title = (
                f"LSTM {dict((v, k) for k, v in GATES)[gate]}, characters {t[0]} to {t[-1]}")
        self._coloured.value = coloured_text(text, values[:, rows[0]], low, high)

    def _blank(self):
        """Empty figures and text, axes hidden and the reason written where the figure was:
        what is shown when the text gives no traces (no leftover ticks of an empty plot)."""
        note = [dict(text="no text to show: see the message above", showarrow=False,
                     xref="paper", yref="paper", x=0.5, y=0.5,
                     font=dict(size=14, color=PALETTE["muted"]))]
        with self.heatmap.batch_update():
            self.heatmap.data[0].z, self.heatmap.data[0].x, self.heatmap.data[0].y = [], [], []
            self.heatmap.data[0].showscale = False
            self.heatmap.layout.xaxis.visible = self.heatmap.layout.yaxis.visible = False
            self.heatmap.layout.xaxis.tickvals, self.heatmap.layout.xaxis.ticktext = [], []
            self.heatmap.layout.annotations = note
            self.heatmap.layout.title = "LSTM: no text to show"
        with self.saturation_figure.batch_update():
            for trace in self.saturation_figure.data:
                trace.x, trace.y = [], []
            self.saturation_figure.update_xaxes(visible=False)
            self.saturation_figure.update_yaxes(visible=False)
        self._coloured.value = ""

    def _draw_saturation(self):
        fractions = {}
        for trace in self.traces.values():  # the RNN's H, the LSTM's C~ and tanh(C)
            fractions.update(units.saturation(trace))
        with self.saturation_figure.batch_update():
            self.saturation_figure.update_xaxes(visible=True)
            self.saturation_figure.update_yaxes(visible=True)
            for trace in self.saturation_figure.data:
                left, right = fractions.get(trace.meta, ([], []))
                trace.x, trace.y = left, right
