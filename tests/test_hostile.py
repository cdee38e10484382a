"""Hostile inputs found by fuzzing the readers and writers: each must give one InputError naming the file and
the place (JSON pointer, line or element), never another exception."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import labelkit
from labelkit.errors import InputError

BIG = 2**70
"""An integer JSON allows and 64 bits cannot hold."""


def _coco(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "info": {"year": 2017},
        "licenses": [{"id": 1, "name": "x"}],
        "images": [{"id": 1, "file_name": "a.jpg", "width": 8, "height": 6, "license": 1}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 0},
            {
                "id": 2,
                "image_id": 1,
                "category_id": 1,
                "bbox": [0, 0, 8, 6],
                "segmentation": {"size": [6, 8], "counts": [0, 48]},
                "area": 48,
                "iscrowd": 1,
            },
        ],
    }
    for pointer, value in changes.items():
        *parents, last = pointer.split("__")
        node = doc
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return doc


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"annotations__0__id": BIG}, "/annotations/0/id", "Expected `int` <= 9223372036854775807"),
        ({"annotations__1__image_id": BIG}, "/annotations/1/image_id", "Expected `int` <= 9223372036854775807"),
        ({"annotations__0__category_id": -BIG}, "/annotations/0/category_id", "Expected `int` >= -9223372036854775808"),
        ({"annotations__0__attributes": {"n": BIG}}, "/annotations/0/attributes", "an integer does not fit in 64 bits"),
        ({"images__0__id": 2**63}, "/images/0/id", "id does not fit in 64 bits"),
        ({"images__0__width": BIG}, "/images/0/width", "width does not fit in 64 bits"),
        ({"images__0__license": BIG}, "/images/0", "an integer does not fit in 64 bits"),
        ({"licenses": [{"id": -BIG}]}, "/licenses", "an integer does not fit in 64 bits"),
    ],
)
def test_coco_integers_beyond_64_bits_are_input_errors(
    tmp_path: Path, changes: dict[str, Any], pointer: str, message: str
) -> None:
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco(**changes)))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer == pointer and str(err.value.location.path) == str(path)
    assert message in str(err.value)


def test_coco_rle_counts_beyond_64_bits_are_an_input_error(tmp_path: Path) -> None:
    doc = _coco()
    doc["annotations"][1]["segmentation"]["counts"] = [0, BIG]
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer is not None
    assert err.value.location.pointer.startswith("/annotations/1/segmentation")


def test_coco_results_image_id_beyond_64_bits_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "results_val.json"
    path.write_text(json.dumps([{"image_id": BIG, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}]))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer == "/0/image_id"


def test_text_that_is_not_utf8_names_the_file_line_and_column(tmp_path: Path) -> None:
    text = json.dumps(_coco(), indent=1).replace('"cat"', '"c\udcffat"', 1)
    data = text.encode("utf-8", "surrogateescape")
    path = tmp_path / "instances_val.json"
    path.write_bytes(data)
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.line == line and str(err.value.location.path) == str(path)
    assert "not UTF-8 text: bad byte 0xff" in str(err.value)
    with pytest.raises(InputError, match="not UTF-8"):  # through a folder, the bad file is found
        labelkit.load(tmp_path, "coco")


@pytest.mark.parametrize("fmt", ["coco", "labelkit"])
def test_values_nested_too_deeply_are_an_input_error(tmp_path: Path, fmt: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    if fmt == "coco":
        text = json.dumps(_coco()).replace('"year": 2017', f'"year": {deep}')
        path = tmp_path / "instances_val.json"
    else:
        text = (Path(__file__).parents[1] / "fixtures/native/images.labelkit.json").read_text()
        text = text.replace('"kind": "object"', f'"kind": {deep}', 1)
        path = tmp_path / "x.labelkit.json"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(path, fmt)
    assert str(err.value.location.path) == str(path)
