"""How the layer strip shares the screen's width: the panels in rows, as many to a row as
their natural widths allow, then in each row the room left to the widths at which a panel shows
more (more samples, more inputs, longer names; ``Panel.steps``). ``RowsLayout`` places them so.

Pure functions of widths (border boxes, in cells), used by MainScreen.fit_layers, and the
Textual layout that draws their result.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.geometry import NULL_OFFSET, NULL_SPACING, Region, Size
from textual.layout import ArrangeResult, Layout, WidgetPlacement
from textual.widget import Widget

Plan = list[list[tuple[Widget, int]]]  # rows of (panel, its width)


def rows_that_fit(need: Sequence[int], width: int) -> list[list[int]]:
    """The panels (by index, in reading order) in rows: each row takes the next panels while
    their natural widths ``need`` fit ``width`` (a panel wider than that has a row of its
    own)."""
    rows: list[list[int]] = []
    used = 0
    for n, w in enumerate(need):
        if not rows or used + w > width:
            rows.append([])
            used = 0
        rows[-1].append(n)
        used += w
    return rows


def share(width: int, need: Sequence[int], steps: Sequence[list[int] | None]) -> list[int]:
    """The widths of a row's panels: each one's ``need``, then the room left to the next step
    of a panel (the one that grows least beyond its need goes first, so every panel gains in
    turn) while the room holds it; what is left goes evenly to the panels whose steps are None
    (any width shows more). The total never exceeds ``width`` unless the needs alone do."""
    widths = list(need)
    spare = width - sum(widths)
    while spare > 0:
        best: tuple[int, int, int] | None = None  # (gain over its need, column, next width)
        for c, options in enumerate(steps):
            if options is None:
                continue
            nxt = next((s for s in options if s > widths[c]), None)
            if nxt is None or nxt - widths[c] > spare:
                continue
            if best is None or (nxt - need[c], c) < best[:2]:
                best = (nxt - need[c], c, nxt)
        if best is None:
            break
        _, c, nxt = best
        spare -= nxt - widths[c]
        widths[c] = nxt
    anywhere = [c for c, options in enumerate(steps) if options is None]
    if spare > 0 and anywhere:
        for n, c in enumerate(anywhere):
            widths[c] += spare // len(anywhere) + (n < spare % len(anywhere))
    return widths


class RowsLayout(Layout):
    """The container's children in the rows of its ``plan`` (rows of (widget, border-box
    width)), each row as tall as its tallest panel, each panel as tall as its content at its
    width. Children not in the plan (before the first fit) follow in one row at their natural
    widths."""

    name = "rows"

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def arrange(self, parent: Widget, children: list[Widget], size: Size,
                greedy: bool = True) -> ArrangeResult:
        viewport = parent.app.viewport_size
        shown = set(children)
        rows: list[list[tuple[Widget, int | None]]] = [
            [(w, width) for w, width in row if w in shown] for row in self.plan]
        planned = {w for row in self.plan for w, _ in row}
        rows.append([(w, None) for w in children if w not in planned])
        placements: list[WidgetPlacement] = []
        y = 0
        for row in rows:
            x = tallest = 0
            for widget, width in row:
                gutter = widget.styles.gutter
                if width is None:
                    width = widget.get_content_width(size, viewport) + gutter.width
                height = widget.get_content_height(size, viewport,
                                                   max(0, width - gutter.width)) + gutter.height
                placements.append(WidgetPlacement(Region(x, y, width, height), NULL_OFFSET,
                                                  NULL_SPACING, widget))
                x += width
                tallest = max(tallest, height)
            y += tallest
        return placements
