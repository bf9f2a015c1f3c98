"""Make rnnlab/results/lag_sweep.json: recall accuracy per lag for both kinds.

    .venv/bin/python tools/lag_sweep.py            (about 15 minutes on 2 CPU cores)

The lesson on long-range memory shows this file at once and reruns one point live.
"""

import argparse
import json
import os
import platform
import shlex
import sys
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import tasks  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lags", default="1,2,5,10,20,50,100,200,500")
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--num-hiddens", type=int, default=32)
    parser.add_argument("--global-clipnorm", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forget-bias", type=float, default=3.0, help="LSTM forget-gate bias")
    parser.add_argument("--out", default=str(tasks.sweep_path()))
    args = parser.parse_args()
    settings = dict(steps=args.steps, num_hiddens=args.num_hiddens,
                    global_clipnorm=args.global_clipnorm, seed=args.seed,
                    forget_bias=args.forget_bias)
    lags = [int(x) for x in args.lags.split(",")]
    start = time.perf_counter()

    def report(point):
        print(f"{point['kind']:>4} lag {point['lag']:>4}: accuracy {point['accuracy']:.3f} "
              f"({point['seconds']:.0f} s)", flush=True)

    results = tasks.lag_sweep(lags=lags, on_point=report, **settings)
    # Two variants that show what the main settings buy: the vanilla RNN as started
    # before orthogonal initialisation and clipping were common, and the LSTM with
    # Keras's default forget-gate bias of 1.
    plain = dict(settings, global_clipnorm=None, recurrent_initializer="glorot_uniform")
    default_bias = dict(settings, forget_bias=1.0)
    variants = {
        "rnn_plain": {"kind": "rnn", "settings": plain,
                      "label": "vanilla RNN, random (Glorot) init, no clipping"},
        "lstm_bias1": {"kind": "lstm", "settings": default_bias,
                       "label": "LSTM, forget-gate bias 1 (Keras default)"},
    }
    for name, variant in variants.items():
        variant["points"] = []
        for lag in lags:
            point = tasks.recall_point(variant["kind"], lag, **variant["settings"])
            variant["points"].append(point)
            print(name, end=" ")
            report(point)
    meta = {
        "command": " ".join(["python tools/lag_sweep.py", *map(shlex.quote, sys.argv[1:])]),
        "settings": settings, "task": "recall: 4 signal symbols, 4 distractor symbols",
        "date": date.today().isoformat(), "machine": f"{platform.machine()}, "
        f"{os.cpu_count()} CPU cores", "seconds": round(time.perf_counter() - start),
        "failure_lag_at_0.9": {k: tasks.failure_lag(v) for k, v in results.items()},
        "variants": variants,
    }
    for name, variant in variants.items():
        meta["failure_lag_at_0.9"][name] = tasks.failure_lag(variant["points"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    print(f"wrote {args.out}: fails (accuracy < 0.9) from lag {meta['failure_lag_at_0.9']}")


if __name__ == "__main__":
    main()
