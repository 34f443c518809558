"""The session's moves by whole iterations and epochs: to the end of this iteration or the next,
of the previous one, of an epoch; forward and back one or n operations. Mixed into Session (it
reads the session's cursor, record, schedule and last index, and moves with its ``goto``)."""

from __future__ import annotations

from .model import Schedule
from .records import Record


class Moves:
    """Session's moves by iterations and epochs (see the module doc)."""

    cursor: int
    last_index: int
    record: Record
    schedule: Schedule

    def step(self, n: int = 1) -> Record:
        return self.goto(self.cursor + n)

    def back(self, n: int = 1) -> Record:
        return self.goto(self.cursor - n)

    def first(self) -> Record:
        return self.goto(0)

    def last(self) -> Record:
        return self.goto(self.last_index)

    def next_iteration_end_index(self) -> int:
        """The end (update) of this iteration, or of the next one if already there."""
        t = self.record.iteration
        end = self.schedule.iteration_end(t)
        return end if self.cursor < end else self.schedule.iteration_end(t + 1)

    def prev_iteration_end_index(self) -> int:
        """The end of the previous iteration (the start of training for the first)."""
        t = self.record.iteration
        end = self.schedule.iteration_end(t)
        return self.schedule.iteration_end(t - 1 if self.cursor <= end else t)

    def epoch_end_index(self, epoch: int) -> int:
        return self.schedule.iteration_end(epoch * self.schedule.iterations_per_epoch)

    def next_epoch_end_index(self) -> int:
        """The end of this epoch, or of the next one if already there."""
        t = self.record.iteration
        e = -(-t // self.schedule.iterations_per_epoch) if t else 1
        end = self.epoch_end_index(e)
        return end if self.cursor < end else self.epoch_end_index(e + 1)

    def prev_epoch_end_index(self) -> int:
        """The end of the previous epoch (the start of training for the first)."""
        t = self.record.iteration
        e = -(-t // self.schedule.iterations_per_epoch)
        end = self.epoch_end_index(e)
        return self.epoch_end_index(e - 1 if self.cursor <= end else e)

    def next_iteration_end(self) -> Record:
        return self.goto(self.next_iteration_end_index())

    def prev_iteration_end(self) -> Record:
        return self.goto(self.prev_iteration_end_index())

    def next_epoch_end(self) -> Record:
        return self.goto(self.next_epoch_end_index())

    def prev_epoch_end(self) -> Record:
        return self.goto(self.prev_epoch_end_index())

    def goto_iteration(self, iteration: int) -> Record:
        """The end of ``iteration`` (0 is the start of training)."""
        return self.goto(self.schedule.iteration_end(max(0, iteration)))
