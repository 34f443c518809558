"""Initial weights of a linear layer: explicit values, or a seeded ``uniform`` / ``xavier`` draw."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .errors import cut, shown, suggest
from .layers import LayerSpec
from .numbers import EXACT, NumberError, parse_number

INITS = ("uniform", "xavier")
EXACT_DECIMALS = 4  # a random draw in exact mode is rounded to this many decimals


def initial_params(spec: LayerSpec, n_in: int, raw: dict, numbers: str, default_seed: int,
                   where: tuple, fail) -> dict:
    """{"w": ((Fraction, ...), ...) [size][n_in], "b": (Fraction, ...) [size] when biased}.
    Weights drawn by ``init`` in float64 mode are a float64 array [size, n_in] instead."""
    if "weights" in raw and "init" in raw:
        raise fail("give either weights or init, not both", where + ("init",))
    if "weights" in raw:
        w = _matrix(raw["weights"], spec.size, n_in, where + ("weights",), fail, numbers)
    elif "init" in raw:
        init = raw["init"]
        if init not in INITS:
            raise fail(f"'{shown(init)}' is not valid{suggest(str(init), INITS)}; expected one of "
                       f"{', '.join(INITS)}", where + ("init",))
        seed = raw.get("seed", default_seed)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise fail(f"expected a whole number ≥ 0, got {shown(seed)}", where + ("seed",))
        w = _draw(init, spec.size, n_in, seed, numbers)
    else:
        raise fail(f"a linear layer needs weights = [[...]] ({spec.size} rows of {n_in}) or "
                   "init = \"uniform\" / \"xavier\"", where)
    params: dict[str, Any] = {"w": w}
    if "biases" in raw and not spec.bias:
        raise fail("biases given but bias = false", where + ("biases",))
    if spec.bias:
        b = raw.get("biases", [0] * spec.size)
        if not isinstance(b, list) or len(b) != spec.size:
            raise fail(f"expected {spec.size} biases (one per output neuron), got {shown(b)}",
                       where + ("biases",))
        params["b"] = tuple(_num(v, where + ("biases", j), fail, numbers)
                            for j, v in enumerate(b))
    return params


def _num(value: Any, where: tuple, fail, numbers: str) -> Fraction:
    try:
        return parse_number(value, numbers)
    except NumberError as err:
        raise fail(str(err), where) from None


def _matrix(raw: Any, rows: int, cols: int, where: tuple, fail, numbers: str) -> tuple:
    if (not isinstance(raw, list) or len(raw) != rows
            or not all(isinstance(r, list) and len(r) == cols for r in raw)):
        got = (f"{len(raw)} rows" if isinstance(raw, list) else shown(raw))
        raise fail(f"expected {rows} row(s) of {cols} weights (rows = output neurons, columns = "
                   f"inputs), got {got}" + _row_lengths(raw), where)
    return tuple(tuple(_num(v, where + (i, j), fail, numbers) for j, v in enumerate(r))
                 for i, r in enumerate(raw))


def _row_lengths(raw: Any) -> str:
    if isinstance(raw, list) and all(isinstance(r, list) for r in raw):
        return " of " + cut("/".join(str(len(r)) for r in raw), 60) + " values"
    return ""


def _draw(init: str, rows: int, cols: int, seed: int, numbers: str) -> tuple:
    rng = np.random.default_rng(seed)
    bound = (1.0 / np.sqrt(cols)) if init == "uniform" else np.sqrt(6.0 / (cols + rows))
    w = rng.uniform(-bound, bound, size=(rows, cols))
    if numbers == EXACT:
        return tuple(tuple(Fraction(f"{v:.{EXACT_DECIMALS}f}") for v in r) for r in w)
    return w  # float64 draws stay a float array: 100k Fractions would cost ~0.1 s to start
