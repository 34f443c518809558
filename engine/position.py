"""Where to go: one syntax for an operation of training, shared by ``--goto`` and the debugger's
go-to dialog.

    N                   the end (weight update) of iteration N; 0 is the start of training
    N:pick              iteration N's first operation (its samples are picked)
    N:forward:LAYER     the forward pass of LAYER (a layer name of the scenario, e.g. L2)
    N:loss              the loss
    N:backward:loss     the δ of the loss
    N:backward:LAYER    the backward pass of LAYER
    N:update            the weight update (the same operation as N)

``describe`` writes an operation back in this syntax, so ``parse(describe(i)) == i``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import suggest
from .records import BACKWARD, BACKWARD_LOSS, FORWARD, LOSS, PICK, UPDATE, Op

SYNTAX = ("N (end of iteration N) or N:OP with OP one of pick, forward:LAYER, loss, "
          "backward:loss, backward:LAYER, update")
WORDS = ("pick", "forward", "loss", "backward", "update")
MAX_DIGITS = 12  # an iteration number longer than this is refused before any arithmetic


class PositionError(ValueError):
    """A position that is not in the syntax above; ``str()`` says what was expected."""


@dataclass(frozen=True)
class Position:
    """An iteration (from 1; 0 with ``op`` None is the start) and an operation inside it (None
    for its end, the update)."""

    iteration: int
    op: Op | None = None

    def index(self, schedule) -> int:
        """The operation's index in the history of ``schedule`` (a step.Schedule).
        PositionError when the iteration is past the end of training."""
        if self.iteration > schedule.iterations:
            raise PositionError(f"iteration {self.iteration} is past the end of training "
                                f"({schedule.iterations} iterations)")
        end = schedule.iteration_end(self.iteration)
        if self.op is None or self.op.kind == UPDATE:
            return end
        return end - schedule.ops_per_iteration + 1 + schedule.ops.index(self.op)


def parse_position(text: str, layer_names: Sequence[str]) -> Position:
    """``"4213:backward:L3"`` -> Position(4213, Op("backward", 2)). PositionError otherwise."""
    shown = _shown(text)
    parts = [part.strip() for part in str(text).split(":", 2)]
    if not parts[0]:
        raise PositionError(f"'{shown}' is not a position (expected {SYNTAX})")
    head = parts[0]
    if not head.isdigit() or not head.isascii() or len(head) > MAX_DIGITS:
        raise PositionError(f"'{shown}': expected an iteration number (at most {MAX_DIGITS} "
                            f"digits) before any ':', got '{_shown(head)}'")
    iteration = int(head)
    if len(parts) == 1:
        return Position(iteration)
    if iteration == 0:
        raise PositionError(f"'{shown}': iteration 0 is the start of training and has no "
                            "operations (use 0 alone, or an iteration from 1)")
    word = parts[1]
    if word not in WORDS:
        raise PositionError(f"'{shown}': unknown operation '{_shown(word)}'"
                            f"{suggest(word, WORDS)} (expected {SYNTAX})")
    if word in ("forward", "backward"):
        if len(parts) < 3 or not parts[2]:
            raise PositionError(f"'{shown}': {word} needs a layer, e.g. {iteration}:{word}:"
                                f"{layer_names[-1]} (layers: {', '.join(layer_names)}"
                                + (", loss" if word == "backward" else "") + ")")
        return Position(iteration, _layer_op(word, parts[2], layer_names, shown))
    if len(parts) == 3:
        raise PositionError(f"'{shown}': {word} takes no layer (expected {iteration}:{word})")
    return Position(iteration, Op({"pick": PICK, "loss": LOSS, "update": UPDATE}[word]))


def _layer_op(word: str, name: str, layer_names: Sequence[str], shown: str) -> Op:
    if word == "backward" and name == "loss":
        return Op(BACKWARD_LOSS)
    folded = [n for n in layer_names if n.casefold() == name.casefold()]
    if name not in layer_names and len(folded) == 1:
        name = folded[0]  # l2 for L2
    if name not in layer_names:
        choices = list(layer_names) + (["loss"] if word == "backward" else [])
        raise PositionError(f"'{shown}': no layer '{_shown(name)}'{suggest(name, choices)} "
                            f"(layers: {', '.join(choices)})")
    return Op(FORWARD if word == "forward" else BACKWARD, list(layer_names).index(name))


def describe(iteration: int, op: Op, layer_names: Sequence[str]) -> str:
    """The position of an operation in the syntax above: "12", "12:backward:L3", "0"."""
    if op.kind in (UPDATE, "start"):
        return str(iteration)
    if op.kind in (FORWARD, BACKWARD):
        return f"{iteration}:{op.kind}:{layer_names[op.layer]}"
    word = {PICK: "pick", LOSS: "loss", BACKWARD_LOSS: "backward:loss"}[op.kind]
    return f"{iteration}:{word}"


def _shown(text: object) -> str:
    """At most 40 characters of what was typed, control characters escaped."""
    text = str(text)
    short = text[:40] + ("…" if len(text) > 40 else "")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)
