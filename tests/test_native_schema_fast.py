"""The labelkit JSON schema pass's fast path (native_schema_fast): the findings jsonschema alone gives, faster."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from conftest import NATIVE_FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelkit.errors import InputError
from labelkit.formats import native
from labelkit.formats.native_schema_fast import Checker, Unsupported, compile_schema
from labelkit.schemas_util import load_schema

SCHEMA = load_schema("labelkit.schema.json")
DEFS = SCHEMA["$defs"]


def both(value: Any) -> list[Any]:
    """The findings of the fast path, asserted equal to jsonschema's alone."""
    fast = native.schema_findings(value, "f.json")
    assert fast == native.schema_findings(value, "f.json", fast=False)
    return fast


def fits_annotation(value: Any) -> bool:
    fits = native._fits()
    assert fits is not None
    return fits[1].fits(value)


# ---------------------------------------------------------------- valid values from the schema, then one change


def valid(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values ``schema`` accepts (the keywords the bundled schema uses), small."""
    if "$ref" in schema:
        return st.deferred(lambda: valid(DEFS[schema["$ref"].rsplit("/", 1)[-1]]))
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return st.one_of([valid(b) for b in schema[keyword]])
    kind = schema.get("type")
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "string":
        return st.text(alphabet="ab\u00e9\U0001f600", max_size=3)
    if kind == "integer":
        low, high = schema.get("minimum", -(2**70)), schema.get("maximum", 2**70)
        return st.one_of(st.sampled_from([low, high, 0]), st.integers(low, high))
    if kind == "number":
        # (an integer past 64 bits is a number, but an attribute's union takes it as an int: refused fast)
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-(2**63), 2**63 - 1))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        if "prefixItems" in schema:
            return st.tuples(*[valid(p) for p in schema["prefixItems"]]).map(list)
        return st.lists(valid(schema.get("items", {})), max_size=3)
    if kind == "object":
        properties = schema.get("properties")
        if properties is None:
            extra = schema.get("additionalProperties", True)
            return st.dictionaries(st.sampled_from("xyz"), json_values if extra is True else valid(extra), max_size=2)
        required = set(schema.get("required", []))
        return st.fixed_dictionaries(
            {k: valid(v) for k, v in properties.items() if k in required},
            optional={k: valid(v) for k, v in properties.items() if k not in required},
        )
    return json_values  # (an empty schema)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=2),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2),
    max_leaves=4,
)

WRONG = [None, True, False, 0, -1, 1, 2**63 - 1, 2**63, -(2**63) - 1, 2**64, 2.0, -0.0, 2.5, 1e300, math.inf,
         math.nan, "", "x", "object", "label", [], [1], [1, 2], [1.5, 2], ["a"], {}, {"a": 1},
         {"kind": "object"}]  # fmt: skip
wrong = st.sampled_from(WRONG).map(copy.deepcopy)  # (a copy each time: a list or dict drawn may be changed after)


def nodes(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of the values inside ``value`` (itself first), of a list's first and last items only."""
    found = [at]
    if isinstance(value, dict):
        for k, v in value.items():
            found += nodes(v, (*at, k))
    elif isinstance(value, list):
        for i in sorted({0, len(value) - 1} if value else ()):
            found += nodes(value[i], (*at, i))
    return found


@st.composite
def near(draw: st.DrawFn) -> Any:
    """A valid document, or one with one value changed (a wrong type, out of range, null), a key added or removed."""
    document = draw(valid(SCHEMA))
    if draw(st.integers(0, 4)) == 0:
        return document
    paths = nodes(document)
    at = draw(st.sampled_from(paths))
    parent: Any = None
    target: Any = document
    for part in at:
        parent, target = target, target[part]
    change = draw(st.sampled_from(["replace", "replace", "add", "remove", "null"]))
    if change == "add" and isinstance(target, dict):
        target[draw(st.sampled_from(["zz", "kind", "id", "extras", "size"]))] = draw(wrong)
    elif change == "add" and isinstance(target, list):
        target.append(draw(wrong))
    elif change == "remove" and isinstance(target, dict) and target:
        del target[draw(st.sampled_from(sorted(target)))]
    elif change == "remove" and isinstance(target, list) and target:
        target.pop()
    elif parent is None:
        return draw(wrong)
    else:
        parent[at[-1]] = None if change == "null" else draw(wrong)
    return document


@st.composite
def documents(draw: st.DrawFn) -> Any:
    """A document whose annotations are several, each valid or near it (and sometimes a broken top level)."""
    document = draw(near())
    if not isinstance(document, dict):
        return document
    annotation = {**SCHEMA["properties"]["annotations"]["items"]}
    document["annotations"] = draw(st.lists(valid(annotation), max_size=3))
    for _ in range(draw(st.integers(0, 3))):
        one = draw(valid(annotation))
        wrapped = {"a": one}
        paths = nodes(one)
        at = draw(st.sampled_from(paths))
        target: Any = wrapped
        for part in ("a", *at[:-1]):
            target = target[part]
        key = at[-1] if at else "a"
        target[key] = draw(wrong)
        if draw(st.booleans()) and isinstance(wrapped["a"], dict):
            wrapped["a"][draw(st.sampled_from(["zz", "kind", "bbox", "start"]))] = draw(wrong)
        document["annotations"].insert(draw(st.integers(0, len(document["annotations"]))), wrapped["a"])
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
def test_fast_findings_are_jsonschema_findings(document: Any) -> None:
    both(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid({**SCHEMA["properties"]["annotations"]["items"], "$defs": DEFS}))
def test_every_valid_annotation_is_accepted_fast(annotation: Any) -> None:
    """The fast types are not stricter than needed on what the writer writes: a valid annotation is taken fast.

    (Floats of integer value in an integer field are the exception, which jsonschema takes: none are drawn.)
    """
    assert fits_annotation(annotation)


# ---------------------------------------------------------------- the traps, one by one

OBJECT = {"kind": "object", "id": "1", "item_id": "a"}

# (field, value, whether jsonschema takes it, whether the fast types take it)
TRAPS = [
    ("category_id", 2.0, True, False),  # JSON Schema's integer takes 2.0; msgspec's int does not: jsonschema decides
    ("category_id", 2.5, False, False),
    ("category_id", True, False, False),  # a bool is no integer, in either
    ("category_id", 2**63 - 1, True, True),
    ("category_id", -(2**63), True, True),
    ("category_id", 2**63, False, False),
    ("category_id", -(2**63) - 1, False, False),
    ("category_id", 1.8446744073709552e19, False, False),  # (2**64 in the text: orjson reads it as a float)
    ("score", 1, True, True),  # number takes an integer in both
    ("score", True, False, False),  # and no bool
    ("score", 2**70, True, True),
    ("score", 2**1100, True, False),  # (past a float: msgspec refuses it, jsonschema takes it)
    ("score", math.inf, True, True),  # (not from JSON: parse_json refuses 1e400; both take a Python inf)
    ("score", math.nan, True, True),
    ("frame", math.inf, False, False),
    ("frame", -1, False, False),
    ("frame", 0, True, True),
    ("angle", None, False, False),  # (no null branch: absent and null differ)
    ("bbox", [1, 2, 3, 4], True, True),
    ("bbox", [1, 2, 3], False, False),
    ("bbox", [1, 2, 3, 4, 5], False, False),
    ("bbox", [1, 2, 3, "4"], False, False),
    ("shape", "polygon", True, True),
    ("shape", "Polygon", False, False),
    ("track_id", "\ud800", True, True),  # (a lone surrogate: parse_json refuses it in a file; as a value, a str)
    ("attributes", {"a": 2**63}, True, False),  # an integer past 64 bits is a number: msgspec's union says int
    ("attributes", {"a": [1]}, False, False),
    ("attributes", {"a": None}, False, False),
    ("extras", {"a": {"b": [None, 2**80, math.nan]}}, True, True),  # (extras: anything)
    ("extras", [], False, False),
    ("mask", {"size": [1, 2], "counts": "ab"}, True, True),
    ("mask", {"size": [1, 2], "counts": [1, -1]}, False, False),
    ("mask", {"size": [1, 2], "counts": "ab", "extra": 1}, False, False),
    ("mask", {"size": [1, 2]}, False, False),
    ("provenance", {}, True, True),
    ("provenance", {"annotator": "x", "more": 1}, False, False),
    ("colour", "red", False, False),  # an unknown field of the annotation
    ("polygon", [[1, 2.5, 3]], True, True),
    ("polygon", [[1, None]], False, False),
    ("keyframe", 1, False, False),
]


@pytest.mark.parametrize(("field", "value", "schema_takes", "fast_takes"), TRAPS, ids=lambda v: repr(v)[:30])
def test_trap(field: str, value: Any, schema_takes: bool, fast_takes: bool) -> None:
    annotation = {**OBJECT, field: value}
    assert (
        jsonschema.Draft202012Validator({"$ref": "#/$defs/Object", "$defs": DEFS}).is_valid(annotation) is schema_takes
    )
    assert fits_annotation(annotation) is fast_takes
    findings = both({"annotations": [annotation]})
    assert (findings == []) is schema_takes


KINDS = [
    {"id": "1", "item_id": "a"},  # no kind
    {"kind": None, "id": "1", "item_id": "a"},
    {"kind": 1, "id": "1", "item_id": "a"},
    {"kind": "Object", "id": "1", "item_id": "a"},
    {"kind": "span", "id": "1", "item_id": "a"},  # the span's start and end are missing
    {"kind": "span", "id": "1", "item_id": "a", "start": 0, "end": 2, "bbox": [1, 2, 3, 4]},  # an object's field
    {"kind": "track", "id": "1", "item_id": "a", "kind ": "track"},
    [OBJECT],
    "object",
    None,
]


@pytest.mark.parametrize("annotation", KINDS, ids=lambda v: repr(v)[:40])
def test_a_kind_selects_one_record_or_none(annotation: Any) -> None:
    assert not fits_annotation(annotation)
    assert both({"annotations": [annotation]}) != []


DOCUMENTS = [
    ({"version": 1, "format": "labelkit"}, True),
    ({"version": True}, False),
    ({"version": 1.0}, True),  # (const 1 and integer: jsonschema takes 1.0, which the fast type leaves to it)
    ({"format": "coco"}, False),
    ({"items": [{"id": "a", "media": {"width": 2**63}}]}, False),
    ({"items": [{"id": "a", "media": {"kind": "image", "width": 3}, "metadata": {"a": [1]}}]}, True),
    ({"tokens": [{"item_id": "a", "index": 0, "start": 0, "end": 1, "text": "x", "columns": {"a": 1}}]}, False),
    ({"categories": [{"id": 1, "name": "a", "skeleton": [[1, 2], [2, 3, 4]]}]}, False),
    (
        {"categories": [{"id": 1, "name": "a", "skeleton": [[1, 2]], "attributes": [{"name": "x", "type": "int"}]}]},
        True,
    ),
    ({"info": {"attributes": [{"name": "x", "default": 2**64}]}}, True),  # (an integer past 64 bits: a number)
    ({"info": {"name": None, "extra": 1}}, False),
    ({"annotations": "none"}, False),
    ([], False),
    ("labelkit", False),
]


@pytest.mark.parametrize(("document", "fits"), DOCUMENTS, ids=lambda v: repr(v)[:40])
def test_document_traps(document: Any, fits: bool) -> None:
    assert (both(document) == []) is fits


def write(tmp_path: Path, text: bytes) -> Path:
    path = tmp_path / "d.labelkit.json"
    path.write_bytes(text)
    return path


A = b'{"annotations": [{"kind": "object", "id": "1", "item_id": "a", '
FILES = [
    # a repeated key: the parser keeps the last value, which both checks see
    (b'{"annotations": [{"kind": "object", "id": 2, "id": "1", "item_id": "a"}]}', []),
    (b'{"annotations": [{"kind": "object", "id": "1", "id": 2, "item_id": "a"}]}', ["#/annotations/0/id"]),
    (b'{"annotations": [{"kind": "label", "kind": "object", "id": "1", "item_id": "a", "bbox": null}]}', []),
    (b'{"annotations": [{"kind": "object", "kind": "label", "id": "1", "item_id": "a", "bbox": null}]}',
     ["#/annotations/0/bbox"]),
    (b'{"version": 2, "version": 1}', []),
    (A + b'"category_id": 18446744073709551616}]}', ["#/annotations/0/category_id"]),  # (orjson: a float)
    (A + b'"category_id": 2.0}]}', []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "wheres"), FILES, ids=lambda v: repr(v)[:60])
def test_files_fast_and_slow(tmp_path: Path, text: bytes, wheres: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, text)
    value = orjson.loads(text)
    findings = native.schema_findings(value, str(path))
    assert [f.where for f in findings] == wheres
    assert findings == native.schema_findings(value, str(path), fast=False)
    fast = outcome(path)
    monkeypatch.setattr(native, "_fits", lambda: None)
    assert fast == outcome(path)


def outcome(path: Path) -> Any:
    """What ``validate`` gives: its findings, or the error it raises (the records may refuse what the schema takes)."""
    try:
        return native.validate(path)
    except InputError as exc:
        return str(exc)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (b'{"annotations": [{"kind": "object", "id": "1", "item_id": "a",\n "score": 1e400}]}', 2),
        (b'{"annotations": [{"kind": "object",\n "id": "\\ud800", "item_id": "a"}]}', 2),
        (b'{"annotations": [{"kind": "object",\n "id": "\xff", "item_id": "a"}]}', 2),
        (b'{"annotations": [{"kind": "object", "id": "1", "item_id": "a",\n "score": NaN}]}', 2),
    ],
)
def test_text_the_parser_refuses_is_an_error_before_either_check(tmp_path: Path, text: bytes, line: int) -> None:
    with pytest.raises(InputError) as err:
        native.validate(write(tmp_path, text))
    assert err.value.location.line == line


# ---------------------------------------------------------------- the fast path is taken


def test_a_valid_document_is_not_given_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    document = orjson.loads(max(NATIVE_FIXTURES, key=lambda p: p.stat().st_size).read_bytes())
    document["annotations"] += [
        {**OBJECT, "bbox": [1, 2, 3, 4], "polygon": [[1, 2, 3, 4, 5, 6]], "mask": {"size": [2, 2], "counts": [1, 3]}},
        {"kind": "label", "id": "1", "item_id": "a", "attributes": {"a": 1, "b": 2.5, "c": "x", "d": ["y"], "e": True}},
        {"kind": "span", "id": "1", "item_id": "a", "start": 0, "end": 3, "provenance": {"model": "m"}},
        {"kind": "transcript", "id": "1", "item_id": "a", "text": "hi", "start": 0.5},
        {"kind": "track", "id": "1", "item_id": "a", "extras": {"x": [1, {"y": None}]}},
    ]
    kinds = {a["kind"] for a in document["annotations"]}
    assert kinds == {"object", "label", "span", "transcript", "track"}
    assert native.schema_findings(document, "f.json") == []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("jsonschema was called")

    monkeypatch.setattr(jsonschema.Draft202012Validator, "iter_errors", refuse)
    assert native.schema_findings(document, "f.json") == []
    with pytest.raises(AssertionError, match="jsonschema was called"):
        native.schema_findings(document, "f.json", fast=False)


def test_only_the_annotation_that_does_not_fit_is_given_to_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {"annotations": [OBJECT] * 5 + [{**OBJECT, "bbox": [1]}] + [OBJECT] * 5}
    given_to_jsonschema: list[Any] = []
    iter_errors = jsonschema.Draft202012Validator.iter_errors

    def spy(self: Any, instance: Any, *args: Any) -> Any:
        given_to_jsonschema.append(instance)
        return iter_errors(self, instance, *args)

    monkeypatch.setattr(jsonschema.Draft202012Validator, "iter_errors", spy)
    assert [f.where for f in native.schema_findings(document, "f.json")] == ["#/annotations/5/bbox"]
    assert given_to_jsonschema == [{**OBJECT, "bbox": [1]}]


@pytest.mark.parametrize("chunk", [1, 3, 1024])
def test_each_tells_the_annotations_that_do_not_fit_chunk_by_chunk(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("labelkit.formats.native_schema_fast.CHUNK", chunk)
    bad = {1, 3, 4, 9}
    annotations = [{**OBJECT, "bbox": [i]} if i in bad else {**OBJECT, "bbox": [i, 0, 1, 1]} for i in range(10)]
    fits = native._fits()
    assert fits is not None
    assert list(fits[1].each(annotations)) == [i not in bad for i in range(10)]
    assert list(fits[1].each([])) == []
    assert [f.where for f in both({"annotations": annotations})] == [f"#/annotations/{i}/bbox" for i in sorted(bad)]


# ---------------------------------------------------------------- the compiler refuses what it does not know


def test_the_bundled_schema_compiles() -> None:
    assert native._fits() is not None


REFUSED = [
    {"type": "string", "pattern": "^a"},
    {"type": "string", "minLength": 1},
    {"type": "string", "format": "uri"},
    {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    {"type": "array", "prefixItems": [{"type": "integer"}]},  # (more items may follow: not a tuple)
    {"type": "array", "prefixItems": [{"type": "integer"}], "minItems": 1, "maxItems": 2},
    {"type": "integer", "exclusiveMinimum": 0},
    {"type": "integer", "multipleOf": 2},
    {"type": "integer", "minimum": 0.5},
    {"type": "integer", "minimum": True},
    {"type": "integer", "enum": [1, 2]},
    {"type": "number", "const": 1.5},
    {"type": ["string", "null"]},
    {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}},
    {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]},
    {"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x": {}}},
    {"type": "object", "propertyNames": {"maxLength": 3}},
    {"type": "object", "additionalProperties": False},
    {"properties": {"a": {"type": "string"}}},  # (no type: a non-object fits too)
    {"$ref": "#/$defs/A", "type": "object"},
    {"$ref": "#/$defs/Missing"},
    {"$ref": "other.json#/$defs/A"},
    {"anyOf": [{"type": "string"}], "type": "string"},
    {"allOf": [{"type": "string"}]},
    {"not": {"type": "string"}},
    {"if": {"type": "string"}, "then": {"minLength": 1}},
    {"oneOf": [{"type": "string"}, {"type": "integer"}]},  # (no discriminator)
    {"anyOf": [{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]},  # (two untagged structs: msgspec cannot tell them apart)
    {"type": "string", "const": "a", "enum": ["a"]},
    {"type": "string", "enum": [1]},
    {"type": "integer", "const": True},
]
TWO = {
    "A": {"type": "object", "properties": {"k": {"type": "string", "const": "a"}, "x": {}}, "required": ["k"]},
    "B": {"type": "object", "properties": {"k": {"type": "string", "const": "b"}}, "required": ["k"]},
}


@pytest.mark.parametrize("schema", REFUSED, ids=lambda v: repr(v)[:50])
def test_the_compiler_refuses_what_it_does_not_translate(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema({**schema, "$defs": TWO})


def tagged(**changes: Any) -> dict[str, Any]:
    defs = copy.deepcopy(TWO)
    refs = {"a": "#/$defs/A", "b": "#/$defs/B"}
    schema = {"oneOf": [{"$ref": r} for r in refs.values()], "discriminator": {"propertyName": "k", "mapping": refs}}
    for name, change in changes.items():
        change(defs[name] if name in defs else schema)
    return {**schema, "$defs": defs}


def test_a_discriminated_one_of_compiles_to_a_tagged_union() -> None:
    fits = Checker(tagged()).fits
    assert fits({"k": "a", "x": 1}) and fits({"k": "b"}) and fits({"k": "b", "other": 1})
    assert not fits({"x": 1}) and not fits({"k": "c"}) and not fits({"k": None}) and not fits([])


@pytest.mark.parametrize(
    "changes",
    [
        {"A": lambda d: d["required"].remove("k")},  # a branch that does not require the tag matches without it
        {"B": lambda d: d["properties"]["k"].update(const="a")},  # two branches of one tag: none fits (oneOf)
        {"B": lambda d: d["properties"]["k"].pop("const")},
        {"B": lambda d: d["properties"]["k"].update(type="integer", const=1)},
        {"B": lambda d: d["properties"]["k"].update(minLength=1)},
        {"s": lambda d: d["discriminator"]["mapping"].update(c="#/$defs/A")},
        {"s": lambda d: d["discriminator"].update(propertyName="x")},
        {"s": lambda d: (d["oneOf"].pop(), d["discriminator"]["mapping"].pop("b"))},  # a lone branch
        {"s": lambda d: d["oneOf"].append({"type": "object"})},
        {"s": lambda d: d.pop("discriminator")},
        {"s": lambda d: d["discriminator"].update(extra=1)},
    ],
    ids=lambda v: next(iter(v)),
)
def test_the_compiler_refuses_a_one_of_a_tagged_union_would_not_equal(changes: dict[str, Any]) -> None:
    """A lone branch too: msgspec does not require the tag of a tagged struct outside a union."""
    with pytest.raises(Unsupported):
        compile_schema(tagged(**changes))


def test_a_schema_the_compiler_refuses_is_checked_by_jsonschema_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A schema regenerated with a keyword the compiler does not know makes the fast path step aside, not go lax."""
    schema = copy.deepcopy(SCHEMA)
    schema["$defs"]["Object"]["properties"]["id"]["minLength"] = 1
    monkeypatch.setattr("labelkit.schemas_util.load_schema", lambda name: copy.deepcopy(schema))
    for cached in (native._schemas, native._validators, native._fits):
        cached.cache_clear()
    try:
        assert native._fits() is None
        findings = native.schema_findings({"annotations": [{**OBJECT, "id": ""}]}, "f.json")
        assert [f.where for f in findings] == ["#/annotations/0/id"]
    finally:
        monkeypatch.undo()
        for cached in (native._schemas, native._validators, native._fits):
            cached.cache_clear()
    assert native._fits() is not None


def test_nan_against_a_bound_is_left_to_jsonschema() -> None:
    """JSON Schema's bounds let NaN through (every comparison is false); msgspec's refuse it: stricter, so fine."""
    schema = {"type": "number", "minimum": 0, "maximum": 1}
    assert jsonschema.Draft202012Validator(schema).is_valid(math.nan)
    fits = Checker(schema).fits
    assert not fits(math.nan) and not fits(math.inf) and not fits(-0.5) and not fits(True)
    assert fits(0) and fits(1) and fits(0.5)


def test_absent_additional_properties_ignores_unknown_fields_as_json_schema_does() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    fits = Checker(schema).fits
    assert fits({"a": 1, "b": "anything"}) and not fits({"b": 1}) and not fits({"a": "1"})
    assert jsonschema.Draft202012Validator(schema).is_valid({"a": 1, "b": "anything"})
    closed = Checker({**schema, "additionalProperties": False}).fits
    assert closed({"a": 1}) and not closed({"a": 1, "b": 2})


# ---------------------------------------------------------------- found by a differential review (fast vs jsonschema)

SURROGATE = [  # (a lone surrogate: parse_json refuses it in a file; schema_findings may be given one as a value)
    ({"annotations": [{**OBJECT, "shape": "\ud800"}]}, "#/annotations/0/shape"),  # a Literal: msgspec encodes it
    ({"annotations": [{**OBJECT, "kind": "\ud800"}]}, "#/annotations/0/kind"),  # the tag
    ({"annotations": [{**OBJECT, "\ud800": 1}]}, "#/annotations/0/\ud800"),  # a key of a struct
    ({"\ud800": 1}, "#/\ud800"),
    ({"format": "\ud800"}, "#/format"),
    ({"items": [{"id": "a", "media": {"kind": "\ud800"}}]}, "#/items/0/media/kind"),
]


@pytest.mark.parametrize(("document", "where"), SURROGATE, ids=lambda v: repr(v)[:50])
def test_a_lone_surrogate_msgspec_cannot_encode_is_left_to_jsonschema(document: Any, where: str) -> None:
    """msgspec raises UnicodeEncodeError (not a ValidationError) matching such a string or key: a refusal."""
    assert [f.where for f in both(document)] == [where]
    many = {**document, "annotations": [OBJECT] * 1500 + document.get("annotations", [])}  # (the second chunk)
    assert [f.where for f in both(many)] == [where.replace("/annotations/0/", "/annotations/1500/")]


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "number", "maximum": 2**53},  # (2**53 + 1 would convert to the float 2**53: within the bound)
        {"type": "number", "minimum": -(2**53)},
        {"type": "number", "maximum": 2**63 - 1},
        {"type": "number", "maximum": 1e300},
        {"type": "number", "minimum": -math.inf},
        {"type": "number", "maximum": math.nan},
        {"type": "integer", "maximum": 2**63},  # (msgspec's bounds of an int are int64: it raised ValueError)
        {"type": "integer", "minimum": -(2**63) - 1},
    ],
    ids=repr,
)
def test_a_bound_msgspec_would_not_apply_exactly_is_not_translated(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema(schema)


def test_a_number_bound_below_2_53_refuses_every_integer_past_it() -> None:
    """msgspec compares an int with a number's bound as a float: exact while the bound is under 2**53 in size."""
    for bound in (2**53 - 1, 2**53 - 1.0, 1e15, -(2**53) + 1):
        for keyword, beyond in (("maximum", 1), ("minimum", -1)):
            schema = {"type": "number", keyword: bound}
            fits = Checker(schema).fits
            check = jsonschema.Draft202012Validator(schema).is_valid
            for value in (int(bound), int(bound) + beyond, 2**53 * beyond, (2**53 + 1) * beyond, 2**64 * beyond):
                assert fits(value) is check(value), (schema, value)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "const": 2**70},  # (msgspec: NotImplementedError, building the Literal)
        {"type": "array", "minItems": 2**70},  # (ValueError, building the Meta)
        {"type": "array", "maxItems": 2**70},
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": [["a"]]},  # (not a schema: TypeError)
    ],
    ids=repr,
)
def test_a_type_msgspec_will_not_build_is_unsupported(schema: dict[str, Any]) -> None:
    """Not an error out of ``_fits()`` (``validate`` would go up as a traceback): jsonschema checks everything."""
    with pytest.raises(Unsupported):
        compile_schema(schema)


TUPLE = {"type": "array", "prefixItems": [{"type": "integer"}], "minItems": 1, "maxItems": 1}


@pytest.mark.parametrize(
    "bounded",
    [
        {"type": "number", "maximum": 5},
        {"type": "integer", "minimum": 0},
        {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
    ],
    ids=repr,
)
def test_a_tuple_and_a_bounded_number_in_one_union_are_unsupported(bounded: dict[str, Any]) -> None:
    """msgspec (0.18.0 to 0.23.0) crashes the process (a segmentation fault) building a decoder, or converting, for
    a union of a fixed-length tuple and a type with a ``Meta`` constraint: compiled in a process of its own."""
    for branches in ([TUPLE, bounded], [bounded, {"anyOf": [TUPLE, {"type": "null"}]}]):
        code = (
            "from labelkit.formats.native_schema_fast import compile_schema, Unsupported\n"
            f"try:\n    compile_schema({{'anyOf': {branches!r}}})\nexcept Unsupported:\n    print('unsupported')\n"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert (done.returncode, done.stdout) == (0, "unsupported\n")


@pytest.mark.parametrize("extra", [0, 1, 1.0, None, "false"])
def test_the_compiler_refuses_additional_properties_that_are_not_a_boolean_or_a_schema(extra: Any) -> None:
    # (1 == True in Python: a malformed schema's 1 was taken for true)
    record = {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": extra}
    with pytest.raises(Unsupported):
        compile_schema(record)


def test_a_document_that_fits_is_validated_without_importing_jsonschema() -> None:
    # (jsonschema and its validators are made only for what the compiled types do not take: 0.1 s of imports)
    code = (
        "import sys, labelkit; "
        f"assert labelkit.validate({str(ROOT / 'fixtures' / 'native' / 'images.labelkit.json')!r}) == []; "
        "print('jsonschema' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"
