"""Keep the lessons as the notebook rules in DESIGN.md want them.

    python tools/notebooks.py clean [NOTEBOOK ...]    strip outputs (keep checked cells)
    python tools/notebooks.py run [NOTEBOOK ...]      execute with RNNLAB_QUICK=1, then clean

Checked cells (first line ``# NBVAL_CHECK_OUTPUT``) keep their outputs and execution
counts, which nbval compares; every other cell is stored without outputs or count. ``run``
is how a checked cell's expected output is refreshed after a lesson changes. Without
arguments both act on every lesson in lessons/.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
CHECK = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK)


def clean(nb) -> None:
    """Outputs and counts only on checked cells; no per-run metadata anywhere."""
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in ("tags",)}
        if cell.cell_type != "code":
            continue
        if is_checked(cell):
            for output in cell.outputs:
                output.pop("metadata", None) if output.get("metadata") == {} else None
        else:
            cell.outputs, cell.execution_count = [], None


def run(nb, path: Path) -> float:
    from nbclient import NotebookClient

    os.environ["RNNLAB_QUICK"] = "1"
    start = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("clean", "run"):
        print(__doc__)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if argv[0] == "run":
            print(f"{path.name}: ran in {run(nb, path):.0f} s", flush=True)
        clean(nb)
        nbformat.write(nb, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
