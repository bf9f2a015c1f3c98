"""The protocol's planning (which point runs next) and one tiny point trained for real."""

import math

import numpy as np
import pytest

from rnnlab import corpus as corpus_mod
from rnnlab import models, protocol
from rnnlab.protocol import Point


def fake_loss(point: Point) -> float:
    """A made-up validation loss: a valley in log-rate at a kind- and width-dependent
    best rate, the LSTM lower, wider better, carried and dropout a little better."""
    best = {"rnn": 2e-3, "lstm": 5e-3}[point.kind] * (256 / point.num_hiddens) ** 0.5
    loss = 1.6 - (0.1 if point.kind == "lstm" else 0) - 0.05 * math.log2(point.num_hiddens / 256)
    loss += 0.05 * math.log(point.learning_rate / best) ** 2 + 0.001 * point.seed
    return loss - 0.01 * point.carry_state - 0.02 * (point.dropout > 0)


def sweep(loss=fake_loss, stop=None):
    """Drive next_point to the end (or to ``stop`` points), recording each point."""
    done, order = {}, []
    while (upcoming := protocol.next_point(done)) is not None and len(order) != stop:
        stage, point = upcoming
        assert point.key not in done, "a finished point is never planned again"
        done[point.key] = {**point.__dict__, "val_nats": loss(point), "stage": stage}
        order.append((stage, point))
    return done, order


def test_every_rate_search_ends_bracketed_by_a_worse_rate_on_each_side():
    done, _ = sweep()
    for kind, width in protocol.SERIES_ORDER:
        tried = {r["learning_rate"]: r["val_nats"] for r in protocol._find(done, kind=kind,
                                                                          num_hiddens=width)}
        best = min(tried, key=tried.get)
        assert any(rate < best for rate in tried) and any(rate > best for rate in tried), \
            (kind, width, sorted(tried))
        assert protocol.rate_search(done, kind, width, best) == (None, True)


def test_the_stages_run_in_order_and_the_later_ones_use_the_best_rates():
    done, order = sweep()
    stages = [stage for stage, _ in order]
    assert stages == sorted(stages, key=["rates", "seeds", "regimes", "depth", "budget"].index)
    for kind in models.KINDS:
        width = protocol.candidate_width(kind)
        best = protocol.best_rate(done, kind, width)
        seeds = [p.seed for stage, p in order if stage == "seeds" and p.kind == kind]
        assert seeds == [1, 2]
        assert all(p.learning_rate == best for stage, p in order
                   if stage != "rates" and p.kind == kind)
        budget = [p for stage, p in order if stage == "budget" and p.kind == kind]
        # fake_loss favours carried with dropout, so the long run takes both
        assert len(budget) == 1 and budget[0].carry_state and budget[0].dropout == protocol.DROPOUT
        assert budget[0].max_chars == protocol.BUDGET_CHARS
    assert [p.num_layers for stage, p in order if stage == "depth"] == [2]
    assert all(p.max_chars >= 20_000_000 for _, p in order)


def test_a_width_starts_its_search_at_the_last_width_s_best_rate():
    done, order = sweep()
    rnn_widths = [p for stage, p in order if stage == "rates" and p.kind == "rnn"]
    first_at_522 = next(p for p in rnn_widths if p.num_hiddens == 522)
    assert first_at_522.learning_rate == protocol.best_rate(done, "rnn", 256)


def test_a_diverged_point_loses_every_comparison_and_the_search_goes_lower():
    # rates from 1e-2 up diverge for the RNN-256: the search must come down past them
    def loss(point):
        return None if point.learning_rate >= 1e-2 else fake_loss(point)
    done, order = sweep(loss, stop=6)
    rnn = {p.learning_rate for stage, p in order if p.kind == "rnn" and p.num_hiddens == 256}
    best = protocol.best_rate(done, "rnn", 256)
    assert best < 1e-2 and min(rnn) < best


def test_a_sweep_stopped_anywhere_continues_with_the_same_points():
    whole, order = sweep()
    part, _ = sweep(stop=7)
    rest = []
    while (upcoming := protocol.next_point(part)) is not None:
        stage, point = upcoming
        part[point.key] = {**point.__dict__, "val_nats": fake_loss(point)}
        rest.append(point)
    assert [p for _, p in order][7:] == rest


def test_the_matched_widths_have_the_lstms_parameter_counts():
    vocab_size = len(corpus_mod.load().vocab)
    for lstm, rnn in ((256, 522), (512, 1035)):
        assert rnn in protocol.WIDTHS["rnn"] and lstm in protocol.WIDTHS["lstm"]
        matched = models.param_matched_config("rnn", vocab_size, "lstm",
                                              models.ModelConfig(num_hiddens=lstm))
        assert matched.num_hiddens == rnn


@pytest.fixture(scope="module")
def two_texts():
    """Two corpora with the same training and validation text and different held-out
    tails (same characters, other order)."""
    rng = np.random.default_rng(0)
    body = "".join(rng.choice(list("abcd efgh\n"), size=20000))
    tail = "".join(rng.choice(list("abcd efgh\n"), size=2222))  # exactly the held-out 10%
    return (corpus_mod.Corpus.from_text(body + tail),
            corpus_mod.Corpus.from_text(body + tail[::-1]))


def test_a_point_is_scored_on_validation_and_never_reads_the_held_out_tail(two_texts, tmp_path):
    point = Point("lstm", 8, 5e-3, max_chars=128 * 100 * 3)
    first = protocol.run_point(point, two_texts[0], tmp_path / "a.npz")
    second = protocol.run_point(point, two_texts[1], tmp_path / "b.npz")
    assert first["val_nats"] == second["val_nats"] == first["val_nats_windows"]
    assert first["curve"] == second["curve"] and len(first["curve"]) == 3
    assert math.isfinite(first["val_nats_carried"]) and first["val_nats_carried"] > 0
    assert first["key"] == point.key and Point.from_record(first) == point
    for field in ("commit", "tensorflow", "keras", "wall_seconds", "cpu_seconds",
                  "paused_seconds", "load_average"):
        assert field in first["provenance"]
    assert first["provenance"]["cpu_seconds"] > 0
    assert 0 < first["train_seconds"] <= first["provenance"]["wall_seconds"]
    assert not (tmp_path / "a.npz").exists(), "a finished point's checkpoint is removed"


def test_the_tables_read_the_sweep():
    done, _ = sweep()
    rows = protocol.rate_table(done)
    assert [(r["kind"], r["num_hiddens"]) for r in rows] == list(protocol.SERIES_ORDER)
    assert all(r["bracketed"] and r["best"] == min(r["losses"].values()) for r in rows)
    spread = protocol.seed_spread(done, "lstm")
    # fake_loss adds 0.001 per seed: 0, 0.001, 0.002 above the seed-0 loss
    assert spread["losses"][1] - spread["losses"][0] == pytest.approx(0.001)
    assert spread["std"] == pytest.approx(0.001)
    assert protocol.seed_spread({}, "rnn") is None


def test_ranking_settles_where_the_order_stops_changing():
    def curve(values):
        return [{"chars_seen": 10 * (i + 1), "val_nats": v} for i, v in enumerate(values)]
    # the RNN leads at 10 and 20, the LSTM from 30 on
    curves = {"rnn": curve([2.0, 1.8, 1.7, 1.6, 1.5]), "lstm": curve([2.1, 1.9, 1.6, 1.5, 1.4])}
    assert protocol.ranking_settles(curves) == 30
    curves["lstm"] = curve([1.9, 1.7, 1.6, 1.5, 1.4])  # ahead all along
    assert protocol.ranking_settles(curves) == 10
    assert protocol.ranking_settles({"rnn": curve([1.0]), "lstm": []}) is None


def test_the_recipe_compares_regimes_on_one_scoring():
    """Each regime scores lower in its own scoring; the recipe reads every candidate
    carried, so a windowed model that is better when both are read alike is chosen."""
    base = {"kind": "lstm", "num_hiddens": 512, "learning_rate": 1e-2, "seed": 0,
            "num_layers": 1, "max_chars": protocol.POINT_CHARS, "dropout": 0.0}
    done = {"windows": {**base, "carry_state": False, "val_nats": 1.50,
                        "val_nats_carried": 1.46},
            "carried": {**base, "carry_state": True, "val_nats": 1.47,
                        "val_nats_carried": 1.47}}
    chosen = protocol.recipe(done, "lstm")
    assert not chosen.carry_state and chosen.learning_rate == 1e-2
    done["carried"]["val_nats_carried"] = done["carried"]["val_nats"] = 1.45
    assert protocol.recipe(done, "lstm").carry_state
