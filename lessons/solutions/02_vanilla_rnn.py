"""Solutions to lesson 2: The vanilla RNN."""

import numpy as np


def rnn_unroll(X, H_0, W_xh, W_hh, b_h):
    """Every state of the RNN over X (T, batch, embed_dim): (T, batch, num_hiddens)."""
    H, states = H_0, []
    for X_t in X:
        H = np.tanh(X_t @ W_xh + H @ W_hh + b_h)
        states.append(H)
    return np.stack(states)


def recurrent_params(embed_dim, num_hiddens):
    """W_xh (embed_dim x num_hiddens) + W_hh (num_hiddens x num_hiddens) + b_h."""
    return embed_dim * num_hiddens + num_hiddens * num_hiddens + num_hiddens


# In the lesson: params = recurrent_params(64, 256)
