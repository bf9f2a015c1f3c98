"""The argument checks every module and the command line share (rnnlab.checks)."""

import numpy as np
import pytest

from rnnlab import checks
from rnnlab.errors import VocabularyMismatchError
from rnnlab.vocab import Vocabulary


@pytest.mark.parametrize("value", [0, -3, 2.5, True, "3", None, float("nan"), float("inf")])
def test_whole_refuses_what_is_not_a_whole_number_in_range(value):
    with pytest.raises(ValueError, match=r"^batch_size: expected a whole number >= 1, got "):
        checks.whole("batch_size", value)


def test_whole_accepts_integral_numbers_and_returns_ints():
    assert checks.whole("n", np.int64(4)) == 4 and type(checks.whole("n", 3.0)) is int
    assert checks.whole("n", None, optional=True) is None
    assert checks.whole("seed", 0, minimum=0) == 0
    with pytest.raises(ValueError, match="from 0 to 10"):
        checks.whole("length", 11, 0, 10)


@pytest.mark.parametrize("value", [0, -1e-3, float("nan"), float("inf"), "0.1", False])
def test_positive_refuses_zero_negative_and_non_finite(value):
    with pytest.raises(ValueError, match=r"^learning_rate: expected a finite number > 0"):
        checks.positive("learning_rate", value)


def test_ids_names_shape_dtype_and_range():
    assert checks.ids("ids", [1, 2]).dtype == np.int32
    with pytest.raises(ValueError, match=r"ids: expected int ids of shape \(length\), got "
                                         r"float64 of shape \(2,\)"):
        checks.ids("ids", [1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(n, length\) with length >= 2"):
        checks.ids("windows", [[1], [2]], ndim=2, min_length=2)
    with pytest.raises(VocabularyMismatchError, match="expected ids from 0 to 3, got -1 to 2"):
        checks.ids("ids", [-1, 2], vocab_size=4)


def test_text_or_ids_round_trips_through_the_vocabulary():
    vocab = Vocabulary.from_text("abc")
    text, ids = checks.text_or_ids("text_or_ids", "cab", vocab)
    assert text == "cab" and list(ids) == [2, 0, 1]
    assert checks.text_or_ids("text_or_ids", ids, vocab)[0] == "cab"
    with pytest.raises(VocabularyMismatchError):
        checks.text_or_ids("text_or_ids", [0, 3], vocab)
