"""Gradients through time, over many windows, from the models' own Keras layers.

The loss's gradient with respect to the state at every step comes from TensorFlow
autodiff through the model's own Keras cell, on its own weights, so there is no third
copy of the equations to get wrong. The trick: wrap the cell so that it adds a "probe"
tensor ``P_t`` (all zeros) to ``H_t``, run the stock ``keras.layers.RNN`` over the
wrapped cell, and differentiate the loss with respect to the probe. Because
``H_t + P_t`` is what every later step and the output see, ``dL/dP_t`` is the total
derivative ``dL/dH_t`` through all paths in time. Also here: the numpy what-if of
lesson 3 (``rnn_gradient_reach``), the toy linear/tanh RNN (``toy_gradient_norms``) and
an untrained twin of a model (``at_initialisation``).
"""

from __future__ import annotations

import math

import numpy as np

from rnnlab import cells, checks
from rnnlab.models import EMBEDDING, LOGITS, RECURRENT, per_model, require_one_layer
from rnnlab.units import saturated as is_saturated

ACTIVATIONS = {
    "tanh": (np.tanh, lambda A, H: 1.0 - H**2),
    "relu": (lambda A: np.maximum(A, 0.0), lambda A, H: (A > 0).astype(A.dtype)),
    "linear": (lambda A: A, lambda A, H: np.ones_like(A)),
}

@per_model
def _float64_build(model):
    """The same architecture in float64 (built once per model; weights set by the caller)."""
    import keras

    from rnnlab import models

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")
    try:
        # precision "float32" leaves the layers to the global policy set above
        return models.build(model.kind, model.vocab, model.config, precision="float32")
    finally:
        keras.config.set_dtype_policy(previous)


def _float64_twin(model):
    """The same model in float64, with the model's current weights.

    Gradients through time are computed in float64: a trained vanilla RNN's gradient
    shrinks by about 0.75 per step back, so in float32 (smallest number about 1e-45) it
    reaches 0 some 350 steps back; in float64 it stays exact past 2,000 steps.
    """
    twin = _float64_build(model)
    # the weights, every time: the model may have trained since
    twin.keras.set_weights([np.asarray(w, np.float64) for w in model.keras.get_weights()])
    return twin


def _probed_rnn(model):
    """A keras.layers.RNN over the model's own cell, fed [X_t, P_t, Q_t] at each step.

    P_t is added to H_t and (LSTM) Q_t to the carried C_t: both add zero, but then
    dL/dP_t = dL/dH_t and dL/dQ_t = the loss's derivative through the carried C_t. The
    output at each step is H_t (+ P_t), and for the LSTM also C_t and O_t, (batch, 3H),
    from which the total dL/dC_t is assembled (``_total_dC``).
    """
    import keras

    require_one_layer(model, "the gradient probes")
    cell = model.layer(RECURRENT).cell
    embed_dim, units = model.config.embed_dim, model.config.num_hiddens
    lstm = model.kind == "lstm"

    class ProbedCell(keras.layers.Layer):
        def __init__(self):
            super().__init__(dtype=cell.dtype_policy)
            self.inner = cell
            self.state_size = cell.state_size
            self.output_size = 3 * units if lstm else units

        def call(self, inputs, states, training=False):
            X_t = inputs[:, :embed_dim]  # (batch, E)
            P_t = inputs[:, embed_dim:embed_dim + units]  # (batch, H)
            Q_t = inputs[:, embed_dim + units:]  # (batch, H)
            H, new_states = self.inner(X_t, states, training=training)
            H = H + P_t  # adds zero, but now dL/dP_t = dL/dH_t
            if not lstm:
                return H, H
            C = new_states[1]  # (batch, H), the C that H_t was computed from
            # the output gate, as the cell computed it
            Z = (X_t @ self.inner.kernel + states[0] @ self.inner.recurrent_kernel
                 + self.inner.bias)  # (batch, 4H)
            O = self.inner.recurrent_activation(Z[:, cells.gate_block("O", units)])  # noqa: E741
            return keras.ops.concatenate([H, C, O], axis=-1), [H, C + Q_t]

    # the wrapper layer takes the model's dtype too: a float64 model stays float64
    return keras.layers.RNN(ProbedCell(), return_sequences=True,
                            dtype=model.layer(RECURRENT).dtype_policy)


def _total_dC(dQ, dH, C, O):  # noqa: E741 - the output gate, as in the equations
    """dL/dC_t in full: through the carried state (dQ) and through H_t = O_t tanh(C_t)."""
    import tensorflow as tf

    return dQ + dH * O * (1.0 - tf.tanh(C) ** 2)


@per_model
def _window_function(model):
    """Traced once per model: any number of windows, any length (both axes dynamic)."""
    import tensorflow as tf

    rnn = _probed_rnn(model)
    embedding, dense = model.layer(EMBEDDING), model.layer(LOGITS)
    units, lstm = model.config.num_hiddens, model.kind == "lstm"

    @tf.function(input_signature=[tf.TensorSpec([None, None], tf.int32)],
                 reduce_retracing=True)
    def norms(ids):
        inputs, targets = ids[:, :-1], ids[:, -1]  # (B, T), (B,)
        X = embedding(inputs)  # (B, T, embed_dim)
        P = tf.zeros(tf.concat([tf.shape(X)[:2], [units]], 0), X.dtype)  # (B, T, H)
        Q = tf.zeros_like(P)
        with tf.GradientTape() as tape:
            tape.watch([X, P, Q])
            out = rnn(tf.concat([X, P, Q], axis=-1))  # (B, T, H) or (B, T, 3H)
            logits = dense(out[:, -1, :units])  # (B, vocab_size): the last step only
            # windows do not interact, so the gradient of the sum is each window's own
            loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
        dX, dH, dQ = tape.gradient(loss, [X, P, Q])
        found = {"H": tf.norm(dH, axis=-1), "x": tf.norm(dX, axis=-1)}  # (B, T) each
        if lstm:
            C, O = out[..., units:2 * units], out[..., 2 * units:]  # noqa: E741
            found["C"] = tf.norm(_total_dC(dQ, dH, C, O), axis=-1)
        return found

    return norms


def _window_ids(model, windows) -> np.ndarray:
    if isinstance(windows, str) or (len(windows) and isinstance(windows[0], str)):
        texts = [windows] if isinstance(windows, str) else list(windows)
        if len({len(t) for t in texts}) != 1:
            raise ValueError("windows: expected texts of one length, got lengths "
                             f"{sorted({len(t) for t in texts})}")
        windows = [model.vocab.encode(t) for t in texts]
    windows = np.asarray(windows)
    windows = windows[None] if windows.ndim == 1 else windows  # one window: (1, T + 1)
    ids = checks.ids("windows", windows, ndim=2, vocab_size=len(model.vocab), min_length=2)
    return ids.astype(np.int32)


def window_gradients(model, windows) -> dict[str, np.ndarray]:
    """How much each step of each window still matters to the loss at its last step.

    ``windows``: (n, T + 1) int ids, one text, or n texts of T + 1 characters; the first
    T characters are inputs, and L_T is the cross-entropy of predicting the last one.
    Returns {quantity: (n, T) float64} of gradient norms, computed in float64 for all
    windows in one call:

    * "H": ||dL_T/dH_t||, through the hidden state;
    * "x": ||dL_T/dx_t||, the embedded input character: how much the character at t
      moves the prediction at T ("connectivity", Madsen 2019);
    * "C" (LSTM only): ||dL_T/dC_t||, the cell state, in full: through the carried
      C_{t+1} = F C_t + ... and through H_t = O_t tanh(C_t).
    """
    ids = _window_ids(model, windows)
    found = _window_function(_float64_twin(model))(ids)
    return {name: values.numpy() for name, values in found.items()}


def gradient_band(norms: np.ndarray, low: float = 10, high: float = 90) -> dict:
    """Per step, the median and a ``low``-``high`` percentile band over windows of each
    window's norm relative to its own last step (1.0 at t = T), shape (T,) each."""
    norms = np.asarray(norms, dtype=np.float64)
    if norms.ndim != 2 or norms.shape[0] == 0 or norms.shape[1] == 0:
        raise ValueError(f"norms: expected (n_windows, T) with both above 0, got shape "
                         f"{norms.shape}")
    last = norms[:, -1]  # (n,): what each window's ratios are taken against
    bad = np.flatnonzero(~(np.isfinite(last) & (last > 0)))
    if bad.size:
        raise ValueError(f"norms: window {int(bad[0])}'s last step is {float(last[bad[0]])}: a "
                         "ratio to it is undefined; expected a finite norm above 0 (drop that "
                         "window)")
    ratio = norms / norms[:, -1:]  # (n, T)
    return {"median": np.median(ratio, axis=0), "low": np.percentile(ratio, low, axis=0),
            "high": np.percentile(ratio, high, axis=0), "windows": len(norms)}


def steps_below(norms: np.ndarray, level: float) -> dict[str, int | None]:
    """How many steps back the gradient, relative to the last step, first falls below
    ``level``: for the median over windows and for the 10th and 90th percentiles of
    ``gradient_band`` ("median", "low", "high"). ``norms``: (windows, T), as
    ``window_gradients`` gives them; k = 0 is the last step. None where it never does.

    Where the near terms still carry 1% or 0.1% of the signal says more about what a
    model can learn from than the ratio 99 steps back, which compares two negligible
    numbers (Pascanu, Mikolov & Bengio 2013 weigh long-term terms against short-term ones).
    """
    band = gradient_band(norms)
    found = {}
    for edge in ("median", "low", "high"):
        below = np.flatnonzero(band[edge][::-1] < level)  # k = 0, 1, ... steps back
        found[edge] = int(below[0]) if below.size else None
    return found


def rnn_gradient_reach(model, windows, saturated_tanh_prime: float | None = None,
                       unsaturated_tanh_prime: float | None = None) -> float:
    """How far back a vanilla RNN's gradient reaches: the median over windows of
    log10(||dL_T/dH_1|| / ||dL_T/dH_T||), backpropagated in numpy (float64) through the
    model's own weights, one Jacobian diag(1 - H_t^2) W_hh^T per step.

    ``saturated_tanh_prime``: a what-if. Every unit beyond +-0.9 at a step passes that
    tanh' instead of its own (0.19 is what a unit at exactly 0.9 passes): how far the
    gradient would reach if saturation did not squeeze it below that.
    ``unsaturated_tanh_prime``: the same for the other units (both 1.0: the weights
    alone, as in a linear RNN).
    """
    if model.kind != "rnn":
        raise ValueError(f"model: expected a vanilla RNN, got a {model.kind!r} model")
    ids = _window_ids(model, windows)
    twin = _float64_twin(model)  # the forward pass in float64 too, as window_gradients
    ref = cells.Reference(twin)
    W_hh, W_hq = ref.cell.W_hh, ref.W_hq  # (units, units), (units, vocab)
    reaches = []
    for window in ids:
        trace = cells.unroll(twin, window[:-1], reference=ref)
        H = trace.H  # (T, units)
        logits = trace.logits[-1]
        p = np.exp(logits - logits.max())
        p /= p.sum()
        p[window[-1]] -= 1.0  # dL/dlogits of the cross-entropy at the last step
        G = p @ W_hq.T  # dL/dH_T, (units,)
        last = np.linalg.norm(G)
        for t in range(len(H) - 1, 0, -1):
            tanh_prime = 1.0 - H[t] ** 2
            saturated = is_saturated(H[t])
            if saturated_tanh_prime is not None:
                tanh_prime = np.where(saturated, saturated_tanh_prime, tanh_prime)
            if unsaturated_tanh_prime is not None:
                tanh_prime = np.where(saturated, tanh_prime, unsaturated_tanh_prime)
            G = (G * tanh_prime) @ W_hh.T  # dL/dH_(t-1)
        reaches.append(np.log10(np.linalg.norm(G) / last))
    return float(np.median(reaches))


def at_initialisation(model, seed: int = 0):
    """A fresh model of the same kind and size, untrained: where the gradient starts."""
    from rnnlab import models

    return models.build(model.kind, model.vocab, model.config, seed=seed)


def toy_gradient_norms(
    num_steps: int,
    spectral_radius: float,
    activation: str = "tanh",
    num_hiddens: int = 64,
    seed: int = 0,
) -> np.ndarray:
    """||dL/dH_t|| in a random vanilla RNN whose recurrent matrix has a chosen spectral radius.

    ``W_hh`` is a random orthogonal matrix times ``spectral_radius``: every eigenvalue
    and every singular value has that magnitude, so the theory is exact. Backpropagation
    multiplies the gradient by ``diag(act'(A_t)) W_hh^T`` once per step back:

    * linear: the norm changes by exactly ``spectral_radius`` per step;
    * tanh: ``0 <= tanh' <= 1``, so the norm falls at least as fast: the radius is an
      upper bound on the growth per step (Pascanu, Mikolov & Bengio 2013, section 2);
    * relu: units that are off pass nothing back.

    The gradient at the last step is a unit vector; the result has shape (num_steps,),
    ending with 1.0, in float64.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {tuple(ACTIVATIONS)}, got {activation!r}")
    num_steps = checks.whole("num_steps", num_steps)
    num_hiddens = checks.whole("num_hiddens", num_hiddens)
    radius = checks.non_negative("spectral_radius", spectral_radius)
    act, act_grad = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    Q, R = np.linalg.qr(rng.standard_normal((num_hiddens, num_hiddens)))
    W_hh = radius * Q * np.sign(np.diag(R))  # (num_hiddens, num_hiddens), orthogonal x radius
    W_xh = rng.standard_normal((num_hiddens, num_hiddens)) / math.sqrt(num_hiddens)
    X = rng.standard_normal((num_steps, num_hiddens))  # (T, num_hiddens) random inputs
    H = np.zeros(num_hiddens)
    A_all, H_all = np.zeros((num_steps, num_hiddens)), np.zeros((num_steps, num_hiddens))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
        for t in range(num_steps):
            A = X[t] @ W_xh + H @ W_hh  # (num_hiddens,)
            H = act(A)
            A_all[t], H_all[t] = A, H
    G = rng.standard_normal(num_hiddens)
    G /= np.linalg.norm(G)  # dL/dH_T: a unit vector
    norms = np.zeros(num_steps)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(num_steps - 1, -1, -1):
            norms[t] = np.linalg.norm(G)
            G = (G * act_grad(A_all[t], H_all[t])) @ W_hh.T  # dL/dH_{t-1}
    if not (np.isfinite(norms).all() and np.isfinite(A_all).all()):
        raise ValueError(f"spectral_radius: {radius:g} over {num_steps} steps overflows "
                         "float64 (numbers past 1.8e308); expected a smaller radius or fewer "
                         "steps")
    return norms
