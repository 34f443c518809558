"""The `nnstep` command's entry point. Before anything else is imported: Python's cycle
collector is turned off, so that the start-up of the debugger does not walk the objects every
import makes (modules, classes, functions live as long as the program); ``cli.main`` turns it
back on, for the debugger once its first screen is painted. And the dataclasses' methods come
compiled from the last run (tui/dataclass_cache.py), and a scenario's seeded draws — a
generated data set, drawn weights — from the last run that made them (tui/draw_cache.py);
what is new of either is kept when the command ends."""

from __future__ import annotations

import gc


def main() -> int:
    gc.disable()
    from .dataclass_cache import cache_file, cache_folder, install

    methods = install(cache_file())
    from . import draw_cache

    folder = cache_folder()
    draws = draw_cache.install(None if folder is None else folder / "draws")
    try:
        from .cli import main as command

        return command()
    finally:
        methods.save()
        draws.save()
