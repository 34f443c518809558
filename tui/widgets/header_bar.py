"""The header line: title, epoch, iteration, sample(s), the operation in words, the number mode,
and the branch when on an edited one. No clock."""

from __future__ import annotations

from rich.text import Text

from .common import View
from .panel import Panel


class HeaderBar(Panel):
    """Classes: -branch when the session is on an edited branch, -float in float64 mode."""

    def draw(self, view: View) -> None:
        rec, session = view.record, view.session
        sched = session.schedule
        text = Text(view.scenario.title, style="bold")
        sep = " │ "
        if rec.iteration:
            epochs = session.scenario.training.epochs
            text.append(f"{sep}epoch {rec.epoch}/{epochs} · iteration {rec.iteration}/"
                        f"{sched.iterations}")
            if rec.samples:
                s = "samples" if len(rec.samples) > 1 else "sample"
                text.append(f" · {s} {', '.join(str(i + 1) for i in rec.samples)}")
        text.append(sep).append(session.label(rec), style="bold")
        text.append(sep).append(rec.mode, style="bold yellow" if rec.mode != "exact" else "")
        if session.branch.id:
            text.append(sep).append(f"branch {session.branch.id}", style="bold magenta")
        self.set_class(bool(session.branch.id), "-branch")
        self.set_class(rec.mode != "exact", "-float")
        self.update(text, layout=False)  # one docked line: its size never changes
