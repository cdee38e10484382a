"""Columnar storage: one Arrow table per annotation kind, plus items and tokens.

Rows point at items by ``item_id``. Free-form mappings (attributes, extras, metadata, token columns) are
stored as JSON text so any JSON value survives; geometry is stored as nested float64 lists so bulk readers
and writers can work on flat arrays. Records (:mod:`labelkit.model.annotations`) are converted to rows and
back in :mod:`labelkit.model.rows`, and nowhere else.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Any, TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray
from pydantic import BaseModel, ValidationError

from labelkit.model.annotations import (
    INT64_MAX,
    INT64_MIN,
    json_mapping_text,
)
from labelkit.model.batches import sized_batches

_JSON = pa.string()
_PROVENANCE = pa.struct([("annotator", pa.string()), ("model", pa.string())])
_COMMON = [
    ("id", pa.string()),
    ("item_id", pa.string()),
    ("category_id", pa.int64()),
    ("score", pa.float64()),
    ("attributes", _JSON),
    ("provenance", _PROVENANCE),
    ("extras", _JSON),
]
MASK_TYPE = pa.struct(
    [("height", pa.int64()), ("width", pa.int64()), ("counts", pa.string()), ("runs", pa.list_(pa.int64()))]
)

SCHEMAS: dict[str, pa.Schema] = {
    "items": pa.schema(
        [
            ("id", pa.string()),
            ("media", pa.string()),
            ("path", pa.string()),
            ("width", pa.int64()),
            ("height", pa.int64()),
            ("duration", pa.float64()),
            ("fps", pa.float64()),
            ("frame_count", pa.int64()),
            ("text", pa.string()),
            ("split", pa.string()),
            ("group", pa.string()),
            ("metadata", _JSON),
        ]
    ),
    "labels": pa.schema([*_COMMON, ("start", pa.float64()), ("end", pa.float64())]),
    "objects": pa.schema(
        [
            *_COMMON,
            ("shape", pa.string()),
            ("bbox", pa.list_(pa.float64(), 4)),
            ("angle", pa.float64()),
            ("polygon", pa.list_(pa.list_(pa.float64()))),
            ("polygon_holes", pa.list_(pa.bool_())),
            ("mask", MASK_TYPE),
            ("keypoints", pa.list_(pa.float64())),
            ("frame", pa.int64()),
            ("track_id", pa.string()),
            ("keyframe", pa.bool_()),
            ("outside", pa.bool_()),
            ("occluded", pa.bool_()),
            ("z_order", pa.int64()),
        ]
    ),
    "spans": pa.schema([*_COMMON, ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())]),
    "transcripts": pa.schema(
        [*_COMMON, ("text", pa.string()), ("start", pa.float64()), ("end", pa.float64()), ("speaker", pa.string())]
    ),
    "tracks": pa.schema(_COMMON),
    "tokens": pa.schema(
        [
            ("item_id", pa.string()),
            ("index", pa.int64()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("columns", _JSON),
        ]
    ),
}

TABLE_BY_KIND: dict[str, str] = {
    "label": "labels",
    "object": "objects",
    "span": "spans",
    "transcript": "transcripts",
    "track": "tracks",
}
KIND_BY_TABLE: dict[str, str] = {v: k for k, v in TABLE_BY_KIND.items()}
ANNOTATION_TABLES: tuple[str, ...] = tuple(TABLE_BY_KIND.values())


def dumps(value: Any) -> str:
    """Encode a JSON value the same way every time (keys in their given order, no whitespace)."""
    return orjson.dumps(value).decode()


def encode_json(value: Mapping[str, Any] | None) -> str | None:
    """A mapping's cell: its JSON text, or None for an empty one."""
    return dumps(value) if value else None


def checked_mapping(value: dict[str, Any], record: str, field: str) -> tuple[dict[str, Any], str]:
    """A record's ``metadata`` or ``extras`` as its validator takes it, and its JSON text.

    A value put in place after the record was made (``item.metadata["x"] = float("nan")``) is seen by no
    validator: both native writers wrote NaN and infinity as ``null``, a set as a list and a datetime as text,
    without a word, and an integer past 64 bits was orjson's bare ``TypeError``. The rows and the writers check
    it again here, with the constructor's rule (:func:`~labelkit.model.annotations.json_mapping`: numpy values
    are made plain, as the constructor makes them).

    Raises:
        UsageError: naming ``record``, ``field`` and the key path (``item 'a': metadata: x is not a finite number``).
    """
    try:
        return json_mapping_text(value)
    except ValueError as exc:
        from labelkit.errors import UsageError

        raise UsageError(
            f"{record}: {field}: {exc}",
            hint="a value set in place after the record was made is checked as its constructor checks it: "
            "give JSON values (finite numbers, integers of 64 bits, text, lists and mappings of them)",
        ) from None


def check_attributes(attributes: dict[str, Any], record: str) -> None:
    """Check that each value of ``attributes`` is of the record's types: bool, int64, finite float, text or texts.

    A value set in place after the record was made is seen by no validator: a NaN was written as ``null``.

    Raises:
        UsageError: naming ``record`` and the attribute.
    """
    for key, value in attributes.items():
        kind = type(value)
        if kind is bool or kind is str:
            continue
        if kind is int and INT64_MIN <= value <= INT64_MAX or kind is float and math.isfinite(value):
            continue
        if kind is list and all(type(v) is str for v in value):
            continue
        from labelkit.errors import UsageError

        raise UsageError(
            f"{record}: attribute {key!r}: {value!r} is not an attribute value",
            expected="a bool, an integer of 64 bits, a finite number, a text or a list of texts",
            hint="a value set in place after the record was made is checked as its constructor checks it",
        )


_R = TypeVar("_R", bound=BaseModel)


def checked_record(record: _R, name: str) -> _R:
    """``record`` validated again, as its constructor validates it: a field changed in place after it was made.

    No validator sees ``obj.polygon[0][0] = "5"``, ``obj.keypoints.append("x")``, ``category.skeleton.append(("a",
    "b"))`` or a polygon assigned anew beside its old ``polygon_holes``: such a record made the table, every later
    read of it, or a writer fail with Arrow's or Python's error (and pydantic printed a warning of it). The record
    returned holds the values as the constructor takes them (``"5"`` as ``5.0``).

    Raises:
        UsageError: the constructor would refuse it, naming ``name``, the field and pydantic's message.
    """
    data = record.model_dump(warnings=False)
    try:
        return type(record).model_validate(data)
    except ValidationError as exc:
        from labelkit.errors import UsageError, inner_errors, json_pointer

        errors = exc.errors()
        loc = tuple(errors[0]["loc"])
        # a plain union fails once per member: the member of the value's type fails inside it, and says what is
        # wrong (mask.counts.append(-1) was "Input should be a valid string", the compressed counts' member's)
        places = [_loc_in(tuple(e["loc"]), data) for e in errors]
        inside = inner_errors(errors, [json_pointer(*at) for at in places], "/")
        error = errors[inside[0]] if inside else errors[0]
        loc = places[inside[0]] if inside else loc
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        raise UsageError(
            f"{name}: {where}: {error['msg'].removeprefix('Value error, ')}",
            hint="a value set in place after the record was made is checked as its constructor checks it",
        ) from None


def _loc_in(loc: tuple[str | int, ...], value: Any) -> tuple[str | int, ...]:
    """A pydantic error's location in ``value`` (a record's dump) without pydantic's own levels (a union's member).

    >>> _loc_in(("mask", "counts", "list[constrained-int]", 2), {"mask": {"counts": [0, 100, -1]}})
    ('mask', 'counts', 2)
    """
    parts: list[str | int] = []
    for part in loc:
        if isinstance(value, dict) and isinstance(part, str) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            continue
        parts.append(part)
    return tuple(parts)


def encode_mapping(value: dict[str, Any], record: str, field: str) -> str | None:
    """The JSON text of a record's ``metadata`` or ``extras`` (None when empty), checked (:func:`checked_mapping`)."""
    return checked_mapping(value, record, field)[1] if value else None


def decode_json(text: str | None) -> dict[str, Any]:
    """A mapping's cell read back: an empty mapping for None."""
    return loads_text(text) if text else {}


def loads_text(text: str) -> Any:
    """A table's JSON-text cell, decoded.

    Raises:
        InputError: (without a path: the text came from the input, which callers name) it cannot be read,
            as when a reader kept a number as written that no float holds (COCO's ``"area": 1e400``).
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        from labelkit.errors import InputError

        shown = text if len(text) <= 80 else text[:77] + "..."
        # (the parser's line and column are the stored text's, not the input's: its reason alone is said)
        reason = "a number no float holds" if "infinity" in exc.msg else exc.msg
        raise InputError(f"a stored JSON text cannot be read: {reason}", found=shown) from exc


def empty_table(name: str) -> pa.Table:
    """An empty table with the schema of ``name``."""
    return SCHEMAS[name].empty_table()


def null_array(type: pa.DataType, length: int) -> pa.Array:
    """An all-null array of ``type`` whose buffers share one lazily zeroed allocation.

    ``pa.nulls`` writes a zeroed buffer per column; an all-null column of a million rows then costs
    8 MB of resident memory per column. Here every buffer is a view of one ``bytes`` object, which the
    operating system maps lazily, so unused columns cost (almost) nothing.
    """
    if pa.types.is_fixed_size_list(type) or pa.types.is_dictionary(type) or pa.types.is_union(type):
        return pa.nulls(length, type)
    zeros = pa.py_buffer(bytes(8 * (length + 1)))
    return _shared_nulls(type, length, zeros)


def _shared_nulls(type: pa.DataType, length: int, zeros: pa.Buffer) -> pa.Array:
    if pa.types.is_struct(type):
        children = [_shared_nulls(type.field(i).type, length, zeros) for i in range(type.num_fields)]
        return pa.StructArray.from_buffers(type, length, [zeros], null_count=length, children=children)
    if pa.types.is_list(type) or pa.types.is_large_list(type):
        child = _shared_nulls(type.value_type, 0, zeros)
        return pa.Array.from_buffers(type, length, [zeros, zeros], null_count=length, children=[child])
    if pa.types.is_fixed_size_list(type):
        return pa.nulls(length, type)
    return pa.Array.from_buffers(type, length, [zeros] * type.num_buffers, null_count=length)


def valid_mask(column: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """Per row, whether ``column`` holds a value (is not null), as a numpy bool array.

    Works on arrays and chunked arrays (table columns) of any type, including empty ones.

    >>> valid_mask(pa.array([[1.0], None, []])).tolist()
    [True, False, True]
    >>> valid_mask(pa.chunked_array([[1], [None, 3]])).tolist()
    [True, False, True]
    >>> valid_mask(pa.chunked_array([], pa.int64()))
    array([], dtype=bool)
    """
    if not len(column):
        return np.zeros(0, dtype=bool)
    return np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def true_mask(column: pa.Array | pa.ChunkedArray) -> NDArray[np.bool_]:
    """A boolean Arrow column as a numpy bool array, nulls read as False.

    Works on arrays and chunked arrays (table columns), including empty ones.

    >>> true_mask(pa.array([True, None, False])).tolist()
    [True, False, False]
    >>> true_mask(pa.chunked_array([[None], [True]], pa.bool_())).tolist()
    [False, True]
    >>> true_mask(pa.array([], pa.bool_()))
    array([], dtype=bool)
    """
    if not len(column):
        return np.zeros(0, dtype=bool)
    return np.asarray(column.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def places(order: NDArray[np.integer[Any]]) -> NDArray[np.int64]:
    """Each index's place in ``order``, a permutation of ``0..n-1`` (its inverse).

    Examples:
        >>> places(np.array([2, 0, 1])).tolist()
        [1, 2, 0]
    """
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order))
    return place


def read_only(*arrays: NDArray[Any]) -> tuple[NDArray[Any], ...]:
    """``arrays``, made read-only (computed once and shared: whoever takes rows of them takes a copy)."""
    for a in arrays:
        a.flags.writeable = False
    return arrays


def contains_match(column: pa.Array | pa.ChunkedArray, pattern: str) -> NDArray[np.bool_]:
    """Per row of a string column, whether it contains ``pattern`` (nulls: False), like ``pc.match_substring``.

    The column's text buffers are searched whole first (a few milliseconds for the extras of 860,000
    annotations, against about 0.1 s for a row-by-row match): where no row holds the pattern, no row is matched.

    >>> contains_match(pa.chunked_array([["ab", None], ["xb"]]), "x").tolist()
    [False, False, True]
    >>> contains_match(pa.array(["ab"]), "x").tolist()
    [False]
    """
    if any_holds(column, pattern):
        return true_mask(pc.match_substring(column, pattern))
    return np.zeros(len(column), dtype=bool)


def any_holds(column: pa.Array | pa.ChunkedArray, pattern: str) -> bool:
    """Whether some row of a string column contains ``pattern``: the text buffers searched whole.

    (Text spanning two rows matches too: a row-by-row match must follow before rows are told.)

    >>> any_holds(pa.chunked_array([["ab", None], ["xb"]]), "x"), any_holds(pa.array(["ab"]), "x")
    (True, False)
    """
    needle = pattern.encode()
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    for chunk in chunks:
        if len(chunk) and chunk.null_count < len(chunk):
            offsets, data = chunk.buffers()[1:3]
            width = 8 if pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type) else 4
            ends = np.frombuffer(offsets, dtype=np.int64 if width == 8 else np.int32)
            start, stop = int(ends[chunk.offset]), int(ends[chunk.offset + len(chunk)])
            if data is not None and _holds(data.slice(start, stop - start).to_pybytes(), needle):
                return True
    return False


def _holds(text: bytes, needle: bytes) -> bool:
    """Whether ``text`` holds ``needle``, told first by a byte of it that ``text`` lacks.

    ``bytes.find`` of one byte is ``memchr`` (about 2 ms for the extras of 860,000 annotations); of a needle
    starting with a common byte (``"voc:``) it runs about twenty times slower, and most needles looked for
    have a byte the texts never hold.

    >>> _holds(b'{"a":1}', b'"voc:'), _holds(b'{"voc:x":1}', b'"voc:'), _holds(b"vo c:", b"voc:")
    (False, True, False)
    """
    return all(text.find(needle[i : i + 1]) >= 0 for i in range(len(needle))) and text.find(needle) >= 0


def spliced_rows(column: pa.Array | pa.ChunkedArray, rows: NDArray[np.int64], values: pa.Array) -> pa.Array:
    """``column`` (one array) with the values at ``rows`` replaced by ``values``, of the same type, in order.

    The new values are appended and taken in place of the old: no Python object for the other rows.

    >>> spliced_rows(pa.array([1, 2, 3]), np.array([0, 2]), pa.array([7, 9])).to_pylist()
    [7, 2, 9]
    """
    whole = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    index = np.arange(len(whole))
    index[rows] = len(whole) + np.arange(len(rows))
    return pa.concat_arrays([whole, values]).take(pa.array(index))


def compact_nulls(table: pa.Table) -> pa.Table:
    """Replace every all-null column of ``table`` by a :func:`null_array` (same values, less memory)."""
    for i, column in enumerate(table.columns):
        if len(column) and column.null_count == len(column) and not pa.types.is_fixed_size_list(column.type):
            table = table.set_column(i, table.field(i), null_array(column.type, len(column)))
    return table


def conform(name: str, table: pa.Table) -> pa.Table:
    """Return ``table`` with exactly the columns of schema ``name``, in order; missing columns are null.

    Raises:
        ValueError: a column has a type that cannot be cast to the schema's.
    """
    schema = SCHEMAS[name]
    if table.schema.equals(schema) and _names(table.schema) == _names(schema):
        return table
    columns = []
    for field in schema:
        if field.name in table.column_names:
            column = table.column(field.name)
            if not column.type.equals(field.type) or str(column.type) != str(field.type):
                column = column.cast(field.type)
            columns.append(column)
        else:
            columns.append(null_array(field.type, table.num_rows))
    return pa.Table.from_arrays(columns, schema=schema)


def _names(schema: pa.Schema) -> str:
    """The schema's columns and types as text, with the names of list elements and struct fields.

    Arrow's type equality ignores a list's element name: a Parquet file names it ``element`` where the
    schemas' lists have ``item``, and a table read so, equal but not renamed, wrote other Parquet bytes.
    """
    text: str = schema.to_string(show_field_metadata=False, show_schema_metadata=False)
    return text


def columns_error(name: str, table: pa.Table) -> Exception | None:
    """The error of a table given to the dataset with a column not of schema ``name``, or one twice, or None.

    :func:`conform` keeps the schema's columns only: another (a typo, ``catgory_id``, or a field of its own)
    was dropped without a word. pandas' index columns (``__index_level_0__``) are row labels, not data: skipped,
    as the Parquet reader skips them.
    """
    from labelkit.errors import InputError

    names = table.column_names
    known = SCHEMAS[name].names
    unknown = [c for c in names if c not in known and not (c.startswith("__index_level_") and c.endswith("__"))]
    if unknown:
        where = "metadata" if name == "items" else "extras"
        return InputError(
            f"{name}.{unknown[0]}: not a column of labelkit's {name} table",
            hint=f"it would not be kept: drop it, or keep its values in the rows' {where} (a JSON object)",
        )
    twice = next((c for i, c in enumerate(names) if c in names[:i]), None)
    if twice is not None:
        return InputError(f"{name}.{twice}: the column appears more than once", hint="keep one of them")
    return None


def conform_error(name: str, table: pa.Table, exc: Exception) -> Exception:
    """The error of a table :func:`conform` refuses (``exc`` as its cause): an ``InputError`` naming it.

    It names the table and column (``objects.bbox: not list<double>``, with the type found), or for a list of
    another length than the schema's the first such row (``objects row 0: bbox holds 3 values, not 4``).
    """
    from labelkit.errors import InputError

    for field in SCHEMAS[name]:
        if field.name not in table.column_names:
            continue
        column = table.column(field.name)
        try:
            column.cast(field.type)
        except (ValueError, TypeError, pa.ArrowException) as cast_exc:
            error = InputError(
                f"{name}.{field.name}: not {field.type}", found=f"{column.type}: {str(cast_exc).splitlines()[0]}"
            )
            if (misfit := _first_misfit(column, field.type)) is not None:
                row, length = misfit
                error = InputError(f"{name} row {row}: {field.name} holds {length} values, not {field.type.list_size}")
            error.__cause__ = exc
            return error
    return exc


def _first_misfit(column: pa.ChunkedArray, expected: pa.DataType) -> tuple[int, int] | None:
    """The first row of a variable list ``column`` of another length than the fixed-size ``expected``, and its length.

    None when ``expected`` is no fixed-size list, ``column`` no variable list (large, view too), or every row fits.
    """
    misfits = _misfits(column, expected, 1)
    return misfits[0] if misfits else None


def _misfits(column: pa.ChunkedArray, expected: pa.DataType, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` rows of :func:`_first_misfit`'s kind, each with its length (column operations)."""
    if not pa.types.is_fixed_size_list(expected) or not (
        pa.types.is_list(column.type) or pa.types.is_large_list(column.type) or pa.types.is_list_view(column.type)
    ):
        return []
    lengths = pc.list_value_length(column).combine_chunks()
    wrong = pc.indices_nonzero(pc.not_equal(lengths, expected.list_size).fill_null(False))[:limit].to_pylist()
    return [(row, lengths[row].as_py()) for row in wrong]


def list_misfits(name: str, table: pa.Table, limit: int) -> list[tuple[int, str]]:
    """The rows of ``table`` (of the schema ``name``) holding a list of another length than its fixed-size column's.

    At most ``limit`` per column, each ``(row, message)`` (``bbox holds 3 values, not 4``), by row: a variable list
    stands for a fixed-size one (a Parquet table written by another tool), each row's length checked.
    """
    found = [
        (row, f"{field.name} holds {length} values, not {field.type.list_size}")
        for field in SCHEMAS[name]
        if field.name in table.column_names
        for row, length in _misfits(table[field.name], field.type, limit)
    ]
    return sorted(found, key=lambda misfit: misfit[0])


def decode_json_cells(texts: pa.Array, type_: Any) -> list[Any] | None:
    """Every non-null JSON-text cell of ``texts`` decoded as ``type_`` in one msgspec call, or None.

    None means a cell is not exactly one such value (the caller then looks at the cells one by one). The
    cells are joined by Arrow into one JSON array, with no Python string per cell, and joined with a raw
    newline, which is whitespace between values but not allowed inside a string: a cell ending inside a
    string cannot pass, and a cell holding ``{...},{...}`` adds an element, which the length check catches.
    """
    import msgspec
    import pyarrow.compute as pc

    values = texts.drop_null()
    if not len(values):
        return []
    # a batch of about JSON_BATCH bytes at a time: the joined text is copied twice (100 MB of metadata took 0.4 GB)
    decoded: list[Any] = []
    for a, b in sized_batches(pc.binary_length(values).to_numpy(zero_copy_only=False), JSON_BATCH):
        part = values.slice(a, b - a)
        joined = pc.binary_join(pa.ListArray.from_arrays(pa.array([0, len(part)], pa.int32()), part), ",\n")[0]
        try:
            batch = msgspec.json.decode(b"[" + joined.as_buffer().to_pybytes() + b"]", type=list[type_])
        except (msgspec.DecodeError, UnicodeDecodeError):
            return None
        if len(batch) != len(part):
            return None
        decoded += batch
    return decoded


JSON_BATCH = 1 << 24
"""Bytes of JSON-text cells :func:`decode_json_cells` decodes at a time (16 MiB; a cell longer than that alone)."""


def decode_json_cell(text: str | None) -> dict[str, Any]:
    """Decode one JSON-text cell of a table (null -> empty dict)."""
    return decode_json(text)


def members_or_raw(text: str) -> dict[str, Any]:
    """A JSON-object cell's members, decoded; all undecoded (``msgspec.Raw``) where one holds a number no float holds.

    Such a number, nested or not (a COCO field carried as written, ``"area": 1e400``), keeps its key and text.
    """
    from labelkit.errors import InputError

    try:
        return decode_json_cell(text)
    except InputError:
        import msgspec

        return dict(msgspec.json.decode(text, type=dict[str, msgspec.Raw]))


# -- source text ---------------------------------------------------------------------------------------

_SOURCE_TEXT: dict[int, tuple[weakref.ref[pa.Table], str, dict[str, pa.ChunkedArray]]] = {}


def keep_source_text(table: pa.Table, column: str, source: str, text: pa.ChunkedArray) -> None:
    """Remember ``text`` (one cell per row of ``table``) as how format ``source`` wrote the values of ``column``.

    A writer of that format may then write a row's text instead of formatting its values again: COCO ->
    COCO passes polygons and boxes through as they were read (null cells are formatted). The text holds for
    ``table`` itself only, and only while it lives; a table made from it (filtered, taken, with a column
    replaced) has none. Tables are immutable, so the text cannot fall out of step with the values.
    """
    if len(text) != table.num_rows:
        raise ValueError(f"{len(text)} texts for {table.num_rows} rows")
    key = id(table)
    entry = _SOURCE_TEXT.get(key)
    if entry is None or entry[0]() is not table or entry[1] != source:
        entry = (weakref.ref(table, lambda _: _SOURCE_TEXT.pop(key, None)), source, {})
        _SOURCE_TEXT[key] = entry
    entry[2][column] = text


def source_text(table: pa.Table, column: str, source: str) -> pa.ChunkedArray | None:
    """The text kept by :func:`keep_source_text` for ``table``'s ``column`` as format ``source`` wrote it."""
    entry = _SOURCE_TEXT.get(id(table))
    if entry is None or entry[0]() is not table or entry[1] != source:
        return None
    return entry[2].get(column)
