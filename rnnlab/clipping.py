"""Exploding gradients and global-norm clipping: lesson 3's short SGD runs."""

from __future__ import annotations

import math

import numpy as np

from rnnlab.models import EMBEDDING, LOGITS, RECURRENT
from rnnlab.progress import StatusLine
from rnnlab.units import SATURATION_THRESHOLDS


def clipping_run(
    corpus,
    *,
    global_clipnorm: float | None = None,
    steps: int = 60,
    learning_rate: float = 1.0,
    recurrent_scale: float = 2.5,
    num_hiddens: int = 64,
    batch_size: int = 32,
    num_steps: int = 50,
    seed: int = 0,
) -> dict:
    """A short SGD run of a vanilla RNN set up to explode, with or without clipping.

    The recurrent weights start at ``recurrent_scale`` times an orthogonal matrix (a
    spectral radius well above 1) and plain SGD takes steps proportional to the
    gradient, so a gradient spike becomes a weight spike. With ``global_clipnorm`` the
    whole gradient is rescaled to that norm whenever it is larger (Pascanu, Mikolov &
    Bengio 2013, algorithm 1). Returns per-step arrays ``grad_norm`` (before clipping),
    ``loss`` and ``saturated`` (the fraction of hidden values with |H| > 0.9, where
    tanh' < 0.19 and the gradient through that unit mostly dies), NaN from the step where
    the loss stopped being finite (``diverged_at``, else None): a diverged run is never
    drawn as 0.
    """
    import keras
    import tensorflow as tf

    from rnnlab import models
    from rnnlab.corpus import dataset

    model = models.build("rnn", corpus.vocab, num_hiddens=num_hiddens, seed=seed)
    kernel = model.layer(RECURRENT).cell.recurrent_kernel
    kernel.assign(recurrent_scale * kernel.numpy())
    train_ids, _ = corpus.split()
    batches = iter(dataset(train_ids, num_steps, batch_size, seed=seed).repeat())
    variables = model.keras.trainable_variables
    # one forward pass gives both the logits for the loss and H for the saturation count
    embedding, recurrent, dense = (model.layer(name) for name in (EMBEDDING, RECURRENT, LOGITS))

    def forward(inputs, training):
        H = recurrent(embedding(inputs), training=training)[0]  # (batch, num_steps, num_hiddens)
        return H, dense(H)  # and (batch, num_steps, vocab_size)

    _, high = SATURATION_THRESHOLDS["tanh"]
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    grad_norm = np.full(steps, np.nan)
    losses = np.full(steps, np.nan)
    saturated = np.full(steps, np.nan)
    diverged_at = None

    @tf.function  # one graph for the forward and backward pass: several times faster
    def loss_and_gradients(inputs, targets):
        with tf.GradientTape() as tape:
            H, logits = forward(inputs, training=True)  # (batch, num_steps, num_hiddens|V)
            loss = loss_fn(targets, logits)
        grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, variables)]  # dense
        saturated = tf.reduce_mean(tf.cast(tf.abs(H) > high, "float32"))
        return loss, grads, tf.linalg.global_norm(grads), saturated

    run = "no clipping" if global_clipnorm is None else f"clipped at {global_clipnorm:g}"
    with StatusLine(f"SGD run, {run}", total=steps) as status:
        for step in range(steps):
            loss, grads, norm, saturated_now = loss_and_gradients(*next(batches))
            norm = float(norm)
            if not (math.isfinite(float(loss)) and math.isfinite(norm)):
                diverged_at = step
                break
            losses[step], grad_norm[step] = float(loss), norm
            saturated[step] = float(saturated_now)
            if global_clipnorm is not None and norm > global_clipnorm:
                grads = [g * (global_clipnorm / norm) for g in grads]
            for variable, g in zip(variables, grads):
                variable.assign_sub(learning_rate * g)
            status.step(step + 1, f"gradient norm {norm:.3g}")
    return {"grad_norm": grad_norm, "loss": losses, "saturated": saturated,
            "diverged_at": diverged_at,
            "global_clipnorm": global_clipnorm, "learning_rate": learning_rate}
