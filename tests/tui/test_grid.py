"""tui/widgets/grid.py: columns drawn as one Text, against Rich's own Table as the oracle, the
width-dependent visual (ByWidth) the sign table and big layer panels are drawn with, and Text
made Textual Content with its styles converted once, against Textual's own conversion."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import assume, example, given
from hypothesis import strategies as st
from nnstep.tui.widgets.grid import (
    ByWidth,
    Columns,
    Fitted,
    KeptContent,
    height_of,
    to_content,
    under,
)
from nnstep.tui.widgets.heatmap import HeatMap
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.table import Table
from rich.text import Text
from textual._context import active_app
from textual.app import App
from textual.content import Content
from textual.css.styles import Styles
from textual.strip import Strip


def plain(renderable, width: int = 120) -> list[str]:
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return [line.rstrip() for line in console.file.getvalue().splitlines()]


ROWS = [("δ²", Text("-1/200", style="red"), "3/11600", Text("·", style="dim")),
        ("w₁", "1/200", Text("-3/11600", style="red"), "0"),
        ("a longer label", "1", "22", "333")]


def test_columns_draw_what_a_rich_table_without_a_box_draws() -> None:
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_edge=False,
                  header_style="bold")
    columns = Columns("", "broccoli", "Tagada", "→o²")
    for n, head in enumerate(["", "broccoli", "Tagada", "→o²"]):
        table.add_column(head, justify="left" if n == 0 else "right", no_wrap=True)
    for row in ROWS:
        table.add_row(*row)
        columns.add_row(*row)
    assert plain(columns.text()) == plain(table)


def test_columns_keep_cell_styles_and_style_a_whole_row() -> None:
    columns = Columns("a", "b")
    columns.add_row(Text("x", style="red"), "yy", style="reverse")
    text = columns.text()
    assert text.plain == "a   b\nx  yy"
    spans = {(text.plain[s.start:s.end], str(s.style)) for s in text.spans}
    assert ("x", "red") in spans and ("x  yy", "reverse") in spans and ("a   b", "bold") in spans


def test_a_note_line_spans_the_columns_without_widening_them() -> None:
    columns = Columns("", "o")
    columns.add_row("n1", "0")
    columns.add_line("… 120 more neurons")
    assert columns.text().plain.splitlines() == ["    o", "n1  0", "… 120 more neurons"]


def test_the_fill_column_takes_the_room_left_and_wraps() -> None:
    columns = Columns("w", "situation", "moved", justify=["left", "left", "center"], fill=1,
                      fill_min=5)
    columns.add_row("w1", "model output lower than expected", "✓")
    wide = columns.text(60).plain.splitlines()
    assert all(len(line) == 60 for line in wide) and wide[1].endswith("  ✓  ")
    narrow = columns.text(24).plain.splitlines()  # 24 − w (2) − moved (5) − gaps (4) = 13
    assert [line.rstrip() for line in narrow] == [
        "w   situation      moved", "w1  model output     ✓", "    lower than",
        "    expected"]


def test_fitted_shows_the_widest_choice_that_fits() -> None:
    choices = [Text("1234567890"), Text("12345"), Text("1234567")]
    assert Fitted(choices).choose(10).plain == "1234567890"
    assert Fitted(choices).choose(6).plain == "12345"
    assert Fitted(choices).choose(4).plain == "123…"  # none fits: the last one, cut


def test_by_width_draws_for_each_width_once_and_counts_strips_as_lines() -> None:
    drawn: list[int] = []

    def draw(width: int) -> list:
        drawn.append(width)
        return [Text("x" * width), Strip.blank(3), Text("wraps " * 3)]

    visual = ByWidth(draw)
    rules = Styles()
    assert visual.get_height(rules, 40) == 3
    assert visual.get_height(rules, 8) == 1 + 1 + 3  # "wraps wraps wraps" wraps at 8
    visual.get_height(rules, 40)
    assert drawn == [40, 8]
    assert plain(visual, 40)[0] == "x" * 40  # printable outside Textual


def test_to_content_keeps_a_base_style_as_the_theme_colour_would_draw_it() -> None:
    content = to_content(Text("flip", style="cyan"))
    assert content.plain == "flip" and content.spans  # a span, not a parsed "cyan" style


def test_a_heat_map_is_drawn_once_per_width_and_reused_for_the_same_array() -> None:
    values = np.arange(-12.0, 12.0).reshape(4, 6)
    heat = HeatMap(values, lines=2)
    first = heat.strips(6)
    assert heat.strips(6) is first and heat.drawn == (4, 6)
    assert [strip.cell_length for strip in first] == [6, 6]
    assert heat.same_as(values, 2, None)
    assert not heat.same_as(values.copy(), 2, None)  # an equal but new array: drawn anew
    assert not heat.same_as(values, 2, (0, 0))


CELLS = st.text(alphabet="ab δ²·…漢-0.5", max_size=9)


@given(st.integers(1, 4), st.lists(st.tuples(st.booleans(), st.lists(CELLS, max_size=5)),
                                   max_size=6), st.sampled_from(["bold", "dim"]))
def test_the_width_of_columns_is_that_of_their_widest_drawn_line(n, rows, header_style):
    """``Columns.width`` measures without drawing: the widest line of ``text()``, notes
    (lines of their own, even with line breaks) and wide characters included."""
    table = Columns(*[f"h{k}" * k for k in range(n)], header_style=header_style)
    for note, cells in rows:
        if note:
            table.add_line("\n".join(cells) or "x")
        else:
            table.add_row(*cells[:n])
    assert table.width() == max(cell_len(line) for line in table.text().plain.split("\n"))


STYLES = st.sampled_from([None, "", "dim", "green", "red", "bold red", "reverse", "cyan",
                          "on blue", RichStyle(color="red"), RichStyle(bold=True, dim=True),
                          RichStyle.from_meta({"weight": (1, 2, 3)}),
                          RichStyle(color="green") + RichStyle.from_meta({"weight": (1, 0, None)})])
TEXTS = st.tuples(st.lists(st.tuples(st.text(alphabet="ab ·δ²\n漢", max_size=5), STYLES),
                           max_size=6), STYLES)


def made(parts: list, base) -> Text:
    text = Text(style=base or "")
    for piece, style in parts:
        text.append(piece, style=style)
    return text


def same_content(ours: Content, textuals: Content) -> bool:
    return ours.plain == textuals.plain and ours.spans == textuals.spans


@given(st.lists(TEXTS, max_size=4), st.booleans())
def test_to_content_is_what_textual_converts_styles_once(texts, in_app) -> None:
    """Each text as Textual's ``Content.from_rich_text`` makes it (a base style as a span),
    outside an app and in one (its console's styles and ANSI theme), styles seen before
    included."""
    token = active_app.set(App()) if in_app else None
    try:
        for parts, base in texts * 2:
            text = made(parts, base)
            folded = Text().append_text(text) if text.style else text
            assert same_content(to_content(text), Content.from_rich_text(folded))
    finally:
        if token is not None:
            active_app.reset(token)


LINES = st.lists(st.text(alphabet="ab ·漢-", max_size=12), min_size=1, max_size=6)


def test_a_drawing_rendered_again_for_the_same_room_style_and_rules_reuses_its_strips() -> None:
    """What Textual renders of a ByWidth is kept for the width, height, style and text rules
    it was rendered for (a drawing rendered while a key is awaited is not rendered again when
    shown); any of them changed, or text selected, renders it anew, the same as a fresh
    drawing renders."""
    from textual.selection import Selection
    from textual.style import Style
    from textual.visual import RenderOptions

    rendered: list[int] = []

    def drawing() -> ByWidth:
        visual = ByWidth(lambda width: [Text("a long line that wraps " * 2), Strip.blank(3)])
        plain_render = visual._render

        def counted(*args):
            rendered.append(args[0])
            return plain_render(*args)

        visual._render = counted
        return visual

    def options(rules: Styles, selection=None) -> RenderOptions:
        return RenderOptions(lambda style: style, rules, selection)

    def lines(strips) -> list[str]:
        return [(strip.text, [s.style for s in strip]) for strip in strips]

    visual, rules, dark = drawing(), Styles(), Style(background=None)
    first = visual.render_strips(20, 5, dark, options(rules))
    assert lines(visual.render_strips(20, 5, dark, options(rules))) == lines(first)
    assert len(rendered) == 1
    wide, red = Styles(), Style.parse("red")
    everything = Selection(None, None)
    wide.text_wrap = "nowrap"
    for width, height, style, rules_, selected in [(30, 5, dark, rules, None),
                                                   (20, 4, dark, rules, None),
                                                   (20, 5, red, rules, None),
                                                   (20, 5, dark, wide, None),
                                                   (20, 5, dark, rules, everything)]:
        visual.render_strips(20, 5, dark, options(rules))  # the first again, kept
        got = visual.render_strips(width, height, style, options(rules_, selected))
        fresh = drawing().render_strips(width, height, style, options(rules_, selected))
        assert lines(got) == lines(fresh), (width, height, style)
    # each variant rendered anew (the first rendered again after it), and each fresh one
    assert len(rendered) == 1 + 2 * 5 - 1 + 5


def test_kept_content_renders_as_the_content_it_keeps() -> None:
    """A panel's text drawing made ahead (``KeptContent``) renders as Textual renders the
    Content, at each width, height, style and text rule; rendered again for the same, it gives
    the strips it kept."""
    from textual.style import Style
    from textual.visual import RenderOptions

    content = to_content(Text("loss ", style="bold") + Text("0.1234 " * 6, style="cyan")
                         + Text("\nsecond line", style="dim"))
    kept, nowrap = KeptContent(content), Styles()
    nowrap.text_wrap = "nowrap"
    for width, height, style, rules in [(40, None, Style(), Styles()), (12, 3, Style(), Styles()),
                                        (12, None, Style.parse("red"), Styles()),
                                        (12, None, Style(), nowrap)]:
        options = RenderOptions(lambda style: style, rules)
        got = kept.render_strips(width, height, style, options)
        want = content.render_strips(width, height, style, options)
        assert [(s.text, [g.style for g in s]) for s in got] == \
            [(s.text, [g.style for g in s]) for s in want], (width, height, style)
        again = kept.render_strips(width, height, style, options)
        assert all(a is b for a, b in zip(again, got, strict=True))
    assert kept.plain == content.plain and kept.get_height(Styles(), 12) == \
        content.get_height(Styles(), 12)


@given(LINES, st.integers(1, 20), st.integers(0, 3), st.sampled_from(["wrap", "nowrap"]),
       st.sampled_from(["fold", "ellipsis"]), st.booleans())
@example(["ab", "", "漢漢", "a b", "-"], 4, 0, "wrap", "fold", False)  # lines that fit
@example(["abc", "a"], 5, 1, "wrap", "fold", False)  # "abc" is past the room the pad leaves
@example(["a", "b"], 4, 0, "wrap", "fold", True)  # a tab: 8 cells
def test_a_height_without_wrapping_is_textuals(lines, width, pad, wrap, overflow, tab) -> None:
    """``height_of`` counts lines that fit without wrapping them: the height Textual gives,
    wide characters, tabs, blank lines, padding and the text rules included."""
    assume(width > 2 * pad)  # no room left inside the padding: Textual's own measure fails
    rules = Styles()
    rules.line_pad, rules.text_wrap, rules.text_overflow = pad, wrap, overflow
    text = ("\t" if tab else "") + "\n".join(lines)
    assert height_of(Content(text), rules, width) == Content(text).get_height(rules, width)


COLOURS = st.sampled_from([None, "red", "#102030", "color(200)"])
SEGMENT_STYLES = st.one_of(
    st.none(),
    st.builds(RichStyle, color=COLOURS, bgcolor=COLOURS, bold=st.sampled_from([None, True, False]),
              dim=st.sampled_from([None, True]), link=st.sampled_from([None, "https://x.y"])),
    st.builds(lambda style, meta: style + RichStyle.from_meta(meta),
              st.builds(RichStyle, color=COLOURS, bgcolor=COLOURS),
              st.sampled_from([{"weight": (1, 2, 3)}, {}])))
BASES = st.one_of(st.builds(RichStyle, color=COLOURS, bgcolor=COLOURS),
                  st.builds(RichStyle, color=COLOURS, bold=st.just(True)),
                  st.just(RichStyle.from_meta({"weight": (0, 0, None)})), st.just(RichStyle()))


PANEL = RichStyle(color="#e0e0e0", bgcolor="#121212")  # a panel's base: colours only
BOTH = RichStyle(color="red", bgcolor="#102030")  # a heat map's cell


@given(st.lists(st.tuples(st.text(alphabet="▀ a", min_size=1, max_size=3), SEGMENT_STYLES,
                          st.booleans()), max_size=8), BASES)
@example([("▀", BOTH, False), ("▀", RichStyle(color="red"), False), ("a", None, False),
          ("a", RichStyle(bgcolor="red"), False), ("a", RichStyle(color="red", bold=True), False),
          ("▀", BOTH, True)], PANEL)
@example([("▀", BOTH, False), ("a", None, False)], RichStyle())
@example([("▀", BOTH, False)], RichStyle(color="red", bold=True))
def test_a_strip_under_a_base_style_is_textuals(segments, base) -> None:
    """``under`` gives the segments ``Strip.apply_style`` gives, style for style."""
    strip = Strip([Segment(text, style, [(1,)] if control else None)
                   for text, style, control in segments])
    ours, textuals = list(under(strip, base)), list(strip.apply_style(base))
    assert [(s.text, s.style, s.control) for s in ours] == [
        (s.text, s.style, s.control) for s in textuals]
    assert under(strip, base).cell_length == strip.cell_length
