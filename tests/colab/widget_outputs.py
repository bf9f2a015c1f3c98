"""pytest plugin for the lessons run by ``make test-colab``: every widget a lesson shows
must reach Colab's custom widget manager.

Loaded with ``-p tests.colab.widget_outputs`` next to nbval, in kernels that load the
stand-in google.colab. nbval keeps each cell's outputs in ``item.test_outputs``; a cell
fails when an output carrying a widget view went out as ``execute_result`` or lacks the
custom-manager metadata that Colab's display hook adds. The run fails when a lesson that
imports rnnlab.widgets showed no widget at all; the counts go to test-artifacts/.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "colab-widget-outputs.json"
_counts: Counter = Counter()  # widget outputs per lesson


def problems_of(outputs) -> list[str]:
    problems = []
    for output in outputs:
        if WIDGET_VIEW not in output.get("data", {}):
            continue
        if output["output_type"] != "display_data":
            problems.append(f"a widget went out as {output['output_type']}, which Colab's "
                            "display hook never sees")
        manager = (output.get("metadata", {}).get(WIDGET_VIEW, {}).get("colab", {})
                   .get("custom_widget_manager", {}).get("url"))
        if not manager:
            problems.append("a widget output without Colab's custom-manager metadata")
    return problems


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    outputs = getattr(item, "test_outputs", None)
    if call.when != "call" or not outputs:
        return
    lesson = Path(str(item.fspath)).name
    _counts[lesson] += sum(WIDGET_VIEW in o.get("data", {}) for o in outputs)
    problems = problems_of(outputs)
    if problems and report.passed:
        report.outcome = "failed"
        report.longrepr = f"{item.name} of {lesson}: " + "; ".join(problems)


_lessons: dict[str, Path] = {}  # every lesson that ran, by name


def pytest_collection_modifyitems(items):
    for item in items:
        _lessons[Path(str(item.fspath)).name] = Path(str(item.fspath))


def silent_lessons() -> list[str]:
    """Lessons that use the views yet showed no widget: nothing of theirs was checked."""
    return [name for name, path in sorted(_lessons.items())
            if "rnnlab.widgets import" in path.read_text(encoding="utf-8")
            and not _counts[name]]


def pytest_sessionfinish(session, exitstatus):
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(dict(sorted(_counts.items())), indent=1) + "\n")
    if silent_lessons():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    total = sum(_counts.values())
    terminalreporter.write_line(
        f"widget outputs checked for Colab's custom-manager metadata: {total} "
        f"({', '.join(f'{k[:2]}: {v}' for k, v in sorted(_counts.items()))})")
    for name in silent_lessons():
        terminalreporter.write_line(f"FAILED: {name} imports rnnlab.widgets but showed no "
                                    "widget; nothing of it was checked")
