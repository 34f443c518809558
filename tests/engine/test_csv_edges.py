"""CSV data files at the edges: special files, huge fields, NUL bytes, duplicate or wide headers,
and messages that name the columns without echoing the file."""

from __future__ import annotations

import os
import time

import pytest
from nnstep.engine import ScenarioError, load_scenario

SCENARIO = """title = "csv"
[data]
file = "{file}"
targets = ["y"]
[training]
learning_rate = 1
[[layers]]
kind = "input"
size = {n}
[[layers]]
kind = "linear"
size = 1
init = "uniform"
"""


def load(tmp_path, csv_text: str | None, n: int = 2, name: str = "d.csv"):
    if csv_text is not None:
        (tmp_path / name).write_text(csv_text)
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(file=name, n=n))
    return load_scenario(path)


def refused(tmp_path, csv_text, **kw) -> str:
    with pytest.raises(ScenarioError) as caught:
        load(tmp_path, csv_text, **kw)
    message = str(caught.value)
    assert "\n" not in message and len(message) <= 400
    return message


def test_duplicate_column_names_are_refused(tmp_path):
    assert "'a' is used twice" in refused(tmp_path, "a,a,y\n1,2,3\n")


def test_a_field_longer_than_csvs_limit_is_a_message(tmp_path):
    message = refused(tmp_path, "a,b,y\n" + "1" * 200_000 + ",2,3\n")
    assert "line 2" in message and "longer than" in message


def test_a_nul_byte_is_a_message_without_the_contents(tmp_path):
    message = refused(tmp_path, "SECRET=1\0HOME=/root,y\n1,2\n")
    assert "NUL" in message and "SECRET" not in message


def test_messages_name_columns_escaped_and_cut(tmp_path):
    header = "root:x:0:0:root:/root:/bin/bash\x1b]0;PWNED\x07"
    message = refused(tmp_path, header + ",b,c,d,e,f,g,h,i,j,k\n")
    assert "\x1b" not in message and "/bin/bash" not in message and "and 3 more" in message


def test_a_fifo_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    assert "not a regular file" in refused(tmp_path, None, name="pipe.csv")


def test_a_device_is_not_read(tmp_path):
    message = refused(tmp_path, None, name="/dev/zero")
    assert "not a regular file" in message


def test_a_wide_csv_loads_in_linear_time(tmp_path):
    n = 40_000
    header = ",".join(f"c{i}" for i in range(n)) + ",y\n"
    row = ",".join("1" for _ in range(n)) + ",0\n"
    start = time.perf_counter()
    scenario = load(tmp_path, header + row, n=n)
    assert time.perf_counter() - start < 5  # was 7.8 s in header.index alone
    assert len(scenario.features) == n


def test_a_float64_cell_beyond_float_range_is_refused(tmp_path):
    message = refused(tmp_path, "a,b,y\n1e400,2,3\n")
    assert "d.csv, line 2" in message and "range of float64" in message


def test_column_names_reach_the_screen_escaped(tmp_path):
    scenario = load(tmp_path, "a\x1b[31m,b\u202e,y\n1,2,3\n")
    assert scenario.features == ("a\\x1b[31m", "b\\u202e") and scenario.targets == ("y",)
