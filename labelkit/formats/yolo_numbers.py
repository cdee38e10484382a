"""YOLO numbers as text: exact shortest floats or fixed decimals, a whole chunk of label lines at a time.

Used by :mod:`labelkit.formats.yolo_lines`. Exact output writes the shortest text that reads back to the
same float64 (orjson's formatting, about five times faster than ``repr``), choosing among equal readings
the value a reader multiplies back to the exact pixel (:func:`snapped`); ``-o precision=N`` writes ``%.Nf``,
and :func:`rounded` says what those texts read back as.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from labelkit.errors import UsageError
from labelkit.model import geometry as G

EDGE_NOISE = 1e-12
"""How far past an image edge (as a fraction of its side) a box is taken to touch it: float noise, not outside."""


def snapped(
    values: np.ndarray[Any, Any],
    scale: np.ndarray[Any, Any],
    target: np.ndarray[Any, Any],
    offset: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """Normalised values that a YOLO reader turns back into exactly ``target`` (``v * scale - offset``), short.

    ``values`` are ``target`` normalised, ``(target + offset) / scale``. The division and the reader's
    multiplication each round, so about one value in ten does not multiply back to ``target``, and a value
    read from YOLO as ``0.24253`` comes out as ``0.24252999999999997`` or ``0.24253000000000002``. So, for
    each value within float noise of a decimal of at most 12 places, or not multiplying back, the first that
    multiplies back exactly is taken, of: that value rounded to 1, 2, ... 12 decimals; the value itself; the
    floats 1 to 3 steps away. Else the value is kept. (Only floats a few steps away can qualify: nothing
    else multiplies back to ``target``.) Such a value reads back a float away from ``target``: it is then the
    one these steps give for what it reads back as, as they give it when that is written again (a write of
    a YOLO output's boxes writes the same numbers).
    """
    out = _snapped(values, scale, target, offset)
    offset = np.zeros_like(values) if offset is None else offset
    missed = np.flatnonzero(out * scale - offset != target)
    if len(missed):  # (values a writer divides out of what the reader takes back, as a later write would)
        sc, off = scale[missed], offset[missed]
        read = out[missed] * sc - off
        again = _snapped((read + off) / sc, sc, read, off)
        hit = again * sc - off == read
        out[missed[hit]] = again[hit]
    return out


def _snapped(
    values: np.ndarray[Any, Any],
    scale: np.ndarray[Any, Any],
    target: np.ndarray[Any, Any],
    offset: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """:func:`snapped`'s steps, once: a value that no step makes multiply back to ``target`` is kept.

    The decimals need not be tried one by one where a value ``v`` lies within 0.4e-12 of the exact
    ``(target + offset) / scale`` (and below 100, the scale a normal float): then ``v`` rounded to 12 decimals,
    ``M / 1e12``, is the float that every rounding from ``k`` decimals on gives, ``k`` being the places ``M`` has
    without its trailing zeros (the same decimal, divided exactly), and a rounding to fewer places is another
    decimal, at least 1e-12 from ``M / 1e12`` and so over 0.48e-12 from ``v``, too far from the exact quotient to
    multiply back (at most a few float steps of 1e-16 from it). So the first decimal that multiplies back, if
    any, is ``M / 1e12``: one try, where the tries of 1 to 12 decimals took 12 for the values no decimal fits
    (about 650,000 of 780,000 such values in COCO -> YOLO detect of train2017's boxes). Other values take every
    try.
    """
    offset = np.zeros_like(values) if offset is None else offset
    with np.errstate(over="ignore", invalid="ignore"):  # (a value near float64's limit: infinite, never near)
        shifted = values * 1e8
        rounded = np.rint(shifted)
        off_target = values * scale - offset != target
        # near a decimal of at most 8 places but not that decimal's float (so printed long), or off target
        near = (np.abs(shifted - rounded) < 1e-6) & (off_target | (values != rounded / 1e8))
        # or near one of 9 to 12 places, and not its float: an exact quotient (128.01 / 640 is 0.200015625)
        fine = values * 1e12
        fine_rounded = np.rint(fine)
        twelve = fine_rounded / 1e12  # (np.round(values, 12), as _candidate makes it)
        near |= (np.abs(fine - fine_rounded) < 1e-3) & (values != twelve)
    out: np.ndarray[Any, Any] = values.copy()
    if not (near.any() or off_target.any()):
        return out
    todo = np.flatnonzero(near)
    v, sc, off, want = values[todo], scale[todo], offset[todo], target[todo]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # (nan, inf: not sure, tried one by one)
        slack = 1e-15 * (1.0 + np.abs(want / sc) + np.abs(off / sc) + np.abs(v))  # (the quotient's own rounding)
        # (a subnormal scale is not: products below the normal floats round to a step of 5e-324, not relatively,
        # so values far from the quotient multiply back too)
        normal = np.abs(sc) >= np.finfo(np.float64).tiny
        sure = normal & (np.abs(v) < 100.0) & (np.abs(v - (want + off) / sc) + slack < 0.4e-12)
        fits = sure & (twelve[todo] * sc - off == want)
    out[todo[fits]] = twelve[todo[fits]]
    stepping = off_target & ~near  # (far from a short decimal: only its neighbours can multiply back)
    unfit = todo[sure & ~fits]
    stepping[unfit] = off_target[unfit]  # (no decimal fits; the value itself does, unless it is off target)
    steps = [(0, k) for k in (1, -1, 2, -2, 3, -3)]
    with np.errstate(over="ignore", invalid="ignore"):  # (a step past the largest float: inf, which fits none)
        for rows, tries in (
            (todo[~sure], [*((d, 0) for d in range(1, 13)), (0, 0), *steps]),
            (np.flatnonzero(stepping), steps),
        ):
            v, sc, off, want = values[rows], scale[rows], offset[rows], target[rows]
            left = np.arange(len(rows))
            for digits, moves in tries:
                if not len(left):
                    break
                c = _candidate(v[left], digits, moves)
                ok = c * sc[left] - off[left] == want[left]
                out[rows[left[ok]]] = c[ok]
                left = left[~ok]
    return out


def _candidate(x: np.ndarray[Any, Any], digits: int, steps: int) -> np.ndarray[Any, Any]:
    """``x`` rounded to ``digits`` decimals (the float nearest that decimal), or moved ``steps`` floats."""
    if digits:
        return np.asarray(np.round(x, digits), dtype=np.float64)
    moved: np.ndarray[Any, Any] = x
    for _ in range(abs(steps)):
        moved = np.nextafter(moved, np.inf if steps > 0 else -np.inf)
    return moved


def _prefixes(cls: np.ndarray[Any, Any]) -> list[bytes]:
    top = int(cls.max()) + 1 if len(cls) else 0
    return [b"%d " % i for i in range(top)]


def _fixed(values: np.ndarray[Any, Any], precision: int) -> list[bytes]:
    fmt = " ".join([f"%.{precision}f"] * values.shape[1])
    return [(fmt % tuple(row)).encode() for row in values.tolist()]


Text = tuple[pa.Buffer | bytes, np.ndarray[Any, Any]]
"""Lines back to back, and where each ends."""


def fmt_rows(cls: np.ndarray[Any, Any], values: np.ndarray[Any, Any], precision: int | None) -> Text:
    """Lines ``class v1 v2 ...`` for rows of equal length.

    Exact output uses orjson's float formatting: the shortest text that reads back to the same float64
    (as ``repr``), about five times faster than ``repr`` per value, which matters at a million boxes.
    """
    if precision is None:
        return text_rows(cls, values)
    prefix = _prefixes(cls)
    return joined([prefix[c] + r + b"\n" for c, r in zip(cls.tolist(), _fixed(values, precision), strict=True)])


def joined(lines: list[bytes]) -> Text:
    """Lines (each ending in a newline) as one :data:`Text`."""
    ends = np.cumsum(np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)))
    return b"".join(lines), ends


_NO_BYTES = pa.scalar(b"", pa.large_binary())
_COMMAS_TO_SPACES = bytes.maketrans(b",", b" ")


def text_rows(cls: np.ndarray[Any, Any], values: np.ndarray[Any, Any]) -> Text:
    r"""Lines ``class v1 v2 ...\n`` with exact floats for rows of equal length, back to back, and where each ends."""
    n, width = values.shape
    return _text_ragged(cls, values.reshape(-1), np.arange(0, n * width + 1, width, dtype=np.int64))


def _text_ragged(cls: np.ndarray[Any, Any], flat: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any]) -> Text:
    r"""Lines ``class v1 v2 ...\n`` with exact floats, back to back, and where each ends.

    Row ``i`` is ``flat[offsets[i]:offsets[i + 1]]`` and must hold at least one value. orjson writes the
    values as one flat array ``[a,b,c,d,e,...]``; one ``translate`` turns the commas into spaces, every
    row's last space becomes a newline, and Arrow's element-wise join puts each row's class in front, in C:
    no Python object per line or per value.
    """
    n = len(cls)
    if not n:
        return b"", np.zeros(0, dtype=np.int64)
    text = orjson.dumps(np.ascontiguousarray(flat, dtype=np.float64), option=orjson.OPT_SERIALIZE_NUMPY)
    body = bytearray(text[1:-1].translate(_COMMAS_TO_SPACES))
    body += b" "
    chars = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(chars == ord(" "))[np.asarray(offsets[1:], dtype=np.int64) - 1]
    chars[ends] = ord("\n")
    starts = np.zeros(n + 1, dtype=np.int64)
    starts[1:] = ends + 1
    rows = pa.Array.from_buffers(pa.large_binary(), n, [None, pa.py_buffer(starts), pa.py_buffer(body)])
    prefix = pa.array(_prefixes(cls), pa.large_binary()).take(pa.array(cls))
    lines = pc.binary_join_element_wise(prefix, rows, _NO_BYTES)
    line_ends = np.frombuffer(lines.buffers()[1], dtype=np.int64)[1 : n + 1]
    return lines.buffers()[2].slice(0, int(line_ends[-1])), line_ends


def split_lines(text: pa.Buffer | bytes, ends: np.ndarray[Any, Any]) -> list[bytes]:
    """The lines of a :data:`Text` one by one."""
    whole, bounds = memoryview(text), [0, *ends.tolist()]
    return [bytes(whole[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def fmt_ragged(
    cls: np.ndarray[Any, Any], flat: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any], precision: int | None
) -> Text:
    """Lines ``class v1 v2 ...`` for rows of different lengths (``offsets`` into ``flat``)."""
    if precision is None and (np.diff(offsets) > 0).all():
        return _text_ragged(cls, flat, offsets)
    if precision is None:
        tokens = orjson.dumps(np.ascontiguousarray(flat, dtype=np.float64), option=orjson.OPT_SERIALIZE_NUMPY)
        values = tokens[1:-1].split(b",")
    else:
        fmt = f"%.{precision}f"
        values = [(fmt % v).encode() for v in flat.tolist()]
    bounds = offsets.tolist()
    prefix = _prefixes(cls)
    lines = [prefix[c] + b" ".join(values[bounds[i] : bounds[i + 1]]) + b"\n" for i, c in enumerate(cls.tolist())]
    return joined(lines)


def rounded(values: np.ndarray[Any, Any], precision: int) -> np.ndarray[Any, Any]:
    """The numbers that ``values`` (in [0, 1]) read back as once written with ``precision`` decimals (``%.Nf``).

    Exact, as the text is: ``rint(v * 10**N) / 10**N`` is the float of that text (one correctly rounded
    division), except where the product, half a float step from the exact one, lies that close to a tie, or
    where floats are too coarse to hold whole numbers: those few go through Python's formatting.

    Examples:
        >>> rounded(np.array([0.05, 0.125, 0.615, 1 / 3]), 2).tolist()  # %.2f gives 0.05 0.12 0.61 0.33
        [0.05, 0.12, 0.61, 0.33]
        >>> rounded(np.array([0.05, 0.04]), 1).tolist()  # 0.05 is a float a little above 1/20
        [0.1, 0.0]
    """
    scale = 10.0**precision
    scaled = values * scale
    nearest = np.rint(scaled)
    out: np.ndarray[Any, Any] = nearest / scale
    unsure = np.abs(np.abs(scaled - nearest) - 0.5) <= np.maximum(scaled * 2.0**-50, 1e-9)
    if unsure.any():
        todo = np.flatnonzero(unsure)
        out[todo] = [float(f"{v:.{precision}f}") for v in values[todo].tolist()]
    return out


def inside_when_rounded(values: np.ndarray[Any, Any], precision: int) -> np.ndarray[Any, Any]:
    """``cx cy w h`` rows (of boxes inside the image) as written with ``precision`` decimals, kept inside it.

    Rounding a centre and a size each half a step takes a box touching an edge up to a step past it (``0 0 10
    157`` on 100 x 200 at 2 decimals was ``0.39 0.79``, from y = -0.005): a reader clips it, and a rewrite with
    the same precision reported it clipped and rounded. There the size is a step smaller (a size of one step
    keeps it, and its centre moves a step inward instead, so no object is lost to it).

    Examples:
        >>> inside_when_rounded(np.array([[0.05, 0.3925, 0.1, 0.785], [0.003, 0.5, 0.006, 0.2]]), 2).tolist()
        [[0.05, 0.39, 0.1, 0.78], [0.01, 0.5, 0.01, 0.2]]
    """
    out = rounded(values.reshape(-1), precision).reshape(values.shape)
    step = 10.0**-precision
    for c, size in ((0, 2), (1, 3)):
        low, high = out[:, c] - out[:, size] / 2, out[:, c] + out[:, size] / 2
        past = (low < -1e-12) | (high > 1 + 1e-12)
        if not past.any():
            continue
        small = past & (out[:, size] <= step * 1.5)
        out[past & ~small, size] = rounded(out[past & ~small, size] - step, precision)
        out[small, c] = rounded(out[small, c] + np.where(low[small] < 0, step, -step), precision)
    return out


def kept_overlapping(
    values: np.ndarray[Any, Any], box: np.ndarray[Any, Any], w: np.ndarray[Any, Any], h: np.ndarray[Any, Any]
) -> np.ndarray[Any, Any]:
    """``cx cy w h`` rows (exact) whose box reads back with an area inside the image where ``box`` has one.

    A box of a sub-pixel size touching the image's right or bottom edge can have no exact centre: the nearest
    reads back a float step outward, and the box then starts on the edge (``640.9999999999999`` of 641 with a
    width of 1e-13 read back at 641.0), with no area inside the image, which the next conversion lost. There the
    centre moves inward a float step at a time (at most 8) until the box read back overlaps the image: its start
    is then a float step or two from the one given, not outside.

    Examples:
        >>> v = np.array([[1.0, 0.5, 1.7735856118816854e-16, 1.0]])
        >>> box = np.array([[640.9999999999999, 0.0, 1.1368683772161603e-13, 1.0]])
        >>> kept_overlapping(v, box, np.array([641.0]), np.array([1.0]))[0, 0]
        np.float64(0.9999999999999999)
    """
    read = G.yolo_to_xywh(values, w, h)  # (a step of x leaves y as read, and the other way round)
    for c, size, side in ((0, 2, w), (1, 3, h)):
        given = G.overlaps(box[:, c], box[:, size], side)
        lost = np.flatnonzero(given & ~G.overlaps(read[:, c], read[:, size], side))
        for _ in range(8):
            if not len(lost):
                break
            values[lost, c] = np.nextafter(values[lost, c], 0.5)  # (inward: toward the image's middle)
            again = G.yolo_to_xywh(values[lost], w[lost], h[lost])
            lost = lost[~G.overlaps(again[:, c], again[:, size], side[lost])]
    return values


def precision_of(options: dict[str, Any]) -> int | None:
    """The decimals ``-o precision=N`` asks for (None: ``exact``, the shortest text of each float).

    Raises:
        UsageError: the value is neither ``exact`` nor a number of decimals.
    """
    value = options.get("precision")
    text = "exact" if value is None else str(value)  # (0, an int from the API, is 0 decimals; '' is refused)
    if text == "exact":
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > 17:
        raise UsageError("bad precision", expected="exact or a number of decimals (0-17)", found=repr(text))
    return int(text)
