"""The explain screen folds a long equation at spaces with a hanging indent: nothing is cut,
no word is lost or split, and a continuation is indented under its line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from nnstep.tui.screens.explain import hang
from rich.cells import cell_len

words = st.lists(st.text(alphabet="δw²³[]0123456789.·=−()′tanh", min_size=1, max_size=12),
                 min_size=1, max_size=30)


@given(words, st.integers(0, 6), st.integers(10, 100))
def test_folding_keeps_every_word_in_order(ws, indent, width):
    line = " " * indent + " ".join(ws)
    folded = hang(line, width).split("\n")
    assert " ".join(part.strip() for part in folded).split(" ") == ws
    assert folded[0].startswith(" " * indent) and cell_len(folded[0]) >= indent
    for part in folded[1:]:
        assert part.startswith(" " * (indent + 4))
    for part in folded:
        assert cell_len(part) <= width or " " not in part.strip()


def test_the_result_of_a_long_flow_line_stays_on_screen():
    line = ("  δ³[1] = δ⁴[1] · tanh′(o²[1]) = 0.0503468 · tanh′(−1.79393) = 0.0503468 · "
            "0.104756 = 0.00527413")
    assert hang(line, 40).split("\n") == ["  δ³[1] = δ⁴[1] · tanh′(o²[1]) =",
                                         "      0.0503468 · tanh′(−1.79393) =",
                                         "      0.0503468 · 0.104756 = 0.00527413"]
    assert hang(line, 200) == line
