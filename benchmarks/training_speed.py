"""Training speed of each kind and width, against what the cores can multiply.

    .venv/bin/python benchmarks/training_speed.py [--repeats 3] [--policy float32]
                                                  [--minutes 0]

How it is measured, so that figures compare across runs and changes:

- training steps only: the optimizer steps of ``model.keras.fit`` on the training
  batches ``train`` uses (batch 128 x 100 characters, Adam, global clipping at 1), timed
  from the end of step 5 (after the one-time graph trace) to the end of step 5 + ``steps``,
  with no evaluation in between;
- a fresh Python process for every setting and repeat, so one measurement's threads,
  caches and traced graphs never carry into the next; the median of ``--repeats``;
- beside each: the load average before it started and the process's CPU seconds per
  wall second over the timed steps (2.0 = both cores busy), which say whether another
  load shared the machine;
- the arithmetic of one training character taken as three forward passes (the forward
  multiply-adds, and twice as many again for the backward pass), in GFLOP/s (2 FLOPs
  per multiply-add), and as a fraction of the rate numpy multiplies the recurrent
  step's own matrices at, (128 x H) by (H x gates * H), in the same process.

``--profile KIND-H`` (e.g. lstm-256) splits one setting's step time into a fixed part per
step and a part per window, by timing batches of 64 to 512 (step time = a + b x batch,
fitted on the larger batches): a is what each step costs whatever its size (launching the
recurrent loop's operations, 100 time steps forward and back, the optimizer), b the
arithmetic and memory traffic per window, whose rate is compared with the matmul rate.

``--minutes`` > 0 also trains each 256-unit kind for that long in one process, the way
``python -m rnnlab compare --max-minutes`` does, and prints where each got to.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH, NUM_STEPS = 128, 100
SETTINGS = (("rnn", 256), ("lstm", 256), ("rnn", 522), ("lstm", 512))
WARMUP = 5  # steps before the clock starts: the graph trace and the first allocations


def forward_macs_per_char(kind: str, num_hiddens: int, vocab_size: int = 84) -> int:
    """models.multiply_adds_per_char for a one-layer model of this width."""
    from rnnlab import models

    return models.multiply_adds_per_char(kind, vocab_size,
                                         models.ModelConfig(num_hiddens=num_hiddens))


def matmul_gflops(num_hiddens: int, gates: int, seconds: float = 1.5) -> float:
    """numpy's rate for the recurrent step's product, (BATCH x H) by (H x gates H)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((BATCH, num_hiddens), dtype=np.float32)
    b = rng.standard_normal((num_hiddens, gates * num_hiddens), dtype=np.float32)
    for _ in range(20):
        a @ b
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ b
        count += 1
    elapsed = time.perf_counter() - start
    return 2 * BATCH * num_hiddens * gates * num_hiddens * count / elapsed / 1e9


def one_measurement(kind: str, num_hiddens: int, steps: int, policy: str,
                    batch: int = BATCH) -> dict:
    """Run in a fresh process (``--one``): time ``steps`` training steps."""
    import keras

    from rnnlab import corpus, models, training

    data = corpus.load()
    model = models.build(kind, data.vocab, num_hiddens=num_hiddens, precision=policy)
    config = training.TrainConfig(max_steps=WARMUP + steps, batch_size=batch,
                                  num_steps=NUM_STEPS, global_clipnorm=1.0)
    training._compile(model, config, [])
    batches = training.dataset(data.splits().train, NUM_STEPS, batch, seed=0).repeat()
    marks = {}

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch + 1 in (WARMUP, WARMUP + steps):
                marks[batch + 1] = (time.perf_counter(), time.process_time())

    load = os.getloadavg()[0]
    model.keras.fit(batches, steps_per_epoch=WARMUP + steps, epochs=1, verbose=0,
                    callbacks=[Clock()])
    (wall0, cpu0), (wall1, cpu1) = marks[WARMUP], marks[WARMUP + steps]
    gates = models.GATES[kind]
    return {"chars_per_s": steps * batch * NUM_STEPS / (wall1 - wall0),
            "cpu_per_wall": (cpu1 - cpu0) / (wall1 - wall0), "load_before": load,
            "matmul_gflops": matmul_gflops(num_hiddens, gates)}


def _fresh(kind: str, num_hiddens: int, steps: int, policy: str, batch: int = BATCH) -> dict:
    """one_measurement in a new Python process."""
    done = subprocess.run(
        [sys.executable, __file__, "--one", kind, str(num_hiddens), str(steps), policy,
         str(batch)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(kind: str, num_hiddens: int, steps: int, repeats: int, policy: str) -> dict:
    runs = [_fresh(kind, num_hiddens, steps, policy) for _ in range(repeats)]
    chars_per_s = statistics.median(r["chars_per_s"] for r in runs)
    matmul = statistics.median(r["matmul_gflops"] for r in runs)
    gflops = 3 * 2 * forward_macs_per_char(kind, num_hiddens) * chars_per_s / 1e9
    return {"kind": kind, "num_hiddens": num_hiddens, "chars_per_s": chars_per_s,
            "spread": (min(r["chars_per_s"] for r in runs), max(r["chars_per_s"] for r in runs)),
            "gflops": gflops, "matmul_gflops": matmul, "fraction": gflops / matmul,
            "cpu_per_wall": statistics.median(r["cpu_per_wall"] for r in runs),
            "load_before": max(r["load_before"] for r in runs)}


def profile(kind: str, num_hiddens: int, policy: str, batches=(64, 128, 256, 512)) -> None:
    """Print the step time at each batch size, and its split into a + b x batch."""
    import numpy as np

    seconds, matmul = [], []
    for batch in batches:
        r = _fresh(kind, num_hiddens, 12, policy, batch)
        seconds.append(batch * NUM_STEPS / r["chars_per_s"])
        matmul.append(r["matmul_gflops"])
        print(f"  batch {batch:4}: {seconds[-1] * 1e3:7.1f} ms a step, "
              f"{r['chars_per_s']:8,.0f} chars/s", flush=True)
    b, a = np.polyfit(batches[1:], seconds[1:], 1)  # from 128 up: past the small-batch knee
    per_char = 3 * 2 * forward_macs_per_char(kind, num_hiddens)
    rate = per_char * NUM_STEPS / b / 1e9
    matmul = statistics.median(matmul)  # measured in the fresh processes, as in measure()
    print(f"  fixed per step a = {a * 1e3:.0f} ms ({a / (a + b * BATCH):.0%} of a step at "
          f"batch {BATCH}); per window b = {b * 1e3:.2f} ms, {rate:.0f} GFLOP/s "
          f"({rate / matmul:.2f} of numpy's {matmul:.0f})")


def timed_runs(minutes: float) -> dict:
    """{kind: {"chars_seen", "val_nats"}} after ``minutes`` of training each 256-unit
    kind, batch 64, one after the other in this process."""
    from rnnlab import corpus, models, training

    data = corpus.load()
    found = {}
    for kind in models.KINDS:
        model = models.build(kind, data.vocab)
        history = training.train(model, data, max_minutes=minutes, batch_size=64,
                                 num_steps=NUM_STEPS, progress=False)
        found[kind] = {"chars_seen": history.final["chars_seen"],
                       "val_nats": history.final["val_nats"]}
    return found


def main():
    if sys.argv[1:2] == ["--one"]:
        kind, num_hiddens, steps, policy, batch = sys.argv[2:7]
        print(json.dumps(one_measurement(kind, int(num_hiddens), int(steps), policy,
                                         int(batch))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per measurement")
    parser.add_argument("--policy", default="float32", help="the models' precision "
                        "(ModelConfig.precision): float32 or mixed_bfloat16")
    parser.add_argument("--minutes", type=float, default=0.0)
    parser.add_argument("--profile", metavar="KIND-H", help="split one setting's step time "
                        "into a fixed and a per-window part, e.g. lstm-256")
    args = parser.parse_args()
    if args.profile:
        kind, num_hiddens = args.profile.split("-")
        print(f"{args.profile}, policy {args.policy}: step time against batch size")
        profile(kind, int(num_hiddens), args.policy)
        return
    print(f"batch {BATCH} x {NUM_STEPS}, policy {args.policy}, median of {args.repeats} fresh "
          f"processes, {args.steps} timed steps each")
    print(f"{'model':>10} {'chars/s':>9} {'(range)':>17} {'GFLOP/s':>8} {'matmul':>7} "
          f"{'fraction':>8} {'cpu/wall':>8} {'load':>5}")
    for kind, num_hiddens in SETTINGS:
        r = measure(kind, num_hiddens, args.steps, args.repeats, args.policy)
        low, high = r["spread"]
        print(f"{kind + '-' + str(num_hiddens):>10} {r['chars_per_s']:9,.0f} "
              f"{f'{low:,.0f}-{high:,.0f}':>17} {r['gflops']:8.1f} {r['matmul_gflops']:7.1f} "
              f"{r['fraction']:8.2f} {r['cpu_per_wall']:8.2f} {r['load_before']:5.2f}",
              flush=True)
    for kind, run in (timed_runs(args.minutes) if args.minutes else {}).items():
        print(f"{kind:5} after {args.minutes:g} min: {run['chars_seen']:,} chars seen, "
              f"validation {run['val_nats']:.3f} nats/char")


if __name__ == "__main__":
    main()
