"""Command line: ``python -m rnnlab fetch | train | generate | compare``."""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is first imported

from rnnlab.errors import RnnlabError, UsageError  # noqa: E402
from rnnlab.models import KINDS  # noqa: E402  (no TensorFlow at import)
from rnnlab.sampling import MAX_LENGTH  # noqa: E402
from rnnlab.training import LN2, SCHEDULES  # noqa: E402  (no TensorFlow at import)


def _number(kind, what: str, low=None, high=None, above=None):
    """An argparse type: a finite ``kind`` (int or float) in the given bounds. A bad value
    stops the command with argparse's one-line error, before TensorFlow is loaded."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if (not math.isfinite(value) or (low is not None and value < low)
                or (high is not None and value > high) or (above is not None and value <= above)):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value
    return parse


POSITIVE_INT = _number(int, "a whole number >= 1", low=1)
POSITIVE = _number(float, "a number > 0", above=0)


def _budget_args(parser):
    group = parser.add_argument_group("budget (the first one spent ends training)")
    group.add_argument("--max-chars", type=POSITIVE_INT,
                       help="characters seen (steps x batch x num_steps)")
    group.add_argument("--max-minutes", type=POSITIVE, help="wall-clock minutes")
    group.add_argument("--max-steps", type=POSITIVE_INT, help="optimizer steps")


NON_NEGATIVE_INT = _number(int, "a whole number >= 0", low=0)


def _training_args(parser):
    add = parser.add_argument
    add("--corpus", default="shakespeare", help="corpus name or UTF-8 file")
    add("--num-hiddens", type=POSITIVE_INT, default=256, help="recurrent units")
    add("--embed-dim", type=POSITIVE_INT, default=64, help="character embedding size")
    add("--batch-size", type=POSITIVE_INT, default=64)
    add("--num-steps", type=POSITIVE_INT, default=100, help="characters per window")
    add("--learning-rate", type=POSITIVE, default=2e-3, help="Adam learning rate")
    add("--schedule", choices=SCHEDULES, default="constant")
    add("--global-clipnorm", type=POSITIVE, default=None, help="clip the gradient's global norm")
    add("--seed", type=NON_NEGATIVE_INT, default=0, help="initial weights and data order")
    add("--eval-every", type=POSITIVE_INT, default=None, help="steps between records")
    add("--eval-chars", type=POSITIVE_INT, default=100_000, help="held-out characters per record")


def _fetch(args):
    from rnnlab import corpus

    text_path = corpus.fetch(args.corpus, refresh=args.refresh)
    loaded = corpus.load(args.corpus)
    print(f"corpus   {loaded.name}")
    print(f"cached   {text_path}")
    print(f"chars    {len(loaded):,}")
    print(f"vocab    {len(loaded.vocab)} characters")
    print(f"sha256   {loaded.sha256}")
    print(f"credit   {corpus.SOURCES[args.corpus].credit}")


def _train_kwargs(args):
    return dict(
        max_steps=args.max_steps,
        max_minutes=args.max_minutes,
        max_chars=args.max_chars,
        batch_size=args.batch_size,
        num_steps=args.num_steps,
        learning_rate=args.learning_rate,
        schedule=args.schedule,
        global_clipnorm=args.global_clipnorm,
        seed=args.seed,
        eval_every=args.eval_every,
        eval_chars=args.eval_chars,
    )


def _check_npz_path(option: str, path: Path) -> None:
    """A file name ending in .npz that is not a folder: said before any training."""
    if path.is_dir():
        raise UsageError(f"{option}: {path} is a folder; give a file name ending in .npz, "
                         f"e.g. {path / 'model.npz'}")
    if path.suffix != ".npz":
        raise UsageError(f"{option}: expected a file name ending in .npz, got {str(path)!r}")


def _train(args):
    from rnnlab import corpus, models, training

    checkpoint = Path(args.checkpoint or f"checkpoints/{args.kind}.npz")
    _check_npz_path("--checkpoint", checkpoint)
    if args.out:
        _check_npz_path("--out", Path(args.out))
    if checkpoint.exists() and not (args.resume or args.restart):
        raise UsageError(
            f"checkpoint {checkpoint} exists: pass --resume to continue it, or --restart to "
            "train from scratch and replace it"
        )
    data = corpus.load(args.corpus)
    model = models.build(
        args.kind, data.vocab, num_hiddens=args.num_hiddens, embed_dim=args.embed_dim,
        seed=args.seed,
    )
    print(f"{model}; corpus {data.name!r}, {len(data):,} chars; checkpoint {checkpoint}")
    if args.resume and not checkpoint.exists():
        print(f"--resume: {checkpoint} does not exist yet, so training starts from scratch "
              "(and writes it)")
    history = training.train(
        model, data, checkpoint=checkpoint, resume=args.resume, overwrite=args.restart,
        **_train_kwargs(args)
    )
    if not history:
        print("nothing to train: the budget is already spent")
        return
    if args.out:
        _export(model, data, history, args)


def _export(model, data, history, args):
    """Write the weights (without optimizer state) and the history for shipping."""
    from rnnlab import training
    from rnnlab.checkpoint import write_bytes_atomically

    _, val_ids = data.split()
    heldout = training.evaluate(model, val_ids, num_steps=args.num_steps)
    command = "python -m rnnlab " + shlex.join(args.argv)
    final = history.final
    out = Path(args.out)
    model.save(
        out,
        command=command,
        corpus=data.name,
        corpus_sha256=data.sha256,
        budget=history.meta["budget"],
        steps=final["step"],
        chars_seen=final["chars_seen"],
        seconds=final["seconds"],
        heldout_chars=len(val_ids),
        heldout_nats=heldout,
        heldout_bpc=heldout / LN2,
        training={k: v for k, v in history.meta.items() if k not in ("kind",)},
    )
    history.meta.update(command=command, heldout_nats=heldout, heldout_bpc=heldout / LN2)
    history_path = out.with_name(out.name.replace(".npz", ".history.json"))
    write_bytes_atomically(history_path, (history.to_json(indent=1) + "\n").encode("utf-8"))
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and {history_path}: held-out "
        f"{heldout:.3f} nats/char ({heldout / LN2:.3f} bpc) over {len(val_ids):,} chars"
    )


def _load_model(spec: str):
    from rnnlab import models, pretrained

    if spec in pretrained.NAMES:
        return pretrained.load(spec)
    return models.load(spec)


def _generate(args):
    from rnnlab import sampling

    model = _load_model(args.model)
    text = sampling.generate(
        model, args.seed_text, length=args.length, temperature=args.temperature,
        rng=args.rng_seed,
    )
    print(text)


def _compare(args):
    from rnnlab import corpus, models, pretrained, sampling, training

    data = corpus.load(args.corpus)
    if args.pretrained:
        pair = pretrained.pair()
        budget = "the shipped models (" + ", ".join(
            f"{kind}: {m.meta.get('chars_seen', 0):,} chars" for kind, m in pair.items()
        ) + ")"
    else:
        if not (args.max_chars or args.max_minutes or args.max_steps):
            raise UsageError("compare: give --pretrained or a budget (--max-chars, ...)")
        pair = {}
        rnn_config = models.ModelConfig(args.num_hiddens, args.embed_dim, args.seed)
        if args.match_params:
            rnn_config = models.param_matched_config("rnn", len(data.vocab), "lstm", rnn_config)
        for kind in models.KINDS:
            config = rnn_config if kind == "rnn" else models.ModelConfig(
                args.num_hiddens, args.embed_dim, args.seed
            )
            pair[kind] = models.build(kind, data.vocab, config)
            training.train(pair[kind], data, progress=not args.quiet, **_train_kwargs(args))
        parts = []
        if args.max_chars:
            parts.append(f"same characters seen: {args.max_chars:,}")
        if args.max_minutes:
            parts.append(f"same minutes: {args.max_minutes:g} each")
        if args.max_steps:
            parts.append(f"same steps: {args.max_steps:,}")
        budget = "; ".join(parts) + " (whichever ends first)"
    _, val_ids = data.split()
    val_ids = val_ids[: args.eval_chars + 1]
    rows = []
    for kind, model in pair.items():
        nats = training.evaluate(model, val_ids, num_steps=args.num_steps, vocab=data.vocab)
        rows.append((kind, model, nats))
    print(f"\nbudget: {budget}")
    print(f"held-out text: the first {len(val_ids) - 1:,} characters of the validation split")
    V = len(data.vocab)
    print(f"know-nothing baseline ln({V}) = {math.log(V):.3f} nats/char\n")
    print(f"{'':24}" + "".join(f"{kind.upper():>16}" for kind, _, _ in rows))
    print(f"{'parameters':24}" + "".join(f"{m.num_params:>16,}" for _, m, _ in rows))
    print(f"{'units':24}" + "".join(f"{m.config.num_hiddens:>16}" for _, m, _ in rows))
    seen = [m.meta.get("chars_seen") for _, m, _ in rows]
    print(f"{'characters seen':24}" + "".join(f"{(s or 0):>16,}" for s in seen))
    print(f"{'held-out nats/char':24}" + "".join(f"{n:>16.3f}" for _, _, n in rows))
    print(f"{'held-out bits/char':24}" + "".join(f"{n / LN2:>16.3f}" for _, _, n in rows))
    for kind, model, _ in rows:
        text = sampling.generate(
            model, args.seed_text, length=args.length, temperature=args.temperature,
            rng=args.rng_seed,
        )
        print(f"\n--- {kind.upper()} sample (temperature {args.temperature:g}) ---")
        print(textwrap.indent(text, "  "))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rnnlab",
        description="Train, sample and compare the vanilla RNN and LSTM character models.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    fetch = sub.add_parser("fetch", help="download and cache a corpus (pinned, hash-checked)")
    fetch.add_argument("corpus", nargs="?", default="shakespeare")
    fetch.add_argument("--refresh", action="store_true", help="download again")
    fetch.set_defaults(run=_fetch)

    train = sub.add_parser("train", help="train one model, resumably")
    train.add_argument("--kind", choices=KINDS, required=True)
    _training_args(train)
    _budget_args(train)
    train.add_argument("--checkpoint", help="training state file (default checkpoints/KIND.npz)")
    state = train.add_mutually_exclusive_group()
    state.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    state.add_argument("--restart", action="store_true", help="replace an existing checkpoint")
    train.add_argument(
        "--out", help="also write the final weights and history for shipping (NAME.npz)"
    )
    train.set_defaults(run=_train)

    sample_args = argparse.ArgumentParser(add_help=False)
    sample_args.add_argument("--seed-text", default="", help="text to start from")
    length = _number(int, f"a whole number from 0 to {MAX_LENGTH:,}", low=0, high=MAX_LENGTH)
    sample_args.add_argument("--length", type=length, default=300,
                             help="characters to generate")
    sample_args.add_argument("--temperature", type=_number(float, "a number >= 0", low=0),
                             default=0.8, help="0 is greedy")
    sample_args.add_argument("--rng-seed", type=NON_NEGATIVE_INT, default=None,
                             help="for repeatable text")

    generate = sub.add_parser("generate", parents=[sample_args], help="sample text")
    generate.add_argument(
        "--model", default="lstm", help="'rnn' or 'lstm' (the shipped ones) or a checkpoint path"
    )
    generate.set_defaults(run=_generate)

    compare = sub.add_parser(
        "compare", parents=[sample_args], help="RNN and LSTM side by side on one budget"
    )
    compare.add_argument("--pretrained", action="store_true", help="use the shipped models")
    compare.add_argument(
        "--match-params", action="store_true", help="size the RNN to the LSTM's parameter count"
    )
    compare.add_argument("--quiet", action="store_true", help="no progress lines")
    _training_args(compare)
    _budget_args(compare)
    compare.set_defaults(run=_compare)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv  # recorded in what `train --out` writes
    try:
        args.run(args)
    except RnnlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
