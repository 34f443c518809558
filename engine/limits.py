"""Limits on what a scenario, a data file, a condition or a typed value may ask for, checked
before any work is done (README, "Limits").

A number is at most MAX_DIGITS digits with an exponent of at most ±MAX_EXPONENT; nesting is at
most MAX_DEPTH deep; a layer has at most MAX_NEURONS neurons and a network MAX_LAYERS layers
and MAX_WEIGHTS weights, a batch through it MAX_BATCH_VALUES values;
generated data at most MAX_SAMPLES samples of MAX_FEATURES features (MAX_DATA_VALUES values in
all, targets included); a scenario file is at most MAX_SCENARIO_BYTES and a data file
MAX_DATA_BYTES, a data set read from a file at most MAX_FILE_DATA_VALUES values, and only
regular files are read (not devices, FIFOs or directories).
"""

from __future__ import annotations

MAX_DIGITS = 4_000  # digits of one number (Python refuses to read integers past 4,300)
MAX_EXPONENT = 4_000  # |e| in 1e400: 10^4000 is ~13,300 bits, a Fraction the engine can carry
MAX_DEPTH = 16  # arrays and tables in a scenario nest at most this deep (weights need 2)
MAX_NEURONS = 1_000_000  # neurons of one layer
MAX_LAYERS = 500  # layers of a network, activations included: the debugger draws a panel each
MAX_WEIGHTS = 20_000_000  # trainable values of a network (160 MB of float64)
MAX_BATCH_VALUES = 20_000_000  # a batch's values through every layer (batch × Σ neurons): each
# operation's outputs and δ are arrays of that many (160 MB of float64 each)
MAX_SAMPLES = 1_000_000  # samples of generated data
MAX_FEATURES = 100_000  # features of generated data
MAX_DATA_VALUES = 20_000_000  # samples × features of generated data
MAX_NOISE = 1_000  # the noise of generated data (its values are clipped to [0, 1] anyway)
MAX_SCENARIO_BYTES = 16 * 2**20
MAX_DATA_BYTES = 1 * 2**30
MAX_FILE_DATA_VALUES = MAX_DATA_BYTES // 8  # values of a data set read from a file, x and y
# together as float64 (1 GiB), one-hot class rows counted: checked before they are made
MAX_FRACTION_BITS_LIMIT = 1_000_000  # the largest --max-fraction-bits accepted
MAX_RUN_ITERATIONS = 10**12  # the largest --iterations accepted
