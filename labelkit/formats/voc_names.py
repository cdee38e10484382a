"""The names a Pascal VOC folder gives an item: its files (XML, ImageSets lines, PNGs) and its image's.

VOC's loaders (the devkit, torchvision's ``VOCDetection``, mmdetection's ``VOCDataset``) take an image's id for
its file stem: they list ids in ``ImageSets/Main/<split>.txt`` and open ``Annotations/<id>.xml`` and
``JPEGImages/<id>.jpg``, never reading ``<filename>``. So an item read from another format, whose id is not its
image's (COCO's image id ``5`` of ``a.jpg``), is named after its image's base name without its extension
(``a``), when VOC can hold that name and no other item's name is the same, even in another case or Unicode
normalisation; else after its id, as before. A dataset read from VOC keeps its ids (:data:`KEEP_IDS`). The
``<filename>`` of an item's image is its base name, or its item's where another image has that name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError, OutputError
from labelkit.formats import voc_xml
from labelkit.formats.derived import cached
from labelkit.formats.voc_lists import listable
from labelkit.formats.voc_xml import file_name
from labelkit.formats.yolo_layout import without_extension
from labelkit.formats.yolo_media import SPLIT_FIELD, read_splits_of
from labelkit.io import is_plain_relpath, safe_relpath
from labelkit.model import Dataset
from labelkit.portable import folded_name, folded_names, plain_relpaths, windows_cannot_hold
from labelkit.portable_lengths import MAX_NAME_BYTES

KEEP_IDS = "voc:@ids"
"""The dataset info extra (``true``) of a dataset read from VOC whose XML names are not all its images' stems:
writing VOC names its items after their ids, as read (a reader's bookkeeping: no other format reports it)."""

EMPTY_SPLITS = "voc:@empty_splits"
"""The dataset info extra of a dataset read from VOC with split lists naming no image (``ImageSets/Main/test.txt``
empty): their splits, which writing VOC writes back empty (a reader's bookkeeping: no other format reports it)."""

STEM_REASON = (
    "VOC's loaders (torchvision, mmdetection) open Annotations/<id>.xml and JPEGImages/<id>.jpg: an item is named "
    "after its image's file name without extension ('a.jpg' as 'a'), and reads back with that id, unless another "
    "item's name is the same (in any case) or VOC cannot hold it"
)
"""The reason of the ``item ids`` transformation for the items named after their images."""

_SIMPLE = r"^[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*$"
"""A name VOC holds on every machine when it is no Windows device (:data:`_DEVICE`) and not too long: ASCII
letters, digits, ``_``, ``+``, ``-``, and dots between them."""
_DEVICE = r"^(?i:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(?:\..*)?$"
"""An ASCII name of :data:`_SIMPLE` that Windows takes for a device (``con``, ``Com1.x``)."""
_SIMPLE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_./+\-]*$"
"""An id that is an ImageSets line (:func:`voc_lists.listable`), told in bulk: no whitespace, ``#`` or BOM."""
_LONGEST = MAX_NAME_BYTES - len(".xml")


def image_stems(paths: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Each image path's base name without its extension (null for a null path), a column at a time.

    What is after the last ``/``, without its extension as YOLO's label names take it
    (:func:`~labelkit.formats.yolo_layout.without_extension`: ``.jpg`` is its own stem).

    >>> image_stems(pa.array(["a.jpg", "train2017/9.jpg", "x/a.b.png", ".jpg", "n", None])).to_pylist()
    ['a', '9', 'a.b', '.jpg', 'n', None]
    """
    # (one pass takes the folders and the extension off; a name of one leading dot, '.jpg', is left empty)
    stems = pc.replace_substring_regex(paths, r"^.*/|\.[^./]*$", "")
    empty = np.flatnonzero(np.asarray(pc.fill_null(pc.equal(stems, ""), False).to_numpy(zero_copy_only=False)))
    if not len(empty):
        return stems
    names = stems.to_pylist()
    for n in empty.tolist():
        names[n] = without_extension(str(paths[n].as_py()).rpartition("/")[2])
    return pa.array(names, pa.string())


def image_names(paths: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Each image's stem (:func:`image_stems`), with its folders below ``JPEGImages/`` (null for a null path).

    An image below ``JPEGImages/`` is written where it is (its ``<filename>`` is its path below it), so a loader
    opening ``JPEGImages/<id>.jpg`` finds ``JPEGImages/sub/a.jpg`` by the name ``sub/a``, not ``a``; an image
    elsewhere is written to ``JPEGImages/`` by its base name.

    >>> image_names(pa.array(["JPEGImages/sub/a.jpg", "JPEGImages/b.png", "sub/c.jpg", None])).to_pylist()
    ['sub/a', 'b', 'c', None]
    """
    stems = image_stems(paths)
    nested = pc.fill_null(pc.match_substring_regex(paths, r"^JPEGImages/.+/"), False)
    rows = np.flatnonzero(np.asarray(nested.to_numpy(zero_copy_only=False), dtype=bool))
    if not len(rows):
        return stems
    names = stems.to_pylist()
    for n in rows.tolist():
        below = file_name(str(paths[n].as_py()), "")  # (the <filename> the writer writes: a safe path, or the base)
        if "/" in below and names[n] is not None:
            names[n] = f"{below.rpartition('/')[0]}/{names[n]}"
    return pa.array(names, pa.string())


def stem_ok(stem: str) -> bool:
    r"""Whether VOC can hold an item named ``stem`` on every machine (the check of an odd name, one at a time).

    One plain part (no ``/``, ``\``, drive, NUL), no leading dot (``.``, ``..``, a hidden file, or a macOS
    resource fork, ``._a``), one word (an ImageSets line), not starting a comment or with a byte-order mark, a
    name Windows can hold, and not too long with ``.xml``.

    >>> [stem_ok(s) for s in ("a", "caf\u00e9", "a b", ".a", "con", "a:b", "#a", "a.")]
    [True, True, False, False, False, False, False, False]
    """
    return (
        bool(stem)
        and is_plain_relpath(stem)
        and "/" not in stem
        and not stem.startswith((".", "#", "\ufeff"))
        and stem.split() == [stem]
        and not windows_cannot_hold(stem)
        and len(stem.encode("utf-8", "surrogatepass")) <= _LONGEST
    )


def stem_names(ids: pa.ChunkedArray, id_files: list[str | None], paths: pa.ChunkedArray) -> list[str | None]:
    """Per item, the name it is given after its image (:func:`image_stems`), or None: named after its id.

    Args:
        ids: the items' ids.
        id_files: each item's file named after its id (None: its id names no file).
        paths: the items' image paths.

    An item is named after its image when it has one, its id is an ImageSets line (:func:`voc_lists.listable`:
    one word, else the item is not listed), its stem is not its id's file, VOC can hold the stem
    (:func:`stem_ok`; told in bulk for plain ASCII names), and the stem, folded as macOS and Windows compare
    names (:func:`labelkit.portable.folded_name`), is no other item's stem or id's file, nor (with ``.xml`` or
    ``.png``) a folder of one (id ``a.xml/b``). Items whose stems are alike all keep their ids: which one is
    named after its image depends on no order.
    """
    plain_ids = pc.fill_null(pc.match_substring_regex(ids, _SIMPLE_ID), False)
    stems = image_names(paths)
    differs = pc.fill_null(pc.not_equal(stems, pa.array(id_files, pa.string())), True)
    wanted = np.asarray(pc.and_(pc.is_valid(stems), differs).to_numpy(zero_copy_only=False), dtype=bool)
    # (an id that is no ImageSets line is not listed, and so found by no loader, whatever its name: kept)
    odd_ids = np.flatnonzero(wanted & ~np.asarray(plain_ids.to_numpy(zero_copy_only=False), dtype=bool))
    if len(odd_ids):
        id_list = ids.take(pa.array(odd_ids)).to_pylist()
        wanted[odd_ids] = [listable(str(i)) for i in id_list]
    rows = np.flatnonzero(wanted)
    if not len(rows):
        return [None] * len(id_files)
    taken = stems.take(pa.array(rows))
    simple = pc.and_(
        pc.and_(pc.match_substring_regex(taken, _SIMPLE), pc.invert(pc.match_substring_regex(taken, _DEVICE))),
        pc.less_equal(pc.binary_length(taken), _LONGEST),
    )
    candidates = taken.to_pylist()
    ok = np.asarray(simple.to_numpy(zero_copy_only=False), dtype=bool)
    for k in np.flatnonzero(~ok).tolist():  # (the odd names, one at a time; one below JPEGImages/ part by part)
        ok[k] = all(map(stem_ok, candidates[k].split("/")))
    rows, candidates = rows[ok], [s for s, keep in zip(candidates, ok.tolist(), strict=True) if keep]
    if not candidates:
        return [None] * len(id_files)
    folded = folded_names(candidates)
    file_folds = folded_names(files) if (files := [f for f in id_files if f is not None]) else []
    file_keys = set(file_folds)
    twice = {k for k, c in Counter(file_folds).items() if c > 1} if len(file_keys) < len(file_folds) else set()
    alike = {k for k, c in Counter(folded).items() if c > 1} if len(set(folded)) < len(folded) else set()
    tops = [f.partition("/")[0] for f in [*files, *candidates] if "/" in f]
    folders = set(folded_names(tops)) if tops else set()
    if not alike and not folders and file_keys.isdisjoint(folded):  # (the usual case: every candidate named so)
        named = np.full(len(id_files), None, dtype=object)
        named[rows] = candidates
        return list(named.tolist())
    out: list[str | None] = [None] * len(id_files)
    for n, stem, key in zip(rows.tolist(), candidates, folded, strict=True):
        if key in alike or (folders and (f"{key}.xml" in folders or f"{key}.png" in folders)):
            continue
        if key in file_keys:  # (another item's id file, unless the item's own alone)
            mine = id_files[n]
            if mine is None or key in twice or folded_name(mine) != key:
                continue
        out[n] = stem
    return out


def image_file_names(dataset: Dataset, per_split: bool = False, media: str = "none") -> tuple[list[str], int]:
    """Each item's ``<filename>`` and how many were renamed (:func:`voc_xml.image_names`).

    ``per_split``: the images are found in a folder per split (``media_root`` of ``{split}``), so one path in two
    splits is two images. Otherwise an image of VOC's ``JPEGImages/``, which every split shares, is one image
    whatever the split (two XMLs of two splits naming one were given two images, each named after its item).
    ``media``: the ``media`` option; where images are placed (:func:`renames_by_id`), an item keeping its id gets
    its image named after it. Cached while the dataset is unchanged: check() counts them, write() writes them.
    """
    items = dataset.table("items")
    # (an image's split: the one it was read from, in labelkit split, whose media_root's {split} finds it there)
    paths = items["path"]
    splits = read_splits_of([str(i) for i in items["id"].to_pylist()], items["split"].to_pylist())
    if not per_split:
        shared = pc.starts_with(paths, "JPEGImages/").fill_null(False).to_pylist()
        splits = [None if on else s for s, on in zip(splits, shared, strict=True)]
    by_id = renames_by_id(dataset, media)
    return cached(
        dataset,
        f"voc:image_names:{per_split}:{by_id}",
        lambda: voc_xml.image_names(paths.to_pylist(), item_files(dataset), _bare(paths), splits, by_id),
    )


def renames_by_id(dataset: Dataset, media: str) -> bool:
    """Whether an item keeping its id gets its image named after it (:func:`voc_xml.image_names`' ``by_id``).

    Only where the writer places the images (``media`` of ``copy`` or ``link``), under names the loaders open:
    without them (``media=none``) the ``<filename>`` is all that says which image an item's labels are of, and
    it stays the image's own name. Not for a dataset read from VOC (:data:`KEEP_IDS`), whose names stay as read.
    """
    return media != "none" and dataset.info.extras.get(KEEP_IDS) is not True


def images_per_split(options: dict[str, Any]) -> bool:
    """Whether ``-o media_root`` finds each split's images in a folder of their own (``{split}`` in it)."""
    return SPLIT_FIELD in str(options.get("media_root") or "")


def read_back_paths(dataset: Dataset, per_split: bool = False, media: str = "none") -> list[str | None]:
    """Each item's image path as a VOC reader takes it from what VOC's writer writes: ``JPEGImages/<filename>``.

    ``v0/a.jpg`` is ``JPEGImages/a.jpg``, or ``JPEGImages/7.jpg`` where another item's image has that name (see
    :func:`image_file_names`); a reader takes a backslash for a slash. None where the writer writes no
    ``<filename>``: an item of no image path (it was given ``JPEGImages/<id>.jpg``, a path no reader gives it),
    or of a name starting or ending with whitespace (:func:`voc_xml.stripped`), unless a reader finds the image
    placed (``media``) by the item's file name.
    """
    from labelkit.formats.voc_renames import found_by_id

    names = image_file_names(dataset, per_split, media)[0]
    paths = dataset.table("items")["path"].to_pylist()
    out: list[str | None] = []
    for path, name, file in zip(paths, names, item_files(dataset), strict=True):
        if not path or (voc_xml.stripped(name) and not (media != "none" and found_by_id(name, file))):
            out.append(None)
        else:
            out.append("JPEGImages/" + name.replace("\\", "/"))
    return out


def _bare(paths: pa.ChunkedArray) -> list[bool]:
    """Per path, whether it is a plain file name alone (of one part), which ``voc_xml.file_name`` keeps as it is."""
    bare: list[bool] = plain_relpaths(paths, unless="/").fill_null(False).to_pylist()
    return bare


def item_files(dataset: Dataset) -> list[str]:
    r"""Each item's file below ``Annotations/``, without ``.xml`` (``writable`` finds them, ``write`` reuses them).

    An item from another format than VOC is named after its image's base name without its extension where VOC's
    loaders would not find its image by its id (:mod:`labelkit.formats.voc_names`). Else its id, made a plain
    relative path (``a\b`` is ``a/b``): VOC names an item's files after its id. An id that
    starts as a drive would on Windows (``b:c``, ``C:x``, ``c:/x``) is a relative path elsewhere, whose name
    Windows cannot hold (``:``): :func:`~labelkit.formats.voc_write.writable` reports its item lost, as it does
    ``x/b:c``.

    Raises:
        OutputError: an id that cannot name a file inside the output (``/a``, ``//host/a``, ``../a``, empty), of
            an item not named after its image.
    """
    return named(dataset)[0]


def named(dataset: Dataset) -> tuple[list[str], int]:
    """:func:`item_files`, and how many items are named after their images (cached while the dataset is unchanged)."""
    items = dataset.table("items")
    paths = None if dataset.info.extras.get(KEEP_IDS) is True else items["path"]
    return cached(dataset, "voc:files", lambda: _named_files(items["id"], paths))


def _item_files(ids: pa.ChunkedArray) -> list[str]:
    """:func:`_item_file` of each id; a plain relative path (a number, COCO's), its own file, is told in bulk."""
    return _named_files(ids, None)[0]


def _named_files(ids: pa.ChunkedArray, paths: pa.ChunkedArray | None) -> tuple[list[str], int]:
    """:func:`_item_files`; with ``paths``, the items named after their images (:func:`stem_names`), counted."""
    plain = plain_relpaths(ids)
    files = [i if p else _file_or_none(str(i)) for i, p in zip(ids.to_pylist(), plain.to_pylist(), strict=True)]
    stems = stem_names(ids, files, paths) if paths is not None and paths.null_count < len(paths) else None
    named = files if stems is None else [s if s is not None else f for s, f in zip(stems, files, strict=True)]
    if None in named:  # (an id that names no file, of an item not named after its image: the error)
        _item_file(str(ids[named.index(None)].as_py()))
    return cast(list[str], named), 0 if stems is None else len(stems) - stems.count(None)


def _file_or_none(item_id: str) -> str | None:
    """:func:`_item_file` of an id, or None when it names no file inside the output."""
    try:
        return _item_file(item_id)
    except OutputError:
        return None


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
