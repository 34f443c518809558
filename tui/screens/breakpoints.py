"""Breakpoints: the list of active conditions, a field to add one, removal of the highlighted
one, switching the highlighted one on or off, and the condition language at a glance (opened
with b).

The screen does not parse conditions: ``add(text)`` returns None when the condition was added,
else the reason it was refused; ``remove(n)`` drops the n-th, ``toggle(n)`` switches it on or
off; ``listing()`` gives the lines to list."""

from __future__ import annotations

from typing import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static

from .dialog import DIALOG_CSS, DialogError, attempt

LANGUAGE = """\
nonfinite (always on) · blocked · rounding · saturated · overshoot
loss < 0.01 · loss >= 2 · loss rises
sign · sign w²[1,2] · w²[1,2] crosses 0 · w²[1,2] > 1/2 · b²[1] < 0
stuck 5 · stuck w²[1,2] 5 · unchanged 3 · vanishing · exploding 100
dying 50% · update_ratio 1e-6 0.5
w²[1,2] is also w2[1,2], 0-based L2[0,1]; b²[1] is b2[1], L2.b[0]"""


class BreakpointsScreen(ModalScreen[None]):
    CSS_PATH = DIALOG_CSS

    BINDINGS = [
        Binding("escape", "close", "close"),
        Binding("delete,ctrl+d", "remove", "remove the highlighted breakpoint"),
    ]

    def __init__(self, listing: Callable[[], list[str]], add: Callable[[str], "str | None"],
                 remove: Callable[[int], None], cursor_blink: bool = True,
                 toggle: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.listing, self.add, self.drop, self.toggle = listing, add, remove, toggle
        self.cursor_blink = cursor_blink

    def compose(self) -> ComposeResult:
        # the keys before the language reference: on a short terminal the dialog scrolls,
        # and what is cut first is the reference, never the field or how to use it
        with VerticalScroll(id="dialog"):
            yield Label("breakpoints", id="dialog-title")
            yield Static("c continues to the next operation where one holds, C goes back to the "
                         "previous one; a NaN or inf always stops.", id="dialog-prompt")
            yield OptionList(id="breakpoint-list")
            yield Input(placeholder="add a condition, e.g. loss rises", id="dialog-input")
            yield DialogError()
            yield Static("enter adds · tab to the list: enter switches on / off, delete "
                         "removes · escape closes", id="dialog-hint")
            yield Static(LANGUAGE, id="breakpoint-language")

    def on_mount(self) -> None:
        self.query_one("#dialog").can_focus = False  # tab goes between the field and the list
        field = self.query_one(Input)
        field.cursor_blink = self.cursor_blink
        field.focus()
        self.refill()

    def refill(self, highlight: int | None = None) -> None:
        """List the conditions again; ``highlight`` the n-th (the last when past the end)."""
        options = self.query_one(OptionList)
        options.clear_options()
        texts = self.listing()
        options.add_options(texts or ["(none: only NaN / inf stop a continue)"])
        options.disabled = not texts
        if texts and highlight is not None:
            options.highlighted = min(highlight, len(texts) - 1)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Tab to the list highlights its first condition: delete works at once."""
        options = self.query_one(OptionList)
        if event.widget is options and options.highlighted is None and options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """A refused condition stays in the field to be fixed, with the reason shown (as in
        every dialog, screens/dialog.py); an added one leaves the field empty for the next."""
        event.stop()
        problem = (attempt(self.add, event.value) if event.value.strip()
                   else "type a condition first")
        self.query_one(DialogError).say(problem)
        if problem:
            return
        event.input.value = ""
        self.refill()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """enter on a breakpoint: switch it on or off (● on, ○ off)."""
        event.stop()
        if self.toggle is None or event.option_list.disabled:
            return
        self.toggle(event.option_index)
        self.refill(highlight=event.option_index)

    def action_remove(self) -> None:
        options = self.query_one(OptionList)
        if options.disabled or options.highlighted is None:
            return
        n = options.highlighted
        self.drop(n)
        self.refill(highlight=n)

    def action_close(self) -> None:
        self.dismiss(None)
