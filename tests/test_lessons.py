"""The lessons follow the notebook rules of CONTRIBUTING.md (running them is nbval's job)."""

import ast
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from rnnlab import exercises
from tests.test_packaging import pyproject

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
REPOSITORY = pyproject()["project"]["urls"]["Repository"]
CHECK = "nbval-check-output"  # the tag of a lesson's evidence cells
IGNORE_TAG = "nbval-ignore-output"  # a cell tag: the learner does not see it


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_seven_lessons_in_reading_order():
    assert [p.name[:2] for p in LESSONS] == [f"{n:02d}" for n in range(1, 8)]


@pytest.fixture(params=LESSONS, ids=lambda p: p.stem)
def lesson(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_outputs_only_on_checked_cells(lesson):
    path, nb = lesson
    checked = 0
    for cell in code_cells(nb):
        if CHECK in cell.metadata.get("tags", []):  # the rule tools/notebooks.py applies
            checked += 1
            assert cell.outputs and cell.execution_count, (
                f"{path.name}: a checked cell needs its outputs and count "
                "(python tools/notebooks.py run)")
            # a view's output is a model id that changes on every run: text only here
            assert all(o.output_type == "stream" for o in cell.outputs), (
                f"{path.name}: a checked cell shows more than printed text: "
                f"{cell.source[:60]!r}")
        else:
            assert not cell.outputs and cell.execution_count is None, (
                f"{path.name}: stale output in an unchecked cell (python tools/notebooks.py "
                f"clean): {cell.source[:60]!r}")
    assert "widgets" not in nb.metadata
    nbformat.validate(nb)
    assert checked >= 1 or path.stem.startswith("07"), f"{path.name} checks no output"


def test_template(lesson):
    path, nb = lesson
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    number = int(path.name[:2])
    assert first.source.startswith(f"# Lesson {number} · ")
    colab = (f"https://colab.research.google.com/github/{REPOSITORY.split('github.com/')[1]}"
             f"/blob/main/lessons/{path.name}")
    assert f"Open in Colab: {colab}" in first.source  # plain text: nothing is fetched
    assert "**What you will learn**" in first.source
    headings = [c.source for c in nb.cells if c.cell_type == "markdown"]
    assert any("## Summary" in h for h in headings), path.name
    assert any(re.search(r"^## Exercises?$", h, re.M) for h in headings), path.name
    # the solutions: printed by the kit itself, which works from a lone notebook (Colab);
    # a link relative to the notebook (JupyterLab opens the lessons folder, not the root);
    # and online, where pyproject.toml's Repository says the kit is published
    printed = f'`exercises.solution("{path.name[:2]}")` prints them'
    link = f"[`solutions/{path.stem}.py`](solutions/{path.stem}.py)"
    online = f"{REPOSITORY}/blob/main/lessons/solutions/{path.stem}.py"
    assert any(printed in h and link in h and online in h for h in headings), path.name
    assert (path.parent / "solutions" / f"{path.stem}.py").is_file()
    # after a restart mid-lesson, what to run again
    assert "Run before" in first.source and "Run All Above Selected Cell" in first.source


def test_setup_cell_works_in_colab_and_hides_tensorflow(lesson):
    path, nb = lesson
    setup_cell = code_cells(nb)[0]
    setup = setup_cell.source
    assert IGNORE_TAG in setup_cell.metadata.get("tags", []), path.name
    assert setup.startswith("# Setup: "), "the setup cell's first line says what it does"
    assert "NBVAL" not in setup, "test markers are tags here, out of the learner's way"
    # where the kit comes from: pyproject.toml's Repository, copied here by
    # `tools/notebooks.py source`, and nowhere else in the cell
    assert f'SOURCE = "git+{REPOSITORY}"' in setup and setup.count("github.com") == 1
    assert 'target = wheels[-1] if wheels else f"rnnlab @ {SOURCE}"' in setup
    assert "enable_custom_widget_manager()" in setup
    # Keras on TensorFlow whatever KERAS_BACKEND says, set before Keras loads
    assert setup.index('os.environ["KERAS_BACKEND"] = "tensorflow"') < setup.index("import keras")
    # a runtime without TensorFlow (Colab's TPU) is told so before anything is installed
    assert setup.index('find_spec("tensorflow") is None') < setup.index('find_spec("rnnlab")')
    # the log level, the seed and TensorFlow's quiet start are checked by running the
    # cell: tests/test_settings.py::test_a_lessons_setup_cell_shows_a_status_and_one_line
    # installs only where the kit is missing, then imports it in the same cell (Colab)
    assert 'if importlib.util.find_spec("rnnlab") is None:' in setup
    assert setup.index('"pip", "install"') < setup.index("import rnnlab.settings")


def test_every_lesson_starts_with_the_same_setup():
    """One bootstrap, tested on Colab's stack by tests/colab/test_setup_cell.py; only the
    imports after it differ."""
    end = "keras.utils.set_random_seed(0)"
    heads = {code_cells(nbformat.read(p, as_version=4))[0].source.split(end)[0] for p in LESSONS}
    assert len(heads) == 1


def test_code_is_tidy(lesson):
    path, nb = lesson
    for cell in code_cells(nb):
        for line in cell.source.splitlines():
            assert len(line) <= 99, f"{path.name}: line over 99 characters: {line[:40]!r}"
        assert "import *" not in cell.source
        # valid Python once each IPython magic line is replaced by a statement
        source = re.sub(r"^(\s*)%.*$", r"\1pass", cell.source, flags=re.M)
        ast.parse(source)


def test_no_images_or_requests_from_markdown(lesson):
    """Colab cannot show local images from markdown, and a lesson opened offline fetches
    nothing: diagrams are displayed by code."""
    path, nb = lesson
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "![" not in cell.source and "<img" not in cell.source, path.name


def test_every_exercise_checker_exists_and_is_unanswered(lesson):
    path, nb = lesson
    called = re.findall(r"exercises\.(check_\w+)\(", "\n".join(c.source for c in code_cells(nb)))
    assert called, f"{path.name} has no exercise"
    for name in called:
        assert callable(getattr(exercises, name, None)), name
    answers = [c.source for c in code_cells(nb) if "exercises.check_" in c.source]
    for source in answers:
        assert "..." in source, f"{path.name}: an exercise must start unanswered"


def test_no_checkpoints_in_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".ipynb_checkpoints/" in ignored
    if (ROOT / ".git").exists():
        tracked = subprocess.run(["git", "ls-files", "lessons"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout
        assert ".ipynb_checkpoints" not in tracked


def test_no_lesson_shows_a_test_marker_to_the_learner():
    """Evidence cells are tagged, not commented: a learner's cell holds no test plumbing,
    and every lesson has evidence cells."""
    for path in LESSONS:
        nb = nbformat.read(path, as_version=4)
        assert not [c for c in nb.cells if "NBVAL" in c.source], path.name
        assert any(CHECK in c.metadata.get("tags", []) for c in code_cells(nb)), path.name


def _load_claims():
    import importlib.util

    spec = importlib.util.spec_from_file_location("claims", ROOT / "lessons" / "claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LESSON_CLAIMS = _load_claims().CLAIMS
README_CLAIMS = _load_claims().README_CLAIMS


def checked_outputs(stem: str) -> str:
    """Everything the checked cells of a lesson print (nbval compares it on every run)."""
    nb = nbformat.read(ROOT / "lessons" / f"{stem}.ipynb", as_version=4)
    return "\n".join("".join(o.get("text", "") for o in c.outputs)
                     for c in code_cells(nb) if CHECK in c.metadata.get("tags", []))


@pytest.mark.parametrize("stem", sorted(LESSON_CLAIMS))
def test_lesson_claims_rest_on_checked_cells(stem):
    """Every listed sentence is still in the lesson, and a checked cell (whose output
    nbval compares on every test run) still prints the number behind it."""
    nb = nbformat.read(ROOT / "lessons" / f"{stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    checked = checked_outputs(stem)
    for words, evidence in LESSON_CLAIMS[stem]:
        assert words in text, f"{stem}: the text no longer says {words!r}"
        assert evidence in checked, f"{stem}: no checked cell prints {evidence!r}"


def test_readme_figures_rest_on_checked_cells():
    """The README's figures table repeats lesson numbers: each is still in the README and
    still printed by a checked cell of the lesson named beside it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    outputs = {stem: checked_outputs(stem) for stem in {stem for _, stem, _ in README_CLAIMS}}
    for words, stem, evidence in README_CLAIMS:
        assert words in readme, f"README.md no longer says {words!r}"
        assert evidence in outputs[stem], f"{stem}: no checked cell prints {evidence!r}"


def test_every_document_puts_the_held_out_cut_where_lesson_one_prints_it():
    import re

    cut = re.search(r"the cut is ([\d,]+) characters into", checked_outputs("01_characters"))
    assert cut, "lesson 1 no longer prints where the held-out tail starts"
    for doc in ("README.md", "data/README.md", "rnnlab/corpus.py"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert f"{cut.group(1)} characters into" in text or (
            f"first {cut.group(1)} characters of *Troilus" in text), doc


def test_the_guide_lists_every_claim_with_its_evidence():
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebooks", ROOT / "tools" / "notebooks.py")
    notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notebooks)
    guide = (ROOT / "lessons" / "README.md").read_text(encoding="utf-8")
    assert notebooks.claims_section(LESSON_CLAIMS) in guide, (
        "lessons/README.md: the claims list is out of step: python tools/notebooks.py claims")


def test_every_page_names_the_source_pyproject_names():
    """pyproject.toml's Repository is the one place that says where the kit is published:
    every link to it in the lessons, the guide, COLAB.md and the README agrees."""
    owner_name = REPOSITORY.split("github.com/")[1]
    pages = [*LESSONS, *ROOT.glob("lessons/*.md"), ROOT / "README.md", ROOT / "CONTRIBUTING.md"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for found in re.findall(r"colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)", text):
            assert found == owner_name, f"{page.name} opens Colab on {found}"
        for found in re.findall(r"github\.com/([\w.-]+/[\w.-]+)/blob/main/lessons", text):
            assert found == owner_name, f"{page.name} links the lessons at {found}"
        for found in re.findall(r'SOURCE = \\?"git\+https://github\.com/([\w.-]+/[\w.-]+)', text):
            assert found == owner_name, f"{page.name} installs from {found}"


def test_the_source_tool_reads_pyproject():
    import importlib.util

    spec = importlib.util.spec_from_file_location("notebooks", ROOT / "tools" / "notebooks.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert f"https://github.com/{tool.repository()}" == REPOSITORY
    setup = code_cells(nbformat.read(LESSONS[0], as_version=4))[0].source
    assert tool.SOURCE_LINE.search(setup).group(1) == tool.repository()
