"""What labelkit's own readers refuse in a dataset's values, found column by column (numpy and Arrow compute).

The records refuse these values (:mod:`labelkit.model.annotations`), and so do both native readers: labelkit
JSON through the records, labelkit Parquet through :func:`value_findings`. A table given to
:meth:`~labelkit.model.Dataset.from_tables` may hold them; the native writers refuse them before writing
(:func:`check_values`), so that they never write a file their reader refuses. So are ids repeated, references
to no item or category and categories whose parent is not one (:func:`reference_findings`,
:func:`refuse_unreadable`, which both writers' ``check`` calls). NaN and infinity are refused by every
target's plan (:func:`refuse_non_finite`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, get_args

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import OutputError, json_pointer
from labelkit.formats.capability import refuse_missing_ids
from labelkit.formats.native_categories import category_findings, check_parents
from labelkit.json_checks import MAX_VALUE_DEPTH, TOO_DEEP, deep_member
from labelkit.json_repeats import REPEATED_KEY, may_repeat, repeated_keys
from labelkit.model import Dataset
from labelkit.model import tables as T
from labelkit.model.annotations import INT64_MAX, INT64_MIN, SHAPES, UINT64_MAX
from labelkit.model.dataset import TABLE_NAMES
from labelkit.model.records import MediaKind
from labelkit.model.rle import mask_column_problems
from labelkit.model.tables import ANNOTATION_TABLES, decode_json_cells, true_mask, valid_mask
from labelkit.report import Finding


def value_findings(
    dataset: Dataset, where_of: Callable[[str], str], limit: int, non_finite: bool = True
) -> list[Finding]:
    """The rows whose values the records refuse, at most ``limit`` per kind and table.

    Args:
        dataset: the dataset.
        where_of: where a table's rows are, by table name (a finding is at ``row <i>`` of it, 0-based).
        limit: findings per kind at most.
        non_finite: look for NaN and infinity too (False: the caller has refused them already).
    """
    findings: list[Finding] = []
    for name in TABLE_NAMES[1:]:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        where = where_of(name)
        if "polygon" in table.column_names:
            findings += _polygon_findings(table, where, limit)
        if "mask" in table.column_names:
            findings += _mask_findings(table["mask"], where, limit)
        if "keypoints" in table.column_names:
            lengths = pc.list_value_length(table["keypoints"]).fill_null(0).to_numpy(zero_copy_only=False)
            for row in np.flatnonzero(lengths % 3).tolist()[:limit]:
                findings.append(Finding(where, f"row {row}", "keypoints are not x, y, visibility triples"))
        for column in _LISTS.get(name, ()):
            findings += [
                Finding(where, f"row {row}", f"{column} holds a null value")
                for row in _null_element_rows(table[column])[:limit]
            ]
    for name in TABLE_NAMES:
        findings += _value_findings(dataset.table(name), name, where_of(name), limit, non_finite)
    for name in TABLE_NAMES:
        table = dataset.table(name)
        for column in sorted(set(table.column_names) & JSON_COLUMNS):
            if table[column].null_count == table.num_rows:
                continue  # (no cell: nothing to decode)
            where = where_of(name)
            unreadable = json_object_finding(table, column, where)
            if unreadable is not None:
                findings.append(unreadable)
                continue
            if column in _TYPED_CELLS:
                type_, suspect, message = _TYPED_CELLS[column]
                bad_rows = _bad_typed_rows(table[column], type_, suspect, 1)
                if bad_rows:
                    findings.append(Finding(where, f"row {bad_rows[0]}", message))
                    continue
            low, high = (INT64_MIN, INT64_MAX) if column == "attributes" else (INT64_MIN, UINT64_MAX)
            bad = _big_int_row(table[column], low, high)
            if bad is not None:
                findings.append(Finding(where, f"row {bad}", f"{column} holds an integer that does not fit 64 bits"))
    return findings


def json_object_finding(table: pa.Table, column: str, where: str) -> Finding | None:
    """The first row of a JSON-text ``column`` of ``table`` that is no JSON object, or nests one too deep; or None.

    What :func:`value_findings` finds of such a column before its values' types, which ``labelkit.split`` checks
    too before it reads the cells (a ``metadata`` cell ``"[1]"`` or ``"{bad"``).
    """
    if column not in table.column_names or table[column].null_count == table.num_rows:
        return None  # (no cell: nothing to decode)
    deep = _deep_row(table[column])  # (first: msgspec, which decodes the cells below, recurses)
    if deep is not None:
        row, key = deep
        return Finding(where, f"row {row}", f"{column} holds a {TOO_DEEP} (at {json_pointer(key)})")
    bad = _bad_json_row(table[column])
    if bad is not None:
        return Finding(where, f"row {bad}", f"{column} is not a JSON object")
    return None


def repeated_key_findings(dataset: Dataset, where_of: Callable[[str], str], limit: int) -> list[Finding]:
    """The JSON cells (metadata, attributes, extras) holding a key repeated in one object, at most ``limit`` per column.

    Readers keep the last value without a word, as of a labelkit JSON document's repeats, which ``validate`` names
    too. A cell is parsed again, pair by pair, only where its key ends are more than its keys.
    """
    findings: list[Finding] = []
    for name in TABLE_NAMES:
        table = dataset.table(name)
        for column in sorted(set(table.column_names) & JSON_COLUMNS):
            cells = table[column].to_pylist()
            if not _may_repeat(cells):
                continue
            found = 0
            for row, text in enumerate(cells):
                if text is None or found >= limit:
                    continue
                data = text.encode()
                try:
                    if not may_repeat(data, orjson.loads(data)):
                        continue
                except orjson.JSONDecodeError:
                    continue  # (not JSON: value_findings names it)
                for at in repeated_keys(data)[: limit - found]:
                    found += 1
                    message = f"{column} at {json_pointer(*at)}: " + REPEATED_KEY.format(key=at[-1])
                    findings.append(Finding(where_of(name), f"row {row}", message))
    return findings


def beyond_float_findings(dataset: Dataset, where_of: Callable[[str], str], limit: int) -> list[Finding]:
    """The metadata and extras cells holding a number no float holds (``1e400``), at most ``limit`` per column.

    The reader keeps such a cell as written (COCO's ``"area": 1e400`` is carried so, to COCO and Parquet), but a
    writer that parses the cell cannot: labelkit JSON stopped with an error naming the folder and a record id, after
    ``validate`` said ok. The cells are JSON objects (:func:`value_findings` found none that is not), so a cell
    msgspec refuses holds such a number; only cells whose text may hold one are decoded.
    """
    findings: list[Finding] = []
    for name in TABLE_NAMES:
        table = dataset.table(name)
        for column in sorted(set(table.column_names) & JSON_COLUMNS - _TYPED_CELLS.keys()):
            findings += [
                Finding(where_of(name), f"row {row}", f"{column} holds a number no float holds: {_BEYOND_FLOAT_WORDS}")
                for row in _bad_typed_rows(table[column], Any, _BEYOND_FLOAT, limit)
            ]
    return findings


_BEYOND_FLOAT_WORDS = "the reader keeps it as written, labelkit JSON cannot write it"


def _may_repeat(cells: list[str | None]) -> bool:
    """Whether a column's JSON cells may repeat a key: parsed as one array, they hold fewer keys than key ends.

    One parse for the column, not one per cell: the usual column repeats none.
    """
    texts = [t for t in cells if t is not None]
    if not texts:
        return False
    data = ("[" + ",".join(texts) + "]").encode()
    try:
        return may_repeat(data, orjson.loads(data))
    except orjson.JSONDecodeError:
        return True  # (a cell that is not JSON: each is looked at, and value_findings names it)


def mask_run_findings(
    dataset: Dataset, path: str, where: Callable[[int], str], limit: int | None = None
) -> list[Finding]:
    """Masks whose runs do not make their mask (:func:`~labelkit.model.rle.mask_column_problems`), in ``validate``.

    The record allows them (so both native readers take them) and every mask writer refuses them: ``RLE counts add
    up to 3, not 16 (height x width)``. Both native formats' ``validate`` report them, once nothing else is found.

    Args:
        dataset: the dataset read.
        path: the file the objects are in.
        where: where in it an ``objects`` row's mask is (labelkit JSON: its JSON pointer; Parquet: ``row <i>``).
        limit: findings at most (None: all).
    """
    problems = mask_column_problems(dataset.table("objects")["mask"], pycocotools=False)  # (no 2**31 limit)
    return [Finding(path, where(row), message) for row, message in sorted(problems.items())[:limit]]


def check_values(dataset: Dataset, target: str, hint: str | None = None) -> None:
    """Refuse to write values the native readers refuse (see :func:`value_findings`), NaN and infinity aside.

    :func:`refuse_unreadable` has refused those already, with a message of their own.

    Raises:
        OutputError: naming the table, the row (0-based, as ``table.slice``) and the column of the first,
            in table order (``objects row 3: keypoints are not x, y, visibility triples``).
    """
    findings = value_findings(dataset, lambda name: name, limit=1, non_finite=False)
    if findings:
        first = min(findings, key=lambda f: (TABLE_NAMES.index(f.path), int(f.where.split()[1])))
        raise OutputError(
            f"{first.path} {first.where}: {first.message}",
            hint=hint or f"{target} readers refuse it: fix the tables given to Dataset.from_tables",
        )


_LISTS: dict[str, tuple[str, ...]] = {"objects": ("bbox", "keypoints", "polygon_holes")}
"""List columns whose values the records type (a number, a flag): a null inside is refused."""


def _null_element_rows(column: pa.ChunkedArray) -> list[int]:
    """Rows of a list column holding a null value inside a list (a null list is no value: fine)."""
    values = column.combine_chunks()
    flat = pc.list_flatten(values)
    if not flat.null_count:
        return []
    owner = pc.list_parent_indices(values).to_numpy()
    return sorted(set(owner[~valid_mask(flat)].tolist()))


_ANNOTATION_REQUIRED = ("id", "item_id")
_REQUIRED: dict[str, tuple[str, ...]] = {
    "items": ("id",),
    **{name: _ANNOTATION_REQUIRED for name in ANNOTATION_TABLES},
    "spans": (*_ANNOTATION_REQUIRED, "start", "end"),
    "transcripts": (*_ANNOTATION_REQUIRED, "text"),
    "tokens": ("item_id", "index", "start", "end", "text"),
}
"""Columns every row needs (the records' required fields)."""
_COUNTS: dict[str, tuple[str, ...]] = {
    "items": ("width", "height", "frame_count"),
    "objects": ("frame",),
    "spans": ("start", "end"),
    "tokens": ("index", "start", "end"),
}
"""Columns of sizes, frames and offsets: never negative."""
_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "items": {"media": get_args(MediaKind)},
    "objects": {"shape": SHAPES},
}


def _value_findings(table: pa.Table, name: str, where: str, limit: int, non_finite: bool) -> list[Finding]:
    """Rows the records would refuse: a required value missing, a negative count, an unknown choice."""
    found: list[tuple[int, str]] = []
    if not table.num_rows:
        return []
    for column in _REQUIRED.get(name, ()):
        for row in pc.indices_nonzero(pc.is_null(table[column]).combine_chunks()).to_pylist()[:limit]:
            found.append((row, f"{column} is missing"))
    for column in _COUNTS.get(name, ()):
        negative = pc.fill_null(pc.less(table[column], 0), False).combine_chunks()
        for row in pc.indices_nonzero(negative).to_pylist()[:limit]:
            found.append((row, f"{column} is negative ({table[column][row].as_py()})"))
    for column, choices in _CHOICES.get(name, {}).items():
        known = pc.or_(pc.is_null(table[column]), pc.is_in(table[column], value_set=pa.array(choices)))  # null: default
        unknown = pc.invert(known).combine_chunks()
        for row in pc.indices_nonzero(unknown).to_pylist()[:limit]:
            found.append((row, f"{column} {table[column][row].as_py()!r} is not one of {', '.join(choices)}"))
    for field in table.schema if non_finite else ():
        for row in non_finite_rows(table[field.name])[:limit]:
            found.append((row, f"{field.name} holds NaN or infinity"))
    return [Finding(where, f"row {row}", message) for row, message in sorted(found)[:limit]]


def _innermost(chunk: pa.Array) -> pa.Array:
    """The values of a (nested) list array's rows, without copying; a flat array as it is."""
    while pa.types.is_list(chunk.type) or pa.types.is_fixed_size_list(chunk.type):
        chunk = chunk.flatten()
    return chunk


def non_finite_rows(column: pa.ChunkedArray) -> list[int]:
    """Rows of a float column (or list of floats, at any depth) holding NaN or infinity, which no record holds."""
    if all(
        not pa.types.is_floating(values.type) or pc.all(pc.is_finite(values)).as_py() is not False
        for values in map(_innermost, column.chunks)
    ):
        return []  # (the usual case, seen chunk by chunk without copying: no row to find)
    values = column.combine_chunks()
    rows = np.arange(len(values))
    while pa.types.is_list(values.type) or pa.types.is_fixed_size_list(values.type):
        rows = rows[pc.list_parent_indices(values).to_numpy()]
        values = pc.list_flatten(values)
    bad = ~np.asarray(pc.is_finite(values).fill_null(True).to_numpy(zero_copy_only=False), dtype=bool)
    return sorted(set(rows[bad].tolist()))


def _mask_findings(column: pa.ChunkedArray, where: str, limit: int) -> list[Finding]:
    """Masks the records refuse: a size missing or negative, not exactly one of counts and runs, a bad run."""
    mask = column.combine_chunks()
    if mask.null_count == len(mask):
        return []
    present = valid_mask(mask)
    found: list[tuple[int, str]] = []
    for side in ("height", "width"):
        size = pc.struct_field(mask, side)
        missing = present & ~valid_mask(size)
        negative = np.asarray(pc.fill_null(pc.less(size, 0), False).to_numpy(zero_copy_only=False), dtype=bool)
        found += [(r, f"mask {side} is missing") for r in np.flatnonzero(missing)[:limit].tolist()]
        found += [(r, f"mask {side} is negative") for r in np.flatnonzero(negative)[:limit].tolist()]
    counts, runs = valid_mask(pc.struct_field(mask, "counts")), valid_mask(pc.struct_field(mask, "runs"))
    found += [
        (r, "mask has neither counts nor runs") for r in np.flatnonzero(present & ~counts & ~runs)[:limit].tolist()
    ]
    found += [(r, "mask has both counts and runs") for r in np.flatnonzero(counts & runs)[:limit].tolist()]
    values = pc.struct_field(mask, "runs")
    owner = pc.list_parent_indices(values).to_numpy()
    flat = pc.list_flatten(values)
    bad_run = np.asarray(pc.fill_null(pc.less(flat, 0), True).to_numpy(zero_copy_only=False), dtype=bool)
    found += [(r, "mask runs hold a negative or null run") for r in sorted(set(owner[bad_run].tolist()))[:limit]]
    return [Finding(where, f"row {row}", message) for row, message in sorted(found)[:limit]]


def _polygon_findings(table: pa.Table, where: str, limit: int) -> list[Finding]:
    """Polygons with a null ring or coordinate or an odd ring, and hole flags that are not one per ring."""
    if _plain_polygons(table):
        return []
    polygon = table["polygon"].combine_chunks()
    rings = pc.list_flatten(polygon)
    owner = np.repeat(
        np.arange(len(polygon)), pc.list_value_length(polygon).fill_null(0).to_numpy(zero_copy_only=False)
    )
    bad = set(owner[np.flatnonzero(~valid_mask(rings))].tolist())
    coords = pc.list_flatten(rings)
    if coords.null_count:
        ring_of = np.repeat(
            np.arange(len(rings)), pc.list_value_length(rings).fill_null(0).to_numpy(zero_copy_only=False)
        )
        bad |= set(owner[ring_of[np.flatnonzero(~valid_mask(coords))]].tolist())
    found = [Finding(where, f"row {r}", "polygon has a null ring or coordinate") for r in sorted(bad)[:limit]]
    lengths = pc.list_value_length(rings).fill_null(0).to_numpy(zero_copy_only=False)
    odd = set(owner[np.flatnonzero(lengths % 2)].tolist())
    found += [
        Finding(where, f"row {r}", "polygon has a ring of an odd number of coordinates (rings are x, y pairs)")
        for r in sorted(odd)[:limit]
    ]
    flags = pc.list_value_length(table["polygon_holes"]).to_numpy(zero_copy_only=False)
    counts = pc.list_value_length(polygon).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        wrong = ~np.isnan(flags) & (np.nan_to_num(flags, nan=0) != np.nan_to_num(counts, nan=0))
    found += [
        Finding(where, f"row {r}", "polygon_holes is not one flag per ring") for r in np.flatnonzero(wrong)[:limit]
    ]
    return found


def _plain_polygons(table: pa.Table) -> bool:
    """Whether no polygon has a finding (the usual case), seen chunk by chunk without copying the column."""
    for chunk in table["polygon"].chunks:
        rings = chunk.flatten()
        if rings.null_count or rings.flatten().null_count:
            return False
        if np.any(pc.list_value_length(rings).to_numpy() & 1):
            return False
    flags, counts = pc.list_value_length(table["polygon_holes"]), pc.list_value_length(table["polygon"])
    return pc.any(pc.not_equal(flags, pc.fill_null(counts, 0))).as_py() is not True  # (null flags: none to match)


JSON_COLUMNS = frozenset({"attributes", "extras", "metadata", "columns"})
"""Text columns that hold one JSON object per row (or null)."""


def _bad_json_row(column: pa.ChunkedArray) -> int | None:
    """The first row of ``column`` that is not a JSON object, or None: one decode for the whole column."""
    texts = column.drop_null().combine_chunks()
    if decode_json_cells(texts, _AnyObject) is not None:
        return None
    rows = pc.indices_nonzero(column.is_valid().combine_chunks()).to_pylist()
    row: int
    for row, text in zip(rows, texts.to_pylist(), strict=True):
        try:
            msgspec.json.decode(text.encode(), type=_AnyObject)
        except (msgspec.DecodeError, UnicodeDecodeError):
            return row
    return None


_ATTRIBUTES = dict[str, bool | int | float | str | list[str]]
"""What an ``attributes`` cell holds (msgspec refuses a number past float64's range, ``1e400``, as one)."""
_BEYOND_FLOAT = r"[eE]\+?[0-9]{3}|[0-9]{210}"
"""Text every number past float64's range holds: an exponent of three digits, or 210 digits before one of two at
most (99 added to 209 digits stays below 1.8e308; ``[0-9]{300}`` missed 250 digits and ``e80``)."""
_SUSPECT_ATTRIBUTES = r'(?s)null|\{.*\{|\[\s*[^"\s\]]|"\s*,\s*[^"\s]|' + _BEYOND_FLOAT
"""Text every JSON object that is not such a mapping holds (a null, a nested object, a list of something
else than texts, a number beyond float64), and few that are: only cells matching it are decoded."""
_TYPED_CELLS: dict[str, tuple[Any, str, str]] = {
    "attributes": (
        _ATTRIBUTES,
        _SUSPECT_ATTRIBUTES,
        "attributes holds a value that is not a bool, integer, finite number, text or list of texts",
    ),
    # a token's columns are texts: a value that is not one follows a colon (a text holding one may too)
    "columns": (dict[str, str], r':\s*[^"\s]', "columns holds a value that is not a text"),
}
"""JSON-text columns whose values the records type: the type, the text any wrong cell holds, the finding."""


def _bad_typed_rows(column: pa.ChunkedArray, type_: Any, suspect: str, limit: int) -> list[int]:
    """The first ``limit`` rows of a column of JSON objects whose object is not of ``type_``.

    Only the cells matching ``suspect`` (which every wrong one does) are decoded.
    """
    matches = pc.fill_null(pc.match_substring_regex(column, suspect), False).combine_chunks()
    bad: list[int] = []
    for row in pc.indices_nonzero(matches).to_pylist():
        if len(bad) == limit:
            break
        try:
            msgspec.json.decode(column[row].as_py().encode(), type=type_)
        except msgspec.DecodeError:
            bad.append(int(row))
    return bad


def _deep_row(column: pa.ChunkedArray) -> tuple[int, str] | None:
    """The first row of a JSON-text ``column`` holding a value nested more than MAX_VALUE_DEPTH levels, and its key.

    Such a cell passed ``validate`` and ``load`` of a Parquet folder, then ``items()`` refused its record (and one
    a thousand levels deep was msgspec's RecursionError). Its object and that value open more than
    MAX_VALUE_DEPTH + 1 brackets: only cells of as many are read, as text.
    """
    long = true_mask(pc.greater(pc.binary_length(column), 2 * (MAX_VALUE_DEPTH + 1)))
    if not long.any():
        return None  # (the usual case: no cell is long enough)
    rows = np.flatnonzero(long)
    some = column.take(pa.array(rows))
    brackets = pc.add(pc.count_substring(some, "["), pc.count_substring(some, "{"))
    for row in rows[true_mask(pc.greater(brackets, MAX_VALUE_DEPTH + 1))].tolist():
        key = deep_member(column[row].as_py().encode(), MAX_VALUE_DEPTH)
        if key is not None:
            return int(row), key
    return None


def _big_int_row(column: pa.ChunkedArray, low: int, high: int) -> int | None:
    """The first row of a JSON-text ``column`` holding an integer outside ``low..high``, or None.

    Such an integer would be read back as a float by the JSON writers, its digits lost. Only cells with
    a run of 19 digits (as long as 2**63) can hold one, so only those are decoded.
    """
    if not len(column) or not any(_NINETEEN in _text_bytes(chunk).translate(_DIGITS) for chunk in column.chunks):
        return None  # (the usual case: a quick pass over the column's text, its digits made 0s, finds no run)
    candidates = pc.fill_null(pc.match_substring_regex(column, r"[0-9]{19}"), False).combine_chunks()
    for row in pc.indices_nonzero(candidates).to_pylist():
        if _holds_int_outside(json.loads(column[row].as_py()), low, high):
            return int(row)
    return None


_DIGITS = bytes.maketrans(b"0123456789", b"0" * 10)
_NINETEEN = b"0" * 19


def _text_bytes(chunk: pa.Array) -> bytes:
    """The text of a string chunk's cells, one after the other (nulls hold none)."""
    if not len(chunk) or chunk.null_count == len(chunk):
        return b""
    offsets, data = chunk.buffers()[1:3]
    large = pa.types.is_large_string(chunk.type) or pa.types.is_large_binary(chunk.type)
    ends = np.frombuffer(offsets, dtype=np.int64 if large else np.int32)
    start, stop = int(ends[chunk.offset]), int(ends[chunk.offset + len(chunk)])
    return b"" if data is None else data.slice(start, stop - start).to_pybytes()


def _holds_int_outside(value: Any, low: int, high: int) -> bool:
    if isinstance(value, dict):
        return any(_holds_int_outside(v, low, high) for v in value.values())
    if isinstance(value, list):
        return any(_holds_int_outside(v, low, high) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high


class _AnyObject(msgspec.Struct):
    """Any JSON object (its members are not kept): decoding into it checks a text is one."""


def non_finite(dataset: Dataset) -> list[str]:
    """``table.column`` names of float columns holding NaN or infinity (JSON has neither).

    The first is followed by where it first holds one: ``objects.score (first at objects row 3)``.
    """
    found: list[str] = []
    for name in (*T.ANNOTATION_TABLES, "items"):
        table = dataset.table(name)
        for field in table.schema:
            rows = non_finite_rows(table[field.name])
            if rows:
                found.append(f"{name}.{field.name}" + ("" if found else f" (first at {name} row {rows[0]})"))
    return found


def refuse_non_finite(dataset: Dataset, cannot_hold: str) -> None:
    """Refuse NaN and infinity, which no record holds and only ``Dataset.from_tables`` can give.

    Every target's plan calls it: labelkit JSON has no such numbers, nor has COCO JSON; YOLO wrote a NaN box's
    width as 0.0 (and a NaN angle as ``null``), VOC a NaN corner as the other one. ``cannot_hold`` begins the
    message: ``YOLO detect cannot hold``.

    Raises:
        OutputError: naming each such column, and the first row of the first
            (``found in objects.bbox (first at objects row 0)``).
    """
    bad = non_finite(dataset)
    if bad:
        raise OutputError(
            f"{cannot_hold} NaN or infinity, found in {', '.join(bad)}",
            hint="records refuse non-finite numbers; clean the tables given to Dataset.from_tables",
        )


def refuse_unholdable(dataset: Dataset, fmt: Any, title: str) -> None:
    """Refuse what ``fmt`` cannot hold of the values no record holds, which only ``Dataset.from_tables`` can give.

    Every target's plan calls it: NaN and infinity (:func:`refuse_non_finite`, begun with the format's
    ``CANNOT_HOLD`` where it has one, else ``<title> cannot hold``), then, for a format other than the native ones
    (whose ``check`` refuses every such value: :func:`refuse_unreadable`), the values :func:`check_values` refuses
    where a quick look finds one may be there (:func:`_may_hold_unreadable`): COCO, YOLO and VOC met a null box,
    keypoint or polygon value with Python's TypeError, or wrote it as ``nan`` (invalid JSON) or as another corner,
    and wrote a negative image size, which their readers refuse. A dataset given tables whole
    (``Dataset.given_tables``) is checked wholly: COCO wrote a metadata cell's ``NaN`` into its JSON and failed on
    a ``polygon_holes`` list of another length than the rings with Python's ValueError.
    """
    native = getattr(fmt, "CANNOT_HOLD", None)
    refuse_non_finite(dataset, native or f"{title} cannot hold")
    if native is None and (dataset.given_tables or _may_hold_unreadable(dataset)):
        check_values(
            dataset, title, f"no record holds it, nor can {title} write it: fix the tables given to Dataset.from_tables"
        )


def _may_hold_unreadable(dataset: Dataset) -> bool:
    """Whether a null is inside a list column (or a polygon's rings), or an item size is negative.

    A look at null counts and two minimums (no copy of a column), so that the whole check (about a second for a
    million objects) runs only where it finds something.
    """
    objects = dataset.table("objects")
    for column in ("bbox", "keypoints", "polygon_holes", "polygon"):
        if any(_innermost(chunk).null_count for chunk in objects[column].chunks):
            return True
    if any(chunk.flatten().null_count for chunk in objects["polygon"].chunks):  # (a null ring)
        return True
    items = dataset.table("items")
    return any((pc.min(items[side]).as_py() or 0) < 0 for side in ("width", "height"))


def refuse_unreadable(dataset: Dataset, target: str) -> None:
    """Refuse what a native reader refuses, which only ``Dataset.from_tables`` can give (``check`` of both writers).

    NaN and infinity are refused before, by every target's plan (:func:`refuse_non_finite`).
    """
    check_parents(dataset)
    check_unique_ids(dataset, target)
    check_values(dataset, target)


def duplicate_rows(ids: pa.ChunkedArray | pa.Array, limit: int) -> list[int]:
    """Rows whose id appeared in an earlier row (at most ``limit``); rows without an id are not repeats."""
    if not len(ids) or pc.count_distinct(ids).as_py() == len(ids) - ids.null_count:
        return []
    numbered = pa.table({"id": ids, "row": pa.array(range(len(ids)), pa.int64())})
    first = numbered.group_by("id", use_threads=False).aggregate([("row", "min")])
    later = pc.and_(pc.is_valid(ids), pc.invert(pc.is_in(numbered["row"], value_set=first["row_min"].combine_chunks())))
    return [int(r) for r in pc.indices_nonzero(later.combine_chunks()).to_pylist()[:limit]]


def reference_findings(
    dataset: Dataset, manifest: str, where_of: Callable[[str], str], limit: int, references: bool = True
) -> list[Finding]:
    """Ids repeated and references to no item or category, as both native readers refuse them.

    Args:
        dataset: the dataset.
        manifest: where the categories are (a category repeated or with an unknown parent is at
            ``#/categories/<i>``).
        where_of: where a table's rows are, by table name (a row's finding is at ``row <i>``).
        limit: findings per kind at most.
        references: look for references to no item or category too (not only ids repeated).
    """
    findings = category_findings(dataset.categories, manifest)
    seen = {c.id for c in dataset.categories}
    items = dataset.table("items")["id"]
    findings += [
        Finding(where_of("items"), f"row {r}", f"duplicate item id {items[r].as_py()!r}")
        for r in duplicate_rows(items, limit)
    ]
    item_ids = items.combine_chunks()
    categories = pa.array(sorted(seen), pa.int64())
    for name in TABLE_NAMES[1:]:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        where = where_of(name)
        if references:
            findings += _unknown_references(table, where, item_ids, categories, limit)
        if "id" in table.column_names:
            ids = table["id"]
            kind = T.KIND_BY_TABLE[name]
            findings += [
                Finding(where, f"row {r}", f"duplicate {kind} id {ids[r].as_py()!r}")
                for r in duplicate_rows(ids, limit)
            ]
    return findings


def _unknown_references(
    table: pa.Table, where: str, item_ids: pa.Array, categories: pa.Array, limit: int
) -> list[Finding]:
    """Rows of an annotation table whose item, or category, is not in the dataset (with categories)."""
    findings: list[Finding] = []
    bad = pc.invert(pc.is_in(table["item_id"], value_set=item_ids))
    for row in pc.indices_nonzero(bad.combine_chunks()).to_pylist()[:limit]:
        findings.append(Finding(where, f"row {row}", f"unknown item {table['item_id'][row].as_py()!r}"))
    if "category_id" in table.column_names and len(categories):  # (no categories: ids are kept bare)
        col = table["category_id"]
        bad = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=categories)))
        for row in pc.indices_nonzero(bad.combine_chunks()).to_pylist()[:limit]:
            findings.append(Finding(where, f"row {row}", f"unknown category {col[row].as_py()}"))
    return findings


def check_unique_ids(dataset: Dataset, target: str) -> None:
    """Refuse to write what the native readers refuse: an item, category or annotation id repeated.

    Records added to a dataset one by one are not checked against each other (two labels with id ``"3"``):
    written, they made a file its own reader refused. (Annotations of unknown items or categories are left
    out before, and reported lost.)

    A row without an id (a table given to :meth:`~labelkit.model.Dataset.from_tables` without one) is refused
    too (:func:`~labelkit.formats.capability.refuse_missing_ids`, as every target's plan does): the readers refuse it,
    and two of them were called a repeated id ``None``.

    Raises:
        OutputError: naming the first such row (``labels row 1: duplicate label id '3'``, ``objects row 0: id
            is missing``).
    """
    refuse_missing_ids(dataset)
    findings = reference_findings(dataset, "categories", lambda name: name, limit=1, references=False)
    if findings:
        f = findings[0]  # (a category's is at #/categories/<i>/...: the i-th category)
        where = f"categories[{f.where.split('/')[2]}]" if f.where.startswith("#") else f"{f.path} {f.where}"
        raise OutputError(
            f"{where}: {f.message}",
            hint=f"{target} readers refuse it: give each record of a kind an id of its own",
        )
