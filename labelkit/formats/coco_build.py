"""COCO files -> labelkit tables, and the semantic checks that run on the decoded columns.

One COCO annotation becomes one row: an ``objects`` row (bbox, polygon rings, RLE mask, keypoints), a
``labels`` row (image-level label files: only ``category_id``) or a ``transcripts`` row (captions). COCO
fields with no column (``area``, ``iscrowd``, ``num_keypoints``, unknown fields) are kept as ``coco:<name>``
extras, byte for byte. Images become items: the image id is the item id (``<split>/<id>`` when two splits
share an id), ``file_name`` the media path, every other field item metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import ValidationError

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_read import CARRIED_FIELDS, CocoFile, Rle, first_bytes, parse_lists, raw_column
from labelkit.io import safe_relpath
from labelkit.model import Category, DatasetInfo
from labelkit.model.tables import MASK_TYPE
from labelkit.report import Finding

IMAGE_FIELDS = ("id", "file_name", "width", "height")
BBOX_TOLERANCE = 1.0
"""Pixels a box may reach past the image edge before it is reported (COCO's own boxes overshoot by < 1)."""
_LIST, _DICT = ord("["), ord("{")
_POLYGONS = pa.list_(pa.list_(pa.float64()))
_FLOATS = pa.list_(pa.float64())


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


def _require(record: dict[str, Any], keys: Sequence[str], f: CocoFile, *pointer: str | int) -> None:
    for key in keys:
        if key not in record:
            raise InputError(f"missing required field {key!r}", path=f.path, pointer=json_pointer(*pointer, key))


def build_categories(f: CocoFile) -> list[Category]:
    """Category records of a file (id, name, supercategory, keypoints, skeleton; the rest as extras).

    Raises:
        InputError: a category lacks ``id`` or ``name`` or has a field of the wrong type.
    """
    out = []
    for i, c in enumerate(f.categories):
        _require(c, ("id", "name"), f, "categories", i)
        extras = {
            f"coco:{k}": v for k, v in c.items() if k not in ("id", "name", "supercategory", "keypoints", "skeleton")
        }
        try:
            out.append(
                Category(
                    id=c["id"],
                    name=c["name"],
                    supercategory=c.get("supercategory"),
                    keypoints=c.get("keypoints"),
                    skeleton=c.get("skeleton"),
                    extras=extras,
                )
            )
        except ValidationError as exc:
            err = exc.errors()[0]
            key = err["loc"][0] if err["loc"] else "id"
            raise InputError(err["msg"], path=f.path, pointer=json_pointer("categories", i, str(key))) from exc
    return out


def build_items(f: CocoFile, prefix: str) -> tuple[pa.Table, np.ndarray, list[Finding]]:
    """The items table of a file, the image ids (int64) and duplicate-id findings.

    Raises:
        InputError: an image lacks a required field, has a non-integer id or size, or an unsafe file name.
    """
    ids: list[int] = []
    paths: list[str] = []
    widths: list[int | None] = []
    heights: list[int | None] = []
    metadata: list[str | None] = []
    for i, image in enumerate(f.images):
        _require(image, IMAGE_FIELDS, f, "images", i)
        for key in ("id", "width", "height"):
            if not isinstance(image[key], int) or isinstance(image[key], bool):
                raise InputError(
                    f"{key} must be an integer",
                    path=f.path,
                    pointer=json_pointer("images", i, key),
                    found=repr(image[key]),
                )
        name = image["file_name"]
        if not isinstance(name, str):
            raise InputError("file_name must be a string", path=f.path, pointer=json_pointer("images", i, "file_name"))
        ids.append(image["id"])
        paths.append(safe_relpath(name, source=f.path, pointer=json_pointer("images", i, "file_name")))
        widths.append(image["width"])
        heights.append(image["height"])
        rest = {k: v for k, v in image.items() if k not in IMAGE_FIELDS}
        metadata.append(orjson.dumps(rest).decode() if rest else None)
    id_array = np.array(ids, dtype=np.int64)
    findings = [
        Finding(str(f.path), json_pointer("images", int(i), "id"), f"duplicate image id {int(id_array[i])}")
        for i in _duplicates(id_array)
    ]
    n = len(ids)
    table = pa.table(
        {
            "id": pc.binary_join_element_wise(prefix, pa.array(ids, pa.int64()).cast(pa.string()), ""),
            "media": pa.array(["image"] * n, pa.string()),
            "path": pa.array(paths, pa.string()),
            "width": pa.array(widths, pa.int64()),
            "height": pa.array(heights, pa.int64()),
            "split": pa.array([f.split] * n, pa.string()),
            "metadata": pa.array(metadata, pa.string()),
        }
    )
    return table, id_array, findings


def _duplicates(values: np.ndarray) -> list[int]:
    """Indexes of the second and later occurrences of a value, in order."""
    if len(values) < 2:
        return []
    order = np.argsort(values, kind="stable")
    dup = np.zeros(len(values), dtype=bool)
    sorted_values = values[order]
    dup[order[1:]] = sorted_values[1:] == sorted_values[:-1]
    return [int(i) for i in np.flatnonzero(dup)]


def _present(values: Sequence[msgspec.Raw]) -> np.ndarray:
    return np.fromiter((len(v) > 0 for v in values), dtype=bool, count=len(values))


_ATTRIBUTE_TYPES = (bool, int, float, str)


def _is_attributes(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    for v in value.values():
        if isinstance(v, list):
            if not all(isinstance(x, str) for x in v):
                return False
        elif not isinstance(v, _ATTRIBUTE_TYPES):
            return False
    return True


def build(f: CocoFile, item_prefix: str, ann_prefix: str, categories: list[Category]) -> Built:
    """Turn one decoded file into tables; the semantic checks' findings ride along.

    Args:
        f: the decoded file.
        item_prefix: prepended to image ids to make item ids (``""`` or ``"<split>/"``).
        ann_prefix: prepended to annotation ids.
        categories: the dataset's categories (for category and keypoint checks).

    Raises:
        InputError: a required field is missing or a value has the wrong type.
    """
    path = f.path
    items, image_ids, item_findings = (
        build_items(f, item_prefix) if f.task != "results" else _result_items(f, item_prefix)
    )
    out = Built(items=items, image_ids=image_ids, categories=build_categories(f), item_findings=item_findings)
    anns = f.annotations
    n = len(anns)
    if not n:
        return out
    where = str(path)
    image_raw = [a.image_id for a in anns]
    has_image = _present(image_raw)
    if not has_image.all():
        i = int(np.flatnonzero(~has_image)[0])
        raise InputError(
            "missing required field 'image_id'", path=path, pointer=json_pointer("annotations", i, "image_id")
        )
    image_of = np.array(raw_column(image_raw, path, "image_id", int), dtype=np.int64)
    id_raw = [a.id for a in anns]
    has_id = _present(id_raw)
    if f.task != "results" and not has_id.all():
        i = int(np.flatnonzero(~has_id)[0])
        raise InputError("missing required field 'id'", path=path, pointer=json_pointer("annotations", i, "id"))
    ann_ids = np.array([x if x is not None else 0 for x in raw_column(id_raw, path, "id", int | None)], np.int64)
    if not has_id.all():  # detection results have no ids: number them 1..N like pycocotools' loadRes
        ann_ids = np.where(has_id, ann_ids, np.arange(1, n + 1))
    caption = _present([a.caption for a in anns])
    geometry = (
        _present([a.bbox for a in anns])
        | _present([a.segmentation for a in anns])
        | _present([a.keypoints for a in anns])
    )
    is_object = geometry & ~caption
    is_label = ~geometry & ~caption
    cat_raw = [a.category_id for a in anns]
    has_cat = _present(cat_raw)
    need_cat = ~caption & ~has_cat
    if need_cat.any():
        i = int(np.flatnonzero(need_cat)[0])
        raise InputError(
            "missing required field 'category_id'", path=path, pointer=json_pointer("annotations", i, "category_id")
        )
    cat_values = raw_column(cat_raw, path, "category_id", int | None)
    cat_ids = np.array([c if c is not None else -1 for c in cat_values], dtype=np.int64)
    for i in _duplicates(ann_ids):
        out.findings.append(
            (i, Finding(where, json_pointer("annotations", i, "id"), f"duplicate annotation id {int(ann_ids[i])}"))
        )
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
    ann_id_str = pc.binary_join_element_wise(ann_prefix, pa.array(ann_ids).cast(pa.string()), "")
    scores = raw_column([a.score for a in anns], path, "score", float | None)
    extras = _extras(f, caption)
    attributes: list[str | None] = [None] * n
    for i in np.flatnonzero(_present([a.attributes for a in anns])).tolist():
        value = msgspec.json.decode(anns[i].attributes)
        if _is_attributes(value):
            attributes[i] = orjson.dumps(value).decode()
        else:
            extras[i] = _add_extra(extras[i], "coco:attributes", bytes(anns[i].attributes))
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
            {**{k: v.take(idx) for k, v in common.items()}, "extras": _extras_column(extras, rows_lab), "_row": idx}
        )
    rows_cap = np.flatnonzero(caption)
    if len(rows_cap):
        idx = pa.array(rows_cap)
        texts = raw_column([anns[i].caption for i in rows_cap], path, "caption", str, rows_cap.tolist())
        cap_extras = list(extras)
        for i in rows_cap.tolist():
            if len(anns[i].category_id):
                cap_extras[i] = _add_extra(cap_extras[i], "coco:category_id", bytes(anns[i].category_id))
        out.transcripts = pa.table(
            {
                "id": ann_id_str.take(idx),
                "item_id": item_ids.take(idx),
                "score": common["score"].take(idx),
                "attributes": common["attributes"].take(idx),
                "extras": _extras_column(cap_extras, rows_cap),
                "text": pa.array(texts, pa.string()),
                "_row": idx,
            }
        )
    return out


def _result_items(f: CocoFile, prefix: str) -> tuple[pa.Table, np.ndarray, list[Finding]]:
    """Detection results name images only by id: one item per distinct id, in order of appearance."""
    ids = np.array(raw_column([a.image_id for a in f.annotations], f.path, "image_id", int), dtype=np.int64)
    _, first = np.unique(ids, return_index=True)
    unique = ids[np.sort(first)]
    n = len(unique)
    table = pa.table(
        {
            "id": pc.binary_join_element_wise(prefix, pa.array(unique).cast(pa.string()), ""),
            "media": pa.array(["image"] * n, pa.string()),
            "width": pa.nulls(n, pa.int64()),
            "height": pa.nulls(n, pa.int64()),
            "split": pa.array([f.split] * n, pa.string()),
        }
    )
    return table, unique, []


def _add_extra(current: bytes | None, key: str, raw: bytes) -> bytes:
    member = orjson.dumps(key) + b":" + raw
    return b"{" + member + b"}" if current is None else current[:-1] + b"," + member + b"}"


def _extras(f: CocoFile, caption: np.ndarray) -> list[bytes | None]:
    """Per annotation, the extras JSON text: carried fields and unknown fields, raw bytes spliced in."""
    anns = f.annotations
    columns = [(name.encode(), [getattr(a, name) for a in anns]) for name in CARRIED_FIELDS]
    present = [(key, values) for key, values in columns if any(len(v) for v in values)]
    out: list[bytes | None] = [None] * len(anns)
    if present:
        keys = [b'"coco:' + key + b'":' for key, _ in present]
        value_lists = [values for _, values in present]
        for i, row in enumerate(zip(*value_lists, strict=True)):
            members = [k + v for k, v in zip(keys, row, strict=True) if len(v)]
            if members:
                out[i] = b"{" + b",".join(members) + b"}"
    if f.extra_fields is not None:
        for i, extra in enumerate(f.extra_fields):
            for key, raw in extra.items():
                out[i] = _add_extra(out[i], f"coco:{key}", bytes(raw))
    return out


def _extras_column(extras: list[bytes | None], rows: np.ndarray) -> pa.Array:
    return pa.array([extras[i] for i in rows.tolist()], pa.binary()).cast(pa.string())


def _objects(
    f: CocoFile,
    rows: np.ndarray,
    common: dict[str, pa.Array],
    extras: list[bytes | None],
    cat_ids: np.ndarray,
    widths: np.ndarray,
    heights: np.ndarray,
    known_image: np.ndarray,
    categories: list[Category],
    out: Built,
) -> pa.Table:
    path, where, anns = f.path, str(f.path), f.annotations
    m = len(rows)
    row_list = rows.tolist()
    idx = pa.array(rows)
    # boxes
    bbox_values = raw_column(
        [anns[i].bbox for i in row_list], path, "bbox", tuple[float, float, float, float] | None, row_list
    )
    has_bbox = np.fromiter((b is not None for b in bbox_values), dtype=bool, count=m)
    boxes = np.array([b if b is not None else (0.0, 0.0, 0.0, 0.0) for b in bbox_values], dtype=np.float64).reshape(
        m, 4
    )
    bbox = pa.FixedSizeListArray.from_arrays(pa.array(boxes.ravel()), 4)
    if not has_bbox.all():
        bbox = pa.array(
            [b if h else None for b, h in zip(bbox.to_pylist(), has_bbox.tolist(), strict=True)],
            pa.list_(pa.float64(), 4),
        )
    w_img, h_img = widths[rows].astype(np.float64), heights[rows].astype(np.float64)
    negative = has_bbox & ((boxes[:, 2] < 0) | (boxes[:, 3] < 0))
    outside = (
        has_bbox
        & ~negative
        & known_image[rows]
        & (
            (boxes[:, 0] < -BBOX_TOLERANCE)
            | (boxes[:, 1] < -BBOX_TOLERANCE)
            | (boxes[:, 0] + boxes[:, 2] > w_img + BBOX_TOLERANCE)
            | (boxes[:, 1] + boxes[:, 3] > h_img + BBOX_TOLERANCE)
        )
    )
    for k in np.flatnonzero(negative).tolist():
        out.findings.append(
            (
                row_list[k],
                Finding(where, json_pointer("annotations", row_list[k], "bbox"), "bbox has a negative width or height"),
            )
        )
    for k in np.flatnonzero(outside).tolist():
        out.findings.append(
            (
                row_list[k],
                Finding(
                    where,
                    json_pointer("annotations", row_list[k], "bbox"),
                    f"bbox {boxes[k].tolist()} reaches outside the {int(w_img[k])}x{int(h_img[k])} image",
                ),
            )
        )
    # segmentation: route by first byte
    seg_raw = [anns[i].segmentation for i in row_list]
    first = first_bytes(seg_raw)
    poly_k = np.flatnonzero(first == _LIST)
    rle_k = np.flatnonzero(first == _DICT)
    other_k = np.flatnonzero((first != _LIST) & (first != _DICT) & (first != 0))
    shape = np.full(m, "box", dtype=object)
    polygon: pa.Array = pa.nulls(m, _POLYGONS)
    if len(poly_k):
        parsed = parse_lists(
            [seg_raw[k] for k in poly_k.tolist()],
            _POLYGONS,
            path,
            "segmentation",
            [row_list[k] for k in poly_k.tolist()],
        )
        parsed = parsed.combine_chunks() if parsed.num_chunks != 1 else parsed.chunk(0)
        n_rings = pc.list_value_length(parsed).to_numpy(zero_copy_only=False)
        empty = n_rings == 0
        ring_lengths = pc.list_value_length(parsed.flatten()).to_numpy(zero_copy_only=False)
        ring_owner = np.repeat(np.arange(len(poly_k)), n_rings)
        bad_ring = (ring_lengths < 6) | (ring_lengths % 2 == 1)
        if bad_ring.any():
            ring_index = np.arange(len(ring_lengths)) - np.repeat(np.cumsum(n_rings) - n_rings, n_rings)
            seen: set[int] = set()
            for r in np.flatnonzero(bad_ring).tolist():
                k = int(poly_k[ring_owner[r]])
                if k in seen:
                    continue
                seen.add(k)
                row = row_list[k]
                what = "fewer than 3 points" if ring_lengths[r] < 6 else "an odd number of coordinates"
                out.findings.append(
                    (
                        row,
                        Finding(
                            where,
                            json_pointer("annotations", row, "segmentation", int(ring_index[r])),
                            f"polygon has {what}",
                        ),
                    )
                )
        for k in poly_k[empty].tolist():  # "segmentation": [] on a box-only object: carried as it was
            extras[row_list[k]] = _add_extra(extras[row_list[k]], "coco:segmentation", bytes(seg_raw[k]))
        parsed = pc.if_else(pa.array(empty), pa.nulls(len(parsed), _POLYGONS), parsed)
        shape[poly_k[~empty]] = "polygon"
        positions = np.full(m, len(poly_k), dtype=np.int64)
        positions[poly_k] = np.arange(len(poly_k))
        polygon = pa.concat_arrays([parsed, pa.nulls(1, _POLYGONS)]).take(pa.array(positions))
    for k in other_k.tolist():  # null or another oddity: carried as it was
        extras[row_list[k]] = _add_extra(extras[row_list[k]], "coco:segmentation", bytes(seg_raw[k]))
    masks: list[dict[str, Any] | None] = [None] * m
    for k in rle_k.tolist():
        row = row_list[k]
        try:
            rle = msgspec.json.decode(seg_raw[k], type=Rle)
        except msgspec.ValidationError as exc:
            raise InputError(
                "segmentation must be polygons or an RLE {size, counts}",
                path=path,
                pointer=json_pointer("annotations", row, "segmentation"),
                found=str(exc).split(" - at ")[0],
            ) from exc
        h, w = rle.size
        compressed = isinstance(rle.counts, str)
        masks[k] = {
            "height": h,
            "width": w,
            "counts": rle.counts if compressed else None,
            "runs": None if compressed else rle.counts,
        }
        shape[k] = "mask"
        if known_image[row] and (h != int(heights[row]) or w != int(widths[row])):
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
        elif isinstance(rle.counts, list) and (total := sum(rle.counts)) != h * w:
            out.findings.append(
                (
                    row,
                    Finding(
                        where,
                        json_pointer("annotations", row, "segmentation", "counts"),
                        f"RLE counts add up to {total}, not {h * w} (height x width)",
                    ),
                )
            )
    # keypoints
    kp_raw = [anns[i].keypoints for i in row_list]
    kp_k = np.flatnonzero(_present(kp_raw))
    keypoints: pa.Array = pa.nulls(m, _FLOATS)
    if len(kp_k):
        parsed_kp = parse_lists(
            [kp_raw[k] for k in kp_k.tolist()], _FLOATS, path, "keypoints", [row_list[k] for k in kp_k.tolist()]
        )
        parsed_kp = parsed_kp.combine_chunks() if parsed_kp.num_chunks != 1 else parsed_kp.chunk(0)
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
        no_seg = (first[kp_k] == 0) | (shape[kp_k] == "box")
        shape[kp_k[no_seg & ~has_bbox[kp_k]]] = "keypoints"
        positions = np.full(m, len(kp_k), dtype=np.int64)
        positions[kp_k] = np.arange(len(kp_k))
        keypoints = pa.concat_arrays([parsed_kp, pa.nulls(1, _FLOATS)]).take(pa.array(positions))
    return pa.table(
        {
            **{k: v.take(idx) for k, v in common.items()},
            "extras": _extras_column(extras, rows),
            "shape": pa.array(shape.tolist(), pa.string()),
            "bbox": bbox,
            "polygon": polygon,
            "mask": pa.array(masks, MASK_TYPE),
            "keypoints": keypoints,
            "_row": idx,
        }
    )


def merge_categories(files: Sequence[CocoFile]) -> list[Category]:
    """The categories of several files, by id in order of first appearance; keypoints fill in from later files.

    Raises:
        InputError: two files give one category id different names.
    """
    merged: dict[int, Category] = {}
    for f in files:
        for i, c in enumerate(build_categories(f)):
            old = merged.get(c.id)
            if old is None:
                merged[c.id] = c
                continue
            if old.name != c.name:
                raise InputError(
                    f"category {c.id} is named {c.name!r} here but {old.name!r} in another file",
                    path=f.path,
                    pointer=json_pointer("categories", i, "name"),
                )
            if old.keypoints is None and c.keypoints is not None:
                merged[c.id] = old.model_copy(update={"keypoints": c.keypoints, "skeleton": c.skeleton})
    return list(merged.values())


def dataset_info(files: Sequence[CocoFile], skipped: int) -> DatasetInfo:
    """Dataset info holding what a COCO -> COCO round trip needs: info, licenses and the file list."""
    extras: dict[str, Any] = {}
    for f in files:
        if f.info is not None and "coco:info" not in extras:
            extras["coco:info"] = f.info
        if f.licenses is not None and "coco:licenses" not in extras:
            extras["coco:licenses"] = f.licenses
    per_split: dict[str | None, set[Any]] = {}
    for f in files:
        per_split.setdefault(f.split, set()).update(i.get("id") for i in f.images)
    specs = []
    for f in files:
        spec: dict[str, Any] = {
            "task": f.task,
            "split": f.split,
            "keys": f.present,
            "categories": [c.get("id") for c in f.categories],
        }
        ids = [i.get("id") for i in f.images]
        if f.task != "results" and set(ids) != per_split[f.split]:
            spec["images"] = ids  # this file lists fewer images than its split has
        specs.append(spec)
    extras["coco:files"] = specs
    if skipped:
        extras["coco:skipped_annotations"] = skipped
    return DatasetInfo(extras=extras)
