"""The data set of a scenario: inline samples, generated ones, or a CSV or .npz file beside the
scenario. Float64 scenarios read CSV numbers with numpy (data_files.py) and fall back to the
exact reader below for what numpy does not take, or to say what is wrong and where."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .data_files import columns_of, fast_csv, npz_data, one_hot_rows
from .draws import classes, drawn
from .errors import cut, escape, shown, suggest
from .files import FileProblem, read_text
from .labels import LabelError, one_hot
from .limits import (
    MAX_DATA_BYTES,
    MAX_DATA_VALUES,
    MAX_FEATURES,
    MAX_FILE_DATA_VALUES,
    MAX_NOISE,
    MAX_SAMPLES,
)
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


MAX_COLUMNS_SHOWN = 8  # columns named in a message about the header
MAX_COLUMN_SHOWN = 24  # characters of each


def file_samples(
    scenario_path: Path, name: Any, features: list[str] | None, targets: list[str] | None,
    fail: Fail, mode: str | None = None, classes: tuple[str, ...] = (),
) -> tuple[Sequence[Sample], list[str], list[str]]:
    """``[data] file = …``: a .npz file (arrays x and y; with ``classes``, y holds class
    indices) or a CSV file (csv_samples)."""
    if isinstance(name, str) and name.lower().endswith(".npz"):
        path = scenario_path.parent / name
        try:
            x, y = npz_data(path, classes)
        except FileProblem as err:
            raise fail(str(err), ("data", "file")) from None
        return (Samples(x, y), list(features or (f"x{j + 1}" for j in range(x.shape[1]))),
                list(targets or (f"y{j + 1}" for j in range(y.shape[1]))))
    return csv_samples(scenario_path, name, features, targets, fail, mode, classes)


def csv_samples(
    scenario_path: Path, name: Any, features: list[str] | None, targets: list[str] | None,
    fail: Fail, mode: str | None = None, classes: tuple[str, ...] = (),
) -> tuple[list[Sample], list[str], list[str]]:
    """Samples from a CSV with a header row: target columns by name, features the rest (in file
    order) unless ``features`` names them. With ``classes``, the one target column holds class
    labels (names or 0-based indices), made one-hot. Returns (samples, features, targets).
    Messages name the file, its line and its columns, never other contents of the file."""
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
        text = read_text(path, MAX_DATA_BYTES)
    except FileProblem as err:
        raise fail(f"data file '{escape(str(path))}' {err}", where) from None
    label = escape(path.name)
    import csv  # here, not with the module: most scenarios read no CSV file

    reader = csv.reader(text.splitlines())
    try:
        first = next(reader, None)  # the rows after it are read only when numpy does not
    except csv.Error as err:  # a NUL byte, or a field over csv's size limit
        raise fail(f"{label}, line {reader.line_num}: not a readable CSV file "
                   f"({_csv_reason(err)})", where) from None
    if first is None:
        raise fail(f"data file '{label}' is empty (expected a header row and samples)", where)
    header = [h.strip() for h in first]
    column = {}
    for i, h in enumerate(header):
        if h in column:
            raise fail(f"{label}, line 1: the column name '{shown(h, MAX_COLUMN_SHOWN)}' is used "
                       "twice (each column needs its own name)", where)
        column[h] = i
    for col in list(targets) + list(features or []):
        if col not in column:
            raise fail(f"column '{shown(col, MAX_COLUMN_SHOWN)}' is not in the header of "
                       f"'{label}' (columns: {_columns(header)}){suggest(col, header[:100])}",
                       where)
    wanted = set(targets)  # the target columns, asked of every feature and header name
    both = [c for c in features or () if c in wanted]
    if both:  # the network would be given the answer it is asked for
        raise fail(f"column '{shown(both[0], MAX_COLUMN_SHOWN)}' of '{label}' is both a feature "
                   "and a target (features names the input columns, targets the others)",
                   ("data", "features"))
    feats = list(features) if features else [h for h in header if h not in wanted]
    fi = [column[c] for c in feats]
    ti = [column[c] for c in targets]
    if mode == FLOAT:
        table = fast_csv(text, len(header), ti[0] if classes else None, classes)
        if table is not None:
            _within_limit(table.shape[0], len(fi), len(classes), label, fail)
            y = (one_hot_rows(table[:, ti[0]].astype(np.intp), len(classes)) if classes
                 else columns_of(table, ti))
            return Samples(columns_of(table, fi), y), feats, list(targets)
    try:
        rows = list(reader)
    except csv.Error as err:
        raise fail(f"{label}, line {reader.line_num}: not a readable CSV file "
                   f"({_csv_reason(err)})", where) from None
    if classes:
        _within_limit(len(rows), len(fi), len(classes), label, fail)
    samples = []
    for n, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise fail(f"{label}, line {n}: expected {len(header)} columns, found {len(row)}",
                       where)
        place = f"{label}, line {n}"
        x = _cells(row, fi, header, mode, place, fail)
        y = (_label(row, ti[0], header, classes, place, fail) if classes
             else _cells(row, ti, header, mode, place, fail))
        samples.append(Sample(x, y))
    return samples, [escape(f) for f in feats], [escape(t) for t in targets]


def _within_limit(rows: int, inputs: int, classes: int, label: str, fail: Fail) -> None:
    """Refuse a CSV whose class labels would make more one-hot values than a data set may
    hold, before the rows are made."""
    if classes and rows * (inputs + classes) > MAX_FILE_DATA_VALUES:
        raise fail(f"{label}: {rows:,} samples of {inputs:,} inputs and {classes:,} classes "
                   f"would hold {rows * (inputs + classes):,} values, over the limit of "
                   f"{MAX_FILE_DATA_VALUES:,} (1 GiB of float64)", ("data", "file"))


def _cells(row: list[str], columns: list[int], header: list[str], mode: str | None,
           place: str, fail: Fail) -> tuple[Fraction, ...]:
    """The numbers of ``row``'s ``columns``, exactly; a message naming the column otherwise."""
    out = []
    for i in columns:
        try:
            out.append(parse_number(row[i], mode))
        except NumberError as err:
            raise fail(f"{place}, column '{shown(header[i], MAX_COLUMN_SHOWN)}': {err}",
                       ("data", "file")) from None
    return tuple(out)


def _label(row: list[str], column: int, header: list[str], classes: tuple[str, ...],
           place: str, fail: Fail) -> tuple[Fraction, ...]:
    """The one-hot row of the class label in ``row[column]``."""
    try:
        return one_hot(row[column], classes)
    except LabelError as err:
        raise fail(f"{place}, column '{shown(header[column], MAX_COLUMN_SHOWN)}': {err}",
                   ("data", "file")) from None


def _columns(header: list[str]) -> str:
    """The header's names for a message: escaped, each cut, at most MAX_COLUMNS_SHOWN."""
    names = [shown(h, MAX_COLUMN_SHOWN) for h in header[:MAX_COLUMNS_SHOWN]]
    more = len(header) - MAX_COLUMNS_SHOWN
    return ", ".join(names) + (f" and {more:,} more" if more > 0 else "")


def _csv_reason(err: Exception) -> str:
    """Why csv.reader refused a file (``err`` is a csv.Error)."""
    import csv

    reason = str(err)
    if "NUL" in reason:
        return "it contains a NUL byte"
    if "field larger" in reason:
        return f"a field is longer than {csv.field_size_limit():,} characters"
    return cut(escape(reason), 60)
