"""Files in and out: refuse what is not a regular file before opening it, write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class FileProblem(ValueError):
    """A file that cannot be read or written; ``str()`` is one line naming the file."""


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` when it names an existing regular file. A FIFO, a device or a directory is refused
    before anything opens it (opening a FIFO would wait for a writer forever)."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileProblem(f"{what} '{path}' does not exist") from None
    except OSError as err:
        raise FileProblem(f"cannot read {what} '{path}': {err.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        raise FileProblem(f"{what} '{path}' is {kind} (expected a file)")
    return path


def writable_target(path: str | Path, what: str, overwrite: bool = False) -> Path:
    """``path`` when a file can be written there: its folder exists, and it does not exist yet
    (unless ``overwrite``; even then it must be a regular file)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise FileProblem(f"cannot write {what} '{path}': the folder '{folder}' does not exist")
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise FileProblem(f"{what} '{path}' already exists (not overwritten)")
        if not path.is_file():
            raise FileProblem(f"cannot write {what} '{path}': it exists and is not a file")
    return path


def write_atomic(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    that ``path`` holds either its old content or the whole new one, never a part. ``mode``:
    its permissions (default: those of an ordinary new file, 0o666 less the umask)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, 0o666 & ~_umask() if mode is None else mode)  # not mkstemp's 0600
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
