"""Make rnnlab/results/ngram_ladder.json: held-out loss of character n-grams, orders 1-8.

    .venv/bin/python tools/ngram_ladder.py          (under a minute on 2 CPU cores)

Interpolated Witten-Bell n-grams (``baselines.ngram_nats``) counted on the course's
training split and scored on every held-out character (targets val[1:]), with the time
each order takes (the target: order 8 on the whole corpus in at most 30 s on 2 cores).
The shipped models' held-out loss, from their training histories, is printed beside them.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import baselines, corpus, pretrained, results  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-order", type=int, default=8)
    parser.add_argument("--out", default=str(results.path("ngram_ladder")))
    args = parser.parse_args()
    start = time.perf_counter()
    data = corpus.load()
    train, val = data.split()
    V = len(data.vocab)
    print(f"{'order':>5} {'context':>8} {'nats/char':>10} {'bits/char':>10} {'seconds':>8}")
    orders = []
    for order in range(1, args.max_order + 1):
        began = time.perf_counter()
        nats = baselines.ngram_nats(train, val, V, order)
        seconds = time.perf_counter() - began
        orders.append({"order": order, "nats": round(nats, 5),
                       "bits": round(baselines.to_bits(nats), 5), "seconds": round(seconds, 2)})
        print(f"{order:5d} {order - 1:8d} {nats:10.3f} {baselines.to_bits(nats):10.3f} "
              f"{seconds:8.1f}")
    for name in pretrained.NAMES:
        nats = pretrained.history(name).meta["heldout_nats"]
        print(f"shipped {name}: {nats:.3f} nats/char")
    meta = {**results.provenance(time.perf_counter() - start),
            "corpus_sha256": data.sha256, "train_chars": len(train), "heldout_chars": len(val),
            "how": "baselines.ngram_nats(train, val, vocab_size, order): interpolated "
                   "Witten-Bell, scored on the targets val[1:]"}
    results.write(args.out, {"meta": meta, "orders": orders})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
