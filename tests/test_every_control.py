"""Every control of every view, moved: what the learner sees changes, and no error shows.

Headless (no browser): each control is moved from the view's first state to each value it
offers (every option of a dropdown or selection slider, both ends of a slider, a new
text), then put back. A view that offered a choice and then failed on it, or a control
that changes nothing on screen, fails here with the view and the control named.
"""

import json

import ipywidgets as W
import numpy as np
import pytest

from rnnlab.widgets import (
    ConnectivityView, GateViewer, GradientFlow, LagExplorer, TextComparer,
)
from rnnlab.widgets.gate_viewer import NO_SUGGESTION
from tests.test_widgets import SWEEP, pair, passage, widget_tree  # noqa: F401 - fixtures

PLACEHOLDERS = {NO_SUGGESTION}  # a dropdown's "pick one" entry: choosing it shows nothing new


def on_screen(view) -> str:
    """What the learner sees: every figure's data and layout, every HTML pane's text."""
    parts = []
    for value in vars(view).values():
        if hasattr(value, "to_plotly_json"):
            parts.append(json.dumps(value.to_plotly_json(), sort_keys=True, default=repr))
    for widget in widget_tree(view.widget):
        if isinstance(widget, W.HTML):
            parts.append(widget.value)
    return "\n".join(parts)


def moves(control):
    """The values a learner can move ``control`` to, other than where it is."""
    if isinstance(control, (W.Dropdown, W.SelectionSlider)):
        values = [value for _, value in control.options] if isinstance(
            control.options[0], tuple) else list(control.options)
    elif isinstance(control, (W.IntSlider, W.FloatSlider)):
        middle = control.min + (control.max - control.min) / 2
        if isinstance(control, W.IntSlider):
            middle = control.min + round((middle - control.min) / control.step) * control.step
        values = [control.min, control.max, middle]
    elif isinstance(control, W.IntText):
        values = [control.value + 1]
    elif isinstance(control, W.Checkbox):  # a series shown or hidden (legend's keyboard twin)
        values = [not control.value]
    else:
        return []
    return [v for v in values if v != control.value and v not in PLACEHOLDERS]


def controls(view):
    return [w for w in widget_tree(view.widget)
            if isinstance(w, (W.Dropdown, W.SelectionSlider, W.IntSlider, W.FloatSlider,
                              W.IntText, W.Textarea, W.Checkbox))]


def exercise(view, name: str, texts=()) -> int:
    """Move every enabled control of ``view``; return how many moves were checked."""
    checked = 0
    for control in controls(view):
        if control.disabled:
            continue
        start = control.value
        values = list(texts) if isinstance(control, W.Textarea) else moves(control)
        for value in values:
            before = on_screen(view)
            control.value = value
            what = f"{name}: {control.description} = {value!r}"
            assert view.error is None, f"{what} shows an error: {view.error}"
            assert on_screen(view) != before, f"{what} changes nothing on screen"
            checked += 1
        control.value = start
        assert view.error is None
    return checked


@pytest.fixture(scope="module")
def rnn_only(pair):  # noqa: F811
    return {"rnn": pair["rnn"]}


def test_gradient_flow_every_control(pair, rnn_only, passage):  # noqa: F811
    toy = GradientFlow(num_steps=30)  # the toy RNN: its radius, size and activation
    assert exercise(toy, "toy GradientFlow") >= 10
    trained = GradientFlow(models=pair, choice="both", num_steps=30, windows=4)
    assert exercise(trained, "trained GradientFlow") >= 5
    # given one model, it offers only that model (and the toy)
    one = GradientFlow(models=rnn_only, choice="rnn", num_steps=30, windows=4)
    assert {value for _, value in one._choice.options} <= {"toy", "rnn"}
    assert exercise(one, "RNN-only GradientFlow") >= 3


def test_gate_viewer_every_control(pair, passage):  # noqa: F811
    view = GateViewer(models=pair, text=passage[:300])
    assert exercise(view, "GateViewer", texts=[passage[300:500]]) >= 12


def test_text_comparer_every_control(pair):  # noqa: F811
    view = TextComparer(models=pair, seed_text="ROMEO.\n", length=40)
    assert exercise(view, "TextComparer", texts=["JULIET.\n"]) >= 5
    before = {kind: s.generated for kind, s in view.samples.items()}
    view._seed.value = "HAMLET.\n"
    view._generate.click()  # the button draws with the pending seed
    assert view.error is None and view._pending.value == ""
    assert all(s.seed == "HAMLET.\n" for s in view.samples.values())
    assert {kind: s.generated for kind, s in view.samples.items()} != before


def test_lag_explorer_every_control():
    view = LagExplorer(sweep=SWEEP, live_steps=30)
    assert exercise(view, "LagExplorer") >= 1
    before = on_screen(view)
    view._run.click()
    assert view.error is None and on_screen(view) != before
    assert np.isfinite([p["accuracy"] for p in view.live_points]).all()


def test_connectivity_view_every_control(pair, passage):  # noqa: F811
    view = ConnectivityView(models=pair, text=passage[:150])
    assert exercise(view, "ConnectivityView") >= 2  # the first character, the middle
