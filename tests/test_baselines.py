"""The yardsticks of lesson 1, and the settings that shrink lessons under make test."""

import math

import numpy as np
import pytest

from rnnlab import baselines, settings


def test_counts_on_a_text_small_enough_to_check_by_hand():
    train = np.array([0, 1, 0, 1, 0, 1])  # "abababa..."
    val = np.array([0, 1, 0])
    # unigram with add-one: counts (3+1, 3+1) of 8 -> p = 0.5 for both
    assert baselines.unigram_nats(train, val, 2) == pytest.approx(math.log(2))
    # bigram with add-one: after 0 always 1 (3 times): p(1|0) = 4/5, p(0|1) = 3/4
    expected = -(math.log(4 / 5) + math.log(3 / 4)) / 2
    assert baselines.bigram_nats(train, val, 2) == pytest.approx(expected)
    probs = baselines.bigram_probs(train, 2)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)


def test_yardsticks_order_on_the_corpus(tiny_corpus):
    train, val = tiny_corpus.split()
    V = len(tiny_corpus.vocab)
    uniform = baselines.uniform_nats(V)
    unigram = baselines.unigram_nats(train, val, V)
    bigram = baselines.bigram_nats(train, val, V)
    assert uniform > unigram > bigram > 0
    assert baselines.to_bits(uniform) == pytest.approx(math.log2(V))


def test_bad_ids_are_named():
    with pytest.raises(ValueError, match="val_ids: expected ids from 0 to 2, got 5 to 5"):
        baselines.unigram_nats(np.array([0, 1, 2]), np.array([5]), 3)
    with pytest.raises(ValueError, match=r"train_ids: expected int ids of shape \(length\) with "
                                         "length >= 2, got float64"):
        baselines.bigram_nats(np.array([0.5, 1.0]), np.array([0, 1]), 3)
    with pytest.raises(ValueError, match="vocab_size"):
        baselines.uniform_nats(0)


def test_quick_mode_shrinks_live_work(monkeypatch):
    monkeypatch.setenv("RNNLAB_QUICK", "1")
    assert settings.live_budget(1.5) == {"max_steps": 20}
    assert settings.scaled(60, 15) == 15
    monkeypatch.setenv("RNNLAB_QUICK", "0")
    assert settings.live_budget(1.5) == {"max_minutes": 1.5}
    assert settings.scaled(60, 15) == 60


def test_device_summary_names_versions_and_device():
    summary = settings.device_summary()
    assert summary.startswith("TensorFlow ") and ", Keras " in summary
    assert " on " in summary


def brute_force_witten_bell(train, val, vocab_size, order):
    """The interpolated Witten-Bell n-gram, one target at a time, with dictionaries."""
    from collections import Counter, defaultdict

    unigram = (np.bincount(train, minlength=vocab_size) + 1.0)
    unigram /= unigram.sum()
    pairs, contexts, followers = {}, {}, {}
    for k in range(1, order):
        pair_count, context_count, seen = Counter(), Counter(), defaultdict(set)
        for i in range(k, len(train)):
            h = tuple(train[i - k:i])
            pair_count[h, train[i]] += 1
            context_count[h] += 1
            seen[h].add(train[i])
        pairs[k], contexts[k], followers[k] = pair_count, context_count, seen
    logs = []
    for i in range(1, len(val)):
        w, p = val[i], unigram[val[i]]
        for k in range(1, min(order - 1, i) + 1):
            h = tuple(val[i - k:i])
            if contexts[k][h]:
                n = len(followers[k][h])
                p = (pairs[k][h, w] + n * p) / (contexts[k][h] + n)
        logs.append(np.log(p))
    return np.array(logs)


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_ngram_equals_a_brute_force_count(tiny_corpus, order):
    train, val = tiny_corpus.split()
    V = len(tiny_corpus.vocab)
    expected = brute_force_witten_bell(list(train), list(val), V, order)
    np.testing.assert_allclose(baselines.ngram_log_probs(train, val, V, order), expected,
                               rtol=1e-12)


def test_ngram_orders_on_the_corpus(shakespeare):
    """Longer contexts help, then overfit: the ladder lesson 1's yardsticks continue."""
    train, val = shakespeare.split()
    V = len(shakespeare.vocab)
    nats = {n: baselines.ngram_nats(train, val, V, n) for n in (1, 2, 3, 6, 8)}
    # the unigram, over the targets val[1:] (unigram_nats also scores val[0])
    assert nats[1] == pytest.approx(baselines.unigram_nats(train, val, V), abs=1e-4)
    assert nats[2] == pytest.approx(baselines.bigram_nats(train, val, V), abs=0.01)
    assert nats[1] > nats[2] > nats[3] > nats[6] < nats[8]
    with pytest.raises(ValueError, match="order: expected a whole number from 1 to 8, got 9"):
        baselines.ngram_nats(train, val, V, 9)
