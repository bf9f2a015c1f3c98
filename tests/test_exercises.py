"""Every exercise checker: unanswered, the solution in lessons/solutions, a wrong answer."""

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from rnnlab import cells, exercises, gradient_probes, models, pretrained, tasks
from rnnlab.exercises import HINT, PASS, UNANSWERED

SOLUTIONS = Path(__file__).resolve().parent.parent / "lessons" / "solutions"


def solution(name):
    """Import lessons/solutions/<name>.py (file names start with the lesson number)."""
    spec = importlib.util.spec_from_file_location(f"solution_{name}", SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unanswered_function(*args, **kwargs):
    ...


def raising_function(*args, **kwargs):
    raise ZeroDivisionError("oops")


@pytest.fixture(scope="module")
def lstm_trace():
    return cells.unroll(pretrained.load("lstm"), "ROMEO.\nWhat light through yonder window "
                        "breaks? It is the east, and Juliet is the sun.\n" * 3)


def test_every_lesson_has_a_solution_file():
    lessons = sorted(p.stem for p in (SOLUTIONS.parent).glob("[0-9][0-9]_*.ipynb"))
    assert lessons, "no lessons found"
    assert lessons == sorted(p.stem for p in SOLUTIONS.glob("[0-9][0-9]_*.py"))


def test_feedback_never_raises_and_says_unanswered():
    for check in (exercises.check_rnn_stack, exercises.check_softmax_with_temperature):
        assert check(...).status == UNANSWERED
        assert check(unanswered_function).status == UNANSWERED
        feedback = check(raising_function)
        assert feedback.status == HINT and "ZeroDivisionError" in feedback.message
    assert "not answered" in repr(exercises.check_tanh_radius_for_reach(...))
    assert "expected a radius as a number" in exercises.check_tanh_radius_for_reach(
        "x").message


def test_unigram(shakespeare):
    """Counted on the training split, scored on the validation split: the answer is on no
    page of lesson 1, and each near miss (another split) is named."""
    sol = solution("01_characters")
    splits = shakespeare.splits()
    V = len(shakespeare.vocab)
    answer = sol.unigram_nats(splits.train, splits.validation, V)
    assert exercises.check_unigram_nats(answer, shakespeare).passed
    near_misses = {"held-out tail": sol.unigram_nats(splits.train, splits.heldout, V),
                   "training text itself": sol.unigram_nats(splits.train, splits.train, V),
                   "everything before the tail": sol.unigram_nats(shakespeare.split()[0],
                                                                  splits.validation, V)}
    for words, value in near_misses.items():
        feedback = exercises.check_unigram_nats(value, shakespeare)
        assert feedback.status == HINT and words in feedback.message, (words, feedback)
    # the model answer's reasons: above the tail's 3.329, and not because of the counts
    assert round(answer, 3) == 3.345 and answer > near_misses["held-out tail"]
    tail_counted_before = sol.unigram_nats(shakespeare.split()[0], splits.heldout, V)
    assert abs(near_misses["held-out tail"] - tail_counted_before) < 1e-3
    wrong = exercises.check_unigram_nats(np.log(V), shakespeare)
    assert wrong.status == HINT and "ln(V)" in wrong.message
    assert "bits" in exercises.check_unigram_nats(answer / np.log(2), shakespeare).message


def test_feedback_shows_itself_once_in_a_notebook(monkeypatch):
    """In a kernel a checker's result shows wherever its line is in the cell; as the
    cell's last line, the display hook then adds no second copy."""
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    monkeypatch.setattr(exercises, "in_kernel", lambda: True)
    feedback = exercises.check_perplexity(np.exp(1.5), 1.5)
    assert feedback.passed and len(shown) == 1
    assert "perplexity" in shown[0][0]["text/html"]
    feedback._ipython_display_()  # what IPython's display hook calls for a last line
    assert len(shown) == 1
    monkeypatch.setattr(exercises, "in_kernel", lambda: False)
    exercises.check_perplexity(np.exp(1.5), 1.5)  # outside a kernel: nothing displayed
    assert len(shown) == 1


def test_perplexity():
    sol = solution("01_characters")
    assert exercises.check_perplexity(sol.perplexity(1.543), 1.543).passed
    assert "e ** loss" in exercises.check_perplexity(2 ** 1.543, 1.543).message
    assert "bits" in exercises.check_perplexity(1.543 / np.log(2), 1.543).message
    assert exercises.check_perplexity(3.0, 1.543).status == HINT


def test_rnn_stack_and_params(make_model):
    sol = solution("02_vanilla_rnn")
    assert exercises.check_rnn_stack(sol.rnn_stack).passed

    def first_layer_only(X, layers):
        return sol.rnn_stack(X, layers[:1])

    assert "first layer's states" in exercises.check_rnn_stack(first_layer_only).message

    def second_reads_x(X, layers):  # feeds X to both layers
        top = None
        for W_xh, W_hh, b_h in layers:
            H, states = np.zeros((X.shape[1], W_hh.shape[0])), []
            for X_t in X:
                H = np.tanh(X_t @ W_xh + H @ W_hh + b_h)
                states.append(H)
            top = np.stack(states)
        return top

    assert "H1_t" in exercises.check_rnn_stack(second_reads_x).message

    def as_a_list(X, layers):
        return list(sol.rnn_stack(X, layers))

    assert "np.stack" in exercises.check_rnn_stack(as_a_list).message
    rnn = make_model("rnn")
    E, H = rnn.config.embed_dim, rnn.config.num_hiddens
    lesson_4 = solution("04_lstm")  # the exercise that counts a recurrent layer's weights
    assert lesson_4.rnn_recurrent_params(E, H) == rnn.layer(models.RECURRENT).count_params()
    assert exercises.check_recurrent_params(lesson_4.rnn_recurrent_params(E, H), rnn).passed
    assert "bias" in exercises.check_recurrent_params(E * H + H * H, rnn).message


def test_rnn_step_backward():
    sol = solution("02_vanilla_rnn")
    feedback = exercises.check_rnn_step_backward(sol.rnn_step_backward)
    assert feedback.passed, feedback.message

    def no_tanh(dH, X_t, H_prev, W_xh, W_hh, b_h):
        return dH @ W_xh.T, dH @ W_hh.T, X_t.T @ dH, H_prev.T @ dH, dH.sum(axis=0)

    assert "through tanh" in exercises.check_rnn_step_backward(no_tanh).message

    def tanh_at_h_prev(dH, X_t, H_prev, W_xh, W_hh, b_h):
        dZ = dH * (1 - H_prev ** 2)
        return dZ @ W_xh.T, dZ @ W_hh.T, X_t.T @ dZ, H_prev.T @ dZ, dZ.sum(axis=0)

    assert "not at H_prev" in exercises.check_rnn_step_backward(tanh_at_h_prev).message

    def bias_not_summed(*args):
        found = list(sol.rnn_step_backward(*args))
        found[4] = found[4] / 2
        return found

    assert "db_h" in exercises.check_rnn_step_backward(bias_not_summed).message
    assert exercises.check_rnn_step_backward(lambda *a: (1, 2)).status == HINT


def test_tanh_radius_for_reach():
    sol = solution("03_vanishing_gradients")
    r = sol.tanh_radius_for_reach()
    assert exercises.check_tanh_radius_for_reach(r).passed
    share = gradient_probes.toy_gradient_norms(101, r, activation="tanh")
    assert share[0] / share[-1] == pytest.approx(0.01, rel=1e-3)
    assert r > 1.5  # through tanh the weights must stretch far beyond the linear 0.955
    at_1_5 = gradient_probes.toy_gradient_norms(101, 1.5, activation="tanh")
    assert at_1_5[0] / at_1_5[-1] < 1e-5  # exercise 2's model answer: about 3e-6, no explosion
    linear = exercises.check_tanh_radius_for_reach(0.01 ** (1 / 100))
    assert "linear RNN's radius" in linear.message
    assert "larger" in exercises.check_tanh_radius_for_reach(r - 0.2).message
    assert "smaller" in exercises.check_tanh_radius_for_reach(r + 0.2).message

def test_gru_and_lstm_params(make_model):
    sol = solution("04_lstm")
    feedback = exercises.check_gru_step(sol.gru_step)
    assert feedback.passed, feedback.message

    def swapped(X_t, H, kernel, recurrent_kernel, bias):  # keeps the candidate where Z = 1
        return exercises._gru_step("swapped", X_t, H, kernel, recurrent_kernel, bias)

    assert "Z * H_prev + (1 - Z)" in exercises.check_gru_step(swapped).message

    def reset_after(X_t, H, kernel, recurrent_kernel, bias):
        return exercises._gru_step("reset_after", X_t, H, kernel, recurrent_kernel, bias)

    assert "before the product" in exercises.check_gru_step(reset_after).message

    def gates_r_z_h(X_t, H, kernel, recurrent_kernel, bias):  # reads the blocks as r, z, h
        order = [1, 0, 2]
        def blocks(w):
            return np.concatenate([np.split(w, 3, axis=-1)[k] for k in order], axis=-1)
        return sol.gru_step(X_t, H, blocks(kernel), blocks(recurrent_kernel), blocks(bias))

    assert "order z, r, h" in exercises.check_gru_step(gates_r_z_h).message
    lstm = make_model("lstm")
    assert "four" in exercises.check_recurrent_params(
        lstm.layer(models.RECURRENT).count_params() / 4, lstm).message
    # the lesson's question: the width of the matched RNN, and its recurrent layer
    matched = pretrained.load("rnn-matched")
    assert sol.matched_width() == matched.config.num_hiddens == 522
    assert sol.total_params(4, 256) == pretrained.load("lstm").num_params
    assert sol.total_params(1, 522) == matched.num_params
    answer = sol.rnn_recurrent_params(64, sol.matched_width())
    assert exercises.check_recurrent_params(answer, matched).passed
    assert "bias" in exercises.check_recurrent_params(answer - 522, matched).message


def test_gates(lstm_trace):
    sol = solution("05_inside_the_gates")
    traces, unit = [lstm_trace, lstm_trace], 7
    inside = sol.time_constant_within_lines(traces, unit)
    assert exercises.check_time_constant(inside, traces, unit, within_lines=True).passed
    # the unit counts along each line: it holds far longer inside lines than over all
    answer = float(-1 / np.log(lstm_trace.F[:, unit]).mean())
    assert inside > 3 * answer
    assert "over every character" in exercises.check_time_constant(
        answer, traces, unit, within_lines=True).message
    assert exercises.check_time_constant(answer, traces, unit).passed
    with np.errstate(divide="ignore"):
        per_step = float(np.mean(-1 / np.log(lstm_trace.F[:, unit])))
    assert "average ln F first" in exercises.check_time_constant(per_step, traces,
                                                                  unit).message
    plain_mean = float(-1 / np.log(lstm_trace.F[:, unit].mean()))
    assert answer < plain_mean  # the geometric mean is below the plain one (Jensen)
    assert "geometric mean" in exercises.check_time_constant(plain_mean, traces, unit).message
    assert "positive" in exercises.check_time_constant(-answer, traces, unit).message
    start, stop = 10, 60
    product = sol.forget_product(lstm_trace, unit, start, stop)
    assert exercises.check_forget_product(product, lstm_trace, unit, start, stop).passed
    summed = float(lstm_trace.F[start:stop, unit].sum())
    assert "np.prod" in exercises.check_forget_product(summed, lstm_trace, unit, start,
                                                       stop).message
    assert exercises.check_forget_product(0.5, lstm_trace, unit, start, stop).status == HINT


def test_memory():
    sol = solution("06_long_range_memory")
    bias = sol.forget_bias_for_memory()
    assert exercises.check_forget_bias_for_memory(bias).passed
    assert 1 / (1 + np.exp(-bias)) ** 200 == pytest.approx(0.5)
    gate = 0.5 ** (1 / 200)
    assert "inverse" in exercises.check_forget_bias_for_memory(gate).message
    assert exercises.check_forget_bias_for_memory(1.0).status == HINT
    assert exercises.check_reliable_lag(sol.reliable_lag).passed

    def by_median(points, threshold):  # the common mistake: the median, not every seed
        lags = sorted({p["lag"] for p in points})
        held = [lag for lag in lags if np.median(
            [p["accuracy"] for p in points if p["lag"] == lag]) >= threshold]
        return held[-1] if held else None

    assert "lowest seed" in exercises.check_reliable_lag(by_median).message

    def any_later(points, threshold):  # carries on past a failed lag
        lags = sorted({p["lag"] for p in points})
        good = [lag for lag in lags if min(
            p["accuracy"] for p in points if p["lag"] == lag) >= threshold]
        return good[-1] if good else None

    assert "stop at the first lag" in exercises.check_reliable_lag(any_later).message
    assert exercises.check_reliable_lag(lambda points, threshold: None).status == UNANSWERED
    sweep = tasks.load_sweep()  # the lesson's answer on the shipped sweep
    assert sol.reliable_lag(sweep["series"]["lstm_bias3"]["points"]) == 50
    assert sol.reliable_lag(sweep["series"]["rnn_keras_defaults"]["points"]) == 200


def test_softmax():
    sol = solution("07_generate_and_compare")
    assert exercises.check_softmax_with_temperature(sol.softmax).status == PASS

    def multiplies(logits, temperature):
        return sol.softmax(np.asarray(logits) * temperature, 1.0)

    def overflows(logits, temperature):
        e = np.exp(np.asarray(logits, dtype=float) / temperature)
        return e / e.sum()

    assert "divide" in exercises.check_softmax_with_temperature(multiplies).message
    with np.errstate(over="ignore", invalid="ignore"):
        assert "overflow" in exercises.check_softmax_with_temperature(overflows).message


def test_the_solutions_ship_with_the_kit_and_print_by_lesson(capsys):
    """exercises.solution works from a lone notebook (Colab): the files come with the
    package as rnnlab.solutions, the same text as lessons/solutions/."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "lessons" / "solutions"
    for path in sorted(folder.glob("[0-9][0-9]_*.py")):
        assert exercises.solution_text(path.name[:2]) == path.read_text(encoding="utf-8")
        assert exercises.solution_text(int(path.name[:2])) == path.read_text(encoding="utf-8")
    exercises.solution("03_vanishing_gradients")
    assert "Solutions to lesson 3" in capsys.readouterr().out
    for wrong in ("08", 0, "twelve", ""):
        with pytest.raises(ValueError, match="lesson: expected a lesson number from 01 to 07"):
            exercises.solution_text(wrong)


def test_an_answer_that_never_returns_is_stopped_and_said(monkeypatch):
    """A loop that never ends, a sleep, or a number whose float() hangs: the checker stops
    it after TIME_LIMIT_S (shortened here) and says so, for every kind of checker."""
    import time

    monkeypatch.setattr(exercises, "TIME_LIMIT_S", 0.5)

    def forever(*args):
        while True:
            pass

    class SlowNumber:
        def __float__(self):
            time.sleep(60)

    started = time.monotonic()
    for feedback in (exercises.check_softmax_with_temperature(forever),
                     exercises.check_reliable_lag(lambda *a: time.sleep(60)),
                     exercises.check_perplexity(SlowNumber(), 1.0)):
        assert feedback.status == HINT and "still running after 0.5 s" in feedback.message
    assert time.monotonic() - started < 10
    # the alarm is off again: a later slow but finishing computation is not interrupted
    time.sleep(0.7)


def test_an_answer_that_exits_is_a_hint_not_the_end_of_the_kernel():
    def exits(*args):
        raise SystemExit(1)

    feedback = exercises.check_rnn_step_backward(exits)
    assert feedback.status == HINT and "called exit(1)" in feedback.message


def test_answers_cannot_change_the_checkers_arrays():
    """Each function gets copies: zeroing its inputs in place no longer passes a wrong
    answer, and dividing them in place no longer fails a right one."""
    sol = solution("07_generate_and_compare")

    def zeroes_in_place(logits, temperature):
        logits[:] = 0.0
        return np.full(len(logits), 1 / len(logits))

    def divides_in_place(logits, temperature):
        logits /= temperature  # the right values, computed in place
        e = np.exp(logits - logits.max())
        return e / e.sum()

    assert exercises.check_softmax_with_temperature(zeroes_in_place).status == HINT
    assert exercises.check_softmax_with_temperature(divides_in_place).status == PASS
    assert exercises.check_softmax_with_temperature(sol.softmax).status == PASS

    def zero_gradients(dH, X_t, H_prev, W_xh, W_hh, b_h):
        dH[:] = 0.0
        return (np.zeros_like(X_t), np.zeros_like(H_prev), np.zeros_like(W_xh),
                np.zeros_like(W_hh), np.zeros_like(b_h))

    assert exercises.check_rnn_step_backward(zero_gradients).status == HINT


def test_numbers_past_what_a_float_holds_are_not_waved_through(lstm_trace):
    """e^800 overflows: no finite answer can pass. A gate of exactly 1 has an infinite time
    constant: no finite answer can pass. A product of 7.9e-31 is not 0, nor 9e-13, nor
    negative."""
    for answer in (5.0, 1e308):
        feedback = exercises.check_perplexity(answer, 800.0)
        assert feedback.status == HINT and "beyond the largest float" in feedback.message
    assert exercises.check_perplexity(np.exp(700.0), 700.0).passed  # still representable
    holds = dataclasses.replace(lstm_trace, F=np.ones_like(lstm_trace.F))
    feedback = exercises.check_time_constant(3.0, [holds], 7)
    assert feedback.status == HINT and "infinite" in feedback.message
    halves = dataclasses.replace(lstm_trace, F=np.full_like(lstm_trace.F, 0.5))
    true = 0.5 ** 100  # 7.9e-31
    assert exercises.check_forget_product(true, halves, 7, 0, 100).passed
    for wrong in (0.0, 9e-13, -9e-13):
        assert exercises.check_forget_product(wrong, halves, 7, 0, 100).status == HINT, wrong
    assert "cannot be a share" in exercises.check_forget_product(-9e-13, halves, 7, 0,
                                                                 100).message
