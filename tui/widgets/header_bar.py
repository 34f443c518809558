"""The header line: title, epoch, iteration, sample(s), the operation in words (the update with
the optimizer's formula where the line has room), the number mode, and the branch when on an
edited one. No clock."""

from __future__ import annotations

from nnstep.engine.records import UPDATE
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
        tail = Text(sep).append(rec.mode, style="bold yellow" if rec.mode != "exact" else "")
        if session.branch.id:
            tail.append(sep).append(f"branch {session.branch.id}", style="bold magenta")
        label = session.label(rec)
        if rec.op.kind == UPDATE:  # the update names its formula where the line has room
            formula = f"update · {view.model.optimizer.formula}"
            room = (self.app.size.width - self.styles.gutter.width - text.cell_len - len(sep)
                    - tail.cell_len)
            label = formula if len(formula) <= room else label
        text.append(sep).append(label, style="bold")
        text.append_text(tail)
        self.set_class(bool(session.branch.id), "-branch")
        self.set_class(rec.mode != "exact", "-float")
        self.update(text, layout=False)  # one docked line: its size never changes
