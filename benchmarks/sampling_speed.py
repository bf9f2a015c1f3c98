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


def measure(kind="lstm", chars=5000, tutorial_chars=40, window=100) -> dict:
    """Characters per second both ways, on the same weights, in one run."""
    try:
        model, source = pretrained.load(kind), "shipped weights"
    except PretrainedNotAvailableError:
        model = models.build(kind, corpus.load().vocab)
        source = "fresh weights (no shipped model in this checkout)"
    seed = "ROMEO.\nBut soft, what light through yonder window breaks?\n" * 2

    sampling.sample(model, seed, 50, rng=0)  # warm-up
    start = time.perf_counter()
    sampling.sample(model, seed, chars, rng=0)
    ours = chars / (time.perf_counter() - start)

    rng = np.random.default_rng(0)
    tutorial_way(model, seed, 3, window, rng)  # warm-up: traces predict once
    start = time.perf_counter()
    tutorial_way(model, seed, tutorial_chars, window, rng)
    theirs = tutorial_chars / (time.perf_counter() - start)
    return {"model": model, "source": source, "numpy": ours, "predict": theirs,
            "ratio": ours / theirs}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", default="lstm", choices=models.KINDS)
    parser.add_argument("--chars", type=int, default=5000, help="characters for the numpy way")
    parser.add_argument("--tutorial-chars", type=int, default=40, help="for the Keras way")
    parser.add_argument("--window", type=int, default=100, help="tutorial's window length")
    args = parser.parse_args()
    r = measure(args.kind, args.chars, args.tutorial_chars, args.window)
    print(f"model: {r['model']} ({r['source']})")
    print(f"numpy cell, state carried:            {r['numpy']:10,.0f} chars/s  "
          f"({args.chars} chars)")
    print(f"model.predict per char, window {args.window}:  {r['predict']:10,.1f} chars/s  "
          f"({args.tutorial_chars} chars)")
    print(f"ratio: {r['ratio']:,.0f}x")


if __name__ == "__main__":
    main()
