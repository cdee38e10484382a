"""Raw JSON values of many COCO annotations as Arrow columns: joined as binary, or parsed as NDJSON by pyarrow.json.

Used by the COCO reader's table builders (:mod:`.coco_objects`, :mod:`.coco_geometry`, :mod:`.coco_extras`):
no Python object per coordinate, and a value that does not parse is found again and named by its pointer.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.json as pj

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_columns import one_line
from labelkit.formats.coco_read import Raw, msgspec_reason, pointer_of
from labelkit.json_places import shown_at

BLOCK = 1 << 21
"""pyarrow.json block size: a chunk's NDJSON (about 17 MB of polygons) splits into blocks parsed on all cores."""

_CHUNK = 100_000
"""Values parsed per pyarrow.json call by :func:`parse_lists` (keypoints): bounds the NDJSON buffer."""


def ndjson(values: Sequence[Raw]) -> tuple[bytes, int]:
    """Raw JSON values as NDJSON lines ``{"v": <value>}``, and the longest value's length."""
    longest = max(map(len, values), default=0)
    return b'{"v":' + b'}\n{"v":'.join(one_line(bytes(v)) for v in values) + b"}\n", longest


def read_ndjson(buf: bytes, longest: int, value_type: pa.DataType) -> pa.Array:
    """Parse :func:`ndjson` lines under an explicit schema (runs in a worker thread: Arrow drops the GIL).

    Raises:
        pyarrow.ArrowInvalid: a value does not fit the schema (null values count as not fitting).
    """
    table = pj.read_json(
        io.BytesIO(buf),
        read_options=pj.ReadOptions(block_size=max(BLOCK, 2 * longest + 64)),
        parse_options=pj.ParseOptions(
            explicit_schema=pa.schema([("v", value_type)]), unexpected_field_behavior="error"
        ),
    )
    column = table.column("v")
    if column.null_count:
        raise pa.ArrowInvalid("null where a list was expected")
    return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)


def parse_lists(
    values: Sequence[Raw], value_type: pa.DataType, path: Path, field_name: str, rows: Sequence[int]
) -> pa.ChunkedArray:
    """Parse raw JSON arrays (polygons ``[[x, y, ...], ...]`` or flat keypoints) into one Arrow column.

    The raw bytes are wrapped as NDJSON lines and read by ``pyarrow.json`` under an explicit schema, a
    chunk at a time.

    Raises:
        InputError: a value is not an array of numbers of the expected depth.
    """
    chunks: list[pa.Array] = []
    for start in range(0, len(values), _CHUNK):
        part = values[start : start + _CHUNK]
        buf, longest = ndjson(part)
        try:
            chunks.append(read_ndjson(buf, longest, value_type))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise first_bad(part, value_type, path, field_name, rows[start : start + _CHUNK], exc) from exc
    return pa.chunked_array(chunks, type=value_type)


def first_bad(
    part: Sequence[Raw],
    value_type: pa.DataType,
    path: Path,
    field_name: str,
    rows: Sequence[int],
    exc: Exception | None,
) -> InputError:
    """The error for the first value of ``part`` that is not a list of numbers of the expected depth."""
    nested = pa.types.is_list(value_type.value_type)
    type_: Any = list[list[float]] if nested else list[float]
    for raw, row in zip(part, rows, strict=True):
        try:
            msgspec.json.decode(raw, type=type_)
        except msgspec.ValidationError as err:
            sub, reason = pointer_of(str(err)) or "", msgspec_reason(err)
            what = "a list of polygons (lists of numbers)" if nested else "a list of numbers"
            return InputError(
                f"{field_name} must be {what}",
                path=path,
                pointer=json_pointer("annotations", row, field_name) + sub,
                found=shown_at(raw, sub, reason) if reason.startswith("Expected") else reason,
            )
    return InputError(f"unreadable {field_name}: {exc}", path=path)
