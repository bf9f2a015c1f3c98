"""Where lesson 2's live training gets to, over several seeds: the spread the guide quotes.

    .venv/bin/python benchmarks/live_run_spread.py [--seeds 5] [--minutes 1.5]

Each run is the lesson's cell: a fresh 256-unit RNN trained for ``--minutes`` of wall time
with ``eval_every=40``, the model and the batch order drawn from seed 0, 1, 2, ...; runs
follow each other in one process. A run's validation loss (the first 100,000 characters
of the validation split, as the monitor draws it) depends on the seed and on how many
characters the machine gets through in that time, so the loss is also read where each
run passed fixed character counts: those figures hold on any machine, the end point only
on this one.
"""

import argparse
import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from rnnlab import corpus, models, training  # noqa: E402


MILESTONES = (1e6, 2e6, 5e6, 10e6)  # characters seen


def live_run(data, seed: int, minutes: float) -> dict:
    keras.utils.set_random_seed(seed)
    model = models.build("rnn", data.vocab, seed=seed)
    history = training.train(model, data, max_minutes=minutes, eval_every=40, seed=seed,
                             progress=False)
    # the validation loss at the first record at or past each milestone
    at = {m: next((r["val_nats"] for r in history if r["chars_seen"] >= m), None)
          for m in MILESTONES}
    return {"seed": seed, "chars_seen": history.final["chars_seen"],
            "val_nats": history.final["val_nats"], "at": at}


def spread(values) -> str:
    return (f"median {statistics.median(values):.3f} "
            f"(range {min(values):.3f}-{max(values):.3f}, {len(values)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--minutes", type=float, default=1.5)
    args = parser.parse_args()
    data = corpus.load()
    runs = []
    for seed in range(args.seeds):
        run = live_run(data, seed, args.minutes)
        runs.append(run)
        print(f"seed {seed}: {run['chars_seen'] / 1e6:.2f}M characters, validation "
              f"{run['val_nats']:.3f} nats/char", flush=True)
    chars = [r["chars_seen"] / 1e6 for r in runs]
    print(f"after {args.minutes} min on this machine: validation "
          f"{spread([r['val_nats'] for r in runs])} nats/char, having seen "
          f"{statistics.median(chars):.2f}M characters (range {min(chars):.2f}-{max(chars):.2f}M)")
    for m in MILESTONES:
        reached = [r["at"][m] for r in runs if r["at"][m] is not None]
        if reached:
            print(f"validation at {m / 1e6:g}M characters seen: {spread(reached)} nats/char")


if __name__ == "__main__":
    main()
