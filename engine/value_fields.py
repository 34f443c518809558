"""The fields of a chunk of trace lines (trace_chunk.py) that an iteration end's values alone
decide, written once for each distinct end.

Every field but an end's place in the run (epoch, iteration) and its findings (which read the
iterations before it) is a function of its arrays, loss, learning rate and samples — as long
as no optimizer state is printed or read, which is when the scenario has no [optimizer] table
(plain SGD steps along δw and keeps no state). Two ends whose values have the same bits print
the same text there: a network that learns nothing repeats its ends (broccoli in float64,
whose one flow is blocked by a rounding, every three iterations), and so does one that has
stopped. An end's key is those bits (rows.Layout.key); the texts of the ends whose key is new
are computed on the stack of those ends alone, and those of a chunk are kept for the next one
— where an end whose key is kept is not even held (trace_chunk.Lines).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import Model
from .stacked import Stack

PLACED = ("epoch", "iteration", "diagnostics")  # what reads more than an end's values


def by_values(model: Model) -> bool:
    """Whether the fields other than PLACED are a function of an end's values alone."""
    return not model.optimizer.given and model.optimizer.steps_along_gradient


@dataclass
class Ends:
    """A chunk's consecutive iteration ends: each one's key, iteration and epoch, and its
    place in ``stack`` (the ends held: every end whose key is new to the chunk is), or None;
    ``unmoved(k)``: per end, whether its update left layer ``k``'s weights as they were."""

    keys: list[bytes]
    iterations: list[int]
    epochs: list[int]
    places: list[int | None]
    stack: Stack | None
    unmoved: Callable[[int], np.ndarray]


class ValueTexts:
    """The texts of runs of value fields (and of the findings but ``unchanged``), by key,
    kept from one chunk to the next."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, ...], dict[bytes, Any]] = {}

    def column(self, ends: Ends, fields: Sequence[str],
               texts: Callable[[Stack], Sequence[Any]]) -> list[Any]:
        """Each end's text of ``fields`` (``texts`` of a stack of the ends whose key was not
        seen in this chunk or the one before)."""
        keys = ends.keys
        known = self.kept.get(tuple(fields), {})
        first: dict[bytes, int] = {}  # a new key -> the place of its first end in the stack
        for key, place in zip(keys, ends.places):
            if key not in known and key not in first:
                first[key] = place
        if first:
            stack = ends.stack
            places = list(first.values())
            if places != list(range(len(stack.records))):
                stack = stack.subset(places)
            known = {**known, **dict(zip(first, texts(stack)))}
        column = [known[key] for key in keys]
        self.kept[tuple(fields)] = dict(zip(keys, column))
        return column
