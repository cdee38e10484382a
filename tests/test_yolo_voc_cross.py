"""COCO <-> YOLO <-> VOC: boxes agree within 1e-6 of a pixel where nothing forces rounding; reports list losses."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit import formats
from labelkit.errors import InputError
from labelkit.formats.crowd import SUGGESTION
from labelkit.model import Category, Dataset, Item, Media, Object

pytestmark = pytest.mark.skipif("coco" not in formats.names(), reason="the COCO format is not registered")

_BOX = st.tuples(
    st.floats(0, 500, allow_nan=False),
    st.floats(0, 300, allow_nan=False),
    st.floats(0.01, 100, allow_nan=False),
    st.floats(0.01, 100, allow_nan=False),
)


def _dataset(boxes: list[tuple[float, float, float, float]]) -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="person"), Category(id=90, name="tooth brush")])
    ds.add_item(Item(id="7", media=Media(path="000000000007.jpg", width=640, height=480), split="train"))
    ds.add_item(Item(id="9", media=Media(path="000000000009.jpg", width=612, height=410), split="val"))
    for i, box in enumerate(boxes):
        ds.add(Object(id=str(i + 1), item_id="7" if i % 2 == 0 else "9", category_id=1 if i % 3 else 90, bbox=box))
    return ds


def _boxes(ds: Dataset) -> list[tuple[str, str, tuple[float, ...]]]:
    name = {c.id: c.name for c in ds.categories}
    stem = {i.id: Path(i.media.path or i.id).stem for i in ds.items()}
    out = [(stem[o.item_id], name[o.category_id or 0], tuple(o.bbox or ())) for o in ds.objects()]
    return sorted(out, key=lambda t: t[0])


def _close(a: list[tuple[str, str, tuple[float, ...]]], b: list[tuple[str, str, tuple[float, ...]]]) -> None:
    assert [(s, n) for s, n, _ in a] == [(s, n) for s, n, _ in b]
    assert np.abs(np.array([x for *_, x in a]) - np.array([x for *_, x in b])).max() < 1e-6


@settings(max_examples=15, deadline=None)
@given(st.lists(_BOX, min_size=2, max_size=6))
def test_coco_yolo_voc_coco_keeps_boxes(tmp_path_factory: pytest.TempPathFactory, boxes: list) -> None:
    # stay inside both images so YOLO's clipping does not apply
    boxes = [(x % 400, y % 200, w, h) for x, y, w, h in boxes]
    tmp = tmp_path_factory.mktemp("x")
    start = _dataset(boxes)
    labelkit.save(start, tmp / "coco", "coco")
    coco = labelkit.load(tmp / "coco", "coco")
    labelkit.save(coco, tmp / "yolo", "yolo", allow_loss=True)
    yolo = labelkit.load(tmp / "yolo", "yolo")
    labelkit.save(yolo, tmp / "voc", "voc")
    voc = labelkit.load(tmp / "voc", "voc")
    labelkit.save(voc, tmp / "coco2", "coco")
    back = labelkit.load(tmp / "coco2", "coco")
    for ds in (coco, yolo, voc, back):
        _close(_boxes(ds), _boxes(start))


@settings(max_examples=15, deadline=None)
@given(st.lists(_BOX, min_size=2, max_size=6))
def test_voc_yolo_coco_voc_keeps_boxes(tmp_path_factory: pytest.TempPathFactory, boxes: list) -> None:
    """The other way round (VOC -> YOLO, YOLO -> COCO, COCO -> VOC; only COCO -> YOLO -> VOC -> COCO was
    tested): boxes agree within 1e-6 of a pixel at every step, and no step loses or transforms a box."""
    boxes = [(x % 400, y % 200, w, h) for x, y, w, h in boxes]
    tmp = tmp_path_factory.mktemp("x")
    start = _dataset(boxes)
    labelkit.save(start, tmp / "voc", "voc", allow_loss=True)
    steps = [("voc", "yolo"), ("yolo", "coco"), ("coco", "voc")]
    for source, target in steps:
        report = labelkit.convert(tmp / source, tmp / f"{target}-{source}", to=target, allow_loss=True)
        assert not [c.what for c in report.lost], (source, target)
        assert "boxes" not in {c.what for c in report.transformed if target != "coco"}, (source, target)
        (tmp / f"{target}-{source}").rename(tmp / f"{target}2" if target == "voc" else tmp / target)
    for name, fmt in (("voc", "voc"), ("yolo", "yolo"), ("coco", "coco"), ("voc2", "voc")):
        _close(_boxes(labelkit.load(tmp / name, fmt)), _boxes(start))


def test_reports_list_what_each_step_drops(tmp_path: Path) -> None:
    ds = _dataset([(1.0, 2.0, 3.0, 4.0), (5.0, 6.0, 7.0, 8.0)])
    ds.add(Object(id="99", item_id="7", category_id=1, bbox=(0, 0, 4, 4), angle=30.0))
    plan = labelkit.api.plan(ds, "yolo", task="detect")
    assert [c.what for c in plan.lost] == ["rotated boxes"]
    plan = labelkit.api.plan(ds, "voc")
    assert [c.what for c in plan.lost] == ["rotated boxes"]
    assert not labelkit.api.plan(ds, "yolo", task="obb").lost


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _coco_with_polygons(tmp_path: Path, bad_ring: bool = False) -> Path:
    """Three annotations: a boxed polygon, a polygon without a box, a crowd RLE."""
    ring = [10.0, 10.0, 60.0, 12.0, 40.0, 50.0] if not bad_ring else [10.0, 10.0, 60.0, 12.0]
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 80}],
        "categories": [{"id": 3, "name": "car"}],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 3,
                "bbox": [10, 10, 50, 40],
                "segmentation": [ring],
                "area": 900,
                "iscrowd": 0,
            },
            {
                "id": 2,
                "image_id": 1,
                "category_id": 3,
                "segmentation": [[5.0, 5.0, 25.0, 5.0, 25.0, 15.0]],
                "area": 100,
                "iscrowd": 0,
            },
            {
                "id": 3,
                "image_id": 1,
                "category_id": 3,
                "bbox": [0, 0, 2, 2],
                "segmentation": {"size": [80, 100], "counts": [0, 2, 78, 2, 7918]},
                "area": 4,
                "iscrowd": 1,
            },
        ],
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(("to", "options"), [("yolo", {"task": "detect"}), ("yolo", {}), ("voc", {})])
def test_conversions_that_drop_polygons_count_them_without_parsing(
    tmp_path: Path, to: str, options: dict[str, str]
) -> None:
    src = _coco_with_polygons(tmp_path)
    full = labelkit.save(labelkit.load(src, "coco"), tmp_path / "full", to, allow_loss=True, **options)
    fast = labelkit.convert(src, tmp_path / "fast", to, allow_loss=True, **options)
    assert _tree(tmp_path / "fast") == _tree(tmp_path / "full")
    assert fast.lost == full.lost and fast.transformed == full.transformed and fast.written == full.written
    # (VOC, as YOLO detect, writes the object without a box with its polygon's bounds, and loses its polygon)
    assert any(c.what == "polygons" and c.count == 2 for c in fast.lost)


def test_a_bad_polygon_stops_only_conversions_that_use_polygons(tmp_path: Path) -> None:
    src = _coco_with_polygons(tmp_path, bad_ring=True)
    with pytest.raises(InputError) as err:
        labelkit.convert(src, tmp_path / "seg", "yolo", task="segment", allow_loss=True)
    assert err.value.location.pointer == "/annotations/0/segmentation/0"
    assert not (tmp_path / "seg").exists()
    labelkit.convert(src, tmp_path / "det", "yolo", task="detect", allow_loss=True)
    assert (tmp_path / "det/labels/train/a.txt").read_text().splitlines()[1] == "0 0.15 0.125 0.2 0.125"


@pytest.mark.parametrize(
    ("fmt", "other"), [("yolo", "objects on images of unknown size"), ("voc", "objects without a box or mask")]
)
def test_an_object_lost_for_its_category_is_not_counted_lost_again(tmp_path: Path, fmt: str, other: str) -> None:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="u", media=Media(path="u.jpg"), split="train"))  # no size, for YOLO
    ds.add(
        Object(id="1", item_id="u", category_id=None, bbox=None if fmt == "voc" else (0.0, 0.0, 1.0, 1.0)),
        Object(id="2", item_id="u", category_id=1, bbox=None if fmt == "voc" else (0.0, 0.0, 1.0, 1.0)),
    )
    report = labelkit.plan(ds, fmt)
    counts = {c.what: c.count for c in report.lost}
    assert (counts["objects without a known category"], counts[other]) == (1, 1)  # was: 1 and 2


def _crowd_coco(tmp_path: Path) -> Path:
    rle = {"size": [8, 10], "counts": [10, 5, 65]}
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 1, "segmentation": rle},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0, "segmentation": []},
        {"id": 3, "image_id": 1, "category_id": 1, "bbox": [2, 2, 2, 2], "area": 4, "iscrowd": 1},
        {"id": 4, "image_id": 1, "category_id": 1, "bbox": [3, 3, 2, 2], "attributes": {"colour": "red", "note": None}},
    ]
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],
        "annotations": annotations,
        "categories": [{"id": 1, "name": "person"}],
    }
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    return path


@pytest.mark.parametrize(("target", "title"), [("yolo", "YOLO detect"), ("voc", "Pascal VOC")])
def test_coco_crowd_flags_and_attributes_no_record_holds_are_reported_lost(
    tmp_path: Path, target: str, title: str
) -> None:
    """A crowd region written as an ordinary object is a positive example to a trainer, and an attributes object
    holding a null is carried as coco:attributes: both were only noted ('carry coco:iscrowd, which ... does not
    keep'), and the conversion went on without --allow-loss."""
    from labelkit.errors import DataLossError

    ds = labelkit.load(_crowd_coco(tmp_path))
    lost = {(c.what, c.count, c.reason) for c in labelkit.plan(ds, target).lost}
    assert ("object annotations' crowd flags (coco:iscrowd)", 2, f"{title} has no crowd flag ({SUGGESTION})") in lost
    what = "object annotations' attributes the records cannot hold (coco:attributes)"
    assert (what, 1, f"{title} has no place for them") in lost
    with pytest.raises(DataLossError):
        labelkit.save(ds, tmp_path / "out", target)
    assert not (tmp_path / "out").exists()
    for kept in ("coco", "labelkit"):  # (COCO writes them back as read; labelkit JSON keeps every extra)
        assert not any("coco:" in c.what for c in labelkit.plan(ds, kept).lost)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.dictionaries(
                st.sampled_from(["coco:iscrowd", "coco:area", "voc:difficult", "x"]),
                st.one_of(
                    st.sampled_from([0, 1, 0.0, -0.0, 0.5, 2, True, False, None, "0", []]), st.just({"coco:iscrowd": 1})
                ),
                max_size=3,
            ),
        ),
        max_size=8,
    ),
    st.sampled_from([(",", ":"), (", ", ": ")]),
)
@example([{"coco:iscrowd": 0.5}, {"voc:difficult": 0, "coco:iscrowd": 0.0}, {"x": {"coco:iscrowd": 1}}], (",", ":"))
def test_flag_counts_of_texts_spelled_any_way_equal_decoding_each(cells: list, separators: tuple[str, str]) -> None:
    """The flags of rows spelled "key":0 then , or } are taken for defaults without decoding them; any other
    spelling is decoded: the counts are those of decoding every row."""
    import pyarrow as pa

    from labelkit.formats.capability import CONTENT_OBJECT_EXTRAS, content_extras_counts, holds_content

    texts = [None if c is None else json.dumps(c, separators=separators) for c in cells]
    keys = [key for key, _, _ in CONTENT_OBJECT_EXTRAS]
    expected: dict[str, int] = {}
    for c in cells:
        for key in keys:
            if c is not None and key in c and holds_content(key, c[key]):
                expected[key] = expected.get(key, 0) + 1
    assert content_extras_counts(pa.array(texts, pa.string()), None) == expected


@pytest.mark.parametrize(("iscrowd", "lost"), [("false", 0), ("0", 0), ("FALSE", 0), ("true", 1), (1, 1)])
def test_a_crowd_flag_written_as_the_text_false_is_no_crowd_region(tmp_path: Path, iscrowd: object, lost: int) -> None:
    """Label Studio's COCO export writes "iscrowd": "false": it was counted a crowd flag YOLO and VOC lose, and its
    conversion refused without --allow-loss, for no crowd region."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 8}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2], "iscrowd": iscrowd}],
        "categories": [{"id": 1, "name": "person"}],
    }
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    ds = labelkit.load(path)
    for target in ("yolo", "voc"):
        counts = {c.what: c.count for c in labelkit.plan(ds, target).lost}
        assert counts.get("object annotations' crowd flags (coco:iscrowd)", 0) == lost


def test_an_empty_split_is_carried_between_coco_and_voc_or_yolo(tmp_path: Path) -> None:
    """COCO's instances_test.json listing no image (a test split to fill later) was dropped unsaid by a VOC or YOLO
    write, and VOC's empty test.txt or YOLO's empty test split by a COCO write: each wrote back only its own."""
    coco = tmp_path / "coco/annotations"
    coco.mkdir(parents=True)
    box = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0}
    cats = [{"id": 1, "name": "cat"}]
    train = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "annotations": [box]}
    (coco / "instances_train.json").write_text(json.dumps({**train, "categories": cats}))
    (coco / "instances_test.json").write_text(json.dumps({"images": [], "annotations": [], "categories": cats}))
    assert labelkit.load(tmp_path / "coco").info.extras["coco:@empty_splits"] == ["test"]
    labelkit.convert(tmp_path / "coco", tmp_path / "voc", to="voc", allow_loss=True)
    assert (tmp_path / "voc/ImageSets/Main/test.txt").read_bytes() == b""
    labelkit.convert(tmp_path / "coco", tmp_path / "yolo", to="yolo", allow_loss=True)
    assert "test: images/test\n" in (tmp_path / "yolo/data.yaml").read_text()
    for source in ("voc", "yolo"):
        out = tmp_path / f"back_{source}"
        labelkit.convert(tmp_path / source, out, to="coco", allow_loss=True)
        names = sorted(p.name for p in (out / "annotations").iterdir())
        assert names == ["instances_test.json", "instances_train.json"]
        test = json.loads((out / "annotations/instances_test.json").read_text())
        assert (test["images"], test["annotations"], [c["name"] for c in test["categories"]]) == ([], [], ["cat"])
        back = labelkit.load(out)
        assert back.info.extras["coco:@empty_splits"] == ["test"]
        assert len(back) == 1
    # COCO -> COCO writes the file once, as read
    labelkit.convert(tmp_path / "coco", tmp_path / "again", to="coco")
    assert sorted(p.name for p in (tmp_path / "again/annotations").iterdir()) == [
        "instances_test.json",
        "instances_train.json",
    ]


def test_a_split_read_empty_that_another_split_takes_gets_no_coco_file(tmp_path: Path) -> None:
    """An empty split whose file another split's is (in any case), or that names no plain file, is not written."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10), split="Test"))
    ds.info.extras["voc:@empty_splits"] = ["test", "../x", "val"]
    labelkit.save(ds, tmp_path / "out", "coco")
    assert sorted(p.name for p in (tmp_path / "out/annotations").iterdir()) == [
        "instances_Test.json",
        "instances_val.json",
    ]
    # a dataset of empty splits alone has no default file
    only = Dataset(categories=[Category(id=1, name="cat")])
    only.info.extras["yolo:@empty_splits"] = ["test"]
    labelkit.save(only, tmp_path / "only", "coco")
    assert sorted(p.name for p in (tmp_path / "only/annotations").iterdir()) == ["instances_test.json"]


def test_an_empty_split_read_from_voc_or_yolo_is_written_by_the_other(tmp_path: Path) -> None:
    """VOC's empty ImageSets/Main/test.txt (a test split to fill later) was dropped unsaid by a YOLO write, and
    YOLO's empty test split by a VOC write, each format writing back only its own."""
    voc = tmp_path / "voc"
    (voc / "Annotations").mkdir(parents=True)
    (voc / "ImageSets/Main").mkdir(parents=True)
    (voc / "Annotations/a.xml").write_text(
        "<annotation><filename>a.jpg</filename><size><width>10</width><height>10</height></size><object>"
        "<name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>"
        "</annotation>"
    )
    (voc / "ImageSets/Main/train.txt").write_text("a\n")
    (voc / "ImageSets/Main/test.txt").write_text("")
    labelkit.convert(voc, tmp_path / "yolo", to="yolo")
    assert "test: images/test\n" in (tmp_path / "yolo/data.yaml").read_text()
    assert labelkit.load(tmp_path / "yolo").info.extras["yolo:@empty_splits"] == ["test"]
    labelkit.convert(tmp_path / "yolo", tmp_path / "back", to="voc")
    assert (tmp_path / "back/ImageSets/Main/test.txt").read_bytes() == b""
    assert sorted(p.name for p in (tmp_path / "back/ImageSets/Main").iterdir()) == ["test.txt", "train.txt"]


_EMPTY_SPLIT_NAMES = st.lists(st.sampled_from(["test", "val", "dev", "holdout", "val2", "extra_1"]), unique=True)


@settings(max_examples=12, deadline=None)
@given(_EMPTY_SPLIT_NAMES, st.sampled_from(["voc", "yolo", "coco"]))
def test_empty_splits_read_by_any_of_coco_voc_and_yolo_survive_the_others(names: list[str], first: str) -> None:
    """Splits of no image, read by one format, come back from each other format (property)."""
    import tempfile

    key = {"voc": "voc:@empty_splits", "yolo": "yolo:@empty_splits", "coco": "coco:@empty_splits"}
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0)))
    ds.info.extras[key[first]] = names
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        labelkit.save(ds, root / first, first, allow_loss=True)
        read = labelkit.load(root / first)
        assert sorted(read.info.extras.get(key[first], [])) == sorted(names)
        for target in sorted(set(key) - {first}):
            labelkit.save(read, root / target, target, allow_loss=True)
            back = labelkit.load(root / target)
            assert sorted(back.info.extras.get(key[target], [])) == sorted(names)
            assert len(back) == 1


def test_info_lists_the_splits_read_empty(tmp_path: Path) -> None:
    """labelkit info counted items per split, so a test split read empty (COCO's file listing no image, VOC's empty
    test.txt, YOLO's empty folder) was not shown; it is, with 0 items."""
    coco = tmp_path / "coco/annotations"
    coco.mkdir(parents=True)
    cats = [{"id": 1, "name": "cat"}]
    train = {"images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}], "annotations": []}
    (coco / "instances_train.json").write_text(json.dumps({**train, "categories": cats}))
    (coco / "instances_test.json").write_text(json.dumps({"images": [], "annotations": [], "categories": cats}))
    assert labelkit.stats(tmp_path / "coco").items_by_split == {"test": 0, "train": 1}
    labelkit.convert(tmp_path / "coco", tmp_path / "voc", to="voc")
    labelkit.convert(tmp_path / "coco", tmp_path / "yolo", to="yolo")
    for fmt in ("voc", "yolo"):
        assert labelkit.stats(tmp_path / fmt).items_by_split == {"test": 0, "train": 1}
    ds = Dataset()
    ds.add_item(Item(id="a", split="train"))
    assert ds.stats(["test", "train", "", "(none)"]).items_by_split == {'"(none)"': 0, "test": 0, "train": 1}


def test_an_empty_split_windows_cannot_name_is_left_out_by_yolo_as_by_voc(tmp_path: Path) -> None:
    """VOC's empty ImageSets/Main/con.txt was written by YOLO as labels/con/ and con: images/con (a folder Windows
    cannot make), while VOC and COCO leave it out, and a split con of items is refused."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.info.extras["voc:@empty_splits"] = ["con", "test"]
    labelkit.save(ds, tmp_path / "yolo", "yolo")
    assert "con" not in (tmp_path / "yolo/data.yaml").read_text()
    assert sorted(p.name for p in (tmp_path / "yolo/labels").iterdir()) == ["test", "train"]
    labelkit.save(ds, tmp_path / "voc", "voc")
    assert sorted(p.name for p in (tmp_path / "voc/ImageSets/Main").iterdir()) == ["test.txt", "train.txt"]
