"""What COCO writes for objects: the shapes it can hold, boxes, areas and the image sizes they need.

COCO annotations need a bbox and a segmentation that pycocotools can rasterise; objects from other formats
get them here (derived boxes, clipped boxes, polygon areas, holes as RLE). :mod:`labelkit.formats.coco_write`
turns the result into JSON text; :mod:`labelkit.formats.coco` reports what these functions change or leave out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import OutputError
from labelkit.formats.coco_geometry import BBOX_TEXT, BBOX_TOLERANCE, POLYGON_TEXT, outside_image
from labelkit.formats.coco_text import (
    CarriedFields,
    carried_fields,
    endless_box_error,
    far_corner_error,
    marked_for_derivation,
    vast_area_error,
)
from labelkit.model import geometry as G
from labelkit.model import raster
from labelkit.model.rle import cell_problem
from labelkit.model.tables import contains_match, loads_text, spliced_rows, true_mask, valid_mask


def image_sizes(items: pa.Table, item_ids: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``item_ids``, the width and height of its item as floats (NaN when unknown)."""
    index = pc.index_in(item_ids, value_set=items["id"])
    # (safe=False: a side beyond 2^53 rounds to the nearest float, as a comparison with it would)
    width = pc.take(items["width"], index).cast(pa.float64(), safe=False).fill_null(np.nan)
    height = pc.take(items["height"], index).cast(pa.float64(), safe=False).fill_null(np.nan)
    return np.asarray(width.to_numpy(zero_copy_only=False)), np.asarray(height.to_numpy(zero_copy_only=False))


def read_back_sizes(width: np.ndarray, height: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sizes (as :func:`image_sizes` gives them) COCO's reader gives the images written: NaN for one of 0 x 0.

    An image is written 0 x 0 when its size is unknown, given on one side only, or 0 x 0 (see
    ``coco_sizes.written_sizes``), and read back as of unknown size. Boxes are clipped, and polygons measured,
    against these: on the side given of such an image, a box was clipped to it, though no side is written and the
    reader reads the box as it is.
    """
    unwritten = ~(np.isfinite(width) & np.isfinite(height)) | ((width == 0) & (height == 0))
    return np.where(unwritten, np.nan, width), np.where(unwritten, np.nan, height)


def known_sizes(width: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Per image (sizes as :func:`image_sizes` gives them), whether its width and height are known and positive."""
    sized: np.ndarray = np.isfinite(width) & np.isfinite(height) & (width > 0) & (height > 0)
    return sized


def odd_segmentations(objects: pa.Table, items: pa.Table) -> np.ndarray:
    """Per object: a ``coco:segmentation`` extra that COCO's reader refuses (``"9"``, ``1.5``, ``[[1, 2]]``).

    The writer would write it as it is, which COCO's reader (labelkit's too) and pycocotools refuse: neither null,
    polygons (rings of 3 points or more, x, y pairs) nor an RLE whose counts make its size, which is its image's
    when that is known (written; not 0 x 0). COCO's reader carries only ``null`` and ``[]`` (on a box), told by
    their text; any other value is decoded.
    """
    odd = np.zeros(objects.num_rows, dtype=bool)
    if not objects.num_rows or objects["extras"].null_count == objects.num_rows:
        return odd
    keyed = contains_match(objects["extras"], '"coco:segmentation":')
    if not keyed.any():
        return odd
    rows = np.flatnonzero(keyed)
    texts = objects["extras"].take(pa.array(rows))
    plain = true_mask(pc.match_substring_regex(texts, r'"coco:segmentation":(?:null|\[\])[,}]'))
    rows = rows[~plain]
    width, height = image_sizes(items, objects["item_id"].take(pa.array(rows)))
    values = [loads_text(text).get("coco:segmentation") for text in texts.filter(pa.array(~plain)).to_pylist()]
    for i, value, w, h in zip(rows.tolist(), values, width.tolist(), height.tolist(), strict=True):
        image = (h, w) if np.isfinite(h) and np.isfinite(w) and (h, w) != (0, 0) else None
        odd[i] = not _holdable_segmentation(value, image)
    return odd


def _holdable_segmentation(value: Any, image: tuple[float, float] | None) -> bool:
    """Whether COCO's reader reads ``value`` as a segmentation of an image of ``image`` (height, width) or unknown."""
    if value is None:
        return True
    if isinstance(value, list):
        return all(isinstance(r, list) and len(r) >= 6 and len(r) % 2 == 0 and all(map(_number, r)) for r in value)
    if not isinstance(value, dict):
        return False
    size, counts = value.get("size"), value.get("counts")
    if not (isinstance(size, list) and len(size) == 2 and all(_number(v, int) for v in size)):
        return False
    if not (isinstance(counts, str) or (isinstance(counts, list) and all(_number(v, int) for v in counts))):
        return False
    text = isinstance(counts, str)
    cell = {"height": size[0], "width": size[1], "counts": counts if text else None, "runs": None if text else counts}
    return cell_problem(cell) is None and (image is None or tuple(size) == image)


def _number(v: Any, kind: type | tuple[type, ...] = (int, float)) -> bool:
    return isinstance(v, kind) and not isinstance(v, bool)  # (true is no number nor count: COCO's reader refuses it)


def written_boxes(
    c: pa.Table | pa.RecordBatch, kept: np.ndarray, size: tuple[np.ndarray, np.ndarray] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The boxes COCO writes for a table of objects: ``(N, 4)`` boxes, which rows have one, which were clipped.

    The rows ``kept`` keep their box, or none: objects read from COCO as they were (see
    ``coco_text.CarriedFields``), and those carrying ``"bbox": null``. The others without a box get the
    bounds of their polygon, else of their mask, else of their labelled keypoints (``v > 0``): COCO
    annotations carry a bbox, and COCOeval's bbox mode skips objects without one. (An object with a mask and
    a polygon gets its mask's bounds: the mask is its segmentation written.) Every box reaching more
    than ``BBOX_TOLERANCE`` pixels outside its image (``size``: per row, NaN when unknown, which clips on no
    end of that side) is clipped to it, as COCO's reader refuses it (one read from COCO was inside; an edit or a new
    image size moved it). With ``size`` None, the boxes are as they are before clipping (none clipped).
    """
    bbox = arr(c["bbox"])
    n = len(bbox)
    has = valid_mask(bbox)
    boxes = np.asarray(bbox.values.to_numpy(zero_copy_only=False), dtype=np.float64)
    boxes = boxes[bbox.offset * 4 : (bbox.offset + n) * 4].reshape(n, 4).copy()
    boxes[~has] = 0.0
    todo = ~kept & ~has
    if todo.any():
        bounds, bounded = G.polygon_bounds_column(arr(c["polygon"]))
        take = todo & bounded & ~valid_mask(c["mask"])  # (a mask is written rather than a polygon: its bounds)
        boxes[take] = bounds[take]
        todo &= ~take
        masks = todo & valid_mask(c["mask"])
        cells = arr(c["mask"]).filter(pa.array(masks)).to_pylist()
        for i, m in zip(np.flatnonzero(masks).tolist(), cells, strict=True):
            boxes[i] = raster.cell_bounds(m)
        todo &= ~masks
        points = todo & valid_mask(c["keypoints"])
        point_lists = arr(c["keypoints"]).filter(pa.array(points)).to_pylist()
        for i, kp in zip(np.flatnonzero(points).tolist(), point_lists, strict=True):
            if (found := G.keypoint_bounds(kp)) is not None:
                boxes[i] = found
                todo[i] = False
        has |= ~kept & ~todo
    if size is None:
        return boxes, has, np.zeros(n, dtype=bool)
    width, height = size
    x, y, w, h = boxes.T
    outside = has & outside_image(x, y, w, h, width, height, BBOX_TOLERANCE)
    # a side of unknown size has no edge on either end (it clipped at 0: a box left of 0 on an image of 0 x 0
    # became [0, 0, 0, 0], where the reader reads it as it is)
    left = np.where(np.isfinite(width), 0.0, -np.inf)
    top = np.where(np.isfinite(height), 0.0, -np.inf)
    with np.errstate(invalid="ignore", over="ignore"):  # (x + w of 1e308 and 1e308 is inf)
        width = np.where(np.isfinite(width), width, np.inf)
        height = np.where(np.isfinite(height), height, np.inf)
        if outside.any():
            x0, y0 = np.clip(x, left, width), np.clip(y, top, height)
            x1, y1 = np.clip(x + w, left, width), np.clip(y + h, top, height)
            clipped = np.stack([x0, y0, np.maximum(x1 - x0, 0), np.maximum(y1 - y0, 0)], axis=1)
            boxes[outside] = clipped[outside]
    return boxes, has, outside


def polygon_areas(polygon: pa.Array) -> np.ndarray:
    """Per object of a ``list<list<float64>>`` array (no nulls), the sum of its rings' areas, in ring order."""
    counts, ring_len, coords = G.flat_rings(polygon)
    starts = np.cumsum(ring_len) - ring_len
    owner = np.repeat(np.arange(len(polygon)), counts)
    return np.bincount(owner, G.ring_areas(coords, starts, ring_len), len(polygon))


def plain_areas(
    polygon: pa.Array, rows: np.ndarray, boxes: np.ndarray, has_box: np.ndarray, size: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """The areas COCO writes of the objects ``rows`` (indexes), which have no mask (infinite past float64's range).

    Their polygons' (of what covers the image, for one reaching outside it, as its mask would), else ``w * h`` of
    their box written (``boxes``, ``has_box``; 0 without one). ``size``: per object, its image's width and height
    (NaN unknown).
    """
    with np.errstate(over="ignore", invalid="ignore"):  # as Python's float product: inf or nan, no warning
        area = np.where(has_box[rows], boxes[rows, 2] * boxes[rows, 3], 0.0)
    rings = pc.fill_null(pc.list_value_length(polygon), 0).to_numpy(zero_copy_only=False)[rows] > 0
    if rings.any():
        with_rings = rows[rings]
        polygons = polygon.take(pa.array(with_rings))
        area[rings] = polygon_areas(polygons)
        # a polygon reaching outside its image: the area of what it covers of the image (as its mask)
        bounds, _ = G.polygon_bounds_column(polygons)
        width, height = (np.asarray(side)[with_rings] for side in size)
        x, y, w, h = bounds.T
        out = outside_image(x, y, w, h, width, height)  # (a side of unknown size: x < 0 there was outside, area 0)
        places = np.flatnonzero(rings)
        for k in np.flatnonzero(out).tolist():
            area[places[k]] = area_inside(polygons[k].as_py(), width[k], height[k])
    return area


def refuse_past_float64(
    objects: pa.Table,
    boxes: np.ndarray,
    has_box: np.ndarray,
    size: tuple[np.ndarray, np.ndarray],
    rectangled: np.ndarray,
    measured: np.ndarray,
) -> None:
    """Refuse before writing (a dry run too) the numbers past float64's range that the writer refuses.

    A box whose rectangle, written as its object's segmentation (the ``rectangled`` rows), or an area measured of
    the ``measured`` rows (those without a mask or an area of their own), is past the range (see
    :func:`coco_text.rectangles`, :func:`plain_areas`). ``boxes``, ``has_box``: the boxes written
    (:func:`written_boxes`); ``size``: as :func:`plain_areas` takes it. Polygons are measured only when a
    coordinate is large enough for an area past the range (1e150).

    Raises:
        OutputError: the writer's error, naming the first such box (or object) in the objects' order.
    """
    endless = has_box & ~np.isfinite(boxes).all(axis=1)  # (a rotated box's bounds, on an image of unknown size)
    if endless.any():
        first = int(np.argmax(endless))
        raise endless_box_error(objects["id"][first].as_py())
    boxes = np.nan_to_num(boxes)
    with np.errstate(over="ignore", invalid="ignore"):
        beyond = rectangled & ~(np.isfinite(boxes[:, 0] + boxes[:, 2]) & np.isfinite(boxes[:, 1] + boxes[:, 3]))
        if beyond.any():
            first = int(np.argmax(beyond))
            raise far_corner_error(boxes[first], objects["id"][first].as_py())
        area = np.where(measured & has_box, boxes[:, 2] * boxes[:, 3], 0.0)
    if not measured.any():  # (COCO -> COCO: every object carries its area; its polygons are not scanned)
        return
    coords = pc.min_max(pc.list_flatten(pc.list_flatten(objects["polygon"])))
    large = max(abs(coords["min"].as_py() or 0.0), abs(coords["max"].as_py() or 0.0)) >= 1e150
    rows = np.flatnonzero(measured & (np.isinf(area) | large))
    if len(rows):
        area[rows] = plain_areas(arr(objects["polygon"]), rows, boxes, has_box, size)
        vast = measured & np.isinf(area)
        if vast.any():
            raise vast_area_error(objects["id"][int(np.argmax(vast))].as_py())


def holes_rle(c: pa.Table, i: int, size: tuple[int, int] | None) -> str:
    """A polygon with holes as a compressed RLE mask (COCO polygons cannot have holes)."""
    from pycocotools import mask as mask_utils

    if size is None or min(size) <= 0:
        raise OutputError("a polygon with holes needs its image's width and height to become an RLE mask")
    h, w = size
    rings = c["polygon"][i].as_py()
    flags = c["polygon_holes"][i].as_py()
    if (problem := raster.raster_problem(rings, h, w)) is not None:
        raise OutputError(f"a polygon with holes becomes an RLE mask, but {problem}")
    outer = [r for r, f in zip(rings, flags, strict=True) if not f]
    inner = [r for r, f in zip(rings, flags, strict=True) if f]
    m = np.zeros((h, w), np.uint8)  # holes without an outer ring cover nothing
    if outer:
        m = raster.rle_pixels(raster.rle_union(mask_utils.frPyObjects(outer, h, w)), h, w)
    if inner:
        m = m & ~raster.rle_pixels(raster.rle_union(mask_utils.frPyObjects(inner, h, w)), h, w).astype(bool)
    rle = mask_utils.encode(np.asfortranarray(m.astype(np.uint8)))
    return orjson.dumps({"size": [h, w], "counts": rle["counts"].decode()}).decode()


def clipped_ring(ring: Any, width: float, height: float) -> list[float]:
    """One polygon ring (flat ``x y`` pairs) clipped to the image ``[0, width] x [0, height]``.

    ``[]`` when fewer than 3 points are left. Sutherland-Hodgman: one pass per side of the image (convex). A
    side of unknown size (NaN) has no edge on either end: the ring is not clipped along it.

    Examples:
        >>> clipped_ring([-2.0, 0, 2, 0, 2, 4], 10, 3)
        [1.0, 3.0, 0.0, 2.0, 0.0, 0.0, 2.0, 0.0, 2.0, 3.0]
    """
    points = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    for axis, bound, low in ((0, 0.0, True), (0, float(width), False), (1, 0.0, True), (1, float(height), False)):
        if len(points) < 3:
            break
        if np.isnan((width, height)[axis]):  # (NaN bounds took every point for outside: the ring clipped to none)
            continue
        value = points[:, axis]
        inside = value >= bound if low else value <= bound
        if inside.all():
            continue
        before = np.roll(points, 1, axis=0)
        # from the end nearer the side: from the far one, t rounded to 1 at 1e17 and the crossing moved (or, at
        # 1e20, fell on the far end: a triangle clipped to no area). (an edge along the side: never taken; an
        # edge from near float64's limit to past the other: t is 0)
        near_before = (np.abs(before[:, axis] - bound) <= np.abs(value - bound))[:, None]
        near = np.where(near_before, before, points)
        far = np.where(near_before, points, before)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = (bound - near[:, axis]) / (far[:, axis] - near[:, axis])
            crossing = near + t[:, None] * (far - near)
        crossing[:, axis] = bound  # (on the side, exactly)
        # per edge (previous point -> this one): where it crosses the side, then this point if inside
        points = np.stack([crossing, points], axis=1)[np.stack([inside != np.roll(inside, 1), inside], axis=1)]
    return points.ravel().tolist() if len(points) >= 3 else []


def area_inside(rings: Any, width: float, height: float) -> float:
    """The summed areas of polygon rings clipped to their image (as :func:`polygon_areas` adds them)."""
    clipped = [r for r in (clipped_ring(r, width, height) for r in rings) if r]
    if not clipped:
        return 0.0
    lengths = np.array([len(r) for r in clipped], dtype=np.int64)
    coords = np.concatenate([np.asarray(r, dtype=np.float64) for r in clipped])
    areas = G.ring_areas(coords, np.cumsum(lengths) - lengths, lengths)
    return float(np.bincount(np.zeros(len(areas), dtype=np.int64), areas, 1)[0])


def far_polygons_clipped(
    objects: pa.Table, items: pa.Table, read_from_coco: bool, fields: CarriedFields | None = None
) -> tuple[pa.Table, np.ndarray]:
    """``objects`` with each polygon reaching beyond :data:`raster.RASTER_MARGIN` image sides clipped to its image.

    pycocotools sizes its buffers by a polygon's outline (see :data:`raster.RASTER_MARGIN`): ``annToMask`` of such
    a polygon took seconds, or gigabytes and the process. Clipped, it covers the same region of its image. A
    ring left with fewer than 3 points is dropped (with its hole flag); the rows are marked for the writer to
    derive what they now lack (:func:`coco_text.marked_for_derivation`). Objects read from COCO (see
    :func:`coco_text.carried_fields`; ``read_from_coco``: the dataset's info lists COCO files) are written back
    as read. Returns the rows clipped too. ``fields``: ``carried_fields`` of the objects' extras, when the
    caller has them.
    """
    n = objects.num_rows
    far = np.zeros(n, dtype=bool)
    if not n or objects["polygon"].null_count == n:
        return objects, far
    far = ~valid_mask(objects["mask"]) & valid_mask(objects["polygon"])  # (beside a mask, a polygon is not written)
    if far.any() and within_reach(objects["polygon"], items):
        return objects, np.zeros(n, dtype=bool)
    if far.any():  # (those read from COCO first: COCO -> COCO measures no polygon)
        far &= ~(fields or carried_fields(objects["extras"], read_from_coco)).as_read
    if not far.any():
        return objects, far
    look = np.flatnonzero(far)
    every = len(look) == n
    width, height = image_sizes(items, objects["item_id"] if every else objects["item_id"].take(pa.array(look)))
    sized = known_sizes(width, height)
    w, h = np.zeros(n), np.zeros(n)
    w[look], h[look] = np.where(sized, width, 0), np.where(sized, height, 0)
    polygon = objects["polygon"] if every else objects["polygon"].take(pa.array(look))
    # (whole sides, kept as floats: a side of 2^63 - 1 is 2^63 as a float, which no int64 holds)
    far[look] = sized & raster.unrasterisable(polygon, np.floor(h[look]), np.floor(w[look]))
    if not far.any():
        return objects, far
    rows = np.flatnonzero(far)
    rings = objects["polygon"].take(pa.array(rows)).to_pylist()
    holes = objects["polygon_holes"].take(pa.array(rows)).to_pylist()
    for k, (row, rs, flags) in enumerate(zip(rows.tolist(), rings, holes, strict=True)):
        if not all(np.isfinite(v) for r in rs for v in r):  # (not a number: the writer's error names it)
            far[row] = False
            continue
        cut = [clipped_ring(r, w[row], h[row]) if len(r) >= 6 else r for r in rs]
        keep = [j for j, r in enumerate(cut) if r]
        rings[k] = [cut[j] for j in keep] or None
        holes[k] = ([flags[j] for j in keep] or None) if flags is not None else None
    objects = _with_polygons(objects, rows, rings, holes)
    extras = marked_for_derivation(objects["extras"], far).cast(objects.schema.field("extras").type)
    objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", extras)
    return objects, far


def within_reach(polygon: pa.ChunkedArray | pa.Array, items: pa.Table) -> bool:
    """Whether every polygon coordinate lies within :data:`raster.RASTER_MARGIN` sides of even the smallest image.

    Then no polygon reaches far outside its image, whatever image it is on: told by the coordinates' least and
    greatest values (one pass, no copy; a NaN or a null among them says no), before any object is looked at.
    """
    width = np.asarray(items["width"].cast(pa.float64(), safe=False).fill_null(np.nan).to_numpy(), dtype=np.float64)
    height = np.asarray(items["height"].cast(pa.float64(), safe=False).fill_null(np.nan).to_numpy(), dtype=np.float64)
    sized = known_sizes(width, height)
    if not sized.any():  # (only objects on images of a known size are measured)
        return True
    side = float(np.floor(np.maximum(width[sized], height[sized]).min()))  # (as unrasterisable takes sizes: whole)
    reach = raster.RASTER_MARGIN * max(side, 1.0) + side
    chunks = polygon.chunks if isinstance(polygon, pa.ChunkedArray) else [polygon]
    for chunk in chunks:
        values = chunk.flatten().flatten()
        if not len(values):
            continue
        if values.null_count:
            return False
        coords = np.asarray(values.to_numpy(), dtype=np.float64)
        if not (-reach <= coords.min() and coords.max() <= reach):  # (NaN: neither)
            return False
    return True


def holes_too_large_dropped(objects: pa.Table, items: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """``objects`` without the hole rings of polygons on images of more than :data:`raster.MAX_RASTER_PIXELS` pixels.

    Holes are written as an RLE mask (COCO polygons cannot have holes), which pycocotools makes in memory, a
    byte a pixel: on such an image, and on one of unknown size (written 0 x 0: no mask of its size can be made),
    the outer rings are written as polygons instead. Returns the rows changed.
    """
    n = objects.num_rows
    huge = np.zeros(n, dtype=bool)
    if not n or objects["polygon_holes"].null_count == n:
        return objects, huge
    width, height = image_sizes(items, objects["item_id"])
    with np.errstate(invalid="ignore", over="ignore"):
        huge = valid_mask(objects["polygon_holes"]) & (
            (width * height > raster.MAX_RASTER_PIXELS) | ~known_sizes(width, height)  # (no size: no mask to make)
        )
    rows = np.flatnonzero(huge)
    if not len(rows):
        return objects, huge
    rings = objects["polygon"].take(pa.array(rows)).to_pylist()
    holes = objects["polygon_holes"].take(pa.array(rows)).to_pylist()
    for k, (rs, flags) in enumerate(zip(rings, holes, strict=True)):
        huge[rows[k]] = any(flags)
        rings[k] = [r for r, hole in zip(rs, flags, strict=True) if not hole] or None
        holes[k] = None
    return _with_polygons(objects, rows, rings, holes), huge


def drawn_polygons(objects: pa.Table, detections: bool = False) -> pa.Table:
    """``objects`` as COCO can write them: no ring of fewer than 3 points, no object without geometry.

    pycocotools cannot rasterise such rings. A polygon left without a ring (or that had none) becomes none:
    the object is written as having no polygon (a box's rectangle, see ``coco_text.rectangles``), or, with no
    other geometry either, not at all (``detections``: the objects are, see :func:`geometryless`). ``check()``
    reports the rings and objects as lost.
    """
    polygon = objects["polygon"]
    counts, ring_len = G.ring_lengths(polygon)
    drawn = G.drawable_rings(ring_len)
    ringless = valid_mask(polygon) & (counts == 0)
    if drawn.all() and not ringless.any():
        dropped = geometryless(objects, detections)
        return objects.filter(pa.array(~dropped)) if dropped.any() else objects
    rows = np.flatnonzero(G.any_per_row(counts, ~drawn) | ringless)
    rings = polygon.take(pa.array(rows)).to_pylist()
    holes = objects["polygon_holes"].take(pa.array(rows)).to_pylist()
    for k, (rs, flags) in enumerate(zip(rings, holes, strict=True)):
        keep = [j for j, r in enumerate(rs) if len(r) >= 6 and len(r) % 2 == 0]
        rings[k] = [rs[j] for j in keep] or None
        holes[k] = ([flags[j] for j in keep] or None) if flags is not None else None
    objects = _with_polygons(objects, rows, rings, holes)
    dropped = geometryless(objects, detections)
    return objects.filter(pa.array(~dropped)) if dropped.any() else objects


def _with_polygons(objects: pa.Table, rows: np.ndarray, rings: list[Any], holes: list[Any]) -> pa.Table:
    """``objects`` with the polygons (and hole flags) of ``rows`` replaced, and those rows' polygon text dropped.

    The text read no longer says what is written. The new rows are appended to each column and taken in their
    place: no Python object for the other rows.
    """
    fixes: list[tuple[str, list[Any]]] = [("polygon", rings), ("polygon_holes", holes)]
    if POLYGON_TEXT in objects.column_names:
        fixes.append((POLYGON_TEXT, [None] * len(rows)))
    for name, fixed in fixes:
        column = objects[name]
        spliced = spliced_rows(column, rows, pa.array(fixed, column.type))
        objects = objects.set_column(objects.schema.get_field_index(name), name, spliced)
    return objects


def turned_boxes(objects: pa.Table) -> tuple[pa.Table, np.ndarray]:
    """``objects`` with each rotated box (an angle other than 0) as COCO can hold it, and which rows had one.

    COCO has no angle: the box becomes the bounds of its four turned corners, and an object without a polygon
    or mask gets those corners as its polygon, so the region written is the one the rotated box covers. (An
    object with a polygon or mask keeps it: ``check()`` reports its rotated box lost.) The text read of the
    boxes and polygons changed is dropped, so that they are formatted; the rows are marked for the writer
    to derive what they now lack (their carried ``bbox`` and ``segmentation`` no longer hold; see
    :func:`coco_text.marked_for_derivation`).
    """
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    boxes, has = G.bbox_columns(objects["bbox"])
    turned = has & (angle != 0) & np.isfinite(angle)
    if not turned.any():
        return objects, turned
    corners = G.rotated_box_corners(boxes[turned], angle[turned])
    boxes[turned] = G.corner_bounds(corners)  # (corners far apart near float64's limit: a width of inf, not written)
    bbox_type = objects.schema.field("bbox").type
    bbox = pa.FixedSizeListArray.from_arrays(pa.array(boxes.ravel()), 4, mask=pa.array(~has)).cast(bbox_type)
    bare = turned & ~valid_mask(objects["polygon"]) & ~valid_mask(objects["mask"])
    rows = np.flatnonzero(bare)
    polygon = arr(objects["polygon"])
    if len(rows):  # the corners of the bare rows appended to the column and taken in their place
        rings = pa.ListArray.from_arrays(
            pa.array(np.arange(0, 8 * len(rows) + 1, 8, dtype=np.int32)), pa.array(corners[bare[turned]].ravel())
        )
        ringed = pa.ListArray.from_arrays(pa.array(np.arange(len(rows) + 1, dtype=np.int32)), rings)
        index = np.arange(len(polygon))
        index[rows] = len(polygon) + np.arange(len(rows))
        polygon = pa.concat_arrays([polygon, ringed.cast(polygon.type)]).take(pa.array(index))
    objects = objects.set_column(objects.schema.get_field_index("bbox"), "bbox", bbox)
    objects = objects.set_column(objects.schema.get_field_index("polygon"), "polygon", polygon)
    extras = marked_for_derivation(objects["extras"], turned).cast(objects.schema.field("extras").type)
    objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", extras)
    for name, changed in ((BBOX_TEXT, turned), (POLYGON_TEXT, bare)):
        if name in objects.column_names:
            column = arr(objects[name])
            text = pc.if_else(pa.array(changed), pa.scalar(None, column.type), column)
            objects = objects.set_column(objects.schema.get_field_index(name), name, text)
    return objects, turned


def geometryless(objects: pa.Table, detections: np.ndarray | bool = False) -> np.ndarray:
    """Objects with no box, mask, keypoints or polygon ring of 3 points: COCO cannot write them.

    Keypoints count only with a labelled point, which bounds the box written for them (see
    :func:`written_boxes`), or when the object came from COCO (it is written back as it was read), or for
    ``detections``, written to detection-results files as they are (there the third numbers are the points'
    scores, a 0 among them no less a point: a results file read alone carries no ``coco:`` field to tell).
    An object read from an annotation whose only geometry was a ``"bbox": null`` (or a ``"segmentation"`` of
    ``null`` or ``[]``) is written back as it was read too (:data:`_CARRIED_EMPTY`), as the README says of such
    fields: refused, it was lost, where ``validate`` names the null bbox and reading takes it.
    """
    keypoints = objects["keypoints"]
    has_keypoints = valid_mask(keypoints)
    if has_keypoints.any():
        origin = true_mask(pc.match_substring(objects["extras"], '"coco:'))
        has_keypoints &= origin | detections | G.labelled_keypoints(keypoints)
    kept = valid_mask(objects["bbox"]) | valid_mask(objects["mask"]) | has_keypoints
    bare = ~kept & ~G.drawable_polygons(objects["polygon"])
    if bare.any():  # an annotation read with "bbox": null (or "segmentation": null or []) and nothing else: as read
        carried = true_mask(pc.match_substring_regex(objects["extras"].filter(pa.array(bare)), _CARRIED_EMPTY))
        bare[np.flatnonzero(bare)[carried]] = False
    return bare


_CARRIED_EMPTY = r'"coco:bbox":\s*null\s*[,}]|"coco:segmentation":\s*(?:null|\[\s*\])\s*[,}]'
"""The ``coco:bbox`` or ``coco:segmentation`` extra COCO's reader carries for a ``null`` bbox, or a ``null`` or
``[]`` segmentation, that it read."""


def redrawn(objects: pa.Table, polygons: np.ndarray, masks: np.ndarray) -> list[tuple[str, int, str]]:
    """The objects COCO's reader gives back drawn as another shape (``report.transform`` arguments).

    COCO's reader names an annotation's shape from its segmentation: an RLE is a mask, a polygon a polygon.
    ``polygons`` and ``masks``: per object, whether it has a polygon COCO can write (a ring of 3 points or
    more), or a mask. A box object with either (a VOC object with its mask) reads back drawn as it, and a polygon
    object with a mask (the mask is written) as a mask. A box written as its rectangle is counted as ``boxes``;
    a box object without a box (the model's default shape, given no other) is not counted.
    """
    shape = objects["shape"].fill_null("box")
    box = true_mask(pc.equal(shape, "box")) & valid_mask(objects["bbox"])
    polygon = true_mask(pc.equal(shape, "polygon"))
    why = "COCO's reader takes an annotation's drawn shape from its segmentation, written from the"
    return [
        ("box objects", int((box & (polygons | masks)).sum()), f"{why} object's polygon or mask: read back as it"),
        (
            "polygon objects",
            int((polygon & masks).sum()),
            f"{why} object's mask (see the polygons lost): read back as a mask",
        ),
    ]


def unposed_keypoint_counts(objects: pa.Table | pa.RecordBatch, categories: list[Any], kept: np.ndarray) -> np.ndarray:
    """Per object: the keypoint names of its category when it has no keypoints and is not ``kept``, else 0.

    COCOeval's keypoints mode reads ``num_keypoints`` and ``keypoints`` of every annotation of the categories
    it evaluates (``KeyError`` without them), and COCO's own keypoints files give a person without labelled
    points ``num_keypoints: 0`` and a zero for each number: such objects are written so. Objects read from
    COCO (``kept``) are written as read.
    """
    named = {c.id: len(c.keypoints) for c in categories if c.keypoints}
    n = objects.num_rows
    if not named or not n:
        return np.zeros(n, dtype=np.int64)
    index = pc.index_in(objects["category_id"], value_set=pa.array(list(named), pa.int64()))
    names = pc.take(pa.array(list(named.values()), pa.int64()), index).fill_null(0)
    counts = np.asarray(names.to_numpy(zero_copy_only=False), dtype=np.int64).copy()
    counts[valid_mask(objects["keypoints"]) | kept] = 0
    unposed: np.ndarray = counts
    return unposed


def arr(column: Any) -> pa.Array:
    """A table column (chunked) as one array; an array as it is."""
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
