"""Writing Pascal VOC folders: XML per item, image sets, labelmap, segmentation PNGs.

Boxes go from the model's ``x, y, w, h`` to VOC's 1-based inclusive corners in one numpy step; each XML
file is built as one string and written with one ``open``/``write``/``close``. Unknown classes are written
under their own names (never remapped to background) and listed in ``labelmap.txt``. The segmentation PNGs
are painted in :mod:`labelkit.formats.voc_masks`, and the XML text is spelled in :mod:`labelkit.formats.voc_xml`;
what VOC cannot hold is found before writing by :mod:`labelkit.formats.voc_check` (``check()`` in comments here).
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from labelkit.errors import LINE_BREAKS, InputError, OutputError, UsageError
from labelkit.formats import voc_xml
from labelkit.formats.voc import IDS_COMMENT, VOC_CLASSES, VOID_INDEX, parse_color, voc_palette
from labelkit.formats.voc_masks import (
    MAX_PNG_PIXELS,
    RASTERISED,
    ImageMasks,
    MaskColumns,
    PngPool,
    cell_shape,
    palette_bytes,
    png_values,
    void_cells,
)
from labelkit.formats.voc_values import (
    as_list,
    is_flag,
    tag_ok,
    xml_text,
)
from labelkit.formats.yolo_lines import cached
from labelkit.formats.yolo_media import ChunkedRows, place_media
from labelkit.io import create_file, is_plain_name, safe_relpath
from labelkit.model import Category, Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, decode_json_cell, true_mask, valid_mask
from labelkit.portable import (
    drop_unportable,
    folded_name,
    same_files,
    split_list_entries,
    unportable_paths,
    windows_cannot_hold,
)
from labelkit.report import Report


def _blank_pngs(meta: dict[str, Any]) -> tuple[str, ...]:
    """The segmentation PNGs an item had with no pixel set (``voc:blank_pngs``, as read): written again."""
    value = meta.get("voc:blank_pngs")
    kinds = ("SegmentationClass", "SegmentationObject")
    return tuple(k for k in kinds if isinstance(value, list) and k in value)


class Classes:
    """Category id -> labelmap position, PNG value and colour."""

    def __init__(self, dataset: Dataset) -> None:
        self.categories = list(dataset.categories)
        self.offset = 0 if self.categories and self.categories[0].name == "background" else 1
        # one labelmap line per name as it reads back: the reader refuses a class listed twice, and VOC XML
        # names a class, so a category sharing its name with an earlier one (reported lost) takes that one's value
        self.lines: list[Category] = []
        self.value: dict[int, int] = {}
        line_of: dict[str, int] = {}
        for c in self.categories:
            key = LINE_BREAK.sub(" ", c.name).lstrip()
            if key not in line_of or key.startswith("#"):  # (a '#' line is a comment: never read as a class)
                line_of[key] = len(self.lines)
                self.lines.append(c)
            self.value[c.id] = line_of[key] + self.offset
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
        for c in self.lines:
            color = parse_color(c.color) if c.color else None
            self.colors.append(color or palette[self.value[c.id] % 256])
        self.palette = list(palette)
        for c, color in zip(self.lines, self.colors, strict=True):
            if self.value[c.id] < VOID_INDEX:  # (255 is void's; later classes have no value in a class PNG)
                self.palette[self.value[c.id]] = color
        self.palette_bytes = palette_bytes(self.palette)

    def labelmap(self) -> str:
        """``labelmap.txt``: Datumaro's ``name:r,g,b:parts:actions`` lines, plus the model's ids as a comment.

        A class PNG value is the line's position (plus one when the first class is not ``background``).
        """
        # (a name starting with '#' makes a comment line, reported lost: the comment holds the classes' ids only)
        ids = ",".join(str(c.id) for c in self.lines if not LINE_BREAK.sub(" ", c.name).lstrip().startswith("#"))
        lines = ["# label:color_rgb:parts:actions", f"{IDS_COMMENT} {ids}"]
        for c, color in zip(self.lines, self.colors, strict=True):
            parts = ",".join(filter(labelmap_name_ok, as_list(c.extras.get("voc:parts"))))
            actions = ",".join(filter(labelmap_name_ok, as_list(c.extras.get("voc:actions"))))
            name = LINE_BREAK.sub(" ", c.name)
            lines.append(f"{name}:{color[0]},{color[1]},{color[2]}:{parts}:{actions}")
        return "\n".join(lines) + "\n"


_DOTA = '"dota:difficult"'


def dota_as_voc(extras: dict[str, Any]) -> dict[str, Any]:
    """An object's extras, a DOTA difficult flag as VOC's ``<difficult>``.

    The flag (``dota:difficult``, read by YOLO from a DOTA labelTxt) becomes ``voc:difficult`` when it is an
    integer and the object has no VOC flag; check() reports the others lost.

    Examples:
        >>> dota_as_voc({"dota:difficult": 1, "voc:pose": "Left"})
        {'voc:pose': 'Left', 'voc:difficult': 1}
        >>> dota_as_voc({"dota:difficult": 1, "voc:difficult": 0})
        {'voc:difficult': 0}
    """
    flag = extras.pop("dota:difficult", None)
    if flag is not None and "voc:difficult" not in extras and is_flag(flag):
        extras["voc:difficult"] = flag
    return extras


LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
"""A character the labelmap reader (``str.splitlines``) breaks a line at."""


def labelmap_name_ok(name: object) -> bool:
    """Whether a category's part or action name can be written in ``labelmap.txt`` and read back as it is.

    The line is ``name:color:parts:actions`` with ``,`` between names, read stripped: a name holding ``:``,
    ``,`` or a line break, empty, or with surrounding spaces cannot be.
    """
    return (
        isinstance(name, str)
        and bool(name)
        and name == name.strip()
        and ":" not in name
        and "," not in name
        and not LINE_BREAK.search(name)
    )


_ITEM_CHUNK = 8192


def may_hold_voc(texts: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
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
    classes = Classes(dataset)
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    splits = [s or default_split for s in items["split"].to_pylist()]
    paths = items["path"].to_pylist()
    widths = items["width"].to_pylist()
    heights = items["height"].to_pylist()
    # VOC reads only its own keys (voc:*) from item metadata: a text without one (and without an escape,
    # which could spell one) reads as empty
    holds_voc = may_hold_voc(items["metadata"]).tolist()
    metadata = [decode_json_cell(m) if h else {} for m, h in zip(items["metadata"].to_pylist(), holds_voc, strict=True)]
    files = item_files(dataset)
    # the ids whose files are named otherwise ('a\\b' is Annotations/a/b.xml): a reader takes the file's name
    # for the id, and so do the ImageSets lists, which other tools join to Annotations/<line>.xml
    file_ids = {i: f for i, f in zip(ids, files, strict=True) if f != i}
    report.transform(
        "item ids",
        len(file_ids),
        "Pascal VOC names an item's files after its id: written as a plain relative path ('a\\b' as 'a/b', './x' as "
        "'x')",
    )
    image_names, renamed = voc_xml.image_names(paths, files)
    report.transform(
        "image file names", renamed, "images of one name (from other folders) are named after their item ids"
    )

    objects = dataset.table("objects")
    item_of = dataset.item_positions()
    known = np.flatnonzero(item_of >= 0)
    order = known[np.argsort(item_of[known], kind="stable")]
    bounds = np.searchsorted(item_of[order], np.arange(len(ids) + 1)).tolist()
    voc, has_box = voc_boxes(objects)
    categories = objects["category_id"].to_pylist()
    known_class = true_mask(pc.is_in(objects["category_id"], value_set=pa.array(list(classes.name), pa.int64())))
    flags = action_flags(dataset, has_box & known_class, default_split)  # (VOC2012's per-action lists)
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
        ChunkedRows(objects["mask"]),
        ChunkedRows(objects["polygon"]) if masks_mode == "all" else None,
        ChunkedRows(objects["polygon_holes"])
        if masks_mode == "all" and objects["polygon_holes"].null_count < len(objects)
        else None,
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
            & known_class
            & ~contains_match(objects["extras"], '"voc:')
            & ~contains_match(objects["extras"], _DOTA)
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
                decode = raw is not None and ('"voc:' in raw or _DOTA in raw)
                extra = dota_as_voc(decode_json_cell(raw)) if decode else {}
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
            jobs: list[
                tuple[int, list[int], list[int], list[int], tuple[Any, Any], list[int], tuple[str, ...], int]
            ] = []
            for n in range(first, last):
                rows = order[bounds[n] : bounds[n + 1]].tolist()
                instance_rows: list[int] = []
                values: list[int] = []
                semantic_rows: list[int] = []
                lone = 0  # how many of instance_rows (the last ones) have no XML object
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
                    lone = len(alone)
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
                    # polygons only, and nothing gives the PNGs a size: check() said
                    instance_rows, values, lone = [], [], 0
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
                    if n in flags.items:
                        tasks.append("Action")
                    if extras and any(extras.get(r, {}).get("voc:parts") for r in xml_rows):
                        tasks.append("Layout")
                for task in tasks:
                    if isinstance(task, str):  # others are reported by check(), as are names that are not plain
                        lists.setdefault(task, defaultdict(list))[splits[n]].append(ids[n])
                if segmented:
                    jobs.append((n, instance_rows, values, semantic_rows, voids, xml_rows, blank, lone))
                if media != "none" and paths[n]:
                    assert media_root is not None
                    place_media(media_root, paths[n], path / "JPEGImages" / name, media)
            # the chunk's masks in one take (a take per image costs more than painting the image)
            wanted = [r for _, inst, _, sem, _, _, _, _ in jobs for r in inst + sem]
            cells = dict(zip(wanted, geometry.masks.take(wanted).to_pylist(), strict=True))
            polygons = (
                dict(zip(wanted, geometry.polygons.take(wanted).to_pylist(), strict=True))
                if geometry.polygons is not None
                else {}
            )
            holes = (
                dict(zip(wanted, geometry.holes.take(wanted).to_pylist(), strict=True))
                if geometry.holes is not None
                else {}
            )
            for n, instance_rows, values, semantic_rows, voids, xml_rows, blank, lone in jobs:
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
                    alone=lone,
                    holes=holes,
                )
                folders_for(files[n])
                pool.submit(masks.write, path, files[n], shape)
        pool.close(RASTERISED)
        if pool.lost_whole:  # (their fields were counted lost before painting: each is counted once, as an object)
            from labelkit.formats.voc_check import uncount_lost_whole

            uncount_lost_whole(dataset, pool.lost_whole, report, **options)
    finally:
        pool.executor.shutdown(wait=True, cancel_futures=True)
    objects_listed: dict[str, list[int]] | None = None  # (Datumaro lists images; VOC2012 objects with actions)
    if dataset.info.extras.get("voc:action_objects") is True:
        indices: defaultdict[str, set[int]] = defaultdict(set)
        for _, _, item_id, k, _ in flags.lines:
            indices[item_id].add(k)
        objects_listed = {item_id: sorted(ks) for item_id, ks in indices.items()}
    label_lines = _write_lists(path, dataset, ids, splits, lists, file_ids, objects_listed)
    _write_action_lists(path, flags, file_ids, dataset.info.extras.get("voc:trainval") is True)
    if not classes.standard:
        (path / "labelmap.txt").write_text(classes.labelmap(), encoding="utf-8")
    if fractional:
        report.note(
            f"{fractional:,} boxes have fractional Pascal VOC corners, written exactly as decimals (not rounded)"
        )
    # (in the order of what was read, as every format counts them; image labels only where some were written)
    report.written = {"items": len(ids), **({"label annotations": label_lines} if label_lines else {})}
    report.written["object annotations"] = written_objects + painted_alone - pool.lost_objects + pool.class_only


def item_files(dataset: Dataset) -> list[str]:
    r"""Each item's file below ``Annotations/``, without ``.xml`` (``writable`` finds them, ``write`` reuses them).

    An id made a plain relative path (``a\b`` is ``a/b``): VOC names an item's files after its id. An id that
    starts as a drive would on Windows (``b:c``, ``C:x``, ``c:/x``) is a relative path elsewhere, whose name
    Windows cannot hold (``:``): :func:`writable` reports its item lost, as it does ``x/b:c``.

    Raises:
        OutputError: an id that cannot name a file inside the output (``/a``, ``//host/a``, ``../a``, empty).
    """
    ids = dataset.table("items")["id"]
    return cached(dataset, "voc:files", lambda: [_item_file(str(i)) for i in ids.to_pylist()])


def _item_file(item_id: str) -> str:
    """An item's file below ``Annotations/``, without ``.xml`` (see :func:`item_files`)."""
    text = item_id.replace("\\", "/")
    try:
        if text[1:2] == ":" and not text.startswith("/"):  # (a drive: "./" keeps safe_relpath from taking it so)
            return safe_relpath(f"./{text}")
        return safe_relpath(item_id)
    except InputError:
        raise OutputError(
            f"item {item_id!r}: its id cannot name a file inside the output",
            expected="a relative path without '..'",
            hint="rename the item (Pascal VOC names an item's files after its id: Annotations/<id>.xml)",
        ) from None


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    r"""The dataset without the items whose files are not the same on every machine (see ``base.WRITABLE``).

    An item is left out when its XML (``Annotations/<id>.xml``, and so its segmentation PNGs, named alike) or,
    with ``media=copy`` or ``link``, its image in ``JPEGImages/`` is a name Windows cannot hold (``con.xml``),
    or when its XML differs from another item's only in case or Unicode normalisation (``a.xml`` and
    ``A.xml``, or in a folder on their way): one file on macOS and Windows. On every machine the first by
    name is written. (Image names differing so are renamed instead: :func:`voc_xml.image_names`.) So are
    items whose XML is another's on every machine (ids ``a\b`` and ``a/b``, ``./x`` and ``x``, or ``a`` and
    ``a.xml/b``, whose folder is ``a``'s file): the first by id is written (:func:`labelkit.portable.same_files`).
    So are the items of a split whose list Windows cannot hold (``ImageSets/Main/con.txt``).
    """
    items = dataset.table("items")
    files = item_files(dataset)
    paths = [f"Annotations/{f}.xml" for f in files]
    owners = list(range(len(paths)))
    if str(options.get("media") or "none") != "none":
        sources = items["path"].to_pylist()
        names = voc_xml.image_names(sources, files)[0]
        placed = [n for n, source in enumerate(sources) if source]
        paths += [f"JPEGImages/{names[n]}" for n in placed]
        owners += placed
    # a split's list, ImageSets/Main/<split>.txt (con.txt: a device): its items are lost, as YOLO's of labels/con/
    lists, listed = split_list_entries(
        [s or str(options.get("split") or "train") for s in items["split"].to_pylist()], "ImageSets/Main/"
    )
    paths += lists
    owners += listed
    reserved, yielding = unportable_paths(paths)
    ids = [str(v) for v in items["id"].to_pylist()]
    same = same_files(paths[: len(files)], ids)  # (image names are made distinct: voc_xml.image_names)
    return drop_unportable(dataset, paths, owners, reserved, yielding, same)


def voc_boxes(objects: pa.Table) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every object's VOC corners (a rotated box by its bounds) and whether it has a box VOC can write.

    A box of negative width or height (VOC's reader refuses ``xmax`` below ``xmin``), or whose corners are
    beyond float64 (``1e308 + 1e308``), cannot be written: its object is written as if it had no box.
    """
    boxes, has_box = G.bbox_columns(objects["bbox"])
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    turned = angle != 0
    with np.errstate(over="ignore", invalid="ignore"):
        if turned.any():
            corners = G.rotated_box_corners(boxes[turned], angle[turned])
            boxes[turned] = G.ring_bounds(corners.reshape(-1), np.arange(0, 8 * (int(turned.sum()) + 1), 8))
        voc = G.xywh_to_voc(boxes)
        writable = np.isfinite(voc).all(axis=1) & (boxes[:, 2] >= 0) & (boxes[:, 3] >= 0)
    return voc, has_box & writable


def class_list_ok(name: str) -> bool:
    """Whether a class can name its ``ImageSets/Main/<class>_<split>.txt`` on every machine.

    Not ``..``, ``a/b`` or empty, nor holding a character Windows refuses in a file name (``a?``, ``b:c``).
    """
    return is_plain_name(name) and not windows_cannot_hold(f"{name}_.txt")


def action_list_ok(action: str) -> bool:
    """Whether an action can name its ``ImageSets/Action/<action>_<split>.txt`` on every machine.

    An XML name (:func:`.voc_values.tag_ok`) that is not a name Windows takes for a device before its first
    dot (``con.x``, ``Nul.jump``), as a class's list.
    """
    return class_list_ok(action)


def listable(item_id: str) -> bool:
    """Whether an item id can be a line of an ImageSets list.

    It must be one word (lines are split at whitespace) and not a comment (``#``).
    """
    return item_id.split() == [item_id] and not item_id.startswith("#")


def _with_trainval(by_split: dict[str, list[str]], trainval: bool) -> dict[str, list[str]]:
    """The lists by split, plus (``trainval``, and both train and val listed) ``trainval``: their ids sorted.

    VOC's releases list train + val again as trainval, sorted; a VOC reader passes over it (see ``voc_sets.Sets``).
    """
    if not trainval or not ("train" in by_split and "val" in by_split):
        return by_split
    # (items of a split named trainval are listed there too: a VOC reader places them there, as neither
    # train nor val lists them)
    return {**by_split, "trainval": sorted({*by_split["train"], *by_split["val"], *by_split.get("trainval", [])})}


ActionLines = dict[str, dict[str, list[tuple[str, int, int]]]]
"""Split -> action -> the lines of ``Action/<action>_<split>.txt``: item, 1-based XML object index, flag."""


@dataclass(frozen=True)
class ActionFlags:
    """The action flags VOC2012's per-action lists hold (see :func:`action_flags`)."""

    lines: list[tuple[str, str, str, int, int]]
    """The lines of ``Action/<action>_<split>.txt``: split, action, item, 1-based XML object index, flag (1 or -1);
    in the order of the items, their XML objects and their flags."""
    items: frozenset[int]
    """The items (positions) with an XML object whose ``voc:actions`` is a dict: Action lists them when their
    ``voc:imagesets`` does not say which lists do."""
    splits: frozenset[str] = frozenset()
    """The splits of ``ImageSets/Action/<split>.txt`` (given when there are lines): those of the items listed for
    Action, by their ``voc:imagesets`` or (not given) their objects' actions."""


def action_flags(dataset: Dataset, placed: NDArray[np.bool_], default_split: str) -> ActionFlags:
    r"""The action flags that are lines of ``ImageSets/Action/<action>_<split>.txt``, for writer and check() alike.

    :func:`write` writes these lines, and check() reports those of lists that cannot be written: one rule, so
    the plan counts what the writer leaves out.

    A line is a flag (an integer, of an action name that is an XML name: what the XML's ``<actions>`` holds) of
    an XML object (``placed``: a box VOC can write and a known class; not ``voc:mask_only`` nor ``voc:semantic``)
    of an item listed for Action (its ``voc:imagesets`` names it, or is not given) whose id can be a list line.
    Extras are read as :func:`write` reads them: a text naming no ``"voc:`` (nor DOTA's flag) is not decoded, and
    an escaped key (``"voc:\u0061ctions"``) is the key it spells.
    """
    objects, items = dataset.table("objects"), dataset.table("items")
    if not objects.num_rows:
        return ActionFlags([], frozenset())
    extras = objects["extras"]
    decoded = placed & (contains_match(extras, '"voc:') | contains_match(extras, _DOTA))  # (as write() decodes)
    escaped = contains_match(extras, "\\")
    keyed = decoded & (escaped | contains_match(extras, '"voc:actions"'))  # (rows that may hold voc:actions)
    if not keyed.any():
        return ActionFlags([], frozenset())
    # an XML object: placed, and no voc:mask_only or voc:semantic (a mask read from the PNGs alone)
    xml = placed.copy()
    aside = decoded & (escaped | contains_match(extras, '"voc:mask_only"') | contains_match(extras, '"voc:semantic"'))
    rows = np.flatnonzero(aside | keyed)
    read: dict[int, dict[str, Any]] = {}
    for r, text in zip(rows.tolist(), extras.take(pa.array(rows)).to_pylist(), strict=True):
        read[r] = decode_json_cell(text)
        xml[r] = not ("voc:mask_only" in read[r] or "voc:semantic" in read[r])
    # each object's 1-based index among its item's XML objects, in row order
    item = dataset.item_positions()
    known = np.flatnonzero(item >= 0)
    order = known[np.argsort(item[known], kind="stable")]
    running = np.concatenate([[0], np.cumsum(xml[order].astype(np.int64))])
    first = np.searchsorted(item[order], item[order], side="left")
    index = np.zeros(len(item), np.int64)
    index[order] = running[1:] - running[first]
    ids = items["id"].to_pylist()
    splits = items["split"].to_pylist()
    holds_voc = may_hold_voc(items["metadata"])
    metadata = items["metadata"]
    lines: list[tuple[str, str, str, int, int]] = []
    with_actions: set[int] = set()
    for r in order[(keyed & xml)[order]].tolist():
        flags = read[r].get("voc:actions")
        if not isinstance(flags, dict):
            continue
        n = int(item[r])
        with_actions.add(n)
        meta = decode_json_cell(metadata[n].as_py()) if holds_voc[n] else {}
        tasks = meta.get("voc:imagesets")
        if (isinstance(tasks, list) and "Action" not in tasks) or not listable(str(ids[n])):
            continue
        split = splits[n] or default_split
        for action, flag in flags.items():
            if tag_ok(action) and is_flag(flag):  # (what the XML holds: check() reports the others)
                lines.append((split, action, str(ids[n]), int(index[r]), 1 if flag else -1))
    # the Action split lists: of the items whose voc:imagesets names Action, or is not given and they have actions
    named = np.flatnonzero(holds_voc & (contains_match(metadata, "Action") | contains_match(metadata, "\\")))
    task_splits = set()
    for n in sorted(with_actions.union(named.tolist())):
        tasks = decode_json_cell(metadata[n].as_py()).get("voc:imagesets") if holds_voc[n] else None
        if "Action" in tasks if isinstance(tasks, list) else n in with_actions:
            task_splits.add(splits[n] or default_split)
    return ActionFlags(lines, frozenset(with_actions), frozenset(task_splits))


def yielding_lists(taken: Iterable[str], names: Iterable[str]) -> dict[str, str]:
    """Of list files ``names`` (of one folder), those macOS or Windows take for another: each with that one.

    Names differing only in case (``Cat_train.txt`` and ``cat_train.txt``) are one file on macOS and Windows,
    and only in Unicode normalisation on macOS (:func:`.portable.folded_name`). A name folding as one of
    ``taken`` does (the split lists, ``<split>.txt``) yields to it; of the others, the first by name keeps the
    file, on every machine, as of item files (:func:`.portable.unportable_paths`). Names spelled alike are one
    file everywhere: they are not here (the writer refuses them, naming both).

    Examples:
        >>> yielding_lists(["A_train"], ["cat_train.txt", "Cat_train.txt", "a_train.txt", "dog_train.txt"])
        {'a_train.txt': 'A_train.txt', 'cat_train.txt': 'Cat_train.txt'}
    """
    first = {folded_name(f"{t}.txt"): f"{t}.txt" for t in sorted(taken)}
    yielding: dict[str, str] = {}
    for name in sorted(set(names)):
        keep = first.setdefault(folded_name(name), name)
        if keep != name:
            yielding[name] = keep
    return yielding


def _read_back(name: str, split: str, yielding: dict[str, str], union: bool) -> bool:
    """Whether a line of ``<name>_<split>.txt`` (a class's or action's list) is read back.

    Its list is written, or (``union``: the trainval list holds train's and val's lines again, and the line is
    of train, val or trainval) the trainval list is, which a reader reads for the items whose own split has no
    list of the class or action.
    """
    if f"{name}_{split}.txt" not in yielding:
        return True
    return union and split in ("train", "val", "trainval") and f"{name}_trainval.txt" not in yielding


@dataclass(frozen=True)
class ClassLists:
    """The ``ImageSets/Main/<class>_<split>.txt`` lists, for the writer and check() alike (see :func:`class_lists`)."""

    used: list[str]
    """The classes with lists: those with labels, then those no image shows (all -1, as VOC lists every class)."""
    labelled: set[str]
    """The classes with labels."""
    members_of: dict[str, list[str]]
    """The splits of the lists (``trainval`` too when made again) and their items that can be list lines."""
    yielding: dict[str, str]
    """The lists of classes with labels whose name another's takes on macOS or Windows (:func:`yielding_lists`):
    not written, on every machine."""
    union: bool
    """Whether the trainval lists are made again, as the union of train's and val's."""

    def listed(self, value: dict[tuple[str, str], int]) -> list[tuple[str, str, bool]]:
        """The labels a list would hold (item, class), and whether a written list holds it and a reader reads it back.

        ``value``: the labels (:func:`label_values`).

        Labels of classes that cannot name a file (:func:`class_list_ok`), and of items that cannot be list
        lines, are left out (check() reports them).
        """
        split_of = {m: split for split, members in self.members_of.items() if split != "trainval" for m in members}
        split_of.update((m, "trainval") for m in self.members_of.get("trainval", []) if m not in split_of)
        plain = set(filter(class_list_ok, self.used))
        return [
            (item, cls, _read_back(cls, split_of[item], self.yielding, self.union))
            for item, cls in value
            if cls in plain and item in split_of
        ]


def label_values(dataset: Dataset) -> dict[tuple[str, str], int]:
    """The image labels as class list lines: (item, class) -> 1, or 0 for a difficult label (``voc:difficult``)."""
    labels = dataset.table("labels")
    name_of = {c.id: c.name for c in dataset.categories}
    value: dict[tuple[str, str], int] = {}
    for item_id, cid, extra in zip(
        labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), labels["extras"].to_pylist(), strict=True
    ):
        if cid in name_of:
            difficult = (
                decode_json_cell(extra).get("voc:difficult")
                if extra and ("voc:difficult" in extra or "\\" in extra)
                else None
            )
            value[(item_id, name_of[cid])] = 0 if difficult else 1
    return value


def class_lists(dataset: Dataset, ids: list[str], splits: list[str], trainval: bool) -> ClassLists:
    """The class lists :func:`write` writes (``ids`` and ``splits``: each item's), and those that yield their file.

    ``trainval``: the input had trainval lists, made again (the union of train and val) when both are written.
    """
    name_of = {c.id: c.name for c in dataset.categories}
    labelled = {name_of[c] for c in pc.unique(dataset.table("labels")["category_id"]).to_pylist() if c in name_of}
    # the classes with labels, then (as VOC's releases list every class) those no image shows: no label and no
    # object, all -1 (a class list read names its class: reading it back keeps the category); a class with
    # objects and no label has no list (-1 would say its images do not show it). The first win a file name.
    shown = {name_of.get(c) for c in pc.unique(dataset.table("objects")["category_id"]).to_pylist()}
    names = list(dict.fromkeys(c.name for c in dataset.categories))
    used = [n for n in names if n in labelled] + [n for n in names if n not in labelled and n not in shown]
    members_of: dict[str, list[str]] = defaultdict(list)
    for item_id, split in zip(ids, splits, strict=True):
        if listable(item_id):
            members_of[split].append(item_id)
    union = trainval and "train" in members_of and "val" in members_of
    members_of = _with_trainval(dict(members_of), trainval)
    files = [f"{cls}_{split}.txt" for cls in used if cls in labelled and class_list_ok(cls) for split in members_of]
    return ClassLists(used, labelled, members_of, yielding_lists(set(splits), files), union)


def action_lists(flags: ActionFlags, trainval: bool) -> tuple[ActionLines, dict[str, str]]:
    """The lines of each ``Action/<action>_<split>.txt``, and the lists another's name takes on macOS or Windows.

    ``trainval`` lists are made again (sorted) when the input had them and train and val have lines. The lists
    that yield (:func:`yielding_lists`) are not written.

    An action whose list Windows cannot create (``con.x_train.txt``: a device) is left to the caller.
    """
    actions: ActionLines = defaultdict(lambda: defaultdict(list))  # split -> action -> (item, object, flag)
    for split, action, item_id, k, flag in flags.lines:
        actions[split][action].append((item_id, k, flag))
    by_split: ActionLines = {s: dict(a) for s, a in actions.items()}
    if trainval and "train" in by_split and "val" in by_split:
        union: dict[str, set[tuple[str, int, int]]] = defaultdict(set)
        for split in ("train", "val", "trainval"):
            for action, lines in by_split.get(split, {}).items():
                union[action].update(lines)
        by_split["trainval"] = {a: sorted(lines) for a, lines in union.items()}
    files = [f"{a}_{split}.txt" for split, by_action in by_split.items() for a in by_action if action_list_ok(a)]
    return by_split, yielding_lists(flags.splits, files)


def unread_action_flags(flags: ActionFlags, trainval: bool) -> list[tuple[str, str]]:
    """The flags (their split and action, in order) of lines whose Action list yields its name to another's."""
    by_split, yielding = action_lists(flags, trainval)
    if not yielding:
        return []
    union = trainval and "train" in by_split and "val" in by_split
    return [
        (split, action)
        for split, action, *_ in flags.lines
        if action_list_ok(action) and not _read_back(action, split, yielding, union)
    ]


def _write_action_lists(path: Path, flags: ActionFlags, file_ids: dict[str, str], trainval: bool) -> None:
    """Write VOC2012's ``Action/<action>_<split>.txt``: ``image object-index flag`` lines, flag 1 or -1.

    An object's line gives each action its ``voc:actions`` holds (as its XML's ``<actions>``), in the order of
    the images and of their XML objects; ``trainval`` lists again, sorted, when the input had them.

    An action whose list Windows cannot create (``con.x_train.txt``: a device) has none, nor has one whose list
    another's name takes on macOS or Windows (``Jump_train.txt`` beside ``jump_train.txt``): check() reports
    their flags lost there (the XML keeps them).

    Raises:
        OutputError: an action and split whose file would be another list's (action ``a`` of split ``b_c`` and
            ``a_b`` of split ``c``; action ``jumping`` of split ``train`` and split ``jumping_train``).
    """
    if not flags.lines:
        return
    by_split, yielding = action_lists(flags, trainval)
    folder = path / "ImageSets" / "Action"
    folder.mkdir(parents=True, exist_ok=True)
    written = {folded_name(f"{split}.txt"): f"the list of split {split!r}" for split in flags.splits}
    for split, by_action in sorted(by_split.items()):
        for action, lines in sorted(by_action.items()):
            name = f"{action}_{split}.txt"
            if not action_list_ok(action) or name in yielding:
                continue
            if folded_name(name) in written:
                raise OutputError(
                    f"would be both {written[folded_name(name)]} and the list of action {action!r} in split {split!r}",
                    path=folder / name,
                    hint="rename the action or the split",
                )
            written[folded_name(name)] = f"the list of action {action!r} in split {split!r}"
            text = "".join(f"{file_ids.get(m, m)} {k} {flag:2d}\n" for m, k, flag in lines)
            (folder / name).write_text(text, encoding="utf-8")


def _write_lists(
    path: Path,
    dataset: Dataset,
    ids: list[str],
    splits: list[str],
    lists: dict[str, dict[str, list[str]]],
    file_ids: dict[str, str],
    action_objects: dict[str, list[int]] | None = None,
) -> int:
    """Write the ImageSets lists; returns how many image-level labels they hold (one per item and class).

    An item is listed by the name of its files (``file_ids``: the ids named otherwise). With
    ``action_objects`` (item -> the 1-based indices of its XML objects with actions), the Action lists are
    VOC2012's: an ``image object-index`` line per such object (an image without one keeps a line of its own).
    """
    line = file_ids.get
    trainval = dataset.info.extras.get("voc:trainval") is True  # read beside train and val lists: made again
    for task, by_split in lists.items():
        if not is_plain_name(task):  # an ImageSets task from item metadata (check() reports it)
            continue
        folder = path / "ImageSets" / task
        folder.mkdir(parents=True, exist_ok=True)
        for split, members in sorted(_with_trainval(by_split, trainval).items()):
            if task == "Action" and action_objects is not None:  # VOC2012's: a line per object with actions
                text = "".join(
                    f"{line(m, m)} {k}\n" if k else f"{line(m, m)}\n"
                    for m in members
                    if listable(m)
                    for k in action_objects.get(m) or [0]
                )
            else:
                text = "".join(f"{line(m, m)}\n" for m in members if listable(m))
            (folder / f"{split}.txt").write_text(text, encoding="utf-8")
    if not dataset.table("labels").num_rows:
        return 0
    plan = class_lists(dataset, ids, splits, trainval)
    value = label_values(dataset)
    main = path / "ImageSets" / "Main"
    # one folder holds both <split>.txt and <class>_<split>.txt: class a of split b_c and class a_b of split c
    # (or class a of split train and split a_train) would write one file (refused); classes Cat and cat would
    # on macOS and Windows, whose file systems do not tell case (nor Unicode normalisation) apart: the second
    # by name yields (plan.yielding, reported lost by check()), on every machine
    written = {folded_name(f"{split}.txt"): f"the list of split {split!r}" for split in lists.get("Main", {})}
    for cls in filter(class_list_ok, plan.used):  # a class file is named after the class (check() reports others)
        for split, members in sorted(plan.members_of.items()):
            name = f"{cls}_{split}.txt"
            key = folded_name(name)
            if name in plan.yielding or (key in written and cls not in plan.labelled):
                continue  # (all -1 lines: the other list keeps the file, labelmap.txt the class)
            if key in written:
                raise OutputError(
                    f"would be both {written[key]} and the list of class {cls!r} in split {split!r}",
                    path=main / name,
                    hint="rename the class or the split",
                )
            written[key] = f"the list of class {cls!r} in split {split!r}"
            text = "".join(f"{line(m, m)} {value.get((m, cls), -1):2d}\n" for m in members)
            (main / name).write_text(text, encoding="utf-8")
    return sum(1 for *_, read in plan.listed(value) if read)
