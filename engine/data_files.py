"""Data files read at numpy speed: a float64 scenario's CSV through ``numpy.loadtxt``, and .npz
data (arrays ``x`` and ``y``).

The fast CSV reader is an optimisation only: whenever numpy cannot take the file as it is — a
fraction like 1/200, a blank row of commas, a bad cell, nan, a number too large for float64 —
it gives up and the exact reader (file_dataset.py) reads the file row by row, giving the same
values or a message naming the file, the line and the column. Exact scenarios always use that
reader.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .labels import LabelError, class_index
from .limits import MAX_FILE_DATA_VALUES
from .tensor_files import FLOATS, INTEGERS, TensorFile

NPZ_ARRAYS = ("x", "y")
# a number that may be below float64's range: an exponent of −300 or less, or 300 zeros
_TINY = re.compile(r"[eE]-0*(?:[3-9][0-9]{2}|[0-9]{4,})|\.0{300}")


def fast_csv(text: str, columns: int, labels: int | None = None,
             classes: Sequence[str] = ()) -> np.ndarray | None:
    """Every data row (after the header line) of a CSV text as float64 [rows, columns], parsed
    by numpy; the column ``labels`` holds class labels (names or indices of ``classes``), read
    as class indices. None when numpy cannot take the text as it is (then read it exactly)."""
    if _TINY.search(text):
        return None  # numpy reads 1e-400 as 0.0: the exact reader refuses it, naming the cell
    converters = None
    if labels is not None:
        names = tuple(classes)
        converters = {labels: lambda text: float(class_index(text, names))}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "input contained no data" and the like
            rows = np.loadtxt(io.StringIO(text), dtype=np.float64, delimiter=",", skiprows=1,
                              ndmin=2, comments=None, quotechar='"', converters=converters)
    except (ValueError, LabelError, UserWarning):
        return None
    if rows.shape[1] != columns or not rows.size or not np.isfinite(rows).all():
        return None  # nan, inf, or a number beyond float64: the exact reader says which
    rows += 0.0  # -0 as 0: an exact reader's Fraction(0) has no sign
    return rows


def columns_of(table: np.ndarray, columns: Sequence[int]) -> np.ndarray:
    """``table[:, columns]`` as a new C-ordered array, copied a run of adjacent columns at a
    time (a fancy index over 784 columns is ~5× slower and leaves a column-ordered result)."""
    out = np.empty((table.shape[0], len(columns)), dtype=table.dtype)
    start = 0
    while start < len(columns):
        end = start + 1
        while end < len(columns) and columns[end] == columns[end - 1] + 1:
            end += 1
        out[:, start:end] = table[:, columns[start]:columns[end - 1] + 1]
        start = end
    return out


def npz_data(path: Path, classes: Sequence[str] = ()) -> tuple[np.ndarray, np.ndarray]:
    """``x`` [samples, inputs] and ``y`` [samples, outputs] (or [samples] of class indices,
    made one-hot with ``classes``) from an .npz file, as float64. Raises FileProblem naming the
    file, the array and what was expected."""
    file = TensorFile(path, "data file")
    if file.format != ".npz":
        raise file.problem("expected a .npz data file (arrays x and y) or a .csv")
    extra = [name for name in file.names if name not in NPZ_ARRAYS]
    if extra:
        raise file.problem(f"unexpected array {extra[0]!r} (expected x and y)")
    for name in NPZ_ARRAYS:
        if name not in file.shapes:
            raise file.problem(f"no array {name!r} (expected x [samples, inputs] and y "
                               "[samples, outputs], or y [samples] of class indices)")
    sx, sy = file.shapes["x"], file.shapes["y"]
    if len(sx) != 2 or not all(sx):
        raise file.problem(f"x has shape {list(sx)}, expected [samples, inputs]")
    if len(sy) not in (1, 2) or sy[0] != sx[0]:
        raise file.problem(f"y has shape {list(sy)}, expected [{sx[0]}, outputs] or "
                           f"[{sx[0]}] (one row per sample of x)")
    values = sx[0] * (sx[1] + (len(classes) if classes else math.prod(sy[1:])))
    if values > MAX_FILE_DATA_VALUES:
        raise file.problem(f"x and y would hold {values:,} values, over the limit of "
                           f"{MAX_FILE_DATA_VALUES:,} (1 GiB of float64)")
    x = file.load("x", FLOATS + INTEGERS)
    if not np.isfinite(x).all():
        raise file.problem("x holds nan or inf (expected finite numbers)")
    if classes:
        return x, _one_hot(file, sy, classes)
    y = file.load("y", FLOATS + INTEGERS)
    if not np.isfinite(y).all():
        raise file.problem("y holds nan or inf (expected finite numbers)")
    return x, y.reshape(sx[0], -1)


def _one_hot(file: TensorFile, shape: tuple, classes: Sequence[str]) -> np.ndarray:
    if len(shape) != 1:
        raise file.problem(f"with classes, y holds one class index per sample: expected shape "
                           f"[{shape[0]}], got {list(shape)}")
    labels = file.load("y", INTEGERS)
    bad = np.flatnonzero((labels < 0) | (labels >= len(classes)))
    if bad.size:
        raise file.problem(f"y[{bad[0]}] is {int(labels[bad[0]])}: expected a class index "
                           f"0 … {len(classes) - 1} ({len(classes)} classes)")
    return one_hot_rows(labels.astype(np.intp), len(classes))


def one_hot_rows(labels: np.ndarray, classes: int) -> np.ndarray:
    """[samples, classes] float64 rows, 1 at each sample's class index and 0 elsewhere (the
    rows of np.eye(classes)[labels], without making a classes × classes matrix first)."""
    rows = np.zeros((labels.shape[0], classes))
    rows[np.arange(labels.shape[0]), labels] = 1.0
    return rows
