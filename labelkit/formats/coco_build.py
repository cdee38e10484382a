"""COCO files -> labelkit tables, and the semantic checks that run on the decoded columns.

One COCO annotation becomes one row: an ``objects`` row (bbox, polygon rings, RLE mask, keypoints), a
``labels`` row (image-level label files: only ``category_id``) or a ``transcripts`` row (captions). COCO
fields with no column (``area``, ``iscrowd``, ``num_keypoints``, unknown fields) are kept as ``coco:<name>``
extras, byte for byte. Images, categories and dataset info are built in :mod:`labelkit.formats.coco_records`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_extras import Extras, add_extra, annotation_extras, refuse_wide_integers
from labelkit.formats.coco_geometry import (
    BBOX_TEXT,
    FLOATS,
    OUT_OF_RANGE,
    POLYGON_TEXT,
    POLYGONS,
    PendingGeometry,
    polygon_text,
    read_geometry,
    resolve_geometry,
    submit,
)
from labelkit.formats.coco_read import (
    ABSENT,
    CocoFile,
    Rle,
    binary_column,
    decode_at,
    first_bytes,
    msgspec_reason,
    parse_lists,
    raw_column,
)
from labelkit.formats.coco_records import build_categories, build_items, duplicates, result_items
from labelkit.io import json_text
from labelkit.model import Category
from labelkit.model.annotations import INT64_MAX
from labelkit.model.rle import rle_strings_problems, rle_sum_message
from labelkit.model.tables import MASK_TYPE, true_mask, valid_mask
from labelkit.report import Finding

_LIST, _DICT = ord("["), ord("{")


@dataclass
class Built:
    """Tables of one file, plus what the semantic checks found (each with the annotation's row)."""

    items: pa.Table
    image_ids: np.ndarray
    categories: list[Category]
    objects: pa.Table | None = None
    labels: pa.Table | None = None
    transcripts: pa.Table | None = None
    findings: list[tuple[int, Finding]] = field(default_factory=list)
    item_findings: list[Finding] = field(default_factory=list)
    odd: list[tuple[int, str, str]] = field(default_factory=list)
    """Carried fields the COCO schema rejects, kept as read: (annotation row, field, value text)."""
    pending: list[PendingGeometry] = field(default_factory=list)
    count_polygons: bool = False
    """Parse only the polygons of objects without a box; count the others (see ``coco_geometry.counted``)."""
    had_ids: bool = False
    """Some annotation of the chunk had an ``id`` (a detection-results file may give none)."""
    polygon_text: bool = False
    """Keep each polygon's and bbox's JSON text too, in columns ``_polygon_text`` and ``_bbox_text`` (see
    ``coco_geometry.polygon_text``)."""


def _pick(f: CocoFile, name: str, rows: list[int]) -> list[msgspec.Raw]:
    """One raw field of the annotations at ``rows`` (all of them, without indexing, when rows are all)."""
    values = f.column(name)
    if len(rows) == len(values):
        return values
    return [values[i] for i in rows]


def _spread(values: pa.Array, positions: np.ndarray, m: int) -> pa.Array:
    """A list column of ``m`` rows: row ``i`` is ``values[positions[i]]``, or null past the end.

    Positions rise through the non-null rows, so the offsets are rebuilt without copying the values.
    """
    if len(values) == m:
        return values
    lengths = np.zeros(m, dtype=np.int64)
    present = positions < len(values)
    lengths[present] = pc.list_value_length(values).to_numpy(zero_copy_only=False)
    offsets = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    start = values.offsets[0].as_py()
    list_type = pa.large_list(values.type.value_type)
    column = pa.LargeListArray.from_arrays(
        pa.array(offsets + start, pa.int64()), values.values, type=list_type, mask=pa.array(~present)
    )
    return column.cast(values.type)


def _not_none(values: list[Any]) -> np.ndarray:
    absent = values.count(None)
    if absent in (0, len(values)):
        return np.full(len(values), absent == 0, dtype=bool)
    return np.array([v is not None for v in values], dtype=bool)


def _present(values: list[msgspec.Raw]) -> np.ndarray:
    # absent fields all hold the one shared default object: counting it is a fast identity scan
    absent = values.count(ABSENT)
    if absent == len(values):
        return np.zeros(len(values), dtype=bool)
    if not absent:
        return np.ones(len(values), dtype=bool)
    return np.fromiter(map(len, values), dtype=np.int64, count=len(values)) > 0


_WHITESPACE = np.frombuffer(b" \t\r\n", dtype=np.uint8)
_SHAPES = pa.array(["box", "polygon", "mask", "keypoints"], pa.string())
_NULL = pa.scalar(b"null", pa.large_binary())
_BOX, _POLYGON, _MASK, _KEYPOINTS = range(4)
_ATTRIBUTE_TYPES = (bool, int, float, str)


def _is_attributes(value: Any) -> bool:
    """Whether an ``attributes`` value is one the records hold (else it is carried as ``coco:attributes``)."""
    if not isinstance(value, dict):
        return False
    for v in value.values():
        if isinstance(v, list):
            if not all(isinstance(x, str) for x in v):
                return False
        elif not isinstance(v, _ATTRIBUTE_TYPES):
            return False
        elif isinstance(v, int) and not isinstance(v, bool) and INT64_MAX < v <= 2**64 - 1:
            # an attribute is int64 (labelkit JSON and Parquet refuse 10000000000000000000), an extra 64-bit:
            # carried (past 64 bits, json_text refuses it)
            return False
    return True


def _counts_pointer(row: int) -> str:
    return json_pointer("annotations", row, "segmentation", "counts")


def build(
    f: CocoFile,
    item_prefix: str,
    categories: list[Category],
    count_polygons: bool = False,
    text: bool = False,
    images: tuple[pa.Table, np.ndarray] | None = None,
) -> Built:
    """Turn one decoded file into tables (see :func:`_build`); pointers of a results list drop ``/annotations``.

    ``images``: for a results file beside ground-truth files, the items and image ids of its split, so that
    its detections are checked against them (an unknown image, an RLE of another size) as the others are.

    Raises:
        InputError: a required field is missing or a value has the wrong type.
    """
    if f.task != "results":
        return _build(f, item_prefix, categories, count_polygons, text)
    try:
        out = _build(f, item_prefix, categories, count_polygons, text, images)
    except InputError as exc:  # a results file is a bare list: its annotations are /<i>, not /annotations/<i>
        raise _repointed(exc, exc.location.path, results_pointer(exc.location.pointer)) from exc
    out.findings = [(row, replace(x, where=results_pointer(x.where) or "")) for row, x in out.findings]
    return out


def results_pointer(pointer: str | None) -> str | None:
    """``/annotations/<i>/...`` as the pointer into a detection-results file, a bare list (``/<i>/...``).

    >>> results_pointer("/annotations/3/bbox")
    '/3/bbox'
    """
    if pointer is None or not pointer.startswith("/annotations/"):
        return pointer
    return pointer[len("/annotations") :]


def _build(
    f: CocoFile,
    item_prefix: str,
    categories: list[Category],
    count_polygons: bool = False,
    text: bool = False,
    images: tuple[pa.Table, np.ndarray] | None = None,
) -> Built:
    """Turn one decoded file into tables, a chunk of annotations at a time; findings ride along.

    Args:
        f: the decoded file.
        item_prefix: prepended to image ids to make item ids (``""`` or ``"<split>/"``).
        categories: the dataset's categories (for category and keypoint checks).
        count_polygons: leave the polygons of boxed objects unparsed (and unchecked), for a conversion
            whose target drops them; they read as empty ring lists.
        text: keep each parsed polygon's and bbox's JSON text too (columns ``_polygon_text``, ``_bbox_text``),
            for a conversion to COCO.
        images: the items and image ids of a results file's split, when other files list them (see :func:`build`).

    Raises:
        InputError: a required field is missing or a value has the wrong type.
    """
    item_findings: list[Finding] = []
    if images is not None:  # (a results file beside ground truth: its split's images)
        items, image_ids = images
    else:
        items, image_ids, item_findings = (
            build_items(f, item_prefix) if f.task != "results" else result_items(f, item_prefix)
        )
    out = Built(items=items, image_ids=image_ids, categories=build_categories(f), item_findings=item_findings)
    parts: dict[str, list[pa.Table]] = {"objects": [], "labels": [], "transcripts": []}
    ann_ids: list[np.ndarray] = []
    waiting: list[tuple[Built, int]] = []
    for chunk in f.chunks():
        part = Built(
            items=items,
            image_ids=image_ids,
            categories=out.categories,
            count_polygons=count_polygons,
            polygon_text=text,
        )
        with _shifted_errors(f.path, chunk.offset):
            ids = _build_chunk(chunk, item_prefix, categories, part)
        ann_ids.append(ids)
        f.had_ids = f.had_ids or part.had_ids
        waiting.append((part, chunk.offset))
        # polygons of a chunk parse in a worker thread while the next chunk is decoded; at most two wait
        while len(waiting) > 1:
            _finish(*waiting.pop(0), f.path, out, parts)
    for part, offset in waiting:
        _finish(part, offset, f.path, out, parts)
    for name, tables in parts.items():
        if tables:
            setattr(out, name, pa.concat_tables(tables))
    all_ids = np.concatenate(ann_ids) if ann_ids else np.zeros(0, np.int64)
    where = str(f.path)
    for i in duplicates(all_ids) if f.task != "results" else []:
        out.findings.append(
            (i, Finding(where, json_pointer("annotations", i, "id"), f"duplicate annotation id {int(all_ids[i])}"))
        )
    return out


@contextmanager
def _shifted_errors(path: Path, offset: int) -> Iterator[None]:
    try:
        yield
    except InputError as exc:
        raise _repointed(exc, path, shift_pointer(exc.location.pointer, offset)) from exc


def _repointed(exc: InputError, path: str | Path | None, pointer: str | None) -> InputError:
    """``exc`` again, at ``path`` and ``pointer``."""
    return InputError(exc.message, path=path, pointer=pointer, expected=exc.expected, found=exc.found, hint=exc.hint)


def _finish(part: Built, offset: int, path: Path, out: Built, parts: dict[str, list[pa.Table]]) -> None:
    """Place a chunk's parsed polygons, shift its rows and pointers to file positions, keep its tables."""
    if part.pending:
        (pending,) = part.pending
        with _shifted_errors(path, offset):
            bbox, polygon = resolve_geometry(pending, path, part.findings)
        objects = part.objects
        assert objects is not None
        objects = objects.set_column(objects.schema.get_field_index("bbox"), "bbox", bbox)
        objects = objects.set_column(objects.schema.get_field_index("polygon"), "polygon", polygon)
        if pending.text is not None:
            objects = objects.append_column(POLYGON_TEXT, polygon_text(pending))
        if pending.bbox_text is not None:
            objects = objects.append_column(BBOX_TEXT, pending.bbox_text.view(pa.large_string()))
        part.objects = objects
    for row, finding in part.findings:
        where = shift_pointer(finding.where, offset) or ""
        out.findings.append((row + offset, Finding(finding.path, where, finding.message)))
    out.odd += [(row + offset, name, found) for row, name, found in part.odd]
    for name in parts:
        table = getattr(part, name)
        if table is not None:
            rows = pc.add(table["_row"], pa.scalar(offset, pa.int64()))
            parts[name].append(table.set_column(table.schema.get_field_index("_row"), "_row", rows))


_ANN_ROW = re.compile(r"^/annotations/(\d+)(.*)$")


def shift_pointer(pointer: str | None, offset: int) -> str | None:
    """Move ``/annotations/<i>/...`` by ``offset`` (chunk-local index -> index in the file)."""
    if pointer is None or not offset:
        return pointer
    m = _ANN_ROW.match(pointer)
    if not m:
        return pointer
    return json_pointer("annotations", int(m.group(1)) + offset) + m.group(2)


def _build_chunk(f: CocoFile, item_prefix: str, categories: list[Category], out: Built) -> np.ndarray:
    """Tables of one chunk of annotations (indexes local to the chunk); returns the annotation ids."""
    path = f.path
    items, image_ids = out.items, out.image_ids
    anns = f.annotations
    n = len(anns)
    where = str(path)
    image_values = f.column("image_id")
    if None in image_values:
        i = image_values.index(None)
        raise InputError(
            "missing required field 'image_id'", path=path, pointer=json_pointer("annotations", i, "image_id")
        )
    image_of = np.array(image_values, dtype=np.int64)
    id_values = f.column("id")
    has_id = _not_none(id_values)
    out.had_ids = bool(has_id.any())
    if f.task != "results" and not has_id.all():
        i = int(np.flatnonzero(~has_id)[0])
        raise InputError("missing required field 'id'", path=path, pointer=json_pointer("annotations", i, "id"))
    if has_id.all():
        ann_ids = np.array(id_values, dtype=np.int64)
    else:  # detection results have no ids: number them 1..N like pycocotools' loadRes
        ann_ids = np.array([x if x is not None else 0 for x in id_values], np.int64)
        ann_ids = np.where(has_id, ann_ids, np.arange(1, n + 1) + f.offset)
    caption = _present(f.column("caption"))
    geometry = _present(f.column("bbox")) | _present(f.column("segmentation")) | _present(f.column("keypoints"))
    is_object = geometry & ~caption
    is_label = ~geometry & ~caption
    cat_values = f.column("category_id")
    has_cat = _not_none(cat_values)
    need_cat = ~caption & ~has_cat
    if need_cat.any():
        i = int(np.flatnonzero(need_cat)[0])
        raise InputError(
            "missing required field 'category_id'", path=path, pointer=json_pointer("annotations", i, "category_id")
        )
    cat_ids = np.array(cat_values if has_cat.all() else [c if c is not None else -1 for c in cat_values], np.int64)
    image_sorted = np.argsort(image_ids, kind="stable")
    pos = np.searchsorted(image_ids[image_sorted], image_of) if len(image_ids) else np.zeros(n, np.int64)
    pos = np.minimum(pos, max(len(image_ids) - 1, 0))
    image_row = image_sorted[pos] if len(image_ids) else pos
    known_image = (image_ids[image_row] == image_of) if len(image_ids) else np.zeros(n, dtype=bool)
    for i in np.flatnonzero(~known_image).tolist():
        out.findings.append(
            (i, Finding(where, json_pointer("annotations", i, "image_id"), f"unknown image id {int(image_of[i])}"))
        )
    cat_known = np.isin(cat_ids, np.array([c.id for c in categories], dtype=np.int64))
    check_cat = ~caption & ~cat_known if f.task != "results" else np.zeros(n, dtype=bool)
    for i in np.flatnonzero(check_cat).tolist():
        out.findings.append(
            (i, Finding(where, json_pointer("annotations", i, "category_id"), f"unknown category id {int(cat_ids[i])}"))
        )
    item_ids = pc.binary_join_element_wise(item_prefix, pa.array(image_of).cast(pa.string()), "")
    ann_id_str = pa.array(ann_ids).cast(pa.string())
    score_values = f.column("score")
    scores = raw_column(score_values, path, "score", float | None, expected="a number")
    if None in scores:  # (a result needs a score; null is no number, as the schema says)
        _refuse_missing_scores(score_values, scores, f.task == "results", path)
    # (the results schema leaves area and iscrowd free: validate says nothing of them there, nor does a note)
    extras = annotation_extras(f, caption, out.odd if f.task != "results" else None)
    refuse_wide_integers(extras, path)
    attributes: list[str | None] = [None] * n
    attribute_values = f.column("attributes")
    for i in np.flatnonzero(_present(attribute_values)).tolist():
        at = json_pointer("annotations", i, "attributes")
        value = decode_at(attribute_values[i], path, at)  # (1e400: refused)
        if _is_attributes(value):
            attributes[i] = json_text(value, path, at)
        else:
            extras[i] = add_extra(extras[i], "coco:attributes", bytes(attribute_values[i]))
    widths = items["width"].to_numpy(zero_copy_only=False)[image_row] if len(image_ids) else np.zeros(n)
    heights = items["height"].to_numpy(zero_copy_only=False)[image_row] if len(image_ids) else np.zeros(n)
    common = {
        "id": ann_id_str,
        "item_id": item_ids,
        "category_id": pa.array(cat_values, pa.int64()),
        "score": pa.array(scores, pa.float64()),
        "attributes": pa.array(attributes, pa.string()),
    }
    rows_obj = np.flatnonzero(is_object)
    if len(rows_obj):
        out.objects = _objects(f, rows_obj, common, extras, cat_ids, widths, heights, known_image, categories, out)
    rows_lab = np.flatnonzero(is_label)
    if len(rows_lab):
        idx = pa.array(rows_lab)
        out.labels = pa.table(
            {**{k: v.take(idx) for k, v in common.items()}, "extras": extras.column(rows_lab), "_row": idx}
        )
    rows_cap = np.flatnonzero(caption)
    if len(rows_cap):
        idx = pa.array(rows_cap)
        captions = f.column("caption")
        texts = raw_column([captions[i] for i in rows_cap], path, "caption", str, rows_cap.tolist())
        cap_extras = extras.copy()
        geometry_values = [(name, f.column(name)) for name in ("bbox", "segmentation", "keypoints")]
        for i in rows_cap.tolist():
            category_id = cat_values[i]
            if category_id is not None:
                cap_extras[i] = add_extra(cap_extras[i], "coco:category_id", orjson.dumps(category_id))
            for name, values in geometry_values:  # a region caption's box or mask: carried as it was
                if len(values[i]):
                    decode_at(values[i], path, json_pointer("annotations", i, name), _REGION_TYPES[name])
                    cap_extras[i] = add_extra(cap_extras[i], f"coco:{name}", bytes(values[i]))
        out.transcripts = pa.table(
            {
                "id": ann_id_str.take(idx),
                "item_id": item_ids.take(idx),
                "score": common["score"].take(idx),
                "attributes": common["attributes"].take(idx),
                "extras": cap_extras.column(rows_cap),
                "text": pa.array(texts, pa.string()),
                "_row": idx,
            }
        )
    return ann_ids


_REGION_TYPES: dict[str, Any] = {
    "bbox": tuple[float, float, float, float] | None,
    "segmentation": list[list[float]] | Rle | None,
    "keypoints": list[float],
}
"""What a caption's geometry must be (as an object's; null carried as an object's is): it is written back as read."""


def _refuse_missing_scores(values: list[msgspec.Raw], scores: list[float | None], required: bool, path: Path) -> None:
    """Refuse ``"score": null`` (the schema's score is a number), and in a detection-results file a missing score.

    Raises:
        InputError: at ``/annotations/<i>/score``.
    """
    present = _present(values)
    rows = range(len(scores)) if required else np.flatnonzero(present).tolist()  # (ground truth: the few given)
    for i in (i for i in rows if scores[i] is None):
        if present[i] or required:
            raise InputError(
                "score must be a number" if present[i] else "missing required field 'score'",
                path=path,
                pointer=json_pointer("annotations", i, "score"),
                found="null" if present[i] else None,
            )


_ONE_RING_OF_4 = r"^\[\s*\[[^,\]]*(?:,[^,\]]*){7}\]\s*\]$"
"""A segmentation text of one ring of 8 numbers (whitespace allowed). Anchored: RE2 gives up on a longer
polygon at its 9th number, so a chunk of 50,000 train2017-like polygons takes about 9 ms."""


def _not_rectangles(rows: np.ndarray, seg_column: pa.Array) -> np.ndarray:
    """``rows`` (of boxed polygons left to count) less those that may be their box's rectangle: one ring of 4 points.

    A target that keeps only boxes loses nothing of such a polygon when it is the box's rectangle (COCO's
    segmentation of a box-only object, see ``geometry.box_rectangles``): it must be parsed to tell. Told by its
    text; a few in a file like train2017.
    """
    if not len(rows):
        return rows
    four = true_mask(pc.match_substring_regex(seg_column, _ONE_RING_OF_4))[rows]
    return rows[~four] if four.any() else rows


def _bad_visibility(keypoints: pa.ListArray, lengths: np.ndarray) -> list[tuple[int, int, float]]:
    """Per keypoint set of x, y, v triples whose v is not 0, 1 or 2 (COCO's): (set, index of that v, v)."""
    values = np.asarray(keypoints.flatten().to_numpy(zero_copy_only=False), dtype=np.float64)
    starts = np.concatenate([[0], np.cumsum(lengths)])[:-1]
    position = np.arange(len(values)) - np.repeat(starts, lengths)
    triples = np.repeat(lengths % 3 == 0, lengths)  # (other lengths are reported by their count)
    bad = triples & (position % 3 == 2) & ~np.isin(values, (0.0, 1.0, 2.0))
    out: list[tuple[int, int, float]] = []
    seen: set[int] = set()
    for i in np.flatnonzero(bad).tolist():
        j = int(np.searchsorted(starts, i, side="right")) - 1
        if j not in seen:  # the first bad visibility of each set
            seen.add(j)
            out.append((j, int(position[i]), float(values[i])))
    return out


def _refuse_bad_keypoint_numbers(keypoints: pa.ListArray, rows: list[int], path: Path) -> None:
    """Raise at the first ``null`` or infinite number among keypoint numbers.

    JSON has no NaN (the model holds numbers); a number past float64's range, which Arrow reads as infinite,
    COCO JSON cannot hold.

    Raises:
        InputError: naming ``/annotations/<row>/keypoints/<index>``.
    """
    values = keypoints.flatten()
    if not values.null_count and (not len(values) or pc.all(pc.is_finite(values)).as_py()):
        return
    null = bool(values.null_count)
    bad = ~valid_mask(values) if null else ~np.isfinite(values.to_numpy(zero_copy_only=False))
    at = int(np.flatnonzero(bad)[0])
    starts = keypoints.offsets.to_numpy()[:-1] - keypoints.offsets[0].as_py()
    j = int(np.searchsorted(starts, at, side="right")) - 1
    raise InputError(
        "keypoints must be numbers" if null else "keypoints must be a list of numbers",
        path=path,
        pointer=json_pointer("annotations", rows[j], "keypoints", at - int(starts[j])),
        found="null" if null else OUT_OF_RANGE,
    )


def _sparse_masks(masks: list[dict[str, Any] | None], rows: np.ndarray) -> pa.Array:
    """The mask column: the few RLE cells converted on their own, null elsewhere (no Arrow scalar per row)."""
    if not len(rows):
        return pa.nulls(len(masks), MASK_TYPE)
    values = pa.array([masks[k] for k in rows.tolist()], MASK_TYPE)
    index = np.full(len(masks), -1, dtype=np.int64)
    index[rows] = np.arange(len(rows))
    return values.take(pa.array(index, mask=index < 0))


def _objects(
    f: CocoFile,
    rows: np.ndarray,
    common: dict[str, pa.Array],
    extras: Extras,
    cat_ids: np.ndarray,
    widths: np.ndarray,
    heights: np.ndarray,
    known_image: np.ndarray,
    categories: list[Category],
    out: Built,
) -> pa.Table:
    path, where = f.path, str(f.path)
    m = len(rows)
    row_list = rows.tolist()
    idx = pa.array(rows)
    # boxes (parsed with the polygons in the worker thread, see resolve_geometry)
    bbox_raw = _pick(f, "bbox", row_list)
    has_bbox = _present(bbox_raw)
    # segmentation: route by first byte
    seg_raw = _pick(f, "segmentation", row_list)
    seg_column, seg_lengths = binary_column(seg_raw)  # joined once: routed here, parsed in the worker
    first = first_bytes(seg_column, seg_lengths)
    poly_k = np.flatnonzero(first == _LIST)
    rle_k = np.flatnonzero(first == _DICT)
    other_k = np.flatnonzero((first != _LIST) & (first != _DICT) & (first != 0))
    shape = np.full(m, _BOX, dtype=np.int8)  # codes into _SHAPES
    if len(poly_k):
        empty = np.zeros(len(poly_k), dtype=bool)
        # "[]", maybe with whitespace inside: short, or with whitespace right after "[" (pretty-printed)
        _, offsets, data = seg_column.buffers()
        starts = np.frombuffer(offsets, dtype=np.int64)[seg_column.offset : seg_column.offset + m][poly_k]
        second = np.frombuffer(data, dtype=np.uint8)[starts + 1]
        maybe = (seg_lengths[poly_k] <= 16) | np.isin(second, _WHITESPACE)
        for j in np.flatnonzero(maybe).tolist():
            empty[j] = bytes(seg_raw[int(poly_k[j])]).translate(None, b" \t\r\n") == b"[]"
        for k in poly_k[empty].tolist():  # "segmentation": [] on a box-only object: carried as it was
            extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:segmentation", bytes(seg_raw[k]))
        full_k = poly_k[~empty]
        shape[full_k] = _POLYGON
    else:
        full_k = poly_k
    counted_k = full_k[:0]
    bbox_lengths = None
    if out.count_polygons and len(full_k):  # a box of 4 numbers is longer than "null"
        bbox_lengths = np.fromiter(map(len, bbox_raw), dtype=np.int64, count=m)
        counted_k = _not_rectangles(full_k[bbox_lengths[full_k] > 4], seg_column)
    parse_k = np.setdiff1d(full_k, counted_k, assume_unique=True) if len(counted_k) else full_k
    seg_lines: pa.Array | pa.Scalar
    if len(parse_k) == m:
        seg_lines = seg_column
    elif not len(parse_k):  # no polygon to parse (or all counted): every line says "v": null
        seg_lines = _NULL
    else:
        parsed = np.zeros(m, dtype=bool)
        parsed[parse_k] = True
        seg_lines = pc.if_else(pa.array(parsed), seg_column, _NULL)
    if has_bbox.all():
        bbox_lines, bbox_len = binary_column(bbox_raw, bbox_lengths)  # the lengths, when measured above
    else:
        bbox_lines, bbox_len = binary_column([r if len(r) else b"null" for r in bbox_raw])
        bbox_len = np.where(has_bbox, bbox_len, 0)
    for k in np.flatnonzero(first_bytes(bbox_lines, bbox_len) == ord("n")).tolist():  # "bbox": null: carried
        extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:bbox", b"null")
    out.pending.append(
        PendingGeometry(
            future=submit(read_geometry, bbox_lines, seg_lines),
            bbox_raws=bbox_raw,
            seg_raws=seg_raw,
            polygon_rows=parse_k,
            rows=row_list,
            width=widths[rows].astype(np.float64),
            height=heights[rows].astype(np.float64),
            known_image=known_image[rows],
            counted_rows=counted_k,
            text=seg_column if out.polygon_text else None,
            bbox_text=bbox_lines if out.polygon_text else None,
        )
    )
    for k in other_k.tolist():  # null: carried as it was; a number, string or boolean: refused
        if bytes(seg_raw[k]) != b"null":
            raise InputError(
                "segmentation must be polygons or an RLE {size, counts}",
                path=path,
                pointer=json_pointer("annotations", row_list[k], "segmentation"),
                found=bytes(seg_raw[k]).decode(errors="replace"),
            )
        extras[row_list[k]] = add_extra(extras[row_list[k]], "coco:segmentation", b"null")
    masks: list[dict[str, Any] | None] = [None] * m
    strings: list[tuple[int, str, int, int]] = []
    for k in rle_k.tolist():
        row = row_list[k]
        try:
            rle = msgspec.json.decode(seg_raw[k], type=Rle)
        except msgspec.ValidationError as exc:
            raise InputError(
                "segmentation must be polygons or an RLE {size, counts}",
                path=path,
                pointer=json_pointer("annotations", row, "segmentation"),
                found=msgspec_reason(exc),
            ) from exc
        h, w = rle.size
        compressed = isinstance(rle.counts, str)
        masks[k] = {
            "height": h,
            "width": w,
            "counts": rle.counts if compressed else None,
            "runs": None if compressed else rle.counts,
        }
        shape[k] = _MASK
        sized = known_image[row] and np.isfinite(heights[row]) and np.isfinite(widths[row])  # results files: no sizes
        if sized and (h != int(heights[row]) or w != int(widths[row])):
            out.findings.append(
                (
                    row,
                    Finding(
                        where,
                        json_pointer("annotations", row, "segmentation", "size"),
                        f"RLE size {[h, w]} differs from the image's [{int(heights[row])}, {int(widths[row])}]",
                    ),
                )
            )
        elif isinstance(rle.counts, str):
            strings.append((row, rle.counts, h, w))
        elif (total := sum(rle.counts)) != h * w:
            out.findings.append((row, Finding(where, _counts_pointer(row), rle_sum_message(total, h * w))))
    if strings:  # a decoder would make up the pixels of counts that do not add up: checked all at once
        rows_s, texts, hs, ws = zip(*strings, strict=True)
        for row, problem in zip(rows_s, rle_strings_problems(texts, hs, ws), strict=True):
            if problem is not None:
                out.findings.append((row, Finding(where, _counts_pointer(row), problem)))
    # keypoints
    kp_raw = _pick(f, "keypoints", row_list)
    kp_k = np.flatnonzero(_present(kp_raw))
    keypoints: pa.Array = pa.nulls(m, FLOATS)
    if len(kp_k):
        parsed_kp = parse_lists(
            [kp_raw[k] for k in kp_k.tolist()], FLOATS, path, "keypoints", [row_list[k] for k in kp_k.tolist()]
        )
        parsed_kp = parsed_kp.combine_chunks() if parsed_kp.num_chunks != 1 else parsed_kp.chunk(0)
        _refuse_bad_keypoint_numbers(parsed_kp, [row_list[k] for k in kp_k.tolist()], path)
        lengths = pc.list_value_length(parsed_kp).to_numpy(zero_copy_only=False)
        names = {c.id: len(c.keypoints) for c in categories if c.keypoints}
        for j, k in enumerate(kp_k.tolist()):
            row = row_list[k]
            expected = names.get(int(cat_ids[row]))
            if lengths[j] % 3 or (expected is not None and lengths[j] != 3 * expected):
                want = f"{3 * expected} numbers ({expected} keypoints x 3)" if expected else "x, y, v triples"
                out.findings.append(
                    (
                        row,
                        Finding(
                            where,
                            json_pointer("annotations", row, "keypoints"),
                            f"{lengths[j]} keypoint numbers, expected {want}",
                        ),
                    )
                )
        # (a detection's third numbers are its scores for the points: COCOeval does not read them)
        for j, at, v in _bad_visibility(parsed_kp, lengths) if f.task != "results" else []:
            row = row_list[int(kp_k[j])]
            out.findings.append(
                (
                    row,
                    Finding(
                        where,
                        json_pointer("annotations", row, "keypoints", at),
                        f"keypoint visibility must be 0, 1 or 2 (found {v:g})",
                    ),
                )
            )
        no_seg = (first[kp_k] == 0) | (shape[kp_k] == _BOX)
        shape[kp_k[no_seg & ~has_bbox[kp_k]]] = _KEYPOINTS
        positions = np.full(m, len(kp_k), dtype=np.int64)
        positions[kp_k] = np.arange(len(kp_k))
        keypoints = _spread(parsed_kp, positions, m)
    return pa.table(
        {
            **({k: v.take(idx) for k, v in common.items()} if m != len(common["id"]) else common),
            "extras": extras.column(rows),
            "shape": _SHAPES.take(pa.array(shape)),
            "bbox": pa.nulls(m, pa.list_(pa.float64(), 4)),
            "polygon": pa.nulls(m, POLYGONS),
            "mask": _sparse_masks(masks, rle_k),
            "keypoints": keypoints,
            "_row": idx,
        }
    )
