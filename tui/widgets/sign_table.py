"""The sign analysis: one row per weight — δ^{k+1}, o^{k−1}, δw signs, the predicted move, the
situation in words, and after the update whether the weight moved as predicted (✓ / ✗). The
findings (blocked flow, float rounding …) follow, the most serious kinds first: the first ten
in full, the rest counted."""

from __future__ import annotations

from collections import Counter

from rich.cells import cell_len
from rich.style import Style as RichStyle
from rich.text import Text

from .common import (
    BLANK,
    BLANK_TEXT,
    FINDING_MARKS,
    SELECTED,
    View,
    input_names,
    pointing_at,
    short,
    sign_text,
    weight_label,
)
from .grid import GAP, ByWidth, Columns, ever_drawn
from .panel import Panel

# the filters (tui/sign_view.py) as the title names them
LABELS = {"all": "all weights", "largest": "largest |δw|", "moving": "moving (δw ≠ 0)",
          "against": "moved against the prediction"}
MOVES = {"increase": "↑ increase", "decrease": "↓ decrease", "keep": "= keep"}
MAX_FINDINGS = 10  # findings listed in full; the rest are counted per kind
NAME_WIDTHS = (24, 16, 10, 0)  # letters of an input's name, as the width has room (0: none)
SITUATION, SITUATION_LEAST = 5, 32  # the situation's column, the least letters it wraps at
# the order findings are listed in: what stops or spoils training first
FIRST = {"nonfinite": 0, "exploding": 1, "overshoot": 2, "rounding": 3, "blocked": 4, "dying": 5,
         "vanishing": 6, "saturated": 7, "update_ratio": 8, "unchanged": 9, "sign": 10}


class SignTable(Panel):
    """The weights the app chose (``view.sign_places``: all around the selection, or a filter's
    largest |δw|); rows whose δw is not known yet are blank ("·")."""

    HOLDS_STILL = True

    def inputs(self, view: View) -> tuple:
        return (view.style, view.selected, view.sign_filter, view.sign_places, view.sign_matches,
                view.rows, view.findings)

    def decorate(self, view: View) -> None:
        label = LABELS.get(view.sign_filter, view.sign_filter)
        self.border_title = (f"sign analysis · {label} · {view.sign_matches:,} "
                             f"{'row' if view.sign_matches == 1 else 'rows'}  "
                             f"{view.model.optimizer.formula}")
        self.border_subtitle = "s filter"

    def drawing(self, view: View) -> ByWidth:
        # the tables differ only in their first column (the names' letters): one is built to
        # measure them all, and the chosen one when it is drawn
        longest = self._table(view, NAME_WIDTHS[0])
        tables = {NAME_WIDTHS[0]: longest}
        widths = longest.widths()
        others = sum(widths[1:]) + len(GAP) * (len(widths) - 1)
        names = {n: self._name_width(view, n) for n in NAME_WIDTHS}
        parts = self._notes(view)

        def whole(n: int) -> int:
            """The table's width with input names cut to ``n`` letters, nothing wrapped."""
            return names[n] + others

        def wrapped(n: int) -> int:
            """Its width with the situation wrapped at SITUATION_LEAST letters."""
            return whole(n) - widths[SITUATION] + SITUATION_LEAST

        def draw(width: int) -> list[Text]:
            """Input names as long as the width has room for without wrapping the situation;
            else the situation wraps to fill what the other columns leave, beside the longest
            names that leave it SITUATION_LEAST letters (no names at all on a narrow screen)."""
            chosen = next((n for n in NAME_WIDTHS if whole(n) <= width), None)
            if chosen is None:
                chosen = next((n for n in NAME_WIDTHS if wrapped(n) <= width), NAME_WIDTHS[-1])
            if chosen not in tables:
                tables[chosen] = self._table(view, chosen)
            return [tables[chosen].text(width), *parts]

        # it asks for the room of a wrapped situation; more room unwraps it, then lengthens
        # the names (MainScreen.fit_panels)
        return ByWidth(draw, lambda _: wrapped(NAME_WIDTHS[-2]),
                       lambda: ever_drawn(whole(n) for n in NAME_WIDTHS))

    @staticmethod
    def _name_width(view: View, name_width: int) -> int:
        """The width of the first column of ``_table(view, name_width)``."""
        out = cell_len("weight")
        for weight in view.sign_places:
            k, _, j = weight
            name = "bias" if j is None else short(input_names(view, k)[j], name_width)
            out = max(out, cell_len(weight_label(view, weight))
                      + (1 + cell_len(name) if name_width else 0))
        return out

    @staticmethod
    def _table(view: View, name_width: int) -> Columns:
        """One row per weight listed, input names cut to ``name_width`` letters."""
        known = {(r.layer, r.row, r.col): r for r in view.rows}
        # the situation fills the room the other columns leave, wrapping (see grid.Columns)
        table = Columns("weight", "δᵏ⁺¹", "oᵏ⁻¹", "δw", "move", "situation", "moved",
                        justify=["left", "center", "center", "center", "left", "left",
                                 "center"], fill=SITUATION, fill_min=10)
        for weight in view.sign_places:
            k, i, j = weight
            name = "bias" if j is None else short(input_names(view, k)[j], name_width)
            label = Text(weight_label(view, weight))
            if name_width:
                label.append(f" {name}", style="dim")
            row = known.get(weight)
            if row is None:
                blank = Text(BLANK_TEXT, style=BLANK)
                cells = [label, blank, blank, blank, blank, blank, blank]
            else:
                moved = Text(BLANK_TEXT, style=BLANK) if row.moved is None else (
                    Text("✓", style="green") if row.moved else
                    Text(f"✗ {row.actual}", style="bold red"))
                cells = [label, sign_text(row.delta_sign), sign_text(row.input_sign),
                         sign_text(row.dw_sign), Text(MOVES.get(row.move, row.move)),
                         Text(row.situation), moved]
            line = pointing_at(weight)  # a click on the row selects the weight
            if weight == view.selected:
                line = RichStyle.parse(SELECTED) + line
            table.add_row(*cells, style=line)
        return table

    @staticmethod
    def _notes(view: View) -> list[Text]:
        """How many weights are listed of how many, and the findings."""
        parts: list[Text] = []
        places, total = view.sign_places, view.sign_matches
        if view.sign_filter == "all" and len(places) < total:
            parts.append(Text(f"{len(places)} of {total:,} weights, around the selection",
                              style="dim"))
        elif view.sign_filter != "all" and not places:
            parts.append(Text("no weight matches at this operation" + (
                "" if view.record.grads else ": δw is not known before the backward pass"),
                style="dim"))
        elif len(places) < total:
            parts.append(Text(f"the {len(places)} of largest |δw| of {total:,} matching",
                              style="dim"))
        findings = sorted(view.findings, key=lambda f: FIRST.get(f.kind, len(FIRST)))
        for f in findings[:MAX_FINDINGS]:
            symbol, _, colour, _ = FINDING_MARKS.get(f.kind, ("•", f.kind, "yellow", None))
            parts.append(Text(f"{symbol} {f.message}", style=colour))
        rest = Counter(f.kind for f in findings[MAX_FINDINGS:])
        if rest:  # hundreds of blocked units would push the table off the screen
            kinds = ", ".join(f"{FINDING_MARKS.get(kind, ('', kind))[1]} ×{n}"
                              for kind, n in rest.items())
            parts.append(Text(f"… {sum(rest.values())} more findings ({kinds}): the layer "
                              "panels sum them up per layer, run --format json lists them all",
                              style="dim"))
        return parts
