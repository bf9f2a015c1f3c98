"""The lessons follow the notebook rules of DESIGN.md (running them is nbval's job)."""

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
CHECK = "# NBVAL_CHECK_OUTPUT"
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
        if cell.source.lstrip().startswith(CHECK):  # the rule tools/notebooks.py applies
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
    # a link relative to the notebook: JupyterLab opens the lessons folder, not the root
    link = f"[`solutions/{path.stem}.py`](solutions/{path.stem}.py)"
    assert any(link in h for h in headings), path.name
    assert (path.parent / "solutions" / f"{path.stem}.py").is_file()


def test_setup_cell_works_in_colab_and_hides_tensorflow(lesson):
    path, nb = lesson
    setup_cell = code_cells(nb)[0]
    setup = setup_cell.source
    assert IGNORE_TAG in setup_cell.metadata.get("tags", []), path.name
    assert setup.startswith("# Setup: "), "the setup cell's first line says what it does"
    assert "NBVAL" not in setup, "test markers are tags here, out of the learner's way"
    assert 'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL"' in setup
    assert f'REPOSITORY = "{REPOSITORY}"' in setup and setup.count("github.com") == 1
    assert '%pip install --quiet "rnnlab @ git+{REPOSITORY}"' in setup
    assert "enable_custom_widget_manager()" in setup
    assert "keras.utils.set_random_seed(0)" in setup
    # TensorFlow starts where its C++ start-up lines are kept out of the learner's way
    assert setup.index("start_tensorflow()") < setup.index("import keras")
    # installs only where the kit is missing, then imports it in the same cell (Colab)
    assert 'if importlib.util.find_spec("rnnlab") is None:' in setup
    assert setup.index("%pip install") < setup.index("import rnnlab.settings")


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


def test_lesson_one_explains_the_check_marker():
    """Checked cells keep their first-line marker (a learner can see which cells are the
    evidence); the first lesson says what it means, once."""
    first = nbformat.read(LESSONS[0], as_version=4).cells[0].source
    assert f"`{CHECK}`" in first and "evidence" in first


# Each number or comparison a lesson's text states, with what a checked cell of the same
# lesson prints to back it: (words in the text, words in a checked output).
LESSON_CLAIMS = {
    "01_characters": [
        ("42 Shakespeare texts (37 plays and 5 poems)", "42 texts; the cut is"),
        ("from inside *Troilus and Cressida* on",
         "the cut is 19,215 characters into THE HISTORY OF TROILUS AND CRESSIDA"),
        ("ln(84) = 4.431 nats knowing nothing", "ln(84) = 4.431 nats"),
        ("3.329 with\n  character counts", "unigram: 3.329 nats"),
        ("2.542 with one character of context", "bigram: 2.542 nats"),
        ("1.598 for the best counting\n  model (order 6, five characters of context)",
         "best: order 6, 1.598 nats per character"),
        ("level with the best n-gram (0.002 nats\n  below it)",
         "rnn: 1.595 nats, -0.002 against the best n-gram"),
        ("the LSTM 0.055 below", "lstm: 1.543 nats, -0.055 against the best n-gram"),
        ("the 522-unit RNN 0.088 below",
         "rnn-matched: 1.509 nats, -0.088 against the best n-gram"),
        ("a perplexity of exactly $V$", "perplexity 84.0"),
    ],
    "03_vanishing_gradients": [
        ("$\\rho = 2.73$ and $\\sigma_{\\max} = 5.62$",
         "spectral radius 2.73, largest singular value 5.62"),
        ("Two thirds of the hidden values lie", "held-out characters: 66%"),
        ("by a factor of about 0.75 per step", "a factor of 0.75 (median)"),
        ("some twelve orders of magnitude over 99", "99 steps back: median 4e-13"),
        ("back is a median $4 \\times 10^{-13}$ of the last step's",
         "99 steps back: median 4e-13"),
        ("would be about $10^{-3}$ of the last step's",
         "saturated units pass tanh' = 0.19: 10^-3.3"),
        ("it would grow instead", "tanh' = 1 everywhere (the weights alone): 10^42.2"),
        ("At initialisation the gradient hardly fades",
         "at initialisation:   gradient 99 steps back 10^-0.4"),
        ("further even than in the shipped model",
         "after 50 steps:      gradient 99 steps back 10^-14.5"),
        ("a quarter of the units are saturated: letting them pass 0.19 changes almost nothing",
         "10^-14.5, with saturated units at 0.19 10^-14.6; 24% saturated"),
        ("0.69 on average", "24% saturated; tanh' of the others 0.69 on average"),
        ("within ten characters", "positions   1-  9: 1.706"),
        ("Beyond a few dozen characters the loss is flat within noise",
         "positions 200-999: 1.576 ± 0.010"),
    ],
    "02_vanilla_rnn": [
        ("about 18 passes\nover the training text", "17.6 passes over the training text"),
        ("ends higher than the number the course quotes",
         "curve's last point (first 100,000 held-out characters): 1.651"),
        ("On text it trained on it scores better still",
         "100,000 characters of its training text: 1.431"),
    ],
    "05_inside_the_gates": [
        ("its candidate more (78%\nagainst 66%), $\\tanh(C)$ a little less (62%)",
         "lstm tanh(C)  beyond ±0.9: 62% of values"),
        ("the median time constant is 3.3", "time constants: median 3.3 characters"),
        ("about two\ndozen hold on for more than 10, none for more than 100",
         "24 units above 10, 0 above 100"),
        ("only 6 keep more than 1% of\ntheir cell over 100 characters",
         "keeps more than 1e-2 over 100 characters (median of 80 runs): 6 of 256"),
        ("values reach 66 here", "cell state values from -46 to 66"),
        ("the LSTM's line-position unit (0.93\nwhere found, 0.69 to 0.88 elsewhere)",
         "line_position unit   7: r = +0.93 where found, +0.88, +0.74, +0.69"),
        ("the LSTM's bracket unit falls from 0.30 to\nabout 0",
         "in_brackets   unit  21: r = +0.30 where found, +0.13, +0.02, -0.02"),
        ("66% of the RNN's, 62-78% of the\n  LSTM's beyond ±0.9",
         "rnn  H        beyond ±0.9: 66%"),
    ],
    "04_lstm": [
        ("109,140 for\nthe RNN and 355,668 for the LSTM", "rnn             109,140"),
        ("over the first 20 steps back about as fast as\nthe RNN's",
         "lstm dL/dH, trained: 99 steps back 3e-06 (10-90%: 2e-07 to 7e-05); per step 0.75"),
        ("about 0.92 per step against the RNN's 0.76", "0.76 over k = 20-99"),
        ("some seven orders of magnitude", "rnn  dL/dH, trained: 99 steps back 4e-13"),
        ("the RNN's orthogonal start barely fades", "rnn  dL/dH, initial: 99 steps back 3e-01"),
        ("fades faster than the trained LSTM's", "lstm dL/dH, initial: 99 steps back 8e-09"),
        ("every forget gate sits near 0.73", "untrained LSTM: forget gates 0.73 on average"),
        ("units above 0.9 (none above 0.99)", "29 average above 0.9, 0 above 0.99"),
        ("about 18 passes over the training text", "passes over the training text: 17.6"),
        ("the LSTM has 3.3 times the RNN's\n  parameters and took three times as long; "
         "it ends 0.052 nats lower",
         "rnn             109,140       17        1.651         1.595"),
        ("is ahead of the LSTM at every point of the curve",
         "the LSTM is ahead at 0 of 63 points"),
        ("ends 0.034\n  nats lower on all held-out text, in a third of the LSTM's training "
         "time", "rnn-matched     355,722       17        1.569         1.509"),
        ("the gap column, 0.16 to 0.19\n  nats",
         "lstm            355,668       55        1.594         1.543          1.385 0.157"),
        ("ends at its lowest point or within a few thousandths of it",
         "rnn: last held-out point 1.651, its lowest 1.650"),
        ("behind the LSTM by about the same amount at\nevery context length, 0.05 to 0.08 nats",
         "rnn - lstm    +0.079 ± 0.013    +0.052 ± 0.007    +0.053 ± 0.006    +0.056 ± 0.002"),
        ("ties the LSTM over the first 9 characters and is ahead of it from 10 on",
         "rnn-matched - lstm    +0.001 ± 0.013    -0.036 ± 0.007"),
        ("score 1.595, 1.543 and 1.509 nats/char",
         "lstm            355,668       55        1.594         1.543"),
        ("$3 \\times 10^{-6}$ of the last step's, the RNN's $4 \\times 10^{-13}$",
         "lstm dL/dH, trained: 99 steps back 3e-06"),
    ],
}


@pytest.mark.parametrize("stem", sorted(LESSON_CLAIMS))
def test_lesson_claims_rest_on_checked_cells(stem):
    """Every listed sentence is still in the lesson, and a checked cell (whose output
    nbval compares on every test run) still prints the number behind it."""
    nb = nbformat.read(ROOT / "lessons" / f"{stem}.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    checked = "\n".join(
        "".join(o.get("text", "") for o in c.outputs)
        for c in code_cells(nb) if c.source.lstrip().startswith(CHECK))
    for words, evidence in LESSON_CLAIMS[stem]:
        assert words in text, f"{stem}: the text no longer says {words!r}"
        assert evidence in checked, f"{stem}: no checked cell prints {evidence!r}"
