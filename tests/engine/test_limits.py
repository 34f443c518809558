"""Limits checked before any work (README, "Limits"): digits, exponents, sizes, nesting, files.
Each case is a repro that crashed, hung or allocated gigabytes before the limits existed; each must
now be one ScenarioError naming the place, quickly."""

from __future__ import annotations

import os
import time

import pytest
from nnstep.engine import ScenarioError, load_scenario, parse_scenario
from nnstep.engine.errors import locate
from nnstep.engine.numbers import NumberError, parse_number

BASE = """title = "Small"
numbers = "float64"

[data]
samples = [
    { x = [1, 2], y = [1] },
]

[training]
learning_rate = "1/10"

[[layers]]
kind = "input"
size = 2

[[layers]]
kind = "linear"
size = 1
weights = [["1/2", "-1/4"]]

[[layers]]
kind = "leaky_relu"
"""


def refused(text: str, **kw) -> ScenarioError:
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(text, "edge.toml", **kw)
    assert time.perf_counter() - start < 2, "a limit must be checked before any work"
    message = str(caught.value)
    assert "\n" not in message and len(message) <= 400, message
    return caught.value


def changed(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize("text", ["1e999999999", "-1e-999999999", "1e4001", "9" * 4001,
                                  "1/" + "7" * 5000, "1e" + "9" * 30])
def test_numbers_past_the_limits_are_refused_at_once(text):
    start = time.perf_counter()
    with pytest.raises(NumberError):
        parse_number(text)
    assert time.perf_counter() - start < 0.5


def test_numbers_within_the_limits_are_exact():
    assert parse_number("1e400") == 10**400
    assert parse_number("2.5e-3") == parse_number("1/400")
    assert parse_number("9" * 4000) == int("9" * 4000)


def test_a_toml_integer_of_5000_digits_is_refused():
    error = refused(changed("learning_rate = \"1/10\"", "learning_rate = " + "9" * 5000))
    assert "digits" in error.message


@pytest.mark.parametrize("key", ["learning_rate", "slope"])
def test_a_huge_exponent_is_refused_with_its_place(key):
    text = changed('learning_rate = "1/10"', 'learning_rate = "1e999999999"') if key == (
        "learning_rate") else BASE + 'slope = "1e999999999"\n'
    error = refused(text)
    assert error.path[-1] == key and "exponent" in error.message


def test_deep_arrays_and_inline_tables_are_refused():
    error = refused(BASE + "[extra]\na = " + "[" * 1000 + "]" * 1000 + "\n")
    assert "nest deeper" in error.message
    error = refused(BASE.replace('title = "Small"', 'title = "Small"\nt = ' + "{a = " * 500
                                 + "1" + "}" * 500))
    assert "nest deeper" in error.message


@pytest.mark.parametrize("size", [10**9, 10**18])
def test_sizes_are_checked_before_allocating(size):
    text = changed('size = 1\nweights = [["1/2", "-1/4"]]', f'size = {size}\ninit = "uniform"')
    error = refused(text)
    assert "limit" in error.message and error.path[-1] == "size"


def test_a_batch_too_large_for_its_layers_is_refused_before_running():
    """Within every other limit, 200 samples through a layer of 10⁶ neurons asked 1.5 GB for
    one output (a MemoryError traceback under 3 GB, ~8 GB an iteration without)."""
    text = changed("samples = [\n    { x = [1, 2], y = [1] },\n]",
                   "generate = { samples = 200, features = 2 }").replace(
        "learning_rate = \"1/10\"", "learning_rate = \"1/10\"\nbatch_size = 200").replace(
        'size = 1\nweights = [["1/2", "-1/4"]]', 'size = 100000\ninit = "uniform"')
    error = refused(text)
    assert error.path == ("training", "batch_size")
    assert "a batch of 200 samples through 200,002 neurons makes 40,000,400 values" in str(
        error)
    smaller = refused(text.replace("batch_size = 200", "batch_size = 99"))
    assert smaller.path != ("training", "batch_size")  # past this limit (the outputs differ)


def test_a_network_of_thousands_of_layers_is_refused():
    """3,001 layers loaded and ran headless, but the debugger took 40 s to open and 15 s a
    step (a panel each); 500 (activations included) is the limit, refused before the data."""
    base = BASE + '\n[[layers]]\nkind = "identity"\n'
    assert len(parse_scenario(base + '[[layers]]\nkind = "identity"\n' * 496,
                              "edge.toml").layers) == 500
    error = refused(base + '[[layers]]\nkind = "identity"\n' * 497)
    assert error.path == ("layers",)
    assert error.message == "501 layers are over the limit of 500 (activations included)"


@pytest.mark.parametrize(("generate", "key"), [
    ("samples = 1000000000, features = 2", "samples"),
    ("samples = 10, features = 100000000", "features"),
    ("samples = 100000, features = 100000", "samples"),
    # the one-hot targets count too: 10 samples of 100,000 classes made a 100,000 × 100,000
    # identity matrix first (80 GB)
    ("samples = 1000000, features = 10, classes = 100000", "samples"),
    ("samples = 10, features = 2, noise = -1", "noise"),
    ("samples = 10, features = 2, noise = \"1e999999999\"", "noise"),
    # the noise is a float64 in either mode: 1e-400 read as 0 (no noise at all), silently
    ("samples = 10, features = 2, noise = \"1e-400\"", "noise"),
])
def test_generated_data_has_limits(generate, key):
    text = changed("samples = [\n    { x = [1, 2], y = [1] },\n]",
                   f"generate = {{ {generate} }}")
    error = refused(text)
    assert error.path == ("data", "generate", key)


def test_a_negative_leaky_slope_is_refused():
    error = refused(BASE + "slope = -0.5\n")
    assert error.path[-1] == "slope" and "≥ 0" in error.message


def test_a_byte_order_mark_is_not_a_statement():
    assert parse_scenario("\ufeff" + BASE, "bom.toml").title == "Small"


def test_the_locator_does_not_backtrack():
    text = "[" + " " * 5000 + "\n" + BASE
    start = time.perf_counter()
    locate(text, ("layers", 1, "size"))
    assert time.perf_counter() - start < 0.5


def test_a_bad_value_of_a_megabyte_makes_a_short_message():
    error = refused(changed('learning_rate = "1/10"', 'learning_rate = "' + "x" * 10**6 + '"'))
    assert len(str(error)) < 400


def test_control_characters_in_values_are_escaped():
    error = refused(changed('kind = "leaky_relu"', 'kind = "relu\\u001b]0;PWNED\\u0007\\n\\u202e"'))
    assert "\x1b" not in str(error) and "\u202e" not in str(error) and "\n" not in str(error)
    assert "\\x1b" in str(error)
    scenario = parse_scenario(changed('"Small"', '"\\u001b]0;PWNED\\u0007"'), "t.toml")
    assert "\x1b" not in scenario.summary() and "\x07" not in scenario.summary()


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "dir", "nul"])
def test_only_regular_files_are_read(tmp_path, special):
    if special == "fifo":
        path = tmp_path / "pipe.toml"
        os.mkfifo(path)
    else:
        path = {"/dev/zero": "/dev/zero", "dir": str(tmp_path), "nul": "a\0b.toml"}[special]
    with pytest.raises(ScenarioError):
        load_scenario(path)
