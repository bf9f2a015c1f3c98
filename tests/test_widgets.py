"""Headless tests of every view: set a control's value, check what is drawn."""

import dataclasses
import base64

import ipywidgets as W
import numpy as np
import pytest

from rnnlab import cells, gradient_probes, models, pretrained, sampling, tasks, training, units
from rnnlab.widgets import (
    ConnectivityView, GateViewer, GradientFlow, LagExplorer, TextComparer, TrainingMonitor,
    bar_chart, line_chart, use_static,
)
from rnnlab.widgets import connectivity
from rnnlab.widgets.gradient_flow import curve_label


@pytest.fixture(scope="module")
def pair(shakespeare):
    return {kind: models.build(kind, shakespeare.vocab, num_hiddens=24, seed=5)
            for kind in ("rnn", "lstm")}


@pytest.fixture(scope="module")
def passage(shakespeare):
    return shakespeare.heldout_text(length=600)


def visible(figure):
    return {t.meta: t for t in figure.data if t.visible}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CORE_MODULES = {"@jupyter-widgets/controls", "@jupyter-widgets/base", "@jupyter-widgets/output"}


def shown_as_last_value(value):
    """What a cell ending with ``value`` publishes: (display outputs, execute_result data).

    IPython's display hook formats a cell's last value; the kernel sends the result as an
    ``execute_result`` unless it is empty. Colab's custom widget manager is added by a
    hook on the display publisher, which sees the display outputs only.
    """
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    with capture_output() as captured:
        result, _ = shell.display_formatter.format(value)  # what the display hook does
    return captured.outputs, result


def widget_by_id(model_id: str):
    """The live widget of ``model_id`` (ipywidgets 7 and 8 keep them in different places)."""
    from ipywidgets.widgets import widget

    instances = getattr(widget, "_instances", None)
    return (instances if instances is not None else widget.Widget.widgets)[model_id]


def widget_tree(widget):
    """Every widget shown inside ``widget``, itself included."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from widget_tree(child)


def test_a_view_as_a_cells_last_value_goes_out_as_display_data(pair, passage):
    view = GradientFlow(models=pair, windows=4)
    outputs, result = shown_as_last_value(view)
    assert result == {}  # no execute_result
    (shown,) = outputs
    assert shown.data[WIDGET_VIEW]["model_id"] == view.widget.model_id
    assert view.error is None


def test_a_chart_as_a_cells_last_value_goes_out_as_display_data():
    chart = bar_chart({"vanilla RNN": 1.6, "LSTM": 1.5}, title="t", axis_title="nats")
    outputs, result = shown_as_last_value(chart)
    assert result == {}
    (shown,) = outputs
    box = widget_by_id(shown.data[WIDGET_VIEW]["model_id"])
    caption, figure = box.children  # the chart under a caption a screen reader reads
    assert figure is chart and "Figure: t" in caption.value and 'role="heading"' in caption.value


def test_every_figure_is_named_for_a_screen_reader(pair, passage):
    view = GradientFlow(models=pair, windows=4)
    captions = [w for w in widget_tree(view.widget) if "rnnlab-figure-title" in getattr(
        w, "_dom_classes", ())]
    assert len(captions) == 1 and view.figure.layout.title.text in captions[0].value
    view._choice.value = "lstm"
    view._quantity.value = "C"  # the view retitles its figure: the caption follows
    assert "dL_T/dC" in view.figure.layout.title.text
    assert view.figure.layout.title.text in captions[0].value
    with view.figure.batch_update():  # a title set whole, as some views do, is seen too
        view.figure.update_layout(title="another title")
    assert "Figure: another title" in captions[0].value
    from rnnlab.widgets._base import plot_html

    static = plot_html('{"layout": {"title": {"text": "t"}}}')
    assert 'role="figure" aria-label="Figure: t"' in static


@pytest.fixture
def static_figures():
    use_static()
    yield
    use_static(False)


def plotted(output) -> dict:
    """The plotly figure a static output shows, its arrays decoded (plotly >= 6 sends
    numpy arrays as base64 typed arrays)."""
    assert "Plotly.newPlot" in output.data["text/html"]  # drawn where the JSON is not
    figure = output.data["application/vnd.plotly.v1+json"]
    for trace in figure["data"]:
        for key, value in trace.items():
            if isinstance(value, dict) and "bdata" in value:
                trace[key] = np.frombuffer(base64.b64decode(value["bdata"]), value["dtype"])
    return figure


def redrawn(control, value):
    """Set a control as a learner would; the display updates it sends."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        control.value = value
    return captured.outputs


def test_static_fallback_uses_core_widgets_only_and_redraws(pair, passage, static_figures):
    """use_static(): no custom widget model anywhere, so a front end without a custom
    widget manager (Colab with its hook off) still draws everything; each figure is an
    ordinary output after the controls, redrawn in place through its display id."""
    view = GradientFlow(models=pair, windows=4)
    assert {w._model_module for w in widget_tree(view.widget)} <= CORE_MODULES
    outputs, result = shown_as_last_value(view)
    assert result == {}
    box, figure = outputs
    assert box.data[WIDGET_VIEW]["model_id"] == view.widget.model_id
    toy = next(t for t in plotted(figure)["data"] if t["meta"] == "toy")
    np.testing.assert_allclose(toy["y"], gradient_probes.toy_gradient_norms(100, 1.0)[::-1])
    (update,) = redrawn(view._num_steps, 40)
    assert update.update and update.transient == figure.transient  # the same display id
    toy = next(t for t in plotted(update)["data"] if t["meta"] == "toy")
    np.testing.assert_allclose(toy["y"], gradient_probes.toy_gradient_norms(40, 1.0)[::-1])


def test_static_fallback_for_every_view_and_chart(pair, passage, static_figures):
    comparer = TextComparer(models=pair, length=20)
    views = [(GateViewer(models=pair, text=passage[:120]), 2), (comparer, 1),
             (TrainingMonitor(), 1), (LagExplorer(sweep=SWEEP), 1)]
    for view, figures in views:
        assert {w._model_module for w in widget_tree(view.widget)} <= CORE_MODULES
        box, *shown = shown_as_last_value(view)[0]
        assert len(shown) == figures and all(plotted(o)["data"] for o in shown)
    (update,) = redrawn(comparer._temperature, 1.5)
    chars = pair["lstm"].vocab.chars
    for bar in plotted(update)["data"]:
        probs = sampling.next_char_probs(pair[bar["meta"]], comparer.samples[bar["meta"]].seed,
                                         1.5)
        expected = [probs[chars.index({"⏎": "\n", "␣": " "}.get(c, c))] for c in bar["x"]]
        np.testing.assert_allclose(bar["y"], expected, rtol=1e-5)
    outputs, result = shown_as_last_value(line_chart({"a": ([1, 2], [3, 4])}, title="t",
                                                     xaxis_title="x", yaxis_title="y"))
    assert result == {} and WIDGET_VIEW not in outputs[0].data
    assert outputs[0].data["application/vnd.plotly.v1+json"]["data"][0]["y"] == [3, 4]


def test_gradient_flow_toy_follows_its_controls(pair):
    view = GradientFlow(models=pair, windows=4)
    np.testing.assert_allclose(visible(view.figure)["toy"].y,
                               gradient_probes.toy_gradient_norms(100, 1.0)[::-1])  # k = 0 first
    view._radius.value = 1.25
    view._activation.value = "linear"
    view._num_hiddens.value = 32
    view._num_steps.value = 50
    expected = gradient_probes.toy_gradient_norms(50, 1.25, "linear", num_hiddens=32)
    np.testing.assert_allclose(visible(view.figure)["toy"].y, expected[::-1])
    assert view._quantity.disabled and view._weights.disabled  # trained models only
    assert view.figure.layout.yaxis.type == "log"
    assert view.figure.layout.xaxis.dtick is None  # plotly's own ticks on a long axis
    assert view.figure.layout.yaxis.dtick == 1  # under 12 decades: each one labelled
    view._radius.value, view._num_steps.value = 0.5, view._num_steps.max
    toy = visible(view.figure)["toy"].y
    decades = np.log10(np.nanmax(toy)) - np.log10(np.nanmin(toy))  # a long fall
    assert decades > 13 and decades / view.figure.layout.yaxis.dtick <= 12  # readable labels
    view._num_steps.value = 5
    assert view.figure.layout.xaxis.dtick == 1  # whole timesteps, not 1.5, 2.5


def test_gradient_flow_trained_models_draw_a_median_and_band(pair, shakespeare):
    view = GradientFlow(models=pair, windows=6, seed=2)
    view._choice.value = "both"
    view._num_steps.value = 60
    shown = visible(view.figure)
    assert set(shown) == {"rnn", "lstm", "rnn/high", "rnn/low", "lstm/high", "lstm/low"}
    windows = shakespeare.heldout_windows(6, 400, seed=2)
    for kind in ("rnn", "lstm"):
        norms = gradient_probes.window_gradients(pair[kind], windows)["H"][:, -60:]
        band = gradient_probes.gradient_band(norms)
        np.testing.assert_allclose(shown[kind].y, band["median"][::-1], rtol=1e-6)
        np.testing.assert_allclose(shown[f"{kind}/low"].y, band["low"][::-1], rtol=1e-6)
        np.testing.assert_allclose(shown[f"{kind}/high"].y, band["high"][::-1], rtol=1e-6)
        assert list(shown[kind].x) == list(range(60)) and shown[kind].y[0] == 1.0
        assert "median and 10-90% band of 6 windows (59 steps back:" in shown[kind].name
    assert view._radius.disabled  # the toy's controls do not apply
    view._quantity.value = "C"  # the cell state: the LSTM only, said in no error
    assert set(visible(view.figure)) == {"lstm", "lstm/high", "lstm/low"}
    assert "dL_T/dC" in view.figure.layout.title.text and view.error is None
    lstm_c = gradient_probes.window_gradients(pair["lstm"], windows)["C"][:, -60:]
    np.testing.assert_allclose(view.curves["lstm"],
                               gradient_probes.gradient_band(lstm_c)["median"][::-1], rtol=1e-6)
    view._weights.value = "initial"  # the same architecture, untrained
    fresh = gradient_probes.at_initialisation(pair["lstm"])
    untrained = gradient_probes.window_gradients(fresh, windows)["C"][:, -60:]
    np.testing.assert_allclose(view.curves["lstm"],
                               gradient_probes.gradient_band(untrained)["median"][::-1], rtol=1e-6)
    view._choice.value = "rnn"  # no C for the RNN: not offered, back to H
    assert view._quantity.value == "H" and view.error is None
    assert [q for _, q in view._quantity.options] == ["H", "x"]


def test_gradient_flow_never_draws_a_cliff(pair):
    """A norm that reached 0 is left out of the log plot and said in the legend."""
    view = GradientFlow(models=pair, windows=4)
    view._radius.value = 0.5  # the toy's gradient: 0.5^T at most, 0 in float64 by T ~ 1100
    view._activation.value = "linear"
    view._num_steps.value = 400
    toy = visible(view.figure)["toy"]
    expected = gradient_probes.toy_gradient_norms(400, 0.5, "linear")  # about 0.5 ** 400 at step 1
    np.testing.assert_allclose(toy.y, expected[::-1])  # as it is, far below float32's range
    assert min(toy.y) < 1e-100 and f"399 steps back: {expected[0]:.1e}" in toy.name
    assert curve_label("toy", np.array([1.0, 1e-3, 0.0, 0.0])) == (
        "toy (0 in float64 from 2 steps back: not drawn)")


def test_gradient_flow_offers_only_the_models_it_has(pair, passage):
    """Lesson 3 gives the view the RNN alone: the LSTM choices would fail (KeyError)."""
    view = GradientFlow(models={"rnn": pair["rnn"]}, choice="rnn", windows=4)
    assert [value for _, value in view._choice.options] == ["toy", "rnn"]
    with pytest.raises(ValueError, match="choice: expected one of \\['toy', 'rnn'\\]"):
        GradientFlow(models={"rnn": pair["rnn"]}, choice="both")
    full = GradientFlow()  # loads both shipped models when asked
    assert [value for _, value in full._choice.options] == ["toy", "rnn", "lstm", "both"]
    with pytest.raises(ValueError, match="windows: expected a whole number >= 2, got 1"):
        GradientFlow(windows=1)


def test_a_flat_gradient_curve_is_not_stretched_over_rounding_noise():
    """The linear toy RNN at radius 1 keeps the norm at 1 to within float64 rounding:
    the axis shows two decades around it, not ticks like 0.99999999999999989."""
    view = GradientFlow(num_steps=50)
    view._activation.value = "linear"
    toy = view.curves["toy"]
    assert np.ptp(toy) < 1e-12  # flat: what is left is rounding
    low, high = view.figure.layout.yaxis.range
    assert view.figure.layout.yaxis.autorange is False
    assert low < np.log10(toy.min()) - 0.9 and high > np.log10(toy.max()) + 0.9
    assert view.figure.layout.yaxis.dtick == 1  # a tick per decade, no 2 ... 9 between
    view._activation.value = "tanh"  # a vanishing curve: plotly's own range again
    assert view.figure.layout.yaxis.range is None and view.figure.layout.yaxis.autorange


def test_gradient_flow_shows_errors_in_place(pair, monkeypatch):
    view = GradientFlow(models={"rnn": pair["rnn"]}, choice="rnn", windows=4)
    assert [q for _, q in view._quantity.options] == ["H", "x"]  # the RNN has no C

    def failing(*args):
        raise ValueError("windows: out of memory")
    monkeypatch.setattr(gradient_probes, "window_gradients", failing)
    view._weights.value = "initial"  # not computed yet: the failure shows in the view
    assert "out of memory" in view.error and "role=\"alert\"" in view._status.value
    monkeypatch.undo()
    view._weights.value = "trained"  # cached: drawn again, the error gone
    assert view.error is None and view._status.value == ""


def test_views_say_what_they_compute_before_computing(pair, passage):
    """A change that runs a model shows a status line at once, gone when it is drawn."""
    seen = {}

    def recording(view, name):
        compute = getattr(view, name)

        def wrapped(*args, **kwargs):
            seen[type(view).__name__] = view._status.value  # what the learner sees meanwhile
            return compute(*args, **kwargs)
        setattr(view, name, wrapped)

    flow = GradientFlow(num_steps=20)
    recording(flow, "compute")
    flow._num_steps.value = 40
    comparer = TextComparer(models=pair, seed_text="ROMEO.\n", length=40)
    recording(comparer, "compute")
    comparer._temperature.value = 1.2
    assert "computing the gradient over 40 steps" in seen["GradientFlow"]
    assert "generating 40 characters with each model" in seen["TextComparer"]
    assert flow._status.value == "" and comparer._status.value == ""  # cleared when drawn


def test_gate_viewer_draws_the_chosen_gate_and_unit(pair, passage):
    text = passage[:200]
    view = GateViewer(models=pair, text=text)
    trace = cells.unroll(pair["lstm"], text)
    first = view.rows()[0]  # starts on the first unit find_cells suggests
    assert first == view._suggested.options[1][1]
    z = np.asarray(view.heatmap.data[0].z)
    assert z.shape[1] == 80  # a window of readable characters
    np.testing.assert_allclose(z[0], trace.C[:80, first], atol=1e-6)  # opens on the cell state
    assert view.cells_found == units.find_cells(pair["lstm"], text, top=3, state="C")
    view._unit.value = 7
    view._gate.value = "H"  # suggestions follow the quantity shown; the unit stays
    assert view.cells_found == units.find_cells(pair["lstm"], text, top=3, state="H")
    assert view._unit.value == 7 and all(" in H, on the text shown)" in label
                                         for label, _ in view._suggested.options[1:])
    np.testing.assert_allclose(np.asarray(view.heatmap.data[0].z)[0], trace.H[:80, 7],
                               atol=1e-6)
    view._gate.value = "C"
    view._start.value = 100
    z = np.asarray(view.heatmap.data[0].z)
    np.testing.assert_allclose(z[0], trace.C[100:180, 7], atol=1e-6)
    assert view.heatmap.data[0].y[0] == "unit 7"
    # C's colour range is set by the units shown, not by the largest cell of all
    shown_max = np.abs(trace.C[:, view.rows()]).max()
    assert view.heatmap.data[0].zmax == pytest.approx(shown_max, rel=1e-6)
    assert view.heatmap.data[0].zmin == pytest.approx(-shown_max, rel=1e-6)
    assert list(view.heatmap.layout.xaxis.ticktext[:3]) == [
        {"\n": "⏎", " ": "␣"}.get(ch, ch) for ch in text[100:103]]
    assert list(view.heatmap.data[0].customdata[0][:3]) == list(
        view.heatmap.layout.xaxis.ticktext[:3])
    assert view._coloured.value.count("<span") == len(text)
    sat = units.saturation(trace)  # like with like: values that left a tanh
    drawn = {t.meta: t for t in view.saturation_figure.data}
    assert set(drawn) == {"H", "C_tilde", "tanh(C)"}
    np.testing.assert_allclose(drawn["tanh(C)"].x, sat["tanh(C)"][0])
    np.testing.assert_allclose(drawn["C_tilde"].y, sat["C_tilde"][1])
    rnn_trace = cells.unroll(pair["rnn"], text)
    np.testing.assert_allclose(drawn["H"].y, units.saturation(rnn_trace)["H"][1])


def test_gate_viewer_always_shows_a_full_window(pair, passage):
    view = GateViewer(models=pair, text=passage[:300])
    assert view._start.max == 300 - 80
    view._start.value = view._start.max  # the last window: the last 80 characters, whole
    unit = view.rows()[0]
    trace = cells.unroll(pair["lstm"], passage[:300])
    np.testing.assert_allclose(np.asarray(view.heatmap.data[0].z)[0], trace.C[220:300, unit],
                               atol=1e-6)
    assert list(view.heatmap.layout.xaxis.ticktext)[-1] == {"\n": "⏎", " ": "␣"}.get(
        passage[299], passage[299])
    view._text.value = passage[:100]  # a shorter text: the window is the new text's
    assert view._start.max == 20 and view._start.value <= 20
    start = view._start.value
    shorter = cells.unroll(pair["lstm"], passage[:100])
    np.testing.assert_allclose(np.asarray(view.heatmap.data[0].z)[0],
                               shorter.C[start:start + 80, view.rows()[0]], atol=1e-6)
    assert "600 characters" in view._text_note.value  # the cap, next to the box


def test_gate_viewer_suggested_units_and_bad_text(pair, passage):
    view = GateViewer(models=pair, text=passage[:300])
    unit = view._suggested.options[-1][1]  # the last suggestion, not the one shown first
    view._suggested.value = unit
    assert view._unit.value == unit and view.rows()[0] == unit
    view._text.value = "Café au lait €"
    assert "'€'" in view.error and "'é'" in view.error
    # nothing of the previous text stays on screen: the figures and the text are empty
    assert len(view.heatmap.data[0].z) == 0 and view._coloured.value == ""
    assert all(len(t.x) == 0 for t in view.saturation_figure.data)
    # no empty axes with leftover ticks: hidden, and the reason written in their place
    assert view.heatmap.layout.xaxis.visible is False and not view.heatmap.data[0].showscale
    assert "no text to show" in view.heatmap.layout.annotations[0].text
    assert view.saturation_figure.layout.xaxis.visible is False
    # and the error stays while other controls move: they have no text to draw
    error = view.error
    view._unit.value = (view._unit.value + 1) % view._unit.max
    view._gate.value = "F"
    view._start.value = 0
    assert view.error == error and len(view.heatmap.data[0].z) == 0
    view._text.value = passage[:60]
    assert view.error is None and np.asarray(view.heatmap.data[0].z).shape[1] == 60
    assert view.heatmap.layout.xaxis.visible and not view.heatmap.layout.annotations


def test_gate_viewer_with_the_lstm_alone(pair, passage):
    view = GateViewer(models={"lstm": pair["lstm"]}, text=passage[:200])
    trace = cells.unroll(pair["lstm"], passage[:200])
    assert view.error is None
    np.testing.assert_allclose(np.asarray(view.heatmap.data[0].z)[0],
                               trace.C[:80, view.rows()[0]], atol=1e-6)
    drawn = {t.meta: t for t in view.saturation_figure.data}
    assert len(drawn["H"].x) == 0  # the RNN's H is not there to draw
    np.testing.assert_allclose(drawn["tanh(C)"].y, units.saturation(trace)["tanh(C)"][1])
    with pytest.raises(ValueError, match="models: expected an 'lstm'"):
        GateViewer(models={"rnn": pair["rnn"]}, text=passage[:200])


def test_text_comparer_follows_the_temperature(pair):
    view = TextComparer(models=pair, seed_text="ROMEO.\n", length=80, temperature=0.8)
    for kind, model in pair.items():
        expected = sampling.sample(model, "ROMEO.\n", 80, 0.8, rng=0)
        assert view.samples[kind].text == expected.text
    first = {k: s.text for k, s in view.samples.items()}
    bars_before = [np.array(b.y) for b in view.figure.data]
    view._temperature.value = 1.6
    assert all(view.samples[k].text != first[k] for k in pair)
    chars = pair["lstm"].vocab.chars
    for bar in view.figure.data:
        probs = sampling.next_char_probs(pair[bar.meta], "ROMEO.\n", 1.6)
        for label, p in zip(bar.x, bar.y):
            assert p == pytest.approx(probs[chars.index({"⏎": "\n", "␣": " "}.get(label, label))])
    assert not all(np.allclose(a, b.y) for a, b in zip(bars_before, view.figure.data))


def test_text_comparer_bars_are_the_next_character_distribution(pair):
    view = TextComparer(models=pair, seed_text="To be, or not to ", temperature=1.0)
    chars = pair["lstm"].vocab.chars
    for bar in view.figure.data:
        probs = sampling.next_char_probs(pair[bar.meta], "To be, or not to ", 1.0)
        for label, p in zip(bar.x, bar.y):
            ch = {"⏎": "\n", "␣": " "}.get(label, label)
            assert p == pytest.approx(probs[chars.index(ch)])


def test_text_comparer_says_a_typed_seed_is_waiting(pair):
    view = TextComparer(models=pair, seed_text="ROMEO.\n", length=30)
    assert view._pending.value == ""
    view._seed.value = "JULIET.\n"  # typed, not generated yet
    assert "Generate" in view._pending.value and view.samples["rnn"].seed == "ROMEO.\n"
    view._seed.value = "JULIET.\né"  # said at once, before Generate
    assert "'é'" in view.error and view._pending.value == ""
    view._seed.value = "JULIET.\n"
    view._generate.click()
    assert view.error is None and view._pending.value == ""
    assert view.samples["lstm"].seed == "JULIET.\n"


def test_text_comparer_seed_typed_after_a_bad_start(pair):
    view = TextComparer(models=pair, seed_text="é", length=20)  # nothing drawn yet
    assert "'é'" in view.error and view.samples == {}
    view._seed.value = "ROMEO."  # fixed by typing: no crash in the callback
    assert view.error is None and "Generate" in view._pending.value


def test_text_comparer_scales_its_axis_and_keeps_the_text_in_view(pair):
    view = TextComparer(models=pair, seed_text="To be" * 100, length=20)
    assert view.figure.layout.yaxis.range is None  # fits the bars, not a fixed 0-1
    assert view.figure.layout.yaxis.rangemode == "tozero"
    pane = view._panes["rnn"].value
    assert "…" in pane and pane.count("To be") <= 30  # the seed's end, then the sample


def test_text_comparer_unknown_seed_shows_error_and_clears_the_old_samples(pair):
    view = TextComparer(models=pair, length=40)
    view._seed.value = "Zounds ☃"
    assert "'☃'" in view.error  # said at once, while typing
    # text generated from the previous seed would read as this one's: it goes
    assert all("no sample" in p.value and "<span" not in p.value
               for p in view._panes.values())
    assert view.samples == {} and all(len(bar.x) == 0 for bar in view.figure.data)
    view._generate.click()
    assert "'☃'" in view.error and view.samples == {}
    view._seed.value = "Zounds"
    view._generate.click()
    assert view.error is None and view.samples["rnn"].seed == "Zounds"


def test_training_monitor_live_and_replay(tiny_corpus):
    monitor = TrainingMonitor(vocab_size=len(tiny_corpus.vocab))
    pair = {kind: models.build(kind, tiny_corpus.vocab, num_hiddens=8, embed_dim=4)
            for kind in ("rnn", "lstm")}
    config = training.TrainConfig(max_steps=10, eval_every=5, batch_size=16, num_steps=20,
                                  eval_chars=400)
    histories = {kind: training.train(model, tiny_corpus, config, progress=False,
                                      on_record=monitor.on_record(kind, config))
                 for kind, model in pair.items()}
    for kind, h in histories.items():
        val = next(t for t in monitor.figure.data if t.meta == f"{kind}/val")
        np.testing.assert_allclose(val.y, h.column("val_nats"))
        np.testing.assert_allclose(val.x, h.column("chars_seen") / 1e6)
    assert monitor._progress.value == pytest.approx(1.0)
    # the split each number is on is named: live runs are scored on validation text
    assert "validation 3." in monitor._label.value
    assert val.name == "LSTM-256, validation"
    baseline = monitor.figure.layout.shapes[0]
    assert baseline.y0 == pytest.approx(np.log(len(tiny_corpus.vocab)))

    # trained again, the same model continues its curve; the axis does not restart at 0
    first = histories["rnn"].final["chars_seen"]
    shorter = dataclasses.replace(config, max_steps=5)
    again = training.train(pair["rnn"], tiny_corpus, shorter, progress=False,
                           on_record=monitor.on_record("rnn", shorter))
    val = next(t for t in monitor.figure.data if t.meta == "rnn/val")
    assert len(val.x) == len(histories["rnn"]) + len(again)
    assert val.x[-1] == pytest.approx((first + again.final["chars_seen"]) / 1e6)
    # the label counts steps and characters over both runs alike: 10 + 5 steps
    total = (first + again.final["chars_seen"]) / 1e6
    assert f"step 15, {total:.2f}M chars" in monitor._label.value
    assert list(val.x) == sorted(val.x)
    assert monitor._progress.value == pytest.approx(1.0)  # the bar follows this run's budget
    # log axis ticks that read as amounts, not as "3 4 5 ... 1 2"
    ticks = dict(zip(monitor.figure.layout.xaxis.tickvals, monitor.figure.layout.xaxis.ticktext))
    assert ticks[0.5] == "0.5M" and ticks[2] == "2M" and ticks[0.02] == "20k"

    replayed = TrainingMonitor(vocab_size=len(tiny_corpus.vocab), splits=("val",))
    replayed.replay(histories["lstm"])
    val = next(t for t in replayed.figure.data if t.meta == "lstm/val")
    np.testing.assert_allclose(val.y, histories["lstm"].column("val_nats"))
    assert val.name == "LSTM-256, validation" and "validation text" in replayed._label.value
    shipped = pretrained.history("lstm")  # scored on the held-out tail as it trained
    replayed.replay(shipped)
    assert val.name.endswith(", held-out")
    assert {t.meta for t in replayed.figure.data} == {"rnn/val", "lstm/val"}  # held-out only
    with pytest.raises(ValueError, match="gru"):
        replayed.on_record("gru")
    with pytest.raises(ValueError, match="splits"):
        TrainingMonitor(splits=("test",))


def test_training_monitor_bar_follows_the_budget_it_is_given(tiny_corpus):
    monitor = TrainingMonitor(curves=("rnn",))
    config = training.TrainConfig(max_steps=20, eval_every=5, batch_size=16, num_steps=20,
                                  eval_chars=400)
    fresh = models.build("rnn", tiny_corpus.vocab, num_hiddens=8, embed_dim=4)
    seen = []

    def stop_at_ten(record):
        monitor_record(record)
        seen.append(monitor._progress.value)
        if record["step"] == 10:
            raise KeyboardInterrupt

    monitor_record = monitor.on_record("rnn", config)
    with pytest.raises(KeyboardInterrupt):
        training.train(fresh, tiny_corpus, config, progress=False, on_record=stop_at_ten)
    assert monitor._budget == ("max_steps", 20)
    assert seen == pytest.approx([0.25, 0.5])  # halfway through a 20-step budget
    monitor.on_record("rnn")  # no config: no budget to follow
    assert monitor._budget is None


def _made_up_points(task, kind, accuracies, chance):
    """Points of one series: {lag: (accuracy per seed, ...)}."""
    return [{"task": task, "kind": kind, "lag": lag, "seed": seed, "accuracy": accuracy,
             "chance": chance} for lag, seeds in accuracies.items()
            for seed, accuracy in enumerate(seeds)]


# A made-up sweep with every series of the shipped one: recall at lags 1 and 3, adding at
# lags 2 and 4, three seeds each; the main RNN fails at the long lag with a wide spread.
SWEEP = {
    "meta": {"command": "made up", "date": "2026-01-01", "machine": "none", "seconds": 1},
    "series": {
        name: {"task": spec["task"], "kind": spec["kind"], "label": spec["label"],
               "points": _made_up_points(
                   spec["task"], spec["kind"],
                   {1: (1.0, 1.0, 0.98), 3: (0.2, 0.6, 0.4) if spec["kind"] == "rnn"
                    else (0.9, 0.95, 1.0)} if spec["task"] == "recall"
                   else {2: (0.9, 0.8, 0.85), 4: (0.1, 0.05, 0.3)},
                   0.25 if spec["task"] == "recall" else 0.08)}
        for name, spec in tasks.SWEEP_SERIES.items()},
}


def test_lag_explorer_draws_every_series_with_its_spread_and_a_live_point():
    view = LagExplorer(sweep=SWEEP, live_steps=30)
    assert view.widget._dom_classes == ("rnnlab-lag-explorer",)  # how a page finds the view
    recall = [n for n, s in tasks.SWEEP_SERIES.items() if s["task"] == "recall"]
    drawn = {t.meta: t for t in view.figure.data}
    assert set(recall) <= set(drawn) and "adding_lstm" not in drawn
    rnn = drawn["rnn_orthogonal_clipped"]
    # the median of the seeds, with bars from the lowest to the highest seed; each series
    # a little to one side of its lag, so that bars do not hide each other
    assert [c[3] for c in rnn.customdata] == [1, 3] and list(rnn.y) == [1.0, 0.4]
    sides = {t.meta: t.x[1] / 3 for t in drawn.values() if t.meta in recall}
    assert len(set(sides.values())) == len(recall) and all(0.9 < f < 1.1 for f in sides.values())
    np.testing.assert_allclose(rnn.error_y.arrayminus, [0.02, 0.2])
    np.testing.assert_allclose(rnn.error_y.array, [0.0, 0.2])
    # a series says what it is, in the sweep's own words; the main two are solid and thick
    assert rnn.name == "RNN, orthogonal recurrent init, clipping at 1"
    assert drawn["rnn_keras_defaults"].name == (
        "RNN, Keras's defaults (orthogonal recurrent init), no clipping")
    assert rnn.line.dash == "solid" and drawn["lstm_bias3"].line.dash == "solid"
    others = [drawn[n] for n in recall if n not in ("rnn_orthogonal_clipped", "lstm_bias3")]
    assert all(t.line.dash != "solid" and t.line.width < rnn.line.width for t in others)
    styles = [(t.line.color, t.line.dash, t.marker.symbol) for t in others + [rnn]]
    assert len(set(styles)) == len(styles)  # no two series look alike
    assert drawn["chance"].name == "chance (0.25)" and list(drawn["chance"].y) == [0.25, 0.25]
    chosen = drawn["chosen lag"]
    assert list(chosen.x) == [3, 3]  # the slider starts in the middle of the sweep's lags
    view._lag.value = 1  # moving the slider marks the lag and reads the sweep there
    assert list(chosen.x) == [1, 1]
    assert ("lag 1 in the sweep: vanilla RNN 1.00 (0.98 to 1.00 over 3 seeds), LSTM 1.00"
            in view._label.value)
    view._lag.value = 3
    view._run.click()
    assert view.error is None and len(view.live_points) == 2
    shown = {}
    for point in view.live_points:
        live = next(t for t in view.figure.data if t.meta == f"{point['series']}/live")
        assert list(live.customdata) == [3] and list(live.y) == [point["accuracy"]]
        shown[point["kind"]] = (live.x[0], live.marker.symbol)
        assert point["steps"] == 30 and point["task"] == "recall"
    assert len(set(shown.values())) == 2  # the two kinds' points never hide each other
    assert all(2.5 < x < 3.5 for x, _ in shown.values())  # each near its lag
    # points trained in a cell: drawn the same way, the slider moved to their lag
    cell_points = tasks.live_points("recall", 1, steps=30)
    assert [p["series"] for p in cell_points] == list(tasks.MAIN_SERIES["recall"])
    view.show_live(cell_points)
    assert view.error is None and view._lag.value == 1 and len(view.live_points) == 4
    live = next(t for t in view.figure.data if t.meta == "lstm_bias3/live")
    assert sorted(live.customdata) == [1, 3]
    view.show_live([{"series": "gru", "task": "recall", "lag": 1}])  # said in the view
    assert "expected points of the sweep's series" in view.error and "'gru'" in view.error
    assert len(view.live_points) == 4


def test_lag_explorer_switches_to_the_adding_task_and_back():
    view = LagExplorer(sweep=SWEEP, live_steps=30)
    view._task.value = "adding"
    drawn = {t.meta: t for t in view.figure.data}
    assert {"adding_rnn", "adding_lstm"} <= set(drawn) and "lstm_bias3" not in drawn
    assert "Adding problem" in view.figure.layout.title.text
    assert list(view._lag.options) == [2, 4] and list(drawn["chosen lag"].x) == [4, 4]
    assert drawn["chance"].name == "always answering 1.0 (0.08)"
    assert list(drawn["adding_lstm"].y) == [0.85, 0.1]
    assert [c[3] for c in drawn["adding_lstm"].customdata] == [2, 4]
    view._run.click()
    assert view.error is None and {p["task"] for p in view.live_points} == {"adding"}
    assert [p["series"] for p in view.live_points] == ["adding_rnn", "adding_lstm"]
    view._task.value = "recall"  # the adding points stay with their task
    live = [t for t in view.figure.data if t.meta.endswith("/live")]
    assert [len(t.x) for t in live] == [0, 0] and list(view._lag.options) == [1, 3]
    view._task.value = "adding"
    live = [t for t in view.figure.data if t.meta.endswith("/live")]
    assert [len(t.x) for t in live] == [1, 1]
    with pytest.raises(ValueError, match=r"task: expected one of \['recall', 'adding'\]"):
        LagExplorer(sweep=SWEEP, task="copy")


def test_lag_explorer_runs_once_per_click(monkeypatch):
    view = LagExplorer(sweep=SWEEP, live_steps=30)
    seen, labels = [], []

    def point(series, lag, seed, on_step, **settings):  # the button and label while training
        seen.append(view._run.disabled)
        on_step(30, 30)
        labels.append(view._label.value)
        kind = tasks.SWEEP_SERIES[series]["kind"]
        return {"kind": kind, "lag": lag, "accuracy": 0.5, "steps": 30, "seconds": 0.0}

    monkeypatch.setattr("rnnlab.tasks.sweep_point", point)
    view._run.click()
    assert seen == [True, True] and not view._run.disabled
    assert labels == [f"training the {name} at lag 3: step 30 of 30 (0 s)"
                      for name in ("vanilla RNN", "LSTM")]
    view._run.click()  # a second click of a double click, queued behind the first run
    assert len(seen) == 2, "a queued click started a second run"


def test_connectivity_view_shades_each_earlier_character_by_its_gradient(pair, passage):
    text = passage[:120]
    view = ConnectivityView(models=pair, text=text, target=60)
    assert view.widget._dom_classes == ("rnnlab-connectivity-view",)
    for kind, model in pair.items():
        # predicting text[60]
        expected = gradient_probes.window_gradients(model, text[:61])["x"][0]
        np.testing.assert_allclose(view.norms[kind], expected)
        trace = next(t for t in view.figure.data if t.meta == kind)
        assert list(trace.x[:2]) == [60, 59] and trace.x[-1] == 1  # characters back
        np.testing.assert_allclose(trace.y, expected / expected.max())
        pane = view._panes[kind].value
        assert pane.count("<span") == 60 + 2  # 60 shaded inputs, the target, the rest
        darkest = int(np.argmax(expected))  # the largest gradient gets the darkest shade
        level = connectivity.relative_levels(expected)
        assert level[darkest] == 1.0 and level.min() >= 0.0
    view._target.value = 100
    assert len(view.norms["rnn"]) == 100 and view.error is None
    with pytest.raises(ValueError, match="text: expected 2 to 400 characters"):
        ConnectivityView(models=pair, text="x" * 401)
    with pytest.raises(ValueError, match="'€'"):
        ConnectivityView(models=pair, text="Caf€ au lait")


def test_training_monitor_draws_the_three_shipped_models():
    names = ("rnn", "lstm", "rnn-matched")
    monitor = TrainingMonitor(splits=("val",), curves=names, loss_range=(1.45, 2.6))
    for name in names:
        monitor.replay(pretrained.history(name), name)
    drawn = {t.meta: t for t in monitor.figure.data}
    assert set(drawn) == {f"{name}/val" for name in names}
    for name in names:
        np.testing.assert_allclose(drawn[f"{name}/val"].y,
                                   pretrained.history(name).column("val_nats"))
    assert len({t.line.color for t in drawn.values()}) == 3  # three colours, three labels
    assert drawn["rnn-matched/val"].name == "RNN-522, held-out"
    assert list(monitor.figure.layout.yaxis.range) == [1.45, 2.6]
    assert not monitor.figure.layout.shapes  # ln(84) = 4.43 is off this axis: not drawn
    assert monitor._label.value.endswith(
        "nats/char on all held-out plays: RNN-256 1.595, LSTM-256 1.543, RNN-522 1.509")
    with pytest.raises(ValueError, match="loss_range"):
        TrainingMonitor(loss_range=(2.0, 1.0))
    # without vocab_size the monitor takes V from what it replays: ln(84) drawn once
    plain = TrainingMonitor(splits=("val",))
    assert plain.vocab_size is None and not plain.figure.layout.shapes
    plain.replay(pretrained.history("lstm"))
    plain.replay(pretrained.history("rnn"))
    assert plain.vocab_size == 84 and len(plain.figure.layout.shapes) == 1
    assert plain.figure.layout.shapes[0].y0 == pytest.approx(np.log(84))
    with pytest.raises(ValueError, match="curve: expected one of"):
        TrainingMonitor(curves=("rnn",)).replay(pretrained.history("lstm"))
    with pytest.raises(ValueError, match="curves: expected distinct names"):
        TrainingMonitor(curves=("rnn", "gru"))


def test_line_chart_reference_lines_and_chosen_colours():
    from rnnlab.palette import PALETTE
    from rnnlab.widgets.theme import OTHER_COLOURS

    figure = line_chart({"ladder": ([1, 2, 3], [3.0, 2.0, 2.5]), "RNN run": ([1, 2], [2, 1])},
                        title="t", xaxis_title="x", yaxis_title="y", markers=True,
                        hlines={"RNN-256": 1.6, "RNN-522": 1.5, "LSTM": 1.55, "RNN again": 1.7,
                                "unlabelled": 1.8},
                        colours={"RNN-256": "rnn", "RNN-522": "rnn-matched", "LSTM": "lstm",
                                 "RNN again": "rnn"})
    ladder, run, rnn, matched, lstm, again, unlabelled = figure.data
    assert ladder.mode == "lines+markers"
    assert list(rnn.x) == [1, 3] and list(rnn.y) == [1.6, 1.6]  # across the x range
    assert rnn.name == "RNN-256 (1.600)" and rnn.line.color == PALETTE["rnn"]
    assert matched.line.color == PALETTE["rnn-matched"] and lstm.line.color == PALETTE["lstm"]
    assert again.line.color == rnn.line.color and again.line.dash != rnn.line.dash
    # a colour is never read from a name: unchosen series take the colours for series that
    # are no model, in order, unchosen reference lines the baseline grey
    assert [ladder.line.color, run.line.color] == OTHER_COLOURS[:2]
    assert list(figure.layout.template.layout.colorway) == OTHER_COLOURS
    # no two lines differ by colour alone, reference lines included, while there are dashes
    # left (six); each model keeps its own dash, the first time it is drawn
    lines = [ladder, run, rnn, matched, lstm, again, unlabelled]
    assert len({t.line.dash for t in lines[:6]}) == 6
    assert (rnn.line.dash, matched.line.dash, lstm.line.dash) == ("dash", "dot", "solid")
    assert PALETTE["rnn"] not in OTHER_COLOURS and PALETTE["lstm"] not in OTHER_COLOURS
    assert unlabelled.line.color == PALETTE["baseline"]
    with pytest.raises(ValueError, match="colour: expected a palette role .* got 'LSTM'"):
        line_chart({"a": ([1], [1])}, title="t", xaxis_title="x", yaxis_title="y",
                   colours={"a": "LSTM"})  # a mistyped role is named, not drawn black


def test_every_figure_uses_the_house_template(pair):
    import plotly.io as pio

    from rnnlab.palette import PALETTE
    from rnnlab.widgets.theme import TEMPLATE

    house = pio.templates[TEMPLATE].layout
    chart = bar_chart({"a": 1.0, "b": 2.0}, title="t", axis_title="x", colours={"a": "lstm"})
    for figure in (chart, GradientFlow(models=pair, windows=4).figure):
        assert figure.layout.template.layout.font.color == house.font.color == PALETTE["text"]
        assert list(figure.layout.template.layout.colorway) == list(house.colorway)
    assert list(chart.data[0].marker.color) == [PALETTE["lstm"], PALETTE["baseline"]]


def test_lag_explorer_says_when_a_live_run_is_too_short_for_the_task():
    """The shipped sweep trained adding for 2,000 steps; a live run has 600: the label by
    the button says so, and says nothing of the kind for recall (800 in the sweep)."""
    view = LagExplorer(sweep=tasks.load_sweep(), live_steps=600)
    assert "(600 steps)" in view._label.value and "too few" not in view._label.value
    view._task.value = "adding"
    assert "600 steps, against the sweep's 2,000: too few" in view._label.value


def test_gate_viewer_can_pick_its_units_on_another_passage(shakespeare):
    """Units picked on one passage and shown on another: the suggestions are find_cells'
    on the picking passage, the heatmap draws the passage shown."""
    lstm = pretrained.load("lstm")
    shown, picking = (shakespeare.heldout_text(length=300, offset=o) for o in (120_000, 2_000))
    view = GateViewer(models={"lstm": lstm}, text=shown, pick_on=picking)
    expected = units.find_cells(lstm, picking, top=3, state=view._gate.value)
    assert view.cells_found == expected
    assert view.traces["lstm"].text == shown
    in_sample = GateViewer(models={"lstm": lstm}, text=shown)
    assert in_sample.cells_found != expected  # picking on the shown text picks otherwise


def test_series_toggles_hide_and_show_what_the_legend_does(tiny_corpus):
    """The keyboard's way to hide a series: a checkbox per legend entry, kept by series
    (not by name, which a curve's records may change) while the curves are drawn."""
    monitor = TrainingMonitor(vocab_size=len(tiny_corpus.vocab), curves=("rnn", "lstm"))
    boxes = [w for w in monitor.toggles.widget.children if isinstance(w, W.Checkbox)]
    names = [t.name for t in monitor.figure.data if t.showlegend is not False]
    assert [b.description for b in boxes] == names and all(b.value for b in boxes)
    boxes[0].value = False  # hide the RNN's training curve
    first = monitor.figure.data[0]
    assert first.visible == "legendonly" and monitor.figure.data[1].visible is not False
    boxes[0].value = True
    assert first.visible is True
    boxes[1].value = False
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=8, embed_dim=4)
    config = training.TrainConfig(max_steps=4, eval_every=2, batch_size=16, num_steps=20,
                                  eval_chars=400)
    training.train(model, tiny_corpus, config, progress=False,
                   on_record=monitor.on_record("rnn", config))
    renamed = monitor.figure.data[1]  # renamed by the split its records were scored on
    assert renamed.visible == "legendonly" and len(renamed.x) == 2  # drawn, still hidden
    after = [w for w in monitor.toggles.widget.children if isinstance(w, W.Checkbox)]
    assert after[1].description == renamed.name and after[1].value is False


def other_characters(vocab):
    """A vocabulary as long as ``vocab`` of entirely other characters."""
    from rnnlab.vocab import Vocabulary

    return Vocabulary.from_text("".join(chr(0x4E00 + i) for i in range(len(vocab))))


def test_a_model_of_other_characters_swapped_in_is_refused_in_place(pair, shakespeare):
    """A learner may replace a model in the dict a view was given: one that reads other
    characters would be drawn with Shakespeare's labels. Both views say so in place."""
    alien = models.build("lstm", other_characters(shakespeare.vocab), num_hiddens=24, seed=5)
    mine = dict(pair)
    comparer = TextComparer(models=mine, length=10)
    mine["lstm"] = alien
    comparer._generate.click()
    assert comparer.error and "models['lstm']: reads a vocabulary of 84 characters other " \
        "than models['rnn']'s" in comparer.error
    assert comparer.samples == {} and all(len(bar.x) == 0 for bar in comparer.figure.data)
    with pytest.raises(ValueError, match=r"models\['lstm'\]: reads a vocabulary"):
        TextComparer(models={"rnn": pair["rnn"], "lstm": alien})
    flow = GradientFlow(models={"rnn": pair["rnn"], "lstm": alien}, choice="lstm", windows=3,
                        corpus=shakespeare)
    assert flow.error and "VocabularyMismatchError: models['lstm']: reads a vocabulary" \
        in flow.error and flow.curves == {}


def test_gradient_flow_measures_a_model_swapped_into_its_dict(pair, shakespeare):
    mine = dict(pair)
    flow = GradientFlow(models=mine, choice="rnn", windows=3, corpus=shakespeare, num_steps=30)
    before = flow.curves["rnn"].copy()
    mine["rnn"] = models.build("rnn", shakespeare.vocab, num_hiddens=24, seed=6)
    flow._choice.value = "lstm"
    flow._choice.value = "rnn"  # the new model's curve, not the cached one of the old
    windows = shakespeare.heldout_windows(3, 400, seed=0)
    norms = gradient_probes.window_gradients(mine["rnn"], windows)["H"][:, -30:]
    np.testing.assert_allclose(flow.curves["rnn"],
                               gradient_probes.gradient_band(norms)["median"][::-1], rtol=1e-6)
    assert np.abs(flow.curves["rnn"] - before).max() > 1e-6


def test_charts_refuse_what_they_cannot_draw():
    with pytest.raises(ValueError, match="hlines: a reference line spans the x range"):
        line_chart({}, hlines={"ln V": 4.4}, title="t", xaxis_title="x", yaxis_title="y")
    with pytest.raises(TypeError, match="hlines: 'ln V' is 'x'; expected a number"):
        line_chart({"a": ([1, 2], [3, 4])}, hlines={"ln V": "x"}, title="t", xaxis_title="x",
                   yaxis_title="y")
    with pytest.raises(TypeError, match="values: 'a' is 'x'; expected a number"):
        bar_chart({"a": "x"}, title="t", axis_title="x")
    drawn = bar_chart({"a": np.float32(1.5), "b": 2}, title="t", axis_title="x")
    assert list(drawn.data[0].x) == [1.5, 2]


def test_training_monitor_refuses_a_vocabulary_of_no_whole_size():
    for bad in (1.7, 1, 0):
        with pytest.raises(ValueError, match="vocab_size: expected"):
            TrainingMonitor(vocab_size=bad)


def test_training_monitor_counts_a_resumed_run_once(tiny_corpus, tmp_path):
    """10 steps with a checkpoint, then resumed to 20: the resumed run's records count from
    the checkpoint's step already, and the curve goes on from there, not twice as far."""
    monitor = TrainingMonitor(curves=("rnn",))
    config = training.TrainConfig(max_steps=10, eval_every=5, batch_size=16, num_steps=20,
                                  eval_chars=400)
    path = tmp_path / "rnn.npz"
    model = models.build("rnn", tiny_corpus.vocab, num_hiddens=8, embed_dim=4)
    training.train(model, tiny_corpus, config, checkpoint=path, progress=False,
                   on_record=monitor.on_record("rnn", config))
    longer = dataclasses.replace(config, max_steps=20)
    training.train(model, tiny_corpus, longer, checkpoint=path, resume=True, extend=True,
                   progress=False, on_record=monitor.on_record("rnn", longer))
    val = next(t for t in monitor.figure.data if t.meta == "rnn/val")
    per_step = 16 * 20
    np.testing.assert_allclose(val.x, [s * per_step / 1e6 for s in (5, 10, 15, 20)])
    assert "step 20," in monitor._label.value


def test_lag_explorer_clears_an_old_error_after_a_good_redraw():
    view = LagExplorer(sweep=SWEEP, live_steps=30)
    view.show_live([{"series": "no such series", "task": "recall", "lag": 999}])
    assert view.error and "points: expected points of the sweep's series" in view.error
    assert "alert" in view._status.value
    view._task.value = "adding"  # a good redraw: the message goes
    assert view.error is None and "alert" not in view._status.value
