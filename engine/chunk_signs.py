"""The sign rows of a chunk of trace lines (trace_chunk.py): the sign codes of every record at
once, and each row's text looked up by what it depends on.

A row's text is a function of its place (layer, row, column), its codes (δ^{k+1}_i, o^{k-1}_j,
δw, the move, the actual move) and, for a δ of 0, what the situation reads then (the loss's δ
at an output, whether the next layer blocked the flow): that is the key. A key seen for the
first time is written by the per-record sign analysis (signs.sign_rows) and kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .model import Model
from .optimizers import layer_direction
from .records import Record
from .sign_codes import MOVE_OF_STEP, PLUS, codes
from .sign_situations import passes_sign
from .signs import sign_rows
from .stacked import Stack, batch_codes

MAX_KEPT = 20_000  # row texts kept; past it the table starts again

RowText = Callable[..., str]  # a SignRow's fields -> its text (trace._sign_row)


class SignTexts:
    """Row texts by key, kept across the chunks of one run."""

    def __init__(self, model: Model, make: RowText) -> None:
        self.model, self.make = model, make
        self.kept: dict[tuple, str] = {}

    def column(self, stack: Stack, layers: Sequence[int]) -> list[str]:
        """Each record's "signs" text: the rows of ``layers`` (every weight, in order)."""
        if len(self.kept) > MAX_KEPT:
            self.kept.clear()
        if not layers:  # none shown (--fields signs without a layer's whole entry)
            return ["[]"] * len(stack.records)
        texts = [self._layer(stack, k) for k in layers]
        return ["[" + ", ".join(each) + "]" for each in zip(*texts)]

    def _layer(self, stack: Stack, k: int) -> list[str]:
        """Each record's rows of layer ``k``, as one text. Kept by all their codes at once
        (the record's row of ``codes`` as bytes), and row by row when those are new."""
        model, kept = self.model, self.kept
        spec = model.layers[k]
        last = len(model.layers) - 1
        flow = stack[("loss_delta",) if k == last else ("d", k + 1)]
        x_in = stack[("x",) if k == 0 else ("o", k - 1)]
        delta = batch_codes(codes(flow))
        inputs = batch_codes(codes(x_in))
        dw = stack["g", k, "w"]
        before, after = stack["w", k, "w"], stack["n", k, "w"]
        if spec.bias:
            inputs = np.concatenate([inputs, np.full((len(inputs), 1), PLUS, np.int8)], axis=1)
            dw = np.concatenate([dw, stack["g", k, "b"][:, :, None]], axis=2)
            before = np.concatenate([before, stack["w", k, "b"][:, :, None]], axis=2)
            after = np.concatenate([after, stack["n", k, "b"][:, :, None]], axis=2)
        dw_codes = codes(dw)
        move = MOVE_OF_STEP[dw_codes if model.optimizer.steps_along_gradient
                            else codes(_directions(stack.records, model, k))]
        actual = (after > before).view(np.int8) - (after < before).view(np.int8)
        count, outs = len(stack.records), dw.shape[1]
        loss, blocked = self._situations(stack, k)
        every = [delta, inputs, dw_codes, move, actual] + [a for a in (loss, blocked)
                                                           if a is not None]
        table = np.concatenate([a.astype(np.int8).reshape(count, -1) for a in every], axis=1)
        width, flat = table.shape[1], table.tobytes()
        out = []
        for t, rec in enumerate(stack.records):
            key = (k, flat[t * width:(t + 1) * width])
            text = kept.get(key)
            if text is None:
                cells = [a[t].tolist() for a in (delta, inputs, dw_codes, move, actual)]
                extra = [[None] * outs if a is None else a[t].tolist() for a in (loss, blocked)]
                text = kept[key] = ", ".join(self._rows(rec, k, *cells, *extra))
            out.append(text)
        return out

    def _rows(self, rec: Record, k: int, delta: list, inputs: list, dw: list, move: list,
              actual: list, loss: list, blocked: list) -> list[str]:
        """The rows of layer ``k`` of ``rec`` from its codes, each kept by its own."""
        kept, bias = self.kept, self.model.layers[k].bias
        cols = [j if j < len(inputs) - bias else None for j in range(len(inputs))]
        out = []
        for i, dw_row, move_row, actual_row in zip(range(len(dw)), dw, move, actual):
            extra = (delta[i], loss[i], blocked[i])
            for j, xj, c, m, a in zip(cols, inputs, dw_row, move_row, actual_row):
                key = (k, i, j, xj, c, m, a, extra)
                text = kept.get(key)
                if text is None:
                    text = kept[key] = sign_rows(rec, self.model, [(k, i, j)], self.make)[0]
                out.append(text)
        return out

    def _situations(self, stack: Stack, k: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Per record and output neuron of layer ``k``: the loss δ's batch code (when its δ
        says the same as the loss's) and whether the next layer blocked the flow there."""
        model = self.model
        loss = blocked = None
        if passes_sign(model, k):
            loss = batch_codes(codes(stack["loss_delta",]))
        if k + 1 < len(model.layers) and model.layers[k + 1].recipe.blocks:
            spec = model.layers[k + 1]
            last = len(model.layers) - 1
            flow = stack[("loss_delta",) if k + 1 == last else ("d", k + 2)]
            blocked = spec.recipe.blocked(spec, stack["o", k], flow).any(axis=1)
        return loss, blocked


def _directions(records: Sequence[Record], model: Model, k: int) -> np.ndarray:
    """The optimizer's direction d of layer ``k`` per record (bias as the last column)."""
    out = []
    for rec in records:
        d = layer_direction(model.optimizer, rec, k)
        out.append(np.concatenate([d["w"], d["b"][:, None]], axis=1) if "b" in d else d["w"])
    return np.stack(out)
