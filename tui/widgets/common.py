"""What every widget shares: the view pushed down by the app, sign colours, labels.

Not a widget: small pure helpers. Sign colours are defined here once (Rich styles); a value not
computed yet is a dim "·", never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from nnstep.engine.flow_findings import Finding
from nnstep.engine.format import fmt
from nnstep.engine.format import weight_label as label
from nnstep.engine.names import Target, shown_features, shown_targets
from nnstep.engine.records import Record
from nnstep.engine.signs import SignRow
from rich.style import Style
from rich.text import Text

POSITIVE, NEGATIVE, ZERO, BLANK = "green", "red", "dim", "dim"
SELECTED = "reverse"
BLANK_TEXT = "·"
# diagnostics (engine.diagnostics.diagnose): symbol, word, style, and the panel border class
FINDING_MARKS = {
    "nonfinite": ("✖", "nan/inf", "bold red", "-blocked"),
    "blocked": ("✖", "blocked", "bold red", "-blocked"),
    "rounding": ("≈", "rounding", "yellow", "-rounding"),
    "saturated": ("≈", "saturated", "yellow", "-rounding"),
    "overshoot": ("⚠", "overshoot", "bold red", None),
    "sign": ("±", "sign flip", "cyan", None),
    # the research detectors (engine.detectors): one finding for the whole layer
    "vanishing": ("↓", "vanishing", "yellow", "-rounding"),
    "exploding": ("↑", "exploding", "bold red", "-blocked"),
    "dying": ("✖", "dying", "bold red", "-blocked"),
    "update_ratio": ("÷", "update ratio", "yellow", None),
    "unchanged": ("=", "unchanged", "yellow", None),
}
WEIGHT_META = "weight"  # the key of a style's meta naming a weight (pointing_at)
FRACTION_WIDTH = 24  # longer exact values show as ≈ decimals (the record keeps them exact)

_SUP = str.maketrans("0123456789+-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")



class Weight(NamedTuple):
    """A weight w^{layer+1}[row+1, col+1] (0-based here); ``col`` None is the row's bias. Equal
    to the plain (layer, row, col) tuples the engine hands out."""

    layer: int
    row: int
    col: int | None


@dataclass(frozen=True)
class View:
    """Everything a widget needs to draw one moment: pushed down by the app on every change."""

    session: Any  # nnstep.engine.Session (typed loosely: widgets only read it)
    record: Record
    style: str
    selected: Weight | None
    rows: tuple[SignRow, ...]
    findings: tuple[Finding, ...]
    parent: Record | None
    sign_filter: str = "all"  # which weights the sign table lists (tui/sign_view.py)
    sign_places: tuple[Weight, ...] = ()  # the weights it lists, in order (rows: their analysis)
    sign_matches: int = 0  # how many weights match the filter
    # the same view at the end (update) of the iteration at the cursor, where every value of
    # the iteration is known: panels keep the room it needs (widgets/panel.py); None: this is it
    end: View | None = None

    @property
    def model(self) -> Any:
        return self.session.model

    @property
    def scenario(self) -> Any:
        return self.session.scenario


def same_key(old: tuple | None, new: tuple) -> bool:
    """True when a widget's inputs are unchanged: arrays and mappings by identity (records share
    the arrays they did not change), everything else by equality."""
    if old is None or len(old) != len(new):
        return False
    for a, b in zip(old, new):
        if a is b:
            continue
        if isinstance(a, (np.ndarray, Mapping)) or isinstance(b, (np.ndarray, Mapping)):
            return False
        if a != b:
            return False
    return True


STATE_LABELS = {"velocity": "v"}  # the optimizer's state arrays as the rows name them


def optimizer_state(rec, k: int) -> dict:
    """Layer k's optimizer state arrays by name ({"m": {"w": …, "b": …}, …}): the new state from
    the update on, else the one the iteration starts from; None values before the first update
    (PyTorch creates its buffers there)."""
    state = rec.new_state if rec.new_state is not None else rec.state
    if state is None or k >= len(state.buffers):
        return {}
    return {name: arrays if state.step else None for name, arrays in state.buffers[k].items()}


def layer_inputs(view: View, k: int) -> tuple:
    """What the panel of layer ``k`` is drawn from (see same_key)."""
    rec = view.record
    new = rec.new_params[k] if rec.new_params is not None else None
    return (view.style, view.selected, rec.mode, rec.samples, rec.op.layer == k,
            rec.layer_input(k), rec.outputs[k] if rec.outputs else None,
            rec.deltas[k] if rec.deltas else None, rec.flow_into(k),
            rec.grads[k] if rec.grads else None, rec.params[k], new,
            tuple(optimizer_state(rec, k).values()),
            tuple(f for f in view.findings if f.layer == k))


def pointing_at(weight: Weight) -> Style:
    """A style that names ``weight``: a click on text in it selects that weight
    (``Panel.on_click``)."""
    return Style.from_meta({WEIGHT_META: tuple(weight)})


def sup(n: int | str) -> str:
    """Superscript digits: sup(2) -> '²'."""
    return str(n).translate(_SUP)


def sub(n: int | str) -> str:
    """Subscript digits: sub(12) -> '₁₂'."""
    return str(n).translate(_SUB)


def sign_style(value: Any) -> str:
    try:
        return POSITIVE if value > 0 else NEGATIVE if value < 0 else ZERO
    except TypeError:
        return ""


def num(value: Any, style: str, selected: bool = False, pointing: Style | None = None) -> Text:
    """A number coloured by its sign; None (not computed yet) reads "·". ``pointing``: a
    style naming the weight it belongs to (``pointing_at``)."""
    if value is None:
        text = Text(BLANK_TEXT, style=BLANK)
    else:
        text = Text(fmt(value, style, max_len=FRACTION_WIDTH), style=sign_style(value))
    if selected:
        text.stylize(SELECTED)
    if pointing is not None:
        text.stylize(pointing)
    return text


def sign_text(sign: str) -> Text:
    """A sign from the analysis ("+", "-", "0", "mixed") in its colour."""
    colour = {"+": POSITIVE, "-": NEGATIVE, "0": ZERO}.get(sign, "yellow")
    shown = {"-": "−", "mixed": "±"}.get(sign, sign)
    return Text(shown, style=colour)


def short(name: str, width: int) -> str:
    """``name`` cut to ``width`` characters with an ellipsis."""
    return name if len(name) <= width else name[: width - 1] + "…"


@dataclass
class _Named:
    """The input names of the model and features asked for last, by layer: a look-up by
    identity (hashing a model walks all its layers, ~6 µs, and the names are asked for
    ~120 times at the first paint of a big layer)."""

    model: Any = None
    features: Any = None
    by_layer: dict[int, tuple[str, ...]] = field(default_factory=dict)


_LAST_NAMED = _Named()


def input_names(view: View, k: int) -> tuple[str, ...]:
    """Names of the inputs of layer k (0-based): features for the first layers, else neurons.
    Made once per model and layer (784 names are asked for a dozen times a step)."""
    model, features, last = view.model, view.scenario.features, _LAST_NAMED
    if last.model is not model or last.features is not features:
        last.model, last.features, last.by_layer = model, features, {}
    names = last.by_layer.get(k)
    if names is None:
        names = last.by_layer[k] = _names(model, tuple(features), k)
    return names


@lru_cache(maxsize=256)
def _names(model: Any, features: tuple[str, ...], k: int) -> tuple[str, ...]:
    if k == 0 or all(s.recipe.takes_data for s in model.layers[:k]):
        return shown_features(features, model.layers[0].size)
    prev = model.layers[k - 1]
    return tuple(Target(k - 1, "o", (j,)).label([s.name for s in model.layers])
                 for j in range(prev.size))


def output_names(view: View) -> list[str]:
    return list(shown_targets(view.scenario.targets, view.model.layers[-1].size))


def weight_label(view: View, weight: Weight) -> str:
    """'w²[1,2]' or 'b²[1]' (1-based layer number, neuron, input; engine.format.weight_label)."""
    k, i, j = weight
    return label(k, "b", (i,)) if j is None else label(k, "w", (i, j))


def neuron_label(view: View, k: int, i: int) -> str:
    """'L3 n2': neuron ``i`` (0-based) of layer ``k``, as the screen names it
    (engine.names.Target.label)."""
    return Target(k, "o", (i,)).label([spec.name for spec in view.model.layers])


def row_label(key: str, k: int, i: int) -> str:
    """'w²[1,·]': neuron ``i``'s row of layer ``k``'s weights (key "w"), or of their δw ("δw"),
    new values ("ŵ") or the optimizer's state ("m", "v")."""
    return label(k, key, (i, None))


class WeightOrder(Sequence):
    """Every selectable weight, in model order: per trainable layer, row by row, each row's
    inputs then its bias. Computed from the layer sizes, never listed: a 784-128-10 network
    has 101,770 weights, whose list took 0.17 s to build and a scan to find one in."""

    def __init__(self, model: Any) -> None:
        self._blocks: dict[int, tuple[int, int, int, int]] = {}  # layer → first, inputs, row, rows
        start = 0
        for k, spec in enumerate(model.layers):
            if spec.trainable:
                n_in = model.layers[k - 1].size
                row = n_in + bool(spec.bias)
                self._blocks[k] = (start, n_in, row, spec.size)
                start += spec.size * row
        self._len = start

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, n):  # type: ignore[override]
        if isinstance(n, slice):
            return [self[m] for m in range(*n.indices(self._len))]
        if n < 0:
            n += self._len
        if not 0 <= n < self._len:
            raise IndexError(n)
        for k, (first, n_in, row, rows) in self._blocks.items():
            if n < first + row * rows:
                i, j = divmod(n - first, row)
                return Weight(k, i, None if j == n_in else j)
        raise IndexError(n)

    def index(self, weight: Any, *_: Any) -> int:  # type: ignore[override]
        place = self._place(weight)
        if place is None:
            raise ValueError(f"{weight!r} is not a weight of this model")
        return place

    def __contains__(self, weight: object) -> bool:
        return self._place(weight) is not None

    def _place(self, weight: Any) -> int | None:
        """The index of ``weight`` ((layer, row, column or None) with whole numbers), or None."""
        if not isinstance(weight, tuple) or len(weight) != 3:
            return None
        k, i, j = weight
        if not all(_whole(v) for v in (k, i)) or (j is not None and not _whole(j)):
            return None
        if k not in self._blocks:
            return None
        first, n_in, row, rows = self._blocks[k]
        if not 0 <= i < rows:
            return None
        if j is None:
            return first + i * row + n_in if row > n_in else None
        return first + i * row + j if 0 <= j < n_in else None


def _whole(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def weights_of(model: Any) -> WeightOrder:
    """Every selectable weight, in model order: rows, then columns, then the bias."""
    return WeightOrder(model)


def window(n: int, centre: int | None, size: int) -> range:
    """At most ``size`` consecutive indices of 0 … n−1, around ``centre`` (for big layers)."""
    if n <= size:
        return range(n)
    start = max(0, min((centre or 0) - size // 2, n - size))
    return range(start, start + size)


def value_of(params: Any, weight: Weight) -> Any:
    k, i, j = weight
    return params[k]["b"][i] if j is None else params[k]["w"][i, j]
