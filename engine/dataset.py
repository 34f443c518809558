"""The data set of a scenario: inline samples or a CSV file beside the scenario."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .errors import suggest
from .labels import LabelError, one_hot
from .numbers import NumberError, parse_number


@dataclass(frozen=True)
class Sample:
    """One data input x and its expected output y: exact values as written, or, for generated
    data, float64 rows whose values are exact in binary."""

    x: tuple[Fraction, ...] | np.ndarray
    y: tuple[Fraction, ...] | np.ndarray


Fail = Callable[..., Exception]  # fail(message, path) -> ScenarioError


def inline_samples(raw: Any, fail: Fail, classes: tuple[str, ...] = ()) -> list[Sample]:
    """``samples = [{x = [...], y = [...]}, ...]`` -> samples. With ``classes``, ``y`` may be
    one class label (a name or a 0-based index), made one-hot."""
    if not isinstance(raw, list):
        raise fail("expected a list of {x = [...], y = [...]} tables", ("data", "samples"))
    samples = []
    for i, item in enumerate(raw):
        where = ("data", "samples", i)
        if not isinstance(item, dict):
            raise fail("expected a table {x = [...], y = [...]}", where)
        unknown = sorted(set(item) - {"x", "y"})
        if unknown:
            raise fail(f"unknown key '{unknown[0]}' (expected x and y)", where)
        for key in ("x", "y"):
            if key not in item:
                raise fail(f"missing key '{key}' (expected x and y)", where)
        y = item["y"]
        if classes and not isinstance(y, list):
            try:
                y = one_hot(y, classes)
            except LabelError as err:
                raise fail(str(err), where + ("y",)) from None
        samples.append(Sample(_vector(item["x"], where + ("x",), fail),
                              _vector(y, where + ("y",), fail)))
    return samples


def _vector(raw: Any, where: tuple, fail: Fail) -> tuple[Fraction, ...]:
    if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
        raw = [raw]
    elif isinstance(raw, tuple):
        return raw
    if not isinstance(raw, list) or not raw:
        raise fail("expected a non-empty list of numbers", where)
    out = []
    for j, value in enumerate(raw):
        try:
            out.append(parse_number(value))
        except NumberError as err:
            raise fail(str(err), where + (j,)) from None
    return tuple(out)


GENERATE_KEYS = ("kind", "samples", "features", "classes", "noise", "seed")
GENERATORS = ("classes",)


def generated_samples(raw: Any, fail: Fail) -> tuple[list[Sample], list[str]]:
    """``generate = { kind = "classes", samples, features, classes, noise, seed }``: a seeded
    synthetic classification set. Each class has a random prototype in [0, 1]^features; a sample
    is its class's prototype plus Gaussian noise, clipped to [0, 1] and rounded to 1/256 (exact
    in binary, so float64 and exact modes see the same data); targets are one-hot. Returns
    (samples, target names)."""
    where = ("data", "generate")
    if not isinstance(raw, dict):
        raise fail("expected a table { kind = \"classes\", samples = …, features = …, "
                   "classes = …, noise = …, seed = … }", where)
    for key in raw:
        if key not in GENERATE_KEYS:
            raise fail(f"unknown key '{key}'{suggest(key, GENERATE_KEYS)} (expected one of "
                       f"{', '.join(GENERATE_KEYS)})", where + (key,))
    if raw.get("kind", "classes") not in GENERATORS:
        raise fail(f"unknown generator '{raw.get('kind')}' (expected classes)", where + ("kind",))
    sizes = {}
    for key, default, low in (("samples", None, 1), ("features", None, 1), ("classes", 2, 2),
                              ("seed", 0, 0)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(f"expected a whole number ≥ {low}, got {value!r}", where + (key,))
        sizes[key] = value
    try:
        noise = float(parse_number(raw.get("noise", "0.1")))
    except NumberError as err:
        raise fail(str(err), where + ("noise",)) from None
    rng = np.random.default_rng(sizes["seed"])
    n, f, c = sizes["samples"], sizes["features"], sizes["classes"]
    prototypes = rng.uniform(0, 1, size=(c, f))
    labels = rng.integers(0, c, size=n)
    x = np.clip(prototypes[labels] + rng.normal(0, noise, size=(n, f)), 0, 1)
    x = np.round(x * 256) / 256
    y = np.eye(c)[labels]
    return [Sample(x[i], y[i]) for i in range(n)], [f"class {k}" for k in range(c)]


def csv_samples(
    scenario_path: Path, name: Any, features: list[str] | None, targets: list[str] | None,
    fail: Fail, classes: tuple[str, ...] = (),
) -> tuple[list[Sample], list[str], list[str]]:
    """Samples from a CSV with a header row: target columns by name, features the rest (in file
    order) unless ``features`` names them. With ``classes``, the one target column holds class
    labels (names or 0-based indices), made one-hot. Returns (samples, features, targets)."""
    where = ("data", "file")
    if not isinstance(name, str) or not name:
        raise fail("expected the path of a CSV file, relative to the scenario", where)
    path = (scenario_path.parent / name)
    if not targets:
        raise fail("a CSV data file needs `targets = [...]`, the names of its target columns",
                    ("data", "targets"))
    if classes and len(targets) != 1:
        raise fail(f"with classes, targets names the one column of class labels, not "
                   f"{len(targets)} columns", ("data", "targets"))
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise fail(f"data file '{path}' does not exist", where) from None
    except (OSError, UnicodeDecodeError) as err:
        raise fail(f"cannot read data file '{path}': {err}", where) from None
    if not rows:
        raise fail(f"data file '{path}' is empty (expected a header row and samples)", where)
    header = [h.strip() for h in rows[0]]
    for col in list(targets) + list(features or []):
        if col not in header:
            raise fail(f"column '{col}' is not in the header of '{path}' "
                       f"(columns: {', '.join(header)}){suggest(col, header)}", where)
    feats = list(features) if features else [h for h in header if h not in targets]
    fi = [header.index(c) for c in feats]
    ti = [header.index(c) for c in targets]
    samples = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise fail(f"{path.name}, line {n}: expected {len(header)} columns, found {len(row)}",
                       where)
        try:
            x = tuple(parse_number(row[i]) for i in fi)
            y = (one_hot(row[ti[0]], classes) if classes
                 else tuple(parse_number(row[i]) for i in ti))
        except (NumberError, LabelError) as err:
            raise fail(f"{path.name}, line {n}: {err}", where) from None
        samples.append(Sample(x, y))
    return samples, feats, list(targets)
