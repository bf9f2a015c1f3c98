import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from rnnlab import checkpoint, history, models, resume, training
from rnnlab.errors import CheckpointMismatchError, TrainingDivergedError
from rnnlab.vocab import Vocabulary

SMALL = dict(batch_size=16, num_steps=20, eval_chars=400, progress=False)


def test_loss_falls_below_the_baseline_and_records_have_the_contract_fields(
    make_model, tiny_corpus
):
    model = make_model("lstm", num_hiddens=32)
    seen = []
    h = training.train(model, tiny_corpus, max_steps=60, eval_every=20, learning_rate=1e-2,
                       on_record=seen.append, **SMALL)
    assert [r["step"] for r in h] == [20, 40, 60]
    assert seen == [{**r, "run_start_step": 0} for r in h]  # where this run started, too
    for r in h:
        assert set(history.RECORD_FIELDS) <= r.keys()
        assert r["chars_seen"] == r["step"] * 16 * 20
        assert math.isclose(r["val_bpc"], r["val_nats"] / math.log(2))
    baseline = np.log(len(tiny_corpus.vocab))  # ln(V)
    assert h.meta["baseline_nats"] == pytest.approx(baseline)
    assert h[-1]["val_nats"] < 0.6 * baseline
    assert h[-1]["val_nats"] < h[0]["val_nats"]
    assert model.meta["steps"] == 60


@pytest.mark.parametrize("validation_fraction, split", [(0.05, "validation"), (0, "heldout")])
def test_records_are_measured_on_the_validation_split(make_model, tiny_corpus,
                                                      validation_fraction, split):
    """The recorded val loss is the loss on the validation slice (or, without one, on
    the held-out tail), computed independently; the history says which."""
    model = make_model("rnn")
    h = training.train(model, tiny_corpus, max_steps=10, eval_every=10, eval_chars=2000,
                       batch_size=16, num_steps=20, progress=False,
                       validation_fraction=validation_fraction)
    scored = getattr(tiny_corpus.splits(validation_fraction=validation_fraction), split)
    expected = training.evaluate(model, scored[:2001], num_steps=20)
    assert h[-1]["val_nats"] == pytest.approx(expected, rel=1e-4)
    assert h.meta["eval_split"] == split == model.meta["eval_split"]
    assert h.meta["scoring"] == "windows"


def test_budgets_in_chars_and_minutes(make_model, tiny_corpus):
    h = training.train(make_model("rnn"), tiny_corpus, max_chars=16 * 20 * 7, **SMALL)
    assert h[-1]["step"] == 7
    h = training.train(make_model("rnn"), tiny_corpus, max_minutes=0.05, eval_every=5, **SMALL)
    # no step or character budget: it stopped because its 3 seconds were spent
    assert h[-1]["seconds"] >= 0.05 * 60 and h.meta["budget"]["max_steps"] is None
    with pytest.raises(ValueError, match="budget"):
        training.train(make_model("rnn"), tiny_corpus, **SMALL)
    with pytest.raises(ValueError, match="max_steps"):
        training.train(make_model("rnn"), tiny_corpus, max_steps=-1, **SMALL)
    with pytest.raises(ValueError, match="schedule"):
        training.train(make_model("rnn"), tiny_corpus, max_steps=1, schedule="linear", **SMALL)


def test_same_seed_same_weights(make_model, tiny_corpus):
    def run(seed):
        model = make_model("lstm", seed=seed)
        training.train(model, tiny_corpus, max_steps=8, seed=seed, **SMALL)
        return model.get_weights()

    a, b, c = run(0), run(0), run(1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["recurrent/kernel"], c["recurrent/kernel"])


def test_cosine_schedule_decays_to_a_tenth(make_model, tiny_corpus):
    h = training.train(make_model("rnn"), tiny_corpus, max_steps=20, eval_every=10,
                       schedule="cosine", learning_rate=1e-2, **SMALL)
    assert h[-1]["learning_rate"] == pytest.approx(1e-3, rel=1e-3)


def test_checkpoint_and_resume(make_model, tiny_corpus, tmp_path):
    path = tmp_path / "train.npz"
    model = make_model("lstm")
    training.train(model, tiny_corpus, max_steps=20, eval_every=10, checkpoint=path, **SMALL)
    arrays, meta = checkpoint.read(path)
    assert meta["training"]["step"] == 20 and len(meta["history"]) == 2
    assert any(k.startswith("optimizer/") for k in arrays)

    resumed = make_model("lstm", seed=99)  # weights come from the checkpoint
    with pytest.raises(CheckpointMismatchError, match="planned for max_steps=20, this run asks "
                       "for max_steps=30: pass extend=True"):
        training.train(resumed, tiny_corpus, max_steps=30, eval_every=10, checkpoint=path,
                       resume=True, **SMALL)
    h = training.train(resumed, tiny_corpus, max_steps=30, eval_every=10, checkpoint=path,
                       resume=True, extend=True, **SMALL)
    assert h.meta["budget"]["max_steps"] == 20  # the first plan stays recorded
    assert h.meta["extensions"] == [{"at_step": 20, "budget": {
        "max_steps": 30, "max_minutes": None, "max_chars": None}}]
    assert [r["step"] for r in h] == [10, 20, 30]
    assert checkpoint.read(path)[1]["training"]["step"] == 30
    assert models.load(path).meta["steps"] == 30

    with pytest.raises(FileExistsError, match="resume=True"):
        training.train(make_model("lstm"), tiny_corpus, max_steps=40, checkpoint=path, **SMALL)
    with pytest.raises(CheckpointMismatchError, match="train.npz"):
        training.train(make_model("rnn"), tiny_corpus, max_steps=40, checkpoint=path,
                       resume=True, **SMALL)


def test_resume_restores_the_optimizer_exactly(make_model, tiny_corpus, tmp_path):
    """The optimizer's state comes back from the checkpoint as it was saved."""
    path = tmp_path / "t.npz"
    model = make_model("rnn")
    config = training.TrainConfig(max_steps=10, eval_every=10, batch_size=16, num_steps=20,
                                  eval_chars=400)
    training.train(model, tiny_corpus, config, checkpoint=path, progress=False)
    arrays, _ = checkpoint.read(path)
    fresh = make_model("rnn", seed=5)
    start = resume.read_start(fresh, tiny_corpus, config, path, resume=True)
    optimizer = training._compile(fresh, config, start.phases)
    training._restore(fresh, optimizer, start, carried_batch=None)
    assert int(optimizer.iterations.numpy()) == 10
    saved = [arrays[k] for k in sorted(arrays) if k.startswith("optimizer/")]
    assert len(saved) == len(optimizer.variables) > 2
    for variable, value in zip(optimizer.variables, saved):
        np.testing.assert_array_equal(np.asarray(variable.numpy()), value)
    for name, value in model.get_weights().items():
        np.testing.assert_array_equal(fresh.get_weights()[name], value)


@pytest.mark.parametrize("kind, carry_state, dropout", [
    ("rnn", False, 0.0), ("lstm", False, 0.0), ("lstm", False, 0.3),
    ("rnn", True, 0.0), ("lstm", True, 0.3)])
def test_ten_steps_and_ten_resumed_steps_equal_twenty(make_model, tiny_corpus, tmp_path, kind,
                                                      carry_state, dropout):
    """Resuming is exact: the same batches in the same order, the same optimizer state,
    learning-rate schedule and dropout masks, and in the carried regime the same state
    carried into step 11, so the weights match a run that never stopped. Twenty steps
    pass over the tiny corpus's training text more than once."""
    settings = dict(SMALL, batch_size=64, max_steps=20, eval_every=5, schedule="cosine",
                    global_clipnorm=1.0, seed=3, carry_state=carry_state)
    train_ids = tiny_corpus.splits().train
    windows = (len(train_ids) - 1) // SMALL["num_steps"]
    assert 20 * 64 > 2 * windows
    if carry_state:  # step 10 is inside a pass: the resumed run needs the carried state
        per_pass = (len(train_ids) - 1) // 64 // SMALL["num_steps"]
        assert 10 % per_pass != 0 and per_pass < 10

    def make(seed=0):
        return make_model(kind, seed=seed, dropout=dropout)

    whole = make()
    training.train(whole, tiny_corpus, **settings)

    def stop_at_ten(record):
        if record["step"] == 10:
            raise KeyboardInterrupt  # after the step-10 checkpoint is written

    path = tmp_path / "t.npz"
    with pytest.raises(KeyboardInterrupt):
        training.train(make(), tiny_corpus, checkpoint=path, on_record=stop_at_ten,
                       **settings)
    if carry_state:
        arrays, _ = checkpoint.read(path)
        assert np.abs(arrays["state/recurrent/h"]).max() > 0.01  # a state was carried
    resumed = make(seed=7)  # other initial weights: all must come from the file
    history = training.train(resumed, tiny_corpus, checkpoint=path, resume=True, **settings)
    assert [r["step"] for r in history] == [5, 10, 15, 20]
    for name, value in whole.get_weights().items():
        np.testing.assert_allclose(resumed.get_weights()[name], value, rtol=1e-5, atol=1e-6,
                                   err_msg=name)
    # and what was restored matters: without dropout, without carrying the state, or on
    # another shuffle, a run ends elsewhere
    other = make_model(kind) if dropout else make()
    changes = {"seed": 4} if not (dropout or carry_state) else \
        {"carry_state": False} if not dropout else {}
    training.train(other, tiny_corpus, **dict(settings, **changes))
    changed = other.get_weights()["recurrent/recurrent_kernel"]
    assert not np.allclose(changed, whole.get_weights()["recurrent/recurrent_kernel"], atol=1e-6)


def test_interrupt_keeps_the_last_good_checkpoint(make_model, tiny_corpus, tmp_path):
    path = tmp_path / "t.npz"
    records = []

    def stop_at_second(record):
        records.append(record)
        if len(records) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        training.train(make_model("rnn"), tiny_corpus, max_steps=15, eval_every=5,
                       checkpoint=path, on_record=stop_at_second, **SMALL)
    model = models.load(path)
    assert model.meta["steps"] == 10
    h = training.train(make_model("rnn"), tiny_corpus, max_steps=15, eval_every=5,
                       checkpoint=path, resume=True, **SMALL)
    assert [r["step"] for r in h] == [5, 10, 15]


def test_nan_loss_is_reported_and_never_saved(make_model, tiny_corpus, tmp_path):
    path = tmp_path / "t.npz"
    model = make_model("rnn")
    training.train(model, tiny_corpus, max_steps=5, eval_every=5, checkpoint=path, **SMALL)
    before = path.read_bytes()
    kernel = model.layer(models.LOGITS).kernel
    kernel.assign(np.full(kernel.shape, np.nan, np.float32))  # a diverged model
    with pytest.raises(TrainingDivergedError, match="global_clipnorm") as info:
        training.train(model, tiny_corpus, max_steps=200, eval_every=5, checkpoint=path,
                       overwrite=True, **SMALL)
    assert "loss became nan at step 1" in str(info.value)
    assert "t.npz" in str(info.value)
    assert path.read_bytes() == before
    assert all(np.isfinite(w).all() for w in models.load(path).get_weights().values())


@pytest.mark.parametrize("clip", [None, 1.0])
def test_a_huge_learning_rate_diverges_and_clipping_does_not_rescue_it_silently(
    make_model, tiny_corpus, clip
):
    """Clipping caps the gradient, not the step a learning rate of 1e38 takes: both runs
    stop with a clear error at the first non-finite loss instead of returning a history."""
    with pytest.raises(TrainingDivergedError, match=f"global_clipnorm={clip}") as info:
        training.train(make_model("rnn"), tiny_corpus, max_steps=30, eval_every=5,
                       learning_rate=1e38, global_clipnorm=clip, **SMALL)
    assert "the loss became nan at step" in str(info.value)


def test_vocabulary_mismatch_is_refused(tiny_corpus):
    other = Vocabulary.from_text("another text, another alphabet: 0123456789")
    model = models.build("rnn", other, num_hiddens=8)
    with pytest.raises(ValueError, match="corpus.vocab"):
        training.train(model, tiny_corpus, max_steps=1, **SMALL)


def test_history_json_round_trip(make_model, tiny_corpus):
    h = training.train(make_model("rnn"), tiny_corpus, max_steps=10, eval_every=5, **SMALL)
    again = history.History.from_json(h.to_json())
    assert list(again) == list(h) and again.meta == json.loads(json.dumps(h.meta))
    np.testing.assert_array_equal(again.column("step"), [5, 10])
    with pytest.raises(ValueError, match="record 0 lacks"):
        history.History.from_json({"records": [{"step": 1}]})


@pytest.mark.slow
def test_training_under_mirrored_strategy_on_two_logical_cpus(tmp_path):
    script = textwrap.dedent(
        """
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        import tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        from rnnlab import corpus, models, training
        data = corpus.Corpus.from_text("the quick brown fox jumps over the lazy dog\\n" * 200)
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        with strategy.scope():
            model = models.build("lstm", data.vocab, num_hiddens=16, embed_dim=8)
        h = training.train(model, data, max_steps=6, eval_every=3, batch_size=16,
                           num_steps=20, eval_chars=400, progress=False, strategy=strategy)
        print("replicas", strategy.num_replicas_in_sync)
        print("steps", [r["step"] for r in h])
        print("final", h[-1]["val_nats"])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["replicas"] == "2"
    assert lines["steps"] == "[3, 6]"
    assert 0 < float(lines["final"]) < math.log(28)


def test_position_loss_is_the_loss_at_each_position_over_windows(tiny_corpus):
    from rnnlab import cells

    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=16, seed=2)
    windows = tiny_corpus.heldout_windows(count=5, length=30, seed=3)
    found = training.position_loss({"tiny rnn": model}, windows, batch_size=2)["tiny rnn"]
    assert found["mean"].shape == found["sem"].shape == (30,)
    # the numpy model, window by window, from a zero state: the same losses
    expected = []
    for window in windows:
        logits = cells.unroll(model, window[:-1]).logits  # (30, vocab)
        shifted = logits - logits.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        expected.append(-logp[np.arange(30), window[1:]])
    expected = np.array(expected)  # (5, 30)
    np.testing.assert_allclose(found["mean"], expected.mean(axis=0), rtol=1e-4)
    np.testing.assert_allclose(found["sem"], expected.std(axis=0, ddof=1) / np.sqrt(5),
                               rtol=1e-3)
    with pytest.raises(ValueError, match=r"windows: expected int ids of shape \(n, length\)"):
        training.position_loss({"m": model}, np.zeros(5, np.int32))


def test_log_binned_averages_decades_of_positions():
    values = np.arange(1, 1001, dtype=float)  # 1-based position p holds p
    centres, means = training.log_binned(values, bins=4)  # edges 0, 9, 99, 1000
    assert centres == [5.0, 54.5, 550.0]  # positions 1-9, 10-99, 100-1000
    np.testing.assert_allclose(means, centres)  # a bin of p's averages to its centre
    windows = np.stack([values, values + 2])  # (2 windows, 1000 positions)
    np.testing.assert_allclose(training.log_binned(windows, bins=4)[1], np.add(centres, 1))
    with pytest.raises(ValueError, match="values: expected"):
        training.log_binned(np.zeros((2, 2, 2)))


# --- the named parts of train: TrainConfig, check_checkpoint, Recorder ----------------------


def test_train_config_is_checked_when_made():
    with pytest.raises(ValueError, match="give a budget"):
        training.TrainConfig()
    with pytest.raises(ValueError, match="schedule='cosine' needs max_steps or max_chars"):
        training.TrainConfig(max_minutes=1, schedule="cosine")
    with pytest.raises(ValueError, match=r"^num_steps: expected a whole number >= 1, got 0"):
        training.TrainConfig(max_steps=1, num_steps=0)
    with pytest.raises(ValueError, match="heldout_fraction: expected a number between 0 and 1"):
        training.TrainConfig(max_steps=1, heldout_fraction=1.0)
    with pytest.raises(ValueError, match="validation_fraction: expected a number from 0"):
        training.TrainConfig(max_steps=1, validation_fraction=-0.1)
    with pytest.raises(ValueError, match="carry_state: expected True or False"):
        training.TrainConfig(max_steps=1, carry_state="yes")
    config = training.TrainConfig(max_steps=3.0, max_chars=16 * 20 * 2, batch_size=16,
                                  num_steps=20)
    assert config.max_steps == 3 and type(config.max_steps) is int
    assert config.total_steps == 2  # the character budget ends first
    assert config.record_every == 5  # at least 5 steps between records by default


def test_train_takes_a_config_and_keywords_override_it(make_model, tiny_corpus):
    config = training.TrainConfig(max_steps=4, eval_every=4, batch_size=16, num_steps=20,
                                  eval_chars=400)
    h = training.train(make_model("rnn"), tiny_corpus, config, max_steps=8, progress=False)
    assert [r["step"] for r in h] == [4, 8] and h.meta["budget"]["max_steps"] == 8
    with pytest.raises(TypeError, match=r"unexpected keyword\(s\) \['max_step'\]"):
        training.train(make_model("rnn"), tiny_corpus, max_step=8)


def test_check_checkpoint_names_the_callers_own_flags(tmp_path):
    path = tmp_path / "run.npz"
    training.check_checkpoint(path, resume=False, overwrite=False)  # nothing to lose yet
    path.write_bytes(b"x")
    with pytest.raises(FileExistsError, match="pass --resume to continue it, or --restart"):
        training.check_checkpoint(path, False, False, flags=("--resume", "--restart"))
    training.check_checkpoint(path, resume=True, overwrite=False)
    with pytest.raises(ValueError, match="is a folder"):
        training.check_checkpoint(tmp_path, resume=True, overwrite=False)


class _FakeOptimizer:
    learning_rate = 0.01
    variables = ()


class _FakeModel:
    """Enough of a Model for the Recorder, with no TensorFlow: what it records and saves."""

    kind, meta, config = "rnn", {}, models.ModelConfig()
    vocab = Vocabulary(" abc")

    def get_weights(self):
        return {"w": np.ones(2)}

    def describe(self):
        return {"kind": "rnn"}


def _recorder(tmp_path, config, **kwargs):
    start = resume.Start(history.History(meta={}))
    return training.Recorder(_FakeModel(), tiny_text_corpus(), config, start,
                             _FakeOptimizer(), tmp_path / "run.npz", progress=False, **kwargs)


def tiny_text_corpus():
    from rnnlab.corpus import Corpus

    return Corpus.from_text("abc " * 50, name="abc")


def test_recorder_stops_on_a_nan_loss_and_saves_nothing_from_it(tmp_path):
    recorder = _recorder(tmp_path, training.TrainConfig(max_steps=10))
    assert recorder.after_batch(2.0) is False
    assert recorder.after_batch(float("nan")) is True
    assert recorder.after_evaluation(2.0, 2.0) is True  # the evaluation after it records nothing
    step, loss = recorder.diverged
    assert step == 2 and math.isnan(loss)
    assert list(recorder.history) == [] and not (tmp_path / "run.npz").exists()
    message = str(recorder.divergence_error())
    assert "at step 2" in message and "no checkpoint was written" in message


def test_recorder_records_saves_and_stops_at_the_budget(tmp_path):
    seen = []
    recorder = _recorder(tmp_path, training.TrainConfig(max_steps=2, batch_size=4,
                                                        num_steps=5), on_record=seen.append)
    assert recorder.after_batch(2.0) is False
    assert recorder.after_batch(1.5) is True  # step 2 spends max_steps=2
    assert recorder.after_evaluation(1.5, 1.7) is False
    (record,) = recorder.history
    assert seen == [{**record, "run_start_step": 0}]
    assert record["step"] == 2 and record["chars_seen"] == 2 * 4 * 5
    assert record["val_bpc"] == pytest.approx(1.7 / math.log(2))
    arrays, meta = checkpoint.read(tmp_path / "run.npz")
    assert meta["training"]["step"] == 2 and meta["history"] == [record]
    assert recorder.saved_step == 2 and "step 2" in recorder.kept()
