"""COCO boxes and polygons from raw JSON bytes to Arrow lists, parsed in a worker thread while decoding goes on."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_lists import BLOCK, first_bad
from labelkit.formats.coco_read import msgspec_reason, pointer_of
from labelkit.json_places import shown_at
from labelkit.model.geometry import run_positions
from labelkit.model.tables import valid_mask
from labelkit.report import Finding

BBOX_TOLERANCE = 1.0
"""Pixels a box may reach past the image edge before it is reported (COCO's own boxes overshoot by < 1)."""
POLYGONS = pa.list_(pa.list_(pa.float64()))
"""Arrow type of polygon rings."""
FLOATS = pa.list_(pa.float64())
"""Arrow type of a flat list of numbers."""


def _size(value: Any) -> str:
    """An image side as read: exact from int64 (every image of the file sized), else as its float64 holds it."""
    return str(int(value)) if isinstance(value, np.integer) or abs(value) < 2**53 else f"{value:.17g}"


@dataclass
class PendingGeometry:
    """Boxes and polygons of a chunk's objects being parsed in a worker thread, and what checks them."""

    future: Future[pa.Table]
    bbox_raws: list[msgspec.Raw]
    seg_raws: list[msgspec.Raw]
    polygon_rows: np.ndarray
    rows: list[int]
    width: np.ndarray
    height: np.ndarray
    known_image: np.ndarray
    counted_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    """Polygon objects left unparsed because the conversion's target drops polygons (see :func:`counted`)."""
    text: pa.Array | None = None
    """The segmentation of every row as raw JSON on one line, when the polygons' text is kept (see
    :func:`polygon_text`)."""
    bbox_text: pa.Array | None = None
    """The bbox of every row as raw JSON (``null`` without one), when the text is kept."""


OUT_OF_RANGE = "Number out of range"
"""What a number past float64's range is said to be (as msgspec says it)."""
POLYGON_TEXT = "_polygon_text"
"""Column of a reader's objects table holding each polygon as the COCO file wrote it (see :func:`polygon_text`)."""
BBOX_TEXT = "_bbox_text"
"""Column of a reader's objects table holding each bbox as the COCO file wrote it (``null`` without one)."""
_EXECUTOR: list[ThreadPoolExecutor] = []
_GEOMETRY = pa.schema([("b", pa.list_(pa.float64())), ("v", POLYGONS)])


def submit(fn: Any, *args: Any) -> Future[pa.Table]:
    """Run ``fn`` in the reader's worker thread (one, created on first use)."""
    if not _EXECUTOR:
        _EXECUTOR.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="labelkit-coco"))
    return _EXECUTOR[0].submit(fn, *args)


_LINE_PARTS = [pa.scalar(p, pa.large_binary()) for p in (b'{"b":', b',"v":', b"}\n", b"")]


def geometry_lines(bbox: pa.Array, seg: pa.Array | pa.Scalar) -> tuple[pa.Buffer, int]:
    """NDJSON ``{"b": <bbox>, "v": <polygons>}`` per object, and the longest line.

    Both columns are :func:`~labelkit.formats.coco_columns.binary_column` s with ``null`` where a value is absent;
    ``seg`` may instead be one value for every line.
    """
    start, middle, end, nothing = _LINE_PARTS
    lines = pc.binary_join_element_wise(start, bbox, middle, seg, end, nothing)  # Arrow's kernel drops the GIL
    _, offsets, data = lines.buffers()
    ends = np.frombuffer(offsets, dtype=np.int64)[: len(lines) + 1]
    return data.slice(0, int(ends[-1])), int(np.diff(ends).max(initial=0))


def read_geometry(bbox: pa.Array, seg: pa.Array | pa.Scalar) -> pa.Table:
    """Parse boxes and polygons as :func:`geometry_lines` (in the worker thread: Arrow releases the GIL)."""
    buf, longest = geometry_lines(bbox, seg)
    return pj.read_json(
        pa.BufferReader(buf),
        read_options=pj.ReadOptions(block_size=max(BLOCK, 2 * longest + 64)),
        parse_options=pj.ParseOptions(explicit_schema=_GEOMETRY, unexpected_field_behavior="error"),
    )


def outside_image(x: Any, y: Any, w: Any, h: Any, width: Any, height: Any, tolerance: float = 0.0) -> Any:
    """Per box, whether it reaches more than ``tolerance`` outside its image ``[0, width] x [0, height]``.

    A side of unknown size (NaN: an image of 0 x 0) has no edge on either end, as COCO's reader checks it: the
    reader, the writer's clipping and its areas each tested ``x < 0`` there, and refused, clipped or measured to
    nothing a box the reader reads as it is. A box past float64's range (``x + w`` infinite) is outside.

    Examples:
        >>> outside_image(*np.array([[-5.0, 2, 2, 2], [1, 1, 2, 2]]).T, np.array([np.nan, 2.0]), np.array([9.0] * 2))
        array([False,  True])
    """
    with np.errstate(invalid="ignore", over="ignore"):
        across = np.isfinite(width) & ((x < -tolerance) | (x + w > width + tolerance))
        down = np.isfinite(height) & ((y < -tolerance) | (y + h > height + tolerance))
    return across | down


def resolve_geometry(
    pending: PendingGeometry, path: Path, findings: list[tuple[int, Finding]]
) -> tuple[pa.Array, pa.Array]:
    """Wait for a chunk's boxes and polygons, check them, and return the ``bbox`` and ``polygon`` columns.

    Raises:
        InputError: a bbox is not 4 numbers or a segmentation is not a list of lists of numbers.
    """
    where = str(path)
    rows = pending.rows
    try:
        table = pending.future.result()
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise geometry_error(pending, path, exc) from exc
    b = table.column("b").combine_chunks()
    v = table.column("v").combine_chunks()
    m = len(rows)
    has_bbox = valid_mask(b)
    lengths = pc.fill_null(pc.list_value_length(b), 4).to_numpy(zero_copy_only=False)
    if (lengths != 4).any():
        k = int(np.flatnonzero(lengths != 4)[0])
        raise InputError(
            "bbox must be 4 numbers [x, y, width, height]",
            path=path,
            pointer=json_pointer("annotations", rows[k], "bbox"),
            found=f"{int(lengths[k])} numbers",
        )
    flat = pc.list_flatten(b)
    if flat.null_count:  # [1, null, 3, 4]: JSON has no NaN, and Arrow reads the null as one
        at = int(np.flatnonzero(~valid_mask(flat))[0])
        k = int(np.flatnonzero(has_bbox)[at // 4])
        raise InputError(
            "bbox must be 4 numbers [x, y, width, height]",
            path=path,
            pointer=json_pointer("annotations", rows[k], "bbox", at % 4),
            found="null",
        )
    boxes = np.zeros((m, 4), dtype=np.float64)
    boxes[has_bbox] = flat.to_numpy(zero_copy_only=False).reshape(-1, 4)
    if not np.isfinite(boxes).all():  # (a number past float64's range, which Arrow reads as infinite)
        k, at = (int(i[0]) for i in np.nonzero(~np.isfinite(boxes)))
        raise InputError(
            "bbox must be 4 numbers [x, y, width, height]",
            path=path,
            pointer=json_pointer("annotations", rows[k], "bbox", at),
            found=OUT_OF_RANGE,
        )
    bbox = pa.FixedSizeListArray.from_arrays(pa.array(boxes.ravel()), 4, mask=pa.array(~has_bbox))
    w_img, h_img = pending.width, pending.height
    negative = has_bbox & ((boxes[:, 2] < 0) | (boxes[:, 3] < 0))
    x, y, w, h = boxes.T
    outside = has_bbox & ~negative & pending.known_image & outside_image(x, y, w, h, w_img, h_img, BBOX_TOLERANCE)
    for k in np.flatnonzero(negative).tolist():
        pointer = json_pointer("annotations", rows[k], "bbox")
        findings.append((rows[k], Finding(where, pointer, "bbox has a negative width or height")))
    for k in np.flatnonzero(outside).tolist():
        pointer = json_pointer("annotations", rows[k], "bbox")
        size = f"{_size(w_img[k])}x{_size(h_img[k])} " if np.isfinite(w_img[k]) and np.isfinite(h_img[k]) else ""
        message = f"bbox {boxes[k].tolist()} reaches outside the {size}image"
        findings.append((rows[k], Finding(where, pointer, message)))
    if not len(pending.polygon_rows):
        return bbox, counted(pa.nulls(m, POLYGONS), pending.counted_rows)
    # rows without a polygon are null in v: they have no rings and flatten() skips them
    if v.flatten().null_count or v.flatten().flatten().null_count:  # [[1, null, ...]] or [null]
        k, r, ring = next(
            (k, r, ring)
            for k, rings in enumerate(v.to_pylist())
            for r, ring in enumerate(rings or ())
            if ring is None or None in ring
        )
        null_at = (r,) if ring is None else (r, ring.index(None))  # (at the null, as in a bbox or keypoints)
        raise InputError(
            "polygon coordinates must be numbers",
            path=path,
            pointer=json_pointer("annotations", rows[k], "segmentation", *null_at),
            found="null",
        )
    n_rings = pc.fill_null(pc.list_value_length(v), 0).to_numpy(zero_copy_only=False)
    ring_lengths = pc.list_value_length(v.flatten()).to_numpy(zero_copy_only=False)
    values = v.flatten().flatten()
    if len(values) and not pc.all(pc.is_finite(values)).as_py():
        i = int(np.flatnonzero(~np.isfinite(values.to_numpy(zero_copy_only=False)))[0])
        ring_starts = np.concatenate([[0], np.cumsum(ring_lengths)])
        r = int(np.searchsorted(ring_starts, i, side="right")) - 1
        row_starts = np.concatenate([[0], np.cumsum(n_rings)])
        k = int(np.searchsorted(row_starts, r, side="right")) - 1
        raise InputError(
            "segmentation must be a list of polygons (lists of numbers)",
            path=path,
            pointer=json_pointer(
                "annotations", rows[k], "segmentation", r - int(row_starts[k]), i - int(ring_starts[r])
            ),
            found=OUT_OF_RANGE,
        )
    bad_ring = (ring_lengths < 6) | (ring_lengths % 2 == 1)
    if bad_ring.any():
        ring_owner = np.repeat(np.arange(len(v)), n_rings)
        ring_index = run_positions(n_rings)
        seen: set[int] = set()
        for r in np.flatnonzero(bad_ring).tolist():
            row = rows[int(ring_owner[r])]
            if row in seen:
                continue
            seen.add(row)
            what = "fewer than 3 points" if ring_lengths[r] < 6 else "an odd number of coordinates"
            pointer = json_pointer("annotations", row, "segmentation", int(ring_index[r]))
            findings.append((row, Finding(where, pointer, f"polygon has {what}")))
    return bbox, counted(v, pending.counted_rows)


def polygon_text(pending: PendingGeometry) -> pa.Array:
    """The JSON text of the chunk's segmentations, meaningful where a polygon was parsed (``large_string``).

    COCO -> COCO writes this text back instead of formatting the numbers again
    (``labelkit.model.tables.keep_source_text``): the same JSON value, with the file's own spelling of its
    numbers and its whitespace (a line break became a space). The text of other segmentations (RLE,
    ``null``) is kept when it is small beside the polygons' (the writer takes the text of rows with a polygon
    only), rather than paying for a copy without it. It is valid UTF-8, as the whole file was checked to be.
    """
    text = pending.text
    assert text is not None
    ends = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
    lengths = np.diff(ends)
    parsed = np.zeros(len(text), dtype=bool)
    parsed[pending.polygon_rows] = True
    if lengths[~parsed].sum() > lengths.sum() // 8:
        text = pc.if_else(pa.array(parsed), text, pa.scalar(None, pa.large_binary()))
    return text.view(pa.large_string())


def counted(polygons: pa.Array, rows: np.ndarray) -> pa.Array:
    """``polygons`` with an empty ring list at ``rows``: objects known to have a polygon that was not parsed.

    A conversion whose target cannot hold polygons (YOLO detect, VOC boxes) needs only to count them for its
    report; such a dataset lives only inside that conversion and is never handed to the user.
    """
    if not len(rows):
        return polygons
    mark = np.zeros(len(polygons), dtype=bool)
    mark[rows] = True
    empty = pa.ListArray.from_arrays(pa.array(np.zeros(len(polygons) + 1, np.int32)), pa.array([], FLOATS))
    return pc.if_else(pa.array(mark), empty, polygons)


def _bad_number(raw: bytes, err: msgspec.ValidationError) -> tuple[str, str]:
    """Where in a bbox ``err`` is (``/3``, or ``""`` for the whole box) and what is found there (``"4"``)."""
    sub = pointer_of(str(err)) or ""
    if sub and msgspec_reason(err) == OUT_OF_RANGE:  # (1e400: at the number, as in a polygon or keypoints)
        return sub, OUT_OF_RANGE
    if not msgspec_reason(err).startswith("Expected"):  # (msgspec says)
        return "", msgspec_reason(err)
    if msgspec_reason(err).startswith("Expected `array` of length"):  # (1e400 in it: the list's length, as a box's)
        return "", f"{len(msgspec.json.decode(raw, type=list[msgspec.Raw]))} numbers"
    return sub, shown_at(raw, sub, msgspec_reason(err))  # (not a list: "x", 5, an object, as a segmentation)


def geometry_error(pending: PendingGeometry, path: Path, exc: Exception) -> InputError:
    """The first bad box or polygon of a chunk whose bulk parse failed, with its JSON pointer."""
    rows = pending.rows
    for raw, row in zip(pending.bbox_raws, rows, strict=True):
        if len(raw):
            try:
                msgspec.json.decode(raw, type=tuple[float, float, float, float] | None)
            except msgspec.ValidationError as err:
                sub, found = _bad_number(raw, err)
                return InputError(
                    "bbox must be 4 numbers [x, y, width, height]",
                    path=path,
                    pointer=json_pointer("annotations", row, "bbox") + sub,
                    found=found,
                )
    polygon_rows = [rows[k] for k in pending.polygon_rows.tolist()]
    seg_raws = [pending.seg_raws[k] for k in pending.polygon_rows.tolist()]
    return first_bad(seg_raws, POLYGONS, path, "segmentation", polygon_rows, exc)
