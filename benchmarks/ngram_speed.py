"""Character n-gram ladders: Witten-Bell against modified Kneser-Ney, and their speed.

    .venv/bin/python benchmarks/ngram_speed.py          (about 15 s on 2 CPU cores)

Both are interpolated n-grams counted on all text before the held-out tail (``split()``,
the text the first shipped models trained on) and scored on every held-out character
(targets heldout[1:]), every order in one pass
(``baselines.ngram_ladder``): Witten-Bell orders 1-8 (``ngram_nats``, as in
rnnlab/results/ngram_ladder.json), Kneser-Ney orders 1-9 (``kneser_ney_nats``). Last, orders
1-8 of both are timed together, against the target of at most 15 s on 2 cores.
"""

import time

from rnnlab import baselines, corpus


def timed_ladder(train, heldout, vocab_size, max_order, smoothing) -> tuple[list, float]:
    """(held-out nats for orders 1 .. max_order, seconds)."""
    start = time.perf_counter()
    nats = baselines.ngram_ladder(train, {"heldout": heldout}, vocab_size, max_order,
                                  smoothing)["heldout"]
    return nats, time.perf_counter() - start


def main():
    data = corpus.load()
    train, heldout = data.split()
    V = len(data.vocab)
    print(f"train {len(train):,} characters, held-out {len(heldout):,}; nats/char on the "
          "held-out tail\n")
    wb, wb_seconds = timed_ladder(train, heldout, V, 8, "witten-bell")
    kn, kn_seconds = timed_ladder(train, heldout, V, 9, "kneser-ney")
    print(f"{'order':>5} {'context':>8} {'Witten-Bell':>12} {'Kneser-Ney':>11}")
    for order in range(1, 10):
        wb_text = f"{wb[order - 1]:12.5f}" if order <= len(wb) else f"{'-':>12}"
        print(f"{order:5d} {order - 1:8d} {wb_text} {kn[order - 1]:11.5f}")
    print(f"\nladder seconds: Witten-Bell orders 1-8 {wb_seconds:.2f}, "
          f"Kneser-Ney orders 1-9 {kn_seconds:.2f}")
    start = time.perf_counter()
    wb8, _ = timed_ladder(train, heldout, V, 8, "witten-bell")
    kn8, _ = timed_ladder(train, heldout, V, 8, "kneser-ney")
    both = time.perf_counter() - start
    assert wb8 == wb and kn8 == kn[:8]  # the same numbers, whichever the highest order
    print(f"both ladders, orders 1-8: {both:.2f} s (target: at most 15 s on 2 cores)")


if __name__ == "__main__":
    main()
