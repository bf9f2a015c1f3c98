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
#                perplexity(pretrained.history("lstm").meta["heldout_nats"])
#
# Exercise 1 gives 3.345, above the 3.329 of the held-out tail. The counts hardly matter
# (counted on the training split alone, the tail scores 3.3292 against 3.3289): the two
# figures differ because they are measured on different plays, the end of The Tempest,
# Timon and Titus against Troilus, Twelfth Night, The Two Gentlemen and The Winter's
# Tale. Two numbers measured on different text do not compare models.
#
# Exercise 3 (Think), a model answer. As the context grows, most contexts of the held-out
# plays occur in the training text a few times or never: the counts thin out into
# singletons. Witten-Bell trusts a context by how many different characters followed it
# against how often it was seen, so a context seen once or twice puts much of its weight
# on the one or two characters that happened to follow it, and that overconfidence costs
# more on new text than the longer context gains. Kneser-Ney subtracts a discount from
# every count, which takes most of a singleton's weight, and hands it to the shorter
# context, whose counts say how many different contexts a character follows: a better
# guess for a context never seen. Its flat end says that counting has used up what exact
# repeats of long contexts can give; what lies further back (who is speaking, where the
# line is, what the sentence is about) comes back only to a model that learns what to
# keep from text it has never seen verbatim.
