"""Writing YOLO classify folders (``<split>/<class>/<image>``), and what classify cannot hold.

A class is a folder, so an image is filed under its item's first label; every class that can be a folder
name gets one, empty when no image has it, so that a reader numbers the classes as written (in a split a
reader looks for, even when no image is written there).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa

from labelkit.errors import OutputError, UsageError
from labelkit.formats.capability import RENUMBERED, renumbered
from labelkit.formats.yolo_config_files import missing_split_note
from labelkit.formats.yolo_layout import (
    APPLE_DOUBLE,
    IMAGE_DIRS,
    LABEL_DIRS,
    empty_splits_written,
    unique_ids,
    without_extension,
)
from labelkit.formats.yolo_media import (
    MediaRoot,
    media_source,
    place_media,
    placed_image_size,
    stays_inside,
)
from labelkit.io import contained, is_plain_name
from labelkit.model import Dataset
from labelkit.portable import folded_name, windows_cannot_hold
from labelkit.portable_lengths import name_too_long
from labelkit.report import Report

CLASSIFY_SPLITS = frozenset({"train", "val", "valid", "validation", "test"})
"""The split folders a YOLO classify reader looks for, as Ultralytics' ``check_cls_dataset`` does (no other, beside
these or not: its images are not read); a flat folder's sub-folders of these names are splits too (Roboflow's YOLO
Darknet export)."""

CLASSIFY_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
"""The image extensions a YOLO classify reader takes, compared case-insensitively.

Ultralytics lists a classify split's images with torchvision's ``ImageFolder``, whose extensions are ``.jpg``,
``.jpeg``, ``.png``, ``.ppm``, ``.bmp``, ``.pgm``, ``.tif``, ``.tiff`` and ``.webp``: not ``.dng``, ``.mpo``,
``.pfm``, ``.heic``, ``.avif`` nor ``.jp2``, which its detect reader takes. ``.ppm`` and ``.pgm`` it lists, and its
image check then drops (their format, PPM, is none of its image formats), as labelkit's readers take neither."""


def can_be_folder(name: str) -> bool:
    """Whether a class name can be a class folder's on every machine: a plain name Windows can hold, <= 255 bytes.

    (A longer one's empty folder stopped the write, ``File name too long``, after the plan had passed.)
    """
    return is_plain_name(name) and not windows_cannot_hold(name) and not name_too_long(name)


def class_folders(dataset: Dataset) -> tuple[dict[int, str], set[int]]:
    """The folder of each class that can be a folder name, and the classes filed in another class's folder.

    A class that cannot (``..``, ``a/b``; ``CON``, ``a?``, which Windows cannot create) has none: its images are
    reported lost by the check, and it gets no empty folder either.

    Names that are equal, or differ only in case or Unicode normalisation (``Cat`` and ``cat``), are one
    folder on macOS and Windows: on every machine, the class first in name order (then id) names it, and
    the others' images go in it.
    """
    plain = sorted((c for c in dataset.categories if can_be_folder(c.name)), key=lambda c: (c.name, c.id))
    owner: dict[str, tuple[int, str]] = {}
    folders: dict[int, str] = {}
    shared: set[int] = set()
    for c in plain:
        cid, name = owner.setdefault(folded_name(c.name), (c.id, c.name))
        folders[c.id] = name
        if cid != c.id:
            shared.add(c.id)
    return folders, shared


def _first_labels(dataset: Dataset, folders: dict[int, str]) -> tuple[dict[str, int], dict[str, int]]:
    """Each item's first label of a class that has a folder (its image's class), and each item's count of them.

    A label of no category, or of a class that cannot be a folder name, is passed over (the check reports it
    lost): the image is filed under the first label that can be.
    """
    labels = dataset.table("labels")
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for item_id, category in zip(labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), strict=True):
        if category in folders:
            first.setdefault(item_id, category)
            counts[item_id] = counts.get(item_id, 0) + 1
    return first, counts


def _image_name(source: Any) -> str:
    return PurePosixPath(str(source).replace("\\", "/")).name


def _below_class(source: Any, split: str, folder: str) -> str | None:
    """The path below its class folder of an image read from one, ``a/1.jpg`` of ``train/cat/a/1.jpg``, else None.

    A classify reader reads the images below a class folder too: filed by its name alone, ``train/cat/a/1.jpg``
    beside ``train/cat/b/1.jpg`` was one file, the second lost. Such a path (its first folder a split's name, the
    item's or one a reader looks for, its second the class's folder) keeps the folders below the class's; one
    naming no folder below (``..``) is filed by its name.
    """
    parts = str(source).replace("\\", "/").split("/")
    if len(parts) < 4 or parts[1] != folder or (parts[0] != split and parts[0] not in CLASSIFY_SPLITS):
        return None
    below = parts[2:]
    return "/".join(below) if all(p not in ("", ".", "..") for p in below) else None


def readable_image(name: str) -> bool:
    """Whether a YOLO classify reader takes a file so named for an image.

    By its extension, one of :data:`CLASSIFY_EXTENSIONS` (fewer than detect's: no ``.dng``, ``.heic``, ...), and not
    a macOS resource fork (``._a.jpg``), which readers pass over.
    """
    return PurePosixPath(name).suffix.lower() in CLASSIFY_EXTENSIONS and not name.startswith(APPLE_DOUBLE)


def require_media(media: str, media_root: object) -> None:
    """Refuse to write YOLO classify without the images (a plan refuses it too, as the write would).

    Raises:
        UsageError: ``media`` is ``none``, or no ``media_root`` is given.
    """
    if media == "none" or not media_root:
        raise UsageError(
            "YOLO classify stores classes as image folders, so it needs the images",
            hint="add -o media=copy (or link) -o media_root=FOLDER",
        )


def check_classify(dataset: Dataset, report: Report, default_split: str = "train") -> None:
    """Report what YOLO classify cannot hold: a class per image, filed in its class folder.

    Raises:
        OutputError: no reader would read the output: no class can be a folder name (the output would be an
            empty folder), or, with no image where a reader looks, a class folder is named as a YOLO images or
            labels folder (the empty class folders would read as a YOLO layout of no files).
    """
    labels = dataset.table("labels")
    items = dataset.table("items")
    unnamed = {c.id for c in dataset.categories if not can_be_folder(c.name)}
    folders, shared = class_folders(dataset)
    if not folders:
        raise OutputError(
            "YOLO classify would write no class folder, and a folder without one is read by no reader: "
            + (
                f"no category name can be a folder name ({', '.join(ascii(c.name) for c in dataset.categories[:3])}"
                f"{', ...' if len(dataset.categories) > 3 else ''})"
                if dataset.categories
                else "the dataset has no categories"
            ),
            hint="YOLO classify's classes are folders: name the categories (not empty, '.', '..', nor holding '/' "
            "or what Windows cannot create: CON, a?)",
        )
    report.lose(
        "classes that cannot be folder names",
        len(unnamed),
        "YOLO classify's classes are folders ('..', '/', empty names cannot be, nor names Windows cannot create: "
        "CON, a?, nor names of over 255 bytes): they are not written",
    )
    report.lose(
        "classes whose folder another class shares",
        len(shared),
        "YOLO classify's classes are folders, and names equal or differing only in case or Unicode normalisation "
        "are one folder on macOS and Windows: their images are filed in (and read back as) that class",
    )
    # every class that can be a folder name gets one (empty when no image has it): a reader numbers them so
    written = sorted(set(folders.values()))
    number = {name: n for n, name in enumerate(written)}  # (a dict: a list's index() per class was quadratic)
    report.transform(
        "category ids",
        sum(1 for c in dataset.categories if c.id in folders and number[folders[c.id]] != c.id),
        "YOLO classify's classes are its folders: a reader numbers them 0, 1, ... in name order",
    )
    categories = labels["category_id"].to_pylist()
    report.lose(
        "labels of classes that cannot be folder names",
        sum(1 for c in categories if c in unnamed),
        "YOLO classify files each image in its class's folder, and their class has none: an image is filed under "
        "its first label whose class has one",
    )
    report.lose(
        "labels without a category", sum(1 for c in categories if c is None), "YOLO classify files images by class"
    )
    first, counts = _first_labels(dataset, folders)
    ids = items["id"].to_pylist()
    labelled = set(labels["item_id"].to_pylist())
    report.lose(
        "items without a label",
        sum(1 for i in ids if i not in labelled),
        "YOLO classify files each image under one class folder",
    )
    report.lose(
        "items whose every label is lost",
        sum(1 for i in ids if i in labelled and i not in first),
        "their labels are of no category or of classes that cannot be folder names: YOLO classify files each "
        "image under its class's folder, and they have none",
    )
    report.lose(
        "labels beyond the first of an item",
        sum(n - 1 for n in counts.values()),
        "YOLO classify holds one class per image",
    )
    filed = [
        (split or default_split, path)
        for item, split, path in zip(ids, items["split"].to_pylist(), items["path"].to_pylist(), strict=True)
        if item in first
    ]
    report.lose(
        "items without an image file",
        sum(1 for _, path in filed if not path),
        "YOLO classify files images in class folders: an item without one is in none",
    )
    readable = [bool(path) and readable_image(_image_name(path)) for _, path in filed]
    report.lose(
        "images a YOLO classify reader does not take for images",
        sum(1 for (_, path), ok in zip(filed, readable, strict=True) if path and not ok),
        "YOLO classify readers take images by their extension, .jpg, .jpeg, .png, .bmp, .tif, .tiff or .webp "
        "(Ultralytics lists them with torchvision's ImageFolder: not .dng, .mpo, .heic, ..., which detect reads), "
        "and pass over macOS resource forks (._a.jpg)",
    )
    splits = [split for (split, _), ok in zip(filed, readable, strict=True) if ok]  # (those written)
    report.lose(  # (each item lost once: not those lost above)
        "items of splits a YOLO classify reader does not look for",
        sum(1 for s in splits if s not in CLASSIFY_SPLITS),
        "a reader looks for train, val, valid, validation or test folders",
    )
    if splits and set(splits) & CLASSIFY_SPLITS:  # (read back: every filed image)
        _report_read_back(dataset, report, default_split)
    empty = empty_splits_written(dataset, dataset.item_splits(default_split), "ultralytics")
    read = {s for s in [*splits, *empty] if s in CLASSIFY_SPLITS}  # (the split folders written that a reader reads)
    for note in classify_split_notes(read or {default_split if default_split in CLASSIFY_SPLITS else "train"}):
        report.note(note)
    layout_dirs = [f for f in written if f in (*IMAGE_DIRS, *LABEL_DIRS)]
    if layout_dirs and not set(splits) & CLASSIFY_SPLITS:
        raise OutputError(
            "YOLO classify would write no image where a reader looks (train, val, valid, validation or test), so "
            f"its empty class folders would be its classes, and a class folder named {ascii(layout_dirs[0])} makes "
            "them a YOLO layout without files, which no reader reads",
            hint="rename that category, or write images to a train, val, valid, validation or test split",
        )


def classify_split_notes(written: AbstractSet[str]) -> list[str]:
    """The notes on the split folders a YOLO classify output lacks, worded as the other tasks' (``split_notes``).

    ``written``: the split folders written that a reader reads. Ultralytics' ``check_cls_dataset`` needs
    ``train/``, and validates on ``val/``, else ``validation/``, else ``valid/``, else ``test/``: no other (a
    ``val2017/`` beside ``train/`` is none, and its images are reported lost).
    """
    notes = []
    if "train" not in written:
        notes.append(missing_split_note("train", "no train/ folder is written", "Ultralytics requires train"))
    if not written & {"val", "validation", "valid"}:
        needs = "Ultralytics validates on test/ then" if "test" in written else "Ultralytics requires val"
        notes.append(missing_split_note("val", "no val/, validation/ or valid/ folder is written", needs))
    return notes


def _report_read_back(dataset: Dataset, report: Report, default_split: str) -> None:
    """Report the filed items that read back with another id, or in the default split (they had none)."""
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    given = items["split"].to_pylist()
    splits = [s or default_split for s in given]
    targets = classify_files(dataset, ids, splits, items["path"].to_pylist())[0]
    filed = [n for n, t in enumerate(targets) if t is not None and splits[n] in CLASSIFY_SPLITS]  # (those read)
    files = [targets[n] or "" for n in filed]  # <split>/<class>/<name>
    names = [f.split("/", 2)[2] for f in files]
    read = unique_ids(
        [f.partition("/")[0] for f in files],
        [without_extension(name) for name in names],
        lambda k: PurePosixPath(names[k]).suffix,
        files.__getitem__,
    )
    report.transform(
        "item ids",
        sum(ids[n] != i for n, i in zip(filed, read, strict=True)),
        "YOLO classify names items after their image files: a reader takes the name in its class folder without "
        "the extension, with the split in front where two splits hold one name",
    )
    rank = np.zeros(len(ids), dtype=np.int64)  # (a reader lists the files by path: split, class folder, name)
    rank[[filed[k] for k in sorted(range(len(files)), key=lambda k: files[k].split("/"))]] = np.arange(len(files))
    rows = np.array(filed_labels(dataset, {ids[n] for n in filed}), dtype=bool)  # (an item's filed label alone)
    report.transform(
        "label ids", renumbered(dataset, "labels", rank, rows=rows), RENUMBERED.format(target="YOLO classify")
    )
    paths = items["path"].to_pylist()
    report.transform(
        "image paths",
        sum(1 for n, f in zip(filed, files, strict=True) if f not in (paths[n], f.rsplit("/", 1)[0] + f"/{paths[n]}")),
        "YOLO classify files each image in its class's folder, by its name: it reads back as <split>/<class>/<name> "
        "('x/a.jpg' as 'train/cat/a.jpg'; 'a.jpg' in its folder as it is)",
    )
    report.transform(
        "item splits",
        sum(1 for n in filed if not given[n]),
        f"items without a split are written to {default_split!r} (the -o split option), and read back in it",
    )


def classify_files(
    dataset: Dataset, ids: list[str], splits: list[str], paths: list[Any]
) -> tuple[list[str | None], list[int]]:
    """Where each item's image goes, ``<split>/<class folder>/<image name>`` (None for an item not filed).

    Not filed (the check reports them lost): items without a label of a class that can be a folder name,
    without an image path, or whose image a reader would pass over (:func:`readable_image`: the items of
    such images are returned too).
    """
    folders, _ = class_folders(dataset)
    first, _ = _first_labels(dataset, folders)
    files: list[str | None] = []
    not_images: list[int] = []
    for n, (item_id, split, source) in enumerate(zip(ids, splits, paths, strict=True)):
        category = first.get(item_id)
        if category is None or not source:
            files.append(None)
            continue
        name = _image_name(source)
        if readable_image(name):
            files.append(f"{split}/{folders[category]}/{_below_class(source, split, folders[category]) or name}")
        else:
            files.append(None)
            not_images.append(n)
    return files, not_images


def filed_labels(dataset: Dataset, filed: AbstractSet[str]) -> list[bool]:
    """Per label row, whether it is written: the first label of a class with a folder of an item ``filed``."""
    first, _ = _first_labels(dataset, class_folders(dataset)[0])
    labels = dataset.table("labels")
    seen: set[str] = set()
    keep: list[bool] = []
    for item_id, category in zip(labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), strict=True):
        written = item_id in filed and item_id not in seen and first.get(item_id) == category
        if written:
            seen.add(item_id)
        keep.append(written)
    return keep


def filed_only(dataset: Dataset, default_split: str = "train") -> Dataset:
    """The dataset of what YOLO classify writes: filed items where a reader reads them, labels filed, own classes.

    The check counts what these lose (item metadata and groups, a label's score or attributes, a class's keypoint
    names) on it: the items, labels and classes it reports lost whole (items without a label, labels beyond an
    item's first, classes that cannot be folder names, ...) are not counted again for a field they carried, as
    they were. The other tables are kept (their annotations are lost whole).
    """
    items = dataset.table("items")
    ids = [str(v) for v in items["id"].to_pylist()]
    splits = dataset.item_splits(default_split)
    targets = classify_files(dataset, ids, splits, items["path"].to_pylist())[0]
    # (an image where no reader looks, val2017/ beside train/ or every one: the check reports it lost)
    filed = [t is not None and s in CLASSIFY_SPLITS for s, t in zip(splits, targets, strict=True)]
    folders, shared = class_folders(dataset)
    keep = filed_labels(dataset, {i for i, f in zip(ids, filed, strict=True) if f})
    labels = dataset.table("labels")
    # (a class without a folder of its own is lost whole, as a class that cannot be a folder name or whose folder
    # another class shares: its fields are not counted again)
    classes = [c for c in dataset.categories if c.id in folders and c.id not in shared]
    if all(filed) and all(keep) and len(classes) == len(dataset.categories):
        return dataset
    tables = {
        **dataset.tables(),
        "items": items.filter(pa.array(filed, pa.bool_())),
        "labels": labels.filter(pa.array(keep, pa.bool_())),
    }
    return Dataset.from_tables(tables, classes, dataset.info)


def check_classify_media(dataset: Dataset, media_root: MediaRoot) -> int:
    """Refuse what :func:`write_classify` would, so that a plan does (a dry run passed, the write refused).

    An image it copies or links missing from ``media_root`` or leading out of it, or, read where a reader looks,
    one whose header cannot be read.

    (A path leaving ``media_root`` is refused naming its item before writing: see :func:`labelkit.api.save`.)

    Returns:
        How many items a reader reads at another size than theirs, their image file's (the write reported them,
        a plan and a dry run did not).

    Raises:
        InputError: naming the image in ``media_root``, the first in the write's order.
    """
    items = dataset.table("items")
    splits = [s or media_root.default_split for s in items["split"].to_pylist()]
    paths = items["path"].to_pylist()
    ids = [str(v) for v in items["id"].to_pylist()]
    targets, _ = classify_files(dataset, ids, splits, paths)
    widths, heights = items["width"].to_pylist(), items["height"].to_pylist()
    resized = 0
    for item, source, target, split, w, h in zip(ids, paths, targets, splits, widths, heights, strict=True):
        if target is not None and stays_inside(source):
            file = media_source(media_root.of(split, item), source, media_root.bound)[0]
            if split in CLASSIFY_SPLITS:  # (a reader takes each image's size from its file: classify holds none)
                size = placed_image_size(file, file)
                resized += w is not None and h is not None and size != (w, h)
    return resized


def write_classify(
    dataset: Dataset,
    path: Path,
    report: Report,
    ids: list[str],
    splits: list[str],
    paths: list[Any],
    media: str,
    media_root: MediaRoot | None,
    default_split: str = "train",
) -> None:
    """Copy or link each image into ``<split>/<class>/``, and make a folder for every class.

    When no image goes to a split a reader looks for (none has a label, or all are of other splits), every
    class still gets an empty folder in ``default_split`` (``train`` when a reader would not look there), so
    the output reads back as the classes, with no items.

    A reader takes each image's size from its file (classify holds none): an item of another size is reported
    transformed, and an image whose header cannot be read is refused.

    Raises:
        UsageError: without the images (``media=none`` or no ``media_root``).
        InputError: an image a reader reads whose header cannot be read, naming it in ``media_root``.
    """
    require_media(media, media_root)
    assert media_root is not None
    folders, _ = class_folders(dataset)
    written = 0
    used: set[str] = set()
    targets, not_images = classify_files(dataset, ids, splits, paths)
    for n in not_images:  # (reported lost by the check: a reader would pass over them)
        images = media_root.of(splits[n], ids[n])
        contained(images, paths[n], source=images)  # (an unsafe path is refused all the same)
    for item, split, source, target in zip(ids, splits, paths, targets, strict=True):
        if target is None:
            continue
        placed = place_media(media_root.of(split, item), source, path / target, media, media_root.bound)
        used.add(split)
        if split in CLASSIFY_SPLITS:  # (val2017/ beside train/ is not read: the check reports its images lost)
            written += 1  # a reader takes each image's size from its file (classify holds none): it must be
            placed_image_size(path / target, placed)  # readable (the check reported the sizes it differs from)
    if not used & CLASSIFY_SPLITS:  # no image where a reader looks: the classes' empty folders, so they read back
        written = 0  # (and the images written elsewhere are not read: the check reports them lost)
        used.add(default_split if default_split in CLASSIFY_SPLITS else "train")
    # (split folders read without an image, test/ of empty class folders: made again, as a reader reads them)
    used |= {s for s in empty_splits_written(dataset, splits, "ultralytics") if s in CLASSIFY_SPLITS}
    for split in sorted(used):  # a class no image of the split has: an empty folder, so that the class is read
        for folder in sorted(set(folders.values())):
            (path / split / folder).mkdir(parents=True, exist_ok=True)
    report.written = {"items": written, "label annotations": written}
