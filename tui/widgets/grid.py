"""Columns of cells laid out as lines of one ``Text``: what a Rich ``Table`` without a box
draws (two spaces between columns, a bold header row), built once per show.

Textual measures and renders a Rich Table anew on every layout and every paint; a panel made of
one Text is measured by its longest line and painted as it is. That difference was most of the
time of a step in the debugger (see benchmarks/tui_latency.py).

Not a widget: a pure builder. A cell is a ``str`` or a Rich ``Text`` (its styles are kept).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

GAP = "  "


def _cell(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(value)


def _aligned(cell: Text, width: int, justify: str) -> Text:
    """``cell`` padded with spaces to ``width`` cells, left, right or centred."""
    excess = width - cell_len(cell.plain)
    if excess <= 0:
        return cell
    if justify == "right":
        left = excess
    elif justify == "center":
        left = excess // 2
    else:
        left = 0
    out = Text(" " * left)
    out.append_text(cell)
    out.append(" " * (excess - left))
    return out


class Columns:
    """Rows of cells in aligned columns under a header; ``justify`` gives each column's
    alignment ("left", "right" or "center"), by default the first column left and the others
    right. ``add_line`` adds a line of its own (a note, a finding) that spans the columns and
    does not widen them. Drawn at a ``width``, column ``fill`` takes the room the others leave
    (at least ``fill_min``) and its cells wrap at word boundaries onto more lines."""

    def __init__(self, *headers: str | Text, justify: list[str] | None = None,
                 header_style: str = "bold", fill: int | None = None,
                 fill_min: int = 0) -> None:
        self.headers = [_cell(h) for h in headers]
        self.justify = justify or ["left"] + ["right"] * (len(headers) - 1)
        self.header_style = header_style
        self.fill, self.fill_min = fill, fill_min
        self.rows: list[tuple[list[Text], str] | Text] = []

    def add_row(self, *cells: str | Text, style: str = "") -> None:
        """A row; missing cells at the end are blank; ``style`` covers the whole line."""
        row = [_cell(c) for c in cells]
        row += [Text("")] * (len(self.headers) - len(row))
        self.rows.append((row, style))

    def add_line(self, line: str | Text) -> None:
        self.rows.append(_cell(line))

    def widths(self) -> list[int]:
        widths = [cell_len(h.plain) for h in self.headers]
        for row in self.rows:
            if isinstance(row, Text):
                continue
            for n, cell in enumerate(row[0]):
                widths[n] = max(widths[n], cell_len(cell.plain))
        return widths

    def text(self, width: int | None = None) -> Text:
        """Every line joined by newlines, the header first; ``width``: see ``fill``."""
        widths = self.widths()
        fill = self.fill if width is not None else None
        if fill is not None:
            others = sum(widths) - widths[fill] + len(GAP) * (len(widths) - 1)
            widths[fill] = max(self.fill_min, width - others)
        header = self._line(self.headers, widths)
        header.stylize(self.header_style)
        lines = [header]
        for row in self.rows:
            if isinstance(row, Text):
                lines.append(row)
                continue
            cells, style = row
            more: list[str] = []
            if fill is not None and cell_len(cells[fill].plain) > widths[fill]:
                first, *more = textwrap.wrap(cells[fill].plain, widths[fill]) or [""]
                cells = [*cells[:fill], Text(first, style=cells[fill].style), *cells[fill + 1:]]
            row_lines = [self._line(cells, widths)]
            for piece in more:  # the wrapped cell's next lines, the other cells blank
                blank = [Text("")] * len(cells)
                blank[fill] = Text(piece, style=row[0][fill].style)
                row_lines.append(self._line(blank, widths))
            for line in row_lines:
                if style:
                    line.stylize(style)
                lines.append(line)
        return Text("\n").join(lines)

    def _line(self, cells: list[Text], widths: list[int]) -> Text:
        return Text(GAP).join(_aligned(cell, width, justify)
                              for cell, width, justify in zip(cells, widths, self.justify))


class Fitted:
    """A Rich renderable drawing the first of ``choices`` (widest first) whose every line fits
    the width it is given, else the last one cropped: e.g. a row of weights that shows as many
    inputs as the panel has room for."""

    def __init__(self, choices: list[Text]) -> None:
        self.choices = choices

    def _choose(self, width: int) -> Text:
        for text in self.choices:
            if all(cell_len(line) <= width for line in text.plain.split("\n")):
                return text
        return self.choices[-1]

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self._choose(options.max_width))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        text = self._choose(options.max_width).copy()
        text.no_wrap, text.overflow = True, "ellipsis"
        yield text


class ByWidth(Visual):
    """A Textual visual drawn by ``draw(width)`` for the width the widget has: e.g. a table
    whose one column fills the room and wraps. Each width's drawing is made once."""

    def __init__(self, draw: Callable[[int], Text]) -> None:
        self.draw = draw
        self._drawn: dict[int, Content] = {}

    def at(self, width: int) -> Content:
        content = self._drawn.get(width)
        if content is None:
            content = self._drawn[width] = Content.from_rich_text(self.draw(width))
        return content

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.at(container_width).get_optimal_width(rules, container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.at(width).get_height(rules, width)

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        return self.at(width).render_strips(width, height, style, options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.draw(options.max_width)  # printable outside Textual (tests, exports)
