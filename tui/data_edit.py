"""What a person types to edit an input or a target of the current batch:

    VALUE                 when there is a single input (or target)
    NAME = VALUE          by feature / target name ("broccoli = 250")
    N = VALUE             by 1-based position ("2 = -0.5")
    #K …                  any of the above for the K-th sample of the batch (default the first)

Returns positions; the value text is left for the engine to parse exactly."""

from __future__ import annotations

from nnstep.engine.errors import shown


class DataEditError(ValueError):
    """The text does not say which value to change."""


def parse_data_edit(text: str, names: list[str], batch: int) -> tuple[int, int, str]:
    """(batch position, index, value text), all positions 0-based."""
    rest = text.strip()
    position = 0
    if rest.startswith("#"):
        head, _, rest = rest[1:].partition(" ")
        if not 1 <= _count(head) <= batch:
            raise DataEditError(f"'#{shown(head)}' is not a sample of this batch (#1 … "
                                f"#{batch})")
        position, rest = _count(head) - 1, rest.strip()
    if "=" not in rest:
        if len(names) != 1:
            raise DataEditError(f"say which one: NAME = VALUE or N = VALUE ({_choices(names)})")
        return position, 0, rest
    key, _, value = (part.strip() for part in rest.partition("="))
    if key.isascii() and key.isdigit():
        if not 1 <= _count(key) <= len(names):
            raise DataEditError(f"{shown(key)} is not between 1 and {len(names)} "
                                f"({_choices(names)})")
        return position, _count(key) - 1, value
    folded = [n.casefold() for n in names]
    if key.casefold() not in folded:
        raise DataEditError(f"no value named '{shown(key)}' ({_choices(names)})")
    return position, folded.index(key.casefold()), value


def _count(text: str) -> int:
    """A 1-based number typed in ASCII digits (at most 9 of them); 0 for anything else (a
    superscript ², another script's digits or a number too long for int() are numbers to
    Python's isdigit)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else 0


def _choices(names: list[str]) -> str:
    return ", ".join(f"{i + 1} {n}" for i, n in enumerate(names))
