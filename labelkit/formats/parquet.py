"""labelkit Parquet: a folder of Parquet tables (items, one per annotation kind, tokens) plus ``labelkit.json``.

Spark, Ray Data, Dask, DuckDB and Polars read the tables directly. ``labelkit.json`` holds the format
version, the dataset info and the categories. Lossless for every kind of label.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import Field, ValidationError

from labelkit.errors import InputError, json_pointer
from labelkit.formats.base import ALL, Detection, Option
from labelkit.io import parse_json, read_bytes
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model.annotations import Record
from labelkit.model.dataset import TABLE_NAMES
from labelkit.model.tables import SCHEMAS, compact_nulls, conform
from labelkit.report import Finding, Report

NAME = "parquet"
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
    version: Literal[1] = VERSION
    info: DatasetInfo = Field(default_factory=DatasetInfo)
    categories: list[Category] = Field(default_factory=list)


def detect(path: Path) -> Detection | None:
    """A folder with ``labelkit.json`` and ``items.parquet``."""
    if path.is_dir() and (path / MANIFEST).is_file() and (path / "items.parquet").is_file():
        return Detection(1.0, f"folder with {MANIFEST} and items.parquet")
    return None


def _manifest(path: Path) -> Manifest:
    file = path / MANIFEST
    try:
        return Manifest.model_validate(parse_json(read_bytes(file), file))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError(err["msg"], path=file, pointer=json_pointer(*err["loc"])) from exc


ROW_GROUP_SIZE = 65_536
"""Rows per Parquet row group: readers decode one group at a time, so this bounds their working memory."""


def _read_table(path: Path, name: str) -> pa.Table:
    """Read one table a row group at a time, dropping the buffers of all-null columns as it goes.

    Peak memory is then the table (without its unused columns) plus one row group being decoded.
    """
    file = path / f"{name}.parquet"
    if not file.is_file():
        raise InputError(
            f"table {name!r} is missing", path=file, hint="a labelkit Parquet folder has every table, empty or not"
        )
    pieces = []
    try:
        reader = pq.ParquetFile(file)
        for i in range(reader.num_row_groups):
            piece = reader.read_row_group(i)
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


def read(path: Path, **options: Any) -> Dataset:
    """Read a labelkit Parquet folder.

    Raises:
        InputError: the manifest or a table is missing, malformed or of the wrong schema.
    """
    if not (path / "items.parquet").is_file():
        raise InputError("not a labelkit Parquet folder: items.parquet is missing", path=path)
    manifest = _manifest(path)
    tables = {name: _read_table(path, name) for name in TABLE_NAMES}
    return Dataset.from_tables(tables, manifest.categories, manifest.info)


def validate(path: Path, **options: Any) -> list[Finding]:
    """Check that annotations refer to known items and categories."""
    import pyarrow.compute as pc

    ds = read(path)
    findings: list[Finding] = []
    items = ds.table("items")["id"].combine_chunks()
    if pc.count_distinct(items).as_py() != len(items):
        findings.append(Finding(str(path / "items.parquet"), "column id", "duplicate item ids"))
    categories = pa.array(sorted({c.id for c in ds.categories}), pa.int64())
    for name in TABLE_NAMES[1:]:
        table = ds.table(name)
        where = str(path / f"{name}.parquet")
        bad = pc.invert(pc.is_in(table["item_id"], value_set=items))
        for row in pc.indices_nonzero(bad.combine_chunks()).to_pylist()[:20]:
            findings.append(Finding(where, f"row {row}", f"unknown item {table['item_id'][row].as_py()!r}"))
        if "category_id" in table.column_names:
            col = table["category_id"]
            bad = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=categories)))
            for row in pc.indices_nonzero(bad.combine_chunks()).to_pylist()[:20]:
                findings.append(Finding(where, f"row {row}", f"unknown category {col[row].as_py()}"))
    return findings


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Parquet holds everything: nothing to report."""


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write every table and the manifest into the folder ``path``."""
    compression = options.get("compression", "zstd")
    manifest = Manifest(info=dataset.info, categories=dataset.categories)
    (path / MANIFEST).write_bytes(
        orjson.dumps(manifest.model_dump(mode="json", exclude_defaults=False), option=orjson.OPT_INDENT_2) + b"\n"
    )
    for name in TABLE_NAMES:
        pq.write_table(
            dataset.table(name),
            path / f"{name}.parquet",
            compression=None if compression == "none" else compression,
            write_statistics=True,
            row_group_size=ROW_GROUP_SIZE,
        )
