"""YOLO: layouts, tasks, image sizes, loss reports, bad input, corpus counts."""

from __future__ import annotations

import json
import os
import struct
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner
from conftest import (
    FIXTURES,
    assert_cli_refuses_then_writes,
    beside_ids,
    canonical,
    config_outside,
    deep_path,
    dry_run_loses_as_the_write,
    room_below,
)
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

import labelkit
from labelkit.cli import cli
from labelkit.errors import DataLossError, InputError, OutputError, UsageError
from labelkit.formats import yolo, yolo_parse
from labelkit.formats.yolo_media import image_size
from labelkit.model import Category, Dataset, DatasetInfo, Item, Label, Media, Object
from labelkit.model.annotations import Rle


def make_dataset(task: str = "detect") -> Dataset:
    cats = [Category(id=0, name="person"), Category(id=1, name="traffic light")]
    if task == "pose":
        cats = [c.model_copy(update={"keypoints": ["0", "1"]}) for c in cats]
    ds = Dataset(categories=cats, info=DatasetInfo(extras={"yolo:task": task}))
    ds.add_item(Item(id="a", media=Media(path="images/train/a.jpg", width=640, height=480), split="train"))
    ds.add_item(Item(id="b", media=Media(path="images/val/b.png", width=100, height=50), split="val"))
    ds.add_item(Item(id="c", media=Media(path="images/val/c.jpg", width=100, height=50), split="val"))
    if task == "detect":
        ds.add(Object(id="1", item_id="a", category_id=0, bbox=(10.5, 20.25, 30.0, 40.0)))
        ds.add(Object(id="2", item_id="a", category_id=1, bbox=(0.0, 0.0, 640.0, 480.0)))
        ds.add(Object(id="3", item_id="b", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    elif task == "segment":
        ring = [10.0, 10.0, 50.0, 12.5, 30.0, 40.0]
        ds.add(
            Object(id="1", item_id="a", category_id=0, shape="polygon", bbox=(10.0, 10.0, 40.0, 30.0), polygon=[ring])
        )
        ds.add(Object(id="2", item_id="b", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    elif task == "obb":
        ds.add(Object(id="1", item_id="a", category_id=0, bbox=(100.0, 100.0, 40.0, 20.0), angle=90.0))
        ds.add(Object(id="2", item_id="b", category_id=1, bbox=(1.0, 2.0, 3.0, 4.0)))
    elif task == "pose":
        kp = [12.0, 24.0, 2.0, 0.0, 0.0, 0.0]
        ds.add(Object(id="1", item_id="a", category_id=0, bbox=(10.0, 20.0, 30.0, 40.0), keypoints=kp))
    return ds


@pytest.mark.parametrize("task", ["detect", "segment", "obb", "pose"])
def test_same_format_round_trip_is_lossless(task: str, write_read) -> None:
    ds = make_dataset(task)
    back = write_read(ds, "yolo")
    a, b = canonical(ds), canonical(back)
    if task == "segment":
        # the box of object 2 is written as a 4-point polygon and read back as one
        assert b["annotations"][1]["polygon"] == [[1.0, 2.0, 4.0, 2.0, 4.0, 6.0, 1.0, 6.0]]
        b["annotations"][1].pop("polygon")
        b["annotations"][1].pop("shape")
    assert b == a


def test_every_image_gets_a_label_file_and_data_yaml(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = labelkit.save(make_dataset(), out, "yolo")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.txt")) == [
        "labels/train/a.txt",
        "labels/val/b.txt",
        "labels/val/c.txt",
    ]
    assert (out / "labels/val/c.txt").read_bytes() == b""
    doc = (out / "data.yaml").read_text()
    assert "train: images/train" in doc and "val: images/val" in doc and "1: traffic light" in doc
    assert report.written["label files"] == 3
    assert json.loads((out / "image_sizes.json").read_text())["images/val/b.png"] == [100, 50]


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("yolo", {"layout": "darknet"}), ("voc", {})])
def test_rerun_needs_overwrite_and_never_appends(tmp_path: Path, fmt: str, options: dict[str, str]) -> None:
    """A refused rerun leaves the output as it was; --overwrite gives exactly what a write into a new folder
    gives: no line appended, and no file of the earlier run left behind (val's labels, when the new dataset
    has no val split)."""
    out = tmp_path / "out"
    labelkit.save(make_dataset(), out, fmt, **options)
    first = _tree_bytes(out)
    with pytest.raises(OutputError, match="output exists"):
        labelkit.save(make_dataset(), out, fmt, **options)
    assert _tree_bytes(out) == first
    labelkit.save(make_dataset(), out, fmt, overwrite=True, **options)
    assert _tree_bytes(out) == first
    smaller = make_dataset().filter("train")
    labelkit.save(smaller, tmp_path / "fresh", fmt, **options)
    labelkit.save(smaller, out, fmt, overwrite=True, **options)
    assert _tree_bytes(out) == _tree_bytes(tmp_path / "fresh")
    assert not [p for p in out.rglob("*") if p.name in ("val", "val.txt", "obj_val_data", "b.txt", "c.txt")]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 600, allow_nan=False),
            st.floats(0, 400, allow_nan=False),
            st.floats(0.001, 40, allow_nan=False),
            st.floats(0.001, 80, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_boxes_survive_within_a_millionth_of_a_pixel(tmp_path_factory: pytest.TempPathFactory, boxes) -> None:
    ds = Dataset(categories=[Category(id=0, name="x")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    for i, b in enumerate(boxes):
        ds.add(Object(id=str(i), item_id="a", category_id=0, bbox=b))
    out = tmp_path_factory.mktemp("h") / "out"
    labelkit.save(ds, out, "yolo")
    back = np.array([o.bbox for o in labelkit.load(out, "yolo").objects()])
    assert np.abs(back - np.array(boxes)).max() < 1e-6


def test_polygons_are_loss_for_detect_and_allowed_with_report(tmp_path: Path) -> None:
    ds = make_dataset("segment")
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task="detect")
    assert any(c.what == "polygons" and c.count == 1 for c in err.value.report.lost)
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="detect", allow_loss=True)
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.046875 0.052083333333333336 0.0625 0.0625\n"
    assert report.lost


def test_clipping_is_counted(tmp_path: Path) -> None:
    ds = make_dataset()
    ds.add(Object(id="9", item_id="c", category_id=0, bbox=(-10.0, 40.0, 20.0, 20.0)))
    report = labelkit.save(ds, tmp_path / "o", "yolo")
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("objects", 1)]
    assert (tmp_path / "o/labels/val/c.txt").read_text() == "0 0.05 0.9 0.1 0.2\n"


def test_mixed_boxes_and_polygons_are_never_mixed_in_segment(tmp_path: Path) -> None:
    labelkit.save(make_dataset("segment"), tmp_path / "o", "yolo")
    assert (tmp_path / "o/labels/val/b.txt").read_text() == "1 0.01 0.04 0.04 0.04 0.04 0.12 0.01 0.12\n"


def _tiny_dataset(root: Path, lines: str, names: str = "a\nb\n") -> Path:
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    Image.new("RGB", (20, 10)).save(root / "images" / "x.png")
    (root / "labels" / "x.txt").write_text(lines)
    (root / "classes.txt").write_text(names)
    return root


@pytest.mark.parametrize(
    ("lines", "line", "why"),
    [
        ("0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1\n", 2, "fields"),
        ("0 0.5 0.5 0.1 0.1\n\n0 0.5 abc 0.1 0.1\n", 3, "number"),
        ("7 0.5 0.5 0.1 0.1\n", 1, "beyond"),
        ("x 0.5 0.5 0.1 0.1\n", 1, "class id"),
        ("0 0.5 0.5 0.1 0.1\n1 0.5 nan 0.1 0.1\n", 2, "finite"),
        ("0 0.5 0.5 0.1 0.1\n\n1 0.5 0.5 0.1 inf\n", 3, "finite"),
        ("0 0.5 0.5 0.1 0.1\n0 1.5e308 0.5 0.1 0.1\n", 2, "beyond ±1e+09"),  # was: inf once scaled, and a warning
        (
            "0 .5 .5 .1 .1\n" + "9" * 5000 + " .5 .5 .1 .1\n",
            2,
            "class id of 5,000 digits is beyond names",
        ),  # was: ValueError
        ("9223372036854775808 .5 .5 .1 .1\n", 1, "class id of 19 digits is beyond names"),
        (
            "0 .5 .5 .1 .1\n\n1 .5 .5 .1 -0.25\n",
            3,
            "negative width or height (found 0.1 -0.25)",
        ),  # was: COCO refused it
    ],
)
def test_bad_lines_name_file_and_line(tmp_path: Path, lines: str, line: int, why: str) -> None:
    root = _tiny_dataset(tmp_path / "ds", lines)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert err.value.location.path == str(root / "labels" / "x.txt")
    assert err.value.location.line == line
    assert why in err.value.one_line()


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("files", "at", "why"),
    [
        ({"x": b"0 0.5 0.5 0.2\n0 abc 0.5 0.2 0.2\n"}, "x.txt:1", "wrong number of fields"),  # was: x.txt:2
        ({"x": b"0 .5 .5 .2 -.2\nx .5 .5 .2 .2\n"}, "x.txt:1", "negative width or height"),  # was: class id
        ({"x": b"0 .5 .5 .2 .2\n0 abc .5 .2 .2\n7 .5 .5 .2 .2\n"}, "x.txt:2", "not a number"),  # was: beyond names
        ({"x": b"0 .5 .5 .2 .2\n0 .5 .5 .2 .2 .1\n0 .5 .5 nan .2\n\xff\n"}, "x.txt:2", "wrong number of fields"),
        ({"x": b"0 .5 .5 .2 .2\n0 .5 .5 .2 inf\n0 .5 .5 .2 -.2\n0 .5 .5 .2\n"}, "x.txt:2", "not finite"),
        ({"x": b"0 .5 .5 .2\n", "y": b"0 abc .5 .2 .2\n"}, "x.txt:1", "wrong number of fields"),  # was: y.txt:1
        ({"x": b"0 .5 .5 .2 .2\n0 .5 .5 .2 -.2\n", "y": b"0 .5 .5 .2\n"}, "x.txt:2", "negative width or height"),
        ({"x": b"0 .5 .5 .2\n", "y": None}, "x.txt:1", "wrong number of fields"),  # (y.txt a folder: unreadable)
        ({"x": b"0 .5 .5 .2\n3000000 .5 .5 .2 .2\n", "names": None}, "x.txt:1", "wrong number of fields"),
    ],
)
def test_a_bad_label_line_error_names_the_first_bad_line_whatever_its_kind(
    tmp_path: Path, files: dict[str, bytes | None], at: str, why: str
) -> None:
    """Lines were checked a kind of problem at a time (class ids, numbers, then field counts, finiteness and box
    sizes of all files), so a later line of a kind checked first was named before an earlier bad line."""
    root = _tiny_dataset(tmp_path / "ds", "")
    for name, data in files.items():
        if name == "names":
            (root / "classes.txt").unlink()
            continue
        Image.new("RGB", (20, 10)).save(root / "images" / f"{name}.png")
        if data is None:
            (root / "labels" / f"{name}.txt").mkdir()
        else:
            (root / "labels" / f"{name}.txt").write_bytes(data)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert f"{err.value.location.path}:{err.value.location.line}" == str(root / "labels" / at)
    assert why in err.value.message


@pytest.mark.parametrize("size", ["9223372036854775808x1", "1x99999999999999999999", "0x480", "640", "ax1"])
def test_a_bad_image_size_option_is_a_usage_error(tmp_path: Path, size: str) -> None:
    """``-o image_size=99999999999999999999x1`` (beyond 64 bits) was an internal error (OverflowError from Arrow)."""
    (tmp_path / "labels/train").mkdir(parents=True)
    (tmp_path / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "data.yaml").write_text("train: images/train\nnames: [x]\n")
    with pytest.raises(UsageError, match="bad image_size"):
        labelkit.load(tmp_path, "yolo", image_size=size)
    run = CliRunner().invoke(cli, ["info", str(tmp_path), "-o", f"image_size={size}"])
    assert (run.exit_code, run.output.count("\n")) == (2, 1)
    assert run.output.startswith("labelkit: error: bad image_size")
    big = labelkit.load(tmp_path, "yolo", image_size="9223372036854775807x1")  # (the largest: 64 bits)
    assert [(i.media.width, i.media.height) for i in big.items()] == [(9223372036854775807, 1)]


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("1.0", "DOTA difficult flag is not an integer (expected a whole number, found 1.0)"),  # was: not a number
        # was: TypeError
        ("9" * 30, "DOTA difficult flag is out of range (expected a whole number of 64 bits, found " + "9" * 30 + ")"),
        ("9" * 5000, "DOTA difficult flag is out of range (expected a whole number of 64 bits, found "),
        # was: out of range
        ("\u00b2", "DOTA difficult flag is not an integer (expected a whole number, found \u00b2)"),
        ("1_0", "DOTA difficult flag is not an integer (expected a whole number, found 1_0)"),  # was: read as 10
        ("\u0661", "DOTA difficult flag is not an integer (expected a whole number, found \u0661)"),  # was: read as 1
    ],
    ids=["float", "beyond-64-bits", "5000-digits", "superscript-two", "underscore", "arabic-indic-one"],
)
def test_a_bad_dota_difficult_flag_is_named(tmp_path: Path, flag: str, message: str) -> None:
    """A non-integer difficult flag was reported as a coordinate that is not a number; a huge one crashed."""
    root = tmp_path / "in"
    (root / "labelTxt").mkdir(parents=True)
    lines = f"imagesource:x\ngsd:1\n10 10 50 10 50 30 10 30 small-vehicle {flag}\n"
    (root / "labelTxt/a.txt").write_text(lines)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", image_size="100x100")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labelTxt/a.txt"), 3)
    assert message in err.value.one_line()
    (root / "labelTxt/a.txt").write_text(lines.replace(flag, "1"))
    assert labelkit.load(root, "yolo", image_size="100x100").table("objects").num_rows == 1


def test_the_first_bad_coordinate_is_named_when_checked_in_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yolo_parse, "_CHECK_BLOCK", 3)  # 16 numbers: the bad ones lie in the fourth and fifth blocks
    root = _tiny_dataset(tmp_path / "ds", "0 .5 .5 .1 .1\n0 .5 .5 .1 .1\n0 .5 .5 inf .1\n0 .5 2e9 .1 .1\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels" / "x.txt"), 3)
    assert "not finite" in err.value.one_line()


def test_cli_bad_input_exits_2_and_leaves_nothing(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.1\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["convert", str(root), str(out), "--from", "yolo", "--to", "yolo"])
    assert result.exit_code == 2
    assert "x.txt:1" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "ds"]


def test_missing_image_is_a_clear_error_with_a_way_out(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.5 0.5\n")
    (root / "labels" / "y.txt").write_text("1 0.5 0.5 1 1\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / "labels" / "y.txt")
    ds = labelkit.load(root, "yolo", image_size="40x20")
    assert [o.bbox for o in ds.objects()] == [(5.0, 2.5, 10.0, 5.0), (0.0, 0.0, 40.0, 20.0)]


def test_unreadable_image_takes_the_size_given_by_option(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.5 0.5\n")
    (root / "images" / "x.png").write_text("not an image")
    with pytest.raises(InputError, match="unreadable image header") as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / "images" / "x.png")
    ds = labelkit.load(root, "yolo", image_size="40x20")
    assert [o.bbox for o in ds.objects()] == [(10.0, 5.0, 20.0, 10.0)]


def test_classify_takes_sizes_from_the_options_too(tmp_path: Path) -> None:
    (tmp_path / "in/train/cat").mkdir(parents=True)
    Image.new("RGB", (4, 3)).save(tmp_path / "in/train/cat/1.jpg")
    (tmp_path / "in/train/cat/2.jpg").write_bytes(b"")
    with pytest.raises(InputError, match="unreadable image header") as err:
        labelkit.load(tmp_path / "in", "yolo")
    assert err.value.location.path == str(tmp_path / "in/train/cat/2.jpg")
    ds = labelkit.load(tmp_path / "in", "yolo", image_size="30x10")
    assert [(i.media.width, i.media.height) for i in ds.items()] == [(4, 3), (30, 10)]
    (tmp_path / "sizes.json").write_text('{"train/cat/2.jpg": [7, 5]}')
    ds = labelkit.load(tmp_path / "in", "yolo", image_sizes=str(tmp_path / "sizes.json"))
    assert [(i.media.width, i.media.height) for i in ds.items()] == [(4, 3), (7, 5)]


@pytest.mark.parametrize("task", ["detect", "pose", "obb"])
def test_a_box_of_negative_size_is_lost_not_written_as_zero(task: str, tmp_path: Path) -> None:
    """Its width was written as 0, without a word."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=100, height=100)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(50.0, 50.0, -20.0, 10.0)))
    ds.add(Object(id="2", item_id="a", category_id=1, bbox=(10.0, 10.0, 20.0, 10.0)))
    with pytest.raises(DataLossError, match="would lose 1 boxes of negative width or height"):
        labelkit.save(ds, tmp_path / "refused", "yolo", task=task)
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("boxes of negative width or height", 1)]
    assert [o.bbox for o in labelkit.load(tmp_path / "o", "yolo").objects()] == [
        pytest.approx((10.0, 10.0, 20.0, 10.0))
    ]


def test_empty_label_files_and_unlabelled_images_are_items(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "")
    Image.new("RGB", (8, 8)).save(root / "images" / "z.jpg")
    ds = labelkit.load(root, "yolo")
    assert ds.item_ids() == ["x", "z"] and ds.stats().annotations == {}


def test_exif_orientation_swaps_width_and_height(tmp_path: Path) -> None:
    im = Image.new("RGB", (30, 10))
    exif = im.getexif()
    exif[0x0112] = 6
    im.save(tmp_path / "r.jpg", exif=exif)
    assert image_size(tmp_path / "r.jpg") == (10, 30)


@pytest.mark.parametrize(("orientation", "size"), [(1, (30, 10)), (3, (30, 10)), (6, (10, 30)), (8, (10, 30))])
def test_tiff_exif_orientation_turns_the_size_once(tmp_path: Path, orientation: int, size: tuple[int, int]) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", (30, 10)).save(tmp_path / "r.tif", exif=exif)
    assert image_size(tmp_path / "r.tif") == size


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("TIFF", "tif")])
def test_every_exif_orientation_of_every_format_gives_the_size_a_label_is_normalised_by(
    tmp_path: Path, fmt: str, ext: str, orientation: int
) -> None:
    """Orientations 5 to 8 (turned by 90 degrees, mirrored or not) swap width and height, 1 to 4 do not, in
    every image format, when a dataset is read: the box is scaled by the shown size (only JPEG 6 and TIFF were
    tested, and through image_size alone)."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.new("RGB", (60, 40)).save(root / f"images/train/a.{ext}", format=fmt, exif=exif)
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.25\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    (item,) = ds.items()
    (obj,) = ds.objects()
    if orientation >= 5:
        assert ((item.media.width, item.media.height), obj.bbox) == ((40, 60), (10.0, 22.5, 20.0, 15.0))
    else:
        assert ((item.media.width, item.media.height), obj.bbox) == ((60, 40), (15.0, 15.0, 30.0, 10.0))


@pytest.mark.parametrize(("fmt", "ext"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp"), ("TIFF", "tif")])
def test_image_sizes_come_from_headers_without_decoding_pixels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, ext: str
) -> None:
    """Sizes are read from headers only: no image is decoded (Image.load refused here), and an image whose pixel
    data is cut off after its header (as a download stopped early leaves it) still gives its size, turned by its
    EXIF orientation. Nothing tested that the pixels were left alone."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8))
    noise.save(root / f"images/train/a.{ext}", format=fmt, exif=exif)
    data = (root / f"images/train/a.{ext}").read_bytes()
    if fmt in ("JPEG", "PNG"):  # (a TIFF's header may follow its pixels; Pillow opens a WebP's whole RIFF)
        (root / f"images/train/a.{ext}").write_bytes(data[: len(data) // 2])
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.25\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [x]\n")

    def refuse(self: Image.Image) -> None:
        raise AssertionError(f"decoded {self.format} pixels")

    from PIL import ImageFile

    monkeypatch.setattr(Image.Image, "load", refuse)
    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    ds = labelkit.load(root, "yolo")
    (item,) = ds.items()
    assert (item.media.width, item.media.height) == (300, 400)
    assert [o.bbox for o in ds.objects()] == [(75.0, 150.0, 150.0, 100.0)]


def test_a_colour_pfm_image_is_sized_from_its_text_header(tmp_path: Path) -> None:
    """.pfm is one of Ultralytics' image extensions, but Pillow identifies the greyscale "Pf" only: a labelled colour
    "PF" (the common kind, which OpenCV loads) was "unreadable image header: cannot identify image file", exit 2."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    pixels = struct.pack("<f", 0.5)
    (root / "images/train/a.pfm").write_bytes(b"PF\n5 3\n-1.0\n" + pixels * 45)
    (root / "images/train/b.pfm").write_bytes(b"Pf 8  2\r\n1.\n" + pixels[::-1] * 16)  # (big-endian, grey)
    for name in "ab":
        (root / f"labels/train/{name}.txt").write_text("0 0.5 0.5 0.5 1\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.media.width, i.media.height) for i in ds.items()] == [("a", 5, 3), ("b", 8, 2)]
    assert [(o.item_id, o.bbox) for o in ds.objects()] == [("a", (1.25, 0.0, 2.5, 3.0)), ("b", (2.0, 0.0, 4.0, 2.0))]
    (root / "images/train/c.pfm").write_bytes(b"PF\n5 3\n0\n" + pixels * 45)  # (a scale of 0: no PFM)
    with pytest.raises(InputError, match="unreadable image header: cannot identify image file"):
        labelkit.load(root, "yolo")


def test_segment_and_pose_are_detected(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.1 0.1 0.5 0.1 0.5 0.5\n")
    ds = labelkit.load(root, "yolo")
    obj = next(ds.objects())
    assert obj.shape == "polygon" and obj.polygon == [[2.0, 1.0, 10.0, 1.0, 10.0, 5.0]]
    assert obj.bbox == (2.0, 1.0, 8.0, 4.0)
    assert ds.info.extras["yolo:task"] == "segment"


def _pose_folder(root: Path, size: tuple[int, int], line: str, config: str) -> Path:
    """A pose dataset of one image (``images/train/x.jpg``) and its label ``line``; ``config`` ends data.yaml."""
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", size).save(root / "images/train/x.jpg")
    (root / "labels/train/x.txt").write_text(line)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\n" + config)
    return root


def _cat_and_dog_pose(root: Path, kpt_names: str) -> Path:
    """A pose dataset of classes cat and dog, 2 keypoints, one dog, and data.yaml's ``kpt_names`` as given."""
    return _pose_folder(
        root,
        (100, 100),
        "1 0.3 0.3 0.1 0.1 0.3 0.3 1 0.31 0.31 2\n",
        f"names: {{0: cat, 1: dog}}\nkpt_shape: [2, 3]\nkpt_names: {kpt_names}\n",
    )


@pytest.mark.parametrize(
    ("kpt_names", "expected"),
    [
        ("{0: [left ear, right ear], 1: [nose, tail]}", [["left ear", "right ear"], ["nose", "tail"]]),
        ("{1: [nose, tail]}", [["0", "1"], ["nose", "tail"]]),
        ("[[a, b], [c, d]]", [["a", "b"], ["c", "d"]]),
        ("[a, b]", [["a", "b"], ["a", "b"]]),
        ("{0: [a, b, c], 1: [d, e]}", [["0", "1"], ["d", "e"]]),  # (three names for two points: not used)
    ],
)
def test_pose_reads_each_class_keypoint_names(tmp_path: Path, kpt_names: str, expected: list[list[str]]) -> None:
    root = _cat_and_dog_pose(tmp_path / "p", kpt_names)
    ds = labelkit.load(root, "yolo")
    assert [c.keypoints for c in ds.categories] == expected
    report = labelkit.save(ds, tmp_path / "o", "yolo")
    assert report.lost == [] and [c.keypoints for c in labelkit.load(tmp_path / "o", "yolo").categories] == expected


def test_pose_reads_kpt_shape_and_flip_idx(tmp_path: Path) -> None:
    root = _pose_folder(
        tmp_path / "p",
        (100, 200),
        "0 0.5 0.5 0.2 0.2 0.5 0.25 2 0 0 0\n",
        "names: [person]\nkpt_shape: [2, 3]\nflip_idx: [1, 0]\n",
    )
    ds = labelkit.load(root, "yolo")
    obj = next(ds.objects())
    assert obj.keypoints == [50.0, 50.0, 2.0, 0.0, 0.0, 0.0]
    assert ds.info.extras["yolo:flip_idx"] == [1, 0]
    out = tmp_path / "o"
    labelkit.save(ds, out, "yolo")
    assert "kpt_shape:\n- 2\n- 3\nflip_idx:\n- 1\n- 0\n" in (out / "data.yaml").read_text()


def test_classify_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "cls"
    for split, cls, name in [("train", "dog", "1.jpg"), ("train", "cat", "2.jpg"), ("val", "dog", "3.jpg")]:
        (root / split / cls).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / split / cls / name)
    ds = labelkit.load(root, "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(lab.item_id, lab.category_id) for lab in ds.labels()] == [("2", 0), ("1", 1), ("3", 1)]
    with pytest.raises(UsageError):
        labelkit.save(ds, tmp_path / "o", "yolo")
    labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(root))
    assert canonical(labelkit.load(tmp_path / "o", "yolo")) == canonical(ds)


def test_classify_images_beside_the_class_folders_are_named_in_a_read_note(tmp_path: Path) -> None:
    """train/stray.jpg beside train/cat/ is no class's image: not read, as Ultralytics (torchvision's ImageFolder)
    does not read it, but it was passed over without a word."""
    root = tmp_path / "cls"
    for rel in ("train/cat/a.jpg", "val/cat/b.jpg", "train/stray.jpg", "train/z.png", "val/c.jpg"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / rel)
    (root / "train/notes.txt").write_text("not an image")
    ds = labelkit.load(root, "yolo")
    assert [i.media.path for i in ds.items()] == ["train/cat/a.jpg", "val/cat/b.jpg"]
    assert ds.read_notes == [
        "3 images lie in a split folder beside its class folders (train/stray.jpg first): no class names them, and "
        "they are not read, as Ultralytics does not read them"
    ]


def test_classify_folders_beside_the_splits_of_other_names_are_passed_over_with_a_note(tmp_path: Path) -> None:
    """runs/classify/train/ (Ultralytics' own, trained from inside the dataset) and docs/figs/ beside train/ and
    val/ were splits runs and docs, their folders classes classify and figs, unsaid: a classify write made empty
    train/classify/ and val/classify/ folders, and Ultralytics trained 3 classes instead of 2. Ultralytics reads
    only train, val, valid, validation and test: the others are passed over with a read note."""
    root = tmp_path / "cls"
    files = ["train/cat/a.jpg", "train/dog/b.jpg", "val/cat/c.jpg", "val/dog/d.jpg"]
    others = ["runs/classify/train/confusion_matrix.png", "runs/classify/predict/e.jpg", "docs/figs/diagram.png"]
    for rel in files + others:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / rel)
    ds = labelkit.load(root, "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [i.media.path for i in ds.items()] == files
    note = (
        "docs, runs hold folders of images beside the split folders: not read, as Ultralytics reads only the "
        "splits named train, val, valid, validation and test"
    )
    assert ds.read_notes == [note]
    assert labelkit.load(root, "yolo", task="classify").read_notes == [note]
    report = labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(root))
    assert not report.lost and report.written == {"items": 4, "label annotations": 4}
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*")) == [
        "train",
        "train/cat",
        "train/cat/a.jpg",
        "train/dog",
        "train/dog/b.jpg",
        "val",
        "val/cat",
        "val/cat/c.jpg",
        "val/dog",
        "val/dog/d.jpg",
    ]


def test_classify_items_of_a_split_no_reader_looks_for_beside_one_it_does_are_lost(tmp_path: Path) -> None:
    """val2017/ beside train/ was written and counted written, and read back as a split: Ultralytics reads train,
    val, valid, validation and test only, and so now does labelkit's reader (naming val2017 in a read note)."""
    (tmp_path / "m").mkdir()
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for item, split in (("a", "train"), ("b", "val2017")):
        Image.new("RGB", (4, 4)).save(tmp_path / "m" / f"{item}.jpg")
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=4, height=4), split=split))
        ds.add(Label(id=item, item_id=item, category_id=0))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo", **options).lost}
    assert lost == {"items of splits a YOLO classify reader does not look for": 1}
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert report.written == {"items": 1, "label annotations": 1}
    back = labelkit.load(tmp_path / "o", "yolo")
    assert [(i.id, i.split) for i in back.items()] == [("a", "train")]
    assert back.read_notes == [
        "val2017 holds folders of images beside the split folders: not read, as Ultralytics reads only the splits "
        "named train, val, valid, validation and test"
    ]


_NO_VAL = "no val split: no val/, validation/ or valid/ folder is written"


@pytest.mark.parametrize(
    ("splits", "notes", "lost"),
    [
        (["val", "val"], ["no train split: no train/ folder is written (Ultralytics requires train)"], 0),
        (["train", "val2017"], [f"{_NO_VAL} (Ultralytics requires val)"], 1),
        (["train", "test"], [f"{_NO_VAL} (Ultralytics validates on test/ then)"], 0),
        (["train", "valid"], [], 0),
        (
            ["test", "test"],
            [
                "no train split: no train/ folder is written (Ultralytics requires train)",
                f"{_NO_VAL} (Ultralytics validates on test/ then)",
            ],
            0,
        ),
    ],
)
def test_classify_notes_a_missing_train_or_val_split_as_detect_does(
    tmp_path: Path, splits: list[str], notes: list[str], lost: int
) -> None:
    """Ultralytics' check_cls_dataset needs train/ and validates on val/, validation/ or valid/ (else test/): a
    classify output of val/ alone, or of train/ and val2017/ (a split it never looks at), was written without a
    word, where the detect writer notes both (no train split: ...)."""
    (tmp_path / "m").mkdir()
    ds = Dataset(categories=[Category(id=0, name="ant"), Category(id=1, name="bee")])
    for n, split in enumerate(splits):
        Image.new("RGB", (4, 4)).save(tmp_path / "m" / f"{n}.jpg")
        ds.add_item(Item(id=str(n), media=Media(path=f"{n}.jpg", width=4, height=4), split=split))
        ds.add(Label(id=str(n), item_id=str(n), category_id=n % 2))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    planned = labelkit.plan(ds, "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert planned.notes == report.notes == notes
    assert sum(c.count for c in report.lost) == lost
    result = CliRunner().invoke(
        cli,
        [
            "convert",
            str(tmp_path / "o"),
            str(tmp_path / "again"),
            "--to",
            "yolo",
            "-o",
            "media=copy",
            "-o",
            f"media_root={tmp_path / 'o'}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("note: no ")] == [
        f"note: {n}" for n in notes
    ]


@pytest.mark.parametrize(
    ("config", "notes"),
    [
        ("train: train\nval: val\nnc: 2\nnames: [cat, dog]\n", []),
        ("path: .\ntrain: train\nval: val\ntest:\nnames:\n  0: cat\n  1: dog\n", []),
        (
            "train: train\nval: val\nnames: [dog, cat]\ndownload: https://example.com/pets.zip\n",
            [
                "data.yaml's names (dog, cat) are not its class folders by name (cat, dog): the classes are the "
                "folders, numbered by name, as Ultralytics' classify reader numbers them",
                "data.yaml's download not kept: a classify dataset is written as its folders alone, with no data.yaml",
            ],
        ),
        (
            "train: train\nval: val\nnc: 3\n",
            [
                "data.yaml's nc: 3 is not the count of its class folders (2): the classes are the folders, numbered by "
                "name, as Ultralytics' classify reader numbers them"
            ],
        ),
        (  # (a dataset moved from another machine: said as the detect layout says it)
            "path: /nonexistent/pets\ntrain: train\nval: val\n",
            [
                "data.yaml's path: /nonexistent/pets names no folder found: the dataset is read from data.yaml's "
                "folder instead"
            ],
        ),
    ],
)
def test_classify_folders_with_a_data_yaml_are_read_as_classify(tmp_path: Path, config: str, notes: list[str]) -> None:
    """Ultralytics' own classify configs (ImageNet.yaml) name split folders of class folders: such a folder with a
    data.yaml was read as detect, every image without objects, unsaid, and a conversion to COCO wrote no
    annotation and reported nothing lost. Its classes are the folders, numbered by name, as Ultralytics' classify
    reader numbers them: names (or nc) saying otherwise, and keys not kept, are named in read notes."""
    root = tmp_path / "ds"
    files = ["train/cat/a.jpg", "train/dog/b.jpg", "val/cat/c.jpg", "val/dog/d.jpg"]
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / rel)
    (root / "data.yaml").write_text(config)
    for read in (root, root / "data.yaml"):
        ds = labelkit.load(read, "yolo")
        names = {c.id: c.name for c in ds.categories}
        assert names == {0: "cat", 1: "dog"}
        labels = {lab.item_id: names[lab.category_id or 0] for lab in ds.labels()}
        assert [(i.split, i.media.path, labels[i.id]) for i in ds.items()] == [
            (f.split("/")[0], f, f.split("/")[1]) for f in files
        ]
        assert ds.read_notes == notes
        assert labelkit.load(read, "yolo", task="classify").read_notes == notes
    result = CliRunner().invoke(cli, ["convert", str(root), str(tmp_path / "coco"), "--to", "coco"])
    assert result.exit_code == 0, result.output
    assert "written: 4 items, 4 label annotations" in result.output


def test_a_data_yaml_naming_other_folders_than_the_classify_splits_is_read_as_before(tmp_path: Path) -> None:
    """Only a config whose every split names a classify split folder describes them: one naming images/train (with
    its labels) beside stray class folders is the detect dataset it says."""
    root = tmp_path / "ds"
    for rel in ("images/train/a.jpg", "train/cat/b.jpg"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / rel)
    (root / "labels/train").mkdir(parents=True)
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    assert [(i.media.path, len(list(ds.objects()))) for i in ds.items()] == [("images/train/a.jpg", 1)]
    assert list(ds.labels()) == []


def test_a_data_yaml_of_images_without_labels_beside_classify_splits_it_does_not_describe_is_noted(
    tmp_path: Path,
) -> None:
    """val: val2 (no split name a classify reader looks for) beside train: train, both of class folders: the config
    does not describe classify splits alone, and is read as detect, every image without objects, as before, but no
    longer unsaid."""
    root = tmp_path / "ds"
    for rel in ("train/cat/a.jpg", "train/dog/b.jpg", "val2/cat/c.jpg"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(root / rel)
    (root / "data.yaml").write_text("train: train\nval: val2\nnames: [cat, dog]\n")
    ds = labelkit.load(root, "yolo")
    assert (len(list(ds.items())), list(ds.labels()), list(ds.objects())) == (3, [], [])
    assert ds.read_notes == [
        "data.yaml's images have no label file, and train holds class folders of images, as a classify dataset's "
        "splits: read as images without objects (-o task=classify reads their classes)"
    ]


def test_classify_class_ids_are_the_folder_names_in_code_point_order(tmp_path: Path) -> None:
    """As torchvision's ImageFolder (Ultralytics' classify reader) sorts them: by code point, so digits come
    before capitals, capitals before small letters, and '10' before '9' (no natural or case-blind order); the
    write gives the same ids back, each image in its class folder."""
    root = tmp_path / "cls"
    names = ["b", "C", "a", "9", "10", "é", "Z"]
    for n, name in enumerate(names):
        (root / "train" / name).mkdir(parents=True)
        Image.new("RGB", (4, 3)).save(root / "train" / name / f"{n}.jpg")
    ds = labelkit.load(root, "yolo")
    assert [(c.id, c.name) for c in ds.categories] == list(enumerate(["10", "9", "C", "Z", "a", "b", "é"]))
    class_of = {lab.item_id: ds.category(lab.category_id or 0).name for lab in ds.labels()}
    assert class_of == {str(n): name for n, name in enumerate(names)}
    report = labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(root))
    assert not report.lost and not [c.what for c in report.transformed if c.what == "class ids"]
    assert canonical(labelkit.load(tmp_path / "o", "yolo")) == canonical(ds)


def test_darknet_layout_round_trip(tmp_path: Path) -> None:
    """The val split is listed under Darknet's valid key (val = val.txt made Darknet validate on train)."""
    ds = make_dataset()
    out = tmp_path / "dk"
    labelkit.save(ds, out, "yolo", layout="darknet")
    assert (out / "obj.data").read_text().startswith("classes = 2\ntrain = train.txt\nvalid = val.txt\n")
    back = labelkit.load(out, "yolo")
    assert [o.bbox for o in back.objects()] == [o.bbox for o in ds.objects()]
    assert back.stats().items_by_split == {"train": 1, "val": 2}
    (out / "valid.txt").write_text((out / "val.txt").read_text())  # another tool's valid split keeps its name
    (out / "obj.data").write_text("classes = 2\ntrain = train.txt\nvalid = valid.txt\n")
    assert labelkit.load(out, "yolo").stats().items_by_split == {"train": 1, "valid": 2}


def test_media_link_makes_a_trainable_tree(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "images/train").mkdir(parents=True)
    (src / "images/val").mkdir(parents=True)
    for name, size in [("train/a.jpg", (640, 480)), ("val/b.png", (100, 50)), ("val/c.jpg", (100, 50))]:
        Image.new("RGB", size).save(src / "images" / name)
    out = tmp_path / "o"
    labelkit.save(make_dataset(), out, "yolo", media="link", media_root=str(src))
    assert (out / "images/val/b.png").is_symlink() and not (out / "image_sizes.json").exists()
    assert canonical(labelkit.load(out, "yolo")) == canonical(make_dataset())


def _coco_2017(root: Path) -> Path:
    """COCO's layout: annotations/instances_<split>2017.json, each split's images in <split>2017/."""
    (root / "annotations").mkdir(parents=True)
    for split, name, size in (("train", "1.jpg", (40, 30)), ("val", "2.png", (20, 10))):
        (root / f"{split}2017").mkdir()
        Image.new("RGB", size).save(root / f"{split}2017" / name)
        image = {"id": int(name[0]), "file_name": name, "width": size[0], "height": size[1]}
        box = {"id": int(name[0]), "image_id": image["id"], "category_id": 1, "bbox": [1, 1, 4, 4], "area": 16}
        doc = {"images": [image], "annotations": [{**box, "iscrowd": 0}], "categories": [{"id": 1, "name": "a"}]}
        (root / f"annotations/instances_{split}2017.json").write_text(json.dumps(doc))
    return root


@pytest.mark.parametrize(("to", "media"), [("yolo", "copy"), ("yolo", "link"), ("voc", "copy")])
def test_media_root_naming_the_split_finds_each_split_s_images(tmp_path: Path, to: str, media: str) -> None:
    """COCO's train2017 and val2017 images lie in train2017/ and val2017/, and their file names do not say which:
    no one media_root found both, and COCO -> YOLO with its images took a conversion per split."""
    src = _coco_2017(tmp_path / "coco")
    root = str(tmp_path / "coco" / "{split}")
    with pytest.raises(InputError) as err:  # (one folder for both: the val image is not in it)
        labelkit.convert(src, tmp_path / "one", to, media=media, media_root=str(src / "train2017"))
    assert (err.value.location.path, err.value.message) == (str(src / "train2017/2.png"), "image not found")
    assert not (tmp_path / "one").exists()
    report = labelkit.convert(src, tmp_path / "out", to, media=media, media_root=root)
    assert report.lost == []
    images = "images/{}2017/{}" if to == "yolo" else "JPEGImages/{1}"
    for split, name in (("train", "1.jpg"), ("val", "2.png")):
        placed = tmp_path / "out" / images.format(split, name)
        assert placed.read_bytes() == (src / f"{split}2017" / name).read_bytes()
        assert placed.is_symlink() == (media == "link")
    back = labelkit.load(tmp_path / "out", to)
    assert sorted((i.media.width, i.media.height) for i in back.items()) == [(20, 10), (40, 30)]
    if to == "yolo":
        assert not (tmp_path / "out/image_sizes.json").exists()  # (each size read from its image)


@pytest.mark.parametrize("to", ["yolo", "voc"])
def test_split_takes_each_image_from_the_folder_of_the_split_it_was_read_from(tmp_path: Path, to: str) -> None:
    """``labelkit split ... -o media_root=coco/{split}`` looked for an image in the folder of the split it was moved
    to: with file names repeated across splits (a Roboflow export's) it copied the other split's image under the
    labels without a word, and with COCO's unique names every moved image was 'not found'."""
    root = tmp_path / "coco"
    (root / "annotations").mkdir(parents=True)
    for split, colour, cat in (("train", (255, 0, 0), 1), ("val", (0, 0, 255), 2)):
        (root / split).mkdir()
        images, anns = [], []
        for i in range(4):
            Image.new("RGB", (40, 30), colour).save(root / split / f"{i}.png")
            images.append({"id": i + 1, "file_name": f"{i}.png", "width": 40, "height": 30})
            anns.append({"id": i + 1, "image_id": i + 1, "category_id": cat, "bbox": [1, 1, 5, 5], "area": 25})
        doc = {
            "images": images,
            "annotations": anns,
            "categories": [{"id": 1, "name": "red"}, {"id": 2, "name": "blue"}],
        }
        (root / f"annotations/instances_{split}.json").write_text(json.dumps(doc))
    out = tmp_path / "out"
    args = ["split", str(root / "annotations"), str(out), "--to", to, "--ratios", "a=0.5,b=0.5", "--seed", "3"]
    result = CliRunner().invoke(
        cli, [*args, "--allow-loss", "-q", "-o", "media=copy", "-o", f"media_root={root}/{{split}}"]
    )
    assert result.exit_code == 0, result.stderr
    back = labelkit.load(out, to)
    names = {c.id: c.name for c in back.categories}
    class_of = {o.item_id: names[o.category_id] for o in back.objects()}
    colours = {"red": (255, 0, 0), "blue": (0, 0, 255)}
    seen = set()
    for item in back.items():
        assert item.media is not None and item.split in ("a", "b")
        with Image.open(out / item.media.path) as image:
            assert image.convert("RGB").getpixel((3, 3)) == colours[class_of[item.id]], item
        seen.add((class_of[item.id], item.split))
    assert len(seen) == 4  # (images of both colours in both new splits: moved ones among them)


def test_media_root_naming_the_split_reads_a_roboflow_export_s_images_beside_each_split(tmp_path: Path) -> None:
    """A Roboflow COCO export keeps each split's images beside its _annotations.coco.json, file names bare."""
    for split, name in (("train", "a.jpg"), ("valid", "b.jpg")):
        (tmp_path / "rf" / split).mkdir(parents=True)
        Image.new("RGB", (16, 8)).save(tmp_path / "rf" / split / name)
        doc = {
            "images": [{"id": 0, "file_name": name, "width": 16, "height": 8}],
            "annotations": [{"id": 0, "image_id": 0, "category_id": 0, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}],
            "categories": [{"id": 0, "name": "x"}],
        }
        (tmp_path / "rf" / split / "_annotations.coco.json").write_text(json.dumps(doc))
    out = tmp_path / "out"
    labelkit.convert(tmp_path / "rf", out, "yolo", media="copy", media_root=str(tmp_path / "rf/{split}"))
    assert sorted(p.relative_to(out).as_posix() for p in (out / "images").rglob("*.jpg")) == [
        "images/train/a.jpg",
        "images/valid/b.jpg",
    ]


def test_media_root_naming_the_split_takes_the_default_split_for_an_item_of_none(tmp_path: Path) -> None:
    """An item without a split is written in -o split's folder, and its image read from that split's."""
    (tmp_path / "imgs/val").mkdir(parents=True)
    Image.new("RGB", (8, 6)).save(tmp_path / "imgs/val/a.jpg")
    ds = Dataset(categories=[Category(id=0, name="x")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=str(tmp_path / "imgs/{split}"), split="val")
    assert (tmp_path / "out/images/val/a.jpg").is_file()


def test_a_report_in_a_split_s_media_folder_is_refused_and_one_beside_them_taken(tmp_path: Path) -> None:
    """Before reading, the folders {split} may name are those there are whose names fit: coco/val2017/r.json is
    refused, coco/r.json is not (the images are not read from coco/ itself)."""
    src = _coco_2017(tmp_path / "coco")
    args = ["convert", str(src / "annotations"), str(tmp_path / "out"), "--to", "yolo", "-q"]
    args += ["-o", "media=copy", "-o", f"media_root={src}/{{split}}"]
    refused = CliRunner().invoke(cli, [*args, "--report", str(src / "val2017/r.json")])
    assert (refused.exit_code, refused.stderr) == (
        2,
        f"labelkit: error: {src / 'val2017/r.json'}: the report is inside the images' folder (media_root); hint: "
        "choose another report path\n",
    )
    assert not (tmp_path / "out").exists()
    taken = CliRunner().invoke(cli, [*args, "--report", str(src / "r.json")])
    assert taken.exit_code == 0, taken.stderr
    assert json.loads((src / "r.json").read_text())["written"]["items"] == 2


def test_classify_media_root_naming_the_split_finds_each_split_s_images(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for split, name in (("train", "a.jpg"), ("val", "b.jpg")):
        (tmp_path / "imgs" / split).mkdir(parents=True)
        Image.new("RGB", (8, 6)).save(tmp_path / "imgs" / split / name)
        ds.add_item(Item(id=name[0], media=Media(path=name, width=8, height=6), split=split))
        ds.add(Label(id=name[0], item_id=name[0], category_id=0))
    root = str(tmp_path / "imgs/{split}")
    assert labelkit.plan(ds, "yolo", task="classify", media="copy", media_root=root).lost == []
    labelkit.save(ds, tmp_path / "out", "yolo", task="classify", media="copy", media_root=root)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg")) == [
        "train/cat/a.jpg",
        "val/cat/b.jpg",
    ]


def test_an_output_holding_a_split_s_media_root_is_refused(tmp_path: Path) -> None:
    """The output may not hold the folder any split's images are read from (it is replaced with --overwrite)."""
    src = _coco_2017(tmp_path / "coco")
    ds = labelkit.load(src)
    with pytest.raises(OutputError, match="media_root"):
        labelkit.save(ds, src / "val2017", "yolo", media="copy", media_root=str(src / "{split}"), overwrite=True)
    assert (src / "val2017/2.png").is_file()


def test_detect_confidence() -> None:
    assert yolo.detect(Path("/nonexistent")) is None


def _manifest(corpus: Path, fmt: str) -> list[dict]:
    return [e for e in json.loads((corpus / "MANIFEST.json").read_text()) if e["format"] == fmt]


def test_corpus_entries_import_with_manifest_counts(corpus: Path) -> None:
    checked = 0
    for entry in _manifest(corpus, "yolo"):
        path = corpus / entry["path"]
        expect = entry["expect"]
        if expect.get("label_files", 0) == 0 or expect.get("labels_without_image"):
            # config-only data.yaml files and label files without images: a clear error naming the file
            with pytest.raises(InputError) as err:
                labelkit.load(path, "yolo")
            where = err.value.location
            if expect.get("labels_without_image"):  # the first label file (by name) whose image is not there
                first = sorted(expect["labels_without_image"])[0]
                assert (where.path, where.line) == (str(path / "labels" / f"{first}.txt"), None), entry["path"]
                assert err.value.message.startswith("image not found; YOLO coordinates are normalised")
            else:  # a config whose images ship as a download: named at its train line, the download the hint
                lines = path.read_text().splitlines()
                line = next(n for n, text in enumerate(lines, 1) if text.startswith("train:"))
                assert (where.path, where.line, where.element) == (str(path), line, "train"), entry["path"]
                assert err.value.message == f"none of the image folders or lists named in {path.name} exist"
                assert f"download: {expect['download']}" in err.value.one_line(), entry["path"]
            continue
        ds = labelkit.load(path, "yolo")
        stats = ds.stats()
        assert stats.items == expect["image_files"], entry["path"]
        assert stats.annotations.get("object", 0) == expect["lines"], entry["path"]
        assert [c.name for c in ds.categories] == expect["classes"], entry["path"]
        ref = entry["reference"]
        if "subsets" in ref and "default" not in ref["subsets"]:
            assert stats.items_by_split == ref["subsets"], entry["path"]
        if "annotations_per_label" in ref:
            assert {k: v["object"] for k, v in stats.by_category.items()} == ref["annotations_per_label"]
        checked += 1
    assert checked == 6


def test_label_studio_yolo_imports_with_sizes_given(corpus: Path) -> None:
    path = corpus / "label-studio-sdk/tests/custom/converter/data/test_import_yolo_data"
    ds = labelkit.load(path, "yolo", image_size="640x480")
    assert ds.stats().annotations == {"object": 25} and len(ds) == 7


def test_obb_quadrilateral_that_is_not_a_rectangle_stays_exact(tmp_path: Path) -> None:
    root = tmp_path / "q"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", (100, 100)).save(root / "images/train/x.png")
    quad = "0 0.1 0.1 0.5 0.1 0.6 0.4 0.1 0.3\n"
    rect = "0 0.2 0.2 0.4 0.2 0.4 0.3 0.2 0.3\n"
    (root / "labels/train/x.txt").write_text(quad + rect)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [a]\n")
    ds = labelkit.load(root, "yolo")
    quad_obj, rect_obj = list(ds.objects())
    assert quad_obj.shape == "polygon" and quad_obj.polygon == [[10.0, 10.0, 50.0, 10.0, 60.0, 40.0, 10.0, 30.0]]
    assert rect_obj.shape == "box" and rect_obj.bbox == (20.0, 20.0, 20.0, 10.0) and rect_obj.angle == 0.0
    out = tmp_path / "o"
    labelkit.save(ds, out, "yolo")
    assert (out / "labels/train/x.txt").read_text() == quad + rect


def test_ultralytics_list_files_path_key_and_names_map(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(root / "images/train/a.jpg")
    Image.new("RGB", (10, 10)).save(root / "images/train/b.jpg")
    (root / "labels/train/a.txt").write_text("1 0.5 0.5 1 1\n")
    (root / "train.txt").write_text("./images/train/a.jpg\n\n./images/train/b.jpg\n")
    (root / "val.txt").write_text("./images/train/b.jpg\n")
    (tmp_path / "data.yaml").write_text("path: ds\ntrain: [train.txt]\nval: val.txt\nnames: {0: cat, 1: dog}\n")
    ds = labelkit.load(tmp_path / "data.yaml", "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.id, i.split, i.media.path) for i in ds.items()] == [
        ("images/train/a", "train", "images/train/a.jpg"),
        ("train/images/train/b", "train", "images/train/b.jpg"),
        ("val/images/train/b", "val", "images/train/b.jpg"),
    ]
    (tmp_path / "data.yaml").write_text("path: ds\ntrain: train.txt\nval: val.txt\nnc: 3\nnames: [cat, dog]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "data.yaml", "yolo")
    assert err.value.location.element == "nc"


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ("cfg/data.yaml", "path: ..\ntrain: images/train\nval: images/train\nnames: [a]\n"),
        ("data.yaml", "path: ../ds\ntrain: images/train\nval: images/train\nnames: [a]\n"),
        ("data.yaml", "train: ../ds/images/train\nval: ../ds/images/train\nnames: [a]\n"),
    ],
)
def test_a_path_climbing_out_and_back_in_gives_paths_from_the_root_however_the_dataset_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, text: str
) -> None:
    """``path: ..`` in ds/cfg/data.yaml gave the image path ``cfg/../images/train/a.jpg`` when the dataset was named by
    its absolute path (``images/train/a.jpg`` by a relative one), and YOLO -> YOLO wrote labels/train/cfg/images_/
    train/a.txt; a split value climbing out and back in (``../ds/images/train``) gave ``../ds/images/...`` always,
    and ``-o media=copy`` refused it as unsafe."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(root / "images/train/a.jpg")
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (root / config).parent.mkdir(exist_ok=True)
    (root / config).write_text(text)
    monkeypatch.chdir(tmp_path)
    for named in (root / config, Path("ds") / config, Path("ds")) if config == "data.yaml" else (root / config,):
        ds = labelkit.load(named, "yolo")
        assert [(i.id, i.media.path) for i in ds.items()] == [("a", "images/train/a.jpg")], named
    monkeypatch.chdir(root / Path(config).parent)
    assert [i.media.path for i in labelkit.load(Path("."), "yolo").items()] == ["images/train/a.jpg"]
    report = labelkit.save(
        labelkit.load(root / config, "yolo"), tmp_path / "out", "yolo", media="copy", media_root=str(root)
    )
    assert report.transformed == []
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")) == [
        "data.yaml",
        "images/train/a.jpg",
        "labels/train/a.txt",
    ]


def test_splits_outside_a_relatively_named_config_folder_give_the_same_paths_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From w/a/b, ``ds``'s ``train: ../../../ext/images/train`` is ``../../ext/images/train``, lexically inside
    ``ds`` and sharing no folder with it but the current one: the image path was ``../../ext/images/train/e.jpg``
    (``ext/images/train/e.jpg`` from elsewhere) and ``-o media=copy`` refused it as unsafe."""
    w = tmp_path / "w"
    (w / "a/b/ds").mkdir(parents=True)
    (w / "ext/images/train").mkdir(parents=True)
    (w / "ext/labels/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(w / "ext/images/train/e.jpg")
    (w / "ext/labels/train/e.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (w / "a/b/ds/data.yaml").write_text("train: ../../../ext/images/train\nnames: [a]\n")
    for cwd, named in (
        (tmp_path, w / "a/b/ds"),
        (w / "a/b", Path("ds")),
        (w / "a/b/ds", Path(".")),
        (w / "ext", Path("../a/b/ds")),
    ):
        monkeypatch.chdir(cwd)
        assert [i.media.path for i in labelkit.load(named, "yolo").items()] == ["ext/images/train/e.jpg"], cwd
    monkeypatch.chdir(w / "a/b")
    labelkit.save(labelkit.load(Path("ds"), "yolo"), tmp_path / "out", "voc", media="copy", media_root=str(w))
    assert (tmp_path / "out/JPEGImages/e.jpg").is_file()


def test_splits_outside_the_config_folder_named_one_absolutely_one_relatively_give_the_same_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The root, the folder holding both, was absolute and the relative split's images relative to the current
    folder: named from its parent, the image path was r/e2/images/train/b.jpg, and 'image not found' converting."""
    r = tmp_path / "r"
    for folder, name in (("e1", "a"), ("e2", "b")):
        (r / folder / "images/train").mkdir(parents=True)
        (r / folder / "labels/train").mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(r / folder / f"images/train/{name}.jpg")
        (r / folder / f"labels/train/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (r / "ds").mkdir()
    (r / "ds/data.yaml").write_text(f"train: {r / 'e1/images/train'}\nval: ../e2/images/train\nnames: [a]\n")
    for cwd, named in ((r, Path("ds")), (tmp_path, Path("r/ds")), (r / "ds", Path(".")), (r / "e1", r / "ds")):
        monkeypatch.chdir(cwd)
        paths = [i.media.path for i in labelkit.load(named, "yolo").items()]
        assert paths == ["e1/images/train/a.jpg", "e2/images/train/b.jpg"], cwd
    monkeypatch.chdir(tmp_path)
    labelkit.save(labelkit.load(Path("r/ds"), "yolo"), tmp_path / "out", "voc", media="copy", media_root=str(r))
    assert sorted(p.name for p in (tmp_path / "out/JPEGImages").iterdir()) == ["a.jpg", "b.jpg"]


@pytest.mark.parametrize("images", [True, False], ids=["images", "image_sizes.json"])
def test_a_yolo_dataset_named_with_a_climb_inside_its_path_reads_as_named_plainly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, images: bool
) -> None:
    """ds/../ds (or /abs/ds/../ds) gave media paths ds/images/train/a.jpg, and with image_sizes.json in place of
    the images (as labelkit writes YOLO) 'image not found': the split folders were taken without the climb, the
    root with it."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=40, height=30), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(1.0, 2.0, 10.0, 12.0)))
    (tmp_path / "media").mkdir()
    Image.new("RGB", (40, 30)).save(tmp_path / "media/a.jpg")
    options = {"media": "copy", "media_root": str(tmp_path / "media")} if images else {}
    labelkit.save(ds, tmp_path / "ds", "yolo", **options)
    monkeypatch.chdir(tmp_path)
    plain = canonical(labelkit.load(Path("ds"), "yolo"))
    for named in (Path("ds/../ds"), tmp_path / "ds/../ds", Path("ds/../ds/data.yaml")):
        assert canonical(labelkit.load(named, "yolo")) == plain, named


@pytest.mark.parametrize("splits", [["a", "zeta_train"], ["zeta_train", "a"], ["b", "val", "Train"], ["val", "b"]])
def test_darknet_object_ids_are_counted_in_the_order_obj_data_names_the_splits(
    splits: list[str], tmp_path: Path
) -> None:
    """Without a train split, obj.data's train names another split's list, which a reader reads first: the
    count ranked the splits by name (2 said for ['zeta_train', 'a'], where none reads back otherwise)."""
    ds = Dataset(categories=[Category(id=1, name="dog")])
    for k, split in enumerate(splits, 1):
        ds.add_item(Item(id=f"{split}1", split=split, media=Media(width=10, height=10)))
        ds.add(Object(id=str(k), item_id=f"{split}1", category_id=1, bbox=(1, 1, 2, 2)))
    report = labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    read = labelkit.load(tmp_path / "o", "yolo")
    split_of = {i.id: i.split for i in read.items()}  # (one item per split)
    back = {split_of[o.item_id]: o.id for o in read.objects()}
    changed = sum(back[o.item_id[:-1]] != o.id for o in ds.objects())
    assert changed == {"a": 2, "zeta_train": 0, "b": 3, "val": 2}[splits[0]]
    assert [c.count for c in report.transformed if c.what == "object ids"] == ([changed] if changed else [])


def test_a_darknet_obj_data_path_climbing_out_and_back_in_is_the_file_inside(tmp_path: Path) -> None:
    """``train = ../ds/train.txt`` in ds/obj.data was read as ds/train.txt with a note saying it names a file outside
    the dataset folder, written on another machine."""
    root = tmp_path / "ds"
    (root / "obj_train_data").mkdir(parents=True)
    Image.new("RGB", (64, 48)).save(root / "obj_train_data/a.jpg")
    (root / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (root / "train.txt").write_text("obj_train_data/a.jpg\n")
    (root / "obj.names").write_text("a\n")
    (root / "obj.data").write_text("classes = 1\ntrain = ../ds/train.txt\nnames = ../ds/obj.names\n")
    ds = labelkit.load(root, "yolo")
    assert ([c.name for c in ds.categories], len(ds.table("objects")), ds.read_notes) == (["a"], 1, [])


def test_a_data_yaml_split_given_as_a_list_of_folders_reads_each_folder(tmp_path: Path) -> None:
    """``train: [images/a, images/b]`` (folders, beside a list file in another split), names as a list: each
    folder's images are the split's items, with their labels beside them in labels/<folder>; written back,
    the split is one folder, images/train, and every box comes back (only lists of list files were tested)."""
    root = tmp_path / "ds"
    for folder, size, line in (("a", (100, 50), "0 0.5 0.5 0.2 0.2\n"), ("b", (40, 40), "1 0.25 0.75 0.5 0.5\n")):
        (root / "images" / folder).mkdir(parents=True)
        (root / "labels" / folder).mkdir(parents=True)
        Image.new("RGB", size).save(root / "images" / folder / f"{folder}1.jpg")
        (root / "labels" / folder / f"{folder}1.txt").write_text(line)
    (root / "images/v").mkdir()
    Image.new("RGB", (10, 10)).save(root / "images/v/v1.png")  # (no label file: an image without objects)
    (root / "val.txt").write_text("images/v/v1.png\n")
    (root / "data.yaml").write_text("train: [images/a, images/b]\nval: val.txt\nnames: [cat, dog]\n")
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [
        ("a1", "train", "images/a/a1.jpg", 100, 50),
        ("b1", "train", "images/b/b1.jpg", 40, 40),
        ("images/v/v1", "val", "images/v/v1.png", 10, 10),
    ]
    assert [(o.item_id, ds.category(o.category_id or 0).name, o.bbox) for o in ds.objects()] == [
        ("a1", "cat", (40.0, 20.0, 20.0, 10.0)),
        ("b1", "dog", (0.0, 20.0, 20.0, 20.0)),
    ]
    labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True)
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o/labels").rglob("*.txt")) == [
        "labels/train/a/a1.txt",
        "labels/train/b/b1.txt",
        "labels/val/v/v1.txt",
    ]
    back = labelkit.load(tmp_path / "o", "yolo")
    assert [(o.bbox, o.category_id) for o in back.objects()] == [(o.bbox, o.category_id) for o in ds.objects()]


def _mask_dataset(*masks: np.ndarray) -> Dataset:
    from labelkit.model.raster import mask_to_rle

    ds = Dataset(categories=[Category(id=0, name="blob")])
    ds.add_item(Item(id="a", media=Media(path="images/train/a.jpg", width=10, height=8), split="train"))
    for i, mask in enumerate(masks):
        cell = mask_to_rle(mask)
        rle = Rle(size=(cell["height"], cell["width"]), counts=cell["counts"])
        ds.add(Object(id=str(i), item_id="a", category_id=0, shape="mask", mask=rle))
    return ds


def test_segment_traces_masks_exactly(tmp_path: Path) -> None:
    mask = np.zeros((8, 10), dtype=np.uint8)
    mask[2:5, 1:4] = 1  # a 3x3 square
    mask[4, 4] = 1  # and a pixel beside its bottom-right corner: an L-like outline
    report = labelkit.save(_mask_dataset(mask), tmp_path / "o", "yolo", task="segment")
    assert not report.lost
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("masks", 1)]
    line = (tmp_path / "o/labels/train/a.txt").read_text()
    # corners (1,2) (4,2) (4,4) (5,4) (5,5) (1,5), normalised by 10 x 8
    assert line == "0 0.1 0.25 0.4 0.25 0.4 0.5 0.5 0.5 0.5 0.625 0.1 0.625\n"
    back = labelkit.load(tmp_path / "o", "yolo", image_sizes=str(tmp_path / "o/image_sizes.json"))
    (obj,) = back.objects()
    from labelkit.model.raster import polygons_to_mask

    assert np.array_equal(polygons_to_mask(obj.polygon, 8, 10), mask)


def test_segment_tracing_that_drops_pixels_is_loss(tmp_path: Path) -> None:
    ring = np.zeros((8, 10), dtype=np.uint8)
    ring[1:6, 1:6] = 1
    ring[3, 3] = 0  # a hole
    two = np.zeros((8, 10), dtype=np.uint8)
    two[0:2, 0:2] = 1
    two[5:8, 6:10] = 1  # the larger region is written
    empty = np.zeros((8, 10), dtype=np.uint8)
    ds = _mask_dataset(ring, two, empty)
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task="segment")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("objects without a box or polygon or traceable mask", 1),  # the empty mask, which has no box
        ("masks with holes or several regions", 2),
    ]
    labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    lines = (tmp_path / "o/labels/train/a.txt").read_text().splitlines()
    assert lines == ["0 0.1 0.125 0.6 0.125 0.6 0.75 0.1 0.75", "0 0.6 0.625 1.0 0.625 1.0 1.0 0.6 1.0"]


def test_plan_then_change_then_save_uses_the_changed_dataset(tmp_path: Path) -> None:
    """check() caches derived columns for write(); a dataset changed in between must not see stale ones."""
    ds = make_dataset()
    labelkit.plan(ds, "yolo", task="detect")
    ds.add(Object(id="9", item_id="c", category_id=0, bbox=(10.0, 10.0, 20.0, 20.0)))
    labelkit.save(ds, tmp_path / "o", "yolo", task="detect")
    assert (tmp_path / "o/labels/val/c.txt").read_text() == "0 0.2 0.4 0.2 0.4\n"


@given(
    st.lists(
        st.tuples(
            st.integers(0, 120),
            st.lists(st.floats(0, 1, allow_nan=False, allow_subnormal=True), min_size=4, max_size=4),
        ),
        max_size=40,
    )
)
@settings(max_examples=60, deadline=None)
def test_contiguous_detect_text_is_the_lines_back_to_back(rows: list[tuple[int, list[float]]]) -> None:
    import orjson

    from labelkit.formats.yolo_numbers import fmt_rows, split_lines, text_rows

    cls = np.array([c for c, _ in rows], dtype=np.int64)
    values = np.array([v for _, v in rows], dtype=np.float64).reshape(-1, 4)
    lines = split_lines(*fmt_rows(cls, values, None))
    text, ends = text_rows(cls, values)
    assert bytes(text) == b"".join(lines)
    assert ends.tolist() == np.cumsum([len(x) for x in lines]).tolist()
    # each value as orjson writes one float: the shortest text that reads back to the same float64
    expected = [b"%d " % c + b" ".join(orjson.dumps(float(x)) for x in v) + b"\n" for c, v in rows]
    assert lines == expected


@given(
    st.lists(
        st.tuples(
            st.integers(0, 120),
            st.lists(st.floats(-2, 2, allow_nan=False, allow_subnormal=True), min_size=0, max_size=12),
        ),
        max_size=30,
    ),
    st.sampled_from([None, 3]),
)
@settings(max_examples=80, deadline=None)
def test_ragged_lines_are_each_value_as_one_float(rows: list[tuple[int, list[float]]], precision: int | None) -> None:
    """Segment and pose lines: rows of any length (an empty row takes the per-line path), exact or fixed."""
    import orjson

    from labelkit.formats.yolo_numbers import fmt_ragged, split_lines

    cls = np.array([c for c, _ in rows], dtype=np.int64)
    flat = np.array([x for _, v in rows for x in v], dtype=np.float64)
    offsets = np.r_[0, np.cumsum([len(v) for _, v in rows])].astype(np.int64)
    text, ends = fmt_ragged(cls, flat, offsets, precision)
    lines = split_lines(text, ends)
    assert bytes(text) == b"".join(lines)
    if precision is None:
        expected = [b"%d " % c + b" ".join(orjson.dumps(float(x)) for x in v) + b"\n" for c, v in rows]
    else:
        expected = [b"%d " % c + b" ".join(b"%.3f" % x for x in v) + b"\n" for c, v in rows]
    assert lines == expected


@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.sampled_from(["a.jpg", "b/c.jpg", "é.png"]),
                st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12),
            ),
            st.one_of(st.none(), st.integers(0, 5000)),
            st.one_of(st.none(), st.integers(0, 5000)),
        ),
        max_size=20,
    ),
    st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_image_sizes_text_is_orjsons_text(rows: list[tuple[str, int | None, int | None]], arrow: bool) -> None:
    """Against orjson on the dict (a path given twice keeps its last size; null or 0 sizes are left out)."""
    import orjson
    import pyarrow as pa

    from labelkit.formats.yolo_media import sizes_document, sizes_text

    known = {p: (w, h) for p, w, h in rows if w and h}
    expected = orjson.dumps(sizes_document(known)) + b"\n"
    widths, heights = [w for _, w, _ in rows], [h for _, _, h in rows]
    if arrow:  # as the writer passes them: the items table's columns
        args = (pa.chunked_array([widths], pa.int64()), pa.chunked_array([heights], pa.int64()))
        assert sizes_text([p for p, _, _ in rows], *args) == expected
    else:
        assert sizes_text([p for p, _, _ in rows], widths, heights) == expected


@given(
    st.lists(
        st.lists(st.lists(st.integers(0, 40), min_size=6, max_size=12).filter(lambda r: len(r) % 2 == 0), max_size=4),
        min_size=1,
        max_size=12,
    )
)
@settings(max_examples=100, deadline=None)
def test_segment_writes_each_objects_first_largest_ring(objects: list[list[list[int]]]) -> None:
    """The ring an object with several rings writes, against the shoelace area ring by ring (ties: the first)."""
    from labelkit.formats.yolo_lines import _largest_rings
    from labelkit.model import geometry as G

    rings = [r for rs in objects for r in rs]
    coords = np.array([x for r in rings for x in r], dtype=np.float64)
    ring_start = np.r_[0, np.cumsum([len(r) for r in rings])].astype(np.int64)
    counts = np.array([len(rs) for rs in objects], dtype=np.int64)
    pick = _largest_rings(coords, ring_start, counts)
    first = 0
    for i, rs in enumerate(objects):
        if rs:
            areas = [G.ring_area(r) for r in rs]
            assert pick[i] == first + areas.index(max(areas))
        first += len(rs)


def test_segment_ring_pick_ties_to_the_first_and_skips_nan() -> None:
    """Congruent rings with fractional corners tie exactly (areas measured from each ring's first point)."""
    from labelkit.formats.yolo_lines import _largest_rings

    ring = [51.92, 93.65, 65.36, 40.75, 13.26, 83.13, 18.89, 49.81, 99.08, 21.61, 94.44, 81.18, 23.97, 72.76]
    for shift in (144.97, 0.1, 1e4 / 3):
        moved = [v + shift for v in ring]
        coords = np.array(ring + moved, dtype=np.float64)
        assert _largest_rings(coords, np.array([0, 14, 28]), np.array([2])).tolist() == [0]
        coords = np.array(moved + ring, dtype=np.float64)
        assert _largest_rings(coords, np.array([0, 14, 28]), np.array([2])).tolist() == [0]
    # areas 1, NaN and 4: the largest finite ring
    unit, bad, big = [0, 0, 1, 0, 1, 1, 0, 1], [0, 0, float("nan"), 0, 1, 1, 0, 1], [0, 0, 2, 0, 2, 2, 0, 2]
    coords = np.array(unit + bad + big, dtype=np.float64)
    assert _largest_rings(coords, np.array([0, 8, 16, 24]), np.array([3])).tolist() == [2]
    # an empty ring has area 0; objects without rings are left to the caller
    coords = np.array(unit + big, dtype=np.float64)
    assert _largest_rings(coords, np.array([0, 8, 8, 16]), np.array([0, 3, 0])).tolist()[1] == 2
    # an object's pick does not depend on its neighbours: the same rings beside an empty or odd-length ring
    moved = [v + 144.97 for v in ring]
    alone = _largest_rings(np.array(ring + moved), np.array([0, 14, 28]), np.array([2])).tolist()
    for odd in ([], [0.0, 0.0, 5.0, 0.0, 5.0]):
        coords = np.array(ring + moved + odd + big, dtype=np.float64)
        starts = np.array([0, 14, 28, 28 + len(odd), 36 + len(odd)])
        picks = _largest_rings(coords, starts, np.array([2, 2])).tolist()
        assert picks[0] == alone[0] == 0
        assert picks[1] == 3  # the 2x2 square, not the empty or malformed ring


def test_segment_refuses_a_mask_whose_runs_do_not_make_it(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=4, height=3)))
    ds.add(Object(id="m7", item_id="1", category_id=0, shape="mask", mask=Rle(size=(3, 4), counts=[2, 3])))
    with pytest.raises(InputError, match=r"object m7: RLE counts add up to 5, not 12 \(height x width\)"):
        labelkit.save(ds, tmp_path / "out", "yolo", task="segment", allow_loss=True)
    assert not (tmp_path / "out").exists()


def test_detect_does_not_fail_on_an_object_whose_rings_are_all_empty(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="1", category_id=0, shape="polygon", polygon=[[], []]))
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)  # was: ValueError from min()
    # nothing to bound: the object is lost (it was written as a zero box)
    assert ("objects without a box or polygon", 1) in [(c.what, c.count) for c in report.lost]
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text() == ""


_BOX = (1.0, 1.0, 2.0, 2.0)
_BOX_LINE = {
    "detect": "0 0.2 0.2 0.2 0.2\n",
    "pose": "0 0.2 0.2 0.2 0.2\n",
    "segment": "0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n",
    "obb": "0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n",
}


@pytest.mark.parametrize("task", ["detect", "segment", "obb", "pose"])
@pytest.mark.parametrize("polygon", [[], [[]], [[1.0, 2.0]], [[], [3.0, 3, 4, 4]]])
@pytest.mark.parametrize("bbox", [None, _BOX])
def test_a_polygon_without_a_ring_of_3_points_is_no_polygon(
    tmp_path: Path, task: str, polygon: list[list[float]], bbox: tuple[float, float, float, float] | None
) -> None:
    """Nothing is drawn from it: the object's box is written, or the object is lost (was: a zero box, a line
    of two numbers or of none, or a crash for OBB)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="e", item_id="1", category_id=1, shape="polygon", polygon=polygon, bbox=bbox))
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task=task, media="none")
    lost = [(c.what, c.count) for c in report.lost]
    text = (tmp_path / "o/labels/train/a.txt").read_text()
    if bbox is None:
        assert text == ""
        what = "objects without a box or polygon" + (" or traceable mask" if task == "segment" else "")
        assert (what, 1) in lost and report.written["object annotations"] == 0
    else:
        assert text == _BOX_LINE[task]
        assert report.written["object annotations"] == 1
        if task in ("segment", "obb"):
            assert ("polygons without a ring of 3 points", 1) in lost
        assert not any(w.startswith("objects without") for w, _ in lost)


def test_segment_writes_a_drawable_ring_over_a_degenerate_one(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ring = [0.0, 0.0, 5.0, 0.0, 5.0, 5.0]
    ds.add(Object(id="a", item_id="1", category_id=1, shape="polygon", polygon=[[9.0, 9.0], ring]))
    flat = [0.0, 0.0, 5.0, 5.0, 10.0, 10.0]  # 3 points in a line: area 0, as the 2-point ring before it
    ds.add(Object(id="b", item_id="1", category_id=1, shape="polygon", polygon=[[1.0, 1, 2, 2], flat]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="segment", media="none")
    lines = (tmp_path / "o/labels/train/a.txt").read_text().splitlines()
    assert lines == ["0 0.0 0.0 0.5 0.0 0.5 0.5", "0 0.0 0.0 0.5 0.5 1.0 1.0"]
    assert ("polygon rings beyond the largest", 2) in [(c.what, c.count) for c in report.lost]


def test_obb_writes_a_boxless_polygons_bounds(tmp_path: Path) -> None:
    """A polygon that is not a 4-corner box, on an object without a box: its bounds (was: a zero box)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="p", item_id="1", category_id=1, shape="polygon", polygon=[[1.0, 1, 5, 1, 5, 5, 3, 7, 1, 5]]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="obb", media="none")
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.1 0.1 0.5 0.1 0.5 0.7 0.1 0.7\n"
    (polygons,) = [c for c in report.lost if c.what == "polygons"]
    assert polygons.count == 1 and "the polygon's bounds without one" in polygons.reason


def test_yolo_counts_only_written_objects_as_transformed(tmp_path: Path) -> None:
    """An object lost for having no category is not also reported as a box made a polygon."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="a", item_id="1", category_id=1, bbox=_BOX))
    ds.add(Object(id="b", item_id="1", category_id=None, bbox=_BOX))  # (an unknown id is lost before YOLO's check)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="segment", media="none")
    assert [(c.what, c.count) for c in report.transformed if c.what == "boxes"] == [("boxes", 1)]
    assert ("objects without a known category", 1) in [(c.what, c.count) for c in report.lost]
    report = labelkit.save(ds, tmp_path / "p", "yolo", allow_loss=True, task="pose", media="none")
    assert "objects without keypoints" not in [c.what for c in report.transformed]  # no keypoints: plain boxes
    assert yaml.safe_load((tmp_path / "p/data.yaml").read_text())["kpt_shape"] == [0, 3]
    ds.categories[0] = ds.categories[0].model_copy(update={"keypoints": ["nose"]})
    report = labelkit.save(ds, tmp_path / "q", "yolo", allow_loss=True, task="pose", media="none")
    assert ("objects without keypoints", 1) in [(c.what, c.count) for c in report.transformed]


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_a_dataset_without_images_reads_back_with_its_classes(layout: str, tmp_path: Path) -> None:
    """data.yaml names the split's folders: they are made even when empty (was: 'none of the folders exist')."""
    ds = Dataset(categories=[Category(id=1, name="cat"), Category(id=2, name="dog")])
    labelkit.save(ds, tmp_path / "o", "yolo", layout=layout, media="none")
    back = labelkit.load(tmp_path / "o")
    assert len(back) == 0 and [c.name for c in back.categories] == ["cat", "dog"]
    labelkit.save(Dataset(), tmp_path / "none", "yolo", layout=layout, media="none")  # no classes either
    assert len(labelkit.load(tmp_path / "none")) == 0
    (tmp_path / "loose").mkdir()  # a folder that is no dataset is still an error
    with pytest.raises(InputError, match="no images or label files found"):
        labelkit.load(tmp_path / "loose", format="yolo")


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
@pytest.mark.parametrize("split", ["test", "val", "con", " "])
def test_a_dataset_without_images_written_with_a_split_option_reads_back(
    layout: str, split: str, tmp_path: Path
) -> None:
    """The empty folders made are those data.yaml names (images/train, labels/train; obj_train_data): they were
    the -o split option's (images/test beside data.yaml's train: images/train), so the output did not read back
    ('none of the image folders or lists named in data.yaml exist'), and a split Windows cannot name (con) made a
    folder of that name. The same when every item is lost for its split's name (-o split=con, --allow-loss)."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    labelkit.save(ds, tmp_path / "o", "yolo", layout=layout, split=split)
    made = sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*") if p.is_dir())
    assert made == (["obj_train_data"] if layout == "darknet" else ["images", "images/train", "labels", "labels/train"])
    back = labelkit.load(tmp_path / "o")
    assert len(back) == 0 and [c.name for c in back.categories] == ["cat"]
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    if layout == "darknet" and split in ("con", " "):
        return  # (refused: such a split cannot be an obj.data key)
    report = labelkit.save(ds, tmp_path / "lost", "yolo", layout=layout, split=split, allow_loss=True)
    back = labelkit.load(tmp_path / "lost")
    assert [c.name for c in back.categories] == ["cat"]
    lost = [c.what for c in report.lost]
    if split in ("con", " "):  # the item is lost (its label file Windows cannot hold): no folder of that name
        assert (len(back), lost) == (0, ["items whose file names Windows cannot hold", "object annotations on them"])
        assert not (tmp_path / "lost/labels" / split).exists() and not (tmp_path / "lost/images" / split).exists()
    else:
        assert ([i.split for i in back.items()], len(list(back.objects())), lost) == ([split], 1, [])


def test_finding_label_files_closes_every_directory_scan(tmp_path: Path) -> None:
    import gc
    import warnings

    from labelkit.formats.yolo_layout import has_txt

    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "a.txt").write_text("")
    (tmp_path / "z.txt").write_text("")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert has_txt(tmp_path) and has_txt(tmp_path / "train")  # both return early, mid-scan
        gc.collect()
    assert [w for w in seen if issubclass(w.category, ResourceWarning)] == []


def test_an_images_folder_inside_an_image_path_is_renamed(tmp_path: Path) -> None:
    """Ultralytics finds a label by turning the *last* images/ of the image path into labels/."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="x", media=Media(path="site/images/x.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1, 1, 2, 2)))
    labelkit.save(ds, tmp_path / "o", "yolo", media="none")
    assert (tmp_path / "o/labels/train/site/images_/x.txt").is_file()
    (back,) = labelkit.load(tmp_path / "o").items()  # was: 'image not found' for images/train/site/images/x.jpg
    assert back.media.path == "images/train/site/images_/x.jpg"


def test_media_copy_writes_the_sizes_of_images_it_cannot_place(tmp_path: Path) -> None:
    """An item without an image path, or one a reader does not take for an image: its label reads back."""
    root = tmp_path / "media"
    root.mkdir()
    (root / "2").write_bytes(b"an image without an extension")
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", media=Media(width=10, height=10)))  # no path
    ds.add_item(Item(id="b", media=Media(path="2", width=20, height=10)))
    for item in ("a", "b"):
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1, 1, 2, 2)))
    labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(root))
    sizes = json.loads((tmp_path / "o" / "image_sizes.json").read_text())
    assert sizes == {"images/train/2": [20, 10], "images/train/a.jpg": [10, 10]}
    back = labelkit.load(tmp_path / "o")  # was: 'image not found' for both
    assert sorted((i.media.width, i.media.height) for i in back.items()) == [(10, 10), (20, 10)]


def test_video_items_are_lost_and_not_written(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="v", media=Media(kind="video", path="v.mp4", width=10, height=10)))
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=10, height=10)))
    for item in ("v", "i"):
        ds.add(Object(id=item, item_id=item, category_id=1, bbox=(1, 1, 2, 2)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", media="none")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("video items", 1), ("object annotations on them", 1)]
    labelkit.save(ds, tmp_path / "o", "yolo", media="none", allow_loss=True)
    assert sorted(p.name for p in (tmp_path / "o" / "labels" / "train").iterdir()) == ["i.txt"]


def test_pose_flip_idx_that_is_not_indexes_is_not_written(tmp_path: Path) -> None:
    ds = Dataset(
        categories=[Category(id=1, name="a", keypoints=["p", "q"])],
        info=DatasetInfo(extras={"yolo:flip_idx": ["a", 0]}),
    )
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=6)))
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=(1, 1, 2, 2), keypoints=[1, 1, 2, 2, 2, 2]))
    labelkit.save(ds, tmp_path / "out", "yolo", task="pose", allow_loss=True)
    assert "flip_idx" not in (tmp_path / "out" / "data.yaml").read_text()
    assert len(labelkit.load(tmp_path / "out")) == 1


def _same_stem(root: Path, sizes: tuple[tuple[int, int], tuple[int, int]] = ((10, 10), (20, 20))) -> Path:
    """``x.jpg`` and ``x.png`` in one folder: Ultralytics gives both ``labels/train/x.txt``."""
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", sizes[0]).save(root / "images/train/x.jpg")
    Image.new("RGB", sizes[1]).save(root / "images/train/x.png")
    (root / "labels/train/x.txt").write_text("0 0.5 0.5 0.2 0.2\n0 0.117919 0.760962 0.118061 0.094904\n")
    (root / "data.yaml").write_text("train: images/train\nnames:\n  0: a\n")
    return root


def test_images_sharing_a_stem_are_two_items_sharing_a_label_file(tmp_path: Path) -> None:
    """They were one item id twice, so COCO got both objects on the second image."""
    ds = labelkit.load(_same_stem(tmp_path / "in"))
    assert [(i.id, i.media.path) for i in ds.items()] == [
        ("x.jpg", "images/train/x.jpg"),
        ("x.png", "images/train/x.png"),
    ]
    assert [(o.item_id, o.bbox[:2]) for o in ds.objects()] == [
        ("x.jpg", pytest.approx((4.0, 4.0))),
        ("x.jpg", pytest.approx((0.588885, 7.13510))),
        ("x.png", pytest.approx((8.0, 8.0))),
        ("x.png", pytest.approx((1.17777, 14.27020))),
    ]
    labelkit.convert(tmp_path / "in", tmp_path / "coco", to="coco", allow_loss=True)
    doc = json.loads((tmp_path / "coco/annotations/instances_train.json").read_text())
    assert [a["image_id"] for a in doc["annotations"]] == [1, 1, 2, 2]
    # written back, the shared file is written once, and both images read back from image_sizes.json
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="yolo")
    assert report.written == {"items": 2, "object annotations": 4, "label files": 1}
    assert sorted(p.name for p in (tmp_path / "out/labels/train").iterdir()) == ["x.txt"]
    assert _numbers(tmp_path / "out/labels/train/x.txt") == pytest.approx(_numbers(tmp_path / "in/labels/train/x.txt"))
    assert canonical(labelkit.load(tmp_path / "out")) == canonical(ds)


@pytest.mark.parametrize("path", [None, "x.gif"], ids=["no-image", "no-image-extension"])
@pytest.mark.parametrize("media", ["copy", "link"])
def test_an_item_left_no_image_beside_a_placed_image_of_its_stem_is_a_reported_loss(
    tmp_path: Path, path: str | None, media: str
) -> None:
    """An item whose image is not placed (none, or a file of no image extension) is read back from
    image_sizes.json; beside a copied image of its stem, a reader takes their shared label file for that
    image's, and the item was lost on reading back, reported written. It is a loss, refused without allow_loss."""
    (tmp_path / "media").mkdir()
    Image.new("RGB", (64, 48)).save(tmp_path / "media/x.png")
    (tmp_path / "media/x.gif").write_bytes(b"GIF89a")
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="x", media=Media(path=path, width=64, height=48), split="train"))
    ds.add_item(Item(id="y", media=Media(path="x.png", width=64, height=48), split="train"))
    for n, item in enumerate(("x", "y")):
        ds.add(Object(id=str(n), item_id=item, category_id=0, bbox=(1.0, 1.0, 4.0, 4.0)))
    options = {"media": media, "media_root": str(tmp_path / "media")}
    lost = [("items whose label file is a copied image's", 1), ("object annotations on them", 1)]
    assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo", **options).lost] == lost
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo", **options)
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert [(c.what, c.count) for c in report.lost] == lost and report.written["items"] == 1
    back = labelkit.load(tmp_path / "o", "yolo")
    assert [(i.id, i.media.path) for i in back.items()] == [("x", "images/train/x.png")]
    assert len(list(back.objects())) == 1
    # the Darknet layout lists every image: both are read back
    report = labelkit.save(ds, tmp_path / "d", "yolo", layout="darknet", **options)
    assert report.lost == [] and len(labelkit.load(tmp_path / "d", "yolo")) == 2


def test_a_stale_size_file_entry_beside_an_image_of_its_stem_is_no_item_of_its_own(tmp_path: Path) -> None:
    """image_sizes.json listing x.jpg of an image re-encoded to x.png (or x.PNG beside x.png) is the found
    image's: it is not read as a second item sharing its label file, which doubled its objects."""
    root = tmp_path / "in"
    for d in ("images/train", "labels/train"):
        (root / d).mkdir(parents=True)
    for stem in "xy":
        Image.new("RGB", (64, 48)).save(root / f"images/train/{stem}.png")
        (root / f"labels/train/{stem}.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "image_sizes.json").write_text('{"images/train/x.jpg": [64, 48], "images/train/y.PNG": [64, 48]}')
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [c]\n")
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.media.path) for i in ds.items()] == [("x", "images/train/x.png"), ("y", "images/train/y.png")]
    assert len(list(ds.objects())) == 2


def test_a_shared_label_file_of_images_of_other_sizes_is_written_once(tmp_path: Path) -> None:
    """Normalised by 1101 x 4663 and by 517 x 2090, the same lines differ in their last bits: still the same."""
    _same_stem(tmp_path / "in", ((1101, 4663), (517, 2090)))
    labelkit.convert(tmp_path / "in", tmp_path / "out", to="yolo")
    labelkit.convert(tmp_path / "in", tmp_path / "coco", to="coco", allow_loss=True)
    labelkit.convert(tmp_path / "coco", tmp_path / "back", to="yolo", allow_loss=True)  # COCO boxes gain polygons
    lines = _numbers(tmp_path / "in/labels/train/x.txt")
    for out in ("out", "back"):
        assert sorted(p.name for p in (tmp_path / out / "labels/train").iterdir()) == ["x.txt"]
        assert _numbers(tmp_path / out / "labels/train/x.txt") == pytest.approx(lines, abs=1e-9)


def _numbers(path: Path) -> list[float]:
    return [float(t) for t in path.read_text().split()]


def test_items_sharing_a_label_file_with_different_lines_are_refused(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="a")])
    for name, box in (("x.jpg", (1.0, 1.0, 2.0, 2.0)), ("x.png", (5.0, 5.0, 2.0, 2.0))):
        ds.add_item(Item(id=name, split="train", media=Media(path=f"images/train/{name}", width=10, height=10)))
        ds.add(Object(id=name, item_id=name, category_id=0, bbox=box))
    with pytest.raises(OutputError, match=r"'x.jpg' and 'x.png' would share the label file labels/train/x.txt with"):
        labelkit.save(ds, tmp_path / "out", "yolo")
    assert not (tmp_path / "out").exists()
    # found when the conversion is planned: labelkit.plan and a dry run passed it (exit 0), the write then failed
    for task in ("detect", "segment", "obb", "pose"):
        with pytest.raises(OutputError, match=r"'x.jpg' and 'x.png' would share the label file"):
            labelkit.plan(ds, "yolo", task=task)
    labelkit.save(ds, tmp_path / "in.labelkit.json", "labelkit")
    run = CliRunner().invoke(
        cli, ["convert", str(tmp_path / "in.labelkit.json"), str(tmp_path / "out"), "--to=yolo", "--dry-run"]
    )
    assert run.exit_code == 2
    assert "would share the label file labels/train/x.txt with different lines" in run.output


def test_a_plan_makes_the_lines_of_items_sharing_label_files_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan made each sharing item's lines apart, each time scanning every object row: quadratic (20,000
    items of x.jpg and x.png twins planned in 7.8 s, against 0.35 s). Each item's own lines are compared still."""
    from labelkit.formats import yolo_lines

    ds = Dataset(categories=[Category(id=0, name="a")])
    pairs = 50
    for n in range(pairs):
        for ext in ("jpg", "png"):
            name = f"x{n}.{ext}"
            ds.add_item(Item(id=name, split="train", media=Media(path=name, width=10, height=10)))
            far = 6.0 if n == pairs - 1 and ext == "png" else 5.0  # (the last pair differs, in its second box)
            ds.add(Object(id=name + "1", item_id=name, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
            ds.add(Object(id=name + "2", item_id=name, category_id=0, bbox=(far, 1.0, 2.0, 2.0)))
    calls = []
    text = yolo_lines.Lines.text
    monkeypatch.setattr(yolo_lines.Lines, "text", lambda self, rows: calls.append(len(rows)) or text(self, rows))
    with pytest.raises(OutputError, match=rf"'x{pairs - 1}.jpg' and 'x{pairs - 1}.png' would share the label file"):
        labelkit.plan(ds, "yolo")
    assert calls == [4 * pairs]
    ds.add(Object(id="fix", item_id=f"x{pairs - 1}.jpg", category_id=0, bbox=(6.0, 1.0, 2.0, 2.0)))
    with pytest.raises(OutputError, match="would share the label file"):  # (3 lines against 2)
        labelkit.plan(ds, "yolo")


def test_items_of_one_image_file_are_a_loss_even_with_the_same_lines(tmp_path: Path) -> None:
    """Written once, they read back as one item: two COCO images with one file_name, say. (It was refused only
    while writing, even with --allow-loss; the plan now reports it, see test_io.)"""
    ds = Dataset(categories=[Category(id=0, name="a")])
    for item_id in ("1", "2"):
        ds.add_item(Item(id=item_id, split="train", media=Media(path="a.jpg", width=10, height=10)))
    with pytest.raises(DataLossError, match=r"would lose 1 items whose files are another item's") as err:
        labelkit.save(ds, tmp_path / "out", "yolo")
    assert "(item '1', 'labels/train/a.txt', is written; item '2'" in err.value.report.lost[0].reason
    assert not (tmp_path / "out").exists()
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert report.written == {"items": 1, "object annotations": 0, "label files": 1}


def test_classify_images_of_one_name_in_two_class_folders_are_two_items(tmp_path: Path) -> None:
    for cls in ("cat", "dog"):
        (tmp_path / "in/train" / cls).mkdir(parents=True)
        Image.new("RGB", (4, 3)).save(tmp_path / "in/train" / cls / "1.jpg")
    ds = labelkit.load(tmp_path / "in", "yolo")
    assert [i.id for i in ds.items()] == ["train/cat/1.jpg", "train/dog/1.jpg"]
    names = {c.id: c.name for c in ds.categories}
    assert [(lab.item_id, names[lab.category_id]) for lab in ds.labels()] == [
        ("train/cat/1.jpg", "cat"),
        ("train/dog/1.jpg", "dog"),
    ]


@pytest.mark.parametrize("links", ["inside", "follow"])
def test_classify_an_image_linking_to_no_file_is_refused(tmp_path: Path, links: str) -> None:
    """A dangling image link (a DVC or git-annex checkout whose cache lacks the image) was passed over: its
    item and its class label were lost unsaid. The detect layout's error names a missing image too."""
    root = tmp_path / "in"
    (root / "train/cat").mkdir(parents=True)
    (root / "train/dog").mkdir()
    Image.new("RGB", (4, 3)).save(root / "train/cat/a.jpg")
    (root / "train/dog/b.jpg").symlink_to(tmp_path / "cache/b.jpg")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", links=links)
    assert err.value.location.path == str(root / "train/dog/b.jpg")
    assert err.value.one_line().endswith("cannot read: a symbolic link to no file")
    with pytest.raises(InputError) as err:  # (so with the task given)
        labelkit.load(root, "yolo", links=links, task="classify")
    assert err.value.location.path == str(root / "train/dog/b.jpg")
    (tmp_path / "cache").mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "cache/b.jpg")
    ds = labelkit.load(root, "yolo", links=links)
    names = {c.id: c.name for c in ds.categories}
    assert [(lab.item_id, names[lab.category_id]) for lab in ds.labels()] == [
        ("a", "cat"),
        ("b", "dog"),
    ]


def test_classify_an_image_in_a_loop_of_links_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "train/cat").mkdir(parents=True)
    Image.new("RGB", (4, 3)).save(root / "train/cat/a.jpg")
    (root / "train/cat/b.jpg").symlink_to(root / "train/cat/b.jpg")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / "train/cat/b.jpg")
    assert err.value.message.startswith("cannot read: ")


@pytest.mark.parametrize("layout", ["data.yaml", "folders", "flat"])
def test_an_image_linking_to_no_file_without_a_label_is_refused(tmp_path: Path, layout: str) -> None:
    """In the detect layouts a dangling image link without a label file was passed over: an image without
    objects, lost unsaid (with a label file, the error named the label file, not the link)."""
    root = tmp_path / "in"
    images = root if layout == "flat" else root / "images/train"
    labels = root if layout == "flat" else root / "labels/train"
    images.mkdir(parents=True)
    labels.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 3)).save(images / "a.jpg")
    (labels / "a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    if layout == "data.yaml":
        (root / "data.yaml").write_text("path: .\ntrain: images/train\nnames: [cat]\n")
    (images / "b.jpg").symlink_to(tmp_path / "cache/b.jpg")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(images / "b.jpg")
    assert err.value.one_line().endswith("cannot read: a symbolic link to no file")
    (tmp_path / "cache").mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "cache/b.jpg")
    assert sorted(i.id for i in labelkit.load(root, "yolo").items()) == ["a", "b"]


def test_data_yaml_keys_a_write_does_not_give_back_are_named_in_a_read_note(tmp_path: Path) -> None:
    """download and Roboflow's roboflow block were dropped without a word on YOLO -> YOLO."""
    (tmp_path / "in/images/train").mkdir(parents=True)
    (tmp_path / "in/labels/train").mkdir(parents=True)
    Image.new("RGB", (4, 3)).save(tmp_path / "in/images/train/a.jpg")
    (tmp_path / "in/labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "in/data.yaml").write_text(
        "path: .\ntrain: images/train\nval: images/train\ntest:\nnames: [cat]\nchannels: 1\n"
        "download: https://example.com/x.zip\nroboflow:\n  workspace: w\n"
    )
    notes = labelkit.load(tmp_path / "in").read_notes
    assert "data.yaml's download, roboflow not kept: a data.yaml written from it has no such key" in notes
    assert not [n for n in notes if "test" in n or "channels" in n]


def test_a_classify_split_whose_first_class_folder_holds_no_image_is_read(tmp_path: Path) -> None:
    """train/a/ held only a note: the whole train split (its 9 images) was left out without a word."""
    for cls in "abcdefghij":
        (tmp_path / "in/train" / cls).mkdir(parents=True)
        if cls != "a":
            Image.new("RGB", (4, 3)).save(tmp_path / "in/train" / cls / f"{cls}.jpg")
    (tmp_path / "in/train/a/notes.md").write_text("to label")
    (tmp_path / "in/val/b").mkdir(parents=True)
    Image.new("RGB", (4, 3)).save(tmp_path / "in/val/b/v.jpg")
    stats = labelkit.stats(tmp_path / "in")
    assert stats.items_by_split == {"train": 9, "val": 1}
    assert stats.categories == 10


@pytest.mark.parametrize("task", ["auto", "classify"])
@pytest.mark.parametrize("nested", [True, False], ids=["images-in-subfolders", "a-txt-file"])
def test_a_classify_split_beside_another_is_read_with_nested_images_or_a_txt_file(
    tmp_path: Path, nested: bool, task: str
) -> None:
    """A split whose class folders hold their images in sub-folders, or one holding a LICENSE.txt, beside a
    split taken for classify, was left out whole without a word; Ultralytics' ImageFolder reads both. The
    .txt files are named in a read note."""
    files = ["train/cat/sub/1.jpg", "train/dog/sub/3.jpg"] if nested else ["train/cat/1.jpg", "train/dog/3.jpg"]
    for rel in [*files, "val/cat/2.jpg", "val/dog/4.jpg"]:
        (tmp_path / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(tmp_path / "in" / rel)
    if not nested:
        (tmp_path / "in/train/cat/LICENSE.txt").write_text("source: flickr\n")
    ds = labelkit.load(tmp_path / "in", "yolo", task=task)
    names = {c.id: c.name for c in ds.categories}
    labels = {label.item_id: names[label.category_id] for label in ds.labels()}
    assert sorted((i.split, i.media.path, labels[i.id]) for i in ds.items()) == [
        ("train", files[0], "cat"),
        ("train", files[1], "dog"),
        ("val", "val/cat/2.jpg", "cat"),
        ("val", "val/dog/4.jpg", "dog"),
    ]
    notes = [n for n in ds.read_notes if ".txt files" in n]
    assert notes == (
        []
        if nested
        else [
            "1 .txt files lie in class folders (train/cat/LICENSE.txt first): a classify dataset's labels are its "
            "folders, and they are not read, as Ultralytics does not read them"
        ]
    )


@pytest.mark.parametrize("splits", [["train"], ["train", "valid"]])
def test_a_split_first_detect_layout_with_sub_folders_is_not_taken_for_classify(
    tmp_path: Path, splits: list[str]
) -> None:
    """train/images/v1/x.jpg beside train/labels/v1/x.txt: looking for a classify image below a class folder,
    the reader took images/ for a class, its boxes lost unsaid. A folder named images or labels is looked into
    alone, as before."""
    for split in splits:
        (tmp_path / split / "images/v1").mkdir(parents=True)
        (tmp_path / split / "labels/v1").mkdir(parents=True)
        Image.new("RGB", (40, 30)).save(tmp_path / split / "images/v1/x.jpg")
        (tmp_path / split / "labels/v1/x.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [c.name for c in ds.categories] == ["class_0"]
    assert len(list(ds.objects())) == len(splits) and list(ds.labels()) == []


def test_classify_to_classify_keeps_the_folders_below_a_class_folder(tmp_path: Path) -> None:
    """train/cat/a/1.jpg and train/cat/b/1.jpg were filed by their names alone, one file: the second was refused
    as another item's, so a classify dataset Ultralytics reads could not be written again without a loss."""
    for rel in ("train/cat/a/1.jpg", "train/cat/b/1.jpg", "val/dog/4.jpg", "val/dog/5.jpg"):
        (tmp_path / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 3)).save(tmp_path / "in" / rel)
    ds = labelkit.load(tmp_path / "in", "yolo")
    report = labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=str(tmp_path / "in"))
    assert report.lost == [] and report.transformed == []
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg")) == [
        "train/cat/a/1.jpg",
        "train/cat/b/1.jpg",
        "val/dog/4.jpg",
        "val/dog/5.jpg",
    ]
    assert canonical(labelkit.load(tmp_path / "out", "yolo")) == canonical(ds)
    # an item moved to another split keeps its folders below the class's; a path climbing out is filed by name
    moved = Dataset(categories=ds.categories)
    for n, path in enumerate(["train/cat/a/1.jpg", "val/cat/../../x/2.jpg"]):
        moved.add_item(Item(id=str(n), media=Media(path=path, width=4, height=3), split="test"))
        moved.add(Label(id=str(n), item_id=str(n), category_id=0))
    from labelkit.formats.yolo_classify import classify_files

    assert classify_files(moved, ["0", "1"], ["test", "test"], ["train/cat/a/1.jpg", "val/cat/../../x/2.jpg"])[0] == [
        "test/cat/a/1.jpg",
        "test/cat/2.jpg",
    ]


def test_darknet_names_file_gets_names_it_can_give_back(tmp_path: Path) -> None:
    """A blank last name was written as a blank last line, which readers drop: the class ids then overflowed."""
    names = [" cat ", "a\u2028b", "", "d\x85g", "", ""]
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=4, height=3)))
    ds.add(Object(id="1", item_id="a", category_id=5, bbox=(0.0, 0.0, 1.0, 1.0)))
    with pytest.raises(DataLossError, match="would lose 5 category names"):
        labelkit.save(ds, tmp_path / "refused", "yolo", layout="darknet")
    report = labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("category names", 5)]
    assert (tmp_path / "out/obj.names").read_text() == "cat\na b\n\nd g\nclass_4\nclass_5\n"
    back = labelkit.load(tmp_path / "out")
    assert [c.name for c in back.categories] == ["cat", "a b", "", "d g", "class_4", "class_5"]
    assert [o.category_id for o in back.objects()] == [5]
    # data.yaml holds any name (U+0085 double-quoted: PyYAML's single quotes turned it into a space)
    assert labelkit.save(ds, tmp_path / "yaml", "yolo").lost == []
    assert [c.name for c in labelkit.load(tmp_path / "yaml").categories] == names


YAML12_PLAIN_NOT_TEXT = ["1e3", "0o17", "0x1F", "+1E3", "-.5e-2", "1.", ".inf", "-.Inf", ".NaN", "TRUE", "~", "012"]
"""Names YAML 1.2's core schema reads as numbers, booleans or null when written plain (spec 1.2.2, 10.3.2)."""


def test_data_yaml_quotes_names_yaml_1_2_would_read_as_numbers(tmp_path: Path) -> None:
    """``1e3`` and ``0o17`` were written plain: PyYAML (YAML 1.1) reads them as text, YAML 1.2 loaders as numbers."""
    # (y, n: YAML 1.1's booleans PyYAML does not quote, which go-yaml v2 reads as booleans)
    names = [*YAML12_PLAIN_NOT_TEXT, "y", "N", "1e", "0o18", "0x", "1.2.3", "e3", "nan", "yes", "1_000", "cat", "ny"]
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=4, height=3)))
    labelkit.save(ds, tmp_path / "out", "yolo")
    text = (tmp_path / "out/data.yaml").read_text()
    written = dict(
        line.strip().split(": ", 1) for line in text.split("names:\n", 1)[1].splitlines() if line[:2] == "  "
    )
    plain = [v for v in written.values() if v[0] not in "'\""]
    assert plain == ["1e", "0o18", "0x", "1.2.3", "e3", "nan", "cat", "ny"]  # (yes, 1_000: quoted by PyYAML)
    assert [v for k, v in written.items() if int(k) < len(YAML12_PLAIN_NOT_TEXT) + 2] == [
        f"'{n}'" for n in [*YAML12_PLAIN_NOT_TEXT, "y", "N"]
    ]
    assert [c.name for c in labelkit.load(tmp_path / "out").categories] == names


def test_darknet_names_file_reports_a_first_name_starting_with_a_byte_order_mark(tmp_path: Path) -> None:
    """U+FEFF starting the first name was dropped on reading (taken for a byte-order mark), with no lost line."""
    ds = Dataset(categories=[Category(id=0, name="\ufeffx"), Category(id=1, name="\ufeffy")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=4, height=3)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "refused", "yolo", layout="darknet")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("category names", 1)]
    labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet", allow_loss=True)
    assert (tmp_path / "out/obj.names").read_text(encoding="utf-8") == "x\n\ufeffy\n"
    assert [c.name for c in labelkit.load(tmp_path / "out").categories] == ["x", "\ufeffy"]
    assert labelkit.save(ds, tmp_path / "yaml", "yolo").lost == []  # data.yaml keeps it
    assert [c.name for c in labelkit.load(tmp_path / "yaml").categories] == ["\ufeffx", "\ufeffy"]


@settings(max_examples=300, deadline=None)
@given(
    path=st.one_of(st.none(), st.text(alphabet="ab./\\:", max_size=12)),
    item_id=st.text(alphabet="ab./\\:", max_size=12),
    split=st.sampled_from(["train", "val"]),
)
def test_image_names_stay_inside_the_split_folder(path: str | None, item_id: str, split: str) -> None:
    """An item id of ../../../evil without an image path wrote evil.txt beside the output folder."""
    from labelkit.formats.yolo_write import image_name

    name = image_name(path, item_id, split)
    assert name and not name.startswith("/") and "\\" not in name
    assert all(part not in ("", ".", "..") for part in name.split("/")), name


def test_an_item_id_that_climbs_writes_nothing_outside_the_output(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="../../../evil", split="train", media=Media(width=4, height=3)))
    ds.add(Object(id="1", item_id="../../../evil", category_id=0, bbox=(0.0, 0.0, 1.0, 1.0)))
    (tmp_path / "out").mkdir()
    labelkit.save(ds, tmp_path / "out" / "y", "yolo")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt")) == [
        "out/y/labels/train/evil.txt"
    ]


def test_classify_never_overwrites_one_image_with_another(tmp_path: Path) -> None:
    """Two images named 1.jpg (from two folders) of one class went to one file: the second overwrote the first."""
    from labelkit.model import Label

    for folder in ("x", "y"):
        (tmp_path / "m" / folder).mkdir(parents=True)
        Image.new("RGB", (4, 3)).save(tmp_path / "m" / folder / "1.jpg")
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for item_id in ("x", "y"):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=f"{item_id}/1.jpg", width=4, height=3)))
        ds.add(Label(id=item_id, item_id=item_id, category_id=0))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    # (found when planning: it was refused only while writing, even with --allow-loss)
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "out", "yolo", **options)
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("items whose files are another item's", 1),
        ("label annotations on them", 1),
    ]
    assert err.value.report.lost[0].reason.endswith(
        "(item 'x', 'train/cat/1.jpg', is written; item 'y', 'train/cat/1.jpg', is not)"
    )
    assert not (tmp_path / "out").exists()
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg")) == [
        "train/cat/1.jpg"
    ]


@pytest.mark.parametrize("paths", [("a.jpg", "a.jpg/b.jpg"), ("a", "a/x.jpg")])
def test_darknet_without_images_loses_an_item_whose_listed_image_is_a_folder_on_another_s_way(
    tmp_path: Path, paths: tuple[str, str]
) -> None:
    """With media=none, b's label file made obj_train_data/a.jpg/ a folder, which train.txt lists as a's image:
    the output could not be read back (a list line naming a folder), and nothing was reported."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for n, (item_id, path) in enumerate(zip("ab", paths, strict=True)):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=64, height=48)))
        ds.add(Object(id=str(n), item_id=item_id, category_id=0, bbox=(1.0, 1.0, 4.0, 4.0)))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "refused", "yolo", layout="darknet")
    assert [(c.what, c.count) for c in err.value.report.lost] == [
        ("items whose files are another item's", 1),
        ("object annotations on them", 1),
    ]
    assert not (tmp_path / "refused").exists()
    labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "yolo")
    assert [i.id for i in back.items()] == ["obj_train_data/a"]


def test_darknet_never_copies_an_image_over_a_label_file(tmp_path: Path) -> None:
    """Images and labels share obj_<split>_data/: an image named z.txt replaced its own label file."""
    (tmp_path / "m").mkdir()
    Image.new("RGB", (4, 3)).save(tmp_path / "m/z.txt", format="JPEG")
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="z", split="train", media=Media(path="z.txt", width=4, height=3)))
    ds.add(Object(id="1", item_id="z", category_id=0, bbox=(0.0, 0.0, 1.0, 1.0)))
    with pytest.raises(OutputError, match="'obj_train_data/z.txt' would be its own label file") as err:
        labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet", media="copy", media_root=str(tmp_path / "m"))
    assert err.value.location.path == str(tmp_path / "out")  # refused before anything is written
    assert not (tmp_path / "out").exists()


_DECIMAL = st.integers(0, 10**6).map(lambda n: n / 10**6)  # Ultralytics' and CVAT's 6 decimals


@settings(max_examples=40, deadline=None)
@given(
    boxes=st.lists(  # inside the image: a box reaching out is clipped (and reported), so not given back
        st.tuples(_DECIMAL, _DECIMAL, _DECIMAL, _DECIMAL).filter(
            lambda b: b[2] / 2 <= b[0] <= 1 - b[2] / 2 and b[3] / 2 <= b[1] <= 1 - b[3] / 2
        ),
        min_size=1,
        max_size=6,
    ),
    polygon=st.lists(_DECIMAL, min_size=6, max_size=12).filter(lambda p: len(p) % 2 == 0),
    size=st.sampled_from([(640, 480), (1101, 4663), (517, 2090), (1920, 1080), (333, 777)]),
)
def test_yolo_to_yolo_gives_back_the_same_numbers(
    tmp_path_factory: pytest.TempPathFactory,
    boxes: list[tuple[float, ...]],
    polygon: list[float],
    size: tuple[int, int],
) -> None:
    """Normalised, multiplied back and normalised again, one value in ten changed in its last bits
    (0.24253 written back as 0.24252999999999997): the writer now picks the value the reader turns back into
    the same pixels, the shortest such."""
    root = tmp_path_factory.mktemp("yolo")
    for task, lines in (
        ("detect", [f"0 {' '.join(map(repr, b))}" for b in boxes]),
        ("segment", [f"0 {' '.join(map(repr, polygon))}"]),
    ):
        src = root / task / "in"
        (src / "labels/train").mkdir(parents=True)
        (src / "labels/train/x.txt").write_text("\n".join(lines) + "\n")
        (src / "data.yaml").write_text("train: images/train\nnames:\n  0: a\n")
        (src / "image_sizes.json").write_text(json.dumps({"images/train/x.jpg": list(size)}))
        labelkit.convert(src, root / task / "out", to="yolo", task=task)
        # the same numbers, each as the shortest text that reads back to it (orjson's, as the writer's)
        shortest = ["0 " + " ".join(orjson.dumps(float(t)).decode() for t in line.split()[1:]) for line in lines]
        assert (root / task / "out/labels/train/x.txt").read_text() == "\n".join(shortest) + "\n"


@settings(max_examples=30, deadline=None)
@given(
    width=st.integers(1, 10**6 // 2).map(lambda n: n * 2 / 10**6),  # even: w / 2 is a decimal of 6 places too
    size=st.sampled_from([(640, 480), (1101, 4663), (333, 777), (1920, 1080)]),
)
def test_a_box_touching_the_image_edge_is_given_back_not_clipped(
    tmp_path_factory: pytest.TempPathFactory, width: float, size: tuple[int, int]
) -> None:
    """0.966913 0.5 0.066174 0.1 on 640 pixels ends at 640.0000000000001: it was clipped, reported so, and
    written back as 0.06617399999999982 (its other numbers too, in their last bits)."""
    left, right, wide = (orjson.dumps(float(f"{v:.6f}")).decode() for v in (width / 2, 1 - width / 2, width))
    lines = [f"0 {left} 0.5 {wide} 0.1", f"0 {right} 0.5 {wide} 0.1", f"0 0.5 {right} 0.1 {wide}"]
    root = tmp_path_factory.mktemp("yolo")
    (root / "in/labels/train").mkdir(parents=True)
    (root / "in/labels/train/a.txt").write_text("".join(f"{line}\n" for line in lines))
    (root / "in/data.yaml").write_text("train: images/train\nnames: [a]\n")
    (root / "in/image_sizes.json").write_text(json.dumps({"images/train/a.jpg": list(size)}))
    report = labelkit.convert(root / "in", root / "out", to="yolo")
    assert (root / "out/labels/train/a.txt").read_text() == (root / "in/labels/train/a.txt").read_text()
    assert report.transformed == []


_UNIT_POINT = st.tuples(_DECIMAL, _DECIMAL)
_UNIT_BOX = st.tuples(_DECIMAL, _DECIMAL, _DECIMAL, _DECIMAL).filter(
    lambda b: b[2] / 2 <= b[0] <= 1 - b[2] / 2 and b[3] / 2 <= b[1] <= 1 - b[3] / 2
)


@st.composite
def _pose_or_obb_dataset(draw: st.DrawFn) -> tuple[str, str, dict[str, list[str]]]:
    """A data.yaml and label files of random pose (K points of 2 or 3 values) or OBB (quadrilateral) lines."""
    task = draw(st.sampled_from(["pose", "obb"]))
    k, dims = draw(st.integers(1, 4)), draw(st.sampled_from([2, 3]))
    if task == "pose":
        point = st.tuples(_DECIMAL, _DECIMAL, st.integers(0, 2)).map(lambda p: p[: 3 if dims == 3 else 2])
        line = st.tuples(_UNIT_BOX, st.lists(point, min_size=k, max_size=k)).map(
            lambda t: [*t[0], *[v for p in t[1] for v in p]]
        )
        config = f"kpt_shape: [{k}, {dims}]\n"
    else:  # (a rectangle is held as box and angle, so its corners may move in their last bits: documented)
        line = st.lists(_UNIT_POINT, min_size=4, max_size=4).map(lambda ps: [v for p in ps for v in p])
        config = ""
    files = {}
    for split in draw(st.lists(st.sampled_from(["train", "val"]), min_size=1, max_size=2, unique=True)):
        for i in range(draw(st.integers(1, 2))):
            rows = draw(st.lists(st.tuples(st.integers(0, 2), line), max_size=3))
            files[f"{split}/{i}"] = [f"{c} " + " ".join(orjson.dumps(v).decode() for v in vs) for c, vs in rows]
    splits = sorted({key.split("/")[0] for key in files})
    config = "".join(f"{s}: images/{s}\n" for s in splits) + "names: [a, b, c]\n" + config
    return task, config, files


@settings(max_examples=25, deadline=None)
@given(case=_pose_or_obb_dataset(), size=st.sampled_from([(640, 480), (1101, 4663), (333, 777)]))
def test_pose_and_obb_yolo_to_yolo_give_back_the_same_files(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[str, str, dict[str, list[str]]], size: tuple[int, int]
) -> None:
    """Random pose and OBB datasets written back as they were read: the same label files, byte for byte."""
    task, config, files = case
    root = tmp_path_factory.mktemp("yolo")
    for key, lines in files.items():
        (root / "in/labels" / key).parent.mkdir(parents=True, exist_ok=True)
        (root / "in/labels" / f"{key}.txt").write_text("".join(f"{line}\n" for line in lines))
    (root / "in/data.yaml").write_text(config)
    sizes = {f"images/{key}.jpg": list(size) for key in files}
    (root / "in/image_sizes.json").write_text(json.dumps(sizes))
    labelkit.convert(root / "in", root / "out", to="yolo")
    for key in files:
        assert (root / "out/labels" / f"{key}.txt").read_bytes() == (root / "in/labels" / f"{key}.txt").read_bytes()
    if any(files.values()):  # (without a line, the task read is detect)
        assert labelkit.load(root / "out", "yolo").info.extras["yolo:task"] == task


def test_an_obb_line_of_points_on_one_line_is_written_back_as_read(tmp_path: Path) -> None:
    """Four sub-pixel corners on one line passed for a rectangle (its sides' dot product was compared with a
    tolerance of pixels, floored at 1 pixel): held as box and angle, it was written back as another shape,
    ``0 3.7499999999999996e-7 5e-7 ...``. Found by the property test above."""
    line = "0 0.0 0.0 0.0 1e-6 0.0 2e-6 0.0 1e-6\n"
    (tmp_path / "in/labels/train").mkdir(parents=True)
    (tmp_path / "in/labels/train/0.txt").write_text(line)
    (tmp_path / "in/data.yaml").write_text("train: images/train\nnames: [a, b, c]\n")
    (tmp_path / "in/image_sizes.json").write_text(json.dumps({"images/train/0.jpg": [640, 480]}))
    assert [o.shape for o in labelkit.load(tmp_path / "in").objects()] == ["polygon"]
    labelkit.convert(tmp_path / "in", tmp_path / "out", to="yolo")
    assert (tmp_path / "out/labels/train/0.txt").read_text() == line


@pytest.mark.parametrize(
    ("split", "layout"),
    [("names", "ultralytics"), ("images", "ultralytics"), ("task", "ultralytics"), ("Images", "ultralytics")]
    + [("labelTxt", "ultralytics"), ("names", "darknet"), ("eval", "darknet"), ("map", "darknet")]
    + [("difficult", "darknet")],
)
def test_a_split_named_like_a_config_key_is_refused(tmp_path: Path, split: str, layout: str) -> None:
    """data.yaml's names (or obj.data's) was replaced by the split's folder, or its items were not read back."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    for item_id, s in (("1", "train"), ("2", split)):
        ds.add_item(Item(id=item_id, split=s, media=Media(path=f"{item_id}.jpg", width=4, height=3)))
    with pytest.raises(OutputError, match=f"the split '{split}' would be the"):
        labelkit.save(ds, tmp_path / "out", "yolo", layout=layout)
    assert not (tmp_path / "out").exists()


# -- label files parsed many at a time ------------------------------------------------------------------

_GOOD_TOKENS = st.one_of(
    st.sampled_from(["0", "1", "2", "17", "007", "0.5", ".5", "5.", "-0", "+1", "1e3", "1E-3", "1e+05", "-.25"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
_ODD_TOKENS = st.one_of(
    st.sampled_from(
        ["1_0", "inf", "nan", "-", "+", ".", "e", "1e", "1.2.3", "--1", "0x1", "é", "½", "99999999999999999999"]
    ),
    st.sampled_from(["9223372036854775807", "9223372036854775808", "0" * 4400 + "1", "7" * 4400]),
    st.text(alphabet="0123456789.eE+-", min_size=1, max_size=6),
)


_CLASS_IDS = st.one_of(
    st.integers(0, 25).map(str),
    st.sampled_from(["007", "00"]),
    # class ids as tools that write floats write them (read as integers), and those that are no integer
    st.integers(0, 25).map(lambda c: f"{c}.0"),
    st.sampled_from(["1.", "0.000", "2.50", "1e0", "15e-1", "+1", "-0", ".0", "1.5", "-1.0", "1.0000000000000001"]),
    st.sampled_from(["1e30", "0e9999999999", "20.000000000000000000000", "0000000000000000000001.0"]),
)


# line breaks as Linux, Windows and classic Mac OS write them, and mixed (LF CR: a blank line between)
_LINE_BREAKS = st.sampled_from(["\n", "\r\n", "\r", " \r\n", "\n\r"])


def _label_text(
    heads: st.SearchStrategy[str], tokens: st.SearchStrategy[str], spaces: st.SearchStrategy[str]
) -> st.SearchStrategy[bytes]:
    line = st.tuples(
        st.one_of(st.just([]), st.lists(tokens, max_size=6).flatmap(lambda t: heads.map(lambda h: [h, *t]))),
        spaces,
        _LINE_BREAKS,
    )
    text = st.lists(line, max_size=5).map(
        lambda ls: "".join(
            s.join(t) + (s if i % 2 else "") + (b if i < len(ls) - 1 else "") for i, (t, s, b) in enumerate(ls)
        )
    )
    return st.tuples(st.sampled_from(["", "\ufeff"]), text).map(lambda bom_text: "".join(bom_text).encode())


_LABEL_TEXTS = st.one_of(
    _label_text(_CLASS_IDS, _GOOD_TOKENS, st.sampled_from([" ", "  ", "\t"])),  # mostly taken
    _label_text(
        st.one_of(_CLASS_IDS, _ODD_TOKENS, _GOOD_TOKENS),
        st.one_of(_GOOD_TOKENS, _ODD_TOKENS),
        st.sampled_from([" ", "\t", " \r", "\x0b", "\x1c", "\xa0", "\ufeff"]),
    ),
)


def _one_by_one(texts: list[bytes], n_classes: int) -> yolo_parse.Parsed | InputError:
    out = yolo_parse.Parsed()
    try:
        for index, data in enumerate(texts):
            yolo_parse.parse_file(data, Path(f"{index}.txt"), index, out, n_classes)
    except InputError as exc:
        return exc
    return out


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_LABEL_TEXTS, min_size=1, max_size=4), n_classes=st.sampled_from([0, 3, 20]))
def test_parsing_many_files_at_once_gives_what_parsing_each_gives_or_declines(
    texts: list[bytes], n_classes: int
) -> None:
    slow = _one_by_one(texts, n_classes)
    fast = yolo_parse.Parsed()
    if yolo_parse.parse_many(texts, list(range(len(texts))), fast, n_classes):
        assert isinstance(slow, yolo_parse.Parsed), f"taken, but one file at a time says: {slow}"
        assert (fast.classes, fast.counts, fast.entry, fast.line) == (slow.classes, slow.counts, slow.entry, slow.line)
        assert (fast.spelled, fast.first_spelled) == (slow.spelled, slow.first_spelled)  # (the read note's)
        assert fast.values.tobytes() == slow.values.tobytes()  # the same floats, bit for bit (-0.0 included)
    else:
        assert fast == yolo_parse.Parsed()  # declined: nothing added


@pytest.mark.parametrize(
    "text",
    [
        "0 0.5 0.5 0.25 0.125\r\n\n1  0.2\t0.2 0.3 0.4 \n",
        "\ufeff0 0.5 0.5 0.25 0.125\r\n\r\n1  0.2\t0.2 0.3 0.4 \r\n",  # Windows Notepad's
        "0 0.5 0.5 0.25 0.125\r\r1  0.2\t0.2 0.3 0.4 \r",  # classic Mac OS's
        "0.0 0.5 0.5 0.25 0.125\n1.  0.2\t0.2 0.3 0.4\n",  # class ids as floats (a pandas column's)
    ],
)
def test_parsing_many_files_at_once_takes_the_usual_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    root = _tiny_dataset(tmp_path / "ds", "")
    (root / "labels/x.txt").write_bytes(text.encode())
    (root / "classes.txt").write_text("a\nb\n")

    def one_at_a_time(*args: object) -> None:
        raise AssertionError("the file went one at a time")

    monkeypatch.setattr(yolo_parse, "parse_file", one_at_a_time)
    ds = labelkit.load(root, "yolo", task="detect")
    assert [(o.category_id, o.bbox) for o in ds.objects()] == [(0, (7.5, 4.375, 5.0, 1.25)), (1, (1.0, 0.0, 6.0, 4.0))]


@pytest.fixture(params=[False, True], ids=["batch", "one-file-at-a-time"])
def either_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Label files parsed by the batch parser, then (declining every batch) by the one-file-at-a-time parser."""
    if request.param:
        monkeypatch.setattr(yolo_parse, "parse_many", lambda *args: False)


@pytest.mark.usefixtures("either_parser")
def test_cr_only_line_breaks_are_line_breaks(tmp_path: Path) -> None:
    """Classic Mac OS ends lines with a CR alone: three such box lines were read as one polygon of 7 points."""
    root = _tiny_dataset(tmp_path / "ds", "")
    (root / "labels/x.txt").write_bytes(b"0 0.5 0.5 0.5 0.5\r1 0.25 0.5 0.5 0.2\r\r0 0.75 0.5 0.1 0.2\r")
    ds = labelkit.load(root, "yolo")
    assert ds.info.extras["yolo:task"] == "detect"
    assert [(o.category_id, o.bbox) for o in ds.objects()] == [
        (0, (5.0, 2.5, 10.0, 5.0)),
        (1, (0.0, 4.0, 10.0, 2.0)),
        (0, (14.0, 4.0, 2.0, 2.0)),
    ]
    (root / "labels/x.txt").write_bytes(b"0 0.5 0.5 0.5 0.5\r\r1 0.5 0.5 0.5\r")  # an error names its line
    with pytest.raises(InputError, match="wrong number of fields") as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels/x.txt"), 3)


@pytest.mark.parametrize("brk", ["\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_lines_end_where_ultralytics_ends_them(tmp_path: Path, brk: str) -> None:
    """Lines parted by a vertical tab (or another break str.splitlines knows) were one polygon of 7 points."""
    root = _tiny_dataset(tmp_path / "ds", f"0 0.5 0.5 0.5 0.5{brk}1 0.25 0.5 0.5 0.2{brk}0 0.75 0.5 0.1 0.2\n")
    ds = labelkit.load(root, "yolo")
    assert ds.info.extras["yolo:task"] == "detect"
    assert [o.category_id for o in ds.objects()] == [0, 1, 0]


@pytest.mark.usefixtures("either_parser")
def test_class_ids_written_as_floats_are_read_as_integers(tmp_path: Path) -> None:
    """Ultralytics reads labels as float32 and takes the class as an integer, so files a pandas script writes
    (``1.0``) train: they were refused ("class id must be a non-negative integer (found '1.0')")."""
    lines = "1.0 0.5 0.5 0.5 0.5\n0 0.5 0.5 0.5 0.5\n\n1. 0.5 0.5 0.5 0.5\n0.000 0.5 0.5 0.5 0.5\n"
    root = _tiny_dataset(tmp_path / "ds", lines)
    (root / "labels/y.txt").write_text("1 0.5 0.5 0.5 0.5\n1.00 0.5 0.5 0.5 0.5\n")
    Image.new("RGB", (20, 10)).save(root / "images/y.png")
    ds = labelkit.load(root, "yolo")
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [
        ("x", 1, (5.0, 2.5, 10.0, 5.0)),
        ("x", 0, (5.0, 2.5, 10.0, 5.0)),
        ("x", 1, (5.0, 2.5, 10.0, 5.0)),
        ("x", 0, (5.0, 2.5, 10.0, 5.0)),
        ("y", 1, (5.0, 2.5, 10.0, 5.0)),
        ("y", 1, (5.0, 2.5, 10.0, 5.0)),
    ]
    assert ds.read_notes == [
        "4 label lines write their class id otherwise than in digits ('1.0' at labels/x.txt:1 first): each is "
        "read as the integer it is, which YOLO output writes in digits",
        "3 label lines repeat an earlier line of their file (labels/x.txt:4, as line 1 first): each is read as an "
        "object of its own, and written back",
    ]
    labelkit.save(ds, tmp_path / "out", "yolo")
    assert (tmp_path / "out/labels/train/x.txt").read_text().split("\n")[:4] == [
        "1 0.5 0.5 0.5 0.5",
        "0 0.5 0.5 0.5 0.5",
        "1 0.5 0.5 0.5 0.5",
        "0 0.5 0.5 0.5 0.5",
    ]
    assert labelkit.load(tmp_path / "out", "yolo").read_notes == [
        "3 label lines repeat an earlier line of their file (labels/train/x.txt:3, as line 1 first): each is read "
        "as an object of its own, and written back"
    ]


@pytest.mark.parametrize("head", ["1e0", "+1", "-0", ".1e1", "1.0000", "0001.0"])
def test_other_spellings_of_an_integer_class_id_are_read_as_it(tmp_path: Path, head: str) -> None:
    root = _tiny_dataset(tmp_path / "ds", f"0 0.5 0.5 0.5 0.5\n{head} 0.5 0.5 0.5 0.5\n")
    ds = labelkit.load(root, "yolo")
    assert [o.category_id for o in ds.objects()] == [0, 0 if head == "-0" else 1]
    assert ds.read_notes == [
        f"1 label lines write their class id otherwise than in digits ({head!r} at labels/x.txt:2 first): each is "
        "read as the integer it is, which YOLO output writes in digits"
    ] + (
        [  # ("-0" is class 0: the line repeats the first)
            "1 label line repeats an earlier line of its file (labels/x.txt:2, as line 1): each is read as an "
            "object of its own, and written back"
        ]
        if head == "-0"
        else []
    )


@pytest.mark.usefixtures("either_parser")
@pytest.mark.parametrize(
    ("head", "message"),
    [
        ("1.5", "class id must be a non-negative integer (found '1.5')"),
        ("0.5", "class id must be a non-negative integer (found '0.5')"),
        ("-1", "class id must be a non-negative integer (found '-1')"),
        ("-1.0", "class id must be a non-negative integer (found '-1.0')"),
        ("1.0000000000000001", "class id must be a non-negative integer (found '1.0000000000000001')"),  # float: 1
        ("nan", "class id must be a non-negative integer (found 'nan')"),
        ("inf", "class id must be a non-negative integer (found 'inf')"),
        ("1_0", "class id must be a non-negative integer (found '1_0')"),
        ("2.0", "class id 2 is beyond names (2 classes) (expected < 2)"),
        ("1e30", "class id of 31 digits is beyond names (2 classes)"),
        ("1e999999999999", "class id of 1,000,000,000,000 digits is beyond names (2 classes)"),
    ],
)
def test_a_class_id_that_is_no_integer_or_beyond_names_is_an_error_at_its_line(
    tmp_path: Path, head: str, message: str
) -> None:
    root = _tiny_dataset(tmp_path / "ds", f"1.0 0.5 0.5 0.5 0.5\n\n{head} 0.5 0.5 0.5 0.5\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels/x.txt"), 3)
    assert str(err.value) == f"{root / 'labels/x.txt'}:3: {message}"


def test_a_long_class_id_of_digits_then_a_letter_is_an_error_at_once(tmp_path: Path) -> None:
    """The pattern of decimal class ids backtracked over every split of a run of digits: 20,000 digits before a
    letter took 13 seconds to refuse (growing as the square), a hang for a corrupt or hostile file."""
    import time

    head = "1" * 40_000 + "x"
    root = _tiny_dataset(tmp_path / "ds", f"0 0.5 0.5 0.5 0.5\n{head} 0.5 0.5 0.5 0.5\n")
    start = time.perf_counter()
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert time.perf_counter() - start < 2  # (linear: milliseconds; the backtracking took about a minute)
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels/x.txt"), 2)
    assert err.value.message == "class id must be a non-negative integer"
    assert err.value.found is not None and err.value.found.startswith("'1111")


def test_a_flat_folder_of_class_ids_written_as_floats_is_detected(tmp_path: Path) -> None:
    """A LabelImg-style folder whose label files a pandas script wrote (``0.0 ...``) was not taken for YOLO."""
    Image.new("RGB", (20, 10)).save(tmp_path / "a.jpg")
    (tmp_path / "a.txt").write_text("0.0 0.5 0.5 0.5 0.5\n")
    (tmp_path / "classes.txt").write_text("cat\n")
    ds = labelkit.load(tmp_path)
    assert [(o.item_id, o.category_id) for o in ds.objects()] == [("a", 0)]


@pytest.mark.usefixtures("either_parser")
def test_a_byte_order_mark_starting_a_label_file_is_dropped(tmp_path: Path) -> None:
    """Windows Notepad starts UTF-8 files with a byte-order mark: ``\\ufeff0`` was refused as a class id."""
    root = _tiny_dataset(tmp_path / "ds", "")
    (root / "labels/x.txt").write_bytes("1 0.5 0.5 0.5 0.5\r\n".encode("utf-8-sig"))
    assert [(o.category_id, o.bbox) for o in labelkit.load(root, "yolo").objects()] == [(1, (5.0, 2.5, 10.0, 5.0))]
    (root / "labels/x.txt").write_bytes("\ufeff\ufeff1 0.5 0.5 0.5 0.5\n".encode())  # one mark is dropped, not two
    with pytest.raises(InputError, match="class id must be a non-negative integer") as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels/x.txt"), 1)


def test_dota_files_with_a_byte_order_mark_and_cr_only_line_breaks_are_read(tmp_path: Path) -> None:
    """A DOTA file's lines were split at LF only: CR-only lines were one line of 20 fields, an error."""
    (tmp_path / "labelTxt").mkdir()
    lines = "imagesource:x\rgsd:1\r10 10 50 10 50 30 10 30 car 0\r1 1 5 1 5 3 1 3 ship 1\r"
    (tmp_path / "labelTxt/a.txt").write_bytes(lines.encode("utf-8-sig"))
    ds = labelkit.load(tmp_path, "yolo", image_size="100x100")
    assert [c.name for c in ds.categories] == ["car", "ship"]
    assert [(o.category_id, o.bbox, o.extras) for o in ds.objects()] == [
        (0, (10.0, 10.0, 40.0, 20.0), {"dota:difficult": 0}),
        (1, (1.0, 1.0, 4.0, 2.0), {"dota:difficult": 1}),
    ]


@pytest.mark.parametrize("config", ["data.yaml", "obj.data", "classes.txt"])
def test_configs_names_and_lists_starting_with_a_byte_order_mark_are_read(tmp_path: Path, config: str) -> None:
    """Every text file of a YOLO folder may come from Windows Notepad, with a byte-order mark and CRLF lines."""
    root = _tiny_dataset(tmp_path / "ds", "1 0.5 0.5 0.5 0.5\n", names="")
    (root / "classes.txt").unlink()
    texts = {
        "data.yaml": {"data.yaml": "train: train.txt\r\nval: train.txt\r\nnames: [cat, dog]\r\n"},
        "obj.data": {"obj.data": "classes = 2\r\ntrain = train.txt\r\nnames = obj.names\r\n"},
        "classes.txt": {},
    }[config]
    for name, text in {**texts, "train.txt": "images/x.png\r\n", "obj.names": "cat\r\ndog\r\n"}.items():
        if config == "classes.txt" and name == "obj.names":
            name = "classes.txt"
        (root / name).write_bytes(text.encode("utf-8-sig"))
    ds = labelkit.load(root, "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.media.path, i.split) for i in ds.items()] == [
        ("images/x.png", None if config == "classes.txt" else "train")
    ]
    assert [o.category_id for o in ds.objects()] == [1]


def test_a_segment_box_line_of_negative_size_is_refused_and_polygons_may_go_anywhere(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 -0.1 -0.2 0.5 0.5 0.2 0.9\n1 .5 .5 -0.1 .1\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="segment")
    assert (err.value.location.line, "negative width" in err.value.one_line()) == (2, True)
    (root / "labels" / "x.txt").write_text("0 -0.1 -0.2 0.5 0.5 0.2 0.9\n")  # a polygon's x, y are not sizes
    assert len(list(labelkit.load(root, "yolo", task="segment").objects())) == 1


def test_a_class_id_with_thousands_of_leading_zeros_is_its_number(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0" * 4400 + "1 .5 .5 .1 .1\n")  # int() refuses 4,401 digits
    assert [o.category_id for o in labelkit.load(root, "yolo").objects()] == [1]


def test_a_bad_line_before_an_unreadable_file_is_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 oops 0.1 0.1\n")  # labels/x.txt, parsed in a batch not yet full
    Image.new("RGB", (20, 10)).save(root / "images" / "y.png")
    (root / "labels" / "y.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    real = yolo.read_file

    def unreadable_y(path: Path, **options: Any) -> bytes:
        if Path(path).name == "y.txt":
            raise PermissionError(13, "Permission denied")
        return real(path, **options)

    monkeypatch.setattr(yolo, "read_file", unreadable_y)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels" / "x.txt"), 1)


def test_a_character_yaml_refuses_is_one_line_naming_its_line(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "data.yaml").write_bytes(b"path: .\nnames: [a\x00]\n")  # was: a two-line message with no line
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "data.yaml"), 2)
    assert err.value.one_line().endswith(
        "invalid YAML: character U+0000 is not allowed (special characters are not allowed)"
    )
    assert "\n" not in err.value.one_line()


def test_obb_keeps_a_4_corner_polygon_as_drawn(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    quad = [[0.5, 0.0, 6.0, 5.5, 3.5, 8.0, 0.0, 2.5]]  # not a rectangle: read back as a polygon
    ds.add(Object(id="q", item_id="1", category_id=0, shape="polygon", polygon=quad))
    labelkit.save(ds, tmp_path / "a", "yolo", task="obb")
    report = labelkit.save(labelkit.load(tmp_path / "a"), tmp_path / "b", "yolo", task="obb")
    assert report.transformed == [] and report.lost == []
    assert (tmp_path / "a/labels/train/a.txt").read_bytes() == (tmp_path / "b/labels/train/a.txt").read_bytes()


def test_an_object_lost_whole_is_not_counted_again_for_its_fields(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg")))  # no size
    ds.add_item(Item(id="2", media=Media(path="b.jpg", width=10, height=10)))
    for item in ("1", "2"):
        ds.add(Object(id=item, item_id=item, category_id=0, bbox=_BOX, score=0.5, attributes={"a": "b"}))
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True)
    lost = {c.what: c.count for c in report.lost}
    assert lost == {
        "object attribute sets": 1,
        "object scores": 1,
        "objects on images of unknown size": 1,
        "image paths of images of unknown size": 1,
    }


def test_an_item_of_unknown_size_takes_its_copied_image_files_size(tmp_path: Path) -> None:
    """A COCO image of 0 x 0 (Datumaro writes an unknown size so) had its objects reported lost on the way to YOLO,
    though ``media=copy`` writes its image beside its labels, whose size a reader takes: with ``media=copy`` or
    ``link`` such an item takes its file's size (reported, in a plan too), and its objects are written. Not with
    ``media=none`` (nothing looked at), nor where a side the item knows is not its file's."""
    (tmp_path / "img").mkdir()
    Image.new("RGB", (40, 30)).save(tmp_path / "img/a.jpg")
    Image.new("RGB", (40, 30)).save(tmp_path / "img/b.jpg")
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg")))  # (of unknown size)
    ds.add_item(Item(id="b", split="train", media=Media(path="b.jpg", width=50)))  # (a side its file does not have)
    for item in ("a", "b"):
        ds.add(Object(id=item, item_id=item, category_id=0, bbox=(2.0, 3.0, 10.0, 5.0)))
    media = {"media": "copy", "media_root": str(tmp_path / "img")}
    for report in (
        labelkit.plan(ds, "yolo", **media),
        labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **media),
    ):
        assert [(c.what, c.count) for c in report.transformed if c.what == "item sizes"] == [("item sizes", 1)]
        assert [(c.what, c.count) for c in report.lost if "unknown size" in c.what] == [
            ("objects on images of unknown size", 1)
        ]
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.175 0.18333333333333332 0.25 0.16666666666666666\n"
    assert (tmp_path / "o/labels/train/b.txt").read_text() == ""
    back = labelkit.load(tmp_path / "o")
    assert [(o.item_id, o.bbox) for o in back.objects()] == [("a", pytest.approx((2.0, 3.0, 10.0, 5.0)))]
    # the files are read again by each plan and write, not kept: one replaced after a plan is written by its size
    Image.new("RGB", (80, 60)).save(tmp_path / "img/a.jpg")
    labelkit.save(ds, tmp_path / "o2", "yolo", allow_loss=True, **media)
    assert [(o.item_id, o.bbox) for o in labelkit.load(tmp_path / "o2").objects()] == [
        ("a", pytest.approx((2.0, 3.0, 10.0, 5.0)))
    ]
    plain = labelkit.plan(ds, "yolo")  # (media=none: no file looked at)
    assert ("objects on images of unknown size", 2) in [(c.what, c.count) for c in plain.lost]


NO_IMAGE_NOTE = (
    "1 label files have no image (labels/train/a.txt first): their items have no image path; give the images, or an "
    "image_sizes.json naming them"
)
"""The read note of :func:`_configured`'s label file, read with ``image_size``."""


def _configured(tmp_path: Path, config: str, line: str = "0 0.5 0.5 0.1 0.1\n") -> Path:
    """A YOLO folder of one label file (``labels/train/a.txt`` holding ``line``) and this ``data.yaml``."""
    root = tmp_path / "ds"
    (root / "labels" / "train").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text(line)
    (root / "data.yaml").write_text(config)
    return root


@pytest.mark.parametrize(
    ("config", "line", "message"),
    [
        (  # nine nested aliases of nine items: 387 million names (was: minutes and gigabytes)
            "a0: &a0 [l,l,l,l,l,l,l,l,l]\n"
            + "".join(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
            + "train: images/train\nnames: *a9\n",
            2,
            "invalid YAML: aliases (*name) are not allowed in a YOLO config",
        ),
        (  # was: MemoryError
            "train: images/train\nnc: 100000000\n",
            2,
            "nc without names must be a class count (expected 0 to 1,048,576, found 100000000)",
        ),
    ],
)
def test_a_config_that_would_expand_without_bound_is_refused(
    config: str, line: int | None, message: str, tmp_path: Path
) -> None:
    root = _configured(tmp_path, config)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / "data.yaml") and err.value.location.line == line
    assert err.value.one_line().endswith(message)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_among_label_files_is_an_error_not_a_hang(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.1 0.1\n")
    os.mkfifo(root / "labels" / "y.txt")  # was: every command waited forever in open()
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert err.value.location.path == str(root / "labels" / "y.txt")
    assert err.value.one_line().endswith("cannot read: not a regular file")


@pytest.mark.parametrize("split", [True, False])
def test_a_folder_where_a_label_file_should_be_is_an_error_naming_it(tmp_path: Path, split: bool) -> None:
    """A folder at an image's label path (``labels/train/b.txt/``) read as an image without objects, unsaid;
    a FIFO there was already 'not a regular file'."""
    root = tmp_path / "ds"
    images, labels = (root / "images/train", root / "labels/train") if split else (root / "images", root / "labels")
    images.mkdir(parents=True)
    labels.mkdir(parents=True)
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (64, 48)).save(images / name)
    (labels / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (labels / "b.txt").mkdir()
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == f"{labels / 'b.txt'}: cannot read: not a regular file"
    result = CliRunner().invoke(cli, ["info", str(root)])
    assert result.exit_code == 2 and f"{labels / 'b.txt'}: cannot read: not a regular file" in result.output


def test_pose_with_more_keypoints_than_a_reader_takes_is_refused(tmp_path: Path) -> None:
    from labelkit.formats.yolo_layout import MAX_KEYPOINTS

    ds = Dataset(categories=[Category(id=0, name="p")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="a", item_id="1", category_id=0, bbox=_BOX, keypoints=[1.0, 1.0, 2.0] * (MAX_KEYPOINTS + 1)))
    with pytest.raises(OutputError) as err:  # was: a data.yaml whose kpt_shape no reader takes
        labelkit.save(ds, tmp_path / "o", "yolo", task="pose", allow_loss=True)
    assert "YOLO pose holds at most 10,000 keypoints per object; this dataset has 10,001" in err.value.one_line()
    assert not (tmp_path / "o").exists()


def test_a_label_file_linking_outside_the_dataset_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.1 0.1\n")
    (root / "labels" / "y.txt").symlink_to(secret)  # was: read, and its first line quoted in the error
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert err.value.location.path == str(root / "labels" / "y.txt")
    assert "root:x" not in err.value.one_line()
    assert err.value.one_line().endswith("cannot read: a symbolic link leading out of the dataset")
    secret.write_text("0 0.5 0.5 0.1 0.1\n")  # a DVC or git-annex checkout links into its cache, outside
    follow = labelkit.load(root, "yolo", task="detect", image_size="20x10", links="follow")
    assert len(list(follow.objects())) == 2
    (root / "labels" / "y.txt").unlink()
    (root / "labels" / "y.txt").symlink_to(root / "labels" / "x.txt")  # inside: read as usual
    Image.new("RGB", (20, 10)).save(root / "images" / "y.png")
    assert len(list(labelkit.load(root, "yolo", task="detect").objects())) == 2


def test_a_label_folder_linked_outside_the_dataset_is_refused(tmp_path: Path) -> None:
    """Only the label file itself was checked: a linked folder read (and quoted) any file outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("sk-SECRET-TOKEN\n")
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels").mkdir()
    Image.new("RGB", (20, 10)).save(root / "images/train/x.png")
    (root / "labels/train").symlink_to(outside, target_is_directory=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [a]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / "labels/train/x.txt")
    assert err.value.one_line().endswith("cannot read: in a folder linked out of the dataset")
    (outside / "x.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    assert len(list(labelkit.load(root, "yolo", links="follow").objects())) == 1
    (root / "labels/train").unlink()  # a folder linked inside the dataset is read as usual
    (root / "kept").mkdir()
    (root / "kept/x.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "labels/train").symlink_to(root / "kept", target_is_directory=True)
    assert len(list(labelkit.load(root, "yolo").objects())) == 1


@pytest.mark.parametrize("linked", ["val.txt", "obj.names", "classes.txt"])
def test_list_and_names_files_linked_outside_the_dataset_are_refused(tmp_path: Path, linked: str) -> None:
    """A linked list file's lines became items (and label file names in the output)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("api_key=sk-live-123\n")
    root = tmp_path / "ds"
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    Image.new("RGB", (20, 10)).save(root / "images/a.png")
    (root / "labels/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    if linked == "val.txt":
        (root / "data.yaml").write_text("train: images\nval: val.txt\nnames: [a]\n")
    elif linked == "obj.names":
        (root / "obj.data").write_text("classes = 1\nnames = obj.names\n")
    (root / linked).symlink_to(secret)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert err.value.location.path == str(root / linked)
    assert "sk-live" not in err.value.one_line() and "links=follow" in err.value.one_line()


@pytest.mark.parametrize("flip", ["[0, 5]", "[1]", "[1, 0, 2]"])
def test_a_flip_idx_that_does_not_fit_kpt_shape_is_refused(flip: str, tmp_path: Path) -> None:
    config = f"train: images/train\nnames: [p]\nkpt_shape: [2, 3]\nflip_idx: {flip}\n"
    root = _configured(tmp_path, config, "0 0.5 0.5 0.1 0.1 0.5 0.5 2 0.5 0.5 2\n")
    with pytest.raises(InputError) as err:  # was: read, and written back, as given
        labelkit.load(root, "yolo")
    assert err.value.location.element == "flip_idx"
    assert "flip_idx must list 2 keypoint indexes below 2 (kpt_shape)" in err.value.one_line()


@pytest.mark.parametrize("names", ["{0: a, 1.5: b}", "{0: a, true: b}", "{0: a, '1x': b}"])
def test_names_keys_that_are_not_class_ids_are_refused(names: str, tmp_path: Path) -> None:
    root = _configured(tmp_path, f"train: images/train\nnames: {names}\n")
    with pytest.raises(InputError) as err:  # was: 1.5 and true read as class 1
        labelkit.load(root, "yolo")
    assert err.value.location.element == "names" and "names keys must be class ids" in err.value.one_line()


def test_a_pose_visibility_that_is_not_a_whole_number_is_written_as_it_is(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=0, name="p", keypoints=["a", "b"])])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="a", item_id="1", category_id=0, bbox=_BOX, keypoints=[1.0, 1.0, 1.5, 2.0, 2.0, 2.0]))
    labelkit.save(ds, tmp_path / "o", "yolo", task="pose")
    assert (tmp_path / "o/labels/train/a.txt").read_text().split()[7:] == ["1.5", "0.2", "0.2", "2"]  # was: 1
    (back,) = labelkit.load(tmp_path / "o").objects()
    assert back.keypoints == [1.0, 1.0, 1.5, 2.0, 2.0, 2.0]


@pytest.mark.parametrize(("names", "renumbered"), [(["zebra", "ant"], 2), (["ant", "zebra"], 0)])
def test_classify_reports_classes_renumbered_in_name_order(names: list[str], renumbered: int, tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    (tmp_path / "m").mkdir()
    for i in range(2):
        Image.new("RGB", (4, 4)).save(tmp_path / "m" / f"{i}.jpg")  # (a plan refuses a missing image, as a write)
        ds.add_item(Item(id=str(i), media=Media(path=f"{i}.jpg", width=4, height=4)))
        ds.add(Label(id=str(i), item_id=str(i), category_id=i))
    report = labelkit.plan(ds, "yolo", task="classify", media="copy", media_root=str(tmp_path / "m"))
    assert [(c.what, c.count) for c in report.transformed if c.what == "category ids"] == (
        [("category ids", renumbered)] if renumbered else []
    )  # was: none, yet zebra 0 read back as 1


@pytest.mark.parametrize("links", ["inside", "follow"])
@pytest.mark.parametrize("labels", ["labels", "labelTxt"])
def test_a_label_file_linking_to_no_file_is_refused(tmp_path: Path, links: str, labels: str) -> None:
    """A dangling link (a DVC or git-annex checkout whose cache lacks the file) was read as an image without
    objects, unsaid; a DOTA one made the reader look for the image's label in ``labels/`` instead."""
    root = tmp_path / "ds"
    (root / "train/images").mkdir(parents=True)
    (root / "train" / labels).mkdir()
    Image.new("RGB", (20, 10)).save(root / "train/images/x.png")
    (root / "train" / labels / "x.txt").symlink_to(root / "cache/x.txt")
    (root / "data.yaml").write_text("train: train/images\nnames: [a]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", links=links)
    assert err.value.location.path == str(root / "train" / labels / "x.txt")
    assert err.value.one_line().endswith("cannot read: a symbolic link to no file")
    (root / "cache").mkdir()
    (root / "cache/x.txt").write_text("0 0.5 0.5 0.1 0.1\n" if labels == "labels" else "1 1 5 1 5 5 1 5 a 0\n")
    assert len(list(labelkit.load(root, "yolo", links=links).objects())) == 1


@pytest.mark.parametrize("links", ["inside", "follow"])
@pytest.mark.parametrize(
    ("folder", "train"), [("ds", "train/images"), ("images/ds", "train/images"), ("images/ds", "train")]
)
def test_a_label_file_beside_its_image_linking_to_no_file_is_refused(
    tmp_path: Path, links: str, folder: str, train: str
) -> None:
    """A label beside its image under an ``images`` folder (of the dataset, or one the dataset sits in) that
    linked to no file was read as a missing label (an image without objects, unsaid): only a ``labels`` one
    was refused."""
    root = tmp_path / folder
    (root / train).mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / train / "x.png")
    (root / train / "x.txt").symlink_to(root / "cache/x.txt")
    (root / "data.yaml").write_text(f"train: {train}\nnames: [a]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", links=links)
    assert err.value.location.path == str(root / train / "x.txt")
    assert err.value.one_line().endswith("cannot read: a symbolic link to no file")
    (root / "cache").mkdir()
    (root / "cache/x.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    assert len(list(labelkit.load(root, "yolo", links=links).objects())) == 1


def test_a_loop_of_linked_label_files_is_one_error_line(tmp_path: Path) -> None:
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.1 0.1\n")
    (root / "labels" / "x.txt").unlink()
    (root / "labels" / "x.txt").symlink_to(root / "labels" / "loop.txt")
    (root / "labels" / "loop.txt").symlink_to(root / "labels" / "x.txt")  # was: internal error (RuntimeError)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="detect")
    assert "cannot read: Too many levels of symbolic links" in err.value.one_line()


def test_classify_writes_a_folder_for_every_class_and_counts_the_renumbering(tmp_path: Path) -> None:
    """A class no image had got no folder, so it was not read back (and not reported)."""
    ds = Dataset(categories=[Category(id=0, name="b"), Category(id=1, name="c"), Category(id=2, name="a")])
    for item in ("x", "y"):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=4, height=4), split="train"))
    ds.add(
        Label(id="1", item_id="x", category_id=0),
        Label(id="2", item_id="x", category_id=2),  # a second label: lost; class a still gets its folder
        Label(id="3", item_id="y", category_id=1),
    )
    (tmp_path / "m").mkdir()
    for item in ("x", "y"):
        Image.new("RGB", (4, 4)).save(tmp_path / "m" / f"{item}.jpg")
    report = labelkit.plan(ds, "yolo", task="classify", media="copy", media_root=str(tmp_path / "m"))
    # a, b, c read as 0, 1, 2; y's label 3 as 2 (x's second label is not written: it was ranked, and 3 kept)
    assert [(c.what, c.count) for c in report.transformed] == [("category ids", 3), ("label ids", 1)]
    assert [(c.what, c.count) for c in report.lost] == [("labels beyond the first of an item", 1)]
    labelkit.save(
        ds, tmp_path / "o", "yolo", task="classify", media="copy", media_root=str(tmp_path / "m"), allow_loss=True
    )
    assert sorted(c.name for c in labelkit.load(tmp_path / "o", "yolo").categories) == ["a", "b", "c"]


def test_classify_counts_the_renumbering_of_thousands_of_classes(tmp_path: Path) -> None:
    """Each class's number was found by searching the sorted folder names (``list.index``) once per class:
    64,000 classes took 45 s before a word was said. A class filed in another's folder (a second ``a00005``)
    has that folder's number."""
    names = [f"a{i:05d}" for i in range(2000)] + [f"z{999 - k:05d}" for k in range(1000)] + ["a00005"]
    ds = Dataset(categories=[Category(id=i, name=n) for i, n in enumerate(names)])
    (tmp_path / "m").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "m" / "x.jpg")
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=4, height=4), split="train"))
    ds.add(Label(id="1", item_id="x", category_id=0))
    report = labelkit.plan(ds, "yolo", task="classify", media="copy", media_root=str(tmp_path / "m"))
    # a00000..a01999 keep 0..1999; z00999..z00000 (ids 2000..2999) read back as 2999..2000, none its own; the
    # second a00005 (id 3000) reads back as 5
    assert [(c.what, c.count) for c in report.transformed if c.what == "category ids"] == [("category ids", 1001)]


def test_classify_reports_items_it_cannot_file(tmp_path: Path) -> None:
    """An item without an image, an image of an extension readers pass over, and splits a reader does not
    look for were dropped while the written counts looked honest. Each is lost once: the image of an extension
    readers pass over is not also counted among the items of the splits."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    (tmp_path / "m").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "m" / "x.jpg")  # (a plan refuses a missing image, as a write)
    for item, path in (("x", "x.jpg"), ("y", None), ("z", "z.gif")):
        ds.add_item(Item(id=item, media=Media(path=path, width=4, height=4), split="foo"))
        ds.add(Label(id=item, item_id=item, category_id=0))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo", **options).lost}
    assert lost == {
        "items without an image file": 1,
        "images a YOLO classify reader does not take for images": 1,
        "items of splits a YOLO classify reader does not look for": 1,
    }


def test_classify_images_ultralytics_classify_does_not_list_are_lost_and_passed_over_with_a_note(
    tmp_path: Path,
) -> None:
    """Ultralytics lists a classify split's images with torchvision's ImageFolder (.jpg, .jpeg, .png, .ppm, .bmp,
    .pgm, .tif, .tiff, .webp): .dng and .mpo images, which detect reads, were written and counted written, never
    loaded; they are lost. Read from a class folder, they were read unsaid: they are passed over with a note."""
    (tmp_path / "m").mkdir()
    ds = Dataset(categories=[Category(id=0, name="ant")])
    for name in ("a.jpg", "b.dng", "c.mpo", "d.TIFF"):
        Image.new("RGB", (4, 4)).save(tmp_path / "m" / name, "JPEG")
        ds.add_item(Item(id=name[0], media=Media(path=name, width=4, height=4), split="train"))
        ds.add(Label(id=name[0], item_id=name[0], category_id=0))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo", **options).lost}
    assert lost == {"images a YOLO classify reader does not take for images": 2}
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert report.written == {"items": 2, "label annotations": 2}
    assert sorted(p.relative_to(tmp_path / "o").as_posix() for p in (tmp_path / "o").rglob("*.*")) == [
        "train/ant/a.jpg",
        "train/ant/d.TIFF",
    ]
    for rel in ("train/ant/b.dng", "val/bee/e.heic", "val/bee/f.avif", "train/ant/0.ppm", "val/bee/g.PGM"):
        (tmp_path / "o" / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (4, 4)).save(tmp_path / "o" / rel, "JPEG")
    back = labelkit.load(tmp_path / "o", "yolo")
    assert [i.media.path for i in back.items()] == ["train/ant/a.jpg", "train/ant/d.TIFF"]
    assert [c.name for c in back.categories] == ["ant", "bee"]
    assert back.read_notes == [  # (.ppm and .pgm, which ImageFolder lists and Ultralytics drops, went unsaid)
        "5 images in class folders are of an extension Ultralytics' classify reader does not list (train/ant/0.ppm "
        "first): they are not read, as Ultralytics does not read them (its classify reader takes .jpg, .jpeg, .png, "
        ".bmp, .tif, .tiff and .webp only)"
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symbolic links as on POSIX")
@pytest.mark.parametrize("to", ["yolo", "voc"])
def test_what_is_no_image_in_media_root_is_said_so_not_image_not_found(tmp_path: Path, to: str) -> None:
    """A FIFO, a folder, a link to no file or a loop of links where an image should be, and a link leading out of
    media_root to a device, were each 'image not found': each is named for what it is."""
    root = tmp_path / "m"
    root.mkdir()
    (root / "outside").symlink_to("/dev/null")
    cases = {
        "fifo": "cannot read: not a regular file",
        "folder": "cannot read: not a regular file",
        "dangling": "cannot read: a symbolic link to no file",
        "loop": "cannot read: Too many levels of symbolic links",
        "outside": "image is a link to a file outside media_root",
    }
    os.mkfifo(root / "fifo")
    (root / "folder").mkdir()
    (root / "dangling").symlink_to(root / "nothing")
    (root / "loop").symlink_to(root / "loop")
    for name, message in cases.items():
        ds = Dataset(categories=[Category(id=0, name="c")])
        ds.add_item(Item(id="a", media=Media(path=name, width=8, height=8), split="train"))
        ds.add(Object(id="a", item_id="a", category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
        for attempt in (labelkit.plan, lambda *a, **k: labelkit.save(*a, allow_loss=True, **k)):
            kwargs = {"media": "copy", "media_root": str(root)}
            with pytest.raises(InputError) as err:
                attempt(ds, to, **kwargs) if attempt is labelkit.plan else attempt(ds, tmp_path / "o", to, **kwargs)
            assert (err.value.location.path, err.value.message) == (str(root / name), message)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("case", ["climbing image path", "unsafe split"])
@pytest.mark.parametrize("to", ["yolo", "voc"])
def test_a_plan_refuses_an_unsafe_image_path_or_split_as_a_dry_run_does(tmp_path: Path, case: str, to: str) -> None:
    """labelkit.plan passed an item image path climbing out of media_root (../secret/x.jpg) and a split '../x',
    which a dry run and the write refuse: a plan is to refuse what they refuse."""
    (tmp_path / "m").mkdir()
    ds = Dataset(categories=[Category(id=0, name="c")])
    climbing = case == "climbing image path"
    path, split = ("../secret/x.jpg", "train") if climbing else ("a.jpg", "../x")
    ds.add_item(Item(id="u", media=Media(path=path, width=8, height=8), split=split))
    ds.add(Object(id="1", item_id="u", category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    options = {"media": "copy", "media_root": str(tmp_path / "m")}
    error = InputError if climbing else OutputError
    with pytest.raises(error) as planned:  # was: a report, nothing lost
        labelkit.plan(ds, to, **options)
    with pytest.raises(error) as dry:
        labelkit.save(ds, tmp_path / "o", to, dry_run=True, **options)
    assert (
        planned.value.message
        == dry.value.message
        == (
            "item 'u': unsafe file name '../secret/x.jpg' (an image to copy from media_root)"
            if climbing
            else "split '../x' cannot be a folder or file name"
        )
    )


def test_an_image_in_media_root_that_cannot_be_read_is_said_so_not_called_a_bad_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the user may not read was refused as ``unreadable image header``, its ``Permission denied`` lost."""
    from labelkit.formats import yolo_media

    (tmp_path / "m").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "m/a.jpg")
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=8, height=8), split="train"))

    def refused(path: Path, plain_tried: bool = False) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(yolo_media, "_header", refused)
    with pytest.raises(InputError) as err:
        yolo_media.image_size(tmp_path / "m/a.jpg")
    assert str(err.value) == f"{tmp_path / 'm/a.jpg'}: cannot read: Permission denied"
    with pytest.raises(InputError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(tmp_path / "m"))
    assert err.value.message.startswith("cannot read: Permission denied")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("media", ["copy", "link"])
@pytest.mark.parametrize(("to", "task"), [("yolo", "detect"), ("yolo", "classify"), ("voc", None)])
def test_a_plan_refuses_an_image_missing_from_media_root_as_the_write_does(
    tmp_path: Path, media: str, to: str, task: str | None
) -> None:
    """With media=copy or link, an image missing from media_root was passed over by a plan (a dry run exited 0)
    and refused by the write (exit 2, naming it): the plan refuses it alike. media=none looks at no image."""
    (tmp_path / "m").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "m" / "a.jpg")  # (b.jpg is missing)
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item in ("a", "b"):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=8, height=8), split="train"))
        ds.add(Label(id=item, item_id=item, category_id=0))
        ds.add(Object(id=item, item_id=item, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    options = {"media": media, "media_root": str(tmp_path / "m"), **({"task": task} if task else {})}
    with pytest.raises(InputError) as planned:  # was: no error
        labelkit.plan(ds, to, **options)
    with pytest.raises(InputError) as written:
        labelkit.save(ds, tmp_path / "o", to, allow_loss=True, **options)
    assert str(planned.value) == str(written.value)
    assert str(written.value) == (
        f"{tmp_path / 'm' / 'b.jpg'}: image not found; hint: an item's image path is relative to media_root: set it "
        "to the images' folder, or use -o media=none"
    )
    assert not (tmp_path / "o").exists()
    src = tmp_path / "src.labelkit.json"
    labelkit.save(ds, src, "labelkit")
    args = ["convert", str(src), str(tmp_path / "o"), "--to", to, "--allow-loss"]
    args += [f"-o{k}={v}" for k, v in options.items()]
    dry, real = (CliRunner().invoke(cli, [*args, *more]) for more in (["--dry-run"], []))
    assert (dry.exit_code, dry.stderr) == (real.exit_code, real.stderr) == (2, f"labelkit: error: {written.value}\n")
    if task != "classify":  # (classify needs the images)
        labelkit.plan(ds, to, **{**options, "media": "none"})


@pytest.mark.parametrize("media", ["none", "copy"])
def test_yolo_loses_items_named_as_macos_resource_forks(media: str, tmp_path: Path) -> None:
    """An image named ._a.jpg wrote labels/train/._a.txt, which readers pass over (macOS's resource forks): the
    item was counted written and read back as nothing. It is lost, said so; Darknet's lists name it, and keep it."""
    (tmp_path / "m" / "x").mkdir(parents=True)
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item, path in (("a", "._a.jpg"), ("b", "x/._b.jpg"), ("c", "c.jpg")):
        Image.new("RGB", (100, 100)).save(tmp_path / "m" / path, format="JPEG")
        ds.add_item(Item(id=item, media=Media(path=path, width=100, height=100), split="train"))
        ds.add(Object(id=item, item_id=item, category_id=0, bbox=(10.0, 10.0, 20.0, 20.0)))
    options = {"task": "detect", "media": media, "media_root": str(tmp_path / "m")}
    planned = labelkit.plan(ds, "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert [(c.what, c.count, c.reason) for c in planned.lost] == [
        (
            "items whose files YOLO readers pass over",
            2,
            "a name starting with ._ is a macOS resource fork's, which readers skip: they are not written "
            "(item 'a', 'labels/train/._a.txt')",
        ),
        ("object annotations on them", 2, "their items are not written"),
    ]
    assert report.lost == planned.lost
    assert report.written == {"items": 1, "object annotations": 1, "label files": 1}
    assert labelkit.load(tmp_path / "o", "yolo").report_counts() == {"items": 1, "object annotations": 1}
    darknet = labelkit.save(ds, tmp_path / "d", "yolo", layout="darknet", **options)
    assert (darknet.lost, darknet.written) == ([], {"items": 3, "object annotations": 3, "label files": 3})
    assert labelkit.load(tmp_path / "d", "yolo").report_counts() == {"items": 3, "object annotations": 3}


@pytest.mark.parametrize("objects", [0, 1])
def test_yolo_refuses_to_copy_an_image_no_reader_can_read(objects: int, tmp_path: Path) -> None:
    """A copied image whose header cannot be read: of an item without objects, the write made an output that
    reading refused ("unreadable image header"), unsaid; of one with objects, the error named the image in the
    output folder, which does not exist. Both are refused, naming the image in media_root."""
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "x.jpg").write_bytes(b"not a jpeg")
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="x", media=Media(path="x.jpg", width=100, height=100)))
    if objects:
        ds.add(Object(id="1", item_id="x", category_id=0, bbox=(10.0, 10.0, 20.0, 20.0)))
    with pytest.raises(InputError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", media="copy", media_root=str(tmp_path / "m"))
    assert err.value.message == "unreadable image header: a YOLO reader reads each image's size from its file"
    assert err.value.location.path == str(tmp_path / "m" / "x.jpg")
    assert not (tmp_path / "o").exists()


def _one_box(path: str = "a.jpg") -> Dataset:
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path=path, width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(10.0, 10.0, 20.0, 20.0)))
    return ds


def test_darknet_lists_with_the_data_prefix_find_labels_shipped_without_images(tmp_path: Path) -> None:
    """CVAT's YOLO 1.1 export without images: the label was looked for beside the missing data/... image."""
    (tmp_path / "obj_train_data").mkdir()
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = data/train.txt\nnames = data/obj.names\n")
    (tmp_path / "obj.names").write_text("person\n")
    (tmp_path / "train.txt").write_text("data/obj_train_data/a.jpg\n")
    (tmp_path / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    ds = labelkit.load(tmp_path, "yolo", image_size="640x480")
    assert [(o.item_id, o.bbox) for o in ds.objects()] == [("data/obj_train_data/a", (256.0, 192.0, 128.0, 96.0))]


def test_a_darknet_folder_inside_a_folder_named_images_reads_its_labels(tmp_path: Path) -> None:
    """The images -> labels rule took the parent folder's name: every label file was missed."""
    (tmp_path / "images").mkdir()
    labelkit.save(_one_box(), tmp_path / "images/d", "yolo", layout="darknet")
    assert labelkit.load(tmp_path / "images/d", "yolo").table("objects").num_rows == 1  # was: 0


def test_an_image_name_ending_in_a_dot_keeps_its_label(tmp_path: Path) -> None:
    """The writer names the label a.txt (as Ultralytics does); the reader looked for a..txt."""
    labelkit.save(_one_box("x/a."), tmp_path / "o", "yolo", layout="darknet")
    assert labelkit.load(tmp_path / "o", "yolo").table("objects").num_rows == 1  # was: 0


def test_a_split_whose_image_folder_is_missing_has_its_labels_read(tmp_path: Path) -> None:
    """Without a size side file they were passed over: now read with a size, or an error naming the file."""
    for d in ("images/train", "labels/train", "labels/val"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "data.yaml").write_text("train: images/train\nval: images/val\nnames: [p]\n")
    Image.new("RGB", (64, 48)).save(tmp_path / "images/train/a.jpg")
    for name in ("train/a", "val/b"):
        (tmp_path / f"labels/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    ds = labelkit.load(tmp_path, "yolo", image_size="640x480")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("b", "val")]  # was: a only
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert err.value.location.path == str(tmp_path / "labels/val/b.txt")


def test_pose_in_the_darknet_layout_is_refused(tmp_path: Path) -> None:
    """obj.data cannot say kpt_shape: the file was read back as segment (box and keypoints as a polygon)."""
    ds = Dataset(categories=[Category(id=0, name="c", keypoints=["a", "b"])])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(10.0, 10.0, 20.0, 20.0), keypoints=[15, 15, 2, 20, 20, 1]))
    with pytest.raises(UsageError, match="pose needs the Ultralytics layout"):
        labelkit.save(ds, tmp_path / "o", "yolo", task="pose", layout="darknet")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("task", ["detect", "pose"])
def test_precision_0_is_refused_for_boxes(tmp_path: Path, task: str) -> None:
    """A box of 0 decimals was written centred on an edge: `0 0.7 0.7 0.6 0.6` as `0 0 0 1 1`, which a rewrite lost."""
    ds = Dataset(categories=[Category(id=0, name="c", keypoints=["a"])])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(256.0, 192.0, 384.0, 288.0), keypoints=[300, 300, 2]))
    with pytest.raises(UsageError, match=f"YOLO {task} cannot round boxes to 0 decimals") as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task=task, precision=0, allow_loss=True)
    assert err.value.hint == "a box of 0 decimals is centred on an edge or has no size: pass -o precision=1 or more"
    assert not (tmp_path / "o").exists()
    labelkit.save(ds, tmp_path / "o", "yolo", task=task, precision=1, allow_loss=True)
    assert (tmp_path / "o/labels/train/a.txt").read_text().startswith("0 0.7 0.7 0.6 0.6")


@pytest.mark.parametrize(("task", "shape"), [("segment", "polygon"), ("obb", "rotated box")])
def test_segment_and_obb_in_the_darknet_layout_are_refused(tmp_path: Path, task: str, shape: str) -> None:
    """Darknet reads a label file as 5-number groups, line breaks or not: an OBB line `1 0.5 0.2 ...` was written,
    which Darknet reads as two boxes, the second of class 0 (from its `0.5`), and nothing said so."""
    ds = Dataset(categories=[Category(id=0, name="c"), Category(id=1, name="d")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, polygon=[[50.0, 20.0, 70.0, 40.0, 50.0, 60.0, 30.0, 40.0]]))
    with pytest.raises(UsageError, match=f"YOLO {task} needs the Ultralytics layout") as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task=task, layout="darknet")
    assert err.value.hint is not None and f"a {shape} line would read as boxes" in err.value.hint
    assert not (tmp_path / "o").exists()
    ds.info = DatasetInfo(extras={"yolo:task": task})  # the task read, when none is given
    with pytest.raises(UsageError, match=f"YOLO {task} needs the Ultralytics layout"):
        labelkit.api.plan(ds, "yolo", layout="darknet")
    labelkit.save(ds, tmp_path / "d", "yolo", task="detect", layout="darknet", allow_loss=True)  # its box
    assert (tmp_path / "d/obj_train_data/a.txt").read_text() == "1 0.5 0.4 0.4 0.4\n"


def test_classify_in_the_darknet_layout_is_refused(tmp_path: Path) -> None:
    """`-o layout=darknet -o task=classify` silently wrote Ultralytics class folders."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    ds.add(Label(id="1", item_id="a", category_id=0))
    (tmp_path / "m").mkdir()
    Image.new("RGB", (100, 100)).save(tmp_path / "m/a.jpg")
    options = {"media": "copy", "media_root": str(tmp_path / "m"), "layout": "darknet"}
    with pytest.raises(UsageError, match="YOLO classify has no Darknet layout"):
        labelkit.save(ds, tmp_path / "o", "yolo", task="classify", **options)
    assert not (tmp_path / "o").exists()
    ds.info = DatasetInfo(extras={"yolo:task": "classify"})  # the task read, when none is given
    with pytest.raises(UsageError, match="YOLO classify has no Darknet layout"):
        labelkit.save(ds, tmp_path / "o", "yolo", **options)


def test_an_object_wholly_outside_its_image_is_reported_lost_not_written_as_a_zero_box(tmp_path: Path) -> None:
    """It was clipped to a zero box on the image's edge (`0 1 0.2 0 0.2`), and reported only as clipped."""
    ds = _one_box()
    ds.add(Object(id="2", item_id="a", category_id=0, bbox=(150.0, 10.0, 20.0, 20.0)))
    with pytest.raises(DataLossError, match="1 objects with no area inside the image"):
        labelkit.save(ds, tmp_path / "o", "yolo")
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True)
    assert report.written["object annotations"] == 1 and report.transformed == []  # (nothing is clipped)
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.2 0.2 0.2 0.2\n"


def test_a_ring_of_no_width_or_height_is_written_for_segment_as_given(tmp_path: Path) -> None:
    """As the README says: one point repeated, or points on a line, is a polygon of no area (as a zero box is in
    detect), written as it is and read back the same; a ring of two points is no polygon: the box is written."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=50, height=40), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, polygon=[[5.0, 30.0, 5.0, 30.0, 5.0, 30.0]]))
    ds.add(Object(id="2", item_id="a", category_id=0, polygon=[[10.0, 10.0, 20.0, 10.0, 30.0, 10.0]]))
    ds.add(Object(id="3", item_id="a", category_id=0, bbox=(1.0, 2.0, 5.0, 4.0), polygon=[[1.0, 2.0, 6.0, 6.0]]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("polygons without a ring of 3 points", 1)]
    assert (tmp_path / "o/labels/train/a.txt").read_text() == (
        "0 0.1 0.75 0.1 0.75 0.1 0.75\n0 0.2 0.25 0.4 0.25 0.6 0.25\n0 0.02 0.05 0.12 0.05 0.12 0.15 0.02 0.15\n"
    )
    back = labelkit.load(tmp_path / "o")
    assert [o.polygon for o in back.objects()][:2] == [
        [[5.0, 30.0, 5.0, 30.0, 5.0, 30.0]],
        [[10.0, 10.0, 20.0, 10.0, 30.0, 10.0]],
    ]


def test_segment_output_whose_polygons_all_have_4_points_reads_back_as_segment(tmp_path: Path) -> None:
    """data.yaml did not say the task: every line had 9 fields, so it read back as OBB (a box and an angle)."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, polygon=[[10.0, 10.0, 30.0, 12.0, 28.0, 30.0, 9.0, 29.0]]))
    labelkit.save(ds, tmp_path / "o", "yolo", task="segment")
    assert yaml.safe_load((tmp_path / "o/data.yaml").read_text())["task"] == "segment"
    back = labelkit.load(tmp_path / "o", "yolo")
    assert back.info.extras["yolo:task"] == "segment"
    (obj,) = back.objects()
    assert obj.shape == "polygon" and obj.polygon is not None  # was: a rotated box, its polygon gone
    assert np.allclose(obj.polygon[0], [10.0, 10.0, 30.0, 12.0, 28.0, 30.0, 9.0, 29.0], rtol=0, atol=1e-9)


def test_unlabelled_pose_points_keep_their_coordinates(tmp_path: Path) -> None:
    """`0.25 0.5 0` was written back as `0.0 0.0 0`; without a visibility column, 0 0 is what says unlabelled,
    so there the coordinates are reported lost, and a visible point at 0 0 too."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [2, 3]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [100, 100]}')
    line = "0 0.5 0.5 0.2 0.2 0.25 0.5 0 0.3 0.4 2\n"
    (root / "labels/train/a.txt").write_text(line)
    labelkit.convert(root, tmp_path / "out", to="yolo", from_format="yolo")
    assert (tmp_path / "out/labels/train/a.txt").read_text() == line  # was: 0 0.5 0.5 0.2 0.2 0 0 0 0.3 0.4 2
    ds = labelkit.load(root, "yolo")
    ds.add(Object(id="z", item_id="a", category_id=0, bbox=(1.0, 1.0, 5.0, 5.0), keypoints=[0.0, 0.0, 2.0, 3, 3, 1]))
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo", kpt_dims=2).lost}
    assert lost == {
        "keypoint visibility flags": 2,
        "coordinates of unlabelled keypoints": 1,
        "unlabelled keypoints": 1,
    }


def test_pose_without_visibility_reports_the_unlabelled_points_ultralytics_takes_for_visible(tmp_path: Path) -> None:
    """With kpt_shape [K, 2], Ultralytics takes a point for missing only by a negative coordinate: an unlabelled
    point written 0 0 (and each point an object without keypoints is padded with) is a visible keypoint at the
    image's top-left corner to it. The write was not refused and the report said nothing."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p, q]\nkpt_shape: [3, 3]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [20, 10]}')
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.4 0.6 0.4 0.4 2 0 0 0 0.6 0.6 2\n")
    ds = labelkit.load(root, "yolo")
    ds.add(Object(id="box", item_id="a", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)))  # (padded: 3 points)
    reason = (
        "kpt_dims=2 writes an unlabelled point as 0 0, which Ultralytics reads as a visible keypoint at the "
        "image's top-left corner (with kpt_shape [K, 2] it takes a point for missing only by a negative coordinate)"
    )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", kpt_dims=2).lost] == [
        ("unlabelled keypoints", 4, reason)
    ]
    with pytest.raises(DataLossError):
        labelkit.convert(root, tmp_path / "out", to="yolo", kpt_dims=2)
    assert not labelkit.plan(ds, "yolo").lost  # (with the visibility column, v 0 says it)


def test_pose_points_at_0_0_without_visibility_are_read_unlabelled_with_a_read_note(tmp_path: Path) -> None:
    """A ``[K, 2]`` file's ``0 0`` point is read as not labelled (COCO-derived files mark a missing point so), which
    Ultralytics, masking only negative coordinates, trains on as a visible point at the corner: it was read so
    unsaid, and COCO or ``[K, 3]`` output had it unlabelled without a word. A read note counts such points and
    names the first's line; ``[K, 3]`` files' ``0 0 0`` points get none."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [2, 2]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [200, 100]}')
    lines = "0 0.5 0.5 0.2 0.2 0.5 0.5 0.25 0.75\n0 0.5 0.5 0.4 0.4 0 0 0.5 0.5\n0 0.5 0.5 0.4 0.4 0 0 0 0\n"
    (root / "labels/train/a.txt").write_text(lines)
    ds = labelkit.load(root, "yolo")
    assert [o.keypoints for o in ds.objects()] == [
        [100.0, 50.0, 2.0, 50.0, 75.0, 2.0],
        [0.0, 0.0, 0.0, 100.0, 50.0, 2.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]
    assert ds.read_notes == [
        "3 keypoints of a file without a visibility column are at 0 0 (as COCO-derived files mark a missing point; "
        "first at labels/train/a.txt:2): read as not labelled, 0 0 0, and written back as read; Ultralytics, which "
        "takes a point for missing only by a negative coordinate, trains on each as a visible keypoint at the "
        "image's top-left corner"
    ]
    report = labelkit.convert(root, tmp_path / "o", to="yolo")
    assert (tmp_path / "o/labels/train/a.txt").read_text() == lines.replace(" 0 0", " 0.0 0.0")
    assert any(note.startswith("3 keypoints of a file without a visibility column") for note in report.notes)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [1, 3]\n")
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.4 0.4 0 0 0\n")
    assert labelkit.load(root, "yolo").read_notes == []


def test_pose_without_visibility_read_so_still_reports_the_points_it_pads(tmp_path: Path) -> None:
    """Points read from a [K, 2] file are written as read, not counted; but an object added without keypoints (or
    with fewer) is padded with 0 0 points, visible keypoints to Ultralytics: the dataset's yolo:kpt_dims passed
    them over unsaid."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [3, 2]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [20, 10]}')
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.4 0.6 0.1 0.1 0 0 0.3 0.3\n")
    ds = labelkit.load(root, "yolo")
    assert not labelkit.plan(ds, "yolo").lost  # (its 0 0 point: written as read)
    ds.add(Object(id="box", item_id="a", category_id=0, bbox=(1.0, 1.0, 5.0, 5.0)))  # (padded: 3 points)
    ds.add(Object(id="two", item_id="a", category_id=0, bbox=(1.0, 1.0, 5.0, 5.0), keypoints=[1, 1, 2, 2, 2, 2]))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo").lost] == [("unlabelled keypoints", 4)]


@pytest.mark.parametrize(
    ("dims", "points", "written"),
    [
        (2, "0.25 0.5 -1 -1", "0.25 0.5 -1.0 -1.0"),
        (2, "-1 -1 -0.005 0.5", "-1.0 -1.0 -0.005 0.5"),  # (Ultralytics takes -0.005: missing, as its mask says)
        (3, "0.25 0.5 2 -1 -1 0", "0.25 0.5 2 0.0 0.0 0"),
        (3, "-1 0.5 0 -1 -1 0", "0.0 0.0 0 0.0 0.0 0"),
    ],
)
def test_pose_points_marked_missing_by_a_negative_coordinate_are_unlabelled_zeros(
    tmp_path: Path, dims: int, points: str, written: str
) -> None:
    """``-1 -1`` (some tools write a missing point so) was read as an unlabelled point at -100 -50 pixels: YOLO ->
    YOLO with ``kpt_shape [K, 2]`` was refused (``lost: 1 coordinates of unlabelled keypoints``), with ``[K, 3]``
    reported clipped, and COCO output got -100 -50. Ultralytics drops an image holding a value below -0.01 (and,
    without a visibility column, masks a point with a negative coordinate as missing): the point is read as not
    labelled, 0 0 0 (Ultralytics' and COCO's own missing point), with a read note naming the first's line, and
    written so; the ``-1`` text is what cannot be kept. Without a visibility column the point was written ``0 0``,
    a visible keypoint at the image's corner to Ultralytics (where ``-0.005 0.5`` was a missing one), unsaid in
    the write's report: it is written back as read (``yolo:@marked_missing``)."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text(f"train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [2, {dims}]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [200, 100]}')
    (root / "labels/train/a.txt").write_text(f"0 0.5 0.5 0.2 0.2 {points}\n0 0.5 0.5 0.4 0.4 {points}\n")
    ds = labelkit.load(root, "yolo")
    marked = 1 if points.startswith("0.25") else 2  # (per line)
    labelled = [50.0, 50.0, 2.0] if points.startswith("0.25") else [0.0, 0.0, 0.0]
    assert [o.keypoints for o in ds.objects()] == [labelled + [0.0, 0.0, 0.0]] * 2
    assert ds.read_notes == [
        f"{2 * marked} keypoints are marked missing by a negative coordinate (as some tools write a missing point, "
        "-1 -1; first at labels/train/a.txt:1): read as not labelled, 0 0 0, as Ultralytics' own labels have it "
        "(its reader drops an image with a value below -0.01), and written so"
        + (
            " (without a visibility column, as read: Ultralytics takes 0 0 there for a visible keypoint at the "
            "image's corner)"
            if dims == 2
            else ", 0.0 0.0 0"  # (the file has a visibility column: said so, not as of a file without one)
        )
    ]
    report = labelkit.convert(root, tmp_path / "out", to="yolo", from_format="yolo")  # (no --allow-loss)
    assert report.lost == report.transformed == []
    assert (tmp_path / "out/labels/train/a.txt").read_text() == (
        f"0 0.5 0.5 0.2 0.2 {written}\n0 0.5 0.5 0.4 0.4 {written}\n"
    )
    labelkit.convert(root, tmp_path / "coco", to="coco", from_format="yolo", allow_loss=True)
    (annotations,) = [json.loads(p.read_text())["annotations"] for p in (tmp_path / "coco/annotations").iterdir()]
    assert [a["keypoints"] for a in annotations] == [[int(v) for v in labelled] + [0, 0, 0]] * 2
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2 -1 -1 2 0.25 0.5 1\n")  # labelled: as read
    if dims == 3:
        assert [o.keypoints for o in labelkit.load(root, "yolo").objects()] == [[-200.0, -100.0, 2.0, 50.0, 50.0, 1.0]]


@pytest.mark.parametrize(
    ("precision", "written"),
    [(1, "0.5 0.5 0.2 0.2 0.5 0.4 -0.005 0.3"), (2, "0.50 0.50 0.20 0.20 0.50 0.40 -0.005 0.30")],
)
def test_pose_marks_of_missing_points_are_written_as_read_whatever_the_precision(
    tmp_path: Path, precision: int, written: str
) -> None:
    """``-0.005`` (a missing point of a ``[K, 2]`` file) was rounded to ``-0.0`` (``-0.00``), which Ultralytics,
    masking a point by a negative coordinate only, reads as a visible keypoint at the image's edge, and so did
    labelkit: the report said only that a coordinate was rounded."""
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\nkpt_shape: [2, 2]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [640, 480]}')
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2 0.5 0.4 -0.005 0.3\n")
    report = labelkit.convert(root, tmp_path / "out", to="yolo", precision=precision)
    assert report.lost == report.transformed == []
    assert (tmp_path / "out/labels/train/a.txt").read_text() == f"0 {written}\n"
    (point,) = [o.keypoints[3:] for o in labelkit.load(tmp_path / "out", "yolo").objects()]
    assert point == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("split", ["a=b", "#x", " x", "sp ", "a:b", "\u2028"])
def test_darknet_refuses_splits_obj_data_cannot_hold(tmp_path: Path, split: str) -> None:
    """They were written (counted written) and read back as nothing, another split, or an error."""
    ds = _one_box()
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array([split])))
    with pytest.raises(OutputError, match="cannot be an obj.data key"):
        labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", ["a\nb.jpg", "a\rb.jpg", "a\u2028b.jpg", "a.jpg "])
def test_darknet_refuses_image_paths_a_list_line_cannot_hold(tmp_path: Path, name: str) -> None:
    """A line break in a path split its train.txt line: the image read back as two, without its objects."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path=f"x/{name}", width=10, height=10), split="train"))
    ds.add_item(Item(id="b", media=Media(path="x/ok.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 5.0, 5.0)))
    with pytest.raises(OutputError, match="item 'a': its image path .* cannot be a line of a Darknet list"):
        labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    assert not (tmp_path / "o").exists()
    if name[1] in "\r\n":  # (a control character: a label file Windows cannot create, lost on every machine)
        assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo").lost][0] == (
            "items whose file names Windows cannot hold",
            1,
        )
        return
    labelkit.save(ds, tmp_path / "u", "yolo")  # the Ultralytics layout lists no paths: it holds them
    back = labelkit.load(tmp_path / "u", "yolo")
    assert sorted(i.media.path for i in back.items()) == [f"images/train/x/{name}", "images/train/x/ok.jpg"]
    item_of = {i.media.path: i.id for i in back.items()}
    assert [o.item_id for o in back.objects()] == [item_of[f"images/train/x/{name}"]]


@pytest.mark.parametrize("name", ["a.txt", "a.TXT"])
def test_darknet_refuses_an_image_that_would_be_its_own_label_file(tmp_path: Path, name: str) -> None:
    """Images and labels share obj_train_data/: a.txt's label file was the image, which read back unreadable."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path=f"x/{name}"), split="train"))
    with pytest.raises(OutputError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    assert err.value.message == (
        f"item 'a': its image path 'obj_train_data/x/{name}' would be its own label file in the Darknet layout"
    )
    assert err.value.location.path == str(tmp_path / "o")
    assert not (tmp_path / "o").exists()
    labelkit.save(ds, tmp_path / "u", "yolo", allow_loss=True)  # the Ultralytics layout keeps labels apart
    assert [i.id for i in labelkit.load(tmp_path / "u", "yolo").items()] == ["x/a"]


def test_a_split_named_validation_reads_back_under_its_name(tmp_path: Path) -> None:
    """data.yaml's validation key was read as val (and, alone, as train)."""
    ds = _one_box()
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["validation"])))
    labelkit.save(ds, tmp_path / "o", "yolo")
    assert [i.split for i in labelkit.load(tmp_path / "o", "yolo").items()] == ["validation"]


def test_copied_images_of_another_size_than_their_item_are_reported(tmp_path: Path) -> None:
    """Labels are normalised by the item's size, a reader's by the file's: the boxes came back scaled, unsaid."""
    (tmp_path / "media").mkdir()
    Image.new("RGB", (200, 200)).save(tmp_path / "media/a.jpg")
    report = labelkit.save(_one_box(), tmp_path / "o", "yolo", media="copy", media_root=str(tmp_path / "media"))
    assert [(c.what, c.count) for c in report.transformed] == [("item sizes", 1), ("objects", 1)]
    (obj,) = labelkit.load(tmp_path / "o", "yolo").objects()
    assert obj.bbox == (20.0, 20.0, 40.0, 40.0)  # what the report says: scaled to the 200 x 200 file
    Image.new("RGB", (100, 100)).save(tmp_path / "media/a.jpg")
    assert (
        labelkit.save(_one_box(), tmp_path / "p", "yolo", media="copy", media_root=str(tmp_path / "media")).transformed
        == []
    )


@pytest.mark.parametrize("task", ["detect", "classify"])
def test_an_item_size_a_copied_image_changes_is_reported_by_a_plan_too_objects_or_none(
    tmp_path: Path, task: str
) -> None:
    """An item of no objects (or a dataset of none) whose image file has another size read back at the file's
    size, unreported; classify reported it from the write only, so a plan and a dry run did not."""
    (tmp_path / "media").mkdir()
    Image.new("RGB", (99, 77)).save(tmp_path / "media/a.jpg")
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=40, height=30), split="train"))
    if task == "classify":
        ds.add(Label(id="1", item_id="a", category_id=0))
    options = {"task": task, "media": "copy", "media_root": str(tmp_path / "media")}
    sizes = [(c.what, c.count) for c in labelkit.plan(ds, "yolo", **options).transformed if c.what == "item sizes"]
    assert sizes == [("item sizes", 1)]
    report = labelkit.save(ds, tmp_path / "o", "yolo", **options)
    assert [(c.what, c.count) for c in report.transformed if c.what == "item sizes"] == sizes
    assert [(i.media.width, i.media.height) for i in labelkit.load(tmp_path / "o", "yolo").items()] == [(99, 77)]


def test_an_obb_rectangle_on_the_image_edge_is_not_reported_clipped(tmp_path: Path) -> None:
    """Its corners, made from box and angle, end a float past the edge: 'coordinates outside the image were
    clipped' was reported for a rectangle inside the image."""
    root = _configured(
        tmp_path, "train: images/train\nnames: [a]\n", "0 0.28127 0.944984 1.0 0.944984 1.0 0.947339 0.28127 0.947339\n"
    )
    report = labelkit.convert(root, tmp_path / "out", to="yolo", image_size="1920x1080")
    # (an item of no image file gets the path image_sizes.json gives it)
    assert [(c.what, c.count) for c in report.transformed] == [("image paths", 1)]
    back = [o.bbox for o in labelkit.load(tmp_path / "out", "yolo", image_size="1920x1080").objects()]
    assert np.allclose(back, [(540.0384, 1020.58272, 1379.9616, 2.5434)], rtol=0, atol=1e-9)


@pytest.mark.parametrize(
    "line",
    [
        "0 0.1 0.1 0.1 0.3 0.5 0.3 0.5 0.1\n",  # anticlockwise on screen (was: 0 0.5 0.1 0.5 0.3 0.1 0.3 0.1 0.1)
        "0 0.1 0.1 0.5 0.1 0.5 0.3 0.1 0.3\n",  # clockwise
        "0 0.5 0.3 0.5 0.1 0.1 0.1 0.1 0.3\n",  # anticlockwise from another corner
    ],
)
def test_obb_rectangles_keep_their_corner_order(tmp_path: Path, line: str) -> None:
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [p]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [100, 100]}')
    (root / "labels/train/a.txt").write_text(line)
    labelkit.convert(root, tmp_path / "out", to="yolo", from_format="yolo")
    assert (tmp_path / "out/labels/train/a.txt").read_text() == line
    # a segment line of the same corners, in the same order (anticlockwise ones were written clockwise)
    labelkit.convert(root, tmp_path / "segment", to="yolo", from_format="yolo", task="segment", allow_loss=True)
    assert (tmp_path / "segment/labels/train/a.txt").read_text() == line


@pytest.mark.parametrize(
    ("task", "shape"),
    [
        ("detect", {"bbox": (-30.0, 10.0, 20.0, 20.0), "angle": 45.0}),
        ("obb", {"bbox": (-30.0, 10.0, 20.0, 20.0), "angle": 45.0}),
        ("segment", {"polygon": [[150.0, 10.0, 170.0, 10.0, 170.0, 30.0]]}),
        ("detect", {"polygon": [[150.0, 10.0, 170.0, 10.0, 170.0, 30.0]]}),
    ],
)
def test_rotated_boxes_and_polygons_wholly_outside_are_reported_lost(tmp_path: Path, task: str, shape: dict) -> None:
    """They were clipped into zero-area lines (`0 0.0 0.2 0.0 0.28`), counted written."""
    ds = _one_box()
    ds.add(Object(id="2", item_id="a", category_id=0, **shape))
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo", task=task).lost}
    assert lost.get("objects with no area inside the image") == 1
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, allow_loss=True)
    assert report.written["object annotations"] == 1
    assert len((tmp_path / "o/labels/train/a.txt").read_text().splitlines()) == 1


def test_a_number_as_a_data_yaml_key_names_a_split(tmp_path: Path) -> None:
    """``2017: images/train2017`` (a YAML integer key) was an internal error (a Path joined with an int)."""
    (tmp_path / "images/train2017").mkdir(parents=True)
    (tmp_path / "labels/train2017").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "images/train2017/a.jpg")
    (tmp_path / "labels/train2017/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "data.yaml").write_text("2017: images/train2017\nnames: [x]\n")
    ds = labelkit.load(tmp_path / "data.yaml", "yolo")
    assert [(i.split, i.media.path) for i in ds.items()] == [("2017", "images/train2017/a.jpg")]
    for bad in ("2017: images/a\n'2017': images/b\nnames: [x]\n", "true: images/a\nnames: [x]\n"):
        (tmp_path / "data.yaml").write_text(bad)
        with pytest.raises(InputError, match="data.yaml keys must be distinct names") as err:
            labelkit.load(tmp_path / "data.yaml", "yolo")
        assert err.value.location.path == str(tmp_path / "data.yaml")


def test_a_byte_order_mark_is_not_part_of_the_first_class_name(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "images/a.jpg")
    (tmp_path / "labels/a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (tmp_path / "classes.txt").write_bytes("cat\ndog\n".encode("utf-8-sig"))
    ds = labelkit.load(tmp_path, "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]  # was: '\ufeffcat'


@pytest.mark.parametrize(
    ("files", "where", "line"),
    [
        ({"train.txt": "images/a.jpg\n\n/abs/c.jpg\n"}, "train.txt", 3),
        ({"obj.data": "classes = 1\ntrain = train.txt\nnames = /etc/passwd\n", "train.txt": ""}, "obj.data", 3),
        ({"obj.data": "classes = 1\ntrain = train.txt\n", "train.txt": "# c\n../../etc/c.jpg\n"}, "train.txt", 2),
    ],
)
def test_an_unsafe_path_in_a_list_or_obj_data_names_its_line(
    tmp_path: Path, files: dict[str, str], where: str, line: int
) -> None:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "images/a.jpg")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    config = "obj.data" if "obj.data" in files else "data.yaml"
    if config == "data.yaml":
        (tmp_path / "data.yaml").write_text("train: train.txt\nval: train.txt\nnames: [x]\n")
    with pytest.raises(InputError, match="unsafe file name") as err:
        labelkit.load(tmp_path / config, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / where), line)  # was: no line


@pytest.mark.parametrize("config", ["data.yaml", "obj.data"])
def test_a_split_naming_one_image_is_an_error_at_its_config_line(tmp_path: Path, config: str) -> None:
    """``train: [train.txt, images/b.jpg]`` (or ``train = b.jpg``) read the JPEG as a list of images: the error was
    ``images/b.jpg:1: not UTF-8 text``, naming neither the config nor what was wrong. It names the config's line."""
    (tmp_path / "images").mkdir()
    for name in "ab":
        Image.new("RGB", (10, 8)).save(tmp_path / f"images/{name}.jpg")
    (tmp_path / "train.txt").write_text("images/a.jpg\n")
    if config == "data.yaml":
        (tmp_path / "data.yaml").write_text("names: [x]\ntrain: [train.txt, images/b.jpg]\n")
        hint = "name the train split's images folder (train: images/train) or list of images"
    else:
        (tmp_path / "obj.data").write_text("classes = 1\ntrain = images/b.jpg\n")
        hint = "name the train split's list of images, a path a line (train = train.txt)"
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / config, "yolo")
    assert err.value.message == f"{config}'s train names an image, not a list of images"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / config), 2)
    assert (err.value.found, err.value.hint) == ("'images/b.jpg'", hint)


@pytest.mark.parametrize("key", ["train", "valid"])
@pytest.mark.parametrize("value", ["obj.data", "./obj.data", "data/obj.data"])
def test_obj_data_naming_itself_as_a_split_list_is_an_error_at_its_line(tmp_path: Path, key: str, value: str) -> None:
    """``valid = obj.data`` read obj.data's own lines (``classes = 1``, ...) as image paths: 4 items that are
    no images, without a word. It is an error at the obj.data line naming it."""
    Image.new("RGB", (10, 8)).save(tmp_path / "a.jpg")
    (tmp_path / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "list.txt").write_text("a.jpg\n")
    (tmp_path / "obj.names").write_text("cat\n")
    other = "valid" if key == "train" else "train"
    (tmp_path / "obj.data").write_text(f"classes = 1\n{other} = list.txt\n{key} = {value}\nnames = obj.names\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "obj.data", "yolo")
    assert err.value.message == f"obj.data's {key} names obj.data itself, not a list of images"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "obj.data"), 3)
    assert err.value.found == repr(value)
    run = CliRunner().invoke(cli, ["info", str(tmp_path)])
    assert run.exit_code == 2
    assert run.output.startswith(f"labelkit: error: {tmp_path / 'obj.data'}:3: obj.data's {key} names obj.data")


@pytest.mark.parametrize(
    ("value", "files", "where", "found"),
    [
        ("obj.names", {}, ("obj.names", 1), "cat"),
        ("notes.md", {"notes.md": "# my notes\n\nsplit made by hand\n"}, ("notes.md", 3), "split made by hand"),
        ("val.list", {"val.list": "a.jpg\nb.png\nclasses = 1\n"}, ("val.list", 3), "classes = 1"),
    ],
)
def test_a_darknet_list_line_naming_nothing_without_an_image_extension_is_an_error(
    tmp_path: Path, value: str, files: dict[str, str], where: tuple[str, int], found: str
) -> None:
    """``valid = obj.names`` read the class names as image paths (an item ``cat`` of no size), and so did any
    other file that is no list: a Darknet list line with no image extension that names no file, nor a label
    file, is an error at its line, naming the obj.data line that names the list. (A line that ends in an image
    extension names an image not shipped; one without, whose label file is there, an image named so: both are
    read as before.)"""
    Image.new("RGB", (10, 8)).save(tmp_path / "a.jpg")
    (tmp_path / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "list.txt").write_text("a.jpg\n")
    (tmp_path / "obj.names").write_text("cat\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "obj.data").write_text(f"classes = 1\ntrain = list.txt\nvalid = {value}\nnames = obj.names\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "obj.data", "yolo")
    assert err.value.message == "a list line names no image: no such file, nor its label file, and no image extension"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / where[0]), where[1])
    assert err.value.found == repr(found)
    assert err.value.hint == (
        f"obj.data's valid = {value} (obj.data:3) names this file as a list of images (a path a line): name the "
        "split's list there"
    )
    (tmp_path / "val.list").write_text("a.jpg\nb.png\nc\n")  # b.png not shipped, c.txt a label: read
    (tmp_path / "c.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = list.txt\nvalid = val.list\nnames = obj.names\n")
    ds = labelkit.load(tmp_path / "obj.data", "yolo", image_size="10x8")
    assert [(i.id, i.split, i.media.path) for i in ds.items()] == [
        ("train/a", "train", "a.jpg"),
        ("val/a", "val", "a.jpg"),
        ("b", "val", "b.png"),
        ("c", "val", "c"),
    ]
    assert ds.table("objects").num_rows == 3


@pytest.mark.parametrize(
    ("config", "where", "value"),
    [
        ("train: images/train\nval: data.yaml\nnames: [cat]\n", 2, "data.yaml"),
        ("names: [cat]\ntrain: images/train\nval:\n  - images/train\n  - ./data.yaml\n", 5, "./data.yaml"),
    ],
)
def test_data_yaml_naming_itself_as_a_split_list_is_an_error_at_its_line(
    tmp_path: Path, config: str, where: int, value: str
) -> None:
    """``val: data.yaml`` read the config's own lines as image paths, passed over (no image extension) with a note
    blaming its line 1 (``train: images/train``): it is an error at the data.yaml line naming it, as obj.data's is."""
    (tmp_path / "images/train").mkdir(parents=True)
    (tmp_path / "labels/train").mkdir(parents=True)
    Image.new("RGB", (10, 8)).save(tmp_path / "images/train/a.jpg")
    (tmp_path / "labels/train/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (tmp_path / "data.yaml").write_text(config)
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert err.value.message == "data.yaml's val names data.yaml itself, not a list of images"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "data.yaml"), where)
    assert err.value.found == repr(value)
    assert err.value.hint == "name the val split's images folder (val: images/val) or list of images"
    run = CliRunner().invoke(cli, ["info", str(tmp_path)])
    assert run.exit_code == 2
    assert run.output.startswith(f"labelkit: error: {tmp_path / 'data.yaml'}:{where}: data.yaml's val names data.yaml")


def test_darknet_lines_not_kept_and_repeated_list_lines_are_noted(tmp_path: Path) -> None:
    """obj.data's eval, top, map and difficult lines were dropped from the obj.data written, and an image listed
    twice (weighed in training) listed once, without a word."""
    (tmp_path / "obj_train_data").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "obj_train_data/a.jpg")
    (tmp_path / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.names").write_text("a\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\nobj_train_data/a.jpg\n")
    (tmp_path / "obj.data").write_text(
        "classes = 1\ntrain = train.txt\nnames = obj.names\nbackup = weights/\neval = coco\ntop = 5\n"
    )
    ds = labelkit.load(tmp_path)
    assert ds.read_notes == [
        "obj.data's eval = coco, top = 5, backup = weights/ not kept: the obj.data labelkit writes has no such "
        "line (it has backup = backup/)",
        "1 list line names an image a line before named (train.txt:2): one item, listed once when written (a "
        "repeat weighs an image in training)",
    ]
    assert len(ds.table("items")) == 1


def test_a_list_outside_the_configs_folder_is_not_quoted_in_its_error(tmp_path: Path) -> None:
    """``train: /etc/passwd`` in an untrusted data.yaml made the error quote the file's first line."""
    secret = tmp_path / "elsewhere/secret.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0\n")
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds/data.yaml").write_text(f"names: [cat]\ntrain: {secret}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "ds")
    assert err.value.message == "a list of images names no image: none of its lines has an image extension"
    assert (err.value.location.path, err.value.location.line, err.value.found) == (str(secret), 1, None)
    assert "root:x" not in str(err.value)
    (tmp_path / "ds/data.yaml").write_text(f"path: {secret.parent}\nnames: [cat]\ntrain: secret.txt\n")
    with pytest.raises(InputError) as err:  # (nor where its path: names the folder)
        labelkit.load(tmp_path / "ds")
    assert (err.value.location.path, err.value.found) == (str(secret), None)


@pytest.mark.parametrize(
    ("value", "files", "where", "found"),
    [
        ("names.txt", {"names.txt": "cat\n"}, ("names.txt", 1), "cat"),
        (
            "lists/val.txt",
            {"lists/val.txt": "# val images\n\nimages/val\nREADME\n"},
            ("lists/val.txt", 3),
            "images/val",
        ),
        ("notes.md", {"notes.md": "# notes\nsplit by hand\n"}, ("notes.md", 2), "split by hand"),
        ("other.yaml", {"other.yaml": "train: images/train\n"}, ("other.yaml", 1), "train: images/train"),
    ],
)
def test_an_ultralytics_list_with_no_line_of_an_image_extension_is_an_error(
    tmp_path: Path, value: str, files: dict[str, str], where: tuple[str, int], found: str
) -> None:
    """``val: names.txt`` passed over the class names (no image extension) with a note only, leaving the split
    empty (Ultralytics stops: no images found): a list none of whose lines has an image extension is an error at
    its first line, naming the data.yaml line that names it. A list with some such lines keeps the note."""
    (tmp_path / "images/train").mkdir(parents=True)
    (tmp_path / "lists").mkdir()
    Image.new("RGB", (10, 8)).save(tmp_path / "images/train/a.jpg")
    (tmp_path / "images/train/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "data.yaml").write_text(f"names: [cat]\ntrain: images/train\nval: {value}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert err.value.message == "a list of images names no image: none of its lines has an image extension"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / where[0]), where[1])
    assert err.value.found == repr(found)
    assert err.value.hint == (
        f"data.yaml's val: {value} (data.yaml:3) names this file as a list of images (a path a line): name the "
        "split's images folder or list there"
    )
    (tmp_path / "lists/val.txt").write_text("\n# val images\nimages/train/a.jpg\nimages/val\nREADME\n")  # some: read
    (tmp_path / "data.yaml").write_text("names: [cat]\ntrain: [images/train, names.txt]\nval: lists/val.txt\n")
    (tmp_path / "names.txt").write_text("cat\n")
    with pytest.raises(InputError) as err:  # (a split's other sources do not make such a list one)
        labelkit.load(tmp_path)
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "names.txt"), 1)
    assert err.value.hint is not None and err.value.hint.startswith("data.yaml's train: names.txt (data.yaml:2) ")
    (tmp_path / "data.yaml").write_text("names: [cat]\ntrain: images/train\nval: lists/val.txt\n")
    (tmp_path / "lists/empty.txt").write_text("\n# no images yet\n")  # (no line at all: an empty split, as before)
    ds = labelkit.load(tmp_path)
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train"), ("images/train/a", "val")]
    assert ds.read_notes == [
        "2 lines of image lists name no image (no image extension: 'images/val' at lists/val.txt:4 first): not "
        "read, as Ultralytics reads none of them"
    ]
    (tmp_path / "data.yaml").write_text("names: [cat]\ntrain: images/train\nval: lists/empty.txt\n")
    ds = labelkit.load(tmp_path)
    assert [i.id for i in ds.items()] == ["a"]
    assert ds.read_notes == []


@pytest.mark.parametrize("config", ["obj.data", "data.yaml"])
def test_list_lines_naming_an_image_not_found_nor_its_label_file_are_read_with_a_note(
    tmp_path: Path, config: str
) -> None:
    """A list line naming an image that is not there, and no label file either (``missing/b.jpg``), was read as
    an item of no size and no objects without a word. It still is (lists often ship without their images), with
    a read note counting such lines and naming the first."""
    (tmp_path / "obj").mkdir()
    Image.new("RGB", (10, 8)).save(tmp_path / "obj/a.jpg")
    (tmp_path / "obj/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (tmp_path / "obj/c.txt").write_text("0 0.5 0.5 0.1 0.1\n")  # (labels shipped without their image: no note)
    (tmp_path / "obj.names").write_text("cat\n")
    (tmp_path / "train.txt").write_text("obj/a.jpg\nmissing/b.jpg\nobj/c.jpg\n")
    if config == "obj.data":
        (tmp_path / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\n")
    else:
        (tmp_path / "data.yaml").write_text("train: train.txt\nnames: [cat]\n")
    ds = labelkit.load(tmp_path / config, "yolo", image_size="10x8")
    prefix = "obj/"
    assert [(i.id, i.media.path, i.media.width) for i in ds.items()] == [
        (f"{prefix}a", "obj/a.jpg", 10),
        ("missing/b", "missing/b.jpg", 10),
        (f"{prefix}c", "obj/c.jpg", 10),
    ]
    assert [o.item_id for o in ds.objects()] == [f"{prefix}a", f"{prefix}c"]
    assert ds.read_notes == [
        "1 list line names an image not found, nor its label file ('missing/b.jpg' at train.txt:2): it is read as "
        "an image without objects (a list shipped without its images?)"
    ]
    (tmp_path / "val.txt").write_text("obj/a.jpg\n")
    (tmp_path / "train.txt").write_text("obj/a.jpg\n\nmissing/d.jpg\nmissing/b.jpg\nmissing/d.jpg\n")
    if config == "obj.data":
        (tmp_path / "obj.data").write_text("classes = 1\nvalid = val.txt\ntrain = train.txt\nnames = obj.names\n")
    else:
        (tmp_path / "data.yaml").write_text("val: val.txt\ntrain: train.txt\nnames: [cat]\n")
    ds = labelkit.load(tmp_path / config, "yolo", image_size="10x8")
    assert [i.id for i in ds.items()].count("missing/d") == 1
    assert ds.read_notes == [
        "3 list lines name images not found, nor their label files ('missing/d.jpg' at train.txt:3 first): each is "
        "read as an image without objects (a list shipped without its images?)",
        "1 list line names an image a line before named (train.txt:5): one item, listed once when written (a "
        "repeat weighs an image in training)",
        "1 label file beside the listed images' has no image, and no list names one (obj/c.txt): not read (their "
        "images not shipped?), as Darknet and Ultralytics train on the images their lists name",  # (no list names c)
    ]


@pytest.mark.parametrize("config", ["data.yaml", "obj.data"])
@pytest.mark.parametrize("entry", [".", "./.", "images", "images/./"])
def test_a_list_line_naming_a_folder_names_its_line(tmp_path: Path, config: str, entry: str) -> None:
    """A line "." raised ValueError (Path('.').with_suffix: an empty name); a folder was read as an image. An
    Ultralytics list passes over it (no image extension: Ultralytics reads none such), and a read note says so;
    in a Darknet list, which loads any path, it is an error at its line."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "images/a.jpg")
    (tmp_path / "train.txt").write_text(f"images/a.jpg\n{entry}\n")
    if config == "data.yaml":
        (tmp_path / "data.yaml").write_text("train: train.txt\nnames: [x]\n")
        ds = labelkit.load(tmp_path / config, "yolo")
        assert [i.id for i in ds.items()] == ["images/a"]
        assert ds.read_notes == [
            f"1 line of image lists names no image (no image extension: {entry!r} at train.txt:2): not read, "
            "as Ultralytics reads none of them"
        ]
        return
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = train.txt\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / config, "yolo")
    assert err.value.message == "a list line names a folder, not an image"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "train.txt"), 2)


@pytest.mark.parametrize("config", ["data.yaml", "obj.data"])
def test_absolute_paths_inside_the_dataset_in_a_list_or_obj_data_are_read(tmp_path: Path, config: str) -> None:
    """Ultralytics takes a list line as written, so its lists (and obj.data) often hold absolute paths: they were
    refused."""
    root = tmp_path / "ds"
    (root / "images").mkdir(parents=True)
    (root / "lists").mkdir()
    Image.new("RGB", (10, 10)).save(root / "images/a.jpg")
    (root / "images/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "lists/train.txt").write_text(f"{root}/images/a.jpg\n{root}/lists/../images/a.jpg\n")
    if config == "data.yaml":
        (root / "data.yaml").write_text("train: lists/train.txt\nnames: [x]\n")
    else:  # (obj.data's own paths too)
        (root / "obj.data").write_text(f"classes = 1\ntrain = {root}/lists/train.txt\n")
    ds = labelkit.load(root / config, "yolo")
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == [("images/a", "images/a.jpg", "train")]
    assert len(list(ds.objects())) == 1
    (root / "lists/train.txt").write_text(f"{root}/../ds2/images/z.jpg\n")  # outside, and not inside: refused
    with pytest.raises(InputError, match="unsafe file name") as err:
        labelkit.load(root / config, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(root / "lists/train.txt"), 1)


def test_absolute_split_folders_of_a_data_yaml_read_from_a_relative_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``train: /data/ds/images/train`` with the dataset given as ``ds`` (relative): an internal error (ValueError
    from ``relative_to``, shaping a note); its images now have the paths of the same dataset given absolute (given
    through a symbolic link too), and a split folder outside the dataset is read without the error too."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    Image.new("RGB", (10, 10)).save(root / "images/train/a.jpg")
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text(f"train: {root}/images/train\nval: {tmp_path}/other\nnames: [x]\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link").symlink_to(root)  # (through a link: its images' paths were absolute, given so or not)
    for named in ("ds", "ds/data.yaml", "link", str(tmp_path / "link")):
        ds = labelkit.load(named, "yolo")
        assert [(i.id, i.media.path, i.split) for i in ds.items()] == [("a", "images/train/a.jpg", "train")]
        assert canonical(ds) == canonical(labelkit.load(root, "yolo"))


@pytest.mark.parametrize("config", ["data.yaml", "obj.data"])
def test_list_lines_climbing_with_dots_inside_the_dataset_are_read(tmp_path: Path, config: str) -> None:
    """A list in a sub-folder naming ``../images/a.jpg`` (or ``./../images/a.jpg``: Ultralytics takes ``./``
    from the list's folder) was refused as an unsafe file name, though the image is inside the dataset."""
    root = tmp_path / "ds"
    (root / "images").mkdir(parents=True)
    (root / "lists").mkdir()
    for name in "abcde":
        Image.new("RGB", (10, 10)).save(root / f"images/{name}.jpg")
        (root / f"images/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    lines = [
        "# images of the dataset, as several tools write their paths",
        "",
        "./../images/a.jpg",
        "../images/b.jpg",
        "../../ds/images/c.jpg",  # (up out of the dataset and back into it)
        "images/../images/d.jpg",  # (from the root: from the list's folder, lists/images/d.jpg is not there)
        "  ..\\images\\e.jpg \r",  # (written on Windows)
        "../images/a.jpg",  # (listed twice: one item)
    ]
    (root / "lists/train.txt").write_text("\n".join(lines) + "\n")
    if config == "data.yaml":
        (root / "data.yaml").write_text("train: lists/train.txt\nnames: [x]\n")
    else:
        (root / "obj.data").write_text("classes = 1\ntrain = lists/train.txt\n")
    ds = labelkit.load(root / config, "yolo")
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == [
        (f"images/{name}", f"images/{name}.jpg", "train") for name in "abcde"
    ]
    assert [o.item_id for o in ds.objects()] == [f"images/{name}" for name in "abcde"]
    (root / "lists/train.txt").write_text("../images/a.jpg\n../../elsewhere/images/z.jpg\n")  # outside: refused
    with pytest.raises(InputError) as err:  # (unless a file inside ends as it does: see the test after)
        labelkit.load(root / config, "yolo")
    assert str(err.value) == (
        f"{root / 'lists/train.txt'}:2: unsafe file name '../../elsewhere/images/z.jpg'; hint: the list's paths lie "
        "outside the dataset folder (written on another machine?), and no ending of this path (images/z.jpg, z.jpg) "
        "names a file in it or in the folder of the list: rewrite the list with paths relative to the dataset folder "
        "(or the list's)" + (", or name the images folder in data.yaml" if config == "data.yaml" else "")
    )
    assert (err.value.location.path, err.value.location.line) == (str(root / "lists/train.txt"), 2)


def test_ultralytics_list_lines_without_an_image_extension_are_not_read(tmp_path: Path) -> None:
    """Ultralytics keeps the lines of an image extension only: a folder or a notes file in a list was an item
    (of no image, at lists/images), written back as one."""
    (tmp_path / "images").mkdir()
    (tmp_path / "lists").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "images/a.JPG")
    (tmp_path / "images/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "lists/train.txt").write_text("images/a.JPG\nimages\n# a comment\n\nREADME.md\n")
    (tmp_path / "lists/val.txt").write_text("../images/a.JPG\n../images/\n")
    (tmp_path / "data.yaml").write_text("train: lists/train.txt\nval: lists/val.txt\nnames: [x]\n")
    ds = labelkit.load(tmp_path / "data.yaml", "yolo")
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == [
        ("train/images/a", "images/a.JPG", "train"),
        ("val/images/a", "images/a.JPG", "val"),
    ]
    assert ds.read_notes == [
        "3 lines of image lists name no image (no image extension: 'images' at lists/train.txt:2 first): not read, "
        "as Ultralytics reads none of them"
    ]


def test_ultralytics_list_lines_of_avif_and_jp2_images_are_read(tmp_path: Path) -> None:
    """Ultralytics 8.3 reads .avif and .jp2 images: lines naming them were read before lines without an image
    extension were passed over, and then were passed over too, objects and all, with a note that Ultralytics
    reads none of them."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    for name in ("a.avif", "b.JP2", "c.jpg"):
        Image.new("RGB", (10, 10)).save(tmp_path / "images" / name)
        (tmp_path / "labels" / name).with_suffix(".txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "train.txt").write_text("images/a.avif\nimages/b.JP2\nimages/c.jpg\nimages\n")
    (tmp_path / "data.yaml").write_text("train: train.txt\nnames: [x]\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [(i.media.path, i.media.width) for i in ds.items()] == [
        ("images/a.avif", 10),
        ("images/b.JP2", 10),
        ("images/c.jpg", 10),
    ]
    assert len(list(ds.objects())) == 3
    assert ds.read_notes == [
        "1 line of image lists names no image (no image extension: 'images' at train.txt:4): not read, "
        "as Ultralytics reads none of them"
    ]


@pytest.mark.parametrize("train", ["[t1.txt, t2.txt]", "[t2.txt, images]"])
def test_an_image_a_split_names_twice_is_one_item(tmp_path: Path, train: str) -> None:
    """An image in two of a split's lists was refused as two files (the same one) being one item; in a list
    and a folder, it was two items, its objects twice."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    for name in ("a", "b"):
        Image.new("RGB", (10, 10)).save(tmp_path / f"images/{name}.jpg")
        (tmp_path / f"labels/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "t1.txt").write_text("./images/a.jpg\n")
    (tmp_path / "t2.txt").write_text("./images/a.jpg\n./images/b.jpg\n")
    (tmp_path / "data.yaml").write_text(f"train: {train}\nnames: [x]\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert sorted(i.media.path for i in ds.items()) == ["images/a.jpg", "images/b.jpg"]
    assert len(list(ds.objects())) == 2


def test_a_data_yaml_kept_outside_its_dataset_finds_the_datasets_image_sizes(tmp_path: Path) -> None:
    """image_sizes.json was looked for beside data.yaml only, not in the root its path: names."""
    labelkit.save(make_dataset(), tmp_path / "ds", "yolo")
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg/data.yaml").write_text(
        "path: ../ds\ntrain: images/train\nval: images/val\nnames: [person, traffic light]\n"
    )
    back = labelkit.load(tmp_path / "cfg/data.yaml", "yolo")
    assert [(i.media.path, i.media.width, i.media.height) for i in back.items()] == [
        ("images/train/a.jpg", 640, 480),
        ("images/val/b.png", 100, 50),
        ("images/val/c.jpg", 100, 50),
    ]


def test_data_yaml_channels_is_written_back(tmp_path: Path) -> None:
    """channels: 1 (Ultralytics trains on grayscale images) was dropped from a YOLO -> YOLO data.yaml."""
    root = _configured(tmp_path, "train: images/train\nval: images/train\nchannels: 1\nnames: [a]\n")
    ds = labelkit.load(root, "yolo", image_size="10x10")
    assert ds.info.extras["yolo:channels"] == 1
    labelkit.save(ds, tmp_path / "out", "yolo")
    assert yaml.safe_load((tmp_path / "out/data.yaml").read_text())["channels"] == 1
    assert labelkit.convert(root, tmp_path / "out.json", to="labelkit", image_size="10x10").notes == [NO_IMAGE_NOTE]


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "2.5", "true", "[1]"])
def test_data_yaml_channels_that_is_no_count_is_named_in_a_note(tmp_path: Path, value: str) -> None:
    """``channels: 99999999999999999999`` was an internal error (the dataset extra holds 64 bits); ``-1`` or
    ``2.5`` was dropped without a word."""
    root = _configured(tmp_path, f"train: images/train\nval: images/train\nchannels: {value}\nnames: [a]\n")
    ds = labelkit.load(root, "yolo", image_size="10x10")
    assert "yolo:channels" not in ds.info.extras
    shown = str(yaml.safe_load(f"v: {value}")["v"])
    assert ds.read_notes == [NO_IMAGE_NOTE, f"data.yaml's channels: {shown} not kept: not a positive 64-bit integer"]


@pytest.mark.parametrize("config", [None, "train: images/train\nval: images/train\nnames: [a]\n"])
def test_macos_resource_fork_files_are_not_images_or_labels(tmp_path: Path, config: str | None) -> None:
    """A dataset zipped on macOS holds ._a.jpg and ._a.txt beside a.jpg and a.txt: they were read as an image
    (unreadable header) and a label file (not a class id), and the dataset refused."""
    folder = "images/train" if config else "images"
    (tmp_path / folder).mkdir(parents=True)
    (tmp_path / folder.replace("images", "labels")).mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / folder / "a.jpg")
    (tmp_path / folder.replace("images", "labels") / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    fork = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(60)
    (tmp_path / folder / "._a.jpg").write_bytes(fork)
    (tmp_path / folder.replace("images", "labels") / "._a.txt").write_bytes(fork)
    (tmp_path / ("data.yaml" if config else "obj.names")).write_text(config or "a\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [(i.media.path, len(list(ds.objects()))) for i in ds.items()] == [(f"{folder}/a.jpg", 1)]


def test_a_data_config_named_after_its_folder_is_read(tmp_path: Path) -> None:
    """Ultralytics HUB's zips hold coco8/coco8.yaml: it was passed over, the classes named class_0, class_1."""
    root = _configured(tmp_path, "")
    (root / "data.yaml").unlink()
    (root / "ds.yaml").write_text("path: ../datasets/ds\ntrain: images/train\nval: images/train\nnames: [cat, dog]\n")
    (root / "notes.yml").write_text("train: images/train\nnames: [x]\n")  # of two, the one named as the folder
    ds = labelkit.load(root, "yolo", image_size="10x10")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert yolo.detect(root) is not None and yolo.detect(root).confidence == 0.9
    (root / "ds.yaml").write_text("lr0: 0.01\n")  # a YAML that is not a data config is none: the other one is read
    assert [c.name for c in labelkit.load(root, "yolo", image_size="10x10").categories] == ["x"]
    (root / "notes.yml").write_text("lr0: 0.02\n")
    assert [c.name for c in labelkit.load(root, "yolo", image_size="10x10").categories] == ["class_0"]


def test_a_loose_folder_keeps_images_sharing_a_stem_and_flat_images_beside_subfolders(tmp_path: Path) -> None:
    """A names file beside images/ and labels/: x.jpg was replaced by x.png, and flat images beside a
    subfolder were dropped (the subfolder was taken for the only split)."""
    (tmp_path / "images/extra").mkdir(parents=True)
    (tmp_path / "labels/extra").mkdir(parents=True)
    for name in ("x.jpg", "x.png", "a.jpg", "extra/c.jpg"):
        Image.new("RGB", (10, 10)).save(tmp_path / "images" / name)
    for name in ("x", "a", "extra/c"):
        (tmp_path / "labels" / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "images/.DS_Store").write_bytes(b"")
    (tmp_path / "obj.names").write_text("cat\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert sorted(i.media.path for i in ds.items()) == [
        "images/a.jpg",
        "images/extra/c.jpg",
        "images/x.jpg",
        "images/x.png",
    ]
    assert len(list(ds.objects())) == 4
    for name in ("x.jpg", "x.png", "a.jpg"):  # without flat images, subfolders are splits (a stray file is not one)
        (tmp_path / "images" / name).unlink()
    for name in ("x", "a"):
        (tmp_path / "labels" / f"{name}.txt").unlink()
    assert [(i.split, i.media.path) for i in labelkit.load(tmp_path, "yolo").items()] == [
        ("extra", "images/extra/c.jpg")
    ]


def test_darknet_segment_of_4_point_polygons_reads_back_as_segment(tmp_path: Path) -> None:
    """Only data.yaml said task: segment, so a Darknet folder of 4-point polygons read back as OBB boxes.

    (labelkit wrote such folders before it refused segment in the Darknet layout: they still read.)
    """
    out = tmp_path / "o"
    (out / "obj_train_data").mkdir(parents=True)
    (out / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\ntask = segment\n")
    (out / "obj.names").write_text("a\n")
    (out / "train.txt").write_text("obj_train_data/a.jpg\n")
    (out / "obj_train_data/a.txt").write_text("0 0.1 0.2 0.5 0.2 0.5 0.6 0.1 0.6\n")
    Image.new("RGB", (100, 50)).save(out / "obj_train_data/a.jpg")
    ring = [10.0, 10.0, 50.0, 10.0, 50.0, 30.0, 10.0, 30.0]
    back = labelkit.load(out, "yolo")
    assert [(o.shape, o.polygon) for o in back.objects()] == [("polygon", [ring])]  # was: an OBB box
    assert back.info.extras["yolo:task"] == "segment"


@pytest.mark.parametrize("config", ["train: images/train\nnames: []\n", "train: images/train\nnc: 0\n"])
def test_a_class_id_when_data_yaml_names_no_class_is_refused(tmp_path: Path, config: str) -> None:
    """names: [] (or nc: 0) said there is no class, yet a label of class 0 made up class_0."""
    root = _configured(tmp_path, config)
    with pytest.raises(InputError, match=r"class id 0 is beyond names \(0 classes\)") as err:
        labelkit.load(root, "yolo", image_size="10x10")
    assert (err.value.location.path, err.value.location.line) == (str(root / "labels/train/a.txt"), 1)


def test_a_dataset_opened_through_a_linked_folder_above_it_is_read(tmp_path: Path) -> None:
    """/mnt -> /disk above the dataset made a split folder outside the config's folder look linked out of it."""
    config_outside(tmp_path / "disk/proj")
    (tmp_path / "mnt").symlink_to(tmp_path / "disk", target_is_directory=True)
    assert len(list(labelkit.load(tmp_path / "mnt/proj/cfg/data.yaml", "yolo").objects())) == 1


def test_a_stray_txt_beside_split_folders_leaves_them_splits(tmp_path: Path) -> None:
    """LabelImg's classes.txt in labels/ switched the loose layout to one unsplit tree (and was read as labels)."""
    for split in ("train", "val"):
        (tmp_path / "images" / split).mkdir(parents=True)
        (tmp_path / "labels" / split).mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(tmp_path / "images" / split / f"{split}.jpg")
        (tmp_path / "labels" / split / f"{split}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "labels/classes.txt").write_text("cat\n")
    (tmp_path / "obj.names").write_text("cat\n")
    assert sorted(i.split for i in labelkit.load(tmp_path, "yolo").items()) == ["train", "val"]


@pytest.mark.parametrize("config", [None, "train: images/train\nnames: [cat, dog]\n"])
def test_labelimgs_classes_txt_among_the_labels_is_the_names_not_a_label_file(
    tmp_path: Path, config: str | None
) -> None:
    """LabelImg writes classes.txt beside its label files: it was parsed as one ('cat' is no class id)."""
    folder = "images" if config is None else "images/train"
    (tmp_path / folder).mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / folder / "a.jpg")
    labels = tmp_path / folder.replace("images", "labels")
    labels.mkdir(parents=True)
    (labels / "a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (labels / "classes.txt").write_text("cat\ndog\n")
    if config is not None:
        (tmp_path / "data.yaml").write_text(config)
    ds = labelkit.load(tmp_path, "yolo")
    assert [i.id for i in ds.items()] == ["a"]
    assert [(ds.category(o.category_id).name, o.item_id) for o in ds.objects()] == [("dog", "a")]


def test_a_split_data_yaml_or_obj_data_names_that_is_not_there_is_noted(tmp_path: Path) -> None:
    """A mistyped val folder (or a test list not downloaded, or a missing valid.txt) was passed over unsaid."""
    root = _configured(tmp_path, "train: images/train\nval: images/vall\ntest: [test.txt]\nnames: [a]\n")
    report = labelkit.convert(root, tmp_path / "out", to="labelkit", image_size="10x10")
    assert report.notes[:2] == [
        "data.yaml's val: images/vall names no images or labels found: nothing of it is read",
        "data.yaml's test: test.txt names no images or labels found: nothing of it is read",
    ]
    assert report.read["items"] == 1
    (root / "obj.data").write_text("classes = 1\ntrain = train.txt\nvalid = data/valid.txt\ntop = 5\n")
    (root / "train.txt").write_text("labels/train/a.jpg\n")
    report = labelkit.convert(root / "obj.data", tmp_path / "out2", to="labelkit", image_size="10x10")
    assert report.notes[0] == "obj.data's valid = data/valid.txt names no list file found: nothing of it is read"
    assert not any("top = 5 names" in note for note in report.notes)  # (no list: not kept, said so)
    assert "obj.data's top = 5 not kept: the obj.data labelkit writes has no such line" in report.notes


def test_notes_on_a_config_of_another_name_name_it(tmp_path: Path) -> None:
    """Read from Ultralytics' coco8.yaml, the notes said ``data.yaml's download not kept`` of a file not there."""
    root = _configured(tmp_path, "")
    (root / "data.yaml").rename(root / "coco8.yaml")
    (root / "coco8.yaml").write_text(
        "train: images/train\nval: images/train\ntest: test-dev.txt\nchannels: -1\ndownload: get.sh\nnames: [a]\n"
    )
    report = labelkit.convert(root / "coco8.yaml", tmp_path / "out", to="labelkit", image_size="10x10")
    assert [n for n in report.notes if "coco8" in n or "data.yaml" in n] == [
        "coco8.yaml's download not kept: a data.yaml written from it has no such key",
        "coco8.yaml's test: test-dev.txt names no images or labels found: nothing of it is read",
        "coco8.yaml's channels: -1 not kept: not a positive 64-bit integer",
    ]


def test_labelled_images_beside_the_listed_ones_that_no_list_names_are_noted(tmp_path: Path) -> None:
    """Darknet and Ultralytics train on the images their lists name; an image and its label file beside them that
    no list names (Datumaro's YOLO export leaves one when its 'default' subset overwrites train.txt) was read as
    nothing, unsaid."""
    root = tmp_path / "ds"
    (root / "obj_train_data").mkdir(parents=True)
    for name in ("a", "b", "c"):
        Image.new("RGB", (20, 10)).save(root / "obj_train_data" / f"{name}.jpg")
        (root / "obj_train_data" / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    Image.new("RGB", (20, 10)).save(root / "obj_train_data" / "d.jpg")  # (no labels: nothing is left unread)
    Image.new("RGB", (20, 10)).save(root / "obj_train_data" / "a.png")  # (a's labels, which are read)
    (root / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\n")
    (root / "obj.names").write_text("cat\n")
    (root / "train.txt").write_text("obj_train_data/a.jpg\n")
    report = labelkit.convert(root, tmp_path / "out", to="labelkit")
    assert report.read["items"] == 1
    assert report.notes == [
        "2 images with label files of their own lie beside the listed ones, but no list names them "
        "(obj_train_data/b.jpg first): not read, as Darknet and Ultralytics train on the images their lists name"
    ]
    (root / "train.txt").write_text("obj_train_data/a.jpg\nobj_train_data/c.jpg\n")
    (root / "data.yaml").write_text("train: train.txt\nval: train.txt\nnames: [cat]\n")
    for config in ("obj.data", "data.yaml"):
        report = labelkit.convert(root / config, tmp_path / config, to="labelkit")
        assert report.notes == [
            "1 image with a label file of its own lies beside the listed ones, but no list names it "
            "(obj_train_data/b.jpg): not read, as Darknet and Ultralytics train on the images their lists name"
        ]
    (root / "train.txt").write_text("obj_train_data/a.jpg\nobj_train_data/b.jpg\nobj_train_data/c.jpg\n")
    assert labelkit.convert(root / "obj.data", tmp_path / "all", to="labelkit").notes == []


def test_images_read_or_not_images_are_not_noted_as_beside_the_listed_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note counting labelled images no list names named b.jpg, read through the train folder, when the dataset
    was read as "." (its list's images were ./images/train/a.jpg, the folder's images/train/b.jpg) or the folder
    through a link, and macOS's AppleDouble files (._b.jpg beside ._b.txt, from a tar made on a Mac), which no
    reader takes for images."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    for name in ("a", "b"):
        Image.new("RGB", (20, 10)).save(root / "images/train" / f"{name}.jpg")
        (root / "labels/train" / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("train: images/train\nval: val.txt\nnames: [cat]\n")
    (root / "val.txt").write_text("images/train/a.jpg\n")
    monkeypatch.chdir(root)
    for path in (".", "data.yaml", str(root)):
        ds = labelkit.load(path, "yolo")
        assert (len(ds.table("items")), ds.read_notes) == (3, []), path
    (root / "imgs").symlink_to("images/train")  # (the folder split read through a link: imgs/b.jpg is b.jpg)
    (root / "data.yaml").write_text("train: imgs\nval: val.txt\nnames: [cat]\n")
    assert labelkit.load(root, "yolo").read_notes == []
    (root / "data.yaml").write_text("train: val.txt\nval: val.txt\nnames: [cat]\n")
    for name in ("images/train/._b.jpg", "labels/train/._b.txt"):  # (AppleDouble files: no image, no labels)
        (root / name).write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ")
    assert labelkit.load(".", "yolo").read_notes == [
        "1 image with a label file of its own lies beside the listed ones, but no list names it (images/train/b.jpg): "
        "not read, as Darknet and Ultralytics train on the images their lists name"
    ]


def _listing_a_jpg(root: Path, layout: str, folder: str) -> None:
    """A config of the ``layout`` whose train list names ``<folder>/a.jpg`` alone (class ``cat``)."""
    (root / "train.txt").write_text(f"{folder}/a.jpg\n")
    if layout == "ultralytics":
        (root / "data.yaml").write_text("train: train.txt\nval: train.txt\nnames: [cat]\n")
    else:
        (root / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\n")
        (root / "obj.names").write_text("cat\n")


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_unlisted_images_below_a_listed_image_s_folder_are_noted(tmp_path: Path, layout: str) -> None:
    """A listed a.jpg beside an unlisted sub/b.jpg and sub/deeper/c.jpg, each with its label file: only the
    listed images' own folders were looked into, and they were left out unsaid (a Datumaro export whose
    default list overwrote train.txt holds nested item ids)."""
    root = tmp_path / "ds"
    folder = "images/train" if layout == "ultralytics" else "obj_train_data"
    labels = "labels/train" if layout == "ultralytics" else folder
    for name in ("a", "sub/b", "sub/deeper/c"):
        (root / folder / name).parent.mkdir(parents=True, exist_ok=True)
        (root / labels / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(root / folder / f"{name}.jpg")
        (root / labels / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    _listing_a_jpg(root, layout, folder)
    ds = labelkit.load(root, "yolo")
    assert len(ds) == 1
    assert ds.read_notes == [
        "2 images with label files of their own lie beside the listed ones, but no list names them "
        f"({folder}/sub/b.jpg first): not read, as Darknet and Ultralytics train on the images their lists name"
    ]


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_label_files_of_no_image_beside_the_listed_ones_are_noted(tmp_path: Path, layout: str) -> None:
    """obj_train_data/b.txt, whose image did not ship and that no list names, was passed over unsaid, its objects
    with it (a folder split refuses such a file: image not found)."""
    root = tmp_path / "ds"
    folder = "images/train" if layout == "ultralytics" else "obj_train_data"
    labels = "labels/train" if layout == "ultralytics" else folder
    for name in ("sub/c", "b", "a"):
        (root / labels / name).parent.mkdir(parents=True, exist_ok=True)
        (root / labels / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / folder / "sub").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 10)).save(root / folder / "a.jpg")
    (root / labels / "classes.txt").write_text("cat\n")  # (LabelImg's names file: no labels)
    (root / labels / "._d.txt").write_bytes(b"\x00\x05\x16\x07")  # (macOS's AppleDouble file: none either)
    (root / labels / "README.txt").write_text("\nLabels of the cameras.\n")  # (no label lines: no label file)
    _listing_a_jpg(root, layout, folder)
    ds = labelkit.load(root, "yolo")
    assert len(ds) == 1
    assert ds.read_notes == [
        f"2 label files beside the listed images' have no image, and no list names one ({labels}/b.txt first): not "
        "read (their images not shipped?), as Darknet and Ultralytics train on the images their lists name"
    ]
    (root / labels / "sub/c.txt").unlink()
    (root / "train.txt").write_text(f"{folder}/a.jpg\n{folder}/b.jpg\n")  # (named: read at the size given)
    back = labelkit.load(root, "yolo", image_size="20x10")
    assert (len(back), [n for n in back.read_notes if "beside the listed" in n]) == (2, [])


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_label_files_read_through_a_linked_folder_or_lists_are_not_noted_as_of_no_image(tmp_path: Path) -> None:
    """The note on label files of no image counted b.txt, read through alias -> obj_train_data, as not read, and a
    flat dataset's train.txt and val.txt lists as label files."""
    root = tmp_path / "ds"
    (root / "obj_train_data").mkdir(parents=True)
    (root / "alias").symlink_to("obj_train_data")
    for name in ("a", "b"):
        Image.new("RGB", (20, 10)).save(root / "obj_train_data" / f"{name}.jpg")
        (root / "obj_train_data" / f"{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "obj_train_data/b.jpg").unlink()
    (root / "obj_train_data/train.txt").write_text("obj_train_data/a.jpg\nalias/b.jpg\n")
    (root / "obj.data").write_text("classes = 1\ntrain = obj_train_data/train.txt\nnames = obj.names\n")
    (root / "obj.names").write_text("cat\n")
    ds = labelkit.load(root, "yolo", image_size="20x10")
    assert (len(list(ds.objects())), ds.read_notes) == (2, [])


@pytest.mark.parametrize("value", ['"valid.txt"', "obj_valid_data", "valid.list"])
def test_an_obj_data_train_or_valid_naming_no_list_file_is_noted(tmp_path: Path, value: str) -> None:
    """Only a value ending in .txt was noted: a quoted one, a folder or another extension passed its split over
    unsaid (Darknet opens train and valid as lists, whatever their names)."""
    root = tmp_path / "ds"
    (root / "obj_valid_data").mkdir(parents=True)
    (root / "obj.data").write_text(f"classes = 1\ntrain = train.txt\nvalid = {value}\nnames = obj.names\n")
    (root / "obj.names").write_text("a\n")
    (root / "train.txt").write_text("obj_train_data/a.jpg\n")
    report = labelkit.convert(root, tmp_path / "out", to="labelkit", image_size="10x10")
    assert report.notes[0] == f"obj.data's valid = {value} names no list file found: nothing of it is read"
    assert report.read["items"] == 1


def test_an_obj_data_names_file_that_is_not_there_is_noted(tmp_path: Path) -> None:
    """Its classes were read as class_0, class_1, ... unsaid (Darknet stops: it cannot open the file)."""
    root = tmp_path / "ds"
    (root / "obj_train_data").mkdir(parents=True)
    (root / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = data/obj.names\n")
    (root / "train.txt").write_text("obj_train_data/a.jpg\n")
    (root / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    report = labelkit.convert(root, tmp_path / "out", to="labelkit", image_size="10x10")
    assert report.notes[0] == (
        "obj.data's names = data/obj.names names no file found: its classes are named class_0, class_1, ..."
    )
    assert [c.name for c in labelkit.load(tmp_path / "out").categories] == ["class_0"]


def test_a_roboflow_exports_val_images_are_written_in_the_val_folder(tmp_path: Path) -> None:
    """valid/images/a.jpg, read as split val, was written as labels/val/valid/images_/a.txt."""
    src = tmp_path / "rf"
    for split in ("train", "valid"):
        (src / split / "images").mkdir(parents=True)
        (src / split / "labels").mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(src / split / "images" / f"{split}.jpg")
        (src / split / "labels" / f"{split}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (src / "data.yaml").write_text("train: ../train/images\nval: ../valid/images\nnc: 1\nnames: ['cell']\n")
    labelkit.convert(src, tmp_path / "out", to="yolo")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt")) == [
        "labels/train/train.txt",
        "labels/val/valid.txt",
    ]


def test_outputs_beside_a_roboflow_export_are_not_taken_for_its_input(tmp_path: Path) -> None:
    """train: ../train/images is read as train/images inside the export: its siblings train/ and valid/ are free."""
    ds = tmp_path / "ds"
    for split in ("train", "valid"):
        (ds / split / "images").mkdir(parents=True)
        (ds / split / "labels").mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(ds / split / "images/a.jpg")
        (ds / split / "labels/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (ds / "data.yaml").write_text("train: ../train/images\nval: ../valid/images\nnames: [x]\n")
    for out in ("train", "valid"):
        labelkit.convert(ds, tmp_path / out, to="coco", allow_loss=True)  # was: "the output holds the input"
    with pytest.raises(OutputError, match="the input"):
        labelkit.convert(ds, ds / "valid", to="coco", allow_loss=True, overwrite=True)


def test_odd_data_yaml_values_and_keys_are_input_errors_or_read(tmp_path: Path) -> None:
    root = _configured(tmp_path, 'train: images/train\nval: "images/v\\0al"\nnames: [x]\n')
    labelkit.convert(root, tmp_path / "out", to="coco", image_size="10x10", allow_loss=True)  # was: internal error
    (root / "data.yaml").write_text("~: images/train\nnames: [x]\n")
    with pytest.raises(InputError, match="data.yaml keys must be distinct names"):  # was: internal error
        labelkit.load(root, "yolo")


@pytest.mark.parametrize(
    ("task", "shape", "line"),
    [
        ("detect", {"bbox": (1.0, 1.0, 2.0, 2.0)}, "0 0.0 0.0 0.0 0.0"),
        ("pose", {"bbox": (1.0, 1.0, 2.0, 2.0)}, "0 0.0 0.0 0.0 0.0"),
        ("segment", {"polygon": [[1.0, 1.0, 3.0, 1.0, 3.0, 3.0]]}, "0 0.0 0.0 0.0 0.0 0.0 0.0"),
        ("obb", {"bbox": (1.0, 60.0, 2.0, 2.0), "angle": 30.0}, "0 0.0 0.6 0.0 0.6 0.0 0.6 0.0 0.6"),
    ],
)
def test_precision_that_rounds_an_object_to_a_zero_box_loses_it(
    tmp_path: Path, task: str, shape: dict, line: str
) -> None:
    """`-o precision=1` wrote `0 0.0 0.0 0.0 0.0` (a zero box Ultralytics cannot use), reported only as rounded."""
    ds = _one_box()
    ds.add(Object(id="2", item_id="a", category_id=0, **shape))
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task=task, precision="1")
    lost = [(c.what, c.count) for c in err.value.report.lost]
    assert lost == [("objects whose coordinates round to a zero box", 1)]
    assert not (tmp_path / "o").exists()
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, precision="1", allow_loss=True)
    assert report.written["object annotations"] == 1
    lines = (tmp_path / "o/labels/train/a.txt").read_text().splitlines()
    assert len(lines) == 1 and line not in lines
    assert labelkit.plan(ds, "yolo", task=task, precision="exact").lost == []


def test_precision_zero_refuses_every_box_from_the_golden_detect_output(tmp_path: Path) -> None:
    """precision=0 turned every box into `0 0 0 0 0` and exited 0 (then it refused the zero boxes as lost; a box
    of 0 decimals is now refused outright, --allow-loss or not)."""
    for loss in ([], ["--allow-loss"]):
        result = CliRunner().invoke(
            cli,
            ["convert", "fixtures/yolo/golden/detect", str(tmp_path / "o"), "--to", "yolo", "-o", "precision=0", *loss],
        )
        assert result.exit_code == 2
        assert "YOLO detect cannot round boxes to 0 decimals" in result.output
        assert not (tmp_path / "o").exists()


def test_precision_zero_given_as_an_integer_is_zero_decimals(tmp_path: Path) -> None:
    """The API's ``precision=0`` (an int, where the CLI's ``-o precision=0`` is text) was taken for no precision
    given: the output was written exact, where 0 decimals were asked for (and the CLI refuses the boxes it zeroes)."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, polygon=[[1.3, 1.3, 4.4, 1.3, 4.4, 4.4]]))
    assert [c.what for c in labelkit.plan(ds, "yolo", task="segment", precision=0).lost] == [
        "objects whose coordinates round to a zero box"
    ]
    with pytest.raises(UsageError, match="YOLO detect cannot round boxes to 0 decimals"):  # (0, not None)
        labelkit.plan(ds, "yolo", precision=0)
    ds.add(Object(id="2", item_id="a", category_id=0, polygon=[[0.0, 0.0, 10.0, 0.0, 6.0, 6.0]]))
    labelkit.save(ds, tmp_path / "o", "yolo", task="segment", precision=0, allow_loss=True)
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0 0 1 0 1 1\n"  # (was exact: ... 0.6 0.6)


def test_precision_reports_the_objects_and_coordinates_it_changes(tmp_path: Path) -> None:
    """`transformed: 2 coordinates` counted written objects, not the 4 coordinates (of one object) rounding changed."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=1920, height=1080), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(247.87, 100.123456789, 30.5, 40.25)))
    ds.add(Object(id="2", item_id="a", category_id=0, bbox=(0.0, 0.0, 960.0, 540.0)))
    report = labelkit.save(ds, tmp_path / "o", "yolo", precision="2")
    assert [str(c) for c in report.transformed] == ["1 objects: 4 of their coordinates rounded to 2 decimals"]
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.14 0.11 0.02 0.04\n0 0.25 0.25 0.50 0.50\n"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(0, 1),
            st.integers(0, 10**6).map(lambda k: k / 10**6),  # short decimals: many ties at fewer decimals
            st.integers(0, 2000).map(lambda k: k / 2000 + 5e-4),
        ),
        max_size=30,
    ),
    st.integers(0, 17),
)
def test_rounded_is_what_the_fixed_point_text_reads_back_as(values: list[float], precision: int) -> None:
    """The vectorised rounding check() counts with must agree, bit for bit, with the text write() formats."""
    from labelkit.formats.yolo_numbers import rounded

    got = rounded(np.array(values, dtype=np.float64), precision).tolist()
    assert got == [float(f"{v:.{precision}f}") for v in values]


def test_segment_reports_a_box_its_polygon_does_not_give_back(tmp_path: Path) -> None:
    """Segment wrote the polygon and silently dropped a box of other bounds: [0,0,50,50] read back [10,10,10,10]."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80), split="train"))
    triangle = [[10.0, 10.0, 20.0, 10.0, 20.0, 20.0]]
    ds.add(Object(id="1", item_id="1", category_id=0, shape="polygon", bbox=(0.0, 0.0, 50.0, 50.0), polygon=triangle))
    ds.add(Object(id="2", item_id="1", category_id=0, shape="polygon", bbox=(10.0, 10.0, 10.0, 10.0), polygon=triangle))
    ds.add(Object(id="3", item_id="1", category_id=0, shape="polygon", bbox=(9.5, 10, 10.5, 10.0), polygon=triangle))
    ds.add(
        Object(
            id="4", item_id="1", category_id=0, shape="polygon", bbox=(10.0, 10, 10, 10), angle=30.0, polygon=triangle
        )
    )
    why = "YOLO segment holds no box (a reader takes the ring's bounds)"
    with pytest.raises(DataLossError) as err:
        labelkit.save(ds, tmp_path / "o", "yolo", task="segment")
    report = err.value.report
    assert [str(c) for c in report.lost] == [
        f"2 boxes unlike their polygon's bounds: {why}: more than a pixel off, or rotated"
    ]
    assert [str(c) for c in report.transformed] == [f"1 boxes unlike their polygon's bounds: {why}: within a pixel"]
    assert not (tmp_path / "o").exists()
    labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "yolo")
    assert {o.bbox for o in back.objects()} == {(10.0, 10.0, 10.0, 10.0)}


def test_segment_reports_a_box_its_traced_mask_does_not_give_back(tmp_path: Path) -> None:
    """A mask's box through pixel centres (Datumaro's (0,0,1,9) for a 2x10 mask) came back (0,0,2,10) unreported."""
    from labelkit.model.raster import mask_to_rle

    mask = np.zeros((8, 10), dtype=np.uint8)
    mask[0:8, 0:2] = 1
    cell = mask_to_rle(mask)
    rle = Rle(size=(cell["height"], cell["width"]), counts=cell["counts"])
    ds = _mask_dataset()
    ds.add(Object(id="1", item_id="a", category_id=0, shape="mask", mask=rle, bbox=(0.0, 0.0, 1.0, 7.0)))
    ds.add(Object(id="2", item_id="a", category_id=0, shape="mask", mask=rle, bbox=(3.0, 0.0, 2.0, 8.0)))
    ds.add(Object(id="3", item_id="a", category_id=0, shape="mask", mask=rle, bbox=(0.0, 0.0, 2.0, 8.0)))
    report = labelkit.plan(ds, "yolo", task="segment")
    assert [(c.what, c.count) for c in report.lost] == [("boxes unlike their polygon's bounds", 1)]
    assert [(c.what, c.count) for c in report.transformed][-1] == ("boxes unlike their polygon's bounds", 1)


def test_segment_of_coco_shaped_polygons_reports_no_box(tmp_path: Path) -> None:
    """Boxes rounded to 2 decimals from their polygon (bench/gen_coco.py, COCO) are their bounds: nothing to report."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=640, height=480), split="train"))
    ring = [[312.37, 100.01, 400.99, 120.5, 350.12, 300.33]]
    ds.add(
        Object(id="1", item_id="1", category_id=0, shape="polygon", bbox=(312.37, 100.01, 88.62, 200.32), polygon=ring)
    )
    report = labelkit.plan(ds, "yolo", task="segment")
    assert (report.lost, report.transformed) == ([], [])


def test_convert_yolo_to_yolo_writes_the_task_given(tmp_path: Path) -> None:
    """`-o task=obb` went to the reader too: a detect dataset could not be converted to OBB (wrong number of
    fields for YOLO obb); the task given is now the one written, and `read.task=` is the one read."""
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 0.2 0.4\n")
    out = tmp_path / "obb"
    result = CliRunner().invoke(cli, ["convert", str(root), str(out), "--to", "yolo", "-o", "task=obb"])
    assert result.exit_code == 0, result.output
    assert (out / "labels/train/x.txt").read_text() == "0 0.4 0.3 0.6 0.3 0.6 0.7 0.4 0.7\n"
    with pytest.raises(InputError, match="wrong number of fields for YOLO obb"):
        labelkit.convert(root, tmp_path / "refused", to="yolo", **{"read.task": "obb"})
    labelkit.convert(out, tmp_path / "seg", to="yolo", **{"read.task": "obb", "write.task": "segment"})
    assert (tmp_path / "seg/labels/train/x.txt").read_text() == "0 0.4 0.3 0.6 0.3 0.6 0.7 0.4 0.7\n"
    assert "task: segment" in (tmp_path / "seg/data.yaml").read_text()


def test_precision_counts_only_numbers_that_differ_from_the_exact_output(tmp_path: Path) -> None:
    """`0 0.5 0.5 0.24 0.12` on 480 x 480 written with precision=2 reported 2 coordinates rounded: rounding was
    compared with the raw normalised floats (0.24000000000000002), not with what the exact writer writes."""
    src = tmp_path / "pz"
    (src / "images/train").mkdir(parents=True)
    (src / "labels/train").mkdir(parents=True)
    (src / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [a]\n")
    (src / "image_sizes.json").write_text('{"images/train/i.jpg": [480, 480]}')
    (src / "labels/train/i.txt").write_text("0 0.5 0.5 0.24 0.12\n")
    run = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o2"), "--to", "yolo", "-o", "precision=2"])
    assert run.exit_code == 0, run.output
    assert "transformed" not in run.output
    assert (tmp_path / "o2/labels/train/i.txt").read_text() == "0 0.50 0.50 0.24 0.12\n"
    # writing a precision=3 output again with precision=3: the same bytes, and nothing reported
    for src_dir, out in ((src, "p3"), (tmp_path / "p3", "p3b")):
        run = CliRunner().invoke(
            cli, ["convert", str(src_dir), str(tmp_path / out), "--to", "yolo", "-o", "precision=3"]
        )
        assert run.exit_code == 0, run.output
        assert "transformed" not in run.output
    assert (tmp_path / "p3b/labels/train/i.txt").read_bytes() == b"0 0.500 0.500 0.240 0.120\n"
    # a number that does change is still counted: 0.1234 on 480 is 59.232 px, written 0.12
    (src / "labels/train/i.txt").write_text("0 0.5 0.5 0.1234 0.12\n")
    run = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o4"), "--to", "yolo", "-o", "precision=2"])
    assert "transformed: 1 objects: 1 of their coordinates rounded to 2 decimals" in run.output


@pytest.mark.parametrize("task", ["detect", "pose"])
def test_precision_keeps_a_box_touching_an_edge_inside_the_image(tmp_path: Path, task: str) -> None:
    """``0 0 10 157`` on 100 x 200 at 2 decimals was ``0.05 0.39 0.10 0.79`` (y from -0.005, a pixel above the
    image: COCO got ``[0, -1, 10, 158]``), and writing that output again with precision=2 reported its box
    clipped and rounded though the bytes were the same. The size is written a step smaller; a box of one step
    keeps its size, its centre moved a step inward (it was half outside)."""
    ds = Dataset(categories=[Category(id=0, name="a", keypoints=[] if task == "detect" else ["p"])])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=100, height=200), split="train"))
    ds.add(Object(id="1", item_id="i", category_id=0, bbox=(0.0, 0.0, 10.0, 157.0)))
    ds.add(Object(id="2", item_id="i", category_id=0, bbox=(99.4, 10.0, 0.6, 20.0)))
    labelkit.save(ds, tmp_path / "o", "yolo", task=task, precision="2")
    lines = [line.split()[1:5] for line in (tmp_path / "o/labels/train/i.txt").read_text().splitlines()]
    assert lines == [["0.05", "0.39", "0.10", "0.78"], ["0.99", "0.10", "0.01", "0.10"]]
    for cx, cy, w, h in (map(float, line) for line in lines):
        assert cx - w / 2 >= 0 and cx + w / 2 <= 1 + 1e-12 and cy - h / 2 >= 0 and cy + h / 2 <= 1 + 1e-12
    report = labelkit.convert(tmp_path / "o", tmp_path / "o2", to="yolo", precision="2")
    assert report.transformed == []
    assert (tmp_path / "o2/labels/train/i.txt").read_bytes() == (tmp_path / "o/labels/train/i.txt").read_bytes()


def _segment_box_dataset(bbox: tuple[float, float, float, float]) -> Dataset:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=100, height=100), split="train"))
    ring = [90.0, 90.0, 110.0, 90.0, 110.0, 110.0, 90.0, 110.0]
    ds.add(Object(id="1", item_id="i", category_id=0, shape="polygon", bbox=bbox, polygon=[ring]))
    return ds


def test_segment_box_is_compared_with_the_clipped_ring_it_reads_back_from(tmp_path: Path) -> None:
    """A box [90, 90, 10, 10] whose polygon runs to 110 on a 100 x 100 image reads back exactly from the
    clipped ring, but was refused as `boxes unlike their polygon's bounds`: compared with the unclipped ring."""
    report = labelkit.save(_segment_box_dataset((90.0, 90.0, 10.0, 10.0)), tmp_path / "o", "yolo", task="segment")
    assert report.lost == []
    assert [str(c) for c in report.transformed] == ["1 objects: coordinates outside the image were clipped to [0, 1]"]
    back = labelkit.load(tmp_path / "o")
    assert [o.bbox for o in back.objects()] == [(90.0, 90.0, 10.0, 10.0)]
    # a box that the clipped ring does not give back is still lost
    with pytest.raises(DataLossError) as err:
        labelkit.save(_segment_box_dataset((80.0, 80.0, 20.0, 20.0)), tmp_path / "o2", "yolo", task="segment")
    assert [(c.what, c.count) for c in err.value.report.lost] == [("boxes unlike their polygon's bounds", 1)]


def _negative_box_dataset(size: int, *objects: Object) -> Dataset:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=size, height=size), split="train"))
    for obj in objects:
        ds.add(obj)
    return ds


def test_obb_loses_a_negative_box_it_would_write_in_place_of_a_non_quad_polygon(tmp_path: Path) -> None:
    """OBB writes a triangle's object from its box: a negative box was written (reading back as [22.5, 32.5,
    10, 5] at 90 degrees) and only the polygon reported lost. A 4-point polygon is written instead of the box."""
    triangle = Object(
        id="1",
        item_id="i",
        category_id=0,
        shape="polygon",
        bbox=(30.0, 30.0, -5.0, 10.0),
        polygon=[[30, 30, 40, 30, 35, 40]],
    )
    quad = Object(
        id="2",
        item_id="i",
        category_id=0,
        shape="polygon",
        bbox=(30.0, 30.0, -5.0, 10.0),
        polygon=[[30, 30, 40, 30, 40, 40, 30, 40]],
    )
    ds = _negative_box_dataset(100, triangle, quad)
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="obb", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("boxes of negative width or height", 1)]
    assert report.written["object annotations"] == 1
    assert (tmp_path / "o/labels/train/i.txt").read_text() == "0 0.3 0.3 0.4 0.3 0.4 0.4 0.3 0.4\n"


def test_segment_writes_the_traced_mask_of_an_object_with_a_negative_box(tmp_path: Path) -> None:
    """A mask object with a negative box was not written at all: only a drawable polygon counted as what
    segment writes instead of the box, not a traced mask."""
    mask = Rle(size=(4, 4), counts=[0, 2, 2, 2, 10])
    obj = Object(id="1", item_id="i", category_id=0, shape="mask", bbox=(2.0, 0.0, -2.0, 2.0), mask=mask)
    report = labelkit.save(_negative_box_dataset(4, obj), tmp_path / "o", "yolo", task="segment", allow_loss=True)
    assert report.written["object annotations"] == 1
    assert [(c.what, c.count) for c in report.lost] == [("boxes unlike their polygon's bounds", 1)]
    assert [(c.what, c.count) for c in report.transformed] == [("masks", 1)]
    assert (tmp_path / "o/labels/train/i.txt").read_text() == "0 0.0 0.0 0.5 0.0 0.5 0.5 0.0 0.5\n"


def _dota_folder(root: Path) -> Path:
    """A Roboflow "YOLO OBB" export (DOTA labelTxt): one object flagged difficult, one not."""
    (root / "train/images").mkdir(parents=True)
    (root / "train/labelTxt").mkdir(parents=True)
    Image.new("RGB", (10, 5)).save(root / "train/images/x.jpg")
    (root / "data.yaml").write_text("train: ../train/images\nval: ../valid/images\nnc: 2\nnames: [a, b]\n")
    (root / "train/labelTxt/x.txt").write_text("0 0 0 2 2 2 2 0 a 1\n1 1 4 1 4 3 1 3 b 0\n")
    return root


def test_dota_difficult_flags_are_lost_writing_yolo_not_noted(tmp_path: Path) -> None:
    """YOLO read DOTA difficult flags as `dota:difficult`, then writing YOLO (Ultralytics OBB lines, no flag)
    dropped them with only a note, exit 0: data the YOLO reader itself read. A flag of 1 is lost now; a flag
    of 0, DOTA's default, is noted, as by every other target (YOLO alone reported it lost, so a DOTA set with
    no difficult object was refused)."""
    src = _dota_folder(tmp_path / "dota")
    run = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "o"), "--to", "yolo"])
    assert run.exit_code == 2
    assert run.output.splitlines()[0] == (
        "labelkit: lost: 1 object annotations' difficult flags (dota:difficult): YOLO obb has no difficult flag"
    )
    assert not (tmp_path / "o").exists()
    report = labelkit.convert(src, tmp_path / "o", to="yolo", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [("object annotations' difficult flags (dota:difficult)", 1)]
    assert "1 object annotations carry 'dota:difficult', which YOLO obb does not keep" in report.notes
    assert [o.extras.get("dota:difficult") for o in labelkit.load(tmp_path / "o").objects()] == [None, None]
    (src / "train/labelTxt/x.txt").write_text("0 0 0 2 2 2 2 0 a 0\n")  # no difficult object: written, noted
    report = labelkit.convert(src, tmp_path / "o2", to="yolo")
    assert report.lost == []
    assert "1 object annotations carry 'dota:difficult', which YOLO obb does not keep" in report.notes
    # another format's keys are still noted, not lost
    ds = _one_box()
    ds.add(Object(id="2", item_id="a", category_id=0, bbox=(1.0, 1.0, 2.0, 2.0), extras={"coco:area": 4.0}))
    plan = labelkit.plan(ds, "yolo")
    assert plan.lost == [] and plan.notes == [
        "1 object annotations carry 'coco:area', which YOLO detect does not keep",
        "no val split: data.yaml's val points at images/train (Ultralytics requires val)",
    ]


_DOTA_LINES = {
    "coco": (
        ["lost: 1 object annotations' difficult flags (dota:difficult): COCO has no difficult flag"],
        ["note: 1 object annotations carry 'dota:difficult', which COCO does not keep"],
    ),
    "labelkit": ([], []),
    "parquet": ([], []),
    "voc": (
        [
            "transformed: 2 DOTA difficult flags: written as Pascal VOC's <difficult> (read back as voc:difficult; "
            "a flag of 0 as no flag, Pascal VOC's default)"
        ],
        [],
    ),
    "yolo": (  # (a flag of 0 was reported lost here, only noted by every other target: a DOTA set refused)
        ["lost: 1 object annotations' difficult flags (dota:difficult): YOLO obb has no difficult flag"],
        ["note: 1 object annotations carry 'dota:difficult', which YOLO obb does not keep"],
    ),
}
"""Per target: the report's lines about the DOTA fixture's difficult flags (one 1, one 0): its lost and
transformed lines, and its notes naming the flag."""


@pytest.mark.parametrize("target", sorted(_DOTA_LINES))
def test_dota_difficult_flags_are_reported_by_every_target(tmp_path: Path, target: str) -> None:
    """Writing COCO (or any target that neither keeps nor adopts `dota:difficult`) only noted the DOTA
    difficult flags, exit 0, though a flag of 1 is annotation content: it is lost now, refused without
    --allow-loss; a flag of 0 (DOTA's default) is still only noted. labelkit JSON and Parquet keep it."""
    src = _dota_folder(tmp_path / "dota")
    out = tmp_path / "o"
    changes, notes = _DOTA_LINES[target]
    lost = [line for line in changes if line.startswith("lost: ")]
    run = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", target])
    if lost:
        assert run.exit_code == 2
        assert run.output.splitlines()[: len(lost)] == [f"labelkit: {line}" for line in lost]
        assert not out.exists()
        with pytest.raises(DataLossError):
            labelkit.convert(src, out, to=target)
        run = CliRunner().invoke(cli, ["convert", str(src), str(out), "--to", target, "--allow-loss"])
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    assert [line for line in lines if line.startswith(("lost: ", "transformed: ")) and "difficult" in line] == changes
    assert [line for line in lines if line.startswith("note: ") and "dota:" in line] == notes
    if target in ("labelkit", "parquet"):
        back = labelkit.load(out, format=target)
        assert [o.extras.get("dota:difficult") for o in back.objects()] == [1, 0]


@pytest.mark.parametrize(
    ("kpt_names", "expected", "unused"),
    [
        ("{0: [x1, x2], 1: [y1]}", [["x1", "x2"], ["0", "1"]], "class 1: 1 names, not kpt_shape's 2"),
        ("[[x1, x2], 5]", [["x1", "x2"], ["0", "1"]], "class 1: not a list of names"),
        ("{0: [x1, null]}", [["0", "1"], ["0", "1"]], "class 0: a null name"),
        ("{0: [x1, [x2]]}", [["0", "1"], ["0", "1"]], "class 0: a name that is not a text"),
        ("{0: [x1, x2], 7: [z1, z2]}", [["x1", "x2"], ["0", "1"]], "key 7: no such class"),
        ("[a]", [["0", "1"], ["0", "1"]], "1 names, not kpt_shape's 2"),
    ],
)
def test_kpt_names_not_used_are_noted_when_read(
    tmp_path: Path, kpt_names: str, expected: list[list[str]], unused: str
) -> None:
    """kpt_names entries that could not be used were dropped unsaid ({1: [y1]}), a list with an entry that is
    not a list ([[x1, x2], 5]) gave made-up names for every class, and a null name was read as 'None'."""
    root = _cat_and_dog_pose(tmp_path / "p", kpt_names)
    ds = labelkit.load(root, "yolo")
    assert [c.keypoints for c in ds.categories] == expected
    note = f"data.yaml's kpt_names entries not used (those classes' keypoints are named 0, 1, ...): {unused}"
    assert ds.read_notes == [note]
    run = CliRunner().invoke(cli, ["info", str(root)])
    assert run.exit_code == 0 and note in run.output


def _labelimg_folder(root: Path) -> Path:
    """A folder as LabelImg saves YOLO: each image's label file beside it, classes.txt, a sub-folder."""
    (root / "sub").mkdir(parents=True)
    for name, size in (("a.jpg", (20, 10)), ("b.png", (40, 20)), ("sub/c.jpg", (10, 10))):
        Image.new("RGB", size).save(root / name)
    (root / "a.txt").write_text("1 0.5 0.5 0.5 0.5\n0 0.25 0.5 0.1 0.2\n")  # b.png has none: no objects
    (root / "sub/c.txt").write_text("0 0.5 0.5 1 1\n")
    (root / "classes.txt").write_text("cat\ndog\n")
    (root / "sub/classes.txt").write_text("cat\ndog\n")  # (LabelImg writes one in each folder it saves in)
    return root


def test_a_labelimg_folder_is_detected_and_read_as_one_unsplit_dataset(tmp_path: Path) -> None:
    """Images with their label files beside them and classes.txt: no format recognised the folder."""
    root = _labelimg_folder(tmp_path / "in")
    found = labelkit.detect(root)
    assert (found.format, found.confidence) == ("yolo", 0.7)
    ds = labelkit.load(root)
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.id, i.media.path, i.media.width, i.media.height, i.split) for i in ds.items()] == [
        ("a", "a.jpg", 20, 10, None),
        ("b", "b.png", 40, 20, None),
        ("sub/c", "sub/c.jpg", 10, 10, None),
    ]
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [
        ("a", 1, (5.0, 2.5, 10.0, 5.0)),
        ("a", 0, (4.0, 4.0, 2.0, 2.0)),
        ("sub/c", 0, (0.0, 0.0, 10.0, 10.0)),
    ]
    assert canonical(labelkit.load(root / "classes.txt", "yolo")) == canonical(ds)  # the names file names it too
    # written back in the Ultralytics layout (the items, of no split, in train), which reads back the same
    result = CliRunner().invoke(cli, ["convert", str(root), str(tmp_path / "out"), "--to", "yolo"])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")) == [
        "data.yaml",
        "image_sizes.json",
        "labels/train/a.txt",
        "labels/train/b.txt",
        "labels/train/sub/c.txt",
    ]
    back = labelkit.load(tmp_path / "out")
    assert [(o.item_id, o.category_id, o.bbox) for o in back.objects()] == [
        (o.item_id, o.category_id, o.bbox) for o in ds.objects()
    ]


def test_a_flat_folders_hidden_files_and_folders_are_passed_over(tmp_path: Path) -> None:
    """Jupyter keeps copies of the files edited in a folder in .ipynb_checkpoints/: each was a label file
    without its image, an error (Ultralytics' glob passes over hidden files and folders too)."""
    root = _labelimg_folder(tmp_path / "in")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints/a-checkpoint.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    Image.new("RGB", (4, 4)).save(root / "sub/.hidden.jpg")
    (root / "sub/.hidden.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    assert [i.id for i in labelkit.load(root).items()] == ["a", "b", "sub/c"]


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_labels_of_hidden_images_written_without_them_read_back(tmp_path: Path, layout: str) -> None:
    """With media=none, image_sizes.json listed .b.jpg and .cache/c.jpg, but their label files, hidden, were passed
    over on reading: two items and their objects gone, with nothing reported lost and no read note."""
    doc = {
        "images": [{"id": i, "file_name": name, "width": 100, "height": 100} for i, name in enumerate(_HIDDEN, 1)],
        "annotations": [{"id": i, "image_id": i, "category_id": 1, "bbox": [10, 20, 30, 40]} for i in (1, 2, 3)],
        "categories": [{"id": 1, "name": "cat"}],
    }
    src = tmp_path / "instances_train.json"
    src.write_text(json.dumps(doc))
    report = labelkit.convert(src, tmp_path / "out", "yolo", layout=layout)
    assert report.lost == []
    back = labelkit.load(tmp_path / "out")
    folder = "images/train/" if layout == "ultralytics" else "obj_train_data/"
    assert sorted(i.media.path for i in back.items()) == sorted(folder + name for name in _HIDDEN)
    assert [o.bbox for o in back.objects()] == [(10.0, 20.0, 30.0, 40.0)] * 3
    assert back.read_notes == []


_HIDDEN = ("a.jpg", ".b.jpg", ".cache/c.jpg")


def test_a_label_file_without_its_image_in_a_flat_folder_needs_its_size(tmp_path: Path) -> None:
    """As in the other layouts: an error naming the file, unless a size is given."""
    root = _labelimg_folder(tmp_path / "in")
    (root / "sub/gone.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    with pytest.raises(InputError, match="image not found") as err:
        labelkit.load(root)
    assert err.value.location.path == str(root / "sub/gone.txt")
    ds = labelkit.load(root, image_size="8x4")
    assert [(i.id, i.media.path, i.media.width) for i in ds.items()][-1] == ("sub/gone", None, 8)
    (root / "image_sizes.json").write_text('{"sub/gone.jpg": [16, 8]}')
    ds = labelkit.load(root)
    assert [(i.id, i.media.path, i.media.width) for i in ds.items()][-1] == ("sub/gone", "sub/gone.jpg", 16)
    assert [o.bbox for o in ds.objects() if o.item_id == "sub/gone"] == [(4.0, 2.0, 8.0, 4.0)]


def test_a_flat_folders_class_lists_must_agree(tmp_path: Path) -> None:
    """LabelImg writes classes.txt in each folder it saves in: another order there makes ids other classes."""
    root = _labelimg_folder(tmp_path / "in")
    (root / "sub/classes.txt").write_text("cat\ndog\nbird\n")  # a class added in a later session: ids agree
    assert [c.name for c in labelkit.load(root).categories] == ["cat", "dog", "bird"]
    (root / "classes.txt").unlink()  # without one in the root, the first by path is the names file
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["cat", "dog", "bird"]
    (root / "classes.txt").write_text("dog\ncat\n")
    with pytest.raises(InputError, match=r"class names differ from classes.txt's") as err:
        labelkit.load(root)
    assert err.value.location.path == str(root / "sub/classes.txt")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"a.jpg": None, "a.txt": "0 0.5 0.5 0.1 0.1\n"}, 0.5),  # YOLO lines, no names file
        ({"a.jpg": None, "a.txt": "", "obj.names": "cat\n"}, 0.7),  # a names file, no object yet
        ({"a.jpg": None, "a.txt": ""}, None),  # nothing says YOLO
        ({"a.jpg": None, "a.xml": "<annotation></annotation>"}, None),  # LabelImg's VOC
        ({"a.txt": "0 0.5 0.5 0.1 0.1\n", "classes.txt": "cat\n"}, 0.6),  # no image: labels kept apart
        ({"a.txt": "0 0.5 0.5 0.1 0.1\n"}, None),  # no image, no names file: a text folder
        ({"a.txt": "STOP SIGN\n", "classes.txt": "cat\n"}, None),  # no image, and text
        ({"a.jpg": None, "a.txt": "STOP SIGN\n", "classes.txt": "cat\n"}, None),  # an OCR set's transcription
        ({"a.jpg": None, "a.txt": "0 0.5 0.5 0.1 0.1\n", "images/b.jpg": None}, None),  # another layout's
        ({"train/a.jpg": None, "train/a.txt": "0 0.5 0.5 0.1 0.1\n", "val/b.jpg": None}, 0.5),  # split folders
        ({"day1/a.jpg": None, "day1/a.txt": "", "day1/classes.txt": "cat\n"}, 0.7),  # a sub-folder's names
        ({"day1/a.jpg": None, "day1/a.txt": "STOP\n", "day1/classes.txt": "cat\n"}, None),
        # a names file and a bad label file beside good ones: YOLO, whose reading names the bad line
        (
            {
                "a.jpg": None,
                "a.txt": "0 0.5 0.5\n",
                "b.jpg": None,
                "b.txt": "0 0.5 0.5 0.1 0.1\n",
                "classes.txt": "c\n",
            },
            0.7,
        ),
        ({"a.jpg": None, "a.txt": "0 0.5 0.5\n", "b.jpg": None, "b.txt": "0 0.5 0.5 0.1 0.1\n"}, None),  # no names
        ({"a.txt": "0 0.5\n", "b.txt": "0 0.5 0.5 0.1 0.1\n", "classes.txt": "c\n"}, 0.6),  # without images
        ({"a.txt": "0 0.5\n", "b.txt": "", "classes.txt": "c\n"}, None),  # without images, no good file
        # one file holding a YOLO line and a bad one: with a names file, reading names the bad line
        ({"b.jpg": None, "b.txt": "0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n", "classes.txt": "c\n"}, 0.7),
        ({"b.jpg": None, "b.txt": "0 0.5 0.5 0.2 0.2\nhello\n"}, None),  # (no names file: text beside images)
        ({"b.txt": "0 0.5 0.5 0.2\n0 0.5 0.5 0.2 0.2\n", "classes.txt": "c\n"}, 0.6),  # without images
    ],
    ids=[
        "yolo-lines",
        "names-file",
        "empty",
        "voc",
        "no-images",
        "no-images-no-names",
        "no-images-text",
        "ocr",
        "images-folder",
        "split-folders",
        "sub-folder-names",
        "sub-folder-ocr",
        "names-and-a-bad-file",
        "no-names-and-a-bad-file",
        "no-images-names-and-a-bad-file",
        "no-images-names-and-no-good-file",
        "names-and-a-mixed-file",
        "no-names-and-a-mixed-file",
        "no-images-names-and-a-mixed-file",
    ],
)
def test_a_flat_folder_is_detected_only_with_yolo_labels_beside_images(
    tmp_path: Path, files: dict[str, str | None], expected: float | None
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        if text is None:
            Image.new("RGB", (4, 4)).save(tmp_path / name)
        else:
            (tmp_path / name).write_text(text)
    found = yolo.detect(tmp_path)
    assert (found.confidence if found is not None else None) == expected


def test_a_bad_line_of_a_flat_folder_is_named_though_its_file_holds_good_lines(tmp_path: Path) -> None:
    """README: with a names file, reading names a bad line of a flat folder's label file; a file holding a good line
    and a bad one (the only one, or each of the first 8) left the folder undetected: "no format recognises"."""
    Image.new("RGB", (50, 50)).save(tmp_path / "b.jpg")
    (tmp_path / "b.txt").write_text("0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2\n")
    (tmp_path / "classes.txt").write_text("cat\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'b.txt'}:2: wrong number of fields for YOLO segment")


def test_a_flat_folder_of_label_files_without_their_images_is_read_with_their_sizes(tmp_path: Path) -> None:
    """LabelImg's label files and classes.txt, kept apart from the images: "no images or label files found"."""
    (tmp_path / "sub").mkdir()
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "b.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (tmp_path / "sub/c.txt").write_text("")
    (tmp_path / ".ipynb_checkpoints/a-checkpoint.txt").write_text("not read\n")
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    assert labelkit.detect(tmp_path).format == "yolo"
    with pytest.raises(InputError) as err:  # (their sizes are needed)
        labelkit.load(tmp_path)
    assert str(err.value) == (
        f"{tmp_path / 'a.txt'}: image not found; YOLO coordinates are normalised, so its size is needed; hint: "
        "provide the images, or -o image_size=WIDTHxHEIGHT, or -o image_sizes=FILE.json"
    )
    (tmp_path / "image_sizes.json").write_text('{"a.png": [200, 100]}')
    ds = labelkit.load(tmp_path, image_size="10x20")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.id, i.split, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [
        ("a", None, "a.png", 200, 100),
        ("b", None, None, 10, 20),
        ("sub/c", None, None, 10, 20),
    ]
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [
        ("a", 0, (80.0, 40.0, 40.0, 20.0)),
        ("b", 1, (4.0, 8.0, 2.0, 4.0)),
    ]


def test_detecting_a_plain_folder_lists_each_folder_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Looking for label files without their images looked for flat folders again: every sub-folder's files were
    listed twice (a Roboflow COCO export's train/ of 118,000 images took 9 seconds more to detect)."""
    from labelkit.formats import yolo_folders

    (tmp_path / "train").mkdir()
    Image.new("RGB", (4, 4)).save(tmp_path / "train/a.jpg")
    (tmp_path / "train/_annotations.coco.json").write_text("{}")
    listed: list[str] = []
    flat_images = yolo_folders.flat_images
    monkeypatch.setattr(yolo_folders, "flat_images", lambda p: listed.append(p.name) or flat_images(p))
    assert yolo.detect(tmp_path) is None
    assert sorted(listed) == sorted([tmp_path.name, "train"])


def test_flat_split_folders_are_splits_and_other_sub_folders_one_dataset(tmp_path: Path) -> None:
    """Roboflow's YOLO Darknet export: train/ and valid/, each images, labels and _darknet.labels side by side."""
    root = tmp_path / "in"
    for split in ("train", "valid", "test"):
        (root / split).mkdir(parents=True)
        Image.new("RGB", (20, 10)).save(root / split / "a.jpg")
        if split != "test":  # (an unlabelled test split: its images have no objects)
            (root / split / "a.txt").write_text(f"{int(split == 'valid')} 0.5 0.5 0.5 0.5\n")
            (root / split / "_darknet.labels").write_text("cat\ndog\n")
    (root / "README.roboflow.txt").write_text("Exported via Roboflow\n")  # (beside the splits: not a label file)
    found = labelkit.detect(root)
    assert (found.format, found.confidence) == ("yolo", 0.7)
    ds = labelkit.load(root)
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == [
        ("test/a", "test/a.jpg", "test"),
        ("train/a", "train/a.jpg", "train"),
        ("valid/a", "valid/a.jpg", "valid"),
    ]
    assert [(o.item_id, o.category_id) for o in ds.objects()] == [("train/a", 0), ("valid/a", 1)]
    for split in ("train", "valid", "test"):  # sub-folders not named as splits: one unsplit dataset
        (root / split).rename(root / f"day_{split}")
    with pytest.raises(InputError, match="class id must be") as err:  # whose text files are all label files
        labelkit.load(root)
    assert (err.value.location.path, err.value.location.line) == (str(root / "README.roboflow.txt"), 1)
    (root / "README.roboflow.txt").unlink()
    ds = labelkit.load(root)
    assert [(i.id, i.split) for i in ds.items()] == [("day_test/a", None), ("day_train/a", None), ("day_valid/a", None)]
    assert [(o.item_id, o.category_id) for o in ds.objects()] == [("day_train/a", 0), ("day_valid/a", 1)]


@pytest.mark.parametrize("splits", [True, False], ids=["split-folders", "day-folders"])
def test_a_flat_folder_whose_images_lie_only_in_deeper_folders_is_read_whole(tmp_path: Path, splits: bool) -> None:
    """valid/day1/b.jpg (a split holding its images in folders of its own only) was left out whole, unsaid, and
    a root whose images all lie two folders down (day1/cam1/b.jpg) was no dataset ("no images or label files
    found"): the reader reads every image below a flat folder, but only folders holding one were looked for."""
    root = tmp_path / "in"
    files = ["train/a.jpg", "valid/day1/b.jpg"] if splits else ["day1/cam1/b.jpg", "day2/cam1/c.jpg"]
    for n, rel in enumerate(files):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(root / rel)
        (root / rel).with_suffix(".txt").write_text(f"{n} 0.5 0.5 0.5 0.5\n")
    (root / "classes.txt").write_text("cat\ndog\n")
    assert labelkit.detect(root).format == "yolo"
    ds = labelkit.load(root)
    expected = (
        [("a", "train/a.jpg", "train"), ("day1/b", "valid/day1/b.jpg", "valid")]
        if splits
        else [("day1/cam1/b", "day1/cam1/b.jpg", None), ("day2/cam1/c", "day2/cam1/c.jpg", None)]
    )
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == expected
    assert [o.category_id for o in ds.objects()] == [0, 1]


def test_a_flat_folders_sub_folder_holding_a_dataset_config_of_its_own_is_not_read_with_it(tmp_path: Path) -> None:
    """day2/ds/obj.data (a Darknet dataset of its own, naming dog) below a flat folder naming cat: its images were
    read as cats, and its train.txt list as a label file, unsaid. A camera's calib.yaml, no data config, makes
    no dataset: its folder's images are read (a split holding one was dropped whole). Beside split folders, day2,
    holding only that dataset, was passed over unsaid: it is named too."""
    root = tmp_path / "in"
    box = "0 0.5 0.5 0.5 0.5\n"
    _labelled(
        root,
        {
            **{rel: "" for rel in ("day1/cam1/a.jpg", "day2/ds/obj/b.jpg", "day3/cam1/c.jpg")},
            **{rel: box for rel in ("day1/cam1/a.txt", "day2/ds/obj/b.txt", "day3/cam1/c.txt")},
            "classes.txt": "cat\n",
            "day3/calib.yaml": "fx: 1.0\nfy: 1.0\n",
            "day2/ds/obj.data": "classes = 1\ntrain = train.txt\nnames = obj.names\n",
            "day2/ds/obj.names": "dog\n",
            "day2/ds/train.txt": "obj/b.jpg\n",
        },
    )
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("day1/cam1/a", None), ("day3/cam1/c", None)]
    assert ds.read_notes == [
        "day2/ds holds a dataset of its own (obj.data), not read with this one: convert day2/ds on its own"
    ]
    (root / "day1").rename(root / "train")  # (split folders: the valid split holding calib.yaml is read)
    (root / "day3").rename(root / "valid")
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("cam1/a", "train"), ("cam1/c", "valid")]
    assert ds.read_notes == [  # (day2 holds no image of the flat layout: not a split)
        "day2/ds holds a dataset of its own (obj.data), not read with this one: convert day2/ds on its own"
    ]
    assert ds.stats().items_by_split == {"train": 1, "valid": 1}
    assert [(i.id, i.split) for i in labelkit.load(root / "day2/ds", "yolo").items()] == [("obj/b", "train")]


def _labelled(root: Path, files: dict[str, str]) -> None:
    """Images (20x10) at the keys' paths below ``root``, and the text files named with ``.txt`` (or other) values."""
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".jpg"):
            Image.new("RGB", (20, 10)).save(root / rel)
        else:
            (root / rel).write_text(text)


@pytest.mark.parametrize("layout", ["loose-inside", "loose-beside", "ultralytics"])
def test_a_dataset_of_its_own_beside_or_inside_the_one_read_is_named_and_not_read_with_it(
    tmp_path: Path, layout: str
) -> None:
    """A CVAT dataset kept in images/old (its obj.data, its labels beside its images) was read with a Label
    Studio export's images/: its labelled image as one without objects, unsaid. Beside images/ and labels/, a
    v2/ with its own data.yaml and a more/images of labelled images were passed over unsaid; beside a data.yaml,
    old/ with its own was named as an image folder to add to data.yaml, which read its dogs as cats."""
    ours = {"images/train/a.jpg": "", "labels/train/a.txt": "0 0.5 0.5 0.5 0.5\n"}
    if layout == "loose-inside":
        nested = "images/train/old"
        _labelled(tmp_path, {**ours, "classes.txt": "cat\ndog\n"})
    elif layout == "loose-beside":
        nested = "v2"
        _labelled(tmp_path, {**ours, "obj.names": "cat\ndog\n", "more/images/m.jpg": "", "more/labels/m.txt": ""})
    else:
        nested = "old"
        _labelled(tmp_path, {**ours, "data.yaml": "names: [cat]\ntrain: images/train\nval: images/train\n"})
    _labelled(
        tmp_path / nested,
        {
            "images/train/z.jpg": "",
            "labels/train/z.txt": "0 0.5 0.5 0.5 0.5\n",
            "data.yaml": "names: [dog]\ntrain: images/train\nval: images/train\n",
        },
    )
    if hasattr(os, "mkfifo"):  # (a sub-folder looked into for a config of its own: its odd obj.data is none)
        (tmp_path / "x").mkdir()
        os.mkfifo(tmp_path / "x/obj.data")
    ds = labelkit.load(tmp_path, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("a", "train")]
    assert ds.read_notes == [
        f"{nested} holds a dataset of its own (data.yaml), not read with this one: convert {nested} on its own",
        *(
            ["more/images holds labelled images outside the folders read: not read (convert it on its own)"]
            * (layout == "loose-beside")
        ),
    ]
    (tmp_path / nested / "data.yaml").unlink()  # (no config: an image folder of this dataset, as before)
    if layout == "ultralytics":
        assert labelkit.load(tmp_path, "yolo").read_notes == [
            "old/images holds labelled images data.yaml names no split of: not read, as Ultralytics reads the "
            "splits data.yaml names (name one to read it: test: old/images)"
        ]
    elif layout == "loose-inside":
        ds = labelkit.load(tmp_path, "yolo")
        assert [i.id for i in ds.items()] == ["a", "old/images/train/z"]
        assert ds.read_notes == []


def test_a_loose_folder_whose_label_files_lie_below_its_split_folders_is_detected(tmp_path: Path) -> None:
    """labels/train/cam1/a.txt: label files were looked for two levels down only, and the folder was no format
    ("no format recognises this input"), though read as YOLO when named."""
    (tmp_path / "images/train/cam1").mkdir(parents=True)
    (tmp_path / "labels/train/cam1").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images/train/cam1/a.jpg")
    (tmp_path / "labels/train/cam1/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (tmp_path / "obj.names").write_text("car\n")
    assert labelkit.detect(tmp_path).format == "yolo"
    assert [(i.id, i.split) for i in labelkit.load(tmp_path).items()] == [("cam1/a", "train")]


@pytest.mark.parametrize("roboflow", [False, True], ids=["images-split", "split-images"])
def test_an_image_folder_data_yaml_names_no_split_of_is_named_in_a_read_note(tmp_path: Path, roboflow: bool) -> None:
    """images/test (or Roboflow's test/images) beside the splits data.yaml names, its test: empty or absent,
    was left out with its labelled images, unsaid (Ultralytics reads only the splits data.yaml names)."""
    for split in ("train", "val", "test"):
        images, labels = (f"{split}/images", f"{split}/labels") if roboflow else (f"images/{split}", f"labels/{split}")
        (tmp_path / images).mkdir(parents=True)
        (tmp_path / labels).mkdir(parents=True)
        Image.new("RGB", (20, 10)).save(tmp_path / images / "a.jpg")
        (tmp_path / labels / "a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    named = ("train/images", "val/images") if roboflow else ("images/train", "images/val")
    (tmp_path / "data.yaml").write_text(f"train: {named[0]}\nval: {named[1]}\ntest:\nnames: [a]\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert ds.splits() == ["train", "val"]
    unnamed = "test/images" if roboflow else "images/test"
    assert ds.read_notes == [
        f"{unnamed} holds labelled images data.yaml names no split of: not read, as Ultralytics reads the splits "
        f"data.yaml names (name one to read it: test: {unnamed})"
    ]
    (tmp_path / "data.yaml").write_text(f"train: {named[0]}\nval: {named[1]}\ntest: {unnamed}\nnames: [a]\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert (ds.splits(), ds.read_notes) == (["test", "train", "val"], [])
    (tmp_path / "link").symlink_to(unnamed)  # (a split named through a link reads the folder it leads to)
    (tmp_path / "data.yaml").write_text(f"train: {named[0]}\nval: {named[1]}\ntest: link\nnames: [a]\n")
    assert labelkit.load(tmp_path, "yolo").read_notes == []


def test_an_unnamed_image_folder_is_looked_into_deeper_and_named_only_with_labelled_images(tmp_path: Path) -> None:
    """images/test/cam1/c.jpg (its label in labels/test/cam1) beside a data.yaml naming no test split was left
    out unsaid (only images directly in images/test were looked for); docs/images, figures without labels, was
    named in a note as if labels were left out."""
    for rel in ("images/train/a.jpg", "images/test/cam1/c.jpg", "docs/images/fig.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(tmp_path / rel)
    for rel in ("labels/train/a.txt", "labels/test/cam1/c.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("0 0.5 0.5 0.5 0.5\n")
    (tmp_path / "data.yaml").write_text("train: images/train\nnames: [a]\n")
    assert labelkit.load(tmp_path, "yolo").read_notes == [
        "images/test holds labelled images data.yaml names no split of: not read, as Ultralytics reads the splits "
        "data.yaml names (name one to read it: test: images/test)"
    ]
    (tmp_path / "labels/test/cam1/c.txt").unlink()
    assert labelkit.load(tmp_path, "yolo").read_notes == []


def test_labelled_images_directly_in_images_beside_named_split_folders_are_noted(tmp_path: Path) -> None:
    """images/c.jpg (its label labels/c.txt) beside the images/train and images/val a data.yaml names is in no
    split, and Ultralytics reads none of it: it was left out unsaid. A list naming it reads it (no note), and an
    unlabelled image there (a README's figure) leaves no labels out."""
    for rel in ("images/train/a.jpg", "images/val/b.jpg", "images/c.jpg", "images/d.jpg"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(tmp_path / rel)
    for rel in ("labels/train/a.txt", "labels/val/b.txt", "labels/c.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("0 0.5 0.5 0.5 0.5\n")
    (tmp_path / "data.yaml").write_text("train: images/train\nval: images/val\nnames: [a]\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [i.id for i in ds.items()] == ["a", "b"]
    assert ds.read_notes == [
        "images holds labelled images of its own beside the split folders data.yaml names ('c.jpg' first): not "
        "read, as Ultralytics reads only the folders data.yaml names"
    ]
    (tmp_path / "test.txt").write_text("images/c.jpg\n")
    (tmp_path / "data.yaml").write_text("train: images/train\nval: images/val\ntest: test.txt\nnames: [a]\n")
    assert labelkit.load(tmp_path, "yolo").read_notes == []
    (tmp_path / "data.yaml").write_text("train: images/train\nval: images/val\nnames: [a]\n")
    (tmp_path / "labels/c.txt").unlink()
    assert labelkit.load(tmp_path, "yolo").read_notes == []


def test_a_darknet_image_folder_no_list_names_is_named_in_a_read_note(tmp_path: Path) -> None:
    """obj_valid_data/ (images and labels) beside an obj.data naming train only was left out unsaid."""
    for split in ("train", "valid"):
        (tmp_path / f"obj_{split}_data").mkdir()
        Image.new("RGB", (20, 10)).save(tmp_path / f"obj_{split}_data/a.jpg")
        (tmp_path / f"obj_{split}_data/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = train.txt\nnames = obj.names\n")
    (tmp_path / "obj.names").write_text("a\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert ds.splits() == ["train"]
    assert ds.read_notes == [
        "obj_valid_data holds labelled images no list of obj.data names: not read, as Darknet reads the images its "
        "lists name"
    ]
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = train.txt\nvalid = valid.txt\nnames = obj.names\n")
    (tmp_path / "valid.txt").write_text("obj_valid_data/a.jpg\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert (ds.splits(), ds.read_notes) == (["train", "valid"], [])


def _names_file_layout(root: Path, layout: str) -> Path:
    """A dataset of one image (``a.jpg``, 20x10, one dog) in ``layout``; returns its names file."""
    loose = layout.startswith("loose")
    folder = {"flat": root, "roboflow": root, "darknet": root / "obj"}.get(layout, root / "images")
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 10)).save(folder / "a.jpg")
    labels = root / "labels" if loose else folder
    labels.mkdir(exist_ok=True)
    (labels / "a.txt").write_text("1 0.5 0.5 0.5 0.5\n")
    if layout == "darknet":
        (root / "obj.data").write_text("classes = 2\ntrain = train.txt\nnames = obj.names\n")
        (root / "train.txt").write_text("obj/a.jpg\n")
    names = {"flat": "classes.txt", "roboflow": "_darknet.labels", "darknet": "obj.names"}.get(layout, "classes.txt")
    names_file = labels / names if layout == "loose, in labels/" else root / names
    names_file.write_text("cat\ndog\n")
    return names_file


@pytest.mark.parametrize(
    ("layout", "confidence", "reason", "media"),
    [
        ("flat", 0.7, "flat folder (LabelImg): images with label files beside them, and classes.txt", "a.jpg"),
        ("roboflow", 0.7, "flat folder (LabelImg): images with label files beside them, and _darknet.labels", "a.jpg"),
        ("darknet", 0.85, "folder with obj.names and label files", "obj/a.jpg"),
        ("loose", 0.85, "folder with classes.txt and label files", "images/a.jpg"),
        # (LabelImg saving into labels/ puts its classes.txt there: it was read as a folder of labels alone)
        ("loose, in labels/", 0.85, "folder with labels/classes.txt and label files", "images/a.jpg"),
    ],
)
def test_a_names_file_is_detected_and_read_as_its_folder(
    tmp_path: Path, layout: str, confidence: float, reason: str, media: str
) -> None:
    """``labelkit info folder/classes.txt`` of a LabelImg folder said "no format recognises this input", though
    reading it as YOLO read the folder; each layout given by its names file is detected as its folder is."""
    names = _names_file_layout(tmp_path, layout)
    found = labelkit.detect(names)
    assert (found.format, found.confidence, found.reason) == (
        "yolo",
        confidence,
        f"names file of a YOLO folder: {reason}",
    )
    assert (labelkit.detect(tmp_path).confidence, labelkit.detect(tmp_path).reason) == (confidence, reason)
    ds = labelkit.load(names)
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    split = "train" if layout == "darknet" else None
    item = "obj/a" if layout == "darknet" else "a"
    assert [(i.id, i.media.path, i.media.width, i.split) for i in ds.items()] == [(item, media, 20, split)]
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [(item, 1, (5.0, 2.5, 10.0, 5.0))]
    assert canonical(ds) == canonical(labelkit.load(tmp_path))
    run = CliRunner().invoke(cli, ["info", str(names)])
    assert run.exit_code == 0, run.output
    assert run.output.splitlines()[0] == f"{names} (yolo)"


def test_a_names_file_given_is_the_names_and_one_of_no_yolo_folder_is_not_detected(tmp_path: Path) -> None:
    """The names file given names the classes (not another names file of its folder); a ``classes.txt`` in a
    folder that is no YOLO dataset says nothing, a lone ``*.names`` is Darknet's as before."""
    names = _names_file_layout(tmp_path / "flat", "flat")
    (names.parent / "mine.names").write_text("cat\nbird\n")  # (the folder's own names file is classes.txt)
    with pytest.raises(InputError, match="class names differ from mine.names's") as err:  # (both name class 1)
        labelkit.load(names.parent / "mine.names")
    assert err.value.location.path == str(names)
    names.unlink()
    ds = labelkit.load(names.parent / "mine.names")
    assert [c.name for c in ds.categories] == ["cat", "bird"]
    (tmp_path / "voc").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "voc/a.jpg")
    (tmp_path / "voc/a.xml").write_text("<annotation></annotation>")
    (tmp_path / "voc/classes.txt").write_text("cat\n")
    assert yolo.detect(tmp_path / "voc/classes.txt") is None
    (tmp_path / "voc/obj.names").write_text("cat\n")
    found = yolo.detect(tmp_path / "voc/obj.names")
    assert found is not None and (found.confidence, found.reason) == (0.8, "Darknet obj.names")


def _another_machines_list(root: Path, config: str, lines: list[str]) -> Path:
    """``root`` as a Darknet (``obj.data``) or Ultralytics (``data.yaml``) dataset whose ``train.txt`` holds
    ``lines``; returns its config."""
    (root / "train.txt").write_text("\n".join(lines) + "\n")
    if config == "obj.data":
        (root / "obj.data").write_text("classes = 2\ntrain = train.txt\nnames = obj.names\n")
        (root / "obj.names").write_text("cat\ndog\n")
    else:
        (root / "data.yaml").write_text("train: train.txt\nnames: [cat, dog]\n")
    return root / config


def _image_and_label(path: Path, size: tuple[int, int], label: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size).save(path)
    path.with_suffix(".txt").write_text(label)


@pytest.mark.parametrize("config", ["obj.data", "data.yaml"])
def test_list_lines_written_on_another_machine_are_read_as_the_files_inside_the_dataset_ending_so(
    tmp_path: Path, config: str
) -> None:
    """A list made on Colab (``/content/drive/MyDrive/data/obj/a.jpg``) or another machine was refused as an
    unsafe file name at its first line: each such line is the file inside the dataset that ends as it does (the
    longest ending found, from the list's folder then the root), and a read note counts them."""
    root = tmp_path / "ds"
    for name in ("obj/a", "data/obj/b", "obj/b", "obj/c", "obj/d", "obj/e", "obj/f"):
        _image_and_label(root / f"{name}.jpg", (20, 10), f"{int(name == 'obj/b')} 0.5 0.5 0.5 0.5\n")
    lines = [
        "/content/drive/MyDrive/data/obj/a.jpg",  # (Colab: obj/a.jpg)
        "/home/alice/darknet/data/obj/b.jpg",  # (data/obj/b.jpg, the longest ending: not obj/b.jpg)
        "C:\\Users\\bob\\darknet\\data\\obj\\c.jpg",  # (Windows)
        "../../other/obj/d.jpg",  # (climbing out of the dataset)
        f"{root}/obj/e.jpg",  # (absolute, inside the dataset: as before)
        "obj/f.jpg",  # (relative: as before)
        "/content/drive/MyDrive/data/obj/a.jpg",  # (listed twice: one item, and the 5th line of the note)
    ]
    ds = labelkit.load(_another_machines_list(root, config, lines), "yolo")
    expected = ["obj/a", "data/obj/b", "obj/c", "obj/d", "obj/e", "obj/f"]
    assert [(i.id, i.media.path, i.media.width, i.split) for i in ds.items()] == [
        (name, f"{name}.jpg", 20, "train") for name in expected
    ]
    assert [(o.item_id, o.category_id) for o in ds.objects()] == [(name, 0) for name in expected]
    assert ds.read_notes == [
        "1 list line names an image a line before named (train.txt:7): one item, listed once when written (a "
        "repeat weighs an image in training)",
        "5 list lines name files outside the dataset folder ('/content/drive/MyDrive/data/obj/a.jpg' at "
        "train.txt:1 first, read as obj/a.jpg): each is read as the file inside it whose path ends as the line's "
        "does (a list written on another machine?)",
        "1 image with a label file of its own lies beside the listed ones, but no list names it (obj/b.jpg): not "
        "read, as Darknet and Ultralytics train on the images their lists name",
    ]
    (root / "train.txt").write_text("/home/alice/darknet/data/obj/c.jpg\n")
    assert labelkit.load(root / config, "yolo").read_notes == [
        "1 list line names a file outside the dataset folder ('/home/alice/darknet/data/obj/c.jpg' at "
        "train.txt:1, read as obj/c.jpg): it is read as the file inside it whose path ends as the line's does "
        "(a list written on another machine?)",
        "5 images with label files of their own lie beside the listed ones, but no list names them (obj/a.jpg "
        "first): not read, as Darknet and Ultralytics train on the images their lists name",
    ]
    (root / "train.txt").write_text(f"{root}/obj/a.jpg\nobj/f.jpg\n")  # (none outside: no such note)
    assert [n for n in labelkit.load(root / config, "yolo").read_notes if "outside" in n] == []


_OPENED: list[str] = []
"""Paths opened while a test records them (an audit hook: every ``open``, ``os.open`` and ``os.scandir``)."""


_HOOKED: list[Any] = []


def _record_opens(event: str, args: tuple[Any, ...]) -> None:
    if _OPENED and event in ("open", "os.listdir", "os.scandir") and args and isinstance(args[0], (str, Path)):
        _OPENED.append(str(args[0]))


@pytest.mark.parametrize("config", ["obj.data", "data.yaml"])
def test_a_list_line_outside_the_dataset_never_opens_the_file_it_names(tmp_path: Path, config: str) -> None:
    """The file a line names outside the dataset is never read, though it exists: the file inside the dataset
    that ends so is, and without one the line is refused, naming the list and line, with a hint to fix it."""
    root, elsewhere = tmp_path / "ds", tmp_path / "elsewhere"
    _image_and_label(root / "obj/a.jpg", (20, 10), "1 0.5 0.5 0.5 0.5\n")
    _image_and_label(elsewhere / "data/obj/a.jpg", (40, 40), "0 0.1 0.1 0.1 0.1\n")  # (would match)
    _image_and_label(elsewhere / "data/obj/z.jpg", (40, 40), "0 0.1 0.1 0.1 0.1\n")  # (matches nothing inside)
    path = _another_machines_list(root, config, [f"{elsewhere}/data/obj/a.jpg"])
    if _record_opens not in _HOOKED:  # (a hook stays for the whole session: one, idle unless recording)
        sys.addaudithook(_record_opens)
        _HOOKED.append(_record_opens)
    _OPENED[:] = ["(recording)"]
    try:
        ds = labelkit.load(path, "yolo")
        (root / "train.txt").write_text(f"{elsewhere}/data/obj/a.jpg\n{elsewhere}/data/obj/z.jpg\n")
        with pytest.raises(InputError) as err:
            labelkit.load(path, "yolo")
        opened = _OPENED[1:]
    finally:
        _OPENED.clear()
    assert [p for p in opened if p.startswith(str(elsewhere))] == []
    assert any(p.startswith(str(root)) for p in opened)  # (the recording works)
    assert [(i.id, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [("obj/a", "obj/a.jpg", 20, 10)]
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [("obj/a", 1, (5.0, 2.5, 10.0, 5.0))]
    assert (err.value.location.path, err.value.location.line) == (str(root / "train.txt"), 2)
    assert str(err.value) == (
        f"{root / 'train.txt'}:2: unsafe file name '{elsewhere}/data/obj/z.jpg'; hint: the list's paths lie outside "
        "the dataset folder (written on another machine?), and no ending of this path (obj/z.jpg, z.jpg) names a "
        "file in it or in the folder of the list: rewrite the list with paths relative to the dataset folder "
        "(or the list's)" + (", or name the images folder in data.yaml" if config == "data.yaml" else "")
    )


def test_a_list_line_outside_the_dataset_that_two_files_end_as_is_refused(tmp_path: Path) -> None:
    """A list in ``lists/`` naming ``/content/obj/a.jpg`` while ``lists/obj/a.jpg`` and ``obj/a.jpg`` both exist:
    which one was meant cannot be told, so neither is taken."""
    root = tmp_path / "ds"
    _image_and_label(root / "obj/a.jpg", (20, 10), "0 0.5 0.5 0.5 0.5\n")
    _image_and_label(root / "lists/obj/a.jpg", (20, 10), "0 0.5 0.5 0.5 0.5\n")
    (root / "lists/train.txt").write_text("/content/data/obj/a.jpg\n")
    (root / "data.yaml").write_text("train: lists/train.txt\nnames: [cat]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == (
        f"{root / 'lists/train.txt'}:1: unsafe file name '/content/data/obj/a.jpg'; hint: the list's paths lie "
        "outside the dataset folder (written on another machine?), and two files inside it end as this path does "
        "(lists/obj/a.jpg, obj/a.jpg): rewrite the list with paths relative to the dataset folder (or the list's), "
        "or name the images folder in data.yaml"
    )
    (root / "lists/obj/a.jpg").unlink()  # (one left: taken, from the list's folder or the root)
    (root / "lists/obj/a.txt").unlink()
    assert [i.media.path for i in labelkit.load(root, "yolo").items()] == ["obj/a.jpg"]


def test_a_list_line_outside_the_dataset_finds_labels_shipped_without_their_images(tmp_path: Path) -> None:
    """As a relative line does: no image ends as the line does, so the label file of one that would is taken."""
    root = tmp_path / "ds"
    (root / "labels/train").mkdir(parents=True)
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (root / "train.txt").write_text("/content/datasets/ds/images/train/a.jpg\n")
    (root / "data.yaml").write_text("train: train.txt\nnames: [cat]\n")
    ds = labelkit.load(root, "yolo", image_size="8x4")
    assert [(i.id, i.media.path, i.media.width) for i in ds.items()] == [("images/train/a", "images/train/a.jpg", 8)]
    assert [(o.item_id, o.bbox) for o in ds.objects()] == [("images/train/a", (2.0, 1.0, 4.0, 2.0))]
    assert ds.read_notes == [
        "1 list line names a file outside the dataset folder ('/content/datasets/ds/images/train/a.jpg' at "
        "train.txt:1, read as images/train/a.jpg): it is read as the file inside it whose path ends as the line's "
        "does (a list written on another machine?)"
    ]


def test_obj_data_paths_written_on_another_machine_are_the_files_inside_the_dataset_ending_so(tmp_path: Path) -> None:
    """Colab's obj.data names its lists and names file by absolute paths: they were refused as unsafe file names."""
    root = tmp_path / "ds"
    _image_and_label(root / "obj/a.jpg", (20, 10), "1 0.5 0.5 0.5 0.5\n")
    (root / "data").mkdir()
    (root / "data/train.txt").write_text("/content/darknet/data/obj/a.jpg\n")
    (root / "obj.names").write_text("cat\ndog\n")
    (root / "obj.data").write_text(
        "classes = 2\ntrain = /content/darknet/data/train.txt\nnames = /content/darknet/data/obj.names\n"
        "backup = /content/drive/MyDrive/backup\n"
    )
    ds = labelkit.load(root, "yolo")
    assert [c.name for c in ds.categories] == ["cat", "dog"]
    assert [(i.id, i.media.path, i.split) for i in ds.items()] == [("obj/a", "obj/a.jpg", "train")]
    assert ds.read_notes == [
        "obj.data's backup = /content/drive/MyDrive/backup not kept: the obj.data labelkit writes has no such line "
        "(it has backup = backup/)",
        "obj.data names files outside the dataset folder (written on another machine?): read "
        "names = /content/darknet/data/obj.names (obj.data:3) as obj.names, train = /content/darknet/data/train.txt "
        "(obj.data:2) as data/train.txt, the file inside it whose path ends as each does",
        "1 list line names a file outside the dataset folder ('/content/darknet/data/obj/a.jpg' at "
        "data/train.txt:1, read as obj/a.jpg): it is read as the file inside it whose path ends as the line's does "
        "(a list written on another machine?)",
    ]
    (root / "obj.data").write_text("classes = 2\ntrain = /content/darknet/data/train.txt\nvalid = /content/v.txt\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == (
        f"{root / 'obj.data'}:3: unsafe file name '/content/v.txt'; hint: obj.data's paths lie outside the dataset "
        "folder (written on another machine?), and no ending of this path (content/v.txt, v.txt) names a file in it "
        "or in the folder of obj.data: write its paths relative to its folder"
    )


_PART = st.sampled_from(["..", ".", "", "obj", "a.jpg", "b.txt", "data", "images", "ds", "elsewhere", "lists"])


@settings(max_examples=300, deadline=None)
@given(
    start=st.sampled_from(["", "/", "C:\\", "\\\\host\\share\\", "./", "../"]),
    parts=st.lists(_PART, min_size=1, max_size=7),
    slash=st.sampled_from(["/", "\\"]),
)
def test_another_machines_path_is_only_ever_found_inside_the_dataset(
    tmp_path_factory: pytest.TempPathFactory, start: str, parts: list[str], slash: str
) -> None:
    """Whatever a list line says, the files looked for and found are inside the dataset, and are files."""
    from labelkit.formats.yolo_list_files import Relocated, outside_line

    base = tmp_path_factory.getbasetemp() / "relocate"
    root = base / "ds"
    if not root.exists():  # (one tree for every example: outside it, files a line could name)
        for rel in ("ds/obj/a.jpg", "ds/data/obj/a.jpg", "ds/lists/b.txt", "elsewhere/obj/a.jpg", "a.jpg"):
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_bytes(b"")
    line = start + slash.join(parts)
    if not outside_line(line):
        return
    for folder in (root, root / "lists"):
        found = Relocated(root).find(line, folder)
        assert len(found) <= 2
        for path in found:
            assert os.path.normpath(path).startswith(str(root) + os.sep) and path.is_file(), (line, path)


def test_obj_data_keys_naming_no_list_of_images_are_not_read(tmp_path: Path) -> None:
    """Darknet's ``map = data/coco.map`` (COCO category ids, a number a line) was read as a split of images
    named 1, 2, 3; given as another machine's path, it was refused as an unsafe file name. Only ``train``,
    ``valid`` and keys naming a ``.txt`` list are splits."""
    root = tmp_path / "ds"
    _image_and_label(root / "obj/a.jpg", (20, 10), "0 0.5 0.5 0.5 0.5\n")
    (root / "data").mkdir()
    (root / "data/coco.map").write_text("1\n2\n3\n")
    (root / "train.txt").write_text("obj/a.jpg\n")
    (root / "test.TXT").write_text("obj/a.jpg\n")
    (root / "obj.names").write_text("cat\n")
    (root / "obj.data").write_text(
        "classes = 1\ntrain = train.txt\ntest = test.TXT\nnames = obj.names\nmap = data/coco.map\ntop = 5\n"
        "labels = /content/darknet/data/labels.list\ndifficult = difficult.txt\n"
    )
    (root / "difficult.txt").write_text("obj/a.txt\n")  # (AlexeyAB's -map reads it: labels, no images)
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("train/obj/a", "train"), ("test/obj/a", "test")]
    assert ds.read_notes == [
        "obj.data's map = data/coco.map, top = 5, labels = /content/darknet/data/labels.list, difficult = "
        "difficult.txt not kept: the obj.data labelkit writes has no such line"
    ]


# -- file names that are not one file on every machine ---------------------------------------------

_WINDOWS_REASON = (
    "Windows opens a device for CON, PRN, AUX, NUL, COM1-COM9 and LPT1-LPT9 (in any case, with any extension), "
    'drops a dot or space ending a name and refuses < > : " | ? * and control characters in one: they are not '
    "written, on every machine"
)
_CLASH_REASON = (
    "names differing only in case are one file or folder on macOS and Windows, and names differing only in Unicode "
    "normalisation (NFC and NFD) on macOS: the first by name is written, on every machine"
)


def _items(task: str, *paths: str) -> Dataset:
    """An item per image path (its id the path's stem and position), each with one object of the task."""
    ds = Dataset(categories=[Category(id=0, name="cat")], info=DatasetInfo(extras={"yolo:task": task}))
    for n, path in enumerate(paths):
        item_id = f"{n}:{PurePosixPath(path).stem}"
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=10, height=10)))
        ring = [[1.0, 1.0, 3.0, 1.0, 3.0, 4.0]] if task == "segment" else None
        ds.add(Object(id=str(n), item_id=item_id, category_id=0, bbox=(1.0, 1.0, 2.0, 3.0), polygon=ring))
    return ds


_WHERE_ONE = {"caf\u00e9.jpg": "macOS", "\u1e9e.jpg": "macOS", "\u0131.jpg": "Windows"}
"""Where the first names of the cases below are one file with another (else macOS and Windows)."""


@pytest.mark.parametrize("task", ["detect", "segment"])
@pytest.mark.parametrize(
    ("paths", "written", "named"),
    [
        # a.txt and A.txt are one file on macOS and Windows: 'A' < 'a', so A's is written everywhere
        (("a.jpg", "A.jpg", "b.jpg"), ["A.txt", "b.txt"], ("1:A", "labels/train/A.txt", "0:a", "labels/train/a.txt")),
        # café, NFD and NFC: one name there too ('e' + U+0301 < U+00E9)
        (
            ("caf\u00e9.jpg", "cafe\u0301.jpg"),
            ["cafe\u0301.txt"],
            ("1:cafe\u0301", "labels/train/cafe\u0301.txt", "0:caf\u00e9", "labels/train/caf\u00e9.txt"),
        ),
        # a folder on the way: Sub/ and sub/ are one folder there, so sub/y would read back as Sub/y
        (
            ("sub/y.jpg", "Sub/x.jpg"),
            ["Sub/x.txt"],
            ("1:x", "labels/train/Sub/x.txt", "0:y", "labels/train/sub/y.txt"),
        ),
        # capital sharp s folds to sharp s, one character for another (simple case folding): one name on macOS
        (
            ("\u1e9e.jpg", "\u00df.jpg"),
            ["\u00df.txt"],
            ("1:\u00df", "labels/train/\u00df.txt", "0:\u1e9e", "labels/train/\u1e9e.txt"),
        ),
        # dotless i upper-cases to I: one name on Windows (NTFS upper-cases each character), two on macOS
        (
            ("\u0131.jpg", "I.jpg"),
            ["I.txt"],
            ("1:I", "labels/train/I.txt", "0:\u0131", "labels/train/\u0131.txt"),
        ),
    ],
)
def test_items_whose_label_files_differ_only_in_case_are_lost_alike_on_every_machine(
    task: str, paths: tuple[str, ...], written: list[str], named: tuple[str, ...], tmp_path: Path
) -> None:
    """Linux wrote both label files, macOS and Windows failed on the second ('File exists'): the output
    depended on the machine. Now the plan reports the items lost, and --allow-loss writes the first by name."""
    ds = _items(task, *paths)
    kept, kept_file, lost, lost_file = (ascii(v) for v in named)
    where = _WHERE_ONE.get(paths[0], "macOS and Windows")
    reason = f"{_CLASH_REASON} (item {kept}, {kept_file}, is written; item {lost}, {lost_file}, is not: one on {where})"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo").lost] == [
        ("items whose files are another item's on macOS or Windows", len(paths) - len(written), reason),
        ("object annotations on them", len(paths) - len(written), "their items are not written"),
    ]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo")
    assert not (tmp_path / "refused").exists()
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert report.written == {"items": len(written), "object annotations": len(written), "label files": len(written)}
    labels = tmp_path / "out/labels/train"
    assert sorted(p.relative_to(labels).as_posix() for p in labels.rglob("*.txt")) == written
    assert sorted(json.loads((tmp_path / "out/image_sizes.json").read_text())) == [
        f"images/train/{w[:-4]}.jpg" for w in written
    ]


@pytest.mark.parametrize(
    "paths",
    [
        ("stra\u00dfe.jpg", "strasse.jpg", "STRASSE.jpg"),  # (full case folding made the first two one)
        ("\ufb01le.jpg", "file.jpg"),  # the fi ligature: folded to 'fi' in full only
        ("\u0149.jpg", "\u02bcn.jpg"),
    ],
)
def test_names_one_only_by_full_case_folding_are_two_files_everywhere(paths: tuple[str, ...]) -> None:
    """straße.jpg and strasse.jpg were reported as one file on macOS and Windows: both keep them apart
    (each character is folded or upper-cased alone), so both are written."""
    ds = _items("detect", *paths)
    assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo").lost] == (
        []
        if len(paths) == 2
        else [("items whose files are another item's on macOS or Windows", 1), ("object annotations on them", 1)]
    )  # (strasse.txt and STRASSE.txt are one)


@pytest.mark.usefixtures("folding_file_system")
def test_a_case_folding_file_system_gets_the_output_every_machine_gets(tmp_path: Path) -> None:
    """Simulated macOS / Windows: the second of a.txt and A.txt was 'cannot write: File exists' there, where
    Linux wrote both."""
    ds = _items("detect", "a.jpg", "A.jpg", "b.jpg")
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert report.written == {"items": 2, "object annotations": 2, "label files": 2}
    assert {p.name: p.read_text() for p in (tmp_path / "out/labels/train").iterdir()} == {
        "A.txt": "0 0.2 0.25 0.2 0.3\n",
        "b.txt": "0 0.2 0.25 0.2 0.3\n",
    }


@pytest.mark.parametrize("task", ["detect", "segment"])
@pytest.mark.parametrize(
    ("path", "file"),
    [
        ("con.jpg", "labels/train/con.txt"),
        ("Nul.png", "labels/train/Nul.txt"),
        ("LPT1.tar.jpg", "labels/train/LPT1.tar.txt"),
        ("aux .jpg", "labels/train/aux .txt"),
        ("com9.jpg", "labels/train/com9.txt"),
        ("day1./a.jpg", "labels/train/day1./a.txt"),
        ("day2 /a.jpg", "labels/train/day2 /a.txt"),
        ("prn/a.jpg", "labels/train/prn/a.txt"),
        # characters Windows refuses in a name (b:c would even be stream c of file b on NTFS)
        ("a?.jpg", "labels/train/a?.txt"),
        ("b:c.jpg", "labels/train/b:c.txt"),
        ("x/b:c.jpg", "labels/train/x/b:c.txt"),
        ('say "hi".jpg', 'labels/train/say "hi".txt'),
        ("p|q.jpg", "labels/train/p|q.txt"),
        ("<a>.jpg", "labels/train/<a>.txt"),
        ("star*/a.jpg", "labels/train/star*/a.txt"),
        ("tab\t.jpg", "labels/train/tab\t.txt"),
        ("bell\x07/a.jpg", "labels/train/bell\x07/a.txt"),
    ],
)
def test_items_whose_label_files_windows_cannot_hold_are_lost_on_every_machine(
    task: str, path: str, file: str, tmp_path: Path
) -> None:
    ds = _items(task, "b.jpg", path)
    reason = f"{_WINDOWS_REASON} (item {ascii('1:' + PurePosixPath(path).stem)}, {ascii(file)})"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo").lost] == [
        ("items whose file names Windows cannot hold", 1, reason),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt")) == [
        "labels/train/b.txt"
    ]


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
@pytest.mark.parametrize(
    ("item_id", "file"),
    [("b:c", "b:c.txt"), ("C:x", "C:x.txt"), ("C:", "C:.txt"), ("c:/x", "c:/x.txt"), ("c:\\x", "c:/x.txt")],
)
def test_drive_like_item_ids_without_an_image_path_are_lost_as_pascal_voc_loses_them(
    layout: str, item_id: str, file: str, tmp_path: Path
) -> None:
    """An item without an image path is named after its id: a drive-like id (b:c, c:/x) is a relative path
    holding ':', which Windows refuses, as Pascal VOC reports it; an image path with a drive (c:/data/a.jpg) is
    a Windows absolute path, named by its base name (a.txt), as /data/a.jpg is."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for n, (i, path) in enumerate(((item_id, None), ("w", "c:/data/a.jpg"), ("p", "/data/b.jpg"))):
        ds.add_item(Item(id=i, split="train", media=Media(path=path, width=10, height=10)))
        ds.add(Object(id=str(n), item_id=i, category_id=0, bbox=(1.0, 1.0, 2.0, 3.0)))
    folder = "labels/train" if layout == "ultralytics" else "obj_train_data"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", layout=layout).lost] == [
        (
            "items whose file names Windows cannot hold",
            1,
            f"{_WINDOWS_REASON} (item {ascii(item_id)}, {ascii(f'{folder}/{file}')})",
        ),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, layout=layout)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.txt")) == (
        [f"{folder}/a.txt", f"{folder}/b.txt"]
        if layout == "ultralytics"
        else [f"{folder}/a.txt", f"{folder}/b.txt", "train.txt"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "console.jpg",
        "com.jpg",
        "com0.jpg",
        "lpt10.jpg",
        "nul_1.jpg",
        "a.b.jpg",
        "x/con_/a.jpg",
        "x/cons/a.jpg",
        # what Windows does take: other punctuation, DEL, look-alikes of the refused characters
        "a;b,c=d+e[f]{g}#h%i&j'k!l@m$n^o`p~.jpg",
        "del\x7f.jpg",
        "\uff1f\uff1a\u2215.jpg",
    ],
)
def test_names_windows_holds_are_written(path: str) -> None:
    ds = _items("detect", path)
    assert labelkit.plan(ds, "yolo").lost == []


def test_images_copied_whose_names_differ_only_in_case_are_lost_alike(tmp_path: Path) -> None:
    """a.jpg and a.JPG share the label file a.txt (the same lines: written once), but their images are one
    file on macOS and Windows."""
    root = tmp_path / "media"
    root.mkdir()
    for name in ("a.jpg", "a.JPG"):
        Image.new("RGB", (10, 10)).save(root / name, format="JPEG")
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for name in ("a.jpg", "a.JPG"):
        ds.add_item(Item(id=name, split="train", media=Media(path=name, width=10, height=10)))
        ds.add(Object(id=name, item_id=name, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    assert labelkit.plan(ds, "yolo").lost == []  # (no image is written)
    options = {"media": "copy", "media_root": str(root)}
    reason = (
        f"{_CLASH_REASON} (item 'a.JPG', 'images/train/a.JPG', is written; item 'a.jpg', 'images/train/a.jpg', is "
        "not: one on macOS and Windows)"
    )
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", **options).lost] == [
        ("items whose files are another item's on macOS or Windows", 1, reason),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.*")) == [
        "data.yaml",
        "images/train/a.JPG",
        "labels/train/a.txt",
    ]


def test_classify_images_whose_names_differ_only_in_case_are_lost_alike(tmp_path: Path) -> None:
    root = tmp_path / "media"
    for folder in ("x", "y"):
        (root / folder).mkdir(parents=True)
    Image.new("RGB", (4, 3)).save(root / "x/A.jpg")
    Image.new("RGB", (4, 3)).save(root / "y/a.jpg")
    Image.new("RGB", (4, 3)).save(root / "y/con.jpg")
    ds = Dataset(categories=[Category(id=0, name="cat")], info=DatasetInfo(extras={"yolo:task": "classify"}))
    for item_id, path in (("1", "y/a.jpg"), ("2", "x/A.jpg"), ("3", "y/con.jpg")):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=4, height=3)))
        ds.add(Label(id=item_id, item_id=item_id, category_id=0))
    options = {"media": "copy", "media_root": str(root)}
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", **options).lost] == [
        ("items whose file names Windows cannot hold", 1, f"{_WINDOWS_REASON} (item '3', 'train/cat/con.jpg')"),
        (
            "items whose files are another item's on macOS or Windows",
            1,
            f"{_CLASH_REASON} (item '2', 'train/cat/A.jpg', is written; item '1', 'train/cat/a.jpg', is not: "
            "one on macOS and Windows)",
        ),
        ("label annotations on them", 2, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert [p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.jpg")] == [
        "train/cat/A.jpg"
    ]


def test_classify_classes_and_images_windows_cannot_name_are_neither_folders_nor_files(tmp_path: Path) -> None:
    """Classes 'd?g' and 'CON' got folders (empty ones too, for their class to be read) and image 'c?.jpg' its
    copy: Windows cannot create them. Such classes are not folders (they, their labels and the items of no other
    label are lost), and such images are lost as names Windows cannot hold."""
    root = tmp_path / "media"
    root.mkdir()
    for name in ("a.jpg", "b.jpg", "c?.jpg", "d.jpg"):
        Image.new("RGB", (4, 3)).save(root / name, format="JPEG")
    classes = [Category(id=0, name="cat"), Category(id=1, name="d?g"), Category(id=2, name="CON")]
    ds = Dataset(categories=classes, info=DatasetInfo(extras={"yolo:task": "classify"}))
    for item_id, (path, cid) in enumerate((("a.jpg", 0), ("b.jpg", 1), ("c?.jpg", 0), ("d.jpg", 2))):
        ds.add_item(Item(id=str(item_id), split="train", media=Media(path=path, width=4, height=3)))
        ds.add(Label(id=str(item_id), item_id=str(item_id), category_id=cid))
    options = {"media": "copy", "media_root": str(root)}
    plan = labelkit.plan(ds, "yolo", **options)
    assert [(c.what, c.count, c.reason) for c in plan.lost] == [
        ("items whose file names Windows cannot hold", 1, f"{_WINDOWS_REASON} (item '2', 'train/cat/c?.jpg')"),
        ("label annotations on them", 1, "their items are not written"),
        (
            "classes that cannot be folder names",
            2,
            "YOLO classify's classes are folders ('..', '/', empty names cannot be, nor names Windows cannot "
            "create: CON, a?, nor names of over 255 bytes): they are not written",
        ),
        (
            "labels of classes that cannot be folder names",
            2,
            "YOLO classify files each image in its class's folder, and their class has none: an image is filed "
            "under its first label whose class has one",
        ),
        (
            "items whose every label is lost",
            2,
            "their labels are of no category or of classes that cannot be folder names: YOLO classify files each "
            "image under its class's folder, and they have none",
        ),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "train",
        "train/cat",
        "train/cat/a.jpg",
    ]


def test_classify_a_class_name_over_255_bytes_is_no_folder_and_the_write_goes_on(tmp_path: Path) -> None:
    """The plan reported its items lost as file names too long, and the write (--allow-loss) stopped at the
    class's empty folder: 'cannot write: File name too long'. It is a class that cannot be a folder name."""
    root = tmp_path / "media"
    root.mkdir()
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (8, 8)).save(root / name, format="JPEG")
    ds = Dataset(categories=[Category(id=1, name="k" * 256), Category(id=2, name="c")])
    for item_id, cid in (("a", 1), ("b", 2)):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=f"{item_id}.jpg", width=8, height=8)))
        ds.add(Label(id=item_id, item_id=item_id, category_id=cid))
    options = {"task": "classify", "media": "copy", "media_root": str(root)}
    assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo", **options).lost] == [
        ("classes that cannot be folder names", 1),
        ("labels of classes that cannot be folder names", 1),
        ("items whose every label is lost", 1),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")) == [
        "train",
        "train/c",
        "train/c/b.jpg",
    ]


def test_the_cli_refuses_items_of_one_file_on_macos_and_windows_and_writes_the_first_with_allow_loss(
    tmp_path: Path,
) -> None:
    src = tmp_path / "in.labelkit.json"
    labelkit.save(_items("detect", "b.jpg", "a.jpg", "A.jpg", "Con.jpg"), src, "labelkit")
    out = tmp_path / "out"
    lost = [
        f"lost: 1 items whose file names Windows cannot hold: {_WINDOWS_REASON} (item '3:Con', 'labels/train/Con.txt')",
        "lost: 1 items whose files are another item's on macOS or Windows: "
        f"{_CLASH_REASON} (item '2:A', 'labels/train/A.txt', is written; item '1:a', 'labels/train/a.txt', is not: "
        "one on macOS and Windows)",
        "lost: 2 object annotations on them: their items are not written",
    ]
    assert_cli_refuses_then_writes(
        src, out, "yolo", "YOLO detect", lost, "written: 2 items, 2 object annotations, 2 label files"
    )
    assert sorted(p.name for p in (out / "labels/train").iterdir()) == ["A.txt", "b.txt"]


@pytest.mark.parametrize(
    ("splits", "yaml_keys", "notes"),
    [
        (["train"], {"train": "images/train", "val": "images/train"}, ["val"]),
        (["val"], {"train": "images/val", "val": "images/val"}, ["train"]),
        (["test"], {"train": "images/test", "test": "images/test", "val": "images/test"}, ["train", "val"]),
        (["train", "val"], {"train": "images/train", "val": "images/val"}, []),
        (["train2017", "valid"], {"train": "images/train2017", "val": "images/valid"}, []),
    ],
)
def test_a_missing_train_or_val_split_is_pointed_at_another_and_noted(
    tmp_path: Path, splits: list[str], yaml_keys: dict[str, str], notes: list[str]
) -> None:
    """Ultralytics needs ``train`` and ``val`` in data.yaml: a missing one points at a written split, and the
    report says so. Without a train split, Ultralytics trained on the val images and nothing said so."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for split in splits:
        ds.add_item(Item(id=split, media=Media(path=f"{split}.jpg", width=4, height=4), split=split))
    report = labelkit.save(ds, tmp_path / "o", "yolo")
    doc = yaml.safe_load((tmp_path / "o/data.yaml").read_text())
    assert {k: v for k, v in doc.items() if k in ("train", "val", "test")} == yaml_keys
    assert [n for n in report.notes if n.startswith("no ")] == [
        f"no {key} split: data.yaml's {key} points at {yaml_keys[key]} (Ultralytics requires {key})" for key in notes
    ]


@pytest.mark.parametrize("split", ["con", "Nul", "com9"])
def test_items_of_a_split_whose_darknet_list_windows_cannot_hold_are_lost_on_every_machine(
    split: str, tmp_path: Path
) -> None:
    """Darknet lists a split ``con`` in ``con.txt``, a device on Windows: it was written on every machine without
    a word, while the Ultralytics layout reports the items of ``labels/con/`` lost. Its items are lost so."""
    ds = _items("detect", "a.jpg", "b.jpg")
    items = ds.table("items")
    column = items.schema.get_field_index("split")
    items = items.set_column(column, "split", pa.array(["train", split]))
    ds = Dataset.from_tables({**ds.tables(), "items": items}, ds.categories, ds.info)
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", layout="darknet").lost] == [
        ("items whose file names Windows cannot hold", 1, f"{_WINDOWS_REASON} (item '1:b', '{split}.txt')"),
        ("object annotations on them", 1, "their items are not written"),
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, layout="darknet")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "image_sizes.json",
        "obj.data",
        "obj.names",
        "obj_train_data",
        "train.txt",
    ]


# -- item ids and splits that change on reading back ---------------------------------------------------------

_RENAMED = (
    "YOLO names items after their image files: a reader takes its path below images/<split>/ without the "
    "extension, with the split in front where two splits hold one name"
)
_UNSPLIT = "items without a split are written to 'train' (the -o split option), and read back in it"


def test_item_ids_and_splits_a_reader_gives_otherwise_are_reported_as_the_plan_says(tmp_path: Path) -> None:
    """An item ``x`` of image ``a.png`` and no split read back as ``a`` in train, and the report said neither."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="x", media=Media(path="a.png", width=10, height=10)))
    ds.add_item(Item(id="b", media=Media(path="b.png", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="x", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    planned = labelkit.plan(ds, "yolo")
    report = labelkit.save(ds, tmp_path / "y", "yolo")
    lines = [str(c) for c in report.transformed if c.what.startswith("item")]
    assert lines == [f"1 item ids: {_RENAMED}", f"1 item splits: {_UNSPLIT}"]
    assert planned.transformed == report.transformed
    back = labelkit.load(tmp_path / "y", "yolo")
    assert sorted((i.id, i.split) for i in back.items()) == [("a", "train"), ("b", "train")]


def test_item_splits_name_the_split_option_and_darknet_ids_their_list_paths(tmp_path: Path) -> None:
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.png", width=10, height=10)))
    report = labelkit.save(ds, tmp_path / "y", "yolo", layout="darknet", split="val")
    assert [(c.what, c.count, c.reason) for c in report.transformed if c.what.startswith("item")] == [
        (
            "item ids",
            1,
            "YOLO names items after their image files: a reader takes its image's path in its split's list "
            "(obj_<split>_data/...) without the extension, with the split in front where two splits hold one name",
        ),
        ("item splits", 1, "items without a split are written to 'val' (the -o split option), and read back in it"),
    ]
    assert [(i.id, i.split) for i in labelkit.load(tmp_path / "y", "yolo").items()] == [("obj_val_data/a", "val")]


def test_classify_reports_the_ids_and_splits_its_filed_images_read_back_with(tmp_path: Path) -> None:
    media = tmp_path / "media"
    (media / "d").mkdir(parents=True)
    for name in ("a.png", "d/a.jpg", "c.png"):
        Image.new("RGB", (4, 3)).save(media / name)
    ds = Dataset(categories=[Category(id=0, name="cat"), Category(id=1, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.png", width=4, height=3), split="train"))
    ds.add_item(Item(id="k", media=Media(path="d/a.jpg", width=4, height=3), split="val"))
    ds.add_item(Item(id="c", media=Media(path="c.png", width=4, height=3)))
    ds.add_item(Item(id="u", media=Media(path="c.png", width=4, height=3), split="val"))  # (not filed: no label)
    for n, (item, cat) in enumerate((("a", 0), ("k", 1), ("c", 1))):
        ds.add(Label(id=str(n), item_id=item, category_id=cat))
    options = {"task": "classify", "media": "copy", "media_root": str(media)}
    planned = labelkit.plan(ds, "yolo", **options)
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert [(c.what, c.count) for c in report.transformed if c.what.startswith("item")] == [
        ("item ids", 2),  # a in train and val: train/a, val/a; c keeps its id
        ("item splits", 1),
    ]
    assert planned.transformed == report.transformed
    back = labelkit.load(tmp_path / "out", "yolo")
    assert sorted((i.id, i.split) for i in back.items()) == [("c", "train"), ("train/a", "train"), ("val/a", "val")]


@settings(max_examples=120, deadline=None)
@given(
    entries=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "a.png", "a.jpg", "d/a.png", "train/a.png", None]),  # image path
            st.sampled_from([None, "train", "val"]),
            st.sampled_from(["a", "b", "c", "train/a", "d/a"]),  # id
        ),
        min_size=1,
        max_size=6,
    ),
    layout=st.sampled_from(["ultralytics", "darknet"]),
)
def test_the_item_ids_reported_changed_are_those_a_reader_gives_otherwise(
    tmp_path_factory: pytest.TempPathFactory, entries: list[tuple[str | None, str | None, str]], layout: str
) -> None:
    """Property: the plan's count of item ids is exactly the items whose id differs when read back (paired by
    image path), and its count of item splits the items without one; a write reports what the plan does."""
    from hypothesis import assume

    ds = Dataset(categories=[Category(id=1, name="cat")])
    seen: set[str] = set()
    for n, (path, split, item_id) in enumerate(entries):
        iid = f"{item_id}{n}" if item_id in seen else item_id
        seen.add(iid)
        ds.add_item(Item(id=iid, media=Media(path=path, width=10, height=10), split=split))
    out = tmp_path_factory.mktemp("y") / "out"
    try:
        planned = labelkit.plan(ds, "yolo", layout=layout)
        report = labelkit.save(ds, out, "yolo", allow_loss=True, layout=layout)
    except OutputError:  # (two items on one image or label file: refused, which other tests cover)
        assume(False)
    assert planned.transformed == report.transformed
    counts = {c.what: c.count for c in report.transformed}
    back = labelkit.load(out, "yolo")
    by_path = {i.media.path: i for i in back.items()}
    written = list(ds.items())
    assume(len(back) == len(ds))  # (items left out as unportable: reported lost, covered elsewhere)
    from labelkit.formats.yolo_write import item_files

    files = item_files(ds, {"layout": layout}).image_rel
    renamed = sum(by_path[f].id != i.id for f, i in zip(files, written, strict=True))
    assert counts.get("item ids", 0) == renamed
    assert counts.get("item splits", 0) == sum(1 for i in ds.items() if not i.split)
    assert all(by_path[f].split == (i.split or "train") for f, i in zip(files, written, strict=True))


@pytest.mark.parametrize(
    ("splits", "train"),
    [(["val", "val"], "val"), (["val", "test", "val"], "test"), (["train2017", "val"], "train2017")],
)
def test_darknet_without_a_train_split_names_another_as_train_and_reads_back_the_same(
    tmp_path: Path, splits: list[str], train: str
) -> None:
    """obj.data had no train line for a dataset without a train split: Darknet's trainer opens the train list
    (data/train.list without one) and stops. train names another split's list, as data.yaml's train points
    at another split's images, and a list two keys name is read back once, in the split named as it."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    for k, split in enumerate(splits):
        iid = f"obj_{split}_data/i{k}"
        ds.add_item(Item(id=iid, media=Media(path=f"i{k}.jpg", width=100, height=100), split=split))
        ds.add(Object(id=str(k), item_id=iid, category_id=0, bbox=(10.0, 10.0, k + 1.0, 20.0)))
    report = labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    note = f"no train split: obj.data's train points at {train}.txt (Darknet's trainer requires train)"
    assert report.notes == ([] if "train" in train else [note])  # (train2017 is the train split, as for data.yaml)
    lists = "".join(f"{'valid' if s == 'val' else s} = {s}.txt\n" for s in sorted(set(splits)))
    expected = f"classes = 1\ntrain = {train}.txt\n{lists}names = obj.names\nbackup = backup/\n"
    assert (tmp_path / "o/obj.data").read_text() == expected  # was: no train line
    back = labelkit.load(tmp_path / "o", "yolo")
    assert sorted((i.id, i.split) for i in back.items()) == sorted((i.id, i.split) for i in ds.items())
    assert sorted((o.item_id, o.bbox) for o in back.objects()) == sorted((o.item_id, o.bbox) for o in ds.objects())


def test_a_darknet_list_two_keys_name_is_read_once_in_the_split_named_as_it(tmp_path: Path) -> None:
    """obj.data validating on the train list (valid = train.txt) gave each image twice, as train/... and
    valid/...: the list is read once, as data.yaml's folder two keys name is."""
    (tmp_path / "obj_train_data").mkdir()
    (tmp_path / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.names").write_text("c\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\n")
    (tmp_path / "image_sizes.json").write_text('{"obj_train_data/a.jpg": [100, 100]}')
    for data in ("valid = train.txt\ntrain = train.txt\n", "train = train.txt\nvalid = ./train.txt\n"):
        (tmp_path / "obj.data").write_text(f"classes = 1\n{data}names = obj.names\n")
        ds = labelkit.load(tmp_path, "yolo")
        assert [(i.id, i.split) for i in ds.items()] == [("obj_train_data/a", "train")]  # was: two items
        assert [o.item_id for o in ds.objects()] == ["obj_train_data/a"]
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = lists/all.txt\nvalid = lists/all.txt\n")
    (tmp_path / "lists").mkdir()
    (tmp_path / "train.txt").rename(tmp_path / "lists/all.txt")
    assert [(i.id, i.split) for i in labelkit.load(tmp_path, "yolo").items()] == [("obj_train_data/a", "train")]


def test_a_yolo_output_read_and_written_again_is_the_same(tmp_path: Path) -> None:
    """A box no normalised number multiplies back to exactly (its cx: x 102.60752934857474 of 777 pixels; its w:
    30.150000000000002 of 100) is written with the nearest, which reads back a float away: writing that box
    again chose another of the numbers that read back to it (0.1563610416326573 for 0.15636104163265732; cx
    0.45717 for 0.45716999999999997, its start taken from the width read back), so YOLO -> YOLO of a YOLO output
    changed its label files."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    for iid, size, (x, w) in (
        ("a", 777, (102.60752934857474, 37.769999999999996)),
        ("b", 100, (30.642, 30.150000000000002)),
    ):
        ds.add_item(Item(id=iid, media=Media(path=f"{iid}.jpg", width=size, height=size), split="train"))
        ds.add(Object(id=iid, item_id=iid, category_id=0, bbox=(x, x, w, w)))
    labelkit.save(ds, tmp_path / "o1", "yolo", layout="darknet")
    labelkit.save(labelkit.load(tmp_path / "o1", "yolo"), tmp_path / "o2", "yolo", layout="darknet")
    lines = [(tmp_path / "o1/obj_train_data" / f"{iid}.txt").read_text() for iid in "ab"]
    assert [(tmp_path / "o2/obj_train_data" / f"{iid}.txt").read_text() for iid in "ab"] == lines
    assert lines == [
        "0 0.1563610416326573 0.1563610416326573 0.048610038610038604 0.048610038610038604\n",  # (was ...732)
        "0 0.45717 0.45717 0.30150000000000005 0.30150000000000005\n",  # (was 0.45716999999999997)
    ]


def test_obj_data_is_read_as_darknet_reads_it_first_lines_and_semicolon_comments(tmp_path: Path) -> None:
    """Darknet's read_data_cfg skips lines starting with ';' (as '#') and option_find takes a key's first line:
    labelkit read '; valid = val.txt' as a split named '; valid', and a key's last line ('train = val.txt' after
    'train = train.txt' gave the val images, where Darknet trains on train's)."""
    (tmp_path / "obj_train_data").mkdir()
    for name in "ab":
        (tmp_path / f"obj_train_data/{name}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.names").write_text("c\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\n")
    (tmp_path / "val.txt").write_text("obj_train_data/b.jpg\n")
    (tmp_path / "image_sizes.json").write_text('{"obj_train_data/a.jpg": [100, 100], "obj_train_data/b.jpg": [9, 9]}')
    (tmp_path / "obj.data").write_text("classes = 1\ntrain = train.txt\n; valid = val.txt\ntrain = val.txt\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [(i.id, i.split) for i in ds.items()] == [("obj_train_data/a", "train")]
    assert ds.read_notes == [
        "obj.data repeats train (obj.data:4, beside line 2): the first line is read, as Darknet reads it",
        "1 label file beside the listed images' has no image, and no list names one (obj_train_data/b.txt): not read "
        "(their images not shipped?), as Darknet and Ultralytics train on the images their lists name",
    ]


@pytest.mark.parametrize("count", ["3", "abc", "", "03", "-2"])
def test_obj_data_classes_not_counting_its_names_is_a_read_note(tmp_path: Path, count: str) -> None:
    """obj.data's classes = N beside a names file of another count read unsaid, and was written back as the names'
    count: the names are read (Darknet reads both and checks neither), and a read note says so; a count that
    matches says nothing."""
    (tmp_path / "obj_train_data").mkdir()
    (tmp_path / "obj_train_data/a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.names").write_text("c\nd\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\n")
    (tmp_path / "image_sizes.json").write_text('{"obj_train_data/a.jpg": [100, 100]}')
    (tmp_path / "obj.data").write_text(f"train = train.txt\nclasses = {count}\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [c.name for c in ds.categories] == ["c", "d"]
    said = f"classes = {count}" if count else "classes ="
    assert ds.read_notes == [
        f"obj.data's {said} (obj.data:2) is not the 2 names of obj.names: the names are read; an obj.data written "
        "gives the count of its names"
    ]
    for same in ("2", "02"):  # (Darknet reads 02 as 2)
        (tmp_path / "obj.data").write_text(f"train = train.txt\nclasses = {same}\n")
        assert labelkit.load(tmp_path, "yolo").read_notes == []


def test_obj_data_naming_only_lists_that_are_not_there_is_an_error_at_the_first(tmp_path: Path) -> None:
    """Every list missing read as an empty dataset, with a note per list, where a data.yaml in that state is an
    error: so is this one (no split is read, so nothing is)."""
    root = tmp_path / "dk"
    root.mkdir()
    (root / "obj.names").write_text("a\n")
    data = root / "obj.data"
    data.write_text("classes = 1\nnames = obj.names\nvalid = val.txt\ntrain = train.txt\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(data), 3)
    assert str(err.value) == f"{data}:3: none of the image lists named in obj.data exist (found val.txt)"
    (root / "train.txt").write_text("")  # one list there, empty: an empty dataset, with a note for the other
    ds = labelkit.load(root, "yolo")
    note = "obj.data's valid = val.txt names no list file found: nothing of it is read"
    assert (len(ds), ds.read_notes) == (0, [note])


@pytest.mark.parametrize(
    ("layout", "splits", "notes"),
    [
        ("ultralytics", ["train"], ["no val split: data.yaml's val points at images/train (Ultralytics requires val)"]),
        (
            "ultralytics",
            ["test"],
            [
                "no train split: data.yaml's train points at images/test (Ultralytics requires train)",
                "no val split: data.yaml's val points at images/test (Ultralytics requires val)",
            ],
        ),
        ("ultralytics", ["train", "val"], []),
        (
            "darknet",
            ["val", "test"],
            ["no train split: obj.data's train points at test.txt (Darknet's trainer requires train)"],
        ),
        ("darknet", ["train"], ["no val split: obj.data has no valid list (Darknet then validates on train's images)"]),
        ("darknet", ["train", "val2017"], []),
        ("darknet", ["train", "valid"], []),
        (  # (Darknet validated on valid's images, val's were listed under val: unsaid)
            "darknet",
            ["train", "val", "valid"],
            [
                "a valid split beside val: obj.data's valid key lists the valid split's images, the list Darknet "
                "validates on, and val = val.txt is read back, not validated on"
            ],
        ),
    ],
)
def test_a_plan_says_the_split_notes_a_save_says(
    tmp_path: Path, layout: str, splits: list[str], notes: list[str]
) -> None:
    """The notes on a config's train or val key naming another split were made while writing: a plan (a dry run)
    did not say them."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    for n, split in enumerate(splits):
        ds.add_item(Item(id=str(n), media=Media(path=f"{n}.jpg", width=4, height=4), split=split))
    ds.add(Object(id="o", item_id="0", category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    split_notes = [n for n in labelkit.plan(ds, "yolo", layout=layout).notes if n.startswith(("no ", "a valid"))]
    assert split_notes == notes
    saved = labelkit.save(ds, tmp_path / "o", "yolo", layout=layout).notes
    assert [n for n in saved if n.startswith(("no ", "a valid"))] == notes


@pytest.mark.parametrize(
    ("value", "read"),
    [("../valid/images", "val/images"), ("images/mistyped", "images/val")],
)
def test_a_split_value_naming_nothing_read_from_the_split_s_own_folder_is_noted(
    tmp_path: Path, value: str, read: str
) -> None:
    """*YOLO: Layouts read*: a data.yaml split value naming nothing found fell back to ``<split>/images`` or
    ``images/<split>`` without a word, so a mistyped value read another folder than the one named, unsaid; the
    read note now names both (Roboflow's ``val: ../valid/images``, read from ``val/images``, too)."""
    root = tmp_path / "ds"
    for folder in ("images/train", read):
        (root / folder).mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(root / folder / "a.jpg")
    (root / "labels/train").mkdir(parents=True)
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text(f"train: images/train\nval: {value}\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    assert sorted((i.split, i.media.path) for i in ds.items()) == [
        ("train", "images/train/a.jpg"),
        ("val", f"{read}/a.jpg"),
    ]
    assert ds.read_notes == [
        f"data.yaml's val: {value} names nothing found: {read} is read in its place (as Roboflow's exports need)"
    ]


def test_classify_without_the_images_is_refused_on_the_command_line_and_writes_nothing(tmp_path: Path) -> None:
    """*YOLO: Writing*: classify's classes are image folders, so it needs ``-o media=copy`` or ``link`` with
    ``media_root``; without them the conversion is refused (exit 2, one error line saying what to add), even with
    --allow-loss, and no output is left."""
    out = tmp_path / "o"
    args = ["convert", str(FIXTURES / "yolo/golden/detect"), str(out), "--to", "yolo", "-o", "task=classify"]
    result = CliRunner().invoke(cli, [*args, "--allow-loss"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "labelkit: error: YOLO classify stores classes as image folders, so it needs the images; "
        "hint: add -o media=copy (or link) -o media_root=FOLDER\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("lines", "task", "shapes"),
    [
        ("0 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\n1 0.5 0.2 0.9 0.2 0.9 0.8 0.5 0.8\n", "obb", ["box", "box"]),
        ("0 0.5 0.5 0.2 0.2\n1 0.5 0.2 0.9 0.2 0.9 0.8 0.5 0.8\n", "segment", ["box", "polygon"]),
        ("0 0.5 0.5 0.2 0.2\n1 0.4 0.4 0.2 0.2\n", "detect", ["box", "box"]),
    ],
)
def test_the_task_is_told_by_the_lines_fields_when_nothing_names_it(
    tmp_path: Path, lines: str, task: str, shapes: list[str]
) -> None:
    """*YOLO: Layouts read*: without kpt_shape or a task key, all lines of 9 fields mean OBB (each a rotated box),
    all of 5 mean detect, and anything else segment, where a 5-field line stays a box."""
    ds = labelkit.load(_tiny_dataset(tmp_path / "ds", lines), "yolo")
    assert ds.info.extras["yolo:task"] == task
    assert [o.shape for o in ds.objects()] == shapes
    polygons = [o.polygon for o in ds.objects()]
    assert polygons == ([None, [[10.0, 2.0, 18.0, 2.0, 18.0, 8.0, 10.0, 8.0]]] if task == "segment" else [None, None])
    assert next(ds.objects()).bbox == {"obb": (2.0, 1.0, 8.0, 4.0)}.get(task, (8.0, 4.0, 4.0, 2.0))


def test_an_item_whose_image_name_holds_nul_is_reported_lost_naming_the_item(tmp_path: Path) -> None:
    """An item id (of an item without an image path) holding NUL gave 'a file name would hold a NUL character'
    about the output only; then an error naming the item, even with allow_loss: it is a loss naming the item."""
    items = [{"id": "a\u0000b", "media": {"kind": "image", "width": 10, "height": 10}}]
    doc = {"format": "labelkit", "version": 1, "categories": [{"id": 1, "name": "cat"}], "items": items}
    (tmp_path / "in.labelkit.json").write_text(json.dumps(doc))
    with pytest.raises(DataLossError) as caught:
        labelkit.convert(tmp_path / "in.labelkit.json", tmp_path / "out", to="yolo")
    assert str(caught.value).startswith(
        f"{tmp_path / 'out'}: writing YOLO detect would lose 1 items whose file names hold NUL: no file name holds a "
        "NUL character, and YOLO names an item's files after its image path (or its id): they are not written "
        "(item 'a\\x00b', 'a\\x00b')"
    )
    assert not (tmp_path / "out").exists()


def test_a_data_yaml_nested_too_deeply_is_an_error_naming_it_in_convert(tmp_path: Path) -> None:
    """PyYAML recurses per level: checking where a convert's output lies read the data.yaml first, outside the
    reader's guard, and a value 5000 lists deep was an internal error (RecursionError)."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text("names: [a]\ntrain: images/train\nval: images/train\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["convert", str(root), str(out), "--to", "coco"])
    assert (run.exit_code, run.output) == (2, f"labelkit: error: {config}: values nested too deeply to read\n")
    assert not out.exists()


def test_a_data_yaml_path_too_long_for_the_file_system_is_an_error_at_its_line(tmp_path: Path) -> None:
    """A ``path:`` the file system cannot look up (a name of 5000 bytes) was an internal error (OSError) in
    convert, which checks where its output lies before reading, and an error naming the dataset folder in info:
    it is one at the key and line, as a split key's value is."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text(f"names: [a]\npath: {'x' * 5000}\ntrain: images/train\nval: images/train\n")
    out = tmp_path / "out"
    found = "'" + "x" * 179 + "... (5,002 characters)"
    line = f"labelkit: error: {config}:2 <path>: cannot read: File name too long (found {found})\n"
    for args in (["convert", str(root), str(out), "--to", "coco"], ["info", str(root)]):
        run = CliRunner().invoke(cli, args)
        assert (run.exit_code, run.output) == (2, line)
    assert not out.exists()


def test_a_data_yaml_integer_of_more_digits_than_python_reads_is_an_error_at_its_line(tmp_path: Path) -> None:
    """PyYAML's int() of a value of 5000 digits raises Python's ValueError (more than 4300 digits): info and
    convert showed an internal error. It is an error at the value's line of data.yaml."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text(f"names: [a]\ntrain: images/train\nval: images/train\nnc: {'9' * 5000}\n")
    out = tmp_path / "out"
    line = (
        f"labelkit: error: {config}:4: invalid YAML: an integer of 5,000 characters, more than Python reads "
        "(4,300 digits)\n"
    )
    for args in (["convert", str(root), str(out), "--to", "coco"], ["info", str(root)]):
        run = CliRunner().invoke(cli, args)
        assert (run.exit_code, run.output) == (2, line)
    assert not out.exists()


def test_a_names_key_of_more_digits_than_int_reads_is_an_error_naming_names(tmp_path: Path) -> None:
    """A names key of digits as text (quoted) is read with int(), which refuses more than 4,300 digits
    (ValueError): a key of 5000 digits was an internal error. It is no class id, as a key of other text is not."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text(f"train: images/train\nval: images/train\nnames:\n  '0': a\n  ? '{'9' * 5000}'\n  : b\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.element) == (str(config), "names")
    assert (err.value.message, err.value.found) == ("names keys must be class ids", "'" + "9" * 199)


@pytest.mark.parametrize("names", ["[]", "{}"])
def test_an_empty_names_beside_nc_is_an_nc_mismatch_not_nc_classes(tmp_path: Path, names: str) -> None:
    """names: [] says there is no class, yet beside nc: 3 it was read as nc alone (class_0, class_1, class_2),
    where nc: 3 beside 2 names is an error (as Ultralytics says: 'names' length and 'nc' must match)."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text(f"train: images/train\nval: images/train\nnames: {names}\nnc: 3\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.element) == (str(config), "nc")
    assert (err.value.message, err.value.expected) == ("nc does not match names", "0")
    config.write_text("train: images/train\nval: images/train\nnames:\nnc: 3\n")  # (names: null is no names key)
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["class_0", "class_1", "class_2"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-45", "cannot read the value as timestamp (ValueError: month must be in 1..12)"),
        ("!!bool maybe", "cannot read the value as bool (KeyError: 'maybe')"),
        ("!!float abc", "cannot read the value as float (ValueError: could not convert string to float: 'abc')"),
        ("[1, {b: !!timestamp x}]", "cannot read the value as timestamp (AttributeError: 'NoneType' object has no "),
    ],
)
def test_a_data_yaml_value_its_tag_cannot_make_is_an_error_at_its_line(
    tmp_path: Path, value: str, message: str
) -> None:
    """PyYAML's constructors let Python's errors out (ValueError for a date of month 13, KeyError for !!bool maybe,
    AttributeError for !!timestamp x), with no line: info and convert showed an internal error."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    config = root / "data.yaml"
    config.write_text(f"names: [a]\ntrain: images/train\nval: images/train\nx: {value}\n")
    out = tmp_path / "out"
    for args in (["convert", str(root), str(out), "--to", "coco"], ["info", str(root)]):
        run = CliRunner().invoke(cli, args)
        assert run.exit_code == 2
        assert run.output.startswith(f"labelkit: error: {config}:4: invalid YAML: {message}")
        assert run.output.count("\n") == 1
    assert not out.exists()


def test_an_image_name_longer_than_file_systems_take_is_a_loss_found_when_planning(tmp_path: Path) -> None:
    """A COCO image whose file name is 300 bytes long stopped the write with 'cannot write: File name too long',
    naming the label file, with or without --allow-loss: it is a loss found when the conversion is planned, as a
    name Windows cannot hold is, and --allow-loss writes the other items."""
    long_name = "a" * 300
    doc = {
        "images": [
            {"id": 1, "file_name": f"{long_name}.jpg", "width": 4, "height": 4},
            {"id": 2, "file_name": "b.jpg", "width": 4, "height": 4},
        ],
        "categories": [{"id": 1, "name": "a"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1, "iscrowd": 0}],
    }
    (tmp_path / "instances_val.json").write_text(json.dumps(doc))
    with pytest.raises(DataLossError):
        labelkit.convert(tmp_path / "instances_val.json", tmp_path / "out", to="yolo")
    assert not (tmp_path / "out").exists()
    report = labelkit.convert(tmp_path / "instances_val.json", tmp_path / "out", to="yolo", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("items whose file names are too long", 1),
        ("object annotations on them", 1),
    ]
    assert report.lost[0].reason == (
        "file systems take no file or folder name of more than 255 bytes: they are not written "
        f"(item '1', 'labels/val/{long_name}.txt')"
    )
    assert sorted(p.name for p in (tmp_path / "out/labels/val").iterdir()) == ["b.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_data_yaml_split_naming_a_pipe_is_an_error_at_its_line(tmp_path: Path) -> None:
    """A split value naming a device or pipe (``test: /dev/null``) was 'cannot list folder: Not a directory',
    naming the device, not the data.yaml line that names it."""
    (tmp_path / "images/train").mkdir(parents=True)
    (tmp_path / "labels/train").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(tmp_path / "images/train/a.jpg")
    (tmp_path / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "data.yaml").write_text("names: [a]\ntrain: images/train\ntest: pipe\n")
    with pytest.raises(InputError) as caught:
        labelkit.load(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'data.yaml'}:3: data.yaml's test names neither a folder nor a file (a device, pipe or "
        "socket) (found 'pipe'); hint: name the test split's images folder (test: images/test) or list of images"
    )


_NAME_PART = st.sampled_from(
    ["a", "b.jpg", ".", "..", "", "images", "train", "x.y.png", ".hid", "é", "c:", "a\\b", " "]
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.none() | st.lists(_NAME_PART, min_size=1, max_size=4).map("/".join) | _NAME_PART,
            st.sampled_from([None, "", "train", "val", "a/b"]),
        ),
        min_size=1,
        max_size=8,
    ),
    layout=st.sampled_from(["ultralytics", "darknet"]),
)
@example(
    rows=[("images/train/a.jpg", "val"), ("images/val/a.png", "val"), ("train/b.jpg", "val"), ("b.jpg", "val")],
    layout="ultralytics",
)
@example(rows=[("/images", None), ("images", None)], layout="ultralytics")  # (a bare name kept whole, not images_)
def test_item_files_are_each_items_image_name_and_label_file(
    rows: list[tuple[str | None, str | None]], layout: str
) -> None:
    """Bare file names are named in bulk, the others one at a time: both give what the per-item rules give."""
    from labelkit.formats.yolo_layout import without_extension
    from labelkit.formats.yolo_write import image_names, item_files

    ds = Dataset(categories=[Category(id=0, name="a")])
    for n, (path, split) in enumerate(rows):
        ds.add_item(Item(id=f"{n}:{path}", media=Media(path=path), split=split))
    files = item_files(ds, {"layout": layout, "split": "dflt"})
    splits = [s or "dflt" for _, s in rows]
    names = image_names([p for p, _ in rows], [f"{n}:{p}" for n, (p, _) in enumerate(rows)], splits)
    top = ("obj_{}_data", "obj_{}_data") if layout == "darknet" else ("images/{}", "labels/{}")
    assert files.image_rel == [f"{top[0].format(s)}/{n}" for s, n in zip(splits, names, strict=True)]
    labels = [f"{top[1].format(s)}/{without_extension(n)}.txt" for s, n in zip(splits, names, strict=True)]
    assert files.label_rel == labels
    assert files.folders == {r.rpartition("/")[0] for r in labels}


_EDGE_VALUES = st.sampled_from([-1.0, -1e-13, 0.0, 0.5, 2.0, 3.0, 3.0 + 1e-13, 3.5, 4.0, 4.0 + 1e-12, 1e300])


@settings(max_examples=200, deadline=None)
@given(
    objects=st.lists(
        st.tuples(
            st.none()
            | st.lists(  # rings, short ones too
                st.lists(st.tuples(_EDGE_VALUES, _EDGE_VALUES), max_size=5).map(lambda p: [v for xy in p for v in xy]),
                max_size=3,
            ),
            st.none() | st.tuples(_EDGE_VALUES, _EDGE_VALUES, st.sampled_from([0.5, 1.0, 5.0])),  # box x, y, side
            st.sampled_from([0.0, 0.0, 30.0]),  # angle
        ),
        min_size=1,
        max_size=6,
    )
)
@example(objects=[([[-1.0, 0.0, 2.0, 2.0, 3.0, 4.0]], None, 0.0), ([[0.0, 0.0, 2.0, 2.0, 3.0, 4.0]], None, 0.0)])
@example(objects=[([[0.5, 0.5, 3.5, 2.0, 3.0, 4.0]], (0.0, 0.0, 1.0), 0.0), (None, (2.0, 3.0, 5.0), 30.0)])
def test_segment_clipping_is_found_by_looking_only_at_rows_with_a_point_outside(
    objects: list[tuple[list[list[float]] | None, tuple[float, float, float] | None, float]],
) -> None:
    """The plan marks the lines that clip a point without forming the others: the rows it marks are the ones
    forming every line marks."""
    from labelkit.formats.yolo_lines import Lines, columns

    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=3, height=4)))
    for n, (rings, box, angle) in enumerate(objects):
        bbox = (box[0], box[1], box[2], box[2]) if box and all(np.isfinite(box)) else None
        ds.add(Object(id=str(n), item_id="a", category_id=0, polygon=rings, bbox=bbox, angle=angle if bbox else 0.0))
    cols = columns(ds, "segment")
    usable = np.flatnonzero(cols.usable)
    filtered, whole = Lines(ds, "segment", cols, None, 3), Lines(ds, "segment", cols, None, 3)
    filtered.mark_clipped(usable)
    whole.values(usable)
    assert filtered.clipped.tolist() == whole.clipped.tolist()


@pytest.mark.parametrize("task", ["segment", "obb", "pose"])
def test_a_plan_of_coordinates_near_the_float_limit_warns_nothing(task: str) -> None:
    """numpy's overflow warnings (a ring's bounds, a value's decimals) went to stderr: the library prints nothing."""
    import warnings

    ds = Dataset(categories=[Category(id=0, name="c", keypoints=["a"])])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(
        Object(id="1", item_id="a", category_id=0, polygon=[[-1e308, 0.0, 1e308, 0.0, 0.0, 5.0]], bbox=(0, 0, 5, 5)),
        Object(id="2", item_id="a", category_id=0, polygon=[[1.0, 1, 1.7e308, 1, 1.7e308, 1.7e308]]),
        Object(id="3", item_id="a", category_id=0, bbox=(1, 1, 2, 2), keypoints=[1e308, 1.0, 2.0]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = labelkit.plan(ds, "yolo", task=task)
    clipped = [c.count for c in report.transformed if c.reason.startswith("coordinates outside the image")]
    assert clipped == [{"segment": 2, "obb": 1, "pose": 2}[task]]


def test_obb_writes_the_bounds_of_a_polygon_near_the_float_limit_as_numbers(tmp_path: Path) -> None:
    """Its bounds' width overflows to infinity: the corners were x + w/2 - w/2, NaN, written 'null'."""
    import warnings

    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="a", category_id=0, polygon=[[-1.7e308, 1.0, 1.7e308, 1.0, 1.7e308, 1.7e308]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelkit.save(ds, tmp_path / "out", "yolo", task="obb", allow_loss=True)
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text() == "0 0.0 0.1 1.0 0.1 1.0 1.0 0.0 1.0\n"


@pytest.mark.parametrize("task", ["detect", "pose"])
def test_a_huge_turned_box_is_written_as_its_image_clipped_not_null(task: str, tmp_path: Path) -> None:
    """Its turned corners pass float64's limit: a bound of -inf and a width of inf made x + w NaN, which was
    written 'null' (`0 null 0.5 null 1.0`), and numpy warned of overflow. Corners are clamped to the largest float:
    the box covers the image, reported clipped. (The box was (-1.7e308, 1, 1.7e308, 1.7e308): turned 30 degrees
    about its centre, 1.2e308 from the image, it covers none of it, as the turned box's own axes show since
    2026-12-07: only its bounds did. This one, centred 0.8e308 from the image, covers it.)"""
    import warnings

    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=(-1.65e308, -0.85e308, 1.7e308, 1.7e308), angle=30.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = labelkit.save(ds, tmp_path / "out", "yolo", task=task, allow_loss=True)
    assert (tmp_path / "out" / "labels" / "train" / "a.txt").read_text() == "0 0.5 0.5 1.0 1.0\n"
    clipped = [c.count for c in report.transformed if c.reason.startswith("coordinates outside the image")]
    assert clipped == [1]


def test_a_labelimg_folder_with_a_bad_line_is_detected_and_the_line_named(tmp_path: Path) -> None:
    """It was "no format recognises this input": detection passed over the folder for the bad file."""
    for name in ("a", "b"):
        Image.new("RGB", (20, 10)).save(tmp_path / f"{name}.jpg")
    (tmp_path / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "b.txt").write_text("0 0.5 0.5 0.2 0.2\n1 0.5 0.5 0.2\n")
    (tmp_path / "classes.txt").write_text("cat\ndog\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "b.txt"), 2)
    assert err.value.message.startswith("wrong number of fields for YOLO")


@pytest.mark.parametrize(
    ("nc", "names", "classes", "error"),
    [
        ("80.0", None, [f"class_{i}" for i in range(80)], None),  # was: 4 classes, from the labels' ids
        ("2.0", "[a, b]", ["a", "b"], None),
        ("3.0", "[a, b]", None, ("nc does not match names", "2", None)),  # was: read, nc unchecked
        ("'2'", "[a, b]", None, ("nc must be a class count", "a whole number", "'2'")),  # was: read, unchecked
        ("2.5", None, None, ("nc must be a class count", "a whole number", "2.5")),
        ("[2]", "[a, b]", None, ("nc must be a class count", "a whole number", "[2]")),
        ("true", None, None, ("nc must be a class count", "a whole number", "True")),  # was: 1 class
        ("yes", "[a]", None, ("nc must be a class count", "a whole number", "True")),  # (YAML 1.1's true)
    ],
)
def test_an_nc_written_otherwise_than_as_an_integer_is_checked(
    tmp_path: Path, nc: str, names: str | None, classes: list[str] | None, error: tuple[str, str, str | None] | None
) -> None:
    """nc was checked only when YAML made an int of it: nc: 80.0 without names gave the classes the labels'
    ids name (4, not 80), and nc: 3.0 or '2' beside two names was read, where Ultralytics refuses both."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "images" / "train" / "a.jpg")
    (root / "labels" / "train" / "a.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    config = root / "data.yaml"
    config.write_text(
        f"train: images/train\nval: images/train\nnc: {nc}\n" + (f"names: {names}\n" if names is not None else "")
    )
    if error is None:
        assert [c.name for c in labelkit.load(root, "yolo").categories] == classes
        return
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.location.path, err.value.location.element) == (str(config), "nc")
    assert (err.value.message, err.value.expected, err.value.found) == error


def test_avif_and_jp2_images_in_folders_are_read_as_ultralytics_reads_them(tmp_path: Path) -> None:
    """Ultralytics 8.3 reads .avif, .jp2 and .jpeg2000 images (its COCO12-Formats set holds them), in a split's
    folder as in a list: only lists read them, so in images/train/ their label files were 'image not found', and
    media=copy left them out of the output. A classify folder's are passed over with a note: Ultralytics lists a
    classify split's images with torchvision's ImageFolder, which does not list them."""
    root = tmp_path / "ds"
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    for name, kind in (("a.avif", "AVIF"), ("b.JP2", "JPEG2000"), ("c.jpeg2000", "JPEG2000"), ("d.jpg", "JPEG")):
        Image.new("RGB", (20, 10)).save(root / "images" / "train" / name, format=kind)
        (root / "labels" / "train" / name).with_suffix(".txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [x]\n")
    ds = labelkit.load(root, "yolo")
    assert [(i.id, i.media.path, i.media.width) for i in ds.items()] == [
        ("a", "images/train/a.avif", 20),
        ("b", "images/train/b.JP2", 20),
        ("c", "images/train/c.jpeg2000", 20),
        ("d", "images/train/d.jpg", 20),
    ]
    assert [(o.item_id, o.bbox) for o in ds.objects()] == [(k, (8.0, 4.0, 4.0, 2.0)) for k in "abcd"]
    labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=str(root))
    assert sorted(p.name for p in (tmp_path / "out" / "images" / "train").iterdir()) == [
        "a.avif",
        "b.JP2",
        "c.jpeg2000",
        "d.jpg",
    ]
    assert not (tmp_path / "out" / "image_sizes.json").exists()
    classify = tmp_path / "classify"
    (classify / "train" / "cat").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(classify / "train" / "cat" / "a.avif")
    Image.new("RGB", (20, 10)).save(classify / "train" / "cat" / "b.jpg")
    read = labelkit.load(classify, "yolo")
    assert [i.media.path for i in read.items()] == ["train/cat/b.jpg"]
    assert [n.split(" (")[0] for n in read.read_notes] == [
        "1 images in class folders are of an extension Ultralytics' classify reader does not list"
    ]


def test_darknet_classes_gives_the_class_count_when_the_names_file_is_missing(tmp_path: Path) -> None:
    """Without obj.names the classes were class_0 up to the labels' highest id (1 here, not obj.data's 3), so a
    Darknet dataset written back said classes = 1; data.yaml's nc alone gives nc classes."""
    (tmp_path / "obj").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "obj" / "a.jpg")
    (tmp_path / "obj" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "train.txt").write_text("obj/a.jpg\n")
    (tmp_path / "obj.data").write_text("classes = 3\ntrain = train.txt\nnames = obj.names\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [c.name for c in ds.categories] == ["class_0", "class_1", "class_2"]
    assert ds.read_notes == [
        "obj.data's names = obj.names names no file found: its classes are named class_0, class_1, ..."
    ]
    labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet")
    assert (tmp_path / "out" / "obj.data").read_text().splitlines()[0] == "classes = 3"
    (tmp_path / "obj" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "obj" / "a.txt"), 2)
    assert err.value.message == "class id 3 is beyond names (3 classes)"
    (tmp_path / "obj.data").write_text("classes = 3x\ntrain = train.txt\n")  # (not a count: the labels' ids)
    assert [c.name for c in labelkit.load(tmp_path, "yolo").categories] == ["class_0", "class_1", "class_2", "class_3"]


def test_dota_header_lines_are_named_in_a_read_note(tmp_path: Path) -> None:
    """DOTA v1.0 and v1.5 labelTxt files start with imagesource: and gsd: lines (the ground sample distance):
    they were passed over without a word, so a conversion dropped each image's gsd unsaid."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labelTxt").mkdir()
    for name in ("P0001", "P0002"):
        Image.new("RGB", (100, 50)).save(tmp_path / "images" / f"{name}.png")
    (tmp_path / "labelTxt" / "P0001.txt").write_text("10 10 50 10 50 30 10 30 plane 0\n")
    (tmp_path / "labelTxt" / "P0002.txt").write_text(
        "imagesource:GoogleEarth\ngsd:0.146343590398\n10 10 50 10 50 30 10 30 ship 1\n"
    )
    ds = labelkit.load(tmp_path, "yolo")
    assert [(o.item_id, o.bbox) for o in ds.objects()] == [
        ("P0001", (10.0, 10.0, 40.0, 20.0)),
        ("P0002", (10.0, 10.0, 40.0, 20.0)),
    ]
    assert ds.read_notes == [
        "2 DOTA header lines (imagesource:, gsd:) not read ('imagesource:GoogleEarth' at labelTxt/P0002.txt:1 "
        "first): labelkit keeps a labelTxt file's objects only"
    ]
    (tmp_path / "labelTxt" / "P0002.txt").write_text("gsd:null\n10 10 50 10 50 30 10 30 ship 1\n")
    assert labelkit.load(tmp_path, "yolo").read_notes == [
        "1 DOTA header line (imagesource:, gsd:) not read ('gsd:null' at labelTxt/P0002.txt:1): labelkit keeps a "
        "labelTxt file's objects only"
    ]


def test_a_dota_label_file_without_its_image_is_sized_by_the_side_file_or_named_in_a_read_note(tmp_path: Path) -> None:
    """labelTxt/P2.txt without images/P2.png was read as an item of no path and no size, without a word, and an
    image_sizes.json naming images/P2.png was not looked at (it is for labels/ folders)."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labelTxt").mkdir()
    Image.new("RGB", (100, 80)).save(tmp_path / "images/P1.png")
    for name in ("P1", "P2", "P3"):
        (tmp_path / "labelTxt" / f"{name}.txt").write_text("10 10 20 10 20 20 10 20 plane 0\n")
    (tmp_path / "image_sizes.json").write_text('{"images/P2.png": [300, 200]}')
    ds = labelkit.load(tmp_path, "yolo")
    assert [(i.id, i.media.path, i.media.width, i.media.height) for i in ds.items()] == [
        ("P1", "images/P1.png", 100, 80),
        ("P2", "images/P2.png", 300, 200),
        ("P3", None, None, None),
    ]
    assert ds.read_notes == [
        "1 label files have no image (labelTxt/P3.txt first): their items have no image path and no size; give the "
        "images, or an image_sizes.json naming them"
    ]


def test_dota_class_names_are_looked_up_in_a_dict_each_the_first_of_its_name(tmp_path: Path) -> None:
    """A DOTA line's class name was searched for in the list of names (twice) on every line: a dataset of thousands
    of class names took minutes (32,000 lines of 32,000 names: 22 s). Each name keeps its first index, as
    ``list.index`` gave it, a names file's repeated name included; names new in a later file join after them."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labelTxt").mkdir()
    (tmp_path / "classes.txt").write_text("a\nb\na\n")
    box = "1 1 5 1 5 5 1 5"
    lines = {
        "x": ["b", "c"] + [f"n{i}" for i in range(2000)],
        "y": ["c", "a", "d"] + [f"n{i}" for i in range(1999, -1, -2)],
    }
    for name, classes in lines.items():
        Image.new("RGB", (100, 50)).save(tmp_path / "images" / f"{name}.png")
        (tmp_path / "labelTxt" / f"{name}.txt").write_text("".join(f"{box} {c} 0\n" for c in classes))
    ds = labelkit.load(tmp_path, "yolo")
    names = {c.id: c.name for c in ds.categories}
    assert [names[i] for i in range(5)] == ["a", "b", "a", "c", "n0"]
    assert len(names) == 2005 and names[2004] == "d"
    got = [(o.item_id, names[o.category_id]) for o in ds.objects()]
    assert got == [(item, c) for item, classes in lines.items() for c in classes]
    assert [o.category_id for o in ds.objects()][len(lines["x"]) : len(lines["x"]) + 3] == [3, 0, 2004]
    parsed = yolo_parse.Parsed()
    yolo_parse.parse_dota(f"{box} q 0\n{box} q 0\n".encode(), "a.txt", 0, parsed, seen := ["p"])
    assert (parsed.classes, seen, parsed.dota_index) == ([1, 1], ["p", "q"], {"p": 0, "q": 1})


def test_darknet_lists_a_val_named_split_under_valid_and_reads_it_back_so(tmp_path: Path) -> None:
    """A split named val2017 was listed as 'val2017 = val2017.txt', a key Darknet does not read: it validated on
    train's images, unsaid (data.yaml's val points at it)."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for split in ("train", "val2017"):
        ds.add_item(Item(id=split, split=split, media=Media(path=f"{split}.jpg", width=9, height=9)))
    report = labelkit.save(ds, tmp_path / "out", "yolo", layout="darknet")
    assert report.notes == []
    assert (tmp_path / "out" / "obj.data").read_text().splitlines()[1:3] == ["train = train.txt", "valid = val2017.txt"]
    assert sorted(i.split for i in labelkit.load(tmp_path / "out").items()) == ["train", "val2017"]


def test_a_label_whose_image_differs_only_in_case_names_the_image_in_the_hint(tmp_path: Path) -> None:
    """images/train/X.JPG beside labels/train/x.txt: the hint said 'provide the images', though the image is there."""
    (tmp_path / "images" / "train").mkdir(parents=True)
    (tmp_path / "labels" / "train").mkdir(parents=True)
    Image.new("RGB", (9, 9)).save(tmp_path / "images" / "train" / "X.JPG", "JPEG")
    (tmp_path / "labels" / "train" / "x.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "data.yaml").write_text("train: images/train\nnames: [a]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path)
    assert err.value.location.path == str(tmp_path / "labels" / "train" / "x.txt")
    assert err.value.hint == "images/train/X.JPG differs from it only in case: rename one to match"


def test_voc_images_are_written_where_darknet_finds_their_labels(tmp_path: Path) -> None:
    """Darknet (AlexeyAB's) looks for the labels of .../JPEGImages/a.jpg in .../labels/a.txt: a VOC dataset
    written as obj_train_data/JPEGImages/a.jpg with its a.txt beside it trained on unlabelled images, unsaid
    (and every VOC -> YOLO conversion renamed the items JPEGImages/<id>)."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    voc_image = Media(path="JPEGImages/2007_000001.jpg", width=8, height=8)
    ds.add_item(Item(id="2007_000001", split="train", media=voc_image))
    ds.add_item(Item(id="b", split="train", media=Media(path="VOC2007/JPEGImages/b.jpg", width=8, height=8)))
    ds.add(Object(id="1", item_id="2007_000001", category_id=0, bbox=(2.0, 2.0, 4.0, 4.0)))
    darknet = labelkit.save(ds, tmp_path / "darknet", "yolo", layout="darknet")
    assert (tmp_path / "darknet" / "train.txt").read_text().splitlines() == [
        "obj_train_data/2007_000001.jpg",
        "obj_train_data/VOC2007/JPEGImages_/b.jpg",
    ]
    assert (tmp_path / "darknet" / "obj_train_data" / "2007_000001.txt").read_text() == "0 0.5 0.5 0.5 0.5\n"
    assert (tmp_path / "darknet" / "obj_train_data" / "VOC2007" / "JPEGImages_" / "b.txt").read_bytes() == b""
    assert [(c.what, c.count) for c in darknet.transformed] == [("item ids", 2), ("image paths", 2)]
    assert [i.id for i in labelkit.load(tmp_path / "darknet").items()] == [
        "obj_train_data/2007_000001",
        "obj_train_data/VOC2007/JPEGImages_/b",
    ]
    ultralytics = labelkit.save(ds, tmp_path / "ultralytics", "yolo")
    # (b's id: VOC2007/JPEGImages/b; JPEGImages/2007_000001.jpg read back as images/train/2007_000001.jpg)
    assert [(c.what, c.count) for c in ultralytics.transformed] == [("item ids", 1), ("image paths", 1)]
    back = labelkit.load(tmp_path / "ultralytics")
    assert [(i.id, i.media.path) for i in back.items()] == [
        ("2007_000001", "images/train/2007_000001.jpg"),
        ("VOC2007/JPEGImages/b", "images/train/VOC2007/JPEGImages/b.jpg"),
    ]
    assert [(o.item_id, o.bbox) for o in back.objects()] == [("2007_000001", (2.0, 2.0, 4.0, 4.0))]


@pytest.mark.parametrize("images", ["Images", "Images/val"])
def test_a_loose_images_folder_is_no_part_of_the_ids_written(images: str, tmp_path: Path) -> None:
    """Datumaro's loose layout (Images/ + Annotations/ + obj.names): YOLO -> YOLO wrote Images/1.jpg as
    images/<split>/Images_/1.jpg, renaming every item Images_/1 (reported, but a same-format round trip)."""
    src = tmp_path / "src"
    (src / images).mkdir(parents=True)
    (src / images.replace("Images", "Annotations")).mkdir(parents=True)
    Image.new("RGB", (10, 5)).save(src / images / "1.jpg")
    (src / images.replace("Images", "Annotations") / "1.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (src / "obj.names").write_text("a\n")
    ds = labelkit.load(src, "yolo")
    report = labelkit.save(ds, tmp_path / "out", "yolo")
    assert [c.what for c in report.transformed] == ["image paths"] + ([] if "/" in images else ["item splits"])
    split = next(ds.items()).split or "train"
    assert (tmp_path / "out" / "labels" / split / "1.txt").read_text() == "0 0.5 0.5 0.2 0.2\n"
    assert [(i.id, i.split) for i in labelkit.load(tmp_path / "out").items()] == [("1", split)]


@pytest.mark.parametrize(
    ("layout", "note"),
    [
        (
            "ultralytics",
            "5 images written that Ultralytics passes over ('images/train/b.jfif' first): of no image extension it "
            "reads, or hidden (a file or folder name starting with '.', which its glob skips), so it trains on none "
            "of their labels",
        ),
        (
            "darknet",
            "3 images written of no image extension YOLO trainers read ('obj_train_data/b.jfif' first): Darknet finds "
            "no label file for them",
        ),
    ],
)
def test_images_placed_where_trainers_do_not_take_them_are_named_in_a_note(
    layout: str, note: str, tmp_path: Path
) -> None:
    """media=copy of a.gif (or Windows' a.jfif), or of a hidden .a.jpg, made the 'trainable tree' the README
    promises without a word, though Ultralytics passes over such files (its glob skips hidden names) and Darknet
    finds no label file for the former: their labels train nothing."""
    (tmp_path / "src" / ".cache").mkdir(parents=True)
    ds = Dataset(categories=[Category(id=0, name="a")])
    for name in ("b.jfif", "a.gif", "c.jpg", "d.gif", ".e.jpg", ".cache/f.png"):
        Image.new("RGB", (8, 8)).save(tmp_path / "src" / name, "GIF" if name.endswith("gif") else "PNG")
        ds.add_item(Item(id=name, split="train", media=Media(path=name, width=8, height=8)))
    ds.add_item(Item(id="g", split="train", media=Media(width=8, height=8)))  # (no image: none placed)
    ds.add(Object(id="1", item_id="a.gif", category_id=0, bbox=(2.0, 2.0, 4.0, 4.0)))
    options = {"layout": layout, "media": "copy", "media_root": tmp_path / "src"}
    assert note in labelkit.plan(ds, "yolo", **options).notes
    assert note in labelkit.save(ds, tmp_path / "out", "yolo", **options).notes
    back = labelkit.load(tmp_path / "out")
    read_id = "obj_train_data/a" if layout == "darknet" else "a"
    assert [(o.item_id, o.bbox) for o in back.objects()] == [(read_id, (2.0, 2.0, 4.0, 4.0))]
    assert not [n for n in labelkit.plan(ds, "yolo", layout=layout).notes if "images written" in n]  # (media=none)


def test_darknet_lists_of_voc_images_read_their_labels_where_darknet_does(tmp_path: Path) -> None:
    """Darknet's VOC set (voc_label.py): a list names VOCdevkit/VOC2007/JPEGImages/a.jpg, whose labels Darknet
    reads from VOCdevkit/VOC2007/labels/a.txt; labelkit looked beside the image only, and read every image of
    the set as one without objects, without a word."""
    voc = tmp_path / "VOCdevkit" / "VOC2007"
    (voc / "JPEGImages").mkdir(parents=True)
    (voc / "labels").mkdir()
    for name in ("a", "b"):
        Image.new("RGB", (10, 10)).save(voc / "JPEGImages" / f"{name}.jpg")
    (voc / "labels" / "a.txt").write_text("1 0.5 0.5 0.2 0.4\n")
    (voc / "JPEGImages" / "b.txt").write_text("0 0.5 0.5 0.2 0.4\n")  # (beside its image: read there, as before)
    (tmp_path / "voc.names").write_text("aeroplane\nbicycle\n")
    (tmp_path / "2007_train.txt").write_text("VOCdevkit/VOC2007/JPEGImages/a.jpg\nVOCdevkit/VOC2007/JPEGImages/b.jpg\n")
    (tmp_path / "obj.data").write_text("classes = 2\ntrain = 2007_train.txt\nnames = voc.names\n")
    ds = labelkit.load(tmp_path, "yolo")
    assert [(o.item_id, o.category_id, o.bbox) for o in ds.objects()] == [
        ("VOCdevkit/VOC2007/JPEGImages/a", 1, (4.0, 3.0, 2.0, 4.0)),
        ("VOCdevkit/VOC2007/JPEGImages/b", 0, (4.0, 3.0, 2.0, 4.0)),
    ]
    # an Ultralytics folder holding a JPEGImages folder keeps its labels where Ultralytics looks
    (tmp_path / "u" / "images" / "train" / "JPEGImages").mkdir(parents=True)
    (tmp_path / "u" / "labels" / "train" / "JPEGImages").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "u" / "images" / "train" / "JPEGImages" / "c.jpg")
    (tmp_path / "u" / "labels" / "train" / "JPEGImages" / "c.txt").write_text("0 0.5 0.5 0.2 0.4\n")
    (tmp_path / "u" / "data.yaml").write_text("train: images/train\nval: images/train\nnames: [a]\n")
    assert [o.item_id for o in labelkit.load(tmp_path / "u").objects()] == ["JPEGImages/c"]


def _darknet_voc_set(root: Path, config: str) -> None:
    """Darknet's VOC set as its cfg/voc.data names it: lists of absolute paths on pjreddie's machine."""
    voc = root / "VOCdevkit" / "VOC2007"
    (voc / "JPEGImages").mkdir(parents=True)
    (voc / "labels").mkdir()
    for name in ("a", "b"):
        Image.new("RGB", (10, 10)).save(voc / "JPEGImages" / f"{name}.jpg")
    (voc / "labels" / "a.txt").write_text("1 0.5 0.5 0.2 0.4\n")
    (root / "2007_test.txt").write_text("/home/pjreddie/data/voc/VOCdevkit/VOC2007/JPEGImages/b.jpg\n")
    (root / "data").mkdir()
    (root / "data" / "voc.names").write_text("aeroplane\nbicycle\n")
    (root / "train.txt").write_text("/home/pjreddie/data/voc/VOCdevkit/VOC2007/JPEGImages/a.jpg\n")
    (root / config).write_text(
        "classes= 2\ntrain  = /home/pjreddie/data/voc/train.txt\nvalid  = /home/pjreddie/data/voc/2007_test.txt\n"
        "names = data/voc.names\nbackup = backup\n"
    )


@pytest.mark.parametrize("config", ["voc.data", "coco.data"])
def test_a_darknet_data_file_of_another_name_is_read_as_obj_data(tmp_path: Path, config: str) -> None:
    """Only ``obj.data`` was recognised: Darknet's own ``cfg/voc.data`` (``coco.data``) left the folder a flat
    one, whose reader took ``train.txt`` for a label file (``train.txt:1: class id must be a non-negative
    integer``, naming the wrong file), or no format recognised it."""
    _darknet_voc_set(tmp_path, config)
    for source in (tmp_path, tmp_path / config):
        assert yolo.detect(source) is not None
        ds = labelkit.load(source, "yolo")
        assert [(i.id, i.split) for i in ds.items()] == [
            ("VOCdevkit/VOC2007/JPEGImages/a", "train"),
            ("VOCdevkit/VOC2007/JPEGImages/b", "valid"),
        ]
        assert [(o.category_id, o.bbox) for o in ds.objects()] == [(1, (4.0, 3.0, 2.0, 4.0))]
        assert [c.name for c in ds.categories] == ["aeroplane", "bicycle"]
    assert labelkit.load(tmp_path).table("objects").num_rows == 1  # (detected)
    # errors and notes name the file read
    assert any(n.startswith(f"{config} names files outside the dataset") for n in labelkit.load(tmp_path).read_notes)
    (tmp_path / "train.txt").unlink()
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert err.value.message == "unsafe file name '/home/pjreddie/data/voc/train.txt'"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / config), 2)
    (tmp_path / config).write_text("train = train.txt\nnames = data/voc.names\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert err.value.message == f"none of the image lists named in {config} exist"
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / config), 1)


def test_a_data_file_without_names_and_a_list_is_no_darknet_config(tmp_path: Path) -> None:
    """A ``*.data`` file of other keys (or of several, not the one named as the folder) is not taken for one."""
    _darknet_voc_set(tmp_path / "set", "voc.data")
    (tmp_path / "set" / "other.data").write_text("classes = 2\ntrain = t.txt\nnames = x.names\n")
    with pytest.raises(InputError):  # (two Darknet data files, neither named as the folder: none is read)
        labelkit.load(tmp_path / "set", "yolo")
    (tmp_path / "set" / "other.data").write_text("top = 5\nmap = data/coco.map\n")
    assert labelkit.load(tmp_path / "set", "yolo").table("objects").num_rows == 1
    (tmp_path / "set" / "set.data").write_text((tmp_path / "set" / "voc.data").read_text())
    (tmp_path / "set" / "other.data").write_text("classes = 2\ntrain = t.txt\nnames = x.names\n")
    assert labelkit.load(tmp_path / "set", "yolo").table("objects").num_rows == 1  # (set.data: the folder's name)


def test_obb_writes_a_closed_ring_of_4_corners_as_its_corners(tmp_path: Path) -> None:
    """A closed ring (the last point repeating the first, as shapely and GeoJSON write polygons) of 4 corners
    was reported as a lost polygon and written as its bounds: the rotation was lost. It is the 4 corners, and
    the closing point not written is reported as transformed; a ring of 5 other points is still no quad."""
    quad = [20.0, 10.0, 50.0, 40.0, 40.0, 50.0, 10.0, 20.0]
    ds = _negative_box_dataset(
        100,
        Object(id="1", item_id="i", category_id=0, shape="polygon", polygon=[quad + quad[:2]]),
        Object(id="2", item_id="i", category_id=0, shape="polygon", polygon=[quad]),
        Object(id="3", item_id="i", category_id=0, shape="polygon", polygon=[quad + [20.0, 11.0]]),
        # (a negative box is not written in place of a closed 4-corner ring: the corners are)
        Object(id="4", item_id="i", category_id=0, shape="polygon", bbox=(30, 30, -5, 10), polygon=[quad + quad[:2]]),
    )
    plan = labelkit.plan(ds, "yolo", task="obb")
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="obb", allow_loss=True)
    for done in (plan, report):
        assert [(c.what, c.count) for c in done.lost] == [("polygons", 1)]
        assert ("closed 4-corner polygons", 2) in [(c.what, c.count) for c in done.transformed]
    corners = "0 0.2 0.1 0.5 0.4 0.4 0.5 0.1 0.2\n"
    bounds = "0 0.1 0.1 0.5 0.1 0.5 0.5 0.1 0.5\n"
    assert (tmp_path / "o/labels/train/i.txt").read_text() == corners * 2 + bounds + corners
    back = [(o.bbox, o.angle) for o in labelkit.load(tmp_path / "o").objects()]
    assert back[0] == back[1] == back[3] == (pytest.approx((8.7868, 22.9289, 42.4264, 14.1421), abs=1e-4), 45.0)


@pytest.mark.parametrize("dims", [3, 2])
def test_pose_without_any_keypoints_is_noted_and_reads_back_classes_without_keypoints(
    tmp_path: Path, dims: int
) -> None:
    """COCO instances -> YOLO pose wrote ``kpt_shape: [0, 3]`` without a word, and reading it back gave every
    class ``keypoints=[]`` where the dataset had none (``None``). The report notes the shape written (a plan's
    too), and a ``[0, D]`` reads back as classes without keypoints: a same-format round trip."""
    ds = Dataset(categories=[Category(id=0, name="cat"), Category(id=1, name="dog")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 2.0, 2.0)))
    note = (
        f"no object or class has keypoints: data.yaml's kpt_shape is [0, {dims}] and each line holds a box alone, "
        "as YOLO detect's do (a pose model learns no keypoint from them)"
    )
    assert note in labelkit.plan(ds, "yolo", task="pose", kpt_dims=str(dims)).notes
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="pose", kpt_dims=str(dims))
    assert note in report.notes and not report.lost
    assert yaml.safe_load((tmp_path / "o/data.yaml").read_text())["kpt_shape"] == [0, dims]
    back = labelkit.load(tmp_path / "o")
    assert [(c.name, c.keypoints) for c in back.categories] == [("cat", None), ("dog", None)]
    assert [(o.category_id, o.keypoints) for o in back.objects()] == [(1, None)]
    again = labelkit.save(back, tmp_path / "again", "yolo")
    assert note in again.notes and not again.lost
    assert (tmp_path / "again/data.yaml").read_text() == (tmp_path / "o/data.yaml").read_text()


@pytest.mark.parametrize("media", ["copy", "link"])
def test_a_plan_reports_objects_normalised_by_a_size_their_image_file_differs_from(tmp_path: Path, media: str) -> None:
    """With media=copy, only the write reported the objects of an item whose image file is of another size (a
    reader normalises by the file's): a plan (and a dry run) said nothing of them. Both report them, once."""
    (tmp_path / "src").mkdir()
    Image.new("RGB", (40, 20)).save(tmp_path / "src/a.jpg")
    Image.new("RGB", (20, 10)).save(tmp_path / "src/b.jpg")
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for name in ("a", "b"):
        ds.add_item(Item(id=name, media=Media(path=f"{name}.jpg", width=20, height=10), split="train"))
    for n, name in enumerate("aab"):
        ds.add(Object(id=str(n), item_id=name, category_id=0, bbox=(1.0, 1.0, 5.0, 5.0)))
    options = {"media": media, "media_root": tmp_path / "src"}
    expected = [
        (
            "objects",
            2,
            "normalised by their item's size, which their image file's differs from: they read back scaled to the file",
        )
    ]
    plan = labelkit.plan(ds, "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", **options)
    for done in (plan, report):
        assert [(c.what, c.count, c.reason) for c in done.transformed if c.what == "objects"] == expected
    assert [o.bbox for o in labelkit.load(tmp_path / "o").objects()][0] == (2.0, 2.0, 10.0, 10.0)
    # an image a reader cannot read is refused by the write, naming the file copied, and by a plan (its sizes are
    # read again: not those of the plan before), which passed it over
    (tmp_path / "src/b.jpg").write_bytes(b"not an image")
    with pytest.raises(InputError) as planned:
        labelkit.plan(ds, "yolo", **options)
    with pytest.raises(InputError) as err:
        labelkit.save(ds, tmp_path / "o2", "yolo", **options)
    assert err.value.location.path == str(tmp_path / "src/b.jpg")
    assert str(planned.value) == str(err.value)
    assert not (tmp_path / "o2").exists()


def test_segment_does_not_trace_a_mask_of_another_size_than_its_image(tmp_path: Path) -> None:
    """A mask of 4x4 pixels on a 16x8 image (VOC PNGs of another size) was traced at the mask's pixels and
    normalised by the image's size, without a word: its ring was drawn elsewhere. As COCO and VOC do, the mask
    is reported lost and the object's box is written; without a box, the object is lost (counted once)."""
    mask = Rle(size=(4, 4), counts=[0, 2, 2, 2, 10])  # (pixels 0-1 of columns 0-1: a 2x2 square)
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=16, height=8), split="train"))
    ds.add(Object(id="1", item_id="i", category_id=0, shape="mask", bbox=(4.0, 2.0, 4.0, 4.0), mask=mask))
    ds.add(Object(id="2", item_id="i", category_id=0, shape="mask", mask=mask))
    ds.add_item(Item(id="j", media=Media(path="j.jpg", width=4, height=4), split="train"))
    ds.add(Object(id="3", item_id="j", category_id=0, shape="mask", mask=mask))  # (of its image's size: traced)
    expected = [
        (
            "masks of another size than their image",
            1,
            "YOLO segment normalises a ring by its image's size: traced at the mask's pixels, it would be drawn "
            "elsewhere; the object's box is written",
        ),
        ("objects without a box or polygon or traceable mask", 1, "YOLO segment needs coordinates"),
    ]
    plan = labelkit.plan(ds, "yolo", task="segment")
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo", task="segment")
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    for done in (plan, report):
        assert sorted((c.what, c.count, c.reason) for c in done.lost) == sorted(expected)
        assert ("masks", 1) in [(c.what, c.count) for c in done.transformed]
    assert (tmp_path / "o/labels/train/i.txt").read_text() == "0 0.25 0.25 0.5 0.25 0.5 0.75 0.25 0.75\n"
    assert (tmp_path / "o/labels/train/j.txt").read_text() == "0 0.0 0.0 0.5 0.0 0.5 0.5 0.0 0.5\n"


def test_cvat_s_capitalised_subsets_train_and_validate_on_their_own_images(tmp_path: Path) -> None:
    """CVAT's subsets are Train, Validation and Test: data.yaml's train and val named the Test images (the first
    split by name, no split holding "train" or starting "val" in lowercase), so Ultralytics trained and validated
    on the test set, with a note saying there was no train split."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    for split in ("Train", "Validation", "Test"):
        ds.add_item(Item(id=split.lower(), media=Media(path=f"{split.lower()}.jpg", width=10, height=10), split=split))
        ds.add(Object(id=split, item_id=split.lower(), category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    report = labelkit.save(ds, tmp_path / "o", "yolo")
    assert (report.lost, beside_ids(report.transformed), report.notes) == ([], [], [])
    assert yaml.safe_load((tmp_path / "o/data.yaml").read_text()) == {
        "train": "images/Train",
        "Test": "images/Test",
        "Train": "images/Train",
        "Validation": "images/Validation",
        "val": "images/Validation",
        "nc": 1,
        "names": {0: "a"},
    }
    back = labelkit.load(tmp_path / "o")
    assert sorted((i.split, i.id) for i in back.items()) == [
        ("Test", "test"),
        ("Train", "train"),
        ("Validation", "validation"),
    ]
    # Darknet's train names Train's list too (and valid Validation's, in any case as data.yaml's val)
    report = labelkit.save(ds, tmp_path / "d", "yolo", layout="darknet", allow_loss=True)
    assert (tmp_path / "d/obj.data").read_text().splitlines()[:2] == ["classes = 1", "train = Train.txt"]
    # (Train is the train split, as for data.yaml: no note says there is none, as one did)
    assert not [n for n in report.notes if n.startswith("no train split")], report.notes


def test_a_flip_idx_that_does_not_fit_the_keypoints_written_is_reported_lost(tmp_path: Path) -> None:
    """A dataset's yolo:flip_idx of another length than the K keypoints written (Ultralytics raises on such a
    data.yaml) was left out of data.yaml unsaid; it is reported lost, so the write is refused without allow_loss."""
    ds = Dataset(
        categories=[Category(id=1, name="p", keypoints=["nose", "left", "right"])],
        info=DatasetInfo(extras={"yolo:flip_idx": [0, 2]}),
    )
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1, 1, 10, 10), keypoints=[2, 2, 2, 3, 3, 2, 4, 4, 2]))
    expected = [
        (
            "flip_idx",
            1,
            "data.yaml's flip_idx lists 3 keypoint indexes below 3 (kpt_shape: Ultralytics refuses another length): "
            "the dataset's does not, and is not written",
        )
    ]
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "yolo", task="pose").lost] == expected
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo", task="pose")
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="pose", allow_loss=True)
    assert [(c.what, c.count, c.reason) for c in report.lost] == expected
    assert "flip_idx" not in yaml.safe_load((tmp_path / "o/data.yaml").read_text())
    ds.info.extras["yolo:flip_idx"] = [0, 2, 1]  # (one that fits is written, and nothing is lost)
    report = labelkit.save(ds, tmp_path / "fits", "yolo", task="pose")
    assert report.lost == []
    assert yaml.safe_load((tmp_path / "fits/data.yaml").read_text())["flip_idx"] == [0, 2, 1]


@pytest.mark.parametrize("config", ["classes = 1\nnames = obj.names\n", ""])
def test_an_obj_data_naming_no_list_beside_label_files_is_an_error_naming_it(tmp_path: Path, config: str) -> None:
    """An obj.data without a train or valid line (hand-written for inference, or emptied) read as a dataset of
    no items, without a word, though obj_train_data/ held labelled images; an empty one was "no images or label
    files found" naming the folder. Both are an error naming obj.data; labelkit's own obj.data of a dataset of no
    items (no list, nothing below) still reads back."""
    root = tmp_path / "ds"
    (root / "obj_train_data").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "obj_train_data/a.png")
    (root / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "obj.names").write_text("a\n")
    (root / "obj.data").write_text(config)
    for source in (root, root / "obj.data"):
        with pytest.raises(InputError) as err:
            labelkit.load(source, "yolo")
        assert (err.value.location.path, err.value.location.line) == (str(root / "obj.data"), None)
        assert err.value.message == (
            "obj.data names no list of images (no train or valid line), so nothing would be read, but its folder "
            "holds obj_train_data/a.png"
        )
    empty = Dataset(categories=[Category(id=0, name="a")])
    labelkit.save(empty, tmp_path / "empty", "yolo", layout="darknet")
    assert "train" not in (tmp_path / "empty/obj.data").read_text()
    back = labelkit.load(tmp_path / "empty", "yolo")
    assert ([c.name for c in back.categories], list(back.items())) == (["a"], [])


@pytest.mark.parametrize(("layout", "media"), [("ultralytics", "none"), ("darknet", "none"), ("ultralytics", "copy")])
def test_the_image_path_of_an_image_of_unknown_size_is_reported_lost_where_it_does_not_read_back(
    tmp_path: Path, layout: str, media: str
) -> None:
    """An item of an image path and no size (a VOC XML without <size>, a YOLO list naming an image not shipped)
    was written with its label file and no image_sizes.json entry, so it read back without its image path, and
    no report said so. The Darknet layout's lists, and copied images, keep it."""
    (tmp_path / "media/photos").mkdir(parents=True)
    for name in ("a", "b"):
        Image.new("RGB", (10, 10)).save(tmp_path / f"media/photos/{name}.jpg")
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="a", media=Media(path="photos/a.jpg"), split="train"))
    ds.add_item(Item(id="b", media=Media(path="photos/b.jpg", width=10, height=10), split="train"))
    options = {"layout": layout, "media": media} | ({"media_root": str(tmp_path / "media")} if media == "copy" else {})
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "yolo", **options).lost]
    labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    paths = {i.id.rsplit("/", 1)[-1]: i.media.path for i in labelkit.load(tmp_path / "o", "yolo").items()}
    if (layout, media) == ("ultralytics", "none"):
        assert lost == [("image paths of images of unknown size", 1)]
        assert paths == {"a": None, "b": "images/train/photos/b.jpg"}
        with pytest.raises(DataLossError):
            labelkit.save(ds, tmp_path / "refused", "yolo", **options)
    else:
        assert lost == [] and None not in paths.values()


@pytest.mark.parametrize("media", ["copy", "link"])
def test_a_copied_file_of_no_image_extension_and_unknown_size_is_reported_losing_its_path(
    tmp_path: Path, media: str
) -> None:
    """A file a reader does not take for an image (a.webm) is copied, and its item found in image_sizes.json,
    which holds only known sizes: of an unknown size, it read back without its image path, and no report said
    so. Of a known size, it keeps it."""
    (tmp_path / "media").mkdir()
    (tmp_path / "media/a.webm").write_bytes(b"not an image")
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="a", media=Media(path="a.webm"), split="train"))
    ds.add_item(Item(id="b", media=Media(path="a.webm", width=10, height=10), split="val"))
    options = {"media": media, "media_root": str(tmp_path / "media")}
    lost = [(c.what, c.count) for c in labelkit.plan(ds, "yolo", **options).lost]
    assert lost == [("image paths of files of no image extension, of unknown size", 1)]
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "refused", "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    assert [(c.what, c.count) for c in report.lost] == lost
    paths = {i.split: i.media.path for i in labelkit.load(tmp_path / "o", "yolo").items()}
    assert paths == {"train": None, "val": "images/val/a.webm"}


@pytest.mark.parametrize("config", [True, False])
def test_the_size_side_file_is_indexed_once_however_many_splits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: bool
) -> None:
    """Labels written without their images (media=none) are read with ``image_sizes.json``: each split's label
    folder went through every image of the side file again (400 splits of 100 images took 19 s to read, 2 s
    now). Each image's label file is worked out once per read, with ``data.yaml`` and without (a loose
    ``labels/<split>/`` folder); every item reads back in its split, at its size."""
    from labelkit.formats import yolo_layout

    ds = Dataset(categories=[Category(id=0, name="a")])
    for s in range(5):
        for k in range(3):
            ds.add_item(Item(id=f"s{s}_{k}", media=Media(path=f"s{s}_{k}.jpg", width=40 + k, height=20), split=f"s{s}"))
            ds.add(Object(id=f"{s}{k}", item_id=f"s{s}_{k}", category_id=0, bbox=(1.0, 2.0, 4.0, 5.0)))
    labelkit.save(ds, tmp_path / "o", "yolo")
    if not config:
        (tmp_path / "o/data.yaml").unlink()
        (tmp_path / "o/labels/classes.txt").write_text("a\n")
    calls: list[str] = []
    label_rel = yolo_layout._label_rel
    monkeypatch.setattr(yolo_layout, "_label_rel", lambda name, *to: calls.append(name) or label_rel(name, *to))
    back = labelkit.load(tmp_path / "o", format="yolo")
    assert sorted(calls) == sorted(f"images/s{s}/s{s}_{k}.jpg" for s in range(5) for k in range(3))
    assert sorted((i.id, i.split, i.media.width, i.media.height) for i in back.items()) == sorted(
        (f"s{s}_{k}", f"s{s}", 40 + k, 20) for s in range(5) for k in range(3)
    )
    assert sorted(o.bbox for o in back.objects()) == [(1.0, 2.0, 4.0, 5.0)] * 15


@pytest.mark.parametrize("value", ["0", "false", "[]", "{}", "''", "~"])
def test_a_data_yaml_path_of_no_value_is_the_file_s_folder(tmp_path: Path, value: str) -> None:
    """Ultralytics takes a path that is no value (``data.get("path") or`` the file's folder) as the data.yaml's
    folder, and trains on it: read so, not refused as ``path: 5`` is."""
    (tmp_path / "images/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "images/train/a.jpg")
    (tmp_path / "data.yaml").write_text(f"path: {value}\ntrain: images/train\nnames: [cat]\n")
    assert [i.id for i in labelkit.load(tmp_path / "data.yaml").items()] == ["a"]


@pytest.mark.parametrize(
    ("text", "line", "element", "message"),
    [
        ("names:\n  0: cat\n  .nan: dog\n", 5, "names", "names keys must be class ids (found nan)"),
        ("names:\n  0: cat\n  '2': dog\n", 5, "names", "names ids must be 0..n-1 (found [0, 2])"),
        ("names:\n  - cat\nnc: '2'\n", 5, "nc", "nc must be a class count (expected a whole number, found '2')"),
        ("names: [cat, dog]\n\nnc: 3\n", 5, "nc", "nc does not match names (expected 2)"),
        (  # was: passed over unsaid, the dataset read from data.yaml's folder (Ultralytics fails on it)
            "names: [cat]\npath: 5\n",
            4,
            "path",
            "path must be the dataset folder's path (expected text, found 5); hint: quote a folder named so: path: '5'",
        ),
        (
            "names: [cat]\npath:\n  - a\n",
            5,
            "path",
            "path must be the dataset folder's path (expected text, found ['a'])",
        ),
        (
            "names: [cat]\n# the images\nval: images/nope\n",
            4,
            "val",
            "none of the image folders or lists named in data.yaml exist (found images/nope)",
        ),
    ],
)
def test_errors_about_data_yaml_values_name_the_value_s_line(
    tmp_path: Path, text: str, line: int, element: str, message: str
) -> None:
    """An error about a data.yaml value named its key only (data.yaml <names>: names keys must be class ids
    (found 'nan')): in a long data.yaml the value was to be looked for. The line of the value (of the key of
    names at fault) is named."""
    (tmp_path / "images/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "images/train/a.jpg")
    train = "" if "nope" in text else "train: images/train\n"
    (tmp_path / "data.yaml").write_text(f"# a dataset\n{train}{text}")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "data.yaml")
    loc = err.value.location
    assert (loc.path, loc.line, loc.element) == (str(tmp_path / "data.yaml"), line, element)
    assert str(err.value) == f"{tmp_path / 'data.yaml'}:{line} <{element}>: {message}"


@pytest.mark.parametrize(
    ("path", "noted"),
    [("/content/datasets/ds", True), ("../datasets/ds", True), ("coco8", True), ("./", False), ("<root>", False)],
)
def test_a_data_yaml_path_naming_no_folder_is_noted(tmp_path: Path, path: str, noted: bool) -> None:
    """data.yaml's path naming no folder (a dataset moved from another machine, Ultralytics' own path: coco8,
    which it looks for in its datasets_dir) was passed over without a word: the dataset was read from the
    data.yaml's folder. A read note says so; a path naming a folder (its own, relative or absolute) is read
    without one."""
    path = path.replace("<root>", str(tmp_path / "ds"))
    root = _configured(tmp_path, f"path: {path}\ntrain: images/train\nval: images/train\nnames: [cat]\n")
    (root / "images/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(root / "images/train/a.jpg")
    report = labelkit.convert(root, tmp_path / "out", to="labelkit")
    note = f"data.yaml's path: {path} names no folder found: the dataset is read from data.yaml's folder instead"
    assert [n for n in report.notes if n.startswith("data.yaml's path")] == ([note] if noted else [])
    assert report.read["items"] == 1


def test_a_data_yaml_split_written_on_windows_is_read_at_its_path_with_slashes(tmp_path: Path) -> None:
    r"""train: images\train2017 (a data.yaml written on Windows, where Ultralytics reads it) named no folder
    here: "none of the image folders or lists named in data.yaml exist". Where the path with / exists it is read,
    with a read note; a folder named with the backslash (a name POSIX allows) is read as written, without one."""
    root = tmp_path / "ds"
    for folder in ("images/train2017", "valid/images", "images\\odd"):
        (root / folder).mkdir(parents=True)
        Image.new("RGB", (10, 10)).save(root / folder / "a.jpg")
    (root / "data.yaml").write_text(
        "train: images\\train2017\nval: ..\\valid\\images\ntest: images\\odd\nnames: [cat]\n"
    )
    report = labelkit.convert(root, tmp_path / "out", to="labelkit")
    assert [n for n in report.notes if "found" in n] == [
        "data.yaml's train: images\\train2017 names nothing found: images/train2017, the path with /, is read "
        "(written on Windows?)",
        "data.yaml's val: ..\\valid\\images names nothing found: valid/images, the path with /, is read "
        "(written on Windows?)",
    ]
    ds = labelkit.load(root)
    assert sorted((i.split, i.media.path) for i in ds.items()) == [
        ("test", "images\\odd/a.jpg"),
        ("train", "images/train2017/a.jpg"),
        ("val", "valid/images/a.jpg"),
    ]


@pytest.mark.parametrize("split", ["Validation", "Val", "VAL2017"])
def test_a_darknet_val_split_named_in_any_case_is_the_valid_list_and_reads_back(tmp_path: Path, split: str) -> None:
    """CVAT's Validation subset (or Val) got no valid list in obj.data (only a lowercase val... matched, while
    train matched in any case), so Darknet validated on the train images, with a note. It is listed under valid,
    and under its own key too, so it reads back as itself; a third party's lone valid = Val.txt still reads
    as valid."""
    ds = Dataset(categories=[Category(id=0, name="a")])
    for name in ("train", split):
        ds.add_item(Item(id=name, media=Media(path=f"{name}.jpg", width=10, height=10), split=name))
        ds.add(Object(id=name, item_id=name, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0)))
    plan = labelkit.plan(ds, "yolo", layout="darknet")
    report = labelkit.save(ds, tmp_path / "o", "yolo", layout="darknet")
    assert (plan.lost, plan.notes, report.lost, report.notes) == ([], [], [], [])
    assert (tmp_path / "o/obj.data").read_text().splitlines()[1:4] == [
        f"valid = {split}.txt",
        f"{split} = {split}.txt",
        "train = train.txt",
    ]
    back = labelkit.load(tmp_path / "o")
    assert sorted((i.split, i.id.rsplit("/", 1)[-1]) for i in back.items()) == sorted(
        [("train", "train"), (split, split)]
    )
    (tmp_path / "o/obj.data").write_text(f"classes = 1\ntrain = train.txt\nvalid = {split}.txt\nnames = obj.names\n")
    assert sorted(i.split for i in labelkit.load(tmp_path / "o").items()) == ["train", "valid"]


@pytest.mark.parametrize(
    ("text", "line", "element", "message"),
    [
        ("names: [cat]\n\nkpt_shape: [2, 9]\n", 5, "kpt_shape", "kpt_shape must be [K, 2 or 3] with K from 0 to"),
        ("names: [cat]\nkpt_shape: [2, 3]\nflip_idx: x\n", 5, "flip_idx", "flip_idx must be a list of keypoint"),
        ("names: [cat]\nkpt_shape: [2, 3]\n\nflip_idx: [0]\n", 6, "flip_idx", "flip_idx must list 2 keypoint"),
    ],
)
def test_errors_about_kpt_shape_and_flip_idx_name_the_value_s_line(
    tmp_path: Path, text: str, line: int, element: str, message: str
) -> None:
    """kpt_shape and flip_idx errors named their key only, where the other data.yaml value errors name the line."""
    (tmp_path / "images/train").mkdir(parents=True)
    Image.new("RGB", (10, 10)).save(tmp_path / "images/train/a.jpg")
    (tmp_path / "data.yaml").write_text(f"# a dataset\ntrain: images/train\n{text}")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / "data.yaml")
    loc = err.value.location
    assert (loc.path, loc.line, loc.element) == (str(tmp_path / "data.yaml"), line, element)
    assert str(err.value).startswith(f"{tmp_path / 'data.yaml'}:{line} <{element}>: {message}")


def test_an_item_given_another_split_goes_to_its_folder_without_the_folder_of_the_split_it_was_read_from() -> None:
    from labelkit.formats.yolo_write import item_files

    ds = Dataset(categories=[Category(id=0, name="a")])
    rows = [
        ("images/train/a.jpg", "test"),  # read from train, split to test: images/test/a.jpg
        ("valid/images/c.jpg", "train"),  # Roboflow's val folder
        ("images/train/d.jpg", "val"),  # d.jpg and d.png would share labels/val/d.txt: each keeps its folder
        ("images/test/d.png", "val"),
        ("train/e.jpg", "val"),  # e.jpg is a bare name's of the split: kept in its folder
        ("e.jpg", "val"),
        ("images/cats/f.jpg", "val"),  # cats is no split's folder
    ]
    for n, (path, split) in enumerate(rows):
        ds.add_item(Item(id=str(n), media=Media(path=path), split=split))
    assert item_files(ds, {}).image_rel == [
        "images/test/a.jpg",
        "images/train/c.jpg",
        "images/val/train/d.jpg",
        "images/val/test/d.png",
        "images/val/train/e.jpg",
        "images/val/e.jpg",
        "images/val/cats/f.jpg",
    ]


def test_split_of_a_yolo_folder_keeps_item_ids_and_its_output_split_again_keeps_every_split(tmp_path: Path) -> None:
    src = tmp_path / "y"
    for split in ("train", "val"):
        for i in range(6):
            (src / "images" / split).mkdir(parents=True, exist_ok=True)
            (src / "labels" / split).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (32, 24)).save(src / "images" / split / f"{split}_{i}.jpg")
            (src / "labels" / split / f"{split}_{i}.txt").write_text(f"{i % 2} 0.5 0.5 0.25 0.25\n")
    (src / "data.yaml").write_text("path: .\ntrain: images/train\nval: images/val\nnames: [cat, dog]\n")
    lock = tmp_path / "lock.json"
    ratios = ["--ratios", "train=0.5,val=0.25,test=0.25", "--lock", str(lock)]
    first = CliRunner().invoke(cli, ["split", str(src), str(tmp_path / "o1"), *ratios])
    assert first.exit_code == 0, first.output
    assert "item ids" not in first.output  # (ids kept: no nested split folder renames them)
    read = labelkit.load(src)
    out = labelkit.load(tmp_path / "o1")
    assert sorted(out.table("items")["id"].to_pylist()) == sorted(read.table("items")["id"].to_pylist())
    labels = sorted(p.relative_to(tmp_path / "o1").as_posix() for p in (tmp_path / "o1" / "labels").rglob("*.txt"))
    assert all(len(p.split("/")) == 3 for p in labels), labels  # labels/<split>/<name>.txt
    made = json.loads(lock.read_text())
    again = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o2"), *ratios])
    assert again.exit_code == 0, again.output
    assert "placed 0 items; kept 0 existing; 12 from the lockfile, moved 0" in again.output
    assert "warning" not in again.output  # (found by the paths the lockfile says YOLO wrote them to)
    first_splits = dict(zip(out.table("items")["id"].to_pylist(), out.table("items")["split"].to_pylist(), strict=True))
    moved = sum(split != item_id.partition("_")[0] for item_id, split in first_splits.items())  # (val_3: read in val)
    assert 0 < moved < 12
    made.pop("written")  # (a lockfile without them, the API's: by the path without its split folder)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(made))
    alone = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o3"), *ratios[:2], "--lock", bare])
    assert f"warning: {moved} items were found in the lockfile by their path without its split folder" in alone.output
    second = labelkit.load(tmp_path / "o2").table("items")
    assert dict(zip(second["id"].to_pylist(), second["split"].to_pylist(), strict=True)) == first_splits


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_a_split_of_coco_to_yolo_split_again_with_its_lockfile_keeps_every_split(layout: str, tmp_path: Path) -> None:
    """The lockfile keys COCO's paths (``v0/a.jpg``), the YOLO output's are ``images/train/v0/a.jpg``: split again
    with it, every item was placed anew (a warning said none was in the lockfile), some moved, ``moved 0``."""
    images = [{"id": i + 1, "file_name": f"v{i % 3}/i{i}.jpg", "width": 64, "height": 48} for i in range(12)]
    annotations = [
        {"id": i + 1, "image_id": i + 1, "category_id": 1 + i % 2, "bbox": [1, 2, 10, 12], "area": 120, "iscrowd": 0}
        for i in range(12)
    ]
    categories = [{"id": 1, "name": "car"}, {"id": 2, "name": "bus"}]
    (tmp_path / "c.json").write_text(
        json.dumps({"images": images, "annotations": annotations, "categories": categories})
    )
    lock = tmp_path / "lock.json"
    ratios = ["--ratios", "train=0.5,val=0.25,test=0.25", "--lock", str(lock)]
    first = CliRunner().invoke(
        cli,
        ["split", str(tmp_path / "c.json"), str(tmp_path / "o1"), "--to", "yolo", "-o", f"layout={layout}", *ratios],
    )
    assert first.exit_code == 0, first.output
    made = json.loads(lock.read_text())
    assert sorted(made["assignments"]) == sorted(i["file_name"] for i in images)
    again = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o2"), *ratios])
    assert again.exit_code == 0, again.output
    assert "placed 0 items; kept 0 existing; 12 from the lockfile, moved 0" in again.output
    assert "found in the lockfile by their path" not in again.output  # (by the paths YOLO wrote them to)
    made.pop("written")  # (a lockfile without them, the API's: by the path without its split folder)
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(made))
    alone = CliRunner().invoke(cli, ["split", str(tmp_path / "o1"), str(tmp_path / "o3"), *ratios[:2], "--lock", bare])
    assert "placed 0 items; kept 0 existing; 12 from the lockfile, moved 0" in alone.output
    assert "warning: 12 items were found in the lockfile by their path without its split folder" in alone.output

    def splits(folder: Path) -> dict[str, str | None]:  # (by the COCO path: a Darknet output is split to Ultralytics)
        return {"/".join(str(i.media.path).split("/")[-2:]): i.split for i in labelkit.load(folder).items()}

    assert splits(tmp_path / "o2") == splits(tmp_path / "o1") and len(set(splits(tmp_path / "o1").values())) == 3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize(
    ("name", "odd", "message"),
    [
        ("data.yaml", "link", "cannot read: a symbolic link to no file"),
        ("data.yaml", "fifo", "cannot read: not a regular file"),
        ("data.yaml", "folder", "cannot read: not a regular file"),
        ("classes.txt", "link", "cannot read: a symbolic link to no file"),
        ("obj.data", "fifo", "cannot read: not a regular file"),
    ],
)
def test_a_config_or_names_file_that_is_no_file_is_an_error_naming_it(
    tmp_path: Path, name: str, odd: str, message: str
) -> None:
    """A data.yaml that is a link to no file (a DVC or git-annex checkout whose cache lacks it), a FIFO or a
    folder was passed over: the dataset read, its classes named class_0, class_1 (an obj.data so: train.txt's
    image paths read as label lines)."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "images/train/a.png")
    (root / "labels/train/a.txt").write_text("1 0.5 0.5 0.1 0.1\n")
    if name == "obj.data":
        (root / "train.txt").write_text("images/train/a.png\n")
    if odd == "link":
        (root / name).symlink_to(root / "annex/objects/gone")
    elif odd == "fifo":
        os.mkfifo(root / name)
    else:
        (root / name).mkdir()
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert err.value.location.path == str(root / name) and err.value.message == message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_an_image_that_is_a_fifo_is_an_error_naming_it(tmp_path: Path) -> None:
    """An image that is a FIFO (or a socket) was passed over: without a label file its item was lost unsaid
    (read: 1 item of 2); the README says 'not a regular file'."""
    root = tmp_path / "ds"
    (root / "images/train").mkdir(parents=True)
    (root / "labels/train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "images/train/a.png")
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (root / "data.yaml").write_text("names: [a]\ntrain: images/train\n")
    os.mkfifo(root / "images/train/b.png")
    with pytest.raises(InputError) as err:
        labelkit.load(root)
    assert str(err.value) == f"{root / 'images/train/b.png'}: cannot read: not a regular file"


@pytest.mark.parametrize(
    ("files", "found"),
    [
        (["images/train/a.jpg", "labels/train/a.txt"], "found images/, labels/, a detect, segment, OBB or pose"),
        (["train/images/a.jpg", "train/labels/a.txt"], "found train/images/, train/labels/, a detect, segment"),
        (["train/cat/a.jpg", "train/cat/a.txt"], "found a label file in a class folder (train/cat/a.txt)"),
        (["train/a.jpg"], "found train/ holding no class folder"),
        (["train/cat/notes.md"], "found no image in the class folders of train/"),
        (["cats/a/x.jpg", "dogs/b/y.jpg"], "found cats/, dogs/, none of train/, val/, valid/, validation/, test/"),
        (["a.jpg"], "found no folder"),
    ],
)
def test_task_classify_on_another_layout_says_what_it_found(tmp_path: Path, files: list[str], found: str) -> None:
    """``-o task=classify`` on a detect dataset said 'no images or label files found', which is untrue."""
    root = tmp_path / "ds"
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".jpg"):
            Image.new("RGB", (8, 8)).save(root / name)
        else:
            (root / name).write_text("0 0.5 0.5 0.2 0.2\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo", task="classify")
    assert err.value.location.path == str(root)
    assert err.value.message.startswith("not a YOLO classify layout (train/, val/ or test/ holding a folder of images")
    assert found in err.value.message
    result = CliRunner().invoke(cli, ["info", str(root), "--format", "yolo", "-o", "task=classify"])
    assert (result.exit_code, result.output.count("\n")) == (2, 1) and found in result.output


def test_a_classify_class_folder_linked_to_a_folder_holding_it_is_an_error(tmp_path: Path) -> None:
    """A class folder that is a link to the dataset (``train/loop -> ..``) was read as a class 'loop' of every
    image of the dataset, each read a second time under it."""
    root = tmp_path / "ds"
    for name in ("train/cat/a.jpg", "val/cat/b.jpg"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (8, 8)).save(root / name)
    (root / "train/loop").symlink_to("..", target_is_directory=True)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value) == f"{root / 'train/loop'}: cannot read: a symbolic link to a folder holding it (a loop)"
    (root / "train/loop").unlink()
    (root / "train/kitty").symlink_to("cat", target_is_directory=True)  # (a link to a sibling: read, as before)
    assert sorted(c.name for c in labelkit.load(root, "yolo").categories) == ["cat", "kitty"]


def test_piece_bounds_cut_rows_by_count_and_by_numbers() -> None:
    from labelkit.formats.chunked_rows import piece_bounds

    assert piece_bounds(np.array([3, 3, 3, 3, 3], np.int64), 2, budget=7) == [0, 2, 4, 5]
    assert piece_bounds(np.array([3, 9, 1, 1, 5], np.int64), 10, budget=6) == [0, 1, 2, 4, 5]  # (9 alone)
    assert piece_bounds(np.array([6, 0, 0, 6], np.int64), 10, budget=6) == [0, 3, 4]
    assert piece_bounds(np.zeros(0, np.int64), 10) == [0]


def test_long_polygons_are_formatted_a_bounded_number_of_numbers_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows were formatted 8,192 at a time whatever their length: 800 polygons of 10,000 points were one chunk of
    16 M numbers, whose temporaries took 1.7 GB (11.6 s) to write to YOLO segment; now at most VALUES_AT_ONCE
    numbers a piece (beside a row alone longer than that). Same lines as each item written alone."""
    from labelkit.formats import yolo_lines
    from labelkit.formats.chunked_rows import VALUES_AT_ONCE

    sizes: list[int] = []
    original = yolo_lines.fmt_ragged

    def counting(cls: Any, flat: Any, offsets: Any, precision: Any) -> Any:
        sizes.append(len(flat))
        return original(cls, flat, offsets, precision)

    monkeypatch.setattr(yolo_lines, "fmt_ragged", counting)
    rng = np.random.default_rng(1)
    ds = Dataset(categories=[Category(id=1, name="a")])
    alone = []
    for i in range(12):
        item = Item(id=str(i), media=Media(path=f"{i}.jpg", width=640, height=480), split="train")
        ring = (rng.integers(0, 64_000, size=(60_000, 2)) / 100 * [1.0, 0.75]).ravel().tolist()  # (in the image)
        one = Dataset(categories=[Category(id=1, name="a")])
        for d in (ds, one):
            d.add_item(item)
            d.add(Object(id=str(i), item_id=str(i), category_id=1, polygon=[ring]))
        alone.append(one)
    labelkit.save(ds, tmp_path / "out", "yolo", task="segment")
    assert sum(sizes) == 12 * 120_000 and len(sizes) == 2 and max(sizes) <= VALUES_AT_ONCE  # (was one of 1.44 M)
    for i, one in enumerate(alone):
        labelkit.save(one, tmp_path / f"alone{i}", "yolo", task="segment")
        label = f"labels/train/{i}.txt"
        assert (tmp_path / "out" / label).read_bytes() == (tmp_path / f"alone{i}" / label).read_bytes()


def test_long_segment_lines_are_checked_a_bounded_number_of_numbers_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading looked for lines at risk (see yolo_exact) 8,192 lines at a time whatever their length: 800 lines of
    20,000 numbers were one pass over 16 M numbers, whose temporaries took the read of a 165 MB folder to 1.08 GB
    (8.0 s); now at most VALUES_AT_ONCE numbers a pass (0.36 GB, 4.0 s). Same objects as each file read alone."""
    from labelkit.formats import yolo_exact
    from labelkit.formats.chunked_rows import VALUES_AT_ONCE

    rng = np.random.default_rng(2)
    ds = Dataset(categories=[Category(id=1, name="a")])
    for i in range(12):
        item = Item(id=str(i), media=Media(path=f"{i}.jpg", width=640, height=480), split="train")
        ring = (rng.integers(0, 64_000, size=(60_000, 2)) / 100 * [1.0, 0.75]).ravel().tolist()
        one = Dataset(categories=[Category(id=1, name="a")])
        for d in (ds, one):
            d.add_item(item)
            d.add(Object(id=str(i), item_id=str(i), category_id=1, polygon=[ring]))
        labelkit.save(one, tmp_path / f"alone{i}", "yolo", task="segment")
    labelkit.save(ds, tmp_path / "out", "yolo", task="segment")
    sizes: list[int] = []
    original = yolo_exact._risky

    def counting(values: Any, offsets: Any, *args: Any) -> Any:
        sizes.append(int(offsets[-1] - offsets[0]))
        return original(values, offsets, *args)

    monkeypatch.setattr(yolo_exact, "_risky", counting)
    back = labelkit.load(tmp_path / "out", "yolo")
    assert sum(sizes) == 12 * 120_000 and len(sizes) == 2 and max(sizes) <= VALUES_AT_ONCE  # (was one of 1.44 M)
    polygons = {o.item_id: o.polygon for o in back.objects()}
    for i in range(12):
        alone = labelkit.load(tmp_path / f"alone{i}", "yolo")
        assert [o.polygon for o in alone.objects()] == [polygons[str(i)]]


def test_a_file_that_is_no_yolo_config_is_refused_not_read_as_its_folder(tmp_path: Path) -> None:
    """``--from yolo notes.txt`` (or a label file, an image, a list) read the whole folder the file lies in: a
    dataset the user did not name. It is an error naming the file and what YOLO reads; the folder and its
    names file still read."""
    (tmp_path / "images").mkdir()
    (tmp_path / "labels").mkdir()
    Image.new("RGB", (10, 10)).save(tmp_path / "images" / "a.jpg")
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "classes.txt").write_text("cat\n")
    (tmp_path / "notes.txt").write_text("taken in May\n")
    (tmp_path / "train.txt").write_text("images/a.jpg\n")
    for name in ("notes.txt", "train.txt", "labels/a.txt", "images/a.jpg"):
        with pytest.raises(InputError) as err:
            labelkit.load(tmp_path / name, "yolo")
        assert str(err.value) == (
            f"{tmp_path / name}: not a YOLO dataset: YOLO reads a dataset's folder, or its data.yaml (*.yaml, *.yml), "
            "obj.data (*.data) or names file (classes.txt, *.names, _darknet.labels)"
        )
    for path in (tmp_path, tmp_path / "classes.txt"):
        assert [o.item_id for o in labelkit.load(path, "yolo").objects()] == ["a"]
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path / "notes.txt"), str(tmp_path / "o"), "--from", "yolo", "--to", "labelkit"]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"labelkit: error: {tmp_path / 'notes.txt'}: not a YOLO dataset: ")
    assert not (tmp_path / "o").exists()


@pytest.mark.usefixtures("either_parser")
def test_repeated_label_lines_are_read_and_counted_in_a_read_note(tmp_path: Path) -> None:
    """A label file holding an object line twice (a converter rerun that appended) was read as two objects and
    written back without a word: each is still an object, and a read note counts the repeats, naming the first.
    A line of the same numbers otherwise spelled repeats it; one of another class or number, or in another
    file, does not."""
    lines = "0 0.5 0.5 0.5 0.5\n1 0.5 0.5 0.5 0.5\n0 0.5 0.5 0.5 0.25\n0 0.50 0.5 5e-1 0.5\n1 0.5 0.5 0.5 0.5\n"
    root = _tiny_dataset(tmp_path / "ds", lines)
    (root / "labels/y.txt").write_text("0 0.5 0.5 0.5 0.5\n0 0.1 0.1 0.1 0.1\n0 0.1 0.1 0.1 0.1\n")
    Image.new("RGB", (20, 10)).save(root / "images/y.png")
    ds = labelkit.load(root, "yolo")
    assert [(o.item_id, o.category_id) for o in ds.objects()] == [("x", 0), ("x", 1), ("x", 0), ("x", 0), ("x", 1)] + [
        ("y", 0)
    ] * 3
    note = (
        "3 label lines repeat an earlier line of their file (labels/x.txt:4, as line 1 first): each is read as an "
        "object of its own, and written back"
    )
    assert ds.read_notes == [note]
    report = labelkit.convert(root, tmp_path / "out", to="yolo")
    assert report.notes[0] == note and report.lost == []
    assert (tmp_path / "out/labels/train/x.txt").read_text() == lines.replace("0.50 0.5 5e-1", "0.5 0.5 0.5")
    (root / "labels/x.txt").write_text("0 0.5 0.5 0.5 0.5\n1 0.5 0.5 0.5 0.5\n")
    assert labelkit.load(root, "yolo").read_notes == [
        "1 label line repeats an earlier line of its file (labels/y.txt:3, as line 2): each is read as an object "
        "of its own, and written back"
    ]


@pytest.mark.parametrize(
    ("names", "line", "message"),
    [
        ("  0: a\n  '0': b\n", 5, "names gives class id 0 twice (keys 0 and '0')"),
        ("  '0': a\n  1: b\n  0: c\n", 6, "names gives class id 0 twice (keys '0' and 0)"),
        ("  0: a\n  1: b\n  '01': c\n", 6, "names gives class id 1 twice (keys 1 and '01')"),
    ],
)
def test_names_keys_of_one_class_id_are_an_error_at_the_later_key(
    tmp_path: Path, names: str, line: int, message: str
) -> None:
    """A names map whose keys read as one class id (0 and '0', 1 and '01') kept the later name unsaid, and
    lost a class: an error naming the data.yaml line of the later key."""
    root = _configured(tmp_path, f"train: images/train\n# classes\nnames:\n{names}")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    where = err.value.location
    assert (where.path, where.line, where.element) == (str(root / "data.yaml"), line, "names")
    assert (err.value.message, err.value.found) == (message, None)
    (root / "data.yaml").write_text("train: images/train\nnames:\n  '1': b\n  0: a\n")  # (a text key, alone, is read)
    assert [c.name for c in labelkit.load(root, "yolo", image_size="20x10").categories] == ["a", "b"]


@pytest.mark.usefixtures("either_parser")
def test_a_label_number_too_small_for_a_float_is_read_as_the_nearest_float_without_a_note(tmp_path: Path) -> None:
    """1e-400 is below the smallest float64 above 0: read as 0, as Python's float() and Ultralytics read it, with
    no note (no coordinate tells them apart), by both parsers; a line of 0 there reads the same."""
    root = _tiny_dataset(tmp_path / "ds", "0 0.5 0.5 1e-400 0.5\n1 1e-400 0.5 0.5 0.5\n")
    ds = labelkit.load(root, "yolo")
    assert [(o.category_id, o.bbox) for o in ds.objects()] == [(0, (10.0, 2.5, 0.0, 5.0)), (1, (-5.0, 2.5, 10.0, 5.0))]
    assert ds.read_notes == []
    (root / "labels/x.txt").write_text("0 0.5 0.5 0 0.5\n1 0 0.5 0.5 0.5\n")
    assert [o.bbox for o in labelkit.load(root, "yolo").objects()] == [o.bbox for o in ds.objects()]


def test_polygon_lines_alike_in_their_first_points_are_told_apart_from_repeats(tmp_path: Path) -> None:
    """Lines are first matched by their first 4 numbers (a cheap hash), then by all: two polygons from one corner
    are no repeat, and a line repeating the first after the other is still found."""
    a, b = "0 0.1 0.1 0.5 0.1 0.5 0.5", "0 0.1 0.1 0.5 0.1 0.1 0.5"
    root = _tiny_dataset(tmp_path / "ds", f"{a}\n{b}\n")
    assert labelkit.load(root, "yolo").read_notes == []
    (root / "labels/x.txt").write_text(f"{a}\n{b}\n{a}\n")
    assert labelkit.load(root, "yolo").read_notes == [
        "1 label line repeats an earlier line of its file (labels/x.txt:3, as line 1): each is read as an object "
        "of its own, and written back"
    ]


@pytest.mark.parametrize("name", ["data.YAML", "data.Yml"])
def test_a_data_yaml_whose_suffix_is_not_lower_case_is_refused_with_a_hint(name: str, tmp_path: Path) -> None:
    """Ultralytics refuses ``data=data.YAML`` (its YAML load takes ``.yaml`` and ``.yml`` as spelled), so labelkit
    does too; the error said only what YOLO reads, and now says what to rename it to."""
    (tmp_path / name).write_text("train: images\nval: images\nnames: [cat]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path / name, "yolo")
    suffix = name[name.index(".") :].lower()
    assert str(err.value) == (
        f"{tmp_path / name}: not a YOLO dataset: YOLO reads a dataset's folder, or its data.yaml (*.yaml, *.yml), "
        f"obj.data (*.data) or names file (classes.txt, *.names, _darknet.labels); hint: name it *{suffix}: "
        "Ultralytics reads a config by its lower-case suffix only"
    )
    assert err.value.location.path == str(tmp_path / name)


@pytest.mark.parametrize("line", ["0 0.5 0.5 0.1 1e-320", "0 0.5 0.5 1e-320 0.1", "0 0.5 0.5 0.1 0"])
def test_a_box_of_a_tiny_size_comes_back_from_yolo_to_yolo(tmp_path: Path, line: str) -> None:
    """A height of 1e-320 on a 20x10 image (1e-319 pixels) did not move the box's top (5 + 1e-319 is 5): the plan
    compared the box clipped to the image and took it for one of no area inside it, refused without --allow-loss,
    where the same line with a height of 0 converted unsaid. It is written as read, nothing lost."""
    src = _tiny_dataset(tmp_path / "in", line + "\n")
    ds = labelkit.load(src, "yolo")
    assert labelkit.plan(ds, "yolo").lost == []
    report = labelkit.save(ds, tmp_path / "out", "yolo")
    # (flat: written as train; the item of no image file gets the path image_sizes.json gives it)
    assert report.lost == [] and [c.what for c in report.transformed] == ["image paths", "item splits"]
    written = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text()
    assert written == (line[:-2] + " 0.0" if line.endswith(" 0") else line) + "\n"
    assert [o.bbox for o in labelkit.load(tmp_path / "out", "yolo").objects()] == [o.bbox for o in ds.objects()]


def test_segment_names_the_rings_it_loses_after_the_one_it_writes(tmp_path: Path) -> None:
    """Segment writes an object's largest ring: the report called the others "beyond the first", where the first
    (a small ring before the large one here) is among those lost."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    small, large = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0], [2.0, 2.0, 8.0, 2.0, 8.0, 8.0]
    ds.add(Object(id="a", item_id="1", category_id=1, shape="polygon", polygon=[small, large]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="segment")
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.2 0.2 0.8 0.2 0.8 0.8\n"
    assert [(c.what, c.count, c.reason) for c in report.lost if "ring" in c.what] == [
        ("polygon rings beyond the largest", 1, "YOLO segment holds one ring per object; the largest is written")
    ]


@pytest.mark.parametrize("task", ["detect", "pose"])
def test_pose_notes_the_boxes_it_writes_as_bounds_as_detect_does(task: str, tmp_path: Path) -> None:
    """A pose line's box is detect's: a rotated box or a polygon goes as its axis-aligned bounds. Pose reported
    ``lost: rotated boxes`` without detect's note saying what was written instead."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=100, height=100)))
    ds.add(Object(id="1", item_id="i", category_id=1, bbox=(10, 10, 20, 10), angle=30.0))
    ds.add(Object(id="2", item_id="i", category_id=1, polygon=[[10, 10, 30, 10, 20, 30]]))
    ds.add(Object(id="3", item_id="i", category_id=1, bbox=(50, 50, 10, 10)))
    # (a box of its own beside a polygon, as every COCO object has, is written as it is: it was counted in the note)
    ds.add(Object(id="4", item_id="i", category_id=1, bbox=(60, 60, 30, 30), polygon=[[70, 70, 80, 70, 75, 80]]))
    note = "2 rotated boxes and polygons are written as their axis-aligned bounding boxes"
    assert note in labelkit.plan(ds, "yolo", task=task).notes
    report = labelkit.save(ds, tmp_path / task, "yolo", allow_loss=True, task=task)
    assert note in report.notes
    assert [c.what for c in report.lost if c.what in ("rotated boxes", "polygons")] == ["rotated boxes", "polygons"]
    (labels,) = (tmp_path / task / "labels").rglob("i.txt")
    boxes = [line.split()[:5] for line in labels.read_text().splitlines()]
    assert boxes[1] == ["0", "0.2", "0.2", "0.2", "0.2"]  # the polygon's bounds
    assert boxes[3] == ["0", "0.75", "0.75", "0.3", "0.3"]  # its own box
    if task == "pose":  # the same boxes as detect's
        labelkit.save(ds, tmp_path / "detect", "yolo", allow_loss=True, task="detect")
        (detect,) = (tmp_path / "detect" / "labels").rglob("i.txt")
        assert boxes == [line.split() for line in detect.read_text().splitlines()]


def _cased_dataset(root: Path) -> Path:
    (root / "images" / "train").mkdir(parents=True)
    (root / "labels" / "train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(root / "images" / "train" / "a.jpg")
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    return root


@pytest.mark.parametrize("name", ["data.YAML", "data.Yml", "coco8.YAML"])
def test_a_folder_whose_config_suffix_is_not_lower_case_is_refused_as_the_file_is(name: str, tmp_path: Path) -> None:
    """A folder whose only config is ``data.YAML`` (refused when named: Ultralytics reads a config by its lower-case
    suffix only) read as a plain folder, its class named ``class_0``: the names in the file dropped unsaid. It is
    an error naming the file, with the rename hint, beside a names file too (whose names a data.yaml outranks)."""
    root = _cased_dataset(tmp_path / "ds")
    (root / name).write_text("train: images/train\nval: images/train\nnames:\n  0: cat\n")
    suffix = name[name.index(".") :]
    message = (
        f"{root / name}: a YOLO config whose suffix is not lower-case (*{suffix}) is not read: its class names would "
        f"be lost; hint: name it *{suffix.lower()}: Ultralytics reads a config by its lower-case suffix only"
    )
    for names_file in (None, "classes.txt", "obj.names"):
        if names_file:
            (root / names_file).write_text("dog\n")
        with pytest.raises(InputError) as err:
            labelkit.load(root, "yolo")
        assert (str(err.value), err.value.location.path) == (message, str(root / name))
        (root / names_file).unlink() if names_file else None
    result = CliRunner().invoke(cli, ["info", str(root), "--format", "yolo"])
    assert (result.exit_code, result.stderr) == (2, f"labelkit: error: {message}\n")
    (root / name).rename(root / name.lower())
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["cat"]
    (root / name.lower()).unlink()
    (root / "notes.YAML").write_text("author: me\n")  # (no names or nc: no config, as before)
    assert [c.name for c in labelkit.load(root, "yolo").categories] == ["class_0"]


def test_darknet_files_are_read_whatever_the_case_of_their_suffix(tmp_path: Path) -> None:
    """Darknet opens whatever file it is given: ``obj.NAMES`` was read when named but passed over in its folder
    (classes ``class_0``, ...), and ``obj.DATA`` was refused when named and passed over in its folder. Each reads
    as its lower-case twin; a YAML config's suffix stays lower-case only (Ultralytics')."""
    root = _cased_dataset(tmp_path / "ds")
    (root / "obj.NAMES").write_text("cat\n")
    for path in (root, root / "obj.NAMES"):
        ds = labelkit.load(path, "yolo")
        assert [c.name for c in ds.categories] == ["cat"] and len(list(ds.items())) == 1
    (root / "obj.NAMES").rename(root / "set.NAMES")
    (root / "train.txt").write_text("images/train/a.jpg\n")
    (root / "voc.DATA").write_text("classes = 1\ntrain = train.txt\nnames = set.NAMES\n")
    for path in (root, root / "voc.DATA"):
        ds = labelkit.load(path, "yolo")
        assert [c.name for c in ds.categories] == ["cat"] and [i.split for i in ds.items()] == ["train"]
    assert labelkit.detect(root / "voc.DATA").reason == "Darknet voc.DATA"


@pytest.mark.parametrize("task", ["segment", "obb"])
@pytest.mark.parametrize("precision", [None, 3])
def test_a_polygon_beyond_an_edge_beside_a_box_inside_is_lost_not_clipped_into_a_zero_ring(
    tmp_path: Path, task: str, precision: int | None
) -> None:
    """A polygon is measured for lying outside only where its box is not inside the image: a polygon right of
    the image (or above and left of it) beside a box inside was clipped into a ring of no width (``0 1.0 0.1 1.0
    0.1 1.0 0.2 1.0 0.2``, or all ``0.0``), which trains nothing, and reported only as clipped. Such an object is
    lost, as 'objects clipped to nothing', by the plan as by the write; a ring partly inside is still clipped,
    and one of no height as given (a zero ring) is written as it was."""
    ds = _one_box()
    box = (10.0, 10.0, 5.0, 5.0)
    for n, ring in enumerate(
        [
            [110.0, 10.0, 120.0, 10.0, 120.0, 20.0, 110.0, 20.0],  # right of the image
            [-50.0, -50.0, -40.0, -50.0, -40.0, -40.0, -50.0, -40.0],  # above and left of it
            [-10.0, 50.0, 10.0, 50.0, 10.0, 60.0, -10.0, 60.0],  # partly inside: clipped
        ]
    ):
        ds.add(Object(id=f"p{n}", item_id="a", category_id=0, bbox=box, polygon=[ring]))
    options: dict[str, Any] = {"task": task} if precision is None else {"task": task, "precision": precision}
    plan = labelkit.plan(ds, "yolo", **options)
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, **options)
    for r in (plan, report):
        lost = {e.what: (e.count, e.reason) for e in r.lost}
        assert lost["objects clipped to nothing"] == (
            2,
            "their points lie beyond an edge of the image: clipped to it, they would have no width or height, which"
            f" YOLO {task} readers cannot use: not written",
        )
        assert "objects whose coordinates round to a zero box" not in lost
        clipped = [e.count for e in r.transformed if e.reason == "coordinates outside the image were clipped to [0, 1]"]
        assert clipped == [1]
    assert report.written["object annotations"] == 2
    lines = (tmp_path / "o/labels/train/a.txt").read_text().splitlines()
    assert lines[1] == (
        "0 0.0 0.5 0.1 0.5 0.1 0.6 0.0 0.6"
        if precision is None
        else "0 0.000 0.500 0.100 0.500 0.100 0.600 0.000 0.600"
    )
    flat = _one_box()
    flat.add(Object(id="z", item_id="a", category_id=0, polygon=[[-10.0, 50.0, 10.0, 50.0, 5.0, 50.0]]))
    report = labelkit.save(flat, tmp_path / "z", "yolo", task="segment", allow_loss=True)
    assert "objects clipped to nothing" not in {e.what for e in report.lost}
    assert (tmp_path / "z/labels/train/a.txt").read_text().splitlines()[1] == "0 0.0 0.5 0.1 0.5 0.05 0.5"


@pytest.mark.parametrize("task", ["detect", "obb"])
def test_a_box_whose_turned_corners_have_no_height_by_float_noise_is_not_written_as_a_zero_box(
    tmp_path: Path, task: str
) -> None:
    """A box of 8.4e-15 x 0.64 pixels turned by 90 degrees below the image (y about 480.3 of 480) has corners
    whose bounds have no height in float64: taken for a zero box, which stays one, it was clipped onto the
    bottom edge (``0 0.0005 1.0 0.0005 1.0 0.0 1.0 0.0 1.0``) and reported only as clipped. Its box has a size,
    so it is measured as any other: it lies outside, and is lost, by the plan as by the write. A zero box stays
    one, as before."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    noise = (-3.5620289652363705e-15, 479.98751909127833, 8.400031630725594e-15, 0.6412860479518584)
    ds.add(Object(id="1", item_id="a", category_id=0, bbox=noise, angle=90.0))
    ds.add(Object(id="2", item_id="a", category_id=0, bbox=(0.0, 10.0, 0.0, 5.0)))
    plan = labelkit.plan(ds, "yolo", task=task)
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, allow_loss=True)
    for r in (plan, report):
        assert {e.what: e.count for e in r.lost}["objects with no area inside the image"] == 1
        assert not [e for e in r.transformed if e.reason.startswith("coordinates outside the image")]
    zero = {
        "detect": "0 0.0 0.026041666666666668 0.0 0.010416666666666666\n",
        "obb": "0 0.0 0.020833333333333332 0.0 0.020833333333333332 0.0 0.03125 0.0 0.03125\n",
    }
    assert (tmp_path / "o/labels/train/a.txt").read_text() == zero[task]
    assert report.written["object annotations"] == 1


def test_layout_entries_are_path_text_made_without_pathlib(tmp_path: Path) -> None:
    """A layout's entries hold their image and label paths as text, the ``str`` of the Path they name: a dataset
    has one entry per image, and making, hashing and printing 118k Paths took longer than reading the label
    files. Labels read with their images from the size side file, in a split's subfolder, and a LabelImg names
    file among them (no label), give the same text pathlib would."""
    from labelkit.formats.yolo_folders import find_layout

    root = tmp_path / "ds"
    (root / "labels" / "train" / "sub").mkdir(parents=True)
    (root / "labels" / "train" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels" / "train" / "sub" / "b.txt").write_text("")
    (root / "labels" / "train" / "classes.txt").write_text("cat\n")
    (root / "data.yaml").write_text("train: images/train\nnames: [cat]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.png": [4, 2], "images/train/sub/b.jpg": [2, 4]}')
    layout, sizes = find_layout(root, "auto", "")
    labels = root / "labels" / "train"
    assert [(e.split, e.key, e.image, e.label) for e in layout.entries] == [
        ("train", "a", str(root / "images" / "train" / "a.png"), str(labels / "a.txt")),
        ("train", "sub/b", str(root / "images" / "train" / "sub" / "b.jpg"), str(labels / "sub" / "b.txt")),
    ]
    assert sizes == {"images/train/a.png": (4, 2), "images/train/sub/b.jpg": (2, 4)}
    assert [(i.id, i.media.path) for i in labelkit.load(root, "yolo").items()] == [
        ("a", "images/train/a.png"),
        ("sub/b", "images/train/sub/b.jpg"),
    ]


@pytest.mark.parametrize(
    "size",
    [[640, 480, 1], [640], {"width": 640}, "640x480", [0, 480], [640, -1], [2**63, 480], [True, 480], [640, 1.5], None],
)
def test_image_sizes_entries_are_checked_whole_and_named_by_their_pointer(tmp_path: Path, size: Any) -> None:
    """``load_sizes`` checks each entry inline (no generator, its JSON pointer made for an error only: 118k
    entries took a tenth of a second); every malformed size is still refused at its pointer, and a name given
    otherwise (``./``, ``\\``) is still normalised."""
    from labelkit.formats.yolo_media import load_sizes

    path = tmp_path / "image_sizes.json"
    path.write_text(json.dumps({"images/a.jpg": [4, 2], ".\\images\\b.jpg": [2, 4], "images/c.jpg": size}))
    with pytest.raises(InputError) as err:
        load_sizes(path)
    assert (err.value.message, err.value.location.path, err.value.location.pointer, err.value.found) == (
        "bad image size",
        str(path),
        "/images~1c.jpg",
        json.dumps(size),
    )
    path.write_text(json.dumps({"images/a.jpg": [4, 2], ".\\images\\b.jpg": [2, 4], "images//c.jpg": [2**63 - 1, 1]}))
    assert load_sizes(path) == {"images/a.jpg": (4, 2), "images/b.jpg": (2, 4), "images/c.jpg": (2**63 - 1, 1)}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="case-sensitive file names (Linux)")
def test_a_list_line_finds_its_image_and_label_file_by_exact_name_only(tmp_path: Path) -> None:
    """A list's lines are looked up in one listing per folder (not a stat each): the names match exactly, as
    Linux's stat does, so a label file or image differing only in case is not the line's (the line is an
    absent image, read without objects and noted)."""
    from labelkit.formats.yolo_folders import find_layout

    root = tmp_path / "ds"
    (root / "labels" / "t").mkdir(parents=True)
    (root / "images" / "t").mkdir(parents=True)
    (root / "labels" / "t" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels" / "t" / "C.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "images" / "t" / "c.jpg").write_bytes(b"")
    (root / "train.txt").write_text("images/t/A.jpg\nimages/t/b.jpg\nimages/t/C.jpg\nimages/t/c.jpg\n")
    (root / "data.yaml").write_text("train: train.txt\nnames: [cat]\n")
    layout, _ = find_layout(root, "auto", "")
    images, labels = root / "images" / "t", root / "labels" / "t"
    assert [(e.key, e.image, e.label) for e in layout.entries] == [
        ("images/t/A", str(images / "A.jpg"), str(labels / "A.txt")),
        ("images/t/b", str(images / "b.jpg"), str(labels / "b.txt")),
        ("images/t/C", str(images / "C.jpg"), str(labels / "C.txt")),
        ("images/t/c", str(images / "c.jpg"), str(labels / "c.txt")),
    ]
    assert layout.notes == [  # (C.jpg is read through its label file C.txt, c.jpg as the image there)
        "2 list lines name images not found, nor their label files ('images/t/A.jpg' at train.txt:1 first): each "
        "is read as an image without objects (a list shipped without its images?)",
        "1 label file beside the listed images' has no image, and no list names one (labels/t/a.txt): not read "
        "(their images not shipped?), as Darknet and Ultralytics train on the images their lists name",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_a_list_line_finds_its_label_file_through_a_linked_labels_folder(tmp_path: Path) -> None:
    """A labels folder that is a symbolic link (to another folder of the dataset) is listed through the link,
    as a stat went through it; a label file that is a link leading out of the dataset is still refused."""
    root = tmp_path / "ds"
    (root / "store").mkdir(parents=True)
    (root / "store" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "labels").mkdir()
    (root / "labels" / "t").symlink_to(Path("..") / "store", target_is_directory=True)
    (root / "train.txt").write_text("images/t/a.jpg\nimages/t/b.jpg\n")
    (root / "data.yaml").write_text("train: train.txt\nnames: [cat]\n")
    (root / "image_sizes.json").write_text('{"images/t/a.jpg": [4, 2], "images/t/b.jpg": [2, 4]}')
    ds = labelkit.load(root, "yolo")
    assert [i.id for i in ds.items()] == ["images/t/a", "images/t/b"]
    assert [o.item_id for o in ds.objects()] == ["images/t/a"]
    assert ds.read_notes == [
        "1 list line names an image not found, nor its label file ('images/t/b.jpg' at train.txt:2): it is read "
        "as an image without objects (a list shipped without its images?)"
    ]
    outside = tmp_path / "secret.txt"
    outside.write_text("0 0.5 0.5 0.2 0.2\n")
    (root / "store" / "b.txt").symlink_to(outside)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert (err.value.message, err.value.location.path) == (
        "cannot read: a symbolic link leading out of the dataset",
        str(root / "labels" / "t" / "b.txt"),
    )


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_items_whose_image_reads_back_at_another_path_are_reported(tmp_path: Path, layout: str) -> None:
    """An image at images/x.jpg reads back at images/train/x.jpg, and an item of a known size and no path gets
    one: the media path changed without a report line. A path that reads back below the split's images folder
    as it was (COCO's a.jpg, sub/b.jpg) is as it was, as VOC counts its item image paths."""
    ds = Dataset(categories=[Category(id=0, name="c")])
    for item_id, path in (("x", "images/x.jpg"), ("a", "a.jpg"), ("b", "sub/b.jpg"), ("w", None)):
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=4, height=3)))
    planned = [(c.what, c.count) for c in labelkit.plan(ds, "yolo", layout=layout).transformed]
    report = labelkit.save(ds, tmp_path / "o", "yolo", layout=layout)
    assert [(c.what, c.count) for c in report.transformed] == planned
    assert ("image paths", 2) in planned  # (x and w)
    folder = "obj_train_data/" if layout == "darknet" else "images/train/"
    back = {i.id.rpartition("/")[2]: i.media.path for i in labelkit.load(tmp_path / "o", "yolo").items()}
    assert back == {"x": f"{folder}x.jpg", "a": f"{folder}a.jpg", "b": f"{folder}sub/b.jpg", "w": f"{folder}w.jpg"}


def test_classify_reports_images_read_back_at_another_path(tmp_path: Path) -> None:
    """Classify files an image by its name in its class folder: pics/a.jpg reads back as train/cat/a.jpg."""
    (tmp_path / "m" / "pics").mkdir(parents=True)
    ds = Dataset(categories=[Category(id=0, name="cat")])
    for item_id, path in (("a", "pics/a.jpg"), ("b", "b.jpg")):
        Image.new("RGB", (4, 3)).save(tmp_path / "m" / path)
        ds.add_item(Item(id=item_id, split="train", media=Media(path=path, width=4, height=3)))
        ds.add(Label(id=item_id, item_id=item_id, category_id=0))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "m")}
    report = labelkit.save(ds, tmp_path / "o", "yolo", **options)
    assert [(c.what, c.count) for c in beside_ids(report.transformed)] == [("image paths", 1)]
    back = {i.id: i.media.path for i in labelkit.load(tmp_path / "o", "yolo").items()}
    assert back == {"a": "train/cat/a.jpg", "b": "train/cat/b.jpg"}


@pytest.mark.parametrize("given", [".", "data.yaml"])
def test_a_dataset_read_from_its_own_folder_reads_as_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    """Read as ``.`` (or ``data.yaml`` there), the root was ``.``, and ``Path(".") / "a"`` is ``a``: a list's
    ``images/train/a.jpg`` was made ``./images/train/a.jpg`` by text, another image than the folder split's
    ``images/train/a.jpg``, so the image both name was read twice in train (3 items; 2 by the absolute path)."""
    for name in ("a", "b"):
        image = tmp_path / "images" / "train" / f"{name}.jpg"
        image.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(image)
        label = tmp_path / "labels" / "train" / f"{name}.txt"
        label.parent.mkdir(parents=True, exist_ok=True)
        label.write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "val.txt").write_text("images/train/a.jpg\n")
    (tmp_path / "data.yaml").write_text("train: [images/train, val.txt]\nval: val.txt\nnames: [cat]\n")
    whole = labelkit.load(tmp_path)
    monkeypatch.chdir(tmp_path)
    here = labelkit.load(given)
    assert here.table("items").to_pylist() == whole.table("items").to_pylist()
    assert here.table("objects").to_pylist() == whole.table("objects").to_pylist()
    assert sorted(here.table("items")["id"].to_pylist()) == ["a", "b"]
    assert labelkit.stats(given).items == 2
    (tmp_path / "labels" / "train" / "b.txt").write_text("0 0.5 0.5 0.2\n")
    with pytest.raises(labelkit.InputError) as err:  # (named as given, relative to the current folder)
        labelkit.load(given)
    assert (err.value.location.path, err.value.location.line) == (str(Path("labels", "train", "b.txt")), 1)


def test_pose_without_visibility_counts_a_point_rounded_onto_the_corner_unlabelled(tmp_path: Path) -> None:
    """kpt_dims=2 reads a point at 0 0 as unlabelled: a visible point near the corner, written 0.00 0.00 with
    precision=2, read back unlabelled, while only its rounding was reported."""
    ds = Dataset(categories=[Category(id=0, name="p", keypoints=["a", "b"])])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=1000, height=1000), split="train"))
    ds.add(Object(id="o", item_id="1", category_id=0, bbox=(1, 1, 600, 600), keypoints=[1, 1, 2, 500, 500, 2]))
    planned = labelkit.plan(ds, "yolo", task="pose", kpt_dims=2, precision=2)
    assert [(c.what, c.count) for c in planned.lost] == [("keypoint visibility flags", 1)]
    report = labelkit.save(ds, tmp_path / "o", "yolo", allow_loss=True, task="pose", kpt_dims=2, precision=2)
    assert report.lost == planned.lost
    assert [o.keypoints for o in labelkit.load(tmp_path / "o", "yolo").objects()] == [[0, 0, 0, 500, 500, 2]]


def test_a_darknet_root_holding_data_obj_data_is_told_to_read_that_file(tmp_path: Path) -> None:
    """Darknet's own layout keeps obj.data in data/ below the folder it runs from: giving that folder said only
    'is this a YOLO dataset folder?'. The hint names the file, which reads the dataset."""
    (tmp_path / "data" / "obj").mkdir(parents=True)
    (tmp_path / "data" / "obj.data").write_text("classes = 1\ntrain = data/train.txt\nnames = data/obj.names\n")
    (tmp_path / "data" / "obj.names").write_text("cat\n")
    Image.new("RGB", (10, 10)).save(tmp_path / "data" / "obj" / "a.jpg")
    (tmp_path / "data" / "obj" / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "data" / "train.txt").write_text("data/obj/a.jpg\n")
    for name in ("yolo", None):  # (without the format named, no format recognised the folder: the hint unsaid)
        with pytest.raises(InputError, match="no images or label files found") as err:
            labelkit.load(tmp_path, format=name)
        assert err.value.hint == f"read {tmp_path / 'data' / 'obj.data'} (Darknet's data/ folder)"
    assert len(labelkit.load(tmp_path / "data" / "obj.data")) == 1
    # a data/ folder without a .data file (or a folder of that name: no file) is a flat folder, its labelled
    # images two folders down, and its list a .txt not beside an image: a label file, an error at its line
    for no_file in ("unlink", "mkdir"):
        getattr(tmp_path / "data" / "obj.data", no_file)()
        with pytest.raises(InputError, match="class id must be a non-negative integer") as err:
            labelkit.load(tmp_path, format="yolo")
        assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "data" / "train.txt"), 1)


def test_an_image_put_in_place_is_sized_by_its_header_not_by_the_sizes_file(tmp_path: Path) -> None:
    """labelkit writes image_sizes.json without the images; with the images put in place afterwards, reading took
    every size from the side file, not from the files, and a YOLO -> COCO conversion wrote the old sizes and boxes
    at their scale without a word."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=64, height=48), split="train"))
    ds.add_item(Item(id="b", media=Media(path="b.jpg", width=64, height=48), split="train"))
    for item in ("a", "b"):
        ds.add(Object(id=item, item_id=item, category_id=0, bbox=(24.0, 18.0, 16.0, 12.0)))
    out = tmp_path / "out"
    labelkit.save(ds, out, "yolo")
    assert json.loads((out / "image_sizes.json").read_text())["images/train/a.jpg"] == [64, 48]
    (out / "images/train").mkdir(parents=True)
    Image.new("RGB", (640, 480)).save(out / "images/train/a.jpg")  # (b's is still missing: the side file sizes it)
    back = labelkit.load(out, "yolo")
    assert {i.id: (i.media.width, i.media.height) for i in back.items() if i.media} == {"a": (640, 480), "b": (64, 48)}
    assert sorted(o.bbox for o in back.objects()) == [(24.0, 18.0, 16.0, 12.0), (240.0, 180.0, 160.0, 120.0)]
    assert back.read_notes[0] == (
        "1 images have another size in their files than the image sizes file gives (images/train/a.jpg first: "
        "640 x 480, not 64 x 48): the files' sizes are read"
    )


def _two_split_yolo(root: Path) -> Path:
    for split, name in (("train", "a"), ("val", "c")):
        (root / "images" / split).mkdir(parents=True)
        (root / "labels" / split).mkdir(parents=True)
        Image.new("RGB", (64, 48)).save(root / "images" / split / f"{name}.jpg")
        (root / "labels" / split / f"{name}.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    (root / "data.yaml").write_text("train: images/train\nval: images/val\nnames: [cat]\n")
    return root


def test_a_jupyter_checkpoint_folder_among_the_labels_is_passed_over(tmp_path: Path) -> None:
    """JupyterLab leaves labels/train/.ipynb_checkpoints/a-checkpoint.txt when a label file is opened in it: the
    dataset was refused ('a-checkpoint.txt: image not found'), where Ultralytics, looking for labels by their
    images, never sees it."""
    src = _two_split_yolo(tmp_path / "ds")
    clean = canonical(labelkit.load(src, "yolo"))
    (src / "labels/train/.ipynb_checkpoints").mkdir()
    (src / "labels/train/.ipynb_checkpoints/a-checkpoint.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    assert canonical(labelkit.load(src, "yolo")) == clean


def test_a_label_file_named_in_upper_case_is_an_error_naming_it(tmp_path: Path) -> None:
    """labels/train/a.TXT was passed over without a word: its image read as one of no objects (Ultralytics opens
    a.txt, which only a case-insensitive file system finds)."""
    src = _two_split_yolo(tmp_path / "ds")
    (src / "labels/train/a.txt").rename(src / "labels/train/a.TXT")
    with pytest.raises(InputError) as err:
        labelkit.load(src, "yolo")
    assert str(err.value) == (
        f"{src / 'labels/train/a.TXT'}: a label file's name ends in another case than .txt, which YOLO readers look "
        "for; hint: rename it to a.txt"
    )


def test_a_split_named_by_another_machine_s_absolute_path_is_read_from_the_folders_its_end_names(
    tmp_path: Path,
) -> None:
    """A Roboflow export downloaded in Colab names its splits /content/<name>/train/images ...: train and test were
    read from the export's own train/ and test/, but valid/ (for val) was dropped with a note, its images lost."""
    src = tmp_path / "rf"
    for split, name in (("train", "a"), ("valid", "c"), ("test", "d")):
        (src / split / "images").mkdir(parents=True)
        (src / split / "labels").mkdir(parents=True)
        Image.new("RGB", (64, 48)).save(src / split / "images" / f"{name}.jpg")
        (src / split / "labels" / f"{name}.txt").write_text("0 0.5 0.5 0.25 0.25\n")
    at = "/content/My-Dataset-1"
    (src / "data.yaml").write_text(
        f"train: {at}/train/images\nval: {at}/valid/images\ntest: {at}/test/images\nnc: 1\nnames: [cat]\n"
    )
    ds = labelkit.load(src, "yolo")
    assert sorted((i.split, i.media.path) for i in ds.items() if i.media) == [
        ("test", "test/images/d.jpg"),
        ("train", "train/images/a.jpg"),
        ("val", "valid/images/c.jpg"),
    ]
    assert f"data.yaml's val: {at}/valid/images names nothing found: valid/images is read in its place" in " ".join(
        ds.read_notes
    )


def test_a_dota_class_name_data_yaml_does_not_name_is_an_error_at_its_line(tmp_path: Path) -> None:
    """In a Roboflow "YOLO OBB" export (labelTxt lines ending in a class name, data.yaml naming the classes), a
    misspelt name became a class of its own without a word (nc: 2, three categories read and written)."""
    for split in ("train", "val"):
        (tmp_path / split / "images").mkdir(parents=True)
        (tmp_path / split / "labelTxt").mkdir()
        Image.new("RGB", (200, 100)).save(tmp_path / split / "images" / f"{split}1.png")
    (tmp_path / "train/labelTxt/train1.txt").write_text("10 10 50 10 50 40 10 40 plane 0\n")
    (tmp_path / "val/labelTxt/val1.txt").write_text("60 20 90 30 80 60 50 50 ship 0\n10 10 50 10 50 40 10 40 palne 0\n")
    (tmp_path / "data.yaml").write_text("train: train/images\nval: val/images\nnc: 2\nnames: [plane, ship]\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert str(err.value) == (
        f"{tmp_path / 'val/labelTxt/val1.txt'}:2: class 'palne' is not among the 2 names the dataset gives; hint: "
        "add it to the names (data.yaml's names), or correct the line"
    )
    (tmp_path / "val/labelTxt/val1.txt").write_text("60 20 90 30 80 60 50 50 ship 0\n")
    assert [c.name for c in labelkit.load(tmp_path, "yolo").categories] == ["plane", "ship"]


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("2147483648", "keypoint visibility flag is beyond ±1e+09"),
        ("nan", "keypoint visibility flag is not finite"),
        ("x", "keypoint visibility flag is not a number (found 'x')"),
    ],
)
def test_pose_visibility_flag_out_of_range_is_named_a_flag(tmp_path: Path, flag: str, message: str) -> None:
    """A visibility flag no reader can take is refused at its line as a flag: it was called a coordinate.

    One that is not a number too (since 2026-12-07: parsing, which does not know the task, named it so).
    """
    root = tmp_path / "src"
    (root / "labels/train").mkdir(parents=True)
    (root / "data.yaml").write_text("train: images/train\nnames: [p]\nkpt_shape: [2, 3]\n")
    (root / "image_sizes.json").write_text('{"images/train/a.jpg": [20, 10]}')
    good = "0 0.5 0.5 0.4 0.6 0.1 0.1 2 0.2 0.2 2\n"  # (kpt_shape: [2, 3])
    (root / "labels/train/a.txt").write_text(good + f"0 0.5 0.5 0.4 0.6 0.1 0.1 2 0.2 0.2 {flag}\n")
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value).endswith(f"labels/train/a.txt:2: {message}")
    (root / "labels/train/a.txt").write_text(f"0 0.5 0.5 0.4 0.6 0.1 0.1 2 0.2 {flag} 2\n")  # (a coordinate there)
    with pytest.raises(InputError) as err:
        labelkit.load(root, "yolo")
    assert str(err.value).endswith("labels/train/a.txt:1: " + message.replace("keypoint visibility flag", "coordinate"))


@pytest.mark.parametrize("task", ["segment", "detect"])
def test_a_polygon_of_holes_alone_is_not_written_as_a_filled_ring(tmp_path: Path, task: str) -> None:
    """Its every ring a hole, it covers nothing (COCO writes an empty mask, VOC paints nothing): YOLO segment wrote
    the hole as a filled ring, and detect without a box took its bounds, unreported."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=10, height=10)))
    hole = [[3.0, 3.0, 3.0, 7.0, 7.0, 7.0, 7.0, 3.0]]
    ds.add(Object(id="boxed", item_id="a", category_id=1, polygon=hole, polygon_holes=[True], bbox=(1, 1, 2, 2)))
    ds.add(Object(id="bare", item_id="a", category_id=1, polygon=hole, polygon_holes=[True]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, allow_loss=True)
    lost = [(c.what, c.count) for c in report.lost]
    assert ("polygons of holes alone", 1) in lost and sum(n for what, n in lost if what.startswith("objects")) == 1
    line = "0 0.2 0.2 0.2 0.2\n" if task == "detect" else "0 0.1 0.1 0.3 0.1 0.3 0.3 0.1 0.3\n"
    assert (tmp_path / "o/labels/train/a.txt").read_text() == line  # (the box alone)


def test_a_hole_is_reported_as_a_hole_not_as_a_ring_beyond_the_largest(tmp_path: Path) -> None:
    """YOLO segment writes one ring: a hole in it is filled, which was counted among the rings beyond the
    largest (as if another part of the object were lost) and not named as a hole."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=10, height=10)))
    outer, hole, part = [0.0, 0, 6, 0, 6, 6, 0, 6], [2.0, 2, 4, 2, 4, 4, 2, 4], [7.0, 7, 9, 7, 9, 9]
    ds.add(Object(id="o", item_id="a", category_id=1, polygon=[part, outer, hole], polygon_holes=[False, False, True]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("polygon holes", 1),
        ("polygon rings beyond the largest", 1),
    ]
    assert (tmp_path / "o/labels/train/a.txt").read_text() == "0 0.0 0.0 0.6 0.0 0.6 0.6 0.0 0.6\n"


def test_yolo_segment_writes_the_largest_ring_that_is_no_hole(tmp_path: Path) -> None:
    """A hole larger than the object's other ring (here around it) was the ring written: a filled ring where the
    object covers nothing. The largest ring that is no hole is written, and the hole reported lost."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=10, height=10)))
    inner, hole = [4.0, 4, 6, 4, 6, 6, 4, 6], [1.0, 1, 9, 1, 9, 9, 1, 9]
    ds.add(Object(id="o", item_id="a", category_id=1, polygon=[inner, hole], polygon_holes=[False, True]))
    ds.add(Object(id="b", item_id="a", category_id=1, polygon=[hole, inner], polygon_holes=[False, False]))
    report = labelkit.save(ds, tmp_path / "o", "yolo", task="segment", allow_loss=True)
    assert [(c.what, c.count) for c in report.lost] == [
        ("polygon holes", 1),
        ("polygon rings beyond the largest", 1),
    ]
    assert (tmp_path / "o/labels/train/a.txt").read_text() == (
        "0 0.4 0.4 0.6 0.4 0.6 0.6 0.4 0.6\n0 0.1 0.1 0.9 0.1 0.9 0.9 0.1 0.9\n"
    )


@pytest.mark.parametrize("task", ["detect", "segment", "obb", "pose"])
def test_an_object_of_holes_alone_and_a_mask_is_counted_lost_once_where_the_task_draws_no_mask(
    tmp_path: Path, task: str
) -> None:
    """Its mask kept it from being lost whole where the holes were taken off, yet detect, OBB and pose draw no
    mask: it was counted twice, among the polygons of holes alone and the objects without a box or polygon."""
    ds = Dataset(categories=[Category(id=1, name="c")])
    ds.add_item(Item(id="a", split="train", media=Media(path="a.jpg", width=10, height=10)))
    mask = {"size": [10, 10], "counts": [22, 3, 7, 3, 7, 3, 55]}
    ds.add(Object(id="o", item_id="a", category_id=1, polygon=[[3.0, 3, 3, 7, 7, 7]], polygon_holes=[True], mask=mask))
    report = labelkit.save(ds, tmp_path / "o", "yolo", task=task, allow_loss=True)
    lost = [(c.what, c.count) for c in report.lost if c.what.startswith(("objects", "polygons"))]
    assert lost == (
        [("polygons of holes alone", 1)] if task == "segment" else [("objects without a box or polygon", 1)]
    )


def test_pose_keys_of_a_data_yaml_without_kpt_shape_are_named_not_kept(tmp_path: Path) -> None:
    """flip_idx and kpt_names mean something only beside kpt_shape: without one (a detect set), they were dropped
    unsaid, where the README promises a read note naming the keys a written data.yaml does not have."""
    root = tmp_path / "ds"
    (root / "labels/train").mkdir(parents=True)
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    config = "train: images/train\nnames: [a]\nflip_idx: [0]\nkpt_names: {0: [p]}\n"
    (root / "data.yaml").write_text(config)
    ds = labelkit.load(root, "yolo", image_size="10x10")
    assert "data.yaml's flip_idx, kpt_names not kept: a data.yaml written from it has no such key" in ds.read_notes
    (root / "data.yaml").write_text(config + "kpt_shape: [1, 3]\n")
    (root / "labels/train/a.txt").write_text("0 0.5 0.5 0.2 0.2 0.5 0.5 2\n")
    ds = labelkit.load(root, "yolo", image_size="10x10")
    assert not [n for n in ds.read_notes if "not kept" in n]


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_a_split_read_empty_is_named_again_with_an_empty_folder_or_list(tmp_path: Path, layout: str) -> None:
    """data.yaml's `test: images/test`, an empty folder (obj.data's `test = test.txt`, an empty list: a test split
    to fill later), was not written back: a YOLO -> YOLO round trip lost the key and the folder unsaid. It is named
    again, with an empty folder (and images folder when images are placed) or list, through labelkit JSON too; a
    split of that name in another case with images, a name the layout cannot hold or no name is not."""
    src = tmp_path / "src"
    for split in ("train", "val"):
        for folder in ("images", "labels"):
            (src / folder / split).mkdir(parents=True)
        Image.new("RGB", (20, 10)).save(src / f"images/{split}/a.jpg")
        (src / f"labels/{split}/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (src / "images/test").mkdir()
    if layout == "darknet":
        (src / "obj.names").write_text("cat\n")
        (src / "train.txt").write_text("images/train/a.jpg\n")
        (src / "val.txt").write_text("images/val/a.jpg\n")
        (src / "test.txt").write_text("")
        (src / "obj.data").write_text("classes = 1\ntrain = train.txt\nvalid = val.txt\ntest = test.txt\n")
    else:
        (src / "data.yaml").write_text("train: images/train\nval: images/val\ntest: images/test\nnames: [cat]\n")
    ds = labelkit.load(src)
    assert ds.info.extras["yolo:@empty_splits"] == ["test"]
    assert [i.split for i in ds.items()] == ["train", "val"]
    options = {"layout": layout, "media": "copy", "media_root": src}
    assert labelkit.save(ds, tmp_path / "out", "yolo", **options).lost == []
    out = tmp_path / "out"
    if layout == "darknet":
        assert (out / "test.txt").read_bytes() == b""
        assert "test = test.txt\n" in (out / "obj.data").read_text()
    else:
        assert yaml.safe_load((out / "data.yaml").read_text())["test"] == "images/test"
        assert sorted(p.name for p in (out / "images/test").iterdir()) == []
        assert sorted(p.name for p in (out / "labels/test").iterdir()) == []
    again = labelkit.load(out)
    assert again.info.extras["yolo:@empty_splits"] == ["test"]
    labelkit.convert(out, tmp_path / "ds.json", to="labelkit")
    labelkit.convert(tmp_path / "ds.json", tmp_path / "twice", to="yolo", layout=layout)
    assert labelkit.load(tmp_path / "twice").info.extras["yolo:@empty_splits"] == ["test"]
    items = ds.table("items")
    ds.set_table("items", items.set_column(items.schema.get_field_index("split"), "split", pa.array(["Test", "val"])))
    ds.info.extras["yolo:@empty_splits"] = ["test", "names", "a b", 3]
    labelkit.save(ds, tmp_path / "moved", "yolo", layout=layout)
    back = labelkit.load(tmp_path / "moved")
    assert ("yolo:@empty_splits" in back.info.extras, sorted({i.split for i in back.items()})) == (
        False,
        ["Test", "val"],
    )


def test_a_classify_split_of_empty_class_folders_beside_others_is_written_back(tmp_path: Path) -> None:
    """test/ of empty class folders (a test split to fill later) beside train/ and val/ was passed over, and a
    classify write had no test/. It is a split of no items, its classes the dataset's, written back so."""
    src = tmp_path / "src"
    for split in ("train", "val"):
        for name in ("cat", "dog"):
            (src / split / name).mkdir(parents=True)
            Image.new("RGB", (8, 8)).save(src / split / name / "a.jpg")
    for name in ("cat", "dog", "emu"):
        (src / "test" / name).mkdir(parents=True)
    ds = labelkit.load(src)
    assert (ds.info.extras["yolo:@empty_splits"], [c.name for c in ds.categories]) == (["test"], ["cat", "dog", "emu"])
    assert sorted({i.split for i in ds.items()}) == ["train", "val"]
    assert labelkit.save(ds, tmp_path / "out", "yolo", media="copy", media_root=src).lost == []
    assert sorted(p.name for p in (tmp_path / "out/test").iterdir()) == ["cat", "dog", "emu"]
    assert not any((tmp_path / "out/test").rglob("*.*"))
    assert labelkit.load(tmp_path / "out").info.extras["yolo:@empty_splits"] == ["test"]


@pytest.mark.parametrize("config", ["train: {ext}\n", "path: ../ext\ntrain: images/train\n"])
def test_the_data_yaml_folders_own_labelled_images_are_named_when_the_root_is_elsewhere(
    tmp_path: Path, config: str
) -> None:
    """A data.yaml naming an empty folder outside its own (train: /mnt/empty, or path: ../ext) read no item, and its
    folder's labelled images/train was left out unsaid: read notes look in the data.yaml's folder too."""
    ds = tmp_path / "ds"
    (ds / "images/train").mkdir(parents=True)
    (ds / "labels/train").mkdir(parents=True)
    (tmp_path / "ext/images/train").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(ds / "images/train/a.jpg")
    (ds / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (ds / "data.yaml").write_text("names: [a]\n" + config.format(ext=tmp_path / "ext"))
    read = labelkit.load(ds, "yolo")
    assert len(read) == 0
    assert read.read_notes == [
        "images/train holds labelled images data.yaml names no split of: not read, as Ultralytics reads the splits "
        "data.yaml names (name one to read it: test: images/train)"
    ]


def test_image_folders_reached_through_links_are_read(tmp_path: Path) -> None:
    """images/train/sub -> ../../extra was passed over: its images without labels were lost unsaid (Ultralytics
    trains on them as background), and one with its label file in labels/train/sub was 'image not found'. A flat
    folder's day2 -> /elsewhere was passed over too; its label files are now refused unless links=follow, as any
    label file linked out of the dataset is. A link to a folder holding it is an error (a loop)."""
    ds = tmp_path / "ds"
    for rel in ("images/train/a.jpg", "extra/b.jpg", "extra/c.jpg"):
        (ds / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(ds / rel)
    (ds / "labels/train/sub").mkdir(parents=True)
    (ds / "labels/train/a.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (ds / "labels/train/sub/c.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (ds / "data.yaml").write_text("names: [a]\ntrain: images/train\n")
    (ds / "images/train/sub").symlink_to("../../extra")
    read = labelkit.load(ds, "yolo")
    assert sorted(i.id for i in read.items()) == ["a", "sub/b", "sub/c"]
    assert sorted(o.item_id for o in read.objects()) == ["a", "sub/c"]
    (ds / "images/train/again").symlink_to(".")
    with pytest.raises(InputError, match="a symbolic link to a folder holding it"):
        labelkit.load(ds, "yolo")
    flat, elsewhere = tmp_path / "flat", tmp_path / "elsewhere"
    flat.mkdir()
    elsewhere.mkdir()
    for folder, name in ((flat, "a"), (elsewhere, "b")):
        Image.new("RGB", (20, 10)).save(folder / f"{name}.jpg")
        (folder / f"{name}.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    (flat / "classes.txt").write_text("a\n")
    (flat / "day2").symlink_to(elsewhere)
    with pytest.raises(InputError, match="linked out of the dataset") as err:
        labelkit.load(flat, "yolo")
    assert err.value.location.path == str(flat / "day2/b.txt")
    assert sorted(i.id for i in labelkit.load(flat, "yolo", links="follow").items()) == ["a", "day2/b"]


@pytest.mark.parametrize("key", ["../evil", ".", "a b"])
def test_an_obj_data_key_no_split_can_be_named_after_is_an_error_at_its_line(tmp_path: Path, key: str) -> None:
    """obj.data's '../evil = evil.txt' was read as a split named '../evil', refused only when written, naming the
    output rather than obj.data's line."""
    (tmp_path / "obj_train_data").mkdir()
    Image.new("RGB", (20, 10)).save(tmp_path / "obj_train_data/a.jpg")
    (tmp_path / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "obj.names").write_text("a\n")
    for name in ("train.txt", "evil.txt"):
        (tmp_path / name).write_text("obj_train_data/a.jpg\n")
    (tmp_path / "obj.data").write_text(f"classes = 1\nnames = obj.names\ntrain = train.txt\n{key} = evil.txt\n")
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    assert (err.value.location.path, err.value.location.line) == (str(tmp_path / "obj.data"), 4)
    assert err.value.message == f"obj.data's key {key!r} names a list of images, but no split can be named so"
    assert err.value.hint == "key the list by the split's name (test = evil.txt)"


@pytest.mark.parametrize("names", [("a", "b"), ("b", "a")])
def test_two_links_to_nested_folders_read_each_image_once(tmp_path: Path, names: tuple[str, str]) -> None:
    """images/train/a -> ext/sub beside images/train/b -> ext read ext/sub/c.jpg twice (as a/c and b/sub/c) when
    the link to the outer folder came second by name: a folder read through one link is not read again inside
    another's."""
    ds = tmp_path / "ds"
    for rel in ("images/train/x.jpg", "ext/sub/c.jpg", "ext/d.jpg"):
        (ds / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (20, 10)).save(ds / rel)
    (ds / "labels/train").mkdir(parents=True)
    (ds / "data.yaml").write_text("names: [a]\ntrain: images/train\n")
    inner, outer = names
    (ds / "images/train" / inner).symlink_to("../../ext/sub")
    (ds / "images/train" / outer).symlink_to("../../ext")
    ids = sorted(i.id for i in labelkit.load(ds, "yolo").items())
    assert len(ids) == 3 and "x" in ids and f"{outer}/d" in ids
    assert sum(1 for i in ids if i.endswith("c")) == 1


def test_a_path_too_long_for_the_system_below_the_output_is_a_loss_found_when_planning(tmp_path: Path) -> None:
    """A label file whose path, each folder of it under 255 bytes, is longer than the system takes (4,095 bytes,
    PATH_MAX, with the output's temporary folder's absolute path) passed labelkit.plan and a dry run, and the
    write stopped with 'cannot write: File name too long': it is a loss found when planning, as a name too long
    is. A dry run and the write know the output folder; labelkit.plan, which does not, finds the paths too long
    below any folder."""
    out = tmp_path / "out"
    room = room_below(out)
    ds = Dataset(categories=[Category(id=1, name="c")])
    fits, over = deep_path(room - 13, "a.jpg"), deep_path(room - 12, "b.jpg")  # (labels/train/<stem>.txt)
    for item, path in (("a", fits), ("b", over)):
        ds.add_item(Item(id=item, media=Media(path=path, width=10, height=10), split="train"))
        ds.add(Object(id=f"o{item}", item_id=item, category_id=1, bbox=(0, 0, 1, 1)))
    assert labelkit.plan(ds, "yolo").lost == []  # (4,095 bytes below no folder: both fit)
    report = dry_run_loses_as_the_write(
        ds, out, "yolo", [("items whose file paths are too long", 1), ("object annotations on them", 1)]
    )
    assert report.lost[0].reason == (
        "the system takes no path of more than 4,095 bytes (PATH_MAX), the output folder's path "
        f"included: they are not written (at most {room:,} bytes below the output folder) "
        f"(item 'b', 'labels/train/{over[:-4]}.txt')"
    )
    assert (out / f"labels/train/{fits[:-4]}.txt").read_text() == "0 0.05 0.05 0.1 0.1\n"
    # a path longer than 4,095 bytes below any folder: labelkit.plan finds it too
    ds.add_item(Item(id="c", media=Media(path=deep_path(4096, "c.jpg"), width=10, height=10), split="train"))
    assert [(c.what, c.count) for c in labelkit.plan(ds, "yolo").lost] == [("items whose file paths are too long", 1)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symbolic links as on POSIX")
@pytest.mark.parametrize("what", ["dangling", "data/ dangling", "folder", "fifo", "absent"])
def test_a_names_file_obj_data_names_that_is_no_file_is_an_error(tmp_path: Path, what: str) -> None:
    """``names = my.names`` naming a link to no file, a folder or a FIFO was passed over with a note, the classes
    read as class_0, ..., where the same at ``obj.names`` is an error naming it; a name with nothing there keeps
    its note (Darknet stops, unable to open it)."""
    (tmp_path / "obj_train_data").mkdir()
    (tmp_path / "obj_train_data/a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / "train.txt").write_text("obj_train_data/a.jpg\n")
    (tmp_path / "image_sizes.json").write_text('{"obj_train_data/a.jpg": [10, 10]}')
    (tmp_path / "obj.data").write_text("classes = 1\nnames = my.names\ntrain = train.txt\n")
    names = tmp_path / "my.names"
    if what == "data/ dangling":  # (Darknet's data/ prefix: a link to no file there was passed over for my.names)
        (tmp_path / "obj.data").write_text("classes = 1\nnames = data/my.names\ntrain = train.txt\n")
        (tmp_path / "data").mkdir()
        names = tmp_path / "data" / "my.names"
    if what.endswith("dangling"):
        names.symlink_to(tmp_path / "nothing")
    elif what == "folder":
        names.mkdir()
    elif what == "fifo":
        os.mkfifo(names)
    if what == "absent":
        ds = labelkit.load(tmp_path, "yolo")
        assert [c.name for c in ds.categories] == ["class_0"]
        assert ds.read_notes[0].startswith("obj.data's names = my.names names no file found")
        return
    with pytest.raises(InputError) as err:
        labelkit.load(tmp_path, "yolo")
    message = "a symbolic link to no file" if what.endswith("dangling") else "not a regular file"
    assert (err.value.location.path, err.value.message) == (str(names), f"cannot read: {message}")


@pytest.mark.parametrize(
    "line",
    [
        "0 0.171875 1.0 0.15625 1.0 0.15625 0.9999999999999999 0.171875 0.9999999999999999",  # (along the bottom)
        "0 1.0 0.171875 0.9999999999999999 0.171875 0.9999999999999999 0.15625 1.0 0.15625",  # (along the right)
    ],
)
def test_an_obb_sliver_along_an_edge_turned_half_a_turn_comes_back(tmp_path: Path, line: str) -> None:
    """A rectangle of a float's height along the image's bottom edge, its corners from the bottom-right one (half
    a turn): its box was taken from its centre, which rounded onto the edge (y = 480.0 of 480), so YOLO OBB ->
    YOLO OBB lost it, 'objects with no area inside the image', though every corner is inside."""
    (tmp_path / "in/labels/train").mkdir(parents=True)
    (tmp_path / "in/data.yaml").write_text("names: [b]\npath: .\ntrain: images/train\n")
    (tmp_path / "in/image_sizes.json").write_text('{"images/train/i.jpg": [640, 480]}')
    (tmp_path / "in/labels/train/i.txt").write_text(line + "\n")
    report = labelkit.convert(tmp_path / "in", tmp_path / "out", to="yolo", task="obb")
    assert report.lost == []
    assert (tmp_path / "out/labels/train/i.txt").read_text() == line + "\n"
    assert labelkit.convert(tmp_path / "in", tmp_path / "coco", to="coco", allow_loss=True).lost == []
    # and a box so turned, from labelkit JSON, is written with its corners exactly
    ds = Dataset(categories=[Category(id=0, name="b")])
    ds.add_item(Item(id="i", media=Media(path="i.jpg", width=640, height=480), split="train"))
    ds.add(Object(id="1", item_id="i", category_id=0, bbox=(639.9999999999999, 0.0, 0.5, 1.0), angle=180.0))
    report = labelkit.save(ds, tmp_path / "k", "yolo", task="obb", allow_loss=True)  # (clipped at the right edge)
    assert (report.lost, [(c.what, c.count) for c in report.transformed]) == ([], [("objects", 1)])
    written = "0 1.0 0.0020833333333333333 0.9999999999999998 0.0020833333333333333 0.9999999999999998 0.0 1.0 0.0\n"
    assert (tmp_path / "k/labels/train/i.txt").read_text() == written
    again = labelkit.convert(tmp_path / "k", tmp_path / "k2", to="yolo", task="obb")
    assert (again.lost, again.transformed, (tmp_path / "k2/labels/train/i.txt").read_text()) == ([], [], written)
