"""The project's own files install everything, and agree with each other."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def declared():
    project = pyproject()["project"]
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def test_environment_yml_lists_what_pyproject_declares():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.startswith("python=3.1")
    requirements = [line for line in pip_section if not line.startswith("-")]
    assert sorted(requirements) == sorted(declared())
    assert "--editable ." in pip_section


def test_tensorflow_not_tensorflow_cpu_and_keras_3():
    names = {Requirement(r).name: Requirement(r) for r in declared()}
    assert "tensorflow" in names and "tensorflow-cpu" not in names
    assert names["tensorflow"].specifier.contains("2.16.0")
    assert not names["tensorflow"].specifier.contains("2.15.0")  # Keras 2 releases
    assert names["ipywidgets"].specifier.contains("8.1.0")
    assert not names["ipywidgets"].specifier.contains("7.8.0")


def test_constraints_pin_every_direct_dependency_inside_its_range():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            req = Requirement(line)
            pins[req.name.lower()] = next(iter(req.specifier)).version
    for text in declared():
        req = Requirement(text)
        assert req.name.lower() in pins, f"{req.name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[req.name.lower()]), (req, pins[req.name.lower()])


def test_widgets_folder_is_the_rnnlab_widgets_package():
    import rnnlab.widgets

    assert Path(rnnlab.widgets.__file__).resolve().parent == ROOT / "widgets"
    assert rnnlab.widgets.__doc__
    config = pyproject()["tool"]["setuptools"]
    assert config["package-dir"]["rnnlab.widgets"] == "widgets"


def test_no_corpus_text_or_training_state_is_tracked():
    ignored = (ROOT / ".gitignore").read_text()
    assert "data/cache/" in ignored and "checkpoints/" in ignored
