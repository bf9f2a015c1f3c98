"""The protocol: the sweep that picks each kind's learning rate, width, regime and budget.

Every point trains one model from scratch on the training split and is judged on the
validation split only (the held-out tail is kept for the shipped models' final scores).
The points come in stages, each reading the finished points of the ones before:

1. ``rates``: for each width of ``WIDTHS``, the learning rate, searched on ``RATE_GRID``
   until the best rate has a worse one on each side (bracketed);
2. ``seeds``: two more seeds at each kind's best rate at the candidate width (the
   largest), so that the kinds' difference comes with its spread over seeds;
3. ``regimes``: at the candidate width and best rate, the carried regime beside the
   windowed one, each with dropout off and on;
4. ``depth``: one two-layer point (the LSTM, at its candidate width and rate);
5. ``budget``: the candidate recipe of each kind on a long budget, whose records give
   validation loss against characters seen.

``next_point(done)`` says what to train next from the finished points alone, so a sweep
that stops anywhere continues where it stopped. ``run_point`` trains one point.
``tools/protocol.py`` (``make protocol``) runs the loop and writes
``rnnlab/results/protocol.json``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab import models
from rnnlab.corpus import Corpus
from rnnlab.errors import TrainingDivergedError
from rnnlab.training import TrainConfig, evaluate, train

# Learning rates on a 1-2-5 grid. The search starts at a series' guess and its two
# neighbours and moves outward until the best one is bracketed.
RATE_GRID = (2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2)
FIRST_GUESS = 5e-3  # where a kind's first width starts; later widths start at the last best

# The widths searched, in the order they run (cheap first). The LSTM-256 and the
# RNN-522, and the LSTM-512 and the RNN-1035, have the same parameter count
# (models.param_matched_config; a test keeps it so); the largest width of each kind is
# the candidate for the shipped recipe.
WIDTHS = {"rnn": (256, 522, 1035), "lstm": (128, 256, 512)}
SERIES_ORDER = (("rnn", 256), ("lstm", 256), ("lstm", 128), ("rnn", 522), ("lstm", 512),
                ("rnn", 1035))

POINT_CHARS = 20_000_000  # every sweep point's budget (characters seen)
BUDGET_CHARS = 80_000_000  # the long runs that give loss against characters seen
SEEDS = (0, 1, 2)
DROPOUT = 0.2  # the "on" setting of the regimes stage
RECORDS = 20  # records (validation curve points) per run

# What every point shares: the shipped recipe's batches, schedule and clipping.
COMMON = {"batch_size": 128, "num_steps": 100, "schedule": "cosine", "global_clipnorm": 1.0}


@dataclass(frozen=True)
class Point:
    """One training run of the sweep, named by its ``key``."""

    kind: str
    num_hiddens: int
    learning_rate: float
    seed: int = 0
    carry_state: bool = False
    dropout: float = 0.0
    num_layers: int = 1
    max_chars: int = POINT_CHARS

    @property
    def key(self) -> str:
        """e.g. ``lstm-512 lr=0.005 seed=0 windows dropout=0 layers=1 chars=20M``."""
        return (f"{self.kind}-{self.num_hiddens} lr={self.learning_rate:g} seed={self.seed} "
                f"{'carried' if self.carry_state else 'windows'} dropout={self.dropout:g} "
                f"layers={self.num_layers} chars={self.max_chars // 1_000_000}M")

    def model_config(self) -> models.ModelConfig:
        return models.ModelConfig(num_hiddens=self.num_hiddens, seed=self.seed,
                                  num_layers=self.num_layers, dropout=self.dropout)

    def train_config(self) -> TrainConfig:
        steps = math.ceil(self.max_chars / (COMMON["batch_size"] * COMMON["num_steps"]))
        return TrainConfig(max_chars=self.max_chars, learning_rate=self.learning_rate,
                           seed=self.seed, carry_state=self.carry_state,
                           eval_every=max(1, steps // RECORDS), **COMMON)

    @classmethod
    def from_record(cls, record: dict) -> "Point":
        return cls(**{f.name: record[f.name] for f in dataclasses.fields(cls)})


def score(record: dict) -> float:
    """A finished point's validation loss, scored the way it trained (windows or
    carried); a point that diverged scores infinity (it loses every comparison)."""
    value = record.get("val_nats")
    return math.inf if value is None else value


# ---------------------------------------------------------------- what to train next

def _find(done: dict, **fields) -> list[dict]:
    """The finished points whose fields are all ``fields`` (the rest at the base point's
    defaults: seed 0, windows, no dropout, one layer, the sweep budget)."""
    wanted = {"seed": 0, "carry_state": False, "dropout": 0.0, "num_layers": 1,
              "max_chars": POINT_CHARS, **fields}
    return [r for r in done.values() if all(r.get(k) == v for k, v in wanted.items())]


def _neighbour(rate: float, step: int) -> float | None:
    where = RATE_GRID.index(rate) + step
    return RATE_GRID[where] if 0 <= where < len(RATE_GRID) else None


def rate_search(done: dict, kind: str, width: int, guess: float) -> tuple[float | None, bool]:
    """(the next rate to try for this series or None, whether its best is bracketed).

    Starts with ``guess`` and its neighbours on the grid, then adds the grid rate beyond
    whichever end is best until the best has a worse rate on each side (or the grid ends).
    """
    tried = {r["learning_rate"]: score(r) for r in _find(done, kind=kind, num_hiddens=width)}
    for rate in (guess, _neighbour(guess, -1), _neighbour(guess, +1)):
        if rate is not None and rate not in tried:
            return rate, False
    ordered = sorted(tried)
    best = min(ordered, key=lambda rate: tried[rate])
    if best == ordered[0] or best == ordered[-1]:
        beyond = _neighbour(best, -1 if best == ordered[0] else +1)
        return beyond, False  # None: the grid's end, the best stays unbracketed
    return None, True


def best_rate(done: dict, kind: str, width: int) -> float | None:
    """The best learning rate found for this series so far (None before any point)."""
    found = _find(done, kind=kind, num_hiddens=width)
    return min(found, key=score)["learning_rate"] if found else None


def candidate_width(kind: str) -> int:
    return max(WIDTHS[kind])


def _rate_stage(done: dict):
    last_best = {}
    for kind, width in SERIES_ORDER:
        guess = last_best.get(kind, FIRST_GUESS)
        rate, _ = rate_search(done, kind, width, guess)
        if rate is not None:
            return Point(kind, width, rate)
        last_best[kind] = best_rate(done, kind, width)
    return None


def carried_score(record: dict) -> float:
    """A point's validation loss read in one pass with the state carried, whichever
    regime it trained in: one scoring for every regime (scored in windows, a model is
    charged for the context its windows cut off, so the two regimes' own scorings differ
    by more than the regimes do: 0.02-0.03 nats in the first points)."""
    value = record.get("val_nats_carried", record.get("val_nats"))
    return math.inf if value is None else value


def recipe(done: dict, kind: str) -> Point:
    """The candidate recipe of ``kind`` at its candidate width: the best rate, and the
    regime and dropout whose model scored best there, carried (``carried_score``);
    windows without dropout until the regimes stage has run."""
    width = candidate_width(kind)
    rate = best_rate(done, kind, width)
    options = [r for r in done.values()
               if r["kind"] == kind and r["num_hiddens"] == width and r["learning_rate"] == rate
               and r["seed"] == 0 and r["num_layers"] == 1 and r["max_chars"] == POINT_CHARS]
    best = min(options, key=carried_score)
    return Point(kind, width, rate, carry_state=best["carry_state"], dropout=best["dropout"])


def _later_stages(done: dict):
    """The points after the rate search, in order: (stage, Point)."""
    base = {kind: Point(kind, candidate_width(kind), best_rate(done, kind, candidate_width(kind)))
            for kind in models.KINDS}
    for kind in models.KINDS:
        for seed in SEEDS[1:]:
            yield "seeds", dataclasses.replace(base[kind], seed=seed)
    for kind in models.KINDS:
        for carry, dropout in ((True, 0.0), (False, DROPOUT), (True, DROPOUT)):
            yield "regimes", dataclasses.replace(base[kind], carry_state=carry, dropout=dropout)
    yield "depth", dataclasses.replace(base["lstm"], num_layers=2)
    for kind in models.KINDS:  # read once the regimes stage is done (it is, by now)
        yield "budget", dataclasses.replace(recipe(done, kind), max_chars=BUDGET_CHARS)


def next_point(done: dict) -> tuple[str, Point] | None:
    """(stage, point) to train next, from the finished points ``done`` (key -> record);
    None when the sweep is complete."""
    point = _rate_stage(done)
    if point is not None:
        return "rates", point
    for stage, point in _later_stages(done):
        if point.key not in done:
            return stage, point
    return None


# ---------------------------------------------------------------- training one point

class _Clock:
    """Wall seconds, CPU seconds, seconds stopped and the mean load average of a run.

    A thread ticks every second; while the process is stopped (SIGSTOP, how
    ``tools/protocol.py --pause`` keeps the sweep off a timing) no tick happens, so a gap
    of several seconds between ticks is time stopped, not time trained."""

    GAP = 5.0

    def __init__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        self._last, self.paused, self._ticks = self._wall, 0.0, 0
        self._loads: list[float] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)
        self._thread.start()

    def _tick(self):
        while not self._done.wait(1.0):
            now = time.perf_counter()
            if now - self._last > self.GAP:
                self.paused += now - self._last - 1.0
            self._last, self._ticks = now, self._ticks + 1
            if self._ticks % 30 == 0:
                self._loads.append(os.getloadavg()[0])

    def stop(self) -> dict:
        self._done.set()
        self._thread.join()
        wall = time.perf_counter() - self._wall
        return {"wall_seconds": round(wall, 1),
                "paused_seconds": round(self.paused, 1),
                "cpu_seconds": round(time.process_time() - self._cpu, 1),
                "load_average": round(float(np.mean(self._loads or [os.getloadavg()[0]])), 2)}


@functools.cache
def git_commit() -> str:
    """The commit this process's code was loaded from (read once, at the first call, so
    that a commit made while a sweep runs is not claimed for it), with ``+dirty`` when
    tracked files differed from it."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True,
                              cwd=Path(__file__).parent).stdout.strip()
    commit = git("rev-parse", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return commit + ("+dirty" if dirty else "")


def versions() -> dict:
    import keras
    import tensorflow as tf
    return {"tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version()}


def run_point(point: Point, corpus: Corpus, checkpoint: Path, progress: bool = False) -> dict:
    """Train ``point`` and return its record: the point's fields, its validation loss
    in windows and carried (the whole validation split), the training curve, and its
    provenance. ``checkpoint`` keeps the run resumable (an interrupted point continues
    from its last record); it is removed once the record exists."""
    import keras

    keras.utils.set_random_seed(point.seed)  # dropout masks
    model = models.build(point.kind, corpus.vocab, point.model_config())
    config = point.train_config()
    clock = _Clock()
    started = {"commit": git_commit(), **versions()}
    record = dataclasses.asdict(point)
    try:
        history = train(model, corpus, config, checkpoint=checkpoint, resume=True,
                        progress=progress)
    except TrainingDivergedError as exc:  # a result: the rate is too high
        record.update(val_nats=None, diverged=str(exc))
        history = None
    if history is not None:
        validation = corpus.splits(config.heldout_fraction, config.validation_fraction)[1]
        windows = evaluate(model, validation, num_steps=config.num_steps)
        carried = evaluate(model, validation, num_steps=config.num_steps, carry=True)
        record.update(
            val_nats=round(carried if point.carry_state else windows, 5),
            val_nats_windows=round(windows, 5), val_nats_carried=round(carried, 5),
            train_nats=round(history[-1]["train_nats"], 5),
            # the training's own clock, every session of a resumed point included (the
            # provenance's wall seconds cover this process only)
            train_seconds=round(history[-1]["seconds"], 1),
            params=models.count_params(point.kind, len(corpus.vocab), point.model_config()),
            curve=[{"chars_seen": r["chars_seen"], "val_nats": round(r["val_nats"], 5),
                    "train_nats": round(r["train_nats"], 5)} for r in history])
    record["key"] = point.key
    record["provenance"] = {**started, **clock.stop(), "date": time.strftime("%Y-%m-%d")}
    Path(checkpoint).unlink(missing_ok=True)
    return record


# ---------------------------------------------------------------- reading the sweep

def rate_table(done: dict) -> list[dict]:
    """One row per series of the rate search: its rates and losses, the best, and
    whether the best is bracketed (a worse rate on each side)."""
    rows = []
    for kind, width in SERIES_ORDER:
        found = {r["learning_rate"]: score(r) for r in _find(done, kind=kind, num_hiddens=width)}
        if not found:
            continue
        best = min(found, key=found.get)
        rows.append({"kind": kind, "num_hiddens": width, "losses": dict(sorted(found.items())),
                     "best_rate": best, "best": found[best],
                     "bracketed": min(found) < best < max(found)})
    return rows


def seed_spread(done: dict, kind: str) -> dict | None:
    """The candidate width at its best rate over SEEDS: losses, mean and spread."""
    width = candidate_width(kind)
    rate = best_rate(done, kind, width)
    losses = [score(r) for seed in SEEDS
              for r in _find(done, kind=kind, num_hiddens=width, learning_rate=rate, seed=seed)]
    if len(losses) < len(SEEDS):
        return None
    return {"kind": kind, "num_hiddens": width, "learning_rate": rate, "losses": losses,
            "mean": float(np.mean(losses)), "std": float(np.std(losses, ddof=1)),
            "range": (min(losses), max(losses))}


def ranking_settles(curves: dict[str, list[dict]]) -> int | None:
    """The characters seen from which the kinds' order (by validation loss at each record)
    stays what it is at the end of the curves; None without a shared record."""
    names = list(curves)
    by_chars = [{r["chars_seen"]: r["val_nats"] for r in curves[name]} for name in names]
    shared = sorted(set.intersection(*(set(c) for c in by_chars)))
    if not shared:
        return None
    order = [tuple(sorted(names, key=lambda n: by_chars[names.index(n)][chars]))
             for chars in shared]
    settled = shared[-1]
    for chars, ranked in zip(reversed(shared), reversed(order)):
        if ranked != order[-1]:
            break
        settled = chars
    return settled
