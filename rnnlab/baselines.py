"""Yardsticks for every loss in the course: what a model scores knowing nothing, or little.

All three are cross-entropies on held-out characters in nats per character, comparable with
``training.evaluate`` and the ``val_nats`` of a training record:

- ``uniform_nats``: every character equally likely, ln(V), the know-nothing model;
- ``unigram_nats``: each character by its frequency in the training text;
- ``bigram_nats``: each character by its frequency after the previous character;
- ``ngram_nats``: an interpolated character n-gram (Witten-Bell), up to 7 characters of
  context.

Unigram and bigram counts get add-``smoothing`` (Laplace) so a pair never seen in training
costs a finite loss; the n-gram falls back to shorter contexts instead.
"""

from __future__ import annotations

import math

import numpy as np

from rnnlab import checks

LN2 = math.log(2.0)


def to_bits(nats: float) -> float:
    """Nats per character to bits per character (divide by ln 2)."""
    return nats / LN2


def uniform_nats(vocab_size: int) -> float:
    """Loss of the model that knows nothing: uniform over the vocabulary, ln(V)."""
    return math.log(checks.whole("vocab_size", vocab_size))


def unigram_probs(train_ids, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """(V,) character frequencies of the training ids, add-``smoothing``."""
    train_ids = checks.ids("train_ids", train_ids, vocab_size=vocab_size, min_length=1)
    counts = np.bincount(train_ids, minlength=vocab_size) + smoothing  # (V,)
    return counts / counts.sum()


def bigram_probs(train_ids, vocab_size: int, smoothing: float = 1.0) -> np.ndarray:
    """(V, V) next-character frequencies: row ``a`` is p(next | previous = a)."""
    train_ids = checks.ids("train_ids", train_ids, vocab_size=vocab_size, min_length=2)
    counts = np.full((vocab_size, vocab_size), float(smoothing))  # (previous, next)
    np.add.at(counts, (train_ids[:-1], train_ids[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def unigram_nats(train_ids, val_ids, vocab_size: int, smoothing: float = 1.0) -> float:
    """Held-out loss of the character-frequency model."""
    probs = unigram_probs(train_ids, vocab_size, smoothing)
    val_ids = checks.ids("val_ids", val_ids, vocab_size=vocab_size, min_length=1)
    return float(-np.log(probs[val_ids]).mean())


def bigram_nats(train_ids, val_ids, vocab_size: int, smoothing: float = 1.0) -> float:
    """Held-out loss of the previous-character model, over the targets ``val_ids[1:]``."""
    probs = bigram_probs(train_ids, vocab_size, smoothing)
    val_ids = checks.ids("val_ids", val_ids, vocab_size=vocab_size, min_length=2)
    return float(-np.log(probs[val_ids[:-1], val_ids[1:]]).mean())


def _context_codes(ids: np.ndarray, length: int, vocab_size: int) -> np.ndarray:
    """For each position i >= length, the ``length`` characters before it as one int64:
    shape (len(ids) - length,). 84 ** 8 < 2 ** 63, so an order-8 model's codes fit."""
    codes = np.zeros(len(ids) - length, dtype=np.int64)
    for j in range(length):  # oldest character first
        codes = codes * vocab_size + ids[j:len(ids) - length + j]
    return codes


def _lookup(sorted_keys: np.ndarray, counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """counts[k] for each query equal to sorted_keys[k], else 0."""
    where = np.searchsorted(sorted_keys, queries)
    where = np.minimum(where, len(sorted_keys) - 1)
    return np.where(sorted_keys[where] == queries, counts[where], 0)


def ngram_log_probs(train_ids, val_ids, vocab_size: int, order: int) -> np.ndarray:
    """ln p(val_ids[i] | the order - 1 characters before it) for i = 1 .. len - 1, under an
    interpolated character n-gram with Witten-Bell smoothing (Witten & Bell 1991; Chen &
    Goodman 1998, section 2.5), counted on ``train_ids``:

        p_k(w | h) = (c(h, w) + N(h) p_(k-1)(w | h')) / (c(h) + N(h))

    h is the k characters before w, h' the k - 1 most recent of them, N(h) the number of
    different characters seen after h, and p_0 the add-one unigram. A context never seen
    in training falls back to p_(k-1); near the start of ``val_ids`` the context is as
    long as there is text. ``order`` 2 is a bigram, 1 the unigram. Vectorised: one sort
    per context length.
    """
    order = checks.whole("order", order, maximum=8)
    train_ids = checks.ids("train_ids", train_ids, vocab_size=vocab_size,
                           min_length=order).astype(np.int64)
    val_ids = checks.ids("val_ids", val_ids, vocab_size=vocab_size,
                         min_length=2).astype(np.int64)
    targets = val_ids[1:]  # (n,)
    p = unigram_probs(train_ids, vocab_size)[targets]  # p_0, add-one
    for k in range(1, order):
        contexts = _context_codes(train_ids, k, vocab_size)  # (len - k,)
        pairs = contexts * vocab_size + train_ids[k:]
        pair_keys, pair_counts = np.unique(pairs, return_counts=True)
        context_keys, context_counts = np.unique(contexts, return_counts=True)
        # N(h): distinct followers of each context, from the distinct pairs' contexts
        follower_keys, followers = np.unique(pair_keys // vocab_size, return_counts=True)
        # held-out contexts of length k exist for targets at positions >= k
        have = np.arange(1, len(val_ids)) >= k  # (n,)
        h = np.zeros(len(targets), dtype=np.int64)
        # the code of val_ids[i - k : i] sits at index i - k
        h[have] = _context_codes(val_ids, k, vocab_size)[np.arange(1, len(val_ids))[have] - k]
        c_h = _lookup(context_keys, context_counts, h)
        c_hw = _lookup(pair_keys, pair_counts, h * vocab_size + targets)
        n_h = _lookup(follower_keys, followers, h)
        seen = have & (c_h > 0)
        p = np.where(seen, (c_hw + n_h * p) / np.maximum(c_h + n_h, 1), p)
    return np.log(p)


def ngram_nats(train_ids, val_ids, vocab_size: int, order: int) -> float:
    """Held-out loss of the interpolated character n-gram (``ngram_log_probs``), over the
    targets ``val_ids[1:]``, like ``bigram_nats``."""
    return float(-ngram_log_probs(train_ids, val_ids, vocab_size, order).mean())
