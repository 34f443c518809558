"""The scenario's own description (what to look for), under the data and the sign table: it
fills the room a small network leaves on a tall screen."""

from __future__ import annotations

from rich.text import Text

from .common import View
from .panel import Panel


def paragraphs(text: str) -> str:
    """Hard-wrapped TOML text as paragraphs that wrap to the panel's width."""
    blocks = [" ".join(line.strip() for line in block.splitlines() if line.strip())
              for block in text.strip().split("\n\n")]
    return "\n".join(b for b in blocks if b)


class AboutPanel(Panel):
    """Classes: -empty when the scenario has no description (the panel is then hidden)."""

    def inputs(self, view: View) -> tuple:
        return (view.scenario,)

    def draw(self, view: View) -> None:
        text = paragraphs(getattr(view.scenario, "description", "") or "")
        self.set_class(not text, "-empty")
        self.border_title = "about this scenario"
        self.put(Text(text, style="dim"))
