"""COCO files -> labelkit tables, and the semantic checks that run on the decoded columns.

One COCO annotation becomes one row: an ``objects`` row (bbox, polygon rings, RLE mask, keypoints), a
``labels`` row (image-level label files: only ``category_id``) or a ``transcripts`` row (captions). COCO
fields with no column (``area``, ``iscrowd``, ``num_keypoints``, unknown fields) are kept as ``coco:<name>``
extras, byte for byte. Images, categories and dataset info are built in :mod:`labelkit.formats.coco_records`.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator
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
from labelkit.formats.coco_categories import build_categories
from labelkit.formats.coco_extras import (
    add_extra,
    annotation_extras,
    refuse_deep_fields,
    refuse_wide_integer,
    refuse_wide_integers,
)
from labelkit.formats.coco_geometry import (
    BBOX_TEXT,
    POLYGON_TEXT,
    PendingGeometry,
    polygon_text,
    resolve_geometry,
)
from labelkit.formats.coco_objects import objects_table, present
from labelkit.formats.coco_own import REGION_TYPES
from labelkit.formats.coco_read import CocoFile, Int64, decode_at, raw_column
from labelkit.formats.coco_records import build_items, duplicates, result_items
from labelkit.formats.coco_tasks import CAPTION_RESULTS, CAPTION_RESULTS_HINT
from labelkit.io import json_text, read_bytes, refuse_deep, without_bom
from labelkit.model import Category
from labelkit.model.annotations import INT64_MAX, UINT64_MAX
from labelkit.report import Finding


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
    rle_fields: list[tuple[int, str]] = field(default_factory=list)
    """RLE segmentations' fields other than ``size`` and ``counts``, not kept: (annotation row, field name)."""
    pending: list[PendingGeometry] = field(default_factory=list)
    count_polygons: bool | str = False
    """Parse only the polygons of objects without a box and those that may be their box's rectangle; count the
    others (see ``coco_geometry.counted``). ``"all"``: the rectangles too (for counting)."""
    had_ids: bool = False
    """Some annotation of the chunk had an ``id`` (a detection-results file may give none)."""
    polygon_text: bool = False
    """Keep each polygon's and bbox's JSON text too, in columns ``_polygon_text`` and ``_bbox_text`` (see
    ``coco_geometry.polygon_text``)."""
    image_order: tuple[np.ndarray, np.ndarray] | None = None
    """The image ids' sorting order and the ids so sorted (see :func:`image_order`), shared by the chunks."""
    named_by_results: bool = False
    """The items are the images a detection-results file's annotations name (no file lists its split's images)."""


def image_order(image_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order that sorts ``image_ids`` (stable) and the ids in it, for finding each annotation's image.

    Made once per file: sorting train2017's 118,287 ids in their file's order took 11 ms, and 0.2 s when
    every chunk of 50,000 annotations sorted them again.
    """
    order = np.argsort(image_ids, kind="stable")
    return order, image_ids[order]


def _not_none(values: list[Any]) -> np.ndarray:
    absent = values.count(None)
    if absent in (0, len(values)):
        return np.full(len(values), absent == 0, dtype=bool)
    return np.array([v is not None for v in values], dtype=bool)


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
        elif isinstance(v, int) and not isinstance(v, bool) and INT64_MAX < v <= UINT64_MAX:
            # an attribute is int64 (labelkit JSON and Parquet refuse 10000000000000000000), an extra 64-bit:
            # carried (past 64 bits, json_text refuses it)
            return False
    return True


_FLAT_ATTRIBUTES = msgspec.json.Decoder(list[dict[str, bool | Int64 | float | str | list[str]]])
"""Objects of the values :func:`_is_attributes` accepts, but for an integer beyond int64 (which it carries)."""


def _flat_attribute_texts(raws: list[msgspec.Raw]) -> list[str | None] | None:
    """Per raw ``attributes`` value, its JSON text as the records hold it (None for ``{}``), in one decode.

    None unless every value is an object of values :func:`_is_attributes` accepts and orjson writes each: then
    the values take the one-by-one path, which says what is wrong where. On 860,001 CVAT-style ``{"occluded":
    false, "rotation": 0.0}`` the one-by-one path took about 1.5 s more (a pointer, a check and an error handler
    per value).
    """
    if not raws:
        return []
    try:
        values = _FLAT_ATTRIBUTES.decode(b"[" + b",".join(raws) + b"]")
        return [orjson.dumps(value).decode() if value else None for value in values]
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError, TypeError):
        return None


def _decoded(raws: list[msgspec.Raw]) -> list[Any] | None:
    """The raw values decoded in one call, as :func:`decode_at` decodes each; None when one does not decode."""
    try:
        return msgspec.json.decode(b"[" + b",".join(raws) + b"]") if raws else []
    except (msgspec.ValidationError, msgspec.DecodeError, RecursionError):
        return None  # (each is decoded at its pointer: the first that does not decode is refused there)


def build(
    f: CocoFile,
    item_prefix: str,
    categories: list[Category],
    count_polygons: bool | str = False,
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
    if "annotations" in f.present:  # (a results file that is a document: its pointers are a document's)
        return _build(f, item_prefix, categories, count_polygons, text, images)
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
    count_polygons: bool | str = False,
    text: bool = False,
    images: tuple[pa.Table, np.ndarray] | None = None,
) -> Built:
    """Turn one decoded file into tables, a chunk of annotations at a time; findings ride along.

    Args:
        f: the decoded file.
        item_prefix: prepended to image ids to make item ids (``""`` or ``"<split>/"``).
        categories: the dataset's categories (for category and keypoint checks).
        count_polygons: leave the polygons of boxed objects unparsed (and unchecked), for a conversion
            whose target drops them; they read as empty ring lists. Those that may be their box's rectangle
            are parsed, unless it is ``"all"`` (for counting).
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
            # (a results file that is a document lists its images: they are read, as an image info file's are)
            build_items(f, item_prefix) if f.task != "results" or f.image_count else result_items(f, item_prefix)
        )
    out = Built(items=items, image_ids=image_ids, categories=build_categories(f), item_findings=item_findings)
    out.named_by_results = images is None and f.task == "results" and not f.image_count
    parts: dict[str, list[pa.Table]] = {"objects": [], "labels": [], "transcripts": []}
    ann_ids: list[np.ndarray] = []
    waiting: list[tuple[Built, int]] = []
    order = image_order(image_ids)
    null_categories = functools.cache(lambda: _null_categories(f.path))  # (looked for once, if ever)
    for chunk in f.chunks():
        part = Built(
            items=items,
            image_ids=image_ids,
            categories=out.categories,
            count_polygons=count_polygons,
            polygon_text=text,
            image_order=order,
        )
        with _shifted_errors(f.path, chunk.offset):
            ids = _build_chunk(chunk, item_prefix, categories, part, null_categories)
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
    out.rle_fields += [(row + offset, name) for row, name in part.rle_fields]
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


def _missing(f: CocoFile, row: int, key: str, alternative: str | None = None) -> InputError:
    """An annotation's id field decoded as None (row of the chunk ``f``): missing, or given as null.

    The decoded annotation cannot tell them apart; the file is looked at again (an error is being raised), so a
    null says what ``validate`` says of it (``image_id must be an integer (found null)``), not that it is missing.
    A missing one is said as ``validate`` says it too, with the ``alternative`` field the schema takes instead
    (``missing required field 'category_id' or 'caption'``).
    """
    pointer = json_pointer("annotations", row, key)
    try:
        data = without_bom(read_bytes(f.path))
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw] | list[msgspec.Raw])
        annotations = msgspec.json.decode(top["annotations"], type=list[msgspec.Raw]) if isinstance(top, dict) else top
        null = msgspec.json.decode(annotations[f.offset + row], type=dict[str, Any]).get(key, ...) is None
    except (InputError, msgspec.MsgspecError, LookupError):  # (a pipe read once: said as before)
        null = False
    if null:
        return InputError(f"{key} must be an integer", path=f.path, pointer=pointer, found="null")
    either = f" or {alternative!r}" if alternative else ""
    return InputError(f"missing required field {key!r}{either}", path=f.path, pointer=pointer)


class _CategoryField(msgspec.Struct, gc=False):
    """An annotation's ``category_id`` as raw JSON (its other fields skipped), to tell null from absent."""

    category_id: msgspec.Raw = msgspec.Raw()


_NULL = msgspec.Raw(b"null")


def _null_categories(path: Path) -> np.ndarray:
    """The annotations (indexes in the file) whose ``category_id`` is given as ``null``.

    The decoded annotation cannot tell a null from an absent one, which a caption may lack; this is asked only
    when a caption without a category is read, and reads the file again, unless it holds no ``null`` at all.
    """
    try:
        data = without_bom(read_bytes(path))
        if b"null" not in data:  # (COCO's captions files: one search of the bytes)
            return np.zeros(0, np.int64)
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw] | list[msgspec.Raw])
        raw = top["annotations"] if isinstance(top, dict) else msgspec.json.encode(top)
        values = list(map(operator.attrgetter("category_id"), msgspec.json.decode(raw, type=list[_CategoryField])))
    except (InputError, msgspec.MsgspecError, LookupError):  # (a pipe read once: taken as absent, as before)
        return np.zeros(0, np.int64)
    if _NULL not in values:
        return np.zeros(0, np.int64)
    return np.array([i for i, v in enumerate(values) if v == _NULL], np.int64)


def _build_chunk(
    f: CocoFile,
    item_prefix: str,
    categories: list[Category],
    out: Built,
    null_categories: Callable[[], np.ndarray] | None = None,
) -> np.ndarray:
    """Tables of one chunk of annotations (indexes local to the chunk); returns the annotation ids.

    ``null_categories``: the file's annotations whose ``category_id`` is null (asked when a caption has none).
    """
    path = f.path
    items, image_ids = out.items, out.image_ids
    anns = f.annotations
    n = len(anns)
    where = str(path)
    image_values = f.column("image_id")
    if None in image_values:
        raise _missing(f, image_values.index(None), "image_id")
    image_of = np.array(image_values, dtype=np.int64)
    id_values = f.column("id")
    has_id = _not_none(id_values)
    out.had_ids = bool(has_id.any())
    if f.task != "results" and not has_id.all():
        raise _missing(f, int(np.flatnonzero(~has_id)[0]), "id")
    if has_id.all():
        ann_ids = np.array(id_values, dtype=np.int64)
    else:  # detection results have no ids: number them 1..N like pycocotools' loadRes
        ann_ids = np.array([x if x is not None else 0 for x in id_values], np.int64)
        ann_ids = np.where(has_id, ann_ids, np.arange(1, n + 1) + f.offset)
    caption = present(f.column("caption"))
    if f.task == "results" and caption.any():  # (a score does not make a caption a detection)
        row = int(np.flatnonzero(caption)[0])
        raise InputError(
            CAPTION_RESULTS, path=path, pointer=json_pointer("annotations", row), hint=CAPTION_RESULTS_HINT
        )
    geometry = present(f.column("bbox")) | present(f.column("segmentation")) | present(f.column("keypoints"))
    is_object = geometry & ~caption
    is_label = ~geometry & ~caption
    cat_values = f.column("category_id")
    has_cat = _not_none(cat_values)
    need_cat = ~caption & ~has_cat
    uncategorised = np.flatnonzero(caption & ~has_cat)  # (a caption's category is optional, but not null)
    if len(uncategorised) and null_categories is not None and len(nulls := null_categories()):
        need_cat[uncategorised[np.isin(uncategorised + f.offset, nulls)]] = True
    if need_cat.any():
        raise _missing(f, int(np.flatnonzero(need_cat)[0]), "category_id", None if f.task == "results" else "caption")
    cat_ids = np.array(cat_values if has_cat.all() else [c if c is not None else -1 for c in cat_values], np.int64)
    assert out.image_order is not None  # (_build's, made once for every chunk)
    image_sorted, sorted_ids = out.image_order
    pos = np.searchsorted(sorted_ids, image_of) if len(image_ids) else np.zeros(n, np.int64)
    pos = np.minimum(pos, max(len(image_ids) - 1, 0))
    image_row = image_sorted[pos] if len(image_ids) else pos
    known_image = (image_ids[image_row] == image_of) if len(image_ids) else np.zeros(n, dtype=bool)
    for i in np.flatnonzero(~known_image).tolist():
        out.findings.append(
            (i, Finding(where, json_pointer("annotations", i, "image_id"), f"unknown image id {int(image_of[i])}"))
        )
    cat_known = np.isin(cat_ids, np.array([c.id for c in categories], dtype=np.int64))
    # (a results file alone defines no categories: its ids are kept as they are; beside ground truth, an id the
    # ground truth does not define is unknown, as in an instances file)
    check_cat = ~caption & ~cat_known if f.task != "results" or categories else np.zeros(n, dtype=bool)
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
    given = np.flatnonzero(present(attribute_values)).tolist()
    raws = [attribute_values[i] for i in given]  # (CVAT writes attributes on every annotation)
    flat = _flat_attribute_texts(raws)
    if flat is not None:  # every value a flat object: held, but for {} (below)
        if len(given) == n:
            attributes = flat
        else:
            for i, text in zip(given, flat, strict=True):
                attributes[i] = text
        given = [i for i, text in zip(given, flat, strict=True) if text is None]
        raws = [attribute_values[i] for i in given]
    values = _decoded(raws)
    for k, i in enumerate(given):
        at = json_pointer("annotations", i, "attributes")
        value = values[k] if values is not None else decode_at(attribute_values[i], path, at)  # (1e400: refused)
        if value and _is_attributes(value):  # (a flat object: no deeper than refuse_deep refuses)
            attributes[i] = json_text(value, path, at)
        else:  # ({} too: a record's attributes are none or some, so {} is carried as read, as labelkit JSON keeps it)
            refuse_deep(value, path, at)
            # (as an extra field's: {"k": [18446744073709551616]} was written back as 1.8446744073709552e+19)
            refuse_wide_integer(attribute_values[i], path, at)
            extras[i] = add_extra(extras[i], "coco:attributes", bytes(attribute_values[i]))
    refuse_deep_fields(extras, path)
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
        out.objects = objects_table(f, rows_obj, common, extras, cat_ids, widths, heights, known_image, categories, out)
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
                    at = json_pointer("annotations", i, name)
                    decode_at(values[i], path, at, REGION_TYPES[name])
                    json_text(decode_at(values[i], path, at), path, at)  # (floats take an integer beyond 64 bits)
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


def _refuse_missing_scores(values: list[msgspec.Raw], scores: list[float | None], required: bool, path: Path) -> None:
    """Refuse ``"score": null`` (the schema's score is a number), and in a detection-results file a missing score.

    Raises:
        InputError: at ``/annotations/<i>/score``.
    """
    given = present(values)
    rows = range(len(scores)) if required else np.flatnonzero(given).tolist()  # (ground truth: the few given)
    i = next((i for i in rows if scores[i] is None), None)  # (a given null, or in a results file a missing score)
    if i is not None:
        raise InputError(
            "score must be a number" if given[i] else "missing required field 'score'",
            path=path,
            pointer=json_pointer("annotations", i, "score"),
            found="null" if given[i] else None,
        )
