import json

import numpy as np
import pytest

from rnnlab import tasks


def test_recall_sequences():
    X, y = tasks.recall(lag=7, n=500, seed=1)
    assert X.shape == (500, 8) and y.shape == (500,) and X.dtype == np.int32
    np.testing.assert_array_equal(X[:, 0], y)
    assert set(np.unique(y)) == {0, 1, 2, 3}
    assert X[:, 1:].min() >= 4 and X[:, 1:].max() <= 7  # distractors only after the first
    again, _ = tasks.recall(lag=7, n=500, seed=1)
    np.testing.assert_array_equal(X, again)
    with pytest.raises(ValueError, match="lag"):
        tasks.recall(lag=0, n=3)


def test_adding_problem():
    X, y = tasks.adding(T=50, n=200, seed=2)
    assert X.shape == (200, 50, 2) and y.shape == (200,)
    markers = X[:, :, 1]
    np.testing.assert_array_equal(markers.sum(axis=1), 2)
    first = markers[:, :25].argmax(axis=1)
    np.testing.assert_allclose(y, (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    assert (markers[np.arange(200), first] == 1).all()
    # the classic baseline: always answering 1.0 has a mean squared error near 1/6
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.03)


@pytest.mark.parametrize("kind", tasks.KINDS)
def test_a_short_lag_is_learned(kind):
    calls = []
    point = tasks.recall_point(kind, lag=2, steps=150, n_test=500,
                               on_step=lambda done, steps: calls.append((done, steps)))
    assert point["accuracy"] > 0.9 and point["chance"] == 0.25 and point["kind"] == kind
    assert calls == [(done, 150) for done in range(1, 151)]  # progress after every step


def test_adding_is_learned_at_a_short_length_and_scored_against_the_constant_answer():
    point = tasks.adding_point("lstm", lag=6, steps=300, n_test=500, forget_bias=3.0)
    assert point["task"] == "adding" and point["kind"] == "lstm" and point["lag"] == 6
    # answering 1.0 always: a mean squared error near 1/6, about 8% within 0.04
    assert point["constant_mse"] == pytest.approx(1 / 6, abs=0.03)
    assert 0.03 < point["chance"] < 0.15
    assert point["mse"] < point["constant_mse"] / 3  # it learned to add, if not exactly


def test_recall_point_follows_its_sizes():
    point = tasks.recall_point("rnn", lag=2, steps=60, n_test=300, num_classes=3,
                               num_distractors=5)
    assert point["chance"] == pytest.approx(1 / 3) and 0 <= point["accuracy"] <= 1


def test_failure_lag_and_by_lag_take_the_median_over_seeds():
    points = [{"lag": 1, "accuracy": 1.0}, {"lag": 10, "accuracy": 0.95},
              {"lag": 50, "accuracy": 0.3}, {"lag": 20, "accuracy": 0.6}]
    assert tasks.failure_lag(points) == 20
    assert tasks.failure_lag(points[:2]) is None
    seeds = [{"lag": 5, "accuracy": a} for a in (0.2, 1.0, 0.95)] + [
        {"lag": 9, "accuracy": a} for a in (0.5, 0.3, 0.95)]
    assert tasks.by_lag(seeds) == [{"lag": 5, "n": 3, "median": 0.95, "min": 0.2, "max": 1.0},
                                   {"lag": 9, "n": 3, "median": 0.5, "min": 0.3, "max": 0.95}]
    assert tasks.failure_lag(seeds) == 9  # lag 5 has one failed seed, not a failed median


def test_sweep_point_uses_the_series_settings():
    point = tasks.sweep_point("rnn_glorot", lag=2, seed=3, steps=40, n_test=200)
    assert point["recurrent_initializer"] == "glorot_uniform"
    assert point["global_clipnorm"] is None and point["seed"] == 3 and point["steps"] == 40
    point = tasks.sweep_point("lstm_bias3", lag=2, seed=0, steps=40, n_test=200)
    assert point["forget_bias"] == 3.0 and point["global_clipnorm"] == 1.0
    with pytest.raises(ValueError, match="series: expected one of"):
        tasks.sweep_point("rnn", lag=2, seed=0)


def test_sweep_series_say_what_they_are():
    for name, spec in tasks.SWEEP_SERIES.items():
        label = spec["label"]
        assert label.startswith({"rnn": "RNN", "lstm": "LSTM"}[spec["kind"]])
        clip = spec.get("global_clipnorm")
        assert (f"clipping at {clip:g}" in label) if clip else ("no clipping" in label)
        if spec["kind"] == "rnn":
            init = {"orthogonal": "orthogonal", "glorot_uniform": "Glorot-uniform"}
            assert init[spec["recurrent_initializer"]] in label
        else:
            assert f"forget-gate bias {spec['forget_bias']:g}" in label
    # Keras's own SimpleRNN defaults: orthogonal recurrent matrix, no clipping
    import keras

    # the series named after Keras's defaults build what Keras builds by default
    defaults = tasks.SWEEP_SERIES["rnn_keras_defaults"]
    built = tasks._recurrent_layer("rnn", 4, 0, defaults["recurrent_initializer"])
    assert type(built.recurrent_initializer) is type(keras.layers.SimpleRNN(4)
                                                     .recurrent_initializer)
    assert defaults["global_clipnorm"] is None and keras.optimizers.Adam().global_clipnorm is None
    lstm = tasks._recurrent_layer("lstm", 4, 0, "orthogonal")
    lstm.build((None, 5, 3))
    tasks._set_forget_bias(lstm, 4, tasks.SWEEP_SERIES["lstm_bias1"]["forget_bias"])
    keras_default = keras.layers.LSTM(4)
    keras_default.build((None, 5, 3))
    np.testing.assert_array_equal(lstm.cell.bias.numpy(), keras_default.cell.bias.numpy())


def test_shipped_sweep_has_every_series_with_its_seeds():
    sweep = tasks.load_sweep()
    meta = sweep["meta"]
    assert meta["command"].startswith("python tools/lag_sweep.py")
    assert len(meta["seeds"]) >= 3 and meta["seconds"] > 0
    assert set(sweep["series"]) == set(tasks.SWEEP_SERIES)
    for name, series in sweep["series"].items():
        spec = tasks.SWEEP_SERIES[name]
        assert series["label"] == spec["label"] and series["kind"] == spec["kind"]
        for row in tasks.by_lag(series["points"]):
            assert row["n"] == len(meta["seeds"]), (name, row)
        assert {p["lag"] for p in series["points"]} == set(tasks.SWEEP_LAGS[spec["task"]])
        for point in series["points"]:
            assert point["steps"] == tasks.SWEEP_STEPS[spec["task"]]
            for key in ("global_clipnorm", "recurrent_initializer", "forget_bias"):
                if key in spec and (key != "forget_bias" or spec["kind"] == "lstm"):
                    assert point[key] == spec[key], (name, key)
    # both kinds learn the shortest lags of recall
    for name in ("rnn_orthogonal_clipped", "lstm_bias3"):
        assert tasks.by_lag(sweep["series"][name]["points"])[0]["median"] > 0.9


def test_the_library_reproduces_a_shipped_sweep_point():
    """The cheapest point of a recall and an adding series, rerun: the same result."""
    sweep = tasks.load_sweep()
    for name in ("rnn_keras_defaults", "adding_lstm"):
        stored = min(sweep["series"][name]["points"], key=lambda p: (p["lag"], p["seed"]))
        again = tasks.sweep_point(name, stored["lag"], stored["seed"])
        assert again["accuracy"] == pytest.approx(stored["accuracy"], abs=0.05), name


def test_bad_sweep_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"series": {"gru": []}}))
    with pytest.raises(ValueError, match="s.json.*missing"):
        tasks.load_sweep(path)
    meta = {"command": "c", "date": "d", "machine": "m", "seconds": 1}
    path.write_text(json.dumps({"meta": meta, "series": {"x": {"kind": "gru"}}}))
    with pytest.raises(ValueError, match="s.json.*these do not: \\['x'\\]"):
        tasks.load_sweep(path)
