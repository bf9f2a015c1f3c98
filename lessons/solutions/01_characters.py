"""Solutions to lesson 1: Characters and the corpus."""

import numpy as np


def unigram_nats(train_ids, val_ids, vocab_size):
    """Loss on val_ids of the model that predicts each character by its frequency in
    train_ids."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0  # +1: never log(0)
    p = counts / counts.sum()  # (V,)
    return float(-np.log(p[val_ids]).mean())


def perplexity(nats):
    """The perplexity of a loss in nats per character: e ** loss."""
    return float(np.exp(nats))


# In the lesson: splits = shakespeare.splits()
#                unigram_nats(splits.train, splits.validation, len(shakespeare.vocab))
# It gives 3.345, above the 3.329 of the held-out tail. The counts hardly matter (counted
# on the training split alone, the tail scores 3.3292 against 3.3289): the two figures
# differ because they are measured on different plays, the end of The Tempest, Timon and
# Titus against Troilus, Twelfth Night, The Two Gentlemen and The Winter's Tale. Two
# numbers measured on different text do not compare models.
#                perplexity(pretrained.history("lstm").meta["heldout_nats"])
