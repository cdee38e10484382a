"""Regenerate the YOLO and VOC golden files. This script OVERWRITES fixtures/yolo/ and fixtures/voc/.

Run it only when an output change is intended, then review the diff:

    python tests/regen_yolo_voc_goldens.py

It writes the source datasets (``fixtures/{yolo,voc}/source.labelkit.json``) and, for each case in
``CASES``, the folder labelkit writes from them (``fixtures/<format>/golden/<case>/``).
tests/test_yolo_voc_golden.py checks that writing the sources gives these files byte for byte.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import labelkit  # noqa: E402
from labelkit.model import Category, Dataset, DatasetInfo, Item, Label, Media, Object, raster  # noqa: E402

FIXTURES = ROOT / "fixtures"
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "yolo/golden/detect": ("yolo", {"task": "detect"}),
    "yolo/golden/segment": ("yolo", {"task": "segment"}),
    "yolo/golden/obb": ("yolo", {"task": "obb"}),
    "yolo/golden/pose": ("yolo", {"task": "pose"}),
    "yolo/golden/detect-darknet-6dp": ("yolo", {"task": "detect", "layout": "darknet", "precision": "6"}),
    "voc/golden/default": ("voc", {}),
    "voc/golden/masks-all": ("voc", {"masks": "all"}),
}
"""Golden folder -> (format, write options). Every case is written with allow_loss."""


def yolo_source() -> Dataset:
    """Boxes, a rotated box, polygons (one with two rings), keypoints, an empty image, an out-of-image box."""
    cats = [
        Category(id=1, name="person", keypoints=["nose", "left eye", "right eye"]),
        Category(id=3, name="traffic light"),
        Category(id=7, name='say "cheese"'),
    ]
    ds = Dataset(categories=cats, info=DatasetInfo(extras={"yolo:flip_idx": [0, 2, 1]}))
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=640, height=480), split="train"))
    ds.add_item(Item(id="b", media=Media(path="sub/b.png", width=100, height=50), split="train"))
    ds.add_item(Item(id="c", media=Media(path="c.jpg", width=320, height=240), split="val"))
    ds.add(
        Object(
            id="1",
            item_id="a",
            category_id=1,
            bbox=(10.5, 20.25, 30.0, 40.0),
            keypoints=[20, 30, 2, 25, 28, 1, 0, 0, 0],
        ),
        Object(id="2", item_id="a", category_id=3, bbox=(100.0, 100.0, 40.0, 20.0), angle=30.0),
        Object(
            id="3",
            item_id="a",
            category_id=7,
            shape="polygon",
            bbox=(200.0, 200.0, 60.0, 50.0),
            polygon=[[200, 200, 260, 200, 230, 250]],
        ),
        Object(
            id="4",
            item_id="b",
            category_id=3,
            shape="polygon",
            bbox=(0.0, 0.0, 50.0, 40.0),
            polygon=[[0, 0, 10, 0, 10, 10], [20, 20, 50, 20, 50, 40, 20, 40]],
        ),
        Object(id="5", item_id="b", category_id=1, bbox=(-5.0, 40.0, 20.0, 20.0)),
        Object(
            id="6", item_id="b", category_id=7, shape="polygon", bbox=(1, 1, 4, 4), polygon=[[1, 1, 5, 1, 5, 5, 1, 5]]
        ),
    )
    return ds


def voc_source() -> Dataset:
    """Boxes with every VOC flag, parts, actions, attributes, a class outside VOC, labels, masks, a polygon."""
    cats = [Category(id=8, name="cat"), Category(id=15, name="person"), Category(id=90, name="forklift truck")]
    # as VOC's reader gives Annotations/x/y.xml of <filename>y.png</filename>: named after its id, not its image
    ds = Dataset(categories=cats, info=DatasetInfo(extras={"voc:@ids": True}))
    ds.add_item(
        Item(id="2007_000001", media=Media(path="JPEGImages/2007_000001.jpg", width=8, height=6), split="train")
    )
    ds.add_item(Item(id="x/y", media=Media(path="y.png", width=4, height=4), split="val"))
    ds.add_item(Item(id="none", media=Media(path="none.jpg", width=4, height=4), split="val"))
    mask = np.zeros((6, 8), dtype=bool)
    mask[1:4, 2:5] = True
    cell = raster.mask_to_rle(mask)
    ds.add(
        Object(
            id="1",
            item_id="2007_000001",
            category_id=8,
            bbox=(2.0, 1.0, 3.0, 3.0),
            occluded=False,
            mask={"size": (6, 8), "counts": cell["counts"]},
            extras={"voc:pose": "Frontal", "voc:truncated": 1, "voc:difficult": 1},
        ),
        Object(
            id="2",
            item_id="2007_000001",
            category_id=15,
            bbox=(0.5, 0.0, 7.5, 6.0),
            attributes={"helmet": True, "name": "<Bob & Al>"},
            extras={"voc:parts": [{"name": "head", "bbox": [1.0, 0.0, 2.0, 2.0]}], "voc:actions": {"jumping": 1}},
        ),
        Object(
            id="3",
            item_id="x/y",
            category_id=90,
            shape="polygon",
            bbox=(0.0, 0.0, 3.0, 3.0),
            polygon=[[0, 0, 3, 0, 3, 3]],
            angle=0.0,
        ),
        Label(id="1", item_id="x/y", category_id=90),
    )
    return ds


def main() -> None:
    """Rewrite every source and golden folder."""
    sources = {"yolo": yolo_source(), "voc": voc_source()}
    for fmt, ds in sources.items():
        (FIXTURES / fmt).mkdir(parents=True, exist_ok=True)
        target = FIXTURES / fmt / "source.labelkit.json"
        labelkit.save(ds, target, "labelkit", overwrite=True, indent=True)
        print(f"wrote {target.relative_to(ROOT)}")
    for case, (fmt, options) in CASES.items():
        out = FIXTURES / case
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        labelkit.save(labelkit.load(FIXTURES / fmt / "source.labelkit.json"), out, fmt, allow_loss=True, **options)
        print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
