"""Held-out loss of the shipped models, with short and long context.

    .venv/bin/python benchmarks/heldout.py

The held-out split is the last 10% of the corpus (plays the models never saw). Each
window starts from a zero state; with ``num_steps`` = 100 (the training window) a
character has on average 50 characters of context, with 1000 about 500.
"""

import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import corpus, pretrained, training  # noqa: E402


def measure(windows=(100, 1000)) -> list[tuple[str, int, float, float]]:
    """(kind, window, nats/char, seconds) over the whole held-out split."""
    data = corpus.load()
    _, val_ids = data.split()
    rows = []
    for kind in pretrained.NAMES:  # "rnn", "lstm", "rnn-matched"
        model = pretrained.load(kind)
        for window in windows:
            start = time.perf_counter()
            nats = training.evaluate(model, val_ids, num_steps=window, batch_size=64)
            rows.append((kind, window, nats, time.perf_counter() - start))
    return rows


def main():
    data = corpus.load()
    _, val_ids = data.split()
    print(f"held-out: {len(val_ids):,} characters; baseline ln({len(data.vocab)}) = "
          f"{math.log(len(data.vocab)):.3f} nats/char\n")
    print(f"{'model':12}{'window':>8}{'nats/char':>12}{'bits/char':>12}{'seconds':>10}")
    for kind, window, nats, seconds in measure():
        print(f"{kind:12}{window:>8}{nats:>12.3f}{nats / math.log(2):>12.3f}{seconds:>10.1f}")


if __name__ == "__main__":
    main()
