"""Writing YOLO classify folders (``<split>/<class>/<image>``), and what classify cannot hold.

A class is a folder, so an image is filed under its item's first label; every class that can be a folder
name gets one, empty when no image has it, so that a reader numbers the classes as written (in a split a
reader looks for, even when no image is written there).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from labelkit.errors import UsageError
from labelkit.formats.yolo_media import is_image, place_media
from labelkit.io import contained, is_plain_name
from labelkit.model import Dataset
from labelkit.portable import folded_name, windows_cannot_hold
from labelkit.report import Report

CLASSIFY_SPLITS = frozenset({"train", "val", "valid", "validation", "test"})
"""The split folders a YOLO classify reader looks for (it reads the others beside one of these); a flat folder's
sub-folders of these names are splits too (Roboflow's YOLO Darknet export)."""


def can_be_folder(name: str) -> bool:
    """Whether a class name can be a class folder's on every machine: a plain name Windows can hold too."""
    return is_plain_name(name) and not windows_cannot_hold(name)


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


def check_classify(dataset: Dataset, report: Report) -> None:
    """Report what YOLO classify cannot hold: a class per image, filed in its class folder."""
    labels = dataset.table("labels")
    items = dataset.table("items")
    first = labels.group_by("item_id", use_threads=False).aggregate([("category_id", "first")])
    unnamed = {c.id for c in dataset.categories if not can_be_folder(c.name)}
    folders, shared = class_folders(dataset)
    report.lose(
        "classes whose folder another class shares",
        len(shared),
        "YOLO classify's classes are folders, and names equal or differing only in case or Unicode normalisation "
        "are one folder on macOS and Windows: their images are filed in (and read back as) that class",
    )
    # every class that can be a folder name gets one (empty when no image has it): a reader numbers them so
    written = sorted(set(folders.values()))
    report.transform(
        "category ids",
        sum(1 for c in dataset.categories if c.id in folders and written.index(folders[c.id]) != c.id),
        "YOLO classify's classes are its folders: a reader numbers them 0, 1, ... in name order",
    )
    class_of = dict(zip(first["item_id"].to_pylist(), first["category_id_first"].to_pylist(), strict=True))
    known = {c.id for c in dataset.categories} - unnamed
    filed = [
        (split or "train", path)
        for item, split, path in zip(
            items["id"].to_pylist(), items["split"].to_pylist(), items["path"].to_pylist(), strict=True
        )
        if class_of.get(item) in known
    ]
    report.lose(
        "items without an image file",
        sum(1 for _, path in filed if not path),
        "YOLO classify files images in class folders: an item without one is in none",
    )
    report.lose(
        "images a YOLO classify reader does not take for images",
        sum(1 for _, path in filed if path and not is_image(Path(PurePosixPath(str(path).replace("\\", "/")).name))),
        "YOLO classify readers take images by their extension (.jpg, .png, ...)",
    )
    splits = {split for split, path in filed if path}
    if splits and not splits & CLASSIFY_SPLITS:
        report.lose(
            "items of splits a YOLO classify reader does not look for",
            sum(1 for _, path in filed if path),
            "a reader looks for train, val, valid, validation or test folders",
        )
    per_item = labels.group_by("item_id").aggregate([([], "count_all")])
    counts = dict(zip(per_item["item_id"].to_pylist(), per_item["count_all"].to_pylist(), strict=True))
    report.lose(
        "items without a label",
        sum(1 for i in items["id"].to_pylist() if i not in counts),
        "YOLO classify files each image under one class folder",
    )
    report.lose(
        "labels beyond the first of an item",
        sum(n - 1 for n in counts.values()),
        "YOLO classify holds one class per image",
    )
    report.lose(
        "images of classes that cannot be folder names",
        sum(1 for c in first["category_id_first"].to_pylist() if c in unnamed),
        "YOLO classify files each image in a folder named after its class ('..', '/', empty names cannot be, "
        "nor names Windows cannot create: CON, a?)",
    )


def classify_files(
    dataset: Dataset, ids: list[str], splits: list[str], paths: list[Any]
) -> tuple[list[str | None], list[int]]:
    """Where each item's image goes, ``<split>/<class folder>/<image name>`` (None for an item not filed).

    Not filed (the check reports them lost): items without a label of a class that can be a folder name,
    without an image path, or whose image a reader would pass over (not an image extension: the items of
    such images are returned too).
    """
    labels = dataset.table("labels")
    first: dict[str, int] = {}
    for item_id, category in zip(labels["item_id"].to_pylist(), labels["category_id"].to_pylist(), strict=True):
        first.setdefault(item_id, category)
    folders, _ = class_folders(dataset)
    files: list[str | None] = []
    not_images: list[int] = []
    for n, (item_id, split, source) in enumerate(zip(ids, splits, paths, strict=True)):
        category = first.get(item_id)
        if category is None or category not in folders or not source:
            files.append(None)
            continue
        name = PurePosixPath(str(source).replace("\\", "/")).name
        if is_image(Path(name)):
            files.append(f"{split}/{folders[category]}/{name}")
        else:
            files.append(None)
            not_images.append(n)
    return files, not_images


def write_classify(
    dataset: Dataset,
    path: Path,
    report: Report,
    ids: list[str],
    splits: list[str],
    paths: list[Any],
    media: str,
    media_root: Path | None,
    default_split: str = "train",
) -> None:
    """Copy or link each image into ``<split>/<class>/``, and make a folder for every class.

    When no image goes to a split a reader looks for (none has a label, or all are of other splits), every
    class still gets an empty folder in ``default_split`` (``train`` when a reader would not look there), so
    the output reads back as the classes, with no items.

    Raises:
        UsageError: without the images (``media=none`` or no ``media_root``).
    """
    if media == "none" or media_root is None:
        raise UsageError(
            "YOLO classify stores classes as image folders, so it needs the images",
            hint="add -o media=copy (or link) -o media_root=FOLDER",
        )
    folders, _ = class_folders(dataset)
    written = 0
    used: set[str] = set()
    targets, not_images = classify_files(dataset, ids, splits, paths)
    for n in not_images:  # (reported lost by the check: a reader would pass over them)
        contained(media_root, paths[n], source=media_root)  # (an unsafe path is refused all the same)
    for split, source, target in zip(splits, paths, targets, strict=True):
        if target is None:
            continue
        place_media(media_root, source, path / target, media)
        used.add(split)
        written += 1
    if not used & CLASSIFY_SPLITS:  # no image where a reader looks: the classes' empty folders, so they read back
        used.add(default_split if default_split in CLASSIFY_SPLITS else "train")
    for split in sorted(used):  # a class no image of the split has: an empty folder, so that the class is read
        for folder in sorted(set(folders.values())):
            (path / split / folder).mkdir(parents=True, exist_ok=True)
    report.written = {"items": written, "label annotations": written}
