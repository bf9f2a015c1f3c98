"""The numpy reference cells equal the Keras layers they mirror."""

import numpy as np
import pytest

from rnnlab import cells, models, training


def keras_states(model, ids):
    """H (and C) of the Keras recurrent layer at every step, via a sub-model."""
    layer = model.layer(models.RECURRENT)
    embedded = model.layer(models.EMBEDDING)(ids[None])  # (1, T, embed_dim)
    if model.kind == "lstm":
        # return_state gives only the last C: step the Keras cell to get every C
        cell = layer.cell
        H = np.zeros((1, cell.units), np.float32)
        C = np.zeros((1, cell.units), np.float32)
        Hs, Cs = [], []
        for t in range(len(ids)):
            H, (H, C) = cell(embedded[:, t], [H, C])
            Hs.append(np.asarray(H)[0])
            Cs.append(np.asarray(C)[0])
        return np.array(Hs), np.array(Cs)
    return np.asarray(layer(embedded)[0])[0], None  # the layer gives [H_all, last H]


def check_equal(model, text):
    ids = model.vocab.encode(text)
    trace = cells.unroll(model, text)
    logits = model.keras(ids[None]).numpy()[0]  # (T, vocab_size)
    assert trace.H.shape == (len(text), model.config.num_hiddens)
    np.testing.assert_allclose(trace.logits, logits, atol=1e-5, rtol=1e-4)
    H, C = keras_states(model, ids)
    np.testing.assert_allclose(trace.H, H, atol=1e-5, rtol=1e-4)
    if model.kind == "lstm":
        np.testing.assert_allclose(trace.C, C, atol=1e-5, rtol=1e-4)
        # the gates reproduce the states by the printed equations
        C_prev = np.vstack([np.zeros((1, trace.C.shape[1])), trace.C[:-1]])
        np.testing.assert_allclose(trace.F * C_prev + trace.I * trace.C_tilde, trace.C, atol=1e-6)
        np.testing.assert_allclose(trace.O * np.tanh(trace.C), trace.H, atol=1e-6)
        for gate in (trace.I, trace.F, trace.O):
            assert gate.min() >= 0 and gate.max() <= 1
    else:
        assert trace.C is None and trace.I is None


@pytest.mark.parametrize("kind", models.KINDS)
def test_initial_weights_equal_keras_over_300_chars(kind, tiny_corpus):
    model = models.build(kind, tiny_corpus.vocab, num_hiddens=64, seed=1)
    check_equal(model, tiny_corpus.text[2_000:2_300])


@pytest.mark.parametrize("kind", models.KINDS)
def test_trained_weights_equal_keras_over_300_chars(kind, tiny_corpus, make_model):
    model = make_model(kind, num_hiddens=32)
    training.train(model, tiny_corpus, max_steps=40, batch_size=16, num_steps=40,
                   learning_rate=1e-2, eval_chars=500, progress=False)
    check_equal(model, tiny_corpus.text[:300])


def test_gate_weights_are_mapped_from_the_keras_order(make_model):
    model = make_model("lstm")
    cell = cells.cell_for(model)
    kernel = model.get_weights()["recurrent/kernel"]
    n = model.config.num_hiddens
    # Keras order i, f, c, o: the forget gate is the second block, the candidate the third
    np.testing.assert_array_equal(cell.weights("F")[0], kernel[:, n : 2 * n])
    np.testing.assert_array_equal(cell.weights("C_tilde")[0], kernel[:, 2 * n : 3 * n])
    np.testing.assert_array_equal(cell.weights("O")[0], kernel[:, 3 * n :])
    # Keras initialises the forget-gate bias to 1 (unit_forget_bias)
    np.testing.assert_array_equal(cell.weights("F")[2], np.ones(n))


def test_expanding_rnn_matches_step_by_step(tiny_corpus):
    """With recurrent weights at 1.5x orthogonal the dynamics expand and float32 runs
    drift apart over long sequences; compare one step at a time from the same state."""
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=64, seed=2)
    layer = model.layer(models.RECURRENT)
    layer.cell.recurrent_kernel.assign(1.5 * layer.cell.recurrent_kernel.numpy())
    cell = cells.cell_for(model)
    ref = cells.Reference(model)
    ids = tiny_corpus.vocab.encode(tiny_corpus.text[5_000:5_300])
    H = cell.initial_state(1)
    for t, i in enumerate(ids):
        x = ref.embedding[i : i + 1]
        expected, _ = layer.cell(x, [H])
        got, _ = cell.step(x, H)
        np.testing.assert_allclose(got, np.asarray(expected), atol=1e-5, rtol=1e-4)
        H = got


def test_step_interface_is_shared(make_model):
    for kind in models.KINDS:
        model = make_model(kind)
        cell = cells.cell_for(model)
        state = cell.initial_state(batch=3)
        X = np.ones((3, model.config.embed_dim), np.float32)
        H, state = cell.step(X, state)
        assert H.shape == (3, 16)
        if kind == "lstm":
            assert isinstance(state, tuple) and len(state) == 2
        else:
            assert state is H


def test_unroll_continues_from_a_state(make_model, tiny_corpus):
    model = make_model("lstm")
    text = tiny_corpus.text[:50]
    whole = cells.unroll(model, text)
    first = cells.unroll(model, text[:20])
    rest = cells.unroll(model, text[20:], state=first.state)
    np.testing.assert_allclose(rest.H, whole.H[20:], atol=1e-6)
    ids_trace = cells.unroll(model, model.vocab.encode(text))
    assert ids_trace.text == text
