"""Keep the lessons as the notebook rules in CONTRIBUTING.md want them.

    python tools/notebooks.py clean [NOTEBOOK ...]    strip outputs (keep checked cells)
    python tools/notebooks.py run [NOTEBOOK ...]      execute with RNNLAB_QUICK=1, then clean
    python tools/notebooks.py time [NOTEBOOK ...]     execute as a learner does (no quick
                                                      mode, fresh kernel); print Run All's
                                                      time and every cell over 3 s; the run
                                                      notebooks go to test-artifacts/timed/,
                                                      the lessons are left unchanged
    python tools/notebooks.py claims                  write lessons/claims.py's list into the
                                                      teacher's guide (lessons/README.md)
    python tools/notebooks.py source                  point every place that names where the
                                                      kit is published (setup cells, "Open in
                                                      Colab" lines, solutions links, README,
                                                      COLAB.md) at pyproject.toml's Repository

Checked cells (tagged ``nbval-check-output``, nbval's own tag, out of the learner's
way, unlike a comment line) keep their outputs and execution counts, which nbval
compares; every other cell is stored without outputs or count. ``run`` is how a checked
cell's expected output is refreshed after a lesson changes. Without arguments both act
on every lesson in lessons/.
"""

from __future__ import annotations

import os
import re
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
CHECK = "nbval-check-output"  # the cell tag nbval compares outputs of, under --nbval-lax


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK in cell.metadata.get("tags", [])


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


def run(nb, path: Path, quick: bool = True) -> float:
    """Execute ``nb`` in a fresh kernel in the lesson's folder; the wall time in seconds."""
    from nbclient import NotebookClient

    os.environ["RNNLAB_QUICK"] = "1" if quick else "0"
    start = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


SLOW_CELL = 3.0  # seconds: a cell slower than this shows progress while it runs


def cell_seconds(cell) -> float:
    """How long the kernel took on ``cell``, from the timing nbclient records."""
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (_instant(end) - _instant(start)).total_seconds()


def _instant(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # Python 3.10 wants +00:00


TIMED = LESSONS.parent / "test-artifacts" / "timed"


def report_times(nb, path: Path) -> None:
    total = run(nb, path, quick=False)
    TIMED.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, TIMED / path.name)  # with its outputs, to read what a learner sees
    print(f"{path.name}: Run All in {total:.0f} s (fresh kernel, no quick mode)", flush=True)
    for number, cell in enumerate(nb.cells, 1):
        seconds = cell_seconds(cell) if cell.cell_type == "code" else 0.0
        if seconds > SLOW_CELL:
            first = next((line for line in cell.source.splitlines()
                          if line.strip() and not line.startswith("#")), "")
            print(f"    cell {number:2d}: {seconds:5.1f} s  {first[:70]}", flush=True)


CLAIMS_START = "<!-- claims: written by `python tools/notebooks.py claims` -->"
CLAIMS_END = "<!-- end of claims -->"


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def claims_section(claims: dict) -> str:
    """The guide's table of every claim and the checked output that backs it."""
    lines = [CLAIMS_START, "", "| lesson | the text says | a checked cell prints |",
             "|---|---|---|"]
    for stem, pairs in claims.items():
        for words, evidence in pairs:
            lines.append(f"| {stem[:2]} | {_one_line(words)} | `{_one_line(evidence)}` |")
    return "\n".join(lines + ["", CLAIMS_END])


def write_claims() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("claims", LESSONS / "claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    guide = LESSONS / "README.md"
    text = guide.read_text(encoding="utf-8")
    start, end = text.index(CLAIMS_START), text.index(CLAIMS_END) + len(CLAIMS_END)
    guide.write_text(text[:start] + claims_section(module.CLAIMS) + text[end:], encoding="utf-8")
    print(f"wrote {sum(map(len, module.CLAIMS.values()))} claims into {guide}")


ROOT = LESSONS.parent
# the files that name where the kit is published; pyproject.toml's Repository is the one
# place it is set, and `source` copies it into these
NAMING_THE_SOURCE = ("lessons/[0-9][0-9]_*.ipynb", "lessons/*.md", "README.md",
                     "CONTRIBUTING.md")
SOURCE_LINE = re.compile(r'SOURCE = "git\+https://github\.com/([\w.-]+/[\w.-]+)"')


def repository() -> str:
    """pyproject.toml's [project.urls] Repository, as "owner/name" on GitHub."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    url = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    found = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+)", url)
    if not found:
        raise ValueError(f"pyproject.toml's Repository: expected https://github.com/OWNER/NAME "
                         f"(Colab opens notebooks from GitHub), got {url!r}")
    return found.group(1)


def point_at_source() -> None:
    new = repository()
    setup = nbformat.read(LESSONS / "01_characters.ipynb", as_version=4).cells[1].source
    old = SOURCE_LINE.search(setup).group(1)
    changed = []
    for pattern in NAMING_THE_SOURCE:
        for path in sorted(ROOT.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            updated = text.replace(f"github.com/{old}", f"github.com/{new}")
            if updated != text:
                path.write_text(updated, encoding="utf-8")
                changed.append(path.relative_to(ROOT).as_posix())
    print(f"{old} -> {new}: " + (", ".join(changed) or "nothing to change"))


def main(argv: list[str]) -> int:
    if argv[:1] == ["claims"]:
        write_claims()
        return 0
    if argv[:1] == ["source"]:
        point_at_source()
        return 0
    if not argv or argv[0] not in ("clean", "run", "time"):
        print(__doc__)
        return 2
    paths = [Path(p) for p in argv[1:]] or sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if argv[0] == "time":
            report_times(nb, path)
            continue
        if argv[0] == "run":
            print(f"{path.name}: ran in {run(nb, path):.0f} s", flush=True)
        clean(nb)
        nbformat.write(nb, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
