"""Continue and reverse-continue: move to the next / previous operation where a condition is hit.

Forward search computes records as it goes (in slices, so a UI can show progress and cancel);
backward search reads only what is recorded. Both stop at the exact operation.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .conditions import Condition
from .diagnostics import iteration_finite
from .session import Session


@dataclass(frozen=True)
class Hit:
    index: int
    condition: str
    message: str


def check(session: Session, conditions: Sequence[Condition], index: int) -> Hit | None:
    """The first condition hit at the operation ``index`` (≥ 1, recorded)."""
    records = session.branch.records
    prev, rec = records[index - 1], records[index]
    history = session.end_of_iteration
    for c in conditions:
        message = c.hit(prev, rec, session.model, history)
        if message:
            return Hit(index, c.text, f"{session.label(rec)}, iteration {rec.iteration}: {message}")
    return None


def forward_iter(session: Session, conditions: Sequence[Condition], stop: int | None = None,
                 chunk: int = 200) -> Iterator[int | Hit | None]:
    """Search after the cursor up to ``stop`` (default the end of training), computing as needed.
    Yields the index reached every ``chunk`` operations or so, then finally a Hit or None. Does
    not move the cursor. May raise RunawayFractions (what was computed stays recorded).

    When the only condition is ``nonfinite``, whole iterations are computed fused and checked at
    once; only an iteration holding a NaN or inf is searched operation by operation."""
    stop = session.last_index if stop is None else min(stop, session.last_index)
    whole = all(c.kind == "nonfinite" for c in conditions)
    opi = session.schedule.ops_per_iteration
    i = session.cursor + 1
    while i <= stop:
        end = min(stop, i + chunk - 1)
        if whole:
            end = min(stop, max(end, ((i - 1) // opi + 1) * opi))
        session.compute_to(end)
        j = i
        while j <= end:
            iteration_end = ((j - 1) // opi + 1) * opi
            if whole and iteration_end <= end and iteration_finite(session.at(iteration_end)):
                j = iteration_end + 1
                continue
            hit = check(session, conditions, j)
            if hit:
                yield hit
                return
            j += 1
        i = end + 1
        yield end
    yield None


def continue_forward(session: Session, conditions: Sequence[Condition]) -> Hit | None:
    """Move the cursor to the next hit (or to the end of training when there is none)."""
    *_, result = forward_iter(session, conditions)
    session.goto(result.index if isinstance(result, Hit) else session.last_index)
    return result if isinstance(result, Hit) else None


def backward_iter(session: Session, conditions: Sequence[Condition],
                  chunk: int = 200) -> Iterator[int | Hit | None]:
    """Search the recorded history before the cursor, newest first. Yields the index reached
    every ``chunk`` operations, then finally a Hit or None. Does not move the cursor."""
    j = session.cursor - 1
    while j >= 1:
        stop = max(0, j - chunk)
        while j > stop:
            hit = check(session, conditions, j)
            if hit:
                yield hit
                return
            j -= 1
        yield j
    yield None


def continue_backward(session: Session, conditions: Sequence[Condition]) -> Hit | None:
    """Move the cursor to the previous hit in the recorded history (or to the start)."""
    *_, result = backward_iter(session, conditions)
    session.goto(result.index if isinstance(result, Hit) else 0)
    return result if isinstance(result, Hit) else None
