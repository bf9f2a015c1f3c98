import numpy as np
import pytest

from rnnlab.errors import UnknownCharactersError
from rnnlab.vocab import Vocabulary


def test_chars_are_sorted_unique_and_round_trip():
    v = Vocabulary.from_text("hello, world")
    assert v.chars == " ,dehlorw"
    ids = v.encode("hello, world")
    assert ids.dtype == np.int32 and ids.shape == (12,)
    assert v.decode(ids) == "hello, world"
    assert len(v) == 9


def test_equality_and_json_round_trip():
    v = Vocabulary.from_text("abcabc\n")
    assert v == Vocabulary.from_json(v.to_json())
    assert v != Vocabulary.from_text("abd")
    assert hash(v) == hash(Vocabulary("\nabc"))


def test_unknown_characters_are_named():
    v = Vocabulary.from_text("abc")
    with pytest.raises(UnknownCharactersError) as info:
        v.encode("abxyzx")
    assert "'x'" in str(info.value) and "'y'" in str(info.value) and "'z'" in str(info.value)
    assert info.value.unknown == ("x", "y", "z")


def test_unsorted_chars_and_bad_ids_are_rejected():
    with pytest.raises(ValueError, match="sorted unique"):
        Vocabulary("ba")
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        Vocabulary("abc").decode([0, 3])
    with pytest.raises(ValueError, match="from_json"):
        Vocabulary.from_json('{"letters": "abc"}')
