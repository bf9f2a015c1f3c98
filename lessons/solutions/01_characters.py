"""Solutions to lesson 1: Characters and the corpus."""

import numpy as np


def unigram_nats(train_ids, val_ids, vocab_size):
    """Held-out loss of the model that predicts each character by its training frequency."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0  # +1: never log(0)
    p = counts / counts.sum()  # (V,)
    return float(-np.log(p[val_ids]).mean())


def perplexity(nats):
    """The perplexity of a loss in nats per character: e ** loss."""
    return float(np.exp(nats))


# In the lesson: unigram = unigram_nats(train_ids, val_ids, len(shakespeare.vocab))
#                perplexity(pretrained.history("lstm").meta["heldout_nats"])
