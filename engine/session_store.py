"""Where saved sessions live: one JSON file per scenario (by its absolute path) and number mode
under ``$XDG_STATE_HOME/nnstep/`` (``~/.local/state/nnstep/`` when the variable is unset, empty
or not an absolute path, as the XDG base directory specification says).

Files are written atomically (a temporary file in the same folder, then a rename): a crash
never leaves half a session. A session that does not fit its scenario (the scenario file or a
data or weights file it reads changed since, or it does not read) is set aside — renamed
beside it, never applied, never deleted — and the caller is told where it went.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .files import FileProblem, read_text, write_atomic
from .saved_session import SavedSession, SavedSessionError, from_json, to_json

MAX_BYTES = 16 * 2**20  # a saved session larger than this is not one of ours


@dataclass(frozen=True)
class Loaded:
    """What opening a scenario found: a ``saved`` session to restore (or None), and a
    ``message`` for the person when there is something to say (restored, set aside …)."""

    saved: SavedSession | None
    message: str = ""
    problem: bool = False


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/nnstep``, else ``~/.local/state/nnstep``."""
    env = os.environ if env is None else env
    base = env.get("XDG_STATE_HOME", "")
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "nnstep"


def digest(path: str | Path) -> str:
    """sha256 of a file's bytes (hex)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_digests(scenario_path: str | Path, inputs: Iterable[str]) -> dict[str, str]:
    """The sha256 of each data or weights file a scenario read, by its path relative to the
    scenario's folder; "" for one that can no longer be read."""
    folder = Path(scenario_path).parent
    out = {}
    for name in inputs:
        path = Path(name)
        try:
            key = path.relative_to(folder).as_posix()
        except ValueError:
            key = path.as_posix()
        try:
            out[key] = digest(path)
        except OSError:
            out[key] = ""
    return out


def _changed_inputs(saved: dict[str, str] | None, now: dict[str, str]) -> str | None:
    """Why the data files no longer fit a session saved with ``saved``, or None."""
    if saved is None:
        return None if not now else ("it was saved before nnstep kept its data files' digests "
                                     f"({', '.join(sorted(now))})")
    changed = sorted(k for k in saved.keys() | now.keys() if saved.get(k) != now.get(k))
    if not changed:
        return None
    files = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return f"the data file{'s' * (len(changed) > 1)} {files} changed since it was saved"


def session_file(scenario_path: str | Path, numbers: str,
                 env: Mapping[str, str] | None = None) -> Path:
    """The saved session of a scenario (absolute path) in a number mode: a readable stem and a
    hash of the whole path, so two broccoli.toml in different folders never share one."""
    absolute = str(Path(scenario_path).resolve())
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", Path(absolute).stem)[:40] or "scenario"
    key = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return state_dir(env) / f"{stem}-{key}-{numbers}.json"


def save(saved: SavedSession, env: Mapping[str, str] | None = None) -> Path:
    """Write ``saved`` atomically to its file; returns the path. Raises OSError."""
    path = session_file(saved.scenario, saved.numbers, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, to_json(saved).encode("utf-8"), mode=0o600)  # a person's own state
    return path


def load(scenario_path: str | Path, numbers: str, scenario_digest: str,
         env: Mapping[str, str] | None = None, inputs: dict[str, str] | None = None) -> Loaded:
    """The saved session of this scenario, if there is one that fits it. One that does not
    (another scenario or data file content — ``inputs``, from input_digests —, unreadable, not
    a session) is set aside with a message."""
    path = session_file(scenario_path, numbers, env)
    try:
        if not os.path.lexists(path):
            return Loaded(None)
        try:  # a regular file only: a FIFO put there would wait for a writer forever
            text = read_text(path, MAX_BYTES)
        except FileProblem as problem:
            raise SavedSessionError(f"the file {problem}") from None
        saved = from_json(text)
        if saved.digest != scenario_digest:
            raise SavedSessionError("the scenario file has changed since it was saved")
        changed = _changed_inputs(saved.inputs, inputs or {})
        if changed:
            raise SavedSessionError(changed)
        if saved.numbers != numbers:
            raise SavedSessionError(f"it was saved in {saved.numbers}, not {numbers}")
    except (SavedSessionError, OSError, UnicodeDecodeError) as problem:
        return set_aside(path, str(problem))
    return Loaded(saved, f"session restored from {_home_short(path)}")


def set_aside(path: Path, why: str) -> Loaded:
    """Rename the session at ``path`` out of the way (never delete it) and say so."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for n in range(1000):
        aside = path.with_name(f"{path.stem}.set-aside-{stamp}{f'-{n}' if n else ''}.json")
        if not aside.exists():
            break
    try:
        os.replace(path, aside)
    except OSError as err:
        return Loaded(None, f"saved session {_home_short(path)} not restored ({why}) and could "
                            f"not be set aside: {err.strerror}; --fresh starts without it", True)
    return Loaded(None, f"saved session set aside, not restored ({why}): kept as "
                        f"{_home_short(aside)}", True)


def _home_short(path: Path) -> str:
    """A path with the home folder written ~."""
    home = os.path.expanduser("~")
    text = str(path)
    return "~" + text[len(home):] if home not in ("", "/") and text.startswith(home + os.sep) \
        else text
