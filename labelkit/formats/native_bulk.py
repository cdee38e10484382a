"""The bulk reader of labelkit JSON: msgspec structs straight to Arrow columns, no record per annotation."""

from __future__ import annotations

import math
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import TypeAdapter, ValidationError

from labelkit.formats.native_categories import parent_cycles
from labelkit.io import read_bytes
from labelkit.json_checks import too_deep
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model import tables as T
from labelkit.model.annotations import INT64_MAX, INT64_MIN, Shape, _check_json
from labelkit.model.records import MediaKind

# -- bulk reading -------------------------------------------------------------------------------------
# A valid document is decoded by msgspec into typed structs (no pydantic record per annotation) and
# turned into Arrow columns. The structs accept no more than the records do; anything they reject, and
# any failed check on the columns, sends the document down the record path, which names the first
# problem with its JSON pointer. The record path is the authority: the bulk path only makes it faster.

_I64 = Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)]
_COUNT = Annotated[int, msgspec.Meta(ge=0, le=INT64_MAX)]
_ATTRIBUTE = bool | _I64 | float | str | list[str]


class _Struct(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, gc=False):
    pass


class _Provenance(_Struct):
    annotator: str | None = None
    model: str | None = None


class _Rle(_Struct):
    size: tuple[_COUNT, _COUNT]
    counts: str | list[_COUNT]


class _Common(_Struct, tag_field="kind", kw_only=True):
    id: str
    item_id: str
    category_id: _I64 | None = None
    score: float | None = None
    attributes: dict[str, _ATTRIBUTE] = {}
    provenance: _Provenance | None = None
    extras: dict[str, Any] = {}


class _Label(_Common, tag="label", kw_only=True):
    start: float | None = None
    end: float | None = None


class _Object(_Common, tag="object", kw_only=True):
    shape: Shape = "box"
    bbox: tuple[float, float, float, float] | None = None
    angle: float = math.nan  # absent: NaN here (JSON has none), null in the table, as the reader that wrote the
    # document had it (a record says 0.0); an explicit null is refused, as the record and the schema refuse it
    polygon: list[list[float]] | None = None
    polygon_holes: list[bool] | None = None
    mask: _Rle | None = None
    keypoints: list[float] | None = None
    frame: _COUNT | None = None
    track_id: str | None = None
    keyframe: bool | None = None
    outside: bool | None = None
    occluded: bool | None = None
    z_order: _I64 | None = None


class _Span(_Common, tag="span", kw_only=True):
    start: _COUNT
    end: _COUNT
    text: str | None = None


class _Transcript(_Common, tag="transcript", kw_only=True):
    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


class _Track(_Common, tag="track", kw_only=True):
    pass


class _Media(_Struct):
    kind: MediaKind = "image"
    path: str | None = None
    width: _COUNT | None = None
    height: _COUNT | None = None
    duration: float | None = None
    fps: float | None = None
    frame_count: _COUNT | None = None
    text: str | None = None


class _Item(_Struct):
    id: str
    media: _Media = msgspec.field(default_factory=_Media)
    split: str | None = None
    group: str | None = None
    metadata: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"))  # (see _item_metadata)


class _Token(_Struct):
    item_id: str
    index: _COUNT
    start: _COUNT
    end: _COUNT
    text: str
    columns: dict[str, str] = {}


class _Document(_Struct):
    format: Literal["labelkit"] = "labelkit"
    version: Literal[1] = 1
    info: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"{}"))
    categories: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"[]"))
    items: list[_Item] = []
    annotations: list[msgspec.Raw] = []  # decoded a batch at a time, see _annotation_tables
    tokens: list[_Token] = []


_DECODER = msgspec.json.Decoder(_Document)
_ANNOTATIONS = msgspec.json.Decoder(list[_Label | _Object | _Span | _Transcript | _Track])
_BATCH = 65_536
"""Annotations decoded into structs at a time: memory holds one batch of structs, not one per annotation."""
_CATEGORIES = TypeAdapter(list[Category])
_STRUCT_TABLE: dict[type, str] = {
    _Label: "labels",
    _Object: "objects",
    _Span: "spans",
    _Transcript: "transcripts",
    _Track: "tracks",
}


class NotFast(Exception):
    """The bulk path declines this document; the record path will say what is wrong (or read it)."""


def _mapping(value: dict[str, Any]) -> str | None:
    if not value:
        return None
    _check_json(value)  # same rule as the records' metadata and extras (finite, 64-bit integers)
    return T.dumps(value)


_METADATA = msgspec.json.Decoder(dict[str, Any])


def _item_metadata(raw: msgspec.Raw) -> str | None:
    """An item's metadata text, decoded one item at a time.

    Every item's decoded at once (2,000 keys each for 1,000 items, 100 MB of text) took 0.47 GB beside the file.
    """
    return _mapping(_METADATA.decode(raw))


def _columns(structs: list[Any], names: tuple[str, ...]) -> dict[str, list[Any]]:
    return {name: list(map(attrgetter(name), structs)) for name in names}


def _annotation_table(name: str, structs: list[Any]) -> pa.Table:
    schema = T.SCHEMAS[name]
    plain = tuple(f.name for f in schema if f.name not in ("attributes", "extras", "provenance", "mask"))
    data: dict[str, Any] = _columns(structs, plain)
    data["attributes"] = [_mapping(s.attributes) for s in structs]
    data["extras"] = [_mapping(s.extras) for s in structs]
    data["provenance"] = [
        None if p is None else {"annotator": p.annotator, "model": p.model} for p in (s.provenance for s in structs)
    ]
    if name == "objects":
        data["mask"] = [
            None
            if m is None
            else {
                "height": m.size[0],
                "width": m.size[1],
                "counts": m.counts if isinstance(m.counts, str) else None,
                "runs": None if isinstance(m.counts, str) else m.counts,
            }
            for m in (s.mask for s in structs)
        ]
    columns = {f.name: pa.array(data.pop(f.name), f.type, from_pandas=f.name == "angle") for f in schema}
    table = pa.table(columns, schema=schema)  # (from_pandas: an absent angle's NaN is null)
    if name == "objects":
        _check_object_geometry(table)
    return table


def _check_object_geometry(table: pa.Table) -> None:
    rings = pc.list_flatten(table["polygon"])
    if len(rings) and pc.any(pc.not_equal(pc.bit_wise_and(pc.list_value_length(rings), 1), 0)).as_py():
        raise NotFast("odd polygon ring")
    holes = table["polygon_holes"]
    if holes.null_count < len(holes):
        n_rings = pc.fill_null(pc.list_value_length(table["polygon"]), 0)
        if pc.any(pc.not_equal(pc.list_value_length(holes), n_rings)).as_py():
            raise NotFast("polygon_holes length")
    keypoints = table["keypoints"]
    if keypoints.null_count < len(keypoints):
        lengths = pc.list_value_length(keypoints)  # (no pc.remainder: it came with pyarrow 26)
        if pc.any(pc.not_equal(pc.subtract(lengths, pc.multiply(pc.divide(lengths, 3), 3)), 0)).as_py():
            raise NotFast("keypoints length")


def _annotation_tables(raw: list[msgspec.Raw]) -> dict[str, pa.Table]:
    """Decode the annotations' raw JSON a batch at a time into structs, and the structs into tables.

    Raises:
        msgspec.ValidationError: an annotation does not fit its record.
    """
    pieces: dict[str, list[pa.Table]] = {name: [] for name in T.ANNOTATION_TABLES}
    for start in range(0, len(raw), _BATCH):
        batch = _ANNOTATIONS.decode(b"[" + b",".join(raw[start : start + _BATCH]) + b"]")
        types = set(map(type, batch))
        groups: dict[str, list[Any]] = {name: [] for name in T.ANNOTATION_TABLES}
        if len(types) == 1:  # the usual case: a batch of one kind needs no sorting out
            groups[_STRUCT_TABLE[types.pop()]] = batch
        else:
            for a in batch:
                groups[_STRUCT_TABLE[type(a)]].append(a)
        del batch
        for name, structs in groups.items():
            if structs:
                pieces[name].append(_annotation_table(name, structs))
    return {
        name: pa.concat_tables(tables) if tables else _annotation_table(name, []) for name, tables in pieces.items()
    }


def _unique(column: pa.ChunkedArray) -> bool:
    return len(column) == 0 or pc.count_distinct(column).as_py() == len(column)


def fast_read(path: Path, data: bytes | None = None) -> Dataset:
    """The bulk path: msgspec structs -> Arrow columns, with the reference checks on the columns.

    ``data`` is the file's bytes when they were read already (a pipe, which cannot be read twice).

    Memory: the file's bytes are dropped once decoded, and each kind's structs once its table is built.

    Raises:
        NotFast: anything is invalid or unusual; the caller takes the record path.
        InputError: the file cannot be read.
    """
    if data is None:
        data = read_bytes(path)
    try:
        doc = _DECODER.decode(data)
    except RecursionError:  # (msgspec's: the deepest place's line and column, as the record path's parser gives)
        raise too_deep(data, path) from None
    except (msgspec.MsgspecError, ValueError) as exc:  # ValueError: bad UTF-8
        raise NotFast(str(exc)) from exc
    data = None  # (the Raw views keep the bytes they need)
    try:
        info = DatasetInfo.model_validate_json(bytes(doc.info), strict=True)
        categories = _CATEGORIES.validate_json(bytes(doc.categories), strict=True)
    except (msgspec.MsgspecError, ValidationError, ValueError) as exc:  # ValueError: bad UTF-8
        raise NotFast(str(exc)) from exc
    doc.info = doc.categories = msgspec.Raw(b"")  # the Raw views keep the whole file alive
    try:
        media = [i.media for i in doc.items]
        items = pa.table(
            {
                "id": pa.array([i.id for i in doc.items], pa.string()),
                "media": pa.array([m.kind for m in media], pa.string()),
                **{k: pa.array([getattr(m, k) for m in media], T.SCHEMAS["items"].field(k).type) for k in MEDIA_FIELDS},
                "split": pa.array([i.split for i in doc.items], pa.string()),
                "group": pa.array([i.group for i in doc.items], pa.string()),
                "metadata": pa.array([_item_metadata(i.metadata) for i in doc.items], pa.string()),
            },
            schema=T.SCHEMAS["items"],
        )
        doc.items = []  # (their metadata are views of the file's bytes)
        raw, doc.annotations = doc.annotations, []
        tables = {"items": items, **_annotation_tables(raw)}
        del raw  # the last views of the file's bytes
        token_columns = _columns(doc.tokens, ("item_id", "index", "start", "end", "text"))
        token_columns["columns"] = [_mapping(t.columns) for t in doc.tokens]
        tables["tokens"] = pa.table(token_columns, schema=T.SCHEMAS["tokens"])
    except (msgspec.MsgspecError, ValueError, TypeError, pa.ArrowException) as exc:
        raise NotFast(str(exc)) from exc
    # the reference checks of _check_references, on columns; any finding sends the document down the record path
    item_ids = items["id"].combine_chunks()
    category_ids = pa.array([c.id for c in categories], pa.int64())
    if not _unique(items["id"]) or len(set(category_ids.to_pylist())) != len(categories):
        raise NotFast("duplicate ids")
    if any(c.parent is not None and c.parent not in set(category_ids.to_pylist()) for c in categories):
        raise NotFast("unknown parent category")
    if parent_cycles(categories):
        raise NotFast("categories whose parents lead back to them")
    for name in (*T.ANNOTATION_TABLES, "tokens"):
        table = tables[name]
        if len(table) and not pc.all(pc.is_in(table["item_id"], value_set=item_ids)).as_py():
            raise NotFast("unknown item")
        if name != "tokens" and len(table):
            known = pc.or_(pc.is_null(table["category_id"]), pc.is_in(table["category_id"], value_set=category_ids))
            if (len(categories) and not pc.all(known).as_py()) or not _unique(table["id"]):  # (none: ids kept bare)
                raise NotFast("unknown category or duplicate id")
    return Dataset.from_tables(tables, categories, info)


MEDIA_FIELDS = ("path", "width", "height", "duration", "fps", "frame_count", "text")
