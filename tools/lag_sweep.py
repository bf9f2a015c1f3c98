"""Make rnnlab/results/memory_sweep.json: accuracy per lag, per series, per seed.

    .venv/bin/python tools/lag_sweep.py          (about an hour on 2 CPU cores; `make lag-sweep`)

Every series of ``tasks.SWEEP_SERIES`` (recall for six settings of the two kinds, the
adding problem for both kinds) is trained afresh at every lag and seed. The run is
resumable point by point: each finished point is saved at once in
checkpoints/memory_sweep.partial.json, and a rerun skips the points saved there. Seeds
go in the outer loop, so an interrupted run already has whole curves for the first seeds.
"""

import argparse
import inspect
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import results, tasks  # noqa: E402

PARTIAL = Path("checkpoints/memory_sweep.partial.json")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--series", default=",".join(tasks.SWEEP_SERIES),
                        help="comma-separated names from tasks.SWEEP_SERIES")
    parser.add_argument("--partial", default=str(PARTIAL))
    parser.add_argument("--out", default=str(results.path(tasks.SWEEP_NAME)))
    args = parser.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    names = args.series.split(",")
    unknown = sorted(set(names) - set(tasks.SWEEP_SERIES))
    if unknown:
        raise SystemExit(f"--series: unknown {unknown}; expected names from "
                         f"{sorted(tasks.SWEEP_SERIES)}")
    partial = Path(args.partial)
    done = json.loads(partial.read_text()) if partial.is_file() else {}
    # A saved point is reused only if it was made with the settings the series has now.
    done = {key: point for key, point in done.items()
            if key.split("|")[0] in tasks.SWEEP_SERIES
            and point.get("settings") == tasks.sweep_settings(key.split("|")[0])}
    start = time.perf_counter()
    for seed in seeds:
        for name in names:
            task = tasks.SWEEP_SERIES[name]["task"]
            for lag in tasks.SWEEP_LAGS[task]:
                key = f"{name}|{lag}|{seed}"
                if key in done:
                    continue
                point = tasks.sweep_point(name, lag, seed)
                done[key] = dict(point, settings=tasks.sweep_settings(name))
                results.write(partial, done)
                print(f"seed {seed} {name:>22} lag {lag:>4}: accuracy {point['accuracy']:.3f} "
                      f"({point['seconds']:.0f} s)", flush=True)
    series = {}
    for name in names:
        spec = tasks.SWEEP_SERIES[name]
        points = sorted((p for k, p in done.items() if k.split("|")[0] == name
                         and p["seed"] in seeds), key=lambda p: (p["lag"], p["seed"]))
        series[name] = {"task": spec["task"], "kind": spec["kind"], "label": spec["label"],
                        "settings": tasks.sweep_settings(name),
                        "points": [{k: v for k, v in p.items() if k != "settings"}
                                   for p in points]}
    # seconds: the training time of every point, whichever run made it
    seconds = sum(p["seconds"] for s in series.values() for p in s["points"])
    meta = {**results.provenance(seconds), "seeds": seeds,
            "this_run_seconds": round(time.perf_counter() - start, 1),
            "tasks": {"recall": "the first of lag + 1 symbols (4 signal symbols) after lag "
                                "random distractors (4 symbols); chance 0.25",
                      "adding": f"the sum of the 2 marked values among lag (value, marker) "
                                f"rows; right when within {tasks.ADDING_TOLERANCE}"},
            "common": {k: v.default for k, v in inspect.signature(
                tasks.recall_point).parameters.items()
                if k in ("num_hiddens", "batch_size", "learning_rate", "n_test")}}
    results.write(args.out, {"meta": meta, "series": series})
    for name, s in series.items():
        print(f"{name:>22}: fails (median accuracy < 0.9) from lag "
              f"{tasks.failure_lag(s['points'])}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
