"""`nnstep explain FILE --iteration N --weight NAME | --neuron NAME`: the arithmetic behind a
weight's update or a neuron's values at the end of an iteration, printed (for a course's notes).
Imports no textual."""

from __future__ import annotations

import sys
from typing import TextIO

from nnstep.engine import RunawayFractions, Session
from nnstep.engine.explain import Explainer
from nnstep.engine.format import STYLES
from nnstep.engine.names import BadName, parse_name
from nnstep.engine.scenario import Scenario

from .headless import EXIT_BAD_INPUT, EXIT_OK, EXIT_RUNAWAY, with_iterations


def explain(scenario: Scenario, iteration: int, weight: str | None, neuron: str | None,
            style: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the explanation of ``weight`` (a weight or a bias) or ``neuron`` at the end of
    ``iteration``; EXIT_BAD_INPUT with one line on stderr when a name does not fit."""
    option, text = ("--weight", weight) if weight is not None else ("--neuron", neuron)
    try:
        target = parse_name(text, scenario.layers, scenario.features)
    except BadName as problem:
        print(f"nnstep: {scenario.path}: {option} {problem}", file=err)
        return EXIT_BAD_INPUT
    names = [spec.name for spec in scenario.layers]
    if (target.key == "o") != (option == "--neuron"):
        other = "--neuron" if target.key == "o" else "--weight"
        what = "a neuron" if target.key == "o" else "a weight"
        print(f"nnstep: {scenario.path}: {option} '{target.label(names)}' is {what}: use "
              f"{other}", file=err)
        return EXIT_BAD_INPUT
    session = Session(with_iterations(scenario, iteration))
    try:
        rec = session.goto_iteration(iteration)
    except RunawayFractions as problem:
        print(f"nnstep: {scenario.path}: {problem}", file=err)
        return EXIT_RUNAWAY
    style = style or ("fraction" if rec.mode == "exact" else "decimal")
    samples = ", ".join(str(s + 1) for s in rec.samples)
    print(f"{target.label(names)} at the end of iteration {iteration} (epoch {rec.epoch}, "
          f"sample{'s' if len(rec.samples) > 1 else ''} {samples}), {rec.mode}:", file=out)
    lines = Explainer(rec, session.model, style, scenario.features).explain(target)
    print("\n".join(lines), file=out)
    return EXIT_OK


__all__ = ["STYLES", "explain"]
