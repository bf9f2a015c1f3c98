"""Reference cells in numpy: the equations the lessons print, on a trained model's weights.

Vanilla RNN (one tanh layer)::

    H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)

LSTM (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000)::

    I_t       = sigmoid(X_t W_xi + H_{t-1} W_hi + b_i)     input gate
    F_t       = sigmoid(X_t W_xf + H_{t-1} W_hf + b_f)     forget gate
    O_t       = sigmoid(X_t W_xo + H_{t-1} W_ho + b_o)     output gate
    C_tilde_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)        candidate cell
    C_t       = F_t * C_{t-1} + I_t * C_tilde_t            the cell state: a sum, not a product
    H_t       = O_t * tanh(C_t)

Both cells have one interface, ``step(X_t, state) -> (H_t, state)``; the LSTM's state is
``(H, C)``. Rows are batch entries: ``X_t`` is (batch, embed_dim), ``H`` is
(batch, num_hiddens). These cells are tested equal to the Keras layers they mirror.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnnlab import checks
from rnnlab.models import EMBEDDING, LOGITS, RECURRENT, require_one_layer

# Keras packs the LSTM's four weight blocks side by side in the order i, f, c, o (c is
# the candidate). This is the one place that order is written down.
KERAS_LSTM_GATE_ORDER = ("I", "F", "C_tilde", "O")


def gate_block(gate: str, num_hiddens: int) -> slice:
    """Where ``gate`` ("I", "F", "C_tilde" or "O") lies along the last axis of the
    LSTM's fused kernel, recurrent kernel and bias (4 * num_hiddens wide)."""
    k = KERAS_LSTM_GATE_ORDER.index(gate)
    return slice(k * num_hiddens, (k + 1) * num_hiddens)


def sigmoid(x):
    # 0.5 * (1 + tanh(x / 2)) equals 1 / (1 + exp(-x)) and never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class RNNCell:
    """The vanilla RNN cell: ``H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)``."""

    kind = "rnn"

    def __init__(self, W_xh, W_hh, b_h):
        self.W_xh = np.asarray(W_xh)  # (embed_dim, num_hiddens)
        self.W_hh = np.asarray(W_hh)  # (num_hiddens, num_hiddens)
        self.b_h = np.asarray(b_h)  # (num_hiddens,)
        self.embed_dim, self.num_hiddens = self.W_xh.shape

    def initial_state(self, batch: int = 1):
        return np.zeros((batch, self.num_hiddens), dtype=self.W_hh.dtype)

    def project_input(self, X):
        """The input's share of the pre-activation, ``X W_xh + b_h``, for any leading shape."""
        return X @ self.W_xh + self.b_h  # (..., num_hiddens)

    def recur(self, XW, state):
        """One step given the projected input ``XW`` (from ``project_input``)."""
        H = np.tanh(XW + state @ self.W_hh)  # (batch, num_hiddens)
        return H, H

    def step(self, X_t, state):
        return self.recur(self.project_input(X_t), state)


@dataclass
class LSTMStep:
    """Everything one LSTM step computes, each (batch, num_hiddens)."""

    H: np.ndarray
    C: np.ndarray
    I: np.ndarray  # noqa: E741 (the name of the gate in the equations)
    F: np.ndarray
    O: np.ndarray  # noqa: E741
    C_tilde: np.ndarray


class LSTMCell:
    """The LSTM cell; the state is the pair ``(H, C)``."""

    kind = "lstm"

    def __init__(self, kernel, recurrent_kernel, bias):
        # Fused weights, exactly as Keras stores them: blocks in KERAS_LSTM_GATE_ORDER.
        self.W_x = np.asarray(kernel)  # (embed_dim, 4 * num_hiddens)
        self.W_h = np.asarray(recurrent_kernel)  # (num_hiddens, 4 * num_hiddens)
        self.b = np.asarray(bias)  # (4 * num_hiddens,)
        self.embed_dim = self.W_x.shape[0]
        self.num_hiddens = self.W_h.shape[0]
        self._blocks = {g: gate_block(g, self.num_hiddens) for g in KERAS_LSTM_GATE_ORDER}

    def weights(self, gate: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(W_x, W_h, b) of one gate, e.g. ``weights("F")`` is (W_xf, W_hf, b_f)."""
        block = self._blocks[gate]
        return self.W_x[:, block], self.W_h[:, block], self.b[block]

    def initial_state(self, batch: int = 1):
        zeros = np.zeros((batch, self.num_hiddens), dtype=self.W_h.dtype)
        return zeros, zeros.copy()

    def project_input(self, X):
        """The input's share of all four pre-activations, ``X W_x + b``."""
        return X @ self.W_x + self.b  # (..., 4 * num_hiddens)

    def forward(self, XW, state) -> LSTMStep:
        """One step with every gate, given the projected input ``XW``."""
        H_prev, C_prev = state
        Z = XW + H_prev @ self.W_h  # (batch, 4 * num_hiddens)
        b = self._blocks
        I = sigmoid(Z[:, b["I"]])  # noqa: E741
        F = sigmoid(Z[:, b["F"]])
        O = sigmoid(Z[:, b["O"]])  # noqa: E741
        C_tilde = np.tanh(Z[:, b["C_tilde"]])
        C = F * C_prev + I * C_tilde  # (batch, num_hiddens)
        H = O * np.tanh(C)  # (batch, num_hiddens)
        return LSTMStep(H=H, C=C, I=I, F=F, O=O, C_tilde=C_tilde)

    def recur(self, XW, state):
        out = self.forward(XW, state)
        return out.H, (out.H, out.C)

    def step(self, X_t, state):
        return self.recur(self.project_input(X_t), state)


def cell_for(model):
    """The numpy cell of a CharModel, with its trained weights bound."""
    require_one_layer(model, "the numpy cells")
    weights = model.get_weights()
    cell_class = LSTMCell if model.kind == "lstm" else RNNCell
    return cell_class(
        weights[f"{RECURRENT}/kernel"],
        weights[f"{RECURRENT}/recurrent_kernel"],
        weights[f"{RECURRENT}/bias"],
    )


class Reference:
    """A whole CharModel in numpy: embedding, cell and output layer."""

    def __init__(self, model):
        weights = model.get_weights()
        self.vocab = model.vocab
        self.kind = model.kind
        self.embedding = weights[f"{EMBEDDING}/embeddings"]  # (vocab_size, embed_dim)
        self.cell = cell_for(model)
        self.W_hq = weights[f"{LOGITS}/kernel"]  # (num_hiddens, vocab_size)
        self.b_q = weights[f"{LOGITS}/bias"]  # (vocab_size,)

    def logits(self, H):
        return H @ self.W_hq + self.b_q  # (..., vocab_size)


@dataclass
class Trace:
    """What a model computed at every step of a text, each array (T, units) time first.

    ``H`` and ``logits`` for both kinds; ``C``, ``I``, ``F``, ``O``, ``C_tilde`` for the
    LSTM (None for the RNN). ``logits[t]`` predicts the character after ``text[t]``.
    ``state`` is the state after the last step, to continue from.
    """

    kind: str
    text: str
    ids: np.ndarray
    H: np.ndarray
    logits: np.ndarray
    state: object
    C: np.ndarray | None = None
    I: np.ndarray | None = None  # noqa: E741
    F: np.ndarray | None = None
    O: np.ndarray | None = None  # noqa: E741
    C_tilde: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)


def unroll(model, text_or_ids, state=None, reference: Reference | None = None) -> Trace:
    """Run the numpy cell over a text; every character is an input (T chars, T steps)."""
    ref = reference or Reference(model)
    text, ids = checks.text_or_ids("text_or_ids", text_or_ids, model.vocab)
    cell = ref.cell
    state = cell.initial_state(1) if state is None else state
    XW = cell.project_input(ref.embedding[ids])  # (T, gates * num_hiddens), all steps at once
    names = ("H",) + (("C", "I", "F", "O", "C_tilde") if cell.kind == "lstm" else ())
    out = {name: np.zeros((len(ids), cell.num_hiddens), dtype=XW.dtype) for name in names}
    for t in range(len(ids)):
        if cell.kind == "lstm":
            result = cell.forward(XW[t : t + 1], state)
            state = (result.H, result.C)
            for name in names:
                out[name][t] = getattr(result, name)[0]
        else:
            H, state = cell.recur(XW[t : t + 1], state)
            out["H"][t] = H[0]
    return Trace(
        kind=cell.kind, text=text, ids=ids, logits=ref.logits(out["H"]), state=state, **out
    )
