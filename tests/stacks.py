"""A tested stack (stacks/*.txt) and what pip installed: does this environment match it?

``python tests/stacks.py check [FILE]`` exits 1, naming each package, when one pinned in
FILE (default stacks/colab.txt) is missing or at another version here.
tools/test_stack.sh runs it after every install.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STACK_FILE = ROOT / "stacks" / "colab.txt"


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path = STACK_FILE) -> dict[str, str]:
    """{name: version} of every ``name==version`` line."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[normalise(name)] = version.strip()
    return pins


def installed(python: str = sys.executable) -> dict[str, str]:
    """{name: version} of what is installed for ``python`` (pip's own view)."""
    out = subprocess.run([python, "-m", "pip", "list", "--format=freeze",
                          "--disable-pip-version-check"],
                         capture_output=True, text=True, check=True).stdout
    return {normalise(n): v for n, v in (line.split("==") for line in out.splitlines())}


def changes(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple]:
    """{name: (old or None, new or None)} for every package added, removed or changed."""
    return {name: (before.get(name), after.get(name))
            for name in sorted(before.keys() | after.keys())
            if before.get(name) != after.get(name)}


def drift(pins: dict[str, str], now: dict[str, str]) -> dict[str, tuple]:
    """Pinned packages that are missing or at another version: {name: (pinned, now)}."""
    return {name: (version, now.get(name)) for name, version in pins.items()
            if now.get(name) != version}


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check" or len(argv) > 2:
        print(__doc__)
        return 2
    path = Path(argv[1]) if len(argv) == 2 else STACK_FILE
    pins = read_pins(path)
    moved = drift(pins, installed())
    for name, (pinned, now) in moved.items():
        print(f"{path.name}: {name} is {now or 'not installed'}, the stack pins {pinned}")
    if not moved:
        print(f"{path.name}: all {len(pins)} pinned packages installed at their versions")
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
