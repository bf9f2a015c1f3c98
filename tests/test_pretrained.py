"""The shipped models are what `make pretrained` says they are."""

import math

import numpy as np
import pytest

from rnnlab import models, pretrained, training
from rnnlab.errors import PretrainedNotAvailableError


@pytest.fixture(scope="module")
def shipped():
    return pretrained.every()


def test_provenance_is_recorded(shipped, shakespeare):
    budgets, recipes = set(), set()
    for name, model in shipped.items():
        kind = pretrained.NAMES[name]
        assert model.kind == kind
        assert model.vocab == shakespeare.vocab
        assert model.meta["corpus_sha256"] == shakespeare.sha256
        assert model.meta["command"].startswith(f"python -m rnnlab train --kind {kind} ")
        assert "--max-chars" in model.meta["command"]
        budgets.add(model.meta["chars_seen"])
        training_meta = model.meta["training"]
        recipes.add(tuple(training_meta[k] for k in (
            "batch_size", "num_steps", "learning_rate", "schedule", "global_clipnorm", "seed")))
        assert pretrained.path(name).stat().st_size < 10e6
    assert len(budgets) == 1, "every shipped model saw the same number of characters"
    assert len(recipes) == 1, "every shipped model was trained by the same recipe"
    assert budgets.pop() >= 20_000_000


def test_the_registry_is_what_the_shipped_weights_are(shipped):
    """One registry (pretrained.SHIPPED) names each model; the weights agree with it, and
    the recipe is the one every shipped model recorded (its final budget included)."""
    from rnnlab.palette import PALETTE

    assert set(shipped) == set(pretrained.SHIPPED)
    for name, spec in pretrained.SHIPPED.items():
        model = shipped[name]
        assert (model.kind, model.config.num_hiddens) == (spec.kind, spec.num_hiddens)
        assert spec.label == f"{'LSTM' if spec.kind == 'lstm' else 'RNN'}-{spec.num_hiddens}"
        assert name in PALETTE, "every shipped model has its colour"
        recorded = model.meta["training"]
        recipe = pretrained.recipe()
        for field in ("batch_size", "num_steps", "learning_rate", "schedule",
                      "global_clipnorm", "seed"):
            assert recorded[field] == getattr(recipe[-1], field), (name, field)
        assert recorded["budget"]["max_chars"] == recipe[-1].max_chars == model.meta[
            "chars_seen"]
    assert [c.max_chars for c in pretrained.recipe()] == sorted(pretrained.PHASE_CHARS)


def test_the_matched_rnn_has_the_lstms_parameter_count(shipped, shakespeare):
    matched, lstm = shipped[pretrained.MATCHED], shipped["lstm"]
    assert matched.kind == "rnn"
    assert matched.config == models.param_matched_config("rnn", len(shakespeare.vocab), "lstm",
                                                         lstm.config)
    assert abs(matched.num_params - lstm.num_params) / lstm.num_params < 0.001
    assert lstm.num_params > 3 * shipped["rnn"].num_params


def test_the_lstm_ends_clearly_ahead(shipped):
    """Held-out loss over the whole held-out split, in windows of 100 characters from a
    zero state (as in training); shipped: 1.543 against 1.595 (README)."""
    lstm, rnn = shipped["lstm"].meta["heldout_nats"], shipped["rnn"].meta["heldout_nats"]
    assert lstm <= 1.55
    assert lstm < rnn - 0.03
    for model in shipped.values():
        assert model.meta["heldout_bpc"] == pytest.approx(model.meta["heldout_nats"] / math.log(2))


def test_history_matches_the_weights(shipped, shakespeare):
    """The last record was measured on these very weights."""
    _, val_ids = shakespeare.split()
    for name, model in shipped.items():
        h = pretrained.history(name)
        chars = np.diff(h.column("chars_seen"))
        assert (chars > 0).all() and h.final["chars_seen"] == model.meta["chars_seen"]
        eval_chars = 100_000
        measured = training.evaluate(model, val_ids[: eval_chars + 1])
        assert measured == pytest.approx(h.final["val_nats"], abs=2e-3)


def test_the_rnn_leads_early_and_the_lstm_overtakes():
    rnn, lstm = pretrained.history("rnn"), pretrained.history("lstm")
    early = 0  # the first record: a few hundred steps in
    assert rnn[early]["chars_seen"] == lstm[early]["chars_seen"]
    assert rnn[early]["val_nats"] < lstm[early]["val_nats"]
    assert lstm.final["val_nats"] < rnn.final["val_nats"]


def test_missing_weights_and_unknown_kinds(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="expected one of .*'rnn-matched'.*got 'gru'"):
        pretrained.load("gru")
    monkeypatch.setattr(pretrained, "weights_dir", lambda: tmp_path)
    with pytest.raises(PretrainedNotAvailableError, match="make pretrained"):
        pretrained.load("lstm")
