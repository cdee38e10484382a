"""Writing Pascal VOC folders: XML per item, image sets, labelmap, segmentation PNGs.

Boxes go from the model's ``x, y, w, h`` to VOC's 1-based inclusive corners in one numpy step; each XML
file is built as one string and written with one ``open``/``write``/``close``. Unknown classes are written
under their own names (never remapped to background) and listed in ``labelmap.txt``. The segmentation PNGs
are painted in :mod:`labelkit.formats.voc_masks`, and the XML text is spelled in :mod:`labelkit.formats.voc_xml`.
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from labelkit.errors import LINE_BREAKS, InputError, OutputError, UsageError
from labelkit.formats import voc_xml
from labelkit.formats.base import Capabilities, check_capabilities
from labelkit.formats.voc import CAPABILITIES, IDS_COMMENT, VOC_CLASSES, VOID_INDEX, parse_color, voc_palette
from labelkit.formats.voc_masks import (
    MAX_PNG_PIXELS,
    VOID_KEYS,
    ImageMasks,
    MaskColumns,
    PngPool,
    cell_shape,
    palette_bytes,
    png_values,
    void_cells,
)
from labelkit.formats.voc_values import (
    NOT_XML,
    as_list,
    malformed_count,
    not_xml_texts,
    not_xml_values,
    tag_ok,
    xml_text,
)
from labelkit.formats.yolo_media import ChunkedRows, place_media
from labelkit.io import create_file, is_plain_name, safe_relpath
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.rle import bad_mask_error, cell_problem
from labelkit.model.tables import decode_json_cell, true_mask, valid_mask
from labelkit.report import Report

TARGET = "Pascal VOC"


def _caps(options: dict[str, Any]) -> Capabilities:
    if str(options.get("masks") or "auto") != "all":
        return CAPABILITIES
    return replace(CAPABILITIES, shapes=CAPABILITIES.shapes | {"polygon"}, geometry=CAPABILITIES.geometry | {"polygon"})


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Report what VOC cannot hold: angles, polygons (unless rasterised), keypoints, foreign metadata."""
    masks = str(options.get("masks") or "auto")
    check_capabilities(_written_objects_only(dataset, masks), _caps(options), TARGET, report)
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
    with_voc = _may_hold_voc(texts)
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
    broken = [c.name for c in dataset.categories if _LINE_BREAK.search(c.name)]
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
    unnamed = {c.id for c in dataset.categories if not is_plain_name(c.name)}
    report.lose(
        "image labels of classes that cannot be file names",
        int(true_mask(pc.is_in(labels["category_id"], value_set=pa.array(sorted(unnamed), pa.int64()))).sum())
        if unnamed and labels.num_rows
        else 0,
        "ImageSets/Main/<class>_<split>.txt is named after the class",
    )
    report.lose("image labels without a category", labels["category_id"].null_count, f"{TARGET} lists labels by class")
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
    names = Counter(c.name.strip() for c in dataset.categories)
    report.lose(
        "categories sharing a name with another",
        sum(n - 1 for n in names.values() if n > 1),
        "VOC names classes: their objects and image labels read back as the first's",
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
        if masks == "none":
            report.lose(
                "masks", objects.num_rows - objects["mask"].null_count, "masks=none writes no segmentation PNGs"
            )
        decoded = [decode_json_cell(v) for v in objects["attributes"].drop_null().to_pylist()]
        lists = [a for a in decoded if any(isinstance(x, list) for x in a.values())]
        report.lose("objects with list-valued attributes", len(lists), "VOC attribute values are single texts")
        report.transform(
            "objects with attribute values that read back otherwise",
            sum(1 for a in decoded if a not in lists and any(_reads_back_otherwise(x) for x in a.values())),
            "VOC attribute values are texts, read back stripped and typed (true/false, numbers): '3' reads as 3",
        )
        voc_rows = objects["extras"].filter(true_mask(pc.match_substring(objects["extras"], '"voc:')))
        report.lose(
            "objects with voc: extras VOC has no place for",
            sum(
                1
                for t in voc_rows.to_pylist()
                if any(k.startswith("voc:") and k not in OBJECT_KEYS for k in decode_json_cell(t))
            ),
            "VOC writes pose, truncated, difficult, parts, actions and point (voc:*); other voc: keys are not written",
        )
        report.lose(
            "malformed voc:* object values",
            malformed_count(voc_rows),
            "VOC needs integer flags, parts with a name and 4 numbers, a point of 2 numbers: not written",
        )
    if masks != "none":  # with or without objects: void masks are item metadata
        _check_masks(dataset, report, masks)


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


def _blank_pngs(meta: dict[str, Any]) -> tuple[str, ...]:
    """The segmentation PNGs an item had with no pixel set (``voc:blank_pngs``, as read): written again."""
    value = meta.get("voc:blank_pngs")
    kinds = ("SegmentationClass", "SegmentationObject")
    return tuple(k for k in kinds if isinstance(value, list) and k in value)


def _reads_back_otherwise(value: Any) -> bool:
    """Whether an attribute value written as VOC text reads back as another value (or type)."""
    from labelkit.formats.voc import attribute_value
    from labelkit.formats.voc_xml import attribute_text

    back = attribute_value(attribute_text(value).strip())
    return type(back) is not type(value) or back != value


def _written_objects_only(dataset: Dataset, masks: str) -> Dataset:
    """The dataset with only the objects VOC writes (a known class, and a box or a mask to paint).

    An object lost whole (check() counts those) is then not counted again for a field it carried.
    """
    objects = dataset.table("objects")
    if not objects.num_rows:
        return dataset
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    placed = valid_mask(objects["bbox"]) | (valid_mask(objects["mask"]) if masks != "none" else False)
    return dataset.with_objects(placed & true_mask(pc.is_in(objects["category_id"], value_set=ids)))


RASTERISED = "rasterised into SegmentationObject/SegmentationClass PNGs"
"""The reason of the transformation of polygons under ``masks=all`` (see :meth:`PngPool.close`)."""


def _check_masks(dataset: Dataset, report: Report, masks: str) -> None:
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
    has_box = valid_mask(objects["bbox"])
    kinds = np.zeros(objects.num_rows, dtype=np.int8)  # 1 = semantic (class PNG only), 2 = mask-only
    recorded: dict[int, int] = {}  # row -> the object PNG value a mask-only object was read from
    voc_rows = np.flatnonzero(true_mask(pc.match_substring(objects["extras"], '"voc:')))
    for r, raw in zip(voc_rows.tolist(), objects["extras"].take(pa.array(voc_rows)).to_pylist(), strict=True):
        extra = decode_json_cell(raw)
        kinds[r] = 1 if extra.get("voc:semantic") else 2 if extra.get("voc:mask_only") else 0
        if isinstance(extra.get("voc:instance"), int):
            recorded[r] = extra["voc:instance"]
    # runs that do not make their mask would be painted from whatever memory the decoder is given: refused
    if (error := bad_mask_error(objects, "fix or drop its mask, or -o masks=none", among=has_mask)) is not None:
        raise error
    xml = has_box & known & (kinds == 0)  # the objects written as XML <object>s
    instances = has_mask & (kinds != 1)
    if masks == "all":
        instances |= valid_mask(objects["polygon"]) & xml
    report.transform(
        "objects with a mask but no box",
        int((has_mask & ~has_box & (kinds == 0)).sum()),
        "written to the segmentation PNGs only (a VOC object needs a box); read back as mask-only objects",
    )
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    mask = objects["mask"]
    mask_h = np.asarray(pc.struct_field(mask, "height").fill_null(0).to_numpy(), np.int64)
    mask_w = np.asarray(pc.struct_field(mask, "width").fill_null(0).to_numpy(), np.int64)
    safe = np.where(item >= 0, item, 0)
    sized = (width[safe] > 0) & (height[safe] > 0) if n_items else np.zeros(len(item), dtype=bool)
    wrong = has_mask & sized & ((mask_h != height[safe]) | (mask_w != width[safe])) if n_items else has_mask & False
    report.lose("masks", int(wrong.sum()), "the mask's size differs from the image's (a PNG has the image's size)")
    pixels = width.astype(np.float64) * height  # in float: int64 wraps for sides of 2**32
    huge = (pixels > MAX_PNG_PIXELS)[safe] if n_items else np.zeros(len(item), dtype=bool)
    report.lose(
        "masks",
        int((instances & huge).sum()),
        f"the image has more than {MAX_PNG_PIXELS:,} pixels: no segmentation PNG is painted for it",
    )
    bad_voids, void_sized = _check_voids(items, width, height)
    # a class PNG holds values 1..254: the masks of later classes, and of a background class (value 0, as VOC's
    # first class is), cannot be painted (ImageMasks.write skips them)
    values_of = _Classes(dataset).value
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
        int((painted & unpaintable & known).sum()),
        f"a class PNG holds class values 1 to {VOID_INDEX - 1} (0 is the background): the background class and "
        f"the classes from the {VOID_INDEX}th on cannot be painted",
    )
    if masks == "all":
        report.lose(
            "polygons",
            int((valid_mask(objects["polygon"]) & xml & has_mask).sum()),
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
            int((drawn & ~unsafe & ~shapeless).sum()),
            RASTERISED,
        )
    categories = np.asarray(objects["category_id"].fill_null(-1).to_numpy(), np.int64)
    values = instance_values(item, xml, instances, n_items, categories, recorded)
    report.lose(
        "masks",
        int((instances & ~unpaintable & (values >= VOID_INDEX)).sum()),
        f"an instance PNG holds values 1 to {VOID_INDEX - 1}: the i-th XML object's mask is value i, and masks "
        "without an XML object come after the image's XML objects",
    )
    report.lose("segmentation void regions", bad_voids, "the void mask's size differs from the image's")


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


class _Classes:
    """Category id -> labelmap position, PNG value and colour."""

    def __init__(self, dataset: Dataset) -> None:
        self.categories = list(dataset.categories)
        self.offset = 0 if self.categories and self.categories[0].name == "background" else 1
        self.value = {c.id: i + self.offset for i, c in enumerate(self.categories)}
        # classes as read from VOC without a labelmap (the standard classes in use, their VOC index as id,
        # nothing extra) are written as VOC itself writes them: PNG value = VOC index, no labelmap.txt
        used = {v for name in ("objects", "labels") for v in pc.unique(dataset.table(name)["category_id"]).to_pylist()}
        self.standard = bool(self.categories) and all(
            c.id in used
            and 0 <= c.id < len(VOC_CLASSES)
            and VOC_CLASSES[c.id] == c.name
            and not c.color
            and not c.extras.get("voc:parts")
            and not c.extras.get("voc:actions")
            for c in self.categories
        )
        if self.standard:
            self.value = {c.id: c.id for c in self.categories}
        self.name = {c.id: c.name for c in self.categories}
        palette = voc_palette()
        self.colors = []
        for c in self.categories:
            color = parse_color(c.color) if c.color else None
            self.colors.append(color or palette[self.value[c.id] % 256])
        self.palette = list(palette)
        for c, color in zip(self.categories, self.colors, strict=True):
            if self.value[c.id] < VOID_INDEX:  # (255 is void's; later classes have no value in a class PNG)
                self.palette[self.value[c.id]] = color
        self.palette_bytes = palette_bytes(self.palette)

    def labelmap(self) -> str:
        """``labelmap.txt``: Datumaro's ``name:r,g,b:parts:actions`` lines, plus the model's ids as a comment.

        A class PNG value is the line's position (plus one when the first class is not ``background``).
        """
        lines = ["# label:color_rgb:parts:actions", IDS_COMMENT + " " + ",".join(str(c.id) for c in self.categories)]
        for c, color in zip(self.categories, self.colors, strict=True):
            parts = ",".join(p for p in as_list(c.extras.get("voc:parts")) if isinstance(p, str))
            actions = ",".join(a for a in as_list(c.extras.get("voc:actions")) if isinstance(a, str))
            name = _LINE_BREAK.sub(" ", c.name)
            lines.append(f"{name}:{color[0]},{color[1]},{color[2]}:{parts}:{actions}")
        return "\n".join(lines) + "\n"


_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
"""A character the labelmap reader (``str.splitlines``) breaks a line at."""
_ITEM_CHUNK = 8192


def _may_hold_voc(texts: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Which metadata texts may hold a ``voc:`` key: they say ``"voc:``, or have an escape that could spell it.

    Null texts hold nothing.
    """
    return true_mask(pc.or_(pc.match_substring(texts, '"voc:'), pc.match_substring(texts, "\\")))


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write a VOC folder: ``Annotations``, ``ImageSets``, ``labelmap.txt``, segmentation PNGs, images.

    Raises:
        UsageError: media copy or link without ``media_root``.
    """
    masks_mode = str(options.get("masks") or "auto")
    media = str(options.get("media") or "none")
    media_root = Path(str(options["media_root"])) if options.get("media_root") else None
    if media != "none" and media_root is None:
        raise UsageError("media=copy or link needs the images' folder", hint="add -o media_root=FOLDER")
    default_split = str(options.get("split") or "train")
    classes = _Classes(dataset)
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    splits = [s or default_split for s in items["split"].to_pylist()]
    paths = items["path"].to_pylist()
    widths = items["width"].to_pylist()
    heights = items["height"].to_pylist()
    # VOC reads only its own keys (voc:*) from item metadata: a text without one (and without an escape,
    # which could spell one) reads as empty
    holds_voc = _may_hold_voc(items["metadata"]).tolist()
    metadata = [decode_json_cell(m) if h else {} for m, h in zip(items["metadata"].to_pylist(), holds_voc, strict=True)]
    files = [safe_relpath(i) for i in ids]
    image_names, renamed = voc_xml.image_names(paths, files)
    report.transform(
        "image file names", renamed, "images of one name (from other folders) are named after their item ids"
    )

    objects = dataset.table("objects")
    item_of = dataset.item_positions()
    known = np.flatnonzero(item_of >= 0)
    order = known[np.argsort(item_of[known], kind="stable")]
    bounds = np.searchsorted(item_of[order], np.arange(len(ids) + 1)).tolist()
    boxes, has_box = G.bbox_columns(objects["bbox"])
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    turned = angle != 0
    if turned.any():
        corners = G.rotated_box_corners(boxes[turned], angle[turned])
        boxes[turned] = G.ring_bounds(corners.reshape(-1), np.arange(0, 8 * (int(turned.sum()) + 1), 8))
    voc = G.xywh_to_voc(boxes)
    categories = objects["category_id"].to_pylist()
    occluded = objects["occluded"].to_pylist()
    extras_raw = objects["extras"].to_pylist()
    attributes_raw = objects["attributes"].to_pylist()
    has_mask = valid_mask(objects["mask"])
    if masks_mode == "none":
        has_mask[:] = False
    has_polygon = valid_mask(objects["polygon"])
    if masks_mode != "all":
        has_polygon[:] = False
    name_xml = {cid: xml_text(name) for cid, name in classes.name.items()}
    geometry = MaskColumns(
        ChunkedRows(objects["mask"]), ChunkedRows(objects["polygon"]) if masks_mode == "all" else None
    )

    pool = PngPool(report)
    made: set[str] = set()  # segmentation folders made: those of the images that get PNGs

    def folders_for(file: str) -> None:
        folder = file.rpartition("/")[0]
        if folder not in made:
            made.add(folder)
            for kind in ("SegmentationClass", "SegmentationObject"):
                (path / kind / folder).mkdir(parents=True, exist_ok=True)

    try:
        (path / "Annotations").mkdir()
        for folder in sorted({f.rpartition("/")[0] for f in files} - {""}):
            (path / "Annotations" / folder).mkdir(parents=True, exist_ok=True)
        base = str(path / "Annotations") + os.sep
        lists: dict[str, dict[str, list[str]]] = {"Main": defaultdict(list)}
        written_objects = 0
        # masks without an XML object: written to the PNGs, read back as mask-only or class-only objects
        painted_alone = 0
        mask_h = np.asarray(pc.struct_field(objects["mask"], "height").fill_null(0).to_numpy(), np.int64)
        mask_w = np.asarray(pc.struct_field(objects["mask"], "width").fill_null(0).to_numpy(), np.int64)
        fractional = 0
        # objects with no VOC extras, attributes or occlusion flag and no mask (the usual case from COCO):
        # an image holding only such objects gets its XML body as one slice of a chunk's bulk-made text
        plain = (
            has_box
            & true_mask(pc.is_in(objects["category_id"], value_set=pa.array(list(name_xml), pa.int64())))
            & ~true_mask(pc.match_substring(objects["extras"], '"voc:'))
            & true_mask(objects["attributes"].is_null())
            & true_mask(objects["occluded"].is_null())
            & ~has_mask
            & ~has_polygon
        )
        names = pa.array([name_xml.get(c, "") if c is not None else "" for c in categories], pa.large_string())
        for first in range(0, len(ids), _ITEM_CHUNK):
            last = min(first + _ITEM_CHUNK, len(ids))
            start = bounds[first]
            chunk = order[start : bounds[last]]
            not_plain = np.concatenate([[0], np.cumsum(~plain[chunk])])
            item_bounds = np.asarray(bounds[first : last + 1]) - start
            fast = (not_plain[item_bounds[1:]] - not_plain[item_bounds[:-1]] == 0).tolist()
            bulk_text, bulk_starts = voc_xml.plain_objects(names.take(pa.array(chunk)), voc[chunk])
            bulk = memoryview(bulk_text)
            fast_row = np.repeat(np.asarray(fast, dtype=bool), np.diff(item_bounds))
            slow = chunk[~fast_row]
            fractional += int(np.count_nonzero(~voc_xml.integral(voc[chunk[fast_row]])))
            tokens, integral = voc_xml.number_tokens(voc[slow])
            texts: dict[int, str] = {}
            extras: dict[int, dict[str, Any]] = {}
            for k, r in enumerate(slow.tolist()):
                raw = extras_raw[r]
                extra = decode_json_cell(raw) if raw is not None and '"voc:' in raw else {}
                if extra:
                    extras[r] = extra
                if (
                    not has_box[r]
                    or categories[r] not in name_xml
                    or "voc:mask_only" in extra
                    or "voc:semantic" in extra
                ):
                    continue
                numbers = tokens[4 * k : 4 * k + 4]
                fractional += not integral[k]
                if extra or attributes_raw[r] is not None or occluded[r] is not None:
                    attrs = decode_json_cell(attributes_raw[r])
                    texts[r] = voc_xml.object_xml(name_xml[categories[r]], numbers, occluded[r], extra, attrs)
                else:
                    texts[r] = voc_xml.PLAIN_OBJECT % (name_xml[categories[r]], *numbers)
            jobs: list[tuple[int, list[int], list[int], list[int], tuple[Any, Any], list[int], tuple[str, ...]]] = []
            for n in range(first, last):
                rows = order[bounds[n] : bounds[n + 1]].tolist()
                instance_rows: list[int] = []
                values: list[int] = []
                semantic_rows: list[int] = []
                if fast[n - first]:  # plain objects: no mask and no rasterised polygon
                    xml_rows = rows
                    body = bytes(bulk[bulk_starts[bounds[n] - start] : bulk_starts[bounds[n + 1] - start]])
                else:
                    xml_rows = [r for r in rows if r in texts]
                    body = "".join([texts[r] for r in xml_rows]).encode()
                    instance_rows = [r for r in xml_rows if has_mask[r] or has_polygon[r]]
                    semantic_rows = [
                        r
                        for r in rows
                        if has_mask[r] and extras.get(r, {}).get("voc:semantic") and categories[r] in name_xml
                    ]
                    # masks without an XML object (read as mask-only, or with no box): instances in the PNGs only
                    alone = [
                        r
                        for r in rows
                        if has_mask[r] and r not in texts and categories[r] in name_xml and r not in semantic_rows
                    ]
                    instance_rows += alone
                    values = png_values(
                        [categories[r] for r in xml_rows],
                        [bool(has_mask[r] or has_polygon[r]) for r in xml_rows],
                        [(categories[r], extras.get(r, {}).get("voc:instance")) for r in alone],
                    )
                    # the PNGs' size: the image's, or (without one) the first mask's, as ImageMasks.write takes it
                    size = (heights[n], widths[n]) if (widths[n] or 0) > 0 and (heights[n] or 0) > 0 else None
                    if size is None:
                        size = next(
                            ((mask_h[r], mask_w[r]) for r in instance_rows + semantic_rows if has_mask[r]), None
                        )
                    if size is not None and size[0] * size[1] <= MAX_PNG_PIXELS:  # (sizes compared below)
                        painted_alone += sum(  # (check() reported the others lost)
                            1
                            for r, v in zip(alone, values[len(values) - len(alone) :], strict=True)
                            if v < VOID_INDEX
                            and (mask_h[r], mask_w[r]) == size
                            and 0 < classes.value[categories[r]] < VOID_INDEX
                        )
                meta = metadata[n]
                voids = void_cells(meta) if masks_mode != "none" else (None, None)
                if instance_rows and size is None and all(cell_shape(v) is None for v in voids):
                    instance_rows, values = [], []  # polygons only, and nothing gives the PNGs a size: check() said
                blank = _blank_pngs(meta) if masks_mode != "none" else ()
                segmented = bool(
                    instance_rows or semantic_rows or voids[0] is not None or voids[1] is not None or blank
                )
                name = image_names[n]
                head = voc_xml.head_xml(meta, name, widths[n], heights[n], segmented)
                written_objects += len(xml_rows)
                create_file(base + files[n] + ".xml", head.encode() + body + b"</annotation>\n")
                lists["Main"][splits[n]].append(ids[n])
                tasks = meta.get("voc:imagesets")
                if not isinstance(tasks, list):
                    tasks = []
                    if segmented:
                        tasks.append("Segmentation")
                    if extras and any(isinstance(extras.get(r, {}).get("voc:actions"), dict) for r in xml_rows):
                        tasks.append("Action")
                    if extras and any(extras.get(r, {}).get("voc:parts") for r in xml_rows):
                        tasks.append("Layout")
                for task in tasks:
                    if isinstance(task, str):  # others are reported by check(), as are names that are not plain
                        lists.setdefault(task, defaultdict(list))[splits[n]].append(ids[n])
                if segmented:
                    jobs.append((n, instance_rows, values, semantic_rows, voids, xml_rows, blank))
                if media != "none" and paths[n]:
                    assert media_root is not None
                    place_media(media_root, paths[n], path / "JPEGImages" / name, media)
            # the chunk's masks in one take (a take per image costs more than painting the image)
            wanted = [r for _, inst, _, sem, _, _, _ in jobs for r in inst + sem]
            cells = dict(zip(wanted, geometry.masks.take(wanted).to_pylist(), strict=True))
            polygons = (
                dict(zip(wanted, geometry.polygons.take(wanted).to_pylist(), strict=True))
                if geometry.polygons is not None
                else {}
            )
            for n, instance_rows, values, semantic_rows, voids, xml_rows, blank in jobs:
                shape = (heights[n], widths[n]) if (widths[n] or 0) > 0 and (heights[n] or 0) > 0 else None
                xml_names = [classes.name[categories[r]] for r in xml_rows] if semantic_rows else None
                masks = ImageMasks(
                    cells,
                    polygons,
                    instance_rows,
                    values,
                    semantic_rows,
                    categories,
                    classes,
                    voids,
                    xml_names,
                    blank_object="SegmentationObject" in blank,
                )
                folders_for(files[n])
                pool.submit(masks.write, path, files[n], shape)
        pool.close(RASTERISED)
    finally:
        pool.executor.shutdown(wait=True, cancel_futures=True)
    label_lines = _write_lists(path, dataset, ids, splits, lists)
    if not classes.standard:
        (path / "labelmap.txt").write_text(classes.labelmap(), encoding="utf-8")
    if fractional:
        report.note(f"{fractional:,} boxes have fractional VOC corners, written exactly as decimals (not rounded)")
    report.written = {
        "items": len(ids),
        "object annotations": written_objects + painted_alone + pool.class_only,
        "label annotations": label_lines,
    }


def listable(item_id: str) -> bool:
    """Whether an item id can be a line of an ImageSets list.

    It must be one word (lines are split at whitespace) and not a comment (``#``).
    """
    return item_id.split() == [item_id] and not item_id.startswith("#")


def _with_trainval(by_split: dict[str, list[str]], trainval: bool) -> dict[str, list[str]]:
    """The lists by split, plus (``trainval``, and both train and val listed) ``trainval``: their ids sorted.

    VOC's releases list train + val again as trainval, sorted; a VOC reader passes over it (see ``voc_sets.Sets``).
    """
    if not trainval or "trainval" in by_split or not ("train" in by_split and "val" in by_split):
        return by_split
    return {**by_split, "trainval": sorted({*by_split["train"], *by_split["val"]})}


def _write_lists(
    path: Path, dataset: Dataset, ids: list[str], splits: list[str], lists: dict[str, dict[str, list[str]]]
) -> int:
    """Write the ImageSets lists; returns how many image-level labels they hold (one per item and class)."""
    trainval = dataset.info.extras.get("voc:trainval") is True  # read beside train and val lists: made again
    for task, by_split in lists.items():
        if not is_plain_name(task):  # an ImageSets task from item metadata (check() reports it)
            continue
        folder = path / "ImageSets" / task
        folder.mkdir(parents=True, exist_ok=True)
        for split, members in sorted(_with_trainval(by_split, trainval).items()):
            text = "".join(f"{m}\n" for m in members if listable(m))
            (folder / f"{split}.txt").write_text(text, encoding="utf-8")
    labels = dataset.table("labels")
    if not labels.num_rows:
        return 0
    name_of = {c.id: c.name for c in dataset.categories}
    value: dict[tuple[str, str], int] = {}
    for item_id, cid, extra in zip(
        labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), labels["extras"].to_pylist(), strict=True
    ):
        if cid in name_of:
            difficult = decode_json_cell(extra).get("voc:difficult")
            value[(item_id, name_of[cid])] = 0 if difficult else 1
    used = sorted({cls for _, cls in value}, key=[c.name for c in dataset.categories].index)
    main = path / "ImageSets" / "Main"
    members_of: dict[str, list[str]] = defaultdict(list)
    for item_id, split in zip(ids, splits, strict=True):
        if listable(item_id):
            members_of[split].append(item_id)
    # one folder holds both <split>.txt and <class>_<split>.txt: class a of split b_c and class a_b of split c
    # (or class a of split train and split a_train) would write one file
    written = {f"{split}.txt": f"the list of split {split!r}" for split in lists.get("Main", {})}
    for cls in filter(is_plain_name, used):  # a class file is named after the class (check() reports others)
        for split, members in sorted(_with_trainval(members_of, trainval).items()):
            name = f"{cls}_{split}.txt"
            if name in written:
                raise OutputError(
                    f"would be both {written[name]} and the list of class {cls!r} in split {split!r}",
                    path=main / name,
                    hint="rename the class or the split",
                )
            written[name] = f"the list of class {cls!r} in split {split!r}"
            text = "".join(f"{m} {value.get((m, cls), -1):2d}\n" for m in members)
            (main / name).write_text(text, encoding="utf-8")
    plain = set(filter(is_plain_name, used))
    listed = {m for members in members_of.values() for m in members}
    return sum(1 for item, cls in value if cls in plain and item in listed)
