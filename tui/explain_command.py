"""`nnstep explain FILE --iteration N --weight NAME | --neuron NAME`: the arithmetic behind a
weight's update or a neuron's values at the end of an iteration, printed (for a course's notes).
Imports no textual."""

from __future__ import annotations

import sys
from typing import TextIO

from nnstep.engine import RunawayFractions, Session
from nnstep.engine.explain import Explainer
from nnstep.engine.format import STYLES
from nnstep.engine.names import BadName, parse_name, shown_features
from nnstep.engine.scenario import Scenario

from .headless import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUNAWAY,
    say,
    with_iterations,
)
from .progress import ProgressLine, wanted

STRIDE = 1000  # iterations computed between two looks at the progress line


def explain(scenario: Scenario, iteration: int, weight: str | None, neuron: str | None,
            style: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Print the explanation of ``weight`` (a weight or a bias) or ``neuron`` at the end of
    ``iteration``; EXIT_BAD_INPUT with one line on stderr when a name does not fit."""
    option, text = ("--weight", weight) if weight is not None else ("--neuron", neuron)
    try:
        target = parse_name(text, scenario.layers,
                            shown_features(scenario.features, scenario.layers[0].size))
    except BadName as problem:
        say(f"nnstep: {scenario.path}: {option} {problem}", err)
        return EXIT_BAD_INPUT
    names = [spec.name for spec in scenario.layers]
    if (target.key == "o") != (option == "--neuron"):
        other = "--neuron" if target.key == "o" else "--weight"
        what = "a neuron" if target.key == "o" else "a weight"
        say(f"nnstep: {scenario.path}: {option} '{target.label(names)}' is {what}: use "
              f"{other}", err)
        return EXIT_BAD_INPUT
    session = Session(with_iterations(scenario, iteration))
    progress = ProgressLine(iteration, err) if wanted("none", out, err) else None
    try:
        rec = _reach(session, iteration, progress)
    except RunawayFractions as problem:
        say(f"nnstep: {scenario.path}: {problem}", err)
        return EXIT_RUNAWAY
    except KeyboardInterrupt:  # Ctrl-C while computing the iterations before: never a traceback
        done = session.cursor // session.schedule.ops_per_iteration
        say(f"nnstep: {scenario.path}: interrupted after iteration {done:,} of {iteration:,} "
              "(nothing explained)", err)
        return EXIT_INTERRUPTED
    finally:
        if progress is not None:
            progress.close()
    style = style or ("fraction" if rec.mode == "exact" else "decimal")
    samples = ", ".join(str(s + 1) for s in rec.samples)
    print(f"{target.label(names)} at the end of iteration {iteration} (epoch {rec.epoch}, "
          f"sample{'s' if len(rec.samples) > 1 else ''} {samples}), {rec.mode}:", file=out)
    lines = Explainer(rec, session.model, style, scenario.features).explain(target)
    print("\n".join(lines), file=out)
    return EXIT_OK


def _reach(session: Session, iteration: int, progress: ProgressLine | None):
    """The record at the end of ``iteration``, computed STRIDE iterations at a time so that a
    long way there shows its progress (the records are the same: the step function is pure)."""
    if progress is not None:
        for done in range(STRIDE, iteration, STRIDE):
            session.goto_iteration(done)
            progress.tick(done)
    return session.goto_iteration(iteration)


__all__ = ["STYLES", "explain"]
