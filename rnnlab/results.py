"""Results of the long runs, checked in under ``rnnlab/results/`` as JSON.

Each file is ``{"meta": {...}, ...}`` where ``meta`` says how the file was made: the
``command`` that wrote it, the ``date``, the ``machine`` and the ``seconds`` it took.
The lessons read these files instead of rerunning an hour of training, and the tests
rerun one cheap point of each to check that the library still produces it.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from datetime import date
from importlib import resources
from pathlib import Path

from rnnlab.checkpoint import write_bytes_atomically

REQUIRED_META = ("command", "date", "machine", "seconds")


def path(name: str) -> Path:
    """Where the checked-in result ``name`` (e.g. "memory_sweep") lives."""
    return Path(str(resources.files("rnnlab") / "results" / f"{name}.json"))


def command_line() -> str:
    """The command that is running, as a person would retype it from the repository
    root: ``python tools/context_use.py --windows 50``."""
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(Path.cwd())
    except ValueError:
        pass  # run from elsewhere: keep the path as given
    return " ".join(["python", script.as_posix(), *map(shlex.quote, sys.argv[1:])])


def provenance(seconds: float, command: str | None = None) -> dict:
    """The ``meta`` fields every result file carries; ``command`` defaults to the running
    one (``command_line()``)."""
    return {"command": command or command_line(), "date": date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, "
                       f"Python {platform.python_version()}",
            "seconds": round(float(seconds), 1)}


def load(name_or_path, required: tuple[str, ...] = ()) -> dict:
    """A result file, checked: a JSON object whose ``meta`` has ``REQUIRED_META``.

    ``required`` names further top-level keys the caller needs. A missing or malformed
    file raises an error that names it and what was expected.
    """
    file = Path(name_or_path) if os.sep in str(name_or_path) or str(name_or_path).endswith(
        ".json") else path(str(name_or_path))
    if not file.is_file():
        raise FileNotFoundError(f"result file {file} is missing: the Makefile target named in "
                                "rnnlab/results/README.md makes it")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"result file {file} is not JSON: {exc}") from exc
    meta = data.get("meta") if isinstance(data, dict) else None
    missing = [key for key in REQUIRED_META if not isinstance(meta, dict) or key not in meta]
    missing += [key for key in required if key not in data]
    if missing:
        raise ValueError(f"result file {file}: expected {{'meta': {{{', '.join(REQUIRED_META)}}}"
                         f"{''.join(', ' + repr(k) for k in required)}}}; missing {missing}")
    return data


def write(file, data: dict) -> Path:
    """Write ``data`` as indented JSON, atomically (a crash leaves the old file whole)."""
    text = json.dumps(data, indent=1, allow_nan=False) + "\n"
    return write_bytes_atomically(file, text.encode("utf-8"))
