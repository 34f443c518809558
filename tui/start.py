"""The `nnstep` command's entry point: Python's cycle collector is turned off before anything
else is imported, so that the start-up of the debugger does not walk the objects every import
makes (modules, classes, functions live as long as the program); ``cli.main`` turns it back
on, for the debugger once its first screen is painted."""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from .cli import main as command

    return command()
