"""labelkit Parquet: a folder of Parquet tables (items, one per annotation kind, tokens) plus ``labelkit.json``.

Spark, Ray Data, Dask, DuckDB and Polars read the tables directly. ``labelkit.json`` holds the format
version, the dataset info and the categories. Lossless for every kind of label.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
import pyarrow as pa
from pydantic import BeforeValidator, Field, ValidationError

from labelkit.errors import InputError, naming
from labelkit.formats.base import ALL, Detection, Option
from labelkit.formats.native import not_bool
from labelkit.formats.native_categories import note_skeleton_indexes, skeleton_findings
from labelkit.formats.native_errors import depth_error, pointer_from_loc, short_list_message, wide_int_error
from labelkit.formats.native_values import (
    beyond_float_findings,
    mask_run_findings,
    reference_findings,
    refuse_unreadable,
    repeated_key_findings,
    value_findings,
)
from labelkit.io import Inside, create_file, parse_json, read_bytes
from labelkit.json_checks import without_bom
from labelkit.json_repeats import document_repeats
from labelkit.model import Category, Dataset, DatasetInfo
from labelkit.model.annotations import Record
from labelkit.model.dataset import TABLE_NAMES
from labelkit.model.tables import (
    SCHEMAS,
    compact_nulls,
    conform,
    list_misfits,
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
    "links": Option(
        "links",
        "choice",
        "inside",
        "the folder's files that are symbolic links: inside (each must lead inside the folder, so an untrusted one "
        "cannot read other files of the machine), follow (any: DVC or git-annex checkouts)",
        ("inside", "follow"),
        applies="read",
    ),
}
_LINK_HINT = "-o links=follow reads files linked from outside the dataset (a DVC or git-annex checkout)"
MANIFEST = "labelkit.json"
VERSION: Literal[1] = 1


class Manifest(Record):
    """``labelkit.json`` of a Parquet dataset folder."""

    format: Literal["labelkit-parquet"] = "labelkit-parquet"
    version: Annotated[Literal[1], BeforeValidator(not_bool)] = VERSION
    info: DatasetInfo = Field(default_factory=DatasetInfo)
    categories: list[Category] = Field(default_factory=list)


def detect(path: Path) -> Detection | None:
    """A folder with ``labelkit.json`` and ``items.parquet`` (either a FIFO too: reading then refuses it, named).

    Or such a folder's manifest given alone, which reading refuses, naming the folder to give: a dataset named
    ``images`` was taken for a COCO file ('missing required field images').
    """
    if path.is_dir() and (path / MANIFEST).exists() and (path / "items.parquet").exists():
        return Detection(1.0, f"folder with {MANIFEST} and items.parquet")
    if _is_manifest(path):
        return Detection(1.0, f"the {MANIFEST} of a labelkit Parquet folder (items.parquet beside it)")
    return None


def _is_manifest(path: Path) -> bool:
    """Whether ``path`` is a file named ``labelkit.json`` with an ``items.parquet`` beside it: a folder's manifest.

    By its name and its folder, not its text: ``"format": "labelkit-parquet"`` in a file's start may be a value
    nested in a COCO file's ``info`` or a labelkit JSON document's metadata, which were taken for a manifest.
    """
    return path.name == MANIFEST and path.is_file() and (path.parent / "items.parquet").exists()


def _refuse_manifest(path: Path) -> None:
    """Refuse a Parquet folder's manifest given for the folder (see :func:`detect`)."""
    if _is_manifest(path):
        raise InputError(
            f"this is the {MANIFEST} of a labelkit Parquet folder, not the dataset",
            path=path,
            hint=f"give its folder: {path.parent}",
        )


def _refuse_unreadable(file: Path, inside: Inside | None) -> None:
    """Refuse a file of the folder that is no regular file, or a symbolic link leading out of it (``inside``).

    A FIFO: Arrow's open waited forever, past Ctrl-C. A link leading out of the folder (or a file in a folder
    linked out), as other formats refuse it: an untrusted folder could read any file of the machine. A missing
    file passes (reading names it).
    """
    try:
        status = os.stat(file)
    except OSError:
        return
    if not stat.S_ISREG(status.st_mode):
        raise InputError("cannot read: not a regular file", path=file)
    if inside is not None and (why := inside.refusal(file)) is not None:
        raise InputError(f"cannot read: {why}", path=file, hint=_LINK_HINT)


def _inside(path: Path, options: dict[str, Any]) -> Inside | None:
    """The folder the files read must stay in through symbolic links (None: ``links=follow``)."""
    return None if str(options.get("links") or "inside") == "follow" else Inside(path)


def _manifest(path: Path, inside: Inside | None = None) -> Manifest:
    file = path / MANIFEST
    _refuse_unreadable(file, inside)
    data = read_bytes(file)
    value = parse_json(data, file)  # strict JSON (no NaN), errors with their line
    try:  # strictly, from the text, as labelkit JSON: no "1" or 1.0 for an id, no integer past 64 bits as a float
        return Manifest.model_validate_json(without_bom(data), strict=True)  # (as parse_json: 'Invalid JSON' at #)
    except ValidationError as exc:
        errors = exc.errors()
        if deep := depth_error(errors[0], value, data, file) or wide_int_error(errors[0], data, file):
            raise deep from exc
        message = short_list_message(list(errors)) or errors[0]["msg"]
        pointer = pointer_from_loc(tuple(errors[0]["loc"]), value, errors[0]["type"] == "missing")
        raise InputError(message, path=file, pointer=pointer) from exc


ROW_GROUP_SIZE = 65_536
"""Rows per Parquet row group: readers decode one group at a time, so this bounds their working memory."""


_PANDAS_INDEX = re.compile(r"__index_level_\d+__")
"""The index pandas' ``to_parquet`` stores as a column: row labels, not data."""


def _read_table(path: Path, name: str, inside: Inside | None = None) -> pa.Table:
    """Read one table a row group at a time, dropping the buffers of all-null columns as it goes.

    Peak memory is then the table (without its unused columns) plus one row group being decoded.
    """
    file = path / f"{name}.parquet"
    _refuse_unreadable(file, inside)
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
            wrong = _column_errors(file, name, reader.schema_arrow)
            if wrong:
                raise wrong[0]
            start = 0  # (the row group's first row: rows are named in the table)
            misfits: list[tuple[int | None, str]] = []  # (every group's, for validate: Arrow's words named no row)
            unplaced: tuple[int | None, str] | None = None  # (an invalid value no row of its group holds)
            for i in range(reader.num_row_groups):
                piece = reader.read_row_group(i)
                try:  # strings that are not UTF-8, offsets out of range
                    piece.validate(full=True)
                except pa.ArrowInvalid as exc:  # (Arrow's words named the column by its index, a string by its group)
                    cell = _invalid_cell(piece, start, exc)
                    if cell[0] is not None:  # (after the earlier groups' boxes: load's error is the first row's)
                        raise _RowsRefused(file, misfits + [cell]) from exc
                    # (a dictionary entry the group's rows do not use: Arrow writes the whole dictionary with each
                    # group, so a later group's row may hold it)
                    unplaced = unplaced or cell
                    start += piece.num_rows
                    continue
                misfits += [(start + row, m) for row, m in list_misfits(name, piece, _LIMIT - len(misfits))]
                if misfits or unplaced:  # (the rest is only looked through for more)
                    start += piece.num_rows
                    continue
                try:
                    pieces.append(compact_nulls(conform(name, piece)))
                except (ValueError, TypeError, pa.ArrowException) as exc:
                    raise InputError(
                        "columns do not match the labelkit schema", path=file, found=str(exc).splitlines()[0]
                    ) from exc
                start += piece.num_rows
            if misfits or unplaced:
                raise _RowsRefused(file, misfits + ([unplaced] if unplaced else []))
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"unreadable Parquet table: {str(exc).splitlines()[0]}", path=file) from exc
    if not pieces:
        return SCHEMAS[name].empty_table()
    return pa.concat_tables(pieces)


class _RowsRefused(InputError):
    """Rows of a table file the reader refuses before reading it, each ``(row, message)`` (row None: not found).

    The error is the first's (``row 5: bbox holds 3 values, not 4``); ``validate`` lists each at its row.
    """

    def __init__(self, file: Path, rows: list[tuple[int | None, str]]) -> None:
        row, message = rows[0]
        super().__init__(message if row is None else f"row {row}: {message}", path=file)
        self.rows = rows

    def findings(self) -> list[Finding]:
        """Each row as ``validate``'s finding, at ``row N`` of the table file."""
        path = str(self.location.path)
        return [Finding(path, "" if row is None else f"row {row}", message) for row, message in self.rows]


def _invalid_cell(piece: pa.Table, start: int, exc: pa.ArrowInvalid) -> tuple[int | None, str]:
    """What ``piece.validate(full=True)`` refused: its row (``start``: the piece's first) and ``column ...``.

    Only on this error path is each column validated again, and the row found by halving (:func:`_invalid_at`).
    """
    reason = str(exc).splitlines()[0].rsplit("Invalid: ", 1)[-1]
    for name, column in zip(piece.column_names, piece.columns, strict=True):
        offset = start
        for chunk in column.chunks:
            found = _invalid_at(chunk, name)
            if found is not None:
                where, row = found
                what = "holds text that is not UTF-8" if "UTF8" in reason else f"is not valid: {reason}"
                return (None if row is None else offset + row), f"{where} {what}"
            offset += len(chunk)
    return None, f"unreadable Parquet table: {reason}"


def _invalid_at(array: pa.Array, name: str) -> tuple[str, int | None] | None:
    """The column (``mask.counts`` within a struct) and row of ``array``'s first invalid value; None if it is valid.

    The row is found by halving a text column, plain, large or view (a slice of it validates its own strings only);
    of a dictionary-encoded one (Polars' and pandas' categoricals: every slice validates the whole dictionary), its
    dictionary is halved so, and the row is the first using the entry found. Of another column it is not found: None.
    """
    if _valid(array):
        return None
    if pa.types.is_struct(array.type):  # (its fields are row by row: a string field's row is the struct's)
        for i, field in enumerate(array.type):
            if (found := _invalid_at(array.field(i), f"{name}.{field.name}")) is not None:
                return found
    if pa.types.is_dictionary(array.type):
        import pyarrow.compute as pc

        found = _invalid_at(array.dictionary, name)
        if found is None or found[1] is None:
            return name, None
        row = pc.index(array.indices, found[1]).as_py()  # (-1: no row uses it)
        return name, (None if row < 0 else row)
    if not (
        pa.types.is_string(array.type) or pa.types.is_large_string(array.type) or pa.types.is_string_view(array.type)
    ):
        return name, None
    low, high = 0, len(array)  # (an invalid value is in rows low..high - 1)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _valid(array.slice(low, middle - low)) else (low, middle)
    return name, low


def _valid(array: pa.Array) -> bool:
    try:
        array.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _column_errors(file: Path, name: str, schema: pa.Schema) -> list[InputError]:
    """An error for each column of table ``name`` (Parquet file ``file``) of a type not the schema's, or missing.

    A type the schema's is stored as (:func:`stored_as`) is the schema's.

    :func:`~labelkit.model.tables.conform` casts what it can, as ``Dataset.from_tables`` documents: read from a
    file, the text ``"0640"`` was width 640, the integer 2 flag ``True``, 640.0 width 640 and 7 id ``'7'``, unsaid.
    """
    errors = []
    for field in schema:
        if field.name in SCHEMAS[name].names and not stored_as(
            field.type, expected := SCHEMAS[name].field(field.name).type
        ):
            errors.append(
                InputError(
                    f"column {field.name!r} is not of the labelkit schema's type",
                    path=file,
                    expected=str(expected),
                    found=str(field.type),
                    hint="write it with the schema's type (labelkit.model.tables.SCHEMAS): it would be read as "
                    "other values than it holds",
                )
            )
    errors += [  # (after the columns of another type: the ones there are first)
        InputError(
            f"column {column!r} of labelkit's {name} table is missing",
            path=file,
            hint="labelkit writes every column of a table: give it a column of nulls where no row has a value (one "
            "missing was read as nulls in every row: a dropped bbox or split column lost every value, unsaid)",
        )
        for column in SCHEMAS[name].names
        if column not in schema.names
    ]
    return errors


def _all_column_errors(path: Path, inside: Inside | None) -> list[InputError]:
    """:func:`_column_errors` of every table of the folder ``path`` (a table missing or unreadable has none here)."""
    import pyarrow.parquet as pq

    errors = []
    for name in TABLE_NAMES:
        file = path / f"{name}.parquet"
        try:
            _refuse_unreadable(file, inside)
            with pa.OSFile(os.fsencode(file)) as source:
                schema = pq.read_schema(source)
        except (OSError, pa.ArrowException, InputError):
            continue  # (reading says what is wrong with it)
        errors += _column_errors(file, name, schema)
    return errors


_NARROW_INTEGERS = (pa.int8(), pa.int16(), pa.int32(), pa.uint8(), pa.uint16(), pa.uint32())


def stored_as(found: pa.DataType, expected: pa.DataType) -> bool:
    """Whether a Parquet column of type ``found`` holds the values of the schema's type ``expected``, unchanged.

    The schema's type itself, or a widening no value changes by and no reader could mean otherwise: an integer of
    32 bits or fewer (signed or not) for int64 or float64, float32 or float16 for float64, large or view text for
    text, a dictionary of such values, a list (large, fixed-size) of such elements for a list (a fixed-size list of
    another length is not; a variable one's rows are checked after), a struct of such fields (the same, in order),
    and a column of nulls only. Anything else (text for a number, ``"0640"``; an integer for a flag, 2; a float for
    an integer, 640.0; an integer for an id, 7; int64 or uint64 for float64) was cast, and read as another value.

    Examples:
        >>> stored_as(pa.int32(), pa.int64()), stored_as(pa.string(), pa.int64()), stored_as(pa.int64(), pa.bool_())
        (True, False, False)
        >>> stored_as(pa.large_list(pa.float32()), pa.list_(pa.float64(), 4)), stored_as(pa.float64(), pa.int64())
        (True, False)
    """
    if found.equals(expected) or pa.types.is_null(found):
        return True
    if pa.types.is_dictionary(found):
        return stored_as(found.value_type, expected)
    if pa.types.is_int64(expected):
        return any(found.equals(t) for t in _NARROW_INTEGERS)
    if pa.types.is_float64(expected):
        return any(found.equals(t) for t in (*_NARROW_INTEGERS, pa.float32(), pa.float16()))
    if pa.types.is_string(expected):
        return bool(pa.types.is_large_string(found) or pa.types.is_string_view(found))
    if pa.types.is_list(expected) or pa.types.is_fixed_size_list(expected):
        lists = pa.types.is_list(found) or pa.types.is_large_list(found) or pa.types.is_list_view(found)
        sized = pa.types.is_fixed_size_list(found) and (
            pa.types.is_list(expected) or found.list_size == expected.list_size
        )
        return (lists or sized) and stored_as(found.value_type, expected.value_type)
    if pa.types.is_struct(expected):
        return (
            pa.types.is_struct(found)
            and [f.name for f in found] == [f.name for f in expected]
            and all(stored_as(f.type, e.type) for f, e in zip(found, expected, strict=True))
        )
    return False


def _load(path: Path, options: dict[str, Any]) -> Dataset:
    _refuse_manifest(path)
    inside = _inside(path, options)
    _refuse_unreadable(path / "items.parquet", inside)
    if not (path / "items.parquet").is_file():
        raise InputError("not a labelkit Parquet folder: items.parquet is missing", path=path)
    manifest = _manifest(path, inside)
    tables = {name: _read_table(path, name, inside) for name in TABLE_NAMES}
    return Dataset.from_tables(tables, manifest.categories, manifest.info)


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a labelkit Parquet folder.

    Raises:
        InputError: the manifest or a table is missing, malformed or of the wrong schema, or a row refers
            to an unknown item or category, or repeats an id (as for labelkit JSON).
    """
    path = Path(path)
    dataset = _load(path, options)
    findings = _findings(dataset, path, limit=1)
    if findings:
        f = findings[0]
        raise InputError(
            f"{f.where}: {f.message}" if f.where.startswith("row") else f.message,
            path=f.path,
            pointer=f.where.removeprefix("#") if f.where.startswith("#") else None,
            hint="'labelkit validate' lists every problem",
        )
    others = sorted(f.name for f in path.glob("*.parquet") if f.stem not in TABLE_NAMES)
    if others:  # (passed over unsaid: a table added by hand, or pandas' part-0.parquet, is none of labelkit's)
        dataset.read_notes.append(
            f"{', '.join(others)} not read: a labelkit Parquet folder's tables are "
            f"{', '.join(f'{name}.parquet' for name in TABLE_NAMES)}"
        )
    return dataset


def validate(path: Path, **options: Any) -> list[Finding]:
    """Check the columns' types, then what the reader refuses (ids repeated, references to nothing, bad values).

    Every column of another type than the schema's (see :func:`stored_as`) is a finding, at its table. Then, when
    nothing else is found, masks whose runs do not add up to their size, as for labelkit JSON
    (:func:`~labelkit.formats.native_values.mask_run_findings`: the reader takes them), at their ``objects`` row,
    and metadata and extras cells holding a number no float holds, which the reader keeps and labelkit JSON cannot
    write (:func:`~labelkit.formats.native_values.beyond_float_findings`), at their row.
    """
    wrong = _all_column_errors(path, _inside(path, options))
    if wrong:  # (each column, not the first alone: reading stops at that one)
        return [
            Finding(str(e.location.path), "", InputError(e.message, expected=e.expected, found=e.found).one_line())
            for e in wrong
        ]
    try:
        dataset = _load(path, options)
    except _RowsRefused as exc:  # (each row, as the other row findings: reading stops at the first)
        return exc.findings()
    manifest = path / MANIFEST  # (read as its reader reads it, the last of a key repeated: named, as in labelkit JSON)
    data = without_bom(read_bytes(manifest))
    repeats = document_repeats(data, parse_json(data, manifest), manifest)
    repeats += repeated_key_findings(dataset, lambda name: _table_path(path, name), _LIMIT)
    findings = _findings(dataset, path, limit=_LIMIT)
    if findings:
        return findings + repeats
    findings = skeleton_findings(dataset.categories, str(manifest))
    findings += mask_run_findings(dataset, _table_path(path, "objects"), lambda row: f"row {row}", _LIMIT)
    findings += beyond_float_findings(dataset, lambda name: _table_path(path, name), _LIMIT)
    return findings + repeats


_LIMIT = 20
"""Findings of each kind ``validate`` reports at most."""


def _table_path(path: Path, name: str) -> str:
    return str(path / f"{name}.parquet")


def _findings(dataset: Dataset, path: Path, limit: int) -> list[Finding]:
    def where_of(name: str) -> str:
        return _table_path(path, name)

    # (values first: an item's missing id was reported as its annotations' unknown item, in another table)
    return value_findings(dataset, where_of, limit) + reference_findings(dataset, str(path / MANIFEST), where_of, limit)


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Parquet holds everything the model holds; only NaN and infinity (which no record holds) are refused.

    Raises:
        OutputError: what its reader refuses, which only ``Dataset.from_tables`` can give: a float column holding
            NaN or infinity, a category's parent that is not a category, an id missing or repeated, a value the
            records refuse (:func:`.native_values.check_values`).
    """
    refuse_unreadable(dataset, TITLE)
    note_skeleton_indexes(dataset, report)


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
