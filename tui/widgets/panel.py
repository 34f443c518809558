"""The base of every part of the main screen that draws the view the app pushes down.

The redraw protocol. On every change the screen calls ``show(view, economise)`` on each panel:

1. ``inputs(view)`` names what the panel draws from (a tuple compared by ``same_key``: arrays and
   mappings by identity, records sharing the arrays they did not change). When economising and
   the inputs are those of the last drawing, nothing happens. ``None`` (the default): the panel
   is drawn every time.
2. ``draw(view)`` draws the panel: ``decorate(view)`` sets its classes and titles, and
   ``drawing(view)`` (no side effects) gives what it shows, handed to ``put``. At the end of an
   iteration, whose drawing the panel made to keep room for it (below), that drawing is put
   again when the inputs are the same (the session records the very update computed ahead).
3. ``put(content)`` updates the widget and asks Textual for a layout pass only when the room
   the panel asks for changed: a layout pass measures every widget on the screen, most of the
   time of a step when only numbers changed. The room is what a layout pass would measure:
   the content's width and its height at the panel's present width, the end of the iteration's
   included (``HOLDS_STILL``), in the container of the last layout pass (ByWidth: the height
   at the present width). The content replaced is measured there too, so a layout pass that
   came after it was put (another panel's) does not make its next update ask for one again.

The screen holds still: a panel with ``HOLDS_STILL`` also measures ``drawing(view.end)``, what
it will show at the end (the update) of the iteration at the cursor, where every value of the
iteration is known, and takes the larger of the two sizes. Values appearing, findings or a
longer number then never move a panel within an iteration. A new iteration's end (the reserve)
that asks for the same room as the last one's needs no layout pass. While the debugger waits
for a key, ``prepare(end)`` draws and measures the next iteration's end beforehand
(tui/controllers/prefetch.py); the step into that iteration takes it if the inputs still match.

The room: a panel asks for its natural width (``get_content_width``); the screen shares the
room left in each row of the layer strip by ``steps()``, the widths at which each panel shows
more (tui/widgets/room.py). Both come from the end of the iteration, so a panel's width holds
through an iteration too.

A click on text styled ``pointing_at(weight)`` posts ``Panel.Picked`` with that weight.

Tests turn economising off to compare against a screen redrawn and laid out in full."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.visual import Visual, visualize
from textual.widgets import Static

from .common import WEIGHT_META, View, Weight, same_key
from .grid import ByWidth

TITLE_MARGIN = 3  # "╭─ title ─╮" is the title and 6 cells; a panel's gutter takes 3


class Panel(Static):
    """A widget drawn from the view (see the module's redraw protocol)."""

    HOLDS_STILL = False  # reserve the room the end of the iteration needs

    class Picked(Message):
        """The person clicked on a weight's value or row."""

        def __init__(self, weight: Weight) -> None:
            super().__init__()
            self.weight = weight

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.drawn_from: tuple | None = None  # the inputs of the last drawing
        self.reserved_from: tuple | None = None  # the inputs of the end of the iteration
        self.reserve: Visual | None = None  # what the end of the iteration shows
        self.reserve_drawing: Text | ByWidth | None = None  # ... as drawing(end) gave it
        self.prepared: tuple | None = None  # (inputs, drawing, visual) of the next iteration's end
        self._reserve_changed = False  # a new reserve: the drawing's choices may change
        self._reserve_resized = False  # ... and the room it asks for changed too
        self.economise = True
        self.shown: Visual | Text | None = None  # the content last put
        self._measured: tuple | None = None  # (container, viewport, width) of the last layout
        self.asked_layout = False  # whether the last show asked for a layout pass

    def inputs(self, view: View) -> tuple | None:
        """What the panel draws from; None: draw on every change."""
        return None

    def decorate(self, view: View) -> None:
        """Classes and titles for ``view`` (none by default)."""

    def drawing(self, view: View) -> Text | ByWidth:
        """What the panel shows for ``view``; no side effects."""
        raise NotImplementedError(f"{type(self).__name__} does not say what it shows")

    def draw(self, view: View) -> None:
        self.decorate(view)
        self.put(self.drawing(view))

    def show(self, view: View, economise: bool = True) -> None:
        """Draw ``view`` unless (when ``economise``) the panel's inputs are unchanged."""
        self.economise = economise
        self.asked_layout = False
        if self.HOLDS_STILL:
            self._plan(view.end)
        key = self.inputs(view)
        if key is not None and economise and not self._reserve_changed:
            if same_key(self.drawn_from, key):
                return
        self.drawn_from = key
        if (key is not None and economise and self.reserve_drawing is not None
                and same_key(self.reserved_from, key)):
            self.decorate(view)  # at the end of the iteration: what was drawn for it
            self.put(self.reserve_drawing)
            return
        self.draw(view)

    def _plan(self, end: View | None) -> None:
        """Measure what the end of the iteration shows, when it changed."""
        key = None if end is None else self.inputs(end)
        if key is not None and self.economise and same_key(self.reserved_from, key):
            return
        self.reserved_from = key
        room = self._room(self.reserve)
        prepared, self.prepared = self.prepared, None
        if end is None:
            self.reserve = self.reserve_drawing = None
        elif self.economise and prepared is not None and same_key(prepared[0], key):
            _, self.reserve_drawing, self.reserve = prepared
        else:
            self.reserve_drawing = self.drawing(end)
            self.reserve = visualize(self, self.reserve_drawing)
        self._reserve_changed = True
        self._reserve_resized = room is None or self._room(self.reserve) != room

    def prepare(self, end: View) -> None:
        """Draw and measure what ``end`` shows (the end of the next iteration) before it is
        needed, while the debugger waits for a key: ``_plan`` takes it when the cursor gets
        there, if the panel's inputs are those of ``end`` then."""
        key = self.inputs(end) if self.HOLDS_STILL else None
        if key is None or same_key(self.reserved_from, key):
            return
        if self.prepared is None or not same_key(self.prepared[0], key):
            drawing = self.drawing(end)
            visual = visualize(self, drawing)
            self._room(visual)  # drawn at the widths the next layout pass asks for
            self.prepared = (key, drawing, visual)

    def _room(self, reserve: Visual | None) -> tuple | None:
        """What a layout pass reads of a reserve, in the container of the last one: its
        natural width, its height at the panel's width and the widths at which it shows more.
        A new iteration's end that asks for the same room needs no layout pass (one would
        measure every widget on the screen, most of a step's time)."""
        if reserve is None or self._measured is None:
            return None
        container, _, width = self._measured
        steps = self.steps(reserve)
        return (reserve.get_optimal_width(self.styles, container.width),
                reserve.get_height(self.styles, width) if width else None,
                None if steps is None else tuple(steps))

    def put(self, content: Text | ByWidth) -> None:
        """``update(content)``, laid out again only when the room it asks for may have changed:
        the room of the content it replaces and of the new one, measured in the container of
        the last layout pass (measured there the replaced one is as the pass left it, even
        when the pass came after it was put), or a reserve that asks for other room."""
        before = self._room_of(self.shown) if self.economise and self.shown is not None else None
        self.shown = content
        self.update(content, layout=False)
        size = self._room_of(content)
        layout = (not self.economise or size is None or size != before
                  or self._reserve_resized)
        self._reserve_changed, self._reserve_resized = False, False
        self.asked_layout = layout
        if layout:
            self.refresh(layout=True)

    def _room_of(self, content: Visual | Text) -> tuple | None:
        """The room a layout pass would give ``content`` now (the panel's present content when
        it is Text), the reserve's included; None before the first layout pass."""
        if isinstance(content, ByWidth):  # as wide as the panel is: the height of the
            width = self.content_region.width  # drawing or of the reserve, the larger
            if not width:
                return None
            height = content.get_height(self.styles, width)
            if self.reserve is not None:
                height = max(height, self.reserve.get_height(self.styles, width))
            return (width, height)
        if self._measured is None:
            return None
        container, viewport, width = self._measured
        return (self.get_content_width(container, viewport),
                self.get_content_height(container, viewport, width))

    def steps(self, reserve: Visual | None = None) -> list[int] | None:
        """The widths (border box) at which the panel shows more than at its natural width,
        as the end of the iteration (or ``reserve``) needs them; [] when it has no more to
        show, None when any width shows more (heat maps)."""
        source = reserve if reserve is not None else (
            self.reserve if self.reserve is not None else self.shown)
        if isinstance(source, ByWidth) and source.steps is not None:
            return [width + self.styles.gutter.width for width in source.steps()]
        return []

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """The content width the panel asks for (its natural width): its drawing's, the whole
        title's, and what the end of the iteration needs."""
        width = super().get_content_width(container, viewport)
        if self.HOLDS_STILL and self.border_title:  # room for the whole title in the border
            width = max(width, cell_len(str(self.border_title)) + TITLE_MARGIN)
        if self.reserve is not None:
            width = max(width, self.reserve.get_optimal_width(self.styles, container.width))
        return width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._measured = (container, viewport, width)
        height = super().get_content_height(container, viewport, width)
        if self.reserve is not None and width:
            height = max(height, self.reserve.get_height(self.styles, width))
        return height

    def on_click(self, event: events.Click) -> None:
        place = event.style.meta.get(WEIGHT_META)
        if place is not None:
            event.stop()
            self.post_message(self.Picked(Weight(*place)))
