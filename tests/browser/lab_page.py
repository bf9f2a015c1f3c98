"""What a learner does in JupyterLab, as Playwright steps: open, run all, find a view."""

from __future__ import annotations

import re
import time

RUN_TIMEOUT_S = 240


def open_and_run_all(page, url: str, timeout_s: float = RUN_TIMEOUT_S,
                     on_run_all=None) -> None:
    """Open a notebook, wait for its kernel, run every cell, wait until all have run.
    ``on_run_all()`` is called just before the first Run All (to start a clock).

    Now and then JupyterLab drops the cells queued behind the first one while a fresh
    kernel settles: the kernel goes idle with cells still unrun. Run All is then asked
    again (at most twice); what is asserted is the final state, every cell run.
    """
    page.goto(url)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for(
        timeout=60_000)
    wait_for_kernel_idle(page, timeout_s=90)
    # the toolbar can read idle before the kernel is connected: wait for the status bar too
    page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\|\s*Idle$")).first.wait_for(
        timeout=90_000)
    deadline = time.monotonic() + timeout_s
    requests, stalled_checks = 0, 0
    while time.monotonic() < deadline:
        accept_dialog(page)
        prompts = _prompts(page)
        if requests and prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            break
        # nothing running yet cells unrun: whatever the toolbar says, ask again
        stalled = "[*]:" not in prompts and "[ ]:" in prompts
        stalled_checks = stalled_checks + 1 if stalled else 0
        if requests == 0 or (stalled_checks >= 6 and requests < 3):  # ~3 s stalled
            if requests == 0 and on_run_all is not None:
                on_run_all()
            run_all(page)
            requests, stalled_checks = requests + 1, 0
        time.sleep(0.5)
    else:
        raise TimeoutError(f"cells still running or unrun after {timeout_s} s "
                           f"({requests} x Run All): {prompts}")
    wait_for_kernel_idle(page)


def run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def shut_down_kernel(page) -> None:
    """Kernel > Shut Down Kernel: what a learner does before the next lesson."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Kernel$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Shut Down Kernel$")).click()
    accept_dialog(page)


def _prompts(page) -> list[str]:
    return [p.strip() for p in page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()]


def accept_dialog(page) -> None:
    """A dialog (such as the kernel chooser) blocks the notebook: take its default."""
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()


def wait_for_kernel_idle(page, timeout_s: float = 60) -> None:
    """The kernel status in the toolbar reads idle (it is busy while a callback runs)."""
    page.wait_for_function(
        """() => {
            const el = document.querySelector('.jp-Notebook-ExecutionIndicator');
            return el && el.getAttribute('data-status') === 'idle';
        }""",
        timeout=timeout_s * 1000,
    )


def errors(page) -> list[str]:
    """Tracebacks shown in the notebook, and widgets that failed to render."""
    found = page.locator(".jp-OutputArea-output[data-mime-type="
                         "'application/vnd.jupyter.stderr']").all_inner_texts()
    found = [t for t in found if "Traceback" in t or "Error" in t]
    found += page.locator(".jp-OutputArea-output", has_text="Error displaying widget"
                          ).all_inner_texts()
    return found


def view(page, css_class: str, index: int = 0):
    """The index-th view of one kind on the page, e.g. ``view(page, "rnnlab-text-comparer")``."""
    return page.locator(f".{css_class}").nth(index)


def _slider(container, description: str):
    """The slider labelled ``description`` inside ``container``."""
    label = container.page.locator(
        "label.widget-label", has_text=re.compile(f"^{re.escape(description)}$"))
    return container.locator(".widget-slider", has=label)


def slider_handle(container, description: str):
    return _slider(container, description).locator(".noUi-handle")


def slider_readout(container, description: str) -> str:
    return _slider(container, description).locator(".widget-readout").inner_text()


def press(handle, key: str, times: int) -> None:
    handle.focus()
    for _ in range(times):
        handle.press(key)


def line_paths(container) -> list[str]:
    """The ``d`` of every line the plotly figures in ``container`` draw (the data, drawn)."""
    return container.locator(".js-plotly-plot .scatterlayer path.js-line").evaluate_all(
        "els => els.map(e => e.getAttribute('d'))")


# What the plotly figures inside an element draw for their data (bars, lines, heatmap
# images; not the axes), as one string: a JavaScript function of the element.
PLOT_DATA_JS = """el => [...el.querySelectorAll('.js-plotly-plot')].map(plot => [
    ...plot.querySelectorAll('.barlayer path, .scatterlayer path, .heatmaplayer image')]
    .map(e => e.getAttribute('d') || e.getAttribute('href')).join('|')).join('||')"""


# What a view shows: its plots' drawn data and the text of its HTML panes (samples,
# coloured text, labels, the status line).
SCREEN_JS = """el => (%s)(el) + '\\n' + [...el.querySelectorAll('.widget-html-content')]
    .map(e => e.innerText).join('\\n')""" % PLOT_DATA_JS


def plot_data(container) -> str:
    """What the plotly figures in ``container`` draw for their data, as one string to
    compare before and after a change."""
    return container.evaluate(PLOT_DATA_JS)


def on_screen(view) -> str:
    """What ``view`` shows (``SCREEN_JS``), to compare before and after a change."""
    return view.evaluate(SCREEN_JS)


# Times one control change inside the page, free of the test's polling: the key press is
# time 0 (a capturing keydown listener); a MutationObserver notes when what the view
# shows last changed and when its status line first showed text.
_START_REDRAW_CLOCK = """(el) => {
    const read = %s;
    const clock = {t0: null, drawn: null, status: null, last: read(el)};
    document.addEventListener('keydown', () => { clock.t0 = performance.now(); },
                              {capture: true, once: true});
    const status = el.querySelector('.rnnlab-status');
    clock.observer = new MutationObserver(() => {
        if (clock.t0 === null) return;
        const now = read(el);
        if (now !== clock.last) { clock.last = now; clock.drawn = performance.now(); }
        if (clock.status === null && status && status.innerText.trim())
            clock.status = performance.now();
    });
    clock.observer.observe(el, {subtree: true, childList: true, attributes: true,
                                characterData: true});
    window.__rnnlabClock = clock;
}""" % SCREEN_JS


def time_redraw(view, handle, key: str, settle_s: float = 0.6,
                timeout_s: float = 10.0) -> dict:
    """Press ``key`` on ``handle``; return, in ms from the key press, when what the view
    shows finished changing (``drawn``, None if nothing changed within ``timeout_s``) and
    when its status line first showed text (``status``, None if it never did)."""
    view.evaluate(_START_REDRAW_CLOCK)
    handle.focus()
    handle.press(key)
    page = view.page
    try:
        wait_until(lambda: page.evaluate("window.__rnnlabClock.drawn !== null"),
                   timeout_s=timeout_s, what="the plot after the key press")
    except AssertionError:
        return {"drawn": None, "status": None}
    wait_for_kernel_idle(page)
    while True:  # the last redraw: nothing changed for settle_s
        since = page.evaluate("performance.now() - window.__rnnlabClock.drawn")
        if since >= settle_s * 1000:
            break
        time.sleep(settle_s - since / 1000)
    return page.evaluate("""() => { const c = window.__rnnlabClock; c.observer.disconnect();
        return {drawn: c.drawn - c.t0, status: c.status === null ? null : c.status - c.t0}; }""")


def wait_until(condition, timeout_s: float = 30.0, what: str = "the view"):
    """Poll ``condition()`` until it is true (views update in several messages: check the
    final state, not the first sign of change)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what}: not so within {timeout_s} s")


def wait_until_changed(read, before, timeout_s: float = 30.0, what: str = "the view"):
    """Poll ``read()`` until it differs from ``before``; return the new value."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = read()
        if now != before:
            return now
        time.sleep(0.2)
    raise AssertionError(f"{what} did not change within {timeout_s} s")


def move_every_control(view, after_move=None) -> list[str]:
    """Move each enabled slider of ``view`` one step, press another button of each enabled
    toggle row and pick another entry of each enabled dropdown, as a learner does; after
    each, wait until what the view shows has changed (a control that changes nothing
    fails here) and call ``after_move(label)``.
    Returns the labels of the controls moved, in order."""
    moved = []

    def move(label, action):
        before = on_screen(view)
        action()
        wait_until_changed(lambda: on_screen(view), before, what=f"the view after {label}")
        wait_for_kernel_idle(view.page)
        moved.append(label)
        if after_move:
            after_move(label)

    for slider in view.locator(".widget-slider").all():
        handle = slider.locator(".noUi-handle")
        if slider.locator(".noUi-target[disabled]").count():
            continue  # e.g. the toy RNN's controls while a trained model is shown
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        move(slider.locator("label.widget-label").inner_text(),
             lambda: press(handle, "ArrowLeft" if at_max else "ArrowRight", 1))
    for toggles in view.locator(".widget-toggle-buttons").all():
        buttons = toggles.locator("button:not(.mod-active)")
        if buttons.count() and not buttons.first.is_disabled():
            move(buttons.first.inner_text().strip(), buttons.first.click)
    for dropdown in view.locator(".widget-dropdown").all():
        select = dropdown.locator("select")
        if select.is_disabled():
            continue
        options = select.locator("option").all_inner_texts()
        chosen = select.evaluate("s => s.selectedIndex")
        target = len(options) - 1 if chosen != len(options) - 1 else 0
        if target == 0 and options[0].startswith("pick"):
            target = 1  # the "pick one" entry shows nothing new by design
        if target != chosen:  # a single entry: nothing else to pick
            move(dropdown.locator("label.widget-label").inner_text(),
                 lambda: select.select_option(index=target))
    return moved


# what a learner can operate in a view, as the browser draws it: slider handles, drop-down
# lists, buttons (toggle rows, Generate), text boxes and check boxes
CONTROLS = ".noUi-handle, select, button, textarea, input"


def keyboard_controls(view) -> list:
    """The view's controls a learner can use now: shown and enabled."""
    return [c for c in view.locator(CONTROLS).all()
            if c.is_visible() and c.is_enabled() and c.get_attribute("disabled") is None]


def tab_through(view, controls) -> set[int]:
    """Focus the first of ``controls``, press Tab until the focus leaves the view; the
    indices of ``controls`` that held the focus on the way."""
    for index, control in enumerate(controls):
        control.evaluate("(node, i) => node.dataset.rnnlabKey = String(i)", index)
    controls[0].focus()
    reached = set()
    for _ in range(len(controls) * 3):
        key = view.page.evaluate("() => document.activeElement.dataset.rnnlabKey ?? null")
        inside = view.evaluate("(node) => node.contains(document.activeElement)")
        if not inside:
            break
        if key is not None:
            reached.add(int(key))
        view.page.keyboard.press("Tab")
    return reached
