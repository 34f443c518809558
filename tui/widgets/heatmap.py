"""A heat map of a matrix (a layer's w or δw) in half-block characters, sized at render time to
the width it is given: each character is two cells (upper half the foreground, lower half the
background); the matrix is block-reduced with ``engine.summary.downsample`` (a block keeps its
value of largest magnitude, so one large or non-finite weight stays visible).

Colours follow the app: positive green, negative red, brightness by magnitude (square-root scale
up to the largest |value|, in LEVELS steps), an exact zero dim grey, NaN / ±inf magenta.
Not a widget: Textual strips (lines of segments) drawn inside a layer panel; neighbouring cells
of the same colours share one segment, and a map is drawn once per width it is shown at.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache
from itertools import groupby

import numpy as np
from nnstep.engine.numbers import floats
from nnstep.engine.summary import downsample
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

POSITIVE_RGB = (40, 215, 90)
NEGATIVE_RGB = (235, 60, 60)
ZERO_RGB = (58, 58, 58)
LOUD_RGB = (255, 0, 255)  # NaN and ±inf
MARK_RGB = (255, 255, 255)  # the block holding the selected weight
DARKEST = 0.22  # brightness of the smallest non-zero magnitude (so it differs from zero)
HALF = "▀"


def scale_of(values: np.ndarray) -> float:
    """The largest finite |value| (0.0 when there is none). When every value is finite that
    is the larger of |min| and |max|, read without copying (a map of 784×128 weights is made
    at the first paint); else only the finite values are read."""
    if values.size:
        with np.errstate(invalid="ignore"):
            low, high = float(values.min()), float(values.max())
        if math.isfinite(low) and math.isfinite(high):
            return max(abs(low), abs(high))
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


LEVELS = 16  # brightness steps of a non-zero magnitude


def rgb(value: float, scale: float) -> tuple[int, int, int]:
    """The colour of one cell (see the module doc)."""
    if not math.isfinite(value):
        return LOUD_RGB
    if value == 0 or scale <= 0:
        return ZERO_RGB
    return _shade(round(math.sqrt(min(1.0, abs(value) / scale)) * LEVELS), value > 0)


@lru_cache(maxsize=2 * LEVELS + 2)
def _shade(step: int, positive: bool) -> tuple[int, int, int]:
    """The colour of a non-zero value ``step`` LEVELS of brightness up."""
    level = DARKEST + (1 - DARKEST) * (step / LEVELS)
    r, g, b = POSITIVE_RGB if positive else NEGATIVE_RGB
    return int(r * level), int(g * level), int(b * level)


def codes(values: np.ndarray, scale: float) -> np.ndarray:
    """A colour code per cell of ``values`` [rows, cols] (float64), computed for the whole
    block at once (a big layer's maps are drawn at its first paint): the cell's colour by
    ``rgb`` is ``_palette()[code]``. 0 zero, 1 not finite, else 2 + the step (+ LEVELS + 1
    when positive)."""
    with np.errstate(all="ignore"):
        steps = np.rint(np.sqrt(np.fmin(1.0, np.abs(values) / scale)) * LEVELS)
    out = np.where(values > 0, LEVELS + 3, 2) + np.nan_to_num(steps, nan=0.0).astype(int)
    out = np.where(True if scale <= 0 else values == 0, 0, out)
    return np.where(np.isfinite(values), out, 1)


def rgbs(values: np.ndarray, scale: float) -> list[list[tuple[int, int, int]]]:
    """``rgb`` of each cell of ``values`` [rows, cols] (float64), by ``codes``."""
    palette = _palette()
    return [[palette[code] for code in row] for row in codes(values, scale).tolist()]


MARK = 2 * LEVELS + 4  # the code of MARK_RGB (after the codes ``codes`` gives)
NO_CELL = MARK + 1  # the code of the cell under a map's last line when its rows are odd


@lru_cache(maxsize=1)
def _palette() -> tuple[tuple[int, int, int], ...]:
    """The colours by ``codes``, then MARK's."""
    return (ZERO_RGB, LOUD_RGB, *(_shade(step, False) for step in range(LEVELS + 1)),
            *(_shade(step, True) for step in range(LEVELS + 1)), MARK_RGB)


def colour(value: float, scale: float) -> Color:
    """The colour of one cell as a Rich colour (the legend)."""
    return Color.from_rgb(*rgb(value, scale))


@lru_cache(maxsize=(NO_CELL + 1) ** 2)
def _pair_style(upper: int, lower: int) -> Style:
    """The style of a character whose upper cell has colour code ``upper`` and lower cell
    ``lower`` (NO_CELL: none, the panel's background shows)."""
    palette = _palette()
    return Style.from_color(_rich_colour(palette[upper]),
                            None if lower == NO_CELL else _rich_colour(palette[lower]))


@lru_cache(maxsize=NO_CELL)
def _rich_colour(rgb: tuple[int, int, int]) -> Color:
    return Color.from_rgb(*rgb)


class HeatMap:
    """``values`` [rows, cols] (float64 or exact) drawn in at most ``lines`` text lines and as many
    columns as the width allows (at most one character per matrix column)."""

    def __init__(self, values: np.ndarray, lines: int, scale: float | None = None,
                 mark: tuple[int, int] | None = None) -> None:
        self.source = values  # the matrix as given (see same_as)
        self.values = floats(np.asarray(values))
        if self.values.ndim == 1:
            self.values = self.values[None, :]
        self.lines = max(1, lines)
        self.scale = scale_of(self.values) if scale is None else scale
        self.mark = mark  # (row, col) of the matrix drawn white, e.g. the selected weight
        self.drawn: tuple[int, int] = (0, 0)  # (rows, cols) of blocks at the last drawing
        self._grids: dict[int, np.ndarray] = {}  # per width drawn
        self._strips: dict[int, list[Strip]] = {}

    def same_as(self, values: np.ndarray, lines: int, mark: tuple[int, int] | None) -> bool:
        """True when this map draws ``values`` (the same array object: records share the arrays
        they did not change) the same way, so it can be shown again as drawn."""
        return self.source is values and self.lines == max(1, lines) and self.mark == mark

    def grid(self, width: int) -> np.ndarray:
        """The block-reduced matrix for ``width`` characters: [≤ 2·lines, ≤ width]."""
        rows, cols = self.values.shape
        cols = min(cols, max(1, width))
        if cols not in self._grids:
            self._grids[cols] = downsample(self.values, min(rows, 2 * self.lines), cols)
        return self._grids[cols]

    def strips(self, width: int) -> list[Strip]:
        """The map in at most ``width`` characters, one Strip per text line (made once per
        width: a map whose matrix did not change is not drawn again)."""
        blocks = self.grid(width)
        self.drawn = blocks.shape
        if width in self._strips:
            return self._strips[width]
        cells = codes(blocks, self.scale)
        if self.mark is not None:
            (rows, cols), (i, j) = self.values.shape, self.mark
            cells[_block(i, rows, blocks.shape[0]), _block(j, cols, blocks.shape[1])] = MARK
        if len(cells) % 2:
            cells = np.concatenate([cells, np.full((1, cells.shape[1]), NO_CELL)])
        pairs = cells[0::2] * (NO_CELL + 1) + cells[1::2]  # a code per character
        out = []
        for line in pairs.tolist():  # neighbouring characters of the same colours: a segment
            segments = [Segment(HALF * len(list(run)), _pair_style(*divmod(pair, NO_CELL + 1)))
                        for pair, run in groupby(line)]
            out.append(Strip(segments, len(line)))
        self._strips[width] = out
        return out


_RECENT: OrderedDict[tuple, HeatMap] = OrderedDict()  # the maps drawn last, newest last
RECENT_MAPS = 16  # enough for every map of the cursor's view and of the iteration's end


def heat_map(values: np.ndarray, lines: int, mark: tuple[int, int] | None = None) -> HeatMap:
    """The map of ``values`` (an array of a record), made once while it is among the
    RECENT_MAPS drawn last: the view at the cursor and the end of its iteration share arrays
    (a w no operation changed), and a layout pass draws both at several widths."""
    key = (id(values), max(1, lines), mark)
    known = _RECENT.get(key)
    if known is not None and known.same_as(values, lines, mark):
        _RECENT.move_to_end(key)
        return known
    made = _RECENT[key] = HeatMap(values, lines, mark=mark)
    while len(_RECENT) > RECENT_MAPS:
        _RECENT.popitem(last=False)
    return made


def _block(index: int, size: int, blocks: int) -> int:
    """The block holding ``index`` when ``size`` entries are cut into ``blocks`` the way
    ``downsample`` cuts them (edges ``linspace(0, size, blocks + 1)`` truncated)."""
    edges = np.linspace(0, size, blocks + 1).astype(int)
    return int(np.searchsorted(edges, index, side="right")) - 1


def legend(name: str, scale: float, text: str, steps: int = 4) -> Text:
    """``name`` and a colour ramp from −scale through 0 to +scale, then ``text`` (the scale)."""
    out = Text(f"{name} ", style="bold")
    for n in range(steps, 0, -1):
        out.append("█", style=Style(color=colour(-scale * n / steps, scale)))
    out.append("█", style=Style(color=Color.from_rgb(*ZERO_RGB)))
    for n in range(1, steps + 1):
        out.append("█", style=Style(color=colour(scale * n / steps, scale)))
    return out.append(f" ±{text}")
