"""The texts of the fields of a chunk of trace lines (trace_chunk.py), by column: one text per
iteration end, each field asked of the stacked arrays of the ends held (stacked.py) — a
numpy call for them all — and the runs of fields that an end's values alone decide written
once for each distinct end (value_fields.py). ``fill`` joins a chunk's lines from the
columns.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .detectors import History
from .diagnostics import loss_change
from .kinds.layer import Activation, PassThrough
from .losses import batch_loss
from .model import Model
from .numbers import numbers_of
from .optimizers import layer_direction
from .stacked import Name, Stack
from .trace import _FIELDS, Selection, _layers, loss_change_json
from .value_fields import PLACED, Ends, by_values

if TYPE_CHECKING:
    from .trace_chunk import Texts

Part = tuple[list[str], list[list[str]]]  # the text before, between and after some columns


def joined(parts: Sequence[Part]) -> Part:
    """Parts one after another, ", " between them."""
    pieces, columns = [""], []
    for i, (around, more) in enumerate(parts):
        pieces[-1] += (", " if i else "") + around[0]
        pieces += around[1:]
        columns += more
    return pieces, columns


def fill(pieces: list, columns: list[list], count: int) -> list:
    """The ``count`` texts (str, or bytes) of the pieces with each record's column texts
    between them, joined in order (a third of what ``str.format`` of a line costs)."""
    if not columns:
        return pieces * count
    texts = [pieces[0][:0]] * (len(pieces) + len(columns))  # the pieces, a record's between
    texts[::2], join = pieces, pieces[0][:0].join
    out = []
    for row in zip(*columns):
        texts[1::2] = row
        out.append(join(texts))
    return out


class Chunk:
    """The texts of the fields of a usable stack's records, by column (one text per record)."""

    def __init__(self, stack: Stack | None, model: Model, selection: Selection,
                 history: History | None, texts: Texts, ends: Ends | None = None,
                 binary: bool = False) -> None:
        """``stack``: the records held; ``ends``: every end of the chunk (the fields that read
        more than a stack of the records asks them); ``binary``: the columns of ``parts`` as
        UTF-8 bytes."""
        self.stack, self.model, self.selection, self.history = stack, model, selection, history
        self.ends, self.binary = ends, binary
        self.signs, self.findings, self.values = texts.signs, texts.findings, texts.values
        self.kept = texts
        self._texts: dict[Name, list[str]] = {}
        self._changes: list[tuple[Any, Any]] | None = None

    def parts(self, fields: Sequence[str]) -> list[Part]:
        """The parts of the line of ``fields``, in order."""
        parts = []
        for written, make in self.makers(fields):
            around, columns = make()
            if self.binary and written[0] not in PLACED and not by_values(self.model):
                columns = [[text.encode() for text in column] for column in columns]
            parts.append((around, columns))  # (a run of value fields is encoded by key)
        return parts

    def makers(self, fields: Sequence[str]) -> list[tuple[tuple[str, ...], Callable[[], Part]]]:
        """What makes each part of the line of ``fields``, with the fields it writes: one
        field, or a run of fields that the records' values alone decide, written once for
        each distinct record (value_fields.py)."""
        if not by_values(self.model):
            return [((field,), partial(self.part, field)) for field in fields]
        out: list[tuple[tuple[str, ...], Callable[[], Part]]] = []
        run: tuple[str, ...] = ()
        for field in [*fields, None]:
            if field is not None and field not in PLACED:
                run += (field,)
                continue
            if run:
                out.append((run, partial(self._run, run)))
                run = ()
            if field is not None:
                out.append(((field,), partial(self.part, field)))
        return out

    def _run(self, fields: tuple[str, ...]) -> Part:
        """The part of a run of value fields: each record's text of them all."""

        def texts(stack: Stack) -> list:
            chunk = Chunk(stack, self.model, self.selection, self.history, self.kept)
            made = fill(*joined([chunk.part(field) for field in fields]), len(stack.records))
            return [text.encode() for text in made] if self.binary else made

        return ["", ""], [self.values.column(self.ends, fields, texts)]

    def part(self, field: str) -> Part:
        """``field``'s text (its name first) around the columns that fill it, and those."""
        around, columns = self.layers() if field == "layers" else (["", ""], [self.column(field)])
        return [f'"{field}": {around[0]}', *around[1:]], columns

    def column(self, field: str) -> list[str]:
        if field in ("epoch", "iteration"):
            ends = self.ends
            numbers = ends.epochs if field == "epoch" else ends.iterations
            return [b"%d" % t for t in numbers] if self.binary else list(map(repr, numbers))
        if field == "diagnostics":
            values = self.values if by_values(self.model) else None
            return self.findings.column(self.ends, self.history, self._actual, values,
                                        self.binary)
        records, model, selection = self.stack.records, self.model, self.selection
        if field in ("x", "y", "losses", "loss_delta"):
            return self.texts((field,))
        if field == "layers":
            return self._layers()
        if field == "signs":
            shown = [k for k in model.trainable if selection.layers is None
                     or model.layers[k].name in selection.layers]
            return self.signs.column(self.stack, shown)
        if field == "loss_change":
            return [loss_change_json(change) for change in self.changes()]
        if field in ("loss", "learning_rate"):  # finite floats: text.number is their repr
            return [float.__repr__(rec.loss if field == "loss" else rec.lr) for rec in records]
        write = _FIELDS[field]
        return [write(rec, model, selection, set(), self.history) for rec in records]

    def texts(self, name: Name) -> list[str]:
        """Each record's array ``name`` as JSON text. An array the records share is written
        once: the weights an iteration uses are those the previous one's update made, and the
        first layer's output is the batch x."""
        held = self._texts.get(name)
        if held is not None:
            return held
        stack = self.stack
        mine = stack.arrays(name)
        if name[0] == "w":
            made = stack.arrays(("n", *name[1:]))
            if all(map(operator.is_, mine[1:], made)):
                held = [repr(mine[0].tolist()), *self.texts(("n", *name[1:]))[:-1]]
        elif name == ("o", 0) and all(map(operator.is_, mine, stack.arrays(("x",)))):
            held = self.texts(("x",))
        if held is None:
            held = stack.texts(name)
        self._texts[name] = held
        return held

    def layers(self) -> tuple[list[str], list[list[str]]]:
        """The "layers" text around the columns it is filled with: the entries' text around
        their arrays is the same for every record of the chunk (as long as no optimizer state
        is printed), so it is written once, with a mark where each array goes."""
        records, model, selection = self.stack.records, self.model, self.selection
        if model.optimizer.given:
            return ["", ""], [[_layers(rec, model, selection, set(), None,
                                       lambda k, f, arr, t=t: self.texts(_name(k, f))[t])
                               for t, rec in enumerate(records)]]
        order: list[Name] = []

        def mark(k: int, field: str, arr: Any) -> str:
            order.append(_name(k, field))
            return _MARK

        text = _layers(records[0], model, selection, set(), None, mark)
        return text.split(_MARK), [self.texts(name) for name in order]

    def changes(self) -> list[tuple[Any, Any]]:
        """Each record's (predicted, actual) loss change, held on the record as
        ``diagnostics.loss_change`` holds it."""
        if self._changes is None:
            self._changes = _changes(self.stack, self.model)
        return self._changes

    def _actual(self, stack: Stack) -> list[Any]:
        """The actual loss change of each record of ``stack`` (this chunk's, or some of its
        records')."""
        return [change[1] for change in (
            self.changes() if stack is self.stack else _changes(stack, self.model))]


def _changes(stack: Stack, model: Model) -> list[tuple[Any, Any]]:
    """``Chunk.changes`` of a stack."""
    if all(spec.trainable or isinstance(spec.recipe, (Activation, PassThrough))
           for spec in model.layers):
        return _loss_changes(stack, model)
    return [loss_change(rec, model) for rec in stack.records]  # pragma: no cover


_MARK = "\x00"  # where an array's text goes (JSON text escapes every control character)
_NAMES = {"output": ("o",), "delta": ("d",), "weights": ("w", "w"),
          "grad_weights": ("g", "w"), "weights_after": ("n", "w"), "bias": ("w", "b"),
          "grad_bias": ("g", "b"), "bias_after": ("n", "b")}


def _name(k: int, field: str) -> Name:
    """The stack's name of the array of layer ``k``'s entry ``field``."""
    head, *key = _NAMES[field]
    return (head, k, *key)


@np.errstate(all="ignore")  # as diagnostics._loss_change
def _loss_changes(stack: Stack, model: Model) -> list[tuple[float, float]]:
    """``diagnostics._loss_change`` of every record: Σ δw·d of each layer's arrays, summed
    record by record in the same order, and the loss of the batch after the update from one
    forward pass of them all."""
    records, count = stack.records, len(stack.records)
    num = numbers_of("float64")
    dots = [num.scalar(0)] * count
    for k in model.trainable:
        direction = None if model.optimizer.steps_along_gradient else [
            layer_direction(model.optimizer, rec, k) for rec in records]
        for key in records[0].grads[k]:
            g = stack["g", k, key]
            d = g if direction is None else np.stack([each[key] for each in direction])
            axes = tuple(range(1, g.ndim))
            dots = [a + b for a, b in zip(dots, np.add.reduce(g * d, axis=axes).tolist())]
    o = stack["x",]
    for k, spec in enumerate(model.layers):
        if spec.trainable:
            o = np.matmul(o, stack["n", k, "w"].transpose(0, 2, 1))
            if spec.bias:
                o = o + stack["n", k, "b"][:, None, :]
        else:
            o = spec.recipe.forward(spec, {}, o, num)
    y = stack["y",]
    flat = model.loss.values(o.reshape(-1, o.shape[-1]), y.reshape(-1, y.shape[-1]), num)
    per_record = flat.reshape(count, -1)
    if per_record.shape[1] == 1:
        after = per_record[:, 0].tolist()  # batch_loss of one sample: the value itself
    else:
        after = [batch_loss(row, num) for row in per_record]
    return [(-rec.lr * dot, a - rec.loss) for rec, dot, a in zip(records, dots, after)]
