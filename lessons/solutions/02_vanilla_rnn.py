"""Solutions to lesson 2: The vanilla RNN."""

import numpy as np


def rnn_stack(X, layers):
    """Two vanilla RNN layers over X (T, batch, embed_dim), each from a zero state, the
    second reading the first's states: the top layer's states (T, batch, num_hiddens)."""
    inputs = X
    for W_xh, W_hh, b_h in layers:
        H, states = np.zeros((X.shape[1], W_hh.shape[0]), dtype=X.dtype), []
        for X_t in inputs:  # time-major: one (batch, features) slice per step
            H = np.tanh(X_t @ W_xh + H @ W_hh + b_h)
            states.append(H)
        inputs = np.stack(states)  # (T, batch, num_hiddens): the next layer's input
    return inputs


def rnn_step_backward(dH, X_t, H_prev, W_xh, W_hh, b_h):
    """Gradients of one step H_t = tanh(Z), Z = X_t W_xh + H_prev W_hh + b_h, from dL/dH_t."""
    H_t = np.tanh(X_t @ W_xh + H_prev @ W_hh + b_h)  # (batch, num_hiddens)
    dZ = dH * (1 - H_t ** 2)  # through tanh: tanh'(Z) = 1 - tanh(Z)^2
    dX_t = dZ @ W_xh.T  # (batch, embed_dim)
    dH_prev = dZ @ W_hh.T  # (batch, num_hiddens): what flows on to the step before
    dW_xh = X_t.T @ dZ  # (embed_dim, num_hiddens)
    dW_hh = H_prev.T @ dZ  # (num_hiddens, num_hiddens)
    db_h = dZ.sum(axis=0)  # (num_hiddens,): the bias is shared by the whole batch
    return dX_t, dH_prev, dW_xh, dW_hh, db_h
