"""The n-gram yardstick ladder: held-out loss of interpolated character n-grams, orders 1-8.

    .venv/bin/python benchmarks/ngram_ladder.py

Counted on the course's training split, scored on all held-out characters (targets
val[1:]), as ``baselines.ngram_nats``; with the time each order takes (the issue's budget:
order 8 on the whole corpus in at most 30 s on 2 cores). For comparison, the shipped
models' held-out loss from their training histories.
"""

import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import baselines, corpus, pretrained  # noqa: E402


def main() -> None:
    data = corpus.load()
    train, val = data.split()
    V = len(data.vocab)
    print(f"{'order':>5} {'context':>8} {'nats/char':>10} {'bits/char':>10} {'seconds':>8}")
    for order in range(1, 9):
        start = time.perf_counter()
        nats = baselines.ngram_nats(train, val, V, order)
        seconds = time.perf_counter() - start
        print(f"{order:5d} {order - 1:8d} {nats:10.3f} {baselines.to_bits(nats):10.3f} "
              f"{seconds:8.1f}")
    for kind in ("rnn", "lstm"):
        nats = pretrained.history(kind).meta["heldout_nats"]
        print(f"shipped {kind.upper()}: {nats:.3f} nats/char")


if __name__ == "__main__":
    main()
