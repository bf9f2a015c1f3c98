"""What a training checkpoint holds, and how a resume is checked against it.

A training checkpoint (``train(..., checkpoint=path)``) holds the weights, the optimizer's
state, the random generators' state (dropout's masks), for a carried run the streams'
recurrent state, and in its metadata the run itself: the model and the corpus, every
training setting (the batches, the character count, the schedule and the split), the
step, characters and seconds reached, and the history. A resume continues that run
exactly, or is refused with one line that names what differs; nothing a resume reads is
trusted before it is checked, the way ``models.load`` checks weights.

Only the budget may change on a resume, and only when asked (``extend=True``): the run
then goes on to the new budget, and a cosine schedule is re-planned from the rate it has
reached, without a jump. The first plan and every extension stay in the record.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab import checkpoint as ckpt
from rnnlab import checks
from rnnlab.errors import ArgumentError, CheckpointError, CheckpointMismatchError
from rnnlab.history import RECORD_FIELDS, History

# meta["role"] of a training checkpoint; an exported model (CharModel.save) has "model".
# One file, one role: an export is never resumed, a checkpoint never shipped as a model.
ROLE = "training-checkpoint"

# A cosine schedule decays the learning rate to this share of its peak.
COSINE_FLOOR = 0.1

# A step count beyond any real run: a checkpoint claiming more is refused.
MAX_STEP = 10**12


@dataclass
class Start:
    """Where a run starts: from nothing, or from a checkpoint's last record."""

    history: History
    step: int = 0
    seconds: float = 0.0
    # cosine schedule: [[first_step, end_step, rate_at_first, rate_at_end], ...]
    phases: list = field(default_factory=list)
    path: Path | None = None  # the checkpoint the arrays are read from (None: fresh)


def model_record(model, corpus) -> dict:
    """What a resume must find unchanged about the model and its text."""
    return {"kind": model.kind, "vocab": model.vocab.chars, "config": model.config.to_dict(),
            "corpus_sha256": corpus.sha256}


def settings_record(config) -> dict:
    """Every training setting, as a checkpoint records it."""
    return dataclasses.asdict(config)


def rate_at(phases: list, step: int) -> float:
    """The learning rate a cosine plan gives at ``step`` (plain Python; the Keras
    schedule in ``training`` computes the same)."""
    rate = phases[0][2]
    for first, end, high, low in phases:
        if step >= first:
            done = min(max((step - first) / max(end - first, 1), 0.0), 1.0)
            rate = low + (high - low) * 0.5 * (1 + math.cos(math.pi * done))
    return rate


def plan(config, step: int = 0, phases: list | None = None) -> list:
    """The cosine plan for ``config``'s budget: one phase from the peak rate down to the
    floor; or, extending a run at ``step``, the old phases and one more from the rate
    reached there down to the floor at the new end. Empty for a constant rate."""
    if config.schedule != "cosine":
        return []
    end, floor = config.total_steps, COSINE_FLOOR * config.learning_rate
    if not phases:
        return [[0, end, config.learning_rate, floor]]
    if end == phases[-1][1]:
        return phases
    return phases + [[step, end, rate_at(phases, step), floor]]


def checkpoint_meta(model, corpus, config, *, step: int, seconds: float, phases: list,
                    history: History) -> dict:
    """The metadata a training checkpoint is written with."""
    return {
        **model.meta,
        "model": model.describe(),
        "role": ROLE,
        "training": {"step": step, "chars_seen": step * config.chars_per_step,
                     "seconds": seconds, "settings": settings_record(config),
                     "run": model_record(model, corpus), "phases": phases},
        "history": list(history),
        "history_meta": history.meta,
    }


def _refuse(path: Path, what: str) -> CheckpointError:
    return CheckpointError(f"checkpoint {str(path)!r}: {what}")


def _number(path: Path, name: str, value, check, *bounds):
    try:
        return check(name, value, *bounds)
    except ArgumentError as exc:
        raise _refuse(path, f"its training record is damaged: {exc}") from None


def _checked_history(path: Path, records, meta) -> History:
    if not isinstance(records, list) or not isinstance(meta, dict):
        raise _refuse(path, "its history is damaged: expected a list of records and a dict")
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            raise _refuse(path, f"its history is damaged: record {i} is not a dict")
        for key in RECORD_FIELDS:
            value = record.get(key)
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                raise _refuse(path, f"its history is damaged: record {i} has {key}={value!r}")
    return History(records, meta)


def _checked_phases(path: Path, phases) -> list:
    ok = isinstance(phases, list) and all(
        isinstance(p, list) and len(p) == 4
        and all(isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in p)
        and 0 <= p[0] <= p[1] <= MAX_STEP and p[2] > 0 and p[3] > 0
        for p in phases)
    if not ok or [p[0] for p in phases] != sorted(p[0] for p in phases):
        raise _refuse(path, f"its schedule plan is damaged: {phases!r}")
    return [[int(p[0]), int(p[1]), float(p[2]), float(p[3])] for p in phases]


def _differences(recorded: dict, asked: dict, names) -> list[str]:
    return [f"{name}={recorded.get(name)!r}, this run asks for {name}={asked.get(name)!r}"
            for name in names if recorded.get(name) != asked.get(name)]


def read_start(model, corpus, config, path: Path | None, *, resume: bool,
               extend: bool = False) -> Start:
    """The checked state a run starts from: fresh without ``resume`` or a checkpoint;
    else the checkpoint's, after refusing one that another role wrote, that is damaged,
    or whose model, corpus or settings differ from this run's (the budget may grow with
    ``extend``). The arrays are read later, by ``read_arrays``, once their shapes are
    known."""
    if not (resume and path is not None and path.exists()):
        return Start(History(meta={}), phases=plan(config))
    meta = ckpt.read_meta(path)
    if meta.get("role") != ROLE:
        if meta.get("role") == "model" or "training" not in meta:
            raise CheckpointMismatchError(
                f"checkpoint {str(path)!r} is an exported model (weights only, no training "
                "state): it cannot be resumed. Load it with models.load, or train into "
                "another checkpoint file")
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} was written by an older rnnlab that did not record "
            "its run's settings, so a resume could not be checked against them: start a "
            "new checkpoint (overwrite=True, or --restart); its weights still load with "
            "models.load")
    training = meta.get("training")
    if not isinstance(training, dict) or not isinstance(training.get("settings"), dict) \
            or not isinstance(training.get("run"), dict):
        raise _refuse(path, "its training record is damaged (no settings)")
    step = _number(path, "step", training.get("step"), checks.whole, 0, MAX_STEP)
    seconds = _number(path, "seconds", training.get("seconds"), checks.non_negative)

    asked_run, recorded_run = model_record(model, corpus), training["run"]
    for problem in _differences(recorded_run, asked_run, ("kind", "vocab", "corpus_sha256")):
        raise CheckpointMismatchError(f"checkpoint {str(path)!r} was trained with {problem}: "
                                      "resume it on the same model and corpus")
    recorded_config = recorded_run.get("config")
    if not isinstance(recorded_config, dict):
        raise _refuse(path, "its training record is damaged (no model config)")
    # all but the initialisers' seed, which a resume overrides with the saved weights
    shape = [name for name in asked_run["config"] if name != "seed"]
    for problem in _differences(recorded_config, asked_run["config"], shape):
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} holds a model built with {problem}: build the model "
            "with the recorded config to resume it")

    recorded, asked = training["settings"], settings_record(config)
    budget_fields = list(config.budget())
    fixed = [name for name in asked if name not in budget_fields]
    for problem in _differences(recorded, asked, fixed):
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} was trained with {problem}: resume it with the "
            "recorded settings, or train a new checkpoint (overwrite=True, or --restart)")
    phases = _checked_phases(path, training.get("phases", []))
    history = _checked_history(path, meta.get("history"), meta.get("history_meta"))
    budget_changes = _differences(recorded, asked, budget_fields)
    if budget_changes and not extend:
        raise CheckpointMismatchError(
            f"checkpoint {str(path)!r} was planned for {budget_changes[0]}: pass "
            "extend=True (--extend) to go on to the new budget, re-planning the schedule "
            "from where the run is, or give the recorded budget")
    if budget_changes:
        total = config.total_steps
        if total is not None and total < step:
            raise CheckpointMismatchError(
                f"checkpoint {str(path)!r} is at step {step:,}, past the new budget's "
                f"{total:,} steps: an extension can only go further")
        phases = plan(config, step, phases)
        history.meta.setdefault("extensions", []).append(
            {"at_step": step, "budget": config.budget()})
    return Start(history, step=step, seconds=seconds, phases=phases, path=path)


def read_arrays(start: Start, expected: dict[str, tuple], integers=()) -> dict:
    """The arrays of ``start``'s checkpoint that this run uses (weights, optimizer,
    random and carried state), each checked against ``expected`` (name -> shape) before
    it is inflated; nothing else in the file is read. Empty for a fresh start."""
    if start.path is None:
        return {}
    arrays, _ = ckpt.read(start.path, expected=expected, integers=tuple(integers))
    return arrays
