"""Solutions to lesson 4: The LSTM."""

import keras


def build_gru(vocab_size, embed_dim, num_hiddens):
    """The kit's character model with a GRU where the LSTM was: ids (batch, T) to logits."""
    ids = keras.Input(shape=(None,), dtype="int32")
    X = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(ids)
    H = keras.layers.GRU(num_hiddens, return_sequences=True, name="recurrent")(X)
    logits = keras.layers.Dense(vocab_size, name="logits")(H)  # no softmax: logits
    return keras.Model(ids, logits)


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
