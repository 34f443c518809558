"""The header line: title, epoch, iteration, sample(s), the operation in words (the update with
the optimizer's formula where the line has room), the number mode, and the branch when on an
edited one. No clock. The operation is never cut: on a narrow screen the samples are counted
instead of listed, then the title is shortened, then the update's formula goes."""

from __future__ import annotations

from nnstep.engine.records import UPDATE
from rich.cells import cell_len
from rich.text import Text
from textual import events

from .common import View, short
from .grid import to_content
from .panel import Panel

SEP = " │ "
MIN_TITLE = 8  # the title is cut to no less than this before anything else goes


class HeaderBar(Panel):
    """Classes: -branch when the session is on an edited branch, -float in float64 mode."""

    shown: View | None = None

    def draw(self, view: View) -> None:
        session = view.session
        self.set_class(bool(session.branch.id), "-branch")
        self.set_class(view.record.mode != "exact", "-float")
        self.shown = view
        width = self.content_region.width or 1000  # not laid out yet: drawn again on resize
        self.update(to_content(self.line(view, width)), layout=False)  # one docked line

    def on_resize(self, event: events.Resize) -> None:
        if self.shown is not None:
            self.draw(self.shown)

    @staticmethod
    def line(view: View, width: int) -> Text:
        """The header for ``width`` cells (padding excluded)."""
        rec, session = view.record, view.session
        sched = session.schedule
        where: list[str] = []  # longest first
        if rec.iteration:
            epochs = session.scenario.training.epochs
            it = f"epoch {rec.epoch}/{epochs} · iteration {rec.iteration}/{sched.iterations}"
            listed = ", ".join(str(i + 1) for i in rec.samples)
            if len(rec.samples) > 1:
                where = [f"{it} · samples {listed}", f"{it} · {len(rec.samples)} samples",
                         f"it {rec.iteration}/{sched.iterations} · {len(rec.samples)} samples",
                         f"it {rec.iteration}"]
            elif rec.samples:
                where = [f"{it} · sample {listed}",
                         f"it {rec.iteration}/{sched.iterations} · sample {listed}",
                         f"it {rec.iteration}"]
            else:
                where = [it, f"it {rec.iteration}/{sched.iterations}"]
        labels = [session.label(rec)]
        if rec.op.kind == UPDATE:  # the update names its formula where the line has room
            labels.insert(0, f"update · {view.model.optimizer.formula}")
        title = view.scenario.title
        for label in labels:
            tail = Text()
            tail.append(SEP).append(label, style="bold")
            tail.append(SEP).append(rec.mode, style="bold yellow" if rec.mode != "exact" else "")
            if session.branch.id:
                tail.append(SEP).append(f"branch {session.branch.id}", style="bold magenta")
            last = label == labels[-1]  # the formula only with everything else in full
            for middle in [*where, None] if last else where[:1] or [None]:
                text = Text(SEP + middle) if middle else Text()
                room = width - cell_len(text.plain) - tail.cell_len
                if room >= (min(MIN_TITLE, cell_len(title)) if last else cell_len(title)) or (
                        middle is None and last):
                    head = Text(short(title, max(1, room)), style="bold")
                    return head.append_text(text).append_text(tail)
        raise AssertionError("unreachable")
