"""Writing YOLO folders: every task, Ultralytics or Darknet layout.

The label lines come from :mod:`labelkit.formats.yolo_lines`; each label file is written with one
``open``/``write``/``close``. Every image gets a label file, an empty one when it has no objects. What each
task cannot hold is reported before writing, by :mod:`labelkit.formats.yolo_check`.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import OutputError, UsageError
from labelkit.file_batches import create_files
from labelkit.formats.chunked_rows import piece_bounds
from labelkit.formats.derived import cached
from labelkit.formats.yolo_classify import write_classify
from labelkit.formats.yolo_clipping import clipping, rounding
from labelkit.formats.yolo_config_files import write_darknet, write_data_yaml
from labelkit.formats.yolo_layout import (
    DARKNET_SPLIT,
    IMAGE_DIRS,
    RESERVED_SPLITS,
    empty_splits_written,
    unique_ids,
    without_extension,
)
from labelkit.formats.yolo_lines import Lines, columns
from labelkit.formats.yolo_media import (
    SIZES_FILE,
    is_image,
    media_of,
    place_media,
    placed_image_size,
    sized_by_files,
    sizes_text,
)
from labelkit.formats.yolo_numbers import precision_of
from labelkit.io import create_file
from labelkit.model import Dataset
from labelkit.portable import (
    SPLIT_FOLDERS,
    by_parts,
    folded_name,
)
from labelkit.report import Report

TASKS = ("detect", "segment", "obb", "pose", "classify")
_ITEM_CHUNK = 8192


def task_of(dataset: Dataset, options: dict[str, Any]) -> str:
    """The task to write: the option, else the task the dataset was read as, else detect."""
    task = str(options.get("task") or "auto")
    if task == "auto":
        read_as = dataset.info.extras.get("yolo:task")
        task = read_as if read_as in TASKS else "detect"
    if task not in TASKS:
        raise UsageError("bad task", expected=", ".join(TASKS), found=task)
    if task == "pose" and options.get("layout") == "darknet":  # obj.data has no kpt_shape: read back as segment
        raise UsageError(
            "YOLO pose needs the Ultralytics layout",
            hint="Darknet's obj.data cannot say kpt_shape: drop -o layout=darknet, or write another task",
        )
    if task in ("segment", "obb") and options.get("layout") == "darknet":
        # (Darknet's reader takes a label file as class-and-4-numbers groups one after another, line breaks or not:
        # a 9-number OBB line was two boxes, the second of class 0 from its "0.5"; Datumaro's wants 5 fields a line)
        shape = "polygon" if task == "segment" else "rotated box"
        raise UsageError(
            f"YOLO {task} needs the Ultralytics layout",
            hint=f"Darknet reads a label file as boxes of 5 numbers, so a {shape} line would read as boxes of other "
            "classes: drop -o layout=darknet, or write -o task=detect",
        )
    if task in ("detect", "pose") and precision_of(options) == 0:
        # (a centre of 0 or 1 and a size of 0 or 1: a box of a size lies half past an edge, `0 0.7 0.7 0.6 0.6`
        # was written `0 0 0 1 1`, three quarters outside, and a rewrite lost it)
        raise UsageError(
            f"YOLO {task} cannot round boxes to 0 decimals",
            hint="a box of 0 decimals is centred on an edge or has no size: pass -o precision=1 or more",
        )
    if task == "classify" and options.get("layout") == "darknet":  # (the folders would be written regardless)
        raise UsageError(
            "YOLO classify has no Darknet layout",
            hint="classify is written as class folders (<split>/<class>/<image>): drop -o layout=darknet",
        )
    return task


def title_for(dataset: Dataset, options: dict[str, Any]) -> str:
    """The target's name in reports: YOLO and the task written (``YOLO detect``, ``YOLO obb``).

    Raises:
        UsageError: see :func:`task_of`.
    """
    return f"YOLO {task_of(dataset, options)}"


def written_rows(dataset: Dataset, task: str, options: dict[str, Any]) -> np.ndarray[Any, Any]:
    """Per object row, whether it is written.

    Written: placed, with the coordinates the task needs, not clipped to no width or height (segment and OBB
    points beyond an edge), and (with a precision) not rounded into a zero box.
    """
    cols = columns(dataset, task)
    precision = precision_of(options)
    written: np.ndarray[Any, Any] = cols.usable
    if task in ("segment", "obb"):  # (a detect or pose box not outside keeps an area: see yolo_lines._outside)
        written = written & ~clipping(dataset, task, cols, precision, kpt_dims_of(dataset, options)).emptied
    if precision is not None:
        written = written & ~rounding(dataset, task, cols, precision, kpt_dims_of(dataset, options)).collapsed
    return written


# -- what is lost ----------------------------------------------------------------------------------


def image_name(path: str | None, item_id: str, split: str, splits: frozenset[str] = frozenset()) -> str:
    """Where an item's image goes inside ``images/<split>/``: its path without the layout's own prefixes.

    The split folders stripped are the item's split's, and those of ``splits`` (the folders an item may have been
    read from before it was given another split: see :data:`SPLIT_FOLDERS`).

    Examples:
        >>> image_name("images/train/a.jpg", "a", "train"), image_name(None, "7", "val")
        ('a.jpg', '7.jpg')
        >>> image_name("site/images/a.jpg", "a", "train")  # Ultralytics: the last images/ is the labels' root
        'site/images_/a.jpg'
        >>> image_name("valid/images/a.jpg", "a", "val")  # a Roboflow export's val split
        'a.jpg'
        >>> image_name("JPEGImages/2007_000001.jpg", "2007_000001", "train")  # Pascal VOC's image folder
        '2007_000001.jpg'
        >>> image_name("Images/val/1.jpg", "1", "val")  # a loose layout's Images/ (Datumaro's)
        '1.jpg'
        >>> image_name("images/train/a.jpg", "a", "val"), image_name("images/train/a.jpg", "a", "val", SPLIT_FOLDERS)
        ('train/a.jpg', 'a.jpg')
    """
    if not path or _not_relative(path):
        name = PurePosixPath(path.replace("\\", "/")).name if path else ""
        return name if name not in ("", ".", "..") else _id_name(item_id)
    text = path.replace("\\", "/")
    if "/" not in text:  # a bare file name (COCO's): no layout prefix to strip
        return text if text not in (".", "..") else _id_name(item_id)
    for prefix in _prefixes(split, splits):
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    return _inner_path(text) or _id_name(item_id)


@functools.lru_cache(maxsize=256)
def _prefixes(split: str, splits: frozenset[str]) -> tuple[str, ...]:
    """The prefixes :func:`image_name` takes off, the first that fits: the split's folders, then the others'.

    (Made once per split: making them per image took 1.8 s of 118,000 images.)
    """
    prefixes: list[str] = []
    ordered = (split, *sorted(splits - {split}))
    for s in ordered:
        roboflow = ("valid/images/",) if s in ("val", "valid") else ()  # Roboflow's val folder (read as val)
        # (the image folders of YOLO's loose layouts, Images/ as Datumaro writes it, and of Pascal VOC: JPEGImages/)
        prefixes += [*(f"{d}/{s}/" for d in IMAGE_DIRS), f"{s}/images/", *roboflow, f"obj_{s}_data/"]
    return (*prefixes, *(f"{d}/" for d in IMAGE_DIRS), *(f"{s}/" for s in ordered))


def image_names(
    paths: list[str | None],
    ids: list[str],
    splits: list[str],
    taken: frozenset[tuple[str, str]] = frozenset(),
    others: frozenset[str] = frozenset(),
) -> list[str]:
    """:func:`image_name` of each item, stripping the folder of any split (the dataset's, :data:`SPLIT_FOLDERS`).

    Where that would give two items of a split one label file (``images/train/a.jpg`` and ``images/val/a.png``,
    both now in ``test``), or one of ``taken`` (other items' ``(split, name without extension)``, case folded),
    those items keep the folder of the split they were read from (``test/train/a.jpg``), as each item's own
    split's folder alone is stripped. ``others``: the splits of the dataset's other items.
    """
    folders = SPLIT_FOLDERS | frozenset(splits) | others
    names = [image_name(p, i, s, folders) for p, i, s in zip(paths, ids, splits, strict=True)]
    keys = [(s, without_extension(n).casefold()) for s, n in zip(splits, names, strict=True)]
    seen = Counter(keys)
    if len(seen) == len(keys) and not (taken and not taken.isdisjoint(keys)):
        return names  # (no two alike: the usual case, one pass over 118,000 names)
    for n, (path, item_id, split) in enumerate(zip(paths, ids, splits, strict=True)):
        if seen[keys[n]] > 1 or keys[n] in taken:
            names[n] = image_name(path, item_id, split)
    # still alike and read from different places (images/train/a.jpg beside a.jpg, both in train, gave a.jpg twice,
    # one item lost as the other's files): no split folder taken off, then the whole path (JPEGImages/a.jpg beside
    # a.jpg; an images folder is written images_). x.jpg beside x.png, read from one folder, share a label file.
    for kept in (_split_kept, _whole_path):
        keys = [(s, without_extension(n).casefold()) for s, n in zip(splits, names, strict=True)]
        read_as: dict[tuple[str, str], set[str]] = {}
        for key, path, item_id in zip(keys, paths, ids, strict=True):
            read_as.setdefault(key, set()).add(without_extension(path or item_id).casefold())
        for n, (path, item_id) in enumerate(zip(paths, ids, strict=True)):
            if len(read_as[keys[n]]) > 1 or keys[n] in taken:  # (taken: a bare name's, a.jpg, read from elsewhere)
                names[n] = kept(path, item_id)
    return names


def _split_kept(path: str | None, item_id: str) -> str:
    """:func:`image_name` keeping every split folder: only an image folder's name is taken off (``train/a.jpg``)."""
    return image_name(path, item_id, "")


def _whole_path(path: str | None, item_id: str) -> str:
    """The image's whole relative path, kept inside its folder.

    A bare name, an absolute path or a URL is :func:`image_name`'s, as the names written in bulk keep a bare name.
    """
    text = (path or "").replace("\\", "/")
    if not path or "/" not in text or _not_relative(path):
        return image_name(path, item_id, "")
    return _inner_path(text) or _id_name(item_id)


def _not_relative(path: str) -> bool:
    """Whether ``path`` is a URL, absolute, or on a drive (``C:...``): no folder of the dataset's to keep."""
    return "://" in path or path.startswith("/") or (len(path) > 1 and path[1] == ":")


def _inner_path(text: str) -> str:
    """``text`` without empty, ``.`` and ``..`` parts, so that it stays inside its folder.

    A folder named ``images`` becomes ``images_``: it would be the last one, which Ultralytics turns into
    ``labels``.
    """
    parts = [p for p in text.split("/") if p not in ("", ".", "..")]
    return "/".join(p if p not in ("images", "Images") else f"{p}_" for p in parts)


def _id_name(item_id: str) -> str:
    """An image name made of an item id (an item without an image path): ``<id>.jpg``, kept inside its folder.

    Examples:
        >>> _id_name("7"), _id_name("train/7"), _id_name("../../../evil"), _id_name("..")
        ('7.jpg', 'train/7.jpg', 'evil.jpg', 'item.jpg')
    """
    return (_inner_path(item_id.replace("\\", "/")) or "item") + ".jpg"


# -- writing ---------------------------------------------------------------------------------------


def _groups(item_of_row: np.ndarray[Any, Any], n_items: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    order = np.argsort(item_of_row, kind="stable")
    bounds = np.searchsorted(item_of_row[order], np.arange(n_items + 1))
    return order, bounds


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write a YOLO folder: labels for every image, ``data.yaml`` (or Darknet files), optional images.

    Raises:
        UsageError: a bad option, or classify without media.
        OutputError: two items would share a label file.
    """
    task = task_of(dataset, options)
    if task != "classify":  # (items of unknown size: their image files' sizes, as check() says)
        dataset = sized_by_files(dataset, options)[0]
    precision = precision_of(options)
    layout = str(options.get("layout") or "ultralytics")
    media, media_root = media_of(options)
    default_split = str(options.get("split") or "train")
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    splits = dataset.item_splits(default_split)
    paths = items["path"].to_pylist()
    if task == "classify":
        write_classify(dataset, path, report, ids, splits, paths, media, media_root, default_split)
        return
    refuse_reserved_splits(splits, layout)
    files = item_files(dataset, options)
    image_rel, label_rel = files.image_rel, files.label_rel
    if layout == "darknet":
        refuse_unlistable(image_rel, ids)
    shared = _shared_label_files(label_rel, image_rel, ids)
    cols = columns(dataset, task)
    usable_rows = np.flatnonzero(written_rows(dataset, task, options))
    kpt_dims = kpt_dims_of(dataset, options)
    formatter = Lines(dataset, task, cols, precision, kpt_dims)
    order, bounds = _groups(cols.item[usable_rows], len(ids))
    rows_by_item = usable_rows[order]
    folders = files.folders
    if not label_rel:  # no images: the folders data.yaml names still exist, so the output reads back
        # (train, as data.yaml names it without splits: the -o split option's folder, images/test, was not named
        # there, so the output did not read back, and a split Windows cannot name, con, made a folder of it)
        folders = {"obj_train_data"} if layout == "darknet" else {"labels/train", "images/train"}
    empty = empty_splits_written(dataset, splits, layout)  # (split folders or lists read empty: made again)
    if layout != "darknet":
        folders = {*folders, *(f"labels/{s}" for s in empty), *(f"images/{s}" for s in empty if media != "none")}
    for folder in sorted(folders):
        (path / folder).mkdir(parents=True, exist_ok=True)
    base = str(path) + os.sep
    bounds_list = bounds.tolist()
    # a chunk of images at a time: formatted lines never pile up for the whole dataset (memory stays flat)
    counts = np.concatenate([[0], np.cumsum(formatter.polygons.value_counts()[rows_by_item])])
    item_bounds = piece_bounds(np.diff(counts[bounds]), _ITEM_CHUNK)  # (and at most VALUES_AT_ONCE numbers)
    for first, last in zip(item_bounds[:-1], item_bounds[1:], strict=True):
        start = bounds_list[first]
        text, starts = formatter.text(rows_by_item[start : bounds_list[last]])
        view = memoryview(text)
        batch: list[tuple[str, bytes | memoryview]] = []
        for i in range(first, last):
            lo, hi = bounds_list[i] - start, bounds_list[i + 1] - start
            data = view[starts[lo] : starts[hi]]
            rel = label_rel[i]
            if rel in shared.members and shared.written_before(rel, i, bytes(data), ids):
                continue
            batch.append((base + rel, data))
        create_files(batch)  # (two threads: see file_batches)
    written_splits = sorted({*splits, *empty})
    if layout == "darknet":
        write_darknet(dataset, path, written_splits, splits, image_rel)
    else:
        write_data_yaml(dataset, path, task, written_splits, kpt_dims)
    if media == "none":
        create_file(str(path / SIZES_FILE), sizes_text(image_rel, items["width"], items["height"]))
    else:
        assert media_root is not None
        for item, rel, source, split in zip(ids, image_rel, paths, splits, strict=True):  # (the plan reports the
            if source:  # objects of an image file of another size than its item's, which a reader normalises by)
                placed = place_media(media_root.of(split, item), source, path / rel, media, media_root.bound)
                if is_image(Path(rel)):  # (a reader reads its size from its header: one it cannot read is refused)
                    placed_image_size(path / rel, placed)
        # items without an image file, or with one whose name a YOLO reader does not take for an image: their
        # sizes, so their label files read back
        unplaced = [i for i, source in enumerate(paths) if not source or not is_image(Path(image_rel[i]))]
        if unplaced:
            rows = pa.array(unplaced, pa.int64())
            rels = [image_rel[i] for i in unplaced]
            sizes = sizes_text(rels, items["width"].take(rows), items["height"].take(rows))
            create_file(str(path / SIZES_FILE), sizes)
    label_files = len(label_rel) - sum(len(items) - 1 for items in shared.members.values())
    report.written = {"items": len(ids), "object annotations": len(usable_rows), "label files": label_files}


@dataclass(frozen=True)
class ItemFiles:
    """Where each item's image and label file go, and the folders of the label files."""

    image_rel: list[str]
    label_rel: list[str]
    folders: set[str]


def item_files(dataset: Dataset, options: dict[str, Any]) -> ItemFiles:
    """Each item's image and label file in the layout written (``writable`` computes them, ``write`` reuses them)."""
    layout = str(options.get("layout") or "ultralytics")
    default_split = str(options.get("split") or "train")
    return cached(dataset, f"files:{layout}:{default_split}", lambda: _item_files(dataset, layout, default_split))


_NOT_BARE = r"(?s)[/\\]|^.:|^\.{0,2}$"
"""A path :func:`image_name` does more with than keep as it is: one with a folder or drive, or naming nothing."""


def _item_files(dataset: Dataset, layout: str, default_split: str) -> ItemFiles:
    items = dataset.table("items")
    splits = dataset.item_splits(default_split)
    # a bare file name (COCO's) is its own image name; the others (rare from COCO) go through image_name
    paths = items["path"]
    odd = np.flatnonzero(np.asarray(pc.match_substring_regex(paths, _NOT_BARE).fill_null(True).to_numpy(), bool))
    names = paths.to_pylist()
    if len(odd):
        ids = items["id"].to_pylist()
        rows = odd.tolist()
        bare = np.ones(len(names), dtype=bool)
        bare[odd] = False
        taken = frozenset(  # (the label files of the items named as they are)
            (splits[n], _bare_stem(names[n]).casefold()) for n in np.flatnonzero(bare).tolist()
        )
        odd_splits = [splits[n] for n in rows]
        inner = image_names([names[n] for n in rows], [str(ids[n]) for n in rows], odd_splits, taken, frozenset(splits))
        for n, name in zip(rows, inner, strict=True):
            names[n] = name
            if layout == "darknet":  # Darknet looks for the labels of .../JPEGImages/a.jpg in .../labels/a.txt
                names[n] = "/".join(f"{p}_" if p == "JPEGImages" else p for p in names[n].split("/"))
    if "\0" in "".join(names):  # (no file name holds one: the item is named, not only the output)
        n = next(n for n, name in enumerate(names) if "\0" in name)
        raise OutputError(
            f"item {str(items['id'][n].as_py())!r}: its image name {names[n]!r} holds a NUL character, which no file "
            "name can",
            hint="rename the item, or its image path (YOLO names an item's label file after its image)",
        )
    stems = [_bare_stem(n) for n in names]
    for n in odd.tolist():
        stems[n] = without_extension(names[n])
    if layout == "darknet":
        image_rel = [f"obj_{s}_data/{n}" for s, n in zip(splits, names, strict=True)]
        label_rel = [f"obj_{s}_data/{n}.txt" for s, n in zip(splits, stems, strict=True)]
    else:
        image_rel = [f"images/{s}/{n}" for s, n in zip(splits, names, strict=True)]
        label_rel = [f"labels/{s}/{n}.txt" for s, n in zip(splits, stems, strict=True)]
    if len(odd):
        folders = {r.rpartition("/")[0] for r in label_rel}
    else:  # (a bare name's label file is in its split's folder)
        folders = {f"obj_{s}_data" if layout == "darknet" else f"labels/{s}" for s in set(splits)}
    return ItemFiles(image_rel, label_rel, folders)


def _bare_stem(name: str) -> str:
    """A bare file name (no folder) without its extension: what is before its last dot, as without_extension gives."""
    return name[:dot] if (dot := name.rfind(".")) > 0 else name


def untrained_images_note(dataset: Dataset, options: dict[str, Any]) -> str | None:
    """The note on the images ``media=copy`` or ``link`` places where YOLO trainers do not take them for images.

    Ultralytics takes no file of no image extension (``a.gif``) for an image, nor, as its ``glob`` finds images, a
    hidden one (``.a.jpg``, ``.cache/b.jpg`` below ``images/<split>/``); Darknet's lists name every image, but it
    derives no label file name from the former. Neither trains on their labels, though most read back
    (``image_sizes.json`` gives the sizes of the former); one in a hidden folder (``.cache/b.jpg``) does not, as
    labelkit's reader, like Ultralytics, passes over hidden folders (with a read note).
    """
    if str(options.get("media") or "none") == "none":
        return None
    darknet = str(options.get("layout") or "ultralytics") == "darknet"
    paths = dataset.table("items")["path"].to_pylist()
    rels = item_files(dataset, options).image_rel

    def untrained(rel: str) -> bool:
        path = PurePosixPath(rel)
        return not is_image(path) or (not darknet and any(p.startswith(".") for p in path.parts[2:]))

    odd = [rel for rel, source in zip(rels, paths, strict=True) if source and untrained(rel)]
    if not odd:
        return None
    if darknet:
        return (
            f"{len(odd)} images written of no image extension YOLO trainers read ({odd[0]!r} first): Darknet finds "
            "no label file for them"
        )
    return (
        f"{len(odd)} images written that Ultralytics passes over ({odd[0]!r} first): of no image extension it "
        "reads, or hidden (a file or folder name starting with '.', which its glob skips), so it trains on none "
        "of their labels"
    )


def read_back_ids(dataset: Dataset, options: dict[str, Any]) -> list[str]:
    """The id a YOLO reader gives each item of the layout written (detect, segment, OBB, pose).

    Ultralytics: the image's path below ``images/<split>/`` without its extension (the label file's below
    ``labels/<split>/``); Darknet: the image's path in its list, ``obj_<split>_data/<name>``, without it. Then
    as any reader makes them unique (:func:`labelkit.formats.yolo_layout.unique_ids`): an image of a
    Ultralytics output is one a reader finds, placed (``media=copy`` or ``link``) or in the size side file.
    """
    files = item_files(dataset, options)
    default_split = str(options.get("split") or "train")
    items = dataset.table("items")
    splits = dataset.item_splits(default_split)
    image_rel, label_rel = files.image_rel, files.label_rel
    if str(options.get("layout") or "ultralytics") == "darknet":
        return unique_ids(
            list(splits),
            [without_extension(r) for r in image_rel],
            lambda k: PurePosixPath(image_rel[k]).suffix,
            image_rel.__getitem__,
        )
    keys = [r[len(s) + 8 : -4] for r, s in zip(label_rel, splits, strict=True)]  # (labels/<split>/<key>.txt)
    placed = str(options.get("media") or "none") != "none"

    def has_image(k: int) -> bool:  # (asked only of ids that clash)
        if placed and items["path"][k].as_py() and is_image(Path(image_rel[k])):
            return True
        return bool(items["width"][k].as_py()) and bool(items["height"][k].as_py())  # (in the size side file)

    return unique_ids(
        list(splits),
        keys,
        lambda k: PurePosixPath(image_rel[k]).suffix if has_image(k) else "",
        lambda k: image_rel[k] if has_image(k) else label_rel[k],
    )


@dataclass
class _SharedFiles:
    """Label files that the images of several items map to, their items, and the lines written for each.

    ``x.jpg`` and ``x.png`` of one folder both take ``x.txt``, as in Ultralytics.
    """

    members: dict[str, list[int]]
    lines: dict[str, bytes] = field(default_factory=dict)

    def written_before(self, rel: str, item: int, data: bytes, ids: list[str]) -> bool:
        """Whether the shared file ``rel`` was already written, with the same lines as ``item``'s.

        The first item's lines are written. Lines of images of other sizes were normalised by other numbers,
        so they may differ in the last bits: coordinates within 1e-9 of each other are the same.

        Raises:
            OutputError: the items sharing the file have different lines.
        """
        first = self.lines.get(rel)
        if first is None:
            self.lines[rel] = data
            return False
        if not _same_lines(first, data):
            raise OutputError(
                f"items {ids[self.members[rel][0]]!r} and {ids[item]!r} would share the label file {rel} with "
                "different lines",
                hint="give the items distinct image paths or splits",
            )
        return True


def refuse_differing_shared_files(dataset: Dataset, task: str, options: dict[str, Any]) -> None:
    """Refuse, when the conversion is planned, items that would share a label file with different lines.

    (:meth:`_SharedFiles.written_before` found them only while writing: a dry run and ``labelkit.plan`` passed
    ``dup.jpg`` and ``dup.png`` of other boxes, and the write then stopped.) Only the sharing items' lines are
    made, so a dataset of no shared label file costs one count of its label files.

    Raises:
        OutputError: as :meth:`_SharedFiles.written_before`.
    """
    files = item_files(dataset, options)
    ids = [str(v) for v in dataset.table("items")["id"].to_pylist()]
    shared = _shared_label_files(files.label_rel, files.image_rel, ids)
    if not shared.members:
        return
    cols = columns(dataset, task)
    usable = np.flatnonzero(written_rows(dataset, task, options))
    formatter = Lines(dataset, task, cols, precision_of(options), kpt_dims_of(dataset, options))
    order = usable[np.argsort(cols.item[usable], kind="stable")]  # (each item's rows together, in their order)
    sharing = [(rel, i) for rel, members in shared.members.items() for i in members]
    at = np.array([i for _, i in sharing], dtype=np.int64)
    item_of = cols.item[order]
    lo, hi = np.searchsorted(item_of, at, "left"), np.searchsorted(item_of, at, "right")
    bounds = np.concatenate([[0], np.cumsum(hi - lo)]).tolist()
    rows = np.concatenate([order[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True)])
    text, starts = formatter.text(rows)  # (one pass over the sharing items' rows: a pass each was quadratic)
    view = memoryview(text)
    for k, (rel, i) in enumerate(sharing):
        shared.written_before(rel, i, bytes(view[starts[bounds[k]] : starts[bounds[k + 1]]]), ids)


def _shared_label_files(label_rel: list[str], image_rel: list[str], ids: list[str]) -> _SharedFiles:
    """The label files several items map to.

    Raises:
        OutputError: two items would be the same image (and so one item when read back).
    """
    count = Counter(label_rel)
    members: dict[str, list[int]] = {rel: [] for rel, n in count.items() if n > 1}
    if members:
        for i, rel in enumerate(label_rel):
            if rel in members:
                members[rel].append(i)
    for rel, items in members.items():
        images: dict[str, int] = {}
        for i in items:
            if image_rel[i] in images:
                raise OutputError(
                    f"items {ids[images[image_rel[i]]]!r} and {ids[i]!r} would share the image {image_rel[i]} "
                    f"and the label file {rel}",
                    hint="give the items distinct image paths or splits",
                )
            images[image_rel[i]] = i
    return _SharedFiles(members)


def _same_lines(a: bytes, b: bytes) -> bool:
    """Whether two label files say the same: the same lines, classes and flags, coordinates within 1e-9."""
    if a == b:
        return True
    lines_a, lines_b = a.splitlines(), b.splitlines()
    if len(lines_a) != len(lines_b):
        return False
    for line_a, line_b in zip(lines_a, lines_b, strict=True):
        tokens_a, tokens_b = line_a.split(), line_b.split()
        if len(tokens_a) != len(tokens_b) or tokens_a[:1] != tokens_b[:1]:
            return False
        for x, y in zip(tokens_a[1:], tokens_b[1:], strict=True):
            if x != y and not abs(float(x) - float(y)) <= 1e-9:
                return False
    return True


def refuse_reserved_splits(splits: list[str], layout: str) -> None:
    """Raise before anything is written when a split would be a config key or a layout folder.

    Raises:
        OutputError: naming the split (its data.yaml or obj.data entry would replace that key, and its items
            would be lost on reading).
    """
    if layout == "darknet":  # obj.data lines are `key = value`, '#' starts a comment, and values are stripped
        odd = sorted(s for s in set(splits) if not DARKNET_SPLIT.fullmatch(s))
        if odd:
            raise OutputError(
                f"the split {odd[0]!r} cannot be an obj.data key",
                expected="letters, digits, '_', '-' and '.'",
                hint="rename the split, or write the Ultralytics layout",
            )
    reserved = sorted(set(splits) & RESERVED_SPLITS.get(layout, frozenset()))
    if reserved:
        where = "data.yaml key or folder" if layout == "ultralytics" else "obj.data key"
        raise OutputError(
            f"the split {reserved[0]!r} would be the {where} of that name",
            hint="rename the split",
        )


def refuse_unlistable(image_rel: list[str], ids: list[str]) -> None:
    """Raise before anything is written when an image path cannot be a line of a Darknet list file.

    A list holds one path per line, read with the line's surrounding whitespace dropped: a path with a line
    break would read back as two images, one with spaces around it as another file. Images and labels share
    ``obj_<split>_data/``, so an image named ``*.txt`` would be its own label file, which a reader then takes
    for the image and cannot read (on macOS and Windows ``*.TXT`` too: refused everywhere).

    Raises:
        OutputError: naming the item.
    """
    for rel, item_id in zip(image_rel, ids, strict=True):
        if rel.splitlines() != [rel] or rel.strip() != rel:
            raise OutputError(
                f"item {item_id!r}: its image path {rel!r} cannot be a line of a Darknet list",
                expected="no line break in the path, and no space at its end",
                hint="rename the image, or write the Ultralytics layout",
            )
        if rel[-4:].lower() == ".txt" and folded_name(rel) == folded_name(f"{without_extension(rel)}.txt"):
            raise OutputError(
                f"item {item_id!r}: its image path {rel!r} would be its own label file in the Darknet layout",
                expected="an image name not ending in .txt",
                hint="rename the image, or write the Ultralytics layout",
            )


def kpt_dims_of(dataset: Dataset, options: dict[str, Any]) -> int:
    """Pose: numbers per keypoint written, ``-o kpt_dims=`` or as read (``yolo:kpt_dims``), else 3."""
    value = options.get("kpt_dims") or dataset.info.extras.get("yolo:kpt_dims") or 3
    return 2 if str(value) == "2" else 3


def iter_label_files(path: Path) -> Iterator[Path]:
    """Every label file under a written YOLO folder, sorted by its path parts as text (for tests and tools).

    Not by ``sorted`` of the Paths, which Windows' Path compares ignoring case: ``a.txt`` came before ``B.txt`` there.
    """
    yield from sorted(path.rglob("*.txt"), key=by_parts)
