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
    with pytest.raises(ValueError, match=r"val_ids: ids must lie in \[0, 3\)"):
        baselines.unigram_nats(np.array([0, 1, 2]), np.array([5]), 3)
    with pytest.raises(ValueError, match="train_ids: expected a 1-D int array"):
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
