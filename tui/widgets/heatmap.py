"""A heat map of a matrix (a layer's w or δw) in half-block characters, sized at render time to
the width it is given: each character is two cells (upper half the foreground, lower half the
background); the matrix is block-reduced with ``engine.summary.downsample`` (a block keeps its
value of largest magnitude, so one large or non-finite weight stays visible).

Colours follow the app: positive green, negative red, brightness by magnitude (square-root scale
up to the largest |value|), an exact zero dim grey, NaN / ±inf magenta.
Not a widget: a Rich renderable drawn inside a layer panel.
"""

from __future__ import annotations

import math

import numpy as np
from nnstep.engine.summary import downsample
from rich.color import Color
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

POSITIVE_RGB = (40, 215, 90)
NEGATIVE_RGB = (235, 60, 60)
ZERO_RGB = (58, 58, 58)
LOUD_RGB = (255, 0, 255)  # NaN and ±inf
MARK_RGB = (255, 255, 255)  # the block holding the selected weight
DARKEST = 0.22  # brightness of the smallest non-zero magnitude (so it differs from zero)
HALF = "▀"


def scale_of(values: np.ndarray) -> float:
    """The largest finite |value| (0.0 when there is none)."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else 0.0


def colour(value: float, scale: float) -> Color:
    """The colour of one cell (see the module doc)."""
    if not math.isfinite(value):
        return Color.from_rgb(*LOUD_RGB)
    if value == 0 or scale <= 0:
        return Color.from_rgb(*ZERO_RGB)
    level = DARKEST + (1 - DARKEST) * math.sqrt(min(1.0, abs(value) / scale))
    r, g, b = POSITIVE_RGB if value > 0 else NEGATIVE_RGB
    return Color.from_rgb(r * level, g * level, b * level)


class HeatMap:
    """``values`` [rows, cols] (float64 or exact) drawn in at most ``lines`` text lines and as many
    columns as the width allows (at most one character per matrix column)."""

    def __init__(self, values: np.ndarray, lines: int, scale: float | None = None,
                 mark: tuple[int, int] | None = None) -> None:
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim == 1:
            self.values = self.values[None, :]
        self.lines = max(1, lines)
        self.scale = scale_of(self.values) if scale is None else scale
        self.mark = mark  # (row, col) of the matrix drawn white, e.g. the selected weight
        self.drawn: tuple[int, int] = (0, 0)  # (rows, cols) of blocks at the last render
        self._grids: dict[int, np.ndarray] = {}  # Textual renders a widget several times
        self._segments: dict[int, list[Segment]] = {}

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(4, max(4, min(options.max_width, self.values.shape[1])))

    def grid(self, width: int) -> np.ndarray:
        """The block-reduced matrix for ``width`` characters: [≤ 2·lines, ≤ width]."""
        rows, cols = self.values.shape
        cols = min(cols, max(1, width))
        if cols not in self._grids:
            self._grids[cols] = downsample(self.values, min(rows, 2 * self.lines), cols)
        return self._grids[cols]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if width not in self._segments:
            self._segments[width] = list(self._draw(width))
        yield from self._segments[width]

    def _draw(self, width: int) -> RenderResult:
        blocks = self.grid(width)
        self.drawn = blocks.shape
        cells = [[colour(v, self.scale) for v in row] for row in blocks]
        if self.mark is not None:
            (rows, cols), (i, j) = self.values.shape, self.mark
            cells[_block(i, rows, blocks.shape[0])][_block(j, cols, blocks.shape[1])] = (
                Color.from_rgb(*MARK_RGB))
        for top in range(0, len(cells), 2):
            lower = cells[top + 1] if top + 1 < len(cells) else None
            for n, upper in enumerate(cells[top]):
                yield Segment(HALF, Style(color=upper, bgcolor=None if lower is None
                                          else lower[n]))
            yield Segment.line()


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
