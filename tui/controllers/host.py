"""What the controllers may ask of the app (``Host``), and the status line's state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from nnstep.engine import Session

    from ..widgets.common import View, Weight


@dataclass(frozen=True)
class Status:
    """The status line: a message (empty: the selection is described) and whether it is a
    problem."""

    text: str = ""
    error: bool = False


class Host(Protocol):
    """The app as the controllers see it."""

    session: Session
    cursor_blink: bool  # dialogs' inputs blink (off in tests)
    style: str  # the number format
    selected: Weight | None
    status: Status  # set it to change the status line at the next refresh

    def say(self, message: str, error: bool = False) -> None:
        """Show ``message`` on the status line now."""

    def show_record(self) -> None:
        """The session moved or changed: push its record to the screen."""

    def view(self) -> View:
        """What the screen shows now."""

    def show_plot(self, mode: str, log: bool) -> None:
        """Lay the loss plot out as ``mode`` ("hidden", "panel", "full"), ``log`` scale."""

    def notify(self, message: str, *, severity: str = ..., timeout: float = ...,
               markup: bool = ...) -> None:
        """A toast: a longer message shown for a while."""

    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...

    def run_worker(self, work: Any, *, group: str = ..., exclusive: bool = ...) -> Any: ...

    @property
    def running(self) -> bool:
        """A long run is computing in slices."""

    def call_after_refresh(self, callback: Any, *args: Any) -> bool: ...

    def call_later(self, callback: Any, *args: Any) -> bool: ...

    def set_timer(self, delay: float, callback: Any) -> Any: ...
