"""Solutions to lesson 4: The LSTM."""

import numpy as np


def gru_step(X_t, H_prev, kernel, recurrent_kernel, bias):
    """One GRU step with Keras's fused weights (reset_after=False): blocks z, r, h."""
    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    x_z, x_r, x_h = np.split(X_t @ kernel + bias, 3, axis=-1)  # (batch, num_hiddens) each
    U_z, U_r, U_h = np.split(recurrent_kernel, 3, axis=-1)  # (num_hiddens, num_hiddens)
    Z = sigmoid(x_z + H_prev @ U_z)  # update gate: 1 keeps the old state
    R = sigmoid(x_r + H_prev @ U_r)  # reset gate: how much of the old state the candidate sees
    candidate = np.tanh(x_h + (R * H_prev) @ U_h)
    return Z * H_prev + (1 - Z) * candidate


def total_params(blocks, num_hiddens, embed_dim=64, vocab_size=84):
    """Embedding + recurrent layer (``blocks`` of W_x, W_h, b: 1 for the RNN, 4 for the
    LSTM) + output layer."""
    E, H, V = embed_dim, num_hiddens, vocab_size
    return V * E + blocks * (E * H + H * H + H) + H * V + V


def matched_width():
    """The RNN width whose count is nearest the LSTM-256's: the positive root of
    H^2 + (E + 1 + V) H + (V E + V - target) = 0, rounded to the nearer count."""
    import math

    target, E, V = total_params(4, 256), 64, 84
    b, c = E + 1 + V, V * E + V - target
    root = (-b + math.sqrt(b * b - 4 * c)) / 2  # 521.95
    return min(math.floor(root), math.ceil(root),
               key=lambda h: abs(total_params(1, h) - target))


def rnn_recurrent_params(embed_dim, num_hiddens):
    """One block: W_xh, W_hh and b_h."""
    return embed_dim * num_hiddens + num_hiddens * num_hiddens + num_hiddens


# In the lesson: matched_width() == 522; rnn_recurrent_params(64, 522) == 306,414
