"""LagExplorer: recall accuracy against lag, precomputed, plus one point trained live."""

from __future__ import annotations

import time

import ipywidgets as W

from rnnlab import tasks
from rnnlab.palette import PALETTE
from rnnlab.widgets._base import COLOURS, LABELS, View, in_box, new_figure

# Live points of both kinds at one lag would hide each other: each kind is drawn a little
# to one side (a factor on the log axis) and with its own symbol; hover gives the lag.
LIVE_OFFSET = {"rnn": 0.94, "lstm": 1.06}
LIVE_SYMBOL = {"rnn": "diamond", "lstm": "star"}
QUEUED_CLICK_S = 0.5  # a click handled this soon after a run ended waited through it
PROGRESS_EVERY_S = 0.25  # how often a live run's label says its step


def series_label(kind: str, settings: dict) -> str:
    """What a precomputed series is, from the sweep's own settings."""
    parts = [LABELS[kind]]
    if kind == "rnn":
        parts.append(f"{settings.get('recurrent_initializer', 'orthogonal')} init")
    else:
        parts.append(f"forget-gate bias {settings.get('forget_bias', 1.0):g}")
    clip = settings.get("global_clipnorm")
    parts.append(f"clipping at {clip:g}" if clip else "no clipping")
    if "steps" in settings:
        parts.append(f"{settings['steps']} steps")
    return ", ".join(parts)


class LagExplorer(View):
    """The shipped lag sweep for both kinds, and a live rerun at a chosen lag."""

    def __init__(self, sweep: dict | None = None, live_steps: int | None = None):
        super().__init__()
        self.sweep = sweep or tasks.load_sweep()
        self.live_steps = live_steps or tasks.live_steps()
        self.live_points: list[dict] = []
        lags = sorted({p["lag"] for points in self.sweep["results"].values() for p in points})
        self._lag = W.SelectionSlider(options=lags, value=lags[len(lags) // 2],
                                      description="lag", continuous_update=False)
        self._run = W.Button(description="Train this lag live", icon="play",
                             button_style="primary", layout=W.Layout(width="14em"))
        self._run.on_click(self._on_run)
        self._last_run_ended = float("-inf")
        self._label = W.HTML()
        self.figure = new_figure(
            title="Recall the first symbol after a lag of distractors",
            xaxis=dict(title="lag (steps between the symbol and the question, log scale)",
                       type="log", tickmode="array", tickvals=lags,
                       ticktext=[str(lag) for lag in lags]),
            yaxis=dict(title="test accuracy", range=[0, 1.05]),
            legend=dict(orientation="h", y=-0.25),
        )
        chance = self.sweep["results"]["rnn"][0]["chance"]
        self.figure.add_hline(y=chance, line=dict(color=COLOURS["chance"], dash="dot"),
                              annotation_text=f"chance ({chance:.2f})")
        for kind, points in self.sweep["results"].items():
            self.figure.add_scatter(
                x=[p["lag"] for p in points], y=[p["accuracy"] for p in points],
                mode="lines+markers", name=series_label(kind, self.sweep["meta"]["settings"]),
                meta=kind,
                line=dict(color=COLOURS[kind], width=2.5),
                hovertemplate="lag %{x}: %{y:.2f}<extra>%{meta}</extra>",
            )
        for name, variant in self.sweep["meta"].get("variants", {}).items():
            points = variant["points"]
            self.figure.add_scatter(
                x=[p["lag"] for p in points], y=[p["accuracy"] for p in points],
                mode="lines+markers", name=variant["label"], meta=name,
                line=dict(color=COLOURS[variant["kind"]], width=2, dash="dash"),
                marker=dict(symbol="x"),
                hovertemplate="lag %{x}: %{y:.2f}<extra>%{meta}</extra>",
            )
        # the slider's lag as a faint band (not a dotted line: chance is one), so that
        # moving the slider shows something before any training
        self.figure.add_scatter(x=[], y=[0, 1.05], mode="lines", meta="chosen lag",
                                line=dict(color=PALETTE["muted"], width=10), opacity=0.15,
                                showlegend=False, hoverinfo="skip")
        for kind in self.sweep["results"]:
            self.figure.add_scatter(
                x=[], y=[], mode="markers", name=f"{LABELS[kind]}, trained here",
                meta=f"{kind}/live",
                marker=dict(color=COLOURS[kind], size=14, symbol=LIVE_SYMBOL[kind],
                            line=dict(width=1)),
                hovertemplate="lag %{customdata}: %{y:.2f}<extra>%{meta}</extra>",
            )
        self._box = W.VBox([W.HBox([self._lag, self._run]), self._label, self._status,
                            *in_box(self.figure)])
        self._lag.observe(self._on_lag, names="value")
        self._on_lag(None)

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
        """Mark the chosen lag and read the sweep's accuracies there."""
        lag = self._lag.value
        self.figure.update_traces(x=[lag, lag], selector=dict(meta="chosen lag"))
        found = [f"{LABELS[kind]} {p['accuracy']:.2f}"
                 for kind, points in self.sweep["results"].items()
                 for p in points if p["lag"] == lag]
        self._label.value = (f"lag {lag} in the sweep: {', '.join(found)}. "
                             "<b>Train this lag live</b> to add your own point.")

    def _on_run(self, button):
        # The button is disabled while a run trains, but a second click sent before that
        # reached the page waits in the kernel's queue: it would start a second full run.
        if time.monotonic() - self._last_run_ended > QUEUED_CLICK_S:
            self.run_live()

    def run_live(self, lag: int | None = None):
        """Train both kinds at ``lag`` (default: the slider's) with a small budget, and plot.

        The button calls this; a lesson cell can too, e.g. ``explorer.run_live(lag=50)``.
        """
        self._run.disabled = True
        try:
            self._train_live(lag)
        finally:
            self._run.disabled = False
            self._last_run_ended = time.monotonic()

    def _train_live(self, lag: int | None):
        with self._errors_in_place():
            if lag is not None:
                if lag not in self._lag.options:
                    raise ValueError(f"lag: expected one of the sweep's lags "
                                     f"{list(self._lag.options)}, got {lag!r}")
                self._lag.value = lag
            lag = self._lag.value
            settings = self.sweep["meta"]["settings"]
            points = []
            for kind in self.sweep["results"]:
                self._label.value = f"training the {LABELS[kind]} at lag {lag} ..."
                live = {**settings, "steps": self.live_steps}
                points.append(tasks.recall_point(kind, lag, **live,
                                                 on_step=self._progress_of(kind, lag)))
            self.live_points.extend(points)
            with self.figure.batch_update():
                for trace in self.figure.data:
                    if trace.meta and trace.meta.endswith("/live"):
                        kind = trace.meta.split("/")[0]
                        mine = [p for p in self.live_points if p["kind"] == kind]
                        trace.x = [p["lag"] * LIVE_OFFSET[kind] for p in mine]
                        trace.y = [p["accuracy"] for p in mine]
                        trace.customdata = [p["lag"] for p in mine]
            self._label.value = "; ".join(
                f"{LABELS[p['kind']]}: {p['accuracy']:.2f} at lag {lag} "
                f"({p['steps']} steps, {p['seconds']:.0f} s)" for p in points
            )
