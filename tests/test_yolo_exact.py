"""YOLO -> YOLO gives back numbers written with every digit (labelkit.formats.yolo_exact)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import orjson
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import labelkit
from labelkit.formats import yolo_exact
from labelkit.model import Category, Dataset, Item, Media, Object

# a float of the image, as a tool writes it with every digit (repr)
_UNIT = st.floats(0.01, 0.99)
_SIZE = st.integers(1, 5000)

_CONFIG = {
    "detect": "names: [a, b]\n",
    "segment": "names: [a, b]\n",
    "obb": "names: [a, b]\n",
    "pose": "names: [a, b]\nkpt_shape: [2, 3]\n",
    "pose2": "names: [a, b]\nkpt_shape: [2, 2]\n",
}


def _folder(root: Path, task: str, lines: list[str]) -> Path:
    (root / "labels" / "train").mkdir(parents=True)
    (root / "data.yaml").write_text(f"path: .\ntrain: images/train\n{_CONFIG[task]}")
    (root / "labels" / "train" / "x.txt").write_text("".join(line + "\n" for line in lines))
    return root


def _numbers(text: str) -> list[list[float]]:
    return [[float(v) for v in line.split()] for line in text.splitlines()]


def _round_trip(root: Path, task: str, size: tuple[int, int], **options: str) -> str:
    # (the task forced: a segment line of 4 points reads as OBB)
    dataset = labelkit.load(root, image_size=f"{size[0]}x{size[1]}", task=task.rstrip("2"))
    out = root.parent / f"{root.name}-out"
    labelkit.save(dataset, out, "yolo", allow_loss=True, **options)
    return (out / "labels" / "train" / "x.txt").read_text()


def _line(task: str, numbers: list[float]) -> str:
    if task == "pose":  # box, then x y v for 2 points (v of 2: visible)
        points = [f"{numbers[4 + 2 * j]!r} {numbers[5 + 2 * j]!r} 2" for j in range(2)]
        return "0 " + " ".join(repr(v) for v in numbers[:4]) + " " + " ".join(points)
    return "0 " + " ".join(repr(v) for v in numbers)


def _box_line(draw: st.DrawFn, task: str) -> list[float]:
    cx, cy = draw(st.floats(0.3, 0.7)), draw(st.floats(0.3, 0.7))
    w, h = draw(st.floats(0.01, 0.5)), draw(st.floats(0.01, 0.5))
    box = [cx, cy, w, h]
    if task.startswith("pose"):
        box += [
            draw(st.floats(cx - w / 2, cx + w / 2)) if k % 2 == 0 else draw(st.floats(cy - h / 2, cy + h / 2))
            for k in range(4)
        ]
    return [float(f"{v:.17g}") for v in box]


@st.composite
def _case(draw: st.DrawFn, task: str) -> tuple[tuple[int, int], list[str]]:
    size = (draw(_SIZE), draw(_SIZE)) if task != "obb" else (draw(st.integers(100, 5000)), draw(st.integers(100, 5000)))
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        if task == "segment":
            points = draw(st.lists(_UNIT, min_size=3, max_size=12))
            lines.append(_line(task, [v for p in points for v in (p, draw(_UNIT))]))
        elif task == "obb":  # a rectangle turned by an angle, its corners in the image
            cx, cy, a = draw(st.floats(0.4, 0.6)), draw(st.floats(0.4, 0.6)), draw(st.floats(0.0, math.pi))
            hw, hh = draw(st.floats(1.0, 40.0)), draw(st.floats(1.0, 40.0))
            corners = []
            for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                x = cx * size[0] + sx * hw * math.cos(a) - sy * hh * math.sin(a)
                y = cy * size[1] + sx * hw * math.sin(a) + sy * hh * math.cos(a)
                corners += [x / size[0], y / size[1]]
            lines.append(_line(task, corners))
        elif task == "pose2":
            box = _box_line(draw, task)
            lines.append("0 " + " ".join(repr(v) for v in box))
        else:
            lines.append(_line(task, _box_line(draw, task)))
    return size, lines


@pytest.mark.parametrize("task", ["detect", "segment", "obb", "pose", "pose2"])
def test_numbers_with_every_digit_come_back(task: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Before: about one number in ten came back a float away (0.23055555555555557 as 0.2305555555555556)."""

    @settings(max_examples=40, deadline=None)
    @given(_case(task))
    def check(case: tuple[tuple[int, int], list[str]]) -> None:
        size, lines = case
        root = tmp_path_factory.mktemp(task) / "in"
        written = _round_trip(_folder(root, task, lines), task, size)
        read = _numbers("".join(line + "\n" for line in lines))
        if task == "obb":  # (corners outside the image are clipped: the ones inside must come back)
            read = [r for r in read if all(0.0 <= v <= 1.0 for v in r[1:])]
            assert [r for r in _numbers(written) if r in read] == read
        else:
            assert _numbers(written) == read

    check()


def test_a_label_studio_export_comes_back_byte_for_byte(corpus: Path, tmp_path: Path) -> None:
    """Label Studio's converter writes every digit: its YOLO export, read and written, is the same files."""
    source = corpus / "label-studio-sdk/tests/custom/converter/data/test_import_yolo_data_unif_dims"
    labelkit.save(labelkit.load(source), tmp_path / "out", "yolo")
    labels = sorted((source / "labels").glob("*.txt"))
    assert len(labels) == 5
    for path in labels:
        assert (tmp_path / "out" / "labels" / "train" / path.name).read_bytes() == path.read_bytes(), path.name


_LINE = "0 0.2806185464674408 0.7084602421623396 0.23149463950321805 0.08397001746443228"
"""A box whose height, on a 641x479 image, a write used to give back a float away (…229)."""


def test_the_numbers_kept_are_the_reader_s_bookkeeping(tmp_path: Path) -> None:
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", [_LINE]), image_size="641x479")
    assert dataset.table("objects")["extras"].to_pylist() == ['{"yolo:@detect_numbers":[[3,0.08397001746443228]]}']
    # labelkit JSON keeps them, so YOLO -> labelkit -> YOLO gives the numbers back too
    labelkit.save(dataset, tmp_path / "x.json", "labelkit")
    again = labelkit.load(tmp_path / "x.json")
    labelkit.save(again, tmp_path / "again", "yolo")
    assert (tmp_path / "again" / "labels" / "train" / "x.txt").read_text() == _LINE + "\n"
    # no other format holds them, and none reports them: they are the same box
    report = labelkit.save(dataset, tmp_path / "coco", "coco", allow_loss=True)
    assert not [e for e in report.lost if "yolo" in e.what] and not [n for n in report.notes if "yolo:@" in n]
    assert "yolo:@" not in (tmp_path / "coco" / "annotations" / "instances_train.json").read_text()


def _with_box(dataset: Dataset, row: int, box: list[float]) -> None:
    objects = dataset.table("objects")
    bbox = np.asarray(objects["bbox"].combine_chunks().flatten().to_numpy()).reshape(-1, 4).copy()
    bbox[row] = box
    column = pa.FixedSizeListArray.from_arrays(pa.array(bbox.reshape(-1)), 4)
    dataset.set_table("objects", objects.set_column(objects.schema.get_field_index("bbox"), "bbox", column))


def test_an_object_changed_since_is_written_from_its_geometry(tmp_path: Path) -> None:
    """Its line is what any object of that box gets; the height of the next one, unchanged, is as read."""
    lines = [_LINE, _LINE]
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", lines), image_size="641x479")
    _with_box(dataset, 0, [100.0, 200.0, 30.0, 40.0])
    fresh = Dataset(categories=[Category(id=0, name="a"), Category(id=1, name="b")])
    fresh.add_item(Item(id="x", media=Media(width=641, height=479), split="train"))
    fresh.add(Object(id="1", item_id="x", category_id=0, bbox=(100.0, 200.0, 30.0, 40.0)))
    labelkit.save(dataset, tmp_path / "out", "yolo")
    labelkit.save(fresh, tmp_path / "fresh", "yolo")
    first, second = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text().splitlines()
    assert first == (tmp_path / "fresh" / "labels" / "train" / "x.txt").read_text().strip()
    assert first == "0 0.1794071762870515 0.4592901878914405 0.046801872074883 0.08350730688935282"
    assert second == _LINE


def test_fixed_decimals_are_written_as_asked(tmp_path: Path) -> None:
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", [_LINE]), image_size="641x479")
    labelkit.save(dataset, tmp_path / "out", "yolo", precision="3")
    assert (tmp_path / "out" / "labels" / "train" / "x.txt").read_text() == "0 0.281 0.708 0.231 0.084\n"


@pytest.mark.parametrize(
    "kept",
    ['"x"', "[[9,0.5]]", "[[-1,0.5]]", '[["3",0.5]]', "[[3]]", "[]", "[[3,0.5],1]", "{}"],
)
def test_numbers_edited_by_hand_are_passed_over(kept: str, tmp_path: Path) -> None:
    """Extras edited in a labelkit JSON file that are not [place, number] pairs of the line are not used."""
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", [_LINE]), image_size="641x479")
    labelkit.save(dataset, tmp_path / "x.json", "labelkit")
    document = json.loads((tmp_path / "x.json").read_text())
    (annotation,) = document["annotations"]
    annotation["extras"] = {"yolo:@detect_numbers": json.loads(kept)}
    (tmp_path / "x.json").write_text(json.dumps(document))
    labelkit.save(labelkit.load(tmp_path / "x.json"), tmp_path / "out", "yolo")
    written = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text()
    assert written == "0 0.2806185464674408 0.7084602421623396 0.23149463950321805 0.08397001746443229\n"


def test_a_number_that_reads_as_another_pixel_is_not_put_back(tmp_path: Path) -> None:
    """A kept number is put back only where reading it gives the same pixel (else the box would move)."""
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", [_LINE]), image_size="641x479")
    objects = dataset.table("objects")
    edited = orjson.dumps({"yolo:@detect_numbers": [[3, 0.5]]}).decode()
    dataset.set_table(
        "objects",
        objects.set_column(objects.schema.get_field_index("extras"), "extras", pa.array([edited], pa.string())),
    )
    labelkit.save(dataset, tmp_path / "out", "yolo")
    written = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text()
    assert written == "0 0.2806185464674408 0.7084602421623396 0.23149463950321805 0.08397001746443229\n"


def test_a_number_near_a_short_decimal_comes_back(tmp_path: Path) -> None:
    """0.6999999999999998 is not 0.7's float, which the writer tries first (found by the property test)."""
    line = "0 0.5 0.6999999999999998 0.5 0.1233872140685307"
    assert _round_trip(_folder(tmp_path / "in", "detect", [line]), "detect", (1, 1)) == line + "\n"


def test_lines_of_short_numbers_keep_nothing(tmp_path: Path) -> None:
    lines = ["0 0.5 0.25 0.125 0.3", "1 0.123456 0.654321 0.1 0.2"]
    dataset = labelkit.load(_folder(tmp_path / "in", "detect", lines), image_size="641x479")
    assert dataset.table("objects")["extras"].null_count == 2


@pytest.mark.parametrize("task", ["detect", "segment", "pose"])
def test_labelkit_s_own_output_keeps_nothing(task: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its numbers are the writer's, which it gives back: a line near a decimal that none multiplies back to
    (pixel 123.45 of 641) was looked at again and kept (13 s and 4 GB on a train2017-sized segment output)."""
    rng = np.random.default_rng(5)
    fresh = Dataset(categories=[Category(id=0, name="a", keypoints=["p", "q"] if task == "pose" else None)])
    fresh.add_item(Item(id="x", media=Media(width=641, height=479), split="train"))
    for k in range(200):
        x, y = np.round(rng.uniform(1, 300, 2), 2).tolist()
        w, h = np.round(rng.uniform(5, 100, 2), 2).tolist()
        ring = [x, y, x + w, y, x + w / 2, y + h]
        keypoints = [x + 1.25, y + 2.5, 2.0, x + w - 0.75, y + h - 0.05, 2.0] if task == "pose" else None
        polygon = [ring] if task == "segment" else None
        shape = "polygon" if task == "segment" else "box"
        fresh.add(
            Object(id=str(k), item_id="x", category_id=0, shape=shape, bbox=(x, y, w, h), polygon=polygon,
                   keypoints=keypoints)
        )  # fmt: skip
    labelkit.save(fresh, tmp_path / "out", "yolo", task=task)
    looked_at = []
    at_risk = yolo_exact.lines_at_risk
    monkeypatch.setattr(yolo_exact, "lines_at_risk", lambda *a: looked_at.append(r := at_risk(*a)) or r)
    dataset = labelkit.load(tmp_path / "out")
    assert looked_at == [None]  # (no line is looked at again)
    assert dataset.table("objects")["extras"].null_count == 200
    labelkit.save(dataset, tmp_path / "again", "yolo")
    first = (tmp_path / "out" / "labels" / "train" / "x.txt").read_text()
    assert (tmp_path / "again" / "labels" / "train" / "x.txt").read_text() == first


def test_an_exact_quotient_of_9_decimals_is_written_as_it_is(tmp_path: Path) -> None:
    """128.01 px on a width of 640 is 0.200015625 exactly, which multiplies back to 128.01; it was written
    0.20001562499999997 (only decimals of up to 8 places were tried)."""
    (tmp_path / "in.json").write_text(
        '{"images":[{"id":1,"file_name":"a.jpg","width":640,"height":480}],"annotations":[{"id":1,"image_id":1,'
        '"category_id":1,"bbox":[128.01,96,63.99,96],"area":1,"iscrowd":0,"segmentation":[[128.01,96,192,96,192,192]]}],'
        '"categories":[{"id":1,"name":"a"}]}'
    )
    labelkit.convert(tmp_path / "in.json", tmp_path / "out", to="yolo", task="segment", allow_loss=True)
    assert (tmp_path / "out/labels/train/a.txt").read_text() == "0 0.200015625 0.2 0.3 0.2 0.3 0.4\n"


@pytest.mark.parametrize("width", [640, 1280, 1920, 333])
def test_exact_writes_the_shortest_number_that_multiplies_back(width: int) -> None:
    """Of the numbers of at most 12 decimals that a reader multiplies back to the pixel, the shortest is written
    (README: beyond that, the float's own shortest text, which may be a digit longer than a neighbour's)."""
    from labelkit.formats.yolo_numbers import snapped

    pixels = np.round(np.arange(0, width, 0.37), 2)
    out = snapped(pixels / width, np.full(len(pixels), float(width)), pixels)
    for pixel, value in zip(pixels.tolist(), out.tolist(), strict=True):
        shortest = next((c for d in range(1, 13) if (c := round(pixel / width, d)) * width == pixel), None)
        if shortest is not None:
            assert value * width == pixel
            assert len(repr(value)) <= len(repr(shortest)), (pixel, value, shortest)


def test_an_obb_output_of_no_objects_reads_back_as_obb(tmp_path: Path) -> None:
    """Its label files hold no line, from which a reader took the task for detect. (The Darknet layout refuses OBB.)"""
    ds = Dataset(categories=[Category(id=0, name="plane")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    labelkit.save(ds, tmp_path / "out", "yolo", task="obb")
    assert labelkit.load(tmp_path / "out").info.extras["yolo:task"] == "obb"


@pytest.mark.parametrize("layout", ["ultralytics", "darknet"])
def test_a_class_name_holding_a_lone_surrogate_is_refused_as_the_json_writers_refuse_it(
    layout: str, tmp_path: Path
) -> None:
    """data.yaml held it escaped (``s\\uDCFF``), reported as nothing lost, and reading the output back failed; then
    the writer refused it; now the record does (no file holds it)."""
    from pydantic import ValidationError

    ds = Dataset(categories=[Category(id=0, name="s")])
    ds.add_item(Item(id="a", media=Media(path="a.jpg", width=100, height=100), split="train"))
    with pytest.raises(ValidationError, match="text holds a lone surrogate, which UTF-8 cannot encode"):
        ds.categories[0].name = "s\udcff"
    labelkit.save(ds, tmp_path / "out", "yolo", layout=layout)
    assert [c.name for c in labelkit.load(tmp_path / "out").categories] == ["s"]


def _first_try_that_multiplies_back(value: float, scale: float, target: float, offset: float) -> float:
    """``yolo_numbers.snapped``'s tries for one value, each made and checked, in order (its docstring's spec)."""
    v, sc, off = np.float64(value), np.float64(scale), np.float64(offset)
    with np.errstate(all="ignore"):
        shifted, fine = v * 1e8, v * 1e12
        off_target = v * sc - off != target
        near = (abs(shifted - np.rint(shifted)) < 1e-6 and (off_target or v != np.rint(shifted) / 1e8)) or (
            abs(fine - np.rint(fine)) < 1e-3 and v != np.rint(fine) / 1e12
        )
        moved = []  # the floats 1, -1, 2, -2, 3 and -3 steps away
        for k in (1, -1, 2, -2, 3, -3):
            m = v
            for _ in range(abs(k)):
                m = np.nextafter(m, np.inf if k > 0 else -np.inf)
            moved.append(m)
        decimals = [np.rint(v * 10.0**d) / 10.0**d for d in range(1, 13)]  # (np.round's way)
        tries = [*decimals, v, *moved] if near else moved if off_target else []
        fit = next((c for c in tries if c * sc - off == target), None)
    return float(v if fit is None else fit)


_PIXEL = st.one_of(
    st.integers(-10, 5000).map(float),
    st.decimals(-10, 5000, places=2, allow_nan=False).map(float),
    st.decimals(0, 5000, places=6, allow_nan=False).map(float),
    st.floats(-1e10, 1e10, allow_nan=False),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            _PIXEL,
            st.sampled_from([1.0, 3.0, 333.0, 640.0, 1e-3, 1e9, 2.0**40, 640 * 5e-324, 1e-310]),
            st.one_of(st.just(0.0), _PIXEL.map(abs)),
            st.integers(-2, 2),
        ),
        min_size=1,
        max_size=30,
    )
)
@example([(111.15603, 333.0, 655051322.8227733, 0)])  # (a value far above 1: 1967121.42335977 is not the first)
@example([(36855 * 5e-324, 640 * 5e-324, 0.0, 1)])  # (a subnormal scale: 57.586 fits, and is first)
def test_snapping_takes_the_first_try_that_multiplies_back(rows: list[tuple[float, float, float, int]]) -> None:
    """``snapped`` skips the decimals of 1 to 11 places where they cannot multiply back (see ``_snapped``): what
    it writes is the first of all the tries, taken one by one, for pixels of 0, 2 and 6 decimals and any float,
    at image sizes and offsets small and huge (and subnormal sizes), the quotient exact or moved a few float steps."""
    from labelkit.formats.yolo_numbers import _snapped

    target = np.array([r[0] for r in rows])
    scale = np.array([r[1] for r in rows])
    offset = np.array([r[2] for r in rows])
    with np.errstate(all="ignore"):
        values = (target + offset) / scale
    for i, r in enumerate(rows):
        for _ in range(abs(r[3])):
            values[i] = np.nextafter(values[i], np.inf if r[3] > 0 else -np.inf)
    out = _snapped(values, scale, target, offset)
    expected = [_first_try_that_multiplies_back(*args) for args in zip(values, scale, target, offset, strict=True)]
    assert [float(x).hex() for x in out] == [x.hex() for x in expected]


@settings(max_examples=60, deadline=None)
@given(
    side=st.integers(1, 5000),
    size=st.sampled_from([1.1368683772161603e-13, 1e-13, 5e-14, 3e-15, 0.25]),
    edge=st.sampled_from(["left", "right", "top", "bottom"]),
    nudge=st.integers(-2, 2),
    task=st.sampled_from(["detect", "pose"]),
)
@example(side=641, size=1.1368683772161603e-13, edge="right", nudge=0, task="detect")
@example(side=47, size=1e-13, edge="left", nudge=1, task="detect")  # (read back 5.000000000000001e-14 wide)
def test_a_sub_pixel_box_touching_an_edge_reads_back_inside(
    tmp_path_factory: pytest.TempPathFactory, side: int, size: float, edge: str, nudge: int, task: str
) -> None:
    """A box of 1e-13 pixels ending on an image's right edge (x = 640.9999999999999 of 641) was written with a
    centre of 1.0, which reads back at x = 641.0: no area inside the image, so the next conversion lost it while
    this one reported nothing. Every box that overlaps its image is written so that it reads back overlapping it."""
    start = {"left": -size, "top": -size}.get(edge, side - size)
    for _ in range(abs(nudge)):
        start = float(np.nextafter(start, math.copysign(math.inf, nudge)))
    vertical = edge in ("top", "bottom")
    box = (0.5, start, 0.25, size) if vertical else (start, 0.5, size, 0.25)
    width, height = (1, side) if vertical else (side, 1)
    assume_inside = start < side and start + size > 0  # (a start past the edge by a step is outside)
    points = [box[0] + box[2] / 2, box[1] + box[3] / 2, 2.0] if task == "pose" else None
    dataset = Dataset(categories=[Category(id=0, name="c", keypoints=["p"] if points else None)])
    dataset.add_item(Item(id="a", media=Media(path="a.jpg", width=width, height=height), split="train"))
    dataset.add(Object(id="1", item_id="a", category_id=0, bbox=box, keypoints=points))
    root = tmp_path_factory.mktemp("edge")
    report = labelkit.save(dataset, root / "y", "yolo", allow_loss=True, task=task)
    lost = sum(f.count for f in report.lost)
    assert lost == (0 if assume_inside else 1), report.lost
    again = labelkit.convert(root / "y", root / "c", to="coco", allow_loss=True)
    assert again.lost == []
    if assume_inside:
        (read,) = json.loads((root / "c" / "annotations" / "instances_train.json").read_text())["annotations"]
        x, y, w, h = read["bbox"]
        axis_start, axis_size = (y, h) if vertical else (x, w)
        assert axis_start < side and axis_start + axis_size > 0
        # (a few float steps of the side away from the start clipped; a centre past the left or top edge by float
        # noise, not clipped, is written 0, and reads back half the width read back before it: that width, not
        # the given one, which normalising rounds a float step either way, -5.000000000000001e-14 of a 1e-13)
        assert abs(axis_start - max(start, 0.0)) <= max(4 * math.ulp(side), axis_size / 2 if start < 0 else 0.0)


@pytest.mark.parametrize(
    ("task", "line"),
    [
        ("detect", "0 0.5 0.5 0.5 0.49093523842099995"),
        ("segment", "0 0.5 0.1 0.5 0.49093523842099995 0.25 0.49093523842099995"),
    ],
)
def test_a_number_near_a_twelve_place_decimal_comes_back(tmp_path: Path, task: str, line: str) -> None:
    """On a side of 2477, 0.49093523842099995 and 0.490935238421 multiply to one pixel: the writer, which tries
    decimals of up to 12 places, took the short one, and reading did not keep the number (it looked at decimals
    of up to 8 places only). A draw of the test above found it."""
    written = _round_trip(_folder(tmp_path / "in", task, [line]), task, (1, 2477))
    assert written == line + "\n"
