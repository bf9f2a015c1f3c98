"""Training history: the list of evaluation records a training run produces."""

from __future__ import annotations

import json
import math

import numpy as np

# The fields every record has (training may add more).
RECORD_FIELDS = ("step", "chars_seen", "seconds", "train_nats", "val_nats", "val_bpc")


class History(list):
    """A list of record dicts, oldest first, plus ``meta`` about the run.

    Each record has at least ``step``, ``chars_seen``, ``seconds``, ``train_nats``,
    ``val_nats`` and ``val_bpc`` (losses are per character: nats = natural log, bpc =
    bits per character = nats / ln 2).
    """

    def __init__(self, records=(), meta: dict | None = None):
        super().__init__(records)
        self.meta = dict(meta or {})

    def column(self, key: str) -> np.ndarray:
        """One field of every record as a float array (NaN where a record lacks it)."""
        return np.array([float(r.get(key, math.nan)) for r in self], dtype=float)

    @property
    def final(self) -> dict | None:
        return self[-1] if self else None

    def to_json(self, indent: int | None = None) -> str:
        return json.dumps({"meta": self.meta, "records": list(self)}, indent=indent)

    @classmethod
    def from_json(cls, data: str | dict) -> "History":
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict) or not isinstance(data.get("records"), list):
            raise ValueError("History.from_json: expected {'meta': {...}, 'records': [...]}")
        for i, record in enumerate(data["records"]):
            missing = [k for k in RECORD_FIELDS if k not in record]
            if missing:
                raise ValueError(f"History.from_json: record {i} lacks {', '.join(missing)}")
        return cls(data["records"], data.get("meta"))

    def __repr__(self) -> str:
        if not self:
            return "History([])"
        last = self[-1]
        return (
            f"History({len(self)} records; last: step {last['step']}, "
            f"{last['chars_seen']:,} chars, val {last['val_nats']:.3f} nats/char)"
        )
