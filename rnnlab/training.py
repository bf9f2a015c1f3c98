"""Training a character model, with budgets, evaluation records and safe checkpoints.

``train`` runs Keras ``fit`` on windows of the training split and, every
``eval_every`` steps, measures the loss on held-out text and appends a record to the
history. Losses are cross-entropies per character: in nats (natural log) and in bits
per character (bpc = nats / ln 2). A model that knows nothing but the alphabet
scores ln(vocab size) nats: the baseline every curve is compared with.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab import checkpoint as ckpt
from rnnlab import checks, models, resume
from rnnlab.baselines import LN2, uniform_nats
from rnnlab.corpus import VALIDATION_FRACTION, Corpus, dataset
from rnnlab.errors import (
    CheckpointError,
    CheckpointExistsError,
    CorpusTooShortError,
    TrainingDivergedError,
    VocabularyMismatchError,
)
from rnnlab.history import History

__all__ = ["train", "TrainConfig", "Recorder", "check_checkpoint", "evaluate",
           "History", "SCHEDULES"]

SCHEDULES = ("constant", "cosine")


STATUS_FROM_CHARS = 200_000  # evaluate() shows a status line on more text than this


def evaluate(model, ids, *, num_steps: int = 100, batch_size: int = 128,
             vocab=None, carry: bool = False, streams: int = 16) -> float:
    """Mean cross-entropy in nats per character of ``ids`` (targets ``ids[1:]``).

    Scored the way a model was trained, so that the figure is comparable with the
    records of ``train``: without ``carry``, in windows of ``num_steps`` characters, each
    from a zero state (most characters see fewer than num_steps before them); with
    ``carry``, in one pass that carries the state through the text, cut into ``streams``
    contiguous streams read side by side (each starting from a zero state: 16 starts in
    half a million characters cost nothing measurable, and the pass runs 16 times
    faster); the last (len - 1) mod streams targets are left out. ``vocab``: the
    vocabulary that encoded ``ids``; when given, it must be the model's (another one
    would give a figure that means nothing). Ids the model's vocabulary cannot hold are
    refused either way.
    """
    if vocab is not None and vocab != model.vocab:
        raise VocabularyMismatchError(
            f"ids: encoded with a vocabulary of {len(vocab)} characters, but the "
            f"{model.kind!r} model reads a vocabulary of {len(model.vocab)}: evaluate it "
            "on text of the corpus it was trained on")
    ids = checks.ids("ids", ids, vocab_size=len(model.vocab), min_length=2)
    if carry:
        return _carried_loss(model, ids, checks.whole("num_steps", num_steps),
                             checks.whole("streams", streams))
    total, count = 0.0, 0
    forward = _forward_loss(model)
    from rnnlab.progress import StatusLine, in_kernel

    windows = (len(ids) - 1) // num_steps  # as dataset() cuts them, shuffle off
    # a status line for a long scoring (all held-out text: seconds), not for the small
    # evaluations training makes at every record
    with StatusLine(f"scoring {len(ids) - 1:,} characters in windows of {num_steps}",
                    total=-(-windows // batch_size),
                    enabled=in_kernel() and len(ids) > STATUS_FROM_CHARS) as status:
        for batch, (inputs, targets) in enumerate(dataset(ids, num_steps, batch_size,
                                                          shuffle=False)):
            total += float(forward(inputs, targets))  # summed over (batch, num_steps)
            count += int(np.prod(targets.shape))
            status.step(batch + 1)
    return total / count


def position_loss(models: dict, windows: np.ndarray, batch_size: int = 50) -> dict:
    """The loss at each position of the windows, for each model: how much the models
    gain from the characters before.

    ``windows``: (n, length + 1) ids (``Corpus.heldout_windows``); each window starts
    from a zero state, as in training, and position p (0-based) predicts character p + 1
    from the p + 1 characters before it. Returns {name: {"mean": (length,), "sem":
    (length,), "losses": (n, length)}}: the mean cross-entropy in nats over the windows
    at each position, its standard error (the spread over windows / sqrt(n)), and every
    window's losses. Positions beyond the training windows' length (100 for the shipped
    models) were never trained on.
    """
    import tensorflow as tf

    windows = checks.ids("windows", windows, ndim=2, min_length=2)
    from rnnlab.progress import StatusLine

    found = {}
    for name, model in models.items():
        losses = []
        with StatusLine(f"loss by position, {name}", total=len(windows)) as status:
            for start in range(0, len(windows), batch_size):
                batch = windows[start:start + batch_size]
                logits = model.keras(batch[:, :-1], training=False)  # (batch, length, vocab)
                losses.append(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    batch[:, 1:], logits).numpy())  # (batch, length)
                status.step(start + len(batch), "windows")
        losses = np.concatenate(losses).astype(np.float64)  # (n, length)
        found[name] = {"mean": losses.mean(axis=0), "losses": losses,
                       "sem": losses.std(axis=0, ddof=1) / np.sqrt(len(losses))
                       if len(losses) > 1 else np.full(losses.shape[1], np.nan)}
    return found


# Bands of context length (characters read before the prediction, 1-based, inclusive)
# for summing up ``position_loss``. The shipped models were trained on windows of 100
# characters from a zero state, so the last band is context they never trained on.
CONTEXT_BANDS = ((1, 9), (10, 49), (50, 100), (101, None))


def context_bands(losses: np.ndarray, bands=CONTEXT_BANDS) -> np.ndarray:
    """Each window's mean loss in each band of context length: (n, len(bands)).

    ``losses``: (n, length) from ``position_loss``; position p (0-based) has read p + 1
    characters. A band's end of None means "to the end of the windows".
    """
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 2:
        raise ValueError(f"losses: expected (n, length), got shape {losses.shape}")
    length = losses.shape[1]
    columns = []
    for first, last in bands:
        last = length if last is None else last
        if not 1 <= first <= last <= length:
            raise ValueError(f"bands: ({first}, {last}) is not inside 1..{length}")
        columns.append(losses[:, first - 1 : last].mean(axis=1))  # (n,)
    return np.stack(columns, axis=1)  # (n, len(bands))


def log_binned(values, bins: int = 30) -> tuple[list[float], list[float]]:
    """Per-position values averaged in log-spaced bins of positions, for a plot whose x
    axis spans decades (single positions far out are too noisy to read).

    ``values``: (length,) or (n, length), averaged over the windows first. Returns the
    bins' centres as 1-based positions, and their means; bins that would be empty after
    rounding are merged away.
    """
    values = np.asarray(values, dtype=np.float64)
    per_position = values.mean(axis=0) if values.ndim == 2 else values  # (length,)
    if per_position.ndim != 1 or not len(per_position):
        raise ValueError(f"values: expected (length,) or (n, length), got {values.shape}")
    length = len(per_position)
    edges = np.unique(np.geomspace(1, length + 1, bins).astype(int)) - 1  # 0-based
    centres = [(first + last + 1) / 2 for first, last in zip(edges, edges[1:])]
    means = [float(per_position[first:last].mean()) for first, last in zip(edges, edges[1:])]
    return centres, means


@models.per_model
def _forward_loss(model):
    """The summed loss of a batch, traced once per model."""
    import tensorflow as tf

    keras_model = model.keras  # not `model`: the cache is keyed by it and must not keep it alive

    @tf.function(
        input_signature=[tf.TensorSpec([None, None], tf.int32)] * 2, reduce_retracing=True
    )
    def forward(inputs, targets):
        logits = keras_model(inputs, training=False)  # (batch, num_steps, vocab_size)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        return tf.reduce_sum(losses)

    return forward


def streams_of(ids: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``ids`` cut into ``count`` contiguous streams of equal length, as (inputs,
    targets), each (count, length): stream i reads its own stretch of the text in order,
    targets shifted by one. The last (len - 1) mod count targets are left out."""
    length = (len(ids) - 1) // count  # targets per stream
    if length < 1:
        raise ValueError(f"ids: {len(ids)} characters cannot make {count} streams")
    starts = np.arange(count) * length  # (count,)
    where = starts[:, None] + np.arange(length)[None, :]  # (count, length)
    return ids[where].astype(np.int32), ids[where + 1].astype(np.int32)


def _zero_states(model, batch: int) -> list:
    return [np.zeros(shape, np.float32)
            for shape in models.state_shapes(model.kind, model.config, batch).values()]


@models.per_model
def _carried_forward(model):
    """The summed loss of a chunk read from given states, and the states it ends in,
    traced once per model."""
    import tensorflow as tf

    stepper = models.with_state(model)
    ids = tf.TensorSpec([None, None], tf.int32)  # (batch, T)
    states = [tf.TensorSpec([None, model.config.num_hiddens], tf.float32)
              for _ in models.state_shapes(model.kind, model.config, 1)]  # (batch, H) each

    @tf.function(input_signature=[ids, ids, states])
    def forward(inputs, targets, states):
        logits, *states = stepper([inputs, *states], training=False)  # (batch, T, V)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        return tf.reduce_sum(losses), states

    return forward


def _carried_loss(model, ids: np.ndarray, chunk: int, streams: int) -> float:
    streams = min(streams, len(ids) - 1)
    inputs, targets = streams_of(ids, streams)  # (streams, length) each
    forward, states = _carried_forward(model), _zero_states(model, streams)
    total = 0.0
    for start in range(0, inputs.shape[1], chunk):
        loss, states = forward(inputs[:, start:start + chunk], targets[:, start:start + chunk],
                               states)
        total += float(loss)
    return total / targets.size


@dataclass(frozen=True)
class TrainConfig:
    """How a model is trained: budgets, batches, optimizer and records.

    Checked when made (like ``ModelConfig``), so a mistake is named before any work.
    Budgets: at least one; the first one spent ends training, and a resumed run counts
    its past steps, characters and minutes too.
    """

    max_steps: int | None = None  # budget: optimizer steps
    max_minutes: float | None = None  # budget: wall-clock minutes
    max_chars: int | None = None  # budget: characters seen (steps x batch_size x num_steps)
    batch_size: int = 64  # windows per step
    num_steps: int = 100  # characters per window: how far back gradients flow
    learning_rate: float = 2e-3  # Adam's
    schedule: str = "constant"  # or "cosine": decays to a tenth over the step budget
    global_clipnorm: float | None = None  # rescale the whole gradient above this norm
    seed: int = 0  # the order of the batches
    eval_every: int | None = None  # steps between records; None: about 30 records a run
    eval_chars: int = 100_000  # validation characters each record is measured on
    heldout_fraction: float = 0.1  # the tail of the corpus kept for final scores only
    # the slice just before the held-out tail that records are measured on (a share of
    # the whole text); 0: records on the held-out tail, as the first shipped models did
    validation_fraction: float = VALIDATION_FRACTION
    # False: shuffled windows, each read from a zero state. True: batch_size contiguous
    # streams read in order, the state carried from one window to the next (gradients
    # still stop at num_steps: truncated backpropagation through time), reset each pass
    carry_state: bool = False

    def __post_init__(self):
        def keep(name, value):
            object.__setattr__(self, name, value)  # frozen: normalise once, here

        for name in ("max_steps", "max_chars", "eval_every"):
            keep(name, checks.whole(name, getattr(self, name), optional=True))
        for name in ("batch_size", "num_steps", "eval_chars"):
            keep(name, checks.whole(name, getattr(self, name)))
        for name in ("max_minutes", "global_clipnorm"):
            keep(name, checks.positive(name, getattr(self, name), optional=True))
        keep("learning_rate", checks.positive("learning_rate", self.learning_rate))
        keep("seed", checks.whole("seed", self.seed, minimum=0, maximum=models.MAX_SEED))
        keep("heldout_fraction", checks.fraction("heldout_fraction", self.heldout_fraction))
        keep("validation_fraction", checks.fraction(
            "validation_fraction", self.validation_fraction, allow_zero=True))
        if not isinstance(self.carry_state, bool):
            raise ValueError(f"carry_state: expected True or False, got {self.carry_state!r}")
        if self.max_steps is None and self.max_minutes is None and self.max_chars is None:
            raise ValueError("train: give a budget: max_steps, max_minutes or max_chars")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: expected one of {SCHEDULES}, got {self.schedule!r}")
        if self.schedule == "cosine" and self.total_steps is None:
            raise ValueError("schedule='cosine' needs max_steps or max_chars to know when "
                             "to end")

    @property
    def eval_split(self) -> str:
        """The split records are measured on: "validation", or "heldout" without one."""
        return "validation" if self.validation_fraction else "heldout"

    @property
    def scoring(self) -> str:
        """How records score text: "carried" (one pass, the state carried) or "windows"
        (windows of num_steps, each from a zero state): the way the model trains."""
        return "carried" if self.carry_state else "windows"

    @property
    def chars_per_step(self) -> int:
        return self.batch_size * self.num_steps

    @property
    def total_steps(self) -> int | None:
        """The step the step or character budget ends at; None with minutes only."""
        chars_in_steps = self.max_chars and math.ceil(self.max_chars / self.chars_per_step)
        budgets = [b for b in (self.max_steps, chars_in_steps) if b]
        return min(budgets) if budgets else None

    @property
    def record_every(self) -> int:
        """``eval_every``, or about 30 records over a step budget (50 steps otherwise)."""
        if self.eval_every is not None:
            return self.eval_every
        total = self.total_steps
        return min(250, max(5, total // 30)) if total else 50

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the settings (what ``train`` takes as keywords besides its own)."""
        return tuple(f.name for f in dataclasses.fields(cls))

    def budget(self) -> dict:
        """The budget fields: the only settings a resume may change (with extend=True)."""
        return {name: getattr(self, name) for name in ("max_steps", "max_minutes", "max_chars")}

    def spent(self, step: int, seconds: float) -> bool:
        """Whether a run at ``step`` after ``seconds`` (its past included) must stop."""
        return ((self.max_steps is not None and step >= self.max_steps)
                or (self.max_chars is not None and step * self.chars_per_step >= self.max_chars)
                or (self.max_minutes is not None and seconds >= 60 * self.max_minutes))


class _Progress:
    """A one-line progress bar on a terminal; one line per record elsewhere."""

    def __init__(self, enabled: bool, label: str, total_steps: int | None):
        self.enabled = enabled
        self.label = label
        self.total_steps = total_steps
        self.tty = enabled and sys.stderr.isatty()
        self._last_draw = 0.0

    def _write(self, text: str, end: str) -> None:
        sys.stderr.write(("\r\033[K" if self.tty else "") + text + end)
        sys.stderr.flush()

    def batch(self, step, chars_seen, chars_per_s, loss):
        if not self.tty or time.perf_counter() - self._last_draw < 0.25:
            return
        self._last_draw = time.perf_counter()
        if self.total_steps:
            done = min(1.0, step / self.total_steps)
            bar = "#" * int(24 * done) + "." * (24 - int(24 * done))
            where = f"[{bar}] {done:6.1%} step {step}/{self.total_steps}"
        else:
            where = f"step {step}"
        self._write(
            f"{self.label} {where} | {chars_seen / 1e6:.2f}M chars | "
            f"{chars_per_s / 1e3:.1f}k chars/s | loss {loss:.3f}",
            end="",
        )

    def record(self, r):
        if self.enabled:
            self._write(
                f"{self.label} step {r['step']:>6} | {r['chars_seen'] / 1e6:7.2f}M chars | "
                f"{r['seconds']:7.1f} s | train {r['train_nats']:.3f} | "
                f"val {r['val_nats']:.3f} nats/char ({r['val_bpc']:.3f} bpc)",
                end="\n",
            )


def _named(variables, prefix: str) -> dict[str, np.ndarray]:
    return {f"{prefix}/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(variables)}


def _restorable(model, optimizer) -> dict[str, list]:
    """The variables a checkpoint restores besides the weights, by prefix: the optimizer's
    (Adam's step count and moments) and the random generators' (dropout's masks)."""
    return {"optimizer": list(optimizer.variables),
            "random": list(model.keras.non_trainable_variables)}


def check_checkpoint(path: Path | None, resume: bool, overwrite: bool,
                     flags: tuple[str, str] = ("resume=True", "overwrite=True")) -> None:
    """Refuse to start where training would lose an existing checkpoint. ``flags``: how
    the caller spells "continue it" and "replace it" (the CLI: --resume, --restart)."""
    if resume and path is None:
        raise ValueError("resume=True needs checkpoint: the file to continue from")
    if path is not None and path.is_dir():
        raise CheckpointError(f"checkpoint {str(path)!r} is a folder: give a file name "
                              "ending in .npz")
    if path is not None and path.exists() and not (resume or overwrite):
        raise CheckpointExistsError(f"checkpoint {str(path)!r} exists: pass {flags[0]} to "
                                    f"continue it, or {flags[1]} to replace it")


def _run_metadata(model, corpus: Corpus, config: TrainConfig) -> dict:
    """What a history records about its run: the model, the data and the settings (the
    first run's: a resume never rewrites them)."""
    return dict(
        kind=model.kind,
        num_hiddens=model.config.num_hiddens,
        num_layers=model.config.num_layers,
        dropout=model.config.dropout,
        num_params=model.num_params,
        corpus=corpus.name,
        corpus_sha256=corpus.sha256,
        vocab_size=len(corpus.vocab),
        baseline_nats=uniform_nats(len(corpus.vocab)),
        eval_split=config.eval_split,
        scoring=config.scoring,
        **{name: value for name, value in dataclasses.asdict(config).items()
           if name not in config.budget()},
        budget=config.budget(),
    )


def _schedule(phases: list):
    """A Keras learning-rate schedule following a cosine plan (``resume.plan``): in each
    phase the rate falls along half a cosine from its first rate to its last."""
    import keras
    import tensorflow as tf

    class PlannedCosine(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = tf.cast(step, tf.float32)
            rate = tf.constant(phases[0][2], tf.float32)
            for first, end, high, low in phases:
                done = tf.clip_by_value((step - first) / max(end - first, 1), 0.0, 1.0)
                here = low + (high - low) * 0.5 * (1.0 + tf.cos(math.pi * done))
                rate = tf.where(step >= first, here, rate)
            return rate

        def get_config(self):
            return {"phases": phases}

    return PlannedCosine()


def _compile(model, config: TrainConfig, phases: list):
    """Compile ``model.keras`` with Adam, the schedule planned and the clipping asked for;
    return the optimizer, its variables built (so that a checkpoint can fill them)."""
    import keras

    learning_rate = _schedule(phases) if phases else config.learning_rate
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate,
                                      global_clipnorm=config.global_clipnorm)
    model.keras.compile(optimizer=optimizer,
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    optimizer.build(model.keras.trainable_variables)
    return optimizer


def _restore(model, optimizer, start: resume.Start, carried_batch: int | None) -> list | None:
    """Fill the model, the optimizer and the random generators from ``start``'s
    checkpoint, each array checked against its variable's shape before it is read;
    return the carried streams' states (None when the run does not carry state)."""
    expected = dict(models.weight_shapes(model.kind, len(model.vocab), model.config))
    integers = []
    for prefix, variables in _restorable(model, optimizer).items():
        for i, v in enumerate(variables):
            expected[f"{prefix}/{i:04d}"] = tuple(v.shape)
            if not np.dtype(v.dtype).kind == "f":
                integers.append(f"{prefix}/{i:04d}")
    states = {} if carried_batch is None else {
        f"state/{name}": shape
        for name, shape in models.state_shapes(model.kind, model.config,
                                               carried_batch).items()}
    expected.update(states)
    arrays = resume.read_arrays(start, expected, integers)
    if not arrays:
        return None if carried_batch is None else _zero_states(model, carried_batch)
    model.set_weights(arrays, source=f"checkpoint {str(start.path)!r}")
    for prefix, variables in _restorable(model, optimizer).items():
        for i, v in enumerate(variables):
            v.assign(arrays[f"{prefix}/{i:04d}"])
    return None if carried_batch is None else [arrays[name] for name in states]


class Recorder:
    """What happens between the training steps: counting steps against the budget,
    stopping on a NaN or infinite loss, and at each evaluation a record (history,
    checkpoint, progress line, ``on_record``).

    Plain Python, so that it reads (and is tested) apart from Keras; ``_keras_callback``
    connects it to ``fit``, and the carried loop calls it directly. Each method returns
    True when training must stop. ``extra_arrays``: what a checkpoint holds besides the
    weights (optimizer, random generators, carried states), asked for at each save.
    """

    def __init__(self, model, corpus, config: TrainConfig, start: resume.Start, optimizer,
                 path: Path | None, on_record=None, progress: bool = True,
                 extra_arrays=dict):
        self.model, self.corpus, self.config = model, corpus, config
        self.history, self.start_step = start.history, start.step
        self.phases = start.phases
        self.optimizer, self.path, self.on_record = optimizer, path, on_record
        self.extra_arrays = extra_arrays
        self.step = start.step
        self.diverged: tuple[int, float] | None = None  # (step, loss) of a NaN or inf
        self.saved_step: int | None = None  # the step of the last checkpoint written
        self._past_seconds = start.seconds
        self._started = time.perf_counter()
        self._progress = _Progress(progress, f"[{model.kind}]", config.total_steps)

    def seconds(self) -> float:
        """Training time so far, a resumed run's past included."""
        return self._past_seconds + time.perf_counter() - self._started

    def budget_spent(self) -> bool:
        return self.config.spent(self.step, self.seconds())

    def after_batch(self, loss: float) -> bool:
        self.step += 1
        if not math.isfinite(loss):
            self.diverged = (self.step, loss)
            return True
        chars_per_step = self.config.chars_per_step
        done = (self.step - self.start_step) * chars_per_step
        rate = done / max(time.perf_counter() - self._started, 1e-9)
        self._progress.batch(self.step, self.step * chars_per_step, rate, loss)
        return self.budget_spent()

    def after_evaluation(self, train_nats: float, val_nats: float) -> bool:
        if self.diverged is not None:
            return True
        if not math.isfinite(val_nats):
            self.diverged = (self.step, val_nats)
            return True
        record = {
            "step": self.step,
            "chars_seen": self.step * self.config.chars_per_step,
            "seconds": round(self.seconds(), 3),
            "train_nats": train_nats,
            "train_bpc": train_nats / LN2,
            "val_nats": val_nats,
            "val_bpc": val_nats / LN2,
            "eval_split": self.config.eval_split,  # the text val_nats is measured on
            "learning_rate": float(np.asarray(self.optimizer.learning_rate)),
        }
        self.history.append(record)
        self.model.meta.update(corpus=self.corpus.name, corpus_sha256=self.corpus.sha256,
                               steps=record["step"], chars_seen=record["chars_seen"],
                               val_nats=val_nats, val_bpc=record["val_bpc"],
                               eval_split=self.config.eval_split, scoring=self.config.scoring)
        if self.path is not None:
            self._save(record)
        self._progress.record(record)
        if self.on_record is not None:
            # and where this run started: 0, or a resumed checkpoint's step, which the
            # record's step and characters already count from
            self.on_record({**record, "run_start_step": self.start_step})
        return False

    def _save(self, record: dict) -> None:
        weights = self.model.get_weights()
        if not all(np.isfinite(w).all() for w in weights.values()):
            raise TrainingDivergedError(f"weights are not finite at step {record['step']}")
        meta = resume.checkpoint_meta(self.model, self.corpus, self.config,
                                      step=record["step"], seconds=record["seconds"],
                                      phases=self.phases, history=self.history)
        ckpt.write(self.path, {**weights, **self.extra_arrays()}, meta)
        self.saved_step = record["step"]

    def kept(self) -> str:
        """What survives the run: said when it is interrupted or diverges."""
        if self.saved_step is not None:
            return f"the last good checkpoint (step {self.saved_step}) is in {self.path}"
        if self.path is not None and self.path.exists():
            return f"nothing was saved from this run: {self.path} is as it was"
        return "no checkpoint was written"

    def divergence_error(self) -> TrainingDivergedError:
        step, loss = self.diverged
        config = self.config
        return TrainingDivergedError(
            f"the loss became {loss} at step {step} (learning_rate={config.learning_rate}, "
            f"global_clipnorm={config.global_clipnorm}); {self.kept()}. Try "
            "global_clipnorm=1.0 to clip exploding gradients, or a smaller learning_rate."
        )


def _keras_callback(recorder: Recorder):
    """A Keras callback that hands each step and each evaluation to ``recorder``."""
    import keras

    class ToRecorder(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if recorder.after_batch(float(logs["loss"])):
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):  # an "epoch" is eval_every steps here
            if recorder.after_evaluation(float(logs["loss"]), float(logs["val_loss"])):
                self.model.stop_training = True

    return ToRecorder()


def train(model, corpus: Corpus, config: TrainConfig | None = None, *,
          checkpoint: str | os.PathLike | None = None, resume: bool = False,
          overwrite: bool = False, extend: bool = False, on_record=None,
          progress: bool = True, strategy=None, **settings) -> History:
    """Train ``model`` on ``corpus`` until the first budget runs out; return the History.

    ``config`` is a ``TrainConfig``; or give its fields as keywords (``max_steps=500,
    batch_size=32``), which also override a given config's. Training reads the training
    split only; records are measured on the validation split (``config.eval_split``).

    Every ``eval_every`` steps (and at the end) a record is made: it is appended to the
    history, passed to ``on_record(record)`` (with ``run_start_step`` added: 0, or the step
    a resumed run started from), and, with ``checkpoint``, saved with the
    weights, optimizer and random state in one file replaced atomically. Ctrl-C or a
    crash leaves the last record's checkpoint intact. A NaN or infinite loss stops
    training with TrainingDivergedError before anything from it is saved. An existing
    checkpoint is continued with ``resume=True`` or replaced with ``overwrite=True``;
    otherwise training refuses to start rather than lose it. One process at a time
    trains into a checkpoint (CheckpointBusyError for a second one).

    Resuming is exact, in both regimes: the batches come from one stream fixed by
    ``seed`` and a resumed run goes on where it stopped (10 steps and 10 resumed steps
    give the weights of 20). A resume must ask for the recorded model, corpus and
    settings (``rnnlab.resume`` says what is checked); a bigger budget needs
    ``extend=True``, which re-plans a cosine schedule from the rate reached.

    ``schedule="cosine"`` decays the learning rate to a tenth over the step or
    character budget. ``global_clipnorm`` rescales the whole gradient when its global
    norm is larger (Pascanu, Mikolov & Bengio, 2013); Keras's per-weight ``clipnorm`` is
    another thing. ``strategy``: a ``tf.distribute`` strategy the model was built under
    (windows only: a carried run trains on one device).
    """
    config = train_config(config, settings)
    if model.vocab != corpus.vocab:
        raise VocabularyMismatchError(
            f"model vocabulary ({len(model.vocab)} chars) differs from corpus {corpus.name!r} "
            f"vocabulary ({len(corpus.vocab)} chars): build the model with corpus.vocab")
    if config.carry_state and strategy is not None:
        raise ValueError("strategy: a carried run (carry_state=True) trains on one device; "
                         "leave strategy out")
    path = Path(checkpoint) if checkpoint is not None else None
    check_checkpoint(path, resume, overwrite)
    with ckpt.lock(path) if path is not None else contextlib.nullcontext():
        return _train(model, corpus, config, path, resume, extend, on_record, progress,
                      strategy)


def _train(model, corpus, config, path, resume_run, extend, on_record, progress, strategy):
    import tensorflow as tf

    start = resume.read_start(model, corpus, config, path, resume=resume_run, extend=extend)
    history = start.history
    if not start.step and not history:
        history.meta.update(_run_metadata(model, corpus, config))

    splits = corpus.splits(config.heldout_fraction, config.validation_fraction)
    scored = splits.validation if config.validation_fraction else splits.heldout
    scored = scored[: config.eval_chars + 1]
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        optimizer = _compile(model, config, start.phases)
    states = _restore(model, optimizer, start, config.batch_size if config.carry_state
                      else None)
    carried = {"states": states}  # the carried loop keeps the streams' state here

    def extra_arrays():
        arrays = {}
        for prefix, variables in _restorable(model, optimizer).items():
            arrays.update(_named(variables, prefix))
        if config.carry_state:
            names = models.state_shapes(model.kind, model.config, config.batch_size)
            arrays.update({f"state/{name}": np.asarray(value)
                           for name, value in zip(names, carried["states"])})
        return arrays

    recorder = Recorder(model, corpus, config, start, optimizer, path, on_record, progress,
                        extra_arrays)
    if recorder.budget_spent():
        # a resumed run whose budget is already spent: the model holds the checkpoint's
        # weights (restored above), so a caller that exports it exports the trained model
        return history
    try:
        if config.carry_state:
            _fit_carried(model, config, optimizer, splits.train, scored, recorder, carried)
        else:
            with strategy.scope():
                _fit_windows(model, config, splits.train, scored, recorder)
    except KeyboardInterrupt:
        sys.stderr.write(f"\ntraining interrupted at step {recorder.step}; "
                         f"{recorder.kept()}\n")
        raise
    if recorder.diverged is not None:
        raise recorder.divergence_error()
    return history


def _fit_windows(model, config: TrainConfig, train_ids, scored_ids, recorder: Recorder):
    """Keras ``fit`` on shuffled windows, each read from a zero state."""
    # One shuffled stream of batches for the whole run, fixed by the seed (each pass over
    # the windows in a new order); a resumed run skips the batches already trained on, so
    # 10 steps and 10 resumed steps see exactly the batches of 20 uninterrupted ones.
    train_batches = dataset(train_ids, config.num_steps, config.batch_size, shuffle=True,
                            seed=config.seed).repeat().skip(recorder.step)
    scored_batches = dataset(scored_ids, config.num_steps, batch_size=128, shuffle=False)
    total_steps = config.total_steps
    remaining = None if total_steps is None else total_steps - recorder.step
    model.keras.fit(
        train_batches, validation_data=scored_batches,
        steps_per_epoch=config.record_every,  # one "epoch" per record
        epochs=math.ceil(remaining / config.record_every) if remaining else 10**9,
        callbacks=[_keras_callback(recorder)],
        shuffle=False,  # the batches come shuffled, seeded
        verbose=0,
    )


def _fit_carried(model, config: TrainConfig, optimizer, train_ids, scored_ids,
                 recorder: Recorder, carried: dict):
    """Truncated backpropagation through time (Williams & Peng 1990; char-rnn's way):
    ``batch_size`` contiguous streams of the training text, each read window after
    window in order, the state at the end of one window starting the next; gradients
    stop at the window's start. Every pass over the text starts from a zero state."""
    import keras
    import tensorflow as tf

    inputs, targets = streams_of(train_ids, config.batch_size)  # (batch, length) each
    per_pass = inputs.shape[1] // config.num_steps
    if per_pass < 1:
        raise CorpusTooShortError(
            f"corpus: {len(train_ids):,} training characters make {config.batch_size} "
            f"streams shorter than one window of num_steps = {config.num_steps}")
    stepper = models.with_state(model)
    variables = model.keras.trainable_variables
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function(reduce_retracing=True)
    def train_step(x, y, states):
        with tf.GradientTape() as tape:
            logits, *states = stepper([x, *states], training=True)  # (batch, T, V)
            loss = loss_fn(y, logits)
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss, states

    losses = []
    while True:
        window = recorder.step % per_pass
        if window == 0:
            carried["states"] = _zero_states(model, config.batch_size)  # a new pass
        where = slice(window * config.num_steps, (window + 1) * config.num_steps)
        loss, carried["states"] = train_step(inputs[:, where], targets[:, where],
                                             carried["states"])
        losses.append(float(loss))
        stop = recorder.after_batch(losses[-1])
        if recorder.diverged is not None:
            return
        if stop or len(losses) == config.record_every:
            scored = evaluate(model, scored_ids, num_steps=config.num_steps, carry=True)
            if recorder.after_evaluation(float(np.mean(losses)), scored) or stop:
                return
            losses = []


def train_config(config: TrainConfig | None, settings: dict) -> TrainConfig:
    """``config`` (None: the defaults) with ``settings`` (TrainConfig fields as keywords)
    applied, checked."""
    known = TrainConfig.fields()
    unknown = sorted(set(settings) - set(known))
    if unknown:
        raise TypeError(f"train: unexpected keyword(s) {unknown}; TrainConfig's fields are "
                        f"{sorted(known)}")
    if config is None:
        return TrainConfig(**settings)
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config: expected a TrainConfig, got {type(config).__name__}")
    return dataclasses.replace(config, **settings)
