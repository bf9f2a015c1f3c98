"""Long-lag memory tasks: can a model carry one piece of information across T steps?

``recall``: the first symbol of a sequence is one of ``num_classes`` "signal" symbols,
the next ``lag`` symbols are random distractors, and the model must name the first
symbol at the end. Chance is 1 / num_classes. A variant of the long-time-lag problems
of Hochreiter & Schmidhuber (1997), section 5.

``adding``: the adding problem of the same paper (experiment 4): pairs (value, marker);
values are uniform in [0, 1], two positions are marked, the target is the sum of the
two marked values. Always answering 1.0 scores a mean squared error of about 0.167.

``lag_sweep`` trains a small model of each kind per lag on the recall task and reports
its held-out accuracy, the evidence for "the RNN forgets, the LSTM remembers".
"""

from __future__ import annotations

import time

import numpy as np

KINDS = ("rnn", "lstm")


def _check(name, value, minimum=1):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return int(value)


def recall(lag: int, n: int, seed: int = 0, num_classes: int = 4, num_distractors: int = 4):
    """(X, y): X int32 (n, lag + 1) symbol ids, y int32 (n,) the first symbol.

    Signal symbols are ids ``0 .. num_classes - 1``; distractors are the next
    ``num_distractors`` ids. The vocabulary size is ``num_classes + num_distractors``.
    """
    lag, n = _check("lag", lag), _check("n", n)
    _check("num_classes", num_classes, 2)
    _check("num_distractors", num_distractors, 1)
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
    T, n = _check("T", T, 2), _check("n", n)
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


def recall_model(kind: str, vocab_size: int, num_classes: int, num_hiddens: int = 32,
                 seed: int = 0, recurrent_initializer: str = "orthogonal",
                 forget_bias: float = 1.0):
    """Embedding -> SimpleRNN | LSTM (last state only) -> Dense over the signal classes.

    ``recurrent_initializer`` "orthogonal" is Keras's default (all singular values 1:
    the state keeps its norm at the start of training); "glorot_uniform" is a plain
    random matrix, closer to how recurrent nets were started before about 2014.

    ``forget_bias`` (LSTM only) starts every forget gate at sigmoid(forget_bias): Keras's
    1.0 gives F = 0.73, so at the start C keeps 0.73**50 = 2e-7 of a symbol seen 50 steps
    ago, and the gradient back to it is as small; 3.0 gives F = 0.95 (0.95**50 = 0.08).
    Gers, Schmidhuber & Cummins (2000) start the forget gates open for this reason.
    """
    import keras

    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    if recurrent_initializer not in RECURRENT_INITIALIZERS:
        raise ValueError(f"recurrent_initializer: expected one of {RECURRENT_INITIALIZERS}, "
                         f"got {recurrent_initializer!r}")
    init = keras.initializers
    recurrent_init = (init.Orthogonal(seed=seed + 2) if recurrent_initializer == "orthogonal"
                      else init.GlorotUniform(seed=seed + 2))
    layer = keras.layers.LSTM if kind == "lstm" else keras.layers.SimpleRNN
    ids = keras.Input(shape=(None,), dtype="int32")  # (batch, lag + 1)
    X = keras.layers.Embedding(vocab_size, 8, embeddings_initializer=init.RandomUniform(
        -0.05, 0.05, seed=seed))(ids)  # (batch, lag + 1, 8)
    H = layer(num_hiddens, kernel_initializer=init.GlorotUniform(seed=seed + 1),
              recurrent_initializer=recurrent_init)(X)  # (batch, num_hiddens)
    logits = keras.layers.Dense(num_classes, kernel_initializer=init.GlorotUniform(
        seed=seed + 3))(H)  # (batch, num_classes)
    model = keras.Model(ids, logits)
    if kind == "lstm":
        cell = model.layers[2].cell
        bias = cell.bias.numpy()  # blocks in Keras order i, f, c, o
        bias[num_hiddens : 2 * num_hiddens] = forget_bias
        cell.bias.assign(bias)
    return model


def recall_point(kind: str, lag: int, *, steps: int = 400, batch_size: int = 64,
                 num_hiddens: int = 32, learning_rate: float = 3e-3,
                 global_clipnorm: float | None = 1.0, seed: int = 0,
                 n_test: int = 1000, recurrent_initializer: str = "orthogonal",
                 forget_bias: float = 1.0, on_step=None) -> dict:
    """Train one model on recall at one lag; its accuracy on fresh test sequences.

    ``on_step(done, steps)`` is called after each training step, for progress.
    """
    import keras

    start = time.perf_counter()
    X, y = recall(lag, steps * batch_size, seed=seed)
    X_test, y_test = recall(lag, n_test, seed=seed + 10_000)
    model = recall_model(kind, vocab_size=8, num_classes=4, num_hiddens=num_hiddens, seed=seed,
                         recurrent_initializer=recurrent_initializer, forget_bias=forget_bias)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate, global_clipnorm=global_clipnorm),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    keras.utils.set_random_seed(seed)  # the order of the (already random) training batches
    callbacks = [] if on_step is None else [keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: on_step(batch + 1, steps))]
    model.fit(X, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
              callbacks=callbacks)
    logits = model.predict(X_test, batch_size=500, verbose=0)  # (n_test, num_classes)
    accuracy = float((logits.argmax(axis=1) == y_test).mean())
    return {
        "kind": kind, "lag": int(lag), "accuracy": accuracy, "chance": 0.25,
        "steps": steps, "batch_size": batch_size, "num_hiddens": num_hiddens,
        "global_clipnorm": global_clipnorm, "seed": seed,
        "recurrent_initializer": recurrent_initializer, "learning_rate": learning_rate,
        "forget_bias": forget_bias if kind == "lstm" else None,
        "seconds": round(time.perf_counter() - start, 2),
    }


def lag_sweep(kinds=KINDS, lags=(1, 2, 5, 10, 20, 50, 100), on_point=None, **kwargs) -> dict:
    """``recall_point`` for every kind and lag: {kind: [point, ...]} in lag order.

    ``kwargs`` go to ``recall_point`` (steps, num_hiddens, global_clipnorm, seed, ...).
    ``on_point(point)`` is called after each point, for progress.
    """
    results = {kind: [] for kind in kinds}
    for lag in lags:
        for kind in kinds:
            point = recall_point(kind, lag, **kwargs)
            results[kind].append(point)
            if on_point is not None:
                on_point(point)
    return results


def failure_lag(points, threshold: float = 0.9):
    """The smallest lag whose accuracy is below ``threshold``, or None if none is."""
    for point in sorted(points, key=lambda p: p["lag"]):
        if point["accuracy"] < threshold:
            return point["lag"]
    return None


def sweep_path():
    from importlib import resources
    from pathlib import Path

    return Path(str(resources.files("rnnlab") / "results" / "lag_sweep.json"))


def load_sweep(path=None) -> dict:
    """The shipped sweep made by ``tools/lag_sweep.py``: {"meta": {...}, "results": {...}}."""
    import json
    from pathlib import Path

    path = Path(path or sweep_path())
    if not path.is_file():
        raise FileNotFoundError(f"lag sweep {path} is missing: `make lag-sweep` makes it")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"lag sweep {path} is not JSON: {exc}") from exc
    results = data.get("results") if isinstance(data, dict) else None
    if (not isinstance(results, dict) or not results or set(results) - set(KINDS)
            or not isinstance(data.get("meta", {}).get("settings"), dict)):
        raise ValueError(
            f"lag sweep {path}: expected {{'meta': {{'settings': ...}}, 'results': "
            f"{{kind: [points]}}}} with kinds from {KINDS}"
        )
    return data


def live_steps() -> int:
    """Training steps for a live point in a lesson: fewer under RNNLAB_QUICK."""
    from rnnlab.settings import scaled

    return scaled(600, 60)
