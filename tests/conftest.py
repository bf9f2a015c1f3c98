"""Shared fixtures: small corpora and models that train in seconds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402

from rnnlab import corpus, models  # noqa: E402

# A few thousand characters with structure a model can pick up in a few steps.
TINY_TEXT = (
    "To be, or not to be, that is the question:\n"
    "Whether 'tis nobler in the mind to suffer\n"
    "The slings and arrows of outrageous fortune,\n"
    "Or to take arms against a sea of troubles.\n"
) * 60


@pytest.fixture(scope="session")
def tiny_corpus():
    return corpus.Corpus.from_text(TINY_TEXT, name="tiny")


@pytest.fixture
def corpus_file(tmp_path):
    """The tiny corpus as a file, for the command line."""
    path = tmp_path / "tiny.txt"
    path.write_text(TINY_TEXT)
    return path


@pytest.fixture(scope="session")
def shakespeare():
    return corpus.load("shakespeare")


@pytest.fixture
def make_model(tiny_corpus):
    def make(kind, vocab=None, **overrides):
        overrides.setdefault("num_hiddens", 16)
        overrides.setdefault("embed_dim", 8)
        return models.build(kind, vocab or tiny_corpus.vocab, **overrides)

    return make
