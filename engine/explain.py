"""The arithmetic behind a number, in the articles' notation with the numbers substituted:

    δw²[1,2] = δ³[1] · o¹[2] = (−1) · 2000 = −2000
    ŵ²[1,2]  = w − α·δw = −3/11600 − 1 · (−2000) = 23199997/11600

For a weight (or a bias): its δw (with a batch, the mean of the per-sample terms), its update
and the δ it came from. For a neuron: its output o as the forward sum, the flow δ arriving at
it from the next layer (or the loss), and for an activation the δ it passes back. Numbers are
written in the given format (engine.format); a result is always the recorded value, the terms
are the recorded operands. What is not computed yet at the record's operation is said so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from .format import fmt, sup, weight_label
from .layers import activation_slope
from .names import Target
from .numbers import Numbers, to_float
from .optimizers import layer_direction
from .ranking import largest
from .records import Record

MAX_TERMS = 6  # a longer sum shows its largest terms and sums up the rest
SHOWN_TERMS = 4
MAX_SAMPLES = 4  # per-sample lines of a batch; the rest is counted
MAX_LEN = 40  # longer exact values read "≈" and a decimal (the record keeps them exact)
MINUS = "−"


class Explainer:
    """Explanations of one record of a model, in a number ``style``."""

    def __init__(self, rec: Record, model: Any, style: str = "fraction",
                 feature_names: Sequence[str] = ()) -> None:
        self.rec, self.model, self.style = rec, model, style
        self.features = tuple(feature_names)
        self.num = Numbers(rec.mode)

    def explain(self, target: Target) -> list[str]:
        """The lines explaining ``target`` (see the module doc)."""
        if target.key == "o":
            return self.neuron(target.layer, target.place[0])
        return self.weight(target.layer, target.key, target.place)

    # ---- numbers as text
    def n(self, value: Any) -> str:
        """A value in the style, with a real minus sign."""
        text = fmt(value, self.style, max_len=MAX_LEN)
        return MINUS + text[1:] if text.startswith("-") else text

    def factor(self, value: Any) -> str:
        """A value inside a product: negative ones in parentheses, "(−1)"."""
        text = self.n(value)
        return f"({text})" if text.startswith(MINUS) else text

    # ---- names
    def flow_name(self, k: int, j: int) -> str:
        """δ^{k+1}[j]: the flow at the input of layer k (0-based k, 1-based names)."""
        return f"δ{sup(k + 1)}[{j + 1}]"

    def out_name(self, k: int, j: int) -> str:
        return f"o{sup(k + 1)}[{j + 1}]"

    # ---- a weight or a bias
    def weight(self, k: int, key: str, place: tuple[int, ...]) -> list[str]:
        rec, spec = self.rec, self.model.layers[k]
        if not spec.trainable or key not in rec.params[k]:
            raise ValueError(f"{spec.name} has no {'weights' if key == 'w' else 'biases'}")
        name = weight_label(k, key, place)
        grads = rec.grads[k] if rec.grads else None
        left = [f"δ{name}", f"{'ŵ' if key == 'w' else 'b̂'}{name[1:]}"]
        width = max(_width(s) for s in left)
        left = [s + " " * (width - _width(s)) for s in left]
        i = place[0]
        flow = self.flow_name(k + 1, i)
        if grads is None:
            lines = [f"{left[0]} = {flow}{self._operand(k, key, place)}: not computed "
                     f"yet at this operation (backward · {spec.name} computes it)"]
        else:
            lines = self._gradient(k, key, place, left[0], flow)
        lines.extend(self._update(k, key, place, left[1], name))
        if grads is not None:
            lines.append("")
            lines.append(f"where {flow} came from:")
            lines.extend(self._arriving(k, i, indent="  "))
        return lines

    def _operand(self, k: int, key: str, place: tuple[int, ...]) -> str:
        return f" · {self.out_name(k - 1, place[1])}" if key == "w" else ""

    def _gradient(self, k: int, key: str, place: tuple[int, ...], left: str,
                  flow: str) -> list[str]:
        rec = self.rec
        i = place[0]
        d = rec.flow_into(k)  # δ^{k+2} in 1-based names: [batch, neurons]
        x = rec.layer_input(k)  # o^{k}: [batch, inputs]
        g = rec.grads[k][key][place]
        rule = f"{flow}{self._operand(k, key, place)}"
        batch = d.shape[0]

        def term(b: int) -> str:
            if key == "b":
                return self.n(d[b, i])
            return f"{self.factor(d[b, i])} · {self.factor(x[b, place[1]])}"

        def value(b: int) -> Any:
            return d[b, i] if key == "b" else d[b, i] * x[b, place[1]]

        if batch == 1:
            if key == "b":
                return [f"{left} = {rule} = {self.n(g)}"]
            return [f"{left} = {rule} = {term(0)} = {self.n(g)}"]
        lines = [f"{left} = the mean over the batch of {rule} = {self.n(g)}"]
        shown = min(batch, MAX_SAMPLES)
        for b in range(shown):
            text = term(b) if key == "b" else f"{term(b)} = {self.n(value(b))}"
            lines.append(f"  sample {rec.samples[b] + 1}: {text}")
        if batch > shown:
            lines.append(f"  … and {batch - shown} more samples")
        total = self.n(sum(value(b) for b in range(batch)))
        lines.append(f"  = ({total}) / {batch} = {self.n(g)}")
        return lines

    def _update(self, k: int, key: str, place: tuple[int, ...], left: str,
                name: str) -> list[str]:
        """ŵ = w − α·δw for plain SGD (the articles); other optimizers explain their direction
        d first (the recipe's ``explain``: momentum's velocity, Adam's m̂ and v̂ …)."""
        rec = self.rec
        w = rec.params[k][key][place]
        what = "w" if key == "w" else "b"
        optimizer = self.model.optimizer
        if rec.new_params is None or rec.grads is None or rec.grads[k] is None:
            formula = optimizer.formula
            rule = (f"{what} − α·δ{what}" if formula == "ŵ = w − α·δw"
                    else f"{what} − α·d ({formula})")
            return [f"{left} = {rule}: computed at the update (now {name} = "
                    f"{self.n(w)}, α = {self.n(rec.lr)})"]
        g = rec.grads[k][key][place]
        new = rec.new_params[k][key][place]
        d = layer_direction(optimizer, rec, k)[key][place]
        before = {n: arrays[key][place] for n, arrays in rec.state.buffers[k].items()}
        after = {n: arrays[key][place] for n, arrays in rec.new_state.buffers[k].items()}
        lines, d_name = optimizer.recipe.explain(
            w, g, before, after, rec.new_state.step, optimizer.settings_in(self.num), d,
            self.factor)
        if d_name == "δw":
            d_name = f"δ{what}"
        indent = " " * (_width(left) + 3)  # under the right-hand side of ŵ = …
        lines = [re.sub(r" = \((\S+)\)(\s|$)", r" = \1\2", line) for line in lines]  # results bare
        return [indent + line for line in lines] + [
            f"{left} = {what} − α·{d_name} = {self.n(w)} − {self.factor(rec.lr)} · "
            f"{self.factor(d)} = {self.n(new)}"]

    # ---- a neuron
    def neuron(self, k: int, j: int) -> list[str]:
        """Neuron j of layer k: o^{k+1}[j] forward, the δ arriving at it, and for an activation
        the δ it passes back (1-based names)."""
        rec, model = self.rec, self.model
        spec = model.layers[k]
        if not 0 <= j < spec.size:
            raise ValueError(f"{spec.name} has {spec.size} neurons (n1 … n{spec.size})")
        if not rec.samples:
            return [f"{self.out_name(k, j)}: no sample picked yet at this operation"]
        batch = len(rec.samples)
        lines: list[str] = []
        for b in range(min(batch, MAX_SAMPLES)):
            if batch > 1:
                lines.append(f"sample {rec.samples[b] + 1}:")
            pad = "  " if batch > 1 else ""
            lines.append(pad + self._forward(k, j, b))
            lines.extend(self._arriving(k, j, pad, b))
            if not spec.trainable and k > 0:
                lines.append(pad + self._passed_back(k, j, b))
        if batch > MAX_SAMPLES:
            lines.append(f"… and {batch - MAX_SAMPLES} more samples")
        return lines

    def _forward(self, k: int, j: int, b: int) -> str:
        rec, spec = self.rec, self.model.layers[k]
        name = self.out_name(k, j)
        o = rec.outputs[k] if rec.outputs else None
        if o is None:
            return f"{name}: not computed yet at this operation (forward · {spec.name})"
        if k == 0:
            feature = f" ({self.features[j]})" if j < len(self.features) else ""
            return f"{name} = x[{j + 1}]{feature} = {self.n(o[b, j])}"
        x = rec.layer_input(k)
        if spec.trainable:
            w = rec.params[k]["w"]
            rule = f"Σⱼ w{sup(k + 1)}[{j + 1},j] · o{sup(k)}[j]"
            terms = [(w[j, i] * x[b, i], f"{self.factor(w[j, i])} · {self.factor(x[b, i])}")
                     for i in range(w.shape[1])]
            if "b" in rec.params[k]:
                rule += f" + b{sup(k + 1)}[{j + 1}]"
                terms.append((rec.params[k]["b"][j], self.factor(rec.params[k]["b"][j])))
            return f"{name} = {rule} = {self._sum(terms)} = {self.n(o[b, j])}"
        inner = self.out_name(k - 1, j)
        return (f"{name} = {spec.kind}({inner}) = {spec.kind}({self.n(x[b, j])}) = "
                f"{self.n(o[b, j])}")

    def _arriving(self, k: int, j: int, indent: str = "", b: int = 0) -> list[str]:
        """δ^{k+2}[j] (1-based): the flow arriving at neuron j of layer k from what follows."""
        rec, model = self.rec, self.model
        last = k == len(model.layers) - 1
        d = rec.flow_into(k)
        name = self.flow_name(k + 1, j)
        if d is None:
            source = "backward · loss" if last else f"backward · {model.layers[k + 1].name}"
            return [f"{indent}{name}: not computed yet at this operation ({source})"]
        if last:
            o, y = rec.outputs[k][b, j], rec.y[b, j]
            return [f"{indent}{name} = ∂Loss/∂{self.out_name(k, j)} = {self.n(d[b, j])}   "
                    f"({model.loss.name}: {model.loss.derivative}, with "
                    f"{self.out_name(k, j)} = {self.n(o)} and y[{j + 1}] = {self.n(y)})"]
        nxt = model.layers[k + 1]
        if nxt.trainable:
            w = rec.params[k + 1]["w"]
            after = rec.flow_into(k + 1)
            rule = f"Σᵢ δ{sup(k + 3)}[i] · w{sup(k + 2)}[i,{j + 1}]"
            terms = [(after[b, i] * w[i, j], f"{self.factor(after[b, i])} · {self.factor(w[i, j])}")
                     for i in range(w.shape[0])]
            return [f"{indent}{name} = {rule} = {self._sum(terms)} = {self.n(d[b, j])}"]
        return [indent + self._passed_back(k + 1, j, b)]

    def _passed_back(self, k: int, j: int, b: int) -> str:
        """δ^{k+1}[j] (1-based) = δ^{k+2}[j] · f′(o^k[j]) for the elementwise layer k."""
        rec, spec = self.rec, self.model.layers[k]
        name, arriving = self.flow_name(k, j), self.flow_name(k + 1, j)
        d = rec.deltas[k] if rec.deltas else None
        if d is None:
            return f"{name}: not computed yet at this operation (backward · {spec.name})"
        x, o, after = rec.layer_input(k), rec.outputs[k], rec.flow_into(k)
        slope = activation_slope(spec, x[b:b + 1, j:j + 1], o[b:b + 1, j:j + 1], self.num)
        inner = self.out_name(k - 1, j)
        return (f"{name} = {arriving} · {spec.kind}′({inner}) = {self.factor(after[b, j])} · "
                f"{spec.kind}′({self.n(x[b, j])}) = {self.factor(after[b, j])} · "
                f"{self.factor(slope[0, 0])} = {self.n(d[b, j])}")

    def _sum(self, terms: list[tuple[Any, str]]) -> str:
        """Terms joined by " + "; a long sum shows its largest terms and sums up the rest."""
        if len(terms) <= MAX_TERMS:
            return " + ".join(text for _, text in terms)
        sizes = np.array([_size(v) for v, _ in terms])
        shown = sorted(int(i) for i in largest(sizes, SHOWN_TERMS))
        rest = [v for i, (v, _) in enumerate(terms) if i not in set(shown)]
        total = sum(rest[1:], rest[0])
        return (" + ".join(terms[i][1] for i in shown)
                + f" + … ({len(rest)} more terms, together {self.n(total)})")


def _width(text: str) -> int:
    """Columns a text takes: combining marks (the hat of b̂) take none."""
    return sum(not unicodedata.combining(c) for c in text)


def _size(value: Any) -> float:
    return abs(to_float(value))  # NaN ranks first in ranking.largest
