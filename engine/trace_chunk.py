"""The JSON trace written a chunk of lines at a time: the same lines as ``trace.line`` writes one
record at a time, byte for byte, for a fraction of the cost on small networks.

A line's analyses ask dozens of small questions of arrays of a few values each, where numpy's
per-call cost outweighs the values; asked of CHUNK records stacked (stacked.py), each question
is one call for them all (chunk_fields.py). ``Lines`` takes the iteration ends of a run as
they come — each read into its row of bytes (rows.py), and held only when its key is new to
its chunk and the one before (value_fields.py) — and writes them in order once a chunk is full
(or the run stops). A chunk is written whole-array only when every end in it is a float64
iteration end of the same batch size, following the one before, with every array finite and
of at most SUMMARY_LIMIT values; any other end (exact numbers, NaN or inf, large layers) is
written by ``trace.line`` on its own, after the chunk before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from .chunk_fields import Chunk, fill, joined
from .chunk_findings import FindingTexts
from .chunk_signs import SignTexts
from .detectors import DEFAULTS, History
from .model import Model
from .records import UPDATE, Record
from .rows import Layout
from .stacked import Stack, array, names
from .trace import EVERYTHING, SUMMARY_LIMIT, Selection, _sign_row, finding_json, line
from .value_fields import Ends, ValueTexts, by_values

CHUNK = 128  # iteration ends written together
LOOK_BACK = DEFAULTS["unchanged"][0] + 1  # earlier ends the look-back findings read


@dataclass(slots=True)
class _End:
    """An iteration end waiting in a chunk: ``rec`` None once its key was seen before (its
    record is not held: only what its line needs besides the texts kept by that key)."""

    rec: Record | None
    index: int
    iteration: int
    epoch: int
    layout: Layout
    row: bytes
    key: bytes


class Lines:
    """The lines of a run's iteration ends, in order: ``add`` each end as it comes, write what
    it returns, and ``flush`` when the run stops; ``chunk`` ends are written together. The
    look-back findings read the ends held and the last ones written here, else ``history``.

    An end that can be stacked is read into its row as it arrives (rows.py); one whose key was
    seen in this chunk or the one before is not held (value_fields.py), so a network that
    repeats itself keeps a handful of records, not a chunk of them."""

    def __init__(self, model: Model, selection: Selection = EVERYTHING,
                 history: History | None = None, chunk: int = CHUNK, end: str = "",
                 binary: bool = False) -> None:
        """``binary``: the lines as UTF-8 bytes (what a file or a pipe receives), not str."""
        self.model, self.selection, self.chunk, self.end = model, selection, chunk, end
        self.binary = binary
        self.history = None if history is None else self._recent
        self._history = history
        self.pending: list[_End] = []
        self.ends: dict[int, Record] = {}  # iteration -> the ends a look-back may read
        self.texts = Texts(model)
        self._layouts: dict[tuple, Layout | None] = {}  # (operation, numbers, batch) -> the
        # layout of the rows of the ends of that kind, None when they are not stacked
        self._keyed = by_values(model)
        self._seen: set[bytes] = set()  # the keys of the last chunk written and this one's

    def add(self, rec: Record) -> list[tuple[int, str]]:
        """The (index, line) pairs ready once ``rec`` is added (none while a chunk fills)."""
        self._remember(rec)
        layout = self._layout(rec)
        row = None if layout is None else layout.row(rec)
        if row is None:
            return self._alone(rec)
        key = layout.key(rec, row)
        if key not in self._seen and not layout.finite(rec, row):
            return self._alone(rec)
        pending, ready = self.pending, []
        if pending and (rec.iteration != pending[-1].iteration + 1
                        or layout is not pending[-1].layout):
            ready = self.flush()
        seen = self._seen
        dropped = self._keyed and key in seen
        if not dropped:
            seen.add(key)
        self.pending.append(_End(None if dropped else rec, rec.index, rec.iteration, rec.epoch,
                                 layout, row, key))
        if len(self.pending) >= self.chunk:
            ready += self.flush()
        return ready

    def flush(self) -> list[tuple[int, str]]:
        """The lines of the ends held."""
        ends = self.pending
        if not ends:
            return []
        texts = self._lines(ends)
        self.pending = []
        self._forget(ends[-1].iteration)
        return [(e.index, text) for e, text in zip(ends, texts)]

    def _alone(self, rec: Record) -> list[tuple[int, str]]:
        """The lines held, then ``rec``'s, written on its own."""
        ready = self.flush()
        text = line(rec, self.model, self.selection, self.history) + self.end
        ready.append((rec.index, text.encode() if self.binary else text))
        self._forget(rec.iteration)
        return ready

    def _lines(self, ends: list[_End]) -> list[str]:
        places: list[int | None] = []
        held: list[Record] = []
        for e in ends:
            places.append(None if e.rec is None else len(held))
            if e.rec is not None:
                held.append(e.rec)
        layout = ends[0].layout
        rows = [e.row for e in ends]
        stack = Stack(held, self.model, layout.blocks([e.row for e in ends if e.rec])) if (
            held) else None
        if stack is not None and not stack.usable():  # pragma: no cover - rows are checked
            assert len(held) == len(ends), "an end not held in a chunk that is not stacked"
            self._seen = set()
            texts = [line(rec, self.model, self.selection, self.history) + self.end
                     for rec in held]
            return [text.encode() for text in texts] if self.binary else texts
        info = Ends([e.key for e in ends], [e.iteration for e in ends],
                    [e.epoch for e in ends], places, stack, partial(layout.unmoved, rows))
        self._seen = set(info.keys) if self._keyed else set()
        return _lines_of(info, self.model, self.selection, self.history, self.texts, self.end,
                         self.binary)

    def _recent(self, iteration: int) -> Record | None:
        held = self.ends.get(iteration)
        return held if held is not None else self._history(iteration)

    def _remember(self, rec: Record) -> None:
        """Hold ``rec`` for the look-backs: the ends a look-back from the chunk's first end
        reads are kept (by ``_forget``), and the last LOOK_BACK ends added."""
        self.ends[rec.iteration] = rec
        if self.pending and rec.iteration - LOOK_BACK >= self.pending[0].iteration:
            self.ends.pop(rec.iteration - LOOK_BACK, None)

    def _forget(self, last: int) -> None:
        """Keep the ends a look-back after ``last`` (written) reads."""
        if len(self.ends) > LOOK_BACK:
            self.ends = {t: rec for t, rec in self.ends.items() if t > last - LOOK_BACK}

    def _layout(self, rec: Record) -> Layout | None:
        """The layout of ``rec``'s row, None when it is not stacked."""
        kind = (rec.op.kind, rec.mode, len(rec.samples))
        try:
            return self._layouts[kind]
        except KeyError:
            whole = (rec.op.kind == UPDATE and rec.mode == "float64"
                     and small(rec, self.model))
            layout = self._layouts[kind] = Layout(self.model, rec) if whole else None
            return layout


def small(rec: Record, model: Model) -> bool:
    """Whether every array of ``rec`` is small (only those are stacked: a large one can be
    printed whole, and a chunk of them would take too much memory)."""
    return all(a is None or a.size <= SUMMARY_LIMIT
               for a in map(partial(array, rec), names(model, rec)))


def _follows(a: Record, b: Record) -> bool:
    return b.iteration == a.iteration + 1 and len(a.samples) == len(b.samples)


class Texts:
    """The sign rows', the findings' and the value fields' texts kept across the chunks of a
    run."""

    def __init__(self, model: Model) -> None:
        self.signs = SignTexts(model, _sign_row)
        self.findings = FindingTexts(model, finding_json)
        self.values = ValueTexts()


def _lines_of(ends: Ends, model: Model, selection: Selection, history: History | None,
              texts: Texts, end: str, binary: bool = False) -> list:
    """The lines of consecutive iteration ends, each followed by ``end`` (UTF-8 bytes when
    ``binary``: each distinct text is encoded once, and a line is joined from bytes)."""
    fields = [f for f in selection.fields if f != "accuracy" or model.loss.classifies]
    chunk = Chunk(ends.stack, model, selection, history, texts, ends, binary)
    pieces, columns = joined(chunk.parts(fields))
    pieces[0] = "{" + pieces[0]
    pieces[-1] += "}" + end  # (the same piece when no field is printed: "{}")
    return fill([p.encode() for p in pieces] if binary else pieces, columns, len(ends.keys))
