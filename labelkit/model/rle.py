"""COCO RLE run lengths: reading compressed and uncompressed counts, and checking that they make their mask.

pycocotools decodes runs that do not add up to height x width from whatever memory it is given, and its
counts are 32-bit: every reader and writer that hands a mask to it checks the runs here first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelkit.errors import InputError
from labelkit.model.batches import sized_batches
from labelkit.model.geometry import run_positions


def cell_counts(cell: dict[str, Any]) -> NDArray[np.int64] | None:
    """A mask cell's run lengths (background first, column-major), or None when they cannot be read.

    Examples:
        >>> cell_counts({"height": 2, "width": 2, "counts": "112", "runs": None}).tolist()
        [1, 1, 2]
        >>> cell_counts({"height": 2, "width": 2, "counts": None, "runs": [1, -1, 4]}) is None
        True
    """
    if cell.get("counts") is not None:
        return rle_string_counts(cell["counts"])
    runs = cell.get("runs")
    if not isinstance(runs, list) or not all(type(v) is int for v in runs):
        return None
    try:
        counts = np.asarray(runs, dtype=np.int64) if runs else np.zeros(0, dtype=np.int64)
    except OverflowError:
        return None
    return counts if not len(counts) or int(counts.min()) >= 0 else None


def cell_problem(cell: dict[str, Any]) -> str | None:
    """What is wrong with a mask cell's runs (:data:`NOT_COUNTS` or :func:`counts_problem`), or None.

    Examples:
        >>> cell_problem({"height": 2, "width": 2, "counts": None, "runs": [1, 2]})
        'RLE counts add up to 3, not 4 (height x width)'
        >>> cell_problem({"height": 2, "width": 2, "counts": "04", "runs": None}) is None
        True
    """
    counts = cell_counts(cell)
    return NOT_COUNTS if counts is None else counts_problem(counts, int(cell["height"]), int(cell["width"]))


def cell_runs(cell: dict[str, Any]) -> NDArray[np.int64]:
    """A mask cell's run lengths, checked to make its ``height x width`` mask.

    Raises:
        ValueError: :func:`cell_problem`'s message.

    Examples:
        >>> cell_runs({"height": 2, "width": 2, "counts": None, "runs": [1, 3]}).tolist()
        [1, 3]
    """
    counts = cell_counts(cell)
    problem = NOT_COUNTS if counts is None else counts_problem(counts, int(cell["height"]), int(cell["width"]))
    if problem is not None:
        raise ValueError(problem)
    assert counts is not None
    return counts


def cell_sets_a_pixel(cell: dict[str, Any]) -> bool:
    """Whether a mask cell whose runs make its mask (:func:`cell_problem` None) sets a pixel.

    Its first foreground run (the second number of a compressed string, a few characters) is read alone: only
    when that one is empty are all of them (a writer deciding per image whether it paints anything decoded each
    mask twice).

    Examples:
        >>> cell_sets_a_pixel({"height": 2, "width": 2, "counts": "4", "runs": None})
        False
        >>> cell_sets_a_pixel({"height": 2, "width": 2, "counts": "1012", "runs": None})  # runs 1, 0, 1, 2
        True
        >>> cell_sets_a_pixel({"height": 2, "width": 2, "counts": None, "runs": [4, 0]})
        False
    """
    text = cell.get("counts")
    if text is None:
        runs = cell.get("runs") or []
        return any(runs[1::2])
    text = str(text)
    # the string up to the end of its second number (a character without the "more follow" bit 0x20 ends one)
    ends = list(itertools.islice((k for k, char in enumerate(text) if not (ord(char) - 48) & 0x20), 2))
    if len(ends) == 2 and (first := rle_string_counts(text[: ends[1] + 1])) is not None and first[1] > 0:
        return True
    counts = rle_string_counts(text)
    return counts is not None and bool(counts[1::2].any())


def rle_string_counts(text: Any) -> NDArray[np.int64] | None:
    """The run lengths of COCO's compressed RLE string, or None when ``text`` is not one.

    Each number is written 5 bits a character (``chr(48 + bits)``, low bits first), bit 0x20 meaning "more
    characters follow" and bit 0x10 of the last character the sign; from the fourth number on, each is
    stored as its difference from the number two before it. A number may take at most 7 characters, as
    pycocotools writes it (7 for a number of 2**29 or more, or below -2**29); one of 7 must be below 2**31 and not
    negative (:data:`_LONG`), as pycocotools' decoder, which shifts the seventh character into a 32-bit int at
    bit 30, reads it back.

    Examples:
        >>> rle_string_counts("4130O0").tolist()  # "O" is -1: the fifth number is 3 - 1
        [4, 1, 3, 1, 2, 1]
        >>> rle_string_counts("10O") is None  # a negative count: 1, 0, -1
        True
        >>> rle_string_counts("PPPPP`01").tolist()  # 2**29 in 7 characters, then 1
        [536870912, 1]
    """
    if not isinstance(text, str) or not text.isascii():
        return None
    chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    if not len(chars):
        return np.zeros(0, dtype=np.int64)
    if int(chars.min()) < 0 or int(chars.max()) > 63 or chars[-1] & 0x20:
        return None
    last = np.flatnonzero((chars & 0x20) == 0)  # the last character of each number
    lengths = np.diff(np.r_[-1, last])
    if int(lengths.max()) > 7:
        return None
    values = np.add.reduceat((chars & 0x1F) << (5 * run_positions(lengths)), last - lengths + 1)
    values = np.where(chars[last] & 0x10, values - (np.int64(1) << (5 * lengths)), values)
    if _misread(lengths, values).any():
        return None
    values[1::2] = np.cumsum(values[1::2])  # 1, 3, 5, ...: each after the first adds the one two before
    values[2::2] = np.cumsum(values[2::2])  # 2, 4, 6, ...
    return values if int(values.min()) >= 0 else None


def counts_problem(counts: NDArray[np.int64], height: int, width: int) -> str | None:
    """What is wrong with run lengths for a ``height x width`` mask, or None when they add up to it.

    Examples:
        >>> counts_problem(np.array([1, 2]), 2, 2)
        'RLE counts add up to 3, not 4 (height x width)'
    """
    size = height * width
    # a count beyond the size cannot add up, and could overflow the sum (pycocotools' counts are 32-bit)
    if _too_large(height, width) or (len(counts) and int(counts.max()) > size):
        return rle_unfit_message(height, width)
    if (total := int(counts.sum())) != size:
        return rle_sum_message(total, size)
    return None


def _misread(digits: NDArray[np.int64], values: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which numbers of a compressed RLE string (of ``digits`` characters) pycocotools does not read as written.

    pycocotools' ``rleToString`` writes a number of 2**29 or more, or below -2**29, in 7 characters (35 bits),
    but its ``rleFrString`` shifts their bits into a 32-bit int: of a seventh character it keeps two bits, and it
    cannot set the sign (``-1 << 35``, undefined in C). A number of 8 characters or more, or of 7 that is
    negative or 2**31 or more, comes back as another: no count of a mask of fewer than 2**31 pixels is one, but a
    difference between two may be below -2**29, which pycocotools writes and misreads (its decoder then writing
    past the mask).
    """
    misread: NDArray[np.bool_] = (digits > 7) | ((digits == 7) & ((values < 0) | (values >= _LONG)))
    return misread


_LONG = 2**31
"""The numbers of 7 characters pycocotools reads back are those from 0 to below this."""


NOT_COUNTS = "RLE counts are not COCO's (compressed or uncompressed)"
"""What is wrong with a mask cell whose runs cannot be read at all."""
_NOT_RLE = "RLE counts is not a compressed COCO RLE string"


RLE_PIXEL_LIMIT = 2**31
"""Pixels of the smallest mask no RLE holds: pycocotools counts runs in 32 bits (signed where it sums them)."""


def _too_large(height: int, width: int) -> bool:
    """Sizes no RLE can hold: negative, or beyond pycocotools' 32-bit counts (Python integers: no wrap-around)."""
    return height < 0 or width < 0 or height * width >= RLE_PIXEL_LIMIT


def _sizes(heights: Sequence[int], widths: Sequence[int]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``height * width`` per mask as int64 (0 where too large to hold), and which are too large."""
    unfit = np.fromiter(map(_too_large, heights, widths), dtype=bool, count=len(heights))
    sizes = (0 if u else h * w for h, w, u in zip(heights, widths, unfit, strict=True))
    size = np.fromiter(sizes, dtype=np.int64, count=len(unfit))
    return size, unfit


def rle_unfit_message(height: int, width: int) -> str:
    """The problem of RLE counts for a ``height x width`` mask that no counts can fit (or that one run exceeds).

    Examples:
        >>> rle_unfit_message(3, 3)
        'RLE counts do not fit a 3 x 3 mask'
        >>> rle_unfit_message(50000, 50000)
        'RLE counts cannot hold a 50000 x 50000 mask: 2**31 pixels or more, and pycocotools counts runs in 32 bits'
    """
    if _too_large(height, width) and height >= 0 and width >= 0:
        return (
            f"RLE counts cannot hold a {height} x {width} mask: 2**31 pixels or more, and pycocotools counts runs in "
            "32 bits"
        )
    return f"RLE counts do not fit a {height} x {width} mask"


def rle_sum_message(total: int, size: int) -> str:
    """The problem of RLE counts that add up to ``total`` for a mask of ``size`` pixels."""
    return f"RLE counts add up to {total}, not {size} (height x width)"


def rle_strings_problems(texts: Sequence[str], heights: Sequence[int], widths: Sequence[int]) -> list[str | None]:
    """:func:`counts_problem` of many compressed RLE strings at once: one array pass over all their characters.

    The same answers as :func:`rle_string_counts` and :func:`counts_problem` string by string (tested), for
    files with thousands of compressed masks, where numpy's per-call cost would dominate.

    Examples:
        >>> rle_strings_problems(["4130O0", "10O", "1", ""], [3, 1, 2, 0], [4, 1, 2, 5])
        [None, 'RLE counts is not a compressed COCO RLE string', 'RLE counts add up to 1, not 4 (height x width)', None]
    """
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    # about STRINGS_BATCH characters at a time: each character takes about 80 bytes of arrays below, so 50,000
    # masks of 500 characters took 2 GB at once
    problems: list[str | None] = []
    for a, b in sized_batches(lengths, STRINGS_BATCH):
        problems += _strings_problems(texts[a:b], heights[a:b], widths[a:b], lengths[a:b])
    return problems


STRINGS_BATCH = 1 << 20
"""Characters of compressed RLE strings :func:`rle_strings_problems` looks at in one array pass."""


def _strings_problems(
    texts: Sequence[str], heights: Sequence[int], widths: Sequence[int], lengths: NDArray[np.int64]
) -> list[str | None]:
    """:func:`rle_strings_problems` of one batch (``lengths``: of the texts)."""
    n = len(texts)
    joined = "".join(texts)
    if not joined.isascii():  # rare: string by string
        return [_string_problem(t, h, w) for t, h, w in zip(texts, heights, widths, strict=True)]
    size, unfit = _sizes(heights, widths)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    odd = np.r_[0, np.cumsum((chars < 0) | (chars > 63))]
    bad = odd[ends] > odd[starts]  # a character outside COCO's alphabet
    full = np.flatnonzero(lengths > 0)
    bad[full] |= (chars[ends[full] - 1] & 0x20) != 0  # the last number left unfinished
    stop = (chars & 0x20) == 0
    stop[ends[full] - 1] = True  # numbers never run on into the next string
    last = np.flatnonzero(stop)
    digits = np.diff(np.r_[-1, last])
    owner = np.searchsorted(ends, last, side="right")  # the string of each number
    shift = 5 * np.minimum(run_positions(digits), 6)  # (longer numbers are refused: kept from overflowing)
    values = np.add.reduceat((chars & 0x1F) << shift, last - digits + 1)
    values = np.where(chars[last] & 0x10, values - (np.int64(1) << (5 * np.minimum(digits, 7))), values)
    bad[owner[_misread(digits, values)]] = True  # as pycocotools reads them
    values[bad[owner]] = 0  # below 2**31 each (6 characters or fewer: 2**30), so the sums below cannot overflow
    index = run_positions(np.bincount(owner, minlength=n))  # each number's place in its string
    for chosen in ((index % 2 == 1), (index % 2 == 0) & (index >= 2)):  # 1, 3, 5, ... and 2, 4, 6, ...
        picked = np.flatnonzero(chosen)
        if len(picked):
            run = values[picked]
            total = np.cumsum(run)
            group = owner[picked]
            head = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
            values[picked] = total - np.repeat((total - run)[head], np.diff(np.r_[head, len(picked)]))
    bad[owner[values < 0]] = True
    unfit[owner[values > size[owner]]] = True
    values[(bad | unfit)[owner]] = 0  # the rest are at most the size (< 2**31): their sums cannot overflow
    before = np.r_[0, np.cumsum(values)]
    numbers = np.r_[0, np.cumsum(np.bincount(owner, minlength=n))]
    sums = before[numbers[1:]] - before[numbers[:-1]]
    problems: list[str | None] = [None] * n
    for i in np.flatnonzero(bad | unfit | (sums != size)).tolist():
        if bad[i]:
            problems[i] = _NOT_RLE
        elif unfit[i]:
            problems[i] = rle_unfit_message(heights[i], widths[i])
        else:
            problems[i] = rle_sum_message(int(sums[i]), int(size[i]))
    return problems


def mask_column_problems(column: Any, pycocotools: bool = True) -> dict[int, str]:
    """Rows of a model ``mask`` column whose counts cannot be read or do not add up to height x width.

    Compressed strings go through :func:`rle_strings_problems`; run lists are summed from the column's
    flat values, so no Python object is made per run. With ``pycocotools=False`` (the native formats, which no
    32-bit decoder reads), a mask of 2**31 pixels or more is no problem of itself: its runs are summed exactly.

    Examples:
        >>> import pyarrow as pa
        >>> from labelkit.model.tables import MASK_TYPE
        >>> cells = [{"height": 2, "width": 2, "counts": None, "runs": [1, 2]}, None,
        ...          {"height": 1, "width": 2, "counts": "02", "runs": None}]
        >>> mask_column_problems(pa.array(cells, MASK_TYPE))
        {0: 'RLE counts add up to 3, not 4 (height x width)'}
        >>> big = pa.array([{"height": 50000, "width": 50000, "counts": None, "runs": [0, 2_500_000_000]}], MASK_TYPE)
        >>> mask_column_problems(big)[0][:40], mask_column_problems(big, pycocotools=False)
        ('RLE counts cannot hold a 50000 x 50000 m', {})
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    problems: dict[int, str] = {}
    cells = np.flatnonzero(np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool))
    if not len(cells):
        return problems
    # only the rows that hold a mask (most rows of a COCO file do not), taken chunk by chunk: a chunked take
    # would first join the whole column
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    bounds = np.cumsum([0] + [len(c) for c in chunks])
    pieces = []
    for c, chunk in enumerate(chunks):
        local = cells[(cells >= bounds[c]) & (cells < bounds[c + 1])] - bounds[c]
        if len(local):
            pieces.append(chunk.take(pa.array(local)))
    masks = pa.concat_arrays(pieces)
    heights = [-1 if v is None else v for v in pc.struct_field(masks, "height").to_pylist()]
    widths = [-1 if v is None else v for v in pc.struct_field(masks, "width").to_pylist()]
    texts = pc.struct_field(masks, "counts")
    has_text = np.asarray(texts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    rows = np.flatnonzero(has_text).tolist()
    if rows:
        found = rle_strings_problems(
            texts.take(pa.array(rows, pa.int64())).to_pylist(), [heights[r] for r in rows], [widths[r] for r in rows]
        )
        problems.update((r, p) for r, p in zip(rows, found, strict=True) if p is not None)
    rows = np.flatnonzero(~has_text).tolist()
    if rows:
        runs = pc.struct_field(masks, "runs").take(pa.array(rows, pa.int64()))
        lengths = np.asarray(pc.list_value_length(runs).fill_null(0).to_numpy(zero_copy_only=False), np.int64)
        values = np.asarray(pc.list_flatten(runs).to_numpy(zero_copy_only=False), dtype=np.int64)
        missing = ~np.asarray(runs.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        size, unfit = _sizes([heights[r] for r in rows], [widths[r] for r in rows])
        # per cell reductions straight over the flat values (no per-value temporaries); a cell's sum is only
        # trusted when its counts are within [0, size], so it cannot have overflowed
        negative = np.zeros(len(rows), dtype=bool)
        sums = np.zeros(len(rows), dtype=np.int64)
        full = np.flatnonzero(lengths > 0)
        if len(full):
            starts = (np.cumsum(lengths) - lengths)[full]
            negative[full] = np.minimum.reduceat(values, starts) < 0
            unfit[full] |= np.maximum.reduceat(values, starts) > size[full]
            with np.errstate(over="ignore"):
                sums[full] = np.add.reduceat(values, starts)
        for k in np.flatnonzero(missing | negative | unfit | (sums != size)).tolist():
            r = rows[k]
            if missing[k] or negative[k]:
                problems[r] = NOT_COUNTS
            elif unfit[k]:
                problems[r] = rle_unfit_message(heights[r], widths[r])
            else:
                problems[r] = rle_sum_message(int(sums[k]), int(size[k]))
    if not pycocotools:  # (rare: cell by cell, in Python integers)
        for r in [r for r in problems if heights[r] >= 0 and widths[r] >= 0 and _too_large(heights[r], widths[r])]:
            problem = _exact_problem(masks.take(pa.array([r], pa.int64())).to_pylist()[0])
            if problem is None:
                del problems[r]
            else:
                problems[r] = problem
    return {int(cells[k]): problems[k] for k in sorted(problems)}


def bad_mask_error(objects: Any, hint: str, among: NDArray[np.bool_] | None = None) -> InputError | None:
    """The error for the first object (of ``among``; all by default) whose mask has a problem.

    The problems are :func:`mask_column_problems`'.

    Writers raise it before writing anything: a decoder would paint such a mask from whatever memory it is
    given, and labelkit's COCO reader refuses it.
    """
    bad = [
        (row, problem) for row, problem in mask_column_problems(objects["mask"]).items() if among is None or among[row]
    ]
    if not bad:
        return None
    row, problem = bad[0]
    return InputError(f"object {objects['id'][row].as_py()}: {problem}", hint=hint)


def _string_problem(text: str, height: int, width: int) -> str | None:
    counts = rle_string_counts(text)
    return _NOT_RLE if counts is None else counts_problem(counts, height, width)


def _exact_problem(cell: dict[str, Any]) -> str | None:
    """:func:`cell_problem` without pycocotools' 32-bit limit: the runs summed exactly, however large the mask."""
    counts = cell_counts(cell)
    if counts is None:
        return NOT_COUNTS if cell.get("counts") is None else _NOT_RLE
    size = int(cell["height"]) * int(cell["width"])
    fits = len(counts) * int(counts.max(initial=0)) < 2**63  # (else the int64 sum could wrap around)
    total = int(counts.sum()) if fits else sum(counts.tolist())
    return None if total == size else rle_sum_message(total, size)
