"""What each YOLO task cannot hold: the report of a conversion to YOLO, before anything is written.

``check`` counts, per task, the objects and fields the chosen task loses or changes (geometry it lacks, images
of unknown size, unknown classes, rounding, DOTA flags); :mod:`labelkit.formats.yolo_write` writes what it keeps.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from labelkit.errors import OutputError
from labelkit.formats.base import Capabilities
from labelkit.formats.capability import check_capabilities
from labelkit.formats.yolo_classify import check_classify, check_classify_media, filed_only, require_media
from labelkit.formats.yolo_clipping import clipped_objects, clipping, rounding
from labelkit.formats.yolo_config_files import (
    darknet_names,
    flip_idx_fits,
    split_notes,
)
from labelkit.formats.yolo_layout import MAX_KEYPOINTS
from labelkit.formats.yolo_lines import columns, keypoint_count, segment_box_gaps, traced_masks
from labelkit.formats.yolo_media import (
    is_image,
    media_root_of,
    media_source,
    placed_image_size,
    sized_by_files,
    stays_inside,
)
from labelkit.formats.yolo_numbers import precision_of, rounded
from labelkit.formats.yolo_readback import report_read_back
from labelkit.formats.yolo_rings import quad_rings
from labelkit.formats.yolo_write import (
    item_files,
    kpt_dims_of,
    refuse_differing_shared_files,
    task_of,
    title_for,
    untrained_images_note,
    written_rows,
)
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import valid_mask
from labelkit.report import Report


def _task_caps(
    kinds: set[str],
    shapes: frozenset[str] = frozenset(),
    geometry: frozenset[str] = frozenset(),
    category_fields: frozenset[str] = frozenset(),
) -> Capabilities:
    """A task's capabilities: YOLO keeps class names, numbered by position, and (pose) keypoint names."""
    return Capabilities(
        kinds=frozenset(kinds),
        shapes=shapes,
        geometry=geometry,
        extras="yolo",
        category_ids=False,
        category_fields=category_fields,
    )


_TASK_CAPS: dict[str, Capabilities] = {
    "detect": _task_caps({"object"}, frozenset({"box"}), frozenset({"bbox"})),
    # masks are traced (see _traced), so check() reports them itself
    "segment": _task_caps({"object"}, frozenset({"polygon", "mask"}), frozenset({"bbox", "angle", "polygon", "mask"})),
    # a 4-corner polygon is written as it is drawn; check() reports the other polygons
    "obb": _task_caps({"object"}, frozenset({"box", "polygon"}), frozenset({"bbox", "angle", "polygon"})),
    # pose keeps each class's list of K keypoint names; check() counts the categories whose lists are not K
    # long, and the skeletons
    "pose": _task_caps(
        {"object"}, frozenset({"box"}), frozenset({"bbox", "keypoints"}), frozenset({"keypoints", "skeleton"})
    ),
    "classify": replace(_task_caps({"label"}), category_ids=True),  # (check() counts classify's renumbering)
}


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what the chosen task cannot hold: geometry it lacks, unsized images, unknown classes."""
    task = task_of(dataset, options)
    if task != "classify":  # (which holds no size)
        dataset, sized = sized_by_files(dataset, options)  # (as write() sizes them)
        with_objects = np.zeros(dataset.table("items").num_rows, dtype=bool)
        positions = dataset.item_positions()
        with_objects[positions[positions >= 0]] = True
        report.transform(  # (an item of no object read back of its file's size before: nothing of it changes)
            "item sizes",
            int(with_objects[sized].sum()),
            "items of unknown size take their image file's, as a YOLO reader does, so their objects are written",
        )
    target = title_for(dataset, options)
    kept = (  # (what is lost whole is not counted again for a field it carried)
        filed_only(dataset, str(options.get("split") or "train"))
        if task == "classify"
        else written_objects_only(dataset, task, options)
    )
    check_capabilities(kept, _TASK_CAPS[task], target, report)
    if task != "classify" and options.get("layout") == "darknet":
        changed = sum(n != c.name for n, c in zip(darknet_names(dataset), dataset.categories, strict=True))
        report.lose(
            "category names",
            changed,
            "obj.names holds a name a line without surrounding spaces: line breaks are written as spaces, "
            "spaces around a name dropped, a byte-order mark (U+FEFF) starting the first dropped, a blank last "
            "name written as class_<index>",
        )
    if task == "classify":
        require_media(str(options.get("media") or "none"), options.get("media_root"))
        check_classify(dataset, report, str(options.get("split") or "train"))
        root = media_root_of(options)
        assert root is not None  # (require_media: given)
        report.transform(
            "item sizes",
            check_classify_media(dataset, root),
            "YOLO classify holds no image size: a reader takes the image file's, which differs from the item's",
        )
        return
    for note in split_notes(dataset, options):
        report.note(note)
    if untrained := untrained_images_note(dataset, options):
        report.note(untrained)
    report_read_back(dataset, report, options, kept)
    files = media_sizes(dataset, options)  # (media=copy or link: the sizes read from the image files, each checked)
    items = dataset.table("items")
    resized = np.zeros(len(files), dtype=bool)  # (media=none reads no file: nothing differs)
    if any(size is not None for size in files):
        item_sizes = zip(files, items["width"].to_pylist(), items["height"].to_pylist(), strict=True)
        resized = np.array(  # (an item of unknown size takes its file's: nothing of it changes)
            [size is not None and w is not None and h is not None and size != (w, h) for size, w, h in item_sizes],
            dtype=bool,
        )
    report.transform(  # (with or without objects: an item's size reads back as its file's)
        "item sizes",
        int(resized.sum()),
        f"a {target} reader takes each image's size from its file, which differs from the item's",
    )
    objects = dataset.table("objects")
    if not objects.num_rows:
        if task == "pose":  # (a dataset of no objects still writes its classes' keypoint names: kpt_shape)
            k = keypoint_count(dataset)
            _check_keypoint_count(k)
            _check_pose_classes(dataset, report, k)
        return
    cols = columns(dataset, task)
    report.lose(
        "objects without a known category",
        int(((cols.category < 0) & (cols.item >= 0)).sum()),
        f"{target} needs a class",
    )
    report.lose("objects of unknown items", int((cols.item < 0).sum()), "their item is not in the dataset")
    unsized = (cols.width <= 0) | (cols.height <= 0)
    report.lose(  # (objects counted lost above are not counted again)
        "objects on images of unknown size",
        int((unsized & (cols.category >= 0) & (cols.item >= 0)).sum()),
        f"{target} coordinates are normalised by the image size",
    )
    # every count below is of objects that are written (cols.usable), so none is also counted as lost
    has_polygon = valid_mask(objects["polygon"])
    drawable = cols.drawable  # a polygon with a ring of at least 3 points; any other is no polygon
    what = "objects without a box or polygon" + (" or traceable mask" if task == "segment" else "")
    report.lose(
        what, int((cols.placed & ~cols.usable & ~cols.outside & ~cols.negative).sum()), f"{target} needs coordinates"
    )
    report.lose(
        "boxes of negative width or height",
        int(cols.negative.sum()),
        f"a {target} box has a size: their objects are not written",
    )
    report.lose(
        "objects with no area inside the image",
        int(cols.outside.sum()),
        "the box lies outside the image: clipped to it, it would have no width or height",
    )
    precision = precision_of(options)
    written = written_rows(dataset, task, options)
    refuse_differing_shared_files(dataset, task, options)  # (two images of one label file: x.jpg and x.png)
    emptied = clipping(dataset, task, cols, precision, kpt_dims_of(dataset, options)).emptied & cols.usable
    report.lose(
        "objects clipped to nothing",
        int(emptied.sum()) if task in ("segment", "obb") else 0,
        "their points lie beyond an edge of the image: clipped to it, they would have no width or height, which"
        f" {target} readers cannot use: not written",
    )
    report.lose(
        "objects whose coordinates round to a zero box",
        int((cols.usable & ~written & ~emptied).sum()),
        f"at {precision} decimals their {'box' if task in ('detect', 'pose') else 'points'} would have no width "
        f"or height, which {target} readers cannot use: not written",
    )
    if resized.any():
        report.transform(
            "objects",
            int(resized[cols.item[written]].sum()),
            "normalised by their item's size, which their image file's differs from: they read back scaled to the file",
        )
    rings, ring_len = G.ring_lengths(objects["polygon"])
    has_mask = valid_mask(objects["mask"])
    if task in ("segment", "obb"):
        report.lose(
            "polygons without a ring of 3 points",
            int((written & has_polygon & ~drawable).sum()),
            f"{target} draws no such polygon; the object's "
            + ("box or traced mask is written" if task == "segment" else "box is written"),
        )
    if task == "segment":
        angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False))
        plain = written & ~drawable & ~has_mask
        if (has_mask & ~drawable).any():  # (an empty mask traces to nothing: the object's box is written)
            empty_rows = np.asarray(traced_masks(dataset).empty, dtype=np.int64)
            plain[empty_rows] = written[empty_rows]
            misfit = written & ~drawable & dataset.masks_of_another_size()  # (not traced: the box is written)
            plain |= misfit
            report.lose(
                "masks of another size than their image",
                int(misfit.sum()),
                "YOLO segment normalises a ring by its image's size: traced at the mask's pixels, it would be "
                "drawn elsewhere; the object's box is written",
            )
        report.transform("boxes", int((plain & (angle == 0)).sum()), "YOLO segment writes a box as a 4-point polygon")
        report.transform(
            "rotated boxes", int((plain & (angle != 0)).sum()), "YOLO segment writes a rotated box as its 4 corners"
        )
        report.lose(
            "masks of objects that also have a polygon",
            int((written & has_mask & drawable).sum()),
            "YOLO segment holds one shape per object; the polygon is written",
        )
        boxed = written & valid_mask(objects["bbox"])
        shaped = boxed & drawable  # (and the traced masks below): written as a ring, their box is not
        if (has_mask & ~drawable).any():
            traced = traced_masks(dataset)
            traced_rows = np.fromiter(traced.rings, dtype=np.int64, count=len(traced.rings))
            shaped[traced_rows] = boxed[traced_rows]
            inexact = int(written[traced.inexact].sum())
            report.transform(
                "masks",
                int(written[np.fromiter(traced.rings, dtype=np.int64, count=len(traced.rings))].sum()) - inexact,
                "traced into polygons along pixel edges (exactly their pixels)",
            )
            report.lose(
                "masks with holes or several regions",
                inexact,
                "traced into one polygon: the largest region's outer boundary (holes filled, other regions lost)",
            )
            empty = int(written[traced.empty].sum())
            report.lose("empty masks", empty, "no pixel to trace; the object's box is written")
        _report_segment_boxes(dataset, report, shaped)
        kept = written & drawable
        holes = G.hole_counts(objects["polygon_holes"])[1][kept]
        report.lose(
            "polygon holes",
            int(holes.sum()),
            "YOLO segment holds one ring per object and no holes: the area of a hole is covered by the ring written",
        )
        report.lose(
            "polygon rings beyond the largest",
            int(np.maximum(rings[kept] - 1 - holes, 0).sum()),
            "YOLO segment holds one ring per object; the largest is written",
        )
    elif task == "obb":
        first = np.concatenate([[0], np.cumsum(rings)])[:-1]  # each object's first ring (when it has one)
        quad = rings == 1  # (one ring of 4 points, or a closed ring of 5: its corners are written)
        _, _, coords = G.flat_rings(objects["polygon"])
        starts = np.concatenate([[0], np.cumsum(ring_len)])[first[quad]]
        closed = np.zeros(len(quad), dtype=bool)
        closed[quad] = ring_len[first[quad]] == 10
        quad[quad] = quad_rings(coords, starts, ring_len[first[quad]])
        report.transform(
            "closed 4-corner polygons",
            int((written & quad & closed).sum()),
            "YOLO obb writes their 4 corners: the fifth point, repeating the first, is not written",
        )
        report.lose(
            "polygons",
            int((written & drawable & ~quad).sum()),
            "YOLO obb holds 4-corner boxes; the object's box is written, or the polygon's bounds without one",
        )
        drawn_polygon = np.asarray(pc.equal(objects["shape"], "polygon").fill_null(False), dtype=bool)
        report.transform(  # (as detect's and pose's generic check says of every polygon object)
            "polygon objects",
            int((written & drawn_polygon & ~quad).sum()),
            "YOLO obb keeps the drawn shape 'polygon' of a 4-point polygon only: the others are written as their "
            "box, which reads back drawn as a box",
        )
        report.lose(
            "boxes unlike their 4-point polygon",
            int(_boxes_unlike_quads(objects, written & quad, first, (cols.width, cols.height)).sum()),
            "YOLO obb writes the 4-point polygon as the object's corners; a reader takes their rectangle, or their "
            "bounds, as the box",
        )
        report.transform(
            "rectangular 4-point polygons",
            int(_rectangles_read_as_boxes(objects, written & quad, first, (cols.width, cols.height)).sum()),
            "YOLO obb writes their corners, which a reader takes for a rotated box: the object reads back as that "
            "box and its angle, drawn as a box, without the polygon",
        )
        boxes, has_box = G.bbox_columns(objects["bbox"])
        report.transform(  # (the box is written when no 4-point polygon is: a line or a point has no rectangle)
            "boxes of no width or height",
            int((written & ~quad & has_box & ((boxes[:, 2] == 0) | (boxes[:, 3] == 0))).sum()),
            "YOLO obb writes their 4 corners, which a reader cannot take for a rectangle: the object reads back "
            "drawn as a polygon of those corners, with their bounds as its box and no angle",
        )
    if task in ("detect", "pose"):  # (both write a box: pose's is detect's, followed by the keypoints)
        angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False))
        # (a polygon that is its box's rectangle is written as that box, and an object's own box is written as it is
        # beside any polygon, COCO's: no bounds taken)
        rectangle = G.box_rectangles(objects["polygon"], objects["bbox"], objects["angle"])
        own_box = G.bbox_columns(objects["bbox"])[1]
        bounded = int((written & ((angle != 0) | (has_polygon & ~rectangle & ~own_box))).sum())
        if bounded:
            report.note(f"{bounded:,} rotated boxes and polygons are written as their axis-aligned bounding boxes")
    if task == "pose":
        k = keypoint_count(dataset)
        _check_keypoint_count(k)
        lengths = (
            np.asarray(pc.list_value_length(objects["keypoints"]).fill_null(0).to_numpy(zero_copy_only=False)) // 3
        )[written]
        if k:
            report.transform(
                "objects without keypoints",
                int((lengths == 0).sum()),
                f"YOLO pose writes them with {k} unlabelled keypoints",
            )
        else:  # (with no keypoint anywhere, kpt_shape is [0, D] and the lines are plain boxes)
            report.note(
                f"no object or class has keypoints: data.yaml's kpt_shape is [0, {kpt_dims_of(dataset, options)}] "
                "and each line holds a box alone, as YOLO detect's do (a pose model learns no keypoint from them)"
            )
        report.transform(
            "objects with fewer keypoints",
            int(((lengths > 0) & (lengths < k)).sum()),
            f"padded to {k} unlabelled keypoints",
        )
        _check_pose_classes(dataset, report, k)
        if kpt_dims_of(dataset, options) == 2:
            rows = np.flatnonzero(written)
            kp = objects["keypoints"].take(rows).combine_chunks()
            points = np.asarray(pc.list_value_length(kp).fill_null(0).to_numpy(zero_copy_only=False)) // 3
            kp = kp.flatten().to_numpy(zero_copy_only=False)
            # as written: clipped to the image (a point past its top-left corner lands on 0 0, read as unlabelled),
            # and rounded (a point near it is written 0.00 0.00 with precision=2)
            x, y, v = kp[0::3], kp[1::3], kp[2::3]
            width, height = np.repeat(cols.width[rows], points), np.repeat(cols.height[rows], points)
            if precision is None:
                on_corner = (np.clip(x, 0.0, width) == 0) & (np.clip(y, 0.0, height) == 0)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    nx, ny = np.clip(x / width, 0.0, 1.0) + 0.0, np.clip(y / height, 0.0, 1.0) + 0.0
                on_corner = (rounded(nx, precision) == 0) & (rounded(ny, precision) == 0)
            # (read back: 2 for a point written elsewhere than 0 0, else 0; a flag of 0.5, 3 or -1 changes too)
            back = np.where((v > 0) & ~on_corner, 2.0, 0.0)
            report.lose(
                "keypoint visibility flags",
                int((v != back).sum()),
                "kpt_dims=2 cannot tell occluded from visible, and reads a point at 0 0 as unlabelled",
            )
            report.lose(
                "coordinates of unlabelled keypoints",
                int(((v <= 0) & ((x != 0) | (y != 0))).sum()),
                "kpt_dims=2 writes an unlabelled point as 0 0 (that is how it is told apart)",
            )
            # (every line holds k points: those an object lacks are padded unlabelled, written 0 0 too, whatever
            # the dataset was read from; points read from a [K, 2] file were 0 0 there, or negative, which the read
            # notes: written as read)
            padded = k * len(rows) - len(v)
            unlabelled = 0 if dataset.info.extras.get("yolo:kpt_dims") == 2 else int((v <= 0).sum())
            report.lose(
                "unlabelled keypoints",
                padded + unlabelled,
                "kpt_dims=2 writes an unlabelled point as 0 0, which Ultralytics reads as a visible keypoint at the "
                "image's top-left corner (with kpt_shape [K, 2] it takes a point for missing only by a negative "
                "coordinate)",
            )
    if precision is not None:
        changed = rounding(dataset, task, cols, precision, kpt_dims_of(dataset, options)).changed[written]
        report.transform(
            "objects",
            int(np.count_nonzero(changed)),
            f"{int(changed.sum()):,} of their coordinates rounded to {precision} decimals",
        )
    # (counted here, not by write(), so a plan reports it too; write() clips the same rows: see clipped_objects)
    clipped = clipped_objects(dataset, task, cols, precision, kpt_dims_of(dataset, options))
    report.transform("objects", int((clipped & written).sum()), "coordinates outside the image were clipped to [0, 1]")


def _check_keypoint_count(k: int) -> None:
    if k > MAX_KEYPOINTS:  # (a reader, labelkit's included, would refuse the kpt_shape)
        raise OutputError(
            f"YOLO pose holds at most {MAX_KEYPOINTS:,} keypoints per object; this dataset has {k:,}",
            hint="drop the keypoints (another task) or write another format",
        )


def _check_pose_classes(dataset: Dataset, report: Report, k: int) -> None:
    """Report what YOLO pose's data.yaml cannot hold of the classes: skeletons, a flip_idx or names not K long.

    Run whether or not the dataset has objects: a dataset of none still writes its classes (it lost its
    skeletons unsaid).
    """
    report.lose(
        "skeletons", sum(1 for c in dataset.categories if c.skeleton), "YOLO pose has no skeleton (only flip_idx)"
    )
    flip = dataset.info.extras.get("yolo:flip_idx")
    report.lose(
        "flip_idx",
        int(flip is not None and not flip_idx_fits(flip, k)),
        f"data.yaml's flip_idx lists {k} keypoint indexes below {k} (kpt_shape: Ultralytics refuses another "
        "length): the dataset's does not, and is not written",
    )
    report.lose(
        "category keypoint names",
        sum(1 for c in dataset.categories if c.keypoints and len(c.keypoints) != k),
        f"data.yaml's kpt_names holds {k} names per class (kpt_shape)",
    )
    report.transform(
        "categories without keypoint names",
        sum(1 for c in dataset.categories if not c.keypoints) if k else 0,
        f"a reader names the {k} keypoints (kpt_shape) of a class data.yaml's kpt_names does not name '0', '1', ...: "
        "they read back so named",
    )


BOX_TOLERANCE = 1e-6
"""Pixels: a box whose sides lie within this of its written ring's bounds reads back as itself (float noise)."""


def _report_segment_boxes(dataset: Dataset, report: Report, shaped: np.ndarray[Any, Any]) -> None:
    """Report the boxes a segment line does not give back: a reader takes the written ring's bounds.

    ``shaped`` are the written objects with a box and a drawable polygon; those with a box whose mask is
    traced are added here. Within a pixel (pixel-centre against pixel-edge outlines, a box rounded to 2
    decimals) the box is transformed; further, or rotated, it is lost.
    """
    gap = segment_box_gaps(dataset, np.flatnonzero(shaped))
    differs = gap > BOX_TOLERANCE
    far = gap > 1 + BOX_TOLERANCE
    what, why = "boxes unlike their polygon's bounds", "YOLO segment holds no box (a reader takes the ring's bounds)"
    report.transform(what, int((differs & ~far).sum()), f"{why}: within a pixel")
    report.lose(what, int(far.sum()), f"{why}: more than a pixel off, or rotated")


def written_objects_only(dataset: Dataset, task: str, options: dict[str, Any]) -> Dataset:
    """The dataset with only the objects the task writes.

    An object lost whole (no class, no image size, no coordinates: check() counts those) is then not counted
    again for a field it carried.
    """
    objects = dataset.table("objects")
    if task == "classify" or not objects.num_rows:
        return dataset
    return dataset.with_objects(written_rows(dataset, task, options))


def media_sizes(dataset: Dataset, options: dict[str, Any]) -> list[tuple[int, int] | None]:
    """With ``media=copy`` or ``link``, the size a reader finds in each item's image (from its header).

    A reader normalises by the file's size: the plan reports the objects of an item of another size (the sizes
    are read at each plan, not kept: the files may change between two). None where the item has no image file
    a reader takes. An image the write would refuse is refused here, as the write names it: a dry run passed
    over a missing one, and the write refused it.

    Raises:
        InputError: an image missing from ``media_root``, leading out of it (:func:`media_source`), or, named
            as an image, whose header a reader cannot read (:func:`placed_image_size`).
    """
    root = media_root_of(options)
    if str(options.get("media") or "none") == "none" or root is None:
        return [None] * dataset.table("items").num_rows
    items = dataset.table("items")
    image_rel, paths, splits = item_files(dataset, options).image_rel, items["path"].to_pylist(), items["split"]
    ids = [str(v) for v in items["id"].to_pylist()]
    sizes: list[tuple[int, int] | None] = []
    for item, rel, source, split in zip(ids, image_rel, paths, splits.to_pylist(), strict=True):  # (in the write's
        size = None  # order: its first error is named)
        if source and stays_inside(source):  # (a path leaving media_root is refused naming its item: see api.save)
            file = media_source(root.of(split, item), source, root.bound)[0]
            size = placed_image_size(file, file) if is_image(Path(rel)) else None
        sizes.append(size)
    return sizes


# -- file names ------------------------------------------------------------------------------------


def _quad_corners(objects: Any, rows: np.ndarray[Any, Any], first: np.ndarray[Any, Any]) -> Any:
    """The 4 corners ``(len(rows), 4, 2)`` of each row's first ring (a 4-point ring, or a closed one of 5)."""
    _, ring_len, coords = G.flat_rings(objects["polygon"])
    starts = np.concatenate([[0], np.cumsum(ring_len)])[first[rows]]
    return coords[(starts[:, None] + np.arange(8)).reshape(-1)].reshape(-1, 4, 2)


def _own_corners(boxes: Any, angle: Any, quad: Any, any_order: bool = True) -> Any:
    """Per row, whether the box turned by its angle has the 4 corners ``quad`` (within 1e-6 of a pixel).

    From any first corner, either way round; or (not ``any_order``) in the order COCO writes a box's polygon, from
    its turned top-left corner clockwise (``geometry.rotated_box_corners``).
    """
    corners = G.rotated_box_corners(boxes, angle).reshape(-1, 4, 2)
    same = np.zeros(len(quad), dtype=bool)
    for order in ([0, 1, 2, 3], [3, 2, 1, 0]) if any_order else ([0, 1, 2, 3],):
        for shift in range(4) if any_order else (0,):
            turned = corners[:, np.roll(order, shift)]
            same |= np.all(np.abs(turned - quad) <= 1e-6, axis=(1, 2))
    return same


def _rectangles_read_as_boxes(
    objects: Any, quads: np.ndarray[Any, Any], first: np.ndarray[Any, Any], size: tuple[Any, Any]
) -> Any:
    """Objects whose 4-point polygon (``quads``) OBB writes as corners that a reader takes for a rotated box.

    A reader holds a rectangle's corners (as written: clipped to the image, ``size`` per object row) as a box and
    angle, drawn as a box, without a polygon; an object whose own box, turned by its angle, has those corners
    gives back what it had (a box-shaped polygon, as COCO writes a box: from the box's turned top-left corner,
    clockwise), any other changes its box, angle and drawn shape (a rotated rectangle whose box was its bounds, or
    with no box), or loses the order of its corners (the box's own, from another corner or anticlockwise).
    """
    rows = np.flatnonzero(quads)
    out = np.zeros(len(quads), dtype=bool)
    if not len(rows):
        return out
    quad = _quad_corners(objects, rows, first)
    side = np.stack([size[0][rows], size[1][rows]], axis=1)[:, None, :]
    clipped = np.clip(quad, 0.0, side)
    _, _, rectangle = G.corners_to_rotated_box(clipped.reshape(-1, 8))
    boxes, has_box = G.bbox_columns(objects["bbox"])
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)[rows]
    # (clipped, they are reported clipped; in another order, or from another corner, the polygon held that order)
    own = has_box[rows] & _own_corners(boxes[rows], angle, quad, any_order=False)
    out[rows] = rectangle & ~own
    return out


def _boxes_unlike_quads(
    objects: Any, quads: np.ndarray[Any, Any], first: np.ndarray[Any, Any], size: tuple[Any, Any]
) -> Any:
    """Objects with a box and a 4-point polygon (``quads``) whose box the polygon OBB writes does not give back.

    A reader gives a rectangle's corners back as a box and angle, and other corners with their bounds as the
    box: a box (turned by its angle) whose corners are the polygon's, or an unturned box that is its bounds, is
    kept (within 1e-6 of a pixel, as elsewhere), and so is one that is the bounds of the corners clipped to the
    image (``size``: per object row, its image's width and height), as they are written; any other box is lost.
    """
    boxes, has_box = G.bbox_columns(objects["bbox"])
    rows = np.flatnonzero(quads & has_box & (boxes[:, 2] >= 0) & (boxes[:, 3] >= 0))  # (a negative box: never)
    out = np.zeros(len(quads), dtype=bool)
    if not len(rows):
        return out
    quad = _quad_corners(objects, rows, first)
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)[rows]
    same = _own_corners(boxes[rows], angle, quad)  # (the same 4 corners, from any first corner, either way round)
    # an unturned box that is the corners' bounds, as given or clipped to the image (as written)
    side = np.stack([size[0][rows], size[1][rows]], axis=1)[:, None, :]
    bounded = np.zeros(len(rows), dtype=bool)
    for points in (quad, np.clip(quad, 0.0, side)):
        low, high = points.min(axis=1), points.max(axis=1)
        bounded |= np.all(np.abs(boxes[rows] - np.concatenate([low, high - low], axis=1)) <= 1e-6, axis=1)
    out[rows] = ~(same | (bounded & (angle == 0)))
    return out


def outside_rows(dataset: Dataset) -> list[tuple[int, str]]:
    """``validate``'s findings on a YOLO dataset read: the object rows writing it back clips or loses, and why.

    The rows are those :func:`check` counts, for the task read (as YOLO -> YOLO writes it): objects with no
    area inside their image, objects clipped to nothing (segment, OBB), then objects a coordinate of which is
    clipped to [0, 1]; in row order, which is file and line order.
    """
    task = task_of(dataset, {})
    if task == "classify" or not dataset.table("objects").num_rows:
        return []
    cols = columns(dataset, task)
    clipped = clipping(dataset, task, cols, None, kpt_dims_of(dataset, {}))
    what = np.zeros(len(cols.usable), dtype=np.int8)
    flagged = clipped.clipped & written_rows(dataset, task, {})
    if task == "detect":  # (see _box_numbers_outside)
        flagged &= _box_numbers_outside(dataset, cols.width, cols.height)
    what[flagged] = 1
    what[clipped.emptied & cols.usable & (task in ("segment", "obb"))] = 2
    what[cols.outside] = 3
    return [(row, _OUTSIDE[int(what[row])]) for row in np.flatnonzero(what).tolist()]


def _box_numbers_outside(dataset: Dataset, widths: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Per object, whether a number of its YOLO box (centre and size, normalised) lies outside [0, 1].

    Ultralytics takes a box by those numbers, each in [0, 1], and refuses an image's labels otherwise; a box
    whose edge crosses the image's (``0.95 0.5 0.2 0.2``, or ``0.880637 0.5 0.238727 0.2``, whose 6 decimals
    put its edge 0.0000005 past it) it reads as it is, and writing YOLO clips it (a transformed line of the
    report): valid, no finding. False for an object without a box.
    """
    bbox = dataset.table("objects")["bbox"]
    boxed = valid_mask(bbox)
    out = np.zeros(len(boxed), dtype=bool)
    if not boxed.any():
        return out
    boxes = pc.list_flatten(bbox).to_numpy(zero_copy_only=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        numbers = G.xywh_to_yolo(boxes, widths[boxed], heights[boxed])
    out[boxed] = ((numbers < -_NOISE) | (numbers > 1 + _NOISE)).any(axis=1)
    return out


_NOISE = 1e-9
"""How far a box's number computed back from pixels may stray from the one read (float rounding)."""
_OUTSIDE = {
    1: "coordinates outside the image: writing YOLO clips them to [0, 1]",
    2: "an object clipped to nothing: its points lie beyond an edge of the image: clipped to it, they would have "
    "no width or height, which YOLO readers cannot use: writing YOLO loses it",
    3: "an object with no area inside the image: the box lies outside the image: clipped to it, it would have no "
    "width or height: writing YOLO loses it",
}
