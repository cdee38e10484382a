"""Property tests: generated datasets of every kind round-trip labelkit JSON <-> Parquet without loss.

Floats: every finite float64 survives, -0.0 included (orjson writes the shortest repr that reads back to the
same bits; Arrow and Parquet store the bits). Equality is checked on the JSON bytes of the canonical form, so
``-0.0`` vs ``0.0``, ``1`` vs ``1.0`` and ``True`` vs ``1`` all count as differences. NaN and infinities are
refused by the model (JSON cannot hold them).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.formats import native, native_bulk
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
    Span,
    Token,
    Track,
    Transcript,
)

INT64 = st.integers(-(2**63), 2**63 - 1)
COUNT = st.integers(0, 2**63 - 1)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
TEXT = st.text(max_size=6)
SMALL = {"max_size": 3}


def _json_values() -> st.SearchStrategy[Any]:
    leaves = st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | FLOATS | TEXT
    return st.recursive(
        leaves, lambda inner: st.lists(inner, **SMALL) | st.dictionaries(TEXT, inner, **SMALL), max_leaves=6
    )


JSON_MAPPING = st.dictionaries(TEXT, _json_values(), **SMALL)
EXTRAS = st.dictionaries(
    st.sampled_from(["coco:iscrowd", "voc:pose", "cvat:z_order", "ls:from_name", "x"]), _json_values(), **SMALL
)
ATTRIBUTE_VALUE = st.booleans() | INT64 | FLOATS | TEXT | st.lists(TEXT, **SMALL)
ATTRIBUTES = st.dictionaries(TEXT, ATTRIBUTE_VALUE, **SMALL)
PROVENANCE = st.none() | st.builds(Provenance, annotator=st.none() | TEXT, model=st.none() | TEXT)
SCORE = st.none() | FLOATS


def opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


ATTRIBUTE_DEF = st.builds(
    AttributeDef,
    name=TEXT,
    type=st.sampled_from(["bool", "int", "float", "text", "select", "multiselect"]),
    values=opt(st.lists(TEXT, **SMALL)),
    default=opt(ATTRIBUTE_VALUE),
    mutable=st.booleans(),
)


@st.composite
def categories(draw: st.DrawFn) -> list[Category]:
    ids = draw(st.lists(INT64, unique=True, max_size=4))
    out = []
    for position, cid in enumerate(ids):  # (a parent is a category listed earlier: categories form no loop)
        keypoints = draw(opt(st.lists(TEXT, min_size=1, max_size=4)))
        skeleton = None
        if keypoints is not None:
            index = st.integers(1, len(keypoints))
            skeleton = draw(opt(st.lists(st.tuples(index, index), max_size=3)))
        out.append(
            Category(
                id=cid,
                name=draw(TEXT),
                parent=draw(opt(st.sampled_from(ids[:position]))) if position else None,
                supercategory=draw(opt(TEXT)),
                keypoints=keypoints,
                skeleton=skeleton,
                attributes=draw(st.lists(ATTRIBUTE_DEF, max_size=2)),
                color=draw(opt(st.sampled_from(["#ff0000", "#00ff00"]))),
                extras=draw(EXTRAS),
            )
        )
    return out


MEDIA = st.one_of(
    st.builds(Media, kind=st.just("image"), path=opt(TEXT), width=opt(COUNT), height=opt(COUNT)),
    st.builds(
        Media,
        kind=st.just("video"),
        path=opt(TEXT),
        width=opt(COUNT),
        height=opt(COUNT),
        duration=opt(FLOATS),
        fps=opt(FLOATS),
        frame_count=opt(COUNT),
    ),
    st.builds(Media, kind=st.just("audio"), path=opt(TEXT), duration=opt(FLOATS)),
    st.builds(Media, kind=st.just("text"), path=opt(TEXT), text=opt(st.text(max_size=20))),
)

RING = st.lists(FLOATS, max_size=8).map(lambda xs: xs[: len(xs) // 2 * 2])
RLE = st.builds(Rle, size=st.tuples(COUNT, COUNT), counts=st.text(max_size=12) | st.lists(COUNT, max_size=6))


@st.composite
def polygons(draw: st.DrawFn) -> tuple[list[list[float]] | None, list[bool] | None]:
    rings = draw(opt(st.lists(RING, max_size=3)))
    if rings is None:
        return None, None
    holes = draw(opt(st.lists(st.booleans(), min_size=len(rings), max_size=len(rings))))
    return rings, holes


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    cats = draw(categories())
    category_id = opt(st.sampled_from([c.id for c in cats])) if cats else st.none()
    item_ids = draw(st.lists(TEXT, unique=True, max_size=4))
    items = [
        Item(
            id=i,
            media=draw(MEDIA),
            split=draw(opt(st.sampled_from(["train", "val", "test", "weird split"]))),
            group=draw(opt(TEXT)),
            metadata=draw(JSON_MAPPING),
        )
        for i in item_ids
    ]
    annotations: list[Any] = []
    tokens: list[Token] = []
    if item_ids:
        item_id = st.sampled_from(item_ids)

        def common(kind_ids: list[str], i: int) -> dict[str, Any]:
            return {
                "id": kind_ids[i],
                "item_id": draw(item_id),
                "category_id": draw(category_id),
                "score": draw(SCORE),
                "attributes": draw(ATTRIBUTES),
                "provenance": draw(PROVENANCE),
                "extras": draw(EXTRAS),
            }

        def ids() -> list[str]:
            return draw(st.lists(TEXT, unique=True, max_size=3))

        label_ids = ids()
        for i in range(len(label_ids)):
            timed = draw(st.booleans())
            annotations.append(
                Label(**common(label_ids, i), start=draw(FLOATS) if timed else None, end=draw(opt(FLOATS)))
            )
        track_ids = ids()
        for i in range(len(track_ids)):
            annotations.append(Track(**common(track_ids, i)))
        object_ids = ids()
        for i in range(len(object_ids)):
            rings, holes = draw(polygons())
            annotations.append(
                Object(
                    **common(object_ids, i),
                    shape=draw(
                        st.sampled_from(
                            ["box", "polygon", "polyline", "points", "ellipse", "mask", "keypoints", "cuboid"]
                        )
                    ),
                    bbox=draw(opt(st.tuples(FLOATS, FLOATS, FLOATS, FLOATS))),
                    angle=draw(FLOATS),
                    polygon=rings,
                    polygon_holes=holes,
                    mask=draw(opt(RLE)),
                    keypoints=draw(
                        opt(
                            st.lists(st.tuples(FLOATS, FLOATS, st.sampled_from([0.0, 1.0, 2.0])), max_size=3).map(
                                lambda ts: [v for t in ts for v in t]
                            )
                        )
                    ),
                    frame=draw(opt(COUNT)),
                    track_id=draw(opt(st.sampled_from(track_ids) if track_ids else TEXT)),
                    keyframe=draw(opt(st.booleans())),
                    outside=draw(opt(st.booleans())),
                    occluded=draw(opt(st.booleans())),
                    z_order=draw(opt(INT64)),
                )
            )
        span_ids = ids()
        for i in range(len(span_ids)):
            annotations.append(Span(**common(span_ids, i), start=draw(COUNT), end=draw(COUNT), text=draw(opt(TEXT))))
        transcript_ids = ids()
        for i in range(len(transcript_ids)):
            annotations.append(
                Transcript(
                    **common(transcript_ids, i),
                    text=draw(st.text(max_size=12)),
                    start=draw(opt(FLOATS)),
                    end=draw(opt(FLOATS)),
                    speaker=draw(opt(TEXT)),
                )
            )
        tokens = draw(
            st.lists(
                st.builds(
                    Token,
                    item_id=item_id,
                    index=COUNT,
                    start=COUNT,
                    end=COUNT,
                    text=TEXT,
                    columns=st.dictionaries(st.sampled_from(["pos", "chunk", "lemma"]), TEXT, **SMALL),
                ),
                max_size=4,
            )
        )
    draw(st.randoms(use_true_random=False)).shuffle(annotations)
    info = DatasetInfo(
        name=draw(opt(TEXT)),
        attributes=draw(st.lists(ATTRIBUTE_DEF, max_size=2)),
        metadata=draw(JSON_MAPPING),
        extras=draw(EXTRAS),
    )
    return Dataset(items=items, categories=cats, annotations=annotations, tokens=tokens, info=info)


def exact(dataset: Dataset) -> bytes:
    """The canonical form as bytes: tells -0.0 from 0.0, 1 from 1.0 and True from 1."""
    return orjson.dumps(dataset.to_dict())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(datasets())
def test_json_parquet_round_trip_is_lossless(ds: Dataset) -> None:
    before = exact(ds)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        labelkit.save(ds, root / "a.json", "labelkit")
        assert exact(ds) == before, "writing changed the input"
        # streamed output is exactly the document, compact
        assert (root / "a.json").read_bytes() == orjson.dumps(native.document(ds)) + b"\n"
        from_json = labelkit.load(root / "a.json", "labelkit")
        assert exact(from_json) == before
        # the bulk reader takes every valid document and agrees with the record path to the last column
        fast = native_bulk.fast_read(root / "a.json")
        slow = native._dataset(native.parse_document((root / "a.json").read_bytes(), "a.json"))
        for name, table in slow.tables().items():
            assert fast.table(name).equals(table), name
        labelkit.save(from_json, root / "b.parquet", "parquet")
        from_parquet = labelkit.load(root / "b.parquet", "parquet")
        assert exact(from_parquet) == before
        labelkit.save(from_parquet, root / "c.json", "labelkit")
        # JSON -> Parquet -> JSON is byte-identical: the output is deterministic and nothing was lost
        assert (root / "c.json").read_bytes() == (root / "a.json").read_bytes()
        for table in ("items", "objects", "labels", "spans", "transcripts", "tracks", "tokens"):
            assert from_parquet.table(table).equals(from_json.table(table)), table


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_records_survive_the_tables(ds: Dataset) -> None:
    rebuilt = Dataset(
        items=list(ds.items()),
        categories=ds.categories,
        annotations=list(ds.annotations()),
        tokens=list(ds.tokens()),
        info=ds.info,
    )
    assert exact(rebuilt) == exact(ds)
    for name, table in rebuilt.tables().items():
        assert table.equals(ds.table(name)), name


@pytest.mark.parametrize("value", [-0.0, 5e-324, -1.7976931348623157e308, 0.1, 1e16, 2.0**-1074, 123456789.123456789])
def test_extreme_floats_survive_both_formats(value: float, tmp_path: Path) -> None:
    ds = Dataset(items=[Item(id="a")])
    ds.add(
        Object(
            id="1",
            item_id="a",
            bbox=(value, value, value, value),
            angle=value,
            score=value,
            attributes={"f": value},
            polygon=[[value, value]],
        )
    )
    labelkit.save(ds, tmp_path / "a.json", "labelkit")
    labelkit.save(ds, tmp_path / "a.parquet", "parquet")
    for path in (tmp_path / "a.json", tmp_path / "a.parquet"):
        obj = next(labelkit.load(path).objects())
        assert obj.bbox is not None and obj.polygon is not None
        for got in (*obj.bbox, obj.angle, obj.score, obj.attributes["f"], obj.polygon[0][0]):
            assert isinstance(got, float) and got.hex() == value.hex()


def _stats_by_hand(ds: Dataset) -> dict[str, Any]:
    """The counts ``Dataset.stats`` gives, a record at a time (the oracle for its column-at-a-time version)."""
    split_of = {i.id: i.split for i in ds.items()}
    names = [c.name for c in ds.categories]  # (a name two categories share, or "(none)", is told apart by id)
    plain = {c.id: names.count(c.name) == 1 and c.name != "(none)" for c in ds.categories}
    name_of = {c.id: c.name if plain[c.id] else f"{c.name} #{c.id}" for c in ds.categories}
    by_category: dict[str, dict[str, int]] = {}
    by_split: dict[str, dict[str, int]] = {}
    for a in ds.annotations():
        cid = getattr(a, "category_id", None)
        label = "(none)" if cid is None else name_of.get(cid, f"#{cid}")
        split = split_of.get(a.item_id) or "(none)"
        for table, key in ((by_category, label), (by_split, split)):
            table.setdefault(key, {}).setdefault(a.kind, 0)
            table[key][a.kind] += 1
    media: dict[str, int] = {}
    splits: dict[str, int] = {}
    for item in ds.items():
        media[item.media.kind] = media.get(item.media.kind, 0) + 1
        splits[item.split or "(none)"] = splits.get(item.split or "(none)", 0) + 1
    return {
        "items_by_media": dict(sorted(media.items())),
        "items_by_split": dict(sorted(splits.items())),
        "annotations_by_category": {k: dict(sorted(v.items())) for k, v in sorted(by_category.items())},
        "annotations_by_split": {k: dict(sorted(v.items())) for k, v in sorted(by_split.items())},
    }


@given(datasets())
def test_stats_count_every_record(ds: Dataset) -> None:
    stats = ds.stats().to_dict()
    assert {k: stats[k] for k in _stats_by_hand(ds)} == _stats_by_hand(ds)
    assert stats["items"] == len(list(ds.items())) and stats["tokens"] == len(list(ds.tokens()))


def test_stats_put_empty_splits_and_unknown_items_under_none() -> None:
    ds = Dataset(
        items=[Item(id="a", media=Media(kind="image"), split=""), Item(id="b", media=Media(kind="image"), split="val")],
        categories=[Category(id=1, name="cat")],
        annotations=[
            Label(id="1", item_id="a", category_id=1),
            Label(id="2", item_id="b", category_id=7),
            Label(id="3", item_id="gone", category_id=None),
        ],
    )
    stats = ds.stats()
    assert stats.items_by_split == {"(none)": 1, "val": 1}
    assert stats.by_split == {"(none)": {"label": 2}, "val": {"label": 1}}
    assert stats.by_category == {"#7": {"label": 1}, "(none)": {"label": 1}, "cat": {"label": 1}}
    assert _stats_by_hand(ds) == {k: v for k, v in stats.to_dict().items() if k in _stats_by_hand(ds)}


def test_stats_keep_a_split_named_none_apart_from_the_items_without_a_split() -> None:
    """A split named ``(none)`` (a folder of that name) was counted with the items without a split, in
    ``Dataset.stats`` and ``labelkit info``: it is shown in double quotes, as are names starting with one."""
    ds = Dataset(
        items=[
            Item(id="a", split="(none)"),
            Item(id="b"),
            Item(id="c", split='"(none)"'),
            Item(id="d", split='"x'),
            Item(id="e", split="val"),
        ],
        categories=[Category(id=1, name="cat")],
        annotations=[Label(id="1", item_id="a", category_id=1), Label(id="2", item_id="b", category_id=1)],
    )
    stats = ds.stats()
    assert stats.items_by_split == {'""(none)""': 1, '""x"': 1, '"(none)"': 1, "(none)": 1, "val": 1}
    assert stats.by_split == {'"(none)"': {"label": 1}, "(none)": {"label": 1}}
