"""labelkit Parquet: a folder of Parquet tables (items, one per annotation kind, tokens) plus ``labelkit.json``.

Spark, Ray Data, Dask, DuckDB and Polars read the tables directly. ``labelkit.json`` holds the format
version, the dataset info and the categories. Lossless for every kind of label.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import pyarrow as pa
from pydantic import BeforeValidator, Field, ValidationError

from labelkit.errors import InputError, naming
from labelkit.formats.base import ALL, Detection, Option
from labelkit.formats.native import (
    depth_error,
    not_bool,
    pointer_from_loc,
    short_list_message,
)
from labelkit.formats.native_values import reference_findings, refuse_unreadable, value_findings
from labelkit.io import create_file, parse_json, read_bytes
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model.annotations import Record
from labelkit.model.dataset import TABLE_NAMES
from labelkit.model.tables import (
    SCHEMAS,
    compact_nulls,
    conform,
)
from labelkit.report import Finding, Report

NAME = "parquet"
TITLE = "labelkit Parquet"
CANNOT_HOLD = "labelkit Parquet does not hold"
"""How the message refusing NaN and infinity begins (see :func:`labelkit.api.plan`)."""
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
        if deep := depth_error(errors[0], value, data, file):
            raise deep from exc
        message = short_list_message(list(errors)) or errors[0]["msg"]
        pointer = pointer_from_loc(tuple(errors[0]["loc"]), value, errors[0]["type"] == "missing")
        raise InputError(message, path=file, pointer=pointer) from exc


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
    def where_of(name: str) -> str:
        return str(path / f"{name}.parquet")

    return reference_findings(dataset, str(path / MANIFEST), where_of, limit) + value_findings(dataset, where_of, limit)


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Parquet holds everything the model holds; only NaN and infinity (which no record holds) are refused.

    Raises:
        OutputError: what its reader refuses, which only ``Dataset.from_tables`` can give: a float column holding
            NaN or infinity, a category's parent that is not a category, an id missing or repeated, a value the
            records refuse (:func:`.native_values.check_values`).
    """
    refuse_unreadable(dataset, TITLE)


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write every table and the manifest into the folder ``path``."""
    import pyarrow.parquet as pq

    path = Path(path)
    compression = options.get("compression", "zstd")
    manifest = Manifest(info=dataset.info, categories=dataset.categories)
    create_file(
        str(path / MANIFEST),
        orjson.dumps(manifest.model_dump(mode="json", exclude_defaults=False), option=orjson.OPT_INDENT_2) + b"\n",
    )
    for name in TABLE_NAMES:
        table = path / f"{name}.parquet"
        with naming(table), pa.OSFile(os.fsencode(table), "wb") as sink:  # (by its bytes: see _read_table)
            pq.write_table(
                dataset.table(name),
                sink,
                compression=None if compression == "none" else compression,
                write_statistics=True,
                row_group_size=ROW_GROUP_SIZE,
            )
