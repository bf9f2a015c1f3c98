"""How long each lesson's Run All takes a learner: JupyterLab in Chromium, full budgets.

    .venv/bin/python benchmarks/lesson_times.py [LESSON ...]

Starts JupyterLab on 127.0.0.1 over temporary copies of the lessons, with kernels in
learner mode (no RNNLAB_QUICK: live training runs its full minutes), and opens each lesson
in a fresh tab and a fresh kernel, one after the other. The time printed runs from the
Run All click until every cell has run: what the guide's "2-core CPU" column quotes.
The browser draws everything meanwhile, on the same cores, as on a learner's laptop.
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the browser-test helpers live in tests/browser

from tests.browser import lab_page  # noqa: E402
from tests.browser.conftest import lessons_in_chromium  # noqa: E402


def measure(names: list[str]) -> list[tuple[str, float]]:
    rows = []
    with lessons_in_chromium(names, quick=False) as (lab, context):
        for name in names:
            page = context.new_page()
            clicked = []
            lab_page.open_and_run_all(page, lab.notebook_url(name), timeout_s=900,
                                      on_run_all=lambda: clicked.append(time.monotonic()))
            rows.append((name, time.monotonic() - clicked[0]))
            print(f"{name}: Run All in {rows[-1][1]:.0f} s", flush=True)
            lab_page.shut_down_kernel(page)  # the next lesson has the cores to itself
            page.close()
    return rows


def main() -> None:
    names = sys.argv[1:] or sorted(p.name for p in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
    measure(names)


if __name__ == "__main__":
    main()
