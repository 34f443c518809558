"""Sign analysis (the articles' "sign flow" and "sign update"); blocked flow and float rounding
are in flow_findings.py.

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

from .numbers import floats
from .optimizers import layer_direction
from .ranking import largest
from .records import Record
from .step import Model

INCREASE, DECREASE, KEEP = "increase", "decrease", "keep"


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


def situation(delta_sign: str, neuron: str) -> str:
    """The articles' interpretation of δ^{k+1}_i."""
    return {
        "0": f"{neuron} as expected: nothing to learn",
        "-": f"{neuron} lower than expected",
        "+": f"{neuron} higher than expected",
        "nan": f"{neuron}: δ is nan (not a number), nothing sensible can be learnt",
    }.get(delta_sign, f"{neuron}: the samples of the batch disagree")


_GRADIENT_MOVE = {"-": INCREASE, "+": DECREASE, "0": KEEP}  # the move −δw asks for, by δw's sign


# sign codes of the vectorised tables
PLUS, MINUS, ZERO, MIXED, NAN = 1, -1, 0, 2, 3
CODE_TEXT = {PLUS: "+", MINUS: "-", ZERO: "0", MIXED: "mixed", NAN: "nan"}
MOVE_TEXT = {PLUS: INCREASE, MINUS: DECREASE, ZERO: KEEP}


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


def _codes(arr: np.ndarray) -> np.ndarray:
    """Elementwise sign codes; NaN -> NAN (works for float and Fraction arrays)."""
    if arr.dtype == object:
        return (arr > 0).astype(np.int8) - (arr < 0).astype(np.int8)
    signs = np.sign(arr)  # -1, 0 (for ±0), 1 or NaN
    total = np.add.reduce(signs, axis=None)  # NaN exactly when a sign is (the others are
    if total != total:                        # -1, 0 and 1, whose sum is exact)
        signs[signs != signs] = NAN
    return signs.astype(np.int8)


def _batch_codes(arr: np.ndarray) -> np.ndarray:
    """Per column of a [batch, n] array: the common code, MIXED when samples disagree, NAN if
    any is NaN."""
    codes = _codes(arr)
    if len(codes) == 1:
        return codes[0]  # one sample agrees with itself
    out = np.where((codes == codes[:1]).all(axis=0), codes[0], MIXED).astype(np.int8)
    out[(codes == NAN).any(axis=0)] = NAN
    return out


# the move of a step of sign code c is _MOVE[c]: its opposite (index -1 reads the last entry)
_MOVE = np.array([ZERO, MINUS, MIXED, NAN, PLUS], dtype=np.int8)


def layer_signs(rec: Record, model: Model, k: int) -> LayerSigns | None:
    """The sign arrays of linear layer ``k`` once its δw is known, else None."""
    spec = model.layers[k]
    grads = rec.grads[k] if rec.grads else None
    if not spec.trainable or grads is None:
        return None
    delta_next, x_in = rec.flow_into(k), rec.layer_input(k)
    dw, inputs = grads["w"], _batch_codes(x_in)
    if spec.bias:
        dw = np.concatenate([dw, grads["b"][:, None]], axis=1)
        inputs = np.append(inputs, np.int8(PLUS))
    dw_codes = _codes(dw)
    d = layer_direction(model.optimizer, rec, k)
    step = dw if d is None or d["w"] is grads["w"] else _with_bias(d, spec.bias)
    step_codes = dw_codes if step is dw else _codes(step)
    move = _MOVE[step_codes]
    actual = None
    if rec.new_params is not None:
        before, after = rec.params[k]["w"], rec.new_params[k]["w"]
        if spec.bias:
            before = np.concatenate([before, rec.params[k]["b"][:, None]], axis=1)
            after = np.concatenate([after, rec.new_params[k]["b"][:, None]], axis=1)
        actual = _codes(after - before) if after.dtype == object else (
            (after > before).view(np.int8) - (after < before).view(np.int8))
    return LayerSigns(k, spec.name, spec.bias, _batch_codes(delta_next), inputs, dw_codes, move,
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
    neurons = {k: _Neurons(rec, model, k) for k in tables}
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


def select_weights(rec: Record, model: Model, which: str = "all",
                   limit: int | None = None) -> list[tuple[int, int, int | None]]:
    """Places of the weights to show: "all" in model order, or "against" (moved against the
    prediction), "moving" (δw ≠ 0) and "largest" (every weight), each sorted by |δw|,
    largest first. Vectorised: fast on 100k weights."""
    return choose_weights(rec, model, which, limit)[0]


def choose_weights(rec: Record, model: Model, which: str = "all",
                   limit: int | None = None) -> tuple[list[tuple[int, int, int | None]], int]:
    """(the places ``select_weights`` gives, how many weights pass the filter in all)."""
    keys, sizes, places = [], [], []
    for k, spec in enumerate(model.layers):
        t = layer_signs(rec, model, k) if spec.trainable else None
        if t is None:
            continue
        mask = np.ones(t.dw.shape, bool)
        if which == "against":
            mask = t.against if t.against is not None else np.zeros(t.dw.shape, bool)
        elif which == "moving":
            mask = t.dw != ZERO
        rows, cols = np.nonzero(mask)
        places.append((k, rows, cols, t.dw.shape[1] - t.bias))
        keys.append(t.dw_abs[rows, cols])
        sizes.append(len(rows))
    if not places:
        return [], 0
    order = np.arange(sum(sizes))
    if which != "all":
        magnitude = np.concatenate(keys)
        order = largest(magnitude, len(order) if limit is None else limit)
    elif limit is not None:
        order = order[:limit]
    starts = np.cumsum([0] + sizes)
    out = []
    for n in order.tolist():
        layer = int(np.searchsorted(starts, n, side="right")) - 1
        k, rows, cols, n_in = places[layer]
        i, j = int(rows[n - starts[layer]]), int(cols[n - starts[layer]])
        out.append((k, i, j if j < n_in else None))
    return out, sum(sizes)


class _Neurons:
    """The situation of each output neuron i of linear layer ``k`` (the articles' reading of
    δ^{k+1}_i), with what the layer's neurons share worked out once: their name, the loss's
    signs, and where the layer after it blocked the flow."""

    def __init__(self, rec: Record, model: Model, k: int) -> None:
        spec = model.layers[k]
        self.rec, self.model, self.k = rec, model, k
        self.at_output = _passes_sign(model, k)
        self.name = ("model output" if k == model.trainable[-1] and self.at_output
                     else f"{spec.name} output")
        self.layer, self.numbered = spec.name, spec.size > 1
        self._loss_codes: np.ndarray | None = None
        self._blocked: np.ndarray | None = None

    def situation(self, i: int, d: str) -> str:
        """The situation of neuron ``i`` whose δ^{k+1} has sign text ``d``."""
        rec = self.rec
        if not self.numbered:
            neuron = self.name
        elif self.name == "model output":
            neuron = f"model output {i + 1}"
        else:  # a hidden neuron, named as the screen names it: L2 n2
            neuron = f"{self.layer} n{i + 1} output"
        said = situation(d, neuron)
        if self.at_output and rec.loss_delta is not None and d == "0":
            if self._loss_codes is None:
                self._loss_codes = _batch_codes(rec.loss_delta)
            loss_sign = CODE_TEXT[int(self._loss_codes[i])]
            if loss_sign in ("+", "-"):
                said = (situation(loss_sign, neuron)
                        + ", but the flow is blocked before this weight: nothing is learnt")
        elif d == "0":
            blocker = self.blocker(i)
            if blocker is not None:
                said = f"{neuron}: blocked by {blocker} (its input < 0), nothing is learnt"
        return said

    def blocker(self, i: int) -> str | None:
        """The name of the layer right after this one when it blocked the flow arriving at
        neuron ``i`` for some sample of the batch (a dead ReLU), else None."""
        k, model, rec = self.k, self.model, self.rec
        if k + 1 >= len(model.layers):
            return None
        spec = model.layers[k + 1]
        x_in, flow = rec.layer_input(k + 1), rec.flow_into(k + 1)
        if not spec.recipe.blocks or x_in is None or flow is None:
            return None
        if self._blocked is None:
            self._blocked = spec.recipe.blocked(spec, x_in, flow).any(axis=0)
        return spec.name if bool(self._blocked[i]) else None


def _passes_sign(model: Model, k: int) -> bool:
    """True when every layer after k keeps the sign of the flow (ReLU, sigmoid, tanh, …), so a
    sign of δ^{k+1} says the same as the sign of the loss's δ."""
    return all(not s.trainable for s in model.layers[k + 1:])
