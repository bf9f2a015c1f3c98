"""The shipped models, trained on the default corpus by the Makefile.

``rnn`` and ``lstm`` (``make pretrained``) have 256 units each; ``rnn-matched``
(``make pretrained-matched``) is a vanilla RNN with 522 units, as many parameters as the
LSTM (``models.param_matched_config``), for the question "is the LSTM better only
because it is bigger?". All three saw the same 80M characters in the same two phases.

Each has two files in ``rnnlab/weights/``: ``<name>.npz`` (weights and metadata: the
command that trained it, corpus sha256, budget, held-out loss) and
``<name>.history.json`` (every evaluation record of that run, so a lesson can draw the
whole learning curve without retraining).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rnnlab import models
from rnnlab.errors import PretrainedNotAvailableError
from rnnlab.history import History

KINDS = models.KINDS
MATCHED = "rnn-matched"
# name -> the kind of its recurrent layer
NAMES = {"rnn": "rnn", "lstm": "lstm", MATCHED: "rnn"}
# name -> how figures and tables call it: kind and width
LABELS = {"rnn": "RNN-256", "lstm": "LSTM-256", MATCHED: "RNN-522"}
MAKE_TARGET = {"rnn": "pretrained", "lstm": "pretrained", MATCHED: "pretrained-matched"}


def weights_dir() -> Path:
    return Path(str(resources.files("rnnlab") / "weights"))


def _path(name: str, suffix: str) -> Path:
    if name not in NAMES:
        raise ValueError(f"pretrained model: expected one of {tuple(NAMES)}, got {name!r}")
    path = weights_dir() / f"{name}{suffix}"
    if not path.is_file():
        raise PretrainedNotAvailableError(
            f"pretrained {name!r} model: {path} is missing from this install. "
            f"In a checkout, `make {MAKE_TARGET[name]}` trains and writes it."
        )
    return path


def path(name: str) -> Path:
    """Where the shipped weights of ``name`` are."""
    return _path(name, ".npz")


def load(name: str) -> models.CharModel:
    """The shipped model ``name`` ("rnn", "lstm" or "rnn-matched"), a fresh copy per call."""
    return models.load(_path(name, ".npz"), kind=NAMES.get(name))


def pair() -> dict[str, models.CharModel]:
    """The two 256-unit models the lessons compare, {"rnn": ..., "lstm": ...}, fresh copies."""
    return {kind: load(kind) for kind in KINDS}


def every() -> dict[str, models.CharModel]:
    """All three shipped models, {"rnn": ..., "lstm": ..., "rnn-matched": ...}, fresh copies."""
    return {name: load(name) for name in NAMES}


def history(name: str) -> History:
    """The training curve recorded while the shipped model ``name`` was trained."""
    path = _path(name, ".history.json")
    try:
        return History.from_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"training history {path} is not a valid history file: {exc}") from exc
