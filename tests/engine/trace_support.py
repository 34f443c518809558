"""The JSON trace's lines of iteration ends held as one chunk, for the trace tests."""

from __future__ import annotations

from nnstep.engine.trace_chunk import Lines


def chunked(records: list, model, history) -> list[str]:
    """The lines ``trace_chunk.Lines`` writes of ``records`` (iteration ends) held as one
    chunk."""
    lines = Lines(model, history=history, chunk=len(records))
    written = [text for rec in records for _, text in lines.add(rec)]
    return written + [text for _, text in lines.flush()]
