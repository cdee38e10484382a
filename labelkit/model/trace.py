"""Trace binary masks into polygon rings along pixel edges (numpy only), e.g. COCO RLE -> YOLO segments.

Conventions (the same as :mod:`labelkit.model.geometry`): absolute pixels, origin top-left, x right, y down.
Pixel ``(col=c, row=r)`` is the unit square ``[c, c + 1] x [r, r + 1]``, so ring points are pixel *corners*
(integers, returned as floats) and a pixel centre is ``(c + 0.5, r + 0.5)``.

Decisions:

* **Connectivity**: foreground is 8-connected, background 4-connected. Two regions that touch only at a
  corner are one component with one ring, and that ring passes through the shared corner twice (it touches
  itself there without crossing).
* **Holes are filled**: YOLO segments cannot carry holes, so each component gives only its outer boundary.
  Components lying inside another component's hole are covered by that component's outer ring and give no
  ring of their own, so the rings are exactly the components of the hole-filled mask and never overlap.
* **Orientation**: every ring is clockwise on screen (x right, y down): foreground lies on the right-hand
  side of each step, and the shoelace sum ``sum(x_i * y_(i+1) - x_(i+1) * y_i)`` is positive.
* **Order**: rings are sorted by their component's first pixel in row-major order, and each ring starts at
  that pixel's top-left corner, going right along its top edge.
* **Corners only**: collinear steps are merged, so every point is a corner where the boundary turns by 90
  degrees and consecutive steps alternate horizontal / vertical (a rectangle is exactly 4 points).

How: the foreground is first cut into column segments (a column's consecutive foreground pixels), read
from COCO RLE runs without decoding pixels (:func:`cell_outer_rings`), or from one pass over a pixel array.
The boundary is cut into maximal straight runs of unit pixel edges, directed with the foreground on their
right: horizontal runs are the segments' tops and bottoms joined along rows, vertical runs come from
summing the segments' starts and ends down each line between two columns (a run never continues straight
into another, so every run start is a corner of the ring). Each run's successor is the run leaving its end
corner, taking a left turn first (only saddle corners, where two regions touch diagonally, offer both
turns, and turning left there joins the two regions, which is what gives 8-connectivity); rings are then
labelled and ordered by pointer doubling, all vectorised, so the Python work is per ring, and the array
work per segment and run, not per pixel or edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.model.geometry import run_positions
from labelkit.model.rle import NOT_COUNTS, cell_counts, counts_problem

__all__ = ["cell_outer_rings", "mask_to_polygons", "outer_rings", "rle_to_polygons"]

IntArray = NDArray[np.int64]

# Step directions, clockwise on screen: right-turn is d + 1, left-turn is d + 3 (mod 4).
_EAST, _SOUTH, _WEST, _NORTH = 0, 1, 2, 3


def mask_to_polygons(mask: NDArray[np.uint8]) -> list[list[float]]:
    """Outer boundaries of the mask's connected regions, as flat ``[x0, y0, x1, y1, ...]`` rings.

    Foreground is every non-zero pixel, 8-connected; holes are filled (see the module docstring). Points
    are pixel-edge (corner) coordinates, clockwise on screen (x right, y down), with collinear steps merged.
    Rings are sorted by their component's first pixel in row-major order and start at its top-left corner.
    Filling each ring with the even-odd (or non-zero) rule and testing pixel centres ``(x + 0.5, y + 0.5)``
    gives back the mask with its holes filled, exactly.

    Examples:
        >>> m = np.zeros((4, 6), dtype=np.uint8); m[2, 3] = 1
        >>> mask_to_polygons(m)
        [[3.0, 2.0, 4.0, 2.0, 4.0, 3.0, 3.0, 3.0]]
        >>> mask_to_polygons(np.ones((2, 3), dtype=np.uint8))
        [[0.0, 0.0, 3.0, 0.0, 3.0, 2.0, 0.0, 2.0]]

    Args:
        mask: A 2-D array, ``(height, width)``; non-zero pixels are foreground (any dtype works).

    Returns:
        One ring per connected component of the hole-filled mask; ``[]`` for an empty mask.

    Raises:
        ValueError: When ``mask`` is not 2-D.
    """
    return outer_rings(mask)[0]


def outer_rings(mask: NDArray[Any]) -> tuple[list[list[float]], list[int]]:
    """The rings of :func:`mask_to_polygons` and the area each encloses, in pixels (exact).

    Examples:
        >>> m = np.zeros((4, 6), dtype=np.uint8); m[0:2, 0:2] = 1; m[3, 5] = 1
        >>> outer_rings(m)[1]
        [4, 1]

    Raises:
        ValueError: When ``mask`` is not 2-D.
    """
    fg = np.asarray(mask)
    if fg.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {fg.shape}")
    fg = fg != 0
    rows = np.flatnonzero(fg.any(axis=1))
    if not len(rows):
        return [], []
    cols = np.flatnonzero(fg.any(axis=0))
    r0, c0 = int(rows[0]), int(cols[0])
    crop = fg[r0 : int(rows[-1]) + 1, c0 : int(cols[-1]) + 1]  # the work grows with the foreground's bounds
    height, width = crop.shape
    # each column with one background pixel below it, flat: a foreground run never wraps into the next column
    grid = np.zeros((width, height + 1), dtype=bool)
    grid[:, :height] = crop.T
    change = np.diff(grid.ravel().view(np.int8), prepend=np.int8(0))
    starts, ends = np.flatnonzero(change > 0), np.flatnonzero(change < 0)
    x, y0 = np.divmod(starts, height + 1)
    return _rings(x + c0, y0 + r0, ends - x * (height + 1) + r0, r0 + height, c0 + width)


def cell_outer_rings(cell: dict[str, Any]) -> tuple[list[list[float]], list[int], int]:
    """:func:`outer_rings` of a model mask cell, traced from its runs without decoding its pixels.

    Examples:
        >>> cell = {"height": 3, "width": 2, "counts": None, "runs": [1, 2, 3]}  # pixels (1, 0) and (2, 0)
        >>> cell_outer_rings(cell)
        ([[0.0, 1.0, 1.0, 1.0, 1.0, 3.0, 0.0, 3.0]], [2], 2)

    Returns:
        The rings, the area of each, and the number of foreground pixels.

    Raises:
        ValueError: When the cell's runs cannot be read or do not add up to its height x width (a
            decoder would have to make up the missing pixels).
    """
    height, width = int(cell["height"]), int(cell["width"])
    x, y0, y1, pixels = cell_segments(cell)
    return (*_rings(x, y0, y1, height, width), pixels)


def cell_segments(cell: dict[str, Any]) -> tuple[IntArray, IntArray, IntArray, int]:
    """A mask cell's column segments (column, first row, row after the last; by column, then row) and its pixels.

    Raises:
        ValueError: as :func:`cell_outer_rings`.
    """
    height, width = int(cell["height"]), int(cell["width"])
    counts = cell_counts(cell)
    if counts is None:
        raise ValueError(NOT_COUNTS)
    if (problem := counts_problem(counts, height, width)) is not None:
        raise ValueError(problem)
    bounds = np.cumsum(counts)
    starts, ends = bounds[:-1:2], bounds[1::2]  # foreground runs (the counts start with background)
    starts = starts[: len(ends)]
    # drop empty runs, then join runs left touching (a zero-length background run between them)
    full = ends > starts
    starts, ends = starts[full], ends[full]
    joined = np.ones(len(starts), dtype=bool)  # (np.r_ costs more than the rest of a small mask's work)
    joined[1:] = starts[1:] != ends[:-1]
    last = np.ones(len(ends), dtype=bool)
    last[:-1] = joined[1:]
    starts, ends = starts[joined], ends[last]
    # cut runs at column ends: one segment per column a run covers
    first, last = starts // max(height, 1), (ends - 1) // max(height, 1)
    pieces = last - first + 1
    run = np.repeat(np.arange(len(starts)), pieces)
    x = first[run] + run_positions(pieces)
    y0 = np.where(x == first[run], starts[run] - x * height, 0)
    y1 = np.where(x == last[run], ends[run] - x * height, height)
    return x, y0, y1, int((ends - starts).sum())


Segments = tuple[IntArray, IntArray, IntArray, int]
"""A mask's column segments and pixel count (:func:`cell_segments`)."""


def largest_rings(masks: Iterable[tuple[Segments, int, int]]) -> Iterator[tuple[list[float] | None, bool]]:
    """Per mask ``(segments, height, width)``: its largest region's outer ring, and whether it covers the mask.

    The ring is None for a mask without a pixel; it covers the mask exactly when it is the only region's and
    encloses no hole (its area is the mask's pixels).

    The ring and its region are :func:`cell_outer_rings`'s (the first of the largest), found for many masks
    at once: the masks are stacked one below another, a row of background between two, and traced as one
    mask, so the array work is done once per batch and not once per mask. No region reaches across the
    background row, and a region's ring, its area and the winding at its first pixel are its own mask's (the
    rays of :func:`_winding_at_start` run along rows, which belong to one mask), so each ring is the one its
    mask alone gives, moved down by the mask's offset (taken off again).

    Examples:
        >>> dot = cell_segments({"height": 3, "width": 2, "counts": None, "runs": [1, 2, 3]})
        >>> none = cell_segments({"height": 2, "width": 2, "counts": None, "runs": [4]})
        >>> ring, none, again = largest_rings(iter([(dot, 3, 2), (none, 2, 2), (dot, 3, 2)]))
        >>> ring, none, again == ring
        (([0.0, 1.0, 1.0, 1.0, 1.0, 3.0, 0.0, 3.0], True), (None, False), True)
    """
    batch: list[tuple[Segments, int, int]] = []
    rows = widest = segments = 0
    for mask in masks:  # (taken one by one: only a batch's segments are held)
        if batch and not _fits(rows + mask[1] + 1, max(widest, mask[2]), segments):
            yield from _largest_rings_stacked(batch)
            batch, rows, widest, segments = [], 0, 0, 0
        batch.append(mask)
        rows += mask[1] + 1
        widest = max(widest, mask[2])
        segments += len(mask[0][0])
    if batch:
        yield from _largest_rings_stacked(batch)


_BATCH_SEGMENTS = 1 << 15
"""Column segments traced at once by :func:`largest_rings`: enough to share the array work among many masks,
few enough that each batch's arrays reuse the memory the last one freed (fresh pages are dear on these VMs).
The 8,457 crowd masks of the synthetic train2017 file (``bench/gen_coco.py``), 3.1 M segments, traced in
1.4 s in batches of 2**15 to 2**16 segments, 1.7 s at 2**12 or 2**18, 3.0 s at 2**20, 3.5 s one at a time."""


def _fits(rows: int, width: int, segments: int) -> bool:
    """Whether a stack of ``rows`` rows of ``width`` columns is traced at once: its keys stay well within int64."""
    return segments < _BATCH_SEGMENTS and (rows + 1) * (width + 2) * 8 < 1 << 62


def _largest_rings_stacked(masks: list[tuple[Segments, int, int]]) -> list[tuple[list[float] | None, bool]]:
    """:func:`largest_rings` of one batch, traced as one mask: the masks one below another (see there)."""
    offsets = np.cumsum([0] + [h + 1 for _, h, _ in masks])
    xs = [seg[0] for seg, _, _ in masks]
    if not sum(map(len, xs)):
        return [(None, False)] * len(masks)
    x = np.concatenate(xs)
    shift = np.repeat(offsets[:-1], [len(v) for v in xs])
    y0 = np.concatenate([seg[1] for seg, _, _ in masks]) + shift
    y1 = np.concatenate([seg[2] for seg, _, _ in masks]) + shift
    flat, sizes, areas = _ring_arrays(x, y0, y1, int(offsets[-1]), max(w for _, _, w in masks))
    ends = np.cumsum(sizes)
    begins = ends - sizes
    # each ring's mask, by its first point's row; the rings come in row-major order of their first pixels, so
    # each mask's rings are a run, after those of the masks above it
    mask_of = np.searchsorted(offsets, flat[begins + 1].astype(np.int64), side="right") - 1
    out: list[tuple[list[float] | None, bool]] = [(None, False)] * len(masks)
    firsts = np.searchsorted(mask_of, np.arange(len(masks)), side="left")
    lasts = np.searchsorted(mask_of, np.arange(len(masks)), side="right")
    for k in np.flatnonzero(lasts > firsts).tolist():
        lo, hi = int(firsts[k]), int(lasts[k])
        best = lo + int(np.argmax(areas[lo:hi]))
        ring = flat[begins[best] : ends[best]].copy()
        ring[1::2] -= offsets[k]
        out[k] = (ring.tolist(), hi - lo == 1 and int(areas[best]) == masks[k][0][3])
    return out


def _rings(x: IntArray, y0: IntArray, y1: IntArray, height: int, width: int) -> tuple[list[list[float]], list[int]]:
    """Outer rings and their areas from the mask's column segments (see :func:`_ring_arrays`)."""
    if not len(x):
        return [], []
    flat, sizes, areas = _ring_arrays(x, y0, y1, height, width)
    return [part.tolist() for part in np.split(flat, np.cumsum(sizes)[:-1])], areas.tolist()


def _ring_arrays(x: IntArray, y0: IntArray, y1: IntArray, height: int, width: int) -> tuple[Any, IntArray, IntArray]:
    """Outer rings from the mask's column segments: their points back to back, each ring's length, its area.

    Args:
        x: Column of each foreground segment (at least one; in any order: the runs are sorted from them).
        y0: First row of each segment.
        y1: Row after each segment's last (segments of one column are separated by background).
        height: Mask height.
        width: Mask width.

    Returns:
        The rings' ``x, y`` corners as floats, flat; the number of values (twice the points) of each ring;
        the area of each, in pixels (exact).
    """
    sx, sy, ex, ey, d = _boundary_runs(x, y0, y1, height, width)
    nxt = _successors(sx, sy, ex, ey, d, width)
    label = _ring_labels(nxt)
    rank = _steps_to_ring_end(nxt, label)
    order = np.lexsort((-rank, label))
    sx, sy, ex, ey, d, label = sx[order], sy[order], ex[order], ey[order], d[order], label[order]

    # After sorting, ring k is runs starts[k] .. starts[k + 1] - 1 (where the label changes).
    n = len(label)
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    ring_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    # Signed double area per ring (shoelace over its runs): positive = clockwise on screen = outer ring.
    area2 = np.bincount(ring_of, weights=(sx * ey - ex * sy).astype(np.float64))
    outer = area2 > 0
    if not outer.all():
        # Holes exist, so outer rings may sit inside another component's hole: drop those.
        outer &= _winding_at_start(sx, sy, ey, d, ring_of, outer, starts) < 2
    keep = outer[ring_of]  # every run starts at a corner: its start is a point of the ring
    flat = np.column_stack((sx[keep], sy[keep])).astype(np.float64).ravel()
    sizes = np.bincount(ring_of[keep], minlength=len(starts))[outer] * 2
    areas = (area2[outer] // 2).astype(np.int64)  # a rectilinear ring on integer corners: whole pixels
    return flat, sizes, areas


def rle_to_polygons(cell: dict[str, Any]) -> list[list[float]]:
    """Outer polygon rings of a model mask cell, as :func:`mask_to_polygons` gives them for its pixels.

    Args:
        cell: A mask cell ``{"height", "width", "counts" | "runs", ...}`` (see :func:`cell_outer_rings`).

    Returns:
        One flat ``[x0, y0, x1, y1, ...]`` ring per connected component of the hole-filled mask.
    """
    return cell_outer_rings(cell)[0]


def _boundary_runs(
    x: IntArray, y0: IntArray, y1: IntArray, height: int, width: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Maximal straight runs of boundary edges, directed with the foreground on their right (clockwise).

    East runs come first, in row-major order of their start corner, so the smallest run index of a ring
    is the run along the top edge of its component's first pixel, which starts at that pixel's top-left
    corner (every ring has at least one east run).

    Horizontal edges are the segments' tops (east) and bottoms (west), joined along a row where the
    columns are consecutive. Vertical edges lie between two columns where exactly one is foreground: each
    segment adds +1 at its top and -1 at its bottom to the line on its left, and the opposite to the line
    on its right; summed in order down each line, the total is +1 along north runs (foreground to the
    right) and -1 along south runs, and it is back to 0 at the end of every line.

    Returns:
        Start corner ``x``, ``y``, end corner ``x``, ``y`` and direction of every run.
    """
    span = width + 1
    east_x0, east_x1, east_y = _row_runs(x, y0, span)
    west_x0, west_x1, west_y = _row_runs(x, y1, span)
    line = np.concatenate((x, x, x + 1, x + 1))
    at = np.concatenate((y0, y1, y0, y1))
    step = np.repeat(np.array([1, -1, -1, 1], dtype=np.int64), len(x))
    key = line * (height + 1) + at
    order = np.argsort(key, kind="stable")
    key, step = key[order], step[order]
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    key, step = key[first], np.add.reduceat(step, first)
    key = key[step != 0]
    total = np.cumsum(step[step != 0])[:-1]  # the sum from each change to the next
    top, bottom = key[:-1], key[1:]
    north, south = total > 0, total < 0
    line_n, top_n = np.divmod(top[north], height + 1)
    line_s, top_s = np.divmod(top[south], height + 1)
    bottom_n, bottom_s = bottom[north] - line_n * (height + 1), bottom[south] - line_s * (height + 1)
    sx = np.concatenate((east_x0, west_x1, line_n, line_s))
    sy = np.concatenate((east_y, west_y, bottom_n, top_s))
    tx = np.concatenate((east_x1, west_x0, line_n, line_s))
    ty = np.concatenate((east_y, west_y, top_n, bottom_s))
    counts = [len(east_x0), len(west_x0), len(line_n), len(line_s)]
    d = np.repeat(np.array([_EAST, _WEST, _NORTH, _SOUTH], dtype=np.int64), counts)
    return sx, sy, tx, ty, d


def _row_runs(x: IntArray, y: IntArray, span: int) -> tuple[IntArray, IntArray, IntArray]:
    """Unit edges ``(x, y)`` to ``(x + 1, y)`` joined into maximal runs along rows, in row-major order.

    Returns:
        First x, end x (after the last edge) and y of every run.
    """
    key = np.sort(y * span + x)  # x < span - 1: consecutive keys are neighbours on one row
    first = np.r_[True, key[1:] != key[:-1] + 1]
    last = np.r_[first[1:], True]
    row, x0 = np.divmod(key[first], span)
    return x0, key[last] - row * span + 1, row


def _successors(sx: IntArray, sy: IntArray, ex: IntArray, ey: IntArray, d: IntArray, w: int) -> IntArray:
    """Index of the run that follows each run along its ring.

    At a run's end corner the boundary turns (a maximal run never goes on straight): left when that run
    exists, else right. Only at saddle corners (two diagonal regions) do both exist; turning left there
    keeps walking around both regions, which makes diagonal neighbours one component (8-connectivity).

    Args:
        sx: Start corner x of each run.
        sy: Start corner y of each run.
        ex: End corner x of each run.
        ey: End corner y of each run.
        d: Direction of each run.
        w: Width of the mask (corners run 0..w).

    Returns:
        The successor index of every run.
    """
    # runs by (start corner, direction), sorted, so a run is found by binary search
    key = (sy * (w + 1) + sx) * 4 + d
    by_key = np.argsort(key)
    sorted_key = key[by_key]
    end = (ey * (w + 1) + ex) * 4

    def starting(direction: IntArray) -> IntArray:
        pos = np.minimum(np.searchsorted(sorted_key, end + direction), len(key) - 1)
        found: IntArray = np.where(sorted_key[pos] == end + direction, by_key[pos], -1)
        return found

    left = starting((d + 3) % 4)
    nxt: IntArray = np.where(left >= 0, left, starting((d + 1) % 4))
    return nxt


def _ring_labels(nxt: IntArray) -> IntArray:
    """Smallest edge index of each edge's ring, by pointer doubling over the successor permutation.

    After step k each label is the minimum over the next ``2**k`` edges; once a step changes nothing the
    windows cover whole rings, so the labels are the ring minima.

    Args:
        nxt: Successor of every edge (a permutation made of cycles).

    Returns:
        Ring label of every edge.
    """
    label = np.arange(len(nxt), dtype=np.int64)
    ptr = nxt.copy()
    while True:
        merged = np.minimum(label, label[ptr])
        if np.array_equal(merged, label):
            return label
        label = merged
        ptr = ptr[ptr]


def _steps_to_ring_end(nxt: IntArray, label: IntArray) -> IntArray:
    """Number of steps from each edge to the last edge of its ring (list ranking by pointer doubling).

    A ring starts at its label edge and ends at the edge whose successor is that start.

    Args:
        nxt: Successor of every edge.
        label: Ring label (start edge index) of every edge.

    Returns:
        Steps to the ring's last edge: ring length - 1 at the start edge, 0 at the last one.
    """
    idx = np.arange(len(nxt), dtype=np.int64)
    is_last = nxt == label
    ptr = np.where(is_last, idx, nxt)
    rank = np.where(is_last, 0, 1).astype(np.int64)
    while not np.array_equal(ptr[ptr], ptr):
        rank = rank + rank[ptr]
        ptr = ptr[ptr]
    return rank


def _winding_at_start(
    sx: IntArray,
    sy: IntArray,
    ey: IntArray,
    d: IntArray,
    ring_of: IntArray,
    outer: NDArray[np.bool_],
    starts: IntArray,
) -> IntArray:
    """How many outer rings contain the first pixel of each ring (its own ring included, if outer).

    Casts a ray leftwards from the pixel centre and sums the outer rings' vertical edges it crosses:
    north edges (region to their right) count +1, south edges -1. Only the rows holding a ring's first
    pixel are looked at: each vertical run is paired with those of its rows, so the cost grows with the
    runs and the rows they cross (at most the boundary's length), not with rings x runs.

    Args:
        sx: Start corner x of each run, in ring order (vertical runs keep their x).
        sy: Start corner y of each run, in ring order.
        ey: End corner y of each run.
        d: Direction of each run.
        ring_of: Ring number of each run.
        outer: Whether each ring is an outer (clockwise) ring.
        starts: Index of each ring's first run (along the top edge of its first pixel).

    Returns:
        Winding number at each ring's first pixel.
    """
    vertical = ((d == _NORTH) | (d == _SOUTH)) & outer[ring_of]
    top = np.minimum(sy[vertical], ey[vertical])
    bottom = np.maximum(sy[vertical], ey[vertical])
    qrow, qcol = sy[starts], sx[starts]
    rows = np.unique(qrow)
    # run k borders the pixel rows top[k] .. bottom[k] - 1: rows[lo[k]:hi[k]] are the asked ones among them
    lo, hi = np.searchsorted(rows, top), np.searchsorted(rows, bottom)
    run = np.repeat(np.arange(len(top)), hi - lo)
    width = int(sx.max()) + 2
    key = (lo[run] + run_positions(hi - lo)) * width + sx[vertical][run]
    order = np.argsort(key)
    key = key[order]
    csum = np.r_[0, np.cumsum(np.where(d[vertical] == _NORTH, 1, -1)[run][order])]
    # per ring start: the sum over its row's edges at or left of its x (prefix sums over the sorted keys)
    at = np.searchsorted(rows, qrow) * width
    upto = np.searchsorted(key, at + qcol, side="right")
    row_start = np.searchsorted(key, at, side="left")
    winding: IntArray = csum[upto] - csum[row_start]
    return winding
