"""Small values derived from one record, computed once: the trace, the findings, the sign table
and the conditions ask for the same ones (‖δw‖ of a layer, whether an update moved a layer's
weights, the update's loss change), and a look-back reads the same earlier records again at
every iteration. Held as long as the record is; keep only small values here (norms, flags,
scalars), never arrays the size of a layer, which would double a long history's memory."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary, ref

T = TypeVar("T")

_MEMO: WeakKeyDictionary = WeakKeyDictionary()  # record -> {key: (model, value)}
_LAST: tuple[ref, dict] = (ref(_MEMO), {})  # the record asked last (weakly) and its memo


def once(rec: Any, model: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, computed the first time ``key`` is asked of ``rec`` with ``model`` (a
    record is only ever analysed with its session's model; the model — or the part of it the
    value depends on, such as its optimizer — is checked all the same)."""
    global _LAST
    last, memo = _LAST
    if last() is not rec:  # the analyses of a line ask about the same record several times
        memo = _MEMO.get(rec)
        if memo is None:
            memo = _MEMO[rec] = {}
        _LAST = ref(rec), memo
    held = memo.get(key)
    if held is not None and held[0] is model:
        return held[1]
    value = compute()
    memo[key] = (model, value)
    return value
