"""The shipped models: one registry of what each is and how it is made.

``SHIPPED`` names each model once: its recurrent layer, its width and the Makefile target
that makes it. ``rnn`` and ``lstm`` (``make pretrained``) have 256 units each;
``rnn-matched`` (``make pretrained-matched``) is a vanilla RNN with as many parameters as
the LSTM (``models.param_matched_config``: 522 units), for the question "is the LSTM better
only because it is bigger?". All three train on ``recipe()``: the same 80M characters in
the same two phases (``python -m rnnlab ship NAME`` runs them).

Each has two files in ``rnnlab/weights/``: ``<name>.npz`` (weights and metadata: the
command that trained it, corpus sha256, budget, held-out loss) and
``<name>.history.json`` (every evaluation record of that run, so a lesson can draw the
whole learning curve without retraining).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rnnlab import models
from rnnlab.errors import PretrainedNotAvailableError
from rnnlab.history import History
from rnnlab.training import TrainConfig


@dataclass(frozen=True)
class Shipped:
    """One shipped model: its name (the file stem and the key everywhere), its recurrent
    layer, its width, and the Makefile target that trains it."""

    name: str
    kind: str
    num_hiddens: int
    make_target: str

    @property
    def label(self) -> str:
        """How figures and tables call it: "RNN-256", "LSTM-256", "RNN-522"."""
        return models.width_label(self.kind, self.num_hiddens)

    def model_config(self) -> models.ModelConfig:
        return models.ModelConfig(num_hiddens=self.num_hiddens)


MATCHED = "rnn-matched"
SHIPPED = {s.name: s for s in (
    Shipped("rnn", "rnn", 256, "pretrained"),
    Shipped("lstm", "lstm", 256, "pretrained"),
    # models.param_matched_config("rnn", 84, "lstm") for the default corpus (a test checks)
    Shipped(MATCHED, "rnn", 522, "pretrained-matched"),
)}
KINDS = models.KINDS  # the pair the lessons compare: the shipped "rnn" and "lstm"
NAMES = {name: s.kind for name, s in SHIPPED.items()}  # name -> its recurrent layer
LABELS = {name: s.label for name, s in SHIPPED.items()}  # name -> "RNN-256", ...

# The shipped recipe, in two phases on the same settings: a cosine schedule over 60M
# characters, then the same run extended to 80M (``extend=True`` re-plans the decay from
# the rate reached). Training reads all text before the held-out tail and records on the
# tail (validation_fraction=0), as the first shipped models did. The shipped weights were
# made when an extension stretched the whole decay to 80M (the rate jumped back up from
# 0.1x to 0.23x), so ``ship`` now gives close, not identical, weights.
RECIPE = TrainConfig(batch_size=128, num_steps=100, schedule="cosine", learning_rate=2e-3,
                     global_clipnorm=1.0, eval_every=100, validation_fraction=0.0,
                     max_chars=60_000_000)
PHASE_CHARS = (60_000_000, 80_000_000)


def recipe() -> list[TrainConfig]:
    """The recipe's phases, in order: the second resumes the first with extend=True."""
    return [dataclasses.replace(RECIPE, max_chars=chars) for chars in PHASE_CHARS]


def weights_dir() -> Path:
    return Path(str(resources.files("rnnlab") / "weights"))


def _path(name: str, suffix: str) -> Path:
    if name not in SHIPPED:
        raise ValueError(f"pretrained model: expected one of {tuple(SHIPPED)}, got {name!r}")
    path = weights_dir() / f"{name}{suffix}"
    if not path.is_file():
        raise PretrainedNotAvailableError(
            f"pretrained {name!r} model: {path} is missing from this install. "
            f"In a checkout, `make {SHIPPED[name].make_target}` trains and writes it."
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
