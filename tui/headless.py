"""`nnstep check` and `nnstep run`: the engine without a UI. Imports no textual."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import TextIO

from nnstep.engine import RunawayFractions, Session
from nnstep.engine.format import fmt
from nnstep.engine.numbers import FLOAT
from nnstep.engine.scenario import Scenario
from nnstep.engine.signs import findings
from nnstep.engine.trace import iteration_json

EXIT_OK, EXIT_BAD_INPUT, EXIT_BREAK, EXIT_RUNAWAY = 0, 2, 3, 4


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
        out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run ``iterations`` iterations (all of training when None), printing each one."""
    scenario = with_iterations(scenario, iterations)
    session = Session(scenario)
    total = scenario.iterations if iterations is None else iterations
    opi = session.schedule.ops_per_iteration
    for t in range(1, total + 1):
        try:
            rec = session.goto(t * opi)
        except RunawayFractions as problem:
            if not continue_in_float:
                print(f"nnstep: {scenario.path}: {problem}", file=err)
                return EXIT_RUNAWAY
            print(f"nnstep: {scenario.path}: {problem} Continuing in float64.", file=err)
            session.edit(_float_edit())
            rec = session.goto(t * opi)
        emit(rec, session, form, out)
    return EXIT_OK


def _float_edit():
    from nnstep.engine.edits import Edit

    return Edit("mode", FLOAT)


def emit(rec, session: Session, form: str, out: TextIO) -> None:
    if form == "json":
        out.write(json.dumps(iteration_json(rec, session.model), ensure_ascii=False) + "\n")
    elif form == "table":
        out.write(table(rec, session) + "\n")


def table(rec, session: Session) -> str:
    """A few readable lines for one finished iteration."""
    model = session.model
    lines = [f"iteration {rec.iteration} (epoch {rec.epoch}, samples "
             f"{', '.join(str(s + 1) for s in rec.samples)}): loss {fmt(rec.loss)}, "
             f"prediction {_vec(rec.outputs[-1])}, expected {_vec(rec.y)}, δ of the loss "
             f"{_vec(rec.loss_delta)}"]
    for k, spec in enumerate(model.layers):
        if not spec.trainable:
            continue
        grads = rec.grads[k]
        lines.append(f"  {spec.name} w {_vec(rec.params[k]['w'])}  δw {_vec(grads['w'])}  "
                     f"ŵ {_vec(rec.new_params[k]['w'])}")
        if spec.bias:
            lines.append(f"  {spec.name} b {_vec(rec.params[k]['b'])}  δb {_vec(grads['b'])}  "
                         f"b̂ {_vec(rec.new_params[k]['b'])}")
    lines += [f"  ! {f.message}" for f in findings(rec, model)]
    return "\n".join(lines)


def _vec(arr) -> str:
    rows = arr.tolist()
    inner = ["(" + ", ".join(fmt(v) for v in row) + ")" for row in rows]
    return inner[0] if len(inner) == 1 else "[" + ", ".join(inner) + "]"
