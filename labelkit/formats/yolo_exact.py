"""YOLO numbers as read, kept where a write would give another float, so YOLO -> YOLO gives them back.

A reader multiplies each normalised number by its image's side, and two floats can multiply to the same
pixel coordinate (at a width of 641, the floats near 0.23 are about 1.6 times as dense as the pixel values
near 148 divided by 641). The model holds the pixels, so a write divides back and may get the float next to
the one read: one number in ten of a file written with every digit (``0.23055555555555557``, as Label
Studio's converter writes, came back ``0.2305555555555556``). Numbers of at most 8 decimals come back
exactly (:func:`labelkit.formats.yolo_numbers.snapped`), as do most others: :func:`lines_at_risk` says
which lines are looked at.

Reading keeps, per object whose line a write would not give back, the numbers it would not, with their
places in the line (:func:`kept`: ``"yolo:@<task>_numbers": [[3, 0.08397001746443228]]``, an extra of the
reader's bookkeeping: no other format's loss). Writing puts them back where reading the line so made gives
the object's geometry as it is (:class:`AsRead`), so an object changed since is written from its geometry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from labelkit.formats.chunked_rows import piece_bounds
from labelkit.formats.yolo_numbers import EDGE_NOISE, snapped
from labelkit.model import Dataset
from labelkit.model import geometry as G
from labelkit.model.tables import contains_match, spliced_rows

Values = Callable[[np.ndarray[Any, Any]], tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]
"""The writer's numbers of object rows (``Lines.values``): flat, and where each row's start (plus the end)."""

Numbers = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]
"""Object rows, their numbers as the writer lays them out, flat, and where each row's start (plus the end)."""


def key(task: str) -> str:
    """The extras key of the numbers kept for ``task``'s lines."""
    return f"yolo:@{task}_numbers"


def anticlockwise(corners: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Per row of 4 corners, whether they turn anticlockwise on screen (y down): edge 0-1 then 1-2 turn left."""
    p = corners.reshape(-1, 4, 2)
    e01, e12 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 1]
    return np.asarray(e01[:, 0] * e12[:, 1] - e01[:, 1] * e12[:, 0] < 0, dtype=bool)


def lines_at_risk(
    values: np.ndarray[Any, Any],
    offsets: np.ndarray[Any, Any],
    task: str,
    kpt_dims: int,
    w: np.ndarray[Any, Any],
    h: np.ndarray[Any, Any],
) -> Numbers | None:
    """The lines (object rows) a write might not give back, with their numbers as the writer lays them out.

    A line is at risk where a number is not the float of a decimal of at most 8 places (those come back: the
    writer tries them first) and is near one (``0.6999999999999998``: the writer may take the decimal), or of 9
    to 12 places (``0.49093523842099995``, which the writer tries too), or is
    not the float the writer tries next: the pixel a reader makes of it, divided back (for a box's centre,
    its corner plus half its width, divided back). OBB lines are all at risk: a rectangle's corners are
    written from its box, by sines and cosines.

    Args:
        values: every line's numbers, normalised, flat.
        offsets: where each line's start (plus the end).
        task: the task read.
        kpt_dims: pose's numbers per point.
        w: the image's width per line.
        h: the image's height per line.

    Returns:
        The rows, their numbers (pose's without the visibility column), flat, and where each row's start (plus
        the end); None when no line is at risk.
    """
    n = len(offsets) - 1
    if task == "obb":
        rows = np.arange(n)
    else:
        bounds = piece_bounds(np.diff(offsets), _ROWS)  # (and at most VALUES_AT_ONCE numbers: long polygons)
        risky = [
            _risky(values, offsets[a : b + 1], task, kpt_dims, w[a:b], h[a:b]) + a
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        rows = np.concatenate(risky) if risky else np.zeros(0, dtype=np.int64)
    if not len(rows):
        return None
    counts = np.diff(offsets)[rows]
    if task == "pose" and kpt_dims == 3:  # (every third number after the box is a visibility flag)
        width = 4 + (counts - 4) // 3 * 2
        pos = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
        source = np.where(pos < 4, pos, 4 + (pos - 4) // 2 * 3 + (pos - 4) % 2)
        counts = width
    else:
        source = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    numbers = values[np.repeat(offsets[:-1][rows], counts) + source]
    return rows, numbers, np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)


_ROWS = 8192
"""Lines looked at a time: temporaries of a few MB, which reuse freed heap memory (at 65,536 lines of a segment
file, 23 MB each, mapped fresh and faulted in page by page: 1.29 s against 0.79 s for 38 million numbers)."""


def _risky(
    values: np.ndarray[Any, Any],
    offsets: np.ndarray[Any, Any],
    task: str,
    kpt_dims: int,
    w: np.ndarray[Any, Any],
    h: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """:func:`lines_at_risk`'s test, on consecutive lines: the rows at risk, from 0.

    A segment file of 38 million numbers takes about 0.8 s.
    """
    v = values[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets)
    starts = offsets[:-1] - offsets[0]
    if not len(v):
        return np.zeros(0, dtype=np.int64)
    with np.errstate(all="ignore"):
        if task == "pose":  # (x y, or x y v, per point after the box: v is a flag, not a coordinate)
            pos = np.arange(len(v)) - np.repeat(starts, lengths)
            after = pos - 4 if kpt_dims == 3 else pos
            is_x = ((pos < 4) & (pos % 2 == 0)) | ((pos >= 4) & (after % kpt_dims == 0))
            row = np.repeat(np.arange(len(lengths)), lengths)
            scale = np.where(is_x, w[row], h[row])
            if kpt_dims == 3:
                scale[(pos >= 4) & (after % 3 == 2)] = 1.0  # (a flag times 1 comes back)
            risk = v * scale / scale != v
        else:  # (lines of x y pairs: an x at every even place)
            risk = np.empty(len(v), dtype=bool)
            for k, side in ((0, w), (1, h)):
                per_value = np.repeat(side, lengths // 2)
                risk[k::2] = v[k::2] * per_value / per_value != v[k::2]
        if task in ("detect", "pose"):  # a centre: the corner a reader makes, plus half the width, divided back
            for k, side in ((0, w), (1, h)):
                half = v[starts + k + 2] * side / 2
                risk[starts + k] = (v[starts + k] * side - half + half) / side != v[starts + k]
        # and a number near a decimal of at most 8 places, unless it is that decimal's float (0.7, not
        # 0.6999999999999998): the writer tries the decimals first
        shifted = v * 1e8
        eight = np.rint(shifted)
        maybe = (risk | (np.abs(shifted - eight) < 1e-6)) & (v != eight / 1e8)
        # and near one of 9 to 12 places, not its float, as the writer tries those too (0.49093523842099995 of a
        # side of 2477 multiplies back to the pixel 0.490935238421 does, which the writer took, unkept)
        fine = v * 1e12
        twelve = np.rint(fine)
        maybe |= (np.abs(fine - twelve) < 1e-3) & (v != twelve / 1e12)
        at = np.flatnonzero(maybe)
        # of those, the ones the writer's numbers (snapped) do not give back: most do (labelkit writes a number
        # near a decimal where none multiplies back, 700,000 of a segment output's 860,000 lines)
        row = np.searchsorted(starts, at, side="right") - 1
        pos = at - starts[row]
        after = pos - 4 if task == "pose" and kpt_dims == 3 else pos
        is_x = np.where((task == "pose") & (pos >= 4), after % (kpt_dims if task == "pose" else 2) == 0, pos % 2 == 0)
        scale = np.where(is_x, w[row], h[row])
        target = v[at] * scale
        offset = np.zeros(len(at))
        if task in ("detect", "pose"):  # (a centre: its corner, cx * W - w * W / 2, and that half width)
            centre = pos < 2
            offset[centre] = v[at[centre] + 2] * scale[centre] / 2
            target[centre] -= offset[centre]
        written = snapped((target + offset) / scale, scale, target, offset)
        at = at[written != v[at]]
    return np.unique(np.searchsorted(starts, at, side="right") - 1)


def pixels(
    task: str,
    flat: np.ndarray[Any, Any],
    offsets: np.ndarray[Any, Any],
    w: np.ndarray[Any, Any],
    h: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    """What a reader makes of rows of numbers (``w``, ``h`` per row), number by number.

    x by the width, y by the height, and a box's ``cx cy`` as its corner, ``cx * W - w * W / 2`` (detect, pose).
    """
    lengths = np.diff(offsets)
    pos = np.arange(len(flat)) - np.repeat(offsets[:-1], lengths)
    row = np.repeat(np.arange(len(lengths)), lengths)
    out: np.ndarray[Any, Any] = flat * np.where(pos % 2 == 0, w[row], h[row])
    if task in ("detect", "pose") and len(lengths):
        head = offsets[:-1][lengths >= 4]
        out[head] -= out[head + 2] / 2
        out[head + 1] -= out[head + 3] / 2
    return out


def keep(dataset: Dataset, task: str, lines: Numbers) -> Dataset:
    """``dataset`` (read from YOLO) with the numbers of ``lines`` a write would not give back (:func:`kept`)."""
    from labelkit.formats.yolo_lines import Lines, columns  # (which imports this module)
    from labelkit.formats.yolo_write import kpt_dims_of

    objects = dataset.table("objects")
    rows = lines[0]
    keep_rows = np.zeros(objects.num_rows, dtype=bool)
    keep_rows[rows] = True
    part = dataset.with_objects(keep_rows)  # (the writer's columns of those objects only: few, usually)
    cols = columns(part, task)
    writer = Lines(part, task, cols, None, kpt_dims_of(dataset, {}))
    w, h = np.zeros(objects.num_rows), np.zeros(objects.num_rows)
    w[rows], h[rows] = cols.width, cols.height
    with_numbers = kept(objects, task, lines, lambda r: writer.values(np.searchsorted(rows, r)), w, h)
    if with_numbers is not objects:
        dataset.set_table("objects", with_numbers)
    return dataset


def kept(
    objects: pa.Table,
    task: str,
    lines: Numbers,
    values_of: Values,
    w: np.ndarray[Any, Any],
    h: np.ndarray[Any, Any],
) -> pa.Table:
    """``objects`` with the numbers of the lines at risk (:func:`lines_at_risk`) that a write would not give back.

    A number is kept where it differs from the writer's and reads back to the same pixel (a point marked
    missing, ``-1 -1``, reads as another one: it is the writer's); an OBB box's corners are kept whole, as
    the writer's are its box's corners again, which reading turns into the same box.
    """
    rows, numbers, offsets = lines
    written, w_offsets = values_of(rows)
    same = np.diff(w_offsets) == np.diff(offsets)  # (a segment file's box line is written as 4 corners)
    if not same.any():
        return objects
    rows, numbers, offsets = _rows(rows, numbers, offsets, same)
    written, w_offsets = _rows(np.zeros(len(same)), written, w_offsets, same)[1:]
    wr, hr = w[rows], h[rows]
    differs = written != numbers
    if task == "obb":
        rect = np.asarray(objects["shape"].take(pa.array(rows)).to_numpy(zero_copy_only=False) == "box")
        differs &= (np.repeat(~rect, 8) & _same_pixels(task, numbers, written, offsets, wr, hr)) | np.repeat(rect, 8)
    else:
        differs &= _same_pixels(task, numbers, written, offsets, wr, hr)
    lengths = np.diff(offsets)
    row_of = np.repeat(np.arange(len(rows)), lengths)
    pos = np.arange(len(numbers)) - np.repeat(offsets[:-1], lengths)
    hit = np.flatnonzero(differs)
    if not len(hit):
        return objects
    name = orjson.dumps(key(task)).decode()
    groups = np.split(hit, np.flatnonzero(np.diff(row_of[hit])) + 1)
    changed = rows[row_of[[int(g[0]) for g in groups]]]
    texts = []
    for group, text in zip(groups, objects["extras"].take(pa.array(changed)).to_pylist(), strict=True):
        pairs = orjson.dumps([[int(p), float(v)] for p, v in zip(pos[group], numbers[group], strict=True)]).decode()
        texts.append(f"{{{name}:{pairs}}}" if not text else f"{text[:-1]},{name}:{pairs}}}")  # (the reader's)
    column = spliced_rows(objects["extras"], changed, pa.array(texts, pa.string()))
    return objects.set_column(objects.schema.get_field_index("extras"), "extras", column)


def _rows(
    rows: np.ndarray[Any, Any], flat: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any], keep: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    lengths = np.diff(offsets)
    per_value = np.repeat(keep, lengths)
    return rows[keep], flat[per_value], np.concatenate([[0], np.cumsum(lengths[keep])]).astype(np.int64)


def _same_pixels(
    task: str,
    a: np.ndarray[Any, Any],
    b: np.ndarray[Any, Any],
    offsets: np.ndarray[Any, Any],
    w: np.ndarray[Any, Any],
    h: np.ndarray[Any, Any],
) -> np.ndarray[Any, Any]:
    return np.asarray(pixels(task, a, offsets, w, h) == pixels(task, b, offsets, w, h))


class AsRead:
    """Puts kept numbers (:func:`kept`) back into the writer's, for the rows whose read-back geometry they keep.

    Only ``precision=exact`` writes them (fixed decimals are what the user asked for instead).
    """

    def __init__(
        self, objects: pa.Table, task: str, enabled: bool, sizes: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
    ) -> None:
        self.task = task
        self.sizes = sizes
        """The images' widths and heights, per object row."""
        self.key = key(task)
        extras = objects["extras"]
        self.extras = extras
        on = enabled and extras.null_count < len(extras)
        self.has = contains_match(extras, orjson.dumps(self.key).decode() + ":") if on else None

    def put(
        self,
        rows: np.ndarray[Any, Any],
        values: np.ndarray[Any, Any],
        offsets: np.ndarray[Any, Any] | None = None,
        boxes: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None,
    ) -> np.ndarray[Any, Any]:
        """The writer's numbers of ``rows``, with the kept numbers of the rows that take them back.

        ``values``: a row each, or flat with ``offsets``. ``boxes`` (OBB): the box and angle columns, for the
        rows whose corners are their box's.
        """
        if self.has is None or not len(rows) or not self.has[rows].any():
            return values
        if offsets is None:
            flat = self.put(rows, values.reshape(-1), np.arange(0, values.size + 1, values.shape[1]), boxes)
            return flat.reshape(values.shape)
        flat = values
        local = np.flatnonzero(self.has[rows])
        lengths = np.diff(offsets)
        proposed = flat.copy()
        cells = self.extras.take(pa.array(rows[local])).to_pylist()
        usable = np.zeros(len(rows), dtype=bool)
        for k, text in zip(local.tolist(), cells, strict=True):
            pairs = _pairs(text, self.key, int(lengths[k]))
            if pairs is not None:
                start = int(offsets[k])
                for p, v in pairs:
                    proposed[start + p] = v
                usable[k] = True
        w, h = self.sizes[0][rows], self.sizes[1][rows]
        same = _same_pixels(self.task, proposed, flat, offsets, w, h)
        reads_same = np.logical_and.reduceat(same, offsets[:-1]) if len(same) else same
        take = usable & (reads_same if len(lengths) and lengths.min() > 0 else False)
        if self.task == "obb" and boxes is not None:  # (not corners past an edge: written clipped, as reported)
            inside = (proposed >= -EDGE_NOISE) & (proposed <= 1 + EDGE_NOISE)
            inside_rows = np.logical_and.reduceat(inside, offsets[:-1]) if len(inside) else usable
            take |= usable & inside_rows & self._same_box(rows, proposed, offsets, w, h, boxes)
        per_value = np.repeat(take, lengths)
        return np.where(per_value, proposed, flat)

    def _same_box(
        self,
        rows: np.ndarray[Any, Any],
        proposed: np.ndarray[Any, Any],
        offsets: np.ndarray[Any, Any],
        w: np.ndarray[Any, Any],
        h: np.ndarray[Any, Any],
        boxes: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]],
    ) -> np.ndarray[Any, Any]:
        """Per row, whether its 4 corners read as an OBB line gives its rotated box exactly."""
        corners = pixels("obb", proposed, offsets, w, h).reshape(-1, 8)
        ccw = anticlockwise(corners)
        box, angle, is_rect = G.corners_to_rotated_box(np.where(ccw[:, None], corners[:, G.REVERSED_CORNERS], corners))
        return np.asarray(is_rect & (box == boxes[0][rows]).all(axis=1) & (angle == boxes[1][rows]))


def _pairs(text: str | None, name: str, length: int) -> list[tuple[int, float]] | None:
    """The kept ``[place, number]`` pairs of an extras text, or None when they are not such (edited by hand)."""
    try:
        extras = orjson.loads(text) if text else None
    except orjson.JSONDecodeError:
        return None
    value = extras.get(name) if isinstance(extras, dict) else None
    if not isinstance(value, list) or not value:
        return None
    out = []
    for pair in value:
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or type(pair[0]) is not int
            or not 0 <= pair[0] < length
            or type(pair[1]) not in (int, float)
        ):
            return None
        out.append((pair[0], float(pair[1])))
    return out
