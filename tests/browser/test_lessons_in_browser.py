"""The lessons in JupyterLab in Chromium: what a learner clicks, and what they then see."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rnnlab import tasks
from tests.browser import lab_page
from tests.browser.conftest import ROOT, remote_requests

SCREENS = ROOT / "test-artifacts" / "screens"

LESSONS = sorted(p.name for p in (Path(__file__).resolve().parents[2] / "lessons")
                 .glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_and_every_view_renders(lessons, name):
    page = lessons.run(name)
    assert lab_page.errors(page) == [], f"{name} shows an error"
    setup = page.locator(".jp-CodeCell").first  # the first output a learner sees
    stderr = setup.locator(".jp-OutputArea-output[data-mime-type="
                           "'application/vnd.jupyter.stderr']")
    assert stderr.count() == 0, f"{name}'s setup cell prints: {stderr.all_inner_texts()}"
    outputs = page.locator(".jp-OutputArea-output")
    for i in range(outputs.count()):  # visit every output, so windowed cells render too
        outputs.nth(i).scroll_into_view_if_needed()
    assert page.locator(".jp-OutputArea-output", has_text="Loading widget").count() == 0
    assert page.locator(".jp-OutputArea-output", has_text="Error displaying widget"
                        ).count() == 0
    for plot in page.locator(".js-plotly-plot").all():
        # plotly drew this figure: its data (not empty default axes) and its title
        plot.scroll_into_view_if_needed()
        assert lab_page.plot_data(plot.locator("xpath=..")), f"{name}: a figure draws no data"
        assert plot.locator(".gtitle").count() and plot.locator(".gtitle").first.text_content(
        ).strip(), f"{name}: a figure has no title"
        unnamed = [text for text in legend(plot) if text.startswith("trace ")]
        assert not unnamed, f"{name}: a legend shows plotly's default names {unnamed}"
    page.screenshot(path=str(shot(name, "page")))
    # every view as a learner sees it after Run All, for a person to look at
    for index, output in enumerate(page.locator(".jp-OutputArea-output").all()):
        if output.locator(".js-plotly-plot").count():
            output.screenshot(path=str(shot(name, f"output-{index:02d}")))


def shot(lesson: str, what: str) -> Path:
    """Where a screenshot of ``what`` in ``lesson`` goes (test-artifacts/screens, which
    ``make screens`` fills for a person to look at)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS / f"{Path(lesson).stem}-{what}.png"


def test_generation_lesson_temperature_and_bad_seed(lessons):
    page = lessons.run("07_generate_and_compare.ipynb")
    comparer = lab_page.view(page, "rnnlab-text-comparer")
    comparer.scroll_into_view_if_needed()
    panes = comparer.locator(".rnnlab-sample")

    def shown():
        return panes.all_inner_texts(), lab_page.plot_data(comparer)

    texts, plot = shown()
    assert len(texts) == 2 and all(len(t) > 100 for t in texts)
    assert plot.count("M") >= 20, "the next-character bars are drawn"
    assert lab_page.slider_readout(comparer, "temperature") == "0.80"
    lab_page.press(lab_page.slider_handle(comparer, "temperature"), "ArrowRight", 4)

    def all_redrawn():
        now_texts, now_plot = shown()
        return all(a != b for a, b in zip(now_texts, texts)) and now_plot != plot

    lab_page.wait_until(all_redrawn, what="both samples and the plot redrawn")
    assert lab_page.slider_readout(comparer, "temperature") == "1.00"
    comparer.screenshot(path=str(shot("07_generate_and_compare", "temperature-1.00")))

    # a character the models never saw: said in the view, and the kernel lives on
    seed = comparer.locator(".widget-textarea", has_text="seed text").locator("textarea")
    generate = comparer.get_by_role("button", name="Generate")
    status = comparer.locator(".rnnlab-status")
    seed.fill("ROMEO.\nΩ")
    seed.blur()  # the text box sends its value to the kernel when left
    generate.click()
    lab_page.wait_until(lambda: "Ω" in status.inner_text(), what="the error in the view")
    assert status.get_by_role("alert").count() == 1
    seed.fill("JULIET.\n")
    seed.blur()
    generate.click()
    lab_page.wait_until(lambda: all(t.startswith("JULIET.") for t in panes.all_inner_texts()),
                        what="both samples from the new seed")
    assert status.inner_text().strip() == "", "the error is cleared"
    lab_page.wait_for_kernel_idle(page)


def test_gates_lesson_heatmap_characters_and_unit(lessons):
    page = lessons.run("05_inside_the_gates.ipynb")
    viewer = lab_page.view(page, "rnnlab-gate-viewer")
    viewer.scroll_into_view_if_needed()
    heatmap = viewer.locator(".js-plotly-plot").first
    ticks = heatmap.locator(".xtick text").all_text_contents()
    assert len(ticks) >= 40, "one column per character, 80 of them"
    assert all(len(t) == 1 for t in ticks), ticks  # one readable character per column
    assert sum(t.isalpha() for t in ticks) > len(ticks) / 2
    image = heatmap.locator(".heatmaplayer image")
    before = image.get_attribute("href")
    rows = heatmap.locator(".ytick text").all_text_contents()
    lab_page.press(lab_page.slider_handle(viewer, "unit"), "ArrowRight", 1)
    lab_page.wait_until_changed(lambda: image.get_attribute("href"), before, what="heatmap")
    assert heatmap.locator(".ytick text").all_text_contents() != rows
    viewer.screenshot(path=str(shot("05_inside_the_gates", "next-unit")))


def test_gates_lesson_bad_text_blanks_the_figures_and_the_error_stays(lessons):
    """A character the model never saw: the error is said in place, nothing of the old
    text stays drawn, moving a slider does not hide the error, and fixing the text
    brings everything back."""
    page = lessons.run("05_inside_the_gates.ipynb")
    viewer = lab_page.view(page, "rnnlab-gate-viewer")
    viewer.scroll_into_view_if_needed()
    box = viewer.locator("textarea").first
    original = box.input_value()
    heatmap, saturation = viewer.locator(".js-plotly-plot").all()
    status = viewer.locator(".rnnlab-status")
    box.fill("Caf\u00e9 au lait \u20ac")
    box.blur()  # the text box sends its value to the kernel when left
    lab_page.wait_until(lambda: "\u20ac" in status.inner_text(), what="the error in the view")
    lab_page.wait_until(lambda: heatmap.locator(".heatmaplayer image").count() == 0,
                        what="the heatmap emptied")
    assert saturation.locator(".scatterlayer .point").count() == 0
    assert "no text to show" in heatmap.locator(".gtitle").text_content()
    viewer.screenshot(path=str(shot("05_inside_the_gates", "bad-text")))
    lab_page.press(lab_page.slider_handle(viewer, "unit"), "ArrowRight", 1)
    lab_page.wait_for_kernel_idle(page)
    assert status.get_by_role("alert").count() == 1, "moving a slider hid the error"
    box.fill(original)
    box.blur()
    lab_page.wait_until(lambda: status.inner_text().strip() == "", what="the error cleared")
    heatmap.locator(".heatmaplayer image").wait_for(timeout=30_000)
    assert saturation.locator(".scatterlayer .point").count() > 100


def test_gates_lesson_draws_its_figures_in_a_fresh_kernel(lessons, lab, browser_context):
    """A walk-through once saw lesson 5's figures blank after Run All (empty default axes,
    no title) in a fresh run, never reproduced since: open it fresh, in a kernel of its
    own, and check what is drawn."""
    name = "05_fresh.ipynb"
    shutil.copy(Path(lab.root) / "05_inside_the_gates.ipynb", Path(lab.root) / name)
    page = browser_context.new_page()
    try:
        lab_page.open_and_run_all(page, lab.notebook_url(name))
        viewer = lab_page.view(page, "rnnlab-gate-viewer")
        viewer.scroll_into_view_if_needed()
        heatmap, saturation = viewer.locator(".js-plotly-plot").all()
        heatmap.locator(".heatmaplayer image").wait_for(timeout=30_000)
        assert heatmap.locator(".gtitle").text_content().startswith("LSTM ")
        assert heatmap.locator(".colorbar").count() == 1
        assert heatmap.locator(".xtick").count() >= 40  # characters, not -1..6
        assert saturation.locator(".scatterlayer .point").count() > 100  # a dot per unit
    finally:
        page.close()


def test_gradient_lesson_sequence_length_redraws_both_curves(lessons):
    page = lessons.run("04_lstm.ipynb")
    flow = lab_page.view(page, "rnnlab-gradient-flow")
    flow.scroll_into_view_if_needed()
    before = lab_page.line_paths(flow)
    # per model a median line and the two edges of its 10-90% band
    assert len(before) == 6, "the RNN's and the LSTM's medians and bands"
    assert lab_page.slider_readout(flow, "steps T") == "100"
    lab_page.press(lab_page.slider_handle(flow, "steps T"), "ArrowRight", 4)
    after = lab_page.wait_until_changed(lambda: lab_page.line_paths(flow), before,
                                        what="the curves")
    lab_page.wait_until_changed(
        lambda: sum(a != b for a, b in zip(lab_page.line_paths(flow), before)) == 6, False,
        what="every median and band edge")
    assert lab_page.slider_readout(flow, "steps T") == "120"
    assert len(after) == 6
    flow.screenshot(path=str(shot("04_lstm", "steps-120")))


def legend(container) -> list[str]:
    return container.locator(".legendtext").all_text_contents()


def test_memory_lesson_draws_every_series_with_its_spread_and_switches_task(lessons):
    page = lessons.run("06_long_range_memory.ipynb")
    explorer = lab_page.view(page, "rnnlab-lag-explorer")
    explorer.scroll_into_view_if_needed()
    names = legend(explorer)
    recall = [s["label"] for s in tasks.SWEEP_SERIES.values() if s["task"] == "recall"]
    assert set(recall) <= set(names) and "chance (0.25)" in names
    # the seeds' spread: a bar at every lag of every series (9 lags)
    assert explorer.locator(".scatterlayer .errorbars path.yerror").count() >= len(recall) * 9
    title = explorer.locator(".gtitle").first
    assert "Recall" in title.text_content()
    before = lab_page.line_paths(explorer)
    task = explorer.locator(".widget-dropdown", has_text="task").locator("select")
    task.select_option(label="adding")
    lab_page.wait_until(lambda: "Adding problem" in title.text_content(), what="the title")
    lab_page.wait_until_changed(lambda: lab_page.line_paths(explorer), before, what="the lines")
    names = legend(explorer)
    assert any(n.startswith("always answering 1.0") for n in names)
    adding = [s["label"] for s in tasks.SWEEP_SERIES.values() if s["task"] == "adding"]
    series = [n for n in names if not n.startswith("always") and "trained here" not in n]
    assert sorted(series) == sorted(adding), "the adding plot shows other series"
    assert lab_page.slider_readout(explorer, "lag") == "50"  # the middle of 10 ... 200
    explorer.screenshot(path=str(shot("06_long_range_memory", "lag-explorer-adding")))


def test_lstm_lesson_monitor_draws_the_three_shipped_models(lessons):
    page = lessons.run("04_lstm.ipynb")
    monitor = lab_page.view(page, "rnnlab-training-monitor")
    monitor.scroll_into_view_if_needed()
    assert sorted(legend(monitor)) == sorted(
        ["RNN-256, held-out", "LSTM-256, held-out", "RNN-522, held-out"])
    paths = [d for d in lab_page.line_paths(monitor) if d]
    assert len(paths) == 3 and all(d.count("L") > 10 for d in paths)  # a curve, not a dot
    monitor.screenshot(path=str(shot("04_lstm", "training-monitor")))


# every view of the lessons: (lesson, the view's CSS class, how many of them)
VIEWS = [
    ("03_vanishing_gradients.ipynb", "rnnlab-gradient-flow", 2),
    ("04_lstm.ipynb", "rnnlab-gradient-flow", 1),
    ("04_lstm.ipynb", "rnnlab-connectivity-view", 1),
    ("05_inside_the_gates.ipynb", "rnnlab-gate-viewer", 1),
    ("06_long_range_memory.ipynb", "rnnlab-lag-explorer", 1),
    ("07_generate_and_compare.ipynb", "rnnlab-text-comparer", 1),
]


@pytest.mark.parametrize("name,css,count", VIEWS, ids=[v[0][:2] for v in VIEWS])
def test_every_control_of_every_view_redraws(lessons, name, css, count):
    """Each enabled slider moved a step and each dropdown set to another entry: what the
    view draws changes every time, no error appears, and each state is photographed.
    After the tests above, which expect the controls where Run All left them."""
    page = lessons.run(name)
    assert page.locator(f".{css}").count() == count
    for index in range(count):
        view = lab_page.view(page, css, index)
        view.scroll_into_view_if_needed()

        def photograph(label):
            assert lab_page.errors(page) == [], f"{name}: {label} shows an error"
            error = view.locator(".rnnlab-status [role=alert]")
            assert error.count() == 0, f"{name}: {label}: {error.all_inner_texts()}"
            # readable axes: no tick like 0.99999999999999989 from a stretched flat curve
            ticks = view.locator(".xtick text, .ytick text").all_text_contents()
            assert not [t for t in ticks if len(t) > 12], f"{name}: {label}: ticks {ticks[:4]}"
            view.screenshot(path=str(shot(name, f"{css[7:]}-{index}-{label.replace(' ', '-')}")))

        moved = lab_page.move_every_control(view, after_move=photograph)
        assert moved, f"{name}: {css} #{index} has no control a learner can move"


def test_no_request_leaves_the_machine(lessons):
    """A lesson with views loads everything from the local server; the ``lessons`` fixture
    checks the same for every lesson the session ran, when it ends."""
    lessons.run("07_generate_and_compare.ipynb")
    assert lessons.requests, "no request was recorded"
    assert remote_requests(lessons.requests) == []


def test_remote_requests_are_the_ones_off_the_machine():
    urls = ["http://127.0.0.1:8888/lab", "ws://127.0.0.1:8888/api/kernels/x",
            "https://cdn.plot.ly/plotly-2.35.2.min.js", "data:image/png;base64,AAA",
            "wss://example.org/socket", "https://cdn.plot.ly/plotly-2.35.2.min.js"]
    assert remote_requests(urls) == ["https://cdn.plot.ly/plotly-2.35.2.min.js",
                                     "wss://example.org/socket"]


# what reads a control's own state, as the page shows it (not the view's figure: a key
# can move a control to a value that draws the same, e.g. a longer flat toy curve)
STATE_JS = {
    "slider": "n => n.closest('.widget-slider').querySelector('.widget-readout').innerText",
    "list": "n => n.selectedIndex",
    "check box": "n => n.checked",
}


def keys_for(kind: str, control) -> list[str]:
    """The keys a keyboard user presses to change ``control``. A list takes Home or End:
    on a closed list JupyterLab keeps the arrow keys, which move between cells."""
    if kind == "slider":
        at_end = control.get_attribute("aria-valuenow") == control.get_attribute(
            "aria-valuemax")
        return ["ArrowLeft" if at_end else "ArrowRight"]
    if kind == "list":
        return ["Home" if control.evaluate("s => s.selectedIndex > 0") else "End"]
    return [" "]


@pytest.mark.parametrize("name,css,count", VIEWS, ids=[v[0][:2] for v in VIEWS])
def test_every_control_is_reachable_and_usable_from_the_keyboard(lessons, name, css, count):
    """WCAG 2.1.1: Tab reaches every control of the view; a slider moves with the arrow
    keys, a list with Home and End, a check box (the legend's keyboard twin) with the
    space bar; each key changes the control and the kernel takes it without an error.
    (The views use lists, not toggle buttons: JupyterLab gives a focused button's space
    and Enter to the notebook.)"""
    page = lessons.run(name)
    for index in range(count):
        view = lab_page.view(page, css, index)
        view.scroll_into_view_if_needed()
        controls = lab_page.keyboard_controls(view)
        assert controls, f"{name}: {css} #{index} has no control"
        reached = lab_page.tab_through(view, controls)
        missed = [controls[i].evaluate("n => n.outerHTML.slice(0, 80)")
                  for i in range(len(controls)) if i not in reached]
        assert not missed, f"{name}: Tab never reaches {missed}"
        kinds = {"slider": view.locator(".noUi-handle:not([disabled])"),
                 "list": view.locator(".widget-dropdown select:enabled"),
                 "check box": view.locator(".widget-checkbox input")}
        for kind, found in kinds.items():
            shown = [c for c in found.all() if c.is_visible()]
            if not shown:
                continue
            control = shown[0]
            state = STATE_JS[kind]
            before = control.evaluate(state)
            keys = keys_for(kind, control)
            control.focus()
            for attempt in (1, 2):  # a key sent while the page still settled is pressed again
                for key in keys:
                    page.keyboard.press(key)
                try:
                    lab_page.wait_until_changed(lambda: control.evaluate(state), before,
                                                timeout_s=10.0 * attempt,
                                                what=f"{name}: a {kind} after its key")
                    break
                except AssertionError:
                    if attempt == 2:
                        raise
                    control.focus()
            lab_page.wait_for_kernel_idle(page)
            assert view.locator(".rnnlab-status [role=alert]").count() == 0, (
                f"{name}: the {kind} key shows an error")
            assert page.locator(".jp-Notebook.jp-mod-editMode").count() == 0, (
                f"{name}: the {kind} key reached the notebook instead of the control")


@pytest.mark.parametrize("name", LESSONS)
def test_every_figure_has_a_name_a_screen_reader_reads(lessons, name):
    """Each plotly figure follows a heading that names it with the figure's own title."""
    page = lessons.run(name)
    for plot in page.locator(".js-plotly-plot").all():
        title = plot.locator(".gtitle").first.text_content().strip()
        output = plot.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')]")
        heading = output.get_by_role("heading", name=f"Figure: {title}")
        assert heading.count() >= 1, f"{name}: no heading names the figure {title!r}"
