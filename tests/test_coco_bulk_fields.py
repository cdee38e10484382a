"""COCO annotation fields read a chunk at a time agree with the one-by-one reading they stand in for.

``attributes`` objects are decoded in one typed call when every value is a flat object (coco_build), and
fields no COCO annotation has get raw fields of their own in the structs (coco_read.decode_annotations); the
tests compare each reading with the one-by-one path (the bulk path switched off) on the same file: the
same attributes and extras, or the same error at the same place.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import msgspec
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.errors import InputError
from labelkit.formats import coco_build, coco_fields, coco_read


def _document(annotation_fields: list[dict[str, Any] | None]) -> dict[str, Any]:
    annotations = []
    for i, fields in enumerate(annotation_fields):
        ann = {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}
        annotations.append({**ann, **fields} if fields is not None else ann)
    return {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
        "categories": [{"id": 1, "name": "a"}],
        "annotations": annotations,
    }


def _written(folder: Path, fields: list[dict[str, Any] | None]) -> Path:
    """An instances file of annotations with ``fields`` each."""
    src = folder / "instances_val.json"
    src.write_text(json.dumps(_document(fields)))
    return src


def _read(path: Path) -> Any:
    """What the reader made of the objects', labels' and captions' attributes and extras, or the error's line."""
    try:
        dataset = labelkit.load(path)
    except InputError as exc:
        return ("error", exc.one_line())
    records = [*dataset.objects(), *dataset.labels(), *dataset.transcripts()]
    return sorted(((r.id, type(r).__name__, r.attributes, r.extras) for r in records), key=repr)


def _both(path: Path) -> tuple[Any, Any]:
    bulk = _read(path)
    with mock.patch.object(coco_build, "_flat_attribute_texts", lambda raws: None):
        one_by_one = _read(path)
    return bulk, one_by_one


def test_flat_attribute_texts_are_the_texts_json_text_writes() -> None:
    raws = [b'{"occluded": false, "rotation": 0.0}', b"{}", b'{ "n" : 3, "s": "x", "l": ["a", "b"] }']
    assert coco_build._flat_attribute_texts(raws) == [
        '{"occluded":false,"rotation":0.0}',
        None,
        '{"n":3,"s":"x","l":["a","b"]}',
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a": null}',  # a value no attribute holds: carried
        b'{"a": {"b": 1}}',
        b'{"a": [1]}',
        b"[]",
        b'{"a": 9223372036854775808}',  # past int64: carried
        b'{"a": -9223372036854775809}',  # past int64 below: refused with its pointer
        b'{"a": 1e400}',
    ],
)
def test_values_other_than_flat_objects_take_the_one_by_one_path(raw: bytes) -> None:
    assert coco_build._flat_attribute_texts([b'{"a": 1}', raw]) is None


@pytest.mark.parametrize(
    "fields",
    [
        [{"attributes": {"occluded": False, "rotation": 0.0}}] * 3,  # CVAT's: every annotation has them
        [{"attributes": {"occluded": True}}, None, {"attributes": {}}, {"attributes": {"z": "w", "l": []}}],
        [{"attributes": {}}] * 2,
        [{"attributes": {"n": 10000000000000000000}}, {"attributes": {"a": 1}}],
        [{"attributes": {"n": -9223372036854775809}}],
        [{"attributes": {"a": None}}, {"attributes": {"a": 1.5}}],
        [{"attributes": {"a": {"deep": [1, {"x": 2}]}}}, {"attributes": {"a": "1234567890123456789"}}],
        [{"attributes": [1, 2]}, {"attributes": "x"}, {"attributes": None}],
    ],
)
def test_attributes_read_as_one_by_one(tmp_path: Path, fields: list[dict[str, Any] | None]) -> None:
    bulk, one_by_one = _both(_written(tmp_path, fields))
    assert bulk == one_by_one


def test_a_number_no_float_holds_is_refused_at_its_pointer_either_way(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    text = json.dumps(_document([{"attributes": {"a": 1}}, {"attributes": {"b": 0}}]))
    src.write_text(text.replace('"b": 0', '"b": 1e400'))
    bulk, one_by_one = _both(src)
    assert bulk == one_by_one == ("error", bulk[1])
    assert "/annotations/1/attributes/b" in bulk[1]


_SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
    st.none(),
)
_VALUES = st.one_of(_SCALARS, st.lists(st.one_of(st.text(max_size=3), st.integers(0, 3)), max_size=2))
_ATTRIBUTES = st.one_of(
    st.dictionaries(st.text(max_size=3), _VALUES, max_size=3),
    st.dictionaries(st.text(max_size=3), st.one_of(st.booleans(), st.floats(-10, 10), st.text(max_size=3)), max_size=3),
    st.lists(st.integers(0, 3), max_size=2),
    st.none(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.fixed_dictionaries({"attributes": _ATTRIBUTES})), min_size=1, max_size=6))
def test_any_attributes_read_as_one_by_one(fields: list[dict[str, Any] | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bulk, one_by_one = _both(_written(Path(tmp), fields))
        assert bulk == one_by_one


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _apart(path: Path) -> tuple[Any, Any]:
    """The reading with unknown fields held by the structs, and with them decoded per annotation."""
    bulk = _read(path)
    with mock.patch.object(coco_fields, "UNKNOWN_FIELDS", 0):
        one_by_one = _read(path)
    return bulk, one_by_one


def test_unknown_fields_become_fields_of_the_structs_in_the_order_met() -> None:
    raws = [msgspec.Raw(b'{"id": 1, "track_id": 3, "a b": [1]}'), msgspec.Raw(b'{"id": 2, "z": {}}')]
    anns, extra, names = coco_read.decode_annotations(raws, Path("x.json"), 0, ("z",))
    assert extra is None and names == ("z", "track_id", "a b")
    assert [bytes(a._unknown_1) for a in anns] == [b"3", b""]  # type: ignore[attr-defined]
    assert [bytes(a._unknown_0) for a in anns] == [b"", b"{}"]  # type: ignore[attr-defined]
    with mock.patch.object(coco_fields, "UNKNOWN_FIELDS", 1):
        anns, extra, names = coco_read.decode_annotations(raws, Path("x.json"), 0)
    assert names == ("track_id",) and extra == [{"track_id": mock.ANY, "a b": mock.ANY}, {"z": mock.ANY}]


def test_unknown_fields_keep_the_file_s_order_in_the_extras_text(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    fields = [{"area": 1, "track_id": 7, "b": [1, 2], "a": None}] * 2
    src.write_text(json.dumps(_document(fields), separators=(",", ":")))  # (values are kept as written)
    table = labelkit.load(src).table("objects")
    assert table["extras"].to_pylist() == ['{"coco:area":1,"coco:track_id":7,"coco:b":[1,2],"coco:a":null}'] * 2


@pytest.mark.parametrize(
    "fields",
    [
        [{"track_id": 1}, {"track_id": 2, "area": 4}, None],
        [{"x": 1}, {"y": 2}, {"x": 3, "y": 4}, {"y": 5, "x": 6}],
        [{"@type": "box", "~t": 1, "a`b - at `$[0]": 2, "é\n": {"deep": [1, [2]]}}],
        [{"n": 10000000000000000000}],  # past 64 bits: refused at its pointer
        [{"n": 1}, {"n": _nested(40)}],  # deeper than an extra field may nest: refused
        [{"caption": "a cat", "k": 1}, {"caption": "a dog"}],
        [{"bbox": None, "k": 1}, {"k": 2}],
        [{"id": "7", "k": 1}],  # a wrong type beside an unknown field: the same error
        [{f"f{i}": i} for i in range(20)],  # more names than the structs get fields for
    ],
)
def test_unknown_fields_read_as_one_by_one(tmp_path: Path, fields: list[dict[str, Any] | None]) -> None:
    bulk, one_by_one = _apart(_written(tmp_path, fields))
    assert bulk == one_by_one


def test_names_found_in_one_chunk_are_tried_first_in_the_next(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(_document([{"a": i} if i >= 3 else {"b": i} for i in range(7)])))  # (two passes)
    seen: list[tuple[str, ...]] = []
    decode = coco_read.decode_annotations

    def spy(*args: Any) -> Any:
        out = decode(*args)
        seen.append(out[2])
        return out

    with mock.patch.object(coco_read, "ANNOTATION_CHUNK", 3), mock.patch.object(coco_read, "decode_annotations", spy):
        bulk = _read(src)
    assert seen == [("b",), ("b", "a"), ("b", "a")]
    assert bulk == _apart(src)[1]


_NAMES = ["track_id", "a b", "`", "` - at `$[0]", "@x", "~y", "area", "z"]
_KEYS = st.one_of(st.sampled_from(_NAMES), st.text(max_size=3))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**65), 2**65), st.floats(allow_nan=False), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=2), inner, max_size=2)),
    max_leaves=4,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dictionaries(_KEYS, _JSON, max_size=3)), min_size=1, max_size=6))
@example([{"track_id": {"²": -9223372036854775809}}])  # ('²'.isdigit(): a pointer's part taken for an index)
def test_any_unknown_fields_read_as_one_by_one(fields: list[dict[str, Any] | None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bulk, one_by_one = _apart(_written(Path(tmp), fields))
        assert bulk == one_by_one


def test_a_file_whose_first_annotations_name_its_unknown_fields_is_decoded_in_one_pass(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(_document([{"track_id": 1}, {"a": 2}, {"track_id": 3, "a": 4}])))
    f = coco_read.decode_file(src)
    assert f.decoded is not None and not f.raw_annotations and f.unknown_fields == ("track_id", "a")
    (chunk,) = f.chunks()
    assert chunk.unknown_fields == ("track_id", "a") and chunk.column("_unknown_1")[1] == msgspec.Raw(b"2")
    with mock.patch.object(coco_read, "ANNOTATION_CHUNK", 1):  # "a" met past the first chunk: two passes
        f = coco_read.decode_file(src)
        assert f.decoded is None and len(f.raw_annotations) == 3
        assert [c.unknown_fields for c in f.chunks()] == [("track_id",), ("track_id", "a"), ("track_id", "a")]
        bulk = _read(src)
    assert bulk == _apart(src)[1]
