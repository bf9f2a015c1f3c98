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


def test_failure_lag():
    points = [{"lag": 1, "accuracy": 1.0}, {"lag": 10, "accuracy": 0.95},
              {"lag": 50, "accuracy": 0.3}, {"lag": 20, "accuracy": 0.6}]
    assert tasks.failure_lag(points) == 20
    assert tasks.failure_lag(points[:2]) is None


def test_shipped_sweep_tells_the_story():
    sweep = tasks.load_sweep()
    assert sweep["meta"]["command"].startswith("python tools/lag_sweep.py")
    rnn, lstm = sweep["results"]["rnn"], sweep["results"]["lstm"]
    plain = sweep["meta"]["variants"]["rnn_plain"]["points"]
    assert [p["lag"] for p in rnn] == [p["lag"] for p in lstm] == [p["lag"] for p in plain]
    assert rnn[0]["accuracy"] > 0.9 and lstm[0]["accuracy"] > 0.9  # both learn short lags
    recorded = sweep["meta"]["failure_lag_at_0.9"]
    assert recorded["rnn"] == tasks.failure_lag(rnn)
    assert recorded["lstm"] == tasks.failure_lag(lstm)
    # what the lesson says: the plain RNN gives up long before the LSTM does
    assert tasks.failure_lag(plain) < tasks.failure_lag(lstm)
    assert all(p["forget_bias"] == sweep["meta"]["settings"]["forget_bias"] for p in lstm)


def test_bad_sweep_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"results": {"gru": []}}))
    with pytest.raises(ValueError, match="s.json"):
        tasks.load_sweep(path)
