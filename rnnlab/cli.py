"""Command line: ``python -m rnnlab fetch | train | generate | compare``."""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import shlex
import sys
import textwrap
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is first imported

# None of these imports TensorFlow: `--help` and argument mistakes answer at once.
from rnnlab import checks  # noqa: E402
from rnnlab.errors import ArgumentError, RnnlabError, UsageError  # noqa: E402
from rnnlab.models import KINDS, MAX_SEED, PRECISIONS, ModelConfig  # noqa: E402
from rnnlab.sampling import MAX_LENGTH  # noqa: E402
from rnnlab.training import LN2, SCHEDULES, TrainConfig  # noqa: E402


def _argument(check, *bounds, **options):
    """An argparse type from one of ``rnnlab.checks``: the text is read as a number and
    checked exactly as the library checks it, so a bad value stops the command with
    argparse's one-line error (exit 2), before TensorFlow is loaded."""
    def parse(text: str):
        try:
            value = float(text)  # "3.0" and "1e6" are whole numbers too
            if check is checks.whole and text.strip().lstrip("+-").isdigit():
                value = int(text)  # exact, however long
        except ValueError:
            value = text  # the check names it as it came
        try:
            return check("", value, *bounds, **options)
        except ArgumentError as exc:  # said with what was typed ("0", not 0.0)
            raise argparse.ArgumentTypeError(f"expected {exc.expected}, got {text!r}") from None
    return parse


POSITIVE_INT = _argument(checks.whole)
NON_NEGATIVE_INT = _argument(checks.whole, 0)
SEED = _argument(checks.whole, 0, MAX_SEED)
POSITIVE = _argument(checks.positive)
LENGTH = _argument(checks.whole, 0, MAX_LENGTH)


TEMPERATURE = _argument(checks.non_negative)
DROPOUT = SHARE = _argument(checks.fraction, allow_zero=True)

# The options that set ModelConfig fields (the others set TrainConfig's).
MODEL_OPTIONS = ("num_hiddens", "embed_dim", "num_layers", "dropout", "precision")


def _default(config_class, name: str):
    return next(f.default for f in dataclasses.fields(config_class) if f.name == name)


def _budget_args(parser):
    group = parser.add_argument_group("budget (the first one spent ends training)")
    group.add_argument("--max-chars", type=POSITIVE_INT,
                       help="characters seen (steps x batch x num_steps)")
    group.add_argument("--max-minutes", type=POSITIVE, help="wall-clock minutes")
    group.add_argument("--max-steps", type=POSITIVE_INT, help="optimizer steps")


def _training_args(parser):
    """The model's and the training's settings, with the defaults of ModelConfig and
    TrainConfig (one source: the library's)."""
    add = parser.add_argument

    def config(name):
        owner = ModelConfig if name in MODEL_OPTIONS else TrainConfig
        return {"default": _default(owner, name)}

    add("--corpus", default="shakespeare", help="corpus name or UTF-8 file")
    add("--num-hiddens", type=POSITIVE_INT, help="recurrent units", **config("num_hiddens"))
    add("--embed-dim", type=POSITIVE_INT, help="character embedding size",
        **config("embed_dim"))
    add("--batch-size", type=POSITIVE_INT, **config("batch_size"))
    add("--num-steps", type=POSITIVE_INT, help="characters per window", **config("num_steps"))
    add("--learning-rate", type=POSITIVE, help="Adam learning rate", **config("learning_rate"))
    add("--schedule", choices=SCHEDULES, **config("schedule"))
    add("--global-clipnorm", type=POSITIVE, help="clip the gradient's global norm",
        **config("global_clipnorm"))
    add("--seed", type=SEED, help="initial weights and data order", **config("seed"))
    add("--eval-every", type=POSITIVE_INT, help="steps between records", **config("eval_every"))
    add("--num-layers", type=POSITIVE_INT, help="recurrent layers", **config("num_layers"))
    add("--dropout", type=DROPOUT, help="share of the embedding and of the top layer's "
        "output zeroed in training", **config("dropout"))
    add("--precision", choices=PRECISIONS, help="the layers' arithmetic (weights stay "
        "float32)", **config("precision"))
    add("--eval-chars", type=POSITIVE_INT, help="validation characters per record",
        **config("eval_chars"))
    add("--validation-fraction", type=SHARE, help="share of the text before the held-out "
        "tail that records are measured on (0: the held-out tail)",
        **config("validation_fraction"))
    add("--carry-state", action="store_true", help="read contiguous streams, carrying the "
        "state from window to window (truncated BPTT), and score the same way")


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


def _train_config(args) -> "TrainConfig":
    """The TrainConfig the options describe: every field but heldout_fraction has an
    option of its name (the CLI always holds out the last tenth, as the shipped models
    did)."""
    if not (args.max_chars or args.max_minutes or args.max_steps):
        raise UsageError(f"{args.command}: give a budget: --max-steps, --max-minutes or "
                         "--max-chars" + (", or --pretrained" if args.command == "compare"
                                          else ""))
    fields = set(TrainConfig.fields()) - {"heldout_fraction"}  # the held-out tail: fixed
    try:
        return TrainConfig(**{name: getattr(args, name) for name in fields})
    except ValueError as exc:  # e.g. a cosine schedule on a budget of minutes
        raise UsageError(str(exc)) from None


def _check_npz_path(option: str, text: str) -> Path:
    """A file name ending in .npz, not a folder, where a file can be written: said before
    any training (not at its first save, or after it, at the export)."""
    from rnnlab import checkpoint as ckpt

    if not text.strip():
        raise UsageError(f"{option}: expected a file name ending in .npz, got {text!r}")
    path = Path(text)
    try:
        is_dir = path.is_dir()
    except OSError:  # a name too long, say: check_writable below says so
        is_dir = False
    if is_dir:
        raise UsageError(f"{option}: {path} is a folder; give a file name ending in .npz, "
                         f"e.g. {path / 'model.npz'}")
    if path.suffix != ".npz":
        raise UsageError(f"{option}: expected a file name ending in .npz, got {str(path)!r}")
    return ckpt.check_writable(path, option)


def _check_out_path(text: str, checkpoint: Path) -> Path:
    """--out names the shipped model, a file of its own: never the training checkpoint
    (the export would replace the state a resume needs), never another run's."""
    from rnnlab import checkpoint as ckpt
    from rnnlab import resume

    out = _check_npz_path("--out", text)
    if out.resolve() == checkpoint.resolve():
        raise UsageError(f"--out and --checkpoint are both {str(out)!r}: the export would "
                         "replace the training state; give --out another file name")
    if out.is_file():
        try:
            role = ckpt.read_meta(out).get("role")
        except RnnlabError:
            role = None
        if role == resume.ROLE:
            raise UsageError(f"--out: {str(out)!r} is a training checkpoint; give --out "
                             "another file name")
    return out


def _train(args):
    from rnnlab import corpus, models, training

    checkpoint = _check_npz_path("--checkpoint", f"checkpoints/{args.kind}.npz"
                                 if args.checkpoint is None else args.checkpoint)
    out = None if args.out is None else _check_out_path(args.out, checkpoint)
    if args.extend and not args.resume:
        raise UsageError("--extend goes on from a checkpoint: give --resume too")
    config = _train_config(args)
    training.check_checkpoint(checkpoint, args.resume, args.restart,
                              flags=("--resume", "--restart"))
    data = corpus.load(args.corpus)
    _start_tensorflow()
    model = models.build(args.kind, data.vocab, seed=args.seed,
                         **{name: getattr(args, name) for name in MODEL_OPTIONS})
    print(f"{model}; corpus {data.name!r}, {len(data):,} chars; checkpoint {checkpoint}")
    if args.resume and not checkpoint.exists():
        print(f"--resume: {checkpoint} does not exist yet, so training starts from scratch "
              "(and writes it)")
    history = training.train(model, data, config, checkpoint=checkpoint, resume=args.resume,
                             overwrite=args.restart, extend=args.extend)
    if not history:
        print("nothing to train: the budget is already spent")
        return
    if out is not None:
        _export(model, data, history, out, args.num_steps,
                "python -m rnnlab " + shlex.join(args.argv))


def _ship(args):
    """Train shipped models on the recipe (pretrained.recipe()), phase by phase,
    resumably, and write their weights and histories to the weights folder."""
    from rnnlab import corpus, models, pretrained, training

    if args.list:
        for spec in pretrained.SHIPPED.values():
            print(_shipped_line(spec))
        return
    if not args.names:
        raise UsageError(f"ship: name the models to train: {', '.join(pretrained.SHIPPED)}")
    unknown = [name for name in args.names if name not in pretrained.SHIPPED]
    if unknown:
        raise UsageError(f"ship: unknown model(s) {unknown}; expected names from "
                         f"{list(pretrained.SHIPPED)}")
    data = corpus.load()
    _start_tensorflow()
    out_dir = Path(args.out_dir) if args.out_dir else pretrained.weights_dir()
    for name in args.names:
        spec = pretrained.SHIPPED[name]
        checkpoint = Path(f"checkpoints/pretrained-{name}.npz")
        model = models.build(spec.kind, data.vocab, spec.model_config())
        print(f"{spec.label}: {model}; checkpoint {checkpoint}")
        for phase, config in enumerate(pretrained.recipe()):
            history = training.train(model, data, config, checkpoint=checkpoint,
                                     resume=True, extend=phase > 0)
        _export(model, data, history, out_dir / f"{name}.npz", config.num_steps,
                f"python -m rnnlab ship {name}")


def _shipped_line(spec) -> str:
    """One shipped model as ``ship --list`` says it: what it is, what it scored and how
    long its recorded training took."""
    from rnnlab import pretrained

    line = f"{spec.name:12} {spec.label:9} make {spec.make_target:19}"
    try:
        history = pretrained.history(spec.name)
    except (RnnlabError, FileNotFoundError):
        return line + "not trained here"
    return (line + f"held-out {history.meta['heldout_nats']:.3f} nats/char, "
            f"{history.final['chars_seen'] / 1e6:.0f}M chars in "
            f"{history.final['seconds'] / 60:.0f} minutes")


def _export(model, data, history, out: Path, num_steps: int, command: str):
    """Write the weights (without optimizer state) and the history for shipping."""
    from rnnlab import training
    from rnnlab.checkpoint import write_bytes_atomically

    heldout_ids = data.splits().heldout
    # scored both ways; the way the model trained is the one it is quoted by
    scores = {scoring: training.evaluate(model, heldout_ids, num_steps=num_steps,
                                         carry=scoring == "carried")
              for scoring in ("windows", "carried")}
    scoring = history.meta.get("scoring", "windows")
    heldout = scores[scoring]
    final = history.final
    model.save(
        out,
        command=command,
        corpus=data.name,
        corpus_sha256=data.sha256,
        budget=history.meta["budget"],
        steps=final["step"],
        chars_seen=final["chars_seen"],
        seconds=final["seconds"],
        heldout_chars=len(heldout_ids),
        heldout_nats=heldout,
        heldout_bpc=heldout / LN2,
        heldout_scoring=scoring,
        heldout_nats_by_scoring=scores,
        training={k: v for k, v in history.meta.items() if k not in ("kind",)},
    )
    history.meta.update(command=command, heldout_nats=heldout, heldout_bpc=heldout / LN2,
                        heldout_scoring=scoring, heldout_nats_by_scoring=scores)
    history_path = out.with_name(out.name.replace(".npz", ".history.json"))
    write_bytes_atomically(history_path, (history.to_json(indent=1) + "\n").encode("utf-8"))
    print(
        f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) and {history_path}: held-out "
        f"{heldout:.3f} nats/char ({heldout / LN2:.3f} bpc, {scoring}) over "
        f"{len(heldout_ids):,} chars"
    )


def _start_tensorflow() -> None:
    """Start TensorFlow once the arguments are checked. The driver probes its C++ core
    prints while starting ("failed call to cuInit" on a machine without a GPU) are kept
    out of the terminal: they read like errors and are not."""
    from rnnlab import settings

    settings.start_tensorflow()


def _load_model(spec: str):
    from rnnlab import models, pretrained

    if spec in pretrained.NAMES:
        return pretrained.load(spec)
    return models.load(spec)


def _generate(args):
    from rnnlab import sampling

    _start_tensorflow()
    model = _load_model(args.model)
    text = sampling.generate(
        model, args.seed_text, length=args.length, temperature=args.temperature,
        rng=args.rng_seed,
    )
    print(text)


def _compare(args):
    from rnnlab import corpus, models, pretrained, sampling, training

    train_config = None if args.pretrained else _train_config(args)
    data = corpus.load(args.corpus)
    _start_tensorflow()
    if args.pretrained:
        pair = pretrained.pair()
        budget = "the shipped models (" + ", ".join(
            f"{kind}: {m.meta.get('chars_seen', 0):,} chars" for kind, m in pair.items()
        ) + ")"
    else:
        pair = {}
        lstm_config = models.ModelConfig(seed=args.seed,
                                         **{name: getattr(args, name) for name in MODEL_OPTIONS})
        rnn_config = lstm_config
        if args.match_params:
            rnn_config = models.param_matched_config("rnn", len(data.vocab), "lstm",
                                                     lstm_config)
        for kind in models.KINDS:
            model_config = rnn_config if kind == "rnn" else lstm_config
            pair[kind] = models.build(kind, data.vocab, model_config)
            training.train(pair[kind], data, train_config, progress=not args.quiet)
        parts = []
        if args.max_chars:
            parts.append(f"same characters seen: {args.max_chars:,}")
        if args.max_minutes:
            parts.append(f"same minutes: {args.max_minutes:g} each")
        if args.max_steps:
            parts.append(f"same steps: {args.max_steps:,}")
        budget = "; ".join(parts) + " (whichever ends first)"
    # Models trained here are compared on the validation split (held-out text stays for
    # final models); the shipped ones trained on it, so they are scored on the held-out tail.
    splits = data.splits()
    split = "held-out" if args.pretrained else "validation"
    scored = (splits.heldout if args.pretrained else splits.validation)[: args.eval_chars + 1]
    rows = []
    for kind, model in pair.items():
        nats = {carry: training.evaluate(model, scored, num_steps=args.num_steps,
                                         vocab=data.vocab, carry=carry)
                for carry in (False, True)}
        rows.append((kind, model, nats))
    print(f"\nbudget: {budget}")
    print(f"scored on: the first {len(scored) - 1:,} characters of the {split} split; "
          f"windows: {args.num_steps} characters, each from a zero state; carried: one pass "
          "that carries the state")
    V = len(data.vocab)
    print(f"know-nothing baseline ln({V}) = {math.log(V):.3f} nats/char\n")
    print(f"{'':32}" + "".join(f"{kind.upper():>16}" for kind, _, _ in rows))
    print(f"{'parameters':32}" + "".join(f"{m.num_params:>16,}" for _, m, _ in rows))
    print(f"{'units':32}" + "".join(f"{m.config.num_hiddens:>16}" for _, m, _ in rows))
    seen = [m.meta.get("chars_seen") for _, m, _ in rows]
    print(f"{'characters seen':32}" + "".join(f"{(s or 0):>16,}" for s in seen))
    for carry, how in ((False, "windows"), (True, "carried")):
        print(f"{split + ' nats/char, ' + how:32}"
              + "".join(f"{n[carry]:>16.3f}" for _, _, n in rows))
        print(f"{split + ' bits/char, ' + how:32}"
              + "".join(f"{n[carry] / LN2:>16.3f}" for _, _, n in rows))
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
    train.add_argument("--extend", action="store_true", help="with --resume: go on to a "
                       "bigger budget than the checkpoint's, re-planning the schedule")
    train.add_argument(
        "--out", help="also write the final weights and history for shipping (NAME.npz)"
    )
    train.set_defaults(run=_train)

    ship = sub.add_parser("ship", help="train shipped models on the shipped recipe, "
                          "resumably (make pretrained)")
    ship.add_argument("names", nargs="*", help="rnn, lstm, rnn-matched (rnnlab.pretrained)")
    ship.add_argument("--list", action="store_true", help="say what each shipped model is, "
                      "what it scored and how long it trained")
    ship.add_argument("--out-dir", help="where the weights go (default: the installed "
                      "rnnlab/weights)")
    ship.set_defaults(run=_ship)

    sample_args = argparse.ArgumentParser(add_help=False)
    sample_args.add_argument("--seed-text", default="", help="text to start from")
    sample_args.add_argument("--length", type=LENGTH, default=300,
                             help="characters to generate")
    sample_args.add_argument("--temperature", type=TEMPERATURE,
                             default=0.8, help="0 is greedy")
    sample_args.add_argument("--rng-seed", type=NON_NEGATIVE_INT, default=None,
                             help="for repeatable text")

    generate = sub.add_parser("generate", parents=[sample_args], help="sample text")
    generate.add_argument(
        "--model", default="lstm", help="a shipped model ('rnn', 'lstm' or 'rnn-matched': "
        "python -m rnnlab ship --list) or a checkpoint path"
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
