"""Immutable records: everything known after one operation of the training loop.

One iteration = pick → forward L1 … Ln → loss → backward loss → backward Ln … L1 → update.
Record 0 is the state before training. Arrays in a record are read-only and shared with the
records around it when unchanged (a record costs its new arrays plus a few references).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

PICK, FORWARD, LOSS, BACKWARD_LOSS, BACKWARD, UPDATE, START = (
    "pick", "forward", "loss", "backward_loss", "backward", "update", "start")

Params = tuple[Mapping[str, np.ndarray], ...]  # per layer: {"w": [out, in], "b": [out]} or {}


@dataclass(frozen=True)
class Op:
    """One operation: its kind and, for forward/backward, the layer index (0-based)."""

    kind: str
    layer: int | None = None

    def label(self, layer_names: Sequence[str], layer_kinds: Sequence[str]) -> str:
        """"backward · L2 (linear)", "loss", "pick samples" …"""
        if self.layer is not None:
            return f"{self.kind} · {layer_names[self.layer]} ({layer_kinds[self.layer]})"
        return {START: "start · before training", PICK: "pick samples", LOSS: "loss",
                BACKWARD_LOSS: "backward · loss", UPDATE: "update weights"}[self.kind]


def ops_of_iteration(n_layers: int) -> tuple[Op, ...]:
    """The operations of one iteration, in order."""
    return (
        (Op(PICK),)
        + tuple(Op(FORWARD, k) for k in range(n_layers))
        + (Op(LOSS), Op(BACKWARD_LOSS))
        + tuple(Op(BACKWARD, k) for k in reversed(range(n_layers)))
        + (Op(UPDATE),)
    )


@dataclass(frozen=True, eq=False)
class Record:
    """The state after operation ``op``. ``None`` means "not computed yet at this operation".

    Shapes: ``x`` [batch, inputs], ``y`` [batch, outputs], ``outputs[k]`` o^k [batch, neurons],
    ``deltas[k]`` δ^k (at layer k's input) [batch, inputs of k], ``loss_delta`` δ^{n+1}
    [batch, outputs], ``losses`` [batch], ``grads[k]`` {"w": [out, in], "b": [out]}.
    ``params`` are the weights this iteration uses (w); ``new_params`` the updated ones (ŵ),
    present from the update operation on; likewise ``state`` is the optimizer's state the
    iteration starts from and ``new_state`` the one after the update (engine/optimizers.py).
    ``data_x`` / ``data_y`` hold the whole data set as the session sees it (edits of an input or
    a target change them).
    """

    index: int
    iteration: int
    epoch: int
    op: Op
    mode: str
    lr: Any
    params: Params
    data_x: np.ndarray
    data_y: np.ndarray
    samples: tuple[int, ...] = ()
    x: np.ndarray | None = None
    y: np.ndarray | None = None
    outputs: tuple[np.ndarray | None, ...] = ()
    losses: np.ndarray | None = None
    loss: Any = None
    loss_delta: np.ndarray | None = None
    deltas: tuple[np.ndarray | None, ...] = ()
    grads: tuple[Mapping[str, np.ndarray] | None, ...] = ()
    new_params: Params | None = None
    state: Any = None  # OptimizerState (engine/kinds/optimizer.py)
    new_state: Any = None
    branch: int = 0

    def with_(self, **changes: Any) -> Record:
        """A copy with ``changes`` (fields must exist). Faster than dataclasses.replace, which
        re-runs __init__: this is on the path of every operation."""
        unknown = changes.keys() - _FIELDS
        if unknown:
            raise TypeError(f"Record has no field {sorted(unknown)[0]!r}")
        return self.copy_with(changes)

    def copy_with(self, changes: dict[str, Any]) -> Record:
        """``with_`` for the engine's own hot paths, whose field names are known good."""
        new = object.__new__(Record)
        state = new.__dict__
        state.update(self.__dict__)
        state.update(changes)
        return new

    @property
    def finished(self) -> bool:
        """True once this iteration's weights are updated (or before training)."""
        return self.op.kind in (UPDATE, START)

    def weights_after(self) -> Params:
        """The weights the next iteration will use."""
        return self.new_params if self.new_params is not None else self.params

    def state_after(self) -> Any:
        """The optimizer state the next iteration will start from."""
        return self.new_state if self.new_state is not None else self.state

    def layer_input(self, k: int) -> np.ndarray | None:
        """X^k = o^{k-1}, the input of layer k (the batch x for the first layer); None when
        not computed yet."""
        if k == 0:
            return self.x
        return self.outputs[k - 1] if self.outputs else None

    def flow_into(self, k: int) -> np.ndarray | None:
        """δ^{k+1}, the learning flow arriving at layer k's output (the loss's δ for the last
        layer); None when not computed yet."""
        if k == len(self.params) - 1:
            return self.loss_delta
        return self.deltas[k + 1] if self.deltas else None


_FIELDS = frozenset(f.name for f in fields(Record))


def before(end: Record, index: int, op: Op) -> Record:
    """The record of operation ``op`` (at ``index``) of the iteration that ``end`` (its update
    record) finishes: ``end`` with what the later operations produced not computed yet.

    Every operation only adds to the record, so this is the very record stepping produced —
    the same arrays, not copies — as long as nothing was edited after ``index`` in that
    iteration (the timeline checks). A record of an iteration is thus recorded as its end.
    """
    if end.op.kind != UPDATE:
        raise ValueError("before() needs an iteration's update record")
    n = len(end.params)
    kind, k = op.kind, op.layer
    if kind == UPDATE:
        return end
    blank = (None,) * n
    if kind == PICK:
        done = dict(outputs=blank, losses=None, loss=None, loss_delta=None, deltas=blank,
                    grads=blank)
    elif kind == FORWARD:
        done = dict(outputs=end.outputs[:k + 1] + blank[k + 1:], losses=None, loss=None,
                    loss_delta=None, deltas=blank, grads=blank)
    elif kind == LOSS:
        done = dict(loss_delta=None, deltas=blank, grads=blank)
    elif kind == BACKWARD_LOSS:
        done = dict(deltas=blank, grads=blank)
    elif kind == BACKWARD:
        done = dict(deltas=blank[:k] + end.deltas[k:], grads=blank[:k] + end.grads[k:])
    else:
        raise ValueError(f"no operation {op} inside an iteration")
    return end.with_(index=index, op=op, new_params=None, new_state=None, **done)


@dataclass(frozen=True)
class Produced:
    """One array an operation produced, with its place: ``text`` names it for messages ("L2
    output", "δ at L2's input", "L2 δw", "L2 ŵ", "loss", "δ of the loss"); ``layer`` is the
    layer it belongs to (None for the loss); ``batched`` says its first axis is the batch
    position (outputs, δ, losses) rather than a neuron (δw, ŵ); ``key`` is "w" or "b" for
    weights and their gradients."""

    text: str
    array: np.ndarray | None
    layer: int | None
    batched: bool
    key: str | None = None


def produced(rec: Record, layer_names: Sequence[str]) -> list[Produced]:
    """The arrays operation ``rec.op`` produced, each with its place."""
    kind, k = rec.op.kind, rec.op.layer
    last = len(layer_names) - 1
    if kind == FORWARD:
        return [Produced(f"{layer_names[k]} output", rec.outputs[k], k, True)]
    if kind == LOSS:
        return [Produced("loss", rec.losses, None, True)]
    if kind == BACKWARD_LOSS:
        return [Produced("δ of the loss", rec.loss_delta, last, True)]
    if kind == BACKWARD:
        out = [Produced(f"δ at {layer_names[k]}'s input", rec.deltas[k], k, True)]
        grads = rec.grads[k] or {}
        return out + [Produced(f"{layer_names[k]} δ{key}", g, k, False, key)
                      for key, g in grads.items()]
    if kind == UPDATE:
        return [Produced(f"{layer_names[j]} {key}̂", a, j, False, key)
                for j, p in enumerate(rec.new_params) for key, a in p.items()]
    return []


def same(a: Record, b: Record) -> bool:
    """Bit-identical records (same values, same dtypes, same shapes), ignoring branch ids."""
    fields = ("index", "iteration", "epoch", "op", "mode", "samples", "loss")
    if any(_neq(getattr(a, f), getattr(b, f)) for f in fields) or a.lr != b.lr:
        return False
    arrays = ("data_x", "data_y", "x", "y", "losses", "loss_delta")
    if any(not _same_array(getattr(a, f), getattr(b, f)) for f in arrays):
        return False
    for f in ("outputs", "deltas"):
        if len(getattr(a, f)) != len(getattr(b, f)):
            return False
        if any(not _same_array(p, q) for p, q in zip(getattr(a, f), getattr(b, f))):
            return False
    return (_same_params(a.params, b.params) and _same_params(a.new_params, b.new_params)
            and _same_params(a.grads, b.grads) and _same_state(a.state, b.state)
            and _same_state(a.new_state, b.new_state))


def _same_state(p: Any, q: Any) -> bool:
    """Bit-identical optimizer states (step and every state array)."""
    if p is None or q is None:
        return p is q
    if p.step != q.step or len(p.buffers) != len(q.buffers):
        return False
    for u, v in zip(p.buffers, q.buffers):
        if set(u) != set(v) or not all(_same_params((u[n],), (v[n],)) for n in u):
            return False
    return True


def _neq(p: Any, q: Any) -> bool:
    if isinstance(p, float) and isinstance(q, float):
        return struct.pack("<d", p) != struct.pack("<d", q)  # bitwise: NaN equals NaN, 0 ≠ -0
    return p != q


def _same_array(p: np.ndarray | None, q: np.ndarray | None) -> bool:
    if p is None or q is None:
        return p is q
    if p.dtype != q.dtype or p.shape != q.shape:
        return False
    if p.dtype == object:
        return all(u == v for u, v in zip(p.flat, q.flat))
    return p.tobytes() == q.tobytes()


def _same_params(p: Sequence | None, q: Sequence | None) -> bool:
    if p is None or q is None:
        return p is q
    if len(p) != len(q):
        return False
    for u, v in zip(p, q):
        if (u is None) != (v is None):
            return False
        if u is None:
            continue
        if set(u) != set(v) or any(not _same_array(u[k], v[k]) for k in u):
            return False
    return True
