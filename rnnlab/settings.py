"""Settings read from the environment."""

import os


def quick() -> bool:
    """True under ``RNNLAB_QUICK=1`` (set by ``make test``): live training budgets shrink,
    code paths stay the same."""
    return os.environ.get("RNNLAB_QUICK", "").strip() not in ("", "0", "false", "no")
