"""labelkit JSON: one lossless JSON document per dataset; its schema is ``schemas/labelkit.schema.json``.

The document is ``{"format": "labelkit", "version": 1, "info", "categories", "items", "annotations",
"tokens"}``; each annotation carries its ``kind``. It holds everything the model holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import Field, TypeAdapter, ValidationError

from labelkit.errors import InputError, json_pointer
from labelkit.formats.base import ALL, Detection, Option
from labelkit.io import parse_json, read_bytes
from labelkit.model import Annotation, Category, Dataset, DatasetInfo, Item, Token
from labelkit.model import tables as T
from labelkit.model.annotations import Record
from labelkit.report import Finding, Report

NAME = "labelkit"
DESCRIPTION = "labelkit's own JSON document: lossless for every kind of label"
OUTPUT: Literal["file"] = "file"
EXTENSIONS = (".labelkit.json", ".json")
CAPABILITIES = ALL
OPTIONS: dict[str, Option] = {
    "indent": Option("indent", "bool", False, "write indented JSON (larger, easier to read)", applies="write"),
}
VERSION: Literal[1] = 1


class NativeDocument(Record):
    """The labelkit JSON document."""

    format: Literal["labelkit"] = "labelkit"
    version: Literal[1] = VERSION
    info: DatasetInfo = Field(default_factory=DatasetInfo)
    categories: list[Category] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    annotations: list[Annotation] = Field(default_factory=list)
    tokens: list[Token] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the document, generated from the records."""
    schema = NativeDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://labelkit.dev/schemas/labelkit.schema.json"
    return schema


def detect(path: Path) -> Detection | None:
    """A JSON file whose start says ``"format": "labelkit"``."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return None
    with path.open("rb") as fh:
        head = fh.read(4096)
    if b'"format":"labelkit"' in head.replace(b" ", b"").replace(b"\n", b""):
        return Detection(1.0, 'JSON document with "format": "labelkit"')
    return None


def _pointer_from_loc(loc: tuple[str | int, ...]) -> str:
    parts: list[str | int] = []
    for i, part in enumerate(loc):
        # pydantic puts the discriminator value into the location of a tagged union; JSON has no such level
        if i == 2 and loc[0] == "annotations" and isinstance(part, str) and part in T.TABLE_BY_KIND:
            continue
        parts.append(part)
    return json_pointer(*parts)


_ADAPTER = TypeAdapter(NativeDocument)


def parse_document(data: bytes, path: str | Path) -> NativeDocument:
    """Parse and validate a labelkit JSON document (strictly: no text where a number belongs).

    Raises:
        InputError: bad JSON (with its line), or the first schema violation with its JSON pointer.
    """
    try:
        return _ADAPTER.validate_json(data, strict=True)
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "json_invalid":
            parse_json(data, path)  # raises with the line and column
        raise InputError(err["msg"], path=path, pointer=_pointer_from_loc(tuple(err["loc"]))) from exc


def _check_references(doc: NativeDocument, path: str | Path) -> list[Finding]:
    findings: list[Finding] = []
    where = str(path)
    item_ids: set[str] = set()
    for i, item in enumerate(doc.items):
        if item.id in item_ids:
            findings.append(Finding(where, json_pointer("items", i, "id"), f"duplicate item id {item.id!r}"))
        item_ids.add(item.id)
    category_ids: set[int] = set()
    for i, category in enumerate(doc.categories):
        if category.id in category_ids:
            findings.append(Finding(where, json_pointer("categories", i, "id"), f"duplicate category id {category.id}"))
        category_ids.add(category.id)
    seen: dict[str, set[str]] = {kind: set() for kind in T.TABLE_BY_KIND}
    for i, a in enumerate(doc.annotations):
        if a.item_id not in item_ids:
            findings.append(Finding(where, json_pointer("annotations", i, "item_id"), f"unknown item {a.item_id!r}"))
        if a.category_id is not None and a.category_id not in category_ids:
            findings.append(
                Finding(where, json_pointer("annotations", i, "category_id"), f"unknown category {a.category_id}")
            )
        if a.id in seen[a.kind]:
            findings.append(Finding(where, json_pointer("annotations", i, "id"), f"duplicate {a.kind} id {a.id!r}"))
        seen[a.kind].add(a.id)
    for i, token in enumerate(doc.tokens):
        if token.item_id not in item_ids:
            findings.append(Finding(where, json_pointer("tokens", i, "item_id"), f"unknown item {token.item_id!r}"))
    return findings


def _dataset(doc: NativeDocument) -> Dataset:
    return Dataset(
        items=doc.items, categories=doc.categories, annotations=doc.annotations, tokens=doc.tokens, info=doc.info
    )


def read(path: Path, **options: Any) -> Dataset:
    """Read a labelkit JSON document.

    Raises:
        InputError: the document is malformed or refers to unknown items or categories.
    """
    doc = parse_document(read_bytes(path), path)
    findings = _check_references(doc, path)
    if findings:
        f = findings[0]
        raise InputError(f.message, path=path, pointer=f.where)
    return _dataset(doc)


def validate(path: Path, **options: Any) -> list[Finding]:
    """Schema and reference checks; returns findings instead of raising for semantic problems."""
    return _check_references(parse_document(read_bytes(path), path), path)


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def _annotation_json(table_name: str, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": T.KIND_BY_TABLE[table_name]}
    for key, value in row.items():
        if value is None:
            continue
        if key in ("attributes", "extras"):
            out[key] = orjson.loads(value)
        elif key == "mask":
            runs = value["runs"]
            out[key] = {
                "size": [value["height"], value["width"]],
                "counts": value["counts"] if value["counts"] is not None else runs,
            }
        elif key == "provenance":
            out[key] = _clean(value)
        else:
            out[key] = value
    return out


def _item_json(row: dict[str, Any]) -> dict[str, Any]:
    media = {"kind": row["media"] or "image"}
    for key in ("path", "width", "height", "duration", "fps", "frame_count", "text"):
        if row[key] is not None:
            media[key] = row[key]
    out: dict[str, Any] = {"id": row["id"], "media": media}
    for key in ("split", "group"):
        if row[key] is not None:
            out[key] = row[key]
    if row["metadata"] is not None:
        out["metadata"] = orjson.loads(row["metadata"])
    return out


def _token_json(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("item_id", "index", "start", "end", "text")}
    if row["columns"] is not None:
        out["columns"] = orjson.loads(row["columns"])
    return out


def document(dataset: Dataset) -> dict[str, Any]:
    """The dataset as a labelkit JSON document (plain data), straight from the columns."""
    return {
        "format": NAME,
        "version": VERSION,
        "info": dataset.info.model_dump(mode="json", exclude_defaults=True),
        "categories": [c.model_dump(mode="json", exclude_defaults=True) for c in dataset.categories],
        "items": [_item_json(r) for r in T.iter_rows(dataset.table("items"))],
        "annotations": [
            _annotation_json(name, r) for name in T.ANNOTATION_TABLES for r in T.iter_rows(dataset.table(name))
        ],
        "tokens": [_token_json(r) for r in T.iter_rows(dataset.table("tokens"))],
    }


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Labelkit JSON holds everything: nothing to report."""


def write(dataset: Dataset, path: Path, report: Report, **options: Any) -> None:
    """Write the dataset as one JSON document."""
    option = orjson.OPT_INDENT_2 if options.get("indent") else 0
    path.write_bytes(orjson.dumps(document(dataset), option=option) + b"\n")
