"""Resumes that cannot drift or collide: every recorded setting checked, the budget
extended only when asked (without a jump in the rate), one writer per checkpoint, one
role per file, and nothing a resume reads trusted before it is checked."""

import subprocess
import sys
import zipfile

import numpy as np
import pytest

from rnnlab import checkpoint, cli, models, resume, training
from rnnlab.corpus import Corpus
from rnnlab.errors import CheckpointBusyError, CheckpointError, CheckpointMismatchError

SMALL = dict(batch_size=16, num_steps=20, eval_chars=400, progress=False)


@pytest.fixture
def trained(make_model, tiny_corpus, tmp_path):
    """A 10-step training checkpoint of a small RNN, and the settings it was made with."""
    path = tmp_path / "run.npz"
    settings = dict(SMALL, max_steps=10, eval_every=5)
    training.train(make_model("rnn"), tiny_corpus, checkpoint=path, **settings)
    return path, settings


@pytest.mark.parametrize("name, value", [
    ("batch_size", 8), ("num_steps", 10), ("seed", 1), ("learning_rate", 1e-3),
    ("schedule", "cosine"), ("global_clipnorm", 1.0), ("eval_chars", 200),
    ("validation_fraction", 0.0), ("heldout_fraction", 0.2), ("carry_state", True)])
def test_a_resume_that_changes_a_setting_is_refused_naming_both_values(
        make_model, tiny_corpus, trained, name, value):
    path, settings = trained
    before = path.read_bytes()
    recorded = getattr(training.TrainConfig(**{k: v for k, v in settings.items()
                                               if k != "progress"}), name)
    with pytest.raises(CheckpointMismatchError) as info:
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                       **dict(settings, **{name: value}))
    message = str(info.value)
    assert f"{name}={recorded!r}" in message and f"asks for {name}={value!r}" in message
    assert "run.npz" in message
    assert path.read_bytes() == before  # refused before anything was written


def test_a_resume_on_another_model_or_corpus_is_refused(make_model, tiny_corpus, trained):
    path, settings = trained
    with pytest.raises(CheckpointMismatchError, match="dropout=0.0, this run asks for "
                       "dropout=0.5"):
        training.train(make_model("rnn", dropout=0.5), tiny_corpus, checkpoint=path,
                       resume=True, **settings)
    with pytest.raises(CheckpointMismatchError, match="num_hiddens=16, this run asks for "
                       "num_hiddens=17"):
        training.train(make_model("rnn", num_hiddens=17), tiny_corpus, checkpoint=path,
                       resume=True, **settings)
    reordered = Corpus.from_text(tiny_corpus.text[::-1], name="tiny")  # same characters
    assert reordered.vocab == tiny_corpus.vocab
    with pytest.raises(CheckpointMismatchError, match="corpus_sha256="):
        training.train(make_model("rnn"), reordered, checkpoint=path, resume=True, **settings)
    # the seed of the initial weights is not part of it: the weights come from the file
    history = training.train(make_model("rnn", seed=3), tiny_corpus, checkpoint=path,
                             resume=True, **settings)
    assert [r["step"] for r in history] == [5, 10]


def test_extending_a_cosine_run_replans_it_without_a_jump(make_model, tiny_corpus, tmp_path):
    path = tmp_path / "run.npz"
    settings = dict(SMALL, max_steps=20, eval_every=5, schedule="cosine", learning_rate=1e-2)

    def stop_at_ten(record):
        if record["step"] == 10:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, on_record=stop_at_ten,
                       **settings)
    first_plan = [[0, 20, 1e-2, 1e-3]]
    at_ten = resume.rate_at(first_plan, 10)
    history = training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                             extend=True, **dict(settings, max_steps=40))
    rates = {r["step"]: r["learning_rate"] for r in history}
    assert sorted(rates) == [5, 10, 15, 20, 25, 30, 35, 40]
    # the new phase starts where the old one was, and falls to the same floor at 40
    plan = [[0, 20, 1e-2, 1e-3], [10, 40, at_ten, 1e-3]]
    for step in (15, 20, 30, 40):
        assert rates[step] == pytest.approx(resume.rate_at(plan, step), rel=1e-5)
    assert rates[15] > resume.rate_at(first_plan, 15)  # slower than the old plan's fall
    assert rates[40] == pytest.approx(1e-3, rel=1e-5)
    assert all(a >= b for a, b in zip(list(rates.values()), list(rates.values())[1:]))
    meta = checkpoint.read_meta(path)
    assert meta["training"]["phases"] == plan
    assert meta["training"]["settings"]["max_steps"] == 40
    assert meta["history_meta"]["budget"]["max_steps"] == 20  # the first plan is kept
    assert meta["history_meta"]["extensions"][0]["at_step"] == 10
    with pytest.raises(CheckpointMismatchError, match="past the new budget"):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                       extend=True, **dict(settings, max_steps=30))


def _hold_lock(path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom rnnlab import checkpoint\n"
         "with checkpoint.lock(sys.argv[1]):\n    print('held', flush=True)\n"
         "    time.sleep(120)\n", str(path)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_one_writer_per_checkpoint(make_model, tiny_corpus, trained, corpus_file):
    path, settings = trained
    holder = _hold_lock(path)
    try:
        with pytest.raises(CheckpointBusyError, match=f"pid {holder.pid} on"):
            training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                           **dict(settings, max_steps=10))
        done = subprocess.run(
            [sys.executable, "-m", "rnnlab", "train", "--kind", "rnn", "--corpus",
             str(corpus_file), "--max-steps", "5", "--checkpoint", str(path), "--resume"],
            capture_output=True, text=True, timeout=300)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert "is being trained by another process" in lines[-1] and len(lines) == 1
    finally:
        holder.kill()
        holder.wait()
    # the holder died without cleaning up: the lock went with it
    history = training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                             extend=True, **dict(settings, max_steps=15))
    assert history[-1]["step"] == 15


def _rewrite(path, change_meta=None, change_arrays=None):
    arrays, meta = checkpoint.read(path)
    if change_meta:
        change_meta(meta)
    if change_arrays:
        change_arrays(arrays)
    checkpoint.write(path, arrays, meta)


@pytest.mark.parametrize("where, value", [
    ("step", "abc"), ("step", -5), ("step", 1e30), ("step", True), ("seconds", float("nan")),
    ("seconds", -1), ("history", "oops"), ("history", [{"step": 5}]), ("phases", "x"),
    ("history_meta", 3), ("settings", None)])
def test_damaged_training_records_are_refused(make_model, tiny_corpus, trained, where, value):
    path, settings = trained

    def damage(meta):
        if where in ("history", "history_meta"):
            meta[where] = value
        elif where == "settings":
            meta["training"]["settings"] = value
        else:
            meta["training"][where] = value

    _rewrite(path, damage)
    before = path.read_bytes()
    with pytest.raises(CheckpointError, match="run.npz"):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True, **settings)
    assert path.read_bytes() == before


def test_optimizer_arrays_of_another_type_or_shape_are_refused(make_model, tiny_corpus, trained):
    path, settings = trained

    def strings(arrays):
        arrays["optimizer/0002"] = np.array(["a", "b"])

    _rewrite(path, change_arrays=strings)
    with pytest.raises(CheckpointError, match="'optimizer/0002' is <U1 \\(2,\\)"):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                       extend=True, **dict(settings, max_steps=15))


def test_arrays_a_resume_does_not_use_are_never_read(make_model, tiny_corpus, trained):
    """An entry claiming 3 GB (a header with no data behind it) is never inflated: the
    resume reads only the arrays it expects, each by its header first."""
    path, settings = trained
    header = {"descr": "<f4", "fortran_order": False, "shape": (750_000_000,)}
    with zipfile.ZipFile(path, "a") as archive, archive.open("junk.npy", "w") as f:
        np.lib.format.write_array_header_1_0(f, header)
    history = training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                             extend=True, **dict(settings, max_steps=15))
    assert history[-1]["step"] == 15


def test_one_file_one_role(make_model, tiny_corpus, trained, tmp_path, corpus_file):
    path, settings = trained
    exported = tmp_path / "model.npz"
    models.load(path).save(exported)
    assert checkpoint.read_meta(exported)["role"] == "model"
    with pytest.raises(CheckpointMismatchError, match="is an exported model"):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=exported, resume=True,
                       **settings)

    def run(*args):
        return cli.main(["train", "--kind", "rnn", "--corpus", str(corpus_file),
                         "--max-steps", "1", *args])

    assert run("--checkpoint", str(path), "--out", str(path)) == 2
    other = tmp_path / "other.npz"
    assert run("--checkpoint", str(other), "--out", str(path), "--restart") == 2
    assert run("--checkpoint", str(other), "--extend") == 2
    assert not other.exists()  # all refused before training
    assert checkpoint.read_meta(path)["role"] == resume.ROLE  # untouched

    _rewrite(path, lambda meta: meta.pop("role"))  # as the rnnlab before roles wrote it
    with pytest.raises(CheckpointMismatchError, match="older rnnlab"):
        training.train(make_model("rnn"), tiny_corpus, checkpoint=path, resume=True,
                       **settings)


def test_streams_cut_the_text_in_order():
    ids = np.arange(23)
    inputs, targets = training.streams_of(ids, 4)  # 22 targets: 5 per stream, 2 left out
    np.testing.assert_array_equal(inputs[1], [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(targets, inputs + 1)
    assert inputs.shape == (4, 5)


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_carried_scoring_equals_one_numpy_pass(make_model, tiny_corpus, kind):
    """evaluate(carry=True) against the numpy cells run over each stream from a zero
    state (an independent reference); windows from a zero state score differently."""
    from rnnlab import cells

    model = make_model(kind, seed=1)
    ids = tiny_corpus.splits().validation[:601]
    for streams in (1, 3):
        found = training.evaluate(model, ids, num_steps=7, carry=True, streams=streams)
        inputs, targets = training.streams_of(ids, streams)
        losses = []
        for x, y in zip(inputs, targets):
            logits = cells.unroll(model, x).logits  # (length, vocab)
            shifted = logits - logits.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            losses.append(-logp[np.arange(len(y)), y])
        assert found == pytest.approx(np.mean(losses), rel=1e-5)
    windows = training.evaluate(model, ids, num_steps=7)
    assert abs(windows - found) > 1e-4


def test_dropout_acts_in_training_only(make_model, tiny_corpus):
    from rnnlab import cells

    model = make_model("lstm", dropout=0.5, seed=2)
    plain = make_model("lstm", seed=2)
    assert model.get_weights().keys() == plain.get_weights().keys()  # no weights of its own
    x = tiny_corpus.ids[None, :50].astype(np.int32)
    served = model.keras(x, training=False).numpy()[0]  # (50, vocab)
    np.testing.assert_allclose(served, plain.keras(x, training=False).numpy()[0], atol=1e-6)
    np.testing.assert_allclose(served, cells.unroll(model, x[0]).logits, atol=1e-4)
    assert not np.allclose(model.keras(x, training=True).numpy()[0], served, atol=1e-3)


@pytest.mark.parametrize("carry_state", [False, True])
def test_a_two_layer_model_trains_saves_and_loads(make_model, tiny_corpus, tmp_path,
                                                  carry_state):
    model = make_model("lstm", num_layers=2)
    shapes = models.weight_shapes("lstm", len(tiny_corpus.vocab), model.config)
    assert {k: v.shape for k, v in model.get_weights().items()} == shapes
    assert models.count_params("lstm", len(tiny_corpus.vocab), model.config) == \
        model.num_params
    path = tmp_path / "deep.npz"
    history = training.train(model, tiny_corpus, max_steps=4, eval_every=2, checkpoint=path,
                             carry_state=carry_state, **SMALL)
    assert history.meta["num_layers"] == 2
    assert history.meta["scoring"] == ("carried" if carry_state else "windows")
    loaded = models.load(path)
    assert loaded.config.num_layers == 2
    x = tiny_corpus.ids[None, :30].astype(np.int32)
    np.testing.assert_allclose(loaded.keras(x).numpy(), model.keras(x).numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="one-layer models; this 'lstm' model has 2"):
        from rnnlab import cells

        cells.cell_for(model)


def test_the_split_is_three_contiguous_slices(tiny_corpus):
    splits = tiny_corpus.splits()
    assert np.array_equal(np.concatenate(splits), tiny_corpus.ids)
    train, heldout = tiny_corpus.split()
    assert np.array_equal(splits.heldout, heldout)
    assert len(splits.validation) == round(0.05 * len(tiny_corpus.ids))
    assert len(tiny_corpus.splits(validation_fraction=0).validation) == 0
    with pytest.raises(ValueError, match="validation_fraction: expected a number from 0"):
        tiny_corpus.splits(validation_fraction=1.5)
    with pytest.raises(ValueError, match="too few"):
        Corpus.from_text("abcdefghij" * 2).splits(validation_fraction=0.9)


@pytest.mark.parametrize("carry_state", [False, True])
def test_mixed_bfloat16_trains_keeps_float32_weights_and_round_trips(
        make_model, tiny_corpus, tmp_path, carry_state):
    model = make_model("lstm", precision="mixed_bfloat16", num_hiddens=32)
    path = tmp_path / "bf16.npz"
    history = training.train(model, tiny_corpus, max_steps=30, eval_every=10,
                             learning_rate=1e-2, checkpoint=path, carry_state=carry_state,
                             **SMALL)
    assert history[-1]["val_nats"] < history[0]["val_nats"]
    assert all(w.dtype == np.float32 for w in model.get_weights().values())
    x = tiny_corpus.ids[None, :40].astype(np.int32)
    logits = model.keras(x)
    assert logits.dtype == "float32"
    loaded = models.load(path)
    assert loaded.config.precision == "mixed_bfloat16"
    np.testing.assert_allclose(loaded.keras(x).numpy(), logits.numpy(), atol=1e-6)
    # the same weights in float32 arithmetic: close, not equal (bfloat16 keeps 8 bits)
    exact = make_model("lstm", num_hiddens=32)
    exact.set_weights(model.get_weights())
    difference = np.abs(exact.keras(x).numpy() - logits.numpy())
    assert 0 < difference.max() < 0.1
    with pytest.raises(ValueError, match="precision: expected one of"):
        models.ModelConfig(precision="float16")


def test_a_finished_checkpoint_resumed_gives_back_its_trained_weights(trained, make_model,
                                                                      tiny_corpus):
    """Resuming a run whose budget is already spent trains nothing, and the model holds
    the checkpoint's weights, not its fresh ones: an export after it (make pretrained run
    twice, a protocol point whose record was lost) writes the trained model."""
    path, settings = trained
    saved = models.load(path).get_weights()
    fresh = make_model("rnn", seed=7)
    before = fresh.get_weights()
    history = training.train(fresh, tiny_corpus, checkpoint=path, resume=True, **settings)
    assert history.final["step"] == 10  # nothing more trained
    for name, weight in fresh.get_weights().items():
        np.testing.assert_array_equal(weight, saved[name])
    assert not np.array_equal(before["recurrent/kernel"], saved["recurrent/kernel"])
