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
    ``missing`` (item id -> metadata fields to leave out), without those fields.
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
    if missing:
        lacking = pc.is_in(t["id"].combine_chunks(), value_set=pa.array(list(missing), pa.string()))
        fast = pc.and_(fast, pc.invert(lacking))
    members = pc.binary_slice(metadata.cast(pa.binary()), 1, -1).cast(pa.string())
    width, height = written_sizes(t["width"].combine_chunks(), t["height"].combine_chunks())
    text = concat(
        [
            '{"id":',
            pa.array(image_ids[rows]).cast(pa.string()),
            ',"file_name":"',
            names,
            '"',
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
    count = 0
    for item_id, split, path, metadata in zip(*(t[k].to_pylist() for k in t.column_names), strict=True):
        urls_lacking = lacking.get(split or "default", {}).get(item_id, []) if path is not None else []
        fields = loads_text(metadata) if metadata and urls_lacking else {}
        url = fields.get("coco_url") if isinstance(fields, dict) else None
        count += any(not named_by_url(path, None if no_url else url) for no_url in urls_lacking)
    return count
