"""Edits a person can make at the cursor: a weight, a bias, an input, a target, the learning rate,
or the number mode. An edit is a plain value; applying it to a record is a pure function."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import numpy as np

from .format import brief, weight_label
from .numbers import EXACT, MODES, Numbers, float_range, freeze, outside_float_range, to_float

KINDS = ("weight", "bias", "input", "target", "learning_rate", "mode")


class EditError(ValueError):
    """An edit that cannot be applied (a wrong place or value); nothing was changed."""


@dataclass(frozen=True)
class Edit:
    """``kind`` with ``layer``/``row``/``col`` where it applies and the new ``value``.

    weight: layers[layer].w[row, col]; bias: layers[layer].b[row]; input / target: the sample
    at position ``row`` of the current batch, feature / target ``col``; learning_rate; mode
    (value "float64" or "exact").
    """

    kind: str
    value: Any
    layer: int | None = None
    row: int | None = None
    col: int | None = None

    def describe(self) -> str:
        """As the screen writes it: "w²[1,2] := 0", "α := 1/2", "input 2 of batch sample 1 := 5"."""
        where = {
            "weight": lambda: weight_label(self.layer, "w", (self.row, self.col)),
            "bias": lambda: weight_label(self.layer, "b", (self.row,)),
            "input": lambda: f"input {self.col + 1} of batch sample {self.row + 1}",
            "target": lambda: f"target {self.col + 1} of batch sample {self.row + 1}",
            "learning_rate": lambda: "α",
            "mode": lambda: "numbers",
        }[self.kind]()
        return f"{where} := {brief(self.value) if self.kind != 'mode' else self.value}"


def apply(edit: Edit, rec, n_layers: int):
    """The record with the edit applied to the state the iteration starts from (a pick or start
    record): weights, the data set and the current batch, or the learning rate."""
    num = Numbers(rec.mode)
    if edit.kind not in KINDS:
        raise EditError(f"unknown edit kind {edit.kind!r} (expected one of {', '.join(KINDS)})")
    if edit.kind == "mode":
        if edit.value not in MODES:
            raise EditError(f"unknown number mode {edit.value!r} (expected exact or float64)")
        try:
            return convert(rec, Numbers(edit.value))
        except (ValueError, OverflowError):  # Fraction(nan) / Fraction(inf)
            raise EditError("exact numbers need finite values, and this point holds nan or "
                            "inf: go back before it to switch to exact") from None
    if not num.exact and not float_range(edit.value):
        raise EditError(f"{brief(edit.value)} {outside_float_range(edit.value)}; switch to exact "
                        "numbers for it")
    value = num.scalar(edit.value)
    if edit.kind == "learning_rate":
        if not value >= 0:
            raise EditError(f"a learning rate must be ≥ 0, got {brief(edit.value)}")
        return rec.with_(lr=value)
    if edit.kind in ("weight", "bias"):
        key = "w" if edit.kind == "weight" else "b"
        valid = edit.layer is not None and 0 <= edit.layer < n_layers
        if not valid or key not in rec.params[edit.layer]:
            raise EditError(f"layer {edit.layer} has no {edit.kind}s")
        arr = rec.params[edit.layer][key]
        place = (edit.row, edit.col) if key == "w" else (edit.row,)
        new_arr = _set(arr, place, value, edit.kind)
        layer = MappingProxyType({**rec.params[edit.layer], key: new_arr})
        params = rec.params[:edit.layer] + (layer,) + rec.params[edit.layer + 1:]
        return rec.with_(params=params)
    # input / target: change the sample in the data set, and the current batch if it is picked
    data = rec.data_x if edit.kind == "input" else rec.data_y
    if not rec.samples or edit.row is None or not 0 <= edit.row < len(rec.samples):
        raise EditError(f"no sample at batch position {edit.row}")
    sample = rec.samples[edit.row]
    new_data = _set(data, (sample, edit.col), value, edit.kind)
    batch = freeze(new_data[list(rec.samples)])
    if edit.kind == "input":
        return rec.with_(data_x=new_data, x=batch)
    return rec.with_(data_y=new_data, y=batch)


def _set(arr: np.ndarray, place: tuple, value, what: str) -> np.ndarray:
    if any(p is None for p in place) or any(not 0 <= p < n for p, n in zip(place, arr.shape)):
        raise EditError(f"no {what} at {place} (shape {arr.shape})")
    out = arr.copy()
    out[place] = value
    return freeze(out)


def convert(rec, num: Numbers):
    """The record with every number converted to ``num``'s mode."""
    def conv(a):
        return None if a is None else num.convert(a)

    def conv_params(ps):
        if ps is None:
            return None
        return tuple(None if p is None else MappingProxyType({k: conv(v) for k, v in p.items()})
                     for p in ps)

    def conv_state(state):
        if state is None:
            return None
        return type(state)(state.step, tuple(
            MappingProxyType({name: MappingProxyType({k: conv(v) for k, v in arrays.items()})
                              for name, arrays in buffers.items()})
            for buffers in state.buffers))

    loss = rec.loss
    if loss is not None:
        loss = Fraction(loss) if num.mode == EXACT else to_float(loss)
    return rec.with_(
        mode=num.mode, lr=Fraction(rec.lr) if num.exact else to_float(rec.lr),
        params=conv_params(rec.params), new_params=conv_params(rec.new_params),
        grads=conv_params(rec.grads), state=conv_state(rec.state),
        new_state=conv_state(rec.new_state), data_x=conv(rec.data_x), data_y=conv(rec.data_y),
        x=conv(rec.x), y=conv(rec.y), outputs=tuple(conv(a) for a in rec.outputs),
        deltas=tuple(conv(a) for a in rec.deltas), losses=conv(rec.losses), loss=loss,
        loss_delta=conv(rec.loss_delta))
