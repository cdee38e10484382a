"""COCO ``validate`` lists every value problem, beside schema findings too, and ``convert`` names its first.

The schema pass leaves coordinates out and cannot see an id of ``640.0`` or an integer beyond 64 bits (orjson
reads it as a float); :mod:`labelkit.formats.coco_values` names those. These tests pin what a probe found missing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.errors import InputError

POLYGONS = "segmentation must be a list of polygons (lists of numbers)"
IMAGE = {"id": 1, "file_name": "a.jpg", "width": 100, "height": 50}
CATEGORIES = [{"id": 1, "name": "c"}]


def _annotation(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": i, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], **fields}


def _write(tmp_path: Path, doc: Any, name: str = "instances_val.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _found(path: Path) -> list[tuple[str, str]]:
    return [(f.where, f.message) for f in labelkit.validate(path)]


def _refused(path: Path) -> tuple[str | None, str]:
    """The pointer and message (with what was found) of the error reading ``path`` raises."""
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    found = err.value.found
    return err.value.location.pointer, err.value.message + (f" (found {found})" if found is not None else "")


def test_values_beside_schema_findings_are_each_named(tmp_path: Path) -> None:
    """An id of 640.0, one below int64, a list inside a polygon ring or keypoints: named beside a string height."""
    path = _write(
        tmp_path,
        {
            "images": [{**IMAGE, "width": 640.0}, {**IMAGE, "id": 2, "height": "480"}],
            "categories": CATEGORIES,
            "annotations": [
                _annotation(1, category_id=-9223372036854775809),
                _annotation(2, segmentation=[[0, 0, [4], 0, 4, 4]]),
                _annotation(3, keypoints=[[1], 1, 2]),
            ],
        },
    )
    assert _found(path) == [
        ("#/images/0/width", "width must be an integer (found 640.0)"),
        ("#/images/1/height", "height must be an integer (found '480')"),
        ("#/annotations/0/category_id", "category_id does not fit in 64 bits"),
        ("#/annotations/1/segmentation/0/2", f"{POLYGONS} (found an array)"),
        ("#/annotations/2/keypoints/0", "keypoints must be a list of numbers (found an array)"),
    ]  # fmt: skip
    assert _refused(path) == ("/images/0/width", "width must be an integer (found 640.0)")


@pytest.mark.parametrize("segmentation", [[5], [-5.5], [[1, 2, 3, 4, 5, 6], 7]])
def test_a_number_where_a_polygon_goes_is_named_beside_another_finding(tmp_path: Path, segmentation: list[Any]) -> None:
    """The fast schema check took ``[5]``, its digits deleted, for an empty list of polygons."""
    path = _write(
        tmp_path,
        {
            "images": [{**IMAGE, "height": "50"}],
            "categories": CATEGORIES,
            "annotations": [_annotation(1, segmentation=segmentation)],
        },
    )
    at = len(segmentation) - 1
    assert _found(path) == [
        ("#/images/0/height", "height must be an integer (found '50')"),
        (
            f"#/annotations/0/segmentation/{at}",
            f"segmentation must be a list of polygons (lists of numbers) (found {segmentation[at]})",
        ),
    ]


def test_an_annotation_that_is_no_object_hides_no_other_value(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "images": [IMAGE],
            "categories": CATEGORIES,
            "annotations": [5, _annotation(2, segmentation=[[0, 0, "4", 0, 4, 4]], keypoints=[1, 1, None])],
        },
    )
    assert _found(path) == [
        ("#/annotations/0", "5 is not of type 'object'"),
        ("#/annotations/1/segmentation/0/2", f'{POLYGONS} (found "4")'),
        ("#/annotations/1/keypoints/2", "keypoints must be numbers (found null)"),
    ]  # fmt: skip


def test_every_top_level_violation_is_named(tmp_path: Path) -> None:
    """The schema's oneOf (a document or a results list) was reduced to its best match: one finding."""
    path = _write(tmp_path, {"info": "x", "licenses": [1, 2], "images": [IMAGE], "categories": [], "annotations": []})
    assert _found(path) == [
        ("#/info", "'x' is not of type 'object'"),
        ("#/licenses/0", "1 is not of type 'object'"),
        ("#/licenses/1", "2 is not of type 'object'"),
    ]
    path = _write(tmp_path, {"info": "x", "annotations": []}, "instances_train.json")
    assert _found(path) == [("#/info", "'x' is not of type 'object'"), ("#/images", "missing required field 'images'")]


def test_every_integer_beyond_64_bits_is_named(tmp_path: Path) -> None:
    """Each one, where reading refuses the first; the semantic checks follow once they are fixed."""
    path = _write(
        tmp_path,
        {
            "info": {"a": 2**64, "b": [1, -(2**63) - 1], "c": 2**64 - 1},
            "images": [{**IMAGE, "x": {"y": 2**70}}],
            "categories": [{**CATEGORIES[0], "z": -(2**80)}],
            "annotations": [
                _annotation(1, image_id=5),
                _annotation(2, track=2**64, score=2**70, bbox=[0, 0, 10, 2**64]),
                _annotation(3, track=2**64, extra=[2**65]),
                _annotation(4, bbox=[0, 0, -1, 1]),
            ],
        },
    )
    assert _found(path) == [
        ("#/info/a", "an integer does not fit in 64 bits"),
        ("#/info/b/1", "an integer does not fit in 64 bits"),
        ("#/categories/0/z", "an integer does not fit in 64 bits"),
        ("#/images/0/x/y", "an integer does not fit in 64 bits"),
        ("#/annotations/1/track", "an integer does not fit in 64 bits"),
        ("#/annotations/2/extra/0", "an integer does not fit in 64 bits"),
        ("#/annotations/2/track", "an integer does not fit in 64 bits"),
    ]
    assert _refused(path) == ("/info/a", "an integer does not fit in 64 bits")


@pytest.mark.parametrize(
    ("first", "second", "named"),
    [
        (
            {"segmentation": [[0, 0, "4", 0, 4, 4]]},
            {"keypoints": [1, 1, None]},
            ("/annotations/0/segmentation/0/2", f'{POLYGONS} (found "4")'),
        ),
        (
            {"bbox": [0, 0, 10, "4"]},
            {"keypoints": [1, 1, None]},
            ("/annotations/0/bbox/3", 'bbox must be 4 numbers [x, y, width, height] (found "4")'),
        ),
        (
            {"segmentation": [[0, 0, [4], 0, 4, 4]]},
            {"keypoints": [[1], 1, 2]},
            ("/annotations/0/segmentation/0/2", f"{POLYGONS} (found an array)"),
        ),
        (
            {"segmentation": [[0, 0, "4", 0, 4, 4]]},
            {"image_id": "x"},
            ("/annotations/0/segmentation/0/2", f'{POLYGONS} (found "4")'),
        ),
    ],
)  # fmt: skip
def test_convert_names_validates_first_finding(
    tmp_path: Path, first: dict[str, Any], second: dict[str, Any], named: tuple[str, str]
) -> None:
    """Reading checks a column of every annotation at a time: it met the second annotation's problem first."""
    path = _write(
        tmp_path,
        {
            "images": [IMAGE],
            "categories": CATEGORIES,
            "annotations": [_annotation(1, **first), _annotation(2, **second)],
        },
    )
    assert _refused(path) == named
    assert _found(path)[0] == ("#" + named[0], named[1])


PROBLEMS: list[dict[str, Any]] = [
    {"bbox": [0, 0, 10, "4"]},
    {"bbox": [0, None, 10, 4]},
    {"segmentation": [[0, 0, "4", 0, 4, 4]]},
    {"segmentation": [[0, 0, None, 0, 4, 4]]},
    {"segmentation": [[0, 0, [4], 0, 4, 4]]},
    {"segmentation": [5]},
    {"keypoints": [1, 1, None]},
    {"keypoints": [1, 1, "2"]},
    {"keypoints": [[1], 1, 2]},
    {"image_id": "x"},
    {"image_id": 1.5},
    {"id": 1.0},
    {"category_id": 2**64},
    {"track": 2**64},
    {"area": -(2**64)},
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.one_of(st.none(), st.sampled_from(PROBLEMS)), min_size=1, max_size=4))
def test_convert_fails_on_validates_first_finding(tmp_path: Path, picks: list[dict[str, Any] | None]) -> None:
    annotations = [_annotation(i + 1, **(pick or {})) for i, pick in enumerate(picks)]
    path = _write(tmp_path, {"images": [IMAGE], "categories": CATEGORIES, "annotations": annotations})
    found = labelkit.validate(path)
    if not any(picks):
        assert found == []
        return
    pointer, message = _refused(path)
    assert (f"#{pointer}", message) == (found[0].where, found[0].message)


def test_a_field_named_as_an_id_that_reading_carries_is_no_finding(tmp_path: Path) -> None:
    """An annotation's ``width`` is an extra reading carries: 10.5 there is no id of the wrong type. A review found
    load naming it before a later bbox's semantic problem, the skip_invalid hint lost."""
    path = _write(
        tmp_path,
        {
            "images": [IMAGE],
            "categories": CATEGORIES,
            "annotations": [_annotation(1, width=10.5), _annotation(2, bbox=[0, 0, 1000, 10])],
        },
    )
    outside = "bbox [0.0, 0.0, 1000.0, 10.0] reaches outside the 100x50 image"
    assert _found(path) == [("#/annotations/1/bbox", outside)]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert (err.value.location.pointer, err.value.message) == ("/annotations/1/bbox", outside)
    assert err.value.hint == "pass -o skip_invalid=true to skip bad annotations"


@pytest.mark.parametrize(
    ("place", "doc_of", "message"),
    [
        ("/images/0/file_name", lambda v: {"images": [{**IMAGE, "file_name": v}]}, "file_name must be a string"),
        ("/categories/0/name", lambda v: {"categories": [{"id": 1, "name": v}]}, "name must be a string"),
    ],
)
def test_an_integer_past_64_bits_where_a_text_goes_is_said_as_no_text(
    tmp_path: Path, place: str, doc_of: Any, message: str
) -> None:
    """Not ``an integer does not fit in 64 bits``, which would say a smaller one would do."""
    doc = {"images": [IMAGE], "categories": CATEGORIES, "annotations": [_annotation(1)], **doc_of(2**64)}
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert (err.value.location.pointer, err.value.message) == (place, message)
    assert all("does not fit" not in f.message for f in labelkit.validate(path))


def test_digits_of_a_float_are_no_integer_past_64_bits(tmp_path: Path) -> None:
    """Python writes small floats with 19 digits after the point (``0.0012345678901234567``): the scan for integers
    past 64 bits (a byte table and ``bytes.find`` since a regex took 7 s on a train2017-sized file) passes over
    them, and finds a negative one."""
    path = _write(
        tmp_path,
        {
            "images": [IMAGE],
            "categories": CATEGORIES,
            "annotations": [
                _annotation(1, score_like=0.0012345678901234567),
                _annotation(2, track=-(2**63) - 1),
            ],
        },
    )
    assert _found(path) == [("#/annotations/1/track", "an integer does not fit in 64 bits")]


def test_a_files_100_findings_are_its_first_in_reading_order(tmp_path: Path) -> None:
    """Each pass was cut at 100 in turn: 120 keypoint values that are no numbers left the image's width of 640.0,
    which reading meets first and convert names, unlisted; and the error reading raised was left out at 100."""
    annotations = [_annotation(i + 1, keypoints=[1, 1, None]) for i in range(120)]
    doc = {"images": [{**IMAGE, "width": 640.0}], "categories": CATEGORIES, "annotations": annotations}
    path = _write(tmp_path, doc)
    found = _found(path)
    assert len(found) == 100 and found[0] == ("#/images/0/width", "width must be an integer (found 640.0)")
    assert _refused(path) == ("/images/0/width", "width must be an integer (found 640.0)")
    annotations = [_annotation(i + 1, track=2**64) for i in range(120)]
    path = _write(tmp_path, {"images": [IMAGE], "categories": CATEGORIES, "annotations": annotations}, "x.json")
    text = path.read_text().replace('"images"', '"info": {"a": 1e400}, "images"', 1)
    path.write_text(text)
    found = _found(path)
    assert len(found) == 100 and found[0] == ("#/info/a", "Number out of range")
    assert _refused(path) == ("/info/a", "Number out of range")
