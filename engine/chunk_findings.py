"""The diagnostics of a chunk of trace lines (trace_chunk.py), in the order ``diagnose`` gives
them, from whole-array operations over the stacked records (stacked.py).

The findings a stuck or dying network shows at every line are decided here for every record at
once and written with the detectors' own words (``rounding_finding``, ``blocked_finding``,
``dying_finding``, ``unchanged_finding``): blocked and rounding flow, dying, unchanged. Each
other kind is screened: a whole-array test that holds wherever the finding could be (norms to
within 1e-6 of the detectors' own, sign flips, a loss that rose) names the records whose
finding the per-record detector then decides and writes. No NaN or inf reaches here (a record
holding one is written by the per-record trace).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .detectors import DEFAULTS, History, detect, dying_finding, unchanged_finding
from .diagnostics import overshoot, saturated, sign_changes
from .flow_findings import _ULPS, Finding, blocked_finding, rounding_finding
from .model import Model
from .records import Record
from .stacked import Stack, norms
from .value_fields import Ends, ValueTexts

SLACK = 1e-6  # a screen's margin over the detectors' norms (which agree to ~1e-15)

Texts = Callable[[Finding], str]


MAX_KEPT = 20_000  # finding texts kept; past it the table starts again


class FindingTexts:
    """The diagnostics of chunks of one run, with the texts of the findings decided here kept
    by what they are made of (a stuck or dying network repeats them line after line)."""

    def __init__(self, model: Model, write: Texts) -> None:
        self.model, self.write = model, write
        self.kept: dict[tuple, str] = {}

    def column(self, ends: Ends, history: History | None,
               actual: Callable[[Stack], Sequence[float]],
               values: ValueTexts | None = None, binary: bool = False) -> list:
        """Each end's "diagnostics" text (UTF-8 bytes when ``binary``); ``actual(stack)`` the
        loss change each update of a stack made. With ``values``, every finding but
        ``unchanged`` (the only one that reads back) is decided once for each distinct end
        (value_fields.py); without, ``ends`` holds every end."""
        if len(self.kept) > MAX_KEPT:
            self.kept.clear()

        def around_of(stack: Stack) -> list[tuple]:
            pairs = self._before_and_after(stack, actual)
            return [(b.encode(), a.encode()) for b, a in pairs] if binary else pairs

        around = (around_of(ends.stack) if values is None
                  else values.column(ends, ("diagnostics",), around_of))
        middle: list[list] = [[] for _ in ends.keys]
        if history is not None:
            _unchanged(ends, self.model, history, middle, self.write, binary)
        listed = _listed_bytes if binary else _listed
        return [listed(before, found, after) for (before, after), found in zip(around, middle)]

    def _before_and_after(self, stack: Stack, actual: Callable[[Stack], Sequence[float]]
                ) -> list[tuple[str, str]]:
        """Each record's findings before ``unchanged`` and after it, as texts."""
        model, records = self.model, stack.records
        found: list[list[str]] = [[] for _ in records]
        _flow(stack, model, found, self.text)
        if any(spec.recipe.saturates for spec in model.layers):
            self._screened(records, [True] * len(records), found,
                           lambda rec: saturated(rec, model))
        screens = _norm_screens(stack, model)
        for kind in ("vanishing", "exploding"):
            self._screened(records, screens[kind], found, lambda rec, kind=kind: detect(
                kind, rec, model, None, DEFAULTS[kind]))
        _dying(stack, model, found, self.text)
        self._screened(records, screens["update_ratio"], found, lambda rec: detect(
            "update_ratio", rec, model, None, DEFAULTS["update_ratio"]))
        after: list[list[str]] = [[] for _ in records]
        self._screened(records, _flips(stack, model), after,
                       lambda rec: sign_changes(rec, model))
        self._screened(records, [a > 0 for a in actual(stack)], after,
                       lambda rec: overshoot(rec, model))
        return [(", ".join(b), ", ".join(a)) for b, a in zip(found, after)]

    def text(self, key: tuple, make: Callable[..., Finding], *args: Any) -> str:
        """The text of the finding ``make(*args)``, kept by ``key``: what it is made of
        (numbers and names, never a 0 whose sign could differ)."""
        held = self.kept.get(key)
        if held is None:
            held = self.kept[key] = self.write(make(*args))
        return held

    def _screened(self, records: Sequence[Record], flagged: Sequence[bool],
                  found: list[list[str]], decide: Callable[[Record], list[Finding]]) -> None:
        for rec, flag, out in zip(records, flagged, found):
            if flag:
                out += map(self.write, decide(rec))


Text = Callable[..., str]  # FindingTexts.text


def _listed(before: str, found: list[str], after: str) -> str:
    """A record's findings as a JSON list: those before ``unchanged``, it, those after."""
    return "[" + ", ".join([t for t in (before, *found, after) if t]) + "]"


def _listed_bytes(before: bytes, found: list[bytes], after: bytes) -> bytes:
    """``_listed`` in UTF-8."""
    return b"[" + b", ".join([t for t in (before, *found, after) if t]) + b"]"


def _input(k: int) -> tuple:
    return ("x",) if k == 0 else ("o", k - 1)


def _flow_into(model: Model, k: int) -> tuple:
    return ("loss_delta",) if k == len(model.layers) - 1 else ("d", k + 1)


@np.errstate(over="ignore", invalid="ignore")  # as _scale
def _terms_scale(stack: Stack, model: Model, k: int) -> np.ndarray:
    """``flow_findings._scale`` of layer ``k`` for every record: its recipe's ``terms`` of the
    stacked arrays, times the tolerance."""
    spec = model.layers[k]
    params = {key: stack["w", k, key] for key in stack.records[0].params[k]}
    return spec.recipe.terms(spec, params, stack[_input(k)], stack["o", k]) * _ULPS


def _flow(stack: Stack, model: Model, found: list[list[str]], text: Text) -> None:
    """Blocked and rounding findings (flow_findings.findings) of every record."""
    records = stack.records
    for k, spec in enumerate(model.layers):
        if not spec.recipe.kink or k == 0:
            continue
        x_in = stack[_input(k)]
        scale = _terms_scale(stack, model, k - 1)
        flagged = rounding = (np.abs(x_in) <= scale) & (x_in != 0) & np.isfinite(scale)
        flow = stack[_flow_into(model, k)]
        blocked = np.zeros_like(rounding)
        if spec.recipe.blocks:
            blocked = spec.recipe.blocked(spec, x_in, flow)
            flagged = rounding | blocked
        at = flagged.nonzero()
        cells = zip(*(axis.tolist() for axis in at), x_in[at].tolist(), rounding[at].tolist(),
                    blocked[at].tolist(), flow[at].tolist(), scale[at].tolist())
        for t, b, i, v, rounded, stopped, delta, size in cells:
            sample = records[t].samples[b]
            if rounded:
                found[t].append(text(("rounding", k, i, sample, v, size), rounding_finding,
                                     k, spec.name, i, sample, v, size))
            if stopped:
                # an input of 0 blocks at grad_at_zero 0: its sign is part of the key
                key = ("blocked", k, i, sample, v if v else repr(v), delta)
                found[t].append(text(key, blocked_finding,
                                     k, spec.name, i, sample, v, delta))


def _dying(stack: Stack, model: Model, found: list[list[str]], text: Text) -> None:
    """``dying`` findings (default share) of every record."""
    (share,) = DEFAULTS["dying"]
    for k, spec in enumerate(model.layers):
        if k == 0 or not spec.recipe.blocks:
            continue
        dead = spec.recipe.blocked(spec, stack[_input(k)], True).all(axis=1)
        size = dead.shape[1]
        for t, count in enumerate(np.count_nonzero(dead, axis=1).tolist()):
            if count * share.denominator >= share.numerator * size:
                batch = len(stack.records[t].samples)
                found[t].append(text(("dying", k, count, size, batch), dying_finding,
                                     k, model, count, size, share, batch))


def _unchanged(ends: Ends, model: Model, history: History, found: list[list],
               write: Texts, binary: bool = False) -> None:
    """``unchanged`` findings (default count) of every end: the run of updates that left a
    layer's weights as they were, carried from one end to the next (the ends are
    consecutive); the run before the first end is read back in the history as the detector
    reads it. ``binary``: the texts in UTF-8."""
    (n,) = DEFAULTS["unchanged"]
    iterations = ends.iterations
    for k in model.trainable:
        run = _run_before(iterations[0], model, k, n, history)
        around = None
        for t, still in enumerate(ends.unmoved(k).tolist()):
            run = min(n, run + 1) if still else 0
            if run == n:
                iteration = iterations[t]
                if around is None:
                    around = _around(write(unchanged_finding(k, model, n, iteration)),
                                     iteration - n + 1, iteration)
                    if binary:  # one %-template: "%" in the text doubled
                        around = (around[0].encode().replace(b"%", b"%%")
                                  + b"%d \xe2\x80\x93 %d"
                                  + around[1].encode().replace(b"%", b"%%"))
                if binary:
                    found[t].append(around % (iteration - n + 1, iteration))
                else:
                    found[t].append(f"{around[0]}{iteration - n + 1} – {iteration}{around[1]}")


def _around(text: str, first: int, last: int) -> tuple[str, str]:
    """The text of an ``unchanged`` finding before and after its "first – last" iterations
    (the only part that differs from one iteration to the next: digits, written as they
    are; nothing after them is a name)."""
    span = f"(iterations {first} – {last})"
    at = text.rindex(span)
    return text[:at + len("(iterations ")], text[at + len(span) - 1:]


def _run_before(iteration: int, model: Model, k: int, n: int, history: History) -> int:
    """How many updates in a row up to the one before ``iteration`` left layer ``k`` as it
    was (at most ``n``): ``detectors.unchanged``'s walk, one iteration earlier."""
    from .detectors import _unmoved

    run, r = 0, history(iteration - 1)
    while run < n and r is not None and r.new_params is not None and _unmoved(r, model, k):
        run, r = run + 1, history(r.iteration - 1)
    return run


def _norm_screens(stack: Stack, model: Model) -> dict[str, list[bool]]:
    """Per record, whether vanishing, exploding or update_ratio may hold (default thresholds),
    from norms that agree with the detectors' to within SLACK."""
    linear, count = model.trainable, len(stack.records)
    grads = {k: norms(stack["g", k, "w"]) for k in linear}
    never = np.zeros(count, bool)
    vanishing = exploding = never
    if linear:
        ratio, most = (float(v) for v in DEFAULTS["exploding"])
        last = grads[linear[-1]]
        for k in linear:
            exploding = exploding | (grads[k] >= most * (1 - SLACK))
        if len(linear) > 1:
            first = grads[linear[0]]
            exploding = exploding | ((last > 0) & (first >= ratio * last * (1 - SLACK)))
            low, least = (float(v) for v in DEFAULTS["vanishing"])
            vanishing = ((last > 0) & (first <= low * last * (1 + SLACK))
                         & (first <= least * (1 + SLACK)))
    update = never
    low, high = (float(v) for v in DEFAULTS["update_ratio"])
    for k in linear:
        w = stack["w", k, "w"]
        with np.errstate(over="ignore", invalid="ignore"):
            step = norms(stack["n", k, "w"] - w)
        size = norms(w)
        update = update | ((step > 0) & ((step <= low * size * (1 + SLACK))
                                         | (step >= high * size * (1 - SLACK))))
    return {"vanishing": vanishing.tolist(), "exploding": exploding.tolist(),
            "update_ratio": update.tolist()}


def _flips(stack: Stack, model: Model) -> list[bool]:
    """Per record, whether its update flipped the sign of a weight or bias."""
    count = len(stack.records)
    flipped = np.zeros(count, bool)
    for k in model.trainable:
        for key in stack.records[0].params[k]:
            opposite = np.sign(stack["w", k, key]) * np.sign(stack["n", k, key]) < 0
            flipped |= opposite.reshape(count, -1).any(axis=1)
    return flipped.tolist()
