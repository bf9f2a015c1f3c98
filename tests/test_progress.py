"""StatusLine: one output line updated in place in a kernel, silent elsewhere."""

import pytest

from rnnlab import progress
from rnnlab.progress import StatusLine


class Handle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, bundle, raw):
        self.shown.append(("update", bundle["text/plain"]))


@pytest.fixture
def shown(monkeypatch):
    """What a kernel would show: the first display and each update, in order."""
    import IPython.display

    lines = []

    def display(bundle, raw, display_id):
        assert raw and display_id is True  # one output, updated in place
        lines.append(("display", bundle["text/plain"]))
        return Handle(lines)

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(progress, "UPDATE_EVERY_S", 0.0)
    return lines


def test_one_line_says_what_runs_and_how_far(shown):
    with StatusLine("SGD run", total=3, enabled=True) as status:
        for i in range(3):
            status.step(i + 1, f"loss {2.5 - i:.1f}")
    kinds = [kind for kind, _ in shown]
    assert kinds == ["display", "update", "update", "update", "update"]  # one output only
    assert shown[0][1] == "SGD run ..."
    assert shown[2][1].startswith("SGD run: 2/3, loss 1.5 (")
    assert shown[-1][1].startswith("SGD run: done in ") and shown[-1][1].endswith(" s")


def test_an_error_is_said_and_raised(shown):
    with pytest.raises(ValueError):
        with StatusLine("probe", enabled=True) as status:
            status.step(1)
            raise ValueError("bad")
    assert shown[1][1].startswith("probe: 1 (")  # no total: a count
    assert shown[-1][1].startswith("probe: stopped after ") and "(ValueError)" in shown[-1][1]


def test_updates_are_rate_limited(shown, monkeypatch):
    monkeypatch.setattr(progress, "UPDATE_EVERY_S", 60.0)
    with StatusLine("long", total=1000, enabled=True) as status:
        for i in range(1000):
            status.step(i + 1)
    assert len(shown) == 3  # the start, one step (the first), the end


def test_silent_outside_a_kernel(shown):
    with StatusLine("script") as status:  # pytest is no Jupyter kernel
        status.step(1)
    assert shown == []
