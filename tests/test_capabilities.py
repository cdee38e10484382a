import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.cli import cli
from labelkit.formats.capability import extras_key_counts
from labelkit.model import Category, Dataset, DatasetInfo, Item, Label, Media, Object


def _dataset() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=5, height=5)))
    for i in range(5):
        extras = {"coco:area": i * 1.5 - 3, "coco:iscrowd": 0, "x:7y": "t:1,"}
        if i % 2:
            extras["voc:pose"] = "Left"
        ds.add(Object(id=str(i), item_id="1", category_id=1, bbox=(0, 0, 1, 1), extras=extras))
    return ds


def test_foreign_extras_are_counted_per_key() -> None:
    notes = labelkit.plan(_dataset(), "voc").notes
    assert [n for n in notes if "annotations carry" in n] == [
        "5 object annotations carry 'coco:area', which Pascal VOC does not keep",
        "5 object annotations carry 'coco:iscrowd', which Pascal VOC does not keep",
        "5 object annotations carry 'x:7y', which Pascal VOC does not keep",
    ]


def _user_extras() -> Dataset:
    """The review's ex2: an object extra of no format's namespace, beside one of COCO's."""
    ds = Dataset(
        categories=[Category(id=1, name="a", extras={"owner": "team-b"})], info=DatasetInfo(extras={"project": "p1"})
    )
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80), split="train"))
    ds.add(
        Object(id="1", item_id="1", category_id=1, bbox=(10, 10, 30, 20), extras={"foo": "important", "coco:area": 600})
    )
    return ds


@pytest.mark.parametrize("fmt", ["voc", "coco", "yolo"])
def test_extras_of_no_format_are_user_data_reported_lost(fmt: str, tmp_path: Path) -> None:
    """They were only noted ("1 object annotations carry 'foo', which ... does not keep") and dropped without
    --allow-loss, against the README; COCO dropped category and dataset info ones without a word."""
    target, own = {"voc": ("Pascal VOC", "voc"), "coco": ("COCO", "coco"), "yolo": ("YOLO detect", "yolo")}[fmt]
    reason = f"{target} keeps only {own}: extras, and a key without a format's namespace is the user's data"
    report = labelkit.plan(_user_extras(), fmt)
    assert [(c.what, c.count, c.reason) for c in report.lost if "extra" in c.what] == [
        ("dataset info extra 'project'", 1, reason),
        ("categories with the extra 'owner'", 1, reason),
        ("object annotations with the extra 'foo'", 1, reason),
    ]
    # another format's extras are its bookkeeping: noted, not lost
    assert [n for n in report.notes if "carry" in n] == (
        [] if fmt == "coco" else [f"1 object annotations carry 'coco:area', which {target} does not keep"]
    )
    with pytest.raises(labelkit.DataLossError):
        labelkit.save(_user_extras(), tmp_path / "o", fmt)
    assert not (tmp_path / "o").exists()
    labelkit.save(_user_extras(), tmp_path / "o", fmt, allow_loss=True)
    assert not [p for p in (tmp_path / "o").rglob("*") if p.is_file() and b"important" in p.read_bytes()]


def test_cli_refuses_to_drop_a_user_extra(tmp_path: Path) -> None:
    """convert --to voc exited 0 with a note, and 'important' was nowhere in the output."""
    src = tmp_path / "ex2.labelkit.json"
    src.write_text(
        json.dumps(
            {
                "format": "labelkit",
                "version": 1,
                "categories": [{"id": 1, "name": "a"}],
                "items": [{"id": "1", "media": {"path": "1.jpg", "width": 100, "height": 80}, "split": "train"}],
                "annotations": [
                    {
                        "kind": "object",
                        "id": "1",
                        "item_id": "1",
                        "category_id": 1,
                        "bbox": [10, 10, 30, 20],
                        "extras": {"foo": "important"},
                    }
                ],
            }
        )
    )
    result = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "out"), "--to", "voc"])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    lost = (
        "1 object annotations with the extra 'foo': Pascal VOC keeps only voc: extras, and a key without a "
        "format's namespace is the user's data"
    )
    assert result.stderr.splitlines()[0] == f"labelkit: lost: {lost}"


def _voc_annotations() -> Dataset:
    """VOC2012 Layout and Action objects: part boxes, actions and a point, flags and poses, beside defaults."""
    ds = Dataset(categories=[Category(id=15, name="person")])
    ds.add_item(Item(id="1", media=Media(path="1.jpg", width=100, height=80), split="train"))
    rich = {
        "voc:parts": [{"name": "head", "bbox": [10.0, 10.0, 5.0, 5.0]}, {"name": "hand", "bbox": [20, 20, 3, 3]}],
        "voc:actions": {"jumping": 1, "running": 0},
        "voc:point": [12.0, 14.0],
        "voc:difficult": 1,
        "voc:truncated": 1,
        "voc:pose": "Left",
    }
    defaults = {
        "voc:parts": [],
        "voc:actions": {"jumping": 0},
        "voc:difficult": 0,
        "voc:truncated": 0,
        "voc:pose": "Unspecified",
    }
    for i, extras in enumerate([rich, rich, defaults, {"voc:parts": [{"name": "foot", "bbox": [1, 1, 2, 2]}]}, {}]):
        ds.add(Object(id=str(i), item_id="1", category_id=15, bbox=(10, 10, 30, 40), extras=extras))
    return ds


@pytest.mark.parametrize("fmt", ["coco", "yolo"])
def test_voc_annotation_extras_are_lost_by_a_target_without_them(fmt: str, tmp_path: Path) -> None:
    """VOC -> COCO / YOLO dropped part boxes, actions and the difficult flag with exit 0 and a note."""
    voc = tmp_path / "voc"
    labelkit.save(_voc_annotations(), voc, "voc")
    target = {"coco": "COCO", "yolo": "YOLO detect"}[fmt]
    report = labelkit.plan(labelkit.load(voc), fmt)
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("object annotations' part boxes (voc:parts)", 3, f"{target} has no parts"),
        ("object annotations' action labels (voc:actions)", 2, f"{target} has no actions"),
        ("object annotations' action points (voc:point)", 2, f"{target} has no action points"),
        ("object annotations' difficult flags (voc:difficult)", 2, f"{target} has no difficult flag"),
        ("object annotations' truncated flags (voc:truncated)", 2, f"{target} has no truncated flag"),
        ("object annotations' poses (voc:pose)", 2, f"{target} has no pose"),
    ]
    # the reader keeps an all-0 actions element: a default, noted with the other keys
    assert [n for n in report.notes if "carry" in n] == [
        f"1 object annotations carry 'voc:actions', which {target} does not keep"
    ]
    result = CliRunner().invoke(cli, ["convert", str(voc), str(tmp_path / "out"), "--to", fmt])
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert result.stderr.splitlines()[0] == (
        f"labelkit: lost: 3 object annotations' part boxes (voc:parts): {target} has no parts"
    )
    result = CliRunner().invoke(cli, ["convert", str(voc), str(tmp_path / "out"), "--to", fmt, "--allow-loss"])
    assert result.exit_code == 0, result.output


def test_voc_annotation_extras_at_their_defaults_are_noted_only() -> None:
    """A difficult flag of 0, pose Unspecified, no parts and no action set say nothing VOC's reader would not."""
    ds = _voc_annotations().with_objects(np.asarray([False, False, True, False, False]))
    for fmt, target in (("coco", "COCO"), ("yolo", "YOLO detect")):
        report = labelkit.plan(ds, fmt)
        assert report.lost == []
        assert [n for n in report.notes if "carry" in n] == [
            f"1 object annotations carry '{key}', which {target} does not keep"
            for key in ("voc:actions", "voc:difficult", "voc:parts", "voc:pose", "voc:truncated")
        ]


def test_a_voc_image_label_marked_difficult_loses_its_flag_in_coco(tmp_path: Path) -> None:
    """An ImageSets `0` line (a difficult label) became a plain COCO label with only a note."""
    ds = Dataset(categories=[Category(id=8, name="cat")])
    for item in ("a", "b"):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=4, height=3), split="train"))
    ds.add(Label(id="1", item_id="a", category_id=8, extras={"voc:difficult": 1}))
    ds.add(Label(id="2", item_id="b", category_id=8))
    labelkit.save(ds, tmp_path / "voc", "voc")
    assert (tmp_path / "voc/ImageSets/Main/cat_train.txt").read_text() == "a  0\nb  1\n"
    report = labelkit.plan(labelkit.load(tmp_path / "voc"), "coco")
    assert [(c.what, c.count, c.reason) for c in report.lost] == [
        ("label annotations' difficult flags (voc:difficult)", 1, "COCO has no difficult flag")
    ]


@pytest.mark.parametrize("fmt", ["labelkit", "parquet", "voc"])
def test_voc_annotation_extras_are_kept_by_targets_keeping_them(fmt: str) -> None:
    assert labelkit.plan(_voc_annotations(), fmt).lost == []


def test_read_counts_come_from_the_tables() -> None:
    report = labelkit.plan(_dataset(), "parquet")
    assert report.read == {"items": 1, "object annotations": 5}
    assert report.lost == [] and report.notes == []


def _dangling() -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=8)))
    ds.add(
        Object(id="ok", item_id="1", category_id=1, bbox=(1, 1, 2, 2)),
        Object(id="no-item", item_id="2", category_id=1, bbox=(1, 1, 2, 2)),
        Object(id="no-category", item_id="1", category_id=9, bbox=(1, 1, 2, 2)),
    )
    return ds


@pytest.mark.parametrize("fmt", ["coco", "voc", "yolo", "parquet", "labelkit"])
def test_rows_pointing_nowhere_are_lost_and_never_written(fmt: str, tmp_path: Path) -> None:
    # a dataset built in code can point at items or categories it lacks; every reader refuses such rows
    out = tmp_path / ("out.labelkit.json" if fmt == "labelkit" else "out")
    with pytest.raises(labelkit.DataLossError) as err:
        labelkit.save(_dangling(), out, fmt)
    assert not out.exists()
    lost = {c.what: (c.count, c.reason) for c in err.value.report.lost}
    assert lost["object annotations of unknown items"] == (1, "their item is not in the dataset")
    assert lost["object annotations of unknown categories"] == (1, "their category is not in the dataset")
    labelkit.save(_dangling(), out, fmt, allow_loss=True)
    back = labelkit.load(out)
    assert [o.bbox for o in back.objects()] == [(1.0, 1.0, 2.0, 2.0)]  # (YOLO names items after images)


def test_a_dataset_pointing_everywhere_is_handed_on_as_it_is() -> None:
    ds = _dataset()
    kept, counts = ds.without_dangling()
    assert kept is ds and counts == {}


@pytest.mark.parametrize("fmt", ["labelkit", "parquet"])
def test_a_dataset_without_categories_keeps_bare_category_ids(fmt: str, tmp_path: Path) -> None:
    # as a COCO detection-results file: predictions carry category ids, the file defines no categories
    ds = Dataset()
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=8, height=8)))
    ds.add(Object(id="1", item_id="1", category_id=9, bbox=(1, 1, 2, 2), score=0.5))
    out = tmp_path / ("out.labelkit.json" if fmt == "labelkit" else "out")
    assert labelkit.save(ds, out, fmt).lost == []
    assert [(o.category_id, o.score) for o in labelkit.load(out).objects()] == [(9, 0.5)]


_KEYS = ["coco:area", "coco:iscrowd", "a b", "x.*(", "é", 'q"uote', "back\\slash", "voc:pose"]
_VALUES = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=3),
    st.booleans(),
    st.none(),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.one_of(st.none(), st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=4)), min_size=1, max_size=30
    ),
    spaced=st.booleans(),
)
def test_extras_keys_are_counted_as_decoding_every_row_counts_them(
    rows: list[dict[str, Any] | None], spaced: bool
) -> None:
    texts = [None if r is None else (json.dumps(r) if spaced else orjson.dumps(r).decode()) for r in rows]
    expected = Counter(key for r in rows if r for key in r)
    assert extras_key_counts(pa.array(texts, pa.string())) == dict(expected)


def _rich() -> Dataset:
    """Categories, dataset info and object fields that some formats have no place for."""
    from labelkit.model import AttributeDef, DatasetInfo

    ds = Dataset(
        categories=[
            Category(
                id=3,
                name="person",
                supercategory="being",
                keypoints=["nose", "eye"],
                skeleton=[[1, 2]],
                attributes=[AttributeDef(name="pose")],
                color="#ff0000",
                extras={"coco:synset": "person.n.01"},
            ),
            Category(id=7, name="car"),
        ],
        info=DatasetInfo(
            name="demo",
            metadata={"year": 2024},
            attributes=[AttributeDef(name="weather")],
            extras={"coco:info": {"year": 2024}},
        ),
    )
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(
        Object(id="a", item_id="1", category_id=3, bbox=(1, 1, 2, 2), occluded=True, z_order=2),
        Object(id="b", item_id="1", category_id=7, bbox=(2, 2, 2, 2)),
    )
    return ds


def report_target(fmt: str) -> str:
    return {"yolo": "YOLO detect", "voc": "Pascal VOC"}[fmt]


_CATEGORY_AND_INFO = [
    ("category supercategories", 1),
    ("category keypoint names", 1),
    ("category skeletons", 1),
    ("category attribute definitions", 1),
    ("category colours", 1),
    ("dataset name", 1),
    ("dataset attribute definitions", 1),
    ("dataset metadata", 1),
]


@pytest.mark.parametrize(
    ("fmt", "options", "lost", "transformed"),
    [
        ("yolo", {"task": "detect"}, [*_CATEGORY_AND_INFO, ("occluded flags", 1), ("z-orders", 1)], ["category ids"]),
        (
            "voc",
            {},
            [x for x in _CATEGORY_AND_INFO if x[0] != "category colours"] + [("z-orders", 1)],
            [],
        ),
        (
            "coco",
            {},
            [
                ("category attribute definitions", 1),
                ("category colours", 1),
                ("dataset name", 1),
                ("dataset attribute definitions", 1),
                ("dataset metadata", 1),
                ("occluded flags", 1),
                ("z-orders", 1),
            ],
            [],
        ),
        ("parquet", {}, [], []),
        ("labelkit", {}, [], []),
    ],
)
def test_category_info_and_object_fields_a_format_cannot_hold_are_reported(
    fmt: str, options: dict[str, str], lost: list[tuple[str, int]], transformed: list[str]
) -> None:
    report = labelkit.plan(_rich(), fmt, **options)
    assert sorted((c.what, c.count) for c in report.lost) == sorted(lost)
    assert [c.what for c in report.transformed if c.what == "category ids"] == transformed
    assert [n for n in report.notes if "categories carry" in n] == (
        []
        if fmt in ("coco", "parquet", "labelkit")
        else [f"1 categories carry 'coco:synset', which {report_target(fmt)} does not keep"]
    )
    info_notes = [n for n in report.notes if "dataset info" in n]
    assert info_notes == (
        ["the dataset info carries 'coco:info', which YOLO detect does not keep"]
        if fmt == "yolo"
        else ["the dataset info carries 'coco:info', which Pascal VOC does not keep"]
        if fmt == "voc"
        else []
    )


@pytest.mark.parametrize("fmt", ["yolo", "voc"])
def test_empty_category_and_info_fields_a_format_cannot_hold_are_reported_transformed(fmt: str) -> None:
    """A category's "supercategory": "" (CVAT's and Datumaro's COCO give every category one) went to YOLO and VOC
    unsaid, as did an empty dataset name, where a non-empty one is lost: they were counted only when not empty. An
    empty one given is reported as transformed (not written, it reads back as none), not lost: refusing every
    CVAT export would be no help. The model's defaults (None, or empty attribute definitions) are not counted."""
    from labelkit.model import DatasetInfo

    ds = Dataset(
        categories=[
            Category(id=0, name="cat", supercategory="", keypoints=[]),
            Category(id=1, name="dog", supercategory=""),
            Category(id=2, name="cow"),
        ],
        info=DatasetInfo(name=""),
    )
    report = labelkit.plan(ds, fmt)
    assert report.lost == []
    where = report_target(fmt)
    assert [(c.what, c.count, c.reason) for c in report.transformed] == [
        (
            "empty category supercategories",
            2,
            f"{where} has no category supercategories: an empty one ('' or []) is not written, and reads back as none",
        ),
        (
            "empty category keypoint names",
            1,
            f"{where} has no category keypoint names: an empty one ('' or []) is not written, and reads back as none",
        ),
        ("empty dataset name", 1, f"{where} has no dataset name: an empty one is not written, and reads back as none"),
    ]


def test_yolo_pose_keeps_each_class_keypoint_names(tmp_path: Path) -> None:
    ds = _rich()
    report = labelkit.plan(ds, "yolo", task="pose")
    lost = dict((c.what, c.count) for c in report.lost)
    assert "category keypoint names" not in lost and lost["skeletons"] == 1
    ds.categories[1] = ds.categories[1].model_copy(update={"keypoints": ["tail", "wheel"]})
    lost = dict((c.what, c.count) for c in labelkit.plan(ds, "yolo", task="pose").lost)
    assert "category keypoint names" not in lost  # data.yaml's kpt_names has a list per class
    labelkit.save(ds, tmp_path / "o", "yolo", task="pose", allow_loss=True)
    back = labelkit.load(tmp_path / "o", "yolo")
    assert [c.keypoints for c in back.categories] == [["nose", "eye"], ["tail", "wheel"]]
    ds.categories[1] = ds.categories[1].model_copy(update={"keypoints": ["tail"]})
    lost = dict((c.what, c.count) for c in labelkit.plan(ds, "yolo", task="pose").lost)
    assert lost["category keypoint names"] == 1  # one name where kpt_shape says 2: not written


def test_a_not_occluded_flag_and_a_zero_z_order_are_not_losses() -> None:
    ds = Dataset(categories=[Category(id=0, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=10, height=10)))
    ds.add(
        Object(
            id="f", item_id="1", category_id=0, bbox=(1, 1, 2, 2), occluded=False, z_order=0
        ),  # VOC2012's <occluded>0
        Object(id="t", item_id="1", category_id=0, bbox=(1, 1, 2, 2), occluded=True, z_order=3),
    )
    lost = {c.what: c.count for c in labelkit.plan(ds, "yolo").lost}
    assert lost == {"occluded flags": 1, "z-orders": 1}


@pytest.mark.parametrize("fmt", ["coco", "voc", "yolo", "parquet"])
def test_items_without_a_media_kind_are_images(fmt: str) -> None:
    """Tables built in code may leave ``media`` out: such items are images, written and not reported lost
    (the capability check used to count them as "None items" a format cannot hold)."""
    items = pa.table({"id": ["1"], "path": ["a.jpg"], "width": [4], "height": [3]})
    ds = Dataset.from_tables({"items": items}, [Category(id=1, name="a")])
    report = labelkit.plan(ds, fmt)
    assert [c.what for c in report.lost] == []


@pytest.mark.parametrize(("fmt", "options"), [("yolo", {}), ("yolo", {"task": "pose"}), ("voc", {})])
def test_a_polygon_that_is_its_boxs_rectangle_is_not_lost_where_the_box_is_kept(fmt: str, options: Any) -> None:
    """COCO's segmentation of a box (its rectangle) counted as a lost polygon for targets that keep boxes."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=100, height=80)))
    box = (10.0, 10.0, 30.0, 20.0)
    rectangle = [[10.0, 10.0, 40.0, 10.0, 40.0, 30.0, 10.0, 30.0]]
    nearly = [[10.0, 10.0, 40.0 + 1e-9, 10.0, 40.0, 30.0, 10.0, 30.0 - 1e-9]]  # (float noise: the same)
    ds.add(Object(id="1", item_id="1", category_id=1, bbox=box, shape="polygon", polygon=rectangle))
    ds.add(Object(id="2", item_id="1", category_id=1, bbox=box, shape="polygon", polygon=nearly))
    plan = labelkit.plan(ds, fmt, **options)
    assert plan.lost == [] and [c.what for c in plan.transformed if "objects" in c.what] == []
    # other polygons are lost as before: off by 0.01, another first corner, a second ring, a rotated box
    others = [
        [[10.0, 10.0, 40.01, 10.0, 40.0, 30.0, 10.0, 30.0]],
        [[40.0, 10.0, 40.0, 30.0, 10.0, 30.0, 10.0, 10.0]],
        [*rectangle, [1.0, 1.0, 2.0, 1.0, 2.0, 2.0]],
    ]
    for i, rings in enumerate(others):
        ds.add(Object(id=f"o{i}", item_id="1", category_id=1, bbox=box, polygon=rings))
    ds.add(Object(id="turned", item_id="1", category_id=1, bbox=box, angle=90.0, polygon=rectangle))
    lost = {c.what: c.count for c in labelkit.plan(ds, fmt, **options).lost}
    assert lost["polygons"] == 4


_NATIVE = Path(__file__).parent.parent / "fixtures" / "native"
_OTHER_SPELLINGS = {  # (a target's title, and the spellings of any format name no line may use then)
    "COCO": r"\b(?:coco|voc|yolo)\b(?!:)|(?<!Pascal )\bVOC\b|\bYOLO\b",
    "Pascal VOC": r"\b(?:coco|voc|yolo)\b(?!:)|(?<!Pascal )\bVOC\b|\bYOLO\b|\bCOCO\b(?!'s reader|eval)",
    "YOLO detect": r"\b(?:coco|voc|yolo)\b(?!:)|\bVOC\b|\bYOLO\b(?! detect\b)",
    "YOLO obb": r"\b(?:coco|voc|yolo)\b(?!:)|\bVOC\b|\bYOLO\b(?! obb\b)",
    "YOLO segment": r"\b(?:coco|voc|yolo)\b(?!:)|\bVOC\b|\bYOLO\b(?! segment\b)",
}


@pytest.mark.parametrize(
    ("fmt", "options", "title"),
    [
        ("coco", {}, "COCO"),
        ("voc", {}, "Pascal VOC"),
        ("yolo", {}, "YOLO detect"),
        ("yolo", {"task": "obb"}, "YOLO obb"),
        ("yolo", {"task": "segment"}, "YOLO segment"),
    ],
)
@pytest.mark.parametrize("source", ["images", "video", "text", "audio"])
def test_every_report_line_names_the_target_by_its_title(
    fmt: str, options: dict[str, Any], title: str, source: str, tmp_path: Path
) -> None:
    """A report named COCO's target `coco` (`coco has no hierarchy`) but VOC's `Pascal VOC` and YOLO's `YOLO obb`,
    and lines of one report mixed `voc holds image items only` with `Pascal VOC has no scores`: every line names
    the target as the formats table of the README does, and so does the refusal."""
    dataset = labelkit.load(_NATIVE / f"{source}.labelkit.json")
    report = labelkit.plan(dataset, fmt, **options)
    assert report.target == fmt  # (the JSON report's target is the format's --to name)
    reasons = [c.reason for c in report.lost + report.transformed] + report.notes
    assert reasons and any(title in r for r in reasons)
    assert [r for r in reasons if re.search(_OTHER_SPELLINGS[title], r)] == []
    with pytest.raises(labelkit.DataLossError) as err:
        labelkit.save(dataset, tmp_path / "out", fmt, **options)
    assert str(err.value).startswith(f"{tmp_path / 'out'}: writing {title} would lose {report.lost[0]}")


def _formats_table_dataset() -> Dataset:
    """One image holding what the README's formats table says COCO, YOLO and VOC keep or lose."""
    from labelkit.model import Transcript
    from labelkit.model.annotations import Provenance

    ds = Dataset(
        categories=[
            Category(id=5, name="cat", supercategory="animal", color="#010203"),
            Category(id=9, name="dog", parent=5),
        ],
        info=DatasetInfo(name="n", metadata={"m": 1}),
    )
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=80), split="train", group="g"))
    ds.add(
        Label(id="l1", item_id="a", category_id=5, start=1.0, end=2.0),
        Transcript(id="t1", item_id="a", text="hi", speaker="bob"),
        Object(id="1", item_id="a", category_id=5, bbox=(10, 10, 20, 20), score=0.5, attributes={"x": 1}),
        Object(id="2", item_id="a", category_id=9, bbox=(30, 30, 10, 10), angle=10.0, z_order=2, occluded=True),
        Object(
            id="3",
            item_id="a",
            category_id=5,
            bbox=(50, 50, 10, 10),
            keypoints=[52, 52, 2],
            provenance=Provenance(annotator="x"),
        ),
    )
    return ds


@pytest.mark.parametrize(
    ("fmt", "lost", "transformed"),
    [
        (
            "coco",
            {
                "category parents", "category colours", "dataset name", "dataset metadata", "label time ranges",
                "object provenance records", "occluded flags", "z-orders", "item groups", "transcript speakers",
            },
            {"rotated boxes"},
        ),
        (
            "yolo",
            {
                "item groups", "category parents", "category supercategories", "category colours", "dataset name",
                "dataset metadata", "label annotations", "transcript annotations", "object attribute sets",
                "object scores", "object provenance records", "rotated boxes", "keypoint sets", "occluded flags",
                "z-orders",
            },
            {"category ids"},
        ),
        (
            "voc",
            {
                "category parents", "category supercategories", "dataset name", "dataset metadata",
                "label time ranges", "object scores", "object provenance records", "rotated boxes", "keypoint sets",
                "z-orders", "transcript annotations", "item groups",
            },
            set(),
        ),
    ],
)  # fmt: skip
def test_the_formats_table_s_losses(fmt: str, lost: set[str], transformed: set[str]) -> None:
    """README *Formats*: what each of COCO, YOLO (detect) and VOC loses when written, all reported; what it
    holds (COCO: scores, attributes, supercategories; VOC: colours, occluded flags, attributes) is not."""
    report = labelkit.plan(_formats_table_dataset(), fmt)
    assert {c.what for c in report.lost} == lost
    assert transformed <= {c.what for c in report.transformed}


def test_item_metadata_means_metadata_not_groups() -> None:
    """``Capabilities.item_metadata`` said "free item metadata and groups", but COCO and VOC declare it and report
    every item group lost: it means item metadata (each format's own check reporting the keys it drops)."""
    from labelkit import formats
    from labelkit.formats.base import Capabilities

    (doc,) = [line.strip() for line in (Capabilities.__doc__ or "").splitlines() if "item_metadata:" in line]
    assert doc.startswith("item_metadata: item metadata, but for the keys") and "and groups" not in doc
    ds = labelkit.load(Path(__file__).parent.parent / "fixtures" / "native" / "images.labelkit.json")
    lost = {}
    for name in ("coco", "voc", "yolo", "labelkit", "parquet"):
        report = labelkit.plan(ds, name)
        lost[name] = (
            formats.get(name).CAPABILITIES.item_metadata,
            [c.count for c in report.lost if c.what == "item groups"],
        )
    assert lost == {
        "coco": (True, [3]),
        "voc": (True, [3]),
        "yolo": (False, [3]),
        "labelkit": (True, []),
        "parquet": (True, []),
    }
    assert "; attributes, scores, item_metadata" in CliRunner().invoke(cli, ["formats", "coco"]).output


def test_drawn_shape_entries_keep_their_order_whatever_the_chunks() -> None:
    """The "does not keep the drawn shape" entries come in the order the shapes first appear: they were counted by
    Arrow's threaded group_by, whose groups come in thread-timing order when the objects table has several chunks
    (as a read in batches gives it), so one dataset's report differed from run to run."""
    ds = labelkit.load(Path(__file__).parent.parent / "fixtures" / "native" / "images.labelkit.json")
    ds.set_table("objects", pa.Table.from_batches(ds.table("objects").to_batches(max_chunksize=1)))
    assert ds.table("objects")["shape"].num_chunks == 9
    orders = Counter(
        tuple(c.what for c in labelkit.plan(ds, "yolo").transformed if c.what.endswith(" objects")) for _ in range(150)
    )
    assert orders == Counter(
        {("polygon objects", "mask objects", "keypoints objects", "polyline objects", "ellipse objects"): 150}
    )


def _tracked_image() -> Dataset:
    """An image item with a video's media fields, and objects with the track fields but no frame."""
    ds = Dataset(categories=[Category(id=1, name="car")])
    media = Media(path="f1.jpg", width=64, height=48, fps=30.0, duration=2.0, frame_count=5, text="OCR: STOP")
    ds.add_item(Item(id="f1", media=media, split="train"))
    ds.add_item(Item(id="f2", media=Media(path="f2.jpg", width=64, height=48), split="train"))
    ds.add(
        Object(id="1", item_id="f1", category_id=1, bbox=(1, 2, 3, 4), track_id="car-7", outside=True, keyframe=True),
        Object(id="2", item_id="f1", category_id=1, bbox=(1, 2, 3, 4), outside=False, keyframe=False),
        Object(id="3", item_id="f2", category_id=1, bbox=(1, 2, 3, 4)),
    )
    return ds


_TRACK_AND_MEDIA_LOSSES = {
    "item durations": 1,
    "item frame rates": 1,
    "item frame counts": 1,
    "item texts": 1,
    "track ids": 1,
    "outside flags": 1,  # (outside=False says what a reader assumes: not counted)
    "keyframe flags": 2,
}


@pytest.mark.parametrize("fmt", ["coco", "voc", "yolo", "parquet", "labelkit"])
def test_track_fields_of_an_image_object_and_video_fields_of_an_image_are_reported_lost(fmt: str) -> None:
    """They were dropped without a word: an object outside the view came back as a plain box in view."""
    report = labelkit.plan(_tracked_image(), fmt)
    lost = {c.what: c.count for c in report.lost if c.what in _TRACK_AND_MEDIA_LOSSES}
    assert lost == ({} if fmt in ("parquet", "labelkit") else _TRACK_AND_MEDIA_LOSSES)
    if fmt == "coco":
        reasons = {c.what: c.reason for c in report.lost}
        assert reasons["outside flags"] == "COCO has no outside flag: the object is written as in view"
        assert reasons["item texts"] == "COCO has no item texts"


def test_cli_refuses_to_drop_an_image_object_s_track_fields(tmp_path: Path) -> None:
    source = tmp_path / "in.labelkit.json"
    labelkit.save(_tracked_image(), source, "labelkit")
    result = CliRunner().invoke(cli, ["convert", str(source), str(tmp_path / "out"), "--to", "yolo"])
    assert result.exit_code == 2
    assert "lost: 1 outside flags: YOLO detect has no outside flag: the object is written as in view" in result.stderr
    assert not (tmp_path / "out").exists()


def _numbered(ids: list[str]) -> Dataset:
    ds = Dataset(categories=[Category(id=1, name="a")])
    for item in ("b", "a"):  # (written in the dataset's order: b's objects first)
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split="train"))
    for k, (object_id, item) in enumerate(zip(ids, ["a", "b", "b"], strict=True)):
        ds.add(Object(id=object_id, item_id=item, category_id=1, bbox=(1, 1, 2, 2 + k)))
    return ds


@pytest.mark.parametrize(
    ("fmt", "ids", "renumbered"),
    [
        ("voc", ["17", "5", "9"], 3),
        ("voc", ["3", "1", "2"], 0),  # (VOC lists b first, as the dataset does)
        ("voc", ["1", "2", "3"], 3),
        ("voc", ["3", "1", "7"], 1),
        ("yolo", ["17", "5", "9"], 3),
        ("yolo", ["1", "2", "3"], 0),  # (Ultralytics lists a split's label files by path: a first)
        ("yolo", ["3", "1", "2"], 3),
        ("yolo", ["1", "2", "7"], 1),
    ],
)
def test_annotation_ids_yolo_and_voc_renumber_are_reported_and_counted_exactly(
    fmt: str, ids: list[str], renumbered: int, tmp_path: Path
) -> None:
    """YOLO and VOC have no annotation ids: a reader numbers objects 1, 2, ... in the order it reads them (item by
    item), and the report counts exactly the objects that read back with another id."""
    ds = _numbered(ids)
    report = labelkit.save(ds, tmp_path / "out", fmt, allow_loss=True)
    counted = {c.what: c.count for c in report.transformed}.get("object ids", 0)
    back = {(o.item_id, tuple(o.bbox or ())): o.id for o in labelkit.load(tmp_path / "out", fmt).objects()}
    changed = sum(1 for o in ds.objects() if back[(o.item_id, tuple(o.bbox or ()))] != o.id)
    assert counted == changed == renumbered
    again = labelkit.save(labelkit.load(tmp_path / "out", fmt), tmp_path / "again", fmt)
    assert "object ids" not in {c.what for c in again.transformed}


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
@pytest.mark.parametrize("shift", [0, 1, 2])
def test_yolo_object_ids_are_counted_in_its_readers_order_of_splits_and_files(
    layout: str, shift: int, tmp_path: Path
) -> None:
    ds = Dataset(categories=[Category(id=1, name="a")])
    placed = [("z", "val"), ("b/x", "train"), ("a10", "test"), ("a9", "train"), ("B", "train"), ("c", "val")]
    for k, (item, split) in enumerate(placed):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split=split))
        for j in range(k % 3):  # (0, 1 or 2 objects an item)
            ds.add(Object(id=str(2 * k + j + shift), item_id=item, category_id=1, bbox=(1, 1, 2, 2 + j)))
    report = labelkit.save(ds, tmp_path / "out", "yolo", layout=layout, allow_loss=True)
    counted = {c.what: c.count for c in report.transformed}.get("object ids", 0)
    back = labelkit.load(tmp_path / "out", "yolo")
    path_of = {i.id: i.media.path for i in ds.items()}
    read = {
        (i.media.path.rpartition("/")[2] if i.media.path else i.id, o.bbox): o.id
        for i in back.items()
        for o in back.objects()
        if o.item_id == i.id
    }
    changed = sum(1 for o in ds.objects() if read[(path_of[o.item_id].rpartition("/")[2], o.bbox)] != o.id)
    assert counted == changed
    assert counted == {("ultralytics", 1): 4, ("darknet", 1): 5}.get(
        (layout, shift), 6 if layout == "darknet" or shift else 5
    )


def test_yolo_classify_label_ids_are_counted_in_its_readers_order(tmp_path: Path) -> None:
    """A reader lists the images by path (split, class folder, name) and numbers their labels 1, 2, ...; the item
    b, whose file is B's on macOS and Windows, is not written (reported lost), nor counted."""
    from PIL import Image

    (tmp_path / "img").mkdir()
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="Cat")])
    placed = [("z", "val", 1, "4"), ("b", "train", 2, "7"), ("a10", "test", 1, "1"), ("a9", "train", 1, "9")]
    placed += [("B", "train", 2, "2"), ("c", "valid", 2, "5")]
    for item, split, category, label in placed:
        Image.new("RGB", (4, 4)).save(tmp_path / "img" / f"{item}.jpg")
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=4, height=4), split=split))
        ds.add(Label(id=label, item_id=item, category_id=category))
    options = {"task": "classify", "media": "copy", "media_root": str(tmp_path / "img")}
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    assert {c.what: c.count for c in report.transformed}["label ids"] == 1
    back = {label.item_id: label.id for label in labelkit.load(tmp_path / "out", "yolo").labels()}
    assert back == {"a10": "1", "B": "2", "a9": "3", "z": "4", "c": "5"}


def _random_voc_dataset(seed: int) -> Dataset:
    """Items of two splits with boxed objects, masks (some mask-only, some of no box) and image labels, whose ids
    are numbers that may or may not be those a reader gives."""
    from labelkit.model import Rle, raster

    rng = np.random.default_rng(seed)
    ds = Dataset(categories=[Category(id=1, name="dog"), Category(id=2, name="cat"), Category(id=3, name="bird")])
    k = 0
    for i in range(int(rng.integers(1, 6))):
        item = f"i{int(rng.integers(0, 50))}_{i}"
        ds.add_item(
            Item(id=item, media=Media(path=f"{item}.jpg", width=20, height=20), split=str(rng.choice(["train", "val"])))
        )
        for j in range(int(rng.integers(0, 5))):
            k += 1
            mask = bbox = None
            if (kind := rng.random()) < 0.4:  # (masks apart: none covers another)
                pixels = np.zeros((20, 20), np.uint8)
                pixels[4 * j : 4 * j + 3, 4 * j : 4 * j + 3] = 1
                rle = raster.mask_to_rle(pixels)
                mask = Rle(size=(20, 20), counts=rle["counts"] if rle.get("counts") is not None else rle["runs"])
            if kind > 0.2 or mask is None:
                bbox = (1.0, 1.0 + j, 3.0 + j, 4.0)
            extras = {"voc:mask_only": True} if mask is not None and rng.random() < 0.3 else {}
            object_id = str(int(rng.choice([k, k + 1, int(rng.integers(1, 12))])))
            ds.add(
                Object(
                    id=object_id, item_id=item, category_id=int(rng.integers(1, 4)), bbox=bbox, mask=mask, extras=extras
                )
            )
        if rng.random() < 0.5:
            ds.add(Label(id=str(int(rng.integers(1, 6))), item_id=item, category_id=int(rng.integers(1, 4))))
    return ds


@pytest.mark.parametrize("seed", range(40))
def test_voc_object_and_label_ids_are_counted_as_its_reader_renumbers_them(seed: int, tmp_path: Path) -> None:
    """Its reader lists the items split by split, an image's XML objects before the objects its PNGs alone hold,
    and the image labels class list by class list: the counts are those of the ids that read back otherwise."""
    ds = _random_voc_dataset(seed)
    report = labelkit.save(ds, tmp_path / "out", "voc", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "voc")
    source: dict[Any, list[str]] = {}
    for o in ds.objects():  # (a mask is its object's own: none covers another; a box too, in its image and class)
        source.setdefault((o.item_id, o.category_id, o.mask.counts if o.mask else o.bbox), []).append(o.id)
    changed = sum(
        o.id != (source.get((o.item_id, o.category_id, o.mask.counts if o.mask else o.bbox)) or ["?"]).pop(0)
        for o in back.objects()
    )
    labels = {(x.item_id, x.category_id, x.id) for x in ds.labels()}
    relabelled = sum((x.item_id, x.category_id, x.id) not in labels for x in back.labels())
    counts = {c.what: c.count for c in report.transformed}
    assert (counts.get("object ids", 0), counts.get("label ids", 0)) == (changed, relabelled)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize(("layout", "media"), [("ultralytics", "none"), ("ultralytics", "copy"), ("darknet", "none")])
def test_yolo_object_ids_are_counted_as_its_reader_renumbers_them(
    seed: int, layout: str, media: str, tmp_path: Path
) -> None:
    """Paths that sort otherwise as text than by parts (a-b/x before a/x as text), in case, accents, several
    splits: the count is that of the ids reading the output gives otherwise (a reader lists the label files by
    their text, or the images copied by their parts)."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    stems = ["a/x", "a-b/x", "a/b/y", "B", "b", "é", "e", "z9", "z10", "a.b", "a"]
    ds = Dataset(categories=[Category(id=0, name="c")])
    for n, stem in enumerate(rng.permutation(stems)[: int(rng.integers(2, len(stems)))]):
        item = f"i{n}"
        split = str(rng.choice(["train", "val", "test", "extra"]))
        ds.add_item(Item(id=item, media=Media(path=f"{stem}.jpg", width=10, height=10), split=split))
        (tmp_path / "m" / f"{stem}.jpg").parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (10, 10)).save(tmp_path / "m" / f"{stem}.jpg")
        for j in range(int(rng.integers(0, 3))):
            ds.add(Object(id=str(int(rng.integers(1, 9))), item_id=item, category_id=0, bbox=(1.0, 1.0, 2.0, 2.0 + j)))
    options = {"layout": layout, "media": media, "media_root": str(tmp_path / "m")}
    report = labelkit.save(ds, tmp_path / "out", "yolo", allow_loss=True, **options)
    back = labelkit.load(tmp_path / "out", "yolo")
    path_of = {i.id: i.media.path for i in back.items()}
    read = {(path_of[o.item_id], o.bbox): o.id for o in back.objects()}
    written = {i.id: i.media.path for i in ds.items()}
    changed = 0
    for o in ds.objects():
        found = [k for k in read if k[1] == o.bbox and k[0] and k[0].endswith(f"/{written[o.item_id]}")]
        changed += bool(found) and read[found[0]] != o.id  # (none: its item is lost, b beside B, reported)
    assert {c.what: c.count for c in report.transformed}.get("object ids", 0) == changed


@pytest.mark.parametrize("kind", ["labels", "objects"])
def test_voc_ids_of_a_trainval_split_beside_val_are_counted_as_read_last(kind: str, tmp_path: Path) -> None:
    """A reader reads the trainval lists after train's and val's: the ids were counted in split name order."""
    ds = Dataset(categories=[Category(id=1, name="cat")])
    for item, split in (("p", "trainval"), ("q", "val")):
        ds.add_item(Item(id=item, media=Media(path=f"{item}.jpg", width=10, height=10), split=split))
    if kind == "labels":
        ds.add(Label(id="1", item_id="p", category_id=1), Label(id="2", item_id="q", category_id=1))
    else:
        ds.add(
            Object(id="1", item_id="p", category_id=1, bbox=(1, 1, 2, 2)),
            Object(id="2", item_id="q", category_id=1, bbox=(1, 1, 2, 2)),
        )
    report = labelkit.save(ds, tmp_path / "out", "voc")
    back = sorted((x.item_id, x.id) for x in getattr(labelkit.load(tmp_path / "out", "voc"), kind)())
    assert back == [("p", "2"), ("q", "1")]
    assert {c.what: c.count for c in report.transformed} == {"label ids" if kind == "labels" else "object ids": 2}


def test_an_empty_category_colour_written_to_voc_is_reported_as_transformed(tmp_path: Path) -> None:
    """VOC holds colours, so the check of fields a target has no place for passed a colour "" by: not written, it
    read back as none, unsaid."""
    ds = Dataset(categories=[Category(id=1, name="thing", color="")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=10, height=10), split="train"))
    ds.add(Object(id="1", item_id="a", category_id=1, bbox=(1.0, 1.0, 3.0, 3.0)))
    report = labelkit.save(ds, tmp_path / "v", "voc")
    assert labelkit.load(tmp_path / "v", "voc").categories[0].color is None
    assert [(f.what, f.count) for f in report.transformed if "colour" in f.what] == [("category colours", 1)]
