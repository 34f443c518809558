"""The `nnstep` command's entry point. Before anything else is imported: Python's cycle
collector is turned off, so that the start-up of the debugger does not walk the objects every
import makes (modules, classes, functions live as long as the program); ``cli.main`` turns it
back on, for the debugger once its first screen is painted. And the dataclasses' methods come
compiled from the last run (tui/dataclass_cache.py); new ones are kept when the command ends."""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from .dataclass_cache import cache_file, install

    methods = install(cache_file())
    try:
        from .cli import main as command

        return command()
    finally:
        methods.save()
