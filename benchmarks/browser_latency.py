"""Control change to redrawn plot, in JupyterLab in headless Chromium, as a learner waits.

    .venv/bin/python benchmarks/browser_latency.py [--moves 7]

Starts JupyterLab on 127.0.0.1 over temporary copies of the lessons (as the browser tests
do, with RNNLAB_QUICK=1), runs each lesson, then moves each slider below one step at a
time. Each move is timed inside the page (``lab_page.time_redraw``): from the key press
to the last change of what the view's plots draw (kernel compute, widget messages and
plotly's redraw together), and to the first text in the view's status line. Prints the
medians per control against the targets: 150 ms for a change that needs no new model
computation; for one that does, a status at once and the plot within 1 s.
"""

import argparse
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser-test helpers live in tests/browser

from tests.browser import lab_page  # noqa: E402
from tests.browser.conftest import lessons_in_chromium  # noqa: E402

TARGET_MS = {False: 150, True: 1000}  # by whether the change needs model computation


@dataclass
class Case:
    lesson: str
    css: str  # the view's CSS class
    index: int  # which view of that class in the lesson
    slider: str
    computes: bool  # the change runs a model or a probe, not only a redraw


CASES = [
    Case("03_vanishing_gradients.ipynb", "rnnlab-gradient-flow", 0, "spectral radius", True),
    Case("04_lstm.ipynb", "rnnlab-gradient-flow", 0, "steps T", True),
    Case("05_inside_the_gates.ipynb", "rnnlab-gate-viewer", 0, "unit", False),
    Case("05_inside_the_gates.ipynb", "rnnlab-gate-viewer", 0, "from char", False),
    Case("06_long_range_memory.ipynb", "rnnlab-lag-explorer", 0, "lag", False),
    Case("07_generate_and_compare.ipynb", "rnnlab-text-comparer", 0, "temperature", True),
    Case("07_generate_and_compare.ipynb", "rnnlab-text-comparer", 0, "length", True),
]


def measure(moves: int = 7) -> list[tuple[Case, list[dict]]]:
    rows = []
    lessons = sorted({case.lesson for case in CASES})
    with lessons_in_chromium(lessons) as (lab, context):
        for lesson in lessons:
            page = context.new_page()
            lab_page.open_and_run_all(page, lab.notebook_url(lesson))
            for case in (c for c in CASES if c.lesson == lesson):
                view = lab_page.view(page, case.css, case.index)
                view.scroll_into_view_if_needed()
                handle = lab_page.slider_handle(view, case.slider)
                clocks = [lab_page.time_redraw(view, handle,
                                               "ArrowRight" if i % 2 == 0 else "ArrowLeft")
                          for i in range(moves)]
                rows.append((case, clocks))
            page.close()
    return rows


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=7)
    args = parser.parse_args()
    print(f"{'view: control':34} {'drawn':>8} {'status':>8}  target  (each drawn, ms)")
    for case, clocks in measure(args.moves):
        drawn = median_or_none(c["drawn"] for c in clocks)
        status = median_or_none(c["status"] for c in clocks)
        target = TARGET_MS[case.computes]
        verdict = "ok" if drawn is not None and drawn <= target and (
            not case.computes or status is not None) else "MISSED"
        print(f"{case.css[7:] + ': ' + case.slider:34} {ms(drawn):>8} {ms(status):>8}  "
              f"{target:>4} {verdict:6} (" + ", ".join(ms(c["drawn"]) for c in clocks) + ")")


def ms(value) -> str:
    return "none" if value is None else f"{value:.0f}ms"


if __name__ == "__main__":
    main()
