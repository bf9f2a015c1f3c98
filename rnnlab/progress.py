"""A status line for a slow step run from a notebook cell: what runs now and how far it is.

A lesson cell that takes more than a few seconds says so while it runs: the library
function behind it opens a ``StatusLine`` and advances it. In a Jupyter kernel the line
is one output, updated in place (a display handle: JupyterLab, classic Notebook and
Colab all update it); anywhere else (a script, a test) it stays silent.
"""

from __future__ import annotations

import time

UPDATE_EVERY_S = 0.25  # often enough to look alive, rarely enough to cost nothing


def in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class StatusLine:
    """``with StatusLine("training", total=60) as status: ... status.step(i + 1)``.

    Shows "training: 12/60 ..." while it runs and "training: done in 4.2 s" at the end
    ("training: stopped after 1.3 s (ValueError)" if the block raised).
    """

    def __init__(self, what: str, total: int | None = None, enabled: bool | None = None):
        self.what = what
        self.total = total
        self.enabled = in_kernel() if enabled is None else enabled
        self._handle = None
        self._start = self._last = 0.0

    def __enter__(self) -> StatusLine:
        self._start = time.perf_counter()
        self._show(f"{self.what} ...")
        return self

    def step(self, done: int, note: str = "") -> None:
        """``done`` of ``total`` units finished; ``note`` adds a detail (a loss, say)."""
        now = time.perf_counter()
        if now - self._last < UPDATE_EVERY_S:
            return
        self._last = now
        where = f"{done}/{self.total}" if self.total else f"{done}"
        self._show(f"{self.what}: {where}{', ' + note if note else ''} "
                   f"({now - self._start:.0f} s) ...")

    def __exit__(self, kind, exc, tb) -> None:
        seconds = time.perf_counter() - self._start
        if kind is None:
            self._show(f"{self.what}: done in {seconds:.1f} s")
        else:
            self._show(f"{self.what}: stopped after {seconds:.1f} s ({kind.__name__})")

    def _show(self, text: str) -> None:
        if not self.enabled:
            return
        from IPython.display import display

        bundle = {"text/plain": text}
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
