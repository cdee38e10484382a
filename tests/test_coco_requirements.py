"""COCO: the issue's requirements test_coco.py left untested or tested loosely.

Convert naming the finding validate lists first, skip_invalid's count over a folder's files.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

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
