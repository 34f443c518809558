"""Sessions that persist: when the debugger quits, its breakpoints (on or off, with their hit
counts), every edit (the whole branch tree), the selection, the number format and the cursor are
saved under ``$XDG_STATE_HOME/nnstep/`` (engine/session_store.py); the next time the same
scenario is opened they are restored — the edits replayed through the engine, so the records are
the very ones they made. ``--fresh`` starts clean. A saved session that no longer fits (the
scenario file or a data or weights file it reads changed, it does not read, an edit or a
breakpoint no longer applies) is set aside, never applied and never deleted, and the status
line says where it went. While the debugger runs, a changed session is saved every
AUTOSAVE_SECONDS too."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nnstep.engine import ScenarioError, Session
from nnstep.engine.format import STYLES
from nnstep.engine.saved_session import SavedSession, SavedSessionError, capture
from nnstep.engine.scenario import Scenario
from nnstep.engine.session_store import digest, input_digests, load, save, session_file, set_aside

from ..widgets.common import Weight, weights_of
from .host import Host, Status

AUTOSAVE_SECONDS = 15.0


@dataclass(frozen=True)
class Place:
    """Where this scenario's session is kept: the scenario's absolute path, the sha256 of its
    bytes as opened, the number mode, the environment naming the state folder, and the sha256
    of each data or weights file the scenario read."""

    scenario: str
    digest: str
    numbers: str
    env: Mapping[str, str]
    inputs: Mapping[str, str] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return session_file(self.scenario, self.numbers, self.env)


@dataclass(frozen=True)
class Opened:
    """A scenario opened for the debugger: its session (restored or new), where to save it,
    what was restored, and what to tell the person."""

    session: Session
    place: Place | None = None
    saved: SavedSession | None = None
    message: str = ""
    problem: bool = False


def open_session(scenario: Scenario, env: Mapping[str, str] | None, fresh: bool = False,
                 **session_options: Any) -> Opened:
    """The session for ``scenario``: restored from its saved session unless ``fresh``, or new.
    ``env`` None: sessions are neither read nor saved (tests, text scenarios)."""
    path = Path(scenario.path)
    if env is None or not path.is_file():
        return Opened(Session(scenario, **session_options))
    try:
        place = Place(str(path.resolve()), digest(path), scenario.numbers, env,
                      input_digests(path, scenario.inputs))
    except OSError:
        return Opened(Session(scenario, **session_options))
    if fresh:
        return Opened(Session(scenario, **session_options), place,
                      message="a fresh session (--fresh): the saved one is replaced when this one "
                              "is saved")
    loaded = load(place.scenario, place.numbers, place.digest, env, dict(place.inputs))
    if loaded.saved is None:
        return Opened(Session(scenario, **session_options), place, None, loaded.message,
                      loaded.problem)
    try:
        _check(loaded.saved, scenario)
        session = loaded.saved.replay(scenario, **session_options)
    except SavedSessionError as problem:
        aside = set_aside(place.file, str(problem))
        return Opened(Session(scenario, **session_options), place, None, aside.message, True)
    except ScenarioError:  # the scenario's own [branch] edits, not the saved session
        raise
    except Exception as problem:  # a saved session never crashes the debugger
        aside = set_aside(place.file, f"{type(problem).__name__}: {problem}")
        return Opened(Session(scenario, **session_options), place, None, aside.message, True)
    return Opened(session, place, loaded.saved, loaded.message)


def _check(saved: SavedSession, scenario: Scenario) -> None:
    """Everything but the edits (replay checks those) fits the scenario; raises otherwise."""
    if saved.breakpoints:  # the condition parser loads only for a session that has some
        from nnstep.engine.conditions import ConditionError, parse_condition

        for b in saved.breakpoints:  # as the b dialog checks them: weights that exist
            try:
                parse_condition(b.text, scenario.layers, scenario.numbers)
            except ConditionError as problem:
                raise SavedSessionError(str(problem)) from None
    if saved.style is not None and saved.style not in STYLES:
        raise SavedSessionError(f"unknown number format {saved.style!r}")
    if saved.selected is not None:
        if Weight(*saved.selected) not in weights_of(SimpleNamespace(layers=scenario.layers)):
            raise SavedSessionError(f"the selected weight {saved.selected} is not in the model")


class Sessions:
    """Restores what ``Opened`` found once the screen is up; saves on quit, and every
    AUTOSAVE_SECONDS while it has changed, so a closed terminal loses little."""

    def __init__(self, host: Host, opened: Opened) -> None:
        self.host, self.opened = host, opened
        self.written: SavedSession | None = None  # what the session file holds now, if known

    def restore(self, breakpoints: Any, navigation: Any, move: bool = True) -> None:
        """Selection, format and breakpoints now; with ``move``, the cursor through
        ``navigation`` (a far cursor computes in slices, escape cancels)."""
        host, opened = self.host, self.opened
        saved = opened.saved
        if saved is not None:
            if saved.selected is not None:
                host.selected = Weight(*saved.selected)
            if saved.style is not None:
                host.style = saved.style
            breakpoints.restore(saved.breakpoints)
            if move:
                navigation.move_to(saved.cursor)
            edits = len(saved.branches)
            host.status = Status(
                f"session restored: {edits} edit{'s' * (edits != 1)}, "
                f"{len(saved.breakpoints)} breakpoint{'s' * (len(saved.breakpoints) != 1)}, "
                f"operation {saved.cursor} · --fresh starts clean")
        elif opened.message:
            host.status = Status(opened.message, opened.problem)
            if opened.problem:  # the whole sentence, wrapped, for a while
                host.notify(opened.message, severity="warning", timeout=20, markup=False)
        host.show_record()
        if opened.place is not None:  # the state as opened: no need to write it back
            self.written = self._capture(breakpoints)

    def save(self, breakpoints: Any, changed_only: bool = False) -> str | None:
        """Write the session (atomically); a sentence when that failed, else None. With
        ``changed_only`` (the autosave), only when it differs from what was last written or
        restored."""
        place = self.opened.place
        if place is None:
            return None
        saved = self._capture(breakpoints)
        if changed_only and saved == self.written:
            return None
        try:
            save(saved, place.env)
        except OSError as problem:
            return f"the session could not be saved to {place.file}: {problem.strerror}"
        self.written = saved
        return None

    def _capture(self, breakpoints: Any) -> SavedSession:
        place, host = self.opened.place, self.host
        sel = host.selected
        return capture(host.session, place.scenario, place.digest,
                       selected=tuple(sel) if sel is not None else None, style=host.style,
                       breakpoints=breakpoints.saved(), inputs=dict(place.inputs))
