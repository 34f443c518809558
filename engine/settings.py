"""The [loss] and [optimizer] tables of a scenario, checked against their recipes
(engine/kinds): the kind, every setting's type and range, the combinations PyTorch refuses,
and what exact numbers cannot do. Errors name the file, the line and the key path."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import suggest
from .kinds import DEFAULT_LOSS, LOSSES, OPTIMIZERS
from .numbers import EXACT, NumberError, parse_number
from .optimizers import Optimizer

LOSS_KEYS = ("kind",)

Fail = Callable[..., Exception]  # fail(message, key path) -> ScenarioError


def _kind(raw: dict, where: tuple, choices: dict, default: str | None, fail: Fail) -> str:
    value = raw.get("kind", default)
    if value is None:
        raise fail(f"missing key 'kind' (expected one of {', '.join(choices)})", where)
    if not isinstance(value, str):
        raise fail(f"expected a string, got {value!r}", where + ("kind",))
    if value not in choices:
        raise fail(f"'{value}' is not valid{suggest(value, choices)}; expected one of "
                   f"{', '.join(choices)}", where + ("kind",))
    return value


def _table(raw: Any, where: tuple, fail: Fail) -> dict:
    if not isinstance(raw, dict):
        raise fail("expected a table", where)
    return raw


def parse_loss(raw: Any, numbers: str, fail: Fail) -> str:
    """[loss] kind = … -> the loss's name (half_squared_error without the table)."""
    where = ("loss",)
    raw = _table(raw, where, fail)
    for key in raw:
        if key not in LOSS_KEYS:
            raise fail(f"unknown key '{key}'{suggest(key, LOSS_KEYS)} (expected one of "
                       f"{', '.join(LOSS_KEYS)})", where + (key,))
    name = _kind(raw, where, LOSSES, DEFAULT_LOSS, fail)
    if numbers == EXACT and not LOSSES[name].exact:
        raise fail(f"{name} has no exact rational values (exp, log); use float64 numbers "
                   "(numbers = \"float64\", or --float), or mse / half_squared_error",
                   where + ("kind",))
    return name


def parse_optimizer(raw: Any, numbers: str, fail: Fail) -> Optimizer:
    """[optimizer] kind = …, its settings -> an Optimizer (plain SGD without the table)."""
    if raw is None:
        return Optimizer.plain()
    where = ("optimizer",)
    raw = _table(raw, where, fail)
    name = _kind(raw, where, OPTIMIZERS, None, fail)
    recipe = OPTIMIZERS[name]
    allowed = ("kind",) + tuple(o.name for o in recipe.options)
    for key in raw:
        if key not in allowed:
            raise fail(f"unknown key '{key}'{suggest(key, allowed)} for {name} (expected one of "
                       f"{', '.join(allowed)})", where + (key,))
    if numbers == EXACT and not recipe.exact:
        raise fail(f"{name} has no exact rational values (a square root); use float64 numbers "
                   "(numbers = \"float64\", or --float), or sgd", where + ("kind",))
    settings: dict[str, Fraction | bool] = {}
    for option in recipe.options:
        here = where + (option.name,)
        if option.name not in raw:
            settings[option.name] = option.default
            continue
        value = raw[option.name]
        if option.flag:
            if not isinstance(value, bool):
                raise fail(f"expected true or false, got {value!r}", here)
        else:
            try:
                value = parse_number(value)
            except NumberError as err:
                raise fail(str(err), here) from None
            problem = option.problem(value)
            if problem:
                raise fail(f"{problem} ({option.what})", here)
        settings[option.name] = value
    refused = recipe.problem(settings)
    if refused:
        raise fail(refused[1], where + (refused[0],))
    return Optimizer(name, tuple(settings.items()), given=True)


def check_targets(samples, loss: str, inline: bool, fail: Fail) -> None:
    """Every target is one the loss accepts (class probabilities for cross-entropy, …): the
    first one that is not names its sample (``inline``: by its key path)."""
    recipe = LOSSES[loss]
    if not recipe.targets:
        return
    table = getattr(samples, "y", None)  # a data set held as arrays (dataset.Samples)
    if table is not None and all(recipe.target_ok(v) for v in np.unique(table).tolist()):
        return  # each distinct value once, not 60,000 × 10 calls
    for i, sample in enumerate(samples):
        for j, value in enumerate(sample.y):
            if not recipe.target_ok(value):
                output = f" (output {j + 1})" if len(sample.y) > 1 else ""
                raise fail(f"{loss} needs {recipe.targets}; sample {i + 1} has y = "
                           f"{value}{output}", ("data", "samples", i, "y") if inline
                           else ("data",))
