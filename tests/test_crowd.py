"""``-o crowd=drop``: YOLO and Pascal VOC leave COCO's crowd regions out, and say how many."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.cli import cli
from labelkit.errors import DataLossError, UsageError
from labelkit.formats.crowd import DROPPED_NOTE, SUGGESTION
from labelkit.model import Category, Dataset, Item, Media, Object

_RLE = {"size": [8, 10], "counts": [0, 3, 5, 3, 69]}  # (column-major: the crowd's 3 x 2 pixels at the top left)


def _coco(tmp_path: Path, crowd_values: list[Any]) -> Path:
    """A COCO file of one 10 x 8 image: one box per value, ``iscrowd`` set to it (``...``: left out)."""
    annotations = []
    for i, value in enumerate(crowd_values):
        ann: dict[str, Any] = {"id": i + 1, "image_id": 1, "category_id": 1, "bbox": [i % 5, 1, 2, 3], "area": 6}
        if value is not ...:
            ann["iscrowd"] = value
        if value == 1:
            ann["segmentation"] = _RLE
        annotations.append(ann)
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],
        "annotations": annotations,
        "categories": [{"id": 1, "name": "person"}],
    }
    path = tmp_path / "instances_train.json"
    path.write_text(json.dumps(doc))
    return path


def test_yolo_drops_the_crowd_objects_and_notes_them(tmp_path: Path) -> None:
    """Without the option the crowd flag (and its mask) is lost and refused; with it the crowd box is not written,
    nothing is lost, and the note counts it."""
    ds = labelkit.load(_coco(tmp_path, [0, 1, 0]))
    with pytest.raises(DataLossError, match=r"crowd flags \(coco:iscrowd\): YOLO detect has no crowd flag \(-o crowd"):
        labelkit.save(ds, tmp_path / "kept", "yolo")
    report = labelkit.save(ds, tmp_path / "y", "yolo", crowd="drop")
    assert report.lost == []
    assert DROPPED_NOTE.format(n=1, kind="objects") in report.notes
    assert (report.read["object annotations"], report.written["object annotations"]) == (3, 2)
    assert (tmp_path / "y/labels/train/a.txt").read_text() == "0 0.1 0.3125 0.2 0.375\n0 0.3 0.3125 0.2 0.375\n"
    assert [o.bbox for o in labelkit.load(tmp_path / "y").objects()] == [(0.0, 1.0, 2.0, 3.0), (2.0, 1.0, 2.0, 3.0)]


def test_voc_drops_the_crowd_objects_and_their_masks(tmp_path: Path) -> None:
    """The crowd object's mask made the segmentation PNGs; dropped, no PNG is written and the XML has two objects."""
    ds = labelkit.load(_coco(tmp_path, [0, 1, 0]))
    kept = labelkit.save(ds, tmp_path / "kept", "voc", allow_loss=True)
    assert (tmp_path / "kept/SegmentationObject/a.png").is_file()
    assert [c.reason for c in kept.lost] == [f"Pascal VOC has no crowd flag ({SUGGESTION})"]
    report = labelkit.save(ds, tmp_path / "v", "voc", crowd="drop")
    assert (report.lost, report.written["object annotations"]) == ([], 2)
    assert DROPPED_NOTE.format(n=1, kind="objects") in report.notes
    assert not (tmp_path / "v/SegmentationObject").exists()
    back = labelkit.load(tmp_path / "v", "voc")
    assert [o.bbox for o in back.objects()] == [(0.0, 1.0, 2.0, 3.0), (2.0, 1.0, 2.0, 3.0)]


def test_flags_that_say_no_crowd_are_kept(tmp_path: Path) -> None:
    """0, ``"false"`` and ``"0"`` (Label Studio's COCO export writes ``"false"``) and a missing flag are no crowd:
    only ``1`` and ``"true"`` are dropped."""
    ds = labelkit.load(_coco(tmp_path, [0, "false", "0", ..., 1, "true"]))
    report = labelkit.save(ds, tmp_path / "y", "yolo", crowd="drop", allow_loss=True)
    assert DROPPED_NOTE.format(n=2, kind="objects") in report.notes
    assert report.written["object annotations"] == 4
    assert len((tmp_path / "y/labels/train/a.txt").read_text().splitlines()) == 4


def test_keep_is_the_default_and_changes_nothing(tmp_path: Path) -> None:
    ds = labelkit.load(_coco(tmp_path, [0, 1]))
    default = labelkit.plan(ds, "yolo")
    keep = labelkit.plan(ds, "yolo", crowd="keep")
    assert default.lost == keep.lost and default.notes == keep.notes
    assert not any(n.startswith("dropped:") for n in keep.notes)


def test_a_plan_and_a_dry_run_say_what_the_write_drops(tmp_path: Path) -> None:
    ds = labelkit.load(_coco(tmp_path, [1, 0]))
    plan = labelkit.plan(ds, "voc", crowd="drop")
    dry = labelkit.save(ds, tmp_path / "v", "voc", crowd="drop", dry_run=True)
    note = DROPPED_NOTE.format(n=1, kind="objects")
    assert note in plan.notes and note in dry.notes
    assert plan.lost == dry.lost == []
    assert not (tmp_path / "v").exists()


def test_objects_built_in_code_carry_the_flag_as_an_extra(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="person")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=8)))
    ds.add(
        Object(id="1", item_id="a", category_id=1, bbox=(0, 0, 2, 2), extras={"coco:iscrowd": True}),
        Object(id="2", item_id="a", category_id=1, bbox=(1, 1, 2, 2), extras={"note": "coco:iscrowd"}),
    )
    report = labelkit.save(ds, tmp_path / "y", "yolo", crowd="drop", allow_loss=True)
    assert DROPPED_NOTE.format(n=1, kind="objects") in report.notes
    assert (tmp_path / "y/labels/train/a.txt").read_text() == "0 0.2 0.25 0.2 0.25\n"


def test_formats_with_a_crowd_flag_do_not_take_the_option(tmp_path: Path) -> None:
    ds = labelkit.load(_coco(tmp_path, [1]))
    with pytest.raises(UsageError, match="unknown option 'crowd' for coco"):
        labelkit.save(ds, tmp_path / "c", "coco", crowd="drop")
    with pytest.raises(UsageError, match="crowd"):
        labelkit.save(ds, tmp_path / "y", "yolo", crowd="skip")


def test_the_cli_drops_them_and_prints_the_note(tmp_path: Path) -> None:
    src = _coco(tmp_path, [1, 0])
    refused = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "a"), "--to", "yolo"])
    assert refused.exit_code == 2 and SUGGESTION in refused.output
    result = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "b"), "--to", "yolo", "-o", "crowd=drop"])
    assert result.exit_code == 0, result.output
    assert f"note: {DROPPED_NOTE.format(n=1, kind='objects')}\n" in result.output
    assert (tmp_path / "b/labels/train/a.txt").read_text() == "0 0.2 0.3125 0.2 0.375\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([0, 1, "false", "true", "0", ...]), min_size=1, max_size=12))
def test_exactly_the_crowd_objects_are_left_out(tmp_path_factory: pytest.TempPathFactory, values: list[Any]) -> None:
    tmp_path = tmp_path_factory.mktemp("crowd")
    ds = labelkit.load(_coco(tmp_path, values))
    crowd = [v in (1, "true") for v in values]
    report = labelkit.save(ds, tmp_path / "y", "yolo", crowd="drop", allow_loss=True)
    assert report.written["object annotations"] == crowd.count(False)
    assert (DROPPED_NOTE.format(n=crowd.count(True), kind="objects") in report.notes) == any(crowd)
    lines = (tmp_path / "y/labels/train/a.txt").read_text().splitlines()
    kept = [i for i, c in enumerate(crowd) if not c]
    assert [line.split()[1] for line in lines] == [f"{(i % 5 + 1) / 10}" for i in kept]


def test_a_crowd_label_is_dropped_too_and_never_told_to_use_the_option_given(tmp_path: Path) -> None:
    """An annotation of no geometry with ``iscrowd`` set reads as an image label: ``drop`` left it (and its flag's
    loss, which told the user to pass the option already given) in place."""
    doc = json.loads(_coco(tmp_path, [0]).read_text())
    doc["annotations"].append({"id": 9, "image_id": 1, "category_id": 1, "iscrowd": 1})
    path = tmp_path / "instances_train.json"
    path.write_text(json.dumps(doc))
    ds = labelkit.load(path)
    assert [c.reason for c in labelkit.plan(ds, "voc").lost] == [f"Pascal VOC has no crowd flag ({SUGGESTION})"]
    report = labelkit.save(ds, tmp_path / "v", "voc", crowd="drop")
    assert report.lost == []
    assert DROPPED_NOTE.format(n=1, kind="labels") in report.notes
    assert not any("crowd objects" in n for n in report.notes)
    back = labelkit.load(tmp_path / "v", "voc")
    assert (len(list(back.labels())), len(list(back.objects()))) == (0, 1)


def test_the_suggestion_is_not_made_when_drop_is_given() -> None:
    from labelkit.formats.crowd import suggest_drop
    from labelkit.report import Report

    lost = Report()
    lost.lose("object annotations' crowd flags (coco:iscrowd)", 2, "YOLO detect has no crowd flag")
    suggest_drop(lost, {"crowd": "drop"})
    assert [c.reason for c in lost.lost] == ["YOLO detect has no crowd flag"]
    suggest_drop(lost, {"crowd": "keep"})
    assert [c.reason for c in lost.lost] == [f"YOLO detect has no crowd flag ({SUGGESTION})"]
