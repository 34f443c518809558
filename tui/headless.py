"""`nnstep check` and `nnstep run`: the engine without a UI. Imports no textual."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import TextIO

from nnstep.engine import RunawayFractions, Session
from nnstep.engine.conditions import ConditionError, parse_condition
from nnstep.engine.diagnostics import diagnose
from nnstep.engine.format import fmt
from nnstep.engine.scenario import Scenario
from nnstep.engine.search import Hit, forward_iter
from nnstep.engine.step import MAX_FRACTION_BITS
from nnstep.engine.trace import iteration_json

EXIT_OK, EXIT_BAD_INPUT, EXIT_BREAK, EXIT_RUNAWAY = 0, 2, 3, 4
TABLE_FRACTION_LEN = 40  # longer exact values print as ≈ decimals in the table (JSON keeps them)


def check(scenario: Scenario, out: TextIO = sys.stdout) -> int:
    print(scenario.summary(), file=out)
    return EXIT_OK


def with_iterations(scenario: Scenario, iterations: int | None) -> Scenario:
    """The scenario with enough epochs to run ``iterations`` iterations."""
    if iterations is None or iterations <= scenario.iterations:
        return scenario
    epochs = -(-iterations // scenario.iterations_per_epoch)
    return replace(scenario, training=replace(scenario.training, epochs=epochs))


def run(scenario: Scenario, iterations: int | None, form: str, continue_in_float: bool,
        breaks: list[str] | None = None, out: TextIO = sys.stdout,
        err: TextIO = sys.stderr, max_fraction_bits: int = MAX_FRACTION_BITS,
        stop_nonfinite: bool = True) -> int:
    """Run ``iterations`` iterations (all of training when None), printing each one. Stops with
    EXIT_BREAK at the operation where a condition (or, unless ``stop_nonfinite`` is False, a NaN
    or inf) is hit."""
    scenario = with_iterations(scenario, iterations)
    session = Session(scenario, max_fraction_bits)
    names = [spec.name for spec in scenario.layers]
    try:
        always = ["nonfinite"] if stop_nonfinite else []
        conditions = [parse_condition(text, names) for text in always + list(breaks or ())]
    except ConditionError as problem:
        print(f"nnstep: --break {problem}", file=err)
        return EXIT_BAD_INPUT
    total = scenario.iterations if iterations is None else iterations
    opi = session.schedule.ops_per_iteration
    t = 1
    while t <= total:
        try:
            *_, result = forward_iter(session, conditions, stop=t * opi)
        except RunawayFractions as problem:
            if not continue_in_float:
                print(f"nnstep: {scenario.path}: {problem}", file=err)
                return EXIT_RUNAWAY
            print(f"nnstep: {scenario.path}: {problem} Continuing in float64.", file=err)
            session.goto(session.computed)
            session.continue_in_float()
            continue
        if isinstance(result, Hit):
            session.goto(result.index)
            print(f"nnstep: {scenario.path}: stopped at operation {result.index} "
                  f"({result.condition}): {result.message}", file=err)
            return EXIT_BREAK
        emit(session.goto(t * opi), session, form, out)
        t += 1
    return EXIT_OK


def emit(rec, session: Session, form: str, out: TextIO) -> None:
    if form == "json":
        out.write(json.dumps(iteration_json(rec, session.model), ensure_ascii=False) + "\n")
    elif form == "table":
        out.write(table(rec, session) + "\n")


def table(rec, session: Session) -> str:
    """A few readable lines for one finished iteration."""
    model = session.model
    loss = fmt(rec.loss, max_len=TABLE_FRACTION_LEN)
    head = (f"iteration {rec.iteration} (epoch {rec.epoch}, "
            f"sample{'s' if len(rec.samples) > 1 else ''} "
            f"{', '.join(str(s + 1) for s in rec.samples)}): loss {loss}, "
            f"prediction {_vec(rec.outputs[-1])}, expected {_vec(rec.y)}, δ of the loss "
            f"{_vec(rec.loss_delta)}")
    lines = [head]
    for k, spec in enumerate(model.layers):
        if not spec.trainable:
            continue
        grads = rec.grads[k]
        lines.append(f"  {spec.name} w {_vec(rec.params[k]['w'])}  δw {_vec(grads['w'])}  "
                     f"ŵ {_vec(rec.new_params[k]['w'])}")
        if spec.bias:
            lines.append(f"  {spec.name} b {_vec(rec.params[k]['b'])}  δb {_vec(grads['b'])}  "
                         f"b̂ {_vec(rec.new_params[k]['b'])}")
    lines += [f"  ! {f.kind}: {f.message}" for f in diagnose(rec, model)]
    return "\n".join(lines)


def _vec(arr) -> str:
    rows = arr.tolist() if arr.ndim > 1 else [arr.tolist()]
    inner = ["(" + ", ".join(fmt(v, max_len=TABLE_FRACTION_LEN) for v in row) + ")"
             for row in rows]
    return inner[0] if len(inner) == 1 else "[" + ", ".join(inner) + "]"
