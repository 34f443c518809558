"""The `nnstep` command: `nnstep FILE` opens the debugger; `check` and `run` work headless."""

from __future__ import annotations

import argparse
import gc
import re
import sys

from nnstep.engine import ScenarioError, load_scenario
from nnstep.engine.errors import MAX_MESSAGE, cut, escape, shown
from nnstep.engine.files import FileProblem, writable_target
from nnstep.engine.format import STYLES
from nnstep.engine.limits import MAX_FRACTION_BITS_LIMIT, MAX_RUN_ITERATIONS
from nnstep.engine.model import MAX_FRACTION_BITS
from nnstep.engine.numbers import EXACT, FLOAT
from nnstep.engine.tensor_files import suffix_of

from . import headless
from .headless import say

COMMANDS = ("open", "check", "run", "explain")
USAGE = """nnstep FILE                 open the step-through debugger on a scenario
nnstep check FILE           validate a scenario (exit 0 and a summary, or 2 and what is wrong)
nnstep run FILE [options]   train without a UI, printing each iteration
nnstep explain FILE --iteration N (--weight NAME | --neuron NAME)
                            the arithmetic behind a weight's update or a neuron's values"""


class _Parser(argparse.ArgumentParser):
    """argparse, its messages escaped: an unrecognised argument is quoted as typed, and typed
    text may hold a terminal's escape sequence."""

    def error(self, message: str):
        super().error(escape(cut(message, MAX_MESSAGE)))


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnstep", usage=USAGE,
                description="A step-through debugger for neural-network training.")
    sub = p.add_subparsers(dest="command", metavar="")
    ui = sub.add_parser("open", prog="nnstep", help="open the debugger (the default)")
    check = sub.add_parser("check", prog="nnstep check", help="validate a scenario")
    run = sub.add_parser("run", prog="nnstep run", help="train without a UI")
    explain = sub.add_parser(
        "explain", prog="nnstep explain", help="the arithmetic behind a number",
        usage="nnstep explain FILE --iteration N (--weight NAME | --neuron NAME) "
              "[--exact | --float] [--style STYLE]")
    for cmd in (ui, check, run, explain):
        cmd.add_argument("file", help="a scenario .toml file")
    for cmd in (ui, run, explain):
        group = cmd.add_mutually_exclusive_group()
        group.add_argument("--exact", dest="numbers", action="store_const", const=EXACT,
                           help="exact fractions, whatever the scenario says")
        group.add_argument("--float", dest="numbers", action="store_const", const=FLOAT,
                           help="float64, whatever the scenario says")
    ui.add_argument("--fresh", action="store_true",
                    help="start clean: do not restore the session saved when this scenario was "
                         "last closed (it is replaced when this one is saved)")
    run.add_argument("--iterations", type=_positive, default=None, metavar="N",
                     help="iterations to run (default: the whole training; more epochs if needed)")
    run.add_argument("--format", choices=("json", "table", "none"), default="table",
                     help="json: one object per iteration and line; table: readable lines")
    run.add_argument("--fields", metavar="LIST",
                     help="JSON: only these fields on each line, comma-separated, e.g. "
                          "loss,layers.L2.grad_weights (an unknown one lists the valid ones)")
    run.add_argument("--full", action="store_true",
                     help="JSON: print large layers whole (by default a layer with an array of "
                          "more than 256 values is summarised)")
    run.add_argument("--break", dest="breaks", action="append", default=[], metavar="CONDITION",
                     help="stop (exit 3) where CONDITION is hit, e.g. nonfinite, blocked, "
                          "rounding, 'loss < 0.01', 'loss rises', 'sign w²[1,2]', "
                          "'w²[1,2] crosses 0', 'stuck 5', vanishing, exploding, 'dying 50%%', "
                          "update_ratio, 'unchanged 3' (repeatable; see README)")
    run.add_argument("--keep-going", action="store_true",
                     help="do not stop at NaN or inf (they print as \"nan\", \"inf\", \"-inf\")")
    run.add_argument("--max-fraction-bits", type=_fraction_bits, default=MAX_FRACTION_BITS,
                     metavar="BITS", help="size limit of exact fractions (default "
                     f"{MAX_FRACTION_BITS}; past it the run stops or goes on in float64)")
    run.add_argument("--continue-in-float", action="store_true",
                     help="when exact fractions grow too large, go on in float64 instead of "
                          "stopping")
    run.add_argument("--save-weights", metavar="OUT", default=None,
                     help="write the weights after the last iteration run to OUT (.safetensors "
                          "or .npz), with PyTorch nn.Sequential names (0.weight, 0.bias, …)")
    run.add_argument("--overwrite", action="store_true",
                     help="let --save-weights replace an existing file")
    ui.add_argument("--goto", metavar="POSITION", default=None,
                    help="open at the end of iteration N, or at an operation inside it: N, "
                         "N:pick, N:forward:LAYER, N:loss, N:backward:loss, N:backward:LAYER, "
                         "N:update (e.g. 12:backward:L3)")
    ui.add_argument("--break", dest="breaks", action="append", default=[], metavar="CONDITION",
                    help="a breakpoint (repeatable; the same conditions as nnstep run --break)")
    ui.add_argument("--continue", dest="cont", action="store_true",
                    help="then continue to the first breakpoint hit (a NaN or inf always stops)")
    explain.add_argument("--iteration", type=_positive, required=True, metavar="N",
                         help="explain the values at the end (weight update) of iteration N")
    what = explain.add_mutually_exclusive_group(required=True)
    what.add_argument("--weight", metavar="NAME",
                      help="a weight or a bias: w²[1,2] (or w2[1,2]), b²[1], L2[0,1]")
    what.add_argument("--neuron", metavar="NAME", help="a neuron: L3 n1, or a feature name")
    explain.add_argument("--style", choices=STYLES, default=None,
                         help="number format (default: fraction for exact, decimal for float)")
    return p


def _positive(text: str, limit: int = MAX_RUN_ITERATIONS) -> int:
    if len(text) > 20 or not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{shown(text)}'")
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    if value > limit:
        raise argparse.ArgumentTypeError(f"{value:,} is over the limit of {limit:,}")
    return value


def _fraction_bits(text: str) -> int:
    return _positive(text, MAX_FRACTION_BITS_LIMIT)


def main(argv: list[str] | None = None) -> int:
    # Python's cycle collector walks every object each time enough new ones are made: while
    # the debugger starts, tens of thousands of objects that live as long as it does (modules,
    # classes, styles, widgets), for ~20 % of the start-up. Off until the first screen is
    # painted (NnstepApp._settled); the other commands turn it back on at once. (The `nnstep`
    # command turns it off before importing this module: tui/start.py.)
    gc.disable()
    try:
        return _main(argv)
    except BrokenPipeError:  # `nnstep run … | head`: the reader has gone, nothing is wrong
        sys.stderr.close()
        return headless.EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C while a scenario or its data is read: never a traceback
        say("nnstep: interrupted", sys.stderr)
        return headless.EXIT_INTERRUPTED
    finally:
        gc.enable()


def trace_selection(scenario, args: argparse.Namespace):
    """What each JSON line carries (--fields, --full); FieldError when a field is unknown or
    the format is not json."""
    from nnstep.engine.trace import FieldError, select

    if (args.fields is not None or args.full) and args.format != "json":
        raise FieldError("--fields and --full shape the JSON trace: add --format json")
    return select(args.fields, [spec.name for spec in scenario.layers], args.full)


def with_command(argv: list[str]) -> list[str]:
    """``argv`` with ``open`` in front when it names no command: ``nnstep FILE`` and
    ``nnstep --fresh FILE`` open the debugger as ``nnstep open …`` does."""
    if not argv or argv[0] in COMMANDS or argv[0] in ("-h", "--help"):
        return argv
    if argv[0].startswith("-") and any(a in COMMANDS for a in argv):
        return argv  # options before a command: argparse says what is wrong
    return ["open", *argv]


def _main(argv: list[str] | None) -> int:
    argv = with_command(list(sys.argv[1:] if argv is None else argv))
    args = parser().parse_args(argv)
    if args.command != "open":
        gc.enable()
    if args.command is None:
        parser().print_help()
        return headless.EXIT_BAD_INPUT
    try:
        scenario = load_scenario(args.file, getattr(args, "numbers", None))
    except ScenarioError as err:
        say(f"nnstep: {err}", sys.stderr)
        return headless.EXIT_BAD_INPUT
    try:
        return _command(args, scenario)
    except ScenarioError as err:  # a saved branch's edit that does not apply when made again
        say(f"nnstep: {err}", sys.stderr)
        return headless.EXIT_BAD_INPUT


def _command(args: argparse.Namespace, scenario) -> int:
    """The command ``args`` asks for, on ``scenario``: its exit code."""
    if args.command == "check":
        return headless.check(scenario)
    if args.command == "explain":
        from .explain_command import explain

        return explain(scenario, args.iteration, args.weight, args.neuron, args.style)
    if args.command == "run":
        if args.save_weights is not None:
            try:
                suffix_of(args.save_weights, "--save-weights")
                writable_target(args.save_weights, "--save-weights file", args.overwrite)
            except FileProblem as problem:
                say(f"nnstep: {problem}", sys.stderr)
                return headless.EXIT_BAD_INPUT
        from nnstep.engine.trace import FieldError

        try:
            selection = trace_selection(scenario, args)
        except FieldError as problem:
            say(f"nnstep: {problem}", sys.stderr)
            return headless.EXIT_BAD_INPUT
        flag = {EXACT: "--exact", FLOAT: "--float"}.get(args.numbers)
        return headless.run(scenario, args.iterations, args.format, args.continue_in_float,
                            args.breaks, max_fraction_bits=args.max_fraction_bits,
                            stop_nonfinite=not args.keep_going, save_to=args.save_weights,
                            numbers_flag=flag, selection=selection)
    try:
        start = headless.opening(scenario, args.goto, args.breaks, args.cont)
    except ValueError as problem:
        say(f"nnstep: {problem}", sys.stderr)
        return headless.EXIT_BAD_INPUT
    from .app import run_app

    return run_app(start.scenario, start, fresh=args.fresh)


if __name__ == "__main__":
    sys.exit(main())
