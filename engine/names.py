"""Names a person types for a weight, a bias or a neuron, read into one ``Target``:

    w²[1,2]  w2[1,2]     weight of layer 2 (1-based, as the articles), neuron 1, input 2
    b²[1]    b2[1]       bias of layer 2, neuron 1
    L3 n2                neuron 2 of the layer named L3
    L2[0,1]  L2.b[0]     the condition language's older form: layer name, 0-based indices
    broccoli             a feature name: that input of the first layer (when features are given)

Every screen name comes back out of ``Target.label``. This is the one parser of these names:
the condition language, the search, the explanations and the command line use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import shown, suggest
from .format import sup, weight_label

_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_ARTICLE = re.compile(r"(?P<key>[wb])(?P<layer>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,4}|\d{1,4})"
                      r"\[\s*(?P<row>\d+)\s*(?:,\s*(?P<col>\d+)\s*)?\]")
_OLD = re.compile(r"(?P<name>[A-Za-z_][\w-]*)(?:\.(?P<key>[wb]))?"
                  r"\[\s*(?P<row>\d+)\s*(?:,\s*(?P<col>\d+)\s*)?\]")
_NEURON = re.compile(r"(?P<name>\S+)\s+n(?P<n>\d+)")
MAX_LENGTH = 200  # longer text is not a name (and is not echoed in full)
EXAMPLES = "w²[1,2] (or w2[1,2]), b²[1], L3 n2, L2[0,1]"


class BadName(ValueError):
    """A name that does not parse or points at nothing; the message says what was expected."""


@dataclass(frozen=True)
class Target:
    """A weight (``key`` "w", ``place`` (row, col)), a bias ("b", (row,)) or a neuron ("o",
    (neuron,)) of layer ``layer``; all 0-based."""

    layer: int
    key: str
    place: tuple[int, ...]

    def label(self, layer_names: Sequence[str]) -> str:
        """As the screen writes it: w²[1,2], b²[1], L3 n2."""
        if self.key == "o":
            return f"{layer_names[self.layer]} n{self.place[0] + 1}"
        return weight_label(self.layer, self.key, self.place)


def parse_name(text: str, layers: Sequence[Any], features: Sequence[str] = ()) -> Target:
    """Read ``text`` against the model's layer specs (``name``, ``size``, ``trainable``,
    ``bias``); raise BadName saying what is wrong. ``features`` names the inputs."""
    t = " ".join(str(text).split())
    if len(t) > MAX_LENGTH or not t.isprintable():
        raise BadName(f"'{shown(t)}' names no weight, bias or neuron; expected e.g. {EXAMPLES}")
    names = [spec.name for spec in layers]
    if t in features:
        return Target(0, "o", (list(features).index(t),))
    m = _ARTICLE.fullmatch(t)
    if m and not _is_layer_name(m, names):
        k = int(m["layer"].translate(_SUP)) - 1
        row, col = _int(m["row"]) - 1, (_int(m["col"]) - 1 if m["col"] else None)
        if row < 0 or (col is not None and col < 0):
            raise BadName(f"'{t}': rows and columns count from 1 in this form "
                             "(the 0-based form is L2[0,1])")
        return _weight(t, layers, k, m["key"], row, col)
    m = _OLD.fullmatch(t)
    if m:
        k = _layer(t, m["name"], names)
        col = _int(m["col"]) if m["col"] else None
        return _weight(t, layers, k, m["key"] or "w", _int(m["row"]), col)
    m = _NEURON.fullmatch(t)
    if m:
        k = _layer(t, m["name"], names)
        n, size = _int(m["n"]), layers[k].size
        if not 1 <= n <= size:
            which = "n1" if size == 1 else f"n1 … n{size}"
            raise BadName(f"'{t}': {names[k]} has {_count(size, 'neuron')} ({which})")
        return Target(k, "o", (n - 1,))
    hint = f" or a feature ({', '.join(features[:3])}{', …' if len(features) > 3 else ''})"
    raise BadName(f"'{t}' names no weight, bias or neuron; expected e.g. {EXAMPLES}"
                     + (hint if features else ""))


def _is_layer_name(m: re.Match, names: Sequence[str]) -> bool:
    """True when the text's prefix (e.g. "w2") is itself a layer's name: the older form wins."""
    return f"{m['key']}{m['layer']}" in names


def _layer(t: str, name: str, names: Sequence[str]) -> int:
    if name not in names:
        raise BadName(f"'{t}': no layer named '{name}'{suggest(name, list(names))} "
                         f"(layers: {', '.join(names)})")
    return list(names).index(name)


def _weight(t: str, layers: Sequence[Any], k: int, key: str, row: int,
            col: int | None) -> Target:
    if not 0 <= k < len(layers):
        raise BadName(f"'{t}': there is no layer {k + 1} (layers 1 … {len(layers)})")
    spec = layers[k]
    trainable = [f"w{sup(j + 1)}" for j, s in enumerate(layers) if s.trainable]
    if not spec.trainable:
        raise BadName(f"'{t}': layer {k + 1} ({spec.name}, {spec.kind}) has no weights; "
                         f"weights are {', '.join(trainable) or 'nowhere in this model'}")
    inputs = layers[k - 1].size if k > 0 else spec.size
    if key == "b":
        if not spec.bias:
            raise BadName(f"'{t}': layer {k + 1} ({spec.name}) has no bias")
        if col is not None:
            raise BadName(f"'{t}': a bias has one index, e.g. {weight_label(k, 'b', (0,))}")
        if not 0 <= row < spec.size:
            raise BadName(f"'{t}': {spec.name} has {_count(spec.size, 'neuron')}, biases "
                             f"{_span(k, 'b', (spec.size,))}")
        return Target(k, "b", (row,))
    if col is None:
        raise BadName(f"'{t}': a weight has two indices, e.g. {weight_label(k, 'w', (0, 0))}")
    if not (0 <= row < spec.size and 0 <= col < inputs):
        raise BadName(f"'{t}': {spec.name} has {_count(spec.size, 'neuron')} × "
                      f"{_count(inputs, 'input')}, "
                         f"weights {_span(k, 'w', (spec.size, inputs))}")
    return Target(k, "w", (row, col))


def shown_features(features: Sequence[str], size: int) -> tuple[str, ...]:
    """The inputs' names as the screen shows them: the scenario's features, else x1 … xN (a
    generated data set names none)."""
    return _shown(features, size, "x")


def shown_targets(targets: Sequence[str], size: int) -> tuple[str, ...]:
    """The outputs' names as the screen shows them: the scenario's targets, else y1 … yN."""
    return _shown(targets, size, "y")


def _shown(names: Sequence[str], size: int, letter: str) -> tuple[str, ...]:
    """``names`` when there is one for each of ``size`` values, else letter1 … letterN."""
    return tuple(names) if len(names) == size else tuple(f"{letter}{j + 1}" for j in range(size))


def _int(digits: str) -> int:
    """An index as typed; absurdly long ones stay out of range without converting them."""
    return int(digits) if len(digits) <= 9 else 10**9


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _span(k: int, key: str, shape: tuple[int, ...]) -> str:
    first = weight_label(k, key, tuple(0 for _ in shape))
    last = weight_label(k, key, tuple(n - 1 for n in shape))
    return f"{first} … {last}"
