"""COCO <-> YOLO <-> VOC: boxes agree within 1e-6 of a pixel where nothing forces rounding; reports list losses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import labelkit
from labelkit import formats
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


def test_reports_list_what_each_step_drops(tmp_path: Path) -> None:
    ds = _dataset([(1.0, 2.0, 3.0, 4.0), (5.0, 6.0, 7.0, 8.0)])
    ds.add(Object(id="99", item_id="7", category_id=1, bbox=(0, 0, 4, 4), angle=30.0))
    plan = labelkit.api.plan(ds, "yolo", task="detect")
    assert [c.what for c in plan.lost] == ["rotated boxes"]
    plan = labelkit.api.plan(ds, "voc")
    assert [c.what for c in plan.lost] == ["rotated boxes"]
    assert not labelkit.api.plan(ds, "yolo", task="obb").lost
