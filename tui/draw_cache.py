"""The seeded draws a scenario makes as it is read (engine/draws.py: a generated data set,
weights drawn by ``init``), kept between runs of the `nnstep` command as its dataclasses'
compiled methods are (tui/dataclass_cache.py): a warm start of 784-128-10 reads its 1,000
samples and 101,632 drawn weights (7 MB) instead of importing numpy.random and drawing them
again (~25–30 ms of its first paint).

One file per draw in ``draws/`` of the cache folder, named by a digest of the draw's key: the
recipe's name and arguments, a digest of its compiled code, numpy's version (its Generator
promises no stream across versions) and the machine (its name and processor). A file holds
MAGIC, one line of JSON — the key in full, each array's dtype and shape — padded to ALIGN
bytes, the arrays' bytes each padded to ALIGN bytes, then a CRC-32 of all that. It is read
into memory aligned as numpy aligns a new array (or better), so that what is computed from the
arrays is computed as from drawn ones. It is used only when all of it checks out: a regular
file under MAX_FILE bytes, the key the same, float64 or int64 arrays whose sizes add up to
the bytes there are, the CRC the same; anything else is ignored and drawn again (and the file
replaced when the command ends). Nothing in it is executed: JSON and numbers. New draws are
written when the command ends (atomically), not under ``PYTHONDONTWRITEBYTECODE``, draws over
MAX_DRAW bytes never; past MAX_FOLDER bytes the oldest files go. Deleting the folder at any
time only makes the next start draw again."""

from __future__ import annotations

import hashlib
import json
import marshal
import math
import os
import platform
import stat
import sys
import zlib
from pathlib import Path

import numpy as np
from nnstep.engine import draws
from nnstep.engine.draws import Recipe

MAGIC = b"nnstep draws 2\n"
ALIGN = 64  # each array starts on a 64-byte boundary, in the file and in memory
SUFFIX = ".draw"
MAX_DRAW = 64 * 2**20  # bytes of arrays: larger draws are not kept
MAX_FILE = MAX_DRAW + 2**16  # a larger file is not one of ours
MAX_FOLDER = 256 * 2**20  # past this, the oldest files are removed
DTYPES = {np.dtype(np.float64).str: np.float64, np.dtype(np.int64).str: np.int64}


class Draws:
    """A ``draws.Store`` kept in ``folder`` (None: nothing kept)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.new: dict[Path, tuple[str, tuple[np.ndarray, ...]]] = {}  # drawn this run
        self._codes: dict[Recipe, str] = {}
        self._where = f"numpy {np.__version__} on {platform.node()} {platform.machine()}"

    def key(self, recipe: Recipe, args: tuple) -> str:
        """What a draw's arrays depend on, as one line of text."""
        code = self._codes.get(recipe)
        if code is None:
            code = hashlib.sha256(marshal.dumps(recipe.__code__)).hexdigest()[:16]
            self._codes[recipe] = code
        return f"{recipe.__module__}.{recipe.__qualname__}{args!r} code {code} {self._where}"

    def path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / (hashlib.sha256(key.encode()).hexdigest()[:32] + SUFFIX)

    def get(self, recipe: Recipe, args: tuple) -> tuple[np.ndarray, ...] | None:
        if self.folder is None:
            return None
        key = self.key(recipe, args)
        return read(self.path(key), key)

    def put(self, recipe: Recipe, args: tuple, arrays: tuple[np.ndarray, ...]) -> None:
        if self.folder is None or sum(a.nbytes for a in arrays) > MAX_DRAW:
            return
        if any(a.dtype.str not in DTYPES for a in arrays):
            return
        key = self.key(recipe, args)
        self.new[self.path(key)] = (key, arrays)

    def save(self) -> None:
        """Write this run's new draws, then keep the folder under MAX_FOLDER (a failure is
        ignored, as Python ignores a bytecode file it cannot write)."""
        if self.folder is None or not self.new or sys.dont_write_bytecode:
            return
        for path, (key, arrays) in self.new.items():
            _write(path, key, arrays)
        self.new = {}
        _prune(self.folder)


def read(path: Path, key: str) -> tuple[np.ndarray, ...] | None:
    """The arrays kept in ``path`` for ``key``; None unless every check holds."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO in its place must not block
    except (OSError, ValueError):
        return None
    with open(fd, "rb", buffering=0) as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or not ALIGN <= info.st_size <= MAX_FILE:
                return None
            data = _aligned(info.st_size)
            done = 0
            while done < len(data):
                got = file.readinto(data[done:])
                if not got:
                    return None
                done += got
        except OSError:
            return None
    end = bytes(data[:ALIGN * 64]).find(b"\n", len(MAGIC))
    if not bytes(data[:len(MAGIC)]) == MAGIC or end < 0 or (end + 1) % ALIGN:
        return None
    try:
        header = json.loads(bytes(data[len(MAGIC):end]))
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
        return None
    if not isinstance(header, dict) or header.get("key") != key:
        return None
    specs = header.get("arrays")
    if not isinstance(specs, list):
        return None
    shapes = []
    size = 0
    for spec in specs:
        if (not isinstance(spec, list) or len(spec) != 2 or type(spec[0]) is not str
                or spec[0] not in DTYPES
                or not isinstance(spec[1], list) or len(spec[1]) > 4
                or not all(type(n) is int and 0 <= n <= MAX_DRAW for n in spec[1])):
            return None
        count = math.prod(spec[1])
        shapes.append((DTYPES[spec[0]], spec[1], count))
        size += _padded(count * 8)
    start = end + 1
    if start + size + 4 != len(data) or bytes(data[-4:]) != _crc(data[:-4]):
        return None
    arrays = []
    for dtype, shape, count in shapes:
        arrays.append(data[start:start + count * 8].view(dtype).reshape(shape))
        start += _padded(count * 8)
    return tuple(arrays)


def _aligned(size: int) -> np.ndarray:
    """``size`` bytes whose first is on an ALIGN-byte boundary."""
    raw = np.empty(size + ALIGN, dtype=np.uint8)
    shift = -raw.ctypes.data % ALIGN
    return raw[shift:shift + size]


def _padded(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def _write(path: Path, key: str, arrays: tuple[np.ndarray, ...]) -> None:
    header = json.dumps({"key": key, "arrays": [[a.dtype.str, list(a.shape)] for a in arrays]})
    head = MAGIC + header.encode()
    head += b" " * (_padded(len(head) + 1) - len(head) - 1) + b"\n"  # arrays start aligned
    parts = [head]
    for a in arrays:
        body = np.ascontiguousarray(a).tobytes()
        parts += [body, bytes(_padded(len(body)) - len(body))]
    data = b"".join(parts)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data + _crc(data))
        os.replace(temp, path)
    except (OSError, ValueError):
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            pass


def _crc(data: bytes | np.ndarray) -> bytes:
    return zlib.crc32(data).to_bytes(4, "little")


def _prune(folder: Path) -> None:
    """Remove the oldest draw files while the folder's draws add up to over MAX_FOLDER."""
    try:
        files = []
        for entry in os.scandir(folder):
            if entry.name.endswith(SUFFIX) and entry.is_file(follow_symlinks=False):
                info = entry.stat(follow_symlinks=False)
                files.append((info.st_mtime, info.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        for _, size, name in sorted(files):
            if total <= MAX_FOLDER:
                break
            os.unlink(name)
            total -= size
    except OSError:
        pass


def install(folder: Path | None) -> Draws:
    """Draws are kept in ``folder`` (e.g. ``cache_folder() / "draws"``); ``save`` when the
    program ends."""
    store = Draws(folder)
    draws.install(store)
    return store


def uninstall() -> None:
    """Every draw is computed again."""
    draws.install(None)
