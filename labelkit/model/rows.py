"""Records to table rows and back: the one place a record (:mod:`labelkit.model.annotations`) becomes a row.

Used by :class:`labelkit.model.Dataset`; the tables' schemas and the JSON text of free-form mappings are
:mod:`labelkit.model.tables`'.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from labelkit.model.annotations import RECORD_BY_KIND, Label, Object, Span, Track, Transcript
from labelkit.model.records import Item, Media, Token
from labelkit.model.tables import (
    KIND_BY_TABLE,
    SCHEMAS,
    check_attributes,
    checked_record,
    decode_json,
    encode_json,
    encode_mapping,
)

# -- records -> rows -------------------------------------------------------------------------------


def item_row(item: Item) -> dict[str, Any]:
    """Flatten an item record into a row of the ``items`` table.

    Raises:
        UsageError: its metadata holds a value set in place that the record refuses (:func:`checked_mapping`).
    """
    name = f"item {item.id!r}"
    metadata = encode_mapping(item.metadata, name, "metadata")
    item = checked_record(item, name)
    m = item.media
    return {
        "id": item.id,
        "media": m.kind,
        "path": m.path,
        "width": m.width,
        "height": m.height,
        "duration": m.duration,
        "fps": m.fps,
        "frame_count": m.frame_count,
        "text": m.text,
        "split": item.split,
        "group": item.group,
        "metadata": metadata,
    }


def annotation_row(record: Label | Object | Span | Transcript | Track) -> dict[str, Any]:
    """Flatten an annotation record into a row of its kind's table.

    Raises:
        UsageError: its extras hold a value set in place that the record refuses (:func:`checked_mapping`).
    """
    name = f"{record.kind} {record.id!r}"
    check_attributes(record.attributes, name)  # (before the dump, which warns of a value of another type)
    extras = encode_mapping(record.extras, name, "extras")
    row = checked_record(record, name).model_dump(exclude={"kind"})
    row["attributes"] = encode_json(row["attributes"])
    row["extras"] = extras
    if "mask" in row and row["mask"] is not None:
        mask = row["mask"]
        counts = mask["counts"]
        row["mask"] = {
            "height": mask["size"][0],
            "width": mask["size"][1],
            "counts": counts if isinstance(counts, str) else None,
            "runs": None if isinstance(counts, str) else counts,
        }
    return row


def token_row(token: Token) -> dict[str, Any]:
    """Flatten a token record into a row of the ``tokens`` table."""
    row = checked_record(token, f"token {token.index} of item {token.item_id!r}").model_dump()
    row["columns"] = encode_json(row["columns"])
    return row


def rows_to_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Build a table of schema ``name`` from flattened rows."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


# -- rows -> records -------------------------------------------------------------------------------


ITEM_COLUMNS = {"kind": "media"}
"""The ``items`` column of each field :func:`item_from_row` gives its ``Media`` under another name: an error
there is located by the record's field (``kind``), which the table names otherwise."""


def item_from_row(row: dict[str, Any]) -> Item:
    """Rebuild an item record from a row of the ``items`` table."""
    media = Media(
        kind=row["media"] or "image",
        path=row["path"],
        width=row["width"],
        height=row["height"],
        duration=row["duration"],
        fps=row["fps"],
        frame_count=row["frame_count"],
        text=row["text"],
    )
    return Item(
        id=row["id"], media=media, split=row["split"], group=row["group"], metadata=decode_json(row["metadata"])
    )


def annotation_from_row(table_name: str, row: dict[str, Any]) -> Label | Object | Span | Transcript | Track:
    """Rebuild an annotation record from a row of an annotation table."""
    row = dict(row)
    for key in ("attributes", "extras"):
        row[key] = decode_json(row[key])
    if row.get("mask") is not None:
        m = row["mask"]
        row["mask"] = {
            "size": (m["height"], m["width"]),
            "counts": m["counts"] if m["counts"] is not None else m["runs"],
        }
    if row.get("angle", 0.0) is None:
        row["angle"] = 0.0
    if row.get("shape", "box") is None:
        row["shape"] = "box"
    cls = RECORD_BY_KIND[KIND_BY_TABLE[table_name]]
    return cls.model_validate(row)  # type: ignore[return-value]


def token_from_row(row: dict[str, Any]) -> Token:
    """Rebuild a token record from a row of the ``tokens`` table."""
    row = dict(row)
    row["columns"] = decode_json(row["columns"])
    return Token.model_validate(row)


def iter_rows(table: pa.Table, batch_size: int = 4096) -> Iterator[dict[str, Any]]:
    """Yield the rows of a table as dicts, a batch at a time, so memory stays bounded."""
    for batch in table.to_batches(max_chunksize=batch_size):
        yield from batch.to_pylist()
