"""LagExplorer: accuracy against lag for every series of the memory sweep, plus live points."""

from __future__ import annotations

import time

import ipywidgets as W
import numpy as np

from rnnlab import tasks
from rnnlab.palette import PALETTE
from rnnlab.models import KIND_LABELS as LABELS  # the task models are not the shipped ones
from rnnlab.widgets._base import COLOURS, SeriesToggles, View, in_box, new_figure
from rnnlab.widgets.theme import MODEL_SYMBOLS, OTHER_COLOURS

MAIN_SERIES = tasks.MAIN_SERIES  # the series a live run trains, drawn thick
TITLES = {"recall": "Recall the first symbol after a lag of distractors",
          "adding": "Adding problem: the sum of two marked values among lag rows"}
YAXIS = {"recall": "test accuracy, median of seeds",
         "adding": f"right within {tasks.ADDING_TOLERANCE}, median of seeds"}
# Series side by side at one lag would hide each other's seed bars: each is drawn a little
# to one side, by this factor per series on the log axis (hover gives the true lag).
SERIES_SPREAD = 0.025
CHANCE_TEXT = {"recall": "chance", "adding": "always answering 1.0"}
# The other series of a kind differ by dash and marker, so that they read without colour,
# and by colour too: one hue for four RNN series left them hard to tell apart. Their
# markers are open, so that a series on top does not hide one with the same values.
STYLES = [("dash", "x-open"), ("dot", "triangle-up-open"), ("dashdot", "square-open"),
          ("longdash", "diamond-open"), ("longdashdot", "star-open")]
# Live points of both kinds at one lag would hide each other: each kind is drawn a little
# to one side (a factor on the log axis) and with its own symbol; hover gives the lag.
LIVE_OFFSET = {"rnn": 0.94, "lstm": 1.06}
LIVE_SYMBOL = {"rnn": "diamond", "lstm": "star"}
QUEUED_CLICK_S = 0.5  # a click handled this soon after a run ended waited through it
PROGRESS_EVERY_S = 0.25  # how often a live run's label says its step


class LagExplorer(View):
    """The shipped memory sweep (``tasks.load_sweep()``) per task, and live reruns.

    Each series is drawn as the median accuracy over its seeds at each lag, with bars from
    the lowest to the highest seed. Its button trains the task's two main series at the
    slider's lag with a small budget (``tasks.live_points``) and adds the points;
    ``show_live(points)`` adds points trained in a cell.
    """

    def __init__(self, sweep: dict | None = None, live_steps: int | None = None,
                 task: str = "recall"):
        super().__init__()
        self.sweep = sweep or tasks.load_sweep()
        self.live_steps = live_steps or tasks.live_steps()
        self.live_points: list[dict] = []
        tasks_here = [t for t in MAIN_SERIES if any(
            s["task"] == t for s in self.sweep["series"].values())]
        if task not in tasks_here:
            raise ValueError(f"task: expected one of {tasks_here} (the sweep's tasks), "
                             f"got {task!r}")
        # a list, not toggle buttons, for the keyboard (see GradientFlow's weights)
        self._task = W.Dropdown(options=tasks_here, value=task, description="task")
        self._lag = W.SelectionSlider(options=[1], description="lag",
                                      continuous_update=False)
        self._run = W.Button(description="Train this lag live", icon="play",
                             button_style="primary", layout=W.Layout(width="14em"))
        self._run.on_click(self._on_run)
        self._last_run_ended = float("-inf")
        self._label = W.HTML()
        self.figure = new_figure(legend=dict(orientation="h", y=-0.25), height=560)
        self.toggles = SeriesToggles(self.figure, "series shown")
        self._box = W.VBox([self._task, W.HBox([self._lag, self._run]), self._label,
                            self._status, *in_box(self.figure), self.toggles.widget])
        self._task.observe(self._on_task, names="value")
        self._lag.observe(self._on_lag, names="value")
        self._on_task(None)

    def series(self, task: str | None = None) -> dict:
        """The sweep's series of ``task`` (default: the one shown), main series first."""
        task = task or self._task.value
        mine = {n: s for n, s in self.sweep["series"].items() if s["task"] == task}
        return dict(sorted(mine.items(), key=lambda item: item[0] not in MAIN_SERIES[task]))

    def _on_task(self, change):
        """Draw the chosen task's series from scratch: lags, chance and traces differ. A
        good redraw clears a message an earlier failure left."""
        with self._errors_in_place():
            self._draw_task(change)

    def _draw_task(self, change):
        task = self._task.value
        series = self.series(task)
        lags = sorted({p["lag"] for s in series.values() for p in s["points"]})
        # recall: 1 / classes; adding: the share the constant answer 1.0 gets right
        chance = float(np.median([p["chance"] for s in series.values() for p in s["points"]]))
        styles, variant_colours = iter(STYLES), iter(OTHER_COLOURS * 2)
        with self.figure.batch_update():
            self.figure.data = []
            self.figure.update_layout(
                title=TITLES[task],
                xaxis=dict(title="lag (steps between the information and the question, "
                                 "log scale)", type="log", tickmode="array", tickvals=lags,
                           ticktext=[str(lag) for lag in lags]),
                yaxis=dict(title=YAXIS[task], range=[0, 1.05]))
            # a trace, not add_hline: a shape cannot be added inside batch_update
            self.figure.add_scatter(
                x=[lags[0], lags[-1]], y=[chance, chance], mode="lines", meta="chance",
                name=f"{CHANCE_TEXT[task]} ({chance:.2f})", hoverinfo="skip",
                line=dict(color=COLOURS["chance"], dash="dot", width=1.5))
            for index, (name, s) in enumerate(series.items()):
                rows = tasks.by_lag(s["points"])
                main = name in MAIN_SERIES[task]
                dash, symbol = (("solid", MODEL_SYMBOLS[s["kind"]]) if main
                                else next(styles))
                colour = COLOURS[s["kind"]] if main else next(variant_colours)
                offset = 1 + SERIES_SPREAD * (index - (len(series) - 1) / 2)
                self.figure.add_scatter(
                    x=[r["lag"] * offset for r in rows], y=[r["median"] for r in rows],
                    error_y=dict(type="data", symmetric=False, thickness=1.2, width=4,
                                 array=[r["max"] - r["median"] for r in rows],
                                 arrayminus=[r["median"] - r["min"] for r in rows]),
                    customdata=[[r["min"], r["max"], r["n"], r["lag"]] for r in rows],
                    mode="lines+markers", name=s["label"], meta=name,
                    line=dict(color=colour, width=3 if main else 1.8, dash=dash),
                    marker=dict(symbol=symbol, size=8 if main else 7),
                    hovertemplate="lag %{customdata[3]}: median %{y:.2f}, seeds "
                                  "%{customdata[0]:.2f} to %{customdata[1]:.2f} "
                                  "(%{customdata[2]} seeds)<extra>%{meta}</extra>")
            # the slider's lag as a solid grey line (not dotted: chance is), so that moving
            # the slider shows something before any training
            self.figure.add_scatter(x=[], y=[0, 1.05], mode="lines", meta="chosen lag",
                                    line=dict(color=PALETTE["muted"], width=1.5),
                                    showlegend=False, hoverinfo="skip")
            for name in MAIN_SERIES[task]:
                kind = series[name]["kind"]
                self.figure.add_scatter(
                    x=[], y=[], mode="markers", name=f"{LABELS[kind]}, trained here",
                    meta=f"{name}/live",
                    marker=dict(color=COLOURS[kind], size=14, symbol=LIVE_SYMBOL[kind],
                                line=dict(width=1)),
                    hovertemplate="lag %{customdata}: %{y:.2f}<extra>%{meta}</extra>")
            self._draw_live()
            if hasattr(self, "toggles"):  # not yet while the view is being built
                self.toggles.refresh()
            before = self._lag.value if change is not None else None
            self._lag.options = lags
            # the lag shown before, or the sweep's nearest to it; the middle one at first
            self._lag.value = (lags[len(lags) // 2] if before is None
                               else min(lags, key=lambda lag: (abs(np.log(lag / before)), lag)))
        self._read_lag()
        if before is not None and self._lag.value != before:
            self._label.value = (f"<i>The {task} sweep has no lag {before}: moved to the nearest, "
                                 f"{self._lag.value}.</i> " + self._label.value)

    def _progress_of(self, kind: str, lag: int):
        """An ``on_step`` that says in the label how far the run is (a few times a second)."""
        start, shown = time.monotonic(), [0.0]

        def on_step(done: int, steps: int) -> None:
            now = time.monotonic()
            if now - shown[0] >= PROGRESS_EVERY_S or done == steps:
                shown[0] = now
                self._label.value = (f"training the {LABELS[kind]} at lag {lag}: step {done} of "
                                     f"{steps} ({now - start:.0f} s)")
        return on_step

    def _on_lag(self, change):
        """Mark the chosen lag and read the main series of the sweep there."""
        with self._errors_in_place():
            self._read_lag()

    def _read_lag(self):
        lag, task = self._lag.value, self._task.value
        self.figure.update_traces(x=[lag, lag], selector=dict(meta="chosen lag"))
        found = []
        for name in MAIN_SERIES[task]:
            s = self.sweep["series"][name]
            for row in tasks.by_lag(s["points"]):
                if row["lag"] == lag:
                    found.append(f"{LABELS[s['kind']]} {row['median']:.2f} "
                                 f"({row['min']:.2f} to {row['max']:.2f} over {row['n']} seeds)")
        self._label.value = (f"lag {lag} in the sweep: {', '.join(found)}. Hover a point for "
                             "any series. <b>Train this lag live</b> to add your own point"
                             f"{self._budget_note(task)}.")

    def _budget_note(self, task: str) -> str:
        """Where a live run is much shorter than the sweep's, say so by the button: its
        point then shows what a short run learns, not what the series can."""
        sweep_steps = min(self.sweep["series"][name].get("settings", {}).get("steps", 0)
                          for name in MAIN_SERIES[task])
        if sweep_steps and self.live_steps < sweep_steps / 2:
            return (f" ({self.live_steps:,} steps, against the sweep's {sweep_steps:,}: too few "
                    "to learn this task, so expect points near chance)")
        return f" ({self.live_steps} steps)"

    def _on_run(self, button):
        # The button is disabled while a run trains, but a second click sent before that
        # reached the page waits in the kernel's queue: it would start a second full run.
        if time.monotonic() - self._last_run_ended > QUEUED_CLICK_S:
            self._train_live()

    def _train_live(self):
        """The button: the task's two main series at the slider's lag (tasks.live_points),
        then drawn with the rest."""
        self._run.disabled = True
        try:
            with self._errors_in_place():
                lag, task = self._lag.value, self._task.value
                kinds = {name: self.sweep["series"][name]["kind"] for name in MAIN_SERIES[task]}
                progress = {name: self._progress_of(kind, lag) for name, kind in kinds.items()}
                points = tasks.live_points(task, lag, self.live_steps,
                                           on_step=lambda name, *done: progress[name](*done))
                self.show_live(points)
        finally:
            self._run.disabled = False
            self._last_run_ended = time.monotonic()

    def show_live(self, points: list[dict]) -> None:
        """Add points a learner trained (``tasks.live_points``) beside the sweep's, on
        their task's figure, and say their accuracies; the lag slider moves to theirs."""
        with self._errors_in_place():
            for point in points:
                if point.get("series") not in self.sweep["series"]:
                    raise ValueError(f"points: expected points of the sweep's series "
                                     f"(tasks.live_points), got series "
                                     f"{point.get('series')!r}")
            if points and points[0]["task"] != self._task.value:
                self._task.value = points[0]["task"]
            if points and points[0]["lag"] in self._lag.options:
                self._lag.value = points[0]["lag"]
            self.live_points.extend(points)
            with self.figure.batch_update():
                self._draw_live()
            self._label.value = "; ".join(
                f"{LABELS[p['kind']]}: {p['accuracy']:.2f} at lag {p['lag']} "
                f"({p['steps']} steps, {p['seconds']:.0f} s)" for p in points
            )

    def _draw_live(self):
        for trace in self.figure.data:
            if trace.meta and trace.meta.endswith("/live"):
                name = trace.meta.split("/")[0]
                mine = [p for p in self.live_points if p["series"] == name]
                trace.x = [p["lag"] * LIVE_OFFSET[p["kind"]] for p in mine]
                trace.y = [p["accuracy"] for p in mine]
                trace.customdata = [p["lag"] for p in mine]
