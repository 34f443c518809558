"""A data set read from a file beside the scenario: a .npz file (arrays x and y) or a CSV file
with a header row. Float64 scenarios read CSV numbers with numpy (data_files.py) and fall back to
the exact reader below for what numpy does not take, or to say what is wrong and where."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from .data_files import columns_of, fast_csv, npz_data, one_hot_rows
from .dataset import Fail, Sample, Samples
from .errors import cut, escape, shown, suggest
from .files import FileProblem, read_text
from .labels import LabelError, one_hot
from .limits import MAX_DATA_BYTES, MAX_FILE_DATA_VALUES
from .numbers import FLOAT, NumberError, parse_number

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
