"""COCO: the issue's requirements test_coco.py left untested or tested loosely.

Required fields of every file kind, convert naming the finding validate lists first, skip_invalid's count over a
folder's files, the Roboflow layout without the corpus, and pycocotools' masks pixel for pixel.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import labelkit
from labelkit.cli import cli
from labelkit.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "coco"
NATIVE = ROOT / "fixtures" / "native" / "images.labelkit.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _fixture_files() -> dict[str, Any]:
    """The fixture's instances, keypoints, captions and labels files of split val (keypoints as COCO 2017 has
    them: only in the keypoints file)."""
    instances = _load(FIXTURE / "annotations" / "instances_val.json")
    keypoints = copy.deepcopy(instances)
    keypoints["annotations"] = [a for a in keypoints["annotations"] if a["category_id"] == 3]
    keypoints["categories"] = [c for c in keypoints["categories"] if c["id"] == 3]
    for a in instances["annotations"]:
        a.pop("keypoints", None)
        a.pop("num_keypoints", None)
    return {
        "instances_val": instances,
        "person_keypoints_val": keypoints,
        "captions_val": _load(FIXTURE / "annotations" / "captions_val.json"),
        "labels_val": _load(FIXTURE / "annotations" / "labels_val.json"),
    }


def _folder(root: Path, docs: dict[str, Any]) -> Path:
    (root / "annotations").mkdir(parents=True)
    for name, doc in docs.items():
        (root / "annotations" / f"{name}.json").write_text(json.dumps(doc))
    return root


# -- required fields of every file kind ------------------------------------------------------------------------

_REQUIRED = [
    (kind, section, key)
    for kind in ("person_keypoints_val", "captions_val", "labels_val")
    for section, keys in (
        ("images", ("id", "file_name", "width", "height")),
        ("categories", ("id", "name")),
        ("annotations", ("id", "image_id", "category_id", "caption")),
    )
    for key in keys
    if key in (_fixture_files()[kind].get(section) or [{}])[0]
]


@pytest.mark.parametrize("alone", [True, False], ids=["alone", "in a folder"])
@pytest.mark.parametrize(("kind", "section", "key"), _REQUIRED, ids=["/".join(r) for r in _REQUIRED])
def test_a_required_field_dropped_from_any_file_kind_is_named_at_its_pointer(
    tmp_path: Path, kind: str, section: str, key: str, alone: bool
) -> None:
    """Only the instances file's (and a results file's) required fields were dropped one at a time: a keypoints,
    captions or labels file read alone or beside the others (a folder's files are decoded another way) must name
    the file and the field's pointer, in validate and in convert alike."""
    docs = _fixture_files()
    del docs[kind][section][0][key]
    if key == "file_name":  # (an image of a coco_url and no file_name is read at it, as LVIS v1's)
        docs[kind][section][0].pop("coco_url", None)
    if alone:
        src = tmp_path / f"{kind}.json"
        src.write_text(json.dumps(docs[kind]))
        file = src
    else:
        src = _folder(tmp_path / "ds", docs)
        file = src / "annotations" / f"{kind}.json"
    # an annotation needs a category_id or a caption: either one missing is said as both
    field = "category_id" if key == "caption" else key
    said = f"missing required field {field!r}" + {"category_id": " or 'caption'", "file_name": " or 'coco_url'"}.get(
        field, ""
    )
    pointer = f"/{section}/0/{field}"
    assert [(f.path, f.where, f.message) for f in labelkit.validate(src)] == [(str(file), "#" + pointer, said)]
    with pytest.raises(InputError) as err:
        labelkit.load(src)
    assert str(err.value) == f"{file}#{pointer}: {said}"
    converted = CliRunner().invoke(cli, ["convert", str(src), str(tmp_path / "out"), "--to", "coco"])
    assert (converted.exit_code, converted.output) == (2, f"labelkit: error: {file}#{pointer}: {said}\n")
    assert not (tmp_path / "out").exists()


# -- convert refuses with the first finding; skip_invalid counts what it skipped ------------------------------


def _unknown_image(a: dict[str, Any]) -> None:
    a["image_id"] = 999


def _unknown_category(a: dict[str, Any]) -> None:
    a["category_id"] = 5


def _repeated_id(a: dict[str, Any]) -> None:
    a["id"] = 101


def _negative_box(a: dict[str, Any]) -> None:
    a["bbox"][2] = -1.0


def _box_outside(a: dict[str, Any]) -> None:
    a["bbox"] = [6.0, 1.0, 5.0, 2.0]


def _short_ring(a: dict[str, Any]) -> None:
    a["segmentation"][1] = [6.0, 4.0, 7.5, 4.0]


_BREAKS = [_unknown_image, _unknown_category, _repeated_id, _negative_box, _box_outside, _short_ring]
_PAIRS = [(a, b) for i, a in enumerate(_BREAKS) for b in _BREAKS[i + 1 :]]


@pytest.mark.parametrize(("first", "second"), _PAIRS, ids=[f"{a.__name__}+{b.__name__}" for a, b in _PAIRS])
def test_convert_refuses_an_annotation_with_two_findings_naming_the_one_validate_lists_first(
    tmp_path: Path, first: Any, second: Any
) -> None:
    """An annotation with two findings (an unknown category and a box outside its image) was listed by validate
    bbox first, while convert refused the file naming its category_id: validate orders an annotation's findings by
    pointer, convert took the one its checks found first. Convert now names validate's first."""
    doc = _fixture_files()["instances_val"]
    first(doc["annotations"][1])  # (annotation 102 of image 7: two polygon parts)
    second(doc["annotations"][1])
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    findings = labelkit.validate(path)
    assert findings
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert (err.value.location.pointer, err.value.message) == (findings[0].where[1:], findings[0].message)
    validated = CliRunner().invoke(cli, ["validate", str(path)])
    converted = CliRunner().invoke(cli, ["convert", str(path), str(tmp_path / "out"), "--to", "labelkit"])
    assert validated.exit_code == 1 and converted.exit_code == 2
    assert converted.output.startswith("labelkit: error: " + validated.output.splitlines()[0] + "; hint: ")


def test_skip_invalid_counts_the_annotations_skipped_in_every_file_of_a_folder(tmp_path: Path) -> None:
    """Findings in the instances, labels and captions files of a split: validate lists each (exit 1), convert
    refuses with the first (exit 2, no output), and with skip_invalid the report counts every one skipped, once
    per annotation (annotation 101 has two findings), and writes the rest."""
    docs = _fixture_files()
    del docs["person_keypoints_val"]
    docs["instances_val"]["annotations"][0].update(category_id=5, bbox=[6.0, 1.0, 5.0, 2.0])
    docs["instances_val"]["annotations"][1]["bbox"][3] = -2
    docs["labels_val"]["annotations"][1]["category_id"] = 77
    docs["captions_val"]["annotations"][0]["image_id"] = 99
    src = _folder(tmp_path / "ds", docs)
    files = src / "annotations"
    assert [(f.path, f.where, f.message) for f in labelkit.validate(src)] == [
        (
            str(files / "instances_val.json"),
            "#/annotations/0/bbox",
            "bbox [6.0, 1.0, 5.0, 2.0] reaches outside the 8x6 image",
        ),
        (str(files / "instances_val.json"), "#/annotations/0/category_id", "unknown category id 5"),
        (str(files / "instances_val.json"), "#/annotations/1/bbox", "bbox has a negative width or height"),
        (str(files / "labels_val.json"), "#/annotations/1/category_id", "unknown category id 77"),
        (str(files / "captions_val.json"), "#/annotations/0/image_id", "unknown image id 99"),
    ]
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", str(src)]).exit_code == 1
    refused = runner.invoke(cli, ["convert", str(src), str(tmp_path / "refused"), "--to", "coco"])
    assert refused.exit_code == 2 and not (tmp_path / "refused").exists()
    assert refused.output == (
        f"labelkit: error: {files / 'instances_val.json'}#/annotations/0/bbox: bbox [6.0, 1.0, 5.0, 2.0] reaches "
        "outside the 8x6 image; hint: pass -o skip_invalid=true to skip bad annotations\n"
    )
    args = ["convert", str(src), str(tmp_path / "out"), "--to", "coco", "-o", "skip_invalid=true"]
    args += ["--report", str(tmp_path / "report.json")]
    converted = runner.invoke(cli, args)
    assert converted.exit_code == 0, converted.output
    report = _load(tmp_path / "report.json")
    assert "4 invalid annotations were skipped when the input was read" in report["notes"]
    assert (
        report["read"]
        == report["written"]
        == {
            "items": 3,
            "label annotations": 1,
            "object annotations": 4,
            "transcript annotations": 1,
        }
    )
    out = tmp_path / "out" / "annotations"
    assert [a["id"] for a in _load(out / "instances_val.json")["annotations"]] == [103, 104, 105, 106]
    assert [a["id"] for a in _load(out / "labels_val.json")["annotations"]] == [1]
    assert [a["id"] for a in _load(out / "captions_val.json")["annotations"]] == [2]


# -- layouts -----------------------------------------------------------------------------------------------------


def test_a_roboflow_folder_reads_as_one_dataset_with_splits_and_is_written_as_the_annotations_layout(
    tmp_path: Path,
) -> None:
    """Roboflow's ``<split>/_annotations.coco.json`` was tested only on the corpus, which is not always there:
    each split's file reads as a split (ids shared by splits kept apart), and writing gives the standard layout,
    one instances file per split, each the JSON read."""
    doc = _fixture_files()["instances_val"]
    src = tmp_path / "rf"
    for split in ("train", "valid", "test"):
        (src / split).mkdir(parents=True)
        part = copy.deepcopy(doc)
        if split == "test":
            part["annotations"] = []
        (src / split / "_annotations.coco.json").write_text(json.dumps(part))
    (src / "README.roboflow.txt").write_text("exported")
    assert labelkit.detect(src).format == "coco"
    ds = labelkit.load(src)
    assert ds.splits() == ["test", "train", "valid"]
    assert [i.id for i in ds.items() if i.split == "valid"] == ["valid/7", "valid/12", "valid/30"]
    assert ds.stats().annotations == {"object": 12}
    report = labelkit.convert(src, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    written = sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir())
    assert written == ["instances_test.json", "instances_train.json", "instances_valid.json"]
    for split in ("train", "valid", "test"):
        assert _load(tmp_path / "out" / "annotations" / f"instances_{split}.json") == _load(
            src / split / "_annotations.coco.json"
        ), split


# -- pycocotools: masks pixel for pixel ---------------------------------------------------------------------------


def _input_mask(obj: Any, height: int, width: int) -> Any:
    """The pixels pycocotools gives an object of labelkit's model: its mask, else its rings (holes cut out)."""
    from pycocotools import mask as coco_mask

    if obj.mask is not None:
        counts = obj.mask.counts
        rle = {"size": [height, width], "counts": counts if isinstance(counts, str) else list(counts)}
        return coco_mask.decode(rle if isinstance(counts, str) else coco_mask.frPyObjects(rle, height, width))
    rings = obj.polygon
    holes = obj.polygon_holes or [False] * len(rings)

    def paint(parts: list[Any]) -> Any:
        if not parts:
            return np.zeros((height, width), np.uint8)
        floats = [[float(v) for v in ring] for ring in parts]
        return coco_mask.decode(coco_mask.merge(coco_mask.frPyObjects(floats, height, width)))

    outer = paint([r for r, hole in zip(rings, holes, strict=True) if not hole])
    return outer & (1 - paint([r for r, hole in zip(rings, holes, strict=True) if hole]))


def test_masks_and_polygons_from_another_format_rasterise_in_pycocotools_to_the_input_s_pixels(tmp_path: Path) -> None:
    """What other formats become was checked for the shape of annToMask's mask only: a mask written with its runs
    shifted, or a polygon with holes turned into an RLE of other pixels, passed. Each annotation's mask is the
    input's pixels (an RLE as decoded, a polygon as pycocotools paints it, holes cut out), and COCOeval runs."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    ds = labelkit.load(NATIVE)
    objects = {o.id: o for o in ds.objects()}
    labelkit.convert(NATIVE, tmp_path / "out", to="coco", allow_loss=True)
    api = COCO(str(tmp_path / "out" / "annotations" / "instances_train.json"))
    checked = {}
    for ann in api.dataset["annotations"]:
        obj = objects[str(ann["id"])]
        if obj.shape not in ("mask", "polygon"):
            continue
        image = api.imgs[ann["image_id"]]
        want = _input_mask(obj, image["height"], image["width"])
        got = api.annToMask(ann)
        assert want.sum() > 0 and np.array_equal(got, want), ann["id"]
        holes = "holes" if any(obj.polygon_holes or []) else ""
        checked[obj.id] = (obj.shape, holes, type(ann["segmentation"]).__name__, ann["iscrowd"])
    assert checked == {
        "3": ("polygon", "holes", "dict", 0),  # (a polygon with a hole: an RLE)
        "4": ("polygon", "", "list", 0),  # (two parts)
        "5": ("mask", "", "dict", 1),  # (compressed counts, crowd)
        "6": ("mask", "", "dict", 0),  # (uncompressed counts)
    }
    dets = api.loadRes([dict(a, score=0.9) for a in copy.deepcopy(api.dataset["annotations"])])
    for iou in ("bbox", "segm"):
        ev = COCOeval(api, dets, iou)
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        assert len(ev.stats) == 12


@pytest.mark.parametrize("via", ["labelkit", "parquet"])
def test_crowd_rles_and_multi_part_polygons_keep_their_pixels_through_labelkit_json_and_parquet(
    tmp_path: Path, via: str
) -> None:
    """COCO -> labelkit JSON or Parquet -> COCO: pycocotools gives every annotation (a crowd RLE of compressed and
    one of uncompressed counts, a polygon of two parts, a plain RLE) the pixels of the input's, and the files are
    the same JSON. (The pycocotools test compared COCO -> COCO only, whose output is the input.)"""
    from pycocotools.coco import COCO

    doc = _fixture_files()["instances_val"]
    crowd = copy.deepcopy(doc["annotations"][2])  # (annotation 103: compressed counts)
    crowd.update(id=107, iscrowd=1)
    doc["annotations"].append(crowd)
    src = tmp_path / "instances_val.json"
    src.write_text(json.dumps(doc))
    middle = tmp_path / ("mid.labelkit.json" if via == "labelkit" else "mid")
    assert labelkit.convert(src, middle, to=via).lost == []
    back = labelkit.convert(middle, tmp_path / "back", to="coco")
    assert back.lost == [] and back.transformed == []
    written = tmp_path / "back" / "annotations" / "instances_val.json"
    assert _load(written) == doc
    original, api = COCO(str(src)), COCO(str(written))
    kinds = []
    for ann in original.dataset["annotations"]:
        if ann["segmentation"] == []:  # (a box-only annotation: pycocotools paints none, in either file)
            continue
        (again,) = api.loadAnns(ann["id"])
        mask = original.annToMask(ann)
        assert mask.sum() > 0 and np.array_equal(api.annToMask(again), mask), ann["id"]
        seg = ann["segmentation"]
        kinds.append((ann["iscrowd"], type(seg.get("counts") if isinstance(seg, dict) else len(seg)).__name__))
    assert sorted(kinds) == [(0, "int"), (0, "int"), (0, "int"), (0, "str"), (1, "list"), (1, "str")]


# -- errors in convert's words, naming the value found -------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "pointer", "said"),
    [
        ("segmentation", [[2, 1, "5.5", 1, 5.5, 3.5]], "/annotations/0/segmentation/0/2", '"5.5"'),
        ("segmentation", [[2, 1, 5.5, 1, 5.5, 3.5], 7], "/annotations/0/segmentation/1", "7"),
        ("segmentation", [[2, 1, 5.5, 1, True, 3.5]], "/annotations/0/segmentation/0/4", "true"),
        ("segmentation", [[2, 1, 5.5, 1, [5.5], 3.5]], "/annotations/0/segmentation/0/4", "an array"),
        ("keypoints", [5, "5", 2], "/annotations/0/keypoints/1", '"5"'),
        ("keypoints", [5, {"x": 5}, 2], "/annotations/0/keypoints/1", "an object"),
    ],
)
def test_a_polygon_or_keypoint_value_that_is_no_number_is_shown_as_the_file_spells_it(
    tmp_path: Path, field: str, value: Any, pointer: str, said: str
) -> None:
    """A string among polygon or keypoint numbers was said in msgspec's words where the value belongs: ``segmentation
    must be a list of polygons (lists of numbers) (found Expected `float`, got `str`)``; a bbox's was ``(found
    "4")``. Convert (and validate, where the schema does not find it first) now shows the value found."""
    doc = {
        "images": [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}],
        "categories": [{"id": 1, "name": "a", "keypoints": ["p"]}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 1, 3.5, 2.5], "area": 1, "iscrowd": 0}],
    }
    doc["annotations"][0][field] = value
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    what = "a list of polygons (lists of numbers)" if field == "segmentation" else "a list of numbers"
    message = f"{field} must be {what} (found {said})"
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == f"{path}#{pointer}: {message}"
    (finding,) = labelkit.validate(path)  # (in the schema's words where it finds it first: "7 is not of type")
    assert finding.where == "#" + pointer and "Expected `" not in finding.message
    assert finding.message in (message, f"{said} is not of type 'array'")


@pytest.mark.parametrize(
    ("category", "pointer", "said"),
    [
        ({"name": 5}, "/categories/0/name", "name must be a string (found 5)"),
        ({"supercategory": 5}, "/categories/0/supercategory", "supercategory must be a string (found 5)"),
        ({"keypoints": "nose"}, "/categories/0/keypoints", "keypoints must be a list of names (found 'nose')"),
        ({"keypoints": ["a", 1]}, "/categories/0/keypoints/1", "keypoint name must be a string (found 1)"),
        ({"keypoints": ["a", None]}, "/categories/0/keypoints/1", "keypoint name must be a string (found null)"),
        ({"skeleton": "x"}, "/categories/0/skeleton", "skeleton must be a list of index pairs (found 'x')"),
        ({"skeleton": [[1]]}, "/categories/0/skeleton/0", "skeleton edge must be 2 keypoint indices (found [1])"),
        (
            {"skeleton": [[1, 2], [1, 2, 3]]},
            "/categories/0/skeleton/1",
            "skeleton edge must be 2 keypoint indices (found [1, 2, 3])",
        ),
        ({"skeleton": [[1.5, 2]]}, "/categories/0/skeleton/0/0", "skeleton index must be an integer (found 1.5)"),
        # (an integer, too wide: not 'must be an integer (found 99999999999999999999)', said as an id is)
        ({"skeleton": [[1, 10**20]]}, "/categories/0/skeleton/0/1", "skeleton index does not fit in 64 bits"),
        ({"skeleton": [[-(2**63) - 1, 1]]}, "/categories/0/skeleton/0/0", "skeleton index does not fit in 64 bits"),
    ],
)
def test_a_category_field_of_another_type_is_said_in_convert_s_words(
    tmp_path: Path, category: dict[str, Any], pointer: str, said: str
) -> None:
    """A category's bad name, supercategory, keypoint names or skeleton was refused in pydantic's words, without the
    value: ``Input should be a valid string``, ``Input should be a valid list``, and ``Field required`` at
    ``/categories/0/skeleton/0/1`` for an edge of one index (validate: ``[1] is too short`` at the edge)."""
    doc = {"images": [], "annotations": [], "categories": [{"id": 1, "name": "a", **category}]}
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == f"{path}#{pointer}: {said}"
    assert [f.where for f in labelkit.validate(path)] == ["#" + pointer]


@pytest.mark.parametrize(("value", "found"), [(5, "5"), (None, "null"), (["a.jpg"], "['a.jpg']")])
def test_an_image_file_name_that_is_no_string_is_said_with_the_value_found(
    tmp_path: Path, value: Any, found: str
) -> None:
    """``file_name must be a string`` named no value, where an image's id, width or height says what it found."""
    doc = {"images": [{"id": 1, "file_name": value, "width": 10, "height": 10}], "annotations": [], "categories": []}
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        labelkit.load(path)
    assert str(err.value) == f"{path}#/images/0/file_name: file_name must be a string (found {found})"


# -- golden files through labelkit JSON and Parquet ------------------------------------------------------------------


@pytest.mark.parametrize("via", ["labelkit", "parquet"])
@pytest.mark.parametrize(
    ("case", "src"),
    [
        ("roundtrip", FIXTURE),
        ("keypoints", ROOT / "fixtures" / "coco_keypoints"),
        ("results", FIXTURE / "results_val.json"),
    ],
)
def test_coco_through_labelkit_json_or_parquet_gives_the_golden_files_json(
    tmp_path: Path, case: str, src: Path, via: str
) -> None:
    """COCO -> labelkit -> COCO gives the golden files' JSON (the input's: key order and number spelling aside, as
    the model keeps no text), the keypoints layout (instances without keypoints beside a keypoints file of the
    person category) included; COCO -> COCO gives their bytes (test_golden)."""
    golden = FIXTURE / "golden" / case
    middle = tmp_path / ("mid.labelkit.json" if via == "labelkit" else "mid")
    assert labelkit.convert(src, middle, to=via).lost == []
    report = labelkit.convert(middle, tmp_path / "out", to="coco")
    assert report.lost == [] and report.transformed == []
    written = sorted(p.name for p in (tmp_path / "out" / "annotations").iterdir())
    assert written == sorted(p.name for p in golden.iterdir())
    for name in written:
        source = src / "annotations" / name if src.is_dir() else src
        assert _load(tmp_path / "out" / "annotations" / name) == _load(golden / name) == _load(source), name
