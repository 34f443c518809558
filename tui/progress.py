"""The progress line of a long `nnstep run`: on a terminal's standard error, when nothing else
shows how far the run has got (`--format none`, or the iterations going to a file or a pipe).
Rewritten in place at most every PERIOD seconds, and erased when the run ends, so what the run
prints after it starts on a clean line. Never written when standard error is not a terminal:
logs and pipes get exactly what they got before."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

PERIOD = 0.5  # seconds between two updates of the line
QUIET = 1.0  # a run that ends sooner never shows one


def wanted(form: str, out: TextIO, err: TextIO) -> bool:
    """Whether a run printing ``form`` to ``out`` should show its progress on ``err``."""
    return is_terminal(err) and (form == "none" or not is_terminal(out))


def is_terminal(stream: TextIO | None) -> bool:
    """Whether ``stream`` is a terminal (False for None, a file, a pipe, a closed stream)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressLine:
    """``tick(iteration)`` after each finished iteration of ``total``; ``close()`` at the end."""

    def __init__(self, total: int, err: TextIO,
                 clock: Callable[[], float] | None = None) -> None:
        self.total, self.err = total, err
        self.clock = clock or time.monotonic
        self.began = self.clock()
        self.next = self.began + QUIET
        self.shown = False

    def tick(self, iteration: int) -> None:
        now = self.clock()
        if now < self.next:
            return
        self.next = now + PERIOD
        rate = iteration / max(now - self.began, 1e-9)
        left = (self.total - iteration) / rate if rate > 0 else float("inf")
        self.err.write(f"\r\x1b[Kiteration {iteration:,} of {self.total:,} · {rate:,.0f} "
                       f"iterations/s · {_duration(left)} left")
        self.err.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self.shown = False


def _duration(seconds: float) -> str:
    """``seconds`` in the largest unit that reads well: 45 s, 12 min, 3.5 h, 41 days."""
    if seconds != seconds or seconds == float("inf"):
        return "unknown time"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds < 3 * 365 * 86400:
        return f"{seconds / 86400:,.0f} days"
    return f"{seconds / (365.25 * 86400):,.0f} years"
