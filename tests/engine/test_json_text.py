"""The trace's JSON text (engine/json_text.py) against the json module: byte for byte what
``json.dumps(value, ensure_ascii=False)`` writes once each non-finite float is the string
"nan", "inf" or "-inf" (that conversion written here independently)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from nnstep.engine import json_text

FLOATS = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)


def oracle(value) -> str:
    def strict(v):
        if isinstance(v, float) and not math.isfinite(v):
            return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if isinstance(v, list):
            return [strict(u) for u in v]
        if isinstance(v, dict):
            return {k: strict(u) for k, u in v.items()}
        return v

    return json.dumps(strict(value), ensure_ascii=False)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=5),
                  elements=FLOATS))
def test_a_float_array_is_what_json_writes(arr):
    assert json_text.array(arr) == oracle(arr.tolist())


def test_the_awkward_floats():
    arr = np.array([[-0.0, 1e16, 1e-05, 5e-324, 1.7976931348623157e308, 2000.0],
                    [math.nan, math.inf, -math.inf, 0.1 + 0.2, -1e-300, 123456789.0]])
    text = json_text.array(arr)
    assert text == oracle(arr.tolist())
    assert '"nan", "inf", "-inf"' in text and "-0.0" in text


@given(st.lists(st.fractions(max_denominator=10**30), min_size=1, max_size=6))
def test_an_exact_array_is_strings(values):
    arr = np.array(values, dtype=object)
    assert json_text.array(arr) == oracle([str(v) for v in values])


@given(st.one_of(FLOATS, st.fractions(), st.none()))
def test_a_number(v):
    expected = oracle(str(v) if isinstance(v, Fraction) else v)
    assert json_text.number(v) == expected
    if isinstance(v, float):
        assert json_text.number(np.float64(v)) == expected


@given(st.text())
def test_a_string(s):
    assert json_text.string(s) == json.dumps(s, ensure_ascii=False)


@given(st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), FLOATS, st.text()),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(), inner, max_size=3)),
                    max_leaves=12))
def test_any_value(v):
    assert json_text.value(v) == oracle(v)


def test_an_object_of_texts():
    assert json_text.obj({"a": "1", "b_2": '"x"'}) == json.dumps({"a": 1, "b_2": "x"})
