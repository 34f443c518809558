"""A small modal asking for one value: the edit dialog (a weight, α), go to, find, a file to
write.

The dialog does not know the maths: ``submit(text)`` tries the value and returns None when it
was accepted (the dialog closes) or a message saying why it was refused. Every dialog (the
breakpoints' too) treats a refusal the same way: it stays open with the text as typed, so it can
be fixed, shows the message (``DialogError``), and nothing changed. Text typed or read from a
scenario is shown as plain text, never as Textual markup."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

# every dialog's rules (tui/dialogs.tcss), read when the first dialog opens (each dialog's
# CSS_PATH) rather than with app.tcss at every start
DIALOG_CSS = Path(__file__).resolve().parent.parent / "dialogs.tcss"

Submit = Callable[[str], "str | None"]


def attempt(submit: Submit, text: str) -> str | None:
    """``submit(text)``: None when the value was accepted, else why it was refused (an
    unexpected exception too: the UI never crashes on a value)."""
    try:
        return submit(text)
    except Exception as err:
        return f"unexpected error: {type(err).__name__}: {err}"


class DialogError(Static):
    """Why the value typed was refused ("✖ …", plain text); hidden while there is none."""

    def __init__(self) -> None:
        super().__init__("", id="dialog-error", markup=False)

    def say(self, problem: str | None) -> None:
        if problem:
            self.update(f"✖ {problem}")
        self.set_class(bool(problem), "-shown")


class ValueDialog(ModalScreen[bool]):
    """Dismissed with True when a value was accepted, False when cancelled."""

    CSS_PATH = DIALOG_CSS
    BINDINGS = [Binding("escape", "cancel", "cancel")]

    def __init__(self, title: str, prompt: str, initial: str, submit: Submit,
                 cursor_blink: bool = True, hint: str = "", template: bool = False) -> None:
        """``template``: ``initial`` is the start of what to type (``broccoli = ``), kept with
        the cursor after it, rather than a present value that typing replaces."""
        super().__init__()
        self.title_text, self.prompt, self.initial, self.submit = title, prompt, initial, submit
        self.cursor_blink, self.hint, self.template = cursor_blink, hint, template

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Static(self.prompt, id="dialog-prompt", markup=False)
            # the present value, selected: typing replaces it, ← / → / home / end edit it
            # (a template is not selected: typing completes it)
            yield Input(self.initial, id="dialog-input", select_on_focus=not self.template)
            yield DialogError()
            yield Static(self.hint or "enter apply · escape cancel", id="dialog-hint")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.cursor_blink = self.cursor_blink
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = attempt(self.submit, event.value)
        if problem is None:
            self.dismiss(True)
            return
        self.refuse(problem)

    def refuse(self, problem: str) -> None:
        self.query_one(DialogError).say(problem)

    def action_cancel(self) -> None:
        self.dismiss(False)


class EditDialog(ValueDialog):
    """Edit a weight, a bias or α: accepts 1/200, -0.25, 3e-4."""


class FindDialog(ValueDialog):
    """Find a weight, a bias or a neuron by name (/)."""


class GotoDialog(ValueDialog):
    """Go to a position: the end of an iteration (12; 0 = the start of training) or an
    operation inside it (12:backward:L3)."""


class PathDialog(ValueDialog):
    """A file to write (the weights, a scenario)."""
