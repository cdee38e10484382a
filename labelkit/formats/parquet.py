"""labelkit Parquet: a folder of Parquet tables (items, one per annotation kind, tokens) plus ``labelkit.json``.

Spark, Ray Data, Dask, DuckDB and Polars read the tables directly. ``labelkit.json`` holds the format
version, the dataset info and the categories. Lossless for every kind of label.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import msgspec
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BeforeValidator, Field, ValidationError

from labelkit.errors import InputError, OutputError
from labelkit.formats.base import ALL, Detection, Option
from labelkit.formats.native import (
    check_parents,
    check_unique_ids,
    non_finite,
    not_bool,
    pointer_from_loc,
    reference_findings,
    short_list_message,
)
from labelkit.io import parse_json, read_bytes
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model.annotations import INT64_MAX, INT64_MIN, SHAPES, UINT64_MAX, Record
from labelkit.model.dataset import TABLE_NAMES
from labelkit.model.records import MediaKind
from labelkit.model.tables import (
    ANNOTATION_TABLES,
    SCHEMAS,
    compact_nulls,
    conform,
    decode_json_cells,
    valid_mask,
)
from labelkit.report import Finding, Report

NAME = "parquet"
TITLE = "labelkit Parquet"
DESCRIPTION = "labelkit's columnar form: a folder of Parquet tables, lossless for every kind of label"
OUTPUT: Literal["dir"] = "dir"
EXTENSIONS = (".parquet",)
CAPABILITIES = ALL
OPTIONS: dict[str, Option] = {
    "compression": Option(
        "compression", "choice", "zstd", "Parquet compression codec", ("zstd", "snappy", "none"), applies="write"
    ),
}
MANIFEST = "labelkit.json"
VERSION: Literal[1] = 1


class Manifest(Record):
    """``labelkit.json`` of a Parquet dataset folder."""

    format: Literal["labelkit-parquet"] = "labelkit-parquet"
    version: Annotated[Literal[1], BeforeValidator(not_bool)] = VERSION
    info: DatasetInfo = Field(default_factory=DatasetInfo)
    categories: list[Category] = Field(default_factory=list)


def detect(path: Path) -> Detection | None:
    """A folder with ``labelkit.json`` and ``items.parquet``."""
    if path.is_dir() and (path / MANIFEST).is_file() and (path / "items.parquet").is_file():
        return Detection(1.0, f"folder with {MANIFEST} and items.parquet")
    return None


def _manifest(path: Path) -> Manifest:
    file = path / MANIFEST
    data = read_bytes(file)
    value = parse_json(data, file)  # strict JSON (no NaN), errors with their line
    try:  # strictly, from the text, as labelkit JSON: no "1" or 1.0 for an id, no integer past 64 bits as a float
        return Manifest.model_validate_json(data, strict=True)
    except ValidationError as exc:
        errors = exc.errors()
        message = short_list_message(list(errors)) or errors[0]["msg"]
        raise InputError(message, path=file, pointer=pointer_from_loc(tuple(errors[0]["loc"]), value)) from exc


ROW_GROUP_SIZE = 65_536
"""Rows per Parquet row group: readers decode one group at a time, so this bounds their working memory."""


_PANDAS_INDEX = re.compile(r"__index_level_\d+__")
"""The index pandas' ``to_parquet`` stores as a column: row labels, not data."""


def _read_table(path: Path, name: str) -> pa.Table:
    """Read one table a row group at a time, dropping the buffers of all-null columns as it goes.

    Peak memory is then the table (without its unused columns) plus one row group being decoded.
    """
    file = path / f"{name}.parquet"
    if not file.is_file():
        raise InputError(
            f"table {name!r} is missing", path=file, hint="a labelkit Parquet folder has every table, empty or not"
        )
    import pyarrow.parquet as pq  # (25 ms to import: only when a Parquet table is read or written)

    pieces = []
    try:
        # (opened by its bytes: Arrow takes a text path as UTF-8, so a folder named otherwise, which writing
        # made, could not be read back)
        with pa.OSFile(os.fsencode(file)) as source:
            reader = pq.ParquetFile(source)
            unknown = [
                c for c in reader.schema_arrow.names if c not in SCHEMAS[name].names and not _PANDAS_INDEX.fullmatch(c)
            ]
            if unknown:
                raise InputError(
                    f"column {unknown[0]!r} is not a column of labelkit's {name} table",
                    path=file,
                    hint="it would not be read: drop it, or keep its values in the rows' extras (a JSON object)",
                )
            names = reader.schema_arrow.names
            twice = next((c for i, c in enumerate(names) if c in names[:i]), None)
            if twice is not None:  # (Arrow cannot tell which one is meant: it would raise KeyError)
                raise InputError(f"column {twice!r} appears more than once", path=file, hint="keep one of them")
            for i in range(reader.num_row_groups):
                piece = reader.read_row_group(i)
                piece.validate(full=True)  # strings that are not UTF-8, offsets out of range: ArrowInvalid
                try:
                    pieces.append(compact_nulls(conform(name, piece)))
                except (ValueError, TypeError, pa.ArrowException) as exc:
                    raise InputError(
                        "columns do not match the labelkit schema", path=file, found=str(exc).splitlines()[0]
                    ) from exc
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"unreadable Parquet table: {str(exc).splitlines()[0]}", path=file) from exc
    if not pieces:
        return SCHEMAS[name].empty_table()
    return pa.concat_tables(pieces)


def _load(path: Path) -> Dataset:
    if not (path / "items.parquet").is_file():
        raise InputError("not a labelkit Parquet folder: items.parquet is missing", path=path)
    manifest = _manifest(path)
    tables = {name: _read_table(path, name) for name in TABLE_NAMES}
    return Dataset.from_tables(tables, manifest.categories, manifest.info)


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a labelkit Parquet folder.

    Raises:
        InputError: the manifest or a table is missing, malformed or of the wrong schema, or a row refers
            to an unknown item or category, or repeats an id (as for labelkit JSON).
    """
    path = Path(path)
    dataset = _load(path)
    findings = _findings(dataset, path, limit=1)
    if findings:
        f = findings[0]
        raise InputError(
            f"{f.where}: {f.message}" if f.where.startswith("row") else f.message,
            path=f.path,
            pointer=f.where.removeprefix("#") if f.where.startswith("#") else None,
            hint="'labelkit validate' lists every problem",
        )
    return dataset


def validate(path: Path, **options: Any) -> list[Finding]:
    """Check that ids are unique and annotations refer to known items and categories."""
    return _findings(_load(path), path, limit=20)


def _findings(dataset: Dataset, path: Path, limit: int) -> list[Finding]:
    findings = reference_findings(dataset, str(path / MANIFEST), lambda name: str(path / f"{name}.parquet"), limit)
    for name in TABLE_NAMES[1:]:
        table = dataset.table(name)
        if not table.num_rows:
            continue
        where = str(path / f"{name}.parquet")
        if "polygon" in table.column_names:
            findings += _polygon_findings(table, where, limit)
        if "mask" in table.column_names:
            findings += _mask_findings(table["mask"], where, limit)
        if "keypoints" in table.column_names:
            lengths = pc.list_value_length(table["keypoints"]).fill_null(0).to_numpy(zero_copy_only=False)
            for row in np.flatnonzero(lengths % 3).tolist()[:limit]:
                findings.append(Finding(where, f"row {row}", "keypoints are not x, y, visibility triples"))
    for name in TABLE_NAMES:
        findings += _value_findings(dataset.table(name), name, str(path / f"{name}.parquet"), limit)
    for name in TABLE_NAMES:
        table = dataset.table(name)
        for column in sorted(set(table.column_names) & JSON_COLUMNS):
            where = str(path / f"{name}.parquet")
            row = _bad_json_row(table[column])
            if row is not None:
                findings.append(Finding(where, f"row {row}", f"{column} is not a JSON object"))
                continue
            if column in _TYPED_CELLS:
                type_, suspect, message = _TYPED_CELLS[column]
                row = _bad_typed_row(table[column], type_, suspect)
                if row is not None:
                    findings.append(Finding(where, f"row {row}", message))
                    continue
            low, high = (INT64_MIN, INT64_MAX) if column == "attributes" else (INT64_MIN, UINT64_MAX)
            row = _big_int_row(table[column], low, high)
            if row is not None:
                findings.append(Finding(where, f"row {row}", f"{column} holds an integer that does not fit 64 bits"))
    return findings


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


def _value_findings(table: pa.Table, name: str, where: str, limit: int) -> list[Finding]:
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
    for field in table.schema:
        for row in _non_finite_rows(table[field.name])[:limit]:
            found.append((row, f"{field.name} holds NaN or infinity"))
    return [Finding(where, f"row {row}", message) for row, message in sorted(found)[:limit]]


def _non_finite_rows(column: pa.ChunkedArray) -> list[int]:
    """Rows of a float column (or list of floats, at any depth) holding NaN or infinity, which no record holds."""
    values = column.combine_chunks()
    rows = np.arange(len(values))
    while pa.types.is_list(values.type) or pa.types.is_fixed_size_list(values.type):
        rows = rows[pc.list_parent_indices(values).to_numpy()]
        values = pc.list_flatten(values)
    if not pa.types.is_floating(values.type) or not len(values):
        return []
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
_SUSPECT_ATTRIBUTES = r'(?s)null|\{.*\{|\[\s*[^"\s\]]|"\s*,\s*[^"\s]|[eE]\+?[0-9]{3}|[0-9]{300}'
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


def _bad_typed_row(column: pa.ChunkedArray, type_: Any, suspect: str) -> int | None:
    """The first row of a column of JSON objects whose object is not of ``type_``, or None.

    Only the cells matching ``suspect`` (which every wrong one does) are decoded.
    """
    matches = pc.fill_null(pc.match_substring_regex(column, suspect), False).combine_chunks()
    for row in pc.indices_nonzero(matches).to_pylist():
        try:
            msgspec.json.decode(column[row].as_py().encode(), type=type_)
        except msgspec.DecodeError:
            return int(row)
    return None


def _big_int_row(column: pa.ChunkedArray, low: int, high: int) -> int | None:
    """The first row of a JSON-text ``column`` holding an integer outside ``low..high``, or None.

    Such an integer would be read back as a float by the JSON writers, its digits lost. Only cells with
    a run of 19 digits (as long as 2**63) can hold one, so only those are decoded.
    """
    if not len(column):
        return None
    candidates = pc.fill_null(pc.match_substring_regex(column, r"[0-9]{19}"), False).combine_chunks()
    for row in pc.indices_nonzero(candidates).to_pylist():
        if _holds_int_outside(json.loads(column[row].as_py()), low, high):
            return int(row)
    return None


def _holds_int_outside(value: Any, low: int, high: int) -> bool:
    if isinstance(value, dict):
        return any(_holds_int_outside(v, low, high) for v in value.values())
    if isinstance(value, list):
        return any(_holds_int_outside(v, low, high) for v in value)
    return isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high


class _AnyObject(msgspec.Struct):
    """Any JSON object (its members are not kept): decoding into it checks a text is one."""


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Parquet holds everything the model holds; only NaN and infinity (which no record holds) are refused.

    Raises:
        OutputError: a float column holds NaN or infinity (only possible through ``Dataset.from_tables``),
            which the reader refuses.
    """
    bad = non_finite(dataset)
    if bad:
        raise OutputError(
            f"labelkit Parquet does not hold NaN or infinity, found in {', '.join(bad)}",
            hint="records refuse non-finite numbers; clean the tables given to Dataset.from_tables",
        )
    check_parents(dataset)
    check_unique_ids(dataset, TITLE)


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write every table and the manifest into the folder ``path``."""
    import pyarrow.parquet as pq

    path = Path(path)
    compression = options.get("compression", "zstd")
    manifest = Manifest(info=dataset.info, categories=dataset.categories)
    (path / MANIFEST).write_bytes(
        orjson.dumps(manifest.model_dump(mode="json", exclude_defaults=False), option=orjson.OPT_INDENT_2) + b"\n"
    )
    for name in TABLE_NAMES:
        with pa.OSFile(os.fsencode(path / f"{name}.parquet"), "wb") as sink:  # (by its bytes: see _read_table)
            pq.write_table(
                dataset.table(name),
                sink,
                compression=None if compression == "none" else compression,
                write_statistics=True,
                row_group_size=ROW_GROUP_SIZE,
            )
