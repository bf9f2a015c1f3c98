"""Vocabulary: the mapping between characters and integer ids."""

from __future__ import annotations

import json

import numpy as np

from rnnlab.errors import UnknownCharactersError


class Vocabulary:
    """Sorted unique characters of a text; id ``i`` is ``chars[i]``.

    >>> v = Vocabulary.from_text("hello")
    >>> v.chars, v.encode("hole").tolist(), v.decode([3, 1])
    ('ehlo', [1, 3, 2, 0], 'oh')
    """

    def __init__(self, chars: str):
        if not isinstance(chars, str) or not chars:
            raise ValueError(f"Vocabulary chars: expected a non-empty str, got {chars!r}")
        if "".join(sorted(set(chars))) != chars:
            raise ValueError(
                f"Vocabulary chars: expected sorted unique characters, got {chars!r}; "
                "use Vocabulary.from_text(text) to build one from any text"
            )
        self.chars = chars
        self._index = {ch: i for i, ch in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> "Vocabulary":
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and other.chars == self.chars

    def __hash__(self) -> int:
        return hash(self.chars)

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} chars: {self.chars!r})"

    def unknown(self, text: str) -> list[str]:
        """Characters of ``text`` that are not in the vocabulary, sorted."""
        return sorted(set(text) - self._index.keys())

    def encode(self, text: str) -> np.ndarray:
        """``text`` as an int32 array of ids, shape (len(text),)."""
        if not isinstance(text, str):
            raise TypeError(f"encode: expected a str, got {type(text).__name__}")
        missing = self.unknown(text)
        if missing:
            shown = ", ".join(repr(ch) for ch in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise UnknownCharactersError(
                f"text holds {len(missing)} character(s) not in the vocabulary: {shown}{more}. "
                f"The vocabulary has {len(self)} characters: {self.chars!r}",
                unknown=missing,
            )
        return np.fromiter((self._index[ch] for ch in text), dtype=np.int32, count=len(text))

    def decode(self, ids) -> str:
        """The characters of a sequence of ids."""
        ids = np.asarray(ids).reshape(-1)
        if ids.size and not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"decode: ids must be integers, got dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"decode: ids must lie in [0, {len(self) - 1}], got min {ids.min()}, "
                f"max {ids.max()}"
            )
        return "".join(self.chars[i] for i in ids.tolist())

    def to_json(self) -> str:
        return json.dumps({"chars": self.chars})

    @classmethod
    def from_json(cls, data: str | dict) -> "Vocabulary":
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict) or not isinstance(data.get("chars"), str):
            raise ValueError(f"Vocabulary.from_json: expected {{'chars': str}}, got {data!r:.80}")
        return cls(data["chars"])
