"""A real JupyterLab in a real (headless) Chromium, for the lessons as a learner sees them.

The server runs on 127.0.0.1 on a free port with a token, over temporary copies of the
lessons (JupyterLab autosaves outputs into the files it has open), with RNNLAB_QUICK=1
passed to its kernels. It and its kernels are stopped by process group when the session
ends, whatever happened. Chromium is Debian's (/usr/bin/chromium): Playwright's own
browser download needs the internet. Without it these tests skip on a laptop and fail
under CI=true.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from urllib.parse import urlsplit
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.kernel_env import kernel_environment

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RNNLAB_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
TOKEN = "rnnlab-browser-test"
# tall enough that the tallest view (GateViewer) fits whole in a screenshot
VIEWPORT = {"width": 1400, "height": 1800}
# Nothing but the local server may answer: every other host name resolves to nowhere.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
HOW_TO_ENABLE = (
    "browser tests need Chromium at {path} and Playwright: on Debian or Ubuntu run "
    "`sudo apt-get install chromium chromium-driver` (or set RNNLAB_CHROMIUM to a Chrome "
    "binary), then `make test` again"
)


def pytest_collection_modifyitems(config, items):
    """Skip (laptop) or fail (CI) every browser test when there is no browser to drive."""
    problem = None
    if not Path(CHROMIUM).exists():
        problem = HOW_TO_ENABLE.format(path=CHROMIUM)
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            problem = "Playwright is missing: `make setup` installs it (the dev extra)"
    if problem is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        raise pytest.UsageError(f"CI=true and {problem}")
    for item in items:
        item.add_marker(pytest.mark.skip(reason=problem))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# JupyterLab's own settings for the test: every cell rendered (by default cells far off
# screen are left unrendered, which a test cannot tell from unrun) and no news fetched.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none", "autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def write_lab_settings(folder: Path) -> Path:
    for name, settings in LAB_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings), encoding="utf-8")
    return folder


class JupyterLab:
    """A JupyterLab server over a folder, stopped with all its kernels by ``stop``.

    Its kernels run in quick mode (``RNNLAB_QUICK=1``: live training takes a few steps)
    unless ``quick=False``, as a learner's do."""

    def __init__(self, root: Path, log: Path, quick: bool = True):
        self.root, self.port = root, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
            f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class="
            "jupyterlab.NeverCheckForUpdate",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")  # JupyterLab refuses root without it
        env = kernel_environment(
            RNNLAB_QUICK="1" if quick else "0", TF_CPP_MIN_LOG_LEVEL="2",
            JUPYTER_CONFIG_DIR=str(root / ".jupyter-config"),
            JUPYTERLAB_SETTINGS_DIR=str(write_lab_settings(root / ".lab-settings")))
        self._log = open(log, "w")
        # a session of its own, so stop() can end the server and every kernel it started
        self.process = subprocess.Popen(command, cwd=root, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}; "
                                   f"see {self._log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={TOKEN}",
                                            timeout=2) as reply:
                    json.load(reply)
                    return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(f"JupyterLab did not answer within {timeout} s; see {self._log.name}")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            self._log.close()

    def notebook_url(self, name: str) -> str:
        # reset: a fresh workspace, not the tabs another page of this server left open
        return f"{self.url}/lab/tree/{name}?reset&token={TOKEN}"


@contextmanager
def lessons_in_chromium(names: list[str], quick: bool = True):
    """For a script (the benchmarks): JupyterLab over temporary copies of the lessons
    ``names`` and a headless Chromium; yields (server, browser context), then stops both
    and removes the copies."""
    from playwright.sync_api import sync_playwright

    root = Path(tempfile.mkdtemp(prefix="rnnlab-lab-"))
    for name in names:
        shutil.copy(ROOT / "lessons" / name, root / name)
    lab = JupyterLab(root, root / "jupyterlab.log", quick=quick)
    try:
        lab.wait()
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(root / "profile"), executable_path=CHROMIUM, headless=True,
                args=CHROMIUM_ARGS, viewport=VIEWPORT)
            try:
                yield lab, context
            finally:
                context.close()
    finally:
        lab.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lessons")
    for notebook in (ROOT / "lessons").glob("[0-9][0-9]_*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = JupyterLab(root, ARTIFACTS / "jupyterlab.log")
    try:
        server.wait()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="session")
def requests_seen():
    """Every URL the browser asked for, across all the tests."""
    return []


class Lessons:
    """Opens a lesson in its own tab and runs all its cells, once per session."""

    def __init__(self, lab, context, requests_seen):
        self.lab, self.context, self.requests = lab, context, requests_seen
        self.pages, self.console = {}, {}
        self.current = None  # the tab the running test works in, for failure evidence

    def run(self, name: str):
        from tests.browser import lab_page

        if name not in self.pages:
            page = self.context.new_page()
            log = self.console.setdefault(name, [])
            page.on("console", lambda msg: log.append(f"{msg.type}: {msg.text}"))
            page.on("pageerror", lambda exc: log.append(f"pageerror: {exc}"))
            page.on("request", lambda req: self.requests.append(req.url))
            self.pages[name] = page
            self.current = page, name
            lab_page.open_and_run_all(page, self.lab.notebook_url(name))
        self.current = self.pages[name], name
        return self.pages[name]


def remote_requests(urls) -> list[str]:
    """The URLs that left 127.0.0.1 (http, https and websockets)."""
    return sorted({url for url in urls if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                   and urlsplit(url).hostname != "127.0.0.1"})


@pytest.fixture(scope="session")
def lessons(lab, browser_context, requests_seen):
    """The lessons, run once each per session. When the session ends, every request any
    of them made is checked: none may leave the machine (whatever ran, in any order)."""
    yield Lessons(lab, browser_context, requests_seen)
    remote = remote_requests(requests_seen)
    if remote:
        pytest.fail(f"the lessons asked for {len(remote)} URL(s) off the machine: {remote[:5]}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep the tab's screenshot and console log, and say where they are."""
    outcome = yield
    report = outcome.get_result()
    lessons = item.funcargs.get("lessons") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or lessons is None or not lessons.current:
        return
    page, name = lessons.current
    folder = ARTIFACTS / item.name.replace("/", "_")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(folder / "page.png"), full_page=True)
    except Exception as exc:  # the evidence must not hide the failure itself
        (folder / "screenshot-failed.txt").write_text(repr(exc))
    (folder / "console.log").write_text("\n".join(lessons.console.get(name, [])),
                                        encoding="utf-8")
    report.sections.append(("browser evidence",
                            f"screenshot and console log of {name} in {folder}"))
