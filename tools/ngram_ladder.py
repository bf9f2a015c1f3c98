"""Make rnnlab/results/ngram_ladder.json: held-out loss of character n-grams.

    .venv/bin/python tools/ngram_ladder.py          (about 25 s on 2 CPU cores)

Two smoothings, counted on the training text and scored on every character of a split
(targets split[1:]):

- ``orders``: interpolated Witten-Bell, orders 1-8, counted on everything before the
  held-out tail and scored on it (the ladder lesson 1 draws; unchanged in meaning);
- ``kneser_ney_before_tail``: interpolated modified Kneser-Ney (Chen & Goodman 1998),
  orders 1-9, counted on the same text and scored on the tail: the yardstick for the
  first shipped models, which trained on all of that text;
- ``kneser_ney``: the same smoothing, orders 1-9, counted on the training split only
  and scored on the validation split (where a referee picks the order) and on the
  held-out tail (where the picked order is quoted), beside the Witten-Bell ladder
  counted the same way (``witten_bell``).

The shipped models' held-out loss, from their training histories, is printed beside them.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import baselines, corpus, pretrained, results  # noqa: E402


def _rows(ladder: dict) -> list[dict]:
    """{split: [nats by order]} as one row per order."""
    splits = list(ladder)
    return [{"order": order, **{split: round(ladder[split][order - 1], 5) for split in splits}}
            for order in range(1, len(ladder[splits[0]]) + 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(results.path("ngram_ladder")))
    args = parser.parse_args()
    start = time.perf_counter()
    data = corpus.load()
    V = len(data.vocab)

    # the Witten-Bell ladder lesson 1 draws: counted on all text before the held-out tail
    before_tail, heldout = data.split()
    print(f"{'order':>5} {'Witten-Bell, all before the tail':>34}")
    orders = []
    for order in range(1, baselines.WB_MAX_ORDER + 1):
        began = time.perf_counter()
        nats = baselines.ngram_nats(before_tail, heldout, V, order)
        seconds = time.perf_counter() - began
        orders.append({"order": order, "nats": round(nats, 5),
                       "bits": round(baselines.to_bits(nats), 5), "seconds": round(seconds, 2)})
        print(f"{order:5d} {nats:34.3f}")

    # Kneser-Ney counted on the same text as the first shipped models (all before the tail)
    began = time.perf_counter()
    kn_before_tail = baselines.ngram_ladder(before_tail, {"heldout": heldout}, V,
                                            baselines.KN_MAX_ORDER)
    print("Kneser-Ney, all before the tail, orders 1-9: "
          + " ".join(f"{n:.3f}" for n in kn_before_tail["heldout"])
          + f" ({time.perf_counter() - began:.1f} s)")

    # both smoothings on the three-way split: choose on validation, quote on the tail
    splits = data.splits()
    scored = {"validation": splits.validation, "heldout": splits.heldout}
    ladders, seconds = {}, {}
    for smoothing, top in (("kneser-ney", baselines.KN_MAX_ORDER),
                           ("witten-bell", baselines.WB_MAX_ORDER)):
        began = time.perf_counter()
        ladders[smoothing] = baselines.ngram_ladder(splits.train, scored, V, top, smoothing)
        seconds[smoothing] = round(time.perf_counter() - began, 2)
    print(f"\n{'order':>5} {'KN validation':>14} {'KN held-out':>12} {'WB validation':>14} "
          f"{'WB held-out':>12}")
    for order in range(1, baselines.KN_MAX_ORDER + 1):
        kn = ladders["kneser-ney"]
        wb = ladders["witten-bell"]
        wb_cells = (f"{wb['validation'][order - 1]:14.3f} {wb['heldout'][order - 1]:12.3f}"
                    if order <= len(wb["validation"]) else "")
        print(f"{order:5d} {kn['validation'][order - 1]:14.3f} {kn['heldout'][order - 1]:12.3f} "
              f"{wb_cells}")
    kn = ladders["kneser-ney"]
    chosen = min(range(len(kn["validation"])), key=kn["validation"].__getitem__) + 1
    print(f"Kneser-Ney order chosen on validation: {chosen}, held-out "
          f"{kn['heldout'][chosen - 1]:.3f} nats/char; seconds {seconds}")
    for name in pretrained.NAMES:
        nats = pretrained.history(name).meta["heldout_nats"]
        print(f"shipped {name}: {nats:.3f} nats/char (held-out, windows of 100)")

    meta = {**results.provenance(time.perf_counter() - start),
            "corpus_sha256": data.sha256, "train_chars": len(before_tail),
            "heldout_chars": len(heldout),
            "how": "orders: baselines.ngram_nats(train, heldout, vocab_size, order), "
                   "interpolated Witten-Bell counted on all text before the held-out tail, "
                   "scored on the targets heldout[1:]. kneser_ney and witten_bell: "
                   "baselines.ngram_ladder(splits.train, {validation, heldout}, ...) counted on "
                   "the training split only (corpus.splits()); the order is chosen on "
                   "validation",
            "three_way_split_chars": {"train": len(splits.train),
                                      "validation": len(splits.validation),
                                      "heldout": len(splits.heldout)},
            "ladder_seconds": seconds}
    results.write(args.out, {
        "meta": meta, "orders": orders,
        "kneser_ney_before_tail": _rows(kn_before_tail),
        "kneser_ney": _rows(ladders["kneser-ney"]),
        "witten_bell": _rows(ladders["witten-bell"]),
        "kneser_ney_chosen_order": chosen})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
