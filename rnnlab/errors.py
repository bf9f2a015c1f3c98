"""Exceptions raised by rnnlab.

Each one says which input was wrong and what was expected, so a learner can fix
it without reading a traceback. They subclass the built-in exception a Python
user would already catch (``ValueError``, ``FileNotFoundError``, ...).
"""


class RnnlabError(Exception):
    """Base class of every error rnnlab raises on purpose."""


# --- corpus ---------------------------------------------------------------------------------


class CorpusNotFoundError(RnnlabError, FileNotFoundError):
    """A corpus path does not exist and is not a registered corpus name."""


class EmptyCorpusError(RnnlabError, ValueError):
    """A corpus file holds no text."""


class CorpusEncodingError(RnnlabError, ValueError):
    """A corpus file is not valid UTF-8."""


class CorpusTooShortError(RnnlabError, ValueError):
    """Text shorter than one training window (num_steps + 1 characters)."""


class CorpusUnavailableError(RnnlabError, RuntimeError):
    """The corpus is not cached and could not be downloaded (offline?)."""


class ChecksumMismatchError(RnnlabError, ValueError):
    """A downloaded or cached file does not have the pinned sha256."""


class UnknownCharactersError(RnnlabError, ValueError):
    """Text holds characters that are not in the vocabulary."""

    def __init__(self, message, unknown=()):
        super().__init__(message)
        self.unknown = tuple(unknown)


# --- models and checkpoints -----------------------------------------------------------------


class VocabularyMismatchError(RnnlabError, ValueError):
    """A model met data encoded with another vocabulary: its figures would be nonsense."""


class ModelTooLargeError(RnnlabError, ValueError):
    """A model's weights and training state would not fit in this machine's memory."""


class CheckpointError(RnnlabError, ValueError):
    """A checkpoint file is corrupt, truncated, or not an rnnlab checkpoint."""


class UnwritablePathError(RnnlabError, OSError):
    """A file the run would write cannot be written there: said before the run starts."""


class CheckpointExistsError(RnnlabError, FileExistsError):
    """Training would replace a checkpoint it was not told to continue or replace."""


class CheckpointMismatchError(CheckpointError):
    """A checkpoint holds a different kind of model or vocabulary than asked for."""


class CheckpointBusyError(CheckpointError):
    """Another process is training into this checkpoint."""


class PretrainedNotAvailableError(RnnlabError, FileNotFoundError):
    """The shipped weights are missing from this install."""


# --- files ------------------------------------------------------------------------------------


class DiskFullError(RnnlabError, OSError):
    """A file (checkpoint, cache, result) could not be written for lack of space; the
    previous file, if any, is unchanged."""

    def __str__(self):
        return self.strerror  # the one line, without OSError's "[Errno 28]" prefix


# --- training -------------------------------------------------------------------------------


class TrainingDivergedError(RnnlabError, FloatingPointError):
    """The training loss became NaN or infinite; nothing was saved from that point."""


class ArgumentError(RnnlabError, ValueError):
    """An argument out of its range or of the wrong type (``rnnlab.checks``); ``expected``
    says what it should be, in words the command line reuses."""

    def __init__(self, name: str, expected: str, value):
        self.name, self.expected, self.value = name, expected, value
        super().__init__(f"{name}: expected {expected}, got {value!r}")


class UsageError(RnnlabError, ValueError):
    """A command-line mistake found before any work: the message says the fix."""
