"""Every figure `make bench` reports, measured now, in one table.

    .venv/bin/python benchmarks/report.py [--skip-browser] [--minutes 2]

Each row says how it was measured. Comparisons are ratios measured in one run (this
machine is shared and noisy; absolute figures move by 30% between runs, ratios less).
The stage times of `make test` are quoted from its last run (test-artifacts/), not rerun.
"""

import argparse
import datetime
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import heldout  # noqa: E402
from rnnlab.baselines import to_bits  # noqa: E402
import probes_speed  # noqa: E402
import sampling_speed  # noqa: E402
import training_speed  # noqa: E402

STAGES = HERE.parent / "test-artifacts" / "make-test-stages.tsv"


def row(what, value, how):
    print(f"| {what} | {value} | {how} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--minutes", type=float, default=2.0,
                        help="length of the timed training runs (0 skips them)")
    args = parser.parse_args()
    from rnnlab.settings import device_summary

    device = device_summary()  # TensorFlow starts here, so its messages come before the table
    print(f"\nrnnlab benchmarks, {datetime.date.today()}, {platform.machine()}, "
          f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, {device}\n")
    print("| figure | value | how it was measured |\n|---|---:|---|")

    speed = {}
    for kind, num_hiddens in training_speed.SETTINGS:
        r = training_speed.measure(kind, num_hiddens, steps=20, repeats=3, policy="float32")
        speed[(kind, num_hiddens)] = r["chars_per_s"]
        row(f"training speed, {kind.upper()}-{num_hiddens}",
            f"{r['chars_per_s']:,.0f} chars/s, {r['gflops']:.0f} GFLOP/s, "
            f"{r['fraction']:.2f} of the matmul rate",
            "median of 3 fresh processes, 20 timed Adam steps of 128 x 100 characters "
            "(training_speed.py)")
    row("training speed, RNN-256 / LSTM-256",
        f"{speed[('rnn', 256)] / speed[('lstm', 256)]:.1f}x", "same run")
    for kind, run in (training_speed.timed_runs(args.minutes) if args.minutes else {}).items():
        row(f"{kind.upper()}-256 after a {args.minutes:g}-minute run",
            f"{run['val_nats']:.3f} nats/char ({run['chars_seen'] / 1e6:.2f}M chars seen)",
            "fresh model, batch 64, scored on the first 100k validation characters")

    s = sampling_speed.measure()
    row("sampling, numpy cell (LSTM)", f"{s['numpy']:,.0f} chars/s", "5,000 characters")
    row("sampling, one model.predict per character", f"{s['predict']:,.1f} chars/s",
        "40 characters, window 100, same weights")
    row("sampling speed-up", f"{s['ratio']:,.0f}x", "same run")

    for what, ms in probes_speed.measure():
        how = ("one call: it pays the one-time tf.function trace" if "first call" in what
               else "median of 7 calls, kernel side, no browser (probes_speed.py)")
        row(what, f"{ms:,.1f} ms", how)

    if not args.skip_browser:
        import browser_latency

        for case, clocks in browser_latency.measure():
            median = browser_latency.median_or_none(c["drawn"] for c in clocks)
            row(f"in the browser, {case.css[7:]}: {case.slider}: key press to redrawn plot",
                f"{browser_latency.ms(median)} (target {browser_latency.TARGET_MS[case.computes]}"
                " ms)",
                "median of 7 moves, timed in the page, JupyterLab in headless Chromium "
                "(browser_latency.py)")

    for kind, scoring, nats, _ in heldout.measure():
        row(f"shipped {kind}, held-out loss, {scoring}",
            f"{nats:.3f} nats/char, {to_bits(nats):.3f} bits/char",
            "all 505,732 held-out characters (heldout.py says how each scoring reads them)")

    if STAGES.exists():
        for line in STAGES.read_text().splitlines():
            name, seconds, status, when = line.split("\t")
            row(f"make test stage: {name}", f"{float(seconds):,.0f} s",
                f"last `make test`, {when}, exit {status} (quoted, not rerun)")
    else:
        row("make test stages", "not run yet", "run `make test`, then `make bench` again")


if __name__ == "__main__":
    main()
