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


# --- interpolated modified Kneser-Ney, and every order in one pass ------------------------------


def brute_force_discounts(counts):
    """Chen & Goodman's three discounts from a list of counts, with the documented
    fallback: one discount Y = n1 / (n1 + 2 n2) where the three are undefined or not > 0,
    1/2 where there is no count of 1."""
    n = {k: sum(1 for c in counts if c == k) for k in (1, 2, 3, 4)}
    if n[1] > 0 and n[2] > 0 and n[3] > 0:
        y = n[1] / (n[1] + 2 * n[2])
        three = [1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]]
        if all(d > 0 for d in three):
            return three
    if n[1] > 0:
        return [n[1] / (n[1] + 2 * n[2])] * 3
    return [0.5] * 3


def brute_force_kneser_ney(train, vocab_size, order):
    """p(w, context) of the interpolated modified Kneser-Ney n-gram, with dictionaries: the
    top context length counts (h, w), the shorter ones count the characters seen before
    (h, w); a context shorter than order - 1 is scored with real counts at its length."""
    from collections import Counter, defaultdict

    real = [Counter() for _ in range(order)]  # [k][(h, w)], len(h) = k
    before = [defaultdict(set) for _ in range(order)]  # [k][(h, w)]: characters before
    for i in range(len(train)):
        for k in range(min(order - 1, i) + 1):
            key = (tuple(train[i - k:i]), train[i])
            real[k][key] += 1
            if i - k >= 1:
                before[k][key].add(train[i - k - 1])
    tables = {}
    for k in range(order):
        for kind, counts in (("real", dict(real[k])),
                             ("continuation", {key: len(s) for key, s in before[k].items()})):
            discounts = brute_force_discounts(list(counts.values()))
            total, gamma = defaultdict(int), defaultdict(float)
            for (h, _), c in counts.items():
                total[h] += c
                if c >= 1:
                    gamma[h] += discounts[min(c, 3) - 1]
            tables[k, kind] = counts, discounts, total, gamma

    def prob(context, w):
        context = tuple(context)[max(0, len(context) - (order - 1)):]
        p = 1.0 / vocab_size
        for k in range(len(context) + 1):
            counts, discounts, total, gamma = tables[k, "real" if k == len(context)
                                                     else "continuation"]
            h = context[len(context) - k:]
            if total[h] > 0:
                c = counts.get((h, w), 0)
                kept = max(c - discounts[min(c, 3) - 1], 0) if c else 0
                p = kept / total[h] + gamma[h] / total[h] * p
        return p

    return prob


def generated_ids(length, seed, vocab_size=10):
    """Words from a small lexicon, Zipf-weighted, separated by id 0, with a little noise:
    counts of every size, and contexts a held-out part has never seen. The last id,
    vocab_size - 1, never appears: a character the training text lacks."""
    rng = np.random.default_rng(seed)
    lexicon = [rng.integers(1, vocab_size - 1, size=rng.integers(2, 7)) for _ in range(40)]
    weights = 1 / np.arange(1, 41)
    ids = []
    while len(ids) < length:
        ids.extend(lexicon[rng.choice(40, p=weights / weights.sum())])
        ids.append(0 if rng.random() > 0.05 else int(rng.integers(1, vocab_size - 1)))
    return np.array(ids[:length])


def test_kneser_ney_discounts_and_their_fallback():
    # n1..n4 = 10, 4, 2, 1: Y = 5/9, D1 = 1 - 4/9, D2 = 2 - 5/6, D3+ = 3 - 10/9
    counts = np.array([1] * 10 + [2] * 4 + [3] * 2 + [4] + [7] * 3)
    np.testing.assert_allclose(baselines._kn_discounts(counts), [5 / 9, 7 / 6, 17 / 9],
                               rtol=1e-15)
    # n3 = 0 (D2 would divide by it... D3+ by it): one discount Y = 3 / 5
    np.testing.assert_allclose(baselines._kn_discounts(np.array([1, 1, 1, 2])), [0.6] * 3)
    # n1 = n2 = 1, n3 = 5: D2 = 2 - 3 (1/3) 5 < 0 would add probability; one discount 1/3
    np.testing.assert_allclose(baselines._kn_discounts(np.array([1, 2] + [3] * 5)), [1 / 3] * 3)
    # no count of 1: Y = 0 would make unseen characters impossible; 1/2
    assert baselines._kn_discounts(np.array([0, 2, 3, 5])) == (0.5, 0.5, 0.5)


@pytest.mark.parametrize("order", [1, 2, 3, 4, 5, 6, 9])
def test_kneser_ney_equals_a_brute_force_count(tiny_corpus, order):
    texts = [tiny_corpus.split() + (len(tiny_corpus.vocab),),
             (generated_ids(4000, seed=1), generated_ids(600, seed=2), 10),
             (np.array([0, 1] * 20), np.array([0, 1, 2, 0, 1, 1, 0]), 3)]  # degenerate counts
    for train, val, V in texts:
        prob = brute_force_kneser_ney(list(train), V, order)
        expected = [math.log(prob(val[max(0, i - order + 1):i], val[i]))
                    for i in range(1, len(val))]
        np.testing.assert_allclose(baselines.kneser_ney_log_probs(train, val, V, order),
                                   expected, rtol=1e-12)


@pytest.mark.parametrize("order", [1, 2, 4, 9])
def test_kneser_ney_sums_to_one_after_any_context(order):
    train, heldout = generated_ids(4000, seed=1), generated_ids(2000, seed=3)
    heldout[::97] = 9  # a character the training text never has
    rng = np.random.default_rng(order)
    text = "".join(map(str, train))
    unseen = shorter = 0
    for _ in range(50):
        end = int(rng.integers(order + 1, len(heldout)))
        context = heldout[end - int(rng.integers(0, order + 2)):end]
        probs = baselines.kneser_ney_distribution(train, context, 10, order)
        assert abs(probs.sum() - 1) < 1e-9 and probs.min() > 0
        tail = context[max(0, len(context) - (order - 1)):]
        shorter += len(tail) < order - 1
        unseen += "".join(map(str, tail)) not in text[:-1]  # never followed by a character
    if order > 1:
        assert shorter > 0
    if order == 9:
        assert unseen > 0


def test_ngram_ladder_equals_each_order_alone():
    train, val, tail = generated_ids(4000, seed=1), generated_ids(500, seed=2), \
        generated_ids(300, seed=4)
    scored = {"val": val, "tail": tail}
    witten_bell = baselines.ngram_ladder(train, scored, 10, 8, smoothing="witten-bell")
    kneser_ney = baselines.ngram_ladder(train, scored, 10, 9)
    for name, ids in scored.items():
        assert witten_bell[name] == [baselines.ngram_nats(train, ids, 10, order)
                                     for order in range(1, 9)]
        assert kneser_ney[name] == [baselines.kneser_ney_nats(train, ids, 10, order)
                                    for order in range(1, 10)]
    assert witten_bell["val"] != witten_bell["tail"]


def test_kneser_ney_beats_witten_bell_on_the_corpus(shakespeare):
    """The held-out tail, orders 1 to 8: Kneser-Ney keeps gaining where Witten-Bell
    overfits, and Witten-Bell's ladder reproduces the checked-in one."""
    from rnnlab import results

    train, heldout = shakespeare.split()
    V = len(shakespeare.vocab)
    kn = baselines.ngram_ladder(train, {"heldout": heldout}, V, 8)["heldout"]
    wb = baselines.ngram_ladder(train, {"heldout": heldout}, V, 8, "witten-bell")["heldout"]
    stored = [row["nats"] for row in results.load("ngram_ladder", required=("orders",))["orders"]]
    assert [round(nats, 5) for nats in wb] == stored
    assert all(kn[order - 1] < wb[order - 1] for order in (6, 7, 8))
    assert kn[7] < kn[5] + 0.01  # no more than a little rise from order 6 to 8
    # an independent implementation's numbers at orders 5 to 8
    np.testing.assert_allclose(kn[4:8], [1.532, 1.468, 1.455, 1.456], atol=0.001)


def test_kneser_ney_bad_input_is_named():
    train, val = np.array([0, 1, 2, 1, 0]), np.array([0, 1, 2])
    with pytest.raises(ValueError, match="order: expected a whole number from 1 to 9"):
        baselines.kneser_ney_nats(train, val, 3, 0)
    with pytest.raises(ValueError, match=r"from 1 to 9 \(an n-gram is coded as one int64 .* "
                                         r"84 \*\* 10 >= 2 \*\* 63 would overflow\), got 10"):
        baselines.kneser_ney_nats(train, val, 3, 10)
    with pytest.raises(ValueError, match=r"from 1 to 5 \(.* 3000 \*\* 6 >= 2 \*\* 63"):
        baselines.kneser_ney_nats(train, val, 3000, 6)  # a large vocabulary overflows sooner
    with pytest.raises(ValueError, match="val_ids: expected ids from 0 to 2, got 0 to 5"):
        baselines.kneser_ney_nats(train, np.array([0, 5]), 3, 2)
    with pytest.raises(ValueError, match="train_ids: expected ids from 0 to 1, got 0 to 2"):
        baselines.kneser_ney_log_probs(train, np.array([0, 1]), 2, 2)
    with pytest.raises(ValueError, match="context_ids: expected ids from 0 to 2, got 7 to 7"):
        baselines.kneser_ney_distribution(train, np.array([7]), 3, 2)
    with pytest.raises(ValueError, match=r"scored\['tail'\]: expected ids from 0 to 2"):
        baselines.ngram_ladder(train, {"val": val, "tail": np.array([3, 0])}, 3, 2)
    with pytest.raises(ValueError, match="smoothing: expected 'kneser-ney' or 'witten-bell'"):
        baselines.ngram_ladder(train, {"val": val}, 3, 2, smoothing="good-turing")
    with pytest.raises(ValueError, match="scored: expected a dict of name: ids, not empty, "
                                         "got 'list'"):
        baselines.ngram_ladder(train, [val], 3, 2)
    with pytest.raises(ValueError, match="order: expected a whole number from 1 to 8, got 9"):
        baselines.ngram_ladder(train, {"val": val}, 3, 9, smoothing="witten-bell")
