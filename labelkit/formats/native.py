"""labelkit JSON: one lossless JSON document per dataset; its schema is ``schemas/labelkit.schema.json``.

The document is ``{"format": "labelkit", "version": 1, "info", "categories", "items", "annotations",
"tokens"}``; each annotation carries its ``kind``. It holds everything the model holds.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BeforeValidator, Field, TypeAdapter, ValidationError

from labelkit.errors import InputError, inner_errors, json_pointer, union_message
from labelkit.formats.base import ALL, Detection, Option
from labelkit.formats.chunked_rows import ChunkedRows, piece_bounds
from labelkit.formats.native_bulk import MEDIA_FIELDS, NotFast, fast_read
from labelkit.formats.native_categories import category_findings, note_skeleton_indexes, skeleton_findings
from labelkit.formats.native_errors import (
    depth_error,
    missing_message,
    pointer_from_loc,
    short_list_message,
    wide_int_error,
)
from labelkit.formats.native_schema_fast import Checker, Unsupported
from labelkit.formats.native_values import mask_run_findings, refuse_unreadable
from labelkit.io import bulk_work, parse_json, read_bytes, read_head, without_bom
from labelkit.json_repeats import document_repeats
from labelkit.model import Annotation, Category, Dataset, DatasetInfo, Item, Token
from labelkit.model import tables as T
from labelkit.model.annotations import Record
from labelkit.report import Finding, Report

NAME = "labelkit"
TITLE = "labelkit JSON"
CANNOT_HOLD = "JSON cannot hold"
"""How the message refusing NaN and infinity begins (see :func:`labelkit.api.plan`)."""
DESCRIPTION = "labelkit's own JSON document: lossless for every kind of label"
OUTPUT: Literal["file"] = "file"
EXTENSIONS = (".labelkit.json", ".json")
CAPABILITIES = ALL
OPTIONS: dict[str, Option] = {
    "indent": Option("indent", "bool", False, "write indented JSON (larger, easier to read)", applies="write"),
    "schema": Option(
        "schema",
        "bool",
        True,
        "also check the bundled JSON Schema (types compiled from it, jsonschema for what they do not take)",
        applies="validate",
    ),
}
VERSION: Literal[1] = 1


def not_bool(value: Any) -> Any:
    """Refuse ``true`` for a format version: ``Literal[1]`` alone lets it through (``True == 1``); take ``1.0`` as 1.

    A later version (``2``) is said to be one, not only that the input should be 1.

    The schema's ``const: 1`` takes ``1.0`` (JSON Schema compares numbers), and so does pydantic's ``Literal[1]``
    in 2.13, but 2.5 (the README's floor) refused it: one file read two ways on two machines.
    """
    # the schema and the fast reader refuse true
    if isinstance(value, bool):
        raise ValueError("Input should be 1")
    if (later := later_version(value)) is not None:  # (a later format: say so)
        raise ValueError(newer_version(later))
    return 1 if type(value) is float and value == 1 else value


def later_version(value: Any) -> int | None:
    """The format version ``value`` gives when it is a later one than labelkit reads (``2``, ``2.0``), else None.

    >>> later_version(2), later_version(1), later_version(True), later_version("2")
    (2, None, None, None)
    """
    if type(value) in (int, float) and 1 < value < 1000 and value == int(value):
        return int(value)
    return None


def newer_version(version: int) -> str:
    """What reading and ``validate`` say of a document of a later format version."""
    return f"version {version} is newer than this labelkit reads (1): upgrade labelkit to read it"


class NativeDocument(Record):
    """The labelkit JSON document."""

    format: Literal["labelkit"] = "labelkit"
    version: Annotated[Literal[1], BeforeValidator(not_bool)] = VERSION
    info: DatasetInfo = Field(default_factory=DatasetInfo)
    categories: list[Category] = Field(default_factory=list)
    items: list[Item] = Field(default_factory=list)
    annotations: list[Annotation] = Field(default_factory=list)
    tokens: list[Token] = Field(default_factory=list)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the document, generated from the records."""
    schema = NativeDocument.model_json_schema()
    for name in ("Label", "Object", "Span", "Transcript", "Track"):
        # the records default `kind`, but a document must say it: it selects the record (as in pydantic)
        record = schema["$defs"][name]
        record["required"] = ["kind", *record.get("required", [])]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://labelkit.dev/schemas/labelkit.schema.json"
    return schema


def detect(path: Path) -> Detection | None:
    """A file whose start says ``"format": "labelkit"``, whatever its name ends with, or named ``*.labelkit.json``.

    The writer writes to the path it is given, suffix or not (``convert ... out --to labelkit``); what it
    wrote must be recognised again. A name ending in ``.json`` makes it surer.
    """
    if not path.is_file():
        return None
    head = read_head(path, 4096)
    wide = _wide(head)  # (its text is ASCII with NULs between: the reader refuses it, saying so)
    if b'"format":"labelkit"' not in head.translate(None, b" \t\r\n" + b"\x00" * wide):
        # (a name saying so is the user's word, above COCO's guess from keys both may have: "annotations")
        named = path.name.lower().endswith(".labelkit.json")
        return Detection(0.95, 'named *.labelkit.json (its start does not say "format": "labelkit")') if named else None
    if wide:
        return Detection(1.0, 'JSON document with "format": "labelkit", in UTF-16 or UTF-32')
    if path.suffix.lower() == ".json":
        return Detection(1.0, 'JSON document with "format": "labelkit"')
    return Detection(0.9, 'a document starting with "format": "labelkit" (its name does not end in .json)')


def _wide(head: bytes) -> bool:
    """Whether a JSON file starting with ``head`` is UTF-16 or UTF-32 (as COCO's reader tells).

    By its byte-order mark, or a NUL as its first or second byte (JSON starts with an ASCII character).
    """
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:2]


def _refuse_wide(head: bytes, path: str | Path) -> None:
    """Refuse a UTF-16 or UTF-32 document (see :func:`_wide`): its first byte was "bad UTF-8 byte 0xff".

    Raises:
        InputError: at line 1, saying the encoding.
    """
    if _wide(head):
        raise InputError(
            "text is UTF-16 or UTF-32; labelkit JSON must be UTF-8", path=path, line=1, hint="save the file as UTF-8"
        )


_ADAPTER = TypeAdapter(NativeDocument)


def parse_document(data: bytes, path: str | Path) -> NativeDocument:
    """Parse and validate a labelkit JSON document (strictly: no text where a number belongs).

    Raises:
        InputError: bad JSON (with its line), or the first schema violation with its JSON pointer.
    """
    _refuse_wide(without_bom(data)[:4], path)
    value = parse_json(data, path)  # strict JSON (no NaN), errors with their line; it drops one BOM (a second is
    data = without_bom(data)  # an error at line 1: dropped here first, pydantic's 'Invalid JSON' was the error)
    try:
        return _ADAPTER.validate_json(data, strict=True)
    except ValidationError as exc:
        errors = exc.errors()
        if deep := depth_error(errors[0], value, data, path) or wide_int_error(errors[0], data, path):
            raise deep from exc
        places = [pointer_from_loc(tuple(e["loc"]), value, e["type"] == "missing") for e in errors]
        if inside := inner_errors(errors, places, "/"):  # (a plain union's member of the value's type fails inside it)
            errors, places = [errors[i] for i in inside], [places[i] for i in inside]
        loc = tuple(errors[0]["loc"])
        if errors[0]["type"] in ("union_tag_not_found", "union_tag_invalid"):
            loc += ("kind",)  # the annotation's `kind` is missing or unknown: point at it
        pointer = pointer_from_loc(loc, value, errors[0]["type"] in ("missing", "union_tag_not_found"))
        # a plain union fails once per member: say what each member wanted
        messages = [e["msg"] for e, at in zip(errors, places, strict=True) if at == pointer]
        message = union_message(messages) if messages else errors[0]["msg"]
        message = short_list_message(errors) or missing_message(errors[0], loc) or message
        raise InputError(message, path=path, pointer=pointer) from exc


def _check_references(doc: NativeDocument, path: str | Path) -> list[Finding]:
    findings: list[Finding] = []
    where = str(path)
    item_ids: set[str] = set()
    for i, item in enumerate(doc.items):
        if item.id in item_ids:
            findings.append(Finding(where, "#" + json_pointer("items", i, "id"), f"duplicate item id {item.id!r}"))
        item_ids.add(item.id)
    category_ids = {c.id for c in doc.categories}
    findings += category_findings(doc.categories, where)
    seen: dict[str, set[str]] = {kind: set() for kind in T.TABLE_BY_KIND}
    for i, a in enumerate(doc.annotations):
        if a.item_id not in item_ids:
            findings.append(
                Finding(where, "#" + json_pointer("annotations", i, "item_id"), f"unknown item {a.item_id!r}")
            )
        if a.category_id is not None and category_ids and a.category_id not in category_ids:
            findings.append(
                Finding(where, "#" + json_pointer("annotations", i, "category_id"), f"unknown category {a.category_id}")
            )
        if a.id in seen[a.kind]:
            findings.append(
                Finding(where, "#" + json_pointer("annotations", i, "id"), f"duplicate {a.kind} id {a.id!r}")
            )
        seen[a.kind].add(a.id)
    for i, token in enumerate(doc.tokens):
        if token.item_id not in item_ids:
            findings.append(
                Finding(where, "#" + json_pointer("tokens", i, "item_id"), f"unknown item {token.item_id!r}")
            )
    return findings


def _dataset(doc: NativeDocument) -> Dataset:
    dataset = Dataset(
        items=doc.items, categories=doc.categories, annotations=doc.annotations, tokens=doc.tokens, info=doc.info
    )
    # an object the document gives no angle has none (null), as the bulk reader and the other readers have it;
    # the record's default, 0.0, would be written back as "angle":0.0
    absent = [a.kind == "object" and "angle" not in a.model_fields_set for a in doc.annotations]
    if not any(absent):
        return dataset
    objects = dataset.table("objects")
    keep = pa.array([not a for a, o in zip(absent, doc.annotations, strict=True) if o.kind == "object"])
    angle = pc.if_else(keep, objects["angle"], pa.scalar(None, pa.float64()))
    tables = {
        **dataset.tables(),
        "objects": objects.set_column(objects.schema.get_field_index("angle"), "angle", angle),
    }
    return Dataset.from_tables(tables, dataset.categories, dataset.info)


def read(path: str | os.PathLike[str], **options: Any) -> Dataset:
    """Read a labelkit JSON document.

    Raises:
        InputError: the document is malformed or refers to unknown items or categories.
    """
    path = Path(path)
    _refuse_wide(read_head(path, 4), path)  # (a pipe's is read whole below)
    piped = None if path.is_file() else read_bytes(path)  # (read once: the record path needs its bytes too)
    try:
        with bulk_work():
            return fast_read(path, piped)
    except NotFast:
        pass
    data = read_bytes(path) if piped is None else piped
    doc = parse_document(data, path)
    findings = _check_references(doc, path)
    if findings:
        f = findings[0]
        raise InputError(f.message, path=path, pointer=f.where.removeprefix("#"))
    return _dataset(doc)


SCHEMA_FILE = "labelkit.schema.json"
MAX_SCHEMA_FINDINGS = 100
"""Schema findings reported per file at most (the first ones in document order)."""


def validate(path: Path, schema: bool = True, **options: Any) -> list[Finding]:
    """Check a document against ``schemas/labelkit.schema.json``, the records and the references.

    Args:
        path: the document.
        schema: check the JSON Schema (see :func:`schema_findings`: 145,000 COCO-like annotations took 0.2 s, where
            jsonschema alone took 56 s; the records' checks that follow cover the same rules).
        **options: ignored.

    Returns:
        Findings with JSON pointers: every schema violation (up to :data:`MAX_SCHEMA_FINDINGS`); when the
        schema is satisfied, the records' own rules (e.g. polygon rings of x, y pairs) and references
        (unknown items and categories, duplicate ids); then masks whose runs do not add up to their size.

    Raises:
        InputError: the file is not JSON (the line is named).
    """
    data = read_bytes(path)
    _refuse_wide(data[:4], path)
    value = parse_json(data, path)
    with bulk_work():
        repeats = document_repeats(without_bom(data), value, path)  # (beside the schema's: reading keeps the last)
    if isinstance(value, dict) and (later := later_version(value.get("version"))) is not None:
        # (a later format: this labelkit's schema cannot judge it; it said only "#/version: 1 was expected")
        return [Finding(str(path), "#/version", f"Value error, {newer_version(later)}")] + repeats
    if schema:
        with bulk_work():
            findings = schema_findings(value, str(path), raw=without_bom(data))
        if findings:
            return findings + repeats
    annotations = value.get("annotations") if isinstance(value, dict) else None
    annotations = annotations if isinstance(annotations, list) else []  # (a number is the records' finding)
    objects_at = [i for i, a in enumerate(annotations) if isinstance(a, dict) and a.get("kind") == "object"]
    del value, annotations
    try:
        with bulk_work():
            dataset = fast_read(path)  # accepts only what the records accept, references included
    except NotFast:
        with bulk_work():
            doc = parse_document(data, path)
        findings = _check_references(doc, path)
        if findings:
            return findings + repeats
        dataset = read(path)
    findings = skeleton_findings(dataset.categories, str(path))
    findings += mask_run_findings(
        dataset, str(path), lambda row: "#" + json_pointer("annotations", objects_at[row], "mask")
    )
    return findings + repeats


@functools.cache
def _schemas() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The document's schema with annotations left out and the annotation's (each with the ``$defs``), the ``$defs``."""
    from labelkit.schemas_util import load_schema

    full = load_schema(SCHEMA_FILE)
    annotation = full["properties"]["annotations"]["items"]
    document = copy.deepcopy(full)
    document["properties"]["annotations"]["items"] = {}
    defs = {"$defs": full["$defs"]}
    return document, {**annotation, **defs}, defs


@functools.cache
def _validators() -> tuple[Any, Any, dict[str, Any]]:
    """The document's validator with annotations left out, the annotation validator, one per ``kind``.

    An annotation is checked against the one record its ``kind`` names (what the schema's discriminator
    says), not against every branch of the ``oneOf``: five times less work on large documents.
    """
    import jsonschema

    document, annotation, defs = _schemas()
    by_kind = {
        kind: jsonschema.Draft202012Validator({"$ref": ref, **defs})
        for kind, ref in annotation["discriminator"]["mapping"].items()
    }
    return jsonschema.Draft202012Validator(document), jsonschema.Draft202012Validator(annotation), by_kind


@functools.cache
def _fits() -> tuple[Checker, Checker] | None:
    """Fast tests that the document (annotations left out) and annotations fit the schema; None if not compiled.

    See :mod:`.native_schema_fast`: what they accept fits; what they refuse is left to jsonschema. None when the
    schema uses a keyword the compiler does not translate: jsonschema checks everything.
    """
    document, annotation, _ = _schemas()
    try:
        return Checker(document), Checker(annotation)
    except Unsupported:
        return None


def schema_findings(value: Any, path: str, fast: bool = True, raw: bytes | None = None) -> list[Finding]:
    """Every violation of the bundled JSON Schema by the parsed document ``value``, in document order.

    A violation inside an annotation is reported under the branch its ``kind`` selects, and an optional
    field under its non-null branch, so the pointer names the field at fault and not its container. A value a
    message quotes is spelled as JSON (``null``, ``true``, not Python's ``None``, ``True``); an integer past 64
    bits, which the parsed document holds as a float, as ``raw`` (the document's text) writes it.

    With ``fast`` (the default), the document and the annotations are first tested with types compiled from the
    schema (:mod:`.native_schema_fast`: 300,000 to 600,000 annotations a second, polygons of 22 points): what
    they accept fits, and only the rest is checked with jsonschema (about 2,600 such annotations a second), so the
    findings are the same. Without it, jsonschema checks everything.
    """
    fits = _fits() if fast else None  # (jsonschema is imported only for what they do not take)
    out: list[tuple[str, str, tuple[Any, ...]]] = []
    found = _raw_texts(raw)
    if fits is None or not fits[0].fits(value):
        for error in _validators()[0].iter_errors(value):
            out.extend(_explain(error, found=found))
    annotations = value.get("annotations") if isinstance(value, dict) else None
    annotations = annotations if isinstance(annotations, list) else []
    fitting = fits[1].each(annotations) if fits is not None else itertools.repeat(False, len(annotations))
    for i, (item, fit) in enumerate(zip(annotations, fitting, strict=True)):
        if fit:
            continue
        _, annotation, by_kind = _validators()
        kind = item.get("kind") if isinstance(item, dict) else None
        validator = by_kind.get(kind) if isinstance(kind, str) else None
        for error in (validator or annotation).iter_errors(item):
            out.extend(_explain(error, ("annotations", i), found))
        if len(out) > 10 * MAX_SCHEMA_FINDINGS:
            break  # enough to report; the rest of a broken file would only cost time
    ordered = sorted((_document_order(value, parts), pointer, message) for pointer, message, parts in out)
    return [Finding(path, "#" + pointer, message) for _, pointer, message in ordered[:MAX_SCHEMA_FINDINGS]]


def _document_order(value: Any, parts: tuple[Any, ...]) -> list[tuple[int, str]]:
    """A sort key that puts a location where it is in the document (keys in file order, then indexes)."""
    key: list[tuple[int, str]] = []
    for part in parts:
        if isinstance(value, dict):
            keys = list(value)
            key.append((keys.index(part), "") if part in value else (len(keys), str(part)))
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int):
            key.append((part, ""))
            value = value[part] if part < len(value) else None
        else:
            key.append((0, str(part)))
            value = None
    return key


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)  # json, not orjson: integers of any size
    return text if len(text) <= 40 else text[:37] + "..."


def _json_type(value: Any) -> str | None:
    """The JSON Schema type of a container, text or boolean (None for a number: ``integer`` and ``number``)."""
    kinds = ((bool, "boolean"), (str, "string"), (list, "array"), (dict, "object"))
    return next((name for kind, name in kinds if isinstance(value, kind)), None)


def _raw_texts(raw: bytes | None) -> Callable[[tuple[Any, ...]], str | None]:
    """The JSON text of the value at a path of the document ``raw`` (None: not found), each container split once."""
    import msgspec

    split: dict[tuple[Any, ...], Any] = {}

    def text_at(parts: tuple[Any, ...]) -> str | None:
        if raw is None:
            return None
        item = raw
        try:
            for n, part in enumerate(parts):
                if parts[:n] not in split:
                    kind = dict[str, msgspec.Raw] if item.lstrip()[:1] == b"{" else list[msgspec.Raw]
                    split[parts[:n]] = msgspec.json.decode(item, type=kind)
                item = bytes(split[parts[:n]][part])
        except (msgspec.DecodeError, msgspec.ValidationError, LookupError, TypeError):
            return None
        return item.strip().decode()

    return text_at


def _spelled(value: Any, parts: tuple[Any, ...], found: Callable[[tuple[Any, ...]], str | None]) -> str:
    """``value`` (at ``parts``) as JSON spells it: an integer past 64 bits (a float once parsed) as written."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 2**64:  # (orjson's float of a wide integer)
        text = found(parts)
        if text is not None:
            return text if len(text) <= 40 else text[:37] + "..."
    return _short(value)


def _explain(
    error: Any, prefix: tuple[Any, ...] = (), found: Callable[[tuple[Any, ...]], str | None] = lambda parts: None
) -> list[tuple[str, str, tuple[Any, ...]]]:
    """(pointer, message, path) for one jsonschema error, descending into the branch that applies.

    ``prefix`` locates the validated instance in the document; ``found`` gives the JSON text of a value by its path.
    A message quoting the value (jsonschema's: ``None is not of type 'number'``) quotes it as JSON (``null``).
    """
    here = (*prefix, *error.absolute_path)
    pointer = json_pointer(*here)
    instance, schema = error.instance, error.schema
    if error.validator == "required":
        missing = [p for p in error.validator_value if p not in instance]
        return [(json_pointer(*here, p), f"missing required field {p!r}", (*here, p)) for p in missing]
    if error.validator == "additionalProperties" and error.validator_value is False:
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        return [(json_pointer(*here, p), "unknown field", (*here, p)) for p in extra]
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: list[Any] = error.validator_value
        chosen: int | None = None
        tag = schema.get("discriminator", {})
        if tag and isinstance(instance, dict):
            key = tag["propertyName"]
            if key not in instance:
                return [(json_pointer(*here, key), f"missing required field {key!r}", (*here, key))]
            tag_value = instance[key]
            target = tag["mapping"].get(tag_value) if isinstance(tag_value, str) else None
            if target is None:
                names = ", ".join(sorted(tag["mapping"]))
                said = _spelled(instance.get(key), (*here, key), found)
                return [(json_pointer(*here, key), f"must be one of {names}, found {said}", (*here, key))]
            chosen = next(i for i, b in enumerate(branches) if b.get("$ref") == target)
        elif instance is not None:
            real = [i for i, b in enumerate(branches) if b.get("type") != "null"]
            typed = [i for i in real if _json_type(instance) == branches[i].get("type", "object")]
            if len(real) == 1 or len(typed) == 1:  # (the branch of the value's type: counts [5.5] at counts/0)
                chosen = real[0] if len(real) == 1 else typed[0]
        if chosen is not None:
            sub = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == chosen]
            if sub:
                return [triple for e in sub for triple in _explain(e, prefix, found)]
        kinds = [
            b.get("type", "object") if "type" in b or "$ref" not in b else b["$ref"].rsplit("/", 1)[-1]
            for b in branches
        ]
        return [(pointer, f"expected {' or '.join(map(str, kinds))}, found {_spelled(instance, here, found)}", here)]
    message = error.message
    said = repr(instance)
    if message.startswith(said + " ") and (instance is None or isinstance(instance, (bool, float))):
        # (jsonschema quotes Python's None, True and 1.8446744073709552e+19, not the file's null, true and digits)
        message = _spelled(instance, here, found) + message[len(said) :]
    if len(message) > 160:
        message = message[:157] + "..."
    return [(pointer, message, here)]


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if v is not None}


def _loads(text: str | None) -> Any:
    return None if text is None else T.loads_text(text)


def _mask_json(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "size": [value["height"], value["width"]],
        "counts": value["counts"] if value["counts"] is not None else value["runs"],
    }


_CELL: dict[str, Any] = {
    "attributes": _loads,
    "extras": _loads,
    "metadata": _loads,
    "columns": _loads,
    "mask": _mask_json,
    "provenance": lambda v: None if v is None else _clean(v),
}


def _cell_error(table: pa.Table, name: str, values: list[Any], convert: Any, exc: InputError) -> InputError:
    """``exc`` naming the first record whose ``name`` cell ``convert`` refuses, by its id."""
    for i, value in enumerate(values):
        try:
            convert(value)
        except InputError:
            which = f"record {table['id'][i].as_py()!r}" if "id" in table.column_names else f"row {i + 1}"
            return InputError(f"{which}: {name}: {exc.message}", found=exc.found)
    return exc


def _fill(
    rows: list[dict[str, Any]], table: pa.Table, names: Iterable[str], rename: dict[str, str] | None = None
) -> None:
    """Set ``row[name]`` from each column, column by column, skipping nulls (absent in the document)."""
    for name in names:
        column = table[name]
        if column.null_count == len(column):
            continue
        values = column.to_pylist()
        convert = _CELL.get(name)
        if convert is not None:
            try:
                values = [convert(v) for v in values]
            except InputError as exc:  # name the record (a text the reader carried as written: 1e400)
                raise _cell_error(table, name, values, convert, exc) from exc
        key = (rename or {}).get(name, name)
        if column.null_count == 0 and convert is None:
            for row, value in zip(rows, values, strict=True):
                row[key] = value
        else:
            for row, value in zip(rows, values, strict=True):
                if value is not None:
                    row[key] = value


def _annotations_json(name: str, table: pa.Table) -> list[dict[str, Any]]:
    kind = T.KIND_BY_TABLE[name]
    rows: list[dict[str, Any]] = [{"kind": kind} for _ in range(table.num_rows)]
    _fill(rows, table, table.column_names)
    return rows


def _items_json(table: pa.Table) -> list[dict[str, Any]]:
    media: list[dict[str, Any]] = [{"kind": k or "image"} for k in table["media"].to_pylist()]
    _fill(media, table, MEDIA_FIELDS)
    rows: list[dict[str, Any]] = [{"id": i, "media": m} for i, m in zip(table["id"].to_pylist(), media, strict=True)]
    _fill(rows, table, ("split", "group", "metadata"))
    return rows


def _tokens_json(table: pa.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{} for _ in range(table.num_rows)]
    _fill(rows, table, ("item_id", "index", "start", "end", "text", "columns"))
    return rows


def document(dataset: Dataset) -> dict[str, Any]:
    """The dataset as a labelkit JSON document (plain data), built column by column from the tables."""
    return {
        "format": NAME,
        "version": VERSION,
        "info": dataset.info.model_dump(mode="json", exclude_defaults=True),
        "categories": [c.model_dump(mode="json", exclude_defaults=True) for c in dataset.categories],
        "items": _items_json(dataset.table("items")),
        "annotations": [row for name in T.ANNOTATION_TABLES for row in _annotations_json(name, dataset.table(name))],
        "tokens": _tokens_json(dataset.table("tokens")),
    }


def check(dataset: Dataset, report: Report, **options: Any) -> None:
    """Labelkit JSON holds everything the model holds; only NaN and infinity (which no record holds) are refused.

    Raises:
        OutputError: what its reader refuses, which only ``Dataset.from_tables`` can give: a float column holding
            NaN or infinity, a category's parent that is not a category, an id missing or repeated, a value the
            records refuse (:func:`.native_values.check_values`: ``objects row 3: keypoints are not x, y,
            visibility triples``).
    """
    refuse_unreadable(dataset, TITLE)
    note_skeleton_indexes(dataset, report)


_CHUNK = 65_536
"""Annotations serialised per batch when streaming, so memory holds one batch of dicts, not all of them."""


def write(dataset: Dataset, path: str | os.PathLike[str], report: Report, **options: Any) -> None:
    """Write the dataset as one JSON document (compact JSON is streamed batch by batch)."""
    path = Path(path)
    with bulk_work():
        if options.get("indent"):
            path.write_bytes(orjson.dumps(document(dataset), option=orjson.OPT_INDENT_2) + b"\n")
            return
        with path.open("wb") as out:
            _stream(dataset, out)


def _stream(dataset: Dataset, out: BinaryIO) -> None:
    """Write exactly the bytes of ``orjson.dumps(document(dataset))`` plus a newline, one batch at a time."""
    head = document(_header_only(dataset))
    del head["annotations"]
    tokens = head.pop("tokens")
    # document() ends with "annotations" then "tokens": write the rest, then those two
    out.write(orjson.dumps(head)[:-1] + b',"annotations":[')
    first = True
    for name in T.ANNOTATION_TABLES:
        table = dataset.table(name)
        # (and at most VALUES_AT_ONCE polygon numbers: 800 polygons of 10,000 points, as Python floats, took 0.6 GB)
        counts = ChunkedRows(table["polygon"]).value_counts() if "polygon" in table.column_names else None
        bounds = piece_bounds(counts, _CHUNK) if counts is not None else [*range(0, table.num_rows, _CHUNK), None]
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            rows = _annotations_json(name, table.slice(a, None if b is None else b - a).combine_chunks())
            if not rows:
                continue
            if not first:
                out.write(b",")
            out.write(memoryview(orjson.dumps(rows))[1:-1])  # the batch without its brackets, not copied
            first = False
    out.write(b'],"tokens":' + orjson.dumps(tokens) + b"}\n")


def _header_only(dataset: Dataset) -> Dataset:
    """The dataset without its annotations (items, tokens, categories and info stay)."""
    tables = {name: dataset.table(name) for name in ("items", "tokens")}
    return Dataset.from_tables(tables, dataset.categories, dataset.info)
