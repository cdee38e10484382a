"""Objects COCO cannot write as they are, found before writing (used by :mod:`labelkit.formats.coco_plan`).

Masks of another size than their image and boxes of negative width or height (taken out, the box derived
again), objects with no area inside their image, keypoint sets of another length than their category's names
and visibilities other than 0, 1 and 2 (COCO's reader refuses them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_homes import files_read
from labelkit.formats.coco_records import files_keypoint_counts, new_split_keypoint_counts
from labelkit.formats.coco_results import written_as_detections
from labelkit.formats.coco_shapes import (
    arr,
    drawn_polygons,
    far_polygons_clipped,
    geometryless,
    image_sizes,
    known_sizes,
    odd_segmentations,
    turned_boxes,
    written_boxes,
)
from labelkit.formats.coco_text import STUFF_TAG, carried_fields, marked_for_derivation
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import loads_text, spliced_rows, true_mask, valid_mask


def refused_geometry_taken_out(
    objects: pa.Table, items: pa.Table
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """``objects`` as COCO writes them of what its reader refuses, and the rows of each (misfit, negative, odd).

    Masks of another size than their image and boxes of negative width or height are taken out; those rows, and
    the ones whose ``coco:segmentation`` extra COCO cannot hold, are marked for their box to be derived. (Keypoint
    sets of another length than their category's names are left to the caller: :func:`.coco_plan.writable`
    unlabels them.)
    """
    misfit, negative = masks_of_another_size(objects, items), negative_boxes(objects)
    for column, rows in (("mask", misfit), ("bbox", negative)):
        if rows.any():
            nothing = pa.scalar(None, objects.schema.field(column).type)
            values = pc.if_else(pa.array(rows), nothing, objects[column])
            objects = objects.set_column(objects.schema.get_field_index(column), column, values)
    odd = odd_segmentations(objects, items)
    if (reshaped := misfit | negative | odd).any():  # rows whose geometry changes: written with what they lack
        extras = marked_for_derivation(objects["extras"], reshaped).cast(objects.schema.field("extras").type)
        objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", extras)
    return objects, misfit, negative, odd


def left_without_geometry(objects: pa.Table, changed: np.ndarray) -> np.ndarray:
    """Of the ``changed`` rows, those with no box, mask, drawable polygon or labelled keypoints left."""
    if not changed.any():
        return changed
    drawn = valid_mask(objects["bbox"]) | valid_mask(objects["mask"]) | G.drawable_polygons(objects["polygon"])
    return changed & ~drawn & ~G.labelled_keypoints(objects["keypoints"])


def wholly_outside(objects: pa.Table, dataset: Dataset, detections: np.ndarray | None = None) -> np.ndarray:
    """Per object: its written box has an area, none of it inside its image, nor any of its polygon's.

    Clipped to the image (as :func:`.coco_shapes.written_boxes` clips it), such a box has no width or height:
    a zero box on the image's edge, which COCOeval matches with nothing. The box written is the one the writer
    writes (given, turned by its angle, or the bounds of the drawn polygon or labelled keypoints); an object with
    a mask (of its image's size, as the masks of another size are taken out before) has its pixels inside. A
    zero box stays one, and detections (written to results files, never clipped) are not looked at. Only the
    objects whose box is not inside an image of known size are measured, usually none. ``detections``: those
    objects, when known (else found as the writer writes them).
    """
    n = objects.num_rows
    outside = np.zeros(n, dtype=bool)
    if not n:
        return outside
    width, height = image_sizes(dataset.table("items"), objects["item_id"])
    sized = known_sizes(width, height)
    boxes, boxed = G.bbox_columns(objects["bbox"])
    x, y, w, h = boxes.T
    with np.errstate(invalid="ignore", over="ignore"):
        inside = (x >= 0) & (y >= 0) & (x + w <= width) & (y + h <= height)
    # a turned box's bounds hold its centre: one inside its image is not measured again
    unboxed = ~boxed & (valid_mask(objects["polygon"]) | valid_mask(objects["keypoints"]))
    maybe = sized & ~valid_mask(objects["mask"]) & ((boxed & ~inside) | unboxed)
    if maybe.any():
        maybe &= ~(written_as_detections(objects, dataset) if detections is None else detections)
    if not maybe.any():
        return outside
    rows = np.flatnonzero(maybe)
    given = objects.take(pa.array(rows))
    some, turned = turned_boxes(given)
    # (a turned box written as its corners: none of it inside, though its bounds meet the image, 45 degrees past a
    # corner, is outside; its corners clipped made a polygon of the image's corner)
    bare = turned & ~valid_mask(given["polygon"]) & ~valid_mask(given["mask"])
    missed = np.zeros(len(rows), dtype=bool)
    if bare.any():
        angle = np.asarray(given["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
        missed[bare] = ~G.turned_boxes_meet(
            G.bbox_columns(given["bbox"])[0][bare], angle[bare], width[rows][bare], height[rows][bare]
        )
    measured = ~geometryless(some)  # (objects COCO cannot write at all are lost for that)
    rows, some, missed = rows[measured], drawn_polygons(some.filter(pa.array(measured))), missed[measured]
    fields = carried_fields(some["extras"], "coco:files" in dataset.info.extras)
    boxes, has, _ = written_boxes(some, fields.as_read | fields.bbox, None)
    bounds, bounded = G.polygon_bounds_column(arr(some["polygon"]))
    width, height = width[rows], height[rows]

    def meets(b: np.ndarray) -> np.ndarray:
        x, y, w, h = b.T  # (a size of 1e-319 on 5 meets the image: G.overlaps is exact)
        met: np.ndarray = G.overlaps(x, w, width) & G.overlaps(y, h, height)
        return met

    with np.errstate(invalid="ignore"):
        sized_box = (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
    # (a box read from COCO is written as read, never clipped: one validate passes, within a pixel of its image,
    # [100, 0, 1, 5] on a width of 100, was lost on COCO -> COCO)
    outside[rows] = has & sized_box & ~meets(boxes) & ~(bounded & meets(bounds)) & ~fields.as_read
    outside[rows] |= _drawn_outside(some, bounds, bounded, dataset, fields) | missed
    return outside


def _drawn_outside(
    objects: pa.Table, bounds: np.ndarray, bounded: np.ndarray, dataset: Dataset, fields: Any
) -> np.ndarray:
    """Per object: its polygon reaches so far outside its image that the writer clips it, and nothing is left.

    Its bounds meet the image (``[[1000, 50, 110, 50, 110, 90, 70, 90]]`` on 100 x 80), but none of its area does:
    the writer's clipping (:func:`.coco_shapes.far_polygons_clipped`) leaves no ring. Its box, where it has none of
    its own but its polygon's bounds (a YOLO segment line's), covers pixels the polygon does not: such an object
    has no area inside its image either (one with labelled keypoints, or a box of its own, is written with them).
    """
    clipped, far = far_polygons_clipped(objects, dataset.table("items"), "coco:files" in dataset.info.extras, fields)
    emptied = far & ~valid_mask(clipped["polygon"]) & ~valid_mask(objects["keypoints"])
    if not emptied.any():
        return emptied
    own, boxed = G.bbox_columns(objects["bbox"])
    with np.errstate(invalid="ignore"):
        derived = ~boxed | (bounded & np.all(np.abs(own - bounds) <= 1e-9 * np.maximum(1.0, np.abs(bounds)), axis=1))
    out: np.ndarray = emptied & derived
    return out


def negative_boxes(objects: pa.Table) -> np.ndarray:
    """Per object: a box of negative width or height."""
    boxed = valid_mask(objects["bbox"])
    if not boxed.any():
        return boxed
    negative: np.ndarray = boxed & true_mask(pc.or_(*(pc.less(pc.list_element(objects["bbox"], i), 0) for i in (2, 3))))
    return negative


def masks_of_another_size(objects: pa.Table, items: pa.Table) -> np.ndarray:
    """Per object: a mask whose height and width differ from its image's (when the image's are known)."""
    masked = valid_mask(objects["mask"])
    if not masked.any():
        return masked
    width, height = image_sizes(items, objects["item_id"])
    mask = objects["mask"].combine_chunks()
    mask_height = np.asarray(pc.struct_field(mask, "height").fill_null(-1).to_numpy(zero_copy_only=False), float)
    mask_width = np.asarray(pc.struct_field(mask, "width").fill_null(-1).to_numpy(zero_copy_only=False), float)
    known = ~np.isnan(width) & ~np.isnan(height)
    misfit: np.ndarray = masked & known & ((mask_height != height) | (mask_width != width))
    return misfit


def odd_visibilities(objects: pa.Table, dataset: Dataset) -> tuple[pa.Array, int] | None:
    """The keypoints with every visibility COCO cannot hold made 2 (above 0) or 0, and how many there were.

    None when there are none. Detections, written to results files, keep theirs: there the third number is
    the detector's score for the point, and COCOeval does not read it.
    """
    if not objects.num_rows or objects["keypoints"].null_count == objects.num_rows:
        return None
    kp = objects["keypoints"].combine_chunks()
    lengths = np.asarray(pc.list_value_length(kp).fill_null(0).to_numpy(zero_copy_only=False), np.int64)
    values = np.asarray(pc.list_flatten(kp).to_numpy(zero_copy_only=False), np.float64)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    parents = np.repeat(np.arange(len(lengths)), lengths)
    flag = (np.arange(len(values)) - starts[parents]) % 3 == 2
    odd = flag & ~np.isin(values, (0.0, 1.0, 2.0))
    if odd.any():
        odd &= ~written_as_detections(objects, dataset)[parents]  # (as the writer writes them)
    if not odd.any():
        return None
    values = values.copy()
    values[odd] = np.where(values[odd] > 0, 2.0, 0.0)
    fixed = pa.ListArray.from_arrays(pa.array(starts, pa.int32()), pa.array(values), mask=kp.is_null())
    return fixed.cast(objects.schema.field("keypoints").type), int(odd.sum())


def unlabelled_keypoints(
    objects: pa.Table, wrong: np.ndarray, dataset: Dataset, names: np.ndarray
) -> tuple[pa.Table, str]:
    """The ``wrong`` objects' keypoints made unlabelled, and the reason of the loss (see ``coco_plan.writable``).

    Each gets a zero for every number of its category's points: the writer writes such a set as COCO's
    keypoints files write an unlabelled person (``num_keypoints`` 0; ``names``, per object, the number of keypoint
    names its split's files give its category: :func:`wrong_keypoint_counts`), as it writes an object of that category
    without keypoints; check_dataset counts it under neither. A detection (written to a results file, where
    points are predictions) is written without keypoints: zeros would be points detected at (0, 0).
    """
    rows = np.flatnonzero(wrong)
    detections = written_as_detections(objects, dataset)[rows]
    zeros = [None if d else [0.0] * (3 * int(k)) for k, d in zip(names[rows], detections.tolist(), strict=True)]
    column = objects["keypoints"]
    values = spliced_rows(column, rows, pa.array(zeros, column.type))
    objects = objects.set_column(objects.schema.get_field_index("keypoints"), "keypoints", values)
    # one read from COCO carries its num_keypoints, written as read: it now has none labelled
    extras = objects["extras"].combine_chunks()
    counted = rows[~detections & true_mask(pc.match_substring(extras.take(pa.array(rows)), '"coco:num_keypoints":'))]
    if len(counted):
        texts = [
            orjson.dumps({**loads_text(t), "coco:num_keypoints": 0}).decode() for t in extras.take(counted).to_pylist()
        ]
        extras = spliced_rows(extras.cast(pa.string()), counted, pa.array(texts, pa.string()))
        extras = extras.cast(objects.schema.field("extras").type)
        objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", extras)
    reason = "COCO's reader refuses them: their objects are written with every point unlabelled (num_keypoints 0)"
    if detections.any():
        reason += ", detections (in results files) without keypoints"
    return objects, reason


def wrong_keypoint_counts(objects: pa.Table, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per object: keypoints whose count differs from the keypoint names its file gives its category; the count.

    A category's keypoint names are kept per file read (:func:`~labelkit.formats.coco_records.files_keypoint_counts`:
    a keypoints file naming more points than the instances file beside it), and an object is written to the files
    of its item's split: its keypoints are counted against the names of the file of that split they are written to
    (the category's own where no file read of the split names its points). That is the keypoints file listing the
    category, else the instances (or stuff) file; for an object whose keypoints were read from an instances file
    alone (``"coco:@task":"instances"``, written inline: see :func:`~labelkit.formats.coco_homes.file_homes`), the
    instances (or stuff) file, else the keypoints file. An object moved to another split whose files name other
    points was written there unsaid, a file COCO's reader refuses.

    Returns:
        Per object: whether its count is wrong, and the number of names its file gives (-1: none).
    """
    n = objects.num_rows
    want_names = np.full(n, -1, dtype=np.int64)
    named = {c.id: len(c.keypoints) for c in dataset.categories if c.keypoints}
    if not named or not n or objects["keypoints"].null_count == n:
        return np.zeros(n, dtype=bool), want_names
    have = np.asarray(pc.list_value_length(objects["keypoints"]).fill_null(-1).to_numpy(zero_copy_only=False))
    cats = np.asarray(objects["category_id"].fill_null(-1).to_numpy(zero_copy_only=False))
    rows = np.flatnonzero((have >= 0) & np.isin(cats, list(named)))
    wrong = np.zeros(n, dtype=bool)
    if not len(rows):
        return wrong, want_names
    by_split = files_keypoint_counts(dataset.info, dataset.categories)
    new_split = new_split_keypoint_counts(dataset.info, dataset.categories)  # (a split not read: see object_files)
    read_splits = {str(f.get("split") or "default") for f in files_read(dataset.info.extras.get("coco:files"))}
    items = dataset.table("items")
    place = pc.index_in(objects["item_id"].take(pa.array(rows)), value_set=items["id"])
    encoded = items["split"].take(place).fill_null("default").combine_chunks().dictionary_encode()
    split_names = encoded.dictionary.to_pylist()
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    cat_codes, cat_of = np.unique(cats[rows], return_inverse=True)
    inline = true_mask(pc.match_substring(objects["extras"].take(pa.array(rows)), f'"{STUFF_TAG}":"instances"'))
    # (one number per split, category and file kind: inline or not)
    pair = (codes * len(cat_codes) + cat_of.reshape(-1)) * 2 + inline.astype(np.int64)
    for key in np.unique(pair).tolist():
        split, cid = split_names[key // 2 // len(cat_codes)], int(cat_codes[key // 2 % len(cat_codes)])
        # (a split read without a file of objects, captions alone say, gets an instances file of the category's
        # own names; one not read at all, the layout read: see object_files)
        counts = by_split.get(split, {}).get(cid, {}) if split in read_splits else new_split.get(cid, {})
        order = ("instances", "stuff", "person_keypoints") if key % 2 else ("person_keypoints", "instances", "stuff")
        want = next((counts[t] for t in order if t in counts), named[cid])
        if want is None:  # (the file lists the category without names: no count to differ from)
            continue
        mine = rows[pair == key]
        wrong[mine] = have[mine] != 3 * want
        want_names[mine] = want
    return wrong, want_names
