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

How: the boundary is cut into maximal straight runs of unit pixel edges, directed with the foreground on
their right, from two ``np.diff`` calls (a run never continues straight into another, so every run start is
a corner of the ring); each run's successor is the run leaving its end corner, taking a left turn first
(only saddle corners, where two regions touch diagonally, offer both turns, and turning left there joins
the two regions, which is what gives 8-connectivity); rings are then labelled and ordered by pointer
doubling, all vectorised, so the Python work is per ring, and the array work per run, not per edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.model.geometry import rle_to_mask, run_positions

__all__ = ["mask_to_polygons", "outer_rings", "rle_to_polygons"]

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
    crop = fg[r0 : int(rows[-1]) + 1, c0 : int(cols[-1]) + 1]
    h, w = crop.shape
    padded = np.zeros((h + 2, w + 2), dtype=np.int8)
    padded[1:-1, 1:-1] = crop

    sx, sy, ex, ey, d = _boundary_runs(padded)
    nxt = _successors(sx, sy, ex, ey, d, w)
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
    x = (sx[keep] + c0).astype(np.float64)
    y = (sy[keep] + r0).astype(np.float64)
    flat = np.column_stack((x, y)).ravel()
    sizes = np.bincount(ring_of[keep], minlength=len(starts))[outer] * 2
    areas = (area2[outer] // 2).astype(np.int64).tolist()  # a rectilinear ring on integer corners: whole pixels
    return [part.tolist() for part in np.split(flat, np.cumsum(sizes)[:-1])], areas


def rle_to_polygons(cell: dict[str, Any]) -> list[list[float]]:
    """Outer polygon rings of a model mask cell, as :func:`mask_to_polygons` gives them.

    Args:
        cell: A mask cell ``{"height", "width", "counts" | "runs", ...}``, decoded with
            :func:`labelkit.model.geometry.rle_to_mask`.

    Returns:
        One flat ``[x0, y0, x1, y1, ...]`` ring per connected component of the hole-filled mask.
    """
    return mask_to_polygons(rle_to_mask(cell))


def _boundary_runs(padded: NDArray[np.int8]) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Maximal straight runs of boundary edges, directed with the foreground on their right (clockwise).

    East runs come first, in row-major order of their start corner, so the smallest run index of a ring
    is the run along the top edge of its component's first pixel, which starts at that pixel's top-left
    corner (every ring has at least one east run).

    Args:
        padded: The cropped mask as 0/1 with a one-pixel background border.

    Returns:
        Start corner ``x``, ``y``, end corner ``x``, ``y`` and direction of every run, in the cropped mask's
        corner coordinates.
    """
    h, w = padded.shape[0] - 2, padded.shape[1] - 2
    # rows[y, x] = pixel below minus pixel above the edge from (x, y) to (x + 1, y); a zero column after
    # each row keeps runs from wrapping into the next row once flattened.
    rows = _flat_grid(h + 1, w + 1)
    np.subtract(padded[1:, 1:-1], padded[:-1, 1:-1], out=rows[1:].reshape(h + 1, w + 1)[:, :w])
    # cols[x, y] = pixel right minus pixel left of the edge from (x, y) to (x, y + 1), a column per row.
    cols = _flat_grid(w + 1, h + 1)
    np.subtract(padded[1:-1, 1:], padded[1:-1, :-1], out=cols[1:].reshape(w + 1, h + 1)[:, :h].T)
    (east0, east1), (west0, west1) = _runs(rows)  # east: foreground below, along the top edge
    (north0, north1), (south0, south1) = _runs(cols)  # north: foreground right, from the bottom end
    ey, ex0 = np.divmod(east0, w + 1)
    wy, wx0 = np.divmod(west0, w + 1)
    nx, ny0 = np.divmod(north0, h + 1)
    qx, qy0 = np.divmod(south0, h + 1)
    ex1, wx1 = east1 - ey * (w + 1), west1 - wy * (w + 1)
    ny1, qy1 = north1 - nx * (h + 1), south1 - qx * (h + 1)
    sx = np.concatenate((ex0, wx1, nx, qx))
    sy = np.concatenate((ey, wy, ny1, qy0))
    tx = np.concatenate((ex1, wx0, nx, qx))
    ty = np.concatenate((ey, wy, ny0, qy1))
    counts = [len(east0), len(west0), len(north0), len(south0)]
    d = np.repeat(np.array([_EAST, _WEST, _NORTH, _SOUTH], dtype=np.int64), counts)
    return sx, sy, tx, ty, d


def _flat_grid(height: int, width: int) -> NDArray[np.int8]:
    """Zeros for a ``height x width`` grid, flat, after one leading zero (the value "before" the first cell)."""
    return np.zeros(1 + height * width, dtype=np.int8)


def _runs(grid: NDArray[np.int8]) -> tuple[tuple[IntArray, IntArray], tuple[IntArray, IntArray]]:
    """Runs of ``+1`` and of ``-1`` in a :func:`_flat_grid` (ending in 0): start and end (exclusive) of each.

    Indexes count cells, the leading zero not included. One pass finds every change of value; a change
    ends the run of the old value and starts one of the new.
    """
    values = grid[1:]
    change = np.flatnonzero(values != grid[:-1])
    new, old = values[change], grid[change]
    return (
        (change[new > 0], change[old > 0]),
        (change[new < 0], change[old < 0]),
    )


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
        w: Width of the cropped mask (corners run 0..w).

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
    north edges (region to their right) count +1, south edges -1. Vertical runs are cut into their unit
    edges here, so the cost grows with the boundary's length (not with rings x runs).

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
    length = np.abs(ey[vertical] - sy[vertical])
    # one entry per unit edge (linear in the boundary's length): the pixel row it borders, its x, +1 or -1
    row = np.repeat(top, length) + run_positions(length)
    width = int(sx.max()) + 2
    key = row * width + np.repeat(sx[vertical], length)
    order = np.argsort(key, kind="stable")
    key = key[order]
    csum = np.r_[0, np.cumsum(np.repeat(np.where(d[vertical] == _NORTH, 1, -1), length)[order])]
    # per ring start: the sum over its row's edges at or left of its x (prefix sums over the sorted keys)
    qrow, qcol = sy[starts], sx[starts]
    upto = np.searchsorted(key, qrow * width + qcol, side="right")
    row_start = np.searchsorted(key, qrow * width, side="left")
    winding: IntArray = csum[upto] - csum[row_start]
    return winding
