"""Records computed ahead of a branch without recording them, kept for when the cursor gets there.

The debugger computes what the rest of an iteration will show (``Session.iteration_end``) and
prepares the next one while a person looks. Stepping there later would compute the same records
again as new objects, so everything made of the first ones (findings, drawings, values derived
once per record or per array) would be made again. Instead, the timeline records these very
objects: each spare is held with the record it was computed from, and is recorded only when that
record is the timeline's last one. ``next_record`` of a record depends on that record and the
model alone, and the timeline's own computing (per operation, or the fused iteration: the same
bits) gives the same values, so what is recorded is exactly what computing would record.
"""

from __future__ import annotations

from collections import OrderedDict

from .history import Timeline
from .records import Record


class Spares:
    """Records computed ahead, each keyed by the record it was computed from; at most ``limit``
    (the least recently read or kept dropped first: what is computed ahead of an edit no longer
    reached, say)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._after: OrderedDict[int, tuple[Record, Record]] = OrderedDict()

    def after(self, rec: Record) -> Record | None:
        """The record computed from ``rec``, when one is held."""
        held = self._after.get(id(rec))
        if held is None or held[0] is not rec:
            return None
        self._after.move_to_end(id(rec))  # read again: kept the longest
        return held[1]

    def keep(self, rec: Record, following: Record) -> Record:
        """Hold ``following``, computed from ``rec``; returns it."""
        self._after[id(rec)] = (rec, following)  # holding rec keeps its id from being reused
        while len(self._after) > self.limit:
            self._after.popitem(last=False)
        return following

    def adopt(self, records: Timeline, index: int) -> None:
        """Record the spares that follow ``records``' last record, up to ``index``."""
        while self._after and len(records) - 1 < index:
            following = self.after(records.tip)
            if following is None:
                return
            del self._after[id(records.tip)]
            records.append(following)
