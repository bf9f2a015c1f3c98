"""Held-out loss of the shipped models, scored three ways.

    .venv/bin/python benchmarks/heldout.py

The held-out split is the last 10% of the corpus (plays the models never saw). Scored in
windows that each start from a zero state: with ``num_steps`` = 100 (the training
window) a character has on average 50 characters of context, with 1000 about 500. And in
one carried pass (``evaluate(carry=True)``: 16 contiguous streams read side by side, the
state carried through each), where every character but the first few of each stream has
all the text before it. A model trained on windows from a zero state is quoted by its
windows of 100; one trained with the state carried, by the carried pass.
"""

import math
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import corpus, pretrained, training  # noqa: E402

SCORINGS = (("windows of 100", dict(num_steps=100)), ("windows of 1000", dict(num_steps=1000)),
            ("carried pass", dict(num_steps=1000, carry=True)))


def measure() -> list[tuple[str, str, float, float]]:
    """(model, scoring, nats/char, seconds) over the whole held-out split."""
    heldout = corpus.load().splits().heldout
    rows = []
    for name in pretrained.NAMES:  # "rnn", "lstm", "rnn-matched"
        model = pretrained.load(name)
        for scoring, options in SCORINGS:
            start = time.perf_counter()
            nats = training.evaluate(model, heldout, batch_size=64, **options)
            rows.append((name, scoring, nats, time.perf_counter() - start))
    return rows


def main():
    data = corpus.load()
    heldout = data.splits().heldout
    print(f"held-out: {len(heldout):,} characters; baseline ln({len(data.vocab)}) = "
          f"{math.log(len(data.vocab)):.3f} nats/char\n")
    print(f"{'model':12}{'scoring':>18}{'nats/char':>12}{'bits/char':>12}{'seconds':>10}")
    for name, scoring, nats, seconds in measure():
        print(f"{name:12}{scoring:>18}{nats:>12.3f}{nats / math.log(2):>12.3f}{seconds:>10.1f}")


if __name__ == "__main__":
    main()
