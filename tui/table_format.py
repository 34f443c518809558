"""``nnstep run --format table`` (the default): a few readable lines per finished iteration.

A small network prints every value (the articles' numbers, to the digit). An array past the JSON
trace's SUMMARY_LIMIT values is summarised as the trace summarises it: a layer's weights print
their shape and range, the mean |δw| and the largest |δw| by name, a batch's outputs their
shape — so a 784-128-10 iteration is a few lines, not megabytes. Findings print at most
FINDINGS_PER_KIND lines of each kind, then how many more there are."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import fmt, weight_label
from nnstep.engine.kinds.loss import accuracy
from nnstep.engine.numbers import floats
from nnstep.engine.summary import top_k
from nnstep.engine.trace import SUMMARY_LIMIT

if TYPE_CHECKING:
    from nnstep.engine import Session
    from nnstep.engine.detectors import History

TABLE_FRACTION_LEN = 40  # longer exact values print as ≈ decimals in the table (JSON keeps them)
FINDINGS_PER_KIND = 3  # lines of one kind of finding per iteration; the rest are counted
TOP = 3  # the largest |δw| named in a summarised layer


def table(rec, session: Session, history: History | None = None) -> str:
    """The lines of one finished iteration."""
    model = session.model
    loss = fmt(rec.loss, max_len=TABLE_FRACTION_LEN)
    head = (f"iteration {rec.iteration} (epoch {rec.epoch}, "
            f"sample{'s' if len(rec.samples) > 1 else ''} "
            f"{', '.join(str(s + 1) for s in rec.samples)}): loss {loss}, "
            f"prediction {_values(rec.outputs[-1])}, expected {_values(rec.y)}, δ of the loss "
            f"{_values(rec.loss_delta)}")
    if rec.outputs[-1].size > SUMMARY_LIMIT and model.loss.classifies:
        head += f", accuracy {fmt(accuracy(model.loss, rec.outputs[-1], rec.y), 'decimal')}"
    lines = [head]
    for k, spec in enumerate(model.layers):
        if not spec.trainable:
            continue
        keys = ("w", "b") if spec.bias else ("w",)
        large = any(rec.params[k][key].size > SUMMARY_LIMIT for key in keys)
        for key in keys:
            now, grad, new = rec.params[k][key], rec.grads[k][key], rec.new_params[k][key]
            hat = "ŵ" if key == "w" else "b̂"
            if large:
                lines.append(f"  {spec.name} {key} {_range(now)}  δ{key} {_gradient(grad, k, key)}"
                             f"  {hat} {_range(new)}")
            else:
                lines.append(f"  {spec.name} {key} {_vec(now)}  δ{key} {_vec(grad)}  "
                             f"{hat} {_vec(new)}")
    history = history or session.end_of_iteration
    lines += _findings(diagnose(rec, model, history))
    return "\n".join(lines)


def _findings(findings) -> list[str]:
    kinds = Counter(f.kind for f in findings)
    shown: Counter = Counter()
    out = []
    for f in findings:
        if shown[f.kind] < FINDINGS_PER_KIND:
            out.append(f"  ! {f.kind}: {f.message}")
        elif shown[f.kind] == FINDINGS_PER_KIND:
            out.append(f"  ! {f.kind}: … and {kinds[f.kind] - FINDINGS_PER_KIND} more")
        shown[f.kind] += 1
    return out


def _values(arr) -> str:
    """Every value while few; past the limit, the shape (``--format json --full`` prints all)."""
    return _vec(arr) if arr.size <= SUMMARY_LIMIT else f"[{_shape(arr)} values]"


def _vec(arr) -> str:
    rows = arr.tolist() if arr.ndim > 1 else [arr.tolist()]
    inner = ["(" + ", ".join(fmt(v, max_len=TABLE_FRACTION_LEN) for v in row) + ")"
             for row in rows]
    return inner[0] if len(inner) == 1 else "[" + ", ".join(inner) + "]"


def _shape(arr) -> str:
    return "×".join(str(n) for n in arr.shape)


def _range(arr) -> str:
    """``[128×784] -0.0811 … 0.0811`` (NaN and ±inf are named, never hidden; exact values of
    any size are values)."""
    if arr.dtype == object:  # exact: every value finite, however large
        values = arr.ravel().tolist()
        return f"[{_shape(arr)}] {_n(min(values))} … {_n(max(values))}"
    values = floats(arr)
    finite = values[np.isfinite(values)]
    text = (f"{_n(finite.min())} … {_n(finite.max())}" if finite.size else "no finite value")
    bad = values.size - finite.size
    if bad:
        text += f", {bad} NaN or inf"
    return f"[{_shape(arr)}] {text}"


def _gradient(arr, k: int, key: str) -> str:
    """The mean |δw| and the largest |δw| by name (exact values as they are)."""
    if arr.dtype == object:
        mean = sum(abs(v) for v in arr.ravel().tolist()) / arr.size
    else:
        mean = float(np.mean(np.abs(floats(arr))))
    top = ", ".join(f"{weight_label(k, key, place)} {_n(arr[place])}"
                    for place, _ in top_k(arr, TOP))
    return f"mean |δ{key}| {_n(mean)}, largest {top}"


def _n(v) -> str:
    return fmt(v if isinstance(v, Fraction) else float(v), "decimal")
