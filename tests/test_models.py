import zipfile

import numpy as np
import pytest

from rnnlab import checkpoint, models
from rnnlab.errors import CheckpointError, CheckpointMismatchError, DiskFullError
from rnnlab.vocab import Vocabulary


@pytest.mark.parametrize("kind", models.KINDS)
def test_build_shapes_and_parameter_formula(kind, make_model, tiny_corpus):
    model = make_model(kind)
    ids = tiny_corpus.ids[:30].reshape(2, 15)
    logits = model.keras(ids).numpy()
    assert logits.shape == (2, 15, len(tiny_corpus.vocab))
    assert model.num_params == models.count_params(kind, len(tiny_corpus.vocab), model.config)
    assert model.kind == kind and model.config.num_hiddens == 16


def test_only_the_recurrent_layer_differs(make_model):
    rnn, lstm = make_model("rnn"), make_model("lstm")
    r, m = rnn.get_weights(), lstm.get_weights()
    assert r.keys() == m.keys()
    for name in r:
        if not name.startswith("recurrent/"):
            assert np.array_equal(r[name], m[name]), name  # same seed, same layers
    assert m["recurrent/kernel"].shape[1] == 4 * r["recurrent/kernel"].shape[1]


@pytest.mark.parametrize("overrides", [{}, {"dropout": 0.3, "num_layers": 2}])
def test_lstm_layers_meet_keras_conditions_for_cudnn(make_model, overrides):
    """Keras's own test decides (no GPU needed to ask it): every LSTM layer, with the
    kit's dropout and depth too, is one Keras would run on cuDNN on a GPU. Dropout is
    applied outside the layers, so no recurrent or input dropout masks get in the way."""
    # cudnn_ok's own condition on the arguments (cudnn_ok itself also asks for a GPU)
    from keras.src.backend.tensorflow.rnn import _do_lstm_arguments_support_cudnn

    def cudnn_ok(*args):
        return _do_lstm_arguments_support_cudnn(*args)

    model = make_model("lstm", **overrides)
    for name in models.recurrent_names(model.config.num_layers):
        layer = model.layer(name)
        cell = layer.cell
        assert cudnn_ok(cell.activation, cell.recurrent_activation, layer.unroll,
                        cell.use_bias), name
        assert getattr(layer, "use_cudnn", "auto") in ("auto", True)
        assert cell.dropout == 0 and cell.recurrent_dropout == 0, name
    # and the check can fail: a layer Keras would not run on cuDNN
    assert not cudnn_ok(cell.activation, cell.recurrent_activation, True, cell.use_bias)


def test_parameter_matched_rnn():
    config = models.param_matched_config("rnn", 84, "lstm", models.ModelConfig(num_hiddens=256))
    lstm = models.count_params("lstm", 84, models.ModelConfig(num_hiddens=256))
    rnn = models.count_params("rnn", 84, config)
    assert 500 < config.num_hiddens < 560
    assert abs(rnn - lstm) / lstm < 0.005


def test_same_seed_same_weights_other_seed_other_weights(make_model):
    a, b, c = make_model("lstm", seed=3), make_model("lstm", seed=3), make_model("lstm", seed=4)
    assert all(np.array_equal(a.get_weights()[k], b.get_weights()[k]) for k in a.get_weights())
    kernel = "recurrent/kernel"
    assert not np.array_equal(a.get_weights()[kernel], c.get_weights()[kernel])


def test_bad_arguments(tiny_corpus):
    with pytest.raises(ValueError, match="kind"):
        models.build("gru", tiny_corpus.vocab)
    with pytest.raises(TypeError, match="num_units"):
        models.build("rnn", tiny_corpus.vocab, num_units=3)
    with pytest.raises(ValueError, match="num_hiddens"):
        models.ModelConfig(num_hiddens=0)
    with pytest.raises(TypeError, match="vocab"):
        models.build("rnn", "abc")


@pytest.mark.parametrize("kind", models.KINDS)
def test_save_and_load_round_trip(kind, make_model, tiny_corpus, tmp_path):
    model = make_model(kind, seed=7)
    path = model.save(tmp_path / "m.npz", steps=12, val_nats=1.5)
    loaded = models.load(path, kind=kind, vocab=tiny_corpus.vocab)
    assert loaded.kind == kind and loaded.config == model.config and loaded.vocab == model.vocab
    assert loaded.meta["steps"] == 12 and loaded.meta["val_nats"] == 1.5
    ids = tiny_corpus.ids[:40][None]
    np.testing.assert_array_equal(loaded.keras(ids).numpy(), model.keras(ids).numpy())


def test_checkpoint_is_plain_npz_without_pickle(make_model, tmp_path):
    path = make_model("rnn").save(tmp_path / "m.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert checkpoint.META_KEY in archive.files
        assert all(archive[name].dtype != object for name in archive.files)


def test_wrong_kind_and_wrong_vocab_are_refused(make_model, tmp_path):
    path = make_model("rnn").save(tmp_path / "m.npz")
    with pytest.raises(CheckpointMismatchError, match="'rnn' model, expected 'lstm'") as info:
        models.load(path, kind="lstm")
    assert "m.npz" in str(info.value)
    with pytest.raises(CheckpointMismatchError, match="another vocabulary"):
        models.load(path, vocab=Vocabulary.from_text("abc"))


def test_truncated_and_corrupt_files_are_refused(make_model, tmp_path):
    path = make_model("lstm").save(tmp_path / "m.npz")
    data = path.read_bytes()
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(data[: len(data) // 2])
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"\x00" * 1000)
    noise = tmp_path / "noise.npz"  # random bytes: numpy alone would advise allow_pickle
    noise.write_bytes(np.random.default_rng(0).bytes(3000))
    for bad in (truncated, garbage, noise):
        with pytest.raises(CheckpointError, match="corrupt or truncated") as info:
            models.load(bad)
        assert bad.name in str(info.value) and "allow_pickle" not in str(info.value)
    with pytest.raises(CheckpointError, match="no such file"):
        models.load(tmp_path / "absent.npz")


def test_foreign_and_pickled_npz_are_refused(tmp_path):
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.zeros(3))
    with pytest.raises(CheckpointError, match="without rnnlab metadata"):
        models.load(foreign)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="pickled.npz"):
        models.load(pickled)


def test_weights_of_the_wrong_shape_are_refused(make_model, tmp_path):
    path = make_model("rnn").save(tmp_path / "m.npz")
    arrays, meta = checkpoint.read(path)
    arrays["recurrent/kernel"] = arrays["recurrent/kernel"][:, :3]
    checkpoint.write(path, arrays, meta)
    with pytest.raises(CheckpointError, match="recurrent/kernel"):
        models.load(path)


@pytest.mark.parametrize("kind", models.KINDS)
def test_weight_shapes_are_the_models_own(kind, make_model):
    model = make_model(kind)
    shapes = {name: value.shape for name, value in model.get_weights().items()}
    assert shapes == models.weight_shapes(kind, len(model.vocab), model.config)


def test_hostile_checkpoints_are_refused_before_a_model_is_built(make_model, tmp_path,
                                                                monkeypatch):
    path = make_model("lstm").save(tmp_path / "m.npz")
    arrays, meta = checkpoint.read(path)
    built = []
    monkeypatch.setattr(models, "build", lambda *a, **k: built.append(a) or 1 / 0)

    def load_with(arrays=arrays, **described):
        bad = tmp_path / "bad.npz"
        checkpoint.write(bad, arrays, {**meta, "model": {**meta["model"], **described}})
        return models.load(bad)

    # a small file that claims a huge model: refused from the shapes alone
    claim = dict(meta["model"]["config"], num_hiddens=4000)
    with pytest.raises(CheckpointError, match=r"recurrent/kernel.*needs float \(8, 16000\)"):
        load_with(config=claim)
    # metadata of the wrong type
    with pytest.raises(CheckpointError, match="invalid model metadata"):
        load_with(config=dict(meta["model"]["config"], num_hiddens="many"))
    with pytest.raises(CheckpointError, match="invalid model metadata"):
        load_with(vocab=42)
    # NaN, infinite and complex weights
    for value, words in ((np.nan, "NaN or infinite"), (np.inf, "NaN or infinite")):
        poisoned = dict(arrays, **{"logits/bias": np.full_like(arrays["logits/bias"], value)})
        with pytest.raises(CheckpointError, match=f"'logits/bias' holds {words}"):
            load_with(arrays=poisoned)
    complex_bias = dict(arrays, **{"logits/bias": arrays["logits/bias"].astype(np.complex64)})
    with pytest.raises(CheckpointError, match="'logits/bias' is complex64"):
        load_with(arrays=complex_bias)
    assert built == []  # none of them got as far as building a Keras model


def test_entries_the_model_does_not_use_are_never_read(make_model, tmp_path):
    """An extra entry, even one that could not be decoded, is left alone."""
    import io

    path = make_model("rnn").save(tmp_path / "m.npz")
    claim = io.BytesIO()  # an .npy header claiming 8 GB, and no data after it
    np.lib.format.write_array_header_1_0(claim, {"descr": "<f8", "fortran_order": False,
                                                 "shape": (10**9,)})
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("junk.npy", claim.getvalue())
    assert models.load(path).kind == "rnn"
    with pytest.raises(CheckpointError, match="corrupt or truncated"):
        checkpoint.read(path)  # reading every entry (a training checkpoint) does notice


def test_a_killed_writes_leftover_is_removed_by_the_next_write(make_model, tmp_path):
    import os

    target = tmp_path / "m.npz"
    stale, fresh = tmp_path / ".m.npz.abc123.tmp", tmp_path / ".m.npz.def456.tmp"
    stale.write_bytes(b"half a checkpoint")
    fresh.write_bytes(b"a write in progress")
    old = stale.stat().st_mtime - checkpoint.STALE_TEMPORARY_S - 1
    os.utime(stale, (old, old))
    make_model("rnn").save(target)
    assert target.is_file() and not stale.exists() and fresh.exists()


def test_a_full_disk_is_one_line_and_keeps_the_previous_file(make_model, tmp_path,
                                                              monkeypatch):
    import errno
    import os

    model = make_model("rnn")
    path = model.save(tmp_path / "m.npz")
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskFullError, match="the disk is full.*previous file is unchanged"):
        model.save(path)
    assert path.read_bytes() == before and list(tmp_path.glob("*.tmp")) == []


def test_an_interrupted_save_keeps_the_previous_file(make_model, tmp_path, monkeypatch):
    model = make_model("rnn")
    path = model.save(tmp_path / "m.npz", steps=1)
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        model.save(path, steps=2)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary file left
    assert zipfile.is_zipfile(path)


def test_per_model_builds_once_and_lets_the_model_go():
    import gc

    built = []

    @models.per_model
    def describe(model):
        built.append(model.name)
        return f"built for {model.name}"

    class Model:  # anything weakly referable stands in for a CharModel here
        def __init__(self, name):
            self.name = name

    first, second = Model("a"), Model("b")
    assert describe(first) == describe(first) == "built for a" and built == ["a"]
    assert describe(second) == "built for b" and built == ["a", "b"]
    del first
    gc.collect()
    assert list(describe.cache.values()) == ["built for b"]  # freed with its model


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_multiply_adds_are_one_per_kernel_weight(kind, num_layers):
    """A forward step multiplies and adds once per weight of every kernel (the input,
    recurrent and output ones); the embedding is a lookup and the biases only add."""
    import math

    config = models.ModelConfig(num_hiddens=12, embed_dim=5, num_layers=num_layers)
    kernels = [shape for name, shape in models.weight_shapes(kind, 7, config).items()
               if name.endswith("kernel")]
    assert models.multiply_adds_per_char(kind, 7, config) == sum(map(math.prod, kernels))
