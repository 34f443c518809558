"""Rebuild the float broccoli snapshot of the BLAS kernel this machine does not have.

`pytest tests/tui --snapshot-update` retakes only this machine's kernel's snapshot (and deletes
the other's). The two screens differ only in sample 3's L3 input, written three ways, so after a
deliberate UI change run ``python tests/tui/fma_snapshot.py`` to write the other from this one.
"""

from __future__ import annotations

import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "__snapshots__" / "test_snapshots"
NAME = "test_float_relu_blocks_the_flow[{}].svg"
# the same number as each place writes it: without FMA (−1.1102230246251565e−16), with FMA
# (−7.41594285980085e−17)
WRITTEN = [("-1.11022e-16", "-7.41594e-17"), ("-1.1e-16", "-7.4e-17"), ("-1.11e-16", "-7.42e-17")]


def rebuild(source: str) -> Path:
    """Write the other kernel's snapshot from ``source`` ("fma" or "no_fma")."""
    target = "no_fma" if source == "fma" else "fma"
    text = (FOLDER / NAME.format(source)).read_text()
    for no_fma, fma in WRITTEN:
        before, after = (no_fma, fma) if source == "no_fma" else (fma, no_fma)
        if text.count(before) != 1:
            raise SystemExit(f"{before} appears {text.count(before)} times, not once: retake "
                             "both snapshots on machines of each kind")
        text = text.replace(before, after)
    path = FOLDER / NAME.format(target)
    path.write_text(text)
    return path


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_snapshots import third_sample_kernel

    print("wrote", rebuild(third_sample_kernel()))
