"""Records -> JSON lines (one per finished iteration) for the headless trace.

A line carries every field (``TOP_FIELDS``), or those a ``Selection`` names (``--fields``). A
layer holding an array of more than SUMMARY_LIMIT values is summarised — the statistics of the
big-layer panels (summary.py) in place of its arrays, and no sign rows — unless the trace is
``full`` or the field is named. Exact numbers are strings ("-3/11600"), floats JSON numbers,
non-finite floats "nan", "inf", "-inf": strict JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from . import json_text as text
from .detectors import History
from .diagnostics import diagnose, loss_change
from .errors import one_line, shown
from .format import nested_json, to_json
from .kinds.loss import accuracy
from .model import Model
from .records import Record
from .signs import sign_rows
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
    return one_line(f"--fields: no field '{shown(item)}'; valid: {', '.join(TOP_FIELDS)}, "
                    f"layers.NAME, layers.NAME.FIELD (NAME: {', '.join(layer_names)}; FIELD: "
                    f"{', '.join(LAYER_FIELDS)})")


def line(rec: Record, model: Model, selection: Selection = EVERYTHING,
         history: History | None = None) -> str:
    """One line of JSON for the iteration ``rec`` (its update record) finished: the fields of
    ``iteration_json`` written as text (json_text.py), ", " and ": " between items as
    ``json.dumps`` writes them; non-finite floats as strings."""
    return "{" + ", ".join(f'"{field}": {text}' for field, text in
                           fields(rec, model, selection, history)) + "}"


def fields(rec: Record, model: Model, selection: Selection = EVERYTHING,
           history: History | None = None) -> Iterator[tuple[str, str]]:
    """Each field of ``rec``'s line with its JSON text, in the line's order (each computed
    when asked for)."""
    summarised = _summarised(rec, model, selection)
    for field in selection.fields:
        if field == "accuracy" and not model.loss.classifies:
            continue  # only a classifier has one
        yield field, _FIELDS[field](rec, model, selection, summarised, history)


def iteration_json(rec: Record, model: Model, selection: Selection = EVERYTHING,
                   history: History | None = None) -> dict[str, Any]:
    """The fields of the iteration that ``rec`` (its update record) finished, as ``line``
    writes them (float arrays as lists of floats, a non-finite float as a string). ``history``
    (the record ending an iteration: ``Session.end_of_iteration``) lets look-back diagnostics
    report.

    Shapes: ``x`` [batch][inputs], ``y`` / ``loss_delta`` [batch][outputs]; per layer ``output``
    [batch][neurons], ``delta`` (δ^k at the layer's input) [batch][inputs]; weights [out][in].
    """
    return json.loads(line(rec, model, selection, history))


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


def _layers(rec: Record, model: Model, selection: Selection, summarised: set[int],
            history: Any = None, array_text: ArrayText | None = None) -> str:
    """The layers' entries; ``array_text(k, field, array)`` writes an array of layer ``k``
    (default ``text.array``; a chunk of lines passes the texts it wrote for all its records at
    once)."""
    entries = []
    stats, state = None, rec.state_after()
    for k, spec in enumerate(model.layers):
        named = None if selection.layers is None else selection.layers.get(spec.name, ())
        if named == ():
            continue  # not selected
        if k in summarised:
            stats = stats or layer_stats(rec, model)
            # its fields in order (asdict would deep-copy each number first)
            summary = {key: v if isinstance(v, int) else to_json(v)
                       for key, v in vars(stats[k]).items() if key not in ("name", "kind")}
            entries.append(text.value({"name": spec.name, "kind": spec.kind,
                                       "summary": summary}))
            continue
        entry: dict[str, Any] = {"name": spec.name, "kind": spec.kind,
                                 **layer_arrays(rec, k, spec)}
        if spec.trainable and model.optimizer.given:
            entry["optimizer_state"] = state
        if named is not None:
            entry = {"name": entry["name"], **{f: entry[f] for f in named if f in entry}}
        for field, v in entry.items():  # the fields printed, written in order
            if field in ("name", "kind"):
                entry[field] = text.string(v)
            elif field == "optimizer_state":
                entry[field] = text.value(_state_json(v, k))
            else:
                entry[field] = text.array(v) if array_text is None else array_text(k, field, v)
        entries.append(text.obj(entry))
    return "[" + ", ".join(entries) + "]"


ArrayText = Callable[[int, str, Any], str]  # (layer, field, array) -> its JSON text


def layer_arrays(rec: Record, k: int, spec) -> dict[str, Any]:
    """The arrays of layer ``k``'s entry by field (None where not computed), in its order."""
    arrays = {"output": rec.outputs[k], "delta": rec.deltas[k]}
    if spec.trainable:
        grads, after = rec.grads[k] or {}, (rec.new_params or rec.params)[k]
        arrays.update(weights=rec.params[k]["w"], grad_weights=grads.get("w"),
                      weights_after=after["w"])
        if spec.bias:
            arrays.update(bias=rec.params[k]["b"], grad_bias=grads.get("b"),
                          bias_after=after["b"])
    return arrays


def _signs(rec: Record, model: Model, selection: Selection, summarised: set[int],
           *_: Any) -> str:
    """The sign-analysis rows of the layers printed whole (the order of today's keys)."""
    shown = [k for k in model.trainable if k not in summarised
             and (selection.layers is None or model.layers[k].name in selection.layers)]
    places = None if len(shown) == len(model.trainable) else [
        (k, i, j) for k in shown for i, j in _places(rec, k)]
    return "[" + ", ".join(sign_rows(rec, model, places, _sign_row)) + "]"


def _sign_row(layer: int, name: str, row: int, col: int | None, delta_sign: str,
              input_sign: str, dw_sign: str, move: str, situation: str, moved: bool | None,
              actual: str | None) -> str:
    """One sign row's JSON text, from a SignRow's fields (the sign and move words need no
    escaping)."""
    done = "null" if actual is None else f'"{actual}"'
    return (f'{{"delta_sign": "{delta_sign}", "input_sign": "{input_sign}", "dw_sign": '
            f'"{dw_sign}", "move": "{move}", "situation": {text.string(situation)}, "moved": '
            f'{_LITERAL[moved]}, "actual": {done}, "weight": [{row}, '
            f'{"null" if col is None else col}], "layer": {text.string(name)}}}')


_LITERAL = {None: "null", True: "true", False: "false"}


def _places(rec: Record, k: int) -> list[tuple[int, int | None]]:
    w = rec.params[k]["w"]
    cols = list(range(w.shape[1])) + ([None] if "b" in rec.params[k] else [])
    return [(i, j) for i in range(w.shape[0]) for j in cols]


def _loss_change(rec: Record, model: Model, *_: Any) -> str:
    """The update's first-order predicted change of the batch loss (Σ δw·Δw for the real step,
    −α·Σ‖δw‖² for plain SGD) and the actual change measured on the same batch."""
    return loss_change_json(loss_change(rec, model))


def loss_change_json(change: tuple[Any, Any] | None) -> str:
    """A (predicted, actual) loss change as the trace writes it (None: "null")."""
    if change is None:
        return "null"
    return f'{{"predicted": {text.number(change[0])}, "actual": {text.number(change[1])}}}'


def _state_json(state, k: int) -> dict[str, Any]:
    """The optimizer state of layer ``k``: {"step": t, name: {"weights": …, "bias": …}}."""
    out: dict[str, Any] = {"step": state.step}
    for name, arrays in state.buffers[k].items():
        out[name] = {("weights" if key == "w" else "bias"): nested_json(a)
                     for key, a in arrays.items()}
    return out


def finding_json(f) -> str:
    """A diagnostic: kind, layer (name), neuron (0-based), sample (-1 when none), message."""
    return (f'{{"kind": {text.string(f.kind)}, "layer": {text.string(f.name)}, "neuron": '
            f'{f.neuron}, "sample": {f.sample}, "value": {text.number(f.value)}, "message": '
            f'{text.string(f.message)}}}')


def _diagnostics(rec: Record, model: Model, _s: Any, _m: Any, history: History | None) -> str:
    return "[" + ", ".join(finding_json(f) for f in diagnose(rec, model, history)) + "]"


_FIELDS = {
    "epoch": lambda rec, *_: repr(rec.epoch),
    "iteration": lambda rec, *_: repr(rec.iteration),
    "samples": lambda rec, *_: repr(list(rec.samples)),
    "numbers": lambda rec, *_: text.string(rec.mode),
    "learning_rate": lambda rec, *_: text.number(rec.lr),
    "x": lambda rec, *_: text.array(rec.x),
    "y": lambda rec, *_: text.array(rec.y),
    "loss": lambda rec, *_: text.number(rec.loss),
    "losses": lambda rec, *_: text.array(rec.losses),
    "loss_delta": lambda rec, *_: text.array(rec.loss_delta),
    "layers": _layers,
    "signs": _signs,
    "loss_change": _loss_change,
    "diagnostics": _diagnostics,
    "accuracy": lambda rec, model, *_: text.value(accuracy(model.loss, rec.outputs[-1], rec.y)),
}
