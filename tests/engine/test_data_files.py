"""Data at numpy speed: a float64 scenario's CSV read by numpy gives exactly the values of the
exact reader rounded to float64 (Hypothesis, on generated files); what numpy cannot take falls
back to the exact reader and its messages (file, line, column, what was expected); .npz data
with arrays x and y; class labels in a CSV column or an .npz y."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nnstep.engine import ScenarioError, Session, file_dataset, load_scenario

SCENARIO = """title = "data"
[data]
file = "{file}"
{extra}
[training]
learning_rate = 0.1
[[layers]]
kind = "input"
size = {n_in}
[[layers]]
kind = "linear"
size = {n_out}
init = "xavier"
"""


def write(folder: Path, text: str, n_in: int, n_out: int = 1, extra: str = 'targets = ["y"]',
          name: str = "d.csv") -> Path:
    if isinstance(text, str):
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "s.toml"
    path.write_text(SCENARIO.format(file=name, extra=extra, n_in=n_in, n_out=n_out))
    return path


def arrays(path: Path, numbers: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    rec = Session(load_scenario(path, numbers)).record
    return rec.data_x, rec.data_y


def exact_then_float(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """The old path: every cell an exact Fraction, then rounded to float64 (an oracle)."""
    x, y = arrays(path, "exact")
    return (np.array([[float(v) for v in row] for row in x]),
            np.array([[float(v) for v in row] for row in y]))


_DIGITS = st.text("0123456789", min_size=1, max_size=25)
CELLS = st.one_of(
    st.integers(-10**20, 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(repr),
    st.floats(allow_nan=False, allow_infinity=False, width=64).map(lambda v: f"{v:.17e}"),
    st.tuples(st.sampled_from(["", "-", "+"]), _DIGITS, _DIGITS).map(
        lambda t: f"{t[0]}{t[1]}.{t[2]}"),
    st.tuples(_DIGITS, st.integers(-330, 300)).map(lambda t: f"0.{t[0]}e{t[1]}"),
    st.tuples(st.integers(-99, 99), st.integers(1, 99)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.sampled_from([" 7 ", "1.", ".5", "-0", "0.1", "4.9e-324", "2.5e-308", '"3"']),
)


@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=6))
def test_fast_path_equals_exact_then_float(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("csv")
    text = "a,b,y\n" + "".join(",".join(row) + "\n" for row in rows)
    path = write(folder, text, 2)
    want_x, want_y = exact_then_float(path)
    exact = np.concatenate([arrays(path, "exact")[0].ravel(), arrays(path, "exact")[1].ravel()])
    if any(v != 0 and float(v) == 0 for v in exact):  # below float64's range: read as 0
        with pytest.raises(ScenarioError, match="below the range of float64"):
            arrays(path)
        return
    x, y = arrays(path)
    assert x.dtype == np.float64
    assert x.tobytes() == want_x.tobytes() and y.tobytes() == want_y.tobytes()


def test_numbers_go_through_numpy(tmp_path, monkeypatch):
    """A plain numeric file is read by one numpy call, not cell by cell."""
    calls = []
    original = file_dataset.fast_csv
    monkeypatch.setattr(file_dataset, "fast_csv", lambda *a: calls.append(a) or original(*a))
    monkeypatch.setattr(file_dataset, "parse_number", None)  # the cell-by-cell reader would fail
    path = write(tmp_path, "a,b,y\n1,2,3\n4,5.5,6\n", 2)
    assert arrays(path)[0].tolist() == [[1, 2], [4, 5.5]]
    assert len(calls) == 1


BAD = [
    ("1,abc,0\n", "d.csv, line 3, column 'b': 'abc' is not a number"),
    ("1,,0\n", "d.csv, line 3, column 'b': '' is not a number"),
    ("1,2\n", "d.csv, line 3: expected 3 columns, found 2"),
    ("1,nan,0\n", "d.csv, line 3, column 'b': 'nan' is not a number"),
    ("1,inf,0\n", "d.csv, line 3, column 'b': 'inf' is not a number"),
    ("1,1_000,0\n", "d.csv, line 3, column 'b': '1_000' is not a number"),
    ("1,1e400,0\n", "d.csv, line 3, column 'b': '1e400' is beyond the range of float64"),
    ("1,2,\x1b[31m\n", "column 'y': '\\x1b[31m' is not a number"),
]


@pytest.mark.parametrize("row, expected", BAD)
def test_bad_cells_named_by_line_and_column(tmp_path, row, expected):
    path = write(tmp_path, "a,b,y\n1,2,3\n" + row, 2)
    for numbers in (None, "exact"):
        if "float64" in expected and numbers == "exact":
            continue
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path, numbers)
        assert expected in str(caught.value), str(caught.value)
        assert "\x1b" not in str(caught.value)


def test_blank_rows_and_fractions_fall_back_to_the_exact_reader(tmp_path):
    path = write(tmp_path, "a,b,y\n1,1/3,0\n\n,,\n2,0.5,1\n", 2)
    x, y = arrays(path)
    assert x.tolist() == [[1.0, 1 / 3], [2.0, 0.5]] and y.tolist() == [[0.0], [1.0]]


def test_fifo_data_file_is_refused(tmp_path):
    os.mkfifo(tmp_path / "d.csv")
    path = write(tmp_path, None, 2)
    with pytest.raises(ScenarioError, match="is not a regular file"):
        load_scenario(path)


def test_npz_data(tmp_path):
    x = np.arange(12, dtype=np.uint8).reshape(4, 3)
    y = np.array([[0.5], [0.25], [1.0], [0.1]], dtype=np.float32)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    path = write(tmp_path, None, 3, 1, "", name="d.npz")
    got_x, got_y = arrays(path)
    assert got_x.tolist() == x.tolist() and got_y.tobytes() == y.astype(np.float64).tobytes()
    ex_x, ex_y = arrays(path, "exact")
    assert ex_y[3, 0] == Fraction(float(np.float32(0.1)))  # the file's float, exactly


@pytest.mark.parametrize("arrays_in, expected", [
    (dict(x=np.ones((3, 2))), "no array 'y'"),
    (dict(x=np.ones((3, 2)), y=np.ones(3), z=np.ones(1)), "unexpected array 'z'"),
    (dict(x=np.ones((3, 4)), y=np.ones(3)), "data: the data has 4 inputs per sample, the input "
                                            "layer 'L1' has 2"),
    (dict(x=np.ones((3, 2)), y=np.ones(4)), "y has shape [4], expected [3, outputs]"),
    (dict(x=np.array([["a", "b"]] * 3), y=np.ones(3)), "'x' holds <U1 values"),
    (dict(x=np.full((3, 2), np.nan), y=np.ones(3)), "x holds nan or inf"),
])
def test_bad_npz_data(tmp_path, arrays_in, expected):
    np.savez(tmp_path / "d.npz", **arrays_in)
    path = write(tmp_path, None, 2, 1, "", name="d.npz")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert expected in str(caught.value)


def test_class_labels_in_a_csv_column(tmp_path):
    text = "a,b,kind\n1,2,cat\n3,4,dog\n5,6,1\n"
    extra = 'targets = ["kind"]\nclasses = ["cat", "dog", "eel"]'
    path = write(tmp_path, text, 2, 3, extra)
    for numbers in (None, "exact"):
        x, y = arrays(path, numbers)
        assert [[float(v) for v in row] for row in y] == [[1, 0, 0], [0, 1, 0], [0, 1, 0]]
    (tmp_path / "d.csv").write_text("a,b,kind\n1,2,cat\n3,4,cow\n")
    with pytest.raises(ScenarioError, match="line 3, column 'kind': 'cow' is not a class"):
        load_scenario(path)


def test_npz_class_labels(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.ones((3, 2)), y=np.array([2, 0, 1]))
    path = write(tmp_path, None, 2, 3, 'classes = ["a", "b", "c"]', name="d.npz")
    assert arrays(path)[1].tolist() == [[0, 0, 1], [1, 0, 0], [0, 1, 0]]


def test_features_in_any_order_and_place(tmp_path):
    """Feature columns out of file order and around the target column, read by numpy, give
    the exact reader's values."""
    text = "a,y,b,c,d\n1,0,2,3,4\n5,1,6,7,8\n9,0,10,11,12\n"
    path = write(tmp_path, text, 4, 1, 'targets = ["y"]\nfeatures = ["c", "d", "a", "b"]')
    x, y = arrays(path)
    assert x.tolist() == [[3, 4, 1, 2], [7, 8, 5, 6], [11, 12, 9, 10]]
    assert x.flags.c_contiguous and y.tolist() == [[0], [1], [0]]
    assert x.tobytes() == exact_then_float(path)[0].tobytes()


def _npy_claiming(array: np.ndarray, shape: tuple[int, ...]) -> bytes:
    """An .npy member whose header says ``shape`` while its data is ``array``'s."""
    import io

    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue().replace(repr(array.shape).encode(), repr(shape).encode(), 1)


def test_npz_data_claiming_terabytes_is_refused_before_reading(tmp_path):
    """A 500-byte .npz whose headers claim 6·10^12 values (was a 44 TiB MemoryError)."""
    import zipfile

    with zipfile.ZipFile(tmp_path / "d.npz", "w") as z:
        z.writestr("x.npy", _npy_claiming(np.zeros((2, 3)), (20_000_000, 300_000)))
        z.writestr("y.npy", _npy_claiming(np.zeros((2, 1)), (20_000_000, 1)))
    path = write(tmp_path, None, 3, 1, "", name="d.npz")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert "6,000,020,000,000 values, over the limit of 134,217,728" in str(caught.value)


@pytest.mark.parametrize("numbers", [None, "exact"])
def test_csv_class_labels_past_the_data_limit_are_refused(tmp_path, monkeypatch, numbers):
    monkeypatch.setattr(file_dataset, "MAX_FILE_DATA_VALUES", 14)  # 3 rows × (2 inputs + 3) = 15
    text = "a,b,kind\n1,2,cat\n3,4,dog\n5,6,1\n"
    path = write(tmp_path, text, 2, 3, 'targets = ["kind"]\nclasses = ["cat", "dog", "eel"]')
    with pytest.raises(ScenarioError) as caught:
        arrays(path, numbers)
    assert "3 samples of 2 inputs and 3 classes would hold 15 values" in str(caught.value)
    monkeypatch.setattr(file_dataset, "MAX_FILE_DATA_VALUES", 15)
    assert arrays(path, numbers)[1].shape == (3, 3)


def test_more_class_names_than_a_layer_has_neurons(tmp_path, monkeypatch):
    from nnstep.engine import labels

    monkeypatch.setattr(labels, "MAX_NEURONS", 2)
    np.savez(tmp_path / "d.npz", x=np.ones((3, 2)), y=np.array([2, 0, 1]))
    path = write(tmp_path, None, 2, 3, 'classes = ["a", "b", "c"]', name="d.npz")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.path == ("data", "classes") and "over the limit of 2" in str(caught.value)


@given(st.lists(st.integers(0, 6), min_size=1, max_size=20))
def test_one_hot_rows_are_the_identity_rows(labels):
    from nnstep.engine.data_files import one_hot_rows

    index = np.array(labels, dtype=np.intp)
    assert one_hot_rows(index, 7).tobytes() == np.eye(7)[index].tobytes()


@pytest.mark.parametrize("numbers", [None, "exact"])
def test_a_class_index_of_thousands_of_digits_is_out_of_range(tmp_path, numbers):
    """int() refuses more than 4,300 digits: that was a ValueError traceback."""
    text = "a,b,kind\n1,2," + "9" * 5000 + "\n3,4,0\n"
    path = write(tmp_path, text, 2, 2, 'targets = ["kind"]\nclasses = ["cat", "dog"]')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, numbers)
    assert "line 2, column 'kind': class index " + "9" * 39 + "… is out of range" in str(
        caught.value)


def test_a_column_that_is_both_a_feature_and_a_target_is_refused(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,3\n", 2, 1, 'targets = ["y"]\nfeatures = ["a", "y"]')
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.path == ("data", "features")
    assert "column 'y' of 'd.csv' is both a feature and a target" in str(caught.value)
