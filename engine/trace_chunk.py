"""The JSON trace written a chunk of lines at a time: the same lines as ``trace.line`` writes one
record at a time, byte for byte, for a fraction of the cost on small networks.

A line's analyses ask dozens of small questions of arrays of a few values each, where numpy's
per-call cost outweighs the values; asked of CHUNK records stacked (stacked.py), each question
is one call for them all. ``Lines`` holds the iteration ends of a run until a chunk is full (or
the run stops), then writes them in order. A chunk is written whole-array only when every
record in it is a float64 iteration end of the same batch size, following the one before, with
every array finite and of at most SUMMARY_LIMIT values; anything else (exact numbers, NaN or
inf, large layers) is written by ``trace.line``, record by record.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from .chunk_findings import FindingTexts
from .chunk_signs import SignTexts
from .detectors import DEFAULTS, History
from .diagnostics import loss_change
from .kinds.layer import Activation, PassThrough
from .losses import batch_loss
from .numbers import numbers_of
from .optimizers import layer_direction
from .records import UPDATE, Record
from .stacked import Name, Stack, array, names
from .step import Model
from .trace import (
    _FIELDS,
    EVERYTHING,
    SUMMARY_LIMIT,
    Selection,
    _layers,
    _sign_row,
    finding_json,
    line,
    loss_change_json,
)

CHUNK = 256  # iteration ends written together
LOOK_BACK = DEFAULTS["unchanged"][0] + 1  # earlier ends the look-back findings read


class Lines:
    """The lines of a run's iteration ends, in order: ``add`` each end as it comes, write what
    it returns, and ``flush`` when the run stops; ``chunk`` ends are written together. The
    look-back findings read the ends held and the last ones written here, else ``history``."""

    def __init__(self, model: Model, selection: Selection = EVERYTHING,
                 history: History | None = None, chunk: int = CHUNK) -> None:
        self.model, self.selection, self.chunk = model, selection, chunk
        self.history = None if history is None else self._recent
        self._history = history
        self.pending: list[Record] = []
        self.ends: dict[int, Record] = {}  # iteration -> the ends held and the last written
        self.texts = Texts(model)
        self._whole: dict[tuple, bool] = {}  # (operation, numbers, batch) -> stacked

    def add(self, rec: Record) -> list[tuple[Record, str]]:
        """The (record, line) pairs ready once ``rec`` is added (none while a chunk fills)."""
        self.ends[rec.iteration] = rec
        pending = self.pending
        if not self._stackable(rec):
            ready = self.flush()
            ready.append((rec, line(rec, self.model, self.selection, self.history)))
            self._forget(rec.iteration)
            return ready
        if pending and not _follows(pending[-1], rec):
            ready = self.flush()
            self.pending.append(rec)
            return ready
        pending.append(rec)
        return self.flush() if len(pending) >= self.chunk else []

    def flush(self) -> list[tuple[Record, str]]:
        """The lines of the ends held."""
        records = self.pending
        if not records:
            return []
        texts = chunk_lines(records, self.model, self.selection, self.history, self.texts)
        self.pending = []
        self._forget(records[-1].iteration)
        return list(zip(records, texts))

    def _recent(self, iteration: int) -> Record | None:
        held = self.ends.get(iteration)
        return held if held is not None else self._history(iteration)

    def _forget(self, last: int) -> None:
        """Keep the ends a look-back after ``last`` (written) reads."""
        if len(self.ends) > LOOK_BACK + len(self.pending):
            self.ends = {t: rec for t, rec in self.ends.items() if t > last - LOOK_BACK}

    def _stackable(self, rec: Record) -> bool:
        kind = (rec.op.kind, rec.mode, len(rec.samples))
        whole = self._whole.get(kind)
        if whole is None:
            whole = self._whole[kind] = (rec.op.kind == UPDATE and rec.mode == "float64"
                                         and small(rec, self.model))
        return whole


def small(rec: Record, model: Model) -> bool:
    """Whether every array of ``rec`` is small (only those are stacked: a large one can be
    printed whole, and a chunk of them would take too much memory)."""
    return all(a is None or a.size <= SUMMARY_LIMIT
               for a in map(partial(array, rec), names(model, rec)))


def _follows(a: Record, b: Record) -> bool:
    return b.iteration == a.iteration + 1 and len(a.samples) == len(b.samples)


class Texts:
    """The sign rows' and the findings' texts kept across the chunks of a run."""

    def __init__(self, model: Model) -> None:
        self.signs = SignTexts(model, _sign_row)
        self.findings = FindingTexts(model, finding_json)


def chunk_lines(records: Sequence[Record], model: Model, selection: Selection = EVERYTHING,
                history: History | None = None, texts: Texts | None = None) -> list[str]:
    """The lines of ``records`` (consecutive iteration ends), as ``trace.line`` writes each;
    ``texts``: the texts kept from the run's earlier chunks."""
    stack = Stack(records, model)
    if not (all(map(_follows, records, records[1:])) and stack.usable()):
        return [line(rec, model, selection, history) for rec in records]
    fields = [f for f in selection.fields if f != "accuracy" or model.loss.classifies]
    texts = texts or Texts(model)
    chunk = Chunk(stack, model, selection, history, texts)
    return assemble([(field, *chunk.part(field)) for field in fields], len(records))


def assemble(parts: list[tuple[str, str, list[list[str]]]], count: int) -> list[str]:
    """The lines from each field's part: (field, its piece of the line's template, the
    columns that fill it)."""
    template = "{{" + ", ".join(f'"{field}": {piece}' for field, piece, _ in parts) + "}}"
    columns = [column for *_, more in parts for column in more]
    return [template.format(*row) for row in zip(*columns)] if columns else (
        [template.format()] * count)


class Chunk:
    """The texts of the fields of a usable stack's records, by column (one text per record)."""

    def __init__(self, stack: Stack, model: Model, selection: Selection,
                 history: History | None, texts: Texts) -> None:
        self.stack, self.model, self.selection, self.history = stack, model, selection, history
        self.signs, self.findings = texts.signs, texts.findings
        self._texts: dict[Name, list[str]] = {}
        self._changes: list[tuple[Any, Any]] | None = None

    def part(self, field: str) -> tuple[str, list[list[str]]]:
        """``field``'s piece of the line template and the columns that fill it."""
        return self.layers() if field == "layers" else ("{}", [self.column(field)])

    def column(self, field: str) -> list[str]:
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
        if field == "diagnostics":
            actual = [change[1] for change in self.changes()]
            return self.findings.column(self.stack, self.history, actual)
        if field in ("epoch", "iteration"):
            return [repr(getattr(rec, field)) for rec in records]
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

    def layers(self) -> tuple[str, list[list[str]]]:
        """The "layers" text as a template and the columns it is filled with: the entries' text
        around their arrays is the same for every record of the chunk (as long as no optimizer
        state is printed), so it is written once, with a mark where each array goes."""
        records, model, selection = self.stack.records, self.model, self.selection
        if model.optimizer.given:
            return "{}", [[_layers(rec, model, selection, set(), None,
                                   lambda k, f, arr, t=t: self.texts(_name(k, f))[t])
                           for t, rec in enumerate(records)]]
        order: list[Name] = []

        def mark(k: int, field: str, arr: Any) -> str:
            order.append(_name(k, field))
            return _MARK

        text = _layers(records[0], model, selection, set(), None, mark)
        template = "{}".join(part.replace("{", "{{").replace("}", "}}")
                             for part in text.split(_MARK))
        return template, [self.texts(name) for name in order]

    def changes(self) -> list[tuple[Any, Any]]:
        """Each record's (predicted, actual) loss change, held on the record as
        ``diagnostics.loss_change`` holds it."""
        if self._changes is None:
            records, model = self.stack.records, self.model
            if all(spec.trainable or isinstance(spec.recipe, (Activation, PassThrough))
                   for spec in model.layers):
                changes = _loss_changes(self.stack, model)
            else:  # pragma: no cover - every layer kind is one of these
                changes = [loss_change(rec, model) for rec in records]
            self._changes = changes
        return self._changes


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
