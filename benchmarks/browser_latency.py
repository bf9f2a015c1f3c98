"""Slider to redrawn plot, in JupyterLab in headless Chromium, as a learner waits for it.

    .venv/bin/python benchmarks/browser_latency.py [--moves 7]

Starts JupyterLab on 127.0.0.1 over temporary copies of the lessons (as the browser tests
do, with RNNLAB_QUICK=1), runs a lesson, then moves one slider one step at a time and
times each move from the key press to the moment the plot's drawing changes: kernel
compute, widget messages and plotly's redraw together. Prints the median per view.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser-test helpers live in tests/browser

from tests.browser import lab_page  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, JupyterLab  # noqa: E402

# (lesson, view's CSS class, slider, what to read as "the plot")
CASES = [
    ("04_lstm.ipynb", "rnnlab-gradient-flow", "steps T", lab_page.line_paths),
    ("05_inside_the_gates.ipynb", "rnnlab-gate-viewer", "unit", lab_page.plot_data),
    ("07_generate_and_compare.ipynb", "rnnlab-text-comparer", "temperature",
     lab_page.plot_data),
]


def time_moves(view, slider, read, moves):
    handle = lab_page.slider_handle(view, slider)
    times = []
    for i in range(moves):
        lab_page.wait_for_kernel_idle(view.page)
        before = read(view)
        start = time.perf_counter()
        lab_page.press(handle, "ArrowRight" if i % 2 == 0 else "ArrowLeft", 1)
        lab_page.wait_until_changed(lambda: read(view), before, what=slider)
        times.append(1000 * (time.perf_counter() - start))
    return times


def measure(moves: int = 7) -> list[tuple[str, float, list[float]]]:
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="rnnlab-bench-"))
    for lesson, *_ in CASES:
        shutil.copy(ROOT / "lessons" / lesson, root / lesson)
    lab = JupyterLab(root, root / "jupyterlab.log")
    rows = []
    try:
        lab.wait()
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(root / "profile"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
            for lesson, css, slider, read in CASES:
                page = context.new_page()
                lab_page.open_and_run_all(page, lab.notebook_url(lesson))
                view = lab_page.view(page, css)
                view.scroll_into_view_if_needed()
                times = time_moves(view, slider, read, moves)
                rows.append((f"{css[7:]}: {slider}", statistics.median(times), times))
                page.close()
            context.close()
    finally:
        lab.stop()
        shutil.rmtree(root, ignore_errors=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=7)
    args = parser.parse_args()
    for what, median, times in measure(args.moves):
        print(f"{what:32} median {median:7.0f} ms  (each: "
              + ", ".join(f"{t:.0f}" for t in times) + ")")


if __name__ == "__main__":
    main()
