"""The dataclasses' compiled methods kept between runs (tui/dataclass_cache.py): the methods made
from the kept code are the very ones Python compiles itself; the `nnstep` command's second
start compiles none; a bad file is ignored and replaced; nothing is written where Python would
write no bytecode."""

from __future__ import annotations

import dataclasses
import json
import marshal
import os
import subprocess
import sys
from dataclasses import dataclass, field, make_dataclass
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest
from nnstep.tui import dataclass_cache
from nnstep.tui.dataclass_cache import Methods, cache_file, install, uninstall
from tui_support import BROCCOLI

METHODS = ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__",
           "__lt__", "__le__", "__gt__", "__ge__")

# every dataclass of nnstep and Textual the debugger's modules make, each generated method's
# code and what the function carries besides it, printed as JSON; and how many method texts
# the cache had to compile (-1: no cache installed)
FINGERPRINT = """
import json, os, sys
from pathlib import Path
methods = None
if sys.argv[1] != "-":
    from nnstep.tui.dataclass_cache import install
    methods = install(Path(sys.argv[1]))
import dataclasses
import nnstep.tui.app, nnstep.tui.cli
METHODS = %r
def describe(f):
    c = f.__code__
    return [c.co_filename, c.co_flags, c.co_code.hex(), repr(c.co_consts), c.co_names,
            c.co_varnames, c.co_freevars, repr(f.__defaults__), repr(f.__kwdefaults__),
            repr(f.__annotations__), f.__qualname__]
out = {}
for name, module in sorted(sys.modules.items()):
    if not name.startswith(("nnstep", "textual")):
        continue
    for cls in vars(module).values():
        if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name:
            out[name + "." + cls.__qualname__] = {
                m: describe(vars(cls)[m]) for m in METHODS
                if callable(vars(cls).get(m)) and hasattr(vars(cls)[m], "__code__")}
if methods is not None:
    methods.save()
print(json.dumps({"classes": out, "compiled": -1 if methods is None else methods.compiled}))
""" % (METHODS,)


@pytest.fixture(autouse=True)
def writing_bytecode(monkeypatch) -> None:
    """As a person's shell has it (the test run may say PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


def fingerprint(path: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-c", FINGERPRINT, str(path) if path else "-"],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_debuggers_dataclasses_get_the_same_methods_from_the_kept_code(tmp_path) -> None:
    """Python's own methods, those compiled through the cache, those read back from its file:
    the same code, flags, file name, defaults and annotations, class by class; and the second
    start compiles nothing."""
    path = tmp_path / "methods"
    python = fingerprint(None)
    first = fingerprint(path)
    second = fingerprint(path)
    assert len(python["classes"]) > 60  # nnstep's and Textual's: the probe did find them
    assert first["compiled"] > 200 and second["compiled"] == 0
    assert first["classes"] == python["classes"] == second["classes"]


def _kinds() -> list[type]:
    """Dataclasses of every shape the decorator writes differently."""

    @dataclass(frozen=True)
    class Frozen:
        a: int
        b: list = field(default_factory=list)
        c: str = "c"

    @dataclass(order=True, unsafe_hash=True)
    class Ordered:
        x: float
        y: float = 0.0

    @dataclass(kw_only=True, slots=True)
    class Keywords:
        k: int = 1
        v: tuple = ()

    @dataclass
    class Empty:
        pass

    return [Frozen, Ordered, Keywords, Empty,
            make_dataclass("Made", [("p", int), ("q", "str", field(default="q"))])]


def _described(classes: list[type]) -> list:
    out = []
    for cls in classes:
        for name in METHODS:
            f = vars(cls).get(name)
            if callable(f) and hasattr(f, "__code__"):
                out.append((cls.__name__, name, f.__code__, f.__code__.co_filename,
                            f.__defaults__, f.__kwdefaults__, f.__annotations__))
    return out


def test_every_kind_of_dataclass_gets_the_same_methods(tmp_path) -> None:
    path = tmp_path / "methods"
    python = _described(_kinds())
    try:
        methods = install(path)
        cached = _described(_kinds())
        compiled = methods.compiled
        methods.save()
        again = install(path)
        read_back = _described(_kinds())
    finally:
        uninstall()
    assert compiled > 10 and again.compiled == 0
    assert python == cached == read_back
    frozen = _kinds()[0](1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.a = 2
    assert "exec" not in vars(dataclasses)  # uninstalled: Python compiles its texts again


@pytest.mark.parametrize("content", [
    b"", b"not a cache", MAGIC_NUMBER, MAGIC_NUMBER + b"\x00garbage",
    b"\x00\x00\r\n" + marshal.dumps({}),  # another Python's magic number
    MAGIC_NUMBER + marshal.dumps({"def f(): pass": "not code"}),
    MAGIC_NUMBER + marshal.dumps([1, 2, 3]),
    MAGIC_NUMBER + marshal.dumps({1: compile("x = 1", "<string>", "exec")}),
], ids=["empty", "text", "magic only", "garbage", "other python", "not code", "a list",
        "not text"])
def test_a_bad_file_is_ignored_and_replaced(tmp_path, content: bytes) -> None:
    path = tmp_path / "methods"
    path.write_bytes(content)
    methods = Methods(path)
    assert methods.code == {}
    namespace: dict = {}
    methods.exec("def f():\n return 7", {}, namespace)
    assert namespace["f"]() == 7
    methods.save()
    assert Methods(path).code.keys() == {"def f():\n return 7"}


def test_what_is_not_a_regular_file_or_too_large_is_not_read(tmp_path, monkeypatch) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # opening it to read would wait for a writer for ever
    assert Methods(fifo).code == {}
    kept = tmp_path / "methods"
    methods = Methods(kept)
    methods.exec("x = 1", {}, {})
    methods.save()
    assert Methods(kept).code
    monkeypatch.setattr(dataclass_cache, "MAX_BYTES", kept.stat().st_size - 1)
    assert Methods(kept).code == {}


def test_a_file_that_cannot_be_written_is_left_alone(tmp_path) -> None:
    path = tmp_path / "methods"
    path.mkdir()  # a folder where the file would go: neither read nor replaced
    methods = Methods(path)
    methods.exec("x = 1", {}, {})
    methods.save()
    assert path.is_dir() and list(tmp_path.iterdir()) == [path]


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    methods = Methods(tmp_path / "methods")
    methods.exec("x = 1", {}, {})
    methods.save()
    assert not (tmp_path / "methods").exists()


def test_a_run_that_compiled_nothing_does_not_rewrite_the_file(tmp_path) -> None:
    path = tmp_path / "methods"
    first = Methods(path)
    first.exec("x = 1", {}, {})
    first.save()
    before = path.stat().st_mtime_ns
    second = Methods(path)
    second.exec("x = 1", {}, {})
    second.save()
    assert second.compiled == 0 and path.stat().st_mtime_ns == before


def test_a_full_table_keeps_only_the_last_runs_texts(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(dataclass_cache, "MAX_TEXTS", 3)
    path = tmp_path / "methods"
    old = Methods(path)
    for n in range(3):
        old.exec(f"x = {n}", {}, {})
    old.save()
    new = Methods(path)
    new.exec("x = 0", {}, {})
    new.exec("y = 1", {}, {})
    new.save()
    assert set(Methods(path).code) == {"x = 0", "y = 1"}


def test_the_file_lives_in_the_xdg_cache_folder(tmp_path) -> None:
    tag = sys.implementation.cache_tag
    assert cache_file({"XDG_CACHE_HOME": str(tmp_path)}).parent == tmp_path / "nnstep"
    assert tag in cache_file({"XDG_CACHE_HOME": str(tmp_path)}).name
    home = Path(os.path.expanduser("~"))
    assert cache_file({"XDG_CACHE_HOME": "relative"}).parent == home / ".cache" / "nnstep"
    assert cache_file({}).parent == home / ".cache" / "nnstep"


def test_without_a_home_folder_nothing_is_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # as with no passwd entry
    monkeypatch.chdir(tmp_path)
    assert cache_file({}) is None
    methods = Methods(None)
    methods.exec("x = 1", {}, {})
    methods.save()
    assert list(tmp_path.iterdir()) == []


def test_the_nnstep_command_keeps_them(tmp_path, nnstep_script) -> None:
    """`nnstep check` writes the file at its first run; the second compiles nothing new, so
    leaves it as it is."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    path = cache_file(env)
    written = []
    for _ in range(2):
        done = subprocess.run([nnstep_script, "check", str(BROCCOLI)], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        written.append(path.stat().st_mtime_ns)
    assert len(Methods(path).code) > 100  # nnstep's and Textual's method texts
    assert written[0] == written[1]


@pytest.fixture
def nnstep_script() -> str:
    script = Path(sys.executable).parent / "nnstep"
    if not script.exists():
        pytest.skip("the nnstep command is not installed beside this Python")
    return str(script)
