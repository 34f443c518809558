"""The recipes (engine/kinds): every kind says what the engine and the screen need, and NaN
passes through every activation as in PyTorch (torch.relu(nan) is nan, so is leaky_relu's)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from nnstep.engine.kinds import LAYERS, LOSSES, OPTIMIZERS
from nnstep.engine.layers import LayerSpec, backward, forward
from nnstep.engine.numbers import Numbers

FLOAT = Numbers("float64")
ACTIVATIONS = [name for name, r in LAYERS.items() if not r.sets_size]
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("kind", ACTIVATIONS)
def test_nan_passes_through_every_activation(kind: str) -> None:
    spec = LayerSpec("L2", kind, 4)
    x = np.array([[np.nan, -1.0, 0.0, 2.0]])
    with np.errstate(all="ignore"):
        o = forward(spec, {}, x, FLOAT)
    assert np.isnan(o[0, 0]) and not np.isnan(o[0, 1:]).any(), (kind, o)


@pytest.mark.parametrize("kind", ["relu", "leaky_relu"])
@pytest.mark.parametrize("at_zero", [1, 0])
def test_a_nan_input_lets_the_flow_pass_as_pytorch_relu_backward_does(kind, at_zero) -> None:
    """PyTorch's relu backward is δ where its output is not ≤ 0: a NaN unit passes δ."""
    spec = LayerSpec("L2", kind, 2, grad_at_zero=at_zero)
    x = np.array([[np.nan, -1.0]])
    with np.errstate(all="ignore"):
        delta, _ = backward(spec, {}, x, forward(spec, {}, x, FLOAT), np.array([[3.0, 3.0]]),
                            FLOAT)
    assert delta[0, 0] == 3.0 and delta[0, 1] == (0.0 if kind == "relu" else 0.03)


def test_every_recipe_names_itself_and_its_formula() -> None:
    for table in (LAYERS, LOSSES, OPTIMIZERS):
        for name, recipe in table.items():
            assert recipe.name == name
    for recipe in [*LAYERS.values(), *LOSSES.values()]:
        assert recipe.formula, recipe.name
    for recipe in LOSSES.values():
        assert recipe.label and recipe.derivative, recipe.name
    for recipe in OPTIMIZERS.values():
        assert recipe.label and recipe.formula(recipe.defaults()).startswith(("ŵ", "v", "g"))


def test_no_engine_or_ui_file_switches_on_a_kind_name() -> None:
    """Only the recipes know a kind by its name (scenarios, tests and docs may name them)."""
    names = "|".join(re.escape(n) for n in [*LAYERS, *LOSSES, *OPTIMIZERS])
    # a layer's, loss's or optimizer's kind compared with a name (edits and operations have
    # kinds of their own: an "input" edit is not the input layer)
    switch = re.compile(rf"(?<!edit)(?<!op)\.(kind|loss)\s*(==|!=|in)\s*\(?[\"']({names})[\"']")
    offenders = [f"{path.name}: {m.group(0)}"
                 for path in [*(ROOT / "engine").glob("*.py"), *(ROOT / "tui").rglob("*.py")]
                 for m in switch.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders


def test_the_recipes_import_without_the_ui() -> None:
    code = ("import sys, nnstep.engine.kinds; "
            "assert 'textual' not in sys.modules and 'rich' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
