"""Speed of what the widgets compute: gradient curves, gate traces, view updates.

    .venv/bin/python benchmarks/probes_speed.py

Uses the shipped models when present (fresh ones of the same size otherwise). Each
figure is the median of several calls after a warm-up call (which pays the one-time
tf.function trace, reported separately).
"""

import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import cells, corpus, gradient_probes, models, pretrained# noqa: E402
from rnnlab.errors import PretrainedNotAvailableError  # noqa: E402


def median_ms(fn, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def measure() -> list[tuple[str, float]]:
    """(what, median ms) for the probes and for each view's update, no browser."""
    data = corpus.load()
    try:
        pair = pretrained.pair()
    except PretrainedNotAvailableError:
        pair = {kind: models.build(kind, data.vocab) for kind in models.KINDS}
    text = data.heldout_text(length=2000)
    rows = []
    for kind, model in pair.items():
        start = time.perf_counter()
        gradient_probes.window_gradients(model, text[:101])
        rows.append((f"{kind} gradient curve, first call (trace)",
                     1000 * (time.perf_counter() - start)))
        for T in (100, 400):
            rows.append((f"{kind} gradient curve, T={T}", median_ms(
                lambda: gradient_probes.window_gradients(model, text[: T + 1]))))
        rows.append((f"{kind} gate trace, 500 characters",
                     median_ms(lambda: cells.unroll(model, text[:500]))))
    windows = data.heldout_windows(count=32, length=100)
    for kind, model in pair.items():
        gradient_probes.window_gradients(model, windows)  # the one-time trace
        rows.append((f"{kind} dL/dH, dL/dx (and dL/dC), 32 windows of T=100 (target 500)",
                     median_ms(lambda: gradient_probes.window_gradients(model, windows))))
    rows.append(("toy RNN curve, T=400, 256 units",
                 median_ms(lambda: gradient_probes.toy_gradient_norms(400, 1.1, "tanh", 256))))

    from rnnlab.widgets import GateViewer, GradientFlow, TextComparer

    flow = GradientFlow(models=pair, choice="both")  # its window gradients: computed once
    steps = iter([100, 105] * 10)
    rows.append(("GradientFlow update: both models, T=100",
                 median_ms(lambda: setattr(flow._num_steps, "value", next(steps)))))
    gates = GateViewer(models=pair, text=text[:300])
    units = iter(range(1, 30))
    rows.append(("GateViewer update: another unit",
                 median_ms(lambda: setattr(gates._unit, "value", next(units)))))
    texts = iter([text[i: i + 300] for i in range(0, 1000, 50)])
    rows.append(("GateViewer update: a new 300-character text",
                 median_ms(lambda: setattr(gates._text, "value", next(texts)))))
    comparer = TextComparer(models=pair, length=300)
    temps = iter([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2])
    rows.append(("TextComparer update: temperature, 2 x 300 chars",
                 median_ms(lambda: setattr(comparer._temperature, "value", next(temps)))))
    return rows


def main():
    print(f"{'what':48}{'median ms':>12}")
    for what, ms in measure():
        print(f"{what:48}{ms:12.1f}")


if __name__ == "__main__":
    main()
