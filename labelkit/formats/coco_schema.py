"""COCO schema validation with the bundled ``schemas/coco.schema.json``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson

from labelkit.errors import InputError, json_pointer
from labelkit.formats.coco_read import refuse_utf16
from labelkit.io import parse_json, read_bytes, read_text, too_deep, without_bom
from labelkit.report import Finding
from labelkit.schemas_util import load_schema

MAX_FINDINGS = 100
"""Schema findings reported per file (a broken generator repeats one mistake a million times)."""


def schema_findings(path: Path) -> list[Finding]:
    """Schema violations of one COCO file, each with the JSON pointer of the offending value.

    jsonschema checks values in Python, which would take minutes on a train2017-sized file. So coordinate
    lists are emptied first (the semantic pass decodes them with typed parsers that report a non-number
    with its pointer), and an annotation is checked only when no annotation of its *shape* (keys, value types,
    signs, ``iscrowd``) has fit the schema before: annotations of one shape pass or fail the schema together, and
    each of a shape that fails is named (up to :data:`MAX_FINDINGS`), in document order.

    Raises:
        InputError: the file is not valid JSON (with its line), or holds values nested deeper than jsonschema
            goes (its messages show the value: Python's recursion limit).
    """
    try:
        return _schema_findings(path)
    except RecursionError as exc:
        raise too_deep(read_bytes(path), path) from exc


def _schema_findings(path: Path) -> list[Finding]:
    import jsonschema

    schema = load_schema("coco.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    document = _lazy_document(path)
    findings: list[Finding] = []

    def add(errors: Any, prefix: tuple[str | int, ...] = ()) -> None:
        for error in errors:
            best = jsonschema.exceptions.best_match([error])
            findings.append(Finding(str(path), "#" + json_pointer(*prefix, *best.absolute_path), _message(best)))

    defs = schema["$defs"]
    images: Any = []
    if isinstance(document, list):  # detection results
        annotations: Any = document
        annotation_schema = defs["result"]
        prefix: tuple[str | int, ...] = ()
    else:
        annotations = document.get("annotations") if isinstance(document, dict) else None
        images = document.get("images") if isinstance(document, dict) else None
        annotation_schema = defs["annotation"]
        prefix = ("annotations",)
        rest = dict(document) if isinstance(document, dict) else document
        if isinstance(rest, dict):
            if isinstance(annotations, list):
                rest["annotations"] = []
            if isinstance(images, list):
                rest["images"] = []
        add(validator.iter_errors(rest))
    for items, item_schema, where in (
        (images, defs["image"], ("images",)),
        (annotations, annotation_schema, prefix),
    ):
        if not isinstance(items, list):
            continue
        item_validator = jsonschema.Draft202012Validator({**item_schema, "$defs": defs})
        passed: set[Any] = set()  # shapes that fit: one that does not is checked at each item, to name each
        for i, raw in enumerate(items):
            if len(findings) >= MAX_FINDINGS:
                break
            item = _item(raw, path)
            shape = None
            if isinstance(item, dict):
                _lighten(item)
                shape = _shape(item)
                if shape in passed:
                    continue
            before = len(findings)
            add(item_validator.iter_errors(item), (*where, i))
            if shape is not None and len(findings) == before:
                passed.add(shape)
    findings.sort(key=lambda f: [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in f.where.split("/")])
    return findings[:MAX_FINDINGS]


def _message(error: Any) -> str:
    """The error's message; an annotation lacking both of ``anyOf``'s required fields gets their names.

    jsonschema's own message shows the whole annotation as checked, its polygons and keypoints emptied (see
    :func:`_lighten`): ``{'id': 1, ..., 'segmentation': [[]]} is not valid under any of the given schemas``.
    """
    branches = error.validator_value if error.validator == "anyOf" else None
    if isinstance(branches, list) and branches and all(list(b) == ["required"] for b in branches):
        names = " or ".join(repr(name) for b in branches for name in b["required"])
        return f"{names} is a required property"
    return str(error.message)


class _Unlike(Exception):
    """A text the lazy decode reads otherwise than the whole-document parse: that parse decides."""


def _lazy_document(path: Path) -> Any:
    """The parsed file, its ``images`` and ``annotations`` (or a results file's list) left as raw JSON items.

    Each item is parsed when its turn comes and dropped after (see :func:`_loads`): a train2017-sized file
    parsed whole took 4 GB as Python objects. A file the item-by-item decode does not take (not JSON; a
    number Python's JSON parser alone reads) is parsed whole by :func:`_document`, which names its error.
    """
    data = without_bom(read_bytes(path))
    refuse_utf16(data[:4], path)
    start = data.lstrip()[:1]
    try:
        if start == b"[":
            return msgspec.json.decode(data, type=list[msgspec.Raw])
        if start != b"{":
            return _document(path)
        members = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
        return {
            k: msgspec.json.decode(v, type=list[msgspec.Raw])
            if k in ("images", "annotations") and bytes(memoryview(v)[:1]) == b"["
            else _loads(v)
            for k, v in members.items()
        }
    except (msgspec.DecodeError, _Unlike):
        return _document(path)


def _loads(raw: msgspec.Raw) -> Any:
    """One raw JSON value parsed as :func:`_document` parses the whole file (``1e400`` as infinity).

    Raises:
        _Unlike: orjson and Python's parser both refuse it.
    """
    try:
        return orjson.loads(memoryview(raw))
    except orjson.JSONDecodeError:
        pass
    import json

    try:
        return json.loads(bytes(raw).decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError:
        raise _Unlike from None


def _item(raw: Any, path: Path) -> Any:
    """An item of :func:`_lazy_document`'s lists, parsed; one neither parser takes raises as the whole file does."""
    if not isinstance(raw, msgspec.Raw):
        return raw
    try:
        return _loads(raw)
    except _Unlike:
        _document(path)  # (raises: the file holds this text)
        raise AssertionError("the whole file parsed where one of its items did not") from None


def _document(path: Path) -> Any:
    """The parsed file; a number past float64's range (``1e400``) is read as infinity.

    orjson refuses such a file as invalid JSON, but it is valid JSON: the semantic pass reports the number at
    its pointer, as reading does.

    Raises:
        InputError: the file is not valid JSON (with its line).
    """
    data = without_bom(read_bytes(path))  # (a UTF-8 byte-order mark: dropped, as reading does)
    refuse_utf16(data[:4], path)
    try:
        return parse_json(data, path)
    except InputError as exc:
        if "infinity" not in exc.message:
            raise
        error = exc
    import json

    try:
        return json.loads(read_text(path), parse_constant=_refuse_constant)
    except ValueError:  # (that, or an integer of more digits than Python converts): orjson's error stands
        raise error from None


def _refuse_constant(constant: str) -> Any:
    """Python's JSON parser's ``parse_constant``: NaN and Infinity, which it takes, are not JSON."""
    raise ValueError(constant)


def _lighten(annotation: dict[str, Any]) -> None:
    segmentation = annotation.get("segmentation")
    if isinstance(segmentation, list) and all(isinstance(ring, list) for ring in segmentation):
        annotation["segmentation"] = [[] for _ in segmentation]
    if isinstance(annotation.get("keypoints"), list):
        annotation["keypoints"] = []


def _kind(value: Any) -> Any:
    """What the schema can tell apart about a value: its type, sign, int64 range, emptiness and small structure.

    A float's wholeness too: JSON Schema's ``integer`` takes ``2.0`` and refuses ``2.5``.
    """
    t = type(value)
    if t is int:
        return (t, value < 0, -(2**63) <= value < 2**63)
    if t is float:
        return (t, value < 0, -(2**63) <= value < 2**63, value.is_integer())
    if t is str:
        return (t, value == "")
    if t is list:
        return (t, len(value) if len(value) <= 4 else -1, frozenset(map(_kind, value)))
    if t is dict:
        return (t, tuple((k, _kind(v)) for k, v in value.items()))
    return (t, value) if t is bool or value is None else t


def _shape(record: dict[str, Any]) -> Any:
    """Records of one shape pass or fail the schema together (``iscrowd`` counts by value: it is an enum)."""
    return tuple(
        (k, v if k == "iscrowd" and type(v) in (int, float, bool, str) else _kind(v)) for k, v in record.items()
    )
