"""Geometry helpers: rotated boxes, YOLO normalisation, VOC corners, bounds, masks."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from labelkit.model import geometry as G
from labelkit.model import raster
from labelkit.model import rle as R

_coord = st.floats(-1000, 1000, allow_nan=False)
_size = st.floats(0.01, 500, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(_coord, _coord, _size, _size, st.floats(0, 359.999, allow_nan=False))
def test_rotated_box_corners_round_trip(x: float, y: float, w: float, h: float, angle: float) -> None:
    corners = G.rotated_box_corners(np.array([[x, y, w, h]]), np.array([angle]))
    bbox, back, is_rect = G.corners_to_rotated_box(corners)
    assert is_rect.all()
    again = G.rotated_box_corners(bbox, back)
    assert np.abs(again - corners).max() < 1e-6


@settings(max_examples=100, deadline=None)
@given(_coord, _coord, _size, _size, st.sampled_from([180.0, -180.0, 540.0]))
@example(639.9999999999999, 0.0, 1e-13, 1.0, 180.0)
def test_half_turns_are_exact(x: float, y: float, w: float, h: float, angle: float) -> None:
    """A box turned half a turn has a box's corners, from the bottom-right one; through its centre they rounded
    (a sliver at x 639.9999999999999 of 1e-13 came back from 640.0: no area inside a 640 pixel image)."""
    corners = G.rotated_box_corners(np.array([[x, y, w, h]]), np.array([angle]))
    assert corners[0].tolist() == [x + w, y + h, x, y + h, x, y, x + w, y]
    angle = 180.0  # (as read back)
    bbox, back, is_rect = G.corners_to_rotated_box(corners)
    assert (is_rect.tolist(), back.tolist()) == ([True], [angle])
    assert G.rotated_box_corners(bbox, back).tolist() == corners.tolist()


def test_quarter_turns_are_exact() -> None:
    corners = G.rotated_box_corners(np.array([[0.0, 0.0, 4.0, 2.0]]), np.array([90.0]))
    assert corners.tolist() == [[3.0, -1.0, 3.0, 3.0, 1.0, 3.0, 1.0, -1.0]]


def test_corners_past_the_float_limit_and_turns_past_int64_give_no_numpy_warning() -> None:
    """The centre of a box near float64's limit overflowed (``overflow encountered in add``), and a quarter turn
    of 1e300 degrees was counted in int64 (``invalid value encountered in cast``): numpy printed both on stderr.
    The values are as they were: corners clamped to the largest float, and 1e300 a whole number of turns."""
    top = np.finfo(np.float64).max
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        huge = G.rotated_box_corners(np.array([[1.7e308, 1.7e308, 1.7e308, 1.7e308]]), np.array([45.0]))
        spun = G.rotated_box_corners(np.array([[0.0, 0.0, 4.0, 2.0]] * 3), np.array([1e300, -1e300, -90.0]))
    assert huge.tolist() == [[top] * 8]
    assert spun.tolist() == [
        [0.0, 0.0, 4.0, 0.0, 4.0, 2.0, 0.0, 2.0],
        [0.0, 0.0, 4.0, 0.0, 4.0, 2.0, 0.0, 2.0],
        [1.0, 3.0, 1.0, -1.0, 3.0, -1.0, 3.0, 3.0],
    ]


def test_a_general_quadrilateral_is_flagged_and_gets_its_minimum_rectangle() -> None:
    quad = np.array([[0.0, 0.0, 4.0, 0.0, 5.0, 3.0, 0.0, 2.0]])
    bbox, angle, is_rect = G.corners_to_rotated_box(quad)
    assert not is_rect[0]
    assert bbox[0][2] * bbox[0][3] <= 5.0 * 3.0 + 1e-9


def test_sub_pixel_quads_are_rectangles_only_when_they_are() -> None:
    """The dot product of two sides was compared with 1e-6 times the longer side, floored at 1 pixel: four
    points on one line 0.00048 pixels apart passed for a rectangle. A sub-pixel rectangle still is one."""
    line = np.array([[0.0, 0.0, 0.0, 0.00048, 0.0, 0.00096, 0.0, 0.00048]])
    tiny = G.rotated_box_corners(np.array([[10.0, 20.0, 0.003, 0.0005]]), np.array([30.0]))
    assert G.corners_to_rotated_box(line)[2].tolist() == [False]
    assert G.corners_to_rotated_box(tiny)[2].tolist() == [True]


@settings(max_examples=100, deadline=None)
@given(_coord, _coord, _size, _size, st.integers(1, 5000), st.integers(1, 5000))
def test_yolo_normalisation_round_trip(x: float, y: float, w: float, h: float, width: int, height: int) -> None:
    box = np.array([[x, y, w, h]])
    back = G.yolo_to_xywh(
        G.xywh_to_yolo(box, np.array([width]), np.array([height])), np.array([width]), np.array([height])
    )
    assert np.abs(back - box).max() < 1e-9 * max(1.0, abs(x), abs(y), w, h)


@given(_coord, _coord, _size, _size)
def test_voc_corners_round_trip(x: float, y: float, w: float, h: float) -> None:
    xmin, ymin, xmax, ymax = G.xywh_to_voc(np.array([[x, y, w, h]]))[0].tolist()
    assert np.allclose(G.voc_to_xywh(xmin, ymin, xmax, ymax), (x, y, w, h), atol=1e-9)


def test_bbox_columns_handle_null_rows() -> None:
    column = pa.chunked_array([pa.array([[1.0, 2.0, 3.0, 4.0], None, [5.0, 6.0, 7.0, 8.0]], pa.list_(pa.float64(), 4))])
    boxes, valid = G.bbox_columns(column.slice(1))
    assert valid.tolist() == [False, True] and boxes.tolist() == [[0.0, 0.0, 0.0, 0.0], [5.0, 6.0, 7.0, 8.0]]


def test_masks_and_polygons() -> None:
    mask = raster.polygons_to_mask([[0, 0, 4, 0, 4, 4, 0, 4]], 6, 6)
    assert raster.mask_bounds(mask) is not None
    cell = raster.mask_to_rle(mask.astype(bool))
    assert np.array_equal(raster.rle_to_mask(cell), mask)
    assert raster.mask_bounds(np.zeros((2, 2), dtype=bool)) is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(-10_000, 10_000), min_size=0, max_size=24).map(lambda v: [x / 8 for x in v]),
        min_size=1,
        max_size=5,
    )
)
def test_ring_areas_are_the_exact_shoelace_areas(rings: list[list[float]]) -> None:
    from fractions import Fraction

    coords = np.asarray([v for r in rings for v in r], dtype=np.float64)
    lengths = np.asarray([len(r) for r in rings], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    got = G.ring_areas(coords, starts, lengths)
    for ring, area in zip(rings, got.tolist(), strict=True):
        if len(ring) % 2:
            assert np.isnan(area)
            continue
        xs, ys = [Fraction(v) for v in ring[0::2]], [Fraction(v) for v in ring[1::2]]
        twice = sum(xs[i] * ys[(i + 1) % len(xs)] - xs[(i + 1) % len(xs)] * ys[i] for i in range(len(xs)))
        assert area == abs(twice) / 2  # eighths of a pixel: every step is exact in float64
    assert G.ring_area(rings[0]) == got[0] or np.isnan(got[0])


@st.composite
def rle_strings(draw: st.DrawFn) -> tuple[str, int, int]:
    """COCO compressed counts of a random mask, often damaged, with the mask's size or a wrong one."""
    from pycocotools import mask as mask_utils

    height, width = draw(st.integers(0, 12)), draw(st.integers(0, 12))
    bits = draw(st.lists(st.booleans(), min_size=height * width, max_size=height * width))
    text = ""
    if height and width:
        mask = np.asfortranarray(np.array(bits, dtype=np.uint8).reshape(height, width))
        text = mask_utils.encode(mask)["counts"].decode()
    damage = draw(st.sampled_from(["none", "char", "cut", "tail"]))
    if damage == "char" and text:
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + chr(draw(st.integers(35, 120))) + text[i + 1 :]
    elif damage == "cut" and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == "tail":
        text += draw(st.text(alphabet="hO08P", min_size=1, max_size=9))
    return text, height + draw(st.sampled_from([0, 0, 0, 1])), width


@settings(max_examples=300, deadline=None)
@given(st.lists(rle_strings(), max_size=12))
def test_rle_strings_checked_at_once_as_one_by_one(cases: list[tuple[str, int, int]]) -> None:
    texts, heights, widths = (list(v) for v in zip(*cases, strict=True)) if cases else ([], [], [])
    one_by_one = []
    for text, height, width in cases:
        counts = R.rle_string_counts(text)
        problem = None if counts is None else R.counts_problem(counts, height, width)
        one_by_one.append("RLE counts is not a compressed COCO RLE string" if counts is None else problem)
    assert R.rle_strings_problems(texts, heights, widths) == one_by_one
    batch = R.STRINGS_BATCH
    try:  # (batches of 7 characters: strings of one batch, others alone, a batch ending inside a string)
        R.STRINGS_BATCH = 7
        assert R.rle_strings_problems(texts, heights, widths) == one_by_one
    finally:
        R.STRINGS_BATCH = batch


def test_rle_strings_are_checked_in_batches_of_bounded_memory() -> None:
    """50,000 compressed masks of 500 characters (box masks of a 640 x 480 image) took 2 GB at once: each character
    took about 100 bytes of arrays. A batch of STRINGS_BATCH characters at a time keeps them below 20 bytes here."""
    import tracemalloc

    mask = np.zeros((480, 640), np.uint8, order="F")
    mask[10:300, 5:600] = 1
    text = raster.mask_to_rle(mask)["counts"]
    assert isinstance(text, str) and len(text) > 1000
    n = (8 << 20) // len(text)  # (8 batches)
    tracemalloc.start()
    try:
        problems = R.rle_strings_problems([text] * n, [480] * n, [640] * n)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == [None] * n
    assert peak < 20 * n * len(text)


def test_rle_strings_with_sizes_beyond_32_bits_never_fit() -> None:
    # height x width would wrap around in int64; pycocotools' counts are 32-bit anyway
    sizes = [(2**32, 2**32), (2**62 + 1, 4), (3037000500, 3037000500), (46341, 46341), (-1, 4)]
    problems = R.rle_strings_problems(["", "4", "", "", ""], [h for h, _ in sizes], [w for _, w in sizes])
    beyond = "2**31 pixels or more, and pycocotools counts runs in 32 bits"
    assert problems == [f"RLE counts cannot hold a {h} x {w} mask: {beyond}" for h, w in sizes[:4]] + [
        "RLE counts do not fit a -1 x 4 mask"
    ]
    assert R.rle_strings_problems([], [], []) == []


def test_rle_strings_of_numbers_of_seven_characters_are_read_as_pycocotools_writes_and_reads_them() -> None:
    """pycocotools writes a run of 2**29 or more in 7 characters: any number of more than 6 was refused."""
    from pycocotools import mask as mask_utils

    from labelkit.model.tables import MASK_TYPE

    h, w = 20000, 30000  # (600 M pixels, below 2**31)
    size = h * w
    written = mask_utils.frPyObjects({"size": [h, w], "counts": [size - 100, 100]}, h, w)["counts"].decode()
    assert written == "l\\aVla0T3"
    counts = R.rle_string_counts(written)
    assert counts is not None and counts.tolist() == [size - 100, 100]
    # a difference below -2**29 (1 after 2**29 + 10): pycocotools writes it in 7 characters, negative, and misreads it
    runs = [10, 2**29 + 10, 10, 1]
    negative = mask_utils.frPyObjects({"size": [h, w], "counts": [*runs, size - sum(runs)]}, h, w)["counts"].decode()
    assert negative == ":ZPPPP`0:goooo_Og^aVl1"
    assert R.rle_string_counts(negative) is None
    texts = [written, written, "PPPPP`01", negative, "PPPPPP2", "PPPPPPP0"]
    heights, widths = [h, h, 1, h, 1, 1], [w, w - 1, 2**29 + 1, w, 2**31 - 1, 1]
    assert R.rle_strings_problems(texts, heights, widths) == [
        None,
        "RLE counts do not fit a 20000 x 29999 mask",  # (599,999,900 is more than the mask)
        None,
        "RLE counts is not a compressed COCO RLE string",
        "RLE counts is not a compressed COCO RLE string",  # (2**31: past pycocotools' 32-bit int)
        "RLE counts is not a compressed COCO RLE string",  # (8 characters)
    ]
    cells = [{"height": h, "width": w, "counts": written, "runs": None}]
    assert R.mask_column_problems(pa.array(cells, MASK_TYPE)) == {}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            rle_strings().map(lambda c: {"height": c[1], "width": c[2], "counts": c[0], "runs": None}),
            st.tuples(
                st.integers(0, 6), st.integers(0, 6), st.lists(st.integers(-2, 40) | st.just(2**62), max_size=8)
            ).map(lambda c: {"height": c[0], "width": c[1], "counts": None, "runs": c[2]}),
        ),
        max_size=10,
    )
)
def test_mask_column_problems_are_the_cell_by_cell_problems(cells: list[dict | None]) -> None:
    from labelkit.model.tables import MASK_TYPE

    expected = {}
    for row, cell in enumerate(cells):
        if cell is None:
            continue
        counts = R.cell_counts(cell)
        if counts is None:
            expected[row] = (
                "RLE counts is not a compressed COCO RLE string"
                if cell["counts"] is not None
                else "RLE counts are not COCO's (compressed or uncompressed)"
            )
        elif (problem := R.counts_problem(counts, cell["height"], cell["width"])) is not None:
            expected[row] = problem
    column = pa.chunked_array([pa.array(cells[:3], MASK_TYPE), pa.array(cells[3:], MASK_TYPE)])
    assert R.mask_column_problems(column) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.lists(
                st.lists(
                    st.one_of(
                        st.floats(-60, 60),
                        st.sampled_from([40.0, -44.0, 46.0, 1e12, -1e12, float("inf"), float("nan")]),
                    ),
                    max_size=10,
                ),
                max_size=3,
            ),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([0, 1, 9]),
    st.sampled_from([0, 2, 9]),
)
@example([[[40.0, 0, 0, 0, 0, 0]], [[46.0, 0, 0, 0, 0, 0]], None], 9, 2)  # within reach + side; beyond it
@example([[[float("nan"), 0, 0, 0, 0, 0], [1e12, 0]]], 0, 0)  # not finite; a ring too short to count
@example([[[0.0, 0, 1, 0, 1, 1], [1e12, 0]], [[], [0.0, 0, 1, 0, 1, 1]]], 9, 9)  # a short ring after one counted
def test_unrasterisable_is_raster_problem_over_a_column(rows: list, height: int, width: int) -> None:
    import pyarrow as pa

    column = pa.array(rows, pa.list_(pa.list_(pa.float64())))
    got = raster.unrasterisable(column, np.full(len(rows), height), np.full(len(rows), width)).tolist()
    usable = [[r for r in row if len(r) >= 6] if row else [] for row in rows]
    want = [bool(u) and raster.raster_problem(u, height, width) is not None for u in usable]
    assert got == want


def _rectangle_of(ring: list | None, box: list | None, angle: float | None) -> bool:
    """One object: whether its polygon is its box's rectangle (the rule of ``box_rectangles``, row by row)."""
    if ring is None or box is None or len(ring) != 1 or ring[0] is None or len(ring[0]) != 8 or (angle or 0.0):
        return False
    x, y, w, h = (0.0 if v is None or v != v else v for v in box)
    corners = [x, y, x + w, y, x + w, y + h, x, y + h]
    return all(p is not None and abs(p - c) <= G.RECTANGLE_TOLERANCE for p, c in zip(ring[0], corners, strict=True))


_COORD = st.sampled_from([0.0, 1.0, 3.0, 4.0, 4.0000001, 7.0, None])
_RING = st.one_of(st.none(), st.lists(_COORD, min_size=6, max_size=10))


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.one_of(
                st.none(),
                st.lists(_RING, max_size=2),
                st.just([[1.0, 3.0, 4.0, 3.0, 4.0, 7.0, 1.0, 7.0]]),  # the box's rectangle
            ),
            st.one_of(st.none(), st.just([1.0, 3.0, 3.0, 4.0]), st.lists(_COORD, min_size=4, max_size=4)),
            st.sampled_from([None, 0.0, 15.0]),
        ),
        min_size=1,
        max_size=12,
    ),
    cut=st.integers(0, 12),
    offset=st.integers(0, 2),
)
def test_box_rectangles_agrees_with_the_rule_row_by_row(rows: list, cut: int, offset: int) -> None:
    """Flat numpy (no take of the rows' lists) on chunked columns and slices: the same answer as row by row."""
    polygons = pa.array([r[0] for r in rows], pa.list_(pa.list_(pa.float64())))
    boxes = pa.array([r[1] for r in rows], pa.list_(pa.float64(), 4))
    angles = pa.array([r[2] for r in rows], pa.float64())

    def chunked(column: pa.Array) -> pa.ChunkedArray:
        k = min(cut, len(column))
        return pa.chunked_array([column.slice(0, k), column.slice(k)], column.type)

    expected = [_rectangle_of(*r) for r in rows]
    assert G.box_rectangles(chunked(polygons), chunked(boxes), chunked(angles)).tolist() == expected
    start = min(offset, len(rows))
    sliced = G.box_rectangles(polygons.slice(start), boxes.slice(start), angles.slice(start))
    assert sliced.tolist() == expected[start:]


def test_ring_areas_of_coordinates_near_the_float_limit_warn_nothing() -> None:
    """numpy's overflow warning went to stderr (the library prints nothing) from a YOLO or COCO write."""
    import warnings

    from labelkit.model.geometry import ring_areas

    coords = np.array([0.0, 0.0, 1e300, 0.0, 1e300, 1e300, -1e300, -1e300, 1e300, 1e300, -1e300, 1e300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        areas = ring_areas(coords, np.array([0, 6]), np.array([6, 6]))
    assert np.isinf(areas[0]) and (np.isinf(areas[1]) or np.isnan(areas[1]))


def test_ring_areas_of_points_far_apart_near_the_float_limit_warn_nothing() -> None:
    """A ring from -1e308 to 1e308 (or with an infinite point) overflowed in the points' differences, which
    warned to stderr from a YOLO segment or OBB plan of a COCO file holding it."""
    import warnings

    from labelkit.model.geometry import ring_areas

    coords = np.array([-1e308, 0.0, 1e308, 0.0, 0.0, 1e308, np.inf, 0.0, -np.inf, 0.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        areas = ring_areas(coords, np.array([0, 6]), np.array([6, 6]))
    assert np.isnan(areas).tolist() == [True, True]


def test_polygon_bounds_near_the_float_limit_warn_nothing() -> None:
    """A ring from -1e308 to 1e308 has an infinite width: numpy's overflow warning went to stderr (YOLO, VOC)."""
    import warnings

    import pyarrow as pa

    polygons = pa.array([[[-1e308, 0.0, 1e308, 0.0, 0.0, 5.0]]], pa.list_(pa.list_(pa.float64())))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        boxes, has = G.drawn_polygon_bounds_column(polygons)
    assert boxes.tolist() == [[-1e308, 0.0, np.inf, 5.0]] and has.tolist() == [True]


def test_a_polygon_of_many_rings_is_rasterised_by_merging_its_rings_in_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    """pycocotools' ``merge`` of a list adds each ring's mask to the union of those before it, walking that union
    again: a polygon of 80,000 rings (a scatter of dots drawn as one object) took 59 s to write to VOC with
    ``masks=all``, 2 s now. The rings (and holes) are merged two at a time; the pixels are the union's."""
    from pycocotools import mask as mask_utils

    rings = [[x, y, x + 2, y, x + 2, y + 2, x, y + 2] for x in range(0, 18, 3) for y in (0, 4)]
    rings.append([1, 1, 16, 1, 16, 2, 1, 2])  # (overlapping others)
    holes = [False] * len(rings) + [True, True, True]
    rings += [[0, 0, 1, 0, 1, 1, 0, 1], [3, 4, 4, 4, 4, 5, 3, 5], [6, 0, 7, 0, 7, 1, 6, 1]]
    expected = np.zeros((7, 20), dtype=bool)
    for x in range(0, 18, 3):
        expected[0:2, x : x + 2] = expected[4:6, x : x + 2] = True
    expected[1:2, 1:16] = True
    expected[0, 0] = expected[4, 3] = expected[0, 6] = False
    merged: list[int] = []
    merge = mask_utils.merge
    monkeypatch.setattr(mask_utils, "merge", lambda rles, **kw: merged.append(len(rles)) or merge(rles, **kw))
    runs = raster.polygon_runs(rings, 7, 20, holes)
    assert np.array_equal(raster.runs_to_mask(runs, 7, 20).astype(bool), expected)
    assert max(merged) == 2


@pytest.mark.parametrize(("target", "options"), [("coco", {}), ("voc", {"masks": "all"})])
def test_polygons_with_holes_are_written_with_warnings_as_errors(
    tmp_path: Path, target: str, options: dict[str, str]
) -> None:
    """pycocotools' ``decode`` warns under numpy 2 (``__array__ implementation doesn't accept a copy keyword``):
    under ``python -W error``, ``PYTHONWARNINGS=error`` or a test suite's ``filterwarnings = error``, writing a
    polygon with holes to COCO (an RLE) or VOC (``masks=all``) failed with that ``DeprecationWarning``, an internal
    error, where it wrote elsewhere. Its masks are decoded by labelkit, to the same pixels."""
    import warnings

    from conftest import FIXTURES

    import labelkit

    ds = labelkit.load(FIXTURES / "native" / "images.labelkit.json")
    labelkit.save(ds, tmp_path / "plain", target, allow_loss=True, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labelkit.save(ds, tmp_path / "strict", target, allow_loss=True, **options)
    files = sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*") if p.is_file())
    assert files and files == sorted(
        p.relative_to(tmp_path / "strict") for p in (tmp_path / "strict").rglob("*") if p.is_file()
    )
    assert all((tmp_path / "plain" / f).read_bytes() == (tmp_path / "strict" / f).read_bytes() for f in files)


def _clipped_area(corners: list[tuple[float, float]], width: float, height: float) -> float:
    """The area of a convex polygon inside ``[0, width] x [0, height]`` (Sutherland-Hodgman, then the shoelace)."""

    def x_at(p: tuple[float, float], q: tuple[float, float], x: float) -> tuple[float, float]:
        return x, p[1] + (q[1] - p[1]) * (x - p[0]) / (q[0] - p[0])

    def y_at(p: tuple[float, float], q: tuple[float, float], y: float) -> tuple[float, float]:
        return p[0] + (q[0] - p[0]) * (y - p[1]) / (q[1] - p[1]), y

    points = corners
    for axis, bound, keep_below in ((0, 0.0, False), (0, width, True), (1, 0.0, False), (1, height, True)):
        out: list[tuple[float, float]] = []
        for k, q in enumerate(points):
            p = points[k - 1]
            p_in = p[axis] <= bound if keep_below else p[axis] >= bound
            q_in = q[axis] <= bound if keep_below else q[axis] >= bound
            if q_in != p_in:
                out.append(x_at(p, q, bound) if axis == 0 else y_at(p, q, bound))
            if q_in:
                out.append(q)
        points = out
        if not points:
            return 0.0
    return abs(sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(points, points[1:] + points[:1], strict=True))) / 2


@settings(max_examples=400, deadline=None)
@given(
    x=st.floats(-1500, 1500),
    y=st.floats(-1500, 1500),
    w=st.floats(1, 1500),
    h=st.floats(1, 1500),
    angle=st.floats(-360, 360),
)
@example(x=400.0, y=400.0, w=1200.0, h=1200.0, angle=45.0)  # (bounds over a 640 x 480 image, no pixel in it)
@example(x=600.0, y=400.0, w=100.0, h=100.0, angle=45.0)  # (over the image's corner)
def test_turned_boxes_meet_the_image_where_the_clipped_box_has_an_area(
    x: float, y: float, w: float, h: float, angle: float
) -> None:
    """Against the turned box clipped to the image: met where area is left, not met where none is (a sliver of
    float noise at a touching edge may be either). The first version checked only the boxes that meet: one that
    always said yes, the bug it fixes, passed (a review found it)."""
    width, height = 640.0, 480.0
    box, turn = np.array([[x, y, w, h]]), np.array([angle])
    met = bool(G.turned_boxes_meet(box, turn, np.array([width]), np.array([height]))[0])
    corners = G.rotated_box_corners(box, turn)[0]
    area = _clipped_area([(float(corners[k]), float(corners[k + 1])) for k in range(0, 8, 2)], width, height)
    if area > 1e-6:
        assert met
    elif area == 0.0:
        assert not met


_RING = st.lists(st.floats(-10, 10), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.one_of(
            st.none(),
            st.lists(st.tuples(_RING, st.one_of(st.none(), st.booleans())), max_size=4),
        ),
        max_size=6,
    ),
    shorter=st.booleans(),
)
def test_outerless_polygons_is_a_hole_and_no_drawable_ring_of_another_kind(
    rows: list[list[tuple[list[float], bool | None]] | None], shorter: bool
) -> None:
    """Per row, against the rule said plainly; flag lists of another length than the rings (built in code), too."""
    polygons = [None if r is None else [ring for ring, _ in r] for r in rows]
    holes = [None if r is None else [flag for _, flag in r][: -1 if shorter and r else None] for r in rows]
    got = G.outerless_polygons(
        pa.array(polygons, pa.list_(pa.list_(pa.float64()))), pa.array(holes, pa.list_(pa.bool_()))
    ).tolist()
    want = []
    for rings, flags in zip(polygons, holes, strict=True):
        pairs = list(zip(rings or [], (flags or []) + [None] * len(rings or []), strict=False))
        has_hole = any(f for _, f in pairs)
        drawn = any(len(r) >= 6 and len(r) % 2 == 0 and not f for r, f in pairs)
        want.append(has_hole and not drawn)
    assert got == want
