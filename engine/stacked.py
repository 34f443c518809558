"""The arrays of consecutive iteration ends stacked along a new first axis, so that the trace's
analyses of a chunk of lines are whole-array operations (a numpy call on 64 records costs about
what it costs on one of a few values).

Only the ends of a float64 run whose arrays are all finite and all computed are stacked: every
elementwise operation then gives each record's values exactly as it would alone, and a reduction
over a record's own axes reads its values in the same order (numpy reduces a contiguous block
as it reduces the record's own array; a stacked matrix product calls the same BLAS kernel on
each record's matrices as the record's own product does).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from .model import Model
from .records import UPDATE, Record

Name = tuple  # ("x",), ("y",), ("losses",), ("loss_delta",), ("o", k), ("d", k),
# ("w", k, key) the weights, ("n", k, key) the updated ones, ("g", k, key) the gradients


def names(model: Model, rec: Record) -> list[Name]:
    """The names of an iteration end's arrays (its layers' keys as ``rec`` has them)."""
    out: list[Name] = [("x",), ("y",), ("losses",), ("loss_delta",)]
    for k in range(len(model.layers)):
        out += [("o", k), ("d", k)]
    for k in model.trainable:
        for key in rec.params[k]:
            out += [("w", k, key), ("n", k, key), ("g", k, key)]
    return out


def array(rec: Record, name: Name) -> Any:
    """The array ``name`` of ``rec`` (None where not computed)."""
    head = name[0]
    if len(name) == 1:
        return getattr(rec, head)
    if head == "o":
        return rec.outputs[name[1]]
    if head == "d":
        return rec.deltas[name[1]]
    k, key = name[1], name[2]
    if head == "w":
        return rec.params[k].get(key)
    if head == "n":
        return rec.new_params[k].get(key) if rec.new_params is not None else None
    grads = rec.grads[k]
    return None if grads is None else grads.get(key)


def _arrays(records: Sequence[Record], name: Name) -> list:
    """``array(rec, name)`` of each record (read directly: this runs for every array of every
    record of a trace)."""
    head = name[0]
    if len(name) == 1:
        return [getattr(rec, head) for rec in records]
    k = name[1]
    if head == "o":
        return [rec.outputs[k] for rec in records]
    if head == "d":
        return [rec.deltas[k] for rec in records]
    key = name[2]
    if head == "w":
        return [rec.params[k][key] for rec in records]
    if head == "g" and all(rec.grads[k] is not None for rec in records):
        return [rec.grads[k][key] for rec in records]
    if head == "n" and all(rec.new_params is not None for rec in records):
        return [rec.new_params[k][key] for rec in records]
    return [array(rec, name) for rec in records]


class Stack:
    """The records' arrays stacked by name: ``self[name]`` is [records, *the array's shape];
    ``self.arrays(name)`` the records' own arrays."""

    def __init__(self, records: Sequence[Record], model: Model,
                 stacked: dict[Name, np.ndarray] | None = None) -> None:
        """``stacked``: the arrays already stacked (rows.Layout.blocks), if they are."""
        self.records, self.model = records, model
        self.names = names(model, records[0])
        self._arrays: dict[Name, list] = {}
        self._stacked: dict[Name, np.ndarray] = stacked or {}

    def arrays(self, name: Name) -> list:
        held = self._arrays.get(name)
        if held is None:
            held = self._arrays[name] = _arrays(self.records, name)
        return held

    def __getitem__(self, name: Name) -> np.ndarray:
        held = self._stacked.get(name)
        if held is None:
            held = self._stacked[name] = self._stack(name)
        return held

    def _stack(self, name: Name) -> np.ndarray:
        """The arrays ``name`` stacked; those the records share taken from the stack they
        share (the weights an iteration uses are the ones the previous update made, the first
        layer's output is the batch x)."""
        mine = self.arrays(name)
        if name[0] == "w":
            made = ("n", *name[1:])
            if all(map(operator.is_, mine[1:], self.arrays(made))):
                first = np.array(mine[:1])
                return np.concatenate([first, self[made][:-1]]) if first.ndim > 1 else first
        if name == ("o", 0) and all(map(operator.is_, mine, self.arrays(("x",)))):
            return self["x",]
        return np.array(mine)  # a third of np.stack's cost on small arrays

    def usable(self) -> bool:
        """True when every record is an update in float64 with every array computed, of the
        same shapes, and finite (as its loss and learning rate)."""
        for rec in self.records:
            if rec.op.kind != UPDATE or rec.mode != "float64" or rec.new_params is None:
                return False
            if not (math.isfinite(rec.loss) and math.isfinite(rec.lr)):
                return False
        if self._stacked.keys() >= set(self.names):  # stacked from the ends' rows
            stacked = [self._stacked[name] for name in self.names]
            return all(s.ndim > 1 and np.isfinite(s).all() for s in stacked)
        try:  # an array not computed (None) or of another shape makes no float64 stack
            stacked = [self[name] for name in self.names]
        except ValueError:
            return False
        return all(s.dtype == np.float64 and s.ndim > 1 and np.isfinite(s).all()
                   for s in stacked)

    def subset(self, places: Sequence[int]) -> Stack:
        """The stack of the records at ``places`` (in that order) of a usable stack."""
        sub = Stack([self.records[t] for t in places], self.model)
        sub._stacked = {name: self[name][places] for name in self.names}
        return sub

    def texts(self, name: Name) -> list[str]:
        """Each record's array ``name`` as JSON text (``json_text.array`` of a finite float
        array: the repr of its list), written once for each set of bits in the chunk (weights
        that did not move, gradients of 0, the samples of a small data set)."""
        stacked = self[name]
        values = stacked.tolist()
        raw = stacked.tobytes()
        width = len(raw) // len(values)
        seen: dict[bytes, str] = {}
        out = []
        for t, value in enumerate(values):
            bits = raw[t * width:(t + 1) * width]
            text = seen.get(bits)
            if text is None:
                text = seen[bits] = repr(value)
            out.append(text)
        return out


def batch_codes(codes: np.ndarray) -> np.ndarray:
    """``sign_codes.batch_codes`` of each record of stacked codes [records, batch, n] (finite
    values: no NAN code) -> [records, n]."""
    if codes.shape[1] == 1:
        return codes[:, 0]
    from .sign_codes import MIXED

    agree = (codes == codes[:, :1]).all(axis=1)
    return np.where(agree, codes[:, 0], MIXED).astype(np.int8)


def norms(stacked: np.ndarray) -> np.ndarray:
    """Each record's Euclidean norm (as ``norms.norm``: scaled by its largest |value|), to
    within rounding: the screens that read it allow for that."""
    a = np.abs(stacked).reshape(len(stacked), -1)
    top = a.max(axis=1)
    scale = np.where(top > 0, top, 1.0)
    return top * np.sqrt(np.add.reduce(np.square(a / scale[:, None]), axis=1))
