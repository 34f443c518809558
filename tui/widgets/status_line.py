"""One line for what just happened: a refused key, an error, progress of a long run, the
selected weight."""

from __future__ import annotations

from textual.widgets import Static


class StatusLine(Static):
    """Classes: -error for a problem, -busy while computing. Plain text, never markup (it
    shows names from the scenario and text the person typed)."""

    def __init__(self, **kw) -> None:
        super().__init__(markup=False, **kw)

    def say(self, message: str, error: bool = False, busy: bool = False) -> None:
        self.set_class(error, "-error")
        self.set_class(busy, "-busy")
        self.update(message, layout=False)  # one line: its size never changes
