"""The fast searches (whole iterations screened, watch.py) against the plain per-operation
search: ``check`` at every operation, one after the other. Same hits, in the same order, with
the same messages — forward and backward, from any cursor, with checkpoints, after edits, on
random small networks and the shipped scenarios."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario, parse_scenario
from nnstep.engine.conditions import parse_condition
from nnstep.engine.kept_records import Policy
from nnstep.engine.search import backward_iter, check, forward_iter, scan
from nnstep.engine.watch import any_nonfinite

from tests.conftest import scenario_text

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CONDITIONS = ["nonfinite", "blocked", "rounding", "saturated", "overshoot", "loss < 0.05",
              "loss > 2", "loss >= 1/2", "loss rises", "sign", "sign L2[0,0]",
              "L2[0,1] crosses 0", "L2[0,0] > 0.5", "L2[0,0] <= -0.25", "L2.b[0] < 0",
              "stuck 1", "stuck 2", "stuck L2[0,0] 2", "stuck L2[1,0] 3", "L4[0,0] > 0",
              "vanishing 0.5", "exploding 2", "exploding 70 3", "dying 50%",
              "update_ratio 1e-3 0.05", "unchanged 2"]
CHECKPOINTS = Policy(keep_ops=False, keep_ends=False, every=3, cache_ops=4, cache_ends=2)


def per_op_forward(session: Session, conds) -> tuple | None:
    """The reference: check each operation after the cursor, in order."""
    for j in range(session.cursor + 1, session.last_index + 1):
        session.compute_to(j)
        hit = check(session, conds, j)
        if hit:
            return hit
    return None


def per_op_backward(session: Session, conds) -> tuple | None:
    for j in range(session.cursor - 1, 0, -1):
        hit = check(session, conds, j)
        if hit:
            return hit
    return None


def all_hits(session: Session, conds, search, start: int, forward: bool) -> list:
    session.goto(start)
    out = []
    while True:
        result = search(session, conds)
        if result is None:
            return out
        out.append(result)
        session.goto(result.index)
        if len(out) > 60:
            return out


def fast_forward(session, conds):
    *_, result = forward_iter(session, conds, chunk=7)
    return result


def fast_backward(session, conds):
    *_, result = backward_iter(session, conds, chunk=7)
    return result


def compare(make, texts: list[str], start: int, edit=None) -> None:
    """Forward hits from ``start`` and backward hits from the end, fast and per operation, on
    sessions built alike by ``make()`` (an edit first when given)."""
    sessions = [make() for _ in range(4)]
    names = [spec.name for spec in sessions[0].model.layers]
    conds = [parse_condition(t, names) for t in texts]
    if edit:
        for s in sessions:
            s.goto(edit[0])
            s.set_weight(1, 0, 0, edit[1])
    start = min(start, sessions[0].last_index)
    fast = all_hits(sessions[0], conds, fast_forward, start, True)
    slow = all_hits(sessions[1], conds, per_op_forward, start, True)
    assert fast == slow, texts
    for s in sessions[2:]:
        s.last()
    fast = all_hits(sessions[2], conds, fast_backward, sessions[2].last_index, False)
    slow = all_hits(sessions[3], conds, per_op_backward, sessions[3].last_index, False)
    assert fast == slow, texts


ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "identity"]
small = st.sampled_from([0, 0, 0.5, -0.5, 1, -1, 2, -3, 0.25, 1e-17, -1e-17])


@st.composite
def networks(draw):
    inputs, hidden, outputs = draw(st.integers(1, 3)), draw(st.integers(2, 3)), 1
    bias = draw(st.booleans())

    def weights(rows, cols):
        return [[draw(small) for _ in range(cols)] for _ in range(rows)]

    layers = [{"name": "L1", "kind": "input", "size": inputs},
              {"name": "L2", "kind": "linear", "size": hidden, "bias": bias,
               "weights": weights(hidden, inputs)},
              {"name": "L3", "kind": draw(st.sampled_from(ACTIVATIONS))},
              {"name": "L4", "kind": "linear", "size": outputs, "bias": False,
               "weights": weights(outputs, hidden)}]
    if bias:
        layers[1]["biases"] = [draw(small) for _ in range(hidden)]
    samples = [([draw(small) for _ in range(inputs)], [draw(small)])
               for _ in range(draw(st.integers(2, 4)))]
    text = scenario_text(layers, samples, learning_rate=draw(st.sampled_from([0.1, 1, 50, 1e150])),
                         batch_size=draw(st.integers(1, 2)), epochs=draw(st.integers(2, 4)),
                         order=draw(st.sampled_from(["sequential", "shuffle"])))
    optimizer = draw(st.sampled_from(["", 'kind = "sgd"\nmomentum = 0.9', 'kind = "adam"',
                                      'kind = "adamw"']))
    return text + (f"\n[optimizer]\n{optimizer}\n" if optimizer else "")


@given(networks(), st.lists(st.sampled_from(CONDITIONS), min_size=1, max_size=3),
       st.integers(0, 80), st.booleans(), st.sampled_from([None, (30, "7"), (15, "-1e200")]))
def test_fast_search_finds_what_the_per_operation_search_finds(text, texts, start, checkpoints,
                                                                 edit):
    scenario = parse_scenario(text)

    def make():
        return Session(scenario, policy=CHECKPOINTS if checkpoints else None)

    compare(make, texts, start, edit)


@pytest.mark.parametrize("name,numbers,texts", [
    ("broccoli.toml", None, ["loss rises", "sign", "stuck 2"]),
    ("broccoli.toml", "float64", ["blocked", "rounding", "stuck L2[0,1] 3"]),
    ("diverging.toml", None, ["nonfinite", "overshoot"]),
    ("diverging.toml", None, ["loss > 1e100", "L2[0,0] crosses 0"]),
    ("saturated_sigmoid.toml", None, ["saturated"]),
    ("dead_relu.toml", None, ["blocked", "stuck 3"]),
    ("sign_flip.toml", None, ["sign", "loss < 1/100", "unchanged 1"]),
    ("dead_relu.toml", None, ["dying 40%", "vanishing", "exploding 1", "update_ratio"]),
])
def test_shipped_scenarios(name, numbers, texts):
    scenario = load_scenario(SCENARIOS / name, numbers=numbers)
    for policy in (None, CHECKPOINTS):
        compare(lambda policy=policy: Session(scenario, policy=policy), texts, 0)


def test_scan_yields_every_iteration_end_until_the_hit():
    scenario = load_scenario(SCENARIOS / "diverging.toml")
    s = Session(scenario)
    items = list(scan(s, [parse_condition("nonfinite", ["L1", "L2"])]))
    *ends, hit = items
    opi = s.schedule.ops_per_iteration
    assert [e.index for e in ends] == [t * opi for t in range(1, len(ends) + 1)]
    assert hit.index == per_op_forward(Session(scenario), [parse_condition("nonfinite",
                                                                           ["L1", "L2"])]).index
    assert all(not any_nonfinite(e) for e in ends)


def test_any_nonfinite_never_misses_one_value():
    """A NaN or ±inf anywhere in anything an iteration produced makes the screen fire, in a
    small array or a large one; huge finite values do not."""
    scenario = load_scenario(SCENARIOS / "mlp784.toml")
    end = Session(scenario).goto_iteration(1)
    arrays = [("outputs", k) for k in range(4)] + [("deltas", k) for k in range(4)]
    assert not any_nonfinite(end)
    rng = np.random.default_rng(3)
    for field, k in arrays:
        for bad in (np.nan, np.inf, -np.inf):
            arr = getattr(end, field)[k].copy()
            arr.flat[rng.integers(arr.size)] = bad
            changed = list(getattr(end, field))
            changed[k] = arr
            assert any_nonfinite(end.with_(**{field: tuple(changed)})), (field, k, bad)
    w = end.new_params[1]["w"].copy()
    w[5, 7] = -np.inf
    assert any_nonfinite(end.with_(new_params=({}, {**end.new_params[1], "w": w}, {},
                                                 end.new_params[3])))
    huge = end.outputs[1] * 0 + 1e308  # their sum would overflow: still finite
    assert not any_nonfinite(end.with_(outputs=(end.outputs[0], huge, *end.outputs[2:])))




def test_any_nonfinite_never_misses_one_value_in_a_tiny_network():
    """broccoli's arrays hold 1 to 3 values (summed as Python floats): a NaN or ±inf at any
    place of any of them makes the screen fire, a zero there does not."""
    end = _broccoli_end()
    assert not any_nonfinite(end)
    places = [(field, k) for field in ("outputs", "deltas") for k in range(3)]
    places += [("losses", None), ("loss_delta", None), ("grads", 1), ("new_params", 1)]
    for field, k in places:
        value = getattr(end, field)
        arr = (value if k is None else value[k])
        arr = arr["w"] if field in ("grads", "new_params") else arr
        for i in range(arr.size):
            for bad, fires in ((np.nan, True), (np.inf, True), (-np.inf, True), (0.0, False)):
                changed = arr.copy()
                changed.flat[i] = bad
                if field in ("grads", "new_params"):
                    changed = {"w": changed}
                if k is not None:
                    changed = (*value[:k], changed, *value[k + 1:])
                assert any_nonfinite(end.with_(**{field: changed})) == fires, (field, k, i, bad)


VALUES = [np.nan, -np.nan, np.inf, -np.inf, 1.7e308, -1.7e308, 5e-324, -0.0]


@given(seed=st.integers(0, 2**32 - 1))
def test_any_nonfinite_says_exactly_whether_a_value_is_nan_or_inf(seed):
    """Arrays tiny, small and large (summed as Python floats, joined, or tested alone: each
    group of watch.any_nonfinite), on a background of values whose sum overflows or not,
    with NaN, ±inf and huge values at random places: the answer is always that of testing
    every value with math.isfinite."""
    rng = np.random.default_rng(seed)
    end = _broccoli_end()

    def array() -> np.ndarray:
        size = int(rng.choice([1, 3, 16, 17, 4097]))
        a = np.full(size, rng.choice([0.5, 1e308, -1e308]))
        for _ in range(rng.integers(0, 2, endpoint=True) * (rng.random() < 0.3)):
            a[rng.integers(size)] = rng.choice(VALUES)
        return a

    fields = dict(outputs=tuple(array() for _ in end.outputs), losses=array(),
                  loss_delta=array(), deltas=tuple(array() for _ in end.deltas),
                  grads=tuple(g and {"w": array()} for g in end.grads),
                  new_params=tuple(p and {"w": array()} for p in end.new_params))
    arrays = [*fields["outputs"], fields["losses"], fields["loss_delta"], *fields["deltas"]]
    arrays += [p["w"] for group in ("grads", "new_params") for p in fields[group] if p]
    expected = not all(math.isfinite(v) for a in arrays for v in a.tolist())
    assert any_nonfinite(end.with_(**fields)) == expected


@lru_cache(maxsize=1)
def _broccoli_end():
    return Session(load_scenario(SCENARIOS / "broccoli.toml", numbers="float64")
                   ).goto_iteration(1)


@given(seed=st.integers(0, 2**32 - 1))
def test_a_nan_or_inf_in_plain_sgd_gradients_reaches_the_new_weights(seed):
    """What lets a forward nonfinite screen skip δw under plain SGD (watch.Screen): with w and
    α finite, ŵ = w − α·δw holds a NaN or ±inf at least wherever δw does — for any finite α,
    0 included. Checked on the update itself, every value with math.isfinite."""
    from nnstep.engine.numbers import Numbers
    from nnstep.engine.optimizers import Optimizer

    rng = np.random.default_rng(seed)
    plain = Optimizer.plain()
    assert plain.steps_along_gradient
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
    w = rng.choice([0.0, -0.0, 1e-300, 1.7e308, -1.7e308, 0.5, -3.0], size=shape)
    g = rng.choice([0.0, 1e-310, 1e300, -2.5, np.nan, -np.nan, np.inf, -np.inf], size=shape)
    lr = float(rng.choice([0.0, -0.0, 5e-324, 1e-3, 1.0, 1e300, 1.7e308, -1.0]))
    state = plain.initial_state(({"w": w},), Numbers("float64"))
    with np.errstate(all="ignore"):
        (new,), _ = plain.update(({"w": w},), ({"w": g},), state, lr, Numbers("float64"))
    for place in np.ndindex(shape):
        if not math.isfinite(g[place]):
            assert not math.isfinite(new["w"][place]), (w[place], g[place], lr)


def test_only_plain_sgd_steps_along_the_gradient_itself():
    """The screen's shortcut holds only where the direction is the very gradient array."""
    from fractions import Fraction

    from nnstep.engine.kinds import OPTIMIZERS
    from nnstep.engine.numbers import Numbers

    p, g = np.ones((2, 2)), np.full((2, 2), 0.5)
    for name, recipe in OPTIMIZERS.items():
        base = recipe.defaults()
        variants = [base] + [{**base, o.name: Fraction(1, 2) if not o.flag else False}
                             for o in recipe.options if not o.flag]
        for settings in variants:
            if recipe.problem(settings):
                continue
            floats = {k: v if isinstance(v, bool) else float(v) for k, v in settings.items()}
            state = {n: np.zeros((2, 2)) for n in recipe.state_names(settings)}
            d, _ = recipe.direction(p, g, state, 2, floats, Numbers("float64"))
            assert recipe.steps_along_gradient(settings) == (d is g), (name, settings)
    assert OPTIMIZERS["sgd"].steps_along_gradient(OPTIMIZERS["sgd"].defaults())


def test_the_nonfinite_screen_tests_gradients_unless_the_weights_were_found_finite():
    """Gradients are skipped only for weights this screen found finite (the same arrays) and
    a finite α: a NaN in δw is found on a first iteration, after weights it did not test,
    and with α = inf — even where ŵ is finite (made up here: stepping never gives that)."""
    from nnstep.engine.watch import Screen

    session = Session(load_scenario(SCENARIOS / "broccoli.toml", numbers="float64"))
    first, second = session.goto_iteration(1), session.goto_iteration(2)
    bad = ({}, {"w": np.full_like(second.grads[1]["w"], np.nan)}, {})

    def screen():
        return Screen(parse_condition("nonfinite", ["L1", "L2", "L3"]), session.model,
                      session.end_of_iteration, True)

    losses = session.branch.records.losses.__getitem__
    assert screen().fires(second.with_(grads=bad), losses)  # a first iteration
    s = screen()
    assert not s.fires(first, losses)
    assert not s.fires(second.with_(grads=bad), losses)  # skipped: ŵ finite from finite w
    s = screen()
    assert not s.fires(first, losses)
    assert s.fires(second.with_(grads=bad, lr=np.inf), losses)
    s = screen()
    assert not s.fires(first, losses)
    other = tuple(dict(p) for p in second.params)  # equal values, not the arrays tested
    assert s.fires(second.with_(grads=bad, params=other), losses)
