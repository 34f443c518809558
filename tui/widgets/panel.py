"""The base of every part of the main screen that draws the view the app pushes down.

The redraw protocol. On every change the screen calls ``show(view, economise)`` on each panel:

1. ``inputs(view)`` names what the panel draws from (a tuple compared by ``same_key``: arrays and
   mappings by identity, records sharing the arrays they did not change). When economising and
   the inputs are those of the last drawing, nothing happens. ``None`` (the default): the panel
   is drawn every time.
2. ``draw(view)`` draws the panel and hands its content to ``put``.
3. ``put(content)`` updates the widget and asks Textual for a layout pass only when the
   content's size may have changed: a layout pass measures every widget on the screen, most of
   the time of a step when only numbers changed. The size is that of each line (Text), or the
   height at the panel's present width (ByWidth).

Tests turn economising off to compare against a screen redrawn and laid out in full."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Static

from .common import View, same_key
from .grid import ByWidth


class Panel(Static):
    """A widget drawn from the view (see the module's redraw protocol)."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.drawn_from: tuple | None = None  # the inputs of the last drawing
        self.drawn_size: tuple | None = None  # the size of the content last put
        self.economise = True

    def inputs(self, view: View) -> tuple | None:
        """What the panel draws from; None: draw on every change."""
        return None

    def draw(self, view: View) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not say how it draws")

    def show(self, view: View, economise: bool = True) -> None:
        """Draw ``view`` unless (when ``economise``) the panel's inputs are unchanged."""
        self.economise = economise
        key = self.inputs(view)
        if key is not None and economise:
            if same_key(self.drawn_from, key):
                return
            self.drawn_from = key
        self.draw(view)

    def put(self, content: Text | ByWidth) -> None:
        """``update(content)``, laid out again only when its size may have changed."""
        size: tuple | None
        if isinstance(content, ByWidth):
            width = self.content_region.width
            size = (width, content.get_height(self.styles, width)) if width else None
        else:
            size = tuple(cell_len(line) for line in content.plain.split("\n"))
        layout = not self.economise or size is None or size != self.drawn_size
        self.drawn_size = size
        self.update(content, layout=layout)
