"""The compiled methods of dataclasses, kept between runs of the `nnstep` command.

Python 3.11 writes the methods of each dataclass it makes (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, and for a frozen class ``__setattr__`` and ``__delattr__``) as source
text and compiles that text every time the class is made, at every start of the program: for
the ~80 dataclasses of nnstep and Textual, ~350 compilations, ~40 ms of the debugger's
start-up (a tenth of it). The compiled code depends on nothing but the text, so the command
keeps it between runs, as Python keeps a module's bytecode: in one file under
``$XDG_CACHE_HOME/nnstep/`` (``~/.cache/nnstep/`` when the variable is unset, empty or not an
absolute path), read before anything else is imported and written when the command ends if a
text was new. ``install`` makes the ``dataclasses`` module execute its texts through ``Methods``
instead of compiling them itself; each text is compiled as ``exec`` compiles it there (file name
``<string>``, no ``__future__`` flags, the interpreter's optimisation level), so a class's
methods are the very ones Python would make. The file is named by the interpreter's bytecode
tag and starts with its bytecode's magic number; a file that is missing, unreadable, from
another Python or not a table of texts and code is ignored, and replaced when the command ends.
Like bytecode, nothing is written under ``PYTHONDONTWRITEBYTECODE`` (or ``python -B``).
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import stat
import sys
from collections.abc import Mapping
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType

MAX_TEXTS = 4096  # past this many, the file keeps only the texts the last run used
MAX_BYTES = 64 * 2**20  # a larger file is not one of ours (4,096 texts take ~5 MB)


def cache_folder(env: Mapping[str, str] = os.environ) -> Path | None:
    """The `nnstep` command's cache folder: $XDG_CACHE_HOME/nnstep, else ~/.cache/nnstep; None
    when neither $XDG_CACHE_HOME nor the home folder is an absolute path."""
    base = env.get("XDG_CACHE_HOME", "")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
        if not os.path.isabs(base):  # no home folder known: "~" stays as it is
            return None
    return Path(base) / "nnstep"


def cache_file(env: Mapping[str, str] = os.environ) -> Path | None:
    """Where the compiled methods are kept for this Python (and optimisation level); None
    when there is no cache folder (``cache_folder``)."""
    folder = cache_folder(env)
    if folder is None:
        return None
    optimised = f".opt-{sys.flags.optimize}" if sys.flags.optimize else ""
    return folder / f"dataclass-methods.{sys.implementation.cache_tag}{optimised}"


class Methods:
    """Compiled dataclass method texts: those read from ``path`` and those compiled since
    (``path`` None: none kept)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.code = {} if path is None else _read(path)
        self.used: dict[str, CodeType] = {}
        self.compiled = 0  # texts this run had to compile

    def exec(self, source, globals=None, locals=None) -> None:
        """``exec`` as ``dataclasses`` calls it, a text's compiled code taken from the table."""
        if isinstance(source, str):
            code = self.code.get(source)
            if code is None:
                code = compile(source, "<string>", "exec", dont_inherit=True)
                self.code[source] = code
                self.compiled += 1
            self.used[source] = code
            source = code
        builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Write the table if this run compiled a text (atomically; a failure is ignored, as
        Python ignores a bytecode file it cannot write)."""
        if self.path is None or not self.compiled or sys.dont_write_bytecode:
            return
        table = self.code if len(self.code) <= MAX_TEXTS else self.used
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(MAGIC_NUMBER + marshal.dumps(table))
            os.replace(temp, self.path)
        except (OSError, ValueError):
            try:
                temp.unlink(missing_ok=True)
            except OSError:
                pass


def _read(path: Path) -> dict[str, CodeType]:
    """The table kept in ``path``; empty when there is none or it is not one of ours (never
    opens what is not a regular file, e.g. a FIFO that would block, or one over MAX_BYTES)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return {}
        data = path.read_bytes()
    except (OSError, ValueError):
        return {}
    if not data.startswith(MAGIC_NUMBER):
        return {}
    try:
        table = marshal.loads(memoryview(data)[len(MAGIC_NUMBER):])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(table, dict) or not all(
            type(text) is str and type(code) is CodeType for text, code in table.items()):
        return {}
    return table


def install(path: Path | None) -> Methods:
    """Make ``dataclasses`` compile its method texts through a ``Methods`` table read from
    ``path`` (e.g. ``cache_file()``); ``save`` it when the program ends."""
    methods = Methods(path)
    dataclasses.exec = methods.exec  # the module's own name for the builtin it calls
    return methods


def uninstall() -> None:
    """``dataclasses`` compiles its texts itself again."""
    vars(dataclasses).pop("exec", None)
