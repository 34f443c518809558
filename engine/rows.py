"""A small float64 iteration end read into one row of bytes as it arrives: the values of its
arrays one after another (``stacked.names``' order). The JSON trace (trace_chunk.py) reads each
end's arrays once, while they are still in the cache, and stacks a chunk's rows later in one
call; an end's key — its row, loss, learning rate and samples — says which ends print the
same text (value_fields.py).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence

import numpy as np

from .model import Model
from .records import Record
from .stacked import Name, array, names


class Layout:
    """Where each array of the model's iteration ends (of one batch size) sits in a row."""

    def __init__(self, model: Model, rec: Record) -> None:
        self.names: list[Name] = names(model, rec)
        self.shapes = [array(rec, name).shape for name in self.names]
        sizes = [math.prod(shape) for shape in self.shapes]
        self.start = {name: sum(sizes[:i]) for i, name in enumerate(self.names)}
        self.size = dict(zip(self.names, sizes))
        self.width = 8 * sum(sizes)  # bytes in a row
        self.keys = [(k, key) for k in model.trainable for key in rec.params[k]]
        self.layers = range(len(model.layers))
        self._pack = struct.Struct(f"dd{len(rec.samples)}q").pack

    def row(self, rec: Record) -> bytes | None:
        """The values of ``rec``'s arrays as bytes; None when one is not computed, not
        contiguous, or not of this layout (then its end is written on its own)."""
        outputs, deltas = rec.outputs, rec.deltas
        arrays = [rec.x, rec.y, rec.losses, rec.loss_delta]
        for k in self.layers:
            arrays += (outputs[k], deltas[k])
        try:
            params, after, grads = rec.params, rec.new_params, rec.grads
            for k, key in self.keys:
                arrays += (params[k][key], after[k][key], grads[k][key])
            row = b"".join(arrays)
        except (TypeError, KeyError):
            return None
        return row if len(row) == self.width else None

    def key(self, rec: Record, row: bytes) -> bytes:
        """``rec``'s key: its row, then the bits of its loss and learning rate and its
        samples."""
        return row + self._pack(rec.loss, rec.lr, *rec.samples)

    @staticmethod
    def finite(rec: Record, row: bytes) -> bool:
        """Whether every value of ``rec``'s row, its loss and learning rate are finite (a sum
        of finite values that overflows says no too: its end is then written on its own)."""
        return math.isfinite(sum(memoryview(row).cast("d")) + rec.loss + rec.lr)

    def blocks(self, rows: Sequence[bytes]) -> dict[Name, np.ndarray]:
        """Each array of the ends whose rows these are, stacked [ends, *its shape]."""
        values = np.frombuffer(b"".join(rows), np.float64).reshape(len(rows), -1)
        return {name: np.ascontiguousarray(values[:, self.start[name]:self.start[name]
                                                  + self.size[name]]).reshape(len(rows), *shape)
                for name, shape in zip(self.names, self.shapes)}

    def unmoved(self, rows: Sequence[bytes], k: int) -> np.ndarray:
        """Per end, whether its update left layer ``k``'s weights as they were (its bias may
        have moved: ``detectors._unmoved`` reads the weights)."""
        values = np.frombuffer(b"".join(rows), np.float64).reshape(len(rows), -1)
        w, n, size = self.start["w", k, "w"], self.start["n", k, "w"], self.size["w", k, "w"]
        return (values[:, w:w + size] == values[:, n:n + size]).all(axis=1)
