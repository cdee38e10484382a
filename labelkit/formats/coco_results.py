"""Which items and objects COCO writes to detection-results files (used by :mod:`labelkit.formats.coco_plan`).

A detection-results file is a list of objects with scores: it lists no images and no categories, and its
objects are written as they are (see the README's COCO section).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_shapes import geometryless
from labelkit.formats.coco_text import STUFF_TAG
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, true_mask, valid_mask


def results_only(dataset: Dataset) -> np.ndarray:
    """Per item, whether it is written to detection-results files only (they list no images, only annotations)."""
    items = dataset.table("items")
    tasks: dict[str, set[str]] = {}
    for spec in dataset.info.extras.get("coco:files") or []:
        tasks.setdefault(spec.get("split") or "default", set()).add(spec.get("task"))
    only = sorted(split for split, kinds in tasks.items() if kinds == {"results"} and isinstance(split, str))
    if not only:  # (a split that is not text, from info extras built in code, names no item)
        return np.zeros(items.num_rows, dtype=bool)
    named = [*only, ""] if "default" in only else only  # (an item without a split, or "", is in "default")
    split = pc.fill_null(items["split"], "")
    mask = true_mask(pc.is_in(split, value_set=pa.array(named, pa.string())))
    # a split with an object without a score, which no results file holds, gets an instances file, which lists
    # its images (see coco_write.Writer._homeless): it is not results only (its labels and captions are lost)
    # (but not one COCO cannot write at all, lost whatever its split: it needs no file; see _written)
    objects = dataset.table("objects")
    unscored = ~valid_mask(objects["score"]) & valid_mask(objects["category_id"])
    housed = np.zeros(items.num_rows, dtype=bool)
    if unscored.any():
        positions = dataset.item_positions()
        unscored &= (positions >= 0) & mask[np.maximum(positions, 0)]  # (only those in such a split matter)
        if unscored.any():
            unscored[unscored] = _written(objects.filter(pa.array(unscored)), dataset)
            housed[positions[unscored]] = True
    if (mask & housed).any():
        split_np = np.asarray(pc.if_else(pc.equal(split, ""), "default", split).to_numpy(zero_copy_only=False))
        mask &= ~np.isin(split_np, np.unique(split_np[mask & housed]))
    return mask


def written_as_detections(objects: pa.Table, dataset: Dataset) -> np.ndarray:
    """Per object: a detection, written to a detection-results file.

    One with a score read from a results file (tagged ``results``): back to its split's results file, or to one
    made for it in a split without (:func:`~labelkit.formats.coco_homes.file_homes`); and one with a score in a
    split read from a results file alone. (An object without a score in a results-only split is none: lost, as a
    results file cannot hold it; one read from a results file whose score was taken away goes to an instances file.)
    """
    scored = valid_mask(objects["score"])
    detections = contains_match(objects["extras"], f'"{STUFF_TAG}":"results"') & scored
    only = results_only(dataset)
    if only.any():
        items = dataset.table("items")
        item_of = np.asarray(pc.index_in(objects["item_id"], value_set=items["id"]).fill_null(-1), np.int64)
        on = item_of >= 0
        detections[on] |= only[item_of[on]] & scored[on]
    return detections


def _written(objects: pa.Table, dataset: Dataset) -> np.ndarray:
    """Per object without a score: whether COCO writes it (``coco_plan.writable`` loses the others in any split).

    Not one without geometry, nor one whose only geometry COCO's reader refuses (a box of negative width or
    height, a mask of another size than its image, keypoints of another count than its category's names, taken
    out), nor one with no area inside its image, nor any in a dataset that defines no categories.
    """
    from labelkit.formats import coco_misfits  # (coco_misfits imports this module)

    if not dataset.categories:
        return np.zeros(objects.num_rows, dtype=bool)
    written = ~geometryless(objects)
    objects, misfit, negative, odd = coco_misfits.refused_geometry_taken_out(objects, dataset.table("items"))
    wrong = coco_misfits.wrong_keypoint_counts(objects, dataset)[0]
    if wrong.any():  # (writable writes them unlabelled, which is none labelled: as none)
        keypoints = pc.if_else(
            pa.array(wrong), pa.scalar(None, objects.schema.field("keypoints").type), objects["keypoints"]
        )
        objects = objects.set_column(objects.schema.get_field_index("keypoints"), "keypoints", keypoints)
    written &= ~coco_misfits.left_without_geometry(objects, misfit | negative | wrong | odd)
    if written.any():
        tagged = contains_match(objects["extras"], f'"{STUFF_TAG}":"results"')  # (in a results split: detections)
        written &= ~coco_misfits.wholly_outside(objects, dataset, detections=tagged)
    return written


def detections_of(labels: pa.Table) -> pa.Array:
    """Per label (or caption: none), whether it was read from a detection-results file, where it goes back.

    Such a label is a detection without geometry (``{"image_id", "category_id", "score"}``), which ``loadRes`` takes.
    """
    if "text" in labels.column_names:  # (a caption: not a detection)
        return pa.array(np.zeros(labels.num_rows, dtype=bool))
    return pa.array(contains_match(labels["extras"], f'"{STUFF_TAG}":"results"'))


def detection_item_ids(objects: pa.Table, labels: pa.Table) -> pa.Array:
    """The item ids of the objects and of the labels read from a detection-results file (see :func:`detections_of`)."""
    held = labels["item_id"].filter(detections_of(labels))
    return pa.concat_arrays([objects["item_id"].combine_chunks(), held.combine_chunks().cast(objects["item_id"].type)])
