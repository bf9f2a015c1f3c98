"""Every view and chart readable by everyone, checked on what they actually draw.

WCAG 2.1 level AA (https://www.w3.org/TR/WCAG21/): text on a colour at 4.5:1 or more
(success criterion 1.4.3), lines and markers at 3:1 against the page (1.4.11), and no two
series told apart by colour alone (1.4.1). The colours are read back from each figure and
each HTML pane after the view is built and after every control moves, so a colour added
later to any view is checked too.
"""

import re

import ipywidgets as W
import numpy as np
import pytest

from rnnlab.palette import (
    GRAPHIC_CONTRAST, MODEL_TEXT, PALETTE, TEXT_CONTRAST, contrast, ink_on, rgb,
)
from rnnlab.widgets import (
    ConnectivityView, GateViewer, GradientFlow, LagExplorer, TextComparer, TrainingMonitor,
    bar_chart, line_chart,
)
from tests.test_every_control import controls, moves
from tests.test_widgets import SWEEP, pair, passage, widget_tree  # noqa: F401 - fixtures

PAGE = PALETTE["background"]


def blend(colour: str, opacity: float, under: str = PAGE) -> str:
    """``colour`` drawn at ``opacity`` over ``under``, as the eye sees it."""
    top, bottom = np.array(rgb(colour)), np.array(rgb(under))
    r, g, b = np.round(opacity * top + (1 - opacity) * bottom).astype(int)
    return f"#{r:02X}{g:02X}{b:02X}"


def colours_of(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def graphic_problems(figure) -> list[str]:
    """Lines, markers and bars under 3:1 against the page, and any left to plotly's own
    colours (which the test could not read); text inside bars under 4.5:1 on its bar."""
    problems = []
    for trace in figure.data:
        if trace.visible is False:
            continue
        name = trace.name or trace.meta or trace.type
        opacity = 1.0 if trace.opacity is None else trace.opacity
        drawn = []
        if trace.type == "scatter":
            mode = trace.mode or "lines"
            lines = "lines" in mode and trace.line.width != 0
            if lines:
                drawn += [("line", c) for c in colours_of(trace.line.color)] or [("line", None)]
            if "markers" in mode:
                marker = colours_of(trace.marker.color) or colours_of(trace.line.color)
                marker_opacity = 1.0 if trace.marker.opacity is None else trace.marker.opacity
                drawn += [("marker", blend(c, marker_opacity)) for c in marker] or [
                    ("marker", None)]
        elif trace.type == "bar":
            bars = colours_of(trace.marker.color)
            drawn += [("bar", c) for c in bars] or [("bar", None)]
            inside = colours_of(trace.insidetextfont.color)
            if trace.text is not None and bars:
                if len(inside) != len(bars):
                    problems.append(f"{name}: inside text colours not set per bar")
                for bar, ink in zip(bars, inside):
                    if contrast(ink, bar) < TEXT_CONTRAST:
                        problems.append(f"{name}: text {ink} on bar {bar}: "
                                        f"{contrast(ink, bar):.2f}:1")
        for what, colour in drawn:
            if colour is None:
                problems.append(f"{name}: {what} colour left to plotly")
                continue
            seen = blend(colour, opacity)
            if contrast(seen, PAGE) < GRAPHIC_CONTRAST:
                problems.append(f"{name}: {what} {colour} at opacity {opacity}: "
                                f"{contrast(seen, PAGE):.2f}:1 on the page")
    for shape in figure.layout.shapes or ():
        colour = shape.line.color
        if colour and contrast(colour, PAGE) < GRAPHIC_CONTRAST:
            problems.append(f"shape {colour}: {contrast(colour, PAGE):.2f}:1")
    return problems


def hue_only_problems(figure) -> list[str]:
    """Series in the legend that differ from another one by colour alone."""
    seen: dict[tuple, str] = {}
    problems = []
    for trace in figure.data:
        if trace.visible is False or trace.showlegend is False:
            continue
        if trace.type == "scatter":
            mode = trace.mode or "lines"
            look = (trace.type, mode, trace.line.dash or "solid" if "lines" in mode else None,
                    trace.marker.symbol if "markers" in mode else None, trace.fill)
        elif trace.type == "bar":
            look = (trace.type, trace.marker.pattern.shape or "")
        else:
            continue
        if look in seen:
            problems.append(f"{trace.name!r} looks like {seen[look]!r} but for its colour")
        seen[look] = trace.name
    return problems


STYLE = re.compile(r"""style=["']([^"']*)["']""")


def text_problems(html: str) -> list[str]:
    """Every inline ``color`` under 4.5:1 on its own ``background`` (the page if none)."""
    problems = []
    for style in STYLE.findall(html):
        rules = dict(rule.split(":", 1) for rule in style.split(";") if ":" in rule)
        rules = {key.strip(): value.strip() for key, value in rules.items()}
        if "color" not in rules:
            continue
        ink, paper = rules["color"], rules.get("background", PAGE)
        if contrast(ink, paper) < TEXT_CONTRAST:
            problems.append(f"text {ink} on {paper}: {contrast(ink, paper):.2f}:1")
    return problems


def view_problems(view) -> list[str]:
    problems = []
    for value in vars(view).values():
        if hasattr(value, "to_plotly_json"):
            problems += graphic_problems(value) + hue_only_problems(value)
    for widget in widget_tree(view.widget):
        if isinstance(widget, W.HTML):
            problems += text_problems(widget.value)
    return problems


# --- the rules themselves --------------------------------------------------------------

def test_contrast_is_wcags_ratio():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#FFFFFF", "#FFFFFF") == pytest.approx(1.0)
    assert contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)  # WCAG's example
    assert contrast("#E69F00", "#FFFFFF") == pytest.approx(2.25, abs=0.01)  # Okabe-Ito orange
    assert contrast("rgb(8, 48, 107)", "#FFF") == pytest.approx(
        contrast("#08306B", "#FFFFFF"))  # the forms plotly's scales give
    with pytest.raises(ValueError, match="colour: expected"):
        rgb("navy")


@pytest.mark.parametrize("shade", [f"#{v:02X}{v:02X}{v:02X}" for v in range(0, 256, 5)]
                         + ["#053061", "#67001F", "#F7F7F7", "#4393C3", "#D6604D", "#08306B"])
def test_black_or_white_ink_reads_on_any_shade(shade):
    assert contrast(ink_on(shade), shade) >= 4.58


def test_every_series_colour_reaches_3_to_1_and_every_text_colour_4_5():
    series = [PALETTE[role] for role in ("rnn", "lstm", "rnn-matched", "toy", "baseline",
                                         "chance", "gate_i", "gate_f", "gate_o", "candidate",
                                         "cell_state", "muted")]
    from rnnlab.widgets.theme import OTHER_COLOURS

    for colour in series + OTHER_COLOURS:
        assert contrast(colour, PAGE) >= GRAPHIC_CONTRAST, colour
    for colour in [*MODEL_TEXT.values(), PALETTE["text"], PALETTE["muted"], PALETTE["pass"],
                   PALETTE["hint"], PALETTE["error"]]:
        assert contrast(colour, PAGE) >= TEXT_CONTRAST, colour


def test_the_checks_catch_what_they_check():
    """The helpers fail on a pale line, on two lines that differ by colour alone, and on
    pale text: the tests below would see a regression."""
    figure = line_chart({"a": ([1, 2], [1, 2]), "b": ([1, 2], [2, 1])}, title="t",
                        xaxis_title="x", yaxis_title="y")
    assert graphic_problems(figure) == [] and hue_only_problems(figure) == []
    figure.data[0].line.color = "#E69F00"
    assert "2.25:1" in graphic_problems(figure)[0]
    figure.data[1].line.dash = figure.data[0].line.dash
    assert hue_only_problems(figure)
    assert text_problems('<span style="background:#053061;color:#111">a</span>')
    assert not text_problems('<span style="background:#053061;color:#FFFFFF">a</span>')


# --- what the views and charts draw ----------------------------------------------------

def test_charts_follow_the_rules():
    many = {f"series {i}": ([1, 2, 3], [i, i + 1, i]) for i in range(7)}
    with_models = {"RNN": ([1, 2], [2, 1]), "LSTM": ([1, 2], [1, 2]), "other": ([1, 2], [1, 1])}
    figures = [
        line_chart(many, title="t", xaxis_title="x", yaxis_title="y", hlines={"chance": 0.5}),
        line_chart(with_models, title="t", xaxis_title="x", yaxis_title="y",
                   colours={"RNN": "rnn", "LSTM": "lstm"}, hlines={"KN": 1.4, "WB": 1.5}),
        bar_chart({"RNN": 1.6, "LSTM": 1.5, "counts": 0.2}, title="t", axis_title="x",
                  colours={"RNN": "rnn", "LSTM": "lstm"}),
        bar_chart({"a": 10.0, "b": 3.0}, title="t", axis_title="x", colour="cell_state"),
    ]
    for figure in figures:
        assert graphic_problems(figure) == [] and hue_only_problems(figure) == []


def views(pair, passage):  # noqa: F811
    monitor = TrainingMonitor(vocab_size=84, curves=("rnn", "lstm", "rnn-matched"))
    from rnnlab import pretrained

    for kind in pretrained.SHIPPED:
        monitor.replay(pretrained.history(kind), kind)
    return {
        "GradientFlow": GradientFlow(models=pair, windows=4, choice="both"),
        "GateViewer": GateViewer(models=pair, text=passage[:200]),
        "TextComparer": TextComparer(models=pair, length=60),
        "LagExplorer": LagExplorer(sweep=SWEEP, live_steps=3),
        "ConnectivityView": ConnectivityView(models=pair, text=passage[:80]),
        "TrainingMonitor": monitor,
    }


def test_every_view_follows_the_rules_as_built_and_after_every_control(pair, passage):  # noqa: F811
    checked = 0
    for name, view in views(pair, passage).items():
        assert view_problems(view) == [], f"{name} as built"
        for control in controls(view):
            if control.disabled:
                continue
            start = control.value
            values = ["To be, or not to be"] if isinstance(control, W.Textarea) else moves(
                control)
            for value in values:
                control.value = value
                assert view_problems(view) == [], f"{name}: {control.description} = {value!r}"
                checked += 1
            control.value = start
    assert checked > 30  # every view moved, not only built


def test_temperature_zero_draws_no_empty_bars(pair):  # noqa: F811
    view = TextComparer(models=pair, length=20, temperature=0.0)
    heights = np.concatenate([np.asarray(bar.y, dtype=float) for bar in view.figure.data])
    best = np.max(np.stack([np.asarray(bar.y, dtype=float) for bar in view.figure.data]), axis=0)
    assert len(heights) and best.min() >= 1e-3  # each bar drawn is there for some model
    assert len(view.figure.data[0].x) <= 2  # at temperature 0 each model has one choice
