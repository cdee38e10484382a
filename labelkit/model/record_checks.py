"""What the Dataset refuses of the records and rows it is given, and how it names them.

Records are checked again where they reach the tables (a field changed in place after the record was made), a
value given where a record is expected is named by the method it was given to, and a row of a table given
whole that its record refuses is named by its table, id and field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import orjson
import pyarrow as pa
from pydantic import ValidationError

from labelkit.errors import InputError, UsageError, inner_errors, union_message
from labelkit.model import rows as R
from labelkit.model import tables as T
from labelkit.model.records import Category, DatasetInfo

_R = TypeVar("_R")


def recheck(record: DatasetInfo | Category, name: str, fields: tuple[str, ...]) -> None:
    """Check ``record``'s free mappings ``fields`` again, then all of it.

    The mappings by :func:`~labelkit.model.tables.checked_mapping`, the rest by
    :func:`~labelkit.model.tables.checked_record`. A mapping holding numpy values set in place is set again, made
    plain (as its constructor makes it); so is a field holding a value the constructor takes otherwise (``"1"`` as
    ``1``).

    Raises:
        UsageError: one holds a value the record refuses, naming the record (``name``), the field and the key path.
    """
    for mapping in fields:
        value = getattr(record, mapping)
        if value:
            plain, _ = T.checked_mapping(value, name, mapping)
            if plain is not value:
                setattr(record, mapping, plain)
    again = T.checked_record(record, name)  # (its other fields: a skeleton edge appended as names, not indexes)
    for key in type(record).model_fields:
        if getattr(again, key) != getattr(record, key):  # (a value the constructor takes otherwise: "1" as 1)
            setattr(record, key, getattr(again, key))


def not_a_record(method: str, takes: str, value: object) -> UsageError:
    """The error of a value given to ``Dataset.<method>`` that is not a record of the kind it takes."""
    several = isinstance(value, (list, tuple, set)) or (method == "add" and isinstance(value, Iterator))
    return UsageError(
        f"Dataset.{method} takes {takes}, not {type(value).__name__}",
        hint="add several as ds.add(*records)" if several and method == "add" else None,
    )


def records_of(
    name: str, table: pa.Table, build: Callable[[dict[str, Any]], _R], columns: Mapping[str, str] | None = None
) -> Iterator[_R]:
    """The records of ``table``'s rows, built by ``build``; ``columns``: the column of a field named otherwise.

    Raises:
        InputError: a row holds a value its record refuses (only a table given to ``from_tables`` can), named
            by the table, the row's id (a token's item and index) and the field, where pydantic's
            ValidationError named neither table nor row.
    """
    for row in R.iter_rows(table):
        try:
            record = build(row)
        except (ValidationError, InputError) as exc:
            key = f"{row['item_id']!r} token {row['index']}" if name == "tokens" else repr(row["id"])
            if isinstance(exc, InputError):  # (a JSON text holding a number no float holds, as COCO's area 1e400)
                raise InputError(f"{name} record {key}: {exc.message}", found=exc.found) from exc
            errors = exc.errors()
            paths = [field_path(e, row, columns or {}) for e in errors]
            inside = inner_errors(errors, paths, ".")  # (a union's member failing inside: counts [5.5])
            first = inside[0] if inside else 0
            message = union_message(e["msg"] for e, at in zip(errors, paths, strict=True) if at == paths[first])
            raise InputError(
                f"{name} record {key}: {paths[first]}: {message}",
                hint="its table holds a value the record refuses: fix the tables given to Dataset.from_tables",
            ) from exc
        yield record


def field_path(error: Any, row: dict[str, Any], columns: Mapping[str, str]) -> str:
    """Where in ``row`` a pydantic error is, as ``attributes.x``: the parts of its location found in the row.

    pydantic adds the member of a plain union to a location (``attributes.x.bool`` of an attribute value
    ``{}``), which names no field: walking the row (its JSON-text cells decoded) drops it. A last part not
    there is kept when the error is a missing field's. A first part that ``columns`` maps is its column (an
    item's media ``kind`` is the column ``media``: the location named nothing, ``items record 'a': : ...``).
    """
    parts, value = [], row
    for i, part in enumerate(error["loc"]):
        if i == 0:
            part = columns.get(part, part)
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                value = orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        if isinstance(value, dict) and part in value or isinstance(value, list) and part in range(len(value)):
            value = value[part]
        elif not (error["type"] == "missing" and i == len(error["loc"]) - 1):
            continue
        parts.append(str(part))
    return ".".join(parts)
