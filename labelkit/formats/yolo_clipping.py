"""What writing YOLO lines does to the objects' numbers: clipping them to the image, rounding them to a precision.

Both are found by formatting the objects written as write() does, without the text; check() computes them (so
a plan reports what the write does) and write() reuses them, cached on the dataset while it is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from labelkit.formats.derived import cached
from labelkit.formats.yolo_lines import _CHUNK, Columns, Lines
from labelkit.formats.yolo_numbers import rounded
from labelkit.model import Dataset
from labelkit.model import geometry as G


@dataclass
class Rounding:
    """What writing ``precision`` decimals does to the objects written, per object row (0 for the others)."""

    changed: np.ndarray[Any, Any]
    """Coordinates of the line whose written number is not the one that exact output writes."""
    collapsed: np.ndarray[Any, Any]
    """Objects whose box (detect, pose) or points' bounds (segment, OBB) have a width and a height, and would
    have none once rounded: a zero box, which Ultralytics cannot train on (not written; check() reports them)."""


def rounding(dataset: Dataset, task: str, cols: Columns, precision: int, kpt_dims: int) -> Rounding:
    """What rounding to ``precision`` decimals changes (cached: check() computes it, write() reuses it)."""
    key = f"rounding:{task}:{precision}:{kpt_dims}"
    return cached(dataset, key, lambda: _compute_rounding(dataset, task, cols, precision, kpt_dims))


@dataclass
class Clipping:
    """What clipping to the image does to the objects formatted, per object row."""

    clipped: np.ndarray[Any, Any]
    """Objects a coordinate of which is clipped (:attr:`Lines.clipped`)."""
    emptied: np.ndarray[Any, Any]
    """Objects whose points had a width and a height, and have none once clipped (:attr:`Lines.emptied`)."""


def clipping(dataset: Dataset, task: str, cols: Columns, precision: int | None, kpt_dims: int) -> Clipping:
    """Per object row, whether writing it clips a coordinate to the image, and whether that leaves it no area.

    check() reports them (so a plan says what the write does), write() reuses them (cached while the dataset
    is unchanged). The rows are formatted as write() formats them, a chunk at a time, without the text; with a
    precision, :func:`rounding` has formatted them already and kept the marks.
    """
    if precision is not None:
        rounding(dataset, task, cols, precision, kpt_dims)  # (keeps its formatter's marks: see _compute_rounding)
    return cached(
        dataset,
        _clipped_key(task, precision, kpt_dims),
        lambda: _compute_clipped(dataset, task, cols, precision, kpt_dims),
    )


def clipped_objects(dataset: Dataset, task: str, cols: Columns, precision: int | None, kpt_dims: int) -> Any:
    """Per object row, whether writing it clips a coordinate to the image: the rows :class:`Lines` clips."""
    return clipping(dataset, task, cols, precision, kpt_dims).clipped


def _clipped_key(task: str, precision: int | None, kpt_dims: int) -> str:
    return f"clipped:{task}:{precision}:{kpt_dims}"


def _compute_clipped(dataset: Dataset, task: str, cols: Columns, precision: int | None, kpt_dims: int) -> Clipping:
    lines = Lines(dataset, task, cols, precision, kpt_dims)
    usable = np.flatnonzero(cols.usable)
    for rows in lines.polygons.pieces(usable, _CHUNK):  # (and at most VALUES_AT_ONCE numbers: see chunked_rows)
        lines.mark_clipped(rows)
    return Clipping(lines.clipped, lines.emptied)


def _compute_rounding(dataset: Dataset, task: str, cols: Columns, precision: int, kpt_dims: int) -> Rounding:
    n = len(cols.usable)
    changed = np.zeros(n, dtype=np.int64)
    collapsed = np.zeros(n, dtype=bool)
    # the numbers the exact writer writes (snapped: see :func:`snapped`), and the ones rounding writes (from the
    # normalised values, as write() formats them): a number counts as changed when the two differ, so a value
    # such as 0.24000000000000002, written 0.24 by both, is not
    exact_lines = Lines(dataset, task, cols, None, kpt_dims)
    lines = Lines(dataset, task, cols, precision, kpt_dims)
    usable = np.flatnonzero(cols.usable)
    for rows in exact_lines.polygons.pieces(usable, _CHUNK):
        exact, offsets = exact_lines.values(rows)
        values = lines.values(rows)[0]
        written = rounded(values, precision)
        if task == "pose" and kpt_dims == 2:  # (a negative number is a mark, written as read: see _marks_as_read)
            written = np.where(values < 0, values, written)
        owner = np.repeat(np.arange(len(rows)), np.diff(offsets))
        changed[rows] = np.bincount(owner[written != exact], minlength=len(rows))
        if task in ("detect", "pose"):  # the box: cx cy w h first
            first = offsets[:-1]
            sizes = [(v[first + 2], v[first + 3]) for v in (exact, written)]
        else:
            sizes = [(b[:, 2], b[:, 3]) for b in (G.ring_bounds(exact, offsets), G.ring_bounds(written, offsets))]
        (w, h), (rw, rh) = sizes
        collapsed[rows] = (w > 0) & (h > 0) & ((rw == 0) | (rh == 0))
    marks = Clipping(lines.clipped, lines.emptied)
    cached(dataset, _clipped_key(task, precision, kpt_dims), lambda: marks)  # (for clipping)
    return Rounding(changed, collapsed)
