"""What COCO can hold, found before writing (used by :mod:`labelkit.formats.coco`).

What it cannot write at all (:func:`writable`, taken out by ``api``), and what it loses or transforms
(:func:`check_dataset`, for the report). The objects COCO's reader would refuse, or that have no area inside
their image, are found in :mod:`labelkit.formats.coco_misfits`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import shown
from labelkit.formats import holes_alone
from labelkit.formats.base import Capabilities
from labelkit.formats.capability import (
    check_capabilities,
    check_category_and_info_extras,
    extras_key_counts,
    report_annotation_extras,
)
from labelkit.formats.coco_categories import (
    ADDED_SKELETONS,
    REFUSED_CATEGORY_FIELDS,
    added_skeletons,
    category_field_fits,
    category_record,
    skeleton_indexes_outside,
)
from labelkit.formats.coco_geometry import BBOX_TOLERANCE
from labelkit.formats.coco_homes import files_read, keypoints_file_values, sane_files
from labelkit.formats.coco_ids import ids_read_back_otherwise, image_numbers
from labelkit.formats.coco_images import UNNAMED_NOW_NAMED, unnamed_now_named
from labelkit.formats.coco_misfits import (
    left_without_geometry,
    odd_visibilities,
    refused_geometry_taken_out,
    unlabelled_keypoints,
    wholly_outside,
    wrong_keypoint_counts,
)
from labelkit.formats.coco_names import NORMALISED, normalised_files, renamed_files, split_file, split_file_ok
from labelkit.formats.coco_own import (
    odd_boxes_and_points_taken_out,
    odd_regions_taken_out,
    own_category_fields_lost,
    own_members_taken_out,
    own_objects_lost,
    zero_posed,
)
from labelkit.formats.coco_records import IMAGE_FIELDS
from labelkit.formats.coco_results import detection_item_ids, detections_of, results_only, written_as_detections
from labelkit.formats.coco_shapes import (
    drawn_polygons,
    far_polygons_clipped,
    geometryless,
    holes_too_large_dropped,
    image_sizes,
    known_sizes,
    read_back_sizes,
    redrawn,
    refuse_past_float64,
    turned_boxes,
    written_boxes,
)
from labelkit.formats.coco_sizes import report_sizes
from labelkit.formats.coco_text import attributes_twice, carried_fields
from labelkit.model import Dataset, raster
from labelkit.model import geometry as G
from labelkit.model.rle import bad_mask_error
from labelkit.model.tables import loads_text, true_mask, valid_mask
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


def _holes_alone_taken_out(objects: pa.Table, tables: dict[str, pa.Table], losses: list[tuple[str, int, str]]) -> None:
    """Polygons of holes alone taken off their objects (:mod:`.holes_alone`), into ``tables``, with ``losses``.

    COCO wrote such a polygon as an empty RLE mask with the hole's bounds as its box, which COCOeval's bbox mode
    takes for an object; on an image of unknown size, dropped while the report counted it written.
    """
    other = valid_mask(objects["bbox"]) | valid_mask(objects["mask"]) | G.labelled_keypoints(objects["keypoints"])
    kept, lost = holes_alone.taken_off(objects, other)
    if lost:
        losses.extend(lost)
        tables["objects"] = kept


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset COCO can write, and what it leaves out (as ``report.lose`` arguments; see ``base.WRITABLE``).

    - (Images without a size are kept: they are written 0 x 0, as Datumaro writes them; see ``coco_sizes``.)
    - Objects and image labels without a category: a COCO annotation needs a ``category_id``.
    - Boxes of negative width or height (COCO's reader refuses them): the object is written without its box.
    - Keypoint sets whose length differs from their category's keypoint names (COCO's reader refuses them):
      the object is written with every point unlabelled (:func:`unlabelled_keypoints`).
    - Polygons of holes alone (:func:`_holes_alone_taken_out`), which cover nothing; objects with nothing else, whole.
    - Objects without geometry (no box, mask, labelled keypoints or polygon ring of 3 points), as given or left
      so by those (their only box, mask or labelled keypoints refused): not written, lost once as such, not
      also for a field, a ring or a flag of theirs.
    - Keypoint visibilities other than 0, 1 and 2 outside detection results (see :func:`odd_visibilities`).
    - Objects with no area inside their image (:func:`wholly_outside`): clipped to it, as the writer clips a
      box reaching outside, their box would have no width or height. They are not written.
    - Items of a split whose files Windows cannot hold (``instances_a:b.json``, on NTFS stream ``b.json`` of a
      file ``instances_a``), as YOLO and VOC leave out those of a folder or list ``a:b``; or no file system
      (``person_keypoints_<split>.json`` over 255 bytes: a split of more than 233 bytes), as they leave out
      those of a folder or list of too long a name.
    """
    files = dataset.info.extras.get("coco:files")
    if files is not None and (sane := sane_files(files)) != files:  # (edited bookkeeping: what the writer cannot
        dataset = dataset.copy()  # read is left out)
        if sane is None:
            del dataset.info.extras["coco:files"]
        else:
            dataset.info.extras["coco:files"] = sane
    splits = [s or "default" for s in dataset.table("items")["split"].to_pylist()]
    unholdable = {s for s in set(splits) if not split_file_ok(s)}
    owners = [n for n, s in enumerate(splits) if s in unholdable] if unholdable else []
    paths = [split_file(splits[n]) for n in owners]
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
            if name == "objects":  # (a results file holds objects with a score only: those of any split there)
                listed = pa.array(~written_as_detections(table, dataset))
            if n := int(pc.sum(listed.cast(pa.int64())).as_py() or 0):
                reason = "the dataset defines no categories, and COCO files other than detection results list theirs"
                losses.append((f"{kind} annotations of undefined categories", n, reason))
                tables[name] = table.filter(pc.invert(listed))
    _holes_alone_taken_out(tables.get("objects", dataset.table("objects")), tables, losses)  # (rows: before own's)
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
    wrong, names = wrong_keypoint_counts(objects, dataset)
    if wrong.any():
        objects, reason = unlabelled_keypoints(objects, wrong, dataset, names)
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
    outside = wholly_outside(objects, dataset)
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
    flags = odd_visibilities(objects, dataset)
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


def detections_if_posed(objects: pa.Table, dataset: Dataset) -> np.ndarray | bool:
    """The objects written as detections (see :func:`geometryless`), where any has keypoints; else False."""
    return written_as_detections(objects, dataset) if valid_mask(objects["keypoints"]).any() else False


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


def _without_odd_fields(dataset: Dataset, losses: list[tuple[str, int, str]]) -> tuple[list[Any], Any]:
    """The categories and info without the ``coco:`` extras COCO's reader refuses, each added to ``losses``.

    A ``coco:supercategory``, ``coco:keypoints`` or ``coco:skeleton`` of a type the schema refuses (where the
    category has no such field of its own; see :func:`.coco_categories.category_field_fits`), such a value of a
    file's own (``category_values`` of ``coco:files``, edited), a ``coco:info`` that is not an object,
    ``coco:licenses`` that are not a list of objects: the writer would write them as they are. (The same objects
    and lists are returned when there are none.)
    """
    categories = dataset.categories
    changed: dict[int, dict[str, Any]] = {}
    for key, what in REFUSED_CATEGORY_FIELDS.items():
        odd = [
            (i, c)
            for i, c in enumerate(categories)
            if getattr(c, key) is None
            and f"coco:{key}" in c.extras
            and not category_field_fits(key, c.extras[f"coco:{key}"])
        ]
        if odd:
            first = odd[0][1]
            found = shown(first.extras[f"coco:{key}"])
            reason = f"COCO's reader refuses {what}: not written (first: category {first.id} {first.name!r}, {found})"
            losses.append((f"coco:{key} extras of categories", len(odd), reason))
            for i, c in odd:
                changed.setdefault(i, dict(c.extras)).pop(f"coco:{key}")
    if changed:
        categories = list(categories)
        for i, extras in changed.items():
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
    files = _without_odd_category_values(extras.get("coco:files"), losses)
    if bad or files is not extras.get("coco:files"):
        kept = {k: v for k, v in extras.items() if k not in dict(bad)}
        info = info.model_copy(update={"extras": kept if files is None else {**kept, "coco:files": files}})
    return categories, info


def _without_odd_category_values(files: Any, losses: list[tuple[str, int, str]]) -> Any:
    """``coco:files`` without the category values of a file (``category_values``) COCO's reader refuses.

    The reader's bookkeeping, which a labelkit JSON file may hold edited: each file is written with its own values
    of a category's fields, and a ``"supercategory": 5`` there was written so, a file the schema refuses. Such a
    value is left out (the category's own is written), and each field's are added to ``losses``. (The same list is
    returned when there are none.)
    """
    odd: dict[str, list[tuple[str, str, Any]]] = {}  # field -> (category id, file, value) of each left out
    out = []
    for entry in files_read(files):
        values = entry.get("category_values")
        if not isinstance(values, dict):
            out.append(entry)
            continue
        kept: dict[str, Any] = {}
        for cid, fields in values.items():
            if isinstance(fields, dict):
                bad = [k for k, v in fields.items() if not category_field_fits(k, v)]
                name = f"{entry.get('task')}_{entry.get('split') or 'default'}.json"
                for k in bad:
                    odd.setdefault(k, []).append((cid, name, fields[k]))
                fields = {k: v for k, v in fields.items() if k not in bad} if bad else fields
            kept[cid] = fields
        out.append({**entry, "category_values": kept})
    if not odd:
        return files
    for key, found in odd.items():
        cid, name, value = found[0]
        reason = (
            f"COCO's reader refuses {REFUSED_CATEGORY_FIELDS[key]}: the category's own is written (first: category "
            f"{cid} in {name}, {shown(value)})"
        )
        losses.append((f"categories' {key} values of one COCO file (coco:files category_values)", len(found), reason))
    return out


def check_dataset(dataset: Dataset, report: Report, capabilities: Capabilities, target: str) -> None:
    """What COCO cannot hold (the generic capability check with ``capabilities``), plus COCO's own limits."""
    # the generic check decodes every extras text to find foreign keys; _foreign_extras does it in bulk
    # (rotated boxes are written as their corners, or lost beside a polygon or mask: counted below)
    caps = replace(capabilities, extras="*", geometry=capabilities.geometry | {"angle"})
    check_capabilities(dataset, caps, target, report)
    check_category_and_info_extras(dataset, "coco", target, report)
    dropped, first = files_of_splits_gone(dataset)
    report.lose(
        "COCO files of a split no longer written, with values of their own",
        dropped,
        "their split has no image now (items moved, or splits merged): what only they held is not written, their "
        "info, licenses, other top-level keys (Detectron's type) and category fields (a supercategory, keypoint "
        f"names, LVIS' image_count) ({first} first)",
    )
    documents, first = results_documents(dataset)
    report.lose(
        "COCO detection-results documents written as lists, with values of their own",
        documents,
        "a results file read as a document ({images, annotations, categories}) beside ground truth files of its "
        "split is written as cocoapi's loadRes reads one, a list of detections: its own info, licenses, other "
        f"top-level keys and category fields no other file of its split gives are not written ({first} first)",
    )
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
    unnamed = unnamed_now_named(items.filter(pa.array(~only)), dataset.info.extras.get("coco:files"))
    report.transform("images read without a file_name", unnamed, UNNAMED_NOW_NAMED)
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
            "clipped to the image, they cover the same region of it",
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
        sizes = read_back_sizes(*image_sizes(items, objects["item_id"]))  # (one of 0 x 0 written: unknown, as read)
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
        report.transform(  # (one read from COCO holds it as that extra: its column is null)
            "transcripts' categories",
            transcripts.num_rows - transcripts["category_id"].null_count,
            "written as the caption's category_id, which COCO's reader gives back as the extra coco:category_id, "
            "not as the transcript's category",
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


def results_documents(dataset: Dataset) -> tuple[int, str | None]:
    """The detection-results files read as documents whose split is written, holding values no list holds; the first.

    A results file is written as a list of detections: a document's own top-level values (``own``: info and
    licenses unlike the dataset's, other keys; its info and licenses where no file written as a document has
    them) are not written, nor its categories' fields that no other file of its split lists (a supercategory the
    instances file beside it has not).
    """
    read = files_read(dataset.info.extras.get("coco:files"))
    splits = set(dataset.item_splits("default"))
    natural = {str(c.id): list(category_record(c)) for c in dataset.categories}

    def fields(f: dict[str, Any], cid: str) -> set[str]:
        given = f.get("category_fields")
        own = given.get(cid) if isinstance(given, dict) else None
        return set(own if isinstance(own, list) else natural.get(cid, []))

    # (the keys of the files written as documents: a document's info and licenses are written where one has them)
    kept_keys = {k for f in read if f.get("task") != "results" and _written(f, splits) for k in f.get("keys") or []}
    out = []
    for f in read:
        split = f.get("split") or "default"
        if f.get("task") != "results" or not f.get("keys") or split not in splits:
            continue
        others = [g for g in read if g is not f and (g.get("split") or "default") == split]
        own_fields = any(
            fields(f, str(c)) - set().union(*(fields(g, str(c)) for g in others if c in _listed(g))) for c in _listed(f)
        )
        sections = {"info", "licenses"} & set(f.get("keys") or []) - kept_keys
        if f.get("own") or (others and own_fields) or f.get("category_values") or sections:
            out.append(f)
    if not out:
        return 0, None
    return len(out), str(out[0].get("name") or f"results_{out[0].get('split') or 'default'}.json")


def _written(f: dict[str, Any], splits: set[str]) -> bool:
    """Whether writing COCO writes a file read (a file list entry): its split has items, or it lists no image."""
    return (f.get("split") or "default") in splits or f.get("images") == []


def _listed(f: dict[str, Any]) -> list[Any]:
    """The category ids a file list entry says its file lists (none when it says none)."""
    given = f.get("categories")
    return given if isinstance(given, list) else []


def files_of_splits_gone(dataset: Dataset) -> tuple[int, str | None]:
    """The COCO files read whose split has no item now, holding values no file written holds; the first's name.

    Writing COCO writes the files of the splits its items are in (one read listing no image, a file of
    categories, is kept): a file of another split is not written. It loses the values it alone held: top-level
    keys and category fields of its own (``own``, ``category_values``), and its info and licenses where no file
    written has those keys. (Files of one content, COCO 2017's train and val, lose nothing merged.)
    """
    read = files_read(dataset.info.extras.get("coco:files"))
    splits = set(dataset.item_splits("default"))
    if not read or not splits:  # (a dataset without items keeps its files)
        return 0, None
    kept = [f for f in read if _written(f, splits)]
    # a split not read gets files of every key, the dataset's info and licenses, and its keypoints file the first
    # keypoints file's category values (see coco_homes.object_files)
    new_split = bool(splits - {f.get("split") or "default" for f in read})
    kept_keys = {k for f in kept for k in f.get("keys") or [] if isinstance(k, str)}
    if new_split:
        kept_keys |= {"info", "licenses"}
    carried = keypoints_file_values(read) if new_split else {}

    kept_own: list[dict[str, Any]] = [o for f in kept if isinstance(o := f.get("own"), dict)]
    kept_values: list[dict[str, Any]] = [v for f in kept if isinstance(v := f.get("category_values"), dict)]

    def own_values(f: dict[str, Any]) -> bool:
        values = f.get("category_values")
        own_cats = values if isinstance(values, dict) else {}
        if f.get("task") == "person_keypoints":
            own_cats = {k: v for k, v in own_cats.items() if carried.get(k) is not v}
        given = f.get("own")
        own: dict[str, Any] = given if isinstance(given, dict) else {}
        return bool(
            any(all(k not in o or o[k] != v for o in kept_own) for k, v in own.items())  # (no file written has it)
            or any(all(kv.get(k) != v for kv in kept_values) for k, v in own_cats.items())
            or {"info", "licenses"} & set(f.get("keys") or []) - kept_keys
        )

    gone = [f for f in read if f not in kept and own_values(f)]
    if not gone:
        return 0, None
    first = gone[0]
    return len(gone), f"{first.get('task')}_{first.get('split') or 'default'}.json"
