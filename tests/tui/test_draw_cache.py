"""A scenario's seeded draws kept between runs (tui/draw_cache.py): what a warm start reads is
bit for bit what drawing gives; a file that does not check out in every part is drawn again
and replaced; nothing is written where Python would write no bytecode; the folder stays under
its size; the `nnstep` command's second start does not import numpy.random."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine import Session, draws, load_scenario
from nnstep.tui import draw_cache
from nnstep.tui.draw_cache import MAGIC, Draws, read
from tui_support import ROOT

MLP784 = ROOT / "scenarios" / "mlp784.toml"


@pytest.fixture(autouse=True)
def no_store_after(monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as a person's shell has it
    yield
    draw_cache.uninstall()


def arrays_of(scenario) -> list[np.ndarray]:
    """The drawn arrays of a scenario: its samples and its layers' weights."""
    return [scenario.samples.x, scenario.samples.y,
            *(np.asarray(p["w"]) for p in scenario.params if "w" in p)]


def same_bits(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
               for x, y in zip(a, b, strict=True))


def no_drawing(*args, **kwargs):
    raise AssertionError("drew although the draw was kept")


def test_what_is_kept_is_what_is_drawn(tmp_path, monkeypatch) -> None:
    """mlp784 loaded without a store (the oracle), then through one that draws and keeps, then
    through a new one that must read everything back (drawing is made to fail)."""
    drawn = arrays_of(load_scenario(MLP784))
    first = draw_cache.install(tmp_path)
    assert same_bits(arrays_of(load_scenario(MLP784)), drawn)
    first.save()
    assert len(list(tmp_path.glob("*.draw"))) == 3  # the data set, L2's and L4's weights
    draw_cache.install(tmp_path)
    monkeypatch.setattr(np.random, "default_rng", no_drawing)
    assert same_bits(arrays_of(load_scenario(MLP784)), drawn)


def trained(scenario, iterations: int = 3) -> list[bytes]:
    """The weights and the loss after each of the first ``iterations`` iterations."""
    session = Session(scenario)
    out = []
    for n in range(1, iterations + 1):
        rec = session.goto_iteration(n)
        out += [np.asarray(rec.loss).tobytes(),
                *(np.asarray(p["w"]).tobytes() for p in rec.weights_after() if "w" in p)]
    return out


def test_training_from_kept_draws_is_training_from_drawn_ones(tmp_path) -> None:
    """Read back, the arrays start on 64-byte boundaries (numpy's own start on 16), so BLAS
    takes the same path through them: three iterations of mlp784 give the same bits."""
    drawn = trained(load_scenario(MLP784))
    store = draw_cache.install(tmp_path)
    load_scenario(MLP784)
    store.save()
    draw_cache.install(tmp_path)
    scenario = load_scenario(MLP784)
    kept = [scenario.samples.x, *(p["w"] for p in scenario.params if "w" in p)]
    assert all(a.ctypes.data % 64 == 0 and a.flags.aligned for a in kept)
    assert trained(scenario) == drawn


def test_exact_weights_come_from_the_same_draw(tmp_path) -> None:
    drawn = load_scenario(MLP784, "exact").params[1]["w"]
    store = draw_cache.install(tmp_path)
    load_scenario(MLP784, "exact")
    store.save()
    draw_cache.install(tmp_path)
    assert load_scenario(MLP784, "exact").params[1]["w"] == drawn


def kept(tmp_path: Path) -> tuple[Draws, Path, tuple, tuple[np.ndarray, ...]]:
    """A store in ``tmp_path`` holding one small draw: (store, its file, args, arrays)."""
    store = Draws(tmp_path)
    args = (40, 6, 3, 0.2, 5)
    arrays = draws.classes(*args)
    store.put(draws.classes, args, arrays)
    store.save()
    return store, store.path(store.key(draws.classes, args)), args, arrays


def header_swapped(data: bytes, old: bytes, new: bytes) -> bytes:
    end = data.index(b"\n", len(MAGIC))
    return data[:end].replace(old, new) + data[end:]


BAD = {
    "empty": lambda d: b"",
    "cut short": lambda d: d[:-8],
    "a byte of the values changed": lambda d: d[:-9] + bytes([d[-9] ^ 1]) + d[-8:],
    "a byte of the CRC changed": lambda d: d[:-1] + bytes([d[-1] ^ 1]),
    "one byte more": lambda d: d + b"\0",
    "another magic": lambda d: b"nnstep draws 9" + d[len(MAGIC) - 1:],
    "no end to the header": lambda d: MAGIC + b"{" * 10,
    "a header that is not JSON": lambda d: MAGIC + b"{key\n" + d,
    "a header that is a list": lambda d: MAGIC + b"[1, 2]\n",
    "a header nested too deep": lambda d: MAGIC + b"[" * 100_000 + b"\n" + d,
    "another key": lambda d: header_swapped(d, b"0.2, 5)", b"0.2, 6)"),
    "another dtype": lambda d: header_swapped(d, b"<f8", b"|O8"),
    "a dtype that is a list": lambda d: header_swapped(d, b'"<f8"', b'["<f8"]'),
    "another shape": lambda d: header_swapped(d, b"[40, 6]", b"[6, 40, 1]"),
    "a negative shape": lambda d: header_swapped(d, b"[40, 6]", b"[-40, -6]"),
    "a shape of text": lambda d: header_swapped(d, b"[40, 6]", b'["40", 6]'),
    "no CRC": lambda d: d[:-4],
}


@pytest.mark.parametrize("bad", BAD, ids=list(BAD))
def test_a_file_that_does_not_check_out_is_drawn_again_and_replaced(tmp_path, bad) -> None:
    store, path, args, arrays = kept(tmp_path)
    assert same_bits(list(read(path, store.key(draws.classes, args))), list(arrays))
    path.write_bytes(BAD[bad](path.read_bytes()))
    assert read(path, store.key(draws.classes, args)) is None
    again = draw_cache.install(tmp_path)
    assert same_bits(list(draws.drawn(draws.classes, *args)), list(arrays))
    again.save()
    assert same_bits(list(read(path, store.key(draws.classes, args))), list(arrays))


def test_a_folder_or_a_fifo_in_its_place_is_not_read(tmp_path) -> None:
    store, path, args, _ = kept(tmp_path)
    path.unlink()
    os.mkfifo(path)  # opening it would block
    assert read(path, store.key(draws.classes, args)) is None


def test_what_a_draw_depends_on_is_in_its_key(tmp_path) -> None:
    store = Draws(tmp_path)
    key = store.key(draws.uniform, (1, 0.5, 2, 3))
    assert "draws.uniform(1, 0.5, 2, 3)" in key and np.__version__ in key
    assert key != store.key(draws.uniform, (1, 0.5, 3, 2))
    assert key != store.key(draws.classes, (1, 0.5, 2, 3))


def test_nothing_is_written_where_python_writes_no_bytecode(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    kept(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_without_a_folder_every_draw_is_made(tmp_path) -> None:
    store = draw_cache.install(None)
    assert draws.drawn(draws.uniform, 1, 0.5, 2, 3)[0].shape == (2, 3)
    store.save()
    assert store.get(draws.uniform, (1, 0.5, 2, 3)) is None


def test_large_draws_are_not_kept_and_the_oldest_files_go(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(draw_cache, "MAX_DRAW", 1000)
    store = Draws(tmp_path)
    store.put(draws.uniform, (1, 0.5, 20, 20), draws.uniform(1, 0.5, 20, 20))  # 3,200 bytes
    store.save()
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(draw_cache, "MAX_FOLDER", 1000)
    for seed in range(3):  # ~500 bytes each with their header
        store.put(draws.uniform, (seed, 0.5, 5, 5), draws.uniform(seed, 0.5, 5, 5))
        store.save()
        os.utime(store.path(store.key(draws.uniform, (seed, 0.5, 5, 5))), (seed, seed))
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {store.path(store.key(draws.uniform, (seed, 0.5, 5, 5))).name
                    for seed in (1, 2)}


CHECK = """
import sys
from nnstep.tui.start import main
sys.argv = ["nnstep", "check", sys.argv[1]]
code = main()
print("numpy.random" in sys.modules, file=sys.stderr)
sys.exit(code)
"""


def test_the_nnstep_commands_second_start_draws_nothing(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    runs = [subprocess.run([sys.executable, "-c", CHECK, str(MLP784)], env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert [r.stderr.strip() for r in runs] == ["True", "False"]
    assert len(list((tmp_path / "nnstep" / "draws").glob("*.draw"))) == 3
