"""The YOLO reader's error path: the first bad label line in file order, whatever is wrong with it.

Label lines are checked a kind of problem at a time: while parsing a file, its class ids, then its numbers;
once every file is parsed, the field counts, non-finite numbers and negative box sizes of all of them. The
first problem found was the first of the first kind checked: a file whose line 1 has 4 fields and line 2 a
coordinate ``abc`` was refused at line 2. Good files cost nothing more here: only once a problem is found
are the lines before it looked at for another (:func:`first_row_error`, :func:`earliest`). ``validate`` asks for
the first bad line of every label file (:func:`bad_label_files`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from labelkit.errors import InputError
from labelkit.formats import yolo_parse
from labelkit.formats.yolo_config_read import MAX_UNNAMED_CLASSES
from labelkit.formats.yolo_folders import find_layout
from labelkit.formats.yolo_layout import Layout
from labelkit.formats.yolo_parse import Parsed, RowError
from labelkit.io import Inside, read_file


def unnamed_class_error(layout: Layout, parsed: Parsed, files: list[str]) -> RowError | None:
    """For a dataset that names no class: the first line whose class id cannot be read, and its error.

    A ``data.yaml`` saying there is no class (``names: []``, ``nc: 0``) takes none; else the classes are
    numbered ``class_0``, ``class_1``, ... up to :data:`MAX_UNNAMED_CLASSES`.
    """
    if layout.dota or not parsed.classes:
        return None
    config = layout.config
    if isinstance(config.get("names"), (list, dict)) or config.get("nc") == 0:  # data.yaml says: no class
        return 0, InputError(
            f"class id {parsed.classes[0]} is beyond names (0 classes)",
            path=files[parsed.entry[0]],
            line=parsed.line[0],
            hint="data.yaml names no class (names: [], or nc: 0)",
        )
    if max(parsed.classes) < MAX_UNNAMED_CLASSES:
        return None
    first = next(k for k, c in enumerate(parsed.classes) if c >= MAX_UNNAMED_CLASSES)
    return first, InputError(
        f"class id {parsed.classes[first]} without a names file (at most {MAX_UNNAMED_CLASSES:,} are numbered)",
        path=files[parsed.entry[first]],
        line=parsed.line[first],
        hint="add data.yaml or obj.names with the class names",
    )


def _flags(layout: Layout) -> bool:
    """Whether pose lines hold a visibility flag per keypoint (``kpt_shape: [K, 3]``)."""
    return layout.kpt_shape is not None and layout.kpt_shape[1] == 3


def first_row_error(task: str, layout: Layout, parsed: Parsed, files: list[str], named: bool) -> InputError | None:
    """The error of the first parsed line (in file and line order) that the checks after parsing refuse.

    ``task`` is the task read; ``named``, whether the dataset names its classes. Each kind's first bad line is
    found as before, and the earliest is taken; of two problems on one line, the kind checked first.
    """
    found = [
        found
        for found in (
            None if named else unnamed_class_error(layout, parsed, files),
            None if layout.dota else yolo_parse.count_error(task, layout, parsed, files),
            yolo_parse.finite_error(parsed, files, flags=task == "pose" and _flags(layout)),  # (DOTA's 'inf' too)
            yolo_parse.box_error(task, parsed, files),
        )
        if found is not None
    ]
    return min(found, key=lambda row_error: row_error[0])[1] if found else None


def line_task(task: str, layout: Layout) -> str:
    """A task under which each line is judged as under the task read, known before every file is read.

    Read with ``task=auto`` and nothing naming the task, the lines' field counts decide it: detect when all
    have 5 fields, OBB when all 9, else segment. Those refuse no line but segment, which refuses exactly the
    lines of a count neither a box nor a polygon has, and checks the boxes of 5-field lines, as detect does:
    so segment judges each line as the task read would.
    """
    if layout.dota:
        return "obb"
    if task == "auto" and layout.kpt_shape is None:
        return "segment"
    return yolo_parse.decide_task(task, layout, Parsed())


def earliest(
    error: InputError,
    task: str,
    layout: Layout,
    parsed: Parsed,
    files: list[str],
    names: list[str],
    bad_file: tuple[int, bytes] | None = None,
) -> InputError:
    """``error``, raised while the label files are read, or the error of a bad line before it.

    ``parsed`` holds the lines read before it (the files before, and a DOTA file's lines before); ``bad_file``
    is the index and bytes of the label file whose parse raised ``error``, whose lines before its line are
    parsed again alone, until a parse of them raises nothing (each parse raising at an earlier line), and then
    checked as all lines are. ``task`` is the task asked for (``auto``), ``names`` the classes named. A pose
    line's visibility flag that is not a number is named so, not as a coordinate (parsing knows no task).
    """
    judged = line_task(task, layout)
    flags = judged == "pose" and _flags(layout)
    before = first_row_error(judged, layout, parsed, files, named=bool(names))
    if before is not None or bad_file is None or error.location.line is None:
        return yolo_parse.named_field(before or error, flags)
    index, data = bad_file
    text = yolo_parse.plain_lines(data).decode("utf-8", "surrogateescape")  # (bad UTF-8 refused at its line)
    lines = text.splitlines()
    stop = error.location.line
    while True:  # (at most once per kind of problem a parse finds: each stops before the last one's line)
        prefix = Parsed()
        head = "\n".join(lines[: stop - 1]).encode("utf-8", "surrogateescape")
        try:
            yolo_parse.parse_file(head, files[index], index, prefix, len(names))
        except InputError as exc:
            if exc.location.line is None or exc.location.line >= stop:  # (cannot be: the lines before only)
                return yolo_parse.named_field(error, flags)
            error, stop = exc, exc.location.line
            continue
        return yolo_parse.named_field(first_row_error(judged, layout, prefix, files, named=bool(names)) or error, flags)


def bad_label_files(root: Path, exc: InputError, options: dict[str, Any]) -> list[InputError]:
    """Where ``exc`` names a label file: the first error of each label file parsed on its own, in the read's order.

    Each file's lines are judged as under the task read (:func:`.yolo_first.line_task`). ``exc`` stands for its
    own file where that finds nothing in it (an error only the whole read finds). Empty for another file's error.
    """
    where = exc.location.path
    if where is None or not where.lower().endswith(".txt"):
        return []
    follow = str(options.get("links") or "inside") == "follow"
    layout = find_layout(root, str(options.get("task", "auto")), str(options.get("image_sizes") or ""), follow)[0]
    if layout.dota or where not in {e.label for e in layout.entries}:
        return []
    inside = None if follow else Inside(layout.root)
    root_prefix = str(layout.root) + os.sep
    files = [e.label if e.label is not None else "." for e in layout.entries]
    task = line_task(str(options.get("task", "auto")), layout)  # (each line judged as under the task read)
    errors: list[InputError] = []
    for index, entry in enumerate(layout.entries):
        if entry.label is None:
            continue
        parsed = yolo_parse.Parsed()
        data: bytes | None = None
        try:
            within = inside if inside is not None and entry.label.startswith(root_prefix) else None
            data = read_file(entry.label, inside=within)
            yolo_parse.parse_file(data, entry.label, index, parsed, len(layout.names))
            if (bad_row := first_row_error(task, layout, parsed, files, named=bool(layout.names))) is not None:
                errors.append(bad_row)
        except InputError as bad:  # (or a line before it, of a kind checked after parsing, as the read finds it)
            if data is not None:
                asked, names = str(options.get("task", "auto")), list(layout.names)
                bad = earliest(bad, asked, layout, yolo_parse.Parsed(), files, names, (index, data))
            errors.append(bad)
        except OSError:  # (the read named the first such file, if it came first)
            pass
        if entry.label == where and (not errors or errors[-1].location.path != where):
            errors.append(exc)
    return errors
