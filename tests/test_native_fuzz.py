"""Mutated documents: a read succeeds or raises InputError; the bulk reader is never laxer than the records."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_errors_native import FULL

import labelkit
from labelkit.errors import InputError
from labelkit.formats import native, native_bulk

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=5)
    | st.sampled_from(["box", "polygon", "object", "label", "image", "video", "labelkit"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(FULL)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(_paths(doc)))
        if not where:
            continue
        parent = doc
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[where[-1]] = draw(JSON_VALUES)
        elif action == "delete" and isinstance(parent, dict):
            del parent[where[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "kind", "bbox", "start", "metadata", "size"]))] = draw(JSON_VALUES)
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_documents_read_or_fail_cleanly(doc: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.labelkit.json"
        path.write_text(json.dumps(doc))
        data = path.read_bytes()
        try:
            slow = native._dataset(native.parse_document(data, path))
            slow_findings = native._check_references(native.parse_document(data, path), path)
        except InputError:
            slow, slow_findings = None, None
        try:
            fast = native_bulk.fast_read(path)
        except native_bulk.NotFast:
            fast = None
        event("bulk path" if fast is not None else "record path")
        event("valid" if slow is not None and slow_findings == [] else "invalid")
        if fast is not None:
            # whatever the bulk path accepts, the records accept, and they read the same thing
            assert slow is not None and slow_findings == []
            for name, table in slow.tables().items():
                assert fast.table(name).equals(table), name
        try:
            ds = labelkit.load(path, "labelkit")
        except InputError as exc:
            assert exc.location.path == str(path)
            assert exc.location.pointer is not None or exc.location.line is not None
            return
        # what was read writes and reads back the same
        out = Path(tmp) / "again.labelkit.json"
        labelkit.save(ds, out, "labelkit")
        assert labelkit.load(out).to_dict() == ds.to_dict()


# rules the records check that a JSON Schema cannot say (parity, lengths that depend on other fields,
# JSON values in free mappings, an integer attribute past int64 that the schema's "number" accepts)
RECORD_ONLY_RULES = (
    "polygon ring",
    "polygon_holes has",
    "keypoints are",
    "does not fit 64 bits",
    "not a JSON value",
    "not a finite number",
    "is not text",
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_schema_and_records_agree(doc: Any) -> None:
    data = json.dumps(doc).encode()
    schema_ok = native.schema_findings(doc, "doc") == []
    try:
        native.parse_document(data, "doc")
    except InputError as exc:
        if schema_ok:
            # JSON Schema counts 1.0 as an integer; the records want integers written as integers
            # (a union such as a mask's counts, string or list of integers, reports its first member's
            # message at the union's pointer: the integral float is then inside the value)
            integral_float = exc.message.startswith("Input should be a valid ") and _is_integral_float(
                doc, exc.location.pointer or ""
            )
            assert integral_float or any(rule in exc.message for rule in RECORD_ONLY_RULES), exc.message
        return
    assert schema_ok, native.schema_findings(doc, "doc")


def _is_integral_float(doc: Any, pointer: str) -> bool:
    value = doc
    for part in pointer.split("/")[1:]:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return _holds_integral_float(value)


def _holds_integral_float(value: Any) -> bool:
    if isinstance(value, list):
        return any(_holds_integral_float(v) for v in value)
    return isinstance(value, float) and value.is_integer()


def test_short_renders_any_json_value() -> None:
    assert native._short(2**70) == str(2**70)
    assert native._short({"a": "é" * 50}).endswith("...")
