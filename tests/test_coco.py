"""COCO: round trips (golden files), required fields, semantic checks, pycocotools interop, corpus conformance."""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.cli import cli
from labelkit.errors import DataLossError, InputError, OutputError
from labelkit.formats import coco, coco_text
from labelkit.formats.coco_geometry import POLYGON_TEXT, POLYGONS
from labelkit.formats.coco_shapes import clipped_ring, drawn_polygons
from labelkit.formats.coco_text import polygon_json
from labelkit.model import Category, Dataset, DatasetInfo, Item, Media, Object, Transcript, raster, tables

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "coco"
GOLDEN = FIXTURE / "golden"
INSTANCES = FIXTURE / "annotations" / "instances_val.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


_UNSPLIT = (
    "items without a split are written to the default split's files (instances_default.json, ...), and read back "
    "in the split 'default'"
)
_ITEM_IDS = (
    "COCO names images by integer ids, numbered per split: an item reads back as its image's id (with its split in "
    "front where two splits share one), so one with no number of its own (img1), or another split part (val/3), "
    "reads back otherwise"
)


def _write(tmp_path: Path, doc: Any, name: str = "instances_val.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


# -- round trips and golden files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "src", "options"),
    [
        ("roundtrip", FIXTURE, {}),
        ("keypoints", ROOT / "fixtures" / "coco_keypoints", {}),
        ("results", FIXTURE / "results_val.json", {}),
        ("reindex", FIXTURE, {"reindex": "true"}),
        ("from_native", ROOT / "fixtures" / "native" / "images.labelkit.json", {}),
    ],
)
def test_golden(case: str, src: Path, options: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    labelkit.convert(src, out, to="coco", allow_loss=True, **options)
    written = sorted(p.name for p in (out / "annotations").iterdir())
    assert written == sorted(p.name for p in (GOLDEN / case).iterdir())
    for name in written:
        assert (out / "annotations" / name).read_bytes() == (GOLDEN / case / name).read_bytes(), name


def test_round_trip_gives_back_the_same_json(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = labelkit.convert(FIXTURE, out, to="coco")
    assert report.lost == [] and report.transformed == []
    for name in ("instances_val.json", "captions_val.json", "labels_val.json"):
        assert _load(out / "annotations" / name) == _load(FIXTURE / "annotations" / name), name


def _spelled(tmp_path: Path, ring_text: str, box_text: str | None = None) -> Path:
    """A one-object instances file whose polygon is written as ``ring_text`` (a JSON array of rings)."""
    doc = _load(INSTANCES)
    (ann,) = [a for a in doc["annotations"] if a["id"] == 101]
    ann["segmentation"] = "@RING@"
    if box_text is not None:
        ann["bbox"] = "@BOX@"
    doc["annotations"] = [ann]
    text = json.dumps(doc, indent=1).replace('"@RING@"', ring_text).replace('"@BOX@"', box_text or "")
    src = tmp_path / "in" / "instances_val.json"
    src.parent.mkdir()
    src.write_text(text)
    return src


def test_coco_to_coco_writes_polygons_as_the_file_spelled_them(tmp_path: Path) -> None:
    """COCO -> COCO passes each polygon's and box's text through (the same JSON value; whitespace taken out),
    rather than formatting it again."""
    ring = "[[2.0, 1e0, 5.50,\n 1, 5.5, 35e-1, 2, 3.5]]"
    src = _spelled(tmp_path, ring, "[2.0,1E0,3.50,0.25e1]")
    labelkit.convert(src, tmp_path / "out", to="coco")
    written = (tmp_path / "out" / "annotations" / "instances_val.json").read_text()
    assert '"segmentation":[[2.0,1e0,5.50,1,5.5,35e-1,2,3.5]],"bbox":[2.0,1E0,3.50,0.25e1]' in written
    assert _load(tmp_path / "out" / "annotations" / "instances_val.json") == _load(src)
    # a dataset loaded by the API keeps no text: its polygons are formatted
    labelkit.save(labelkit.load(src), tmp_path / "saved", "coco")
    saved = (tmp_path / "saved" / "annotations" / "instances_val.json").read_text()
    assert '"segmentation":[[2,1,5.5,1,5.5,3.5,2,3.5]],"bbox":[2,1,3.5,2.5]' in saved


def test_negative_zero_is_written_as_negative_zero(tmp_path: Path) -> None:
    """-0.0 in a box, polygon or keypoint set comes back as -0.0 through labelkit JSON and Parquet (and in
    COCO -> COCO's keypoints, which are formatted): it was written 0."""
    src = _spelled(tmp_path, "[[-0.0, 1, 5.5, 1, 5.5, 3.5, 2, 3.5]]", "[-0.0, 1, 5.5, 2.5]")
    doc = _load(src)
    doc["annotations"][0]["keypoints"] = [2, -0.0, 2, 0, 0, 0, 3, 2, 1]
    src.write_text(json.dumps(doc))
    labelkit.convert(src, tmp_path / "kit.json", to="labelkit")
    labelkit.convert(tmp_path / "kit.json", tmp_path / "out", to="coco")
    labelkit.convert(src, tmp_path / "direct", to="coco")
    for out in ("out", "direct"):
        text = (tmp_path / out / "annotations" / "instances_val.json").read_text()
        (ann,) = json.loads(text)["annotations"]
        assert str(ann["keypoints"][1]) == "-0.0", out
        if out == "out":
            assert str(ann["bbox"][0]) == "-0.0" and str(ann["segmentation"][0][0]) == "-0.0"
    values = pa.array([-0.0, 0.0, -0.5, 0.5, -1e-7, 2.25, -3.0])
    assert coco_text.numbers_text(values).to_pylist() == ["-0.0", "0", "-0.5", "0.5", "-1e-7", "2.25", "-3"]


def test_a_score_of_negative_zero_is_written_as_negative_zero(tmp_path: Path) -> None:
    """Arrow's cast wrote a detection's score of -0.0 as ``-0``, which JSON readers (pycocotools' json) take for the
    integer 0, where its box kept -0.0."""
    src = tmp_path / "results_val.json"
    src.write_text(
        '[{"image_id":1,"category_id":1,"bbox":[-0.0,1,2,2],"score":-0.0},{"image_id":1,"category_id":1,'
        '"bbox":[0,1,2,2],"score":0.5}]'
    )
    labelkit.convert(src, tmp_path / "out", to="coco")
    text = (tmp_path / "out" / "annotations" / "results_val.json").read_text()
    assert ['"score":-0.0', '"score":0.5'] == re.findall(r'"score":[^,}]*', text)
    assert coco_text.numbers_or_null(pa.array([-0.0, None, 0.0, 1.0])).to_pylist() == ["-0.0", None, "0", "1"]


@pytest.mark.parametrize("empty", ["[" + " " * 20 + "]", "[\n" + " " * 3 + "]", "[ ]"])
def test_an_empty_segmentation_spelled_with_whitespace_is_kept(tmp_path: Path, empty: str) -> None:
    """``[`` + whitespace + ``]`` is ``[]``: a box-only object carrying its empty segmentation, as ``[]`` is
    (it used to read as a polygon of no rings when longer than 16 bytes, and be written without one)."""
    src = _spelled(tmp_path, empty)
    (obj,) = coco.read(src).objects()
    assert obj.shape == "box" and obj.polygon is None and obj.extras["coco:segmentation"] == []
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    (ann,) = _load(tmp_path / "out" / "annotations" / "instances_val.json")["annotations"]
    assert ann["segmentation"] == []


@pytest.mark.parametrize("big", ["1e400", "1.7976931348623159e308"])
@pytest.mark.parametrize(
    ("field", "pointer"),
    [("bbox", "/annotations/0/bbox/3"), ("segmentation", "/annotations/0/segmentation/1/3"), ("keypoints", "")],
)
def test_numbers_past_float64_are_refused_on_reading(tmp_path: Path, big: str, field: str, pointer: str) -> None:
    """Numbers Arrow would read as infinite (1.7976931348623159e308 rounds past the largest float64) are refused
    where they are, as 1e400 is, not on writing ("COCO JSON cannot hold infinite coordinates"); in a bbox, at
    the number, as in a polygon or keypoints (it was the whole bbox's pointer)."""
    doc = _load(INSTANCES)
    ann = next(a for a in doc["annotations"] if a["id"] == 105)  # (the keypoints object, at 0 in the file below)
    ann.update(bbox=[4.25, 4, 3.75, "@B@"], segmentation=[[4.25, 4, 8, 4, 8, 9], [5, 5, 6, "@S@", 6, 6]])
    ann["keypoints"][4] = "@K@"
    doc["annotations"] = [ann]
    text = json.dumps(doc)
    for mark, name in (("@B@", "bbox"), ("@S@", "segmentation"), ("@K@", "keypoints")):
        text = text.replace(f'"{mark}"', big if name == field else "5")
    src = tmp_path / "instances_val.json"
    src.write_text(text)
    with pytest.raises(InputError) as err:
        coco.read(src)
    assert err.value.location.pointer == (pointer or "/annotations/0/keypoints/4"), err.value
    assert "Number out of range" in str(err.value)
    (finding,) = labelkit.validate(src)  # was: "invalid JSON" at line 1 (orjson refuses it; it is valid JSON)
    assert finding.where == "#" + (pointer or "/annotations/0/keypoints/4")


@pytest.mark.parametrize(("bbox", "at"), [([1, None, 3, 4], 1), ([None, None, None, None], 0), ([1, 2, 3, None], 3)])
def test_a_null_in_a_bbox_is_named_null(tmp_path: Path, bbox: list[Any], at: int) -> None:
    """A null among a bbox's numbers was reported as "found Number out of range" (Arrow read it as NaN)."""
    doc = _load(INSTANCES)
    doc["annotations"][1]["bbox"] = bbox
    src = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        coco.read(src)
    assert err.value.location.pointer == f"/annotations/1/bbox/{at}"
    assert err.value.message == "bbox must be 4 numbers [x, y, width, height]"
    assert err.value.found == "null"


@pytest.mark.parametrize(
    ("bbox", "at", "found"),
    [
        ([1, 2, 3, "4"], "/3", '"4"'),
        (["1", 2, 3, 4], "/0", '"1"'),
        ([1, [2], 3, 4], "/1", "an array"),
        ([1, 2, 3], "", None),
    ],
)
def test_a_bbox_value_that_is_no_number_is_named_at_its_index(
    tmp_path: Path, bbox: list[Any], at: str, found: str | None
) -> None:
    """Convert pointed at the bbox with msgspec's "Expected `float`, got `str`" where validate named the index."""
    doc = _load(INSTANCES)
    doc["annotations"][1]["bbox"] = bbox
    src = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert err.value.location.pointer == f"/annotations/1/bbox{at}"
    assert err.value.message == "bbox must be 4 numbers [x, y, width, height]"
    if found is not None:
        assert err.value.found == found
        (finding,) = labelkit.validate(src)
        assert finding.where == f"#/annotations/1/bbox{at}"


@pytest.mark.parametrize("score", ['"0.3"', "true", "[0.3]"])
def test_a_score_that_is_no_number_says_so(tmp_path: Path, score: str) -> None:
    """It said "Expected `float | null`, got `str`" although a null score is refused too."""
    src = tmp_path / "results_val.json"
    src.write_text('[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": ' + score + "}]")
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (err.value.location.pointer, err.value.message, err.value.found) == (
        "/0/score",
        "score must be a number",
        score,
    )
    (finding,) = labelkit.validate(src)
    assert finding.where == "#/0/score"


def test_a_box_coco_derives_is_written_not_the_text_read(tmp_path: Path) -> None:
    """An annotation without area or iscrowd gets COCO's required fields, its box derived from its polygon."""
    doc = _load(INSTANCES)
    (ann,) = [a for a in doc["annotations"] if a["id"] == 101]
    doc["annotations"] = [{k: ann[k] for k in ("id", "image_id", "category_id", "segmentation")}]
    src = tmp_path / "in" / "instances_val.json"
    src.parent.mkdir()
    src.write_text(json.dumps(doc))
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    (written,) = _load(tmp_path / "out" / "annotations" / "instances_val.json")["annotations"]
    assert written["bbox"] == [2, 1, 3.5, 2.5] and written["area"] == 8.75 and written["iscrowd"] == 0
    assert [str(x).split(":")[0] for x in report.transformed] == ["1 objects without a box"]


def test_carried_fields_are_told_by_their_keys() -> None:
    from labelkit.formats.coco_text import carried_fields

    extras = [
        '{"coco:area":1,"coco:iscrowd":0}',
        '{"coco:@task":"stuff","coco:iscrowd":0}',
        '{"coco:area":1,"coco:bbox":null,"coco:segmentation":[]}',
        '{"x":"\\"coco:area\\":1"}',  # (the key's text inside a value, escaped: not a key)
        None,
    ]
    fields = carried_fields(pa.array(extras, pa.string()))
    assert fields.area.tolist() == [True, False, True, False, False]
    assert fields.iscrowd.tolist() == [True, True, False, False, False]
    assert fields.as_read.tolist() == [True, False, False, False, False]  # (a dataset built elsewhere)
    assert fields.bbox.tolist() == fields.segmentation.tolist() == [False, False, True, False, False]
    # in a dataset read from COCO, any carried field tells an annotation read as it was; a marked one is not
    marked = [*extras, '{"coco:area":1,"coco:iscrowd":0,"coco:@derive":"geometry"}']
    fields = carried_fields(pa.array(marked, pa.string()), read_from_coco=True)
    assert fields.as_read.tolist() == [True, True, True, False, False, False]


_PARTIAL = {
    "lvis_val.json": {  # LVIS: area, no iscrowd
        "categories": [{"id": 1, "name": "a"}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "segmentation": [[10, 10, 30, 10, 30, 40, 10, 40]],
                "area": 600.0,
                "bbox": [10, 10, 20, 30],
            },
        ],
    },
    "person_keypoints_val.json": {  # CrowdPose: keypoints, num_keypoints and iscrowd; no segmentation or area
        "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [10, 10, 20, 30],
                "keypoints": [15, 15, 2, 20, 25, 1],
                "num_keypoints": 2,
                "iscrowd": 0,
            },
        ],
    },
    "instances_val.json": {  # a box with its area; a polygon with iscrowd
        "categories": [{"id": 1, "name": "a"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "area": 600.0, "bbox": [10, 10, 20, 30]},
            {"id": 2, "image_id": 1, "category_id": 1, "segmentation": [[10, 10, 30, 10, 30, 40]], "iscrowd": 0},
        ],
    },
}


@pytest.mark.parametrize("name", sorted(_PARTIAL))
def test_annotations_with_some_of_cocos_fields_round_trip_as_read(tmp_path: Path, name: str) -> None:
    """Since objects needed both ``area`` and ``iscrowd`` to pass as read from COCO, LVIS annotations gained
    ``"iscrowd": 0``, CrowdPose's a rectangle segmentation and an area, a box with its area a segmentation and
    iscrowd, a polygon with iscrowd an area and bbox: COCO -> COCO rewrote them, nothing reported."""
    images = [{"id": 1, "file_name": "1.jpg", "width": 100, "height": 80}]
    src = _write(tmp_path, {"images": images, **_PARTIAL[name]}, name)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == []
    # (LVIS's file name says no split: its items are written to, and read back in, the split default)
    unsplit = [("item splits", 1)] if name.startswith("lvis") else []
    assert [(c.what, c.count) for c in report.transformed] == unsplit
    (written,) = (tmp_path / "out/annotations").iterdir()
    assert _load(written)["annotations"] == _PARTIAL[name]["annotations"]
    # through labelkit JSON too (the dataset info still tells it was read from COCO)
    labelkit.convert(src, tmp_path / "ds.labelkit.json", to="labelkit")
    labelkit.convert(tmp_path / "ds.labelkit.json", tmp_path / "again", to="coco")
    assert _load(tmp_path / "again/annotations" / written.name)["annotations"] == _PARTIAL[name]["annotations"]


def test_objects_whose_geometry_the_plan_changes_get_what_they_lack(tmp_path: Path) -> None:
    """A negative box beside ``coco:area`` and ``coco:iscrowd`` was written with no bbox at all (COCOeval's
    bbox mode raised KeyError 'bbox'); a rotated box carrying ``"coco:segmentation": null`` was reported
    written as its corners but written with ``"segmentation": null``, which pycocotools' COCO() refuses."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=100, height=80)))
    ring = [[10.0, 10.0, 30.0, 10.0, 30.0, 30.0]]
    extras = {"coco:area": 5, "coco:iscrowd": 0}
    ds.add(
        Object(
            id="1",
            item_id="1",
            category_id=1,
            shape="polygon",
            bbox=(10.0, 10.0, -5.0, 20.0),
            polygon=ring,
            extras=extras,
        )
    )
    turned = (40.0, 30.0, 20.0, 10.0)
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=turned, angle=90.0, extras={"coco:segmentation": None}))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("boxes of negative width or height", 1)]
    assert [(c.what, c.count) for c in report.transformed] == [("rotated boxes", 1), ("objects without a box", 1)]
    path = tmp_path / "out/annotations/instances_val.json"
    assert _load(path)["annotations"] == [
        {
            "id": 1,
            "image_id": 1,
            "category_id": 1,
            "segmentation": [[10, 10, 30, 10, 30, 30]],
            "bbox": [10, 10, 20, 20],
            "area": 5,
            "iscrowd": 0,
        },
        {
            "id": 2,
            "image_id": 1,
            "category_id": 1,
            "segmentation": [[55, 25, 55, 45, 45, 45, 45, 25]],
            "bbox": [45, 25, 10, 20],
            "area": 200.0,
            "iscrowd": 0,
        },
    ]
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    api = COCO(str(path))
    ev = COCOeval(api, api.loadRes([{**a, "score": 1.0} for a in api.dataset["annotations"]]), "bbox")
    ev.evaluate()


def _coco_extras_dataset() -> labelkit.Dataset:
    """Objects from another format that carry some of COCO's fields as ``coco:`` extras, but not all."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80)))
    ring = [[10.0, 10.0, 20.0, 10.0, 20.0, 20.0]]
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=ring, extras={"coco:iscrowd": 0}))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(90.0, 70.0, 30.0, 30.0), extras={"coco:iscrowd": 0}))
    ds.add(Object(id="3", item_id="1", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0), extras={"coco:area": 5.0}))
    return ds


def test_objects_with_some_coco_extras_get_the_fields_they_lack(tmp_path: Path) -> None:
    """A ``coco:`` extra made an object pass as read from COCO: it was written without the box, segmentation,
    area or iscrowd it lacked, its box unclipped, nothing reported; labelkit's reader refused the file."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    report = labelkit.save(_coco_extras_dataset(), tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("item splits", 1),
        ("objects without a box", 1),
        ("boxes reaching outside their image", 1),
        ("boxes", 2),
    ]
    assert report.lost == []
    path = tmp_path / "out/annotations/instances_default.json"
    assert [
        {k: v for k, v in a.items() if k not in ("id", "image_id", "category_id")} for a in _load(path)["annotations"]
    ] == [
        {"segmentation": [[10, 10, 20, 10, 20, 20]], "bbox": [10, 10, 10, 10], "iscrowd": 0, "area": 50.0},
        {"segmentation": [[90, 70, 100, 70, 100, 80, 90, 80]], "bbox": [90, 70, 10, 10], "iscrowd": 0, "area": 100.0},
        {"segmentation": [[1, 2, 4, 2, 4, 6, 1, 6]], "bbox": [1, 2, 3, 4], "area": 5.0, "iscrowd": 0},
    ]
    assert labelkit.load(tmp_path / "out").report_counts()["object annotations"] == 3  # was: refused (bbox outside)
    api = COCO(str(path))
    assert [int(api.annToMask(a).sum()) > 0 for a in api.dataset["annotations"]] == [True, True, True]
    for iou in ("bbox", "segm"):  # (was: KeyError 'iscrowd' / 'area')
        ev = COCOeval(api, api.loadRes([{**a, "score": 1.0} for a in api.dataset["annotations"]]), iou)
        ev.evaluate()


def test_a_coco_box_moved_outside_its_image_is_clipped(tmp_path: Path) -> None:
    """An object read from COCO kept its box unclipped after an edit: the file written was refused on reading."""
    ds = labelkit.load(INSTANCES)
    objects = ds.table("objects")
    boxes = objects["bbox"].to_pylist()
    at = objects["id"].to_pylist().index("105")
    boxes[at] = [4.25, 4.0, 8.0, 5.0]  # (its image is 10 wide)
    field = objects.schema.get_field_index("bbox")
    ds.set_table("objects", objects.set_column(field, "bbox", pa.array(boxes, objects.schema.field(field).type)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [("boxes reaching outside their image", 1)]
    (ann,) = [a for a in _load(tmp_path / "out/annotations/instances_val.json")["annotations"] if a["id"] == 105]
    assert ann["bbox"] == [4.25, 4, 5.75, 5] and ann["area"] == 18.75  # (its other fields as read)
    assert labelkit.load(tmp_path / "out").report_counts()["object annotations"] == 6


def test_polygon_text_is_written_only_for_the_table_it_was_read_with(tmp_path: Path) -> None:
    """Changed polygons are formatted: the text read holds for the very table it came with, and no other."""
    src = _spelled(tmp_path, "[[2.0, 1.0, 5.5, 1.0, 5.5, 3.5]]")
    ds = coco.read(src, source_text=True)
    objects = ds.table("objects")
    assert tables.source_text(objects, "polygon", "coco").to_pylist() == ["[[2.0, 1.0, 5.5, 1.0, 5.5, 3.5]]"]
    (box,) = tables.source_text(objects, "bbox", "coco").to_pylist()  # (indented: line breaks became spaces)
    assert box.split() == ["[", "2.0,", "1.0,", "3.5,", "2.5", "]"]
    assert tables.source_text(objects, "keypoints", "coco") is None
    assert tables.source_text(objects, "polygon", "x") is None
    moved = pa.array([[[0.0, 0.0, 4.0, 0.0, 4.0, 4.0]]], objects.schema.field("polygon").type)
    ds.set_table("objects", objects.set_column(objects.schema.get_field_index("polygon"), "polygon", moved))
    labelkit.save(ds, tmp_path / "out", "coco")
    (ann,) = _load(tmp_path / "out" / "annotations" / "instances_val.json")["annotations"]
    assert ann["segmentation"] == [[0, 0, 4, 0, 4, 4]]
    with pytest.raises(ValueError, match="2 texts for 1 rows"):
        tables.keep_source_text(objects, "polygon", "coco", pa.chunked_array([["a", "b"]]))


def test_rings_coco_cannot_draw_are_not_written_from_the_text(tmp_path: Path) -> None:
    """A ring of fewer than 3 points is left out of what is written, so the text read no longer says it."""
    polygon = pa.array([[[0.0, 0.0, 4.0, 0.0, 4.0, 4.0], [1.0, 1.0]], [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0]]], POLYGONS)
    table = pa.table(
        {
            "polygon": polygon,
            "polygon_holes": pa.nulls(2, pa.list_(pa.bool_())),
            "bbox": pa.nulls(2, pa.list_(pa.float64(), 4)),
            "mask": pa.nulls(2, tables.MASK_TYPE),
            "keypoints": pa.nulls(2, pa.list_(pa.float64())),
            "extras": pa.nulls(2, pa.string()),
            POLYGON_TEXT: pa.array(["[[0,0,4,0,4,4],[1,1]]", "[[0,0,2,0,2,2]]"], pa.large_string()),
        }
    )
    drawn = drawn_polygons(table)
    assert drawn["polygon"].to_pylist()[0] == [[0.0, 0.0, 4.0, 0.0, 4.0, 4.0]]
    assert drawn[POLYGON_TEXT].to_pylist() == [None, "[[0,0,2,0,2,2]]"]
    assert polygon_json(drawn.to_batches()[0]).to_pylist() == ["[[0,0,4,0,4,4]]", "[[0,0,2,0,2,2]]"]


def test_results_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out"
    labelkit.convert(FIXTURE / "results_val.json", out, to="coco")
    assert _load(out / "annotations" / "results_val.json") == _load(FIXTURE / "results_val.json")
    ds = labelkit.load(FIXTURE / "results_val.json")
    assert [o.score for o in ds.objects()] == [0.98, 0.5]


def test_detection_results_with_ids_are_written_back_with_them(tmp_path: Path) -> None:
    """A results file whose detections have ids keeps them; one without stays without (numbered 1..N on reading)."""
    with_ids = [
        {"id": 7, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5},
        {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3], "score": 0.7},
    ]
    src = tmp_path / "results_val.json"
    src.write_text(json.dumps(with_ids))
    labelkit.convert(src, tmp_path / "o", to="coco")
    assert _load(tmp_path / "o/annotations/results_val.json") == with_ids  # was: written without the ids
    labelkit.convert(src, tmp_path / "n.labelkit.json", to="labelkit")  # kept through labelkit JSON too
    labelkit.convert(tmp_path / "n.labelkit.json", tmp_path / "o2", to="coco")
    assert _load(tmp_path / "o2/annotations/results_val.json") == with_ids
    without = [{k: v for k, v in d.items() if k != "id"} for d in with_ids]
    src.write_text(json.dumps(without))
    labelkit.convert(src, tmp_path / "o3", to="coco")
    assert _load(tmp_path / "o3/annotations/results_val.json") == without
    src.write_text(json.dumps([without[0], with_ids[1]]))  # some with: each gets one (the other its number)
    labelkit.convert(src, tmp_path / "o4", to="coco")
    assert [d["id"] for d in _load(tmp_path / "o4/annotations/results_val.json")] == [1, 3]


def test_a_null_supercategory_is_carried_as_read_with_a_note(tmp_path: Path) -> None:
    """The schema wants text and validate says so; pycocotools takes null: kept, as odd annotation fields are."""
    doc = _load(INSTANCES)
    doc["categories"][0]["supercategory"] = None
    path = _write(tmp_path, doc)
    report = labelkit.convert(path, tmp_path / "o", to="coco")
    assert _load(tmp_path / "o/annotations/instances_val.json") == doc  # was: the null dropped without a word
    assert report.lost == []
    assert (
        "instances_val.json: 1 supercategory value COCO does not allow (first: #/categories/0/supercategory is "
        "null), carried as read; labelkit validate lists them"
    ) in report.notes
    assert [f.where for f in coco.validate(path)] == ["#/categories/0/supercategory"]


def test_results_with_rle_masks_are_read_and_their_counts_checked(tmp_path: Path) -> None:
    """Detectors' results files carry masks but no image sizes: the size check is skipped, the counts check not."""
    mask = {"size": [6, 8], "counts": "=3300000;"}
    result = {"image_id": 7, "category_id": 9, "score": 0.9, "bbox": [2, 1, 4, 3], "segmentation": mask}
    good = tmp_path / "results_val.json"
    good.write_text(json.dumps([result]))
    assert labelkit.validate(good) == []
    (obj,) = labelkit.load(good).objects()
    assert obj.mask is not None and obj.mask.counts == "=3300000;" and obj.score == 0.9
    bad = tmp_path / "bad" / "results_val.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps([{**result, "segmentation": {"size": [6, 8], "counts": "=3300000"}}]))
    (finding,) = labelkit.validate(bad)
    assert finding.where == "#/0/segmentation/counts"
    assert finding.message == "RLE counts add up to 34, not 48 (height x width)"


def test_model_mapping() -> None:
    ds = labelkit.load(FIXTURE)
    objects = {o.id: o for o in ds.objects()}
    assert set(objects) == {"101", "102", "103", "104", "105", "106"}
    assert objects["102"].shape == "polygon" and len(objects["102"].polygon or []) == 2
    assert objects["102"].attributes == {"occluded": False, "color": "red"}
    assert objects["103"].shape == "mask" and isinstance(objects["103"].mask.counts, str)  # type: ignore[union-attr]
    crowd = objects["104"]
    assert crowd.shape == "mask" and crowd.mask.counts == [20, 5, 5, 5, 65]  # type: ignore[union-attr]
    assert crowd.extras["coco:iscrowd"] == 1
    assert objects["105"].keypoints == [5, 5, 2, 6, 4.5, 1, 0, 0, 0]
    assert objects["105"].extras["coco:source"] == {"tool": "hand", "rev": 3}
    assert objects["106"].shape == "box" and objects["106"].extras["coco:segmentation"] == []
    assert [c.id for c in ds.categories] == [0, 3, 9]
    assert ds.category(3).keypoints == ["nose", "left_eye", "right_eye"]
    items = {i.id: i for i in ds.items()}
    assert items["7"].media.path == "img/seven.jpg" and items["7"].metadata["coco_url"] == "http://example.org/7.jpg"
    assert items["7"].split == "val"
    assert [t.text for t in ds.transcripts()] == ["A red car beside a thing.", "Someone \u00e9l\u00e9gant walks."]
    assert [(label.item_id, label.category_id, label.score) for label in ds.labels()] == [
        ("7", 9, None),
        ("12", 3, 0.75),
    ]


_IMAGE_EXTRAS = st.fixed_dictionaries(
    {},
    optional={
        "license": st.none() | st.integers(-(2**63), 2**63 - 1),
        "coco_url": st.none() | st.text(max_size=8),
        "date_captured": st.none() | st.text(max_size=8),
        "flickr_url": st.none() | st.text(max_size=8),
    },
)


@settings(max_examples=60, deadline=None)
@given(extras=st.lists(_IMAGE_EXTRAS, min_size=1, max_size=4), ascii_only=st.booleans(), shuffled=st.randoms())
def test_image_metadata_is_every_other_field(
    tmp_path_factory: pytest.TempPathFactory, extras: list[dict[str, Any]], ascii_only: bool, shuffled: Any
) -> None:
    """An image's metadata is every field but id, file name and size, with its value, whatever the key order,
    whether strings are escaped and whatever other images hold."""
    images = []
    for i, rest in enumerate(extras):
        fields = list({"id": i + 1, "file_name": f"{i}.jpg", "width": 4, "height": 3, **rest}.items())
        shuffled.shuffle(fields)
        images.append(dict(fields))
    doc = {"images": images, "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    src = tmp_path_factory.mktemp("meta") / "instances_val.json"
    src.write_text(json.dumps(doc, ensure_ascii=ascii_only))  # (ensure_ascii: strings as \u escapes)
    ds = coco.read(src)
    assert [item.metadata for item in ds.items()] == extras
    odd = copy.deepcopy(doc)
    odd["images"][0]["extra"] = [1]  # another field: every image of the file is decoded as a dict
    assert [item.metadata for item in coco.read(_write(src.parent, odd, "instances_odd.json")).items()] == [
        {**extras[0], "extra": [1]},
        *extras[1:],
    ]


_PATHS = st.none() | st.sampled_from(
    [
        "a.jpg",
        "d/b.jpg",
        "/abs/c.jpg",
        "../up.jpg",
        "./x/./y.jpg",
        'q"uote.jpg',
        "back\\slash.jpg",
        "tab\t.jpg",
        "\u00e9.jpg",
        "C:drive.jpg",
        ".",
        "a//b.jpg",
        "del\x7f.jpg",
    ]
)
_METADATA = st.dictionaries(
    st.sampled_from(["license", "id", "width", "note", "file_name", "coco_url"]),
    st.none() | st.integers(-5, 5) | st.text(max_size=4) | st.lists(st.integers(0, 3), max_size=2),
    max_size=3,
)


@settings(max_examples=80, deadline=None)
@given(
    images=st.lists(
        st.tuples(_PATHS, st.none() | st.integers(0, 9), st.none() | st.integers(0, 9), _METADATA),
        min_size=1,
        max_size=6,
    )
)
def test_image_records_are_written_as_their_fields_say(
    tmp_path_factory: pytest.TempPathFactory, images: list[tuple[Any, Any, Any, dict[str, Any]]]
) -> None:
    """Each image record is its id, file name (the path kept, or made safe), size, then the metadata's other
    keys, whichever way the writer makes it (a column at a time, or one by one for odd names and metadata)."""
    from labelkit.formats.coco_names import file_name
    from labelkit.model import Category, Dataset, Item, Media

    ds = Dataset(categories=[Category(id=1, name="a")])
    for i, (path, width, height, metadata) in enumerate(images):
        item_id = str(i + 1)
        ds.add_item(Item(id=item_id, media=Media(path=path, width=width, height=height), metadata=metadata))
    out = tmp_path_factory.mktemp("images") / "out"
    report = labelkit.save(ds, out, "coco", allow_loss=True)
    written = _load(out / "annotations" / "instances_default.json")["images"]
    renamed = sum(file_name(path, str(i + 1))[1] for i, (path, _, _, _) in enumerate(images))
    counted = {c.what: c.count for c in report.transformed}.get("image paths that are not relative", 0)
    assert counted == renamed
    expected = []
    for i, (path, width, height, metadata) in enumerate(images):
        record: dict[str, Any] = {"id": i + 1, "file_name": file_name(path, str(i + 1))[0]}
        sized = width is not None and height is not None  # (an unknown size, even on one side, is written 0 x 0)
        record.update({"width": width if sized else 0, "height": height if sized else 0})
        record.update({k: v for k, v in metadata.items() if k not in record})
        expected.append(record)
    # (was: images without a size were not written, and reported lost)
    assert written == expected
    assert [list(r) for r in written] == [list(r) for r in expected]  # and the keys in that order


def _items_with_metadata(texts: list[str]) -> Any:
    from labelkit.model import Category, Dataset

    n = len(texts)
    items = pa.table(
        {
            "id": [str(i + 1) for i in range(n)],
            "path": [f"{i}.jpg" for i in range(n)],
            "width": [10] * n,
            "height": [20] * n,
            "metadata": pa.array(texts, pa.string()),
        }
    )
    return Dataset.from_tables({"items": items}, [Category(id=1, name="a")])


def test_stored_metadata_texts_are_written_as_their_values(tmp_path: Path) -> None:
    """Metadata texts as a Parquet file or code may store them (not orjson's): each image record is the
    decoded metadata's other keys, never a key spelled with escapes over the record's own."""
    texts = [
        '{"x": 1} ',  # whitespace after the object
        '{"\\u0069d":99,"\\u0077idth":0,"y":2}',  # "id" and "width", spelled with escapes
        '{"a":[1,{"id":5}],"s":"\\u00e9"}',
    ]
    labelkit.save(_items_with_metadata(texts), tmp_path / "out", "coco")
    images = _load(tmp_path / "out" / "annotations" / "instances_default.json")["images"]
    base = [{"id": i + 1, "file_name": f"{i}.jpg", "width": 10, "height": 20} for i in range(3)]
    assert images == [
        {**base[0], "x": 1},
        {**base[1], "y": 2},
        {**base[2], "a": [1, {"id": 5}], "s": "\u00e9"},
    ]
    # past 64 bits, which no record holds: it was written as the float it reads as (1.2345678901234568e29), unsaid
    with pytest.raises(OutputError, match="^items row 0: metadata holds an integer that does not fit 64 bits; hint"):
        labelkit.plan(_items_with_metadata(['{"n":123456789012345678901234567890}']), "coco")


def test_stored_metadata_no_float_holds_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot be read"):
        labelkit.save(_items_with_metadata(['{"big":1e400}']), tmp_path / "out", "coco")
    assert not (tmp_path / "out").exists()


def test_results_only_splits_ignore_file_specs_of_another_type() -> None:
    """info extras built in code may name a split that is not text: it names no item (no crash)."""
    ds = _items_with_metadata(["{}"])
    ds.info.extras["coco:files"] = [{"split": 2017, "task": "results"}, {"split": "default", "task": "instances"}]
    report = labelkit.plan(ds, "coco")
    assert report.lost == []


def test_image_fields_of_another_type_are_kept(tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    doc["images"][0].update(coco_url=5, license=None, date_captured={"d": 1})
    doc["images"][1]["flickr_url"] = "@URL@"
    src = _write(tmp_path, doc)
    items = {i.id: i for i in coco.read(src).items()}
    assert items["7"].metadata == {"license": None, "coco_url": 5, "date_captured": {"d": 1}}
    doc["images"][0].update(coco_url=None, date_captured=None)
    src.write_text(json.dumps(doc).replace('"@URL@"', r'"http:\/\/x\u00e9"'))  # escapes kept in the text
    items = {i.id: i for i in coco.read(src).items()}
    assert items["7"].metadata == {"license": None, "coco_url": None, "date_captured": None}
    assert items["12"].metadata == {"flickr_url": "http://x\u00e9"}
    labelkit.convert(src, tmp_path / "out", to="coco")
    (_, twelve, _) = _load(tmp_path / "out" / "annotations" / "instances_val.json")["images"]
    assert twelve["flickr_url"] == "http://x\u00e9"
    doc["images"][0]["license"] = 2**64
    with pytest.raises(InputError) as err:
        coco.read(_write(tmp_path, doc))
    assert err.value.location.pointer == "/images/0/license"


def test_reindex_renumbers_categories_in_order(tmp_path: Path) -> None:
    out = tmp_path / "out"
    labelkit.convert(FIXTURE, out, to="coco", reindex="true")
    doc = _load(out / "annotations" / "instances_val.json")
    assert [(c["id"], c["name"]) for c in doc["categories"]] == [(1, "background-thing"), (2, "person"), (3, "car")]
    assert [a["category_id"] for a in doc["annotations"]] == [3, 1, 3, 2, 2, 3]


def test_categories_of_several_files_keep_the_order_the_files_list_them_in(tmp_path: Path) -> None:
    """instances_test.json listing dog, bird of train's cat, dog, bird gave dog, bird, cat (the files by split name):
    reindex renumbered every category, and YOLO's class 0 was dog."""
    cats = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "bird"}]
    for split, cat_list, image in (("train", cats, 1), ("test", cats[1:], 2)):
        doc = {
            "images": [{"id": image, "file_name": f"{image}.jpg", "width": 20, "height": 20}],
            "annotations": [
                {"id": 10 * image + c["id"], "image_id": image, "category_id": c["id"], "bbox": [1, 1, 2, 2]}
                for c in cat_list
            ],
            "categories": cat_list,
        }
        (tmp_path / "in/annotations").mkdir(parents=True, exist_ok=True)
        (tmp_path / f"in/annotations/instances_{split}.json").write_text(json.dumps(doc))
    ds = labelkit.load(tmp_path / "in", "coco")
    assert [(c.id, c.name) for c in ds.categories] == [(1, "cat"), (2, "dog"), (3, "bird")]
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="coco", reindex="true")
    assert [c.what for c in report.transformed if c.what == "category ids"] == []  # (were 3 renumbered)
    doc = _load(tmp_path / "out/annotations/instances_train.json")
    assert [(c["id"], c["name"]) for c in doc["categories"]] == [(1, "cat"), (2, "dog"), (3, "bird")]
    labelkit.convert(tmp_path / "in", tmp_path / "yolo", to="yolo")
    assert "names:\n  0: cat\n  1: dog\n  2: bird\n" in (tmp_path / "yolo/data.yaml").read_text()


def test_reindex_renumbers_lvis_category_id_lists(tmp_path: Path) -> None:
    """LVIS's image fields naming categories kept the ids read, naming another category or none, without a word."""
    doc = _load(INSTANCES)  # categories 0, 3 and 9: 1, 2 and 3 with reindex
    doc["images"][0].update(neg_category_ids=[9, 0], not_exhaustive_category_ids=[3, 77], x=1e5)
    doc["images"][1].update(neg_category_ids=[], note="_category_ids")
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    report = labelkit.convert(src, tmp_path / "out", to="coco", reindex="true")
    images = _load(tmp_path / "out" / "annotations" / "instances_val.json")["images"]
    assert images[0]["neg_category_ids"] == [3, 1] and images[0]["not_exhaustive_category_ids"] == [2, 77]
    assert images[0]["x"] == 1e5 and images[1]["neg_category_ids"] == [] and images[1]["note"] == "_category_ids"
    assert [(c.what, c.count) for c in report.transformed if c.what == "images' category id lists"] == [
        ("images' category id lists", 1)
    ]
    # without reindex they are written as read
    labelkit.convert(src, tmp_path / "kept", to="coco")
    assert _load(tmp_path / "kept" / "annotations" / "instances_val.json")["images"] == doc["images"]


def test_single_file_without_split_goes_to_default(tmp_path: Path) -> None:
    src = _write(tmp_path, _load(INSTANCES), "mine.json")
    out = tmp_path / "out"
    labelkit.convert(src, out, to="coco")
    assert [p.name for p in (out / "annotations").iterdir()] == ["instances_default.json"]
    assert _load(out / "annotations" / "instances_default.json") == _load(INSTANCES)


def test_splits_with_shared_ids_stay_apart(tmp_path: Path) -> None:
    root = tmp_path / "ds" / "annotations"
    root.mkdir(parents=True)
    doc = _load(INSTANCES)
    (root / "instances_train.json").write_text(json.dumps(doc))
    (root / "instances_val.json").write_text(json.dumps(doc))
    ds = labelkit.load(tmp_path / "ds")
    assert ds.splits() == ["train", "val"] and len(ds) == 6
    out = tmp_path / "out"
    labelkit.save(ds, out, "coco")
    for split in ("train", "val"):
        assert _load(out / "annotations" / f"instances_{split}.json") == doc


def test_keypoints_file_merges_into_instances(tmp_path: Path) -> None:
    root = tmp_path / "ds" / "annotations"
    root.mkdir(parents=True)
    doc = _load(INSTANCES)
    plain = copy.deepcopy(doc)
    for a in plain["annotations"]:
        a.pop("keypoints", None)
        a.pop("num_keypoints", None)
    for c in plain["categories"]:  # as in COCO: keypoint names and skeleton only in person_keypoints_*.json
        c.pop("keypoints", None)
        c.pop("skeleton", None)
    kp = copy.deepcopy(doc)
    kp["annotations"] = [a for a in kp["annotations"] if a["category_id"] == 3]
    kp["categories"] = [c for c in kp["categories"] if c["id"] == 3]
    (root / "instances_val.json").write_text(json.dumps(plain))
    (root / "person_keypoints_val.json").write_text(json.dumps(kp))
    ds = labelkit.load(tmp_path / "ds")
    assert ds.stats().annotations == {"object": 6}  # one COCO annotation, one object
    assert ds.read_notes == []
    out = tmp_path / "out"
    labelkit.save(ds, out, "coco")
    assert _load(out / "annotations" / "instances_val.json") == plain
    assert _load(out / "annotations" / "person_keypoints_val.json") == kp


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bbox", [2, 0, 2, 6]),
        ("segmentation", {"size": [10, 10], "counts": [20, 5, 5, 5, 64, 1]}),  # (the RLE of annotation 104)
        ("segmentation", [[4.25, 4.0, 8.0, 4.0, 8.0, 9.5]]),  # (annotation 105's polygon)
    ],
)
def test_a_keypoints_annotation_of_another_geometry_than_its_instance_is_noted(
    tmp_path: Path, field: str, value: Any
) -> None:
    """The keypoints file's box or segmentation of the same annotation was replaced by the instance's without a
    word (the instance's is kept: an object has one geometry, and writing COCO writes it to both files)."""
    doc = _load(INSTANCES)
    plain = copy.deepcopy(doc)  # (as in COCO: keypoints only in the keypoints file)
    for a in plain["annotations"]:
        a.pop("keypoints", None)
        a.pop("num_keypoints", None)
    kp = copy.deepcopy(doc)
    kp["annotations"] = [a for a in kp["annotations"] if a["category_id"] == 3]
    kp["categories"] = [c for c in kp["categories"] if c["id"] == 3]
    changed = next(a for a in kp["annotations"] if a[field] != value and type(a[field]) is type(value))
    changed[field] = value
    src = _files(tmp_path / "ds", {"instances_val": plain, "person_keypoints_val": kp})
    notes = labelkit.load(src).read_notes
    assert notes == [
        "1 annotations of person_keypoints_val.json have another bbox or segmentation than the same annotation of "
        "the instances file: the instances file's are kept (writing COCO writes them to both files)"
    ]


# -- required fields ----------------------------------------------------------------------------------------

REQUIRED = [
    ("images", 0, "id"),
    ("images", 0, "file_name"),
    ("images", 0, "width"),
    ("images", 0, "height"),
    ("annotations", 0, "id"),
    ("annotations", 0, "image_id"),
    ("annotations", 0, "category_id"),
    ("categories", 0, "id"),
    ("categories", 0, "name"),
]


@pytest.mark.parametrize(("section", "index", "key"), REQUIRED, ids=lambda x: str(x))
def test_drop_one_required_field(section: str, index: int, key: str, tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    del doc[section][index][key]
    if key == "file_name":  # (an image of a coco_url and no file_name is read at it, as LVIS v1's)
        del doc[section][index]["coco_url"]
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == f"/{section}/{index}/{key}"
    findings = labelkit.validate(path)
    assert any(f.where == f"#/{section}/{index}" or f.where == f"#/{section}/{index}/{key}" for f in findings)


def test_drop_images_list(tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    del doc["images"]
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc), "coco")
    assert (err.value.location.pointer, err.value.message) == ("/images", "missing required field 'images'")


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "instances_val.json"
    path.write_text('{\n "images": [\n  {"id": 1,}\n ]\n}\n')
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.line == 3


def test_wrong_type_names_the_pointer(tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    doc["annotations"][2]["image_id"] = "seven"
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc))
    assert err.value.location.pointer == "/annotations/2/image_id"


def test_unsafe_file_name_is_refused(tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    doc["images"][1]["file_name"] = "../../etc/passwd"
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc))
    assert err.value.location.pointer == "/images/1/file_name"


# -- semantic checks ------------------------------------------------------------------------------------------


def _breakages() -> list[tuple[str, Any, str]]:
    def dup_ann(d: Any) -> None:
        d["annotations"][3]["id"] = 101

    def dup_image(d: Any) -> None:
        d["images"][2]["id"] = 7

    def unknown_image(d: Any) -> None:
        d["annotations"][1]["image_id"] = 999

    def unknown_category(d: Any) -> None:
        d["annotations"][0]["category_id"] = 5

    def negative_bbox(d: Any) -> None:
        d["annotations"][0]["bbox"][2] = -1.0

    def outside_bbox(d: Any) -> None:
        d["annotations"][0]["bbox"] = [6.0, 1.0, 5.0, 2.0]

    def short_polygon(d: Any) -> None:
        d["annotations"][1]["segmentation"][1] = [6.0, 4.0, 7.5, 4.0]

    def rle_size(d: Any) -> None:
        d["annotations"][2]["segmentation"]["size"] = [8, 6]

    def short_rle(d: Any) -> None:  # a decoder would make up the missing pixels
        d["annotations"][2]["segmentation"]["counts"] = "=3300000"

    def bad_rle_string(d: Any) -> None:
        d["annotations"][2]["segmentation"]["counts"] = "=33 0000;"

    def keypoint_count(d: Any) -> None:
        d["annotations"][4]["keypoints"] = [5, 5, 2]

    return [
        ("duplicate annotation id", dup_ann, "/annotations/3/id"),
        ("duplicate image id", dup_image, "/images/2/id"),
        ("unknown image", unknown_image, "/annotations/1/image_id"),
        ("unknown category", unknown_category, "/annotations/0/category_id"),
        ("negative bbox", negative_bbox, "/annotations/0/bbox"),
        ("bbox outside", outside_bbox, "/annotations/0/bbox"),
        ("polygon < 3 points", short_polygon, "/annotations/1/segmentation/1"),
        ("RLE size", rle_size, "/annotations/2/segmentation/size"),
        ("RLE counts short", short_rle, "/annotations/2/segmentation/counts"),
        ("RLE counts string", bad_rle_string, "/annotations/2/segmentation/counts"),
        ("keypoint count", keypoint_count, "/annotations/4/keypoints"),
    ]


_SAID = {
    "duplicate annotation id": "duplicate annotation id 101",
    "duplicate image id": "duplicate image id 7",
    "unknown image": "unknown image id 999",
    "unknown category": "unknown category id 5",
    "negative bbox": "bbox has a negative width or height",
    "bbox outside": "bbox [6.0, 1.0, 5.0, 2.0] reaches outside the 8x6 image",
    "polygon < 3 points": "polygon has fewer than 3 points",
    "RLE size": "RLE size [8, 6] differs from the image's [6, 8]",
    "RLE counts short": "RLE counts add up to 34, not 48 (height x width)",
    "RLE counts string": "RLE counts is not a compressed COCO RLE string",
    "keypoint count": "3 keypoint numbers, expected 9 numbers (3 keypoints x 3)",
}


@pytest.mark.parametrize(("name", "breakage", "pointer"), _breakages(), ids=[b[0] for b in _breakages()])
def test_semantic_findings(name: str, breakage: Any, pointer: str, tmp_path: Path) -> None:
    """Each check's finding names its pointer and says what is wrong (the pointer alone held for a check that
    found something else there); convert refuses the file with the same words."""
    doc = _load(INSTANCES)
    breakage(doc)
    path = _write(tmp_path, doc)
    findings = labelkit.validate(path)
    assert [(f.path, f.where, f.message) for f in findings] == [(str(path), "#" + pointer, _SAID[name])]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert (err.value.location.path, err.value.location.pointer, err.value.message) == (str(path), pointer, _SAID[name])
    if not pointer.startswith("/images"):
        ds = labelkit.load(path, skip_invalid="true")
        assert ds.stats().annotations["object"] == 5
        assert ds.info.extras[coco.SKIPPED_KEY] == 1


def test_cli_validate_and_convert_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    clean = runner.invoke(cli, ["validate", str(FIXTURE)])
    assert clean.exit_code == 0, clean.output
    doc = _load(INSTANCES)
    doc["annotations"][0]["category_id"] = 5
    bad = _write(tmp_path, doc)
    result = runner.invoke(cli, ["validate", str(bad)])
    assert result.exit_code == 1 and "#/annotations/0/category_id" in result.output
    result = runner.invoke(cli, ["convert", str(bad), str(tmp_path / "o1"), "--to", "parquet"])
    assert result.exit_code == 2 and "/annotations/0/category_id" in result.output
    result = runner.invoke(cli, ["convert", str(bad), str(tmp_path / "o2"), "--to", "coco", "-o", "skip_invalid=true"])
    assert result.exit_code == 0, result.output
    assert result.output.count("1 invalid annotations were skipped") == 1
    # the count reaches the report whatever the target
    args = ["convert", str(bad), str(tmp_path / "o3"), "--to", "parquet", "-o", "skip_invalid=true"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "note: 1 invalid annotations were skipped when the input was read" in result.output


@pytest.mark.parametrize(
    ("section", "index", "key", "value"),
    [
        ("annotations", 0, "iscrowd", 2),
        ("annotations", 4, "area", -1.0),
        ("annotations", 5, "num_keypoints", "two"),
        ("images", 1, "width", "ten"),
        ("images", 2, "file_name", ""),
        ("categories", 1, "keypoints", "nose"),
    ],
)
def test_schema_finding_has_pointer(section: str, index: int, key: str, value: Any, tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    doc[section][index][key] = value
    findings = labelkit.validate(_write(tmp_path, doc))
    assert [f.where for f in findings] == [f"#/{section}/{index}/{key}"]


# -- what COCO cannot hold --------------------------------------------------------------------------------------


def test_polygon_with_holes_becomes_rle(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="donut")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    outer = [1.0, 1.0, 9.0, 1.0, 9.0, 9.0, 1.0, 9.0]
    hole = [4.0, 4.0, 6.0, 4.0, 6.0, 6.0, 4.0, 6.0]
    ds.add(
        Object(id="1", item_id="a", category_id=1, shape="polygon", polygon=[outer, hole], polygon_holes=[False, True])
    )
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [c.what for c in report.transformed] == [
        "item ids",
        "item splits",
        "polygons with holes",
        "objects without a box",
    ]
    ann = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"][0]
    assert isinstance(ann["segmentation"]["counts"], str)
    assert ann["bbox"] == [1, 1, 8, 8]


# -- pycocotools interop ------------------------------------------------------------------------------------------


def test_pycocotools_loads_output_with_identical_masks(tmp_path: Path) -> None:
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    out = tmp_path / "out"
    labelkit.convert(FIXTURE, out, to="coco")
    original = COCO(str(INSTANCES))
    written = COCO(str(out / "annotations" / "instances_val.json"))
    assert sorted(written.getAnnIds()) == sorted(original.getAnnIds())
    for ann_id in original.getAnnIds():
        a, b = original.loadAnns(ann_id)[0], written.loadAnns(ann_id)[0]
        assert a == b
        if a["segmentation"] == []:  # a box-only annotation: pycocotools cannot rasterise it in either file
            continue
        np.testing.assert_array_equal(written.annToMask(b), original.annToMask(a))
    results = labelkit.convert(FIXTURE / "results_val.json", tmp_path / "res", to="coco")
    assert results.lost == []
    # the fixture's box-only annotation (segmentation []) cannot be rasterised by pycocotools: leave it out
    written.dataset["annotations"] = [a for a in written.dataset["annotations"] if a["segmentation"] != []]
    written.createIndex()
    dets = written.loadRes(str(tmp_path / "res" / "annotations" / "results_val.json"))
    for iou in ("bbox", "segm"):
        ev = COCOeval(written, dets, iou)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        assert len(ev.stats) == 12


# -- conformance corpus ----------------------------------------------------------------------------------------


def _corpus_entries() -> list[dict[str, Any]]:
    manifest = ROOT.parent / "shared" / "corpus" / "MANIFEST.json"
    if not manifest.is_file():
        return []
    return [e for e in json.loads(manifest.read_bytes()) if e["format"] == "coco"]


_GEOMETRY = {"polygon": "polygon", "rle_uncompressed": "mask", "rle_compressed": "mask", "bbox_only": "box"}


@pytest.mark.parametrize("entry", _corpus_entries() or [None], ids=lambda e: e["path"] if e else "absent")
def test_corpus_conformance(entry: dict[str, Any] | None, corpus: Path, tmp_path: Path) -> None:
    if entry is None:
        pytest.skip("no COCO entries in the corpus manifest")
    path = corpus / entry["path"]
    expect = entry["expect"]
    if "panoptic" in entry["variant"]:
        with pytest.raises(InputError, match="panoptic is not supported"):
            labelkit.load(path, "coco")
        return
    assert labelkit.detect(path).format == "coco"
    ds = labelkit.load(path)
    stats = ds.stats()
    assert stats.items == expect["images"]
    assert sum(stats.annotations.values()) == expect["annotations"]
    assert sorted(i.media.path for i in ds.items()) == sorted(expect["image_files"])
    assert [[i.media.width, i.media.height] for i in ds.items()] == expect["image_sizes"]
    assert [c.name for c in ds.categories] == expect["categories"]
    assert [c.id for c in ds.categories] == expect["category_ids"]
    geometry = expect["by_geometry"]
    shapes: dict[str, int] = {}
    for o in ds.objects():
        shapes[o.shape] = shapes.get(o.shape, 0) + 1
    want: dict[str, int] = {}
    for key, n in geometry.items():
        if key in _GEOMETRY:
            want[_GEOMETRY[key]] = want.get(_GEOMETRY[key], 0) + n
    for shape, n in want.items():
        assert shapes.get(shape, 0) == n, shape
    assert stats.annotations.get("transcript", 0) == geometry.get("caption", 0)
    assert stats.annotations.get("label", 0) == geometry.get("label_only", 0)
    crowd = sum(1 for o in ds.objects() if o.extras.get("coco:iscrowd") == 1)
    assert crowd == expect["crowd"]
    if "keypoints_total" in expect:
        assert sum(len(o.keypoints or []) // 3 for o in ds.objects()) == expect["keypoints_total"]
    per_category: dict[str, int] = {}
    for a in ds.annotations():
        cid = a.category_id if a.category_id is not None else a.extras.get("coco:category_id")
        per_category[str(cid)] = per_category.get(str(cid), 0) + 1
    assert per_category == expect["annotations_per_category_id"]
    # the manifest's other counts (they were not compared: a crowd flag read as another value, an image read with
    # another's annotations, a keypoint read unlabelled or a skeleton renumbered passed)
    assert sum(1 for o in ds.objects() if o.keypoints) == geometry.get("keypoints", 0)
    if "keypoints_labeled" in expect:
        labelled = sum(1 for o in ds.objects() for v in (o.keypoints or [])[2::3] if v > 0)
        assert labelled == expect["keypoints_labeled"]
    if "iscrowd_values" in expect:
        seen: dict[str, int] = {}
        for o in ds.objects():
            flag = o.extras.get("coco:iscrowd")
            key = repr(flag) if isinstance(flag, str) else str(flag)  # (the manifest quotes a text: "'false'")
            seen[key] = seen.get(key, 0) + 1
        assert seen == expect["iscrowd_values"]
    annotated = {a.item_id for a in ds.annotations()}
    empty = sorted(i.media.path for i in ds.items() if i.id not in annotated)
    assert (len(empty), empty) == (expect["empty_images"], sorted(expect["empty_image_files"]))
    if "category_keypoint_names" in expect:
        assert {c.name: c.keypoints for c in ds.categories} == expect["category_keypoint_names"]
        skeletons = {c.name: [list(pair) for pair in c.skeleton or []] for c in ds.categories}
        assert skeletons == expect["category_skeletons"]
    if "annotation_attributes_seen" in expect:
        assert sorted({k for a in ds.annotations() for k in a.attributes or {}}) == expect["annotation_attributes_seen"]
    known = {c.id for c in ds.categories}
    unlisted = {int(cid) for cid in per_category if cid != "None"} - known
    assert sorted(unlisted) == expect.get("category_ids_not_in_categories", [])
    out = tmp_path / "out"
    labelkit.save(ds, out, "coco")
    (written,) = list((out / "annotations").iterdir())
    assert _load(written) == _load(path), "COCO -> labelkit -> COCO changed the JSON"


def test_chunked_decoding_gives_the_same_dataset_and_pointers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from labelkit.formats import coco_lists, coco_read

    whole = labelkit.load(FIXTURE).to_dict()
    doc = _load(INSTANCES)
    doc["annotations"][4]["keypoints"] = [5, 5, 2]
    bad = _write(tmp_path, doc)
    monkeypatch.setattr(coco_read, "ANNOTATION_CHUNK", 2)
    monkeypatch.setattr(coco_lists, "_CHUNK", 1)
    assert labelkit.load(FIXTURE).to_dict() == whole
    with pytest.raises(InputError) as err:
        labelkit.load(bad)
    assert err.value.location.pointer == "/annotations/4/keypoints"
    doc["annotations"][5]["bbox"] = "wide"
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc, "instances_x.json"))
    assert err.value.location.pointer == "/annotations/5/bbox"


def test_chunks_find_each_annotation_image_among_images_listed_out_of_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The image ids are sorted once for every chunk; each annotation still finds its own image's size."""
    from labelkit.formats import coco_read

    monkeypatch.setattr(coco_read, "ANNOTATION_CHUNK", 2)
    images = [(30, 100, 100), (10, 20, 20), (20, 60, 40)]
    doc: dict[str, Any] = {
        "images": [{"id": i, "file_name": f"{i}.jpg", "width": w, "height": h} for i, w, h in images],
        "categories": [{"id": 1, "name": "x"}],
        "annotations": [
            {"id": k + 1, "image_id": image, "category_id": 1, "bbox": box, "area": 1, "iscrowd": 0}
            for k, (image, box) in enumerate(
                [
                    (30, [50, 50, 50, 50]),
                    (10, [0, 0, 20, 20]),
                    (20, [10, 0, 50, 40]),
                    (99, [0, 0, 1, 1]),
                    (10, [10, 10, 15, 5]),
                ]
            )
        ],
    }
    path = _write(tmp_path, doc)
    assert [(x.where, x.message) for x in labelkit.validate(path)] == [
        ("#/annotations/3/image_id", "unknown image id 99"),
        ("#/annotations/4/bbox", "bbox [10.0, 10.0, 15.0, 5.0] reaches outside the 20x20 image"),
    ]
    objects = labelkit.load(path, skip_invalid=True).table("objects")
    assert objects["item_id"].to_pylist() == ["30", "10", "20"]


def test_one_pass_and_two_pass_decoding_give_the_same_dataset(tmp_path: Path) -> None:
    from labelkit.formats import coco_read

    doc = _load(INSTANCES)
    for ann in doc["annotations"]:
        ann.pop("source", None)  # the fixture's one unknown field
    fast = coco_read.decode_file(_write(tmp_path, doc))
    assert fast.decoded is not None and fast.count == len(doc["annotations"])
    chunks = list(fast.chunks(size=2))
    assert [c.offset for c in chunks] == list(range(0, len(doc["annotations"]), 2))
    assert fast.decoded == [], "handed-out annotations are let go"
    with pytest.raises(RuntimeError):
        next(fast.chunks())
    # an unknown field met early is a field of the one pass's structs; the two-pass decode gives the same
    doc["annotations"][1]["source"] = "auto"
    wider = coco_read.decode_file(_write(tmp_path, doc, "instances_slow.json"))
    assert wider.decoded is not None and wider.unknown_fields == ("source",)
    slow = coco_read.decode_file(tmp_path / "instances_slow.json", one_pass=False)
    assert slow.decoded is None and len(slow.raw_annotations) == len(doc["annotations"])
    fields = coco_read.Annotation.__struct_fields__

    def as_bytes(anns: list[Any]) -> list[list[Any]]:
        return [[v if isinstance(v, int | None) else bytes(v) for v in (getattr(a, f) for f in fields)] for a in anns]

    decoded = [a for c in chunks for a in c.annotations]
    assert as_bytes([a for c in slow.chunks(size=2) for a in c.annotations]) == as_bytes(decoded)
    fast_anns = labelkit.load(tmp_path / "instances_val.json").to_dict()["annotations"]
    slow_anns = labelkit.load(tmp_path / "instances_slow.json").to_dict()["annotations"]
    assert slow_anns[1]["extras"] == {**fast_anns[1]["extras"], "coco:source": "auto"}
    slow_anns[1]["extras"] = fast_anns[1]["extras"]
    assert slow_anns == fast_anns


def test_pretty_printed_files_parse_in_small_blocks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # pyarrow.json splits its input at line breaks: an indented file's polygons must not carry theirs
    from labelkit.formats import coco_geometry, coco_lists

    doc = _load(INSTANCES)
    for ann in doc["annotations"]:
        ann.pop("source", None)
        ann["keypoints"] = [1, 2, 2, 3, 4, 2, 5, 6, 0]
    doc["annotations"] = [{**a, "id": 1000 * k + a["id"]} for k in range(50) for a in doc["annotations"]]
    compact = tmp_path / "compact" / "person_keypoints_val.json"
    pretty = tmp_path / "pretty" / "person_keypoints_val.json"
    for path, indent in ((compact, None), (pretty, 1)):
        path.parent.mkdir()
        path.write_text(json.dumps(doc, indent=indent))
    monkeypatch.setattr(coco_lists, "BLOCK", 1 << 10)
    monkeypatch.setattr(coco_geometry, "BLOCK", 1 << 10)
    expected = labelkit.load(compact).to_dict()
    assert len(expected["annotations"]) == len(doc["annotations"])
    assert labelkit.load(pretty).to_dict() == expected


def test_results_documents_and_folders_take_the_two_pass_decode(tmp_path: Path) -> None:
    from labelkit.formats import coco, coco_read

    results = tmp_path / "results_val.json"
    results.write_text(
        json.dumps(
            {
                "images": [{"id": 1, "file_name": "a.jpg", "width": 8, "height": 8}],
                "categories": [{"id": 1, "name": "cat"}],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}],
            }
        )
    )
    assert coco_read.decode_file(results).decoded is None
    (ann,) = labelkit.load(results).to_dict()["annotations"]
    assert (ann["item_id"], ann["bbox"], ann["score"]) == ("1", [1.0, 2.0, 3.0, 4.0], 0.5)
    folder = tmp_path / "two" / "annotations"
    folder.mkdir(parents=True)
    doc = _load(INSTANCES)
    (folder / "instances_val.json").write_text(json.dumps(doc))
    (folder / "instances_train.json").write_text(json.dumps({**doc, "annotations": []}))
    assert [f.decoded for f in coco.decode_all(folder.parent)] == [None, None]
    assert coco_read.decode_file(folder / "instances_train.json").decoded == []


def test_memory_mapped_reading_gives_the_same_dataset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from labelkit.formats import coco_read

    whole = labelkit.load(FIXTURE).to_dict()
    monkeypatch.setattr(coco_read, "MAP_THRESHOLD", 0)
    monkeypatch.setattr(coco_read, "ANNOTATION_CHUNK", 2)
    assert labelkit.load(FIXTURE).to_dict() == whole
    path = tmp_path / "instances_val.json"
    path.write_text('{\n "images": [\n  {"id": 1,}\n ]\n}\n')
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert err.value.location.line == 3


CORPUS_FOLDERS = [
    ("datumaro/tests/assets/coco_dataset/coco", "annotations/{}"),
    ("datumaro/tests/assets/coco_dataset/mmdet_coco", "annotations/{}"),
    ("datumaro/tests/assets/coco_dataset/coco_roboflow", "{split}/_annotations.coco.json"),
    ("datumaro/tests/assets/roboflow_dataset/coco", "{split}/_annotations.coco.json"),
]


@pytest.mark.parametrize(("folder", "source"), CORPUS_FOLDERS, ids=[f for f, _ in CORPUS_FOLDERS])
def test_corpus_folders_read_as_one_dataset(folder: str, source: str, corpus: Path, tmp_path: Path) -> None:
    root = corpus / folder
    assert labelkit.detect(root).format == "coco"
    ds = labelkit.load(root)
    assert ds.splits() == ["train", "val"]
    out = tmp_path / "out"
    labelkit.save(ds, out, "coco")
    written = sorted(p.name for p in (out / "annotations").iterdir())
    assert written
    for name in written:
        split = name.rsplit("_", 1)[1][: -len(".json")]
        original = root / source.format(name, split=split)
        assert _load(out / "annotations" / name) == _load(original), name


def test_pycocotools_reads_what_other_formats_become(tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    out = tmp_path / "out"
    labelkit.convert(ROOT / "fixtures" / "native" / "images.labelkit.json", out, to="coco", allow_loss=True)
    for path in sorted((out / "annotations").glob("instances_*.json")):
        api = COCO(str(path))
        for ann in api.dataset["annotations"]:
            mask = api.annToMask(ann)
            image = api.imgs[ann["image_id"]]
            assert mask.shape == (image["height"], image["width"])


def test_objects_without_a_box_get_the_bounds_of_their_polygon_or_mask(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object, Rle

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=[[1, 2, 5, 2, 5, 4]]))
    ds.add(Object(id="2", item_id="1", category_id=1, shape="mask", mask=Rle(size=(6, 8), counts=[13, 2, 4, 2, 27])))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert any(c.what == "objects without a box" and c.count == 2 for c in report.transformed)
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [a["bbox"] for a in doc["annotations"]] == [[1, 2, 4, 2], [2, 1, 2, 2]]


def test_objects_from_other_formats_get_the_area_of_all_their_rings(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p"])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=800, height=600)))
    far = [700.1, 500.2, 700.4, 500.2, 700.4, 500.9]  # far from the origin: measured from its first point
    two = [[1, 2, 5, 2, 5, 4, 1, 4], [10, 10, 12, 10, 11, 13]]
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=[far], bbox=(700.1, 500.2, 0.3, 0.7)))
    ds.add(Object(id="2", item_id="1", category_id=1, shape="polygon", polygon=two, bbox=(1, 2, 11, 11)))
    ds.add(Object(id="3", item_id="1", category_id=1, shape="box", bbox=(1, 2, 3.5, 4)))
    # with keypoints: measured object by object, by the same rule
    ds.add(Object(id="4", item_id="1", category_id=1, shape="polygon", polygon=two, keypoints=[1, 2, 2]))
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    areas = [a["area"] for a in doc["annotations"]]
    # (their category has keypoint names: those without keypoints are written with none labelled)
    assert [a.get("num_keypoints") for a in doc["annotations"]] == [0, 0, 0, 1]
    third = (0.3 * 0.7) / 2  # (700.4 - 700.1) * (500.9 - 500.2) / 2, as the relative coordinates round
    rel = np.array([700.4 - 700.1, 500.9 - 500.2])
    assert areas == [abs(rel[0] * rel[1]) / 2, 8 + 3, 14.0, 8 + 3]
    assert areas[0] == pytest.approx(third, rel=1e-12)


def test_an_object_whose_rings_are_all_empty_gets_no_derived_box(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=[[], []]))
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)  # was: ValueError from min()
    # the object is lost once, as such: not also its two rings (they were counted too)
    assert [(c.what, c.count) for c in report.lost] == [
        ("objects without a box, polygon, mask or labelled keypoints", 1),
    ]
    # nothing pycocotools could rasterise is left: the object is not written (was: "segmentation": [[], []])
    assert _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"] == []


def test_an_object_without_geometry_is_lost_once_not_also_for_its_fields(tmp_path: Path) -> None:
    """Its provenance, occluded flag and empty rings went with it, yet were each counted lost too."""
    from labelkit.model import Category, Dataset, Item, Media, Object, Provenance

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="1", category_id=1, provenance=Provenance(annotator="ann"), occluded=True))
    ds.add(Object(id="2", item_id="1", category_id=1, polygon=[[1.0, 1.0]], occluded=False))
    ds.add(Object(id="3", item_id="1", category_id=1, bbox=(1, 1, 2, 2), provenance=Provenance(annotator="b")))
    report = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in report.lost] == [
        ("objects without a box, polygon, mask or labelled keypoints", 2),
        ("object provenance records", 1),
    ]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    anns = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]
    assert [a["id"] for a in anns] == [3]


def test_coco_writes_no_ring_of_fewer_than_3_points(tmp_path: Path) -> None:
    """pycocotools cannot rasterise such a ring: it is dropped (reported); an object left without a ring gets
    its box's rectangle, and the file loads in pycocotools with a mask for every annotation."""
    from pycocotools.coco import COCO

    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    tri = [0.0, 0.0, 4.0, 0.0, 4.0, 2.0]
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=[[1.0, 1.0], tri]))
    ds.add(Object(id="2", item_id="1", category_id=1, shape="polygon", polygon=[[1.0, 1.0]], bbox=(1, 1, 2, 2)))
    ds.add(Object(id="3", item_id="1", category_id=1, polygon=[tri, [5.0, 5.0]], polygon_holes=[False, True]))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("polygon rings of fewer than 3 points", 3)]
    assert ("boxes", 1) in [(c.what, c.count) for c in err.value.report.transformed]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    anns = {a["id"]: a for a in _load(path)["annotations"]}
    assert anns[1]["segmentation"] == [[0, 0, 4, 0, 4, 2]] and anns[1]["bbox"] == [0, 0, 4, 2]
    assert anns[1]["area"] == 4.0
    assert anns[2]["segmentation"] == [[1, 1, 3, 1, 3, 3, 1, 3]] and anns[2]["area"] == 4.0
    assert anns[3]["segmentation"] == [[0, 0, 4, 0, 4, 2]]  # its only hole is gone: a plain polygon
    api = COCO(str(path))
    assert [int(api.annToMask(api.anns[i]).sum()) for i in (1, 2, 3)] == [4, 4, 4]


def test_list_json_of_a_slice_formats_only_the_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch of a larger table is a slice whose ``.values`` is the whole column: formatting that for every
    batch made writing polygons from other formats quadratic (29 s and 4.8 GiB for 860k YOLO polygons)."""
    import pyarrow as pa

    from labelkit.formats import coco_text

    formatted: list[int] = []
    numbers = coco_text.numbers_text
    monkeypatch.setattr(coco_text, "numbers_text", lambda values: formatted.append(len(values)) or numbers(values))
    rings = pa.array([[[1.0, 2.0]], [[3.0], [4.5, 6.0]], None, [[5.0]]] * 100, pa.list_(pa.list_(pa.float64())))
    assert coco_text.list_json(rings.slice(401 - 4, 2)).to_pylist() == ["[[3],[4.5,6]]", None]
    assert formatted == [3]
    flat = pa.array([[1.0, 2.0], None, [3.0]] * 100, pa.list_(pa.float64()))
    assert coco_text.list_json(flat.slice(298, 2)).to_pylist() == [None, "[3]"]
    assert formatted == [3, 1]


def test_list_json_on_slices_with_nulls() -> None:
    """Writer batches are slices of larger tables; YOLO and VOC objects have null polygons."""
    import pyarrow as pa

    from labelkit.formats.coco_text import list_json

    rings = pa.array([[[1.0, 2.0]], None, [[3.0], [4.5]], None, [[5.0]]], pa.list_(pa.list_(pa.float64())))
    assert list_json(rings.slice(1)).to_pylist() == [None, "[[3],[4.5]]", None, "[[5]]"]
    assert list_json(rings.slice(2, 2)).to_pylist() == ["[[3],[4.5]]", None]
    boxes = pa.array([[1.0, 2, 3, 4], None, [5.0, 6, 7, 8.5]], pa.list_(pa.float64(), 4))
    assert list_json(boxes.slice(1)).to_pylist() == [None, "[5,6,7,8.5]"]


def test_objects_with_only_keypoints_get_the_bounds_of_their_labelled_points(tmp_path: Path) -> None:
    """pycocotools' annToMask fails on ``"segmentation": []``: such an object gets a box and its rectangle."""
    from pycocotools.coco import COCO

    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p", "q", "r"])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, shape="keypoints", keypoints=[1, 2, 2, 9, 9, 0, 4, 7, 1]))
    ds.add(Object(id="2", item_id="1", category_id=1, shape="keypoints", keypoints=[5, 5, 2, 0, 0, 0, 0, 0, 0]))
    ds.add(Object(id="3", item_id="1", category_id=1, shape="keypoints", keypoints=[3, 3, 0, 0, 0, 0, 0, 0, 0]))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    report = err.value.report
    lost = [(c.what, c.count) for c in report.lost]
    assert lost == [("objects without a box, polygon, mask or labelled keypoints", 1)]
    assert ("objects with only keypoints", 2) in [(c.what, c.count) for c in report.transformed]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    anns = _load(path)["annotations"]
    # the unlabelled point (9, 9) bounds nothing; a single labelled point gives an empty box
    assert [(a["bbox"], a["segmentation"], a["area"], a["num_keypoints"]) for a in anns] == [
        ([1, 2, 3, 5], [[1, 2, 4, 2, 4, 7, 1, 7]], 15.0, 2),
        ([5, 5, 0, 0], [[5, 5, 5, 5, 5, 5, 5, 5]], 0.0, 1),
    ]
    api = COCO(str(path))
    assert [int(api.annToMask(a).sum()) for a in anns] == [15, 0]
    back = labelkit.load(tmp_path / "out")
    assert [o.keypoints for o in back.objects()] == [[1, 2, 2, 9, 9, 0, 4, 7, 1], [5, 5, 2, 0, 0, 0, 0, 0, 0]]


def test_objects_of_a_keypoints_category_without_keypoints_evaluate_in_cocoeval(tmp_path: Path) -> None:
    """COCOeval's keypoints mode reads ``num_keypoints`` and ``keypoints`` of every annotation of the categories
    it evaluates: a person written without them (a box beside posed persons) made it fail with ``KeyError``.
    Such an object is written as COCO's keypoints files write an unlabelled person (reported as transformed)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    ds = Dataset(categories=[Category(id=0, name="person", keypoints=["a", "b"]), Category(id=3, name="car")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30)))
    ds.add(Object(id="1", item_id="1", category_id=0, bbox=(1, 1, 10, 10), keypoints=[3, 4, 2, 5, 6, 1]))
    ds.add(Object(id="2", item_id="1", category_id=0, bbox=(20, 10, 10, 10)))
    ds.add(Object(id="3", item_id="1", category_id=3, bbox=(5, 5, 4, 4)))
    report = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in report.transformed][-1] == (
        "objects without keypoints of a category with keypoint names",
        1,
    )
    labelkit.save(ds, tmp_path / "out", "coco")
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    anns = _load(path)["annotations"]
    assert [(a.get("keypoints"), a.get("num_keypoints")) for a in anns] == [
        ([3, 4, 2, 5, 6, 1], 2),
        ([0, 0, 0, 0, 0, 0], 0),
        (None, None),  # (a category without keypoint names: no keypoints)
    ]
    api = COCO(str(path))
    posed = [{**a, "score": 1.0} for a in anns if a["category_id"] == 0]
    ev = COCOeval(api, api.loadRes(posed), "keypoints")
    ev.params.catIds = [0]
    ev.params.kpt_oks_sigmas = np.array([0.05, 0.05])
    ev.evaluate()
    ev.accumulate()
    ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0, abs=1e-12)  # (an OKS of 1 is a mean of exp(-0.0) floats)
    assert [o.keypoints for o in labelkit.load(tmp_path / "out").objects()] == [
        [3, 4, 2, 5, 6, 1],
        [0, 0, 0, 0, 0, 0],
        None,
    ]


def test_polygons_far_outside_their_image_are_clipped_so_pycocotools_can_rasterise_them(tmp_path: Path) -> None:
    """pycocotools sizes its buffers by a polygon's outline: a point 1e9 pixels away was written as it was, and
    ``annToMask`` took gigabytes (a polygon with holes stopped the write with an error naming no object)."""
    from pycocotools.coco import COCO

    far = [-1e9, -1e9, 1e9, -1e9, 1e9, 1e9, -1e9, 1e9]
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30)))
    ds.add(Object(id="1", item_id="1", category_id=1, shape="polygon", polygon=[far]))
    holed = [far, [1, 1, 5, 1, 5, 5, 1, 5]]
    ds.add(Object(id="2", item_id="1", category_id=1, shape="polygon", polygon=holed, polygon_holes=[False, True]))
    report = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in report.transformed][:3] == [
        ("item splits", 1),
        ("polygons reaching far outside their image", 2),
        ("polygons with holes", 1),
    ]
    labelkit.save(ds, tmp_path / "out", "coco")
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    anns = _load(path)["annotations"]
    assert [(a["segmentation"], a["bbox"], a["area"]) for a in anns[:1]] == [
        ([[0, 30, 0, 0, 40, 0, 40, 30]], [0, 0, 40, 30], 1200.0)
    ]
    assert (anns[1]["bbox"], anns[1]["area"]) == ([0, 0, 40, 30], 1200.0 - 16)
    api = COCO(str(path))
    whole = np.ones((30, 40), np.uint8)
    np.testing.assert_array_equal(api.annToMask(anns[0]), whole)
    holed_mask = whole.copy()
    holed_mask[1:5, 1:5] = 0
    np.testing.assert_array_equal(api.annToMask(anns[1]), holed_mask)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(1, 60)), min_size=1, max_size=3),
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.lists(
                st.sampled_from([0.0, 5.0, -30.0, 250.0, 400.0, -1e9, float("nan")]), min_size=6, max_size=8
            ).filter(
                lambda ring: len(ring) % 2 == 0  # (x, y pairs: the model holds no other ring)
            ),
        ),
        min_size=1,
        max_size=5,
    ),
)
@example([(1, 1), (60, 60)], [(0, [0.0, 0.0, 250.0, 0.0, 250.0, 250.0])])  # far for its image, not for the other
def test_far_polygons_are_those_unrasterisable_finds(sizes: list, polygons: list) -> None:
    """The rows clipped are the polygons ``unrasterisable`` finds on their own image, whether or not the quick test
    of every coordinate against the smallest image's reach (no object looked at) decides it."""
    from labelkit.formats.coco_shapes import far_polygons_clipped

    items = pa.table(
        {
            "id": [str(i) for i in range(len(sizes))],
            "width": pa.array([w for w, _ in sizes], pa.int64()),
            "height": pa.array([h for _, h in sizes], pa.int64()),
        }
    )
    rows = [(str(k % len(sizes)), [ring]) for k, ring in polygons]
    column = pa.array([p for _, p in rows], pa.list_(pa.list_(pa.float64())))
    objects = pa.table(
        {
            "item_id": [i for i, _ in rows],
            "polygon": column,
            "polygon_holes": pa.nulls(len(rows), pa.list_(pa.bool_())),
            "mask": pa.nulls(len(rows), pa.struct([("height", pa.int64())])),
            "extras": pa.nulls(len(rows), pa.string()),
        }
    )
    _, far = far_polygons_clipped(objects, items, read_from_coco=False)
    size = [sizes[int(i)] for i, _ in rows]
    heights, widths = np.array([h for _, h in size]), np.array([w for w, _ in size])
    finite = [all(np.isfinite(v) for v in ring) for _, (ring,) in rows]  # (the writer's error names the others)
    assert far.tolist() == (raster.unrasterisable(column, heights, widths) & finite).tolist()


def test_holes_on_an_image_too_large_for_an_rle_mask_are_reported_lost(tmp_path: Path) -> None:
    """Holes become an RLE mask, which pycocotools makes a byte a pixel: on a 20000 x 20000 image the plan found
    nothing and the write stopped with an error naming no object. The outer rings are written as polygons."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=20000, height=20000)))
    rings = [[0, 0, 100, 0, 100, 100, 0, 100], [10, 10, 20, 10, 20, 20]]
    ds.add(Object(id="o7", item_id="1", category_id=1, shape="polygon", polygon=rings, polygon_holes=[False, True]))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("polygons' holes on images of more than 2^28 pixels", 1)
    ]
    assert not (tmp_path / "out").exists()
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    [ann] = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]
    assert (ann["segmentation"], ann["bbox"], ann["area"]) == ([rings[0]], [0, 0, 100, 100], 10000.0)


def test_a_polygon_far_outside_its_image_read_from_coco_is_written_back_as_read(tmp_path: Path) -> None:
    """COCO -> COCO is lossless: clipping is for objects from other formats or built in code."""
    far = [-1e9, -1e9, 1e9, -1e9, 1e9, 1e9, -1e9, 1e9]
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "segmentation": [far],
                "bbox": [0, 0, 40, 30],
                "area": 1200,
                "iscrowd": 0,
            }
        ],
        "categories": [{"id": 1, "name": "a"}],
    }
    src = _write(tmp_path, doc)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert "polygons reaching far outside their image" not in [c.what for c in report.transformed]
    assert _load(tmp_path / "out" / "annotations" / "instances_val.json")["annotations"] == doc["annotations"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-50, 60), st.integers(-50, 60), st.integers(1, 40), st.integers(1, 40)),
        min_size=1,
        max_size=4,
    ),
    st.integers(1, 40),
    st.integers(1, 40),
)
def test_the_area_of_a_polygon_is_that_of_its_mask_inside_the_image(
    rects: list[tuple[int, int, int, int]], width: int, height: int
) -> None:
    """COCOeval sorts objects into small, medium and large by ``area`` (and leaves out those above 1e10): a
    polygon reaching outside its image was given its whole shoelace area, more than the image holds. The area
    written is that of the part inside the image, which for whole-pixel rectangles is ``annToMask``'s count."""
    import tempfile

    from pycocotools.coco import COCO

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=width, height=height)))
    inside = []
    for i, (x, y, w, h) in enumerate(rects):
        ds.add(
            Object(
                id=str(i),
                item_id="1",
                category_id=1,
                shape="polygon",
                polygon=[[x, y, x + w, y, x + w, y + h, x, y + h]],
            )
        )
        inside.append(max(0, min(x + w, width) - max(x, 0)) * max(0, min(y + h, height) - max(y, 0)))
    with tempfile.TemporaryDirectory() as tmp:
        labelkit.save(ds, Path(tmp) / "out", "coco", allow_loss=True)  # (wholly outside: lost)
        path = Path(tmp) / "out" / "annotations" / "instances_default.json"
        api = COCO(str(path))
        anns = _load(path)["annotations"]
        assert [a["area"] for a in anns] == [float(n) for n in inside if n]
        assert [a["area"] for a in anns] == [float(api.annToMask(a).sum()) for a in anns]


@pytest.mark.parametrize("holes", [None, [False, True]])
def test_an_object_with_a_mask_and_a_polygon_is_written_with_its_mask_and_the_polygon_reported_lost(
    holes: list[bool] | None, tmp_path: Path
) -> None:
    """COCO has one segmentation: the polygon was dropped unreported (or, with holes, the mask), and the bbox
    derived for the object was the polygon's bounds beside the mask's pixels (COCOeval's bbox and segm modes
    then disagreed)."""
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO

    from labelkit.model.annotations import Rle

    pixels = np.zeros((30, 40), np.uint8)
    pixels[2:5, 3:7] = 1
    counts = mask_utils.encode(np.asfortranarray(pixels))["counts"].decode()
    rings = [[10, 10, 20, 10, 20, 20, 10, 20], [12, 12, 14, 12, 14, 14]][: 2 if holes else 1]
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30)))
    mask = Rle(size=(30, 40), counts=counts)
    ds.add(Object(id="1", item_id="1", category_id=1, shape="mask", polygon=rings, polygon_holes=holes, mask=mask))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("polygons of objects with a mask", 1)]
    assert "polygons with holes" not in [c.what for c in err.value.report.transformed]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    [ann] = _load(path)["annotations"]
    assert (ann["segmentation"], ann["bbox"], ann["area"]) == ({"size": [30, 40], "counts": counts}, [3, 2, 4, 3], 12.0)
    np.testing.assert_array_equal(COCO(str(path)).annToMask(ann), pixels)


def test_null_keypoint_numbers_are_refused_at_their_pointer(tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    ann = next(a for a in doc["annotations"] if "keypoints" in a)
    i = doc["annotations"].index(ann)
    ann["keypoints"][4] = None  # was written back as a bare `nan`, which no JSON reader takes
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc))
    assert err.value.location.pointer == f"/annotations/{i}/keypoints/4"
    assert str(err.value).endswith("keypoints must be numbers (found null)")


def test_a_dataset_without_images_keeps_its_categories(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset

    labelkit.save(Dataset(categories=[Category(id=3, name="a")]), tmp_path / "out", "coco")
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")  # was: an empty folder
    assert doc["images"] == [] and doc["categories"] == [{"id": 3, "name": "a"}]
    empty = {**_load(INSTANCES), "images": [], "annotations": []}
    labelkit.convert(_write(tmp_path, empty), tmp_path / "back", to="coco")
    assert sorted(p.name for p in (tmp_path / "back" / "annotations").iterdir()) == ["instances_val.json"]


def test_images_without_a_size_are_written_0_by_0_with_their_annotations(tmp_path: Path) -> None:
    """COCO images need width and height (labelkit's reader refused the file written without them): an image of
    unknown size was lost with its annotations; it is now written 0 x 0, as Datumaro writes it, and reads back
    as of unknown size."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add_item(Item(id="2", media=Media(path="b.jpg")))  # as a VOC file without <size>, its image absent
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2)))
    ds.add(Object(id="2", item_id="2", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == [] and [(c.what, c.count) for c in report.transformed][:1] == [("images of unknown size", 1)]
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [(i["file_name"], i["width"], i["height"]) for i in doc["images"]] == [("a.jpg", 8, 6), ("b.jpg", 0, 0)]
    assert [a["id"] for a in doc["annotations"]] == [1, 2]
    back = labelkit.load(tmp_path / "out")
    assert [(i.id, i.media.width, i.media.height) for i in back.items()] == [("1", 8, 6), ("2", None, None)]
    # detection results list no images: their items (which never have a size) are written as they were
    report = labelkit.convert(FIXTURE / "results_val.json", tmp_path / "results", to="coco")
    assert report.lost == []


def test_pointers_into_a_results_file_index_the_bare_list(tmp_path: Path) -> None:
    """A detection-results file is a list: its annotation 1 is /1 (was: /annotations/1, which is not in it)."""
    doc = _load(FIXTURE / "results_val.json")
    doc[1]["bbox"] = [1, 2, 3]
    with pytest.raises(InputError) as err:
        labelkit.load(_write(tmp_path, doc, "results_val.json"))
    assert err.value.location.pointer == "/1/bbox"
    doc[1]["bbox"] = [1, 2, -3, 4]
    path = _write(tmp_path, doc, "results_val.json")
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [
        ("#/1/bbox", "bbox has a negative width or height")
    ]


def test_boxes_from_other_formats_reaching_outside_their_image_are_clipped(tmp_path: Path) -> None:
    """COCO's reader refuses a bbox more than 1 px outside its image; other readers (YOLO OBB, DOTA) accept it."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=50)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(-5, 0, 10, 10)))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(99.5, 49.5, 1.2, 1.2)))  # within 1 px: kept
    ds.add(Object(id="3", item_id="1", category_id=1, polygon=[[90, 40, 120, 40, 120, 60]]))  # bounds clipped
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert ("boxes reaching outside their image", 2) in [(c.what, c.count) for c in report.transformed]
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [a["bbox"] for a in doc["annotations"]] == [[0, 0, 5, 10], [99.5, 49.5, 1.2, 1.2], [90, 40, 10, 10]]
    assert doc["annotations"][2]["segmentation"] == [[90, 40, 120, 40, 120, 60]]  # the polygon is as it was
    assert len(list(labelkit.load(tmp_path / "out").objects())) == 3  # was: refused, bbox outside the image


def _outside_objects() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=50)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(10, 10, 20, 20)))  # inside
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(120, 10, 20, 20)))  # wholly right of it
    ds.add(Object(id="3", item_id="1", category_id=1, bbox=(90, 40, 20, 20)))  # partly: clipped
    ds.add(Object(id="4", item_id="1", category_id=1, polygon=[[10, 60, 30, 60, 30, 80]]))  # below it
    ds.add(Object(id="5", item_id="1", category_id=1, bbox=(-40, 10, 20, 10), angle=30))  # turned, left of it
    # a box outside beside a polygon inside, and a zero box (as YOLO keeps one): clipped onto the edge
    ring = [[10, 10, 20, 10, 20, 20]]
    ds.add(Object(id="6", item_id="1", category_id=1, bbox=(120, 10, 20, 20), polygon=ring))
    ds.add(Object(id="7", item_id="1", category_id=1, bbox=(120, 10, 0, 20)))
    return ds


def test_objects_wholly_outside_their_image_are_lost_not_clipped_to_a_zero_box(tmp_path: Path) -> None:
    """They were clipped to a zero box on the image's edge and reported transformed, where YOLO loses them."""
    report = labelkit.plan(_outside_objects(), "coco")
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "objects with no area inside their image",
            3,
            "their box lies outside their image: clipped to it, it would have no width or height (or their polygon, "
            "reaching far outside, would have no ring left); not written",
        )
    ]
    assert ("boxes reaching outside their image", 3) in [(c.what, c.count) for c in report.transformed]
    with pytest.raises(DataLossError):
        labelkit.save(_outside_objects(), tmp_path / "refused", "coco")
    labelkit.save(_outside_objects(), tmp_path / "out", "coco", allow_loss=True)
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    boxes = [[10, 10, 20, 20], [90, 40, 10, 10], [100, 10, 0, 20], [100, 10, 0, 20]]
    assert [a["bbox"] for a in doc["annotations"]] == boxes
    assert doc["annotations"][2]["segmentation"] == [[10, 10, 20, 10, 20, 20]]
    assert labelkit.validate(tmp_path / "out") == []


def test_an_object_lost_whole_outside_its_image_is_not_counted_again_for_its_negative_box() -> None:
    """Its negative box was counted lost ("written without them"), and the object lost whole as well."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=50)))
    ring = [[120, 10, 130, 10, 130, 20]]  # right of the image: the box derived from it too
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(10, 10, -5, 5), polygon=ring))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(10, 10, -5, 5), polygon=[[10, 10, 20, 10, 20, 20]]))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost] == [
        ("boxes of negative width or height", 1),
        ("objects with no area inside their image", 1),
    ]


@pytest.mark.parametrize("source", ["voc", "yolo"])
def test_a_voc_or_yolo_box_wholly_outside_its_image_is_refused_without_allow_loss(source: str, tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=50), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(10, 10, 20, 20)))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(101, 10, 20, 20)))
    labelkit.save(ds, tmp_path / "in", source, allow_loss=True)
    if source == "yolo":  # (YOLO does not write it: the line moved outside as an edit or another tool would)
        (label,) = (tmp_path / "in").rglob("labels/**/*.txt")
        label.write_text(label.read_text() + "0 1.2 0.4 0.2 0.4\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), str(out), "--to", "coco"])
    assert result.exit_code == 2 and not out.exists()
    assert result.stderr.splitlines()[0].startswith("labelkit: lost: 1 objects with no area inside their image: ")
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), str(out), "--to", "coco", "--allow-loss"])
    assert result.exit_code == 0
    assert [a["bbox"] for a in _load(out / "annotations" / "instances_train.json")["annotations"]] == [[10, 10, 20, 20]]


def test_the_yolo_fixture_converts_to_coco_and_reads_back(tmp_path: Path) -> None:
    labelkit.convert(ROOT / "fixtures" / "yolo" / "source.labelkit.json", tmp_path / "out", to="coco", allow_loss=True)
    assert labelkit.validate(tmp_path / "out") == []


def test_what_coco_readers_refuse_is_never_written(tmp_path: Path) -> None:
    """labelkit JSON and Parquet accept these; COCO's reader refused the files written from them."""
    from labelkit.model import Category, Dataset, Item, Label, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p", "q"])])
    ds.add_item(Item(id="1", media=Media(path="/data/val/a.jpg", width=8, height=6)))  # absolute
    ds.add(Object(id="1", item_id="1", category_id=None, bbox=(1, 1, 2, 2)))  # no category
    ds.add(Label(id="1", item_id="1", category_id=None))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(1, 1, 2, 2), keypoints=[1, 1, 2, 2, 2, 2, 3, 3, 2]))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("object annotations without a category", 1),
        ("label annotations without a category", 1),
        ("keypoint sets of another length than their category's names", 1),
    ]
    assert ("image paths that are not relative", 1) in [(c.what, c.count) for c in err.value.report.transformed]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert doc["images"][0]["file_name"] == "a.jpg"
    # (its keypoints taken out, it is a person without labelled points: COCOeval reads them for every one)
    assert [(a["id"], a["keypoints"], a["num_keypoints"]) for a in doc["annotations"]] == [(2, [0, 0, 0, 0, 0, 0], 0)]
    assert labelkit.validate(tmp_path / "out") == []


def test_a_mask_from_another_format_whose_runs_do_not_make_it_is_refused(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object, Rle

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=4)))
    ds.add(Object(id="m", item_id="1", category_id=1, shape="mask", mask=Rle(size=(4, 4), counts=[0, 12])))
    with pytest.raises(InputError, match=r"object m: RLE counts add up to 12, not 16"):
        labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert not (tmp_path / "out").exists()


def test_masks_coco_readers_refuse_are_never_written(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object, Rle

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    # a mask of another size than its image (VOC reads PNGs of any size): written without it
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2), mask=Rle(size=(2, 2), counts=[0, 4])))
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert ("masks of another size than their image", 1) in [(c.what, c.count) for c in report.lost]
    assert labelkit.validate(tmp_path / "out") == []
    # a 'coco:' extra does not make a bad mask COCO's: it is refused like any other
    bad = Dataset(categories=[Category(id=1, name="a")])
    bad.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=4)))
    cell = Rle(size=(4, 4), counts=[0, 12])
    bad.add(Object(id="m", item_id="1", category_id=1, shape="mask", mask=cell, extras={"coco:iscrowd": 1}))
    with pytest.raises(InputError, match="object m: RLE counts add up to 12, not 16"):
        labelkit.save(bad, tmp_path / "bad", "coco", allow_loss=True)


def test_stats_leave_the_polygons_of_boxed_objects_unparsed(tmp_path: Path) -> None:
    assert labelkit.stats(INSTANCES) == labelkit.load(INSTANCES).stats()
    doc = _load(INSTANCES)
    doc["annotations"][0]["segmentation"] = [[1, "x", 3, 4, 5, 6]]
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == "/annotations/0/segmentation/0/1"
    assert labelkit.stats(path) == labelkit.load(INSTANCES).stats()  # nothing counted needs the coordinates
    # a ring of 4 points may be its box's rectangle, which a box-only target does not lose: a conversion parses
    # it to tell, the counts need not
    doc["annotations"][0]["segmentation"] = [[1, "x", 3, 4, 5, 6, 7, 8]]
    path = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.convert(path, tmp_path / "yolo", to="yolo", allow_loss=True)
    assert err.value.location.pointer == "/annotations/0/segmentation/0/1"
    assert labelkit.stats(path) == labelkit.load(INSTANCES).stats()
    del doc["annotations"][0]["bbox"]  # without a box, the polygon gives the object its box: parsed
    with pytest.raises(InputError) as err:
        labelkit.stats(_write(tmp_path, doc))
    assert err.value.location.pointer == "/annotations/0/segmentation/0/1"


def test_a_url_file_name_is_kept_as_written(tmp_path: Path) -> None:
    """``http://host/a.jpg`` read as ``http:/host/a.jpg`` (its ``//`` collapsed like a path's) and was written so."""
    doc = _load(INSTANCES)
    doc["images"][0]["file_name"] = "http://example.com/x/a.jpg"
    doc["images"][1]["file_name"] = "img\\.\\b.jpg"  # a path (not a URL) still has its separators normalised
    path = _write(tmp_path, doc)
    assert [i.media.path for i in labelkit.load(path).items()][:2] == ["http://example.com/x/a.jpg", "img/b.jpg"]
    labelkit.convert(path, tmp_path / "out", to="coco")
    back = _load(tmp_path / "out" / "annotations" / "instances_val.json")
    assert [i["file_name"] for i in back["images"]][:2] == ["http://example.com/x/a.jpg", "img/b.jpg"]


def test_skip_invalid_skips_the_same_annotations_whatever_reads_them(tmp_path: Path) -> None:
    """A boxed object's polygon of two points was not seen (so not skipped) by info and by YOLO detect."""
    doc = _load(INSTANCES)
    doc["annotations"][0]["segmentation"] = [[1, 2, 3, 4]]
    path = _write(tmp_path, doc)
    loaded = labelkit.load(path, skip_invalid=True)
    assert labelkit.stats(path, skip_invalid=True) == loaded.stats()
    assert loaded.stats().annotations == {"object": len(doc["annotations"]) - 1}
    report = labelkit.convert(path, tmp_path / "yolo", to="yolo", allow_loss=True, skip_invalid=True)
    assert report.written["object annotations"] == len(doc["annotations"]) - 1


_TINY = (
    '{"images":[{"id":1,"width":10,"height":10,"file_name":"a.jpg"}],"categories":[{"id":1,"name":"a"}],'
    '"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1,1,2,2],%s}]}'
)


def test_a_number_no_float_holds_in_attributes_is_an_error_with_its_pointer(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % '"area":4,"attributes":{"x":-1e400}')  # was: internal error (msgspec ValidationError)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/attributes/x"
    assert "out of range" in err.value.one_line()


def test_a_carried_number_no_float_holds_stays_for_coco_and_is_a_clear_error_for_labelkit_json(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % '"area":1e400')  # kept as written, so COCO -> COCO gives it back
    labelkit.convert(src, tmp_path / "coco", to="coco")
    assert b'"area":1e400' in (tmp_path / "coco" / "annotations" / "instances_val.json").read_bytes()
    with pytest.raises(InputError) as err:  # was: internal error (orjson JSONDecodeError)
        labelkit.convert(src, tmp_path / "out.labelkit.json", to="labelkit")
    assert err.value.location.path == str(src)
    assert "a stored JSON text cannot be read: a number no float holds (found" in err.value.one_line()
    assert not (tmp_path / "out.labelkit.json").exists()


def test_a_long_found_value_is_shortened_in_the_error_line(tmp_path: Path) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(
        '{"images":[{"id":1,"width":"%s","height":10,"file_name":"a.jpg"}],"categories":[],"annotations":[]}'
        % ("9" * 300_000)
    )
    with pytest.raises(InputError) as err:  # was: the 300,000 characters, in one 300 KB line
        labelkit.load(src, "coco")
    line = err.value.one_line()
    assert err.value.location.pointer == "/images/0/width"
    assert len(line) < len(str(src)) + 300 and line.endswith("... (300,002 characters))")


_OTHER_FIELDS = {
    "score": 0.5,
    "attributes": {"occluded": True},
    "num_keypoints": 0,
    "keypoints": [5, 5, 2, 0, 0, 0, 0, 0, 0],
}


@settings(max_examples=40, deadline=None)
@given(
    keep=st.lists(st.sampled_from(["segmentation", "area", "iscrowd"]), unique=True),
    extra=st.sampled_from([None, *_OTHER_FIELDS]),
    at=st.integers(0, 5),
)
def test_instance_only_files_decode_into_the_smaller_struct_and_read_the_same(
    keep: list[str], extra: str | None, at: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Annotations of the instance fields only decode into ``InstanceAnnotation``; another known field in any
    one annotation takes the full struct. Either way the dataset is the one the full struct gives."""
    from labelkit.formats import coco_read

    doc = _load(INSTANCES)
    for ann in doc["annotations"]:
        for key in list(ann):
            if key not in ("id", "image_id", "category_id", "bbox", *keep):
                del ann[key]
    if extra is not None:
        if extra == "keypoints":  # on a person (3 keypoints), so the file stays valid
            at = 3 + at % 2
        doc["annotations"][at][extra] = _OTHER_FIELDS[extra]
    path = _write(tmp_path_factory.mktemp("lean"), doc)
    decoded = coco_read.decode_file(path).decoded
    assert decoded is not None
    expected = coco_read.InstanceAnnotation if extra is None else coco_read.Annotation
    assert {type(a) for a in decoded} == {expected}
    fast = labelkit.load(path).to_dict()
    with pytest.MonkeyPatch.context() as patch:  # the full struct only
        patch.setattr(coco_read, "_InstancesDocument", coco_read._DecodedDocument)
        full = labelkit.load(path).to_dict()
    assert fast == full
    if extra == "score":
        assert fast["annotations"][at]["score"] == 0.5


def test_written_counts_are_of_what_was_written(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Object

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add_item(Item(id="2", media=Media(path="b.jpg")))  # no size: written 0 x 0 (was: not written, nor its object)
    ds.add(
        Object(id="x", item_id="1", category_id=1, bbox=(1, 1, 2, 2)),
        Object(id="y", item_id="2", category_id=1, bbox=(1, 1, 2, 2)),
        Object(id="z", item_id="1", category_id=1),  # no geometry: lost
    )
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert report.written == {"items": 2, "object annotations": 2}
    back = labelkit.load(tmp_path / "o")
    assert len(back) == 2 and len(list(back.objects())) == 2


def test_a_dataset_of_captions_only_keeps_its_categories(tmp_path: Path) -> None:
    from labelkit.model import Category, Dataset, Item, Media, Transcript

    ds = Dataset(categories=[Category(id=3, name="person", keypoints=["nose"], skeleton=[])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Transcript(id="c", item_id="1", text="a person"))
    assert labelkit.save(ds, tmp_path / "o", "coco").lost == []
    assert [(c.id, c.name, c.keypoints) for c in labelkit.load(tmp_path / "o").categories] == [(3, "person", ["nose"])]


def _two_files(tmp_path: Path, second: str, images: list[dict[str, Any]], annotations: Any) -> Path:
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "p", "keypoints": ["n", "l", "r"], "skeleton": []}]
    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    first = {
        "images": [{"id": 1, "file_name": "1.jpg", "width": 10, "height": 10}],
        "categories": cats,
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0}],
    }
    (folder / "instances_train.json").write_text(json.dumps(first))
    doc = (
        annotations
        if second.startswith("results")
        else {"images": images, "categories": cats, "annotations": annotations}
    )
    (folder / second).write_text(json.dumps(doc))
    return tmp_path / "ds"


def test_keypoints_of_another_image_are_not_merged_into_an_instance_of_the_same_id(tmp_path: Path) -> None:
    kp = [
        {
            "id": 1,
            "image_id": 2,
            "category_id": 2,
            "bbox": [1, 1, 3, 3],
            "keypoints": [1, 1, 2, 2, 2, 2, 3, 3, 2],
            "num_keypoints": 3,
            "area": 9,
            "iscrowd": 0,
        }
    ]
    src = _two_files(
        tmp_path, "person_keypoints_train.json", [{"id": 2, "file_name": "2.jpg", "width": 20, "height": 20}], kp
    )
    ds = labelkit.load(src)  # was: one object, image 1's instance given image 2's keypoints
    objects = sorted(ds.objects(), key=lambda o: o.item_id)
    assert [(o.item_id, o.category_id, o.keypoints is not None) for o in objects] == [("1", 1, False), ("2", 2, True)]
    assert len({o.id for o in objects}) == 2
    labelkit.save(ds, tmp_path / "out", "coco")
    for name in ("instances_train.json", "person_keypoints_train.json"):
        assert _load(tmp_path / "out/annotations" / name) == _load(src / "annotations" / name), name


def test_an_image_listed_again_with_another_file_name_is_refused(tmp_path: Path) -> None:
    src = _two_files(
        tmp_path, "captions_train.json", [{"id": 1, "file_name": "other.jpg", "width": 10, "height": 10}], []
    )
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.path == str(src / "annotations/captions_train.json")
    assert err.value.location.pointer == "/images/0"
    assert "image 1 differs from the one instances_train.json lists" in err.value.one_line()


def test_detection_results_beside_instances_get_ids_of_their_own(tmp_path: Path) -> None:
    results = [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}]
    src = _two_files(tmp_path, "results_train.json", [], results)
    ds = labelkit.load(src)
    assert sorted(o.id for o in ds.objects()) == ["1", "results/1"]  # was: two objects with id 1
    labelkit.save(ds, tmp_path / "o.labelkit.json", "labelkit")
    assert len(list(labelkit.load(tmp_path / "o.labelkit.json").objects())) == 2


def test_a_panoptic_file_in_a_folder_is_noted_as_not_read(tmp_path: Path) -> None:
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_val.json").write_bytes(INSTANCES.read_bytes())
    (src / "annotations/panoptic_val.json").write_text('{"images": [], "annotations": [], "categories": []}')
    report = labelkit.convert(src, tmp_path / "o", "coco", allow_loss=True)  # was: skipped without a word
    assert "panoptic_val.json not read: COCO panoptic is not supported (its segments live in PNG files)" in report.notes
    note = "panoptic_val.json not read: COCO panoptic is not supported (its segments live in PNG files)"
    result = CliRunner().invoke(cli, ["info", str(src)])
    assert result.exit_code == 0 and result.output.splitlines()[-1] == f"note: {note}"  # was: not shown
    result = CliRunner().invoke(cli, ["info", "--json", str(src)])
    assert json.loads(result.output)["notes"] == [note]


def test_a_caption_results_file_is_noted_in_a_folder_and_refused_alone(tmp_path: Path) -> None:
    """cocoapi's captions_val2014_fakecap_results.json (image ids and captions, no score) was taken for detection
    results and refused at #/0/score, failing the whole folder."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_val.json").write_bytes(INSTANCES.read_bytes())
    results = src / "annotations/captions_val2014_fakecap_results.json"
    results.write_text('[{"image_id": 1, "caption": "a thing"}]')
    note = (
        "captions_val2014_fakecap_results.json not read: COCO caption results are not supported (labelkit reads "
        "detection and keypoint results)"
    )
    assert labelkit.load(src).read_notes == [note]
    assert labelkit.validate(src) == []
    with pytest.raises(InputError) as err:
        labelkit.load(results)
    assert (err.value.location.path, err.value.message) == (str(results), "COCO caption results are not supported")


@pytest.mark.parametrize(
    "caption",
    [
        {"image_id": 1, "caption": "a cat", "score": 0.9},
        {"image_id": 1, "category_id": 1, "caption": "a cat", "score": 0.9},
        {"image_id": 1, "category_id": 1, "caption": "a cat", "score": 0.9, "bbox": [0, 0, 1, 1]},
    ],
)
def test_a_caption_in_a_results_file_is_refused_as_caption_results(tmp_path: Path, caption: dict[str, Any]) -> None:
    """A results list holding a caption with a score was read as a transcript (exit 0), though the README says
    caption results are not supported (and pycocotools' ``loadRes`` takes such a list for caption results); it is
    refused now in those words at that annotation, and validate finds it there (with a category too, which the
    schema takes)."""
    detection = {"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}
    path = _write(tmp_path, [detection, caption], "results_val.json")
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == (
        f"{path}#/1: COCO caption results are not supported; hint: labelkit reads detection and keypoint results "
        "(annotations with a score), not captions given per image"
    )
    assert "#/1" in [f.where for f in labelkit.validate(path) if f.message == "COCO caption results are not supported"]
    converted = CliRunner().invoke(cli, ["convert", str(path), str(tmp_path / "o.labelkit.json"), "--to", "labelkit"])
    assert converted.exit_code == 2


_IMG = {"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}
_CAT = {"id": 1, "name": "c"}


@pytest.mark.parametrize(
    ("name", "doc", "first"),
    [
        ("results_val.json", [{"image_id": 1, "caption": "x"}], "/0"),
        ("results_val.json", [{"bbox": [0, 0, 1, 1]}], "/0/image_id"),
        ("results_val.json", [{"image_id": "1", "category_id": "2", "score": "s"}], "/0/image_id"),
        (
            "instances_val.json",
            {"images": [_IMG], "categories": [_CAT], "annotations": [{"bbox": [0, 0, 1, 1]}]},
            "/annotations/0/image_id",
        ),
        (
            "instances_val.json",
            {
                "images": [_IMG],
                "categories": [_CAT],
                "annotations": [{"id": 1.5, "image_id": "x", "category_id": None, "bbox": [0, 0, 1, 1]}],
            },
            "/annotations/0/id",
        ),
        (
            "instances_val.json",
            {"images": [{"file_name": "a.jpg"}], "categories": [_CAT], "annotations": []},
            "/images/0/id",
        ),
        (
            "instances_val.json",
            {
                "images": [_IMG],
                "categories": [_CAT],
                "annotations": [
                    {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1], "segmentation": "9", "area": -1}
                ],
            },
            "/annotations/0/segmentation",
        ),
    ],
)
def test_validates_first_finding_in_a_record_is_the_one_convert_names(
    tmp_path: Path, name: str, doc: Any, first: str
) -> None:
    """A record's findings went by field name (``category_id`` before ``image_id``, ``area`` before
    ``segmentation``), so validate's first was not the problem convert names, as the README says it is; they go in
    the order reading checks the fields now."""
    path = _write(tmp_path, doc, name)
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == first
    assert labelkit.validate(path)[0].where == "#" + first


@pytest.mark.parametrize("v", [3, -1, 1.5])
def test_a_keypoint_visibility_other_than_0_1_2_is_a_finding(v: float, tmp_path: Path) -> None:
    doc = _load(INSTANCES)
    doc["annotations"][4]["keypoints"] = [5, 5, 2, 6, 4.5, v, 0, 0, 0]  # was: read without a word
    doc["annotations"][4]["num_keypoints"] = 2
    path = _write(tmp_path, doc)
    findings = coco.validate(path)
    assert [(f.where, f.message) for f in findings] == [
        ("#/annotations/4/keypoints/5", f"keypoint visibility must be 0, 1 or 2 (found {v:g})")
    ]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == "/annotations/4/keypoints/5"


def test_a_detections_keypoint_scores_are_read_and_written_back(tmp_path: Path) -> None:
    """In a results file the third number of a keypoint is the detector's score: it was a finding."""
    path = tmp_path / "results_val.json"
    dets = [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9, "keypoints": [2, 2, 0.87, 3, 3, 0.1]}]
    path.write_text(json.dumps(dets))
    assert coco.validate(path) == []
    report = labelkit.convert(path, tmp_path / "o", "coco")
    assert report.lost == []
    assert _load(tmp_path / "o/annotations/results_val.json")[0]["keypoints"] == [2, 2, 0.87, 3, 3, 0.1]


def test_keypoint_visibilities_coco_cannot_hold_are_lost_and_written_as_0_or_2(tmp_path: Path) -> None:
    """They were written as they were, so that labelkit's own reader then refused the file."""
    ds = Dataset(categories=[Category(id=1, name="p", keypoints=["a", "b", "c"])])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=100, height=80)))
    ds.add(
        Object(id="1", item_id="1", category_id=1, bbox=(1.0, 1.0, 9.0, 9.0), keypoints=[2, 2, 1.5, 3, 3, -1, 4, 4, 1])
    )
    with pytest.raises(DataLossError, match="2 keypoint visibilities other than 0, 1 or 2"):
        labelkit.save(ds, tmp_path / "refused", "coco")
    assert not (tmp_path / "refused").exists()
    labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    (ann,) = _load(tmp_path / "o/annotations/instances_val.json")["annotations"]
    assert ann["keypoints"] == [2, 2, 2, 3, 3, 0, 4, 4, 1] and ann["num_keypoints"] == 2
    assert coco.validate(tmp_path / "o") == []


def test_a_box_of_negative_size_is_lost_not_written(tmp_path: Path) -> None:
    """It was written as it was (with a negative area), and labelkit's own reader then refused the file."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=100, height=100)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(50.0, 50.0, -20.0, 10.0)))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(50.0, 50.0, 20.0, -1.0), polygon=[[1, 1, 9, 1, 9, 9]]))
    with pytest.raises(DataLossError, match="would lose 1 boxes of negative width or height"):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    # (object 1, left without geometry, is lost whole: counted once, as such)
    assert [(c.what, c.count) for c in report.lost] == [
        ("boxes of negative width or height", 1),
        ("objects whose only geometry COCO's reader refuses", 1),
    ]
    (ann,) = _load(tmp_path / "o/annotations/instances_train.json")["annotations"]
    assert ann["bbox"] == [1, 1, 8, 8] and ann["segmentation"] == [[1, 1, 9, 1, 9, 9]]
    assert coco.validate(tmp_path / "o") == []


@pytest.mark.parametrize("format", ["coco", None])
def test_a_folder_with_both_the_standard_and_the_roboflow_layout_is_refused(tmp_path: Path, format: str | None) -> None:
    """Detected too: without ``--from coco`` it was "no format recognises this input", the layouts unnamed."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    (src / "train").mkdir()
    (src / "annotations/instances_val.json").write_bytes(INSTANCES.read_bytes())
    (src / "train/_annotations.coco.json").write_bytes(INSTANCES.read_bytes())
    with pytest.raises(InputError) as err:  # was: the Roboflow split left out without a word
        labelkit.load(src, format)
    assert err.value.location.path == str(src)
    assert err.value.message == "two COCO layouts in one folder"
    assert err.value.found == "annotations/instances_val.json and train/_annotations.coco.json"


def test_an_annotation_on_an_image_its_file_does_not_list_is_written_with_its_image(tmp_path: Path) -> None:
    from labelkit.model import Object, Transcript

    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 10, "height": 10} for i in (1, 2)]
    cats = [{"id": 1, "name": "a"}]
    box = {"bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0}
    instances = {
        "images": images,
        "categories": cats,
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, **box}],
    }
    captions = {"images": images[:1], "annotations": [{"id": 5, "image_id": 1, "caption": "one"}]}
    (folder / "instances_train.json").write_text(json.dumps(instances))
    (folder / "captions_train.json").write_text(json.dumps(captions))
    ds = labelkit.load(tmp_path / "ds")
    ds.add(Transcript(id="6", item_id="2", text="two"), Object(id="7", item_id="2", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "out", "coco")  # was: the caption on image 2 in no file, reported written
    assert report.written == {"items": 2, "object annotations": 2, "transcript annotations": 2}
    back = labelkit.load(tmp_path / "out")
    assert sorted(t.text for t in back.transcripts()) == ["one", "two"] and len(list(back.objects())) == 2
    written = _load(tmp_path / "out/annotations/captions_train.json")
    assert [i["id"] for i in written["images"]] == [1, 2]


def _stuff_folder(root: Path) -> Path:
    """instances and stuff files per split, each listing its own images (as COCO's stuff files do)."""
    (root / "annotations").mkdir(parents=True)
    cats = [{"id": 1, "name": "person"}, {"id": 2, "name": "sky"}]

    def img(i: int) -> dict[str, Any]:
        return {"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 100}

    def ann(i: int, image: int, cat: int) -> dict[str, Any]:
        return {"id": i, "image_id": image, "category_id": cat, "bbox": [1, 1, 10, 10], "area": 100, "iscrowd": 0}

    files = {
        "instances_train": ([img(1), img(2)], [ann(1, 1, 1), ann(2, 2, 1)]),
        "stuff_train": ([img(2), img(3)], [ann(3, 2, 2), ann(4, 3, 2)]),
        "instances_val": ([img(10), img(11)], [ann(5, 10, 1), ann(6, 11, 2)]),
        "stuff_val": ([img(10), img(11), img(12)], [ann(7, 11, 2)]),
    }
    for name, (images, anns) in files.items():
        (root / "annotations" / f"{name}.json").write_text(
            json.dumps({"images": images, "annotations": anns, "categories": cats})
        )
    return root


@pytest.mark.parametrize("change", ["move 11 to train", "move 12 to train", "object on 3", "label on 1"])
def test_edits_of_a_dataset_of_several_coco_files_are_all_written(change: str, tmp_path: Path) -> None:
    """Each file lists its own images; what the dataset gained since goes to a file of its own kind, with its image."""
    import pyarrow as pa

    from labelkit.model import Label, Object

    ds = labelkit.load(_stuff_folder(tmp_path / "in"))
    if change.startswith("move"):
        item = change.split()[1]
        items = ds.table("items")
        pairs = zip(items["id"].to_pylist(), items["split"].to_pylist(), strict=True)
        splits = ["train" if i == item else s for i, s in pairs]
        ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(splits)))
    elif change == "object on 3":
        ds.add(Object(id="new", item_id="3", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)))
    else:
        ds.add(Label(id="new", item_id="1", category_id=1))
    report = labelkit.save(ds, tmp_path / "out", "coco")  # was: an object, image or label in no file
    back = labelkit.load(tmp_path / "out")
    assert report.written["items"] == len(back) == len(ds)
    assert sorted((o.item_id, o.category_id) for o in back.objects()) == sorted(
        (o.item_id, o.category_id) for o in ds.objects()
    )
    assert len(list(back.labels())) == len(list(ds.labels()))


def test_a_keypoints_annotation_of_no_instance_stays_in_its_file_beside_stuff(tmp_path: Path) -> None:
    root = _stuff_folder(tmp_path / "in")
    cats = [{"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}]
    kp = {"id": 9, "image_id": 1, "category_id": 1, "bbox": [2, 2, 4, 4], "keypoints": [3, 3, 2], "num_keypoints": 1}
    doc = {"images": [{"id": 1, "file_name": "1.jpg", "width": 100, "height": 100}], "annotations": [kp]}
    (root / "annotations/person_keypoints_train.json").write_text(json.dumps({**doc, "categories": cats}))
    ds = labelkit.load(root)
    labelkit.save(ds, tmp_path / "out", "coco")
    written = _load(tmp_path / "out/annotations/person_keypoints_train.json")
    assert 9 in [a["id"] for a in written["annotations"]]  # (was in no file with a stuff file beside)


def test_validate_leaves_a_folders_panoptic_files_out_as_reading_does(tmp_path: Path) -> None:
    """Their schema findings (panoptic annotations have no id) hid every semantic finding of the other files."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    doc = _load(INSTANCES)
    doc["annotations"][0]["category_id"] = 999
    (src / "annotations/instances_val.json").write_text(json.dumps(doc))
    panoptic = {
        "images": [],
        "categories": [],
        "annotations": [{"image_id": 1, "file_name": "1.png", "segments_info": []}],
    }
    (src / "annotations/panoptic_val.json").write_text(json.dumps(panoptic))
    findings = labelkit.validate(src)
    assert [(Path(f.path).name, f.where, f.message) for f in findings] == [
        ("instances_val.json", "#/annotations/0/category_id", "unknown category id 999")
    ]
    alone = labelkit.validate(src / "annotations/panoptic_val.json")  # was: its schema findings
    assert [(Path(f.path).name, f.where, f.message) for f in alone] == [
        ("panoptic_val.json", "", "COCO panoptic is not supported")
    ]


def test_detection_results_written_back_report_no_polygon_or_file_name(tmp_path: Path) -> None:
    """A results file lists neither segmentations nor images: nothing was transformed (the report said two)."""
    from labelkit.model import Category, Item, Media, Object

    report = labelkit.convert(FIXTURE / "results_val.json", tmp_path / "o", to="coco")
    assert report.transformed == [] and report.lost == []
    ds = labelkit.load(FIXTURE / "results_val.json")
    ds.categories.extend([Category(id=3, name="person"), Category(id=9, name="car")])  # (an instances file lists them)
    ds.add_item(Item(id="extra", media=Media(path=None, width=4, height=4), split="other"))
    ds.add(Object(id="x", item_id="extra", category_id=9, bbox=(0.0, 0.0, 1.0, 1.0)))
    report = labelkit.save(ds, tmp_path / "o2", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("item ids", 1),  # (item extra reads back as its image id)
        ("boxes", 1),
        ("items without a file name", 1),
        ("annotation ids", 1),  # (object x reads back with the number it was given)
    ]
    assert labelkit.load(tmp_path / "o2").report_counts() == report.written


def test_annotations_outside_results_files_of_a_dataset_without_categories_are_reported_lost(tmp_path: Path) -> None:
    """Detection results define no categories; a file listing its categories was written with none, and
    could not be read back."""
    from labelkit.model import Item, Media, Object

    ds = labelkit.load(FIXTURE / "results_val.json")
    ds.add_item(Item(id="extra", media=Media(path="e.jpg", width=4, height=4), split="other"))
    ds.add(Object(id="x", item_id="extra", category_id=9, bbox=(0.0, 0.0, 1.0, 1.0)))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost] == [
        ("object annotations of undefined categories", 1)
    ]
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert labelkit.load(tmp_path / "o").report_counts() == report.written


def test_validate_of_a_folder_of_panoptic_files_only_is_the_error_reading_gives(tmp_path: Path) -> None:
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations/panoptic_val.json").write_text('{"images": [], "annotations": [], "categories": []}')
    assert [(f.where, f.message) for f in labelkit.validate(tmp_path)] == [
        ("", "no readable COCO files (panoptic files are not supported)")
    ]  # was: ok


def test_labels_on_a_detection_results_split_are_reported_lost(tmp_path: Path) -> None:
    """A results file is a list of objects: the label was dropped while the report said it was written."""
    from labelkit.errors import DataLossError
    from labelkit.model import Label

    ds = labelkit.load(FIXTURE / "results_val.json")
    ds.add(Label(id="l", item_id="7", category_id=9))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("label annotations", 1)]
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert report.written == {"items": 2, "object annotations": 2}
    assert sorted(p.name for p in (tmp_path / "o" / "annotations").iterdir()) == ["results_val.json"]


@pytest.mark.parametrize("change", ["caption moved", "label added", "object on image_info"])
def test_a_kind_with_no_file_in_a_split_whose_files_list_every_image_gets_one(change: str, tmp_path: Path) -> None:
    """Files listing their whole split took the fast path, which never added a file: the annotation was in none.

    (It was counted as written all the same.)
    """
    import pyarrow as pa

    from labelkit.model import Label, Object

    root = tmp_path / "in"
    shutil.copytree(FIXTURE / "annotations", root)
    (root / "labels_val.json").unlink()
    train = {"images": [{"id": 99, "file_name": "t.jpg", "width": 10, "height": 10}], "categories": []}
    task = "image_info" if change == "object on image_info" else "instances"
    (root / f"{task}_train.json").write_text(json.dumps({**train, "annotations": []}))
    ds = labelkit.load(root)
    if change == "caption moved":  # item 7 has a caption; train has an instances file only
        items = ds.table("items")
        pairs = zip(items["id"].to_pylist(), items["split"].to_pylist(), strict=True)
        splits = ["train" if i == "7" else s for i, s in pairs]
        ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(splits)))
    elif change == "label added":
        ds.add(Label(id="new", item_id="99", category_id=9))
    else:
        ds.add(Object(id="new", item_id="99", category_id=9, bbox=(1.0, 1.0, 5.0, 5.0)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    name = {"caption moved": "captions", "label added": "labels", "object on image_info": "instances"}[change]
    written = _load(tmp_path / "out" / "annotations" / f"{name}_train.json")
    if change == "caption moved":
        assert [(a["image_id"], a["caption"]) for a in written["annotations"]] == [(7, "A red car beside a thing.")]
    else:
        assert [(a["id"], a["image_id"], a["category_id"]) for a in written["annotations"]] == [(1, 99, 9)]
    assert report.written == labelkit.load(tmp_path / "out").report_counts() == ds.report_counts()


def _img(i: int) -> dict[str, Any]:
    return {"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 100}


def _ann(i: int, image: int, category: int, **more: Any) -> dict[str, Any]:
    return {
        "id": i,
        "image_id": image,
        "category_id": category,
        "bbox": [1, 1, 10, 10],
        "area": 100,
        "iscrowd": 0,
        **more,
    }


_PERSON = {"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}


def _files(root: Path, files: dict[str, Any]) -> Path:
    (root / "annotations").mkdir(parents=True)
    for name, doc in files.items():
        (root / "annotations" / f"{name}.json").write_text(json.dumps(doc))
    return root


@pytest.mark.parametrize(("to", "options"), [("yolo", {"task": "pose"}), ("voc", {})])
def test_keypoint_names_of_another_file_are_reported_lost_by_a_target_of_one_list_a_category(
    tmp_path: Path, to: str, options: dict[str, str]
) -> None:
    """person_keypoints_val.json names person's points [left_hand, right_hand], train's [nose, eye]: COCO keeps
    each file's, YOLO pose wrote train's for every split (val's hands read back as nose and eye) with only a note
    that the dataset info carries coco:files."""
    person = {"id": 1, "name": "person", "keypoints": ["nose", "eye"], "skeleton": []}
    point = {"keypoints": [2, 2, 2, 3, 3, 2], "num_keypoints": 2}
    src = _files(
        tmp_path / "in",
        {
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 1, **point)],
                "categories": [person],
            },
            "person_keypoints_val": {
                "images": [_img(2)],
                "annotations": [_ann(2, 2, 1, **point)],
                "categories": [{**person, "keypoints": ["left_hand", "right_hand"]}],
            },
        },
    )
    lost = "1 categories' keypoint names of other COCO files"
    with pytest.raises(DataLossError) as err:
        labelkit.convert(src, tmp_path / "out", to, **options)
    assert [str(c) for c in err.value.report.lost if str(c).startswith(lost)] == [
        f"{lost}: {'YOLO pose' if to == 'yolo' else 'Pascal VOC'} keeps one list of keypoint names a category: the "
        "first file's, the category's"
    ]
    assert not [c for c in labelkit.convert(src, tmp_path / "coco", "coco").lost if str(c).startswith(lost)]


def _move(ds: labelkit.Dataset, item: str, split: str) -> None:
    import pyarrow as pa

    items = ds.table("items")
    pairs = zip(items["id"].to_pylist(), items["split"].to_pylist(), strict=True)
    splits = [split if i == item else s for i, s in pairs]
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(splits)))


def _objects_of(ds: labelkit.Dataset) -> list[tuple[str, int | None, tuple[float, ...] | None, bool]]:
    return sorted((o.item_id, o.category_id, o.bbox, o.keypoints is not None) for o in ds.objects())


def test_an_object_in_the_instances_and_keypoints_files_has_one_id_in_both(tmp_path: Path) -> None:
    """Ids were numbered per file: with an object of a non-numeric id added, the person was 1 in the instances
    file and 5 in the keypoints file, read back as two objects."""
    from labelkit.model import Object

    a = _ann(5, 1, 1, segmentation=[[1, 1, 11, 1, 11, 11, 1, 11]])
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {
                "images": [_img(1)],
                "annotations": [a],
                "categories": [_PERSON, {"id": 2, "name": "car"}],
            },
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [{**a, "keypoints": [5, 5, 2], "num_keypoints": 1}],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    ds.add(Object(id="new", item_id="1", category_id=2, bbox=(20.0, 20.0, 5.0, 5.0)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    back = labelkit.load(tmp_path / "out")
    assert report.written == back.report_counts() == {"items": 1, "object annotations": 2}
    assert _objects_of(back) == _objects_of(ds)


def test_a_keypoints_record_of_empty_segmentation_joins_its_instance_s_polygon_and_writes_back(tmp_path: Path) -> None:
    """A keypoints file whose records say ``"segmentation": []`` (some tools write them so) beside the instances
    file's polygon: the joined object held the polygon and the keypoints record's carried ``[]``, and COCO -> COCO
    was refused ('extras named as their record's own fields'); labelkit JSON carried the second segmentation."""
    a = _ann(5, 1, 1, segmentation=[[1, 1, 11, 1, 11, 11, 1, 11]])
    kp = {**a, "segmentation": [], "keypoints": [5, 5, 2], "num_keypoints": 1}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [a], "categories": [_PERSON]},
            "person_keypoints_train": {"images": [_img(1)], "annotations": [kp], "categories": [_PERSON]},
        },
    )
    ds = labelkit.load(src)
    (obj,) = ds.objects()
    assert obj.polygon is not None and "coco:segmentation" not in obj.extras
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == []
    back = json.loads((tmp_path / "out/annotations/person_keypoints_train.json").read_text())["annotations"]
    assert [x["segmentation"] for x in back] == [a["segmentation"]]  # (the instance's: the note on reading says so)


def test_the_keypoints_file_s_attributes_are_kept_as_the_read_note_says(tmp_path: Path) -> None:
    """'the keypoints file's are kept', said the note of a keypoints annotation whose attributes differ from its
    instance's: its extras were, its attributes were the instance's, and the keypoints file's dropped."""
    a = {**_ann(5, 1, 1, segmentation=[[1, 1, 11, 1, 11, 11, 1, 11]]), "attributes": {"occluded": False}}
    kp = {**a, "keypoints": [5, 5, 2], "num_keypoints": 1, "attributes": {"occluded": False, "pose": "standing"}}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [a], "categories": [_PERSON]},
            "person_keypoints_train": {"images": [_img(1)], "annotations": [kp], "categories": [_PERSON]},
        },
    )
    ds = labelkit.load(src)
    assert [o.attributes for o in ds.objects()] == [{"occluded": False, "pose": "standing"}]
    assert any("the keypoints file's are kept" in n for n in ds.read_notes)
    labelkit.save(ds, tmp_path / "out", "coco")
    back = json.loads((tmp_path / "out/annotations/person_keypoints_train.json").read_text())["annotations"]
    assert [x["attributes"] for x in back] == [kp["attributes"]]


def test_a_keypoints_file_beside_instances_holds_its_posed_objects(tmp_path: Path) -> None:
    """A person without keypoints went to the keypoints file too, beside a keypoints-only object of its id."""
    dog = {"id": 4, "name": "dog", "keypoints": ["snout"], "skeleton": []}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {
                "images": [_img(1)],
                "annotations": [_ann(5, 1, 1), _ann(6, 1, 1)],
                "categories": [_PERSON, dog],
            },
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [
                    _ann(6, 1, 1, keypoints=[5, 5, 2], num_keypoints=1),
                    _ann(5, 1, 4, keypoints=[7, 7, 2], num_keypoints=1),
                ],
                "categories": [_PERSON, dog],
            },
        },
    )
    ds = labelkit.load(src)
    labelkit.save(ds, tmp_path / "out", "coco")
    assert [a["id"] for a in _load(tmp_path / "out/annotations/person_keypoints_train.json")["annotations"]] == [6, 5]
    assert _objects_of(labelkit.load(tmp_path / "out")) == _objects_of(ds)  # was: duplicate annotation id 5


@pytest.mark.parametrize("moved", ["stuff", "keypoints-only"])
def test_an_object_moved_to_a_split_without_its_kind_of_file_is_written(tmp_path: Path, moved: str) -> None:
    """It went to the instances file (its home there), whose filter left out objects tagged with another file."""
    sky = {"id": 2, "name": "sky"}
    if moved == "stuff":
        files = {
            "instances_train": {"images": [_img(1)], "annotations": [_ann(1, 1, 1)], "categories": [_PERSON, sky]},
            "stuff_train": {"images": [_img(1)], "annotations": [_ann(2, 1, 2)], "categories": [sky]},
            "instances_val": {"images": [_img(10)], "annotations": [_ann(10, 10, 1)], "categories": [_PERSON, sky]},
            "person_keypoints_val": {
                "images": [_img(10)],
                "annotations": [_ann(10, 10, 1, keypoints=[2, 2, 2], num_keypoints=1)],
                "categories": [_PERSON],
            },
        }
    else:
        files = {
            "instances_train": {"images": [_img(1)], "annotations": [_ann(6, 1, 2)], "categories": [_PERSON, sky]},
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [_ann(7, 1, 1, keypoints=[2, 2, 2], num_keypoints=1)],
                "categories": [_PERSON],
            },
            "instances_val": {"images": [_img(10)], "annotations": [_ann(10, 10, 1)], "categories": [_PERSON, sky]},
            "stuff_val": {"images": [_img(10)], "annotations": [_ann(11, 10, 2)], "categories": [sky]},
        }
    ds = labelkit.load(_files(tmp_path / "in", files))
    _move(ds, "1", "val")
    report = labelkit.save(ds, tmp_path / "out", "coco")
    back = labelkit.load(tmp_path / "out")
    assert report.written == back.report_counts() and _objects_of(back) == _objects_of(ds)


def _one_car_folder(root: Path) -> Path:
    """An annotations folder of one val image with one car."""
    car = {"id": 2, "name": "car"}
    return _files(root, {"instances_val": {"images": [_img(1)], "annotations": [_ann(1, 1, 2)], "categories": [car]}})


def test_detections_beside_ground_truth_go_back_to_their_own_file(tmp_path: Path) -> None:
    """Both files were written with every object: each round trip doubled them, detections in the instances
    file and ground truth (without a score) in the results file."""
    src = _one_car_folder(tmp_path / "in")
    results = [{"image_id": 1, "category_id": 2, "bbox": [3, 3, 5, 5], "score": 0.9}]
    (src / "annotations/results_val.json").write_text(json.dumps(results))
    ds = labelkit.load(src)
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _load(tmp_path / "out/annotations/results_val.json") == results
    assert [a["id"] for a in _load(tmp_path / "out/annotations/instances_val.json")["annotations"]] == [1]
    assert labelkit.load(tmp_path / "out").report_counts() == {"items": 1, "object annotations": 2}


@pytest.mark.parametrize("task", ["captions", "labels", "image_info"])
def test_boxes_in_another_file_beside_detections_go_to_an_instances_file_not_the_results_file(
    tmp_path: Path, task: str
) -> None:
    """Boxes read from a captions, labels or image info file beside a detection-results file were written into the
    results file, without a score: the output did not read back (``#/0/score: missing required field``)."""
    src = _files(
        tmp_path / "in",
        {f"{task}_val": {"images": [_img(1)], "annotations": [_ann(5, 1, 1)], "categories": [{"id": 1, "name": "a"}]}},
    )
    results = [{"image_id": 1, "category_id": 1, "bbox": [3, 3, 5, 5], "score": 0.9}]
    (src / "annotations/results_val.json").write_text(json.dumps(results))
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == []
    assert _load(tmp_path / "out/annotations/results_val.json") == results
    written = _load(tmp_path / "out/annotations/instances_val.json")["annotations"]
    assert [(a["id"], a["bbox"], "score" in a) for a in written] == [(5, [1, 1, 10, 10], False)]
    back = labelkit.load(tmp_path / "out")
    assert sorted((o.bbox, o.score) for o in back.objects()) == [((1, 1, 10, 10), None), ((3, 3, 5, 5), 0.9)]


def test_an_image_of_a_results_file_none_of_whose_detections_is_written_is_reported_lost(tmp_path: Path) -> None:
    """A results file lists no images: an image whose only detection was lost (no geometry) was counted written."""
    src = tmp_path / "in" / "annotations" / "results_val.json"
    src.parent.mkdir(parents=True)
    detections = [
        {"image_id": 1, "category_id": 1, "bbox": None, "score": 0.9},
        {"image_id": 2, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5},
    ]
    src.write_text(json.dumps(detections))
    # (read from COCO, the detection of a null bbox is written back as it was read)
    assert labelkit.convert(tmp_path / "in", tmp_path / "as_read", to="coco").lost == []
    assert _load(tmp_path / "as_read/annotations/results_val.json") == detections
    ds = labelkit.load(tmp_path / "in")
    objects = ds.table("objects")  # the null bbox it carried taken away: a detection of no geometry
    objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", pa.nulls(2, pa.string()))
    ds = Dataset.from_tables({**ds.tables(), "objects": objects}, ds.categories, ds.info)
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("objects without a box, polygon, mask or labelled keypoints", 1),
        ("images none of whose detections is written", 1),
    ]
    assert report.written == {"items": 1, "object annotations": 1}
    assert labelkit.load(tmp_path / "out").report_counts() == report.written
    assert _load(tmp_path / "out/annotations/results_val.json") == detections[1:]


@pytest.mark.parametrize("task", ["instances", "captions", "labels", "person_keypoints"])
def test_a_file_read_without_annotations_is_written_without_them_unless_it_gains_some(
    tmp_path: Path, task: str
) -> None:
    """COCO -> COCO added ``"annotations": []`` to a file that had no such key (a file of images and categories)."""
    from labelkit.model import Object

    doc = {"info": {}, "images": [_img(1)], "categories": [{"id": 1, "name": "a", "keypoints": [], "skeleton": []}]}
    src = _files(tmp_path / "in", {f"{task}_val": doc})
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert _load(tmp_path / f"out/annotations/{task}_val.json") == doc
    if task != "instances":
        return
    ds = labelkit.load(src)
    ds.add(Object(id="4", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "gained", "coco")
    written = _load(tmp_path / "gained/annotations/instances_val.json")
    assert list(written) == ["info", "images", "annotations", "categories"]
    assert [a["id"] for a in written["annotations"]] == [4]


def test_a_file_of_categories_only_is_written_back_as_read(tmp_path: Path) -> None:
    """A file listing no images, of a split no other file gives images (``instances_train.json`` beside
    ``captions_val.json``), was dropped, its categories moved into a file of the other split."""
    categories_only = {"info": {}, "images": [], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    captions = {"images": [_img(1)], "annotations": [{"id": 1, "image_id": 1, "caption": "x"}]}
    for name in ("instances_train", "instances_val"):
        src = _files(tmp_path / name / "in", {name: categories_only, "captions_val": captions})
        labelkit.convert(src, tmp_path / name / "out", to="coco")
        written = sorted(p.name for p in (tmp_path / name / "out/annotations").iterdir())
        assert written == sorted([f"{name}.json", "captions_val.json"])
        assert _load(tmp_path / name / f"out/annotations/{name}.json") == categories_only
        assert _load(tmp_path / name / "out/annotations/captions_val.json") == captions


def test_categories_of_a_results_document_are_reported_lost(tmp_path: Path) -> None:
    """A ``results_<split>.json`` that is a document lists categories; written back as a detection list (which
    lists none), they were dropped without a word."""
    doc = {"images": [_img(1)], "categories": [{"id": 1, "name": "car"}], "annotations": [_ann(1, 1, 1, score=0.5)]}
    src = _files(tmp_path / "in", {"results_val": doc})
    with pytest.raises(DataLossError, match=r"would lose 1 image file names, .* \(and 1 more\)"):
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert not (tmp_path / "out").exists()
    report = labelkit.convert(src, tmp_path / "out", to="coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("image file names, sizes and metadata", 1), ("categories", 1)]
    assert labelkit.load(tmp_path / "out").categories == []
    # a detection list defines none: nothing to lose
    assert labelkit.convert(tmp_path / "out", tmp_path / "again", to="coco").lost == []


def test_the_images_a_results_document_lists_are_read(tmp_path: Path) -> None:
    """A ``results_<split>.json`` that is a document lists its images: they were passed over, silently, so an
    image without detections vanished and the others lost their file names and sizes; a COCO -> COCO write
    then reported no loss. They are read, as an image info file's are, and the write reports what it drops."""
    doc = {
        "images": [_img(1), _img(2)],
        "categories": [{"id": 1, "name": "car"}],
        "annotations": [_ann(1, 1, 1, score=0.5)],
    }
    src = _files(tmp_path / "in", {"results_val": doc})
    ds = labelkit.load(src)
    assert [(i.id, i.split, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [
        ("1", "val", "1.jpg", 100, 100),
        ("2", "val", "2.jpg", 100, 100),
    ]
    assert [(o.item_id, o.score) for o in ds.objects()] == [("1", 0.5)]
    with pytest.raises(DataLossError, match="would lose 1 image file names, sizes and metadata"):
        labelkit.convert(src, tmp_path / "out", to="coco")
    report = labelkit.convert(src, tmp_path / "out", to="coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("image file names, sizes and metadata", 1),
        ("images without detections", 1),
        ("categories", 1),
    ]
    assert report.written == {"items": 1, "object annotations": 1}
    # a detection naming an image the document does not list is found, as one beside ground truth is
    doc["annotations"] = [_ann(1, 3, 1, score=0.5)]
    src = _files(tmp_path / "in2", {"results_val": doc})
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/image_id"
    assert err.value.message == "unknown image id 3"


def test_a_results_file_whose_image_ids_another_split_uses_keeps_both_images(tmp_path: Path) -> None:
    """A results file lists no images, so its image ids were not compared: val image 1 became the results item."""
    src = _one_car_folder(tmp_path / "in")
    (src / "annotations/results_train.json").write_text(
        json.dumps([{"image_id": 1, "category_id": 2, "bbox": [3, 3, 5, 5], "score": 0.9}])
    )
    ds = labelkit.load(src)
    assert sorted((i.id, i.split, i.media.path) for i in ds.items()) == [
        ("train/1", "train", None),
        ("val/1", "val", "1.jpg"),
    ]


def test_categories_a_file_did_not_list_are_listed_when_its_annotations_use_them(tmp_path: Path) -> None:
    """Each file's category list was the one read: an added category made output no reader accepts."""
    from labelkit.model import Category, Object

    src = _files(
        tmp_path / "in",
        {"instances_val": {"images": [_img(1)], "annotations": [], "categories": [{"id": 1, "name": "car"}]}},
    )
    ds = labelkit.load(src)
    ds.categories.append(Category(id=7, name="bus"))
    ds.categories.append(Category(id=8, name="tram"))  # used by nothing: listed all the same
    ds.add(Object(id="1", item_id="1", category_id=7, bbox=(1.0, 1.0, 5.0, 5.0)))
    labelkit.save(ds, tmp_path / "out", "coco")
    written = _load(tmp_path / "out/annotations/instances_val.json")
    assert [c["id"] for c in written["categories"]] == [1, 7, 8]  # was: [1], and 7 unknown when read back


def test_images_of_a_results_split_without_detections_are_reported_lost(tmp_path: Path) -> None:
    """A results file lists objects only: an image with none, or an image's file name and size, vanished
    while the report counted them written."""
    from labelkit.model import Item, Media

    src = tmp_path / "in"
    src.mkdir()
    detection = {"image_id": 1, "category_id": 2, "bbox": [1, 1, 5, 5], "score": 0.9}
    (src / "results_val.json").write_text(json.dumps([detection]))
    ds = labelkit.load(src / "results_val.json")
    ds.add_item(Item(id="9", media=Media(path="b/9.jpg", width=10, height=10), split="val"))
    plan = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in plan.lost] == [("images without detections", 1)]
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert report.written == labelkit.load(tmp_path / "out").report_counts() == {"items": 1, "object annotations": 1}


def test_keypoints_of_a_category_the_keypoints_file_did_not_list_are_written_there(tmp_path: Path) -> None:
    """The instances file is written without keypoints beside a keypoints file, which kept its own
    categories: the dog's keypoints were in no file."""
    from labelkit.model import Object

    dog = {"id": 4, "name": "dog", "keypoints": ["snout"], "skeleton": []}
    a = _ann(5, 1, 1)
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [a], "categories": [_PERSON, dog]},
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [{**a, "keypoints": [5, 5, 2], "num_keypoints": 1}],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    ds.add(Object(id="6", item_id="1", category_id=4, bbox=(20.0, 20.0, 5.0, 5.0), keypoints=[22.0, 22.0, 2.0]))
    labelkit.save(ds, tmp_path / "out", "coco")
    back = labelkit.load(tmp_path / "out")
    assert sorted((o.id, o.keypoints) for o in back.objects()) == [("5", [5.0, 5.0, 2.0]), ("6", [22.0, 22.0, 2.0])]


def test_stuff_beside_instances_lists_each_files_own_categories_and_ids(tmp_path: Path) -> None:
    """Ids two files of a split share are kept (ids are unique per file); each file lists its categories only.
    Moved to a split with an instances file only, the stuff object goes there under a new id."""
    import pyarrow as pa

    ann = {"image_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0, "segmentation": [[1, 1, 5, 1, 5, 5]]}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {
                "images": [_img(1)],
                "annotations": [{**ann, "id": 1, "category_id": 1}],
                "categories": [{"id": 1, "name": "person"}],
            },
            "stuff_val": {
                "images": [_img(1)],
                "annotations": [{**ann, "id": 1, "category_id": 92}],
                "categories": [{"id": 92, "name": "banner"}],
            },
        },
    )
    labelkit.convert(src, tmp_path / "out", to="coco")
    for name in ("instances_val", "stuff_val"):  # was: both files listed both categories
        assert _load(tmp_path / f"out/annotations/{name}.json") == _load(src / f"annotations/{name}.json")
    ds = labelkit.load(src)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train"])))
    report = labelkit.save(ds, tmp_path / "moved", "coco")
    assert [a["id"] for a in _load(tmp_path / "moved/annotations/instances_train.json")["annotations"]] == [1, 2]
    assert ("annotation ids", 1) in [(c.what, c.count) for c in report.transformed]


@pytest.mark.parametrize("other", ["person_keypoints_val", "results_val"])
def test_stuff_beside_keypoints_or_results_without_instances_goes_back_to_its_own_file(
    tmp_path: Path, other: str
) -> None:
    """Without an instances file, every object file of the split got every object (stuff and keypoints alike),
    under categories the file did not list."""
    ann = {"image_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0, "segmentation": [[1, 1, 5, 1, 5, 5]]}
    person = {"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}
    posed = {**ann, "id": 1, "category_id": 1, "keypoints": [3, 3, 2], "num_keypoints": 1}
    docs: dict[str, Any] = {
        "stuff_val": {
            "images": [_img(1)],
            "annotations": [{**ann, "id": 1, "category_id": 92}],
            "categories": [{"id": 92, "name": "banner"}],
        },
        "person_keypoints_val": {"images": [_img(1)], "annotations": [posed], "categories": [person]},
        "results_val": [{"image_id": 1, "category_id": 92, "bbox": [1.0, 1.0, 2.0, 2.0], "score": 0.5}],
    }
    src = _files(tmp_path / "in", {name: docs[name] for name in ("stuff_val", other)})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.written["object annotations"] == 2
    for name in ("stuff_val", other):
        written = _load(tmp_path / f"out/annotations/{name}.json")
        if name == "results_val":  # (a results file's annotations are numbered on reading: ids are added)
            written = [{k: v for k, v in a.items() if k != "id"} for a in written]
        assert written == _load(src / f"annotations/{name}.json")


def test_other_top_level_keys_and_each_files_info_and_licenses_come_back(tmp_path: Path) -> None:
    """Detectron's ``"type"`` key was dropped, and every file took the first file's info and licenses (COCO's
    stuff files have their own)."""
    ann = {"image_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0, "segmentation": [[1, 1, 5, 1, 5, 5]]}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {
                "info": {"description": "COCO 2017 Dataset"},
                "licenses": [{"id": 1, "name": "A"}],
                "type": "instances",
                "images": [_img(1)],
                "annotations": [{**ann, "id": 1, "category_id": 1}],
                "categories": [{"id": 1, "name": "person"}],
                "tool": {"name": "x", "version": [1, 2]},
            },
            "stuff_val": {
                "info": {"description": "COCO 2017 Stuff Dataset"},
                "licenses": [{"id": 2, "name": "B"}],
                "images": [_img(1)],
                "annotations": [{**ann, "id": 1, "category_id": 92}],
                "categories": [{"id": 92, "name": "banner"}],
            },
        },
    )
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    for name in ("instances_val", "stuff_val"):
        assert _load(tmp_path / f"out/annotations/{name}.json") == _load(src / f"annotations/{name}.json")
    with pytest.raises(InputError) as err:  # the other keys' values are checked like the rest
        (src / "annotations/stuff_val.json").write_text('{"images": [], "x": [1e400]}')
        labelkit.load(src / "annotations/stuff_val.json", "coco")
    assert err.value.location.pointer == "/x/0"


def test_a_region_captions_box_and_segmentation_come_back(tmp_path: Path) -> None:
    """A caption with a box and a segmentation (a region caption) lost both without a word."""
    caption = {"id": 3, "image_id": 1, "caption": "a dog", "bbox": [1, 1, 4, 4], "segmentation": [[1, 1, 5, 1, 5, 5]]}
    src = _files(tmp_path / "in", {"captions_val": {"images": [_img(1)], "annotations": [caption]}})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    assert _load(tmp_path / "out/annotations/captions_val.json") == _load(src / "annotations/captions_val.json")


def test_a_keypoints_file_alone_keeps_its_objects_without_keypoints(tmp_path: Path) -> None:
    """Without an instances file, a person annotation of the keypoints file that had no keypoints left it for a
    new instances file (with a copy of another annotation's box and polygon)."""
    ann = {"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0}
    annotations = [
        {**ann, "id": 1, "segmentation": [[1, 1, 5, 1, 5, 5]], "keypoints": [2, 2, 2], "num_keypoints": 1},
        {**ann, "id": 2, "segmentation": [[2, 2, 6, 2, 6, 6]]},
    ]
    person = {"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}
    doc = {"images": [_img(1)], "annotations": annotations, "categories": [person]}
    src = _files(tmp_path / "in", {"person_keypoints_val": doc})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    assert sorted(p.name for p in (tmp_path / "out/annotations").iterdir()) == ["person_keypoints_val.json"]
    assert _load(tmp_path / "out/annotations/person_keypoints_val.json") == doc


def test_detections_beside_ground_truth_are_not_counted_as_boxes_given_polygons_or_clipped(tmp_path: Path) -> None:
    """A results file's detections go back to it as they were, yet the report counted them among the boxes
    given a polygon, and among those clipped to their image."""
    gt = {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2, 2, 4, 4], "area": 16, "iscrowd": 0}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "categories": [{"id": 1, "name": "cat"}], "annotations": [gt]},
            "results_val": [
                {"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9},
                {"image_id": 1, "category_id": 1, "bbox": [-0.5, 1, 4, 4], "score": 0.5},  # just outside its image
            ],
        },
    )
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.transformed == [] and report.lost == []
    written = [{k: v for k, v in a.items() if k != "id"} for a in _load(tmp_path / "out/annotations/results_val.json")]
    assert written == _load(src / "annotations/results_val.json")


@pytest.mark.parametrize(
    ("detection", "where", "message"),
    [
        ({"image_id": 55, "bbox": [1, 1, 2, 2]}, "#/0/image_id", "unknown image id 55"),
        # (validate passed it; convert reported it lost, to COCO and to labelkit JSON alike)
        ({"image_id": 1, "bbox": [1, 1, 2, 2], "category_id": 99}, "#/0/category_id", "unknown category id 99"),
        (
            {"image_id": 1, "segmentation": {"size": [11, 100], "counts": [0, 1100]}},
            "#/0/segmentation/size",
            "RLE size [11, 100] differs from the image's [100, 100]",
        ),
    ],
)
def test_results_beside_ground_truth_are_checked_against_its_images(
    tmp_path: Path, detection: dict[str, Any], where: str, message: str
) -> None:
    """validate passed them; convert then refused the folder with a loss (an unsized image, a mask of another
    size) instead of the finding, and pycocotools' loadRes asserts on the first."""
    gt = {"id": 2, "image_id": 1, "category_id": 1, "bbox": [2, 2, 4, 4], "area": 16, "iscrowd": 0}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "categories": [{"id": 1, "name": "cat"}], "annotations": [gt]},
            "results_val": [{"category_id": 1, "score": 0.5, **detection}],
        },
    )
    findings = labelkit.validate(src)
    assert [(Path(f.path).name, f.where, f.message) for f in findings] == [("results_val.json", where, message)]
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (Path(str(err.value.location.path)).name, err.value.location.pointer) == ("results_val.json", where[1:])


@pytest.mark.parametrize("instance_extra", [{}, {"occluded": True}, {"area": 9.0}])
def test_a_keypoints_annotation_unlike_its_instance_is_noted(tmp_path: Path, instance_extra: dict[str, Any]) -> None:
    """The keypoints file's fields replace the instance's: where they differ (other than the keypoints), a read
    note says so (it was silent); COCO's own pairs, alike but for num_keypoints, get none."""
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0}
    ann["segmentation"] = [[1, 1, 5, 1, 5, 5]]
    person = {"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "annotations": [{**ann, **instance_extra}], "categories": [person]},
            "person_keypoints_val": {
                "images": [_img(1)],
                "annotations": [{**ann, "keypoints": [2, 2, 2], "num_keypoints": 1}],
                "categories": [person],
            },
        },
    )
    notes = labelkit.load(src).read_notes
    if "occluded" in instance_extra:  # (a field the keypoints file lacks is kept: see the test below of it)
        assert notes == [
            "1 annotations of person_keypoints_val.json lack fields that the same annotation of the instances "
            "file has: the instance's are kept (writing COCO writes them to both files)"
        ]
    elif instance_extra:
        assert notes == [
            "1 annotations of person_keypoints_val.json differ from the same annotation of the instances file in "
            "other fields than the keypoints (extras, attributes or flags): the keypoints file's are kept"
        ]
    else:
        assert notes == []


# -- keypoints inline in an instances file beside a keypoints file ------------------------------------------


def _instances_and_keypoints(
    root: Path, instances: list[dict[str, Any]], keypoints: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """An instances and a keypoints file of split val (persons and cars; the keypoints file lists persons)."""
    docs = {
        "instances_val": {"images": [_img(1)], "annotations": instances, "categories": [_PERSON, _CAR]},
        "person_keypoints_val": {"images": [_img(1)], "annotations": keypoints, "categories": [_PERSON]},
    }
    _files(root, docs)
    return docs


_CAR = {"id": 2, "name": "car"}
_POSE = {"keypoints": [5, 5, 2], "num_keypoints": 1}


def _written(out: Path, docs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {name: _load(out / "annotations" / f"{name}.json") for name in docs}


def test_instances_with_keypoints_inline_beside_a_keypoints_file_are_written_back_with_them(tmp_path: Path) -> None:
    """The instances file was written without keypoints whenever a keypoints file was beside it (COCO 2017's
    instances files have none): annotations 104 and 105 lost their keypoints and num_keypoints, and a read note
    said 2 annotations differed in other fields (num_keypoints was left out of the comparison on one side)."""
    root = tmp_path / "in" / "annotations"
    root.mkdir(parents=True)
    shutil.copy(INSTANCES, root / "instances_val.json")
    doc = _load(INSTANCES)
    kp = {**doc, "categories": [c for c in doc["categories"] if c["id"] == 3]}
    kp["annotations"] = [a for a in doc["annotations"] if a["category_id"] == 3]
    (root / "person_keypoints_val.json").write_text(json.dumps(kp))  # (compact: the instances file is indented)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), str(out), "--to", "coco"])
    assert result.exit_code == 0, result.output
    assert "note: 2 annotations" not in result.output
    assert labelkit.load(tmp_path / "in").read_notes == []
    assert _load(out / "annotations" / "instances_val.json") == doc
    assert _load(out / "annotations" / "person_keypoints_val.json") == kp


@pytest.mark.parametrize(
    ("urls", "repeat", "pointer"),
    [
        ([(8, None), (8, None), (7, "u2")], "#/images/1/id: duplicate image id 8", "#/images/2/coco_url"),
        ([(8, None), (7, "u2"), (8, None)], "#/images/2/id: duplicate image id 8", "#/images/1/coco_url"),
        ([(7, "u2"), (7, "u1")], "#/images/1/id: duplicate image id 7", "#/images/0/coco_url"),  # (the first compared)
    ],
)
def test_validate_compares_images_across_files_beside_a_repeated_image_id(
    tmp_path: Path, urls: list[tuple[int, str | None]], repeat: str, pointer: str
) -> None:
    """A file listing any image id twice stopped the comparison of every image with the other files' records."""
    cat = {"id": 1, "name": "a"}
    inst = {"images": [{**_img(7), "coco_url": "u1"}, _img(8)], "annotations": [], "categories": [cat]}
    images = [{**_img(i), "coco_url": url} if url else _img(i) for i, url in urls]
    labels = {"images": images, "annotations": [], "categories": [cat]}
    src = _files(tmp_path / "in", {"instances_val": inst, "labels_val": labels})
    found = [f"{Path(f.path).name}{f.where}: {f.message}" for f in labelkit.validate(src)]
    differs = 'image 7 differs from the one instances_val.json lists in \'coco_url\' (expected "u1", found "u2")'
    assert found == [f"labels_val.json{repeat}", f"labels_val.json{pointer}: {differs}"]


def test_validate_names_a_category_id_repeated_after_another_name_of_it(tmp_path: Path) -> None:
    """The first record of the id, misnamed, was not counted as listed: the repeat after it went unsaid."""
    inst = {"images": [_img(7)], "annotations": [], "categories": [{"id": 2, "name": "b"}]}
    labels = {"images": [_img(7)], "annotations": [], "categories": [{"id": 2, "name": "B"}, {"id": 2, "name": "b"}]}
    src = _files(tmp_path / "in", {"instances_val": inst, "labels_val": labels})
    found = [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(src)]
    assert found == [
        ("labels_val.json", "#/categories/0/name", "category 2 is named 'B' here but 'b' in another file"),
        ("labels_val.json", "#/categories/1/id", "duplicate category id 2"),
    ]


@pytest.mark.parametrize(
    ("instances", "keypoints"),
    [
        pytest.param(  # some inline, some not, a car without keypoints
            [_ann(1, 1, 1, **_POSE), _ann(2, 1, 1), _ann(3, 1, 2)],
            [_ann(1, 1, 1, **_POSE), _ann(2, 1, 1, **_POSE)],
            id="mixed",
        ),
        pytest.param(  # the same keypoints, another num_keypoints: each file's as read
            [_ann(1, 1, 1, keypoints=[5, 5, 2], num_keypoints=3)],
            [_ann(1, 1, 1, **_POSE)],
            id="num_keypoints-of-its-own",
        ),
        pytest.param([_ann(1, 1, 1, keypoints=[5, 5, 2])], [_ann(1, 1, 1, **_POSE)], id="no-num_keypoints"),
        pytest.param(  # an instance the keypoints file does not list stays out of it
            [_ann(1, 1, 1, **_POSE), _ann(2, 1, 1, keypoints=[7, 7, 1], num_keypoints=1)],
            [_ann(1, 1, 1, **_POSE), _ann(9, 1, 1, **_POSE)],
            id="not-in-the-keypoints-file",
        ),
        pytest.param([_ann(1, 1, 1, **_POSE)], [], id="keypoints-file-without-annotations"),
        pytest.param(  # (one the keypoints file lists without keypoints was written to the instances file only)
            [_ann(1, 1, 1), _ann(2, 1, 1), _ann(3, 1, 1)],
            [_ann(1, 1, 1), _ann(2, 1, 1, **_POSE)],
            id="listed-without-keypoints",
        ),
        pytest.param(  # (a value COCO does not allow is carried as read: a note of its own says so)
            [_ann(1, 1, 1, keypoints=[5, 5, 2], num_keypoints=[1, {"a": 'b,}"'}])],
            [_ann(1, 1, 1, **_POSE)],
            id="odd-num_keypoints",
        ),
        pytest.param(  # (the instances file's spelling of an extra is not the keypoints file's: no difference)
            [_ann(1, 1, 1, **_POSE, source={"tool": "hand", "rev": 3})],
            [_ann(1, 1, 1, **_POSE, source={"rev": 3, "tool": "hand"})],
            id="extras-in-another-order",
        ),
    ],
)
def test_keypoints_inline_are_kept_per_annotation(
    tmp_path: Path, instances: list[dict[str, Any]], keypoints: list[dict[str, Any]]
) -> None:
    """An instance that carried keypoints inline is written back with them and its num_keypoints as read; one
    that did not stays without, though the keypoints file gives it some; the keypoints file is written as read."""
    docs = _instances_and_keypoints(tmp_path / "in", instances, keypoints)
    ds = labelkit.load(tmp_path / "in")
    assert [n for n in ds.read_notes if "COCO does not allow" not in n] == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _written(tmp_path / "out", docs) == docs


def test_keypoints_inline_unlike_the_keypoints_files_are_noted_and_the_keypoints_files_kept(tmp_path: Path) -> None:
    """The model holds one keypoints value per object: the keypoints file's (COCO's file of keypoints), with a read
    note; they replaced the instance's without a word. The instance's own are written back to its file: they were
    written the keypoints file's, a file COCO's reader refuses where the two files' categories name other points."""
    own = _ann(1, 1, 1, keypoints=[6, 6, 2], num_keypoints=1)
    docs = _instances_and_keypoints(tmp_path / "in", [own, _ann(2, 1, 1, **_POSE)], [_ann(1, 1, 1, **_POSE)])
    ds = labelkit.load(tmp_path / "in")
    assert ds.read_notes == [
        "1 annotations of person_keypoints_val.json have other keypoints than the same annotation of the instances "
        "file: the keypoints file's are kept (writing COCO gives the instances file its own)"
    ]
    labelkit.save(ds, tmp_path / "out", "coco")
    written = _written(tmp_path / "out", docs)
    assert written == docs
    [obj] = [o for o in ds.objects() if o.id == "1"]
    assert obj.keypoints == [5, 5, 2]  # (the keypoints file's)


def test_keypoints_inline_that_the_keypoints_file_lists_without_are_kept_and_noted(tmp_path: Path) -> None:
    """The keypoints file's record without keypoints took the place of the instance's own: they were lost unsaid."""
    own = _ann(1, 1, 1, keypoints=[6, 6, 2], num_keypoints=1)
    docs = _instances_and_keypoints(tmp_path / "in", [own], [_ann(1, 1, 1)])
    ds = labelkit.load(tmp_path / "in")
    assert ds.read_notes == [
        "1 annotations of person_keypoints_val.json have no keypoints where the same annotation of the instances "
        "file has some inline: the instance's are kept (writing COCO writes them to both files)"
    ]
    labelkit.save(ds, tmp_path / "out", "coco")
    written = _written(tmp_path / "out", docs)
    assert written["instances_val"] == docs["instances_val"]
    assert written["person_keypoints_val"]["annotations"] == [{**_ann(1, 1, 1), "keypoints": [6, 6, 2]}]


def test_an_instance_with_keypoints_inline_moved_to_another_split_stays_out_of_its_keypoints_file(
    tmp_path: Path,
) -> None:
    """An instance the keypoints file did not list goes to the instances file of the split it moves to, with its
    keypoints, and not to that split's keypoints file (as an object given keypoints since would)."""
    alone = _ann(2, 2, 1, keypoints=[7, 7, 1], num_keypoints=1)
    _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(2)], "annotations": [alone], "categories": [_PERSON]},
            "person_keypoints_train": {"images": [_img(2)], "annotations": [], "categories": [_PERSON]},
            "instances_val": {
                "images": [_img(1), _img(3)],
                "annotations": [_ann(1, 1, 1, **_POSE)],
                "categories": [_PERSON],
            },
            "person_keypoints_val": {  # (listing fewer images than its split: those of its annotations)
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 1, **_POSE)],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(tmp_path / "in")
    _move(ds, "2", "val")
    labelkit.save(ds, tmp_path / "out", "coco")
    instances = _load(tmp_path / "out/annotations/instances_val.json")
    keypoints = _load(tmp_path / "out/annotations/person_keypoints_val.json")
    assert instances["annotations"] == [alone, _ann(1, 1, 1, **_POSE)]  # (in the dataset's order: train first)
    assert (keypoints["annotations"], [i["id"] for i in keypoints["images"]]) == ([_ann(1, 1, 1, **_POSE)], [1])


_INLINE_CASE = st.tuples(
    st.sampled_from(["inline", "plain", "alone"]),  # inline in the instances file, not, or not in the keypoints file
    st.sampled_from(["same", "other", "none"]),  # the instance's num_keypoints: the keypoints file's, another, none
    st.booleans(),  # a car (no keypoints) after it
)


@settings(max_examples=40, deadline=None)
@given(cases=st.lists(_INLINE_CASE, min_size=1, max_size=6))
def test_instances_and_keypoints_files_round_trip_whatever_carries_keypoints_inline(
    tmp_path_factory: pytest.TempPathFactory, cases: list[tuple[str, str, bool]]
) -> None:
    """COCO -> labelkit -> COCO gives back both files, whichever instances carry keypoints inline and with
    which num_keypoints, in any order."""
    instances, keypoints = [], []
    for k, (where, count, car) in enumerate(cases):
        points = [k, k + 1, 2, 0, 0, 0]
        pose = {"keypoints": points, "num_keypoints": 1}
        own: dict[str, Any] = {"keypoints": points}
        if count != "none":
            own["num_keypoints"] = 1 if count == "same" else 2
        instances.append(_ann(10 * k + 1, 1, 1, **(own if where != "plain" else {})))
        if where != "alone":
            keypoints.append(_ann(10 * k + 1, 1, 1, **pose))
        if car:
            instances.append(_ann(10 * k + 2, 1, 2))
    root = tmp_path_factory.mktemp("inline")
    person = {**_PERSON, "keypoints": ["nose", "tail"]}
    docs = {
        "instances_val": {"images": [_img(1)], "annotations": instances, "categories": [person, _CAR]},
        "person_keypoints_val": {"images": [_img(1)], "annotations": keypoints, "categories": [person]},
    }
    _files(root / "in", docs)
    ds = labelkit.load(root / "in")
    assert ds.read_notes == []
    labelkit.save(ds, root / "out", "coco")
    assert _written(root / "out", docs) == docs


def test_reindex_renumbers_a_captions_category_too(tmp_path: Path) -> None:
    """-o reindex=true renumbered the categories but left a caption's category_id as read (90, not 2)."""
    ann = {"id": 1, "image_id": 1, "category_id": 90, "bbox": [1, 1, 2, 2], "area": 4.0, "iscrowd": 0}
    cats = [{"id": 7, "name": "cat"}, {"id": 90, "name": "dog"}]
    caption = {"id": 5, "image_id": 1, "caption": "a dog", "category_id": 90}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "annotations": [ann], "categories": cats},
            "captions_val": {"images": [_img(1)], "annotations": [caption]},
        },
    )
    labelkit.convert(src, tmp_path / "out", to="coco", reindex=True)
    (written,) = _load(tmp_path / "out/annotations/captions_val.json")["annotations"]
    assert written == {**caption, "category_id": 2}
    instances = _load(tmp_path / "out/annotations/instances_val.json")
    assert [a["category_id"] for a in instances["annotations"]] == [2]


def test_reindex_gives_an_unlisted_id_that_a_category_would_now_have_a_number_after_the_largest(tmp_path: Path) -> None:
    """A caption's or an LVIS list's id no category had (1, 2) was kept while reindex gave it to a category: it now
    named 'cat' or 'dog' without a word. Such ids are numbered after the largest (3 is unlisted too, and kept)."""
    ann = {"id": 1, "image_id": 1, "category_id": 90, "bbox": [1, 1, 2, 2], "area": 4.0, "iscrowd": 0}
    cats = [{"id": 7, "name": "cat"}, {"id": 90, "name": "dog"}]
    captions = [
        {"id": 5, "image_id": 1, "caption": "a", "category_id": 1},
        {"id": 6, "image_id": 1, "caption": "b", "category_id": 90},
        {"id": 7, "image_id": 1, "caption": "c", "category_id": 3},
    ]
    image = {**_img(1), "neg_category_ids": [2, 7], "not_exhaustive_category_ids": [1]}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [image], "annotations": [ann], "categories": cats},
            "captions_val": {"images": [_img(1)], "annotations": captions},
        },
    )
    plan = labelkit.plan(labelkit.load(src), "coco", reindex="true")
    report = labelkit.convert(src, tmp_path / "out", to="coco", reindex=True)
    expected = [
        ("category ids", 2),
        ("unlisted category ids", 2),
        ("images' category id lists", 1),
    ]
    assert [(c.what, c.count) for c in report.transformed] == expected
    assert [(c.what, c.count) for c in plan.transformed] == expected
    written = _load(tmp_path / "out/annotations/captions_val.json")["annotations"]
    assert [a["category_id"] for a in written] == [4, 2, 3]  # 1 -> 4 (after 3), 90 -> 2, 3 kept
    (out_image,) = _load(tmp_path / "out/annotations/instances_val.json")["images"]
    assert out_image["neg_category_ids"] == [5, 1] and out_image["not_exhaustive_category_ids"] == [4]
    # without reindex every id is written as read, and nothing is reported
    report = labelkit.convert(src, tmp_path / "kept", to="coco")
    assert report.transformed == []
    assert [a["category_id"] for a in _load(tmp_path / "kept/annotations/captions_val.json")["annotations"]] == [
        1,
        90,
        3,
    ]


def test_reindex_numbers_an_unlisted_id_within_64_bits_when_the_largest_is_the_last(tmp_path: Path) -> None:
    """An LVIS list holding 2**63 - 1 (read and written as it is) beside an unlisted 1 that reindex gives to a
    category: 1 was numbered after the largest, 2**63, and the write failed ('a value is too large'), the plan
    reporting it renumbered. It takes the first number after the categories' that no id has."""
    ann = {"id": 1, "image_id": 1, "category_id": 5, "bbox": [1, 1, 2, 2], "area": 4.0, "iscrowd": 0}
    image = {**_img(1), "neg_category_ids": [1, 2, 2**63 - 1]}
    cats = [{"id": 5, "name": "x"}, {"id": 6, "name": "y"}, {"id": 2**63 - 2, "name": "z"}]
    src = _files(tmp_path / "in", {"instances_val": {"images": [image], "annotations": [ann], "categories": cats}})
    plan = labelkit.plan(labelkit.load(src), "coco", reindex="true")
    report = labelkit.convert(src, tmp_path / "out", to="coco", reindex=True)
    expected = [("category ids", 3), ("unlisted category ids", 2), ("images' category id lists", 1)]
    assert [(c.what, c.count) for c in report.transformed] == expected
    assert [(c.what, c.count) for c in plan.transformed] == expected
    (out_image,) = _load(tmp_path / "out/annotations/instances_val.json")["images"]
    assert out_image["neg_category_ids"] == [4, 5, 2**63 - 1]


def test_reindex_reads_captions_and_lvis_lists_for_unlisted_ids_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's check and the writer each decoded every caption's extras and every LVIS list (a Python loop per
    row: 0.5 s of 5 on 50,000 images and 200,000 captions, twice); the ids are found once per dataset."""
    from labelkit.formats import coco_categories

    calls: list[int] = []
    found = coco_categories._unlisted_ids
    monkeypatch.setattr(coco_categories, "_unlisted_ids", lambda ds: calls.append(1) or found(ds))
    image = {**_img(1), "neg_category_ids": [1, 7]}
    cats = [{"id": 7, "name": "cat"}, {"id": 90, "name": "dog"}]
    src = _files(tmp_path / "in", {"instances_val": {"images": [image], "annotations": [], "categories": cats}})
    labelkit.convert(src, tmp_path / "out", to="coco", reindex=True)
    assert len(calls) == 1
    (out_image,) = _load(tmp_path / "out/annotations/instances_val.json")["images"]
    assert out_image["neg_category_ids"] == [3, 1]


def test_reindex_counts_no_unlisted_id_of_a_caption_written_with_its_column(tmp_path: Path) -> None:
    """A caption with a category (its column) is written with the column's: the coco:category_id it carries
    too is left out, so the unlisted id there (2) is renumbered nowhere; 'unlisted category ids' counted it."""
    doc = {
        "format": "labelkit",
        "version": 1,
        "categories": [{"id": 5, "name": "x"}, {"id": 7, "name": "y"}],
        "items": [{"id": "1", "media": {"kind": "image", "path": "a.jpg", "width": 10, "height": 10}}],
        "annotations": [
            {"kind": "transcript", "id": "1", "item_id": "1", "category_id": 7, "text": "a"},
            {"kind": "transcript", "id": "2", "item_id": "1", "category_id": 5, "text": "b"},
        ],
    }
    doc["annotations"][1]["extras"] = {"coco:category_id": 2}  # type: ignore[index]
    src = tmp_path / "in.labelkit.json"
    src.write_text(json.dumps(doc))
    plan = labelkit.plan(labelkit.load(src), "coco", reindex="true")
    report = labelkit.convert(src, tmp_path / "out", to="coco", reindex=True)
    expected = [("item splits", 1), ("transcripts' categories", 2), ("category ids", 2)]  # (reported since 2026-12-07)
    assert [(c.what, c.count) for c in report.transformed] == expected
    assert [(c.what, c.count) for c in plan.transformed] == expected
    written = _load(tmp_path / "out/annotations/captions_default.json")["annotations"]
    assert [a["category_id"] for a in written] == [2, 1]


@pytest.mark.parametrize("second", ["cat", "dog"])
def test_a_category_id_listed_twice_in_one_file_is_an_error_at_its_pointer(tmp_path: Path, second: str) -> None:
    """The same name passed without a word (one of the two was kept); another name was blamed on another file."""
    doc = {"images": [_img(1)], "annotations": [], "categories": [{"id": 1, "name": "cat"}, {"id": 1, "name": second}]}
    src = _files(tmp_path / "in", {"instances_val": doc})
    with pytest.raises(InputError, match="duplicate category id 1") as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/categories/1/id"
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == ("#/categories/1/id", "duplicate category id 1")


def test_validate_goes_on_after_a_repeated_category_id_or_another_name(tmp_path: Path) -> None:
    """validate stopped at the first (one finding), leaving out every other finding of the files."""
    train = {
        "images": [_img(1)],
        "annotations": [_ann(1, 1, 1), _ann(2, 99, 1)],
        "categories": [{"id": 1, "name": "cat"}, {"id": 1, "name": "dog"}],
    }
    bad_box = _ann(1, 1, 1, bbox=[1, 1, -3, 3])
    val = {"images": [_img(1)], "annotations": [bad_box], "categories": [{"id": 1, "name": "b"}]}
    src = _files(tmp_path / "in", {"instances_train": train, "instances_val": val})
    found = [(Path(f.path).name, f.where, f.message) for f in labelkit.validate(src)]
    assert found == [
        ("instances_train.json", "#/categories/1/id", "duplicate category id 1"),
        ("instances_val.json", "#/categories/0/name", "category 1 is named 'b' here but 'cat' in another file"),
        ("instances_train.json", "#/annotations/1/image_id", "unknown image id 99"),
        ("instances_val.json", "#/annotations/0/bbox", "bbox has a negative width or height"),
    ]
    with pytest.raises(InputError, match="duplicate category id 1"):  # (reading still refuses the first)
        labelkit.load(src)


@pytest.mark.parametrize(
    ("member", "pointer", "message"),
    [
        ('"run": 123456789012345678901234567890', "/run", "an integer does not fit in 64 bits"),
        ('"tool": ' + "[" * 300 + "1" + "]" * 300, "/tool", "values nested too deep to write"),
        ('"note": "\\ud800"', None, "no low surrogate in string"),
    ],
)
def test_other_top_level_values_coco_cannot_write_again_are_input_errors(
    tmp_path: Path, member: str, pointer: str | None, message: str
) -> None:
    """Kept since other top-level keys come back, such values were internal errors on reading or writing."""
    src = tmp_path / "instances_val.json"
    src.write_text("{" + member + ', "images": [], "annotations": [], "categories": []}')
    with pytest.raises(InputError, match=message) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert err.value.location.pointer == pointer


def _nested(depth: int) -> Any:
    """A value ``depth`` lists deep."""
    deep: Any = 1
    for _ in range(depth):
        deep = [deep]
    return deep


def _check_nesting_limit(tmp_path: Path, doc_of: Callable[[int], dict[str, Any]], to: str, pointer: str) -> None:
    """At 192 levels the file validates and converts to ``to`` and back as it was; at 193 it is refused at ``pointer``
    (by ``convert``, writing nothing, and by ``validate``)."""
    for depth in (192, 193):
        doc = doc_of(depth)
        src = _write(tmp_path, doc)
        out = tmp_path / f"out{depth}.{ {'labelkit': 'json', 'parquet': 'parquet', 'coco': 'd'}[to] }"
        if depth == 192:
            assert labelkit.validate(src) == []
            labelkit.convert(src, out, to=to)
            labelkit.convert(out, tmp_path / "back", to="coco")
            assert _load(tmp_path / "back/annotations/instances_val.json") == doc
            continue
        with pytest.raises(InputError) as err:
            labelkit.convert(src, out, to=to)
        assert err.value.location.pointer == pointer
        assert err.value.message == "value nested more than 192 levels deep, more than every format can keep"
        assert not out.exists()
        (finding,) = labelkit.validate(src)
        assert (finding.where, finding.message) == (f"#{pointer}", err.value.message)


@pytest.mark.parametrize(
    ("section", "to"), [(s, t) for s in ("categories", "images") for t in ("labelkit", "parquet", "coco")]
)
def test_a_category_or_image_field_nested_too_deep_for_labelkit_json_is_refused_at_its_pointer(
    tmp_path: Path, section: str, to: str
) -> None:
    """A category's was an internal error on --to labelkit or parquet (pydantic's "Circular reference detected")
    and an output error without a pointer on --to coco, while validate said ok; an image's was pointed at the
    image, not the field. 192 levels are written and read back by every format."""

    def doc_of(depth: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"images": [_img(1)], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
        doc[section][0]["x"] = _nested(depth)
        return doc

    _check_nesting_limit(tmp_path, doc_of, to, f"/{section}/0/x")


@pytest.mark.parametrize("to", ["labelkit", "parquet"])
def test_a_category_field_of_192_levels_differing_between_files_is_kept_196_levels_down_and_read_back(
    tmp_path: Path, to: str
) -> None:
    """The file list keeps a category's value of a later file four levels down its extra (``coco:files``, the file's
    entry, ``category_values``, the category's): 196 levels, the most the records and both native formats take."""
    files = {
        f"instances_{split}": {"images": [_img(i)], "annotations": [], "categories": [{"id": 1, "name": "a", "x": x}]}
        for i, split, x in ((1, "train", _nested(192)), (2, "val", [_nested(191)] + [2]))
    }
    src = _files(tmp_path / "in", files)
    out = tmp_path / ("out.json" if to == "labelkit" else "out.parquet")
    labelkit.convert(src, out, to=to)
    assert labelkit.validate(out) == []
    labelkit.convert(out, tmp_path / "back", to="coco")
    assert {p.stem: _load(p) for p in (tmp_path / "back/annotations").iterdir()} == files


@pytest.mark.parametrize(
    ("field", "to"), [(f, t) for f in ("x", "attributes") for t in ("labelkit", "parquet", "coco")]
)
def test_an_annotation_field_nested_too_deep_for_labelkit_json_is_refused_at_its_pointer(
    tmp_path: Path, field: str, to: str
) -> None:
    """As a category's or image's field: an annotation's was read, and --to labelkit stopped with an error naming
    the output (past 254 levels, orjson's), not the field; validate said ok."""

    def doc_of(depth: int) -> dict[str, Any]:
        annotation = _ann(1, 1, 1, area=4, iscrowd=0)
        annotation[field] = {"a": _nested(depth - 1)} if field == "attributes" else [_nested(depth - 1)]
        return {"images": [_img(1)], "annotations": [annotation], "categories": [{"id": 1, "name": "a"}]}

    _check_nesting_limit(tmp_path, doc_of, to, f"/annotations/0/{field}")


def test_validate_of_a_file_orjson_and_python_both_refuse_names_each(tmp_path: Path) -> None:
    """1e400 beside NaN (not JSON) or a 5000-digit integer (beyond Python's int conversion): internal errors.

    The integer is JSON, though: it was "invalid JSON" too, where reading refused 1e400 at its pointer; now read as
    an integer beyond 64 bits (see :func:`labelkit.json_places.int_or_wide`), it is what reading says.
    """
    src = tmp_path / "instances_val.json"
    src.write_text('{"x": [1e400, NaN], "images": [], "annotations": [], "categories": []}')
    (finding,) = labelkit.validate(src)
    assert finding.where == ":1" and "invalid JSON" in finding.message
    # in an annotation, which the schema check parses on its own (the file's items are parsed one by one)
    src.write_text('{"images": [], "annotations": [{"id": 1, "x": [1e400, NaN]}], "categories": []}')
    (finding,) = labelkit.validate(src)
    assert finding.where == ":1" and "invalid JSON" in finding.message
    src.write_text('{"x": [1e400, ' + "1" * 5000 + '], "images": [], "annotations": [], "categories": []}')
    finding, wide = labelkit.validate(src)  # (each named: the integer beyond 64 bits too, since 2026-12-07)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (
        (finding.where, finding.message)
        == ("#/x/0", "Number out of range")
        == ("#" + str(err.value.location.pointer), err.value.message)
    )
    assert (wide.where, wide.message) == ("#/x/1", "an integer does not fit in 64 bits")


@pytest.mark.parametrize("reindex", [False, True])
def test_a_captions_category_from_another_format_is_written(tmp_path: Path, reindex: bool) -> None:
    """A transcript's category_id was not written to the captions file (exit 0, nothing reported)."""
    from labelkit.model import Transcript

    ds = Dataset(categories=[Category(id=7, name="dog")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80), split="train"))
    ds.add(Transcript(id="t1", item_id="1", category_id=7, text="a dog"))
    ds.add(Transcript(id="t2", item_id="1", text="a street"))
    report = labelkit.save(ds, tmp_path / "out", "coco", reindex=reindex)
    assert report.lost == []
    # (t1 and t2 read back as the numbers they were given)
    assert [(c.what, c.count) for c in report.transformed] == [
        ("transcripts' categories", 1),  # (it reads back as the extra coco:category_id: reported since 2026-12-07)
        *([("category ids", 1)] if reindex else []),
        ("annotation ids", 2),
    ]
    written = _load(tmp_path / "out/annotations/captions_train.json")
    assert written["annotations"] == [
        {"id": 1, "image_id": 1, "category_id": 1 if reindex else 7, "caption": "a dog"},
        {"id": 2, "image_id": 1, "caption": "a street"},
    ]
    (caption, _) = labelkit.load(tmp_path / "out").annotations(kind="transcript")
    assert caption.extras == {"coco:category_id": 1 if reindex else 7}


def test_a_caption_read_with_a_category_and_given_one_holds_one(tmp_path: Path) -> None:
    """A caption read from COCO carries its category_id as an extra: given a category, it is written once."""
    caption = {"id": 5, "image_id": 1, "caption": "a dog", "category_id": 90, "x": 1}
    src = _files(tmp_path / "in", {"captions_val": {"images": [_img(1)], "annotations": [caption]}})
    ds = labelkit.load(src)
    table = ds.table("transcripts")
    column = table.schema.get_field_index("category_id")
    ds.set_table("transcripts", table.set_column(column, "category_id", pa.array([7], pa.int64())))
    labelkit.save(ds, tmp_path / "out", "coco")
    text = (tmp_path / "out/annotations/captions_val.json").read_text()
    assert text.count('"category_id"') == 1
    assert json.loads(text)["annotations"] == [{**caption, "category_id": 7}]


def test_dataset_info_and_category_extras_of_other_formats_are_noted(tmp_path: Path) -> None:
    """YOLO pose's flip_idx (a dataset info extra) was dropped going to COCO without a note; it is training data
    (Ultralytics flips no pose image without it), so it is now lost, refused without --allow-loss."""
    with pytest.raises(DataLossError, match=r"keypoint flip orders \(yolo:flip_idx\)"):
        labelkit.convert(ROOT / "fixtures/yolo/golden/pose", tmp_path / "out", to="coco")
    report = labelkit.convert(ROOT / "fixtures/yolo/golden/pose", tmp_path / "out", to="coco", allow_loss=True)
    assert [n for n in report.notes if "does not keep" in n] == [
        "the dataset info carries 'yolo:task', which COCO does not keep"
    ]
    assert [(c.what, c.count) for c in report.lost] == [("keypoint flip orders (yolo:flip_idx)", 1)]
    ds = labelkit.load(INSTANCES)
    ds.categories[0].extras["voc:colour"] = [1, 2, 3]
    ds.info.extras["coco:x"] = 1  # (COCO's own: kept)
    notes = labelkit.save(ds, tmp_path / "saved", "coco").notes
    assert [n for n in notes if "does not keep" in n] == ["1 categories carry 'voc:colour', which COCO does not keep"]


def test_rotated_boxes_are_written_as_their_corners(tmp_path: Path) -> None:
    """A rotated box was written as the unrotated box and its rectangle (the wrong region), reported lost."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=200, height=100)))
    for i, angle in enumerate((90.0, 30.0), 1):  # 40 x 20 about (100, 50)
        ds.add(Object(id=str(i), item_id="1", category_id=1, bbox=(80.0, 40.0, 40.0, 20.0), angle=angle))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == []
    assert [(c.what, c.count) for c in report.transformed] == [("item splits", 1), ("rotated boxes", 2)]
    turned, thirty = _load(tmp_path / "out/annotations/instances_default.json")["annotations"]
    assert turned["segmentation"] == [[110, 30, 110, 70, 90, 70, 90, 30]]  # x 90..110, y 30..70
    assert turned["bbox"] == [90, 30, 20, 40] and turned["area"] == 800.0
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    corners = [(100 + dx * c - dy * s, 50 + dx * s + dy * c) for dx, dy in ((-20, -10), (20, -10), (20, 10), (-20, 10))]
    assert thirty["segmentation"][0] == pytest.approx([v for point in corners for v in point], abs=1e-9)
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    expected = [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]
    assert thirty["bbox"] == pytest.approx(expected, abs=1e-9) and thirty["area"] == pytest.approx(800.0)
    # beside a polygon, the polygon is written (with the rotated box's bounds): the rotated box is lost
    ring = [[90.0, 30.0, 110.0, 30.0, 100.0, 70.0]]
    ds.add(Object(id="9", item_id="1", category_id=1, bbox=(80.0, 40.0, 40.0, 20.0), angle=90.0, polygon=ring))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "lossy", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("rotated boxes of objects with a polygon or mask", 1)]
    last = _load(tmp_path / "lossy/annotations/instances_default.json")["annotations"][-1]
    assert last["segmentation"] == [[90, 30, 110, 30, 100, 70]] and last["bbox"] == [90, 30, 20, 40]


@pytest.mark.parametrize("to", ["yolo", "voc"])
def test_a_boxs_rectangle_read_from_coco_is_not_a_lost_polygon(tmp_path: Path, to: str) -> None:
    """A box written to COCO gets its rectangle as segmentation; read back, that counted as a lost polygon
    for YOLO detect and VOC (exit 2). A conversion counts polygons without parsing them: 4-point ones are parsed."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(10.0, 10.0, 30.0, 20.0)))
    labelkit.save(ds, tmp_path / "coco", "coco")
    report = labelkit.convert(tmp_path / "coco", tmp_path / "out", to=to)
    assert report.lost == [] and [c.what for c in report.transformed if "objects" in c.what] == []
    # the fixture: 101 and 105 are their boxes' rectangles, 102 has two rings: lost, counted or parsed
    counted = labelkit.convert(FIXTURE, tmp_path / "fixture", to=to, allow_loss=True)
    parsed = labelkit.save(labelkit.load(FIXTURE), tmp_path / "loaded", to, allow_loss=True)
    for lost in (counted.lost, parsed.lost):
        assert [(c.what, c.count) for c in lost if c.what == "polygons"] == [("polygons", 1)]


def test_a_keypoints_file_alone_converts_without_a_note_of_the_readers_tag(tmp_path: Path) -> None:
    """Objects read from a keypoints file carry the file they came from (coco:@task), which is not data."""
    person = {"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 8.0, "iscrowd": 0}
    ann.update(segmentation=[[1, 1, 5, 1, 5, 5]], keypoints=[2, 2, 2], num_keypoints=1)
    src = _files(
        tmp_path / "in", {"person_keypoints_val": {"images": [_img(1)], "annotations": [ann], "categories": [person]}}
    )
    report = labelkit.convert(src, tmp_path / "out", to="yolo", task="pose", allow_loss=True)
    assert not [n for n in report.notes if "@task" in n]


def test_a_null_bbox_comes_back_null(tmp_path: Path) -> None:
    """``"bbox": null`` beside a segmentation was dropped on COCO -> COCO, with nothing reported."""
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": None, "area": 8.0, "iscrowd": 0}
    ann["segmentation"] = [[1, 1, 5, 1, 5, 5]]
    doc = {"images": [_img(1)], "annotations": [ann], "categories": [{"id": 1, "name": "person"}]}
    src = _files(tmp_path / "in", {"instances_val": doc})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    assert _load(tmp_path / "out/annotations/instances_val.json") == doc


@pytest.mark.parametrize(
    "geometry",
    [{"bbox": None}, {"bbox": None, "segmentation": []}, {"bbox": None, "segmentation": None}, {"segmentation": None}],
    ids=str,
)
def test_an_annotation_whose_only_geometry_is_null_comes_back_as_read(tmp_path: Path, geometry: dict) -> None:
    """Read (``validate`` names a null bbox), it was refused on writing COCO as an object of no geometry, and with
    ``--allow-loss`` left out: the null fields are carried, as beside a segmentation, and the annotation with them."""
    ann = {"id": 7, "image_id": 1, "category_id": 1, "area": 0, "iscrowd": 0, **geometry}
    doc = {"images": [_img(1)], "annotations": [ann, _ann(8, 1, 1)], "categories": [{"id": 1, "name": "person"}]}
    src = _files(tmp_path / "in", {"instances_val": doc})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    assert report.written == {"items": 1, "object annotations": 2}
    assert _load(tmp_path / "out/annotations/instances_val.json") == doc
    assert labelkit.validate(tmp_path / "out") == [
        replace(x, path=x.path.replace(str(src), str(tmp_path / "out"))) for x in labelkit.validate(src)
    ]


def test_a_keypoints_file_never_holds_an_id_twice(tmp_path: Path) -> None:
    """A keypoints-only object and a new posed instance were numbered apart and met in the keypoints file."""
    from labelkit.model import Object

    src = _files(
        tmp_path / "in",
        {
            "instances_val": {
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 2)],
                "categories": [_PERSON, {"id": 2, "name": "car"}],
            },
            "person_keypoints_val": {
                "images": [_img(1)],
                "annotations": [_ann(2, 1, 1, keypoints=[5, 5, 2], num_keypoints=1)],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    ds.add(Object(id="new", item_id="1", category_id=1, bbox=(20.0, 20.0, 5.0, 5.0), keypoints=[22.0, 22.0, 2.0]))
    labelkit.save(ds, tmp_path / "out", "coco")
    assert labelkit.load(tmp_path / "out").report_counts() == {"items": 1, "object annotations": 3}  # was: refused


def test_a_second_round_trip_of_edited_coco_files_gives_the_same_bytes(tmp_path: Path) -> None:
    """Image order followed the items, which the reader orders instances file first: it changed each time."""
    from labelkit.model import Item, Media, Object

    src = _files(
        tmp_path / "in",
        {
            "captions_val": {"images": [_img(1)], "annotations": [{"id": 1, "image_id": 1, "caption": "a car"}]},
            "labels_val": {"images": [_img(1)], "annotations": [], "categories": [{"id": 2, "name": "car"}]},
        },
    )
    ds = labelkit.load(src)
    ds.add_item(Item(id="9", media=Media(path="9.jpg", width=100, height=100), split="val"))
    ds.add(Object(id="5", item_id="9", category_id=2, bbox=(1.0, 1.0, 5.0, 5.0)))
    labelkit.save(ds, tmp_path / "one", "coco")
    labelkit.convert(tmp_path / "one", tmp_path / "two", to="coco")
    for path in sorted((tmp_path / "one/annotations").iterdir()):
        assert path.read_bytes() == (tmp_path / "two/annotations" / path.name).read_bytes(), path.name


def _box(i: int, image: int, **more: Any) -> dict[str, Any]:
    box = {"id": i, "image_id": image, "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16, "iscrowd": 0}
    return {**box, "segmentation": [[1, 1, 5, 1, 5, 5, 1, 5]], **more}


def _twice(ds: labelkit.Dataset, tmp_path: Path) -> Path:
    """Save, load and save again: the second output must be the first's bytes."""
    labelkit.save(ds, tmp_path / "one", "coco", allow_loss=True)
    labelkit.save(labelkit.load(tmp_path / "one"), tmp_path / "two", "coco", allow_loss=True)
    for path in sorted((tmp_path / "one/annotations").iterdir()):
        assert path.read_bytes() == (tmp_path / "two/annotations" / path.name).read_bytes(), path.name
    return tmp_path / "one/annotations"


def test_a_detection_moved_to_a_split_without_a_results_file_goes_to_a_results_file_made_there(tmp_path: Path) -> None:
    """Its origin tag made it look read from COCO: it was written to the instances file without segmentation, area
    and iscrowd; then (every item of its split moved) as ground truth there. It stays a detection, in a results
    file made for the split, as a split that kept an item of its own had."""
    import pyarrow as pa

    cats = [{"id": 1, "name": "p"}]
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [_box(1, 1)], "categories": cats},
            "instances_val": {"images": [_img(1)], "annotations": [_box(1, 1)], "categories": cats},
        },
    )
    (src / "annotations/results_val.json").write_text(
        json.dumps([{"image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9}])
    )
    ds = labelkit.load(src)
    items = ds.table("items")
    ds.set_table(
        "items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train"] * items.num_rows))
    )
    out = _twice(ds, tmp_path)
    assert _load(out / "results_train.json") == [{"image_id": 2, "category_id": 1, "bbox": [1, 1, 4, 4], "score": 0.9}]
    assert [i["id"] for i in _load(out / "instances_train.json")["images"]] == [1, 2]
    assert [a["id"] for a in _load(out / "instances_train.json")["annotations"]] == [1, 2]
    assert labelkit.validate(out.parent) == []


def test_posed_objects_added_beside_keypoints_only_ones_keep_their_order(tmp_path: Path) -> None:
    """The keypoints file wrote them after the file's own objects; read back, they came first."""
    from labelkit.model import Object

    cats = [{"id": 1, "name": "p", "keypoints": ["a"], "skeleton": []}]
    posed = {"keypoints": [2, 2, 2], "num_keypoints": 1}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [_box(1, 1), _box(3, 1)], "categories": cats},
            "person_keypoints_train": {
                "images": [_img(1)],
                "annotations": [_box(3, 1, **posed), _box(9, 1, **posed)],
                "categories": cats,
            },
        },
    )
    ds = labelkit.load(src)
    ds.add(Object(id="5", item_id="1", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0), keypoints=[2.0, 2.0, 2.0]))
    out = _twice(ds, tmp_path)
    assert [a["id"] for a in _load(out / "person_keypoints_train.json")["annotations"]] == [3, 5, 9]


def test_a_files_image_list_follows_its_images_when_their_ids_change(tmp_path: Path) -> None:
    """The list was kept in the ids read: with an image moved in under the same id, the captions file listed
    the moved image instead of its own."""
    import pyarrow as pa

    cats = [{"id": 1, "name": "p"}]
    b = {"id": 2, "file_name": "b.jpg", "width": 100, "height": 100}
    c = {"id": 2, "file_name": "c.jpg", "width": 100, "height": 100}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1), b], "annotations": [_box(1, 1), _box(2, 2)], "categories": cats},
            "captions_train": {"images": [b], "annotations": [{"id": 1, "image_id": 2, "caption": "hi"}]},
            "instances_test": {"images": [c], "annotations": [], "categories": cats},
        },
    )
    ds = labelkit.load(src)
    items = ds.table("items")
    ds.set_table(
        "items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train"] * items.num_rows))
    )
    labelkit.save(ds, tmp_path / "out", "coco")
    captions = _load(tmp_path / "out/annotations/captions_train.json")
    (image,) = captions["images"]
    assert image["file_name"] == "b.jpg" and captions["annotations"][0]["image_id"] == image["id"]


def test_an_empty_detection_results_file_is_detected_as_coco(tmp_path: Path) -> None:
    """labelkit writes `[]` for a results split with no detections left; detection did not recognise it."""
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations/results_val.json").write_text("[]")
    assert labelkit.detect(tmp_path).format == "coco"
    assert labelkit.detect(tmp_path / "annotations/results_val.json").format == "coco"
    (tmp_path / "other.json").write_text("[]")
    with pytest.raises(labelkit.UnknownFormatError):
        labelkit.detect(tmp_path / "other.json")


@pytest.mark.parametrize(
    ("name", "doc", "reason"),
    [
        (
            "results.json",
            [{"image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}],
            "a JSON list of COCO detection results ('image_id', 'category_id' and 'score')",
        ),
        ("results_val.json", [], "an empty JSON list named as COCO detection results (results_<split>.json)"),
        (
            "lvis.json",
            {"info": {}, "annotations": [{"id": 1, "image_id": 1, "category_id": 1}]},
            "JSON with COCO 'annotations' (of 'image_id' and 'category_id')",
        ),
        ("a.json", {"images": [], "annotations": []}, "JSON with COCO 'images' and 'annotations'"),
        ("b.json", {"images": [], "categories": []}, "JSON with COCO 'images' and 'categories'"),
        ("c.json", {"images": [{"id": 1, "file_name": "a.jpg"}]}, "JSON with COCO 'images' (of 'file_name')"),
    ],
)
def test_a_detected_file_s_reason_says_what_was_seen(tmp_path: Path, name: str, doc: Any, reason: str) -> None:
    """Every COCO file was said to be "JSON with COCO 'images' and 'annotations'", a detection-results list of
    neither too (and the CLI's hint quoted it: 'it looks like coco (JSON with COCO 'images' ...), not labelkit')."""
    detected = labelkit.detect(_write(tmp_path, doc, name))
    assert (detected.format, detected.confidence, detected.reason) == ("coco", 0.9, reason)


@pytest.mark.parametrize(("depth", "line"), [(3000, 2), (1010, 2)])
@pytest.mark.parametrize("alone", [True, False])
def test_values_nested_too_deep_name_the_file_and_line(
    tmp_path: Path, depth: int, line: int | None, alone: bool
) -> None:
    """msgspec's RecursionError reached only the CLI's guard, which named the dataset (a folder) without a line."""
    labels = (FIXTURE / "annotations" / "labels_val.json").read_text()
    nested = "[" * depth + "]" * depth
    text = labels.replace('"images": [', f'"x": {nested},\n "images": [', 1)
    assert text.splitlines()[1].startswith(' "x"')
    if alone:
        src = tmp_path / "labels_val.json"
        src.write_text(text)
        bad = src
    else:
        src = tmp_path / "ds"
        shutil.copytree(FIXTURE / "annotations", src / "annotations")
        bad = src / "annotations" / "labels_val.json"
        bad.write_text(text)
    for run in (labelkit.load, labelkit.stats):
        with pytest.raises(InputError) as err:
            run(src)
        assert err.value.location.path == str(bad)
        assert err.value.location.line == line  # orjson's limit is 1024 levels; msgspec's about 1000
        if depth < 1024:  # (msgspec's error names no place: the deepest is named, on line 2 after ' "x": ')
            assert (
                err.value.message
                == f"values nested {depth + 1} levels deep at column {6 + depth}, deeper than the reader goes"
            )
        else:
            assert "depth limit exceeded" in err.value.message
    (finding,) = labelkit.validate(src)
    assert (finding.path, finding.where) == (str(bad), f":{line}")


def _damaged(data: bytes, damage: str) -> bytes:
    if damage == "bom":
        return b"\xef\xbb\xbf" + data
    if damage == "utf-16":
        return data.decode().encode("utf-16")
    return data[:73]  # truncated before any COCO key


@pytest.mark.parametrize("damage", ["bom", "utf-16", "truncated"])
@pytest.mark.parametrize("alone", [True, False])
def test_a_damaged_first_file_is_still_coco(tmp_path: Path, damage: str, alone: bool) -> None:
    """A BOM, UTF-16 or an early cut in the (first) file made detection fail: "no format recognises" the folder."""
    src = tmp_path / "ds"
    shutil.copytree(FIXTURE / "annotations", src / "annotations")
    bad = src / "annotations" / "instances_val.json"
    bad.write_bytes(_damaged(bad.read_bytes(), damage))
    if alone:
        src = bad
    assert labelkit.detect(src).format == "coco"
    if damage == "bom":  # dropped, as YOLO's reader drops it
        assert labelkit.load(src).report_counts() == labelkit.load(FIXTURE if not alone else INSTANCES).report_counts()
        assert labelkit.validate(src) == []
        return
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.path == str(bad)
    assert err.value.location.line == (1 if damage == "utf-16" else 4)
    expected = "text is UTF-16 or UTF-32" if damage == "utf-16" else "invalid JSON at column 19: unexpected end of data"
    assert err.value.message.startswith(expected)
    (finding,) = labelkit.validate(src)
    assert (finding.path, finding.where) == (str(bad), ":" + str(err.value.location.line))


def test_a_damaged_json_file_of_another_name_is_no_format(tmp_path: Path) -> None:
    src = tmp_path / "notes.json"
    src.write_bytes(INSTANCES.read_bytes()[:73])
    with pytest.raises(labelkit.errors.UnknownFormatError):
        labelkit.detect(src)


def _split_of_two(tmp_path: Path, labels_images: list[dict[str, Any]], labels_categories: Any = None) -> Path:
    """instances_val.json and labels_val.json listing the same images (``labels_images`` as labels' own)."""
    cats = [{"id": 1, "name": "person", "supercategory": "person", "keypoints": ["nose"], "skeleton": []}]
    images = [
        {"id": 7, "file_name": "7.jpg", "width": 10, "height": 10, "coco_url": "http://a/7.jpg"},
        {"id": 12, "file_name": "12.jpg", "width": 10, "height": 10},
    ]
    return _files(
        tmp_path / "in",
        {
            "instances_val": {"images": images, "annotations": [_ann(1, 7, 1)], "categories": cats},
            "labels_val": {
                "images": labels_images,
                "annotations": [{"id": 1, "image_id": 12, "category_id": 1}],
                "categories": cats if labels_categories is None else labels_categories,
            },
        },
    )


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (("images", 0, "coco_url", "http://other/7.jpg"), "/images/0/coco_url", "image 7 differs from the one"),
        (("images", 1, "file_name", "other.jpg"), "/images/1", "image 12 differs from the one"),
        (("images", 1, "width", 0), "/images/1", "image 12 differs from the one"),
    ],
)
def test_an_image_field_two_files_give_differently_is_refused_and_validate_says_so(
    tmp_path: Path, change: tuple[str, int, str, Any], pointer: str, message: str
) -> None:
    """The first file's image was kept and the other's value dropped without a word (exit 0), and validate said
    "ok" on what convert refused (an image listed again with another file name or size)."""
    _, index, key, value = change
    images = [
        {"id": 7, "file_name": "7.jpg", "width": 10, "height": 10, "coco_url": "http://a/7.jpg"},
        {"id": 12, "file_name": "12.jpg", "width": 10, "height": 10},
    ]
    images[index][key] = value
    src = _split_of_two(tmp_path, images)
    labels = str(src / "annotations" / "labels_val.json")
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (err.value.location.path, err.value.location.pointer) == (labels, pointer)
    assert err.value.message.startswith(message + " instances_val.json lists")
    assert not (tmp_path / "out").exists()
    (finding,) = labelkit.validate(src)
    assert (finding.path, finding.where) == (labels, "#" + pointer)
    assert finding.message.startswith(message)


def test_category_values_that_differ_between_files_come_back_in_each_file(tmp_path: Path) -> None:
    """LVIS-style per-split counts were refused (exit 2, validate exit 1), and before that train's image_count was
    written into val without a word; a supercategory or keypoint names two files of a split differ in likewise."""
    train = {"id": 1, "name": "a", "supercategory": "x", "image_count": 5, "frequency": "c"}
    val = {"id": 1, "name": "a", "supercategory": "x", "image_count": 3, "frequency": "r"}
    person = {"id": 1, "name": "a", "supercategory": "y", "keypoints": ["eye"], "skeleton": [], "image_count": 3}
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [_img(1)], "annotations": [_ann(1, 1, 1)], "categories": [train]},
            "instances_val": {"images": [_img(2)], "annotations": [_ann(2, 2, 1)], "categories": [val]},
            "labels_val": {"images": [_img(2)], "annotations": [], "categories": [person]},
        },
    )
    assert labelkit.validate(src) == []
    ds = labelkit.load(src)
    assert [c.extras for c in ds.categories] == [{"coco:image_count": 5, "coco:frequency": "c"}]  # (the first file's)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    names = ("instances_train.json", "instances_val.json", "labels_val.json")
    for name in names:  # (the same content, key order included)
        assert json.dumps(_load(tmp_path / "out/annotations" / name)) == json.dumps(_load(src / "annotations" / name))
    labelkit.save(ds, tmp_path / "ds.labelkit.json", "labelkit")  # (kept through another format)
    labelkit.convert(tmp_path / "ds.labelkit.json", tmp_path / "out2", to="coco")
    for name in names:
        assert _load(tmp_path / "out2/annotations" / name) == _load(src / "annotations" / name), name


def test_a_category_name_two_files_give_differently_is_still_refused(tmp_path: Path) -> None:
    """The model knows a category by its id and name: one id cannot have two names."""
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [], "annotations": [], "categories": [{"id": 1, "name": "a"}]},
            "instances_val": {"images": [], "annotations": [], "categories": [{"id": 1, "name": "b"}]},
        },
    )
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/categories/0/name"
    assert err.value.message == "category 1 is named 'b' here but 'a' in another file"


def test_category_names_that_differ_only_in_unicode_normalisation_are_told_apart_in_the_error(tmp_path: Path) -> None:
    """é in NFC and in NFD print the same: the error quoted both as 'é', which told the user nothing."""
    src = _files(
        tmp_path / "in",
        {
            "instances_train": {"images": [], "annotations": [], "categories": [{"id": 1, "name": "\u00e9"}]},
            "instances_val": {"images": [], "annotations": [], "categories": [{"id": 1, "name": "e\u0301"}]},
        },
    )
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.message == (
        "category 1 is named 'e\\u0301' here but '\\xe9' (they differ only in Unicode normalisation) in another file"
    )


def test_fields_one_file_of_a_split_gives_and_another_lacks_come_back_in_each_file(tmp_path: Path) -> None:
    """A flickr_url only labels_val.json gave image 12 was dropped on COCO -> COCO (the instances file's record won)."""
    images = [
        {"id": 7, "file_name": "7.jpg", "width": 10, "height": 10},  # (no coco_url: the instances file has one)
        {"id": 12, "file_name": "12.jpg", "width": 10, "height": 10, "flickr_url": "http://f/12"},
    ]
    cats = [{"id": 1, "name": "person"}]  # (no supercategory, keypoints or skeleton: the instances file has them)
    src = _split_of_two(tmp_path, images, cats)
    assert labelkit.validate(src) == []
    ds = labelkit.load(src)
    metadata = {i.id: i.metadata for i in ds.items()}
    assert metadata == {"7": {"coco_url": "http://a/7.jpg"}, "12": {"flickr_url": "http://f/12"}}
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    for name in ("instances_val.json", "labels_val.json"):
        assert _load(tmp_path / "out/annotations" / name) == _load(src / "annotations" / name), name
    labelkit.save(ds, tmp_path / "ds.labelkit.json", "labelkit")  # (kept through another format)
    labelkit.convert(tmp_path / "ds.labelkit.json", tmp_path / "out2", to="coco")
    for name in ("instances_val.json", "labels_val.json"):
        assert _load(tmp_path / "out2/annotations" / name) == _load(src / "annotations" / name), name


def _one_annotation(tmp_path: Path, key: str, value_text: str, name: str = "instances_val.json") -> Path:
    """The fixture's instances file with ``key`` of its first annotation spelled ``value_text``."""
    doc = _load(INSTANCES)
    doc["annotations"][0][key] = "@V@"
    path = tmp_path / name
    path.write_text(json.dumps(doc).replace('"@V@"', value_text))
    return path


@pytest.mark.parametrize(
    ("rle", "at", "expected", "found"),
    [
        ('{"size": [10, 10], "counts": [-5, 105]}', "/counts/0", "`int` >= 0", "-5"),
        ('{"size": [10, 10], "counts": [5, "x"]}', "/counts/1", "`int`", '"x"'),
        ('{"size": [10, 10], "counts": [5.5, 94.5]}', "/counts/0", "`int`", "5.5"),
        ('{"size": [-10, 10], "counts": [100]}', "/size/0", "`int` >= 0", "-10"),
        ('{"size": [10, 10, 3], "counts": [100]}', "/size", "`array` of length 2", "[10,10,3]"),
        ('{"size": [10, 10], "counts": {}}', "/counts", "`str | array`", "{}"),
        ('{"size": [10, 10], "counts": [1e400]}', "/counts/0", None, "Number out of range"),
        (
            '{"size": [10, 10], "counts": [0, 1' + "0" * 20 + "]}",
            "/counts/1",
            "`int` <= 9223372036854775807",
            "1" + "0" * 20,
        ),
    ],
)
def test_a_bad_rle_is_an_error_at_its_part_saying_what_was_found(
    tmp_path: Path, rle: str, at: str, expected: str | None, found: str
) -> None:
    """It was at the segmentation, found "Expected `int` >= 0" (msgspec's words, the value unsaid); the pointer
    is now the one validate's finding names."""
    src = _one_annotation(tmp_path, "segmentation", rle)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/segmentation" + at
    assert (err.value.message, err.value.expected, err.value.found) == (
        "segmentation must be polygons or an RLE {size, counts}",
        expected,
        found,
    )
    assert [f.where for f in labelkit.validate(src)] == ["#/annotations/0/segmentation" + at]


def test_an_rle_field_other_than_size_and_counts_is_noted_as_not_kept(tmp_path: Path) -> None:
    """``{"size": ..., "counts": ..., "source": "sam"}`` read as a mask without a word, and COCO -> COCO wrote it
    without the field."""
    doc = _load(INSTANCES)
    rle = next(i for i, a in enumerate(doc["annotations"]) if isinstance(a.get("segmentation"), dict))
    doc["annotations"][rle]["segmentation"]["source"] = "sam"
    src = _write(tmp_path, doc)
    ds = labelkit.load(src)
    assert ds.read_notes == [
        f"instances_val.json: 1 RLE segmentation with fields other than size and counts (first: "
        f"#/annotations/{rle}/segmentation/source): a mask holds its size and counts only, so those fields are not "
        "kept"
    ]
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.notes[0] == ds.read_notes[0]
    written = _load(tmp_path / "out/annotations/instances_val.json")["annotations"][rle]["segmentation"]
    del doc["annotations"][rle]["segmentation"]["source"]
    assert written == doc["annotations"][rle]["segmentation"]


@pytest.mark.parametrize("value", ['"9"', "1.5", "-1e25", "true"])
def test_a_segmentation_that_is_no_geometry_is_refused(tmp_path: Path, value: str) -> None:
    """It was carried as read ("null or another oddity") into COCO output that validate rejects."""
    src = _one_annotation(tmp_path, "segmentation", value)
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert err.value.location.pointer == "/annotations/0/segmentation"
    assert err.value.message == "segmentation must be polygons or an RLE {size, counts}"
    assert err.value.found == value
    assert not (tmp_path / "out").exists()
    assert [f.where for f in labelkit.validate(src)] == ["#/annotations/0/segmentation"]


@pytest.mark.parametrize(("index", "found"), [('"01"', "'01'"), ("false", "false"), ("null", "null")])
def test_a_skeleton_index_that_is_no_number_is_refused(tmp_path: Path, index: str, found: str) -> None:
    """The category record's lax check read "01" as 1 and false as 0, without a word, where validate refuses them."""
    doc = _load(INSTANCES)
    doc["categories"][0]["skeleton"] = "@EDGES@"
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc).replace('"@EDGES@"', f"[[1, 2], [1, {index}]]"))
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="labelkit")
    assert err.value.location.pointer == "/categories/0/skeleton/1/1"
    assert err.value.message == "skeleton index must be an integer"
    assert err.value.found == found
    assert not (tmp_path / "out").exists()
    assert [f.where for f in labelkit.validate(src)] == ["#/categories/0/skeleton/1/1"]


@pytest.mark.parametrize(
    ("edit", "pointer", "message"),
    [
        (lambda d: d.update(info=[[1, 2]]), "/info", "Expected `object`, got `array`"),
        (lambda d: d.update(licenses={}), "/licenses", "Expected `array`, got `object`"),
        (lambda d: d.update(annotations=None), "/annotations", "Expected `array`, got `null`"),
        (lambda d: d["annotations"][0].update(score=None), "/annotations/0/score", "score must be a number"),
    ],
)
def test_values_written_back_as_read_are_refused_where_the_schema_refuses_them(
    tmp_path: Path, edit: Any, pointer: str, message: str
) -> None:
    """info, licenses, a null annotations list and a null score were taken (and written as {}, dropped...)."""
    doc = _load(INSTANCES)
    edit(doc)
    src = _write(tmp_path, doc)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (err.value.location.pointer, err.value.message) == (pointer, message)
    assert [f.where for f in labelkit.validate(src)] == ["#" + pointer]


def test_a_detection_without_a_score_is_refused(tmp_path: Path) -> None:
    """A results entry without "score" was read (and written back without one), though the schema requires it."""
    results = _load(FIXTURE / "results_val.json")
    del results[1]["score"]
    src = _write(tmp_path, results, "results_val.json")
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (err.value.location.pointer, err.value.message) == ("/1/score", "missing required field 'score'")
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [("#/1/score", "missing required field 'score'")]


def test_a_region_captions_geometry_must_be_geometry(tmp_path: Path) -> None:
    """A caption's "bbox": "x" was carried as read."""
    doc = _load(FIXTURE / "annotations" / "captions_val.json")
    doc["annotations"][0]["bbox"] = "x"
    src = _write(tmp_path, doc, "captions_val.json")
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/bbox"
    assert [f.where for f in labelkit.validate(src)] == ["#/annotations/0/bbox"]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("iscrowd", '"x"'),
        ("iscrowd", '"../../evil"'),
        ("iscrowd", "-1"),
        ("iscrowd", "1.5"),
        ("iscrowd", '"false"'),
        ("area", "[]"),
        ("area", "-5"),
        ("area", "null"),
        ("num_keypoints", "1.5"),
    ],
)
def test_carried_fields_the_schema_rejects_are_carried_and_reported(tmp_path: Path, key: str, value: str) -> None:
    """They were carried into COCO output without a word while validate rejected them (Label Studio's COCO has
    "iscrowd": "false", so they are carried, not refused: the read note and validate say where)."""
    src = _one_annotation(tmp_path, key, value)
    ds = labelkit.load(src)
    assert ds.read_notes == [
        f"instances_val.json: 1 {key} value COCO does not allow (first: #/annotations/0/{key} is {value}), "
        "carried as read; labelkit validate lists them"
    ]
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert ds.read_notes[0] in report.notes
    assert _load(tmp_path / "out/annotations/instances_val.json") == _load(src)
    assert [f.where for f in labelkit.validate(src)] == [f"#/annotations/0/{key}"]


def test_carried_fields_of_a_results_file_are_not_noted_as_validate_allows_them(tmp_path: Path) -> None:
    """The note said "2 area, iscrowd values COCO does not allow ... labelkit validate lists them" while validate
    said ok: the results schema leaves them free."""
    src = tmp_path / "results_val.json"
    src.write_text('[{"image_id":1,"category_id":1,"bbox":[1,2,3,4],"score":0.3,"area":-1,"iscrowd":"no"}]')
    assert labelkit.validate(src) == []
    assert labelkit.load(src).read_notes == []
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.notes == ["wrote annotations/results_val.json"]
    assert _load(tmp_path / "out/annotations/results_val.json") == _load(src)


@pytest.mark.parametrize(
    ("key", "value"), [("iscrowd", "1.0"), ("area", "-0.0"), ("area", "1e400"), ("num_keypoints", "2.0")]
)
def test_carried_fields_the_schema_allows_are_not_noted(tmp_path: Path, key: str, value: str) -> None:
    src = _one_annotation(tmp_path, key, value)
    assert labelkit.load(src).read_notes == []


def test_a_carried_integer_past_float_range_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """The check of carried values turned an iscrowd of 400 digits into a float (OverflowError)."""
    src = _one_annotation(tmp_path, "iscrowd", "1" + "0" * 400)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/iscrowd"


def test_coco_extras_the_reader_refuses_are_lost_not_written(tmp_path: Path) -> None:
    """``coco:`` extras from another format were written as they were, into COCO that ``validate`` and
    pycocotools refuse (``"info": [1]``, ``"supercategory": 5``, ``"segmentation": "9"``), nothing reported."""
    from pycocotools.coco import COCO

    from labelkit.model.records import DatasetInfo

    info = DatasetInfo(extras={"coco:info": [1], "coco:licenses": [2]})
    ds = Dataset(categories=[Category(id=1, name="a", extras={"coco:supercategory": 5})], info=info)
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=100, height=80)))
    extras = {"coco:iscrowd": 1, "coco:segmentation": "9"}
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0), extras=extras))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("coco:segmentation extras COCO cannot hold", 1),
        ("coco:supercategory extras of categories", 1),
        ("dataset info's coco:info extra", 1),
        ("dataset info's coco:licenses extra", 1),
    ]
    assert [(c.what, c.count) for c in report.transformed] == [("boxes", 1)]
    path = tmp_path / "out/annotations/instances_val.json"
    assert _load(path) == {
        "info": {},
        "licenses": [],
        "images": [{"id": 1, "file_name": "1.jpg", "width": 100, "height": 80}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "segmentation": [[1, 2, 4, 2, 4, 6, 1, 6]],
                "bbox": [1, 2, 3, 4],
                "iscrowd": 1,
                "area": 12.0,
            },
        ],
        "categories": [{"id": 1, "name": "a"}],
    }
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0
    assert len(COCO(str(path)).getAnnIds()) == 1
    # what COCO's reader carries is written as carried: a null segmentation on a box, a Label Studio iscrowd
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=100, height=80)))
    extras = {"coco:iscrowd": "false", "coco:segmentation": None, "coco:area": 1}
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0), extras=extras))
    assert labelkit.save(ds, tmp_path / "carried", "coco").lost == []
    (ann,) = _load(tmp_path / "carried/annotations/instances_val.json")["annotations"]
    assert ann == {
        "id": 1,
        "image_id": 1,
        "category_id": 1,
        "bbox": [1, 2, 3, 4],
        "iscrowd": "false",
        "segmentation": None,
        "area": 1,
    }


@pytest.mark.parametrize("categories", [[], [Category(id=1, name="a")]])
def test_captions_without_a_category_are_written_in_a_file_listing_none(tmp_path: Path, categories: list[Any]) -> None:
    """A captions file from another format listed the categories beside captions without ``category_id``:
    pycocotools' ``COCO()`` raised KeyError 'category_id' (it indexes them when the file has categories)."""
    from pycocotools.coco import COCO

    ds = Dataset(categories=categories)
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=100, height=80)))
    ds.add(Transcript(id="1", item_id="1", text="hello"))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == report.transformed == []
    image = {"id": 1, "file_name": "1.jpg", "width": 100, "height": 80}
    files = {p.name: _load(p) for p in sorted((tmp_path / "out/annotations").iterdir())}
    expected = {
        "captions_val.json": {
            "info": {},
            "licenses": [],
            "images": [image],
            "annotations": [{"id": 1, "image_id": 1, "caption": "hello"}],
        }
    }
    if categories:  # (kept in an instances file of the split, as the captions file cannot list them)
        expected["instances_val.json"] = {
            "info": {},
            "licenses": [],
            "images": [image],
            "annotations": [],
            "categories": [{"id": 1, "name": "a"}],
        }
    assert files == expected
    assert COCO(str(tmp_path / "out/annotations/captions_val.json")).getAnnIds() == [1]
    back = labelkit.load(tmp_path / "out")
    assert [c.name for c in back.categories] == [c.name for c in categories]
    assert [t.text for t in back.transcripts()] == ["hello"]


_CAPTION_CATS = [
    {"id": 1, "name": "cat", "supercategory": "animal"},
    {"id": 2, "name": "dog", "supercategory": "animal"},
]


@pytest.mark.parametrize("beside", [None, "instances", "captions"])
def test_a_captions_file_read_with_categories_and_captions_without_one_loads_in_pycocotools(
    tmp_path: Path, beside: str | None
) -> None:
    """A ``captions_val.json`` listing categories beside captions without ``category_id`` was written back as
    read, and pycocotools' ``COCO()`` raised KeyError 'category_id' on labelkit's output. It is written
    without the list; the categories are listed in a file beside it (an instances file of the first split
    when no other file lists categories), and read back the same."""
    from pycocotools.coco import COCO

    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    images = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}]
    captions = [{"id": 1, "image_id": 1, "caption": "a cat"}, {"id": 2, "image_id": 1, "caption": "two"}]
    doc = {"info": {"description": "x"}, "images": images, "annotations": captions, "categories": _CAPTION_CATS}
    (folder / "captions_val.json").write_text(json.dumps(doc))
    others: dict[str, Any] = {}
    if beside == "instances":  # lists cat only: dog is listed there too, as no other file lists it
        box = {"id": 7, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
        others["instances_val.json"] = {"images": images, "annotations": [box], "categories": _CAPTION_CATS[:1]}
    elif beside == "captions":  # a captions file whose captions have one lists them, dog too
        one = [{"id": 3, "image_id": 2, "category_id": 1, "caption": "c"}]
        b = [{"id": 2, "file_name": "b.jpg", "width": 4, "height": 4}]
        others["captions_train.json"] = {"images": b, "annotations": one, "categories": _CAPTION_CATS[:1]}
    for name, other in others.items():
        (folder / name).write_text(json.dumps(other))
    source = labelkit.load(tmp_path / "ds")
    report = labelkit.convert(tmp_path / "ds", tmp_path / "out", to="coco")
    assert report.lost == []
    assert [(c.what, c.count) for c in report.transformed] == [("captions files' category lists", 1)]
    files = {p.name: _load(p) for p in sorted((tmp_path / "out/annotations").iterdir())}
    assert files["captions_val.json"] == {k: v for k, v in doc.items() if k != "categories"}
    home = {None: "instances_val.json", "instances": "instances_val.json", "captions": "captions_train.json"}[beside]
    assert files[home]["categories"] == _CAPTION_CATS
    assert sorted(files) == sorted({"captions_val.json", home, *others})
    for name in files:
        api = COCO(str(tmp_path / "out/annotations" / name))  # (no KeyError)
        assert api.getAnnIds(imgIds=[1]) == [a["id"] for a in files[name]["annotations"] if a["image_id"] == 1]
    assert COCO(str(tmp_path / "out/annotations" / home)).getCatIds() == [1, 2]
    back = labelkit.load(tmp_path / "out")
    assert [(c.id, c.name, c.supercategory) for c in back.categories] == [
        (c.id, c.name, c.supercategory) for c in source.categories
    ]
    assert sorted((t.text, t.category_id) for t in back.transcripts()) == sorted(
        (t.text, t.category_id) for t in source.transcripts()
    )
    again = labelkit.convert(tmp_path / "out", tmp_path / "again", to="coco")  # written so, it stays so
    assert again.transformed == []
    assert {p.name: _load(p) for p in sorted((tmp_path / "again/annotations").iterdir())} == files


@pytest.mark.parametrize("beside", ["person_keypoints", "image_info"])
def test_categories_only_a_bare_captions_file_listed_are_listed_in_an_instances_file(
    tmp_path: Path, beside: str
) -> None:
    """A captions file read with a categories list beside captions without ``category_id`` is written without
    the list; its categories went to an instances, stuff, labels or captions file that lists some, and when
    the only other file was a keypoints or image info file, which lists its own, no file listed them: cat and
    dog were gone, without a word. An instances file of the first split lists them."""
    from pycocotools.coco import COCO

    folder = tmp_path / "ds" / "annotations"
    folder.mkdir(parents=True)
    images = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}]
    captions = [{"id": 1, "image_id": 1, "caption": "a cat"}]
    doc = {"images": images, "annotations": captions, "categories": _CAPTION_CATS}
    (folder / "captions_val.json").write_text(json.dumps(doc))
    person = {"id": 3, "name": "person", "supercategory": "person", "keypoints": ["nose"], "skeleton": []}
    if beside == "person_keypoints":
        pose = {"id": 5, "image_id": 1, "category_id": 3, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
        other = {"images": images, "annotations": [pose | {"keypoints": [2, 2, 2], "num_keypoints": 1}]}
    else:  # (COCO's image_info_test2017.json lists categories beside its images)
        other = {"images": images}
    (folder / f"{beside}_val.json").write_text(json.dumps(other | {"categories": [person]}))
    source = labelkit.load(tmp_path / "ds")
    report = labelkit.convert(tmp_path / "ds", tmp_path / "out", to="coco")
    assert report.lost == []
    assert [(c.what, c.count) for c in report.transformed] == [("captions files' category lists", 1)]
    files = {p.name: _load(p) for p in sorted((tmp_path / "out/annotations").iterdir())}
    assert sorted(files) == sorted(["captions_val.json", f"{beside}_val.json", "instances_val.json"])
    assert "categories" not in files["captions_val.json"]
    assert files[f"{beside}_val.json"] == _load(folder / f"{beside}_val.json")
    assert files["instances_val.json"]["categories"] == _CAPTION_CATS
    assert files["instances_val.json"]["annotations"] == []
    for name in files:
        COCO(str(tmp_path / "out/annotations" / name))  # (no KeyError)
    back = labelkit.load(tmp_path / "out")
    assert sorted((c.id, c.name) for c in back.categories) == [(1, "cat"), (2, "dog"), (3, "person")]
    assert [(o.id, o.keypoints) for o in back.objects()] == [(o.id, o.keypoints) for o in source.objects()]


@pytest.mark.parametrize("task", ["person_keypoints", "image_info"])
@pytest.mark.parametrize("how", ["merged", "added"])
def test_a_category_no_keypoints_or_image_info_file_lists_is_listed_in_an_instances_file(
    tmp_path: Path, task: str, how: str
) -> None:
    """A folder of keypoints (or image info) files alone: dog, listed only by val's file, was in no file once val
    was merged into train, and a category added in code never was (exit 0, nothing reported lost). An
    instances file of the first split lists it, without annotations, as it does a bare captions file's."""
    from pycocotools.coco import COCO

    from labelkit.model import Category

    person = {"id": 1, "name": "person", "keypoints": ["a"], "skeleton": []}
    docs = {}
    for split, image, cats in (("train", 1, [person]), ("val", 2, [person, {"id": 2, "name": "dog"}])):
        docs[f"{task}_{split}"] = {"images": [_img(image)], "categories": cats}
        if task == "person_keypoints":
            docs[f"{task}_{split}"]["annotations"] = [_ann(image, image, 1, keypoints=[2, 2, 2], num_keypoints=1)]
    src = _files(tmp_path / "in", docs)
    ds = labelkit.load(src)
    if how == "merged":
        ds = ds.filter("train")
    else:
        ds.categories.append(Category(id=7, name="bus"))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    files = {p.stem: _load(p) for p in sorted((tmp_path / "out/annotations").iterdir())}
    home = "instances_train"
    assert sorted(files) == sorted([home, *(name for name in docs if how == "added" or "train" in name)])
    assert {k: v for k, v in files.items() if k != home} == {k: docs[k] for k in files if k != home}
    unlisted = [{"id": 2, "name": "dog"}] if how == "merged" else [{"id": 7, "name": "bus"}]
    assert files[home] == {"info": {}, "licenses": [], "images": [_img(1)], "annotations": [], "categories": unlisted}
    assert COCO(str(tmp_path / "out/annotations" / f"{home}.json")).getCatIds() == [unlisted[0]["id"]]
    back = labelkit.load(tmp_path / "out")
    assert sorted((c.id, c.name) for c in back.categories) == sorted((c.id, c.name) for c in ds.categories)
    again = labelkit.save(back, tmp_path / "again", "coco")  # written so, it stays so
    assert (again.lost, again.transformed) == ([], [])
    assert {p.stem: _load(p) for p in sorted((tmp_path / "again/annotations").iterdir())} == files


def test_an_attribute_integer_past_int64_is_carried_not_read_as_an_attribute(tmp_path: Path) -> None:
    """``"attributes": {"n": 10000000000000000000}`` became an attribute no record holds: labelkit JSON wrote
    a document its reader refuses, and a Parquet folder its reader refuses."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [0, 0, 1, 1],
                "area": 1,
                "iscrowd": 0,
                "segmentation": [[0, 0, 1, 0, 1, 1]],
                "attributes": {"n": 10000000000000000000},
            }
        ],
        "categories": [{"id": 1, "name": "a"}],
    }
    src = _write(tmp_path, doc)
    (obj,) = labelkit.load(src).objects()
    assert obj.attributes == {} and obj.extras["coco:attributes"] == {"n": 10000000000000000000}
    labelkit.convert(src, tmp_path / "direct", to="coco")
    for mid in ("m.labelkit.json", "m.parquet"):
        labelkit.convert(src, tmp_path / mid, to=mid.rsplit(".", 1)[1].replace("json", "labelkit"))
        labelkit.convert(tmp_path / mid, tmp_path / f"via-{mid}", to="coco")
        written = _load(tmp_path / f"via-{mid}/annotations/instances_val.json")
        assert written == _load(tmp_path / "direct/annotations/instances_val.json") == doc


# -- ids -----------------------------------------------------------------------------------------------------

_BEYOND = "9223372036854775808"  # 2^63: an integer, but no int64


def _ids_dataset() -> Dataset:
    """Ids COCO cannot write as they are: integers beyond 64 bits, a repeated one, and text."""
    from labelkit.model import Label

    ds = Dataset(categories=[Category(id=1, name="a")])
    for iid in ("7", _BEYOND, "0x10", "img"):
        ds.add_item(Item(id=iid, media=Media(path=f"{iid}.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="5", item_id="7", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Object(id=_BEYOND, item_id="7", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Label(id="3", item_id="7", category_id=1))
    ds.add(Label(id="9" * 5000, item_id="img", category_id=1))  # (more digits than int() takes)
    return ds


@pytest.mark.parametrize("source", ["labelkit", "parquet"])
def test_ids_coco_cannot_keep_are_reported_renumbered(tmp_path: Path, source: str) -> None:
    """An integer id beyond 64 bits (labelkit JSON and Parquet ids are text) was given a new number without a
    report line; one of more than 4,300 digits stopped the conversion with Python's ValueError. Each is
    reported as transformed now."""
    src = tmp_path / ("src.labelkit.json" if source == "labelkit" else "src")
    labelkit.save(_ids_dataset(), src, source)
    run = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o"), "--to", "coco"])
    assert run.exit_code == 0, run.output
    assert [line for line in run.output.splitlines() if " ids: " in line] == [
        f"transformed: 3 item ids: {_ITEM_IDS}",
        "transformed: 1 image ids: COCO ids are 64-bit integers: numbered after the largest",
        "transformed: 2 annotation ids: COCO ids are 64-bit integers: numbered after the largest",
    ]
    instances = _load(tmp_path / "o/annotations/instances_train.json")
    labels = _load(tmp_path / "o/annotations/labels_train.json")
    # ("0x10" and "img" have no number of their own: numbered after the largest, in order, as documented)
    assert [(i["id"], i["file_name"]) for i in instances["images"]] == [
        (7, "7.jpg"),
        (8, f"{_BEYOND}.jpg"),
        (9, "0x10.jpg"),
        (10, "img.jpg"),
    ]
    assert [a["id"] for a in instances["annotations"]] == [5, 6]
    assert [(a["id"], a["image_id"]) for a in labels["annotations"]] == [(3, 7), (4, 10)]


def test_label_and_caption_ids_renumbered_are_reported(tmp_path: Path) -> None:
    """Objects' ids that another of their file had were reported renumbered, image labels' and captions' not."""
    from labelkit.model import Label

    ds = _ids_dataset()
    ds.add(Label(id="3", item_id="img", category_id=1))
    ds.add(Transcript(id="1", item_id="7", text="x"))
    ds.add(Transcript(id="1", item_id="img", text="y"))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [str(c) for c in report.transformed if c.what.endswith(" ids")] == [
        f"3 item ids: {_ITEM_IDS}",
        "1 image ids: COCO ids are 64-bit integers: numbered after the largest",
        "2 annotation ids: another annotation of its file had the same id: numbered after the largest of its split",
        "2 annotation ids: COCO ids are 64-bit integers: numbered after the largest",
    ]
    labels = _load(tmp_path / "o/annotations/labels_train.json")
    assert [(a["id"], a["image_id"]) for a in labels["annotations"]] == [(3, 7), (4, 10), (5, 10)]
    captions = _load(tmp_path / "o/annotations/captions_train.json")
    assert [(a["id"], a["caption"]) for a in captions["annotations"]] == [(1, "x"), (2, "y")]


def test_annotation_ids_spelling_their_number_otherwise_are_reported_as_read_back_otherwise(tmp_path: Path) -> None:
    """An object's or label's id ``011``, ``-07`` or ``01`` is written as its number and read back as ``11``, ``-7``
    and ``1``, unsaid (an item's id ``07`` was reported, as ``item ids``); ``val/3`` reads back as ``3`` or, where
    splits share one, ``val/3``, as an id read from COCO does: not counted."""
    from labelkit.model import Label

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="07", media=Media(path="a.jpg", width=10, height=10)))
    for oid in ("011", "-07", "val/3", "val/05", "12"):
        ds.add(Object(id=oid, item_id="07", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Label(id="01", item_id="07", category_id=1))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [(c.what, c.count, c.reason) for c in report.transformed if c.what.endswith(" ids")] == [
        ("item ids", 1, _ITEM_IDS),
        (
            "annotation ids",
            4,
            "COCO's ids are integers: an id is written as its number, so one spelled otherwise (011, -07) reads back "
            "as it (11, -7)",
        ),
    ]
    back = labelkit.load(tmp_path / "o")
    assert sorted(o.id for o in back.objects()) == ["-7", "11", "12", "3", "5"]
    assert [label.id for label in back.labels()] == ["1"]


def test_an_annotation_id_numbered_anew_is_not_counted_as_spelled_otherwise_too(tmp_path: Path) -> None:
    """Object ids ``00`` and ``-0`` are both number 0: one is written after the split's largest as a repeat, the
    other as an id of 0 (COCOeval takes 0 for no match), yet each was counted as spelled otherwise as well, ``00``
    twice over (4 annotation ids for 3, ``011`` the third, read back as ``11``). The spelling is counted on the ids
    as written at last."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=100)))
    for oid in ("00", "-0", "5", "011"):
        ds.add(Object(id=oid, item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    counts = [(c.count, c.reason.split(":")[0]) for c in report.transformed if c.what == "annotation ids"]
    assert counts == [
        (1, "COCO's ids are integers"),
        (1, "another annotation of its file had the same id"),
        (1, "pycocotools' COCOeval takes a ground-truth id of 0 for no match (a detection of it counts as false)"),
    ]
    assert sorted(o.id for o in labelkit.load(tmp_path / "o").objects()) == ["11", "12", "13", "5"]


@pytest.mark.parametrize("neighbour", ["a", "3"])
def test_an_id_of_leading_zeros_past_int_s_limit_is_its_number(tmp_path: Path, neighbour: str) -> None:
    """An id of more than 4,300 characters whose number is small (``000...01``) stopped the conversion with
    Python's ValueError when an id beside it had no number ("a"); with numbers only (Arrow's cast) it was 1."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for iid in ("0" * 5000 + "1", "-" + "0" * 5000 + "2", neighbour):
        ds.add_item(Item(id=iid, media=Media(path=f"{len(iid)}.jpg", width=10, height=10)))
    ds.add(Object(id="0" * 5000 + "5", item_id=neighbour, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Object(id="b", item_id=neighbour, category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    # (none renumbered; the ids read back as their numbers, "1", "-2" and "5", and "a" and "b" as their new ones)
    assert [(c.what, c.count) for c in report.transformed if c.what.endswith(" ids")] == [
        ("item ids", 3 if neighbour == "a" else 2),
        ("annotation ids", 1),  # (b, without a number)
        ("annotation ids", 1),  # (000...05, read back as 5)
    ]
    instances = _load(tmp_path / "o/annotations/instances_default.json")
    assert [(i["id"], i["file_name"]) for i in instances["images"]] == [
        (1, "5001.jpg"),
        (-2, "5002.jpg"),
        (2 if neighbour == "a" else 3, "1.jpg"),
    ]
    assert [a["id"] for a in instances["annotations"]] == [5, 6]


def test_ids_left_without_a_free_number_are_reported_renumbered(tmp_path: Path) -> None:
    """With an id at 2^63 - 1 no number is free above the largest, so every id of the split is numbered 1..N:
    that was reported as if another image had had the same id."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for iid in ("9223372036854775807", "a"):
        ds.add_item(Item(id=iid, media=Media(path=f"{iid}.jpg", width=10, height=10)))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [str(c) for c in report.transformed] == [
        f"2 item ids: {_ITEM_IDS}",
        f"2 item splits: {_UNSPLIT}",
        "1 image ids: the largest id leaves no number free above it (COCO ids are 64-bit integers): all numbered 1..N",
    ]
    assert [i["id"] for i in _load(tmp_path / "o/annotations/instances_default.json")["images"]] == [1, 2]


@given(
    st.lists(
        st.sampled_from(
            ["7", "-3", "val/12", "0x10", "0X1f", "007", "a", "\u0661", "12\n", _BEYOND, "-" + _BEYOND, None]
        )
    )
)
@settings(max_examples=200, deadline=None)
def test_an_ids_own_number_does_not_depend_on_the_other_ids(ids: list[str | None]) -> None:
    """Arrow's cast, taken when every id casts, reads "0x10" as 16; one other id without a number (or a null)
    sent every id through the regular expression, which reads it as text: the same id was written as 16 or as
    a new number depending on its neighbours."""
    from labelkit.formats.coco_ids import own_numbers

    together = [a.tolist() for a in own_numbers(pa.array(ids, pa.string()))]
    alone = [[a.tolist()[0] for a in own_numbers(pa.array([i], pa.string()))] for i in ids]
    assert together == ([list(column) for column in zip(*alone, strict=True)] if ids else [[], [], []])


@given(st.lists(st.one_of(st.none(), st.text(alphabet="019-/ax\n+.\u0661", max_size=8), st.just("val/" + _BEYOND))))
@settings(max_examples=300, deadline=None)
def test_ids_of_a_split_are_numbered_by_arrow_as_one_by_one(ids: list[str | None]) -> None:
    """Ids that do not all cast (val/12) are numbered by Arrow's regular expression, which must read each as the
    Python pattern does id by id: the number after the last '/', ASCII digits, no line break after them."""
    from labelkit.formats.coco_ids import one_by_one, own_numbers

    got = [a.tolist() for a in own_numbers(pa.array(ids, pa.string()))]
    assert got == [a.tolist() for a in one_by_one(ids)]


@pytest.mark.parametrize("kind", ["dictionary", "string_view"])
def test_ids_of_a_split_in_a_column_no_regular_expression_kernel_takes_are_numbered_one_by_one(kind: str) -> None:
    """Arrow's extract_regex has no kernel for dictionary or string_view text: such ids go one by one (own_numbers
    raised ArrowNotImplementedError where the loop had taken any column)."""
    from labelkit.formats.coco_ids import own_numbers

    ids = pa.array(["val/1", "a", None])
    column = ids.dictionary_encode() if kind == "dictionary" else ids.cast(pa.string_view())
    assert [a.tolist() for a in own_numbers(column)] == [[1, 0, 0], [True, False, False], [False, False, False]]


@pytest.mark.parametrize("text", ["\u0661\u0662", "\uff11\uff12", "12\n", "val/12\n", "\u00b2"])
def test_ids_of_other_digits_are_text(text: str) -> None:
    """Only ASCII digits make an id's own number: Arabic-Indic or full-width digits (which int() reads) were
    written as COCO id 12, and so was "12" with a line break after it (the pattern's $ allowed one)."""
    from labelkit.formats.coco_ids import own_numbers

    assert [a.tolist() for a in own_numbers([text, "7"])] == [[0, 7], [False, True], [False, False]]


@pytest.mark.parametrize(
    ("items", "changed", "back"),
    [
        # an id without a number is numbered after the split's largest; a split part no clash asks for is dropped
        (
            [("x", "val"), ("val/3", "val"), ("7", "train"), ("train/9", "train")],
            3,
            [("7", "train"), ("9", "train"), ("4", "val"), ("3", "val")],
        ),
        # two splits share image id 3: every id reads back with its split in front, as written
        ([("train/3", "train"), ("val/3", "val")], 0, [("train/3", "train"), ("val/3", "val")]),
        ([("3", "train"), ("val/3", "val")], 1, [("train/3", "train"), ("val/3", "val")]),
        ([("12", None)], 0, [("12", "default")]),  # (its split is reported as such)
    ],
)
def test_item_ids_coco_reads_back_otherwise_are_reported(
    tmp_path: Path, items: list[tuple[str, str | None]], changed: int, back: list[tuple[str, str]]
) -> None:
    """COCO names images by integer ids: item x read back as 4 and val/3 as 3, and no report line said so."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for n, (item_id, split) in enumerate(items):
        ds.add_item(Item(id=item_id, media=Media(path=f"{n}.jpg", width=10, height=10), split=split))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    lines = [str(c) for c in report.transformed if c.what == "item ids"]
    assert lines == ([f"{changed} item ids: {_ITEM_IDS}"] if changed else [])
    assert [c for c in planned.transformed if c.what == "item ids"] == [
        c for c in report.transformed if c.what == "item ids"
    ]
    assert [(i.id, i.split) for i in labelkit.load(tmp_path / "o", "coco").items()] == back


def test_a_dry_run_reports_the_image_ids_renumbered(tmp_path: Path) -> None:
    """The writer numbered the images and reported those renumbered when writing: a plan (a dry run) said
    nothing of them. The check numbers them as the writer does now, so both say the same, once."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for n, item_id in enumerate(("7", "val/7", "x")):
        ds.add_item(Item(id=item_id, media=Media(path=f"{n}.jpg", width=10, height=10), split="val"))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "o", "coco")
    expected = [
        f"2 item ids: {_ITEM_IDS}",
        "1 image ids: another image of the split had the same id: numbered after the largest",
    ]
    assert [str(c) for c in planned.transformed] == [str(c) for c in report.transformed] == expected
    images = _load(tmp_path / "o/annotations/instances_val.json")["images"]
    assert [(i["id"], i["file_name"]) for i in images] == [(7, "0.jpg"), (8, "1.jpg"), (9, "2.jpg")]


def test_coco_to_coco_reports_no_ids_renumbered(tmp_path: Path) -> None:
    """COCO's own ids are kept: COCO -> COCO (and through labelkit JSON) reports none renumbered."""
    report = labelkit.convert(FIXTURE, tmp_path / "o", to="coco")
    assert [str(c) for c in report.transformed if c.what.endswith(" ids")] == []
    labelkit.convert(FIXTURE, tmp_path / "native.labelkit.json", to="labelkit")
    report = labelkit.convert(tmp_path / "native.labelkit.json", tmp_path / "o2", to="coco")
    assert [str(c) for c in report.transformed if c.what.endswith(" ids")] == []
    for name in ("instances_val", "captions_val", "labels_val"):
        before = _load(FIXTURE / f"annotations/{name}.json")
        for out in ("o", "o2"):
            after = _load(tmp_path / f"{out}/annotations/{name}.json")
            assert [a["id"] for a in after["annotations"]] == [a["id"] for a in before["annotations"]]
            assert [i["id"] for i in after["images"]] == [i["id"] for i in before["images"]]


def test_ids_without_a_number_are_numbered_after_the_largest_of_their_file(tmp_path: Path) -> None:
    """README *COCO: Writing*: an annotation id without a number gets the next after the largest of its file
    (COCO ids are unique per file): labels are numbered apart from the objects of their split."""
    from labelkit.model import Label

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="10", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Object(id="x", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Label(id="5", item_id="a", category_id=1), Label(id="l1", item_id="a", category_id=1))
    labelkit.save(ds, tmp_path / "o", "coco")
    ids = {
        f.name: [a["id"] for a in json.loads(f.read_bytes())["annotations"]]
        for f in sorted((tmp_path / "o/annotations").iterdir())
    }
    assert ids == {"instances_train.json": [10, 11], "labels_train.json": [5, 6]}


def test_a_keypoint_set_of_another_length_is_counted_once(tmp_path: Path) -> None:
    """It was reported lost and again among the objects without keypoints (transformed): one object, two lines.

    Lost once; what is written (every point unlabelled, ``num_keypoints`` 0) is what the loss says, and the
    transformed count is of the object that had no keypoints."""
    from pycocotools.coco import COCO

    ds = Dataset(categories=[Category(id=0, name="person", keypoints=["a", "b"])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30)))
    ds.add(Object(id="1", item_id="1", category_id=0, bbox=(1, 1, 10, 10), keypoints=[2, 2, 2]))
    ds.add(Object(id="2", item_id="1", category_id=0, bbox=(20, 10, 10, 10)))
    report = labelkit.plan(ds, "coco")
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "keypoint sets of another length than their category's names",
            1,
            "COCO's reader refuses them: their objects are written with every point unlabelled (num_keypoints 0)",
        )
    ]
    assert [(c.what, c.count) for c in report.transformed] == [
        ("category skeletons", 1),
        ("item splits", 1),
        ("boxes", 2),
        ("objects without keypoints of a category with keypoint names", 1),
    ]
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    api = COCO(str(path))
    assert [(a["id"], a["keypoints"], a["num_keypoints"]) for a in api.loadAnns(api.getAnnIds())] == [
        (1, [0, 0, 0, 0, 0, 0], 0),
        (2, [0, 0, 0, 0, 0, 0], 0),
    ]
    assert coco.validate(tmp_path / "out") == []


def _with_one_point_of_keypoints(ds: Dataset) -> Dataset:
    """The dataset with its one object's keypoints replaced by one point, [2, 2, 2]: a set of another length
    than its category's keypoint names."""
    objects = ds.table("objects")
    at = objects.schema.get_field_index("keypoints")
    objects = objects.set_column(at, "keypoints", pa.array([[2.0, 2.0, 2.0]], objects.schema.field(at).type))
    return Dataset.from_tables({**ds.tables(), "objects": objects}, ds.categories, ds.info)


def test_a_keypoint_set_of_another_length_read_from_coco_gets_num_keypoints_0(tmp_path: Path) -> None:
    """Written as read, it kept the ``num_keypoints`` read beside the points taken out."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}],
        "categories": [{"id": 1, "name": "person", "supercategory": "p", "keypoints": ["a", "b"], "skeleton": []}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [1, 1, 5, 5],
                "segmentation": [[1, 1, 6, 1, 6, 6]],
                "area": 12.5,
                "iscrowd": 0,
                "keypoints": [2, 2, 2, 3, 3, 2],
                "num_keypoints": 2,
            }
        ],
    }
    (tmp_path / "in" / "annotations").mkdir(parents=True)
    _write(tmp_path / "in" / "annotations", doc, "person_keypoints_val.json")
    ds = _with_one_point_of_keypoints(labelkit.load(tmp_path / "in"))
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("keypoint sets of another length than their category's names", 1)
    ]
    assert report.transformed == []
    (ann,) = _load(tmp_path / "out" / "annotations" / "person_keypoints_val.json")["annotations"]
    assert (ann["keypoints"], ann["num_keypoints"], ann["area"]) == ([0, 0, 0, 0, 0, 0], 0, 12.5)


@pytest.mark.parametrize(
    ("fields", "lost"),
    [
        ({"bbox": (1, 1, -2, 3)}, []),
        ({"bbox": (1, 1, 2, 2), "mask": "other"}, [("masks of another size than their image", 1)]),
        ({"shape": "mask", "mask": "other"}, []),
        ({"keypoints": [2, 2, 2]}, []),
        ({"bbox": (1, 1, -2, 3), "keypoints": [2, 2, 2]}, []),
        ({"bbox": (1, 1, -2, 3), "keypoints": [2, 2, 2, 3, 3, 2]}, [("boxes of negative width or height", 1)]),
    ],
)
def test_an_object_whose_only_geometry_coco_refuses_is_lost_once(
    fields: dict[str, Any], lost: list[tuple[str, int]], tmp_path: Path
) -> None:
    """Its box, mask or keypoints taken out, it has no geometry: it was reported for each field taken out and
    again as an object without geometry. Lost whole, it is counted once, and not written."""
    from labelkit.model import Rle

    if fields.get("mask") == "other":
        fields = {**fields, "mask": Rle(size=(2, 2), counts=[0, 4])}
    ds = Dataset(categories=[Category(id=0, name="person", keypoints=["a", "b"])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30)))
    ds.add(Object(id="1", item_id="1", category_id=0, **fields))
    ds.add(Object(id="2", item_id="1", category_id=0, bbox=(20, 10, 10, 10), keypoints=[21, 11, 2, 22, 12, 2]))
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    whole = [] if lost else [("objects whose only geometry COCO's reader refuses", 1)]
    assert [(c.what, c.count) for c in report.lost] == lost + whole
    ids = [a["id"] for a in _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]]
    assert ids == ([1, 2] if lost else [2])
    assert coco.validate(tmp_path / "out") == []


def test_a_detections_keypoint_set_of_another_length_is_written_without_keypoints(tmp_path: Path) -> None:
    """In a results file points are predictions: zeros would be points detected at (0, 0)."""
    (tmp_path / "in" / "annotations").mkdir(parents=True)
    doc = _load(INSTANCES)
    doc["categories"][0]["keypoints"] = ["a", "b"]
    cid, image = doc["categories"][0]["id"], doc["images"][0]
    doc["annotations"] = []
    _write(tmp_path / "in" / "annotations", doc, "person_keypoints_val.json")
    detection = {"image_id": image["id"], "category_id": cid, "bbox": [1, 1, 2, 2], "score": 0.5}
    _write(tmp_path / "in" / "annotations", [{**detection, "keypoints": [1, 1, 2, 2, 2, 2]}], "results_test.json")
    ds = _with_one_point_of_keypoints(labelkit.load(tmp_path / "in"))
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "keypoint sets of another length than their category's names",
            1,
            "COCO's reader refuses them: their objects are written with every point unlabelled (num_keypoints 0), "
            "detections (in results files) without keypoints",
        )
    ]
    assert report.transformed == []
    assert _load(tmp_path / "out" / "annotations" / "results_test.json") == [detection]


def test_the_polygon_of_an_object_with_a_mask_and_no_box_is_lost_and_its_box_derived_once(tmp_path: Path) -> None:
    """The loss's reason said the mask's bounds are written as its bbox, and the object was counted again for
    that among the objects without a box: each line now says one thing."""
    from labelkit.model import Rle

    ds = Dataset(categories=[Category(id=1, name="car")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=2, height=2)))
    ds.add(
        Object(id="1", item_id="1", category_id=1, polygon=[[0, 0, 1, 0, 1, 1]], mask=Rle(size=(2, 2), counts=[1, 3]))
    )
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("polygons of objects with a mask", 1, "a COCO annotation has one segmentation: the mask is written")
    ]
    assert [(c.what, c.count, c.reason) for c in report.transformed] == [
        ("item splits", 1, _UNSPLIT),
        ("objects without a box", 1, "COCO annotations carry a bbox: the bounds of the polygon or mask are written"),
    ]
    (ann,) = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]
    assert (ann["bbox"], ann["segmentation"], ann["area"]) == ([0, 0, 2, 2], {"size": [2, 2], "counts": [1, 3]}, 3.0)


@pytest.mark.parametrize("sized", [False, True])
def test_an_unscored_object_in_a_results_only_split_makes_it_list_its_images(tmp_path: Path, sized: bool) -> None:
    """A split read from a detection-results list, given an object without a score, is written with an
    instances file, which lists its images: an image without a size was written without one (a file the
    reader refuses); it is now lost and reported, and with a size it is listed with it. The detections stay in
    the results file: they went into the instances file as ground truth, and the results file was written []."""
    src = tmp_path / "results_val.json"
    src.write_text('[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.9}]')
    ds = labelkit.load(src)
    if sized:
        items = ds.table("items")
        sizes = {"width": pa.array([8], pa.int64()), "height": pa.array([9], pa.int64())}
        for name, values in sizes.items():
            items = items.set_column(items.schema.get_field_index(name), name, values)
        ds.set_table("items", items)
    ds.categories.append(Category(id=1, name="car"))
    ds.add(Object(id="x", item_id="1", category_id=1, bbox=[1, 1, 2, 2]))
    out = tmp_path / "out"
    # (without a size, the image was lost with both objects; it is now listed 0 x 0, as of unknown size)
    assert labelkit.save(ds, out, "coco").lost == []
    written = _load(out / "annotations" / "instances_val.json")
    assert written["images"] == [{"id": 1, "file_name": "1", "width": 8 if sized else 0, "height": 9 if sized else 0}]
    assert [a.get("score") for a in written["annotations"]] == [None]
    assert _load(out / "annotations" / "results_val.json") == json.loads(src.read_text())
    assert len(labelkit.load(out).table("objects")) == 2


def test_detections_are_written_as_they_are_their_boxes_and_polygons_never_clipped(tmp_path: Path) -> None:
    """A detection's polygon reaching more than 4 image sides beyond its image was clipped (reported as
    transformed) where the README said detections are never clipped: COCO -> COCO changed a results file,
    read beside ground truth or as a document listing its images, and a detection added in code too."""
    near = {"image_id": 1, "category_id": 1, "segmentation": [[8, 8, 12, 8, 12, 12]], "bbox": [1, 1, 2, 2]}
    far = {"image_id": 1, "category_id": 1, "segmentation": [[1, 1, 100, 1, 1, 5]], "bbox": [1, 1, 2, 2]}
    detections = [
        {"image_id": 1, "category_id": 1, "bbox": [8, 8, 2, 2], "score": 0.9},
        {**near, "score": 0.8},
        {**far, "score": 0.7},
    ]
    truth = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "annotations": []}
    truth["categories"] = [{"id": 1, "name": "car"}]
    src = tmp_path / "src"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_val.json").write_text(json.dumps(truth))
    (src / "annotations/results_val.json").write_text(json.dumps(detections))
    report = labelkit.convert(src, tmp_path / "beside", to="coco")
    assert (report.transformed, report.lost) == ([], [])  # was: 1 polygons reaching far outside their image
    written = (tmp_path / "beside/annotations/results_val.json").read_bytes()
    assert written == json.dumps(detections, separators=(",", ":")).encode()
    # a results document listing its images; a detection added in code with a box and a polygon far outside
    document = _write(tmp_path, {**truth, "annotations": detections}, "results_val.json")
    ds = labelkit.load(document)
    added = Object(
        id="x",
        item_id="1",
        category_id=1,
        score=0.5,
        shape="polygon",
        bbox=(5, 5, 20, 20),
        polygon=[[1, 1, 100, 1, 1, 5]],
    )
    ds.add(added)
    assert labelkit.plan(ds, "coco").transformed == []
    report = labelkit.save(ds, tmp_path / "document", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.transformed] == [("annotation ids", 1)]  # (x, written unnumbered)
    assert [(c.what, c.count) for c in report.lost] == [("image file names, sizes and metadata", 1), ("categories", 1)]
    extra = b',{"image_id":1,"category_id":1,"segmentation":[[1,1,100,1,1,5]],"bbox":[5,5,20,20],"score":0.5}]'
    assert (tmp_path / "document/annotations/results_val.json").read_bytes() == written[:-1] + extra


@pytest.mark.parametrize("moved", ["split", "file list"])
def test_a_detection_whose_split_has_no_results_file_stays_a_detection(tmp_path: Path, moved: str) -> None:
    """A detection read from a results file whose item moved to a split without one (or whose file list is gone)
    was written to an instances file as ground truth (its far polygon clipped, its box made a segmentation, its
    keypoints' scores made visibilities), while a split that kept one item got a results file: it now goes to a
    results file made for its split, written as read, and the plan and save report nothing (they reported the
    ground-truth changes; with a results file, they reported a box made a polygon that was not)."""
    truth = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "annotations": []}
    truth["categories"] = [
        {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": []},
        {"id": 2, "name": "car"},
    ]
    far = {"image_id": 1, "category_id": 2, "segmentation": [[1, 1, 100, 1, 1, 5]], "bbox": [1, 1, 2, 2]}
    posed = {"image_id": 1, "category_id": 1, "keypoints": [2, 2, 0.8, 3, 3, 0.4], "bbox": [1, 1, 2, 2]}
    src = tmp_path / "src"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/person_keypoints_val.json").write_text(json.dumps(truth))
    detections = [{**far, "score": 0.7}, {**posed, "score": 0.6}]
    (src / "annotations/results_val.json").write_text(json.dumps(detections))
    ds = labelkit.load(src)
    if moved == "split":
        items = ds.table("items")
        ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train"])))
    else:
        del ds.info.extras["coco:files"]
    planned = labelkit.plan(ds, "coco")
    assert (planned.transformed, planned.lost) == ([], [])
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.transformed, report.lost) == ([], [])
    split = "train" if moved == "split" else "val"
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == [f"instances_{split}.json", f"results_{split}.json"]
    assert _load(out / f"results_{split}.json") == detections
    assert _load(out / f"instances_{split}.json")["annotations"] == []
    assert labelkit.validate(tmp_path / "out") == []


_TWO_DETECTIONS = [
    {"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.9},
    {"image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.8},
]


def _two_detections(tmp_path: Path) -> tuple[Dataset, list[dict[str, Any]]]:
    """A detection-results list of two images without a size, read, with its category (car, 1) defined."""
    src = tmp_path / "results_val.json"
    src.write_text(json.dumps(_TWO_DETECTIONS))
    ds = labelkit.load(src)
    ds.categories.append(Category(id=1, name="car"))
    return ds, _TWO_DETECTIONS


@pytest.mark.parametrize(
    ("added", "lost"),
    [
        ({"category_id": None, "bbox": [1, 1, 2, 2]}, "object annotations without a category"),
        ({"category_id": 1}, "objects without a box, polygon, mask or labelled keypoints"),
    ],
)
def test_an_unscored_object_coco_cannot_write_leaves_a_results_only_split_so(
    tmp_path: Path, added: dict[str, Any], lost: str
) -> None:
    """An object without a score but also without a category or geometry is lost whatever its split: it took
    a split read from a detection-results list for one needing an instances file, so each image of it without a
    size was lost with its detections, and the results file written empty."""
    ds, detections = _two_detections(tmp_path)
    ds.add(Object(id="x", item_id="1", **added))
    expected = [(lost, 1), ("categories", 1)]  # was: 2 images without a width and height, 3 objects on them
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost] == expected
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == expected
    assert sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir()) == ["results_val.json"]
    written = (tmp_path / "out" / "annotations" / "results_val.json").read_bytes()
    assert written == json.dumps(detections, separators=(",", ":")).encode()


@pytest.mark.parametrize(
    ("case", "lost"),
    [
        ("no area inside its image", [("image file names, sizes and metadata", 1)]),
        ("a negative box only", [("objects whose only geometry COCO's reader refuses", 1)]),
        ("keypoints of another count only", [("objects whose only geometry COCO's reader refuses", 1)]),
        ("no categories defined", [("object annotations of undefined categories", 1)]),
    ],
)
def test_an_unscored_object_lost_anyway_leaves_a_results_only_split_so(
    tmp_path: Path, case: str, lost: list[tuple[str, int]]
) -> None:
    """An object without a score that COCO does not write whatever its split (no area inside its image, its only
    geometry one COCO's reader refuses, or no category defined) took a split read from a detection-results list
    for one needing an instances file: its images without a size were lost with their detections (or, sized,
    the instances file was never written, so their sizes were lost unreported), and the results file written
    without them. It is lost alone now, and the results file written as read."""
    ds, detections = _two_detections(tmp_path)
    if case == "no area inside its image":  # (the first image sized, the other not)
        items = ds.table("items")
        for name in ("width", "height"):
            column = pa.array([8, None], pa.int64())
            items = items.set_column(items.schema.get_field_index(name), name, column)
        ds.set_table("items", items)
        ds.add(Object(id="x", item_id="1", category_id=1, bbox=(100, 100, 2, 2)))
        lost = [*lost, ("objects with no area inside their image", 1), ("categories", 1)]
    elif case == "a negative box only":
        ds.add(Object(id="x", item_id="1", category_id=1, bbox=(1, 1, -2, 2)))
        lost = [*lost, ("categories", 1)]
    elif case == "keypoints of another count only":
        ds.categories[0] = Category(id=1, name="car", keypoints=["a", "b"])
        ds.add(Object(id="x", item_id="1", category_id=1, keypoints=[1.0, 1.0, 2.0]))
        lost = [*lost, ("categories", 1)]
    else:
        ds.categories.clear()
        ds.add(Object(id="x", item_id="1", category_id=1, bbox=(1, 1, 2, 2)))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost] == lost
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == lost
    assert sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir()) == ["results_val.json"]
    written = (tmp_path / "out" / "annotations" / "results_val.json").read_bytes()
    assert written == json.dumps(detections, separators=(",", ":")).encode()


@pytest.mark.parametrize("detected", [True, False])
def test_an_image_moved_to_a_split_given_an_instances_file_beside_its_results_file_is_listed(
    tmp_path: Path, detected: bool
) -> None:
    """A split read from a detection-results list gets an instances file when an object without a score joins
    it (here with image 1, moved in): an image moved in with it holding detections only (or no annotation) was
    listed in no file, so the results file named an image id the split did not list (the reader refused it:
    'unknown image id 2'), and its file name and size were lost unreported. The instances file lists it now."""
    truth = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 10, "height": 10},
            {"id": 2, "file_name": "b.jpg", "width": 8, "height": 6},
        ],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "car"}],
    }
    src = tmp_path / "src"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_train.json").write_text(json.dumps(truth))
    detections = [{"image_id": 2, "category_id": 1, "bbox": [2, 2, 3, 3], "score": 0.5}] if detected else []
    (src / "annotations/results_train.json").write_text(json.dumps(detections))
    (src / "annotations/results_val.json").write_text(
        json.dumps([{"image_id": 7, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.9}])
    )
    ds = labelkit.load(src)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val"] * 3)))
    planned = [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost]
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    # (image 7, of the results list, has no size: the instances file lists it 0 x 0; was: lost, and its detection)
    assert planned == [(c.what, c.count) for c in report.lost] == []
    names = sorted(p.name for p in (tmp_path / "out/annotations").iterdir())
    assert names == ["instances_val.json", "results_val.json"]
    written = _load(tmp_path / "out/annotations/instances_val.json")
    unsized = {"id": 7, "file_name": "7", "width": 0, "height": 0}
    assert sorted(written["images"], key=lambda image: image["id"]) == [*truth["images"], unsized]  # (was: no 2)
    back = labelkit.load(tmp_path / "out")
    assert sorted((i.id, i.split, i.media.path, i.media.width) for i in back.items()) == [
        ("1", "val", "a.jpg", 10),
        ("2", "val", "b.jpg", 8),
        ("7", "val", "7", None),
    ]
    scores = sorted((o.item_id, -1.0 if o.score is None else o.score) for o in back.objects())
    assert scores == [("1", -1.0), *([("2", 0.5)] if detected else []), ("7", 0.9)]


def test_a_keypoints_annotation_sharing_the_id_of_an_instance_with_keypoints_inline_keeps_its_id(
    tmp_path: Path,
) -> None:
    """*COCO: Writing*: COCO -> COCO keeps every id and reports none. An instance with keypoints inline that the
    keypoints file does not list stays out of that file, but its id was taken as one of the keypoints file's: the
    keypoints file's annotation 2 (of another image) was written as 3, reported as ``another annotation of its
    file had the same id``, though no other annotation of that file had it."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    docs = {
        "instances_val": {
            "images": [_img(1), _img(2)],
            "annotations": [_ann(1, 1, 1), _ann(2, 1, 1, **pose)],
            "categories": [_PERSON],
        },
        "person_keypoints_val": {
            "images": [_img(1), _img(2)],
            "annotations": [_ann(1, 1, 1, **pose), _ann(2, 2, 1, **pose)],
            "categories": [_PERSON],
        },
    }
    src = _files(tmp_path / "in", docs)
    ds = labelkit.load(src)
    assert sorted(o.id for o in ds.objects()) == ["1", "2", "person_keypoints/2"]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "out", docs) == docs


def test_an_instance_s_num_keypoints_without_keypoints_of_its_own_is_written_back(tmp_path: Path) -> None:
    """*COCO: Reading*: an instance's own ``num_keypoints`` is written back to the instances file, with keypoints
    inline or without (it was a field that differed, noted, and the instances file was written without it)."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 1, num_keypoints=0)],
                "categories": [_PERSON],
            },
            "person_keypoints_val": {
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 1, **pose)],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    assert ds.read_notes == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _load(tmp_path / "out/annotations/instances_val.json")["annotations"] == [_ann(1, 1, 1, num_keypoints=0)]
    assert _load(tmp_path / "out/annotations/person_keypoints_val.json")["annotations"] == [_ann(1, 1, 1, **pose)]


def test_a_keypoints_file_is_written_with_the_instances_order_first_then_its_own(tmp_path: Path) -> None:
    """*COCO: Writing*: a keypoints file beside an instances file lists the annotations matching an instance in
    the instances file's order, then its own, as reading gives them back: ids 3, 2, 1 (1 and 3 instances, listed
    1, 3) are written 1, 3, 2, with the same fields."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    images = [_img(1), _img(2), _img(3)]
    kp = [_ann(3, 3, 1, **pose), _ann(2, 2, 1, **pose), _ann(1, 1, 1, **pose)]
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": images, "annotations": [_ann(1, 1, 1), _ann(3, 3, 1)], "categories": [_PERSON]},
            "person_keypoints_val": {"images": images, "annotations": kp, "categories": [_PERSON]},
        },
    )
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert _load(tmp_path / "out/annotations/person_keypoints_val.json")["annotations"] == [kp[2], kp[0], kp[1]]
    assert [a["id"] for a in _load(tmp_path / "out/annotations/instances_val.json")["annotations"]] == [1, 3]


def test_a_split_windows_cannot_name_a_file_after_loses_its_items_as_yolo_and_voc_do(tmp_path: Path) -> None:
    """COCO wrote ``annotations/instances_a:b.json`` (on NTFS, stream ``b.json`` of a file ``instances_a``, which
    no reader finds) without a word, where YOLO and VOC report the items of such a split lost. Read back from
    COCO with no other split, the file was written again, empty, from the files the input was read from."""
    ds = Dataset(categories=[Category(id=1, name="car")])
    for item_id, split in (("a", "a:b"), ("b", "ok"), ("c", "x\ny")):
        ds.add_item(Item(id=item_id, media=Media(path=f"{item_id}.jpg", width=4, height=4), split=split))
        ds.add(Object(id=item_id, item_id=item_id, category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    planned = labelkit.plan(ds, "coco").lost
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert (
        [(c.what, c.count) for c in planned]
        == [(c.what, c.count) for c in report.lost]
        == [
            ("items whose file names Windows cannot hold", 2),
            ("object annotations on them", 2),
        ]
    )
    assert report.lost[0].reason.endswith("(item 'a', 'annotations/instances_a:b.json')")
    assert sorted(p.name for p in (tmp_path / "out/annotations").iterdir()) == ["instances_ok.json"]
    src = tmp_path / "src"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_a:b.json").write_bytes((tmp_path / "out/annotations/instances_ok.json").read_bytes())
    labelkit.convert(src, tmp_path / "again", "coco", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "again/annotations").iterdir()) == ["instances_default.json"]


@pytest.mark.parametrize(
    ("section", "to"), [(s, t) for s in ("info", "licenses", "type") for t in ("labelkit", "parquet", "coco")]
)
def test_an_info_licenses_or_other_top_level_value_nested_too_deep_for_labelkit_json_is_refused(
    tmp_path: Path, section: str, to: str
) -> None:
    """As a category's field: an info of 198 levels was written to labelkit JSON or Parquet (exit 0), whose
    labelkit.json then did not read back ('recursion limit exceeded'), and validate said ok."""

    def doc_of(depth: int) -> dict[str, Any]:
        doc: dict[str, Any] = {"images": [_img(1)], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
        doc[section] = {
            "info": {"x": _nested(depth - 1)},
            "licenses": [{"id": 1, "x": _nested(depth - 2)}],
            "type": _nested(depth),
        }[section]
        return doc

    _check_nesting_limit(tmp_path, doc_of, to, f"/{section}")


@pytest.mark.parametrize("big", ["1.7976931348623159e308", "1e4000000000000000000"])
def test_a_long_carried_number_no_float_holds_is_kept_as_1e400_is(tmp_path: Path, big: str) -> None:
    """A carried field's text of 19 characters or more is checked for integers beyond 64 bits: decoding one no
    float holds was an internal error (msgspec's 'Number out of range') on every target, where 1e400 converts."""
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % f'"area":{big},"iscrowd":0')
    labelkit.convert(src, tmp_path / "coco", to="coco")
    assert f'"area":{big}'.encode() in (tmp_path / "coco/annotations/instances_val.json").read_bytes()
    report = labelkit.convert(src, tmp_path / "yolo", to="yolo")
    assert report.written["object annotations"] == 1
    labelkit.convert(src, tmp_path / "out.parquet", to="parquet")
    assert labelkit.load(tmp_path / "out.parquet").report_counts()["object annotations"] == 1
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out.labelkit.json", to="labelkit")
    assert err.value.location.path == str(src)
    assert "a stored JSON text cannot be read: a number no float holds (found" in err.value.one_line()
    assert labelkit.validate(src) == []


@pytest.mark.parametrize("field", ["x", "num_keypoints"])
def test_a_category_field_beyond_64_bits_is_an_error_at_its_pointer(tmp_path: Path, field: str) -> None:
    """As an image's: it was pydantic's 'Value error, integer coco:x does not fit 64 bits' at
    /categories/0/extras, a pointer the file does not have."""
    src = tmp_path / "instances_val.json"
    category = '{"id":1,"name":"a","' + field + '":123456789012345678901234567890}'
    src.write_text('{"images":[],"annotations":[],"categories":[' + category + "]}")
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert err.value.location.pointer == f"/categories/0/{field}"
    assert err.value.message == "an integer does not fit in 64 bits"
    assert not (tmp_path / "out").exists()
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (f"#/categories/0/{field}", "an integer does not fit in 64 bits")


@pytest.mark.parametrize("geometry", ['"bbox":[%s,0,1,1]', '"keypoints":[1,1,%s]', '"segmentation":[[0,0,1,0,1,%s]]'])
def test_a_region_captions_geometry_beyond_64_bits_is_an_error_at_its_pointer(tmp_path: Path, geometry: str) -> None:
    """Its numbers are checked as floats, which take such an integer, then carried as read: --to parquet or
    labelkit stopped with an error naming the output ('transcripts row 0: extras holds an integer that does not
    fit 64 bits', with a hint to fix Dataset.from_tables), and validate said ok."""
    field = geometry.split('"')[1]
    caption = '{"id":1,"image_id":1,"caption":"x",' + geometry % "123456789012345678901234567890" + "}"
    src = tmp_path / "captions_val.json"
    src.write_text('{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"annotations":[' + caption + "]}")
    for to in ("parquet", "labelkit"):
        with pytest.raises(InputError) as err:
            labelkit.convert(src, tmp_path / f"out.{to}", to=to)
        place = {"bbox": "/0", "keypoints": "/2", "segmentation": "/0/5"}[field]
        assert (err.value.location.path, err.value.location.pointer) == (str(src), f"/annotations/0/{field}{place}")
        assert err.value.message == "an integer does not fit in 64 bits"
        assert not (tmp_path / f"out.{to}").exists()
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (f"#/annotations/0/{field}{place}", "an integer does not fit in 64 bits")


@pytest.mark.parametrize(
    ("value", "place"), [('{"k":[%s]}', "/k/0"), ('{"k":{"z":%s}}', "/k/z"), ('{"k":[1,%s]}', "/k/1")]
)
def test_an_integer_beyond_64_bits_inside_carried_attributes_is_an_error_at_its_pointer(
    tmp_path: Path, value: str, place: str
) -> None:
    """Attributes that are not flat are carried as read (``coco:attributes``); an integer past 64 bits inside a list
    or an object there was written back by COCO -> COCO as ``1.8446744073709552e+19``, unsaid, where the README says
    such an integer in an annotation's attributes is an error at its pointer, as in an extra field. One within 64
    bits (unsigned) is carried exactly."""
    ann = '{"id":1,"image_id":1,"category_id":1,"bbox":[0,0,1,1],"attributes":' + value + "}"
    head = '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"categories":[{"id":1,"name":"c"}]'
    src = tmp_path / "instances_val.json"
    src.write_text(head + ',"annotations":[' + ann % "18446744073709551616" + "]}")
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (err.value.location.pointer, err.value.message) == (
        f"/annotations/0/attributes{place}",
        "an integer does not fit in 64 bits",
    )
    assert not (tmp_path / "out").exists()
    (finding,) = labelkit.validate(src)
    assert finding.where == f"#/annotations/0/attributes{place}"
    src.write_text(head + ',"annotations":[' + ann % "18446744073709551615" + "]}")
    labelkit.convert(src, tmp_path / "out", to="coco")
    written = (tmp_path / "out/annotations/instances_val.json").read_text()
    assert '"attributes":' + value % "18446744073709551615" in written


@pytest.mark.parametrize(
    "detections",
    [
        [{"id": 1, "bbox": [0, 0, 1, 1]}, {"id": 1, "bbox": [1, 1, 1, 1]}, {"id": 1, "bbox": [2, 2, 1, 1]}],
        [{"bbox": [0, 0, 1, 1]}, {"id": 1, "bbox": [1, 1, 1, 1]}],  # (the first is numbered 1, by its place)
        [{"id": 1}, {"id": 1}],  # (detections without geometry: labels)
    ],
)
def test_a_results_file_repeating_an_id_converts_to_labelkit_json_and_parquet(
    tmp_path: Path, detections: list[dict[str, Any]]
) -> None:
    """pycocotools' loadRes numbers detections anew, so a results list may repeat an id: --to labelkit or parquet
    stopped with an error naming the output ('objects row 1: duplicate object id '1'', with a hint to fix
    Dataset.from_tables). COCO numbers the repeats after the largest, as it did, from the input or through Parquet."""
    src = _write(
        tmp_path, [{"image_id": 1, "category_id": 1, "score": 0.5, **d} for d in detections], "results_val.json"
    )
    direct = labelkit.convert(src, tmp_path / "coco", to="coco", allow_loss=True)
    labelkit.convert(src, tmp_path / "out.labelkit.json", to="labelkit")
    labelkit.convert(src, tmp_path / "out.parquet", to="parquet")
    for out in ("out.labelkit.json", "out.parquet"):
        assert labelkit.load(tmp_path / out).report_counts() == labelkit.load(src).report_counts()
    through = labelkit.convert(tmp_path / "out.parquet", tmp_path / "back", to="coco", allow_loss=True)
    written = _load(tmp_path / "coco/annotations/results_val.json")
    # (detections without geometry are labels, written back to the results file: see *COCO: Writing*)
    assert [d["id"] for d in written] == list(range(1, len(detections) + 1))
    assert _load(tmp_path / "back/annotations/results_val.json") == written
    assert [(c.what, c.count) for c in through.transformed] == [(c.what, c.count) for c in direct.transformed]


@pytest.mark.parametrize("kind", ["label", "caption"])
def test_labels_or_captions_of_two_files_of_a_split_sharing_an_id_convert_to_parquet(tmp_path: Path, kind: str) -> None:
    """COCO's ids are unique per file: an image label of instances_val.json and one of labels_val.json (or a caption
    of captions_val.json and a region caption of labels_val.json) may share one. Objects got '<task>/' before the
    later file's id; labels and captions did not, and --to parquet stopped with an error naming the output."""
    annotation: dict[str, Any] = {"id": 1, "image_id": 1, "category_id": 1}
    if kind == "caption":
        annotation["caption"] = "a"
    doc = {"images": [_img(1)], "categories": [{"id": 1, "name": "a"}], "annotations": [annotation]}
    first = "captions_val" if kind == "caption" else "instances_val"
    src = _files(tmp_path / "in", {first: doc, "labels_val": doc})
    labelkit.convert(src, tmp_path / "out.parquet", to="parquet")
    back = labelkit.load(tmp_path / "out.parquet")
    records = list(back.transcripts() if kind == "caption" else back.labels())
    assert sorted(r.id for r in records) == ["1", "captions/1" if kind == "caption" else "labels/1"]


@pytest.mark.parametrize("wide", ["123456789012345678901234567890", "9" * 5000], ids=["30 digits", "5000 digits"])
def test_an_integer_beyond_64_bits_beside_a_number_no_float_holds_is_an_error_at_its_field(
    tmp_path: Path, wide: str
) -> None:
    """The field's text was passed over, as no float holds 1e400, so --to parquet stopped with an error naming the
    output ('extras holds an integer that does not fit 64 bits', with a hint to fix Dataset.from_tables)."""
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % f'"area":4,"iscrowd":0,"x":[1e400,{wide}]')
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out.parquet", to="parquet")
    assert (err.value.location.path, err.value.location.pointer) == (str(src), "/annotations/0/x/1")
    assert err.value.message == "an integer does not fit in 64 bits"
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize(
    ("name", "annotation"),
    [
        ("instances_val", '"area":1e400,"iscrowd":0,"note":"s"'),
        ("person_keypoints_val", '"area":1e400,"iscrowd":0,"keypoints":[1,1,2],"num_keypoints":1'),
    ],
)
def test_a_carried_number_no_float_holds_beside_a_text_is_kept_for_coco(
    tmp_path: Path, name: str, annotation: str
) -> None:
    """A carried field holding text (or the keypoints file's task, which the reader notes as text) sends the
    annotation's extras the decoding way, which could not read 1e400: COCO -> COCO (and Parquet -> COCO) stopped
    with 'a stored JSON text cannot be read', where 1e400 alone was kept."""
    doc = json.loads(_TINY % annotation)
    if name == "person_keypoints_val":
        doc["categories"][0]["keypoints"] = ["a"]
    src = tmp_path / f"{name}.json"
    src.write_text(json.dumps(doc).replace("Infinity", "1e400"))
    labelkit.convert(src, tmp_path / "coco", to="coco")
    written = (tmp_path / f"coco/annotations/{name}.json").read_bytes()
    assert b'"area":1e400,' in written
    labelkit.convert(src, tmp_path / "out.parquet", to="parquet")
    labelkit.convert(tmp_path / "out.parquet", tmp_path / "back", to="coco")
    assert (tmp_path / f"back/annotations/{name}.json").read_bytes() == written


@pytest.mark.parametrize("beside", ["", ',"note":"s"'])
@pytest.mark.parametrize(("to", "options"), [("coco", {}), ("voc", {}), ("yolo", {"task": "detect"})])
def test_a_nested_number_no_float_holds_in_a_carried_field_is_kept_or_dropped(
    tmp_path: Path, beside: str, to: str, options: dict[str, str]
) -> None:
    """Counting the objects' extras keys folds numbers to 0, but not one inside a list or object ("x": [1e400]):
    VOC and YOLO (and COCO with a text beside it) stopped with 'a stored JSON text cannot be read', naming no
    field, where such a field is carried for COCO and dropped with a note by VOC and YOLO."""
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % f'"area":4,"iscrowd":0,"x":[1e400]{beside}')
    report = labelkit.convert(src, tmp_path / "out", to, allow_loss=True, **options)
    assert report.written["object annotations"] == 1
    if to == "coco":
        assert b'"x":[1e400]' in (tmp_path / "out/annotations/instances_val.json").read_bytes()
    else:
        assert "1 object annotations carry 'coco:x', which" in "\n".join(report.notes)


@pytest.mark.parametrize(("to", "options"), [("voc", {}), ("yolo", {"task": "detect"})])
def test_a_crowd_flag_no_float_holds_is_a_crowd_flag_lost_by_voc_and_yolo(
    tmp_path: Path, to: str, options: dict[str, str]
) -> None:
    """``"iscrowd": 1e400`` is read (a note names it) and carried for COCO; VOC and YOLO stopped with 'a stored JSON
    text cannot be read: ... line 1 column 31', a place in labelkit's own text, even with allow_loss. It is not 0,
    so it is a crowd flag those targets lose."""
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % '"area":4,"iscrowd":1e400')
    with pytest.raises(DataLossError) as err:
        labelkit.convert(src, tmp_path / "out", to, **options)
    assert [str(change) for change in err.value.report.lost if "crowd" in str(change)] == [
        f"1 object annotations' crowd flags (coco:iscrowd): {'Pascal VOC' if to == 'voc' else 'YOLO detect'} has no "
        "crowd flag (-o crowd=drop leaves crowd annotations out instead)"
    ]
    report = labelkit.convert(src, tmp_path / "out", to, allow_loss=True, **options)
    assert report.written["object annotations"] == 1
    dropped = labelkit.convert(src, tmp_path / "out", to, allow_loss=True, overwrite=True, crowd="drop", **options)
    assert dropped.written["object annotations"] == 0


@pytest.mark.parametrize(("to", "options"), [("voc", {}), ("yolo", {"task": "detect"}), ("yolo", {"task": "segment"})])
def test_an_ignore_flag_is_lost_by_voc_and_yolo_and_kept_by_coco(
    tmp_path: Path, to: str, options: dict[str, str]
) -> None:
    """``"ignore": 1`` (MMDetection's and Detectron's COCO loaders leave such an object out of training) was only
    noted by VOC and YOLO, which wrote the object as an ordinary one, a positive example: it is an ignore flag
    lost, as a crowd flag is. ``"ignore": 0``, which Label Studio writes on every annotation, says nothing."""
    src = tmp_path / "instances_val.json"
    src.write_text(_TINY % '"area":4,"iscrowd":0,"ignore":1')
    title = "Pascal VOC" if to == "voc" else f"YOLO {options['task']}"
    with pytest.raises(DataLossError) as err:
        labelkit.convert(src, tmp_path / "out", to, **options)
    assert [str(change) for change in err.value.report.lost if "ignore" in str(change)] == [
        f"1 object annotations' ignore flags (coco:ignore): {title} has no ignore flag"
    ]
    src.write_text(_TINY % '"area":4,"iscrowd":0,"ignore":0')
    report = labelkit.convert(src, tmp_path / "out", to, **options)
    assert report.written["object annotations"] == 1
    assert "1 object annotations carry 'coco:ignore', which" in "\n".join(report.notes)
    src.write_text(_TINY % '"area":4,"iscrowd":0,"ignore":1')
    assert labelkit.convert(src, tmp_path / "coco", "coco").lost == []
    assert b'"ignore":1' in (tmp_path / "coco/annotations/instances_val.json").read_bytes()


@pytest.mark.parametrize("name", ["", ".", "./", "./.", ".\\"])
def test_a_file_name_naming_no_file_is_refused_at_its_pointer(tmp_path: Path, name: str) -> None:
    """ "" was refused; "." (or "./") was read as the media path ".", the images' folder itself: with media=copy the
    error named media_root ('not a regular file'), not the file_name."""
    src = tmp_path / "instances_val.json"
    src.write_text((_TINY % '"area":4,"iscrowd":0').replace('"a.jpg"', json.dumps(name)))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (err.value.location.path, err.value.location.pointer) == (str(src), "/images/0/file_name")
    assert err.value.message == f"unsafe file name {name!r}"


def _label_files(tmp_path: Path) -> Path:
    """A split read from an instances file holding objects and image labels (annotations without geometry, one
    with a field of its own), a stuff file holding a label, and a labels file whose label shares an id."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    images = (
        '"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4},{"id":2,"file_name":"b.jpg","width":4,"height":4}]'
    )
    box = '"bbox":[0,0,1,1],"area":1,"iscrowd":0,"segmentation":[[0,0,1,0,1,1,0,1]]'
    (ann / "instances_val.json").write_text(
        "{" + images + ',"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"annotations":['
        '{"id":5,"image_id":1,"category_id":2,"note":"x"},{"id":1,"image_id":1,"category_id":1,' + box + "},"
        '{"id":2,"image_id":2,"category_id":1,"score":0.5}]}'
    )
    (ann / "stuff_val.json").write_text(
        "{" + images + ',"categories":[{"id":2,"name":"b"}],"annotations":['
        '{"id":1,"image_id":1,"category_id":2,' + box + '},{"id":9,"image_id":2,"category_id":2}]}'
    )
    (ann / "labels_val.json").write_text(
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"categories":[{"id":1,"name":"a"}],'
        '"annotations":[{"id":5,"image_id":1,"category_id":1}]}'
    )
    return tmp_path / "in"


def test_an_image_label_of_an_instances_or_stuff_file_is_written_back_to_it(tmp_path: Path) -> None:
    """An annotation without bbox, segmentation or keypoints is read as an image label whichever file holds it, and
    the writer put every label in labels_<split>.json: COCO -> COCO moved it out of the instances (stuff) file into
    the labels file, or into a new labels file. It goes back to its file, after the file's objects, ids kept."""
    src = _label_files(tmp_path)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == ["instances_val.json", "labels_val.json", "stuff_val.json"]
    images = (
        '"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4},{"id":2,"file_name":"b.jpg","width":4,"height":4}]'
    )
    box = '"segmentation":[[0,0,1,0,1,1,0,1]],"bbox":[0,0,1,1],"area":1,"iscrowd":0'
    assert (out / "instances_val.json").read_text() == (
        "{" + images + ',"annotations":[{"id":1,"image_id":1,"category_id":1,' + box + "},"
        '{"id":5,"image_id":1,"category_id":2,"note":"x"},{"id":2,"image_id":2,"category_id":1,"score":0.5}],'
        '"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}'
    )
    assert (out / "stuff_val.json").read_text() == (
        "{" + images + ',"annotations":[{"id":1,"image_id":1,"category_id":2,' + box + "},"
        '{"id":9,"image_id":2,"category_id":2}],"categories":[{"id":2,"name":"b"}]}'
    )
    assert (out / "labels_val.json").read_text() == (
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],'
        '"annotations":[{"id":5,"image_id":1,"category_id":1}],"categories":[{"id":1,"name":"a"}]}'
    )
    assert (report.lost, report.transformed, report.notes) == (
        [],
        [],
        ["wrote annotations/instances_val.json, annotations/stuff_val.json, annotations/labels_val.json"],
    )
    assert labelkit.validate(tmp_path / "out") == []


def test_an_instances_files_lone_image_label_makes_no_labels_file(tmp_path: Path) -> None:
    """The brief's reproducer: the label left instances_val.json ("annotations": []) for a new labels_val.json."""
    doc = (
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"categories":[{"id":1,"name":"a"}],'
        '"annotations":[{"id":3,"image_id":1,"category_id":1}]}'
    )
    (tmp_path / "in/annotations").mkdir(parents=True)
    (tmp_path / "in/annotations/instances_val.json").write_text(doc)
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), str(tmp_path / "out"), "--to", "coco"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out/annotations").iterdir()] == ["instances_val.json"]
    assert (tmp_path / "out/annotations/instances_val.json").read_text() == (
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],'
        '"annotations":[{"id":3,"image_id":1,"category_id":1}],"categories":[{"id":1,"name":"a"}]}'
    )


@pytest.mark.parametrize("via", ["labelkit", "parquet"])
def test_an_image_labels_file_rides_through_labelkit_json_and_parquet_as_an_objects_does(
    tmp_path: Path, via: str
) -> None:
    """The label carries its file (coco:@task) as a stuff file's object does, so that COCO -> labelkit JSON (or
    Parquet) -> COCO writes the same files as COCO -> COCO; VOC's and YOLO's output and reports are those of the
    dataset without the tag (the report names no bookkeeping key)."""
    src = _label_files(tmp_path)
    labelkit.convert(src, tmp_path / "direct", to="coco")
    target = tmp_path / ("mid.labelkit.json" if via == "labelkit" else "mid.parquet")
    labelkit.convert(src, target, to=via)
    labels = labelkit.load(target).table("labels")
    assert sorted(zip(labels["id"].to_pylist(), labels["extras"].to_pylist(), strict=True)) == [
        ("2", '{"coco:@task":"instances"}'),
        ("5", '{"coco:note":"x","coco:@task":"instances"}'),
        ("9", '{"coco:@task":"stuff"}'),
        ("labels/5", None),
    ]
    labelkit.convert(target, tmp_path / "back", to="coco")
    for name in ("instances_val.json", "stuff_val.json", "labels_val.json"):
        back = (tmp_path / "back/annotations" / name).read_text()
        assert back == (tmp_path / "direct/annotations" / name).read_text()
    assert sorted(p.name for p in (tmp_path / "back/annotations").iterdir()) == [
        "instances_val.json",
        "labels_val.json",
        "stuff_val.json",
    ]
    ds = labelkit.load(src)
    labels = ds.table("labels")
    kept = [{k: v for k, v in json.loads(e or "{}").items() if k != "coco:@task"} for e in labels["extras"].to_pylist()]
    stripped = pa.array([json.dumps(e, separators=(",", ":")) if e else None for e in kept], pa.string())
    plain = labels.set_column(labels.schema.get_field_index("extras"), "extras", stripped)
    untagged = Dataset.from_tables(
        {"items": ds.table("items"), "objects": ds.table("objects"), "labels": plain}, list(ds.categories), ds.info
    )
    for to, options in (("voc", {}), ("yolo", {"task": "detect"})):
        tagged = labelkit.save(ds, tmp_path / f"{to}_tagged", to, allow_loss=True, **options)
        bare = labelkit.save(untagged, tmp_path / f"{to}_bare", to, allow_loss=True, **options)
        assert (tagged.lost, tagged.transformed, tagged.notes) == (bare.lost, bare.transformed, bare.notes)
        assert not any("@task" in n for n in tagged.notes)
        for f in (tmp_path / f"{to}_tagged").rglob("*"):
            if f.is_file():
                assert (
                    f.read_bytes() == (tmp_path / f"{to}_bare" / f.relative_to(tmp_path / f"{to}_tagged")).read_bytes()
                )


def _saved_with_items_moved(tmp_path: Path, moved: dict[str, str]) -> labelkit.Report:
    """``tmp_path/in`` read, the items of ``moved`` put in other splits, and written to ``tmp_path/out`` as COCO."""
    ds = labelkit.load(tmp_path / "in")
    items = ds.table("items")
    split = pa.array(
        [moved.get(i, s) for i, s in zip(items["id"].to_pylist(), items["split"].to_pylist(), strict=True)]
    )
    tables = {name: ds.table(name) for name in ("objects", "labels", "transcripts")}
    tables["items"] = items.set_column(items.schema.get_field_index("split"), "split", split)
    return labelkit.save(Dataset.from_tables(tables, list(ds.categories), ds.info), tmp_path / "out", "coco")


def test_an_image_label_moved_to_another_split_goes_to_its_files_kind_there_or_to_a_labels_file(
    tmp_path: Path,
) -> None:
    """A label read from an instances file and moved to a split with an instances file goes there, with a new
    number where an object of that file has its id (reported); moved to a split without one, to labels_<split>.json
    as before. Without the fix both went to labels files, ids kept."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    box = '"bbox":[0,0,1,1],"area":1,"iscrowd":0,"segmentation":[[0,0,1,0,1,1,0,1]]'
    for split, image in (("val", 1), ("train", 2), ("test", 3)):
        annotation = f'{{"id":3,"image_id":{image},"category_id":1' + ("," + box if split == "val" else "") + "}"
        (ann / f"instances_{split}.json").write_text(
            f'{{"images":[{{"id":{image},"file_name":"{image}.jpg","width":4,"height":4}}],'
            f'"categories":[{{"id":1,"name":"a"}}],"annotations":[{annotation}]}}'
        )
    (ann / "captions_extra.json").write_text(
        '{"images":[{"id":7,"file_name":"7.jpg","width":4,"height":4}],"annotations":[{"id":1,"image_id":7,"caption":"c"}]}'
    )
    report = _saved_with_items_moved(tmp_path, {"2": "val", "3": "extra"})
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == ["captions_extra.json", "instances_val.json", "labels_extra.json"]
    val = json.loads((out / "instances_val.json").read_text())
    assert [(a["id"], a["image_id"], "bbox" in a) for a in val["annotations"]] == [(3, 1, True), (4, 2, False)]
    extra = json.loads((out / "labels_extra.json").read_text())
    assert extra["annotations"] == [{"id": 3, "image_id": 3, "category_id": 1}]
    assert [(c.what, c.count, c.reason) for c in report.transformed] == [
        (
            "annotation ids",
            1,
            "another annotation of its file had the same id: numbered after the largest of its split",
        )
    ]
    assert labelkit.validate(tmp_path / "out") == []


def test_an_image_label_moved_into_a_keypoints_or_captions_file_has_its_category_listed_there(tmp_path: Path) -> None:
    """A label read from a keypoints or captions file and moved to a split whose file of that kind lists fewer
    categories goes to that file: its category is listed there, as an instances or labels file lists the categories
    its annotations use. Without the fix person_keypoints_val.json and captions_val.json held an annotation of a
    category their categories did not list."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    person = '{"id":1,"name":"person","keypoints":["n"],"skeleton":[]}'
    every = f'[{person},{{"id":2,"name":"dog"}},{{"id":3,"name":"sunny"}}]'
    image = '"images":[{{"id":{0},"file_name":"{0}.jpg","width":4,"height":4}}]'
    box = '"bbox":[0,0,1,1],"area":1,"iscrowd":0,"segmentation":[[0,0,1,0,1,1,0,1]]'
    files = {
        "instances_train": (1, every, ""),
        "person_keypoints_train": (1, f'[{person},{{"id":2,"name":"dog"}}]', '{"id":4,"image_id":1,"category_id":2}'),
        "captions_train": (1, every, '{"id":5,"image_id":1,"category_id":3}'),
        "instances_val": (2, f"[{person}]", f'{{"id":1,"image_id":2,"category_id":1,{box}}}'),
        "person_keypoints_val": (
            2,
            f"[{person}]",
            f'{{"id":2,"image_id":2,"category_id":1,{box},"keypoints":[1,1,2]}}',
        ),
        "captions_val": (2, f"[{person}]", '{"id":3,"image_id":2,"category_id":1,"caption":"c"}'),
    }
    for name, (number, categories, records) in files.items():
        (ann / f"{name}.json").write_text(
            "{" + image.format(number) + f',"categories":{categories},"annotations":[{records}]}}'
        )
    ds = labelkit.load(tmp_path / "in")
    items = ds.table("items")
    tables = {name: ds.table(name) for name in ("objects", "labels", "transcripts")}
    tables["items"] = items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val", "val"]))
    report = labelkit.save(Dataset.from_tables(tables, list(ds.categories), ds.info), tmp_path / "out", "coco")
    out = tmp_path / "out/annotations"
    written = {}
    for name in ("person_keypoints_val", "captions_val"):
        doc = json.loads((out / f"{name}.json").read_text())
        written[name] = (
            [(a["id"], a["image_id"], a["category_id"]) for a in doc["annotations"]],
            [c["id"] for c in doc["categories"]],
        )
    assert written == {
        "person_keypoints_val": ([(2, 2, 1), (4, 1, 2)], [1, 2]),
        "captions_val": ([(3, 2, 1), (5, 1, 3)], [1, 3]),
    }
    assert report.lost == []


def test_an_image_label_renumbered_twice_in_its_file_is_counted_once(tmp_path: Path) -> None:
    """Two labels of one number moved into one instances file: the repeat is numbered after the labels' largest (7),
    which an object of the file has, then after the file's largest (8). One id changed; the report said 2."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    box = '"bbox":[0,0,1,1],"area":1,"iscrowd":0,"segmentation":[[0,0,1,0,1,1,0,1]]'
    for split, image, records in (
        ("val", 1, f'{{"id":7,"image_id":1,"category_id":1,{box}}},{{"id":6,"image_id":1,"category_id":1}}'),
        ("train", 2, '{"id":6,"image_id":2,"category_id":1}'),
    ):
        (ann / f"instances_{split}.json").write_text(
            f'{{"images":[{{"id":{image},"file_name":"{image}.jpg","width":4,"height":4}}],'
            f'"categories":[{{"id":1,"name":"a"}}],"annotations":[{records}]}}'
        )
    ds = labelkit.load(tmp_path / "in")
    items = ds.table("items")
    tables = {name: ds.table(name) for name in ("objects", "labels", "transcripts")}
    tables["items"] = items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val", "val"]))
    report = labelkit.save(Dataset.from_tables(tables, list(ds.categories), ds.info), tmp_path / "out", "coco")
    doc = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert [(a["id"], a["image_id"]) for a in doc["annotations"]] == [(7, 1), (6, 2), (8, 1)]
    assert [(c.what, c.count, c.reason) for c in report.transformed] == [
        (
            "annotation ids",
            1,
            "another annotation of its file had the same id: numbered after the largest of its split",
        )
    ]


def test_an_instances_files_lone_caption_makes_no_captions_file(tmp_path: Path) -> None:
    """An annotation with a caption is read as a caption whichever file holds it, and the writer put every caption
    in captions_<split>.json: the one of an instances file left it ("annotations": []) for a new captions_val.json."""
    (tmp_path / "in/annotations").mkdir(parents=True)
    (tmp_path / "in/annotations/instances_val.json").write_text(
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],"categories":[{"id":1,"name":"a"}],'
        '"annotations":[{"id":3,"image_id":1,"category_id":1,"caption":"c"}]}'
    )
    result = CliRunner().invoke(cli, ["convert", str(tmp_path / "in"), str(tmp_path / "out"), "--to", "coco"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out/annotations").iterdir()] == ["instances_val.json"]
    assert (tmp_path / "out/annotations/instances_val.json").read_text() == (
        '{"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}],'
        '"annotations":[{"id":3,"image_id":1,"caption":"c","category_id":1}],"categories":[{"id":1,"name":"a"}]}'
    )


def test_a_caption_of_an_instances_or_keypoints_file_is_written_back_to_it(tmp_path: Path) -> None:
    """Captions read from an instances file (a region caption, its box carried) and a keypoints file (its polygon
    carried) go back to their files, after the file's objects and before its labels, ids kept; a captions file's
    caption stays there."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    image = '"images":[{"id":1,"file_name":"a.jpg","width":4,"height":4}]'
    box = '"bbox":[0,0,2,2],"area":4,"iscrowd":0'
    (ann / "instances_val.json").write_text(
        "{" + image + ',"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"}],"annotations":['
        '{"id":4,"image_id":1,"category_id":1},{"id":3,"image_id":1,"category_id":2,"caption":"c","bbox":[1,1,1,1]},'
        '{"id":1,"image_id":1,"category_id":1,' + box + "}]}"
    )
    (ann / "captions_val.json").write_text("{" + image + ',"annotations":[{"id":7,"image_id":1,"caption":"d"}]}')
    (ann / "person_keypoints_val.json").write_text(
        "{" + image + ',"categories":[{"id":1,"name":"a","keypoints":["x"],"skeleton":[]}],"annotations":['
        '{"id":9,"image_id":1,"category_id":1,"caption":"k","segmentation":[[0,0,1,0,1,1]]}]}'
    )
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="coco")
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == [
        "captions_val.json",
        "instances_val.json",
        "person_keypoints_val.json",
    ]
    assert (out / "instances_val.json").read_text() == (
        "{" + image + ',"annotations":[{"id":1,"image_id":1,"category_id":1,' + box + "},"
        '{"id":3,"image_id":1,"caption":"c","category_id":2,"bbox":[1,1,1,1]},{"id":4,"image_id":1,"category_id":1}],'
        '"categories":[{"id":1,"name":"a"},{"id":2,"name":"b"}]}'
    )
    assert (out / "person_keypoints_val.json").read_text() == (
        "{" + image + ',"annotations":[{"id":9,"image_id":1,"caption":"k","category_id":1,'
        '"segmentation":[[0,0,1,0,1,1]]}],"categories":[{"id":1,"name":"a","keypoints":["x"],"skeleton":[]}]}'
    )
    assert (out / "captions_val.json").read_text() == (
        "{" + image + ',"annotations":[{"id":7,"image_id":1,"caption":"d"}]}'
    )
    assert (report.lost, report.transformed) == ([], [])


def test_a_caption_moved_to_another_split_goes_to_its_files_kind_there_or_to_a_captions_file(tmp_path: Path) -> None:
    """A caption read from an instances file and moved to a split with an instances file goes there, numbered apart
    from that file's object of its id (reported), its category listed; moved to a split without one, to
    captions_<split>.json as before."""
    ann = tmp_path / "in/annotations"
    ann.mkdir(parents=True)
    box = '"bbox":[0,0,1,1],"area":1,"iscrowd":0'
    for split, image, category, record in (
        ("val", 1, 1, f'"category_id":1,{box}'),
        ("train", 2, 2, '"category_id":2,"caption":"c"'),
        ("test", 3, 1, '"category_id":1,"caption":"e"'),
    ):
        (ann / f"instances_{split}.json").write_text(
            f'{{"images":[{{"id":{image},"file_name":"{image}.jpg","width":4,"height":4}}],'
            f'"categories":[{{"id":{category},"name":"n{category}"}}],'
            f'"annotations":[{{"id":3,"image_id":{image},{record}}}]}}'
        )
    (ann / "labels_extra.json").write_text(
        '{"images":[{"id":7,"file_name":"7.jpg","width":4,"height":4}],"categories":[{"id":1,"name":"n1"}],'
        '"annotations":[{"id":1,"image_id":7,"category_id":1}]}'
    )
    report = _saved_with_items_moved(tmp_path, {"2": "val", "3": "extra"})
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == ["captions_extra.json", "instances_val.json", "labels_extra.json"]
    val = json.loads((out / "instances_val.json").read_text())
    assert val["annotations"][1:] == [{"id": 4, "image_id": 2, "caption": "c", "category_id": 2}]
    assert val["categories"] == [{"id": 1, "name": "n1"}, {"id": 2, "name": "n2"}]
    extra = json.loads((out / "captions_extra.json").read_text())
    assert extra["annotations"] == [{"id": 3, "image_id": 3, "caption": "e", "category_id": 1}]
    assert [(c.what, c.count) for c in report.transformed] == [("annotation ids", 1)]
    assert labelkit.validate(tmp_path / "out") == []


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(["area", "iscrowd", "num_keypoints"]),
    texts=st.lists(st.lists(st.sampled_from(list(b'01289-.e"t ')), max_size=4).map(bytes), min_size=1, max_size=10),
)
def test_carried_values_a_pattern_cannot_vouch_for_are_told_by_first_byte_as_by_the_regex(
    name: str, texts: list[bytes]
) -> None:
    """area's and iscrowd's patterns are read from the column's first bytes and lengths: the rows are the regex's."""
    import pyarrow.compute as pc

    from labelkit.formats.coco_columns import binary_column
    from labelkit.formats.coco_extras import _PLAIN, _unvouched

    column, lengths = binary_column(texts)
    by_regex = ~np.asarray(pc.match_substring_regex(column, _PLAIN[name]).to_numpy(zero_copy_only=False), bool)
    assert _unvouched(name, column, lengths).tolist() == by_regex.tolist()


def test_a_polygon_reaching_near_the_float_limit_is_clipped_without_a_warning(tmp_path: Path) -> None:
    """Its edges' differences overflowed while clipping it to the image: numpy's warning went to stderr."""
    import warnings

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[[-1e308, 0.0, 1e308, 0.0, 0.0, 5.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    doc = json.loads((tmp_path / "out" / "annotations" / "instances_default.json").read_text())
    assert [(a["segmentation"], a["bbox"]) for a in doc["annotations"]] == [
        ([[0, 5, 0, 0, 10, 0, 10, 5, 0, 5]], [0, 0, 10, 5])
    ]


def test_a_rotated_box_whose_centre_passes_the_float_limit_is_written_without_a_warning(tmp_path: Path) -> None:
    """On an image of unknown size (saving COCO turns boxes outside ``bulk_work``), its centre overflowed: numpy's
    'overflow encountered in add' went to stderr. Its corners are at the largest float, as they were."""
    import warnings

    top = np.finfo(np.float64).max
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg")))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1.7e308, 1.7e308, 1.7e308, 1.7e308), angle=45.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    (ann,) = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]
    assert (ann["bbox"], ann["segmentation"]) == ([top, top, 0, 0], [[top] * 8])


def test_a_rotated_box_whose_corners_pass_the_float_limit_is_written_as_planned(tmp_path: Path) -> None:
    """Its corners' bounds have an infinite width: the plan (and a dry run) said the box is clipped to the image,
    and the write failed, 'COCO JSON cannot hold NaN or infinite coordinates', naming no object. The box is
    written clipped, as planned (its corners, clamped to the largest float, as its polygon). (The box was
    (0, 0, 1.7e308, 1.7e308) turned 45 degrees: a diamond whose nearest side is 1.2e308 from the image, which
    covers none of it, as its own axes show since 2026-12-07: only its bounds did. This one covers it.)"""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(-1.65e308, -0.85e308, 1.7e308, 1.7e308), angle=30.0))
    planned = labelkit.plan(ds, "coco")
    assert ("boxes reaching outside their image", 1) in [(c.what, c.count) for c in planned.transformed]
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert (report.lost, report.transformed) == (planned.lost, planned.transformed)
    (ann,) = _load(tmp_path / "out" / "annotations" / "instances_default.json")["annotations"]
    assert ann["bbox"] == [0, 0, 10, 10]
    assert max(map(abs, ann["segmentation"][0])) == np.finfo(np.float64).max
    # on an image of unknown size nothing clips it: refused by the plan (and a dry run), naming the object, as the
    # write refuses it (the plan passed it, and the write's error named no object)
    ds.add_item(Item(id="2", media=Media(path="b.jpg")))
    ds.add(Object(id="7", item_id="2", category_id=1, bbox=(-1.65e308, -0.85e308, 1.7e308, 1.7e308), angle=30.0))
    message = (
        "COCO JSON cannot hold the bbox of object '7': the bounds of its rotated box's turned corners pass float64's "
        "range (an infinite width or height)"
    )
    for attempt in (
        lambda: labelkit.plan(ds, "coco"),
        lambda: labelkit.save(ds, tmp_path / "o2", "coco", allow_loss=True),
    ):
        with pytest.raises(OutputError) as err:
            attempt()
        assert err.value.message == message
    assert not (tmp_path / "o2").exists()


@pytest.mark.parametrize("reach", [1e6, 1e17, 1e20, 1e300])
def test_a_polygon_reaching_very_far_is_clipped_to_the_same_pixels(tmp_path: Path, reach: float) -> None:
    """Clipped from its far end, an edge's crossing moved at 1e17 (69 pixels, 24 of them wrong) and fell on the far
    end at 1e20 (no pixel at all), while the report said the polygon covers the same pixels of its image."""
    from pycocotools.coco import COCO

    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[[0.0, 0.0, reach, 0.0, reach, reach]]))
    labelkit.save(ds, tmp_path / "out", "coco")
    path = tmp_path / "out" / "annotations" / "instances_default.json"
    (ann,) = _load(path)["annotations"]
    assert (ann["segmentation"], ann["bbox"], ann["area"]) == ([[10, 10, 0, 0, 10, 0]], [0, 0, 10, 10], 50.0)
    assert int(COCO(str(path)).annToMask(ann).sum()) == 45


def test_a_bbox_finding_says_the_image_size_as_read(tmp_path: Path) -> None:
    """The size went through float64: an image 2**63 - 1 wide was said to be 9223372036854775808 wide."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 2**63 - 1, "height": 5}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 10]}],
        "categories": [{"id": 1, "name": "c"}],
    }
    (tmp_path / "big.json").write_text(json.dumps(doc))
    assert [(f.where, f.message) for f in labelkit.validate(tmp_path / "big.json", "coco")] == [
        ("#/annotations/0/bbox", "bbox [0.0, 0.0, 1.0, 10.0] reaches outside the 9223372036854775807x5 image")
    ]


def test_the_schema_check_parses_images_and_annotations_one_at_a_time(tmp_path: Path) -> None:
    """The whole document as Python objects took 4 GB on a train2017-sized file: its items are left raw, each
    parsed when checked; the other members are parsed (a results file's list is left raw too)."""
    import msgspec

    from labelkit.formats.coco_schema import _lazy_document

    src = tmp_path / "instances_val.json"
    src.write_text('{"info": {"a": 1}, "images": [{"id": 1}], "annotations": [{"id": 2}, 3], "categories": []}')
    doc = _lazy_document(src)
    assert doc["info"] == {"a": 1} and doc["categories"] == []
    assert [bytes(memoryview(r)) for r in doc["images"] + doc["annotations"]] == [b'{"id": 1}', b'{"id": 2}', b"3"]
    src.write_text('[{"image_id": 1, "score": 0.5}]')
    assert [type(r) for r in _lazy_document(src)] == [msgspec.Raw]
    (finding,) = labelkit.validate(tmp_path / "instances_val.json")  # (a results file: its item checked)
    assert (finding.where, finding.message) == ("#/0/category_id", "missing required field 'category_id'")


def test_a_folders_json_files_its_layout_leaves_out_are_noted_as_not_read(tmp_path: Path) -> None:
    """``annotations/train.json`` beside ``annotations/instances_val.json`` (and a ``<task>_<split>.json`` at the
    top beside ``annotations/``) were left out with all their annotations, without a word."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    (src / "annotations/instances_val.json").write_bytes(INSTANCES.read_bytes())
    (src / "annotations/train.json").write_bytes(INSTANCES.read_bytes())
    (src / "instances_test.json").write_bytes(INSTANCES.read_bytes())
    (src / "annotations/panoptic_val.json").write_text('{"images": [], "annotations": [], "categories": []}')
    notes = [
        "panoptic_val.json not read: COCO panoptic is not supported (its segments live in PNG files)",
        "annotations/train.json not read: a COCO folder's files are named <task>_<split>.json (instances_val.json,"
        " ...); give such a file alone to read it",
        "instances_test.json not read: the folder's COCO files are read from annotations/; give such a file alone"
        " to read it",
    ]
    ds = labelkit.load(src)
    assert ds.splits() == ["val"] and ds.read_notes == notes
    result = CliRunner().invoke(cli, ["info", "--json", str(src)])
    assert json.loads(result.output)["notes"] == notes
    (src / "annotations/train.json").unlink()
    (src / "instances_test.json").unlink()
    assert labelkit.load(src).read_notes == notes[:1]
    (src / "annotations/instances_val.json").rename(src / "instances_val.json")  # (MMDetection: files at the top)
    shutil.rmtree(src / "annotations")
    (src / "classes.json").write_text("{}")
    ds = labelkit.load(src)
    assert ds.splits() == ["val"] and ds.read_notes == [
        "classes.json not read: a COCO folder's files are named <task>_<split>.json (instances_val.json, ...); give"
        " such a file alone to read it"
    ]


def test_a_roboflow_folders_json_files_its_layout_leaves_out_are_noted_as_not_read(tmp_path: Path) -> None:
    """``train/more.json`` beside ``train/_annotations.coco.json``, and an ``_annotations.coco.json`` beside the
    split folders, were left out with all their annotations, without a word (the standard layout noted its)."""
    src = tmp_path / "rb"
    (src / "train").mkdir(parents=True)
    (src / "train/_annotations.coco.json").write_bytes(INSTANCES.read_bytes())
    (src / "train/more.json").write_bytes(INSTANCES.read_bytes())
    (src / "_annotations.coco.json").write_bytes(INSTANCES.read_bytes())
    ds = labelkit.load(src)
    assert ds.splits() == ["train"] and ds.read_notes == [
        "_annotations.coco.json, train/more.json not read: a Roboflow export's COCO files are "
        "<split>/_annotations.coco.json; give such a file alone to read it"
    ]
    (src / "train/more.json").unlink()
    (src / "_annotations.coco.json").unlink()
    assert labelkit.load(src).read_notes == []


def test_coco_files_in_folders_inside_the_layouts_folders_are_noted_as_not_read(tmp_path: Path) -> None:
    """``annotations/old/instances_val.json`` and ``train/old/_annotations.coco.json`` (Roboflow) were passed over
    without the note a file beside them gets; hidden folders (``.ipynb_checkpoints``) are not named."""
    src = tmp_path / "ds"
    for name in ("annotations/instances_train.json", "annotations/old/instances_val.json", "annotations/a/b/x.json"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_bytes(INSTANCES.read_bytes())
    (src / "annotations/.cache").mkdir()
    (src / "annotations/.cache/instances_val.json").write_bytes(INSTANCES.read_bytes())
    ds = labelkit.load(src)
    assert ds.splits() == ["train"] and ds.read_notes == [
        "annotations/a/b/x.json, annotations/old/instances_val.json not read: a COCO folder's files are read from its "
        "annotations/ folder (Roboflow's from each split's folder), not from folders inside it; give such a file "
        "alone to read it"
    ]
    rb = tmp_path / "rb"
    for name in ("train/_annotations.coco.json", "valid/_annotations.coco.json", "train/old/_annotations.coco.json"):
        (rb / name).parent.mkdir(parents=True, exist_ok=True)
        (rb / name).write_bytes(INSTANCES.read_bytes())
    ds = labelkit.load(rb)
    assert ds.splits() == ["train", "valid"] and ds.read_notes == [
        "train/old/_annotations.coco.json not read: a COCO folder's files are read from its annotations/ folder "
        "(Roboflow's from each split's folder), not from folders inside it; give such a file alone to read it"
    ]


def test_a_folder_of_coco_files_named_only_as_mmdetections_custom_datasets_is_an_error_naming_them(
    tmp_path: Path,
) -> None:
    """``annotations/train.json`` and ``annotations/val.json`` alone (MMDetection's custom datasets): "no format
    recognises this input", and with the format named "no COCO files found", naming neither file."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    for split in ("val", "train"):
        (src / f"annotations/{split}.json").write_bytes(INSTANCES.read_bytes())
    for format in (None, "coco"):
        with pytest.raises(InputError) as err:
            labelkit.load(src, format)
        assert str(err.value) == (
            f"{src}: no COCO files found (expected annotations/<task>_<split>.json or <split>/_annotations.coco.json, "
            f"found annotations/train.json, annotations/val.json); hint: give such a file alone to read it "
            f"({src / 'annotations/train.json'})"
        )
    assert labelkit.load(src / "annotations/train.json").stats().items == 3
    (src / "annotations/meta.json").write_text('{"classes": ["cat"]}')  # (first by name, no COCO: not hinted)
    with pytest.raises(InputError) as err:
        labelkit.load(src, "coco")
    assert err.value.hint == f"give such a file alone to read it ({src / 'annotations/train.json'})"
    assert err.value.found == "annotations/meta.json, annotations/train.json, annotations/val.json"
    (src / "annotations/meta.json").unlink()
    (src / "annotations/train.json").write_text('{"task": "not coco"}')  # (no COCO content: no format, as before)
    (src / "annotations/val.json").unlink()
    with pytest.raises(labelkit.UnknownFormatError):
        labelkit.load(src)


def test_validate_names_the_fields_an_annotation_without_category_or_caption_lacks(tmp_path: Path) -> None:
    """The finding showed the annotation as the schema check had emptied it, a polygon as ``[[]]``: ``{'id': 1,
    ..., 'segmentation': [[]], 'keypoints': []} is not valid under any of the given schemas``."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [
            {"id": 1, "image_id": 1, "bbox": [1, 1, 2, 2], "segmentation": [[1, 1, 3, 1, 3, 3]], "keypoints": [1, 1, 2]}
        ],
        "categories": [{"id": 1, "name": "c"}],
    }
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (
        "#/annotations/0/category_id",
        "missing required field 'category_id' or 'caption'",
    )


def test_an_annotations_folder_beside_a_folders_coco_files_is_noted_as_not_read(tmp_path: Path) -> None:
    """With the COCO files at the top (MMDetection), ``annotations/train.json`` was left out without a word."""
    src = tmp_path / "ds"
    (src / "annotations").mkdir(parents=True)
    (src / "instances_val.json").write_bytes(INSTANCES.read_bytes())
    (src / "annotations/train.json").write_bytes(INSTANCES.read_bytes())
    ds = labelkit.load(src)
    assert ds.splits() == ["val"] and ds.read_notes == [
        "annotations/train.json not read: a COCO folder's files are named <task>_<split>.json (instances_val.json,"
        " ...); give such a file alone to read it"
    ]


@pytest.mark.parametrize(
    ("segmentation", "where"),
    [([[1, 1, None, 1, 3, 3]], "/0/2"), ([[1, 1, 3, 1, 3, 3], [1, 1, 3, 1, 3, 3, 1, None]], "/1/7")],
)
def test_a_null_among_polygon_numbers_is_an_error_at_its_pointer(
    segmentation: list[Any], where: str, tmp_path: Path
) -> None:
    """The error named only the annotation's segmentation, where a null in a bbox or keypoints is named itself."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "segmentation": [[1, 1, 3, 1, 3, 3]]},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "segmentation": segmentation},
        ],
        "categories": [{"id": 1, "name": "c"}],
    }
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    pointer = "/annotations/1/segmentation" + where
    with pytest.raises(InputError) as info:
        labelkit.load(src)
    assert (info.value.location.pointer, info.value.message) == (pointer, "polygon coordinates must be numbers")
    assert str(info.value) == f"{src}#{pointer}: polygon coordinates must be numbers (found null)"
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == ("#" + pointer, "polygon coordinates must be numbers (found null)")


@pytest.mark.parametrize(
    ("category", "pointer"),
    [
        ({"keypoints": ["a", 1]}, "/categories/0/keypoints/1"),
        ({"keypoints": ["a", "b"], "skeleton": [[1, "x"]]}, "/categories/0/skeleton/0/1"),
        ({"keypoints": "x"}, "/categories/0/keypoints"),
    ],
)
def test_a_bad_category_value_is_an_error_at_its_pointer(
    category: dict[str, Any], pointer: str, tmp_path: Path
) -> None:
    """The error named the whole field (``/categories/0/keypoints``) where validate names the value itself."""
    doc = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "a", **category}]}
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    with pytest.raises(InputError) as info:
        labelkit.load(src)
    assert info.value.location.pointer == pointer
    (finding,) = labelkit.validate(src)
    assert finding.where == "#" + pointer


def test_a_file_whose_annotations_come_before_its_images_is_detected_as_coco(tmp_path: Path) -> None:
    """LVIS's files list ``annotations`` before ``images``: past the first 64 KiB, the file was no format's."""
    annotation = {
        "image_id": 1,
        "category_id": 1,
        "bbox": [1, 1, 2, 2],
        "area": 4,
        "segmentation": [[1, 1, 3, 1, 3, 3]],
    }
    doc = {
        "info": {"description": "LVIS"},
        "annotations": [{"id": i, **annotation} for i in range(1, 1001)],
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "c", "frequency": "f"}],
    }
    src = tmp_path / "lvis_v1_val.json"
    src.write_text(json.dumps(doc))
    assert src.read_bytes().find(b'"images"') > 65536
    assert labelkit.detect(src).format == "coco"
    assert len(labelkit.load(src).table("objects")) == 1000
    (tmp_path / "other.json").write_text(json.dumps({"annotations": [{"id": 1, "item_id": "a"}]}))
    with pytest.raises(labelkit.errors.UnknownFormatError):
        labelkit.detect(tmp_path / "other.json")


def test_file_names_read_as_another_path_are_noted_and_file_urls_kept(tmp_path: Path) -> None:
    """'./a.jpg' was read (and written back) as 'a.jpg' without a word, and 'file:///x/f.jpg' as 'file:/x/f.jpg'."""
    names = ["./a.jpg", "b//c.jpg", "d/", "sub\\e.jpg", "file:///x/f.jpg", "http://h/g.jpg", "plain.jpg"]
    images = [{"id": i, "file_name": n, "width": 4, "height": 4} for i, n in enumerate(names, 1)]
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps({"images": images, "annotations": [], "categories": []}))
    ds = labelkit.load(src)
    paths = ["a.jpg", "b/c.jpg", "d", "sub/e.jpg", "file:///x/f.jpg", "http://h/g.jpg", "plain.jpg"]
    assert [i.media.path for i in ds.items()] == paths
    assert ds.read_notes == [
        "instances_val.json: 4 file_name values read as another path (first: #/images/0/file_name './a.jpg' as "
        "'a.jpg'): backslashes become '/', and '.' segments and repeated or trailing slashes are dropped; written "
        "back so"
    ]
    labelkit.save(ds, tmp_path / "out", "coco")
    written = _load(tmp_path / "out" / "annotations" / "instances_val.json")
    assert [image["file_name"] for image in written["images"]] == paths


@pytest.mark.parametrize("via", ["labelkit", "parquet"])
def test_an_empty_attributes_object_survives_coco_through_labelkit_formats(tmp_path: Path, via: str) -> None:
    """'attributes': {} (CVAT writes it) was read as the attributes {}, which a record holds as none: through
    labelkit JSON it came back without the key. It is carried as read, as coco:attributes."""
    annotation = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "area": 12, "iscrowd": 0}
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [{**annotation, "segmentation": [], "attributes": {}}],
        "categories": [{"id": 1, "name": "car"}],
    }
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    middle = tmp_path / ("mid.labelkit.json" if via == "labelkit" else "mid")
    labelkit.save(labelkit.load(src), middle, via)
    labelkit.save(labelkit.load(middle, via), tmp_path / "out", "coco")
    assert _load(tmp_path / "out" / "annotations" / "instances_val.json")["annotations"] == doc["annotations"]
    assert not any("attributes" in c.what for c in labelkit.plan(labelkit.load(src), "yolo").lost)


def test_attributes_of_its_own_beside_carried_ones_are_written_once(tmp_path: Path) -> None:
    """An object with attributes and a carried coco:attributes was written with both keys ("attributes":{"a":"x"},
    "attributes":{"b":null}): readers keep the last, so its own attributes were lost without a word."""
    ds = Dataset(categories=[Category(id=1, name="p")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=8)))
    extras = {"coco:attributes": {"b": None}, "coco:area": 4}
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(0, 0, 2, 2), attributes={"a": "x"}, extras=extras))
    reason = "their own attributes are written: a COCO annotation holds one attributes object"
    expected = [("object annotations' carried attributes (coco:attributes)", 1, reason)]
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "coco").lost] == expected
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    text = (tmp_path / "out" / "annotations" / "instances_default.json").read_text()
    assert text.count('"attributes"') == 1
    [annotation] = json.loads(text)["annotations"]
    assert (annotation["attributes"], annotation["area"]) == ({"a": "x"}, 4)


def test_skeleton_indices_naming_no_keypoint_are_validate_findings_and_carried_on_reading(tmp_path: Path) -> None:
    """A skeleton counting from 0 (``[0, 1]``) or past the category's keypoints (``[1, 4]`` of 3) passed
    ``validate`` without a word, though pycocotools' ``showAnns`` takes 1 off each index (drawing another edge,
    or failing). Each is a finding at its index (without keypoint names, as Datumaro writes ``"keypoints": []``, only
    a number below 1); reading carries the skeleton as read (Datumaro's are 0-based), with a note."""
    person = {"id": 1, "name": "person", "keypoints": ["nose", "leye", "reye"], "skeleton": [[1, 4], [0, 1], [2, 3]]}
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 30], "area": 600, "iscrowd": 0},
        ],
        "categories": [person, {"id": 2, "name": "hand", "keypoints": [], "skeleton": [[0, 1], [1, 2]]}],
    }
    doc["annotations"][0] |= {"segmentation": [], "keypoints": [12, 12, 2, 0, 0, 0, 15, 15, 1], "num_keypoints": 2}
    src = _write(tmp_path, doc, "person_keypoints_val.json")
    reason = "names none of the category's 3 keypoints (COCO counts them from 1)"
    assert [(f.path, f.where, f.message) for f in labelkit.validate(src)] == [
        (str(src), "#/categories/0/skeleton/0/1", f"skeleton index 4 {reason}"),
        (str(src), "#/categories/0/skeleton/1/0", f"skeleton index 0 {reason}"),
        (str(src), "#/categories/1/skeleton/0/0", "skeleton index 0 names no keypoint (COCO counts them from 1)"),
    ]
    ds = labelkit.load(src)
    assert ds.read_notes == [
        "person_keypoints_val.json: 3 skeleton indices naming none of their category's keypoints (first: "
        "#/categories/0/skeleton/0/1 is 4, of 3 keypoints; COCO counts them from 1), carried as read; labelkit "
        "validate lists them"
    ]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert not [n for n in report.notes if "skeleton" in n]  # (the read note said it)
    assert _load(tmp_path / "out" / "annotations" / "person_keypoints_val.json") == doc
    doc["categories"][0]["skeleton"] = doc["categories"][1]["skeleton"] = [[1, 2], [2, 3]]
    assert labelkit.validate(_write(tmp_path, doc, "person_keypoints_val.json")) == []


def test_skeleton_indices_naming_no_keypoint_of_a_category_not_read_from_coco_are_noted_on_writing(
    tmp_path: Path,
) -> None:
    """From labelkit JSON (which takes any integer), ``[[0, 1], [1, 5]]`` of 2 keypoints was written to COCO without
    a word, and labelkit's validate then named both indexes in the output: a note says so when planning."""
    ds = Dataset(categories=[Category(id=1, name="p", keypoints=["a", "b"], skeleton=[[0, 1], [1, 5], [1, 2]])])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="val"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(10, 10, 20, 20), keypoints=[12, 12, 2, 15, 15, 2]))
    note = (
        "2 category skeleton indexes name none of their category's keypoints (COCO counts them from 1; "
        "pycocotools' showAnns draws another edge or fails): written as they are, and validate names each"
    )
    assert note in labelkit.plan(ds, "coco").notes
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert note in report.notes and report.lost == []
    assert [f.where for f in labelkit.validate(tmp_path / "out")] == [
        "#/categories/0/skeleton/0/0",
        "#/categories/0/skeleton/1/1",
    ]


@pytest.mark.parametrize("via", [None, "parquet"])
def test_each_file_lists_its_categories_in_its_own_order(tmp_path: Path, via: str | None) -> None:
    """A file was written with its categories in the dataset's order, which is the order the files first list
    them in: beside an instances_train.json listing car (2), instances_val.json's person (1), car (2) came back
    as car, person (a change of the list Datumaro numbers its labels by)."""
    car, person = {"id": 2, "name": "car", "supercategory": "vehicle"}, {"id": 1, "name": "person"}
    annotation = {"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
    docs = {
        "instances_train.json": {"images": [], "annotations": [], "categories": [car]},
        "instances_val.json": {
            "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],
            "annotations": [{**annotation, "segmentation": [[1, 1, 3, 1, 3, 3]]}],
            "categories": [person, car],
        },
    }
    (tmp_path / "in" / "annotations").mkdir(parents=True)
    for name, doc in docs.items():
        _write(tmp_path / "in" / "annotations", doc, name)
    ds = labelkit.load(tmp_path / "in")
    if via is not None:
        labelkit.save(ds, tmp_path / "mid", via)
        ds = labelkit.load(tmp_path / "mid", via)
    labelkit.save(ds, tmp_path / "out", "coco")
    for name, doc in docs.items():
        assert _load(tmp_path / "out" / "annotations" / name) == doc


@pytest.mark.parametrize("via", [None, "parquet"])
def test_a_keypoint_detection_whose_point_scores_are_0_is_written_back(tmp_path: Path, via: str | None) -> None:
    """A results file read alone: a detection of keypoints only, whose third numbers (its points' scores, which
    a results file holds as they are) were all 0 or below, counted as an object without geometry, as its points
    were taken for unlabelled: COCO -> COCO refused it (``lost: 1 objects without a box, polygon, mask or
    labelled keypoints``). Beside a ground truth file, which tags it, it was written back."""
    detections = [
        {"image_id": 1, "category_id": 1, "keypoints": [1, 2, 0, 3, 4, 0], "score": 0.5},
        {"image_id": 2, "category_id": 1, "keypoints": [5, 6, -0.5, 7, 8, 0], "score": 0.25},
    ]
    src = _write(tmp_path, detections, "results_val.json")
    ds = labelkit.load(src)
    if via is not None:
        labelkit.save(ds, tmp_path / "mid", via)
        ds = labelkit.load(tmp_path / "mid", via)
    assert labelkit.plan(ds, "coco").lost == []
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.written["object annotations"] == 2
    assert _load(tmp_path / "out" / "annotations" / "results_val.json") == detections


def test_validate_lists_a_num_keypoints_other_than_the_labelled_points(tmp_path: Path) -> None:
    """``num_keypoints`` 0 beside labelled points (which COCOeval's keypoints mode leaves out as a person with
    none), or 3 beside 2, passed ``validate`` without a word. Each is a finding at its value; reading carries it
    as read; an annotation whose keypoints are already a finding gets no second one."""
    person = {"id": 1, "name": "person", "keypoints": ["nose", "leye", "reye"]}
    box = {"image_id": 1, "category_id": 1, "bbox": [10, 10, 20, 30], "area": 600, "iscrowd": 0}
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "annotations": [
            {"id": 1, **box, "keypoints": [12, 12, 2, 13, 13, 1, 0, 0, 0], "num_keypoints": 2},
            {"id": 2, **box, "keypoints": [12, 12, 2, 13, 13, 1, 5, 5, 0], "num_keypoints": 0},
            {"id": 3, **box, "keypoints": [12, 12, 2, 13, 13, 1, 0, 0, 0], "num_keypoints": 3},
            {"id": 4, **box, "keypoints": [12, 12, 2], "num_keypoints": 3},
            {"id": 5, **box, "keypoints": [0, 0, 0, 0, 0, 0, 0, 0, 0], "num_keypoints": 0},
        ],
        "categories": [person],
    }
    src = _write(tmp_path, doc, "person_keypoints_val.json")
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [  # (in the order reading meets them)
        ("#/annotations/1/num_keypoints", "num_keypoints 0 is not the annotation's 2 labelled keypoints (v > 0)"),
        ("#/annotations/2/num_keypoints", "num_keypoints 3 is not the annotation's 2 labelled keypoints (v > 0)"),
        ("#/annotations/3/keypoints", "3 keypoint numbers, expected 9 numbers (3 keypoints x 3)"),
    ]
    del doc["annotations"][3]
    src = _write(tmp_path, doc, "person_keypoints_val.json")
    ds = labelkit.load(src)
    assert ds.read_notes == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _load(tmp_path / "out" / "annotations" / "person_keypoints_val.json") == doc
    results = [{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 0.5], "num_keypoints": 0, "score": 0.5}]
    assert labelkit.validate(_write(tmp_path, results, "results_val.json")) == []


def test_an_instance_s_fields_a_keypoints_annotation_lacks_are_kept(tmp_path: Path) -> None:
    """A keypoints annotation without bbox, area or iscrowd (CrowdPose-like) matched to a full instance: the
    instances file was written back without ``area`` and ``iscrowd`` (COCOeval: ``KeyError: 'area'``). The
    instance's fields the keypoints file lacks are kept beside its own, written to both files, with a note."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    instance = _ann(1, 1, 1, segmentation=[[1, 1, 11, 1, 11, 11, 1, 11]])
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "annotations": [instance], "categories": [_PERSON]},
            "person_keypoints_val": {
                "images": [_img(1)],
                "annotations": [{"id": 1, "image_id": 1, "category_id": 1, **pose}],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    assert ds.read_notes == [
        "1 annotations of person_keypoints_val.json lack fields that the same annotation of the instances file "
        "has: the instance's are kept (writing COCO writes them to both files)",
        "1 annotations of person_keypoints_val.json have another bbox or segmentation than the same annotation "
        "of the instances file: the instances file's are kept (writing COCO writes them to both files)",
    ]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _load(tmp_path / "out/annotations/instances_val.json")["annotations"] == [instance]
    assert _load(tmp_path / "out/annotations/person_keypoints_val.json")["annotations"] == [{**instance, **pose}]


_LACKS = (
    "1 annotations of person_keypoints_val.json lack fields that the same annotation of the instances file has: "
    "the instance's are kept (writing COCO writes them to both files)"
)
_DIFFER = (
    "1 annotations of person_keypoints_val.json differ from the same annotation of the instances file in other "
    "fields than the keypoints (extras, attributes or flags): the keypoints file's are kept"
)


@pytest.mark.parametrize(
    ("own", "theirs", "note", "written"),
    [
        ({"attributes": {"color": "red"}}, {}, _LACKS, {"attributes": {"color": "red"}}),
        ({"score": 0.5}, {}, _LACKS, {"score": 0.5}),
        ({"attributes": {"color": "red"}, "score": 0.5}, {"score": 0.5}, _LACKS, {"attributes": {"color": "red"}}),
        ({"attributes": {}}, {"attributes": {"color": "blue"}}, _DIFFER, {"attributes": {"color": "blue"}}),
    ],
)
def test_an_instance_s_attributes_and_score_a_keypoints_annotation_lacks_are_kept(
    tmp_path: Path, own: dict[str, Any], theirs: dict[str, Any], note: str, written: dict[str, Any]
) -> None:
    """An instance's attributes or score its keypoints annotation lacked were dropped from both files, noted as
    a difference (its {} carried beside the keypoints file's attributes: writing was refused as a loss). Kept as
    its extras are, written to both files; the keypoints file's own attributes win."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    src = _files(
        tmp_path / "in",
        {
            "instances_val": {"images": [_img(1)], "annotations": [_ann(1, 1, 1, **own)], "categories": [_PERSON]},
            "person_keypoints_val": {
                "images": [_img(1)],
                "annotations": [_ann(1, 1, 1, **theirs, **pose)],
                "categories": [_PERSON],
            },
        },
    )
    ds = labelkit.load(src)
    assert ds.read_notes == [note]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    out = tmp_path / "out" / "annotations"
    assert _load(out / "instances_val.json")["annotations"] == [_ann(1, 1, 1, **{**own, **written})]
    assert _load(out / "person_keypoints_val.json")["annotations"] == [_ann(1, 1, 1, **{**own, **written}, **pose)]


def test_an_instance_s_num_keypoints_equal_to_the_keypoints_file_s_is_no_difference(tmp_path: Path) -> None:
    """An instance carrying ``num_keypoints`` (and no keypoints) equal to the keypoints file's: a note said they
    differed, and the instances file was written without it. No note; both files come back as read."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    docs = {
        "instances_val": {
            "images": [_img(1), _img(2)],
            "annotations": [_ann(1, 1, 1, num_keypoints=1), _ann(2, 2, 1, num_keypoints=0)],
            "categories": [_PERSON],
        },
        "person_keypoints_val": {
            "images": [_img(1), _img(2)],
            "annotations": [_ann(1, 1, 1, **pose)],
            "categories": [_PERSON],
        },
    }
    ds = labelkit.load(_files(tmp_path / "in", docs))
    assert ds.read_notes == []
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "out", docs) == docs


def test_keypoint_names_that_differ_between_files_of_a_split_are_kept_per_file(tmp_path: Path) -> None:
    """*COCO: Reading*: category fields are kept per file. The instances file names 3 points of person, the
    keypoints file 2: its annotations (2 points each) were refused, "6 keypoint numbers, expected 9", though
    they match their own file's category. validate passes; COCO -> COCO gives both files back."""
    three = {"id": 1, "name": "person", "keypoints": ["a", "b", "c"], "skeleton": [[1, 3]]}
    two = {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    car = {"id": 2, "name": "car"}
    pose = {"keypoints": [2, 2, 2, 5, 5, 1], "num_keypoints": 2}
    docs = {
        "instances_val": {"images": [_img(1)], "annotations": [_ann(1, 1, 2)], "categories": [three, car]},
        "person_keypoints_val": {"images": [_img(1)], "annotations": [_ann(5, 1, 1, **pose)], "categories": [two]},
    }
    src = _files(tmp_path / "in", docs)
    assert labelkit.validate(src) == []
    ds = labelkit.load(src)
    assert [len(c.keypoints or []) for c in ds.categories] == [3, 0]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "out", docs) == docs


def test_cocoapi_s_results_file_names_are_read_as_their_split_s_results(tmp_path: Path) -> None:
    """cocoapi names its results ``instances_val2014_fakebbox100_results.json``: read as a split of its own,
    ``val2014_fakebbox100_results`` (its detections not on val2014's images), and written back as
    ``results_val2014_fakebbox100_results.json``. They are val2014's results, written back under their name."""
    cat = {"id": 1, "name": "a"}
    docs = {
        "instances_val2014": {"images": [_img(1)], "annotations": [_ann(1, 1, 1)], "categories": [cat]},
        "instances_val2014_fakebbox100_results": [
            {"image_id": 1, "category_id": 1, "bbox": [2, 2, 5, 5], "score": 0.9}
        ],
    }
    src = _files(tmp_path / "in", docs)
    ds = labelkit.load(src)
    assert [(i.id, i.split) for i in ds.items()] == [("1", "val2014")]
    assert [(o.item_id, o.score) for o in ds.objects()] == [("1", None), ("1", 0.9)]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir()) == sorted(f"{n}.json" for n in docs)
    assert _written(tmp_path / "out", docs) == docs


@pytest.mark.parametrize("with_ids", [False, True])
def test_detections_without_geometry_go_back_to_their_results_file(tmp_path: Path, with_ids: bool) -> None:
    """``{"image_id", "category_id", "score"}`` (which loadRes takes) is read as an image label; validate passed,
    but COCO -> COCO refused it, "lost: 1 label annotations: their split is written as detection-results files".
    It goes back to its results file (after the file's objects), with its id where the file had ids, also on an
    image with no other detection, and beside ground truth."""
    box = {"image_id": 1, "category_id": 2, "bbox": [1, 1, 2, 2], "score": 0.7}
    bare = [{"image_id": 1, "category_id": 1, "score": 0.5}, {"image_id": 2, "category_id": 1, "score": 0.25}]
    results: list[dict[str, Any]] = [box, *bare]
    if with_ids:
        results = [{"id": 10 + k, **r} for k, r in enumerate(results)]
    src = _write(tmp_path, results, "results_val.json")
    assert labelkit.validate(src) == []
    ds = labelkit.load(src)
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _load(tmp_path / "out" / "annotations" / "results_val.json") == results
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    docs = {
        "instances_val": {"images": [_img(1), _img(2)], "annotations": [_ann(1, 1, 1)], "categories": cats},
        "results_val": results,
    }
    ds = labelkit.load(_files(tmp_path / "gt", docs))
    report = labelkit.save(ds, tmp_path / "out2", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "out2", docs) == docs


@pytest.mark.parametrize("key", ["skeleton", "keypoints"])
def test_a_category_s_null_skeleton_or_keypoints_is_carried_as_read(tmp_path: Path, key: str) -> None:
    """validate flags ``"skeleton": null`` (or ``"keypoints": null``), but convert wrote the category without the
    key, silently. Carried as read, as a ``"supercategory": null`` is, with a read note; validate still lists it."""
    person = {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]], key: None}
    doc = {"images": [_img(1)], "annotations": [_ann(1, 1, 2)], "categories": [person, {"id": 2, "name": "car"}]}
    src = _write(tmp_path, doc)
    assert [f.where for f in labelkit.validate(src)] == [f"#/categories/0/{key}"]
    ds = labelkit.load(src)
    assert ds.read_notes == [
        f"instances_val.json: 1 {key} value COCO does not allow (first: #/categories/0/{key} is null), carried as "
        "read; labelkit validate lists them"
    ]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _load(tmp_path / "out" / "annotations" / "instances_val.json") == doc


@pytest.mark.parametrize("alone", [True, False])
def test_an_empty_coco_file_is_an_error_naming_it(tmp_path: Path, alone: bool) -> None:
    """A 0-byte ``annotations/instances_val.json`` was "no format recognises this input" (alone, or the folder's
    only file): it is COCO's by its name, and the reader's error names it and its line."""
    bad = tmp_path / "ds" / "annotations" / "instances_val.json"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"")
    src = bad if alone else tmp_path / "ds"
    assert labelkit.detect(src).format == "coco"
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (err.value.location.path, err.value.location.line) == (str(bad), 1)
    assert err.value.message == "invalid JSON at column 1: Input is a zero-length, empty document"
    result = CliRunner().invoke(cli, ["info", str(src)])
    assert result.exit_code == 2
    assert (
        result.stderr == f"labelkit: error: {bad}:1: invalid JSON at column 1: Input is a zero-length, empty document\n"
    )


def test_a_split_s_second_cocoapi_results_file_is_a_split_of_its_own(tmp_path: Path) -> None:
    """cocoapi ships ``instances_val2014_fakebbox100_results.json`` and ``..._fakesegm100_results.json``: read as
    val2014's results both, they were written back as one file (the first's name). The first is val2014's; the
    second a split of its own, as its name reads (as before), and each is written back under its name."""
    cat = {"id": 1, "name": "a"}
    detection = {"image_id": 1, "category_id": 1, "bbox": [2, 2, 5, 5], "score": 0.9}
    docs: dict[str, Any] = {
        "instances_val2014": {"images": [_img(1)], "annotations": [_ann(1, 1, 1)], "categories": [cat]},
        "instances_val2014_fakebbox100_results": [detection],
        "instances_val2014_fakesegm100_results": [{**detection, "score": 0.5}],
    }
    ds = labelkit.load(_files(tmp_path / "in", docs))
    assert sorted({i.split for i in ds.items()}) == ["val2014", "val2014_fakesegm100_results"]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir()) == sorted(f"{n}.json" for n in docs)
    assert _written(tmp_path / "out", docs) == docs


@pytest.mark.parametrize("alone", [False, True])
def test_a_split_named_as_cocoapi_names_results_files_reads_back(tmp_path: Path, alone: bool) -> None:
    """A split named ``x_y_results`` is written as ``instances_x_y_results.json`` (and ``person_keypoints_...``,
    ``captions_...``), the names cocoapi gives results files (lists of annotations): reading the output took the
    instances file for detections of split ``x`` (an error at its first annotation, which has no score) and left
    the captions file out as caption results. A document so named is the ground truth of the split so named."""
    cat = {"id": 1, "name": "a"}
    person = {"id": 2, "name": "person", "keypoints": ["nose"], "skeleton": []}
    docs: dict[str, Any] = {
        "instances_x_y_results": {"images": [_img(1)], "annotations": [_ann(1, 1, 1)], "categories": [cat]},
        "person_keypoints_x_y_results": {
            "images": [_img(1)],
            "annotations": [_ann(2, 1, 2, keypoints=[3, 3, 2], num_keypoints=1)],
            "categories": [person],
        },
        "captions_x_y_results": {"images": [_img(1)], "annotations": [{"id": 3, "image_id": 1, "caption": "a"}]},
    }
    if alone:
        docs = {"instances_x_y_results": docs["instances_x_y_results"]}
    root = _files(tmp_path / "in", docs)
    src = root / "annotations" / "instances_x_y_results.json" if alone else root
    ds = labelkit.load(src)
    assert ds.read_notes == []
    assert [i.split for i in ds.items()] == ["x_y_results"]
    assert sorted(a.id for a in ds.annotations()) == (["1"] if alone else ["1", "2", "3"])
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "out", docs) == docs
    again = labelkit.load(tmp_path / "out")
    assert sorted(a.id for a in again.annotations()) == sorted(a.id for a in ds.annotations())
    # (its items are read in its split's place, by name: x_a's before x_y_results', as x_a's before x_z's)
    two = Dataset(categories=[Category(id=1, name="c")])
    for n, split in enumerate(["x_y_results", "x_a"]):
        two.add_item(Item(id=str(n), media=Media(path=f"{n}.jpg", width=4, height=4), split=split))
    labelkit.save(two, tmp_path / "two", "coco")
    assert [i.split for i in labelkit.load(tmp_path / "two").items()] == ["x_a", "x_y_results"]
    # (a results list so named is read as before: detections of split x)
    (tmp_path / "res").mkdir()
    results = tmp_path / "res" / "instances_x_y_results.json"
    results.write_text(json.dumps([{"image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}]))
    assert [i.split for i in labelkit.load(results).items()] == ["x"]


def test_a_document_named_as_results_is_told_by_its_first_bytes_only_inside_the_dataset(tmp_path: Path) -> None:
    """A captions document so named starting with a byte-order mark was still left out as caption results; and one
    that is a link leading out of the dataset was opened to tell, before reading refused it (an untrusted dataset
    learnt the first byte of any file of the machine): it is told by its name alone, left out with a note."""
    img = {"id": 1, "file_name": "1.jpg", "width": 10, "height": 10}
    root = _files(tmp_path / "in", {"instances_x_y_results": {"images": [img], "annotations": [], "categories": []}})
    captions = {"images": [img], "annotations": [{"id": 3, "image_id": 1, "caption": "a"}]}
    (root / "annotations" / "captions_x_y_results.json").write_bytes(b"\xef\xbb\xbf" + json.dumps(captions).encode())
    ds = labelkit.load(root)
    assert (ds.read_notes, [a.id for a in ds.annotations()]) == ([], ["3"])
    (root / "annotations" / "captions_x_y_results.json").unlink()
    (tmp_path / "outside.json").write_text(json.dumps(captions))
    (root / "annotations" / "captions_a_b_results.json").symlink_to(tmp_path / "outside.json")
    ds = labelkit.load(root)
    assert ds.read_notes == [
        "captions_a_b_results.json not read: COCO caption results are not supported (labelkit reads detection and "
        "keypoint results)"
    ]
    # with links=follow (a DVC or git-annex checkout) it is read, and told by its first bytes as one inside is
    ds = labelkit.load(root, "coco", links="follow")
    splits = ["a_b_results", "x_y_results"]  # (and the instances file's image, of its split)
    assert (ds.read_notes, [i.split for i in ds.items()], [a.id for a in ds.annotations()]) == ([], splits, ["3"])
    # and one indented past 4 KB is a document too, where reading took it for results of split a
    (root / "annotations" / "captions_a_b_results.json").unlink()
    (root / "annotations" / "captions_a_b_results.json").write_text(" " * 5000 + json.dumps(captions))
    assert [i.split for i in labelkit.load(root).items()] == splits


def test_a_results_file_whose_name_a_split_s_instances_file_takes_is_written_under_its_split(tmp_path: Path) -> None:
    """Detections read from ``instances_x_y_results.json`` (split ``x``'s) beside a split named ``x_y_results``:
    both files were named ``instances_x_y_results.json`` and the second was left out, unsaid. The results file
    is written as ``results_x.json``, which reads back as split ``x``'s detections."""
    docs: dict[str, Any] = {
        "instances_x": {"images": [_img(1)], "annotations": [], "categories": [{"id": 1, "name": "a"}]},
        "instances_x_y_results": [{"image_id": 1, "category_id": 1, "bbox": [1.0, 1.0, 2.0, 2.0], "score": 0.5}],
    }
    ds = labelkit.load(_files(tmp_path / "in", docs))
    ds.add_item(Item(id="z", media=Media(path="z.jpg", width=10, height=10), split="x_y_results"))
    ds.add(Object(id="9", item_id="z", category_id=1, bbox=(1, 1, 2, 2)))
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    names = sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir())
    assert names == ["instances_x.json", "instances_x_y_results.json", "results_x.json"]
    assert _load(tmp_path / "out" / "annotations" / "results_x.json") == docs["instances_x_y_results"]
    back = labelkit.load(tmp_path / "out")  # (two splits of an image 1: their split in front)
    assert sorted(a.item_id for a in back.annotations()) == ["x/1", "x_y_results/1"]
    assert {i.id: i.split for i in back.items()} == {"x/1": "x", "x_y_results/1": "x_y_results"}


def test_image_paths_coco_reads_back_otherwise_are_reported_as_transformed(tmp_path: Path) -> None:
    """A path with a backslash (a Windows tool's), a './' or a doubled slash was written as it is and read back
    normalised ('x\\\\y.jpg' as 'x/y.jpg'), the item's image path changed without a word."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    paths = ["x\\y.jpg", "./v.jpg", "a//b.jpg", "plain/c.jpg", "http://host/d.jpg", "/abs/e.jpg"]
    for i, path in enumerate(paths):
        ds.add_item(Item(id=str(i + 1), media=Media(path=path, width=4, height=4), split="train"))
    planned = [(c.what, c.count) for c in labelkit.plan(ds, "coco").transformed]
    assert ("image paths read back otherwise", 3) in planned
    assert ("image paths that are not relative", 1) in planned
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [(c.what, c.count) for c in report.transformed] == planned
    back = labelkit.load(tmp_path / "o", "coco")
    expected = ["x/y.jpg", "v.jpg", "a/b.jpg", "plain/c.jpg", "http://host/d.jpg", "e.jpg"]
    assert [i.media.path for i in back.items()] == expected


def test_a_keypoints_category_without_a_skeleton_is_written_with_an_empty_one(tmp_path: Path) -> None:
    """YOLO pose (or labelkit JSON) -> COCO wrote a keypoints category of no skeleton: pycocotools' showAnns reads
    ``cat['skeleton']`` for every annotation with keypoints (KeyError), as COCO's keypoint categories have one.
    It is written as ``[]`` and reported; a category read from COCO without one is written back without."""
    ds = Dataset(categories=[Category(id=1, name="person", keypoints=["nose", "eye"]), Category(id=2, name="car")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 10, 10), keypoints=[2, 2, 2, 3, 3, 1]))
    report = labelkit.plan(ds, "coco")
    assert report.lost == []
    assert [(c.what, c.count, c.reason) for c in report.transformed][:1] == [
        (
            "category skeletons",
            1,
            "COCO's keypoint categories have a skeleton (pycocotools' showAnns reads one for every annotation with "
            'keypoints: KeyError without): written as "skeleton": [], which reads back as an empty skeleton',
        )
    ]
    assert labelkit.save(ds, tmp_path / "out", "coco").transformed == report.transformed
    written = json.loads((tmp_path / "out/annotations/instances_train.json").read_text())
    assert written["categories"] == [
        {"id": 1, "name": "person", "keypoints": ["nose", "eye"], "skeleton": []},
        {"id": 2, "name": "car"},
    ]
    back = labelkit.load(tmp_path / "out")
    assert [(c.keypoints, c.skeleton) for c in back.categories] == [(["nose", "eye"], []), (None, None)]
    # a COCO file's keypoints category without a skeleton is written back as read, and so is one with
    docs: dict[str, Any] = {
        "person_keypoints_val": {
            "images": [_img(1)],
            "annotations": [{**_ann(1, 1, 1), "keypoints": [2, 2, 2], "num_keypoints": 1}],
            "categories": [
                {"id": 1, "name": "a", "keypoints": ["x"]},
                {"id": 2, "name": "b", "keypoints": ["y"], "skeleton": []},
            ],
        }
    }
    again = labelkit.load(_files(tmp_path / "in", docs))
    report = labelkit.save(again, tmp_path / "again", "coco")
    assert (report.lost, report.transformed) == ([], [])
    assert _written(tmp_path / "again", docs) == docs


def test_a_category_of_no_keypoint_names_whose_objects_have_keypoints_gets_an_empty_skeleton(tmp_path: Path) -> None:
    """Only categories with keypoint names got one: a category without, whose object has keypoints (labelkit JSON),
    was written without a skeleton, and pycocotools' showAnns raised KeyError('skeleton') on its annotation. A
    category read from COCO is written back with its own fields still."""
    ds = Dataset(categories=[Category(id=1, name="robot"), Category(id=2, name="car")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=40, height=30), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 10, 10), keypoints=[2, 2, 2, 3, 3, 1]))
    ds.add(Object(id="2", item_id="1", category_id=2, bbox=(1, 1, 10, 10)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed][:1] == [("category skeletons", 1)]
    assert labelkit.plan(ds, "coco").transformed == report.transformed
    written = json.loads((tmp_path / "out/annotations/instances_train.json").read_text())
    assert written["categories"] == [{"id": 1, "name": "robot", "skeleton": []}, {"id": 2, "name": "car"}]
    cats = {c["id"]: c for c in written["categories"]}
    assert [cats[a["category_id"]]["skeleton"] for a in written["annotations"] if "keypoints" in a] == [[]]
    assert labelkit.validate(tmp_path / "out") == []
    doc = {
        "images": [_img(1)],
        "annotations": [{**_ann(1, 1, 1), "keypoints": [2, 2, 2], "num_keypoints": 1}],
        "categories": [{"id": 1, "name": "a"}],
    }
    again = labelkit.save(labelkit.load(_files(tmp_path / "in", {"instances_val": doc})), tmp_path / "again", "coco")
    assert again.transformed == []
    assert _load(tmp_path / "again/annotations/instances_val.json")["categories"] == doc["categories"]


def test_reindex_reports_the_category_ids_it_changes(tmp_path: Path) -> None:
    """-o reindex=true renumbered categories without a word in the report (YOLO reports its renumbering)."""
    ds = labelkit.load(FIXTURE)
    assert [c.id for c in ds.categories] == [0, 3, 9]
    report = labelkit.save(ds, tmp_path / "out", "coco", reindex=True)
    assert [(c.what, c.count, c.reason) for c in report.transformed] == [
        ("category ids", 3, "renumbered 1..N in the categories' order, as reindex=true asks")
    ]
    assert labelkit.plan(ds, "coco", reindex=True).transformed == report.transformed
    again = labelkit.save(labelkit.load(tmp_path / "out"), tmp_path / "again", "coco", reindex=True)
    assert again.transformed == []  # (1..N already: nothing renumbered)


def test_writing_many_splits_goes_through_the_items_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each split's file picked its images by going through every item's split (three times per file): a
    dataset of 400 splits of 100 images spent about half its 10 s write there. The splits' rows are found once;
    each file lists its split's images in the items' order, an item of no split in ``default``."""
    from labelkit.formats import coco_write

    walked: list[int] = []

    class Walked(list[str]):
        def __iter__(self) -> Any:
            walked.append(len(self))
            return super().__iter__()

    numbers = coco_write.image_numbers
    monkeypatch.setattr(coco_write, "image_numbers", lambda items: (*numbers(items)[:2], Walked(numbers(items)[2])))

    def write(splits: int) -> list[str]:
        ds = Dataset(categories=[Category(id=1, name="a")])
        for k in range(3 * splits + 1):
            split = None if k == 3 * splits else f"s{(k * 7) % splits}"
            ds.add_item(Item(id=str(k), media=Media(path=f"{k}.jpg", width=9, height=9), split=split))
            ds.add(Object(id=str(k), item_id=str(k), category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
        walked.clear()
        labelkit.save(ds, tmp_path / str(splits), "coco")
        return sorted(p.name for p in (tmp_path / str(splits) / "annotations").iterdir())

    assert write(2) == ["instances_default.json", "instances_s0.json", "instances_s1.json"]
    few = len(walked)
    assert len(write(6)) == 7
    assert len(walked) == few  # (not once more per split)
    for split, ids in (("s0", [0, 6, 12]), ("s1", [1, 7, 13]), ("s5", [5, 11, 17]), ("default", [18])):
        doc = json.loads((tmp_path / f"6/annotations/instances_{split}.json").read_text())
        assert [(i["id"], i["file_name"]) for i in doc["images"]] == [(k, f"{k}.jpg") for k in ids]
        # (an object's id of 0 is numbered after its split's largest: COCOeval takes 0 for no match)
        assert [(a["id"], a["image_id"]) for a in doc["annotations"]] == [(k or 13, k) for k in ids]


def test_joining_files_of_distinct_annotation_ids_looks_none_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file's annotation ids were looked up among every earlier file's (a hash of them all, made again per
    file): a folder of 400 split files spent 0.9 s of a 3.8 s read there. Ids that are all distinct are left as
    they are in one pass; a later file's id that an earlier file has still gets its task in front."""
    from labelkit.formats import coco_join

    looked: list[int] = []
    is_in = pc.is_in
    monkeypatch.setattr(pc, "is_in", lambda values, **kw: looked.append(len(values)) or is_in(values, **kw))
    tables = [pa.table({"id": [f"s{k}/{n}" for n in range(3)]}) for k in range(5)]
    assert coco_join._unique_ids(tables, ["instances"] * 5) == tables
    assert looked == []
    clash = [pa.table({"id": ["1", "2"]}), pa.table({"id": ["3"]}), pa.table({"id": ["2", "4", "1"]})]
    joined = coco_join._unique_ids(clash, ["instances", "instances", "results"])
    assert [t["id"].to_pylist() for t in joined] == [["1", "2"], ["3"], ["results/2", "4", "results/1"]]


def test_a_polygon_of_many_holes_becomes_rle_merging_its_rings_in_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A polygon with holes is written as an RLE mask: its rings were merged by one pycocotools ``merge`` of them
    all, which walks the union of those before each ring again (quadratic in the rings). They are merged two at
    a time; the mask is the outer ring less the holes."""
    from pycocotools import mask as mask_utils

    holes = [[x, y, x + 1, y, x + 1, y + 1, x, y + 1] for x in range(1, 9, 2) for y in range(1, 5, 2)]
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=10, height=6)))
    ring = [0.0, 0.0, 10.0, 0.0, 10.0, 6.0, 0.0, 6.0]
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[ring, *holes], polygon_holes=[False] + [True] * 8))
    merged: list[int] = []
    merge = mask_utils.merge
    monkeypatch.setattr(mask_utils, "merge", lambda rles, **kw: merged.append(len(rles)) or merge(rles, **kw))
    labelkit.save(ds, tmp_path / "o", "coco")
    assert max(merged) == 2
    (annotation,) = json.loads((tmp_path / "o/annotations/instances_default.json").read_text())["annotations"]
    expected = np.ones((6, 10), dtype=np.uint8)
    expected[1:5:2, 1:9:2] = 0
    assert np.array_equal(mask_utils.decode(annotation["segmentation"]), expected)


# -- images of 0 x 0: an unknown size, as Datumaro writes it ------------------------------------------------

_UNSIZED = (
    b'{"images":[{"id":1,"file_name":"a.jpg","width":0,"height":0},{"id":2,"file_name":"b.jpg","width":0,"height":0}'
    b',{"id":3,"file_name":"c.jpg","width":4,"height":3}],"annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":'
    b'[1,2,3,4],"area":12.0,"iscrowd":0,"segmentation":[]},{"id":2,"image_id":2,"category_id":1,"segmentation":[[10,'
    b'10,50,10,50,40]],"bbox":[10,10,40,30],"area":600.0,"iscrowd":0},{"id":3,"image_id":2,"category_id":1,'
    b'"segmentation":{"size":[3,2],"counts":[1,2,3]},"bbox":[0,0,1,2],"area":2,"iscrowd":1},{"id":4,"image_id":3,'
    b'"category_id":1,"segmentation":[[0,0,4,0,4,3]],"bbox":[0,0,4,3],"area":6.0,"iscrowd":0}],"categories":[{"id":1,'
    b'"name":"car"}]}'
)
"""Datumaro's way: images whose size is unknown are 0 x 0, their boxes, polygons and RLE masks as they are."""


def test_an_image_of_0_by_0_is_read_as_of_unknown_size(tmp_path: Path) -> None:
    """Datumaro writes 0 x 0 for an image whose size it does not know: the file was refused at its first box
    ('bbox [1.0, 2.0, 3.0, 4.0] reaches outside the 0x0 image'), and skip_invalid dropped every annotation."""
    src = tmp_path / "instances_val.json"
    src.write_bytes(_UNSIZED)
    ds = labelkit.load(src)
    assert [(i.id, i.media.width, i.media.height) for i in ds.items()] == [
        ("1", None, None),
        ("2", None, None),
        ("3", 4, 3),
    ]
    assert ds.read_notes == [
        "instances_val.json: 2 images of 0 x 0 (first: #/images/0) read as of unknown size, as Datumaro writes an "
        "image whose size it does not know: their annotations are not checked against a size; writing COCO writes "
        "them 0 x 0 again"
    ]
    assert [(o.id, o.bbox, o.polygon, o.mask) for o in ds.objects()] == [
        ("1", (1.0, 2.0, 3.0, 4.0), None, None),
        ("2", (10.0, 10.0, 40.0, 30.0), [[10.0, 10.0, 50.0, 10.0, 50.0, 40.0]], None),
        ("3", (0.0, 0.0, 1.0, 2.0), None, coco_rle((3, 2), [1, 2, 3])),  # (its size: nothing to check it against)
        ("4", (0.0, 0.0, 4.0, 3.0), [[0.0, 0.0, 4.0, 0.0, 4.0, 3.0]], None),
    ]
    assert labelkit.validate(src) == []
    result = CliRunner().invoke(cli, ["info", str(src)])
    assert result.exit_code == 0, result.output


def test_a_box_left_of_or_above_0_on_an_image_of_0_by_0_is_read_as_it_is(tmp_path: Path) -> None:
    """Only its far side went unchecked: ``[-5, 0, 2, 2]`` on an image of unknown size was refused by load, convert
    and info ('reaches outside the image'), flagged by validate, and dropped with skip_invalid."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 0, "height": 0}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [-5, 0, 2, 2], "area": 4, "iscrowd": 0},
            {"id": 2, "image_id": 1, "category_id": 1, "bbox": [3, -7, 2, 2], "area": 4, "iscrowd": 0},
        ],
    }
    src = _write(tmp_path, doc)
    assert labelkit.validate(src) == []
    boxes = [(-5.0, 0.0, 2.0, 2.0), (3.0, -7.0, 2.0, 2.0)]
    assert [o.bbox for o in labelkit.load(src).objects()] == boxes
    assert [o.bbox for o in labelkit.load(src, skip_invalid=True).objects()] == boxes
    result = CliRunner().invoke(cli, ["info", str(src)])
    assert result.exit_code == 0, result.output


def coco_rle(size: tuple[int, int], counts: list[int]) -> Any:
    from labelkit.model.annotations import Rle

    return Rle(size=size, counts=counts)


@pytest.mark.parametrize(("width", "height"), [(0, 3), (5, 0)])
def test_an_image_of_0_on_one_side_only_is_a_size(tmp_path: Path, width: int, height: int) -> None:
    """One side 0 and the other not is not how a tool writes an unknown size: it stays a size (of no area), and
    a box on it is outside it, in validate as in load."""
    doc = json.loads(_UNSIZED)
    doc["images"][0].update(width=width, height=height)
    src = _write(tmp_path, doc)
    message = f"bbox [1.0, 2.0, 3.0, 4.0] reaches outside the {width}x{height} image"
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [("#/annotations/0/bbox", message)]
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert (err.value.location.path, err.value.location.pointer) == (str(src), "/annotations/0/bbox")


def test_a_file_of_0_by_0_images_is_written_back_byte_for_byte(tmp_path: Path) -> None:
    """COCO -> COCO of images of unknown size: they were lost with their annotations ('COCO images need a width
    and height: they are not written'); they are written 0 x 0, as read, and reported as transformed."""
    src = tmp_path / "in" / "instances_val.json"
    src.parent.mkdir()
    src.write_bytes(_UNSIZED)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == []
    assert [(c.what, c.count) for c in report.transformed] == [("images of unknown size", 2)]
    assert (tmp_path / "out" / "annotations" / "instances_val.json").read_bytes() == _UNSIZED
    back = labelkit.load(tmp_path / "out")
    assert [(i.id, i.media.width) for i in back.items()] == [("1", None), ("2", None), ("3", 4)]


def test_a_voc_file_without_size_converts_to_coco_with_its_image_and_boxes(tmp_path: Path) -> None:
    """VOC -> COCO of an image of unknown size (a VOC file without <size>, its image absent) lost the image and
    its boxes; they are written, the image 0 x 0."""
    (tmp_path / "voc" / "Annotations").mkdir(parents=True)
    (tmp_path / "voc" / "Annotations" / "a.xml").write_text(
        "<annotation><filename>a.jpg</filename><object><name>car</name>"
        "<bndbox><xmin>1</xmin><ymin>2</ymin><xmax>5</xmax><ymax>8</ymax></bndbox></object></annotation>"
    )
    report = labelkit.convert(tmp_path / "voc", tmp_path / "out", to="coco", allow_loss=True)
    assert ("images of unknown size", 1) in [(c.what, c.count) for c in report.transformed]
    assert not [c for c in report.lost if "image" in c.what]
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [(i["file_name"], i["width"], i["height"]) for i in doc["images"]] == [("JPEGImages/a.jpg", 0, 0)]
    assert [a["bbox"] for a in doc["annotations"]] == [[0, 1, 5, 7]]
    back = labelkit.load(tmp_path / "out")
    assert [(i.media.width, i.media.height) for i in back.items()] == [(None, None)]
    assert [o.bbox for o in back.objects()] == [(0.0, 1.0, 5.0, 7.0)]


def test_an_image_sized_on_one_side_only_is_written_0_by_0_and_that_side_reported_lost(tmp_path: Path) -> None:
    """VOC keeps a <width> without a <height>; COCO would read 8 x 0 as a size outside of which every box lies."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("image sizes given on one side only", 1)]
    assert not (tmp_path / "out").exists()
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [(i["width"], i["height"]) for i in doc["images"]] == [(0, 0)]
    assert [(o.id, o.bbox) for o in labelkit.load(tmp_path / "out").objects()] == [("1", (1.0, 1.0, 2.0, 2.0))]


@pytest.mark.parametrize("size", [(None, 48), (64, None), (0, None), (0, 0)])
def test_a_box_on_an_image_written_0_by_0_is_written_as_it_is_whatever_side_was_given(
    tmp_path: Path, size: tuple[int | None, int | None]
) -> None:
    """An image given on one side only, or 0 x 0, is written 0 x 0 and read back as of unknown size, yet its boxes
    were clipped to the side given (reported as 'boxes reaching outside their image'): ``[-5, -3, 2, 2]`` on a
    height of 48 was written ``[-5, 0, 2, 0]``, ``[70, 50, 2, 2]`` ``[70, 48, 2, 0]``, their areas 0; on 0 x 0,
    ``[0, 0, 0, 0]``. Nothing in the file says where the side was: they are written as they are, as the reader
    reads them."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=size[0], height=size[1]), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(-5.0, -3.0, 2.0, 2.0)))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(70.0, 50.0, 2.0, 2.0)))
    ds.add(Object(id="3", item_id="1", category_id=1, polygon=[[-5.0, -3.0, -3.0, -3.0, -3.0, -1.0, -5.0, -1.0]]))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    for r in (planned, report):
        assert "boxes reaching outside their image" not in [c.what for c in r.transformed]
    doc = _load(tmp_path / "out/annotations/instances_train.json")
    assert [(i["width"], i["height"]) for i in doc["images"]] == [(0, 0)]
    assert [(a["bbox"], a["area"]) for a in doc["annotations"]] == [
        ([-5, -3, 2, 2], 4.0),
        ([70, 50, 2, 2], 4.0),
        ([-5, -3, 2, 2], 4.0),
    ]
    back = labelkit.load(tmp_path / "out")
    assert [o.bbox for o in back.objects()] == [(-5.0, -3.0, 2.0, 2.0), (70.0, 50.0, 2.0, 2.0), (-5.0, -3.0, 2.0, 2.0)]


def test_a_polygon_with_holes_on_an_image_of_unknown_size_keeps_its_outer_ring(tmp_path: Path) -> None:
    """Holes become an RLE mask of the image's size, which an image of unknown size has not: the outer ring is
    written as a polygon, the hole reported lost (not an OutputError from the writer)."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg")))
    outer, hole = [0.0, 0.0, 8.0, 0.0, 8.0, 8.0, 0.0, 8.0], [2.0, 2.0, 4.0, 2.0, 4.0, 4.0]
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[outer, hole], polygon_holes=[False, True]))
    planned = [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost]
    assert planned == [("polygons' holes on images of unknown size", 1)]
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == planned
    doc = _load(tmp_path / "out" / "annotations" / "instances_default.json")
    assert [a["segmentation"] for a in doc["annotations"]] == [[[0, 0, 8, 0, 8, 8, 0, 8]]]


def test_two_files_giving_an_image_0_by_0_and_a_size_are_refused(tmp_path: Path) -> None:
    """A size read as unknown (null) beside the same image's size in another file of its split was taken as
    agreeing with it (nulls compare as unknown): the files could not both be written back as read."""
    (tmp_path / "annotations").mkdir()
    sized = {"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 3}], "categories": []}
    unsized = {"images": [{"id": 1, "file_name": "a.jpg", "width": 0, "height": 0}]}
    (tmp_path / "annotations" / "instances_val.json").write_text(json.dumps(sized))
    (tmp_path / "annotations" / "image_info_val.json").write_text(json.dumps(unsized))
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert "differs from the one" in str(err.value)
    assert err.value.location.pointer == "/images/0"
    assert "4 x 3" in str(err.value) and "0 x 0" in str(err.value)


def test_a_box_reaching_below_0_on_an_image_of_unknown_size_is_written_as_it_is(tmp_path: Path) -> None:
    """A rotated box on an image of unknown size (written 0 x 0) reached below 0: clipping it to a NaN size made
    NaN coordinates and the write failed ('COCO JSON cannot hold NaN'); then it was clipped at 0 (reported as
    transformed, 'boxes reaching outside their image'), where COCO's reader reads a box on such an image as it is:
    nothing clips it."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg"), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(0.0, 0.0, 5.0, 0.0), angle=-30.0))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=(-5.0, -3.0, 2.0, 2.0)))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").transformed] == [
        ("images of unknown size", 1),
        ("rotated boxes", 1),
        ("boxes", 1),
    ]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("images of unknown size", 1),
        ("rotated boxes", 1),
        ("boxes", 1),
    ]
    doc = _load(tmp_path / "out/annotations/instances_train.json")
    assert [[round(v, 6) for v in a["bbox"]] for a in doc["annotations"]] == [
        [0.334936, -1.25, 4.330127, 2.5],
        [-5, -3, 2, 2],
    ]
    assert doc["annotations"][1]["segmentation"] == [[-5, -3, -3, -3, -3, -1, -5, -1]]
    back = [o.bbox for o in labelkit.load(tmp_path / "out").objects()]
    assert [round(v, 6) for v in back[0]] == [0.334936, -1.25, 4.330127, 2.5]
    assert back[1] == (-5.0, -3.0, 2.0, 2.0)


def test_a_shape_left_of_or_above_0_on_an_image_of_unknown_size_keeps_its_area(tmp_path: Path) -> None:
    """Its box was written as it is, but its area was measured as if clipped to the image: x < 0 counted as outside
    whatever the size, and clipping to NaN sides left nothing. A polygon at ``[-5, -3 ... -5, -1]`` was written
    with bbox ``[-5, -3, 2, 2]`` and area 0.0; a rotated 4 x 2 box at negative coordinates with area 0.0, the
    same box at positive ones with 8.0."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg"), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[[-5.0, -3.0, -3.0, -3.0, -3.0, -1.0, -5.0, -1.0]]))
    ds.add(Object(id="2", item_id="1", category_id=1, polygon=[[-1.0, 1.0, 1.0, 1.0, 1.0, 3.0, -1.0, 3.0]]))
    ds.add(Object(id="3", item_id="1", category_id=1, bbox=(-9.0, -9.0, 4.0, 2.0), angle=-30.0))
    ds.add(Object(id="4", item_id="1", category_id=1, bbox=(2.0, 2.0, 4.0, 2.0), angle=-30.0))
    labelkit.save(ds, tmp_path / "out", "coco")
    doc = _load(tmp_path / "out/annotations/instances_train.json")
    assert [(a["bbox"][:2], round(a["area"], 9)) for a in doc["annotations"][:2]] == [([-5, -3], 4.0), ([-1, 1], 4.0)]
    assert [round(a["area"], 9) for a in doc["annotations"][2:]] == [8.0, 8.0]
    assert doc["annotations"][2]["bbox"][0] < 0
    assert clipped_ring([-2.0, 0.0, 2.0, 0.0, 2.0, 4.0], float("nan"), 3.0) == [1.0, 3.0, -2.0, 0.0, 2.0, 0.0, 2.0, 3.0]
    assert clipped_ring([-2.0, 0.0, 2.0, 0.0, 2.0, 4.0], float("nan"), float("nan")) == [-2.0, 0.0, 2.0, 0.0, 2.0, 4.0]


def test_holes_of_a_polygon_beside_a_mask_on_an_image_of_unknown_size_are_not_counted_twice(tmp_path: Path) -> None:
    """The polygon beside a mask is lost whole (the mask is written); its holes were counted lost again."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg"), split="train"))
    square, hole = [0.0, 0.0, 4.0, 0.0, 4.0, 4.0, 0.0, 4.0], [1.0, 1.0, 2.0, 1.0, 2.0, 2.0]
    ds.add(
        Object(
            id="1",
            item_id="1",
            category_id=1,
            polygon=[square, hole],
            polygon_holes=[False, True],
            mask=labelkit.model.Rle(size=(1, 1), counts=[0, 1]),
        )
    )
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons of objects with a mask", 1)]


def test_a_coco_file_that_is_a_link_to_no_file_is_named_when_the_format_is_detected(tmp_path: Path) -> None:
    """A link to no file (a DVC or git-annex checkout whose cache lacks it) sorted first among the annotation
    files made detection give up on the folder: 'no format recognises this input', naming no file."""
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    shutil.copy(FIXTURE / "annotations/instances_val.json", root / "annotations")
    (root / "annotations/instances_test.json").symlink_to(tmp_path / "annex/objects/gone")
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert str(err.value) == f"{root / 'annotations/instances_test.json'}: cannot read: No such file or directory"


@pytest.mark.parametrize(
    ("section", "index", "place"),
    [
        ("images", 1, ("id",)),
        ("images", 1, ("width",)),
        ("annotations", 0, ("id",)),
        ("annotations", 0, ("image_id",)),
        ("annotations", 1, ("category_id",)),
        ("categories", 1, ("id",)),
        ("categories", 1, ("skeleton", 0, 1)),
    ],
)
def test_the_schema_alone_refuses_the_integers_beyond_int64_that_reading_refuses(
    tmp_path: Path, section: str, index: int, place: tuple[Any, ...]
) -> None:
    """The schema took any integer for an id, a size, an RLE's size and counts or a skeleton index, which
    reading refuses past int64: a file CI checked with the schema alone (the jsonschema CLI, another language's
    validator) passed, then labelkit refused it. An annotation whose shape (see coco_schema._kind) another one
    had was not checked again, so the schema would have passed the second of two alike."""
    import jsonschema

    schema = _load(Path(__file__).resolve().parents[1] / "schemas" / "coco.schema.json")
    doc = _load(INSTANCES)
    node = doc[section][index]
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = 2**63
    pointer = "/".join(map(str, (section, index, *place)))
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(doc))
    assert error is not None and list(error.absolute_path) == [section, index, *place]
    assert error.message == "9223372036854775808 is greater than the maximum of 9223372036854775807"
    path = _write(tmp_path, doc)
    findings = labelkit.validate(path)
    # (an id, width or height in convert's words, as convert says it: see the test of ids of null and 2**70)
    said = f"{place[-1]} does not fit in 64 bits" if place[-1] in ("id", "image_id", "category_id", "width") else None
    assert [(f.where, f.message) for f in findings] == [(f"#/{pointer}", said or error.message)]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert err.value.location.pointer == f"/{pointer}"
    assert said is None or err.value.message == said
    node[place[-1]] = 2**63 - 1  # the largest int64: every verdict takes it, semantics aside
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(doc)) == []


def test_the_schema_alone_checks_an_rle_and_a_detections_id_as_reading_does(tmp_path: Path) -> None:
    """An RLE's size and counts are int64 as read; a detection's ``id`` (which pycocotools' loadRes replaces)
    may be null or an int64 and nothing else, where the schema left it free."""
    import jsonschema

    schema = _load(Path(__file__).resolve().parents[1] / "schemas" / "coco.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}], "categories": [{"id": 1, "name": "a"}]}
    rles = (({"size": [2**63, 4], "counts": [16]}, "size/0"), ({"size": [4, 4], "counts": [2**63]}, "counts/0"))
    for rle, pointer in rles:
        doc["annotations"] = [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": rle}]
        path = _write(tmp_path, doc)
        assert [f.where for f in labelkit.validate(path)] == [f"#/annotations/0/segmentation/{pointer}"]
        assert len(list(validator.iter_errors(doc))) == 1
        with pytest.raises(InputError):
            labelkit.load(path)
    # the second of two annotations alike but for an id past int64 is checked too (its shape differs)
    alike = {"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}
    doc["annotations"] = [{"id": 1, **alike}, {"id": 2**63, **alike}]
    findings = labelkit.validate(_write(tmp_path, doc))
    assert [(f.where, f.message) for f in findings] == [("#/annotations/1/id", "id does not fit in 64 bits")]
    detection = {"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}
    for value, good in ((None, True), (3, True), ("x", False), (1.5, False), (2**63, False)):
        results = [{**detection, "id": value}]
        path = _write(tmp_path, results, "results_val.json")
        assert (list(validator.iter_errors(results)) == []) is good
        assert [f.where for f in labelkit.validate(path)] == ([] if good else ["#/0/id"])
        if good:
            labelkit.load(path)
        else:
            with pytest.raises(InputError):
                labelkit.load(path)
    (finding,) = labelkit.validate(_write(tmp_path, [{**detection, "id": "x"}], "results_val.json"))
    assert finding.message == "id must be an integer (found 'x')"  # (as a conversion says it)


@pytest.mark.parametrize(
    ("field", "first", "second", "message"),
    [
        ("iscrowd", 0.0, 0.5, "0.5 is not one of [0, 1]"),
        ("iscrowd", 1.0, 3.0, "3.0 is not one of [0, 1]"),
        ("num_keypoints", 0.0, 0.5, "0.5 is not of type 'integer'"),
    ],
)
def test_validate_lists_each_annotation_the_schema_rejects_after_one_alike_it_takes(
    tmp_path: Path, field: str, first: float, second: float, message: str
) -> None:
    """validate checks one annotation of each shape against the schema; a float counted as a float whatever its
    value, so after ``"iscrowd": 0.0`` (which the schema takes: JSON Schema's 0.0 is 0) an ``"iscrowd": 0.5`` was
    not checked: no finding, where the other order gave one (README: validate lists each)."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "a", "keypoints": ["x"]}],
    }
    for order, at in (((first, second), 1), ((second, first), 0)):
        doc["annotations"] = [
            {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], field: value}
            for i, value in enumerate(order)
        ]
        findings = labelkit.validate(_write(tmp_path, doc))
        assert [(f.where, f.message) for f in findings] == [(f"#/annotations/{at}/{field}", message)]


def test_validate_names_each_annotation_of_a_shape_the_schema_rejects_in_document_order(tmp_path: Path) -> None:
    """A Label Studio export whose every annotation says ``"iscrowd": "false"`` got one finding, at the first:
    annotations of one shape were checked once, passing or not (README: validate lists each); and findings were
    sorted as text, ``/annotations/10`` before ``/annotations/2``."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "a"}],
        "annotations": [
            {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "iscrowd": "false"} for i in range(12)
        ],
    }
    doc["annotations"][3]["area"] = -1
    findings = labelkit.validate(_write(tmp_path, doc))
    expected = [(f"#/annotations/{i}/iscrowd", "'false' is not one of [0, 1]") for i in range(12)]
    expected.insert(3, ("#/annotations/3/area", "-1 is less than the minimum of 0"))
    assert [(f.where, f.message) for f in findings] == expected
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "instances_val.json")])
    assert result.exit_code == 1 and len(result.output.splitlines()) == 13


def test_the_file_list_of_many_categories_keeps_no_buffer_per_category(tmp_path: Path) -> None:
    """dataset_info kept each category's sorted JSON as orjson bytes, each holding a 4 KiB buffer (orjson 3.13):
    100,000 categories took 0.4 GB more to read. As text: a few MB; a file's own values are found as before."""
    import tracemalloc

    from labelkit.formats.coco_categories import merge_categories
    from labelkit.formats.coco_records import dataset_info

    categories = [{"id": i, "name": f"c{i}", "supercategory": "s"} for i in range(1, 20_001)]
    folder = tmp_path / "annotations"
    folder.mkdir()
    for split, changed in (("train", {}), ("val", {7: "other"})):
        cats = [{**c, "supercategory": changed.get(c["id"], "s")} for c in categories]
        image = {"id": 1, "file_name": f"{split}.jpg", "width": 10, "height": 10}
        (folder / f"instances_{split}.json").write_text(
            json.dumps({"images": [image], "annotations": [], "categories": cats})
        )
    files = coco.decode_all(tmp_path)
    merged = merge_categories(files)
    tracemalloc.start()
    try:
        info = dataset_info(files, 0, merged)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40_000_000  # (was about 90 MB)
    specs = info.extras["coco:files"]
    assert [(s["split"], s.get("category_values")) for s in specs] == [
        ("train", None),
        ("val", {"7": {"supercategory": "other"}}),
    ]


_REPEATED = (
    "key {!r} repeated in one object: readers keep one value (labelkit, as Python's json and pycocotools, the last)"
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            '{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "bbox": [5, 6, 7, 8]}',
            ["/annotations/1/bbox"],
        ),
        (
            '{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1,2,3,4], "attributes": {"a": 1, "a": 2}}',
            ["/annotations/1/attributes/a"],
        ),
        (
            '{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1,2,3,4], "x": 1, "x": 2, "x": 3}',
            ["/annotations/1/x", "/annotations/1/x"],
        ),
        # Jackson's spacing, and a string holding \": where no key repeats
        (
            '{"id" : 1, "image_id" : 1, "category_id" : 1, "bbox" : [1,2,3,4], "bbox" : [1,2,3,4]}',
            ["/annotations/1/bbox"],
        ),
        ('{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1,2,3,4], "note": "say \\":\\" : x"}', []),
    ],
)
def test_validate_reports_each_key_an_annotation_repeats_at_its_pointer(
    tmp_path: Path, text: str, found: list[str]
) -> None:
    """Two ``"bbox"`` keys in one annotation passed as clean (JSON Schema sees one: the parser kept the last)."""
    head = '{"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]'
    head += ', "categories": [{"id": 1, "name": "c"}]'
    first = '{"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}'
    path = tmp_path / "instances_val.json"
    path.write_text(f'{head}, "annotations": [{first}, {text}]}}')
    findings = labelkit.validate(path)
    assert [(f.where, f.message) for f in findings] == [("#" + at, _REPEATED.format(at.split("/")[-1])) for at in found]


def test_validate_reports_repeated_keys_anywhere_and_convert_keeps_the_last(tmp_path: Path) -> None:
    """An image's two ``id`` keys, a category's, ``info``'s, a detection's and the top level's two ``annotations``
    passed as clean, and convert kept the last value of each without a word (README: convert still does, as
    every JSON reader does; validate names each repeat)."""
    text = (
        '{"info": {"v": 1, "v": 2}, "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10, "id": 2}],'
        ' "categories": [{"id": 1, "name": "c", "name": "d"}],'
        ' "annotations": [{"id": 1, "image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4]}], "annotations": []}'
    )
    path = tmp_path / "instances_val.json"
    path.write_text(text)
    findings = labelkit.validate(path)
    expected = ["/info/v", "/categories/0/name", "/images/0/id", "/annotations"]  # (in the order reading meets them)
    assert [(f.path, f.where, f.message) for f in findings] == [
        (str(path), "#" + at, _REPEATED.format(at.split("/")[-1])) for at in expected
    ]
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1 and result.output.splitlines()[0] == f"{path}#/info/v: {_REPEATED.format('v')}"
    labelkit.convert(path, tmp_path / "out", to="coco")
    written = json.loads((tmp_path / "out" / "annotations" / "instances_val.json").read_text())
    assert written == {
        "info": {"v": 2},
        "images": [{"id": 2, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [],
        "categories": [{"id": 1, "name": "d"}],
    }
    results = tmp_path / "r" / "results_val.json"
    results.parent.mkdir()
    results.write_text('[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5, "score": 0.7}]')
    assert [(f.where, f.message) for f in labelkit.validate(results)] == [("#/0/score", _REPEATED.format("score"))]
    assert labelkit.validate(FIXTURE) == []


@pytest.mark.parametrize(
    "pointer",
    [
        "/images/0/width",
        "/images/0/height",
        "/images/0/id",
        "/categories/0/id",
        "/annotations/0/id",
        "/annotations/0/image_id",
        "/annotations/0/category_id",
        "/annotations/0/segmentation/size/0",
        "/annotations/0/segmentation/counts/0",
    ],
)
def test_a_whole_float_where_coco_holds_an_integer_is_refused_by_validate_and_convert_alike(
    tmp_path: Path, pointer: str
) -> None:
    """JSON Schema's ``integer`` takes ``640.0``: validate and convert must agree on such a file (the reader refuses
    it; the finding is at the pointer convert's error names, not a clean bill)."""
    doc: dict[str, Any] = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 3}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [3, 4], "counts": [12]}, "iscrowd": 1}
        ],
    }
    parts = pointer.strip("/").split("/")
    holder: Any = doc
    for part in parts[:-1]:
        holder = holder[int(part) if part.isdigit() else part]
    last: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    holder[last] = float(holder[last])
    src = _write(tmp_path, doc)
    findings = labelkit.validate(src)
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert [f.where for f in findings] == ["#" + pointer]
    assert err.value.location.pointer == pointer
    assert not (tmp_path / "out").exists()


def test_a_whole_float_where_coco_carries_a_value_as_read_passes_both_and_comes_back_as_written(tmp_path: Path) -> None:
    """``"iscrowd": 0.0``, ``"num_keypoints": 0.0`` and a skeleton index ``1.0`` fit the schema and the reader (it
    carries them as read): validate finds nothing, and COCO -> COCO gives back the same numbers, ``0.0`` included."""
    text = (
        '{"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 3}],'
        ' "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "iscrowd": 0.0,'
        ' "num_keypoints": 0.0, "keypoints": [0, 0, 0, 0, 0, 0]}],'
        ' "categories": [{"id": 1, "name": "p", "keypoints": ["a", "b"], "skeleton": [[1.0, 2]]}]}'
    )
    src = tmp_path / "person_keypoints_val.json"
    src.write_text(text)
    assert labelkit.validate(src) == []
    labelkit.convert(src, tmp_path / "out", to="coco")
    written = (tmp_path / "out" / "annotations" / "person_keypoints_val.json").read_text()
    assert json.loads(written) == json.loads(text)
    assert '"iscrowd":0.0' in written and '"num_keypoints":0.0' in written and '"skeleton":[[1.0,2]]' in written


def test_a_new_split_keeps_keypoints_in_a_keypoints_file_as_the_input_had_them(tmp_path: Path) -> None:
    """A dataset read from ``instances_train.json`` and ``person_keypoints_train.json`` and split anew wrote the
    keypoints of its new splits inline in ``instances_<new>.json``; one read from keypoints files alone wrote
    ``instances_<new>.json`` files. A new split now follows the layout read: a keypoints file beside the instances
    file, listing the keypoints files' categories and holding the posed objects (and the keypoints file's own,
    never in the instances file), or a keypoints file alone."""
    person = {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    dog = {"id": 2, "name": "dog"}
    images = [_img(i) for i in range(1, 5)]
    box = {"bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
    instances = [_ann(1, 1, 1), _ann(2, 2, 1), _ann(3, 3, 1), _ann(4, 4, 2)]
    posed = [{**a, "keypoints": [1, 1, 2, 2, 2, 2], "num_keypoints": 2} for a in instances[:3]]
    posed.append({"id": 9, "image_id": 4, "category_id": 1, **box, "keypoints": [3, 3, 2, 0, 0, 0], "num_keypoints": 1})
    root = tmp_path / "in" / "annotations"
    root.mkdir(parents=True)
    (root / "instances_train.json").write_text(
        json.dumps({"images": images, "annotations": instances, "categories": [person, dog]})
    )
    (root / "person_keypoints_train.json").write_text(
        json.dumps({"images": images, "annotations": posed, "categories": [person]})
    )
    for source, tasks in (
        (tmp_path / "in", ["instances", "person_keypoints"]),
        (root / "person_keypoints_train.json", ["person_keypoints"]),
    ):
        ds = labelkit.load(source)
        items = ds.table("items")
        splits = {"1": "train", "2": "val", "3": "test", "4": "test"}
        column = pa.array([splits[i] for i in items["id"].to_pylist()])
        ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", column))
        out = tmp_path / f"out-{len(tasks)}"
        labelkit.save(ds, out, "coco")
        names = sorted(p.name for p in (out / "annotations").iterdir())
        assert names == sorted(f"{t}_{s}.json" for t in tasks for s in ("test", "train", "val"))
        written = {n: _load(out / "annotations" / n) for n in names}

        def shown(doc: Any) -> list[tuple[int, int, list[int] | None]]:
            return [(a["id"], a["category_id"], a.get("keypoints")) for a in doc["annotations"]]

        assert shown(written["person_keypoints_val.json"]) == [(2, 1, [1, 1, 2, 2, 2, 2])]
        assert [c["id"] for c in written["person_keypoints_test.json"]["categories"]] == [1]
        if len(tasks) == 2:
            assert shown(written["person_keypoints_test.json"]) == [
                (3, 1, [1, 1, 2, 2, 2, 2]),
                (9, 1, [3, 3, 2, 0, 0, 0]),
            ]
            assert shown(written["instances_test.json"]) == [(3, 1, None), (4, 2, None)]
            assert shown(written["instances_val.json"]) == [(2, 1, None)]
            assert [c["id"] for c in written["instances_test.json"]["categories"]] == [1, 2]
        else:
            assert shown(written["person_keypoints_test.json"]) == [
                (3, 1, [1, 1, 2, 2, 2, 2]),
                (9, 1, [3, 3, 2, 0, 0, 0]),
            ]
        back = labelkit.load(out)
        assert sorted(back.table("objects").select(["id", "keypoints"]).to_pylist(), key=str) == sorted(
            ds.table("objects").select(["id", "keypoints"]).to_pylist(), key=str
        )


@pytest.mark.parametrize("split", ["x", "val"])
def test_an_object_beside_a_keypoints_file_never_takes_the_id_of_a_keypoints_object_of_its_image(
    tmp_path: Path, split: str
) -> None:
    """Read from ``person_keypoints_train.json`` alone, a person box added in code went to an instances file
    numbered 1, as the keypoints file's person 1 of the same image: read back, they were one object (7 written,
    6 read). The keypoints file's one is numbered after the largest (reported), in the split read (``x``) as in
    a new one (``val``, which now gets a keypoints file too: the box, in the instances file, has no keypoints, and
    the report no longer says it was written with unlabelled points)."""
    person = {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    images = [_img(i) for i in range(1, 4)]
    posed = [{**_ann(i, i, 1), "keypoints": [1, 1, 2, 2, 2, 2], "num_keypoints": 2} for i in range(1, 4)]
    src = _write(tmp_path, {"images": images, "annotations": posed, "categories": [person]}, "person_keypoints_x.json")
    ds = labelkit.load(src)
    ds.add(Object(id="box", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    items = ds.table("items")
    column = pa.array(["x" if i != "1" else split for i in items["id"].to_pylist()])
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", column))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [
        ("boxes", 1),
        ("annotation ids", 1),
        ("annotation ids", 1),
    ]
    boxes = _load(tmp_path / "out" / "annotations" / f"instances_{split}.json")["annotations"]
    assert [(a["id"], a["image_id"], "keypoints" in a) for a in boxes] == [(1, 1, False)]
    kept = _load(tmp_path / "out" / "annotations" / f"person_keypoints_{split}.json")["annotations"]
    assert [(a["id"], a["image_id"]) for a in kept if a["image_id"] == 1] == [(4 if split == "x" else 2, 1)]
    assert (
        labelkit.load(tmp_path / "out").report_counts()
        == ds.report_counts()
        == {
            "items": 3,
            "object annotations": 4,
        }
    )


def test_info_and_licenses_numbers_are_written_as_the_file_spelled_them(tmp_path: Path) -> None:
    """COCO -> COCO wrote info and licenses from their values: "version": 1.10 came back 1.1, 1E5 as 100000.0
    (the same floats, other numbers to a reader comparing text). Written as read, whitespace taken out, in
    convert and in load and save; a value changed since is formatted, and a copy of the dataset is too."""
    src = tmp_path / "src/annotations"
    src.mkdir(parents=True)
    info = '{\n  "year": 2017.0,\n  "version": 1.10, "big": 1e2, "text": "a \\" b  c",\n  "n": [ 1E5, -0.0 ]\n}'
    licenses = '[ {"id": 1.0, "v": 2.50} ]'
    body = '"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}], "annotations": [], "categories": []'
    (src / "instances_val.json").write_text(f'{{"info": {info}, "licenses": {licenses}, {body}}}')
    (src / "captions_val.json").write_text(f'{{"info": {{"version": 2.50}}, {body}}}')
    labelkit.convert(tmp_path / "src", tmp_path / "out", to="coco")
    head = '{"info":{"year":2017.0,"version":1.10,"big":1e2,"text":"a \\" b  c","n":[1E5,-0.0]},'
    head += '"licenses":[{"id":1.0,"v":2.50}],'
    assert (tmp_path / "out/annotations/instances_val.json").read_text().startswith(head)
    assert (tmp_path / "out/annotations/captions_val.json").read_text().startswith('{"info":{"version":2.50},')
    ds = labelkit.load(tmp_path / "src")
    labelkit.save(ds, tmp_path / "saved", "coco")
    assert (tmp_path / "saved/annotations/instances_val.json").read_text().startswith(head)
    ds.info.extras["coco:info"]["version"] = 1.2
    labelkit.save(ds, tmp_path / "edited", "coco")
    edited = (tmp_path / "edited/annotations/instances_val.json").read_text()
    assert edited.startswith(
        '{"info":{"year":2017.0,"version":1.2,"big":100.0,"text":"a \\" b  c","n":[100000.0,-0.0]},'
    )
    assert '"licenses":[{"id":1.0,"v":2.50}]' in edited
    labelkit.save(ds.copy(), tmp_path / "copied", "coco")
    assert '"licenses":[{"id":1.0,"v":2.5}]' in (tmp_path / "copied/annotations/instances_val.json").read_text()
    # a file of no split (its name says none), written as the default split, kept no spelling
    (tmp_path / "t.json").write_text(f'{{"info": {info}, "licenses": {licenses}, {body}}}')
    labelkit.convert(tmp_path / "t.json", tmp_path / "bare", to="coco")
    assert (tmp_path / "bare/annotations/image_info_default.json").read_text().startswith(head)  # (no annotations)


def test_a_number_too_small_for_a_float_is_read_as_the_nearest_float_without_a_note(tmp_path: Path) -> None:
    """1e-400 is below the smallest float64 above 0: read as 0 (-1e-400 as -0), as JSON parsers read it, with no
    note or finding (no coordinate tells them apart); COCO -> COCO writes the box and polygon as spelled."""
    ann = {"id": 1, "image_id": 1, "category_id": 1, "area": 1, "iscrowd": 0, "num_keypoints": 1}
    text = (
        '{"images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}], "annotations": [{'
        + json.dumps(ann)[1:-1]
        + ', "bbox": [1e-400, 1, 2, 2], "segmentation": [[1e-400, 1, 2, 1, 2, -1e-400]], "keypoints": [1e-400, 1, 2]}],'
        ' "categories": [{"id": 1, "name": "p", "keypoints": ["a"], "skeleton": []}]}'
    )
    src = tmp_path / "person_keypoints_val.json"
    src.write_text(text)
    ds = labelkit.load(src)
    [o] = ds.objects()
    assert (o.bbox, o.polygon, o.keypoints, ds.read_notes) == (
        (0.0, 1.0, 2.0, 2.0),
        [[0.0, 1.0, 2.0, 1.0, 2.0, -0.0]],
        [0.0, 1.0, 2.0],
        [],
    )
    assert str(o.polygon[0][5]) == "-0.0"
    assert labelkit.validate(src) == []
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert (report.lost, report.transformed) == ([], [])
    [written] = _load(tmp_path / "out/annotations/person_keypoints_val.json")["annotations"]
    assert (written["bbox"], written["segmentation"]) == ([0.0, 1, 2, 2], [[0.0, 1, 2, 1, 2, -0.0]])
    assert '"bbox":[1e-400,1,2,2]' in (tmp_path / "out/annotations/person_keypoints_val.json").read_text()


@pytest.mark.parametrize("key", ["id", "image_id", "category_id"])
@pytest.mark.parametrize(("value", "found"), [(3.0, "3.0"), (3.5, "3.5"), ("3", "'3'"), (True, "true")])
@pytest.mark.parametrize("extra", [False, True])
def test_an_annotation_id_that_is_no_integer_is_named_with_its_value(
    tmp_path: Path, key: str, value: Any, found: str, extra: bool
) -> None:
    """``"id": 3.0`` in an annotation was refused in msgspec's words (``Expected `int | null`, got `float```),
    without the value, where an image's id says ``id must be an integer (found 1.0)``; so were its image_id and
    category_id. A file with another annotation field takes the other decode: the same words."""
    ann: dict[str, Any] = {"id": 5, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}
    ok = dict(ann, id=4) | ({"note": "x"} if extra else {})
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 3}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [ok, dict(ann, **{key: value})],
    }
    src = _write(tmp_path, doc)
    message = f"{src}#/annotations/1/{key}: {key} must be an integer (found {found})"
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (str(err.value), err.value.location.pointer) == (message, f"/annotations/1/{key}")
    assert not (tmp_path / "out").exists()
    if value == 3.0:  # (JSON Schema's integer takes 3.0: the reader's error is validate's finding)
        assert [str(f) for f in labelkit.validate(src)] == [message]


@pytest.mark.parametrize("bbox", [[-1, 5, 2, 1e-319], [5, -1, 1e-319, 2], [9, 5, 2, 1e-319]])
def test_a_box_of_a_tiny_size_reaching_outside_its_image_comes_back_from_coco_to_coco(
    tmp_path: Path, bbox: list[float]
) -> None:
    """A box reaching outside its image is measured clipped to it: a height of 1e-319 on a top of 5 did not move it
    (5 + 1e-319 is 5), so the box was taken for one of no area inside its image and refused without
    --allow-loss. It is written as read."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 20, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": bbox, "area": 2e-319, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "c"}],
    }
    src = _write(tmp_path, doc)
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == []
    assert json.loads((tmp_path / "out" / "annotations" / "instances_val.json").read_text()) == doc


def test_an_object_id_of_0_from_another_format_is_numbered_after_its_split_s_largest(tmp_path: Path) -> None:
    """pycocotools' COCOeval keeps, for each detection, the id of the ground truth it matched, and takes 0 for
    none: an object written with id 0 (a dataset built in code, numbered from 0) was never matched, and a perfect
    detection of it counted as a false positive (AP 0 for its category). From another format than COCO it gets
    the next number after its split's largest, reported; COCO -> COCO keeps an id of 0 as read."""
    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["k"], skeleton=[])])
    ds.add_item(Item(id="t", split="train", media=Media(path="t.jpg", width=10, height=10)))
    ds.add_item(Item(id="v", split="val", media=Media(path="v.jpg", width=10, height=10)))
    ds.add(Object(id="0", item_id="t", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    ds.add(Object(id="1", item_id="t", category_id=1, bbox=(3.0, 3.0, 2.0, 2.0)))
    ds.add(Object(id="val/0", item_id="v", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), keypoints=[2.0, 2.0, 2.0]))
    ds.add(Object(id="x", item_id="v", category_id=1, bbox=(3.0, 3.0, 2.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "o", "coco")
    assert [(c.what, c.count, c.reason) for c in report.transformed if c.what == "annotation ids"] == [
        (
            "annotation ids",
            1,
            "COCO's ids are integers: an id without a number was numbered after the largest of its split",
        ),
        (
            "annotation ids",
            2,
            "pycocotools' COCOeval takes a ground-truth id of 0 for no match (a detection of it counts as false):"
            " numbered after the largest of its split",
        ),
    ]
    train = _load(tmp_path / "o/annotations/instances_train.json")
    assert [(a["id"], a["bbox"]) for a in train["annotations"]] == [(2, [1, 1, 2, 2]), (1, [3, 3, 2, 2])]
    val = _load(tmp_path / "o/annotations/instances_val.json")
    assert [(a["id"], a["bbox"]) for a in val["annotations"]] == [(2, [1, 1, 2, 2]), (1, [3, 3, 2, 2])]
    # COCO -> COCO: the id of 0 read is written back
    src = _write(tmp_path, {**train, "annotations": [{**train["annotations"][0], "id": 0}]})
    labelkit.convert(src, tmp_path / "back", to="coco")
    assert [a["id"] for a in _load(tmp_path / "back/annotations/instances_val.json")["annotations"]] == [0]


def test_validate_says_an_id_that_is_no_integer_as_convert_does(tmp_path: Path) -> None:
    """``"id": 3.5`` was ``3.5 is not of type 'integer'`` in validate (jsonschema's words) and ``id must be an
    integer (found 3.5)`` in convert: validate now uses convert's, for each of the fields convert says so of."""
    base = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "a"}],
    }
    for section, key, value in [
        ("annotations", "id", 3.5),
        ("annotations", "id", "x"),
        ("annotations", "image_id", "1"),
        ("annotations", "category_id", [1]),
        ("annotations", "id", True),
        ("images", "id", 1.5),
        ("images", "width", "10"),
        ("images", "height", 1.5),
        ("categories", "id", "c"),
    ]:
        doc = json.loads(json.dumps(base))
        doc[section][0][key] = value
        path = _write(tmp_path, doc)
        (finding,) = labelkit.validate(path)
        with pytest.raises(InputError) as err:
            labelkit.load(path)
        said = "true" if value is True else repr(value)  # (JSON's word, as null's)
        assert (finding.where, finding.message) == (
            f"#/{section}/0/{key}",
            f"{key} must be an integer (found {said})",
        )
        assert (err.value.location.pointer, err.value.message, err.value.found) == (
            f"/{section}/0/{key}",
            f"{key} must be an integer",
            said,
        )
    doc = json.loads(json.dumps(base))
    doc["annotations"][0]["num_keypoints"] = 1.5  # (not an id: carried by a conversion, in the schema's words here)
    assert [f.message for f in labelkit.validate(_write(tmp_path, doc))] == ["1.5 is not of type 'integer'"]
    doc["annotations"][0]["num_keypoints"], doc["annotations"][0]["id"] = 1, None  # (in JSON's word, as convert)
    assert [f.message for f in labelkit.validate(_write(tmp_path, doc))] == ["id must be an integer (found null)"]


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("images", "id"),
        ("annotations", "id"),
        ("annotations", "image_id"),
        ("annotations", "category_id"),
        ("categories", "id"),
        ("images", "height"),
    ],
)
def test_validate_and_convert_say_an_id_of_null_or_beyond_64_bits_alike(tmp_path: Path, section: str, key: str) -> None:
    """A null id was ``None is not of type 'integer'`` in validate (Python's None, jsonschema's words), and in
    convert ``missing required field 'id'`` (an annotation's: present, though) or ``id must be an integer (found
    None)``; 2**70 was ``1.1805916207174113e+21 is greater than the maximum of 9223372036854775807`` in validate
    and, in convert, ``Expected `int` <= 9223372036854775807`` (an annotation's), ``Input should be less than or
    equal to 9223372036854775807`` (a category's) or ``id does not fit in 64 bits`` (an image's). Both now say
    the same at the same pointer; 1.5 and "7" they said alike already. An absent annotation field is missing."""
    base = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "a"}],
    }
    for value, message, found in [
        (None, f"{key} must be an integer", "null"),
        (2**70, f"{key} does not fit in 64 bits", None),
        (-(2**70), f"{key} does not fit in 64 bits", None),
        (1.5, f"{key} must be an integer", "1.5"),
        ("7", f"{key} must be an integer", "'7'"),
    ]:
        doc = json.loads(json.dumps(base))
        doc[section][0][key] = value
        path = _write(tmp_path, doc)
        finding = labelkit.validate(path)[0]  # (a height of -2**70 is also below 0: validate lists both)
        with pytest.raises(InputError) as err:
            labelkit.load(path)
        said = message + (f" (found {found})" if found else "")
        assert (finding.where, finding.message) == (f"#/{section}/0/{key}", said)
        assert (err.value.location.pointer, err.value.message, err.value.found) == (
            f"/{section}/0/{key}",
            message,
            found,
        )
        assert str(err.value) == f"{path}#/{section}/0/{key}: {said}"
    if section == "annotations":
        doc = json.loads(json.dumps(base))
        del doc[section][0][key]
        with pytest.raises(InputError) as err:
            labelkit.load(_write(tmp_path, doc))
        assert (err.value.location.pointer, err.value.message) == (
            f"/annotations/0/{key}",
            f"missing required field {key!r}" + (" or 'caption'" if key == "category_id" else ""),
        )


@pytest.mark.parametrize(
    ("section", "key", "said"),
    [
        ("images", "id", "missing required field 'id'"),
        ("images", "file_name", "missing required field 'file_name' or 'coco_url'"),
        ("images", "width", "missing required field 'width'"),
        ("images", "height", "missing required field 'height'"),
        ("annotations", "id", "missing required field 'id'"),
        ("annotations", "image_id", "missing required field 'image_id'"),
        ("annotations", "category_id", "missing required field 'category_id' or 'caption'"),
        ("categories", "id", "missing required field 'id'"),
        ("categories", "name", "missing required field 'name'"),
        ("results", "image_id", "missing required field 'image_id'"),
        ("results", "category_id", "missing required field 'category_id'"),
        ("results", "score", "missing required field 'score'"),
    ],
)
def test_validate_and_convert_say_a_missing_required_field_alike(
    tmp_path: Path, section: str, key: str, said: str
) -> None:
    """validate said jsonschema's ``#/annotations/0: 'image_id' is a required property`` (at the record) where
    convert said ``#/annotations/0/image_id: missing required field 'image_id'`` (at the field); a results entry
    without ``image_id`` was ``#/0: Object missing required field `image_id``` in convert (msgspec's words).
    Both now name the field's pointer in convert's words (an annotation's ``category_id`` with the ``caption``
    the schema takes instead)."""
    doc: Any = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "a"}],
    }
    if section == "results":
        doc = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}]
        del doc[0][key]
        path, pointer = _write(tmp_path, doc, "results_val.json"), f"/0/{key}"
    else:
        del doc[section][0][key]
        path, pointer = _write(tmp_path, doc), f"/{section}/0/{key}"
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [("#" + pointer, said)]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert (err.value.location.pointer, err.value.message, err.value.found) == (pointer, said, None)
    validated = CliRunner().invoke(cli, ["validate", str(path)])
    converted = CliRunner().invoke(cli, ["convert", str(path), str(tmp_path / "out"), "--to", "labelkit"])
    assert (validated.exit_code, validated.output) == (1, f"{path}#{pointer}: {said}\n")
    assert (converted.exit_code, converted.output) == (2, f"labelkit: error: {path}#{pointer}: {said}\n")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (3.5, "image_id must be an integer (found 3.5)"),
        ("7", "image_id must be an integer (found '7')"),
        (None, "image_id must be an integer (found null)"),
        (3.0, "image_id must be an integer (found 3.0)"),
        (2**70, "image_id does not fit in 64 bits"),
    ],
)
def test_a_results_image_id_that_is_no_integer_is_said_alike_by_validate_and_convert(
    tmp_path: Path, value: Any, said: str
) -> None:
    """A detection result's ``image_id`` of another type was refused in msgspec's words (``Expected `int`, got
    `float```, without the value; ``Expected `int` <= 9223372036854775807``), where validate, and convert for an
    instance file's annotation or a result's ``category_id``, say ``image_id must be an integer (found 3.5)``."""
    doc = [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 0.5}]
    doc.append(dict(doc[0], image_id=value))
    path = _write(tmp_path, doc, "results_val.json")
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [("#/1/image_id", said)]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == f"{path}#/1/image_id: {said}"


@pytest.mark.parametrize("name", ["captions_val.json", "instances_val.json"])
@pytest.mark.parametrize("chunk", [None, 2])
def test_a_captions_null_category_is_refused_as_validate_finds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, chunk: int | None
) -> None:
    """A caption's ``"category_id": null`` (the schema's category is an integer), which validate finds, was read
    as a caption without a category and written back without the key (exit 0); it is refused now, in validate's
    words, as an object's is. A caption without the key is still read, and a null in its text is no null."""
    if chunk:  # (the file's third annotation, in a chunk of its own)
        monkeypatch.setattr("labelkit.formats.coco_read.ANNOTATION_CHUNK", chunk)
    doc: dict[str, Any] = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 4, "height": 4}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [
            {"id": 1, "image_id": 1, "caption": "null"},
            {"id": 2, "image_id": 1, "caption": "a cat", "category_id": 1},
            {"id": 3, "image_id": 1, "caption": "a dog", "category_id": None},
        ],
    }
    path = _write(tmp_path, doc, name)
    said = "category_id must be an integer (found null)"
    assert [(f.where, f.message) for f in labelkit.validate(path)] == [("#/annotations/2/category_id", said)]
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == f"{path}#/annotations/2/category_id: {said}"
    converted = CliRunner().invoke(cli, ["convert", str(path), str(tmp_path / "out"), "--to", "coco"])
    assert (converted.exit_code, converted.output) == (
        2,
        f"labelkit: error: {path}#/annotations/2/category_id: {said}\n",
    )
    del doc["annotations"][2]["category_id"]
    assert [t.text for t in labelkit.load(_write(tmp_path, doc, name)).transcripts()] == ["null", "a cat", "a dog"]


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [("bbox", None, "null is not of type 'array'"), ("iscrowd", True, "true is not one of [0, 1]")],
)
def test_validate_shows_null_and_booleans_as_json_spells_them(tmp_path: Path, key: str, value: Any, said: str) -> None:
    """jsonschema's messages quote a value in Python's words: ``None is not of type 'array'``, where the file says
    ``null`` (and ``True`` for ``true``), as the errors labelkit writes itself do not."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "a"}],
    }
    doc["annotations"][0][key] = value
    assert [(f.where, f.message) for f in labelkit.validate(_write(tmp_path, doc))] == [
        (f"#/annotations/0/{key}", said)
    ]


def test_a_missing_rle_field_or_images_list_is_said_alike_by_validate_and_convert(tmp_path: Path) -> None:
    """An RLE without ``counts`` was jsonschema's ``'counts' is a required property`` at the segmentation in
    validate, and ``segmentation must be polygons or an RLE {size, counts} (found Object missing required field
    `counts`)`` in convert; a file without ``images`` was ``'images' is a required property`` at ``#`` and ``no
    'images' list``. Both now say what a record's missing field says, at the field; two fields a record lacks are
    two findings, in the order of their names."""
    doc: Any = {
        "images": [{"id": 1, "width": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "segmentation": {"size": [10, 10]}}],
        "categories": [{"id": 1, "name": "a"}],
    }
    assert [(f.where, f.message) for f in labelkit.validate(_write(tmp_path, doc))] == [
        ("#/images/0/file_name", "missing required field 'file_name' or 'coco_url'"),
        ("#/images/0/height", "missing required field 'height'"),
        ("#/annotations/0/segmentation/counts", "missing required field 'counts'"),
    ]
    doc["images"] = [{"id": 1, "width": 10, "height": 10, "file_name": "a.jpg"}]
    for rle, key in (({"size": [10, 10]}, "counts"), ({"counts": "2"}, "size")):
        doc["annotations"][0]["segmentation"] = rle
        path = _write(tmp_path, doc)
        assert [(f.where, f.message) for f in labelkit.validate(path)] == [
            (f"#/annotations/0/segmentation/{key}", f"missing required field {key!r}")
        ]
        with pytest.raises(InputError) as err:
            labelkit.load(path)
        assert (err.value.location.pointer, err.value.message) == (
            f"/annotations/0/segmentation/{key}",
            f"missing required field {key!r}",
        )
    del doc["images"], doc["annotations"][0]["segmentation"]
    assert [(f.where, f.message) for f in labelkit.validate(_write(tmp_path, doc))] == [
        ("#/images", "missing required field 'images'")
    ]


def test_split_to_coco_writes_polygons_as_the_file_spelled_them(tmp_path: Path) -> None:
    """``labelkit split`` of a COCO file into COCO passes each polygon's and box's text through, as ``convert`` does
    (it formatted each again: 38 million numbers at train2017 size)."""
    src = _spelled(tmp_path, "[[2.0, 1e0, 5.50,\n 1, 5.5, 35e-1, 2, 3.5]]", "[2.0,1E0,3.50,0.25e1]")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["split", str(src), str(out), "--ratios", "train=1", "-q"])
    assert result.exit_code == 0, result.output
    written = (out / "annotations" / "instances_train.json").read_text()
    assert '"segmentation":[[2.0,1e0,5.50,1,5.5,35e-1,2,3.5]],"bbox":[2.0,1E0,3.50,0.25e1]' in written


def test_split_to_yolo_detect_leaves_the_polygons_of_boxed_objects_unread(tmp_path: Path) -> None:
    """As ``convert`` does: the target keeps no polygon, so a boxed object's is not parsed, nor refused."""
    src = _spelled(tmp_path, '[[2.0, "x", 5.5, 1, 5, 3]]')
    for command, out in (("convert", "c"), ("split", "s")):
        args = [command, str(src), str(tmp_path / out), "--to", "yolo", "-o", "task=detect", "--allow-loss", "-q"]
        result = CliRunner().invoke(cli, args + (["--ratios", "train=1"] if command == "split" else []))
        assert result.exit_code == 0, (command, result.output)
    assert (tmp_path / "s/labels/train/img/seven.txt").read_text() == "2 0.46875 0.375 0.4375 0.4166666666666667\n"


def test_split_refuses_a_malformed_polygon_of_an_object_without_a_box_as_convert_does(tmp_path: Path) -> None:
    """Into a target without polygons, an object with no box needs its polygon for one: ``split`` parses it, as
    ``convert`` does, and refuses it malformed at its pointer, writing nothing (only boxed objects' are left)."""
    src = _spelled(tmp_path, '[[2.0, "x", 5.5, 1, 5, 3]]')
    doc = _load(src)
    del doc["annotations"][0]["bbox"]
    src.write_text(json.dumps(doc))
    for command in ("convert", "split"):
        out = tmp_path / command
        args = [command, str(src), str(out), "--to", "yolo", "-o", "task=detect", "--allow-loss", "-q"]
        result = CliRunner().invoke(cli, args + (["--ratios", "train=1"] if command == "split" else []))
        assert result.exit_code == 2, (command, result.output)
        assert result.output == (
            f"labelkit: error: {src}#/annotations/0/segmentation/0/1: segmentation must be a list of polygons"
            ' (lists of numbers) (found "x")\n'
        ), command
        assert not out.exists()


def _chunked_dataset(root: Path) -> labelkit.Dataset:
    """Keypoints and instances files of one split, with objects COCO clips, turns, draws and leaves out, the rows
    reversed (the keypoints file's own objects first) and the images in two splits, one in two: no file's rows
    are a run of the table's."""
    ring = {"segmentation": [[1, 1, 11, 1, 11, 11]]}
    pose = {**ring, "keypoints": [5, 5, 2], "num_keypoints": 1}
    images = [_img(i) for i in range(1, 7)]
    instances = [_ann(i, i, 1 if i % 2 == 0 or i == 1 else 2, **ring) for i in range(1, 7)]
    keypoints = [_ann(i, image, 1, **pose) for i, image in ((6, 6), (11, 1), (1, 1), (12, 3), (2, 2), (13, 5), (4, 4))]
    cats = [_PERSON, {"id": 2, "name": "car"}]
    files = {
        "instances_train": {"images": images, "annotations": instances, "categories": cats},
        "person_keypoints_train": {
            "images": images,
            "annotations": [*keypoints, _ann(14, 2, 1, **pose)],
            "categories": [_PERSON],
        },
    }
    ds = labelkit.load(_files(root, files))
    ds.add_item(Item(id="7"))  # (of no size: a polygon's holes on it are dropped, and with them one of holes only)
    ds.add(
        Object(
            id="holes",
            item_id="7",
            category_id=2,
            shape="polygon",
            polygon=[[1.0, 1, 5, 1, 5, 5]],
            polygon_holes=[True],
        ),
        Object(id="car", item_id="7", category_id=2, bbox=(1.0, 1.0, 2.0, 2.0)),
        Object(id="far", item_id="2", category_id=2, shape="polygon", polygon=[[-1000.0, 10, 50, 10, 50, 60]]),
        Object(id="turned", item_id="3", category_id=2, bbox=(10.0, 10.0, 20.0, 10.0), angle=30.0),
        Object(
            id="short", item_id="4", category_id=2, bbox=(1.0, 1.0, 5.0, 5.0), polygon=[[1.0, 1, 5, 1, 5, 5], [2.0, 2]]
        ),
        Object(id="none", item_id="5", category_id=2, shape="polygon", polygon=[[1.0, 1, 2, 2]]),
        Object(id="gone", item_id="1", category_id=2, shape="polygon", polygon=[[-1e3, -1e3, -900, -1e3, -900, -900]]),
        Object(id="spaced", item_id="6", category_id=1, bbox=(20.0, 20.0, 10.0, 10.0), angle=30.0),
        Object(
            id="clipped", item_id="2", category_id=1, bbox=(1.0, 10.0, 9.0, 9.0), polygon=[[-1e3, 10, 10, 10, 10, 19]]
        ),
    )
    objects = ds.table("objects")
    ids = objects["id"].to_pylist()
    extras, angles = objects["extras"].to_pylist(), objects["angle"].to_pylist()
    # turned, its tag is spelled as the keypoints file's own: the file it goes to is told after the turn
    extras[ids.index("spaced")] = extras[ids.index("clipped")] = '{"coco:@task": "person_keypoints"}'
    angles[ids.index("14")] = 10.0  # (a keypoints file's own object, turned)
    objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", pa.array(extras, pa.string()))
    objects = objects.set_column(objects.schema.get_field_index("angle"), "angle", pa.array(angles, pa.float64()))
    ds.set_table("objects", objects.take(pa.array(np.arange(objects.num_rows)[::-1])))
    items = ds.table("items")
    ds.set_table(
        "items",
        items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train", "val"] * 3 + ["test"])),
    )
    return ds


def test_a_files_objects_written_a_chunk_of_rows_at_a_time_are_those_of_the_whole_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each file's objects are picked by row number, then taken and changed (clipped, drawn, turned) a write chunk
    at a time, rather than as one table of them all (a split's copied most of its polygon text at once): in chunks
    of 2 rows, the files are byte for byte those of one chunk, the keypoints files' own objects after the others."""
    written = _written_in_chunks(monkeypatch, tmp_path, _chunked_dataset, (2, 1 << 20))
    assert written[2] == written[1 << 20]
    docs = {name: json.loads(text) for name, text in written[2].items()}
    assert {name: [a["id"] for a in doc["annotations"]] for name, doc in docs.items()} == {
        "instances_test.json": [1],  # ("holes" is left out once its holes are dropped: no polygon, no box)
        "instances_train.json": [6, 5, 3, 1],  # (turned, then the others: the rows reversed; "none" is left out)
        # (short, far, ...; "spaced" and "clipped" are the keypoints file's once turned and clipped)
        "instances_val.json": [9, 10, 6, 4, 2],
        "person_keypoints_train.json": [1, 13, 12, 11],
        "person_keypoints_val.json": [6, 4, 2, 7, 8, 14],
    }
    shapes = {(name, a["id"]): (a["segmentation"], a["bbox"]) for name, doc in docs.items() for a in doc["annotations"]}
    assert shapes["instances_val.json", 10] == ([[0, 57.61904761904762, 0, 10, 50, 10, 50, 60]], [0, 10, 50, 50])
    assert shapes["instances_val.json", 9] == ([[1, 1, 5, 1, 5, 5]], [1, 1, 5, 5])
    assert shapes["person_keypoints_val.json", 7] == ([[0, 18.91089108910891, 0, 10, 10, 10, 10, 19]], [1, 10, 9, 9])
    assert shapes["instances_train.json", 6][1] == [
        8.839745962155613,
        5.669872981077806,
        22.320508075688778,
        18.66025403784439,
    ]


@pytest.mark.parametrize("far", [True, False])
@pytest.mark.parametrize(
    ("origins", "keep", "results"),
    [
        (None, None, False),
        (frozenset({"instances"}), None, False),
        (frozenset({"instances", "person_keypoints"}), [1], False),
        (frozenset({"results"}), None, True),
        (None, None, True),
    ],
)
def test_picked_rows_are_those_the_whole_table_as_written_keeps(
    tmp_path: Path, far: bool, origins: frozenset[str] | None, keep: list[int] | None, results: bool
) -> None:
    """The rows a file lists, told from the columns as they are and the few rows COCO may leave out or re-mark
    (taken and written 2 at a time), are those of the whole table written and filtered, in its order."""
    from labelkit.formats.coco_pick import ROW, as_written, file_rows, picked_rows
    from labelkit.formats.coco_shapes import within_reach

    ds = _chunked_dataset(tmp_path)
    objects, items = ds.table("objects"), ds.table("items")
    if not far:  # (then no polygon is clipped: the objects that may be left out are told without one)
        objects = objects.filter(pc.invert(pc.is_in(objects["id"], value_set=pa.array(["far", "gone"]))))
    homed = frozenset({"instances", "person_keypoints"})
    whole = objects.append_column(ROW, pa.array(np.arange(objects.num_rows)))
    whole = as_written(whole, items, True, results)
    listed, alone = file_rows(whole, origins, homed, keep)
    rows = np.asarray(whole[ROW].to_numpy())[listed]
    if keep is not None:
        rows = np.concatenate([rows[~alone[listed]], rows[alone[listed]]])
    every = np.arange(objects.num_rows)
    options = {"read_from_coco": True, "results": results, "origins": origins, "homed": homed, "keep_categories": keep}
    options["near"] = within_reach(objects["polygon"], items)
    assert picked_rows(objects, every, items, chunk=2, **options).tolist() == rows.tolist()
    some = every[1::2]  # (another file's items: every other row)
    assert picked_rows(objects, some, items, chunk=2, **options).tolist() == [r for r in rows.tolist() if r % 2]


def _tagged_chunked_dataset(root: Path) -> labelkit.Dataset:
    """Instances, keypoints and results files of one split, with keypoints tags spelled with spaces or an escape,
    angles null and -0.0, and the objects table reversed and cut into one-row chunks."""
    pose = {"keypoints": [5, 5, 2], "num_keypoints": 1}
    images = [_img(i) for i in range(1, 4)]
    files = {
        "instances_train": {
            "images": images,
            "annotations": [_ann(i, i, 1) for i in range(1, 4)],
            "categories": [_PERSON, {"id": 2, "name": "car"}],
        },
        "person_keypoints_train": {
            "images": images,
            "annotations": [_ann(i, i % 3 + 1, 1, **pose) for i in (3, 1, 4)],
            "categories": [_PERSON],
        },
        "results_train": [{"image_id": 2, "category_id": 2, "bbox": [1, 1, 5, 5], "score": 0.5}],
    }
    ds = labelkit.load(_files(root, files))
    far = [[-1e3, 10, 10, 10, 10, 19]]
    ds.add(
        Object(id="esc", item_id="2", category_id=1, bbox=(1.0, 10.0, 9.0, 9.0), polygon=far),
        Object(id="spaced", item_id="3", category_id=1, bbox=(1.0, 10.0, 9.0, 9.0), polygon=far),
        Object(id="null", item_id="1", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)),
        Object(id="zero", item_id="2", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)),
        Object(id="bare", item_id="3", category_id=1, shape="polygon", polygon=[[1.0, 1, 5, 1, 5, 5]]),
    )
    objects = ds.table("objects")
    ids = objects["id"].to_pylist()
    extras, angles = objects["extras"].to_pylist(), objects["angle"].to_pylist()
    extras[ids.index("esc")] = '{"coco:@task": "p\\u0065rson_keypoints"}'
    extras[ids.index("spaced")] = extras[ids.index("bare")] = '{ "coco:@task" : "person_keypoints" }'
    extras[ids.index("null")] = extras[ids.index("zero")] = '{"coco:@task": "person_keypoints"}'
    angles[ids.index("null")], angles[ids.index("zero")] = None, -0.0
    objects = objects.set_column(objects.schema.get_field_index("extras"), "extras", pa.array(extras, pa.string()))
    objects = objects.set_column(objects.schema.get_field_index("angle"), "angle", pa.array(angles, pa.float64()))
    objects = objects.take(pa.array(np.arange(objects.num_rows)[::-1]))
    ds.set_table("objects", pa.concat_tables([objects.slice(i, 1) for i in range(objects.num_rows)]))
    return ds


def test_picked_rows_tell_spelled_tags_null_angles_and_results_files_as_the_whole_table_does(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A keypoints tag spelled with spaces or an escape is the keypoints file's only once a clipped polygon
    re-encodes its extras; an angle null or -0.0 turns nothing; a results file's detections are never clipped:
    written a row at a time from a table of one-row chunks, the files are those of one chunk (and of the writer
    that filtered the whole table, 211e520)."""
    written = _written_in_chunks(monkeypatch, tmp_path, _tagged_chunked_dataset, (1, 1 << 20))
    assert written[1] == written[1 << 20]
    docs = {name: json.loads(text) for name, text in written[1].items()}
    assert {name: [a.get("id") for a in doc["annotations"]] for name, doc in docs.items() if "annotations" in doc} == {
        "instances_train.json": [4, 5, 6, 3, 2, 1],  # (bare, zero, null: their tags, as spelled, are not matched)
        "person_keypoints_train.json": [7, 8, 4, 1, 3],  # (spaced, esc: clipped, then tagged as the file's own)
    }
    assert docs["results_train.json"] == [{"image_id": 2, "category_id": 2, "bbox": [1, 1, 5, 5], "score": 0.5}]
    clipped = [(a["image_id"], a["segmentation"]) for a in docs["person_keypoints_train.json"]["annotations"][:2]]
    assert clipped == [
        (3, [[0, 18.91089108910891, 0, 10, 10, 10, 10, 19]]),
        (2, [[0, 18.91089108910891, 0, 10, 10, 10, 10, 19]]),
    ]


def _written_in_chunks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make: Any, chunks: tuple[int, ...]
) -> dict[int, dict[str, bytes]]:
    """Per write chunk size, the annotation files COCO writes of ``make(folder)``, by name."""
    from labelkit.formats import coco_write

    written = {}
    for chunk in chunks:
        monkeypatch.setattr(coco_write, "_WRITE_CHUNK", chunk)
        out = tmp_path / f"out{chunk}"
        labelkit.save(make(tmp_path / f"in{chunk}"), out, "coco", allow_loss=True)
        written[chunk] = {p.name: p.read_bytes() for p in sorted((out / "annotations").iterdir())}
    return written


def test_extras_named_as_the_record_s_own_fields_are_reported_lost_not_written_twice(tmp_path: Path) -> None:
    """An object's ``coco:id`` (``coco:image_id``, ``coco:category_id``, a ``coco:score`` or ``coco:bbox`` beside
    its own) was spliced into its record beside the record's own key: the file held the key twice, and readers keep
    the last (the object read back with id 7, unsaid; an image or category id no record has made a file COCO's
    reader refuses, written with exit 0). They are reported lost and left out (a ``coco:score`` of an object
    without a score too, which read back as its score); a caption's ``coco:category_id`` stays its category."""
    from labelkit.model import Label

    ds = Dataset(categories=[Category(id=1, name="p")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=10, height=10), split="train"))
    box = (1.0, 1.0, 2.0, 2.0)
    ds.add(Object(id="6", item_id="1", category_id=1, bbox=box, extras={"coco:id": 7, "coco:x": 1}))
    ds.add(Object(id="8", item_id="1", category_id=1, bbox=box, extras={"coco:image_id": 99}))
    ds.add(Object(id="9", item_id="1", category_id=1, bbox=box, score=0.9, extras={"coco:score": 0.3}))
    ds.add(Object(id="10", item_id="1", category_id=1, bbox=box, extras={"coco:bbox": [0, 0, 1, 1]}))
    ds.add(Object(id="11", item_id="1", category_id=1, bbox=box, extras={"coco:score": 0.3, "n": {"coco:id": 1}}))
    ds.add(Label(id="12", item_id="1", category_id=1, extras={"coco:category_id": 5}))
    ds.add(Transcript(id="13", item_id="1", text="a", extras={"coco:category_id": 1}))
    planned = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in planned.lost if "own fields" in c.what] == [
        ("label annotations' coco: extras named as their record's own fields", 1),
        ("object annotations' coco: extras named as their record's own fields", 5),
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert report.lost == planned.lost
    text = (tmp_path / "o/annotations/instances_train.json").read_text()
    assert '"id":7' not in text and '"image_id":99' not in text and '"bbox":[0,0,1,1]' not in text
    back = labelkit.load(tmp_path / "o", "coco")
    objects = {o.id: o for o in back.objects()}
    assert sorted(objects) == ["10", "11", "6", "8", "9"]
    assert (objects["6"].extras.get("coco:x"), objects["9"].score, objects["10"].bbox) == (1, 0.9, box)
    assert objects["11"].score is None
    assert [lab.category_id for lab in back.labels()] == [1]
    assert [t.extras.get("coco:category_id") for t in back.transcripts()] == [1]
    # an object of unlabelled keypoints alone, taken for one read from COCO by its coco: extra, is then not written:
    # lost whole, counted once as such
    posed = Dataset(categories=[Category(id=0, name="c", keypoints=["nose"])])
    posed.add_item(Item(id="4", media=Media(path="a.jpg", width=5, height=5), split="train"))
    posed.add(Object(id="5", item_id="4", category_id=0, keypoints=[0.0, 0.0, 0.0], extras={"coco:id": 7}))
    assert [c.what for c in labelkit.plan(posed, "coco").lost] == [
        "objects without a box, polygon, mask or labelled keypoints"
    ]


def test_category_extras_named_as_its_own_fields_are_reported_lost(tmp_path: Path) -> None:
    """A category's ``coco:id``, ``coco:name`` (or ``coco:supercategory`` beside its own) was left out of its record,
    whose own field has the name, unsaid. A ``coco:keypoints`` of a category without keypoint names is written as
    its keypoints, as a carried field is."""
    ds = Dataset(categories=[Category(id=1, name="p", supercategory="s", extras={"coco:name": "x", "coco:id": 5})])
    ds.categories.append(Category(id=2, name="q", supercategory="s", extras={"coco:supercategory": "y"}))
    ds.categories.append(Category(id=3, name="r", extras={"coco:keypoints": ["a"], "coco:supercategory": "z"}))
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=10, height=10), split="train"))
    planned = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in planned.lost] == [("categories' coco: extras named as their own fields", 2)]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    assert labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True).lost == planned.lost
    back = labelkit.load(tmp_path / "o", "coco").categories
    assert [(c.id, c.name, c.supercategory, c.keypoints) for c in back] == [
        (1, "p", "s", None),
        (2, "q", "s", None),
        (3, "r", "z", ["a"]),
    ]


def test_a_category_not_written_is_not_counted_again_for_its_extras_named_as_its_own_fields(tmp_path: Path) -> None:
    """Every split written as detection results lists no categories: each is lost whole, and was counted again
    for a ``coco:id`` extra of its."""
    info = DatasetInfo(extras={"coco:files": [{"task": "results", "split": "train"}]})
    ds = Dataset(categories=[Category(id=1, name="p", extras={"coco:id": 5})], info=info)
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="6", item_id="1", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0), score=0.5))
    planned = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in planned.lost if "categor" in c.what] == [("categories", 1)]
    assert labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True).lost == planned.lost


def test_a_polygon_reaching_far_outside_that_covers_none_of_its_image_is_lost_not_written_unsaid(
    tmp_path: Path,
) -> None:
    """A polygon whose bounds meet its image but whose area does not ([[1000, 50, 110, 50, 110, 90, 70, 90]] on
    100 x 80): clipped by the writer (pycocotools cannot rasterise it far out), no ring was left, and the object was
    left out of the file (or written as its box, which the polygon does not cover) while the report counted it
    written. It is an object with no area inside its image, as one whose bounds miss it."""
    from labelkit.model import Category, Dataset, Item, Media, Object

    polygon = [[1000.0, 50.0, 110.0, 50.0, 110.0, 90.0, 70.0, 90.0]]
    for bbox in (None, (70.0, 50.0, 930.0, 40.0)):  # (none, or its polygon's bounds, as a YOLO segment line's)
        ds = Dataset(categories=[Category(id=1, name="a")])
        ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=80), split="train"))
        ds.add(Object(id="1", item_id="a", category_id=1, polygon=polygon, bbox=bbox))
        ds.add(Object(id="2", item_id="a", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)))
        with pytest.raises(DataLossError) as err:
            labelkit.save(ds, tmp_path / "out", "coco")
        assert [(x.what, x.count) for x in err.value.report.lost] == [("objects with no area inside their image", 1)]
        report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True, overwrite=True)
        back = _load(tmp_path / "out/annotations/instances_train.json")["annotations"]
        assert report.written["object annotations"] == len(back) == 1 and back[0]["bbox"] == [1, 1, 5, 5]
    # a box of its own is written, without the polygon
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=80), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, polygon=polygon, bbox=(10.0, 10.0, 5.0, 5.0)))
    report = labelkit.plan(ds, "coco")
    assert [(x.what, x.count) for x in report.lost] == [("polygons covering none of their image", 1)]
    assert "polygons reaching far outside their image" not in [x.what for x in report.transformed]


def test_a_captions_file_beside_others_lists_the_categories_its_captions_use(tmp_path: Path) -> None:
    """A caption of a category written beside objects went to captions_<split>.json with "categories": [], where
    pycocotools' loadCats of its category_id raises KeyError (alone, its file listed every category)."""
    from pycocotools.coco import COCO

    from labelkit.model import Category, Dataset, Item, Media, Object, Transcript

    ds = Dataset(categories=[Category(id=1, name="person"), Category(id=2, name="car")])
    ds.add_item(Item(id="1", media=Media(path="x.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1.0, 1.0, 10.0, 10.0)))
    ds.add(Transcript(id="6", item_id="1", text="a red car", category_id=2))
    labelkit.save(ds, tmp_path / "out", "coco")
    path = tmp_path / "out/annotations/captions_train.json"
    assert _load(path)["categories"] == [{"id": 2, "name": "car"}]
    assert COCO(str(path)).loadCats(2) == [{"id": 2, "name": "car"}]


def test_keypoints_inline_of_fewer_points_than_the_keypoints_file_s_are_written_back_as_read(tmp_path: Path) -> None:
    """An instances file whose category names 1 point and a keypoints file naming 2, one annotation in both: the
    instances file was written the keypoints file's 6 numbers under its own 1 name, which COCO's reader (and
    labelkit's) refuses; validate had passed the input."""
    root = tmp_path / "kw/annotations"
    root.mkdir(parents=True)
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": 0}
    ann["segmentation"] = [[0, 0, 5, 0, 5, 5]]
    image = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]
    docs = {
        "instances_val": {
            "images": image,
            "categories": [{"id": 1, "name": "person", "keypoints": ["a"], "skeleton": []}],
            "annotations": [{**ann, "keypoints": [1, 1, 2], "num_keypoints": 1}],
        },
        "person_keypoints_val": {
            "images": image,
            "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}],
            "annotations": [{**ann, "keypoints": [1, 1, 2, 3, 3, 2], "num_keypoints": 2}],
        },
    }
    for name, doc in docs.items():
        (root / f"{name}.json").write_text(json.dumps(doc))
    assert labelkit.validate(root.parent) == []
    labelkit.convert(root.parent, tmp_path / "out", to="coco")
    assert labelkit.validate(tmp_path / "out") == []
    for name, doc in docs.items():
        assert json.loads((tmp_path / f"out/annotations/{name}.json").read_text()) == doc
    labelkit.convert(root.parent, tmp_path / "kw.json", to="labelkit")  # (kept through labelkit JSON too)
    labelkit.convert(tmp_path / "kw.json", tmp_path / "again", to="coco")
    for name, doc in docs.items():
        assert json.loads((tmp_path / f"again/annotations/{name}.json").read_text()) == doc


def _train_1_moved_to_val_with_its_keypoints_lost(src: Path, out: Path) -> dict[str, Any]:
    """Item train/1 of ``src`` moved to val: its keypoints are lost (refused, then written unlabelled, the output
    valid); the written person_keypoints_val.json."""
    ds = labelkit.load(src)
    assert labelkit.plan(ds, "coco").lost == []
    items = ds.table("items")
    ids, splits = items["id"].to_pylist(), items["split"].to_pylist()
    moved = ["val" if i == "train/1" else s for i, s in zip(ids, splits, strict=True)]
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(moved)))
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost]
    assert lost == [("keypoint sets of another length than their category's names", 1)]
    with pytest.raises(DataLossError):
        labelkit.save(ds, out, "coco")
    labelkit.save(ds, out, "coco", allow_loss=True)
    assert labelkit.validate(out) == []
    loaded: dict[str, Any] = json.loads((out / "annotations/person_keypoints_val.json").read_text())
    return loaded


def test_an_object_moved_to_a_split_whose_keypoints_file_names_other_points_is_reported(tmp_path: Path) -> None:
    """train's keypoints file names 1 point, val's 2: an object moved from train to val (labelkit split, or an edit)
    was written to val's file with 1 point under 2 names, unsaid: a file COCO's reader (and validate) refuses. Its
    keypoints are counted against the names of the files of the split it is written to."""
    root = tmp_path / "kpx/annotations"
    root.mkdir(parents=True)
    for split, names, points in (("train", ["a"], [5, 5, 2]), ("val", ["a", "b"], [5, 5, 2, 6, 6, 2])):
        images = [{"id": i, "file_name": f"{split}{i}.jpg", "width": 10, "height": 10} for i in (1, 2)]
        annotations = [
            {"id": i, "image_id": i, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": 0}
            | {"keypoints": points, "num_keypoints": len(names)}
            for i in (1, 2)
        ]
        categories = [{"id": 1, "name": "person", "keypoints": names, "skeleton": []}]
        doc = {"images": images, "annotations": annotations, "categories": categories}
        (root / f"person_keypoints_{split}.json").write_text(json.dumps(doc))
    val = _train_1_moved_to_val_with_its_keypoints_lost(root.parent, tmp_path / "out")
    assert [(a["keypoints"], a["num_keypoints"]) for a in val["annotations"]] == [
        ([0, 0, 0, 0, 0, 0], 0),
        ([5, 5, 2, 6, 6, 2], 2),
        ([5, 5, 2, 6, 6, 2], 2),
    ]


_TRUTH_AND_RESULTS = ["instances_train.json", "instances_val.json", "results_train.json", "results_val.json"]
"""The files of train and val each of ground truth and detections, by name."""


def test_detections_of_a_results_only_split_stay_detections_when_items_move(tmp_path: Path) -> None:
    """A split read from results_val.json alone, once a ground-truth image moved in, got an instances file, and all
    its detections went there as ground truth (a made-up segmentation, area, iscrowd), results_val.json written []
    unsaid; detections moved to a split of ground truth files went into its instances file too. Each now goes to
    a results file of its split, made where there is none."""
    root = tmp_path / "rs/annotations"
    root.mkdir(parents=True)
    images = [{"id": i, "file_name": f"t{i}.jpg", "width": 10, "height": 10} for i in range(1, 5)]
    truth = [
        {"id": i, "image_id": i, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0} for i in range(1, 5)
    ]
    doc = {"images": images, "annotations": truth, "categories": [{"id": 1, "name": "c"}]}
    (root / "instances_train.json").write_text(json.dumps(doc))
    detections = [{"image_id": i, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5} for i in range(11, 15)]
    (root / "results_val.json").write_text(json.dumps(detections))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ids = items["id"].to_pylist()
    moved = {"1": "val", "11": "train"}  # (a ground-truth image to val, a detection's to train)
    splits = [moved.get(i, s) for i, s in zip(ids, items["split"].to_pylist(), strict=True)]
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(splits)))
    # (the detection moved to train is written as read: its box was reported made a polygon)
    transformed = [(c.what, c.count) for c in labelkit.plan(ds, "coco").transformed]
    assert transformed == [("images of unknown size", 4), ("items without a file name", 4)]
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, [(c.what, c.count) for c in report.transformed]) == ([], transformed)
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == _TRUTH_AND_RESULTS
    assert _load(out / "results_val.json") == detections[1:]
    assert _load(out / "results_train.json") == detections[:1]
    for name in ("instances_train.json", "instances_val.json"):
        assert all("score" not in a for a in _load(out / name)["annotations"])
    assert [a["id"] for a in _load(out / "instances_val.json")["annotations"]] == [1]
    assert labelkit.validate(tmp_path / "out") == []
    assert labelkit.load(tmp_path / "out").stats().annotations == {"object": 8}


def test_an_annotation_of_a_category_only_another_file_lists_is_named(tmp_path: Path) -> None:
    """validate passed a folder whose instances_val.json uses category 2, which only instances_train.json lists
    (the file alone fails pycocotools' loadCats, and COCOeval passes over the annotation), and convert added the
    category to the file unsaid."""
    root = tmp_path / "uc/annotations"
    root.mkdir(parents=True)
    image = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]
    a, b = {"id": 1, "name": "a"}, {"id": 2, "name": "b"}
    (root / "instances_train.json").write_text(json.dumps({"images": image, "categories": [a, b], "annotations": []}))
    ann = {"id": 1, "image_id": 1, "category_id": 2, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": 0}
    (root / "instances_val.json").write_text(json.dumps({"images": image, "categories": [a], "annotations": [ann]}))
    message = "category 2 is not among this file's categories, only another file's: COCO's tools read a file alone"
    assert [(f.path, f.where, f.message) for f in labelkit.validate(root.parent)] == [
        (str(root / "instances_val.json"), "#/annotations/0/category_id", message)
    ]
    ds = labelkit.load(root.parent)
    assert ds.read_notes == [
        "instances_val.json: 1 annotation of categories it does not list, only another file (first: "
        "#/annotations/0/category_id, category 2): COCO's tools read a file alone (pycocotools' loadCats fails on "
        "them); writing COCO lists them in it"
    ]
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _load(tmp_path / "out/annotations/instances_val.json")["categories"] == [a, b]
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize("train_names", [["a"], ["a", "b", "c"]])
def test_an_object_moved_to_a_split_with_instances_and_keypoints_files_is_counted_against_the_keypoints_file(
    tmp_path: Path, train_names: list[str]
) -> None:
    """val's instances file names 1 point, its keypoints file 2. An object moved there from train goes to val's
    keypoints file, so its keypoints are counted against that file's 2 names: one of 1 point passed (the instances
    file names 1) and was written there with 1 point under 2 names; one of 3 was written unlabelled with 1 point.
    Either is a file COCO's reader (and validate) refuses."""
    root = tmp_path / "kpx/annotations"
    root.mkdir(parents=True)
    files = (
        ("person_keypoints_train", train_names),
        ("instances_val", ["a"]),
        ("person_keypoints_val", ["a", "b"]),
    )
    for name, names in files:
        split = name.rsplit("_", 1)[1]
        images = [{"id": i, "file_name": f"{split}{i}.jpg", "width": 10, "height": 10} for i in (1, 2)]
        annotations = [
            {"id": i, "image_id": i, "category_id": 1, "bbox": [0, 0, 5, 5], "area": 25, "iscrowd": 0}
            | {"keypoints": [5, 5, 2] * len(names), "num_keypoints": len(names)}
            for i in (1, 2)
        ]
        categories = [{"id": 1, "name": "person", "keypoints": names, "skeleton": []}]
        doc = {"images": images, "annotations": annotations, "categories": categories}
        (root / f"{name}.json").write_text(json.dumps(doc))
    assert labelkit.validate(root.parent) == []
    val = _train_1_moved_to_val_with_its_keypoints_lost(root.parent, tmp_path / "out")
    assert sorted((a["keypoints"], a["num_keypoints"]) for a in val["annotations"]) == [
        ([0, 0, 0, 0, 0, 0], 0),
        ([5, 5, 2, 5, 5, 2], 2),
        ([5, 5, 2, 5, 5, 2], 2),
    ]


def _person_cat_and_stuff(root: Path, keypoints_file: bool) -> Path:
    """train: an instances file (a person without keypoints, a cat); val: a stuff file, and a keypoints file."""
    (root / "annotations").mkdir(parents=True)
    img = {"file_name": "{}.jpg", "width": 100, "height": 80}
    box = {"bbox": [1, 1, 9, 9], "segmentation": [[1, 1, 10, 1, 10, 10, 1, 10]], "area": 81.0, "iscrowd": 0}
    person = {"id": 1, "name": "person", "supercategory": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    cat, sky = {"id": 3, "name": "cat"}, {"id": 183, "name": "other"}
    docs = {
        "instances_train": (
            [1],
            [{"id": 1, "category_id": 1, **box}, {"id": 2, "category_id": 3, **box}],
            [person, cat],
        ),
        "stuff_val": ([2], [{"id": 1, "category_id": 183, **box}], [sky]),
    }
    if keypoints_file:
        posed = {"id": 1, "category_id": 1, **box, "keypoints": [2, 2, 2, 3, 3, 2], "num_keypoints": 2}
        docs["person_keypoints_val"] = ([2], [posed], [person])
    for name, (images, records, categories) in docs.items():
        doc = {
            "images": [{"id": i, **img, "file_name": f"{i}.jpg"} for i in images],
            "annotations": [{**a, "image_id": images[0]} for a in records],
            "categories": categories,
        }
        (root / f"annotations/{name}.json").write_text(json.dumps(doc))
    return root


@pytest.mark.parametrize("keypoints_file", [True, False])
def test_objects_moved_to_a_split_of_stuff_and_keypoints_files_get_an_instances_file(
    tmp_path: Path, keypoints_file: bool
) -> None:
    """An instances file's objects moved to a split whose files are a stuff file (and a keypoints file) went into
    the keypoints file, without keypoints (or into the stuff file), a file of another kind that validate refused
    for the id it repeats (and COCOeval's keypoints mode for the missing num_keypoints). Such a split gets an
    instances file; the stuff file keeps its own object, tagged as read from a stuff file, as the dataset has
    files of other objects."""
    src = _person_cat_and_stuff(tmp_path / "src", keypoints_file)
    ds = labelkit.load(src)
    extras = {o.category_id: o.extras.get("coco:@task") for o in ds.objects()}
    assert extras[183] == "stuff"
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val", "val"])))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert (report.lost, report.transformed) == ([], [])
    out = tmp_path / "out/annotations"
    expected = ["instances_val.json", "stuff_val.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted(expected + ["person_keypoints_val.json"] * keypoints_file)
    assert [(a["id"], a["category_id"]) for a in _load(out / "instances_val.json")["annotations"]] == [(1, 1), (2, 3)]
    assert [(a["id"], a["category_id"]) for a in _load(out / "stuff_val.json")["annotations"]] == [(1, 183)]
    if keypoints_file:
        assert [a["category_id"] for a in _load(out / "person_keypoints_val.json")["annotations"]] == [1]
    assert labelkit.validate(tmp_path / "out") == []
    assert labelkit.load(tmp_path / "out").stats().annotations == {"object": 3 + keypoints_file}


def test_a_dataset_of_stuff_files_alone_keeps_its_objects_in_stuff_files_when_they_move(tmp_path: Path) -> None:
    """Stuff files alone: their objects are untagged, a stuff file's; moved to another split, they go to its stuff
    file (not to an instances file made for them)."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    box = {"bbox": [1, 1, 9, 9], "segmentation": [[1, 1, 10, 1, 10, 10, 1, 10]], "area": 81.0, "iscrowd": 0}
    for n, split in ((1, "train"), (2, "val")):
        doc = {
            "images": [{"id": n, "file_name": f"{n}.jpg", "width": 100, "height": 80}],
            "annotations": [{"id": n, "image_id": n, "category_id": 183, **box}],
            "categories": [{"id": 183, "name": "other"}],
        }
        (root / f"stuff_{split}.json").write_text(json.dumps(doc))
    ds = labelkit.load(root.parent)
    assert [o.extras.get("coco:@task") for o in ds.objects()] == [None, None]
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val", "val"])))
    labelkit.save(ds, tmp_path / "out", "coco")
    assert sorted(p.name for p in (tmp_path / "out/annotations").iterdir()) == ["stuff_val.json"]
    assert [a["id"] for a in _load(tmp_path / "out/annotations/stuff_val.json")["annotations"]] == [1, 2]


def test_a_detection_without_geometry_moved_to_another_split_goes_to_a_results_file(tmp_path: Path) -> None:
    """results_val.json's detection of no box (an image label read from it) moved with its image to train went to
    labels_train.json, as a ground-truth image label, unsaid; its box detections went to results_train.json. It
    goes there with them."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    cats = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]
    box = {"bbox": [1, 1, 5, 5], "segmentation": [[1, 1, 6, 1, 6, 6, 1, 6]], "area": 25.0, "iscrowd": 0}
    for split, images in (("train", (1, 2)), ("val", (3, 4))):
        doc = {
            "images": [{"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 80} for i in images],
            "annotations": [{"id": n, "image_id": i, "category_id": n, **box} for n, i in enumerate(images, 1)],
            "categories": cats,
        }
        (root / f"instances_{split}.json").write_text(json.dumps(doc))
    detections = [
        {"image_id": 3, "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.9},
        {"image_id": 4, "category_id": 2, "score": 0.4},
    ]
    (root / "results_val.json").write_text(json.dumps(detections))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ids, before = items["id"].to_pylist(), items["split"].to_pylist()
    splits = ["train" if i == "4" else s for i, s in zip(ids, before, strict=True)]
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(splits)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == []
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == _TRUTH_AND_RESULTS
    assert _load(out / "results_train.json") == [detections[1]]
    assert _load(out / "results_val.json") == [detections[0]]
    assert labelkit.validate(tmp_path / "out") == []


def test_a_split_of_detection_results_alone_renamed_is_written_as_results(tmp_path: Path) -> None:
    """A folder of results_val.json alone (no categories defined), its split renamed (labelkit split --ratios
    train=1), was refused: its detections, taken for ground truth, 'of undefined categories'. They are written to
    results_train.json, as read."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    detections = [
        {"id": i, "image_id": i, "category_id": 1 + i % 2, "bbox": [1, 1, 5, 5], "score": 0.5} for i in (1, 2)
    ]
    (root / "results_val.json").write_text(json.dumps(detections))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["train"] * 2)))
    assert labelkit.plan(ds, "coco").lost == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert _load(tmp_path / "out/annotations/results_train.json") == detections
    assert labelkit.validate(tmp_path / "out") == []


def test_a_new_split_s_keypoints_file_names_the_points_the_keypoints_files_read_name(tmp_path: Path) -> None:
    """instances_train.json names a person's 2 points (inline keypoints), person_keypoints_train.json 3. Moved to a
    split the dataset was not read with (labelkit split --ratios val=1), the keypoints file was written with the
    instances file's 2 names, and every 3-point set reported lost, refused, then zeroed. The new split's files
    name the points as the files read did."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    box = {"category_id": 1, "bbox": [1, 1, 9, 9], "segmentation": [[1, 1, 10, 1, 10, 10, 1, 10]], "area": 81.0}
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 80} for i in (1, 2)]
    for name, points in (("instances", ["a", "b"]), ("person_keypoints", ["a", "b", "c"])):
        person = {"id": 1, "name": "person", "keypoints": points, "skeleton": [[1, 2]]}
        posed = {"keypoints": [2, 2, 2, 3, 3, 2, 4, 4, 1][: 3 * len(points)], "num_keypoints": len(points)}
        records = [{"id": i, "image_id": i, **box, "iscrowd": 0, **posed} for i in (1, 2)]
        doc = {"images": images, "annotations": records, "categories": [person]}
        (root / f"{name}_train.json").write_text(json.dumps(doc))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val"] * 2)))
    assert labelkit.plan(ds, "coco").lost == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert labelkit.validate(tmp_path / "out") == []
    for name in ("instances", "person_keypoints"):
        written = _load(tmp_path / f"out/annotations/{name}_val.json")
        read = _load(root / f"{name}_train.json")
        assert (written["categories"], written["annotations"]) == (read["categories"], read["annotations"]), name


def test_a_file_of_a_split_merged_away_reports_the_values_only_it_held(tmp_path: Path) -> None:
    """instances_val.json had its own info, licenses, a top-level "type" and category values (supercategory Y,
    image_count 7) where instances_train.json has none; its images merged into train (labelkit split --ratios
    train=1), all of that went unsaid. It is a loss, refused without --allow-loss; a merge of files of one content
    (COCO 2017's) loses nothing."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    box = {"category_id": 1, "bbox": [1, 1, 5, 5], "area": 25.0, "iscrowd": 0}
    for split, extra, cat in (
        ("train", {}, {"supercategory": "X"}),
        ("val", {"info": {"v": 2}, "licenses": [{"id": 3, "name": "CC"}], "type": "instances"}, {"supercategory": "Y"}),
    ):
        n = 1 if split == "train" else 2
        doc = {
            **extra,
            "images": [{"id": n, "file_name": f"{n}.jpg", "width": 10, "height": 10}],
            "annotations": [{"id": n, "image_id": n, **box}],
            "categories": [{"id": 1, "name": "a", **cat}],
        }
        (root / f"instances_{split}.json").write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["split", str(root.parent), str(tmp_path / "out"), "--ratios", "train=1"])
    assert result.exit_code == 2
    assert result.output.startswith(
        "labelkit: lost: 1 COCO files of a split no longer written, with values of their own: their split has no "
        "image now"
    )
    assert result.output.splitlines()[0].endswith("(instances_val.json first)")
    for name in ("train", "val"):  # (files of one content, Detectron's "type" in both: nothing lost)
        doc = json.loads((root / f"instances_{name}.json").read_text())
        doc["type"] = "instances"
        doc["info"], doc["licenses"], doc["categories"][0]["supercategory"] = {"v": 2}, [], "X"
        (root / f"instances_{name}.json").write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["split", str(root.parent), str(tmp_path / "out"), "--ratios", "train=1", "-q"])
    assert result.exit_code == 0, result.output
    assert _load(tmp_path / "out/annotations/instances_train.json")["type"] == "instances"


def test_objects_moved_to_a_keypoints_only_split_keep_their_instance_records(tmp_path: Path) -> None:
    """train: instances and keypoints files; val: a keypoints file alone. Everything moved to val: an instances
    file was made there (for a dog), but a person whose homes were found before it went to the keypoints file only,
    its instance record and image missing from the instances file, unsaid. Each of train's objects keeps its
    instance record; val's own persons, read from its keypoints file alone, stay there alone."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    box = {"bbox": [1, 1, 9, 9], "segmentation": [[1, 1, 10, 1, 10, 10, 1, 10]], "area": 81.0, "iscrowd": 0}
    person = {"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 80} for i in (1, 2, 3, 4)]
    posed = {"keypoints": [2, 2, 2, 3, 3, 2], "num_keypoints": 2}
    docs = {
        "instances_train": (
            images[:2],
            [(1, 1, 1, {}), (2, 2, 2, {}), (3, 2, 1, {})],
            [person, {"id": 2, "name": "dog"}],
        ),
        "person_keypoints_train": (images[:2], [(1, 1, 1, posed), (3, 2, 1, posed)], [person]),
        "person_keypoints_val": (images[2:], [(1, 3, 1, posed), (2, 4, 1, posed)], [person]),
    }
    for name, (imgs, anns, cats) in docs.items():
        records = [{"id": i, "image_id": im, "category_id": c, **box, **kw} for i, im, c, kw in anns]
        (root / f"{name}.json").write_text(json.dumps({"images": imgs, "annotations": records, "categories": cats}))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val"] * 4)))
    labelkit.save(ds, tmp_path / "out", "coco")
    out = tmp_path / "out/annotations"
    instances = _load(out / "instances_val.json")
    assert [i["id"] for i in instances["images"]] == [1, 2]
    assert [(a["id"], a["image_id"], a["category_id"]) for a in instances["annotations"]] == [
        (1, 1, 1),
        (2, 2, 2),
        (3, 2, 1),
    ]
    keypoints = _load(out / "person_keypoints_val.json")
    assert sorted(a["image_id"] for a in keypoints["annotations"]) == [1, 2, 3, 4]
    assert labelkit.validate(tmp_path / "out") == []
    assert labelkit.load(tmp_path / "out").stats().annotations == {"object": 5}


def test_keypoints_moved_to_a_split_read_with_captions_alone_are_counted_against_its_instances_file(
    tmp_path: Path,
) -> None:
    """train: instances (person points a, b) and keypoints (a, b, c) files; val: a captions file alone. A 3-point
    person moved to val goes to an instances file made there, of the category's own 2 names: it was counted as in a
    split not read (against the keypoints files' 3), written with 3 points under 2 names, a file validate refused."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    person = {"id": 1, "name": "person", "skeleton": [[1, 2]]}
    record = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0}
    train = [{"id": 1, "file_name": "t1.jpg", "width": 20, "height": 20}]
    docs = {
        "instances_train": {
            "images": train,
            "annotations": [record],
            "categories": [{**person, "keypoints": ["a", "b"]}],
        },
        "person_keypoints_train": {
            "images": train,
            "annotations": [{**record, "keypoints": [2, 2, 2] * 3, "num_keypoints": 3}],
            "categories": [{**person, "keypoints": ["a", "b", "c"]}],
        },
        "captions_val": {
            "images": [{"id": 2, "file_name": "v1.jpg", "width": 20, "height": 20}],
            "annotations": [{"id": 1, "image_id": 2, "caption": "a person"}],
        },
    }
    for name, doc in docs.items():
        (root / f"{name}.json").write_text(json.dumps(doc))
    ds = labelkit.load(root.parent)
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["val"] * 2)))
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost]
    assert ("keypoint sets of another length than their category's names", 1) in lost
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert labelkit.validate(tmp_path / "out") == []


def test_a_detection_whose_score_was_taken_away_goes_to_the_instances_file(tmp_path: Path) -> None:
    """results_train.json: a box and a detection of no geometry. The box's score taken away, it was written to the
    results file without one (validate: missing required field 'score'); so was the other's, once the results
    file was made for it. Each now goes to a file that holds it: the box to the instances file (its id apart from
    the instances'), the other, without a score, as an image label."""
    root = tmp_path / "src/annotations"
    root.mkdir(parents=True)
    images = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]
    truth = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0}]
    cats = [{"id": 1, "name": "c"}]
    (root / "instances_train.json").write_text(json.dumps({"images": images, "annotations": truth, "categories": cats}))
    detections = [
        {"image_id": 1, "category_id": 1, "bbox": [2, 2, 3, 3], "score": 0.9},
        {"image_id": 1, "category_id": 1, "score": 0.7},
    ]
    (root / "results_train.json").write_text(json.dumps(detections))
    for unscored in ("objects", "labels"):
        ds = labelkit.load(root.parent)
        table = ds.table(unscored)
        score = table.schema.get_field_index("score")
        ds.set_table(unscored, table.set_column(score, "score", pa.nulls(table.num_rows, pa.float64())))
        out = tmp_path / unscored
        assert labelkit.save(ds, out, "coco").lost == []
        assert labelkit.validate(out) == [], unscored
        results = _load(out / "annotations/results_train.json")
        assert all(r.get("score") is not None for r in results)
        assert labelkit.load(out).stats().annotations == {"object": 2, "label": 1}


@pytest.mark.parametrize("length", [250, 234])
def test_a_split_too_long_for_its_file_names_is_a_loss_found_when_planning(tmp_path: Path, length: int) -> None:
    """A split of 250 characters (``instances_<split>.json`` over 255 bytes) passed labelkit.plan and a dry run,
    and the write stopped with 'cannot write: File name too long': its items are a loss found when planning, as a
    split Windows cannot name. One of 234 fits ``instances_`` but not ``person_keypoints_<split>.json``, the
    longest name a split's files may get: so lost too, for every dataset alike."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="s" * length))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="o", item_id="a", category_id=1, bbox=(0, 0, 1, 1)))
    lost = [("items whose file names are too long", 1), ("object annotations on them", 1)]
    assert [(c.what, c.count) for c in labelkit.plan(ds, "coco").lost] == lost
    task = "instances" if length == 250 else "person_keypoints"
    assert labelkit.plan(ds, "coco").lost[0].reason.endswith(f"(item 'a', 'annotations/{task}_{'s' * length}.json')")
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "out", "coco", dry_run=True)
    dry = labelkit.save(ds, tmp_path / "out", "coco", dry_run=True, allow_loss=True)
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)  # (it raised OutputError)
    assert [(c.what, c.count) for c in dry.lost] == [(c.what, c.count) for c in report.lost] == lost
    assert sorted(p.name for p in (tmp_path / "out/annotations").iterdir()) == ["instances_train.json"]


def test_a_second_byte_order_mark_is_an_error_at_line_1(tmp_path: Path) -> None:
    """One is dropped (Windows tools write one); a second was 'invalid JSON: JSON is malformed: invalid character
    (byte 0)', naming no line, where validate, and labelkit JSON, name line 1."""
    path = tmp_path / "instances_train.json"
    path.write_bytes(b"\xef\xbb\xbf" * 2 + json.dumps({"images": [_img(1)], "annotations": []}).encode())
    with pytest.raises(InputError) as err:
        labelkit.load(path, "coco")
    assert (err.value.location.line, err.value.message) == (
        1,
        "invalid JSON at column 1: UTF-8 byte order mark (BOM) is not supported",
    )
    assert [f.message for f in labelkit.validate(path, "coco")] == [err.value.message]
    path.write_bytes(path.read_bytes()[3:])
    assert [i.id for i in labelkit.load(path, "coco").items()] == ["1"]
