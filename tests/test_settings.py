"""TensorFlow's start: its C++ start-up lines are kept, not shown."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# how TensorFlow's C++ core starts a log line: "I0000 ..." (absl, TensorFlow 2.17 and
# later) or "2026-11-29 05:31:38.448919: I tensorflow/..." (TensorFlow 2.16)
ABSL_LINE = re.compile(r"^([IWEF]\d{4} |\d{4}-\d\d-\d\d [\d:.]+: [IWEF] )", re.M)

START = """
import rnnlab.settings as settings
print(settings.start_tensorflow())
print("--- log ---")
print(settings.startup_log())
"""


def test_start_tensorflow_keeps_its_start_up_lines_out_of_the_output(tmp_path):
    # a fresh interpreter (TensorFlow starts once per process), with every log level on
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-c", START], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    summary, log = done.stdout.split("--- log ---\n")
    assert re.match(r"TensorFlow \d+\.\d+\.\d+, Keras \d+\.\d+\.\d+, on ", summary)
    assert not ABSL_LINE.search(done.stderr), done.stderr  # nothing reached the output
    assert ABSL_LINE.search(log), "TensorFlow's lines were not kept in startup_log()"


def test_a_lessons_setup_cell_shows_a_status_and_one_line(tmp_path):
    """In a notebook kernel TensorFlow's C++ lines reach the cell as red stderr; the setup
    cell shows only the device line (the kit is installed here, so nothing is installed)."""
    import nbformat
    from nbclient import NotebookClient

    from tests.kernel_env import kernel_environment

    lesson = Path(__file__).resolve().parent.parent / "lessons" / "01_characters.ipynb"
    setup = nbformat.read(lesson, as_version=4).cells[1].source
    # what the setup cell promises, asked of the kernel it ran in: TensorFlow's log level
    # set, and the same random numbers on every run (the seed set after Keras imports)
    # (numpy's and Python's generators: what set_random_seed seeds in every Keras 3)
    probe = ('import os, random\n'
             'first = (np.random.rand(3).tolist(), random.random())\n'
             'keras.utils.set_random_seed(0)\n'
             'again = (np.random.rand(3).tolist(), random.random())\n'
             'print(os.environ["TF_CPP_MIN_LOG_LEVEL"], first == again)')
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(setup),
                                         nbformat.v4.new_code_cell(probe)])
    env = kernel_environment()
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)  # a learner's kernel starts without it
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
    assert [o.text for o in nb.cells[1].outputs] == ["2 True\n"], nb.cells[1].outputs
    outputs = nb.cells[0].outputs
    # a status line while TensorFlow starts, then the device line; no stderr at all
    assert [o.get("name", o.output_type) for o in outputs] == ["display_data", "stdout"], outputs
    assert outputs[0].data["text/plain"].startswith("starting TensorFlow: done in "), outputs
    assert outputs[1].text.startswith("TensorFlow "), outputs


def test_another_keras_backend_is_refused_in_one_sentence(monkeypatch):
    import keras

    from rnnlab import settings

    settings.check_keras_backend()  # this process runs on TensorFlow: nothing to say
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(RuntimeError, match="needs Keras's TensorFlow backend, but this "
                                           "kernel's Keras runs on 'jax'.*setup cell"):
        settings.start_tensorflow()
