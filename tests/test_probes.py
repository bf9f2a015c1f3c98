"""Gradients through time: autodiff through the Keras cell against independent references."""

import math
import re

import numpy as np
import pytest

from rnnlab import cells, clipping, gradient_probes, models, sampling, units


def numpy_bptt(model, ids):
    """dL/dH_t, shape (T, num_hiddens), of the loss at the last step, by hand-written
    backpropagation through time over the numpy reference."""
    ref = cells.Reference(model)
    trace = cells.unroll(model, ids[:-1])
    T, n = trace.H.shape
    targets = ids[1:]
    P = sampling.softmax_with_temperature(trace.logits, 1.0)  # (T, vocab_size)
    dlogits = P.copy()
    dlogits[np.arange(T), targets] -= 1.0
    dlogits[:-1] = 0.0  # only the last step's prediction is in the loss
    direct = dlogits @ ref.W_hq.T  # (T, num_hiddens): dL/dH_t through the output at t
    cell = ref.cell
    G = np.zeros((T, n))
    if model.kind == "rnn":
        dH = np.zeros(n)
        for t in range(T - 1, -1, -1):
            G[t] = direct[t] + dH
            dH = (G[t] * (1 - trace.H[t] ** 2)) @ cell.W_hh.T
        return G
    dH_next, dC_next = np.zeros(n), np.zeros(n)
    for t in range(T - 1, -1, -1):
        G[t] = direct[t] + dH_next
        C_prev = trace.C[t - 1] if t > 0 else np.zeros(n)
        tanh_C = np.tanh(trace.C[t])
        dC = dC_next + G[t] * trace.O[t] * (1 - tanh_C**2)
        dO = G[t] * tanh_C
        dF, dI, dC_tilde = dC * C_prev, dC * trace.C_tilde[t], dC * trace.I[t]
        blocks = {"I": dI * trace.I[t] * (1 - trace.I[t]), "F": dF * trace.F[t] * (1 - trace.F[t]),
                  "C_tilde": dC_tilde * (1 - trace.C_tilde[t] ** 2),
                  "O": dO * trace.O[t] * (1 - trace.O[t])}
        dZ = np.concatenate([blocks[g] for g in cells.KERAS_LSTM_GATE_ORDER])  # Keras order
        dH_next = dZ @ cell.W_h.T
        dC_next = dC * trace.F[t]
    return G


@pytest.mark.parametrize("kind", models.KINDS)
def test_autodiff_equals_numpy_bptt(kind, tiny_corpus):
    model = models.build(kind, tiny_corpus.vocab, num_hiddens=32, seed=3)
    ids = tiny_corpus.vocab.encode(tiny_corpus.text[5000:5061])  # 60 inputs + 1 target
    got = gradient_probes.window_gradients(model, ids)["H"]  # (1, 60)
    expected = np.linalg.norm(numpy_bptt(model, ids), axis=1)  # (60,)
    assert got.shape == (1, 60)
    np.testing.assert_allclose(got[0], expected, rtol=1e-3, atol=1e-6 * expected.max())


@pytest.mark.parametrize("kind", models.KINDS)
def test_numpy_bptt_equals_finite_differences_in_float64(kind, tiny_corpus):
    """The oracle checked itself: nudge H_t in the numpy model (float64) and watch the
    loss at the last step; the autodiff probe then matches it to float64 precision."""
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")  # set_floatx is ignored once a policy exists
    try:
        model = models.build(kind, tiny_corpus.vocab, num_hiddens=8, embed_dim=4, seed=1)
    finally:
        keras.config.set_dtype_policy(before)
    ids = tiny_corpus.ids[:31]
    G = numpy_bptt(model, ids)  # (30, 8)
    np.testing.assert_allclose(gradient_probes.window_gradients(model, ids)["H"][0],
                               np.linalg.norm(G, axis=1), rtol=1e-9)
    ref = cells.Reference(model)
    rng = np.random.default_rng(0)

    def loss_after_nudge(t, delta):
        first = cells.unroll(model, ids[: t + 1], reference=ref)
        state = first.state
        H = state[0] + delta if kind == "lstm" else state + delta
        state = (H, state[1]) if kind == "lstm" else H
        if t + 1 < 30:
            rest = cells.unroll(model, ids[t + 1 : 30], state=state, reference=ref)
            logits = rest.logits[-1]
        else:
            logits = ref.logits(H)[0]
        logp = logits - logits.max() - np.log(np.exp(logits - logits.max()).sum())
        return -logp[ids[30]]

    for t in (0, 10, 29):
        u = rng.standard_normal(8)
        eps = 1e-6
        fd = (loss_after_nudge(t, eps * u) - loss_after_nudge(t, -eps * u)) / (2 * eps)
        assert fd == pytest.approx(G[t] @ u, rel=1e-5, abs=1e-10)


def test_long_sequences_do_not_underflow(shakespeare):
    """At T = 400 the shipped RNN's gradient falls below float32's range (it drew a cliff
    to 0); in float64 every step keeps a true, positive norm, the same where both exist."""
    from rnnlab import pretrained

    rnn = pretrained.load("rnn")
    text = shakespeare.heldout_text(length=401)
    norms = gradient_probes.window_gradients(rnn, text)["H"][0]
    assert norms.dtype == np.float64 and np.all(norms > 0) and np.all(np.isfinite(norms))
    assert norms[0] < 1e-38  # below float32's smallest normal number: it needed float64
    assert norms[0] / norms[-1] < 1e-30
    # the same numbers as float32 autodiff through the model itself, where float32 has them
    ids = rnn.vocab.encode(text).astype(np.int32)[None]  # (1, 401)
    float32_norms = gradient_probes._window_function(rnn)(ids)["H"].numpy()[0]
    assert float32_norms[0] == 0.0  # the cliff the learner saw
    np.testing.assert_allclose(float32_norms[300:], norms[300:], rtol=1e-3)


def test_probe_follows_the_model_as_it_trains(tiny_corpus):
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=8, seed=1)
    before = gradient_probes.window_gradients(model, tiny_corpus.text[:21])["H"]
    model.keras.set_weights([w * 0.5 for w in model.keras.get_weights()])
    after = gradient_probes.window_gradients(model, tiny_corpus.text[:21])["H"]
    assert not np.allclose(before, after)  # the float64 copy took the new weights


def test_bad_probe_inputs(tiny_corpus):
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=8)
    with pytest.raises(ValueError, match="length >= 2"):
        gradient_probes.window_gradients(model, "a")
    with pytest.raises(ValueError, match="one length"):
        gradient_probes.window_gradients(model, ["abc", "ab"])


def test_toy_linear_slope_is_the_spectral_radius():
    for radius in (0.8, 1.0, 1.2):
        norms = gradient_probes.toy_gradient_norms(60, radius, "linear", num_hiddens=32, seed=1)
        slopes = np.diff(np.log(norms))  # log-norm change per step forward in time
        np.testing.assert_allclose(slopes, -math.log(radius) * np.ones(59), atol=1e-9)
        assert norms[-1] == pytest.approx(1.0)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_toy_radius_bounds_the_growth(activation):
    for radius in (0.9, 1.1, 1.5):
        norms = gradient_probes.toy_gradient_norms(80, radius, activation, num_hiddens=32, seed=2)
        growth_back = norms[:-1] / norms[1:]  # factor per step backwards in time
        assert np.all(growth_back <= radius * (1 + 1e-9))
    # tanh saturation makes the decay much faster than the radius alone
    assert gradient_probes.toy_gradient_norms(80, 1.5, "tanh")[0] < 1.5**-10


def test_toy_bad_arguments():
    with pytest.raises(ValueError, match="activation"):
        gradient_probes.toy_gradient_norms(10, 1.0, "sigmoid")
    with pytest.raises(ValueError, match="spectral_radius"):
        gradient_probes.toy_gradient_norms(10, float("nan"))
    with pytest.raises(ValueError, match="num_steps"):
        gradient_probes.toy_gradient_norms(0, 1.0)
    # past float64's range the norms would be NaN: said instead, by the radius's name
    for radius, steps in ((1e300, 10), (10.0, 400)):
        with pytest.raises(ValueError, match=re.escape(f"spectral_radius: {radius:g} over "
                                                       f"{steps} steps overflows float64")):
            gradient_probes.toy_gradient_norms(steps, radius, "linear")
    assert np.isfinite(gradient_probes.toy_gradient_norms(200, 1.5, "linear")).all()  # 1e35


def test_saturation_counts_thresholds():
    gate = np.array([[0.05, 0.5], [0.95, 0.5], [0.5, 0.99], [0.01, 0.5]])  # (T=4, units=2)
    C = np.array([[3.0, 0.0], [-3.0, 0.1], [0.0, 2.0], [0.2, 0.0]])  # tanh: +-0.995 at 3
    trace = cells.Trace(kind="lstm", text="abcd", ids=np.arange(4), H=gate, logits=gate,
                        state=None, C=C, I=gate, F=1 - gate, O=gate,
                        C_tilde=np.array([[-0.95, 0.0], [0.5, 0.0], [-0.99, 0.93], [0.0, 0.0]]))
    gates = units.gate_saturation(trace)
    np.testing.assert_allclose(gates["I"][0], [0.5, 0.0])  # below 0.1
    np.testing.assert_allclose(gates["I"][1], [0.25, 0.25])  # above 0.9
    np.testing.assert_allclose(gates["F"][1], [0.5, 0.0])
    tanh = units.saturation(trace)  # like with like: only what left a tanh
    assert set(tanh) == {"C_tilde", "tanh(C)"}
    np.testing.assert_allclose(tanh["tanh(C)"][0], [0.25, 0.0])  # tanh(-3) < -0.9
    np.testing.assert_allclose(tanh["tanh(C)"][1], [0.25, 0.25])  # tanh(3), tanh(2) > 0.9
    np.testing.assert_allclose(tanh["C_tilde"][0], [0.5, 0.0])
    np.testing.assert_allclose(tanh["C_tilde"][1], [0.0, 0.25])
    rnn = cells.Trace(kind="rnn", text="ab", ids=np.arange(2), logits=None, state=None,
                      H=np.array([[-0.95, 0.0], [0.2, 0.91]]))
    assert set(units.saturation(rnn)) == {"H"}
    np.testing.assert_allclose(units.saturation(rnn)["H"][0], [0.5, 0.0])
    with pytest.raises(ValueError, match="trace: expected an LSTM"):
        units.gate_saturation(rnn)


def test_text_features():
    text = "HAMLET.\nTo be [Aside] or not\n"
    f = units.text_features(text)
    assert f["speaker"][:7].all() and not f["speaker"][8:].any()
    inside = [i for i, ch in enumerate(text) if f["in_brackets"][i]]
    assert text[inside[0]] == "[" and text[inside[-1]] == "]" and len(inside) == 7
    assert f["line_position"][text.index("To")] == 0 and f["line_position"][text.index("be")] == 3
    assert f["word_start"][text.index("be")] == 1 and f["word_start"][text.index("e [")] == 0


def test_find_cells_ranks_by_correlation(tiny_corpus):
    model = models.build("lstm", tiny_corpus.vocab, num_hiddens=16, seed=4)
    text = tiny_corpus.text[3000:3600]
    found = units.find_cells(model, text, top=4)
    trace = cells.unroll(model, text)
    feature = units.text_features(text)["line_position"]
    for unit, r in found["line_position"]:
        assert r == pytest.approx(np.corrcoef(trace.H[:, unit], feature)[0, 1], abs=1e-6)
    rs = [abs(r) for _, r in found["line_position"]]
    assert rs == sorted(rs, reverse=True) and len(rs) == 4
    with pytest.raises(ValueError, match="no 'C'"):
        units.find_cells(models.build("rnn", tiny_corpus.vocab, num_hiddens=4), text, state="C")
    with pytest.raises(ValueError, match="text: expected at least 2 characters"):
        units.find_cells(model, "")  # no correlation over nothing (it listed NaN)
    with pytest.raises(ValueError, match="top: expected"):
        units.find_cells(model, text, top=-1)  # it returned all units but one


def test_feature_correlation_checks_a_pick_on_another_passage(tiny_corpus):
    model = models.build("lstm", tiny_corpus.vocab, num_hiddens=16, seed=4)
    text = tiny_corpus.text[3000:3600]
    trace = cells.unroll(model, text)
    for state in ("H", "C", "F"):
        for unit, r in units.find_cells(model, text, top=3, state=state,
                                        trace=trace)["line_position"]:
            assert units.feature_correlation(trace, state, unit, "line_position") == \
                pytest.approx(r, abs=1e-6)
    # a unit made to follow the line position exactly, then the opposite way
    trace.H[:, 0] = units.text_features(text)["line_position"]
    assert units.feature_correlation(trace, "H", 0, "line_position") == pytest.approx(1.0)
    trace.H[:, 0] *= -2.0
    assert units.feature_correlation(trace, "H", 0, "line_position") == pytest.approx(-1.0)
    assert "[" not in text  # no stage direction: a feature that never varies gives NaN
    assert math.isnan(units.feature_correlation(trace, "H", 1, "in_brackets"))
    with pytest.raises(ValueError, match="feature: expected one of"):
        units.feature_correlation(trace, "H", 0, "rhyme")
    with pytest.raises(ValueError, match="has no 'C'"):
        units.feature_correlation(cells.unroll(models.build("rnn", tiny_corpus.vocab,
                                                            num_hiddens=4), text), "C", 0,
                                  "line_position")


def test_a_clipped_step_is_the_unclipped_step_at_a_smaller_rate(tiny_corpus):
    settings = dict(steps=2, num_hiddens=16, batch_size=8, num_steps=20, seed=3)
    clipped = clipping.clipping_run(tiny_corpus, learning_rate=2.0, global_clipnorm=0.1,
                                    **settings)
    first_norm = clipped["grad_norm"][0]
    assert first_norm > 0.1  # so the clip acts on the first step
    # rescaling g to length 0.1 is the same step as rate 2 * 0.1 / |g| on the raw gradient
    same_step = clipping.clipping_run(tiny_corpus, learning_rate=2.0 * 0.1 / first_norm,
                                      **settings)
    plain = clipping.clipping_run(tiny_corpus, learning_rate=2.0, **settings)
    assert same_step["grad_norm"][0] == pytest.approx(first_norm)  # same start
    assert clipped["loss"][1] == pytest.approx(same_step["loss"][1], rel=1e-5)
    assert abs(plain["loss"][1] - clipped["loss"][1]) > 1e-3  # the clip changed the step
    # a clip above every gradient never acts
    loose = clipping.clipping_run(tiny_corpus, learning_rate=2.0, global_clipnorm=1e9,
                                  **settings)
    assert loose["loss"][1] == pytest.approx(plain["loss"][1], rel=1e-6)


def test_clipping_keeps_a_huge_step_from_throwing_the_weights(tiny_corpus):
    """One step from the same weights and batch: unclipped at rate 100 the loss after it
    jumps by more than a nat; clipped at 0.05 the step is 5 long at most, and the loss
    falls. (One step, not a whole run: after a throw a run is chaotic, and its later
    losses differ between TensorFlow versions.)"""
    settings = dict(steps=2, learning_rate=100.0, num_hiddens=16, batch_size=8, num_steps=20)
    wild = clipping.clipping_run(tiny_corpus, **settings)
    tame = clipping.clipping_run(tiny_corpus, global_clipnorm=0.05, **settings)
    assert wild["grad_norm"][0] == pytest.approx(tame["grad_norm"][0])
    assert wild["grad_norm"][0] > 0.05  # so the clip acts on the first step
    assert wild["loss"][1] > wild["loss"][0] + 1  # thrown: more than a nat worse
    assert tame["loss"][1] < tame["loss"][0]  # a step of bounded length: still downhill


def test_a_run_clipped_from_a_later_step_is_the_unclipped_run_until_then(tiny_corpus):
    settings = dict(steps=5, learning_rate=2.0, num_hiddens=16, batch_size=8, num_steps=20,
                    seed=3)
    plain = clipping.clipping_run(tiny_corpus, **settings)
    late = clipping.clipping_run(tiny_corpus, global_clipnorm=0.1, clip_from=2, **settings)
    # bit for bit the same three losses (steps 0-2), then the clipped update of step 2
    assert np.array_equal(plain["loss"][:3], late["loss"][:3])
    assert late["grad_norm"][2] > 0.1  # so the clip acts there
    assert abs(plain["loss"][3] - late["loss"][3]) > 1e-3
    assert list(clipping.clipped_steps(late)) == [s for s in range(2, 5)
                                                   if late["grad_norm"][s] > 0.1]
    with pytest.raises(ValueError, match="clip_from: expected a step from 0 to 4"):
        clipping.clipping_run(tiny_corpus, global_clipnorm=0.1, clip_from=5, **settings)


def test_a_branch_at_the_wall_takes_the_throwing_update_clipped(tiny_corpus):
    settings = dict(steps=4, learning_rate=100.0, num_hiddens=16, batch_size=8, num_steps=20)
    run = clipping.clipping_run(tiny_corpus, **settings)
    landing = clipping.first_rise(run, above=1.0)
    assert landing is not None  # rate 100 throws the run (see the test above)
    branch = clipping.branch_at_wall(tiny_corpus, run, above=1.0, global_clipnorm=0.05,
                                     steps_after=1)
    effect = clipping.branch_effect(run, branch)
    assert effect["wall"] == branch["clip_from"] == landing - 1
    assert len(branch["loss"]) == landing + 1 and effect["identical"]
    unclipped, clipped = effect["next_loss"]
    assert unclipped > run["loss"][landing - 1] + 1.0  # the throw itself
    assert clipped < run["loss"][landing - 1]  # the same update clipped: downhill
    assert clipping.branch_at_wall(tiny_corpus, run, above=1e6) is None  # no such rise
    with pytest.raises(ValueError, match="run: expected a run without clipping"):
        clipping.branch_at_wall(tiny_corpus, branch, above=-1e6)


def test_a_branch_effect_pairs_the_run_and_its_branch():
    run = {"seed": 4, "loss": np.array([4.0, 3.5, 6.0, 5.0, 7.0] + [5.0] * 20),
           "grad_norm": np.array([3.0, 2.0, 9.0] + [1.0] * 22),
           "saturated": np.linspace(0, 1, 25)}
    branch = {"loss": np.array([4.0, 3.5, 3.2, 3.3, 3.0] + [2.0] * 20), "clip_from": 1}
    effect = clipping.branch_effect(run, branch)
    assert effect["seed"] == 4 and effect["wall"] == 1 and effect["identical"]
    assert effect["before"] == pytest.approx(3.75)  # steps 0 and 1: fewer than END_STEPS
    assert effect["grad_norm"] == 2.0 and effect["longest_before"] == 3.0  # shorter
    assert effect["saturated"] == pytest.approx(1 / 24)
    assert effect["next_loss"] == (6.0, 3.2)  # both on the batch of step 2
    assert effect["largest_rise_after"] == (pytest.approx(2.0), pytest.approx(0.1))
    diverged = dict(run, loss=np.r_[run["loss"][:3], [np.nan] * 22])
    assert clipping.branch_effect(diverged, branch)["largest_rise_after"] == (
        math.inf, pytest.approx(0.1))
    assert not clipping.branch_effect(dict(run, loss=run["loss"] + 0.1), branch)["identical"]


def test_the_clipping_summaries():
    loss = np.array([3.0, 2.5, 4.0, 3.9] + [2.0] * 20)
    run = {"loss": loss, "diverged_at": None, "saturated": np.linspace(0, 1, 24)}
    assert clipping.largest_rise(run) == (pytest.approx(1.5), 2)  # lands on step 2
    assert clipping.end_of_run(run) == pytest.approx(2.0)  # the last 20 steps
    assert clipping.end_of_run(run, "saturated") == pytest.approx(np.linspace(0, 1, 24)[4:].mean())
    assert clipping.first_rise(run, above=1.0) == 2 and clipping.first_rise(run, above=2) is None
    # a run that went non-finite with no rise before: thrown where it diverged (NaN - x
    # is never above anything)
    nan_after = dict(run, loss=np.r_[run["loss"][:3], [np.nan] * 21], diverged_at=3)
    assert clipping.first_rise(nan_after, above=2) == 3
    norms = dict(run, grad_norm=np.array([0.5, 2.0, 1.0, 3.0]), global_clipnorm=1.0, clip_from=0)
    assert list(clipping.clipped_steps(norms)) == [1, 3]  # longer than the clip, not equal
    assert clipping.clipped_steps(dict(norms, global_clipnorm=None)).size == 0
    diverged = dict(run, diverged_at=7)
    assert clipping.largest_rise(diverged) == (math.inf, 7)
    assert clipping.end_of_run(diverged) == math.inf
    with pytest.raises(ValueError, match="run: expected at least 2 steps"):
        clipping.largest_rise({"loss": np.array([1.0]), "diverged_at": None})


@pytest.mark.parametrize("bad", [dict(learning_rate=0.0), dict(learning_rate=float("nan")),
                                 dict(global_clipnorm=0.0), dict(global_clipnorm=-1.0)])
def test_clipping_runs_refuse_meaningless_settings(tiny_corpus, bad):
    name = next(iter(bad))
    with pytest.raises(ValueError, match=f"{name}: expected"):
        clipping.clipping_run(tiny_corpus, steps=1, **bad)


# --- many windows at once: dL_T/dH_t, dL_T/dC_t and dL_T/dx_t --------------------------------

def float64_model(kind, vocab):
    import keras

    before = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float64")  # set_floatx is ignored once a policy exists
    try:
        return models.build(kind, vocab, num_hiddens=8, embed_dim=4, seed=1)
    finally:
        keras.config.set_dtype_policy(before)


def numpy_last_loss(ref, ids, t, what, delta):
    """The loss at the last step in the numpy model, with ``delta`` added at step ``t`` to
    the input x_t, to H_t, or to C_t (then H_t = O_t tanh(C_t + delta), as the cell does)."""
    cell = ref.cell
    X = ref.embedding[ids[:-1]]  # (T, embed_dim)
    state = cell.initial_state(1)
    for s in range(len(X)):
        x = X[s:s + 1] + (delta if (what == "x" and s == t) else 0.0)
        if cell.kind == "lstm":
            step = cell.forward(cell.project_input(x), state)
            H, C = step.H, step.C
            if s == t and what == "C":
                C = C + delta
                H = step.O * np.tanh(C)
        else:
            H, _ = cell.step(x, state)
        if s == t and what == "H":
            H = H + delta
        state = (H, C) if cell.kind == "lstm" else H
    logits = ref.logits(H)[0]
    shifted = logits - logits.max()
    return -(shifted[ids[-1]] - np.log(np.exp(shifted).sum()))


@pytest.mark.parametrize("kind", models.KINDS)
def test_window_gradients_equal_finite_differences_through_the_numpy_cells(kind, tiny_corpus):
    """Every quantity's norm, against central differences along each coordinate of the
    float64 numpy model (an independent implementation of the same equations)."""
    model = float64_model(kind, tiny_corpus.vocab)
    ids = tiny_corpus.ids[:31].astype(np.int32)  # T = 30
    found = gradient_probes.window_gradients(model, ids)
    assert set(found) == ({"H", "C", "x"} if kind == "lstm" else {"H", "x"})
    ref = cells.Reference(model)
    eps = 1e-6
    for what, size in (("H", 8), ("x", 4)) + ((("C", 8),) if kind == "lstm" else ()):
        for t in (0, 12, 29):
            grad = np.array([
                (numpy_last_loss(ref, ids, t, what, eps * e)
                 - numpy_last_loss(ref, ids, t, what, -eps * e)) / (2 * eps)
                for e in np.eye(size)])
            assert found[what][0, t] == pytest.approx(np.linalg.norm(grad), rel=1e-5,
                                                      abs=1e-11), (what, t)


def test_a_batch_equals_its_windows_one_by_one(tiny_corpus):
    model = models.build("lstm", tiny_corpus.vocab, num_hiddens=16, seed=3)
    windows = tiny_corpus.heldout_windows(count=4, length=40, seed=1)
    batch = gradient_probes.window_gradients(model, windows)
    for i, window in enumerate(windows):
        alone = gradient_probes.window_gradients(model, window)
        for name in ("H", "C", "x"):
            np.testing.assert_allclose(batch[name][i], alone[name][0], rtol=1e-9)
        # the same dL/dH as hand-written backpropagation through time, window by window
        np.testing.assert_allclose(batch["H"][i], np.linalg.norm(numpy_bptt(model, window),
                                                                  axis=1), rtol=1e-3)
    texts = [tiny_corpus.vocab.decode(w) for w in windows]
    np.testing.assert_allclose(gradient_probes.window_gradients(model, texts)["x"], batch["x"])


def test_one_trace_serves_every_batch_and_length(tiny_corpus):
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=16)
    for count, length in ((1, 10), (5, 37), (2, 120)):
        norms = gradient_probes.window_gradients(
            model, tiny_corpus.heldout_windows(count, length))["H"]
        assert norms.shape == (count, length)
    twin = gradient_probes._float64_build.cache[model]
    assert gradient_probes._window_function.cache[twin].experimental_get_tracing_count() == 1


def test_window_input_errors_name_the_input(tiny_corpus):
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=8)
    with pytest.raises(ValueError, match="texts of one length"):
        gradient_probes.window_gradients(model, ["ROMEO.", "JULIET."])
    with pytest.raises(ValueError, match=r"windows: expected int ids of shape \(n, length\) with "
                                         "length >= 2"):
        gradient_probes.window_gradients(model, np.zeros((2, 1), np.int32))
    with pytest.raises(ValueError, match="windows: expected ids from 0 to"):
        gradient_probes.window_gradients(model, np.full((1, 5), 999))
    with pytest.raises(ValueError, match="length: the held-out text has"):
        tiny_corpus.heldout_windows(2, 10**8)
    with pytest.raises(ValueError, match="count: expected a whole number >= 1, got 0"):
        tiny_corpus.heldout_windows(0, 10)


def test_heldout_windows_come_from_the_held_out_text(tiny_corpus):
    _, val_ids = tiny_corpus.split()
    windows = tiny_corpus.heldout_windows(count=20, length=50, seed=7)
    assert windows.shape == (20, 51) and windows.dtype == np.int32
    held_out = tiny_corpus.vocab.decode(val_ids)
    assert all(tiny_corpus.vocab.decode(w) in held_out for w in windows)
    np.testing.assert_array_equal(windows, tiny_corpus.heldout_windows(20, 50, seed=7))
    assert len({tuple(w[:5]) for w in windows}) > 15  # different places, not one passage


def test_gradient_band_is_relative_to_each_windows_last_step():
    norms = np.array([[1e-6, 1e-3, 2.0],
                      [1e-4, 1e-2, 4.0],
                      [1e-2, 1e-1, 1.0]])
    band = gradient_probes.gradient_band(norms, low=0, high=100)
    np.testing.assert_allclose(band["median"], [2.5e-5, 2.5e-3, 1.0])
    np.testing.assert_allclose(band["low"], [5e-7, 5e-4, 1.0])
    np.testing.assert_allclose(band["high"], [1e-2, 1e-1, 1.0])
    assert band["windows"] == 3
    with pytest.raises(ValueError, match=r"norms: expected \(n_windows, T\)"):
        gradient_probes.gradient_band(np.ones(4))
    for last in (0.0, np.nan):  # a ratio to it would be inf or NaN
        with pytest.raises(ValueError, match="norms: window 1's last step is"):
            gradient_probes.gradient_band(np.array([[1.0, 2.0], [1.0, last]]))


def test_at_initialisation_is_the_same_architecture_untrained(tiny_corpus):
    trained = models.build("lstm", tiny_corpus.vocab, num_hiddens=16, seed=9)
    trained.keras.set_weights([w * 1.5 for w in trained.keras.get_weights()])
    fresh = gradient_probes.at_initialisation(trained)
    assert fresh.kind == "lstm" and fresh.config.num_hiddens == 16
    reference = models.build("lstm", tiny_corpus.vocab, trained.config, seed=0)
    for a, b in zip(fresh.keras.get_weights(), reference.keras.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_rnn_gradient_reach_equals_autodiff_and_answers_the_what_if(tiny_corpus):
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=16, seed=6)
    model.keras.set_weights([w * 3 for w in model.keras.get_weights()])  # saturate it
    windows = tiny_corpus.heldout_windows(count=6, length=40, seed=2)
    norms = gradient_probes.window_gradients(model, windows)["H"]
    by_autodiff = np.median(np.log10(norms[:, 0] / norms[:, -1]))
    reach = gradient_probes.rnn_gradient_reach(model, windows)
    assert reach == pytest.approx(by_autodiff, abs=1e-6)
    # letting saturated units pass tanh' = 0.19 can only let more through
    relieved = gradient_probes.rnn_gradient_reach(model, windows, saturated_tanh_prime=0.19)
    assert relieved > by_autodiff + 1  # this model is saturated: it matters here
    # the weights alone (tanh' = 1 everywhere): the linear RNN's gradient, in numpy
    linear = gradient_probes.rnn_gradient_reach(model, windows, saturated_tanh_prime=1.0,
                                       unsaturated_tanh_prime=1.0)
    W_hh = model.get_weights()["recurrent/recurrent_kernel"].astype(np.float64)
    assert linear > relieved
    assert linear <= 39 * np.log10(np.linalg.svd(W_hh, compute_uv=False)[0]) + 1e-9
    with pytest.raises(ValueError, match="expected a vanilla RNN"):
        gradient_probes.rnn_gradient_reach(models.build("lstm", tiny_corpus.vocab, num_hiddens=8),
                                  windows)


def test_forget_timescales_and_tanh_outputs():
    from rnnlab import cells

    T, width = 250, 3
    F = np.empty((T, width))
    F[:, 0], F[:, 1], F[:, 2] = 0.5, 0.99, np.tile([0.9, 1.0], T // 2)  # constant, near 1, mixed
    trace = cells.Trace(kind="lstm", text="x" * T, ids=np.zeros(T, int), H=np.zeros((T, width)),
                        logits=None, state=None, C=np.full((T, width), 3.0),
                        I=F, F=F, O=F, C_tilde=np.full((T, width), -0.95))
    found = units.forget_timescales([trace, trace], window=100)
    np.testing.assert_allclose(found["mean"], [0.5, 0.99, 0.95])
    # the third unit alternates 0.9 and 1.0: it keeps 0.9 per two steps, a geometric mean
    # of sqrt(0.9), not the plain mean 0.95
    np.testing.assert_allclose(found["time_constant"],
                               -1 / np.log([0.5, 0.99, np.sqrt(0.9)]))
    # two windows of 100 per passage: 0.5^100, 0.99^100, 0.9^50
    np.testing.assert_allclose(found["product"], [0.5 ** 100, 0.99 ** 100, 0.9 ** 50])
    outputs = units.tanh_outputs(trace)
    assert set(outputs) == {"C_tilde", "tanh(C)"}
    np.testing.assert_allclose(outputs["tanh(C)"], np.tanh(3.0))
    with pytest.raises(ValueError, match="longer than every passage"):
        units.forget_timescales(trace, window=300)
    with pytest.raises(ValueError, match="LSTM"):
        units.forget_timescales([])


def test_steps_below_reads_the_band_from_the_last_step_back():
    # three windows whose gradient halves, thirds and quarters per step back
    k = np.arange(12)[::-1]  # the last column is k = 0
    norms = np.stack([0.5 ** k, (1 / 3) ** k, 0.25 ** k])  # (3, 12)
    found = gradient_probes.steps_below(norms, 1e-2)
    # the median window is the thirding one: 3^-5 = 0.004 < 0.01 < 3^-4 = 0.012
    assert found["median"] == 5
    # the 90th percentile follows the halving window (2^-7 < 0.01), the 10th the quartering
    assert found["high"] == 7 and found["low"] == 4
    assert gradient_probes.steps_below(norms, 1e-12)["median"] is None  # never that low
