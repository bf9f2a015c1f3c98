"""Yardsticks for every loss in the course: what a model scores knowing nothing, or little.

All three are cross-entropies on held-out characters in nats per character, comparable with
``training.evaluate`` and the ``val_nats`` of a training record:

- ``uniform_nats``: every character equally likely, ln(V), the know-nothing model;
- ``unigram_nats``: each character by its frequency in the training text;
- ``bigram_nats``: each character by its frequency after the previous character.

Counts get add-``smoothing`` (Laplace) so a pair never seen in training costs a finite loss.
"""

from __future__ import annotations

import math

import numpy as np

LN2 = math.log(2.0)


def to_bits(nats: float) -> float:
    """Nats per character to bits per character (divide by ln 2)."""
    return nats / LN2


def uniform_nats(vocab_size: int) -> float:
    """Loss of the model that knows nothing: uniform over the vocabulary, ln(V)."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size: expected an int >= 1, got {vocab_size!r}")
    return math.log(vocab_size)


def _ids(name, ids, vocab_size, minimum=1):
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < minimum or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"{name}: expected a 1-D int array of at least {minimum} ids")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{name}: ids must lie in [0, {vocab_size}), the vocabulary size")
    return ids


def unigram_probs(train_ids, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """(V,) character frequencies of the training ids, add-``smoothing``."""
    train_ids = _ids("train_ids", train_ids, vocab_size)
    counts = np.bincount(train_ids, minlength=vocab_size) + smoothing  # (V,)
    return counts / counts.sum()


def bigram_probs(train_ids, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """(V, V) next-character frequencies: row ``a`` is p(next | previous = a)."""
    train_ids = _ids("train_ids", train_ids, vocab_size, minimum=2)
    counts = np.full((vocab_size, vocab_size), float(smoothing))  # (previous, next)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def unigram_nats(train_ids, val_ids, vocab_size: int, smoothing: float = 1.0) -> float:
    """Held-out loss of the character-frequency model."""
    probs = unigram_probs(train_ids, vocab_size, smoothing)
    val_ids = _ids("val_ids", val_ids, vocab_size)
    return float(-np.log(probs[val_ids]).mean())


def bigram_nats(train_ids, val_ids, vocab_size: int, smoothing: float = 1.0) -> float:
    """Held-out loss of the previous-character model, over the targets ``val_ids[1:]``."""
    probs = bigram_probs(train_ids, vocab_size, smoothing)
    val_ids = _ids("val_ids", val_ids, vocab_size, minimum=2)
    return float(-np.log(probs[val_ids[:-1], val_ids[1:]]).mean())
