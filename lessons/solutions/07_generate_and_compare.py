"""Solutions to lesson 7: Generate and compare."""

import numpy as np


def softmax(logits, temperature):
    """exp(logits / T) normalised; the largest logit is subtracted first so exp cannot
    overflow (it cancels in the division)."""
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max()
    e = np.exp(z)
    return e / e.sum()


# Exercise 2 (Explore), a model answer. Greedy decoding is a function of the state: the
# same state gives the same next character, and the state mostly reflects the last few
# characters. Once the text comes back to a stretch it has produced before, the state
# comes back close to where it was, the same characters follow, and the text cycles.
# Sampling draws from the whole distribution, so sooner or later a less likely character
# is drawn, the state moves somewhere new, and the loop is broken.
