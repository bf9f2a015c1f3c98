"""Run the protocol (rnnlab.protocol) point by point into rnnlab/results/protocol.json.

    .venv/bin/python tools/protocol.py            (`make protocol`; many hours on 2 cores)
    .venv/bin/python tools/protocol.py --plan     what has run and what runs next
    .venv/bin/python tools/protocol.py --pause    stop a running sweep where it is (SIGSTOP)
    .venv/bin/python tools/protocol.py --continue let it go on (SIGCONT)

Each finished point is written to the result file at once (with ``--commit``, also
committed); a run that stops anywhere continues with the next point when started again,
and a point cut short continues from its last record (its checkpoint is in
checkpoints/protocol/, never committed). Pause the sweep during any timing, benchmark,
browser test or CI run: its seconds of being stopped are measured and recorded apart
from its training time. ``--max-minutes`` starts no new point after that long, so that a
session can end on a finished point.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from rnnlab import checkpoint, corpus, protocol, results  # noqa: E402

FOLDER = Path("checkpoints/protocol")
PID = FOLDER / "sweep.pid"


def load_done(file: Path) -> dict:
    return results.load(file)["points"] if file.is_file() else {}


def write(file: Path, done: dict, seconds: float) -> None:
    meta = {**results.provenance(seconds),
            "about": "rnnlab.protocol: every point trained on the training split and scored "
                     "on the validation split; val_nats is scored the way the point trained",
            "common": protocol.COMMON, "point_chars": protocol.POINT_CHARS,
            "budget_chars": protocol.BUDGET_CHARS, "rate_grid": list(protocol.RATE_GRID)}
    results.write(file, {"meta": meta, "points": done})


def commit(file: Path, message: str) -> None:
    subprocess.run(["git", "add", "--", str(file)], check=True)
    subprocess.run(["git", "commit", "-q", "-m", message, "--", str(file)], check=True)


def signal_sweep(sig) -> None:
    if not PID.is_file():
        raise SystemExit(f"no sweep is running ({PID} is missing)")
    pid = int(PID.read_text())
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        raise SystemExit(f"no sweep is running (process {pid} from {PID} has ended)")
    print(f"{'paused' if sig == signal.SIGSTOP else 'continued'} the sweep (process {pid})")


def describe(record: dict) -> str:
    if record.get("val_nats") is None:
        return f"{record['key']}: diverged"
    clock = record["provenance"]
    return (f"{record['key']}: validation {record['val_nats']:.4f} "
            f"(windows {record['val_nats_windows']:.4f}, "
            f"carried {record['val_nats_carried']:.4f}; "
            f"{clock['wall_seconds'] - clock['paused_seconds']:.0f} s)")


def report(done: dict) -> None:
    """The sweep's tables as far as it has run, with the counting models on the same
    validation split (rnnlab/results/ngram_ladder.json) for scale."""
    ladder = results.load("ngram_ladder")
    for name in ("kneser_ney", "witten_bell"):
        best = min(ladder[name], key=lambda row: row["validation"])
        print(f"{name.replace('_', '-'):12} order {best['order']}: validation "
              f"{best['validation']:.4f} nats/char (counted on the training split)")
    print("\nlearning rate (validation nats/char, scored as trained; * best):")
    for row in protocol.rate_table(done):
        cells = "  ".join(f"{rate:g} {loss:.4f}{'*' if rate == row['best_rate'] else ''}"
                          for rate, loss in row["losses"].items())
        print(f"  {row['kind']}-{row['num_hiddens']:<5} {cells}"
              f"{'' if row['bracketed'] else '   (not bracketed yet)'}")
    for kind in ("rnn", "lstm"):
        spread = protocol.seed_spread(done, kind)
        if spread:
            print(f"\nseeds, {kind}-{spread['num_hiddens']} at {spread['learning_rate']:g}: "
                  + ", ".join(f"{x:.4f}" for x in spread["losses"])
                  + f"; mean {spread['mean']:.4f}, sd {spread['std']:.4f}")
    later = [r for r in done.values() if r.get("stage") in ("regimes", "depth", "budget")]
    if later:
        print("\nregimes, depth and budget (windows / carried scoring):")
        for r in later:
            print(f"  [{r['stage']}] {describe(r)}")
    budget = {r["kind"]: r["curve"] for r in done.values() if r.get("stage") == "budget"}
    if len(budget) == 2:
        print(f"\nthe kinds' order holds from {protocol.ranking_settles(budget):,} characters "
              "on")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(results.path("protocol")))
    parser.add_argument("--plan", action="store_true", help="list the finished points and "
                        "the next one, then stop")
    parser.add_argument("--report", action="store_true", help="print the sweep's tables")
    parser.add_argument("--pause", action="store_true")
    parser.add_argument("--continue", dest="resume", action="store_true")
    parser.add_argument("--commit", action="store_true", help="git commit the result file "
                        "after each point")
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="start no new point after this many minutes")
    args = parser.parse_args()
    if args.pause or args.resume:
        return signal_sweep(signal.SIGSTOP if args.pause else signal.SIGCONT)
    out = Path(args.out)
    done = load_done(out)
    if args.report:
        return report(done)
    if args.plan:
        for record in done.values():
            print(describe(record))
        upcoming = protocol.next_point(done)
        print("next:", "nothing, the sweep is complete" if upcoming is None
              else f"[{upcoming[0]}] {upcoming[1].key}")
        return
    data = corpus.load()
    protocol.git_commit()  # the code this process runs, before anything else is committed
    began = time.perf_counter()
    with checkpoint.lock(FOLDER / "sweep"):
        PID.write_text(str(os.getpid()))
        while (upcoming := protocol.next_point(done)) is not None:
            if args.max_minutes and time.perf_counter() - began > 60 * args.max_minutes:
                print(f"--max-minutes {args.max_minutes:g} reached; next: {upcoming[1].key}")
                break
            stage, point = upcoming
            print(f"[{stage}] {point.key} ...", flush=True)
            record = dict(protocol.run_point(point, data, FOLDER / f"{point.key}.npz"
                                             .replace(" ", "_")), stage=stage)
            done[point.key] = record
            seconds = sum(r["provenance"]["wall_seconds"] - r["provenance"]["paused_seconds"]
                          for r in done.values())
            write(out, done, seconds)
            print(describe(record), flush=True)
            if args.commit:
                commit(out, f"Protocol point [{stage}] {describe(record)}")
        PID.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
