"""YOLO label lines from the objects table: the columns the writer derives, traced masks, per-task formatting.

Coordinates are computed with numpy over whole columns, clipped to the image (the count is kept for the
report), normalised, then formatted a chunk of objects at a time. What check() derives (placeable objects,
traced masks) is cached on the dataset for write() while the dataset is unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.formats.chunked_rows import ChunkedRows
from labelkit.formats.derived import cached
from labelkit.formats.yolo_exact import AsRead
from labelkit.formats.yolo_keypoints import MARKS, put_marks
from labelkit.formats.yolo_numbers import (
    EDGE_NOISE,
    Text,
    fmt_ragged,
    fmt_rows,
    inside_when_rounded,
    joined,
    kept_overlapping,
    snapped,
    split_lines,
)
from labelkit.formats.yolo_rings import quad_rings
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, read_only, true_mask, valid_mask
from labelkit.model.trace import Segments, cell_segments, largest_rings

_CHUNK = 8192
"""Object rows formatted at a time. A chunk's temporaries (about 1 MB each) reuse freed heap memory; at
65,536 rows the segment text and coordinate arrays were about 10 MB each, above glibc's mmap threshold, so
each was mapped fresh and faulted in page by page: on the train2017-sized file YOLO segment writing took
4 times the page faults (660k against 172k) and 1-3 s more of system time, for the same output."""


@dataclass
class Columns:
    """The objects the writer can place, as arrays aligned with the objects table."""

    item: np.ndarray[Any, Any]
    category: np.ndarray[Any, Any]
    width: np.ndarray[Any, Any]
    height: np.ndarray[Any, Any]
    usable: np.ndarray[Any, Any]
    """Objects written: placed (:attr:`placed`) and with the coordinates the task needs."""
    placed: np.ndarray[Any, Any]
    """Objects of a known item of known size, with a known category."""
    drawable: np.ndarray[Any, Any]
    """Objects with a polygon ring of at least 3 points (:func:`~labelkit.model.geometry.drawable_polygons`)."""
    outside: np.ndarray[Any, Any]
    """Placed objects whose written geometry has an area, none of it inside the image (not written: clipping
    would make a zero box, which trains nothing; see :func:`_outside`)."""
    negative: np.ndarray[Any, Any]
    """Placed objects whose written box has a negative width or height (not written; see :func:`_negative_boxes`)."""


def columns(dataset: Dataset, task: str) -> Columns:
    """The placeable objects for ``task`` (cached while the dataset is unchanged)."""
    return cached(dataset, f"columns:{task}", lambda: _compute_columns(dataset, task))


def _compute_columns(dataset: Dataset, task: str) -> Columns:
    items = dataset.table("items")
    objects = dataset.table("objects")
    item_np = dataset.item_positions()
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    category = pc.index_in(objects["category_id"], value_set=ids).fill_null(-1)
    category_np = np.asarray(category.to_numpy(zero_copy_only=False), dtype=np.int64)
    widths = np.asarray(items["width"].fill_null(0).to_numpy(), dtype=np.float64)
    heights = np.asarray(items["height"].fill_null(0).to_numpy(), dtype=np.float64)
    safe = np.where(item_np >= 0, item_np, 0)
    w = widths[safe] if len(widths) else np.zeros(len(item_np))
    h = heights[safe] if len(heights) else np.zeros(len(item_np))
    drawable = drawable_polygons(dataset)
    has_geometry = valid_mask(objects["bbox"]) | drawable
    if task == "segment":  # a mask-only object is written when its mask has pixels to trace
        traced = traced_masks(dataset).rings
        has_geometry[np.fromiter(traced, dtype=np.int64, count=len(traced))] = True
    placed = (item_np >= 0) & (category_np >= 0) & (w > 0) & (h > 0)
    drawn = drawable if task in ("segment", "obb") else None
    negative = placed & _negative_boxes(dataset, task)
    # (a negative box turned by its angle has bounds of a size, which may lie outside: it is lost once, as negative)
    outside = placed & ~negative & _outside(objects, w, h, drawn)
    usable = placed & has_geometry & ~outside & ~negative
    return Columns(item_np, category_np, w, h, usable, placed, drawable, outside, negative)


def _negative_boxes(dataset: Dataset, task: str) -> Any:
    """Objects whose written geometry is a box of negative width or height.

    What a task writes instead of the box is not looked at: segment's drawable polygon or traced mask, OBB's
    4-point polygon (OBB writes any other polygon as the box).
    """
    objects = dataset.table("objects")
    bbox = objects["bbox"]
    boxed = valid_mask(bbox)
    if not boxed.any():
        return boxed
    negative = boxed & true_mask(pc.or_(*(pc.less(pc.list_element(bbox, i), 0) for i in (2, 3))))
    if task == "segment" and negative.any():
        negative &= ~drawable_polygons(dataset)
        traced = traced_masks(dataset).rings
        negative[np.fromiter(traced, dtype=np.int64, count=len(traced))] = False
    elif task == "obb" and negative.any():  # (few rows: only the negative boxes' polygons are looked at)
        rows = np.flatnonzero(negative)
        polygons = objects["polygon"].take(pa.array(rows)).combine_chunks()
        with_ring, flat, offsets = _chosen_rings(polygons)
        single = np.asarray(pc.list_value_length(polygons).fill_null(0).to_numpy(zero_copy_only=False)) == 1
        negative[rows[with_ring[quad_rings(flat, offsets[:-1], np.diff(offsets)) & single[with_ring]]]] = False
    return negative


def _outside(objects: pa.Table, w: np.ndarray[Any, Any], h: np.ndarray[Any, Any], drawn: Any) -> Any:
    """Objects whose written geometry has an area, none of it inside the image.

    The geometry written: the polygon (its rings of 3 points or more) where the task draws one (``drawn``:
    segment, OBB) and its box, if any, is not inside the image; else the box, turned by its angle (the turned box
    itself, not its bounds: one turned past a corner has bounds over the image, and clipped, OBB and segment wrote
    a corner of the image for it, detect its bounds' clipped box); else the
    bounds of the polygon's rings of 3 points or more (as :meth:`Lines._boxes` takes them).
    Clipped to the image, it would have no width or height. A zero box stays one (as read from YOLO); a box of
    a size whose turned corners' bounds have none (a float's noise: 8e-15 pixels turned at y 480) is outside;
    a mask traced for segment is not looked at.
    """
    n = len(w)
    if not n:
        return np.zeros(0, dtype=bool)
    bounds = G.bbox_rows(objects["bbox"])  # (x, y, w, h rows: NaN where no box)
    sized = (bounds[2] > 0) & (bounds[3] > 0)  # (the box as given)
    boxed = valid_mask(objects["bbox"])
    # (turned boxes whose bounds meet the image, none of the box: 45 degrees past a corner)
    missed = np.zeros(n, dtype=bool)
    if boxed.any():
        angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        turned = boxed & (angle % 360 != 0)
        if turned.any():
            given = bounds[:, turned].T
            missed[turned] = ~G.turned_boxes_meet(given, angle[turned], w[turned], h[turned])
            bounds[:, turned] = G.corner_bounds(G.rotated_box_corners(given, angle[turned])).T
    x, y, bw, bh = bounds
    box_in, polygon = G.overlaps(x, bw, w) & G.overlaps(y, bh, h) & ~missed, objects["polygon"]
    # a drawn polygon is measured where its box (when it has one) is not inside the image: a polygon of a box
    # inside it is taken to be inside too (measuring every polygon costs about a second on 860,000 objects)
    from_polygon = ((drawn if drawn is not None else np.zeros(n, dtype=bool)) & ~box_in) | ~boxed
    if polygon.null_count < n and from_polygon.any():
        rows = np.flatnonzero(from_polygon)
        drawn_bounds, has = G.drawn_polygon_bounds_column(polygon.take(pa.array(rows)))
        bounds[:, rows[has]] = drawn_bounds[has].T  # (x, y, bw, bh are views of these rows)
        sized[rows[has]] = (drawn_bounds[has, 2] > 0) & (drawn_bounds[has, 3] > 0)
        missed[rows[has]] = False  # (its polygon drawn, not its box)
    sized |= (bw > 0) & (bh > 0)
    return np.asarray(sized & (missed | ~(G.overlaps(x, bw, w) & G.overlaps(y, bh, h))), dtype=bool)


def drawable_polygons(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Objects whose polygon has a ring of at least 3 points: the only polygons a YOLO line is made from.

    A polygon without such a ring (no ring, or rings of fewer than 3 points) counts as no polygon: the
    object's box (or, for segment, its traced mask) is written instead, or the object is lost.
    """
    return cached(dataset, "drawable", lambda: G.drawable_polygons(dataset.table("objects")["polygon"]))


def keypoint_count(dataset: Dataset) -> int:
    """K for YOLO pose: the most keypoints a category names or an object has."""
    k = max((len(c.keypoints or []) for c in dataset.categories), default=0)
    kp = dataset.table("objects")["keypoints"]
    if len(kp):
        longest = pc.max(pc.list_value_length(kp)).as_py()
        k = max(k, int(longest or 0) // 3)
    return k


_AREA_TIE = 1e-9
"""Rings whose areas agree to this relative difference are a tie (the first is written): rounding decides
nothing, whatever the summation order or where the rings lie."""


def _largest_rings(
    coords: np.ndarray[Any, Any],
    ring_start: np.ndarray[Any, Any],
    counts: np.ndarray[Any, Any],
    eligible: np.ndarray[Any, Any] | None = None,
    holes: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """Per object, the index of its ring of the largest area, the first on a tie.

    Entries of objects without rings are to be ignored. ``coords[ring_start[r]:ring_start[r + 1]]`` is
    ring ``r`` (flat ``x y`` pairs); object ``i`` has ``counts[i]`` rings, in order. Areas come from
    :func:`labelkit.model.geometry.ring_areas` (a fixed summation order), so the pick is the same on every
    machine and does not depend on the other objects. With ``eligible`` (per ring), an object of several
    rings picks one of its eligible rings when it has one (an eligible ring of NaN area ranks below every
    measured one); an object of one ring keeps it. With ``holes`` (per ring), an eligible hole ranks below every
    eligible ring that is none: YOLO has no holes, and a hole written was a filled ring.
    """
    first_ring = np.concatenate([[0], np.cumsum(counts)])[:-1].astype(np.int64)
    pick: np.ndarray[Any, Any] = first_ring.copy()
    multi = np.flatnonzero(counts > 1)  # an object of one ring writes it: only the others are measured
    if not len(multi):
        return pick
    ring_counts = counts[multi]
    rings = np.repeat(first_ring[multi], ring_counts) + G.run_positions(ring_counts)
    origin = ring_start[rings]
    area = G.ring_areas(coords, origin, ring_start[rings + 1] - origin)  # NaN for a malformed ring
    if eligible is not None:  # areas are >= 0: NaN ones of eligible rings rank at -1, the others at -inf
        area[np.isnan(area)] = -1.0
        area[~eligible[rings]] = -np.inf
    if holes is not None:  # (below the eligible rings that are no hole, above the ineligible ones)
        area[holes[rings] & (area > -np.inf)] = -2.0
    # per object, the first ring whose area is within rounding (1e-9, relative) of its largest; NaN areas
    # are skipped, and an object whose areas are all NaN keeps its first ring
    first_of = np.concatenate([[0], np.cumsum(ring_counts)])[:-1]
    largest = np.repeat(np.fmax.reduceat(area, first_of), ring_counts)
    with np.errstate(invalid="ignore"):
        near = np.flatnonzero(area >= np.where(largest > 0, largest * (1 - _AREA_TIE), largest))
    owner = np.repeat(np.arange(len(multi)), ring_counts)[near]
    objects, first = np.unique(owner, return_index=True)
    pick[multi[objects]] = rings[near[first]]
    return pick


def _ring_holes(holes: pa.Array | None, counts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any] | None:
    """Per ring, whether it is a hole, of the ``polygon_holes`` of polygons of ``counts`` rings (None: none is)."""
    if holes is None or holes.null_count == len(holes):
        return None
    flags = np.asarray(pc.list_flatten(holes).fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    if not flags.any():
        return None
    out = np.zeros(int(counts.sum()), dtype=bool)
    out[np.repeat(valid_mask(holes), counts)] = flags  # (a row's flags are as many as its rings)
    return out


def _chosen_rings(
    polygon: pa.Array, holes: pa.Array | None = None
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The ring YOLO writes of each polygon: (positions of the polygons that have one, flat coords, offsets).

    With ``holes`` (the polygons' ``polygon_holes``), the largest ring that is no hole, where there is one.
    """
    valid = valid_mask(polygon)
    counts, ring_len, coords = G.flat_rings(polygon)
    ring_start = np.concatenate([[0], np.cumsum(ring_len)])
    # several rings (COCO polygons split by occlusion): write the one with the largest area, among the
    # rings of at least 3 points (an object without one writes its box or traced mask instead)
    drawn = G.drawable_rings(ring_len)
    pick = _largest_rings(coords, ring_start, counts, drawn, _ring_holes(holes, counts))
    has = valid & G.any_per_row(counts, drawn)
    chosen = pick[has]
    lengths = ring_len[chosen]
    starts = ring_start[chosen]
    idx = np.repeat(starts, lengths) + G.run_positions(lengths)
    return np.flatnonzero(has), coords[idx], np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def _chosen_ring_bounds(polygon: pa.ChunkedArray, holes: pa.ChunkedArray) -> np.ndarray[Any, Any]:
    """Per polygon, the bounds ``x y w h`` of the ring YOLO writes (NaN without one); ``holes``: their flags."""
    polygon, hole_flags = polygon.combine_chunks(), holes.combine_chunks()
    out = np.full((len(polygon), 4), np.nan)
    counts, ring_len, coords = G.flat_rings(polygon)
    if not (ring_len % 2).any():  # x y pairs throughout (the usual case): every ring's bounds at once
        ring_start = np.concatenate([[0], np.cumsum(ring_len)])
        drawn = G.drawable_rings(ring_len)
        has = valid_mask(polygon) & G.any_per_row(counts, drawn)
        pick = _largest_rings(coords, ring_start, counts, drawn, _ring_holes(hole_flags, counts))[has]
        filled = np.flatnonzero(ring_len)
        ring_bounds = np.full((len(ring_len), 4), np.nan)
        if len(filled):  # (x, y) pairs as rows: one reduction for both axes
            points, starts = coords.reshape(-1, 2), ring_start[filled] // 2
            low, high = np.minimum.reduceat(points, starts), np.maximum.reduceat(points, starts)
            with np.errstate(over="ignore"):  # (points near float64's limit: an infinite size, without a warning)
                ring_bounds[filled] = np.concatenate([low, high - low], axis=1)
        out[has] = ring_bounds[pick]
        return out
    has, flat, offsets = _chosen_rings(polygon, hole_flags)
    out[has] = G.ring_bounds(flat, offsets)
    return out


def segment_box_gaps(dataset: Dataset, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """How far, in pixels, each object's box lies from the bounds of the ring YOLO segment writes for it.

    ``rows`` are objects with a box and a drawable polygon or a traced mask. A segment line holds no box: a
    reader takes the ring's bounds. The distance is the largest of the four sides' (``inf`` for a rotated
    box, whose angle no ring's bounds give back). The ring's bounds are those of the ring as written, clipped
    to the image.
    """
    objects = dataset.table("objects")
    box, _ = G.bbox_columns(objects["bbox"].take(pa.array(rows, pa.int64())))
    bounds = np.full((len(rows), 4), np.nan)
    drawn = np.flatnonzero(drawable_polygons(dataset)[rows])
    polygon, holes = objects["polygon"], objects["polygon_holes"]
    # a slice of the column at a time, every row of it (slicing copies nothing; taking the rows asked for
    # copied them and took a third of the time); rows are in order
    drawn_rows = rows[drawn]
    for first in range(0, len(polygon), _CHUNK * 4):
        lo, hi = np.searchsorted(drawn_rows, [first, first + _CHUNK * 4])
        if lo == hi:
            continue
        chosen = _chosen_ring_bounds(polygon.slice(first, _CHUNK * 4), holes.slice(first, _CHUNK * 4))
        bounds[drawn[lo:hi]] = chosen[drawn_rows[lo:hi] - first]
    traced = traced_masks(dataset).rings
    for i in np.flatnonzero(np.isnan(bounds[:, 0])).tolist():  # (masks are traced one by one anyway)
        ring = traced.get(int(rows[i]))
        if ring is not None:
            bounds[i] = G.polygon_bounds([ring])
    sides = np.concatenate([box[:, :2], box[:, :2] + box[:, 2:]], axis=1)
    ring_sides = np.concatenate([bounds[:, :2], bounds[:, :2] + bounds[:, 2:]], axis=1)
    # the ring is written clipped to the image, so a reader takes the clipped ring's bounds; an object whose
    # ring is clipped is reported as clipped, and its box is compared clipped too (as detect writes it)
    cols = columns(dataset, "segment")
    size = np.stack([cols.width[rows], cols.height[rows]] * 2, axis=1)
    clipped_ring = np.clip(ring_sides, 0.0, size)
    with np.errstate(invalid="ignore"):
        ring_clipped = (clipped_ring != ring_sides).any(axis=1)
    sides[ring_clipped] = np.clip(sides[ring_clipped], 0.0, size[ring_clipped])
    gap: np.ndarray[Any, Any] = np.abs(sides - clipped_ring).max(axis=1, initial=0.0)
    angle = objects["angle"].take(pa.array(rows, pa.int64())).fill_null(0.0).to_numpy(zero_copy_only=False)
    gap[np.asarray(angle, dtype=np.float64) % 360 != 0] = np.inf
    return gap


@dataclass
class _Traced:
    """Masks of objects without a drawable polygon, traced for YOLO segment (see :mod:`labelkit.model.trace`)."""

    rings: dict[int, list[float]]
    """Object row -> the ring of the mask's largest region, flat pixel corners."""
    inexact: list[int]
    """Object rows of masks whose ring does not cover exactly their pixels: several regions, or holes."""
    empty: list[int]
    """Object rows of masks without a pixel."""


def traced_masks(dataset: Dataset) -> _Traced:
    """Tracing is the costly part of writing masks: done once, in check(), reused by write()."""
    return cached(dataset, "traced", lambda: _trace_all(dataset))


def _trace_all(dataset: Dataset) -> _Traced:
    objects = dataset.table("objects")
    rows = np.flatnonzero(valid_mask(objects["mask"]) & ~drawable_polygons(dataset) & ~dataset.masks_of_another_size())
    rings: dict[int, list[float]] = {}
    inexact: list[int] = []
    empty: list[int] = []
    cells = objects["mask"].take(pa.array(rows)).to_pylist()

    def segments() -> Iterator[tuple[Segments, int, int]]:
        for row, cell in zip(rows.tolist(), cells, strict=True):
            try:
                yield cell_segments(cell), int(cell["height"]), int(cell["width"])
            except ValueError as exc:  # runs that do not make the mask (files are checked when read)
                message = f"object {objects['id'][row].as_py()}: {exc}"
                raise InputError(message, hint="fix or drop its mask") from None

    # traced from the runs (no pixels decoded), many masks at once (see largest_rings)
    for row, (ring, exact) in zip(rows.tolist(), largest_rings(segments()), strict=True):
        if ring is None:
            empty.append(row)
        else:
            rings[row] = ring
            if not exact:
                inexact.append(row)
    return _Traced(rings, inexact, empty)


def clip_boxes(
    bbox: np.ndarray[Any, Any], w: np.ndarray[Any, Any], h: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``x y w h`` boxes clipped to their images, and which were; a box past an edge by float noise is kept.

    A box read from YOLO that touches the image's edge (``0.966913 0.5 0.066174 0.1``: 0.966913 + 0.033087 is
    1) can end a float past it (640.0000000000001 of 640): clipping it changed its numbers and reported it
    clipped, where it is now given back as read.

    Examples:
        >>> box = np.array([[597.6486400000001, 216.0, 42.35136, 48.0], [600.0, 0.0, 41.0, 10.0]])
        >>> b, changed = clip_boxes(box, np.array([640.0, 640.0]), np.array([480.0, 480.0]))
        >>> b.tolist(), changed.tolist()
        ([[597.6486400000001, 216.0, 42.35136, 48.0], [600.0, 0.0, 40.0, 10.0]], [False, True])
    """
    clipped, changed = G.clip_xyxy(bbox, w, h)
    past_x = np.maximum(-bbox[:, 0], bbox[:, 0] + bbox[:, 2] - w)
    past_y = np.maximum(-bbox[:, 1], bbox[:, 1] + bbox[:, 3] - h)
    noise = changed & (past_x <= EDGE_NOISE * w) & (past_y <= EDGE_NOISE * h)
    clipped[noise] = bbox[noise]
    return clipped, changed & ~noise


class Lines:
    """Formats the objects of one task, a chunk of rows at a time, marking the objects it clips (:attr:`clipped`)."""

    def __init__(self, dataset: Dataset, task: str, cols: Columns, precision: int | None, kpt_dims: int) -> None:
        self.objects = dataset.table("objects")
        self.task = task
        self._ccw: np.ndarray[Any, Any] | None = None
        self._marked: np.ndarray[Any, Any] | None = None
        self.cols = cols
        self.precision = precision
        self.kpt_dims = kpt_dims
        self.k = keypoint_count(dataset) if task == "pose" else 0
        self.clipped = np.zeros(self.objects.num_rows, dtype=bool)
        """Per object row, whether formatting it clipped a coordinate to the image (past float noise)."""
        self.emptied = np.zeros(self.objects.num_rows, dtype=bool)
        """Per object row, whether its points (segment, OBB) had a width and a height and clipping left them none:
        they lie beyond an edge (a polygon outside beside a box inside, which :func:`_outside` takes for inside)."""
        # the light columns once, as numpy; the heavy ones (polygons, keypoints) are taken per chunk
        self.boxes, self.box_valid = cached(dataset, "boxes", lambda: read_only(*G.bbox_columns(self.objects["bbox"])))
        self.angle = np.asarray(self.objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        self.polygons = ChunkedRows(self.objects["polygon"])
        flags = self.objects["polygon_holes"]  # (YOLO writes no hole: the largest ring that is none)
        self.holes = ChunkedRows(flags) if flags.null_count < len(flags) else None
        self.keypoints = ChunkedRows(self.objects["keypoints"])
        self.traced = traced_masks(dataset).rings if task == "segment" else {}
        self.as_read = AsRead(self.objects, task, precision is None, (cols.width, cols.height))  # (see yolo_exact)

    def text(self, rows: np.ndarray[Any, Any]) -> tuple[bytes, list[int]]:
        """One text line per object row, in the order given, back to back, and where each starts (plus the end).

        Row ``i`` is ``text[starts[i]:starts[i + 1]]``, so the objects of one image, which are adjacent, are
        one slice: no join per file.
        """
        texts: list[pa.Buffer | bytes] = []
        offsets: list[np.ndarray[Any, Any]] = [np.zeros(1, dtype=np.int64)]
        size = 0
        for part in self.polygons.pieces(rows, _CHUNK):
            text, ends = getattr(self, f"_{self.task}")(part)
            texts.append(text)
            offsets.append(ends + size)
            size += len(text)
        return b"".join(texts), np.concatenate(offsets).tolist()

    def values(self, rows: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The numbers the rows' lines hold, before formatting: flat, and where each row's start (plus the end).

        A detect or pose row starts with its box, ``cx cy w h``; a segment or OBB row is ``x y`` points.
        """
        if self.task == "segment":
            return self._segment_values(rows)
        if self.task == "obb":
            table = self._obb_values(rows)
        elif self.task == "pose":
            table = self._pose_values(rows)[0]
        else:
            table = self._detect_values(rows)
        n, width = table.shape
        return table.reshape(-1), np.arange(0, n * width + 1, width, dtype=np.int64)

    def mark_clipped(self, rows: np.ndarray[Any, Any]) -> None:
        """Mark the rows whose lines clip a coordinate (:attr:`clipped`), as formatting them does.

        A detect line clips its box only: the box is all that is computed (formatting snaps the numbers too).
        """
        if self.task == "segment":  # only a point outside the image clips: the other rows' lines are not formed
            w, h, polygons = self.cols.width[rows], self.cols.height[rows], self.polygons.take(pa.array(rows))
            rows = rows[~self.cols.drawable[rows] | G.points_outside(polygons, w, h)]
        if self.task != "detect":
            self.values(rows)
            return
        _, changed = clip_boxes(self._boxes(rows), self.cols.width[rows], self.cols.height[rows])
        self.clipped[rows[changed]] = True

    def _boxes(self, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Axis-aligned boxes: rotated boxes by their corners' bounds, missing boxes from the polygon."""
        bbox: np.ndarray[Any, Any] = self.boxes[rows]
        missing = np.flatnonzero(~self.box_valid[rows])
        if len(missing):  # placeable rows without a box have a ring of 3 points (see drawable_polygons)
            bounds, has = G.drawn_polygon_bounds_column(self.polygons.take(pa.array(rows[missing])))
            bbox[missing[has]] = bounds[has]
        angle = self.angle[rows]
        turned = angle != 0
        if turned.any():
            bbox[turned] = G.corner_bounds(G.rotated_box_corners(bbox[turned], angle[turned]))
        return bbox

    def _detect(self, rows: np.ndarray[Any, Any]) -> Text:
        return fmt_rows(self.cols.category[rows], self._detect_values(rows), self.precision)

    def _detect_values(self, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        bbox = self._boxes(rows)
        w, h = self.cols.width[rows], self.cols.height[rows]
        clipped, changed = clip_boxes(bbox, w, h)
        self.clipped[rows[changed]] = True
        return self.as_read.put(rows, self._box_values(clipped, w, h))

    def _box_values(
        self, box: np.ndarray[Any, Any], w: np.ndarray[Any, Any], h: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        """``cx cy w h`` of boxes (``x y w h``), in [0, 1]; exactly: the ones a reader turns back into them."""
        values = G.xywh_to_yolo(box, w, h)
        if self.precision is None:  # the reader: w = vw * W, x = vx * W - w / 2 (see geometry.yolo_to_xywh)
            w, h = np.asarray(w, dtype=np.float64), np.asarray(h, dtype=np.float64)
            values[:, 2] = snapped(values[:, 2], w, box[:, 2])
            values[:, 3] = snapped(values[:, 3], h, box[:, 3])
            half_w, half_h = values[:, 2] * w / 2, values[:, 3] * h / 2  # (of the size read back: a rewrite's)
            values[:, 0] = snapped((box[:, 0] + half_w) / w, w, box[:, 0], half_w)
            values[:, 1] = snapped((box[:, 1] + half_h) / h, h, box[:, 1], half_h)
            return kept_overlapping(np.clip(values, 0.0, 1.0) + 0.0, box, w, h)
        return inside_when_rounded(np.clip(values, 0.0, 1.0) + 0.0, self.precision)

    def _pose(self, rows: np.ndarray[Any, Any]) -> Text:
        values, v = self._pose_values(rows)
        text = fmt_rows(self.cols.category[rows], values, self.precision)
        if self.kpt_dims == 2:
            if self.precision is not None and (marked := np.flatnonzero((values < 0).any(axis=1))).size:
                text = _marks_as_read(text, values, marked)
            return text
        # x y as coordinates, visibility as the integer flag Ultralytics writes (another value as it is: 1.5
        # was written as 1)
        k = v.shape[1]
        if not k:
            return text
        tokens = np.empty(v.shape, dtype=object)  # (each flag's text made once per value: flags repeat, 0 1 2)
        for f in np.unique(v).tolist():
            tokens[v == f] = b"%d" % f if f.is_integer() else repr(f).encode()
        tokens[np.isnan(v)] = b"nan"
        out = []
        fields: list[bytes] = [b""] * (5 + 3 * k)
        for line, row_tokens in zip(split_lines(*text), tokens.tolist(), strict=True):
            parts = line[:-1].split(b" ")
            fields[:5] = parts[:5]
            fields[5::3], fields[6::3], fields[7::3] = parts[5::2], parts[6::2], row_tokens
            out.append(b" ".join(fields) + b"\n")
        return joined(out)

    def _pose_values(self, rows: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """Per row ``cx cy w h x1 y1 ... xk yk`` normalised, and the points' visibility flags."""
        bbox = self._boxes(rows)
        w, h = self.cols.width[rows], self.cols.height[rows]
        clipped, changed = clip_boxes(bbox, w, h)
        head = self._box_values(clipped, w, h)
        k = self.k
        points = np.zeros((len(rows), k, 3), dtype=np.float64)
        kp = self.keypoints.take(pa.array(rows))
        lengths = np.asarray(pc.list_value_length(kp).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64) // 3
        flat = np.asarray(kp.flatten().to_numpy(zero_copy_only=False), dtype=np.float64).reshape(-1, 3)
        row_of = np.repeat(np.arange(len(rows)), lengths)
        slot = G.run_positions(lengths)
        keep = slot < k
        points[row_of[keep], slot[keep]] = flat[keep]
        v = points[:, :, 2]
        # every point's coordinates as they are, an unlabelled one's too (COCO's are 0 0; a YOLO file's may not
        # be), except without a visibility column, where 0 0 is what says unlabelled (check() counts the others)
        px, py = points[:, :, 0], points[:, :, 1]
        if self.kpt_dims == 2:
            px, py = np.where(v > 0, px, 0.0), np.where(v > 0, py, 0.0)
        x, y = px / w[:, None], py / h[:, None]
        if self.precision is None:  # the reader multiplies back: make that give the points exactly
            ws, hs = np.broadcast_to(w[:, None], x.shape).reshape(-1), np.broadcast_to(h[:, None], y.shape).reshape(-1)
            x = snapped(x.reshape(-1), ws, px.reshape(-1)).reshape(x.shape)
            y = snapped(y.reshape(-1), hs, py.reshape(-1)).reshape(y.shape)
        xc, yc = np.clip(x, 0.0, 1.0) + 0.0, np.clip(y, 0.0, 1.0) + 0.0
        changed |= ((xc != x) | (yc != y)).any(axis=1)
        self.clipped[rows[changed]] = True
        xy = np.stack([xc, yc], axis=2)
        if self.kpt_dims == 2 and (marks := self._marks()[rows]).any():  # (points a [K, 2] file marked missing)
            local = np.flatnonzero(marks)
            put_marks(self.objects["extras"].take(pa.array(rows[local])).to_pylist(), local, points, xy)
        xy = xy.reshape(len(rows), -1)
        return self.as_read.put(rows, np.concatenate([head, xy], axis=1)), v

    def _rings(
        self, rows: np.ndarray[Any, Any]
    ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The chosen ring of each row with a polygon: (rows that have one, flat coords, offsets)."""
        taken = pa.array(rows)
        return _chosen_rings(self.polygons.take(taken), self.holes.take(taken) if self.holes is not None else None)

    def _normalise_ragged(
        self, rows: np.ndarray[Any, Any], flat: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any]
    ) -> np.ndarray[Any, Any]:
        per_value = np.repeat(np.arange(len(rows)), np.diff(offsets))
        scale = np.empty(len(flat), dtype=np.float64)  # x at even positions of the flat values, y at odd
        scale[0::2] = self.cols.width[rows][per_value[0::2]]
        scale[1::2] = self.cols.height[rows][per_value[1::2]]
        values = flat / scale
        if self.precision is None:  # the reader multiplies back: make that give the coordinates exactly
            values = snapped(values, scale, flat)
        clipped: np.ndarray[Any, Any] = np.clip(values, 0.0, 1.0) + 0.0
        # (a corner of a rotated box on the edge may end a float past it: noise, clipped without a word)
        past = np.abs(clipped - values) > EDGE_NOISE
        self.clipped[rows[np.bincount(per_value[past], minlength=len(rows)) > 0]] = True
        moved = np.flatnonzero(np.bincount(per_value[clipped != values], minlength=len(rows)))
        if len(moved):  # (a zero ring as given stays one)
            starts, lengths = offsets[moved], offsets[moved + 1] - offsets[moved]
            take = np.repeat(starts, lengths) + G.run_positions(lengths)
            ends = np.concatenate([[0], np.cumsum(lengths)])
            before, after = G.ring_bounds(values[take], ends), G.ring_bounds(clipped[take], ends)
            had = (before[:, 2] > 0) & (before[:, 3] > 0)
            self.emptied[rows[moved[had & ((after[:, 2] == 0) | (after[:, 3] == 0))]]] = True
        return clipped

    def _corners(self, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return G.rotated_box_corners(self.boxes[rows], self.angle[rows])

    def _segment(self, rows: np.ndarray[Any, Any]) -> Text:
        values, offsets = self._segment_values(rows)
        return fmt_ragged(self.cols.category[rows], values, offsets, self.precision)

    def _segment_values(self, rows: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """The normalised points of each row's polygon, flat, and where each row's start (plus the end)."""
        with_ring, flat, offsets = self._rings(rows)
        has = np.zeros(len(rows), dtype=bool)
        has[with_ring] = True
        # objects without a polygon: their traced mask when they have one, else their box's 4 corners
        ids = rows.tolist()
        traced = [k for k in np.flatnonzero(~has).tolist() if ids[k] in self.traced] if self.traced else []
        has[traced] = True
        box_rows = np.flatnonzero(~has)
        lengths = np.full(len(rows), 8, dtype=np.int64)
        lengths[with_ring] = np.diff(offsets)
        lengths[traced] = [len(self.traced[ids[k]]) for k in traced]
        all_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        values = np.empty(int(all_offsets[-1]), dtype=np.float64)
        if len(box_rows):
            idx = (all_offsets[box_rows][:, None] + np.arange(8)).reshape(-1)
            corners = self._corners(rows)[box_rows]
            if (ccw := self._anticlockwise()[rows[box_rows]]).any():  # (an OBB line's corners: in their order)
                corners[ccw] = corners[ccw][:, G.REVERSED_CORNERS]
            values[idx] = corners.reshape(-1)
        if len(with_ring):
            idx = np.repeat(all_offsets[with_ring] - offsets[:-1], np.diff(offsets)) + np.arange(len(flat))
            values[idx] = flat
        for k in traced:
            values[all_offsets[k] : all_offsets[k + 1]] = self.traced[ids[k]]
        values = self._normalise_ragged(rows, values, all_offsets)
        return self.as_read.put(rows, values, all_offsets), all_offsets

    def _marks(self) -> np.ndarray[Any, Any]:
        """Per object, whether it holds points a ``[K, 2]`` file marked missing (:data:`.yolo_keypoints.MARKS`)."""
        if self._marked is None:
            extras = self.objects["extras"]
            found = extras.null_count < len(extras)
            self._marked = contains_match(extras, f'"{MARKS}":') if found else np.zeros(len(extras), dtype=bool)
        return self._marked

    def _anticlockwise(self) -> np.ndarray[Any, Any]:
        """Per object, whether its corners were read anticlockwise (``yolo:ccw``): OBB writes them back so."""
        if self._ccw is None:
            extras = self.objects["extras"]
            self._ccw = (
                contains_match(extras, '"yolo:ccw":true')
                if extras.null_count < len(extras)
                else np.zeros(len(extras), dtype=bool)
            )
        return self._ccw

    def _obb(self, rows: np.ndarray[Any, Any]) -> Text:
        return fmt_rows(self.cols.category[rows], self._obb_values(rows), self.precision)

    def _obb_values(self, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """Per row the 4 corners ``x1 y1 ... x4 y4``, normalised."""
        corners = self._corners(rows)
        if self.task == "obb" and (ccw := self._anticlockwise()[rows]).any():  # read anticlockwise (yolo:ccw)
            corners[ccw] = corners[ccw][:, G.REVERSED_CORNERS]
        missing = np.flatnonzero(~self.box_valid[rows])  # no box: the polygon's bounds, unless it is a quad
        if len(missing):
            corners[missing] = G.rotated_box_corners(self._boxes(rows[missing]), np.zeros(len(missing)))
        with_ring, flat, offsets = self._rings(rows)
        # a polygon of one ring of 4 points is written as its corners; any other, as the box (or its bounds)
        ring_counts = pc.list_value_length(self.polygons.take(pa.array(rows[with_ring]))).fill_null(0)
        single = np.asarray(ring_counts.to_numpy(zero_copy_only=False)) == 1  # (a closed ring of 5: its corners)
        quad = quad_rings(flat, offsets[:-1], np.diff(offsets)) & single
        quad_rows = with_ring[quad]
        if len(quad_rows):
            starts = offsets[:-1][quad]
            corners[quad_rows] = flat[(starts[:, None] + np.arange(8)).reshape(-1)].reshape(-1, 8)
        values = self._normalise_ragged(rows, corners.reshape(-1), np.arange(0, 8 * (len(rows) + 1), 8))
        return self.as_read.put(rows, values.reshape(-1, 8), None, (self.boxes, self.angle))


def _marks_as_read(text: Text, values: np.ndarray[Any, Any], marked: np.ndarray[Any, Any]) -> Text:
    """Pose lines of ``kpt_dims=2`` with the ``marked`` rows' negative numbers written as read, not rounded.

    A negative number in such a line is a mark (:data:`.yolo_keypoints.MARKS`: every coordinate is clipped to
    [0, 1]): rounded, ``-0.005`` became ``-0.0``, which Ultralytics, masking a point by a negative coordinate
    only, reads as a visible keypoint at the image's edge.
    """
    lines = split_lines(*text)
    for row in marked.tolist():
        parts = lines[row][:-1].split(b" ")
        for j in np.flatnonzero(values[row] < 0).tolist():
            parts[1 + j] = orjson.dumps(float(values[row, j]))
        lines[row] = b" ".join(parts) + b"\n"
    return joined(lines)
