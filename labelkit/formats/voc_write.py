"""Writing Pascal VOC folders: XML per item, image sets, labelmap, segmentation PNGs.

Boxes go from the model's ``x, y, w, h`` to VOC's 1-based inclusive corners in one numpy step; each XML
file is built as one string and written with one ``open``/``write``/``close``. Unknown classes are written
under their own names (never remapped to background) and listed in ``labelmap.txt``. The segmentation PNGs
are painted in :mod:`labelkit.formats.voc_masks`, and the XML text is spelled in :mod:`labelkit.formats.voc_xml`;
what VOC cannot hold is found before writing by :mod:`labelkit.formats.voc_check` (``check()`` in comments here).
"""

from __future__ import annotations

import os
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.file_batches import create_files
from labelkit.formats import holes_alone, voc_xml
from labelkit.formats.base import EMPTY_TASK_LISTS, empty_splits_read
from labelkit.formats.chunked_rows import ChunkedRows
from labelkit.formats.derived import cached
from labelkit.formats.voc import VOC_CLASSES, VOID_INDEX, voc_palette
from labelkit.formats.voc_actions import (
    action_flags,
    write_action_lists,
)
from labelkit.formats.voc_files import without_fork_items
from labelkit.formats.voc_labelmap import (
    BACKGROUND,
    DEFAULT_PARTS,
    IDS_COMMENT,
    IGNORED,
    READER_PARTS_COMMENT,
    STAND_IN_COMMENT,
    own_color,
    parse_color,
    reader_parts,
    stand_in_line,
)
from labelkit.formats.voc_lists import (
    DOTA_FLAG,
    dota_as_voc,
    empty_lists_again,
    empty_task_lists_again,
    may_hold_voc,
    not_in_main,
    task_read_back,
    task_splits,
    write_lists,
)
from labelkit.formats.voc_masks import (
    MAX_PNG_PIXELS,
    RASTERISED,
    ImageMasks,
    MaskColumns,
    PngPool,
    cell_shape,
    paints_any,
    palette_bytes,
    png_values,
    sets_a_pixel_of,
    void_cells,
)
from labelkit.formats.voc_names import image_file_names, images_per_split, item_files, renames_by_id
from labelkit.formats.voc_values import (
    LINE_BREAK,
    as_list,
    class_as_read,
    corners_as_read,
    part_ok,
    xml_text,
)
from labelkit.formats.yolo_media import media_of, place_media, read_splits_of
from labelkit.io import create_file
from labelkit.model import Category, Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, decode_json_cell, read_only, true_mask, valid_mask
from labelkit.portable import drop_unportable, same_files, split_list_entries, unportable_paths, without_nul_names
from labelkit.portable_lengths import path_too_long
from labelkit.report import Report


def blank_pngs(meta: dict[str, Any]) -> tuple[str, ...]:
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
        # a '#' line (reported lost) goes last: a reader skips it, so one before another class would shift that
        # class's PNG value and colour by one
        read_as = {c.id: class_as_read(c.name) for c in self.categories}
        for c in sorted(self.categories, key=lambda c: read_as[c.id].startswith("#")):  # (a stable sort)
            key = read_as[c.id]
            if key not in line_of or key.startswith("#"):  # (a '#' line is a comment: never read as a class)
                line_of[key] = len(self.lines)
                self.lines.append(c)
            self.value[c.id] = line_of[key] + self.offset
        self.line_names = [read_as[c.id] for c in self.lines]  # (each line's class as read back)
        # classes as read from VOC without a labelmap (the standard classes in use, their VOC index as id,
        # nothing extra) are written as VOC itself writes them: PNG value = VOC index, no labelmap.txt
        # (in use: by an image label, or an object written with a box; a class whose objects have none, lost,
        # would come back through no object: it goes in labelmap.txt)
        objects = dataset.table("objects")
        in_xml = set(pc.unique(objects["category_id"].filter(pa.array(voc_boxes(dataset)[1]))).to_pylist())
        labelled = set(pc.unique(dataset.table("labels")["category_id"]).to_pylist())
        used = in_xml | labelled
        self.object_parts = object_part_names(dataset)
        # other classes as such a read gives them: ids from 21 in name order, each of an object in an XML file (a
        # class list names standard classes only), none in a PNG (which has no value for them without a labelmap);
        # VOC -> VOC of a dataset holding one renumbered the class PNGs' values by labelmap line (cat 8 as 1), and
        # so their colours, unsaid
        others = sorted((c for c in self.categories if c.name not in VOC_CLASSES), key=lambda c: c.name)
        drawn = pc.or_(valid_mask(objects["mask"]), valid_mask(objects["polygon"]))
        painted = set(pc.unique(objects["category_id"].filter(drawn)).to_pylist())
        # (Datumaro reads part names as labels: without labelmap.txt, only those of its own VOC labelmap)
        self.standard = (
            bool(self.categories)
            and all(n in DEFAULT_PARTS or n in VOC_CLASSES for _, n in self.object_parts)
            and all(
                c.id in used and not c.color and not c.extras.get("voc:parts") and not c.extras.get("voc:actions")
                for c in self.categories
            )
            and all(
                0 <= c.id < len(VOC_CLASSES) and VOC_CLASSES[c.id] == c.name
                for c in self.categories
                if c.name in VOC_CLASSES
            )
            and [c.id for c in others] == list(range(len(VOC_CLASSES), len(VOC_CLASSES) + len(others)))
            and all(c.id in in_xml and c.id not in painted and c.id not in labelled for c in others)
            and all(class_as_read(c.name) == c.name for c in others)
            and len({c.name for c in self.categories}) == len(self.categories)
            # (such a read lists them by id: [dog 12, cat 8] read back [cat, dog], unsaid, without a labelmap)
            and [c.id for c in self.categories] == sorted(c.id for c in self.categories)
        )
        if self.standard:
            self.value = {c.id: c.id for c in self.categories}
        self.name = {c.id: c.name for c in self.categories}
        palette = voc_palette()
        self.colors = []
        for c, name in zip(self.lines, self.line_names, strict=True):
            color = parse_color(c.color) if c.color else None
            self.colors.append(color or own_color(name, self.value[c.id] % 256, palette) or (0, 0, 0))
        self.palette = list(palette)
        for c, color in zip(self.lines, self.colors, strict=True):
            if self.value[c.id] < VOID_INDEX:  # (255 is void's; later classes have no value in a class PNG)
                self.palette[self.value[c.id]] = color
        self.palette_bytes = palette_bytes(self.palette)

    def labelmap(self, pngs: bool, void: bool) -> str:
        """``labelmap.txt``: Datumaro's ``name:r,g,b:parts:actions`` lines, plus the model's ids as a comment.

        A class PNG value is the line's position (plus one when the first class is not ``background``). With
        segmentation PNGs (``pngs``), value 0 has a line too, ``background:0,0,0::``, and with void pixels in a
        class PNG (``void``) value 255 one last, ``ignored:224,224,192::``, when no class is so named; part names
        of objects that no line declares go on their class's line, named in a comment (see
        :mod:`labelkit.formats.voc_labelmap`).
        """
        # (a name starting with '#' makes a comment line, reported lost: the comment holds the classes' ids only)
        usable = [not name.startswith("#") for name in self.line_names]
        ids = ",".join(str(c.id) for c, u in zip(self.lines, usable, strict=True) if u)
        lines = ["# label:color_rgb:parts:actions", f"{IDS_COMMENT} {ids}"]
        own = [list(filter(labelmap_name_ok, as_list(c.extras.get("voc:parts")))) for c in self.lines]
        declared = {name for name, u in zip(self.line_names, usable, strict=True) if u}
        declared.update(p for ps, u in zip(own, usable, strict=True) if u for p in ps)
        line_of = {cid: value - self.offset for cid, value in self.value.items()}
        added = reader_parts(self.object_parts, line_of, usable, declared)
        if added:  # (part names of objects no line declares, added for Datumaro: labelkit's reader drops them)
            lines.append(f"{READER_PARTS_COMMENT} {','.join(p for k in sorted(added) for p in added[k])}")
        taken = set(self.line_names)
        background = pngs and self.offset and BACKGROUND[0] not in taken
        ignored = void and IGNORED[0] not in taken
        ends = list(zip(self.line_names, self.colors, strict=True))  # (a class the reader takes for a stand-in)
        if background and not ignored and ends and ends[-1] == IGNORED:
            lines.insert(1, f"{STAND_IN_COMMENT} {BACKGROUND[0]}")  # (a class 'ignored' of the void's colour, last)
        if background:
            lines.append(stand_in_line(*BACKGROUND))
        for k, (c, color) in enumerate(zip(self.lines, self.colors, strict=True)):
            parts = ",".join(own[k] + added.get(k, []))
            actions = ",".join(filter(labelmap_name_ok, as_list(c.extras.get("voc:actions"))))
            name = class_as_read(c.name)  # (stripped, as <name> is: Datumaro strips a line, not its name)
            lines.append(f"{name}:{color[0]},{color[1]},{color[2]}:{parts}:{actions}")
        if ignored:
            lines.append(stand_in_line(*IGNORED))
        return "\n".join(lines) + "\n"


def object_part_names(dataset: Dataset) -> list[tuple[int, str]]:
    """(category id, part name as it reads back, stripped) of the objects' ``voc:parts`` a labelmap can declare.

    In object order; only the objects whose extras name ``voc:parts`` are decoded.
    """
    objects = dataset.table("objects")
    rows = np.flatnonzero(contains_match(objects["extras"], '"voc:parts"'))
    if not len(rows):
        return []
    taken = pa.array(rows)
    found = []
    for cid, raw in zip(
        objects["category_id"].take(taken).to_pylist(), objects["extras"].take(taken).to_pylist(), strict=True
    ):
        for part in as_list(decode_json_cell(raw).get("voc:parts")):
            if cid is not None and part_ok(part) and labelmap_name_ok(part["name"].strip()):
                found.append((int(cid), part["name"].strip()))
    return found


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
_XML_BATCH = 2048  # XML files created at once (see file_batches)


def _threads(pool: PngPool) -> int:
    """Threads to create a batch of XML files on: two (see file_batches), but one while a PNG job is pending.

    The PNG workers keep the cores busy then, and a second file thread only waits its turn for a core and for the
    GIL: in turn, train2017-sized COCO -> VOC's write took 12.08 s this way against 12.87 s with two threads throughout
    (medians of 5, in-process, 2026-12-07; README, *Benchmark: YOLO and VOC*).
    """
    return 1 if pool.busy else 2


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write a VOC folder: ``Annotations``, ``ImageSets``, ``labelmap.txt``, segmentation PNGs, images.

    Raises:
        UsageError: media copy or link without ``media_root``.
    """
    masks_mode = str(options.get("masks") or "auto")
    from labelkit.formats.voc_check_masks import mask_only_as_xml  # (which imports this module)

    dataset = mask_only_as_xml(dataset, masks_mode)[0]  # (no PNG holds them: written as XML objects)
    media, media_root = media_of(options)
    default_split = str(options.get("split") or "train")
    classes = Classes(dataset)
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    splits = dataset.item_splits(default_split)
    paths = items["path"].to_pylist()
    widths = items["width"].to_pylist()
    heights = items["height"].to_pylist()
    # VOC reads only its own keys (voc:*) from item metadata: a text without one (and without an escape,
    # which could spell one) reads as empty
    holds_voc = may_hold_voc(items["metadata"]).tolist()
    metadata = [decode_json_cell(m) if h else {} for m, h in zip(items["metadata"].to_pylist(), holds_voc, strict=True)]
    files = item_files(dataset)
    # the ids whose files are named otherwise ('a\\b' is Annotations/a/b.xml): a reader takes the file's name
    # for the id, and so do the ImageSets lists, which other tools join to Annotations/<line>.xml (check()
    # reports them, and the images renamed)
    file_ids = {i: f for i, f in zip(ids, files, strict=True) if f != i}
    image_names = image_file_names(dataset, images_per_split(options), media)[0]

    objects = dataset.table("objects")
    item_of = dataset.item_positions()
    known = np.flatnonzero(item_of >= 0)
    order = known[np.argsort(item_of[known], kind="stable")]
    bounds = np.searchsorted(item_of[order], np.arange(len(ids) + 1)).tolist()
    voc, has_box = voc_boxes(dataset)
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
    # (stripped, as every reader reads <name>: Datumaro, which strips labelmap.txt lines and not <name>, refused
    # a class ' a' as undeclared; check() reports such names lost)
    name_xml = {cid: xml_text(class_as_read(name)) for cid, name in classes.name.items()}
    geometry = MaskColumns(
        ChunkedRows(objects["mask"]),
        ChunkedRows(objects["polygon"]) if masks_mode == "all" else None,
        ChunkedRows(objects["polygon_holes"])
        if masks_mode == "all" and objects["polygon_holes"].null_count < len(objects)
        else None,
    )

    pool = PngPool(report)
    made: set[str] = set()  # segmentation folders made: those of the images that get PNGs
    class_void = False  # whether a class PNG gets void pixels

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
        outside = set(not_in_main(dataset))  # (in no Main list: less those no task list names once written)
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
            & ~contains_match(objects["extras"], DOTA_FLAG)
            & true_mask(objects["attributes"].is_null())
            & true_mask(objects["occluded"].is_null())
            & ~has_mask
            & ~has_polygon
        )
        names = pa.array([name_xml.get(c, "") if c is not None else "" for c in categories], pa.large_string())
        placed_images: set[str] = set()
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
            # the chunk's masks and polygons in one take (a take per image costs more than painting the image),
            # before its XML files: whether an image's PNGs are written depends on their pixels (paints_any)
            wanted = slow[has_mask[slow] | has_polygon[slow]]
            cells = dict(zip(wanted.tolist(), geometry.masks.take(wanted).to_pylist(), strict=True))
            polygons = (
                dict(zip(wanted.tolist(), geometry.polygons.take(wanted).to_pylist(), strict=True))
                if geometry.polygons is not None
                else {}
            )
            holes = (
                dict(zip(wanted.tolist(), geometry.holes.take(wanted).to_pylist(), strict=True))
                if geometry.holes is not None
                else {}
            )
            drawn: dict[int, tuple[tuple[int, int], Any]] = {}  # polygons rasterised by paints_any, for painting
            sets_a_pixel = partial(sets_a_pixel_of, cells=cells, polygons=polygons, holes=holes, drawn=drawn)
            texts: dict[int, str] = {}
            extras: dict[int, dict[str, Any]] = {}
            for k, r in enumerate(slow.tolist()):
                raw = extras_raw[r]
                decode = raw is not None and ('"voc:' in raw or DOTA_FLAG in raw)
                extra = dota_as_voc(decode_json_cell(raw)) if decode else {}
                if extra:
                    extras[r] = extra
                if (
                    not has_box[r]
                    or categories[r] not in name_xml
                    or extra.get("voc:mask_only")  # (flags as check() reads them: false is no flag)
                    or extra.get("voc:semantic")
                ):
                    continue
                numbers = tokens[4 * k : 4 * k + 4]
                fractional += not integral[k]
                if extra or attributes_raw[r] is not None or occluded[r] is not None:
                    attrs = decode_json_cell(attributes_raw[r])
                    texts[r] = voc_xml.object_xml(name_xml[categories[r]], numbers, occluded[r], extra, attrs)
                else:
                    texts[r] = voc_xml.PLAIN_OBJECT % (name_xml[categories[r]], *numbers)
            xml_files: list[tuple[str, bytes]] = []
            jobs: list[
                tuple[int, list[int], list[int], list[int], tuple[Any, Any], list[int], tuple[str, ...], int]
            ] = []
            too_large: set[int] = set()
            no_pngs: set[int] = set()  # images whose masks are all lost: write() paints none, and writes no PNG
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
                blank = blank_pngs(meta) if masks_mode != "none" else ()
                segmented = bool(
                    instance_rows or semantic_rows or voids[0] is not None or voids[1] is not None or blank
                )
                # an image too large to paint (its own size, else its first mask's, else its void's) gets no PNG:
                # neither flagged segmented nor listed in Segmentation (what its PNGs would hold is reported lost)
                pngs = (heights[n], widths[n]) if (widths[n] or 0) > 0 and (heights[n] or 0) > 0 else None
                pngs = pngs or (size if not fast[n - first] else None)  # (as ImageMasks.write sizes them)
                pngs = pngs or next((s for s in map(cell_shape, voids) if s is not None), None)
                unpainted = segmented and pngs is not None and int(pngs[0]) * int(pngs[1]) > MAX_PNG_PIXELS
                if unpainted:
                    too_large.add(n)
                elif (
                    segmented
                    and not blank
                    and not paints_any(
                        pngs,
                        list(zip(values, instance_rows, strict=True)),
                        semantic_rows,
                        voids,
                        lambda r: classes.value[categories[r]],
                        lambda r: (int(mask_h[r]), int(mask_w[r])) if has_mask[r] else None,
                        sets_a_pixel,
                    )
                ):  # (masks all lost: no PNGs of background, nor flagged segmented or listed in Segmentation)
                    unpainted = True
                    no_pngs.add(n)
                name = image_names[n]
                head = voc_xml.head_xml(
                    meta, name if paths[n] else None, widths[n], heights[n], segmented and not unpainted
                )
                written_objects += len(xml_rows)
                xml_files.append((base + files[n] + ".xml", head.encode() + body + b"</annotation>\n"))
                if len(xml_files) == _XML_BATCH:  # (the bytes of so many at most are held)
                    create_files(xml_files, _threads(pool))
                    xml_files.clear()
                tasks = meta.get("voc:imagesets")
                if not isinstance(tasks, list):
                    tasks = []
                    if segmented and not unpainted:
                        tasks.append("Segmentation")
                    if n in flags.items:
                        tasks.append("Action")
                    if extras and any(extras.get(r, {}).get("voc:parts") for r in xml_rows):
                        tasks.append("Layout")
                # each named task once, Main (listed above) not again; names that are not text, or not plain,
                # are reported by check()
                named = False  # (by a list of its split a reader reads, which gives it back that split)
                for task in dict.fromkeys(t for t in tasks if isinstance(t, str) and t != "Main"):
                    for task_split in task_splits(meta, task, splits[n]):  # (as read: Segmentation/trainval.txt)
                        lists.setdefault(task, defaultdict(list))[task_split].append(ids[n])
                    named = named or (task_read_back(task) and splits[n] in task_splits(meta, task, splits[n]))
                if n not in outside:
                    lists["Main"][splits[n]].append(ids[n])
                elif named:  # (an image only task lists name, as VOC2012's Action and Layout images: voc_build)
                    lists["Main"].setdefault(splits[n], [])  # (a Main list, if empty, says the item is in none)
                else:  # (no list would give its split back)
                    outside.discard(n)
                    lists["Main"][splits[n]].append(ids[n])
                if segmented:
                    class_void = class_void or (voids[0] is not None and n not in no_pngs)
                    jobs.append((n, instance_rows, values, semantic_rows, voids, xml_rows, blank, lone))
                if media != "none" and paths[n] and name not in placed_images:  # (an image of two items: once)
                    placed_images.add(name)
                    assert media_root is not None
                    place_media(
                        media_root.of(splits[n], ids[n]), paths[n], path / "JPEGImages" / name, media, media_root.bound
                    )
            create_files(xml_files, _threads(pool))
            for n, instance_rows, values, semantic_rows, voids, xml_rows, blank, lone in jobs:
                shape = (heights[n], widths[n]) if (widths[n] or 0) > 0 and (heights[n] or 0) > 0 else None
                # (for ImageMasks to read its PNGs back: class pixels no instance accounts for, of a class-only mask
                # or under void of the object PNG only, give class-only objects; not for VOC's voc:void, of both)
                read_back = semantic_rows or (voids[1] is not None and voids[1] != voids[0])
                xml_names = [classes.name[categories[r]] for r in xml_rows] if read_back else None
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
                    blank_only_object=blank == ("SegmentationObject",),
                    alone=lone,
                    holes=holes,
                    files=n not in no_pngs,
                    drawn=drawn,
                )
                if n not in too_large and n not in no_pngs:  # (write() paints nothing for it, and says what is lost)
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
    empty_lists_again(lists["Main"], empty_splits_read(dataset.info.extras))
    empty_task_lists_again(lists, dataset.info.extras.get(EMPTY_TASK_LISTS))
    label_lines = write_lists(path, dataset, ids, splits, lists, file_ids, objects_listed, outside)
    write_action_lists(path, flags, file_ids, dataset.info.extras.get("voc:trainval") is True)
    if not classes.standard:
        create_file(str(path / "labelmap.txt"), classes.labelmap(bool(made), class_void).encode())
    if fractional and (note := fractional_note(fractional)) not in report.notes:  # (check() made it: the same)
        report.note(note)
    # (in the order of what was read, as every format counts them; image labels only where some were written)
    report.written = {"items": len(ids), **({"label annotations": label_lines} if label_lines else {})}
    report.written["object annotations"] = written_objects + painted_alone - pool.lost_objects + pool.class_only


def writable(dataset: Dataset, **options: Any) -> tuple[Dataset, list[tuple[str, int, str]]]:
    r"""The dataset without the items whose files are not the same on every machine (see ``base.WRITABLE``).

    An item is left out when its XML (``Annotations/<id>.xml``, and so its segmentation PNGs, named alike) or,
    with ``media=copy`` or ``link``, its image in ``JPEGImages/`` is a name Windows cannot hold (``con.xml``),
    or when its XML differs from another item's only in case or Unicode normalisation (``a.xml`` and
    ``A.xml``, or in a folder on their way): one file on macOS and Windows. On every machine the first by
    name is written. (Image names differing so are renamed instead: :func:`voc_xml.image_names`.) So are
    items whose XML is another's on every machine (ids ``a\b`` and ``a/b``, ``./x`` and ``x``, or ``a`` and
    ``a.xml/b``, whose folder is ``a``'s file), or whose image in ``JPEGImages/`` is a folder on another's way:
    the first by id is written (:func:`labelkit.portable.same_files`).
    So are the items of a split whose list Windows cannot hold (``ImageSets/Main/con.txt``), and those whose
    XML is named as a macOS resource fork (``._a.xml``), which readers pass over (:mod:`.voc_files`); and those
    whose XML, image, or (of an item that may get one) ``SegmentationObject/<id>.png`` path is too long below
    the output folder (:func:`labelkit.portable_lengths.path_too_long`).
    """
    dataset, nul = without_nul_names(dataset, "Pascal VOC", by_id=True)  # (no file name holds one: lost, not an error)
    objects = dataset.table("objects")
    kept, lost = holes_alone.taken_off(objects, valid_mask(objects["bbox"]) | valid_mask(objects["mask"]))
    if lost:  # (VOC wrote the hole's bounds as the object's box, with no loss said)
        dataset = Dataset.from_tables({**dataset.tables(), "objects": kept}, dataset.categories, dataset.info)
        nul = [*nul, *lost]
    default_split = str(options.get("split") or "train")
    splits = dataset.item_splits(default_split)
    dataset, forks = without_fork_items(dataset, item_files(dataset), splits)
    forks = nul + forks
    items = dataset.table("items")
    files = item_files(dataset)
    paths = [f"Annotations/{f}.xml" for f in files]
    owners = list(range(len(paths)))
    media = str(options.get("media") or "none")
    if media != "none":
        sources = items["path"].to_pylist()
        splits_read = read_splits_of([str(i) for i in items["id"].to_pylist()], items["split"].to_pylist())
        names = voc_xml.image_names(sources, files, None, splits_read, renames_by_id(dataset, media))[0]
        first_of = {name: n for n, name in reversed(list(enumerate(names)))}  # (an image of two items: placed once)
        placed = [n for n, source in enumerate(sources) if source and first_of[names[n]] == n]
        paths += [f"JPEGImages/{names[n]}" for n in placed]
        owners += placed
    # a split's list, ImageSets/Main/<split>.txt (con.txt: a device): its items are lost, as YOLO's of labels/con/
    lists, listed = split_list_entries(dataset.item_splits(default_split), "ImageSets/Main/")
    files_written = len(paths)
    paths += lists
    owners += listed
    if str(options.get("masks") or "auto") != "none":  # (a PNG's path is longer than its XML's: too long sooner)
        pngs = [n for n, f in enumerate(files) if path_too_long(f"SegmentationObject/{f}.png")]
        may = _may_get_pngs(dataset, pngs)
        pngs = [n for n in pngs if n in may]
        paths += [f"SegmentationObject/{files[n]}.png" for n in pngs]
        owners += pngs
    reserved, yielding = unportable_paths(paths)
    ids = [str(v) for v in items["id"].to_pylist()]
    # (image names are made distinct, voc_xml.image_names, but one below JPEGImages/ as read may be a folder on
    # another's way, sub.jpg and sub.jpg/x.jpg, which renaming after the item's file may not part)
    same = same_files(paths[:files_written], [ids[owners[n]] for n in range(files_written)])
    dataset, losses = drop_unportable(dataset, paths, owners, reserved, yielding, same)
    return dataset, forks + losses


def _may_get_pngs(dataset: Dataset, rows: list[int]) -> set[int]:
    """Which of the items ``rows`` may get segmentation PNGs: of an object with a mask or polygon, or void pixels.

    (A few items, whose PNG path is too long: see :func:`writable`.)
    """
    if not rows:
        return set()
    items = dataset.table("items")
    objects = dataset.table("objects")
    shaped = valid_mask(objects["mask"]) | valid_mask(objects["polygon"])
    with_shapes = set(objects["item_id"].filter(pa.array(shaped)).to_pylist()) if shaped.any() else set()
    out = set()
    for n in rows:
        meta = items["metadata"][n].as_py()
        if items["id"][n].as_py() in with_shapes or (meta and ("voc:void" in meta or "voc:blank_pngs" in meta)):
            out.add(n)
    return out


def fractional_note(n: int) -> str:
    """The note on boxes whose VOC corners are not whole pixels (the writer's count; check() counts as it does)."""
    return f"{n:,} boxes have fractional Pascal VOC corners, written exactly as decimals (not rounded)"


def fractional_corners(dataset: Dataset) -> int:
    """How many XML objects the writer writes with corners that are not whole (what :func:`write` counts).

    Those of a box VOC can write and a known class, not flagged mask-only or class-only (``voc:mask_only``,
    ``voc:semantic``: written to the PNGs only).
    """
    voc, has_box = voc_boxes(dataset)
    objects = dataset.table("objects")
    ids = pa.array([c.id for c in dataset.categories], pa.int64())
    rows = has_box & true_mask(pc.is_in(objects["category_id"], value_set=ids))
    flagged = rows & (
        contains_match(objects["extras"], '"voc:mask_only"') | contains_match(objects["extras"], '"voc:semantic"')
    )
    for r in np.flatnonzero(flagged).tolist():
        extra = decode_json_cell(objects["extras"][r].as_py())
        rows[r] = not (extra.get("voc:mask_only") or extra.get("voc:semantic"))
    return int(np.count_nonzero(~voc_xml.integral(voc[rows]))) if rows.any() else 0


def voc_boxes(dataset: Dataset) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every object's VOC corners (a rotated box by its bounds) and whether it has a box VOC can write.

    A box of negative width or height (VOC's reader refuses ``xmax`` below ``xmin``), or whose corners are
    beyond float64 (``1e308 + 1e308``), cannot be written: its object is written as if it had no box. Kept
    while the objects are unchanged (the plan and the writer ask for them), read-only.
    """
    return cached(dataset, "voc:boxes", lambda: _voc_boxes(dataset.table("objects")))


def _voc_boxes(objects: pa.Table) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    boxes, has_box = G.bbox_columns(objects["bbox"])
    angle = np.asarray(objects["angle"].fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    turned = angle != 0
    with np.errstate(over="ignore", invalid="ignore"):
        if turned.any():
            boxes[turned] = G.corner_bounds(G.rotated_box_corners(boxes[turned], angle[turned]))
        voc = corners_as_read(objects["extras"], G.xywh_to_voc(boxes), boxes, turned)  # (as read: voc_values)
        writable = has_box & np.isfinite(voc).all(axis=1) & (boxes[:, 2] >= 0) & (boxes[:, 3] >= 0)
    voc, writable = read_only(voc, writable)
    return voc, writable
