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
from .history import Timeline
from .kept_records import Policy
from .model import MAX_FRACTION_BITS, Model
from .numbers import EXACT, FLOAT, NumberError, Numbers, parse_number
from .records import Record
from .scenario import Scenario
from .session_moves import Moves
from .session_reads import Reads
from .spares import Spares
from .step import RunawayFractions, first_record


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


class Session(Moves, Reads):
    """Training one operation at a time, with rewind and edits. Never prints. Its moves by
    iterations and epochs are in session_moves.py, its reads of the history in session_reads.py."""

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
        # records computed ahead (iteration_end and the next iteration's), recorded when reached
        self.spares = Spares(2 * self.schedule.ops_per_iteration)
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
        index = min(index, self.last_index)
        self.spares.adopt(self.branch.records, index)
        self.branch.records.extend_to(index)

    def compute_iter(self, index: int, chunk: int = 1) -> Iterator[int]:
        """Compute towards ``index``, yielding the last computed index after every ``chunk``
        operations or so — rounded up to the end of an iteration, so that whole iterations are
        computed fused — at least once (for progress displays and cooperative UIs)."""
        index = min(index, self.last_index)
        records = self.branch.records
        opi = self.schedule.ops_per_iteration
        self.spares.adopt(records, index)
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


def network_sizes(scenario: Scenario) -> tuple[int, int]:
    """(number of trainable values, number of activations per sample) of a scenario's network."""
    params = sum(len(p["w"]) * len(p["w"][0]) + len(p.get("b", ())) for p in scenario.params if p)
    return params, sum(spec.size for spec in scenario.layers)


__all__ = ["Edit", "EditError", "Numbers", "RunawayFractions", "Session", "convert"]
