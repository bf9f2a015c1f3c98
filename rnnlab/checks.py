"""Argument checks shared by the library and the command line.

Each check takes the argument's name and value, returns the value in the type the
code wants, and otherwise raises an ArgumentError (a ValueError) that names the
argument, says what was expected and shows what came: ``num_steps: expected a whole
number >= 1, got 0``.
The command line wraps the same checks as argparse types (``rnnlab.cli``), so a
mistake reads the same in a notebook and in a terminal.
"""

from __future__ import annotations

import math

import numpy as np

from rnnlab.errors import ArgumentError, VocabularyMismatchError

__all__ = ["whole", "positive", "non_negative", "fraction", "ids", "text_or_ids"]


def _is_number(value) -> bool:
    # bool is an int to Python, but True as a step count is always a slip
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def whole(name: str, value, minimum: int = 1, maximum: int | None = None, *,
          optional: bool = False) -> int | None:
    """``value`` as an int from ``minimum`` to ``maximum`` (inclusive; no upper bound by
    default). 3.0 passes as 3; 2.5, True and "3" do not. None passes when ``optional``.

    >>> whole("num_steps", 100)
    100
    >>> whole("num_steps", 0)
    Traceback (most recent call last):
    ...
    rnnlab.errors.ArgumentError: num_steps: expected a whole number >= 1, got 0
    """
    if value is None and optional:
        return None
    ok = _is_number(value) and (isinstance(value, (int, np.integer))
                                or (math.isfinite(value) and float(value).is_integer()))
    if ok and minimum <= value and (maximum is None or value <= maximum):
        return int(value)
    expected = (f"a whole number from {minimum:,} to {maximum:,}" if maximum is not None
                else f"a whole number >= {minimum}")
    raise ArgumentError(name, expected, value)


def positive(name: str, value, *, optional: bool = False) -> float | None:
    """``value`` as a finite float > 0 (learning rates, minutes, clip norms). None passes
    when ``optional``.

    >>> positive("learning_rate", float("nan"))
    Traceback (most recent call last):
    ...
    rnnlab.errors.ArgumentError: learning_rate: expected a finite number > 0, got nan
    """
    if value is None and optional:
        return None
    if _is_number(value) and math.isfinite(float(value)) and value > 0:
        return float(value)
    raise ArgumentError(name, "a finite number > 0", value)


def fraction(name: str, value, *, allow_zero: bool = False) -> float:
    """``value`` as a float strictly between 0 and 1 (a share of the text, say); with
    ``allow_zero``, 0 too (a share that may be empty: a dropout rate)."""
    if _is_number(value) and (0 < value < 1 or (allow_zero and value == 0)):
        return float(value)
    raise ArgumentError(name, "a number from 0 (included) to 1 (excluded)" if allow_zero
                        else "a number between 0 and 1 (both excluded)", value)


def non_negative(name: str, value) -> float:
    """``value`` as a finite float >= 0 (a temperature: 0 means greedy).

    >>> non_negative("temperature", -1)
    Traceback (most recent call last):
    ...
    rnnlab.errors.ArgumentError: temperature: expected a finite number >= 0, got -1
    """
    if _is_number(value) and math.isfinite(float(value)) and value >= 0:
        return float(value)
    raise ArgumentError(name, "a finite number >= 0", value)


def ids(name: str, value, *, ndim: int = 1, vocab_size: int | None = None,
        min_length: int = 0) -> np.ndarray:
    """``value`` as an int32 array of character ids with ``ndim`` axes, the last one at
    least ``min_length`` long; with ``vocab_size``, every id from 0 to vocab_size - 1
    (VocabularyMismatchError otherwise: such ids were encoded with another vocabulary).

    >>> ids("ids", [3, 1, 2]).dtype
    dtype('int32')
    >>> ids("ids", [0, 90], vocab_size=84)
    Traceback (most recent call last):
    ...
    rnnlab.errors.VocabularyMismatchError: ids: expected ids from 0 to 83, got 0 to 90
    """
    array = np.asarray(value)
    if (array.ndim != ndim or (array.size and not np.issubdtype(array.dtype, np.integer))
            or array.shape[-1] < min_length):
        shape = ", ".join(["n"] * (ndim - 1) + ["length"])
        least = f" with length >= {min_length}" if min_length else ""
        raise ValueError(f"{name}: expected int ids of shape ({shape}){least}, got "
                         f"{array.dtype} of shape {array.shape}")
    if vocab_size is not None and array.size and (array.min() < 0
                                                  or array.max() >= vocab_size):
        raise VocabularyMismatchError(f"{name}: expected ids from 0 to {vocab_size - 1}, "
                                      f"got {int(array.min())} to {int(array.max())}")
    return array.astype(np.int32)


def text_or_ids(name: str, value, vocab) -> tuple[str, np.ndarray]:
    """(text, ids) from either a str (encoded with ``vocab``, which names any character it
    lacks) or a 1-D array of ids (decoded with it)."""
    if isinstance(value, str):
        return value, vocab.encode(value)
    found = ids(name, value, vocab_size=len(vocab))
    return vocab.decode(found), found
