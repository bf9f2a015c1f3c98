"""Yardsticks for every loss in the course: what a model scores knowing nothing, or little.

All are cross-entropies on held-out characters in nats per character, comparable with
``training.evaluate`` and the ``val_nats`` of a training record:

- ``uniform_nats``: every character equally likely, ln(V), the know-nothing model;
- ``unigram_nats``: each character by its frequency in the training text;
- ``bigram_nats``: each character by its frequency after the previous character;
- ``ngram_nats``: an interpolated character n-gram (Witten-Bell), up to 7 characters of
  context;
- ``kneser_ney_nats``: an interpolated modified Kneser-Ney character n-gram (Chen & Goodman
  1998, "An empirical study of smoothing techniques for language modeling", sections 3.5
  and 4.1.6; Computer Speech & Language 1999), up to 8 characters of context: on the
  held-out tail it stops gaining near 6 characters of context and hardly loses after,
  where Witten-Bell's longer contexts overfit (``benchmarks/ngram_speed.py``).

Unigram and bigram counts get add-``smoothing`` (Laplace) so a pair never seen in training
costs a finite loss; the n-grams fall back to shorter contexts instead. ``ngram_ladder``
scores every order of either n-gram in one pass.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from rnnlab import checks
from rnnlab.errors import ArgumentError

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


# --- interpolated n-grams, every order in one pass -------------------------------------------
#
# Both smoothings interpolate: the probability at context length k is built from the one at
# length k - 1, so every order of a ladder comes out of the pass that makes the highest.
# The training text is counted with one sort: its positions, sorted by the next
# ``max_length`` characters, put every n-gram of up to ``max_length`` characters in one run
# of that order, for every n at once. Distinct n-grams, their counts and the characters seen
# before them are then read off runs, without sorting again for each n.

KN_MAX_ORDER = 9  # 84 ** 9 < 2 ** 63 <= 84 ** 10: an order-10 n-gram's code overflows int64
WB_MAX_ORDER = 8  # as ngram_log_probs
SMOOTHINGS = ("kneser-ney", "witten-bell")


def _checked_order(order, vocab_size: int, maximum: int) -> int:
    """``order`` as an int from 1 to ``maximum``, and less where the vocabulary is so large
    that an n-gram's code, one int64 below ``vocab_size ** order``, would overflow; where
    that is why there is a limit, the error says so."""
    fits = maximum
    while fits > 1 and vocab_size ** fits >= 2 ** 63:
        fits -= 1
    if vocab_size ** (fits + 1) >= 2 ** 63:
        why = (f" (an n-gram is coded as one int64 below vocab_size ** order, and "
               f"{vocab_size} ** {fits + 1} >= 2 ** 63 would overflow)")
    elif 84 ** (maximum + 1) >= 2 ** 63:
        why = (f" (an n-gram is coded as one int64 below vocab_size ** order, and for the "
               f"corpus's 84 characters 84 ** {maximum + 1} >= 2 ** 63 would overflow)")
    else:
        why = ""
    try:
        return checks.whole("order", order, maximum=fits)
    except ArgumentError as exc:
        raise ArgumentError("order", exc.expected + why, order) from None


def _kn_discounts(counts: np.ndarray) -> tuple[float, float, float]:
    """(D1, D2, D3+): modified Kneser-Ney's discounts for counts of 1, 2 and 3 or more,
    from the count-of-counts n1..n4 of ``counts`` (Chen & Goodman 1998, eq. 26):

        Y = n1 / (n1 + 2 n2),  D1 = 1 - 2Y n2/n1,  D2 = 2 - 3Y n3/n2,  D3+ = 3 - 4Y n4/n3

    Degenerate count-of-counts (a short or very regular text) get a fallback that keeps
    every character possible (each D > 0) and no count discounted below 0 (D_k <= k):
    where n1, n2 or n3 is 0 (a division by 0), or where D2 or D3+ comes out <= 0 (counts
    of counts that do not fall with the count), the single discount D = Y of Ney's absolute
    discounting (Chen & Goodman's interpolated Kneser-Ney), which is in (0, 1] when n1 > 0;
    with no count of 1 at all, D = 1/2 for every count.
    """
    n1, n2, n3, n4 = (int(np.count_nonzero(counts == k)) for k in (1, 2, 3, 4))
    if n1 and n2 and n3:
        y = n1 / (n1 + 2 * n2)
        discounts = (1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3)
        if min(discounts) > 0:
            return discounts
    if n1:
        y = n1 / (n1 + 2 * n2)
        return (y, y, y)
    return (0.5, 0.5, 0.5)


def _gram_codes(ids: np.ndarray, length: int, vocab_size: int) -> np.ndarray:
    """(len(ids) - length + 1,) the code of ids[e : e + length] at each start e, oldest
    character most significant (so an n-gram's context is its code // vocab_size)."""
    codes = np.zeros(len(ids) - length + 1, dtype=np.int64)
    for j in range(length):
        codes = codes * vocab_size + ids[j:len(ids) - length + 1 + j]
    return codes


class _Counts:
    """One context length's counts, real or continuation, and what a smoothing reads from
    them. Each array ends with an extra 0, so that index -1 (a missing n-gram or a context
    never seen) reads as count 0."""

    def __init__(self, pair: np.ndarray, group: np.ndarray, num_groups: int):
        self.pair = np.append(pair, 0)  # (P + 1,) c(h, w) of each distinct (h, w)
        # c(h) = sum over w, and N1, N2, N3+(h .): how many w have count 1, 2, >= 3
        self.total = np.append(np.bincount(group, weights=pair, minlength=num_groups)
                               .astype(np.int64), 0)  # (G + 1,)
        self.n = [np.append(np.bincount(group[pick], minlength=num_groups), 0)  # (G + 1,)
                  for pick in (pair == 1, pair == 2, pair >= 3)]
        self.discounts = _kn_discounts(pair)


class _Ngrams:
    """Every n-gram of ``train_ids`` up to ``max_length`` characters, counted with one sort,
    as ``levels[k]`` for context length k (n-grams of k + 1 characters): ``keys`` (P,) the
    sorted distinct codes, ``group`` (P,) the index of each one's context among the distinct
    contexts, ``followers`` (G + 1,) how many different characters follow each context
    (Witten-Bell's N(h)), ``real`` the counts and ``continuation`` (with ``continuation``,
    below the longest length) the number of different characters seen before each n-gram,
    N1+(. h w), as ``_Counts``. The first n-gram of the text has no character before it, so
    that occurrence adds nothing to its continuation count.
    """

    def __init__(self, train_ids: np.ndarray, vocab_size: int, max_length: int,
                 continuation: bool):
        self.train_ids, self.vocab_size = train_ids, vocab_size
        size = len(train_ids)
        padded = np.concatenate([train_ids.astype(np.int64),
                                 np.zeros(max_length - 1, dtype=np.int64)])
        codes = _gram_codes(padded, max_length, vocab_size)  # (size,) zeros past the end
        where = np.argsort(codes)  # (size,) positions, by their next max_length characters
        codes = codes[where]
        self.levels = []
        ranks = None  # (size,) for the previous length, the run each position is in
        for length in range(1, max_length + 1):
            whole = where <= size - length  # n-grams that do not run past the end
            keys = codes[whole] // vocab_size ** (max_length - length)  # (m,) still sorted
            at = where[whole]  # (m,) where each n-gram starts in the text
            starts = np.flatnonzero(np.diff(keys, prepend=-1))  # (P,) first of each run
            pair = np.diff(starts, append=len(keys))  # (P,) occurrences of each n-gram
            if continuation and length > 1:
                # (h, w) starts one position after each distinct (x, h, w) does
                level = self.levels[-1]
                before = np.bincount(ranks[at[starts] + 1], minlength=len(level.keys))
                level.continuation = _Counts(before, level.group, level.num_groups)
            if continuation:
                ranks = np.full(size, -1, dtype=np.int64)
                ranks[at] = np.repeat(np.arange(len(starts)), pair)
            self.levels.append(_Level(keys[starts], pair, vocab_size))


class _Level:
    """One context length's distinct n-grams and their counts (see ``_Ngrams``)."""

    def __init__(self, keys: np.ndarray, pair: np.ndarray, vocab_size: int):
        contexts = keys // vocab_size  # (P,) sorted
        self.keys = keys
        self.group = np.cumsum(np.diff(contexts, prepend=-1) != 0) - 1  # (P,)
        self.num_groups = int(self.group[-1]) + 1
        self.followers = np.append(np.bincount(self.group, minlength=self.num_groups), 0)
        self.real = _Counts(pair, self.group, self.num_groups)
        self.continuation = None
        self.vocab_size = vocab_size

    def find(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each n-gram code in ``queries`` (n,): its index among ``keys`` and the index
        of its context's group, each -1 where it was never seen."""
        keys, last = self.keys, len(self.keys) - 1
        at = np.searchsorted(keys, queries)  # (n,) keys[at - 1] < query <= keys[at]
        hi, lo = np.minimum(at, last), np.maximum(at - 1, 0)
        pair = np.where(keys[hi] == queries, hi, -1)
        # a context's n-grams are contiguous in keys: one of them, if any, is next to the query
        context = queries // self.vocab_size
        group = np.where(keys[hi] // self.vocab_size == context, self.group[hi],
                         np.where(keys[lo] // self.vocab_size == context, self.group[lo], -1))
        return pair, group


def _kn_step(lower: np.ndarray, counts: _Counts, pair: np.ndarray,
             group: np.ndarray) -> np.ndarray:
    """Interpolated modified Kneser-Ney at one context length, from the distribution one
    character shorter (``lower``, (n,)) and the found ``pair`` and ``group`` indices (n,):

        p(w | h) = max(c(h, w) - D(c(h, w)), 0) / c(h) + gamma(h) p_lower(w | h')
        gamma(h) = (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / c(h)

    and p_lower where c(h) = 0 (a context never seen)."""
    d1, d2, d3 = counts.discounts
    c_hw = counts.pair[pair]  # (n,)
    c_h = counts.total[group]  # (n,)
    n1, n2, n3 = (n[group] for n in counts.n)  # (n,) each
    kept = np.maximum(c_hw - np.array([0.0, d1, d2, d3])[np.minimum(c_hw, 3)], 0.0)  # (n,)
    return np.where(c_h > 0, (kept + (d1 * n1 + d2 * n2 + d3 * n3) * lower)
                    / np.maximum(c_h, 1), lower)


def _ladder(ngrams: _Ngrams, ids: np.ndarray, max_order: int, smoothing: str,
            first: int = 1):
    """Yield (order, (n,) ln p) for order 1 .. max_order, where ln p is the log probability
    of each target ids[first:] after at most order - 1 characters before it.

    Position i has a context of min(order - 1, i) characters: near the start of ``ids`` a
    target is scored by the model of order i + 1. Each order is one step from the previous:
    Witten-Bell's recursion is the same at every order, so its order k is its order k - 1
    plus one step. Kneser-Ney's highest order counts n-grams and the lower ones count
    characters before them, so the ladder carries the continuation distributions q (q_k
    from q_(k-1), q_(-1) uniform) and scores order k + 1 as one real-count step on q_(k-1).
    """
    vocab_size = ngrams.vocab_size
    ids = ids.astype(np.int64)
    targets = ids[first:]  # (n,)
    grams = ids  # (len(ids) - k,) codes of the k + 1 characters from each position
    if smoothing == "witten-bell":
        p = unigram_probs(ngrams.train_ids, vocab_size)[targets]  # (n,) p_0, add-one
        yield 1, np.log(p)
    else:
        q = np.full(len(targets), 1.0 / vocab_size)  # (n,) q_(-1), uniform
        logs = None
    for k in range(max_order):
        if k:
            grams = grams[:-1] * vocab_size + ids[k:]
        start = max(k, first)  # the first position with k characters before it
        skip = start - first  # targets before it keep the lower orders' probabilities
        level = ngrams.levels[k]
        pair, group = level.find(grams[start - k:])  # (n - skip,) each
        if smoothing == "witten-bell":
            if k:
                real = level.real
                c_hw, c_h, n_h = real.pair[pair], real.total[group], level.followers[group]
                p = p.copy()
                p[skip:] = np.where(c_h > 0, (c_hw + n_h * p[skip:]) / np.maximum(c_h + n_h, 1),
                                    p[skip:])
                yield k + 1, np.log(p)
            continue
        top = np.log(_kn_step(q[skip:], level.real, pair, group))  # (n - skip,)
        logs = top if logs is None else np.concatenate([logs[:skip], top])  # (n,)
        yield k + 1, logs
        if k + 1 < max_order:
            q = np.concatenate([q[:skip], _kn_step(q[skip:], level.continuation, pair, group)])


def _ngram_args(train_ids, vocab_size, order, smoothing: str) -> tuple[np.ndarray, int, int]:
    """(train_ids as int64, vocab_size, order), checked for ``smoothing``'s n-gram."""
    vocab_size = checks.whole("vocab_size", vocab_size)
    maximum = KN_MAX_ORDER if smoothing == "kneser-ney" else WB_MAX_ORDER
    order = _checked_order(order, vocab_size, maximum)
    train_ids = checks.ids("train_ids", train_ids, vocab_size=vocab_size, min_length=order)
    return train_ids.astype(np.int64), vocab_size, order


def kneser_ney_log_probs(train_ids, val_ids, vocab_size: int, order: int) -> np.ndarray:
    """(n,) ln p(val_ids[i] | the order - 1 characters before it) for i = 1 .. len - 1,
    under an interpolated modified Kneser-Ney character n-gram (Chen & Goodman 1998,
    sections 3.5 and 4.1.6; 1999, Computer Speech & Language) counted on ``train_ids``:

        p(w | h) = max(c(h, w) - D(c(h, w)), 0) / c(h) + gamma(h) p(w | h')
        gamma(h) = (D1 N1(h .) + D2 N2(h .) + D3+ N3+(h .)) / c(h),  c(h) = sum_w c(h, w)

    The highest order counts c(h, w) in the text; every lower order counts N1+(. h w), the
    different characters seen before (h, w): a lower order is used when the longer context
    says little, so it should favour characters that follow many contexts, not a few often.
    The lowest is interpolated with the uniform 1/V, so every character stays possible.
    Each order's discounts D1, D2, D3+ (for counts 1, 2, 3 or more) come from its own
    count-of-counts (``_kn_discounts``, which also says what a degenerate text gets). A
    context never seen takes p(w | h') whole. Near the start of ``val_ids`` the context is
    as long as there is text, scored by the model of that order (real counts at the top).

    ``order`` 1 to 9: an n-gram is coded as one int64 below vocab_size ** order, and for
    the corpus's 84 characters 84 ** 10 >= 2 ** 63. All orders cost one sort of the
    training text (see ``ngram_ladder`` for every order at once).
    """
    train_ids, vocab_size, order = _ngram_args(train_ids, vocab_size, order, "kneser-ney")
    val_ids = checks.ids("val_ids", val_ids, vocab_size=vocab_size, min_length=2)
    ngrams = _Ngrams(train_ids, vocab_size, order, continuation=True)
    for _, logs in _ladder(ngrams, val_ids, order, "kneser-ney"):
        pass
    return logs


def kneser_ney_nats(train_ids, val_ids, vocab_size: int, order: int) -> float:
    """Held-out loss of the interpolated modified Kneser-Ney n-gram
    (``kneser_ney_log_probs``), over the targets ``val_ids[1:]``, like ``ngram_nats``."""
    return float(-kneser_ney_log_probs(train_ids, val_ids, vocab_size, order).mean())


def kneser_ney_distribution(train_ids, context_ids, vocab_size: int,
                            order: int) -> np.ndarray:
    """(V,) p(w | context) for every character w under ``kneser_ney_log_probs``'s model:
    the last order - 1 characters of ``context_ids`` are the context, all of it when it is
    shorter (none: the order-1 model). One scoring per character, for checking that the
    probabilities sum to 1, not for speed."""
    train_ids, vocab_size, order = _ngram_args(train_ids, vocab_size, order, "kneser-ney")
    context = checks.ids("context_ids", context_ids, vocab_size=vocab_size)
    context = context[max(0, len(context) - (order - 1)):].astype(np.int64)
    ngrams = _Ngrams(train_ids, vocab_size, order, continuation=True)
    probs = np.empty(vocab_size)  # (V,)
    for w in range(vocab_size):
        for _, logs in _ladder(ngrams, np.append(context, w), order, "kneser-ney",
                               first=len(context)):
            pass
        probs[w] = math.exp(logs[0])
    return probs


def ngram_ladder(train_ids, scored: Mapping, vocab_size: int, max_order: int,
                 smoothing: str = "kneser-ney") -> dict[str, list[float]]:
    """{name: [held-out nats for order 1 .. max_order]} for each id array in ``scored``
    (say a validation slice and the held-out tail), all counted on ``train_ids`` once.

    ``smoothing`` "kneser-ney" (``kneser_ney_nats``, orders up to 9) or "witten-bell"
    (``ngram_nats``, up to 8, the same numbers to the last bit). An interpolated order is
    built from the one below it, so the whole ladder costs about what its highest order
    costs alone: one sort of the training text, then one lookup per order and array.
    """
    if smoothing not in SMOOTHINGS:
        raise ArgumentError("smoothing", " or ".join(map(repr, SMOOTHINGS)), smoothing)
    train_ids, vocab_size, max_order = _ngram_args(train_ids, vocab_size, max_order,
                                                   smoothing)
    if not isinstance(scored, Mapping) or not scored:
        raise ArgumentError("scored", "a dict of name: ids, not empty",
                            scored if isinstance(scored, Mapping) else type(scored).__name__)
    arrays = {name: checks.ids(f"scored[{name!r}]", ids, vocab_size=vocab_size, min_length=2)
              for name, ids in scored.items()}
    from rnnlab.progress import StatusLine  # a ladder over millions of characters: seconds

    with StatusLine(f"{smoothing} ladder, orders 1 to {max_order}",
                    total=max_order * len(arrays)) as status:
        ngrams = _Ngrams(train_ids, vocab_size, max_order,
                         continuation=smoothing == "kneser-ney")
        ladders = {}
        for name, ids in arrays.items():
            ladders[name] = []
            for _, logs in _ladder(ngrams, ids, max_order, smoothing):
                ladders[name].append(float(-logs.mean()))
                status.step(sum(map(len, ladders.values())), f"order {len(ladders[name])}")
    return ladders
