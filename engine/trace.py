"""Records -> JSON-ready dicts (one per finished iteration) for the headless trace."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from .detectors import History
from .diagnostics import diagnose, loss_change
from .format import nested_json, to_json
from .kinds.loss import accuracy
from .records import Record
from .signs import sign_rows
from .step import Model


def iteration_json(rec: Record, model: Model, history: History | None = None) -> dict[str, Any]:
    """Everything of the iteration that ``rec`` (its update record) finished; ``history`` (the
    session's ``end_of_iteration``) lets look-back diagnostics report.

    Shapes: ``x`` [batch][inputs], ``y`` / ``loss_delta`` [batch][outputs]; per layer ``output``
    [batch][neurons], ``delta`` (δ^k at the layer's input) [batch][inputs]; weights [out][in].
    With an [optimizer] table, each linear layer also has ``optimizer_state`` after the update
    (``step`` and each state array as ``{"weights": …, "bias": …}``); with a loss that
    classifies, ``accuracy`` is the share of right predictions in the batch.
    """
    layers = []
    state = rec.state_after()
    for k, spec in enumerate(model.layers):
        entry: dict[str, Any] = {
            "name": spec.name, "kind": spec.kind, "output": nested_json(rec.outputs[k]),
            "delta": nested_json(rec.deltas[k]),
        }
        if spec.trainable:
            grads, after = rec.grads[k] or {}, (rec.new_params or rec.params)[k]
            entry.update(weights=nested_json(rec.params[k]["w"]),
                         grad_weights=nested_json(grads.get("w")),
                         weights_after=nested_json(after["w"]))
            if spec.bias:
                entry.update(bias=nested_json(rec.params[k]["b"]),
                             grad_bias=nested_json(grads.get("b")),
                             bias_after=nested_json(after["b"]))
            if model.optimizer.given:
                entry["optimizer_state"] = _state_json(state, k)
        layers.append(entry)
    out = {
        "epoch": rec.epoch,
        "iteration": rec.iteration,
        "samples": list(rec.samples),
        "numbers": rec.mode,
        "learning_rate": to_json(rec.lr),
        "x": nested_json(rec.x),
        "y": nested_json(rec.y),
        "loss": to_json(rec.loss),
        "losses": nested_json(rec.losses),
        "loss_delta": nested_json(rec.loss_delta),
        "layers": layers,
        "signs": [_row_json(asdict(row)) for row in sign_rows(rec, model)],
        "loss_change": _loss_change(rec, model),
        "diagnostics": [finding_json(f) for f in diagnose(rec, model, history)],
    }
    if model.loss.classifies:
        out["accuracy"] = accuracy(model.loss, rec.outputs[-1], rec.y)
    return out


def _state_json(state, k: int) -> dict[str, Any]:
    """The optimizer state of layer ``k``: {"step": t, name: {"weights": …, "bias": …}}."""
    out: dict[str, Any] = {"step": state.step}
    for name, arrays in state.buffers[k].items():
        out[name] = {("weights" if key == "w" else "bias"): nested_json(a)
                     for key, a in arrays.items()}
    return out


def finding_json(f) -> dict[str, Any]:
    """A diagnostic: kind, layer (name), neuron (0-based), sample (-1 when none), message."""
    return {"kind": f.kind, "layer": f.name, "neuron": f.neuron, "sample": f.sample,
            "value": to_json(f.value), "message": f.message}


def _loss_change(rec: Record, model: Model) -> dict[str, Any] | None:
    """The update's first-order predicted change of the batch loss (Σ δw·Δw for the real step,
    −α·Σ‖δw‖² for plain SGD) and the actual change measured on the same batch."""
    change = loss_change(rec, model)
    if change is None:
        return None
    return {"predicted": to_json(change[0]), "actual": to_json(change[1])}


def _row_json(row: dict[str, Any]) -> dict[str, Any]:
    row["weight"] = [row.pop("row"), row.pop("col")]
    row.pop("layer")
    row["layer"] = row.pop("name")
    return row
