"""What Pascal VOC cannot hold, found before anything is written (so it is refused without --allow-loss).

The XML's fields and flags, ImageSets lists named after classes and splits, ``labelmap.txt`` lines, the item
metadata and object extras VOC keeps (``voc:*``), and the segmentation PNGs: their size, their 254 instance
and class values, polygons to rasterise under ``masks=all``, void masks. The writer is
:mod:`labelkit.formats.voc_write`; which keys it keeps, and what reads back otherwise, is in
:mod:`labelkit.formats.voc_readback`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.base import Capabilities
from labelkit.formats.capability import RENUMBERED, check_capabilities, extras_key_counts, renumbered
from labelkit.formats.voc import CAPABILITIES, TITLE, voc_palette
from labelkit.formats.voc_check_lists import main_lists, report_unlisted_actions, report_yielding_class_lists
from labelkit.formats.voc_check_masks import (
    BLANK_PNGS,
    MOVED,
    blank_png_counts,
    check_masks,
    huge_images,
    mask_only_as_xml,
    png_kinds,
    report_png_only,
    standalone_order,
    unpainted_masks,
)
from labelkit.formats.voc_labelmap import hex_color, is_own_color, parse_color
from labelkit.formats.voc_lists import (
    class_list_ok,
    listable,
    may_hold_voc,
    split_list_misread,
    task_read_back,
    task_read_order,
    too_long_lists,
    written_classes,
    written_tasks,
)
from labelkit.formats.voc_masks import (
    VOID_KEYS,
)
from labelkit.formats.voc_names import images_per_split
from labelkit.formats.voc_order import class_list_order, read_order
from labelkit.formats.voc_readback import (
    OBJECT_KEYS,
    OWN_KEYS,
    boxes_read_back_otherwise,
    item_texts_read_back_otherwise,
    reads_back_otherwise,
    texts_read_back_otherwise,
    voc_metadata_only,
)
from labelkit.formats.voc_renames import renamed_files
from labelkit.formats.voc_values import (
    LINE_BREAK,
    NOT_XML,
    as_list,
    class_as_read,
    class_name,
    is_flag,
    malformed_count,
    not_xml_texts,
    not_xml_values,
    part_fields_unwritten,
)
from labelkit.formats.voc_write import (
    Classes,
    fractional_corners,
    fractional_note,
    labelmap_name_ok,
    voc_boxes,
)
from labelkit.formats.voc_xml import written_attributes
from labelkit.formats.yolo_media import refuse_unplaced_media
from labelkit.model import Dataset
from labelkit.model.tables import contains_match, decode_json_cell, true_mask, valid_mask
from labelkit.portable_lengths import MAX_NAME_BYTES
from labelkit.report import Change, Report

TARGET = TITLE  # (how every report line names VOC)


def _unlisted(dataset: Dataset, unlisted: np.ndarray[Any, Any]) -> int:
    """The items whose id is not one word that an ImageSets list would name.

    Those of a split, with an image label, or in a task's list (their ``voc:imagesets`` names one; not given,
    they may have a mask, actions or parts). One with none of those (as VOC reads such an item back) loses
    nothing: it is listed nowhere, as it was. ``unlisted``: per item, whether its id is not one word.
    """
    items = dataset.table("items")
    if not unlisted.any():
        return 0
    named = valid_mask(items["split"])
    labelled = dataset.item_positions("labels")
    named[labelled[labelled >= 0]] = True
    # the tasks the writer lists an item under: its voc:imagesets, else (not a list) those its PNGs, actions and
    # parts make, which an object's mask, polygon, actions or parts, or a void PNG, may
    objects = dataset.table("objects")
    extras = objects["extras"]
    painted = valid_mask(objects["mask"]) | valid_mask(objects["polygon"])
    painted |= contains_match(extras, '"voc:actions"') | contains_match(extras, '"voc:parts"')
    rows = dataset.item_positions()[painted]
    tasks = np.zeros(len(unlisted), dtype=bool)
    tasks[rows[rows >= 0]] = True
    metadata = items["metadata"]
    for n in np.flatnonzero(unlisted & ~named & contains_match(metadata, '"voc:')).tolist():
        meta = decode_json_cell(metadata[n].as_py())
        given = meta.get("voc:imagesets")
        if isinstance(given, list):
            tasks[n] = bool(given)
        elif any(k.startswith(("voc:void", "voc:blank")) for k in meta):
            tasks[n] = True
    return int(np.count_nonzero(unlisted & (named | tasks)))


def _caps(options: dict[str, Any]) -> Capabilities:
    if str(options.get("masks") or "auto") != "all":
        return CAPABILITIES
    # (polygons painted in the PNGs: kept as masks of objects drawn as boxes, as every XML object reads back)
    return replace(CAPABILITIES, geometry=CAPABILITIES.geometry | {"polygon"})


def _tasks_read_back(given: list[Any]) -> list[str]:
    """An item's ``voc:imagesets`` as a reader gives it back: the tasks written and read, VOC's first, then by name."""
    kept = dict.fromkeys(t for t in given if task_read_back(t))
    return sorted(kept, key=task_read_order)


def _tasks_read_otherwise(text: str, folders: set[str]) -> bool:
    """Whether an item's ``voc:imagesets`` (of its metadata ``text``) reads back otherwise than given.

    Tasks lost (not among the ``folders`` written: reported so) aside.
    """
    given = as_list(decode_json_cell(text).get("voc:imagesets"))
    return _tasks_read_back(given) != [t for t in given if isinstance(t, str) and t in folders]


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what VOC cannot hold: angles, polygons (unless rasterised), keypoints, foreign metadata."""
    masks = str(options.get("masks") or "auto")
    dataset, as_xml = mask_only_as_xml(dataset, masks)  # (mask-only objects no PNG holds, as write() takes them)
    box_ok = voc_boxes(dataset)[1]  # (boxes VOC can write)
    class_only = _class_only(dataset.table("objects"))
    long_lists = too_long_lists(dataset, str(options.get("split") or "train"))
    written = _written_labels_only(_written_objects_only(dataset, masks, box_ok, class_only), long_lists)
    if fractional := fractional_corners(dataset):  # (a plan or dry run says it too, as the writer does)
        report.note(fractional_note(fractional))
    check_capabilities(written, _caps(options), TARGET, report)
    # a reader numbers an image's XML objects, then the objects its PNGs alone hold, by their PNG value
    rank = read_order(written, str(options.get("split") or "train"), masks)
    moved = renumbered(written, "objects", rank, within=standalone_order(written, masks))
    report.transform("object ids", moved, RENUMBERED.format(target=TARGET))
    # (image labels are read from the class lists, <class>_<split>.txt, file by file)
    report.transform(
        "label ids",
        renumbered(written, "labels", rank, first=class_list_order(written, str(options.get("split") or "train"))),
        RENUMBERED.format(target=TARGET),
    )
    angle = written.table("objects")["angle"].fill_null(0.0)
    if turned := int(pc.sum(pc.not_equal(angle, 0.0).cast(pa.int64())).as_py() or 0):  # (as YOLO detect says)
        report.note(f"{turned:,} rotated boxes are written as their axis-aligned bounding boxes")
    report.transform(
        "box coordinates",
        boxes_read_back_otherwise(dataset),
        "Pascal VOC holds corners: these boxes' x, y, width or height read back from them a float's rounding away "
        "(a width of 163.72 as 163.72000000000003: the floats near xmax are coarser than those near the width)",
    )
    items = dataset.table("items")
    report.lose("item groups", items.num_rows - items["group"].null_count, f"{TARGET} has no item groups")
    unlisted = np.array([not listable(str(i)) for i in items["id"].to_pylist()], dtype=bool)
    report.lose(
        "items whose id is not one word",
        _unlisted(dataset, unlisted),
        "ImageSets lists are lines of whitespace-separated words ('#' starts a comment): their split and "
        "image-level labels are not listed (their XML is written)",
    )
    sides = [np.asarray(items[side].fill_null(-1).to_numpy(zero_copy_only=False)) for side in ("width", "height")]
    report.transform(
        "image sizes with a side of 0",
        int(((sides[0] == 0) | (sides[1] == 0)).sum()),
        f"{TARGET} tools write a size of 0 x 0 when they do not know it, and a 0 on either side reads as unknown: "
        "the other side is written alone (or none, of a size of 0 x 0), and the side of 0 reads back unknown",
    )
    report.transform(
        "item splits",
        sum(1 for s, off in zip(items["split"].to_pylist(), unlisted.tolist(), strict=True) if not s and not off),
        f"items without a split are listed in ImageSets/Main/{str(options.get('split') or 'train')}.txt (the -o split "
        "option), and read back in that split",
    )
    # an object text with no '"voc:' (and no escape, which could spell one) has only foreign keys, if any (a
    # key needs a '"'); the others are decoded
    texts = items["metadata"].drop_null()
    with_voc = may_hold_voc(texts)
    voc_metadata = [decode_json_cell(text) for text in texts.filter(pa.array(with_voc)).to_pylist()]
    foreign = int(np.count_nonzero(~with_voc & true_mask(pc.match_substring(texts, '"')))) + sum(
        1 for meta in voc_metadata if not voc_metadata_only(meta)
    )
    report.lose(
        "items with metadata",
        foreign,
        f"{TARGET} keeps only its own fields (voc:folder, voc:source, ...; source and owner fields named as XML tags; "
        "voc:imagesets and voc:blank_pngs as lists, voc:task_splits as a mapping, as its reader makes them)",
    )
    report.transform(
        "items with a folder, path, source, owner, depth or segmented flag that reads back otherwise",
        sum(map(item_texts_read_back_otherwise, voc_metadata)),
        "Pascal VOC's <folder>, <path>, <source>, <owner> (and their fields), <depth> and <segmented> are texts, read "
        "back stripped, the last two as numbers where they are digits: ' x ' reads back as 'x', 3 as '3', '7' as 7, "
        "and a value that is no text or number as the text of its JSON (null as 'null', ['a'] as '[\"a\"]')",
    )
    if masks == "none":
        voids = sum(
            1
            for text in texts.to_pylist()
            if '"voc:void' in text and any(k in decode_json_cell(text) for k in VOID_KEYS)
        )
        report.lose("segmentation void regions", voids, "masks=none writes no segmentation PNGs")
        report.lose(BLANK_PNGS, int(blank_png_counts(items).sum()), "masks=none writes no segmentation PNGs")
    broken = [c.name for c in dataset.categories if LINE_BREAK.search(c.name)]
    colons = sum(1 for c in dataset.categories if ":" in c.name)
    given = [
        t
        for text in texts.to_pylist()
        if '"voc:imagesets"' in text
        for t in as_list(decode_json_cell(text).get("voc:imagesets"))
    ]
    folders = written_tasks(given)
    report.lose(
        "ImageSets tasks that cannot be file names",
        sum(1 for t in given if not (isinstance(t, str) and t in folders)),
        "an ImageSets folder is named after the task (a plain name Windows can hold, of at most 255 bytes, not "
        "hidden (.x, which a reader passes over), and differing from VOC's "
        "own tasks and from another task before it by name in more than case or Unicode normalisation)",
    )
    report.transform(
        "items' ImageSets tasks",
        sum(1 for text in texts.to_pylist() if '"voc:imagesets"' in text and _tasks_read_otherwise(text, folders)),
        "a reader gives an item's voc:imagesets as the task lists naming it, VOC's tasks first, then the others by "
        "name, and not Main, which lists every item: Main, a task given twice or another order does not read back",
    )
    labels = dataset.table("labels")
    unnamed = {c.id for c in dataset.categories if not class_list_ok(class_as_read(c.name))}
    report.lose(
        "image labels of classes that cannot be file names",
        int(true_mask(pc.is_in(labels["category_id"], value_set=pa.array(sorted(unnamed), pa.int64()))).sum())
        if unnamed and labels.num_rows
        else 0,
        "ImageSets/Main/<class>_<split>.txt is named after the class (not '..', '/', a name starting with ._, "
        "which readers pass over as a macOS resource fork's, nor a name holding a character Windows refuses: "
        '< > : " | ? * or a control character)',
    )
    report.lose("image labels without a category", labels["category_id"].null_count, f"{TARGET} lists labels by class")
    if long_lists:
        (item, cls), name = next(iter(long_lists.items()))
        report.lose(
            "image labels whose ImageSets/Main list name is too long",
            len(long_lists),
            f"ImageSets/Main/<class>_<split>.txt is named after the class and the image's split, and file systems "
            f"take no file name of more than {MAX_NAME_BYTES} bytes: the list is not written (labelmap.txt keeps "
            f"the class) (item {ascii(item)}, class {ascii(cls)}, {ascii(f'ImageSets/Main/{name}')})",
        )
    if labels.num_rows:
        report_yielding_class_lists(dataset, str(options.get("split") or "train"), report)
    main = main_lists(dataset.item_splits(str(options.get("split") or "train")), dataset)
    if clash := split_list_misread(main, written_classes(dataset)):  # (after a clash of two lists: the writer's order)
        raise clash.error(Path("ImageSets/Main"))
    if labels.num_rows:  # an ImageSets class list holds an image, a class and a difficult flag: nothing more
        kept = written.table("labels")  # (a label lost whole is not counted again for its fields)
        report.lose(
            "image label attribute sets",
            kept.num_rows - kept["attributes"].null_count,
            "an ImageSets class list holds a class and a difficult flag only",
        )
        others = [k for k in extras_key_counts(labels["extras"]) if k.startswith("voc:") and k != "voc:difficult"]
        report.lose(
            "image label Pascal VOC fields",
            sum(1 for e in labels["extras"].to_pylist() if e and any(k in decode_json_cell(e) for k in others))
            if others
            else 0,
            f"an ImageSets class list holds a class and a difficult flag only ({', '.join(others)})",
        )
    _report_not_xml(dataset, report)
    report.lose(
        "category names with a line break",
        len(broken),
        "labelmap.txt holds one class per line: the break is written as a space there, and in the XML's <name> "
        "too, so both read back as one class of that name",
    )
    # (as written, class_name: what XML cannot hold is U+FFFD, and no longer whitespace to strip, 'cow\x1f')
    odd = [c for c in dataset.categories if class_name(c.name) != class_as_read(c.name)]
    odd += [] if _hashed_read_back(dataset) else [c for c in dataset.categories if class_as_read(c.name)[:1] == "#"]
    report.lose(
        "category names with leading or trailing spaces, or starting with '#'",
        len(odd),
        "XML names and labelmap.txt lines are read stripped (the XML's are written so), and a labelmap line "
        "starting with '#' is a comment: such a class reads back under another name, or not at all",
    )
    report.lose(
        "category part and action names",
        sum(
            1
            for c in dataset.categories
            for key in ("voc:parts", "voc:actions")
            for name in as_list(c.extras.get(key))
            if isinstance(name, str) and not labelmap_name_ok(name)
        ),
        "labelmap.txt holds a line per class, its part and action names between ',' and ':', read stripped: "
        "names with ':', ',', a line break or surrounding spaces, or empty, cannot be written",
    )
    _report_colors(dataset, report)
    # names as they read back: the writer puts a line break as a space (so 'x\ny' is the line of 'x y', which
    # the writer keys on), and what XML cannot hold as U+FFFD, and readers strip names
    names = Counter(class_as_read(c.name) for c in dataset.categories)
    report.lose(
        "categories sharing a name with another",
        sum(n - 1 for n in names.values() if n > 1),
        "Pascal VOC names classes: their objects and image labels read back as the first's",
    )
    if labels.num_rows:
        pairs = pa.table({"i": labels["item_id"], "c": labels["category_id"]}).drop_null()
        distinct = pairs.group_by(["i", "c"]).aggregate([]).num_rows
        report.lose(
            "image labels repeated on an item",
            pairs.num_rows - distinct,
            "an ImageSets class list names an image once",
        )
    if colons:
        report.note(
            f"{colons} categories have ':' in their names: labelmap.txt writes them as they are (labelkit reads "
            "the last three ':' fields as colour, parts and actions; Datumaro would split the name)"
        )
    objects = dataset.table("objects")
    if objects.num_rows:
        ids = pa.array([c.id for c in dataset.categories], pa.int64())
        known = true_mask(pc.is_in(objects["category_id"], value_set=ids))
        report.lose("objects without a known category", int((~known).sum()), f"{TARGET} needs a class name")
        no_box = objects["bbox"].is_null()
        no_geometry = true_mask(pc.and_(no_box, objects["mask"].is_null()))
        report.lose(  # (an object counted lost for its category is not counted again)
            "objects without a box or mask", int((no_geometry & known).sum()), "nothing to write"
        )
        bad_box = valid_mask(objects["bbox"]) & ~box_ok & known
        has_mask = valid_mask(objects["mask"]) & known
        painted = has_mask if masks != "none" else np.zeros(len(has_mask), dtype=bool)  # (masks the PNGs take)
        no_pngs = "masks=none writes no segmentation PNGs"
        # such an object is written with its mask only (its box lost); with no mask to paint, nothing of it is
        # (one lost object); with a mask the PNGs cannot hold, check_masks counts it lost whole
        mask_only = bad_box & painted
        if mask_only.any():
            mask_only &= ~unpainted_masks(dataset)
        cannot_hold = "a negative width or height, or corners beyond float64 range: Pascal VOC's corners cannot hold"
        report.lose("boxes", int(mask_only.sum()), f"{cannot_hold} them (the object is written with its mask only)")
        report.lose(
            "objects",
            int((bad_box & ~painted).sum()),
            f"{cannot_hold} their boxes, and {no_pngs if masks == 'none' else 'with no mask'}, nothing of them is "
            "written",
        )
        if masks == "none":  # (an object with a mask and no box has nothing else to write: lost whole)
            report.lose(
                "objects with a mask but no box",
                int((has_mask & ~valid_mask(objects["bbox"])).sum()),  # (a bad box is counted under "boxes")
                f"{no_pngs}, and a {TARGET} object needs a box",
            )
            report.lose("masks", int((has_mask & box_ok & ~class_only).sum()), no_pngs)
        # a class-only object with a box and no mask painted is not written (its box is not an XML object's)
        unwritten = no_pngs if masks == "none" else "with no mask, nothing of it is written"
        report.lose(
            "objects",
            int((known & box_ok & class_only & ~painted).sum()),
            "a class-only mask (voc:semantic: a class's pixels, read from the class PNG alone) is written to the "
            f"class PNG only, never as an XML object: {unwritten}",
        )
        report.transform(
            "mask-only objects",
            int((as_xml & known & box_ok).sum()),
            "no segmentation PNG holds them (masks=none, no mask, or one that cannot be painted): written as XML "
            "objects (their box and class), read back as such, not as mask-only objects",
        )
        redrawn = true_mask(pc.equal(objects["shape"], "mask")) & known & box_ok & ~as_xml & ~class_only
        if redrawn.any():  # (not a mask-only object read from VOC, written to the PNGs only)
            redrawn &= png_kinds(objects)[0] == 0
        report.transform(
            "mask objects",
            int(redrawn.sum()),
            f"{TARGET} reads an XML object (one with a box) as drawn as a box: "
            + ("its mask goes to the segmentation PNGs" if masks != "none" else "its mask is not written (masks=none)"),
        )
        report_png_only(dataset, report, known & painted & ~as_xml, box_ok)
        # (attributes go in an XML <object>: those of an object written to the PNGs only, or lost whole, are
        # counted lost there, once)
        attributes = objects["attributes"]
        if attributes.null_count < len(attributes):  # (the kinds cost a pass over the extras: only when needed)
            attributes = attributes.filter(pa.array(known & box_ok & (png_kinds(objects)[0] == 0)))
        decoded = [decode_json_cell(v) for v in attributes.drop_null().to_pylist()]
        # (told apart once: `a not in lists` compared each object's with every list-valued one, n x m)
        plain = [a for a in decoded if not any(isinstance(x, list) for x in a.values())]
        lists = len(decoded) - len(plain)
        report.lose("objects with list-valued attributes", lists, "Pascal VOC attribute values are single texts")
        as_written = [written_attributes(a) for a in plain]
        reads_back = _reads_back_otherwise()  # (one cache for every object's values)
        report.lose(
            "object attributes whose name another's of the object is, read back stripped",
            sum(len(a) - len(w) for a, w in zip(plain, as_written, strict=True)),
            "Pascal VOC's attribute <name> is read back stripped (' a' as 'a'), and a name repeated on one object is "
            "refused: the later attribute is not written",
        )
        report.transform(
            "objects with attribute names that read back otherwise",
            sum(1 for w in as_written if any(k != k.strip() for k in w)),
            "Pascal VOC's attribute <name> is read back stripped: ' colour ' reads back as 'colour'",
        )
        report.transform(
            "objects with attribute values that read back otherwise",
            sum(1 for a in plain if any(map(reads_back, a.values()))),
            "Pascal VOC attribute values are texts, read back stripped and typed (true/false, numbers): '3' reads as 3",
        )
        voc_rows = objects["extras"].filter(contains_match(objects["extras"], '"voc:'))
        voc_extras = [decode_json_cell(t) for t in voc_rows.to_pylist()]
        report.lose(
            "objects with voc: extras Pascal VOC has no place for",
            sum(1 for e in voc_extras if any(k.startswith("voc:") and k not in OBJECT_KEYS | OWN_KEYS for k in e)),
            "Pascal VOC writes pose, truncated, difficult, parts, actions and point (voc:*); other voc: keys are not "
            "written",
        )
        report.transform(
            "objects with a pose or part name that reads back otherwise",
            sum(map(texts_read_back_otherwise, voc_extras)),
            "Pascal VOC's <pose> and part <name> are texts, read back stripped: ' Left ' reads back as 'Left', 3 as "
            "'3'",
        )
        report.lose(
            "malformed voc:* object values",
            malformed_count(voc_rows),
            "Pascal VOC needs integer flags, action names that can be XML tags (a letter or _, then letters, digits, "
            "_, - and .), parts with a name and 4 numbers, a point of 2 numbers: not written",
        )
        report.lose(
            "part fields",
            sum(map(part_fields_unwritten, voc_extras)),
            "Pascal VOC's <part> holds a name and a box: the other keys of a voc:parts entry are not written",
        )
        _report_dota_difficult(objects, known & box_ok, report)
        report_unlisted_actions(dataset, known & box_ok, report, str(options.get("split") or "train"))
    if masks != "none":  # with or without objects: void masks are item metadata
        check_masks(dataset, report, masks, box_ok)
    media = str(options.get("media") or "none")
    renamed_files(dataset, report, media, images_per_split(options))  # (last, where write() reported them)
    items = dataset.table("items")  # (a dry run passed them)
    ids = [str(v) for v in items["id"].to_pylist()]
    refuse_unplaced_media(ids, items["path"].to_pylist(), items["split"].to_pylist(), options)


def _report_dota_difficult(objects: pa.Table, written: np.ndarray[Any, Any], report: Report) -> None:
    """DOTA difficult flags (``dota:difficult``, as YOLO reads DOTA labelTxt) of objects written as XML objects.

    Written as VOC's ``<difficult>`` (so read back as ``voc:difficult``: transformed) when integers and the
    object has no VOC flag of another value; otherwise lost (see :func:`.voc_lists.dota_as_voc`).
    """
    rows = written & contains_match(objects["extras"], '"dota:difficult"')
    if not rows.any():
        return
    decoded = [decode_json_cell(t) for t in objects["extras"].filter(pa.array(rows)).to_pylist()]
    kept = [
        is_flag(e["dota:difficult"]) and e.get("voc:difficult", e["dota:difficult"]) == e["dota:difficult"]
        for e in decoded
        if "dota:difficult" in e
    ]
    report.transform(
        "DOTA difficult flags",
        sum(kept),
        "written as Pascal VOC's <difficult> (read back as voc:difficult; a flag of 0 as no flag, Pascal VOC's "
        "default)",
    )
    report.lose(
        "DOTA difficult flags",
        len(kept) - sum(kept),
        "not an integer, or the object's voc:difficult differs: Pascal VOC has one difficult flag",
    )


def uncount_lost_whole(dataset: Dataset, lost: list[tuple[int, int]], report: Report, **options: Any) -> None:
    """Take the objects painting lost whole off the counts check() made of their fields: each is counted once.

    A mask-only object whose pixels later instances or void pixels all cover does not read back at all, and
    ``report`` counts it lost among ``objects`` (found only while painting). check() had counted its fields
    before (its attributes, flags and polygon lost, the object written to the PNGs only), as it does of the
    objects written; those counts are taken off here, as they are of the objects on an image of unknown size
    whose first mask is too large to paint. ``lost``: each such object's row and the object PNG value it was
    painted with (0 for a class-only object). Only writes that lose an object so pay for this: check() runs again on the
    images holding them, with all their objects and without the lost ones, and the difference is theirs.

    The masks of such objects were painted, so check() counted none of them lost; and whether it counted one
    painted with another value than it was read from (``voc:instance``) depends on the image's other objects:
    that is told from the value it was painted with.
    """
    objects = dataset.table("objects")
    rows = np.zeros(objects.num_rows, dtype=bool)
    rows[[r for r, _ in lost]] = True
    images = np.zeros(dataset.table("items").num_rows, dtype=bool)
    images[dataset.item_positions()[rows]] = True
    # (their images with every object, then without the lost: without any, an image's own counts went too, its
    # size taken from a mask kept said lost with the object)
    here = images[dataset.item_positions()]
    alone, _ = dataset.with_objects(here).without_items(~images)
    bare = alone.with_objects(~rows[here])
    with_them, without = Report(), Report()
    check(alone, with_them, **options)
    check(bare, without, **options)
    recorded = [
        decode_json_cell(e).get("voc:instance") for e in objects["extras"].take([r for r, _ in lost]).to_pylist()
    ]
    moved = sum(isinstance(v, int) and 0 < value != v for v, (_, value) in zip(recorded, lost, strict=True))
    for kind in ("lost", "transformed"):
        counts: Counter[tuple[str, str]] = Counter()
        for change in getattr(with_them, kind):
            counts[(change.what, change.reason)] += change.count
        for change in getattr(without, kind):
            counts[(change.what, change.reason)] -= change.count
        for key in [k for k in counts if k[0] in ("masks", MOVED)]:
            del counts[key]
        for change in getattr(report, kind):
            if change.what == MOVED:  # (a transformation: check() reports one line of it)
                counts[(change.what, change.reason)] = moved
        kept = []
        for change in getattr(report, kind):
            off = min(change.count, max(counts[(change.what, change.reason)], 0))
            counts[(change.what, change.reason)] -= off
            if change.count > off:
                kept.append(replace(change, count=change.count - off))
        # what their going raises (the objects after them renumbered: 'object ids'), added: it was dropped
        for (what, reason), n in sorted(counts.items()):
            if n < 0:
                at = next((k for k, c in enumerate(kept) if (c.what, c.reason) == (what, reason)), None)
                if at is None:
                    kept.append(Change(what, -n, reason))
                else:
                    kept[at] = replace(kept[at], count=kept[at].count - n)
        setattr(report, kind, kept)


def _class_only(objects: pa.Table) -> np.ndarray[Any, Any]:
    """Per object row, whether it is a class-only mask (``voc:semantic``), which no XML object holds."""
    extras = objects["extras"]
    if not (contains_match(extras, "semantic") | contains_match(extras, "\\")).any():
        return np.zeros(objects.num_rows, dtype=bool)
    only: np.ndarray[Any, Any] = png_kinds(objects)[0] == 1
    return only


def _written_objects_only(dataset: Dataset, masks: str, box_ok: np.ndarray, class_only: np.ndarray) -> Dataset:
    """The dataset with only the objects VOC writes (a known class, and a box or a mask to paint).

    A class-only mask (``class_only``) is painted in the class PNG, never written as an XML object. An object
    lost whole (check() counts those) is then not counted again for a field it carried.
    """
    objects = dataset.table("objects")
    if not objects.num_rows:
        return dataset
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    placed = (box_ok & ~class_only) | (valid_mask(objects["mask"]) if masks != "none" else False)
    unpainted = unpainted_masks(dataset) if masks != "none" else huge_images(dataset)
    if masks != "none" and unpainted.any():  # (an object of no XML object whose mask is not painted: lost whole)
        placed &= ~unpainted | (box_ok & (png_kinds(objects)[0] == 0))
    return dataset.with_objects(placed & true_mask(pc.is_in(objects["category_id"], value_set=ids)))


def _written_labels_only(dataset: Dataset, long_lists: dict[tuple[str, str], str]) -> Dataset:
    """The dataset with only the image labels VOC writes: of a class a class list can be named after, once per image.

    A label lost whole (check() counts those: without a category, of a class no file can be named after, repeated
    on its image, of a list whose name is too long, ``long_lists``) is then not counted again for a field it
    carried (its score, provenance, attributes, extras).
    """
    labels = dataset.table("labels")
    if not labels.num_rows:
        return dataset
    named = {c.id: name for c in dataset.categories if class_list_ok(name := class_as_read(c.name))}
    seen: set[tuple[str, int]] = set()
    keep = np.zeros(labels.num_rows, dtype=bool)
    pairs = zip(labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), strict=True)
    for k, (item, category) in enumerate(pairs):
        if category in named and (item, category) not in seen and (item, named[category]) not in long_lists:
            seen.add((item, category))
            keep[k] = True
    if keep.all():
        return dataset
    out = dataset.copy()
    out.set_table("labels", labels.filter(pa.array(keep)))
    return out


def _report_not_xml(dataset: Dataset, report: Report) -> None:
    """Count the names and values written to the XML that hold characters XML 1.0 cannot (see ``xml_text``)."""
    reason = "XML 1.0 cannot hold control characters: each is written as U+FFFD"
    names = sum(1 for c in dataset.categories if NOT_XML.search(c.name))
    report.lose("category names with characters XML cannot hold", names, reason)
    items = dataset.table("items")
    file_names = not_xml_texts(pc.coalesce(items["path"], items["id"]))
    metadata = not_xml_values(items["metadata"], lambda key: key.startswith("voc:"))
    report.lose("items with characters XML cannot hold", int((file_names | metadata).sum()), reason)
    objects = dataset.table("objects")
    extras = not_xml_values(objects["extras"], {"voc:pose", "voc:parts"}.__contains__)
    attributes = not_xml_values(objects["attributes"])
    report.lose("objects with characters XML cannot hold", int((extras | attributes).sum()), reason)


def _hashed_read_back(dataset: Dataset) -> bool:
    """Whether the categories named ``#...`` read back as they are, from their XML objects and class lists.

    Their labelmap.txt lines are comments to a reader, which makes a category of each such name its objects or
    image labels use, after the labelmap's, in name order, numbered on from the largest id: so it is as it was
    when it is so placed and numbered, used by an object without a mask or by an image label, and has no colour,
    parts or actions (which only its line holds). VOC -> VOC of labelkit's own output reported them lost, and
    refused it without --allow-loss, though they read back the same. Without labelmap.txt (the classes as a read
    without one gives them: see ``Classes.standard``), every class is made from its objects' names, numbered as
    they were: such a class reads back too (VOC -> VOC of a folder without one holding ``#x`` was refused).
    """
    cats = dataset.categories
    hashed = [c for c in cats if class_as_read(c.name)[:1] == "#"]
    if not hashed:
        return True
    if Classes(dataset).standard:
        return True
    others = [c for c in cats if class_as_read(c.name)[:1] != "#"]
    start = max((c.id for c in others), default=-1) + 1
    placed = sorted(hashed, key=lambda c: class_as_read(c.name))
    if cats != others + placed or [c.id for c in placed] != list(range(start, start + len(placed))):
        return False
    objects, labels = dataset.table("objects"), dataset.table("labels")
    plain = objects.filter(pc.invert(objects["mask"].is_valid()))["category_id"].to_pylist()
    used = set(plain) | set(labels["category_id"].to_pylist())
    masked = set(objects.filter(objects["mask"].is_valid())["category_id"].to_pylist())
    return all(
        c.id in used
        and c.id not in masked
        and not c.color
        and not c.extras.get("voc:parts")
        and not c.extras.get("voc:actions")
        for c in placed
    )


def _report_colors(dataset: Dataset, report: Report) -> None:
    """Category colours labelmap.txt cannot hold (lost), and those it holds that read back otherwise."""
    if all(c.color is None for c in dataset.categories):
        return
    classes = Classes(dataset)
    palette = voc_palette()
    lost = changed = 0
    for c in classes.lines:  # (a category sharing its name with an earlier one is reported lost whole)
        if c.color is None or class_as_read(c.name).startswith("#"):  # (a '#' line: reported lost whole)
            continue
        if not c.color:  # (an empty colour: no line holds it, and the class reads back with none)
            changed += 1
            continue
        rgb = parse_color(c.color)
        value = classes.value[c.id]
        if rgb is None:
            lost += 1
        elif (None if is_own_color(class_as_read(c.name), rgb, value, palette) else hex_color(rgb)) != c.color:
            changed += 1
    report.lose(
        "category colours",
        lost,
        "labelmap.txt holds a colour as r,g,b: one given otherwise ('red', '#abc', '#rrggbbaa') is not written, "
        "and the class reads back with VOC's colour for its value",
    )
    report.transform(
        "category colours",
        changed,
        "labelmap.txt holds a colour as r,g,b: it reads back as '#rrggbb' in lower case, and as none when it is "
        "VOC's colour for the class's value or empty ('')",
    )


def _reads_back_otherwise() -> Callable[[Any], bool]:
    """:func:`reads_back_otherwise`, told once per text, number or flag (objects' attribute values repeat).

    (Not floats: ``0.0`` and ``-0.0`` are one key and two texts.)
    """
    seen: dict[tuple[type, Any], bool] = {}

    def otherwise(value: Any) -> bool:
        if type(value) not in (str, int, bool):
            return reads_back_otherwise(value)
        key = (type(value), value)
        if key not in seen:
            seen[key] = reads_back_otherwise(value)
        return seen[key]

    return otherwise
