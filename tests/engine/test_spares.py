"""Records computed ahead (Session.iteration_end, iteration_end_after) are the very objects the
session records when the cursor gets there, and what it records is what a session that never
looked ahead computes, bit for bit, whatever moves, edits and undos come between."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.spares import Spares
from test_properties import FIELDS, networks, same

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def records_match(a, b) -> bool:
    return a.index == b.index and a.op == b.op and all(
        same(getattr(a, name), getattr(b, name)) for name in FIELDS)


def test_stepping_to_the_end_computed_ahead_records_that_very_object():
    s = Session(load_scenario(SCENARIOS / "mlp784.toml"))
    fresh = Session(load_scenario(SCENARIOS / "mlp784.toml"))
    opi = s.schedule.ops_per_iteration
    s.goto(opi + 2)  # inside iteration 2
    end = s.iteration_end()
    following = s.iteration_end_after(end)
    assert s.computed == opi + 2  # nothing recorded yet
    s.goto(2 * opi)
    assert s.record is end
    s.goto(3 * opi)
    assert s.record is following
    assert records_match(s.record, fresh.goto(3 * opi))
    assert records_match(s.at(2 * opi + 4), fresh.at(2 * opi + 4))


def test_a_jump_over_whole_iterations_takes_the_spares_then_computes_on():
    s = Session(load_scenario(SCENARIOS / "broccoli.toml", numbers="float64"))
    fresh = Session(load_scenario(SCENARIOS / "broccoli.toml", numbers="float64"))
    opi = s.schedule.ops_per_iteration
    end = s.iteration_end_after(s.record)
    s.goto(s.last_index)  # past the spares: iteration 1 adopted, the rest computed
    assert s.last_index >= 3 * opi and s.at(opi) is end
    for i in range(s.last_index + 1):
        assert records_match(s.at(i), fresh.at(i)), i


def test_spares_hold_the_rest_of_this_iteration_and_the_next():
    s = Session(load_scenario(SCENARIOS / "mlp784.toml"))
    opi = s.schedule.ops_per_iteration
    s.goto(1)
    end = s.iteration_end()
    following = s.iteration_end_after(end)
    assert s.goto(end.index) is end and s.goto(following.index) is following  # adopted
    end = s.record
    for _ in range(4):
        end = s.iteration_end_after(end)
    assert len(s.spares._after) == 2 * opi and s.computed == following.index


def test_a_spare_is_only_taken_after_the_very_record_it_was_computed_from():
    s = Session(load_scenario(SCENARIOS / "broccoli.toml"))
    t = s.branch.records
    other = t.tip.with_(lr=Fraction(1, 3))  # equal in every other field, another object
    spares = Spares(4)
    spares.keep(other, "not a record")
    spares.adopt(t, 5)
    assert len(t) == 1 and spares.after(t.tip) is None


ACTIONS = st.lists(st.tuples(st.sampled_from(
    ["goto", "end", "after", "edit", "undo", "switch"]), st.integers(0, 200)), max_size=12)


def act(s: Session, kind: str, n: int, ahead):
    """One of ACTIONS on session ``s``; the end computed ahead last (``ahead`` before)."""
    if kind == "goto":
        s.goto(n % (s.last_index + 1))
    elif kind == "end":
        ahead = s.iteration_end()
    elif kind == "after":  # the next iteration's end, from this branch's end ahead
        if not (ahead.finished and ahead.branch == s.branch.id):
            ahead = s.iteration_end()
        ahead = s.iteration_end_after(ahead) or ahead
    elif kind == "edit":
        s.set_weight(1, 0, 0, json.dumps(n / 64))
    elif kind == "undo":
        s.undo()
    else:
        s.switch(n % len(s.branches))
    return ahead


def acted(s: Session, actions):
    """Each of ``actions`` done on ``s`` in turn, yielded once done."""
    ahead = s.record
    for kind, n in actions:
        ahead = act(s, kind, n, ahead)
        yield kind, n


@given(text=networks(), actions=ACTIONS)
def test_records_are_what_a_session_that_never_looked_ahead_computes(text, actions):
    scenario = parse_scenario(text, "gen.toml")
    s = Session(scenario)
    for kind, n in acted(s, actions):
        reference = Session.replay(scenario, s.edit_log)
        reference.goto(s.cursor)
        assert records_match(s.record, reference.record), (kind, n)
    s.goto(s.last_index)
    reference = Session.replay(scenario, s.edit_log)
    for i in range(s.last_index + 1):
        assert records_match(s.at(i), reference.at(i)), i


def test_the_next_record_peeked_is_the_very_one_stepping_records():
    s = Session(load_scenario(SCENARIOS / "mlp784.toml"))
    fresh = Session(load_scenario(SCENARIOS / "mlp784.toml"))
    opi = s.schedule.ops_per_iteration
    for _ in range(2 * opi + 1):  # through two iterations' ends and into a third
        nxt = s.peek(s.cursor + 1)
        assert s.computed == s.cursor  # nothing recorded by peeking
        assert s.step() is nxt
        assert records_match(nxt, fresh.step())
    assert s.peek(-1) is None and s.peek(s.last_index + 1) is None
    assert s.peek(s.cursor) is s.record


def test_a_spare_read_again_outlives_those_kept_after_it():
    s = Session(load_scenario(SCENARIOS / "broccoli.toml"))
    t = s.branch.records
    spares = Spares(2)
    first = spares.keep(t.tip, t.tip.with_(index=1))
    spares.keep(first, first.with_(index=2))
    assert spares.after(t.tip) is first  # read: now the most recent
    spares.keep(first.with_(index=2), first.with_(index=3))  # drops the oldest read or kept
    assert spares.after(t.tip) is first and spares.after(first) is None


@given(text=networks(), actions=ACTIONS)
def test_a_record_peeked_is_the_one_the_session_then_shows(text, actions):
    scenario = parse_scenario(text, "gen.toml")
    s = Session(scenario)
    for kind, n in acted(s, actions):
        peeked = s.peek(s.cursor + 1)
        if peeked is None:
            assert s.cursor == s.last_index
            continue
        computed = s.computed
        assert s.step() is peeked, (kind, n, computed)
        reference = Session.replay(scenario, s.edit_log)
        assert records_match(peeked, reference.goto(s.cursor)), (kind, n)
