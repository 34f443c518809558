"""Continue and reverse-continue: move to the next / previous operation where a condition is hit.

The meaning is per operation (``check``): at operation j, the first condition whose ``hit``
holds going from record j − 1 to record j. The searches find that very operation faster: whole
iterations are computed fused and screened at once (watch.py), and only an iteration that may
hold a hit is checked operation by operation — as is a partial iteration at either end. Forward
search computes as it goes; backward search reads what is computed before the cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .conditions import Condition
from .detectors import KINDS as DETECTORS
from .records import Record
from .session import Session
from .watch import Screen

BACK_SEGMENT = 32  # backward search screens this many iterations (or a checkpoint's) at a time


@dataclass(frozen=True)
class Hit:
    index: int
    condition: str
    message: str


class RecentEnds:
    """``Session.end_of_iteration`` (the ``history`` conditions and look-back findings read)
    with the last ``keep`` iteration ends a forward run went through held at hand, so that a
    look-back reads them instead of recomputing them from a checkpoint."""

    def __init__(self, session: Session, keep: int = 0) -> None:
        self.session, self.keep = session, keep
        self._ends: dict[int, Record] = {}

    def add(self, end: Record) -> None:
        if self.keep:
            self._ends[end.iteration] = end
            self._ends.pop(end.iteration - self.keep, None)

    def __call__(self, iteration: int) -> Record | None:
        held = self._ends.get(iteration)
        return held if held is not None else self.session.end_of_iteration(iteration)


def look_back(conditions: Sequence[Condition]) -> int:
    """How many earlier iteration ends the conditions read at each iteration."""
    return max((c.value[0] + 1 if c.kind == "unchanged" else 1 if c.kind in DETECTORS else 0
                for c in conditions), default=0)


def check(session: Session, conditions: Sequence[Condition], index: int,
          history=None) -> Hit | None:
    """The first condition hit at the operation ``index`` (≥ 1, recorded)."""
    records = session.branch.records
    prev, rec = records[index - 1], records[index]
    history = history or session.end_of_iteration
    for c in conditions:
        message = c.hit(prev, rec, session.model, history)
        if message:
            return Hit(index, c.text, f"{session.label(rec)}, iteration {rec.iteration}: {message}")
    return None


def _screens(session: Session, conditions: Sequence[Condition], forward: bool,
             history) -> list[Screen]:
    return [Screen(c, session.model, history, forward) for c in conditions]


def _losses(session: Session):
    losses = session.branch.records.losses
    return lambda t: losses[t - 1] if 0 < t <= len(losses) else None


def scan(session: Session, conditions: Sequence[Condition], stop: int | None = None,
         history: RecentEnds | None = None) -> Iterator[Record | Hit | None]:
    """Search after the cursor up to ``stop`` (default the end of training), computing as needed.
    Yields each iteration's update record once the iteration is searched (an iteration cut by
    the cursor or ``stop`` is searched operation by operation), then finally a Hit or None.
    Does not move the cursor. May raise RunawayFractions (what was computed stays recorded).
    ``history`` is told each iteration end as it goes (default: holding what the conditions
    read back)."""
    stop = session.last_index if stop is None else min(stop, session.last_index)
    history = history or RecentEnds(session, look_back(conditions))
    opi = session.schedule.ops_per_iteration
    i = session.cursor + 1
    if i > stop:
        yield None
        return
    first = (i - 1) // opi + 1  # the iteration of operation i
    if (i - 1) % opi or first * opi > stop:  # starts or ends inside an iteration
        end = min(first * opi, stop)
        session.compute_to(end)
        hit = _check_ops(session, conditions, range(i, end + 1), history)
        if hit:
            yield hit
            return
        if end < first * opi:
            yield None
            return
        history.add(session.branch.records[end])
        yield session.branch.records[end]
        first += 1
    last = stop // opi
    if first <= last:
        hit = yield from _scan_whole(session, conditions, first, last, history)
        if hit:
            yield hit
            return
    if stop > last * opi:  # a partial iteration at the end
        session.compute_to(stop)
        hit = _check_ops(session, conditions, range(last * opi + 1, stop + 1), history)
        if hit:
            yield hit
            return
    yield None


def _scan_whole(session: Session, conditions: Sequence[Condition], first: int, last: int,
                history: RecentEnds) -> Iterator[Record]:
    """Iterations ``first`` … ``last``, screened whole; returns the first hit (or None)."""
    screens = _screens(session, conditions, True, history)
    losses = _losses(session)
    opi = session.schedule.ops_per_iteration
    records = session.branch.records
    for end in records.ends(first, last):
        fired = False
        for screen in screens:  # every one: some keep counts
            fired = screen.fires(end, losses) or fired
        if fired or _edited_inside(records, end.index, opi):
            hit = _check_ops(session, conditions, range(end.index - opi + 1, end.index + 1),
                             history)
            if hit:
                return hit
        history.add(end)
        yield end
    return None


def _edited_inside(records, end: int, opi: int) -> bool:
    """True when an edit made inside the iteration ending at ``end`` (after its pick: a change
    of number mode) pinned a record: its operations are then not all read off its update."""
    return records.pinned(end - opi + 1, end)


def _check_ops(session: Session, conditions: Sequence[Condition], indices,
               history=None) -> Hit | None:
    for j in indices:
        hit = check(session, conditions, j, history)
        if hit:
            return hit
    return None


def forward_iter(session: Session, conditions: Sequence[Condition], stop: int | None = None,
                 chunk: int = 200) -> Iterator[int | Hit | None]:
    """``scan``, yielding the index reached every ``chunk`` operations or so (for progress
    displays), then finally a Hit or None."""
    reported = session.cursor
    for item in scan(session, conditions, stop):
        if not isinstance(item, Record):
            yield item
            return
        if item.index - reported >= chunk:
            reported = item.index
            yield item.index
    yield None  # pragma: no cover - scan always ends with a Hit or None


def continue_forward(session: Session, conditions: Sequence[Condition]) -> Hit | None:
    """Move the cursor to the next hit (or to the end of training when there is none)."""
    *_, result = forward_iter(session, conditions)
    session.goto(result.index if isinstance(result, Hit) else session.last_index)
    return result if isinstance(result, Hit) else None


def backward_iter(session: Session, conditions: Sequence[Condition],
                  chunk: int = 200) -> Iterator[int | Hit | None]:
    """Search the recorded history before the cursor, newest first. Yields the index reached
    every ``chunk`` operations or so, then finally a Hit or None. Does not move the cursor.

    The cursor's own iteration is checked operation by operation; the earlier ones a segment at
    a time: the segment's iterations are screened in order (each computed once, from the
    checkpoint before), then those that fire are checked operation by operation, newest first."""
    opi = session.schedule.ops_per_iteration
    j = session.cursor - 1
    if j < 1:
        yield None
        return
    t = (j - 1) // opi + 1  # the iteration of operation j
    hit = _check_ops(session, conditions, range(j, (t - 1) * opi, -1))
    if hit:
        yield hit
        return
    screens = _screens(session, conditions, False, session.end_of_iteration)
    losses = _losses(session)
    segment = max(BACK_SEGMENT, session.policy.every)
    reported, t = j, t - 1
    while t >= 1:
        first = max(1, t - segment + 1)
        first -= (first - 1) % session.policy.every  # from a checkpoint: each end computed once
        first = max(first, 1)
        records = session.branch.records
        fired = [end.iteration for end in records.ends(first, t)
                 if any(s.fires(end, losses) for s in screens)
                 or _edited_inside(records, end.index, opi)]
        for u in reversed(fired):
            hit = _check_ops(session, conditions, range(u * opi, (u - 1) * opi, -1))
            if hit:
                yield hit
                return
        t = first - 1
        if reported - t * opi >= chunk:
            reported = t * opi
            yield reported
    yield None


def continue_backward(session: Session, conditions: Sequence[Condition]) -> Hit | None:
    """Move the cursor to the previous hit in the recorded history (or to the start)."""
    *_, result = backward_iter(session, conditions)
    session.goto(result.index if isinstance(result, Hit) else 0)
    return result if isinstance(result, Hit) else None
