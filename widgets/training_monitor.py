"""TrainingMonitor: live training and validation curves of the models, side by side."""

from __future__ import annotations


import ipywidgets as W
import numpy as np

from rnnlab import checks, training
from rnnlab.baselines import uniform_nats
from rnnlab.history import History
from rnnlab.models import KINDS
from rnnlab.widgets._base import COLOURS, LABELS, SeriesToggles, View, in_box, new_figure
from rnnlab.widgets.theme import MODEL_SYMBOLS

# Ticks of the log x axis, in millions of characters: plotly's own label the minor ticks
# with bare digits ("3 4 5 ... 9 1 2"), which reads as nonsense between 0.3M and 2M.
TICKS = [m * 10.0 ** e for e in range(-3, 3) for m in (1, 2, 5)]


def tick_text(millions: float) -> str:
    return f"{millions * 1000:g}k" if millions < 0.1 else f"{millions:g}M"


class TrainingMonitor(View):
    """Loss curves in nats per character against characters seen, with ln(V) for scale.

    Feed it live (``training.train(..., on_record=monitor.on_record(name, config))``) or
    replay a recorded History (``replay``); it trains nothing itself. ``curves`` names the
    models drawn, named as the shipped models of those names (pretrained.LABELS): "rnn"
    and "lstm", and "rnn-matched" for the RNN with the LSTM's parameter count.
    ``loss_range`` fixes the loss axis (low, high), to tell apart curves that end close
    together. ``vocab_size`` draws the know-nothing line ln(V); without it the monitor
    takes V from the first history it replays.
    """

    def __init__(self, vocab_size: int | None = None, title: str = "Learning curves",
                 splits: tuple[str, ...] = ("train", "val"),
                 curves: tuple[str, ...] = KINDS,
                 loss_range: tuple[float, float] | None = None):
        super().__init__()
        if not splits or set(splits) - {"train", "val"}:
            raise ValueError(f"splits: expected 'train', 'val' or both, got {splits!r}")
        if not curves or set(curves) - set(LABELS) or len(set(curves)) < len(curves):
            raise ValueError(f"curves: expected distinct names from {tuple(LABELS)}, "
                             f"got {curves!r}")
        if loss_range is not None and not (
                len(loss_range) == 2 and 0 <= loss_range[0] < loss_range[1]):
            raise ValueError(f"loss_range: expected (low, high) with 0 <= low < high, got "
                             f"{loss_range!r}")
        self.records: dict[str, list[dict]] = {name: [] for name in curves}
        self._replayed: dict[str, str] = {}  # what the label says of each replayed history
        self._budget = None  # (key in a record, total) for the progress bar
        self.figure = new_figure(
            title=title, height=400,
            xaxis=dict(title="characters seen (log scale)", type="log", tickmode="array",
                       tickvals=TICKS, ticktext=[tick_text(t) for t in TICKS]),
            yaxis=dict(title="loss (nats per character)",
                       **({"range": list(loss_range)} if loss_range else {})),
            legend=dict(orientation="h", y=-0.25),
        )
        self._loss_range = loss_range
        self.vocab_size = None
        if vocab_size is not None:
            self._set_vocab_size(vocab_size)
        for kind in curves:
            for split, dash in (("train", "dash"), ("val", "solid")):
                if split not in splits:
                    continue
                # the scored curve is renamed by its records' split when they come
                name = f"{LABELS[kind]}, {'validation' if split == 'val' else 'training'}"
                self.figure.add_scatter(
                    x=[], y=[], mode="lines+markers", name=name, meta=f"{kind}/{split}",
                    line=dict(color=COLOURS[kind], dash=dash, width=2.5),
                    # each model its own marker, each split its own dash: no curve is
                    # told apart by colour alone
                    marker=dict(size=7, symbol=MODEL_SYMBOLS[kind]),
                    hovertemplate="%{x:.3g}M chars: %{y:.3f} nats<extra>%{meta}</extra>",
                )
        self._progress = W.FloatProgress(value=0.0, min=0.0, max=1.0, description="progress",
                                          bar_style="info")
        self._label = W.HTML()
        # the label under the bar, not beside it: beside it a long one wraps in a narrow column
        self.toggles = SeriesToggles(self.figure, "curves shown")
        self._box = W.VBox([self._progress, self._label, self._status,
                            *in_box(self.figure), self.toggles.widget])

    def _set_vocab_size(self, vocab_size: int) -> None:
        """Know V from now on, and draw ln(V) unless the loss axis leaves it out."""
        self.vocab_size = checks.whole("vocab_size", vocab_size, minimum=2)  # ln(1) = 0
        baseline = uniform_nats(self.vocab_size)
        low, high = self._loss_range or (0, np.inf)
        if low <= baseline <= high:
            self.figure.add_hline(
                y=baseline, line=dict(color=COLOURS["baseline"], dash="dot"),
                annotation_text=f"know-nothing baseline ln({self.vocab_size}) = {baseline:.2f}",
                annotation_position="top right",
            )

    def _check_curve(self, name) -> str:
        if name not in self.records:
            raise ValueError(f"curve: expected one of {tuple(self.records)} (this monitor's "
                             f"curves), got {name!r}")
        return name

    def on_record(self, kind: str, config: training.TrainConfig | None = None):
        """A callback for ``training.train(..., on_record=...)`` that draws the curve
        ``kind``, continuing it: train the same model again and the curve goes on (a new
        model wants a new monitor). With the run's ``config``, the progress bar follows
        its budget (characters, steps or minutes, whichever it sets first)."""
        self._check_curve(kind)
        self._budget = None
        if config is not None:
            self._budget = next(((key, value) for key, value in config.budget().items()
                                 if value), None)

        # a run that continues an earlier one counts its steps and characters from where
        # that ended, so the curve and the label say what the model has seen in all; a
        # run resumed from a checkpoint counts them so already (from the checkpoint's step)
        last = self.records[kind][-1] if self.records[kind] else {"chars_seen": 0, "step": 0}

        def record(r: dict) -> None:
            base = last if r.get("run_start_step", 0) == 0 else {"chars_seen": 0, "step": 0}
            seen = {**r, "chars_seen": r["chars_seen"] + base["chars_seen"],
                    "step": r["step"] + base["step"]}
            self.records[kind].append(seen)
            with self._errors_in_place():  # a drawing problem must not stop the training
                self._draw(kind)
                self._show_progress(kind, r, seen)

        return record

    def replay(self, history: History, kind: str | None = None) -> None:
        """Draw a recorded history (``rnnlab.pretrained.history(name)``) at once, as the
        curve ``kind`` (default: the history's own kind, "rnn" or "lstm")."""
        kind = self._check_curve(kind or history.meta.get("kind"))
        if self.vocab_size is None and history.meta.get("vocab_size"):
            self._set_vocab_size(history.meta["vocab_size"])
        # the first shipped models were scored on the held-out tail while they trained
        split = history.meta.get("eval_split", "heldout")
        self.records[kind] = [{"eval_split": split, **r} for r in history]
        self._draw(kind)
        if history:
            # the whole held-out split when training measured it, else the running sample
            nats = history.meta.get("heldout_nats", history.final["val_nats"])
            where = f"last record, {_split_name(self.records[kind][-1])} text"
            self._replayed[kind] = (f"{LABELS[kind]} {nats:.3f}" if "heldout_nats" in history.meta
                                    else f"{LABELS[kind]} {nats:.3f} ({where})")
            chars = history.final["chars_seen"] / 1e6
            self._label.value = (f"after {chars:.1f}M characters, nats/char on all held-out "
                                 f"plays: " + ", ".join(self._replayed.values()))
            self._progress.value = 1.0

    def _draw(self, kind: str) -> None:
        records = self.records[kind]
        x = [r["chars_seen"] / 1e6 for r in records]
        with self.figure.batch_update():
            for trace in self.figure.data:
                if trace.meta == f"{kind}/train":
                    trace.x, trace.y = x, [r["train_nats"] for r in records]
                elif trace.meta == f"{kind}/val":
                    trace.x, trace.y = x, [r["val_nats"] for r in records]
        # renamed on its own: inside batch_update, plotly sends the new name as a list over
        # every trace updated, and the browser then shows the training trace as "trace 0"
        for trace in self.figure.data:
            if trace.meta == f"{kind}/val" and records:
                trace.name = f"{LABELS[kind]}, {_split_name(records[-1])}"
        self.toggles.refresh()

    def _show_progress(self, kind: str, r: dict, seen: dict) -> None:
        """The bar follows this run's budget (``r``, the run's own record); the label
        counts every step and character the model has seen (``seen``), in all its runs."""
        if self._budget is not None:
            key, total = self._budget
            done = {"max_chars": r["chars_seen"], "max_steps": r["step"],
                    "max_minutes": r["seconds"] / 60}[key]
            self._progress.value = min(1.0, done / total) if total else 0.0
        self._label.value = (
            f"{LABELS[kind]}: step {seen['step']}, {seen['chars_seen'] / 1e6:.2f}M chars, "
            f"{_split_name(r)} {r['val_nats']:.3f} nats/char ({r['val_bpc']:.2f} bits), "
            f"{r['seconds']:.0f} s"
        )


def _split_name(record: dict) -> str:
    """The text a record's loss was measured on, as the figure names it."""
    return {"validation": "validation", "heldout": "held-out"}[
        record.get("eval_split", "heldout")]
