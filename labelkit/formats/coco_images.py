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

from labelkit.formats.coco_names import file_name, kept_names
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
    if "file_name" in lacking:  # (read so: LVIS v1's images, named after their coco_url)
        del image["file_name"]
    return orjson.dumps(image).decode()
