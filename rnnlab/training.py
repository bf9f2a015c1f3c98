"""Training a character model, with budgets, evaluation records and safe checkpoints.

``train`` runs Keras ``fit`` on windows of the training split and, every
``eval_every`` steps, measures the loss on held-out text and appends a record to the
history. Losses are cross-entropies per character: in nats (natural log) and in bits
per character (bpc = nats / ln 2). A model that knows nothing but the alphabet
scores ln(vocab size) nats: the baseline every curve is compared with.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnlab import checkpoint as ckpt
from rnnlab import checks
from rnnlab.baselines import LN2, uniform_nats
from rnnlab.corpus import Corpus, dataset
from rnnlab.errors import (
    CheckpointError,
    CheckpointExistsError,
    CheckpointMismatchError,
    TrainingDivergedError,
    VocabularyMismatchError,
)
from rnnlab.history import History
from rnnlab.models import per_model

__all__ = ["train", "TrainConfig", "Recorder", "check_checkpoint", "evaluate", "baseline_nats",
           "History", "SCHEDULES"]

SCHEDULES = ("constant", "cosine")


def baseline_nats(vocab_size: int) -> float:
    """Loss of the know-nothing model, uniform over the vocabulary: ln(vocab_size)."""
    return uniform_nats(vocab_size)


def evaluate(model, ids, *, num_steps: int = 100, batch_size: int = 128,
             vocab=None) -> float:
    """Mean cross-entropy in nats per character over windows of ``ids``.

    Every window starts from a zero state, as in training, so the figure is
    comparable with the validation records of ``train``. ``vocab``: the vocabulary that
    encoded ``ids``; when given, it must be the model's (another one would give a figure
    that means nothing). Ids the model's vocabulary cannot hold are refused either way.
    """
    if vocab is not None and vocab != model.vocab:
        raise VocabularyMismatchError(
            f"ids: encoded with a vocabulary of {len(vocab)} characters, but the "
            f"{model.kind!r} model reads a vocabulary of {len(model.vocab)}: evaluate it "
            "on text of the corpus it was trained on")
    ids = checks.ids("ids", ids, vocab_size=len(model.vocab))
    total, count = 0.0, 0
    forward = _forward_loss(model)
    for inputs, targets in dataset(ids, num_steps, batch_size, shuffle=False):
        total += float(forward(inputs, targets))  # summed over (batch, num_steps)
        count += int(np.prod(targets.shape))
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


@per_model
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
    eval_chars: int = 100_000  # held-out characters each record is measured on
    val_fraction: float = 0.1  # the held-out tail of the corpus

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
        keep("seed", checks.whole("seed", self.seed, minimum=0))
        keep("val_fraction", checks.fraction("val_fraction", self.val_fraction))
        if self.max_steps is None and self.max_minutes is None and self.max_chars is None:
            raise ValueError("train: give a budget: max_steps, max_minutes or max_chars")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: expected one of {SCHEDULES}, got {self.schedule!r}")
        if self.schedule == "cosine" and self.total_steps is None:
            raise ValueError("schedule='cosine' needs max_steps or max_chars to know when "
                             "to end")

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
        return {"max_steps": self.max_steps, "max_minutes": self.max_minutes,
                "max_chars": self.max_chars}

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


def _optimizer_arrays(optimizer) -> dict[str, np.ndarray]:
    return {f"optimizer/{i:04d}": np.asarray(v.numpy()) for i, v in enumerate(optimizer.variables)}


def _restore_optimizer(optimizer, model, arrays, path):
    names = sorted(k for k in arrays if k.startswith("optimizer/"))
    if not names:
        return False
    optimizer.build(model.keras.trainable_variables)
    variables = optimizer.variables
    if len(variables) != len(names):
        raise CheckpointError(
            f"checkpoint {str(path)!r}: {len(names)} optimizer arrays, but the optimizer "
            f"has {len(variables)} variables"
        )
    for variable, name in zip(variables, names):
        if tuple(variable.shape) != arrays[name].shape:
            raise CheckpointError(
                f"checkpoint {str(path)!r}: optimizer array {name} has shape "
                f"{arrays[name].shape}, expected {tuple(variable.shape)}"
            )
        variable.assign(arrays[name])
    return True


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


@dataclass
class _Start:
    """Where a run starts: from nothing, or from a checkpoint's last record."""

    history: History
    step: int = 0
    seconds: float = 0.0
    optimizer_arrays: dict | None = None  # {"optimizer/0000": array, ...}


def _resume_state(model, path: Path | None, resume: bool) -> _Start:
    """The weights, history, step, time and optimizer state of a checkpoint to continue
    (the weights go into ``model``); a fresh start without one."""
    if not (resume and path is not None and path.exists()):
        return _Start(History(meta={}))
    arrays, meta = ckpt.read(path)
    described = meta.get("model", {})
    if described.get("kind") != model.kind or described.get("vocab") != model.vocab.chars:
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} holds a {described.get('kind')!r} model with "
            f"another vocabulary or kind than the {model.kind!r} model being trained"
        )
    model.set_weights(arrays, source=f"checkpoint {str(path)!r}")
    training = meta.get("training", {})
    return _Start(History(meta.get("history", []), meta.get("history_meta")),
                  step=int(training.get("step", 0)),
                  seconds=float(training.get("seconds", 0.0)), optimizer_arrays=arrays)


def _run_metadata(model, corpus: Corpus, config: TrainConfig) -> dict:
    """What a history records about its run: the model, the data and the settings."""
    return dict(
        kind=model.kind,
        num_hiddens=model.config.num_hiddens,
        num_params=model.num_params,
        corpus=corpus.name,
        corpus_sha256=corpus.sha256,
        vocab_size=len(corpus.vocab),
        baseline_nats=baseline_nats(len(corpus.vocab)),
        batch_size=config.batch_size,
        num_steps=config.num_steps,
        learning_rate=config.learning_rate,
        schedule=config.schedule,
        global_clipnorm=config.global_clipnorm,
        seed=config.seed,
        budget=config.budget(),
    )


def _compile(model, config: TrainConfig, start: _Start, path: Path | None):
    """Compile ``model.keras`` with Adam (and the schedule and clipping asked for),
    restoring the optimizer state a checkpoint holds; return the optimizer."""
    import keras

    learning_rate = config.learning_rate
    if config.schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(
            config.learning_rate, config.total_steps, alpha=0.1)
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate,
                                      global_clipnorm=config.global_clipnorm)
    model.keras.compile(optimizer=optimizer,
                        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    if start.optimizer_arrays is not None:
        _restore_optimizer(optimizer, model, start.optimizer_arrays, path)
    return optimizer


class Recorder:
    """What happens between Keras's steps: counting steps against the budget, stopping
    on a NaN or infinite loss, and at each evaluation a record (history, checkpoint,
    progress line, ``on_record``).

    Plain Python, so that it reads (and is tested) apart from Keras; ``_keras_callback``
    connects it to ``fit``. Each method returns True when training must stop.
    """

    def __init__(self, model, corpus, config: TrainConfig, start: _Start, optimizer,
                 path: Path | None, on_record=None, progress: bool = True):
        self.model, self.corpus, self.config = model, corpus, config
        self.history, self.start_step = start.history, start.step
        self.optimizer, self.path, self.on_record = optimizer, path, on_record
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
            "learning_rate": float(np.asarray(self.optimizer.learning_rate)),
        }
        self.history.append(record)
        self.model.meta.update(corpus=self.corpus.name, corpus_sha256=self.corpus.sha256,
                               steps=record["step"], chars_seen=record["chars_seen"],
                               val_nats=val_nats, val_bpc=record["val_bpc"])
        if self.path is not None:
            self._save(record)
        self._progress.record(record)
        if self.on_record is not None:
            self.on_record(dict(record))
        return False

    def _save(self, record: dict) -> None:
        weights = self.model.get_weights()
        if not all(np.isfinite(w).all() for w in weights.values()):
            raise TrainingDivergedError(f"weights are not finite at step {record['step']}")
        meta = {
            **self.model.meta,
            "model": self.model.describe(),
            # where to resume from; the run's settings are in history_meta, once
            "training": {k: record[k] for k in ("step", "chars_seen", "seconds")},
            "history": list(self.history),
            "history_meta": self.history.meta,
        }
        ckpt.write(self.path, {**weights, **_optimizer_arrays(self.optimizer)}, meta)
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
          overwrite: bool = False, on_record=None, progress: bool = True, strategy=None,
          **settings) -> History:
    """Train ``model`` on ``corpus`` until the first budget runs out; return the History.

    ``config`` is a ``TrainConfig``; or give its fields as keywords (``max_steps=500,
    batch_size=32``), which also override a given config's.

    Every ``eval_every`` steps (and at the end) a record is made: it is appended to the
    history, passed to ``on_record(record)``, and, with ``checkpoint``, saved with the
    weights and optimizer state in one file replaced atomically. Ctrl-C or a crash
    leaves the last record's checkpoint intact. A NaN or infinite loss stops training
    with TrainingDivergedError before anything from it is saved. An existing checkpoint
    is continued with ``resume=True`` or replaced with ``overwrite=True``; otherwise
    training refuses to start rather than lose it. Resuming is exact: the batches come
    from one stream fixed by ``seed``, and a resumed run skips those already trained on.

    ``schedule="cosine"`` decays the learning rate to a tenth over the step or
    character budget. ``global_clipnorm`` rescales the whole gradient when its global
    norm is larger (Pascanu, Mikolov & Bengio, 2013); Keras's per-weight ``clipnorm`` is
    another thing. ``strategy``: a ``tf.distribute`` strategy the model was built under.
    """
    import tensorflow as tf

    config = train_config(config, settings)
    if model.vocab != corpus.vocab:
        raise VocabularyMismatchError(
            f"model vocabulary ({len(model.vocab)} chars) differs from corpus {corpus.name!r} "
            f"vocabulary ({len(corpus.vocab)} chars): build the model with corpus.vocab")
    path = Path(checkpoint) if checkpoint is not None else None
    check_checkpoint(path, resume, overwrite)
    start = _resume_state(model, path, resume)
    history = start.history
    history.meta.update(_run_metadata(model, corpus, config))
    total_steps = config.total_steps
    if total_steps is not None and start.step >= total_steps:
        return history  # the checkpoint already finished this budget

    # One shuffled stream of batches for the whole run, fixed by the seed (each pass over
    # the windows in a new order); a resumed run skips the batches already trained on, so
    # 10 steps and 10 resumed steps see exactly the batches of 20 uninterrupted ones.
    train_ids, val_ids = corpus.split(config.val_fraction)
    train_batches = dataset(train_ids, config.num_steps, config.batch_size, shuffle=True,
                            seed=config.seed).repeat().skip(start.step)
    val_batches = dataset(val_ids[: config.eval_chars + 1], config.num_steps,
                          batch_size=128, shuffle=False)
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        optimizer = _compile(model, config, start, path)
    recorder = Recorder(model, corpus, config, start, optimizer, path, on_record, progress)
    if recorder.budget_spent():
        return history  # e.g. a resumed run whose minutes are already used up

    remaining = None if total_steps is None else total_steps - start.step
    try:
        with strategy.scope():
            model.keras.fit(
                train_batches, validation_data=val_batches,
                steps_per_epoch=config.record_every,  # one "epoch" per record
                epochs=math.ceil(remaining / config.record_every) if remaining else 10**9,
                callbacks=[_keras_callback(recorder)],
                shuffle=False,  # the batches come shuffled, seeded
                verbose=0,
            )
    except KeyboardInterrupt:
        sys.stderr.write(f"\ntraining interrupted at step {recorder.step}; "
                         f"{recorder.kept()}\n")
        raise
    if recorder.diverged is not None:
        raise recorder.divergence_error()
    return history


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
