"""COCO: the rare paths of reading, checking and writing (errors, notes and branches few files take)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import labelkit
from labelkit.errors import DataLossError, InputError, OutputError
from labelkit.formats import coco_images
from labelkit.model import Category, Dataset, Item, Media, Object, Rle, Transcript


def _doc(**annotation: Any) -> dict[str, Any]:
    """An instances document of one 10 x 10 image, one category and one boxed annotation updated by ``annotation``."""
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0, **annotation}
    return {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [ann],
        "categories": [{"id": 1, "name": "c"}],
    }


def _write(tmp_path: Path, doc: Any, name: str = "instances_val.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def _compact(path: Path) -> bytes:
    return json.dumps(json.loads(path.read_bytes()), separators=(",", ":")).encode()


@pytest.mark.parametrize("depth", [192, 193])
def test_a_field_nested_too_deep_is_refused_beside_a_number_no_float_holds(tmp_path: Path, depth: int) -> None:
    """A carried annotation field of 193 levels was read, converted and validated clean when another field of the
    annotation held 1e400 (the depth check parsed the annotation's fields with orjson, which refuses 1e400, and
    then checked none of them); alone it is refused at its pointer."""
    deep = "[" * depth + "]" * depth
    src = tmp_path / "instances_val.json"
    text = json.dumps(_doc(x=0, y=0)).replace('"x": 0, "y": 0', f'"x": 1e400, "y": {deep}')
    src.write_text(text)
    if depth == 192:
        assert labelkit.validate(src) == []
        labelkit.convert(src, tmp_path / "out", to="coco")
        assert (tmp_path / "out/annotations/instances_val.json").read_text() == text.replace(" ", "")
        return
    message = "value nested more than 192 levels deep, more than every format can keep"
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "out", to="coco")
    assert (err.value.location.path, err.value.location.pointer, err.value.message) == (
        str(src),
        "/annotations/0/y",
        message,
    )
    assert not (tmp_path / "out").exists()
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == ("#/annotations/0/y", message)


@pytest.mark.parametrize(
    ("cut", "message"),
    [
        (lambda text: text[: text.index('"name"') + 3], "unterminated string starting at"),
        (lambda text: text.replace('"iscrowd": 0', '"iscrowd": 0 "x": 1'), "expecting ',' delimiter"),
        (
            lambda text: text.replace('"iscrowd": 0', '"iscrowd": 0,'),
            "expecting property name enclosed in double quotes",
        ),
    ],
    ids=["cut short", "missing comma", "trailing comma"],
)
def test_a_syntax_error_after_a_number_no_float_holds_is_named_at_its_line(
    tmp_path: Path, cut: Any, message: str
) -> None:
    """A file holding a carried ``"area": 1e400`` (valid JSON, read and written back as written) and a syntax error
    after it (cut short, a missing comma) was refused at the number, ``invalid JSON at column 12: number is
    infinity when parsed as double`` (orjson's words for 1e400), by ``load`` and ``validate``: the error is where the
    text goes wrong."""
    text = json.dumps(_doc(), indent=1).replace('"area": 4', '"area": 1e400')
    bad = cut(text)
    src = tmp_path / "instances_val.json"
    src.write_text(bad)
    try:
        json.loads(bad)
    except json.JSONDecodeError as exc:
        line, column = exc.lineno, exc.colno
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}:{line}: invalid JSON at column {column}: {message}"
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (f":{line}", f"invalid JSON at column {column}: {message}")


_VALUE = "unexpected character, expected a JSON value"


@pytest.mark.parametrize(
    ("value", "at", "reason"),
    [
        ("NaN", "NaN", _VALUE),
        ("Infinity", "Infinity", _VALUE),
        ("-Infinity", "-Infinity", _VALUE),
        ('"x\\ud800"', "\\ud800", "no low surrogate in string"),
        ('"x\\udc00"', "\\udc00", "invalid high surrogate in string"),
        ('"x\\ud800\\u0041"', "\\ud800", "invalid low surrogate in string"),
    ],
)
def test_what_python_reads_and_orjson_refuses_after_a_number_no_float_holds_is_named_at_its_line(
    tmp_path: Path, value: str, at: str, reason: str
) -> None:
    """NaN or Infinity (no JSON) or a lone surrogate, which Python's parser takes, after a carried ``"area":
    1e400``: load and validate said ``invalid JSON: JSON is malformed: invalid character (byte 120)``, naming no
    line (validate named the number for NaN: ``number is infinity when parsed as double``)."""
    text = json.dumps(_doc(note="X"), indent=1).replace('"area": 4', '"area": 1e400').replace('"X"', value)
    src = tmp_path / "instances_val.json"
    src.write_text(text)
    pos = text.index(at)
    line, column = text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)
    message = f"invalid JSON at column {column}: {reason}"
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}:{line}: {message}"
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (f":{line}", message)


_BBOX = "bbox must be 4 numbers [x, y, width, height]"


@pytest.mark.parametrize(
    ("field", "value", "pointer", "message", "schema"),
    [
        ("bbox", '["x", 1e400, 1, 1]', "bbox/0", f'{_BBOX} (found "x")', None),
        ("bbox", "[1, null, 1e400, 1]", "bbox/1", f"{_BBOX} (found null)", None),
        ("bbox", "[1, true, 2, 1e400]", "bbox/1", f"{_BBOX} (found true)", None),
        (
            "segmentation",
            '[[1, 2, 3, 4, 5, 6], [1, "x", 1e400, 1, 1, 1]]',
            "segmentation/1/1",
            'segmentation must be a list of polygons (lists of numbers) (found "x")',
            None,
        ),
        ("keypoints", "[1, null, 1e400]", "keypoints/1", "keypoints must be numbers (found null)", None),
    ],
)
def test_a_value_that_is_no_number_is_shown_beside_a_number_no_float_holds(
    tmp_path: Path, field: str, value: str, pointer: str, message: str, schema: str | None
) -> None:
    """Where a bbox, polygon or keypoint set held 1e400 after the value that is no number, the error showed
    msgspec's words instead of the value (``found Expected `float`, got `str```), as the value was looked up by
    decoding the whole list, which 1e400 stops; it is said as without the 1e400 (``validate`` gave a bbox's in
    the schema's words until 2026-12-07, ``'x' is not of type 'number'``: now in a conversion's, as the others)."""
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(_doc(**{field: "@"})).replace('"@"', value))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}#/annotations/0/{pointer}: {message}"
    (finding,) = labelkit.validate(src)
    assert (finding.where, finding.message) == (f"#/annotations/0/{pointer}", schema or message)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("link", "cannot read: No such file or directory"),
        ("folder", "cannot read: Is a directory"),
        ("fifo", "cannot read: not a regular file"),
    ],
)
def test_a_coco_layout_whose_only_file_cannot_be_read_is_named(tmp_path: Path, kind: str, message: str) -> None:
    """A folder whose only annotation file was a link to no file (a DVC or git-annex checkout without its cache), a
    FIFO or a folder was 'no format recognises this input', naming no file; beside a readable file it was named."""
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    bad = root / "annotations/instances_val.json"
    if kind == "link":
        bad.symlink_to(tmp_path / "annex/objects/gone")
    elif kind == "folder":
        bad.mkdir()
    else:
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs on this system")
        os.mkfifo(bad)
    assert labelkit.detect(root).format == "coco"
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert str(err.value) == f"{bad}: {message}"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("layout", ["annotations/instances_val.json", "train/_annotations.coco.json"])
def test_a_fifo_in_a_coco_folder_is_never_waited_on(tmp_path: Path, layout: str) -> None:
    """A FIFO among a COCO folder's files was read as a pipe: one that a writer held open without writing made
    info, validate and convert wait forever (one that nobody writes read as empty: invalid JSON). It is now
    refused before it is opened, as YOLO and VOC refuse theirs; a pipe given as the input itself is still read."""
    root = tmp_path / "coco"
    fifo = root / layout
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    writer = os.open(fifo, os.O_RDWR)  # (holds it open without writing: a reader waits for more)
    error = f"{fifo}: cannot read: not a regular file\n"
    try:
        for command, expected in [
            (["info", str(root)], (2, "", f"labelkit: error: {error}")),
            (["validate", str(root)], (1, error, "")),
            (["convert", str(root), str(tmp_path / "out"), "--to", "labelkit"], (2, "", f"labelkit: error: {error}")),
        ]:
            done = subprocess.run(
                [sys.executable, "-m", "labelkit", *command], capture_output=True, text=True, timeout=60
            )
            assert (done.returncode, done.stdout, done.stderr) == expected
    finally:
        os.close(writer)
    assert labelkit.detect(root).format == "coco"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coco"]


# -- reading: errors and what is carried ----------------------------------------------------------------------


@pytest.mark.parametrize("labels", [True, False], ids=["detect", "classify"])
def test_a_yolo_folder_beside_a_coco_file_that_cannot_be_read_stays_yolo(tmp_path: Path, labels: bool) -> None:
    """A COCO file that cannot be read (a link to no file: a DVC or git-annex checkout without it) beside a YOLO
    dataset made the folder 'ambiguous input' (YOLO without a names file), or COCO (YOLO classify): only where
    no other format answers is it the COCO reader's error naming the file."""
    root = tmp_path / "data"
    image = root / ("images/train/a.jpg" if labels else "train/cat/a.jpg")
    image.parent.mkdir(parents=True)
    image.write_bytes(b"")
    if labels:
        (root / "labels/train").mkdir(parents=True)
        (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "annotations").mkdir()
    (root / "annotations/instances_train.json").symlink_to(tmp_path / "annex/objects/gone")
    assert labelkit.detect(root).format == "yolo"


def test_a_folder_without_coco_files_and_one_of_panoptic_files_only_are_errors_naming_it(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError) as err:
        labelkit.load(empty, "coco")
    assert str(err.value) == (
        f"{empty}: no COCO files found (expected annotations/<task>_<split>.json or <split>/_annotations.coco.json)"
    )
    panoptic = tmp_path / "panoptic"
    (panoptic / "annotations").mkdir(parents=True)
    (panoptic / "annotations/panoptic_val.json").write_text('{"images": [], "annotations": [], "categories": []}')
    with pytest.raises(InputError) as err:
        labelkit.load(panoptic)
    assert str(err.value) == f"{panoptic}: no readable COCO files (panoptic files are not supported)"


@pytest.mark.parametrize(("field", "value"), [("attributes", [1, "x"]), ("attributes", "x"), ("segmentation", None)])
def test_an_annotation_field_the_model_does_not_hold_is_carried_and_written_back(
    tmp_path: Path, field: str, value: Any
) -> None:
    """``attributes`` that is no object and a box's ``"segmentation": null`` are carried as ``coco:`` extras and
    written back as read (``validate`` reports the null segmentation, which COCO's readers cannot draw)."""
    src = _write(tmp_path, _doc(**{field: value}))
    (obj,) = labelkit.load(src).objects()
    assert (obj.attributes, obj.extras) == ({}, {"coco:area": 4, "coco:iscrowd": 0, f"coco:{field}": value})
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == report.transformed == []
    assert (tmp_path / "out/annotations/instances_val.json").read_bytes() == _compact(src)
    findings = [(f.where, f.message) for f in labelkit.validate(src)]
    schema = "null is not valid under any of the given schemas"
    assert findings == ([("#/annotations/0/segmentation", schema)] if field == "segmentation" else [])


@pytest.mark.parametrize(
    ("annotation", "task"),
    [
        ({"caption": "a cat"}, "captions"),
        ({"bbox": [1, 1, 2, 2], "keypoints": [1, 1, 2], "num_keypoints": 1}, "person_keypoints"),
        ({}, "labels"),
        ({"bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}, "instances"),
    ],
)
def test_the_task_of_a_file_not_named_by_it_is_its_first_annotations(
    tmp_path: Path, annotation: dict[str, Any], task: str
) -> None:
    """A file named otherwise than ``<task>_<split>.json`` is a captions, keypoints, labels or instances file by its
    first annotation, and written back as one (of the split ``default``, the same JSON)."""
    doc = _doc()
    doc["annotations"] = [{"id": 1, "image_id": 1, "category_id": 1, **annotation}]
    src = _write(tmp_path, doc, "mydata.json")
    (spec,) = labelkit.load(src).info.extras["coco:files"]
    assert (spec["task"], spec["split"]) == (task, None)
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert [p.name for p in (tmp_path / "out/annotations").iterdir()] == [f"{task}_default.json"]
    assert json.loads((tmp_path / f"out/annotations/{task}_default.json").read_bytes()) == doc


# -- writing: rare cases --------------------------------------------------------------------------------------


def _one_object(media: Media, **fields: Any) -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=media))
    ds.add(Object(id="1", item_id="1", category_id=1, **fields))
    return ds


_HUGE = (
    "COCO JSON cannot hold the rectangle of the box [1.7e+308, 1.7e+308, 1.7e+308, 1.7e+308], written as the "
    "segmentation of object '1', which has none: its far corner (x + width, y + height) is past float64's range"
)
_HUGE_HINT = (
    "; hint: no COCO file holds it (JSON has no infinity): give the object a finite box, or an image size to clip it to"
)
_VAST = "COCO JSON cannot hold the area of object '1': it is past float64's range"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bbox": (1.7e308, 1.7e308, 1.7e308, 1.7e308)}, _HUGE),
        ({"bbox": (0.0, 0.0, 1e200, 1e200)}, _VAST),
        ({"polygon": [[0.0, 0.0, 1e200, 0.0, 1e200, 1e200]]}, _VAST),
    ],
    ids=["box corner", "box area", "polygon area"],
)
def test_a_rectangle_or_area_past_float64s_range_is_refused_not_written_as_invalid_json(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    """On an image of unknown size (nothing to clip to), a box-only object whose far corner overflows float64 was
    written with ``inf`` in its segmentation (invalid JSON: the output did not read back), and an object whose
    area overflows it with ``"area": null`` (COCOeval compares areas); both are refused, writing nothing. The plan
    refuses them as writing does: a dry run (and ``plan``) passed, with exit 0, where the conversion was refused."""
    ds = _one_object(Media(path="1.jpg"), **fields)
    for dry_run in (True, False):
        with pytest.raises(OutputError) as err:
            labelkit.save(ds, tmp_path / "out", "coco", dry_run=dry_run, allow_loss=True)
        assert err.value.message == message
    with pytest.raises(OutputError) as err:
        labelkit.plan(ds, "coco")
    assert err.value.message == message
    assert not (tmp_path / "out").exists()
    src = tmp_path / "in.labelkit.json"
    labelkit.save(ds, src, "labelkit")
    done = subprocess.run(
        [sys.executable, "-m", "labelkit", "convert", str(src), str(tmp_path / "out"), "--to", "coco", "--dry-run"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    hint = _HUGE_HINT if message == _HUGE else ""  # (the object named: it named no object, nor its item's file)
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"labelkit: error: {tmp_path / 'out'}: {message}{hint}\n",
    )


def test_the_plan_measures_a_polygon_not_its_box_past_float64s_range(tmp_path: Path) -> None:
    """An object's area is its polygon's, not its box's: a box whose w * h is past float64's range beside a
    polygon of a finite area is written (the plan's check measures what the writer measures)."""
    ring = [[0.0, 0.0, 4.0, 0.0, 4.0, 4.0]]
    ds = _one_object(Media(path="1.jpg"), bbox=(0.0, 0.0, 1e200, 1e200), polygon=ring)
    labelkit.save(ds, tmp_path / "out", "coco", dry_run=True)
    labelkit.save(ds, tmp_path / "out", "coco")
    (ann,) = json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"]
    assert (ann["segmentation"], ann["bbox"], ann["area"]) == (ring, [0.0, 0.0, 1e200, 1e200], 8.0)


def test_the_plan_scans_no_polygon_for_vast_areas_when_every_object_carries_its_area(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """COCO -> COCO writes every object's area as read: the plan's check of areas past float64's range measures
    none, yet it scanned every polygon coordinate (per-object work the writer does not do: 2% of a 200,000-object
    conversion). It scans only when some object's area is measured."""
    import pyarrow.compute as pc

    from labelkit.formats import coco_shapes

    ds = labelkit.load(Path(__file__).parent.parent / "fixtures/coco/annotations/instances_val.json")
    scanned: list[int] = []
    real = pc.min_max
    monkeypatch.setattr(coco_shapes.pc, "min_max", lambda values, *a, **k: scanned.append(len(values)) or real(values))
    labelkit.plan(ds, "coco")
    assert scanned == []


@pytest.mark.parametrize(
    ("segmentation", "held"),
    [
        ([[1, 2, 3, 2, 3, 4]], True),
        ({"size": [10, 10], "counts": [100]}, True),
        ({"size": [10, 10], "counts": ";280U2"}, True),
        ({"size": [10, 10], "counts": [True]}, False),
        ({"size": [10, True], "counts": [100]}, False),
        ({"size": [10], "counts": [100]}, False),
        ({"size": [10, 10], "counts": [1.5]}, False),
        ({"counts": [100]}, False),
        ([[True, 1, 2, 3, 4, 5]], False),
        ({"size": [0, 0], "counts": []}, False),  # (of another size than its image: read, it is refused)
        ({"size": [10, 10], "counts": [50]}, False),  # (counts that do not fill 10 x 10)
        ({"size": [10, 10], "counts": [-1, 101]}, False),
        ({"size": [10, 10], "counts": "52"}, False),
        ({"size": [10, 10], "counts": "!!"}, False),  # (no compressed RLE string)
        ({"size": [-10, 10], "counts": [0]}, False),
        ([[1, 2, 3, 2]], False),  # (a ring of fewer than 3 points)
        ([[1, 2, 3, 2, 3, 4, 5]], False),  # (an odd number of coordinates)
        ([[1, 2, 3, 2, 3, 4], []], False),
    ],
)
def test_a_carried_segmentation_is_written_only_when_cocos_reader_reads_it(
    tmp_path: Path, segmentation: Any, held: bool
) -> None:
    """A ``coco:segmentation`` extra (from labelkit JSON, or code) is written as the object's segmentation when
    COCO's reader reads it (polygons of rings of 3 points or more, an RLE of its image's size whose counts fill it),
    and reported lost otherwise, by the plan (a dry run) as by the write (the box's rectangle written instead): an
    RLE counting ``true`` (an int to Python) was written, and so were RLEs whose counts did not add up to their
    size, RLEs of another size than their image and rings of 2 points: the output did not read back."""
    ds = _one_object(
        Media(path="1.jpg", width=10, height=10), bbox=(1, 1, 2, 2), extras={"coco:segmentation": segmentation}
    )
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    lost = [] if held else [("coco:segmentation extras COCO cannot hold", 1)]
    assert [(c.what, c.count) for c in report.lost] == lost
    assert planned.lost == report.lost
    if not held:
        assert report.lost[0].reason == (
            "COCO's reader refuses a segmentation that is not null, polygons (rings of 3 points or more) or an RLE "
            "of its image's size whose counts fill it: not written"
        )
    assert labelkit.validate(tmp_path / "out") == []
    (ann,) = json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"]
    assert ann["segmentation"] == (segmentation if held else [[1, 1, 3, 1, 3, 3, 1, 3]])
    (obj,) = labelkit.load(tmp_path / "out").objects()
    assert obj.bbox == (1, 1, 2, 2)


def test_boxes_carrying_an_empty_segmentation_are_not_decoded_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Objects365 gives every box ``"segmentation": []``, carried as ``coco:segmentation``: the plan's check of
    extras named as the record's own fields decoded every object's extras, one by one (a third more CPU for a
    200,000-box conversion), though the record writes no segmentation of its own beside them. Only rows that may
    hold one to take out are decoded."""
    from labelkit.formats import coco_own

    doc = _doc(segmentation=[], isfake=0)
    doc["annotations"].append({**doc["annotations"][0], "id": 2, "segmentation": [[1, 1, 3, 1, 3, 3]]})
    ds = labelkit.load(_write(tmp_path, doc))
    decoded: list[str] = []
    members_or_raw = coco_own.members_or_raw
    monkeypatch.setattr(coco_own, "members_or_raw", lambda text: decoded.append(text) or members_or_raw(text))
    assert labelkit.plan(ds, "coco").lost == []
    assert decoded == []
    labelkit.save(ds, tmp_path / "out", "coco")
    assert (
        json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"] == doc["annotations"]
    )


def test_a_carried_segmentation_beside_a_polygon_or_mask_is_reported_lost_not_written_twice(tmp_path: Path) -> None:
    """An object with a polygon or mask of its own and a ``coco:segmentation`` extra (from labelkit JSON, or code) had
    both written, the key twice in its record: readers keep the last, the carried one (another shape, unsaid), and
    ``validate`` refused the file. The extra is taken out and reported lost, by the plan (a dry run) as by the
    write; a box-only object's is still written as its segmentation."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=4, height=4)))
    carried_rle = {"coco:segmentation": {"size": [4, 4], "counts": [16]}}
    ds.add(Object(id="1", item_id="1", category_id=1, polygon=[[0, 0, 2, 0, 2, 2]], extras=carried_rle))
    ring = {"coco:segmentation": [[1, 1, 3, 1, 3, 3]], "coco:x": 1}
    ds.add(Object(id="2", item_id="1", category_id=1, shape="mask", mask=Rle(size=(4, 4), counts=[0, 16]), extras=ring))
    ds.add(
        Object(
            id="3", item_id="1", category_id=1, bbox=(1, 1, 2, 2), extras={"coco:segmentation": [[1, 1, 3, 1, 3, 3]]}
        )
    )
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "object annotations' coco: extras named as their record's own fields",
            2,
            "COCO's record writes its own id, image_id, category_id, score, bbox, segmentation (of a polygon or "
            "mask) and keypoints: extras of those names (coco:id, ...) are not written (the record held the key "
            "twice, and readers keep the last)",
        )
    ]
    assert planned.lost == report.lost
    text = (tmp_path / "out/annotations/instances_val.json").read_text()
    assert [a["segmentation"] for a in json.loads(text)["annotations"]] == [
        [[0, 0, 2, 0, 2, 2]],
        {"size": [4, 4], "counts": [0, 16]},
        [[1, 1, 3, 1, 3, 3]],
    ]
    assert text.count('"segmentation":') == 3
    assert labelkit.validate(tmp_path / "out") == []
    back = list(labelkit.load(tmp_path / "out").objects())
    assert back[1].extras == {"coco:x": 1, "coco:area": 16.0, "coco:iscrowd": 0}


def test_carried_keypoints_beside_an_objects_own_are_reported_lost_not_written_twice(tmp_path: Path) -> None:
    """An object with keypoints of its own and a ``coco:keypoints`` extra had both written, the key twice in its
    record: readers keep the last, the carried points, unsaid. The extra is taken out and reported lost."""
    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p"])])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    extras = {"coco:keypoints": [2, 2, 2]}
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2), keypoints=[1, 1, 2], extras=extras))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("object annotations' coco: extras named as their record's own fields", 1)
    ]
    assert planned.lost == report.lost
    text = (tmp_path / "out/annotations/instances_val.json").read_text()
    assert text.count('"keypoints":') == 2  # (the category's names, the object's points)
    assert json.loads(text)["annotations"][0]["keypoints"] == [1, 1, 2]
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize(
    "extras", [{"coco:bbox": [1, 2]}, {"coco:keypoints": [1, 1, 7]}, {"coco:segmentation": "9"}], ids=str
)
def test_an_object_without_geometry_is_lost_once_not_also_for_a_carried_field_cocos_reader_refuses(
    tmp_path: Path, extras: dict[str, Any]
) -> None:
    """An object with no geometry is not written, lost whole ('objects without a box, polygon, mask or labelled
    keypoints'): a ``coco:bbox`` extra of it that COCO's reader refuses was counted lost too, a second line for the
    one object (its ``coco:keypoints`` or ``coco:segmentation`` was not)."""
    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p"])])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, extras=extras))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("objects without a box, polygon, mask or labelled keypoints", 1)
    ]
    assert planned.lost == report.lost


def test_carried_keypoints_beside_the_zero_keypoints_written_are_reported_lost_not_written_twice(
    tmp_path: Path,
) -> None:
    """An object without keypoints of a category with keypoint names is written with zero keypoints of its own
    (num_keypoints 0); a ``coco:keypoints`` extra of it (of the right length, which COCO's reader reads) was written
    too, the key twice: readers keep the last (the carried points beside num_keypoints 0, unsaid), and validate
    refused the file. The extra is taken out and reported lost, by the plan (a dry run) as by the write."""
    ds = Dataset(categories=[Category(id=1, name="a", keypoints=["p"])])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2), extras={"coco:keypoints": [2, 2, 2]}))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("object annotations' coco: extras named as their record's own fields", 1)
    ]
    assert [(c.what, c.count) for c in report.transformed if "keypoints" in c.what] == [
        ("objects without keypoints of a category with keypoint names", 1)
    ]
    assert planned.lost == report.lost
    text = (tmp_path / "out/annotations/instances_val.json").read_text()
    assert text.count('"keypoints":') == 2  # (the category's names, the object's zeros)
    (ann,) = json.loads(text)["annotations"]
    assert (ann["keypoints"], ann["num_keypoints"]) == ([0, 0, 0], 0)
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("extras", "held"),
    [
        ({"coco:bbox": [1, 1, 4, 4]}, True),
        ({"coco:bbox": None}, True),
        ({"coco:bbox": "9"}, False),
        ({"coco:bbox": [1, 2]}, False),
        ({"coco:bbox": [1, 1, -4, 4]}, False),  # (a negative width)
        ({"coco:bbox": [1, 1, 40, 4]}, False),  # (reaching outside the 10 x 10 image)
        ({"coco:keypoints": [1, 1, 2]}, True),
        ({"coco:keypoints": "9"}, False),
        ({"coco:keypoints": [1, 1]}, False),  # (no x, y, v triple)
        ({"coco:keypoints": [1, 1, 7]}, False),  # (a visibility other than 0, 1 and 2)
        ({"coco:keypoints": [1, 1, True]}, False),
    ],
)
def test_a_carried_box_or_keypoints_is_written_only_when_cocos_reader_reads_it(
    tmp_path: Path, extras: dict[str, Any], held: bool
) -> None:
    """An object's ``coco:bbox`` (beside no box of its own) or ``coco:keypoints`` (beside no keypoints) is written
    as its record's: one COCO's reader refuses made a file it refused ('bbox has a negative width or height'),
    written unreported. It is reported lost, by the plan (a dry run) too, and the box derived from the polygon is
    written (no keypoints)."""
    polygon = [[1.0, 1.0, 5.0, 1.0, 5.0, 5.0]]
    ds = _one_object(Media(path="1.jpg", width=10, height=10), polygon=polygon, extras=extras)
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    (key,) = extras
    reason = {
        "coco:bbox": "COCO's reader refuses a bbox that is not 4 numbers or reaches outside its image: not written",
        "coco:keypoints": "COCO's reader refuses keypoints that are not x, y, v triples of its category's points: "
        "not written",
    }[key]
    assert [(c.what, c.count, c.reason) for c in report.lost] == (
        [] if held else [(f"{key} extras COCO cannot hold", 1, reason)]
    )
    assert planned.lost == report.lost
    (ann,) = json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"]
    name = key.removeprefix("coco:")
    assert ann.get(name, "none") == (extras[key] if held else [1, 1, 4, 4] if name == "bbox" else "none")
    labelkit.load(tmp_path / "out")


def test_extras_that_would_read_back_as_another_kind_are_reported_lost_not_written(tmp_path: Path) -> None:
    """A label's ``coco:segmentation`` (``coco:bbox``, ``coco:keypoints``, ``coco:caption``) and an object's
    ``coco:caption`` were written into its record: COCO's reader takes an annotation with a segmentation for an
    object and one with a caption for a caption, so the label read back as an object (or the file was refused: a
    segmentation of 2 points) and the object as a caption, unsaid. They are reported lost and not written."""
    from labelkit.model import Label

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    for i, extras in enumerate(
        [{"coco:segmentation": [[1, 1, 3, 1, 3, 3]]}, {"coco:segmentation": [[1, 2]], "coco:x": 1}, {"coco:bbox": None}]
    ):
        ds.add(Label(id=f"l{i}", item_id="1", category_id=1, extras=extras))
    ds.add(Label(id="l3", item_id="1", category_id=1, extras={"coco:caption": "a dog", "coco:id": 9}))
    ds.add(Object(id="o", item_id="1", category_id=1, bbox=(1, 1, 2, 2), extras={"coco:caption": "a dog"}))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "label annotations' coco: extras named as their record's own fields",
            1,
            "COCO's record writes its own id, image_id, category_id, score, bbox, segmentation (of a polygon or "
            "mask) and keypoints: extras of those names (coco:id, ...) are not written (the record held the key "
            "twice, and readers keep the last)",
        ),
        (
            "label annotations' coco:bbox, coco:segmentation, coco:keypoints or coco:caption extras",
            4,
            "COCO's reader reads an annotation with a bbox, segmentation or keypoints as an object, one with a caption "
            "as a caption: a label's are not written (the label read back as an object or caption)",
        ),
        (
            "object annotations' coco:caption extras",
            1,
            "COCO's reader reads an annotation with a caption as a caption: an object's coco:caption is not written "
            "(the object read back as a caption)",
        ),
    ]
    assert planned.lost == report.lost
    labels = json.loads((tmp_path / "out/annotations/labels_val.json").read_bytes())["annotations"]
    assert labels == [
        {"id": 1, "image_id": 1, "category_id": 1},
        {"id": 2, "image_id": 1, "category_id": 1, "x": 1},
        {"id": 3, "image_id": 1, "category_id": 1},
        {"id": 4, "image_id": 1, "category_id": 1},
    ]
    back = labelkit.load(tmp_path / "out")
    kinds = (len(list(back.objects())), len(list(back.labels())), len(list(back.transcripts())))
    assert kinds == (1, 4, 0)
    assert labelkit.validate(tmp_path / "out") == []


def test_a_captions_carried_caption_is_reported_lost_not_written_twice(tmp_path: Path) -> None:
    """A caption's ``coco:caption`` extra (from labelkit JSON, or code) was written beside the caption its record
    writes from its text, the key twice: readers keep the last (the carried one, unsaid) and validate refused the
    file. It is taken out and reported lost, by the plan (a dry run) as by the write, as the other extras named as
    the record's own fields."""
    from labelkit.model import Transcript

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    ds.add(Transcript(id="1", item_id="1", text="a dog", extras={"coco:caption": "a cat", "coco:x": 1}))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "transcript annotations' coco: extras named as their record's own fields",
            1,
            "COCO's caption record writes its own id, image_id, score and caption: extras of those names (coco:id, "
            "...) are not written (the record held the key twice, and readers keep the last)",
        )
    ]
    assert planned.lost == report.lost
    assert labelkit.validate(tmp_path / "out") == []
    (caption,) = json.loads((tmp_path / "out/annotations/captions_val.json").read_bytes())["annotations"]
    assert caption == {"id": 1, "image_id": 1, "caption": "a dog", "x": 1}


def test_captions_regions_as_read_from_coco_are_not_decoded_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's check of a caption's carried region (a box, polygons, keypoints, null) decoded every one, one by
    one: a dense-captions file of 200,000 region captions took a third longer to convert. A region whose text is
    one COCO's reader reads (numbers, pretty-printed too) is told by its text; an RLE, or a region of another
    type, is decoded."""
    from labelkit.formats import coco_own

    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [
            {"id": 1, "image_id": 1, "caption": "a", "bbox": [1, 2.5, 3, 4e-2]},
            {"id": 2, "image_id": 1, "caption": "b", "segmentation": [[1, 1, 3, 1, 3, 3], []], "bbox": None},
            {"id": 3, "image_id": 1, "caption": "c", "keypoints": [1, 1, 2]},
            {"id": 4, "image_id": 1, "caption": "d", "segmentation": {"size": [10, 10], "counts": [100]}},
        ],
    }
    (tmp_path / "in").mkdir()
    (tmp_path / "in/captions_val.json").write_text(json.dumps(doc, indent=1))
    ds = labelkit.load(tmp_path / "in")
    decoded: list[str] = []
    holds = coco_own._holds
    monkeypatch.setattr(coco_own, "_holds", lambda value, name: decoded.append(name) or holds(value, name))
    assert labelkit.plan(ds, "coco").lost == []
    assert decoded == ["segmentation"]  # (the RLE's)
    labelkit.save(ds, tmp_path / "out", "coco")
    written = json.loads((tmp_path / "out/annotations/captions_val.json").read_bytes())
    assert written["annotations"] == doc["annotations"]


def test_a_captions_region_of_another_type_is_reported_lost_not_written(tmp_path: Path) -> None:
    """A caption's ``coco:segmentation`` (``coco:bbox``, ``coco:keypoints``) rides in its extras and is written back
    as read: one of a type COCO's reader refuses (a string, a box of 2 numbers) made a file it refused ('Expected
    `object | array | null`, got `str`'), written unreported. It is reported lost and not written; one of its type
    (polygons, an RLE, null) is written as it is."""
    from labelkit.model import Transcript

    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    ds.add(Transcript(id="1", item_id="1", text="a", extras={"coco:segmentation": "9", "coco:x": 1}))
    ds.add(Transcript(id="2", item_id="1", text="b", extras={"coco:bbox": [1, 2], "coco:keypoints": [1, 1, 2]}))
    ds.add(Transcript(id="3", item_id="1", text="c", extras={"coco:segmentation": [[1, 2]], "coco:bbox": None}))
    planned = labelkit.plan(ds, "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        (
            "transcript annotations' coco:bbox, coco:segmentation or coco:keypoints extras",
            2,
            "COCO's reader refuses a caption's region of another type than an object's: not written",
        )
    ]
    assert planned.lost == report.lost
    captions = json.loads((tmp_path / "out/annotations/captions_val.json").read_bytes())["annotations"]
    assert captions == [
        {"id": 1, "image_id": 1, "caption": "a", "x": 1},
        {"id": 2, "image_id": 1, "caption": "b", "keypoints": [1, 1, 2]},
        {"id": 3, "image_id": 1, "caption": "c", "segmentation": [[1, 2]], "bbox": None},
    ]
    assert [t.text for t in labelkit.load(tmp_path / "out").transcripts()] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("segmentation", "place", "found"),
    [
        ({"size": [10, 10], "counts": [True]}, "counts/0", "expected an integer, found true"),
        ({"size": [10, False], "counts": [100]}, "size/1", "expected an integer, found false"),
        (
            {"size": [10, 10], "counts": [10**20]},
            "counts/0",
            "expected an integer <= 9223372036854775807, found 10" + "0" * 19,
        ),
    ],
)
def test_an_rle_value_of_the_wrong_type_is_shown_as_json(
    tmp_path: Path, segmentation: Any, place: str, found: str
) -> None:
    """A boolean in an RLE's size or counts was shown as Python writes it, ``found True``."""
    src = _write(tmp_path, _doc(segmentation=segmentation))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == (
        f"{src}#/annotations/0/segmentation/{place}: segmentation must be polygons or an RLE {{size, counts}} ({found})"
    )


@pytest.mark.parametrize(
    ("text", "error", "findings"),
    [
        ("true", "#: Expected an object, got a boolean", [("#", "true is not valid under any of the given schemas")]),
        (' "x"', "#: Expected an object, got a string", [("#", "'x' is not valid under any of the given schemas")]),
        (
            '{"images": [1], "annotations": [3, {"id": 1}], "categories": ["c"]}',
            "#/images/0: Expected an object, got an integer",
            [
                ("#/annotations/0", "3 is not of type 'object'"),
                ("#/annotations/1/category_id", "missing required field 'category_id' or 'caption'"),
                ("#/annotations/1/image_id", "missing required field 'image_id'"),
                ("#/categories/0", "'c' is not of type 'object'"),
                ("#/images/0", "1 is not of type 'object'"),
            ],
        ),
        (
            "[1, 2]",
            "#/0: Expected an object, got an integer",
            [("#/0", "1 is not of type 'object'"), ("#/1", "2 is not of type 'object'")],
        ),
    ],
    ids=["true", "a string", "records that are no objects", "results that are no objects"],
)
def test_a_document_or_record_that_is_no_object_is_refused_and_each_is_a_finding(
    tmp_path: Path, text: str, error: str, findings: list[tuple[str, str]]
) -> None:
    src = tmp_path / "instances_val.json"
    src.write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(src, "coco")
    assert str(err.value) == f"{src}{error}"
    assert sorted((f.where, f.message) for f in labelkit.validate(src, "coco")) == findings


_SKIP = "; hint: pass -o skip_invalid=true to skip bad annotations"


@pytest.mark.parametrize(
    ("field", "value", "place", "message", "schema"),
    [
        ("segmentation", [[1, 1, 2, 2], [1, 1, 2, 2, 3]], "segmentation/0", "polygon has fewer than 3 points", None),
        ("keypoints", [1, 1, 5, 2, 2, 7], "keypoints/2", "keypoint visibility must be 0, 1 or 2 (found 5)", None),
        (
            "segmentation",
            {"size": [10, 10], "counts": [5, 5]},
            "segmentation/counts",
            "RLE counts add up to 10, not 100 (height x width)",
            None,
        ),
        (
            "segmentation",
            {"foo": 1, "size": [10, 10], "counts": [1, "x"]},
            "segmentation/counts/1",
            'segmentation must be polygons or an RLE {size, counts} (expected an integer, found "x")',
            "'x' is not of type 'integer'",
        ),
    ],
    ids=["two bad rings", "two bad visibilities", "list counts", "an RLE's other field before a bad count"],
)
def test_an_annotation_with_a_bad_geometry_is_one_error_and_one_finding(
    tmp_path: Path, field: str, value: Any, place: str, message: str, schema: str | None
) -> None:
    """The first problem of the annotation, once (a second bad ring or visibility of it is no second finding); an
    RLE with a field no RLE has (read without it, with a note) and a bad count is said as without that field."""
    src = _write(tmp_path, _doc(**{field: value}))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}#/annotations/0/{place}: {message}" + ("" if schema else _SKIP)
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [(f"#/annotations/0/{place}", schema or message)]


@pytest.mark.parametrize(("area", "notes"), [("1e400", []), ("-1e400", ["-1e400"])])
def test_an_area_no_float_holds_is_carried_as_written(tmp_path: Path, area: str, notes: list[str]) -> None:
    """A negative one, which COCO does not allow, is noted (and a validate finding, as -inf); either is written back
    as the file spelled it."""
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(_doc()).replace('"area": 4', f'"area": {area}'))
    ds = labelkit.load(src)
    assert ds.read_notes == [
        f"instances_val.json: 1 area value COCO does not allow (first: #/annotations/0/area is {n}), carried as read; "
        "labelkit validate lists them"
        for n in notes
    ]
    findings = [(f.where, f.message) for f in labelkit.validate(src)]
    assert findings == [("#/annotations/0/area", "-inf is less than the minimum of 0")] * len(notes)
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert (tmp_path / "out/annotations/instances_val.json").read_bytes() == _compact_text(src)


def _compact_text(path: Path) -> bytes:
    return path.read_bytes().replace(b" ", b"")


@pytest.mark.parametrize(
    ("field", "value", "found"),
    [
        ("bbox", "x", '"x"'),
        ("bbox", 5, "5"),
        ("bbox", {"x": 1}, "an object"),
        ("keypoints", None, "null"),
        ("keypoints", True, "true"),
        ("keypoints", {"x": 1}, "an object"),
    ],
)
def test_a_bbox_or_keypoints_that_is_no_list_is_shown_as_a_segmentation_is(
    tmp_path: Path, field: str, value: Any, found: str
) -> None:
    """They showed msgspec's words, ``found Expected `array | null`, got `str```, where a segmentation of the wrong
    type shows the value (``found "x"``)."""
    src = _write(tmp_path, _doc(**{field: value}))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    what = "bbox must be 4 numbers [x, y, width, height]" if field == "bbox" else "keypoints must be a list of numbers"
    assert str(err.value) == f"{src}#/annotations/0/{field}: {what} (found {found})"


@pytest.mark.parametrize(
    ("bbox", "found"), [("[1, 2, 3, 4, 1e400]", "5 numbers"), ("[1, 2, 3, 4, 5, 1e400]", "6 numbers")]
)
def test_a_bbox_of_another_length_holding_a_number_no_float_holds_is_shown_by_its_length(
    tmp_path: Path, bbox: str, found: str
) -> None:
    """A box of 5 numbers, one of them 1e400, showed ``found an array`` (msgspec's words before), where a box of
    another length shows how many numbers it holds."""
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(_doc(bbox="X")).replace('"X"', bbox))
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}#/annotations/0/bbox: bbox must be 4 numbers [x, y, width, height] (found {found})"


def test_an_object_id_of_0_beside_the_largest_id_numbers_the_split_1_to_n(tmp_path: Path) -> None:
    """An id of 0 (which COCOeval takes for no match) was kept as 0, without a word, where the split's largest id
    left no number free above it; the split's ids are then numbered 1..N, as for repeated ids, each reported."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", split="val", media=Media(path="1.jpg", width=10, height=10)))
    for i in ("0", str(2**63 - 1)):
        ds.add(Object(id=i, item_id="1", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    ids = [a["id"] for a in json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"]]
    assert ids == [1, 2]
    assert [(c.what, c.count, c.reason) for c in report.transformed if c.what == "annotation ids"] == [
        (
            "annotation ids",
            2,
            "the largest id leaves no number free above it (COCO ids are 64-bit integers): all numbered 1..N",
        ),
    ]


_RESULT = {"image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("results_val.json", json.dumps([_RESULT])[:-10], ":1: invalid JSON at column 62: unexpected end of data"),
        ("results_val.json", json.dumps([_RESULT]).replace("0.5", "1e400"), "#/0/score: Number out of range"),
        (
            "instances_val.json",
            json.dumps({"x": 1, **_doc()}).replace('"annotations": [', '"annotations": 5, "y": ['),
            "#/annotations: Expected an array, got an integer",
        ),
        (
            "instances_val.json",
            json.dumps(_doc(caption=5, extra=1)),
            "#/annotations/0/caption: Expected a string, got an integer",
        ),
    ],
    ids=[
        "a results list cut short",
        "a score no float holds",
        "annotations no list beside another key",
        "a caption no text beside an unknown field",
    ],
)
def test_errors_of_the_two_pass_decode_name_their_place(tmp_path: Path, name: str, text: str, error: str) -> None:
    """A results list, a document with other top-level keys and one with unknown annotation fields are decoded in
    two passes (annotations kept raw, then decoded a chunk at a time): their errors are at the file's places."""
    src = tmp_path / name
    src.write_text(text)
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{src}{error}"


def test_a_memory_mapped_file_read_a_chunk_at_a_time_gives_the_same_dataset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A lone file is decoded in one pass from a memory map whose pages are let go after each chunk is built."""
    from labelkit.formats import coco_read

    doc = _doc()
    doc["annotations"] += [{**doc["annotations"][0], "id": i, "bbox": [0, 0, i, 1]} for i in (2, 3)]
    src = _write(tmp_path, doc)
    whole = labelkit.load(src).to_dict()
    released: list[int] = []
    monkeypatch.setattr(coco_read, "MAP_THRESHOLD", 0)
    monkeypatch.setattr(coco_read, "ANNOTATION_CHUNK", 1)
    real_map = coco_read._map

    def counting_map(path: Path) -> Any:
        buf, release = real_map(path)
        return buf, (lambda: released.append(1) or release())

    monkeypatch.setattr(coco_read, "_map", counting_map)
    assert labelkit.load(src).to_dict() == whole
    assert len(released) == 1 + 3  # (after the decode, and after each chunk)


def test_an_object_of_a_keypoints_file_moved_to_a_split_without_one_goes_to_its_instances_file(tmp_path: Path) -> None:
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    cats = [{"id": 1, "name": "person", "keypoints": ["a"], "skeleton": []}]
    person = {"bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}
    keypoints = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, **person, "keypoints": [1, 1, 2], "num_keypoints": 1}
        ],
        "categories": cats,
    }
    instances = {
        "images": [{"id": 2, "file_name": "b.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 5, "image_id": 2, "category_id": 1, **person}],
        "categories": cats,
    }
    (root / "annotations/person_keypoints_val.json").write_text(json.dumps(keypoints))
    (root / "annotations/instances_train.json").write_text(json.dumps(instances))
    ds = labelkit.load(root)
    items = ds.table("items")
    at = items.schema.get_field_index("split")
    ds.set_table("items", items.set_column(at, items.schema.field(at), pa.array(["train", "train"])))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == report.transformed == []
    assert [p.name for p in (tmp_path / "out/annotations").iterdir()] == ["instances_train.json"]
    written = json.loads((tmp_path / "out/annotations/instances_train.json").read_bytes())
    assert written == {
        "images": instances["images"] + keypoints["images"],
        "annotations": instances["annotations"] + keypoints["annotations"],
        "categories": cats,
    }


def _person_files(root: Path, files: dict[str, tuple[int, bool, bool]]) -> None:
    """COCO files of one image each (name -> image id, whether its person has keypoints, whether its file names any)."""
    (root / "annotations").mkdir(parents=True)
    for name, (image, posed, named) in files.items():
        person: dict[str, Any] = {"id": image, "image_id": image, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4}
        if posed:
            person.update(keypoints=[1, 1, 2], num_keypoints=1)
        category: dict[str, Any] = {"id": 1, "name": "person"}
        if named:
            category.update(keypoints=["nose"], skeleton=[])
        document = {
            "images": [{"id": image, "file_name": f"{image}.jpg", "width": 10, "height": 10}],
            "annotations": [{**person, "iscrowd": 0}],
            "categories": [category],
        }
        (root / "annotations" / name).write_text(json.dumps(document))


@pytest.mark.parametrize(
    "files",
    [
        # a keypoints file alone in its split, an instances file naming no keypoints in the other
        {"instances_train.json": (1, False, False), "person_keypoints_val.json": (2, True, True)},
        # a split of both files, another of an instances file naming none
        {
            "instances_val.json": (1, False, False),
            "instances_train.json": (2, False, False),
            "person_keypoints_train.json": (2, True, True),
        },
        # an instances file carrying keypoints of the category it names none of (kept so on a round trip)
        {"instances_train.json": (1, True, False), "person_keypoints_val.json": (2, True, True)},
    ],
)
def test_keypoints_moved_into_an_instances_file_naming_none_bring_their_categorys_names(
    tmp_path: Path, files: dict[str, tuple[int, bool, bool]]
) -> None:
    """The instances file was written without the names of the keypoints it then held, and nothing said so."""
    _person_files(tmp_path / "coco", files)
    into = next(iter(files)).split("_")[1].removesuffix(".json")
    ds = labelkit.load(tmp_path / "coco")
    items = ds.table("items")
    at = items.schema.get_field_index("split")
    ds.set_table("items", items.set_column(at, items.schema.field(at), pa.array([into] * items.num_rows)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == report.transformed == []
    assert [p.name for p in (tmp_path / "out/annotations").iterdir()] == [f"instances_{into}.json"]
    written = json.loads((tmp_path / f"out/annotations/instances_{into}.json").read_bytes())
    assert written["categories"] == [{"id": 1, "name": "person", "keypoints": ["nose"], "skeleton": []}]
    assert {a["image_id"]: a.get("keypoints") for a in written["annotations"]} == {
        image: [1, 1, 2] if is_posed else None for image, is_posed, _ in files.values()
    }


def test_an_instances_file_with_keypoints_of_a_category_it_names_none_of_is_written_back_so(tmp_path: Path) -> None:
    """Another file names the category's keypoints: the file that named none is not given them on a round trip."""
    _person_files(
        tmp_path / "coco", {"instances_train.json": (1, True, False), "person_keypoints_val.json": (2, True, True)}
    )
    report = labelkit.convert(tmp_path / "coco", tmp_path / "out", to="coco")
    assert report.lost == report.transformed == []
    for name in ("instances_train.json", "person_keypoints_val.json"):
        assert json.loads((tmp_path / "out/annotations" / name).read_bytes()) == json.loads(
            (tmp_path / "coco/annotations" / name).read_bytes()
        )


@pytest.mark.parametrize(
    "own",
    [
        {"info": {"description": "my model"}},
        {"type": "x"},
        {"categories": [{"id": 1, "name": "a", "supercategory": "s"}]},
        {},  # (nothing of its own: written as a list, nothing lost)
    ],
)
def test_a_results_document_beside_ground_truth_reports_its_own_values_lost(
    tmp_path: Path, own: dict[str, Any]
) -> None:
    """It was written as a list of detections, its info, other keys and category fields gone, unsaid."""
    image = {"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}
    root = tmp_path / "in/annotations"
    root.mkdir(parents=True)
    truth = {"images": [image], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    (root / "instances_val.json").write_text(json.dumps(truth))
    detection = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "score": 0.5}
    document = {"images": [image], "annotations": [detection], "categories": [{"id": 1, "name": "a"}], **own}
    (root / "results_val.json").write_text(json.dumps(document))
    if not own:
        report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="coco")
        assert report.lost == []
        assert json.loads((tmp_path / "out/annotations/results_val.json").read_bytes()) == [detection]
        return
    with pytest.raises(DataLossError) as err:
        labelkit.convert(tmp_path / "in", tmp_path / "out", to="coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("COCO detection-results documents written as lists, with values of their own", 1)
    ]
    assert not (tmp_path / "out").exists()


def test_images_without_detections_of_a_results_split_are_lost_with_their_annotations(tmp_path: Path) -> None:
    from labelkit.model import Label, Transcript

    src = _write(tmp_path, [_RESULT], "results_val.json")
    ds = labelkit.load(src)
    ds.add_item(Item(id="2", split="val", media=Media(path="b.jpg", width=10, height=10)))
    ds.add(Transcript(id="t", item_id="2", text="hi"))
    ds.add(Label(id="l", item_id="2", category_id=1))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    reason = "their split is written as detection-results files, which list objects only"
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("images without detections", 1, f"{reason}: they are in no file"),
        ("label annotations on them", 1, reason),
        ("transcript annotations on them", 1, reason),
    ]
    assert (tmp_path / "out/annotations/results_val.json").read_bytes() == _compact(src)


@pytest.mark.parametrize(
    "value",
    ["coco:train2017", {"coco:bar": 5}, {"coco:segmentation": [1]}, [1, "coco:b"], [1, {"coco:b": 2}], {}],
    ids=["text", "key", "geometry key", "list", "key in a list", "empty object"],
)
def test_a_carried_field_whose_value_holds_coco_colon_is_written_back_as_read(tmp_path: Path, value: Any) -> None:
    """The writer strips ``coco:`` off the extras' keys with one replace over the text where the text's only
    strings are such keys, as it took every ``"coco:`` for: a value ``"coco:train2017"`` came back
    ``"train2017"``, and a key inside a value lost its ``coco:`` (COCO -> COCO, load then save alike)."""
    src = _write(tmp_path, _doc(source=value))
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert (tmp_path / "out/annotations/instances_val.json").read_bytes() == _compact(src)
    (obj,) = labelkit.load(src).objects()
    assert obj.extras["coco:source"] == value
    labelkit.save(labelkit.load(src), tmp_path / "saved", "coco")
    assert json.loads((tmp_path / "saved/annotations/instances_val.json").read_bytes()) == json.loads(src.read_bytes())


def test_a_carried_field_whose_name_holds_an_escaped_coco_colon_is_written_back_as_read(tmp_path: Path) -> None:
    """A field named ``a":"coco:b`` (read ``{"coco:a\\":\\"coco:b":1}``: every string a ``coco:`` one, each
    followed by a colon) took the quick way, whose one replace stripped the ``coco:`` inside the name too: it
    came back ``a":"b``."""
    src = _write(tmp_path, _doc(**{'a":"coco:b': 1}))
    labelkit.convert(src, tmp_path / "out", to="coco")
    assert (tmp_path / "out/annotations/instances_val.json").read_bytes() == _compact(src)


def test_an_image_two_files_list_with_one_field_more_is_one_item_and_each_file_keeps_its_own(tmp_path: Path) -> None:
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    image = {"id": 1, "file_name": "a.jpg", "width": 10, "height": 10, "coco_url": "u"}
    instances = {**_doc(), "images": [image]}
    captions = {"images": [{**image, "license": 3}], "annotations": [{"id": 1, "image_id": 1, "caption": "hi"}]}
    for name, doc in (("instances_val.json", instances), ("captions_val.json", captions)):
        (root / "annotations" / name).write_text(json.dumps(doc))
    ds = labelkit.load(root)
    assert ds.read_notes == []
    assert [i.metadata for i in ds.items()] == [{"coco_url": "u", "license": 3}]
    assert labelkit.validate(root) == []
    report = labelkit.convert(root, tmp_path / "out", to="coco")
    assert report.lost == report.transformed == []
    for name in ("instances_val.json", "captions_val.json"):
        assert (tmp_path / "out/annotations" / name).read_bytes() == _compact(root / "annotations" / name)


def test_a_polygon_beyond_the_smallest_images_reach_but_within_its_own_is_written_as_it_is(tmp_path: Path) -> None:
    """Every polygon is measured against its own image once one coordinate lies beyond the smallest image's reach."""
    ds = _one_object(Media(path="1.jpg", width=10, height=10), bbox=(1, 1, 2, 2))
    ds.add_item(Item(id="2", split="val", media=Media(path="2.jpg", width=1000, height=1000)))
    ds.add(Object(id="2", item_id="2", category_id=1, polygon=[[100, 100, 900, 100, 900, 900]]))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [("objects without a box", 1), ("boxes", 1)]
    ann = json.loads((tmp_path / "out/annotations/instances_val.json").read_bytes())["annotations"][1]
    assert (ann["segmentation"], ann["bbox"], ann["area"]) == (
        [[100, 100, 900, 100, 900, 900]],
        [100, 100, 800, 800],
        320000.0,
    )


def test_validate_names_every_coordinate_that_is_no_number(tmp_path: Path) -> None:
    """validate named the first polygon value that is no number (the semantic pass stopped there), and none where
    the file had another schema finding, a bbox of a string say (the schema pass leaves coordinates out); the
    README promises the schema's violations, all of them."""

    def ann(i: int, **fields: Any) -> dict[str, Any]:
        return {"id": i, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0, **fields}

    base = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "c"}],
    }
    polygons = [ann(1, segmentation=[[1, 2, 3, "4", 5, 6]]), ann(2, segmentation=[[1, 2, 3, 4, 5, None], [1, 2, 3]])]
    keypoints = [ann(3, keypoints=[1, 1, "2", True, 1e-3, 2])]
    polygon = "segmentation must be a list of polygons (lists of numbers)"
    for extra, also in (
        ([], []),
        ([ann(4, bbox=[1, 1, 2, "2"])], [("#/annotations/3/bbox/3", f'{_BBOX} (found "2")')]),
    ):
        src = tmp_path / "instances_a.json"
        src.write_text(json.dumps({**base, "annotations": polygons + keypoints + extra}))
        assert [(f.where, f.message) for f in labelkit.validate(src)] == [
            ("#/annotations/0/segmentation/0/3", f'{polygon} (found "4")'),
            ("#/annotations/1/segmentation/0/5", "polygon coordinates must be numbers (found null)"),
            ("#/annotations/2/keypoints/2", 'keypoints must be a list of numbers (found "2")'),
            ("#/annotations/2/keypoints/3", "keypoints must be a list of numbers (found true)"),
            *also,
        ]


def test_validate_names_every_id_or_size_written_as_a_float(tmp_path: Path) -> None:
    """validate named the first id, width or height written as 1.0 (the semantic pass stopped there; jsonschema
    takes 1.0 for an integer), so each fix and rerun showed the next one."""
    doc = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": 640.0, "height": 480},
            {"id": 2, "file_name": "b.jpg", "width": 64, "height": 4.8e1},
        ],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [
            {"id": 1.0, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0},
            {"id": 2, "image_id": 1.0, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0},
        ],
    }
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    assert [(f.where, f.message) for f in labelkit.validate(src)] == [
        ("#/images/0/width", "width must be an integer (found 640.0)"),
        ("#/images/1/height", "height must be an integer (found 48.0)"),
        ("#/annotations/0/id", "id must be an integer (found 1.0)"),
        ("#/annotations/1/image_id", "image_id must be an integer (found 1.0)"),
    ]
    with pytest.raises(InputError) as err:  # (validate's first is the problem convert names)
        labelkit.load(src)
    assert err.value.location.pointer == "/images/0/width"


@pytest.mark.parametrize("via", ["coco", "labelkit", "parquet"])
def test_annotation_fields_named_as_the_reader_s_bookkeeping_come_back_where_they_were(
    tmp_path: Path, via: str
) -> None:
    """An annotation field starting with @ (JSON-LD's @type, @id) was carried as coco:@type, the reader's own
    bookkeeping, which the writer leaves out: dropped unsaid. And "@task": "results" moved a ground truth annotation
    into the results file beside it (COCOeval then failed on its missing score)."""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    doc = _doc(**{"@type": "Ann", "@id": "urn:1", "~t": 1, "@task": "results", "@inline_keypoints": [1]})
    (folder / "instances_val.json").write_text(json.dumps(doc))
    (folder / "results_val.json").write_text('[{"image_id":1,"category_id":1,"bbox":[1,1,2,2],"score":0.5}]')
    ds = labelkit.load(tmp_path / "in")
    if via != "coco":
        labelkit.save(ds, tmp_path / f"mid.{via}", via)
        ds = labelkit.load(tmp_path / f"mid.{via}", via)
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == [] and report.transformed == []
    assert json.loads((tmp_path / "out/annotations/instances_val.json").read_text()) == doc
    assert (tmp_path / "out/annotations/results_val.json").read_text() == (
        '[{"image_id":1,"category_id":1,"bbox":[1,1,2,2],"score":0.5}]'
    )
    assert labelkit.validate(tmp_path / "out/annotations/instances_val.json") == []


@pytest.mark.parametrize("via", ["coco", "labelkit"])
def test_a_file_s_info_equal_to_another_s_only_to_python_is_its_own(tmp_path: Path, via: str) -> None:
    """A later file's info and licenses were compared with the first's by Python's equality, where true == 1 and
    1.0 == 1: taken for the same, the later file was written back with the first's ({"v": 1} for {"v": true})."""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    body = {"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}], "annotations": []}
    body["categories"] = [{"id": 1, "name": "c"}]
    first = {"info": {"v": 1, "w": 0, "x": 1.0}, "licenses": [{"id": 1, "name": "x", "url": "", "f": 1}], **body}
    later = {"info": {"v": True, "w": False, "x": 1}, "licenses": [{"id": 1, "name": "x", "url": "", "f": True}]}
    (folder / "instances_val.json").write_text(json.dumps(first))
    (folder / "labels_val.json").write_text(json.dumps({**later, **body}))
    ds = labelkit.load(tmp_path / "in")
    if via != "coco":
        labelkit.save(ds, tmp_path / "mid.json", via)
        ds = labelkit.load(tmp_path / "mid.json", via)
    labelkit.save(ds, tmp_path / "out", "coco")
    for name, doc in (("instances_val.json", first), ("labels_val.json", {**later, **body})):
        written = json.loads((tmp_path / "out/annotations" / name).read_text())
        assert json.dumps(written, sort_keys=True) == json.dumps(doc, sort_keys=True)  # (as text: true is not 1)


@pytest.mark.parametrize("beside", [True, False])
def test_a_caption_read_from_a_labels_file_goes_back_to_it(tmp_path: Path, beside: bool) -> None:
    """It went to the captions file (made for it where there was none), and a caption there of its id was
    renumbered: COCO -> COCO moved an annotation to another file, unsaid."""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    image = [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 30}]
    labels = {
        "images": image,
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1},
            {"id": 2, "image_id": 1, "category_id": 1, "caption": "from labels"},
        ],
        "categories": [{"id": 1, "name": "c"}],
    }
    captions = {"images": image, "annotations": [{"id": 2, "image_id": 1, "caption": "a caption"}]}
    (folder / "labels_val.json").write_text(json.dumps(labels))
    if beside:
        (folder / "captions_val.json").write_text(json.dumps(captions))
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", "coco")
    assert report.lost == [] and report.transformed == []
    out = tmp_path / "out/annotations"
    assert sorted(p.name for p in out.iterdir()) == ["captions_val.json", "labels_val.json"][not beside :]
    assert json.loads((out / "labels_val.json").read_text()) == labels
    if beside:
        assert json.loads((out / "captions_val.json").read_text()) == captions


@pytest.mark.parametrize("via", ["coco", "labelkit"])
def test_lvis_v1_images_without_a_file_name_are_read_at_their_coco_url(tmp_path: Path, via: str) -> None:
    """LVIS v1's images have no file_name, only a coco_url: every LVIS v1 file was refused at its first image."""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    url = "http://images.cocodataset.org/val2017/000000000009.jpg"
    image = {"id": 9, "coco_url": url, "height": 30, "width": 40, "neg_category_ids": [], "license": 1}
    doc = {
        "images": [image, {"id": 10, "file_name": "b.jpg", "height": 30, "width": 40}],
        "annotations": [
            {
                "area": 4.5,
                "id": 1,
                "segmentation": [[1, 1, 4, 1, 4, 4]],
                "image_id": 9,
                "bbox": [1, 1, 3, 3],
                "category_id": 1,
            }
        ],
        "categories": [{"id": 1, "name": "aerosol_can", "synset": "aerosol.n.02", "frequency": "c"}],
    }
    (folder / "instances_val.json").write_text(json.dumps(doc))
    assert labelkit.validate(folder / "instances_val.json") == []
    ds = labelkit.load(tmp_path / "in")
    assert [i.media.path for i in ds.items()] == ["val2017/000000000009.jpg", "b.jpg"]
    assert ds.read_notes == [
        "instances_val.json: 1 image without a file_name (first: #/images/0), as LVIS v1's: each is read at its "
        "coco_url's last two parts ('val2017/000000000009.jpg'), as Detectron2 reads them, and written back without one"
    ]
    if via != "coco":
        labelkit.save(ds, tmp_path / "mid.json", via)
        ds = labelkit.load(tmp_path / "mid.json", via)
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == [] and report.transformed == []
    assert json.loads((tmp_path / "out/annotations/instances_val.json").read_text()) == doc


def test_lvis_v1_images_are_written_a_column_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every image read without a file_name (LVIS v1's) was made one by one from its decoded metadata: 100,000 such
    images (LVIS v1's train file) took 12 s of a 15 s COCO -> COCO conversion, against 3 s named. They are written
    with the others now, without their file_name while their coco_url names them, with it once edited."""
    images = [
        {
            "id": i,
            "coco_url": f"http://images.cocodataset.org/val2017/{i:012d}.jpg",
            "height": 30,
            "width": 40,
            "neg_category_ids": [i, 1.5],
            "license": 1,
        }
        for i in (1, 2, 3)
    ]
    doc = {"images": images, "annotations": [], "categories": [{"id": 1, "name": "c"}]}
    labelkit.save(labelkit.load(_write(tmp_path, doc)), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    assert mid["info"]["extras"]["coco:files"][0]["image_missing"] == {str(i): ["file_name"] for i in (1, 2, 3)}
    mid["items"][1]["media"]["path"] = "renamed/b.jpg"
    (tmp_path / "mid.json").write_text(json.dumps(mid))

    def one_by_one(*args: Any) -> str:
        raise AssertionError(f"image made one by one: {args[2:]}")

    monkeypatch.setattr(coco_images, "image_json", one_by_one)
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [("images read without a file_name", 1)]
    written = (tmp_path / "out/annotations/instances_val.json").read_bytes()
    assert b'{"id":2,"file_name":"renamed/b.jpg","width":40,"height":30,"coco_url":' in written
    assert json.loads(written)["images"] == [images[0], {**images[1], "file_name": "renamed/b.jpg"}, images[2]]


@pytest.mark.parametrize(
    "cell",
    [
        '{"coco_url":"http://x/y/z.jpg","coco_url":"http://images.cocodataset.org/val2017/000000000001.jpg"}',
        '{"coco_url": "http://images.cocodataset.org/val2017/000000000001.jpg", "a": 1.50}',
    ],
    ids=["key-twice", "spaced"],
)
def test_an_lvis_v1_image_of_a_metadata_cell_spelled_otherwise_is_written_as_decoded(tmp_path: Path, cell: str) -> None:
    """A Parquet metadata cell of an image read without a file_name, spelled otherwise than decoding and writing it
    gives, is written as decoded (as before the column-at-a-time path): spliced, a key twice was written twice."""
    url = "http://images.cocodataset.org/val2017/000000000001.jpg"
    doc = {"images": [{"id": 1, "coco_url": url, "height": 30, "width": 40}], "annotations": [], "categories": []}
    labelkit.save(labelkit.load(_write(tmp_path, doc)), tmp_path / "mid.parquet", "parquet")
    items = pq.read_table(tmp_path / "mid.parquet/items.parquet")
    column = items.schema.get_field_index("metadata")
    items = items.set_column(column, items.schema.field(column), pa.array([cell], pa.string()))
    pq.write_table(items, tmp_path / "mid.parquet/items.parquet")
    labelkit.convert(tmp_path / "mid.parquet", tmp_path / "out", "coco")
    written = (tmp_path / "out/annotations/instances_val.json").read_bytes()
    expected = {"id": 1, "width": 40, "height": 30, **json.loads(cell)}
    assert json.dumps(expected, separators=(",", ":")).encode() in written
    assert labelkit.validate(tmp_path / "out") == []


def test_named_by_urls_takes_the_path_a_coco_url_gives_and_refuses_metadata_it_cannot_read() -> None:
    """An item's path is the one its coco_url's last two parts give; no path, no coco_url or another one is not."""
    url = {"coco_url": "http://h/val2017/9.jpg"}
    paths = ["val2017/9.jpg", "val2017/9.jpg", None, "val2017/9.jpg", "val2017/9.jpg", "val2017/9.jpg"]
    fields = [url, {"coco_url": "http://h/train2017/9.jpg"}, url, None, {"coco_url": 5}, [url]]
    assert coco_images.named_by_urls(paths, fields) == [True, False, False, False, False, False]
    items = pa.table(
        {
            "id": ["1"],
            "path": ["val2017/9.jpg"],
            "metadata": ['{"coco_url": "http://h/val2017/9.jpg", "n": 1e400}'],
            "width": pa.array([4], pa.int64()),
            "height": pa.array([4], pa.int64()),
        }
    )
    with pytest.raises(InputError, match="a stored JSON text cannot be read"):
        coco_images.image_records(items, np.array([9]), [0], {"1": ["file_name"]})


@pytest.mark.parametrize(
    ("edit", "name"),
    [
        (lambda d: d["items"][0]["media"].update(path="renamed/new.jpg"), "renamed/new.jpg"),
        (lambda d: d["items"][0]["metadata"].update(coco_url="x"), "val2017/000000000009.jpg"),
        (lambda d: d["items"][0]["metadata"].update(coco_url=5), "val2017/000000000009.jpg"),
        (lambda d: d["items"][0]["metadata"].update(coco_url="http://h/train2017/9.jpg"), "val2017/000000000009.jpg"),
        (lambda d: d["items"][0].pop("metadata"), "val2017/000000000009.jpg"),
        (
            lambda d: d["info"]["extras"]["coco:files"][0]["image_missing"]["1"].append("coco_url"),
            "val2017/000000000009.jpg",
        ),
    ],
    ids=["path", "url-x", "url-5", "url-other", "url-removed", "url-missing"],
)
def test_an_image_read_without_a_file_name_is_written_with_one_once_its_path_or_coco_url_changed(
    tmp_path: Path, edit: Any, name: str
) -> None:
    """An image read without a file_name (LVIS v1's) was written back without one from the bookkeeping alone: an
    edited path read back as the old one, and an edited or removed coco_url gave a file validate refused; exit 0."""
    url = "http://images.cocodataset.org/val2017/000000000009.jpg"
    doc = {
        "images": [{"id": 1, "coco_url": url, "width": 4, "height": 4}],
        "categories": [{"id": 1, "name": "c"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
    }
    labelkit.save(labelkit.load(_write(tmp_path, doc)), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    edit(mid)
    (tmp_path / "mid.json").write_text(json.dumps(mid))
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [("images read without a file_name", 1)]
    written = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert written["images"][0]["file_name"] == name
    assert labelkit.validate(tmp_path / "out") == []
    assert [i.media.path for i in labelkit.load(tmp_path / "out").items()] == [name]


def test_an_image_whose_file_lacked_its_file_name_in_edited_bookkeeping_is_written_with_one(tmp_path: Path) -> None:
    """A file list naming file_name among an image's fields its file lacked (edited) gave an image of no name,
    which the schema refuses; exit 0."""
    labelkit.save(labelkit.load(_write(tmp_path, _doc())), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    mid["info"]["extras"]["coco:files"][0]["image_missing"] = {"1": ["file_name"]}
    (tmp_path / "mid.json").write_text(json.dumps(mid))
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed] == [("images read without a file_name", 1)]
    assert json.loads((tmp_path / "out/annotations/instances_val.json").read_text()) == _doc()
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("keypoints", "x", "keypoint names that are not a list of text: not written (first: category 1 'p', 'x')"),
        (
            "keypoints",
            [1, 2],
            "keypoint names that are not a list of text: not written (first: category 1 'p', [1, 2])",
        ),
        ("skeleton", [[1]], "a skeleton that is not a list of pairs of 64-bit integers: not written (first: "),
        ("skeleton", "x", "a skeleton that is not a list of pairs of 64-bit integers: not written (first: "),
        ("skeleton", [[1, 2**63]], "a skeleton that is not a list of pairs of 64-bit integers: not written (first: "),
        ("skeleton", [[True, 2]], "a skeleton that is not a list of pairs of 64-bit integers: not written (first: "),
    ],
)
def test_carried_category_keypoints_or_skeleton_coco_refuses_are_lost_not_written(
    tmp_path: Path, key: str, value: Any, reason: str
) -> None:
    """A category's carried coco:keypoints or coco:skeleton (the reader carries "keypoints": null so; labelkit JSON
    may hold another value) was written as it was: a file the schema, validate and info refuse; exit 0."""
    ds = Dataset(categories=[Category(id=1, name="p", extras={f"coco:{key}": value})])
    ds.add_item(Item(id="1", split="val", media=Media(path="a.jpg", width=4, height=4)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [(f"coco:{key} extras of categories", 1)]
    assert report.lost[0].reason.startswith(f"COCO's reader refuses {reason}")
    written = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert written["categories"] == [{"id": 1, "name": "p"}]
    assert labelkit.validate(tmp_path / "out") == []


def test_carried_category_keypoints_and_skeleton_coco_takes_are_written(tmp_path: Path) -> None:
    """Those COCO's reader takes (null, as read) are written as carried, nothing reported lost."""
    extras = {"coco:keypoints": ["a", "b"], "coco:skeleton": [[1, 2]], "coco:supercategory": None}
    ds = Dataset(categories=[Category(id=1, name="p", extras=extras)])
    ds.add_item(Item(id="1", split="val", media=Media(path="a.jpg", width=4, height=4)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(0.0, 0.0, 1.0, 1.0)))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert report.lost == []
    written = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert written["categories"] == [
        {"id": 1, "name": "p", "keypoints": ["a", "b"], "skeleton": [[1, 2]], "supercategory": None}
    ]


@pytest.mark.parametrize(
    ("key", "value"), [("supercategory", 5), ("keypoints", "x"), ("skeleton", [[1]]), ("skeleton", "x")]
)
def test_a_files_own_category_values_coco_refuses_are_lost_not_written(tmp_path: Path, key: str, value: Any) -> None:
    """A file's own value of a category field (coco:files category_values, edited in labelkit JSON) was written as
    it was ("supercategory": 5): a file the schema and validate refuse; exit 0."""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    kp = {"keypoints": ["a", "b"], "skeleton": [[1, 2]]}
    instances = _doc()
    instances["categories"] = [{"id": 1, "name": "c", "supercategory": "A", **kp}]
    labels = {
        "images": instances["images"],
        "categories": [{"id": 1, "name": "c", "supercategory": "B", **kp}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1}],
    }
    (folder / "instances_val.json").write_text(json.dumps(instances))
    (folder / "labels_val.json").write_text(json.dumps(labels))
    labelkit.save(labelkit.load(tmp_path / "in"), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    entry = mid["info"]["extras"]["coco:files"][1]
    assert entry["category_values"] == {"1": {"supercategory": "B"}}
    entry["category_values"]["1"][key] = value
    (tmp_path / "mid.json").write_text(json.dumps(mid))
    with pytest.raises(DataLossError):
        labelkit.convert(tmp_path / "mid.json", tmp_path / "refused", "coco")
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco", allow_loss=True)
    what = f"categories' {key} values of one COCO file (coco:files category_values)"
    assert [(c.what, c.count) for c in report.lost] == [(what, 1)]
    assert f"(first: category 1 in labels_val.json, {value!r})" in report.lost[0].reason
    out = tmp_path / "out/annotations"
    assert json.loads((out / "instances_val.json").read_text()) == instances
    own = {"supercategory": "B", key: {"supercategory": "A", **kp}[key]}
    assert json.loads((out / "labels_val.json").read_text())["categories"] == [{"id": 1, "name": "c", **kp, **own}]
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("keys", "categories"),
    [
        ([], [1]),
        (["annotations"], [1]),
        (["images", "zz"], [1]),
        (["images", "annotations"], []),
        ([], None),
    ],
)
def test_edited_file_list_keys_leave_no_file_without_the_categories_its_annotations_use(
    tmp_path: Path, keys: list[str], categories: list[int] | None
) -> None:
    """A file list whose keys (edited in labelkit JSON) left out "categories" dropped every category: the file
    written lists annotations of category ids none lists, which validate refuses; exit 0, nothing reported."""
    doc = _doc()
    doc["categories"].append({"id": 2, "name": "unused"})
    labelkit.save(labelkit.load(_write(tmp_path, doc)), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    entry = mid["info"]["extras"]["coco:files"][0]
    entry["keys"] = keys
    if categories is None:
        del entry["categories"]
    else:
        entry["categories"] = categories
    (tmp_path / "mid.json").write_text(json.dumps(mid))
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco")
    assert report.lost == []
    written = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert {k: written[k] for k in ("images", "annotations")} == {k: doc[k] for k in ("images", "annotations")}
    assert sorted(c["id"] for c in written["categories"]) == [1, 2]  # (the unused one too)
    assert labelkit.validate(tmp_path / "out") == []


def test_edited_file_list_keys_leave_a_keypoints_file_its_categories(tmp_path: Path) -> None:
    """(A keypoints file alone: its categories, which its annotations use, were dropped too.)"""
    doc = _doc(keypoints=[1, 1, 2], num_keypoints=1)
    doc["categories"] = [{"id": 1, "name": "person", "keypoints": ["a"], "skeleton": []}]
    labelkit.save(labelkit.load(_write(tmp_path, doc, "person_keypoints_val.json")), tmp_path / "mid.json", "labelkit")
    mid = json.loads((tmp_path / "mid.json").read_text())
    mid["info"]["extras"]["coco:files"][0]["keys"] = ["images", "annotations"]
    (tmp_path / "mid.json").write_text(json.dumps(mid))
    report = labelkit.convert(tmp_path / "mid.json", tmp_path / "out", "coco")
    assert report.lost == [] and report.transformed == []
    assert json.loads((tmp_path / "out/annotations/person_keypoints_val.json").read_text()) == doc
    assert labelkit.validate(tmp_path / "out") == []


@pytest.mark.parametrize("other", ["labels_val", "person_keypoints_val"])
def test_a_file_read_without_categories_beside_one_listing_them_is_written_back_without(
    tmp_path: Path, other: str
) -> None:
    """(Not the edit above: a file read without a categories list, its categories listed by another file of
    the folder, is written back as read.)"""
    folder = tmp_path / "in/annotations"
    folder.mkdir(parents=True)
    instances = _doc()
    if other == "labels_val":
        beside = {**instances, "annotations": [{"id": 1, "image_id": 1, "category_id": 1}]}
    else:
        posed = {**instances["annotations"][0], "keypoints": [1, 1, 2], "num_keypoints": 1}
        person = {"id": 1, "name": "c", "keypoints": ["a"], "skeleton": []}
        beside = {**instances, "annotations": [posed], "categories": [person]}
    del instances["categories"]
    (folder / "instances_val.json").write_text(json.dumps(instances))
    (folder / f"{other}.json").write_text(json.dumps(beside))
    assert labelkit.validate(tmp_path / "in") == []
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", "coco")
    assert report.lost == [] and report.transformed == []
    assert json.loads((tmp_path / "out/annotations/instances_val.json").read_text()) == instances
    assert json.loads((tmp_path / f"out/annotations/{other}.json").read_text()) == beside


@pytest.mark.parametrize(
    ("image", "error"),
    [
        ({}, "#/images/0/file_name: missing required field 'file_name' or 'coco_url'"),
        ({"coco_url": 5}, "#/images/0/coco_url: no file_name, and coco_url names no image file (found 5)"),
        ({"coco_url": "a.jpg"}, "#/images/0/coco_url: no file_name, and coco_url names no image file (found 'a.jpg')"),
        (
            {"coco_url": "http://x/../a.jpg"},
            "#/images/0/coco_url: no file_name, and coco_url names no image file (found 'http://x/../a.jpg')",
        ),
    ],
)
def test_an_image_without_a_file_name_nor_a_coco_url_naming_a_file_is_refused_at_its_pointer(
    tmp_path: Path, image: dict[str, Any], error: str
) -> None:
    path = _write(tmp_path, {"images": [{"id": 1, "width": 4, "height": 3, **image}], "annotations": []})
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value).startswith(f"{path}{error}")
    assert [f"{f.path}{f.where}: {f.message}" for f in labelkit.validate(path)] == [f"{path}{error}"]


def test_carried_fields_keep_their_spelling_beside_attributes_no_record_holds(tmp_path: Path) -> None:
    """An annotation whose attributes are carried as read (a list in them) had its area re-spelled (1e2 as
    100.0): its carried fields were decoded and encoded again, not spliced as read."""
    doc = _doc(area=1e2, attributes={"n": [1]})
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc).replace("100.0", "1e2"))
    labelkit.convert(path, tmp_path / "out", "coco")
    text = (tmp_path / "out/annotations/instances_val.json").read_text()
    assert '"area":1e2,"iscrowd":0,"attributes":{"n":[1]}' in text


def test_an_empty_results_file_of_a_split_read_empty_is_written_again(tmp_path: Path) -> None:
    """results_val.json holding [] beside instances_train.json (a split of no image yet) was not written back by
    COCO -> COCO; it is now, and VOC writes that split's list, empty."""
    root = tmp_path / "coco/annotations"
    root.mkdir(parents=True)
    train = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0}],
        "categories": [{"id": 1, "name": "cat"}],
    }
    (root / "instances_train.json").write_text(json.dumps(train))
    (root / "results_val.json").write_text("[]")
    assert labelkit.load(tmp_path / "coco").info.extras["coco:@empty_splits"] == ["val"]
    labelkit.convert(tmp_path / "coco", tmp_path / "out", to="coco")
    written = sorted(p.name for p in (tmp_path / "out/annotations").iterdir())
    assert written == ["instances_train.json", "results_val.json"]
    assert json.loads((tmp_path / "out/annotations/results_val.json").read_bytes()) == []
    labelkit.convert(tmp_path / "coco", tmp_path / "voc", to="voc", allow_loss=True)
    assert (tmp_path / "voc/ImageSets/Main/val.txt").read_bytes() == b""


@pytest.mark.parametrize(
    "files",
    [
        "x",
        5,
        ["x"],
        [{"task": [1], "split": "val"}],
        [{"task": "instances", "split": "val", "keys": 5}],
        [{"task": "instances", "split": "val", "keys": [[1]]}],
        [{"task": "instances", "split": "val", "categories": 5}],
        [{"task": "instances", "split": "val", "category_fields": "x"}],
    ],
)
def test_an_edited_coco_files_extra_is_left_out_where_the_writer_cannot_read_it(tmp_path: Path, files: Any) -> None:
    """coco:files (the reader's bookkeeping) edited in a labelkit JSON file made writing COCO fail with an internal
    error (TypeError, AttributeError); its values of other shapes than the reader's are left out."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="1", split="val", media=Media(path="a.jpg", width=64, height=48)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    ds.info.extras["coco:files"] = files
    labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    back = labelkit.load(tmp_path / "o")
    assert [(o.item_id, o.bbox) for o in back.objects()] == [("1", (1.0, 2.0, 3.0, 4.0))]


def test_skipping_a_detection_takes_the_image_only_it_named(tmp_path: Path) -> None:
    """A results file's images are the ones its detections name: the image of a skipped detection stayed, an image
    without detections, which writing COCO (a results file again) refused as a loss."""
    src = _write(
        tmp_path,
        [
            {"image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.9},
            {"image_id": 2, "category_id": 1, "bbox": [1, 1, -5, 5], "score": 0.8},
            {"image_id": 3, "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.7},
            {"image_id": 3, "category_id": 1, "bbox": [1, 1, 5, -5], "score": 0.6},
        ],
        "results_val.json",
    )
    ds = labelkit.load(src, skip_invalid=True)
    assert [i.id for i in ds.items()] == ["1", "3"]  # (3 keeps its good detection)
    report = labelkit.convert(src, tmp_path / "out", "coco", skip_invalid=True)
    assert report.lost == [] and "2 invalid annotations were skipped when the input was read" in report.notes
    written = json.loads((tmp_path / "out/annotations/results_val.json").read_text())
    assert [(d["image_id"], d["score"]) for d in written] == [(1, 0.9), (3, 0.7)]


@pytest.mark.parametrize("box", [[100, 0, 1, 5], [-1, -1, 1, 1], [0, 80, 5, 1]])
def test_a_box_validate_passes_at_the_image_edge_is_kept_by_coco_to_coco(tmp_path: Path, box: list[int]) -> None:
    """Within a pixel of its image, validate passes it, but writing COCO took it for an object with no area inside
    its image and dropped it as lost: a box read from COCO is written as read, never clipped."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "categories": [{"id": 1, "name": "cat"}],
        "annotations": [{"id": 7, "image_id": 1, "category_id": 1, "bbox": box, "area": 5, "iscrowd": 0}],
    }
    src = _write(tmp_path, doc)
    assert labelkit.validate(src) == []
    report = labelkit.convert(src, tmp_path / "out", "coco")
    assert report.lost == []
    written = json.loads((tmp_path / "out/annotations/instances_val.json").read_text())
    assert [(a["id"], a["bbox"]) for a in written["annotations"]] == [(7, box)]


def test_validate_lists_findings_in_the_order_reading_meets_them(tmp_path: Path) -> None:
    """A skeleton's and a num_keypoints' findings came after every other annotation finding."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "categories": [{"id": 1, "name": "person", "keypoints": ["a", "b"], "skeleton": [[1, 5]]}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 9, "bbox": [1, 1, 5, 5], "area": 25, "iscrowd": 0},
            {
                "id": 2,
                "image_id": 1,
                "category_id": 1,
                "bbox": [1, 1, 5, 5],
                "area": 25,
                "iscrowd": 0,
                "keypoints": [2, 2, 2, 3, 3, 2],
                "num_keypoints": 0,
            },
            {"id": 3, "image_id": 1, "category_id": 1, "bbox": [1, 1, -5, 5], "area": 25, "iscrowd": 0},
        ],
    }
    src = _write(tmp_path, doc)
    assert [f.where for f in labelkit.validate(src)] == [
        "#/categories/0/skeleton/0/1",
        "#/annotations/0/category_id",
        "#/annotations/1/num_keypoints",
        "#/annotations/2/bbox",
    ]
    with pytest.raises(InputError) as err:  # (convert names the first it refuses: the skeleton is carried)
        labelkit.load(src)
    assert err.value.location.pointer == "/annotations/0/category_id"


def test_a_count_of_skipped_annotations_carried_by_labelkit_json_is_no_note_of_a_later_read(tmp_path: Path) -> None:
    """Writing COCO noted it again (`1 invalid annotations were skipped when the input was read`) from the dataset
    info, where the input read then, labelkit JSON, skipped nothing; a conversion to YOLO did not."""
    doc = _doc(bbox=[1, 1, -5, 5])
    doc["annotations"].insert(0, {**doc["annotations"][0], "id": 99, "bbox": [1, 1, 5, 5]})
    src = _write(tmp_path, doc)
    note = "1 invalid annotations were skipped when the input was read"
    first = labelkit.convert(src, tmp_path / "mid.labelkit.json", "labelkit", skip_invalid=True)
    assert note in first.notes
    again = labelkit.convert(tmp_path / "mid.labelkit.json", tmp_path / "out", "coco")
    assert note not in again.notes


@pytest.mark.parametrize(
    "keypoints_category",
    [{"id": 1, "name": "person"}, {"id": 1, "name": "person", "keypoints": [], "skeleton": []}],
    ids=["no-names", "empty-names"],
)
def test_a_file_listing_a_category_without_keypoint_names_checks_its_keypoints_against_none(
    tmp_path: Path, keypoints_category: dict[str, Any]
) -> None:
    """Each file alone is valid, as COCO's tools read a file alone: the folder was refused for the keypoints file's
    3 points, checked against the 2 names the instances file beside it gives (``9 keypoint numbers, expected 6``),
    and writing COCO refused them as of another length than their category's names."""
    image = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}]
    obj = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 20, 30, 40], "area": 1200, "iscrowd": 0,
           "segmentation": [[10, 20, 40, 20, 40, 60]]}  # fmt: skip
    person = {"id": 1, "name": "person", "keypoints": ["l", "r"], "skeleton": [[1, 2]]}
    docs = {
        "instances_val.json": {"images": image, "annotations": [obj], "categories": [person]},
        "person_keypoints_val.json": {
            "images": image,
            "categories": [keypoints_category],
            "annotations": [{**obj, "keypoints": [11, 21, 2, 12, 22, 2, 13, 23, 1], "num_keypoints": 3}],
        },
    }
    src = tmp_path / "src"
    (src / "annotations").mkdir(parents=True)
    for name, doc in docs.items():
        (src / "annotations" / name).write_text(json.dumps(doc))
    assert labelkit.validate(src) == []
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == []
    for name, doc in docs.items():
        assert json.loads((tmp_path / "out/annotations" / name).read_text()) == doc


def test_keypoints_added_to_a_file_listing_the_category_without_names_are_counted_against_the_names_written(
    tmp_path: Path,
) -> None:
    """A review found the writer skipping the count for such a file, then naming the category's 17 points in it
    beside 3: a file labelkit refuses. Only keypoints the file carried so (read against no names) go uncounted."""
    src = tmp_path / "src" / "annotations"
    src.mkdir(parents=True)
    image = {"id": 1, "file_name": "1.jpg", "width": 640, "height": 480}
    person = {"id": 1, "name": "person"}
    ann = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 50, 50], "area": 2500, "iscrowd": 0}
    names = {**person, "keypoints": [f"k{i}" for i in range(17)], "skeleton": []}
    points = [v for i in range(17) for v in (20 + i, 20 + i, 2)]
    (src / "instances_train.json").write_text(
        json.dumps({"images": [image], "categories": [person], "annotations": [ann]})
    )
    (src / "person_keypoints_train.json").write_text(
        json.dumps(
            {
                "images": [image],
                "categories": [names],
                "annotations": [{**ann, "keypoints": points, "num_keypoints": 17}],
            }
        )
    )
    (src / "instances_val.json").write_text(
        json.dumps(
            {"images": [{**image, "id": 2}], "categories": [person], "annotations": [{**ann, "id": 5, "image_id": 2}]}
        )
    )
    ds = labelkit.load(src.parent)
    val = next(item["id"] for item in ds.table("items").to_pylist() if item["split"] == "val")
    ds.add(
        Object(id="new", item_id=val, category_id=1, bbox=(10, 10, 50, 50), keypoints=[20, 20, 2, 30, 30, 2, 40, 40, 1])
    )
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("keypoint sets of another length than their category's names", 1)
    ]


def test_a_transcripts_category_written_as_its_captions_is_reported_transformed(tmp_path: Path) -> None:
    """It reads back as the extra coco:category_id, its category None: the report said nothing of it (an audit
    of the README's formats table found it). A caption read from COCO holds it as that extra: not counted."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Transcript(id="1", item_id="1", category_id=1, text="a cat"))
    ds.add(Transcript(id="2", item_id="1", text="a mat"))
    report = labelkit.save(ds, tmp_path / "out", "coco")
    assert [(c.what, c.count) for c in report.transformed if "categor" in c.what] == [("transcripts' categories", 1)]
    back = labelkit.load(tmp_path / "out")
    assert [(t.category_id, t.extras) for t in back.annotations() if t.kind == "transcript"] == [
        (None, {"coco:category_id": 1}),
        (None, {}),
    ]
    again = labelkit.save(back, tmp_path / "again", "coco")
    assert [c.what for c in again.transformed if "categor" in c.what] == []


@pytest.mark.parametrize("sized", [True, False])
@pytest.mark.parametrize(
    ("polygon", "holes"),
    [([[1.0, 1, 5, 1, 5, 5, 1, 5]], [True]), ([[0.0, 0], [1.0, 1, 5, 1, 5, 5, 1, 5]], [False, True])],
    ids=["hole-only", "short-outer"],
)
def test_a_polygon_of_holes_alone_covers_nothing_in_coco(
    tmp_path: Path, sized: bool, polygon: list[list[float]], holes: list[bool]
) -> None:
    """Written as an empty RLE with the hole's bounds as its box (a box COCOeval matches), or on an image of
    unknown size dropped while the report said written (a probe found both). Beside a box, the box is written."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    size = {"width": 12, "height": 10} if sized else {}
    ds.add_item(Item(id="a", media=Media(path="a.jpg", **size), split="train"))
    ds.add(Object(id="bare", item_id="a", category_id=1, polygon=polygon, polygon_holes=holes))
    ds.add(
        Object(id="boxed", item_id="a", category_id=1, polygon=polygon, polygon_holes=holes, bbox=(0.0, 0.0, 3.0, 3.0))
    )
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "coco")
    report = labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons of holes alone", 1), ("objects of holes alone", 1)]
    assert report.written["object annotations"] == 1
    (ann,) = json.loads((tmp_path / "out/annotations/instances_train.json").read_text())["annotations"]
    assert (ann["bbox"], ann["segmentation"]) == ([0, 0, 3, 3], [[0, 0, 3, 0, 3, 3, 0, 3]])
