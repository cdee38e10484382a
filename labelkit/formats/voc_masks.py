"""Segmentation PNGs of Pascal VOC: per image, the class and object palette PNGs painted from masks.

Masks are painted from their runs (instances in order, void pixels last with value 255) and compressed on
worker threads; each PNG is built directly (rows unfiltered, zlib level 1, the smallest bit depth that holds
its values) rather than through Pillow. Used by :mod:`labelkit.formats.voc_write`.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from labelkit.formats.chunked_rows import ChunkedRows
from labelkit.formats.voc import VOID_INDEX, voc_palette
from labelkit.io import create_file
from labelkit.model import raster
from labelkit.model.rle import cell_runs, cell_sets_a_pixel
from labelkit.report import Report

if TYPE_CHECKING:
    from labelkit.formats.voc_write import Classes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(values: np.ndarray[Any, Any], palette: bytes) -> bytes:
    """A palette PNG of ``values`` (uint8; rows unfiltered, zlib level 1), built directly.

    The bit depth is the smallest of 1, 2, 4 and 8 that holds the largest value, as PNG optimisers choose it:
    readers see the same palette indices, and for a mask of one instance zlib is given an eighth of the
    bytes. The palette is cut to the entries that depth can index. Pillow's
    encoder costs about a millisecond per VOC-sized mask in Python overhead; this is a few numpy copies and
    one ``zlib.compress`` (which releases the GIL, so the worker threads overlap). Only the band of columns
    that holds a value other than 0 is copied (and packed) into the rows, the rest left 0: a mask's rows are
    the transposed view of its painted columns, and that copy of the whole image cost about as much as zlib.

    >>> import io; from PIL import Image
    >>> png = png_bytes(np.array([[0, 1, 1], [2, 3, 0]], dtype=np.uint8), bytes(range(30)))
    >>> im = Image.open(io.BytesIO(png))
    >>> png[24], im.mode, np.asarray(im).tolist(), len(im.getpalette())  # 2 bits, 4 colours
    (2, 'P', [[0, 1, 1], [2, 3, 0]], 12)
    """
    if values.dtype != np.uint8:
        raise TypeError(f"PNG values must be uint8, not {values.dtype}")
    height, width = values.shape
    tops = values.max(axis=0) if height else np.zeros(width, dtype=np.uint8)  # each column's largest value
    top = int(tops.max()) if width else 0
    lo = hi = 0  # the band of columns [lo, hi) holding a value other than 0
    if top:
        used = tops > 0
        lo, hi = int(used.argmax()), width - int(used[::-1].argmax())
    band = values[:, lo:hi]
    depth = next(d for d in (1, 2, 4, 8) if top < 1 << d)
    rows = np.zeros((height, (width * depth + 7) // 8 + 1), dtype=np.uint8)  # filter byte 0 ("none") and zeros
    if depth == 8:
        rows[:, 1 + lo : 1 + hi] = band
    elif hi > lo:  # pixels packed along rows, the leftmost in the highest bits; worked on columns, as masks are painted
        per = 8 // depth
        first, last = lo // per, -(-hi // per)  # the packed bytes the band touches
        columns = values.T[first * per : last * per]  # (columns, height): contiguous when painted column by column
        if len(columns) < (last - first) * per:  # (the image's last byte: padded with 0)
            pad = np.zeros(((last - first) * per - len(columns), height), dtype=np.uint8)
            columns = np.concatenate([columns, pad])
        weights = np.left_shift(1, 8 - depth * np.arange(1, per + 1)).astype(np.uint8)  # e.g. 128, 64, ..., 1
        packed = np.einsum("xjy,j->yx", columns.reshape(-1, per, height), weights)  # (sums stay below 256)
        rows[:, 1 + first : 1 + last] = packed
    header = struct.pack(">IIBBBBB", width, height, depth, 3, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", palette[: 3 << depth]),
            _chunk(b"IDAT", zlib.compress(rows.data, 1)),
            _chunk(b"IEND", b""),
        ]
    )


def palette_bytes(palette: list[tuple[int, int, int]]) -> bytes:
    """A PNG ``PLTE`` payload: r, g, b per entry."""
    return bytes(v for rgb in palette for v in rgb)


MAX_PNG_PIXELS = 1 << 28
"""Images with more pixels get no segmentation PNG (reported): two arrays of this size are painted in memory."""
VOC_PLTE = palette_bytes(voc_palette())
"""The palette of VOC's object PNGs."""


@dataclass
class MaskColumns:
    """Mask and polygon columns, taken row by row only for the images that have masks."""

    masks: ChunkedRows
    polygons: ChunkedRows | None
    holes: ChunkedRows | None = None  # the polygons' hole flags (per ring)


def png_values(xml_classes: list[Any], xml_masked: list[bool], alone: list[tuple[Any, Any]]) -> list[int]:
    """The object PNG values of an image's instances: first its XML objects' masks, then masks without one.

    A VOC reader takes value i for the image's i-th XML object when the class PNG agrees on its class, so an
    XML object's mask is its 1-based position. A mask without an XML object (class, and the value it was
    read from, or None) keeps that value when no reader would take it for an XML object's mask (past the
    XML objects, or over an XML object of another class that has no mask), so a VOC round trip gives back
    the same PNG; otherwise it takes the next value not in use after the XML objects. Values of 255 and
    more cannot be painted (255 is the void value): on an image of 254 XML objects or more, such a mask
    takes the place of an XML object of another class that has no mask, when there is one; check() counts
    the others.

    >>> png_values(["a", "b"], [False, True], [("c", 1), ("a", 1), ("b", None)])
    [2, 1, 3, 4]
    """
    values = [k for k, masked in enumerate(xml_masked, 1) if masked]
    used = set(values)
    n = len(xml_classes)

    def safe(value: Any, cls: Any) -> bool:  # free, paintable, and no reader gives it to an XML object
        fits = isinstance(value, int) and 0 < value < VOID_INDEX and value not in used
        return fits and (value > n or (xml_classes[value - 1] != cls and not xml_masked[value - 1]))

    following = n + 1
    for cls, value in alone:
        if not safe(value, cls):
            while following in used:
                following += 1
            value = following
            if value >= VOID_INDEX:  # past 254 XML objects: over one of another class that has no mask
                value = next((v for v in range(1, min(n, VOID_INDEX - 1) + 1) if safe(v, cls)), value)
        used.add(value)
        values.append(value)
    return values


class ImageMasks:
    """The instance and semantic masks of one image (cells fetched for a chunk of images at once)."""

    def __init__(
        self,
        cells: dict[int, Any],
        polygons: dict[int, Any],
        instance_rows: list[int],
        values: list[int],
        semantic_rows: list[int],
        categories: list[Any],
        classes: Classes,
        voids: tuple[Any, Any] = (None, None),
        xml_names: list[str] | None = None,
        blank_object: bool = False,
        blank_only_object: bool = False,
        alone: int = 0,
        holes: dict[int, Any] | None = None,
        files: bool = True,
        drawn: dict[int, tuple[tuple[int, int], Any]] | None = None,
    ) -> None:
        self.cells = cells  # row -> mask cell, shared by the images of a chunk (read only)
        self.polygons = polygons
        self.instance_rows = instance_rows
        self.values = values  # each instance's value in the object PNG (see voc_check_masks.instance_values)
        self.semantic_rows = semantic_rows
        self.categories = categories
        self.classes = classes
        self.voids = voids
        # the class names of the image's XML objects, in order: given when its PNGs may give class-only objects
        self.xml_names = xml_names
        self.blank_object = blank_object  # write the object PNG even with nothing on it (read so: voc:blank_pngs)
        # read with a blank object PNG and no class PNG (or a class PNG with pixels): a blank class PNG is not written
        self.blank_only_object = blank_only_object
        self.alone = alone  # how many of the last instance rows have no XML object (mask-only objects)
        self.holes = holes or {}  # row -> its polygon's hole flags (per ring), when it has some
        self.files = files  # False: nothing is painted (paints_any), and no PNG is written; losses are still said
        self.drawn = drawn or {}  # row -> the PNGs' size and its polygon's runs, rasterised already (paints_any)

    def write(self, path: Path, file: str, shape: tuple[int, int] | None) -> list[tuple[str, int, str]]:
        """Write ``SegmentationClass/<file>.png`` and ``SegmentationObject/<file>.png``; return what was lost.

        The object PNG is written when there are instances or an object void mask. Void pixels
        (``voc:void*`` item metadata) are painted last, with value 255, so they win over objects as in
        the original PNG.
        """
        lost: list[tuple[str, int, str]] = []
        sized = shape is not None  # the image's size: check() has counted what does not fit it
        for r in self.instance_rows + self.semantic_rows if shape is None else []:
            if self.cells[r] is not None:
                shape = (int(self.cells[r]["height"]), int(self.cells[r]["width"]))
                break
        if shape is None:
            shape = next((cell_shape(v) for v in self.voids if cell_shape(v) is not None), None)
        if shape is None:  # (no instance has a mask: the writer left out polygons that nothing sizes, and the void
            return lost  # regions, check() said)
        if shape[0] * shape[1] > MAX_PNG_PIXELS:  # (check() has counted what is lost: sized by a mask or void too)
            return lost
        height, width = shape
        value_of = self.classes.value
        # instances are painted in COCO's column-major order straight from their runs; the PNGs' rows are
        # the transposed views of these arrays
        object_png: np.ndarray[Any, Any] = np.zeros(height * width, dtype=np.uint8)  # (then 2-D: below)
        class_png: np.ndarray[Any, Any] = np.zeros(height * width, dtype=np.uint8)
        painted: list[tuple[int, int, str, int]] = []  # value, pixels, what, row (for the pixels left: see _covered)
        first_alone = len(self.instance_rows) - self.alone
        for k, (value, r) in enumerate(zip(self.values, self.instance_rows, strict=True)):
            if value >= VOID_INDEX:  # counted by check()
                continue
            cell = self.cells[r]
            drawn = self.drawn.get(r)
            try:  # (runs are checked in check(), and polygons pycocotools cannot rasterise on sized images)
                runs = (
                    cell_runs(cell)
                    if cell is not None
                    else drawn[1]
                    if drawn is not None and drawn[0] == shape
                    else raster.polygon_runs(self.polygons.get(r) or [], *shape, holes=self.holes.get(r))
                )
            except ValueError as exc:
                if not sized:
                    lost.append(("polygons", 1, str(exc)))
                continue
            if cell is not None and (int(cell["height"]), int(cell["width"])) != shape:
                if not sized:
                    lost.append(("masks", 1, "the mask's size differs from the image's other masks"))
                continue
            class_value = value_of[self.categories[r]]
            if not 0 < class_value < VOID_INDEX:  # background, or a class beyond the 254th: check() said
                continue
            _paint(runs, (object_png, value), (class_png, class_value))
            what = "objects" if k >= first_alone else "masks" if cell is not None else "polygons"
            painted.append((value, int(runs[1::2].sum()), what, r))
        object_png = object_png.reshape(width, height).T
        class_png = class_png.reshape(width, height).T
        for r in self.semantic_rows:
            mask = raster.rle_to_mask(self.cells[r])
            if mask.shape == shape and 0 < value_of[self.categories[r]] < VOID_INDEX:
                class_png[mask.view(bool)] = value_of[self.categories[r]]
        voided = False  # void pixels in the object PNG (one of another size than the PNGs: check() counted it)
        for png, cell in zip((class_png, object_png), self.voids, strict=True):
            void = _void_mask(cell, shape) if cell is not None else None
            if void is not None:
                png[void] = VOID_INDEX
                voided |= png is object_png
        lost += _covered(object_png, painted, voided)
        base = str(path) + os.sep
        if not self.files:
            return lost
        if not (self.blank_only_object and not class_png.any()):
            create_file(f"{base}SegmentationClass/{file}.png", png_bytes(class_png, self.classes.palette_bytes))
        if (
            self.instance_rows
            or self.blank_object
            or (self.voids[1] is not None and cell_shape(self.voids[1]) == shape)
        ):
            create_file(f"{base}SegmentationObject/{file}.png", png_bytes(object_png, VOC_PLTE))
        if self.semantic_rows or self.xml_names is not None:  # (class pixels no instance accounts for: of a
            # class-only mask, or under void of the object PNG only) the class-only objects a reader gives back
            class_only, alone = self._class_only(class_png, object_png)
            # an XML object's instance under a class-only mask of another class reads back as a mask-only object
            # of that class: the XML object without its mask (or polygon), counted once
            detached = Counter(what for value, _, what, _ in painted if value in alone and what != "objects")
            covered = {value for value, pixels, _, _ in painted if np.count_nonzero(object_png == value) < pixels}
            for what in detached:
                n = sum(1 for v, _, w, _ in painted if w == what and v in alone and v not in covered)
                if n:
                    lost.append((what, n, DETACHED))
            lost.append((CLASS_ONLY_WRITTEN, class_only + detached.total(), ""))
        return lost

    def _class_only(self, class_png: np.ndarray[Any, Any], object_png: np.ndarray[Any, Any]) -> tuple[int, set[int]]:
        """How many class-only (``voc:semantic``) objects reading these PNGs gives, and the instances not their own.

        Class-only objects are counted per class, not per mask; the instances are the object PNG values read back
        as mask-only objects (their class disagrees with their XML object's).
        """
        from labelkit.formats.voc_build import standalone_masks

        names = [""] * (VOID_INDEX + 1)
        for category, value in self.classes.value.items():
            if value < VOID_INDEX:
                names[value] = self.classes.name.get(category, "")
        arrays = {0: np.asarray(class_png), 1: np.asarray(object_png)} if self.instance_rows else {0: class_png}
        objects = [{"name": name} for name in self.xml_names or []]
        read = standalone_masks(arrays, objects, names)
        return sum(flag == "voc:semantic" for _, _, flag in read), {v for v, _, flag in read if flag == "voc:mask_only"}


NO_PIXEL_LEFT = (
    "no pixel of it is left in SegmentationObject: its mask is empty, or later instances or void pixels cover it"
)
"""Why a painted instance reads back without a mask (or, for a mask-only object, not at all)."""

DETACHED = (
    "a class-only mask of another class covers most of it in SegmentationClass: a reader takes the instance for a "
    "mask-only object of that class, and the object comes back without it"
)
"""Why an XML object's painted instance is not its own when read back (see :meth:`ImageMasks.write`)."""

PIXELS_COVERED = "later instances or void pixels cover part of it in SegmentationObject: it reads back smaller"
"""Why a painted instance reads back with fewer pixels than it had."""


def _covered(
    object_png: np.ndarray[Any, Any], painted: list[tuple[int, int, str, int]], voided: bool = True
) -> list[tuple[str, int, str]]:
    """What the object PNG lost of its instances: pixels painted over by later instances or void pixels.

    ``painted`` holds each painted instance's PNG value, pixel count, what it is (``objects`` for a
    mask-only object, which reads back only from its pixels) and its row. An instance without a pixel left is
    lost whole (its mask, its rasterised polygon, or the mask-only object: that one's row and value are told
    too, as :data:`LOST_WHOLE`, so the fields counted lost before painting are taken off); one with some left
    reads back smaller. One count of the PNG's pixels tells whether any was painted over (``voided``: it has
    void pixels, which are not counted); only then is each instance counted.

    >>> png = np.array([1, 1, 2, 0, 255], dtype=np.uint8)
    >>> _covered(png, [(1, 2, "masks", 0), (2, 1, "masks", 1)])
    []
    >>> [(what, n) for what, n, _ in _covered(png, [(1, 3, "masks", 0), (2, 1, "objects", 5), (3, 0, "objects", 7)])]
    [('masks', 1), ('objects', 1), ('lost whole: row and value', 7)]
    """
    if not painted:
        return []
    left = np.count_nonzero(object_png) - (np.count_nonzero(object_png == VOID_INDEX) if voided else 0)
    if left == sum(pixels for _, pixels, _, _ in painted) and all(pixels for _, pixels, _, _ in painted):
        return []
    lost: Counter[tuple[str, str]] = Counter()
    whole: list[tuple[str, int, str]] = []
    for value, pixels, what, row in painted:
        kept = np.count_nonzero(object_png == value)
        if not kept:
            lost[(what, NO_PIXEL_LEFT)] += 1
            if what == "objects":
                whole.append((LOST_WHOLE, row, str(value)))
        elif kept < pixels:
            lost[("masks" if what == "objects" else what, PIXELS_COVERED)] += 1
    return [(what, n, reason) for (what, reason), n in lost.items()] + whole


RASTERISED = "rasterised into SegmentationObject/SegmentationClass PNGs"
"""The reason of the transformation of polygons under ``masks=all`` (see :meth:`PngPool.close`)."""

LOST_WHOLE = "lost whole: row and value"
"""Not a count: how :meth:`ImageMasks.write` tells :class:`PngPool` the row of a mask-only object painted over
whole, or of an object left unpainted (as the count), and its object PNG value (as the reason; 0 for a class-only
object), which :attr:`PngPool.lost_whole` gathers."""

CLASS_ONLY_WRITTEN = "class-only objects written"
"""Not a loss: how :meth:`ImageMasks.write` tells :class:`PngPool` the class-only objects its PNGs hold."""

_FEW_RUNS = 64
"""A mask of at most this many runs is painted a run at a time; one of more, through a whole-image array."""


def _paint(runs: np.ndarray[Any, Any], *targets: tuple[np.ndarray[Any, Any], int]) -> None:
    """Set the pixels of a mask's runs (COCO RLE, column-major) in each column-major array to its value."""
    ends = np.cumsum(runs)
    if len(runs) <= 2 * _FEW_RUNS:
        for start, end in zip((ends - runs)[1::2].tolist(), ends[1::2].tolist(), strict=True):
            for array, value in targets:
                array[start:end] = value
    else:  # through the span from the first painted pixel to the last (a polygon's columns, not the whole image)
        last = len(runs) - 1 - len(runs) % 2  # the last painted run (runs alternate: unpainted first)
        if last < 1:  # (no painted run)
            return
        on = np.zeros(last, dtype=bool)
        on[0::2] = True
        where = np.repeat(on, runs[1 : last + 1])
        start = int(ends[0])
        for array, value in targets:
            np.copyto(array[start : start + len(where)], value, where=where)


VOID_KEYS = ("voc:void", "voc:void_class", "voc:void_object")
"""Item metadata keys with the void pixels of the segmentation PNGs (see ``voc_build.void_metadata``)."""


def void_cells(meta: dict[str, Any]) -> tuple[Any, Any]:
    """The void mask cells of an item's class and object PNGs (None where it has none)."""
    both = meta.get("voc:void")
    return meta.get("voc:void_class", both), meta.get("voc:void_object", both)


def cell_shape(cell: Any) -> tuple[int, int] | None:
    """``(height, width)`` of a stored void mask cell, or None when it is not a mask cell."""
    if not isinstance(cell, dict):
        return None
    height, width = cell.get("height"), cell.get("width")
    if not isinstance(height, int) or not isinstance(width, int) or height <= 0 or width <= 0:
        return None
    if not isinstance(cell.get("counts"), str) and not isinstance(cell.get("runs"), list):
        return None
    return (height, width)


def sets_a_pixel_of(
    row: int,
    shape: tuple[int, int],
    cells: dict[int, Any],
    polygons: dict[int, Any],
    holes: dict[int, Any],
    drawn: dict[int, tuple[tuple[int, int], Any]],
) -> bool:
    """Whether an object row's mask, or (without one) its polygon rasterised at ``shape``, has a pixel.

    The polygon's runs are kept in ``drawn`` for painting (it is not rasterised twice); one that cannot be
    rasterised has none (painting reports it lost).
    """
    cell = cells.get(row)
    if cell is not None:
        return cell_sets_a_pixel(cell)
    try:
        runs = raster.polygon_runs(polygons.get(row) or [], *shape, holes=holes.get(row))
    except ValueError:
        return False
    drawn[row] = (shape, runs)
    return bool(runs[1::2].any())


def paints_any(
    shape: tuple[int, int] | None,
    instances: list[tuple[int, int]],
    semantic: list[int],
    voids: tuple[Any, Any],
    value_of: Callable[[int], int],
    mask_shape: Callable[[int], tuple[int, int] | None],
    sets_a_pixel: Callable[[int, tuple[int, int]], bool],
) -> bool:
    """Whether :meth:`ImageMasks.write` paints anything on an image's PNGs of ``shape`` (None: none is written).

    ``instances``: the (object PNG value, row) of each instance; ``semantic``: the class-only masks' rows;
    ``value_of``: a row's class value; ``mask_shape``: a row's mask size (None for a polygon, painted at any
    size); ``sets_a_pixel``: whether a row's mask, or polygon rasterised at a size, has a pixel. A mask of
    another size than the PNGs', of background or of a value past 254, a mask or polygon of no pixel (reported
    lost while painting) and a void mask of another size are not painted: an image of nothing else gets no PNGs
    (it got blank ones when its only mask was empty). Masks are looked at before polygons, which are rasterised.
    """
    if shape is None:
        return False

    def fits(r: int) -> bool:
        return 0 < value_of(r) < VOID_INDEX and mask_shape(r) in (None, shape)

    drawn = [r for v, r in instances if v < VOID_INDEX and fits(r)]
    return (
        any(mask_shape(r) is not None and sets_a_pixel(r, shape) for r in drawn)
        or any(mask_shape(r) is not None and fits(r) and sets_a_pixel(r, shape) for r in semantic)
        or any(cell_shape(v) == shape for v in voids)
        or any(mask_shape(r) is None and sets_a_pixel(r, shape) for r in drawn)
    )


NO_SIZE = "a PNG needs the image size"
"""Why void regions of an image of unknown size, with no mask and no void region of a size, are lost."""


def _void_mask(cell: Any, shape: tuple[int, int]) -> np.ndarray[Any, Any] | None:
    """A stored void mask cell as a boolean array of ``shape``, or None when its size differs or it is broken."""
    if cell_shape(cell) != shape:
        return None
    try:
        mask = raster.rle_to_mask(cell)
    except (ValueError, TypeError, KeyError, UnicodeError):
        return None
    return mask.view(bool) if mask.shape == shape else None


class PngPool:
    """Writes segmentation PNGs on worker threads (zlib and numpy release the GIL).

    Losses are reported in submission order, so the report stays deterministic. A waiting job holds its
    chunk's mask cells (shared by the chunk's jobs; the pixels are made when it runs), so up to ``pending``
    of them wait: the writer goes on to the next chunk of XML files while the workers paint, rather than
    stopping at each chunk's masks (train2017-sized COCO -> VOC: 8.8 s with 32 waiting, 8.3 s with 2,048).
    """

    def __init__(self, report: Report, workers: int = 2, pending: int = 2048) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.report = report
        self.executor = ThreadPoolExecutor(max_workers=workers)
        self.pending: deque[Future[list[tuple[str, int, str]]]] = deque()
        self.limit = pending
        self.class_only = 0  # class-only objects the PNGs hold (see CLASS_ONLY_WRITTEN)
        self.lost: Counter[tuple[str, str]] = Counter()  # what the jobs lost, by what and why
        self.lost_whole: list[tuple[int, int]] = []  # row and object PNG value of each object lost whole

    @property
    def lost_objects(self) -> int:
        """Mask-only objects counted as written whose PNG pixels were all painted over (see ``_covered``).

        (Those of an image whose PNGs are not painted at all were not counted as written.)
        """
        return sum(n for (what, why), n in self.lost.items() if what == "objects" and why == NO_PIXEL_LEFT)

    @property
    def busy(self) -> bool:
        """Whether the newest job has not ended: it is being painted, or waits while both workers paint older ones.

        (The jobs start in submission order. Once it has ended, one older job may still be painting: not busy.)
        """
        return bool(self.pending) and not self.pending[-1].done()

    def submit(self, fn: Callable[..., list[tuple[str, int, str]]], *args: Any) -> None:
        """Queue a job; wait for the oldest when too many are in flight (memory stays bounded)."""
        self.pending.append(self.executor.submit(fn, *args))
        while len(self.pending) > self.limit:
            self._collect()

    def _collect(self) -> None:
        for what, count, reason in self.pending.popleft().result():
            if what == CLASS_ONLY_WRITTEN:
                self.class_only += count
            elif what == LOST_WHOLE:
                self.lost_whole.append((count, int(reason)))
            else:
                self.lost[(what, reason)] += count

    def close(self, rasterised: str = "") -> None:
        """Wait for every job, re-raising the first error; then report what the jobs lost, one entry per reason.

        Polygons found unpaintable only here (on images of unknown size, whose PNGs take a mask's size), and
        polygons painted over, whole or in part, are taken off the count of polygons reported ``rasterised``
        (that transformation's reason): a polygon that reads back as a smaller mask is not kept in another form,
        and is counted once, lost.
        """
        try:
            while self.pending:
                self._collect()
        finally:
            self.executor.shutdown(wait=True, cancel_futures=True)
        for (what, reason), count in self.lost.items():
            self.report.lose(what, count, reason)
        unpainted = sum(n for (what, _), n in self.lost.items() if what == "polygons")
        if unpainted:
            self.report.transformed = [
                replace(c, count=c.count - unpainted) if (c.what, c.reason) == ("polygons", rasterised) else c
                for c in self.report.transformed
            ]
            self.report.transformed = [c for c in self.report.transformed if c.count]
