"""COCO: work that grows with a file's size is done once (large taxonomies)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import labelkit
from labelkit.formats import coco_categories


def _doc(categories: int, split: str = "val") -> dict[str, Any]:
    return {
        "images": [{"id": 1, "file_name": f"{split}.jpg", "width": 10, "height": 10}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0}],
        "categories": [{"id": i, "name": f"c{i}", "supercategory": "s"} for i in range(1, categories + 1)],
    }


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of category records built by each call of the records' builder."""
    calls: list[int] = []
    inner = coco_categories._build_categories

    def counting(f: Any) -> Any:
        out = inner(f)
        calls.append(len(out))
        return out

    monkeypatch.setattr(coco_categories, "_build_categories", counting)
    return calls


@pytest.mark.parametrize("how", ["read", "validate"])
def test_a_files_categories_are_built_once(tmp_path: Path, built: list[int], how: str) -> None:
    """Reading a file built its category records three times (merging, building the file, the merged list): an
    80,000-class taxonomy took 7 s to read instead of 3."""
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(_doc(3)))
    if how == "read":
        dataset = labelkit.load(path)
        assert [(c.id, c.name, c.supercategory) for c in dataset.categories] == [
            (1, "c1", "s"),
            (2, "c2", "s"),
            (3, "c3", "s"),
        ]
    else:
        assert labelkit.validate(path) == []
    assert built == [3]


def test_several_files_build_theirs_once_and_the_merged_list(tmp_path: Path, built: list[int]) -> None:
    (tmp_path / "annotations").mkdir()
    for split, n in (("train", 2), ("val", 3)):
        (tmp_path / "annotations" / f"instances_{split}.json").write_text(json.dumps(_doc(n, split)))
    dataset = labelkit.load(tmp_path)
    assert [c.id for c in dataset.categories] == [1, 2, 3]
    assert built == [2, 3, 3]  # each file's, then the merged list


def test_a_repeated_category_id_is_still_a_finding_of_validate(tmp_path: Path, built: list[int]) -> None:
    doc = _doc(2)
    doc["categories"].append({"id": 2, "name": "again"})
    path = tmp_path / "instances_val.json"
    path.write_text(json.dumps(doc))
    findings = labelkit.validate(path)
    assert [(f.where, f.message) for f in findings] == [("#/categories/2/id", "duplicate category id 2")]
    assert built == [3, 2]  # the file's (3 records), then the merged list without the repeat
