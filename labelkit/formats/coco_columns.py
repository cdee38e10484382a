"""Raw JSON values of many COCO records as one Arrow column: joined on one line each, and their first bytes.

Below the reader (it imports nothing of :mod:`labelkit.formats`), so that :mod:`.coco_heads`, which
:mod:`.coco_read` imports, and the annotation table builders (:mod:`.coco_lists`, :mod:`.coco_objects`,
:mod:`.coco_extras`) make their columns the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
import numpy as np
import pyarrow as pa

_LINE_BREAKS_TO_SPACES = bytes.maketrans(b"\r\n", b"  ")


def one_line(text: bytes) -> bytes:
    """Raw JSON text with its line breaks turned into spaces, so that it fits on one NDJSON line.

    A line break in well-formed JSON can only be whitespace between tokens (inside a string it must be
    escaped), so the value is unchanged; pretty-printed files have them in every polygon.
    """
    return text.translate(_LINE_BREAKS_TO_SPACES) if b"\n" in text or b"\r" in text else text


def binary_column(
    values: Sequence[msgspec.Raw | bytes], lengths: np.ndarray | None = None
) -> tuple[pa.Array, np.ndarray]:
    """Raw JSON values as an Arrow ``large_binary`` column, each on one line, and their lengths.

    One ``bytes.join`` (which holds the GIL) and no Arrow scalar per value. ``lengths``, when the caller
    has them already, saves measuring every value again.
    """
    if lengths is None:
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = pa.py_buffer(one_line(b"".join(values)))
    return pa.Array.from_buffers(pa.large_binary(), len(values), [None, pa.py_buffer(offsets), data]), lengths


def first_bytes(column: pa.Array, lengths: np.ndarray) -> np.ndarray:
    """The first byte of every value of a :func:`binary_column` (0 when empty) as uint8."""
    out = np.zeros(len(column), dtype=np.uint8)
    present = lengths > 0
    if present.any():
        _, offsets, data = column.buffers()
        starts = np.frombuffer(offsets, dtype=np.int64)[column.offset : column.offset + len(column)]
        out[present] = np.frombuffer(data, dtype=np.uint8)[starts[present]]
    return out
