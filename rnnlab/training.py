"""Training a character model, with budgets, evaluation records and safe checkpoints.

``train`` runs Keras ``fit`` on windows of the training split and, every
``eval_every`` steps, measures the loss on held-out text and appends a record to the
history. Losses are cross-entropies per character: in nats (natural log) and in bits
per character (bpc = nats / ln 2). A model that knows nothing but the alphabet
scores ln(vocab size) nats: the baseline every curve is compared with.
"""

from __future__ import annotations

import math
import os
import sys
import time
import weakref
from pathlib import Path

import numpy as np

from rnnlab import checkpoint as ckpt
from rnnlab.baselines import LN2, uniform_nats
from rnnlab.corpus import Corpus, dataset
from rnnlab.errors import (
    CheckpointError,
    CheckpointMismatchError,
    TrainingDivergedError,
    VocabularyMismatchError,
)
from rnnlab.history import History

__all__ = ["train", "evaluate", "baseline_nats", "History", "SCHEDULES"]

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
    ids = np.asarray(ids)
    if ids.size and (ids.min() < 0 or ids.max() >= len(model.vocab)):
        raise VocabularyMismatchError(
            f"ids: expected ids from 0 to {len(model.vocab) - 1} (the model's vocabulary), "
            f"got {int(ids.min())} to {int(ids.max())}")
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

    windows = np.asarray(windows)
    if windows.ndim != 2 or windows.shape[1] < 2 or not np.issubdtype(windows.dtype,
                                                                        np.integer):
        raise ValueError("windows: expected (n, length + 1) int ids with length >= 1, got "
                         f"{windows.dtype} {windows.shape}")
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


# Traced loss functions, one per model; weakly keyed so models can be freed.
_FORWARD_LOSS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _forward_loss(model):
    import tensorflow as tf

    cached = _FORWARD_LOSS.get(model)
    if cached is not None:
        return cached

    keras_model = model.keras  # not `model`: the cache is keyed by it and must not keep it alive

    @tf.function(
        input_signature=[tf.TensorSpec([None, None], tf.int32)] * 2, reduce_retracing=True
    )
    def forward(inputs, targets):
        logits = keras_model(inputs, training=False)  # (batch, num_steps, vocab_size)
        losses = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
        return tf.reduce_sum(losses)

    _FORWARD_LOSS[model] = forward
    return forward


def _check_positive(name, value, kind=int, allow_none=True):
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if kind is int:
        ok = ok and float(value).is_integer()
    if not ok or not math.isfinite(float(value)) or value <= 0:
        expected = "a positive int" if kind is int else "a positive number"
        raise ValueError(f"{name}: expected {expected}, got {value!r}")
    return kind(value)


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


def train(
    model,
    corpus: Corpus,
    *,
    max_steps: int | None = None,
    max_minutes: float | None = None,
    max_chars: int | None = None,
    batch_size: int = 64,
    num_steps: int = 100,
    learning_rate: float = 2e-3,
    schedule: str = "constant",
    global_clipnorm: float | None = None,
    seed: int = 0,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    overwrite: bool = False,
    on_record=None,
    eval_every: int | None = None,
    eval_chars: int = 100_000,
    val_fraction: float = 0.1,
    progress: bool = True,
    strategy=None,
) -> History:
    """Train ``model`` on ``corpus`` until the first budget runs out; return the History.

    Budgets (at least one): ``max_steps`` optimizer steps, ``max_minutes`` of wall time,
    ``max_chars`` characters seen (steps x batch_size x num_steps). With ``resume`` and
    an existing ``checkpoint`` the budgets count the run so far too.

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
    import keras
    import tensorflow as tf

    max_steps = _check_positive("max_steps", max_steps)
    max_minutes = _check_positive("max_minutes", max_minutes, kind=float)
    max_chars = _check_positive("max_chars", max_chars)
    batch_size = _check_positive("batch_size", batch_size, allow_none=False)
    num_steps = _check_positive("num_steps", num_steps, allow_none=False)
    learning_rate = _check_positive("learning_rate", learning_rate, kind=float, allow_none=False)
    global_clipnorm = _check_positive("global_clipnorm", global_clipnorm, kind=float)
    eval_chars = _check_positive("eval_chars", eval_chars, allow_none=False)
    if max_steps is None and max_minutes is None and max_chars is None:
        raise ValueError("train: give a budget: max_steps, max_minutes or max_chars")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule: expected one of {SCHEDULES}, got {schedule!r}")
    if model.vocab != corpus.vocab:
        raise ValueError(
            f"model vocabulary ({len(model.vocab)} chars) differs from corpus {corpus.name!r} "
            f"vocabulary ({len(corpus.vocab)} chars): build the model with corpus.vocab"
        )
    chars_per_step = batch_size * num_steps
    chars_in_steps = max_chars and math.ceil(max_chars / chars_per_step)
    step_budgets = [b for b in (max_steps, chars_in_steps) if b]
    total_steps = min(step_budgets) if step_budgets else None
    if schedule == "cosine" and total_steps is None:
        raise ValueError("schedule='cosine' needs max_steps or max_chars to know when to end")
    eval_every = _check_positive("eval_every", eval_every)
    if eval_every is None:
        eval_every = min(250, max(5, total_steps // 30)) if total_steps else 50

    train_ids, val_ids = corpus.split(val_fraction)
    val_eval = val_ids[: eval_chars + 1]
    strategy = strategy or tf.distribute.get_strategy()

    # --- state carried over from a checkpoint --------------------------------------------
    history = History(meta={})
    start_step, start_seconds = 0, 0.0
    saved_optimizer = None
    path = Path(checkpoint) if checkpoint is not None else None
    if resume and path is None:
        raise ValueError("resume=True needs checkpoint: the file to continue from")
    if path is not None and path.exists() and not (resume or overwrite):
        raise FileExistsError(
            f"checkpoint {str(path)!r} exists: pass resume=True to continue it or "
            "overwrite=True to replace it"
        )
    if resume and path is not None and path.exists():
        arrays, meta = ckpt.read(path)
        described = meta.get("model", {})
        if described.get("kind") != model.kind or described.get("vocab") != model.vocab.chars:
            raise CheckpointMismatchError(
                f"checkpoint {str(path)!r} holds a {described.get('kind')!r} model with "
                f"another vocabulary or kind than the {model.kind!r} model being trained"
            )
        model.set_weights(arrays, source=f"checkpoint {str(path)!r}")
        history = History(meta.get("history", []), meta.get("history_meta"))
        start_step = int(meta.get("training", {}).get("step", 0))
        start_seconds = float(meta.get("training", {}).get("seconds", 0.0))
        saved_optimizer = arrays

    history.meta.update(
        kind=model.kind,
        num_hiddens=model.config.num_hiddens,
        num_params=model.num_params,
        corpus=corpus.name,
        corpus_sha256=corpus.sha256,
        vocab_size=len(corpus.vocab),
        baseline_nats=baseline_nats(len(corpus.vocab)),
        batch_size=batch_size,
        num_steps=num_steps,
        learning_rate=learning_rate,
        schedule=schedule,
        global_clipnorm=global_clipnorm,
        seed=seed,
        budget={"max_steps": max_steps, "max_minutes": max_minutes, "max_chars": max_chars},
    )
    if total_steps is not None and start_step >= total_steps:
        return history  # the checkpoint already finished this budget

    # One shuffled stream of batches for the whole run, fixed by the seed (each pass over
    # the windows in a new order); a resumed run skips the batches already trained on, so
    # 10 steps and 10 resumed steps see exactly the batches of 20 uninterrupted ones.
    train_ds = dataset(train_ids, num_steps, batch_size, shuffle=True, seed=seed)
    train_ds = train_ds.repeat().skip(start_step)
    val_ds = dataset(val_eval, num_steps, batch_size=128, shuffle=False)

    with strategy.scope():
        lr = learning_rate
        if schedule == "cosine":
            lr = keras.optimizers.schedules.CosineDecay(learning_rate, total_steps, alpha=0.1)
        optimizer = keras.optimizers.Adam(learning_rate=lr, global_clipnorm=global_clipnorm)
        model.keras.compile(
            optimizer=optimizer,
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        if saved_optimizer is not None:
            _restore_optimizer(optimizer, model, saved_optimizer, path)

    progress_bar = _Progress(progress, f"[{model.kind}]", total_steps)
    state = {"step": start_step, "diverged": None, "saved_step": None}
    started = time.perf_counter()

    def seconds():
        return start_seconds + time.perf_counter() - started

    def budget_spent():
        step = state["step"]
        return (
            (max_steps is not None and step >= max_steps)
            or (max_chars is not None and step * chars_per_step >= max_chars)
            or (max_minutes is not None and seconds() >= 60 * max_minutes)
        )

    def save(record):
        weights = model.get_weights()
        if not all(np.isfinite(w).all() for w in weights.values()):
            raise TrainingDivergedError(f"weights are not finite at step {record['step']}")
        meta = {
            **model.meta,
            "model": model.describe(),
            # where to resume from; the run's settings are in history_meta, once
            "training": {k: record[k] for k in ("step", "chars_seen", "seconds")},
            "history": list(history),
            "history_meta": history.meta,
        }
        ckpt.write(path, {**weights, **_optimizer_arrays(optimizer)}, meta)
        state["saved_step"] = record["step"]

    class Loop(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            state["step"] += 1
            loss = float(logs["loss"])
            if not math.isfinite(loss):
                state["diverged"] = (state["step"], loss)
                self.model.stop_training = True
                return
            chars = state["step"] * chars_per_step
            done = state["step"] - start_step
            rate = done * chars_per_step / max(time.perf_counter() - started, 1e-9)
            progress_bar.batch(state["step"], chars, rate, loss)
            if budget_spent():
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if state["diverged"] is not None:
                return
            train_nats, val_nats = float(logs["loss"]), float(logs["val_loss"])
            record = {
                "step": state["step"],
                "chars_seen": state["step"] * chars_per_step,
                "seconds": round(seconds(), 3),
                "train_nats": train_nats,
                "train_bpc": train_nats / LN2,
                "val_nats": val_nats,
                "val_bpc": val_nats / LN2,
                "learning_rate": float(np.asarray(optimizer.learning_rate)),
            }
            if not math.isfinite(val_nats):
                state["diverged"] = (state["step"], val_nats)
                self.model.stop_training = True
                return
            history.append(record)
            model.meta.update(
                corpus=corpus.name,
                corpus_sha256=corpus.sha256,
                steps=record["step"],
                chars_seen=record["chars_seen"],
                val_nats=val_nats,
                val_bpc=record["val_bpc"],
            )
            if path is not None:
                save(record)
            progress_bar.record(record)
            if on_record is not None:
                on_record(dict(record))

    if budget_spent():
        return history  # e.g. a resumed run whose minutes are already used up
    remaining = None if total_steps is None else total_steps - start_step
    epochs = math.ceil(remaining / eval_every) if remaining else 10**9
    try:
        with strategy.scope():
            model.keras.fit(
                train_ds,
                epochs=epochs,
                steps_per_epoch=eval_every,
                validation_data=val_ds,
                callbacks=[Loop()],
                shuffle=False,  # the dataset reshuffles itself, seeded
                verbose=0,
            )
    except KeyboardInterrupt:
        kept = state["saved_step"]
        where = f"step {kept} is in {path}" if kept is not None else "none was written"
        sys.stderr.write(f"\ntraining interrupted at step {state['step']}; last checkpoint: "
                         f"{where}\n")
        raise
    if state["diverged"] is not None:
        step, loss = state["diverged"]
        if state["saved_step"] is not None:
            kept = f"the last good checkpoint (step {state['saved_step']}) is in {path}"
        elif path is not None and path.exists():
            kept = f"nothing was saved from this run: {path} is as it was"
        else:
            kept = "no checkpoint was written"
        raise TrainingDivergedError(
            f"the loss became {loss} at step {step} (learning_rate={learning_rate}, "
            f"global_clipnorm={global_clipnorm}); {kept}. Try global_clipnorm=1.0 to clip "
            "exploding gradients, or a smaller learning_rate."
        )
    return history
