"""How the panels draw text cheaply: Textual measures and renders a Rich ``Table`` anew on every
layout and every paint, which was most of the time of a step in the debugger (see
benchmarks/tui_latency.py). Here instead:

- ``Columns``: cells in aligned columns, built as the lines of one Rich ``Text`` — what a Table
  without a box draws (two spaces between columns, a bold header row);
- ``Fitted`` / ``first_fitting``: the richest of several drawings that fits a width;
- ``ByWidth``: a Textual visual drawn for the width the widget has (a column that fills the
  room, heat maps as wide as the panel), each width once.

(A panel's update that asks for a layout pass only when the size may change is ``Panel.put``.)

Not widgets: builders used by the widgets. A cell is a ``str`` or a Rich ``Text``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.terminal_theme import TerminalTheme
from rich.text import Text
from textual._context import active_app
from textual.content import Content, Span
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

GAP = "  "


def _cell(value: str | Text) -> Text:
    return value if isinstance(value, Text) else Text(value)


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
        self.rows: list[tuple[list[Text], str | RichStyle] | Text] = []

    def add_row(self, *cells: str | Text, style: str | RichStyle = "") -> None:
        """A row; missing cells at the end are blank; ``style`` covers the whole line (and
        the lines a wrapped cell adds)."""
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

    def width(self) -> int:
        """The width of ``text()`` (no ``width``: nothing wraps), without drawing it: each row
        is its columns and the gaps between them; a line of its own is as wide as it is."""
        widths = self.widths()
        out = sum(widths) + len(GAP) * (len(widths) - 1)
        for row in self.rows:
            if isinstance(row, Text):
                out = max(out, *(cell_len(line) for line in row.plain.split("\n")))
        return out

    def text(self, width: int | None = None) -> Text:
        """Every line joined by newlines, the header first; ``width``: see ``fill``."""
        widths = self.widths()
        fill = self.fill if width is not None else None
        if fill is not None:
            others = sum(widths) - widths[fill] + len(GAP) * (len(widths) - 1)
            widths[fill] = max(self.fill_min, width - others)
        out = Text()
        self._put(out, self.headers, widths, self.header_style)
        for row in self.rows:
            out.append("\n")
            if isinstance(row, Text):
                out.append_text(row)
                continue
            cells, style = row
            more: list[str] = []
            if fill is not None and cell_len(cells[fill].plain) > widths[fill]:
                first, *more = textwrap.wrap(cells[fill].plain, widths[fill]) or [""]
                cells = [*cells[:fill], Text(first, style=cells[fill].style), *cells[fill + 1:]]
            self._put(out, cells, widths, style)
            for piece in more:  # the wrapped cell's next lines, the other cells blank
                blank = [Text("")] * len(cells)
                blank[fill] = Text(piece, style=row[0][fill].style)
                out.append("\n")
                self._put(out, blank, widths, style)
        return out

    def _put(self, out: Text, cells: list[Text], widths: list[int],
             style: str | RichStyle) -> None:
        """One line of ``cells`` appended to ``out``, each padded to its column's width and
        alignment; ``style`` over the whole line."""
        start = len(out)
        for n, (cell, width, justify) in enumerate(zip(cells, widths, self.justify)):
            if n:
                out.append(GAP)
            excess = width - cell_len(cell.plain)
            left = excess if justify == "right" else excess // 2 if justify == "center" else 0
            if left > 0:
                out.append(" " * left)
            out.append_text(cell)
            if excess - left > 0:
                out.append(" " * (excess - left))
        if style:
            out.stylize(style, start, len(out))


class Fitted:
    """The first of ``choices`` (widest first) whose every line fits a width, else the last
    one cropped with an ellipsis: e.g. a row of weights that shows as many inputs as the
    panel has room for."""

    def __init__(self, choices: list[Text]) -> None:
        self.choices = choices

    def choose(self, width: int) -> Text:
        return first_fitting(self.choices, width)


def first_fitting(choices: Iterable[Text], width: int) -> Text:
    """The first of ``choices`` (richest first; taken one by one, so a generator builds only
    what it must) whose every line fits ``width`` cells, else the last one cropped with an
    ellipsis."""
    last = Text("")
    for text in choices:
        if all(cell_len(line) <= width for line in text.plain.split("\n")):
            return text
        last = text
    lines = last.split("\n")
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return Text("\n").join(lines)


def ever_drawn(widths: Iterable[int]) -> list[int]:
    """Of drawings listed richest first with these ``widths``, the widths of those that some
    width draws (the richest that fits it): each narrower than every richer one. Ascending:
    the steps at which more room shows more (``ByWidth.steps``)."""
    out: list[int] = []
    for width in widths:
        if not out or width < out[-1]:
            out.append(width)
    return sorted(out)


def to_content(text: Text) -> Content:
    """``text`` as Textual Content, its colours as Textual draws a Text in a Static (a base
    style converted on its own would be parsed by Textual, e.g. "cyan" as #00ffff instead of
    the theme's cyan): what ``Content.from_rich_text`` makes, each span's style converted
    once per app (``_Converted``: a panel's hundreds of spans use a few styles, "dim",
    "green", "red", at ~10 µs a conversion)."""
    if text.style:
        text = Text().append_text(text)  # the base style as a span
    if not text._spans:
        return Content(text.plain, [])
    convert = _converted()
    return Content(text.plain, [Span(start, end, convert(style))
                                for start, end, style in text._spans])


class _Converted:
    """Rich styles (a name or a Style) as Textual styles, as ``Content.from_rich_text``
    converts them for ``console`` (None: no app is running) and ``theme`` (the app's ANSI
    theme), each once: at most MAX_STYLES kept."""

    MAX_STYLES = 4096

    def __init__(self, console: Console | None, theme: TerminalTheme | None) -> None:
        self.console, self.theme = console, theme
        self.get_style = RichStyle.parse if console is None else console.get_style
        self.known: dict[str | RichStyle, Style] = {}

    def __call__(self, style: str | RichStyle) -> Style:
        known = self.known.get(style)
        if known is None:
            if len(self.known) >= self.MAX_STYLES:
                self.known.clear()
            known = self.known[style] = Style.from_rich_style(
                self.get_style(style) if isinstance(style, str) else style, self.theme)
        return known


_LAST_CONVERTED: list[_Converted] = []  # the converter of the app converting last


def _converted() -> _Converted:
    """The converter for the running app (its console and ANSI theme)."""
    try:
        app = active_app.get()
    except LookupError:
        console, theme = None, None
    else:
        console, theme = app.console, app.ansi_theme
    last = _LAST_CONVERTED[0] if _LAST_CONVERTED else None
    if last is None or last.console is not console or last.theme is not theme:
        last = _Converted(console, theme)
        _LAST_CONVERTED[:] = [last]
    return last


def under(strip: Strip, base: RichStyle) -> Strip:
    """``strip.apply_style(base)``: each segment's style over ``base``. When ``base`` has
    colours only, a segment whose style has both colours is left as it is (``base`` + it is
    equal to it): a heat map's hundreds of segments are not made again at every paint."""
    if not base or base._set_attributes or base._link or base._meta:
        return strip.apply_style(base)
    segments = []
    for segment in strip:
        style = segment.style
        if (style is None or segment.control or style._color is None or style._bgcolor is None
                or style._attributes & ~style._set_attributes):
            segment = Segment(segment.text, None if segment.control else base + style,
                              segment.control)
        segments.append(segment)
    return Strip(segments, strip.cell_length)


def height_of(content: Content, rules: RulesMap, width: int) -> int:
    """``content.get_height(rules, width)``, without wrapping it when no line needs it: its
    lines, when each fits the width left by the rules' ``line_pad`` and none has a tab (Textual
    wraps a line only past the width, and a line's tabs widen it)."""
    room = width - 2 * rules.get("line_pad", 0)
    lines = content.plain.split("\n")
    if room > 0 and "\t" not in content.plain and all(cell_len(line) <= room for line in lines):
        return len(lines)
    return content.get_height(rules, width)


class KeepsRender:
    """A visual that keeps the strips it rendered last: rendered again for the same width,
    height, style and text rules with no text selected, it gives those strips (a drawing
    rendered ahead, while the debugger waits for a key, is not rendered again when shown).
    ``_render`` renders."""

    _rendered: tuple | None = None  # (what it was rendered for, the strips) last

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        if options.selection is not None or options.post_style is not None:
            return self._render(width, height, style, options)
        rule = options.rules.get
        key = (width, height, style, rule("text_align", "left"), rule("text_overflow", "fold"),
               rule("text_wrap", "wrap"), rule("line_pad", 0))
        if self._rendered is None or self._rendered[0] != key:
            self._rendered = (key, self._render(width, height, style, options))
        return list(self._rendered[1])

    def _render(self, width: int, height: int | None, style: Style,
                options: RenderOptions) -> list[Strip]:
        raise NotImplementedError


class KeptContent(KeepsRender, Content):
    """Textual Content that keeps its last render (``KeepsRender``): a panel's text drawing
    rendered ahead."""

    def __init__(self, content: Content) -> None:
        super().__init__(content.plain, content.spans, content.cell_length,
                         strip_control_codes=False)

    def _render(self, width: int, height: int | None, style: Style,
                options: RenderOptions) -> list[Strip]:
        return Content.render_strips(self, width, height, style, options)


class ByWidth(KeepsRender, Visual):
    """A Textual visual drawn by ``draw(width)`` for the width the widget has (e.g. a table
    whose one column fills the room and wraps, heat maps as wide as the panel). ``draw`` gives
    lines: Rich Text or Textual Content (which wrap if too long) and ready Strips (drawn as
    they are, over the widget's style). Each width's drawing is made once. ``natural(container
    width)``, when given, is the width it asks for (e.g. a comfortable table that shows more
    when given more room); by default the width of its drawing at the container's width.
    ``steps()``, when given, lists the widths at which the drawing gets richer (more samples,
    inputs, longer names): the room worth giving it beyond its natural width."""

    def __init__(self, draw: Callable[[int], list[Text | Content | Strip]],
                 natural: Callable[[int], int] | None = None,
                 steps: Callable[[], list[int]] | None = None) -> None:
        self.draw = draw
        self.natural = natural  # the width it asks for in a container (default: what it draws)
        self.steps = steps
        self._drawn: dict[int, list[Content | Strip]] = {}
        self._heights: dict[int, int] = {}  # the height of each width's drawing
        self.maps: list = []  # the heat maps drawn in it (a big layer's panel; tests read them)

    def at(self, width: int) -> list[Content | Strip]:
        """The drawing at ``width``: runs of text lines joined into one Content each."""
        blocks = self._drawn.get(width)
        if blocks is None:
            blocks, text = [], []
            for line in [*self.draw(width), None]:
                if isinstance(line, (Text, Content)):
                    text.append(line if isinstance(line, Content) else to_content(line))
                    continue
                if text:
                    blocks.append(Content("\n").join(text))
                    text = []
                if line is not None:
                    blocks.append(line)
            self._drawn[width] = blocks
        return blocks

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        if self.natural is not None:
            return min(container_width, self.natural(container_width))
        return max([b.cell_length if isinstance(b, Strip) else
                    b.get_optimal_width(rules, container_width)
                    for b in self.at(container_width)], default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        """The height at ``width`` (measured once: a panel's rules do not change)."""
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = sum(
                1 if isinstance(b, Strip) else height_of(b, rules, width)
                for b in self.at(width))
        return height

    def _render(self, width: int, height: int | None, style: Style,
                options: RenderOptions) -> list[Strip]:
        strips: list[Strip] = []
        base = style.rich_style
        for block in self.at(width):
            if isinstance(block, Strip):
                strips.append(under(block, base).crop(0, width))
            else:
                strips.extend(block.render_strips(width, None, style, options))
        return strips if height is None else strips[:height]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """Printable outside Textual (tests, exports)."""
        for line in self.draw(options.max_width):
            if isinstance(line, Strip):
                yield from line
                yield Segment.line()
            else:
                yield line

