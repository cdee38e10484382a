"""Property: writing COCO, labelkit JSON or Parquet loses nothing the report does not name.

Generated datasets (boxes, rotated boxes, polygons of several parts and holes, RLE masks, keypoints, crowd
flags, scores, attributes, image labels, captions, item metadata, category extras, several splits, items
without objects) are planned, written with ``allow_loss=True`` and read back. Every fact of the input the
report does not name as lost (or transformed) must come back, and each loss the report counts must be one
that really went missing, no more and no fewer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.model import (
    AttributeDef,
    Category,
    Dataset,
    DatasetInfo,
    Item,
    Label,
    Media,
    Object,
    Provenance,
    Rle,
    Transcript,
)
from labelkit.model.raster import rle_to_mask
from labelkit.report import Report

TEXT = st.text(alphabet="abcxyz é_-", max_size=5)
JSON_LEAF = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-10, 10) | TEXT
JSON_VALUE = st.recursive(
    JSON_LEAF, lambda inner: st.lists(inner, max_size=2) | st.dictionaries(TEXT, inner, max_size=2), max_leaves=4
)
ATTRIBUTE = st.booleans() | st.integers(-9, 9) | st.floats(-10, 10) | TEXT | st.lists(TEXT, max_size=2)
ATTRIBUTES = st.dictionaries(st.sampled_from(["occ", "colour", "n", "tags"]), ATTRIBUTE, max_size=2)
SCORE = st.none() | st.floats(0, 1)
METADATA_KEYS = ["license", "coco_url", "date_captured", "note", "id", "file_name", "width", "height", "flickr_url"]
KEYPOINT_NAMES = ["nose", "eye", "ear", "hip"]


def opt(strategy: st.SearchStrategy[Any], p: bool = True) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def categories(draw: st.DrawFn) -> list[Category]:
    ids = draw(st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True))
    out = []
    for position, cid in enumerate(ids):  # (a parent is a category listed earlier: categories form no loop)
        names = draw(opt(st.lists(st.sampled_from(KEYPOINT_NAMES), min_size=1, max_size=3, unique=True)))
        skeleton = None
        if names:
            index = st.integers(1, len(names))
            skeleton = draw(opt(st.lists(st.tuples(index, index), max_size=2)))
        extras = draw(
            st.dictionaries(
                st.sampled_from(["coco:frequency", "coco:image_count", "owner", "coco:name"]), JSON_VALUE, max_size=2
            )
        )
        out.append(
            Category(
                id=cid,
                name=f"c{cid}" + draw(TEXT),
                supercategory=draw(opt(TEXT)),
                keypoints=names,
                skeleton=skeleton,
                parent=draw(st.sampled_from(ids[:position])) if position and draw(st.integers(0, 5)) == 0 else None,
                color=draw(st.none() | st.just("#ff0000")) if draw(st.integers(0, 5)) == 0 else None,
                attributes=[AttributeDef(name="occ", type="bool")] if draw(st.integers(0, 5)) == 0 else [],
                extras=extras,
            )
        )
    return out


def ring(draw: st.DrawFn, w: int, h: int) -> list[float]:
    n = draw(st.integers(3, 5))
    out: list[float] = []
    for _ in range(n):
        out += [draw(st.floats(0, w)), draw(st.floats(0, h))]
    return out


def rle(draw: st.DrawFn, w: int, h: int) -> Rle:
    total = w * h
    cuts = sorted(draw(st.lists(st.integers(0, total), max_size=4)))
    counts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return Rle(size=(h, w), counts=counts)


def natural_shape(has: set[str], keypoints: Any) -> str:
    """The shape a tool that drew this geometry names (COCO's reader names it so)."""
    for geometry in ("mask", "polygon", "bbox"):
        if geometry in has:
            return "box" if geometry == "bbox" else geometry
    return "keypoints" if keypoints else "box"


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    cats = draw(categories())
    by_id = {c.id: c for c in cats}
    numbers = iter(draw(st.permutations(range(1, 60))))
    items, annotations = [], []
    for _ in range(draw(st.integers(0, 4))):
        w, h = draw(st.integers(1, 40)), draw(st.integers(1, 40))
        sized = draw(st.integers(0, 8)) > 0
        iid = str(next(numbers))
        items.append(
            Item(
                id=iid,
                media=Media(path=f"img{iid}.jpg", width=w if sized else None, height=h if sized else None),
                split=draw(st.sampled_from(["train", "val", None])),
                group=draw(st.none() | TEXT) if draw(st.integers(0, 5)) == 0 else None,
                metadata=draw(st.dictionaries(st.sampled_from(METADATA_KEYS), JSON_VALUE, max_size=2)),
            )
        )

        def common(iid: str = iid) -> dict[str, Any]:
            return {
                "id": str(next(numbers)),
                "item_id": iid,
                "category_id": draw(st.sampled_from([c.id for c in cats])) if draw(st.integers(0, 6)) else None,
                "score": draw(SCORE),
                "attributes": draw(ATTRIBUTES),
                "provenance": Provenance(annotator="ann") if draw(st.integers(0, 6)) == 0 else None,
            }

        for _ in range(draw(st.integers(0, 3))):
            base = common()
            has = draw(st.sets(st.sampled_from(["bbox", "polygon", "mask", "keypoints"]), max_size=3))
            bbox = None
            if "bbox" in has:
                x, y = draw(st.floats(0, w)), draw(st.floats(0, h))
                bbox = (x, y, draw(st.floats(0, w - x)), draw(st.floats(0, h - y)))
            angle = draw(st.sampled_from([0.0, 0.0, 15.0, -30.0])) if bbox else 0.0
            polygon = holes = None
            if "polygon" in has:
                polygon = [ring(draw, w, h) for _ in range(draw(st.integers(1, 3)))]
                if len(polygon) > 1 and draw(st.booleans()):
                    holes = [False] + [draw(st.booleans()) for _ in polygon[1:]]
            cat = by_id.get(base["category_id"]) if base["category_id"] is not None else None
            keypoints = None
            if "keypoints" in has and cat is not None and cat.keypoints:
                keypoints = []
                for _ in cat.keypoints:
                    v = draw(st.sampled_from([0.0, 1.0, 2.0]))
                    keypoints += [0.0, 0.0, 0.0] if v == 0 else [draw(st.floats(0, w)), draw(st.floats(0, h)), v]
            extras = {}
            if draw(st.booleans()):
                extras["coco:iscrowd"] = draw(st.sampled_from([0, 1]))
            if draw(st.integers(0, 9)) == 0:  # (a field the record writes itself, as a dataset built in code may hold)
                extras[draw(st.sampled_from(["coco:id", "coco:image_id", "coco:category_id", "coco:score"]))] = 7
            annotations.append(
                Object(
                    **base,
                    shape=natural_shape(has, keypoints)
                    if draw(st.integers(0, 4))
                    else draw(st.sampled_from(["polyline", "ellipse"])),
                    bbox=bbox,
                    angle=angle,
                    polygon=polygon,
                    polygon_holes=holes,
                    mask=rle(draw, w, h) if "mask" in has else None,
                    keypoints=keypoints,
                    occluded=True if draw(st.integers(0, 8)) == 0 else None,
                    extras=extras,
                )
            )
        for _ in range(draw(st.integers(0, 2))):
            annotations.append(Label(**common()))
        for _ in range(draw(st.integers(0, 2))):
            base = common()
            annotations.append(
                Transcript(
                    **base, text=draw(st.text(alphabet="ab c", min_size=1, max_size=6)), speaker=draw(st.none() | TEXT)
                )
            )
    info = DatasetInfo(
        name=draw(st.none() | TEXT),
        metadata=draw(st.dictionaries(TEXT, JSON_VALUE, max_size=1)),
        extras=draw(
            st.dictionaries(
                st.sampled_from(["coco:info", "project"]), st.dictionaries(TEXT, JSON_LEAF, max_size=2), max_size=1
            )
        ),
    )
    return Dataset(items=items, categories=cats, annotations=annotations, info=info)


def number(record_id: str) -> str:
    """An id as COCO reads it back: ``train/5`` (two splits share image id 5) is ``5``."""
    return record_id.rsplit("/", 1)[-1]


def close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= 1e-6))


class Missing:
    """What did not come back, per fact: the keys of the records it is missing from."""

    def __init__(self) -> None:
        self.facts: dict[str, set[str]] = {}

    def add(self, fact: str, key: str) -> None:
        self.facts.setdefault(fact, set()).add(key)

    def count(self, fact: str) -> int:
        return len(self.facts.get(fact, ()))


def coco_missing(before: Dataset, after: Dataset) -> Missing:
    """Compare ``before`` with its COCO read-back ``after``, fact by fact."""
    out = Missing()
    # -- info and categories
    info = before.info
    if info.name:
        out.add("dataset name", "info")
    if info.metadata:
        out.add("dataset metadata", "info")
    for key, value in info.extras.items():
        if after.info.extras.get(key, Missing) != value:
            out.add(f"info extra {key}", "info")
    cats = {c.id: c for c in after.categories}
    for c in before.categories:
        got = cats.get(c.id)
        if got is None:
            out.add("category", str(c.id))
            continue
        for field in ("name", "supercategory", "keypoints", "skeleton"):
            if getattr(got, field) != getattr(c, field):
                out.add(f"category {field}", str(c.id))
        for field in ("parent", "color", "attributes"):
            if getattr(c, field) not in (None, []) and getattr(got, field) != getattr(c, field):
                out.add(f"category {field}", str(c.id))
        for key, value in c.extras.items():
            if got.extras.get(key, Missing) != value:
                out.add(f"category extra {key}", str(c.id))
    # -- items
    items = {number(i.id): i for i in after.items()}
    for item in before.items():
        got = items.get(item.id)
        if got is None:
            out.add("item", item.id)
            continue
        if got.media.path != item.media.path or (got.media.width, got.media.height) != (
            item.media.width,
            item.media.height,
        ):
            out.add("item media", item.id)
        if (got.split or None) != (item.split or None) and not (item.split is None and got.split == "default"):
            out.add("item split", item.id)
        if item.group is not None:
            out.add("item group", item.id)
        for key, value in item.metadata.items():
            if got.metadata.get(key, Missing) != value:
                out.add("item metadata", item.id)
    # -- annotations
    got_by = {(a.kind, number(a.id)): a for a in after.annotations()}
    for a in before.annotations():
        key = f"{a.kind} {a.id}"
        got = got_by.get((a.kind, a.id))
        if got is None:
            if a.item_id not in items:
                out.add(f"{a.kind} of a lost item", key)
            elif a.category_id is None and a.kind != "transcript":
                out.add(f"{a.kind} without a category", key)
            elif a.kind == "object" and not _drawn(a):
                out.add("object without geometry", key)
            else:
                out.add(a.kind, key)
            continue
        if number(got.item_id) != a.item_id:
            out.add(f"{a.kind} item", key)
        if a.kind == "transcript":
            cid = got.category_id if got.category_id is not None else got.extras.get("coco:category_id")
            if cid != a.category_id:
                out.add("transcript category", key)
            if a.speaker is not None:
                out.add("transcript speaker", key)
            if got.text != a.text:
                out.add("transcript text", key)
        elif got.category_id != a.category_id:
            out.add(f"{a.kind} category", key)
        if got.score != a.score:
            out.add(f"{a.kind} score", key)
        if got.attributes != a.attributes:
            out.add(f"{a.kind} attributes", key)
        if a.provenance is not None:
            out.add(f"{a.kind} provenance", key)
        for k, v in a.extras.items():
            if k in _OWN_NAMED:
                out.add(f"{a.kind} extra named as its own field", key)  # (the record's own is written)
            elif got.extras.get(k, Missing) != v:
                out.add(f"{a.kind} extra {k}", key)
        if a.kind != "object":
            continue
        if a.occluded:
            out.add("object occluded", key)
        if got.angle != a.angle:
            shaped = a.polygon is not None or a.mask is not None
            out.add("object angle beside a polygon or mask" if shaped else "object angle", key)
        if a.bbox is not None and a.angle == 0 and not close(got.bbox, a.bbox):
            out.add("object bbox", key)
        if a.bbox is None and got.bbox is not None:
            out.add("object bbox added", key)
        holes = any(a.polygon_holes or ())
        if a.polygon is not None:
            if a.mask is not None:
                if got.polygon is not None:
                    out.add("object mask and polygon", key)
                out.add("object polygon", key)
            elif holes:
                if got.mask is None:
                    out.add("object polygon with holes", key)
            elif (
                got.polygon is None
                or len(got.polygon) != len(a.polygon)
                or not all(close(g, r) for g, r in zip(got.polygon, a.polygon, strict=False))
            ):
                out.add("object polygon", key)
        if a.mask is not None:
            if got.mask is None or not np.array_equal(rle_to_mask(_cell(got.mask)), rle_to_mask(_cell(a.mask))):
                out.add("object mask", key)
        if a.keypoints is not None and not close(got.keypoints, a.keypoints):
            out.add("object keypoints", key)
        if a.keypoints is None and got.keypoints is not None:
            out.add("object keypoints added", key)
        if got.shape != a.shape:
            out.add(f"object shape {a.shape}", key)
    return out


_OWN_NAMED = ("coco:id", "coco:image_id", "coco:category_id", "coco:score")
"""Extras named as a member a COCO record writes from the model."""


def _drawn(obj: Object) -> bool:
    labelled = any(v > 0 for v in (obj.keypoints or ())[2::3])
    rings = any(len(r) >= 6 for r in obj.polygon or ())
    return obj.bbox is not None or rings or obj.mask is not None or labelled


def _cell(mask: Rle) -> dict[str, Any]:
    h, w = mask.size
    text = isinstance(mask.counts, str)
    return {"height": h, "width": w, "counts": mask.counts if text else None, "runs": None if text else mask.counts}


def _reported(report: Report) -> dict[str, int]:
    return {c.what: c.count for c in report.lost}


def _transformed(report: Report) -> dict[str, int]:
    return {c.what: c.count for c in report.transformed}


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(datasets())
def test_coco_loses_only_what_it_reports(ds: Dataset) -> None:
    report = labelkit.plan(ds, "coco")
    with tempfile.TemporaryDirectory() as tmp:
        written = labelkit.save(ds, Path(tmp) / "out", "coco", allow_loss=True)
        back = labelkit.load(Path(tmp) / "out", "coco")
    assert [(c.what, c.count) for c in written.lost] == [(c.what, c.count) for c in report.lost]
    missing = coco_missing(ds, back)
    lost, transformed = _reported(report), _transformed(report)
    unexplained = {f: sorted(k) for f, k in missing.facts.items() if not _explained(f, missing, lost, transformed)}
    assert not unexplained, (unexplained, report.lines(), orjson.dumps(ds.to_dict()).decode())
    assert not _counted_losses(missing, lost), (
        _counted_losses(missing, lost),
        report.lines(),
        orjson.dumps(ds.to_dict()).decode(),
    )


# fact -> the report lines that may explain it ("lost:" ones must count it exactly)
COCO_EXCUSES: dict[str, tuple[str, ...]] = {
    "dataset name": ("lost:dataset name",),
    "dataset metadata": ("lost:dataset metadata",),
    "info extra project": ("lost:dataset info extra 'project'",),
    "category parent": ("lost:category parents",),
    "category color": ("lost:category colours",),
    "category attributes": ("lost:category attribute definitions",),
    "category skeleton": ("transformed:category skeletons",),
    "category extra owner": ("lost:categories with the extra 'owner'",),
    "category extra coco:name": ("lost:categories' coco: extras named as their own fields",),
    "item": ("lost:images without a width and height",),
    "item group": ("lost:item groups",),
    "item metadata": ("lost:items with metadata named id, file_name, width or height",),
    "object of a lost item": ("lost:object annotations on them",),
    "label of a lost item": ("lost:label annotations on them",),
    "transcript of a lost item": ("lost:transcript annotations on them",),
    "object without a category": ("lost:object annotations without a category",),
    "label without a category": ("lost:label annotations without a category",),
    "object without geometry": ("lost:objects without a box, polygon, mask or labelled keypoints",),
    "object provenance": ("lost:object provenance records",),
    "label provenance": ("lost:label provenance records",),
    "transcript provenance": ("lost:transcript provenance records",),
    "object occluded": ("lost:occluded flags",),
    "object extra named as its own field": (
        "lost:object annotations' coco: extras named as their record's own fields",
    ),
    "transcript speaker": ("lost:transcript speakers",),
    "object angle": ("transformed:rotated boxes",),
    "object angle beside a polygon or mask": ("lost:rotated boxes of objects with a polygon or mask",),
    "object polygon": ("lost:polygons of objects with a mask",),
    "object polygon with holes": (
        "lost:polygons' holes on images of unknown size",
        "lost:polygons' holes on images of more than 2^28 pixels",
    ),
    "object bbox added": ("transformed:objects without a box", "transformed:objects with only keypoints"),
    "object keypoints added": ("transformed:objects without keypoints of a category with keypoint names",),
}


def _explained(fact: str, missing: Missing, lost: dict[str, int], transformed: dict[str, int]) -> bool:
    for line in COCO_EXCUSES.get(fact, ()):
        side, what = line.split(":", 1)
        if what in (lost if side == "lost" else transformed):
            return True
    if fact.startswith("object shape "):
        shape = fact.removeprefix("object shape ")
        because = (f"{shape} objects", "boxes", "rotated boxes", "polygons with holes", "objects with only keypoints")
        return any(w in transformed for w in because)
    return False


def _counted_losses(missing: Missing, lost: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Each loss the report counts whose count differs from what went missing: what -> (reported, missing)."""
    out = {}
    for what, n in lost.items():
        facts = [f for f, lines in COCO_EXCUSES.items() if f"lost:{what}" in lines]
        have = sum(missing.count(f) for f in facts)
        if not facts or n != have:
            out[what] = (n, have)
    return out


@pytest.mark.parametrize("target", ["labelkit", "parquet"])
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(ds=datasets())
def test_native_targets_lose_nothing(target: str, ds: Dataset) -> None:
    """labelkit JSON and Parquet hold everything: nothing is reported, and everything comes back as it was."""
    report = labelkit.plan(ds, target)
    assert report.lost == [] and report.transformed == []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("out.json" if target == "labelkit" else "out")
        written = labelkit.save(ds, out, target)
        back = labelkit.load(out, target)
    assert written.lost == [] and written.transformed == []
    assert orjson.dumps(back.to_dict()) == orjson.dumps(ds.to_dict())


def test_coco_reports_item_metadata_named_as_its_image_fields(tmp_path: Path) -> None:
    """Metadata keyed ``id``, ``file_name``, ``width`` or ``height`` was left out of the image record without a
    word (the image's own fields take those names); it is reported lost now, once per item."""
    ds = Dataset(categories=[Category(id=1, name="a")])
    for i, metadata in enumerate(({"id": 7, "license": 1}, {"width": 3}, {"license": 2}, {"note": {"id": 1}})):
        ds.add_item(Item(id=str(i + 1), media=Media(path=f"{i}.jpg", width=5, height=5), metadata=metadata))
    reason = "a COCO image's id, file_name, width and height are its own: those metadata values are not written"
    assert [(c.what, c.count, c.reason) for c in labelkit.plan(ds, "coco").lost] == [
        ("items with metadata named id, file_name, width or height", 2, reason)
    ]
    with pytest.raises(labelkit.DataLossError):
        labelkit.save(ds, tmp_path / "out", "coco")
    labelkit.save(ds, tmp_path / "out", "coco", allow_loss=True)
    back = labelkit.load(tmp_path / "out", "coco")
    assert [i.metadata for i in back.items()] == [{"license": 1}, {}, {"license": 2}, {"note": {"id": 1}}]


def test_coco_counts_short_rings_of_a_polygon_lost_beside_a_mask_once(tmp_path: Path) -> None:
    """The polygon of an object with a mask is lost whole (the mask is written): its rings of fewer than 3 points
    were counted lost again, as rings, though nothing more went missing."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=6, height=6)))
    mask = Rle(size=(6, 6), counts=[7, 2, 27])
    triangle = [1.0, 1.0, 3.0, 1.0, 2.0, 3.0]
    ds.add(Object(id="1", item_id="1", category_id=0, shape="mask", mask=mask, polygon=[[1.0, 1.0], triangle]))
    ds.add(Object(id="2", item_id="1", category_id=0, shape="mask", mask=mask, polygon=[[1.0, 1.0]]))
    ds.add(Object(id="3", item_id="1", category_id=0, shape="polygon", polygon=[[1.0, 1.0], triangle]))
    planned = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in planned.lost] == [
        ("polygon rings of fewer than 3 points", 2),
        ("polygons of objects with a mask", 1),
    ]
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert report.lost == planned.lost
    back = {o.id: (o.polygon, o.mask is not None) for o in labelkit.load(tmp_path / "o", "coco").objects()}
    assert back == {"1": (None, True), "2": (None, True), "3": ([triangle], False)}


def test_coco_reports_objects_read_back_drawn_as_another_shape(tmp_path: Path) -> None:
    """COCO's reader takes an annotation's drawn shape from its segmentation: a box object written with its
    polygon or mask (a VOC object with its mask) read back drawn as that, and a polygon object with a mask as a
    mask, unreported. A box written as its rectangle is reported as a box already, and a rotated box's corners
    as a rotated box."""
    ds = Dataset(categories=[Category(id=0, name="cat")])
    ds.add_item(Item(id="1", media=Media(path="a.jpg", width=6, height=6)))
    mask = Rle(size=(6, 6), counts=[7, 2, 27])
    triangle = [1.0, 1.0, 3.0, 1.0, 2.0, 3.0]
    box = (1.0, 1.0, 2.0, 2.0)
    ds.add(Object(id="1", item_id="1", category_id=0, shape="box", bbox=box, mask=mask))
    ds.add(Object(id="2", item_id="1", category_id=0, shape="box", bbox=box, polygon=[triangle]))
    ds.add(Object(id="3", item_id="1", category_id=0, shape="box", bbox=box, angle=30.0, polygon=[triangle]))
    ds.add(Object(id="4", item_id="1", category_id=0, shape="polygon", bbox=box, polygon=[triangle], mask=mask))
    ds.add(Object(id="5", item_id="1", category_id=0, shape="box", bbox=box))
    ds.add(Object(id="6", item_id="1", category_id=0, shape="box", bbox=box, angle=30.0))
    ds.add(Object(id="7", item_id="1", category_id=0, shape="mask", bbox=box, mask=mask))
    ds.add(Object(id="8", item_id="1", category_id=0, shape="polygon", bbox=box, polygon=[triangle]))
    planned = labelkit.plan(ds, "coco")
    assert [(c.what, c.count) for c in planned.transformed if c.what != "item splits"] == [
        ("box objects", 3),
        ("polygon objects", 1),
        ("rotated boxes", 1),
        ("boxes", 1),
    ]
    report = labelkit.save(ds, tmp_path / "o", "coco", allow_loss=True)
    assert report.transformed == planned.transformed
    back = [o.shape for o in labelkit.load(tmp_path / "o", "coco").objects()]
    assert back == ["mask", "polygon", "polygon", "mask", "polygon", "polygon", "mask", "polygon"]
