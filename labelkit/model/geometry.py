"""Box, rotated-box, polygon and keypoint maths over numpy arrays, shared by the format modules.

Model conventions: absolute pixels, float64, origin top-left, x right, y down; a box is ``x, y, w, h``
with ``angle`` in degrees, clockwise (on screen) about the box centre. Every function here works on whole
columns (arrays of N boxes or N polygons) so writers never loop over objects in Python for the maths.
Masks and rasterising polygons into them are in :mod:`labelkit.model.raster`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.model.trig import atan2_degrees, hypot, sin_cos_degrees

FloatArray = NDArray[np.float64]


def bbox_columns(column: Any) -> tuple[FloatArray, NDArray[np.bool_]]:
    """An Arrow ``fixed_size_list<float64>[4]`` column (null rows allowed) as an ``(N, 4)`` array and validity.

    Null rows come back as zeros; use the validity to skip them.
    """
    import pyarrow as pa

    from labelkit.model.tables import valid_mask

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    valid = valid_mask(array)
    values = array.values.to_numpy(zero_copy_only=False)[array.offset * 4 : (array.offset + n) * 4]
    boxes = np.asarray(values, dtype=np.float64).reshape(n, 4).copy()
    boxes[~valid] = 0.0
    boxes[np.isnan(boxes)] = 0.0
    return boxes, valid


def bbox_rows(column: Any) -> FloatArray:
    """An Arrow ``fixed_size_list<float64>[4]`` column as a ``(4, N)`` array, rows ``x, y, w, h``; NaN where null.

    Each row is contiguous (cheaper to compute with than the columns of an ``(N, 4)`` array).

    >>> import pyarrow as pa
    >>> bbox_rows(pa.array([[1.0, 2, 3, 4], None], pa.list_(pa.float64(), 4))).tolist()
    [[1.0, nan], [2.0, nan], [3.0, nan], [4.0, nan]]
    """
    import pyarrow as pa

    from labelkit.model.tables import valid_mask

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    values = np.asarray(array.values.to_numpy(zero_copy_only=False), dtype=np.float64)
    rows = values[array.offset * 4 : (array.offset + n) * 4].reshape(n, 4).T.copy()
    if array.null_count:
        rows[:, ~valid_mask(array)] = np.nan
    return rows


FLOAT_MAX = float(np.finfo(np.float64).max)
"""The largest float64: corners past it are clamped to it (see :func:`rotated_box_corners`)."""

REVERSED_CORNERS = [0, 1, 6, 7, 4, 5, 2, 3]
"""Flat indexes of corners 0, 3, 2, 1: four corners in the other turning, from the same first corner."""


def rotated_box_corners(bbox: FloatArray, angle: FloatArray) -> FloatArray:
    """The four corners of N (rotated) boxes, flat ``x0 y0 x1 y1 x2 y2 x3 y3`` per row.

    Corner 0 is the unrotated top-left, then clockwise (top-right, bottom-right, bottom-left), each turned
    by ``angle`` degrees clockwise about the box centre.

    Args:
        bbox: ``(N, 4)`` array of ``x, y, w, h``.
        angle: ``(N,)`` degrees.

    Returns:
        ``(N, 8)`` array.

    Examples:
        >>> rotated_box_corners(np.array([[0.0, 0.0, 2.0, 1.0]]), np.array([0.0])).tolist()
        [[0.0, 0.0, 2.0, 0.0, 2.0, 1.0, 0.0, 1.0]]
    """
    bbox = np.asarray(bbox, dtype=np.float64).reshape(-1, 4)
    theta = np.radians(np.asarray(angle, dtype=np.float64).reshape(-1))
    with np.errstate(over="ignore"):  # (a centre past float64's limit is inf: its corners are clamped below)
        cx = bbox[:, 0] + bbox[:, 2] / 2
        cy = bbox[:, 1] + bbox[:, 3] / 2
    hw, hh = bbox[:, 2] / 2, bbox[:, 3] / 2
    # the same bits on every machine (numpy's own sin and cos are not), and quarter turns exact: cos(90 degrees)
    # is 6e-17 through radians, which would leak into the output
    sin, cos = sin_cos_degrees(angle)
    out = np.empty((len(bbox), 8), dtype=np.float64)
    no_turn = theta == 0.0
    half = np.asarray(angle, dtype=np.float64).reshape(-1) % 360.0 == 180.0  # (exact, as no turn: see below)
    # (an infinite size: inf - inf, mended below when not turned; a corner past float64's limit: clamped below)
    with np.errstate(invalid="ignore", over="ignore"):
        for i, (dx, dy) in enumerate(((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))):
            # with y pointing down, this matrix turns clockwise on screen; exact when the angle is 0
            out[:, 2 * i] = np.where(no_turn, cx + dx, cx + dx * cos - dy * sin)
            out[:, 2 * i + 1] = np.where(no_turn, cy + dy, cy + dx * sin + dy * cos)
    # a huge box turned has corners past float64's limit: as far as a float goes, not infinite (a bound of
    # -inf and a width of inf made x + w NaN, which YOLO detect wrote as 'null')
    np.clip(out, -FLOAT_MAX, FLOAT_MAX, out=out)
    # a box not turned whose size overflowed to infinity (the bounds of points near float64's limit) has its
    # sides as corners, not NaN (which YOLO OBB wrote as 'null')
    # (only an infinite side beside a finite corner makes such a NaN: x + w/2 - w/2 is inf - inf)
    mend = no_turn & np.isinf(bbox[:, 2:]).any(axis=1) & ~np.isnan(bbox).any(axis=1) & np.isfinite(bbox[:, :2]).all(1)
    if mend.any():
        x, y, w, h = bbox[mend].T
        out[mend] = np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=1)
    # half a turn: the same corners from the bottom-right one, exactly (through the centre, a sliver along the
    # image's edge rounded onto it: no area inside the image); a size past float64's limit clamped as above
    if half.any():
        x, y, w, h = bbox[half].T
        with np.errstate(invalid="ignore", over="ignore"):
            right, bottom = np.clip(x + w, -FLOAT_MAX, FLOAT_MAX), np.clip(y + h, -FLOAT_MAX, FLOAT_MAX)
        out[half] = np.stack([right, bottom, x, bottom, x, y, right, y], axis=1)
    return out


def min_area_rect(points: FloatArray) -> tuple[float, float, float, float, float]:
    """The smallest rotated rectangle around a few points (rotating calipers over hull edges).

    Returns:
        ``(x, y, w, h, angle)`` in the model's convention (angle in degrees, clockwise, in [0, 90)).
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    best: tuple[float, float, float, float, float] | None = None
    best_area = math.inf
    n = len(pts)
    edges = np.roll(pts, -1, axis=0) - pts
    # each edge's direction, the same bits on every machine (see labelkit.model.trig)
    degrees = np.mod(atan2_degrees(edges[:, 1], edges[:, 0]), 360.0)
    degrees = np.where(degrees >= 360.0, 0.0, degrees)  # (-tiny % 360 rounds to exactly 360.0)
    sines, cosines = sin_cos_degrees(degrees)
    for i in range(n):
        if not edges[i].any():
            continue
        c, s = float(cosines[i]), float(sines[i])
        # coordinates in the frame turned by theta
        u = pts[:, 0] * c + pts[:, 1] * s
        v = -pts[:, 0] * s + pts[:, 1] * c
        w, h = float(u.max() - u.min()), float(v.max() - v.min())
        if w * h < best_area - 1e-12:
            best_area = w * h
            cu, cv = (u.max() + u.min()) / 2, (v.max() + v.min()) / 2
            cx, cy = cu * c - cv * s, cu * s + cv * c
            best = (float(cx - w / 2), float(cy - h / 2), w, h, float(degrees[i]))
    if best is None:
        x, y = float(pts[:, 0].min()), float(pts[:, 1].min())
        return (x, y, float(pts[:, 0].max()) - x, float(pts[:, 1].max()) - y, 0.0)
    return best


def corners_to_rotated_box(
    corners: FloatArray, tolerance: float = 1e-6
) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Turn N four-corner quadrilaterals into rotated boxes.

    A quadrilateral that is a rectangle (to ``tolerance`` pixels) becomes exactly the box whose corners
    :func:`rotated_box_corners` gives back, starting at corner 0. Any other quadrilateral gets its
    minimum-area rectangle and is flagged, so the caller can keep the exact corners as a polygon.

    Args:
        corners: ``(N, 8)`` array.
        tolerance: pixels.

    Returns:
        ``bbox (N, 4)``, ``angle (N,)`` degrees in [0, 360), and ``is_rectangle (N,)``.

    Examples:
        >>> b, a, r = corners_to_rotated_box(np.array([[0.0, 0.0, 2.0, 0.0, 2.0, 1.0, 0.0, 1.0]]))
        >>> b.tolist(), a.tolist(), r.tolist()
        ([[0.0, 0.0, 2.0, 1.0]], [0.0], [True])
    """
    c = np.asarray(corners, dtype=np.float64).reshape(-1, 8)
    p = c.reshape(-1, 4, 2)
    e01 = p[:, 1] - p[:, 0]
    e12 = p[:, 2] - p[:, 1]
    w = hypot(e01[:, 0], e01[:, 1])  # (these three: the same bits on every machine, see labelkit.model.trig)
    h = hypot(e12[:, 0], e12[:, 1])
    centre = p.mean(axis=1)
    diag = p[:, 0] + p[:, 2] - p[:, 1] - p[:, 3]
    dot = (e01 * e12).sum(axis=1)
    # |dot| / the longer side: how far the shorter side leans along the longer one, in pixels (with a floor of
    # 1 pixel, a quad of sub-pixel sides passed whatever its shape: 4 points on one line were a "rectangle")
    scale = np.maximum(w, h)
    is_rect = (hypot(diag[:, 0], diag[:, 1]) <= tolerance) & (np.abs(dot) <= tolerance * scale) & (w > 0) & (h > 0)
    angle = atan2_degrees(e01[:, 1], e01[:, 0]) % 360.0
    angle = np.where(angle >= 360.0, angle - 360.0, angle)  # -tiny % 360 rounds to exactly 360.0
    bbox = np.stack([centre[:, 0] - w / 2, centre[:, 1] - h / 2, w, h], axis=1)
    # keep boxes not turned, or turned half a turn, exact: no trigonometry, straight from the corners (the top-left
    # is corner 0, or 2 half a turn on: from the centre, a sliver along the image's edge, 479.99999999999994 to
    # 480, rounded onto it, a box of no area inside the image, which the next write lost)
    for turn, corner, right, left, bottom, top in ((0.0, 0, 1, 0, 2, 1), (180.0, 2, 0, 1, 1, 2)):
        rows = is_rect & (angle == turn)
        if rows.any():
            bbox[rows, 0] = p[rows, corner, 0]
            bbox[rows, 1] = p[rows, corner, 1]
            bbox[rows, 2] = p[rows, right, 0] - p[rows, left, 0]
            bbox[rows, 3] = p[rows, bottom, 1] - p[rows, top, 1]
    for i in np.flatnonzero(~is_rect):
        x, y, bw, bh, deg = min_area_rect(p[i])
        bbox[i] = (x, y, bw, bh)
        angle[i] = deg
    return bbox, angle, is_rect


def ring_bounds(coords: FloatArray, offsets: NDArray[np.int64]) -> FloatArray:
    """Bounds of N flat ``x0 y0 x1 y1 ...`` point lists stored back to back.

    Args:
        coords: all coordinates, flat.
        offsets: ``N + 1`` offsets into ``coords`` (Arrow list offsets); every list must be non-empty.

    Returns:
        ``(N, 4)`` array of ``x, y, w, h``.

    Examples:
        >>> ring_bounds(np.array([1.0, 2.0, 3.0, 5.0, 0.0, 0.0, 1.0, 1.0]), np.array([0, 4, 8])).tolist()
        [[1.0, 2.0, 2.0, 3.0], [0.0, 0.0, 1.0, 1.0]]
    """
    xs, ys = coords[0::2], coords[1::2]
    starts = np.asarray(offsets[:-1], dtype=np.int64) // 2
    if not len(starts):
        return np.zeros((0, 4), dtype=np.float64)
    x0 = np.minimum.reduceat(xs, starts)
    x1 = np.maximum.reduceat(xs, starts)
    y0 = np.minimum.reduceat(ys, starts)
    y1 = np.maximum.reduceat(ys, starts)
    with np.errstate(over="ignore"):  # (points near float64's limit: a width of inf)
        return np.stack([x0, y0, x1 - x0, y1 - y0], axis=1)


def turned_boxes_meet(bbox: FloatArray, angle: FloatArray, width: FloatArray, height: FloatArray) -> NDArray[np.bool_]:
    """Per row, whether a box turned by its angle and its image (``[0, width] x [0, height]``) share some area.

    The turned box's bounds meeting the image is not enough: a box turned 45 degrees past a corner has bounds over
    the image and no pixel in it. Two convex shapes share area exactly where no axis among their edges' normals
    parts them: the image's (x, y) and the box's own two.

    Examples:
        >>> box = np.array([[400.0, 400.0, 1200.0, 1200.0], [0.0, 0.0, 100.0, 10.0]])
        >>> turned_boxes_meet(box, np.array([45.0, 45.0]), np.full(2, 640.0), np.full(2, 480.0)).tolist()
        [False, True]
    """
    bbox = np.asarray(bbox, dtype=np.float64).reshape(-1, 4)
    x0, y0, bounds_w, bounds_h = corner_bounds(rotated_box_corners(bbox, angle)).T
    met = overlaps(x0, bounds_w, width) & overlaps(y0, bounds_h, height)
    sin, cos = sin_cos_degrees(angle)
    cx, cy = bbox[:, 0] + bbox[:, 2] / 2, bbox[:, 1] + bbox[:, 3] / 2
    with np.errstate(invalid="ignore", over="ignore"):
        for (ux, uy), half in (((cos, sin), bbox[:, 2] / 2), ((-sin, cos), bbox[:, 3] / 2)):
            ends = [(px - cx) * ux + (py - cy) * uy for px in (0.0, width) for py in (0.0, height)]
            low, high = np.minimum.reduce(ends), np.maximum.reduce(ends)
            met &= (high > -half) & (low < half)
    return np.asarray(met, dtype=bool)


def overlaps(start: Any, size: Any, side: Any) -> Any:
    """Per row, whether ``[start, start + size]`` overlaps ``[0, side]`` by a positive length (NaN: False).

    Exact where the size is too small to move the start: ``5 + 1e-319`` is 5, so comparing the clipped ends
    took such a box for one of no area; the sign of a rounded sum is the sign of the exact sum.

    Examples:
        >>> overlaps(np.array([5.0, -1.0, -1e-320]), np.array([1e-319, 1e-320, 2e-320]), np.array([10.0] * 3))
        array([ True, False,  True])
    """
    with np.errstate(invalid="ignore", over="ignore"):
        return (size > 0) & (side > 0) & (start < side) & (start + size > 0)


def corner_bounds(corners: FloatArray) -> FloatArray:
    """Bounds ``x, y, w, h`` of N boxes' four corners, ``(N, 8)`` as :func:`rotated_box_corners` gives them.

    >>> corner_bounds(rotated_box_corners(np.array([[0.0, 0.0, 2.0, 2.0]]), np.array([90.0]))).tolist()
    [[0.0, 0.0, 2.0, 2.0]]
    """
    return ring_bounds(corners.reshape(-1), np.arange(0, 8 * (len(corners) + 1), 8))


def run_positions(lengths: NDArray[np.integer[Any]]) -> NDArray[np.int64]:
    """Each element's index within its run, for runs of ``lengths`` laid end to end.

    The runs are rings of a polygon column, keypoints of an object, edges of a boundary run.

    Examples:
        >>> run_positions(np.array([2, 0, 3])).tolist()
        [0, 1, 0, 1, 2]
    """
    counts = np.asarray(lengths, dtype=np.int64)
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def flat_rings(polygon: Any) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """A ``list<list<float64>>`` Arrow array as flat numpy arrays: rings per row, values per ring, all values.

    A null row has 0 rings; a slice of a larger column gives only its own values.

    Examples:
        >>> import pyarrow as pa
        >>> polygons = pa.array([[[0.0, 0, 4, 0, 4, 2]], None, [[1.0, 1], []]], pa.list_(pa.list_(pa.float64())))
        >>> [v.tolist() for v in flat_rings(polygons.slice(1))]
        [[0, 2], [2, 0], [1.0, 1.0]]
    """
    import pyarrow.compute as pc

    counts, ring_len = ring_lengths(polygon)
    coords = np.asarray(pc.list_flatten(pc.list_flatten(polygon)).to_numpy(zero_copy_only=False), dtype=np.float64)
    return counts, ring_len, coords


def hole_counts(holes: Any) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per row of a ``polygon_holes`` column (``list<bool>``): (rings flagged, rings flagged holes).

    A null row, or a null flag, counts no hole.

    Examples:
        >>> import pyarrow as pa
        >>> [v.tolist() for v in hole_counts(pa.chunked_array([[[False, True], None, [True, True, None]]]))]
        [[2, 0, 3], [1, 0, 2]]
    """
    import pyarrow.compute as pc

    combined = holes.combine_chunks() if hasattr(holes, "combine_chunks") else holes
    lengths = np.asarray(pc.list_value_length(combined).fill_null(0).to_numpy(zero_copy_only=False), np.int64)
    if holes.null_count == len(holes):  # (the usual case: no row flags its rings)
        return lengths, np.zeros(len(holes), dtype=np.int64)
    flags = np.asarray(pc.list_flatten(combined).fill_null(False).to_numpy(zero_copy_only=False), np.int64)
    running = np.concatenate([[0], np.cumsum(flags)])
    ends = np.cumsum(lengths)
    return lengths, running[ends] - running[ends - lengths]


def points_outside(polygon: Any, width: FloatArray, height: FloatArray) -> NDArray[np.bool_]:
    """Per row of a ``list<list<float64>>`` Arrow array: whether a point of any of its rings is outside its image.

    Outside: x not in ``[0, width]`` or y not in ``[0, height]`` (that row's). A ring's values alternate x and
    y from its start (a ring of an odd number of values included). NaN is outside nothing.

    Examples:
        >>> import pyarrow as pa
        >>> rings = pa.array([[[0.0, 0, 4, 2]], [[1.0, 1], [5.0, 1]], None, [[1.0], [1.0, 3]]],
        ...                  pa.list_(pa.list_(pa.float64())))
        >>> points_outside(rings, np.full(4, 4.0), np.full(4, 2.0)).tolist()
        [False, True, False, True]
    """
    counts, ring_len, coords = flat_rings(polygon)
    row = np.repeat(np.repeat(np.arange(len(counts)), counts), ring_len)
    is_y = run_positions(ring_len) % 2 == 1
    limit = np.where(is_y, np.asarray(height, dtype=np.float64)[row], np.asarray(width, dtype=np.float64)[row])
    out = (coords < 0) | (coords > limit)
    return np.bincount(row[out], minlength=len(counts)) > 0


RECTANGLE_TOLERANCE = 1e-6
"""Pixels a polygon's point may be from its box's corner and still be that box's rectangle (a float's last bits,
or a writer's rounding of ``x + w``)."""


def box_rectangles(polygon: Any, bbox: Any, angle: Any = None) -> NDArray[np.bool_]:
    """Per object: whether its polygon is exactly its box's rectangle, so that writing the box loses nothing.

    One ring of 4 points, the box's corners in COCO's order (``x y, x+w y, x+w y+h, x y+h``, as COCO writers
    draw a box-only object's segmentation), each within ``RECTANGLE_TOLERANCE``; the box not rotated.

    Examples:
        >>> import pyarrow as pa
        >>> polygons = pa.list_(pa.list_(pa.float64()))
        >>> rings = pa.array([[[1.0, 2, 4, 2, 4, 6, 1, 6]], [[1.0, 2, 4, 2, 4, 6]], None], polygons)
        >>> boxes = pa.array([[1.0, 2, 3, 4]] * 3, pa.list_(pa.float64(), 4))
        >>> box_rectangles(rings, boxes).tolist()
        [True, False, False]
    """
    import pyarrow.compute as pc

    counts, ring_len, coords = flat_rings(polygon)  # (flat numpy: cheaper than taking the rows' lists)
    four: NDArray[np.bool_] = counts == 1
    if not four.any():  # (only objects of one ring are looked at further: usually few where polygons are counted)
        return four
    first_ring = np.cumsum(counts) - counts
    rows = np.flatnonzero(four)
    rows = rows[ring_len[first_ring[rows]] == 8]
    boxes, has_box = bbox_columns(bbox)
    boxes, has_box = boxes[rows], has_box[rows]
    if angle is not None:
        turned = np.asarray(pc.fill_null(angle, 0.0).to_numpy(zero_copy_only=False), np.float64)[rows]
        has_box &= turned == 0
    four[:] = False
    rows, boxes = rows[has_box], boxes[has_box]
    if not len(rows):
        return four
    ring_start = np.cumsum(ring_len) - ring_len
    points = coords[ring_start[first_ring[rows]][:, None] + np.arange(8)]
    x, y, w, h = boxes.T
    right, bottom = x + w, y + h
    corners = np.stack([x, y, right, y, right, bottom, x, bottom], axis=1)
    with np.errstate(invalid="ignore"):
        four[rows] = (np.abs(points - corners) <= RECTANGLE_TOLERANCE).all(axis=1)
    return four


def ring_lengths(polygon: Any) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The first two arrays of :func:`flat_rings`: rings per row and values per ring."""
    import pyarrow.compute as pc

    counts = np.asarray(pc.list_value_length(polygon).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    rings = pc.list_flatten(polygon)
    ring_len = np.asarray(pc.list_value_length(rings).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    return counts, ring_len


def drawable_rings(ring_len: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Per ring (its number of values): whether it is a ring of at least 3 points, ``x y`` pairs."""
    drawable: NDArray[np.bool_] = (ring_len >= 6) & (ring_len % 2 == 0)
    return drawable


def outerless_polygons(polygon: Any, holes: Any) -> NDArray[np.bool_]:
    """Per row: whether the polygon has a hole and no ring of 3 points or more that is not one, so covers nothing.

    A polygon of holes alone (or whose only other ring has 2 points) is drawn by no format: a COCO RLE of it is
    empty, VOC paints nothing, and its bounds are no box of it.

    Examples:
        >>> import pyarrow as pa
        >>> rings = pa.array([[[0.0, 0, 4, 0, 4, 2]], [[0.0, 0, 4, 0, 4, 2], [1.0, 1, 2, 1, 2, 2]], [[0.0, 0],
        ...                   [1.0, 1, 2, 1, 2, 2]]], pa.list_(pa.list_(pa.float64())))
        >>> outerless_polygons(rings, pa.array([[True], [False, True], [False, True]])).tolist()
        [True, False, True]
    """
    n = len(polygon)
    out = np.zeros(n, dtype=bool)
    flag_lengths, flagged = hole_counts(holes)
    if not flagged.any():
        return out
    import pyarrow as pa
    import pyarrow.compute as pc

    counts, ring_len = ring_lengths(polygon)
    # the rows flagging as many rings as they have, at once (a ring's flag beside it); the others one by one
    aligned = (flagged > 0) & (flag_lengths == counts)
    rows = np.flatnonzero(aligned)
    ring_flags = np.zeros(len(ring_len), dtype=bool)
    starts = np.cumsum(counts) - counts
    lengths = counts[rows]
    at = (
        np.repeat(starts[rows], lengths)
        + np.arange(int(lengths.sum()))
        - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    combined = holes.combine_chunks() if hasattr(holes, "combine_chunks") else holes
    taken = pc.list_flatten(combined.take(pa.array(rows))).fill_null(False)
    ring_flags[at] = np.asarray(taken.to_numpy(zero_copy_only=False), dtype=bool)
    outer = drawable_rings(ring_len) & ~ring_flags
    has_outer = np.bincount(np.repeat(np.arange(n), counts)[outer], minlength=n) > 0
    out[rows] = ~has_outer[rows]
    odd = np.flatnonzero((flagged > 0) & ~aligned)
    if len(odd):
        picked = pa.array(odd)
        for k, (rings, flags) in enumerate(
            zip(polygon.take(picked).to_pylist(), holes.take(picked).to_pylist(), strict=True)
        ):
            flags = list(flags or []) + [None] * max(0, len(rings or []) - len(flags or []))
            out[odd[k]] = not any(
                len(r) >= 6 and len(r) % 2 == 0 and not f for r, f in zip(rings or [], flags, strict=False)
            )
    return out


def drawable_polygons(polygon: Any) -> NDArray[np.bool_]:
    """Per row of a ``list<list<float64>>`` Arrow array: whether it has a ring of at least 3 points.

    A null row, a polygon without rings, or one whose rings all have fewer than 3 points (or an odd
    number of values) has nothing a format that draws polygons could write.

    Examples:
        >>> import pyarrow as pa
        >>> polygons = pa.array([[[0.0, 0, 4, 0, 4, 2]], None, [], [[1.0, 1], [0.0, 0, 1, 0, 1]]],
        ...                     pa.list_(pa.list_(pa.float64())))
        >>> drawable_polygons(polygons).tolist()
        [True, False, False, False]
    """
    counts, ring_len = ring_lengths(polygon)
    return any_per_row(counts, drawable_rings(ring_len))


def any_per_row(counts: NDArray[np.int64], flags: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per row holding ``counts[i]`` consecutive entries of ``flags``: whether any of them is set.

    Examples:
        >>> any_per_row(np.array([2, 0, 1]), np.array([False, True, False])).tolist()
        [True, False, False]
    """
    if flags.all():  # the usual case (every ring drawable): no per-entry work
        return counts > 0
    owner = np.repeat(np.arange(len(counts)), counts)
    found: NDArray[np.bool_] = np.bincount(owner[flags], minlength=len(counts)) > 0
    return found


def ring_area(ring: Sequence[float] | FloatArray) -> float:
    """Area of one flat ``x0 y0 x1 y1 ...`` ring (shoelace formula; either orientation), as :func:`ring_areas`.

    Examples:
        >>> ring_area([0, 0, 4, 0, 4, 2, 0, 2])
        8.0
    """
    coords = np.asarray(ring, dtype=np.float64)
    return float(ring_areas(coords, np.zeros(1, dtype=np.int64), np.array([len(coords)]))[0])


def ring_areas(coords: FloatArray, starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> FloatArray:
    """Area of each ring ``coords[starts[r]:starts[r] + lengths[r]]`` (flat ``x y`` pairs), either orientation.

    Shoelace sums over every ring at once, each ring relative to its first point (less rounding far from
    the origin) and added in index order by ``np.bincount``, never by a BLAS dot product, whose summation
    order depends on the CPU: the same bits on every machine. An empty ring has area 0; a ring with an odd
    number of values is malformed and has area NaN.

    Examples:
        >>> coords = np.array([0, 0, 4, 0, 4, 2, 0, 2, 1, 1, 2, 1, 1, 2], dtype=np.float64)
        >>> ring_areas(coords, np.array([0, 8, 14, 8]), np.array([8, 6, 0, 5])).tolist()
        [8.0, 0.5, 0.0, nan]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(lengths)
    points = lengths // 2
    ring_of = np.repeat(np.arange(n), points)
    origin = np.asarray(starts, dtype=np.int64)[ring_of]  # where each point's ring starts
    x_at = origin + 2 * run_positions(points)
    after = np.arange(1, len(x_at) + 1)
    ends = np.cumsum(points)[points > 0]
    after[ends - 1] = ends - points[points > 0]  # each ring's last point is followed by its first
    # (coordinates near float64's limit, or infinite: an infinite or NaN area, without numpy's warning)
    with np.errstate(over="ignore", invalid="ignore"):
        xs = coords[x_at] - coords[origin]
        ys = coords[x_at + 1] - coords[origin + 1]
        twice = np.bincount(ring_of, xs * ys[after], n) - np.bincount(ring_of, ys * xs[after], n)
    areas: FloatArray = np.where(lengths % 2 == 0, np.abs(twice) / 2, np.nan)
    return areas


def polygon_bounds(rings: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    """Bounds ``x, y, w, h`` of one object's rings (all rings together).

    Examples:
        >>> polygon_bounds([[0, 0, 4, 0, 4, 2], [5, 5, 6, 6, 5, 6]])
        (0.0, 0.0, 6.0, 6.0)
    """
    xs = [float(v) for ring in rings for v in ring[0::2]]
    ys = [float(v) for ring in rings for v in ring[1::2]]
    x0, y0 = min(xs), min(ys)
    return (x0, y0, max(xs) - x0, max(ys) - y0)


def polygon_bounds_column(polygon: Any) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Per row of a ``list<list<float64>>`` Arrow array: :func:`polygon_bounds` of its rings, a column at a time.

    Returns:
        ``(N, 4)`` boxes ``x, y, w, h`` (NaN for a row without coordinates), and which rows have one.

    Examples:
        >>> import pyarrow as pa
        >>> polygons = pa.array([[[0.0, 0, 4, 0, 4, 2], [5.0, 5, 6, 6, 5, 6]], None, [[]]],
        ...                     pa.list_(pa.list_(pa.float64())))
        >>> boxes, has = polygon_bounds_column(polygons)
        >>> boxes[0].tolist(), has.tolist()
        ([0.0, 0.0, 6.0, 6.0], [True, False, False])
    """
    return _row_bounds(*flat_rings(polygon))


def drawn_polygon_bounds_column(polygon: Any) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Per row of a ``list<list<float64>>`` Arrow array: the bounds of its rings of at least 3 points.

    The box written for an object that has none, by every writer that derives one (YOLO detect and pose,
    Pascal VOC, COCO): a ring of 1 or 2 points (or an odd number of values) draws nothing, and is left out,
    as :func:`drawable_polygons` leaves it out.

    Returns:
        ``(N, 4)`` boxes ``x, y, w, h`` (NaN for a row without such a ring), and which rows have one.

    Examples:
        >>> import pyarrow as pa
        >>> polygons = pa.array([[[0.0, 0, 4, 0, 4, 2], [9.0, 9]], None, [[1.0, 1, 2, 2]]],
        ...                     pa.list_(pa.list_(pa.float64())))
        >>> boxes, has = drawn_polygon_bounds_column(polygons)
        >>> boxes[0].tolist(), has.tolist()
        ([0.0, 0.0, 4.0, 2.0], [True, False, False])
    """
    counts, ring_len, coords = flat_rings(polygon)
    drawn = drawable_rings(ring_len)
    if not drawn.all():  # (rare: only the values of the drawable rings are kept)
        coords = coords[np.repeat(drawn, ring_len)]
        ring_len = np.where(drawn, ring_len, 0)
    return _row_bounds(counts, ring_len, coords)


def _row_bounds(
    counts: NDArray[np.int64], ring_len: NDArray[np.int64], coords: FloatArray
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Per row of ``counts[i]`` rings (``ring_len`` values each, flat in ``coords``): the bounds of its values."""
    n = len(counts)
    values = np.bincount(np.repeat(np.arange(n), counts), ring_len, n).astype(np.int64)
    has: NDArray[np.bool_] = values > 0
    boxes = np.full((n, 4), np.nan)
    if has.any():
        starts = ((np.cumsum(values) - values) // 2)[has]  # first point of each row with coordinates
        xs, ys = coords[0::2], coords[1::2]
        x0, y0 = np.minimum.reduceat(xs, starts), np.minimum.reduceat(ys, starts)
        x1, y1 = np.maximum.reduceat(xs, starts), np.maximum.reduceat(ys, starts)
        with np.errstate(over="ignore"):  # (points near float64's limit: an infinite size, without a warning)
            boxes[has] = np.stack([x0, y0, x1 - x0, y1 - y0], axis=1)
    return boxes, has


def keypoint_bounds(keypoints: Sequence[float]) -> tuple[float, float, float, float] | None:
    """Bounds ``x, y, w, h`` of the labelled points (``v > 0``) of flat ``[x, y, v, ...]`` keypoints, if any.

    Examples:
        >>> keypoint_bounds([4, 1, 2, 0, 0, 0, 1, 3, 1])
        (1.0, 1.0, 3.0, 2.0)
        >>> keypoint_bounds([4, 1, 0]) is None
        True
    """
    triples = zip(keypoints[0::3], keypoints[1::3], keypoints[2::3], strict=True)
    points = [(float(x), float(y)) for x, y, v in triples if v > 0]
    if not points:
        return None
    xs, ys = zip(*points, strict=True)
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def labelled_keypoints(keypoints: Any) -> NDArray[np.bool_]:
    """Per row of a ``list<float64>`` Arrow array of ``[x, y, v, ...]``: whether a point is labelled (v > 0).

    Examples:
        >>> import pyarrow as pa
        >>> labelled_keypoints(pa.array([[1.0, 2, 0, 3, 4, 2], None, [1.0, 1, 0]])).tolist()
        [True, False, False]
    """
    import pyarrow.compute as pc

    lengths = np.asarray(pc.list_value_length(keypoints).fill_null(0).to_numpy(zero_copy_only=False), np.int64)
    values = np.asarray(pc.list_flatten(keypoints).to_numpy(zero_copy_only=False), dtype=np.float64)
    return any_per_row(lengths // 3, values[2::3] > 0)


def labelled_keypoint_counts(keypoints: Any) -> NDArray[np.int64]:
    """Per row of a ``list<float64>`` Arrow array of ``[x, y, v, ...]``: how many points are labelled (v > 0).

    COCO's ``num_keypoints``. A null row counts 0.

    Examples:
        >>> import pyarrow as pa
        >>> labelled_keypoint_counts(pa.array([[1.0, 2, 1, 3, 4, 2], None, [1.0, 1, 0]])).tolist()
        [2, 0, 0]
    """
    import pyarrow.compute as pc

    lengths = np.asarray(pc.list_value_length(keypoints).fill_null(0).to_numpy(zero_copy_only=False), np.int64)
    values = np.asarray(pc.list_flatten(keypoints).to_numpy(zero_copy_only=False), dtype=np.float64)
    parents = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    labelled = ((np.arange(len(values)) - starts[parents]) % 3 == 2) & (values > 0)
    counts: NDArray[np.int64] = np.bincount(parents[labelled], minlength=len(lengths)).astype(np.int64)
    return counts


def xywh_to_yolo(bbox: FloatArray, width: FloatArray, height: FloatArray) -> FloatArray:
    """Absolute ``x, y, w, h`` to YOLO's normalised ``cx, cy, w, h`` (per-row image sizes).

    Examples:
        >>> xywh_to_yolo(np.array([[10.0, 20.0, 30.0, 40.0]]), np.array([100.0]), np.array([200.0])).tolist()
        [[0.25, 0.2, 0.3, 0.2]]
    """
    b = np.asarray(bbox, dtype=np.float64).reshape(-1, 4)
    w = np.asarray(width, dtype=np.float64)
    h = np.asarray(height, dtype=np.float64)
    return np.stack([(b[:, 0] + b[:, 2] / 2) / w, (b[:, 1] + b[:, 3] / 2) / h, b[:, 2] / w, b[:, 3] / h], axis=1)


def yolo_to_xywh(values: FloatArray, width: FloatArray, height: FloatArray) -> FloatArray:
    """YOLO's normalised ``cx, cy, w, h`` to absolute ``x, y, w, h`` (per-row image sizes).

    Examples:
        >>> yolo_to_xywh(np.array([[0.25, 0.2, 0.3, 0.2]]), np.array([100.0]), np.array([200.0])).tolist()
        [[10.0, 20.0, 30.0, 40.0]]
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1, 4)
    w = np.asarray(width, dtype=np.float64)
    h = np.asarray(height, dtype=np.float64)
    bw, bh = v[:, 2] * w, v[:, 3] * h
    return np.stack([v[:, 0] * w - bw / 2, v[:, 1] * h - bh / 2, bw, bh], axis=1)


def clip_xyxy(bbox: FloatArray, width: FloatArray, height: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Clip N ``x, y, w, h`` boxes to their images; also say which boxes changed.

    Examples:
        >>> b, changed = clip_xyxy(np.array([[-5.0, 0.0, 10.0, 10.0]]), np.array([8.0]), np.array([20.0]))
        >>> b.tolist(), changed.tolist()
        ([[0.0, 0.0, 5.0, 10.0]], [True])
    """
    b = np.asarray(bbox, dtype=np.float64).reshape(-1, 4)
    w = np.asarray(width, dtype=np.float64)
    h = np.asarray(height, dtype=np.float64)
    x0 = np.clip(b[:, 0], 0, w)
    y0 = np.clip(b[:, 1], 0, h)
    x1 = np.clip(b[:, 0] + b[:, 2], 0, w)
    y1 = np.clip(b[:, 1] + b[:, 3], 0, h)
    changed = (x0 != b[:, 0]) | (y0 != b[:, 1]) | (x1 != b[:, 0] + b[:, 2]) | (y1 != b[:, 1] + b[:, 3])
    out = b.copy()
    out[changed] = np.stack([x0, y0, x1 - x0, y1 - y0], axis=1)[changed]
    return out, changed


def voc_to_xywh(xmin: float, ymin: float, xmax: float, ymax: float) -> tuple[float, float, float, float]:
    """Pascal VOC's 1-based inclusive pixel corners to the model's ``x, y, w, h``.

    VOC names the first and last pixel a box covers, counting from 1; pixel ``i`` (1-based) spans
    ``[i - 1, i)`` in the model, so a box from pixel 1 to pixel 3 starts at 0 and is 3 pixels wide.

    Examples:
        >>> voc_to_xywh(1, 2, 3, 4)
        (0.0, 1.0, 3.0, 3.0)
    """
    return (float(xmin) - 1.0, float(ymin) - 1.0, float(xmax) - float(xmin) + 1.0, float(ymax) - float(ymin) + 1.0)


def xywh_to_voc(bbox: FloatArray) -> FloatArray:
    """The model's ``x, y, w, h`` (N rows) to VOC's 1-based inclusive ``xmin, ymin, xmax, ymax``.

    The corners are those a reader takes back to the box, or, where float rounding leaves none, to a box a
    float away that is written again with the same corners: so VOC -> VOC of any VOC output is the same.

    Examples:
        >>> xywh_to_voc(np.array([[0.0, 1.0, 3.0, 3.0]])).tolist()
        [[1.0, 2.0, 3.0, 4.0]]
    """
    b = np.asarray(bbox, dtype=np.float64).reshape(-1, 4)
    with np.errstate(over="ignore", invalid="ignore"):
        # x + 1 can round (x = 0.48677037317153754 gives 1.4867703731715376): a reader takes back x' = xmin - 1,
        # not x. xmin is (x + 1 - 1) + 1, which x' + 1 gives again (x + 1 - 1 is exact, or rounds away from 0,
        # where adding 1 is exact), and xmax is found from x', as it is when x' is written
        low = ((b[:, :2] + 1.0) - 1.0) + 1.0
        chosen, found = _far_corner(low, b[:, 2:])
        if not found.all():  # no corner reads back to w (finer than the floats near xmin): the corner written for
            missed = ~found  # the w a reader takes back, which it gives again
            chosen[missed] = _far_corner(low[missed], (chosen[missed] - low[missed]) + 1.0)[0]
    return np.stack([low[:, 0], low[:, 1], chosen[:, 0], chosen[:, 1]], axis=1)


def _far_corner(low: FloatArray, size: FloatArray) -> tuple[FloatArray, NDArray[np.bool_]]:
    """VOC's ``xmax`` (and ``ymax``) for ``xmin`` ``low`` and width ``size``, and whether a reader takes it back so.

    x' + w (x' = xmin - 1, as a reader takes it) can round a float away from the corner a reader takes back to w
    (xmax - xmin + 1): of it and its nearest floats, the first that a reader does is the corner, so VOC -> VOC
    gives back the same box; where none does, x' + w.
    """
    high = (low - 1.0) + size
    chosen = high.copy()
    found = (high - low) + 1.0 == size
    todo = np.flatnonzero(~found.reshape(-1))  # (the few that x' + w misses: only their neighbours are tried)
    if len(todo):
        start, want, base = high.reshape(-1)[todo], size.reshape(-1)[todo], low.reshape(-1)[todo]
        up = np.nextafter(start, np.inf)
        down = np.nextafter(start, -np.inf)
        candidates = (up, down, np.nextafter(up, np.inf), np.nextafter(down, -np.inf))  # 1, -1, 2, -2 floats away
        fits = [(c - base) + 1.0 == want for c in candidates]
        picked = start
        for candidate, fit in reversed(list(zip(candidates, fits, strict=True))):  # (the first that fits wins)
            picked = np.where(fit, candidate, picked)
        chosen.reshape(-1)[todo] = picked
        found.reshape(-1)[todo] = np.logical_or.reduce(fits)
    return chosen, found
