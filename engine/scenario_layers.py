"""The [[layers]] tables of a scenario: each layer's kind, name, size, flags and settings,
checked against its recipe (engine/kinds/) and the size limits, with its initial weights."""

from __future__ import annotations

import re
from fractions import Fraction

from .errors import shown
from .init import WeightFiles, initial_params
from .kinds import LAYERS
from .layers import KINDS, LayerSpec
from .limits import MAX_NEURONS, MAX_WEIGHTS
from .numbers import EXACT
from .scenario_fields import Fields

LAYER_KEYS = ("name", "kind", "size") + tuple(
    dict.fromkeys(key for recipe in LAYERS.values() for key in recipe.keys))
MAX_NAME = 24  # characters of a layer name
LAYER_NAME = re.compile(rf"[A-Za-z_][A-Za-z0-9_-]{{0,{MAX_NAME - 1}}}")


def read_layers(f: Fields, layers_raw: list, numbers: str, seed: int, files: WeightFiles,
                own_weights: bool = True) -> tuple[list[LayerSpec], list[dict]]:
    """The [[layers]] tables -> (LayerSpec per layer, its initial parameters). ``own_weights``
    False: a [weights] table gives them instead (``params`` are empty dicts then)."""
    specs: list[LayerSpec] = []
    params: list[dict] = []
    names: set[str] = set()
    previous = weights = 0
    for k, raw in enumerate(layers_raw):
        where = ("layers", k)
        raw = f.table(raw, where, LAYER_KEYS)
        kind = f.string(raw, "kind", where, choices=KINDS)
        name = f.string(raw, "name", where, default=f"L{k + 1}")
        if not LAYER_NAME.fullmatch(name):
            raise f.fail(f"'{shown(name)}' is not a layer name (expected a letter, then "
                         f"letters, digits, _ or -, at most {MAX_NAME} characters)",
                         where + ("name",))
        if name == "loss":  # N:backward:loss is the loss's δ: that layer's could not be named
            raise f.fail("'loss' names the loss in positions (N:backward:loss): give the layer "
                         "another name", where + ("name",))
        if name in names:
            raise f.fail(f"the layer name '{shown(name)}' is used twice", where + ("name",))
        names.add(name)
        recipe = LAYERS[kind]
        if (k == 0) != recipe.takes_data:
            raise f.fail("the first layer must be of kind \"input\", and only the first"
                         if k == 0 else "only the first layer may be of kind \"input\"",
                         where + ("kind",))
        if numbers == EXACT and not recipe.exact:
            usable = " / ".join(n for n, r in LAYERS.items()
                                if r.exact and not r.sets_size)
            raise f.fail(f"{kind} has no exact rational values; use float64 numbers "
                         f"(numbers = \"float64\", or --float) or {usable}",
                         where + ("kind",))
        size = _size(f, raw, kind, where, previous)
        if recipe.trainable:
            weights += size * (previous + 1)
            if weights > MAX_WEIGHTS:
                raise f.fail(f"the network has more than the limit of {MAX_WEIGHTS:,} "
                             "weights from this layer on", where + ("size",))
        slope = f.number(raw, "slope", where, Fraction(1, 100))
        if slope < 0:
            raise f.fail(f"expected a slope ≥ 0, got {shown(raw['slope'])} (a negative "
                         "slope flips the sign of the learning flow, which the sign "
                         "analysis does not follow)", where + ("slope",))
        spec = LayerSpec(
            name, kind, size,
            bias=f.flag(raw, "bias", where, recipe.trainable),
            slope=slope,
            grad_at_zero=f.number(raw, "grad_at_zero", where, 1),
        )
        _only_for(f, raw, kind, where)
        specs.append(spec)
        params.append(initial_params(spec, previous, raw, numbers, seed + k, where, f.fail,
                                     files, specs) if recipe.trainable and own_weights else {})
        previous = size
    return specs, params


def _size(f: Fields, raw: dict, kind: str, where: tuple, previous: int) -> int:
    if LAYERS[kind].sets_size:
        if "size" not in raw:
            raise f.fail("missing key 'size' (expected the number of neurons)", where)
        return f.integer(raw, "size", where, 1, 1, MAX_NEURONS)
    size = f.integer(raw, "size", where, previous, 1, MAX_NEURONS)
    if size != previous:
        raise f.fail(f"an activation keeps the size of its input: expected {previous}, "
                     f"got {size}", where + ("size",))
    return size


def _only_for(f: Fields, raw: dict, kind: str, where: tuple) -> None:
    owners = {key: name for name, recipe in LAYERS.items() for key in recipe.keys}
    for key, owner in owners.items():
        if key in raw and key not in LAYERS[kind].keys:
            raise f.fail(f"'{key}' applies only to {owner} layers, not {kind}",
                         where + (key,))
