"""What Pascal VOC cannot hold, found before anything is written (so it is refused without --allow-loss).

The XML's fields and flags, ImageSets lists named after classes and splits, ``labelmap.txt`` lines, the item
metadata and object extras VOC keeps (``voc:*``), and the segmentation PNGs: their size, their 254 instance
and class values, polygons to rasterise under ``masks=all``, void masks. The writer is
:mod:`labelkit.formats.voc_write`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.formats.base import (
    CONTENT_OBJECT_EXTRAS,
    Capabilities,
    check_capabilities,
    content_extras_counts,
    extras_key_counts,
)
from labelkit.formats.voc import CAPABILITIES, TITLE, VOID_INDEX
from labelkit.formats.voc_lists import (
    action_flags,
    action_list_ok,
    action_lists,
    class_list_ok,
    class_lists,
    label_values,
    listable,
    may_hold_voc,
    unread_action_flags,
)
from labelkit.formats.voc_masks import (
    MAX_PNG_PIXELS,
    RASTERISED,
    VOID_KEYS,
    cell_shape,
    png_values,
    void_cells,
)
from labelkit.formats.voc_parse import attribute_value
from labelkit.formats.voc_values import (
    NOT_XML,
    as_list,
    is_flag,
    malformed_count,
    not_xml_texts,
    not_xml_values,
    tag_ok,
)
from labelkit.formats.voc_write import (
    LINE_BREAK,
    Classes,
    labelmap_name_ok,
    renamed_files,
    voc_boxes,
)
from labelkit.io import is_plain_name
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.rle import bad_mask_error, cell_problem
from labelkit.model.tables import contains_match, decode_json_cell, true_mask, valid_mask
from labelkit.portable import where_one
from labelkit.report import Report

TARGET = TITLE  # (how every report line names VOC)


def _caps(options: dict[str, Any]) -> Capabilities:
    if str(options.get("masks") or "auto") != "all":
        return CAPABILITIES
    return replace(CAPABILITIES, shapes=CAPABILITIES.shapes | {"polygon"}, geometry=CAPABILITIES.geometry | {"polygon"})


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what VOC cannot hold: angles, polygons (unless rasterised), keypoints, foreign metadata."""
    masks = str(options.get("masks") or "auto")
    box_ok = voc_boxes(dataset.table("objects"))[1]  # (boxes VOC can write)
    written = _written_objects_only(dataset, masks, box_ok)
    check_capabilities(written, _caps(options), TARGET, report)
    angle = written.table("objects")["angle"].fill_null(0.0)
    if turned := int(pc.sum(pc.not_equal(angle, 0.0).cast(pa.int64())).as_py() or 0):  # (as YOLO detect says)
        report.note(f"{turned:,} rotated boxes are written as their axis-aligned bounding boxes")
    items = dataset.table("items")
    report.lose("item groups", items.num_rows - items["group"].null_count, f"{TARGET} has no item groups")
    report.lose(
        "items whose id is not one word",
        sum(1 for i in items["id"].to_pylist() if not listable(str(i))),
        "ImageSets lists are lines of whitespace-separated words ('#' starts a comment): their split and "
        "image-level labels are not listed (their XML is written)",
    )
    # an object text with no '"voc:' (and no escape, which could spell one) has only foreign keys, if any (a
    # key needs a '"'); the others are decoded
    texts = items["metadata"].drop_null()
    with_voc = may_hold_voc(texts)
    foreign = int(np.count_nonzero(~with_voc & true_mask(pc.match_substring(texts, '"')))) + sum(
        1 for text in texts.filter(pa.array(with_voc)).to_pylist() if not _voc_metadata_only(decode_json_cell(text))
    )
    report.lose(
        "items with metadata",
        foreign,
        f"{TARGET} keeps only its own fields (voc:folder, voc:source, ...; source and owner fields named as XML tags)",
    )
    if masks == "none":
        voids = sum(
            1
            for text in texts.to_pylist()
            if '"voc:void' in text and any(k in decode_json_cell(text) for k in VOID_KEYS)
        )
        report.lose("segmentation void regions", voids, "masks=none writes no segmentation PNGs")
    broken = [c.name for c in dataset.categories if LINE_BREAK.search(c.name)]
    colons = sum(1 for c in dataset.categories if ":" in c.name)
    report.lose(
        "ImageSets tasks that cannot be file names",
        sum(
            1
            for text in texts.to_pylist()
            if '"voc:imagesets"' in text
            for t in as_list(decode_json_cell(text).get("voc:imagesets"))
            if not (isinstance(t, str) and is_plain_name(t))
        ),
        "an ImageSets folder is named after the task",
    )
    labels = dataset.table("labels")
    unnamed = {c.id for c in dataset.categories if not class_list_ok(c.name)}
    report.lose(
        "image labels of classes that cannot be file names",
        int(true_mask(pc.is_in(labels["category_id"], value_set=pa.array(sorted(unnamed), pa.int64()))).sum())
        if unnamed and labels.num_rows
        else 0,
        "ImageSets/Main/<class>_<split>.txt is named after the class (not '..', '/', nor a name holding a "
        'character Windows refuses: < > : " | ? * or a control character)',
    )
    report.lose("image labels without a category", labels["category_id"].null_count, f"{TARGET} lists labels by class")
    if labels.num_rows:
        _report_yielding_class_lists(dataset, str(options.get("split") or "train"), report)
    if labels.num_rows:  # an ImageSets class list holds an image, a class and a difficult flag: nothing more
        report.lose(
            "image label attribute sets",
            labels.num_rows - labels["attributes"].null_count,
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
        "labelmap.txt holds one class per line: the break is written as a space there, so the XML's name no "
        "longer matches it",
    )
    odd = [c for c in dataset.categories if c.name != c.name.strip() or c.name.strip().startswith("#")]
    report.lose(
        "category names with leading or trailing spaces, or starting with '#'",
        len(odd),
        "XML names and labelmap.txt lines are read stripped, and a labelmap line starting with '#' is a comment: "
        "such a class reads back under another name, or not at all",
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
    # names as they read back: the writer puts a line break as a space (so 'x\ny' is the line of 'x y', which
    # the writer keys on) and readers strip names
    names = Counter(LINE_BREAK.sub(" ", c.name).strip() for c in dataset.categories)
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
        report.lose(
            "boxes",
            int(bad_box.sum()),
            "a negative width or height, or corners beyond float64 range: Pascal VOC's corners cannot hold them (the "
            "object is written with its mask only, if it has one, else not at all)",
        )
        if masks == "none":  # (an object with a mask and no box has nothing else to write: lost whole)
            has_mask = valid_mask(objects["mask"]) & known
            report.lose(
                "objects with a mask but no box",
                int((has_mask & ~valid_mask(objects["bbox"])).sum()),  # (a bad box is counted under "boxes")
                f"masks=none writes no segmentation PNGs, and a {TARGET} object needs a box",
            )
            report.lose("masks", int((has_mask & box_ok).sum()), "masks=none writes no segmentation PNGs")
        decoded = [decode_json_cell(v) for v in objects["attributes"].drop_null().to_pylist()]
        lists = [a for a in decoded if any(isinstance(x, list) for x in a.values())]
        report.lose("objects with list-valued attributes", len(lists), "Pascal VOC attribute values are single texts")
        report.transform(
            "objects with attribute values that read back otherwise",
            sum(1 for a in decoded if a not in lists and any(_reads_back_otherwise(x) for x in a.values())),
            "Pascal VOC attribute values are texts, read back stripped and typed (true/false, numbers): '3' reads as 3",
        )
        voc_rows = objects["extras"].filter(contains_match(objects["extras"], '"voc:'))
        report.lose(
            "objects with voc: extras Pascal VOC has no place for",
            sum(
                1
                for t in voc_rows.to_pylist()
                if any(k.startswith("voc:") and k not in OBJECT_KEYS for k in decode_json_cell(t))
            ),
            "Pascal VOC writes pose, truncated, difficult, parts, actions and point (voc:*); other voc: keys are not "
            "written",
        )
        report.lose(
            "malformed voc:* object values",
            malformed_count(voc_rows),
            "Pascal VOC needs integer flags, action names that can be XML tags (a letter or _, then letters, digits, "
            "_, - and .), parts with a name and 4 numbers, a point of 2 numbers: not written",
        )
        _report_dota_difficult(objects, known & box_ok, report)
        _report_unlisted_actions(dataset, known & box_ok, report, str(options.get("split") or "train"))
    if masks != "none":  # with or without objects: void masks are item metadata
        _check_masks(dataset, report, masks, box_ok)
    renamed_files(dataset, report)  # (last, where write() reported them: a plan says so too)


def _report_unlisted_actions(dataset: Dataset, xml_objects: np.ndarray[Any, Any], report: Report, split: str) -> None:
    """The action flags that would be lines of an ``ImageSets/Action/<action>_<split>.txt`` Windows cannot create.

    Such a list (action ``con.x``: a device) is not written (:func:`.voc_lists.action_list_ok`): the flags of
    its lines (:func:`.voc_lists.action_flags`, the writer's own rule) are lost there; the XML's ``<actions>``
    keeps them.
    """
    flags = action_flags(dataset, xml_objects, split)
    lost = [(action, s) for s, action, *_ in flags.lines if not action_list_ok(action)]
    first = lost[0] if lost else None
    if first is not None:
        report.lose(
            "action flags whose ImageSets/Action list Windows cannot create",
            len(lost),
            "ImageSets/Action/<action>_<split>.txt is named after the action, and Windows opens a device for a "
            "name that is CON, PRN, AUX, NUL, COM1-COM9 or LPT1-LPT9 before its first dot: the list is not "
            "written, on every machine (the flags stay in the XML's <actions>; tools reading the lists, as "
            f"VOC2012's devkit does, do not see them) (action {ascii(first[0])}, "
            f"{ascii(f'ImageSets/Action/{first[0]}_{first[1]}.txt')})",
        )
    trainval = dataset.info.extras.get("voc:trainval") is True
    if unread := unread_action_flags(flags, trainval):
        lost_name, kept = _example(action_lists(flags, trainval)[1])
        report.lose(
            "action flags whose ImageSets/Action list is another's on macOS or Windows",
            len(unread),
            _clash_reason("action", "Action", kept, lost_name)
            + " (the flags stay in the XML's <actions>; tools reading the lists do not see them)",
        )


def _example(yielding: dict[str, str]) -> tuple[str, str]:
    """A list that yields, and the one it yields to: the first by name, a split's own before trainval's."""
    return min(yielding.items(), key=lambda pair: (pair[0].endswith("_trainval.txt"), pair[0]))


def _clash_reason(kind: str, folder: str, kept: str, lost: str) -> str:
    """Why the lists of ``kind`` (class or action) whose names fold as others' are not written: ``lost`` yields."""
    return (
        f"ImageSets/{folder}/<{kind}>_<split>.txt is named after the {kind} and split, and names differing only in "
        "case are one file on macOS and Windows, names differing only in Unicode normalisation (NFC and NFD) on "
        f"macOS: the first by name is written, and a split's own list before it, on every machine "
        f"({ascii(f'ImageSets/{folder}/{kept}')} is written; {ascii(f'ImageSets/{folder}/{lost}')} is not: one on "
        f"{where_one(kept, lost)})"
    )


def _report_yielding_class_lists(dataset: Dataset, split: str, report: Report) -> None:
    """The image labels of class lists whose name another list's takes on macOS or Windows.

    :func:`.voc_lists.class_lists` says which lists yield, for the writer too.
    """
    items = dataset.table("items")
    ids = [str(i) for i in items["id"].to_pylist()]
    plan = class_lists(
        dataset, ids, [s or split for s in items["split"].to_pylist()], dataset.info.extras.get("voc:trainval") is True
    )
    if plan.yielding:
        lost, kept = _example(plan.yielding)
        report.lose(
            "image labels of classes whose ImageSets/Main list is another's on macOS or Windows",
            sum(1 for *_, read in plan.listed(label_values(dataset)) if not read),
            _clash_reason("class", "Main", kept, lost),
        )


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


ITEM_KEYS = frozenset(
    {
        "voc:folder",
        "voc:path",
        "voc:source",
        "voc:owner",
        "voc:segmented",
        "voc:depth",
        "voc:imagesets",
        "voc:blank_pngs",
        *VOID_KEYS,
    }
)
"""The item metadata VOC writes (any other key, ``voc:`` or not, is reported lost)."""
OBJECT_KEYS = frozenset(
    f"voc:{k}"
    for k in ("pose", "truncated", "difficult", "parts", "actions", "point", "mask_only", "semantic", "instance")
)
"""The object extras VOC writes or reads back."""


def _voc_metadata_only(meta: dict[str, Any]) -> bool:
    """Whether VOC writes all of an item's metadata: its own keys, source and owner fields named as tags."""
    if any(k not in ITEM_KEYS for k in meta):
        return False
    return all(
        not isinstance(meta.get(key), dict) or all(tag_ok(str(k)) for k in meta[key])
        for key in ("voc:source", "voc:owner")
    )


MOVED = "masks without an XML object"
"""What check() calls the mask-only objects painted with another value than the one they were read from."""


def uncount_lost_whole(dataset: Dataset, lost: list[tuple[int, int]], report: Report, **options: Any) -> None:
    """Take the objects painting lost whole off the counts check() made of their fields: each is counted once.

    A mask-only object whose pixels later instances or void pixels all cover does not read back at all, and
    ``report`` counts it lost among ``objects`` (found only while painting). check() had counted its fields
    before (its attributes, flags and polygon lost, the object written to the PNGs only), as it does of the
    objects written; those counts are taken off here, as they are of the objects on an image of unknown size
    whose first mask is too large to paint. ``lost``: each such object's row and the object PNG value it was
    painted with (0 for a class-only object). Only writes that lose an object so pay for this: check() runs again on the
    images holding them, with and without them, and the difference is theirs.

    The masks of such objects were painted, so check() counted none of them lost; and whether it counted one
    painted with another value than it was read from (``voc:instance``) depends on the image's other objects:
    that is told from the value it was painted with.
    """
    objects = dataset.table("objects")
    rows = np.zeros(objects.num_rows, dtype=bool)
    rows[[r for r, _ in lost]] = True
    images = np.zeros(dataset.table("items").num_rows, dtype=bool)
    images[dataset.item_positions()[rows]] = True
    alone, _ = dataset.with_objects(rows).without_items(~images)
    bare = alone.with_objects(np.zeros(alone.table("objects").num_rows, dtype=bool))
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
        setattr(report, kind, kept)


def _reads_back_otherwise(value: Any) -> bool:
    """Whether an attribute value written as VOC text reads back as another value (or type)."""
    from labelkit.formats.voc_xml import attribute_text

    back = attribute_value(attribute_text(value).strip())
    return type(back) is not type(value) or back != value


def _written_objects_only(dataset: Dataset, masks: str, box_ok: np.ndarray) -> Dataset:
    """The dataset with only the objects VOC writes (a known class, and a box or a mask to paint).

    An object lost whole (check() counts those) is then not counted again for a field it carried.
    """
    objects = dataset.table("objects")
    if not objects.num_rows:
        return dataset
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    placed = box_ok | (valid_mask(objects["mask"]) if masks != "none" else False)
    huge = _huge_images(dataset)
    unpainted = huge | _masks_of_another_size(dataset) if masks != "none" else huge
    if masks != "none" and unpainted.any():  # (an object of no XML object whose mask is not painted: lost whole)
        placed &= ~unpainted | (box_ok & (_png_kinds(objects)[0] == 0))
    return dataset.with_objects(placed & true_mask(pc.is_in(objects["category_id"], value_set=ids)))


def _masks_of_another_size(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether it has a mask of another size than its image's known size (a PNG's size)."""
    items, objects = dataset.table("items"), dataset.table("objects")
    has_mask = valid_mask(objects["mask"])
    if not has_mask.any() or not items.num_rows:
        return np.zeros(objects.num_rows, dtype=bool)
    item = dataset.item_positions()
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    mask_h = np.asarray(pc.struct_field(objects["mask"], "height").fill_null(0).to_numpy(), np.int64)
    mask_w = np.asarray(pc.struct_field(objects["mask"], "width").fill_null(0).to_numpy(), np.int64)
    safe = np.where(item >= 0, item, 0)
    sized = (width[safe] > 0) & (height[safe] > 0) & (item >= 0)
    wrong: np.ndarray[Any, Any] = has_mask & sized & ((mask_h != height[safe]) | (mask_w != width[safe]))
    return wrong


def _huge_images(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether its image's known size is past ``MAX_PNG_PIXELS`` (no PNG is painted for it)."""
    items = dataset.table("items")
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    huge = width.astype(np.float64) * height > MAX_PNG_PIXELS  # in float: int64 wraps for sides of 2**32
    if not huge.any():  # (the usual case: no object row is looked up)
        return np.zeros(dataset.table("objects").num_rows, dtype=bool)
    item = dataset.item_positions()
    return huge[np.where(item >= 0, item, 0)] & (item >= 0)


def _png_kinds(objects: pa.Table) -> tuple[np.ndarray[Any, Any], dict[int, int]]:
    """Each object row's kind: 1 for a class-only mask (``voc:semantic``), 2 for a mask-only object, else 0.

    Also the object PNG value each mask-only object was read from (``voc:instance``), by row.
    """
    kinds = np.zeros(objects.num_rows, dtype=np.int8)
    recorded: dict[int, int] = {}
    voc_rows = np.flatnonzero(contains_match(objects["extras"], '"voc:'))
    for r, raw in zip(voc_rows.tolist(), objects["extras"].take(pa.array(voc_rows)).to_pylist(), strict=True):
        extra = decode_json_cell(raw)
        kinds[r] = 1 if extra.get("voc:semantic") else 2 if extra.get("voc:mask_only") else 0
        if isinstance(extra.get("voc:instance"), int):
            recorded[r] = extra["voc:instance"]
    return kinds, recorded


def _check_masks(dataset: Dataset, report: Report, masks: str, box_ok: np.ndarray) -> None:
    """What the segmentation PNGs cannot hold, found before writing (so it is refused without --allow-loss).

    A PNG has the image's size: masks of another size cannot be painted, and neither can instances beyond the
    254th of an image (255 is the void value). Masks of objects without a box have no XML object to go with;
    they are written to the PNGs only, as the mask-only objects a VOC read gives back.
    """
    items, objects = dataset.table("items"), dataset.table("objects")
    n_items = items.num_rows
    item = dataset.item_positions()
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    known = (item >= 0) & true_mask(pc.is_in(objects["category_id"], value_set=ids))
    has_mask = valid_mask(objects["mask"]) & known
    has_box = box_ok
    kinds, recorded = _png_kinds(objects)  # (row -> the object PNG value a mask-only object was read from)
    # runs that do not make their mask would be painted from whatever memory the decoder is given: refused
    if (error := bad_mask_error(objects, "fix or drop its mask, or -o masks=none", among=has_mask)) is not None:
        raise error
    xml = has_box & known & (kinds == 0)  # the objects written as XML <object>s
    instances = has_mask & (kinds != 1)
    if masks == "all":
        instances |= valid_mask(objects["polygon"]) & xml
    huge = _huge_images(dataset)  # (no PNG is painted: an object of no XML object there is lost whole)
    wrong = _masks_of_another_size(dataset) & known  # (not painted: one of no XML object is lost whole)
    report.transform(
        "objects with a mask but no box",
        int((has_mask & ~has_box & (kinds == 0) & ~huge & ~wrong).sum()),
        "written to the segmentation PNGs only (a Pascal VOC object needs a box); read back as mask-only objects",
    )
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    safe = np.where(item >= 0, item, 0)
    sized = (width[safe] > 0) & (height[safe] > 0) if n_items else np.zeros(len(item), dtype=bool)
    other_size = "the mask's size differs from the image's (a PNG has the image's size)"
    report.lose("masks", int((wrong & xml).sum()), other_size)
    report.lose("objects", int((wrong & ~xml).sum()), f"{other_size}: with no box, nothing of it is written")
    _report_png_only_fields(objects, has_mask & ~xml & ~wrong & ~huge, report)
    no_png = f"the image has more than {MAX_PNG_PIXELS:,} pixels: no segmentation PNG is painted for it"
    report.lose("masks", int((has_mask & xml & huge & ~wrong).sum()), no_png)
    if masks == "all":
        report.lose("polygons", int((valid_mask(objects["polygon"]) & xml & ~has_mask & huge).sum()), no_png)
    report.lose("objects", int((has_mask & ~xml & huge & ~wrong).sum()), no_png)  # (class-only ones too)
    bad_voids, void_sized = _check_voids(items, width, height)
    # a class PNG holds values 1..254: the masks of later classes, and of a background class (value 0, as VOC's
    # first class is), cannot be painted (ImageMasks.write skips them)
    values_of = Classes(dataset).value
    keys = pa.array(list(values_of), pa.int64())
    value_of_row = np.asarray(
        pa.array(list(values_of.values()), pa.int64())
        .take(pc.index_in(objects["category_id"], value_set=keys))
        .fill_null(1)  # (no category: reported lost elsewhere)
        .to_numpy(zero_copy_only=False),
        dtype=np.int64,
    ).reshape(-1)
    unpaintable = (value_of_row >= VOID_INDEX) | (value_of_row == 0)
    painted = instances | has_mask  # (instances: with masks=all, polygons of XML objects too)
    report.lose(
        "masks",
        int((painted & unpaintable & known & ~huge).sum()),
        f"a class PNG holds class values 1 to {VOID_INDEX - 1} (0 is the background): the background class and "
        f"the classes from the {VOID_INDEX}th on cannot be painted",
    )
    if masks == "all":
        report.lose(
            "polygons",
            int((valid_mask(objects["polygon"]) & has_mask & ~wrong & ~(huge & ~xml)).sum()),  # (XML objects too)
            "the object's mask is painted, not its polygon",
        )
    if masks == "all" and n_items:  # polygons pycocotools cannot rasterise (ImageMasks.write leaves them out)
        drawn = valid_mask(objects["polygon"]) & xml & ~has_mask & ~unpaintable
        unsafe = drawn & sized & ~huge & G.unrasterisable(objects["polygon"], height[safe], width[safe])
        report.lose(
            "polygons",
            int(unsafe.sum()),
            f"coordinates beyond {G.RASTER_MARGIN} image sides from the image cannot be rasterised",
        )
        # an image of unknown size takes its PNGs' size from a mask or void region (ImageMasks.write): without
        # either, its polygons cannot be painted
        masked = np.zeros(n_items, dtype=bool)
        masked[item[has_mask & (item >= 0)]] = True
        shapeless = drawn & ~sized & (item >= 0) & ~masked[safe] & ~void_sized[safe]
        report.lose(
            "polygons",
            int(shapeless.sum()),
            "the image has no size, and no mask of it gives one: a PNG needs the image's size",
        )
        report.transform(
            "polygons",
            int((drawn & ~unsafe & ~shapeless & ~huge).sum()),
            RASTERISED,
        )
    categories = np.asarray(objects["category_id"].fill_null(-1).to_numpy(), np.int64)
    values = instance_values(item, xml, instances, n_items, categories, recorded)
    report.lose(
        "masks",
        int((instances & ~unpaintable & (values >= VOID_INDEX) & ~huge).sum()),
        f"an instance PNG holds values 1 to {VOID_INDEX - 1}: the i-th XML object's mask is value i, and masks "
        "without an XML object come after the image's XML objects",
    )
    # a mask-only object read from an object PNG value (voc:instance) that cannot be painted again: a 16-bit PNG's
    # 300, or a value an XML object's mask now takes
    moved = [
        r
        for r, v in recorded.items()
        if instances[r] and not unpaintable[r] and not huge[r] and v != values[r] < VOID_INDEX
    ]
    report.transform(
        MOVED,
        len(moved),
        f"their object PNG value (voc:instance) is past {VOID_INDEX - 1} or taken by an XML object's mask: painted "
        "with the next free value, which voc:instance reads back as",
    )
    report.lose("segmentation void regions", bad_voids, "the void mask's size differs from the image's")


def _report_png_only_fields(objects: pa.Table, png_only: np.ndarray[Any, Any], report: Report) -> None:
    """The XML fields of the objects written to the segmentation PNGs only (no box VOC can write, or mask-only).

    A PNG holds an object's class and pixels: its attributes, occluded flag, pose, truncated and difficult flags,
    parts, actions and point have no XML ``<object>`` to go in, and read back as a mask-only object's defaults.
    """
    if not png_only.any():
        return
    rows = objects.filter(pa.array(png_only))
    why = "an object without a box Pascal VOC can write goes to the segmentation PNGs only, which hold no"
    report.lose("object attribute sets", rows.num_rows - rows["attributes"].null_count, f"{why} attributes")
    report.lose("occluded flags", int(true_mask(rows["occluded"].fill_null(False)).sum()), f"{why} occluded flag")
    content = content_extras_counts(rows["extras"], None)
    for key, what, lacks in CONTENT_OBJECT_EXTRAS:
        report.lose(f"object annotations' {what} ({key})", content.get(key, 0), f"{why} {lacks}")


def _check_voids(items: pa.Table, width: np.ndarray[Any, Any], height: np.ndarray[Any, Any]) -> tuple[int, Any]:
    """Void masks (``voc:void*`` metadata) of another size than their image's, and per item whether one has a size.

    Raises:
        InputError: a void mask whose runs do not make it.
    """
    bad_voids = 0
    void_sized = np.zeros(items.num_rows, dtype=bool)
    for n, text in enumerate(items["metadata"].to_pylist()):
        if text is None or '"voc:void' not in text:
            continue
        meta = decode_json_cell(text)
        for key, cell in zip(("voc:void_class", "voc:void_object"), void_cells(meta), strict=True):
            shape = cell_shape(cell)
            if shape is not None and (broken := cell_problem(cell)) is not None:
                name = key if key in meta else "voc:void"
                raise InputError(
                    f"item {items['id'][n].as_py()}: {name}: {broken}",
                    hint="fix or drop its void metadata, or -o masks=none",
                )
            void_sized[n] |= shape is not None
            bad_voids += bool(cell is not None and width[n] > 0 and height[n] > 0 and shape != (height[n], width[n]))
    return bad_voids, void_sized


def instance_values(
    item: np.ndarray[Any, Any],
    xml: np.ndarray[Any, Any],
    instances: np.ndarray[Any, Any],
    n_items: int,
    categories: np.ndarray[Any, Any],
    recorded: dict[int, int],
) -> np.ndarray[Any, Any]:
    """Per object row, the value :meth:`.voc_masks.ImageMasks.write` paints it with (0: not painted).

    An XML object's mask is its 1-based position among its image's XML objects (rows in order); the values
    of masks without an XML object are chosen by :func:`.voc_masks.png_values`.
    """
    if not len(item):
        return np.zeros(0, np.int64)
    order = np.argsort(item, kind="stable")
    sorted_item = item[order]
    first = np.searchsorted(sorted_item, sorted_item, side="left")  # where each row's image starts
    running = np.concatenate([[0], np.cumsum(xml[order].astype(np.int64))])
    out = np.zeros(len(item), np.int64)
    out[order] = np.where(xml[order], running[1:] - running[first], 0)
    alone = np.flatnonzero(instances & ~xml)
    if len(alone):
        bounds = np.searchsorted(sorted_item, np.arange(n_items + 1))
        for image in np.unique(item[alone]).tolist():
            rows = order[bounds[image] : bounds[image + 1]]
            xml_rows = rows[xml[rows]].tolist()
            alone_rows = rows[instances[rows] & ~xml[rows]].tolist()
            values = png_values(
                [int(categories[r]) for r in xml_rows],
                [bool(instances[r]) for r in xml_rows],
                [(int(categories[r]), recorded.get(r)) for r in alone_rows],
            )
            out[alone_rows] = values[-len(alone_rows) :]
    return np.where(instances, out, 0)


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
