"""What COCO can hold, found before writing (used by :mod:`labelkit.formats.coco`).

What it cannot write at all (:func:`writable`, taken out by ``api``), and what it loses or transforms
(:func:`check_dataset`, for the report).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.base import Capabilities
from labelkit.formats.capability import (
    check_capabilities,
    check_category_and_info_extras,
    extras_key_counts,
    report_annotation_extras,
)
from labelkit.formats.coco_geometry import BBOX_TOLERANCE
from labelkit.formats.coco_ids import ids_read_back_otherwise, image_numbers
from labelkit.formats.coco_names import NORMALISED, normalised_files, renamed_files, split_file_ok
from labelkit.formats.coco_own import (
    odd_boxes_and_points_taken_out,
    odd_regions_taken_out,
    own_category_fields_lost,
    own_members_taken_out,
    own_objects_lost,
    zero_posed,
)
from labelkit.formats.coco_records import (
    ADDED_SKELETONS,
    IMAGE_FIELDS,
    added_skeletons,
    files_keypoint_counts,
    skeleton_indexes_outside,
)
from labelkit.formats.coco_results import detection_item_ids, detections_of, results_only, written_as_detections
from labelkit.formats.coco_shapes import (
    arr,
    drawn_polygons,
    far_polygons_clipped,
    geometryless,
    holes_too_large_dropped,
    image_sizes,
    known_sizes,
    odd_segmentations,
    redrawn,
    refuse_past_float64,
    turned_boxes,
    written_boxes,
)
from labelkit.formats.coco_sizes import report_sizes
from labelkit.formats.coco_text import attributes_twice, carried_fields, marked_for_derivation
from labelkit.model import Dataset, raster
from labelkit.model import geometry as G
from labelkit.model.rle import bad_mask_error
from labelkit.model.tables import loads_text, spliced_rows, true_mask, valid_mask
from labelkit.portable import drop_unportable
from labelkit.report import Report


def _refuse_bad_masks(objects: pa.Table) -> None:
    """Refuse a mask whose runs cannot be read or do not add up to height x width.

    COCO's reader would refuse the file written. (Masks read from COCO were checked then; a ``coco:`` extra
    does not prove an object came from COCO, so every mask is checked: 0.05 s for 8,600 crowd masks.)

    Raises:
        InputError: naming the object.
    """
    if (error := bad_mask_error(objects, "fix or drop its mask")) is not None:
        raise error


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset COCO can write, and what it leaves out (as ``report.lose`` arguments; see ``base.WRITABLE``).

    - (Images without a size are kept: they are written 0 x 0, as Datumaro writes them; see ``coco_sizes``.)
    - Objects and image labels without a category: a COCO annotation needs a ``category_id``.
    - Boxes of negative width or height (COCO's reader refuses them): the object is written without its box.
    - Keypoint sets whose length differs from their category's keypoint names (COCO's reader refuses them):
      the object is written with every point unlabelled (:func:`_unlabelled_keypoints`).
    - Objects without geometry (no box, mask, labelled keypoints or polygon ring of 3 points), as given or left
      so by those (their only box, mask or labelled keypoints refused): not written, lost once as such, not
      also for a field, a ring or a flag of theirs.
    - Keypoint visibilities other than 0, 1 and 2 outside detection results (see :func:`_odd_visibilities`).
    - Objects with no area inside their image (:func:`_wholly_outside`): clipped to it, as the writer clips a
      box reaching outside, their box would have no width or height. They are not written.
    - Items of a split whose files Windows cannot hold (``instances_a:b.json``, on NTFS stream ``b.json`` of a
      file ``instances_a``), as YOLO and VOC leave out those of a folder or list ``a:b``.
    """
    splits = [s or "default" for s in dataset.table("items")["split"].to_pylist()]
    unholdable = {s for s in set(splits) if not split_file_ok(s)}
    owners = [n for n, s in enumerate(splits) if s in unholdable] if unholdable else []
    paths = [f"annotations/instances_{splits[n]}.json" for n in owners]
    dataset, losses = drop_unportable(dataset, paths, owners, list(range(len(owners))), {})
    tables: dict[str, pa.Table] = {}  # (images of unknown size are written 0 x 0: see coco_sizes)
    only = results_only(dataset)
    if only.any():  # a detection-results file is a list of objects: no images, no image labels, no captions
        items = dataset.table("items")
        held = detection_item_ids(dataset.table("objects"), dataset.table("labels"))
        with_objects = true_mask(pc.is_in(items["id"], value_set=held))
        reason = "their split is written as detection-results files, which list objects only"
        described = valid_mask(items["path"]) | valid_mask(items["width"]) | valid_mask(items["metadata"])
        losses.append(("image file names, sizes and metadata", int((only & with_objects & described).sum()), reason))
        bare = only & ~with_objects
        if bare.any():
            losses.append(("images without detections", int(bare.sum()), f"{reason}: they are in no file"))
            dataset, dropped = dataset.without_items(bare)
            for what, n in dropped.items():
                losses.append((f"{what} on them", n, reason))
            only = results_only(dataset)
        results_ids = dataset.table("items")["id"].filter(pa.array(only))
        for name, kind in (("labels", "label"), ("transcripts", "transcript")):
            table = tables.get(name, dataset.table(name))
            in_results = pc.and_(pc.is_in(table["item_id"], value_set=results_ids), pc.invert(detections_of(table)))
            if n := int(pc.sum(in_results.cast(pa.int64())).as_py() or 0):
                reason = "their split is written as detection-results files, which hold objects only"
                losses.append((f"{kind} annotations", n, reason))
                tables[name] = table.filter(pc.invert(in_results))
    for name in ("objects", "labels"):
        table = tables.get(name, dataset.table(name))
        uncategorised = table["category_id"].null_count
        if uncategorised:
            kind = "object" if name == "objects" else "label"
            losses.append(
                (f"{kind} annotations without a category", uncategorised, "a COCO annotation needs a category_id")
            )
            tables[name] = table.filter(pc.is_valid(table["category_id"]))
    if not dataset.categories:  # (detection results define none: their objects keep their ids, files elsewhere)
        results_ids = dataset.table("items")["id"].filter(pa.array(results_only(dataset)))
        for name, kind in (("objects", "object"), ("labels", "label")):
            table = tables.get(name, dataset.table(name))
            listed = pc.invert(pc.is_in(table["item_id"], value_set=results_ids))
            if name == "objects":  # (a results file holds objects with a score only)
                listed = pc.or_(listed, pc.is_null(table["score"]))
            if n := int(pc.sum(listed.cast(pa.int64())).as_py() or 0):
                reason = "the dataset defines no categories, and COCO files other than detection results list theirs"
                losses.append((f"{kind} annotations of undefined categories", n, reason))
                tables[name] = table.filter(pc.invert(listed))
    own = own_members_taken_out(dataset, tables, losses)  # (coco:id, ...; an object's counted below when written)
    odd_regions_taken_out(dataset, tables, losses)  # (a caption's coco:bbox of 2 numbers, ...)
    given = objects = tables.get("objects", dataset.table("objects"))
    items = dataset.table("items")  # (less those dropped above)
    bare_before = geometryless(objects, detections_if_posed(objects, dataset))
    objects, misfit, negative, odd = refused_geometry_taken_out(objects, items)
    objects, odd_box, odd_points = odd_boxes_and_points_taken_out(objects, items, dataset)
    refused = "COCO's reader refuses them: their objects are written without them"
    taken: list[tuple[str, np.ndarray, str]] = []  # (what, rows, reason): fields taken out of the rows
    if misfit.any():
        taken.append(("masks of another size than their image", misfit, refused))
    if negative.any():
        taken.append(("boxes of negative width or height", negative, refused))
    wrong = _wrong_keypoint_counts(objects, dataset.categories, files_keypoint_counts(dataset.info))
    if wrong.any():
        objects, reason = _unlabelled_keypoints(objects, wrong, dataset)
        taken.append(("keypoint sets of another length than their category's names", wrong, reason))
    if odd.any():
        reason = (
            "COCO's reader refuses a segmentation that is not null, polygons (rings of 3 points or more) or an RLE "
            "of its image's size whose counts fill it: not written"
        )
        taken.append(("coco:segmentation extras COCO cannot hold", odd, reason))
    if odd_box.any():
        reason = "COCO's reader refuses a bbox that is not 4 numbers or reaches outside its image: not written"
        taken.append(("coco:bbox extras COCO cannot hold", odd_box, reason))
    if odd_points.any():
        reason = "COCO's reader refuses keypoints that are not x, y, v triples of its category's points: not written"
        taken.append(("coco:keypoints extras COCO cannot hold", odd_points, reason))
    if objects is not given:
        tables["objects"] = objects
    # an object left without geometry by what was taken out is not written: lost whole, counted once as such,
    # not also for a field taken out of it (its keypoints count only labelled: unlabelled above)
    bare = left_without_geometry(objects, misfit | negative | wrong | odd)
    outside = _wholly_outside(objects, dataset)
    losses.extend(own_objects_lost(own & ~bare & ~bare_before & ~outside))
    losses.extend(
        (what, n, reason) for what, rows, reason in taken if (n := int((rows & ~outside & ~bare & ~bare_before).sum()))
    )
    if (stripped := bare & ~bare_before).any():
        reason = (
            "their only box, mask or labelled keypoints are ones COCO's reader refuses (a box of negative width "
            "or height, a mask of another size than its image, a keypoint set of another length than its "
            "category's names): COCO annotations need geometry; not written"
        )
        losses.append(("objects whose only geometry COCO's reader refuses", int(stripped.sum()), reason))
    if bare_before.any():  # (nor one without geometry as given: nothing on it, a ring or a flag, counts again)
        losses.append(
            (
                "objects without a box, polygon, mask or labelled keypoints",
                int(bare_before.sum()),
                "a COCO annotation needs geometry",
            )
        )
    if (whole := stripped | bare_before).any():
        objects = tables["objects"] = objects.filter(pa.array(~whole))
        outside = outside[~whole]
    if outside.any():
        reason = (
            "their box lies outside their image: clipped to it, it would have no width or height (or their polygon, "
            "reaching far outside, would have no ring left); not written"
        )
        losses.append(("objects with no area inside their image", int(outside.sum()), reason))
        objects = tables["objects"] = objects.filter(pa.array(~outside))
    if (twice := attributes_twice(objects["attributes"], objects["extras"])).any():  # (the writer writes one)
        reason = "their own attributes are written: a COCO annotation holds one attributes object"
        losses.append(("object annotations' carried attributes (coco:attributes)", int(twice.sum()), reason))
    flags = _odd_visibilities(objects, dataset)
    if flags is not None:
        keypoints, n = flags
        losses.append(
            (
                "keypoint visibilities other than 0, 1 or 2",
                n,
                "COCO's keypoints are labelled visible (2), labelled occluded (1) or not labelled (0): "
                "written as 2 where above 0, else 0",
            )
        )
        tables["objects"] = objects.set_column(objects.schema.get_field_index("keypoints"), "keypoints", keypoints)
    _without_emptied_results_images(dataset, tables, losses)
    specs = dataset.info.extras.get("coco:files") or []
    results = dataset.categories and specs and all(isinstance(s, dict) and s.get("task") == "results" for s in specs)
    if results and results_only(dataset).all():  # (a results_<split>.json read as a document: it listed them)
        reason = "every split is written as detection-results files, which list no categories"
        losses.append(("categories", len(dataset.categories), reason))
    else:  # (categories not written at all are not counted again for their extras)
        own_category_fields_lost(dataset, losses)
    categories, info = _without_odd_fields(dataset, losses)
    if tables or categories is not dataset.categories or info is not dataset.info:
        dataset = Dataset.from_tables({**dataset.tables(), **tables}, categories, info)
    return dataset, losses


def refused_geometry_taken_out(
    objects: pa.Table, items: pa.Table
) -> tuple[pa.Table, np.ndarray, np.ndarray, np.ndarray]:
    """``objects`` as COCO writes them of what its reader refuses, and the rows of each (misfit, negative, odd).

    Masks of another size than their image and boxes of negative width or height are taken out; those rows, and
    the ones whose ``coco:segmentation`` extra COCO cannot hold, are marked for their box to be derived. (Keypoint
    sets of another length than their category's names are left to the caller: :func:`writable` unlabels them.)
    """
    misfit, negative = _masks_of_another_size(objects, items), _negative_boxes(objects)
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


def detections_if_posed(objects: pa.Table, dataset: Dataset) -> np.ndarray | bool:
    """The objects written as detections (see :func:`geometryless`), where any has keypoints; else False."""
    return written_as_detections(objects, dataset) if valid_mask(objects["keypoints"]).any() else False


def left_without_geometry(objects: pa.Table, changed: np.ndarray) -> np.ndarray:
    """Of the ``changed`` rows, those with no box, mask, drawable polygon or labelled keypoints left."""
    if not changed.any():
        return changed
    drawn = valid_mask(objects["bbox"]) | valid_mask(objects["mask"]) | G.drawable_polygons(objects["polygon"])
    return changed & ~drawn & ~G.labelled_keypoints(objects["keypoints"])


def _without_emptied_results_images(
    dataset: Dataset, tables: dict[str, pa.Table], losses: list[tuple[str, int, str]]
) -> None:
    """Take out (into ``tables``) the items of detection-results files none of whose detections is written.

    A results file lists no images: such an item (its every detection lost for want of geometry, say) is in no
    file, as an image without detections is.
    """
    only = results_only(dataset)
    if not only.any():
        return
    items = tables.get("items", dataset.table("items"))
    held = detection_item_ids(*(tables.get(name, dataset.table(name)) for name in ("objects", "labels")))
    bare = only & ~true_mask(pc.is_in(items["id"], value_set=held))
    if bare.any():
        reason = (
            "their split is written as detection-results files, which list objects only: with none of their "
            "detections written, they are in no file"
        )
        losses.append(("images none of whose detections is written", int(bare.sum()), reason))
        tables["items"] = items.filter(pa.array(~bare))


def _wholly_outside(objects: pa.Table, dataset: Dataset, detections: np.ndarray | None = None) -> np.ndarray:
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
    some, _ = turned_boxes(objects.take(pa.array(rows)))
    measured = ~geometryless(some)  # (objects COCO cannot write at all are lost for that)
    rows, some = rows[measured], drawn_polygons(some.filter(pa.array(measured)))
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
    outside[rows] = has & sized_box & ~meets(boxes) & ~(bounded & meets(bounds))
    outside[rows] |= _drawn_outside(some, bounds, bounded, dataset, fields)
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


def _without_odd_fields(dataset: Dataset, losses: list[tuple[str, int, str]]) -> tuple[list[Any], Any]:
    """The categories and info without the ``coco:`` extras COCO's reader refuses, each added to ``losses``.

    A ``coco:supercategory`` that is not text (where the category has no supercategory of its own), a
    ``coco:info`` that is not an object, ``coco:licenses`` that are not a list of objects: the writer would
    write them as they are. (The same objects and lists are returned when there are none.)
    """
    categories = dataset.categories
    odd = [
        i
        for i, c in enumerate(categories)
        if c.supercategory is None
        and "coco:supercategory" in c.extras
        and not isinstance(c.extras["coco:supercategory"], str | None)  # (null: carried from a COCO file)
    ]
    if odd:
        reason = "COCO's reader refuses a supercategory that is not text: not written"
        losses.append(("coco:supercategory extras of categories", len(odd), reason))
        categories = list(categories)
        for i in odd:
            extras = {k: v for k, v in categories[i].extras.items() if k != "coco:supercategory"}
            categories[i] = categories[i].model_copy(update={"extras": extras})
    info = dataset.info
    extras = info.extras
    bad = []
    if "coco:info" in extras and not isinstance(extras["coco:info"], dict):
        bad.append(("coco:info", "an info that is not an object"))
    licenses = extras.get("coco:licenses", [])
    if not isinstance(licenses, list) or not all(isinstance(v, dict) for v in licenses):
        bad.append(("coco:licenses", "licenses that are not a list of objects"))
    for key, what in bad:
        losses.append((f"dataset info's {key} extra", 1, f"COCO's reader refuses {what}: not written"))
    if bad:
        info = info.model_copy(update={"extras": {k: v for k, v in extras.items() if k not in dict(bad)}})
    return categories, info


def _negative_boxes(objects: pa.Table) -> np.ndarray:
    """Per object: a box of negative width or height."""
    boxed = valid_mask(objects["bbox"])
    if not boxed.any():
        return boxed
    negative: np.ndarray = boxed & true_mask(pc.or_(*(pc.less(pc.list_element(objects["bbox"], i), 0) for i in (2, 3))))
    return negative


def _masks_of_another_size(objects: pa.Table, items: pa.Table) -> np.ndarray:
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


def _odd_visibilities(objects: pa.Table, dataset: Dataset) -> tuple[pa.Array, int] | None:
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
        odd &= ~written_as_detections(objects, dataset)[parents]  # (as the writer writes them: see _detections)
    if not odd.any():
        return None
    values = values.copy()
    values[odd] = np.where(values[odd] > 0, 2.0, 0.0)
    fixed = pa.ListArray.from_arrays(pa.array(starts, pa.int32()), pa.array(values), mask=kp.is_null())
    return fixed.cast(objects.schema.field("keypoints").type), int(odd.sum())


def _unlabelled_keypoints(objects: pa.Table, wrong: np.ndarray, dataset: Dataset) -> tuple[pa.Table, str]:
    """The ``wrong`` objects' keypoints made unlabelled, and the reason of the loss (see :func:`writable`).

    Each gets a zero for every number of its category's points: the writer writes such a set as COCO's
    keypoints files write an unlabelled person (``num_keypoints`` 0), as it writes an object of that category
    without keypoints; check_dataset counts it under neither. A detection (written to a results file, where
    points are predictions) is written without keypoints: zeros would be points detected at (0, 0).
    """
    rows = np.flatnonzero(wrong)
    detections = written_as_detections(objects, dataset)[rows]
    named = {c.id: len(c.keypoints) for c in dataset.categories if c.keypoints}
    ids = objects["category_id"].take(pa.array(rows)).to_pylist()
    zeros = [None if d else [0.0] * (3 * named[i]) for i, d in zip(ids, detections.tolist(), strict=True)]
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


def _wrong_keypoint_counts(objects: pa.Table, categories: list[Any], others: list[tuple[int, int]]) -> np.ndarray:
    """Per object: keypoints whose count differs from the keypoint names of a category that has some.

    ``others``: (category id, names) a file read gave the category beside its own (a keypoints file's own names).
    """
    named = {c.id: len(c.keypoints) for c in categories if c.keypoints}
    if not named or not objects.num_rows or objects["keypoints"].null_count == objects.num_rows:
        return np.zeros(objects.num_rows, dtype=bool)
    expected = pc.index_in(objects["category_id"], value_set=pa.array(list(named), pa.int64()))
    wanted = pa.array([3 * k for k in named.values()], pa.int64())
    want = np.asarray(pc.take(wanted, expected).fill_null(-1).to_numpy(zero_copy_only=False))
    have = np.asarray(pc.list_value_length(objects["keypoints"]).fill_null(-1).to_numpy(zero_copy_only=False))
    wrong: np.ndarray = (want >= 0) & (have >= 0) & (want != have)
    cats = np.asarray(objects["category_id"].fill_null(-1).to_numpy(zero_copy_only=False))
    for cid, k in others:
        wrong &= (cats != cid) | (have != 3 * k)
    return wrong


def check_dataset(dataset: Dataset, report: Report, capabilities: Capabilities, target: str) -> None:
    """What COCO cannot hold (the generic capability check with ``capabilities``), plus COCO's own limits."""
    # the generic check decodes every extras text to find foreign keys; _foreign_extras does it in bulk
    # (rotated boxes are written as their corners, or lost beside a polygon or mask: counted below)
    caps = replace(capabilities, extras="*", geometry=capabilities.geometry | {"angle"})
    check_capabilities(dataset, caps, target, report)
    check_category_and_info_extras(dataset, "coco", target, report)
    report.transform("category skeletons", added_skeletons(dataset), ADDED_SKELETONS)
    if outside := skeleton_indexes_outside(dataset):
        report.note(
            f"{outside} category skeleton indexes name none of their category's keypoints (COCO counts them from 1; "
            "pycocotools' showAnns draws another edge or fails): written as they are, and validate names each"
        )
    for name, kind in (("objects", "object"), ("labels", "label"), ("transcripts", "transcript")):
        _foreign_extras(dataset.table(name), kind, target, report)
    items = dataset.table("items")
    only = results_only(dataset)  # items of detection-results files: no images listed, no segmentation written
    report.lose("item groups", items.num_rows - items["group"].null_count, "COCO images have no group")
    report_sizes(items, ~only, report)
    report.lose(
        "items with metadata named id, file_name, width or height",
        _image_field_metadata(items, only),
        "a COCO image's id, file_name, width and height are its own: those metadata values are not written",
    )
    report.transform(
        "image paths that are not relative",
        renamed_files(items),
        "COCO's file_name is relative to the images' folder: the file's own name is written",
    )
    report.transform("image paths read back otherwise", normalised_files(items), NORMALISED)
    numbers, renumbered, split = image_numbers(items)  # (as the writer numbers them)
    report.transform(
        "item ids",
        ids_read_back_otherwise(items, numbers, split),
        "COCO names images by integer ids, numbered per split: an item reads back as its image's id (with its "
        "split in front where two splits share one), so one with no number of its own (img1), or another split "
        "part (val/3), reads back otherwise",
    )
    report.transform(
        "item splits",
        int((~true_mask(pc.not_equal(pc.fill_null(items["split"], ""), ""))).sum()),
        "items without a split are written to the default split's files (instances_default.json, ...), and read "
        "back in the split 'default'",
    )
    renumbered.report_to(report, "image ids", "another image of the split had the same id: numbered after the largest")
    objects = dataset.table("objects")
    _refuse_bad_masks(objects)
    if objects.num_rows:
        read_fields = carried_fields(objects["extras"], "coco:files" in dataset.info.extras)
        # detections (written to results files) go there as they are: no box, clipping or segmentation added
        in_results = written_as_detections(objects, dataset)
        as_they_are = replace(read_fields, as_read=read_fields.as_read | in_results)  # (read or detections)
        objects, far = far_polygons_clipped(
            objects, items, "coco:files" in dataset.info.extras, as_they_are
        )  # (as the writer does: the counts below are of it)
        emptied = far & ~valid_mask(objects["polygon"])  # (their objects have a box or keypoints of their own)
        report.lose(
            "polygons covering none of their image",
            int(emptied.sum()),
            f"they reach more than {raster.RASTER_MARGIN} image sides outside it, which pycocotools cannot "
            "rasterise: clipped to the image, no ring is left; their objects are written with their own box or "
            "keypoints",
        )
        report.transform(
            "polygons reaching far outside their image",
            int((far & ~emptied).sum()),
            f"pycocotools cannot rasterise coordinates beyond {raster.RASTER_MARGIN} image sides from the image: "
            "clipped to the image, they cover the same pixels of it",
        )
        objects, huge = holes_too_large_dropped(objects, items)
        huge &= ~valid_mask(objects["mask"])  # (a polygon beside a mask is lost whole: counted below)
        unsized = huge & ~known_sizes(*image_sizes(items, objects["item_id"]))
        report.lose(
            "polygons' holes on images of unknown size",
            int(unsized.sum()),
            "COCO polygons cannot have holes, and an RLE mask needs its image's size: the outer rings are written "
            "as polygons",
        )
        report.lose(
            "polygons' holes on images of more than 2^28 pixels",
            int((huge & ~unsized).sum()),
            "COCO polygons cannot have holes, and pycocotools cannot make so large an RLE mask: the outer rings "
            "are written as polygons",
        )
        rings, ring_len = G.ring_lengths(objects["polygon"])
        short = ~G.drawable_rings(ring_len)
        # (those of a polygon lost whole beside a mask, counted below, are not counted again)
        owner = np.repeat(np.arange(len(rings)), rings)
        drawable = np.bincount(owner[~short], minlength=len(rings)) > 0
        report.lose(
            "polygon rings of fewer than 3 points",
            int((short & ~(drawable & valid_mask(objects["mask"]))[owner]).sum()),
            "pycocotools cannot rasterise them; an object left without a ring is written without a polygon",
        )
        shaped = valid_mask(objects["polygon"]) | valid_mask(objects["mask"])
        for what, n, why in redrawn(objects, G.drawable_polygons(objects["polygon"]), valid_mask(objects["mask"])):
            report.transform(what, n, why)
        objects, turned = turned_boxes(objects)
        report.transform(
            "rotated boxes",
            int((turned & ~shaped).sum()),
            "COCO has no angle: written as their 4-corner polygon, with its bounds as the bbox",
        )
        report.lose(
            "rotated boxes of objects with a polygon or mask",
            int((turned & shaped).sum()),
            "COCO has no angle and one segmentation: the polygon or mask is written, with the rotated box's "
            "bounds as the bbox",
        )
        objects = drawn_polygons(objects)  # what the writer writes: the counts below are of it
        drawn = objects["polygon"].is_valid()
        masked = valid_mask(objects["mask"])
        report.lose(
            "polygons of objects with a mask",
            int((true_mask(drawn) & masked).sum()),
            # (an object without a box gets the mask's bounds: counted among the objects without a box)
            "a COCO annotation has one segmentation: the mask is written",
        )
        holes = objects["polygon_holes"].filter(pa.array(~masked)).drop_null()
        if len(holes):
            n = sum(1 for h in holes.to_pylist() if any(h))
            report.transform("polygons with holes", n, "COCO polygons cannot have holes: written as RLE masks")
        # what the writer fills in for each object (coco_write)
        # (the same as read_fields unless rows were clipped, which marks them, or left out as drawing nothing)
        same = not far.any() and objects.num_rows == len(read_fields.as_read)
        fields = read_fields if same else carried_fields(objects["extras"], "coco:files" in dataset.info.extras)
        complete = fields.as_read
        kept = complete | fields.bbox  # their box as it is, or none
        if objects.num_rows != len(in_results):  # (rows left out: found again)
            in_results = written_as_detections(objects, dataset)
        derivable = true_mask(drawn) | valid_mask(objects["mask"])
        boxless = ~kept & ~valid_mask(objects["bbox"]) & ~in_results
        report.transform(
            "objects without a box",
            int((boxless & derivable).sum()),
            "COCO annotations carry a bbox: the bounds of the polygon or mask are written",
        )
        sizes = image_sizes(items, objects["item_id"])
        boxes, has_box, clipped = written_boxes(objects, kept | in_results, sizes)
        report.transform(
            "boxes reaching outside their image",
            int((clipped & ~in_results).sum()),
            f"COCO's reader refuses a bbox more than {BBOX_TOLERANCE:g} pixel outside its image: clipped to it",
        )
        report.transform(
            "objects with only keypoints",
            int((boxless & ~derivable & G.labelled_keypoints(objects["keypoints"])).sum()),
            "COCO annotations need a bbox and a segmentation: the bounds of the labelled keypoints are written, "
            "with their rectangle as the polygon",
        )
        unsegmented = ~derivable & ~complete & ~fields.segmentation & ~in_results
        measured = ~complete & ~fields.area & ~in_results & ~valid_mask(objects["mask"])
        refuse_past_float64(objects, boxes, has_box, sizes, unsegmented & has_box, measured)  # (as writing does)
        report.transform(
            "boxes",
            int((unsegmented & valid_mask(objects["bbox"])).sum()),
            "COCO annotations need a segmentation: the box's rectangle is written as a polygon",
        )
        # (an instances file beside a keypoints file read from COCO is written without keypoints)
        unposed = zero_posed(objects, dataset, complete, in_results)
        report.transform(
            "objects without keypoints of a category with keypoint names",
            int(unposed.sum()),
            "COCOeval's keypoints mode reads every annotation of such a category: written with num_keypoints 0 "
            "and every point unlabelled (0, 0, 0), as COCO's keypoints files write them",
        )
    transcripts = dataset.table("transcripts")
    if transcripts.num_rows:
        report.lose(
            "transcript speakers",
            transcripts.num_rows - transcripts["speaker"].null_count,
            "COCO captions have no speaker",
        )
    report.transform(
        "items without a file name",
        int((~valid_mask(items["path"]) & ~only).sum()),
        "COCO needs file_name: the item id is used",
    )


def _image_field_metadata(items: pa.Table, only: np.ndarray) -> int:
    """How many items have metadata keyed as one of COCO's own image fields (``id``, ``file_name``, ...).

    The writer writes those fields from the item, so such metadata values are not written. Items written as
    detection results, whose metadata is lost whole, are not counted.
    """
    if not items.num_rows or items["metadata"].null_count == items.num_rows:
        return 0
    maybe = true_mask(pc.match_substring_regex(items["metadata"], r'"(?:id|file_name|width|height)":')) & ~only
    if not maybe.any():
        return 0
    texts = items["metadata"].filter(pa.array(maybe)).to_pylist()
    return sum(1 for text in texts if any(key in IMAGE_FIELDS for key in loads_text(text)))


def _foreign_extras(table: pa.Table, kind: str, target: str, report: Report) -> None:
    """Note extras keys of other formats (``voc:instance``), which COCO does not keep; report keys of none lost.

    So are the values of VOC's object extras that hold content
    (:func:`labelkit.formats.capability.report_annotation_extras`).

    Texts whose only strings are ``coco:`` keys are skipped by counting quotes; the rest are decoded (see
    :func:`labelkit.formats.capability.report_extras`).
    """
    if not table.num_rows:
        return
    extras = table["extras"]
    quotes = pc.count_substring(extras, '"')
    own = pc.count_substring(extras, '"coco:')
    maybe = pc.fill_null(pc.not_equal(quotes, pc.multiply(own, 2)), False)
    # (keys counted with numbers folded: a carried number no float holds, "coco:area": 1e400, is kept as written)
    keys = {key: n for key, n in extras_key_counts(extras.filter(maybe)).items() if not key.startswith("coco:")}
    # (VOC's parts, actions, flags and pose holding content are lost, a label's difficult flag too)
    report_annotation_extras(keys, extras.filter(maybe), "coco", target, report, kind)


def _count(mask: pa.ChunkedArray | pa.Array) -> int:
    return int(pc.sum(mask.cast(pa.int64())).as_py() or 0)
