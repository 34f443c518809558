"""Property tests (Hypothesis, the seeded profile of tests/conftest.py): the scenario parser and
the condition language raise nothing but their own errors; the per-operation and fused paths
agree bit for bit; edit then undo gives back the very records; every JSON line parses strictly;
every view of an exact record holding values up to 10^±5000 renders. Shortest repros found by
fuzzing are kept in tests/data/fuzz/ and replayed here."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import ScenarioError, Session, load_scenario, parse_scenario
from nnstep.engine.conditions import ConditionError, parse_condition
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import STYLES, brief, fmt, to_json
from nnstep.engine.model import Model
from nnstep.engine.signs import sign_rows
from nnstep.engine.step import first_record, next_iteration, next_record
from nnstep.engine.summary import layer_stats
from nnstep.engine.trace import line
from nnstep.engine.watch import Screen, any_nonfinite

FUZZ = Path(__file__).resolve().parents[1] / "data" / "fuzz"
BASE = """title = "t"
numbers = "float64"

[data]
samples = [
    { x = [1, 2], y = [1] },
    { x = [-1, "1/2"], y = [0] },
]

[training]
learning_rate = "1/10"

[[layers]]
kind = "input"
size = 2

[[layers]]
kind = "linear"
size = 2
weights = [["1/2", "-1/4"], [1, 2]]

[[layers]]
kind = "relu"

[[layers]]
kind = "linear"
size = 1
weights = [[1, -1]]
"""

# ---- the scenario parser ------------------------------------------------------------------

class Raw(str):
    """TOML text written as it is (a 5,000-digit integer literal)."""


ODD_VALUES = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from([Raw("9" * 5000), Raw("-1" + "0" * 4400), Raw("1e400"), Raw("-0.0")]),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
    st.text(max_size=30), st.sampled_from(["1e999999999", "1e400", "-1e-400", "1/0", "nan",
                                           "inf", "9" * 5000, "\x1b]0;x\x07", "\u202e", "\0"]),
    st.lists(st.integers(-3, 3), max_size=4), st.just({"a": 1}),
)
KEYS = ["title", "numbers", "learning_rate", "batch_size", "epochs", "order", "seed", "kind",
        "size", "weights", "biases", "bias", "slope", "init", "samples", "x", "y", "file",
        "generate", "features", "targets", "name", "grad_at_zero", "noise", "classes"]


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {float("inf"): "inf", float("-inf"): "-inf"}.get(v, "nan" if v != v else repr(v))
    if isinstance(v, Raw):
        return str.__str__(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(e)}" for k, e in v.items()) + " }"
    return str(v)


def parses_or_refuses(text: str) -> None:
    """The parser's contract: a Scenario, or a ScenarioError with a one-line message."""
    try:
        parse_scenario(text, "fuzz.toml")
    except ScenarioError as err:
        message = str(err)
        assert "\n" not in message and len(message) <= 400, message


@given(key=st.sampled_from(KEYS), value=ODD_VALUES, line=st.integers(0, 40))
def test_a_scenario_with_one_odd_value_parses_or_is_refused(key, value, line):
    lines = BASE.splitlines()
    at = line % (len(lines) + 1)
    parses_or_refuses("\n".join(lines[:at] + [f"{key} = {toml_value(value)}"] + lines[at:]))


@given(data=st.binary(max_size=200), at=st.integers(0, len(BASE)))
def test_bytes_spliced_into_a_scenario_are_refused_cleanly(data, at):
    text = data.decode("utf-8", errors="surrogateescape")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = data.decode("latin-1")
    parses_or_refuses(BASE[:at] + text + BASE[at:])


@given(cut=st.integers(0, len(BASE)), depth=st.integers(0, 2000), kind=st.sampled_from("[{"))
def test_cut_and_deeply_nested_scenarios_are_refused_cleanly(cut, depth, kind):
    close = {"[": "]", "{": "}"}[kind]
    nested = ("[" * depth + "]" * depth) if kind == "[" else ("{a = " * depth + "1" + "}" * depth)
    parses_or_refuses(BASE[:cut])
    parses_or_refuses(BASE.replace('title = "t"', f"title = \"t\"\nz = {nested}"))
    assert close


@pytest.mark.parametrize("path", sorted(FUZZ.glob("*.toml")), ids=lambda p: p.name)
def test_the_fuzz_corpus_is_refused_cleanly(path):
    """Each file is the shortest repro of a crash or hang found before issue 9."""
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "\n" not in str(err.value) and len(str(err.value)) <= 400


# ---- the condition language -----------------------------------------------------------------

LAYERS = parse_scenario(BASE, "base.toml").layers  # L1 input 2, L2 linear 2×2, L3 relu, L4 1×2
CONDITION_WORDS = st.sampled_from(
    ["loss", "<", ">=", "crosses", "sign", "stuck", "rises", "w²[1,2]", "w2[9,9]", "b²[1]",
     "L2[0,1]", "L2.b[0]", "L3[0,0]", "w⁴[1,2]", "1e999999999", "-1/3", "nan", "dying", "50%",
     "nonfinite", "blocked", "[", "]", ",", "\x1b", "9" * 30])


@given(words=st.lists(st.one_of(CONDITION_WORDS, st.text(max_size=8)), max_size=5))
def test_parse_condition_raises_only_its_own_error(words):
    text = " ".join(words)
    for layers in (LAYERS, [s.name for s in LAYERS]):
        try:
            parse_condition(text, layers, "float64")
        except ConditionError as err:
            assert "\n" not in str(err) and "\x1b" not in str(err)


@given(k=st.integers(1, 6), row=st.integers(1, 4), col=st.integers(1, 4))
def test_a_condition_on_a_weight_that_does_not_exist_is_refused(k, row, col):
    spec = LAYERS[k - 1] if k <= len(LAYERS) else None
    exists = (spec is not None and spec.trainable and row <= spec.size
              and col <= LAYERS[k - 2].size)
    text = f"sign w{k}[{row},{col}]"
    if exists:
        assert parse_condition(text, LAYERS).weight == (k - 1, "w", (row - 1, col - 1))
    else:
        with pytest.raises(ConditionError):
            parse_condition(text, LAYERS)


# ---- generated networks: fused = per operation; edit then undo; strict JSON -----------------

SMALL = st.fractions(min_value=-3, max_value=3, max_denominator=8)
KINDS = st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh", "identity"])


TEXTS = SMALL.map(str)
# values whose products overflow, underflow and meet inf − inf on the way: NaN and ±inf
WIDE = st.one_of(TEXTS, st.sampled_from(
    ["1e200", "-1e200", "1e308", "-1e308", "3e-200", "-3e-200", "1e-320", "0"]))


@st.composite
def networks(draw, exact: bool = False, values=TEXTS):
    """TOML text of a small random network and data set (``values``: its numbers, as text)."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=2, max_size=3))
    n_samples = draw(st.integers(1, 3))
    kinds = ["relu", "leaky_relu", "identity"] if exact else None
    lines = ['title = "generated"', f'numbers = "{"exact" if exact else "float64"}"', "",
             "[data]", "samples = ["]
    for _ in range(n_samples):
        x = [draw(values) for _ in range(sizes[0])]
        y = [draw(values) for _ in range(sizes[-1])]
        lines.append(f"  {{ x = {json.dumps(x)}, y = {json.dumps(y)} }},")
    lines += ["]", "", "[training]", f'learning_rate = "{draw(values).lstrip("-")}"',
              f"batch_size = {draw(st.integers(1, n_samples))}", "epochs = 2",
              f'order = "{draw(st.sampled_from(["sequential", "shuffle"]))}"', "",
              "[[layers]]", 'kind = "input"', f"size = {sizes[0]}"]
    for n_in, n_out in zip(sizes, sizes[1:]):
        weights = [[draw(values) for _ in range(n_in)] for _ in range(n_out)]
        lines += ["", "[[layers]]", 'kind = "linear"', f"size = {n_out}",
                  f"weights = {json.dumps(weights)}"]
        kind = draw(st.sampled_from(kinds)) if kinds else draw(KINDS)
        lines += ["", "[[layers]]", f'kind = "{kind}"']
    return "\n".join(lines) + "\n"


def same(a, b) -> bool:
    """Bit-identical numbers: float arrays byte for byte, exact arrays value for value."""
    if a is None or b is None:
        return a is b
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if hasattr(a, "keys"):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        if a.dtype == object:
            return a.shape == b.shape and bool((a == b).all())
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


FIELDS = ("params", "new_params", "outputs", "deltas", "grads", "losses", "loss", "loss_delta",
          "x", "y")


@given(text=networks())
def test_the_fused_iteration_is_bit_identical_to_stepping(text):
    scenario = parse_scenario(text, "gen.toml")
    model = Model.of(scenario)
    stepped = fused = first_record(scenario)
    for _ in range(scenario.iterations):
        fused = next_iteration(fused, model)
        for _ in range(model.schedule.ops_per_iteration):
            stepped = next_record(stepped, model)
        assert fused.index == stepped.index
        for name in FIELDS:
            assert same(getattr(fused, name), getattr(stepped, name)), name
        for rec in (fused, stepped):
            assert not any(a.flags.writeable for a in arrays_of(rec))


@given(text=networks(values=WIDE))
def test_fused_equals_stepping_and_the_nonfinite_check_is_right_through_overflow(text):
    """Networks whose values overflow to ±inf and NaN: the fused iteration still equals
    stepping bit for bit, and the always-on check (watch.any_nonfinite, also as a forward run
    screens it, reading δw through ŵ) says "not finite" exactly when np.isfinite finds a value
    that is not, in what the iteration produced."""
    scenario = parse_scenario(text, "gen.toml")
    model = Model.of(scenario)
    screen = Screen(parse_condition("nonfinite", scenario.layers), model, None, forward=True)
    stepped = fused = first_record(scenario)
    for _ in range(scenario.iterations):
        fused = next_iteration(fused, model)
        for _ in range(model.schedule.ops_per_iteration):
            stepped = next_record(stepped, model)
        for name in FIELDS:
            assert same(getattr(fused, name), getattr(stepped, name)), name
        made = [fused.losses, fused.loss_delta, *fused.outputs, *fused.deltas]
        for group in (fused.grads, fused.new_params):
            made += [a for p in group if p for a in p.values()]
        bad = any(not np.isfinite(a).all() for a in made if a is not None)
        assert any_nonfinite(fused) == bad
        assert screen.fires(fused, None) == bad


def arrays_of(rec) -> list:
    """Every array a record holds (its weights, data and what its iteration computed)."""
    arrays = [rec.data_x, rec.data_y, rec.x, rec.y, rec.losses, rec.loss_delta,
              *rec.outputs, *rec.deltas]
    for group in (rec.params, rec.new_params, rec.grads):
        arrays += [a for p in group or () if p for a in p.values()]
    return [a for a in arrays if a is not None]


@given(text=networks(exact=True), value=SMALL, at=st.integers(0, 40))
def test_edit_then_undo_gives_back_the_very_records(text, value, at):
    session = Session(parse_scenario(text, "gen.toml"))
    session.goto(at)
    before = [session.at(i) for i in range(session.last_index + 1)]
    session.goto(at)
    session.set_weight(1, 0, 0, str(value))
    session.goto(session.last_index)
    assert session.undo()
    assert all(session.at(i) is rec for i, rec in enumerate(before))


def no_constants(name: str):
    raise ValueError(f"bare JSON constant {name}")


@given(text=networks(), big=st.sampled_from(["1e300", "-1e308", "1e-300", "3"]))
def test_every_json_line_parses_strictly(text, big):
    session = Session(parse_scenario(text.replace('learning_rate = "', 'learning_rate = "1'),
                                     "gen.toml"))
    session.set_weight(1, 0, 0, big)  # drives some runs to inf and NaN
    for t in range(1, session.scenario.iterations + 1):
        rec = session.goto(session.schedule.iteration_end(t))
        json.loads(line(rec, session.model), parse_constant=no_constants)


# ---- views of exact records with huge and tiny values ---------------------------------------

HUGE = st.builds(lambda m, e: Fraction(m) * Fraction(10) ** e,
                 st.integers(-999, 999).filter(bool), st.integers(-5000, 5000))


@given(value=HUGE)
def test_every_number_format_renders_a_huge_or_tiny_exact_value(value):
    for style in STYLES:
        for max_len in (None, 12):
            text = fmt(value, style, max_len=max_len)
            assert text and len(text) < 5100
    assert brief(value) and to_json(value)


SCIENTIFIC = st.builds(lambda m, e: f"{m}e{e}", st.integers(-999, 999).filter(bool),
                       st.integers(-2500, 2500))


@given(weight=SCIENTIFIC, x=SCIENTIFIC)
def test_every_engine_view_of_an_exact_record_with_huge_values_renders(weight, x, broccoli_path):
    """w²[1,2] and the second input of up to 10^±2500 each: their products, the loss and the
    updates reach 10^±5000 and beyond."""
    session = _exact_broccoli(broccoli_path)
    session.goto(1)
    session.set_weight(1, 0, 1, weight)
    session.set_input(0, 1, x)
    model = session.model
    for index in range(session.cursor, session.schedule.iteration_end(1) + 1):
        rec = session.goto(index)
        diagnose(rec, model)
        sign_rows(rec, model)
        layer_stats(rec, model)
        for arr in (*rec.outputs, *rec.deltas):
            if arr is not None:
                [fmt(v, style, max_len=12) for v in arr.flat for style in STYLES]
    json.loads(line(session.record, model), parse_constant=no_constants)


_SCENARIOS: dict = {}


def _exact_broccoli(path) -> Session:
    if "broccoli" not in _SCENARIOS:
        _SCENARIOS["broccoli"] = load_scenario(path, "exact")
    return Session(_SCENARIOS["broccoli"], max_fraction_bits=100_000)
