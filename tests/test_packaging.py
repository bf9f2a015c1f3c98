"""The project's own files install everything, and agree with each other."""

import importlib.metadata
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.stacks import normalise, read_pins

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
# Each tested stack: its file and the Python it runs on.
STACKS = {"constraints.txt": "3.11", "stacks/colab.txt": "3.13", "stacks/py310-low.txt": "3.10"}


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def declared():
    """Every requirement the project lists: the library's, then the test and dev extras."""
    project = pyproject()["project"]
    extras = project["optional-dependencies"]
    return project["dependencies"] + extras["test"] + [
        r for r in extras["dev"] if not r.startswith("rnnlab[")]


def library_requirements(python: str) -> dict[str, Requirement]:
    """The library's requirements that apply on ``python`` ("3.10"), by name."""
    applying = {}
    for text in pyproject()["project"]["dependencies"]:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"python_version": python}):
            assert req.name not in applying, f"two ranges of {req.name} apply on {python}"
            applying[req.name] = req
    return applying


def test_environment_yml_installs_the_one_list_pyproject_declares():
    """environment.yml names no requirement of its own: conda's pip installs the kit with
    its dev extra, so the two files cannot disagree."""
    text = (ROOT / "environment.yml").read_text()
    pip_lines = [line.strip() for line in text.splitlines() if line.strip().startswith('- "')]
    assert pip_lines == ['- "--editable .[dev]"']
    assert "python=3.11" in text and "conda-forge" in text


def test_the_version_is_written_once():
    import rnnlab

    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()
    # the installed kit reports the version __init__ holds
    assert importlib.metadata.version("rnnlab") == rnnlab.__version__


@pytest.mark.parametrize("python", ["3.10", "3.11", "3.12", "3.13"])
def test_one_range_of_each_dependency_per_python(python):
    applying = library_requirements(python)
    assert set(applying) == {"tensorflow", "keras", "numpy", "ipywidgets", "plotly",
                             "anywidget"}
    tensorflow = applying["tensorflow"].specifier
    assert not tensorflow.contains("2.15.0")  # the Keras 2 releases
    assert tensorflow.contains("2.21.0")
    # no wheels of TensorFlow < 2.20 or numpy < 2.1 exist for Python 3.13
    assert tensorflow.contains("2.16.1") == (python != "3.13")
    assert applying["numpy"].specifier.contains("1.26.0") == (python != "3.13")
    assert applying["ipywidgets"].specifier.contains("7.7.1")  # what Colab ships
    assert not applying["ipywidgets"].specifier.contains("9.0.0")


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_pins_every_library_dependency_inside_its_range(stack):
    pinned = read_pins(ROOT / stack)
    for name, req in library_requirements(STACKS[stack]).items():
        assert normalise(name) in pinned, f"{name} is not pinned in {stack}"
        assert req.specifier.contains(pinned[normalise(name)]), (stack, str(req))


def test_every_floor_is_tested_by_the_low_stack():
    """A floor nobody tests is a promise nobody keeps: below Python 3.13 (whose floors
    follow its wheels, tested by Colab's stack), each floor is what py310-low.txt pins."""
    low = read_pins(ROOT / "stacks" / "py310-low.txt")
    for name, req in library_requirements("3.10").items():
        floors = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert floors == [Version(low[normalise(name)])], (name, str(req.specifier))


def test_constraints_pin_the_dev_tools_too():
    pinned = read_pins(ROOT / "constraints.txt")
    for text in declared():
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"python_version": "3.11"}):
            name = normalise(req.name)
            assert name in pinned, f"{req.name} is not pinned in constraints.txt"
            assert req.specifier.contains(pinned[name]), (req, pinned[name])


def test_colab_stack_header_says_what_it_pins():
    """The header lists Colab's versions of the packages that matter; they must be the
    pins below it, and its Python the one the stack is tested on."""
    import re

    text = (ROOT / "stacks" / "colab.txt").read_text()
    header = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    listed = dict(re.findall(r"([A-Za-z_]+) (\d+\.\d+(?:\.\d+)?)", header))
    pins = read_pins(ROOT / "stacks" / "colab.txt")
    assert listed.pop("Python") == STACKS["stacks/colab.txt"]
    assert len(listed) >= 10
    for name, version in listed.items():
        assert Version(pins[normalise(name)]) == Version(version), (name, version)


def test_widgets_folder_is_the_rnnlab_widgets_package():
    import rnnlab.widgets

    assert Path(rnnlab.widgets.__file__).resolve().parent == ROOT / "widgets"
    config = pyproject()["tool"]["setuptools"]
    assert config["package-dir"]["rnnlab.widgets"] == "widgets"


def test_no_corpus_text_or_training_state_is_tracked():
    """What git tracks, not what .gitignore hopes: no cached corpus, training state,
    environment or test output is in the repository."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an sdist): nothing is tracked")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert len(tracked) > 50, "git ls-files listed too little to be this repository"
    for prefix in ("data/cache/", "checkpoints/", ".venv", "test-artifacts/", "build/"):
        assert not [p for p in tracked if p.startswith(prefix)], f"{prefix} is tracked"
    assert not [p for p in tracked if p.endswith(".txt") and "shakespeare" in p.lower()]
    # and a fresh run cannot add them by accident
    ignored = (ROOT / ".gitignore").read_text()
    assert "data/cache/" in ignored and "checkpoints/" in ignored
