"""Files out: the weights at the cursor (S) as .safetensors / .npz with PyTorch names, and the
branch at the cursor (B) as a scenario that reopens exactly here. A dialog asks for the path
(prefilled beside the scenario; relative paths are from the working folder); an existing file is
replaced only after a yes in a confirm dialog; files are written atomically."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nnstep.engine.errors import escape

from .host import Host, Status
from .navigation import BUSY, Navigation


class Saving:
    """Asks where, asks before replacing a file, writes, and says what was written."""

    def __init__(self, host: Host, navigation: Navigation) -> None:
        self.host, self.navigation = host, navigation

    @property
    def session(self) -> Any:
        return self.host.session

    def _position(self) -> str:
        from nnstep.engine.position import describe

        rec = self.session.record
        return describe(rec.iteration, rec.op, [spec.name for spec in self.session.model.layers])

    def _default(self, ending: str) -> str:
        """A name beside the scenario: broccoli-3-backward-L3.safetensors (relative to the
        working folder when the scenario is below it, else absolute)."""
        scenario = Path(self.session.scenario.path)
        path = scenario.parent / f"{scenario.stem}-{self._position().replace(':', '-')}{ending}"
        try:
            relative = os.path.relpath(path)
        except ValueError:  # another drive
            relative = ".."
        return str(path.absolute()) if relative.startswith("..") else relative

    def weights(self) -> None:
        """S: the weights at the cursor (those the next iteration will use once updated)."""
        from nnstep.engine.state_dict import save_weights
        from nnstep.engine.tensor_files import suffix_of

        if self.navigation.busy():
            return
        rec, s = self.session.record, self.session
        when = (f"after iteration {rec.iteration}'s update" if rec.finished
                else f"of iteration {rec.iteration} (before its update)")

        def write(path: str) -> str:
            save_weights(path, rec.weights_after(), s.model.layers, s.scenario.state_keys)
            note = " · exact fractions rounded to float64" if rec.mode == "exact" else ""
            return f"wrote the weights {when} to {escape(path)}{note}"

        self._ask("save the weights", f"the weights {when}, as a .safetensors or .npz file "
                  "with PyTorch names (0.weight, 0.bias, …)", self._default(".safetensors"),
                  lambda path: suffix_of(path, "weights file"), write)

    def branch(self) -> None:
        """B: this branch as a scenario (the original plus its edits) opening at the cursor."""
        from nnstep.engine.branch_file import save_branch
        from nnstep.engine.files import FileProblem

        if self.navigation.busy():
            return
        s, cursor, position = self.session, self.session.cursor, self._position()

        def check(path: str) -> None:
            if Path(path).suffix.lower() != ".toml":
                raise FileProblem(f"scenario '{escape(path)}': expected a .toml file name")

        def write(path: str) -> str:
            save_branch(s, cursor, path)
            return (f"wrote branch {s.branch.id} ({edits}) opening at {position} to "
                    f"{escape(path)}: nnstep {escape(path)} reopens it here")

        count = len(s.edit_log)
        edits = f"{count} edit" + ("" if count == 1 else "s")
        made = (f"with this branch's {edits} (replayed where they were made)" if count
                else "as it is (no edits on this branch)")
        self._ask("save this branch as a scenario", f"the scenario {made}, opening at {position}",
                  self._default(".toml"), check, write)

    def _ask(self, title: str, prompt: str, initial: str, check: Callable[[str], Any],
             write: Callable[[str], str]) -> None:
        """The path dialog; then, if the file exists, the confirm dialog; then ``write``."""
        from nnstep.engine.files import FileProblem, writable_target

        from ..screens.confirm import ConfirmDialog
        from ..screens.dialog import PathDialog

        host, chosen = self.host, []

        def submit(text: str) -> str | None:
            path = text.strip()
            if self.navigation.running:
                return BUSY
            if not path:
                return "expected a file name"
            try:
                check(path)
                writable_target(path, "file", overwrite=True)
            except FileProblem as problem:
                return str(problem)
            chosen.append(path)
            return None

        def done(path: str) -> None:
            try:
                host.status = Status(write(path))
            except FileProblem as problem:
                host.status = Status(str(problem), True)
            host.show_record()

        def closed(saved: bool | None) -> None:  # after the path dialog has gone
            if not saved or not chosen:
                return
            path = chosen[-1]
            if not os.path.lexists(path):
                done(path)
                return
            host.push_screen(ConfirmDialog("replace the file?",
                                           f"{escape(path)} exists: replace it?",
                                           "replace", "keep it"),
                             lambda yes: done(path) if yes else kept(path))

        def kept(path: str) -> None:
            """The file stays; the path dialog comes back with the name as typed, to change
            (escape leaves)."""
            host.say(f"not saved: {escape(path)} is unchanged · another name, or escape")
            ask(path)

        def ask(text: str) -> None:
            host.push_screen(PathDialog(title, prompt, text, submit, host.cursor_blink,
                                        hint="enter save · escape cancel"), closed)

        ask(initial)
