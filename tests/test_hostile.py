"""Hostile inputs found by fuzzing the readers and writers: each must give one InputError naming the file and
the place (JSON pointer, line or element), never another exception."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import beside_ids

import labelkit
from labelkit.cli import cli
from labelkit.errors import DataLossError, InputError, OutputError
from labelkit.model import Category, Dataset, Item, Media

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
        ({"annotations__0__id": BIG}, "/annotations/0/id", "id does not fit in 64 bits"),
        ({"annotations__1__image_id": BIG}, "/annotations/1/image_id", "image_id does not fit in 64 bits"),
        ({"annotations__0__category_id": -BIG}, "/annotations/0/category_id", "category_id does not fit in 64 bits"),
        (
            {"annotations__0__attributes": {"n": BIG}},
            "/annotations/0/attributes/n",
            "an integer does not fit in 64 bits",
        ),
        # extra and carried fields (were read, then written as floats by every writer but COCO's)
        ({"annotations__0__foo": BIG}, "/annotations/0/foo", "an integer does not fit in 64 bits"),
        ({"annotations__1__foo": {"a": [1, -BIG]}}, "/annotations/1/foo/a/1", "an integer does not fit in 64 bits"),
        ({"annotations__0__area": BIG}, "/annotations/0/area", "an integer does not fit in 64 bits"),
        ({"images__0__id": 2**63}, "/images/0/id", "id does not fit in 64 bits"),
        ({"images__0__width": BIG}, "/images/0/width", "width does not fit in 64 bits"),
        ({"images__0__license": BIG}, "/images/0/license", "an integer does not fit in 64 bits"),
        ({"licenses": [{"id": -BIG}]}, "/licenses/0/id", "an integer does not fit in 64 bits"),
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


@pytest.mark.parametrize(
    ("pointer", "message"),
    [
        ("info__year", "an integer does not fit in 64 bits"),
        ("licenses__0__id", "an integer does not fit in 64 bits"),
        ("images__0__id", "does not fit in 64 bits"),
        ("images__0__license", "an integer does not fit in 64 bits"),
        ("categories__0__id", "does not fit in 64 bits"),
        ("annotations__0__id", "id does not fit in 64 bits"),
        ("annotations__0__image_id", "image_id does not fit in 64 bits"),
        ("annotations__0__area", "an integer does not fit in 64 bits"),
        ("annotations__0__foo", "an integer does not fit in 64 bits"),
    ],
)
def test_coco_integers_of_more_digits_than_python_converts_are_input_errors(
    tmp_path: Path, pointer: str, message: str
) -> None:
    """An integer of 5,001 digits, past the 4,300 Python's int() converts, in ``info``, ``licenses``, an image or
    a category was an internal error (``ValueError: Exceeds the limit (4300 digits) for integer string
    conversion``), in an annotation's id msgspec's words (``Integer value out of range``), and ``validate`` called
    the file invalid JSON (``number is infinity when parsed as double``): as 2**70 is, an error at its pointer."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco(**{pointer: "HUGE"})).replace('"HUGE"', "1" + "0" * 5000))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    where = "/" + pointer.replace("__", "/")
    assert err.value.location.pointer == where and str(err.value.location.path) == str(path)
    assert message in str(err.value)
    [finding] = labelkit.validate(path, "coco")
    assert (finding.where, message in finding.message) == ("#" + where, True)


def test_an_integer_python_does_not_convert_is_named_at_its_place_and_never_as_its_stand_in(tmp_path: Path) -> None:
    """Inside a top-level field it was named at the field (``#/x``), not at itself; and validate, which reads it
    as 2**64, showed those digits in a message quoting the value holding it, where the file has others."""
    huge = "1" + "0" * 5000
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco(x={"a": [1, "HUGE"]})).replace('"HUGE"', huge))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer == "/x/a/1"
    path.write_text(json.dumps(_coco(categories__0__supercategory={"z": ["HUGE"]})).replace('"HUGE"', huge))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer == "/categories/0/supercategory/z/0"
    [finding] = labelkit.validate(path, "coco")
    assert "18446744073709551616" not in finding.message and "(5001 digits)" in finding.message


@pytest.mark.parametrize("results", [False, True])
def test_an_id_of_the_wrong_type_beside_an_integer_python_does_not_convert_is_an_input_error(
    tmp_path: Path, results: bool
) -> None:
    """An id that is no integer (``"x"``) is shown in its error, and the record holding it was decoded whole for
    that: another field's integer of 5,001 digits made it an internal error (``ValidationError: Integer value out
    of range``), in an annotation's id as in a detection result's image_id."""
    huge = "1" + "0" * 5000
    if results:
        path, pointer = tmp_path / "results_val.json", "/0/image_id"
        path.write_text('[{"image_id": "x", "category_id": 1, "score": 0.5, "foo": ' + huge + "}]")
    else:
        path, pointer = tmp_path / "instances_val.json", "/annotations/0/id"
        path.write_text(json.dumps(_coco(annotations__0__id="x", annotations__0__foo="HUGE")).replace('"HUGE"', huge))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.pointer == pointer and err.value.found == "'x'"
    assert str(err.value.location.path) == str(path)


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
    (tmp_path / "README.txt").write_bytes(b"caf\xe9\n")  # sorts first, but is not the file that was read
    with pytest.raises(InputError) as err:  # through a folder, the file the reader met the byte in is named
        labelkit.load(tmp_path, "coco")
    assert err.value.location.line == line and str(err.value.location.path) == str(path)


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
    # (the deepest place's line and column: a labelkit JSON file gave neither, 'values nested too deeply to read')
    line = text[: text.index("[" * 100_000)].count("\n") + 1
    column = text.index("[" * 100_000) - (text.rfind("\n", 0, text.index("[" * 100_000)) + 1) + 100_000
    expected = (
        f"values nested 100003 levels deep at column {column}, deeper than the reader goes"
        if fmt == "labelkit"
        else f"invalid JSON at column {column - 100_000 + 1024}: depth limit exceeded"  # (orjson: first past 1024)
    )
    assert (err.value.location.line, err.value.message) == (line, expected)


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("labelkit", "[" * 300, ":1: invalid JSON at column 301: expecting value"),
        ("labelkit", "[" * 600 + "1]]}", ":1: invalid JSON at column 604: expecting ',' delimiter"),
        ("coco", "[" * 1000 + '{"image_id": 1}', ":1: values nested 1001 levels deep at column 1001, deeper than"),
    ],
    ids=["cut 300 deep", "closed wrongly 600 deep", "coco cut 1000 deep"],
)
def test_json_cut_short_hundreds_of_levels_deep_names_its_place(
    tmp_path: Path, fmt: str, text: str, message: str
) -> None:
    """orjson says ``failed to allocate memory`` of a syntax error inside a few hundred open brackets (a file cut
    short there), at a column that is not the error's: that was the error line (``invalid JSON at column 360:
    failed to allocate memory``). Python's parser names the place; deeper than it goes, the deepest place."""
    path = tmp_path / ("x.labelkit.json" if fmt == "labelkit" else "results_val.json")
    path.write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(path, fmt)
    assert str(err.value).startswith(f"{path}{message}") and "allocate" not in str(err.value)


FIXTURES = Path(__file__).parents[1] / "fixtures"


def _voc_copy(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    xml = root / "Annotations/2007_000001.xml"
    text = xml.read_text()
    assert old in text
    xml.write_text(text.replace(old, new, 1))
    return xml


@pytest.mark.parametrize(
    ("old", "new", "element", "message"),
    [
        ("<truncated>1</truncated>", "<truncated>inf</truncated>", "annotation/object[1]/truncated", "a whole number"),
        # (a size that is not a number was named as <annotation/size>, not the field)
        ("<width>8</width>", "<width>1e999</width>", "annotation/size/width", "<width> is not a number"),
        ("<width>8</width>", "<width>abc</width>", "annotation/size/width", "<width> is not a number (found 'abc')"),
        ("<height>6</height>", "<height>6px</height>", "annotation/size/height", "<height> is not a number"),
        ("<height>6</height>", "<height>99999999999999999999</height>", "annotation/size/height", "out of range"),
    ],
)
def test_voc_numbers_out_of_range_are_input_errors(
    tmp_path: Path, old: str, new: str, element: str, message: str
) -> None:
    xml = _voc_copy(tmp_path, old, new)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "voc", "voc")
    assert err.value.location.element == element and str(err.value.location.path) == str(xml)
    assert message in str(err.value)


def test_voc_depth_beyond_64_bits_is_kept_as_written(tmp_path: Path) -> None:
    _voc_copy(tmp_path, "<depth>3</depth>", "<depth>99999999999999999999</depth>")
    ds = labelkit.load(tmp_path / "voc", "voc")
    item = next(i for i in ds.items() if i.id == "2007_000001")
    assert item.metadata["voc:depth"] == "99999999999999999999"


def test_voc_writes_no_malformed_part_flag_or_point(tmp_path: Path) -> None:
    """voc:* values from other tools that VOC's XML cannot hold are reported lost, not crashed on."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    extras = {
        "voc:parts": [{}, {"name": "head", "bbox": [1, 1, 2]}, {"name": "hand", "bbox": [1, 1, 2, 2]}],
        "voc:truncated": "yes",
        "voc:actions": {"jumping": 1, "running": "no"},
        "voc:point": ["a", 1],
    }
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1.0, 1.0, 4.0, 4.0), extras=extras))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert ("malformed voc:* object values", 5) in [(c.what, c.count) for c in report.lost]
    xml = (tmp_path / "o/Annotations/a.xml").read_text()  # (named after its image a.jpg)
    assert xml.count("<part>") == 1 and "<name>hand</name>" in xml and "<truncated>0</truncated>" in xml
    assert "<jumping>1</jumping>" in xml and "running" not in xml and "<point>" not in xml


def test_voc_refuses_a_broken_void_mask_on_an_image_without_objects(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media

    ds = Dataset(categories=[Category(id=1, name="cat")])
    void = {"height": 6, "width": 4, "runs": [5, 3]}
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=6), metadata={"voc:void": void}))
    with pytest.raises(InputError, match="^item 1: voc:void: RLE counts add up to 8, not 24"):
        labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)
    assert not (tmp_path / "o").exists()


def test_voc_paints_no_png_for_an_image_too_large(tmp_path: Path) -> None:
    from labelkit.formats.voc_masks import MAX_PNG_PIXELS
    from labelkit.model import Category, Dataset, Item, Media, Object
    from labelkit.model.annotations import Rle

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=2**28, height=2)))
    mask = Rle(size=(2, 2**28), counts=[0, 2**29])
    ds.add(Object(id="m", item_id="1", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), mask=mask))
    report = labelkit.save(ds, tmp_path / "o", "voc", allow_loss=True)  # was: MemoryError (2 x 4 GiB arrays)
    (lost,) = [c for c in report.lost if c.what == "masks"]
    assert lost.count == 1 and f"more than {MAX_PNG_PIXELS:,} pixels" in lost.reason
    assert not (tmp_path / "o/SegmentationClass").exists() or not any((tmp_path / "o/SegmentationClass").iterdir())


@pytest.mark.parametrize("kpt", ["[1180591620717411303424, 3]", "[-1, 3]", "[true, 3]"])
def test_yolo_kpt_shape_out_of_range_is_an_input_error(tmp_path: Path, kpt: str) -> None:
    import shutil

    root = tmp_path / "pose"
    shutil.copytree(FIXTURES / "yolo/golden/pose", root)
    text = (root / "data.yaml").read_text().replace("kpt_shape:\n- 3\n- 3", f"kpt_shape: {kpt}")
    (root / "data.yaml").write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.element == "kpt_shape" and "K from 0 to 10000" in str(err.value)


def test_yolo_pose_without_keypoints_reads_back(tmp_path: Path) -> None:
    """Pose written for objects without keypoints has kpt_shape [0, 3]; reading it crashed in Arrow."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="pose")
    back = labelkit.load(tmp_path / "o", "yolo")
    (obj,) = list(back.objects())
    assert obj.keypoints is None and obj.bbox == pytest.approx((1.0, 1.0, 2.0, 2.0))


def _parquet(tmp_path: Path, table: str, column: str, values: list[Any]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "pq"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / f"{table}.parquet")
    index = data.schema.get_field_index(column)
    column_values = data[column].to_pylist()
    column_values[: len(values)] = values
    data = data.set_column(index, column, pa.array(column_values, data.schema.field(column).type))
    pq.write_table(data, out / f"{table}.parquet")
    return out


@pytest.mark.parametrize(
    ("table", "column", "values", "message"),
    [
        ("objects", "attributes", ["{not json"], "row 0: attributes is not a JSON object"),
        ("objects", "extras", ["[1, 2]"], "row 0: extras is not a JSON object"),
        ("items", "metadata", ['{"a": 1}, {"b": 2}'], "row 0: metadata is not a JSON object"),
        ("objects", "keypoints", [[1.0, 2.0, 2.0, 5.0]], "row 0: keypoints are not x, y, visibility triples"),
        ("objects", "polygon", [[[0.0, 0, 1, 0, None, 1]]], "row 0: polygon has a null ring or coordinate"),
    ],
)
def test_parquet_cells_the_model_cannot_hold_are_input_errors(
    tmp_path: Path, table: str, column: str, values: list[Any], message: str
) -> None:
    out = _parquet(tmp_path, table, column, values)
    with pytest.raises(InputError) as err:
        labelkit.load(out, "parquet")
    assert message in str(err.value) and str(err.value.location.path) == str(out / f"{table}.parquet")


@pytest.mark.parametrize(("fmt", "options"), [("coco", {}), ("voc", {}), ("yolo", {"task": "detect"})])
@pytest.mark.parametrize(
    ("split", "message"),
    [("a\x00b", "cannot be a folder or file name")],  # (a lone surrogate: the record refuses it)
)
def test_splits_no_file_can_hold_are_output_errors(
    tmp_path: Path, fmt: str, options: dict[str, str], split: str, message: str
) -> None:
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10), split=split))
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    with pytest.raises(OutputError, match=message):
        labelkit.save(ds, tmp_path / "o", fmt, allow_loss=True, **options)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("split", ["../../escaped", "/abs", "a/b", "a\\b", ".."])
@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("yolo", {"layout": "darknet"}), ("voc", {}), ("coco", {})])
def test_a_split_that_is_not_a_plain_name_is_refused(
    tmp_path: Path, split: str, fmt: str, options: dict[str, str]
) -> None:
    """A split names folders and files: ../x wrote YOLO labels outside the output folder."""
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10), split=split))
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    out = tmp_path / "p" / "out"
    out.parent.mkdir()
    with pytest.raises(OutputError, match="cannot be a folder or file name"):
        labelkit.save(ds, out, fmt, allow_loss=True, **options)
    assert [p.name for p in tmp_path.rglob("*")] == ["p"]


@pytest.mark.parametrize(
    ("splits", "pair"),
    [(["train", "Train"], "'Train' and 'train'"), (["caf\u00e9", "cafe\u0301"], "'cafe\\u0301' and 'caf\\xe9'")],
)
@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("yolo", {"layout": "darknet"}), ("voc", {}), ("coco", {})])
def test_splits_that_differ_only_in_case_are_refused_on_every_machine(
    tmp_path: Path, splits: list[str], pair: str, fmt: str, options: dict[str, str]
) -> None:
    """On macOS and Windows 'Train' and 'train' are one folder or file: YOLO read each split's images into both,
    VOC, COCO and Darknet lists overwrote each other. Written on Linux, the output then read otherwise there."""
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    for n, split in enumerate([*splits, "val"]):
        ds.add_item(Item(id=str(n), media=Media(path=f"{n}.jpg", width=10, height=10), split=split))
        ds.add(Object(id=str(n), item_id=str(n), category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "out", fmt, allow_loss=True, **options)
    assert err.value.message == f"splits {pair} differ only in case or Unicode normalisation"
    assert list(tmp_path.iterdir()) == []
    labelkit.save(ds, tmp_path / "out.json", "labelkit")  # (a format keeping splits as values takes them)


def test_splits_one_only_by_full_case_folding_are_two_folders(tmp_path: Path) -> None:
    """'straße' and 'strasse' were refused as one split on macOS and Windows: both keep them apart (they fold
    each character alone), and a class folder is named alike (YOLO classify's straße and strasse)."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    for n, split in enumerate(["stra\u00dfe", "strasse", "train"]):
        ds.add_item(Item(id=str(n), media=Media(path=f"{n}.jpg", width=10, height=10), split=split))
        ds.add(Object(id=str(n), item_id=str(n), category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "out/labels").iterdir()) == ["strasse", "stra\u00dfe", "train"]
    ds = Dataset(categories=[Category(id=0, name="stra\u00dfe"), Category(id=1, name="STRASSE")])
    from labelkit.formats.yolo_classify import class_folders

    assert class_folders(ds) == ({0: "stra\u00dfe", 1: "STRASSE"}, set())


def test_polygons_too_far_out_to_rasterise_are_not_handed_to_pycocotools(tmp_path: Path) -> None:
    """pycocotools scales coordinates into int32: 1e12 crashed the whole process (segmentation fault)."""
    from labelkit.model import Category, Dataset, Item, Media, Object, raster

    far = [0.0, 0.0, 4.0, 0.0, 4.0, 1e12]
    with pytest.raises(ValueError, match="beyond 4 image sides \\(32 pixels\\) from the image"):
        raster.polygons_to_mask([far], 6, 8)
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    tri = [1.0, 1.0, 3.0, 1.0, 3.0, 3.0]
    ds.add(Object(id="o", item_id="1", category_id=1, polygon=[far, tri], polygon_holes=[False, True]))
    # COCO clips such a polygon to its image first (what it covers of the image is the same)
    report = labelkit.save(ds, tmp_path / "coco", "coco")
    assert ("polygons reaching far outside their image", 1) in [(c.what, c.count) for c in report.transformed]
    ann = json.loads((tmp_path / "coco" / "annotations" / "instances_default.json").read_text())["annotations"][0]
    assert (ann["segmentation"]["size"], ann["bbox"], ann["area"]) == ([6, 8], [0, 0, 4, 6], 23.0)
    ds2 = Dataset(categories=[Category(id=1, name="cat")])
    ds2.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds2.add(Object(id="o", item_id="1", category_id=1, bbox=(0.0, 0.0, 4.0, 4.0), polygon=[far]))
    report = labelkit.save(ds2, tmp_path / "voc", "voc", allow_loss=True, masks="all")
    assert ("polygons", 1) in [(c.what, c.count) for c in report.lost if "rasterised" in c.reason]


def test_convert_names_the_input_of_a_value_the_writer_refuses(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object
    from labelkit.model.annotations import Rle

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=3)))
    ds.add(Object(id="m7", item_id="1", category_id=1, shape="mask", mask=Rle(size=(3, 4), counts=[2, 3])))
    src = tmp_path / "src.labelkit.json"
    labelkit.save(ds, src, "labelkit")
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", "voc", allow_loss=True)
    assert err.value.location.path == str(src)
    assert str(err.value).startswith(f"{src}: object m7: RLE counts add up to 5, not 12")


def test_the_split_option_is_checked_and_formats_keeping_splits_as_values_take_any(tmp_path: Path) -> None:
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    (tmp_path / "p").mkdir()
    with pytest.raises(OutputError, match="split '../../escaped' cannot be"):  # was: written to p/escaped
        labelkit.save(ds, tmp_path / "p/out", "yolo", split="../../escaped")
    assert [p.name for p in tmp_path.rglob("*")] == ["p"]
    ds.add_item(Item(id="2", media=Media(path="b.jpg", width=10, height=10), split="2023/01"))
    for fmt, name in (("labelkit", "o.labelkit.json"), ("parquet", "o.parquet")):
        labelkit.save(ds, tmp_path / name, fmt)
        assert {i.split for i in labelkit.load(tmp_path / name, fmt).items()} == {None, "2023/01"}


def test_voc_keeps_integer_flags_it_reads(tmp_path: Path) -> None:
    """<truncated>2</truncated> reads back as 2 (VOC writes 0 or 1; others are kept, not reported)."""
    _voc_copy(tmp_path, "<truncated>1</truncated>", "<truncated>2</truncated>")
    report = labelkit.convert(tmp_path / "voc", tmp_path / "out", "voc")
    assert report.lost == []
    assert "<truncated>2</truncated>" in (tmp_path / "out/Annotations/2007_000001.xml").read_text()


@pytest.mark.parametrize("cell", ['{"a":"x', '{", "b":1}, {}'])
def test_parquet_cells_that_join_into_valid_json_are_still_found(tmp_path: Path, cell: str) -> None:
    out = _parquet(tmp_path, "objects", "attributes", [cell, '{", "b":1}, {}' if cell == '{"a":"x' else None])
    with pytest.raises(InputError, match="row 0: attributes is not a JSON object"):
        labelkit.load(out, "parquet")


def test_yolo_reads_the_size_of_an_image_over_pillows_pixel_limit(tmp_path: Path) -> None:
    """Only the header is read: a 20000 x 20000 aerial image is not a decompression bomb here."""
    import struct
    import zlib

    from labelkit.formats.yolo_media import image_size

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")
    (tmp_path / "big.png").write_bytes(png)
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    assert image_size(tmp_path / "big.png") == (20000, 20000)
    assert Image.MAX_IMAGE_PIXELS == limit  # Pillow's limit is back for everyone else


_VOC_EXTRAS = [
    '{"voc:truncated":null}',
    '{"voc:parts":[{"name":"a","bbox":[1,2,3,true]}]}',
    '{"voc:actions":{"x y":1}}',
    '{"voc:actions":[1]}',
    '{"voc:point":[1,2]}',
    '{"voc:truncated":1.0}',
    '{"voc:truncated":2}',
    '{"voc:parts":null}',
    '{"voc:actions":{"jump":1,"run":"no"}}',
    '{"voc:parts":[{"name":"h","bbox":[1,2,3,4]}],"voc:actions":{"jump":1},"voc:pose":"Left"}',
    '{"voc:parts":[{}, {"name":"h","bbox":[1,2,3]}],"voc:point":["a",1]}',
]


@pytest.mark.parametrize("texts", [[t] for t in _VOC_EXTRAS] + [_VOC_EXTRAS, _VOC_EXTRAS[4:8]])
def test_voc_bulk_malformed_count_agrees_with_the_per_object_rule(texts: list[str]) -> None:
    import pyarrow as pa

    from labelkit.formats.voc_values import malformed_count, malformed_voc_fields
    from labelkit.model.tables import decode_json_cell

    expected = sum(malformed_voc_fields(decode_json_cell(t)) for t in texts)
    assert malformed_count(pa.chunked_array([pa.array(texts)])) == expected


def test_voc_writes_no_list_file_named_outside_its_folder(tmp_path: Path) -> None:
    """Class names and voc:imagesets tasks name ImageSets files: /politics wrote /politics_train.txt."""
    from labelkit.model import Category, Dataset, Item, Label, Media

    ds = Dataset(categories=[Category(id=1, name="../../escaped"), Category(id=2, name="/abs_class")])
    meta = {"voc:imagesets": ["Main", "../../up", "/abs_task"]}
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6), split="train", metadata=meta))
    ds.add(Label(id="l1", item_id="1", category_id=1), Label(id="l2", item_id="1", category_id=2))
    out = tmp_path / "p" / "out"
    out.parent.mkdir()
    with pytest.raises(labelkit.errors.DataLossError) as err:
        labelkit.save(ds, out, "voc")
    lost = [(c.what, c.count) for c in err.value.report.lost]
    assert ("image labels of classes that cannot be file names", 2) in lost
    assert ("ImageSets tasks that cannot be file names", 2) in lost
    labelkit.save(ds, out, "voc", allow_loss=True)
    outside = [p for p in tmp_path.rglob("*") if out not in p.parents and p not in (out, out.parent)]
    assert outside == [] and not Path("/abs_class_train.txt").exists() and not Path("/abs_task").exists()


def test_a_polygon_far_outside_its_image_is_not_rasterised(tmp_path: Path) -> None:
    """pycocotools sizes its buffers by the outline's length: a point 1e8 pixels away crashed the process."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=640, height=480)))
    ring = [0.0, 0.0, 1.28e8, 10.0, 5.0, 300.0]
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(0.0, 0.0, 10.0, 10.0), polygon=[ring]))
    report = labelkit.save(ds, tmp_path / "voc", "voc", allow_loss=True, masks="all")
    (lost,) = [c for c in report.lost if c.what == "polygons" and "rasterised" in c.reason]
    assert (lost.count, lost.reason) == (1, "coordinates beyond 4 image sides from the image cannot be rasterised")


def test_voc_paints_no_png_for_an_image_of_negative_size(tmp_path: Path) -> None:
    import pyarrow as pa

    from labelkit.model import Category, Dataset, Item, Media, Object
    from labelkit.model.annotations import Rle

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=2)))
    ds.add(Object(id="m", item_id="1", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0), mask=Rle(size=(2, 4), counts=[0, 8])))
    items = ds.table("items")
    items = items.set_column(items.schema.get_field_index("width"), "width", pa.array([-4], pa.int64()))
    bad = Dataset.from_tables({"items": items, "objects": ds.table("objects")}, ds.categories)
    # was: ValueError from np.zeros((2, -4)); then the PNG was painted at the mask's own size, beside an XML of
    # <width>-4</width> its reader refuses: the negative size is refused before writing, as every writer does
    with pytest.raises(OutputError) as err:
        labelkit.save(bad, tmp_path / "o", "voc", allow_loss=True)
    assert err.value.message == "items row 0: width is negative (-4)"
    assert list(tmp_path.iterdir()) == []


def test_yolo_config_values_out_of_shape_are_input_errors(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "pose"
    shutil.copytree(FIXTURES / "yolo/golden/pose", root)
    text = (root / "data.yaml").read_text()
    (root / "data.yaml").write_text(text.replace("flip_idx:\n- 0\n- 2\n- 1", "flip_idx:\n- 0\n- [1]\n- 2"))
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.element == "flip_idx"


def test_yolo_class_ids_too_large_to_number_without_names(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels/a.txt").write_text("0 0.5 0.5 0.1 0.1\n2147483648 0.5 0.5 0.1 0.1\n")
    with pytest.raises(InputError, match="class id 2147483648 without a names file") as err:  # was: MemoryError
        labelkit.load(tmp_path, "yolo", image_size="10x10")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "labels/a.txt"), 2)  # was: the folder


def test_voc_flag_beyond_64_bits_is_an_input_error(tmp_path: Path) -> None:
    _voc_copy(tmp_path, "<difficult>1</difficult>", "<difficult>99999999999999999999</difficult>")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "voc", "voc")
    assert err.value.location.element == "annotation/object[1]/difficult"


def test_parquet_strings_that_are_not_utf8_are_an_input_error(tmp_path: Path) -> None:
    out = tmp_path / "pq"
    labelkit.save(labelkit.load(FIXTURES / "native/images.labelkit.json"), out, "parquet")
    data = (out / "items.parquet").read_bytes()
    assert data.count(b"val") >= 1
    (out / "items.parquet").write_bytes(data.replace(b"val", b"v\xffl", 1))
    with pytest.raises(InputError) as err:
        labelkit.load(out, "parquet")
    assert str(err.value.location.path) == str(out / "items.parquet")


@pytest.mark.parametrize("path", ["../secret.jpg", "img/../../secret.jpg", "/etc/hostname"])
@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("yolo", {"task": "classify"}), ("voc", {})])
def test_media_copy_never_reads_outside_media_root(path: str, fmt: str, options: dict, tmp_path: Path) -> None:
    """An item path climbing out of media_root would copy another file of the machine into the output."""
    from labelkit.model import Category, Dataset, Item, Label, Media, Object

    (tmp_path / "secret.jpg").write_bytes(b"not for the output")
    root = tmp_path / "root"
    (root / "img").mkdir(parents=True)
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="x", media=Media(path=path, width=10, height=10)))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1, 1, 2, 2)), Label(id="1", item_id="x", category_id=1))
    out = tmp_path / "out"
    with pytest.raises(InputError, match="unsafe file name") as err:
        labelkit.save(ds, out, fmt, allow_loss=True, media="copy", media_root=str(root), **options)
    assert err.value.location.path == str(root)
    assert not out.exists()


@pytest.mark.parametrize("name", ["../../escaped", "/night", "..", "a/b", ""])
def test_yolo_classify_never_makes_a_folder_of_a_class_name_that_is_a_path(name: str, tmp_path: Path) -> None:
    """Classify files each image in a folder named after its class: '/night' wrote to the filesystem root."""
    from PIL import Image

    from labelkit.errors import DataLossError
    from labelkit.model import Category, Dataset, Item, Label, Media

    root = tmp_path / "media"
    root.mkdir()
    for image in ("x.jpg", "y.jpg"):  # (images a reader can read: it reads each one's size from its header)
        Image.new("RGB", (1, 1)).save(root / image)
    ds = Dataset(categories=[Category(id=1, name=name), Category(id=2, name="cat")])
    for item, category in (("x", 1), ("y", 2)):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=1, height=1)))
        ds.add(Label(id=item, item_id=item, category_id=category))
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()
    options = {"task": "classify", "media": "copy", "media_root": str(root)}
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, out, "yolo", **options)
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("classes that cannot be folder names", 1),
        ("labels of classes that cannot be folder names", 1),
        ("items whose every label is lost", 1),
    ]
    labelkit.save(ds, out, "yolo", allow_loss=True, **options)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jpg")) == [
        "deep/out/train/cat/y.jpg",
        "media/x.jpg",
        "media/y.jpg",
    ]


def test_voc_paints_a_mask_of_an_unsized_image_at_the_masks_size(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object, Rle

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg")))  # no size (was: TypeError comparing None > 0)
    ds.add(
        Object(
            id="1", item_id="a", category_id=1, shape="mask", bbox=(0, 0, 1, 1), mask=Rle(size=(2, 2), counts=[0, 1, 3])
        )
    )
    labelkit.save(ds, tmp_path / "o", "voc")
    (obj,) = labelkit.load(tmp_path / "o").objects()
    assert obj.mask is not None and obj.mask.size == (2, 2)


def test_an_image_size_beyond_64_bits_is_an_error_at_its_pointer(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "data.yaml").write_text("train: images/train\nnames: [c]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [10, 9223372036854775808]}')
    with pytest.raises(InputError) as err:  # was: OverflowError building the width column
        labelkit.load(root)
    assert err.value.location.pointer == "/images~1train~1a.jpg"


def test_a_file_name_too_long_for_the_system_is_an_input_error(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "data.yaml").write_text(f"train: {'L' * 300}\nnames: [c]\n")
    with pytest.raises(InputError, match="cannot read: File name too long"):  # was: OSError from Path.exists
        labelkit.load(root)


def _coco_doc(**changes: Any) -> dict[str, Any]:
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}],
    }
    for key, value in changes.items():
        section, _, field = key.partition("__")
        doc[section][0][field] = value
    return doc


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"images__height": -5}, "/images/0/height", "height must not be negative"),
        (
            {"annotations__segmentation": {"counts": [-5, 105], "size": [10, 10]}, "annotations__iscrowd": 1},
            "/annotations/0/segmentation/counts/0",
            "segmentation must be polygons or an RLE",
        ),
    ],
)
def test_coco_negative_sizes_and_runs_are_errors(changes: dict, pointer: str, message: str, tmp_path: Path) -> None:
    """Read before, then refused by labelkit's own readers once written (the model's sizes are counts)."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco_doc(**changes)))
    with pytest.raises(InputError, match=message) as err:
        labelkit.load(path)
    assert err.value.location.pointer == pointer


@pytest.mark.parametrize("counts", [[2**28] * 8, "PPPPP8PPPPP8PPPPP800000"])  # (the second: the first compressed)
def test_coco_rle_of_a_mask_beyond_32_bit_runs_is_refused_at_its_pointer(tmp_path: Path, counts: Any) -> None:
    """Uncompressed runs adding up to a 65536 x 32768 image (2^31 pixels) were read, then every writer refused the
    dataset with an error naming no place in the file; compressed ones were refused at their pointer."""
    doc = _coco(
        images__0__width=2**15,
        images__0__height=2**16,
        annotations__1__segmentation={"size": [2**16, 2**15], "counts": counts},
    )
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == (
        f"{path}#/annotations/1/segmentation/counts: RLE counts cannot hold a 65536 x 32768 mask: 2**31 pixels or "
        "more, and pycocotools counts runs in 32 bits; hint: pass -o skip_invalid=true to skip bad annotations"
    )


def test_dota_coordinates_must_be_finite(tmp_path: Path) -> None:
    root = tmp_path / "in" / "train"
    (root / "labelTxt").mkdir(parents=True)
    (root / "labelTxt" / "a.txt").write_text("0 0 2 0 2 2 0 2 plane 0\n0 0 inf 2 2 2 2 0 plane 0\n")
    with pytest.raises(InputError, match="coordinate is not finite") as err:  # was: read, then 'null' in VOC XML
        labelkit.load(tmp_path / "in", format="yolo", image_size="10x10")
    assert err.value.location.line == 2


def test_an_image_listed_twice_is_one_item(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "obj_train_data").mkdir(parents=True)
    (root / "obj_train_data" / "1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "obj.names").write_text("c\n")
    (root / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\n")
    (root / "train.txt").write_text("obj_train_data/1.jpg\nobj_train_data/1.jpg\n")
    ds = labelkit.load(root, image_size="10x10")  # was: two items with one id, which labelkit JSON refused
    assert len(ds) == 1 and len(list(ds.objects())) == 1


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("items", "width", -1, "row 0: width is negative (-1)"),
        ("items", "id", None, "row 0: id is missing"),
        ("items", "media", "hologram", "row 0: media 'hologram' is not one of image, video, audio, text"),
        ("objects", "frame", -2, "row 0: frame is negative (-2)"),
        ("objects", "shape", "blob", "row 0: shape 'blob' is not one of box, polygon,"),
    ],
)
def test_parquet_values_the_records_refuse_are_errors(
    table: str, column: str, value: Any, message: str, tmp_path: Path
) -> None:
    """They were read, then written to labelkit JSON (and others) whose readers refused them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "ds.parquet"
    labelkit.save(labelkit.load(FIXTURES / "native" / "images.labelkit.json"), out, "parquet")
    data = pq.read_table(out / f"{table}.parquet")
    values = data[column].to_pylist()
    values[0] = value
    index = data.schema.get_field_index(column)
    pq.write_table(
        data.set_column(index, column, pa.array(values, data.schema.field(column).type)), out / f"{table}.parquet"
    )
    with pytest.raises(InputError) as info:  # (the cause first: an item's missing id was its labels' unknown item)
        labelkit.load(out)
    assert Path(str(info.value.location.path)).name == f"{table}.parquet"
    assert info.value.message.startswith(message)
    found = [(Path(f.path).name, f"{f.where}: {f.message}") for f in labelkit.validate(out)]
    assert found[0][0] == f"{table}.parquet" and found[0][1].startswith(message), found


def test_a_png_header_claiming_a_huge_image_is_read_without_decoding(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Pillow looks for a PNG's eXIf chunk after the pixels by decoding them (2 GB for 100000 x 100000)."""
    import struct
    import zlib

    from PIL import PngImagePlugin

    from labelkit.formats.yolo_media import image_size

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 10)) + chunk(b"IEND", b"")
    )
    (tmp_path / "a.png").write_bytes(png)

    def refuse(self: Any) -> None:
        raise AssertionError("pixels decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", refuse)
    assert image_size(tmp_path / "a.png") == (100_000, 100_000)


def test_writers_meet_sizes_beyond_2_to_53_and_paths_a_thousand_deep(tmp_path: Path) -> None:
    from labelkit.errors import OutputError
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=2**53 + 1, height=10)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 2, 2)))
    labelkit.save(ds, tmp_path / "big", "coco")  # was: ArrowInvalid casting the width to a float
    assert len(labelkit.load(tmp_path / "big")) == 1
    deep = Dataset(categories=[Category(id=1, name="c")])
    deep.add_item(Item(id="d", media=Media(path="d/" * 1000 + "x.jpg", width=10, height=10)))
    with pytest.raises(OutputError, match="nested too deeply"):  # was: RecursionError from mkdir(parents=True)
        labelkit.save(deep, tmp_path / "deep", "yolo")
    assert not (tmp_path / "deep").exists()


def test_a_category_id_that_is_a_string_is_an_error(tmp_path: Path) -> None:
    doc = _coco_doc()
    doc["categories"][0]["id"] = "1"  # was: read as 1, then written with no category
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="id must be an integer") as err:
        labelkit.load(path)
    assert err.value.location.pointer == "/categories/0/id"


def test_a_lockfile_that_is_no_regular_file_is_never_read(tmp_path: Path) -> None:
    from labelkit.split import read_lockfile

    with pytest.raises(InputError, match="must be a regular file"):  # was: /dev/zero read until MemoryError
        read_lockfile("/dev/zero")
    with pytest.raises(InputError, match="must be a regular file"):
        read_lockfile(tmp_path)


def test_a_yolo_class_id_of_unicode_digits_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("\u00b2 0.5 0.5 0.1 0.1\n")  # '²': isdigit(), not int()
    (root / "data.yaml").write_text("train: images/train\nnames: [c]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [10, 10]}')
    with pytest.raises(InputError, match="class id must be a non-negative integer"):
        labelkit.load(root)


@pytest.mark.parametrize("fmt", ["yolo", "voc", "coco"])
def test_a_file_name_that_is_not_utf8_is_an_input_error(tmp_path: Path, fmt: str) -> None:
    """Python keeps undecodable bytes of a name as surrogates, which Arrow cannot hold: an internal error before."""
    import os
    import shutil

    from click.testing import CliRunner

    from labelkit.cli import cli

    root = tmp_path / fmt
    if fmt == "yolo":
        shutil.copytree(FIXTURES / "yolo/golden/detect", root)
        label = next((root / "labels").rglob("*.txt"))
    elif fmt == "voc":
        shutil.copytree(FIXTURES / "voc/golden/default", root)
        label = root / "Annotations/2007_000001.xml"
    else:  # a second split whose name is not UTF-8 (pyarrow refused the item id prefix with a TypeError)
        shutil.copytree(FIXTURES / "coco/annotations", root / "annotations")
        label = root / "annotations/instances_val.json"
        shutil.copy(label, root / "annotations/instances_train.json")
    new_name = b"instances_\xff.json" if fmt == "coco" else b"\xff" + os.fsencode(label.name)
    os.rename(label, os.path.join(os.fsencode(label.parent), new_name))
    options = {"image_size": "640x480"} if fmt == "yolo" else {}  # the renamed label file has no size on record
    with pytest.raises(InputError) as err:
        labelkit.load(root, fmt, **options)
    assert err.value.location.path == str(root)
    assert err.value.message == "a file or folder name is not UTF-8"
    assert err.value.found is not None and "\\xff" in err.value.found
    result = CliRunner().invoke(cli, ["info", str(root), "--format", fmt, *(f"-o{k}={v}" for k, v in options.items())])
    assert result.exit_code == 2
    assert result.output.startswith(f"labelkit: error: {root}: a file or folder name is not UTF-8 (found ")


def test_a_lone_surrogate_in_data_yaml_is_an_input_error(tmp_path: Path) -> None:
    """YAML's "\\ud800" escape gave a class name no output can hold: `info` failed printing it."""
    import shutil

    from click.testing import CliRunner

    from labelkit.cli import cli

    root = tmp_path / "yolo"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    yaml_path = root / "data.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("0: person", '0: "per\\ud800son"'))
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert err.value.location.path == str(yaml_path)
    assert err.value.message == "text holds a lone surrogate, which UTF-8 cannot encode"
    assert err.value.found == "per\\ud800son"
    result = CliRunner().invoke(cli, ["info", str(root)])
    assert result.exit_code == 2 and "internal error" not in result.output


@pytest.mark.parametrize(
    ("fixture", "file", "old", "new"),
    [
        ("yolo/golden/detect-darknet-6dp", "train.txt", b"obj_train_data/a.jpg", b"obj_train_data/\xff.jpg"),
        ("yolo/golden/detect-darknet-6dp", "obj.names", b"person", b"pers\xffon"),
        ("yolo/golden/detect-darknet-6dp", "obj.data", b"classes = 3", b"classes = 3 # \xff"),
        ("voc/golden/default", "labelmap.txt", b"cat:", b"c\xffat:"),
        ("voc/golden/default", "ImageSets/Main/train.txt", b"2007", b"\xff2007"),
    ],
)
def test_list_and_names_files_that_are_not_utf8_name_the_file_and_line(
    tmp_path: Path, fixture: str, file: str, old: bytes, new: bytes
) -> None:
    """These were decoded with U+FFFD for the bad byte: a listed image then had no label file, silently."""
    import shutil

    root = tmp_path / "in"
    shutil.copytree(FIXTURES / fixture, root)
    data = (root / file).read_bytes()
    assert old in data
    data = data.replace(old, new, 1)
    (root / file).write_bytes(data)
    (root / "a_notes.txt").write_bytes(b"caf\xe9\n")  # sorts first, holds a bad byte, and is no part of the data
    inputs = [root] + ([root / "obj.data"] if (root / "obj.data").exists() else [])
    for given in inputs:  # the folder, or its config file
        with pytest.raises(InputError) as err:
            labelkit.load(given)
        assert err.value.location.path == str(root / file)
        assert err.value.location.line == data[: data.index(b"\xff")].count(b"\n") + 1
        assert "not UTF-8 text: bad byte 0xff" in str(err.value)


@pytest.mark.parametrize("fmt", ["yolo", "voc"])
def test_media_copy_follows_no_link_out_of_media_root(tmp_path: Path, fmt: str) -> None:
    """media_root/evil.jpg -> ../secret.jpg (or a folder link to ..) copied the outside file into the output."""
    import os

    from PIL import Image

    from labelkit.model import Category, Dataset, Item, Media

    media = tmp_path / "media"
    media.mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "secret.jpg")
    Image.new("RGB", (4, 3)).save(media / "ok.jpg")
    os.symlink(tmp_path / "secret.jpg", media / "evil.jpg")
    os.symlink(tmp_path, media / "up")
    os.symlink(media / "ok.jpg", media / "alias.jpg")  # a link staying inside media_root is fine
    for k, path in enumerate(["evil.jpg", "up/secret.jpg", "alias.jpg"]):
        ds = Dataset(categories=[Category(id=0, name="a")])
        ds.add_item(Item(id="1", split="train", media=Media(path=path, width=4, height=3)))
        out = tmp_path / f"out{k}"
        if path == "alias.jpg":
            labelkit.save(ds, out, fmt, media="copy", media_root=str(media))
            assert len([p for p in out.rglob("*.jpg")]) == 1
            continue
        with pytest.raises(InputError, match="image is a link to a file outside media_root"):
            labelkit.save(ds, out, fmt, media="copy", media_root=str(media))
        assert not out.exists()


@pytest.mark.parametrize(("fmt", "task"), [("voc", None), ("yolo", "detect"), ("yolo", "classify")])
def test_media_copy_follows_no_split_folder_linked_out_of_media_root(
    tmp_path: Path, fmt: str, task: str | None
) -> None:
    """``media_root=photos/{split}``, ``photos/val`` a link to ``../secret``: its image was copied into the output
    (and linked, with media=link), as the link check took the split's folder for media_root; a dry run passed."""
    import os

    from PIL import Image

    from labelkit.model import Category, Dataset, Item, Label, Media

    (tmp_path / "photos/train").mkdir(parents=True)
    (tmp_path / "secret").mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "secret/id_rsa.jpg")
    Image.new("RGB", (4, 3)).save(tmp_path / "photos/train/ok.jpg")
    os.symlink(tmp_path / "secret", tmp_path / "photos/val")
    os.symlink(tmp_path / "photos/train", tmp_path / "photos/test")  # (a link staying inside photos is fine)
    options = {"media_root": str(tmp_path / "photos/{split}"), **({"task": task} if task else {})}
    for k, (split, name) in enumerate([("val", "id_rsa.jpg"), ("test", "ok.jpg")]):
        ds = Dataset(categories=[Category(id=0, name="a")])
        ds.add_item(Item(id="1", split=split, media=Media(path=name, width=4, height=3)))
        ds.add(Label(id="l", item_id="1", category_id=0))
        for media in ("copy", "link"):
            out = tmp_path / f"out{k}{media}"
            if split == "test":
                labelkit.save(ds, out, fmt, media=media, allow_loss=True, **options)
                assert len(list(out.rglob("ok.jpg"))) == 1
                continue
            for dry_run in (True, False):
                with pytest.raises(InputError, match="image is a link to a file outside media_root") as err:
                    labelkit.save(ds, out, fmt, media=media, allow_loss=True, dry_run=dry_run, **options)
                assert err.value.location.path == str(tmp_path / "photos/val/id_rsa.jpg")
            assert not out.exists()


@pytest.mark.parametrize("fmt", ["voc", "coco"])
def test_image_names_no_reader_takes_are_never_written(tmp_path: Path, fmt: str) -> None:
    """<filename>..</filename> (from a path of .. or x://y/..), C:evil (a drive) or a NUL: refused on reading."""
    from labelkit.model import Category, Dataset, Item, Media

    ds = Dataset(categories=[Category(id=0, name="a")])
    paths = ["..", "C:evil", "x://y/..", "a\x00b.jpg", "images/../..", "."]
    for i, path in enumerate(paths):
        ds.add_item(Item(id=str(i), split="train", media=Media(path=path, width=4, height=3)))
    if fmt == "coco":
        ds.add_item(Item(id="C:evil", split="train", media=Media(width=4, height=3)))
    labelkit.save(ds, tmp_path / "out", fmt, allow_loss=True)
    back = labelkit.load(tmp_path / "out", fmt)
    expected = [f"{i}.jpg" for i in range(len(paths))] + (["C_evil.jpg"] if fmt == "coco" else [])
    assert [(i.media.path or "").rpartition("/")[2] for i in back.items()] == expected


def test_coco_files_in_info_extras_name_only_plain_files_once(tmp_path: Path) -> None:
    """A dataset built in code may say it was read from instances_../../../evil.json: that file is not written."""
    from labelkit.model import Category, Dataset, DatasetInfo

    files = [{"task": "instances", "split": s, "keys": ["images", "categories"]} for s in ("../../x", "..", "x", "x")]
    ds = Dataset(categories=[Category(id=1, name="a")], info=DatasetInfo(extras={"coco:files": files}))
    (tmp_path / "a/b").mkdir(parents=True)
    labelkit.save(ds, tmp_path / "a/b/out", "coco")
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["a/b/out/annotations/instances_x.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifos_inside_datasets_are_errors_not_hangs(tmp_path: Path) -> None:
    coco = tmp_path / "coco" / "annotations"
    coco.mkdir(parents=True)
    shutil.copy(FIXTURES / "coco/annotations/instances_val.json", coco)
    os.mkfifo(coco / "instances_train.json")  # was: every command waited forever in open()
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "coco")
    assert err.value.location.path == str(coco / "instances_train.json")
    voc = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", voc)
    os.mkfifo(voc / "SegmentationObject" / "zz.png")
    with pytest.raises(InputError) as err:
        labelkit.load(voc, "voc")
    assert err.value.one_line().endswith("zz.png: cannot read: not a regular file")


@pytest.mark.parametrize(
    ("fmt", "source"), [("labelkit", "native/images.labelkit.json"), ("coco", "coco/annotations/instances_val.json")]
)
def test_a_pipe_given_as_input_is_read_to_its_end(tmp_path: Path, fmt: str, source: str) -> None:
    """(COCO took a pipe, not being a regular file, for a folder: ``no COCO files found``.)"""
    out = tmp_path / "o.parquet"
    done = subprocess.run(
        [sys.executable, "-m", "labelkit", "convert", "--from", fmt, "/dev/stdin", str(out), "--to", "parquet"],
        input=(FIXTURES / source).read_bytes(),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    (tmp_path / "stdin").write_bytes((FIXTURES / source).read_bytes())  # (the same name: no split in it)
    assert labelkit.load(out).to_dict() == labelkit.load(tmp_path / "stdin", fmt).to_dict()


@pytest.mark.parametrize(
    ("fmt", "source", "hidden"),
    [
        ("yolo", "yolo/golden/detect", "labels/train/sub"),
        ("voc", "voc/golden/masks-all", "Annotations/x"),
        ("voc", "voc/golden/masks-all", "SegmentationObject/x"),
    ],
)
def test_a_folder_that_cannot_be_listed_is_an_error_not_missing_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, source: str, hidden: str
) -> None:
    """``rglob`` and ``os.walk`` skip such a folder silently: its label files would read as absent."""
    root = tmp_path / "in"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / source, root)
    unlistable = str(root / hidden)
    scandir = os.scandir

    def refusing(path: Any = ".") -> Any:
        if os.fspath(path) == unlistable:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(InputError) as info:
        labelkit.load(root, fmt)
    assert str(info.value) == f"{unlistable}: cannot list folder: Permission denied"


def test_long_numbers_that_fit_are_not_taken_for_integers_beyond_64_bits(tmp_path: Path) -> None:
    doc = _coco(
        annotations__0__foo=[0.30000000000000004, 18446744073709551615, -9223372036854775808, "12345678901234567890"]
    )
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    (obj,) = [o for o in labelkit.load(path, "coco").objects() if o.id == "1"]
    assert obj.extras["coco:foo"] == [
        0.30000000000000004,
        18446744073709551615,
        -9223372036854775808,
        "12345678901234567890",
    ]


def test_a_number_no_float_holds_in_a_carried_coco_field_names_its_record_when_written_as_labelkit_json(
    tmp_path: Path,
) -> None:
    """COCO and Parquet keep ``1e400`` as written; labelkit JSON cannot: the error said only the input folder."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco()).replace('"iscrowd": 0}', '"iscrowd": 0, "foo": 1e400}', 1))
    with pytest.raises(InputError) as err:
        labelkit.convert(path, tmp_path / "o.labelkit.json", "labelkit")
    assert err.value.one_line() == (  # (not orjson's 'line 1 column 40', a place in the stored text)
        f"{path}: record '1': extras: a stored JSON text cannot be read: a number no float holds (found "
        '{"coco:area":4,"coco:iscrowd":0,"coco:foo":1e400})'
    )
    assert not (tmp_path / "o.labelkit.json").exists()


@pytest.mark.parametrize(("to", "options"), [("voc", {}), ("yolo", {"task": "detect"}), ("yolo", {"task": "segment"})])
def test_a_number_no_float_holds_in_a_carried_coco_field_does_not_stop_writers_that_drop_it(
    tmp_path: Path, to: str, options: dict[str, str]
) -> None:
    """VOC and YOLO keep no COCO area; counting the objects' extra keys decoded the first object's text, so
    ``"area": 1e400`` stopped them with an error naming neither the record nor the field."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco()))
    plain = labelkit.convert(path, tmp_path / "plain", to, allow_loss=True, **options)  # (the image's license, ...)
    path.write_text(json.dumps(_coco()).replace('"area": 4,', '"area": 1e400,', 1))
    report = labelkit.convert(path, tmp_path / "out", to, allow_loss=True, **options)
    assert report.lost == plain.lost and report.transformed == plain.transformed
    assert report.written["object annotations"] == 2
    assert labelkit.load(tmp_path / "out", to).report_counts()["object annotations"] == 2


def test_an_unreadable_stored_text_of_a_token_is_named_by_its_row(tmp_path: Path) -> None:
    """Tokens have no id: the row number was shown as if it were one (``record 2``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    src = tmp_path / "ds.parquet"
    labelkit.convert(Path(__file__).resolve().parents[1] / "fixtures/native/text.labelkit.json", src, "parquet")
    tokens = pq.read_table(src / "tokens.parquet")
    texts = tokens["columns"].to_pylist()
    texts[2] = '{"pos": 1e400}'
    pq.write_table(
        tokens.set_column(tokens.schema.get_field_index("columns"), "columns", pa.array(texts)), src / "tokens.parquet"
    )
    # (the Parquet reader now refuses it, naming the table and its 0-based row, as for every table)
    with pytest.raises(InputError, match=r"tokens.parquet: row 2: columns holds a value that is not a text"):
        labelkit.convert(src, tmp_path / "o.labelkit.json", "labelkit")
    from labelkit.model import Dataset

    bad = tokens.set_column(tokens.schema.get_field_index("columns"), "columns", pa.array(texts))
    built = Dataset.from_tables({"items": pq.read_table(src / "items.parquet"), "tokens": bad})  # built in code
    # (refused before writing, as its reader refuses it, naming the table and 0-based row: it said 'row 3')
    with pytest.raises(OutputError) as err:
        labelkit.save(built, tmp_path / "o.labelkit.json", "labelkit")
    assert err.value.message == "tokens row 2: columns holds a value that is not a text"
    assert not (tmp_path / "o.labelkit.json").exists()


@pytest.mark.parametrize("where", ["caption", "extra", "file_name"])
def test_bad_utf8_in_a_coco_value_kept_raw_is_an_error_naming_its_line(tmp_path: Path, where: str) -> None:
    """msgspec 0.23 passes bad UTF-8 inside values it keeps raw: it reached Arrow's text columns, or an
    internal error; every COCO file is now checked whole (Arrow's validator) before it is decoded."""
    doc = _coco()
    if where == "caption":
        doc["annotations"][0]["caption"] = "BAD"
    elif where == "extra":
        doc["annotations"][0]["note"] = "BAD"
    else:
        doc["images"][0]["file_name"] = "BAD.jpg"
    data = json.dumps(doc, indent=1).encode().replace(b"BAD", b"b\xffd")
    path = tmp_path / "instances_val.json"
    path.write_bytes(data)
    with pytest.raises(InputError, match="not UTF-8 text: bad byte 0xff") as err:
        labelkit.load(path, "coco")
    assert err.value.location.line == data[: data.index(b"\xff")].count(b"\n") + 1


@pytest.mark.parametrize("listing", ["sorted", "reversed"])
def test_a_yolo_classify_layout_reads_the_same_whatever_the_folder_listing_order(
    listing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which class folders were looked into depended on the listing order, which differs between machines.

    A train split of 10 class folders, the last one by name holding a note and no image: read with its 9
    images (the first 8 folders by name hold images) under any order, where it was dropped whole when the
    listing gave that folder among the first 8.
    """
    from PIL import Image

    for split in ("train", "val"):
        for c in "abcdefghij":
            folder = tmp_path / "ds" / split / c
            folder.mkdir(parents=True)
            if (split, c) == ("train", "j"):
                (folder / "notes.md").write_text("rare\n")
            else:
                Image.new("RGB", (8, 6)).save(folder / f"{c}1.jpg")
    real_listdir = os.listdir

    def listdir(path: Any = ".") -> list[Any]:
        return sorted(real_listdir(path), reverse=listing == "reversed")

    monkeypatch.setattr(os, "listdir", listdir)
    stats = labelkit.stats(tmp_path / "ds")
    assert stats.items_by_split == {"train": 9, "val": 10}


def test_voc_lists_an_item_by_the_name_of_its_files_and_reports_the_ids_it_renames(tmp_path: Path) -> None:
    """An id such as 'a\\b' is written as Annotations/a/b.xml: its ImageSets lines said 'a\\b', silently.

    Tools that join a list line to ``Annotations/<line>.xml`` found no such file.
    """
    from labelkit.model import Category, Dataset, Item, Label, Media

    ds = Dataset(categories=[Category(id=0, name="cat")])
    for n, item_id in enumerate(["a\\b", "./q", "ok"]):
        ds.add_item(Item(id=item_id, media=Media(path=None, width=64, height=48), split="val"))
        ds.add(Label(id=str(n), item_id=item_id, category_id=0))
    report = labelkit.save(ds, tmp_path / "voc", "voc")
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("item ids", 2)]
    main = tmp_path / "voc" / "ImageSets" / "Main"
    assert (main / "val.txt").read_text() == "a/b\nq\nok\n"
    assert (main / "cat_val.txt").read_text() == "a/b  1\nq  1\nok  1\n"
    back = labelkit.load(tmp_path / "voc")
    items = sorted((i["id"], i["split"]) for i in back.to_dict()["items"])
    assert items == [("a/b", "val"), ("ok", "val"), ("q", "val")]
    assert back.stats().annotations == {"label": 3}


@pytest.mark.parametrize(("names", "folder"), [(["Cat", "cat"], "Cat"), (["cat", "cat"], "cat")])
def test_yolo_classify_classes_sharing_a_folder_are_reported_lost(
    names: list[str], folder: str, tmp_path: Path
) -> None:
    """Two classes of one folder name read back as one class; 'Cat' and 'cat' do so on macOS and Windows.

    Written without a word (the second class's images went into 'cat/', which is 'Cat/' there), they are
    now a loss, and with --allow-loss filed in the first class's folder on every machine.
    """
    from PIL import Image

    from labelkit.errors import DataLossError
    from labelkit.model import Category, Dataset, Item, Label, Media

    (tmp_path / "media").mkdir()
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    for k, name in enumerate(["a.jpg", "b.jpg"]):
        Image.new("RGB", (4, 3)).save(tmp_path / "media" / name)
        ds.add_item(Item(id=str(k), split="train", media=Media(path=name, width=4, height=3)))
        ds.add(Label(id=str(k), item_id=str(k), category_id=k))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "media")}
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "yolo", **options)
    assert [(c.what, c.count) for c in err.value.report.lost] == [("classes whose folder another class shares", 1)]
    assert not (tmp_path / "out").exists()
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    files = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.jpg"))
    assert files == [f"train/{folder}/a.jpg", f"train/{folder}/b.jpg"]


@pytest.mark.parametrize("fmt", ["parquet", "labelkit", "yolo", "voc", "coco"])
def test_an_output_in_a_folder_whose_name_is_not_utf8_reads_back(tmp_path: Path, fmt: str) -> None:
    """The folder given is the user's, not a name inside the dataset: Parquet wrote there, then could not read
    its own tables ('a file or folder name is not UTF-8', as Arrow takes a text path for UTF-8)."""
    parent = tmp_path / os.fsdecode(b"d\xff")
    parent.mkdir()
    out = parent / ("out.json" if fmt == "labelkit" else "out")
    ds = labelkit.load(FIXTURES / "native" / "images.labelkit.json")
    labelkit.save(ds, out, fmt, allow_loss=True)
    assert labelkit.load(out, fmt).stats().items == 3


def test_a_polygon_inside_an_image_2_to_63_wide_is_not_reported_clipped(tmp_path: Path) -> None:
    """The far-polygon check cast the image's width (2^63 as a float) to int64, which no int64 holds: on x86 it
    became -2^63, so a polygon inside the image was measured against its height, and reported clipped."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=2**63 - 1, height=480)))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=10, height=10)))  # (a far polygon: the check runs)
    ds.add(Object(id="1", item_id="a", category_id=1, polygon=[[10.0, 10.0, 5e18, 10.0, 200.0, 100.0]]))
    ds.add(Object(id="2", item_id="b", category_id=1, polygon=[[0.0, 0.0, 1e6, 0.0, 5.0, 5.0]]))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [(c.what, c.count) for c in report.transformed if c.what.startswith("polygons")] == [
        ("polygons reaching far outside their image", 1)
    ]
    written = json.loads(next((tmp_path / "o").rglob("*.json")).read_text())
    assert written["annotations"][0]["segmentation"] == [[10, 10, 5e18, 10, 200, 100]]


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        (  # was: the file without the pointer
            {"/etc/x.jpg": [1, 1]},
            "#/~1etc~1x.jpg: unsafe file name '/etc/x.jpg'; hint: names inside a dataset must be relative, with no "
            "drive ('C:'), '..' part or NUL character",
        ),
        (  # was: without the value found
            {"images/train/a.jpg": [640.0, True]},
            "#/images~1train~1a.jpg: bad image size (expected [width, height] (positive, 64-bit), found [640.0, true])",
        ),
        (  # was: the later size taken, without a word
            {"images/train/a.jpg": [640, 480], "./images/train/a.jpg": [320, 240]},
            "#/.~1images~1train~1a.jpg: image images/train/a.jpg is given two sizes (expected [640, 480], found "
            "[320, 240])",
        ),
        (  # was: the later size taken, without a word (the JSON reader keeps a repeated key's last value)
            '{"images/train/a.jpg": [640, 480], "images/train/a.jpg": [10, 10]}',
            "#/images~1train~1a.jpg: image images/train/a.jpg is given two sizes (expected [640, 480], found [10, 10])",
        ),
    ],
)
def test_a_bad_image_sizes_entry_is_named_by_its_pointer_and_value(
    tmp_path: Path, sizes: dict[str, Any] | str, expected: str
) -> None:
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    (root / "image_sizes.json").write_text(sizes if isinstance(sizes, str) else json.dumps(sizes))
    with pytest.raises(InputError) as err:
        labelkit.load(root / "data.yaml", "yolo", image_sizes=str(root / "image_sizes.json"))
    assert str(err.value) == f"{root / 'image_sizes.json'}{expected}"


def test_an_image_sizes_key_repeated_with_its_size_or_holding_a_bracket_is_read(tmp_path: Path) -> None:
    """A key repeated with the same size says nothing twice; keys holding ']' (the count that tells a repeat from
    none) are read as any."""
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    sizes = json.loads((root / "image_sizes.json").read_text())
    text = json.dumps(sizes)[:-1] + ', "x]y.jpg": [1, 2], "x]y.jpg": [1, 2]}'
    (root / "image_sizes.json").write_text(text)
    ds = labelkit.load(root / "data.yaml", "yolo")
    assert [(i.media.width, i.media.height) for i in ds.items()] == [tuple(v) for v in sizes.values()]


@pytest.mark.parametrize("text", [None, "[1, 2]"])
def test_validate_says_an_image_sizes_file_missing_or_bad_as_info_does(tmp_path: Path, text: str | None) -> None:
    """``validate -o image_sizes=FILE`` with FILE missing (or not a JSON object) exited 1, as if the dataset had a
    finding, where ``info`` exits 2: the file is an option's value, not the dataset."""
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    sizes = tmp_path / "sizes.json"
    if text is not None:
        sizes.write_text(text)
    results = [CliRunner().invoke(cli, [c, str(root), "-o", f"image_sizes={sizes}"]) for c in ("validate", "info")]
    assert [r.exit_code for r in results] == [2, 2]
    assert results[0].stderr == results[1].stderr and results[0].stderr.startswith(f"labelkit: error: {sizes}")
    assert labelkit.validate(root) == []


_TOO_LONG = "x" * 300  # (a file name beyond the 255 bytes file systems hold)


@pytest.mark.parametrize(
    ("fixture", "file", "text", "line"),
    [  # was: the dataset folder named, not the list or obj.data, nor the line
        ("detect-darknet-6dp", "train.txt", f"obj_train_data/a.jpg\nobj_train_data/{_TOO_LONG}.jpg\n", 2),
        ("detect-darknet-6dp", "train.txt", "obj_train_data/a.jpg\n" + "0.5 " * 1000 + "\n", 2),
        ("detect-darknet-6dp", "obj.data", f"classes = 3\ntrain = train.txt\nvalid = {_TOO_LONG}.txt\n", 3),
        ("detect-darknet-6dp", "obj.data", f"classes = 3\ntrain = train.txt\nnames = data/{_TOO_LONG}.names\n", 3),
        ("detect", "data.yaml", f"names: [a, b, c]\nval: images/val\ntrain: {_TOO_LONG}\n", 3),
        ("detect", "data.yaml", f"names: [a, b, c]\ntrain:\n  - images/train\n  - {_TOO_LONG}\n", 4),
    ],
)
def test_a_name_too_long_in_a_yolo_list_or_config_is_named_by_its_line(
    tmp_path: Path, fixture: str, file: str, text: str, line: int
) -> None:
    root = tmp_path / fixture
    shutil.copytree(FIXTURES / "yolo/golden" / fixture, root)
    (root / file).write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / file)
    assert err.value.location.line == line
    assert err.value.message == "cannot read: File name too long"
    if file == "data.yaml":
        assert err.value.location.element == "train"
        assert err.value.found == "'" + "x" * 179 + "... (302 characters)"  # (the value, shortened)


def test_a_name_too_long_in_an_ultralytics_list_is_named_by_its_line(tmp_path: Path) -> None:
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    (root / "data.yaml").write_text("names: [a, b, c]\ntrain: train.txt\n")
    (root / "train.txt").write_text(f"images/train/a.jpg\nimages/train/{_TOO_LONG}.jpg\n")
    with pytest.raises(InputError) as err:  # was: "<root>: cannot read: File name too long"
        labelkit.load(root, "yolo")
    assert str(err.value) == f"{root / 'train.txt'}:2: cannot read: File name too long"


def _voc_class_png_of(tmp_path: Path, labelmap: str, mode: str, colour: tuple[int, int, int]) -> Path:
    """The VOC fixture with ``labelmap`` and its class PNG's class pixels painted ``colour``, as ``mode``."""
    from PIL import Image

    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    (root / "labelmap.txt").write_text(labelmap)
    png = root / "SegmentationClass/2007_000001.png"
    with Image.open(png) as im:
        values = np.asarray(im)
    if mode == "RGB":
        rgb = np.zeros((*values.shape, 3), dtype=np.uint8)
        rgb[values == 1] = colour
        Image.fromarray(rgb, "RGB").save(png)
    else:  # a palette of other colours than the classes' values: mapped through its colours
        im = Image.fromarray(np.where(values == 1, 7, 0).astype(np.uint8), "P")
        im.putpalette([0, 0, 0] * 7 + list(colour))
        im.save(png)
    return png


@pytest.mark.parametrize("mode", ["RGB", "P"])
@pytest.mark.parametrize(
    ("labelmap", "colour", "names"),
    [
        ("cat:0,128,0::\nperson:0,128,0::\n", (0, 128, 0), "'cat' and 'person'"),
        ("cat:::\nperson:128,0,0::\n", (128, 0, 0), "'cat' and 'person'"),  # (cat's colour: VOC's for value 1)
        ("background:0,128,0::\ncat:1,1,1::\nperson:0,128,0::\n", (0, 128, 0), "'background' and 'person'"),
    ],
)
def test_a_mask_colour_two_labelmap_classes_share_is_an_error_at_its_pixel(
    tmp_path: Path, labelmap: str, colour: tuple[int, int, int], names: str, mode: str
) -> None:
    """Was: read as the later class, silently (an extra person object beside the XML's cat; validate: ok)."""
    png = _voc_class_png_of(tmp_path, labelmap + "forklift truck:128,128,0::\n", mode, colour)
    with pytest.raises(InputError) as err:
        labelkit.load(png.parents[1], "voc")
    assert err.value.location.path == str(png)
    assert err.value.location.pixel == (2, 1)
    assert err.value.message == f"colour of the classes {names} in labelmap.txt: its class is unclear"
    assert err.value.found == str(colour)


def test_a_mask_colour_of_one_labelmap_class_is_read_as_it(tmp_path: Path) -> None:
    png = _voc_class_png_of(
        tmp_path, "cat:0,128,0::\nperson:0,0,128::\nforklift truck:128,128,0::\n", "RGB", (0, 128, 0)
    )
    ds = labelkit.load(png.parents[1], "voc")
    assert sorted(ds.category(o.category_id or 0).name for o in ds.objects()) == ["cat", "forklift truck", "person"]


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [({"info": {"year": BIG}}, "/info/year"), ({"licenses": [{"id": 1, "n": [BIG]}]}, "/licenses/0/n/0")],
)
def test_validate_finds_the_coco_info_or_licenses_integer_reading_refuses(
    tmp_path: Path, changes: dict[str, Any], pointer: str
) -> None:
    """Was: validate ok (no finding), while reading the file refused it."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_coco(**changes)))
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert (err.value.location.path, err.value.location.pointer) == (str(path), pointer)
    assert [str(f) for f in labelkit.validate(path, "coco")] == [
        f"{path}#{pointer}: an integer does not fit in 64 bits"
    ]


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [  # was: the last value kept without a word (class 2 named d; the second names list read)
        ("names: {0: a, 1: b, 2: c, 2: d}\n", 1, "invalid YAML: key '2' repeated (first at line 1)"),
        ("names: [a, b, c]\nnames: [d, e, f]\n", 2, "invalid YAML: key 'names' repeated (first at line 1)"),
        ("names:\n  0: a\n  1: b\n  true: c\n", 4, "invalid YAML: key 'true' repeated (first at line 3, as '1')"),
    ],
)
def test_a_key_repeated_in_data_yaml_is_an_error_at_its_line(
    tmp_path: Path, yaml_text: str, line: int, message: str
) -> None:
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    (root / "data.yaml").write_text(yaml_text + "train: images/train\nval: images/val\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "data.yaml"), line)
    assert err.value.message == message


def test_a_merge_key_in_data_yaml_may_be_overridden(tmp_path: Path) -> None:
    root = tmp_path / "detect"
    shutil.copytree(FIXTURES / "yolo/golden/detect", root)
    (root / "data.yaml").write_text("<<: {names: [x]}\nnames: [a, b, c]\ntrain: images/train\nval: images/val\n")
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("name", "text"),
    [  # was: read as split "forklift truck_train" (the 1 and 2 dropped); train's x dropped unsaid
        ("forklift truck_train.txt", "2007_000001 1 2\n"),
        ("train.txt", "2007_000001 x\n"),
    ],
)
def test_a_voc_main_split_list_line_of_several_words_is_an_error_at_its_line(
    tmp_path: Path, name: str, text: str
) -> None:
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    (root / "ImageSets/Main" / name).write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(root / "ImageSets/Main" / name), 1)
    # (forklift truck is a class of the labelmap and train a split: its list of lines lacking values is the class's)
    message = (
        "a per-class list line holds an image and its value"
        if "_" in name
        else "a split list line holds one image name"
    )
    assert (err.value.message, err.value.found) == (message, repr(text.strip()))


@pytest.mark.parametrize(
    "linked",
    ["Annotations/none.xml", "ImageSets/Main/train.txt", "labelmap.txt", "SegmentationClass/2007_000001.png"],
)
def test_voc_files_linked_outside_the_dataset_are_refused(tmp_path: Path, linked: str) -> None:
    """VOC read files that symbolic links took out of the dataset: a list linked to /etc/hostname made its text
    an item id (written into a converted output's lists and file names), as YOLO refuses unless links=follow."""
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    secret = tmp_path / "secret"
    shutil.copy(root / linked, secret)
    (root / linked).unlink()
    (root / linked).symlink_to(secret)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / linked)
    assert "cannot read: a symbolic link leading out of the dataset" in err.value.one_line()
    assert "links=follow" in err.value.one_line()
    assert labelkit.load(root, "voc", links="follow").stats() == labelkit.load(FIXTURES / "voc/golden/default").stats()
    (root / linked).unlink()
    (root / linked).symlink_to(root / "kept", target_is_directory=False)
    shutil.copy(secret, root / "kept")  # a link leading inside the dataset is read as usual
    assert labelkit.load(root, "voc").stats() == labelkit.load(FIXTURES / "voc/golden/default").stats()


def test_voc_folders_linked_outside_the_dataset_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/default", root)
    shutil.move(root / "Annotations", tmp_path / "elsewhere")
    (root / "Annotations").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / "Annotations/2007_000001.xml")
    assert "cannot read: in a folder linked out of the dataset" in err.value.one_line()
    assert labelkit.load(root, "voc", links="follow").stats().items == 3


@pytest.mark.parametrize("kind", ["Annotations", "SegmentationObject"])
def test_voc_subfolders_linked_outside_the_dataset_are_refused_or_followed(tmp_path: Path, kind: str) -> None:
    """A folder link below Annotations/ (or a segmentation folder) was passed over unsaid, with either ``links``
    option: item ``x/y``, listed in ImageSets, read as an item without its XML objects (or its masks)."""
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/masks-all", root)
    whole = labelkit.load(root, "voc").stats()
    shutil.move(root / kind / "x", tmp_path / "elsewhere")
    (root / kind / "x").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    name = "y.xml" if kind == "Annotations" else "y.png"
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / kind / "x" / name)
    assert "cannot read: in a folder linked out of the dataset" in err.value.one_line()
    assert labelkit.load(root, "voc", links="follow").stats() == whole
    (root / kind / "x").unlink()
    shutil.move(tmp_path / "elsewhere", root / "kept")
    (root / kind / "x").symlink_to(root / "kept", target_is_directory=True)  # a link leading inside is read
    assert labelkit.load(root, "voc").stats() == whole
    (root / kind / "x").unlink()
    (root / kind / "x").symlink_to(root / kind, target_is_directory=True)  # a loop
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc", links="follow")
    assert err.value.location.path == str(root / kind / "x")
    assert "a symbolic link to a folder holding it (a loop)" in err.value.one_line()
    (root / kind / "x").unlink()
    (tmp_path / "out").mkdir()
    (root / kind / "x").symlink_to(tmp_path / "out", target_is_directory=True)  # a loop through a folder elsewhere
    (tmp_path / "out" / "back").symlink_to(root / kind, target_is_directory=True)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc", links="follow")
    assert err.value.location.path == str(root / kind / "x" / "back")
    assert "a symbolic link to a folder holding it (a loop)" in err.value.one_line()


@pytest.mark.parametrize("kind", ["Annotations", "SegmentationObject"])
def test_voc_subfolders_linked_to_a_folder_read_anyway_are_read_once(tmp_path: Path, kind: str) -> None:
    """A link to a folder below the one walked (Annotations/alias -> Annotations/x), or a second link to one
    folder elsewhere, read its files again: each XML was two items (x/y and alias/y), unsaid."""
    root = tmp_path / "voc"
    shutil.copytree(FIXTURES / "voc/golden/masks-all", root)
    whole = labelkit.load(root, "voc")
    (root / kind / "alias").symlink_to(root / kind / "x", target_is_directory=True)
    back = labelkit.load(root, "voc")
    assert back.stats() == whole.stats()
    assert sorted(i.id for i in back.items()) == sorted(i.id for i in whole.items())
    (root / kind / "alias").unlink()
    shutil.move(root / kind / "x", tmp_path / "elsewhere")
    for name in ("x", "z"):  # (the first by name is read)
        (root / kind / name).symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    back = labelkit.load(root, "voc", links="follow")
    assert back.stats() == whole.stats()
    assert sorted(i.id for i in back.items()) == sorted(i.id for i in whole.items())


@pytest.mark.parametrize(("text", "found"), [("true", "bool"), ('"x"', "str"), ("null", "null"), ("0", "int")])
def test_a_coco_file_holding_no_object_is_an_error_at_the_document(tmp_path: Path, text: str, found: str) -> None:
    """With the format named, a COCO file holding a bare value gave an error without a JSON pointer."""
    path = tmp_path / "instances_val.json"
    path.write_text(text)
    for read in (labelkit.load, labelkit.stats):
        with pytest.raises(InputError) as exc:
            read(path, "coco")
        assert (exc.value.location.path, exc.value.location.pointer) == (str(path), "")
        assert exc.value.message == f"Expected `object`, got `{found}`"


@pytest.mark.parametrize(
    ("changes", "pointer", "message"),
    [
        ({"images__0__meta": {"tags": ["a"], "run": BIG}}, "/images/0/meta/run", "an integer does not fit in 64 bits"),
        ({"images__0__meta": {"tags": ["a"], "run": "1e400"}}, "/images/0/meta/run", "Number out of range"),
        ({"categories__0__x": [1, "-1e400"]}, "/categories/0/x/1", "Number out of range"),
        ({"licenses": [{"id": 1, "n": [BIG]}]}, "/licenses/0/n/0", "an integer does not fit in 64 bits"),
        ({"info": {"year": 2017, "v": {"w": "1e400"}}}, "/info/v/w", "Number out of range"),
    ],
)
def test_coco_values_no_reader_holds_are_named_by_their_own_pointer(
    tmp_path: Path, changes: dict[str, Any], pointer: str, message: str
) -> None:
    """An integer beyond 64 bits or a number no float holds (1e400) in an image, category, licence or info field
    was named by its record or section (``#/images/0``; ``#/images`` for 1e400 in any image of the file,
    ``#/licenses``): msgspec names a key of an object of any keys ``[...]``, and orjson names no place."""
    path = tmp_path / "instances_val.json"
    text = json.dumps(_coco(**changes)).replace('"1e400"', "1e400").replace('"-1e400"', "-1e400")
    path.write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert (err.value.location.path, err.value.location.pointer) == (str(path), pointer)
    assert err.value.message.startswith(message)


def _windows_path_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``sorted`` of Paths compare them as Windows' Path does: part by part, ignoring case."""
    import pathlib

    def less(a: pathlib.PurePath, b: object) -> bool:
        if not isinstance(b, pathlib.PurePath):
            return NotImplemented
        return [p.lower() for p in a.parts] < [p.lower() for p in b.parts]

    monkeypatch.setattr(pathlib.PurePath, "__lt__", less)


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_yolo_folders_read_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Class folders, a LabelImg folder's split folders and Roboflow-like ``<split>/images`` folders were taken in
    the order ``sorted`` gives Paths: by name here, ignoring case on Windows (``cat/`` before ``Dog/``), so the
    items, and the ids written for them, came in another order there. They are taken by name on every machine."""
    from PIL import Image

    def image(path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 6)).save(path)

    for split in ("train", "val"):
        for c in ("cat", "Dog"):
            image(tmp_path / "classify" / split / c / f"{c}1.jpg")
    for split, stem in (("train", "b"), ("Valid", "a")):  # LabelImg folders of Roboflow's YOLO Darknet export
        image(tmp_path / "flat" / split / f"{stem}.jpg")
        (tmp_path / "flat" / split / f"{stem}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
        (tmp_path / "flat" / split / "classes.txt").write_text("cat\n")
        image(tmp_path / "rf" / split / "images" / f"{stem}.jpg")
        (tmp_path / "rf" / split / "labels").mkdir()
        (tmp_path / "rf" / split / "labels" / f"{stem}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "rf" / "obj.names").write_text("cat\n")
    if order == "windows":
        _windows_path_order(monkeypatch)
    found = {
        name: [(i.id, i.split) for i in labelkit.load(tmp_path / name, "yolo").items()]
        for name in ("classify", "flat", "rf")
    }
    assert found == {
        "classify": [("train/Dog1", "train"), ("train/cat1", "train"), ("val/Dog1", "val"), ("val/cat1", "val")],
        "flat": [("a", "Valid"), ("b", "train")],
        "rf": [("a", "Valid"), ("b", "train")],
    }


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_voc_image_sets_read_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ImageSets lists were taken in the order ``sorted`` gives Paths, ignoring case on Windows, and the items
    come in their lists' order: ``Val.txt``'s before ``train.txt``'s here, after them there."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    for stem in "abcd":
        (root / "Annotations" / f"{stem}.xml").write_text(
            f"<annotation><filename>{stem}.jpg</filename><size><width>64</width><height>48</height></size>"
            "<object><name>cat</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>10</xmax><ymax>20</ymax></bndbox>"
            "</object></annotation>"
        )
    (root / "ImageSets" / "Main" / "Val.txt").write_text("d\nb\n")
    (root / "ImageSets" / "Main" / "train.txt").write_text("c\na\n")
    if order == "windows":
        _windows_path_order(monkeypatch)
    items = [(i.id, i.split) for i in labelkit.load(root, "voc").items()]
    assert items == [("d", "Val"), ("b", "Val"), ("c", "train"), ("a", "train")]


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_voc_folder_of_two_bad_annotations_names_one_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The annotation files were read in the order ``sorted`` gives Paths, ignoring case on Windows: of two bad
    ones, the error named ``B.xml`` here and ``a.xml`` there."""
    root = tmp_path / "voc"
    (root / "Annotations" / "sub").mkdir(parents=True)
    for name in ("B", "a", "sub/c"):
        (root / "Annotations" / f"{name}.xml").write_bytes(b"<annotation><filename>\xff</filename></annotation>")
    (root / "Annotations" / "sub-b.xml").write_text("<annotation><filename>b.jpg</filename></annotation>")
    if order == "windows":
        _windows_path_order(monkeypatch)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert (err.value.location.path, err.value.location.line) == (str(root / "Annotations" / "B.xml"), 1)


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_yolo_folder_of_two_names_files_takes_one_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Of two ``*.names`` files, or two LabelImg ``labels/*/classes.txt`` (and no ``labels/classes.txt``), the
    first of ``sorted`` Paths named the classes: ``B.names`` here, ``a.names`` on Windows, whose Path ignores case.
    Two Darknet ``*.data`` files, none named as the folder, are an error listing them in that order too."""
    from PIL import Image

    roots = {name: tmp_path / name for name in ("names", "data", "labelimg")}
    for root in roots.values():
        (root / "images" / "train").mkdir(parents=True)
        (root / "labels" / "train").mkdir(parents=True)
        Image.new("RGB", (8, 6)).save(root / "images" / "train" / "x.jpg")
        (root / "labels" / "train" / "x.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    for root in (roots["names"], roots["data"]):
        (root / "B.names").write_text("bee\n")
        (root / "a.names").write_text("ant\n")
    (roots["data"] / "list.txt").write_text("images/train/x.jpg\n")
    (roots["data"] / "B.data").write_text("names = B.names\ntrain = list.txt\n")
    (roots["data"] / "a.data").write_text("names = a.names\ntrain = list.txt\n")
    for sub, names in (("B", "bee\n"), ("a", "ant\n")):
        (roots["labelimg"] / "labels" / sub).mkdir()
        (roots["labelimg"] / "labels" / sub / "classes.txt").write_text(names)
    if order == "windows":
        _windows_path_order(monkeypatch)
    data = roots.pop("data")  # (two Darknet data files, none named as the folder: which to read is not known)
    with pytest.raises(InputError, match=r": 2 Darknet data files \(B.data, a.data\), none named as the folder"):
        labelkit.load(data, "yolo")
    classes = {name: [c.name for c in labelkit.load(root, "yolo").categories] for name, root in roots.items()}
    assert classes == {"names": ["bee"], "labelimg": ["bee"]}


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_voc_item_without_a_filename_takes_one_image_whatever_the_machine(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An XML without ``filename`` takes the first ``<id>.*`` image: the names were sorted folded on Windows (as
    its file names ignore case), so of ``a.Png`` and ``a.jpg`` Linux took ``a.Png`` and Windows ``a.jpg``, an
    item of another image and size. The first by name is taken on every machine."""
    from PIL import Image

    from labelkit.formats import voc_images

    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "JPEGImages").mkdir()
    (root / "Annotations" / "a.xml").write_text("<annotation></annotation>")
    Image.new("RGB", (8, 6)).save(root / "JPEGImages" / "a.Png", "PNG")
    Image.new("RGB", (16, 12)).save(root / "JPEGImages" / "a.jpg")
    if order == "windows":
        monkeypatch.setattr(voc_images, "_fold", str.lower)  # (what it is on Windows)
        _windows_path_order(monkeypatch)
    (item,) = labelkit.load(root, "voc").items()
    assert (item.media.path, item.media.width, item.media.height) == ("JPEGImages/a.Png", 8, 6)


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_roboflow_voc_folder_of_two_bad_splits_names_one_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Roboflow's VOC split folders were read in the order ``sorted`` gives Paths, ignoring case on Windows: of
    two bad annotation files the error named ``Valid/x.xml`` here and ``train/x.xml`` there."""
    for split in ("train", "Valid"):
        (tmp_path / "voc" / split).mkdir(parents=True)
        (tmp_path / "voc" / split / "x.xml").write_bytes(b"<annotation><filename>\xff</filename></annotation>")
    if order == "windows":
        _windows_path_order(monkeypatch)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "voc", "voc")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "voc" / "Valid" / "x.xml"), 1)


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_coco_folder_s_notes_name_the_files_not_read_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read notes naming a COCO folder's files not read listed them in the order ``sorted`` gives Paths,
    ignoring case on Windows: ``annotations/B.json, annotations/a.json`` here, the other way there."""
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    doc = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "cat"}]}
    (root / "annotations" / "instances_val.json").write_text(json.dumps(doc))
    for name in ("annotations/B.json", "annotations/a.json", "instances_Zed.json", "instances_alpha.json"):
        (root / name).write_text(json.dumps(doc))
    if order == "windows":
        _windows_path_order(monkeypatch)
    notes = labelkit.load(root, "coco").read_notes
    assert [n.partition(" not read")[0] for n in notes] == [
        "annotations/B.json, annotations/a.json",
        "instances_Zed.json, instances_alpha.json",
    ]


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_yolo_classify_layout_reads_the_same_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first 8 class folders by name, looked into for label files, were the first 8 of ``sorted`` Paths,
    which ignore case on Windows: of ``B/`` ... ``I/`` and ``a/`` (holding a ``.txt``), ``a/`` was among them
    there, and the split was no classify split; and the splits came in another order (``Valid/``, ``train/``).
    ``Valid/`` is no split now, on any machine: Ultralytics looks for ``val``, ``validation``, ``valid`` and ``test``
    as named (on Linux it finds no ``Valid/``), and a read note names it."""
    from PIL import Image

    for split in ("train", "Valid"):
        for c in "aBCDEFGHI":
            folder = tmp_path / "ds" / split / c
            folder.mkdir(parents=True)
            Image.new("RGB", (8, 6)).save(folder / f"{c}1.jpg")
    (tmp_path / "ds" / "train" / "a" / "notes.txt").write_text("rare\n")
    if order == "windows":
        _windows_path_order(monkeypatch)
    ds = labelkit.load(tmp_path / "ds", "yolo")
    assert [(i.split, i.id) for i in ds.items()][::8] == [("train", "B1"), ("train", "a1")]
    assert len(list(ds.items())) == 9
    assert ds.read_notes == [
        "Valid holds folders of images beside the split folders: not read, as Ultralytics reads only the splits "
        "named train, val, valid, validation and test",
        "1 .txt files lie in class folders (train/a/notes.txt first): a classify dataset's labels are its folders, "
        "and they are not read, as Ultralytics does not read them",
    ]


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_yolo_class_folder_s_images_read_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class folder's images came in the order ``sorted`` gives Paths, ignoring case on Windows: ``B.jpg``
    before ``a.jpg`` here, after it there, and so the items and the ids written for them."""
    from PIL import Image

    for c in ("cat", "dog"):
        (tmp_path / "ds" / "train" / c).mkdir(parents=True)
        for name in ("B", "a", "sub/C", "sub/b"):
            (tmp_path / "ds" / "train" / c / name).parent.mkdir(exist_ok=True)
            Image.new("RGB", (8, 6)).save(tmp_path / "ds" / "train" / c / f"{name}{c}.jpg")
    if order == "windows":
        _windows_path_order(monkeypatch)
    ids = [i.id for i in labelkit.load(tmp_path / "ds", "yolo").items()]
    assert ids == ["Bcat", "acat", "sub/Ccat", "sub/bcat", "Bdog", "adog", "sub/Cdog", "sub/bdog"]


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_voc_folder_of_two_lists_linked_out_names_one_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ImageSets lists were looked at (for a link out of the dataset, or a FIFO) in the order ``sorted`` gives
    Paths, ignoring case on Windows: of two linked out, the error named ``Main/B.txt`` here and ``Main/a.txt``
    there."""
    root = tmp_path / "voc"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    (root / "Annotations" / "x.xml").write_text(
        "<annotation><filename>x.jpg</filename><size><width>64</width><height>48</height></size></annotation>"
    )
    (tmp_path / "outside.txt").write_text("x\n")
    for name in ("B", "a"):
        (root / "ImageSets" / "Main" / f"{name}.txt").symlink_to(tmp_path / "outside.txt")
    if order == "windows":
        _windows_path_order(monkeypatch)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "voc")
    assert err.value.location.path == str(root / "ImageSets" / "Main" / "B.txt")
    assert err.value.message == "cannot read: a symbolic link leading out of the dataset"


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_the_first_bad_byte_of_a_folder_is_searched_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decoder's refusal inside a folder is said at the first bad byte of its text files, searched in the order
    ``sorted`` gave Paths, ignoring case on Windows: of ``B.txt`` and ``a.txt``, both bad, the error named
    ``B.txt`` here and ``a.txt`` there (the file holding the refused bytes first, when it is one)."""
    from labelkit.io import input_guard, utf8_error

    (tmp_path / "ds" / "sub").mkdir(parents=True)
    for name in ("B.txt", "a.txt", "sub/c.txt"):
        (tmp_path / "ds" / name).write_bytes(b"ok\n\xff\n")
    if order == "windows":
        _windows_path_order(monkeypatch)
    error = utf8_error(tmp_path / "ds")
    with pytest.raises(InputError) as err, input_guard(tmp_path / "ds"):
        b"ok\n\xff\n".decode("utf-8")
    for e in (error, err.value):
        assert (e.location.path, e.location.line) == (str(tmp_path / "ds" / "B.txt"), 2)


@pytest.mark.parametrize("order", ["posix", "windows"])
def test_a_written_yolo_folders_label_files_come_in_one_order_whatever_the_machine_s_path_order(
    order: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``iter_label_files`` gave them in the order ``sorted`` gives Paths, ignoring case on Windows: ``B.txt``
    before ``a.txt`` here, after it there."""
    from labelkit.formats.yolo_write import iter_label_files

    for name in ("labels/train/B.txt", "labels/train/a.txt", "labels/Val/c.txt", "labels/train-x/d.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("0 0.5 0.5 0.1 0.1\n")
    if order == "windows":
        _windows_path_order(monkeypatch)
    assert [p.relative_to(tmp_path).as_posix() for p in iter_label_files(tmp_path)] == [
        "labels/Val/c.txt",
        "labels/train/B.txt",
        "labels/train/a.txt",
        "labels/train-x/d.txt",
    ]


@pytest.mark.parametrize("media", ["copy", "link"])
@pytest.mark.parametrize("to", ["voc", "yolo"])
def test_a_read_split_that_is_no_plain_name_cannot_make_media_root_another_folder(
    tmp_path: Path, media: str, to: str
) -> None:
    """``labelkit split`` takes {split} in media_root from the split an item was read from, which an untrusted
    file names (a COCO file instances_...json, a data.yaml key): '../../secret' copied (or linked) a file of the
    machine outside media_root into the output, dry run or not."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 8 + b"not an image")
    (tmp_path / "photos/train").mkdir(parents=True)
    doc = {
        "format": "labelkit",
        "version": 1,
        "categories": [],
        "annotations": [],
        "items": [{"id": "x", "split": "../secret", "media": {"kind": "image", "path": "a.png"}}],
    }
    (tmp_path / "in.labelkit.json").write_text(json.dumps(doc))
    root = f"media_root={tmp_path}/photos/{{split}}"
    for dry in ([], ["--dry-run"]):
        args = ["split", str(tmp_path / "in.labelkit.json"), str(tmp_path / "out"), "--to", to, "--ratios", "train=1"]
        result = CliRunner().invoke(cli, [*args, "-o", f"media={media}", "-o", root, "--allow-loss", *dry])
        assert result.exit_code == 2, result.output
        assert result.output.splitlines() == [
            f"labelkit: error: split '../secret' cannot name a folder of media_root ({tmp_path}/photos/{{split}}); "
            "hint: splits are plain names such as train, val or test; rename it, or give media_root without {split}"
        ]
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("fmt", "source", "linked"),
    [
        ("coco", "coco", "annotations/instances_val.json"),
        ("yolo", "yolo/golden/detect", "data.yaml"),
        ("yolo", "yolo/golden/detect", "image_sizes.json"),
        ("yolo", "yolo/golden/detect-darknet-6dp", "obj.data"),
        ("yolo", "yolo/golden/detect-darknet-6dp", "image_sizes.json"),
    ],
)
def test_config_and_annotation_files_linked_outside_the_dataset_are_refused(
    tmp_path: Path, fmt: str, source: str, linked: str
) -> None:
    """A COCO folder's JSON files, a YOLO data.yaml, obj.data or image_sizes.json that a symbolic link took out
    of the dataset were read: its class names written into the output, its text quoted in an error. Refused as
    label, list and names files are, unless links=follow; a file the user names (-o image_sizes) is read."""
    root = tmp_path / "ds"
    shutil.copytree(FIXTURES / source, root, ignore=shutil.ignore_patterns("results_val.json"))
    secret = tmp_path / "secret"
    shutil.copy(root / linked, secret)
    (root / linked).unlink()
    (root / linked).symlink_to(secret)
    with pytest.raises(InputError) as err:
        labelkit.load(root, fmt)
    assert err.value.location.path == str(root / linked)
    assert err.value.one_line().startswith(f"{root / linked}: cannot read: a symbolic link leading out of")
    assert "links=follow" in err.value.one_line()
    assert [(f.path, f.message) for f in labelkit.validate(root, fmt)] == [
        (str(root / linked), "cannot read: a symbolic link leading out of the dataset")
    ]
    expected = labelkit.load(FIXTURES / source, fmt).stats() if fmt == "yolo" else None
    followed = labelkit.load(root, fmt, links="follow").stats()
    assert expected is None or followed == expected
    if linked == "image_sizes.json":  # (named by the user: theirs to name)
        assert labelkit.load(root, fmt, image_sizes=str(root / linked)).stats() == followed
    (root / linked).unlink()
    shutil.copy(secret, root / "kept.json")
    (root / linked).symlink_to(root / "kept.json")  # a link leading inside the dataset is read as usual
    assert labelkit.load(root, fmt).stats() == followed


def test_a_coco_folder_s_file_linked_out_is_not_opened_to_detect_the_format(tmp_path: Path) -> None:
    """Detecting the format opened a COCO folder's file that a link took out of the folder, and its content
    decided: a linked-out file holding no COCO made the folder "no format", the link never named."""
    root = tmp_path / "ds"
    (root / "annotations").mkdir(parents=True)
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 3}], "annotations": [], "categories": []}
    (root / "annotations/instances_val.json").write_text(json.dumps(doc))
    (tmp_path / "passwd").write_text("root:x:0:0:TOPSECRET\n")
    (root / "annotations/instances_train.json").symlink_to(tmp_path / "passwd")
    for call in (lambda: labelkit.load(root), lambda: labelkit.validate(root)):
        try:
            found = call()
        except InputError as exc:
            found = exc.one_line()
        text = str(found if isinstance(found, str) else [f.message for f in found])
        assert "symbolic link leading out of the dataset" in text and "TOPSECRET" not in text
    (root / "annotations/instances_val.json").unlink()  # (every file linked out: COCO, the reader names the link)
    assert labelkit.detect(root).format == "coco"
    with pytest.raises(InputError, match="instances_train.json: cannot read: a symbolic link leading out"):
        labelkit.load(root)


def test_a_yolo_label_file_that_is_not_utf8_names_the_line_and_column(tmp_path: Path) -> None:
    """It named the line alone, where list files and data.yaml name the column of the first bad byte too."""
    root = tmp_path / "ds"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nnames: [a]\n")
    (root / "labels/train/a.txt").write_bytes(b"0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n0 0.5 \xff.5 0.2 0.2\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", image_size="10x10")
    assert str(err.value) == f"{root}/labels/train/a.txt:3: label file is not UTF-8 text: bad byte 0xff at column 7"


@pytest.mark.parametrize("to", ["yolo", "voc"])
def test_items_whose_file_names_would_hold_nul_are_reported_lost(tmp_path: Path, to: str) -> None:
    """An image path holding NUL, or an id holding one of an item without a path, names no file: the write
    stopped with an error even with allow_loss (VOC's saying the id was no relative path), where the README
    promises them reported lost and refused without it, as names Windows cannot hold are."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    for item_id, path in (("a\0b", None), ("p", "p\0q.jpg"), ("ok", "ok.jpg")):
        ds.add_item(Item(id=item_id, media=Media(path=path, width=10, height=10)))
    # (VOC names an item's files after its id: 'p' is written, its <filename> made p.jpg)
    target, after = ("YOLO", "image path (or its id)") if to == "yolo" else ("Pascal VOC", "id (or its image path)")
    loss = (
        "items whose file names hold NUL",
        2 if to == "yolo" else 1,
        f"no file name holds a NUL character, and {target} names an item's files after its {after}: they are not "
        "written (item 'a\\x00b', 'a\\x00b')",
    )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, to).lost if "NUL" in c.what] == [loss]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", to)
    report = labelkit.save(ds, tmp_path / "o", to, allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost if "NUL" in c.what] == [loss]
    options = {"image_size": "10x10"} if to == "yolo" else {}
    back = [i.id for i in labelkit.load(tmp_path / "o", to, **options).items()]
    assert sorted(back) == (["ok"] if to == "yolo" else ["ok", "p"])
