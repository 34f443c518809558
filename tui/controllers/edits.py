"""Edits at the cursor: the selected weight (e), the learning rate α (a), an input (i) or a
target (t) of the current sample, and undo (u). Each edit starts a branch; one that fails is not
applied at all and the dialog says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nnstep.engine import EditError, RunawayFractions
from nnstep.engine.format import fmt
from nnstep.engine.names import shown_features, shown_targets
from nnstep.engine.records import Record

from ..widgets.common import input_names, neuron_label, value_of, weight_label
from .host import Host, Status
from .navigation import BUSY, Navigation


def recomputed(iteration: int) -> str:
    """What an edit at ``iteration`` recomputes (0: before training, so all of it)."""
    if iteration == 0:
        return "training is recomputed from its start"
    return f"iteration {iteration} is recomputed from its start"


class Edits:
    """Opens the edit dialogs and applies what is typed through the session."""

    def __init__(self, host: Host, navigation: Navigation) -> None:
        self.host, self.navigation = host, navigation

    @property
    def session(self) -> Any:
        return self.host.session

    def apply(self, request: Callable[[str], Record], text: str) -> str | None:
        """Try an edit typed as ``text``: None when accepted, else why it was refused."""
        if self.navigation.running:
            return BUSY
        try:
            request(text)
        except (EditError, RunawayFractions) as problem:
            return str(problem)
        self.host.status = Status(f"edited: branch {self.session.branch.id}, "
                                  f"{recomputed(self.session.record.iteration)} · u undoes")
        self.host.show_record()
        return None

    def weight(self) -> None:
        """e: the selected weight (or bias)."""
        from ..screens.dialog import EditDialog

        host = self.host
        if self.navigation.busy():
            return
        if host.selected is None:
            host.say("no weight to edit in this model", error=True)
            return
        k, i, j = w = host.selected
        view = host.view()
        value = value_of(view.record.params, w)
        source = "bias" if j is None else input_names(view, k)[j]
        s = self.session
        request = ((lambda text: s.set_bias(k, i, text)) if j is None
                   else (lambda text: s.set_weight(k, i, j, text)))
        host.push_screen(EditDialog(
            f"edit {weight_label(view, w)}",
            f"{source} → {neuron_label(view, k, i)}, now {fmt(value, 'fraction')}.\n"
            f"On a new branch, {recomputed(view.record.iteration)} with it.",
            fmt(value, "fraction"), lambda text: self.apply(request, text), host.cursor_blink,
            "enter apply · escape cancel · e.g. 1/200, -0.25, 3e-4"))

    def learning_rate(self) -> None:
        """a: the learning rate α."""
        from ..screens.dialog import EditDialog

        if self.navigation.busy():
            return
        lr = self.session.record.lr
        self.host.push_screen(EditDialog(
            "edit the learning rate α", f"ŵ = w − α·δw; α is now {fmt(lr, 'fraction')}.",
            fmt(lr, "fraction"), lambda text: self.apply(self.session.set_learning_rate, text),
            self.host.cursor_blink, "enter apply · escape cancel · e.g. 1/200, 0.5, 3e-4"))

    def data(self, kind: str) -> None:
        """i / t: an input (kind "input") or a target ("target") of the current batch."""
        from ..data_edit import DataEditError, parse_data_edit
        from ..screens.dialog import EditDialog

        host = self.host
        if self.navigation.busy():
            return
        s = self.session
        rec = s.record
        if not rec.samples:
            host.say("no sample picked yet: step into an iteration first (n)", error=True)
            return
        scenario = s.scenario
        if kind == "input":  # named as the screen shows them
            names = list(shown_features(scenario.features, s.model.layers[0].size))
            values, request = rec.x, s.set_input
        else:
            names = list(shown_targets(scenario.targets, s.model.layers[-1].size))
            values, request = rec.y, s.set_target
        width = len(names)

        def submit(text: str) -> str | None:
            try:
                position, index, value = parse_data_edit(text, names, len(rec.samples))
            except DataEditError as problem:
                return str(problem)
            return self.apply(lambda v: request(position, index, v), value)

        now = ", ".join(f"{n} = {fmt(v, 'fraction')}" for n, v in zip(names, values[0]))
        initial = fmt(values[0][0], "fraction") if width == 1 else f"{names[0]} = "
        host.push_screen(EditDialog(
            f"edit {'an input' if kind == 'input' else 'a target'} of sample "
            f"{rec.samples[0] + 1}",
            f"now {now}.\nThe sample changes in the data set from iteration {rec.iteration} on, "
            "on a new branch.", initial,
            submit, host.cursor_blink,
            "NAME = VALUE or N = VALUE (#K first for the K-th sample of a batch) · escape cancels",
            template=width > 1))

    def undo(self) -> None:
        """u: back to the branch the last edit was made on."""
        if self.navigation.busy():
            return
        branch = self.session.branch.id
        done: list[bool] = []
        if self.navigation.guard(lambda: done.append(self.session.undo())) and done:
            if done[0]:
                self.host.say(f"undone: back on branch {self.session.branch.id} (left {branch})")
            else:
                self.host.say("nothing to undo", error=True)
