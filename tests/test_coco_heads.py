"""COCO image records read as typed columns (coco_heads) agree with the record-by-record reading they stand in for.

The tests compare each reading with the record-by-record path (``image_heads`` switched off) on the same file:
the same items (ids, paths, sizes, metadata text), the same COCO written back, or the same error at the same
place; and they pin which lists take the typed way.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.errors import InputError
from labelkit.formats import coco_heads, coco_read

_CATEGORIES = [{"id": 1, "name": "a"}]


def _written(folder: Path, images: Any) -> Path:
    src = folder / "instances_val.json"
    annotations = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}]
    document = {"images": images, "categories": _CATEGORIES, "annotations": annotations}
    src.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return src


def _read(path: Path) -> Any:
    """The items as read (id, path, size, metadata text), and the COCO written back; or the error's line."""
    try:
        dataset = labelkit.load(path)
    except InputError as exc:
        return ("error", exc.one_line())
    items = dataset.table("items").select(["id", "path", "width", "height", "metadata"]).to_pylist()
    with tempfile.TemporaryDirectory() as out:
        labelkit.save(dataset, Path(out) / "coco", "coco")
        written = (Path(out) / "coco" / "annotations" / "instances_val.json").read_bytes()
    return items, written


def _both(path: Path) -> tuple[Any, Any]:
    typed = _read(path)
    with mock.patch.object(coco_read, "image_heads", lambda raw: None):
        by_record = _read(path)
    return typed, by_record


def _image(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": i, "file_name": f"{i}.jpg", "width": 640, "height": 480, **fields}


_COCO_2017 = {
    "license": 3,
    "coco_url": "http://images.cocodataset.org/val2017/x.jpg",
    "date_captured": "2013-11-14 17:02:52",
    "flickr_url": "http://farm7.staticflickr.com/x.jpg",
}


def test_coco_2017_records_read_typed_with_their_metadata_as_written() -> None:
    raw = json.dumps([{"license": 3, "file_name": "a.jpg", "height": 2, "width": 4, "id": 7, "flickr_url": "u"}])
    heads = coco_heads.image_heads(raw.encode())
    assert heads is not None
    assert (heads.ids, heads.names, heads.widths, heads.heights) == ([7], ["a.jpg"], [4], [2])
    assert heads.metadata.to_pylist() == [b'{"license":3,"flickr_url":"u"}']


@pytest.mark.parametrize(
    "images",
    [
        [_image(1, **_COCO_2017), _image(2, **_COCO_2017)],
        [_image(1), _image(2)],  # Label Studio's: no other field
        [_image(1, license=0, flickr_url="", coco_url="", date_captured=0)],  # Datumaro's
        [_image(1, a=True, b=None, c=-12, d=123456789012345678, e="é ✓")],
        [],
    ],
)
def test_plain_lists_read_typed_as_record_by_record(tmp_path: Path, images: list[dict[str, Any]]) -> None:
    src = _written(tmp_path, images)
    assert coco_heads.image_heads(json.dumps(images, ensure_ascii=False).encode()) is not None
    typed, by_record = _both(src)
    assert typed == by_record


@pytest.mark.parametrize(
    "images",
    [
        [_image(1, url="a\\/b")],  # an escape: orjson writes it otherwise
        [_image(1, area=1.5)],  # a float: its text may be written otherwise
        [_image(1, n=1234567890123456789)],  # 19 digits: may be past 64 bits
        [_image(1, extra={"a": 1})],  # Roboflow's: nested
        [_image(1, tags=[1])],
        [_image(1, license=1), _image(2)],  # a record without the field
        [_image(1), _image(2, license=1)],
        [_image(1, width=-1)],  # what the record-by-record way refuses, it says where
        [_image(1, id=True)],
        [_image(1, id=1.0)],
        [_image(1, id=2**63)],
        [_image(1, file_name=None)],
        [{"id": 1, "width": 4, "height": 4, "coco_url": "http://x/val2017/a.jpg"}],  # LVIS v1's: no file_name
        [_image(1, **{'a"b': 1})],  # a name msgspec cannot rename to
        {"id": 1},
        [1],
    ],
)
def test_other_lists_read_record_by_record(tmp_path: Path, images: Any) -> None:
    text = json.dumps(images).replace("a\\\\/b", "a\\/b")
    assert coco_heads.image_heads(text.encode()) is None
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps({"images": images, "categories": _CATEGORIES}).replace("a\\\\/b", "a\\/b"))
    typed, by_record = _both(src)
    assert typed == by_record


def test_a_bad_field_of_the_four_is_named_before_a_bad_other_field(tmp_path: Path) -> None:
    """The record-by-record way checks the four fields first, then the others (the order the errors had)."""
    src = _written(tmp_path, [_image(1, id="x", big=10**20)])
    typed, by_record = _both(src)
    assert typed == by_record == ("error", typed[1])
    assert typed[1].endswith("#/images/0/id: id must be an integer (found 'x')")


def test_a_field_met_late_sends_the_list_record_by_record() -> None:
    images = [_image(i) for i in range(coco_heads.NAMED_WITHIN + 1)]
    images[-1]["license"] = 1
    assert coco_heads.image_heads(json.dumps(images).encode()) is None
    images[-2]["license"] = images[-1].pop("license")
    assert coco_heads.image_heads(json.dumps(images).encode()) is None  # (then absent from a record after it)


def test_members_are_in_the_order_the_first_records_spell_them() -> None:
    """A record spelling its fields in another order reads with the first records' order (the same content)."""
    raw = b'[{"id":1,"file_name":"a","width":1,"height":1,"b":1,"a":2},'
    raw += b'{"a":3,"b":4,"id":2,"file_name":"b","width":1,"height":1}]'
    heads = coco_heads.image_heads(raw)
    assert heads is not None
    assert heads.metadata.to_pylist() == [b'{"b":1,"a":2}', b'{"b":4,"a":3}']


_PLAIN_VALUES = st.one_of(
    st.booleans(),
    st.none(),
    st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'), max_size=5),
)
_ANY_VALUES = st.one_of(
    _PLAIN_VALUES,
    st.integers(min_value=-(2**64), max_value=2**65),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.lists(st.integers(0, 3), max_size=2),
)
_NAMES = st.sampled_from(["license", "coco_url", "date_captured", "flickr_url", "x", "id", "width"])


@settings(max_examples=120, deadline=None)
@given(
    st.lists(
        st.dictionaries(_NAMES, st.one_of(_PLAIN_VALUES, _ANY_VALUES), max_size=4),
        max_size=4,
    )
)
def test_any_records_read_as_record_by_record(records: list[dict[str, Any]]) -> None:
    images = [{**_image(i + 1), **fields} for i, fields in enumerate(records)]
    with tempfile.TemporaryDirectory() as tmp:
        typed, by_record = _both(_written(Path(tmp), images))
        if isinstance(typed, tuple) and typed[0] == "error":
            assert typed == by_record
            return
        # the same content; members in the first record's order (the writer's image keys come first, then these)
        assert [(i["id"], i["path"], i["width"], i["height"]) for i in typed[0]] == [
            (i["id"], i["path"], i["width"], i["height"]) for i in by_record[0]
        ]
        for mine, theirs in zip(typed[0], by_record[0], strict=True):
            assert (mine["metadata"] is None) == (theirs["metadata"] is None)
            if mine["metadata"] is not None:
                assert json.loads(mine["metadata"]) == json.loads(theirs["metadata"])
        assert json.loads(typed[1]) == json.loads(by_record[1])


_RAW_NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["-0", "0", "-0.0", "1.5", "1e5", "1E5", "-1e-05", "123456789012345678", "-123456789012345678"]),
    st.sampled_from(["1234567890123456789", "-1234567890123456789", "10.0"]),
)
_RAW_STRINGS = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\'), max_size=4).map(
        lambda s: json.dumps(s, ensure_ascii=False)
    ),
    st.sampled_from(['"a\\/b"', '"\\u00e9"', '"\\""', '"e.-0"']),
)
_RAW_WORDS = st.sampled_from(["true", "false", "null"])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.lists(_RAW_NUMBERS, min_size=1, max_size=5),
        st.lists(_RAW_STRINGS, min_size=1, max_size=5),
        st.lists(_RAW_WORDS, min_size=1, max_size=5),
        st.lists(st.one_of(_RAW_NUMBERS, _RAW_STRINGS, _RAW_WORDS), min_size=1, max_size=5),
    )
)
def test_a_column_is_plain_where_every_value_matches_the_pattern(texts: list[str]) -> None:
    """The searches of the joined bytes say what the pattern says of each value (the mixed columns use it)."""
    values = [t.encode() for t in texts]
    lengths = np.array([len(v) for v in values], dtype=np.int64)
    column = pa.array(values, pa.large_binary())
    expected = all(re.fullmatch(coco_heads._PLAIN_VALUE, t) for t in texts)
    assert coco_heads._plain(column, lengths) == expected
