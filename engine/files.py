"""Files in and out: refuse what is not a regular file before opening it, write atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import escape


class FileProblem(ValueError):
    """A file that cannot be read or written; ``str()`` is one line naming the file."""


def not_regular(path: str | Path, max_bytes: int | None = None) -> str | None:
    """Why ``path`` is not read (a short reason, without the path: "does not exist", "is not a
    regular file …", "is 3,000,000 bytes, over the limit of …"), or None when it is a regular
    file of at most ``max_bytes``. Never opens the file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return "does not exist"
    except ValueError:  # a NUL in the path
        return "cannot be read: its path contains a NUL character"
    except OSError as err:
        return f"cannot be read: {err.strerror or err}"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory (expected a file)"
    if not stat.S_ISREG(info.st_mode):
        return "is not a regular file (devices, FIFOs and sockets are not read)"
    if max_bytes is not None and info.st_size > max_bytes:
        return f"is {info.st_size:,} bytes, over the limit of {max_bytes:,}"
    return None


def regular_file(path: str | Path, what: str) -> Path:
    """``path`` when it names an existing regular file. A FIFO, a device or a directory is refused
    before anything opens it (opening a FIFO would wait for a writer forever)."""
    reason = not_regular(path)
    if reason:
        raise FileProblem(f"{what} '{escape(str(path))}' {reason}")
    return Path(path)


def read_text(path: str | Path, max_bytes: int) -> str:
    """The text of a regular UTF-8 file (a leading byte-order mark dropped), reading at most
    ``max_bytes`` + 1 bytes even when the file lies about its size (/proc files say 0).
    FileProblem with a short reason, without the path, otherwise."""
    reason = not_regular(path, max_bytes)
    if reason:
        raise FileProblem(reason)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise FileProblem(f"cannot be read: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise FileProblem(f"is over the limit of {max_bytes:,} bytes")
    if b"\0" in data:
        raise FileProblem("is not a text file (it contains a NUL byte)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileProblem(f"is not UTF-8 text (byte {err.start + 1})") from None


def writable_target(path: str | Path, what: str, overwrite: bool = False) -> Path:
    """``path`` when a file can be written there: its folder exists, and it does not exist yet
    (unless ``overwrite``; even then it must be a regular file)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    named = escape(str(path))
    if "\0" in str(path):  # pathlib's tests read such a path as missing: it is unusable
        raise FileProblem(f"cannot write {what} '{named}': its path contains a NUL character")
    try:
        if not folder.is_dir():
            raise FileProblem(f"cannot write {what} '{named}': the folder "
                              f"'{escape(str(folder))}' does not exist")
        if path.exists() or path.is_symlink():
            if not overwrite:
                raise FileProblem(f"{what} '{named}' already exists (not overwritten)")
            if not path.is_file():
                raise FileProblem(f"cannot write {what} '{named}': it exists and is not a file")
    except FileProblem:
        raise
    except OSError as err:  # a name too long, a folder that cannot be searched …
        raise FileProblem(f"cannot write {what} '{named}': {err.strerror or err}") from None
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
