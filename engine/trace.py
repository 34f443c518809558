"""Records -> JSON lines (one per finished iteration) for the headless trace.

A line carries every field (``TOP_FIELDS``), or those a ``Selection`` names (``--fields``). A
layer holding an array of more than SUMMARY_LIMIT values is summarised — the statistics of the
big-layer panels (summary.py) in place of its arrays, and no sign rows — unless the trace is
``full`` or the field is named. Exact numbers are strings ("-3/11600"), floats JSON numbers,
non-finite floats "nan", "inf", "-inf": strict JSON.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from .detectors import History
from .diagnostics import diagnose, loss_change
from .format import nested_json, to_json
from .kinds.loss import accuracy
from .records import Record
from .signs import sign_rows
from .step import Model
from .summary import layer_stats

TOP_FIELDS = ("epoch", "iteration", "samples", "numbers", "learning_rate", "x", "y", "loss",
              "losses", "loss_delta", "layers", "signs", "loss_change", "diagnostics",
              "accuracy")
LAYER_FIELDS = ("name", "kind", "output", "delta", "weights", "grad_weights", "weights_after",
                "bias", "grad_bias", "bias_after", "optimizer_state")
SUMMARY_LIMIT = 256  # values in one array of a layer past which the layer is summarised


class FieldError(ValueError):
    """A --fields item that names no field; the message lists the valid ones."""


@dataclass(frozen=True)
class Selection:
    """What each line carries: top-level ``fields`` (in TOP_FIELDS order); ``layers`` None for
    every layer, else {layer name: None for its whole entry, or the fields named}; ``full``
    prints large layers whole instead of summarised."""

    fields: tuple[str, ...] = TOP_FIELDS
    layers: dict[str, tuple[str, ...] | None] | None = None
    full: bool = False


EVERYTHING = Selection()  # every field, large layers summarised


def select(text: str | None, layer_names: list[str], full: bool = False) -> Selection:
    """The Selection that ``--fields`` ``text`` asks for ("loss,layers.L2.grad_weights"); every
    field when ``text`` is None. Raises FieldError naming the valid fields."""
    if text is None:
        return Selection(full=full)
    chosen: set[str] = set()
    layers: dict[str, tuple[str, ...] | None] = {}
    every_layer = False
    for item in (part.strip() for part in text.split(",")):
        head, _, rest = item.partition(".")
        name, _, field = rest.partition(".")
        if item in TOP_FIELDS:
            chosen.add(item)
            every_layer |= item == "layers"
        elif head == "layers" and name in layer_names and (not field or field in LAYER_FIELDS):
            chosen.add("layers")
            if not field:
                layers[name] = None
            elif layers.get(name, ()) is not None:
                layers[name] = (*layers.get(name, ()), field)
        else:
            raise FieldError(_unknown(item, layer_names))
    order = tuple(f for f in TOP_FIELDS if f in chosen)
    return Selection(order, None if every_layer else layers, full)


def _unknown(item: str, layer_names: list[str]) -> str:
    return (f"--fields: no field '{item}'; valid: {', '.join(TOP_FIELDS)}, layers.NAME, "
            f"layers.NAME.FIELD (NAME: {', '.join(layer_names)}; FIELD: "
            f"{', '.join(LAYER_FIELDS)})")


def line(rec: Record, model: Model, selection: Selection = EVERYTHING,
         history: History | None = None) -> str:
    """One line of JSON for the iteration ``rec`` (its update record) finished."""
    obj = iteration_json(rec, model, selection, history)
    try:
        return json.dumps(obj, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a NaN or inf among the floats: those become strings
        return json.dumps(_finite(obj), ensure_ascii=False)


def iteration_json(rec: Record, model: Model, selection: Selection = EVERYTHING,
                   history: History | None = None) -> dict[str, Any]:
    """The fields of the iteration that ``rec`` (its update record) finished; float arrays as
    lists of floats (``line`` writes a non-finite one as a string). ``history`` (the record
    ending an iteration: ``Session.end_of_iteration``) lets look-back diagnostics report.

    Shapes: ``x`` [batch][inputs], ``y`` / ``loss_delta`` [batch][outputs]; per layer ``output``
    [batch][neurons], ``delta`` (δ^k at the layer's input) [batch][inputs]; weights [out][in].
    """
    summarised = _summarised(rec, model, selection)
    out: dict[str, Any] = {}
    for field in selection.fields:
        if field == "accuracy" and not model.loss.classifies:
            continue  # only a classifier has one
        out[field] = _FIELDS[field](rec, model, selection, summarised, history)
    return out


def _summarised(rec: Record, model: Model, selection: Selection) -> set[int]:
    """Layers whose whole entry is asked for and holds an array past the limit."""
    if selection.full:
        return set()
    out = set()
    for k, spec in enumerate(model.layers):
        if selection.layers is not None and selection.layers.get(spec.name, ()) is not None:
            continue  # not asked for whole: its named fields are printed as they are
        arrays = [rec.outputs[k], rec.deltas[k], *(rec.params[k].values())]
        if any(a is not None and a.size > SUMMARY_LIMIT for a in arrays):
            out.add(k)
    return out


def _array(a: Any) -> Any:
    """An array as nested lists: floats as they are, exact values as strings."""
    if a is None:
        return None
    if a.dtype == object:
        return nested_json(a)
    return a.tolist()


def _layers(rec: Record, model: Model, selection: Selection, summarised: set[int],
            *_: Any) -> list:
    entries = []
    stats, state = None, rec.state_after()
    for k, spec in enumerate(model.layers):
        named = None if selection.layers is None else selection.layers.get(spec.name, ())
        if named == ():
            continue  # not selected
        if k in summarised:
            stats = stats or layer_stats(rec, model)
            summary = {key: v if isinstance(v, int) else to_json(v)
                       for key, v in asdict(stats[k]).items() if key not in ("name", "kind")}
            entries.append({"name": spec.name, "kind": spec.kind, "summary": summary})
            continue
        entry = _layer_entry(rec, k, spec)
        if spec.trainable and model.optimizer.given:
            entry["optimizer_state"] = _state_json(state, k)
        if named is not None:
            entry = {"name": spec.name, **{f: entry[f] for f in named if f in entry}}
        entries.append(entry)
    return entries


def _layer_entry(rec: Record, k: int, spec) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": spec.name, "kind": spec.kind,
                             "output": _array(rec.outputs[k]), "delta": _array(rec.deltas[k])}
    if spec.trainable:
        grads, after = rec.grads[k] or {}, (rec.new_params or rec.params)[k]
        entry.update(weights=_array(rec.params[k]["w"]), grad_weights=_array(grads.get("w")),
                     weights_after=_array(after["w"]))
        if spec.bias:
            entry.update(bias=_array(rec.params[k]["b"]), grad_bias=_array(grads.get("b")),
                         bias_after=_array(after["b"]))
    return entry


def _signs(rec: Record, model: Model, selection: Selection, summarised: set[int],
           *_: Any) -> list:
    """The sign-analysis rows of the layers printed whole (the order of today's keys)."""
    shown = [k for k, spec in enumerate(model.layers) if spec.trainable and k not in summarised
             and (selection.layers is None or spec.name in selection.layers)]
    places = None if len(shown) == sum(s.trainable for s in model.layers) else [
        (k, i, j) for k in shown for i, j in _places(rec, k)]
    return [{"delta_sign": r.delta_sign, "input_sign": r.input_sign, "dw_sign": r.dw_sign,
             "move": r.move, "situation": r.situation, "moved": r.moved, "actual": r.actual,
             "weight": [r.row, r.col], "layer": r.name}
            for r in sign_rows(rec, model, places)]


def _places(rec: Record, k: int) -> list[tuple[int, int | None]]:
    w = rec.params[k]["w"]
    cols = list(range(w.shape[1])) + ([None] if "b" in rec.params[k] else [])
    return [(i, j) for i in range(w.shape[0]) for j in cols]


def _loss_change(rec: Record, model: Model, *_: Any) -> dict[str, Any] | None:
    """The update's first-order predicted change of the batch loss (Σ δw·Δw for the real step,
    −α·Σ‖δw‖² for plain SGD) and the actual change measured on the same batch."""
    change = loss_change(rec, model)
    if change is None:
        return None
    return {"predicted": to_json(change[0]), "actual": to_json(change[1])}


def _state_json(state, k: int) -> dict[str, Any]:
    """The optimizer state of layer ``k``: {"step": t, name: {"weights": …, "bias": …}}."""
    out: dict[str, Any] = {"step": state.step}
    for name, arrays in state.buffers[k].items():
        out[name] = {("weights" if key == "w" else "bias"): _array(a)
                     for key, a in arrays.items()}
    return out


def finding_json(f) -> dict[str, Any]:
    """A diagnostic: kind, layer (name), neuron (0-based), sample (-1 when none), message."""
    return {"kind": f.kind, "layer": f.name, "neuron": f.neuron, "sample": f.sample,
            "value": to_json(f.value), "message": f.message}


def _finite(obj: Any) -> Any:
    """``obj`` with every non-finite float written as "nan", "inf" or "-inf"."""
    if isinstance(obj, float):
        return to_json(obj)
    if isinstance(obj, list):
        return [_finite(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    return obj


_FIELDS = {
    "epoch": lambda rec, *_: rec.epoch,
    "iteration": lambda rec, *_: rec.iteration,
    "samples": lambda rec, *_: list(rec.samples),
    "numbers": lambda rec, *_: rec.mode,
    "learning_rate": lambda rec, *_: to_json(rec.lr),
    "x": lambda rec, *_: _array(rec.x),
    "y": lambda rec, *_: _array(rec.y),
    "loss": lambda rec, *_: to_json(rec.loss),
    "losses": lambda rec, *_: _array(rec.losses),
    "loss_delta": lambda rec, *_: _array(rec.loss_delta),
    "layers": _layers,
    "signs": _signs,
    "loss_change": _loss_change,
    "diagnostics": lambda rec, model, _s, _m, history: [
        finding_json(f) for f in diagnose(rec, model, history)],
    "accuracy": lambda rec, model, *_: accuracy(model.loss, rec.outputs[-1], rec.y),
}

