"""Sign analysis (the articles' "sign flow" and "sign update"); blocked flow and float rounding
are in flow_findings.py, the sign codes in sign_codes.py, the situation in words in
sign_situations.py, which weights a table shows in weight_choice.py.

For each weight w^k[i, j] of a linear layer k, once its δw is known:
  δ^{k+1}_i (the flow arriving at output neuron i), o^{k-1}_j (the input it multiplies),
  δw = δ^{k+1}_i · o^{k-1}_j, the move of the real step ŵ = w − α·d (d from the optimizer:
  δw itself for plain SGD, so increase when δw < 0, decrease when δw > 0, keep when δw = 0;
  with momentum or Adam d can have the other sign, and the situation says why), the situation in
  words, and, after the update, whether the weight really moved that way. With a batch, δw is
  the batch mean, and the sign of δ or o is "mixed" when the samples disagree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from .model import Model
from .numbers import floats
from .optimizers import layer_direction
from .records import Record
from .sign_codes import (
    CODE_TEXT,
    DECREASE,
    INCREASE,
    KEEP,
    MOVE_OF_STEP,
    MOVE_TEXT,
    PLUS,
    batch_codes,
    codes,
)
from .sign_situations import Neurons


@dataclass(frozen=True)
class SignRow:
    """One weight (``bias`` rows have ``col`` None and o sign "+": the bias input is 1)."""

    layer: int
    name: str
    row: int
    col: int | None
    delta_sign: str  # "+", "-", "0" or "mixed"
    input_sign: str
    dw_sign: str
    move: str  # increase / decrease / keep
    situation: str
    moved: bool | None  # None before the update
    actual: str | None  # the move that happened: increase / decrease / keep


def sign(v: Any) -> str:
    if isinstance(v, float) and math.isnan(v):
        return "nan"
    return "+" if v > 0 else "-" if v < 0 else "0"


_GRADIENT_MOVE = {"-": INCREASE, "+": DECREASE, "0": KEEP}  # the move −δw asks for, by δw's sign


@dataclass(frozen=True)
class LayerSigns:
    """The sign analysis of one linear layer as arrays of codes (PLUS, MINUS, ZERO, MIXED, NAN).

    ``delta`` [out]: δ^{k+1}_i over the batch; ``inputs`` [in (+1 for the bias, always PLUS)]:
    o^{k-1}_j; ``dw`` [out, in (+1)]: δw; ``move`` [out, in (+1)]: the real step's direction,
    PLUS increase, MINUS decrease, ZERO keep, NAN unknown; ``actual`` the same after the update
    (None before). The last column is the bias when the layer has one. Cheap for 100k weights:
    filter and sort on these, then build SignRow objects only for the weights shown."""

    layer: int
    name: str
    bias: bool
    delta: np.ndarray
    inputs: np.ndarray
    dw: np.ndarray
    move: np.ndarray
    actual: np.ndarray | None
    dw_values: np.ndarray  # δw [out, in (+1)]

    @property
    def against(self) -> np.ndarray | None:
        """Weights that did not move as predicted (None before the update)."""
        return None if self.actual is None else self.actual != self.move

    @property
    def dw_abs(self) -> np.ndarray:
        """|δw| as float64 [out, in (+1)], for sorting."""
        return np.abs(floats(self.dw_values))


def layer_signs(rec: Record, model: Model, k: int) -> LayerSigns | None:
    """The sign arrays of linear layer ``k`` once its δw is known, else None."""
    spec = model.layers[k]
    grads = rec.grads[k] if rec.grads else None
    if not spec.trainable or grads is None:
        return None
    delta_next, x_in = rec.flow_into(k), rec.layer_input(k)
    dw, inputs = grads["w"], batch_codes(x_in)
    if spec.bias:
        dw = np.concatenate([dw, grads["b"][:, None]], axis=1)
        inputs = np.append(inputs, np.int8(PLUS))
    dw_codes = codes(dw)
    d = layer_direction(model.optimizer, rec, k)
    step = dw if d is None or d["w"] is grads["w"] else _with_bias(d, spec.bias)
    step_codes = dw_codes if step is dw else codes(step)
    move = MOVE_OF_STEP[step_codes]
    actual = None
    if rec.new_params is not None:
        before, after = rec.params[k]["w"], rec.new_params[k]["w"]
        if spec.bias:
            before = np.concatenate([before, rec.params[k]["b"][:, None]], axis=1)
            after = np.concatenate([after, rec.new_params[k]["b"][:, None]], axis=1)
        actual = codes(after - before) if after.dtype == object else (
            (after > before).view(np.int8) - (after < before).view(np.int8))
    return LayerSigns(k, spec.name, spec.bias, batch_codes(delta_next), inputs, dw_codes, move,
                      actual, dw)


def _with_bias(p, bias: bool) -> np.ndarray:
    """w [out, in] with b as one more column when the layer has a bias."""
    return np.concatenate([p["w"], p["b"][:, None]], axis=1) if bias else p["w"]


def sign_rows(rec: Record, model: Model, places: list[tuple[int, int, int | None]] | None = None,
              make: Callable[..., Any] = SignRow) -> list:
    """SignRow objects for ``places`` ((layer, row, col), col None for a bias), or for every
    weight whose δw is known in ``rec`` (empty before the backward pass). ``make`` is called
    with a SignRow's fields in order in place of SignRow (the trace writes each row's text)."""
    wanted = None if places is None else {k for k, _, _ in places}  # tables of those layers only
    tables = {k: layer_signs(rec, model, k) for k in model.trainable
              if wanted is None or k in wanted}
    tables = {k: t for k, t in tables.items() if t is not None}
    every = places is None
    if every:
        places = [(k, i, j if j < t.dw.shape[1] - t.bias else None)
                  for k, t in tables.items() for i in range(t.dw.shape[0])
                  for j in range(t.dw.shape[1])]
    cells = _cells(tables, places, every)
    rows = []
    situations: dict[tuple[int, int], str] = {}  # one per output neuron: its weights share it
    neurons = {k: Neurons(rec, model, k) for k in tables}
    for k, i, j in places:
        t = tables.get(k)
        if t is None:
            continue
        delta, x, dw, step, moved = next(cells[k])
        move, delta_sign = MOVE_TEXT.get(step, "?"), CODE_TEXT[delta]
        actual = None if moved is None else MOVE_TEXT.get(moved, "?")
        said = situations.get((k, i)) or situations.setdefault(
            (k, i), neurons[k].situation(i, delta_sign))
        dw_sign = CODE_TEXT[dw]
        gradient_move = _GRADIENT_MOVE.get(dw_sign, "?")
        if move != gradient_move and move != "?" and gradient_move != "?":
            said += f"; it will {move} all the same: {model.optimizer.reason}"
        if actual == KEEP and move in (INCREASE, DECREASE):
            said += ("; the step is smaller than the weight's float64 precision, so it did not "
                     "change" if rec.mode == "float64" else "; it did not change")
        rows.append(make(k, t.name, i, j, delta_sign, CODE_TEXT[x], dw_sign, move, said,
                         None if actual is None else actual == move, actual))
    return rows


def _cells(tables: dict[int, LayerSigns], places: list[tuple[int, int, int | None]],
           every: bool) -> dict[int, Iterator[tuple]]:
    """Per layer, an iterator over its places' codes (δ, input, δw, move, actual or None) in
    the order of ``places``; ``every``: the places are every weight of each layer in row-major
    order (read off whole rows), else a few weights (gathered, one gather per array)."""
    if every:
        return {k: _every_cell(t) for k, t in tables.items()}
    rows: dict[int, list[int]] = {k: [] for k in tables}
    cols: dict[int, list[int]] = {k: [] for k in tables}
    for k, i, j in places:
        if k in tables:
            rows[k].append(i)
            cols[k].append(tables[k].dw.shape[1] - 1 if j is None else j)
    out = {}
    for k, t in tables.items():
        i, j = rows[k], cols[k]
        actual = [None] * len(i) if t.actual is None else t.actual[i, j].tolist()
        out[k] = zip(t.delta[i].tolist(), t.inputs[j].tolist(), t.dw[i, j].tolist(),
                     t.move[i, j].tolist(), actual)
    return out


def _every_cell(t: LayerSigns) -> Iterator[tuple]:
    """Every weight's codes of one layer, row by row."""
    inputs = t.inputs.tolist()
    actual = [None] * len(t.dw) if t.actual is None else t.actual.tolist()
    for delta, dw, move, moved in zip(t.delta.tolist(), t.dw.tolist(), t.move.tolist(),
                                      actual):
        for cell in zip(inputs, dw, move, moved or repeat(None)):
            yield (delta, *cell)
