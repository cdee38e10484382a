"""Rows of a many-chunk column taken chunk by chunk, and cut into pieces small enough to format at once.

Shared by the writers that format many numbers (YOLO lines, VOC masks, labelkit JSON): they lived in
``yolo_media``, whose subject is images.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.model.tables import places


class ChunkedRows:
    """Takes rows of a many-chunk column chunk by chunk.

    ``ChunkedArray.take`` concatenates the whole column first (hundreds of MB for COCO's polygons) on every
    call; taking from each chunk and putting the small pieces back in order copies only the rows asked for.
    """

    def __init__(self, column: pa.ChunkedArray) -> None:
        self.chunks = column.chunks
        self.starts = np.cumsum([0] + [len(c) for c in self.chunks]).astype(np.int64)
        self.type = column.type
        self._counts: np.ndarray[Any, Any] | None = None

    def pieces(self, rows: np.ndarray[Any, Any], most: int) -> list[np.ndarray[Any, Any]]:
        """``rows`` in order, cut into pieces of at most ``most`` rows holding at most VALUES_AT_ONCE numbers."""
        bounds = piece_bounds(self.value_counts()[rows], most)
        return [rows[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]

    def value_counts(self) -> np.ndarray[Any, Any]:
        """Per row, how many numbers it holds (a list of lists, polygons' rings: those of all its lists)."""
        if self._counts is None:
            counts = [np.zeros(0, dtype=np.int64)]
            for chunk in self.chunks:
                lengths = pc.list_value_length(chunk).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
                if pa.types.is_list(self.type.value_type) or pa.types.is_large_list(self.type.value_type):
                    inner = pc.list_value_length(pc.list_flatten(chunk)).fill_null(0).to_numpy(zero_copy_only=False)
                    owner = np.repeat(np.arange(len(chunk)), lengths)
                    lengths = np.bincount(owner, weights=inner, minlength=len(chunk)).astype(np.int64)
                counts.append(lengths)
            self._counts = np.concatenate(counts)
        return self._counts

    def take(self, rows: Any) -> pa.Array:
        """The rows (global indexes, any order) as one array in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows) or not self.chunks:
            return pa.array([], self.type)
        chunk_of = np.searchsorted(self.starts, rows, side="right") - 1
        order = np.argsort(chunk_of, kind="stable")
        pieces = []
        for c in np.unique(chunk_of).tolist():
            local = rows[order][chunk_of[order] == c] - self.starts[c]
            pieces.append(self.chunks[c].take(pa.array(local)))
        grouped = pa.concat_arrays(pieces) if len(pieces) > 1 else pieces[0]
        return grouped.take(pa.array(places(order)))


VALUES_AT_ONCE = 1 << 20
"""Numbers formatted at a time, at most, beside a number of rows: 800 polygons of 10,000 points each were one
chunk of 8,192 rows, 16 M numbers, whose temporaries took 1.7 GB to write to YOLO segment."""


def piece_bounds(weights: np.ndarray[Any, Any], most: int, budget: int = VALUES_AT_ONCE) -> list[int]:
    """Bounds ``0 = b0 < b1 < ... = n`` cutting n rows into pieces of at most ``most`` rows.

    And of at most ``budget`` of their ``weights``: a row of more than that makes a piece alone.
    """
    total = np.concatenate([[0], np.cumsum(weights, dtype=np.int64)])
    bounds, n = [0], len(weights)
    while bounds[-1] < n:
        start = bounds[-1]
        end = min(start + most, n, int(np.searchsorted(total, total[start] + budget, side="right")) - 1)
        bounds.append(max(end, start + 1))
    return bounds
