"""The YOLO pose reader's keypoints: ``x y v`` in pixels, their names, and the notes on points read as not labelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from labelkit.formats import yolo_parse
from labelkit.formats.yolo_layout import rel_path

MARKED = (
    "are marked missing by a negative coordinate (as some tools write a missing point, -1 -1",
    "read as not labelled, 0 0 0, as Ultralytics' own labels have it (its reader drops an image with a value below "
    "-0.01), and written so (without a visibility column, as read: Ultralytics takes 0 0 there for a visible "
    "keypoint at the image's corner)",
)
MARKED_WITH_VISIBILITY = (  # (kpt_shape [K, 3]: the point is written 0.0 0.0 0)
    MARKED[0],
    "read as not labelled, 0 0 0, as Ultralytics' own labels have it (its reader drops an image with a value below "
    "-0.01), and written so, 0.0 0.0 0",
)
AT_ORIGIN = (  # (kpt_shape [K, 2]: see the kpt_dims option)
    "of a file without a visibility column are at 0 0 (as COCO-derived files mark a missing point",
    "read as not labelled, 0 0 0, and written back as read; Ultralytics, which takes a point for missing only by a "
    "negative coordinate, trains on each as a visible keypoint at the image's top-left corner",
)


def points_note(
    points: np.ndarray[Any, Any], parsed: yolo_parse.Parsed, files: list[str], root: Path, what: tuple[str, str]
) -> str:
    """The read note counting ``points`` (per object and point) of :data:`MARKED` or :data:`AT_ORIGIN`.

    It names the first's file and line.
    """
    first = int(np.flatnonzero(points.any(axis=1))[0])
    where = f"{rel_path(files[parsed.entry[first]], root)}:{parsed.line[first]}"
    return f"{int(points.sum()):,} keypoints {what[0]}; first at {where}): {what[1]}"


def read_keypoints(
    values: Any, offsets: Any, kpt_shape: tuple[int, int], w: Any, h: Any
) -> tuple[pa.Array, np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The objects' keypoints (``x y v`` in pixels), per object and point whether marked missing, and whether at 0 0.

    The last: a point of a ``[K, 2]`` file at ``0 0``, read as not labelled too (:data:`AT_ORIGIN`). A point
    marked missing (``-1 -1``: not labelled, ``v`` 0, or without a visibility column, and a negative
    coordinate) is ``0 0 0``, COCO's and Ultralytics' not-labelled point: its coordinates are only the mark.
    """
    k, dims = kpt_shape
    n = len(offsets) - 1
    if k == 0:  # kpt_shape [0, D]: objects without keypoints (as labelkit writes pose for them)
        return pa.nulls(n, pa.list_(pa.float64())), np.zeros((n, 0), dtype=bool), np.zeros((n, 0), dtype=bool)
    idx = (offsets[:-1, None] + 4 + np.arange(k * dims)).reshape(-1)
    raw = values[idx].reshape(n, k, dims)
    out = np.empty((n, k, 3), dtype=np.float64)
    out[:, :, 0] = raw[:, :, 0] * w[:, None]
    out[:, :, 1] = raw[:, :, 1] * h[:, None]
    negative = (raw[:, :, 0] < 0) | (raw[:, :, 1] < 0)
    if dims == 3:
        out[:, :, 2] = raw[:, :, 2]
        marked = negative & (raw[:, :, 2] == 0)
        origin = np.zeros((n, k), dtype=bool)
    else:
        # without a visibility column, a point at 0,0 (COCO-derived files' missing point: Ultralytics, masking
        # only negative coordinates, trains on it, and a read note says so) or with a negative one is not labelled
        origin = (raw[:, :, 0] == 0) & (raw[:, :, 1] == 0)
        out[:, :, 2] = np.where(origin | negative, 0.0, 2.0)
        marked = negative
    out[marked] = 0.0
    array = pa.FixedSizeListArray.from_arrays(pa.array(out.reshape(-1), pa.float64()), k * 3)
    return array.cast(pa.list_(pa.float64())), marked, origin


MARKS = "yolo:@marked_missing"
"""The extras key of an object's points that a ``[K, 2]`` file marks missing by a negative coordinate, as read
(``[[point, x, y], ...]``, normalised): a reader's bookkeeping, so that a pose write without a visibility column
writes them back as read. ``0 0``, which such a write gives a point not labelled, is a visible keypoint at the
image's corner to Ultralytics (and ``-0.005 0.3`` a missing one)."""


def marks_extras(values: Any, offsets: Any, k: int, marked: np.ndarray[Any, Any], extras: list[str | None]) -> None:
    """Add :data:`MARKS` to the ``extras`` texts (a row each, None for none) of the rows with ``marked`` points."""
    for row in np.flatnonzero(marked.any(axis=1)).tolist():
        start = int(offsets[row]) + 4
        points = [
            [j, float(values[start + 2 * j]), float(values[start + 2 * j + 1])] for j in range(k) if marked[row, j]
        ]
        text, mark = extras[row], f'"{MARKS}":{orjson.dumps(points).decode()}'
        extras[row] = "{" + mark + "}" if text is None else text[:-1] + "," + mark + "}"


def put_marks(
    cells: list[Any], local: np.ndarray[Any, Any], points: np.ndarray[Any, Any], xy: np.ndarray[Any, Any]
) -> None:
    """Write back, into ``xy`` (normalised ``x, y`` per row and point), the :data:`MARKS` of the ``local`` rows.

    ``cells``: their extras texts. ``points``: every row's ``x y v`` as the model holds them; a mark is put back
    where its point is still not labelled at 0 0 (one labelled or moved since is written as it is now).
    """
    for row, text in zip(local.tolist(), cells, strict=True):
        try:
            marks = orjson.loads(text).get(MARKS) if text else None
        except (orjson.JSONDecodeError, AttributeError):
            continue
        for mark in marks if isinstance(marks, list) else []:
            if not (isinstance(mark, list) and len(mark) == 3 and type(mark[0]) is int and 0 <= mark[0] < len(xy[row])):
                continue
            j, x, y = mark
            numbers = type(x) in (int, float) and type(y) in (int, float) and np.isfinite([x, y]).all()
            if numbers and min(x, y) < 0 and not points[row, j].any():  # (a mark edited by hand: passed over)
                xy[row, j] = (x, y)


def kpt_names_of(value: Any, k: int, n: int) -> tuple[list[list[str]], list[str]]:
    """Each class's keypoint names from data.yaml's ``kpt_names``; ``0``, ``1``, ... where it gives none.

    Ultralytics maps class ids to lists (``{0: [nose, ...]}``); a list of such lists (by class id) and one
    plain list of names (for every class) are read too. A list whose length is not ``kpt_shape``'s, or that
    holds a null name, is not used, nor is an entry of no class; each is described in the second list
    returned (for a read note).

    Examples:
        >>> kpt_names_of({0: ["x1", "x2"], 1: ["y1"]}, 2, 2)
        ([['x1', 'x2'], ['0', '1']], ["class 1: 1 names, not kpt_shape's 2"])
        >>> kpt_names_of([["x1", None], 5, ["z1", "z2"]], 2, 2)
        ([['0', '1'], ['0', '1']], ['class 0: a null name', 'class 1: not a list of names', 'entry 2: no such class'])
    """
    made_up = [str(i) for i in range(k)]
    extra: list[str] = []  # entries of no class
    if isinstance(value, dict):
        per_class = [value.get(i, value.get(str(i))) for i in range(n)]
        taken = set(range(n)) | {str(i) for i in range(n)}
        extra = [f"key {key!r}: no such class" for key in value if key not in taken]
    elif isinstance(value, list) and any(isinstance(v, list) for v in value):
        per_class = [value[i] if i < len(value) else None for i in range(n)]
        extra = [f"entry {i}: no such class" for i in range(n, len(value))]
    elif isinstance(value, list) and not any(isinstance(v, dict) for v in value):  # one list for every class
        problem = _kpt_names_problem(value, k)
        return [[str(v) for v in value] if problem is None else made_up] * n, [] if problem is None else [problem]
    else:
        return [made_up] * n, [] if value is None else [f"not a list or a map of lists: {value!r}"]
    out: list[list[str]] = []
    unused: list[str] = []
    for i, names in enumerate(per_class):
        problem = _kpt_names_problem(names, k) if names is not None else None
        if problem is not None:
            unused.append(f"class {i}: {problem}")
        out.append([str(v) for v in names] if names is not None and problem is None else made_up)
    return out, unused + extra


def _kpt_names_problem(names: Any, k: int) -> str | None:
    """Why one class's ``kpt_names`` entry cannot be used, or None."""
    if not isinstance(names, list):
        return "not a list of names"
    if len(names) != k:
        return f"{len(names)} names, not kpt_shape's {k}"
    if None in names:
        return "a null name"
    if any(isinstance(v, (list, dict)) for v in names):
        return "a name that is not a text"
    return None
