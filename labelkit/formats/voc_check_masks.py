"""What Pascal VOC's segmentation PNGs cannot hold, found before writing (part of :func:`.voc_check.check`).

A PNG has the image's size and 254 instance values: masks of another size, of images too large to paint, of
classes or instances past the 254th, and polygons that cannot be rasterised are counted here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.formats.capability import ADOPTED_OBJECT_EXTRAS, CONTENT_OBJECT_EXTRAS, content_extras_counts
from labelkit.formats.voc import VOID_INDEX
from labelkit.formats.voc_masks import (
    MAX_PNG_PIXELS,
    NO_SIZE,
    RASTERISED,
    cell_shape,
    png_values,
    void_cells,
)
from labelkit.formats.voc_write import (
    Classes,
    blank_pngs,
    voc_boxes,
)
from labelkit.model import Dataset, raster
from labelkit.model import geometry as G
from labelkit.model.rle import bad_mask_error, cell_problem
from labelkit.model.tables import contains_match, decode_json_cell, dumps, true_mask, valid_mask
from labelkit.report import Report

MOVED = "masks without an XML object"
"""What check() calls the mask-only objects painted with another value than the one they were read from."""


def mask_only_as_xml(dataset: Dataset, masks: str) -> tuple[Dataset, np.ndarray[Any, Any]]:
    """The dataset with the mask-only objects no PNG holds made XML objects, and which object rows were.

    A mask-only object (``voc:mask_only``: read from the object PNG, with no XML object; its box is its mask's
    bounds) goes to the PNGs only. When no PNG holds it (``masks=none``; no mask; a mask of another size than its
    image, on an image too large to paint, or of a class with no class PNG value), one with a box VOC can write
    is written as an XML object (its box and class, which VOC's XML holds) and reads back as one, not as a
    mask-only object; its object PNG value (``voc:instance``) goes with its mask. Both keys are taken off its
    extras here, so that check() and write() see the XML object (and count it among the image's XML objects, as
    the instance values and Action lists do). A class-only object (``voc:semantic``) is not: it is a class's
    pixels, which no XML object holds. The input is not changed.
    """
    from labelkit.formats.voc_write import voc_boxes

    objects = dataset.table("objects")
    extras = objects["extras"]
    maybe = contains_match(extras, '"voc:') & (contains_match(extras, "mask_only") | contains_match(extras, "\\"))
    changed = np.zeros(objects.num_rows, dtype=bool)
    if not maybe.any():
        return dataset, changed
    maybe &= voc_boxes(dataset)[1]
    if masks != "none":  # (masks the PNGs cannot hold: check_masks counts them lost)
        maybe &= ~valid_mask(objects["mask"]) | unpainted_masks(dataset)
    rows = np.flatnonzero(maybe)
    texts: list[str | None] = []
    for r, raw in zip(rows.tolist(), extras.take(pa.array(rows)).to_pylist(), strict=True):
        extra = decode_json_cell(raw)
        if extra.get("voc:mask_only") and not extra.get("voc:semantic"):
            changed[r] = True
            rest = {k: v for k, v in extra.items() if k not in ("voc:mask_only", "voc:instance")}
            texts.append(dumps(rest) if rest else None)
    if not changed.any():
        return dataset, changed
    column = pc.replace_with_mask(extras.combine_chunks(), pa.array(changed), pa.array(texts, extras.type))
    table = objects.set_column(objects.schema.get_field_index("extras"), "extras", column)
    return Dataset.from_tables({**dataset.tables(), "objects": table}, dataset.categories, dataset.info), changed


def unpainted_masks(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether no PNG can hold its mask (if it has one).

    A mask of another size than its image, on an image too large to paint, or of a class with no class PNG
    value: :func:`check_masks` says which.
    """
    unpainted: np.ndarray[Any, Any] = dataset.masks_of_another_size() | huge_images(dataset) | classes_past_png(dataset)
    return unpainted


def classes_past_png(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether its class has no class PNG value: the ``background`` class (0) or one past 254.

    A class PNG holds values 1 to 254 (255 is void): the masks of those classes cannot be painted. An object of
    no known category is not one (it is reported lost for that).
    """
    objects = dataset.table("objects")
    values_of = Classes(dataset).value
    keys = pa.array(list(values_of), pa.int64())
    value_of_row = np.asarray(
        pa.array(list(values_of.values()), pa.int64())
        .take(pc.index_in(objects["category_id"], value_set=keys))
        .fill_null(1)  # (no category: reported lost elsewhere)
        .to_numpy(zero_copy_only=False),
        dtype=np.int64,
    ).reshape(-1)
    unpaintable: np.ndarray[Any, Any] = (value_of_row >= VOID_INDEX) | (value_of_row == 0)
    return unpaintable


def huge_images(dataset: Dataset) -> np.ndarray[Any, Any]:
    """Per object row, whether its image's known size is past ``MAX_PNG_PIXELS`` (no PNG is painted for it)."""
    items = dataset.table("items")
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    huge = width.astype(np.float64) * height > MAX_PNG_PIXELS  # in float: int64 wraps for sides of 2**32
    if ((width <= 0) | (height <= 0)).any():  # (one of unknown size: its PNGs take its first mask's or void's size)
        huge |= _unknown_png_pixels(dataset, width, height) > MAX_PNG_PIXELS
    if not huge.any():  # (the usual case: no object row is looked up)
        return np.zeros(dataset.table("objects").num_rows, dtype=bool)
    item = dataset.item_positions()
    return huge[np.where(item >= 0, item, 0)] & (item >= 0)


def png_kinds(objects: pa.Table) -> tuple[np.ndarray[Any, Any], dict[int, int]]:
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


def check_masks(dataset: Dataset, report: Report, masks: str, box_ok: np.ndarray) -> None:
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
    kinds, recorded = png_kinds(objects)  # (row -> the object PNG value a mask-only object was read from)
    # runs that do not make their mask would be painted from whatever memory the decoder is given: refused
    if (error := bad_mask_error(objects, "fix or drop its mask, or -o masks=none", among=has_mask)) is not None:
        raise error
    xml = has_box & known & (kinds == 0)  # the objects written as XML <object>s
    instances = has_mask & (kinds != 1)
    if masks == "all":
        instances |= valid_mask(objects["polygon"]) & xml
    width = np.asarray(items["width"].fill_null(0).to_numpy(), np.int64)
    height = np.asarray(items["height"].fill_null(0).to_numpy(), np.int64)
    safe = np.where(item >= 0, item, 0)
    sized = (width[safe] > 0) & (height[safe] > 0) if n_items else np.zeros(len(item), dtype=bool)
    bad_voids, void_pixels, voids_held = _check_voids(items, width, height)
    void_sized = void_pixels > 0
    # an image of unknown size: its PNGs take its first mask's, or void's, size (none past MAX_PNG_PIXELS is painted)
    png_pixels = _png_pixels(objects, item, has_mask & ~sized, xml, kinds, void_pixels)
    unknown = (width <= 0) | (height <= 0)
    unsized_voids = _unsized_voids(items, objects, (item, has_mask & ~sized, xml, kinds), unknown)
    # per item, no PNG is painted (as huge_images finds, from the sizes above): an object of no XML object is lost whole
    too_large = (width.astype(np.float64) * height > MAX_PNG_PIXELS) | (unknown & (png_pixels > MAX_PNG_PIXELS))
    huge = too_large[safe] & (item >= 0) if n_items else np.zeros(len(item), dtype=bool)
    wrong = dataset.masks_of_another_size() & known  # (not painted: one of no XML object is lost whole)
    # a class PNG holds values 1..254: the masks of later classes, and of a background class (value 0, as VOC's
    # first class is), cannot be painted (ImageMasks.write skips them): one of no XML object is lost whole
    unpaintable = classes_past_png(dataset)
    categories = np.asarray(objects["category_id"].fill_null(-1).to_numpy(), np.int64)
    values = instance_values(item, xml, instances, n_items, categories, recorded)
    # masks left no instance value (past 254): one of no XML object is lost whole (made an XML object, it would
    # take a value of its own, and push another mask out)
    unvalued = instances & ~unpaintable & (values >= VOID_INDEX) & ~huge & ~wrong
    report.transform(
        "objects with a mask but no box",
        int((has_mask & ~has_box & (kinds == 0) & ~huge & ~wrong & ~unpaintable & ~unvalued).sum()),
        "written to the segmentation PNGs only (a Pascal VOC object needs a box); read back as mask-only objects",
    )
    other_size = "the mask's size differs from the image's (a PNG has the image's size)"
    report.lose("masks", int((wrong & xml).sum()), other_size)
    report.lose("objects", int((wrong & ~xml).sum()), f"{other_size}: with no XML object, nothing of it is written")
    _report_png_only_fields(objects, has_mask & ~xml & ~wrong & ~huge & ~unpaintable & ~unvalued, report)
    no_png = f"the image has more than {MAX_PNG_PIXELS:,} pixels: no segmentation PNG is painted for it"
    report.lose("masks", int((has_mask & xml & huge & ~wrong).sum()), no_png)
    if masks == "all":
        report.lose("polygons", int((valid_mask(objects["polygon"]) & xml & ~has_mask & huge).sum()), no_png)
    report.lose("objects", int((has_mask & ~xml & huge & ~wrong).sum()), no_png)  # (class-only ones too)
    report.transform(
        "images of unknown size",
        int(((png_pixels > 0) & (png_pixels <= MAX_PNG_PIXELS) & unknown).sum()),
        "their segmentation PNGs take the size of their first mask (or void region), which a reader takes for the "
        "image's: they read back of that size",
    )
    # (each mask counted once, for the first reason it cannot be painted: its size, then its class's value)
    no_value = (
        f"a class PNG holds class values 1 to {VOID_INDEX - 1} (0 is the background): the background class and "
        f"the classes from the {VOID_INDEX}th on cannot be painted"
    )
    report.lose("masks", int((has_mask & xml & unpaintable & ~huge & ~wrong).sum()), no_value)
    if masks == "all":  # (the polygons of XML objects painted too: lost as polygons, not as masks they never were)
        polygons = instances & ~has_mask & xml & unpaintable & ~huge & ~wrong
        report.lose("polygons", int(polygons.sum()), no_value)
    report.lose(
        "objects",
        int((has_mask & ~xml & unpaintable & ~huge & ~wrong).sum()),
        f"{no_value}: with no XML object, nothing of it is written",
    )
    if masks == "all":
        report.lose(
            "polygons",
            int((valid_mask(objects["polygon"]) & has_mask & ~wrong & ~(huge & ~xml)).sum()),  # (XML objects too)
            "the object's mask is painted, not its polygon",
        )
    if masks == "all" and n_items:  # polygons pycocotools cannot rasterise (ImageMasks.write leaves them out)
        drawn = valid_mask(objects["polygon"]) & xml & ~has_mask & ~unpaintable
        unsafe = drawn & sized & ~huge & raster.unrasterisable(objects["polygon"], height[safe], width[safe])
        report.lose(
            "polygons",
            int(unsafe.sum()),
            f"coordinates beyond {raster.RASTER_MARGIN} image sides from the image cannot be rasterised",
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
    no_instance = (
        f"an instance PNG holds values 1 to {VOID_INDEX - 1}: the i-th XML object's mask is value i, and masks "
        "without an XML object come after the image's XML objects"
    )
    report.lose("masks", int((unvalued & xml).sum()), no_instance)
    report.lose("objects", int((unvalued & ~xml).sum()), f"{no_instance}: with no XML object, nothing of it is written")
    # a mask-only object read from an object PNG value (voc:instance) that cannot be painted again: a 16-bit PNG's
    # 300, or a value an XML object's mask now takes
    moved = [
        r
        for r, v in recorded.items()
        if instances[r] and not unpaintable[r] and not huge[r] and not wrong[r] and v != values[r] < VOID_INDEX
    ]
    report.transform(
        MOVED,
        len(moved),
        f"their object PNG value (voc:instance) is past {VOID_INDEX - 1} or taken by an XML object's mask: painted "
        "with the next free value, which voc:instance reads back as",
    )
    report.lose(
        "segmentation void regions", bad_voids + unsized_voids[0], "the void mask's size differs from the image's"
    )
    report.lose("segmentation void regions", unsized_voids[1], NO_SIZE)
    report.lose("segmentation void regions", int(voids_held[too_large].sum()), no_png)
    blank = blank_png_counts(items)
    if blank.any():  # (written again at the image's size, or its masks' or void regions' without one)
        masked_items = np.zeros(n_items, dtype=bool)
        masked_items[item[has_mask & (item >= 0)]] = True
        known_size = (width > 0) & (height > 0)
        report.lose(
            BLANK_PNGS,
            int(blank[~known_size & ~masked_items & ~void_sized].sum()),
            "the image has no size, and no mask of it gives one: a PNG needs the image's size",
        )
        report.lose(BLANK_PNGS, int(blank[too_large].sum()), no_png)


BLANK_PNGS = "blank segmentation PNGs (voc:blank_pngs)"
"""What an item's ``voc:blank_pngs`` records: its PNGs with no pixel set, which writing VOC writes again."""


def blank_png_counts(items: pa.Table) -> np.ndarray[Any, Any]:
    """Per item, how many segmentation PNGs with no pixel set its ``voc:blank_pngs`` has written again."""
    counts = np.zeros(items.num_rows, dtype=np.int64)
    rows = np.flatnonzero(contains_match(items["metadata"], '"voc:blank_pngs"'))  # (none, or a few: decoded)
    for n, text in zip(rows.tolist(), items["metadata"].take(pa.array(rows, pa.int64())).to_pylist(), strict=True):
        counts[n] = len(blank_pngs(decode_json_cell(text)))
    return counts


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
    # (VOC's own, and DOTA's flag it adopts: the others are lost on any object, said so once; a class-only flag
    # is what the class PNG holds, a mask-only flag what the object PNG does)
    held = ("voc:semantic", "voc:mask_only")
    for key, what, lacks in CONTENT_OBJECT_EXTRAS:
        if (key.startswith("voc:") or key in ADOPTED_OBJECT_EXTRAS["voc"]) and key not in held:
            report.lose(f"object annotations' {what} ({key})", content.get(key, 0), f"{why} {lacks}")


def _unknown_png_pixels(dataset: Dataset, width: np.ndarray[Any, Any], height: np.ndarray[Any, Any]) -> Any:
    """Per item of unknown size, the pixels of the PNGs the writer would paint for it (0: none, or a known size)."""
    objects, items = dataset.table("objects"), dataset.table("items")
    unknown = (width <= 0) | (height <= 0)
    item = dataset.item_positions()
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    known = (item >= 0) & true_mask(pc.is_in(objects["category_id"], value_set=ids))
    has_mask = valid_mask(objects["mask"]) & known & unknown[np.where(item >= 0, item, 0)]
    void_pixels = np.zeros(items.num_rows, dtype=np.float64)
    for n in np.flatnonzero(unknown & contains_match(items["metadata"], '"voc:void')).tolist():
        shapes = [s for s in map(cell_shape, void_cells(decode_json_cell(items["metadata"][n].as_py()))) if s]
        void_pixels[n] = float(shapes[0][0]) * shapes[0][1] if shapes else 0.0
    if not has_mask.any():
        return void_pixels * unknown
    kinds = png_kinds(objects)[0]
    xml = voc_boxes(dataset)[1] & known & (kinds == 0)
    return _png_pixels(objects, item, has_mask, xml, kinds, void_pixels) * unknown


def _png_pixels(
    objects: pa.Table,
    item: np.ndarray[Any, Any],
    has_mask: np.ndarray[Any, Any],
    xml: np.ndarray[Any, Any],
    kinds: np.ndarray[Any, Any],
    void_pixels: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """Per item, the pixels of the PNGs of an image of unknown size (0: none), as the writer sizes them.

    Its first mask's (the writer takes XML objects' masks, then those of no XML object, then class-only ones), else
    its first void region's (``void_pixels``). In float: int64 wraps for sides of 2**32.
    """
    pixels = void_pixels.copy()
    images, first = _first_masks(item, has_mask, xml, kinds)
    if len(images):
        height, width = _mask_sides(objects)
        pixels[images] = np.asarray(height[first], np.float64) * np.asarray(width[first], np.float64)
    return pixels


def _first_masks(
    item: np.ndarray[Any, Any], has_mask: np.ndarray[Any, Any], xml: np.ndarray[Any, Any], kinds: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The items holding a mask of ``has_mask``, and for each the row of the mask whose size its PNGs take.

    As the writer takes it: XML objects' masks first, then those of no XML object, then class-only ones.
    """
    rows = np.flatnonzero(has_mask & (item >= 0))
    rank = np.where(xml[rows], 0, np.where(kinds[rows] == 1, 2, 1))
    order = np.lexsort((rows, rank, item[rows]))
    images, first = np.unique(item[rows][order], return_index=True)
    return images, rows[order][first]


def _mask_sides(objects: pa.Table) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every object's mask height and width (0 without a mask)."""
    height, width = (pc.struct_field(objects["mask"], k).fill_null(0).to_numpy() for k in ("height", "width"))
    return height, width


def _unsized_voids(
    items: pa.Table, objects: pa.Table, rows_of: tuple[np.ndarray[Any, Any], ...], unknown: np.ndarray[Any, Any]
) -> tuple[int, int]:
    """Void masks of images of unknown size: those of another size than their PNGs, and those nothing sizes.

    The PNGs take the image's first mask's size, or its first void region's (see :func:`_png_pixels`); with
    neither, no PNG is painted. ``rows_of``: per object its item, whether it has a mask on an image of unknown
    size, whether it is an XML object, and its PNG kind. (Images of known size: :func:`_check_voids`; too large
    to paint: ``no_png``.)
    """
    if not unknown.any():  # (the usual case: every image sized)
        return 0, 0
    voided = np.flatnonzero(unknown & contains_match(items["metadata"], '"voc:void'))
    if not len(voided):
        return 0, 0
    images, rows = _first_masks(*rows_of)
    first: dict[int, tuple[int, int]] = {}  # item -> its first mask's (height, width), as the writer takes it
    if len(images):
        height, width = _mask_sides(objects)
        first = {int(i): (int(height[r]), int(width[r])) for i, r in zip(images, rows, strict=True)}
    other_size = no_size = 0
    for n in voided.tolist():
        cells = [c for c in void_cells(decode_json_cell(items["metadata"][n].as_py())) if c is not None]
        shape = first.get(n) or next((s for s in map(cell_shape, cells) if s is not None), None)
        if shape is None:
            no_size += len(cells)
        elif float(shape[0]) * shape[1] <= MAX_PNG_PIXELS:
            other_size += sum(cell_shape(c) != shape for c in cells)
    return other_size, no_size


def _check_voids(
    items: pa.Table, width: np.ndarray[Any, Any], height: np.ndarray[Any, Any]
) -> tuple[int, Any, np.ndarray[Any, Any]]:
    """Void masks (``voc:void*`` metadata) of another size than their image's, per item its first one's pixels.

    The pixels are 0 where no void mask has a size, and in float. Also per item how many of its void masks are
    not of another size (those a PNG of its would hold).

    Raises:
        InputError: a void mask whose runs do not make it.
    """
    bad_voids = 0
    void_pixels = np.zeros(items.num_rows, dtype=np.float64)
    held = np.zeros(items.num_rows, dtype=np.int64)
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
            if shape is not None and not void_pixels[n]:  # (the class PNG's void first, as the writer takes them)
                void_pixels[n] = float(shape[0]) * shape[1]
            bad = bool(cell is not None and width[n] > 0 and height[n] > 0 and shape != (height[n], width[n]))
            bad_voids += bad
            held[n] += cell is not None and not bad
    return bad_voids, void_pixels, held


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


def standalone_order(dataset: Dataset, masks: str) -> np.ndarray[Any, Any]:
    """Per object row, where a reader numbers it among its image's objects: XML objects first (0), in order.

    Then the objects the PNGs alone hold, as the reader sorts them: by their PNG value, a mask-only object's
    instance value (:func:`instance_values`) or a class-only region's class value, then mask-only before
    class-only (names aside). They were taken class-only first: VOC -> VOC of an image with a mask-only
    instance 2 and a class-only region of class 8 reported 2 object ids transformed, which read back the same.
    """
    objects = dataset.table("objects")
    kinds, recorded = png_kinds(objects)
    boxed = voc_boxes(dataset)[1]
    alone_mask = (kinds == 2) | ((kinds == 0) & ~boxed)
    out = np.zeros(len(kinds), np.int64)
    if not (alone_mask.any() or (kinds == 1).any()):  # (XML objects alone: most datasets, COCO's boxes)
        return out
    item = dataset.item_positions()
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    known = (item >= 0) & true_mask(pc.is_in(objects["category_id"], value_set=ids))
    has_mask = valid_mask(objects["mask"]) & known
    xml = boxed & known & (kinds == 0)
    instances = has_mask & (kinds != 1)
    if masks == "all":
        instances |= valid_mask(objects["polygon"]) & xml
    categories = np.asarray(objects["category_id"].fill_null(-1).to_numpy(), np.int64)
    values = instance_values(item, xml, instances, dataset.table("items").num_rows, categories, recorded)
    class_value = Classes(dataset).value
    semantic = np.flatnonzero(kinds == 1)
    classes = np.array([class_value.get(int(c), 0) for c in categories[semantic].tolist()], np.int64)
    out[alone_mask] = 1 + 2 * values[alone_mask]
    out[semantic] = 2 + 2 * classes
    return out


def with_boxes(dataset: Dataset) -> tuple[Dataset, int]:
    """The dataset with each object of a known class, with a polygon and neither box nor mask, given its bounds.

    A VOC object needs a box: the bounds of the polygon's rings of 3 points or more, the box COCO and YOLO
    detect write for such an object (:func:`~labelkit.model.geometry.drawn_polygon_bounds_column`); a mask
    without a box is written to the PNGs only, as VOC's own mask-only objects read back so. Returns how many
    objects got one.
    """
    objects = dataset.table("objects")
    if not objects["bbox"].null_count:
        return dataset, 0
    polygon = objects["polygon"].combine_chunks()
    bounds, bounded = G.drawn_polygon_bounds_column(polygon)  # (the rings of 3 points or more, as YOLO and COCO)
    known = pc.is_in(objects["category_id"], value_set=pa.array([c.id for c in dataset.categories], pa.int64()))
    need = (  # (an object of no known class is lost whole: not boxed, nor counted)
        bounded & true_mask(objects["bbox"].is_null()) & true_mask(objects["mask"].is_null()) & true_mask(known)
    )
    if not need.any():
        return dataset, 0
    filled = pa.FixedSizeListArray.from_arrays(pa.array(np.nan_to_num(bounds).ravel(), pa.float64()), 4)
    bbox = pc.if_else(pa.array(need), filled, objects["bbox"].combine_chunks())
    tables = {**dataset.tables(), "objects": objects.set_column(objects.schema.get_field_index("bbox"), "bbox", bbox)}
    return Dataset.from_tables(tables, dataset.categories, dataset.info), int(need.sum())


def report_png_only(
    dataset: Dataset, report: Report, written: np.ndarray[Any, Any], box_ok: np.ndarray[Any, Any]
) -> None:
    """What the PNGs alone cannot give back of the class-only and mask-only objects ``written`` there.

    Such an object reads back with its mask's bounds as its box: another box it had (``box_ok``: one VOC can
    write) was changed unsaid. And a
    class PNG holds a class's pixels once per image: two class-only masks of one class on one image read back
    as one object, where the report said nothing was lost.
    """
    objects = dataset.table("objects")
    if not contains_match(objects["extras"], '"voc:').any():
        return
    kinds = png_kinds(objects)[0]
    rows = np.flatnonzero(written & (kinds > 0) & valid_mask(objects["mask"]))
    if len(rows):  # (a mask no PNG can hold is counted lost by check_masks)
        rows = rows[~unpainted_masks(dataset)[rows]]
    if not len(rows):
        return
    taken = objects.take(pa.array(rows))
    # (each mask's, as a reader makes its box)
    bounds = np.array([raster.cell_bounds(m) for m in taken["mask"].to_pylist()], dtype=np.float64).reshape(-1, 4)
    empty = bounds[:, 2] == 0  # (no pixel: a mask-only one the write reports lost, a class-only one below)
    boxed = box_ok[rows] & ~empty  # (a box VOC cannot write is counted lost: see check)
    boxes = np.array([b if b is not None else [0.0] * 4 for b in taken["bbox"].to_pylist()], dtype=np.float64)
    report.transform(
        "boxes of objects written to the segmentation PNGs only",
        int((boxed & (boxes != bounds).any(axis=1)).sum()),
        "a class-only or mask-only object (voc:semantic, voc:mask_only) has no XML object: it reads back with its "
        "mask's bounds as its box",
    )
    semantic = kinds[rows] == 1
    report.lose(
        "class-only masks with no pixel set",
        int((semantic & empty).sum()),
        "a class-only mask (voc:semantic) is written to the class PNG only, where it paints nothing: nothing of it "
        "is written",
    )
    pairs = pa.table({"i": taken["item_id"], "c": taken["category_id"]}).filter(pa.array(semantic & ~empty))
    report.lose(
        "class-only masks sharing a class and an image with another",
        pairs.num_rows - pairs.group_by(["i", "c"]).aggregate([]).num_rows,
        "a class PNG holds a class's pixels once per image: they read back as one object, of their pixels together",
    )
