"""The seeded random draws a scenario makes as it is read: a generated data set (dataset.py) and
initial weights drawn by ``init`` (init.py). Each recipe is a pure function of its arguments
(for one numpy: its Generator promises no stream across versions) returning arrays; ``drawn``
calls it, or takes its arrays from the store installed with ``install``. The `nnstep` command
installs one that keeps them between runs (tui/draw_cache.py): a warm start of 784-128-10 then
neither imports numpy.random (~12 ms) nor draws its 784,000 noise values (~15 ms). Without a
store (the library, the tests) every draw is computed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

Recipe = Callable[..., tuple[np.ndarray, ...]]


class Store(Protocol):
    """Where a recipe's arrays are kept: ``get`` gives those ``put`` there for the same recipe
    and arguments (None when it has none)."""

    def get(self, recipe: Recipe, args: tuple) -> tuple[np.ndarray, ...] | None: ...

    def put(self, recipe: Recipe, args: tuple, arrays: tuple[np.ndarray, ...]) -> None: ...


_store: Store | None = None


def install(store: Store | None) -> None:
    """Draws come from ``store`` from now on (None: each is computed)."""
    global _store
    _store = store


def drawn(recipe: Recipe, *args: int | float) -> tuple[np.ndarray, ...]:
    """``recipe(*args)``, or the store's copy of it."""
    store = _store
    if store is None:
        return recipe(*args)
    arrays = store.get(recipe, args)
    if arrays is None:
        arrays = recipe(*args)
        store.put(recipe, args, arrays)
    return arrays


def classes(samples: int, features: int, classes: int, noise: float,
            seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A synthetic classification set: each class has a prototype uniform in [0, 1]^features;
    a sample is its class's prototype plus Gaussian noise (standard deviation ``noise``),
    clipped to [0, 1] and rounded to 1/256. Returns x [samples, features] (float64) and the
    class labels [samples] (int64)."""
    rng = np.random.default_rng(seed)
    prototypes = rng.uniform(0, 1, size=(classes, features))
    labels = rng.integers(0, classes, size=samples)
    # round(clip(prototype + noise, 0, 1) · 256) / 256, computed in the noise's own array: a
    # new array of samples × features for each step cost more than the arithmetic (784-128-10's
    # 1,000 samples: 6 MB each, at start-up). Same operations, same order, same numbers.
    x = rng.normal(0, noise, size=(samples, features))
    np.add(prototypes[labels], x, out=x)
    np.clip(x, 0, 1, out=x)
    x *= 256
    np.rint(x, out=x)  # what np.round does to float64 values with no decimals
    x /= 256
    return x, labels


def uniform(seed: int, bound: float, rows: int, cols: int) -> tuple[np.ndarray]:
    """Weights [rows, cols] (float64) uniform in [−bound, bound)."""
    return (np.random.default_rng(seed).uniform(-bound, bound, size=(rows, cols)),)
