"""`nnstep check` and `nnstep run`: the engine without a UI. Imports no textual."""

from __future__ import annotations

import codecs
import gc
import io
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO, TextIO

from nnstep.engine import RunawayFractions, Session
from nnstep.engine.detectors import DEFAULTS, History
from nnstep.engine.errors import escape
from nnstep.engine.files import FileProblem
from nnstep.engine.model import MAX_FRACTION_BITS, Model
from nnstep.engine.records import Record
from nnstep.engine.scenario import Scenario

from .progress import ProgressLine, wanted

if TYPE_CHECKING:  # loaded where used: the debugger's start needs none of them
    from nnstep.engine.trace import Selection

EXIT_OK, EXIT_BAD_INPUT, EXIT_BREAK, EXIT_RUNAWAY = 0, 2, 3, 4
EXIT_INTERRUPTED = 130  # Ctrl-C, as a shell reports a process stopped by SIGINT
LOOK_BACK_SHOWN = DEFAULTS["unchanged"][0] + 1  # iteration ends the shown findings read back


def say(message: str, err: TextIO) -> None:
    """One line on ``err`` with its control characters escaped: a scenario's or a file's name,
    typed text and a library's words can hold an escape sequence, never sent to the terminal."""
    print(escape(message), file=err)


def check(scenario: Scenario, out: TextIO = sys.stdout) -> int:
    """The summary of a valid scenario; a saved branch's edits are made again first, as
    opening it makes them (ScenarioError when one does not apply)."""
    if scenario.branch.edits:
        Session(scenario)
    print(scenario.summary(), file=out)
    return EXIT_OK


def with_iterations(scenario: Scenario, iterations: int | None) -> Scenario:
    """The scenario with enough epochs to run ``iterations`` iterations."""
    if iterations is None or iterations <= scenario.iterations:
        return scenario
    epochs = -(-iterations // scenario.iterations_per_epoch)
    return replace(scenario, training=replace(scenario.training, epochs=epochs))


@dataclass(frozen=True)
class Opening:
    """Where the debugger opens: the scenario (with enough epochs to reach ``index``), the
    operation to go to (None: the start), the breakpoints, and whether to continue from there
    to the first one hit."""

    scenario: Scenario
    index: int | None
    breaks: tuple[str, ...]
    conditions: tuple
    continue_: bool


def opening(scenario: Scenario, goto: str | None, breaks: list[str], continue_: bool) -> Opening:
    """``nnstep FILE --goto POSITION --break CONDITION --continue``, checked: ValueError with a
    one-line message when a position or a condition is not valid. Without ``goto``, a saved
    branch opens where it was saved (its [branch] goto)."""
    from nnstep.engine.position import PositionError, parse_position

    conditions: tuple = ()
    if breaks:  # the condition parser loads only for conditions to read (not at every start)
        from nnstep.engine.conditions import ConditionError, parse_condition

        try:
            conditions = tuple(parse_condition(text, scenario.layers, scenario.numbers)
                               for text in breaks)
        except ConditionError as problem:
            raise ValueError(f"--break {problem}") from None
    index = None
    where = "--goto"
    if goto is None and scenario.branch.goto is not None:
        goto, where = scenario.branch.goto, f"{scenario.path}: branch.goto"  # a saved branch
    if goto is not None:
        try:
            position = parse_position(goto, [spec.name for spec in scenario.layers])
            scenario = with_iterations(scenario, position.iteration)
            index = position.index(Model.of(scenario).schedule)
        except PositionError as problem:
            raise ValueError(f"{where} {problem}") from None
    return Opening(scenario, index, tuple(breaks), conditions, continue_)


def run(scenario: Scenario, iterations: int | None, form: str, continue_in_float: bool,
        breaks: list[str] | None = None, out: TextIO = sys.stdout,
        err: TextIO = sys.stderr, max_fraction_bits: int = MAX_FRACTION_BITS,
        stop_nonfinite: bool = True, save_to: str | None = None,
        numbers_flag: str | None = None, selection: Selection | None = None) -> int:
    """Run ``iterations`` iterations (all of training when None), printing each one. Stops with
    EXIT_BREAK at the operation where a condition (or, unless ``stop_nonfinite`` is False, a NaN
    or inf) is hit; its message ends with the command that opens the debugger there
    (``numbers_flag``, "--exact" or "--float", is repeated in it). With ``save_to``, the weights
    after the last finished iteration are written there (exit 2 if that fails). ``selection``:
    what each JSON line carries."""
    scenario = with_iterations(scenario, iterations)
    session = Session(scenario, max_fraction_bits, rewinds=False)
    code = _run(session, scenario, iterations, form, continue_in_float, breaks, out, err,
                stop_nonfinite, numbers_flag, selection)
    if save_to is not None and code != EXIT_BAD_INPUT:
        return _save(session, save_to, err) or code
    return code


def _run(session: Session, scenario: Scenario, iterations: int | None, form: str,
         continue_in_float: bool, breaks: list[str] | None, out: TextIO, err: TextIO,
         stop_nonfinite: bool, numbers_flag: str | None, selection: Selection | None) -> int:
    from nnstep.engine.conditions import ConditionError, parse_condition

    try:
        always = ["nonfinite"] if stop_nonfinite else []
        conditions = [parse_condition(text, scenario.layers, scenario.numbers)
                      for text in always + list(breaks or ())]
    except ConditionError as problem:
        say(f"nnstep: --break {problem}", err)
        return EXIT_BAD_INPUT
    total = scenario.iterations if iterations is None else iterations
    stop = total * session.schedule.ops_per_iteration
    progress = ProgressLine(total, err) if wanted(form, out, err) else None
    try:
        return _scan(session, scenario, stop, form, continue_in_float, breaks, conditions, out,
                     err, numbers_flag, selection, progress)
    finally:
        if progress is not None:
            progress.close()


def _scan(session: Session, scenario: Scenario, stop: int, form: str, continue_in_float: bool,
          breaks: list[str] | None, conditions: list, out: TextIO, err: TextIO,
          numbers_flag: str | None, selection: Selection | None,
          progress: ProgressLine | None) -> int:
    from nnstep.engine.search import Hit, RecentEnds, look_back, scan

    while True:
        done = session.cursor  # the end of the last iteration printed
        # the iteration ends the conditions and the printed diagnostics look back at, held
        # (the JSON lines hold theirs: trace_chunk.Lines)
        history = RecentEnds(session, max(look_back(conditions),
                                          LOOK_BACK_SHOWN if form == "table" else 0))
        lines = _Written(session, selection, history, out) if form == "json" else None
        try:
            for item in scan(session, conditions, stop, history):
                if isinstance(item, Record):
                    if lines is not None:
                        done = lines.add(item) or done
                    else:
                        if form != "none":
                            emit(item, session, form, out, selection, history)
                        done = item.index
                    if progress is not None:
                        progress.tick(item.iteration)
                elif isinstance(item, Hit):
                    done = _flush(lines, done)
                    if progress is not None:
                        progress.close()  # the message starts on a clean line
                    session.goto(item.index)
                    command = open_command(session, list(breaks or ()), numbers_flag)
                    say(f"nnstep: {scenario.path}: stopped at operation {item.index} "
                          f"({item.condition}): {item.message} — open it: {command}", err)
                    return EXIT_BREAK
            done = _flush(lines, done)
            session.goto(stop)
            return EXIT_OK
        except KeyboardInterrupt:  # Ctrl-C: where the run got to, never a traceback
            done = _flush(lines, done)  # the ends computed are printed, as one by one
            if progress is not None:
                progress.close()
            session.goto(done)
            finished = done // session.schedule.ops_per_iteration
            say(f"nnstep: {scenario.path}: interrupted after iteration {finished:,} of "
                  f"{stop // session.schedule.ops_per_iteration:,}", err)
            return EXIT_INTERRUPTED
        except RunawayFractions as problem:
            done = _flush(lines, done)
            if progress is not None:
                progress.close()
            if not continue_in_float:
                session.goto(done)
                say(f"nnstep: {scenario.path}: {problem}", err)
                return EXIT_RUNAWAY
            say(f"nnstep: {scenario.path}: {problem} Continuing in float64.", err)
            session.goto(session.computed)
            session.continue_in_float()
        finally:
            if lines is not None:
                lines.close()


def _flush(lines: _Written | None, done: int) -> int:
    """Write the JSON lines held, if any: the end of the last iteration printed."""
    return done if lines is None else (lines.flush() or done)


class _Written:
    """The JSON lines of a run written to ``out`` a chunk of iteration ends at a time
    (engine/trace_chunk.py): ``add`` and ``flush`` return the index of the last end written
    (None when none was).

    Python's cycle collector is paused while a chunk's ends are held, as the timeline pauses
    it while it computes them (records hold no reference cycles): held, each end would be
    walked by the collector's passes a few times over, and moved from generation to
    generation, before it is written (~a sixth of a broccoli line). ``close`` resumes it."""

    def __init__(self, session: Session, selection: Selection | None, history: History,
                 out: TextIO) -> None:
        from nnstep.engine.trace import EVERYTHING
        from nnstep.engine.trace_chunk import Lines

        self.buffer = _utf8_buffer(out)
        self.lines = Lines(session.model, selection or EVERYTHING, history, end="\n",
                           binary=self.buffer is not None)
        self.out, self.paused = out, False

    def add(self, rec: Record) -> int | None:
        if not self.paused and gc.isenabled():
            gc.disable()
            self.paused = True
        return self._write(self.lines.add(rec))

    def flush(self) -> int | None:
        return self._write(self.lines.flush())

    def _write(self, ready: list[tuple[int, str]]) -> int | None:
        if not ready:
            return None
        if self.buffer is not None:  # the UTF-8 the lines are made in, as it is
            self.out.flush()
            self.buffer.write(b"".join([text for _, text in ready]))
        else:  # one write a chunk, unbuffered too
            self.out.write("".join([text for _, text in ready]))
        if not self.lines.pending:
            self.close()
        return ready[-1][0]

    def close(self) -> None:
        """Resume the cycle collector if it was paused here."""
        if self.paused:
            self.paused = False
            gc.enable()


def _utf8_buffer(out: TextIO) -> BinaryIO | None:
    """The buffered binary stream under ``out`` when it writes UTF-8 (a file or a pipe: the
    lines are then written in the bytes they are made in, not encoded again), else None."""
    buffer = getattr(out, "buffer", None)
    if not isinstance(buffer, io.BufferedIOBase):
        return None
    try:
        return buffer if codecs.lookup(out.encoding).name == "utf-8" else None
    except (LookupError, TypeError, AttributeError):
        return None


def open_command(session: Session, breaks: list[str], numbers_flag: str | None) -> str:
    """The command that opens the debugger at the cursor, with the same breakpoints."""
    import shlex

    from nnstep.engine.position import describe

    rec = session.record
    names = [spec.name for spec in session.model.layers]
    words = ["nnstep", session.scenario.path] + ([numbers_flag] if numbers_flag else [])
    for condition in breaks:
        words += ["--break", condition]
    words += ["--goto", describe(rec.iteration, rec.op, names)]
    return shlex.join(words)


def _save(session: Session, path: str, err: TextIO) -> int:
    """Write the weights after the last iteration finished on the cursor's branch."""
    from nnstep.engine.state_dict import save_weights

    opi = session.schedule.ops_per_iteration
    done = session.cursor // opi
    rec = session.at(done * opi)
    try:
        save_weights(path, rec.weights_after(), session.model.layers,
                     session.scenario.state_keys)
    except FileProblem as problem:
        say(f"nnstep: {problem}", err)
        return EXIT_BAD_INPUT
    note = " (exact fractions rounded to float64)" if rec.mode == "exact" else ""
    say(f"nnstep: wrote the weights after iteration {done} to {path}{note}", err)
    return EXIT_OK


def emit(rec, session: Session, form: str, out: TextIO, selection: Selection | None = None,
         history: History | None = None) -> None:
    """One finished iteration as JSON or table lines; ``history`` (default the session's
    ``end_of_iteration``) serves the look-back diagnostics."""
    history = history or session.end_of_iteration
    if form == "json":
        from nnstep.engine.trace import EVERYTHING, line

        out.write(line(rec, session.model, selection or EVERYTHING, history) + "\n")
    elif form == "table":
        from .table_format import table

        out.write(table(rec, session, history) + "\n")
