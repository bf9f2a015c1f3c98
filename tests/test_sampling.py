import math

import numpy as np
import pytest

from rnnlab import cells, sampling
from rnnlab.errors import UnknownCharactersError


@pytest.fixture(scope="module")
def trained(tiny_corpus):
    from rnnlab import models, training

    trained = {}
    for kind in ("rnn", "lstm"):
        model = models.build(kind, tiny_corpus.vocab, num_hiddens=32, embed_dim=8)
        training.train(model, tiny_corpus, max_steps=60, batch_size=16, num_steps=40,
                       learning_rate=1e-2, eval_chars=500, progress=False)
        trained[kind] = model
    return trained


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_same_rng_same_text_and_shapes(trained, kind):
    model = trained[kind]
    a = sampling.sample(model, "To be", length=80, temperature=0.8, rng=3)
    b = sampling.sample(model, "To be", length=80, temperature=0.8, rng=np.random.default_rng(3))
    c = sampling.sample(model, "To be", length=80, temperature=0.8, rng=4)
    assert a.text == b.text and a.text != c.text
    assert a.text.startswith("To be") and len(a.generated) == 80
    assert a.text == "To be" + a.generated
    assert a.probs.shape == (80, len(model.vocab))
    np.testing.assert_allclose(a.probs.sum(axis=1), 1.0)
    chosen = model.vocab.encode(a.generated)
    np.testing.assert_array_equal(a.chosen_probs, a.probs[np.arange(80), chosen])
    assert (a.chosen_probs > 0).all()
    assert sampling.generate(model, "To be", 80, 0.8, rng=3) == a.text


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_next_char_probs_equal_the_keras_model(trained, kind):
    model = trained[kind]
    text = "Whether 'tis nobler"
    logits = model.keras(model.vocab.encode(text)[None]).numpy()[0, -1]
    expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(sampling.next_char_probs(model, text), expected, atol=1e-5)
    # the first step of a sample draws from the same distribution
    s = sampling.sample(model, text, length=1, rng=0)
    np.testing.assert_allclose(s.probs[0], sampling.next_char_probs(model, text), atol=1e-12)


def test_samples_follow_the_distribution(trained):
    """Over many one-character samples the frequencies match next_char_probs."""
    model = trained["lstm"]
    p = sampling.next_char_probs(model, "The sl", temperature=1.5)
    rng = np.random.default_rng(0)
    n = 3000
    counts = np.zeros_like(p)
    for _ in range(n):
        counts[model.vocab.encode(sampling.sample(model, "The sl", 1, 1.5, rng).generated)] += 1
    # every frequency within 5 standard errors of its probability
    assert np.all(np.abs(counts / n - p) <= 5 * np.sqrt(p * (1 - p) / n) + 1e-3)


def test_temperature_zero_is_greedy_and_low_temperature_sharpens(trained):
    model = trained["lstm"]
    greedy = sampling.sample(model, "The ", length=30, temperature=0, rng=1)
    assert greedy.text == sampling.generate(model, "The ", 30, 0, rng=2)  # rng is irrelevant
    assert np.all(greedy.chosen_probs == 1.0)
    most_likely = sampling.next_char_probs(model, "The ").argmax()
    assert greedy.generated[0] == model.vocab.chars[most_likely]

    def entropy(p):
        return -(p * np.log(np.where(p > 0, p, 1))).sum()

    cold, warm, hot = (sampling.next_char_probs(model, "The ", t) for t in (0.5, 1.0, 2.0))
    assert entropy(cold) < entropy(warm) < entropy(hot)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, "hot"])
def test_bad_temperatures_raise(trained, bad):
    with pytest.raises((ValueError, TypeError), match="temperature"):
        sampling.sample(trained["rnn"], "The", 5, temperature=bad)
    with pytest.raises((ValueError, TypeError), match="temperature"):
        sampling.next_char_probs(trained["rnn"], "The", temperature=bad)


def test_unknown_seed_characters_are_named(trained):
    with pytest.raises(UnknownCharactersError) as info:
        sampling.generate(trained["lstm"], "Zounds! 42", 10)
    assert "'Z'" in str(info.value) and "'4'" in str(info.value)


def test_empty_seed_and_zero_length(trained):
    model = trained["rnn"]
    s = sampling.sample(model, "", length=20, rng=0)
    assert s.seed == "" and len(s.text) == 20
    primed = cells.unroll(model, sampling.DEFAULT_SEED)
    first = sampling.softmax_with_temperature(primed.logits[-1], 1.0)
    np.testing.assert_allclose(s.probs[0], first)
    assert sampling.generate(model, "To be", length=0) == "To be"
    assert sampling.sample(model, "To be", length=0).probs.shape == (0, len(model.vocab))
    with pytest.raises(ValueError, match="length"):
        sampling.generate(model, "To be", length=-1)
    with pytest.raises(TypeError, match="rng"):
        sampling.generate(model, "To be", length=3, rng="seed")
    with pytest.raises(ValueError, match="rng: expected a seed >= 0, got -1"):
        sampling.generate(model, "To be", length=3, rng=-1)
    with pytest.raises(ValueError, match="length: expected a whole number from 0 to 100,000"):
        sampling.generate(model, "To be", length=10**7)


def test_a_vanishing_temperature_is_greedy_not_nan(trained):
    """logits / 5e-324 overflow: the softmax's limit as T falls to 0 is the greedy choice."""
    model = trained["lstm"]
    logits = np.array([1.0, 2.0, 0.5])
    np.testing.assert_array_equal(sampling.softmax_with_temperature(logits, 5e-324),
                                  [0.0, 1.0, 0.0])
    tiny = sampling.sample(model, "The ", length=20, temperature=5e-324, rng=0)
    assert np.isfinite(tiny.probs).all()
    assert tiny.text == sampling.generate(model, "The ", 20, temperature=0)


def test_logits_that_give_no_distribution_are_refused():
    """A NaN logit would win the argmax (probability 1) and all -inf would pick the first
    character: both are refused by name, as is an empty vector. A -inf beside finite
    logits is a masked character: probability 0, the rest a softmax."""
    for logits, said in (([1.0, np.nan, 2.0], "got NaN"), ([-np.inf] * 3, "got all -inf"),
                         ([], "at least one logit")):
        for temperature in (1.0, 0.0):
            with pytest.raises(ValueError, match=f"logits: expected .*{said}"):
                sampling.softmax_with_temperature(logits, temperature)
    masked = sampling.softmax_with_temperature([-np.inf, 1.0, 2.0], 1.0)
    np.testing.assert_allclose(masked, [0.0, 1 / (1 + math.e), math.e / (1 + math.e)])


def test_a_model_whose_weights_are_not_finite_is_refused_not_sampled(trained, tmp_path):
    """A run that diverged leaves NaN weights: set_weights refuses them, save writes
    nothing (an older good file stays), and sampling from such a model raises instead of
    writing confident text."""
    from rnnlab import models
    from rnnlab.errors import CheckpointError

    model = trained["rnn"]
    good = model.get_weights()
    bad = {name: value.copy() for name, value in good.items()}
    bad["recurrent/kernel"][0, 0] = np.nan
    with pytest.raises(CheckpointError, match="weight 'recurrent/kernel' holds NaN"):
        model.set_weights(bad)
    np.testing.assert_array_equal(model.get_weights()["recurrent/kernel"],
                                  good["recurrent/kernel"])  # refused before any assign
    kept = model.save(tmp_path / "rnn.npz")
    before = kept.read_bytes()
    broken = models.build("rnn", model.vocab, model.config)
    for w in broken.layer(models.RECURRENT).weights:  # as a diverged optimizer leaves them
        w.assign(np.full(w.shape, np.nan))
    with pytest.raises(CheckpointError, match="holds NaN or infinite values.*nothing was written"):
        broken.save(kept)
    assert kept.read_bytes() == before
    for temperature in (0.8, 0.0):
        with pytest.raises(ValueError, match="logits: expected numbers, got NaN"):
            sampling.generate(broken, "The ", 5, temperature=temperature, rng=0)
    with pytest.raises(ValueError, match="got NaN"):
        sampling.next_char_probs(broken, "The ")
