"""Sampling speed: the numpy reference cell against one Keras call per character.

    .venv/bin/python benchmarks/sampling_speed.py [--kind lstm] [--chars 5000]

The "tutorial way" is what many char-RNN notebooks do: for every new character, call
``model.predict`` on the last ``window`` characters and sample from the last output.
Both ways use the same weights (the shipped model when there is one), in one run, so
the ratio is meaningful on a shared, noisy machine.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from rnnlab import corpus, models, pretrained, sampling  # noqa: E402
from rnnlab.errors import PretrainedNotAvailableError  # noqa: E402


def tutorial_way(model, seed_text, length, window, rng):
    text = seed_text
    for _ in range(length):
        ids = model.vocab.encode(text[-window:])[None]  # (1, window)
        logits = model.keras.predict(ids, verbose=0)[0, -1]  # (vocab_size,)
        p = sampling.softmax_with_temperature(logits, 1.0)
        text += model.vocab.chars[rng.choice(len(p), p=p)]
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="lstm", choices=models.KINDS)
    parser.add_argument("--chars", type=int, default=5000, help="characters for the numpy way")
    parser.add_argument("--tutorial-chars", type=int, default=40, help="for the Keras way")
    parser.add_argument("--window", type=int, default=100, help="tutorial's window length")
    args = parser.parse_args()

    try:
        model, source = pretrained.load(args.kind), "shipped weights"
    except PretrainedNotAvailableError:
        model = models.build(args.kind, corpus.load().vocab)
        source = "fresh weights (no shipped model in this checkout)"
    seed = "ROMEO.\nBut soft, what light through yonder window breaks?\n" * 2

    sampling.sample(model, seed, 50, rng=0)  # warm-up
    start = time.perf_counter()
    sampling.sample(model, seed, args.chars, rng=0)
    ours = args.chars / (time.perf_counter() - start)

    rng = np.random.default_rng(0)
    tutorial_way(model, seed, 3, args.window, rng)  # warm-up: traces predict once
    start = time.perf_counter()
    tutorial_way(model, seed, args.tutorial_chars, args.window, rng)
    theirs = args.tutorial_chars / (time.perf_counter() - start)

    print(f"model: {model} ({source})")
    print(f"numpy cell, state carried:            {ours:10,.0f} chars/s  ({args.chars} chars)")
    print(f"model.predict per char, window {args.window}:  {theirs:10,.1f} chars/s  "
          f"({args.tutorial_chars} chars)")
    print(f"ratio: {ours / theirs:,.0f}x")


if __name__ == "__main__":
    main()
