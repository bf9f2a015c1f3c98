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

from rnnlab import corpus, models, pretrained, probes  # noqa: E402
from rnnlab.errors import PretrainedNotAvailableError  # noqa: E402


def median_ms(fn, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main():
    data = corpus.load()
    try:
        pair = {kind: pretrained.load(kind) for kind in ("rnn", "lstm")}
        source = "shipped weights"
    except PretrainedNotAvailableError:
        pair = {kind: models.build(kind, data.vocab) for kind in ("rnn", "lstm")}
        source = "fresh weights"
    text = data.heldout_text(length=2000)
    print(f"models: {', '.join(repr(m) for m in pair.values())} ({source})\n")
    print(f"{'what':44}{'median ms':>12}")
    for kind, model in pair.items():
        start = time.perf_counter()
        probes.gradient_norms(model, text[:101])
        print(f"{kind} gradient curve, first call (trace)".ljust(44)
              + f"{1000 * (time.perf_counter() - start):12.0f}")
        for T in (100, 400):
            ms = median_ms(lambda: probes.gradient_norms(model, text[: T + 1]))
            print(f"{kind} gradient curve, T={T}".ljust(44) + f"{ms:12.1f}")
        ms = median_ms(lambda: probes.gates(model, text[:500]))
        print(f"{kind} gate trace, 500 characters".ljust(44) + f"{ms:12.1f}")
    ms = median_ms(lambda: probes.toy_gradient_norms(400, 1.1, "tanh", 256))
    print("toy RNN curve, T=400, 256 units".ljust(44) + f"{ms:12.1f}")

    from rnnlab.widgets import GateViewer, GradientFlow, TextComparer

    print("\nview updates (compute and figure update, no browser):")
    flow = GradientFlow(models=pair, text=text, choice="both")
    steps = iter([100, 105] * 10)
    print("GradientFlow, both models, T=100".ljust(44)
          + f"{median_ms(lambda: setattr(flow._num_steps, 'value', next(steps))):12.1f}")
    gates = GateViewer(models=pair, text=text[:300])
    units = iter(range(1, 30))
    print("GateViewer, change unit".ljust(44)
          + f"{median_ms(lambda: setattr(gates._unit, 'value', next(units))):12.1f}")
    texts = iter([text[i: i + 300] for i in range(0, 1000, 50)])
    print("GateViewer, new 300-character text".ljust(44)
          + f"{median_ms(lambda: setattr(gates._text, 'value', next(texts))):12.1f}")
    comparer = TextComparer(models=pair, length=300)
    temps = iter([0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2])
    print("TextComparer, move temperature, 300 chars".ljust(44)
          + f"{median_ms(lambda: setattr(comparer._temperature, 'value', next(temps))):12.1f}")


if __name__ == "__main__":
    main()
