"""Turning parsed Pascal VOC files (XML, image sets, segmentation PNGs) into a labelkit dataset."""

from __future__ import annotations

from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.formats.base import EMPTY_TASK_LISTS
from labelkit.formats.voc import (
    VOC_CLASSES,
    VOID_INDEX,
    _png_indices,
    voc_palette,
)
from labelkit.formats.voc_images import ImageFinder
from labelkit.formats.voc_labelmap import IGNORED, Labelmap, hex_color, is_own_color
from labelkit.formats.voc_names import EMPTY_SPLITS, KEEP_IDS, image_names
from labelkit.formats.voc_parse import _XmlItem
from labelkit.formats.voc_sets import ActionLine, IndexLine, Sets
from labelkit.formats.yolo_media import image_size, is_image
from labelkit.model import Category, Dataset, DatasetInfo, raster
from labelkit.model.tables import MASK_TYPE, dumps
from labelkit.portable import folded_name

_STANDARD = {name: i for i, name in enumerate(VOC_CLASSES)}


def _categories(labelmap: Labelmap | None, used: set[str]) -> list[Category]:
    """Categories: the labelmap's, in order (plus any class it misses); else the used classes in VOC order."""
    if labelmap is not None:
        palette = voc_palette()
        cats: list[Category] = []
        for name, color, parts, actions, cid in zip(
            labelmap.names, labelmap.colors, labelmap.parts, labelmap.actions, labelmap.ids, strict=True
        ):
            extras: dict[str, Any] = {}
            if parts:
                extras["voc:parts"] = parts
            if actions:
                extras["voc:actions"] = actions
            value = len(cats) + (0 if labelmap.names[0] == "background" else 1)
            if color is not None and is_own_color(name, color, value, palette):
                color = None  # the default colour of its PNG value: nothing to keep
            cats.append(Category(id=cid, name=name, color=hex_color(color) if color else None, extras=extras))
        next_id = max((c.id for c in cats), default=-1) + 1
        for name in sorted(used - set(labelmap.names)):
            cats.append(Category(id=next_id, name=name))
            next_id += 1
        return cats
    standard = sorted((n for n in used if n in _STANDARD), key=_STANDARD.__getitem__)
    others = sorted(n for n in used if n not in _STANDARD)
    # a standard class keeps its VOC index as id, so segmentation PNG values and ids agree
    cats = [Category(id=_STANDARD[n], name=n) for n in standard]
    cats += [Category(id=len(VOC_CLASSES) + i, name=n) for i, n in enumerate(others)]
    return cats


def _class_names_by_index(labelmap: Labelmap | None) -> list[str]:
    """Class PNG value -> class name. Value 0 is always background (Datumaro adds it when a labelmap lacks it)."""
    if labelmap is None:
        return list(VOC_CLASSES)
    if labelmap.names and labelmap.names[0] == "background":
        return list(labelmap.names)
    return ["background", *labelmap.names]


def _class_lookup(
    labelmap: Labelmap | None,
) -> tuple[dict[tuple[int, int, int], int], list[tuple[int, int, int]], dict[tuple[int, int, int], str]]:
    """Colour -> class PNG value, each value's own colour, and the colours classes share, with their names.

    Each value's own colour is the palette a class PNG written for it has; a colour is shared when two or
    more classes (background included) hold it: it maps to the last, and a pixel of it read through the
    colours is refused (see :func:`_png_indices`). Only values below 255 (void) are classes' values: a
    labelmap's 255th class and later have none.
    """
    palette = list(voc_palette())
    lookup = {palette[i]: i for i in range(256)}
    shared: dict[tuple[int, int, int], str] = {}
    if labelmap is not None:
        offset = 0 if labelmap.names and labelmap.names[0] == "background" else 1
        for i, color in enumerate(labelmap.colors):
            if color is not None and i + offset < VOID_INDEX:
                lookup[color] = i + offset
                palette[i + offset] = color
        last = len(labelmap.names) - 1
        plain = last >= 0 and not labelmap.parts[last] and not labelmap.actions[last]
        if plain and (labelmap.names[last], labelmap.colors[last]) == IGNORED:
            # (Datumaro's and CVAT's last line, VOC's void by name and colour: in an RGB PNG its pixels are the
            # void's, as palette index 255 is, not objects of a class 'ignored', one on each image with void)
            lookup[IGNORED[1]] = VOID_INDEX
        names = _class_names_by_index(labelmap)[:VOID_INDEX]
        holders: dict[tuple[int, int, int], list[str]] = {}
        for value, name in enumerate(names):
            holders.setdefault(palette[value], []).append(name)
        shared = {c: " and ".join(map(repr, n)) for c, n in holders.items() if len(n) > 1}
    return lookup, palette, shared


def build(
    root: Path,
    parsed: list[tuple[str, str | None, Path, _XmlItem]],
    labelmap: Labelmap | None,
    sets: Sets,
    masks: dict[str, dict[str, Path]],
) -> Dataset:
    """Assemble items, objects (boxes and masks) and image-level labels into a dataset."""
    class_names = _class_names_by_index(labelmap)
    xml_items = _xml_items(parsed)
    apply_actions(xml_items, sets.actions)
    check_indices(xml_items, sets.indexed)
    # (a class whose lists hold no image is still a class: -1 says no image of the split shows it)
    used = {o["name"] for _, _, _, it in parsed for o in it.objects} | set(sets.classes)
    class_lookup, class_colors, shared = _class_lookup(labelmap)
    instance_colors = list(voc_palette())
    instance_lookup = {c: i for i, c in enumerate(instance_colors)}

    def pngs(stem: str) -> dict[int, np.ndarray[Any, Any]]:
        """The image's PNGs as indices, decoded when its item is built: 0 the class PNG, 1 the object PNG.

        (Decoding every image's PNGs first held them all: 6 GB for 8,000 images of 640 x 480.)
        """
        kinds, arrays = masks.get(stem, {}), {}
        if "SegmentationClass" in kinds:
            arrays[0] = _png_indices(kinds["SegmentationClass"], class_lookup, class_colors, shared=shared)
        if "SegmentationObject" in kinds:  # (16-bit values past 255: instance ids)
            arrays[1] = _png_indices(kinds["SegmentationObject"], instance_lookup, instance_colors, top=0xFFFF)
        return arrays

    by_id: dict[str, tuple[str, str | None, Path, _XmlItem]] = {}
    counts = Counter(i for i, _, _, _ in parsed)
    for item_id, split, folder, item in parsed:
        key = f"{split}/{item_id}" if counts[item_id] > 1 and split else item_id
        by_id[key] = (item_id, split, folder, item)
    # items in the order the split lists give (files by name, then lines), then the rest by id
    listed = list(dict.fromkeys(i for i in sets.listed if i in by_id or i not in counts))
    rest = set(by_id) | {i for i, _, _ in sets.labels} | set(sets.negatives) | set(masks)
    all_ids = listed + sorted(rest - set(listed))

    item_rows: dict[str, list[Any]] = {k: [] for k in ("id", "path", "width", "height", "split", "metadata")}
    objects: dict[str, list[Any]] = {
        k: [] for k in ("id", "item_id", "category_id", "shape", "bbox", "occluded", "mask", "attributes", "extras")
    }
    unmatched: list[str] = []  # images whose class PNG has another size than their object PNG
    resized: list[str] = []  # images with a segmentation PNG of another size than the image's (its <size>)
    unread: Counter[str] = Counter()  # PNG regions no object is made of (see standalone_masks)
    first_on_background: str | None = None  # the first image with an instance over class PNG background
    substituted: list[tuple[str, str, str]] = []  # items read with an image of their id, not the one named
    one_sided: list[tuple[str, int, int]] = []  # items whose <size> gives one side, which their image's differs from
    one_sided_png: list[tuple[str, int, int]] = []  # (and which their PNG's does, whose size is read)
    images = ImageFinder(root)  # (each image folder listed once, and asked whether an image is there)
    annotations = root / "Annotations"
    for item_id in all_ids:
        found_xml = by_id.get(item_id)  # (None: an item of no XML, listed or of PNGs only)
        stem, split, folder, item = found_xml or (item_id, None, annotations, _XmlItem())
        image, of_id = images.find(folder, stem, item.filename)  # (below the root)
        if of_id:  # (not the file <filename> names: an image of the id was read)
            substituted.append((item_id, item.filename or "", image or ""))
        width, height = item.width, item.height
        if (width is None or height is None) and image is not None:  # (the side given kept, the other the image's)
            found_w, found_h = image_size(root / image)
            one_sided.extend((item_id, given, side) for given, side in _differing(item, found_w, found_h))
            width, height = (found_w if width is None else width), (found_h if height is None else height)
        arrays = pngs(stem)
        if 0 in arrays:  # (a class the class PNG shows is a class, whether or not an object is made of it)
            used.update(class_names[v] for v in raster.distinct(arrays[0]) if 0 < v < min(VOID_INDEX, len(class_names)))
        if 0 in arrays and 1 in arrays and arrays[0].shape != arrays[1].shape:
            unmatched.append(stem)
        if (width is None or height is None) and arrays:  # (the PNG's size: its masks', which the image must have)
            height, width = next(iter(arrays.values())).shape
            one_sided_png.extend((item_id, given, side) for given, side in _differing(item, width, height))
        elif width and height and arrays and arrays[1 if 1 in arrays else 0].shape != (height, width):
            resized.append(stem)  # (the object PNG, the masks' source, else the class PNG)
        if image is not None:
            rel = image
        elif item.filename:  # (a//b.jpg, a/./b.jpg, a/b.jpg/: the file a/b.jpg, as an image found there is given)
            below = str(PurePosixPath(item.filename))  # (a backslash kept as read: the writer reports it transformed)
            rel = (f"{split}/" if split and folder != annotations else "JPEGImages/") + below
        else:
            rel = None
        metadata = dict(item.metadata)
        segmented = 1 if arrays else 0
        if metadata.get("voc:segmented") == segmented:
            del metadata["voc:segmented"]  # the writer derives it from the masks
        if metadata.get("voc:depth") == 3 and width and height:  # (of an unknown size: the <size> of 0 x 0 kept)
            del metadata["voc:depth"]
        derived = [
            task
            for task, present in (
                ("Segmentation", bool(arrays)),
                ("Action", any("voc:actions" in o["extras"] for o in item.objects)),
                ("Layout", any("voc:parts" in o["extras"] for o in item.objects)),
            )
            if present
        ]
        if sets.lists.get(stem, []) != derived:
            metadata["voc:imagesets"] = sets.lists.get(stem, [])  # the writer writes exactly these lists
        if sets.main_lists and sets.lists.get(stem) and stem not in sets.main:  # (VOC2012's Action or Layout images:
            metadata["voc:main"] = False  # in no Main list, the detection set; nor written to one)
        item_split = split or sets.split_of.get(stem)
        elsewhere = {t: s for t, s in sets.task_splits.get(stem, {}).items() if s != [item_split]}
        if elsewhere:  # task lists of other splits than the item's (Segmentation/trainval.txt only): written so
            metadata["voc:task_splits"] = {str(item_split): elsewhere}  # (while the item is of that split)
        if arrays:  # (an image of no PNG, as most are, has no void, blank PNG, instance or class-only mask)
            metadata.update(void_metadata(arrays))
            blank = [
                kind
                for k, kind in ((0, "SegmentationClass"), (1, "SegmentationObject"))
                if k in arrays and not arrays[k].any()
            ]
            if blank:  # PNGs with no pixel set: no mask comes of them, and writing VOC writes them again
                metadata["voc:blank_pngs"] = blank
        item_rows["id"].append(item_id)
        item_rows["path"].append(rel)
        item_rows["width"].append(width)
        item_rows["height"].append(height)
        item_rows["split"].append(item_split)
        item_rows["metadata"].append(dumps(metadata) if metadata else None)
        found = _instances(arrays, class_names) if arrays else {}
        attached = _masks_of(found, arrays.get(1), item.objects) if arrays else {}
        xml_objects = item.objects
        if xml_objects:  # (a column at a time: the ids are numbered once every object is in)
            count = len(xml_objects)
            objects["item_id"] += [item_id] * count
            objects["category_id"] += [o["name"] for o in xml_objects]  # (names: ids once every class is known)
            objects["shape"] += ["box"] * count
            objects["bbox"] += [o["bbox"] for o in xml_objects]  # (tuples: Arrow reads them as it reads lists)
            objects["occluded"] += [o["occluded"] for o in xml_objects]
            objects["mask"] += [attached.get(index) for index in range(1, count + 1)] if attached else [None] * count
            objects["attributes"] += [dumps(o["attributes"]) if o["attributes"] else None for o in xml_objects]
            objects["extras"] += [dumps(o["extras"]) if o["extras"] else None for o in xml_objects]
        if not arrays:
            continue
        on_background = unread["on background"]
        standalone = standalone_masks(arrays, item.objects, class_names, unread, found)
        if unread["on background"] > on_background and first_on_background is None:
            first_on_background = stem
        for (value, name, flag), mask in sorted(standalone.items()):
            bounds = raster.mask_bounds(mask)
            objects["item_id"].append(item_id)
            objects["category_id"].append(name)
            objects["shape"].append("mask")
            objects["bbox"].append(list(bounds) if bounds else None)
            objects["occluded"].append(None)
            objects["mask"].append(raster.mask_to_rle(mask))
            objects["attributes"].append(None)
            extra: dict[str, Any] = {flag: True}
            if flag == "voc:mask_only":  # its value in the object PNG, so that writing VOC paints it there again
                extra["voc:instance"] = value
            objects["extras"].append(dumps(extra))
    objects["id"] = [str(number) for number in range(1, len(objects["item_id"]) + 1)]  # (in order, from 1)
    categories = _categories(labelmap, used)
    id_of = {c.name: c.id for c in categories}
    objects["category_id"] = [id_of[name] for name in objects["category_id"]]
    labels: dict[str, list[Any]] = {"id": [], "item_id": [], "category_id": [], "extras": []}
    for item_id, cls, value in sets.labels:
        labels["id"].append(str(len(labels["id"]) + 1))
        labels["item_id"].append(item_id)
        labels["category_id"].append(id_of[cls])
        labels["extras"].append(dumps({"voc:difficult": 1}) if value == 0 else None)
    tables = {
        "items": pa.table(
            {
                "id": pa.array(item_rows["id"], pa.string()),
                "media": pa.array(["image"] * len(all_ids), pa.string()),
                "path": pa.array(item_rows["path"], pa.string()),
                "width": pa.array(item_rows["width"], pa.int64()),
                "height": pa.array(item_rows["height"], pa.int64()),
                "split": pa.array(item_rows["split"], pa.string()),
                "metadata": pa.array(item_rows["metadata"], pa.string()),
            }
        ),
        "objects": pa.table(
            {
                "id": pa.array(objects["id"], pa.string()),
                "item_id": pa.array(objects["item_id"], pa.string()),
                "category_id": pa.array(objects["category_id"], pa.int64()),
                "shape": pa.array(objects["shape"], pa.string()),
                "bbox": pa.array(objects["bbox"], pa.list_(pa.float64(), 4)),
                "occluded": pa.array(objects["occluded"], pa.bool_()),
                "mask": pa.array(objects["mask"], MASK_TYPE),
                "attributes": pa.array(objects["attributes"], pa.string()),
                "extras": pa.array(objects["extras"], pa.string()),
            }
        ),
        "labels": pa.table(
            {k: pa.array(v, pa.int64() if k == "category_id" else pa.string()) for k, v in labels.items()}
        ),
    }
    info_extras = {"voc:trainval": sets.trainval, "voc:action_objects": sets.action_objects}
    # writing VOC names an item of another format after its image when not so named: these keep their ids
    info_extras[KEEP_IDS] = _named_otherwise(item_rows["id"], item_rows["path"])
    extras: dict[str, Any] = {k: True for k, v in info_extras.items() if v}
    if sets.empty:  # (Main's split lists naming no image: written back, empty)
        extras[EMPTY_SPLITS] = sets.empty
    if sets.empty_tasks:  # (and the tasks')
        extras[EMPTY_TASK_LISTS] = sets.empty_tasks
    info = DatasetInfo(extras=extras) if extras else None
    dataset = Dataset.from_tables(tables, categories, info)
    flagged = (  # (only with index lines: a pass over every object)
        {(i, k) for i, _, _, it in parsed for k, o in enumerate(it.objects, 1) if o["extras"].get("voc:actions")}
        if sets.indexed
        else set()
    )
    for note in (sets.note(), sets.task_note(), sets.index_note(flagged), sets.action_note(), sets.unread_note()):
        if note is not None:
            dataset.read_notes.append(note)
    # (a class list's lines make items too, those of a label: VoTT names images with their extension there)
    named_in_lists = list(dict.fromkeys([*listed, *(i for i, _, _ in sets.labels), *sets.negatives]))
    named = _image_named_ids(named_in_lists, counts)
    if named:  # (ids listed with their image's extension: items of no XML, and the XML's item of no split)
        dataset.read_notes.append(
            f"{len(named):,} ImageSets lines name an image file whose stem has an XML ({named[0]!r} first, beside "
            f"Annotations/{PurePosixPath(named[0]).with_suffix('').as_posix()}.xml): VOC lists ids, without the "
            "extension, so each was read as an item of no XML, and the XML's item as listed in no split"
        )
    if cased := _case_named_ids(named_in_lists, counts):  # (as above: a set made where A and a are one name)
        dataset.read_notes.append(
            f"{len(cased):,} ImageSets lines name an XML's id in another case or Unicode normalisation ({cased[0][0]!r}"
            f" first, beside Annotations/{cased[0][1]}.xml): VOC pairs them by exact name (one name on macOS, and on "
            "Windows in another case), so each was read as an item of no XML, and the XML's item as listed in no split"
        )
    respelled = [(text, item_id) for item_id, _, _, item in parsed for text in item.respelled]
    if respelled:  # (Datumaro writes True)
        dataset.read_notes.append(
            f"{len(respelled):,} attribute values spelled otherwise than true or false ({respelled[0][0]!r} first, in "
            f"{respelled[0][1]!r}) were read as booleans: VOC writes them back as true or false"
        )
    unknown = Counter(tag for _, _, _, item in parsed for tag in item.unread)
    if unknown:  # (writing VOC does not write them either)
        shown = ", ".join(f"{tag} ({n:,})" for tag, n in _most_first(unknown)[:8])
        more = f" and {len(unknown) - 8} more" if len(unknown) > 8 else ""
        dataset.read_notes.append(
            f"{sum(unknown.values()):,} XML elements or attributes labelkit does not read were left out: {shown}{more}"
        )
    stray = Counter(tag for _, _, _, item in parsed for tag in item.stray)
    if stray:  # (writing VOC does not write it either)
        shown = ", ".join(f"<{tag}> ({n:,})" for tag, n in _most_first(stray))
        first = next((item_id, item.stray[0]) for item_id, _, _, item in parsed if item.stray)
        dataset.read_notes.append(
            f"{sum(stray.values()):,} XML elements hold text beside the elements inside them, which no VOC reader "
            f"reads, and it was left out: {shown} (first: <{first[1]}> of {first[0]!r})"
        )
    if unread["instances"]:
        dataset.read_notes.append(
            f"{unread['instances']:,} SegmentationObject instances have no XML object and no class under them in "
            "a SegmentationClass PNG: they were not read"
        )
    if unread["classes"]:
        dataset.read_notes.append(
            f"{unread['classes']:,} SegmentationClass regions have a value no class has (the labelmap's or VOC's "
            "classes): they were not read"
        )
    if unread["on background"]:
        dataset.read_notes.append(
            f"{unread['on background']:,} SegmentationObject instances ({first_on_background}.png first) cover "
            "background (0) pixels of their SegmentationClass PNG: their masks are read whole, and writing VOC "
            "paints their class over those pixels"
        )
    if resized:
        dataset.read_notes.append(
            f"{len(resized):,} images ({resized[0]}.png first) have a segmentation PNG of another size than the "
            "image's (its XML's <size>, else its file's): their masks are read at the PNG's size, which no writer "
            "can place on the image (writing reports them lost)"
        )
    if one_sided:
        odd_id, given, other = one_sided[0]
        dataset.read_notes.append(
            f"{len(one_sided):,} items have a <size> of one side that their image differs from (first: item "
            f"{odd_id!r}, {given} in its XML, {other} in its image): the side given is kept, the other is the image's"
        )
    if one_sided_png:
        odd_id, given, other = one_sided_png[0]
        dataset.read_notes.append(
            f"{len(one_sided_png):,} items of no image have a <size> of one side that their segmentation PNG differs "
            f"from (first: item {odd_id!r}, {given} in its XML, {other} in its PNG): the PNG's size is read, as their "
            "masks have it"
        )
    if substituted:
        item_id, written, image = substituted[0]
        n = len(substituted)
        dataset.read_notes.append(
            f"{n:,} item{'s were' if n != 1 else ' was'} read with an image of {'their' if n != 1 else 'its'} id, not "
            f"the file {'their' if n != 1 else 'its'} <filename> names (first: item {item_id!r}, of <filename> "
            f"{written!r}, read with {image!r}), as VOC's loaders read it, its size too where the XML gives none; "
            "writing VOC writes that image's name"
        )
    if unmatched:
        dataset.read_notes.append(
            f"{len(unmatched):,} images ({unmatched[0]}.png first) have a SegmentationClass PNG of another size than "
            "their SegmentationObject PNG: its class pixels were not read (each instance took its XML object's "
            "class, and instances without an XML object were not read)"
        )
    return dataset


def _differing(item: _XmlItem, width: int, height: int) -> list[tuple[int, int]]:
    """The sides an item's ``<size>`` gives that differ from ``width`` and ``height``, as (given, other) pairs.

    Of a ``<size>`` of one side, the side given is kept beside an image of another size (both were the image's,
    ``<width>10</width>`` beside a 6 x 7 image read as 6 x 7, without a word), and the segmentation PNG's size is
    read whole for an item of no image (its masks have it, and another would leave them unplaced): either way a
    read note names the first item whose file differs.
    """
    return [(g, o) for g, o in ((item.width, width), (item.height, height)) if g is not None and g != o]


def _xml_items(parsed: list[tuple[str, str | None, Path, _XmlItem]]) -> dict[str, _XmlItem]:
    """Each item's XML (the first, of an id two XMLs give), by id."""
    items: dict[str, _XmlItem] = {}
    for item_id, _, _, item in parsed:
        items.setdefault(item_id, item)
    return items


def check_indices(items: dict[str, _XmlItem], indexed: list[IndexLine]) -> None:
    """Refuse an ``Action/<split>.txt`` or ``Layout/<split>.txt`` line naming an object past its image's XML objects.

    ``items``: each item's XML, by id (:func:`_xml_items`).

    As a per-action list's line is refused (:func:`apply_actions`): the index was read, and said nothing. A line
    of an image of no XML (a test set's lists, shipped without its annotations) is not: its objects are unknown.

    Raises:
        InputError: (the list's file and line) the first such line.
    """
    for line in indexed:
        if line.item not in items:  # (an image of no XML, a test list's shipped without annotations: an item of
            continue  # its own, its index passed over with the read note, as before the check)
        count = len(items[line.item].objects)
        if line.index > count:
            raise _past_objects(line, count, "is named by the list")


def _past_objects(line: ActionLine | IndexLine, count: int, said: str) -> InputError:
    """The error of a list line naming an object past the ``count`` objects of its image's XML (its file and line)."""
    return InputError(
        f"object {line.index} of image {line.item!r} {said}, and its XML has {count} object{'' if count == 1 else 's'}",
        path=line.path,
        line=line.line,
    )


def apply_actions(items: dict[str, _XmlItem], actions: list[ActionLine]) -> None:
    """Set each ``Action/<action>_<split>.txt`` line's flag on its object: the line's 1-based object index.

    ``items``: each item's XML, by id (:func:`_xml_items`).

    The flag is the object's ``voc:actions`` entry (1, or 0 for -1), as ``<actions>`` in the XML gives it; an
    action the XML already gives keeps its value, which the line must agree with.

    Raises:
        InputError: (the list's file and line) an object index past the image's XML objects, or a flag the
            XML's ``<actions>`` contradicts.
    """
    for line in actions:
        objects = items[line.item].objects if line.item in items else []
        if line.index > len(objects):
            raise _past_objects(line, len(objects), "has an action flag")
        flags = objects[line.index - 1]["extras"].setdefault("voc:actions", {})
        value = 1 if line.flag == 1 else 0
        if line.action in flags and bool(flags[line.action]) != bool(value):
            raise InputError(
                f"object {line.index}'s flag contradicts its XML's <actions>",
                path=line.path,
                line=line.line,
                expected=f"{1 if flags[line.action] else -1} (<{line.action}>{flags[line.action]}</{line.action}>)",
                found=str(line.flag),
            )
        flags.setdefault(line.action, value)


def void_metadata(arrays: dict[int, np.ndarray[Any, Any]]) -> dict[str, dict[str, Any]]:
    """Item metadata for the void pixels (value 255) of an image's segmentation PNGs, as mask cells.

    ``voc:void_class`` holds the SegmentationClass PNG's void pixels and ``voc:void_object`` the
    SegmentationObject PNG's. When both PNGs have void pixels and they are the same (as in VOC's own
    releases), one ``voc:void`` key stands for both. A PNG without void pixels adds nothing. Each cell is
    the model's mask cell without its null ``runs``: ``{"height", "width", "counts"}`` (compressed COCO
    RLE), which :func:`labelkit.model.raster.rle_to_mask` decodes.

    Args:
        arrays: the image's PNGs as indices: 0 the class PNG, 1 the object PNG (either may be absent).

    Returns:
        The metadata keys to add (empty when no PNG has void pixels).
    """
    voids = {kind: arrays[kind] == VOID_INDEX for kind in (0, 1) if kind in arrays}
    voids = {kind: void for kind, void in voids.items() if void.any()}
    if len(voids) == 2 and voids[0].shape == voids[1].shape and np.array_equal(voids[0], voids[1]):
        return {"voc:void": _void_cell(voids[0])}
    names = {0: "voc:void_class", 1: "voc:void_object"}
    return {names[kind]: _void_cell(void) for kind, void in voids.items()}


def _image_named_ids(listed: list[str], counts: Counter[str]) -> list[str]:
    """Listed ids of no XML that are an unlisted XML's id with an image extension (``a.jpg``, ``Annotations/a.xml``).

    ``counts``: the XMLs' ids.
    """
    out, listed_ids = [], set(listed)
    for item in listed:
        if item in counts:  # (an XML's id, as almost every listed id is: no path made)
            continue
        path = PurePosixPath(item)
        stem = path.with_suffix("").as_posix()
        if is_image(path) and stem in counts and stem not in listed_ids:
            out.append(item)
    return out


def _case_named_ids(listed: list[str], counts: Counter[str]) -> list[tuple[str, str]]:
    """Listed ids of no XML that an unlisted XML's id is in another case or Unicode normalisation, with it.

    ``A`` beside ``Annotations/a.xml``; ``café`` in NFC beside its XML named in NFD (one name on macOS): folded as
    :func:`labelkit.portable.folded_name` folds them. ``counts``: the XMLs' ids. Folded only when some listed id
    has no XML (test sets ship so).
    """
    if not (orphans := [item for item in listed if item not in counts]):
        return []
    listed_ids, by_fold = set(listed), dict[str, str]()
    for item_id in sorted(counts):
        if item_id not in listed_ids:
            by_fold.setdefault(folded_name(item_id), item_id)
    return [(item, by_fold[folded_name(item)]) for item in orphans if folded_name(item) in by_fold]


def _void_cell(mask: np.ndarray[Any, Any]) -> dict[str, Any]:
    return {k: v for k, v in raster.mask_to_rle(mask).items() if v is not None}


def _instances(arrays: dict[int, np.ndarray[Any, Any]], class_names: list[str]) -> dict[int, str | None]:
    """Instance value -> class name from the class PNG's majority, or None.

    The majority is the most common class value under the instance, 0 and void left out (the lowest value of
    a tie); for 8-bit PNGs of one size, every instance's counts come of one pass over the pixels. No mask is
    made here: its users make one instance's at a time (``arrays[1] == value``), so that an image of 250
    instances holds one image-sized mask, not 250 (1.5 GB for a 2000x1500 image).
    """
    out: dict[int, str | None] = {}
    if 1 not in arrays:
        return out
    instances, classes = arrays[1], arrays.get(0)
    values = [v for v in raster.distinct(instances) if v not in (0, VOID_INDEX)]
    counts: dict[int, np.ndarray[Any, Any]] = {}
    if values and classes is not None and classes.shape == instances.shape:
        if instances.dtype == np.uint8 and classes.dtype == np.uint8:  # (pixels counted a run at a time)
            pair = ((instances.astype(np.uint16) << 8) | classes).ravel()
            starts = raster.run_starts(pair)
            lengths = np.diff(np.append(starts, pair.size))
            pairs = np.bincount(pair[starts], weights=lengths, minlength=1 << 16).astype(np.int64)
            counts = dict(zip(values, pairs.reshape(256, 256)[values], strict=True))
        else:
            counts = {v: np.bincount(classes[instances == v].astype(np.int64), minlength=256) for v in values}
    for value in values:
        name = None
        if value in counts:
            under = counts[value].copy()
            under[0] = under[VOID_INDEX] = 0
            if under.any():
                top = int(under.argmax())
                name = class_names[top] if top < len(class_names) else None
        out[value] = name
    return out


def _masks_of(
    found: dict[int, str | None], instances: np.ndarray[Any, Any] | None, objects: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Instance masks that belong to XML objects: instance value i is the i-th object when the class agrees.

    ``found``: the image's instances (:func:`_instances`) in ``instances``, its object PNG (None: no instance).
    """
    wanted = [v for v, name in found.items() if v <= len(objects) and name in (None, objects[v - 1]["name"])]
    return _instance_rles(instances, wanted) if instances is not None and wanted else {}


_FEW_INSTANCES = 4


def _instance_rles(instances: np.ndarray[Any, Any], values: list[int]) -> dict[int, dict[str, Any]]:
    """Each value's mask cell, :func:`raster.mask_to_rle` of ``instances == value``, of one pass over the pixels.

    An image's runs (column-major, as COCO RLE counts them) are found once; a value's counts are its runs and the
    gaps between them, which pycocotools compresses as it does an encoded mask's: an image of 250 instances is
    not encoded 250 times whole. Each value must be in ``instances``. A few values are encoded a mask each (the
    runs of the whole image cost about as much as two masks').
    """
    if len(values) < _FEW_INSTANCES:
        return {value: raster.mask_to_rle(instances == value) for value in values}

    height, width = instances.shape
    flat = instances.ravel(order="F")
    starts = raster.run_starts(flat)
    ends = np.append(starts[1:], flat.size)
    of = flat[starts]
    out = {}
    for value in values:
        at = np.flatnonzero(of == value)
        begin, end = starts[at], ends[at]
        counts = np.empty(2 * len(at), dtype=np.int64)
        counts[0::2] = begin - np.append(0, end[:-1])  # (the background before each run; 0 before the first pixel)
        counts[1::2] = end - begin
        if end[-1] < flat.size:
            counts = np.append(counts, flat.size - end[-1])
        out[value] = raster.runs_to_rle(counts.tolist(), height, width)
    return out


def standalone_masks(
    arrays: dict[int, np.ndarray[Any, Any]],
    objects: list[dict[str, Any]],
    class_names: list[str],
    unread: Counter[str] | None = None,
    found: dict[int, str | None] | None = None,
) -> dict[tuple[int, str, str], Any]:
    """Masks with no XML object: instances whose class disagrees, and class pixels no instance accounts for.

    Without an object PNG, every class pixel is such a pixel. An instance accounts for the class pixels under
    it that have its class (its XML object's, or the class PNG's majority for a mask-only one), as writing VOC
    paints them; class pixels outside every instance, or of another class than the instance's (a class-only
    region drawn over it), become ``voc:semantic`` masks, which writing VOC paints over the instances, so
    that the class PNG reads and writes back the same.
    """
    out: dict[tuple[int, str, str], Any] = {}
    classes = arrays.get(0)
    unexplained = None if classes is None else (classes != 0) & (classes != VOID_INDEX)
    background = np.zeros(0, dtype=bool) if classes is None else classes == 0  # (read where classes is)
    if classes is not None and 1 in arrays and arrays[1].shape != classes.shape:
        unexplained = None  # a class PNG of another size than the object PNG's: its pixels cannot be matched
    named: dict[str, list[int]] = {}  # class name -> its class values (not pixels: an image-sized mask a class)
    if 1 in arrays:
        instances = arrays[1]
        if classes is not None and unexplained is not None:  # (flat arrays: ndarray.flat[at] took 10 times as long)
            unexplained = np.ascontiguousarray(unexplained)  # (a mask decoded from RLE is in Fortran order)
            unexplained_pixels = unexplained.ravel()  # (a view, written through: C order, as flatnonzero's indexes)
            class_pixels, background_pixels = classes.ravel(), background.ravel()
        for value, name in (_instances(arrays, class_names) if found is None else found).items():
            mask = instances == value  # (one image-sized mask at a time: see _instances)
            attached = value <= len(objects) and (name is None or name == objects[value - 1]["name"])
            if not attached and name is not None:
                out[(value, name, "voc:mask_only")] = mask
            elif not attached and unread is not None:  # no XML object, and no class under it to name it
                unread["instances"] += 1
            painted = objects[value - 1]["name"] if attached else name
            if classes is not None and unexplained is not None and painted is not None and mask.shape == classes.shape:
                if painted not in named:
                    named[painted] = [v for v, n in enumerate(class_names) if n == painted]
                at = np.flatnonzero(mask)  # (its class pixels explained: those of the class it is painted in)
                unexplained_pixels[at[np.isin(class_pixels[at], named[painted])]] = False
                if unread is not None and painted != class_names[0] and background_pixels[at].any():
                    unread["on background"] += 1  # (no mask says so: writing VOC paints its class there)
    if classes is not None and unexplained is not None:
        for value in raster.distinct(classes[unexplained]):
            if value < len(class_names):
                out[(value, class_names[value], "voc:semantic")] = unexplained & (classes == value)
            elif unread is not None:  # a value no class has
                unread["classes"] += 1
    return out


def _named_otherwise(ids: list[str], paths: list[str | None]) -> bool:
    """Whether an item's id (its XML's name) is not the name writing VOC would give it (:func:`voc_names.image_names`).

    That is its image's stem, with the folders below ``JPEGImages/`` (``<filename>images/a.jpg</filename>`` of
    ``a.xml`` names ``images/a``): compared with the stem alone, such items were renamed ``images/a``, their XML
    moved into ``Annotations/images/``.
    """
    stems = image_names(pa.array(paths, pa.string()))
    return bool(pc.any(pc.not_equal(stems, pa.array(ids, pa.string()))).as_py())


def _most_first(counts: Counter[str]) -> list[tuple[str, int]]:
    """A note's counts, the largest first (ties by name)."""
    return sorted(counts.items(), key=lambda x: (-x[1], x[0]))
