"""Long-lag memory tasks: can a model carry one piece of information across T steps?

``recall``: the first symbol of a sequence is one of ``num_classes`` "signal" symbols,
the next ``lag`` symbols are random distractors, and the model must name the first
symbol at the end. Chance is 1 / num_classes. A variant of the long-time-lag problems
of Hochreiter & Schmidhuber (1997), section 5.

``adding``: a variant of the adding problem of the same paper (experiment 4): pairs
(value, marker); values are uniform in [0, 1] (the paper's are in [-1, 1]), two positions
are marked, the target is the plain sum of the two marked values (the paper scales it).
Always answering 1.0 scores a mean squared error of about 0.167.

``make lag-sweep`` trains small models of each kind on both tasks, per lag, several seeds
per point and several settings per kind (``SWEEP_SERIES``), and reports their held-out
accuracy: where each one stops carrying information, and what each setting buys.
"""

from __future__ import annotations

import functools
import time

import numpy as np

from rnnlab import cells, checks, models

KINDS = models.KINDS


def recall(lag: int, n: int, seed: int = 0, num_classes: int = 4, num_distractors: int = 4):
    """(X, y): X int32 (n, lag + 1) symbol ids, y int32 (n,) the first symbol.

    Signal symbols are ids ``0 .. num_classes - 1``; distractors are the next
    ``num_distractors`` ids. The vocabulary size is ``num_classes + num_distractors``.
    """
    lag, n = checks.whole("lag", lag), checks.whole("n", n)
    checks.whole("num_classes", num_classes, 2)
    checks.whole("num_distractors", num_distractors, 1)
    rng = np.random.default_rng(seed)
    y = rng.integers(0, num_classes, size=n).astype(np.int32)  # (n,)
    distractors = rng.integers(num_classes, num_classes + num_distractors, size=(n, lag))
    X = np.concatenate([y[:, None], distractors], axis=1).astype(np.int32)  # (n, lag + 1)
    return X, y


def adding(T: int, n: int, seed: int = 0):
    """(X, y): X float32 (n, T, 2) rows of (value, marker), y float32 (n,) the marked sum.

    One marker falls in the first half of the sequence and one in the second, so the
    model must hold the first value for about T / 2 steps or more.
    """
    T, n = checks.whole("T", T, 2), checks.whole("n", n)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(n, T))  # (n, T)
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    markers = np.zeros((n, T))
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    X = np.stack([values, markers], axis=-1).astype(np.float32)  # (n, T, 2)
    y = (values[np.arange(n), first] + values[np.arange(n), second]).astype(np.float32)
    return X, y


RECURRENT_INITIALIZERS = ("orthogonal", "glorot_uniform")

# The adding problem counts an answer as right when it is this close to the sum: the
# criterion of Hochreiter & Schmidhuber (1997, experiment 4), absolute error below 0.04.
ADDING_TOLERANCE = 0.04


def _recurrent_layer(kind: str, num_hiddens: int, seed: int, recurrent_initializer: str):
    """A SimpleRNN or LSTM that returns its last state only, seeded like the char models."""
    import keras

    models.check_kind(kind)
    if recurrent_initializer not in RECURRENT_INITIALIZERS:
        raise ValueError(f"recurrent_initializer: expected one of {RECURRENT_INITIALIZERS}, "
                         f"got {recurrent_initializer!r}")
    init = keras.initializers
    recurrent_seed = models.part_seed(seed, "recurrent_kernel")
    recurrent_init = (init.Orthogonal(seed=recurrent_seed) if recurrent_initializer == "orthogonal"
                      else init.GlorotUniform(seed=recurrent_seed))
    layer = keras.layers.LSTM if kind == "lstm" else keras.layers.SimpleRNN
    return layer(num_hiddens,
                 kernel_initializer=init.GlorotUniform(seed=models.part_seed(seed, "kernel")),
                 recurrent_initializer=recurrent_init)


def _set_forget_bias(layer, num_hiddens: int, forget_bias: float) -> None:
    bias = layer.cell.bias.numpy()  # (4 * num_hiddens,): the four gates' blocks
    bias[cells.gate_block("F", num_hiddens)] = forget_bias
    layer.cell.bias.assign(bias)


def recall_model(kind: str, vocab_size: int, num_classes: int, num_hiddens: int = 32,
                 seed: int = 0, recurrent_initializer: str = "orthogonal",
                 forget_bias: float = 1.0):
    """Embedding -> SimpleRNN | LSTM (last state only) -> Dense over the signal classes.

    ``recurrent_initializer`` "orthogonal" is Keras's default for both layers (all
    singular values 1: the state keeps its norm at the start of training);
    "glorot_uniform" is a plain random matrix, closer to how recurrent nets were started
    before about 2014.

    ``forget_bias`` (LSTM only) starts every forget gate at sigmoid(forget_bias): Keras's
    1.0 gives F = 0.73, so at the start C keeps 0.73**50 = 2e-7 of a symbol seen 50 steps
    ago, and the gradient back to it is as small; 3.0 gives F = 0.95 (0.95**50 = 0.08).
    Gers, Schmidhuber & Cummins (2000) start the forget gates open for this reason.
    """
    import keras

    init = keras.initializers
    recurrent = _recurrent_layer(kind, num_hiddens, seed, recurrent_initializer)
    ids = keras.Input(shape=(None,), dtype="int32")  # (batch, lag + 1)
    X = keras.layers.Embedding(vocab_size, 8, embeddings_initializer=init.RandomUniform(
        -0.05, 0.05, seed=seed))(ids)  # (batch, lag + 1, 8)
    H = recurrent(X)  # (batch, num_hiddens)
    logits = keras.layers.Dense(num_classes, kernel_initializer=init.GlorotUniform(
        seed=models.part_seed(seed, "logits")))(H)  # (batch, num_classes)
    model = keras.Model(ids, logits)
    if kind == "lstm":
        _set_forget_bias(recurrent, num_hiddens, forget_bias)
    return model


def adding_model(kind: str, num_hiddens: int = 32, seed: int = 0,
                 recurrent_initializer: str = "orthogonal", forget_bias: float = 1.0):
    """(value, marker) rows -> SimpleRNN | LSTM (last state only) -> one number, the sum."""
    import keras

    recurrent = _recurrent_layer(kind, num_hiddens, seed, recurrent_initializer)
    rows = keras.Input(shape=(None, 2))  # (batch, T, 2)
    H = recurrent(rows)  # (batch, num_hiddens)
    total = keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(
        seed=models.part_seed(seed, "logits")))(H)  # (batch, 1)
    model = keras.Model(rows, total)
    if kind == "lstm":
        _set_forget_bias(recurrent, num_hiddens, forget_bias)
    return model


def _fit(model, loss, X, y, *, steps, batch_size, learning_rate, global_clipnorm, seed,
         on_step):
    """Adam over ``steps`` batches of (X, y), one pass, in order, with progress."""
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=global_clipnorm),
                  loss=loss)
    keras.utils.set_random_seed(seed)  # the order of the (already random) training batches
    callbacks = [] if on_step is None else [keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: on_step(batch + 1, steps))]
    model.fit(X, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
              callbacks=callbacks)


def recall_point(kind: str, lag: int, *, steps: int = 400, batch_size: int = 64,
                 num_hiddens: int = 32, learning_rate: float = 3e-3,
                 global_clipnorm: float | None = 1.0, seed: int = 0,
                 n_test: int = 1000, recurrent_initializer: str = "orthogonal",
                 forget_bias: float = 1.0, num_classes: int = 4, num_distractors: int = 4,
                 on_step=None) -> dict:
    """Train one model on recall at one lag; its accuracy on fresh test sequences.

    ``on_step(done, steps)`` is called after each training step, for progress.
    """
    import keras

    start = time.perf_counter()
    sizes = dict(num_classes=num_classes, num_distractors=num_distractors)
    X, y = recall(lag, steps * batch_size, seed=seed, **sizes)
    X_test, y_test = recall(lag, n_test, seed=seed + 10_000, **sizes)
    model = recall_model(kind, vocab_size=num_classes + num_distractors,
                         num_classes=num_classes, num_hiddens=num_hiddens, seed=seed,
                         recurrent_initializer=recurrent_initializer, forget_bias=forget_bias)
    _fit(model, keras.losses.SparseCategoricalCrossentropy(from_logits=True), X, y,
         steps=steps, batch_size=batch_size, learning_rate=learning_rate,
         global_clipnorm=global_clipnorm, seed=seed, on_step=on_step)
    logits = model.predict(X_test, batch_size=500, verbose=0)  # (n_test, num_classes)
    accuracy = float((logits.argmax(axis=1) == y_test).mean())
    return {
        "task": "recall", "kind": kind, "lag": int(lag), "accuracy": accuracy,
        "chance": 1.0 / num_classes,
        "steps": steps, "batch_size": batch_size, "num_hiddens": num_hiddens,
        "global_clipnorm": global_clipnorm, "seed": seed,
        "recurrent_initializer": recurrent_initializer, "learning_rate": learning_rate,
        "forget_bias": forget_bias if kind == "lstm" else None,
        "seconds": round(time.perf_counter() - start, 2),
    }


def adding_point(kind: str, lag: int, *, steps: int = 400, batch_size: int = 64,
                 num_hiddens: int = 32, learning_rate: float = 3e-3,
                 global_clipnorm: float | None = 1.0, seed: int = 0,
                 n_test: int = 1000, recurrent_initializer: str = "orthogonal",
                 forget_bias: float = 1.0, on_step=None) -> dict:
    """Train one model on the adding problem with sequences of ``lag`` rows.

    ``accuracy`` is the share of fresh test sequences answered within
    ``ADDING_TOLERANCE`` of the sum; ``chance`` is that share for the constant answer 1.0,
    the best answer that ignores the input. ``mse`` and ``constant_mse`` are the same pair
    as mean squared errors.
    """
    import keras

    start = time.perf_counter()
    X, y = adding(lag, steps * batch_size, seed=seed)
    X_test, y_test = adding(lag, n_test, seed=seed + 10_000)
    model = adding_model(kind, num_hiddens=num_hiddens, seed=seed,
                         recurrent_initializer=recurrent_initializer, forget_bias=forget_bias)
    _fit(model, keras.losses.MeanSquaredError(), X, y, steps=steps, batch_size=batch_size,
         learning_rate=learning_rate, global_clipnorm=global_clipnorm, seed=seed,
         on_step=on_step)
    predicted = model.predict(X_test, batch_size=500, verbose=0)[:, 0]  # (n_test,)
    return {
        "task": "adding", "kind": kind, "lag": int(lag),
        "accuracy": float(np.mean(np.abs(predicted - y_test) < ADDING_TOLERANCE)),
        "chance": float(np.mean(np.abs(1.0 - y_test) < ADDING_TOLERANCE)),
        "mse": float(np.mean((predicted - y_test) ** 2)),
        "constant_mse": float(np.mean((1.0 - y_test) ** 2)),
        "steps": steps, "batch_size": batch_size, "num_hiddens": num_hiddens,
        "global_clipnorm": global_clipnorm, "seed": seed,
        "recurrent_initializer": recurrent_initializer, "learning_rate": learning_rate,
        "forget_bias": forget_bias if kind == "lstm" else None,
        "seconds": round(time.perf_counter() - start, 2),
    }


# The memory sweep (``make lag-sweep``): every series is one task, one kind and one set of
# settings, trained afresh per lag and seed. The settings not named here are the
# ``recall_point`` / ``adding_point`` defaults, except the number of steps (SWEEP_STEPS).
# Keras's SimpleRNN and LSTM both default to an orthogonal recurrent matrix; its LSTM
# starts the forget gates at bias 1 (``unit_forget_bias=True``).
SWEEP_SERIES = {
    "rnn_keras_defaults": dict(
        task="recall", kind="rnn", recurrent_initializer="orthogonal", global_clipnorm=None,
        label="RNN, Keras's defaults (orthogonal recurrent init), no clipping"),
    "rnn_orthogonal_clipped": dict(
        task="recall", kind="rnn", recurrent_initializer="orthogonal", global_clipnorm=1.0,
        label="RNN, orthogonal recurrent init, clipping at 1"),
    "rnn_glorot": dict(
        task="recall", kind="rnn", recurrent_initializer="glorot_uniform", global_clipnorm=None,
        label="RNN, Glorot-uniform recurrent init, no clipping"),
    "rnn_glorot_clipped": dict(
        task="recall", kind="rnn", recurrent_initializer="glorot_uniform", global_clipnorm=1.0,
        label="RNN, Glorot-uniform recurrent init, clipping at 1"),
    "lstm_bias1": dict(
        task="recall", kind="lstm", forget_bias=1.0, global_clipnorm=1.0,
        label="LSTM, forget-gate bias 1 (Keras's default), clipping at 1"),
    "lstm_bias3": dict(
        task="recall", kind="lstm", forget_bias=3.0, global_clipnorm=1.0,
        label="LSTM, forget-gate bias 3, clipping at 1"),
    "adding_rnn": dict(
        task="adding", kind="rnn", recurrent_initializer="orthogonal", global_clipnorm=1.0,
        label="RNN, orthogonal recurrent init, clipping at 1"),
    "adding_lstm": dict(
        task="adding", kind="lstm", forget_bias=3.0, global_clipnorm=1.0,
        label="LSTM, forget-gate bias 3, clipping at 1"),
}
SWEEP_STEPS = {"recall": 800, "adding": 2000}
SWEEP_LAGS = {"recall": (1, 2, 5, 10, 20, 50, 100, 200, 500), "adding": (10, 20, 50, 100, 200)}
TASK_POINT = {"recall": recall_point, "adding": adding_point}


def sweep_settings(series: str) -> dict:
    """What ``series`` (a key of SWEEP_SERIES) passes to its task's point function: its
    spec without task, kind and label, and the task's number of steps."""
    if series not in SWEEP_SERIES:
        raise ValueError(f"series: expected one of {sorted(SWEEP_SERIES)}, got {series!r}")
    spec = SWEEP_SERIES[series]
    return {"steps": SWEEP_STEPS[spec["task"]],
            **{k: v for k, v in spec.items() if k not in ("task", "kind", "label")}}


def sweep_point(series: str, lag: int, seed: int, **overrides) -> dict:
    """One point of the memory sweep: ``series`` (a key of SWEEP_SERIES) at ``lag``,
    with its name under "series".

    ``overrides`` replace settings (``steps=60`` gives a cheap point for a test).
    """
    settings = {**sweep_settings(series), **overrides}
    spec = SWEEP_SERIES[series]
    return {**TASK_POINT[spec["task"]](spec["kind"], lag, seed=seed, **settings),
            "series": series}


# The two series of each task a learner trains live, and the views draw thick: for recall
# the RNN and LSTM set up as the adding problem's two are (orthogonal and clipped; forget
# bias 3 and clipped).
MAIN_SERIES = {"recall": ("rnn_orthogonal_clipped", "lstm_bias3"),
               "adding": ("adding_rnn", "adding_lstm")}


def live_points(task: str, lag: int, steps: int | None = None, on_step=None) -> list[dict]:
    """The task's two MAIN_SERIES trained afresh at ``lag`` (seed 0) for ``steps``
    (default ``live_steps()``): a learner's own points beside the sweep's, which trained
    longer. ``on_step(series, done, steps)`` hears each one's progress."""
    if task not in MAIN_SERIES:
        raise ValueError(f"task: expected one of {tuple(MAIN_SERIES)}, got {task!r}")
    steps = steps or live_steps()
    points = []
    for name in MAIN_SERIES[task]:
        hear = None if on_step is None else functools.partial(on_step, name)
        points.append(sweep_point(name, lag, seed=0, steps=steps, on_step=hear))
    return points


def by_lag(points) -> list[dict]:
    """Points of one series grouped per lag: lag, n seeds, median, min, max of accuracy."""
    lags = sorted({p["lag"] for p in points})
    rows = []
    for lag in lags:
        values = np.array([p["accuracy"] for p in points if p["lag"] == lag])
        rows.append({"lag": lag, "n": len(values), "median": float(np.median(values)),
                     "min": float(values.min()), "max": float(values.max())})
    return rows


def failure_lag(points, threshold: float = 0.9):
    """The smallest lag whose median accuracy over seeds is below ``threshold``, or None."""
    for row in by_lag(points):
        if row["median"] < threshold:
            return row["lag"]
    return None


SWEEP_NAME = "memory_sweep"


def load_sweep(path=None) -> dict:
    """The shipped sweep made by ``make lag-sweep``, checked.

    ``{"meta": {command, date, machine, seconds, seeds, ...}, "series": {name: {"task",
    "kind", "label", "settings", "points": [...]}}}``; each point is one seed at one lag.
    """
    from rnnlab import results

    data = results.load(path or SWEEP_NAME, required=("series",))
    series = data["series"]
    needed = {"task", "kind", "label", "points"}
    bad = [name for name, s in series.items()
           if not isinstance(s, dict) or needed - s.keys() or s.get("kind") not in KINDS
           or s.get("task") not in TASK_POINT] if isinstance(series, dict) else ["series"]
    if not series or bad:
        raise ValueError(
            f"lag sweep {path or results.path(SWEEP_NAME)}: expected 'series' to map names to "
            f"{{{', '.join(sorted(needed))}}} with a kind from {KINDS} and a task from "
            f"{tuple(TASK_POINT)}; these do not: {bad or 'none given'}")
    return data


def live_steps() -> int:
    """Training steps for a live point in a lesson: fewer under RNNLAB_QUICK."""
    from rnnlab.settings import scaled

    return scaled(600, 60)
