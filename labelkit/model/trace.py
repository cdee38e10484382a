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

How: the directed boundary edges (foreground on the right) come from two ``np.diff`` calls; each edge's
successor is the edge leaving its end corner, taking a left turn first (only saddle corners, where two
regions touch diagonally, have two choices, and turning left there joins the two regions, which is what
gives 8-connectivity); rings are then labelled and ordered by pointer doubling, all vectorised, so the
Python work is per ring, not per pixel or per edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.model.geometry import rle_to_mask

__all__ = ["mask_to_polygons", "rle_to_polygons"]

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
    fg = np.asarray(mask)
    if fg.ndim != 2:
        raise ValueError(f"mask must be 2-D, got shape {fg.shape}")
    fg = fg != 0
    rows = np.flatnonzero(fg.any(axis=1))
    if not len(rows):
        return []
    cols = np.flatnonzero(fg.any(axis=0))
    r0, c0 = int(rows[0]), int(cols[0])
    crop = fg[r0 : int(rows[-1]) + 1, c0 : int(cols[-1]) + 1]
    h, w = crop.shape
    padded = np.zeros((h + 2, w + 2), dtype=np.int8)
    padded[1:-1, 1:-1] = crop

    sx, sy, d = _boundary_edges(padded)
    nxt = _successors(sx, sy, d, h, w)
    label = _ring_labels(nxt)
    rank = _steps_to_ring_end(nxt, label)
    order = np.lexsort((-rank, label))
    sx, sy, d, label = sx[order], sy[order], d[order], label[order]

    # After sorting, ring k is edges starts[k] .. starts[k + 1] - 1 (where the label changes).
    n = len(label)
    starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    ring_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, n]))
    last = np.r_[starts[1:], n] - 1
    prev = np.arange(n) - 1
    prev[starts] = last
    # Signed double area per ring (shoelace over unit edges): positive = clockwise on screen = outer ring.
    dx = np.array([1, 0, -1, 0], dtype=np.int64)[d]
    dy = np.array([0, 1, 0, -1], dtype=np.int64)[d]
    area2 = np.bincount(ring_of, weights=(sx * (sy + dy) - (sx + dx) * sy).astype(np.float64))
    outer = area2 > 0
    if not outer.all():
        # Holes exist, so outer rings may sit inside another component's hole: drop those.
        outer &= _winding_at_start(sx, sy, d, ring_of, outer, starts) < 2
    corner = d != d[prev]
    keep = outer[ring_of] & corner
    x = (sx[keep] + c0).astype(np.float64)
    y = (sy[keep] + r0).astype(np.float64)
    flat = np.column_stack((x, y)).ravel()
    sizes = np.bincount(ring_of[keep], minlength=len(starts))[outer] * 2
    return [part.tolist() for part in np.split(flat, np.cumsum(sizes)[:-1])]


def rle_to_polygons(cell: dict[str, Any]) -> list[list[float]]:
    """Outer polygon rings of a model mask cell, as :func:`mask_to_polygons` gives them.

    Args:
        cell: A mask cell ``{"height", "width", "counts" | "runs", ...}``, decoded with
            :func:`labelkit.model.geometry.rle_to_mask`.

    Returns:
        One flat ``[x0, y0, x1, y1, ...]`` ring per connected component of the hole-filled mask.
    """
    return mask_to_polygons(rle_to_mask(cell))


def _boundary_edges(padded: NDArray[np.int8]) -> tuple[IntArray, IntArray, IntArray]:
    """Unit boundary edges, directed with the foreground on their right (clockwise around regions).

    East edges come first, in row-major order of the pixel below them, so the smallest edge index of a
    ring is the top edge of its component's first pixel (every ring has at least one east edge).

    Args:
        padded: The cropped mask as 0/1 with a one-pixel background border.

    Returns:
        Start corner ``x``, ``y`` and direction of every edge, in the cropped mask's corner coordinates.
    """
    # horiz[y, x] = pixel below minus pixel above the edge from (x, y) to (x + 1, y).
    horiz = np.diff(padded[:, 1:-1], axis=0)
    # vert[y, x] = pixel right minus pixel left of the edge from (x, y) to (x, y + 1).
    vert = np.diff(padded[1:-1, :], axis=1)
    ey, ex = np.nonzero(horiz > 0)  # foreground below: going east along the top edge
    wy, wx = np.nonzero(horiz < 0)  # foreground above: going west, starting at the right end
    ny, nx = np.nonzero(vert > 0)  # foreground right: going north, starting at the bottom end
    sy_, sx_ = np.nonzero(vert < 0)  # foreground left: going south
    sx = np.concatenate((ex, wx + 1, nx, sx_)).astype(np.int64)
    sy = np.concatenate((ey, wy, ny + 1, sy_)).astype(np.int64)
    d = np.repeat(np.array([_EAST, _WEST, _NORTH, _SOUTH], dtype=np.int64), [len(ex), len(wx), len(nx), len(sx_)])
    return sx, sy, d


def _successors(sx: IntArray, sy: IntArray, d: IntArray, h: int, w: int) -> IntArray:
    """Index of the edge that follows each edge along its ring.

    At a corner the boundary turns left, goes straight or turns right, whichever edge exists, in that order
    of preference. Only at saddle corners (two diagonal regions) are there two choices; turning left there
    keeps walking around both regions, which makes diagonal neighbours one component (8-connectivity).

    Args:
        sx: Start corner x of each edge.
        sy: Start corner y of each edge.
        d: Direction of each edge.
        h: Height of the cropped mask (corners run 0..h).
        w: Width of the cropped mask (corners run 0..w).

    Returns:
        The successor index of every edge.
    """
    stride = w + 1
    out = np.full((4, (h + 1) * stride), -1, dtype=np.int64)
    out[d, sy * stride + sx] = np.arange(len(d))
    end = (sy + np.array([0, 1, 0, -1], dtype=np.int64)[d]) * stride + sx + np.array([1, 0, -1, 0])[d]
    left = out[(d + 3) % 4, end]
    straight = out[d, end]
    right = out[(d + 1) % 4, end]
    nxt: IntArray = np.where(left >= 0, left, np.where(straight >= 0, straight, right))
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
    sx: IntArray, sy: IntArray, d: IntArray, ring_of: IntArray, outer: NDArray[np.bool_], starts: IntArray
) -> IntArray:
    """How many outer rings contain the first pixel of each ring (its own ring included, if outer).

    Casts a ray leftwards from the pixel centre and sums the outer rings' vertical edges it crosses:
    north edges (region to their right) count +1, south edges -1.

    Args:
        sx: Start corner x of each edge, in ring order.
        sy: Start corner y of each edge, in ring order.
        d: Direction of each edge.
        ring_of: Ring number of each edge.
        outer: Whether each ring is an outer (clockwise) ring.
        starts: Index of each ring's first edge (the top edge of its first pixel).

    Returns:
        Winding number at each ring's first pixel.
    """
    vertical = ((d == _NORTH) | (d == _SOUTH)) & outer[ring_of]
    north = d[vertical] == _NORTH
    row = np.where(north, sy[vertical] - 1, sy[vertical])
    width = int(sx.max()) + 2
    key = row * width + sx[vertical]
    order = np.argsort(key, kind="stable")
    key = key[order]
    csum = np.r_[0, np.cumsum(np.where(north, 1, -1)[order])]
    qrow, qcol = sy[starts], sx[starts]
    upto = np.searchsorted(key, qrow * width + qcol, side="right")
    row_start = np.searchsorted(key, qrow * width, side="left")
    winding: IntArray = csum[upto] - csum[row_start]
    return winding
