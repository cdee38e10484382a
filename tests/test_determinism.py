"""Same input, same output on any machine: whatever Python's string hash seed, whatever order folders list in.

Python salts the hash of every string per process (``PYTHONHASHSEED``), so a set or dict of names iterated
without sorting gives another order in another process, and so does a folder listed without sorting on another
file system (tmpfs lists the newest entry first, ext4 in the order of a per-disk hash). One process cannot see
either: these tests run the same conversions and splits in two processes of different hash seeds, and in one
process with every listing sorted one way, then the other, and compare every byte written and printed.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from labelkit.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"

# Each job: its CLI arguments, with {src} and {out} filled in. The sources: the COCO written by _coco, and the VOC
# and YOLO folders the first jobs write from it.
JOBS: list[tuple[str, list[str]]] = [
    ("voc", ["convert", "{coco}", "{out}", "--to", "voc", "-o", "masks=all", "--allow-loss"]),
    ("yolo", ["convert", "{coco}", "{out}", "--to", "yolo", "-o", "task=segment", "--allow-loss"]),
    ("darknet", ["convert", "{coco}", "{out}", "--to", "yolo", "-o", "layout=darknet", "--allow-loss"]),
    ("coco", ["convert", "{coco}", "{out}", "--to", "coco", "-o", "reindex=true"]),
    ("native.json", ["convert", "{coco}", "{out}", "--to", "labelkit"]),
    ("parquet", ["convert", "{coco}", "{out}", "--to", "parquet"]),
    ("split", ["split", "{coco}", "{out}", "--ratios", "train=0.6,val=0.2,test=0.2", "--seed", "7"]),
    ("folds", ["split", "{coco}", "{out}", "--folds", "3", "--group-by", "group", "--to", "labelkit"]),
    ("voc-coco", ["convert", "{voc}", "{out}", "--to", "coco"]),
    ("yolo-coco", ["convert", "{yolo}", "{out}", "--to", "coco"]),
    ("darknet-voc", ["convert", "{darknet}", "{out}", "--to", "voc", "--allow-loss"]),
    ("voc-split", ["split", "{voc}", "{out}", "--ratios", "a=0.5,b=0.5", "--to", "yolo", "--allow-loss"]),
]


def _coco(folder: Path) -> Path:
    """A COCO dataset of three splits whose names and values give set or listing order every chance to show.

    Categories of unordered ids and names (spaces, accents, a name that is a number), images in subfolders,
    boxes, polygons of one and two parts, crowd RLE masks, keypoints, unknown extra fields, and a group per image.
    """
    rng = random.Random(11)
    names = ["zèbre", "a b", "10", "Ärger", "cat", "dog", "ß", "person", "x-y", "中文", "_", "Z", "émile", "b"]
    ids = rng.sample(range(1, 60), len(names))
    categories: list[dict[str, Any]] = [
        {"id": i, "name": n, "supercategory": f"s{i % 4}"} for i, n in zip(ids, names, strict=True)
    ]
    person = categories[names.index("person")]
    person["keypoints"] = ["nose", "left_eye", "right_eye"]
    person["skeleton"] = [[1, 2], [1, 3]]
    image_id, ann_id = 1, 1
    (folder / "annotations").mkdir(parents=True)
    for split, count in (("train", 14), ("val", 6), ("test", 5)):
        images: list[dict[str, Any]] = []
        annotations: list[dict[str, Any]] = []
        for k in range(count):
            width, height = rng.choice([(64, 48), (50, 70)])
            sub = rng.choice(["", "day/", "night/", "ö/"])
            images.append(
                {"id": image_id, "file_name": f"{sub}{split}_{k:02d}.jpg", "width": width, "height": height}
                | ({"group": f"g{rng.randrange(5)}", "weather": rng.choice(["sun", "rain"])} if k % 3 else {})
            )
            for _ in range(rng.randrange(0, 5)):
                category = rng.choice(categories)
                x, y = rng.randrange(0, width - 20), rng.randrange(0, height - 20)
                w, h = rng.randrange(4, 20), rng.randrange(4, 20)
                ann: dict[str, Any] = {
                    "id": ann_id,
                    "image_id": image_id,
                    "category_id": category["id"],
                    "bbox": [x, y, w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
                kind = rng.randrange(4)
                if kind == 0:
                    ann["segmentation"] = [[x, y, x + w, y, x + w / 2, y + h]]
                elif kind == 1:
                    ann["segmentation"] = [[x, y, x + 3, y, x + 3, y + 3], [x + 5, y + 5, x + w, y + 5, x + w, y + h]]
                elif kind == 2:  # a crowd mask: columns x to x + 3, whole (COCO's runs go down the columns)
                    ann["iscrowd"] = 1
                    counts = [x * height, 4 * height, (width - x - 4) * height]
                    ann["segmentation"] = {"size": [height, width], "counts": counts}
                    ann["bbox"] = [x, 0, 4, height]
                if category is person:
                    ann["keypoints"] = [x + 1, y + 1, 2, x + 2, y + 2, 1, 0, 0, 0]
                    ann["num_keypoints"] = 2
                if ann_id % 5 == 0:
                    ann["note"] = {"by": rng.choice(["ann", "bob"]), "ok": True}
                annotations.append(ann)
                ann_id += 1
            image_id += 1
        document = {"images": images, "annotations": annotations, "categories": categories}
        (folder / "annotations" / f"instances_{split}.json").write_text(json.dumps(document, ensure_ascii=False))
    return folder


def _outputs(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (or ``root`` itself), by path relative to it."""
    if root.is_file():
        return {".": root.read_bytes()}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# Run in a child process of a given hash seed: every job through the CLI, its exit code, printed report and files
# (their bytes as Latin-1 text: JSON carries it, and a failing comparison shows it)
_DRIVER = """
import json, sys
from pathlib import Path
from click.testing import CliRunner
from labelkit.cli import cli
work = Path(sys.argv[1])
jobs = json.loads(sys.argv[2])
(work / "out").mkdir()
done = {}
for name, args in jobs:
    places = {"coco": str(work / "coco"), "out": str(work / "out" / name)}
    places |= {k: str(work / "out" / k) for k in ("voc", "yolo", "darknet")}
    result = CliRunner().invoke(cli, [a.format(**places) for a in args])
    out = Path(places["out"])
    files = {}
    if out.is_file():
        files["."] = out.read_bytes().decode("latin-1")
    elif out.is_dir():
        for p in sorted(out.rglob("*")):
            if p.is_file():
                files[p.relative_to(out).as_posix()] = p.read_bytes().decode("latin-1")
    done[name] = [result.exit_code, result.output.replace(str(work), "WORK"), files]
print(json.dumps(done))
"""


def _run_with_hash_seed(work: Path, seed: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(work), json.dumps(JOBS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_every_conversion_and_split_is_the_same_whatever_the_hash_seed(tmp_path: Path) -> None:
    runs = []
    for seed in ("1", "2"):
        work = tmp_path / seed
        _coco(work / "coco")
        runs.append(_run_with_hash_seed(work, seed))
    first, second = runs
    assert list(first) == [name for name, _ in JOBS]
    # each job did its work: the conversions needing no loss passed without --allow-loss, the splits wrote splits
    assert {name: code for name, (code, _, _) in first.items()} == dict.fromkeys(first, 0)
    assert sum(file.startswith("SegmentationObject/") for file in first["voc"][2]) == 20
    assert "labels/test/ö/test_01.txt" in first["yolo"][2]
    for name in first:
        assert first[name][0] == second[name][0], name
        assert first[name][1] == second[name][1], name  # the printed report
        assert sorted(first[name][2]) == sorted(second[name][2]), name  # the same files
        for file in first[name][2]:
            assert first[name][2][file] == second[name][2][file], f"{name}: {file}"


class _Listing:
    """What ``os.scandir`` returns, its entries in a given order."""

    def __init__(self, entries: list[os.DirEntry[Any]]) -> None:
        self.entries = iter(entries)

    def __iter__(self) -> Iterator[os.DirEntry[Any]]:
        return self.entries

    def __next__(self) -> os.DirEntry[Any]:
        return next(self.entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


def _listed(monkeypatch: pytest.MonkeyPatch, reverse: bool) -> None:
    """Make every folder list its entries by name, ascending or descending (``os.walk``, ``pathlib`` included)."""
    real_scandir, real_listdir = os.scandir, os.listdir

    def scandir(path: Any = ".") -> _Listing:
        with real_scandir(path) as listing:
            entries = sorted(listing, key=lambda e: e.name, reverse=reverse)
        return _Listing(entries)

    def listdir(path: Any = ".") -> list[Any]:
        return sorted(real_listdir(path), reverse=reverse)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)


def test_folders_read_the_same_whatever_order_they_list_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    coco = _coco(tmp_path / "coco")
    sources = {"coco": coco}
    for name, args in (("voc", ["-o", "masks=all"]), ("yolo", ["-o", "task=segment"]), ("darknet", [])):
        to = "yolo" if name == "darknet" else name
        extra = ["-o", "layout=darknet"] if name == "darknet" else args
        done = CliRunner().invoke(cli, ["convert", str(coco), str(tmp_path / name), "--to", to, *extra, "--allow-loss"])
        assert done.exit_code == 0, done.output
        sources[name] = tmp_path / name
    for name in ("coco", "coco_keypoints", "voc/golden/default", "yolo/golden/detect-darknet-6dp", "yolo/golden/pose"):
        sources[f"fixtures/{name}"] = FIXTURES / name  # the bundled fixtures too
    results: list[dict[str, Any]] = []
    for reverse in (False, True):
        with monkeypatch.context() as patch:
            _listed(patch, reverse)
            assert [e.name for e in os.scandir(FIXTURES)][:2] == (
                ["yolo", "voc"] if reverse else ["coco", "coco_keypoints"]
            )
            seen: dict[str, Any] = {}
            (tmp_path / f"out-{reverse}").mkdir()
            for name, source in sources.items():
                for to in ("coco", "labelkit", "voc", "yolo"):
                    out = tmp_path / f"out-{reverse}" / f"{name.replace('/', '_')}-{to}"
                    done = CliRunner().invoke(cli, ["convert", str(source), str(out), "--to", to, "--allow-loss"])
                    seen[f"{name} -> {to}"] = (done.exit_code, done.output.replace(str(out), "OUT"), _outputs(out))
            out = tmp_path / f"out-{reverse}" / "split"
            done = CliRunner().invoke(cli, ["split", str(tmp_path / "voc"), str(out), "--folds", "2", "--allow-loss"])
            seen["split"] = (done.exit_code, done.output.replace(str(out), "OUT"), _outputs(out))
            results.append(seen)
    ascending, descending = results
    assert ascending["split"][0] == 0 and len(ascending["split"][2]) > 25
    assert {k: v[0] for k, v in ascending.items() if v[0]} == {}  # every conversion wrote
    for key in ascending:
        assert ascending[key][:2] == descending[key][:2], key
        assert sorted(ascending[key][2]) == sorted(descending[key][2]), key
        for file in ascending[key][2]:
            assert ascending[key][2][file] == descending[key][2][file], f"{key}: {file}"
