import os
import subprocess
import sys

import numpy as np
import pytest

from rnnlab import cli, models


@pytest.mark.parametrize("command", [[], ["fetch"], ["train"], ["ship"], ["generate"],
                                     ["compare"]])
def test_help(command):
    result = subprocess.run([sys.executable, "-m", "rnnlab", *command, "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "usage: python -m rnnlab" in result.stdout
    if command == ["train"]:
        assert "--max-chars" in result.stdout and "--resume" in result.stdout


def test_train_then_generate(corpus_file, tmp_path, capsys):
    ckpt, out = tmp_path / "state.npz", tmp_path / "rnn.npz"
    args = ["train", "--kind", "rnn", "--corpus", str(corpus_file), "--num-hiddens", "16",
            "--embed-dim", "8", "--batch-size", "8", "--num-steps", "20", "--max-steps", "10",
            "--eval-every", "5", "--eval-chars", "400", "--checkpoint", str(ckpt),
            "--out", str(out)]
    assert cli.main(args) == 0
    assert "wrote" in capsys.readouterr().out
    model = models.load(out, kind="rnn")
    assert model.meta["command"].startswith("python -m rnnlab train --kind rnn")
    assert model.meta["steps"] == 10 and model.meta["heldout_nats"] > 0
    assert (tmp_path / "rnn.history.json").is_file()
    assert not any(k.startswith("optimizer/") for k in __import__("numpy").load(out).files)

    # an existing checkpoint is never replaced by accident
    assert cli.main(args) == 2
    assert "exists: pass --resume to continue it" in capsys.readouterr().err

    assert cli.main(["generate", "--model", str(out), "--seed-text", "To be", "--length",
                     "40", "--rng-seed", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("To be") and len(text.rstrip("\n")) >= 45


def test_resume_without_a_checkpoint_says_it_starts_from_scratch(corpus_file, tmp_path,
                                                                 capsys):
    checkpoint = tmp_path / "new.npz"
    assert cli.main(["train", "--kind", "rnn", "--corpus", str(corpus_file), "--num-hiddens",
                     "8", "--embed-dim", "4", "--batch-size", "8", "--num-steps", "10",
                     "--max-steps", "2", "--resume", "--checkpoint", str(checkpoint)]) == 0
    assert "does not exist yet, so training starts from scratch" in capsys.readouterr().out
    assert checkpoint.exists()


def test_ship_lists_the_registry_and_refuses_unknown_names(capsys):
    from rnnlab import pretrained

    assert cli.main(["ship", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        [name, spec.label] for name, spec in pretrained.SHIPPED.items()]
    assert all("held-out 1." in line and "80M chars" in line for line in lines)
    assert cli.main(["ship", "gru"]) == 2
    assert "unknown model(s) ['gru']" in capsys.readouterr().err
    assert cli.main(["ship"]) == 2
    assert "name the models to train" in capsys.readouterr().err


def test_errors_are_one_line_not_a_traceback(tmp_path, capsys):
    assert cli.main(["train", "--kind", "lstm", "--corpus", str(tmp_path / "none.txt"),
                     "--max-steps", "1", "--checkpoint", str(tmp_path / "c.npz")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: corpus") and "none.txt" in err and "Traceback" not in err


def test_compare_states_its_budget(corpus_file, capsys):
    assert cli.main(["compare", "--corpus", str(corpus_file), "--num-hiddens", "16",
                     "--embed-dim", "8", "--batch-size", "8", "--num-steps", "20",
                     "--max-chars", "1600", "--eval-chars", "400", "--length", "30",
                     "--quiet", "--rng-seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "same characters seen: 1,600" in out
    for row in ("parameters", "validation nats/char, windows", "validation bits/char, carried"):
        assert row in out
    assert "RNN sample" in out and "LSTM sample" in out


def test_compare_match_params_sizes_the_rnn_to_the_lstm(corpus_file, capsys):
    assert cli.main(["compare", "--corpus", str(corpus_file), "--num-hiddens", "16",
                     "--embed-dim", "8", "--batch-size", "8", "--num-steps", "20",
                     "--max-steps", "2", "--eval-chars", "400", "--length", "5",
                     "--quiet", "--rng-seed", "0", "--match-params"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()
            if line.startswith(("parameters", "units"))}
    rnn_params, lstm_params = (int(n.replace(",", "")) for n in rows["parameters"])
    assert int(rows["units"][0]) > 16 == int(rows["units"][1])  # the RNN grew, the LSTM not
    assert abs(rnn_params - lstm_params) / lstm_params < 0.05


def test_compare_pretrained_scores_the_shipped_pair_on_the_held_out_tail(shakespeare,
                                                                         capsys):
    from rnnlab import pretrained, training

    assert cli.main(["compare", "--pretrained", "--eval-chars", "2000", "--length", "5",
                     "--quiet", "--rng-seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "the first 2,000 characters of the held-out split" in out
    row = next(line for line in out.splitlines()
               if line.startswith("held-out nats/char, windows"))
    printed = [float(x) for x in row.split()[-2:]]  # RNN, LSTM
    tail = shakespeare.splits().heldout[:2001]
    expected = [training.evaluate(pretrained.load(kind), tail) for kind in pretrained.KINDS]
    assert printed == pytest.approx(expected, abs=6e-4)  # printed to 3 decimals


def test_compare_refuses_the_shipped_models_on_another_vocabulary(corpus_file, capsys):
    """The shipped models read Shakespeare's 84 characters; another corpus's ids would
    give figures that mean nothing (and used to, with exit 0)."""
    assert cli.main(["compare", "--pretrained", "--corpus", str(corpus_file),
                     "--eval-chars", "400", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ids: encoded with a vocabulary of")
    assert "reads a vocabulary of 84" in err and "Traceback" not in err


def test_evaluate_refuses_ids_its_vocabulary_cannot_hold(make_model):
    from rnnlab import training
    from rnnlab.errors import VocabularyMismatchError

    model = make_model("rnn")
    V = len(model.vocab)
    with pytest.raises(VocabularyMismatchError, match=f"expected ids from 0 to {V - 1}"):
        training.evaluate(model, np.arange(V + 5) % (V + 3), num_steps=4)


@pytest.mark.parametrize("argv,words", [
    (["train", "--kind", "rnn", "--max-minutes", "0"],
     "--max-minutes: expected a finite number > 0, got '0'"),
    (["train", "--kind", "rnn", "--max-steps", "-5"], "--max-steps: expected a whole number >= 1"),
    (["train", "--kind", "rnn", "--num-hiddens", "0", "--max-steps", "1"], "--num-hiddens"),
    (["train", "--kind", "rnn", "--learning-rate", "nan", "--max-steps", "1"],
     "--learning-rate: expected a finite number > 0, got 'nan'"),
    (["generate", "--length", "-1"], "--length: expected a whole number from 0 to 100,000"),
    (["generate", "--temperature", "nan"],
     "--temperature: expected a finite number >= 0, got 'nan'"),
    (["generate", "--rng-seed", "-1"], "--rng-seed: expected a whole number >= 0"),
    (["train", "--kind", "rnn", "--seed", str(2**64), "--max-steps", "1"],
     "--seed: expected a whole number from 0 to 4,294,967,295"),
])
def test_bad_arguments_stop_with_one_line_before_tensorflow(argv, words):
    """Checked by argparse: exit 2, one line naming the argument, and TensorFlow never
    loaded (a separate interpreter, so that this test's own imports do not count)."""
    code = ("import sys\nfrom rnnlab import cli\ntry:\n    cli.main(sys.argv[1:])\n"
            "except SystemExit as exit:\n    print('exit', exit.code, 'tensorflow' in "
            "sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip() == "exit 2 False", done.stdout + done.stderr
    error = [line for line in done.stderr.splitlines() if line.startswith("python -m rnnlab")]
    assert len(error) == 1 and words in error[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize("argv,words", [
    (["train", "--kind", "rnn"], "train: give a budget: --max-steps, --max-minutes or"),
    (["compare"], "or --pretrained"),
    (["train", "--kind", "rnn", "--max-minutes", "1", "--schedule", "cosine"],
     "schedule='cosine' needs max_steps or max_chars"),
])
def test_training_settings_are_checked_before_tensorflow(argv, words):
    """In a separate interpreter, so that TensorFlow loaded by other tests does not count."""
    code = ("import sys\nfrom rnnlab import cli\ncode = cli.main(sys.argv[1:])\n"
            "print('exit', code, 'tensorflow' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.strip() == "exit 2 False", done.stdout + done.stderr
    err = done.stderr.strip()
    assert err.startswith("error: ") and words in err and len(err.splitlines()) == 1, err


def test_output_paths_are_checked_before_training(a_file_in, capsys):
    tmp_path = a_file_in
    base = ["train", "--kind", "rnn", "--max-steps", "1"]
    for extra, words in (
            (["--checkpoint", str(tmp_path / "c.npz"), "--out", "model"],
             "--out: expected a file name ending in .npz"),
            (["--checkpoint", str(tmp_path / "c.npz"), "--out", str(tmp_path)],
             f"--out: {tmp_path} is a folder"),
            (["--checkpoint", str(tmp_path)], f"--checkpoint: {tmp_path} is a folder"),
            (["--checkpoint", ""], "--checkpoint: expected a file name ending in .npz, got ''"),
            (["--checkpoint", str(tmp_path / "c.npz"), "--out", ""],
             "--out: expected a file name ending in .npz, got ''"),
            (["--checkpoint", "/proc/c.npz"], "--checkpoint: cannot write '/proc/c.npz'"),
            (["--checkpoint", str(tmp_path / "c.npz"), "--out", "/proc/out.npz"],
             "--out: cannot write '/proc/out.npz'"),
            (["--checkpoint", str(tmp_path / "a-file" / "c.npz")], "--checkpoint: cannot write"),
            (["--checkpoint", str(tmp_path / ("n" * 300 + ".npz"))],
             "--checkpoint: cannot write")):
        assert cli.main(base + extra) == 2
        assert capsys.readouterr().err.startswith(f"error: {words}")
    assert not (tmp_path / "c.npz").exists()  # nothing was trained


@pytest.fixture
def a_file_in(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path


def test_models_that_cannot_be_built_are_said_in_one_line(corpus_file, tmp_path, capsys):
    """A model too large for the machine's memory, and a corpus of one character, stop
    before TensorFlow allocates anything, in one line."""
    one = tmp_path / "one.txt"
    one.write_text("a" * 5000, encoding="utf-8")
    base = ["train", "--kind", "rnn", "--max-steps", "1", "--checkpoint", str(tmp_path / "c.npz")]
    for extra, words in ((["--corpus", str(corpus_file), "--num-hiddens", str(10**6)],
                          "ModelConfig: num_hiddens=1000000, embed_dim=64 and num_layers=1 "
                          "make 1.00e+12 weights"),
                         (["--corpus", str(corpus_file), "--embed-dim", str(10**10)],
                          "more than this machine's"),
                         (["--corpus", str(one)],
                          "vocab: expected at least 2 distinct characters to predict among, "
                          "got 'a'")):
        assert cli.main(base + extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: ") and words in err and len(err.splitlines()) == 1, err


def test_cli_defaults_are_the_libraries_defaults():
    """One source of truth: every training option defaults to its TrainConfig or
    ModelConfig field, and the choices are the library's."""
    import dataclasses

    from rnnlab import cli, models, training

    args = cli.build_parser().parse_args(["train", "--kind", "rnn", "--max-steps", "1"])
    config = cli._train_config(args)
    for field in dataclasses.fields(training.TrainConfig):
        if field.name != "max_steps":
            assert getattr(config, field.name) == field.default, field.name
    for name in cli.MODEL_OPTIONS:
        assert getattr(args, name) == getattr(models.ModelConfig(), name)
    kind = next(a for a in cli.build_parser()._subparsers._group_actions[0].choices["train"]
                ._actions if a.dest == "kind")
    assert tuple(kind.choices) == models.KINDS


def test_tensorflows_start_up_probes_stay_out_of_the_terminal():
    """On a machine without a GPU TensorFlow's C++ core prints "failed call to cuInit"
    while it starts; the command keeps it (and any such probe) off the terminal."""
    # without the level conftest sets for the tests' own process: a learner's shell has none
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    done = subprocess.run([sys.executable, "-m", "rnnlab", "generate", "--model",
                           "rnn-matched", "--length", "5", "--rng-seed", "1"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "cuInit" not in done.stderr and "cuda" not in done.stderr.lower(), done.stderr
    assert len(done.stdout) >= 5  # the seed (the default, or none) and five characters
