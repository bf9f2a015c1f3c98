"""CONTRIBUTING.md's API block names what the library has: a renamed function fails here."""

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def api_block() -> dict[str, list[str]]:
    """{module: [names]} from the ```python block of CONTRIBUTING.md: each "# rnnlab.x"
    header opens a module; a name is a word that starts a line or follows "; " or ", " and
    is followed by "(" or " =" (a call or a constant, not an attribute)."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("```python", 1)[1].split("```", 1)[0]
    found: dict[str, list[str]] = {}
    module = None
    for line in block.splitlines():
        header = re.match(r"# (rnnlab(?:\.\w+)*)", line)
        if header:
            module = header.group(1)
            found[module] = []
            continue
        code = line.split("#", 1)[0]
        for name in re.findall(r"(?:^|; |, )([A-Za-z_]\w*)(?=\(| =)", code.strip()):
            found[module].append(name)
    return found


def test_every_name_in_the_api_block_exists():
    found = api_block()
    assert len(found) >= 9 and sum(map(len, found.values())) >= 40, found
    missing = []
    for module, names in found.items():
        imported = importlib.import_module(module)
        missing += [f"{module}.{name}" for name in names if not hasattr(imported, name)]
    assert missing == [], f"CONTRIBUTING.md names what the library lacks: {missing}"


def test_the_library_docstring_examples_run():
    """Every ``>>>`` example in the library's docstrings gives what it shows."""
    import doctest
    import pkgutil

    import rnnlab

    attempted = 0
    for info in pkgutil.iter_modules(rnnlab.__path__):
        if info.name == "__main__":
            continue  # importing it would run the command line
        module = importlib.import_module(f"rnnlab.{info.name}")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, f"rnnlab.{info.name}: {result.failed} example(s) failed"
        attempted += result.attempted
    assert attempted >= 2  # the examples exist (rnnlab.vocab's, at least)
