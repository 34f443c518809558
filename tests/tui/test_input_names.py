"""The input names a widget asks for (``common.input_names``, looked up by the identity of the
model and the feature names asked for last) are those made from the model and features by
value (``common._names`` uncached), whatever scenarios and layers are asked for in turn."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import Session, load_scenario
from nnstep.tui.widgets import common
from tui_support import ROOT

SCENARIOS = ["broccoli", "iris", "mlp784"]
SESSIONS = {name: Session(load_scenario(ROOT / "scenarios" / f"{name}.toml"))
            for name in SCENARIOS}


def view_of(name: str) -> SimpleNamespace:
    """What ``input_names`` reads of a view: its model and scenario."""
    session = SESSIONS[name]
    return SimpleNamespace(model=session.model, scenario=session.scenario)


@given(st.lists(st.tuples(st.sampled_from(SCENARIOS), st.integers(0, 3)), max_size=12))
def test_names_asked_in_any_order_are_those_made_by_value(asked) -> None:
    for name, k in asked:
        view = view_of(name)
        k = min(k, len(view.model.layers) - 1)
        expected = common._names.__wrapped__(view.model, tuple(view.scenario.features), k)
        assert common.input_names(view, k) == expected


def test_other_feature_names_of_the_same_model_are_theirs() -> None:
    view = view_of("iris")
    renamed = SimpleNamespace(
        model=view.model,
        scenario=SimpleNamespace(features=tuple(f"f{n}" for n in view.scenario.features)))
    assert common.input_names(view, 1) == tuple(view.scenario.features)
    assert common.input_names(renamed, 1) == tuple(f"f{n}" for n in view.scenario.features)
    assert common.input_names(view, 1) == tuple(view.scenario.features)
