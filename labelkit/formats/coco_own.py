"""``coco:`` extras named as a member COCO's annotation record writes itself (``coco:id``, ``coco:image_id``, ...).

The writer splices an annotation's ``coco:<name>`` extras into its record as ``<name>``: one named as a member
the record writes from the model (its id, image id, category id, score, box, polygon, mask or keypoints) made a
record holding that key twice, which readers read as the last (another id, score, segmentation or keypoints, unsaid,
or an image or category id the reader refuses). A dataset read from COCO carries none of them (a caption's
``coco:category_id`` is its category, written so); one built in code may. :func:`writable` takes them out and
reports them lost.
"""

from __future__ import annotations

import math
import re
from typing import Any

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_geometry import BBOX_TOLERANCE
from labelkit.formats.coco_homes import keypoint_file_splits
from labelkit.formats.coco_read import Rle
from labelkit.formats.coco_results import written_as_detections
from labelkit.formats.coco_shapes import image_sizes, unposed_keypoint_counts
from labelkit.formats.coco_text import carried_fields, value_text
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, members_or_raw, spliced_rows, true_mask, valid_mask

_OWN = ("id", "image_id", "category_id", "score", "bbox", "segmentation", "keypoints")
_IF_HELD = {"bbox": ("bbox",), "segmentation": ("polygon", "mask"), "keypoints": ("keypoints",)}
"""Members the record writes only where it has them (from these columns): an extra of that name is written in their
place otherwise (the reader carries a ``"bbox": null`` so, and a box's ``"segmentation": []``)."""


_OTHER_KIND = {"objects": ("caption",), "labels": ("bbox", "segmentation", "keypoints", "caption")}
"""Members that make COCO's reader take the record for another kind: an annotation with a bbox, segmentation or
keypoints is an object, one with a caption a caption. The reader never carries them so (a caption's region
``coco:bbox`` is its own, written back as read)."""
_KIND_WHY = {
    "objects": (
        "object annotations' coco:caption extras",
        "COCO's reader reads an annotation with a caption as a caption: an object's coco:caption is not written "
        "(the object read back as a caption)",
    ),
    "labels": (
        "label annotations' coco:bbox, coco:segmentation, coco:keypoints or coco:caption extras",
        "COCO's reader reads an annotation with a bbox, segmentation or keypoints as an object, one with a caption as "
        "a caption: a label's are not written (the label read back as an object or caption)",
    ),
}


_WHY = (
    "COCO's record writes its own id, image_id, category_id, score, bbox, segmentation (of a polygon or mask) and "
    "keypoints: extras of those names (coco:id, ...) are not written (the record held the key twice, and readers keep "
    "the last)"
)

_CAPTION_WHY = (
    "COCO's caption record writes its own id, image_id, score and caption: extras of those names (coco:id, ...) are "
    "not written (the record held the key twice, and readers keep the last)"
)


REGION_TYPES: dict[str, Any] = {
    "bbox": tuple[float, float, float, float] | None,
    "segmentation": list[list[float]] | Rle | None,
    "keypoints": list[float],
}
"""What a caption's geometry must be (as an object's; null carried as an object's is): it is written back as read."""


def odd_regions_taken_out(dataset: Dataset, tables: dict[str, pa.Table], losses: list[tuple[str, int, str]]) -> None:
    """Take a caption's ``coco:bbox``, ``coco:segmentation`` or ``coco:keypoints`` that is not of its type out of it.

    A region caption's geometry rides in its extras and is written back as read; one of another type (``"9"``, a
    box of 2 numbers), from labelkit JSON or code, made a file COCO's reader refused. ``tables`` gets the changed
    transcripts; ``losses`` a line.
    """
    table = tables.get("transcripts", dataset.table("transcripts"))
    extras = table["extras"]
    found = [k for k in REGION_TYPES if contains_match(extras, f'"coco:{k}":').any()]
    if not found:
        return
    # (a region as COCO's reader carries it, told by its text, is not decoded: one per caption of dense captions)
    doubtful = np.zeros(len(extras), dtype=bool)
    for k in found:
        key = f'"coco:{k}":'
        once = true_mask(pc.equal(pc.count_substring(extras, key), 1))
        plain = true_mask(pc.match_substring_regex(extras, rf"{re.escape(key)}\s*(?:{_PLAIN_REGIONS[k]})\s*[,}}]"))
        doubtful |= contains_match(extras, key) & ~(once & plain)
    rows, values = [], []
    picked = np.flatnonzero(doubtful)
    for i, text in zip(picked.tolist(), extras.take(pa.array(picked)).to_pylist(), strict=True):
        members = members_or_raw(text)
        odd = {f"coco:{k}" for k in found if f"coco:{k}" in members and not _holds(members[f"coco:{k}"], k)}
        if odd:
            rows.append(i)
            values.append(_without(members, odd))
    if rows:
        column = spliced_rows(extras.cast(pa.string()), np.array(rows), pa.array(values, pa.string()))
        tables["transcripts"] = table.set_column(table.schema.get_field_index("extras"), "extras", column)
        why = "COCO's reader refuses a caption's region of another type than an object's: not written"
        losses.append(("transcript annotations' coco:bbox, coco:segmentation or coco:keypoints extras", len(rows), why))


_NUMBER = r"-?(?:0|[1-9][0-9]{0,14})(?:\.[0-9]+)?(?:[eE][+-]?[0-9]{1,2})?"
_NUMBERS = rf"\s*(?:{_NUMBER}\s*(?:,\s*{_NUMBER}\s*)*)?"
_PLAIN_REGIONS = {
    "bbox": rf"null|\[\s*{_NUMBER}\s*,\s*{_NUMBER}\s*,\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\]",
    "segmentation": rf"null|\[\s*(?:\[{_NUMBERS}\]\s*(?:,\s*\[{_NUMBERS}\]\s*)*)?\]",
    "keypoints": rf"\[{_NUMBERS}\]",
}
"""Texts of a caption's regions that :func:`_holds` holds (numbers of float64's range): told without decoding."""


def _holds(value: Any, name: str) -> bool:
    """Whether COCO's reader reads ``value`` as a caption's ``name`` (see :data:`REGION_TYPES`)."""
    try:
        msgspec.json.decode(value_text(value), type=REGION_TYPES[name])
    except msgspec.ValidationError:
        return False
    return True


def odd_boxes_and_points_taken_out(
    objects: pa.Table, items: pa.Table, dataset: Dataset
) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """``objects`` without the ``coco:bbox`` and ``coco:keypoints`` extras COCO's reader refuses, and their rows.

    Written in place of a box or keypoints the object does not have (beside its own they are taken out by
    :func:`own_members_taken_out`), they made a file the reader refused: a box that is not 4 numbers, of negative
    width or height, or reaching more than ``BBOX_TOLERANCE`` outside its image (when its size is written);
    keypoints that are not numbers in x, y, v triples, as many as its category's names, with v 0, 1 or 2 (a
    detection's third numbers are its scores). COCO's reader carries only ``"bbox": null`` so.
    """
    n = objects.num_rows
    odd_box, odd_points = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    if not n or objects["extras"].null_count == n:
        return objects, odd_box, odd_points
    extras = objects["extras"]
    posed = contains_match(extras, '"coco:keypoints":')
    boxed = contains_match(extras, '"coco:bbox":')
    if boxed.any():  # (a "bbox": null read from COCO, in every annotation of some files: not decoded)
        boxed[boxed] = ~true_mask(pc.match_substring_regex(extras.filter(pa.array(boxed)), '"coco:bbox":null[,}]'))
    rows = np.flatnonzero(boxed | posed)
    if not len(rows):
        return objects, odd_box, odd_points
    taken = pa.array(rows)
    width, height = image_sizes(items, objects["item_id"].take(taken))
    names = {c.id: len(c.keypoints) for c in dataset.categories if c.keypoints}
    categories = objects["category_id"].take(taken).to_pylist()
    detections = written_as_detections(objects, dataset)[rows]
    changed, values = [], []
    for j, (i, text) in enumerate(zip(rows.tolist(), extras.take(taken).to_pylist(), strict=True)):
        members = members_or_raw(text)
        detection = bool(detections[j])  # (in a results file, which lists no images: no size to reach outside of)
        sized = not detection and np.isfinite(width[j]) and np.isfinite(height[j]) and (width[j], height[j]) != (0, 0)
        odd_box[i] = "coco:bbox" in members and not _box_holds(members["coco:bbox"], (width[j], height[j]), sized)
        count = names.get(categories[j])
        points = members.get("coco:keypoints")
        odd_points[i] = "coco:keypoints" in members and not _points_hold(points, count, detection)
        odd = {k for k, bad in (("coco:bbox", odd_box[i]), ("coco:keypoints", odd_points[i])) if bad}
        if odd:
            changed.append(i)
            values.append(_without(members, odd))
    if changed:
        column = spliced_rows(extras.cast(pa.string()), np.array(changed), pa.array(values, pa.string()))
        objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", column)
    return objects, odd_box, odd_points


def _box_holds(value: Any, image: tuple[float, float], sized: bool) -> bool:
    """Whether COCO's reader reads ``value`` as an object's bbox, on an image of ``image`` (width, height) if sized."""
    if value is None:
        return True
    try:
        x, y, w, h = msgspec.json.decode(value_text(value), type=tuple[float, float, float, float])
    except msgspec.ValidationError:
        return False
    if not all(map(math.isfinite, (x, y, w, h))) or w < 0 or h < 0:
        return False
    t = BBOX_TOLERANCE
    return not sized or (x >= -t and y >= -t and x + w <= image[0] + t and y + h <= image[1] + t)


def _points_hold(value: Any, count: int | None, detection: bool) -> bool:
    """Whether COCO's reader reads ``value`` as an object's keypoints, of ``count`` points (its category's names)."""
    try:
        numbers = msgspec.json.decode(value_text(value), type=list[float])
    except msgspec.ValidationError:
        return False
    if not all(map(math.isfinite, numbers)) or len(numbers) % 3 or (count is not None and len(numbers) != 3 * count):
        return False
    return detection or all(v in (0, 1, 2) for v in numbers[2::3])


def zero_posed(objects: pa.Table, dataset: Dataset, as_read: np.ndarray, detections: np.ndarray) -> np.ndarray:
    """Per object: written with keypoints of zeros, its own (``coco_plan.check_dataset`` reports them).

    An object without keypoints of a category with keypoint names, neither read from COCO (``as_read``: see
    :func:`carried_fields`) nor a detection (``detections``), outside the splits whose instances file is written
    beside a keypoints file read (see :func:`unposed_keypoint_counts`).
    """
    unposed = (unposed_keypoint_counts(objects, dataset.categories, as_read) > 0) & ~detections
    items = dataset.table("items")
    if unposed.any() and (beside := keypoint_file_splits(dataset.info.extras.get("coco:files"), items, objects)):
        of_item = pc.index_in(objects["item_id"], value_set=items["id"])
        split = pc.fill_null(pc.take(pc.fill_null(items["split"], ""), of_item), "")
        named = [*beside, ""] if "default" in beside else beside
        unposed &= ~true_mask(pc.is_in(split, value_set=pa.array(named, pa.string())))
    zero: np.ndarray = unposed
    return zero


def own_objects_lost(rows: np.ndarray) -> list[tuple[str, int, str]]:
    """The loss lines of the objects written whose such extras were taken out, if any.

    ``rows``: as :func:`own_members_taken_out` returns them (of extras named as own members, then of the other kind's).
    """
    own, other = (int(n) for n in rows.sum(axis=1))
    lines = [("object annotations' coco: extras named as their record's own fields", own, _WHY)] if own else []
    what, why = _KIND_WHY["objects"]
    return lines + ([(what, other, why)] if other else [])


def own_members_taken_out(
    dataset: Dataset, tables: dict[str, pa.Table], losses: list[tuple[str, int, str]]
) -> np.ndarray:
    """Take the ``coco:`` extras named as the record's own members, or making it another kind, out of annotations.

    Out of objects, labels and captions (see :data:`_OTHER_KIND` for the other kind's). ``tables`` (the tables
    changed so far, by name) gets the changed ones; ``losses`` lines for labels and captions. Returns the objects'
    rows changed, of each (``(2, n)``: own members', the other kind's): the caller counts those it writes (an
    object taken out of them was taken for one read from COCO, which COCO writes back without geometry of its own).
    """
    changed = np.zeros((2, len(tables.get("objects", dataset.table("objects")))), dtype=bool)
    for name, kind in (("objects", "object"), ("labels", "label"), ("transcripts", "transcript")):
        table = tables.get(name, dataset.table(name))
        own = [k for k in _OWN if k not in _IF_HELD or set(_IF_HELD[k]) <= set(table.column_names)]
        own = [k for k in own if not (name == "transcripts" and k == "category_id")]  # (a caption's category)
        own += ["caption"] if name == "transcripts" else []  # (its text)
        extras = table["extras"]
        has = {k: contains_match(extras, f'"coco:{k}"') for k in (*own, *_OTHER_KIND.get(name, ()))}
        found = [k for k, keyed in has.items() if keyed.any()]
        if not found:
            continue
        columns = {k: _IF_HELD[k] for k in found if k in _IF_HELD and k in own}  # (a label's bbox is another kind's)
        held = {k: np.logical_or.reduce([valid_mask(table[c]) for c in names]) for k, names in columns.items()}
        if name == "objects" and "keypoints" in held:  # (or the zero keypoints the writer gives an unposed object)
            as_read = carried_fields(table["extras"], "coco:files" in dataset.info.extras).as_read
            held["keypoints"] = held["keypoints"] | zero_posed(
                table, dataset, as_read, written_as_detections(table, dataset)
            )
        # (decoded: the rows keying one of the other kind, or one the record writes itself; not every box's
        # "segmentation": [] as Objects365 carries it)
        doubtful = np.logical_or.reduce([has[k] & held[k] if k in held else has[k] for k in found])
        picked = np.flatnonzero(doubtful)
        rows, values, which = [], [], []
        for i, text in zip(picked.tolist(), extras.take(pa.array(picked)).to_pylist(), strict=True):
            members = members_or_raw(text)
            taken = {f"coco:{k}" for k in found if k in own and (k not in held or held[k][i])} & members.keys()
            other = {f"coco:{k}" for k in found if k not in own} & members.keys()
            if taken or other:  # (a nested key, or a box carried where the record has none, is written as it is)
                taken |= other
                rows.append(i)
                values.append(_without(members, taken))
                which.append((bool(taken - other), bool(other)))
        if rows:
            column = spliced_rows(extras.cast(pa.string()), np.array(rows), pa.array(values, pa.string()))
            tables[name] = table.set_column(table.schema.get_field_index("extras"), "extras", column)
            counted = np.array(which, dtype=bool).T
            if name == "objects":
                changed[:, rows] = counted
                continue
            if own_rows := int(counted[0].sum()):
                why = _CAPTION_WHY if name == "transcripts" else _WHY
                losses.append((f"{kind} annotations' coco: extras named as their record's own fields", own_rows, why))
            if other_rows := int(counted[1].sum()):
                losses.append((_KIND_WHY[name][0], other_rows, _KIND_WHY[name][1]))
    return changed


def own_category_fields_lost(dataset: Dataset, losses: list[tuple[str, int, str]]) -> None:
    """Count the categories whose ``coco:`` extras are named as a field their record writes (``coco:id``, ...).

    The writer leaves such an extra out (the category's own value is written); it was dropped unsaid.
    """
    n = 0
    for c in dataset.categories:
        own = {"id", "name"} | {k for k in ("supercategory", "keypoints", "skeleton") if getattr(c, k) is not None}
        n += any(k.startswith("coco:") and k[5:] in own for k in c.extras)
    if n:
        why = (
            "COCO's category record writes its own id, name, supercategory, keypoints and skeleton: extras of those "
            "names (coco:id, ...) are not written"
        )
        losses.append(("categories' coco: extras named as their own fields", n, why))


def _without(members: dict[str, Any], taken: set[str]) -> str | None:
    """The extras text of ``members`` less the ``taken`` keys (None when none is left)."""
    rest = [f"{orjson.dumps(k).decode()}:{value_text(v)}" for k, v in members.items() if k not in taken]
    return "{" + ",".join(rest) + "}" if rest else None
