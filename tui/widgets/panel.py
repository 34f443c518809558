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
   Likewise the next operation's drawing, made while the debugger waited for the key
   (``prepare_next``; the session records the very record peeked), is put when the inputs and
   the end of the iteration it was sized on are those it was made for.
3. ``put(content)`` updates the widget and asks Textual for a layout pass only when the new
   content does not fit the room the panel holds (below): a layout pass measures every widget
   on the screen and Textual then renders them all again, most of the time of a step when only
   numbers changed. The content is measured as a layout pass would: its width and its height
   at the panel's present width, the end of the iteration's included (``HOLDS_STILL``), in the
   container of the last layout pass (ByWidth: the height at the present width).

The screen holds still. Within an iteration: a panel with ``HOLDS_STILL`` also measures
``drawing(view.end)``, what it will show at the end (the update) of the iteration at the
cursor, where every value of the iteration is known, and takes the larger of the two sizes, so
values appearing, findings or a longer number never move a panel. From one iteration to the
next: a panel holds the largest room it was laid out with (its width; its height at each width;
``held_width``, ``held_heights``) and asks for no less, so a new sample's shorter numbers do
not shrink it and going back and forth moves nothing; only content that needs more room lays
the screen out again. The room is let go (``let_go``: each panel's natural room again) when
the terminal's size or the numbers' style changes, and between the start of training and
training (``moment``): the start screen's transient lines ("none picked yet") are not held into
training. A resize lets go once, for the moment it makes: its layout pass measures the room the
next step holds. While the debugger waits for a key,
``prepare(end)`` draws and measures the next iteration's end beforehand
(tui/controllers/prefetch.py); the step into that iteration takes it if the inputs still match.

The room: a panel asks for its natural width, or the room it holds (``get_content_width``);
the screen shares the room left in each row of the layer strip by ``steps()``, the widths at
which each panel shows more (tui/widgets/room.py), taken from the end of the iteration and
held with the room, so that the strip keeps its rows and widths too.

A click on text styled ``pointing_at(weight)`` posts ``Panel.Picked`` with that weight.

Tests turn economising off to compare against a screen redrawn and laid out in full."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual, visualize
from textual.widgets import Static

from .common import WEIGHT_META, View, Weight, same_key
from .grid import ByWidth, KeepsRender, KeptContent, to_content

if TYPE_CHECKING:
    from nnstep.engine.records import Record

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
        # no links in a panel: Textual would look for "@click" in every segment's meta (the
        # weights' pointing_at) on every render, and redraw the panel whenever the mouse moved
        # onto another weight's value
        self.set_reactive(Static.auto_links, False)
        self.drawn_from: tuple | None = None  # the inputs of the last drawing
        self.reserved_from: tuple | None = None  # the inputs of the end of the iteration
        self.reserve: Visual | None = None  # what the end of the iteration shows
        self.prepared: tuple | None = None  # (inputs, visual) of the next iteration's end
        self.next_drawing: tuple | None = None  # (inputs, end record, visual) of the next operation
        self._reserve_changed = False  # a new reserve: the drawing's choices may change
        self._reserve_resized = False  # ... and it does not fit the room held
        self.economise = True
        self.shown: Visual | Text | None = None  # the content last put
        self._measured: tuple | None = None  # (container, viewport, width) of the last layout
        self.held_width = 0  # the widest content width laid out (the room held)
        self.held_heights: dict[int, int] = {}  # the tallest content laid out, by width
        self.held_for: tuple | None = None  # the moment the room is held for (``moment``)
        self._held_steps: tuple | None = None  # (steps,): the widths that show more, held
        self.asked_layout = False  # whether the last show asked for a layout pass
        self._styles_seen: dict[tuple, Style] = {}  # the style rendered under (classes, theme)

    def inputs(self, view: View) -> tuple | None:
        """What the panel draws from; None: draw on every change."""
        return None

    def looks(self, view: View) -> dict[str, bool]:
        """The classes ``view`` sets on the panel or takes off it (none by default)."""
        return {}

    def decorate(self, view: View) -> None:
        """Classes (``looks``) and titles for ``view``."""
        for name, on in self.looks(view).items():
            self.set_class(on, name)

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
        self._hold_for(moment(self.app.size, view.style, view.record))
        if self.HOLDS_STILL:
            self._plan(view.end)
        key = self.inputs(view)
        if key is not None and economise and not self._reserve_changed:
            if same_key(self.drawn_from, key):
                return
        self.drawn_from = key
        made, self.next_drawing = self.next_drawing, None
        if key is None or not economise:
            self.draw(view)
        elif self.reserve is not None and same_key(self.reserved_from, key):
            self.decorate(view)  # at the end of the iteration: what was drawn for it
            self.put(self.reserve)
        elif made is not None and made[1] is _end_record(view) and same_key(made[0], key):
            self.decorate(view)  # the next operation, drawn while the key was awaited
            self.put(made[2])
        else:
            self.draw(view)

    def _plan(self, end: View | None) -> None:
        """Measure what the end of the iteration shows, when it changed."""
        key = None if end is None else self.inputs(end)
        if key is not None and self.economise and same_key(self.reserved_from, key):
            return
        self.reserved_from = key
        prepared, self.prepared = self.prepared, None
        if end is None:
            self.reserve = None
        elif self.economise and prepared is not None and same_key(prepared[0], key):
            self.reserve = prepared[1]
        else:
            self.reserve = self._visual(self.drawing(end))
        self._reserve_changed = True
        new = self._room(self.reserve)  # None: no end, or not laid out yet (put lays out)
        self._reserve_resized = new is not None and not self._holds(new[0], new[1])
        if self._reserve_resized:
            self._held_steps = None  # the strip shares its room by the new end's steps

    def prepare(self, end: View) -> None:
        """Draw and measure what ``end`` shows (the end of the next iteration) before it is
        needed, while the debugger waits for a key: ``_plan`` takes it when the cursor gets
        there, if the panel's inputs are those of ``end`` then."""
        key = self.inputs(end) if self.HOLDS_STILL else None
        if key is None or same_key(self.reserved_from, key):
            return
        if self.prepared is None or not same_key(self.prepared[0], key):
            visual = self._visual(self.drawing(end))
            self._room(visual)  # drawn at the widths the next layout pass asks for
            self.prepared = (key, visual)

    def prepare_next(self, view: View) -> None:
        """Draw what ``view`` (the next operation's) shows before it is needed, while the
        debugger waits for a key (tui/controllers/prefetch.py), measured and rendered at the
        panel's present size under the style it last rendered with under ``view``'s classes
        (Textual takes those strips if it renders the same way, ``KeepsRender``): ``show``
        puts it when the cursor gets there, if the panel's inputs and the end of the
        iteration are those of ``view`` then (a drawing is sized on that end)."""
        key = self.inputs(view)
        if key is None or same_key(self.drawn_from, key) or same_key(self.reserved_from, key):
            return  # drawn on every change, unchanged there, or the end's drawing is put
        end, made = _end_record(view), self.next_drawing
        if made is not None and made[1] is end and same_key(made[0], key):
            return
        visual = self._visual(self.drawing(view))
        if type(visual) is Content:
            visual = KeptContent(visual)
        width, height = self.size
        if width:
            visual.get_height(self.styles, width)
            if isinstance(visual, KeepsRender):
                visual.render_strips(width, height, self._style_for(view),
                                     RenderOptions(self._get_style, self.styles))
        self.next_drawing = (key, end, visual)

    def _style_for(self, view: View) -> Style:
        """The style the panel renders with once ``view``'s classes are set: the one it
        rendered with under those classes last (its present style, until it has)."""
        classes = set(self.classes)
        for name, on in self.looks(view).items():
            (classes.add if on else classes.discard)(name)
        return self._styles_seen.get((frozenset(classes), self.app.theme), self.visual_style)

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's rendering, noting the style it renders with under the present classes."""
        self._styles_seen[(frozenset(self.classes), self.app.theme)] = self.visual_style
        return super().render_lines(crop)

    def _room(self, reserve: Visual | None) -> tuple | None:
        """What a layout pass reads of a reserve, in the container of the last one: its
        natural width, its height at the panel's width and the widths at which it shows more.
        A new iteration's end that fits the room held needs no layout pass (one would measure
        every widget on the screen, most of a step's time)."""
        if reserve is None or self._measured is None:
            return None
        container, _, width = self._measured
        steps = self._steps_of(reserve)
        return (self._asks_width(reserve, container),
                reserve.get_height(self.styles, width) if width else None,
                None if steps is None else tuple(steps))

    def _hold_for(self, now: tuple) -> None:
        """Let go of the room held when the moment (``moment``) changed: the terminal's size,
        the numbers' style, or between the start of training and training."""
        if now != self.held_for:
            self.let_go(now)

    def let_go(self, at: tuple) -> None:
        """Forget the room held: the next layout pass gives the panel its natural room, then
        held for the moment ``at`` (``moment``)."""
        self.held_for = at
        self.held_width = 0
        self.held_heights.clear()
        self._held_steps = None

    def _holds(self, width: int | None, height: int | None) -> bool:
        """Whether content this wide and tall (at the panel's present width) fits the room the
        last layout pass gave the panel."""
        if width is not None and width > self.held_width:
            return False
        if height is None or self._measured is None:
            return height is None
        return height <= self.held_heights.get(self._measured[2], 0)

    def _visual(self, drawing: Text | Visual) -> Visual:
        """What Textual shows of a drawing: a Text as the Content Textual makes of it, each
        style converted once (``to_content``)."""
        return to_content(drawing) if isinstance(drawing, Text) else visualize(self, drawing)

    def put(self, content: Text | Visual) -> None:
        """``update(content)``, laid out again only when it, or the end of the iteration,
        does not fit the room held."""
        self.shown = content
        self.update(self._visual(content), layout=False)
        size = self._room_of(content)
        layout = (not self.economise or size is None or not self._holds(*size)
                  or self._reserve_resized)
        self._reserve_changed, self._reserve_resized = False, False
        self.asked_layout = layout
        if layout:
            self.refresh(layout=True)

    def _room_of(self, content: Visual | Text) -> tuple | None:
        """The room ``content`` asks for now (the panel's present content when it is Text),
        the reserve's included, as (width, height); None before the first layout pass."""
        if isinstance(content, ByWidth):  # as wide as the panel is: the height of the
            width = self.content_region.width  # drawing or of the reserve, the larger
            if not width:
                return None
            height = content.get_height(self.styles, width)
            if self.reserve is not None:
                height = max(height, self.reserve.get_height(self.styles, width))
            return (None, height)
        if self._measured is None:
            return None
        container, viewport, width = self._measured
        return (self._natural_width(container, viewport),
                self._natural_height(container, viewport, width))

    def steps(self) -> list[int] | None:
        """The widths (border box) at which the panel shows more than at its natural width,
        as the end of the iteration needs them; [] when it has no more to show, None when any
        width shows more (heat maps). The strip shares its room by them (MainScreen.fit_panels);
        those of an end are held while later ends fit the room held, so that the strip keeps
        its rows and widths (at any width at least its natural one a panel shows the richest
        drawing that fits)."""
        if self._held_steps is not None:
            steps = self._held_steps[0]
            return None if steps is None else list(steps)
        steps = self._steps_of(None)
        if self.reserve is not None:
            self._held_steps = (steps,)
        return steps

    def _steps_of(self, reserve: Visual | None) -> list[int] | None:
        """The steps of ``reserve``, or of the end of the iteration, or of what is shown."""
        source = reserve if reserve is not None else (
            self.reserve if self.reserve is not None else self.shown)
        if isinstance(source, ByWidth) and source.steps is not None:
            return [width + self.styles.gutter.width for width in source.steps()]
        return []

    def get_content_width(self, container: Size, viewport: Size) -> int:
        """The content width the panel asks for: its natural width, or the widest it was
        given since the room was let go, within the container."""
        width = self._natural_width(container, viewport)
        self.held_width = max(self.held_width, width)
        return max(width, min(self.held_width, container.width))

    def _natural_width(self, container: Size, viewport: Size) -> int:
        """Its drawing's width, the whole title's, and what the end of the iteration needs."""
        width = super().get_content_width(container, viewport)
        if self.HOLDS_STILL and self.border_title:  # room for the whole title in the border
            width = max(width, cell_len(str(self.border_title)) + TITLE_MARGIN)
        if self.reserve is not None:
            width = max(width, self._asks_width(self.reserve, container))
        return width

    def _asks_width(self, content: Visual, container: Size) -> int:
        """The content width ``content`` asks for in ``container``."""
        return content.get_optimal_width(self.styles, container.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The natural height at ``width``, or the tallest the panel was at that width since
        the room was let go."""
        self._measured = (container, viewport, width)
        height = max(self._natural_height(container, viewport, width),
                     self.held_heights.get(width, 0))
        self.held_heights[width] = height
        return height

    def _natural_height(self, container: Size, viewport: Size, width: int) -> int:
        height = super().get_content_height(container, viewport, width)
        if self.reserve is not None and width:
            height = max(height, self.reserve.get_height(self.styles, width))
        return height

    def on_click(self, event: events.Click) -> None:
        place = event.style.meta.get(WEIGHT_META)
        if place is not None:
            event.stop()
            self.post_message(self.Picked(Weight(*place)))


def moment(size: Size, style: str, record: Record) -> tuple:
    """What the room a panel holds is held for: the terminal's size, the numbers' style, and
    whether ``record`` is the start of training, whose room (no sample picked, no iteration
    finished yet) is not held into training, nor training's into it."""
    return (size, style, record.index == 0)


def _end_record(view: View) -> object:
    """The record ending the iteration that ``view`` shows (what its drawing is sized on)."""
    return None if view.end is None else view.end.record
