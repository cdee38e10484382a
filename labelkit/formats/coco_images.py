"""COCO image records, written a column at a time (used by :mod:`labelkit.formats.coco_write`).

``{"id":..,"file_name":..,"width":..,"height":..`` and the item's metadata members, spliced from its JSON text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.formats.coco_names import file_name, kept_names, named_by_url
from labelkit.formats.coco_sizes import written_sizes
from labelkit.formats.coco_text import concat, joined, member
from labelkit.model.tables import loads_text, true_mask

_NOT_AS_WRITTEN = r'"(?:id|file_name|width|height)"\s*:|\\|[0-9.][eE][+-]?[0-9]{3}|[0-9]{19}'
"""Metadata text that may not be spliced as it is: it may hold a key of the record (which the record's own
value overrides), an escape (a key spelled ``\u0069d``, a lone surrogate), or a number that reads back as
another (``1e400``, an integer past 64 bits); such an image is made from its decoded metadata."""


def image_records(
    items: pa.Table, image_ids: np.ndarray, rows: list[int], missing: dict[str, list[str]] | None = None
) -> bytes:
    """The records of the items ``rows`` (their image ids ``image_ids[rows]``), comma-joined.

    Rows whose file name must change or be escaped, or whose metadata is not a plain object of other keys
    (:data:`_NOT_AS_WRITTEN`), are made one by one (:func:`image_json`), as the same record; so are those of
    ``missing`` (item id -> metadata fields to leave out), without those fields, but for those lacking only their
    ``file_name`` (LVIS v1's images, 100,000 in its train file), made here without it while their ``coco_url``
    names them (:func:`named_by_urls`).
    """
    t = items.take(pa.array(rows, pa.int64()))
    names = pc.coalesce(t["path"], t["id"]).combine_chunks()
    metadata = t["metadata"].combine_chunks()
    plain = kept_names(names, unescaped=True)
    spliced = pc.and_(
        pc.and_(pc.starts_with(metadata, '{"'), pc.ends_with(metadata, "}")),
        pc.invert(pc.match_substring_regex(metadata, _NOT_AS_WRITTEN)),
    )
    fast = pc.and_(plain, pc.fill_null(spliced, True))
    name = concat([',"file_name":"', names, '"'])
    if missing:
        lacking = [missing.get(item_id) for item_id in t["id"].to_pylist()]
        # an image lacking only its file_name (LVIS v1's) is made here too, without one while its coco_url names it
        fast = pc.and_(fast, pa.array([not m or m == ["file_name"] for m in lacking]))
        if unnamed := [k for k, m in enumerate(lacking) if m == ["file_name"]]:
            at = pa.array(unnamed, pa.int64())
            texts = metadata.take(at).to_pylist()
            fields = [None if m is None else loads_text(m) for m in texts]  # (raises as image_json would)
            by_url = np.zeros(len(rows), dtype=bool)
            by_url[unnamed] = named_by_urls(t["path"].take(at).to_pylist(), fields)
            name = pc.if_else(pa.array(by_url), "", name)
            # (spliced only where the text is what decoding and writing it give, as they were made: a table's cell
            # spelled otherwise, `{"a": 1.50}` or a key twice, is made one by one, as before)
            respelled = np.zeros(len(rows), dtype=bool)
            pairs = zip(texts, fields, strict=True)
            respelled[unnamed] = [m is not None and orjson.dumps(f).decode() != m for m, f in pairs]
            fast = pc.and_(fast, pa.array(~respelled))
    members = pc.binary_slice(metadata.cast(pa.binary()), 1, -1).cast(pa.string())
    width, height = written_sizes(t["width"].combine_chunks(), t["height"].combine_chunks())
    text = concat(
        [
            '{"id":',
            pa.array(image_ids[rows]).cast(pa.string()),
            name,
            member("width", width.cast(pa.string())),
            member("height", height.cast(pa.string())),
            pc.binary_join_element_wise(",", members, ""),
            "}",
        ]
    )
    slow = np.flatnonzero(~true_mask(fast))
    if len(slow):
        ids = t["id"]
        made = [image_json(items, image_ids, rows[k], (missing or {}).get(ids[k].as_py()) or ()) for k in slow.tolist()]
        index = np.full(len(rows), -1, dtype=np.int64)
        index[slow] = np.arange(len(slow))
        text = pc.if_else(fast, text, pa.array(made, pa.string()).take(pa.array(index, mask=index < 0)))
    return joined(text)


def image_json(items: pa.Table, image_ids: np.ndarray, row: int, lacking: Sequence[str] = ()) -> str:
    """One image record (see :func:`image_records`), without the metadata fields ``lacking``."""
    path, item_id = items["path"][row].as_py(), items["id"][row].as_py()
    image: dict[str, Any] = {"id": int(image_ids[row]), "file_name": file_name(path, item_id)[0]}
    width, height = written_sizes(items["width"].slice(row, 1), items["height"].slice(row, 1))
    image["width"], image["height"] = width[0].as_py(), height[0].as_py()
    metadata = items["metadata"][row].as_py()
    if metadata:
        for k, v in loads_text(metadata).items():
            if k not in image and k not in lacking:
                image[k] = v
    if "file_name" in lacking and named_by_url(path, image.get("coco_url")):  # (LVIS v1's, named after their coco_url)
        del image["file_name"]  # (not one whose path or coco_url changed since: see unnamed_now_named)
    return orjson.dumps(image).decode()


UNNAMED_NOW_NAMED = (
    "COCO's reader reads an image without a file_name at its coco_url's last two parts (LVIS v1's images have "
    "none): their path, or coco_url, is no longer so (edited, or taken out), so file_name is written, their path"
)
"""Why :func:`unnamed_now_named` images are reported as transformed."""


def unnamed_now_named(items: pa.Table, files: Any) -> int:
    """How many items whose image a file read without ``file_name`` (``files``: ``coco:files``) get one now.

    :func:`image_json` leaves it out only while the item's path is the one COCO's reader takes from the
    ``coco_url`` written (:func:`.coco_names.named_by_url`); the others were written without a file_name,
    read back at the old path (or refused, the coco_url naming no file), unsaid. (An item without a path, whose
    id is its file name, is counted among those: see ``coco_plan``.)
    """
    # split -> item id -> for each file of it listing the image without file_name, whether it lacks coco_url too
    lacking: dict[str, dict[str, list[bool]]] = {}
    for f in files if isinstance(files, list) else []:
        missing = f.get("image_missing") if isinstance(f, dict) else None
        if isinstance(missing, dict):
            split = f.get("split") if isinstance(f.get("split"), str) else None
            of_split = lacking.setdefault(split or "default", {})
            for k, v in missing.items():
                if isinstance(v, list) and "file_name" in v:
                    of_split.setdefault(k, []).append("coco_url" in v)
    wanted = pa.array(sorted({k for of_split in lacking.values() for k in of_split}), pa.string())
    if not len(wanted) or not len(rows := np.flatnonzero(true_mask(pc.is_in(items["id"], value_set=wanted)))):
        return 0
    t = items.select(["id", "split", "path", "metadata"]).take(pa.array(rows, pa.int64()))
    ids, splits, paths, metadata = (t[k].to_pylist() for k in t.column_names)
    urls_lacking = [
        lacking.get(split or "default", {}).get(item_id, []) if path is not None else []
        for item_id, split, path in zip(ids, splits, paths, strict=True)
    ]
    fields = [loads_text(m) if m and u else None for m, u in zip(metadata, urls_lacking, strict=True)]
    by_url = named_by_urls(paths, fields)
    # (a file lacking the coco_url too gets a file_name written: the image is not named by a coco_url there)
    return sum(any(no_url or not named for no_url in u) for named, u in zip(by_url, urls_lacking, strict=True))


def named_by_urls(paths: Sequence[str | None], fields: Sequence[Any]) -> list[bool]:
    """Per image, whether its item's ``path`` is the one its decoded metadata's ``coco_url`` gives.

    See ``named_by_url``; metadata that is no object (or None) gives no ``coco_url``.
    """
    urls = (f.get("coco_url") if isinstance(f, dict) else None for f in fields)
    return [named_by_url(path, url) for path, url in zip(paths, urls, strict=True)]
