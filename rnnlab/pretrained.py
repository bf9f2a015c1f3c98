"""The shipped models: both kinds trained by ``make pretrained`` on the default corpus.

Each kind has two files in ``rnnlab/weights/``: ``<kind>.npz`` (weights and metadata:
the command that trained it, corpus sha256, budget, held-out loss) and
``<kind>.history.json`` (every evaluation record of that run, so a lesson can draw the
whole learning curve without retraining).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rnnlab import models
from rnnlab.errors import PretrainedNotAvailableError
from rnnlab.history import History

KINDS = models.KINDS


def weights_dir() -> Path:
    return Path(str(resources.files("rnnlab") / "weights"))


def _path(kind: str, suffix: str) -> Path:
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    path = weights_dir() / f"{kind}{suffix}"
    if not path.is_file():
        raise PretrainedNotAvailableError(
            f"pretrained {kind!r} model: {path} is missing from this install. "
            "In a checkout, `make pretrained` trains and writes it."
        )
    return path


def path(kind: str) -> Path:
    """Where the shipped weights of ``kind`` are."""
    return _path(kind, ".npz")


def load(kind: str) -> models.CharModel:
    """The shipped ``kind`` model ("rnn" or "lstm"), a fresh copy on every call."""
    return models.load(_path(kind, ".npz"), kind=kind)


def history(kind: str) -> History:
    """The training curve recorded while the shipped ``kind`` model was trained."""
    path = _path(kind, ".history.json")
    try:
        return History.from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"training history {path} is not a valid history file: {exc}") from exc
