"""Every lesson's first cell, on Colab's stack in a kernel where the kit is missing.

Run by ``make test-colab`` inside .venv-colab (Colab's packages, Python 3.13). Each lesson's
setup cell runs as written, except that REPOSITORY names a git snapshot of this checkout
instead of GitHub: pip installs the kit from it exactly as it would from GitHub. The cell
must succeed on the first run, bind ``rnnlab``, turn on Colab's widget manager (the
stand-in google.colab is loaded at kernel start, as in Colab) and add rnnlab while
changing nothing else; run again with the kit present, it must not call pip at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests import stacks as stack
from tests.kernel_env import kernel_environment

ROOT = stack.ROOT
LESSONS = sorted((ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"))
STANDIN = ROOT / "tests" / "colab" / "standin"
# It uninstalls the kit between runs: only where tools/test_stack.sh asks for it, in
# .venv-colab, and only once that environment is Colab's stack.
if os.environ.get("RNNLAB_COLAB_STACK") != "required":
    pytest.skip("`make test-colab` runs these, in .venv-colab", allow_module_level=True)
if Path(sys.prefix).resolve() != (ROOT / ".venv-colab").resolve():
    raise RuntimeError(f"RNNLAB_COLAB_STACK=required outside .venv-colab: {sys.prefix}")
if moved := stack.drift(stack.read_pins(), stack.installed()):
    raise RuntimeError(f"this environment is not Colab's stack: {moved}")
SOURCE_LINE = re.compile(r'^SOURCE = "git\+https://github\.com/[\w.-]+/[\w.-]+"', re.M)

# After the setup cell, in the same kernel: what a learner's next cells rely on.
PROBE = """
import importlib.metadata, json
from google.colab.output import _widgets
print(json.dumps({"module": rnnlab.settings.__file__,
                  "version": importlib.metadata.version("rnnlab"),
                  "manager": _widgets._installed_url}))
"""


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory) -> dict:
    """The environment of a kernel that loads the stand-in google.colab at start, as
    Colab's kernels do, and logs every pip run it makes to ``$PIP_LOG``."""
    folder = tmp_path_factory.mktemp("kernel")
    startup = folder / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-colab.py").write_text("import google.colab  # loaded in every Colab kernel\n")
    return kernel_environment(IPYTHONDIR=str(folder / "ipython"), PYTHONPATH=str(STANDIN),
                              PIP_LOG=str(folder / "pip.log"))


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory):
    """A git repository of this checkout's files (committed or not): the kit's source."""
    folder = tmp_path_factory.mktemp("rnnlab-source")
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, folder / name)
    git = ["git", "-c", "user.name=rnnlab", "-c", "user.email=rnnlab@localhost"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "snapshot"]):
        subprocess.run(git + args, cwd=folder, check=True)
    return folder.as_uri()


def setup_source(lesson: Path, repository: str) -> str:
    """The lesson's setup cell with pip pointed at ``repository`` (a git URL)."""
    source = nbformat.read(lesson, as_version=4).cells[1].source
    assert len(SOURCE_LINE.findall(source)) == 1, f"{lesson.name}: SOURCE is defined once"
    return SOURCE_LINE.sub(f'SOURCE = "git+{repository}"', source)


def run_in_fresh_kernel(cells: list[str], workdir: Path, env: dict) -> list[list[dict]]:
    """Run ``cells`` in one new kernel of this environment; the outputs of each."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(workdir)}}).execute(env=env)
    return [cell.outputs for cell in nb.cells]


def text_of(outputs: list[dict]) -> str:
    return "".join(o.get("text", "") for o in outputs if o["output_type"] == "stream")


def pip_runs(env: dict) -> int:
    """How many times the kernels have run pip (it logs "Using pip ..." at each start)."""
    log = Path(env["PIP_LOG"])
    return log.read_text(errors="replace").count(" Using pip ") if log.exists() else 0


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_first_run_installs_the_kit_and_nothing_else(lesson, snapshot, kernel_env, tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "rnnlab"],
                   check=True, capture_output=True)
    before = stack.installed()
    assert "rnnlab" not in before
    runs = pip_runs(kernel_env)
    setup, probe = run_in_fresh_kernel([setup_source(lesson, snapshot), PROBE], tmp_path,
                                       kernel_env)
    assert pip_runs(kernel_env) > runs, "the setup cell did not run pip with the kit missing"
    assert "TensorFlow 2.20.0, Keras 3.13.2" in text_of(setup)
    found = json.loads(text_of(probe))
    assert Path(found["module"]).resolve().is_relative_to(Path(sys.prefix).resolve()), (
        f"rnnlab came from {found['module']}, not from what pip installed")
    assert found["manager"], "the setup cell did not enable Colab's custom widget manager"
    assert stack.changes(before, stack.installed()) == {"rnnlab": (None, found["version"])}


def test_with_the_kit_present_the_setup_cell_installs_nothing(snapshot, kernel_env, tmp_path):
    setup = setup_source(LESSONS[0], snapshot)
    run_in_fresh_kernel([setup], tmp_path, kernel_env)  # installs the kit if it is missing
    before, runs = stack.installed(), pip_runs(kernel_env)
    assert "rnnlab" in before
    (outputs,) = run_in_fresh_kernel([setup], tmp_path, kernel_env)
    assert "TensorFlow 2.20.0" in text_of(outputs)
    assert pip_runs(kernel_env) == runs and stack.installed() == before


def test_colab_stack_is_intact():
    assert stack.drift(stack.read_pins(), stack.installed()) == {}


UNREACHABLE = "file:///nonexistent/rnnlab"  # a source pip cannot reach, as in Colab today


def setup_error(cells: list[str], workdir: Path, env: dict) -> CellExecutionError:
    with pytest.raises(CellExecutionError) as stopped:
        run_in_fresh_kernel(cells, workdir, env)
    return stopped.value


def test_an_unreachable_source_stops_the_setup_cell_with_a_way_in(kernel_env, tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "rnnlab"],
                   check=True, capture_output=True)
    # the cell after it would fail with a NameError if the lesson ran on: it never runs
    error = setup_error([setup_source(LESSONS[0], UNREACHABLE), "print(rnnlab.__version__)"],
                        tmp_path, kernel_env)
    assert error.ename == "SetupError"
    message = str(error)
    assert f"pip could not install rnnlab from rnnlab @ git+{UNREACHABLE}" in message
    assert "make wheel" in message and "COLAB.md" in message
    assert "NameError" not in message and "ModuleNotFoundError" not in message
    assert "rnnlab" not in stack.installed()


def test_a_wheel_uploaded_next_to_the_notebook_installs_the_kit(kernel_env, tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "--yes", "--quiet", "rnnlab"],
                   check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("rnnlab-*.whl")
    before = stack.installed()
    setup, probe = run_in_fresh_kernel([setup_source(LESSONS[0], UNREACHABLE), PROBE],
                                       tmp_path, kernel_env)
    assert f"installing rnnlab from {wheel.name}" in text_of(setup)
    found = json.loads(text_of(probe))
    assert stack.changes(before, stack.installed()) == {"rnnlab": (None, found["version"])}


def test_a_runtime_without_tensorflow_is_told_to_switch_and_installs_nothing(kernel_env,
                                                                             tmp_path):
    """Colab's TPU runtime ships no TensorFlow: a kernel where it cannot be imported
    (``sys.modules["tensorflow"] = None``) stands in for it."""
    startup = Path(kernel_env["IPYTHONDIR"]) / "profile_default" / "startup"
    hide = startup / "01-no-tensorflow.py"
    hide.write_text('import sys\nsys.modules["tensorflow"] = None  # as on a TPU runtime\n')
    try:
        runs = pip_runs(kernel_env)
        error = setup_error([setup_source(LESSONS[0], UNREACHABLE)], tmp_path, kernel_env)
    finally:
        hide.unlink()
    assert error.ename == "SetupError"
    assert "no TensorFlow" in str(error) and "Change runtime type" in str(error)
    assert pip_runs(kernel_env) == runs  # nothing downloaded, nothing replaced


def test_the_setup_cell_puts_keras_on_tensorflow_whatever_keras_backend_says(
        snapshot, kernel_env, tmp_path):
    setup = setup_source(LESSONS[0], snapshot)
    probe = "import keras; print(keras.backend.backend())"
    outputs = run_in_fresh_kernel([setup, probe], tmp_path, {**kernel_env, "KERAS_BACKEND": "jax"})
    assert text_of(outputs[1]).strip() == "tensorflow"
