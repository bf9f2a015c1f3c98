"""Lesson 7 in classic Notebook 6.5.7 (Colab's notebook package) with Colab's widget stack
(ipywidgets 7.7.1, plotly 5.24.1), in headless Chromium: the views render, and a slider
redraws the figure.

Run by ``make test-colab`` from the main environment (Playwright), with the server and
kernel from ``$RNNLAB_COLAB_VENV``. The browser reaches nothing but 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TOKEN, free_port
from tests.kernel_env import kernel_environment

ROOT = Path(__file__).resolve().parents[2]
VENV = os.environ.get("RNNLAB_COLAB_VENV")
ARTIFACTS = ROOT / "test-artifacts" / "notebook6"
LESSON = "07_generate_and_compare.ipynb"

if not VENV:
    pytest.skip("RNNLAB_COLAB_VENV is not set: `make test-colab` runs this",
                allow_module_level=True)
if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise RuntimeError(f"CI=true and no Chromium at {CHROMIUM}")
    pytest.skip(f"no Chromium at {CHROMIUM}", allow_module_level=True)


@contextmanager
def notebook_server(root: Path, name: str, disabled: tuple[str, ...] = ()):
    """Classic Notebook 6.5.7 from the Colab venv over ``root``; its URL. ``disabled``:
    front-end extensions switched off in its own configuration."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    config = root / ".jupyter"
    (config / "nbconfig").mkdir(parents=True)
    (config / "nbconfig" / "notebook.json").write_text(
        json.dumps({"load_extensions": {extension: False for extension in disabled}}))
    port = free_port()
    bin_dir = Path(VENV).resolve() / "bin"
    command = [str(bin_dir / "jupyter-notebook"), "--no-browser", f"--port={port}",
               "--NotebookApp.ip=127.0.0.1", f"--NotebookApp.token={TOKEN}",
               f"--NotebookApp.notebook_dir={root}", "--NotebookApp.port_retries=0"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    env = kernel_environment(
        PATH=f"{bin_dir}:{os.environ['PATH']}", RNNLAB_QUICK="1", TF_CPP_MIN_LOG_LEVEL="2",
        JUPYTER_CONFIG_DIR=str(config),
        # the configuration above over the environment's, where extensions are enabled;
        # which also puts the user's data folder first: an empty one, so that kernels
        # come from the Colab venv and never from a kernel installed with --user
        JUPYTER_PREFER_ENV_PATH="0", JUPYTER_DATA_DIR=str(root / ".jupyter-data"))
    log = open(ARTIFACTS / f"{name}.log", "w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Notebook 6 did not start; see {log.name}") from None
                time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("notebook6")
    shutil.copy(ROOT / "lessons" / LESSON, root / LESSON)
    with notebook_server(root, "notebook") as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")), executable_path=CHROMIUM, headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1300, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@contextmanager
def new_page(browser, name: str):
    """A tab that records its requests and console; its screenshot and console log are
    kept in test-artifacts/notebook6/ whatever happens."""
    page = browser.new_page()
    page.requests, page.console = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))
    try:
        yield page
    finally:
        try:
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        finally:
            (ARTIFACTS / f"{name}-console.log").write_text("\n".join(page.console))
            page.close()


@pytest.fixture(scope="module")
def page(server, browser):
    with new_page(browser, "lesson7") as page:
        yield page


CELL_STATES = """() => Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code')
    .map(c => String(c.input_prompt_number))"""
COMPARER = ".rnnlab-text-comparer"
# the bars of the comparer's figure, as plotly.js holds them: a widget inside the view,
# or after use_static() an output of the same cell
PLOT = f"{COMPARER} .js-plotly-plot, .cell:has({COMPARER}) .js-plotly-plot"
BARS = f"""() => Array.from(document.querySelector('{PLOT}').data, trace => Array.from(trace.y))"""


def wait_for_cells(page, timeout_s: float, count: int | None = None) -> None:
    """Wait until the first ``count`` code cells (all by default) show an execution count."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        states = page.evaluate(CELL_STATES)[:count]
        if all(s.isdigit() for s in states):
            return
        time.sleep(0.5)
    raise TimeoutError(f"cells unfinished after {timeout_s} s: {states}")


def run_all(page, url: str, notebook: str = LESSON, timeout_s: float = 240) -> None:
    """Open a notebook, run its first cell, then Run All (the first cell again included).

    Notebook 6's widget manager first asks the new kernel for its widgets; an ipywidgets 7
    kernel answers with a refusal (logged as a console warning), after which the manager
    re-renders every widget output on the page. A view displayed during that exchange
    stays empty, and the exchange only completes once the kernel has run something. So
    the first cell runs alone first, as a learner's first Shift+Enter would.
    """
    page.goto(f"{url}/notebooks/{notebook}?token={TOKEN}")
    page.wait_for_function("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
                           " && Jupyter.notebook.kernel.is_connected()", timeout=90_000)
    first = "Jupyter.notebook.get_cells().findIndex(c => c.cell_type === 'code')"
    page.evaluate(f"() => Jupyter.notebook.get_cell({first}).execute()")
    wait_for_cells(page, 120, count=1)
    deadline = time.monotonic() + 30
    while not any("jupyter.widget.control" in line for line in page.console):
        assert time.monotonic() < deadline, f"the widget manager never loaded: {page.console}"
        time.sleep(0.2)
    time.sleep(1)
    page.evaluate("() => Jupyter.notebook.execute_all_cells()")
    wait_for_cells(page, timeout_s)


def move_temperature(page, container, bars, presses: int = 8) -> list:
    """Press the right arrow on the temperature slider's handle (0.05 a press), as a
    learner can; each press is a change of its own, and each redraws. Wait until the plot
    shows what a hotter softmax must: each model's most likely next character with less
    probability than in ``bars``; return the bars of that plot."""
    slider = container.locator(".widget-slider", has=page.locator(".widget-label",
                                                                 has_text="temperature"))
    before = float(slider.locator(".widget-readout").inner_text())
    slider.locator(".ui-slider-handle").focus()
    for _ in range(presses):
        page.keyboard.press("ArrowRight")
    assert float(slider.locator(".widget-readout").inner_text()) == pytest.approx(
        before + 0.05 * presses)
    flatter = page.wait_for_function(f"""(before) => {{
        try {{
            const now = ({BARS})();
            return now.length === before.length && now.every(
                (y, i) => Math.max(...y) < Math.max(...before[i])) && now;
        }} catch (error) {{ return false; }}  // a static plot between two draws
        }}""", arg=bars, timeout=30_000)
    return flatter.json_value()


def read_bars(page) -> list:
    """The comparer's bars once a plot holds them (a static plot is redrawn anew)."""
    return page.wait_for_function(f"""() => {{
        try {{ return ({BARS})(); }} catch (error) {{ return false; }} }}""",
        timeout=30_000).json_value()


def test_lesson_7_renders_and_its_slider_redraws(page, server):
    run_all(page, server)
    errors = page.locator(".output_error")
    assert errors.count() == 0, errors.first.inner_text()
    comparer = page.locator(COMPARER)
    comparer.wait_for(timeout=30_000)
    comparer.locator(".js-plotly-plot .bars path").first.wait_for(timeout=30_000)
    samples = comparer.locator(".rnnlab-sample")
    assert samples.count() == 2 and all(len(t) > 50 for t in samples.all_inner_texts())
    bars, texts = read_bars(page), samples.all_inner_texts()
    comparer.screenshot(path=str(ARTIFACTS / "text-comparer.png"))
    assert len(bars) == 2 and all(0 < max(y) <= 1 for y in bars)

    move_temperature(page, comparer, bars)  # 0.80 -> 1.20
    comparer.screenshot(path=str(ARTIFACTS / "text-comparer-temperature-1.20.png"))
    assert samples.all_inner_texts() != texts
    hosts = {r.split("/")[2] for r in page.requests if r.startswith("http")}
    assert hosts == {server.split("/")[2]}, hosts


FALLBACK = "fallback.ipynb"
FALLBACK_CELLS = [
    "import rnnlab.widgets as widgets",
    "widgets.use_static()\ncomparer = widgets.TextComparer(length=100)\ncomparer",
    "widgets.use_static(False)  # a widget figure again: this front end cannot draw it\n"
    "widgets.bar_chart({'vanilla RNN': 1.6, 'LSTM': 1.5}, title='plotly widget', "
    "axis_title='nats')",
]
CDN = "https://cdn.plot.ly/"


def test_static_fallback_draws_where_plotly_widgets_cannot(tmp_path, browser):
    """The README's fallback, in a Notebook 6.5.7 whose front end cannot load plotly's
    widget code (its extension switched off): after use_static() the view draws and
    redraws from core ipywidgets and plotly.js, while a widget figure on the same page
    stays blank. plotly.js comes from the plotly package in place of its CDN (nothing
    leaves the machine)."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in FALLBACK_CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, tmp_path / FALLBACK)
    plotly_js = next(Path(VENV).glob("lib/python*/site-packages/plotly/package_data/"
                                     "plotly.min.js"))
    with notebook_server(tmp_path, "fallback", disabled=("jupyterlab-plotly/extension",)) as url, \
            new_page(browser, "fallback") as page:
        page.route(f"{CDN}**", lambda route: route.fulfill(path=str(plotly_js),
                                                         content_type="text/javascript"))
        run_all(page, url, FALLBACK)
        cell = page.locator(".cell", has=page.locator(COMPARER))
        cell.locator(".js-plotly-plot .bars path").first.wait_for(timeout=30_000)
        bars = read_bars(page)
        assert len(bars) == 2 and all(0 < max(y) <= 1 for y in bars)
        cell.screenshot(path=str(ARTIFACTS / "fallback-text-comparer.png"))
        move_temperature(page, cell, bars)  # 0.80 -> 1.20
        cell.screenshot(path=str(ARTIFACTS / "fallback-text-comparer-temperature-1.20.png"))
        # the simulation holds: plotly's widget code failed to load, and nothing drew
        deadline = time.monotonic() + 30
        while not any('Script error for "jupyterlab-plotly"' in line for line in page.console):
            assert time.monotonic() < deadline, "plotly's widget code was not refused"
            time.sleep(0.2)
        widget_cell = page.locator(".cell").last
        assert widget_cell.locator(".jupyter-widgets-view").count() == 1
        assert widget_cell.locator(".js-plotly-plot").count() == 0
        outside = {r for r in page.requests if r.startswith("http") and not r.startswith(url)}
        assert outside and all(r.startswith(CDN) for r in outside), outside
