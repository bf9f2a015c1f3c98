"""Training speed of both kinds, and where a 2-minute run gets to.

    .venv/bin/python benchmarks/training_speed.py [--minutes 2]

Same corpus, batch 64 x 100 characters, 256 units, Adam 2e-3, in one process, so the
RNN/LSTM ratio is meaningful on a shared machine. Speed is measured over steps 20 to 60
of one run, after the one-time graph trace and the first steps. The timed run then
trains a fresh model of each kind for ``--minutes`` and scores it on the first 100,000
held-out characters, as ``python -m rnnlab compare --max-minutes 2`` does.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import corpus, models, training  # noqa: E402

BATCH, NUM_STEPS = 64, 100


def chars_per_second(kind, data, steps=60) -> float:
    """Characters per second between the first and the last record of one run: the
    first third of the steps (and the one-time graph trace) is left out."""
    model = models.build(kind, data.vocab)
    history = training.train(model, data, max_steps=steps, eval_every=steps // 3,
                             batch_size=BATCH, num_steps=NUM_STEPS, eval_chars=1000,
                             progress=False)
    first, last = history[0], history.final
    return (last["chars_seen"] - first["chars_seen"]) / (last["seconds"] - first["seconds"])


def timed_run(kind, data, minutes) -> dict:
    model = models.build(kind, data.vocab)
    history = training.train(model, data, max_minutes=minutes, batch_size=BATCH,
                             num_steps=NUM_STEPS, progress=False)
    _, val_ids = data.split()
    nats = training.evaluate(model, val_ids[:100_001], num_steps=NUM_STEPS)
    return {"chars_seen": history.final["chars_seen"], "val_nats": nats}


def measure(minutes: float = 2.0) -> dict:
    data = corpus.load()
    speed = {kind: chars_per_second(kind, data) for kind in models.KINDS}
    runs = {kind: timed_run(kind, data, minutes) for kind in models.KINDS} if minutes else {}
    return {"chars_per_s": speed, "runs": runs, "minutes": minutes}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0, help="0 skips the timed runs")
    args = parser.parse_args()
    r = measure(args.minutes)
    for kind, speed in r["chars_per_s"].items():
        print(f"{kind:5} training: {speed:10,.0f} chars/s")
    for kind, run in r["runs"].items():
        print(f"{kind:5} after {args.minutes:g} min: {run['chars_seen']:,} chars seen, "
              f"held-out {run['val_nats']:.3f} nats/char")


if __name__ == "__main__":
    main()
