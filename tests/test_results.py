"""The checked-in results (rnnlab/results/) say how they were made, and the library still
produces what they hold: one cheap point of each is recomputed here."""

import json

import numpy as np
import pytest

from rnnlab import baselines, pretrained, results, training

RESULT_FILES = sorted(p.stem for p in results.path("x").parent.glob("*.json"))


def test_every_result_file_says_how_it_was_made():
    assert set(RESULT_FILES) >= {"memory_sweep", "context_use", "ngram_ladder"}
    for name in RESULT_FILES:
        meta = results.load(name)["meta"]
        assert meta["command"].startswith("python tools/"), name
        assert meta["seconds"] > 0 and "CPU cores" in meta["machine"], name
        assert len(meta["date"]) == 10, name  # ISO date


def test_a_missing_or_malformed_result_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing_here"):
        results.load("nothing_here")
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    with pytest.raises(ValueError, match="bad.json is not JSON"):
        results.load(bad)
    bad.write_text(json.dumps({"meta": {"command": "c"}}))
    with pytest.raises(ValueError, match=r"bad.json.*missing \['date', 'machine', 'seconds'\]"):
        results.load(bad)
    meta = results.provenance(1.0, command="c")
    written = results.write(tmp_path / "ok.json", {"meta": meta, "x": 1})
    assert results.load(written, required=("x",))["x"] == 1
    with pytest.raises(ValueError, match=r"missing \['y'\]"):
        results.load(written, required=("y",))


def test_ngram_ladder_reproduces_and_descends_then_rises(shakespeare):
    ladder = results.load("ngram_ladder", required=("orders",))
    assert ladder["meta"]["corpus_sha256"] == shakespeare.sha256
    nats = [row["nats"] for row in ladder["orders"]]
    assert [row["order"] for row in ladder["orders"]] == list(range(1, len(nats) + 1))
    train, val = shakespeare.split()
    for order in (2, 3):  # the cheap ones
        again = baselines.ngram_nats(train, val, len(shakespeare.vocab), order)
        assert again == pytest.approx(nats[order - 1], abs=1e-4)
    best = int(np.argmin(nats))
    assert 3 <= best + 1 <= 7 and nats[-1] > nats[best]  # sparse counts hurt past the best


def test_kneser_ney_ladders_reproduce_and_beat_witten_bell(shakespeare):
    """The stronger smoothing's ladders: both validation ladders recounted whole, a cheap
    held-out order on each split; from order 5 on it beats Witten-Bell counted on the same
    text; the order chosen on the validation split is the validation minimum, and it
    barely rises past it."""
    found = results.load("ngram_ladder", required=("kneser_ney", "kneser_ney_before_tail",
                                                   "witten_bell", "kneser_ney_chosen_order"))
    V, splits = len(shakespeare.vocab), shakespeare.splits()
    before_tail, heldout = shakespeare.split()
    kn, wb = found["kneser_ney"], found["witten_bell"]
    assert [row["order"] for row in kn] == list(range(1, 10))
    assert kn[2]["heldout"] == pytest.approx(
        baselines.kneser_ney_nats(splits.train, splits.heldout, V, 3), abs=1e-4)
    # the validation ladders whole: lesson 1 reads its chosen orders from them
    for smoothing, rows in (("kneser-ney", kn), ("witten-bell", wb)):
        again = baselines.ngram_ladder(splits.train, {"v": splits.validation}, V, len(rows),
                                       smoothing)["v"]
        assert again == pytest.approx([row["validation"] for row in rows], abs=1e-4), smoothing
    assert found["kneser_ney_before_tail"][2]["heldout"] == pytest.approx(
        baselines.kneser_ney_nats(before_tail, heldout, V, 3), abs=1e-4)
    for k, w in zip(kn[4:], wb[4:]):
        assert k["heldout"] < w["heldout"] and k["validation"] < w["validation"]
    chosen = found["kneser_ney_chosen_order"]
    assert chosen == min(kn, key=lambda row: row["validation"])["order"]
    assert kn[-1]["heldout"] - kn[chosen - 1]["heldout"] < 0.01


def test_context_use_reproduces_the_first_windows(shakespeare):
    found = results.load("context_use", required=("models",))
    meta = found["meta"]
    assert set(found["models"]) == set(pretrained.NAMES)
    windows = shakespeare.heldout_windows(meta["windows"], meta["length"], seed=meta["seed"])
    first = windows[:2]  # two windows: a second or so per model
    for name, stored in found["models"].items():
        assert len(stored["mean"]) == len(stored["sem"]) == meta["length"]
        assert np.shape(stored["band_means"]) == (meta["windows"], len(meta["bands"]))
        losses = training.position_loss({name: pretrained.load(name)}, first)[name]["losses"]
        again = training.context_bands(losses)
        np.testing.assert_allclose(again, np.array(stored["band_means"])[:2], atol=2e-3)


def test_context_bands():
    losses = np.arange(12, dtype=float).reshape(2, 6)  # 2 windows, 6 positions
    bands = training.context_bands(losses, bands=((1, 2), (3, None)))
    np.testing.assert_allclose(bands, [[0.5, 3.5], [6.5, 9.5]])
    with pytest.raises(ValueError, match=r"bands: \(3, 9\) is not inside 1..6"):
        training.context_bands(losses, bands=((3, 9),))


def test_provenance_records_the_running_command(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tools").mkdir()
    monkeypatch.setattr("sys.argv", [str(tmp_path / "tools" / "run.py"), "--windows", "5",
                                     "--out", "a b.json"])
    meta = results.provenance(2.5)
    assert meta["command"] == "python tools/run.py --windows 5 --out 'a b.json'"
    assert meta["seconds"] == 2.5 and "CPU cores" in meta["machine"]
