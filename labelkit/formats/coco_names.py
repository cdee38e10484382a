"""COCO ``file_name`` for items: their path when COCO's reader takes it, else a name of their own.

COCO's file names are relative to the images' folder, and COCO's reader refuses an absolute or climbing one.
:func:`file_name` decides for one item; :func:`kept_names` tells a column at a time which names it keeps, so
that only the others need it. Used by :mod:`labelkit.formats.coco_write` and :mod:`labelkit.formats.coco_plan`.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import InputError
from labelkit.io import is_plain_name, is_plain_relpath, safe_relpath
from labelkit.model.tables import true_mask
from labelkit.portable import plain_relpaths, windows_cannot_hold
from labelkit.portable_lengths import name_too_long


def kept_names(names: pa.Array, unescaped: bool = False) -> pa.Array:
    """Per name, whether :func:`file_name` keeps it as it is; a column at a time.

    With ``unescaped``, also whether JSON writes it as it is. False may be wrong (the caller then asks
    :func:`file_name`), True is not.
    """
    return plain_relpaths(names, _ESCAPED if unescaped else None)


def renamed_files(items: pa.Table) -> int:
    """How many items :func:`file_name` gives another name than their path (or id)."""
    names = pc.coalesce(items["path"], items["id"])
    odd = np.flatnonzero(~true_mask(kept_names(names)))
    paths, ids = items["path"].take(pa.array(odd)).to_pylist(), items["id"].take(pa.array(odd)).to_pylist()
    return sum(file_name(p, i)[1] for p, i in zip(paths, ids, strict=True))


NORMALISED = (
    "COCO's reader takes a file_name's '\\' as '/' and drops its '.' segments and repeated or trailing slashes: "
    "'a\\b.jpg' reads back as 'a/b.jpg', './c.jpg' as 'c.jpg'"
)
"""Why :func:`normalised_files` are reported as transformed."""


def normalised_files(items: pa.Table) -> int:
    r"""How many items :func:`file_name` writes as they are, but COCO's reader reads back otherwise.

    The reader takes ``\`` as ``/`` and drops ``.`` segments and repeated or trailing slashes (``a\b.jpg`` is
    ``a/b.jpg``, ``./c.jpg`` is ``c.jpg``).
    """
    names = pc.coalesce(items["path"], items["id"])
    odd = np.flatnonzero(~true_mask(kept_names(names)))
    paths, ids = items["path"].take(pa.array(odd)).to_pylist(), items["id"].take(pa.array(odd)).to_pylist()
    count = 0
    for p, i in zip(paths, ids, strict=True):
        name, renamed = file_name(p, i)
        try:
            count += not renamed and safe_relpath(name, keep_url=True) != name
        except InputError:  # (file_name renames what the reader refuses)
            pass
    return count


def file_name(path: str | None, item_id: str) -> tuple[str, bool]:
    """An item's COCO ``file_name`` (its path, else its id), and whether it had to change.

    COCO's file_name is relative to the images' folder, and COCO's reader refuses an absolute or climbing
    one; such a path is written as the file's own name.

    Examples:
        >>> file_name("val/a.jpg", "1"), file_name("/data/val/a.jpg", "1"), file_name(None, "7")
        (('val/a.jpg', False), ('a.jpg', True), ('7', False))
    """
    name = path if path is not None else item_id
    if is_plain_relpath(name):
        return name, False
    try:
        if safe_relpath(name) == ".":  # no file at all
            return _id_file(item_id), True
    except InputError:
        base = PurePosixPath(name.replace("\\", "/")).name
        return (base if is_plain_relpath(base) else _id_file(item_id)), True
    return name, False


def url_path(url: Any) -> str | None:
    """The path COCO's reader reads an image of no ``file_name`` at: its ``coco_url``'s last two parts; None: none.

    As ``coco_records`` reads LVIS v1's images (and Detectron2's LVIS loader names them); a URL of no such two plain
    parts (``"x"``, ``5``) names none, and the reader refuses such an image.

    Examples:
        >>> url_path("http://images.cocodataset.org/val2017/000000000009.jpg"), url_path("x"), url_path(5)
        ('val2017/000000000009.jpg', None, None)
    """
    if not isinstance(url, str) or url.count("/") < 3:
        return None
    name = "/".join(url.split("?")[0].split("#")[0].rstrip("/").split("/")[-2:])
    return name if is_plain_relpath(name) and ":" not in name else None


def named_by_url(path: str | None, url: Any) -> bool:
    """Whether an image record may leave ``file_name`` out: COCO's reader reads it at ``path`` from its ``url``.

    An image read without one (LVIS v1's) is written back so while its item's path is the one its ``coco_url``
    gives; an item whose path or ``coco_url`` was changed since (or taken out) is written with its path.
    """
    return path is not None and url_path(url) == path


def _id_file(item_id: str) -> str:
    r"""``<id>.jpg`` from the item id's last part, with ``_`` for what COCO's reader refuses (``:``, NUL).

    Examples:
        >>> _id_file("C:evil"), _id_file("a/b"), _id_file(".."), _id_file("x\x00y")
        ('C_evil.jpg', 'b.jpg', 'image.jpg', 'x_y.jpg')
    """
    base = re.sub(r"[:\x00]", "_", item_id.replace("\\", "/").rpartition("/")[2])
    return f"{base if base not in ('', '.', '..') else 'image'}.jpg"


def read_back_paths(items: pa.Table) -> list[str]:
    r"""Each item's path as COCO's reader gives it back: its ``file_name``, as that reader reads it.

    :func:`file_name` (its path, else its id), ``\`` read as ``/`` and without ``.`` segments (:data:`NORMALISED`).

    >>> read_back_paths(pa.table({"id": ["1", "a.jpg", "C:x"], "path": ["v0\\b.jpg", None, None]}))
    ['v0/b.jpg', 'a.jpg', 'C_x.jpg']
    """
    names = pc.coalesce(items["path"], items["id"].cast(pa.string()))
    out: list[str] = names.to_pylist()
    odd = np.flatnonzero(~true_mask(kept_names(names)))  # (the others are kept as they are)
    if not len(odd):
        return out
    paths, ids = items["path"].take(pa.array(odd)).to_pylist(), items["id"].take(pa.array(odd)).to_pylist()
    for n, path, item_id in zip(odd.tolist(), paths, ids, strict=True):
        name = file_name(path, str(item_id))[0]
        try:
            out[n] = safe_relpath(name, keep_url=True)
        except InputError:
            out[n] = name
    return out


_ESCAPED = r'["\x00-\x1f\x7f]'
"""A character JSON escapes (``\\`` is left out by ``labelkit.portable.PLAIN_RELPATH``)."""


def split_file_ok(split: object) -> bool:
    """Whether a split can name COCO's files (``instances_<split>.json``) on every machine.

    Not ``..`` or ``a/b``, nor holding a character Windows refuses (``instances_a:b.json`` is, on NTFS, stream
    ``b.json`` of a file ``instances_a``), nor so long that the longest file name a split may get,
    ``person_keypoints_<split>.json`` (:data:`LONGEST_TASK`), is over 255 bytes, which no file system takes.

    Examples:
        >>> split_file_ok("train"), split_file_ok("con"), split_file_ok("a:b"), split_file_ok("../x")
        (True, True, False, False)
        >>> split_file_ok("s" * 233), split_file_ok("s" * 234)
        (True, False)
    """
    return (
        isinstance(split, str)
        and is_plain_name(split)
        and not windows_cannot_hold(f"instances_{split}.json")
        and not name_too_long(f"{LONGEST_TASK}_{split}.json")
    )


LONGEST_TASK = "person_keypoints"
"""The longest task a COCO file written is named after (``<task>_<split>.json``)."""


def split_file(split: str) -> str:
    """The file :func:`split_file_ok` refuses ``split`` for: its instances file, else its keypoints file (too long)."""
    instances = f"instances_{split}.json"
    if not is_plain_name(split) or windows_cannot_hold(instances) or name_too_long(instances):
        return f"annotations/{instances}"
    return f"annotations/{LONGEST_TASK}_{split}.json"
