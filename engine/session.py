"""The step machine: a cursor over the history of records, with branches.

Records are computed on demand (stepping past the last computed one computes the next) and are
immutable. Rewinding only moves the cursor: a small run keeps every record, so the very objects
recorded come back; a large one keeps iteration ends or checkpoints and recomputes the others
bit-identically (history.py). An edit at the cursor starts a new branch: the records before the
cursor's iteration are shared with the old branch, the iteration is recomputed from its start
with the edit applied up to the cursor, and what follows is computed as the person moves on. The
old branch stays as it was, to compare against and to go back to (undo).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .edits import Edit, EditError, apply, convert
from .errors import ScenarioError
from .history import Policy, Timeline
from .numbers import EXACT, FLOAT, NumberError, Numbers, parse_number
from .records import Record
from .scenario import Scenario
from .step import MAX_FRACTION_BITS, Model, RunawayFractions, first_record, next_record


@dataclass
class Branch:
    """A line of history. ``records[:fork]`` are shared with the ``parent`` branch; ``edit`` was
    made with the cursor at ``at``."""

    id: int
    parent: int | None
    fork: int
    edit: Edit | None
    at: int
    records: Timeline


class Session:
    """Training one operation at a time, with rewind and edits. Never prints."""

    def __init__(self, scenario: Scenario, max_fraction_bits: int = MAX_FRACTION_BITS,
                 policy: Policy | None = None, rewinds: bool = True) -> None:
        """``rewinds`` False: a run that only goes forward keeps checkpoints, no history."""
        self.scenario = scenario
        self.model = Model.of(scenario, max_fraction_bits)
        self.schedule = self.model.schedule
        self.policy = policy or Policy.for_model(self.model, network_sizes(scenario), rewinds)
        records = Timeline(self.model, self.policy)
        records.append(first_record(scenario))
        self.branches: list[Branch] = [Branch(0, None, 0, None, 0, records)]
        self.branch = self.branches[0]
        self.cursor = 0
        if scenario.branch.edits:
            self._replay_saved()

    def _replay_saved(self) -> None:
        """Make a saved branch's edits (the scenario's [branch] table) where they were made,
        then go back to the start. ScenarioError when one no longer applies."""
        for i, (index, edit) in enumerate(self.scenario.branch.edits):
            self.goto(index)
            try:
                self.edit(edit)
            except EditError as err:
                raise ScenarioError(self.scenario.path, str(err), ("branch", "edits", i)) from None
        self.goto(0)

    @classmethod
    def replay(cls, scenario: Scenario, edits: list[tuple[int, Edit]], **kw: Any) -> Session:
        """A new session with the same edits made at the same operations (bit-identical)."""
        session = cls(scenario, **kw)
        for index, edit in edits:
            session.goto(index)
            session.edit(edit)
        return session

    # ---- where we are
    @property
    def record(self) -> Record:
        return self.branch.records[self.cursor]

    @property
    def last_index(self) -> int:
        """Index of the last operation of training (the final update)."""
        return self.schedule.last_index

    @property
    def computed(self) -> int:
        """Index of the last record computed on this branch."""
        return len(self.branch.records) - 1

    def label(self, rec: Record | None = None) -> str:
        return self.model.label((rec or self.record).op)

    def at(self, index: int) -> Record:
        """The record at ``index`` on this branch, computing up to it if needed."""
        self.compute_to(index)
        return self.branch.records[index]

    # ---- computing
    def compute_to(self, index: int) -> None:
        """Compute records up to ``index`` (clamped to the end of training).

        Raises RunawayFractions in exact mode when numbers grow too large; what was computed
        before stays recorded.
        """
        self.branch.records.extend_to(min(index, self.last_index))

    def compute_iter(self, index: int, chunk: int = 1) -> Iterator[int]:
        """Compute towards ``index``, yielding the last computed index after every ``chunk``
        operations or so — rounded up to the end of an iteration, so that whole iterations are
        computed fused — at least once (for progress displays and cooperative UIs)."""
        index = min(index, self.last_index)
        records = self.branch.records
        opi = self.schedule.ops_per_iteration
        while True:
            reach = -(-(len(records) - 1 + chunk) // opi) * opi
            records.extend_to(min(index, reach))
            yield len(records) - 1
            if len(records) - 1 >= index:
                return

    # ---- moving the cursor
    def goto(self, index: int) -> Record:
        """Move the cursor to ``index`` (clamped to 0 … last), computing what is needed."""
        index = max(0, min(index, self.last_index))
        try:
            self.compute_to(index)
        finally:
            self.cursor = min(index, self.computed)
        return self.record

    def step(self, n: int = 1) -> Record:
        return self.goto(self.cursor + n)

    def back(self, n: int = 1) -> Record:
        return self.goto(self.cursor - n)

    def first(self) -> Record:
        return self.goto(0)

    def last(self) -> Record:
        return self.goto(self.last_index)

    def next_iteration_end_index(self) -> int:
        """The end (update) of this iteration, or of the next one if already there."""
        t = self.record.iteration
        end = self.schedule.iteration_end(t)
        return end if self.cursor < end else self.schedule.iteration_end(t + 1)

    def prev_iteration_end_index(self) -> int:
        """The end of the previous iteration (the start of training for the first)."""
        t = self.record.iteration
        end = self.schedule.iteration_end(t)
        return self.schedule.iteration_end(t - 1 if self.cursor <= end else t)

    def epoch_end_index(self, epoch: int) -> int:
        return self.schedule.iteration_end(epoch * self.schedule.iterations_per_epoch)

    def next_epoch_end_index(self) -> int:
        """The end of this epoch, or of the next one if already there."""
        t = self.record.iteration
        e = -(-t // self.schedule.iterations_per_epoch) if t else 1
        end = self.epoch_end_index(e)
        return end if self.cursor < end else self.epoch_end_index(e + 1)

    def prev_epoch_end_index(self) -> int:
        """The end of the previous epoch (the start of training for the first)."""
        t = self.record.iteration
        e = -(-t // self.schedule.iterations_per_epoch)
        end = self.epoch_end_index(e)
        return self.epoch_end_index(e - 1 if self.cursor <= end else e)

    def next_iteration_end(self) -> Record:
        return self.goto(self.next_iteration_end_index())

    def prev_iteration_end(self) -> Record:
        return self.goto(self.prev_iteration_end_index())

    def next_epoch_end(self) -> Record:
        return self.goto(self.next_epoch_end_index())

    def prev_epoch_end(self) -> Record:
        return self.goto(self.prev_epoch_end_index())

    def goto_iteration(self, iteration: int) -> Record:
        """The end of ``iteration`` (0 is the start of training)."""
        return self.goto(self.schedule.iteration_end(max(0, iteration)))

    # ---- edits
    def edit(self, edit: Edit) -> Record:
        """Apply ``edit`` at the cursor on a new branch (see the module doc). Raises EditError and
        changes nothing when the edit does not apply."""
        rec = self.record
        n = len(self.model.layers)
        if edit.kind == "mode":
            self._check_exact(edit)
            start = self.cursor
            new_first = apply(edit, rec, n)
        else:
            start = self.schedule.iteration_end(rec.iteration - 1) + 1 if rec.iteration else 0
            base = self.branch.records[start]
            new_first = apply(edit, base, n)
        records = self.branch.records.fork(start) if start else Timeline(self.model, self.policy)
        branch = Branch(len(self.branches), self.branch.id, start, edit, self.cursor, records)
        try:
            records.append(new_first.with_(branch=branch.id), pinned=True)
            records.extend_to(self.cursor)
        except RunawayFractions as problem:  # the session stays exactly as it was
            raise EditError(f"not applied: recomputing up to here, {problem}") from None
        except (ArithmeticError, ValueError) as problem:
            raise EditError(f"not applied: recomputing up to here failed "
                            f"({type(problem).__name__}: {problem})") from None
        self.branches.append(branch)
        self.branch = branch
        return self.record

    def _check_exact(self, edit: Edit) -> None:
        """Refuse switching to exact numbers when a kind of the model has no exact values."""
        if edit.value != EXACT:
            return
        model = self.model
        float_only = [s.kind for s in model.layers if not s.recipe.exact]
        float_only += [r.name for r in (model.loss, model.optimizer.recipe) if not r.exact]
        if float_only:
            raise EditError(f"{', '.join(dict.fromkeys(float_only))} has no exact rational "
                            "values: this session stays in float64")

    def undo(self) -> bool:
        """Go back to the branch the last edit started from, at the same operation. False when
        there is no edit to undo."""
        if self.branch.parent is None:
            return False
        cursor = self.cursor
        self.branch = self.branches[self.branch.parent]
        self.goto(cursor)
        return True

    def switch(self, branch_id: int) -> Record:
        """Go to branch ``branch_id`` at the same operation (as far as it can be computed)."""
        if not 0 <= branch_id < len(self.branches):
            raise ValueError(f"no branch {branch_id} (0 … {len(self.branches) - 1})")
        cursor = self.cursor
        self.branch = self.branches[branch_id]
        self.cursor = min(cursor, self.computed)
        return self.goto(cursor)

    def parse_value(self, text: Any) -> Any:
        """A number typed by a person, exactly ('1/200', '-0.25', '3e-4'); EditError otherwise."""
        try:
            return parse_number(text)
        except NumberError as err:
            raise EditError(str(err)) from None

    def set_weight(self, layer: int, row: int, col: int, text: Any) -> Record:
        return self.edit(Edit("weight", self.parse_value(text), layer, row, col))

    def set_bias(self, layer: int, row: int, text: Any) -> Record:
        return self.edit(Edit("bias", self.parse_value(text), layer, row))

    def set_input(self, position: int, feature: int, text: Any) -> Record:
        return self.edit(Edit("input", self.parse_value(text), None, position, feature))

    def set_target(self, position: int, target: int, text: Any) -> Record:
        return self.edit(Edit("target", self.parse_value(text), None, position, target))

    def set_learning_rate(self, text: Any) -> Record:
        return self.edit(Edit("learning_rate", self.parse_value(text)))

    def continue_in_float(self) -> Record:
        """Switch to float64 at the cursor (the answer to RunawayFractions)."""
        return self.edit(Edit("mode", FLOAT))

    # ---- looking at the history
    def parent_record(self, compute: bool = False) -> Record | None:
        """The record at the cursor on the branch this one was edited from (for comparison);
        None on the first branch, or when the parent has not computed that far (``compute``:
        compute it there first)."""
        if self.branch.parent is None:
            return None
        parent = self.branches[self.branch.parent]
        if compute:
            parent.records.extend_to(self.cursor)
        return parent.records[self.cursor] if self.cursor < len(parent.records) else None

    def end_of_iteration(self, iteration: int) -> Record | None:
        """The record ending ``iteration`` (≥ 1) on this branch, None when not computed (the
        ``history`` that conditions and look-back findings read)."""
        i = iteration * self.schedule.ops_per_iteration
        records = self.branch.records
        return records[i] if 0 < iteration and i < len(records) else None

    def iteration_end(self) -> Record:
        """The update record that ends the iteration at the cursor (the cursor's own record at
        the start of training or at an update): what the rest of the iteration will show.
        Computed from the cursor's record when this branch has not got that far, without
        recording anything. May raise RunawayFractions in exact mode."""
        rec = self.record
        if rec.index == 0 or rec.finished:
            return rec
        return self._ahead_to(rec, self.schedule.iteration_end(rec.iteration))

    def iteration_end_after(self, end: Record) -> Record | None:
        """The update record ending the iteration after ``end`` (the record ending an
        iteration of this branch, or the start): what the next iteration will show, computed
        the same way as ``iteration_end`` (without recording anything) when this branch has
        not got that far. None past the last iteration. May raise RunawayFractions."""
        target = end.index + self.schedule.ops_per_iteration
        return None if target > self.last_index else self._ahead_to(end, target)

    def _ahead_to(self, rec: Record, target: int) -> Record:
        """The record at operation ``target``: this branch's when computed that far, else
        computed on from ``rec`` without recording anything."""
        if target <= self.computed:
            return self.branch.records[target]
        while rec.index < target:
            rec = next_record(rec, self.model)
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


def network_sizes(scenario: Scenario) -> tuple[int, int]:
    """(number of trainable values, number of activations per sample) of a scenario's network."""
    params = sum(len(p["w"]) * len(p["w"][0]) + len(p.get("b", ())) for p in scenario.params if p)
    return params, sum(spec.size for spec in scenario.layers)


__all__ = ["Edit", "EditError", "Numbers", "RunawayFractions", "Session", "convert"]
