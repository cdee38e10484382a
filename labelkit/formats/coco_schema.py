"""COCO schema validation with the bundled ``schemas/coco.schema.json``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson

from labelkit.errors import InputError, json_pointer, shown
from labelkit.formats.coco_read import refuse_utf16
from labelkit.formats.coco_schema_fast import fitted_keys
from labelkit.formats.coco_tasks import CAPTION_RESULTS
from labelkit.formats.coco_values import MAX_FINDINGS as MAX_FINDINGS  # (findings per file)
from labelkit.formats.coco_values import value_findings
from labelkit.io import parse_json, read_bytes, read_text, too_deep, without_bom
from labelkit.json_checks import json_error
from labelkit.json_places import WideInt, int_or_wide
from labelkit.json_repeats import SPACED_KEY_END as _SPACED_KEY_END
from labelkit.json_repeats import key_count as _keys
from labelkit.json_repeats import key_ends as _key_ends
from labelkit.json_repeats import refuse_constant as _refuse_constant
from labelkit.json_repeats import repeat_findings as _repeat_findings
from labelkit.json_repeats import repeated_keys as repeated_keys  # (the lockfile reader imports it from here)
from labelkit.report import Finding
from labelkit.schemas_util import load_schema


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


_SECTIONS = {"categories": 1, "images": 2, "annotations": 3}
"""The order reading checks a COCO file's lists in (the other top-level keys before them)."""


_FIELDS = {
    "annotations": ("image_id", "id", "category_id", "score", "caption", "segmentation", "keypoints", "bbox"),
    "images": ("id", "file_name", "coco_url", "width", "height"),
    "categories": ("id", "name"),
}
"""The fields of a record in the order reading checks them (the others after, by name)."""

_WRONG_ID = re.compile(
    r"^(?:image_id|id|category_id) (?:must be an integer \(found (?!null\)$)|does not fit in 64 bits$)"
)
"""An annotation's id of the wrong type (not null, not missing): refused as it is decoded, before the other checks."""


def reading_order(where: str, message: str = "") -> list[tuple[int, int, str]]:
    """A finding's JSON pointer (``#/images/12/width``) as a sort key: in the order ``convert`` meets problems.

    Reading checks categories, then images, then annotations, each in list order, so ``validate`` lists a file's
    findings so and its first is the problem ``convert`` names (they were sorted by name: annotations first).
    Within a record, its fields go in the order reading checks them (:data:`_FIELDS`; an annotation's id given a
    wrong type, its ``message`` says, first), where they went by name (``area`` before ``segmentation``,
    ``category_id`` before ``image_id``).

    Examples:
        >>> where = ["#/annotations/2/id", "#/images/10/width", "#/images/9/id", "#/categories/0/id", "#/info/x"]
        >>> sorted(where, key=reading_order)
        ['#/info/x', '#/categories/0/id', '#/images/9/id', '#/images/10/width', '#/annotations/2/id']
    """
    parts = where.split("/")
    listed = len(parts) > 1 and _index(parts[1])  # (a results file's bare list: /<i>/<field>)
    section, field_at = ("annotations", 2) if listed else (parts[1] if len(parts) > 1 else "", 3)
    fields = _FIELDS.get(section)
    key = []
    for n, part in enumerate(parts):
        if _index(part):
            key.append((0, int(part), ""))
        elif n == field_at and fields is not None:
            if section == "annotations" and _WRONG_ID.match(message):  # (alike: they stay in the file's order)
                key.append((1, 0, ""))
            else:
                key.append((1, 1 + (fields.index(part) if part in fields else len(fields)), part))
        else:
            key.append((1, _SECTIONS.get(part, 0) if n == 1 else 0, part))
    return key


def _index(part: str) -> bool:
    """Whether a pointer's part is a list index (ASCII digits: ``'²'.isdigit()`` is true, and int() refuses it)."""
    return part.isascii() and part.isdigit()


def record_order(where: str) -> tuple[int, int]:
    """Where reading meets a finding at ``where`` (``/annotations/2/bbox``), as a sort key of its record alone.

    The other top-level keys, categories, images, then annotations (a detection-results file's bare list too),
    each in list order; a sort by it keeps a record's findings in the order they were made (:func:`reading_order`
    orders by the whole pointer).

    >>> [record_order(where) for where in ("/annotations/2/bbox", "/categories/0/skeleton/0/1", "/3/bbox")]
    [(3, 2), (1, 0), (3, 3)]
    """
    first, _, rest = where.lstrip("/").partition("/")
    if _index(first):  # (a results file: /<i>/...)
        return _SECTIONS["annotations"], int(first)
    index = rest.partition("/")[0]
    return _SECTIONS.get(first, 0), int(index) if _index(index) else -1


def _schema_findings(path: Path, fast: bool = True) -> list[Finding]:
    findings = _schema_pass(path, fast)
    if findings is None:  # (called from here, not from the pass: depth limits count the caller's frames)
        findings = _schema_pass(path, fast=False)
    findings = findings or []
    if findings and len(findings) < MAX_FINDINGS:  # (without, the semantic pass follows: see coco.validate)
        # (a value jsonschema named too, a bbox's "4": in a conversion's words, as the others)
        values = {f.where: f for f in value_findings(path, MAX_FINDINGS)}
        findings = [values.pop(f.where, f) for f in findings]
        inside = tuple(f.where + "/" for f in findings)  # (a value the schema refused whole: named there alone)
        findings += [f for f in values.values() if not f.where.startswith(inside)][: MAX_FINDINGS - len(findings)]
        findings.sort(key=lambda f: reading_order(f.where, f.message))
    return findings


def _schema_pass(path: Path, fast: bool) -> list[Finding] | None:
    """The findings; None when a list taken whole (``fast``) repeats a key: every item is to be looked at."""
    import jsonschema

    schema = load_schema("coco.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    findings: list[Finding] = []

    def add(errors: Any, prefix: tuple[str | int, ...] = ()) -> None:
        for error in errors:
            best = jsonschema.exceptions.best_match([error])
            at = (*prefix, *best.absolute_path)
            missing = _missing(best, at)
            if missing is not None:  # (said as a conversion says it, at the field's pointer)
                findings.append(Finding(str(path), "#" + json_pointer(*at, missing[0]), missing[1]))
            else:
                findings.append(Finding(str(path), "#" + json_pointer(*at), _message(best)))

    defs = schema["$defs"]
    document_validator = jsonschema.Draft202012Validator({**defs["document"], "$defs": defs})
    keys = _Keys()
    document = _lazy_document(path, keys, fast=fast)
    findings.extend(_repeat_findings(path, keys.repeats))
    images: Any = []
    categories: Any = []
    if isinstance(document, list):  # detection results
        annotations: Any = document
        annotation_schema = defs["result"]
        prefix: tuple[str | int, ...] = ()
    else:
        annotations = document.get("annotations") if isinstance(document, dict) else None
        images = document.get("images") if isinstance(document, dict) else None
        # (the categories too, a record at a time: jsonschema took 8 s over a list of 80,000, all of one shape)
        categories = document.get("categories") if isinstance(document, dict) else None
        annotation_schema = defs["annotation"]
        prefix = ("annotations",)
        rest = dict(document) if isinstance(document, dict) else document
        if isinstance(rest, dict):
            for name, value in (("annotations", annotations), ("images", images), ("categories", categories)):
                if isinstance(value, list):
                    rest[name] = []
        # (a document, against its branch of the schema's oneOf: each violation named, not the branch's best)
        add(validator.iter_errors(rest) if not isinstance(rest, dict) else document_validator.iter_errors(rest))
    for items, item_schema, where in (
        (images, defs["image"], ("images",)),
        (categories, defs["category"], ("categories",)),
        (annotations, annotation_schema, prefix),
    ):
        if not isinstance(items, list):
            continue
        item_validator = jsonschema.Draft202012Validator({**item_schema, "$defs": defs})
        passed: set[Any] = set()  # shapes that fit: one that does not is checked at each item, to name each
        for i, raw in enumerate(items):
            if len(findings) >= MAX_FINDINGS:
                if not keys.exact():  # (a list taken whole repeats a key: the count that would say so stops here)
                    return None
                keys.total = None  # (items left unread: their keys are not counted)
                break
            item = _item(raw, path) if isinstance(raw, msgspec.Raw) else raw  # (the categories are parsed)
            if isinstance(item, dict) and where != ("categories",):  # (a category's keypoints are its names)
                _lighten(item)
            if isinstance(raw, msgspec.Raw) and (repeats := keys.check(bytes(raw), item)):
                findings.extend(_repeat_findings(path, repeats, (*where, i)))
            if not where and isinstance(item, dict) and "caption" in item:  # (as reading refuses it, at the record)
                findings.append(Finding(str(path), "#" + json_pointer(i), CAPTION_RESULTS))
            shape = None
            if isinstance(item, dict):
                shape = _shape(item)
                if shape in passed:
                    continue
            before = len(findings)
            add(item_validator.iter_errors(item), (*where, i))
            if len(findings) > before + 1 and isinstance(item, dict):  # (ids of the wrong type: in the file's order)
                at = {key: n for n, key in enumerate(item)}
                record = len("#" + json_pointer(*where, i)) + 1
                findings[before:] = sorted(
                    findings[before:], key=lambda f: at.get(f.where[record:].partition("/")[0], len(at))
                )
            if shape is not None and len(findings) == before:
                passed.add(shape)
    if isinstance(document, dict) and keys.total is not None and keys.total - keys.counted != len(document):
        if keys.taken:  # a key repeated in the lists taken whole, or in the top level: every item is looked at
            return None
        # the top level's keys are the file's less its values': more is a repeated key (or \": in a key)
        findings.extend(_repeat_findings(path, [at for at in repeated_keys(read_bytes(path)) if len(at) == 1]))
    findings.sort(key=lambda f: reading_order(f.where, f.message))
    return findings[:MAX_FINDINGS]


_CONVERT_INTEGERS = ("id", "image_id", "category_id", "width", "height")
"""Fields whose value of another type than an integer, or beyond 64 bits, ``validate`` names in a conversion's words."""

_INT64 = (-(2**63), 2**63 - 1)


def _message(error: Any) -> str:
    """The error's message (jsonschema's), an id's said as a conversion says it.

    An id, ``width`` or ``height`` that is no integer, or beyond 64 bits, is said as a conversion refuses it (``id
    must be an integer (found 3.5)``, where jsonschema says ``3.5 is not of type 'integer'``; ``id does not fit in
    64 bits``).
    """
    key = error.path[-1] if error.path else None
    if isinstance(error.instance, WideInt):  # (not its stand-in's digits: 18446744073709551616 is not in the file)
        return f"{key} does not fit in 64 bits" if key in _CONVERT_INTEGERS else "an integer does not fit in 64 bits"
    integer = error.validator == "type" and error.validator_value in ("integer", ["integer", "null"])
    if integer and key in _CONVERT_INTEGERS:  # (a null one too: 'None is not of type ...' named Python's None)
        return f"{key} must be an integer (found {shown(error.instance)})"
    if key in _CONVERT_INTEGERS and error.validator in ("minimum", "maximum") and error.validator_value in _INT64:
        return f"{key} does not fit in 64 bits"  # (2**70 was '1.1805916207174113e+21 is greater than the maximum ...')
    message = str(error.message)
    said = repr(error.instance)
    if (error.instance is None or isinstance(error.instance, bool)) and message.startswith(said + " "):
        return shown(error.instance) + message[len(said) :]  # ('None is not of type ...': Python's word, not JSON's)
    return message


def _missing(error: Any, at: tuple[str | int, ...]) -> tuple[str, str] | None:
    """(key, message) for a field the file lacks, said as a conversion says it.

    jsonschema says ``'image_id' is a required property`` at the object; a conversion says ``missing required
    field 'image_id'`` at the field, and so does this: a record's field (an image's, annotation's, category's or
    result's), an RLE's ``counts`` or ``size``, the top level's ``images``. An annotation lacking both of
    ``anyOf``'s fields is ``missing required field 'category_id' or 'caption'`` at the first (jsonschema showed
    the whole annotation as checked, its polygons emptied: ``{'id': 1, ..., 'segmentation': [[]]} is not valid
    under any of the given schemas``). None for another finding. Called on findings only, never on a record
    that fits.
    """
    if error.validator == "required":
        keys = [key for key in error.validator_value if error.message == f"{key!r} is a required property"]
        return (keys[0], f"missing required field {keys[0]!r}") if keys else None
    branches = error.validator_value if error.validator == "anyOf" else None
    if isinstance(branches, list) and branches and all(list(b) == ["required"] for b in branches):
        names = [name for b in branches for name in b["required"]]
        return names[0], "missing required field " + " or ".join(repr(name) for name in names)
    return None


class _Unlike(Exception):
    """A text the lazy decode reads otherwise than the whole-document parse: that parse decides."""


def _lazy_document(path: Path, keys: _Keys | None = None, fast: bool = False) -> Any:
    """The parsed file, its ``images`` and ``annotations`` (or a results file's list) left as raw JSON items.

    Each item is parsed when its turn comes and dropped after (see :func:`_loads`): a train2017-sized file
    parsed whole took 4 GB as Python objects. A file the item-by-item decode does not take (not JSON; a
    number Python's JSON parser alone reads) is parsed whole by :func:`_document`, which names its error.
    ``keys`` gets the file's key count and the repeated keys of the values parsed here (see :class:`_Keys`).

    With ``fast``, a list whose every item is shown to fit the schema, with no key repeated, comes back empty
    (see :func:`~labelkit.formats.coco_schema_fast.fitted_keys`): there is nothing to check in it.
    """
    keys = _Keys() if keys is None else keys
    data = without_bom(read_bytes(path))
    refuse_utf16(data[:4], path)
    start = data.lstrip()[:1]
    try:
        if start == b"[":
            keys.spaced = _SPACED_KEY_END.search(data) is not None
            if fast and (fitted := fitted_keys(data, "results")) is not None and fitted == _key_ends(data, keys.spaced):
                return []
            return msgspec.json.decode(data, type=list[msgspec.Raw])  # (no keys of its own: its items are checked)
        if start == b"{":
            members = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
            keys.spaced = _SPACED_KEY_END.search(data) is not None
            document: dict[str, Any] = {}
            for k, v in members.items():
                if k in ("images", "annotations") and bytes(memoryview(v)[:1]) == b"[":
                    fitted = fitted_keys(v, k) if fast else None
                    if fitted is not None:  # (its key count is checked with the file's, at the end)
                        keys.counted += fitted
                        keys.taken.append((v, fitted))
                        document[k] = []
                        continue
                    document[k] = msgspec.json.decode(v, type=list[msgspec.Raw])
                else:
                    document[k] = _loads(v)
                    keys.repeats += [(k, *at) for at in keys.check(bytes(v), document[k])]
            keys.total = _key_ends(data, keys.spaced)
            return document
    except (msgspec.DecodeError, _Unlike):
        pass
    document = _document(path)  # (raises on a file that is not JSON)
    keys.repeats = repeated_keys(data)  # (parsed whole: checked whole)
    return document


@dataclass
class _Keys:
    """Keys counted by :func:`_key_ends` in the values parsed so far, their repeats, and the whole file's count.

    A value whose text holds more key ends than the parsed value has keys is parsed again, pair by pair
    (:func:`repeated_keys`); the file's count less its values' is its top level's, checked at the end.
    """

    total: int | None = None
    counted: int = 0
    spaced: bool = True
    """Whether the file may hold a key whose ``"`` and ``:`` are spaced apart (Jackson writes ``"id" : 1``)."""
    repeats: list[tuple[str | int, ...]] = field(default_factory=list)
    taken: list[tuple[msgspec.Raw, int]] = field(default_factory=list)
    """The lists taken whole (:func:`~labelkit.formats.coco_schema_fast.fitted_keys`), with their keys
    counted as if none repeated: a repeat there shows in the file's count, not in ``repeats``."""

    def exact(self) -> bool:
        """Whether no list taken whole repeats a key (each one's own key ends, as the file's are counted at the end).

        Asked where the end's count is not made: the findings reached :data:`MAX_FINDINGS` first.
        """
        return all(_key_ends(bytes(text), self.spaced) == n for text, n in self.taken)

    def check(self, text: bytes, parsed: Any) -> list[tuple[str | int, ...]]:
        """The paths of the keys ``text``, read as ``parsed``, repeats.

        None, without parsing it again, when its key ends are its keys.
        """
        ends = _key_ends(text, self.spaced)
        self.counted += ends
        flat = type(parsed) is dict and text.count(b"{") == 1  # (no object inside: most annotations)
        return repeated_keys(text) if ends != (len(parsed) if flat else _keys(parsed)) else []


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
        return json.loads(bytes(raw).decode("utf-8"), parse_constant=_refuse_constant, parse_int=int_or_wide)
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
    its pointer, as reading does; so is an integer of more digits than Python converts, read as 2**64 (see
    :func:`~labelkit.json_places.int_or_wide`).

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
        return json.loads(read_text(path), parse_constant=_refuse_constant, parse_int=int_or_wide)
    except ValueError:  # (that, or a syntax error past it: said where it is)
        raise (json_error(data, path) or error) from None


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
