"""What a session reads of its history without moving: the parent branch's record at the cursor,
the ends of iterations (recorded, or computed ahead without recording), the series of losses and
accuracies, the edits that made this branch. Mixed into Session (it reads the session's branches,
cursor, record, schedule, model, last index and last computed index)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .edits import Edit
from .model import Model, Schedule
from .records import Record
from .spares import Spares
from .step import next_record

if TYPE_CHECKING:
    from .session import Branch


class Reads:
    """Session's reads of its history (see the module doc)."""

    cursor: int
    computed: int
    last_index: int
    record: Record
    schedule: Schedule
    model: Model
    branch: Branch
    branches: list[Branch]
    spares: Spares

    def parent_record(self, compute: bool = False, index: int | None = None) -> Record | None:
        """The record at the cursor (or at ``index``) on the branch this one was edited from
        (for comparison); None on the first branch, or when the parent has not computed that
        far (``compute``: compute it there first)."""
        if self.branch.parent is None:
            return None
        parent = self.branches[self.branch.parent]
        index = self.cursor if index is None else index
        if compute:
            parent.records.extend_to(index)
        return parent.records[index] if index < len(parent.records) else None

    def peek(self, index: int) -> Record | None:
        """The record at operation ``index`` of this branch without moving the cursor or
        recording anything: the one recorded (read, or recomputed into the history's cache),
        or computed ahead and kept as a spare — the very object the session shows when the
        cursor gets there, unless the history's cache lets it go meanwhile. None outside
        0 … last. May raise RunawayFractions in exact mode."""
        if not 0 <= index <= self.last_index:
            return None
        if index <= self.computed:
            return self.branch.records[index]
        return self._ahead_to(self.branch.records.tip, index)

    def end_of_iteration(self, iteration: int) -> Record | None:
        """The record ending ``iteration`` (≥ 1) on this branch, None when not computed (the
        ``history`` that conditions and look-back findings read)."""
        i = iteration * self.schedule.ops_per_iteration
        records = self.branch.records
        return records[i] if 0 < iteration and i < len(records) else None

    def iteration_end(self) -> Record:
        """The update record that ends the iteration at the cursor (the cursor's own record at
        the start of training or at an update): what the rest of the iteration will show.
        Computed from the cursor's record (or the last computed one) when this branch has not
        got that far, without recording anything: the records computed are kept as spares,
        recorded as they are when the cursor gets there (spares.py). May raise
        RunawayFractions in exact mode."""
        rec = self.record
        if rec.index == 0 or rec.finished:
            return rec
        # on from the last computed record when it is past the cursor (then in its iteration)
        start = self.branch.records.tip if self.computed > rec.index else rec
        return self._ahead_to(start, self.schedule.iteration_end(rec.iteration))

    def iteration_end_after(self, end: Record) -> Record | None:
        """The update record ending the iteration after ``end`` (the record ending an
        iteration of this branch, or the start): what the next iteration will show, computed
        the same way as ``iteration_end`` (without recording anything) when this branch has
        not got that far. None past the last iteration. May raise RunawayFractions."""
        target = end.index + self.schedule.ops_per_iteration
        return None if target > self.last_index else self._ahead_to(end, target)

    def _ahead_to(self, rec: Record, target: int) -> Record:
        """The record at operation ``target``: this branch's when computed that far, else
        computed on from ``rec`` (or taken from the spares computed so before) without
        recording anything, each record computed kept as a spare."""
        if target <= self.computed:
            return self.branch.records[target]
        while rec.index < target:
            rec = self.spares.after(rec) or self.spares.keep(rec, next_record(rec, self.model))
        return rec

    def losses(self) -> list[tuple[int, Any]]:
        """(iteration, batch loss) of each finished iteration computed on this branch."""
        return list(enumerate(self.branch.records.losses, start=1))

    def loss_series(self, parent: bool = False) -> list[Any] | None:
        """The batch loss of each finished iteration computed on this branch (``parent``: on
        the branch it was edited from; None on the first branch), from iteration 1: the
        timeline's own list, kept as iterations are computed — read it, never change it."""
        if not parent:
            return self.branch.records.losses
        if self.branch.parent is None:
            return None
        return self.branches[self.branch.parent].records.losses

    def accuracy_series(self, parent: bool = False) -> list[float] | None:
        """The share of each finished iteration's batch predicted right, when the loss
        classifies (else an empty list), like ``loss_series``."""
        if not parent:
            return self.branch.records.accuracies
        if self.branch.parent is None:
            return None
        return self.branches[self.branch.parent].records.accuracies

    @property
    def edit_log(self) -> list[tuple[int, Edit]]:
        """The edits that made this branch, oldest first, as (cursor index, edit): what
        ``Session.replay`` needs to rebuild it."""
        out, branch = [], self.branch
        while branch.parent is not None:
            out.append((branch.at, branch.edit))
            branch = self.branches[branch.parent]
        return out[::-1]

    def forks(self) -> list[int]:
        """Indices where this branch's line of history was edited, oldest first."""
        out, branch = [], self.branch
        while branch.parent is not None:
            out.append(branch.fork)
            branch = self.branches[branch.parent]
        return sorted(out)
