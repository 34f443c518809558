"""Property (the seeded Hypothesis profile): any one value of a shipped scenario — a key of its
data, training, optimizer or layers, its CSV file's name, an edit of a saved [branch] — replaced
by an odd value is parsed, or refused with a one-line ScenarioError naming the file; never
another exception. (Inserting keys, as test_properties does, never reached [data] file or a
[branch] edit's kind: a new key beside inline samples is refused before either is read.)"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import ScenarioError, parse_scenario
from nnstep.engine.toml_text import toml_text

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BRANCH = """
[branch]
goto = "3:backward:L2"
edits = [
    { at = "3:loss", kind = "weight", layer = "L2", row = 1, col = 2, value = "-1/4000" },
    { at = "2:forward:L1", kind = "input", sample = 2, feature = 3, value = "7" },
    { at = "3", kind = "learning_rate", value = "1/10" },
]
"""
BASES = {"iris.toml": (SCENARIOS / "iris.toml").read_text(),
         "broccoli.toml": (SCENARIOS / "broccoli.toml").read_text() + BRANCH}
ODD = st.one_of(
    st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=12),
    st.sampled_from(["1/0", "1e400", "-1e-400", "nan", "9" * 5000, "\x1b[2J", "", "data"]),
    st.lists(st.integers(-3, 3), max_size=3), st.just({"a": 1}), st.just([[1, "x"]]),
)


def leaves(node, path=()) -> list[tuple]:
    """Every key path of a parsed TOML document, tables and arrays included."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node[:3])
    for key, value in items:
        out.append(path + (key,))
        if isinstance(value, (dict, list)):
            out += leaves(value, path + (key,))
    return out


@given(name=st.sampled_from(sorted(BASES)), pick=st.integers(0, 10**6), value=ODD)
def test_one_value_replaced_is_parsed_or_refused_with_the_file(name, pick, value):
    doc = tomllib.loads(BASES[name])
    paths = [p for p in leaves(doc) if p[0] != "description"]
    path = paths[pick % len(paths)]
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    try:
        parse_scenario(toml_text(doc), str(SCENARIOS / name))  # its CSV beside it
    except ScenarioError as err:
        message = str(err)
        assert message.startswith(str(SCENARIOS / name)) and "\n" not in message, message
