"""Files of a Pascal VOC folder that a reader passes over or cannot pair, and what its read notes say of them.

macOS leaves a resource fork (AppleDouble: ``._a.xml``, ``._a.png``) beside each file it copies to a foreign
disk or zips: none is an annotation, list or segmentation PNG, so they are passed over, as YOLO's reader passes
them over (and so an item whose XML would be named so, id ``._a``, is not written: it would not read back).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from labelkit.errors import InputError
from labelkit.formats.yolo_layout import APPLE_DOUBLE
from labelkit.io import FOLDER_LINKED_OUT, LINK_LEADING_OUT, Inside, read_file
from labelkit.model import Dataset
from labelkit.portable import by_parts, dropped_forks


def read_inside(path: str | Path, inside: Inside | None, hint: str) -> bytes:
    """A file's bytes; a link leading out of the dataset refused, as ``voc._refuse_linked_out`` refuses it.

    The link is told by opening the file (``read_file``), not by a stat of each file before it is read.

    Raises:
        InputError: naming the file: a link leading out (with ``hint``), or why else it cannot be read (a FIFO).
    """
    try:
        return read_file(path, inside=inside)
    except OSError as exc:
        linked = exc.strerror in (FOLDER_LINKED_OUT, LINK_LEADING_OUT)
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path, hint=hint if linked else None) from exc


def first_xml_below(folder: Path, is_xml: Callable[[str], bool]) -> Path | None:
    """The first annotation file below ``folder`` by name, a folder's files before its subfolders' (None: none).

    For detection, when ``Annotations/`` holds no XML of its own (``Annotations/2007/a.xml``, as writing VOC names
    the items of images below ``JPEGImages/``): such a folder was no format's. Links to folders are not followed,
    macOS resource forks (``._a.xml``) are passed over, and a folder that cannot be listed is passed over too (the
    reader names it). Folder by folder, without recursion: a tree of any depth is walked.
    """
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as entries:
                listed = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
        except OSError:
            continue
        first = min((n for n, d in listed if not d and is_xml(n) and not is_fork(n)), default=None)
        if first is not None:
            return current / first
        stack += [current / n for n in sorted((n for n, d in listed if d), reverse=True)]
    return None


def is_fork(name: str) -> bool:
    """Whether a file name is a macOS resource fork's (``._a.xml``)."""
    return name.startswith(APPLE_DOUBLE)


def without_forks(found: list[str], folder: Path, root: Path, forks: list[str]) -> list[str]:
    """``found`` (paths below ``folder``, ``/``-separated) without macOS resource forks, each added to ``forks``.

    ``forks`` takes them as paths below ``root``, for :func:`forks_note`. The paths come sorted by their parts'
    text, as Linux and macOS sort Paths: ``sorted`` of Paths, which Windows' Path compares ignoring case, read
    ``a.xml`` before ``B.xml`` there, and so named another file's error first.
    """
    kept = sorted((f for f in found if not is_fork(f.rpartition("/")[2])), key=lambda f: f.split("/"))
    if len(kept) < len(found):
        forks += [(folder / f).relative_to(root).as_posix() for f in found if is_fork(f.rpartition("/")[2])]
    return kept


def forks_note(forks: list[str]) -> str | None:
    """The read note of the macOS resource forks passed over (None when there are none)."""
    if not forks:
        return None
    return (
        f"{len(forks):,} macOS resource forks (files named ._*, which macOS leaves beside the files it zips or "
        f"copies; {min(forks)} first) were passed over: they are no annotation, list or segmentation PNG"
    )


def case_twins_note(xml_ids: list[str], png_keys: dict[str, dict[str, Path]], root: Path) -> str | None:
    """The read note of segmentation PNGs whose name differs from an annotation XML's only in case (None: none).

    VOC pairs an image's files by exact name: on Linux ``SegmentationObject/img_1.png`` is not
    ``Annotations/IMG_1.xml``'s (on macOS and Windows, one file name), so the two are read as two items.
    """
    ids = set(xml_ids)
    by_fold: dict[str, str] = {}
    for item_id in sorted(ids):
        by_fold.setdefault(item_id.casefold(), item_id)
    twins = sorted((key, by_fold[key.casefold()]) for key in png_keys if key not in ids and key.casefold() in by_fold)
    if not twins:
        return None
    key, item_id = twins[0]
    png = min(png_keys[key].values(), key=by_parts).relative_to(root).as_posix()
    return (
        f"{len(twins):,} images' segmentation PNGs are named as an annotation XML only in another case ({png} "
        f"beside Annotations/{item_id}.xml first): VOC pairs an image's files by exact name, so each was read as "
        "an item of its own, its masks not the XML objects'; rename one of them to pair them"
    )


def without_fork_items(
    dataset: Dataset, files: list[str], splits: list[str]
) -> tuple[Dataset, list[tuple[str, int, str]]]:
    """The dataset without the items whose files a reader passes over, and the losses.

    ``files`` are the items' files below ``Annotations/``, ``splits`` their splits (of the lists
    ``ImageSets/Main/<split>.txt``); a name starting with ``._`` is a macOS resource fork's, which VOC's reader
    (like YOLO's) passes over: an XML (with its segmentation PNGs, named alike), or a split list.
    """
    named = [
        f"Annotations/{f}.xml" if is_fork(f.rpartition("/")[2]) else f"ImageSets/Main/{s}.txt" if is_fork(s) else ""
        for f, s in zip(files, splits, strict=True)
    ]
    return dropped_forks(dataset, [n for n, name in enumerate(named) if name], named, "VOC")
