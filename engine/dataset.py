"""The data set of a scenario: inline samples or generated ones (a file's: file_dataset.py), as
``Sample`` rows of exact values or ``Samples``, two read-only float64 arrays."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .data_files import one_hot_rows
from .draws import classes, drawn
from .errors import shown, suggest
from .labels import LabelError, one_hot
from .limits import MAX_DATA_VALUES, MAX_FEATURES, MAX_NOISE, MAX_SAMPLES
from .numbers import FLOAT, NumberError, freeze, parse_number


@dataclass(frozen=True)
class Sample:
    """One data input x and its expected output y: exact values as written, or, for generated
    data, float64 rows whose values are exact in binary."""

    x: tuple[Fraction, ...] | np.ndarray
    y: tuple[Fraction, ...] | np.ndarray


class Samples(Sequence):
    """A data set held as two read-only float64 arrays, ``x`` [samples, inputs] and ``y``
    [samples, outputs] — what numpy reads and the generator makes — instead of a Sample object
    per row (a Sample per index on demand)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x = freeze(np.ascontiguousarray(x, dtype=np.float64))
        self.y = freeze(np.ascontiguousarray(y, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [Sample(x, y) for x, y in zip(self.x[i], self.y[i])]
        return Sample(self.x[i], self.y[i])


Fail = Callable[..., Exception]  # fail(message, path) -> ScenarioError


def inline_samples(raw: Any, fail: Fail, mode: str | None = None,
                   classes: tuple[str, ...] = ()) -> list[Sample]:
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
            raise fail(f"unknown key '{shown(unknown[0])}' (expected x and y)", where)
        for key in ("x", "y"):
            if key not in item:
                raise fail(f"missing key '{key}' (expected x and y)", where)
        y = item["y"]
        if classes and not isinstance(y, list):
            try:
                y = one_hot(y, classes)
            except LabelError as err:
                raise fail(str(err), where + ("y",)) from None
        samples.append(Sample(_vector(item["x"], where + ("x",), fail, mode),
                              _vector(y, where + ("y",), fail, mode)))
    return samples


def _vector(raw: Any, where: tuple, fail: Fail, mode: str | None) -> tuple[Fraction, ...]:
    if isinstance(raw, (int, float, str)) and not isinstance(raw, bool):
        raw = [raw]
    elif isinstance(raw, tuple):
        return raw
    if not isinstance(raw, list) or not raw:
        raise fail("expected a non-empty list of numbers", where)
    out = []
    for j, value in enumerate(raw):
        try:
            out.append(parse_number(value, mode))
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
            raise fail(f"unknown key '{shown(key)}'{suggest(key, GENERATE_KEYS)} (expected one of "
                       f"{', '.join(GENERATE_KEYS)})", where + (key,))
    if raw.get("kind", "classes") not in GENERATORS:
        raise fail(f"unknown generator '{shown(raw.get('kind'))}' (expected classes)",
                   where + ("kind",))
    sizes = {}
    for key, default, low, high in (("samples", None, 1, MAX_SAMPLES),
                                    ("features", None, 1, MAX_FEATURES),
                                    ("classes", 2, 2, MAX_FEATURES), ("seed", 0, 0, 2**63)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise fail(f"expected a whole number ≥ {low}, got {shown(value)}", where + (key,))
        if value > high:
            raise fail(f"{value:,} is over the limit of {high:,}", where + (key,))
        sizes[key] = value
    if sizes["samples"] * (sizes["features"] + sizes["classes"]) > MAX_DATA_VALUES:
        raise fail(f"{sizes['samples']:,} samples of {sizes['features']:,} features and "
                   f"{sizes['classes']:,} classes are over the limit of {MAX_DATA_VALUES:,} "
                   "values", where + ("samples",))
    try:
        noise = parse_number(raw.get("noise", "0.1"), FLOAT)  # a float in either mode
    except NumberError as err:
        raise fail(str(err), where + ("noise",)) from None
    if not 0 <= noise <= MAX_NOISE:
        raise fail(f"expected a noise between 0 and {MAX_NOISE}, got {shown(raw['noise'])}",
                   where + ("noise",))
    noise = float(noise)
    c = sizes["classes"]
    x, labels = drawn(classes, sizes["samples"], sizes["features"], c, noise, sizes["seed"])
    y = one_hot_rows(labels, c)
    return Samples(x, y), [f"class {k}" for k in range(c)]
