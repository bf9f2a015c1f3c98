"""Solutions to lesson 4: The LSTM."""

import keras


def build_gru(vocab_size, embed_dim, num_hiddens):
    """The kit's character model with a GRU where the LSTM was: ids (batch, T) to logits."""
    ids = keras.Input(shape=(None,), dtype="int32")
    X = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(ids)
    H = keras.layers.GRU(num_hiddens, return_sequences=True, name="recurrent")(X)
    logits = keras.layers.Dense(vocab_size, name="logits")(H)  # no softmax: logits
    return keras.Model(ids, logits)


def lstm_params(embed_dim, num_hiddens):
    """Four blocks (I, F, O, C_tilde), each W_x, W_h and a bias."""
    return 4 * (embed_dim * num_hiddens + num_hiddens * num_hiddens + num_hiddens)


# In the lesson: params = lstm_params(64, 256)
