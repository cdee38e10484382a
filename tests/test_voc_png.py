"""VOC's segmentation PNGs: masks painted from their runs, and the PNG bytes ``voc_masks.png_bytes`` builds."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from labelkit.formats import voc_masks

PALETTE = bytes(range(256)) * 3


def _rows_unpacked(png: bytes) -> tuple[int, bytes]:
    """The bit depth and the decompressed IDAT (filter byte, then the row's packed pixels, for every row)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, depth, idat = 8, 0, b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            depth = data[8]
        elif kind == b"IDAT":
            idat += data
        at += 12 + length
    return depth, zlib.decompress(idat)


def _expected_rows(values: np.ndarray, depth: int) -> bytes:
    """The rows built the plain way: every pixel of every row packed, the leftmost in the highest bits."""
    out = bytearray()
    per = 8 // depth
    for row in values.tolist():
        out.append(0)
        padded = row + [0] * (-len(row) % per)
        for k in range(0, len(padded), per):
            byte = 0
            for j, v in enumerate(padded[k : k + per]):
                byte |= v << (8 - depth * (j + 1))
            out.append(byte)
    return bytes(out)


@st.composite
def masks(draw: st.DrawFn) -> np.ndarray:
    """A mask with a band of painted columns somewhere (or none), painted column by column or row by row."""
    height, width = draw(st.integers(1, 12)), draw(st.integers(1, 21))
    top = draw(st.sampled_from([1, 3, 15, 255]))
    values = np.zeros((height, width), dtype=np.uint8)
    lo = draw(st.integers(0, width))
    hi = draw(st.integers(lo, width))
    if hi > lo:
        band = draw(st.lists(st.integers(0, top), min_size=height * (hi - lo), max_size=height * (hi - lo)))
        values[:, lo:hi] = np.array(band, dtype=np.uint8).reshape(height, hi - lo)
    if draw(st.booleans()):  # as ImageMasks paints them: the transposed view of column-major pixels
        values = np.ascontiguousarray(values.T).T
    return values


@settings(max_examples=300, deadline=None)
@given(masks())
@example(np.zeros((3, 5), dtype=np.uint8))  # (nothing painted: 1 bit, every row 0)
@example(np.array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]], dtype=np.uint8))  # (the last column alone, past a byte)
@example(np.array([[0, 0, 0, 0, 0, 2, 0, 0, 0]] * 2, dtype=np.uint8).T.copy().T)  # (one inner column, 2 bits)
def test_png_rows_are_every_pixel_packed_as_png_has_them(values: np.ndarray) -> None:
    """Only the band of painted columns is copied into the rows: what is outside it must still read as 0."""
    png = voc_masks.png_bytes(values, PALETTE)
    top = int(values.max())
    depth = next(d for d in (1, 2, 4, 8) if top < 1 << d)
    assert _rows_unpacked(png) == (depth, _expected_rows(values, depth))
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P"
    assert np.array_equal(np.asarray(image), values)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=1, max_size=400),
    st.integers(0, 2**32 - 1),
)
@example([0, *[1] * 200], 0)  # (painted from the first pixel, to the last)
@example([3, *[2] * 129], 1)  # (an odd count: unpainted pixels last)
def test_a_mask_paints_its_runs_and_nothing_else(runs: list[int], seed: int) -> None:
    """Masks of many runs are painted through the span of their painted runs only: what lies outside is kept."""
    counts = np.array(runs, dtype=np.int64)
    size = int(counts.sum())
    below = np.random.default_rng(seed).integers(0, 5, size).astype(np.uint8)  # (what earlier instances painted)
    expected = below.copy()
    at = 0
    for k, n in enumerate(runs):
        if k % 2:
            expected[at : at + n] = 9
        at += n
    one, two = below.copy(), below.copy()
    voc_masks._paint(counts, (one, 9), (two, 9))
    assert one.tolist() == expected.tolist()
    assert two.tolist() == expected.tolist()
