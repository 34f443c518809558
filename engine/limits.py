"""Limits on what a scenario, a data file, a condition or a typed value may ask for, checked
before any work is done (README, "Limits"), and the one way input files are opened.

A number is at most MAX_DIGITS digits with an exponent of at most ±MAX_EXPONENT; nesting is at
most MAX_DEPTH deep; a layer has at most MAX_NEURONS neurons and a network MAX_WEIGHTS weights;
generated data at most MAX_SAMPLES samples of MAX_FEATURES features (MAX_DATA_VALUES values in
all); a scenario file is at most MAX_SCENARIO_BYTES and a data file MAX_DATA_BYTES, and only
regular files are read (not devices, FIFOs or directories).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_DIGITS = 4_000  # digits of one number (Python refuses to read integers past 4,300)
MAX_EXPONENT = 4_000  # |e| in 1e400: 10^4000 is ~13,300 bits, a Fraction the engine can carry
MAX_DEPTH = 16  # arrays and tables in a scenario nest at most this deep (weights need 2)
MAX_NEURONS = 1_000_000  # neurons of one layer
MAX_WEIGHTS = 20_000_000  # trainable values of a network (160 MB of float64)
MAX_SAMPLES = 1_000_000  # samples of generated data
MAX_FEATURES = 100_000  # features of generated data
MAX_DATA_VALUES = 20_000_000  # samples × features of generated data
MAX_NOISE = 1_000  # the noise of generated data (its values are clipped to [0, 1] anyway)
MAX_SCENARIO_BYTES = 16 * 2**20
MAX_DATA_BYTES = 1 * 2**30
MAX_FRACTION_BITS_LIMIT = 1_000_000  # the largest --max-fraction-bits accepted
MAX_RUN_ITERATIONS = 10**12  # the largest --iterations accepted


class FileLimitError(ValueError):
    """A file that is not read: missing, not a regular file, too large, or a bad path."""


def regular_file(path: Path, what: str, max_bytes: int) -> int:
    """The size of ``path`` when it is a regular file of at most ``max_bytes``; FileLimitError
    (a short reason, without the path) otherwise. Never opens the file."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise FileLimitError(f"no such file (expected {what})") from None
    except ValueError:  # a NUL in the path
        raise FileLimitError("the path contains a NUL character") from None
    except OSError as err:
        raise FileLimitError(f"cannot read the file: {err.strerror or err}") from None
    if stat.S_ISDIR(info.st_mode):
        raise FileLimitError(f"is a directory (expected {what})")
    if not stat.S_ISREG(info.st_mode):
        raise FileLimitError(f"is not a regular file (expected {what}; devices, FIFOs and "
                             "sockets are not read)")
    if info.st_size > max_bytes:
        raise FileLimitError(f"is {info.st_size:,} bytes, over the limit of {max_bytes:,}")
    return info.st_size


def read_text(path: Path, what: str, max_bytes: int) -> str:
    """The text of a regular UTF-8 file (a leading byte-order mark dropped), reading at most
    ``max_bytes`` + 1 bytes even when the file lies about its size (/proc files say 0)."""
    regular_file(path, what, max_bytes)
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as err:
        raise FileLimitError(f"cannot read the file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        raise FileLimitError(f"is over the limit of {max_bytes:,} bytes")
    if b"\0" in data:
        raise FileLimitError("is not a text file (it contains a NUL byte)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileLimitError(f"is not UTF-8 text (byte {err.start + 1})") from None
