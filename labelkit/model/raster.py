"""Masks and rasterising: binary masks to and from the model's mask cells, polygons to masks.

A mask is a ``(height, width)`` array of 0 and 1 (rows are y); a mask cell holds COCO RLE runs (background
first, column-major), read and checked by :mod:`labelkit.model.rle`. Coordinates are the model's (see
:mod:`labelkit.model.geometry`); pixel ``(col=c, row=r)`` is the unit square ``[c, c + 1] x [r, r + 1]``.
Polygons are rasterised by pycocotools' rule (the reference COCO implementation), which sizes its buffers by
a polygon's outline and makes the whole mask in memory: :func:`raster_problem` (one object) and
:func:`unrasterisable` (a column) find what it cannot rasterise safely (it crashed the process on such
polygons), and :func:`polygon_runs` refuses that instead of calling it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.model.rle import cell_runs, rle_string_counts


def mask_to_rle(mask: NDArray[Any]) -> dict[str, Any]:
    """A binary ``(height, width)`` mask as the model's mask cell (compressed COCO RLE).

    Examples:
        >>> cell = mask_to_rle(np.ones((2, 3), dtype=bool))
        >>> cell["height"], cell["width"], int(rle_to_mask(cell).sum())
        (2, 3, 6)
    """
    from pycocotools import mask as mask_utils

    return _cell(mask_utils.encode(np.asfortranarray(mask.astype(np.uint8))), *mask.shape)


def runs_to_rle(counts: Sequence[int], height: int, width: int) -> dict[str, Any]:
    """COCO run lengths (background first, column-major) as the model's mask cell.

    Compressed as :func:`mask_to_rle` compresses the mask they make (pycocotools gives the same string).
    """
    from pycocotools import mask as mask_utils

    encoded = mask_utils.frPyObjects({"counts": list(counts), "size": [height, width]}, height, width)
    return _cell(encoded, height, width)


def _cell(encoded: dict[str, Any], height: int, width: int) -> dict[str, Any]:
    """A pycocotools RLE as the model's mask cell (compressed counts as text)."""
    counts = encoded["counts"]
    return {
        "height": int(height),
        "width": int(width),
        "counts": counts.decode("ascii") if isinstance(counts, bytes) else str(counts),
        "runs": None,
    }


def rle_to_mask(cell: dict[str, Any]) -> NDArray[np.uint8]:
    """Decode the model's mask cell (compressed ``counts`` or uncompressed ``runs``) to a binary array.

    Raises:
        ValueError: the runs cannot be read or do not add up to height x width.
    """
    return runs_to_mask(cell_runs(cell), int(cell["height"]), int(cell["width"]))


def runs_to_mask(counts: NDArray[np.int64], height: int, width: int) -> NDArray[np.uint8]:
    """A binary ``(height, width)`` mask from COCO run lengths (background first, column-major).

    The runs must add up to ``height * width`` (see :func:`labelkit.model.rle.counts_problem`).

    Examples:
        >>> runs_to_mask(np.array([1, 2, 3]), 2, 3).tolist()
        [[0, 1, 0], [1, 0, 0]]
    """
    on = np.zeros(len(counts), dtype=np.uint8)
    on[1::2] = 1
    mask: NDArray[np.uint8] = np.repeat(on, counts).reshape(width, height).T
    return mask


RASTER_MARGIN = 4
"""Polygon coordinates may lie this many image sides outside the image to be rasterised: pycocotools sizes
its buffers by the outline's length in (5x upsampled) pixels, so a point 1e8 pixels away took gigabytes
and crashed the process."""
MAX_RASTER_PIXELS = 1 << 28
"""The largest mask (height x width) rasterised: pycocotools makes it in memory, a byte a pixel."""


def raster_problem(rings: Sequence[Sequence[float]], height: int, width: int) -> str | None:
    """Why pycocotools cannot rasterise these rings into a ``height x width`` mask safely, or None.

    Examples:
        >>> raster_problem([[0.0, 0, 4, 0, 4, 1e12]], 6, 8)
        'polygon coordinates beyond 4 image sides (32 pixels) from the image cannot be rasterised'
    """
    if height * width > MAX_RASTER_PIXELS:
        return f"a {height} x {width} mask has more than {MAX_RASTER_PIXELS:,} pixels to rasterise"
    reach = RASTER_MARGIN * max(height, width, 1)
    values = np.fromiter((v for r in rings for v in r), dtype=np.float64)
    if len(values) and not (np.isfinite(values).all() and np.abs(values).max() <= reach + max(height, width)):
        beyond = f"{RASTER_MARGIN} image sides ({reach} pixels)"
        return f"polygon coordinates beyond {beyond} from the image cannot be rasterised"
    return None


def unrasterisable(
    polygon: Any, heights: NDArray[np.int64] | NDArray[np.float64], widths: NDArray[np.int64] | NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Per row of a polygon column, whether :func:`raster_problem` finds coordinates it cannot rasterise.

    The same rule over the whole column at once: a ring of 3 points or more with a coordinate that is not
    finite or lies more than :data:`RASTER_MARGIN` image sides from the image (sizes per row).

    Examples:
        >>> import pyarrow as pa
        >>> col = pa.array([[[0.0, 0, 4, 0, 4, 1e12]], [[0.0, 0, 4, 0, 4, 4]], [[1e12, 0]], None])
        >>> unrasterisable(col, np.array([6, 6, 6, 6]), np.array([8, 8, 8, 8])).tolist()
        [True, False, False, False]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    column = polygon.combine_chunks() if isinstance(polygon, pa.ChunkedArray) else polygon
    out = np.zeros(len(column), dtype=bool)
    if not len(column) or column.null_count == len(column):
        return out
    rings = pc.list_flatten(column)
    ring_row = np.asarray(pc.list_parent_indices(column).to_numpy(), dtype=np.int64)
    lengths = np.asarray(pc.list_value_length(rings).fill_null(0).to_numpy(), dtype=np.int64)
    if not (lengths >= 6).any():
        return out
    values = np.asarray(pc.list_flatten(rings).to_numpy(zero_copy_only=False), dtype=np.float64)
    held = np.flatnonzero(lengths > 0)  # (reduceat takes no empty segment)
    starts = (np.cumsum(lengths) - lengths)[held]
    # per ring its largest magnitude (NaN when it holds one: np.maximum keeps NaN), one pass over the values
    largest = np.maximum.reduceat(np.abs(values), starts)
    usable = lengths[held] >= 6
    side = np.maximum(heights, widths).astype(np.float64)
    reach = RASTER_MARGIN * np.maximum(side, 1) + side  # raster_problem's reach, plus the image's own side
    row = ring_row[held[usable]]
    with np.errstate(invalid="ignore"):
        bad = ~(largest[usable] <= reach[row])  # NaN and infinity: not <=
    out[row[bad]] = True
    return out


def polygons_to_mask(rings: Sequence[Sequence[float]], height: int, width: int) -> NDArray[np.uint8]:
    """Rasterise one object's polygon rings (union; pycocotools' rule) to a binary mask.

    Raises:
        ValueError: see :func:`raster_problem` (pycocotools crashed the process on such polygons).
    """
    return runs_to_mask(polygon_runs(rings, height, width), height, width)


def polygon_runs(
    rings: Sequence[Sequence[float]], height: int, width: int, holes: Sequence[bool] | None = None
) -> NDArray[np.int64]:
    """The run lengths (as COCO RLE) of one object's polygon rings rasterised by pycocotools' rule (union).

    Rings of fewer than 3 points are left out; with none left the mask is empty (one background run).
    With ``holes`` (per ring), the hole rings' pixels are taken out of the others' union.

    Raises:
        ValueError: see :func:`raster_problem` (pycocotools crashed the process on such polygons).

    Examples:
        >>> polygon_runs([[0, 0, 2, 0, 2, 2, 0, 2], [1, 2]], 2, 3).tolist()  # the second ring is one point
        [0, 4, 2]
        >>> polygon_runs([[0, 0, 3, 0, 3, 3, 0, 3], [1, 1, 2, 1, 2, 2, 1, 2]], 3, 3, [False, True]).tolist()
        [0, 4, 1, 4]
    """
    from pycocotools import mask as mask_utils

    flags = list(holes) if holes is not None and len(holes) == len(rings) else [False] * len(rings)
    usable = [(list(map(float, r)), bool(f)) for r, f in zip(rings, flags, strict=True) if len(r) >= 6]
    if (problem := raster_problem([r for r, _ in usable], height, width)) is not None:
        raise ValueError(problem)
    outer = [r for r, hole in usable if not hole]
    if not outer:  # (holes alone cover nothing)
        return np.array([height * width], dtype=np.int64)
    rle = rle_union(mask_utils.frPyObjects(outer, height, width))
    inner = [r for r, hole in usable if hole]
    if inner:
        mask = rle_pixels(rle, height, width).astype(bool)
        mask &= ~rle_pixels(rle_union(mask_utils.frPyObjects(inner, height, width)), height, width).astype(bool)
        rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return _runs_of(rle)


def rle_pixels(rle: Any, height: int, width: int) -> NDArray[np.uint8]:
    """The pixels of an RLE pycocotools made (``frPyObjects``, ``merge``): what its ``decode`` gives.

    Decoded here: pycocotools' ``decode`` warns under numpy 2 (``__array__ implementation doesn't accept a copy
    keyword``), which ``python -W error`` or a test suite's ``filterwarnings = error`` makes an exception.
    """
    return runs_to_mask(_runs_of(rle), height, width)


def _runs_of(rle: Any) -> NDArray[np.int64]:
    """The runs of an RLE pycocotools made."""
    runs = rle_string_counts(rle["counts"].decode("ascii"))
    assert runs is not None  # pycocotools' own encoding
    return runs


def rle_union(rles: list[Any]) -> Any:
    """The union of several RLE masks, as pycocotools' ``merge`` makes it, merged in pairs.

    ``merge`` of a list adds each mask to the union of those before it, walking that union's runs again: one
    polygon of 80,000 rings (a scatter of dots drawn as one object) took 59 s to rasterise. Merged two by two,
    each run is walked once per level; the union is the same, run for run.

    Examples:
        >>> from pycocotools import mask as mask_utils
        >>> squares = mask_utils.frPyObjects([[x, 0, x + 1, 0, x + 1, 1, x, 1] for x in range(0, 10, 2)], 2, 10)
        >>> rle_union(squares) == mask_utils.merge(squares)
        True
    """
    from pycocotools import mask as mask_utils

    while len(rles) > 2:
        rles = [mask_utils.merge(rles[i : i + 2]) if i + 1 < len(rles) else rles[i] for i in range(0, len(rles), 2)]
    return mask_utils.merge(rles)


def cell_bounds(cell: dict[str, Any]) -> list[float]:
    """Bounds ``x, y, w, h`` of the model's mask cell (compressed ``counts`` or ``runs``), from its runs.

    pycocotools' ``toBbox``: no pixel is decoded; an empty mask is ``[0, 0, 0, 0]``.

    Examples:
        >>> cell_bounds({"height": 2, "width": 3, "counts": None, "runs": [1, 2, 3]})
        [0.0, 0.0, 2.0, 2.0]
    """
    from pycocotools import mask as mask_utils

    height, width = int(cell["height"]), int(cell["width"])
    if cell["counts"] is not None:
        rle = {"size": [height, width], "counts": str(cell["counts"]).encode()}
    else:
        rle = mask_utils.frPyObjects({"size": [height, width], "counts": list(cell["runs"])}, height, width)
    return [float(v) for v in mask_utils.toBbox(rle)]


def mask_bounds(mask: NDArray[Any]) -> tuple[float, float, float, float] | None:
    """Bounds ``x, y, w, h`` of a binary mask in pixel-edge coordinates, or None when it is empty.

    Examples:
        >>> m = np.zeros((4, 5), dtype=bool); m[1:3, 2:4] = True
        >>> mask_bounds(m)
        (2.0, 1.0, 2.0, 2.0)
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return (float(cols[0]), float(rows[0]), float(cols[-1] - cols[0] + 1), float(rows[-1] - rows[0] + 1))


def distinct(values: NDArray[Any]) -> list[int]:
    """The distinct values of an index mask (a segmentation PNG's values), ascending.

    A mask is runs of equal values, so only each run's first value is looked at: a class PNG of 640 x 480 has
    about 10,000 runs, and ``np.unique`` (or ``np.bincount``) over its 307,200 values took 2.7 ms.

    >>> distinct(np.array([[3, 0], [3, 255]], dtype=np.uint8))
    [0, 3, 255]
    """
    flat = values.ravel()
    if not flat.size:
        return []
    firsts = flat[run_starts(flat)]
    if flat.dtype == np.uint8 or flat.dtype == np.uint16:
        seen = np.zeros(1 << (8 * flat.dtype.itemsize), dtype=bool)
        seen[firsts] = True
        return np.flatnonzero(seen).tolist()
    return [int(v) for v in np.unique(firsts)]


def run_starts(flat: NDArray[Any]) -> NDArray[np.intp]:
    """Where each run of equal values of a 1-D array starts (0 first, for an array of any length but 0).

    >>> run_starts(np.array([3, 3, 0, 0, 0, 3])).tolist()
    [0, 2, 5]
    """
    return np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
