"""Make rnnlab/results/context_use.json: loss by context length for the shipped models.

    .venv/bin/python tools/context_use.py          (a few minutes on 2 CPU cores)

Each model reads the same held-out windows from a zero state (as in training) and is
scored at every position (``training.position_loss``). The file keeps, per model, the
mean loss and its standard error at each context length, and every window's mean in
each band of ``training.CONTEXT_BANDS``, so that a difference between two models can be
taken window by window (a paired comparison, with its own spread).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from rnnlab import corpus, pretrained, results, training  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=300)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(results.path("context_use")))
    args = parser.parse_args()
    start = time.perf_counter()
    data = corpus.load()
    windows = data.heldout_windows(args.windows, args.length, seed=args.seed)
    shipped = pretrained.every()
    found = training.position_loss(shipped, windows)
    models = {}
    for name, loss in found.items():
        bands = training.context_bands(loss["losses"])  # (windows, bands)
        models[name] = {
            "num_params": shipped[name].num_params,
            "num_hiddens": shipped[name].config.num_hiddens,
            # the windows it was trained on, each from a zero state
            "trained_window": pretrained.history(name).meta["num_steps"],
            "mean": np.round(loss["mean"], 5).tolist(),  # (length,)
            "sem": np.round(loss["sem"], 5).tolist(),  # (length,)
            "band_means": np.round(bands, 5).tolist(),  # (windows, bands)
        }
        print(f"{name:>12}: " + "  ".join(
            f"{first}-{last or args.length}: {m:.3f}"
            for (first, last), m in zip(training.CONTEXT_BANDS, bands.mean(axis=0))))
    meta = {**results.provenance(time.perf_counter() - start),
            "windows": args.windows, "length": args.length, "seed": args.seed,
            "corpus_sha256": data.sha256,
            "bands": [[first, last or args.length] for first, last in training.CONTEXT_BANDS],
            "how": "Corpus.heldout_windows(windows, length, seed); every window from a zero "
                   "state; position p (0-based) has read p + 1 characters"}
    results.write(args.out, {"meta": meta, "models": models})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
