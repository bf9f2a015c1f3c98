"""One-file checkpoints: numpy arrays plus a JSON entry, written atomically.

A checkpoint is an ``.npz`` archive (a zip of ``.npy`` arrays). Its metadata is a
UTF-8 JSON document stored as a uint8 array under ``META_KEY``. Everything is read
back with ``allow_pickle=False``: loading a checkpoint never runs code.

Writes go to a temporary file in the same folder, are flushed to disk, then renamed
over the target (``os.replace`` is atomic on POSIX and Windows). An interrupted
write leaves the previous checkpoint as it was.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from rnnlab.errors import (
    CheckpointBusyError, CheckpointError, DiskFullError, UnwritablePathError,
)

META_KEY = "__meta__.json"
FORMAT = "rnnlab-checkpoint"
FORMAT_VERSION = 1


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable: fsync the folder that holds the entry (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# A temporary file this much older than now is left over from a killed write (a write
# takes seconds): the next write to the same file removes it.
STALE_TEMPORARY_S = 600


def _remove_stale_temporaries(path: Path) -> None:
    now = time.time()
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if now - leftover.stat().st_mtime > STALE_TEMPORARY_S:
                leftover.unlink()
        except OSError:
            pass  # another process's file, or already gone: not this write's business


def check_writable(path: str | os.PathLike, name: str) -> Path:
    """That a file can be written at ``path`` as ``_write_atomically`` writes it: its folder
    made (or there) and a temporary beside it created and removed. An
    UnwritablePathError naming ``name`` otherwise (a folder that is a file, a system
    folder such as /proc, a name too long), so that a training learns it before it
    starts rather than at its first save."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnwritablePathError(
            f"{name}: cannot write {str(path)[:120]!r} ({reason}); expected a "
            "file name, not too long, in a folder you can write to") from None
    return path


def _write_atomically(path: Path, write_to) -> Path:
    """Call ``write_to(file)`` on a temporary file beside ``path``, then rename it over
    ``path``: readers see the old file or the new one, never half of one. Temporaries
    that a killed write left beside ``path`` are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write_to(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; these are not secret
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            kept = "the previous file is unchanged" if path.exists() else "nothing was written"
            raise DiskFullError(exc.errno, f"{path}: the disk is full, so it was not saved "
                                f"({kept}); free some space and save again") from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)
    return path


@contextlib.contextmanager
def lock(path: str | os.PathLike):
    """Hold the one-writer lock of the checkpoint ``path`` for the ``with`` block.

    The lock is an ``flock`` on a hidden file beside the checkpoint (``.NAME.lock``),
    which the system releases when the process ends, however it ends (kill -9 too): a
    crashed run never leaves a checkpoint locked. A second process asking for it gets
    CheckpointBusyError at once, naming the holder, instead of two runs interleaving
    their saves. Where ``fcntl`` does not exist (Windows), the block runs unlocked.
    """
    path = Path(path)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.parent / f".{path.name}.lock"
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
            os.close(fd)
            raise CheckpointBusyError(
                f"checkpoint {str(path)!r} is being trained by another process ({holder}): "
                "wait for it to finish, or train into another checkpoint file") from None
        # The holder before us may have removed the file between our open and our lock:
        # the lock counts only on the file that is still at lock_path.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}, since "
                  f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(), 0)
        yield
    finally:
        lock_path.unlink(missing_ok=True)  # before the unlock: see the check above
        os.close(fd)


def write_bytes_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see ``_write_atomically``)."""
    return _write_atomically(Path(path), lambda f: f.write(data))


def write(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``arrays`` and the JSON-serialisable ``meta`` to ``path`` atomically."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"checkpoint path {str(path)!r}: expected a name ending in .npz")
    if META_KEY in arrays:
        raise ValueError(f"checkpoint arrays: the name {META_KEY!r} is reserved")
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, **meta}
    payload = dict(arrays)
    payload[META_KEY] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    return _write_atomically(path, lambda f: np.savez(f, **payload))


def _open(path: Path):
    if not path.is_file():
        raise CheckpointError(f"checkpoint {str(path)!r}: no such file")
    if not zipfile.is_zipfile(path):  # numpy would try it as a pickle and advise allow_pickle
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupt or truncated, or not an "
                              ".npz file (it is not a zip archive)")
    try:
        return np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is corrupt or truncated, or not an .npz file ({exc})"
        ) from exc


def _meta(path: Path, archive) -> dict:
    if META_KEY not in archive.files:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is an .npz file without rnnlab metadata "
            f"(no {META_KEY!r} entry)"
        )
    try:
        meta = json.loads(archive[META_KEY].tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise CheckpointError(f"checkpoint {str(path)!r}: its metadata is not JSON ({exc})")
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"checkpoint {str(path)!r} is not an {FORMAT} file")
    version = meta.get("format_version", 0)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {str(path)!r} has format version {version!r}; this rnnlab reads "
            f"up to {FORMAT_VERSION}. Upgrade rnnlab."
        )
    return meta


def _header(archive, name: str) -> tuple[tuple, np.dtype]:
    """(shape, dtype) of one stored array, from its .npy header alone: nothing inflated."""
    with archive.zip.open(f"{name}.npy") as f:
        version = np.lib.format.read_magic(f)
        read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                else np.lib.format.read_array_header_2_0)
        shape, _, dtype = read(f)
    return tuple(shape), np.dtype(dtype)


def read_meta(path: str | os.PathLike) -> dict:
    """A checkpoint's metadata alone, without reading any array."""
    path = Path(path)
    try:
        with _open(path) as archive:
            return _meta(path, archive)
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise CheckpointError(f"checkpoint {str(path)!r} is corrupt ({exc})") from exc


def read(path: str | os.PathLike, expected: dict[str, tuple] | None = None,
         integers: tuple[str, ...] = ()) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, meta) of a checkpoint; CheckpointError if it is not a sound one.

    ``expected`` (name -> shape): read only these arrays, and only once their headers
    show that shape and a real floating-point type (an integer type for the names in
    ``integers``: a step counter, a random generator's state); each must hold finite
    numbers. A file that claims other shapes, or holds NaN, infinite or complex weights,
    is refused before anything large is inflated or built, and arrays it holds beyond
    ``expected`` are never read. Without it, every array is read.
    """
    path = Path(path)
    try:
        with _open(path) as archive:
            meta = _meta(path, archive)
            names = [n for n in archive.files if n != META_KEY] if expected is None \
                else list(expected)
            missing = sorted(set(names) - set(archive.files))
            if missing:
                raise CheckpointError(f"checkpoint {str(path)!r}: weights missing: "
                                      f"{', '.join(missing)}")
            arrays = {}
            for name in names:
                if expected is not None:
                    shape, dtype = _header(archive, name)
                    kind = ("integer", "iu") if name in integers else ("float", "f")
                    if shape != tuple(expected[name]) or dtype.kind not in kind[1]:
                        raise CheckpointError(
                            f"checkpoint {str(path)!r}: weight {name!r} is {dtype} {shape}, "
                            f"the model it describes needs {kind[0]} {tuple(expected[name])}")
                arrays[name] = archive[name]
                if expected is not None and not np.isfinite(arrays[name]).all():
                    raise CheckpointError(f"checkpoint {str(path)!r}: weight {name!r} holds "
                                          "NaN or infinite values")
    except CheckpointError:
        raise  # already says what is wrong (it is a ValueError too: not caught below)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise CheckpointError(
            f"checkpoint {str(path)!r} is corrupt or truncated, or not an .npz file ({exc})"
        ) from exc
    return arrays, meta
