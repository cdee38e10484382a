"""Mask tracing: pixel-edge rings, 8-connectivity, holes filled, deterministic order, exact round trips."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.typing import NDArray

from labelkit.model import trace
from labelkit.model.raster import mask_to_rle, polygons_to_mask
from labelkit.model.trace import (
    cell_outer_rings,
    cell_segments,
    largest_rings,
    mask_to_polygons,
    outer_rings,
    rle_to_polygons,
)

Mask = NDArray[np.uint8]


# ---------------------------------------------------------------- independent references (slow, obvious)


def even_odd(rings: list[list[float]], height: int, width: int) -> NDArray[np.bool_]:
    """Pixel centres inside the rings by the even-odd rule over all rings together (general crossing test)."""
    py, px = np.mgrid[0:height, 0:width] + 0.5
    inside = np.zeros((height, width), dtype=bool)
    for ring in rings:
        xs, ys = np.array(ring[0::2]), np.array(ring[1::2])
        for x0, y0, x1, y1 in zip(xs, ys, np.roll(xs, -1), np.roll(ys, -1), strict=True):
            if y0 == y1:
                continue
            inside ^= ((y0 > py) != (y1 > py)) & (px < x0 + (py - y0) * (x1 - x0) / (y1 - y0))
    return inside


def fill_holes(mask: Mask) -> NDArray[np.bool_]:
    """The mask plus every background pixel not 4-connected to the image border."""
    h, w = mask.shape
    outside = np.zeros((h, w), dtype=bool)
    queue = deque((r, c) for r in range(h) for c in range(w) if (r in (0, h - 1) or c in (0, w - 1)) and not mask[r, c])
    for r, c in queue:
        outside[r, c] = True
    while queue:
        r, c = queue.popleft()
        for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= rr < h and 0 <= cc < w and not mask[rr, cc] and not outside[rr, cc]:
                outside[rr, cc] = True
                queue.append((rr, cc))
    return ~outside


def first_pixels(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(col, row) of the first pixel, row-major, of each 8-connected component, in row-major order."""
    h, w = mask.shape
    seen = np.zeros((h, w), dtype=bool)
    firsts = []
    for r in range(h):
        for c in range(w):
            if mask[r, c] and not seen[r, c]:
                firsts.append((c, r))
                seen[r, c] = True
                queue = deque([(r, c)])
                while queue:
                    y, x = queue.popleft()
                    for yy in (y - 1, y, y + 1):
                        for xx in (x - 1, x, x + 1):
                            if 0 <= yy < h and 0 <= xx < w and mask[yy, xx] and not seen[yy, xx]:
                                seen[yy, xx] = True
                                queue.append((yy, xx))
    return firsts


def shoelace2(ring: list[float]) -> float:
    xs, ys = np.array(ring[0::2]), np.array(ring[1::2])
    return float(np.sum(xs * np.roll(ys, -1) - np.roll(xs, -1) * ys))


def blobs(height: int, width: int, count: int, rng: np.random.Generator) -> Mask:
    """A union of random rotated ellipses."""
    yy, xx = np.mgrid[0:height, 0:width]
    mask = np.zeros((height, width), dtype=bool)
    for _ in range(count):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        a, b = rng.uniform(3, min(height, width) / 4, 2)
        t = rng.uniform(0, np.pi)
        u = ((xx - cx) * np.cos(t) + (yy - cy) * np.sin(t)) / a
        v = (-(xx - cx) * np.sin(t) + (yy - cy) * np.cos(t)) / b
        mask |= u * u + v * v <= 1
    return mask.astype(np.uint8)


def grid(text: str) -> Mask:
    return np.array([[ch == "#" for ch in line] for line in text.split()], dtype=np.uint8)


# ---------------------------------------------------------------- hand-written cases


def test_empty_mask_gives_no_rings() -> None:
    assert mask_to_polygons(np.zeros((5, 7), dtype=np.uint8)) == []
    assert mask_to_polygons(np.zeros((0, 0), dtype=np.uint8)) == []


def test_single_pixel_is_its_square_clockwise_from_the_top_left() -> None:
    mask = np.zeros((5, 6), dtype=np.uint8)
    mask[2, 3] = 1
    assert mask_to_polygons(mask) == [[3.0, 2.0, 4.0, 2.0, 4.0, 3.0, 3.0, 3.0]]


@pytest.mark.parametrize(("height", "width"), [(1, 1), (1, 9), (9, 1), (4, 7), (480, 640)])
def test_full_mask_is_the_image_rectangle(height: int, width: int) -> None:
    rings = mask_to_polygons(np.ones((height, width), dtype=np.uint8))
    assert rings == [[0.0, 0.0, float(width), 0.0, float(width), float(height), 0.0, float(height)]]


def test_rectangle_has_exactly_four_corners() -> None:
    mask = np.zeros((10, 10), dtype=np.uint8)
    mask[2:7, 1:9] = 1
    assert mask_to_polygons(mask) == [[1.0, 2.0, 9.0, 2.0, 9.0, 7.0, 1.0, 7.0]]


def test_l_shape_corners() -> None:
    mask = grid(
        """
        .....
        .#...
        .#...
        .###.
        .....
        """
    )
    assert mask_to_polygons(mask) == [[1.0, 1.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 4.0, 4.0, 1.0, 4.0]]


def test_separate_blobs_give_one_ring_each_ordered_by_first_pixel() -> None:
    mask = grid(
        """
        ....##
        ....##
        ##....
        ##....
        """
    )
    # The blob on the right starts in row 0, so it comes first although it is further right.
    assert mask_to_polygons(mask) == [
        [4.0, 0.0, 6.0, 0.0, 6.0, 2.0, 4.0, 2.0],
        [0.0, 2.0, 2.0, 2.0, 2.0, 4.0, 0.0, 4.0],
    ]


def test_diagonal_touch_is_one_component_through_the_shared_corner_twice() -> None:
    down_right = grid(
        """
        #.
        .#
        """
    )
    # One ring (8-connectivity); corner (1, 1) is visited twice, and the ring touches itself there.
    assert mask_to_polygons(down_right) == [
        [0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 1.0, 2.0, 1.0, 1.0, 0.0, 1.0],
    ]
    down_left = grid(
        """
        .#
        #.
        """
    )
    assert mask_to_polygons(down_left) == [
        [1.0, 0.0, 2.0, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 0.0, 2.0, 0.0, 1.0, 1.0, 1.0],
    ]
    for mask in (down_right, down_left):
        assert even_odd(mask_to_polygons(mask), 2, 2).tolist() == mask.astype(bool).tolist()


def test_diagonal_chain_encloses_a_hole_that_is_filled() -> None:
    diamond = grid(
        """
        .#.
        #.#
        .#.
        """
    )
    rings = mask_to_polygons(diamond)
    assert len(rings) == 1
    filled = diamond.astype(bool)
    filled[1, 1] = True  # the centre pixel is a hole (4-connected background) and is filled
    assert even_odd(rings, 3, 3).tolist() == filled.tolist()


def test_ring_shaped_mask_gives_only_its_outer_ring() -> None:
    mask = np.zeros((7, 8), dtype=np.uint8)
    mask[1:6, 1:7] = 1
    mask[2:5, 3:5] = 0
    assert mask_to_polygons(mask) == [[1.0, 1.0, 7.0, 1.0, 7.0, 6.0, 1.0, 6.0]]


def test_island_inside_a_hole_is_covered_by_the_outer_ring() -> None:
    mask = np.zeros((9, 11), dtype=np.uint8)
    mask[1:8, 1:8] = 1
    mask[2:7, 2:7] = 0
    mask[4, 4] = 1  # an island in the lake: part of the filled outer region, no ring of its own
    mask[0, 10] = 1  # a separate blob outside
    expected = [[10.0, 0.0, 11.0, 0.0, 11.0, 1.0, 10.0, 1.0], [1.0, 1.0, 8.0, 1.0, 8.0, 8.0, 1.0, 8.0]]
    assert mask_to_polygons(mask) == expected


def test_any_dtype_and_non_2d_input() -> None:
    mask = np.zeros((3, 3), dtype=bool)
    mask[1, 1] = True
    assert mask_to_polygons(mask) == mask_to_polygons(mask.astype(np.uint8) * 255)
    with pytest.raises(ValueError, match="2-D"):
        mask_to_polygons(np.zeros((2, 2, 2), dtype=np.uint8))


def test_rle_to_polygons_decodes_the_cell() -> None:
    mask = np.zeros((6, 9), dtype=np.uint8)
    mask[1:3, 2:5] = 1
    mask[4, 7] = 1
    cell = mask_to_rle(mask)
    assert rle_to_polygons(cell) == mask_to_polygons(mask)
    assert rle_to_polygons(cell) == [[2.0, 1.0, 5.0, 1.0, 5.0, 3.0, 2.0, 3.0], [7.0, 4.0, 8.0, 4.0, 8.0, 5.0, 7.0, 5.0]]
    flat = mask.ravel(order="F")  # uncompressed COCO runs: column-major, starting with a background run
    change = np.flatnonzero(np.diff(np.r_[0, flat, 1 - flat[-1]]))
    runs = {"height": 6, "width": 9, "counts": None, "runs": np.diff(np.r_[0, change]).tolist()}
    assert rle_to_polygons(runs) == mask_to_polygons(mask)


# ---------------------------------------------------------------- properties


@st.composite
def small_masks_any(draw: st.DrawFn) -> Mask:
    """Masks of 0 to 12 rows and columns (empty sizes included)."""
    height = draw(st.integers(0, 12))
    width = draw(st.integers(0, 12))
    return draw(hnp.arrays(np.uint8, (height, width), elements=st.integers(0, 1)))


def column_runs(mask: Mask) -> list[int]:
    """Uncompressed COCO runs of a mask: column-major, starting with a (possibly empty) background run."""
    flat = mask.astype(bool).ravel(order="F").astype(np.int8)
    change = np.flatnonzero(np.diff(np.r_[0, flat]))
    return np.diff(np.r_[0, change, flat.size]).tolist()


def test_cell_outer_rings_reads_runs_that_cross_columns_and_zero_length_runs() -> None:
    # 3 x 2: column 0 is rows 1, 2; column 1 is row 0, so one run covers the end of column 0 and the top
    # of column 1 (two segments); the pixels touch diagonally, so they are one ring
    cell = {"height": 3, "width": 2, "counts": None, "runs": [1, 3, 2]}
    assert cell_outer_rings(cell) == (
        [[1.0, 0.0, 2.0, 0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 3.0, 0.0, 3.0, 0.0, 1.0, 1.0, 1.0]],
        [3],
        3,
    )
    # a zero-length background run between two foreground runs joins them; empty foreground runs vanish
    joined = {"height": 3, "width": 2, "counts": None, "runs": [1, 1, 0, 2, 0, 0, 2]}
    assert cell_outer_rings(joined)[0] == cell_outer_rings({**joined, "runs": [1, 3, 2]})[0]
    assert cell_outer_rings({"height": 2, "width": 2, "counts": None, "runs": [4]}) == ([], [], 0)
    assert cell_outer_rings({"height": 2, "width": 2, "counts": None, "runs": [0, 4]}) == (
        [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0]],
        [4],
        4,
    )


def test_cell_outer_rings_decodes_compressed_counts_as_pycocotools_does() -> None:
    rng = np.random.default_rng(11)
    for _ in range(50):
        height, width = (int(v) for v in rng.integers(12, 90, 2))
        mask = blobs(height, width, 3, rng)
        cell = mask_to_rle(mask)
        assert isinstance(cell["counts"], str)
        assert cell_outer_rings(cell) == (*outer_rings(mask), int(mask.sum()))


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ({"height": 3, "width": 3, "counts": None, "runs": [1, 2]}, "add up to 3, not 9"),
        ({"height": 3, "width": 3, "counts": None, "runs": [4, 6]}, "add up to 10, not 9"),
        ({"height": 3, "width": 3, "counts": None, "runs": [4, -1, 6]}, "are not COCO's"),
        ({"height": 3, "width": 3, "counts": None, "runs": [1.5, 7.5]}, "are not COCO's"),
        ({"height": 3, "width": 3, "counts": "1", "runs": None}, "add up to 1, not 9"),
        ({"height": 3, "width": 3, "counts": "", "runs": None}, "add up to 0, not 9"),
        ({"height": 3, "width": 3, "counts": "1\x7f", "runs": None}, "are not COCO's"),  # not COCO's alphabet
        ({"height": 3, "width": 3, "counts": "1h", "runs": None}, "are not COCO's"),  # a number left unfinished
        ({"height": 3, "width": 3, "counts": "10O", "runs": None}, "are not COCO's"),  # a negative count
        ({"height": 3, "width": 3, "counts": "1hhhhhhh0", "runs": None}, "are not COCO's"),  # 8 characters
        # (7 characters, as pycocotools writes a run of 2**29 or more: read, runs far past the mask's 9 pixels)
        ({"height": 3, "width": 3, "counts": "1hhhhhh0", "runs": None}, "do not fit a 3 x 3 mask"),
        # counts adding up to 2**64 + 9 (int64 would wrap around to 9): refused before they are added
        ({"height": 3, "width": 3, "counts": None, "runs": [2**62] * 4 + [9]}, "do not fit a 3 x 3 mask"),
        ({"height": 65536, "width": 32768, "counts": None, "runs": [2**31]}, "cannot hold a 65536 x 32768 mask"),
    ],
)
def test_cell_outer_rings_refuses_runs_that_do_not_make_the_mask(cell: dict[str, object], message: str) -> None:
    # a decoder would have to make up the missing pixels (pycocotools leaves them as whatever memory held)
    with pytest.raises(ValueError, match=message):
        cell_outer_rings(cell)


def test_pixel_tracing_crops_to_the_foreground() -> None:
    mask = np.zeros((2000, 3000), dtype=np.uint8)
    mask[1500:1503, 2900:2902] = 1
    assert outer_rings(mask) == ([[2900.0, 1500.0, 2902.0, 1500.0, 2902.0, 1503.0, 2900.0, 1503.0]], [6])


@settings(max_examples=300, deadline=None)
@given(small_masks_any())
def test_rings_from_runs_equal_rings_from_pixels(mask: Mask) -> None:
    expected = (*outer_rings(mask), int(np.count_nonzero(mask)))
    runs = {"height": mask.shape[0], "width": mask.shape[1], "counts": None, "runs": column_runs(mask)}
    assert cell_outer_rings(runs) == expected
    assert cell_outer_rings(mask_to_rle(mask.astype(np.uint8))) == expected


@st.composite
def small_masks(draw: st.DrawFn) -> Mask:
    height = draw(st.integers(1, 20))
    width = draw(st.integers(1, 20))
    density = draw(st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]))
    bits = draw(hnp.arrays(np.float64, (height, width), elements=st.floats(0, 1, allow_nan=False)))
    return (bits < density).astype(np.uint8)


@settings(max_examples=300, deadline=None)
@given(small_masks())
def test_rings_fill_back_to_the_hole_filled_mask_exactly(mask: Mask) -> None:
    rings = mask_to_polygons(mask)
    filled = fill_holes(mask)
    assert even_odd(rings, *mask.shape).tolist() == filled.tolist()
    # One ring per 8-connected component of the filled mask, in row-major order of first pixels,
    # each starting at that pixel's top-left corner.
    assert [(int(r[0]), int(r[1])) for r in rings] == first_pixels(filled)


@settings(max_examples=300, deadline=None)
@given(small_masks())
def test_rings_are_clockwise_rectilinear_and_merged(mask: Mask) -> None:
    height, width = mask.shape
    for ring in mask_to_polygons(mask):
        assert all(isinstance(v, float) and v == int(v) for v in ring)
        xs, ys = np.array(ring[0::2]), np.array(ring[1::2])
        assert len(xs) >= 4 and len(xs) % 2 == 0
        assert xs.min() >= 0 and ys.min() >= 0 and xs.max() <= width and ys.max() <= height
        dx, dy = np.roll(xs, -1) - xs, np.roll(ys, -1) - ys
        horizontal = dy == 0
        assert ((dx == 0) != horizontal).all()  # every step is axis-aligned and non-empty
        assert (horizontal != np.roll(horizontal, -1)).all()  # steps alternate: collinear steps are merged
        assert horizontal[0] and dx[0] > 0  # starts going right along the first pixel's top edge
        assert shoelace2(ring) > 0  # clockwise on screen (y down)


@settings(max_examples=200, deadline=None)
@given(small_masks())
def test_outer_rings_areas_are_the_shoelace_areas(mask: Mask) -> None:
    rings, areas = outer_rings(mask)
    assert rings == mask_to_polygons(mask)
    assert areas == [shoelace2(r) / 2 for r in rings]
    assert all(isinstance(a, int) for a in areas)
    assert sum(areas) == int(fill_holes(mask).sum())  # the rings never overlap and cover the filled mask


@settings(max_examples=200, deadline=None)
@given(small_masks())
def test_pycocotools_rasterises_the_rings_back_exactly(mask: Mask) -> None:
    rings = mask_to_polygons(mask)
    back = polygons_to_mask(rings, *mask.shape)
    assert back.astype(bool).tolist() == fill_holes(mask).tolist()


def test_large_blobs_round_trip_through_pycocotools() -> None:
    rng = np.random.default_rng(7)
    for _ in range(5):
        mask = blobs(480, 640, 4, rng)
        rings = mask_to_polygons(mask)
        back = polygons_to_mask(rings, 480, 640).astype(bool)
        assert (back >= mask.astype(bool)).all()  # holes may be filled, nothing is lost
        assert back.tolist() == even_odd(rings, 480, 640).tolist()
        assert len(rings) == len(first_pixels(back))


# ---------------------------------------------------------------- many masks traced at once


def one_at_a_time(cell: dict[str, object]) -> tuple[list[float] | None, bool]:
    """The largest region's ring of one mask (the first of the largest) and whether it covers the mask."""
    rings, areas, pixels = cell_outer_rings(cell)
    if not rings:
        return None, False
    best = int(np.argmax(areas))
    return rings[best], len(rings) == 1 and areas[best] == pixels


def as_cell(mask: Mask) -> dict[str, object]:
    return {"height": mask.shape[0], "width": mask.shape[1], "counts": None, "runs": column_runs(mask)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(small_masks(), small_masks_any()), max_size=8), st.sampled_from([1, 5, 40, 2**15]))
def test_masks_traced_at_once_give_each_mask_its_own_largest_ring(masks: list[Mask], batch: int) -> None:
    # stacked one below another (a row of background between two), in batches of any size: each mask's
    # ring is the one it gives alone, with its own coordinates, holes, diagonal touches and ties included
    cells = [as_cell(m) for m in masks]
    segments = [(cell_segments(c), m.shape[0], m.shape[1]) for c, m in zip(cells, masks, strict=True)]
    rng = np.random.default_rng(len(masks))  # (a mask's segments in any order: the runs are sorted from them)
    for (x, y0, y1, _), _, _ in segments:
        shuffled = rng.permutation(len(x))
        x[:], y0[:], y1[:] = x[shuffled], y0[shuffled], y1[shuffled]
    old = trace._BATCH_SEGMENTS
    trace._BATCH_SEGMENTS = batch
    try:
        assert list(largest_rings(iter(segments))) == [one_at_a_time(c) for c in cells]
    finally:
        trace._BATCH_SEGMENTS = old


def test_masks_traced_at_once_keep_holes_islands_and_equal_areas_apart() -> None:
    ring = np.zeros((5, 5), dtype=np.uint8)
    ring[0:5, 0:5] = 1
    ring[1:4, 1:4] = 0
    island = ring.copy()
    island[2, 2] = 1  # inside the other ring's hole: covered by it, no ring of its own
    twins = np.zeros((3, 7), dtype=np.uint8)
    twins[0:2, 0:2] = twins[1:3, 4:6] = 1  # two regions of 4 pixels: the first (row-major) is taken
    square = [0.0, 0.0, 5.0, 0.0, 5.0, 5.0, 0.0, 5.0]
    masks = [ring, np.zeros((2, 2), dtype=np.uint8), island, twins, np.ones((1, 1), dtype=np.uint8)]
    segments = [(cell_segments(as_cell(m)), *m.shape) for m in masks]
    assert list(largest_rings(segments)) == [
        (square, False),  # a hole: the ring covers more than the mask
        (None, False),
        (square, False),
        ([0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0], False),  # two regions
        ([0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0], True),
    ]


def test_a_mask_too_large_to_share_a_batch_is_traced_alone() -> None:
    # the keys of a stack of rows x columns must stay within int64: a stack that would not is cut before it
    assert trace._fits(1000, 1000, 10)
    assert not trace._fits(2**33, 2**28, 10)
    assert not trace._fits(10, 10, trace._BATCH_SEGMENTS)
    dot = cell_segments({"height": 3, "width": 2, "counts": None, "runs": [1, 2, 3]})
    huge = (dot, 2**33, 2**28)  # (its segments are the dot's: only its size is huge)
    rings = list(largest_rings([(dot, 3, 2), huge, (dot, 3, 2)]))
    assert rings == [([0.0, 1.0, 1.0, 1.0, 1.0, 3.0, 0.0, 3.0], True)] * 3
